import CI
import Foundation
import Testing
import Yams

@Suite struct GitHubActionsTests {
    /// The commit a real Git checkout has at HEAD: a branch, detached, or not a checkout at all.
    @Test func theCheckedOutCommitIsReadFromGit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(GitCheckout.head(in: directory.path) == nil)
        func git(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", directory.path, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git(["init", "-q"])
        #expect(GitCheckout.head(in: directory.path) == nil, "no commit yet")
        _ = try git(["commit", "-q", "--allow-empty", "-m", "first"])
        let first = try git(["rev-parse", "HEAD"])
        #expect(GitCheckout.head(in: directory.path) == first)
        _ = try git(["commit", "-q", "--allow-empty", "-m", "second"])
        _ = try git(["checkout", "-q", "--detach", first])
        #expect(GitCheckout.head(in: directory.path) == first)
    }

    @Test func escaping() {
        #expect(WorkflowCommand.escapeData("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b")
        #expect(WorkflowCommand.escapeProperty("a:b,c%\n") == "a%3Ab%2Cc%25%0A")
        let line = WorkflowCommand.annotation(
            .error, message: "line one\nline two", file: "src/a,b:c.js", line: 3, endLine: 4, title: "high: X")
        #expect(line == "::error file=src/a%2Cb%3Ac.js,line=3,endLine=4,title=high%3A X::line one%0Aline two")
        #expect(WorkflowCommand.annotation(.warning, message: "m") == "::warning::m")
        // A line without a file is not given (GitHub would ignore it), nor a non-positive one.
        #expect(WorkflowCommand.annotation(.notice, message: "m", line: 0) == "::notice::m")
    }

    @Test func outputsUseTheHeredocFormForMultiLineValues() {
        let text = WorkflowCommand.outputs(
            [("decision", "pass"), ("failing", "a\nghadelimiter_X\nb")], delimiterSeed: "X")
        #expect(text.hasPrefix("decision=pass\nfailing<<ghadelimiter_X_\na\nghadelimiter_X\nb\nghadelimiter_X_\n"))
    }

    @Test func detectionFromTheEnvironmentAndTheEventFile() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let event = directory.appendingPathComponent("event.json")
        try Data(#"{"number": 7, "pull_request": {"number": 7, "head": {"sha": "abc"}}}"#.utf8).write(to: event)
        let environment = [
            "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc123",
            "GITHUB_REF": "refs/pull/7/merge",
            "GITHUB_EVENT_PATH": event.path, "GITHUB_STEP_SUMMARY": "/s", "GITHUB_OUTPUT": "/o",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "9", "GITHUB_API_URL": "https://api.github.com",
        ]
        let context = CIContext.detect(environment: environment)
        #expect(context.isGitHubActions)
        #expect(context.repository == "o/r")
        #expect(context.commit == "abc123")
        #expect(context.pullRequest == 7)
        #expect(context.stepSummaryFile == "/s")
        #expect(context.outputFile == "/o")
        #expect(context.runURL == "https://github.com/o/r/actions/runs/9")

        // Flags win.
        let overridden = context.overriding(repository: "x/y", commit: nil, ref: "refs/heads/main", pullRequest: nil)
        #expect(overridden.repository == "x/y")
        #expect(overridden.commit == "abc123")
        #expect(overridden.pullRequest == 7)

        // pull_request_target: the runner's ref and SHA are the base branch's; the analysis is
        // the pull request head's.
        try Data(#"{"number": 7, "pull_request": {"number": 7, "head": {"sha": "def456"}}}"#.utf8).write(to: event)
        var target = environment
        target["GITHUB_EVENT_NAME"] = "pull_request_target"
        target["GITHUB_REF"] = "refs/heads/main"
        let targetContext = CIContext.detect(environment: target) { "DEF456" }
        #expect(targetContext.ref == "refs/pull/7/head")
        #expect(targetContext.commit == "def456")
        #expect(targetContext.pullRequest == 7)
        #expect(targetContext.uploadTargetProblem == nil)
        // The base checked out (actions/checkout's default): the runner's ref and commit.
        let baseContext = CIContext.detect(environment: target) { "abc123" }
        #expect(baseContext.ref == "refs/heads/main" && baseContext.commit == "abc123")
        #expect(baseContext.uploadTargetProblem == nil)
        // Neither, or not readable: unknown.
        #expect(CIContext.detect(environment: target) { "0123" }.uploadTargetProblem != nil)
        #expect(CIContext.detect(environment: target).uploadTargetProblem != nil)
        // A merged pull request's closed event runs on the base branch at the merge commit.
        var closed = target
        closed["GITHUB_EVENT_NAME"] = "pull_request"
        let closedContext = CIContext.detect(environment: closed)
        #expect(closedContext.ref == "refs/heads/main" && closedContext.uploadTargetProblem == nil)
        // Another event about the pull request on the default branch's ref: not known what was
        // scanned, until --commit and --ref both say it.
        target["GITHUB_EVENT_NAME"] = "workflow_run"
        let run = CIContext.detect(environment: target)
        #expect(run.uploadTargetProblem != nil)
        #expect(run.overriding(repository: nil, commit: "abc", ref: nil, pullRequest: nil).uploadTargetProblem != nil)
        #expect(
            run.overriding(repository: nil, commit: "abc", ref: "refs/pull/7/head", pullRequest: nil)
                .uploadTargetProblem == nil)

        // A push event: no pull request.
        try Data(#"{"ref": "refs/heads/main"}"#.utf8).write(to: event)
        var push = environment
        push["GITHUB_REF"] = "refs/heads/main"
        #expect(CIContext.detect(environment: push).pullRequest == nil)
        // Outside Actions nothing is taken from the environment.
        var local = environment
        local["GITHUB_ACTIONS"] = nil
        #expect(CIContext.detect(environment: local) == CIContext())
        #expect(
            CIContext().overriding(repository: nil, commit: nil, ref: "refs/pull/12/merge", pullRequest: nil)
                .pullRequest == 12)
    }

