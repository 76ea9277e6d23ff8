import Foundation
import ScanGateJSON
import TestSupport
import Testing

@Suite("JSON reader")
struct JSONDocumentTests {
    private func parse(_ text: String) throws -> JSONDocument {
        try JSONDocument(bytes: Array(text.utf8))
    }

    private func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONDocument(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsScalarsContainersAndEscapes() throws {
        let document = try parse(
            #"{"a": [1, -2.5e3, true, false, null], "s": "x\u00e9\n\"\/\ud83d\ude00", "o": {}, "e": []}"#)
        let root = document.root
        #expect(root.kind == .object)
        let array = try #require(try root.array("a"))
        #expect(array.map(\.kind) == [.number, .number, .bool, .bool, .null])
        #expect(array[0].intValue == 1)
        #expect(array[1].doubleValue == -2500)
        #expect(array[2].boolValue == true)
        #expect(try root.string("s") == "xé\n\"/😀")
        #expect(root["o"]?.count == 0)
        #expect(root["e"]?.elements.isEmpty == true)
        #expect(root["missing"] == nil)
    }

    @Test func numbersReadFromTheirBytesAreExactlyWhatDoubleAndIntRead() throws {
        // Numbers near every edge of the fast paths (digits, exponent, 2^53, 18 and 19 digits)
        // and a deterministic spread of ordinary ones, each compared bit for bit.
        var texts = [
            "0", "-0", "0.0", "-0.0", "0e5", "7.5", "9.8", "10", "-3", "0.1", "0.3", "1e22", "1e23", "1e-22", "1e-23",
            "9007199254740992", "9007199254740993", "-9007199254740993", "123456789012345678", "1234567890123456789",
            "12345678901234567890", "999999999999999999", "-999999999999999999", "1e308", "1e309", "4.9e-324",
            "2.2250738585072014e-308", "0.000000000000000000000000001", "1.5E+2", "1.5e-0", "25e1", "1e0400",
            "100000000000000000000000", "0.1234567890123456789",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        for _ in 0..<20_000 {
            let digits = String(next(10_000_000_000_000_000))
            let point = Int(next(UInt64(digits.count + 1)))
            var text = next(2) == 0 ? "-" : ""
            text += point == 0 ? "0" : String(digits.prefix(point))
            if point < digits.count { text += "." + digits.dropFirst(point) }
            if next(3) == 0 { text += "e" + String(Int(next(60)) - 30) }
            texts.append(text)
        }
        let root = try parse("[" + texts.joined(separator: ",") + "]").root
        for (text, value) in zip(texts, root.elements) {
            #expect(value.doubleValue?.bitPattern == Double(text)?.bitPattern, "\(text)")
            let expectedInt =
                Int(text) ?? Double(text).flatMap { $0.rounded() == $0 && abs($0) < 9.0e15 ? Int($0) : nil }
            #expect(value.intValue == expectedInt, "\(text)")
        }
    }

    @Test func memberOrderIsKept() throws {
        let root = try parse(#"{"b": 1, "a": 2, "c": 3}"#).root
        #expect(root.members.map(\.key) == ["b", "a", "c"])
        #expect(root["c"]?.intValue == 3)
    }

    @Test func typeErrorsNameThePathAndLine() throws {
        let root = try parse("{\n  \"Results\": [\n    {\"Target\": 42}\n  ]\n}").root
        let result = try #require(try root.array("Results")?.first)
        #expect(
            throws: JSONAccessError(path: "$.Results[0].Target", line: 3, message: "expected a string, found a number")
        ) {
            _ = try result.string("Target")
        }
    }

    @Test func pathsQuoteUnusualKeys() throws {
        let root = try parse(#"{"a b": {"c\"d": [0, {"x": true}]}}"#).root
        let inner = try #require(root["a b"]?["c\"d"]?.elements.last?["x"])
        #expect(inner.path == #"$["a b"]["c\"d"][1].x"#)
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("   \n", "only whitespace"),
        (#"{"a": [1, 2"#, "truncated"),
        (#"{"a": "unterminated"#, "not closed"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a": 1,}"#, "member name"),
        (#"[1 2]"#, "expected ','"),
        (#"{"a": tru}"#, "invalid literal"),
        (#"{"a": 01}"#, "leading zero"),
        (#"{"a": "\x"}"#, "invalid escape"),
        ("{\"a\": \"tab\there\"}", "control character"),
        (#"{"a": 1} {"b": 2}"#, "after the end"),
        (#"{"a": -}"#, "invalid number"),
    ])
    func rejectsInvalidJSON(input: String, expected: String) {
        let error = syntaxError(Array(input.utf8))
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func reportsLineAndColumnOfTheError() throws {
        let error = try #require(syntaxError(Array("{\n  \"a\": 1,\n  \"b\": ?\n}".utf8)))
        #expect(error.line == 3)
        #expect(error.column == 8)
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
        ] {
            #expect(syntaxError(bytes)?.message.contains("UTF-8") == true)
        }
        #expect(syntaxError(Array("\"héllo ✓ 😀\"".utf8)) == nil)
    }

    @Test func boundsNestingDepthWithoutRecursion() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(syntaxError(Array(deep.utf8))?.message.contains("nesting deeper than") == true)
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(syntaxError(Array(fine.utf8)) == nil)
    }

    @Test func writerOutputRoundTripsThroughTheReader() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("text", "quote \" backslash \\ newline \n control \u{01} url https://x/y é")
        writer.field("int", 42)
        writer.field("double", 7.5)
        writer.field("whole", 9.0)
        writer.field("none", nil as String?)
        writer.field("list", ["a", "b"])
        writer.key("empty")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text.contains("https://x/y"))
        #expect(text.contains("\"whole\": 9,"))
        let root = try JSONDocument(bytes: writer.bytes).root
        #expect(try root.string("text") == "quote \" backslash \\ newline \n control \u{01} url https://x/y é")
        #expect(try root.int("int") == 42)
        #expect(try root.double("double") == 7.5)
        #expect(root["none"]?.isNull == true)
        #expect(try root.strings("list") == ["a", "b"])
        // Cross-check with Foundation's reader.
        let foundation = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any]
        #expect(foundation?["int"] as? Int == 42)
    }

    @Test(arguments: [true, false])
    func anEmbeddedDocumentIsWhatWritingItsValuesInPlaceWrites(pretty: Bool) {
        // An inner document with nested containers, an empty one, and a line break in a string.
        func inner(_ writer: inout JSONWriter) {
            writer.beginObject()
            writer.field("text", "line one\nline two")
            writer.key("list")
            writer.beginArray()
            writer.int(1)
            writer.beginObject()
            writer.field("deep", true)
            writer.endObject()
            writer.beginArray()
            writer.endArray()
            writer.endArray()
            writer.endObject()
        }
        var document = JSONWriter(pretty: pretty)
        inner(&document)
        document.newline()
        func outer(_ writeValue: (inout JSONWriter) -> Void) -> [UInt8] {
            var writer = JSONWriter(pretty: pretty)
            writer.beginObject()
            writer.field("before", 1)
            writer.key("levels")
            writer.beginArray()
            writer.beginObject()
            writer.key("embedded")
            writeValue(&writer)
            writer.endObject()
            writeValue(&writer)  // an array element, after a comma
            writer.endArray()
            writer.endObject()
            return writer.bytes
        }
        let embedded = outer { $0.embeddedDocument(document.bytes) }
        let inPlace = outer { inner(&$0) }
        #expect(String(decoding: embedded, as: UTF8.self) == String(decoding: inPlace, as: UTF8.self))
    }

    @Test func indentingACompactDocumentGivesWhatAPrettyWriterWrites() throws {
        // The same random calls to a compact and a pretty writer, 300 documents: strings full
        // of the bytes that are structure outside a string, empty containers, nesting deeper
        // than the prepared indentation, values copied with rawValue and embeddedDocument.
        var random = SplitMix(seed: 20_261_126)
        let pieces = ["plain", "\"", "\\", "{", "}", "[", "]", ",", ":", "\n", "\u{01}", "é€😀", " ", "\\\""]
        func text() -> String {
            (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
        }
        func value(_ writers: inout [JSONWriter], depth: Int) {
            let choice = depth > 40 ? random.next() % 6 : random.next() % 11
            switch choice {
            case 0:
                let string = text()
                for index in writers.indices { writers[index].string(string) }
            case 1:
                let number = Int(random.next() % 2_000) - 1_000
                for index in writers.indices { writers[index].int(number) }
            case 2: for index in writers.indices { writers[index].double(2.5) }
            case 3:
                let flag = random.next() % 2 == 0
                for index in writers.indices { writers[index].bool(flag) }
            case 4: for index in writers.indices { writers[index].null() }
            case 5:
                let parts = (0..<3).map { _ in text() }
                for index in writers.indices { writers[index].string { for part in parts { $0.append(part) } } }
            case 6, 7:
                let members = depth > 30 ? 1 : Int(random.next() % 4)
                for index in writers.indices { writers[index].beginObject() }
                for _ in 0..<members {
                    let name = text()
                    for index in writers.indices { writers[index].key(name) }
                    value(&writers, depth: depth + 1)
                }
                for index in writers.indices { writers[index].endObject() }
            case 8, 9:
                let elements = depth > 30 ? 1 : Int(random.next() % 4)
                for index in writers.indices { writers[index].beginArray() }
                for _ in 0..<elements { value(&writers, depth: depth + 1) }
                for index in writers.indices { writers[index].endArray() }
            default:
                // A value written by another writer of each kind, copied in (as it is only when
                // it is one line: rawValue's indentation fits the depth it was written at).
                var inner = [JSONWriter(pretty: false), JSONWriter(pretty: true)]
                value(&inner, depth: depth + 1)
                let asRaw = !inner[1].bytes.contains(0x0A)
                for index in writers.indices {
                    if asRaw {
                        writers[index].rawValue(inner[index].bytes[...])
                    } else {
                        writers[index].embeddedDocument(inner[index].bytes)
                    }
                }
            }
        }
        var nested = 0
        for document in 0..<300 {
            var writers = [JSONWriter(pretty: false), JSONWriter(pretty: true)]
            value(&writers, depth: document % 3 == 0 ? 0 : 20)
            if document % 2 == 0 { for index in writers.indices { writers[index].newline() } }
            let indented = JSONWriter.indented(compact: writers[0].bytes)
            #expect(
                String(decoding: indented, as: UTF8.self) == String(decoding: writers[1].bytes, as: UTF8.self),
                "document \(document)")
            if writers[1].bytes.contains(0x0A) { nested += 1 }
        }
        #expect(nested > 100, "the generator made too few nested documents to test indentation")
        // Beyond the prepared indentation (31 levels).
        var deep = [JSONWriter(pretty: false), JSONWriter(pretty: true)]
        for index in deep.indices {
            for _ in 0..<40 { deep[index].beginArray() }
            deep[index].string("{\"deep\": [1, 2]}")
            for _ in 0..<40 { deep[index].endArray() }
        }
        #expect(JSONWriter.indented(compact: deep[0].bytes) == deep[1].bytes)
    }

    @Test func writerEscapesEveryCharacterThatNeedsItAtEveryPositionOfAWord() throws {
        // The writer tests eight bytes at a time: put each character that must be escaped at
        // each offset of a 24-byte run of plain text (ASCII and multi-byte UTF-8), and check
        // the string reads back unchanged and the raw output carries the escape.
        let plainRuns = [String(repeating: "a", count: 24), String(repeating: "é", count: 12)]
        let specials: [(Character, String)] = [
            ("\"", "\\\""), ("\\", "\\\\"), ("\n", "\\n"), ("\u{01}", "\\u0001"), ("\u{1F}", "\\u001f"),
        ]
        for plain in plainRuns {
            for (special, escape) in specials {
                for offset in 0...plain.count {
                    var text = plain
                    text.insert(special, at: text.index(text.startIndex, offsetBy: offset))
                    var writer = JSONWriter(pretty: false)
                    writer.string(text)
                    let raw = String(decoding: writer.bytes, as: UTF8.self)
                    #expect(raw.contains(escape), "offset \(offset) of \(plain.prefix(1))")
                    let value = try JSONDocument(bytes: writer.bytes).root.stringValue
                    #expect(value == text, "offset \(offset) of \(plain.prefix(1))")
                }
            }
        }
        // Bytes 0x7F and above, and `/`, are written as they are.
        var writer = JSONWriter(pretty: false)
        writer.string("\u{7F}/ü€😀 plain text that runs past one word")
        #expect(writer.bytes == Array("\"\u{7F}/ü€😀 plain text that runs past one word\"".utf8))
    }

    @Test func aStringBuiltFromPartsIsEscapedLikeOneString() throws {
        let parts = ["line \"one\"\n", "tab\t", "back\\slash ", "é€😀 ", "\u{01}"]
        var built = JSONWriter()
        built.beginObject()
        built.field("text") { content in
            for part in parts { content.append(part) }
            content.append(ascii: UInt8(ascii: "\""))
            content.append(ascii: UInt8(ascii: "x"))
            content.append("42")
        }
        built.endObject()
        var joined = JSONWriter()
        joined.beginObject()
        joined.field("text", parts.joined() + "\"x42")
        joined.endObject()
        #expect(built.bytes == joined.bytes)
        #expect(try JSONDocument(bytes: built.bytes).root.string("text") == parts.joined() + "\"x42")
    }

    @Test func valuesOfAKeyTableMatchTheKeyedLookups() throws {
        let text = #"{"a": "only", "b\u0063": "escaped key", "long key": [ "x", null ], "n": null}"#
        let root = try JSONDocument(bytes: Array(text.utf8)).root
        let table = JSONKeyTable(["a", "bc", "long key", "n", "missing", ""])
        let values = root.values(of: table)
        #expect(try values.string(0) == "only")
        #expect(try values.string(0) == root.string("a"))
        #expect(try values.string(1) == "escaped key")
        #expect(try values.strings(2) == ["x"])
        #expect(try values.string(3) == nil)
        #expect(values[3]?.isNull == true)
        #expect(values[4] == nil && values[5] == nil)
        #expect(values.object.line == 1)
        // Wrong types throw as the keyed accessors do, naming the value's path.
        #expect(throws: JSONAccessError.self) { try values.double(0) }
        do {
            _ = try values.object(2)
            Issue.record("an array was read as an object")
        } catch {
            #expect(error.path == #"$["long key"]"#)
            #expect(error.message == "expected an object, found an array")
        }
        // Not an object: every key is absent.
        let array = try JSONDocument(bytes: Array("[1]".utf8)).root
        #expect(array.values(of: table)[0] == nil)
    }

    @Test func linesOfOffsetsAreCountedLineFeeds() throws {
        let text = "[\n1,\n\n  \"two\",\r\n3\n]"
        let bytes = Array(text.utf8)
        let document = try JSONDocument(bytes: bytes)
        for offset in 0...(bytes.count + 2) {
            let expected = 1 + bytes.prefix(offset).count { $0 == 0x0A }
            #expect(document.line(ofOffset: offset) == expected, "offset \(offset)")
        }
        let values = document.root.elements
        #expect(values.map(\.line) == [2, 4, 5])
        #expect(try JSONDocument(bytes: Array("7".utf8)).line(ofOffset: 0) == 1)
    }
}

/// A member name twice in one object is refused wherever it is (parsers keep different ones of the
/// two), escapes decoded (`"a"` and `"\u0061"` are one name), in small objects and in large ones
/// (which keep a set of names); different names never are.
@Suite struct RepeatedMemberNameTests {
    @Test func theReaderRefusesARepeatedNameAndOnlyThat() throws {
        var random = SplitMix(seed: 21)
        let pool: [(raw: String, name: String)] = [
            ("a", "a"), ("\\u0061", "a"), ("ab", "ab"), ("a\\u0062", "ab"), ("ba", "ba"), ("", ""),
            ("status", "status"), ("Status", "Status"), ("k\\n", "k\n"), ("\\u00e9", "\u{E9}"), ("\u{E9}", "\u{E9}"),
        ]
        for round in 0..<600 {
            let count = Int(random.next() % (round % 10 == 0 ? 60 : 12))
            var raws: [String] = []
            var names: [String] = []
            for index in 0..<count {
                // Mostly distinct filler names, so large objects occur; some from the pool.
                if random.next() % 4 == 0 {
                    let pick = pool[Int(random.next() % UInt64(pool.count))]
                    raws.append(pick.raw)
                    names.append(pick.name)
                } else {
                    raws.append("n\(index)")
                    names.append("n\(index)")
                }
            }
            let members = raws.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ", ")
            let text = "{\"outer\": [{\(members)}], \"after\": 1}"
            let repeated = Set(names).count != names.count
            do {
                _ = try JSONDocument(bytes: Array(text.utf8))
                #expect(!repeated, "accepted: \(text)")
            } catch {
                #expect(repeated, "refused: \(text): \(error)")
                #expect(error.message.contains("appears twice in one object"), "\(error)")
            }
        }
    }
}
