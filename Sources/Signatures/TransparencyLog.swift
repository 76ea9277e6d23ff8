import Foundation
import ScanGateJSON

/// A verified transparency log entry.
struct LogEntry: Equatable {
    var logIndex: Int
    var integratedTime: Int?
}

/// What a log entry body must agree with.
enum SignedContent {
    /// cosign simple signing (legacy bundle): hashedrekord over the payload.
    case simpleSigning(payload: [UInt8], signature: [UInt8], key: PublicKey)
    /// A Sigstore bundle's message signature over an artifact.
    case message(artifactDigest: [UInt8], signature: [UInt8], key: PublicKey)
    /// A Sigstore bundle's DSSE envelope.
    case dsse(payload: [UInt8], signature: [UInt8], key: PublicKey)
}

/// The legacy cosign Rekor bundle annotation (`dev.sigstore.cosign/bundle`), verified offline:
/// `{"SignedEntryTimestamp":b64,"Payload":{"body":b64,"integratedTime":N,"logIndex":N,"logID":hex}}`.
enum RekorBundle {
    static func verify(
        _ bytes: [UInt8], logKeys: [PublicKey], signed: SignedContent
    ) -> Result<LogEntry, VerificationFailure> {
        guard let root = StrictJSON.parse(bytes), let payload = root.child("Payload"),
            let set = root.base64("SignedEntryTimestamp"), let body = payload.text("body"),
            let integratedTime = payload.integer("integratedTime"), let logIndex = payload.integer("logIndex"),
            let logID = payload.text("logID")
        else {
            return .failure(VerificationFailure(.transparencyLogInvalid, "the Rekor bundle is malformed"))
        }
        return TransparencyLog.verifyEntry(
            body: body, integratedTime: integratedTime, logIndex: logIndex, logID: logID, set: set, proof: nil,
            logKeys: logKeys, signed: signed)
    }
}

/// Rekor entry checks shared by the legacy bundle and Sigstore bundles.
enum TransparencyLog {
    /// Verifies one entry: the log key by id, the SET (when given), the inclusion proof and checkpoint
    /// (when given), and that the body describes exactly the signature being verified.
    ///
    /// Only a SET signs the entry's `integratedTime`: then it must be positive, no later than
    /// `now` (plus five minutes of clock skew) and within the log key's validity; without a SET
    /// the time is not reported, since nothing vouches for it, but the present and the time the
    /// entry claims must still lie within the log key's validity.
    static func verifyEntry(
        body: String, integratedTime: Int?, logIndex: Int, logID: String, set: [UInt8]?, proof: JSONValue?,
        logKeys: [PublicKey], signed: SignedContent, now: Int = Int(Date().timeIntervalSince1970)
    ) -> Result<LogEntry, VerificationFailure> {
        func invalid(_ detail: String) -> Result<LogEntry, VerificationFailure> {
            .failure(VerificationFailure(.transparencyLogInvalid, detail))
        }
        guard let logKey = logKeys.first(where: { $0.id == logID }) else {
            return invalid("the entry's log \(logID) is not a pinned Rekor key")
        }
        guard let bodyBytes = StrictBase64.decode(body) else { return invalid("the entry body is not base64") }
        guard set != nil || proof != nil else { return invalid("the entry has neither a SET nor an inclusion proof") }
        if let set {
            guard let integratedTime, body.utf8.allSatisfy({ $0 != 0x22 && $0 != 0x5C }) else {
                return invalid("the entry cannot be canonicalised")
            }
            // RFC 8785 of this fixed shape: keys sorted, integers plain, strings need no escapes (base64, hex).
            let canonical =
                "{\"body\":\"\(body)\",\"integratedTime\":\(integratedTime),"
                + "\"logID\":\"\(logID)\",\"logIndex\":\(logIndex)}"
            guard logKey.verifies(set, over: Array(canonical.utf8)) else {
                return invalid("the signed entry timestamp does not verify with the Rekor key")
            }
            guard integratedTime > 0, integratedTime <= now + 300 else {
                return invalid("the entry's integrated time \(integratedTime) is not a time the log could have written")
            }
            if let validity = logKey.validity, !validity.contains(integratedTime) {
                return invalid(
                    "the entry was integrated at \(integratedTime), outside the Rekor key's validity in the trusted root "
                        + "(\(validity.lowerBound)…\(validity.upperBound))")
            }
        }
        if set == nil, let validity = logKey.validity {
            // Nothing signs a proof-only entry's time, but the trusted root still bounds when its
            // log key's checkpoints count: leaving out the SET must not let an entry the key's
            // validity refuses pass. With no signed time, the key must be valid now (an edited,
            // unsigned time proves nothing), and at the time the entry claims.
            guard validity.contains(now) else {
                return invalid(
                    "the entry has no SET, so no signed time, and the Rekor key is not valid now in the trusted root "
                        + "(\(validity.lowerBound)…\(validity.upperBound))")
            }
            if let claimed = integratedTime, claimed > 0, !validity.contains(claimed) {
                return invalid(
                    "the entry says it was integrated at \(claimed) (unsigned: it has no SET), outside the Rekor "
                        + "key's validity in the trusted root (\(validity.lowerBound)…\(validity.upperBound))")
            }
        }
        if let proof, let failure = InclusionProof.verify(proof, body: bodyBytes, logKey: logKey, logID: logID) {
            return invalid(failure)
        }
        if let mismatch = EntryBody.mismatch(bodyBytes, signed: signed) { return invalid(mismatch) }
        return .success(LogEntry(logIndex: logIndex, integratedTime: set == nil ? nil : integratedTime))
    }
}

