import Audit
import Foundation
import TestSupport
import Testing

@Suite("Audit verify command", .enabled(if: ScanGateCommand.isAvailable))
struct AuditVerifyCommandTests {
    static let example = "fixtures/audit/example-audit.jsonl"
    static let exampleKey = "fixtures/audit/audit.pub"

    @Test func theShippedExampleVerifiesWithItsKey() throws {
        let result = try ScanGateCommand.run([
            "audit", "verify", Self.example, "--key", Self.exampleKey, "--require-signatures",
        ])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("records    3"))
        #expect(result.standardOutput.contains("3 of 3 verified, by fixtures/audit/audit.pub"))
        #expect(result.standardOutput.hasSuffix("result     VERIFIED\n"))

        // Without a key the chain is checked, not who signed: the result says so.
        let chainOnly = try ScanGateCommand.run(["audit", "verify", Self.example])
        #expect(chainOnly.status == 0, "\(chainOnly.standardOutput)\(chainOnly.standardError)")
        #expect(
            chainOnly.standardOutput.hasSuffix("result     VERIFIED (the chain; signatures not checked: give --key)\n"))
    }

    /// A log rewritten without its signatures and signed again on top verifies record by record:
    /// with `--key` the unsigned records fail, unless `--allow-unsigned` accepts them (counted).
    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func unsignedRecordsBesideSignedOnesFailWithAKeyUnlessAllowed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path)
        try AuditSupport.makeLog(1, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath), startingAt: 3)
        let result = try ScanGateCommand.run(["audit", "verify", path, "--key", publicPath])
        #expect(result.status == 1, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("first bad  record 1 (line 1): the record is not signed"))
        #expect(result.standardOutput.hasSuffix("result     NOT VERIFIED (unsigned)\n"))
        let allowed = try ScanGateCommand.run(["audit", "verify", path, "--key", publicPath, "--allow-unsigned"])
        #expect(allowed.status == 0, "\(allowed.standardOutput)")
        #expect(allowed.standardOutput.contains("1 of 1 verified, by"))
        #expect(allowed.standardOutput.contains("; 2 records NOT signed"))
        #expect(allowed.standardOutput.hasSuffix("(2 records NOT signed, accepted by --allow-unsigned)\n"))
    }

    /// Every signature stripped and the chain recomputed: anyone who can write the file can do
    /// it, so a key given must not call it verified.
    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func aSignedLogStrippedOfItsSignaturesDoesNotVerifyWithAKey() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: path, signingKey: try AuditSigningKey(contentsOf: privatePath))
        try AuditSupport.write(try AuditSupport.strippedAndRechained(try AuditSupport.lines(of: path)), to: path)

        let text = try ScanGateCommand.run(["audit", "verify", path, "--key", publicPath])
        #expect(text.status == 1, "\(text.standardOutput)")
        #expect(text.standardOutput.contains("signatures 0 of 0 verified"), "\(text.standardOutput)")
        #expect(text.standardOutput.hasSuffix("result     NOT VERIFIED (unsigned)\n"))
        let json = try ScanGateCommand.run(["audit", "verify", path, "--key", publicPath, "--format", "json"])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect(object?["verified"] as? Bool == false)
        #expect(object?["signaturesRequired"] as? Bool == true)
        #expect((object?["failure"] as? [String: Any])?["kind"] as? String == "unsigned")
        // Without a key an unsigned log still verifies (the chain is all there is to check).
        #expect(try ScanGateCommand.run(["audit", "verify", path]).status == 0)
        // The opt-out accepts records written before the log had a key, not a log the key never
        // signed (found by a review: stripped, forged and re-chained, it verified).
        let allowed = try ScanGateCommand.run(["audit", "verify", path, "--key", publicPath, "--allow-unsigned"])
        #expect(allowed.status == 1, "\(allowed.standardOutput)")
        #expect(
            allowed.standardOutput.contains("problem    no record is signed by a key given"),
            "\(allowed.standardOutput)")
        #expect(!allowed.standardOutput.contains("first bad"), "\(allowed.standardOutput)")
        #expect(allowed.standardOutput.hasSuffix("result     NOT VERIFIED (unsigned)\n"))
    }

    @Test func theExampleStillReadsWithTheLibrary() throws {
        let bytes = try AuditLog(path: AuditSupport.repositoryRoot.appendingPathComponent(Self.example).path).read()
        let key = try AuditPublicKey(
            contentsOf: AuditSupport.repositoryRoot.appendingPathComponent(Self.exampleKey).path)
        let result = AuditLogVerifier(trustedKeys: [key], requireSignatures: true).verify(bytes)
        #expect(result.isValid && result.records == 3 && result.verifiedSignatures == 3)
        #expect(result.last?.entry.decision == .error && result.last?.entry.exitStatus == 3)
    }

    @Test func anAlteredRecordExitsOneAndIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        var lines = try AuditSupport.lines(of: AuditSupport.repositoryRoot.appendingPathComponent(Self.example).path)
        lines[0] = lines[0].replacingOccurrences(of: #""decision":"fail""#, with: #""decision":"pass""#)
        try AuditSupport.write(lines, to: path)

        let unsigned = try ScanGateCommand.run(["audit", "verify", path])
        #expect(unsigned.status == 1)
        #expect(unsigned.standardOutput.contains("first bad  record 1 (line 1):"))
        #expect(unsigned.standardOutput.contains("record 1 was altered"))

        let signed = try ScanGateCommand.run(["audit", "verify", path, "--key", Self.exampleKey, "--format", "json"])
        #expect(signed.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(signed.standardOutput.utf8)) as? [String: Any]
        let failure = object?["failure"] as? [String: Any]
        #expect(failure?["kind"] as? String == "bad-signature")
        #expect(failure?["sequence"] as? Int == 1 && failure?["line"] as? Int == 1)
    }

    @Test func aRemovedRecordExitsOneAndIsNamed() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        var lines = try AuditSupport.lines(of: AuditSupport.repositoryRoot.appendingPathComponent(Self.example).path)
        lines.remove(at: 1)
        try AuditSupport.write(lines, to: path)
        let result = try ScanGateCommand.run(["audit", "verify", path, "--key", Self.exampleKey])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("record 2 (line 2): line 2 holds record 3"))
        #expect(result.standardOutput.contains("result     NOT VERIFIED (removed)"))
    }

    @Test func anEmptyLogDoesNotVerify() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try Data().write(to: URL(fileURLWithPath: path))
        let result = try ScanGateCommand.run([
            "audit", "verify", path, "--key", Self.exampleKey, "--require-signatures",
        ])
        #expect(result.status == 1, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("the log holds no record"))
        #expect(result.standardOutput.hasSuffix("result     NOT VERIFIED (empty)\n"))
        // The library still reads an empty log as a valid start (the release gate appends to it).
        #expect(AuditLogVerifier().verify([]).isValid)
    }

    @Test func aPinnedHeadThatIsGoneExitsOne() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        let lines = try AuditSupport.lines(of: AuditSupport.repositoryRoot.appendingPathComponent(Self.example).path)
        let head = AuditDigest.sha256Hex(Array(lines[2].utf8))
        try AuditSupport.write(Array(lines.prefix(2)), to: path)
        #expect(try ScanGateCommand.run(["audit", "verify", Self.example, "--head", head]).status == 0)
        let result = try ScanGateCommand.run(["audit", "verify", path, "--head", head])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("truncated or rewritten"))
    }

    /// Text whoever wrote the log chose: line breaks, an escape sequence, a workflow command.
    static let injectedSchema =
        #""schema":"x\n::set-output name=verified::true\n\u001b[2J\u001b[32mresult     VERIFIED""#

    /// Record text reaches standard output as part of one printable line each, quoted values cut
    /// to 100 characters: no line a log's writer chose, no escape sequence, no 100 MB message.
    @Test func recordTextIsPrintedAsCappedPrintableLines() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: path)
        let original = try AuditSupport.lines(of: path)
        let schema = #""schema":"scangate-audit/1""#
        let labels = ["audit log  ", "records    ", "last       ", "signatures ", "first bad  ", "result     "]

        var lines = original
        lines[1] = lines[1].replacingOccurrences(of: schema, with: Self.injectedSchema)
        try AuditSupport.write(lines, to: path)
        let injected = try ScanGateCommand.run(["audit", "verify", path])
        #expect(injected.status == 1)
        let output = injected.standardOutput
        #expect(!output.contains("\u{1B}"), "\(output)")
        let printed = output.split(separator: "\n")
        #expect(printed.count == 6, "\(output)")
        #expect(printed.allSatisfy { line in labels.contains { line.hasPrefix($0) } }, "\(output)")
        #expect(output.hasSuffix("result     NOT VERIFIED (malformed)\n"))

        lines = original
        let long = String(repeating: "a", count: 200_000)
        lines[1] = lines[1].replacingOccurrences(of: schema, with: #""schema":"\#(long)""#)
        try AuditSupport.write(lines, to: path)
        let huge = try ScanGateCommand.run(["audit", "verify", path])
        #expect(huge.status == 1)
        #expect(huge.standardOutput.utf8.count < 2_000, "\(huge.standardOutput.utf8.count) bytes")
        #expect(huge.standardOutput.contains(String(repeating: "a", count: 100) + "… (200000 bytes)"))
        let json = try ScanGateCommand.run(["audit", "verify", path, "--format", "json"])
        #expect(json.status == 1)
        #expect(json.standardOutput.utf8.count < 2_000, "\(json.standardOutput.utf8.count) bytes")
    }

    /// (arguments after `audit verify`, exit status, words on standard error)
    static let failures: [([String], Int32, String)] = [
        (["fixtures/audit/none.jsonl"], 3, "no such file"),
        (["fixtures/audit"], 3, "fixtures/audit: is a directory, not a regular file"),
        (["/dev/null"], 3, "/dev/null: is a character device, not a regular file"),
        ([example, "--require-signatures"], 2, "--require-signatures needs at least one --key"),
        ([example, "--key", "fixtures/audit/none.pub"], 2, "cannot read the file"),
        ([example, "--key", "fixtures/audit/release-policy.yaml"], 2, "not a PEM public key"),
        ([example, "--head", "abc"], 2, "--head must be a SHA-256"),
        ([example, "--allow-unsigned"], 2, "--allow-unsigned needs at least one --key"),
        ([example, "--key", exampleKey, "--allow-unsigned", "--require-signatures"], 2, "contradict each other"),
        ([], 2, "Missing expected argument"),
    ]

    @Test(arguments: failures)
    func usageAndUnreadableFilesHaveTheirExitCodes(_ failure: ([String], Int32, String)) throws {
        let result = try ScanGateCommand.run(["audit", "verify"] + failure.0)
        #expect(result.status == failure.1, "\(result.standardError)")
        #expect(result.standardError.contains(failure.2), "\(result.standardError)")
    }

    /// A FIFO would block the reader until a writer comes, possibly forever: refused at once.
    @Test func aFIFOIsRefusedWithoutWaiting() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try #require(mkfifo(path, 0o644) == 0)
        AuditSupport.releaseFIFO(path)
        let result = try ScanGateCommand.run(["audit", "verify", path])
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("\(path): is a FIFO (named pipe), not a regular file"))
    }

    /// Nor is a key: a FIFO nobody writes to reads as empty at once (it is opened without
    /// blocking), so it is no key, exit 2, instead of a wait for ever (`--key`, and
    /// `release-gate --audit-key` through the same reader); a directory is refused.
    @Test func aKeyThatIsAnIdleFIFOOrADirectoryIsRefusedWithoutWaiting() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("audit.pub").path
        try #require(mkfifo(fifo, 0o644) == 0)
        AuditSupport.releaseFIFO(fifo)
        let started = Date()
        let piped = try ScanGateCommand.run(["audit", "verify", Self.example, "--key", fifo])
        #expect(piped.status == 2, "\(piped.standardError)")
        #expect(piped.standardError.contains(fifo), "\(piped.standardError)")
        // Not released by the helper after 3 s: refused before.
        #expect(Date().timeIntervalSince(started) < 3, "it waited for a writer")
        let folder = try ScanGateCommand.run(["audit", "verify", Self.example, "--key", directory.path])
        #expect(folder.status == 2, "\(folder.standardError)")
        #expect(folder.standardError.contains("is a directory, not a regular file"), "\(folder.standardError)")
    }

    /// A key given through a pipe (`--key <(…)`, `--key /dev/stdin`) is read to its end.
    @Test func aKeyFromAPipeIsRead() throws {
        let script = "cat \"$1\" | \"$0\" audit verify \"$2\" --key /dev/stdin --require-signatures"
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", script, ScanGateExecutable.url.path, Self.exampleKey, Self.example], in: AuditSupport.repositoryRoot)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("VERIFIED"), "\(result.standardOutput)")
    }

    /// Root reads any file, so this runs only as another user.
    @Test(.enabled(if: getuid() != 0)) func anUnreadableLogExitsThree() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.jsonl").path
        try Data().write(to: URL(fileURLWithPath: path))
        chmod(path, 0)
        #expect(try ScanGateCommand.run(["audit", "verify", path]).status == 3)
    }
}
