import Adapters
import Findings
import Foundation
import GitHub
import HTTP
import OutputFiles
import Policy
import Reports
import SARIF

/// How a run ended.
public struct CIResult: Sendable {
    /// The process's exit code (README "Exit codes"; ``CIExitCode``).
    public var exitCode: Int32
    /// The gate's decision; nil when the run stopped before it (exit 2 or 3).
    public var decision: Decision?
    /// The side steps, in the order they ran.
    public var steps: [CIStepResult]
    /// The reports read and their merged findings, the gate's input (empty when the run stopped
    /// before reading them).
    public var reports: [ParsedReport] = []
    public var findings: FindingSet?
}

/// `scangate ci` as a library call: ingest, gate, write the outputs, upload the SARIF, comment
/// on the pull request, and report to GitHub Actions.
///
/// The gate and the local outputs always happen once the inputs are readable; a failing side
/// step (upload, comment, an output that cannot be written) is reported and changes the exit
/// code only when the gate passed (``CIExitCode``).
public struct CIRunner: Sendable {
    /// How many failing (and warning, waived, VEX-suppressed) findings the job log lists; the
    /// rest are counted in one line that says which output lists them.
    public static let findingsListedPerVerdict = 100

    public var plan: CIPlan
    public var token: GitHubToken?
    public var console: CIConsole
    public var tuning: UploadTuning
    /// `scangate/<version>` in the User-Agent and the SARIF tool version.
    public var scangateVersion: String

    public init(
        plan: CIPlan, token: GitHubToken?, console: CIConsole,
        tuning: UploadTuning = UploadTuning(environment: [:]), scangateVersion: String
    ) {
        self.plan = plan
        self.token = token
        self.console = console
        self.tuning = tuning
        self.scangateVersion = scangateVersion
    }

    // Progress and problems quote report, baseline, waiver and policy text (a tool's name, a
    // baseline's value): one printable line each, so none drives the terminal or starts a line.
    private func say(_ line: String, painted: String = "") {
        console.progress("scangate ci: \(scrub(line).printableLine)" + painted)
    }
    private func fail(_ line: String) { console.error(scrub(line).printableLine) }
    private func scrub(_ text: String) -> String { token?.scrub(text) ?? text }
    /// An output without the token, where a report quoted it (``GitHubToken/redacting(in:)``):
    /// files, the upload, the comment, the job summary, annotations, step outputs.
    private func redacted(_ bytes: [UInt8]) -> [UInt8] { token?.redacting(in: bytes) ?? bytes }
    private func redacted(_ text: String) -> String { token?.redacting(in: text) ?? text }

