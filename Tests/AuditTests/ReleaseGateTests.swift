import Audit
import Foundation
import Testing

/// The release gate without a registry: configuration errors, unreadable reports, a registry
/// that is down (127.0.0.1 port 1 refuses at once), the policy's verdicts, the audit record of
/// each. A registry with signed images is the Signatures tests' end-to-end harness.
@Suite("Release gate command", .enabled(if: ScanGateCommand.isAvailable))
struct ReleaseGateCommandTests {
    static let policy = "fixtures/audit/release-policy.yaml"
    static let downImage = "127.0.0.1:1/acme/api:v1.4.0"
    static let downDigestImage =
        "127.0.0.1:1/acme/api@sha256:1bded1243bd19e5e1d1ef1bd0f4ab1d8a7ba1ae1b0ac6be43e9a2b9a4a6fabab"
    static let common = ["--tag", "v1.4.0", "--insecure-registry", "--now", "2026-11-25"]

    static func records(_ path: String) throws -> [AuditRecord] {
        try AuditSupport.lines(of: path).map { try AuditRecord.decode(line: Array($0.utf8)) }
    }

    @Test func failingFindingsAndARegistryThatIsDownFailWithOneDecision() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log,
            ]
                + Self.common)
        // A definite "no" (the findings) wins over the registry failure.
        #expect(result.status == 1, "\(result.standardError)")
        let output = result.standardOutput
        #expect(output.contains("ERROR   image 127.0.0.1:1/acme/api:v1.4.0"))
        #expect(output.contains("not checked, the registry failed"))
        #expect(output.contains("FAIL    critical vulnerability CVE-2021-44906 minimist 1.2.5"))
        #expect(!output.contains("signatures NOT verified"))
        #expect(output.contains("audit: record 1 appended to \(log), line SHA-256 "))
        let last = try #require(output.split(separator: "\n").last)
        #expect(last.hasPrefix("FAIL: tag v1.4.0: 0 of 1 images verified; 1 registry failure; findings 8 failing"))

        let record = try #require(try Self.records(log).first)
        #expect(record.entry.decision == .fail && record.entry.exitStatus == 1)
        #expect(record.entry.tag == "v1.4.0" && record.entry.environment == "production")
        #expect(record.entry.images.first?.verified == false)
        #expect(record.entry.images.first?.mutable == true)
        #expect(record.entry.reasons.contains { $0.hasPrefix("finding critical vulnerability CVE-2021-44906") })
        #expect(record.entry.counts.contains(AuditCount("fail", 8)))
        let policyBytes = try Data(contentsOf: AuditSupport.repositoryRoot.appendingPathComponent(Self.policy))
        #expect(record.entry.policy?.sha256 == AuditDigest.sha256Hex([UInt8](policyBytes)))
        #expect(
            record.entry.policy?.files.map(\.file) == [
                Self.policy, "policies/production.yaml", "policies/default.yaml",
            ])
    }

    @Test func cleanFindingsAndARegistryThatIsDownExitFourAndAreRecorded() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downDigestImage,
                "fixtures/audit/clean-trivy.json", "--audit-log", log, "--commit", "3cf3022", "--format", "json",
            ] + Self.common)
        #expect(result.status == 4, "\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "scangate-release-gate/1")
        #expect(object["decision"] as? String == "error")
        #expect(object["exit"] as? Int == 4)
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.first?["reason"] as? String == "registry-error")
        #expect(images.first?["mutableTag"] as? Bool == false)
        let gate = try #require(object["gate"] as? [String: Any])
        // The policy rules on the signature evidence: an image not checked fails the decision
        // (fail closed), while the findings pass; the exit status says the registry failed.
        #expect(gate["decision"] as? String == "fail")
        #expect((gate["counts"] as? [String: Any])?["fail"] as? Int == 0)
        let signatures = try #require(gate["signatures"] as? [String: Any])
        #expect(signatures["status"] as? String == "not-verified")
        let verdicts = try #require(signatures["images"] as? [[String: Any]])
        #expect(verdicts.map { $0["state"] as? String } == ["not-checked"])
        #expect(verdicts.map { $0["verdict"] as? String } == ["fail"])
        #expect(
            (verdicts.first?["reason"] as? [String: Any])?["source"] as? String
                == "fixtures/audit/release-policy.yaml:7")
        #expect((gate["warnings"] as? [String])?.contains { $0.contains("signatures NOT verified") } == false)
        let audit = try #require(object["audit"] as? [String: Any])
        #expect(audit["sequence"] as? Int == 1)

        let record = try #require(try Self.records(log).first)
        #expect(record.entry.decision == .error && record.entry.exitStatus == 4)
        #expect(record.entry.commit == "3cf3022")
        #expect(record.entry.images.first?.mutable == false)
        #expect(record.entry.images.first?.digest == Self.downDigestImage.split(separator: "@").last.map(String.init))
    }

    @Test func anUnreadableReportExitsThreeWithoutAskingTheRegistryAndIsRecorded() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        let report = directory.appendingPathComponent("broken.json")
        try Data("{\"SchemaVersion\": 2, \"Results\": [".utf8).write(to: report)
        let result = try ScanGateCommand.run(
            ["release-gate", "--policy", Self.policy, "--image", Self.downImage, report.path, "--audit-log", log]
                + Self.common)
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardOutput.contains("ERROR   image 127.0.0.1:1/acme/api:v1.4.0: not checked"))
        let record = try #require(try Self.records(log).first)
        #expect(record.entry.decision == .error && record.entry.exitStatus == 3)
        #expect(record.entry.reasons.first?.hasPrefix("report unreadable: \(report.path)") == true)
        #expect(record.entry.images.first?.reason == "not checked: a report could not be read")
    }

    /// `-o` or the audit log inside the reports directory would be read as a report by the next
    /// run (which would then stop, exit 3): refused before anything is decided, exit 2.
    @Test func anOutputOrAuditLogTheNextRunWouldReadIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reports = directory.appendingPathComponent("reports")
        try FileManager.default.createDirectory(
            at: reports.appendingPathComponent("out"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "fixtures/audit/clean-trivy.json",
            toPath: reports.appendingPathComponent("trivy.json").path)
        for extra in [
            ["-o", reports.appendingPathComponent("out/release.txt").path],
            ["--audit-log", reports.appendingPathComponent("audit.jsonl").path],
        ] {
            let result = try ScanGateCommand.run(
                ["release-gate", "--policy", Self.policy, "--image", Self.downImage, reports.path] + extra
                    + Self.common)
            #expect(result.status == 2, "\(extra): \(result.standardError)")
            #expect(result.standardError.contains("would be read as a report (the argument \(reports.path))"))
            #expect(!FileManager.default.fileExists(atPath: extra[1]))
        }
    }

    @Test func noReportAtAllIsNotAPass() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try ScanGateCommand.run(
            ["release-gate", "--policy", Self.policy, "--image", Self.downImage, empty.path] + Self.common)
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("\(empty.path): no report file in this directory"))
    }

    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func everyRunIsChainedAndSignedAndVerifies() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = try AuditSupport.makeKey(.ed25519, named: "audit", in: directory)
        let log = directory.appendingPathComponent("audit.jsonl").path
        let arguments =
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "--audit-log", log, "--audit-key",
                privatePath,
            ]
            + Self.common
        #expect(try ScanGateCommand.run(arguments + ["fixtures/examples"]).status == 1)
        #expect(try ScanGateCommand.run(arguments + ["fixtures/audit/clean-trivy.json"]).status == 4)
        #expect(try ScanGateCommand.run(arguments + ["fixtures/audit/none.json"]).status == 3)

        let verified = try ScanGateCommand.run(["audit", "verify", log, "--key", publicPath, "--require-signatures"])
        #expect(verified.status == 0, "\(verified.standardOutput)")
        #expect(try Self.records(log).map(\.entry.decision) == [.fail, .error, .error])

        // Without the key, the signed log refuses another record; the log is unchanged.
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let unsigned = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "--audit-log", log,
                "fixtures/examples",
            ]
                + Self.common)
        #expect(unsigned.status == 2)
        #expect(unsigned.standardError.contains("record 3 is signed, so every record after it must be"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }

    /// Key rotation is allowed, and said: the next verification needs both keys.
    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func signingWithAnotherKeyThanTheLastRecordIsWarnedOf() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (oldPrivate, oldPublic) = try AuditSupport.makeKey(.p256, named: "old", in: directory)
        let (newPrivate, newPublic) = try AuditSupport.makeKey(.ed25519, named: "new", in: directory)
        let log = directory.appendingPathComponent("audit.jsonl").path
        let oldKey = try AuditSigningKey(contentsOf: oldPrivate)
        try AuditSupport.makeLog(1, at: log, signingKey: oldKey)
        let arguments =
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log,
            ]
            + Self.common

        let rotated = try ScanGateCommand.run(arguments + ["--audit-key", newPrivate])
        #expect(rotated.status == 1, "\(rotated.standardError)")
        #expect(
            rotated.standardError.contains(
                "warning: audit log \(log): record 1 was signed by key \(oldKey.publicKey.keyID.prefix(16))…, this run "
                    + "signs with \(newPrivate)"), "\(rotated.standardError)")
        // The same key again: nothing to say.
        let again = try ScanGateCommand.run(arguments + ["--audit-key", newPrivate])
        #expect(again.status == 1)
        #expect(!again.standardError.contains("warning: audit log"), "\(again.standardError)")
        let verified = try ScanGateCommand.run(["audit", "verify", log, "--key", oldPublic, "--key", newPublic])
        #expect(verified.status == 0, "\(verified.standardOutput)")

        // Back to the old key after the new one signed: not a rotation, so refused, unless the
        // new key is named as one that also signs this log.
        let before = try AuditSupport.lines(of: log).count
        let back = try ScanGateCommand.run(arguments + ["--audit-key", oldPrivate])
        #expect(back.status == 2, "\(back.standardError)")
        #expect(back.standardError.contains("another signer wrote into the log"), "\(back.standardError)")
        #expect(back.standardError.contains("--audit-trusted-key"))
        #expect(try AuditSupport.lines(of: log).count == before)
        let trusted = try ScanGateCommand.run(
            arguments + ["--audit-key", oldPrivate, "--audit-trusted-key", newPublic])
        #expect(trusted.status == 1, "\(trusted.standardError)")
        #expect(try AuditSupport.lines(of: log).count == before + 1)
        let all = try ScanGateCommand.run(["audit", "verify", log, "--key", oldPublic, "--key", newPublic])
        #expect(all.status == 0, "\(all.standardOutput)")
    }

    /// Signing after unsigned records vouches for a chain no key vouched for (a log started
    /// without a key, or stripped of its signatures): said (found by a review).
    @Test(.enabled(if: AuditSupport.hasOpenSSL))
    func signingAfterUnsignedRecordsIsWarnedOf() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, _) = try AuditSupport.makeKey(.p256, named: "audit", in: directory)
        let log = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: log)
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "--audit-key", privatePath,
            ] + Self.common)
        #expect(result.status == 1, "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "warning: audit log \(log): record 2 is not signed, and this run signs the next"),
            "\(result.standardError)")
    }

    @Test func aBrokenAuditLogStopsTheGateBeforeAnythingIsDone() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(3, at: log)
        var lines = try AuditSupport.lines(of: log)
        lines.remove(at: 1)
        try AuditSupport.write(lines, to: log)
        let before = try Data(contentsOf: URL(fileURLWithPath: log))

        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log,
            ]
                + Self.common)
        #expect(result.status == 2)
        #expect(result.standardError.contains("does not verify, so nothing was appended: record 2 (line 2)"))
        #expect(result.standardOutput.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }

    /// The refusal quotes the record it cannot read: as one printable line, never as lines or
    /// escape sequences of the log writer's choosing.
    @Test func aBrokenAuditLogIsQuotedAsOnePrintableLine() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: log)
        var lines = try AuditSupport.lines(of: log)
        lines[1] = lines[1].replacingOccurrences(
            of: #""schema":"scangate-audit/1""#, with: AuditVerifyCommandTests.injectedSchema)
        try AuditSupport.write(lines, to: log)

        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log,
            ] + Self.common)
        #expect(result.status == 2)
        #expect(!result.standardError.contains("\u{1B}"), "\(result.standardError)")
        let printed = result.standardError.split(separator: "\n")
        #expect(printed.count == 2, "\(result.standardError)")
        #expect(printed.first?.hasPrefix("error: audit log \(log) does not verify") == true)
        #expect(printed.last == "scangate release-gate: nothing was decided")
    }

    /// A FIFO, a device or a directory named as the audit log is a configuration error at once,
    /// not a job that waits forever for a writer (or reads /dev/zero until memory runs out).
    @Test func anAuditLogThatIsNotARegularFileIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("audit.jsonl").path
        try #require(mkfifo(fifo, 0o644) == 0)
        let cases = [
            (fifo, "is a FIFO (named pipe)"), ("/dev/null", "is a character device"),
            (directory.path, "is a directory"),
        ]
        for (log, words) in cases {
            if log == fifo { AuditSupport.releaseFIFO(fifo) }
            let result = try ScanGateCommand.run(
                [
                    "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples",
                    "--audit-log", log,
                ] + Self.common)
            #expect(result.status == 2, "\(log): \(result.standardError)")
            #expect(result.standardError.contains("error: audit log \(log): \(words), not a regular file"))
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test func anOutputNamingTheAuditLogIsRefusedBeforeAnythingIsDone() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(2, at: log)
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "-o", log,
            ] + Self.common)
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(log) is an input of this command"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }

    /// The same when the log does not exist yet (the run would create it, then overwrite it with
    /// its output), named through another spelling of its directory.
    @Test func anOutputNamingANewAuditLogIsRefusedToo() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("fresh.jsonl").path
        let otherSpelling = directory.appendingPathComponent(".").appendingPathComponent("fresh.jsonl").path
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "-o", otherSpelling,
            ] + Self.common)
        #expect(result.status == 2)
        #expect(result.standardError.contains("is an input of this command"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: log))
    }

    /// A decision the audit log did not take does not count, and the output says so: error,
    /// exit 2, the reason, not the decision it would have been.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")))
    func anUnrecordedDecisionIsAnErrorInTheOutputToo() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A directory that says it is writable and creates no file: the log passes the early
        // check and the append fails. (A link to nothing is refused up front now.)
        let log = "/proc/self/fd/scangate-audit.jsonl"
        let output = directory.appendingPathComponent("decision.json")
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "--format", "json", "-o", output.path,
            ] + Self.common)
        #expect(result.status == 2, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        #expect(json["decision"] as? String == "error")
        #expect(json["exit"] as? Int == 2)
        #expect((json["reasons"] as? [String])?.last?.hasPrefix("not recorded in the audit log") == true)
    }

    /// An output that cannot be written is refused before the decision is recorded: the record
    /// would state an exit status the command then did not end with.
    @Test func anUnwritableOutputIsRefusedBeforeTheRecord() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(1, at: log)
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "-o", directory.appendingPathComponent("missing/decision.txt").path,
            ] + Self.common)
        #expect(result.status == 2)
        #expect(result.standardError.contains("cannot write"), "\(result.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }

    /// A device cannot be staged beside itself: `-o /dev/full` recorded the decision (exit 1 here)
    /// and then exited 2 (found by a review of the README's claims). It is written before the
    /// record now, so the record says error, exit 2, as the command ends. A directory as `-o` is
    /// refused before anything is decided or recorded.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aDeviceOrDirectoryOutputIsNeverRecordedAsTheDecision() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        let full = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "-o", "/dev/full",
            ] + Self.common)
        #expect(full.status == 2, "\(full.standardError)")
        #expect(full.standardError.contains("cannot write /dev/full"), "\(full.standardError)")
        let records = try Self.records(log)
        #expect(records.count == 1)
        #expect(records.first?.entry.decision == .error && records.first?.entry.exitStatus == 2)

        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let intoDirectory = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "-o", directory.path,
            ] + Self.common)
        #expect(intoDirectory.status == 2)
        #expect(intoDirectory.standardError.contains("it is a directory"), "\(intoDirectory.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }

    /// An output file that cannot be written once the decision is made (a full disk; here a file
    /// size limit the record fits under and the output does not): the record says error, exit 2,
    /// as the command ends, not the decision; and no part of the output is left behind.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func anOutputThatCannotBeWrittenIsRecordedAsTheErrorItIs() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        let output = directory.appendingPathComponent("decision.json").path
        // The record is some 2.5 KB, the JSON output some 14 KB.
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "--format", "json", "-o", output,
            ] + Self.common, fileSizeLimit: 8)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("cannot write \(output): File too large"), "\(result.standardError)")
        let records = try Self.records(log)
        #expect(records.count == 1)
        #expect(records.first?.entry.decision == .error && records.first?.entry.exitStatus == 2)
        #expect(records.first?.entry.reasons.last?.hasPrefix("the output could not be written") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["audit.jsonl"])

        // Under the limit the output is put in place and names the record it goes with.
        let written = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log, "--format", "json", "-o", output,
            ] + Self.common, fileSizeLimit: 64)
        #expect(written.status == 1, "\(written.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(((object as? [String: Any])?["audit"] as? [String: Any])?["sequence"] as? Int == 2)
        #expect(try Self.records(log).last?.entry.exitStatus == 1)
    }

    /// A record cut short by a full disk (here a file size limit the record crosses) is undone,
    /// and the reason given is the system's (EFBIG here, ENOSPC on a full disk), not EIO.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func aShortWriteIsUndoneAndItsReasonGiven() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.jsonl").path
        try AuditSupport.makeLog(1, at: log)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int)
        // The next record (some 2.5 KB) starts under the limit and cannot end under it.
        let limit = size / 1024 + 1
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--policy", Self.policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                log,
            ] + Self.common, fileSizeLimit: limit)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("cannot append: File too large (after "), "\(result.standardError)")
        #expect(result.standardError.contains("the part written was undone"))
        #expect(!result.standardError.contains("Input/output error"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
    }

    /// (arguments after `release-gate`, exit status, words on standard error)
    /// A `.scangate.yaml` in a temporary directory whose `release` section names `release`
    /// (YAML lines, indented two spaces), with the repository's release policy as production's
    /// and the examples as its reports.
    static func configuration(release: [String], in directory: URL) throws -> String {
        let root = AuditSupport.repositoryRoot.path
        let text =
            """
            scangate-config: 1
            reports: ["\(root)/fixtures/examples/*"]
            policies:
              staging: \(root)/policies/staging.yaml
              production: \(root)/\(policy)
            release:

            """ + release.map { "  " + $0 + "\n" }.joined()
        let path = directory.appendingPathComponent(".scangate.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theReleaseSectionOfTheConfigurationIsWhatTheGateChecks() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try Self.configuration(
            release: [
                "images: [\"\(Self.downImage)\"]",
                "keys: [\(AuditSupport.repositoryRoot.path)/fixtures/audit/release.pub]", "audit-log: audit.jsonl",
            ],
            in: directory)
        let result = try ScanGateCommand.run(["release-gate", "--config", config] + Self.common)
        // The configuration's policy, images, reports and audit log: the same decision as the flags give.
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardOutput.contains("ERROR   image \(Self.downImage)"))
        #expect(result.standardOutput.contains("FAIL    critical vulnerability CVE-2021-44906 minimist 1.2.5"))
        let log = directory.appendingPathComponent("audit.jsonl").path
        let record = try #require(try Self.records(log).first)
        #expect(record.entry.images.map(\.reference) == [Self.downImage])
        #expect(record.entry.policy?.files.first?.file == "\(AuditSupport.repositoryRoot.path)/\(Self.policy)")

        // Every flag wins over the configuration.
        let other = "127.0.0.1:1/acme/worker:v2"
        let overridden = try ScanGateCommand.run(
            ["release-gate", "--config", config, "--image", other, "fixtures/audit/clean-trivy.json"] + Self.common)
        #expect(overridden.status == 4, "\(overridden.standardError)")
        #expect(overridden.standardOutput.contains("ERROR   image \(other)"))
        #expect(!overridden.standardOutput.contains(Self.downImage))
        #expect(try Self.records(log).count == 2)
    }

    /// `production: policies/staging.yaml`, a slip `scangate ci --env production` refuses, would
    /// judge the release by staging's thresholds and waivers: refused before anything is decided.
    @Test func aReleaseMappedToAnotherEnvironmentsPolicyIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = AuditSupport.repositoryRoot.path
        let config = directory.appendingPathComponent(".scangate.yaml").path
        let text = """
            scangate-config: 1
            reports: ["\(root)/fixtures/examples/*"]
            policies:
              production: \(root)/policies/staging.yaml
            release:
              images: ["\(Self.downImage)"]
              keys: [\(root)/fixtures/audit/release.pub]
              audit-log: audit.jsonl

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        let result = try ScanGateCommand.run(["release-gate", "--config", config] + Self.common)
        #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
        #expect(
            result.standardError.contains(
                "policies maps production to \(root)/policies/staging.yaml, whose environment: staging ("),
            "\(result.standardError)")
        #expect(result.standardError.contains("nothing was decided"))
        #expect(result.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("audit.jsonl").path))
    }

    /// `--policy policies/dev.yaml` on a release gated in production (the default) gated it in dev,
    /// silently: a critical secret only warned and the release passed. Refused now, exit 2, before
    /// anything is decided or recorded.
    @Test func aReleaseGivenAnotherEnvironmentsPolicyByFlagIsRefused() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = AuditSupport.repositoryRoot.path
        let log = directory.appendingPathComponent("audit.jsonl").path
        for policy in ["policies/dev.yaml", "policies/staging.yaml"] {
            let result = try ScanGateCommand.run(
                [
                    "release-gate", "--policy", policy, "--image", Self.downImage, "fixtures/examples", "--audit-log",
                    log,
                ]
                    + Self.common)
            #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
            #expect(
                result.standardError.contains("--policy \(policy) has environment: ")
                    && result.standardError.contains("but the release is gated in production"),
                "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: log))
        }
        // A production policy under its own name (`prod.yaml`, `environment: prod`) gates the
        // release as it always did, under that name: its `prod` waivers hold.
        let named = directory.appendingPathComponent("prod.yaml").path
        try Data("scangate-policy: 1\nextends: \(root)/\(Self.policy)\n".utf8).write(to: URL(fileURLWithPath: named))
        let declared = directory.appendingPathComponent("release-eu.yaml").path
        try Data("scangate-policy: 1\nextends: \(root)/\(Self.policy)\nenvironment: prod\n".utf8).write(
            to: URL(fileURLWithPath: declared))
        for policy in [named, declared] {
            let result = try ScanGateCommand.run(
                ["release-gate", "--policy", policy, "--image", Self.downImage, "fixtures/examples"] + Self.common)
            #expect(result.status == 1, "\(result.standardError)")
            #expect(result.standardOutput.contains("env prod)"), "\(result.standardOutput)")
        }
        // release.environment says which environment a release is gated in: staging's policy there.
        let config = directory.appendingPathComponent(".scangate.yaml").path
        try Data(
            "scangate-config: 1\nreports: [\"\(root)/fixtures/examples/*\"]\nrelease: {environment: staging}\n".utf8
        ).write(to: URL(fileURLWithPath: config))
        let staging = try ScanGateCommand.run(
            ["release-gate", "--config", config, "--policy", "policies/staging.yaml", "--image", Self.downImage]
                + Self.common)
        // Past the environment, to the next check (staging.yaml names no release keys).
        #expect(!staging.standardError.contains("but the release is gated in"), "\(staging.standardError)")
        #expect(staging.standardError.contains("the policy names no signature keys"), "\(staging.standardError)")
    }

    /// A policy the configuration maps for production gates the release in production, as `scangate
    /// ci` gates in the environment it maps, whatever the file is called: production's waivers hold.
    @Test func theReleaseIsGatedInTheEnvironmentItsPolicyIsMappedFor() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = AuditSupport.repositoryRoot.path
        // No `environment:` of its own (it is never inherited): its file name would say "team".
        try Data("scangate-policy: 1\nextends: \(root)/\(Self.policy)\n".utf8).write(
            to: directory.appendingPathComponent("team.yaml"))
        let waivers = """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-44906
                environments: [production]
                reason: argv is never attacker-controlled
                approved-by: security@example.org
                approved-on: 2026-11-24
                expires: 2026-11-30
                severity: critical

            """
        try Data(waivers.utf8).write(to: directory.appendingPathComponent("waivers.yaml"))
        let text = """
            scangate-config: 1
            reports: ["\(root)/fixtures/examples/*"]
            waivers: [waivers.yaml]
            policies:
              production: team.yaml
            release:
              images: ["\(Self.downImage)"]
              audit-log: audit.jsonl

            """
        let config = directory.appendingPathComponent(".scangate.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        let result = try ScanGateCommand.run(["release-gate", "--config", config] + Self.common)
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("environment production, date 2026-11-25"), "\(result.standardOutput)")
        #expect(
            result.standardOutput.contains("WAIVED  critical vulnerability CVE-2021-44906"), "\(result.standardOutput)")
        let record = try #require(try Self.records(directory.appendingPathComponent("audit.jsonl").path).first)
        #expect(record.entry.environment == "production")
    }

    @Test func keysOfTheConfigurationAndThePolicyMustBeTheSame() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A copy of the policy's key under another name is the same key.
        let copy = directory.appendingPathComponent("copy-of-release.pub").path
        try FileManager.default.copyItem(
            atPath: AuditSupport.repositoryRoot.appendingPathComponent("fixtures/audit/release.pub").path,
            toPath: copy)
        let same = try Self.configuration(
            release: ["images: [\"\(Self.downImage)\"]", "keys: [\(copy)]"], in: directory)
        let accepted = try ScanGateCommand.run(
            ["release-gate", "--config", same, "fixtures/audit/clean-trivy.json"] + Self.common)
        #expect(accepted.status == 4, "\(accepted.standardError)")

        let other = AuditSupport.repositoryRoot.appendingPathComponent("fixtures/audit/audit.pub").path
        let differing = try Self.configuration(
            release: ["images: [\"\(Self.downImage)\"]", "keys: [\(other)]", "audit-log: audit.jsonl"], in: directory)
        let refused = try ScanGateCommand.run(["release-gate", "--config", differing] + Self.common)
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardError.contains("are not the same keys"), "\(refused.standardError)")
        #expect(refused.standardError.contains("nothing was decided"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("audit.jsonl").path))

        // A key file that cannot be read stops the gate, naming who named it.
        let missing = try Self.configuration(
            release: ["images: [\"\(Self.downImage)\"]", "keys: [/nonexistent/release.pub]"], in: directory)
        let unreadable = try ScanGateCommand.run(["release-gate", "--config", missing] + Self.common)
        #expect(unreadable.status == 2, "\(unreadable.standardError)")
        #expect(unreadable.standardError.contains("/nonexistent/release.pub"), "\(unreadable.standardError)")
        #expect(unreadable.standardError.contains("(named by release.keys)"), "\(unreadable.standardError)")
    }

    @Test func releaseKeysServeAPolicyThatNamesNone() throws {
        let directory = try AuditSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("keyless.yaml").path
        try Data("scangate-policy: 1\nfail-on: critical\n".utf8).write(to: URL(fileURLWithPath: policy))
        let key = AuditSupport.repositoryRoot.appendingPathComponent("fixtures/audit/release.pub").path
        let config = try Self.configuration(
            release: ["images: [\"\(Self.downImage)\"]", "keys: [\(key)]"], in: directory)
        let result = try ScanGateCommand.run(
            [
                "release-gate", "--config", config, "--policy", policy, "fixtures/audit/clean-trivy.json", "--format",
                "json",
            ]
                + Self.common)
        #expect(result.status == 4, "\(result.standardError)")
        #expect(result.standardOutput.contains(key), "\(result.standardOutput)")
        // Neither names a key: nothing could ever verify, so nothing is decided.
        let none = try Self.configuration(release: ["images: [\"\(Self.downImage)\"]"], in: directory)
        let refused = try ScanGateCommand.run(
            ["release-gate", "--config", none, "--policy", policy, "fixtures/audit/clean-trivy.json"] + Self.common)
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardError.contains("the policy names no signature keys"))
    }

    static let failures: [([String], Int32, String)] = [
        // The shipped production policy names a placeholder key that does not exist.
        (
            ["--policy", "policies/production.yaml", "--tag", "v1", "--image", downImage, "fixtures/examples"], 2,
            "keys/release.pub: cannot read"
        ),
        (
            ["--policy", "policies/staging.yaml", "--tag", "v1", "--image", downImage, "fixtures/examples"], 2,
            "but the release is gated in production"
        ),
        (
            [
                "--policy", "fixtures/policy/invalid-policy.yaml", "--tag", "v1", "--image", downImage,
                "fixtures/examples",
            ],
            2, "fixtures/policy/invalid-policy.yaml:9"
        ),
        (["--policy", policy, "--tag", "v1", "fixtures/examples"], 2, "no images: pass --image REF"),
        (
            ["--policy", policy, "--tag", "v1", "--image", "not a reference", "fixtures/examples"], 2,
            "not a valid image"
        ),
        (["--policy", policy, "--tag", "", "--image", downImage, "fixtures/examples"], 2, "--tag must be"),
        (["--policy", policy, "--image", downImage, "fixtures/examples"], 2, "Missing expected argument '--tag"),
        (
            ["--tag", "v1", "--image", downImage, "fixtures/examples"], 2,
            "no policy for the release: pass --policy FILE"
        ),
        (["--policy", policy, "--tag", "v1", "--image", downImage], 2, "no reports: list them under reports"),
        (
            ["--config", "/nonexistent/.scangate.yaml", "--tag", "v1", "--image", downImage, "fixtures/examples"], 2,
            "/nonexistent/.scangate.yaml"
        ),
        (
            ["--policy", policy, "--tag", "v1", "--image", downImage, "--audit-key", "k.pem", "fixtures/examples"], 2,
            "an audit key without an audit log"
        ),
        (
            [
                "--policy", policy, "--tag", "v1", "--image", downImage, "--audit-log", "/tmp/never-written.jsonl",
                "--audit-key", "fixtures/audit/audit.pub", "fixtures/examples",
            ], 2, "not an unencrypted PEM private key"
        ),
        (
            [
                "--policy", policy, "--tag", "v1", "--image", downImage, "--audit-log",
                "/nonexistent-directory/audit.jsonl", "fixtures/examples",
            ], 2, "/nonexistent-directory/audit.jsonl: cannot create: No such file or directory"
        ),
        (
            ["--policy", policy, "--tag", "v1", "--image", downImage, "--now", "tomorrow", "fixtures/examples"], 2,
            "--now \"tomorrow\""
        ),
    ]

    @Test(arguments: failures)
    func configurationErrorsExitTwoAndRecordNothing(_ failure: ([String], Int32, String)) throws {
        let result = try ScanGateCommand.run(["release-gate"] + failure.0)
        #expect(result.status == failure.1, "\(result.standardError)")
        #expect(result.standardError.contains(failure.2), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.jsonl"))
    }
}