    /// The commit uploaded is the one the scanned tree has checked out, as codeql-action's
    /// upload-sarif takes it (found by a review: another checkout than GITHUB_SHA was filed as
    /// GITHUB_REF's analysis at GITHUB_SHA, replacing the default branch's with a branch's).
    @Test func theCheckoutDecidesWhatIsUploaded() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let event = directory.appendingPathComponent("event.json")
        let (base, head, merge) = (
            "b" + String(repeating: "0", count: 39), "c" + String(repeating: "1", count: 39),
            "d" + String(repeating: "2", count: 39)
        )
        try Data(
            #"{"pull_request": {"number": 42, "head": {"sha": "\#(head)"}, "base": {"sha": "\#(base)"}}}"#.utf8
        ).write(to: event)
        var pullRequest = [
            "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_SHA": merge, "GITHUB_REF": "refs/pull/42/merge", "GITHUB_EVENT_PATH": event.path,
        ]
        // The merge commit checked out (actions/checkout's default): as the runner says.
        let merged = CIContext.detect(environment: pullRequest) { merge }
        #expect(merged.ref == "refs/pull/42/merge" && merged.commit == merge && merged.uploadTargetProblem == nil)
        // The head checked out: uploaded as the head, at the head.
        let headContext = CIContext.detect(environment: pullRequest) { head.uppercased() }
        #expect(headContext.ref == "refs/pull/42/head" && headContext.commit == head)
        #expect(headContext.uploadTargetProblem == nil && headContext.commentProblem == nil)
        // Anything else: not known, so neither uploaded nor commented on.
        let other = CIContext.detect(environment: pullRequest) { base }
        #expect(other.uploadTargetProblem?.contains("is not GITHUB_SHA") == true, "\(other)")
        #expect(other.commentProblem != nil)

        // A workflow_run deploying a branch's head, a dispatch checking out another commit: the
        // runner's ref is the default branch's, the checkout is not its commit.
        try Data(#"{"workflow_run": {"event": "push", "head_branch": "feature", "pull_requests": []}}"#.utf8)
            .write(to: event)
        for name in ["workflow_run", "workflow_dispatch", "push", "schedule"] {
            pullRequest["GITHUB_EVENT_NAME"] = name
            pullRequest["GITHUB_REF"] = "refs/heads/main"
            pullRequest["GITHUB_SHA"] = base
            let elsewhere = CIContext.detect(environment: pullRequest) { head }
            #expect(elsewhere.uploadTargetProblem?.contains("refs/heads/main") == true, "\(name)")
            #expect(CIContext.detect(environment: pullRequest) { base }.uploadTargetProblem == nil, "\(name)")
            // A checkout that cannot be read (no git) is taken as the runner says, as before.
            #expect(CIContext.detect(environment: pullRequest).uploadTargetProblem == nil, "\(name)")
            #expect(
                elsewhere.overriding(repository: nil, commit: head, ref: "refs/heads/feature", pullRequest: nil)
                    .uploadTargetProblem == nil)
        }

