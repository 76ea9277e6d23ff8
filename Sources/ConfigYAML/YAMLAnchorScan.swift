import CYaml

/// The first anchor (`&name`) or alias (`*name`) in a YAML text, found from libyaml's events
/// before anything is composed.
///
/// Composing first and refusing after is not enough: a 400-byte file of nested aliases used as
/// mapping keys (`? *i`) makes Yams hash the expanded tree to check for duplicate keys, minutes
/// to hours of CPU before the refusal could run. The events cost time linear in the text.
enum YAMLAnchorScan {
    /// Where the first anchor or alias is (1-based line and column), or nil when there is none
    /// or libyaml stops on a syntax error first (Yams then reports that error).
    static func firstAnchorOrAlias(in text: String) -> (line: Int, column: Int)? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> (line: Int, column: Int)? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let hasAnchor: Bool
                switch event.type {
                case YAML_STREAM_END_EVENT: return nil
                case YAML_ALIAS_EVENT: hasAnchor = true
                case YAML_SCALAR_EVENT: hasAnchor = event.data.scalar.anchor != nil
                case YAML_SEQUENCE_START_EVENT: hasAnchor = event.data.sequence_start.anchor != nil
                case YAML_MAPPING_START_EVENT: hasAnchor = event.data.mapping_start.anchor != nil
                default: hasAnchor = false
                }
                if hasAnchor {
                    return (Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1)
                }
            }
            return nil
        }
    }
}
