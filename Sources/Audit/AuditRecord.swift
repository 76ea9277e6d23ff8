import Foundation
import ScanGateJSON

// The audit log format (schema "scangate-audit/1").
//
// A file of JSON lines, one record per line, each line ended by "\n", nothing else in the file.
// Every record is written by `AuditRecord.encode` (compact `JSONWriter`, no spaces, keys in the
// fixed order below, every key present, `null` for a value not known) and a verifier accepts a
// line only when it is byte for byte what `encode` writes for the record it holds, so no edit
// (even of white space or an escape) goes unnoticed:
//
//   {"schema":"scangate-audit/1","sequence":1,"time":"2026-11-25T10:00:00Z","previous":"000…0",
//    "event":"release-gate","tag":"v1.4.0","commit":"…"|null,"environment":"production"|null,
//    "policy":{"file":"…","sha256":"…","files":[{"file":"…","sha256":"…"},…]}|null,
//    "images":[{"reference":"…","digest":"sha256:…"|null,"mutable":true,"verified":false,
//               "key":{"id":"…","file":"…"}|null,"reason":"…"},…],
//    "counts":{"images":1,"fail":0,…},"decision":"pass"|"fail"|"error","exit":0,"reasons":["…"],
//    "signature":{"keyId":"…","algorithm":"ecdsa-p256-sha256","value":"<base64>"}}
//
// - `sequence` counts from 1 and goes up by one per record.
// - `time` is UTC, RFC 3339, whole seconds: `YYYY-MM-DDTHH:MM:SSZ`.
// - `previous` is the SHA-256 (lower-case hex) of the previous record's line: its exact bytes
//   without the terminating "\n". The first record's `previous` is the genesis value, 64 zeros.
// - `signature` is optional and always the last member. It signs the record's canonical bytes:
//   the line `encode` writes for the same record without the `signature` member, that is the
//   line up to the `,"signature":` that starts the member, followed by `}`. `keyId` is the
//   SHA-256 (hex) of the signing key's DER SubjectPublicKeyInfo; `algorithm` follows from the key
//   (AuditSignatureAlgorithm) and a verifier checks it against the trusted key, never the reverse.
//   The signature covers `sequence` and `previous`, so a signed record also authenticates its
//   place in the chain.

/// What a release-gate (or other) decision says, as the caller describes it; the log adds the
/// sequence number, the time, the link to the previous record and the signature.
public struct AuditEntry: Sendable, Equatable {
    /// What was decided: `release-gate`.
    public var event: String
    /// The release tag (`v1.4.0`).
    public var tag: String?
    /// The commit released, as given.
    public var commit: String?
    /// The policy's environment.
    public var environment: String?
    /// The policy file and its digest; nil when no policy was read.
    public var policy: AuditPolicy?
    /// Every image, with its digest and the key that verified it, or why none did.
    public var images: [AuditImage]
    /// Named counts, in the order given (`fail`, `warn`, …).
    public var counts: [AuditCount]
    public var decision: AuditDecision
    /// The exit status the command ended with.
    public var exitStatus: Int
    /// Every reason for the decision, one line each.
    public var reasons: [String]

    public init(
        event: String, tag: String? = nil, commit: String? = nil, environment: String? = nil,
        policy: AuditPolicy? = nil, images: [AuditImage] = [], counts: [AuditCount] = [],
        decision: AuditDecision, exitStatus: Int, reasons: [String] = []
    ) {
        self.event = event
        self.tag = tag
        self.commit = commit
        self.environment = environment
        self.policy = policy
        self.images = images
        self.counts = counts
        self.decision = decision
        self.exitStatus = exitStatus
        self.reasons = reasons
    }
}

/// The decision a record holds.
public enum AuditDecision: String, Sendable, Hashable, CaseIterable {
    /// Everything verified and the policy passed.
    case pass
    /// The gate said no: an image did not verify, or the findings failed the policy.
    case fail
    /// No decision could be reached: a registry failed, or a report could not be read.
    case error
}

/// A file and its SHA-256.
public struct AuditFile: Sendable, Equatable {
    public var file: String
    /// SHA-256 of the file's bytes, lower-case hex.
    public var sha256: String

    public init(file: String, sha256: String) {
        self.file = file
        self.sha256 = sha256
    }
}

/// The policy a decision was made with.
public struct AuditPolicy: Sendable, Equatable {
    /// The policy file as given.
    public var file: String
    /// SHA-256 of its bytes.
    public var sha256: String
    /// It and every file it extends, each with its digest (the given file first).
    public var files: [AuditFile]

    public init(file: String, sha256: String, files: [AuditFile]) {
        self.file = file
        self.sha256 = sha256
        self.files = files
    }
}

/// A key named by id and file.
public struct AuditKeyReference: Sendable, Equatable {
    /// SHA-256 (hex) of the DER SubjectPublicKeyInfo.
    public var id: String
    /// The key file's name as the policy gives it.
    public var file: String

