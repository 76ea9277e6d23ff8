import Foundation

/// A value inside a ``JSONDocument``: a cheap handle (document + tape index).
///
/// Typed accessors (`string(_:)`, `array(_:)`, …) treat an absent key and `null` alike as
/// "not given" and throw a ``JSONAccessError`` naming the JSON path and line when the value
/// has the wrong type, so adapters never guess silently.
public struct JSONValue: Sendable {
    public let document: JSONDocument
    let index: Int

    init(document: JSONDocument, index: Int) {
        self.document = document
        self.index = index
    }

    private var node: JSONNode { document.tape[index] }

    /// What kind of value this is.
    public var kind: JSONKind { node.kind }
    public var isNull: Bool { node.kind == .null }

    /// The JSON path of this value, e.g. `$.Results[2].Vulnerabilities[0].Severity`.
    public var path: String { document.path(ofNode: index) }
    /// Which value of its document this is: equal for the same value however it was reached, and
    /// found at no cost (``path`` walks the document).
    public var position: Int { index }
    /// The 1-based line this value starts on.
    public var line: Int { document.line(ofOffset: Int(node.start)) }
    /// Where this value is, for messages: `$.a.b (line 12)`.
    public var location: String { "\(path) (line \(line))" }

    // MARK: Scalars

    /// The string, when this is a string.
    public var stringValue: String? { kind == .string ? decodedString() : nil }
    /// The boolean, when this is `true` or `false`.
    public var boolValue: Bool? { kind == .bool ? node.flag : nil }

    /// The number, when this is a number that a `Double` can hold.
    public var doubleValue: Double? {
        guard kind == .number else { return nil }
        if let quick = withRawBytes(JSONNumberText.exactDouble) { return quick }
        return Double(rawText)
    }

    /// The number, when this is an integral number that an `Int` can hold.
    public var intValue: Int? {
        guard kind == .number else { return nil }
        if let quick = withRawBytes(JSONNumberText.smallInteger) { return quick }
        if let exact = Int(rawText) { return exact }
        if let double = Double(rawText), double.rounded() == double, abs(double) < 9.0e15 { return Int(double) }
        return nil
    }

