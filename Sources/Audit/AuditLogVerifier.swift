import Foundation

/// The first thing wrong with an audit log: which record, on which line, and what.
public struct AuditFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A line is not a record of the format (not JSON, a field missing or of the wrong type).
        case malformed
        /// A record's bytes changed after it was written (not canonical, or its successor's
        /// `previous` does not match it).
        case altered
        /// One or more records are missing.
        case removed
        /// Records are out of order.
        case reordered
        /// A record appears twice.
        case duplicated
        /// A signature by a key that is not trusted.
        case untrustedKey = "untrusted-key"
        /// A signature that does not verify with the trusted key it names.
        case badSignature = "bad-signature"
        /// A record without a signature where one is required.
        case unsigned
        /// The last line has no newline: a write was cut short or the file was truncated.
        case incomplete
        /// Two records each authentic by its signature, the second not chained to the first:
        /// records were replaced, or taken from another log.
        case spliced
        /// The record the caller pinned (`--head`) is not in the log.
        case headMissing = "head-missing"
        /// The log holds no record, where the caller needs one (``AuditLogVerifier/requiresRecords``).
        case empty
    }

    public var kind: Kind
    /// The sequence number of the first record that was altered, removed or is otherwise bad;
    /// nil when the line does not say.
    public var sequence: Int?
    /// The 1-based line of that record, or where its absence shows.
    public var line: Int
    /// What was wrong, for a person.
    public var message: String

    public init(kind: Kind, sequence: Int?, line: Int, message: String) {
        self.kind = kind
        self.sequence = sequence
        self.line = line
        self.message = message
    }

    public var description: String {
        let record = sequence.map { "record \($0)" } ?? "the record"
        return "\(record) (line \(line)): \(message)"
    }
}

/// What verifying a log found.
public struct AuditVerification: Sendable {
    /// Records read before the first failure (all of them when the chain verifies).
    public var records: Int = 0
    /// Records that carry a signature.
    public var signedRecords: Int = 0
    /// Signatures checked and found good.
    public var verifiedSignatures: Int = 0
    /// The last good record, and the SHA-256 of its line: the value to pin with `--head`.
    public var last: AuditRecord?
    public var lastLineSHA256: String?
    /// Key ids that signed records, in order of first use.
    public var signingKeys: [String] = []
    /// Each signing key id's last record.
    var lastSequenceByKey: [String: Int] = [:]
    /// The first problem; nil when the whole log verifies.
    public var failure: AuditFailure?

    /// Whether the whole log verifies.
    public var isValid: Bool { failure == nil }
    /// The sequence number of the last record `keyID` signed, or nil when it signed none.
    public func lastSequence(signedBy keyID: String) -> Int? { lastSequenceByKey[keyID] }
    /// Whether every signature present was checked (false when no trusted key was given).
    public var signaturesChecked: Bool { verifiedSignatures == signedRecords }
}

/// Checks an audit log: every line a canonical record, sequence numbers 1, 2, 3, …, each
/// `previous` the SHA-256 of the line before it, and the signatures.
///
/// It stops at the first problem and names the first record that was altered or removed:
/// - a record edited in place is not canonical, or fails its signature, or (unsigned, and
///   edited consistently) no longer matches the `previous` of the record after it;
/// - a removed record leaves a gap in the sequence (or a `previous` that does not match);
/// - reordered records show as a sequence number out of place;
/// - a record re-signed with another key names a key that is not trusted.
///
/// The chain alone cannot notice the *last* records being cut off; pin a record's line hash
/// elsewhere (the release job's log prints it) and check with ``expectedRecord``.
public struct AuditLogVerifier: Sendable {
    /// Keys whose signatures are accepted. Empty: signatures are read but not checked.
    public var trustedKeys: [AuditPublicKey]
    /// Every record must be signed by a trusted key.
    public var requireSignatures: Bool
    /// The SHA-256 of a record's line that must be in the log.
    public var expectedRecord: String?
    /// The log must hold at least one record (`scangate audit verify`: an empty file proves
    /// nothing; appending to a new log starts from none).
    public var requiresRecords = false
    /// Some record must be signed by a trusted key, even where unsigned records are accepted
    /// (`audit verify --key K --allow-unsigned`): the flag accepts records written before a key
    /// was used, not a log the key never signed (stripped of its signatures, forged and
    /// re-chained, which a later signed append would otherwise vouch for only at its own end).
    public var requiresATrustedSignature = false
    /// Signatures by keys not in ``trustedKeys`` are skipped instead of failing (used when
    /// appending, where only the appending key is at hand).
    var skipsUnknownSigners = false

    public init(trustedKeys: [AuditPublicKey] = [], requireSignatures: Bool = false, expectedRecord: String? = nil) {
        self.trustedKeys = trustedKeys
        self.requireSignatures = requireSignatures
        self.expectedRecord = expectedRecord
    }

