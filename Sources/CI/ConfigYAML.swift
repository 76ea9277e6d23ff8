import Foundation
import Yams

/// A node of `.scangate.yaml` with typed access that throws a ``CIConfigError`` naming the file
/// and line for every wrong type; mappings refuse keys nobody reads. (The Policy module's
/// equivalent is internal to it; this one is deliberately small.)
struct ConfigNode {
    let node: Node
    let file: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int? { node.mark?.column }

    func error(_ message: String) -> CIConfigError {
        CIConfigError(file: file, line: line, column: column, message: message)
    }

    /// Parses one YAML document; anchors and aliases are refused (a config is read in review).
    static func parse(_ text: String, file: String) throws(CIConfigError) -> ConfigNode {
        let root: Node?
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw Self.convert(error, text: text, file: file)
        } catch {
            throw CIConfigError(file: file, line: 1, message: "not YAML: \(error)")
        }
        guard let root else { throw CIConfigError(file: file, line: 1, message: "the file is empty") }
        let value = ConfigNode(node: root, file: file)
        // The parser keeps anchors alive (nodes hold them weakly) while they are checked.
        try withExtendedLifetime(parser) { () throws(CIConfigError) in try value.refuseAnchors() }
        return value
    }

    private static func convert(_ error: YamlError, text: String, file: String) -> CIConfigError {
        func make(_ mark: Mark, _ message: String) -> CIConfigError {
            CIConfigError(file: file, line: mark.line, column: mark.column, message: message)
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
            return CIConfigError(file: file, line: line, message: "invalid YAML: \(problem)")
        default:
            return CIConfigError(file: file, line: 1, message: "invalid YAML: \(error)")
        }
    }

    private func refuseAnchors() throws(CIConfigError) {
        let message = "YAML anchors and aliases (&name, *name) are not allowed: write the value out"
        if node.anchor != nil { throw error(message) }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                try ConfigNode(node: key, file: file).refuseAnchors()
                try ConfigNode(node: value, file: file).refuseAnchors()
            }
        case .sequence(let sequence):
            for element in sequence { try ConfigNode(node: element, file: file).refuseAnchors() }
        case .alias:
            throw error(message)
        case .scalar:
            break
        }
    }

    private var tagName: Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    var isNull: Bool {
        guard case .scalar = node else { return false }
        return tagName == .null
    }

    /// How the value reads in a message: "a mapping", "a list", "the number 3", "the text \"x\"".
    var kindDescription: String {
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

    var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// The mapping's entries in file order; keys outside `allowed` are refused.
    func mapping(_ what: String, allowed: [String]) throws(CIConfigError) -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else {
            throw error("\(what) must be a mapping, found \(kindDescription)")
        }
        var entries: [(key: String, value: ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            let key = ConfigNode(node: keyNode, file: file)
            guard case .scalar(let scalar) = keyNode, !key.isNull else {
                throw key.error("a key in \(what) must be text, found \(key.kindDescription)")
            }
            guard allowed.isEmpty || allowed.contains(scalar.string) else {
                throw key.error(
                    "unknown key \"\(scalar.string)\" in \(what); expected one of: " + allowed.joined(separator: ", "))
            }
            entries.append((scalar.string, ConfigNode(node: valueNode, file: file)))
        }
        return entries
    }

    /// A non-empty text scalar. Numbers and booleans are refused: `category: 2024` is a mistake
    /// more often than not, and quoting says it is meant.
    func string(_ what: String) throws(CIConfigError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error("\(what) must be text, found \(kindDescription)")
        }
        guard tagName == .str else { throw error("\(what) must be text, found \(kindDescription) (quote it)") }
        guard !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw error("\(what) must not be empty")
        }
        return scalar.string
    }

    func int(_ what: String) throws(CIConfigError) -> Int {
        guard case .scalar = node, tagName == .int, let value = node.int else {
            throw error("\(what) must be a whole number, found \(kindDescription)")
        }
        return value
    }

    func bool(_ what: String) throws(CIConfigError) -> Bool {
        guard case .scalar = node, tagName == .bool, let value = node.bool else {
            throw error("\(what) must be true or false, found \(kindDescription)")
        }
        return value
    }

    /// One string or a list of them; `allowEmpty` accepts `[]`.
    func strings(_ what: String, allowEmpty: Bool = true) throws(CIConfigError) -> [(String, ConfigNode)] {
        guard case .sequence(let sequence) = node else { return [(try string(what), self)] }
        guard allowEmpty || !sequence.isEmpty else { throw error("\(what) must not be an empty list") }
        var result: [(String, ConfigNode)] = []
        for element in sequence {
            let child = ConfigNode(node: element, file: file)
            result.append((try child.string("each entry of \(what)"), child))
        }
        return result
    }
}
