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

    /// `text` with every occurrence of the token replaced by `<redacted>`.
    public func scrub(_ text: String) -> String {
        guard text.contains(value) else { return text }
        return text.replacing(value, with: "<redacted>")
    }
}
