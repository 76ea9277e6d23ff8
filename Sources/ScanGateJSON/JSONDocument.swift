import Foundation

/// The kinds of value a JSON document holds.
public enum JSONKind: UInt8, Sendable, CustomStringConvertible {
    case null, bool, number, string, array, object

    public var description: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One entry of the parse tape. Containers record where their subtree ends so that
/// skipping a value is O(1); strings and numbers keep byte ranges and are decoded
/// only when a caller asks for them.
struct JSONNode {
    var kind: JSONKind
    /// For strings: whether the raw bytes contain a backslash escape. For booleans: the value.
    var flag: Bool
    /// Byte offset of the value (for strings: the first byte after the opening quote).
    var start: UInt32
    /// Strings and numbers: byte length. Arrays: element count. Objects: member count.
    var length: UInt32
    /// Tape index just past this value's subtree.
    var end: UInt32
}

/// A strictly validated JSON document (RFC 8259, UTF-8), parsed into a tape of nodes.
///
/// The parser is byte-level and iterative: no recursion, a bounded nesting depth,
/// every string checked for valid UTF-8 and unescaped control characters. Values are
/// materialised lazily through ``JSONValue``, so reading a 100 MB report builds only
/// the strings an adapter actually asks for.
public final class JSONDocument: Sendable {
    /// The document's bytes, exactly as read.
    public let bytes: [UInt8]
    let tape: [JSONNode]
    private let lineIndex = LineIndex()

    /// The largest input the tape can address.
    public static let maximumSize = Int(UInt32.max) - 1

    /// Parses `bytes`, or throws a ``JSONSyntaxError`` with the line and column of the first problem.
    public init(bytes: [UInt8], maximumDepth: Int = 256) throws(JSONSyntaxError) {
        guard bytes.count <= Self.maximumSize else {
            throw JSONSyntaxError(
                offset: 0, line: 1, column: 1,
                message: "the document is \(bytes.count) bytes, more than the \(Self.maximumSize) bytes supported")
        }
        self.bytes = bytes
        var parser = JSONTapeBuilder(bytes: bytes, maximumDepth: maximumDepth)
        self.tape = try parser.build()
    }

    /// The top-level value.
    public var root: JSONValue { JSONValue(document: self, index: 0) }

    /// The 1-based line of a byte offset. The first call indexes the line ends; every call
    /// after is a binary search (a VEX file records the line of each of its statements).
    public func line(ofOffset offset: Int) -> Int { lineIndex.line(ofOffset: offset, in: bytes) }

    /// The JSON path (`$.Results[2].Vulnerabilities[0]`) of the node at `index`, found by
    /// walking down from the root. Only computed for error messages.
    func path(ofNode target: Int) -> String {
        var path = "$"
        var current = 0
        while current != target {
            let node = tape[current]
            var child = current + 1
            var position = 0
            var found = false
            while child < Int(node.end) {
                if node.kind == .object {
                    let keyIndex = child
                    let valueIndex = child + 1
                    let valueEnd = Int(tape[valueIndex].end)
                    if target == keyIndex || (target >= valueIndex && target < valueEnd) {
                        path += Self.pathComponent(forKey: JSONValue(document: self, index: keyIndex).decodedString())
                        current = target == keyIndex ? target : valueIndex
                        found = true
                        break
                    }
                    child = valueEnd
                } else {
                    let childEnd = Int(tape[child].end)
                    if target >= child && target < childEnd {
                        path += "[\(position)]"
                        current = child
                        found = true
                        break
                    }
                    child = childEnd
                    position += 1
                }
            }
            if !found { break }
        }
        return path
    }

    static func pathComponent(forKey key: String) -> String {
        let plain =
            !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D || byte == 0x40
            }
        if plain { return "." + key }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "[\"" + escaped + "\"]"
    }
}

/// A JSON syntax error: where the bytes stop being valid JSON, and why.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset from the start of the document.
    public let offset: Int
    /// 1-based line.
    public let line: Int
    /// 1-based column, in bytes.
    public let column: Int
    /// What was wrong.
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// The offsets of a document's line feeds, found on the first lookup. Most documents never
/// need a line (only errors and warnings name one); one that names many must not rescan the
/// bytes for each.
private final class LineIndex: @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var lineFeeds: [UInt32]?

    func line(ofOffset offset: Int, in bytes: [UInt8]) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let feeds = lineFeeds ?? Self.lineFeeds(in: bytes)
        lineFeeds = feeds
        // Line = 1 + the line feeds before the offset.
        var low = 0
        var high = feeds.count
        while low < high {
            let middle = (low + high) / 2
            if Int(feeds[middle]) < offset { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }

    private static func lineFeeds(in bytes: [UInt8]) -> [UInt32] {
        var feeds: [UInt32] = []
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var position = 0
            while position < buffer.count,
                let hit = memchr(base + position, 0x0A, buffer.count - position)
            {
                let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                feeds.append(UInt32(offset))
                position = offset + 1
            }
        }
        return feeds
    }
}