    public init(id: String, file: String) {
        self.id = id
        self.file = file
    }
}

/// One image of a release and what its signature check found.
public struct AuditImage: Sendable, Equatable {
    /// The reference as given.
    public var reference: String
    /// The digest released (`sha256:…`), nil when it could not be resolved.
    public var digest: String?
    /// Whether the reference was given by tag (mutable) rather than by digest.
    public var mutable: Bool
    public var verified: Bool
    /// The trusted key that verified it.
    public var key: AuditKeyReference?
    /// How it verified, or why it did not.
    public var reason: String

    public init(
        reference: String, digest: String?, mutable: Bool, verified: Bool, key: AuditKeyReference?, reason: String
    ) {
        self.reference = reference
        self.digest = digest
        self.mutable = mutable
        self.verified = verified
        self.key = key
        self.reason = reason
    }
}

/// A named count.
public struct AuditCount: Sendable, Equatable {
    public var name: String
    public var value: Int

    public init(_ name: String, _ value: Int) {
        self.name = name
        self.value = value
    }
}

/// A record's signature.
public struct AuditSignature: Sendable, Equatable {
    /// SHA-256 (hex) of the signing key's DER SubjectPublicKeyInfo.
    public var keyID: String
    public var algorithm: String
    /// The signature, standard base64 with padding.
    public var value: String

    public init(keyID: String, algorithm: String, value: String) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.value = value
    }
}

/// One line of the audit log.
public struct AuditRecord: Sendable, Equatable {
    /// The format this module writes and reads.
    public static let schema = "scangate-audit/1"
    /// `previous` of the first record.
    public static let genesis = String(repeating: "0", count: 64)

    public var sequence: Int
    /// UTC, RFC 3339, whole seconds.
    public var time: String
    /// SHA-256 (hex) of the previous record's line, or ``genesis``.
    public var previous: String
    public var entry: AuditEntry
    public var signature: AuditSignature?

    public init(sequence: Int, time: String, previous: String, entry: AuditEntry, signature: AuditSignature? = nil) {
        self.sequence = sequence
        self.time = time
        self.previous = previous
        self.entry = entry
        self.signature = signature
    }

    /// The bytes a signature covers: the record without its signature.
    public var canonicalBytes: [UInt8] { encode(includingSignature: false) }

    /// The record's line, without the terminating newline.
    public var lineBytes: [UInt8] { encode(includingSignature: true) }

    private func encode(includingSignature: Bool) -> [UInt8] {
        var writer = JSONWriter(pretty: false, reservingCapacity: 1024)
        writer.beginObject()
        writer.field("schema", Self.schema)
        writer.field("sequence", sequence)
        writer.field("time", time)
        writer.field("previous", previous)
        writer.field("event", entry.event)
        writer.field("tag", entry.tag)
        writer.field("commit", entry.commit)
        writer.field("environment", entry.environment)
        writer.key("policy")
        if let policy = entry.policy {
            writer.beginObject()
            writer.field("file", policy.file)
            writer.field("sha256", policy.sha256)
            writer.key("files")
            writer.beginArray()
            for file in policy.files {
                writer.beginObject()
                writer.field("file", file.file)
                writer.field("sha256", file.sha256)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("images")
        writer.beginArray()
        for image in entry.images {
            writer.beginObject()
            writer.field("reference", image.reference)
            writer.field("digest", image.digest)
            writer.field("mutable", image.mutable)
            writer.field("verified", image.verified)
            writer.key("key")
            if let key = image.key {
                writer.beginObject()
                writer.field("id", key.id)
                writer.field("file", key.file)
                writer.endObject()
            } else {
                writer.null()
            }
            writer.field("reason", image.reason)
            writer.endObject()
        }
        writer.endArray()
        writer.key("counts")
        writer.beginObject()
        for count in entry.counts { writer.field(count.name, count.value) }
        writer.endObject()
        writer.field("decision", entry.decision.rawValue)
        writer.field("exit", entry.exitStatus)
        writer.field("reasons", entry.reasons)
        if includingSignature, let signature {
            writer.key("signature")
            writer.beginObject()
            writer.field("keyId", signature.keyID)
            writer.field("algorithm", signature.algorithm)
            writer.field("value", signature.value)
            writer.endObject()
        }
        writer.endObject()
        return writer.bytes
    }
}

/// A line that is not a record of this format.
public struct AuditRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension AuditRecord {
    private static let keys = [
        "schema", "sequence", "time", "previous", "event", "tag", "commit", "environment", "policy", "images",
        "counts", "decision", "exit", "reasons", "signature",
    ]

    /// Reads one line (without its newline). The caller checks that the line is canonical by
    /// comparing it with ``lineBytes`` of the result.
    public static func decode(line: [UInt8]) throws(AuditRecordError) -> AuditRecord {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: line, maximumDepth: 8)
        } catch {
            throw AuditRecordError("not JSON (column \(error.column): \(error.message))")
        }
        do {
            return try decode(document.root)
        } catch {
            throw AuditRecordError("\(AuditText.excerpt(error.path)): \(error.message)")
        }
    }

