import ScanGateJSON

/// JSON of signed or signature-carrying documents, read strictly: nesting bounded at 64 levels,
/// and (as every JSON document ScanGate reads) a repeated key anywhere refused, because two
/// parsers picking different duplicates is a known way to smuggle a second claim.
enum StrictJSON {
    static func parse(_ bytes: [UInt8]) -> JSONValue? { try? read(bytes) }

    /// The document's root, or why it cannot be read (with line and column).
    static func read(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try JSONDocument(bytes: bytes, maximumDepth: 64).root
    }
}

extension JSONValue {
    /// Two member names of this object that Go's encoding/json, which cosign and the in-toto and
    /// policy tools around it read signed documents with, takes for one: it matches names ignoring
    /// case (Unicode's too: `ſ` is `s`) and keeps the last. A strict reader sees two claims where
    /// the signer's tooling checked one. Nil when there are none (or this is not an object).
    func namesGoReadsAsOne() -> (String, String)? {
        var seen: [String: String] = [:]
        for (name, _) in members {
            let folded = name.lowercased().uppercased()
            if let earlier = seen[folded] { return (earlier, name) }
            seen[folded] = name
        }
        return nil
    }

    /// Member `key` when it is a string (nil otherwise).
    func text(_ key: String) -> String? { self[key]?.stringValue }

    /// Member `key` when it is an object (nil otherwise).
    func child(_ key: String) -> JSONValue? {
        guard let value = self[key], value.kind == .object else { return nil }
        return value
    }

    /// Member `key` as an integer, also when written as a decimal string (protobuf JSON writes int64 so).
    func integer(_ key: String) -> Int? {
        guard let value = self[key] else { return nil }
        if value.kind == .number, let number = Int(value.rawText) { return number }
        if let text = value.stringValue, let number = Int(text), String(number) == text { return number }
        return nil
    }

    /// Member `key` as base64-decoded bytes (strict).
    func base64(_ key: String) -> [UInt8]? { text(key).flatMap(StrictBase64.decode) }
}
