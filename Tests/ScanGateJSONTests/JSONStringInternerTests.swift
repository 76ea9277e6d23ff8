import ScanGateJSON
import TestSupport
import Testing

@Suite struct JSONStringInternerTests {
    /// The address of a String's UTF-8 storage: equal for Strings that share it.
    private func storage(_ string: String) -> UnsafeRawPointer? {
        var string = string
        return string.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func equalValuesShareOneStringAndReadAsTheyAre() throws {
        let vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        let text = #"[""# + vector + #"", "x", ""# + vector + #"", "a\u00e9\n", null, 7, "", ""]"#
        let elements = try JSONDocument(bytes: Array(text.utf8)).root.elements
        let interner = JSONStringInterner()
        let first = try interner.string(elements[0])
        let second = try interner.string(elements[2])
        #expect(first == vector && second == vector)
        #expect(storage(try #require(first)) == storage(try #require(second)))
        #expect(try interner.string(elements[1]) == "x")
        #expect(try interner.string(elements[3]) == "a\u{e9}\n")  // escapes decoded, not shared
        #expect(try interner.string(elements[4]) == nil)
        #expect(try interner.string(nil) == nil)
        #expect(try interner.string(elements[6]) == "" && interner.string(elements[7]) == "")
        #expect(throws: JSONAccessError.self) { try interner.string(elements[5]) }
    }

    /// Thousands of values, most distinct, some repeated: the table grows many times and every
    /// value still reads back as the document holds it.
    @Test func everyValueReadsBackAfterTheTableGrows() throws {
        var random = SplitMix(seed: 11)
        let values = (0..<5_000).map { _ in
            let length = Int(random.next() % 40)
            return String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(0x61 + random.next() % 4))) })
        }
        let text = "[" + values.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let elements = try JSONDocument(bytes: Array(text.utf8)).root.elements
        let interner = JSONStringInterner()
        for (index, element) in elements.enumerated() {
            #expect(try interner.string(element) == values[index])
        }
        for (index, element) in elements.enumerated() {
            #expect(try interner.string(element) == values[index])
        }
    }
}
