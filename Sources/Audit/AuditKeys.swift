import COpenSSL
import Foundation
import OutputFiles

/// A key problem: a file that cannot be read, is not a PEM key, or holds a key type the audit
/// log does not sign with.
public struct AuditKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key file, or a description of the bytes when the key did not come from a file.
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// The signature algorithms of the audit log. The algorithm follows from the key: it is never
/// taken from a record (a record cannot choose how it is checked).
public enum AuditSignatureAlgorithm: String, Sendable, Hashable {
    /// ECDSA over NIST P-256 with SHA-256, signature DER-encoded.
    case ecdsaP256SHA256 = "ecdsa-p256-sha256"
    /// ECDSA over NIST P-384 with SHA-384, signature DER-encoded.
    case ecdsaP384SHA384 = "ecdsa-p384-sha384"
    /// ECDSA over NIST P-521 with SHA-512, signature DER-encoded.
    case ecdsaP521SHA512 = "ecdsa-p521-sha512"
    /// Pure Ed25519 (RFC 8032) over the bytes themselves.
    case ed25519
    /// RSA (2048 bits or more), PKCS #1 v1.5 with SHA-256.
    case rsaPKCS1SHA256 = "rsa-pkcs1-sha256"

    /// The digest name OpenSSL is given; nil for Ed25519, which hashes internally.
    var digestName: String? {
        switch self {
        case .ecdsaP256SHA256, .rsaPKCS1SHA256: "SHA256"
        case .ecdsaP384SHA384: "SHA384"
        case .ecdsaP521SHA512: "SHA512"
        case .ed25519: nil
        }
    }

    /// The algorithm a key signs with, or an error naming the unsupported key type.
    static func of(_ key: OpaquePointer, file: String) throws(AuditKeyError) -> AuditSignatureAlgorithm {
        if EVP_PKEY_is_a(key, "ED25519") == 1 { return .ed25519 }
        if EVP_PKEY_is_a(key, "RSA") == 1 {
            let bits = EVP_PKEY_get_bits(key)
            guard bits >= 2048 else {
                throw AuditKeyError(file: file, message: "an RSA key of \(bits) bits is too weak (at least 2048)")
            }
            return .rsaPKCS1SHA256
        }
        if EVP_PKEY_is_a(key, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else {
                throw AuditKeyError(file: file, message: "the EC key names no curve")
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch curve {
            case "prime256v1", "P-256": return .ecdsaP256SHA256
            case "secp384r1", "P-384": return .ecdsaP384SHA384
            case "secp521r1", "P-521": return .ecdsaP521SHA512
            default:
                throw AuditKeyError(file: file, message: "EC curve \(curve) is not supported (P-256, P-384, P-521)")
            }
        }
        throw AuditKeyError(
            file: file, message: "unsupported key type (ECDSA P-256/P-384/P-521, Ed25519 or RSA are supported)")
    }
}

/// A public key that checks audit record signatures: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
///
/// Its key id is the SHA-256 (lower-case hex) of the DER SubjectPublicKeyInfo, the id the
/// records carry and `openssl pkey -pubin -outform DER | sha256sum` prints; an EC key is encoded
/// with its point uncompressed (OpenSSL's default form), however the PEM gave it.
public struct AuditPublicKey: Sendable, Hashable {
    /// The DER SubjectPublicKeyInfo.
    public let der: [UInt8]
    /// SHA-256 of ``der``, lower-case hex.
    public let keyID: String
    public let algorithm: AuditSignatureAlgorithm
    /// Where the key came from (a file name), for messages and records.
    public let file: String

    /// Reads a PEM public key.
    public init(pem: [UInt8], file: String) throws(AuditKeyError) {
        let key = try Self.parse(pem: pem, file: file)
        defer { EVP_PKEY_free(key) }
        try self.init(key: key, file: file)
    }

    /// Reads a PEM public key file.
    public init(contentsOf path: String) throws(AuditKeyError) {
        try self.init(pem: try readKeyFile(path), file: path)
    }

