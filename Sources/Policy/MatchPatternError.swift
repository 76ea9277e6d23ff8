/// Why a `url:` or `path:` glob of a rule or waiver is refused although it is a well-formed
/// glob: it names places in a form that the canonical places it is matched against never take,
/// and that cannot be brought to their form because a wildcard is in the way. Such a glob would
/// match nothing, and a `fail` rule written with it would pass what it names.
public struct MatchPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key the glob was given for: `url` or `path`.
    public let key: String
    /// The glob as written.
    public let pattern: String
    /// What is wrong, and how to write it instead.
    public let message: String

    public init(key: String, pattern: String, message: String) {
        self.key = key
        self.pattern = pattern
        self.message = message
    }

    public var description: String { "\(key) \"\(pattern.clippedForMessage)\": \(message)" }
}

/// What a glob's characters are, for the canonicalisers of `url:` and `path:` globs.
enum GlobText {
    /// Whether `text` has no wildcard, class or escape: it matches only itself.
    static func isLiteral<Text: StringProtocol>(_ text: Text) -> Bool {
        !text.contains { "*?[]\\".contains($0) }
    }

    /// Whether `text` ends in a wildcard (`*`, `?`) or a class (`]`) that is not escaped.
    static func endsInWildcard<Text: StringProtocol>(_ text: Text) -> Bool {
        guard let last = text.last, "*?]".contains(last) else { return false }
        return !text.dropLast().hasSuffix("\\")
    }
}
