import Foundation
import HTTP

/// A GitHub token. It is sent in the `Authorization` header and nowhere else: its description
/// is a placeholder, and ``scrub(_:)`` removes it from any text before that text is shown.
public struct GitHubToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    /// A token from its text (surrounding white space removed). Nil when empty or when it contains
    /// characters a header cannot carry.
    public init?(_ text: String) {
        var trimmed = Substring(text)
        while let first = trimmed.first, first.isWhitespace { trimmed.removeFirst() }
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        value = String(trimmed)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "GitHubToken(<redacted>)" }

    /// Text from a server made fit for one line of a terminal: control and format characters
    /// (bidi overrides, zero-width ones) and runs of white space become one space, at most 300
    /// characters, and never the token: it is redacted before the text is cut, so a cut cannot
    /// leave most of it.
    public func oneLine(_ text: String) -> String {
        var output = ""
        var pendingSpace = false
        for scalar in scrub(text).unicodeScalars {
            if scalar.properties.isWhitespace || scalar.isUnsafeInServerText {
                pendingSpace = !output.isEmpty
                continue
            }
            if pendingSpace { output.unicodeScalars.append(" ") }
            pendingSpace = false
            output.unicodeScalars.append(scalar)
            if output.unicodeScalars.count >= 300 {
                output += "…"
                break
            }
        }
        return output
    }

    /// `bytes` (an output ScanGate rendered: a report, the SARIF file, a comment) with every
    /// occurrence of the token replaced by `[redacted]` (no character JSON, HTML, XML or Markdown
    /// gives a meaning to), as written, as Markdown escapes it, and as that looks in a JSON string
    /// (`ghs\_…`, which the runner's log masking no longer recognises and GitHub renders as the
    /// token). A report can quote the job's own token (a secret scanner's finding of a `.npmrc`
    /// written from `GITHUB_TOKEN`). Exact bytes, so that a 100 MB output is searched at memory
    /// speed; JSON, HTML and XML leave a token's characters as they are.
    ///
    /// A renderer cuts long scanner text (a Markdown table cell, a line) before this runs, so the
    /// token can appear cut short (`ghp\_Ab1Cd2…`): any piece of it that begins as it does and
    /// runs to at least ``redactedPrefixLength`` characters is redacted too.
    public func redacting(in bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        // Markdown's `\_`, and that inside a JSON string (a SARIF rule's `help.markdown`): `\\_`.
        func spelt(_ text: Substring, underscore: String) -> [UInt8] {
            Array(text.replacingOccurrences(of: "_", with: underscore).utf8)
        }
        let head = value.prefix(redactedPrefixLength)
        let rest = value.dropFirst(head.count)
        for underscore in ["_", "\\\\_", "\\_"] where underscore == "_" || value.contains("_") {
            // The rest character by character, each as this form spells it: a match grows by
            // whole characters, never into half of an escape that follows (`\_` then `\"`).
            let units = rest.map { spelt(Substring(String($0)), underscore: underscore) }
            result = Self.replacingPrefixes(
                from: spelt(head, underscore: underscore), continuedBy: units, with: Array("[redacted]".utf8),
                in: result)
        }
        return result
    }

    /// How much of the token's beginning a cut piece of it must show to be redacted: its kind
    /// (`ghp_`, `ghs_`, `github_pat_`) and four characters of its secret, at least eight
    /// characters. Shorter pieces tell next to nothing, and so short a match would redact
    /// ordinary text (a rule named `github_pat_…`).
    var redactedPrefixLength: Int {
        let kind =
            if value.hasPrefix("github_pat_") { 11 } else if value.hasPrefix("gh"), value.dropFirst(3).first == "_" {
                4
            } else { 0 }
        return max(8, kind + 4)
    }

    /// ``redacting(in:)`` of text.
    public func redacting(in text: String) -> String {
        String(decoding: redacting(in: Array(text.utf8)), as: UTF8.self)
    }

    /// `haystack` with every run that begins with `head` and goes on with as many of `units` (the
    /// token's further characters, as spelt) as follow whole: the token, or a piece of its
    /// beginning at least as long as `head`, replaced.
    private static func replacingPrefixes(
        from head: [UInt8], continuedBy units: [[UInt8]], with replacement: [UInt8], in haystack: [UInt8]
    ) -> [UInt8] {
        guard !head.isEmpty, haystack.count >= head.count else { return haystack }
        var output: [UInt8] = []
        var copied = 0
        haystack.withUnsafeBytes { hay in
            head.withUnsafeBytes { pin in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return }
                let first = Int32(pin[0])
                var position = 0
                // memchr for the first byte, memcmp for the rest (glibc's memmem is not exported to Swift).
                while position <= hay.count - pin.count,
                    let found = memchr(base + position, first, hay.count - pin.count + 1 - position)
                {
                    let offset = base.distance(to: UnsafeRawPointer(found))
                    guard memcmp(base + offset, pinBase, pin.count) == 0 else {
                        position = offset + 1
                        continue
                    }
                    var end = offset + pin.count
                    for unit in units {
                        guard end + unit.count <= hay.count,
                            unit.indices.allSatisfy({ hay[end + $0] == unit[$0] })
                        else { break }
                        end += unit.count
                    }
                    if output.isEmpty { output.reserveCapacity(hay.count) }
                    output.append(contentsOf: hay[copied..<offset])
                    output.append(contentsOf: replacement)
                    position = end
                    copied = position
                }
            }
        }
        guard copied > 0 else { return haystack }
        output.append(contentsOf: haystack[copied...])
        return output
    }

    /// `text` with every occurrence of the token replaced by `<redacted>`, also where a server
    /// slipped invisible characters into or around it (a combining accent, a zero-width joiner):
    /// the match is on Unicode scalars, skipping marks and format characters between the token's
    /// characters, never on `Character`s, which would glue an accent to the token's last letter
    /// and miss it.
    ///
    /// Case is ignored (a server that upper-cases what it echoes still shows the token), and any
    /// text shaped like a GitHub token (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`,
    /// `github_pat_…`) is redacted too, whether it is this token or a piece of it.
    ///
    /// JSON's `\u0067` escapes and URLs' `%67` of letters, digits, `_` and `-` (what a token is
    /// made of) are decoded first: a server echoing the token inside a JSON string or a URL would
    /// otherwise show it spelt so that no match sees it, and whoever reads the log can decode it.
    /// Other escapes stay as written (`%2F` is not shown as a `/`, `\u001b` not as an escape).
    public func scrub(_ text: String) -> String {
        Self.redactingTokenShapes(scrubbingThisToken(Self.decodingTokenEscapes(text)))
    }

    /// `text` with every JSON `\uXXXX` and URL `%XX` escape of an ASCII letter, digit, `_` or `-`
    /// decoded; anything else as written.
    static func decodingTokenEscapes(_ text: String) -> String {
        guard text.contains("\\u") || text.contains("%") else { return text }
        let scalars = Array(text.unicodeScalars)
        /// The token character the `digits` hex digits at `start` stand for, or nil.
        func tokenCharacter(at start: Int, digits: Int) -> Unicode.Scalar? {
            guard start + digits <= scalars.count else { return nil }
            var value: UInt32 = 0
            for scalar in scalars[start..<(start + digits)] {
                guard scalar.isASCII, let digit = UInt32(String(scalar), radix: 16) else { return nil }
                value = value * 16 + digit
            }
            guard let decoded = Unicode.Scalar(value), decoded.isASCII,
                decoded.properties.isAlphabetic || ("0"..."9").contains(decoded) || decoded == "_" || decoded == "-"
            else { return nil }
            return decoded
        }
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count, scalars[index + 1] == "u",
                let decoded = tokenCharacter(at: index + 2, digits: 4)
            {
                output.append(decoded)
                index += 6
            } else if scalar == "%", let decoded = tokenCharacter(at: index + 1, digits: 2) {
                output.append(decoded)
                index += 3
            } else {
                output.append(scalar)
                index += 1
            }
        }
        return String(output)
    }

    private func scrubbingThisToken(_ text: String) -> String {
        let token = Array(value.unicodeScalars).map(Self.folded)
        let scalars = Array(text.unicodeScalars)
        guard let first = token.first, scalars.count >= token.count,
            scalars.contains(where: { Self.folded($0) == first })
        else { return text }
        // Marks and format characters glue to the token; controls and white space inside it still
        // leave it readable once shown (a control becomes a space). None of them hides it.
        func isAttached(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark, .format: true
            default: false
            }
        }
        func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .control, .spaceSeparator, .lineSeparator, .paragraphSeparator: true
            default: isAttached(scalar)
            }
        }
        /// The index just past a match of the token starting at `start`, nil when none starts there.
        func matchEnd(from start: Int) -> Int? {
            var position = start
            for (offset, character) in token.enumerated() {
                if offset > 0 { while position < scalars.count, isInvisible(scalars[position]) { position += 1 } }
                guard position < scalars.count, Self.folded(scalars[position]) == character else { return nil }
                position += 1
            }
            while position < scalars.count, isAttached(scalars[position]) { position += 1 }
            return position
        }
        var output = String.UnicodeScalarView()
        var index = 0
        var found = false
        while index < scalars.count {
            if Self.folded(scalars[index]) == first, let end = matchEnd(from: index) {
                output.append(contentsOf: "<redacted>".unicodeScalars)
                index = end
                found = true
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return found ? String(output) : text
    }

    /// ASCII letters in lower case; a token is ASCII, so nothing else needs folding.
    private static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard scalar.value >= 0x41, scalar.value <= 0x5A, let lower = Unicode.Scalar(scalar.value + 0x20) else {
            return scalar
        }
        return lower
    }

    /// GitHub's token formats: a prefix, then at least 20 letters, digits (and `_` for
    /// fine-grained tokens). Shorter runs are left alone, so `ghp_` in prose stays.
    private static func redactingTokenShapes(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "_")) else { return text }
        return text.replacing(/(?i)(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/) { _ in "<redacted>" }
    }
}

