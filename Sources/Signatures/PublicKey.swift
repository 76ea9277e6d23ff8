import COpenSSL
import OutputFiles

/// The key types ScanGate accepts for image signatures.
public enum KeyAlgorithm: Sendable, Equatable, CustomStringConvertible {
    case ecdsaP256
    case ecdsaP384
    case ecdsaP521
    /// RSA with PKCS#1 v1.5 padding; `bits` is at least 2048.
    case rsa(bits: Int)
    /// Pure Ed25519 (RFC 8032). Ed25519ph, which cosign ≥ 2.6 uses by default, cannot be verified with
    /// OpenSSL 3.0 and is not accepted.
    case ed25519

    public var description: String {
        switch self {
        case .ecdsaP256: "ECDSA P-256"
        case .ecdsaP384: "ECDSA P-384"
        case .ecdsaP521: "ECDSA P-521"
        case .rsa(let bits): "RSA-\(bits)"
        case .ed25519: "Ed25519"
        }
    }

    /// The digests tried in order. cosign ≤ 2.5 signs with SHA-256 for every ECDSA curve, cosign ≥ 2.6
    /// with the curve's own hash, so both are tried for P-384 and P-521. nil means no digest (Ed25519).
    var digestNames: [String?] {
        switch self {
        case .ecdsaP256, .rsa: ["SHA256"]
        case .ecdsaP384: ["SHA256", "SHA384"]
        case .ecdsaP521: ["SHA256", "SHA512"]
        case .ed25519: [nil]
        }
    }
}

/// Why a key file was refused.
public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or a label for keys from memory).
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}

/// A public key (SubjectPublicKeyInfo) checked and ready for `EVP_DigestVerify`.
///
/// Its ``id`` is the SHA-256 of the SPKI DER in hex: the name reports use for "which key verified".
public struct PublicKey: Sendable, Equatable {
    /// The SubjectPublicKeyInfo DER, re-encoded by OpenSSL.
    public let spki: [UInt8]
    public let algorithm: KeyAlgorithm
    /// Where the key came from (a file path), for reports.
    public let source: String
    /// For a transparency log's key from a TrustedRoot: the Unix times (`validFor`) within which
    /// entries it signed count; nil when no window was given.
    public private(set) var validity: ClosedRange<Int>?

    /// This key, trusted only for entries integrated within `validity`.
    func valid(during validity: ClosedRange<Int>) -> PublicKey {
        var copy = self
        copy.validity = validity
        return copy
    }

    /// sha256(SPKI DER), hex: the key's identity in reports and Rekor log ids.
    public var id: String { SHA256Digest.hex(SHA256Digest.hash(spki)) }

    /// Reads a PEM `PUBLIC KEY` file.
    public static func load(path: String) throws(KeyError) -> PublicKey {
        let bytes: [UInt8]
        do {
            bytes = try SmallFile.read(path, limit: 1 << 20)
        } catch {
            throw KeyError(source: path, message: "cannot read the key file: \(error)")
        }
        return try PublicKey(pem: bytes, source: path)
    }

    /// Parses one PEM `PUBLIC KEY` block (other text around it is ignored, as OpenSSL does). A
    /// file with several blocks is refused: only one key would be trusted, silently.
    public init(pem: [UInt8], source: String) throws(KeyError) {
        let blocks = PEM.blockCount(pem)
        guard blocks <= 1 else {
            throw KeyError(
                source: source, message: "the file holds \(blocks) PEM blocks: give each key in a file of its own")
        }
        guard let der = PEM.decode(pem, label: "PUBLIC KEY") else {
            throw KeyError(source: source, message: "no valid PEM PUBLIC KEY block (SubjectPublicKeyInfo)")
        }
        try self.init(der: der, source: source)
    }

    /// Parses SubjectPublicKeyInfo DER.
    public init(der: [UInt8], source: String) throws(KeyError) {
        let handle = try KeyHandle(der: der, source: source)
        self.algorithm = try handle.algorithm(source: source)
        self.spki = try handle.spki(source: source)
        self.source = source
    }

