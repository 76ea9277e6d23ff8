import Foundation

/// The host part of absolute URLs, and what it says about where a request goes.
public enum URLHost {
    /// The authority of an absolute URL (`user@host:port`), empty when it has no `://`.
    public static func authority(of url: String) -> Substring {
        guard let range = url.range(of: "://") else { return "" }
        let rest = url[range.upperBound...]
        return rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
    }

    /// The host of an absolute URL, without user info or port.
    public static func host(of url: String) -> String {
        var authority = authority(of: url)
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close])
        }
        return String(authority[..<(authority.firstIndex(of: ":") ?? authority.endIndex)])
    }

    /// Whether `host` is this machine: `localhost`, `[::1]` or an IPv4 address literal in
    /// 127.0.0.0/8. Exactly those: a name such as `127.attacker.example` or `127.0.0.1.nip.io`
    /// only starts like one, and resolves wherever its owner wants.
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "[::1]" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.utf8.allSatisfy { (0x30...0x39).contains($0) }
                && (Int(part) ?? 256) <= 255
        }
    }

    /// `text` with the user information of every URL in it replaced by `***`
    /// (`http://user:password@proxy:8080` → `http://***@proxy:8080`), and with that of every proxy
    /// variable in `environment` (`http_proxy`, `HTTPS_PROXY`, `ALL_PROXY`…) wherever it appears:
    /// libcurl quotes a proxy it cannot use in its error, password included, with or without a
    /// scheme and whatever characters the password holds, and errors reach logs, outputs and the
    /// signed audit log. In a URL, the user information runs from `://` to the last `@` before the
    /// next space, quote or `/` (an `@` in a path, `/@babel%2fcore`, is no user information).
    public static func redactingUserinfo(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        var redacted = text
        for name in proxyVariables {
            guard var value = environment[name], value.contains("@") else { continue }
            if let scheme = value.range(of: "://") { value = String(value[scheme.upperBound...]) }
            guard let at = value.lastIndex(of: "@"), at != value.startIndex else { continue }
            redacted = redacted.replacingOccurrences(of: String(value[..<at]), with: "***")
        }
        return redactingURLUserinfo(redacted)
    }

    /// The environment variables libcurl takes a proxy from.
    static let proxyVariables = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]

    private static func redactingURLUserinfo(_ text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var bytes = Array(text.utf8)
        var searchFrom = 0
        while let schemeEnd = find(Array("://".utf8), in: bytes, from: searchFrom) {
            let start = schemeEnd + 3
            var end = start
            var lastAt: Int?
            while end < bytes.count, !isDelimiter(bytes[end]), bytes[end] != UInt8(ascii: "/") {
                if bytes[end] == UInt8(ascii: "@") { lastAt = end }
                end += 1
            }
            if let lastAt, lastAt > start {
                bytes.replaceSubrange(start..<lastAt, with: Array("***".utf8))
                searchFrom = start + 3
            } else {
                searchFrom = end
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`")
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count)
        where haystack[index..<index + needle.count].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