    /// Verifies a whole log held in memory.
    public func verify(_ bytes: [UInt8]) -> AuditVerification {
        var result = AuditVerification()
        let lines = Self.lines(of: bytes)
        // The sequence numbers present, to tell a reordering from a removal.
        var state = ChainState()
        var foundExpected = expectedRecord == nil
        for (index, range) in lines.complete.enumerated() {
            let lineNumber = index + 1
            let line = Array(bytes[range])
            if let failure = check(line, lineNumber: lineNumber, state: &state, bytes: bytes, lines: lines.complete) {
                result.failure = failure
                break
            }
            let hash = AuditDigest.sha256Hex(line)
            if hash == expectedRecord { foundExpected = true }
            result.records += 1
            if let signature = state.lastRecord?.signature {
                result.signedRecords += 1
                if !result.signingKeys.contains(signature.keyID) { result.signingKeys.append(signature.keyID) }
                if let sequence = state.lastRecord?.sequence { result.lastSequenceByKey[signature.keyID] = sequence }
                if state.lastSignatureChecked { result.verifiedSignatures += 1 }
            }
            result.last = state.lastRecord
            result.lastLineSHA256 = hash
            state.previousHash = hash
        }
        if result.failure == nil, let partial = lines.partial {
            result.failure = AuditFailure(
                kind: .incomplete, sequence: (result.last?.sequence ?? 0) + 1, line: lines.complete.count + 1,
                message: "the last line (\(partial.count) bytes) has no newline: an append was cut short or the "
                    + "file was truncated")
        }
        if result.failure == nil, requiresRecords, result.records == 0 {
            result.failure = AuditFailure(
                kind: .empty, sequence: 1, line: 1,
                message: "the log holds no record: an empty file shows nothing was decided, or that the log was "
                    + "emptied (a log the release gate wrote is never empty)")
        }
        if result.failure == nil, requiresATrustedSignature, !trustedKeys.isEmpty, result.records > 0,
            result.verifiedSignatures == 0
        {
            // Not one record's fault: the whole log is unsigned by the keys given.
            result.failure = AuditFailure(
                kind: .unsigned, sequence: nil, line: lines.complete.count,
                message: "no record is signed by a key given: --allow-unsigned accepts records written before the "
                    + "log had a key, not a log the key never signed (its signatures stripped?); before the first "
                    + "release signs, verify the chain without --key")
        }
        if result.failure == nil, !foundExpected, let expectedRecord {
            result.failure = AuditFailure(
                kind: .headMissing, sequence: nil, line: lines.complete.count,
                message: "no record's line has SHA-256 \(expectedRecord): the log was truncated or rewritten "
                    + "after that record was written")
        }
        return result
    }

    private struct ChainState {
        var expectedSequence = 1
        var previousHash = AuditRecord.genesis
        var lastRecord: AuditRecord?
        var lastSignatureChecked = false
        /// Whether any record so far was signed: signing may not stop silently.
        var firstSigned: Int?
    }

    private func check(
        _ line: [UInt8], lineNumber: Int, state: inout ChainState, bytes: [UInt8], lines: [Range<Int>]
    ) -> AuditFailure? {
        let expected = state.expectedSequence
        guard !line.isEmpty else {
            return AuditFailure(
                kind: .malformed, sequence: expected, line: lineNumber,
                message: "the line is empty where record \(expected) was expected")
        }
        let record: AuditRecord
        do {
            record = try AuditRecord.decode(line: line)
        } catch {
            return AuditFailure(
                kind: .malformed, sequence: expected, line: lineNumber,
                message: "not a valid audit record (\(error.message)): it was altered or the file is damaged")
        }
        guard record.lineBytes == line else {
            return AuditFailure(
                kind: .altered, sequence: record.sequence, line: lineNumber,
                message: "the line is not byte for byte what ScanGate writes for its content: it was edited")
        }
        // The signature first: when it verifies, the record's own sequence and `previous` are
        // authentic, so a mismatch below is the fault of the records around it.
        let predecessorSignatureChecked = state.lastSignatureChecked
        state.lastSignatureChecked = false
        if let failure = checkSignature(of: record, lineNumber: lineNumber, state: &state) { return failure }

        if record.sequence != expected {
            return sequenceFailure(record, lineNumber: lineNumber, expected: expected, bytes: bytes, lines: lines)
        }
        if record.previous != state.previousHash {
            if lineNumber == 1 {
                return AuditFailure(
                    kind: .altered, sequence: record.sequence, line: lineNumber,
                    message: "the first record's previous is \(record.previous), not the genesis value (64 zeros): "
                        + "it was altered, or the records before it were removed")
            }
            // Both signatures verified: neither record was altered, they were put together.
            if predecessorSignatureChecked && state.lastSignatureChecked {
                return AuditFailure(
                    kind: .spliced, sequence: record.sequence, line: lineNumber,
                    message: "record \(record.sequence) does not follow record \(expected - 1): both signatures "
                        + "verify, but record \(record.sequence) says its predecessor hashes to \(record.previous), "
                        + "not \(state.previousHash) (records were replaced, or taken from another log)")
            }
            let authentic = state.lastSignatureChecked ? "" : " (or this record's previous was)"
            return AuditFailure(
                kind: .altered, sequence: expected - 1, line: lineNumber - 1,
                message: "the line hashes to \(state.previousHash), but record \(record.sequence) on line "
                    + "\(lineNumber) says its predecessor hashes to \(record.previous): record \(expected - 1) was "
                    + "altered\(authentic)")
        }
        state.lastRecord = record
        state.expectedSequence += 1
        return nil
    }

