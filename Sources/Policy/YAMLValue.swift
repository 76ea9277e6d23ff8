import ConfigYAML
import Foundation
import Yams

/// Policy, waivers and baseline YAML, read through ``ConfigYAML``: every error is a
/// ``ConfigurationError`` that says which kind of document was refused.
struct PolicyYAML: YAMLDocumentKind {
    let document: ConfigurationError.Document

    func error(file: String, line: Int, column: Int?, message: String) -> ConfigurationError {
        ConfigurationError(document: document, file: file, line: line, column: column, message: message)
    }
}

/// A node of a policy, waivers or baseline file.
typealias YAMLValue = YAMLNode<PolicyYAML>

extension YAMLNode where Maker == PolicyYAML {
    /// A node of the same file (a list element, say) with the same error kind.
    init(node: Node, file: String, document: ConfigurationError.Document) {
        self.init(node: node, file: file, maker: PolicyYAML(document: document))
    }

    var document: ConfigurationError.Document { maker.document }
    var source: SourceRef { SourceRef(file: file, line: line) }

    /// Parses one YAML document (anchors and aliases refused).
    static func parse(_ text: String, file: String, document: ConfigurationError.Document) throws(ConfigurationError)
        -> YAMLValue
    {
        try parse(text, file: file, maker: PolicyYAML(document: document))
    }

    /// Reads a file as UTF-8 text.
    static func readText(path: String, document: ConfigurationError.Document) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                document: document, file: path, line: 0,
                message: "cannot read the file: \(UnreadableFile.reason(path))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let line = UTF8Position.lineOfFirstInvalidByte([UInt8](data)) ?? 0
            throw ConfigurationError(document: document, file: path, line: line, message: "the file is not valid UTF-8")
        }
        return text
    }
}

/// Why a file that could not be read was not: for messages that say what to do about it.
package enum UnreadableFile {
    /// `no such file`, `it is a directory`, `it is a FIFO (named pipe), not a regular file…`
    /// (process substitution, `/dev/stdin`: read from a file), or `it cannot be read`
    /// (permissions).
    package static func reason(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? "no such file" : "it cannot be read"
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return "it is a directory"
        case S_IFREG: return "it cannot be read"
        case S_IFIFO: return "it is a FIFO (named pipe), not a regular file: write it to a file and give that"
        case S_IFCHR: return "it is a character device, not a regular file: write it to a file and give that"
        default: return "it is not a regular file"
        }
    }
}