/// A token that was asked for but cannot be used; the message never contains the token.
public struct GitHubTokenError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension GitHubToken {
    /// The token from `tokenFile` when one is given, else from `GITHUB_TOKEN` in `environment`.
    /// Nil when no file is given and the variable is unset or blank (commands that need a token
    /// say so; `scangate ci` skips the upload). A file that cannot be read, is blank, or holds text
    /// a header cannot carry is an error.
    public static func load(tokenFile: String?, environment: [String: String]) throws(GitHubTokenError)
        -> GitHubToken?
    {
        guard let tokenFile else {
            let text = environment["GITHUB_TOKEN"] ?? ""
            if text.allSatisfy(\.isWhitespace) { return nil }
            guard let token = GitHubToken(text) else {
                throw GitHubTokenError(
                    description: "GITHUB_TOKEN does not hold a usable token (it contains spaces or control characters)")
            }
            return token
        }
        // A token is short: refuse to read a large file that cannot be one.
        guard let data = FileManager.default.contents(atPath: tokenFile), data.count <= 64 * 1024 else {
            throw GitHubTokenError(description: "cannot read the token file \(tokenFile)")
        }
        guard let token = GitHubToken(String(decoding: data, as: UTF8.self)) else {
            throw GitHubTokenError(
                description: "the token file \(tokenFile) does not hold a usable token "
                    + "(it is empty or contains spaces or control characters)")
        }
        return token
    }
}
