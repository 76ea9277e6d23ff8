import CZlib

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
    var stream = z_stream()
    let initStatus = scangate_deflate_init_raw(&stream, level)
    guard initStatus == Z_OK else { throw GzipError(status: initStatus) }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: 1 << 20)
    let status: Int32 = bytes.withUnsafeBufferPointer { inputBuffer in
        output.withUnsafeMutableBufferPointer { outputBuffer in
            // zlib never writes through next_in; its C type is just not const.
            stream.next_in = inputBuffer.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
            stream.avail_in = uInt(inputBuffer.count)
            var status = Z_OK
            while status == Z_OK {
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                status = deflate(&stream, Z_FINISH)
            }
            return status
        }
    }
    guard status == Z_STREAM_END else { throw GzipError(status: status) }
    return Int(stream.total_out) + gzipWrapperBytes
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
