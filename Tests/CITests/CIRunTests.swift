import CI
import Foundation
import GitHub
import Reports
import TestSupport
import Testing

/// A repository set up as a GitHub Actions job sees it: the example reports, the shipped
/// policies (written by `CIStarter`, as `scangate init` does), a `.scangate.yaml`, and the
/// runner's files (event, step summary, outputs).
struct ActionsWorkspace {
    let root: URL
    var environment: [String: String]
    static let commit = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    /// A pull request's head commit, for events whose payload names it.
    static let headCommit = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

    init(apiURL: String, config: String, pullRequest: Int? = LocalGitHub.pullRequest) throws {
        root = try CITestEnvironment.temporaryDirectory()
        _ = try CIStarter.install(
            into: root.path, policiesFrom: CITestEnvironment.fixture("policies"), force: false)
        let reports = root.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        for name in ["trivy-fs.json", "npm-audit.json", "zap-report.xml"] {
            try FileManager.default.copyItem(
                atPath: CITestEnvironment.fixture("fixtures/examples/\(name)"),
                toPath: reports.appendingPathComponent(name).path)
        }
        try Data(config.utf8).write(to: root.appendingPathComponent(".scangate.yaml"))
        let runner = root.appendingPathComponent("_runner")
        try FileManager.default.createDirectory(at: runner, withIntermediateDirectories: true)
        let event = runner.appendingPathComponent("event.json")
        let payload =
            pullRequest.map { #"{"action": "synchronize", "number": \#($0), "pull_request": {"number": \#($0)}}"# }
            ?? #"{"ref": "refs/heads/main"}"#
        try Data(payload.utf8).write(to: event)
        // The runner creates these empty before the step starts.
        for name in ["step_summary.md", "output.txt"] {
            try Data().write(to: runner.appendingPathComponent(name))
        }
        environment = [
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REPOSITORY": LocalGitHub.repository,
            "GITHUB_SHA": Self.commit,
            "GITHUB_REF": pullRequest.map { "refs/pull/\($0)/merge" } ?? "refs/heads/main",
            "GITHUB_EVENT_NAME": pullRequest == nil ? "push" : "pull_request",
            "GITHUB_EVENT_PATH": event.path,
            "GITHUB_STEP_SUMMARY": runner.appendingPathComponent("step_summary.md").path,
            "GITHUB_OUTPUT": runner.appendingPathComponent("output.txt").path, "GITHUB_API_URL": apiURL,
            "GITHUB_SERVER_URL": "https://github.test", "GITHUB_RUN_ID": "1234", "GITHUB_WORKSPACE": root.path,
        ]
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    func text(_ relative: String) -> String {
        (try? String(contentsOfFile: path(relative), encoding: .utf8)) ?? ""
    }

    var stepSummary: String { text("_runner/step_summary.md") }
    var outputFile: String { text("_runner/output.txt") }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// A pull request event's payload: `action`, the number, and `fields` (JSON members) inside
    /// `pull_request`.
    static func pullRequestPayload(_ action: String = "synchronize", number: Int, _ fields: String) -> String {
        #"{"action": "\#(action)", "number": \#(number), "pull_request": {"number": \#(number), \#(fields)}}"#
    }

    /// Replaces the event: its name and payload, with the runner's ref and commit for it.
    mutating func setEvent(_ name: String, payload: String, ref: String, commit: String = Self.commit) throws {
        try Data(payload.utf8).write(to: URL(fileURLWithPath: path("_runner/event.json")))
        environment["GITHUB_EVENT_NAME"] = name
        environment["GITHUB_REF"] = ref
        environment["GITHUB_SHA"] = commit
    }

    /// The configuration every end-to-end run uses, with the environment given.
    static func config(environment: String) -> String {
        """
        scangate-config: 1
        reports:
          - reports/trivy-*.json
          - reports/npm-audit.json
          - reports/zap-*.xml
        environment: \(environment)
        policies:
          dev: policies/dev.yaml
          staging: policies/staging.yaml
          production: policies/production.yaml
        outputs:
          sarif: out/scangate.sarif
          html: out/report.html
          markdown: out/report.md
          junit: out/junit.xml
          json: out/report.json
          decision: out/decision.json
          findings: out/findings.json
        sarif:
          category: ci
        upload:
          enabled: true
        comment: true
        release:
          environment: production
          images: [ghcr.io/octo-org/hello-world:1.0.0]
          keys: [keys/release.pub]

        """
    }
}

/// Captures what a run says.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var out: [String] = []
    private var err: [String] = []

    var console: CIConsole {
        CIConsole(
            output: { text in self.lock.withLock { self.out.append(text) } },
            progress: { text in self.lock.withLock { self.err.append(text) } },
            error: { text in self.lock.withLock { self.err.append(text) } })
    }

    var standardOutput: String { lock.withLock { out.joined(separator: "\n") } }
    var standardError: String { lock.withLock { err.joined(separator: "\n") } }
}

extension CIOverrides {
    /// Neither upload nor comment: a run without a token inside GitHub Actions.
    static var offline: CIOverrides {
        var overrides = CIOverrides()
        overrides.upload = false
        overrides.comment = false
        return overrides
    }
}

enum CIRun {
    static let fastTuning = UploadTuning(environment: [
        "SCANGATE_UPLOAD_ATTEMPTS": "2", "SCANGATE_UPLOAD_BACKOFF_MS": "20", "SCANGATE_UPLOAD_RETRY_BUDGET": "20",
        "SCANGATE_UPLOAD_CONNECT_TIMEOUT": "2", "SCANGATE_UPLOAD_POLL_INTERVAL_MS": "50", "SCANGATE_UPLOAD_WAIT": "5",
    ])

