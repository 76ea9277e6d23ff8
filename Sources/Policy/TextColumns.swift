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
    /// One printable line: each line break (LF, CR, CRLF, NEL, U+2028, U+2029) replaced by a space
    /// and every other control character (ESC, DEL, C1 such as CSI) and bidirectional control
    /// (``Unicode/Scalar/isBidiControl``, which reorders what a reader sees) by U+FFFD. Report text in a
    /// line of terminal output (a title with a newline, a package name with an escape sequence)
    /// must neither start a line of its own, which a reader or a CI runner reading commands would
    /// take for ScanGate's, nor drive the terminal.
    package var printableLine: String {
        var copy = self
        let isPlain = copy.withUTF8 { utf8 in
            !utf8.indices.contains { index in
                let byte = utf8[index]
                if byte < 0x20 { return byte != 0x09 }
                if byte == 0x7F { return true }
                if byte == 0xC2, index + 1 < utf8.count { return (0x80...0x9F).contains(utf8[index + 1]) }
                // U+061C, the Arabic letter mark.
                if byte == 0xD8, index + 1 < utf8.count { return utf8[index + 1] == 0x9C }
                if byte == 0xE2, index + 2 < utf8.count {
                    // U+200E, U+200F, U+2028, U+2029, and the bidirectional controls U+202A–U+202E,
                    // U+2066–U+2069.
                    let (second, third) = (utf8[index + 1], utf8[index + 2])
                    return (second == 0x80 && ((0x8E...0x8F).contains(third) || (0xA8...0xAE).contains(third)))
                        || (second == 0x81 && (0xA6...0xA9).contains(third))
                }
                return false
            }
        }
        guard !isPlain else { return self }
        var result = String.UnicodeScalarView()
        var previousWasCarriageReturn = false
        for scalar in unicodeScalars {
            defer { previousWasCarriageReturn = scalar == "\r" }
            switch scalar.value {
            case 0x0A where previousWasCarriageReturn: continue  // CRLF: one space
            case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: result.append(" ")
            case 0x09: result.append(scalar)
            case 0x00..<0x20, 0x7F...0x9F: result.append("\u{FFFD}")
            default: result.append(scalar.isBidiControl ? "\u{FFFD}" : scalar)
            }
        }
        return String(result)
    }
}

extension Unicode.Scalar {
    /// The explicit bidirectional embeddings, overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069) and the implicit marks (U+061C, U+200E, U+200F): invisible, they make text
    /// display in another order than it reads ("Trojan Source", CVE-2021-42574; a mark before
    /// `1.2 9.9` shows it as `9.9 1.2`). Every output shows them as U+FFFD.
    package var isBidiControl: Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x061C
            || value == 0x200E || value == 0x200F
    }
}
