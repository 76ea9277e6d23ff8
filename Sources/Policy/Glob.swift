/// A shell-style glob: `*` any run of characters (including `/`), `?` one character,
/// `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`) one character of a class, `\` escapes the next
/// character. The whole text must match.
///
/// Text is compared by Unicode scalars, not by `Character`s: a file name on Linux is its bytes,
/// so `café` composed and `cafe` with a combining accent are two directories, and a `/` with a
/// combining mark after it is still a `/` to `*` (as Characters, `/` and the mark were one, and
/// `config/*` missed `config/\u{301}app.env`).
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// Whether letters match regardless of case (ids: `cve-2021-*` matches `CVE-2021-23337`).
    public let ignoresCase: Bool
    private let tokens: [Token]

    private enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyRun
        case anyOne
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    /// Why a pattern is malformed.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let pattern: String
        public let message: String
        public var description: String { "malformed glob \"\(pattern.clippedForMessage)\": \(message)" }
    }

    private init(pattern: String, ignoresCase: Bool, tokens: [Token]) {
        self.pattern = pattern
        self.ignoresCase = ignoresCase
        self.tokens = tokens
    }

    public init(_ pattern: String, ignoresCase: Bool = false) throws(SyntaxError) {
        self.pattern = pattern
        self.ignoresCase = ignoresCase
        guard !pattern.isEmpty else { throw SyntaxError(pattern: pattern, message: "the pattern is empty") }
        let characters = Array((ignoresCase ? pattern.lowercased() : pattern).unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                tokens.append(.anyOne)
                index += 1
            case "\\":
                guard index + 1 < characters.count else {
                    throw SyntaxError(pattern: pattern, message: "it ends with an escaping backslash")
                }
                tokens.append(.literal(characters[index + 1]))
                index += 2
            case "[":
                let (token, next) = try Self.parseSet(characters, from: index, pattern: pattern)
                tokens.append(token)
                index = next
            case "]":
                throw SyntaxError(pattern: pattern, message: "\"]\" without an opening \"[\" (escape it as \\])")
            default:
                tokens.append(.literal(character))
                index += 1
            }
        }
        self.tokens = tokens
    }

    private static func parseSet(_ characters: [Unicode.Scalar], from start: Int, pattern: String) throws(SyntaxError)
        -> (Token, Int)
    {
        var index = start + 1
        var negated = false
        if index < characters.count, characters[index] == "!" || characters[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        while index < characters.count, characters[index] != "]" {
            var low = characters[index]
            if low == "\\" {
                guard index + 1 < characters.count else {
                    throw SyntaxError(pattern: pattern, message: "it ends with an escaping backslash")
                }
                index += 1
                low = characters[index]
            }
            index += 1
            if index + 1 < characters.count, characters[index] == "-", characters[index + 1] != "]" {
                let high = characters[index + 1]
                guard low <= high else {
                    throw SyntaxError(pattern: pattern, message: "the range \(low)-\(high) is reversed")
                }
                ranges.append(low...high)
                index += 2
            } else {
                ranges.append(low...low)
            }
        }
        guard index < characters.count, characters[index] == "]" else {
            throw SyntaxError(pattern: pattern, message: "\"[\" is never closed by \"]\"")
        }
        guard !ranges.isEmpty else {
            throw SyntaxError(pattern: pattern, message: "the character class \"[]\" is empty")
        }
        return (.set(ranges: ranges, negated: negated), index + 1)
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        let characters = Array((ignoresCase ? text.lowercased() : text).unicodeScalars)
        var tokenIndex = 0
        var textIndex = 0
        // Classic wildcard matching: remember the last `*` and retry from one character later.
        var starToken = -1
        var starText = 0
        while textIndex < characters.count {
            if tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun {
                starToken = tokenIndex
                starText = textIndex
                tokenIndex += 1
            } else if tokenIndex < tokens.count, Self.matches(tokens[tokenIndex], characters[textIndex]) {
                tokenIndex += 1
                textIndex += 1
            } else if starToken >= 0 {
                tokenIndex = starToken + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    /// The glob for text put through `fold` character by character (a package name lower-cased,
    /// say): each literal character folded, and runs of literal `collapsing` characters made one,
    /// as runs in the folded text are; a class keeps its members and gains their folded forms
    /// (a range's when both ends fold to an ordered range). It matches the folded text where this
    /// glob matches the text; the pattern shown stays as written. Letters are compared as the
    /// folded glob has them (``ignoresCase`` is false), so `fold` must lower-case when case
    /// does not matter.
    func folded(_ fold: (Unicode.Scalar) -> Unicode.Scalar, collapsing: Unicode.Scalar? = nil) -> Glob {
        var folded: [Token] = []
        folded.reserveCapacity(tokens.count)
        for token in tokens {
            switch token {
            case .literal(let character):
                let mapped = fold(character)
                if mapped == collapsing, folded.last == .literal(mapped) { continue }
                folded.append(.literal(mapped))
            case .set(let ranges, let negated):
                var all = ranges
                for range in ranges {
                    let low = fold(range.lowerBound)
                    let high = fold(range.upperBound)
                    if low <= high, !all.contains(low...high) { all.append(low...high) }
                }
                folded.append(.set(ranges: all, negated: negated))
            case .anyRun, .anyOne:
                folded.append(token)
            }
        }
        return Glob(pattern: pattern, ignoresCase: false, tokens: folded)
    }

    private static func matches(_ token: Token, _ character: Unicode.Scalar) -> Bool {
        switch token {
        case .literal(let literal): literal == character
        case .anyOne: true
        case .anyRun: false
        case .set(let ranges, let negated): ranges.contains { $0.contains(character) } != negated
        }
    }

    public var description: String { pattern }
}

extension String {
    /// At most 120 characters, for quoting a value in an error message: a megabyte-long glob
    /// must not become a megabyte-long line (the file and line already say where it is).
    var clippedForMessage: String { count > 120 ? prefix(119) + "…" : self }
}