    /// The subject public key of the first PEM `CERTIFICATE` in `pem`. Nothing about the certificate is
    /// checked (chain, validity, identity): use it only to compare keys, never as a trust decision.
    static func fromCertificate(pem: [UInt8], source: String) throws(KeyError) -> PublicKey {
        guard let der = PEM.decode(pem, label: "CERTIFICATE") else {
            throw KeyError(source: source, message: "no PEM CERTIFICATE block")
        }
        defer { ERR_clear_error() }
        let spki: [UInt8]? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let certificate = d2i_X509(nil, &cursor, buffer.count) else { return nil }
            defer { X509_free(certificate) }
            guard let key = X509_get0_pubkey(certificate) else { return nil }
            let length = i2d_PUBKEY(key, nil)
            guard length > 0 else { return nil }
            var output = [UInt8](repeating: 0, count: Int(length))
            let written = output.withUnsafeMutableBufferPointer { out -> Int32 in
                var outCursor: UnsafeMutablePointer<UInt8>? = out.baseAddress
                return i2d_PUBKEY(key, &outCursor)
            }
            return written == length ? output : nil
        }
        guard let spki else { throw KeyError(source: source, message: "the certificate does not parse") }
        return try PublicKey(der: spki, source: source)
    }

    /// Whether `signature` is a valid signature of `message` with this key. Any OpenSSL error is "no".
    public func verifies(_ signature: [UInt8], over message: [UInt8]) -> Bool {
        guard !signature.isEmpty, let handle = try? KeyHandle(der: spki, source: source) else { return false }
        defer { ERR_clear_error() }
        return algorithm.digestNames.contains { handle.verify(signature, message, digestName: $0) }
    }
}

/// An owned `EVP_PKEY`, freed when the last copy goes away.
private final class KeyHandle {
    let pointer: OpaquePointer

    init(der: [UInt8], source: String) throws(KeyError) {
        defer { ERR_clear_error() }
        var trailingBytes = 0
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = start
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            trailingBytes = cursor.map { buffer.count - (start.distance(to: $0)) } ?? 0
            return key
        }
        guard let parsed else {
            throw KeyError(source: source, message: "the key does not parse (SubjectPublicKeyInfo DER)")
        }
        // d2i stops after one key: bytes after it (a second key's DER in the same PEM block)
        // would be ignored, and only the first key trusted, silently.
        guard trailingBytes == 0 else {
            EVP_PKEY_free(parsed)
            throw KeyError(
                source: source,
                message:
                    "\(trailingBytes) bytes follow the key in its DER (SubjectPublicKeyInfo): give one key per file")
        }
        pointer = parsed
    }

    deinit { EVP_PKEY_free(pointer) }

    func algorithm(source: String) throws(KeyError) -> KeyAlgorithm {
        if EVP_PKEY_is_a(pointer, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pointer, &name, name.count, &length) == 1 else {
                throw KeyError(source: source, message: "the EC key names no curve")
            }
            // A point off the curve must be a hard failure, not a key that merely never verifies.
            guard publicCheck() else { throw KeyError(source: source, message: "the EC public key is invalid") }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch curve {
            case "prime256v1": return .ecdsaP256
            case "secp384r1": return .ecdsaP384
            case "secp521r1": return .ecdsaP521
            default: throw KeyError(source: source, message: "the EC curve \(curve) is not accepted")
            }
        }
        if EVP_PKEY_is_a(pointer, "RSA") == 1 {
            let bits = Int(EVP_PKEY_get_bits(pointer))
            guard bits >= 2048 else {
                throw KeyError(source: source, message: "RSA keys must have at least 2048 bits (this one has \(bits))")
            }
            // An exponent of 1 (or an even one) makes every padded block its own signature: a
            // key that verifies anything without a private key.
            guard publicCheck() else {
                throw KeyError(source: source, message: "the RSA public key is invalid (its exponent or modulus)")
            }
            return .rsa(bits: bits)
        }
        if EVP_PKEY_is_a(pointer, "ED25519") == 1 {
            // OpenSSL does not refuse a point of small order, for which R = identity, S = 0
            // verifies every message.
            guard let raw = rawPublicKey(), raw.count == 32, !Self.isSmallOrderEd25519(raw) else {
                throw KeyError(source: source, message: "the Ed25519 public key is a point of small order")
            }
            return .ed25519
        }
        throw KeyError(
            source: source, message: "only ECDSA P-256/P-384/P-521, RSA ≥ 2048 and Ed25519 keys are accepted")
    }

    func spki(source: String) throws(KeyError) -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else { throw KeyError(source: source, message: "the key cannot be encoded") }
        var output = [UInt8](repeating: 0, count: Int(length))
        let written = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(pointer, &cursor)
        }
        guard written == length else { throw KeyError(source: source, message: "the key cannot be encoded") }
        return output
    }

    private func rawPublicKey() -> [UInt8]? {
        var length = 0
        guard EVP_PKEY_get_raw_public_key(pointer, nil, &length) == 1, length > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_get_raw_public_key(pointer, &bytes, &length) == 1 else { return nil }
        return Array(bytes.prefix(length))
    }

    /// The encodings of edwards25519's points of order 1, 2, 4 and 8, and the non-canonical ones
    /// of the same points, with the sign bit of x cleared (libsodium's list): a public key
    /// among them verifies forged signatures.
    private static let smallOrderEd25519: [[UInt8]] = {
        var p = [UInt8](repeating: 0xFF, count: 32)
        p[0] = 0xED
        p[31] = 0x7F
        var pMinusOne = p
        pMinusOne[0] = 0xEC
        var pPlusOne = p
        pPlusOne[0] = 0xEE
        var one = [UInt8](repeating: 0, count: 32)
        one[0] = 1
        return [
            [UInt8](repeating: 0, count: 32), one,
            [
                0x26, 0xE8, 0x95, 0x8F, 0xC2, 0xB2, 0x27, 0xB0, 0x45, 0xC3, 0xF4, 0x89, 0xF2, 0xEF, 0x98, 0xF0,
                0xD5, 0xDF, 0xAC, 0x05, 0xD3, 0xC6, 0x33, 0x39, 0xB1, 0x38, 0x02, 0x88, 0x6D, 0x53, 0xFC, 0x05,
            ],
            [
                0xC7, 0x17, 0x6A, 0x70, 0x3D, 0x4D, 0xD8, 0x4F, 0xBA, 0x3C, 0x0B, 0x76, 0x0D, 0x10, 0x67, 0x0F,
                0x2A, 0x20, 0x53, 0xFA, 0x2C, 0x39, 0xCC, 0xC6, 0x4E, 0xC7, 0xFD, 0x77, 0x92, 0xAC, 0x03, 0x7A,
            ],
            pMinusOne, p, pPlusOne,
        ]
    }()

    static func isSmallOrderEd25519(_ key: [UInt8]) -> Bool {
        var unsigned = key
        unsigned[31] &= 0x7F
        return smallOrderEd25519.contains(unsigned)
    }

    private func publicCheck() -> Bool {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        return EVP_PKEY_public_check(context) == 1
    }

    /// One `EVP_DigestVerify`; `digestName` nil for Ed25519 (one-shot, no digest).
    func verify(_ signature: [UInt8], _ message: [UInt8], digestName: String?) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        let initialised: Int32
        if let digestName {
            initialised = EVP_DigestVerifyInit_ex(context, nil, digestName, nil, nil, pointer, nil)
        } else {
            initialised = EVP_DigestVerifyInit_ex(context, nil, nil, nil, nil, pointer, nil)
        }
        guard initialised == 1 else { return false }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { tbs in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, tbs.baseAddress, tbs.count)
            }
        }
        // 1 is success; 0 a bad signature, negative an error: both are failures.
        return result == 1
    }
}

