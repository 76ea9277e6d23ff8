extension String {
    /// Left-aligned in a column `width` characters wide: cut to `width`, or filled with spaces.
    /// What Foundation's `padding(toLength:withPad:startingAt:)` does for the labels of a text
    /// listing, without bridging to NSString twice per line (a gate over 40,000 findings wrote
    /// 80,000 of them).
    package func padded(toWidth width: Int) -> String {
        let length = count
        if length >= width { return length == width ? self : String(prefix(width)) }
        return self + String(repeating: " ", count: width - length)
    }
}

extension String {
    /// One line: each line break (LF, CR, CRLF, NEL, U+2028, U+2029) replaced by a space. Report
    /// text in a line of the decision (a title with a newline) must not start a line of its own:
    /// a reader, or a CI runner reading commands, would take it for ScanGate's.
    package var withoutLineBreaks: String {
        var copy = self
        let hasBreak = copy.withUTF8 { utf8 in
            utf8.indices.contains { index in
                let byte = utf8[index]
                if byte == 0x0A || byte == 0x0D { return true }
                if byte == 0xC2, index + 1 < utf8.count { return utf8[index + 1] == 0x85 }
                if byte == 0xE2, index + 2 < utf8.count {
                    return utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9)
                }
                return false
            }
        }
        guard hasBreak else { return self }
        return replacingOccurrences(of: "\r\n", with: " ").split(
            omittingEmptySubsequences: false, whereSeparator: { "\n\r\u{85}\u{2028}\u{2029}".contains($0) }
        ).joined(separator: " ")
    }
}
