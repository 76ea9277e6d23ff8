import Adapters
import ArgumentParser
import Audit
import CI
import Findings
import Foundation
import OutputFiles
import Policy
import Release
import Reports
import Signatures

/// `scangate release-gate`: the job before a production tag. Every image must verify with the
/// keys the policy names, the findings must pass the policy, and the result is one decision
/// with every reason, appended to the audit log when one is given. What to check comes from
/// the flags over `.scangate.yaml` (``ReleasePlan``, module CI).
///
/// The command only wires: it parses the arguments, loads the files, verifies each image at its
/// registry, and hands the results to ``ReleaseGate`` (module Release), which decides, renders
/// and builds the audit entry; then it writes the output and appends the entry.
///
/// Outcomes and exit codes (also in the command's help):
/// - 0 pass: every image verified and no finding fails (the release gate requires every image
///   signed even when the policy says `signatures: required: false`; it verifies with the
///   policy's `signatures: keys`);
/// - 1 fail: an image did not verify (no signature, wrong key, digest or reference mismatch…),
///   or no report scanned it under the policy's `signatures: require-scan`, or the findings fail
///   the policy. A definite "no" wins over a registry failure: retrying
///   cannot turn it into a pass;
/// - 4 error: a registry failed for some image and nothing else failed;
/// - 3 error: a report could not be read (no registry is contacted then);
/// - 2 configuration or usage: the policy, its keys, waivers, VEX, baseline, the audit key, or an
///   audit log that does not verify (checked before any work), or the record could not be
///   appended (then the gate never passes: a decision not recorded does not count), or the `-o`
///   file could not be written (then the record says error, exit 2, and no part of it is left).
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
            Reads .scangate.yaml (or --config FILE) as `scangate ci` does: its reports, waivers, VEX, \
            baseline, the policy of release.environment (default production), release.images and the \
            audit log; every flag overrides it. Every image must verify with the keys the policy names \
            (signatures: keys:, relative to the policy file; release.keys must name the same keys, or \
            serve when the policy names none); an image given by tag is resolved to its digest, which is \
            what is verified, and reported as mutable. Registry credentials are read as `scangate verify` \
            reads them (see its help). Each image is matched, platform by platform (an index's \
            platforms are all its entries but unknown/unknown attestations), to the Trivy image reports \
            (JSON, or a SARIF run whose driver is Trivy) that scanned it, by digest (RepoDigests, or \
            ImageID as its config digest); under the policy's signatures: require-scan: true, an image \
            with a platform no report scanned fails, and so does an index that cannot be read for \
            certain (unreadable-manifest). The findings of the reports must pass the policy (and, under empty-scans: \
            fail, no report may have checked nothing). Signature results and finding verdicts are one \
            decision with every reason. With --audit-log the decision is appended \
            to that hash-chained log (signed with --audit-key), failed attempts included. Exit codes: 0 pass, \
            1 an image did not verify or was not scanned, or the findings failed, 2 configuration or usage error (no report \
            given, the audit log does not verify or cannot be written, or the -o file cannot be written: the \
            record then says error, exit 2), 3 a report could not be read (a pattern or directory without \
            one included), \
            4 a registry failed and nothing else did (a definite no is 1).
            """
    )

    @Argument(
        help: "Report files or directories; when given, the configuration's reports are not read.")
    var reports: [String] = []

    @Option(help: ArgumentHelp("The project configuration (default: .scangate.yaml if present).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("as"), help: ReportInputOptions.forcedFormatHelp)
    var forcedFormat: ReportFormat?

    @Flag(help: "Accept reports whose tool says part of the scan failed (the failures become warnings).")
    var allowIncomplete = false

    @Option(help: "Refuse reports larger than this many bytes.")
    var maxReportSize: Int?

    @Option(
        help: """
            The production policy (YAML); its signatures: keys: are the trusted keys \
            (default: the configuration's policy of release.environment, else production). \
            The release is gated in release.environment (default production): a policy of another \
            environment is refused.
            """)
    var policy: String?

    @Option(help: "The release tag (v1.4.0).")
    var tag: String

    @Option(
        name: .customLong("image"),
        help: "An image to release: REGISTRY/REPO[:TAG][@sha256:…]; repeat per image (replaces release.images).")
    var images: [String] = []

    @Option(help: "The commit released (recorded in the audit log).")
    var commit: String?

    @Option(help: "A waivers file (YAML, scangate-waivers: 1); may be repeated (replaces the configuration's).")
    var waivers: [String] = []

    @Option(
        help: """
            An OpenVEX document whose not_affected and fixed statements suppress findings; may be repeated \
            (replaces the configuration's).
            """)
    var vex: [String] = []

    @Option(help: GateOptionChecks.repositoryHelp)
    var repository: String?

    @Option(help: GateOptionChecks.baselineHelp)
    var baseline: String?

    @Option(help: "Judge waivers as of this day (YYYY-MM-DD); default: today in UTC.")
    var now: String?

    @Option(help: "Append the decision to this audit log (JSON lines, hash-chained; default: release.audit-log).")
    var auditLog: String?

    @Option(
        help: """
            Sign the audit record with this private key (PEM: ECDSA P-256/P-384/P-521, Ed25519, RSA; \
            default: release.audit-key).
            """)
    var auditKey: String?

    @Option(
        help: """
            A public key (PEM) that also signs records in the audit log: another release workflow \
            sharing it, or a rotation rolled back. Without it, a record signed by another key after \
            records this run's key signed stops the append (exit 2). Repeatable.
            """)
    var auditTrustedKey: [String] = []

    @Flag(help: "Allow plain HTTP to a registry on localhost or 127.0.0.1.")
    var insecureRegistry = false

    @Option(help: "Output format: table (for a person) or json (the whole decision).")
    var format: GateOutputFormat = .table

    @Option(name: [.short, .customLong("output")], help: "Write the output to this file instead of standard output.")
    var output: String?

    func validate() throws {
        for image in images where ImageReference(image) == nil {
            throw ValidationError("--image \"\(image)\" is not a valid image reference")
        }
        guard Self.isPlainWord(tag) else { throw ValidationError("--tag must be a non-empty word (v1.4.0)") }
        if let commit, !Self.isPlainWord(commit) { throw ValidationError("--commit must be a non-empty word") }
        try GateOptionChecks.validate(now: now, env: nil)
        try GateOptionChecks.validate(repository: repository)
        if let maxReportSize, maxReportSize <= 0 { throw ValidationError("--max-report-size must be positive") }
    }

    /// No white space or control characters: tags and commits go into one-line records and messages.
    private static func isPlainWord(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }

    func run() throws {
        let plan = try makePlan()
        let setup = try loadConfiguration(plan)

        // Reports first: an unreadable report stops the gate before any registry is contacted.
        let findings: FindingSet
        let readerWarnings: [String]
        let scannedImages: [ScannedImage]
        let emptyScans: [EmptyScan]
        switch loadFindings(plan) {
        case .success(let loaded):
            (findings, readerWarnings, scannedImages, emptyScans) = (
                loaded.findings, loaded.warnings, loaded.scannedImages, loaded.emptyScans
            )
        case .failure(let unreadable):
            let outcome = setup.gate.reportsUnreadable(
                unreadable.failures, tag: tag, commit: commit, images: plan.images)
            try finish(outcome, setup: setup)
            return
        }
        // Credentials are looked up once per registry: a credential helper (ECR's asks AWS) need
        // not run again for every image of the same registry.
        var anonymous = RegistryOptions(allowInsecureLoopback: insecureRegistry)
        // Every platform image of an index, for matching the reports that scanned them.
        anonymous.readsPlatformManifests = true
        var optionsByRegistry: [String: RegistryOptions] = [:]
        let verification = VerificationPolicy(keys: setup.gate.keys)
        let verified = plan.images.map { reference in
            var options = anonymous
            if let registry = ImageReference(reference)?.registry {
                options =
                    optionsByRegistry[registry]
                    ?? anonymous.withCredentials(for: registry, environment: ProcessInfo.processInfo.environment)
                optionsByRegistry[registry] = options
            }
            return RegistryImageVerifier(policy: verification, options: options).verify(reference: reference)
        }
        let outcome = setup.gate.decide(
            tag: tag, commit: commit, findings: findings, images: verified, scannedImages: scannedImages,
            reportWarnings: readerWarnings, emptyScans: emptyScans)
        try finish(outcome, setup: setup)
    }

    // MARK: Configuration

    /// Everything read before the gate runs. Any problem here is exit 2, and not recorded.
    struct Setup {
        var gate: ReleaseGate
        var signingKey: AuditSigningKey?
        /// Other keys whose records in the log are expected (`--audit-trusted-key`).
        var trustedKeys: [AuditPublicKey]
        var log: AuditLog?
        /// The audit log's path, for the output.
        var logPath: String?
    }

    private static func refuse(_ message: String) -> ExitCode {
        Terminal.error("error: \(message)".printableLine)
        Terminal.error("scangate release-gate: nothing was decided")
        return ExitCode(ExitStatus.usage)
    }

    /// The project configuration (`--config`, else `.scangate.yaml` when present) with the flags
    /// applied: the policy, images, reports and audit log of this release.
    private func makePlan() throws -> ReleasePlan {
        var overrides = ReleaseOverrides()
        overrides.reports = reports
        overrides.allowIncomplete = allowIncomplete ? true : nil
        overrides.maxReportSize = maxReportSize
        overrides.policy = policy
        overrides.images = images
        overrides.waivers = waivers.isEmpty ? nil : waivers
        overrides.vex = vex.isEmpty ? nil : vex
        overrides.baseline = baseline
        overrides.auditLog = auditLog
        overrides.auditKey = auditKey
        do {
            return try ReleasePlan.make(config: CIConfigLoader.loadProject(path: config), overrides: overrides)
        } catch {
            throw Self.refuse("\(error)")
        }
    }

    private func loadConfiguration(_ plan: ReleasePlan) throws -> Setup {
        let refuse = Self.refuse
        if let problem = RegistryCredentials.environmentProblem(ProcessInfo.processInfo.environment) {
            throw refuse("\(problem)")
        }
        let policy = plan.policy
        let loaded: Policy
        let waiverFiles: [WaiverFile]
        let vexDocuments: [VEXDocument]
        let previous: Baseline?
        do {
            loaded = try PolicyLoader().load(path: policy)
            waiverFiles = try plan.waivers.map { path throws(ConfigurationError) in try WaiverFile.load(path: path) }
            for file in waiverFiles { try file.validate(against: loaded) }
            vexDocuments = try plan.vex.map { path throws(ConfigurationError) in try VEXDocument.load(path: path) }
            previous = try plan.baseline.map { path throws(ConfigurationError) in
                try FindingsSnapshot.load(path: path).baseline
            }
        } catch {
            throw refuse("\(error) (the \(error.document.rawValue) file is invalid)")
        }
        var environment = plan.environment
        if plan.policyFromFlag {
            switch PolicyMapping.releaseEnvironment(
                configured: plan.configuredEnvironment, policyFile: policy, policy: loaded)
            {
            case .success(let gated): environment = gated
            case .failure(let mismatch): throw refuse(mismatch.message)
            }
        } else if let problem = PolicyMapping.mismatch(
            environment: plan.environment, policyFile: policy, policy: loaded)
        {
            throw refuse("\(problem): \(PolicyMapping.advice(environment: plan.environment))")
        }
        /// The keys in `paths`; a key that cannot be read stops the gate, naming who named it.
        func loadKeys(_ paths: [String], namedBy owner: String) throws -> [PublicKey] {
            var keys: [PublicKey] = []
            for path in paths {
                do {
                    keys.append(try PublicKey.load(path: path))
                } catch {
                    throw refuse("signature key \(error) (named by \(owner))")
                }
            }
            return keys
        }
        let policyKeys = try loadKeys(
            loaded.signatures.resolvedKeys, namedBy: loaded.signatures.source?.description ?? policy)
        let configuredKeys = try loadKeys(plan.configuredKeys, namedBy: "release.keys")
        // The release gate always verifies: with no trusted key it could release nothing.
        guard let keys = ReleaseGate.trustedKeys(policy: policyKeys, configured: configuredKeys) else {
            throw refuse(
                "release.keys (\(plan.configuredKeys.joined(separator: ", "))) and the policy's signatures: keys "
                    + "(\(loaded.signatures.resolvedKeys.joined(separator: ", "))) are not the same keys; the release "
                    + "gate trusts one set: make them the same, or leave release.keys out")
        }
        guard !keys.isEmpty else {
            throw refuse(
                "\(policy): the policy names no signature keys (signatures: keys: [release.pub]) and the "
                    + "configuration no release.keys; the release gate verifies every image with them")
        }
        // Before anything is decided or appended: `-o` naming the audit log would replace it.
        var inputs = loaded.files + loaded.signatures.resolvedKeys + plan.configuredKeys + plan.waivers + plan.vex
        inputs += [plan.baseline, plan.auditLog, plan.auditKey, config].compactMap { $0 }
        inputs += ReportInput.files(plan.reports).paths
        try OutputFile.refuse(output, ifAnyOf: inputs)
        // Nor where the next run would read it as a report (and stop, exit 3): `-o` or the audit
        // log inside the reports directory, before either exists.
        for (what, path) in [("-o", output), ("the audit log", plan.auditLog)] {
            guard let path, path != "-", let reason = plan.reports.lazy.compactMap({ $0.wouldRead(path) }).first
            else { continue }
            throw refuse("\(what) \(path) \(reason): write it somewhere else")
        }
        // And an output that cannot be written is known now, not after the decision is recorded
        // with an exit status the command would then not end with.
        try OutputFile.refuseUnwritable(output)
        var files: [AuditFile] = []
        for file in loaded.files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw refuse("\(file): cannot read the policy file to record its digest")
            }
            files.append(AuditFile(file: file, sha256: AuditDigest.sha256Hex([UInt8](data))))
        }
        var signingKey: AuditSigningKey?
        var trustedKeys: [AuditPublicKey] = []
        var log: AuditLog?
        if let auditLog = plan.auditLog {
            do {
                signingKey = try plan.auditKey.map { path throws(AuditKeyError) in try AuditSigningKey(contentsOf: path)
                }
                trustedKeys = try auditTrustedKey.map { path throws(AuditKeyError) in
                    try AuditPublicKey(contentsOf: path)
                }
            } catch {
                throw refuse("audit key \(error)".printableLine)
            }
            let candidate = AuditLog(path: auditLog)
            do {
                // Checked now so a broken log stops the job before the registries are asked; the
                // append checks again under the lock.
                let verification = try candidate.checkAppendable(signingKey: signingKey, trustedKeys: trustedKeys)
                Self.warnOfANewSigningKey(signingKey, after: verification, in: auditLog)
            } catch {
                // The error may quote the log (a record it cannot read): one printable line.
                throw refuse("audit log \(error)".printableLine)
            }
            log = candidate
        }
        let gate = ReleaseGate(
            policy: loaded, policyFiles: files, keys: keys, waivers: waiverFiles, vex: vexDocuments,
            baseline: previous, today: now.flatMap(Day.init(parsing:)) ?? Day.today(),
            calendarDay: GateOptionChecks.calendarDay(now: now),
            repository: GateOptionChecks.gatedRepository(repository), definedEnvironments: plan.definedEnvironments,
            environment: environment)
        return Setup(gate: gate, signingKey: signingKey, trustedKeys: trustedKeys, log: log, logPath: plan.auditLog)
    }

    /// Says so when this run signs with another key than the log's last record: a rotation is
    /// legitimate, but whoever verifies the log needs both keys, and a job signing with a key it
    /// should not have looks the same.
    /// Also when the log's records so far are not signed: this run's signature vouches for the
    /// chain before it, which nothing vouched for (a log started without a key, or one stripped
    /// of its signatures).
    private static func warnOfANewSigningKey(
        _ signingKey: AuditSigningKey?, after verification: AuditVerification, in log: String
    ) {
        guard let signingKey, let last = verification.last else { return }
        guard let previous = last.signature?.keyID else {
            Terminal.error(
                ("warning: audit log \(log): record \(last.sequence) is not signed, and this run signs the next: "
                    + "its signature vouches for the \(last.sequence) unsigned record\(last.sequence == 1 ? "" : "s") "
                    + "before it, which no key did; if the log was signed before, its signatures were stripped")
                    .printableLine)
            return
        }
        guard previous != signingKey.publicKey.keyID else { return }
        Terminal.error(
            ("warning: audit log \(log): record \(last.sequence) was signed by key \(previous.prefix(16))…, this run "
                + "signs with \(signingKey.file) (\(signingKey.publicKey.keyID.prefix(16))…): a new signing key; "
                + "verify the log with both public keys").printableLine)
    }

    // MARK: Reports

    /// Why the reports could not be read: one line per report.
    struct UnreadableReports: Error {
        var failures: [String]
    }

    /// The reports' findings, merged, their readers' warnings (`report.json: …`), the images
    /// they scanned and the reports that checked nothing; or every report that cannot be read.
    private func loadFindings(_ plan: ReleasePlan) -> Result<
        (findings: FindingSet, warnings: [String], scannedImages: [ScannedImage], emptyScans: [EmptyScan]),
        UnreadableReports
    > {
        let (paths, missing) = ReportInput.files(plan.reports)
        var failures = missing
        var parsed: [ParsedReport] = []
        if failures.isEmpty {
            let reader = ReportReader(maximumSize: plan.maxReportSize, allowsIncompleteReports: plan.allowIncomplete)
            // Read in parallel; reports and errors keep the order of the paths.
            let read = reader.readAll(paths: paths, as: forcedFormat)
            parsed = read.reports
            failures += read.failures.map { "\($0)" }
            // Fail closed: a release judged on no scan at all is not a pass.
            if parsed.isEmpty && failures.isEmpty {
                failures.append("\(plan.reports.map(\.description).joined(separator: ", ")): no report files found")
            }
        }
        guard failures.isEmpty else {
            for failure in failures { Terminal.error("error: \(failure)".printableLine) }
            let count = failures.count
            Terminal.error("scangate release-gate: \(count) report\(count == 1 ? "" : "s") could not be read")
            return .failure(UnreadableReports(failures: failures))
        }
        // The warnings are the decision's: listed with it.
        return .success(
            (
                FindingSet(merging: parsed.flatMap(\.findings)), parsed.flatMap(\.warningsNamingTheReport),
                parsed.flatMap(\.scannedImages), parsed.flatMap(\.emptyScans)
            ))
    }

    // MARK: Output and record

    /// Appends the outcome to the audit log (when one is given) and writes the output, then exits
    /// with the outcome's status; a decision that could not be recorded, or whose output file
    /// could not be written, exits 2.
    ///
    /// The record states the exit status the command ends with, and an output file is never
    /// partial: the output file is written beside its destination while the log is locked, before
    /// the record is (so a full disk records error, exit 2, not the decision), and renamed into
    /// place once the record is. Standard output cannot be staged: it is written after the record.
    private func finish(_ outcome: ReleaseOutcome, setup: Setup) throws {
        var outcome = outcome
        var appended: AuditAppendResult?
        var auditError: AuditLogError?
        var staged: StagedOutput?
        let file = output == "-" ? nil : output
        if let log = setup.log {
            do {
                appended = try log.append(
                    outcome.auditEntry, signingKey: setup.signingKey, trustedKeys: setup.trustedKeys
                ) { pending in
                    guard let file else { return nil }
                    do {
                        staged = try OutputFiles.stage(render(outcome, audit: pending, log: setup.logPath), to: file)
                        return nil
                    } catch {
                        outcome.outputFailure = "\(error)".printableLine
                        return outcome.auditEntry
                    }
                }
            } catch {
                auditError = error
                staged?.discard()
                staged = nil
            }
        }
        if let auditError { outcome.notRecorded = "\(auditError)".printableLine }
        if auditError == nil, let outputFailure = outcome.outputFailure, let appended {
            Terminal.error("error: \(outputFailure)")
            Terminal.error(
                "scangate release-gate: the output could not be written, so the decision does not count; record "
                    + "\(appended.record.sequence) says so (error, exit 2)")
            throw ExitCode(ExitStatus.usage)
        }
        let bytes: [UInt8]
        if let staged {
            do {
                // A rename in the same directory takes no space the write did not.
                try staged.commit()
            } catch {
                Terminal.error("error: \(error)".printableLine)
                Terminal.error(
                    "scangate release-gate: the output was written but could not be put in place after the decision "
                        + "was recorded (exit \(outcome.exitCode)); it does not count")
                throw ExitCode(ExitStatus.usage)
            }
            bytes = []
        } else {
            bytes = render(outcome, audit: appended, log: setup.logPath)
            try OutputFile.write(bytes, to: output, isJSON: format == .json)
        }
        if let auditError {
            Terminal.error("error: audit log \(auditError)".printableLine)
            Terminal.error("scangate release-gate: the decision was not recorded, so it does not count")
            throw ExitCode(ExitStatus.usage)
        }
        // As `gate` does: the findings and the outcome are not released one by one before exit.
        ScanGate.exitAfterOutput(status: outcome.exitCode, keeping: outcome, bytes)
    }

    /// The outcome in the output format.
    private func render(_ outcome: ReleaseOutcome, audit: AuditAppendResult?, log: String?) -> [UInt8] {
        switch format {
        case .table: Array(outcome.text(audit: audit, log: log).utf8)
        case .json: outcome.json(audit: audit, log: log)
        }
    }
}
