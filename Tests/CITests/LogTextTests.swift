import Foundation
import OutputFiles
import Testing

/// What GitHub's runner would read as a workflow command (a line that starts, after leading
/// white space, with `::`, or holds `##[` anywhere) gets a zero-width space after its first
/// character; nothing else changes.
@Suite struct LogTextTests {
    static let zwsp = "\u{200B}"

    @Test(arguments: [
        ("::error::x", ":\(zwsp):error::x"),
        ("  ::add-mask::secret", "  :\(zwsp):add-mask::secret"),
        ("title\n::stop-commands::t\n", "title\n:\(zwsp):stop-commands::t\n"),
        ("a\r::error::cr", "a\r:\(zwsp):error::cr"),
        ("a\r\n\t::warning::crlf", "a\r\n\t:\(zwsp):warning::crlf"),
        ("##[error]old", "#\(zwsp)#[error]old"),
        ("\u{A0}\u{2003}\u{3000}::x", "\u{A0}\u{2003}\u{3000}:\(zwsp):x"),
        ("\n::a\n::b", "\n:\(zwsp):a\n:\(zwsp):b"),
        // The runner finds `##[` anywhere in a line (found by a review: a rule title
        // `Unused variable ##[add-mask]FAIL` masked every later "FAIL" in the log).
        (
            "FAIL    critical Unused variable ##[add-mask]FAIL",
            "FAIL    critical Unused variable #\(zwsp)#[add-mask]FAIL"
        ),
        ("x ##[stop-commands]t ##[error]y", "x #\(zwsp)#[stop-commands]t #\(zwsp)#[error]y"),
        ("a\nb ##[warning]c", "a\nb #\(zwsp)#[warning]c"),
    ])
    func commandLinesAreDefused(_ text: String, _ expected: String) {
        #expect(LogText.defusingCommands(text) == expected)
    }

    @Test(arguments: [
        "plain", "a::b", " : :x", "#[x]", "", "FAIL    high ::", "\u{200B}::x", ":", "##", "a ## [x]", "x##",
    ])
    func otherTextIsUnchanged(_ text: String) {
        #expect(LogText.defusingCommands(text) == text)
        #expect(LogText.defusingCommands(Array(text.utf8)) == Array(text.utf8))
    }

    /// A JSON document on standard output keeps its values: `##[` is written `#\u0023[`, which
    /// decodes to the same text and is no command.
    @Test func jsonKeepsItsValues() throws {
        let json = ###"{"title": "x ##[add-mask]FAIL", "n": "##[error]y"}"###
        let defused = LogText.defusingCommands(inJSON: Array(json.utf8))
        #expect(!String(decoding: defused, as: UTF8.self).contains("##["))
        #expect(String(decoding: defused, as: UTF8.self).contains(###"#\u0023[add-mask]"###))
        let before = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        let after = try JSONSerialization.jsonObject(with: Data(defused)) as? [String: String]
        #expect(before == after && after?["title"] == "x ##[add-mask]FAIL")
        let harmless = Array(###"{"a": "#[x] ## ["}"###.utf8)
        #expect(LogText.defusingCommands(inJSON: harmless) == harmless)
    }
}

/// An output whose directory cannot be made says why, naming the path in the way.
@Suite struct OutputDirectoryTests {
    @Test func aDirectoryBehindALinkToNothingIsSaidSo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let link = root.appendingPathComponent("out").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "cache/out")
        let error = #expect(throws: OutputFileError.self) {
            try OutputFiles.write(Array("x".utf8), to: link + "/report.json", creatingDirectories: true)
        }
        #expect(
            error?.description.contains("\(link) is a link to cache/out, which does not exist") == true,
            "\(String(describing: error))")
    }
}