    /// The public half of a parsed key (public or private).
    init(key: OpaquePointer, file: String) throws(AuditKeyError) {
        self.algorithm = try AuditSignatureAlgorithm.of(key, file: file)
        // One key, one id: an EC key in compressed point form (`openssl ec -conv_form compressed`)
        // would otherwise encode, and be named, differently from the same key uncompressed, and
        // its records read as signed by another key.
        if EVP_PKEY_is_a(key, "EC") == 1 {
            guard EVP_PKEY_set_utf8_string_param(key, "point-format", "uncompressed") == 1 else {
                ERR_clear_error()
                throw AuditKeyError(file: file, message: "the EC key cannot be put in uncompressed point form")
            }
        }
        var output: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key, &output)
        guard length > 0, let output else {
            throw AuditKeyError(file: file, message: "the public key cannot be encoded")
        }
        defer { CRYPTO_free(output, #fileID, #line) }
        self.der = Array(UnsafeBufferPointer(start: output, count: Int(length)))
        self.keyID = AuditDigest.sha256Hex(der)
        self.file = file
    }

    private static func parse(pem: [UInt8], file: String) throws(AuditKeyError) -> OpaquePointer {
        let key: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // A passphrase callback that refuses: OpenSSL must never prompt on the terminal.
            return PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        ERR_clear_error()
        guard let key else {
            throw AuditKeyError(file: file, message: "not a PEM public key (-----BEGIN PUBLIC KEY-----)")
        }
        return key
    }

    /// Whether `signature` is this key's signature over `message`. Anything but a clean
    /// verification (a bad signature, a malformed one, an OpenSSL error) is false.
    public func verifies(_ signature: [UInt8], over message: [UInt8]) -> Bool {
        let key: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else {
            ERR_clear_error()
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        defer { ERR_clear_error() }
        guard EVP_DigestVerifyInit_ex(context, nil, algorithm.digestName, nil, nil, key, nil) == 1 else {
            return false
        }
        let result = signature.withUnsafeBufferPointer { signatureBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                // One-shot: Ed25519 supports nothing else.
                EVP_DigestVerify(
                    context, signatureBuffer.baseAddress, signatureBuffer.count, messageBuffer.baseAddress,
                    messageBuffer.count)
            }
        }
        return result == 1
    }
}

/// The private key ScanGate signs audit records with: a PEM private key (`PRIVATE KEY`,
/// `EC PRIVATE KEY` or `RSA PRIVATE KEY`), not encrypted (OpenSSL is never allowed to prompt).
///
/// The PEM bytes are kept and parsed for each signature, so the type stays a value and every
/// OpenSSL object is freed where it was made.
public struct AuditSigningKey: Sendable {
    private let pem: [UInt8]
    /// The public half: its key id and algorithm go into every record signed.
    public let publicKey: AuditPublicKey
    /// Where the key came from.
    public var file: String { publicKey.file }

    /// Reads a PEM private key.
    public init(pem: [UInt8], file: String) throws(AuditKeyError) {
        let key = try Self.parse(pem: pem, file: file)
        defer { EVP_PKEY_free(key) }
        self.pem = pem
        self.publicKey = try AuditPublicKey(key: key, file: file)
    }

    /// Reads a PEM private key file.
    public init(contentsOf path: String) throws(AuditKeyError) {
        try self.init(pem: try readKeyFile(path), file: path)
    }

    private static func parse(pem: [UInt8], file: String) throws(AuditKeyError) -> OpaquePointer {
        let key: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        ERR_clear_error()
        guard let key else {
            throw AuditKeyError(
                file: file,
                message: "not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----); "
                    + "encrypted keys are not supported")
        }
        return key
    }

    /// Signs `message` with `EVP_DigestSign`.
    public func sign(_ message: [UInt8]) throws(AuditKeyError) -> [UInt8] {
        let key = try Self.parse(pem: pem, file: file)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else {
            throw AuditKeyError(file: file, message: "out of memory")
        }
        defer { EVP_MD_CTX_free(context) }
        defer { ERR_clear_error() }
        guard EVP_DigestSignInit_ex(context, nil, publicKey.algorithm.digestName, nil, nil, key, nil) == 1 else {
            throw AuditKeyError(file: file, message: "OpenSSL cannot sign with this key")
        }
        return try message.withUnsafeBufferPointer { (messageBuffer) throws(AuditKeyError) -> [UInt8] in
            var length = 0
            guard EVP_DigestSign(context, nil, &length, messageBuffer.baseAddress, messageBuffer.count) == 1 else {
                throw AuditKeyError(file: file, message: "OpenSSL cannot size the signature")
            }
            var signature = [UInt8](repeating: 0, count: length)
            let status = signature.withUnsafeMutableBufferPointer { output in
                EVP_DigestSign(context, output.baseAddress, &length, messageBuffer.baseAddress, messageBuffer.count)
            }
            guard status == 1 else { throw AuditKeyError(file: file, message: "OpenSSL failed to sign") }
            return Array(signature.prefix(length))
        }
    }
}

/// SHA-256 for the chain and the key ids.
public enum AuditDigest {
    /// SHA-256 of `bytes`, lower-case hex.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { buffer in
            digest.withUnsafeMutableBufferPointer { output in
                _ = SHA256(buffer.baseAddress, buffer.count, output.baseAddress)
            }
        }
        return hex(digest)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `text` is 64 lower-case hex digits.
    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

/// A key file's bytes; keys are small, so anything over 1 MiB is not a key.
private func readKeyFile(_ path: String) throws(AuditKeyError) -> [UInt8] {
    do {
        return try SmallFile.read(path, limit: 1 << 20)
    } catch {
        throw AuditKeyError(file: path, message: "\(error)")
    }
}