/// RFC 9162 §2.1.3.2 inclusion proofs and the signed-note checkpoint that commits to the root.
enum InclusionProof {
    /// nil when the proof leads from the entry to `rootHash` and the checkpoint signs that root.
    static func verify(_ proof: JSONValue, body: [UInt8], logKey: PublicKey, logID: String) -> String? {
        guard let index = proof.integer("logIndex"), let size = proof.integer("treeSize"), index >= 0, index < size,
            let rootText = proof.text("rootHash"), let root = StrictBase64.decode(rootText),
            let hashValues = proof["hashes"]?.elements
        else { return "the inclusion proof is malformed" }
        var hashes: [[UInt8]] = []
        for value in hashValues {
            guard let text = value.stringValue, let hash = StrictBase64.decode(text), hash.count == 32 else {
                return "the inclusion proof is malformed"
            }
            hashes.append(hash)
        }
        let leaf = SHA256Digest.hash([0] + body)
        guard let computed = rootFrom(index: index, size: size, leaf: leaf, hashes: hashes), computed == root else {
            return "the inclusion proof does not lead to the root hash"
        }
        guard let envelope = proof.child("checkpoint")?.text("envelope") else { return "the checkpoint is missing" }
        return checkpointFailure(envelope, size: size, rootText: rootText, logKey: logKey, logID: logID)
    }

