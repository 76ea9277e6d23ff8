/// GitHub's `primaryLocationLineHash`, computed exactly as codeql-action's upload-sarif does it
/// (`src/fingerprints.ts`; reference implementation `shared/sarif/fingerprint.py`).
///
/// The text is read as UTF-16 code units; spaces and tabs are skipped; CR and CRLF count as one
/// LF. A rolling hash over the last 100 kept units is taken for each line once 100 units have
/// been read from the line's first kept unit; the end of input feeds the sentinel 65535 and then
/// 100 zeros. Each hash is written as unsigned hex without leading zeros, `:`, and how many times
/// that value has occurred so far in the file.
public enum LineHash {
    private static let blockSize = 100
    private static let modulus: UInt64 = 37
    /// 37^100 mod 2^64.
    private static let firstModulus: UInt64 = {
        var value: UInt64 = 1
        for _ in 0..<blockSize { value = value &* modulus }
        return value
    }()

    /// The hash of every line of `text`, line 1 first. A text ending in a line break (and the
    /// empty text) has one more entry: the EOF "line", as upload-sarif computes it.
    public static func hashes(of text: String) -> [String] {
        let table = table(of: text)
        return (1...max(1, table.lineCount)).compactMap { table.hash(line: $0) }
    }

    /// The hash of 1-based `line` of `text`, or nil when the text has no such line.
    public static func hash(of text: String, line: Int) -> String? {
        table(of: text).hash(line: line)
    }

    /// Every line's hash, kept as numbers (12 bytes a line) and written out only when asked for:
    /// two Strings a line took 130 bytes, gigabytes for a file of millions of short lines.
    struct Table {
        fileprivate var values: [UInt64] = []
        fileprivate var occurrences: [UInt32] = []

        var lineCount: Int { values.count }

        /// `hex:count` of 1-based `line`, nil when there is no such line.
        func hash(line: Int) -> String? {
            guard line >= 1, line <= values.count else { return nil }
            return String(values[line - 1], radix: 16) + ":" + String(occurrences[line - 1])
        }
    }

    static func table(of text: String) -> Table {
        var state = State()
        for unit in text.utf16 { state.process(unit) }
        state.process(0xFFFF)
        for _ in 0..<blockSize {
            if state.lineNumbers[state.index] != -1 { state.outputHash() }
            state.update(0)
        }
        return state.table
    }

    private struct State {
        var window = [UInt64](repeating: 0, count: LineHash.blockSize)
        var lineNumbers = [Int](repeating: -1, count: LineHash.blockSize)
        var hash: UInt64 = 0
        var index = 0
        var line = 0
        var atLineStart = true
        var previousWasCR = false
        var counts: [UInt64: UInt32] = [:]
        var table = Table()

        mutating func outputHash() {
            let count = (counts[hash] ?? 0) &+ 1
            counts[hash] = count
            // Lines are hashed in order, each once.
            let line = lineNumbers[index]
            if line == table.values.count + 1 {
                table.values.append(hash)
                table.occurrences.append(count)
            }
            lineNumbers[index] = -1
        }

        mutating func update(_ current: UInt64) {
            let leaving = window[index]
            window[index] = current
            hash = LineHash.modulus &* hash &+ current &- LineHash.firstModulus &* leaving
            index = (index + 1) % LineHash.blockSize
        }

        mutating func process(_ unit: UInt16) {
            var current = unit
            if current == 0x20 || current == 0x09 || (previousWasCR && current == 0x0A) {
                previousWasCR = false
                return
            }
            if current == 0x0D {
                current = 0x0A
                previousWasCR = true
            } else {
                previousWasCR = false
            }
            if lineNumbers[index] != -1 { outputHash() }
            if atLineStart {
                atLineStart = false
                line += 1
                lineNumbers[index] = line
            }
            if current == 0x0A { atLineStart = true }
            update(UInt64(current))
        }
    }
}
