import Foundation
import Yams

/// A kind of YAML file a module reads: the error it reports for a problem at a place in the file
/// (`Policy` says which kind of document was refused, `CI` names `.scangate.yaml`), and how strict
/// its texts are.
public protocol YAMLDocumentKind: Sendable {
    associatedtype Failure: Error
    func error(file: String, line: Int, column: Int?, message: String) -> Failure
    /// Whether a number or boolean where text is expected is refused unless quoted
    /// (`category: 2024` is a mistake more often than not, and quoting says it is meant).
    /// False: it is taken as written.
    var requiresQuotedText: Bool { get }
}

extension YAMLDocumentKind {
    public var requiresQuotedText: Bool { false }
}

/// A node of a YAML configuration file with the file it came from: typed access that throws the
/// owner's error (naming file, line and column) for every wrong type, and mappings that refuse
/// keys nobody reads. Policies, waivers and `.scangate.yaml` are all read through it.
public struct YAMLNode<Maker: YAMLDocumentKind> {
    /// The Yams node.
    public let node: Node
    /// The file as the user named it.
    public let file: String
    /// The kind of file: its error type and strictness.
    public let maker: Maker

    public init(node: Node, file: String, maker: Maker) {
        self.node = node
        self.file = file
        self.maker = maker
    }

    /// 1-based line of the node.
    public var line: Int { node.mark?.line ?? 1 }
    /// 1-based column, when known.
    public var column: Int? { node.mark?.column }

    /// An error about this node.
    public func error(_ message: String) -> Maker.Failure {
        maker.error(file: file, line: line, column: column, message: message)
    }

    private func child(_ node: Node) -> YAMLNode { YAMLNode(node: node, file: file, maker: maker) }

    // MARK: Parsing

