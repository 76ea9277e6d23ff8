import Foundation

/// Shares one String among the equal string values of a document: a Trivy report repeats the
/// same CVSS vector for thousands of vulnerabilities (three distinct vectors for 120,000
/// occurrences in the 1× benchmark report, 121 for 940 in the shared corpus), and reading each
/// occurrence on its own allocates and copies it again, to stay alive until the findings are
/// written.
///
/// A class, so the readers that hold one need not be mutable; one interner serves one reader
/// on one thread. Values with escapes are decoded as usual, never shared.
public final class JSONStringInterner {
    /// The interned Strings, in the order first seen.
    private var values: [String] = []
    /// Open addressing, linear probing: 0 is empty, else the index in `values` plus one.
    private var slots = [UInt32](repeating: 0, count: 64)
    private var hashes: [UInt64] = []

    public init() {}

    /// The value as ``JSONMemberValues/string(_:)`` reads it (nil when absent or `null`, an error
    /// naming the path and line when it is not a string), shared with every equal value read
    /// through this interner before.
    public func string(_ value: JSONValue?) throws(JSONAccessError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard value.kind == .string else { throw value.typeError(expected: "a string") }
        let node = value.document.tape[value.index]
        // Escapes are rare in the values worth sharing: decoded as usual.
        guard !node.flag else { return value.decodedString() }
        let start = Int(node.start)
        return value.document.bytes.withUnsafeBufferPointer { buffer in
            intern(UnsafeBufferPointer(rebasing: buffer[start..<(start + Int(node.length))]))
        }
    }

    private func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if hashes[index] == hash, Self.equal(values[index], bytes) { return values[index] }
            slot = (slot + 1) & mask
        }
        let string = String(decoding: bytes, as: UTF8.self)
        values.append(string)
        hashes.append(hash)
        slots[slot] = UInt32(values.count)
        if values.count * 2 > slots.count { grow() }
        return string
    }

    /// Doubles the slot table, keeping it at most half full.
    private func grow() {
        slots = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
    }

    private static func equal(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var string = string
        return string.withUTF8 { stored in
            guard stored.count == bytes.count else { return false }
            guard let storedBase = stored.baseAddress, let base = bytes.baseAddress else { return true }
            return memcmp(storedBase, base, bytes.count) == 0
        }
    }

    /// A fast 64-bit hash of the bytes, eight at a time (a table key, compared in full on a match).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        if let base = bytes.baseAddress {
            while offset + 8 <= bytes.count {
                hash = (hash ^ ByteWord.load(base + offset)) &* 0xBF58_476D_1CE4_E5B9
                hash ^= hash >> 31
                offset += 8
            }
            var tail: UInt64 = 0
            while offset < bytes.count {
                tail = tail << 8 | UInt64(base[offset])
                offset += 1
            }
            hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        return hash ^ (hash >> 29)
    }
}