    /// Calls `body` with this value's bytes as the tape records them: a number or literal as
    /// written, a string's contents between the quotes (still escaped).
    private func withRawBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let node = self.node
        let start = Int(node.start)
        return document.bytes.withUnsafeBufferPointer { buffer in
            body(UnsafeBufferPointer(rebasing: buffer[start..<(start + Int(node.length))]))
        }
    }

    /// The raw bytes of a number or literal, as text.
    public var rawText: String { withRawBytes { String(decoding: $0, as: UTF8.self) } }

    /// A short text form of a scalar for messages and identifiers: strings as is, numbers and
    /// literals as written. Containers give nil.
    public var scalarText: String? {
        switch kind {
        case .string: decodedString()
        case .number, .bool, .null: rawText
        case .array, .object: nil
        }
    }

    func decodedString() -> String {
        // The tape's flag says whether the string holds escapes.
        let hasEscapes = node.flag
        return withRawBytes { hasEscapes ? JSONValue.unescape($0) : String(decoding: $0, as: UTF8.self) }
    }

    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        func hexValue(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[at + offset]
                let digit: UInt8 =
                    byte <= 0x39 ? byte &- 0x30 : (byte | 0x20) &- 0x57
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == 0x5C else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case 0x6E: output.append(0x0A)
            case 0x74: output.append(0x09)
            case 0x72: output.append(0x0D)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x75:
                var scalar = hexValue(index)
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00, index + 6 <= raw.count, raw[index] == 0x5C,
                    raw[index + 1] == 0x75
                {
                    let low = hexValue(index + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                // A lone surrogate cannot be represented: it becomes U+FFFD.
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: String(character).utf8)
            default:
                output.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Containers

    /// The number of elements of an array or members of an object; 0 for scalars.
    public var count: Int { kind == .array || kind == .object ? Int(node.length) : 0 }

    /// The elements of an array (empty for anything else).
    public var elements: [JSONValue] {
        guard kind == .array else { return [] }
        var result: [JSONValue] = []
        result.reserveCapacity(Int(node.length))
        forEachElement { child in result.append(JSONValue(document: document, index: child)) }
        return result
    }

    /// Calls `body` with the tape index of each element of an array, in order; nothing when
    /// this is not an array.
    func forEachElement<Failure: Error>(_ body: (Int) throws(Failure) -> Void) throws(Failure) {
        guard kind == .array else { return }
        // The tape through a buffer pointer: subscripting the document's array in the loop
        // retained and released it once per element.
        try document.tape.withUnsafeBufferPointer { (tape) throws(Failure) in
            var child = index + 1
            let end = Int(tape[index].end)
            while child < end {
                try body(child)
                child = Int(tape[child].end)
            }
        }
    }

    /// The members of an object in document order (empty for anything else).
    public var members: [(key: String, value: JSONValue)] {
        guard kind == .object else { return [] }
        var result: [(key: String, value: JSONValue)] = []
        result.reserveCapacity(Int(node.length))
        forEachMember { name, valueIndex in
            result.append((String(decoding: name, as: UTF8.self), JSONValue(document: document, index: valueIndex)))
        }
        return result
    }

    /// The value of member `key` of an object, nil when absent or when this is not an object
    /// (``JSONDocument`` refuses an object that repeats a key, so a key names one value).
    public subscript(key: String) -> JSONValue? {
        var found: JSONValue?
        var key = key
        key.withUTF8 { wanted in
            forEachMember { name, valueIndex in
                if name.count == wanted.count && name.elementsEqual(wanted) {
                    found = JSONValue(document: document, index: valueIndex)
                }
            }
        }
        return found
    }

    /// Calls `body` with each member's key (its bytes, unescaped) and the tape index of its value,
    /// in document order; nothing when this is not an object.
    func forEachMember(_ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        guard kind == .object else { return }
        document.bytes.withUnsafeBufferPointer { buffer in
            document.tape.withUnsafeBufferPointer { tape in
                guard let base = buffer.baseAddress else { return }
                var child = index + 1
                let end = Int(tape[index].end)
                while child < end {
                    let keyNode = tape[child]
                    if keyNode.flag {
                        var decoded = JSONValue(document: document, index: child).decodedString()
                        decoded.withUTF8 { body($0, child + 1) }
                    } else {
                        body(
                            UnsafeBufferPointer(start: base + Int(keyNode.start), count: Int(keyNode.length)),
                            child + 1)
                    }
                    child = Int(tape[child + 1].end)
                }
            }
        }
    }

    /// Whether an object has member `key` (even if its value is null).
    public func has(_ key: String) -> Bool { self[key] != nil }
}

/// A value had the wrong type, or a required value was missing.
public struct JSONAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// JSON path of the offending value, or of the object missing a key.
    public let path: String
    /// 1-based line of the offending value.
    public let line: Int
    /// What the reader expected and what it found.
    public let message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "at \(path) (line \(line)): \(message)" }
}

extension JSONValue {
    /// An error about this value.
    public func error(_ message: String) -> JSONAccessError {
        JSONAccessError(path: path, line: line, message: message)
    }

    /// This value is not of the `expected` type: the error names its path, line and kind.
    func typeError(expected: String) -> JSONAccessError { error("expected \(expected), found \(kind)") }

    /// The object itself, or an error when this is not an object.
    public func requireObject() throws(JSONAccessError) -> JSONValue {
        guard kind == .object else { throw typeError(expected: "an object") }
        return self
    }

    /// Member `key` as a string; nil when absent or null; an error for any other type.
    public func string(_ key: String) throws(JSONAccessError) -> String? { try Self.string(self[key]) }

    /// Member `key` as a string, or an error when absent, null or not a string.
    public func requiredString(_ key: String) throws(JSONAccessError) -> String {
        guard let string = try string(key) else {
            throw error("missing required string \"\(key)\"")
        }
        return string
    }

    /// Member `key` as a string, accepting numbers too (written as in the file), for ids that
    /// some producers write as numbers and others as strings.
    public func identifier(_ key: String) throws(JSONAccessError) -> String? {
        guard let value = self[key], !value.isNull else { return nil }
        switch value.kind {
        case .string: return value.decodedString()
        case .number: return value.rawText
        default: throw value.typeError(expected: "a string or a number")
        }
    }

    /// Member `key` as a number; nil when absent or null; an error for any other type.
    public func double(_ key: String) throws(JSONAccessError) -> Double? { try Self.double(self[key]) }