    private func checkSignature(of record: AuditRecord, lineNumber: Int, state: inout ChainState) -> AuditFailure? {
        guard let signature = record.signature else {
            if requireSignatures {
                return AuditFailure(
                    kind: .unsigned, sequence: record.sequence, line: lineNumber,
                    message: "the record is not signed, and signatures are required: its signature was stripped, "
                        + "or it was written without a key")
            }
            if let first = state.firstSigned {
                return AuditFailure(
                    kind: .unsigned, sequence: record.sequence, line: lineNumber,
                    message: "the record is not signed, but record \(first) before it was: signatures were stripped "
                        + "(a signed log stays signed)")
            }
            return nil
        }
        if state.firstSigned == nil { state.firstSigned = record.sequence }
        guard !trustedKeys.isEmpty else { return nil }
        guard let key = trustedKeys.first(where: { $0.keyID == signature.keyID }) else {
            if skipsUnknownSigners && !requireSignatures { return nil }
            let trusted = trustedKeys.map { "\($0.file) (\($0.keyID))" }.joined(separator: ", ")
            // The log's first signed record signed by none of the keys given is most likely the
            // wrong --key, not tampering: say both.
            let why =
                state.firstSigned == record.sequence
                ? "none of the keys given signs this log (the wrong --key?), or the record was re-signed with another key"
                : "the record was re-signed with another key, or the log's signing key changed here (give every key "
                    + "that signs it)"
            return AuditFailure(
                kind: .untrustedKey, sequence: record.sequence, line: lineNumber,
                message:
                    "signed by key \(AuditText.excerpt(signature.keyID)), which is not a trusted key (\(trusted)): "
                    + why)
        }
        guard signature.algorithm == key.algorithm.rawValue else {
            return AuditFailure(
                kind: .badSignature, sequence: record.sequence, line: lineNumber,
                message:
                    "the signature says algorithm \(AuditText.excerpt(signature.algorithm)), but key \(key.file) signs with "
                    + "\(key.algorithm.rawValue)")
        }
        guard let value = Data(base64Encoded: signature.value), !value.isEmpty,
            key.verifies([UInt8](value), over: record.canonicalBytes)
        else {
            return AuditFailure(
                kind: .badSignature, sequence: record.sequence, line: lineNumber,
                message: "the signature by \(key.file) does not verify: the record was altered after it was signed")
        }
        state.lastSignatureChecked = true
        return nil
    }

    private func sequenceFailure(
        _ record: AuditRecord, lineNumber: Int, expected: Int, bytes: [UInt8], lines: [Range<Int>]
    ) -> AuditFailure {
        if record.sequence < expected {
            return AuditFailure(
                kind: .duplicated, sequence: record.sequence, line: lineNumber,
                message: "record \(record.sequence) appears again where record \(expected) was expected: records "
                    + "were copied or reordered")
        }
        // Is the expected record further down? Then the records were moved, not removed.
        for (index, range) in lines.enumerated().dropFirst(lineNumber) {
            if let later = try? AuditRecord.decode(line: Array(bytes[range])), later.sequence == expected {
                return AuditFailure(
                    kind: .reordered, sequence: expected, line: lineNumber,
                    message: "line \(lineNumber) holds record \(record.sequence) and record \(expected) is on line "
                        + "\(index + 1): the records were reordered")
            }
        }
        let missing =
            record.sequence - expected == 1
            ? "record \(expected) was" : "records \(expected)–\(record.sequence - 1) were"
        return AuditFailure(
            kind: .removed, sequence: expected, line: lineNumber,
            message: "line \(lineNumber) holds record \(record.sequence) where record \(expected) was expected: "
                + "\(missing) removed")
    }

    /// The ranges of the complete lines (without their newline), and the bytes after the
    /// last newline when there are any.
    static func lines(of bytes: [UInt8]) -> (complete: [Range<Int>], partial: ArraySlice<UInt8>?) {
        var complete: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            complete.append(start..<index)
            start = index + 1
        }
        return (complete, start < bytes.count ? bytes[start...] : nil)
    }
}
