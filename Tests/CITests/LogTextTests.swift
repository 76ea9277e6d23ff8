import OutputFiles
import Testing

/// What GitHub's runner would read as a workflow command (a line that starts, after leading
/// white space, with `::` or `##[`) gets a zero-width space after its first character; nothing
/// else changes.
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
    ])
    func commandLinesAreDefused(_ text: String, _ expected: String) {
        #expect(LogText.defusingCommands(text) == expected)
    }

    @Test(arguments: ["plain", "a::b", " : :x", "#[x]", "", "FAIL    high ::", "\u{200B}::x", ":", "##"])
    func otherTextIsUnchanged(_ text: String) {
        #expect(LogText.defusingCommands(text) == text)
        #expect(LogText.defusingCommands(Array(text.utf8)) == Array(text.utf8))
    }
}
