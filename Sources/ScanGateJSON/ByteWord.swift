/// Eight bytes tested at once, for the string loops of the reader and the writer: most JSON
/// text is long runs of plain characters, and a byte-at-a-time loop is most of their cost.
///
/// The tests are the classic "has a byte less than n" and "has a zero byte" bit tricks: exact
/// as yes/no answers (a borrow can mark the wrong byte, never a word without a match).
enum ByteWord {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Eight spaces.
    static let spaces: UInt64 = 0x2020_2020_2020_2020

    /// The eight bytes at `pointer`, in memory order, whatever the alignment.
    @inline(__always)
    static func load(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self)
    }

    /// Whether a byte of `word` is a control character (below 0x20), `"` or a backslash.
    @inline(__always)
    static func hasQuoteBackslashOrControl(_ word: UInt64) -> Bool {
        let control = (word &- ones &* 0x20) & ~word & highBits
        return (control | hasByte(word, 0x22) | hasByte(word, 0x5C)) != 0
    }

    /// Whether a byte of `word` is 0x80 or above (part of a multi-byte UTF-8 sequence).
    @inline(__always)
    static func hasNonASCII(_ word: UInt64) -> Bool { word & highBits != 0 }

    /// Non-zero when a byte of `word` equals `byte`.
    @inline(__always)
    private static func hasByte(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & highBits
    }
}