    /// Runs every step; never throws: every outcome is an exit code.
    public func run() -> CIResult {
        // 1. The policy and the files that go with it: invalid → exit 2 before reading reports.
        let policy: Policy
        var waiverFiles: [WaiverFile] = []
        var vexDocuments: [VEXDocument] = []
        var snapshot: FindingsSnapshot?
        do {
            policy = try PolicyLoader().load(path: plan.policy)
            waiverFiles = try plan.waivers.map { path throws(ConfigurationError) in try WaiverFile.load(path: path) }
            for file in waiverFiles { try file.validate(against: policy) }
            vexDocuments = try plan.vex.map { path throws(ConfigurationError) in try VEXDocument.load(path: path) }
            snapshot = try plan.baseline.map { path throws(ConfigurationError) in try FindingsSnapshot.load(path: path)
            }
        } catch {
            fail("error: \(error)")
            fail("scangate ci: \(error.fileSummary); nothing was decided or written")
            return stopped(2, because: "\(error.fileSummary): \(error)")
        }
        // `policies: {staging: policies/production.yaml}` gates in staging (its waivers hold)
        // under a policy that says it is production's: a slip in the mapping, refused.
        if plan.policyIsTheEnvironments, let environment = plan.environment,
            let problem = PolicyMapping.mismatch(environment: environment, policyFile: plan.policy, policy: policy)
        {
            fail("error: \(problem): \(PolicyMapping.advice(environment: environment))")
            fail("scangate ci: nothing was decided or written")
            return stopped(2, because: "the configuration is invalid: \(problem)")
        }
        // The files the policy extends are known once it is read.
        if let clash = CIPlan.outputClash(
            plan.outputs, inputs: policy.files.map { ("a policy file", $0) }, reports: [],
            fromFlags: plan.outputsFromFlags)
        {
            fail("error: \(clash)")
            fail("scangate ci: nothing was decided or written")
            return stopped(2, because: "the configuration is invalid: \(clash)")
        }

        // 2. Ingest: every report named, every failure listed; any failure → exit 3, nothing written.
        let reports: [ParsedReport]
        switch ingest() {
        case .success(let parsed): reports = parsed
        case .failure(let unread): return stopped(3, because: unread.summary)
        }
        let findings = FindingSet(merging: reports.flatMap(\.findings))
        let merged = findings.all.count
        let from = "\(reports.count) report\(reports.count == 1 ? "" : "s")"
        say("\(merged) finding\(merged == 1 ? "" : "s") (\(findings.open.count) open) from \(from)")

        // 3. The gate.
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: policy, waivers: waiverFiles, vex: vexDocuments,
                baseline: snapshot.map(\.baseline),
                environment: plan.environment, today: plan.today,
                reportWarnings: reports.flatMap(\.warningsNamingTheReport), repository: plan.gatedRepository,
                definedEnvironments: plan.definedEnvironments, emptyScans: reports.flatMap(\.emptyScans),
                calendarDay: plan.calendarDay))
        // The job log lists the first findings of each verdict; a 100 MB report would otherwise
        // put ~100,000 lines there. The outputs hold every one.
        let fullListing = [plan.outputs.decision, plan.outputs.html, plan.outputs.json].compactMap { $0 }.first
        // Report text in it must not become a workflow command (ScanGate's own annotations are
        // printed apart, below).
        console.output(
            redacted(
                LogText.defusingCommands(
                    DecisionText.render(
                        decision, listingAtMost: Self.findingsListedPerVerdict,
                        whereListed: fullListing.map { "every one is in \($0)" }
                            ?? "`scangate gate --format json` lists every one"))))

        let summaries = reports.map(ReportSummary.init)
        let content = ReportContent(
            findings: findings, reports: summaries,
            diff: snapshot.map {
                BaselineDiff(
                    previous: $0, current: findings, judgedBy: policy,
                    coverage: .union(reports.map(\.coverage)), decision: decision)
            },
            gate: ReportGate(decision, policy: policy), date: plan.today.description,
            fullReportLocation: plan.context.runURL ?? plan.outputs.html)
        let markdown = redacted(MarkdownReport.render(content))
        let client = httpClient()

        // 4. Local outputs: each attempted, whatever happened to the others. The SARIF file, the
        // slowest to build for a large report, is built on another core while the others are
        // rendered and written; its notes and file follow theirs.
        let outputs = plan.outputs
        let sarifBuild =
            outputs.sarif != nil || outputs.sarifDropped != nil || plan.upload
            ? BackgroundValue { [self] in buildSARIF(reports) } : nil
        // The findings and decision documents go into the report JSON and are outputs of their
        // own: each made once, and only when asked for, then released after its last use.
        var findingsDocument: [UInt8]?
        var decisionDocument: [UInt8]?
        func findingsJSON() -> [UInt8] {
            if let findingsDocument { return findingsDocument }
            // With the gate's verdicts: read back as a baseline (what `outputs.findings` is for),
            // a failed run's document must not accept what failed it.
            let verdicts = Dictionary(
                decision.verdicts.map { ($0.finding.fingerprint, $0.verdict) }, uniquingKeysWith: { first, _ in first })
            let document = FindingsJSON.encode(
                findings, reports: summaries, verdicts: verdicts, environment: decision.environment)
            if outputs.findings != nil { findingsDocument = document }  // the findings output comes next
            return document
        }
        func decisionJSON() -> [UInt8] {
            if let decisionDocument { return decisionDocument }
            let document = DecisionJSON.encode(decision)
            if outputs.decision != nil { decisionDocument = document }
            return document
        }
        let files: [(String, String?, () -> [UInt8])] = [
            ("html", outputs.html, { Array(HTMLReport.render(content).utf8) }),
            ("markdown", outputs.markdown, { Array(markdown.utf8) }),
            ("junit", outputs.junit, { Array(JUnitReport.render(content).utf8) }),
            (
                "json", outputs.json,
                { ReportJSON.encode(content, findingsDocument: findingsJSON(), decisionDocument: decisionJSON()) }
            ),
            (
                "findings", outputs.findings,
                {
                    defer { findingsDocument = nil }  // its last use
                    return findingsJSON()
                }
            ),
            (
                "decision", outputs.decision,
                {
                    defer { decisionDocument = nil }
                    return decisionJSON()
                }
            ),
        ]
        var fileSteps: [CIStepResult] = []
        for (name, path, render) in files {
            guard let path else { continue }
            fileSteps.append(writeOutput(name, redacted(render()), to: path))
        }
        var steps: [CIStepResult] = []
        let sarif = sarifBuild.flatMap { report($0.wait(), steps: &steps) }
        let sarifBytes = sarif.map { redacted($0.bytes) }
        if let sarifBytes, let path = outputs.sarif { steps.append(writeOutput("sarif", sarifBytes, to: path)) }
        if let sarif, let path = outputs.sarifDropped {
            steps.append(writeOutput("sarif-dropped", redacted(sarif.droppedListing), to: path))
        }
        steps += fileSteps

        // 5. Remote side steps.
        var uploadID: String?
        if plan.upload {
            let step = upload(sarifBytes, client: client)
            steps.append(step.result)
            uploadID = step.id
        }
        steps.append(
            comment(redacted(MarkdownReport.render(content, marker: MarkdownReport.commentMarker)), client: client))

        // 6. GitHub Actions: annotations, the job summary, the step outputs.
        var exitCode = CIExitCode.combine(gatePassed: decision.passed, steps: steps)
        if plan.context.isGitHubActions {
            for line in CIAnnotations.lines(decision) { console.output(redacted(line)) }
            if let path = plan.context.stepSummaryFile {
                steps.append(appendFile("step-summary", markdown.hasSuffix("\n") ? markdown : markdown + "\n", path))
            }
            exitCode = CIExitCode.combine(gatePassed: decision.passed, steps: steps)
            if let path = plan.context.outputFile {
                let failing = decision.verdicts.filter { $0.verdict == .fail }.map {
                    "\($0.severity.rawValue) \($0.finding.ruleID): \($0.finding.title)".printableLine
                }
                // The exit code written is the one the step will end with, whether or not
                // writing these outputs fails (a failure here cannot be reported in them).
                let values = CIStepOutputs.values(
                    decision: decision, exitCode: exitCode, outputs: outputs,
                    written: Set(steps.filter { $0.status == .done }.map(\.name)), uploadID: uploadID, failing: failing,
                    upload: steps.first { $0.name == "upload" }?.status,
                    comment: steps.first { $0.name == "comment" }?.status)
                // The values redacted, not the names and delimiters: a token that is a piece of
                // one (`x`, a test value) made `exit-code` `e[redacted]it-code`, an output no
                // workflow step reads.
                let text = WorkflowCommand.outputs(
                    values.map { ($0.name, redacted($0.value)) }, delimiterSeed: UUID().uuidString)
                steps.append(appendFile("github-output", text, path))
                exitCode = CIExitCode.combine(gatePassed: decision.passed, steps: steps)
            }
        }
        let verdict = decision.passed ? console.paint("PASS", "32;1") : console.paint("FAIL", "31;1")
        let problems = steps.filter { if case .failed = $0.status { true } else { false } }.map(\.name)
        // The colour is ScanGate's, added after the line is made printable.
        say(
            "gate ",
            painted: verdict + (problems.isEmpty ? "" : "; failed: \(problems.joined(separator: ", "))")
                + "; exit \(exitCode)")
        return CIResult(
            exitCode: exitCode, decision: decision, steps: steps, reports: reports, findings: findings)
    }

    // MARK: Steps

    /// Why the reports could not be read, in one line: how many, and the first problem.
    private struct UnreadReports: Error {
        var summary: String
    }

    private func ingest() -> Result<[ParsedReport], UnreadReports> {
        let reader = ReportReader(maximumSize: plan.maxReportSize, allowsIncompleteReports: plan.allowIncomplete)
        let (paths, missing) = ReportInput.files(plan.reports)
        // Read in parallel; reported here in the order of the paths.
        let (parsed, unreadable) = reader.readAll(paths: paths, as: plan.forcedFormat)
        for report in parsed {
            let count = report.findings.count
            // Its warnings are the decision's (listed with it below and in every output).
            say("read \(report.source): \(report.tool), \(count) finding\(count == 1 ? "" : "s")")
        }
        var failures = missing.map { "error: \($0)" } + unreadable.map { "error: \($0)" }
        if parsed.isEmpty, failures.isEmpty { failures.append("error: no report files found") }
        guard failures.isEmpty else {
            for failure in failures { fail(failure) }
            let count = failures.count
            let what = "\(count) report\(count == 1 ? "" : "s") could not be read"
            fail("scangate ci: \(what); nothing was decided or written")
            let first = failures[0].hasPrefix("error: ") ? String(failures[0].dropFirst(7)) : failures[0]
            return .failure(UnreadReports(summary: "\(what): \(first)" + (count > 1 ? " (and \(count - 1) more)" : "")))
        }
        return .success(parsed)
    }

    /// Ends a run refused before it started, with a plan from ``CIPlan/stopNotice(config:overrides:context:)``:
    /// as ``run()`` ends one that stops before the gate (exit 2 or 3), the step outputs say
    /// `decision=error` and the pull request comment, where the run would have commented, says
    /// the gate did not run and why. `reason` is printed by the caller; here it is scrubbed of the
    /// token and made one line.
    public func reportStop(exitCode: Int32, because reason: String) -> CIResult {
        stopped(exitCode, because: reason)
    }

    /// Ends a run that stopped before the gate (exit 2 or 3). Nothing was decided, and nothing
    /// may read as if it was: inside GitHub Actions the step outputs say `decision=error` with
    /// the exit code, and the pull request's comment, when there would have been one, is updated
    /// to say the gate did not run for this commit and why (it would otherwise keep the previous
    /// push's verdict). A failure of either is reported; the exit code stays the stop's.
    private func stopped(_ exitCode: Int32, because reason: String) -> CIResult {
        var stop = CIStoppedRun(
            exitCode: exitCode, reason: scrub(reason), commit: plan.context.commit, runURL: plan.context.runURL)
        var steps: [CIStepResult] = []
        // Only where the run would have commented: no "skipped" lines after the error.
        if plan.comment, plan.context.pullRequest != nil, token != nil {
            let body = MarkdownReport.commentMarker + "\n" + stop.commentBody
            let commented = comment(body, client: httpClient())
            stop.comment = commented.status
            steps.append(commented)
        }
        if plan.context.isGitHubActions, let path = plan.context.outputFile {
            steps.append(appendFile("github-output", stop.stepOutputsText, path))
        }
        return CIResult(exitCode: exitCode, decision: nil, steps: steps)
    }

    /// The SARIF file and its check, computed without a word to the console (it runs on another
    /// thread; ``report(_:steps:)`` says what there is to say).
    private func buildSARIF(_ reports: [ParsedReport]) -> (SARIFOutput, SARIFValidation) {
        // A report that checked nothing gives its tool no run: an empty one would close alerts.
        let options = SARIFOptions(
            category: plan.category, sourceRoot: plan.sourceRoot, dockerfile: plan.dockerfile,
            scangateVersion: scangateVersion,
            tools: reports.sarifTools, emptyReports: reports.sarifEmptyReports)
        // Each tool's run as that tool alone gives it, whatever else is uploaded (`FindingSet`).
        let sarif = SARIFWriter.write(
            FindingSet(mergingEachToolApart: reports.flatMap(\.findings)), options: options)
        // The writer's gzip size is of these very bytes (Int.max when zlib failed: measure again).
        let validation = SARIFValidator.validate(
            sarif.bytes, knownGzipBytes: sarif.gzipBytes == Int.max ? nil : sarif.gzipBytes)
        return (sarif, validation)
    }

    /// Reports the built SARIF file's problems or notes; the file when GitHub would accept it.
    private func report(_ built: (SARIFOutput, SARIFValidation), steps: inout [CIStepResult]) -> SARIFOutput? {
        let (sarif, validation) = built
        guard validation.isAcceptable else {
            for problem in validation.errors { fail("error: \(problem)") }
            steps.append(
                CIStepResult(
                    name: "sarif", status: .failed(2),
                    message: "the SARIF file would be rejected by GitHub; not written"))
            fail("scangate ci: the SARIF file would be rejected by GitHub; it was not written or uploaded")
            return nil
        }
        let whereListed =
            plan.outputs.sarifDropped.map { "all are listed in \($0)" }
            ?? "outputs.sarif-dropped (or --sarif-dropped FILE) lists every one"
        let notes = sarif.noteLines(whereListed: whereListed)
        for note in notes { fail(note) }
        return sarif
    }

    /// Writes an output file; `bytes` are already ``redacted(_:)`` (the SARIF file's once, for
    /// the file and the upload alike).
    private func writeOutput(_ name: String, _ bytes: [UInt8], to path: String) -> CIStepResult {
        do {
            try OutputFiles.write(bytes, to: path, creatingDirectories: true)
            say("wrote \(name): \(path)")
            return CIStepResult(name: name, status: .done, message: path)
        } catch {
            fail("error: \(error)")
            return CIStepResult(name: name, status: .failed(2), message: error.description)
        }
    }

    private func appendFile(_ name: String, _ text: String, _ path: String) -> CIStepResult {
        do {
            try OutputFiles.append(Array(text.utf8), to: path)
            return CIStepResult(name: name, status: .done, message: path)
        } catch {
            fail("error: \(error)")
            return CIStepResult(name: name, status: .failed(2), message: error.description)
        }
    }

    /// The HTTP client of the upload and the comment: retries, timeouts and CA as `scangate upload`.
    private func httpClient() -> HTTPClient {
        HTTPClient(
            configuration: HTTPClientConfiguration(timeout: tuning.requestTimeout, retryPolicy: tuning.retryPolicy),
            transport: CurlTransport(connectTimeout: tuning.connectTimeout, caFile: plan.cacert))
    }

    private func upload(_ sarif: [UInt8]?, client: HTTPClient) -> (result: CIStepResult, id: String?) {
        func skipped(_ why: String) -> (CIStepResult, String?) {
            say("upload skipped: \(why)")
            return (CIStepResult(name: "upload", status: .skipped, message: why), nil)
        }
        func failed(_ code: Int32, _ why: String) -> (CIStepResult, String?) {
            fail("error: upload failed: \(why)")
            return (CIStepResult(name: "upload", status: .failed(code), message: scrub(why)), nil)
        }
        guard let sarif else { return failed(2, "no SARIF file to upload (see above)") }
        if plan.context.readOnlyForkToken && !plan.uploadRequested { return skipped(Self.forkTokenReason) }
        guard let token else {
            // Asked for on the command line, or enabled in a GitHub Actions job (where a missing
            // token is a forgotten `env:` line or an unavailable secret), the upload cannot
            // quietly not happen.
            let why = "no GitHub token (set GITHUB_TOKEN or pass --token-file)"
            if plan.uploadRequested { return failed(2, "--upload asks for it, but there is " + why) }
            if plan.context.isGitHubActions {
                return failed(
                    2, Self.missingTokenInActions(for: "the upload", disable: "--no-upload or upload.enabled: false"))
            }
            return skipped(why)
        }
        let context = plan.context
        guard let name = context.repository, let repository = GitHubRepository(name) else {
            return failed(2, "no repository (OWNER/NAME): pass --repository or run in GitHub Actions")
        }
        // The analysis replaces the one GitHub holds for this ref: with the default branch's ref
        // and commit, a pull request's scan would close that branch's alerts.
        if let problem = context.uploadTargetProblem {
            return failed(
                2,
                "\(problem); not uploading, so as not to replace another ref's analysis: pass --commit and --ref "
                    + "with the commit scanned (e.g. refs/pull/N/head and the pull request's head SHA), "
                    + "or --no-upload")
        }
        guard let commit = context.commit, let ref = context.ref else {
            return failed(2, "no commit and ref: pass --commit and --ref or run in GitHub Actions")
        }
        if let cacert = plan.cacert, let problem = CAFile.problem(cacert) {
            return failed(2, problem)
        }
        let console = self.console
        let uploader = SARIFUploader(
            repository: repository, token: token,
            configuration: SARIFUploaderConfiguration(
                apiURL: plan.apiURL, userAgent: "scangate/\(scangateVersion)", waitsForProcessing: plan.wait,
                pollInterval: tuning.pollInterval, maximumWait: tuning.maximumWait),
            client: client, log: { console.progress("scangate ci: upload: \($0)".printableLine) })
        say("uploading the SARIF file to \(repository) (\(commit.prefix(12)), \(ref))")
        do {
            let outcome = try uploader.upload(
                sarif, parameters: SARIFUploadParameters(commitSHA: commit, ref: ref, checkoutURI: nil))
            let id = outcome.receipt.id
            let what = outcome.processingStatus == nil ? "accepted as upload \(id)" : "processed as upload \(id)"
            say("uploaded: \(what)")
            return (CIStepResult(name: "upload", status: .done, message: what), id)
        } catch {
            return failed(error.isLocal ? 2 : 4, error.description)
        }
    }

    /// Why the upload and the comment are skipped for a pull request from a fork.
    static let forkTokenReason =
        "a pull request from a fork: GitHub gives its workflow a read-only token, which cannot upload or "
        + "comment (the gate decides all the same; --upload or --comment tries anyway)"

    private func comment(_ body: String, client: HTTPClient) -> CIStepResult {
        func skipped(_ why: String) -> CIStepResult {
            say("comment skipped: \(why)")
            return CIStepResult(name: "comment", status: .skipped, message: why)
        }
        guard plan.comment else { return CIStepResult(name: "comment", status: .skipped, message: "disabled") }
        guard let number = plan.context.pullRequest else { return skipped("not a pull request") }
        if plan.context.readOnlyForkToken && !plan.commentRequested { return skipped(Self.forkTokenReason) }
        if let problem = plan.context.commentProblem, !plan.commentRequested {
            return skipped(problem + " (--comment posts it anyway)")
        }
        guard let token else {
            guard plan.context.isGitHubActions else { return skipped("no GitHub token") }
            let why = Self.missingTokenInActions(
                for: "the pull request comment", disable: "--no-comment or comment: false")
            fail("error: comment failed: \(why)")
            return CIStepResult(name: "comment", status: .failed(2), message: why)
        }
        guard let name = plan.context.repository, let repository = GitHubRepository(name) else {
            fail("error: comment failed: no repository (OWNER/NAME): pass --repository or run in GitHub Actions")
            return CIStepResult(name: "comment", status: .failed(2), message: "no repository")
        }
        if let cacert = plan.cacert, let problem = CAFile.problem(cacert) {
            fail("error: comment failed: \(problem)")
            return CIStepResult(name: "comment", status: .failed(2), message: problem)
        }
        let console = self.console
        let commenter = PullRequestCommenter(
            repository: repository, pullRequest: number, token: token,
            configuration: PullRequestCommentConfiguration(
                apiURL: plan.apiURL, userAgent: "scangate/\(scangateVersion)", marker: MarkdownReport.commentMarker),
            client: client, log: { console.progress("scangate ci: comment: \($0)".printableLine) })
        do {
            let result = try commenter.post(body)
            let what = "\(result.action.rawValue) comment \(result.id) on pull request #\(number)"
            say(what + (result.url.map { " \($0)" } ?? ""))
            return CIStepResult(name: "comment", status: .done, message: what)
        } catch {
            let why = scrub(error.description)
            fail("error: comment on pull request #\(number) failed: \(why)")
            return CIStepResult(name: "comment", status: .failed(error.isLocal ? 2 : 4), message: why)
        }
    }

    // MARK: Helpers

    /// Why a remote step enabled in a GitHub Actions job cannot run without a token, and the two
    /// ways out: give the step the token, or turn the step off where it is decided.
    static func missingTokenInActions(for step: String, disable: String) -> String {
        "\(step) is enabled but the step has no GitHub token: GITHUB_TOKEN is unset or empty (add "
            + "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step, or check that the secret it names "
            + "exists and is given to this workflow: not to pull requests from forks), or pass --token-file; "
            + "to run without it, disable it explicitly: \(disable)"
    }

}

/// A value computed on another thread while this one goes on; ``wait()`` returns it.
private final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?

    init(_ compute: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            let computed = compute()
            condition.lock()
            value = computed
            condition.broadcast()
            condition.unlock()
        }
        // As much stack as the main thread: the writer and validator run here as they would there.
        thread.stackSize = 8 << 20
        thread.start()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}

extension ReportSummary {
    /// What the findings document lists of a report read (``FindingsJSON``): the same for
    /// `ingest`, `report` and `ci`.
    public init(_ report: ParsedReport) {
        self.init(
            file: report.source, format: report.format.rawValue, variant: report.variant, tool: report.tool,
            toolVersion: report.toolVersion, findingCount: report.findings.count,
            suppressedCount: report.findings.count { !$0.isOpen }, warnings: report.warnings,
            checkedNothing: report.checkedNothing, runTools: report.runTools,
            scannedScopes: report.scannedScopes)
    }
}
