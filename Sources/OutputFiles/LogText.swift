/// Text for a CI job's log that no line of a report can turn into a workflow command.
///
/// GitHub's runner reads every line of a step's standard output and error as a command when,
/// after leading blanks, it starts with `::` (`::error::…`, `::add-mask::…`,
/// `::stop-commands::…`), and when it holds `##[` anywhere (the older form: the runner's
/// `ActionCommand.TryParse` looks for it with `IndexOf`, so `title ##[add-mask]FAIL` masks every
/// later "FAIL"). ScanGate prints report text (titles, paths, tool names), and a report is written
/// by whoever controls the scanned code: a title `x\n::stop-commands::t` would end the log's
/// annotations. Each such `::` or `##[` gets a zero-width space after its first character, which
/// reads the same and is no command. ScanGate's own annotations are printed apart.
public enum LogText {
    /// `bytes` with every line that would be a workflow command defused; the same array when
    /// no line would be (nearly always).
    public static func defusingCommands(_ bytes: [UInt8]) -> [UInt8] {
        var commandStarts: [Int] = []
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                // `index` is at the start of a line: skip its leading blanks, then look.
                var cursor = index
                while cursor < buffer.count, let width = blankWidth(buffer, at: cursor) { cursor += width }
                if startsColonCommand(buffer, at: cursor) { commandStarts.append(cursor) }
                // The runner splits lines at LF, CR and CRLF; `##[` counts anywhere in a line.
                while cursor < buffer.count, buffer[cursor] != 0x0A, buffer[cursor] != 0x0D {
                    if startsBracketCommand(buffer, at: cursor) { commandStarts.append(cursor) }
                    cursor += 1
                }
                index = cursor + 1
            }
        }
        return splicing(zeroWidthSpace, afterFirstByteOf: commandStarts, in: bytes, replacingNext: 0)
    }

    /// JSON with every `##[` written `#\u0023[`: the same JSON value, and no command. In JSON a
    /// `#` is only ever inside a string and no line starts with `::`, so nothing else is needed,
    /// and a JSON document on standard output (`--format json > file`) keeps its exact values,
    /// where ``defusingCommands(_:)-([UInt8])`` would add a zero-width space to them.
    public static func defusingCommands(inJSON bytes: [UInt8]) -> [UInt8] {
        var starts: [Int] = []
        bytes.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where startsBracketCommand(buffer, at: index) { starts.append(index) }
        }
        // The second `#` becomes its JSON escape.
        return splicing(Array("\\u0023".utf8), afterFirstByteOf: starts, in: bytes, replacingNext: 1)
    }

    /// `bytes` with `insertion` put after the byte at each of `starts` (ascending), in place of
    /// the `replacingNext` bytes that follow it; the same array when there is no start.
    private static func splicing(
        _ insertion: [UInt8], afterFirstByteOf starts: [Int], in bytes: [UInt8], replacingNext replaced: Int
    ) -> [UInt8] {
        guard !starts.isEmpty else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + (insertion.count - replaced) * starts.count)
        var copied = 0
        for start in starts {
            result.append(contentsOf: bytes[copied...start])
            result.append(contentsOf: insertion)
            copied = start + 1 + replaced
        }
        result.append(contentsOf: bytes[copied...])
        return result
    }

    /// `text` with every line that would be a workflow command defused.
    public static func defusingCommands(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let defused = defusingCommands(bytes)
        return defused.count == bytes.count ? text : String(decoding: defused, as: UTF8.self)
    }

    /// U+200B ZERO WIDTH SPACE, which .NET's `TrimStart` keeps (it is no white space).
    private static let zeroWidthSpace: [UInt8] = [0xE2, 0x80, 0x8B]

    /// `::` at `index`.
    private static func startsColonCommand(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index + 1 < buffer.count && buffer[index] == 0x3A && buffer[index + 1] == 0x3A
    }

    /// `##[` at `index`.
    private static func startsBracketCommand(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index + 2 < buffer.count && buffer[index] == 0x23 && buffer[index + 1] == 0x23 && buffer[index + 2] == 0x5B
    }

    /// The UTF-8 length of the white space character at `index` (as .NET's `char.IsWhiteSpace`
    /// knows it, without line breaks), or nil.
    private static func blankWidth(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let byte = buffer[index]
        switch byte {
        case 0x20, 0x09, 0x0B, 0x0C: return 1
        case 0xC2:
            guard index + 1 < buffer.count else { return nil }
            return buffer[index + 1] == 0x85 || buffer[index + 1] == 0xA0 ? 2 : nil
        case 0xE1:
            guard index + 2 < buffer.count else { return nil }
            return buffer[index + 1] == 0x9A && buffer[index + 2] == 0x80 ? 3 : nil
        case 0xE2:
            guard index + 2 < buffer.count else { return nil }
            let second = buffer[index + 1]
            let third = buffer[index + 2]
            // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F.
            if second == 0x80, third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF { return 3 }
            return second == 0x81 && third == 0x9F ? 3 : nil
        case 0xE3:
            guard index + 2 < buffer.count else { return nil }
            return buffer[index + 1] == 0x80 && buffer[index + 2] == 0x80 ? 3 : nil
        default: return nil
        }
    }
}
