import Foundation

/// Writes JSON bytes by hand, in exactly the order the caller emits keys, so output is
/// deterministic (no dictionary ordering) and fast (no intermediate model).
///
/// Strings are escaped per RFC 8259; `/` is never escaped (SARIF and reports are full of URLs);
/// non-ASCII text is written as UTF-8.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private let pretty: Bool
    /// One entry per open container: whether it has no element yet.
    private var isFirst: [Bool] = []
    private var afterKey = false

    /// - Parameter pretty: two-space indentation and a newline per element.
    public init(pretty: Bool = true, reservingCapacity capacity: Int = 4096) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
        HugePages.advise(reservedCapacityOf: bytes)
    }

    // MARK: Structure

    public mutating func beginObject() {
        prepareValue()
        bytes.append(0x7B)
        isFirst.append(true)
    }

    public mutating func endObject() { close(0x7D) }

    public mutating func beginArray() {
        prepareValue()
        bytes.append(0x5B)
        isFirst.append(true)
    }

    public mutating func endArray() { close(0x5D) }

    /// Writes a member name; the next value written is its value.
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(0x3A)
        if pretty { bytes.append(0x20) }
        afterKey = true
    }

    // MARK: Scalars

    public mutating func string(_ value: String) {
        prepareValue()
        appendString(value)
    }

    public mutating func int(_ value: Int) {
        prepareValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes a number; integral values are written without a fraction (`7`, not `7.0`).
    public mutating func double(_ value: Double) {
        prepareValue()
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value.rounded() == value && abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int(value)).utf8)
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    public mutating func bool(_ value: Bool) {
        prepareValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        prepareValue()
        bytes.append(contentsOf: "null".utf8)
    }

    // MARK: Conveniences for `"key": value` members

    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    public mutating func field(_ name: String, _ value: Int?) {
        key(name)
        if let value { int(value) } else { null() }
    }

    public mutating func field(_ name: String, _ value: Double?) {
        key(name)
        if let value { double(value) } else { null() }
    }

    public mutating func field(_ name: String, _ value: Bool?) {
        key(name)
        if let value { bool(value) } else { null() }
    }

    public mutating func field(_ name: String, _ values: [String]) {
        key(name)
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// Writes a value rendered earlier by a writer with the same `pretty` setting, at the same
    /// depth (so its indentation fits), as is.
    public mutating func rawValue(_ rendered: ArraySlice<UInt8>) {
        prepareValue()
        bytes.append(contentsOf: rendered)
    }

    /// Writes a whole document another `JSONWriter` with the same `pretty` setting wrote (at
    /// the top level, with or without its final newline) as the next value. Indented output
    /// moves each of its lines to this depth: the writer escapes line breaks inside strings, so
    /// every line break in its output is indentation. Copying bytes this way costs a fraction of
    /// parsing the document and writing it again.
    public mutating func embeddedDocument(_ rendered: [UInt8]) {
        prepareValue()
        var end = rendered.count
        while end > 0, rendered[end - 1] == 0x0A { end -= 1 }
        guard pretty, !isFirst.isEmpty else {
            bytes.append(contentsOf: rendered[..<end])
            return
        }
        let extra = [UInt8](repeating: 0x20, count: 2 * isFirst.count)
        rendered.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            var start = 0
            while start < end {
                // memchr: the documents embedded are the largest outputs (100 MB and more).
                guard let found = memchr(base + start, 0x0A, end - start) else {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
                    break
                }
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: newline + 1 - start))
                bytes.append(contentsOf: extra)
                start = newline + 1
            }
        }
    }

    /// The document a pretty writer writes, made from the bytes a compact writer wrote for the
    /// same calls (`compact` holds no whitespace outside strings, and inside them every `"` is
    /// escaped): indenting bytes costs a fraction of writing the document again.
    public static func indented(compact: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(compact.count + compact.count / 2)
        compact.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            let count = source.count
            var depth = 0
            var index = 0
            // Bytes from here to `index` are copied as they are when a structural byte comes.
            var copiedUpTo = 0
            func copy(upTo end: Int) {
                if copiedUpTo < end {
                    output.append(contentsOf: UnsafeBufferPointer(start: base + copiedUpTo, count: end - copiedUpTo))
                }
                copiedUpTo = end
            }
            while index < count {
                let byte = base[index]
                index += 1
                switch byte {
                case 0x22:
                    // A string, to its closing quote, eight bytes at a time where none is a quote
                    // or a backslash.
                    while index < count {
                        if index + 8 <= count, !ByteWord.hasQuoteBackslashOrControl(ByteWord.load(base + index)) {
                            index += 8
                            continue
                        }
                        let inner = base[index]
                        index += inner == 0x5C ? 2 : 1
                        if inner == 0x22 { break }
                    }
                case 0x7B, 0x5B:
                    // `{}` and `[]` stay on one line; `}` and `]` are `{` and `[` plus two.
                    if index < count, base[index] == byte + 2 {
                        index += 1
                        continue
                    }
                    copy(upTo: index)
                    depth += 1
                    appendNewline(depth: depth, to: &output)
                case 0x7D, 0x5D:
                    copy(upTo: index - 1)
                    depth = max(0, depth - 1)
                    appendNewline(depth: depth, to: &output)
                    output.append(byte)
                    copiedUpTo = index
                case 0x2C:
                    copy(upTo: index)
                    appendNewline(depth: depth, to: &output)
                case 0x3A:
                    copy(upTo: index)
                    output.append(0x20)
                default:
                    break
                }
            }
            copy(upTo: min(index, count))
        }
        return output
    }

    /// Writes one string value made of the parts `build` appends, each escaped as it comes:
    /// long text assembled from many pieces is never joined into a `String` first.
    public mutating func string(building build: (inout JSONStringContent) -> Void) {
        prepareValue()
        bytes.append(0x22)
        // The buffer moves into the content and back (a swap, never a copy).
        var content = JSONStringContent()
        swap(&content.bytes, &bytes)
        build(&content)
        swap(&content.bytes, &bytes)
        bytes.append(0x22)
    }

    /// `"name": "…"` with the value made by ``string(building:)``.
    public mutating func field(_ name: String, building build: (inout JSONStringContent) -> Void) {
        key(name)
        string(building: build)
    }

    /// Appends a newline (for files that end with one).
    public mutating func newline() { bytes.append(0x0A) }

    // MARK: Internals

    private mutating func prepareValue() {
        if afterKey {
            afterKey = false
        } else {
            separate()
        }
    }

    private mutating func separate() {
        guard !isFirst.isEmpty else { return }
        if isFirst[isFirst.count - 1] {
            isFirst[isFirst.count - 1] = false
        } else {
            bytes.append(0x2C)
        }
        indent(isFirst.count)
    }

    private mutating func close(_ byte: UInt8) {
        let wasEmpty = isFirst.removeLast()
        if !wasEmpty { indent(isFirst.count) }
        bytes.append(byte)
    }

    private mutating func indent(_ depth: Int) {
        guard pretty else { return }
        Self.appendNewline(depth: depth, to: &bytes)
    }

    /// A newline and two spaces per level, copied from one prepared run.
    private static func appendNewline(depth: Int, to bytes: inout [UInt8]) {
        let count = 1 + 2 * depth
        if count <= indentation.count {
            bytes.append(contentsOf: indentation[..<count])
            return
        }
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: 2 * depth))
    }

    /// A newline and the spaces of 31 levels.
    private static let indentation: [UInt8] = [0x0A] + [UInt8](repeating: 0x20, count: 62)

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ value: String) {
        bytes.append(0x22)
        Self.appendEscaping(value, to: &bytes)
        bytes.append(0x22)
    }

    /// Appends `value`'s UTF-8 to `bytes`, escaped as the inside of a JSON string.
    fileprivate static func appendEscaping(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendEscaping($0, to: &bytes) }
    }

    /// Appends `utf8` to `bytes`, escaped as the inside of a JSON string.
    fileprivate static func appendEscaping(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        guard let base = utf8.baseAddress else { return }
        // Copy runs of bytes that need no escaping in one go: most text has none at all.
        // Eight bytes are tested at a time while none of them needs escaping.
        var runStart = 0
        var index = 0
        while index < utf8.count {
            if index + 8 <= utf8.count,
                !ByteWord.hasQuoteBackslashOrControl(ByteWord.load(base + index))
            {
                index += 8
                continue
            }
            let byte = utf8[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                if runStart < index {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                appendEscaped(byte, to: &bytes)
                runStart = index + 1
            }
            index += 1
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    fileprivate static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
        case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
        case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
        case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
        default:
            bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30])
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}

/// The inside of a JSON string being written by ``JSONWriter/string(building:)``: every part
/// appended is escaped.
public struct JSONStringContent {
    fileprivate var bytes: [UInt8] = []

    fileprivate init() {}

    public mutating func append(_ text: String) { JSONWriter.appendEscaping(text, to: &bytes) }

    /// Appends text given as UTF-8 bytes (valid UTF-8: the caller's text, cut only at ASCII bytes).
    public mutating func append(utf8 text: UnsafeBufferPointer<UInt8>) { JSONWriter.appendEscaping(text, to: &bytes) }

    /// Appends one ASCII character, escaped if JSON needs it.
    public mutating func append(ascii byte: UInt8) {
        if byte < 0x20 || byte == 0x22 || byte == 0x5C {
            JSONWriter.appendEscaped(byte, to: &bytes)
        } else {
            bytes.append(byte)
        }
    }
}