    static func rootFrom(index: Int, size: Int, leaf: [UInt8], hashes: [[UInt8]]) -> [UInt8]? {
        var fn = index
        var sn = size - 1
        var result = leaf
        for hash in hashes {
            guard sn != 0 else { return nil }
            if fn % 2 == 1 || fn == sn {
                result = SHA256Digest.hash([1] + hash + result)
                if fn % 2 == 0 {
                    while fn % 2 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                result = SHA256Digest.hash([1] + result + hash)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? result : nil
    }

    /// A signed note: text lines, a blank line, then `— <origin> <base64(4-byte key hint ‖ signature)>`.
    private static func checkpointFailure(
        _ envelope: String, size: Int, rootText: String, logKey: PublicKey, logID: String
    ) -> String? {
        guard let separator = envelope.range(of: "\n\n") else { return "the checkpoint is malformed" }
        let text = String(envelope[..<separator.lowerBound]) + "\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[1] == String(size), lines[2] == rootText else {
            return "the checkpoint's size or root differs from the inclusion proof"
        }
        let hint = Array(hexBytes(logID).prefix(4))
        for line in envelope[separator.upperBound...].split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "\u{2014}", let raw = StrictBase64.decode(String(parts[2])),
                raw.count > 4, Array(raw.prefix(4)) == hint
            else { continue }
            if logKey.verifies(Array(raw.dropFirst(4)), over: Array(text.utf8)) { return nil }
        }
        return "no checkpoint signature verifies with the Rekor key"
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in hex.utf8 {
            let value: UInt8
            switch character {
            case 0x30...0x39: value = character - 0x30
            case 0x61...0x66: value = character - 0x61 + 10
            default: return []
            }
            if let pending = high {
                bytes.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return high == nil ? bytes : []
    }
}

/// The Rekor entry body must describe exactly the signature being verified.
enum EntryBody {
    /// nil when the body matches `signed`, else what differs.
    static func mismatch(_ body: [UInt8], signed: SignedContent) -> String? {
        guard let root = StrictJSON.parse(body), let kind = root.text("kind"), let spec = root.child("spec") else {
            return "the entry body is malformed"
        }
        switch (kind, signed) {
        case ("hashedrekord", .simpleSigning(let payload, let signature, let key)):
            return hashedRekord(spec, digest: SHA256Digest.hash(payload), signature: signature, key: key)
        case ("hashedrekord", .message(let digest, let signature, let key)):
            return hashedRekord(spec, digest: digest, signature: signature, key: key)
        case ("dsse", .dsse(let payload, let signature, _)):
            guard let hash = spec.child("payloadHash"), hash.text("algorithm") == "sha256",
                hash.text("value") == SHA256Digest.hex(SHA256Digest.hash(payload))
            else { return "the dsse entry's payload hash differs" }
            let logged = spec["signatures"]?.elements.compactMap { $0.base64("signature") } ?? []
            return logged.contains(signature) ? nil : "the dsse entry's signature differs"
        case ("intoto", .dsse(let payload, let signature, _)):
            let envelope = spec.child("content")?.child("envelope")
            let logged = envelope?["signatures"]?.elements.compactMap { $0.text("sig") } ?? []
            // intoto 0.0.2 stores the signature base64-encoded twice.
            let matches = logged.contains { StrictBase64.decode($0).flatMap(StrictBase64.decode) == signature }
            guard matches else { return "the intoto entry's signature differs" }
            if let hash = spec.child("content")?.child("payloadHash")?.text("value"),
                hash != SHA256Digest.hex(SHA256Digest.hash(payload))
            {
                return "the intoto entry's payload hash differs"
            }
            return nil
        default:
            return "the entry kind \(kind) does not match the signature"
        }
    }

    private static func hashedRekord(_ spec: JSONValue, digest: [UInt8], signature: [UInt8], key: PublicKey) -> String?
    {
        guard let hash = spec.child("data")?.child("hash"), hash.text("algorithm") == "sha256",
            hash.text("value") == SHA256Digest.hex(digest)
        else { return "the entry's hash is not the sha256 of the signed payload" }
        guard let logged = spec.child("signature"), logged.base64("content") == signature else {
            return "the entry's signature differs from the signature"
        }
        // The entry holds the key, or the certificate whose key signed (compared by key only).
        guard let pem = logged.child("publicKey")?.base64("content"),
            let loggedKey = (try? PublicKey(pem: pem, source: "Rekor entry"))
                ?? (try? PublicKey.fromCertificate(pem: pem, source: "Rekor entry")),
            loggedKey.spki == key.spki
        else { return "the entry's public key is not the key that verified the signature" }
        return nil
    }
}

/// A Sigstore TrustedRoot (`application/vnd.dev.sigstore.trustedroot+json`): only its transparency log
/// keys are used (certificate authorities matter for keyless signatures, which are not supported).
public enum TrustedRoot {
    /// The `tlogs[].publicKey` keys of the trusted root at `path`.
    public static func transparencyLogKeys(path: String) throws(KeyError) -> [PublicKey] {
        guard let bytes = FileBytes.read(path, limit: 4 << 20), let root = StrictJSON.parse(bytes) else {
            throw KeyError(source: path, message: "cannot read the trusted root JSON")
        }
        var keys: [PublicKey] = []
        for (index, log) in (root["tlogs"]?.elements ?? []).enumerated() {
            guard let der = log.child("publicKey")?.base64("rawBytes") else {
                throw KeyError(source: path, message: "tlogs[\(index)] has no public key")
            }
            let key = try PublicKey(der: der, source: "\(path) tlogs[\(index)]")
            keys.append(try validity(of: log, index: index, path: path).map(key.valid(during:)) ?? key)
        }
        guard !keys.isEmpty else { throw KeyError(source: path, message: "the trusted root names no transparency log") }
        return keys
    }

    /// `publicKey.validFor` as Unix times: from `start` to `end` (open-ended without one); nil
    /// without a window.
    private static func validity(of log: JSONValue, index: Int, path: String) throws(KeyError) -> ClosedRange<Int>? {
        guard let window = log.child("publicKey")?.child("validFor") else { return nil }
        func time(_ key: String) throws(KeyError) -> Int? {
            guard let text = window.text(key) else { return nil }
            let plain = ISO8601DateFormatter()
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
                throw KeyError(
                    source: path, message: "tlogs[\(index)].publicKey.validFor.\(key) is not an RFC 3339 time")
            }
            return Int(date.timeIntervalSince1970)
        }
        guard let start = try time("start") else {
            throw KeyError(source: path, message: "tlogs[\(index)].publicKey.validFor has no start")
        }
        let end = try time("end") ?? Int.max
        guard start <= end else {
            throw KeyError(source: path, message: "tlogs[\(index)].publicKey.validFor ends before it starts")
        }
        return start...end
    }
}
