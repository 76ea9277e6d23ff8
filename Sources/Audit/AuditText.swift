/// Text taken from a log line and quoted in a message (a schema, a member name, a key id).
///
/// Whoever can write the log chooses that text: a 100 MB value would otherwise be copied into
/// every message, error and record that quotes it. Control characters are left for the printer
/// to neutralise (the CLI prints every line as a printable line).
enum AuditText {
    /// The most characters of a value a message quotes.
    static let limit = 100

    /// `text` when it has at most ``limit`` characters, else its first ``limit`` characters, an
    /// ellipsis and its length in bytes.
    static func excerpt(_ text: String) -> String {
        // UTF-8 count first: O(1) for native strings, and a cheap answer for short ones.
        guard text.utf8.count > limit else { return text }
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
            end != scalars.endIndex
        else { return text }
        return String(scalars[..<end]) + "… (\(text.utf8.count) bytes)"
    }
}
