extension StringProtocol {
    /// The text with ASCII letters in upper case and every other character as written.
    /// Identifiers from tools (CVE and GHSA ids, package names, registries) are ASCII; compared
    /// through Unicode's case mappings, a different-looking id would match one of them (`ſ`
    /// upper-cases to `S`, the Kelvin sign `K` lower-cases to `k`).
    var asciiUppercased: String {
        String(decoding: utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    /// The text with ASCII letters in lower case and every other character as written
    /// (``asciiUppercased``).
    var asciiLowercased: String {
        String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
