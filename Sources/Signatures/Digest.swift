import COpenSSL

/// SHA-256 and the `sha256:<hex>` digest strings of the OCI distribution API.
public enum SHA256Digest {
    /// The SHA-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                _ = SHA256(input.baseAddress, input.count, out.baseAddress)
            }
        }
        return output
    }

    /// Lowercase hexadecimal of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `sha256:<hex>` of `bytes`, as registries name manifests and blobs.
    public static func digestString(_ bytes: [UInt8]) -> String { "sha256:" + hex(hash(bytes)) }

    /// Whether `text` is exactly `sha256:` and 64 lowercase hexadecimal digits (the only form accepted).
    public static func isValidDigest(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 71, text.hasPrefix("sha256:") else { return false }
        return utf8[7...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