    /// Member `key` as an integer; nil when absent or null; an error for any other type.
    public func int(_ key: String) throws(JSONAccessError) -> Int? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw value.typeError(expected: "an integer") }
        return number
    }

    /// Member `key` as a boolean; nil when absent or null; an error for any other type.
    public func bool(_ key: String) throws(JSONAccessError) -> Bool? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let bool = value.boolValue else { throw value.typeError(expected: "true or false") }
        return bool
    }

    /// Member `key` as an array's elements; nil when absent or null; an error for any other type.
    public func array(_ key: String) throws(JSONAccessError) -> [JSONValue]? { try Self.array(self[key]) }

    /// Member `key` as an object; nil when absent or null; an error for any other type.
    public func object(_ key: String) throws(JSONAccessError) -> JSONValue? { try Self.object(self[key]) }

    /// Member `key` as an array of strings; empty when absent or null; an error when it is not
    /// an array or an element is not a string.
    public func strings(_ key: String) throws(JSONAccessError) -> [String] { try Self.strings(self[key]) }

    // The conversions of a member's value (nil: the key is absent), shared by the keyed
    // accessors above and ``JSONMemberValues``.

    static func string(_ value: JSONValue?) throws(JSONAccessError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let string = value.stringValue else { throw value.typeError(expected: "a string") }
        return string
    }

    static func double(_ value: JSONValue?) throws(JSONAccessError) -> Double? {
        guard let value, !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw value.typeError(expected: "a number") }
        return number
    }

    static func array(_ value: JSONValue?) throws(JSONAccessError) -> [JSONValue]? {
        guard let value, !value.isNull else { return nil }
        guard value.kind == .array else { throw value.typeError(expected: "an array") }
        return value.elements
    }

    static func object(_ value: JSONValue?) throws(JSONAccessError) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        guard value.kind == .object else { throw value.typeError(expected: "an object") }
        return value
    }

    static func strings(_ value: JSONValue?) throws(JSONAccessError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard value.kind == .array else { throw value.typeError(expected: "an array") }
        var result: [String] = []
        result.reserveCapacity(value.count)
        // Element by element, without an array of handles first (each one retains the document).
        try value.forEachElement { (child) throws(JSONAccessError) in
            let element = JSONValue(document: value.document, index: child)
            if element.isNull { return }
            guard let string = element.stringValue else { throw element.typeError(expected: "a string") }
            result.append(string)
        }
        return result
    }
}

/// The keys an adapter reads from objects of one kind, for ``JSONValue/values(of:)``: each
/// object's members are then visited once, instead of once per key asked for.
public struct JSONKeyTable: Sendable {
    /// The keys' UTF-8 bytes, in the order given.
    let keys: [[UInt8]]
    /// For each key length, the positions of the keys that long.
    let positionsByLength: [[Int]]

    public init(_ keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
        var positions = [[Int]](repeating: [], count: (self.keys.map(\.count).max() ?? 0) + 1)
        for (position, key) in self.keys.enumerated() { positions[key.count].append(position) }
        positionsByLength = positions
    }

    /// The position of the key that `key` spells in other ASCII letter case (`severity` for
    /// `Severity`), if there is one; call it for a key ``position(of:)`` did not find.
    func positionIgnoringCase(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard key.count < positionsByLength.count else { return nil }
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        return positionsByLength[key.count].first { position in
            zip(keys[position], key).allSatisfy { folded($0) == folded($1) }
        }
    }

    /// The position of the key with these bytes, if it is in the table.
    func position(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard key.count < positionsByLength.count else { return nil }
        guard let wanted = key.baseAddress, !key.isEmpty else { return positionsByLength[0].first }
        return positionsByLength[key.count].first { position in
            keys[position].withUnsafeBufferPointer { memcmp($0.baseAddress ?? wanted, wanted, key.count) == 0 }
        }
    }
}

/// An object's values for the keys of a ``JSONKeyTable``, found in one pass over its members
/// (a document never repeats a key: ``JSONDocument`` refuses one). The typed
/// accessors treat an absent key and `null` alike and throw as their keyed twins on ``JSONValue``.
public struct JSONMemberValues {
    /// The object the values were read from.
    public let object: JSONValue
    /// Tape index of each key's value, or -1 when the key is absent.
    let indices: [Int]
    /// The first member whose key is one of the table's in other letter case (`severity`):
    /// read as absent, which a reader may need to refuse rather than take for "not given".
    public let miscasedKey: JSONMiscasedKey?

