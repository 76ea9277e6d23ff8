import Audit
import Foundation
import Testing

@Suite("Audit log chain")
struct AuditChainTests {
    @Test func aChainOfRecordsVerifies() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(5, at: path)

        let result = try AuditSupport.verify(path)
        #expect(result.isValid, "\(String(describing: result.failure))")
        #expect(result.records == 5)
        #expect(result.last?.sequence == 5)

        let lines = try AuditSupport.lines(of: path)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix(#"{"schema":"scangate-audit/1","sequence":1,"time":"2026-09-21T"#))
        #expect(lines[0].contains(#""previous":"\#(AuditRecord.genesis)""#))
        for index in 1..<lines.count {
            let previous = AuditDigest.sha256Hex(Array(lines[index - 1].utf8))
            #expect(lines[index].contains(#""previous":"\#(previous)""#))
        }
        #expect(result.lastLineSHA256 == AuditDigest.sha256Hex(Array(lines[4].utf8)))
    }

    @Test func recordsRoundTripAndTheTimeIsUTC() throws {
        let record = AuditRecord(
            sequence: 3, time: RFC3339.utc(secondsSince1970: 0), previous: AuditRecord.genesis,
            entry: AuditSupport.entry(7, decision: .fail))
        #expect(record.time == "1970-01-01T00:00:00Z")
        #expect(RFC3339.utc(secondsSince1970: 1_790_000_123) == "2026-09-21T14:15:23Z")
        let decoded = try AuditRecord.decode(line: record.lineBytes)
        #expect(decoded == record)
        #expect(decoded.lineBytes == record.lineBytes)
        #expect(!record.lineBytes.contains(0x0A))
    }

    @Test func anEmptyOrAbsentLogVerifies() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try AuditSupport.verify(directory.appendingPathComponent("none.jsonl").path)
        #expect(result.isValid && result.records == 0)
    }

    /// A log that is a link to nothing is refused before any slow work, naming the link: the
    /// append could not create the log through it, and said so only after the registries were
    /// asked (found by a review).
    @Test func aLogThatLinksToNothingIsRefusedUpFront() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dangling.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "nowhere.jsonl")
        let error = #expect(throws: AuditLogError.self) { try AuditLog(path: path).checkAppendable() }
        #expect("\(String(describing: error))".contains("a link to nowhere.jsonl, which does not exist"))
        // A loop of links is said as the system says it, not as a link to nothing.
        let loop = directory.appendingPathComponent("loop.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop.jsonl")
        let looped = #expect(throws: AuditLogError.self) { try AuditLog(path: loop).checkAppendable() }
        #expect(
            "\(String(describing: looped))".contains("Too many levels of symbolic links"),
            "\(String(describing: looped))")
    }

    @Test func anAlteredRecordIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(5, at: path)
        var lines = try AuditSupport.lines(of: path)
        // A consistent edit: still canonical JSON, only the decision changed.
        lines[2] = lines[2].replacingOccurrences(
            of: #""decision":"pass","exit":0"#, with: #""decision":"pass","exit":1"#)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .altered)
        #expect(failure.sequence == 3)
        #expect(failure.line == 3)
        #expect(failure.message.contains("record 3 was altered"))
    }

    @Test func aWhiteSpaceEditOfTheLastRecordIsCaught() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path)
        var lines = try AuditSupport.lines(of: path)
        lines[2] = lines[2].replacingOccurrences(of: #""sequence":3"#, with: #""sequence": 3"#)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .altered)
        #expect(failure.sequence == 3 && failure.line == 3)
    }

    @Test func aRemovedRecordIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(5, at: path)
        var lines = try AuditSupport.lines(of: path)
        lines.remove(at: 2)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .removed)
        #expect(failure.sequence == 3)
        #expect(failure.line == 3)
        #expect(failure.message.contains("record 3 was removed"))
    }

    @Test func theFirstRecordRemovedIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path)
        try AuditSupport.write(Array(try AuditSupport.lines(of: path).dropFirst()), to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .removed)
        #expect(failure.sequence == 1 && failure.line == 1)
    }

    @Test func reorderedRecordsAreNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(5, at: path)
        var lines = try AuditSupport.lines(of: path)
        lines.swapAt(1, 2)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .reordered)
        #expect(failure.sequence == 2)
        #expect(failure.line == 2)
        #expect(failure.message.contains("record 2 is on line 3"))
    }

    @Test func aDuplicatedRecordIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path)
        var lines = try AuditSupport.lines(of: path)
        lines.insert(lines[1], at: 2)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .duplicated)
        #expect(failure.sequence == 2 && failure.line == 3)
    }

    @Test func aLineThatIsNotARecordIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path)
        var lines = try AuditSupport.lines(of: path)
        lines[1] = String(lines[1].dropLast())
        try AuditSupport.write(lines, to: path)

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .malformed)
        #expect(failure.sequence == 2 && failure.line == 2)
    }

    @Test func anIncompleteLastLineIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"schema":"scangate-audit/1","seq"#.utf8))
        try handle.close()

        let failure = try #require(try AuditSupport.verify(path).failure)
        #expect(failure.kind == .incomplete)
        #expect(failure.sequence == 3 && failure.line == 3)
    }

    @Test func aTruncatedLogIsCaughtWithAPinnedRecord() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(4, at: path)
        let pinned = try #require(try AuditSupport.verify(path).lastLineSHA256)
        let bytes = try AuditLog(path: path).read()
        #expect(AuditLogVerifier(expectedRecord: pinned).verify(bytes).isValid)

        try AuditSupport.write(Array(try AuditSupport.lines(of: path).prefix(3)), to: path)
        let truncated = AuditLogVerifier(expectedRecord: pinned).verify(try AuditLog(path: path).read())
        #expect(truncated.failure?.kind == .headMissing)
        // Without the pin the cut is invisible: the reason to keep one.
        #expect(try AuditSupport.verify(path).isValid)
    }
}

