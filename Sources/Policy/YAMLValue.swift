import Foundation
import Yams

/// A node of a YAML configuration file with the file it came from: typed access that throws a
/// ``ConfigurationError`` naming the file and line for every wrong type, and mappings that
/// refuse keys nobody reads.
struct YAMLValue {
    let node: Node
    let file: String
    let document: ConfigurationError.Document

    var line: Int { node.mark?.line ?? 1 }
    var column: Int? { node.mark?.column }
    var source: SourceRef { SourceRef(file: file, line: line) }

    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(document: document, file: file, line: line, column: column, message: message)
    }

    /// Parses one YAML document. Anchors and aliases are refused (a policy is read by people in
    /// review; `*alias` hides what a rule says, and alias bombs cost nothing to write).
    static func parse(_ text: String, file: String, document: ConfigurationError.Document) throws(ConfigurationError)
        -> YAMLValue
    {
        let root: Node?
        // The parser keeps the anchors alive (nodes hold them weakly) while they are checked.
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw Self.convert(error, text: text, file: file, document: document)
        } catch {
            throw ConfigurationError(document: document, file: file, line: 1, message: "not YAML: \(error)")
        }
        guard let root else {
            throw ConfigurationError(document: document, file: file, line: 1, message: "the file is empty")
        }
        let value = YAMLValue(node: root, file: file, document: document)
        try withExtendedLifetime(parser) { () throws(ConfigurationError) in try value.refuseAnchors() }
        return value
    }

    /// Reads a file as UTF-8 text.
    static func readText(path: String, document: ConfigurationError.Document) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "it cannot be read"
            throw ConfigurationError(document: document, file: path, line: 0, message: "cannot read the file: \(why)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(document: document, file: path, line: 0, message: "the file is not valid UTF-8")
        }
        return text
    }

    private static func convert(
        _ error: YamlError, text: String, file: String, document: ConfigurationError.Document
    ) -> ConfigurationError {
        func make(_ mark: Mark, _ message: String) -> ConfigurationError {
            ConfigurationError(document: document, file: file, line: mark.line, column: mark.column, message: message)
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
            return ConfigurationError(document: document, file: file, line: line, message: "invalid YAML: \(problem)")
        default:
            return ConfigurationError(document: document, file: file, line: 1, message: "invalid YAML: \(error)")
        }
    }

    private func refuseAnchors() throws(ConfigurationError) {
        if node.anchor != nil {
            throw error("YAML anchors and aliases (&name, *name) are not allowed: write the value out")
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                try YAMLValue(node: key, file: file, document: document).refuseAnchors()
                try YAMLValue(node: value, file: file, document: document).refuseAnchors()
            }
        case .sequence(let sequence):
            for element in sequence { try YAMLValue(node: element, file: file, document: document).refuseAnchors() }
        case .alias:
            throw error("YAML anchors and aliases (&name, *name) are not allowed: write the value out")
        case .scalar:
            break
        }
    }

    // MARK: Types

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

    /// The resolved tag (`tag:yaml.org,2002:int`, …).
    var tagName: Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    var isNull: Bool {
        guard case .scalar = node else { return false }
        return tagName == .null
    }

    /// The mapping's entries, in file order; keys outside `allowed` are refused.
    func mapping(_ what: String, allowed: [String]) throws(ConfigurationError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else {
            throw error("\(what) must be a mapping, found \(kindDescription)")
        }
        var entries: [YAMLMapping.Entry] = []
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, file: file, document: document)
            guard case .scalar(let scalar) = keyNode, !key.isNull else {
                throw key.error("a key in \(what) must be text, found \(key.kindDescription)")
            }
            guard allowed.contains(scalar.string) else {
                throw key.error(
                    "unknown key \"\(scalar.string)\" in \(what); expected one of: "
                        + allowed.joined(separator: ", "))
            }
            entries.append(
                YAMLMapping.Entry(
                    key: scalar.string, keyLine: key.line,
                    value: YAMLValue(node: valueNode, file: file, document: document)))
        }
        return YAMLMapping(value: self, entries: entries)
    }

    /// A non-empty string scalar (numbers and booleans are taken as written).
    func string(_ what: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error("\(what) must be text, found \(kindDescription)")
        }
        guard !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw error("\(what) must not be empty")
        }
        return scalar.string
    }

    func int(_ what: String) throws(ConfigurationError) -> Int {
        guard case .scalar = node, tagName == .int, let value = node.int else {
            throw error("\(what) must be a whole number, found \(kindDescription)")
        }
        return value
    }

    func bool(_ what: String) throws(ConfigurationError) -> Bool {
        guard case .scalar = node, tagName == .bool, let value = node.bool else {
            throw error("\(what) must be true or false, found \(kindDescription)")
        }
        return value
    }

    func list(_ what: String) throws(ConfigurationError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else {
            throw error("\(what) must be a list, found \(kindDescription)")
        }
        return sequence.map { YAMLValue(node: $0, file: file, document: document) }
    }

    /// One string, or a list of them (a list may not be empty).
    func strings(_ what: String) throws(ConfigurationError) -> [(String, YAMLValue)] {
        if case .sequence = node {
            let elements = try list(what)
            guard !elements.isEmpty else { throw error("\(what) must not be an empty list") }
            var result: [(String, YAMLValue)] = []
            for element in elements { result.append((try element.string("each entry of \(what)"), element)) }
            return result
        }
        return [(try string(what), self)]
    }
}

/// A mapping's entries, read once each.
struct YAMLMapping {
    struct Entry {
        let key: String
        let keyLine: Int
        let value: YAMLValue
    }

    let value: YAMLValue
    let entries: [Entry]

    subscript(key: String) -> YAMLValue? { entries.first { $0.key == key }?.value }

    func require(_ key: String, in what: String) throws(ConfigurationError) -> YAMLValue {
        guard let found = self[key] else { throw value.error("\(what) has no \"\(key)\"") }
        return found
    }
}