    private static func decode(_ root: JSONValue) throws(JSONAccessError) -> AuditRecord {
        let object = try root.requireObject()
        for member in object.members where !keys.contains(member.key) {
            throw object.error("unknown member \"\(AuditText.excerpt(member.key))\"")
        }
        let schema = try object.requiredString("schema")
        guard schema == Self.schema else {
            throw object.error(
                "schema \"\(AuditText.excerpt(schema))\" is not \(Self.schema), the only one this ScanGate reads")
        }
        guard let sequence = try object.int("sequence"), sequence >= 1 else {
            throw object.error("\"sequence\" must be an integer of at least 1")
        }
        let time = try object.requiredString("time")
        guard RFC3339.isUTCSeconds(time) else {
            throw object.error("\"time\" \"\(AuditText.excerpt(time))\" is not UTC RFC 3339 (YYYY-MM-DDTHH:MM:SSZ)")
        }
        let previous = try object.requiredString("previous")
        guard AuditDigest.isSHA256Hex(previous) else {
            throw object.error("\"previous\" is not a SHA-256 in lower-case hex")
        }
        let decisionText = try object.requiredString("decision")
        guard let decision = AuditDecision(rawValue: decisionText) else {
            throw object.error("\"decision\" \"\(AuditText.excerpt(decisionText))\" is not pass, fail or error")
        }
        guard let exitStatus = try object.int("exit") else { throw object.error("missing integer \"exit\"") }
        var entry = AuditEntry(
            event: try object.requiredString("event"), tag: try object.string("tag"),
            commit: try object.string("commit"), environment: try object.string("environment"),
            decision: decision, exitStatus: exitStatus, reasons: try object.strings("reasons"))
        if let policy = try object.object("policy") {
            var files: [AuditFile] = []
            for file in try policy.array("files") ?? [] {
                files.append(
                    AuditFile(file: try file.requiredString("file"), sha256: try file.requiredString("sha256")))
            }
            entry.policy = AuditPolicy(
                file: try policy.requiredString("file"), sha256: try policy.requiredString("sha256"), files: files)
        }
        for image in try object.array("images") ?? [] {
            var key: AuditKeyReference?
            if let keyObject = try image.object("key") {
                key = AuditKeyReference(
                    id: try keyObject.requiredString("id"), file: try keyObject.requiredString("file"))
            }
            guard let mutable = try image.bool("mutable"), let verified = try image.bool("verified") else {
                throw image.error("an image needs \"mutable\" and \"verified\"")
            }
            entry.images.append(
                AuditImage(
                    reference: try image.requiredString("reference"), digest: try image.string("digest"),
                    mutable: mutable, verified: verified, key: key, reason: try image.requiredString("reason")))
        }
        if let counts = try object.object("counts") {
            for member in counts.members {
                guard let value = member.value.intValue else { throw member.value.error("a count must be an integer") }
                entry.counts.append(AuditCount(member.key, value))
            }
        }
        var signature: AuditSignature?
        if let signatureObject = try object.object("signature") {
            signature = AuditSignature(
                keyID: try signatureObject.requiredString("keyId"),
                algorithm: try signatureObject.requiredString("algorithm"),
                value: try signatureObject.requiredString("value"))
        }
        return AuditRecord(sequence: sequence, time: time, previous: previous, entry: entry, signature: signature)
    }
}

/// UTC timestamps in RFC 3339 form with whole seconds.
public enum RFC3339 {
    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970-01-01T00:00:00Z.
    public static func utc(secondsSince1970 seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = Int(parts.tm_year) + 1900
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Whether `text` has the form `YYYY-MM-DDTHH:MM:SSZ` with plausible fields.
    static func isUTCSeconds(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 else { return false }
        let shape = Array("dddd-dd-ddTdd:dd:ddZ".utf8)
        for (byte, expected) in zip(bytes, shape) {
            if expected == UInt8(ascii: "d") {
                guard byte >= 0x30 && byte <= 0x39 else { return false }
            } else if byte != expected {
                return false
            }
        }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        return (1...12).contains(number(5..<7)) && (1...31).contains(number(8..<10)) && number(11..<13) < 24
            && number(14..<16) < 60 && number(17..<19) < 61
    }
}

/// Where the log takes the time of a record from; tests give a fixed clock.
public struct AuditClock: Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let now: @Sendable () -> Int

    public init(now: @escaping @Sendable () -> Int) { self.now = now }

    /// The system clock.
    public static let system = AuditClock { Int(Date().timeIntervalSince1970) }

    /// Always `seconds`.
    public static func fixed(_ seconds: Int) -> AuditClock { AuditClock { seconds } }
}