        // An event file that cannot be read, for an event only it says the target of.
        try Data(#"{"workflow_run": {"event": "pull_request", "pull_requests": [{"number": 42}]"#.utf8)
            .write(to: event)
        pullRequest["GITHUB_EVENT_NAME"] = "workflow_run"
        #expect(CIContext.detect(environment: pullRequest).uploadTargetProblem?.contains("cannot be read") == true)
        #expect(CIContext.detect(environment: pullRequest) { base }.uploadTargetProblem == nil)
        pullRequest["GITHUB_EVENT_PATH"] = directory.appendingPathComponent("missing.json").path
        #expect(CIContext.detect(environment: pullRequest).uploadTargetProblem != nil)
        pullRequest["GITHUB_EVENT_NAME"] = "push"
        #expect(CIContext.detect(environment: pullRequest).uploadTargetProblem == nil)
    }

    /// `pull_request_target` with the base checked out (actions/checkout's default) scanned the
    /// base: its analysis is the base branch's, and no comment on the pull request claims it is
    /// the pull request's, unless `--pr` names it (found by a review).
    @Test func aBaseScanUnderPullRequestTargetIsNotCommentedOnThePullRequest() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let event = directory.appendingPathComponent("event.json")
        try Data(#"{"pull_request": {"number": 42, "head": {"sha": "def456"}}}"#.utf8).write(to: event)
        let environment = [
            "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_NAME": "pull_request_target",
            "GITHUB_SHA": "abc123", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": event.path,
        ]
        let base = CIContext.detect(environment: environment) { "abc123" }
        #expect(base.uploadTargetProblem == nil && base.pullRequest == 42)
        #expect(base.commentProblem?.contains("base branch") == true)
        #expect(base.overriding(repository: nil, commit: nil, ref: nil, pullRequest: 42).commentProblem == nil)
        #expect(CIContext.detect(environment: environment) { "def456" }.commentProblem == nil)
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() {
        #expect(CIConsole.usesColour(isTerminal: true, environment: [:]))
        #expect(!CIConsole.usesColour(isTerminal: false, environment: [:]))
        #expect(!CIConsole.usesColour(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(CIConsole.usesColour(isTerminal: true, environment: ["NO_COLOR": ""]))
    }

    @Test func exitCodeRule() {
        let upload4 = CIStepResult(name: "upload", status: .failed(4), message: "")
        let html2 = CIStepResult(name: "html", status: .failed(2), message: "")
        let done = CIStepResult(name: "sarif", status: .done, message: "")
        #expect(CIExitCode.combine(gatePassed: true, steps: [done]) == 0)
        #expect(CIExitCode.combine(gatePassed: true, steps: [done, upload4]) == 4)
        #expect(CIExitCode.combine(gatePassed: false, steps: [done, upload4]) == 1)
        #expect(CIExitCode.combine(gatePassed: true, steps: [html2, upload4]) == 2)
    }
}

@Suite struct ReportGlobTests {
    @Test func expansion() throws {
        let root = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        for path in ["r/a.json", "r/b.xml", "r/.hidden.json", "r/sub/c.json", "r/sub/deep/d.json", "r/dir/e.json"] {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: url)
        }
        let base = root.path
        #expect(try ReportGlob("\(base)/r/*.json").expand() == ["\(base)/r/a.json"])
        #expect(
            try ReportGlob("\(base)/r/**/*.json").expand()
                == ["\(base)/r/a.json", "\(base)/r/dir/e.json", "\(base)/r/sub/c.json", "\(base)/r/sub/deep/d.json"])
        #expect(try ReportGlob("\(base)/r/dir").expand() == ["\(base)/r/dir/e.json"])
        // A directory stands for every report below it: one sorted into a subdirectory by tool
        // is not skipped (it would pass as a clean scan); hidden names stay out.
        #expect(
            try ReportGlob("\(base)/r").expand()
                == [
                    "\(base)/r/a.json", "\(base)/r/b.xml", "\(base)/r/dir/e.json", "\(base)/r/sub/c.json",
                    "\(base)/r/sub/deep/d.json",
                ])
        #expect(try ReportGlob("\(base)/r/.*.json").expand() == ["\(base)/r/.hidden.json"])
        #expect(try ReportGlob("\(base)/r/?.[jx]*").expand() == ["\(base)/r/a.json", "\(base)/r/b.xml"])
        #expect(try ReportGlob("\(base)/nothing/*.json").expand().isEmpty)
        #expect(throws: ReportGlob.SyntaxError.self) { try ReportGlob("r/[z-a].json") }
    }

    /// A link to a directory is not followed (it could lead out of the tree, to the outputs, or
    /// back up it) but listed, as a broken link is, so that reading either fails.
    @Test func aDirectoryWithLinksListsThemAndLosesNothing() throws {
        let root = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let reports = root.appendingPathComponent("r")
        try FileManager.default.createDirectory(
            at: reports.appendingPathComponent("trivy"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: reports.appendingPathComponent("trivy/image.json"))
        try FileManager.default.createSymbolicLink(
            atPath: reports.appendingPathComponent("trivy/loop").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(
            atPath: reports.appendingPathComponent("gone.json").path, withDestinationPath: "nowhere.json")
        let listed = [
            reports.appendingPathComponent("gone.json").path, reports.appendingPathComponent("trivy/image.json").path,
            reports.appendingPathComponent("trivy/loop").path,
        ]
        #expect(try ReportGlob(reports.path).expand() == listed)
        // Matched by a pattern, the link is listed too, not walked.
        #expect(try ReportGlob(reports.path + "/trivy/*").expand() == Array(listed.suffix(2)))
        #expect(try ReportGlob(reports.path + "/*.json").expand() == [listed[0]])
    }

    /// An output anywhere below a directory the reports name would be read by the next run.
    @Test func coversFilesBelowANamedDirectory() throws {
        let glob = try ReportGlob("/repo/reports")
        #expect(glob.covers("/repo/reports/out/summary.md"))
        #expect(glob.covers("/repo/reports/a/b/findings.json"))
        #expect(!glob.covers("/repo/reports/.out/summary.md"))
        #expect(!glob.covers("/repo/other/summary.md"))
        #expect(try ReportGlob("/repo/*/zap").covers("/repo/reports/zap/deep/x.xml"))
    }
}

@Suite struct ExampleWorkflowTests {
    static let directory = CITestEnvironment.repositoryRoot.appendingPathComponent("examples/github-actions")

    static func load(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static func jobs(_ workflow: [String: Any]) -> [String: [String: Any]] {
        (workflow["jobs"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: Any] }
    }

    static func runs(_ job: [String: Any]) -> String {
        (job["steps"] as? [[String: Any]] ?? []).compactMap { $0["run"] as? String }.joined(separator: "\n")
    }

    @Test func ciWorkflow() throws {
        let workflow = try Self.load("ci.yml")
        // Nothing is granted at the top: each job says what it needs.
        let top = workflow["permissions"] as? [String: Any]
        #expect(top == nil || top?.values.allSatisfy { $0 as? String == "read" || $0 as? String == "none" } == true)
        let jobs = Self.jobs(workflow)
        let scanning = jobs.filter { Self.runs($0.value).contains("scangate ci") }
        #expect(scanning.count == 1)
        for (name, job) in jobs {
            let permissions = job["permissions"] as? [String: String] ?? [:]
            let uploads = Self.runs(job).contains("scangate ci")
            #expect((permissions["security-events"] == "write") == uploads, "job \(name)")
            #expect((permissions["pull-requests"] == "write") == uploads, "job \(name)")
        }
        let scan = try #require(scanning.first?.value)
        let script = Self.runs(scan)
        for tool in ["trivy image", "trivy fs", "npm audit --json", "zap-baseline.py"] {
            #expect(script.contains(tool), "the security-scan job does not run \(tool)")
        }
        let on = workflow["on"] as? [String: Any] ?? workflow["true"] as? [String: Any] ?? [:]
        #expect(on.keys.contains("pull_request") && on.keys.contains("push"))
        // The job that holds a write token runs no dependency's install script and leaves no
        // token on disk for what it runs.
        #expect(!script.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "npm ci" })
        let checkouts = (scan["steps"] as? [[String: Any]] ?? []).filter {
            ($0["uses"] as? String)?.hasPrefix("actions/checkout") == true
        }
        #expect(!checkouts.isEmpty)
        for checkout in checkouts {
            #expect((checkout["with"] as? [String: Any])?["persist-credentials"] as? Bool == false)
        }
    }

    @Test func workflowsRunOnlyDownloadsTheyCheckedFirst() throws {
        // A security step that installs its tools unchecked is the weak link it should catch: no
        // script piped from the network into a shell, and every archive extracted right after
        // its SHA-256 was checked.
        for name in ["ci.yml", "deploy.yml"] {
            let workflow = try Self.load(name)
            for (job, definition) in Self.jobs(workflow) {
                let lines = Self.runs(definition).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                #expect(!lines.contains { $0.contains("| sh") || $0.contains("| bash") }, "\(name) job \(job)")
                for (index, line) in lines.enumerated() where line.contains("tar -xzf") {
                    #expect(
                        index > 0 && lines[index - 1].hasPrefix("sha256sum --check"),
                        "\(name) job \(job) extracts an archive it did not check: \(line)")
                }
            }
        }
    }

    @Test func deployWorkflow() throws {
        let workflow = try Self.load("deploy.yml")
        let on = workflow["on"] as? [String: Any] ?? [:]
        let push = on["push"] as? [String: Any] ?? [:]
        #expect((push["tags"] as? [String])?.contains("v*") == true)
        let jobs = Self.jobs(workflow)
        // Staging deploys only what ci passed: after a successful ci run of a push to main.
        let afterCI = try #require(on["workflow_run"] as? [String: Any])
        #expect(afterCI["workflows"] as? [String] == ["ci"])
        #expect((on["push"] as? [String: Any])?["branches"] == nil)
        let staging = try #require(jobs["staging"])
        let condition = staging["if"] as? String ?? ""
        #expect(condition.contains("github.event.workflow_run.conclusion == 'success'"), "\(condition)")
        #expect(Self.runs(staging).contains("github.event.workflow_run.head_sha"))
        let gate = try #require(jobs.first { Self.runs($0.value).contains("scangate release-gate") }?.value)
        #expect((gate["if"] as? String)?.contains("refs/tags/v") == true)
        for (name, job) in jobs {
            let permissions = job["permissions"] as? [String: String] ?? [:]
            #expect(permissions["security-events"] == nil, "job \(name) does not upload SARIF")
        }
        // Production deploys the digest the gate verified, never the tag (which can be moved).
        let production = try #require(jobs["production"])
        #expect((production["needs"] as? String) == "release-gate")
        #expect(Self.runs(production).contains("@${{ needs.release-gate.outputs.digest }}"))
        #expect(!Self.runs(production).contains("github.ref_name"))
        let outputs = gate["outputs"] as? [String: Any]
        #expect((outputs?["digest"] as? String)?.contains("steps.gate.outputs.digest") == true)
    }

    /// The first release, with no `audit-log` branch yet, starts the log: the fetch step leaves no
    /// audit log behind, and `release-gate` creates it. (It wrote an empty `audit.jsonl`, which
    /// `release-gate` refuses as an emptied log: the first release could never be recorded.) The
    /// step's own script runs here, with a `git` that has no such branch.
    @Test func theFirstReleaseStartsTheAuditLog() throws {
        let workflow = try Self.load("deploy.yml")
        let gate = try #require(Self.jobs(workflow)["release-gate"])
        let steps = gate["steps"] as? [[String: Any]] ?? []
        let fetch = try #require(
            steps.first { ($0["name"] as? String) == "Audit log from the last release" }?["run"] as? String)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-deploy-\(UUID())")
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // `git ls-remote --exit-code` exits 2 when the remote has no such branch.
        let git = bin.appendingPathComponent("git")
        try Data("#!/bin/sh\nif [ \"$1\" = ls-remote ]; then exit 2; fi\nexit 1\n".utf8).write(to: git)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: git.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // As GitHub runs a `run:` step with `shell: bash`.
        process.arguments = ["--noprofile", "--norc", "-eo", "pipefail", "-c", fetch]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = directory.appendingPathComponent("audit.jsonl").path
        #expect(!FileManager.default.fileExists(atPath: log), "an empty audit log is refused by release-gate")
    }
}
