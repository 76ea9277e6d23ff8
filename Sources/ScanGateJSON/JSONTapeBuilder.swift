/// Builds the tape of a ``JSONDocument`` in one forward pass over the bytes.
struct JSONTapeBuilder {
    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var position = 0
    private var tape: [JSONNode] = []
    /// The member names of open objects with many members, by the object's tape index.
    private var largeObjectNames: [Int: Set<[UInt8]>] = [:]

    /// An open array or object: its tape index, its member count so far, and whether
    /// the next token must be a separator.
    private struct OpenContainer {
        var tapeIndex: Int
        var isObject: Bool
        var count: UInt32
        /// Objects: one bit per member name's length and end bytes, so that most names, which
        /// no earlier one shares, are known new without comparing them with the others.
        var nameBits: UInt64 = 0
        /// Objects: an earlier member name has an escape, so a name's bit proves nothing.
        var hasEscapedName = false
    }

    init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        tape.reserveCapacity(max(16, bytes.count / 12))
        HugePages.advise(reservedCapacityOf: tape)
    }

    mutating func build() throws(JSONSyntaxError) -> [JSONNode] {
        // A UTF-8 byte-order mark is tolerated: some Windows tools write one.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        guard position < bytes.count else {
            throw error(bytes.isEmpty ? "the file is empty" : "the file holds only whitespace, no JSON value")
        }
        var stack: [OpenContainer] = []
        try beginValue(&stack)
        while var top = stack.last {
            skipWhitespace()
            guard position < bytes.count else {
                throw error("the document ends inside \(top.isObject ? "an object" : "an array") (truncated?)")
            }
            let byte = bytes[position]
            let closer: UInt8 = top.isObject ? 0x7D : 0x5D
            if byte == closer {
                position += 1
                tape[top.tapeIndex].length = top.count
                tape[top.tapeIndex].end = UInt32(tape.count)
                if top.count >= Self.largeObjectMembers { largeObjectNames[top.tapeIndex] = nil }
                stack.removeLast()
                continue
            }
            if top.count > 0 {
                guard byte == 0x2C else {
                    throw error("expected ',' or '\(Character(Unicode.Scalar(closer)))', found \(describe(byte))")
                }
                position += 1
                skipWhitespace()
                guard position < bytes.count else { throw error("the document ends after ',' (truncated?)") }
            }
            if top.isObject {
                guard bytes[position] == 0x22 else {
                    throw error("expected a member name in double quotes, found \(describe(bytes[position]))")
                }
                try scanString()
                try refuseRepeatedKey(in: &top)
                skipWhitespace()
                guard position < bytes.count, bytes[position] == 0x3A else {
                    throw error(
                        position < bytes.count
                            ? "expected ':' after a member name, found \(describe(bytes[position]))"
                            : "the document ends after a member name (truncated?)")
                }
                position += 1
                skipWhitespace()
                guard position < bytes.count else { throw error("the document ends after ':' (truncated?)") }
            }
            top.count += 1
            stack[stack.count - 1] = top
            try beginValue(&stack)
        }
        skipWhitespace()
        guard position == bytes.count else {
            throw error("unexpected \(describe(bytes[position])) after the end of the JSON value")
        }
        return tape
    }

    /// Throws when the member name just scanned (the tape's last node) repeats one of `object`'s
    /// earlier names. RFC 8259 leaves a repeated name's meaning open and parsers keep different
    /// ones: in a report, whichever is dropped (a second `Results`, a result's `level`) is lost
    /// without a word. Names are compared by length first, then bytes (decoded when escaped).
    private mutating func refuseRepeatedKey(in object: inout OpenContainer) throws(JSONSyntaxError) {
        let key = tape[tape.count - 1]
        if object.count >= Self.largeObjectMembers {
            // A large object (npm's vulnerabilities by package): a set of every name, built once.
            if largeObjectNames[object.tapeIndex] == nil {
                var names = Set<[UInt8]>()
                var index = object.tapeIndex + 1
                for _ in 0..<Int(object.count) {
                    names.insert(decodedName(tape[index]))
                    index = Int(tape[index + 1].end)
                }
                largeObjectNames[object.tapeIndex] = names
            }
            let name = decodedName(key)
            if largeObjectNames[object.tapeIndex]?.insert(name).inserted == false {
                throw repeatedKeyError(key)
            }
            return
        }
        if key.flag {
            object.hasEscapedName = true
        } else {
            let bit = nameBit(key)
            let seen = object.nameBits & bit != 0
            object.nameBits |= bit
            if !seen && !object.hasEscapedName { return }
        }
        var index = object.tapeIndex + 1
        for _ in 0..<Int(object.count) {
            if sameName(tape[index], key) { throw repeatedKeyError(key) }
            index = Int(tape[index + 1].end)
        }
    }

    /// A member name's bit among 64, from its length and first and last bytes: equal names have
    /// equal bits (escaped names are not given one).
    private func nameBit(_ node: JSONNode) -> UInt64 {
        let length = Int(node.length)
        guard length > 0 else { return 1 }
        let first = Int(bytes[Int(node.start)])
        let last = Int(bytes[Int(node.start) + length - 1])
        return 1 << UInt64((length &* 31 &+ first &* 7 &+ last) & 63)
    }

    /// Objects with at least this many members check names through a set.
    private static let largeObjectMembers: UInt32 = 32

    private func sameName(_ lhs: JSONNode, _ rhs: JSONNode) -> Bool {
        if !lhs.flag && !rhs.flag {
            guard lhs.length == rhs.length else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                buffer[Int(lhs.start)..<Int(lhs.start + lhs.length)]
                    .elementsEqual(buffer[Int(rhs.start)..<Int(rhs.start + rhs.length)])
            }
        }
        return decodedName(lhs) == decodedName(rhs)
    }

    /// A member name's bytes, escapes decoded (`"a"` and `"\u0061"` are one name).
    private func decodedName(_ node: JSONNode) -> [UInt8] {
        let range = Int(node.start)..<Int(node.start + node.length)
        guard node.flag else { return Array(bytes[range]) }
        return bytes.withUnsafeBufferPointer { buffer in
            Array(JSONValue.unescape(UnsafeBufferPointer(rebasing: buffer[range])).utf8)
        }
    }

    private func repeatedKeyError(_ key: JSONNode) -> JSONSyntaxError {
        let name = String(decoding: decodedName(key), as: UTF8.self)
        return error(
            "the member \"\(name)\" appears twice in one object (parsers keep different ones of the two)")
    }

    /// Appends the value starting at `position`; containers are pushed, scalars consumed whole.
    private mutating func beginValue(_ stack: inout [OpenContainer]) throws(JSONSyntaxError) {
        let byte = bytes[position]
        switch byte {
        case 0x7B, 0x5B:
            guard stack.count < maximumDepth else {
                throw error("nesting deeper than \(maximumDepth) levels")
            }
            let isObject = byte == 0x7B
            stack.append(OpenContainer(tapeIndex: tape.count, isObject: isObject, count: 0))
            tape.append(
                JSONNode(
                    kind: isObject ? .object : .array, flag: false, start: UInt32(position), length: 0, end: 0))
            position += 1
        case 0x22:
            try scanString()
        case 0x74:
            try scanLiteral("true", kind: .bool, flag: true)
        case 0x66:
            try scanLiteral("false", kind: .bool, flag: false)
        case 0x6E:
            try scanLiteral("null", kind: .null, flag: false)
        case 0x2D, 0x30...0x39:
            try scanNumber()
        default:
            throw error("expected a JSON value, found \(describe(byte))")
        }
    }

    private mutating func scanLiteral(_ literal: StaticString, kind: JSONKind, flag: Bool) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let start = position
        guard start + count <= bytes.count else { throw error("the document ends inside '\(literal)' (truncated?)") }
        for offset in 0..<count where bytes[start + offset] != literal.utf8Start[offset] {
            throw error("invalid literal, expected '\(literal)'")
        }
        tape.append(
            JSONNode(kind: kind, flag: flag, start: UInt32(start), length: UInt32(count), end: UInt32(tape.count + 1)))
        position += count
    }

    private mutating func scanNumber() throws(JSONSyntaxError) {
        let start = position
        if bytes[position] == 0x2D { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw error("invalid number: expected a digit") }
        if bytes[position] == 0x30 {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw error("invalid number: leading zero") }
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == 0x2E {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("invalid number: expected a digit after '.'")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == 0x65 || bytes[position] == 0x45 {
            position += 1
            if position < bytes.count, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("invalid number: expected a digit in the exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        tape.append(
            JSONNode(
                kind: .number, flag: false, start: UInt32(start), length: UInt32(position - start),
                end: UInt32(tape.count + 1)))
    }

    /// Scans a string starting at the opening quote: validates escapes, control characters and UTF-8.
    private mutating func scanString() throws(JSONSyntaxError) {
        let opening = position
        position += 1
        let start = position
        var escaped = false
        let count = bytes.count
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            guard let base = buffer.baseAddress else { return }
            while true {
                // Fast path: plain ASCII that needs no attention, eight bytes at a time first.
                while position + 8 <= count {
                    let word = ByteWord.load(base + position)
                    if ByteWord.hasQuoteBackslashOrControl(word) || ByteWord.hasNonASCII(word) { break }
                    position += 8
                }
                while position < count {
                    let byte = base[position]
                    if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { break }
                    position += 1
                }
                guard position < count else {
                    position = opening
                    throw error("a string starting here is not closed (truncated?)")
                }
                let byte = base[position]
                if byte == 0x22 {
                    break
                } else if byte == 0x5C {
                    escaped = true
                    guard position + 1 < count else {
                        throw error("the document ends inside an escape sequence (truncated?)")
                    }
                    switch base[position + 1] {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                        position += 2
                    case 0x75:
                        guard position + 5 < count else {
                            throw error("the document ends inside a \\u escape (truncated?)")
                        }
                        for offset in 2...5 where !isHexDigit(base[position + offset]) {
                            throw error("invalid \\u escape: expected four hexadecimal digits")
                        }
                        position += 6
                    default:
                        throw error("invalid escape sequence '\\\(describeRaw(base[position + 1]))'")
                    }
                } else if byte < 0x20 {
                    throw error("unescaped control character 0x\(String(byte, radix: 16)) inside a string")
                } else {
                    let length = utf8SequenceLength(base, at: position, count: count)
                    guard length > 0 else { throw error("invalid UTF-8 byte sequence inside a string") }
                    position += length
                }
            }
        }
        tape.append(
            JSONNode(
                kind: .string, flag: escaped, start: UInt32(start), length: UInt32(position - start),
                end: UInt32(tape.count + 1)))
        position += 1
    }

    /// The length of the well-formed UTF-8 sequence at `index` (RFC 3629: no overlongs, no
    /// surrogates, nothing above U+10FFFF), or 0 when it is not well-formed.
    private func utf8SequenceLength(_ base: UnsafePointer<UInt8>, at index: Int, count: Int) -> Int {
        let lead = base[index]
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + offset < count && range.contains(base[index + offset])
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0:
            return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }

    private mutating func skipWhitespace() {
        let count = bytes.count
        position = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return position }
            var index = position
            while index < count {
                // Indentation (Trivy writes two spaces per level) is skipped eight spaces at a time.
                if index + 8 <= count, ByteWord.load(base + index) == ByteWord.spaces {
                    index += 8
                    continue
                }
                let byte = base[index]
                guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
                index += 1
            }
            return index
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    private func describeRaw(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "0x\(String(byte, radix: 16))"
    }

    private func error(_ message: String) -> JSONSyntaxError {
        let offset = min(position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return JSONSyntaxError(offset: offset, line: line, column: offset - lineStart + 1, message: message)
    }
}