/// PEM armour: `-----BEGIN <label>-----`, base64 lines, `-----END <label>-----`.
enum PEM {
    /// The DER of the first block labelled `label`, or nil when there is none or its base64 is invalid.
    static func decode(_ bytes: [UInt8], label: String) -> [UInt8]? {
        decodeAll(bytes, label: label).first
    }

    /// How many blocks of any label `bytes` holds (`-----BEGIN ` lines).
    static func blockCount(_ bytes: [UInt8]) -> Int {
        String(decoding: bytes, as: UTF8.self).ranges(of: "-----BEGIN ").count
    }

    /// The DER of every block labelled `label`, in order; empty when there is none or one is invalid.
    static func decodeAll(_ bytes: [UInt8], label: String) -> [[UInt8]] {
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        var blocks: [[UInt8]] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin) {
            guard let stop = rest[start.upperBound...].range(of: end) else { return [] }
            let body = rest[start.upperBound..<stop.lowerBound].utf8.filter { $0 != 0x0A && $0 != 0x0D }
            guard !body.isEmpty, let der = StrictBase64.decode(Array(body)) else { return [] }
            blocks.append(der)
            rest = rest[stop.upperBound...]
        }
        return blocks
    }
}

extension PEM {
    /// `der` armoured as one PEM block with 64-column lines.
    static func encode(_ der: [UInt8], label: String) -> String {
        let body = StrictBase64.encode(der)
        var lines: [Substring] = []
        var index = body.startIndex
        while index < body.endIndex {
            let next = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(body[index..<next])
            index = next
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }
}
