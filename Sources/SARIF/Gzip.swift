import CZlib
import Foundation

/// A gzip failure (zlib refused to initialise or compress: out of memory).
public struct GzipError: Error, Sendable, CustomStringConvertible {
    /// zlib's status code.
    public var status: Int32
    public var description: String { "gzip compression failed (zlib status \(status))" }
}

/// Compresses `bytes` into one gzip member (RFC 1952), as GitHub expects the `sarif` field of an
/// upload to be compressed before base64. Deterministic: zlib writes no file name and a zero
/// modification time in the header.
///
/// - Parameter level: zlib compression level, 0–9 (default 9, the smallest output).
public func gzip(_ bytes: [UInt8], level: Int32 = 9) throws(GzipError) -> [UInt8] {
    // zlib counts input in 32 bits; a SARIF file that large is far over GitHub's limit anyway.
    guard bytes.count < Int(UInt32.max) else { throw GzipError(status: Z_BUF_ERROR) }
    var stream = z_stream()
    let initStatus = scangate_deflate_init_gzip(&stream, level)
    guard initStatus == Z_OK else { throw GzipError(status: initStatus) }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 32
    var output = [UInt8](repeating: 0, count: bound)
    var input = bytes
    let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
        output.withUnsafeMutableBufferPointer { outputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            stream.next_out = outputBuffer.baseAddress
            stream.avail_out = uInt(outputBuffer.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { throw GzipError(status: status) }
    output.removeSubrange(Int(stream.total_out)...)
    return output
}

/// `bytes` compressed for an upload whose limit is `limit` gzip bytes: at level 9, the smallest
/// output nearly always; when that is over the limit, at level 6 if it is smaller. Level 6 is
/// what ``SARIFWriter`` measures files against (codeql-action's level), and on some content
/// (compact JSON full of hex digests) level 9 comes out a few bytes larger than level 6: a file
/// the writer made fit must not be refused for the level it is sent at.
public func gzipForUpload(_ bytes: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
    let smallest = try gzip(bytes, level: 9)
    guard smallest.count > limit else { return smallest }
    let measured = try gzip(bytes, level: SARIFWriter.measuringLevel)
    return measured.count < smallest.count ? measured : smallest
}

/// The size ``gzip(_:level:)`` would produce for `bytes`, without keeping the output: deflates
/// into one reused 1 MiB buffer. The writer and the validator only need the size, and a SARIF
/// file of 100 MB would otherwise cost a second 100 MB buffer (and a copy of the input).
public func gzipCompressedSize(_ bytes: [UInt8], level: Int32 = 9) throws(GzipError) -> Int {
    try gzipCompressedSize(bytes[...], level: level)
}

/// ``gzipCompressedSize(_:level:)`` of a part of a buffer, without copying it.
///
/// Deflates without the gzip wrapper and adds its fixed size: the compressed data is the same,
/// and the CRC-32 the wrapper needs is work nobody reads here (about 1 % of writing a large file).
public func gzipCompressedSize(_ bytes: ArraySlice<UInt8>, level: Int32 = 9) throws(GzipError) -> Int {
    guard bytes.count < Int(UInt32.max) else { throw GzipError(status: Z_BUF_ERROR) }
    return try withDeflateStream(level: level) { stream throws(GzipError) in
        let failure = bytes.withUnsafeBufferPointer { input in
            deflateDiscardingOutput(stream, input, from: 0, keepingStateEvery: Int.max) { _ in }
        }
        if let failure { throw GzipError(status: failure) }
        return Int(stream.pointee.total_out) + gzipWrapperBytes
    }
}

/// Runs `body` with a raw deflate stream at `level`, or a copy of `resumed` (a stream kept
/// part-way), at a fixed address (zlib's state points back at its `z_stream`), ended and freed
/// afterwards.
private func withDeflateStream<Result>(
    level: Int32, resuming resumed: UnsafeMutablePointer<z_stream>? = nil,
    _ body: (UnsafeMutablePointer<z_stream>) throws(GzipError) -> Result
) throws(GzipError) -> Result {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer {
        deflateEnd(stream)  // harmless on a stream that failed to initialise
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
    let status = resumed.map { deflateCopy(stream, $0) } ?? scangate_deflate_init_raw(stream, level)
    guard status == Z_OK else { throw GzipError(status: status) }
    return try body(stream)
}

/// Compresses `input[start...]` to the end of the stream, throwing the compressed bytes away
/// (only their count, `total_out`, matters), into one reused 1 MiB buffer. At every multiple of
/// `interval` on the way, with all input before it taken, calls `reached` with that offset.
/// - Returns: zlib's status when it failed, nil when the stream ended.
private func deflateDiscardingOutput(
    _ stream: UnsafeMutablePointer<z_stream>, _ input: UnsafeBufferPointer<UInt8>, from start: Int,
    keepingStateEvery interval: Int, reached: (Int) -> Void
) -> Int32? {
    var output = [UInt8](repeating: 0, count: 1 << 20)
    return output.withUnsafeMutableBufferPointer { outputBuffer in
        var offset = start
        while true {
            // Up to the next multiple of `interval` (without overflowing past the input).
            let end =
                offset / interval < (input.count - 1) / interval ? (offset / interval + 1) * interval : input.count
            let finishing = end == input.count
            // zlib never writes through next_in; its C type is just not const.
            stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0 + offset) }
            stream.pointee.avail_in = uInt(end - offset)
            var status = Z_OK
            repeat {
                stream.pointee.next_out = outputBuffer.baseAddress
                stream.pointee.avail_out = uInt(outputBuffer.count)
                status = deflate(stream, finishing ? Z_FINISH : Z_NO_FLUSH)
            } while status == Z_OK && (finishing || stream.pointee.avail_in > 0)
            if finishing { return status == Z_STREAM_END ? nil : status }
            // Z_BUF_ERROR only says no progress was possible: all input taken, none pending.
            guard status == Z_OK || status == Z_BUF_ERROR else { return status }
            offset = end
            reached(offset)
        }
    }
}

/// The gzip header zlib writes without a file name or extra field (10 bytes) and the trailer,
/// CRC-32 and length (8 bytes).
let gzipWrapperBytes = 18

/// zlib's guaranteed upper bound on the size ``gzip(_:level:)`` produces for `byteCount` bytes of
/// any content (`deflateBound` of a gzip stream at `level`); nil if zlib cannot initialise.
public func gzipSizeBound(byteCount: Int, level: Int32) -> Int? {
    var stream = z_stream()
    guard scangate_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    return Int(deflateBound(&stream, uLong(byteCount)))
}

/// Exact gzip sizes of successive versions of one file, each compressing only what changed.
///
/// The SARIF writer measures a file near GitHub's limit, cuts the least severe results and
/// measures again: the versions share a long prefix (every rule before the first one only
/// dropped results used; no rule's text changes with a cut). While measuring, the meter keeps a
/// copy of the compressor's state every `interval` bytes, and the next version resumes from the
/// last copy taken inside the shared prefix. zlib's output does not depend on how its input is
/// split between calls, so the resumed stream ends exactly as a fresh one would: the size is
/// exact, not an estimate (a test compares it with ``gzipCompressedSize(_:level:)``).
public struct GzipSizeMeter {
    /// A compressor state after `offset` bytes of the version last measured.
    private final class Checkpoint {
        let offset: Int
        /// zlib's state points back at its `z_stream`: the stream lives at a fixed address.
        let stream: UnsafeMutablePointer<z_stream>

        init?(copying source: UnsafeMutablePointer<z_stream>, offset: Int) {
            self.offset = offset
            stream = .allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard deflateCopy(stream, source) == Z_OK else {
                stream.deinitialize(count: 1)
                stream.deallocate()
                return nil
            }
        }

        deinit {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    /// The zlib level every size is measured at.
    public let level: Int32
    /// Bytes between two kept states (each is about 300 KB of zlib memory).
    public let interval: Int
    /// The version measured last: what the next one is compared with.
    private var previous: [UInt8] = []
    private var checkpoints: [Checkpoint] = []

    /// - Parameters:
    ///   - level: the zlib level, 0–9.
    ///   - interval: bytes between two kept states; a cut that changes the file at offset `n`
    ///     compresses again from the last multiple of `interval` at or before `n`.
    public init(level: Int32, interval: Int = 4 << 20) {
        self.level = level
        self.interval = max(1, interval)
    }

    /// The size ``gzip(_:level:)`` would produce for `bytes`.
    public mutating func size(of bytes: [UInt8]) throws(GzipError) -> Int {
        guard bytes.count < Int(UInt32.max) else { throw GzipError(status: Z_BUF_ERROR) }
        let shared = Self.commonPrefixLength(previous, bytes)
        checkpoints.removeAll { $0.offset > shared }
        previous = []  // released before compressing: only the shared prefix mattered

        let resume = checkpoints.last
        let size = try withDeflateStream(level: level, resuming: resume?.stream) { stream throws(GzipError) in
            let failure = bytes.withUnsafeBufferPointer { input in
                deflateDiscardingOutput(stream, input, from: resume?.offset ?? 0, keepingStateEvery: interval) {
                    offset in
                    if let checkpoint = Checkpoint(copying: stream, offset: offset) { checkpoints.append(checkpoint) }
                }
            }
            if let failure { throw GzipError(status: failure) }
            return Int(stream.pointee.total_out) + gzipWrapperBytes
        }
        previous = bytes
        return size
    }

    /// How many leading bytes `a` and `b` share.
    static func commonPrefixLength(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let length = min(a.count, b.count)
        return a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                guard let leftBase = left.baseAddress, let rightBase = right.baseAddress else { return 0 }
                // Whole blocks by memcmp, then the first differing block byte by byte.
                let block = 4096
                var offset = 0
                while offset + block <= length, memcmp(leftBase + offset, rightBase + offset, block) == 0 {
                    offset += block
                }
                while offset < length, left[offset] == right[offset] { offset += 1 }
                return offset
            }
        }
    }
}

extension GzipSizeMeter {
    /// ``size(of:)``, or `Int.max` if zlib fails: then nothing fits.
    mutating func measuredSize(of bytes: [UInt8]) -> Int {
        (try? size(of: bytes)) ?? Int.max
    }
}
