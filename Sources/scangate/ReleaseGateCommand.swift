import Adapters
import ArgumentParser
import Audit
import Findings
import Foundation
import Policy
import ScanGateJSON
import Signatures

/// `scangate release-gate`: the job before a production tag. Every image must verify with the
/// keys the policy names, the findings must pass the policy, and the result is one decision
/// with every reason, appended to the audit log when one is given.
///
/// Outcomes and exit codes (also in the command's help):
/// - 0 pass: every image verified and no finding fails (`signatures: required` is not consulted:
///   the release gate always verifies, with the policy's `signatures: keys`);
/// - 1 fail: an image did not verify (no signature, wrong key, digest or reference mismatch…)
///   or the findings fail the policy. A definite "no" wins over a registry failure: retrying
///   cannot turn it into a pass;
/// - 4 error: a registry failed for some image and nothing else failed;
/// - 3 error: a report could not be read (no registry is contacted then);
/// - 2 configuration or usage: the policy, its keys, waivers, VEX, baseline, the audit key, or an
///   audit log that does not verify (checked before any work), or the record could not be
///   appended (then the gate never passes: a decision not recorded does not count).
///
/// Outcomes 0, 1, 3 and 4 are each appended to `--audit-log` as one record (decision `pass`,
/// `fail` or `error`, with the exit status): a failed attempt is recorded too, so the log shows
/// every run, not just the successful ones. Configuration errors are not recorded: no decision
/// was attempted, and the log itself may be what is wrong.
struct ReleaseGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release-gate",
        abstract: "Verify every image's signature and gate the findings with the production policy: one decision.",
        discussion: """
            Every --image must verify with the keys the policy names (signatures: keys:, relative to the \
            policy file); an image given by tag is resolved to its digest, which is what is verified, and \
            reported as mutable. The findings of the reports must pass the policy. Signature results and \
            finding verdicts are one decision with every reason. With --audit-log the decision is appended \
            to that hash-chained log (signed with --audit-key), failed attempts included. Exit codes: 0 pass, \
            1 an image did not verify or the findings failed, 2 configuration or usage error (or the audit \
            log does not verify or cannot be written), 3 a report could not be read (or none was given), \
            4 a registry failed and nothing else did (a definite no is 1).
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(help: "The production policy (YAML); its signatures: keys: are the trusted keys.")
    var policy: String

    @Option(help: "The release tag (v1.4.0).")
    var tag: String

    @Option(name: .customLong("image"), help: "An image to release: REGISTRY/REPO[:TAG][@sha256:…]; repeat per image.")
    var images: [String] = []

    @Option(help: "The commit released (recorded in the audit log).")
    var commit: String?

    @Option(help: "A waivers file (YAML, scangate-waivers: 1); may be repeated.")
    var waivers: [String] = []

    @Option(help: "An OpenVEX document whose not_affected and fixed statements suppress findings; may be repeated.")
    var vex: [String] = []

    @Option(help: "A previous `scangate ingest --format json` output: findings in it are not new.")
    var baseline: String?

    @Option(help: "Judge waivers as of this day (YYYY-MM-DD); default: today in UTC.")
    var now: String?

    @Option(help: "Append the decision to this audit log (JSON lines, hash-chained).")
    var auditLog: String?

    @Option(help: "Sign the audit record with this private key (PEM: ECDSA P-256/P-384/P-521, Ed25519, RSA).")
    var auditKey: String?

    @Flag(help: "Allow plain HTTP to a registry on localhost or 127.0.0.1.")
    var insecureRegistry = false

    @Option(help: "Output format: table (for a person) or json (the whole decision).")
    var format: GateOutputFormat = .table

    @Option(name: [.short, .customLong("output")], help: "Write the output to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("at least one --image is required") }
        for image in images where ImageReference(image) == nil {
            throw ValidationError("--image \"\(image)\" is not a valid image reference")
        }
        guard Self.isPlainWord(tag) else { throw ValidationError("--tag must be a non-empty word (v1.4.0)") }
        if let commit, !Self.isPlainWord(commit) { throw ValidationError("--commit must be a non-empty word") }
        if let now, Day(parsing: now) == nil {
            throw ValidationError("--now \"\(now)\" is not a date in the form YYYY-MM-DD")
        }
        if auditKey != nil && auditLog == nil { throw ValidationError("--audit-key goes with --audit-log") }
    }

    /// No white space or control characters: tags and commits go into one-line records and messages.
    private static func isPlainWord(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }

    func run() throws {
        let setup = try loadConfiguration()
        var evidence = Evidence(setup: setup, command: self)

        // Reports first: an unreadable report stops the gate before any registry is contacted.
        guard let findings = loadFindings(into: &evidence) else {
            try finish(evidence, status: ExitStatus.unreadableReport)
            return
        }
        let options = { (reference: String) in
            RegistryOptions(
                allowInsecureLoopback: insecureRegistry,
                credentials: ImageReference(reference).flatMap {
                    RegistryCredentials.lookup(registry: $0.registry, environment: ProcessInfo.processInfo.environment)
                })
        }
        let verification = VerificationPolicy(keys: setup.keys)
        evidence.images = images.map {
            RegistryImageVerifier(policy: verification, options: options($0)).verify(reference: $0)
        }
        evidence.decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: setup.policy, waivers: setup.waivers, vex: setup.vex,
                baseline: setup.baseline, today: setup.today))

        let definiteNo =
            evidence.images.contains { !$0.isVerified && !$0.isRegistryFailure }
            || evidence.decision?.passed == false
        let registryFailed = evidence.images.contains(where: \.isRegistryFailure)
        let status =
            definiteNo ? ExitStatus.gateFailed : registryFailed ? ExitStatus.remoteFailure : ExitStatus.ok
        try finish(evidence, status: status)
    }

    // MARK: Configuration

    /// Everything read before the gate runs. Any problem here is exit 2, and not recorded.
    struct Setup {
        var policy: Policy
        var policyFiles: [AuditFile]
        var keys: [PublicKey]
        var waivers: [WaiverFile]
        var vex: [VEXDocument]
        var baseline: Baseline?
        var today: Day
        var signingKey: AuditSigningKey?
        var log: AuditLog?
    }

    private func loadConfiguration() throws -> Setup {
        func refuse(_ message: String) -> ExitCode {
            Terminal.error("error: \(message)")
            Terminal.error("scangate release-gate: nothing was decided")
            return ExitCode(ExitStatus.usage)
        }
        let loaded: Policy
        let waiverFiles: [WaiverFile]
        let vexDocuments: [VEXDocument]
        let previous: Baseline?
        do {
            loaded = try PolicyLoader().load(path: policy)
            waiverFiles = try waivers.map { path throws(ConfigurationError) in try WaiverFile.load(path: path) }
            for file in waiverFiles { try file.validate(against: loaded) }
            vexDocuments = try vex.map { path throws(ConfigurationError) in try VEXDocument.load(path: path) }
            previous = try baseline.map { path throws(ConfigurationError) in try GateCommand.loadBaseline(path) }
        } catch {
            throw refuse("\(error) (the \(error.document.rawValue) file is invalid)")
        }
        // The release gate always verifies: a policy that names no key cannot release anything.
        guard !loaded.signatures.resolvedKeys.isEmpty else {
            throw refuse(
                "\(policy): the policy names no signature keys (signatures: keys: [release.pub]); the release gate "
                    + "verifies every image with them")
        }
        var keys: [PublicKey] = []
        for path in loaded.signatures.resolvedKeys {
            do {
                keys.append(try PublicKey.load(path: path))
            } catch {
                throw refuse("signature key \(error) (named by \(loaded.signatures.source?.description ?? policy))")
            }
        }
        var files: [AuditFile] = []
        for file in loaded.files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw refuse("\(file): cannot read the policy file to record its digest")
            }
            files.append(AuditFile(file: file, sha256: AuditDigest.sha256Hex([UInt8](data))))
        }
        var signingKey: AuditSigningKey?
        var log: AuditLog?
        if let auditLog {
            do {
                signingKey = try auditKey.map { path throws(AuditKeyError) in try AuditSigningKey(contentsOf: path) }
            } catch {
                throw refuse("audit key \(error)")
            }
            let candidate = AuditLog(path: auditLog)
            do {
                // Checked now so a broken log stops the job before the registries are asked; the
                // append checks again under the lock.
                try candidate.checkAppendable(signingKey: signingKey)
            } catch {
                throw refuse("audit log \(error)")
            }
            log = candidate
        }
        return Setup(
            policy: loaded, policyFiles: files, keys: keys, waivers: waiverFiles, vex: vexDocuments,
            baseline: previous, today: now.flatMap(Day.init(parsing:)) ?? Day.today(), signingKey: signingKey,
            log: log)
    }

    // MARK: Reports

    /// The findings of every report, or nil (with the reasons in `evidence`) when one cannot be read.
    private func loadFindings(into evidence: inout Evidence) -> FindingSet? {
        var failures: [String] = []
        for argument in input.reports where !FileManager.default.fileExists(atPath: argument) {
            failures.append("\(argument): no such file or directory")
        }
        var parsed: [ParsedReport] = []
        if failures.isEmpty {
            let reader = ReportReader(
                maximumSize: input.maxReportSize, allowsIncompleteReports: input.allowIncomplete)
            // Checked above, so expand finds every argument.
            for path in (try? ReportLoading.expand(input.reports)) ?? [] {
                do {
                    parsed.append(try reader.read(path: path, as: input.forcedFormat))
                } catch {
                    failures.append("\(error)")
                }
            }
            // Fail closed: a release judged on no scan at all is not a pass.
            if parsed.isEmpty && failures.isEmpty {
                failures.append("\(input.reports.joined(separator: ", ")): no report files found")
            }
        }
        guard failures.isEmpty else {
            for failure in failures { Terminal.error("error: \(failure)") }
            let count = failures.count
            Terminal.error("scangate release-gate: \(count) report\(count == 1 ? "" : "s") could not be read")
            evidence.reportFailures = failures
            return nil
        }
        for report in parsed {
            for warning in report.warnings { Terminal.error("warning: \(report.source): \(warning)") }
        }
        return FindingSet(merging: parsed.flatMap(\.findings))
    }

    // MARK: Decision, record, output

    /// What the gate found: the images' verdicts, the policy's decision, unreadable reports.
    struct Evidence {
        var setup: Setup
        var tag: String
        var commit: String?
        var references: [String]
        var images: [ImageVerification] = []
        var decision: Decision?
        var reportFailures: [String] = []

        init(setup: Setup, command: ReleaseGateCommand) {
            self.setup = setup
            self.tag = command.tag
            self.commit = command.commit
            self.references = command.images
        }
    }

    private func finish(_ evidence: Evidence, status: Int32) throws {
        let outcome = ReleaseOutcome(evidence: evidence, status: status)
        var appended: AuditAppendResult?
        var auditError: AuditLogError?
        if let log = evidence.setup.log {
            do {
                appended = try log.append(outcome.auditEntry, signingKey: evidence.setup.signingKey)
            } catch {
                auditError = error
            }
        }
        let bytes: [UInt8]
        switch format {
        case .table: bytes = Array(outcome.text(audit: appended, log: auditLog).utf8)
        case .json: bytes = outcome.json(audit: appended, log: auditLog)
        }
        try OutputFile.write(bytes, to: output)
        if let auditError {
            Terminal.error("error: audit log \(auditError)")
            Terminal.error("scangate release-gate: the decision was not recorded, so it does not count")
            throw ExitCode(ExitStatus.usage)
        }
        if status != ExitStatus.ok { throw ExitCode(status) }
    }
}

/// The one decision of a release-gate run, and its renderings: text, JSON and the audit entry.
struct ReleaseOutcome {
    let evidence: ReleaseGateCommand.Evidence
    let status: Int32

    var decision: AuditDecision {
        switch status {
        case ExitStatus.ok: .pass
        case ExitStatus.gateFailed: .fail
        default: .error
        }
    }

    /// The gate's decision as shown: without the "scangate gate does not verify signatures"
    /// warning, since this command did verify them.
    var shownDecision: Decision? {
        guard var decision = evidence.decision else { return nil }
        decision.warnings.removeAll { $0.hasPrefix("signatures NOT verified") }
        decision.signatures.status = .notRequired
        return decision
    }

    /// Every reason for the decision: each image's verdict, each failing finding, the count line.
    var reasons: [String] {
        var reasons = evidence.reportFailures.map { "report unreadable: \($0)" }
        for (index, reference) in evidence.references.enumerated() {
            if index < evidence.images.count {
                reasons.append(imageReason(evidence.images[index]))
            } else {
                reasons.append("image \(reference): not checked")
            }
        }
        if let decision = evidence.decision {
            for verdict in decision.verdicts where verdict.verdict == .fail {
                let finding = verdict.finding
                var what = "finding \(verdict.severity.rawValue) \(finding.kind.rawValue) \(finding.ruleID)"
                if let package = finding.package {
                    what += " \(package.name)" + (package.installedVersion.map { " \($0)" } ?? "")
                }
                reasons.append("\(what) fails: \(verdict.reason.text)")
            }
            for check in decision.maxCounts where check.exceeded {
                reasons.append(
                    "max \(check.severity): \(check.count) remain, the policy allows \(check.limit.value) "
                        + "(\(check.limit.source))")
            }
            reasons.append("findings: " + findingsLine(decision))
        }
        return reasons
    }

    private func imageReason(_ image: ImageVerification) -> String {
        let name = image.digest.map { "\(image.reference) (\($0))" } ?? image.reference
        if image.isVerified, let check = image.verifiedBy.first, let key = check.key {
            return "image \(name): verified by key \(key.source) (\(key.id)), \(check.source)"
        }
        if image.isRegistryFailure {
            return "image \(name): not checked, the registry failed: \(image.failure?.detail ?? "")"
        }
        return "image \(name): NOT verified: \(image.failure?.description ?? "no signature verified")"
    }

    /// `0 failing, 3 warnings, … (policy production.yaml, env production)`.
    private func findingsLine(_ decision: Decision) -> String {
        guard let shown = shownDecision else { return "" }
        let line = DecisionText.summaryLine(shown)
        return String(line.drop { $0 != " " }.dropFirst())
            .replacingOccurrences(of: " (policy", with: decision.passed ? " (pass; policy" : " (FAIL; policy")
    }

    var summary: String {
        let verified = evidence.images.filter(\.isVerified).count
        var parts = ["\(verified) of \(evidence.references.count) images verified"]
        if !evidence.reportFailures.isEmpty {
            parts = ["\(evidence.reportFailures.count) reports unreadable, images not checked"]
        }
        let registry = evidence.images.filter(\.isRegistryFailure).count
        if registry > 0 { parts.append("\(registry) registry failure\(registry == 1 ? "" : "s")") }
        if let decision = evidence.decision { parts.append("findings " + findingsLine(decision)) }
        let label: String
        switch decision {
        case .pass: label = "PASS"
        case .fail: label = "FAIL"
        case .error: label = "ERROR"
        }
        return "\(label): tag \(evidence.tag): " + parts.joined(separator: "; ")
    }

    // MARK: Audit entry

    var auditEntry: AuditEntry {
        let setup = evidence.setup
        let images = evidence.references.enumerated().map { index, reference in
            guard index < evidence.images.count else {
                return AuditImage(
                    reference: reference, digest: ImageReference(reference)?.digest,
                    mutable: ImageReference(reference)?.isMutable ?? true, verified: false, key: nil,
                    reason: "not checked: a report could not be read")
            }
            let image = evidence.images[index]
            let key = image.verifiedBy.first?.key.map { AuditKeyReference(id: $0.id, file: $0.source) }
            let reason: String
            if image.isVerified, let check = image.verifiedBy.first {
                reason = "verified: \(check.source)" + (check.layerDigest.map { " [\($0)]" } ?? "")
            } else {
                reason = image.failure?.description ?? "not verified"
            }
            return AuditImage(
                reference: reference, digest: image.digest, mutable: image.resolvedFromTag,
                verified: image.isVerified, key: key, reason: reason)
        }
        var counts = [
            AuditCount("images", evidence.references.count),
            AuditCount("imagesVerified", evidence.images.filter(\.isVerified).count),
            AuditCount("reportsUnreadable", evidence.reportFailures.count),
        ]
        if let decision = evidence.decision {
            for verdict in Verdict.allCases { counts.append(AuditCount(verdict.rawValue, decision.counts[verdict])) }
        }
        return AuditEntry(
            event: "release-gate", tag: evidence.tag, commit: evidence.commit,
            environment: evidence.decision?.environment ?? setup.policy.environment,
            policy: AuditPolicy(
                file: setup.policy.file, sha256: setup.policyFiles.first?.sha256 ?? "", files: setup.policyFiles),
            images: images, counts: counts, decision: decision, exitStatus: Int(status), reasons: reasons)
    }

    // MARK: Text

    func text(audit: AuditAppendResult?, log: String?) -> String {
        let setup = evidence.setup
        var lines: [String] = []
        var header = "scangate release-gate: tag \(evidence.tag)"
        if let commit = evidence.commit { header += ", commit \(commit)" }
        header += ", policy \(setup.policy.file)"
        if setup.policy.files.count > 1 {
            header += " (extends \(setup.policy.files.dropFirst().joined(separator: ", ")))"
        }
        header += ", environment \(setup.policy.environment), date \(setup.today)"
        lines.append(header)
        lines.append(
            "keys: " + setup.keys.map { "\($0.source) (\($0.id.prefix(16))…, \($0.algorithm))" }.joined(separator: ", ")
        )
        lines.append("")
        for failure in evidence.reportFailures { lines.append("ERROR   report unreadable: \(failure)") }
        for (index, reference) in evidence.references.enumerated() {
            guard index < evidence.images.count else {
                lines.append("ERROR   image \(reference): not checked")
                continue
            }
            lines += imageLines(evidence.images[index])
        }
        if let shown = shownDecision {
            // The gate's own rendering of the verdicts, without its header and summary line.
            var body = DecisionText.render(shown).split(separator: "\n", omittingEmptySubsequences: false).map(
                String.init)
            if !body.isEmpty { body.removeFirst() }
            while body.last?.isEmpty == true { body.removeLast() }
            if !body.isEmpty { body.removeLast() }
            while body.last?.isEmpty == true { body.removeLast() }
            lines += body
        }
        lines.append("")
        if let audit, let log {
            var line = "audit: record \(audit.record.sequence) appended to \(log), line SHA-256 \(audit.lineSHA256)"
            if let signature = audit.record.signature { line += ", signed by key \(signature.keyID.prefix(16))…" }
            lines.append(line)
        }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    /// An image as the gate's verdicts are shown: label, what, then the why indented.
    private func imageLines(_ image: ImageVerification) -> [String] {
        let indent = "        "
        let name = "image " + image.reference + (image.resolvedFromTag ? image.digest.map { " → \($0)" } ?? "" : "")
        var lines: [String] = []
        if image.isVerified, let check = image.verifiedBy.first, let key = check.key {
            lines.append("PASS    \(name)")
            lines.append(
                indent + "verified by key \(key.source) (\(key.id.prefix(16))…, \(key.algorithm)), \(check.source)")
        } else if image.isRegistryFailure {
            lines.append("ERROR   \(name)")
            lines.append(indent + "not checked, the registry failed: \(image.failure?.detail ?? "")")
        } else {
            lines.append("FAIL    \(name)")
            lines.append(indent + "NOT verified: \(image.failure?.description ?? "no signature verified")")
        }
        if image.resolvedFromTag, let digest = image.digest {
            lines.append(
                indent + "tag \(image.tag ?? "latest") is mutable: it points to \(digest) now; release by that digest")
        }
        return lines
    }

    // MARK: JSON

    /// `{"schema":"scangate-release-gate/1","decision","exit","summary","tag","commit","reasons",
    ///   "keys":[…],"images":[scangate verify's image object…],"gate":{scangate gate's decision},
    ///   "audit":{"log","sequence","lineSHA256","keyId"}|null}`.
    func json(audit: AuditAppendResult?, log: String?) -> [UInt8] {
        var writer = JSONWriter(pretty: true, reservingCapacity: 1 << 14)
        writer.beginObject()
        writer.field("schema", "scangate-release-gate/1")
        writer.field("decision", decision.rawValue)
        writer.field("exit", Int(status))
        writer.field("summary", summary)
        writer.field("tag", evidence.tag)
        writer.field("commit", evidence.commit)
        writer.field("reasons", reasons)
        writer.field("reportsUnreadable", evidence.reportFailures)
        writer.key("keys")
        writer.beginArray()
        for key in evidence.setup.keys {
            writer.beginObject()
            writer.field("file", key.source)
            writer.field("id", key.id)
            writer.field("algorithm", key.algorithm.description)
            writer.endObject()
        }
        writer.endArray()
        writer.key("images")
        writer.beginArray()
        for image in evidence.images { image.write(to: &writer) }
        writer.endArray()
        writer.key("gate")
        if let shown = shownDecision, let document = try? JSONDocument(bytes: DecisionJSON.encode(shown)) {
            // The gate's decision object as `scangate gate --format json` writes it, minus its
            // signature status (verified here, above) and its own summary.
            writer.beginObject()
            for member in document.root.members where member.key != "signatures" && member.key != "summary" {
                writer.key(member.key)
                JSONCopy.write(member.value, to: &writer)
            }
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("audit")
        if let audit, let log {
            writer.beginObject()
            writer.field("log", log)
            writer.field("sequence", audit.record.sequence)
            writer.field("lineSHA256", audit.lineSHA256)
            writer.field("keyId", audit.record.signature?.keyID)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.endObject()
        writer.newline()
        return writer.bytes
    }
}

/// Copies a parsed JSON value into a writer, members in document order.
enum JSONCopy {
    static func write(_ value: JSONValue, to writer: inout JSONWriter) {
        switch value.kind {
        case .null: writer.null()
        case .bool: writer.bool(value.boolValue ?? false)
        case .string: writer.string(value.stringValue ?? "")
        case .number:
            if let integer = Int(value.rawText) {
                writer.int(integer)
            } else {
                writer.double(value.doubleValue ?? 0)
            }
        case .array:
            writer.beginArray()
            for element in value.elements { write(element, to: &writer) }
            writer.endArray()
        case .object:
            writer.beginObject()
            for member in value.members {
                writer.key(member.key)
                write(member.value, to: &writer)
            }
            writer.endObject()
        }
    }
}
