/// A repository as `OWNER/NAME`.
public struct GitHubRepository: Sendable, Equatable, CustomStringConvertible {
    public let owner: String
    public let name: String

    /// Parses `OWNER/NAME`; nil unless both parts are non-empty and made of the characters GitHub
    /// allows in account and repository names (letters, digits, `-`, `_`, `.`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let owner = parts.first, let name = parts.last,
            Self.isValidPart(owner), Self.isValidPart(name),
            // A dot segment would move the request to another endpoint (`../user/…` is `/user/…`).
            ![owner, name].contains(where: { $0 == "." || $0 == ".." })
        else { return nil }
        self.owner = String(owner)
        self.name = String(name)
    }

    public var description: String { "\(owner)/\(name)" }

    private static func isValidPart(_ part: Substring) -> Bool {
        !part.isEmpty && part.count <= 100
            && part.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

/// The fields of the upload request besides `sarif`, checked against the OpenAPI description
/// before anything is sent.
public struct SARIFUploadParameters: Sendable {
    /// `commit_sha`: `^([0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?)$`, a SHA-1 or SHA-256 commit id.
    public var commitSHA: String
    /// `ref`: `^refs/(heads|tags|pull)/.*$`.
    public var ref: String
    /// `checkout_uri` (format uri), e.g. `file:///github/workspace/`.
    public var checkoutURI: String?
    /// `started_at` (date-time), `YYYY-MM-DDTHH:MM:SSZ`.
    public var startedAt: String?
    /// `tool_name`.
    public var toolName: String?

    public init(
        commitSHA: String, ref: String, checkoutURI: String? = nil, startedAt: String? = nil,
        toolName: String? = nil
    ) {
        self.commitSHA = commitSHA
        self.ref = ref
        self.checkoutURI = checkoutURI
        self.startedAt = startedAt
        self.toolName = toolName
    }

    /// Each problem as one sentence; empty when the parameters are valid.
    public func problems() -> [String] {
        var problems: [String] = []
        if !Self.isCommitSHA(commitSHA) {
            problems.append(
                "the commit must be a full SHA: 40 or 64 hexadecimal characters, got \"\(printable(commitSHA))\"")
        }
        if !Self.isRef(ref) {
            problems.append(
                "the ref must be a full reference such as refs/heads/main, refs/tags/v1 or refs/pull/42/merge, "
                    + "got \"\(printable(ref))\"")
        }
        if let checkoutURI, !Self.isURI(checkoutURI) {
            problems.append("the checkout URI must be an absolute URI such as file:///github/workspace/")
        }
        if let startedAt, !Self.isDateTime(startedAt) {
            problems.append("started_at must be a date-time such as 2026-01-31T12:00:00Z")
        }
        if let toolName, toolName.isEmpty || toolName.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            problems.append("the tool name must be non-empty text on one line")
        }
        return problems
    }

    /// `^([0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?)$`
    static func isCommitSHA(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy(isHexDigit)
    }

    /// `^refs/(heads|tags|pull)/.*$`: in ECMAScript `.` matches no line terminator, so none may appear.
    static func isRef(_ text: String) -> Bool {
        let prefixed = ["refs/heads/", "refs/tags/", "refs/pull/"].contains { text.hasPrefix($0) }
        let lineTerminators: Set<UInt32> = [0x0A, 0x0D, 0x2028, 0x2029]
        return prefixed && !text.unicodeScalars.contains { lineTerminators.contains($0.value) }
    }

    /// An absolute URI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), a colon, and no
    /// spaces or control characters.
    static func isURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon].utf8
        guard let first = scheme.first, isLetter(first),
            scheme.allSatisfy({ isLetter($0) || isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { return false }
        return !text.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    /// RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`.
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ isDigit(bytes[$0]) }), bytes[4] == 0x2D, bytes[7] == 0x2D,
            bytes[10] == 0x54 || bytes[10] == 0x74, bytes[13] == 0x3A, bytes[16] == 0x3A
        else { return false }
        var index = 19
        if bytes[index] == 0x2E {
            index += 1
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > start else { return false }
        }
        let zone = Array(bytes[index...])
        if zone == [0x5A] || zone == [0x7A] { return true }
        return zone.count == 6 && (zone[0] == 0x2B || zone[0] == 0x2D) && isDigit(zone[1]) && isDigit(zone[2])
            && zone[3] == 0x3A && isDigit(zone[4]) && isDigit(zone[5])
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Text safe to echo: control characters escaped, at most 80 characters.
    private func printable(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars.prefix(80) {
            output += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text.unicodeScalars.count > 80 ? output + "…" : output
    }
}