    /// Parses one YAML document. Anchors and aliases are refused: configuration is read by people
    /// in review, `*alias` hides what a setting says, and alias bombs cost nothing to write.
    public static func parse(_ text: String, file: String, maker: Maker) throws(Maker.Failure) -> YAMLNode {
        // A byte-order mark may start a YAML stream (PowerShell 5.1 writes one); libyaml, told
        // the encoding, would take it for content.
        let text = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
        if let hidden = firstHiddenCharacter(in: text) {
            throw maker.error(file: file, line: hidden.line, column: hidden.column, message: hidden.message)
        }
        if let (line, column) = YAMLAnchorScan.firstAnchorOrAlias(in: text) {
            throw maker.error(file: file, line: line, column: column, message: Self.anchorMessage)
        }
        let root: Node?
        // The parser keeps the anchors alive (nodes hold them weakly) while they are checked.
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw convert(error, text: text, file: file, maker: maker)
        } catch {
            throw maker.error(file: file, line: 1, column: nil, message: "not YAML: \(error)")
        }
        guard let root else { throw maker.error(file: file, line: 1, column: nil, message: "the file is empty") }
        let value = YAMLNode(node: root, file: file, maker: maker)
        try withExtendedLifetime(parser) { () throws(Maker.Failure) in try value.refuseAnchors() }
        return value
    }

    private static func convert(_ error: YamlError, text: String, file: String, maker: Maker) -> Maker.Failure {
        func make(_ mark: Mark, _ message: String) -> Maker.Failure {
            maker.error(file: file, line: mark.line, column: mark.column, message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return make(mark, "invalid YAML: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return make(context.mark, "duplicate key \(keys) in a mapping")
        case .reader(let problem, let offset, _, _):
            var line = 1
            if let offset { line += text.prefix(offset).count { $0 == "\n" } }
            return maker.error(file: file, line: line, column: nil, message: "invalid YAML: \(problem)")
        default:
            return maker.error(file: file, line: 1, column: nil, message: "invalid YAML: \(error)")
        }
    }

    /// The first character that makes the file read otherwise than it shows in review, with
    /// where it is (1-based line and column, counting `\n` lines as editors do), or nil: a
    /// Unicode line break YAML reads as a new line and editors and diffs do not (NEL, U+2028,
    /// U+2029: `description: reviewed\u{2028}fail-on: none` is two keys to YAML, one line on
    /// screen), or a bidirectional control that displays text in another order than it is read.
    static func firstHiddenCharacter(in text: String) -> (line: Int, column: Int, message: String)? {
        var line = 1
        var column = 1
        for scalar in text.unicodeScalars {
            let code = scalar.value
            if code == 0x85 || code == 0x2028 || code == 0x2029 {
                let name = String(format: "U+%04X", code)
                return (
                    line, column,
                    "a Unicode line break (\(name)) that YAML reads as a new line but editors and diffs do not show: "
                        + "what follows it would be read unseen in review; write a real line break, or remove it"
                )
            }
            if (0x202A...0x202E).contains(code) || (0x2066...0x2069).contains(code) {
                let name = String(format: "U+%04X", code)
                return (
                    line, column,
                    "a bidirectional control character (\(name)) that shows the text in another order than it is "
                        + "read: remove it"
                )
            }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }

    private static var anchorMessage: String {
        "YAML anchors and aliases (&name, *name) are not allowed: write the value out"
    }

    /// Anchors and aliases are refused before composing (``YAMLAnchorScan``); this walk is the
    /// second line, and refuses tags that are not YAML's own.
    private func refuseAnchors() throws(Maker.Failure) {
        let message = Self.anchorMessage
        if node.anchor != nil { throw error(message) }
        // A tag of YAML's own (`!!str`) says what the value is; any other (`!custom critical`)
        // would be ignored, and the value read as if it were not there.
        let tag = node.tag.rawValue
        if !tag.isEmpty, !tag.hasPrefix("tag:yaml.org,2002:") {
            throw error("the YAML tag \(tag) is not allowed: write the value without it")
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                try child(key).refuseAnchors()
                try child(value).refuseAnchors()
            }
        case .sequence(let sequence):
            for element in sequence { try child(element).refuseAnchors() }
        case .alias:
            throw error(message)
        case .scalar:
            break
        }
    }

    // MARK: Types

    /// How the value reads in a message: "a mapping", "a list", "the number 3", "the text \"x\"".
    public var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull { return "nothing (null)" }
            switch tagName {
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            default: return "the text \"\(scalar.string)\""
            }
        }
    }

    /// The resolved tag (`tag:yaml.org,2002:int`, …).
    public var tagName: Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    /// Whether this is `null` (or `~`, or nothing after the key).
    public var isNull: Bool {
        guard case .scalar = node else { return false }
        return tagName == .null
    }

    /// Whether this is a mapping.
    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// The mapping's entries, in file order; keys outside `allowed` are refused (nil: any key).
    /// `allowedInAnyCase`: the allowed keys are matched ASCII case-insensitively (severity names).
    public func mapping(
        _ what: String, allowed: [String]?, allowedInAnyCase: Bool = false
    ) throws(Maker.Failure) -> YAMLMapping<Maker> {
        guard case .mapping(let mapping) = node else {
            throw error("\(what) must be a mapping, found \(kindDescription)")
        }
        var entries: [(key: String, value: YAMLNode)] = []
        var seenInAnyCase: Set<String> = []
        for (keyNode, valueNode) in mapping {
            let key = child(keyNode)
            guard case .scalar(let scalar) = keyNode, !key.isNull else {
                throw key.error("a key in \(what) must be text, found \(key.kindDescription)")
            }
            if let allowed, !allowed.contains(allowedInAnyCase ? scalar.string.lowercased() : scalar.string) {
                throw key.error(
                    "unknown key \"\(scalar.string)\" in \(what); expected one of: " + allowed.joined(separator: ", "))
            }
            // YAML's duplicate-key check is case-sensitive: `HIGH: 1` and `high: 2` are one key here.
            if allowedInAnyCase, !seenInAnyCase.insert(scalar.string.lowercased()).inserted {
                throw key.error("\(what) lists \(scalar.string.lowercased()) twice (\"\(scalar.string)\")")
            }
            entries.append((scalar.string, child(valueNode)))
        }
        return YAMLMapping(value: self, entries: entries)
    }

    /// A non-empty text scalar (see ``YAMLDocumentKind/requiresQuotedText`` for numbers).
    public func string(_ what: String) throws(Maker.Failure) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error("\(what) must be text, found \(kindDescription)")
        }
        if maker.requiresQuotedText && tagName != .str {
            throw error("\(what) must be text, found \(kindDescription) (quote it)")
        }
        guard !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw error("\(what) must not be empty")
        }
        return scalar.string
    }

    /// A whole number, written in decimal digits.
    public func int(_ what: String) throws(Maker.Failure) -> Int {
        guard case .scalar(let scalar) = node, tagName == .int, let value = node.int else {
            throw error("\(what) must be a whole number, found \(kindDescription)")
        }
        // YAML 1.1 also reads `010` as octal 8, and `0o17`, `0x1F`, `1_000` and `1:30` as numbers:
        // a limit written so is a slip more often than meant, and a reviewer reads it wrong.
        guard Self.isPlainDecimal(scalar.string) else {
            throw error(
                "\(what) must be a whole number in decimal digits without leading zeros, found \"\(scalar.string)\"")
        }
        return value
    }

    /// `0`, `14`, `-1`, `+3`: an optional sign, then digits with no leading zero.
    static func isPlainDecimal(_ text: String) -> Bool {
        var digits = Substring(text).utf8
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return first != 0x30 || digits.count == 1
    }

    /// `true` or `false`.
    public func bool(_ what: String) throws(Maker.Failure) -> Bool {
        guard case .scalar = node, tagName == .bool, let value = node.bool else {
            throw error("\(what) must be true or false, found \(kindDescription)")
        }
        return value
    }

    /// The elements of a list.
    public func list(_ what: String) throws(Maker.Failure) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else {
            throw error("\(what) must be a list, found \(kindDescription)")
        }
        return sequence.map(child)
    }

    /// One string, or a list of them, each with its node (for messages about one of them).
    public func strings(_ what: String, allowEmptyList: Bool = false) throws(Maker.Failure) -> [(String, YAMLNode)] {
        guard case .sequence = node else { return [(try string(what), self)] }
        let elements = try list(what)
        guard allowEmptyList || !elements.isEmpty else { throw error("\(what) must not be an empty list") }
        var result: [(String, YAMLNode)] = []
        for element in elements {
            result.append((try element.string("each entry of \(what)"), element))
        }
        return result
    }
}

/// A mapping's entries in file order, each key once (YAML duplicates are refused when parsing).
public struct YAMLMapping<Maker: YAMLDocumentKind>: Sequence {
    /// The mapping itself, for messages about it.
    public let value: YAMLNode<Maker>
    /// The entries in file order.
    public let entries: [(key: String, value: YAMLNode<Maker>)]

    /// Whether the mapping has no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`, nil when the mapping has none.
    public subscript(key: String) -> YAMLNode<Maker>? { entries.first { $0.key == key }?.value }

    /// The value of `key`, or an error saying `what` lacks it.
    public func require(_ key: String, in what: String) throws(Maker.Failure) -> YAMLNode<Maker> {
        guard let found = self[key] else { throw value.error("\(what) has no \"\(key)\"") }
        return found
    }

    /// The entries in file order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: YAMLNode<Maker>)]> {
        entries.makeIterator()
    }
}

/// Where a file stops being UTF-8, for an error that names the line.
public enum UTF8Position {
    /// The 1-based line of the first byte that is not part of valid UTF-8; nil when all are.
    public static func lineOfFirstInvalidByte(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error:
                return 1 + bytes[..<offset].count { $0 == 0x0A }
            }
        }
    }
}
