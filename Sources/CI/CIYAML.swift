import ConfigYAML

/// `.scangate.yaml`, read through ``ConfigYAML``: every error is a ``CIConfigError``, and texts
/// are strict (a number or boolean where text is expected must be quoted).
struct CIYAML: YAMLDocumentKind {
    func error(file: String, line: Int, column: Int?, message: String) -> CIConfigError {
        CIConfigError(file: file, line: line, column: column, message: message)
    }

    var requiresQuotedText: Bool { true }
}

/// A node of `.scangate.yaml`.
typealias ConfigNode = YAMLNode<CIYAML>

extension YAMLNode where Maker == CIYAML {
    /// Parses one YAML document (anchors and aliases refused).
    static func parse(_ text: String, file: String) throws(CIConfigError) -> ConfigNode {
        try parse(text, file: file, maker: CIYAML())
    }
}