    /// `scangate ci` through the library, as the command wires it.
    static func run(
        _ workspace: ActionsWorkspace, overrides: CIOverrides = CIOverrides(), token: String? = LocalGitHub.token,
        tuning: UploadTuning = fastTuning, checkedOut: String? = nil
    ) throws -> (CIResult, Captured) {
        let config = try CIConfigLoader.load(path: workspace.path(".scangate.yaml"))
        let plan = try CIPlan.make(
            config: config, overrides: overrides,
            context: CIContext.detect(environment: workspace.environment) { checkedOut })
        let captured = Captured()
        let result = CIRunner(
            plan: plan, token: token.flatMap(GitHubToken.init), console: captured.console, tuning: tuning,
            scangateVersion: "0.1.0"
        ).run()
        return (result, captured)
    }
}

@Suite(.serialized) struct CIRunTests {
    static let outputs = [
        "out/scangate.sarif", "out/report.html", "out/report.md", "out/junit.xml", "out/report.json",
        "out/decision.json", "out/findings.json",
    ]

    /// A report that quotes the job's own token (a secret scanner's finding of a `.npmrc` written
    /// from GITHUB_TOKEN) does not pass it on: not to a file, the upload, the comment, the job
    /// summary, the annotations or the step outputs, neither as written nor as Markdown escapes it
    /// (`ghs\_…`, which the runner's masking does not recognise and GitHub renders as the token),
    /// nor cut short where a Markdown cell ends (`ghs\_Ab1Cd2Ef…`).
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func aTokenQuotedByAReportReachesNoOutput() throws {
        let github = try LocalGitHub(scenario: "complete")
        let workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "staging"))
        defer { workspace.remove() }
        let report = workspace.path("reports/trivy-fs.json")
        // The title again, padded so that the Markdown table's 120-character cell cuts the
        // second quote of the token short.
        let quoted = "minimist: prototype pollution, see .npmrc: \(LocalGitHub.token)"
        let padded = quoted + String(repeating: " ", count: 100 - quoted.count) + LocalGitHub.token
        let text = try String(contentsOfFile: report, encoding: .utf8).replacingOccurrences(
            of: "\"Title\": \"minimist: prototype pollution\"", with: "\"Title\": \"\(padded)\"")
        #expect(text.contains(LocalGitHub.token))
        try Data(text.utf8).write(to: URL(fileURLWithPath: report))
        let (result, captured) = try CIRun.run(workspace)
        #expect(result.exitCode == 1, "\(captured.standardError)")
        let escaped = LocalGitHub.token.replacingOccurrences(of: "_", with: "\\_")
        // Markdown's escape inside a JSON string: a SARIF rule's `help.markdown`.
        let escapedInJSON = LocalGitHub.token.replacingOccurrences(of: "_", with: "\\\\_")
        var places = Self.outputs.map { ($0, workspace.text($0)) }
        places += [
            ("the job summary", workspace.stepSummary), ("the step outputs", workspace.outputFile),
            ("the job log", captured.standardOutput + captured.standardError),
        ]
        places += try github.commentBodies().map { ("the comment", $0) }
        // The token's kind and the first four characters of its secret, as Markdown escapes them.
        let cutPiece = String(escaped.prefix(9))
        for (place, content) in places {
            #expect(!content.isEmpty, "\(place) is empty")
            #expect(
                !content.contains(LocalGitHub.token) && !content.contains(escaped) && !content.contains(escapedInJSON),
                "the token is in \(place)")
            #expect(!content.contains(cutPiece), "a piece of the token is in \(place)")
        }
        #expect(workspace.text("out/report.md").contains("[redacted]"))
        #expect(try github.uploads() == 1)
    }

    /// A token that is a piece of an output's name (a one-letter test value) redacted the names
    /// in the step outputs too (`e[redacted]it-code`), which the workflow's next steps then
    /// could not read (found by a review): only the values are redacted.
    @Test func aShortTokenLeavesTheStepOutputNamesAlone() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (result, captured) = try CIRun.run(workspace, overrides: .offline, token: "x")
        #expect(result.exitCode == 0, "\(captured.standardError)")
        let names = workspace.outputFile.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { String(line[..<$0]) }
        }
        #expect(names.contains("exit-code") && names.contains("decision"), "\(workspace.outputFile)")
        #expect(!workspace.outputFile.contains("[redacted]it-code"), "\(workspace.outputFile)")
    }

    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func passingRunUploadsCommentsAndReportsToActions() throws {
        let github = try LocalGitHub(scenario: "complete")
        let workspace = try ActionsWorkspace(apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (result, captured) = try CIRun.run(workspace)

        #expect(result.exitCode == 0, "\(captured.standardError)")
        #expect(result.decision?.passed == true)
        for output in Self.outputs {
            #expect(FileManager.default.fileExists(atPath: workspace.path(output)), "\(output) was not written")
        }
        // The SARIF uploaded is the one written, and the server found nothing wrong with the requests.
        #expect(try github.uploads() == 1)
        #expect(try github.uploadRequests().flatMap(\.problems).isEmpty)
        #expect(try github.uploadRequests().contains { $0.operation == "code-scanning/get-sarif" })
        // The comment: one, marked, on the pull request from the event file.
        let bodies = try github.commentBodies()
        #expect(bodies.count == 1)
        #expect(bodies.first?.hasPrefix("<!-- scangate-report -->") == true)
        #expect(try github.commentProblems().isEmpty)
        // GitHub Actions: the summary, the annotations, the outputs.
        #expect(
            workspace.stepSummary == workspace.text("out/report.md")
                + (workspace.stepSummary.hasSuffix("\n\n") ? "\n" : ""))
        #expect(!workspace.stepSummary.isEmpty)
        #expect(captured.standardOutput.contains("::warning "))
        #expect(!captured.standardOutput.contains("::error "))
        let outputs = workspace.outputFile
        #expect(outputs.contains("decision=pass\n"))
        #expect(outputs.contains("exit-code=0\n"))
        #expect(outputs.contains("sarif=\(workspace.path("out/scangate.sarif"))\n"))
        #expect(outputs.contains("sarif-id=47177e22-5596-11eb-80a1-c1e54ef945c6\n"))
        #expect(outputs.contains("fail=0\n"))
        #expect(outputs.contains("upload=done\n"))
        #expect(outputs.contains("comment=done\n"))
        // Progress names each report and its count, and the upload.
        #expect(captured.standardError.contains("read \(workspace.path("reports/trivy-fs.json")): trivy, "))
        #expect(captured.standardError.contains("uploaded: processed as upload"))
        // The token appears nowhere.
        for text in [captured.standardOutput, captured.standardError, workspace.stepSummary, outputs] {
            #expect(!text.contains(LocalGitHub.token))
        }
    }

    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func failingGateStillWritesUploadsAndComments() throws {
        let github = try LocalGitHub(scenario: "complete")
        let workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        var overrides = CIOverrides()
        overrides.environment = "staging"  // the flag wins over the configuration's dev
        let (result, captured) = try CIRun.run(workspace, overrides: overrides)

        #expect(result.exitCode == 1)
        #expect(result.decision?.passed == false)
        #expect(result.decision?.environment == "staging")
        for output in Self.outputs { #expect(FileManager.default.fileExists(atPath: workspace.path(output))) }
        #expect(try github.uploads() == 1)
        #expect(try github.commentBodies().count == 1)
        let errors = captured.standardOutput.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(!errors.isEmpty)
        #expect(errors.count <= CIAnnotations.perLevelLimit)
        #expect(errors.allSatisfy { $0.contains("title=") })
        // File and line where the finding has them (the example's committed AWS key).
        #expect(errors.contains { $0.hasPrefix("::error file=config/settings.env,line=3,") })
        #expect(captured.standardOutput.contains("FAIL: "))
        #expect(workspace.outputFile.contains("decision=fail\n"))
        #expect(workspace.outputFile.contains("exit-code=1\n"))
        // The failing findings are one multi-line output, in the heredoc form.
        #expect(workspace.outputFile.contains("failing<<ghadelimiter_"))
        // Past GitHub's limit per level, one notice counts the rest.
        let decision = try #require(result.decision)
        let failing = decision.verdicts.filter { $0.verdict == .fail }.count
        let limited = CIAnnotations.lines(decision, limit: 1)
        #expect(limited.filter { $0.hasPrefix("::error ") }.count == 1)
        #expect(
            limited.contains(
                "::notice::\(failing - 1) more failure\(failing == 2 ? "" : "s") not annotated: see the job summary"),
            "\(limited)")
    }

    @Test(.enabled(if: CITestEnvironment.canRunServers), arguments: ["ghas-disabled", "bad-commit-422"])
    func uploadFailureChangesAPassTo4(scenario: String) throws {
        let github = try LocalGitHub(scenario: scenario)
        let workspace = try ActionsWorkspace(apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (result, captured) = try CIRun.run(workspace)

        #expect(result.decision?.passed == true)
        #expect(result.exitCode == 4, "\(captured.standardError)")
        #expect(result.steps.first { $0.name == "upload" }?.status == .failed(4))
        // Never retried, never skipping the rest.
        #expect(try github.uploads() == 1)
        for output in Self.outputs { #expect(FileManager.default.fileExists(atPath: workspace.path(output))) }
        #expect(try github.commentBodies().count == 1)
        #expect(!workspace.stepSummary.isEmpty)
        #expect(workspace.outputFile.contains("decision=pass\n"))
        #expect(workspace.outputFile.contains("exit-code=4\n"))
        #expect(captured.standardError.contains("error: upload failed: "))
        #expect(!captured.standardError.contains(LocalGitHub.token))
    }

    @Test(.enabled(if: CITestEnvironment.canRunServers), arguments: ["ghas-disabled", "bad-commit-422"])
    func uploadFailureKeepsAFailAt1(scenario: String) throws {
        let github = try LocalGitHub(scenario: scenario)
        let workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "staging"))
        defer { workspace.remove() }
        let (result, _) = try CIRun.run(workspace)

        #expect(result.exitCode == 1)
        #expect(result.steps.first { $0.name == "upload" }?.status == .failed(4))
        for output in Self.outputs { #expect(FileManager.default.fileExists(atPath: workspace.path(output))) }
        #expect(workspace.outputFile.contains("exit-code=1\n"))
    }

    /// A `--cacert` that holds no certificate fails the comment as a usage error naming the file,
    /// as it fails the upload, not as a TLS error (found by a review).
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func aCACertificateFileThatIsNotOneFailsTheComment() throws {
        let github = try LocalGitHub(scenario: "complete")
        var workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        var overrides = CIOverrides()
        overrides.upload = false
        overrides.cacert = workspace.path(".scangate.yaml")
        let (result, captured) = try CIRun.run(workspace, overrides: overrides)
        let comment = result.steps.first { $0.name == "comment" }
        #expect(comment?.status == .failed(2), "\(result.steps)")
        #expect(captured.standardError.contains("holds no PEM certificate"), "\(captured.standardError)")
        #expect(try github.commentBodies().isEmpty)
    }

    /// A pull request from a fork gets a read-only token under `pull_request`: the upload and the
    /// comment would be refused (403) and turn a passing gate into exit 4 on every outside
    /// contribution. They are skipped, saying why; the gate decides the exit code. `--upload`
    /// still tries.
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func aPullRequestFromAForkSkipsTheUploadAndTheComment() throws {
        let github = try LocalGitHub(scenario: "complete")
        var workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let number = LocalGitHub.pullRequest
        try workspace.setEvent(
            "pull_request",
            payload: ActionsWorkspace.pullRequestPayload(
                number: number,
                #""head": {"sha": "\#(ActionsWorkspace.headCommit)", "repo": {"full_name": "someone/hello-world", "#
                    + #""fork": true}}, "base": {"sha": "\#(ActionsWorkspace.commit)", "repo": {"full_name": "#
                    + #""\#(LocalGitHub.repository)", "fork": false}}"#),
            ref: "refs/pull/\(number)/merge")
        let (result, captured) = try CIRun.run(workspace)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        #expect(
            captured.standardError.contains("upload skipped: a pull request from a fork"), "\(captured.standardError)")
        #expect(captured.standardError.contains("comment skipped: a pull request from a fork"))
        #expect(try github.uploads() == 0)
        #expect(try github.commentBodies().isEmpty)
        #expect(workspace.outputFile.contains("upload=skipped\n") && workspace.outputFile.contains("comment=skipped\n"))

        var overrides = CIOverrides()
        overrides.upload = true
        let (asked, askedOutput) = try CIRun.run(workspace, overrides: overrides)
        #expect(asked.exitCode == 0, "\(askedOutput.standardError)")
        #expect(try github.uploads() == 1)

        // A pull request between branches of one repository that is itself a fork (a team working
        // in its fork of an upstream) has a token that can write: nothing is skipped.
        try workspace.setEvent(
            "pull_request",
            payload: ActionsWorkspace.pullRequestPayload(
                number: number,
                #""head": {"sha": "\#(ActionsWorkspace.headCommit)", "repo": {"id": 7, "full_name": "#
                    + #""\#(LocalGitHub.repository)", "fork": true}}, "base": {"sha": "\#(ActionsWorkspace.commit)", "#
                    + #""repo": {"id": 7, "full_name": "\#(LocalGitHub.repository)", "fork": true}}"#),
            ref: "refs/pull/\(number)/merge")
        let (own, ownOutput) = try CIRun.run(workspace)
        #expect(own.exitCode == 0, "\(ownOutput.standardError)")
        #expect(!ownOutput.standardError.contains("a pull request from a fork"))
        #expect(try github.uploads() == 2)
        #expect(try github.commentBodies().count == 1)
    }

    /// `pull_request_target` runs with the base branch's GITHUB_REF and GITHUB_SHA; the scan is
    /// the pull request's, so it is uploaded for `refs/pull/N/head` and the head commit, never
    /// over the base branch's analysis.
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func pullRequestTargetUploadsForThePullRequestsHead() throws {
        let github = try LocalGitHub(scenario: "complete")
        var workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let number = LocalGitHub.pullRequest
        try workspace.setEvent(
            "pull_request_target",
            payload: ActionsWorkspace.pullRequestPayload(
                number: number,
                #""head": {"sha": "\#(ActionsWorkspace.headCommit)", "ref": "feature"}, "#
                    + #""base": {"sha": "\#(ActionsWorkspace.commit)", "ref": "main"}"#),
            ref: "refs/heads/main")
        // The workflow checked out the pull request's head: the analysis is the pull request's.
        let (result, captured) = try CIRun.run(workspace, checkedOut: ActionsWorkspace.headCommit)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        var targets = try github.uploadTargets()
        #expect(targets.count == 1)
        #expect(targets.first?.ref == "refs/pull/\(number)/head")
        #expect(targets.first?.commit == ActionsWorkspace.headCommit)
        // actions/checkout's default under pull_request_target is the base branch: that is what
        // was scanned, and it is not filed as the pull request's.
        let (base, baseOutput) = try CIRun.run(workspace, checkedOut: ActionsWorkspace.commit)
        #expect(base.exitCode == 0, "\(baseOutput.standardError)")
        targets = try github.uploadTargets()
        #expect(targets.count == 2)
        #expect(targets.last?.ref == "refs/heads/main" && targets.last?.commit == ActionsWorkspace.commit)
        // Nor is it commented on as the pull request's: the base's PASS says nothing of its code.
        let commentStep = base.steps.first { $0.name == "comment" }
        #expect(commentStep?.status == .skipped, "\(base.steps)")
        #expect(commentStep?.message.contains("the checkout is the base branch") == true, "\(base.steps)")
        // A checkout that is neither (or cannot be read): not uploaded, exit 2.
        let (unknown, unknownOutput) = try CIRun.run(workspace, checkedOut: nil)
        #expect(unknown.exitCode == 2, "\(unknownOutput.standardError)")
        #expect(unknownOutput.standardError.contains("is neither the pull request's head"))
        #expect(try github.uploadTargets().count == 2)
        #expect(try github.uploadRequests().flatMap(\.problems).isEmpty)
        #expect(try github.commentBodies().count == 1)
    }

    /// A pull request merged and `closed`: the runner's ref is the base branch and its commit the
    /// merge commit, which is what the workflow checked out ("scan after merge"): uploaded as such.
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func aMergedPullRequestsClosedEventUploadsForTheBaseBranch() throws {
        let github = try LocalGitHub(scenario: "complete")
        var workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let number = LocalGitHub.pullRequest
        try workspace.setEvent(
            "pull_request",
            payload: ActionsWorkspace.pullRequestPayload(
                "closed", number: number,
                #""merged": true, "merge_commit_sha": "\#(ActionsWorkspace.commit)", "#
                    + #""head": {"sha": "\#(ActionsWorkspace.headCommit)"}"#),
            ref: "refs/heads/main")
        let (result, captured) = try CIRun.run(workspace)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        let targets = try github.uploadTargets()
        #expect(targets.count == 1)
        #expect(targets.first?.ref == "refs/heads/main" && targets.first?.commit == ActionsWorkspace.commit)
    }

    /// An event about a pull request whose GITHUB_REF is the default branch's (`workflow_run`,
    /// `issue_comment`): what was scanned is not known, so nothing is uploaded over the branch's
    /// analysis (exit 2) unless `--commit` and `--ref` say it.
    @Test(.enabled(if: CITestEnvironment.canRunServers), arguments: ["workflow_run", "issue_comment"])
    func aPullRequestEventOnTheDefaultBranchsRefIsNotUploadedWithoutCommitAndRef(event: String) throws {
        let github = try LocalGitHub(scenario: "complete")
        var workspace = try ActionsWorkspace(
            apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"), pullRequest: nil)
        defer { workspace.remove() }
        let payload =
            event == "workflow_run"
            ? #"{"action": "completed", "workflow_run": {"event": "pull_request", "head_sha": "\#(ActionsWorkspace.headCommit)", "#
                + #""pull_requests": [{"number": \#(LocalGitHub.pullRequest), "head": {"sha": "\#(ActionsWorkspace.headCommit)"}}]}}"#
            : #"{"action": "created", "issue": {"number": \#(LocalGitHub.pullRequest), "pull_request": {"url": "https://x"}}}"#
        try workspace.setEvent(event, payload: payload, ref: "refs/heads/main")
        let (refused, refusedOutput) = try CIRun.run(workspace)
        #expect(refused.decision?.passed == true)
        #expect(refused.exitCode == 2, "\(refusedOutput.standardError)")
        #expect(refused.steps.first { $0.name == "upload" }?.status == .failed(2))
        #expect(refusedOutput.standardError.contains("the \(event) event is about a pull request"))
        #expect(refusedOutput.standardError.contains("pass --commit and --ref"))
        #expect(try github.uploads() == 0)

        var overrides = CIOverrides()
        overrides.commit = ActionsWorkspace.headCommit
        overrides.ref = "refs/pull/\(LocalGitHub.pullRequest)/head"
        let (given, givenOutput) = try CIRun.run(workspace, overrides: overrides)
        #expect(given.exitCode == 0, "\(givenOutput.standardError)")
        let targets = try github.uploadTargets()
        #expect(targets.count == 1)
        #expect(targets.first?.ref == "refs/pull/\(LocalGitHub.pullRequest)/head")
        // The pull request the ref names is commented on.
        #expect(try github.commentBodies().count == 1)
        #expect(targets.first?.commit == ActionsWorkspace.headCommit)
    }

    /// GitHub's secondary rate limit (a 403 known only by its message) is waited for, then the
    /// upload goes through (the minute GitHub asks for is 200 ms here).
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func aSecondaryRateLimitIsWaitedForAndTheUploadRetried() throws {
        let github = try LocalGitHub(scenario: "secondary-403")
        let workspace = try ActionsWorkspace(apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        var tuning = CIRun.fastTuning
        tuning.rateLimitWait = 0.2
        let (result, captured) = try CIRun.run(workspace, tuning: tuning)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        #expect(try github.uploads() == 2)
        #expect(captured.standardError.contains("HTTP 403, rate limited (attempt 1 of 2); retrying in 0.2 s"))
        #expect(workspace.outputFile.contains("sarif-id=47177e22-5596-11eb-80a1-c1e54ef945c6\n"))
    }

    /// A push whose report cannot be read (exit 3) or whose policy is invalid (exit 2) after a
    /// passing one: the pull request's one comment must not keep saying PASS for a commit that
    /// was never gated, and the step outputs must not be empty.
    @Test(.enabled(if: CITestEnvironment.canRunServers), arguments: [("report", 3), ("policy", 2)])
    func aRunThatStopsBeforeTheGateReplacesThePreviousVerdict(broken: String, expected: Int32) throws {
        let github = try LocalGitHub(scenario: "complete")
        let workspace = try ActionsWorkspace(apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (first, firstOutput) = try CIRun.run(workspace)
        #expect(first.exitCode == 0, "\(firstOutput.standardError)")
        #expect(try github.commentBodies().first?.contains("✅ PASS") == true)

        // The next push: a truncated report, or a policy with a wrong value; a fresh step.
        if broken == "report" {
            try Data(#"{"auditReportVersion": 2, "vulnerabilities": {"#.utf8).write(
                to: URL(fileURLWithPath: workspace.path("reports/npm-audit.json")))
        } else {
            try Data("scangate-policy: 1\nfail-on: extreme\n".utf8).write(
                to: URL(fileURLWithPath: workspace.path("policies/dev.yaml")))
        }
        try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
        let (result, captured) = try CIRun.run(workspace)

        #expect(result.exitCode == expected, "\(captured.standardError)")
        #expect(result.decision == nil)
        let bodies = try github.commentBodies()
        #expect(bodies.count == 1, "still one comment, updated in place")
        let body = bodies.first ?? ""
        #expect(body.hasPrefix(MarkdownReport.commentMarker + "\n"))
        #expect(body.contains("ERROR, the gate did not run"), "\(body)")
        #expect(body.contains("for commit `\(ActionsWorkspace.commit)`"), "\(body)")
        #expect(body.contains("(exit \(expected))"))
        #expect(!body.contains("PASS:") && !body.contains("✅"), "\(body)")
        let why = broken == "report" ? "1 report could not be read" : "the policy file is invalid"
        #expect(body.contains(why), "\(body)")
        #expect(try github.commentProblems().isEmpty)
        #expect(result.steps.first { $0.name == "comment" }?.status == .done)

        let outputs = workspace.outputFile
        #expect(outputs.contains("decision=error\n"), "\(outputs)")
        #expect(outputs.contains("exit-code=\(expected)\n"))
        #expect(outputs.contains("summary=ERROR: the gate did not run (exit \(expected)): \(why)"), "\(outputs)")
        #expect(!outputs.contains("decision=pass"))
        // A later step reads how the remote steps ended, as after a decided run.
        #expect(outputs.contains("upload=skipped\ncomment=done\n"), "\(outputs)")
        // Nothing else was written or sent.
        #expect(try github.uploads() == 1)
        for text in [captured.standardOutput, captured.standardError, outputs, body] {
            #expect(!text.contains(LocalGitHub.token))
        }
    }

    /// Without a pull request (a push to main) or with commenting off, only the outputs change.
    @Test func aStoppedRunOutsideAPullRequestWritesOnlyTheOutputs() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"), pullRequest: nil)
        defer { workspace.remove() }
        try Data("scangate-policy: 1\nfail-on: extreme\n".utf8).write(
            to: URL(fileURLWithPath: workspace.path("policies/dev.yaml")))
        let (result, captured) = try CIRun.run(workspace)
        #expect(result.exitCode == 2)
        #expect(result.steps.map(\.name) == ["github-output"])
        #expect(!captured.standardError.contains("comment"))
        #expect(workspace.outputFile.hasPrefix("decision=error\nexit-code=2\nsummary=ERROR: "))
        #expect(workspace.outputFile.contains("\nupload=skipped\ncomment=skipped\n"), "\(workspace.outputFile)")
    }

    /// Outside GitHub Actions, without a token the remote steps are skipped and said so.
    @Test func outsideActionsWithoutATokenTheRemoteStepsAreSkipped() throws {
        var workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        workspace.environment["GITHUB_ACTIONS"] = nil
        var overrides = CIOverrides()
        overrides.repository = LocalGitHub.repository
        overrides.pullRequest = LocalGitHub.pullRequest
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        #expect(result.steps.first { $0.name == "upload" }?.status == .skipped)
        #expect(result.steps.first { $0.name == "comment" }?.status == .skipped)
        #expect(captured.standardError.contains("upload skipped: no GitHub token"))
        #expect(captured.standardError.contains("comment skipped: no GitHub token"))
    }

    /// Inside GitHub Actions an upload and a comment the configuration enables cannot quietly not
    /// happen for want of a token (a forgotten `env:` line, a secret not given to the workflow):
    /// exit 2, saying what is missing and how to turn them off, and the outputs say so. Turned off
    /// explicitly, the run passes and the outputs say `skipped`.
    @Test func insideActionsAnEnabledUploadOrCommentWithoutATokenIsAnError() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (result, captured) = try CIRun.run(workspace, token: nil)
        #expect(result.decision?.passed == true)
        #expect(result.exitCode == 2, "\(captured.standardError)")
        #expect(result.steps.first { $0.name == "upload" }?.status == .failed(2))
        #expect(result.steps.first { $0.name == "comment" }?.status == .failed(2))
        let errors = captured.standardError
        #expect(errors.contains("error: upload failed: the upload is enabled but the step has no GitHub token"))
        #expect(errors.contains("error: comment failed: the pull request comment is enabled but the step has no"))
        #expect(errors.contains("env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}"))
        #expect(errors.contains("--no-upload or upload.enabled: false"))
        #expect(errors.contains("--no-comment or comment: false"))
        #expect(workspace.outputFile.contains("exit-code=2\n"), "\(workspace.outputFile)")
        #expect(workspace.outputFile.contains("upload=failed\n"))
        #expect(workspace.outputFile.contains("comment=failed\n"))

        try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
        var overrides = CIOverrides()
        overrides.upload = false
        overrides.comment = false
        let (off, offOutput) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(off.exitCode == 0, "\(offOutput.standardError)")
        #expect(workspace.outputFile.contains("upload=skipped\n"), "\(workspace.outputFile)")
        #expect(workspace.outputFile.contains("comment=skipped\n"))
    }

    /// An output that could not be written is not named in the step outputs: `html=` named the
    /// path of the previous run's report left there, which a later step took for this run's
    /// (found by a review). The others are named as before.
    @Test func anOutputThatCouldNotBeWrittenIsNotNamedInTheStepOutputs() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        try Data("a file, not a directory".utf8).write(to: URL(fileURLWithPath: workspace.path("blocker")))
        var overrides = CIOverrides()
        overrides.upload = false
        overrides.comment = false
        overrides.outputs.html = workspace.path("blocker/report.html")
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.exitCode == 2, "\(captured.standardError)")
        #expect(result.steps.first { $0.name == "html" }?.status == .failed(2))
        // Said plainly (Foundation's text was "a file with the same name already exists").
        #expect(captured.standardError.contains("\(workspace.path("blocker")) is not a directory"))
        #expect(!workspace.outputFile.contains("html="), "\(workspace.outputFile)")
        #expect(workspace.outputFile.contains("markdown="), "\(workspace.outputFile)")
        #expect(workspace.outputFile.contains("exit-code=2\n"))
    }

    /// `outputs.findings` is what `.scangate.yaml` offers as the next run's baseline: written by a
    /// run whose gate failed, it carries each finding's verdict, and a re-run against it under
    /// `fail-on-new-only` fails on the same findings again instead of adopting them as known (it
    /// passed, found by a review).
    @Test func aFailedRunsFindingsOutputAsBaselineDoesNotLetItsFindingsPass() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "staging"))
        defer { workspace.remove() }
        let (failed, failedOutput) = try CIRun.run(workspace, overrides: .offline, token: nil)
        #expect(failed.exitCode == 1, "\(failedOutput.standardError)")
        let findings = workspace.text("out/findings.json")
        #expect(findings.contains(#""verdict": "fail""#), "each finding says how the gate judged it")
        try Data(findings.utf8).write(to: URL(fileURLWithPath: workspace.path("baseline.json")))
        let policy = workspace.path("policies/staging.yaml")
        let text = try String(contentsOfFile: policy, encoding: .utf8)
        try Data((text + "\nfail-on-new-only: true\n").utf8).write(to: URL(fileURLWithPath: policy))

        var overrides = CIOverrides.offline
        overrides.baseline = workspace.path("baseline.json")
        overrides.outputs.findings = workspace.path("out/findings-2.json")
        let (rerun, rerunOutput) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(rerun.exitCode == 1, "\(rerunOutput.standardError)")
        let failing = rerun.decision?.verdicts.filter { $0.verdict == .fail } ?? []
        #expect(failing.count == failed.decision?.verdicts.count { $0.verdict == .fail })
        #expect(failing.allSatisfy { $0.isNew })

        #expect(
            failing.allSatisfy { $0.notes.contains { $0.hasPrefix("new again: the baseline's decision failed it") } },
            "\(failing.map(\.notes))")
    }

    /// `outputs.findings` of a dev run, where every finding only warned, given as a staging
    /// run's baseline made its findings known there without a word, as a report document of
    /// dev's did not (found by a review): the document records the environment its verdicts
    /// were given in (`environment`), and the gate says it is another.
    @Test func aFindingsOutputOfAnotherEnvironmentAsBaselineIsSaidSo() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (dev, devOutput) = try CIRun.run(workspace, overrides: .offline, token: nil)
        #expect(dev.exitCode == 0, "\(devOutput.standardError)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(workspace.text("out/findings.json").utf8)) as? [String: Any])
        #expect(document["environment"] as? String == "dev")

        var overrides = CIOverrides.offline
        overrides.environment = "staging"
        overrides.baseline = workspace.path("out/findings.json")
        overrides.outputs.findings = workspace.path("out/findings-staging.json")
        let (staging, stagingOutput) = try CIRun.run(workspace, overrides: overrides, token: nil)
        let warnings = staging.decision?.warnings ?? []
        #expect(
            warnings.contains { $0.contains("was decided in the environment dev, this gate is in staging") },
            "\(warnings)\(stagingOutput.standardError)")
    }

    @Test func theReportJSONHoldsTheSameFindingsAndDecisionAsTheirOwnOutputs() throws {
        // The findings and decision documents are made once and used twice (in the report JSON
        // and as outputs of their own) while the SARIF file is built on another thread.
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let (result, captured) = try CIRun.run(workspace, overrides: .offline, token: nil)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        for output in Self.outputs {
            let name = output.split(separator: "/").last.map(String.init) ?? output
            #expect(captured.standardError.contains(workspace.path(output)), "\(name) not reported written")
        }
        func json(_ relative: String) throws -> NSDictionary {
            let data = try Data(contentsOf: URL(fileURLWithPath: workspace.path(relative)))
            return try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
        }
        let report = try json("out/report.json")
        let findings = try json("out/findings.json")
        let decision = try json("out/decision.json")
        #expect((findings["findings"] as? NSArray)?.count ?? 0 > 0)
        #expect((report["findings"] as? NSDictionary)?.isEqual(to: findings as? [AnyHashable: Any] ?? [:]) == true)
        #expect((report["decision"] as? NSDictionary)?.isEqual(to: decision as? [AnyHashable: Any] ?? [:]) == true)
        let sarif = try json("out/scangate.sarif")
        #expect((sarif["runs"] as? NSArray)?.count ?? 0 > 0)
        #expect(result.steps.first?.name == "sarif")
    }

    @Test func resultsDroppedForGitHubsLimitsAreListedInTheirOwnOutput() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let report = try SARIFFixtures.overTheRunLimit(
            lowCount: 21, in: URL(fileURLWithPath: workspace.path("reports")))
        var overrides = CIOverrides()
        overrides.reports = [report.path]
        overrides.outputs.sarifDropped = workspace.path("out/sarif-dropped.txt")
        overrides.upload = false  // no token: nothing to upload or comment with
        overrides.comment = false
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        #expect(result.steps.first { $0.name == "sarif-dropped" }?.status == .done)
        let listing = try String(contentsOfFile: workspace.path("out/sarif-dropped.txt"), encoding: .utf8)
        #expect(listing.split(separator: "\n").count == 21)
        #expect(listing.split(separator: "\n").allSatisfy { $0.hasPrefix("dropped from run bigtool: low R-note ") })
        #expect(captured.standardError.contains("dropped 21 (21 low)"))
        #expect(
            captured.standardError.contains(
                "note: 1 more dropped result not named here; all are listed in \(workspace.path("out/sarif-dropped.txt"))"
            ))
        #expect(workspace.outputFile.contains("sarif-dropped=\(workspace.path("out/sarif-dropped.txt"))\n"))
    }

    @Test func theJobLogListsTheFirstFindingsOfEachVerdictAndSaysWhereTheRestAre() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        // A Trivy report of 130 high vulnerabilities: the dev policy warns on each.
        let vulnerabilities = (0..<130).map { index in
            #"{"VulnerabilityID": "CVE-2024-\#(10_000 + index)", "PkgName": "pkg\#(index)", "#
                + #""InstalledVersion": "1.0.0", "Severity": "HIGH", "Title": "t"}"#
        }
        let report = workspace.path("reports/trivy-many.json")
        let text =
            #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": "#
            + #""package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": ["#
            + vulnerabilities.joined(separator: ", ") + "]}]}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: report))
        var overrides = CIOverrides()
        overrides.reports = [report]
        overrides.upload = false  // no token: nothing to upload or comment with
        overrides.comment = false
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.exitCode == 0, "\(captured.standardError)")
        let log = captured.standardOutput
        let listed = log.split(separator: "\n").filter { $0.hasPrefix("WARN ") }
        #expect(listed.count == CIRunner.findingsListedPerVerdict)
        #expect(
            log.contains(
                "... \(130 - CIRunner.findingsListedPerVerdict) more warnings not listed here; every one is in "
                    + workspace.path("out/decision.json")))
        #expect(log.contains("PASS: 0 failing, 130 warnings"))
        // The decision output holds every verdict.
        let decision = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: workspace.path("out/decision.json"))))
        let findings = (decision as? [String: Any])?["findings"] as? [[String: Any]] ?? []
        #expect(findings.count { $0["verdict"] as? String == "warn" } == 130)
    }

    @Test func anOutputOverAFileThePolicyExtendsIsRefusedBeforeAnythingIsWritten() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let extended = workspace.path("policies/default.yaml")
        let before = try Data(contentsOf: URL(fileURLWithPath: extended))
        var overrides = CIOverrides()
        overrides.outputs.html = extended
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.exitCode == 2)
        #expect(captured.standardError.contains("is a policy file (\(extended)): write the outputs somewhere else"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: extended)) == before)
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))
    }

    @Test func anUnwritableOutputIsReportedAndTheRestIsWritten() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        // A directory where the HTML file should go: it cannot be replaced by a file.
        try FileManager.default.createDirectory(
            atPath: workspace.path("out/report.html"), withIntermediateDirectories: true)
        let (result, captured) = try CIRun.run(workspace, token: nil)
        #expect(result.exitCode == 2)
        #expect(result.steps.first { $0.name == "html" }?.status == .failed(2))
        #expect(captured.standardError.contains("cannot write \(workspace.path("out/report.html"))"))
        for output in Self.outputs where output != "out/report.html" {
            #expect(FileManager.default.fileExists(atPath: workspace.path(output)))
        }
    }

    @Test func aReportPatternThatMatchesNothingFailsClosed() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        try FileManager.default.removeItem(atPath: workspace.path("reports/zap-report.xml"))
        let (result, captured) = try CIRun.run(workspace, token: nil)
        #expect(result.exitCode == 3)
        #expect(result.decision == nil)
        #expect(captured.standardError.contains("reports/zap-*.xml: no report matches"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out/scangate.sarif")))
        // The step outputs say nothing was decided: an empty decision would pass `!= 'fail'`.
        #expect(workspace.outputFile.contains("decision=error\n"), "\(workspace.outputFile)")
        #expect(workspace.outputFile.contains("exit-code=3\n"))
        #expect(!workspace.outputFile.contains("fail="))
        #expect(result.steps.map(\.name) == ["github-output"])
    }

    @Test func anInvalidPolicyStopsBeforeAnythingIsWritten() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        try Data("scangate-policy: 1\nfail-on: extreme\n".utf8).write(
            to: URL(fileURLWithPath: workspace.path("policies/dev.yaml")))
        let (result, captured) = try CIRun.run(workspace, token: nil)
        #expect(result.exitCode == 2)
        #expect(captured.standardError.contains(workspace.path("policies/dev.yaml") + ":2"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))
    }

    /// `policies` mapping an environment to a policy that says it is another's would gate with
    /// the mapped environment's waivers under the other's thresholds: a slip, refused. `--policy`
    /// without `--env` gates in the policy's own environment instead.
    /// A waiver for an environment `.scangate.yaml` does not define (`stagign`, or `Staging`
    /// where `staging` is defined: names are compared as written, as `--env` is) holds nowhere.
    /// The run says so, naming the waiver's file and line, and the finding it would have hidden
    /// says why it still fails.
    @Test func aWaiverForAnEnvironmentTheConfigurationDoesNotDefineIsWarnedAbout() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "staging"))
        defer { workspace.remove() }
        let waivers = """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-44906
                environments: [stagign]
                severity: critical
                reason: minimist only parses our own build flags
                approved-by: security@example.org
                expires: 2026-12-10
              - id: aws-access-key-id
                environments: [Staging, production]
                severity: critical
                reason: a revoked test key
                approved-by: security@example.org
                expires: 2026-12-10

            """
        try Data(waivers.utf8).write(to: URL(fileURLWithPath: workspace.path("waivers.yaml")))
        var overrides = CIOverrides()
        overrides.waivers = [workspace.path("waivers.yaml")]
        overrides.now = "2026-11-25"
        overrides.upload = false
        overrides.comment = false
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.exitCode == 1, "\(captured.standardError)")
        let log = captured.standardOutput
        let file = workspace.path("waivers.yaml")
        #expect(
            log.contains(
                "warning: waiver CVE-2021-44906 (\(file):3) names the environment \"stagign\", which the configuration "
                    + "does not define (policies: dev, production, staging): it holds in no environment of that name\n"),
            "\(log)")
        #expect(
            log.contains(
                "warning: waiver aws-access-key-id (\(file):9) names the environment \"Staging\", which the "
                    + "configuration does not define (policies: dev, production, staging): it holds in no environment "
                    + "of that name; \"staging\" differs only in case, and environment names are compared as written"),
            "\(log)")
        #expect(!log.contains("names the environment \"production\""))
        #expect(log.contains("waiver CVE-2021-44906 (\(file):3) holds only in stagign, not in staging: not applied"))
        #expect(
            log.contains(
                "waiver aws-access-key-id (\(file):9) holds only in Staging, production, not in staging: not applied "
                    + "(environment names are compared as written, case included)"))
        #expect(workspace.text("out/report.md").contains("names the environment \"stagign\""))
    }

    /// `policies: {production: policies/staging.yaml}`, staging.yaml without `environment:`: its
    /// name says staging, so the mapping is the same slip as a declared one (found by a review).
    @Test func aPolicyFileNamedForAnotherEnvironmentIsRefused() throws {
        let config = ActionsWorkspace.config(environment: "production").replacingOccurrences(
            of: "production: policies/production.yaml", with: "production: policies/staging.yaml")
        let workspace = try ActionsWorkspace(apiURL: "http://127.0.0.1:9", config: config)
        defer { workspace.remove() }
        try Data("scangate-policy: 1\nfail-on: critical\n".utf8).write(
            to: URL(fileURLWithPath: workspace.path("policies/staging.yaml")))
        let (result, captured) = try CIRun.run(workspace, token: nil)
        #expect(result.exitCode == 2, "\(captured.standardError)")
        #expect(
            captured.standardError.contains("whose environment staging (the file's name"), "\(captured.standardError)")
    }

    @Test func aPolicyMappedToAnotherEnvironmentIsRefused() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        try Data("scangate-policy: 1\nenvironment: production\nfail-on: high\n".utf8).write(
            to: URL(fileURLWithPath: workspace.path("policies/dev.yaml")))
        let (result, captured) = try CIRun.run(workspace, token: nil)
        #expect(result.exitCode == 2)
        #expect(captured.standardError.contains("policies maps dev to"), "\(captured.standardError)")
        #expect(captured.standardError.contains("whose environment: production ("), "\(captured.standardError)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))

        var overrides = CIOverrides()
        overrides.policy = workspace.path("policies/dev.yaml")
        let (flagged, flaggedOutput) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(flagged.decision?.environment == "production", "\(flaggedOutput.standardError)")
    }

    /// Outside GitHub Actions, without a token the upload is skipped and said so; asked for with `--upload`, that is an
    /// error (exit 2 on a passing gate), not a quiet skip.
    @Test func anUploadAskedForWithoutATokenIsAnError() throws {
        var workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"), pullRequest: nil)
        defer { workspace.remove() }
        // Outside GitHub Actions: inside, an enabled upload without a token is an error anyway.
        workspace.environment["GITHUB_ACTIONS"] = nil
        let (quiet, quietOutput) = try CIRun.run(workspace, token: nil)
        #expect(quiet.exitCode == 0, "\(quietOutput.standardError)")
        #expect(quietOutput.standardError.contains("upload skipped: no GitHub token"))

        var overrides = CIOverrides()
        overrides.upload = true
        let (asked, askedOutput) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(asked.exitCode == 2, "\(askedOutput.standardError)")
        #expect(askedOutput.standardError.contains("--upload asks for it, but there is no GitHub token"))
    }

    /// Corpus reports given as arguments instead of the configuration's patterns.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CITestEnvironment.corpus.path)))
    func corpusReportsGivenAsArguments() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "staging"), pullRequest: nil)
        defer { workspace.remove() }
        var overrides = CIOverrides()
        let corpus = CITestEnvironment.corpus.path
        overrides.reports = [
            "\(corpus)/npm-audit/audit-ci__npm-output@npm-critical.json",
            "\(corpus)/zap/defectdojo__juicy2.xml",
        ]
        overrides.upload = false  // no token: nothing to upload or comment with
        overrides.comment = false
        let (result, captured) = try CIRun.run(workspace, overrides: overrides, token: nil)
        #expect(result.decision != nil, "\(captured.standardError)")
        #expect([0, 1].contains(result.exitCode))
        #expect(captured.standardError.contains("audit-ci__npm-output@npm-critical.json: npm-audit, "))
        #expect(captured.standardError.contains("defectdojo__juicy2.xml: zap, "))
        #expect(result.steps.first { $0.name == "comment" }?.status == .skipped)
        #expect(FileManager.default.fileExists(atPath: workspace.path("out/scangate.sarif")))
    }
}
