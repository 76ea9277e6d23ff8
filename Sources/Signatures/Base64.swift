/// Strict standard base64 (RFC 4648 §4): the standard alphabet, padding required, no whitespace, and
/// the unused bits of the last symbol zero, so each byte string has exactly one accepted encoding.
public enum StrictBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    /// The bytes `text` encodes, or nil when it is not strict base64.
    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }

    /// The bytes `symbols` encode, or nil when they are not strict base64.
    public static func decode(_ symbols: [UInt8]) -> [UInt8]? {
        guard symbols.count % 4 == 0 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(symbols.count / 4 * 3)
        var index = 0
        while index < symbols.count {
            let isLast = index + 4 == symbols.count
            let padding = isLast ? (symbols[index + 3] == 0x3D ? (symbols[index + 2] == 0x3D ? 2 : 1) : 0) : 0
            var values = [UInt32](repeating: 0, count: 4)
            for offset in 0..<(4 - padding) {
                let value = table[Int(symbols[index + offset])]
                guard value != 0xFF else { return nil }
                values[offset] = UInt32(value)
            }
            let group = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            output.append(UInt8(group >> 16))
            if padding < 2 { output.append(UInt8(group >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(group & 0xFF)) }
            // Non-canonical encodings (stray bits under the padding) are rejected.
            if padding == 2 && group & 0xFFFF != 0 { return nil }
            if padding == 1 && group & 0xFF != 0 { return nil }
            index += 4
        }
        return output
    }

    /// Like `decode(_:)`, but line breaks (`\n`, `\r`) are skipped first, as Go's decoder does:
    /// cosign and containers/image accept wrapped signature annotations, and some tools write them so.
    public static func decodeWrapped(_ text: String) -> [UInt8]? {
        decode(text.utf8.filter { $0 != 0x0A && $0 != 0x0D })
    }

    /// The standard, padded base64 of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if remaining > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if remaining > 2 { group |= UInt32(bytes[index + 2]) }
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(remaining > 1 ? alphabet[Int(group >> 6 & 0x3F)] : 0x3D)
            output.append(remaining > 2 ? alphabet[Int(group & 0x3F)] : 0x3D)
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