@Suite("Audit log signatures", .enabled(if: AuditSupport.hasOpenSSL))
struct AuditSignatureTests {
    @Test(arguments: AuditSupport.KeyType.allCases)
    func aSignedChainVerifiesWithItsKey(_ type: AuditSupport.KeyType) throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(type, named: "audit", in: directory)
        let signingKey = try AuditSigningKey(contentsOf: privatePath)
        let publicKey = try AuditPublicKey(contentsOf: publicPath)
        #expect(signingKey.publicKey.keyID == publicKey.keyID)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(4, at: path, signingKey: signingKey)

        let result = try AuditSupport.verify(path, keys: [publicKey], requireSignatures: true)
        #expect(result.isValid, "\(String(describing: result.failure))")
        #expect(result.records == 4 && result.signedRecords == 4 && result.verifiedSignatures == 4)
        #expect(result.signingKeys == [publicKey.keyID])
        let lines = try AuditSupport.lines(of: path)
        #expect(lines.allSatisfy { $0.contains(#""signature":{"keyId":"\#(publicKey.keyID)""#) })
    }

    @Test func theKeyIdIsTheSHA256OfTheDERPublicKey() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let der = try AuditSupport.openssl(["pkey", "-pubin", "-in", publicPath, "-outform", "DER"])
        #expect(try AuditPublicKey(contentsOf: publicPath).keyID == AuditDigest.sha256Hex([UInt8](der)))
    }

    /// The same EC key with its point compressed is the same key: same id, its records verify.
    @Test func aCompressedECPublicKeyIsTheSameKey() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let compressedPath = directory.appendingPathComponent("compressed.pub").path
        try AuditSupport.openssl([
            "ec", "-in", privatePath, "-pubout", "-conv_form", "compressed", "-out", compressedPath,
        ])
        let compressed = try AuditPublicKey(contentsOf: compressedPath)
        let uncompressed = try AuditPublicKey(contentsOf: publicPath)
        #expect(compressed.keyID == uncompressed.keyID)
        #expect(compressed.der == uncompressed.der)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        let result = try AuditSupport.verify(path, keys: [compressed], requireSignatures: true)
        #expect(result.isValid, "\(String(describing: result.failure))")
        #expect(result.verifiedSignatures == 2)
    }

    @Test func theSignatureCoversTheCanonicalBytesAsOpenSSLSeesThem() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        let appended = try AuditLog(path: path, clock: .fixed(0)).append(
            AuditSupport.entry(1), signingKey: try AuditSigningKey(contentsOf: privatePath))
        // Documented canonicalization: the line without `,"signature":{…}`, closed with `}`.
        let line = String(decoding: appended.line, as: UTF8.self)
        let range = try #require(line.range(of: #","signature":"#))
        let canonical = String(line[..<range.lowerBound]) + "}"
        #expect(Array(canonical.utf8) == appended.record.canonicalBytes)
        let message = directory.appendingPathComponent("canonical").path
        let signature = directory.appendingPathComponent("signature").path
        try Data(canonical.utf8).write(to: URL(fileURLWithPath: message))
        let value = try #require(appended.record.signature?.value)
        try #require(Data(base64Encoded: value)).write(to: URL(fileURLWithPath: signature))
        let output = try AuditSupport.openssl(
            ["dgst", "-sha256", "-verify", publicPath, "-signature", signature, message])
        #expect(String(decoding: output, as: UTF8.self).contains("Verified OK"))
    }

    @Test func aSignedRecordAlteredIsNamedByItsSignature() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.ed25519, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        var lines = try AuditSupport.lines(of: path)
        lines[2] = lines[2].replacingOccurrences(of: #""tag":"v1.3.0""#, with: #""tag":"v9.9.9""#)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(
            try AuditSupport.verify(path, keys: [try AuditPublicKey(contentsOf: publicPath)]).failure)
        #expect(failure.kind == .badSignature)
        #expect(failure.sequence == 3 && failure.line == 3)
    }

    @Test func aRecordReSignedWithAnotherKeyIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let (otherPrivate, _) = try AuditSupport.makeKey(.ed25519, named: "attacker", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(4, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))

        // Record 2 changed from fail to pass and signed again, by a key the verifier does not trust.
        var lines = try AuditSupport.lines(of: path)
        var record = try AuditRecord.decode(line: Array(lines[1].utf8))
        record.entry.decision = .fail
        let attacker = try AuditSigningKey(contentsOf: otherPrivate)
        record.signature = AuditSignature(
            keyID: attacker.publicKey.keyID, algorithm: attacker.publicKey.algorithm.rawValue,
            value: Data(try attacker.sign(record.canonicalBytes)).base64EncodedString())
        lines[1] = String(decoding: record.lineBytes, as: UTF8.self)
        try AuditSupport.write(lines, to: path)

        let trusted = try AuditPublicKey(contentsOf: publicPath)
        let failure = try #require(try AuditSupport.verify(path, keys: [trusted]).failure)
        #expect(failure.kind == .untrustedKey)
        #expect(failure.sequence == 2 && failure.line == 2)
        #expect(failure.message.contains(attacker.publicKey.keyID))
        #expect(failure.message.contains("re-signed with another key"))
        #expect(!failure.message.contains("the wrong --key"))

        // Verified with the wrong key, the first record already fails: the likely cause is said first.
        let (_, unrelated) = try AuditSupport.makeKey(.ed25519, named: "unrelated", in: directory)
        let wrong = try #require(
            try AuditSupport.verify(path, keys: [try AuditPublicKey(contentsOf: unrelated)]).failure)
        #expect(wrong.kind == .untrustedKey && wrong.sequence == 1)
        #expect(wrong.message.contains("none of the keys given signs this log (the wrong --key?)"), "\(wrong.message)")
    }

    /// Whoever can write the log can append a well-chained record signed with a key of their
    /// own; the next release must not take it for a key rotation and append after it (from then
    /// on the log verifies with the attacker's key only). A rotation, to the appending key, is
    /// still allowed.
    @Test func aRecordSignedByAnotherKeyAfterThisKeysRecordsStopsTheAppend() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, _) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let (otherPrivate, _) = try AuditSupport.makeKey(.ed25519, named: "attacker", in: directory)
        let own = try AuditSigningKey(contentsOf: privatePath)
        let attacker = try AuditSigningKey(contentsOf: otherPrivate)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path, signingKey: own)
        try AuditSupport.makeLog(1, at: path, signingKey: attacker, startingAt: 3)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let error = #expect(throws: AuditLogError.self) {
            try AuditLog(path: path).append(AuditSupport.entry(4), signingKey: own)
        }
        guard case .foreignSignerAfterOwn(_, let sequence, let keyID, let ownSequence) = error else {
            Issue.record("expected foreignSignerAfterOwn, got \(String(describing: error))")
            return
        }
        #expect(sequence == 3 && ownSequence == 2 && keyID == attacker.publicKey.keyID)
        #expect(error?.description.contains("another signer wrote into the log") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // A rotation: a log only another key signed, appended by this one.
        let rotated = directory.appendingPathComponent("rotated.jsonl").path
        try AuditSupport.makeLog(2, at: rotated, signingKey: attacker)
        try AuditLog(path: rotated).append(AuditSupport.entry(3), signingKey: own)
        #expect(try AuditSupport.lines(of: rotated).count == 3)
    }

    /// Two logs signed with the same key, spliced: every signature verifies, so no record was
    /// altered; the chain shows they do not belong together.
    @Test func aSpliceOfTwoSignedLogsIsNamedAsOne() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let key = try AuditSigningKey(contentsOf: privatePath)
        let first = directory.appendingPathComponent("first.jsonl").path
        let second = directory.appendingPathComponent("second.jsonl").path
        try AuditSupport.makeLog(3, at: first, signingKey: key)
        for index in 1...3 {
            try AuditLog(path: second, clock: .fixed(1_800_000_000 + index)).append(
                AuditSupport.entry(index), signingKey: key)
        }
        let spliced = directory.appendingPathComponent("spliced.jsonl").path
        try AuditSupport.write(
            Array(try AuditSupport.lines(of: first).prefix(2)) + [try AuditSupport.lines(of: second)[2]], to: spliced)

        let result = try AuditSupport.verify(spliced, keys: [try AuditPublicKey(contentsOf: publicPath)])
        #expect(result.verifiedSignatures == 2)
        let failure = try #require(result.failure)
        #expect(failure.kind == .spliced)
        #expect(failure.sequence == 3 && failure.line == 3)
        #expect(failure.message.hasPrefix("record 3 does not follow record 2: both signatures verify"))
        #expect(!failure.message.contains("altered"))
    }

    @Test func aSignatureClaimingAnotherKeyIdDoesNotVerify() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let (otherPrivate, _) = try AuditSupport.makeKey(.p256, named: "attacker", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        var lines = try AuditSupport.lines(of: path)
        var record = try AuditRecord.decode(line: Array(lines[1].utf8))
        record.entry.reasons = ["nothing to see"]
        let attacker = try AuditSigningKey(contentsOf: otherPrivate)
        // The trusted key's id, the attacker's signature.
        let forged = Data(try attacker.sign(record.canonicalBytes)).base64EncodedString()
        record.signature?.value = forged
        lines[1] = String(decoding: record.lineBytes, as: UTF8.self)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(
            try AuditSupport.verify(path, keys: [try AuditPublicKey(contentsOf: publicPath)]).failure)
        #expect(failure.kind == .badSignature)
        #expect(failure.sequence == 2 && failure.line == 2)
    }

    @Test func strippedSignaturesAreCaught() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        var lines = try AuditSupport.lines(of: path)
        var record = try AuditRecord.decode(line: Array(lines[2].utf8))
        record.signature = nil
        record.entry.decision = .pass
        lines[2] = String(decoding: record.lineBytes, as: UTF8.self)
        try AuditSupport.write(lines, to: path)

        let failure = try #require(
            try AuditSupport.verify(path, keys: [try AuditPublicKey(contentsOf: publicPath)]).failure)
        #expect(failure.kind == .unsigned)
        #expect(failure.sequence == 3 && failure.line == 3)
    }

    @Test func requiredSignaturesNameTheFirstUnsignedRecord() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path)
        let failure = try #require(
            try AuditSupport.verify(path, keys: [try AuditPublicKey(contentsOf: publicPath)], requireSignatures: true)
                .failure)
        #expect(failure.kind == .unsigned)
        #expect(failure.sequence == 1 && failure.line == 1)
    }

    @Test func withoutKeysSignaturesAreReadButNotChecked() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, _) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        let result = try AuditSupport.verify(path)
        #expect(result.isValid)
        #expect(result.signedRecords == 2 && result.verifiedSignatures == 0 && !result.signaturesChecked)
    }

    @Test func keysThatAreNotUsableAreRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let encrypted = directory.appendingPathComponent("encrypted.key").path
        try AuditSupport.openssl(["pkey", "-in", privatePath, "-aes256", "-passout", "pass:secret", "-out", encrypted])
        #expect(throws: AuditKeyError.self) { try AuditSigningKey(contentsOf: encrypted) }
        #expect(throws: AuditKeyError.self) { try AuditSigningKey(contentsOf: publicPath) }
        #expect(throws: AuditKeyError.self) { try AuditPublicKey(contentsOf: privatePath) }
        #expect(throws: AuditKeyError.self) {
            try AuditPublicKey(contentsOf: directory.appendingPathComponent("none").path)
        }
        let weak = directory.appendingPathComponent("weak.key").path
        try AuditSupport.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", weak])
        let error = #expect(throws: AuditKeyError.self) { try AuditSigningKey(contentsOf: weak) }
        #expect(error?.message.contains("too weak") == true)
    }
}