    /// The value of the key at `position` in the table, nil when absent.
    public subscript(_ position: Int) -> JSONValue? {
        indices[position] < 0 ? nil : JSONValue(document: object.document, index: indices[position])
    }

    /// The value at `position` as a string, as ``JSONValue/string(_:)`` reads a member.
    public func string(_ position: Int) throws(JSONAccessError) -> String? { try JSONValue.string(self[position]) }
    /// The value at `position` as a number, as ``JSONValue/double(_:)`` reads a member.
    public func double(_ position: Int) throws(JSONAccessError) -> Double? { try JSONValue.double(self[position]) }
    /// The value at `position` as an array's elements, as ``JSONValue/array(_:)`` reads a member.
    public func array(_ position: Int) throws(JSONAccessError) -> [JSONValue]? { try JSONValue.array(self[position]) }
    /// The value at `position` as an object, as ``JSONValue/object(_:)`` reads a member.
    public func object(_ position: Int) throws(JSONAccessError) -> JSONValue? { try JSONValue.object(self[position]) }
    /// The value at `position` as strings, as ``JSONValue/strings(_:)`` reads a member.
    public func strings(_ position: Int) throws(JSONAccessError) -> [String] { try JSONValue.strings(self[position]) }
}

extension JSONValue {
    /// The values of `table`'s keys in this object, found in one pass over its members; all
    /// absent when this is not an object.
    public func values(of table: JSONKeyTable) -> JSONMemberValues {
        var indices = [Int](repeating: -1, count: table.keys.count)
        var miscased: JSONMiscasedKey?
        forEachMember { name, valueIndex in
            if let position = table.position(of: name) {
                indices[position] = valueIndex
            } else if miscased == nil, let position = table.positionIgnoringCase(of: name) {
                miscased = JSONMiscasedKey(
                    name: String(decoding: name, as: UTF8.self),
                    expected: String(decoding: table.keys[position], as: UTF8.self),
                    value: JSONValue(document: document, index: valueIndex))
            }
        }
        return JSONMemberValues(object: self, indices: indices, miscasedKey: miscased)
    }
}

/// A member whose key is a ``JSONKeyTable`` key in other letter case.
public struct JSONMiscasedKey {
    /// The key as the document spells it.
    public let name: String
    /// The table's spelling.
    public let expected: String
    /// The member's value (its path and line say where).
    public let value: JSONValue
}

/// Reading the common JSON numbers (`7.5`, `3`, `-0.25`) straight from their bytes. Creating a
/// String for `Double(_:)` cost a few percent of reading a large Trivy report (several CVSS scores
/// per vulnerability); anything these cannot read exactly is left to `Double(_:)` and `Int(_:)`.
enum JSONNumberText {
    /// Powers of ten a `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of a valid JSON number, when its digits form an integer below 2^53 and its
    /// decimal exponent is within ±22: then both are exact `Double`s and one multiplication or
    /// division rounds correctly (Clinger's fast path), the value `Double(_:)` gives. Nil otherwise.
    static func exactDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                // Leading zeros add nothing; 19 digits always fit in a UInt64.
                if mantissa != 0 || byte != 0x30 { digits += 1 }
                guard digits <= 19 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - 0x30)
                if seenPoint { exponent -= 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let written = writtenExponent(bytes, from: index + 1) else { return nil }
                exponent += written
                break
            } else {
                return nil
            }
            index += 1
        }
        guard mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa)
        if mantissa != 0 {
            guard exponent >= -22 && exponent <= 22 else { return nil }
            value = exponent < 0 ? value / exactPowersOfTen[-exponent] : value * exactPowersOfTen[exponent]
        }
        return negative ? -value : value
    }

    /// The exponent after `e`, when it is short enough to matter (at most three digits).
    private static func writtenExponent(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        signedInteger(bytes, from: start, maximumDigits: 3)
    }

    /// The value of a JSON integer of at most 18 digits (no fraction, no exponent); nil otherwise.
    static func smallInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        signedInteger(bytes, from: 0, maximumDigits: 18)
    }

    /// `bytes[start...]` as an optionally signed decimal integer of 1 to `maximumDigits` digits
    /// (few enough for an `Int`); nil for anything else.
    private static func signedInteger(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, maximumDigits: Int) -> Int?
    {
        var index = start
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.count, bytes.count - index <= maximumDigits else { return nil }
        var value = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
            index += 1
        }
        return negative ? -value : value
    }
}