@Suite("Audit log appends")
struct AuditAppendTests {
    @Test func appendingToABrokenLogIsRefusedAndChangesNothing() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path)
        var lines = try AuditSupport.lines(of: path)
        lines[2] = lines[2].replacingOccurrences(of: #""decision":"pass""#, with: #""decision":"fail""#)
            .replacingOccurrences(of: "\"sequence\":3", with: "\"sequence\":03")
        try AuditSupport.write(lines, to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let error = #expect(throws: AuditLogError.self) {
            try AuditLog(path: path).append(AuditSupport.entry(4))
        }
        guard case .brokenLog(_, let failure) = error else {
            Issue.record("expected a broken log, got \(String(describing: error))")
            return
        }
        #expect(failure.line == 3)
        #expect(error?.description.contains("nothing was appended") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// An emptied log (`: > audit.jsonl`) does not verify, and the next release must not start
    /// the chain again over the evidence (found by a review): appending to an existing empty file
    /// is refused (after a moment given to a release that may have just created it); a log this
    /// call creates is started as before.
    @Test func appendingToAnEmptiedLogIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path)
        try Data().write(to: URL(fileURLWithPath: path))
        let log = AuditLog(path: path)
        let error = #expect(throws: AuditLogError.self) { try log.append(AuditSupport.entry(4)) }
        guard case .emptyLog(let file) = error else {
            Issue.record("expected an empty log, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        // No file at all: a new log.
        try FileManager.default.removeItem(atPath: path)
        #expect(try log.append(AuditSupport.entry(1)).record.sequence == 1)
    }

    @Test func appendingAfterAnInterruptedWriteIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(1, at: path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"sche".utf8))
        try handle.close()
        let error = #expect(throws: AuditLogError.self) { try AuditLog(path: path).append(AuditSupport.entry(2)) }
        guard case .brokenLog(_, let failure) = error else {
            Issue.record("expected a broken log, got \(String(describing: error))")
            return
        }
        #expect(failure.kind == .incomplete)
    }

    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func anUnsignedAppendToASignedLogIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, _) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(1, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        let error = #expect(throws: AuditLogError.self) { try AuditLog(path: path).append(AuditSupport.entry(2)) }
        guard case .signingKeyRequired(_, let sequence) = error else {
            Issue.record("expected a signing key to be required, got \(String(describing: error))")
            return
        }
        #expect(sequence == 1)
    }

    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func anAppendRefusesALastRecordWhoseSignatureDoesNotVerify() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, _) = try AuditSupport.makeKey(.ed25519, named: "audit", in: directory)
        let key = try AuditSigningKey(contentsOf: privatePath)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path, signingKey: key)
        var lines = try AuditSupport.lines(of: path)
        lines[1] = lines[1].replacingOccurrences(of: #""exit":0"#, with: #""exit":7"#)
        try AuditSupport.write(lines, to: path)
        let error = #expect(throws: AuditLogError.self) {
            try AuditLog(path: path).append(AuditSupport.entry(3), signingKey: key)
        }
        guard case .brokenLog(_, let failure) = error else {
            Issue.record("expected a broken log, got \(String(describing: error))")
            return
        }
        #expect(failure.kind == .badSignature && failure.sequence == 2)
    }

    @Test func concurrentAppendsKeepOneChain() async throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...16 {
                group.addTask { try AuditLog(path: path).append(AuditSupport.entry(index)) }
            }
            try await group.waitForAll()
        }
        let result = try AuditSupport.verify(path)
        #expect(result.isValid, "\(String(describing: result.failure))")
        #expect(result.records == 16)
    }

    @Test func onlyARegularFileIsReadOrAppendedTo() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (path, kind) in [(directory.path, "a directory"), ("/dev/null", "a character device")] {
            for operation in ["read", "append"] {
                let error = #expect(throws: AuditLogError.self) {
                    if operation == "read" {
                        _ = try AuditLog(path: path).read()
                    } else {
                        try AuditLog(path: path).append(AuditSupport.entry(1))
                    }
                }
                guard case .notARegularFile(let file, let found) = error else {
                    Issue.record("\(operation) \(path): expected not a regular file, got \(String(describing: error))")
                    continue
                }
                #expect(file == path && found == kind)
            }
        }
        let absent = directory.appendingPathComponent("none.jsonl").path
        #expect(try AuditLog(path: absent).read().isEmpty)
        let error = #expect(throws: AuditLogError.self) { try AuditLog(path: absent).read(allowingAbsent: false) }
        #expect(error?.description == "\(absent): no such file")
    }

    @Test func aLogLargerThanTheLimitIsNotRead() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path)
        var log = AuditLog(path: path)
        log.maximumSize = 1_000
        for operation in ["read", "append"] {
            let error = #expect(throws: AuditLogError.self) {
                if operation == "read" { _ = try log.read() } else { try log.append(AuditSupport.entry(3)) }
            }
            guard case .tooLarge(_, let size, let limit) = error else {
                Issue.record("\(operation): expected too large, got \(String(describing: error))")
                continue
            }
            #expect(size > 1_000 && limit == 1_000)
        }
        #expect(try AuditSupport.lines(of: path).count == 2)
    }

    @Test func aLogInAMissingDirectoryIsAnIOError() throws {
        let error = #expect(throws: AuditLogError.self) {
            try AuditLog(path: "/nonexistent-\(UUID().uuidString)/audit.jsonl").append(AuditSupport.entry(1))
        }
        guard case .io(_, let operation, _) = error else {
            Issue.record("expected an I/O error, got \(String(describing: error))")
            return
        }
        #expect(operation == "open")
    }
}
