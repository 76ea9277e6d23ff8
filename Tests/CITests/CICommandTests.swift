import Foundation
import TestSupport
import Testing

extension ScanGateExecutable {
    /// Runs `scangate` in `directory` with exactly `environment` (plus PATH; loopback never
    /// through a proxy).
    static func run(_ arguments: [String], in directory: URL, environment: [String: String]) throws
        -> ChildProcess.Result
    {
        var merged = environment
        merged["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        merged["NO_PROXY"] = "127.0.0.1,localhost"
        merged["no_proxy"] = "127.0.0.1,localhost"
        return try ChildProcess.run(url, arguments, in: directory, environment: merged)
    }

    /// Whether this build has `scangate ci` and `scangate init` (the lead registers them in
    /// ScanGate.swift). `scangate ci --help` cannot tell: an unknown subcommand followed by
    /// `--help` prints the root help and exits 0. The root help's subcommand list can.
    static let hasCI: Bool = {
        guard isAvailable,
            let result = try? run(["--help"], in: CITestEnvironment.repositoryRoot, environment: [:]),
            result.status == 0
        else { return false }
        let lines = result.standardOutput.split(separator: "\n")
        return lines.contains { $0.hasPrefix("  ci ") } && lines.contains { $0.hasPrefix("  init ") }
    }()
}

/// `scangate ci` and `scangate init` as a user runs them (skipped while the commands are not
/// registered in this build).
@Suite(.serialized, .enabled(if: ScanGateExecutable.hasCI)) struct CICommandTests {
    static let fast = [
        "SCANGATE_UPLOAD_ATTEMPTS": "2", "SCANGATE_UPLOAD_BACKOFF_MS": "20", "SCANGATE_UPLOAD_RETRY_BUDGET": "20",
        "SCANGATE_UPLOAD_CONNECT_TIMEOUT": "2", "SCANGATE_UPLOAD_POLL_INTERVAL_MS": "50", "SCANGATE_UPLOAD_WAIT": "5",
    ]

    @Test(.enabled(if: CITestEnvironment.canRunServers), arguments: [("complete", 0), ("ghas-disabled", 4)])
    func endToEndInGitHubActions(scenario: String, expected: Int32) throws {
        let github = try LocalGitHub(scenario: scenario)
        let workspace = try ActionsWorkspace(apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        var environment = workspace.environment.merging(Self.fast) { _, new in new }
        environment["GITHUB_TOKEN"] = LocalGitHub.token
        let result = try ScanGateExecutable.run(["ci"], in: workspace.root, environment: environment)

        #expect(result.status == expected, "\(result.standardError)")
        #expect(result.standardOutput.contains("PASS: "))
        #expect(result.standardOutput.contains("::warning "))
        for output in CIRunTests.outputs { #expect(FileManager.default.fileExists(atPath: workspace.path(output))) }
        #expect(try github.uploads() == 1)
        #expect(try github.commentBodies().count == 1)
        #expect(!workspace.stepSummary.isEmpty)
        #expect(workspace.outputFile.contains("exit-code=\(expected)\n"))
        #expect(result.standardError.contains("scangate ci: read "))
        #expect(!result.standardError.contains("\u{1B}["), "no colour when standard error is not a terminal")
        for text in [result.standardOutput, result.standardError, workspace.stepSummary, workspace.outputFile] {
            #expect(!text.contains(LocalGitHub.token))
        }
    }

    /// A first run before `scangate init`: the error says there is no `.scangate.yaml` and how to
    /// get one, instead of "add it to policies" of a file that does not exist.
    @Test func aFirstRunWithoutAConfigurationSaysHowToStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-noconfig-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [["ci", "--env", "staging"], ["ci"]] {
            let result = try ScanGateExecutable.run(arguments, in: directory, environment: [:])
            #expect(result.status == 2)
            #expect(result.standardError.contains("there is no .scangate.yaml here"), "\(result.standardError)")
            #expect(result.standardError.contains("run scangate init"), "\(result.standardError)")
        }
    }

    @Test func flagsOverrideAndQuietSilencesProgress() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        // Outside GitHub Actions: no token, no Actions files.
        let result = try ScanGateExecutable.run(
            ["ci", "--env", "staging", "--quiet", "--sarif", "elsewhere.sarif", "--no-upload", "--no-comment"],
            in: workspace.root, environment: [:])
        #expect(result.status == 1)
        #expect(result.standardError.isEmpty, "\(result.standardError)")
        #expect(result.standardOutput.contains("FAIL: "))
        #expect(result.standardOutput.contains("env staging"))
        #expect(!result.standardOutput.contains("::error"))
        #expect(FileManager.default.fileExists(atPath: workspace.path("elsewhere.sarif")))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out/scangate.sarif")))
        #expect(FileManager.default.fileExists(atPath: workspace.path("out/report.html")))
        #expect(workspace.outputFile.isEmpty)
    }

    /// A Trivy image report whose OS packages were not scanned: a scan that checked nothing.
    static let emptyImage =
        #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image", "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}}}"#

    /// A report that checked nothing passes the gate with a warning; in Actions the warning is an
    /// annotation on the run, not only a line in a collapsed part of the job summary.
    @Test func aGateWarningIsAnAnnotation() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        try Data(Self.emptyImage.utf8).write(to: URL(fileURLWithPath: workspace.path("empty-image.json")))
        let result = try ScanGateExecutable.run(
            ["ci", "--no-upload", "--no-comment", "empty-image.json"], in: workspace.root,
            environment: workspace.environment)
        #expect(result.status == 0, "\(result.standardError)")
        let annotations = result.standardOutput.split(separator: "\n").filter {
            $0.hasPrefix("::warning title=ScanGate gate warning::")
        }
        #expect(
            annotations.contains { $0.contains("empty-image.json: Trivy detected debian 12.5") },
            "\(result.standardOutput)")
        #expect(annotations.allSatisfy { $0.contains("nothing was checked") || !$0.contains("empty-image") })
        // No trivy run in the SARIF file: an empty one would close every earlier Trivy alert.
        let sarif = try JSONSerialization.jsonObject(with: Data(workspace.text("out/scangate.sarif").utf8))
        let drivers = ((sarif as? [String: Any])?["runs"] as? [[String: Any]] ?? []).map {
            (($0["tool"] as? [String: Any])?["driver"] as? [String: Any])?["name"] as? String ?? ""
        }
        #expect(drivers == ["scangate"], "\(drivers)")
        #expect(
            result.standardError.contains(
                "empty-image.json checked nothing: no run of trivy for image docker.io/library/app in the file, so "
                    + "GitHub keeps the trivy alerts for the image"),
            "\(result.standardError)")
    }

    /// Under production's `empty-scans: fail`, a report that checked nothing fails the run (exit 1)
    /// with an error annotation and a failing line in every output; staging passes it with the
    /// warning.
    @Test(arguments: [("production", Int32(1)), ("staging", Int32(0))])
    func aReportThatCheckedNothingFailsProductionOnly(_ environment: String, _ status: Int32) throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: environment))
        defer { workspace.remove() }
        try Data(Self.emptyImage.utf8).write(to: URL(fileURLWithPath: workspace.path("empty-image.json")))
        let result = try ScanGateExecutable.run(
            ["ci", "--no-upload", "--no-comment", "empty-image.json"], in: workspace.root,
            environment: workspace.environment)
        #expect(result.status == status, "\(result.standardOutput)\(result.standardError)")
        let errors = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        let policy = try String(contentsOfFile: workspace.path("policies/production.yaml"), encoding: .utf8)
        let line =
            (policy.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
                $0.hasPrefix("empty-scans: fail")
            } ?? -2) + 1
        let reason =
            "empty-image.json checked nothing: Trivy detected debian 12.5 in app:1 but listed no result: its packages "
            + "were not scanned for vulnerabilities; empty-scans: fail (policies/production.yaml:\(line))"
        let outputs = ["out/report.md", "out/report.html", "out/junit.xml", "out/decision.json"]
        if environment == "production" {
            #expect(errors == ["::error title=empty-image.json checked nothing::\(reason)"], "\(result.standardOutput)")
            #expect(result.standardOutput.contains("FAIL    report \(reason)"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains(", 1 report checked nothing (policy production.yaml"))
            for output in outputs.dropFirst() { #expect(workspace.text(output).contains(reason), "\(output)") }
            // Markdown escapes its punctuation.
            #expect(workspace.text("out/report.md").contains("- ❌ empty-image.json checked nothing\\: Trivy detected"))
            #expect(workspace.outputFile.contains("decision=fail"), "\(workspace.outputFile)")
        } else {
            #expect(errors.isEmpty, "\(result.standardOutput)")
            #expect(!result.standardOutput.contains("FAIL"), "\(result.standardOutput)")
            for output in outputs.prefix(3) {
                #expect(!workspace.text(output).contains("checked nothing: "), "\(output)")
            }
            #expect(workspace.outputFile.contains("decision=pass"), "\(workspace.outputFile)")
        }
    }

    /// Report text reaches the job log (the decision on standard output, progress on standard
    /// error), which GitHub's runner reads for workflow commands, after leading blanks, line by
    /// line (LF or CR): a tool name, rule id, title, path or message with a line break and
    /// `::stop-commands::` or `##[error]` must stay text. The only commands are ScanGate's own
    /// annotations, with their properties.
    @Test func reportTextNeverBecomesAWorkflowCommand() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let hostile = CITestEnvironment.fixture("fixtures/reports/command-injection.sarif")
        let result = try ScanGateExecutable.run(
            ["ci", "--no-upload", "--no-comment", hostile], in: workspace.root, environment: workspace.environment)
        #expect(result.status == 0, "\(result.standardError)")
        let log = result.standardOutput + "\n" + result.standardError
        let lines = log.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        var annotations = 0
        for line in lines {
            let command = line.drop { $0.isWhitespace }
            #expect(!command.hasPrefix("##["), "\(line)")
            guard command.hasPrefix("::") else { continue }
            annotations += 1
            #expect(["::error ", "::warning ", "::notice "].contains { command.hasPrefix($0) }, "\(line)")
        }
        #expect(annotations > 0)
        // Shown as text: the forged commands are there, defused.
        for forged in ["stop-commands::forged-stop", "error::forged-path", "error::forged-rule-id", "forged-tool-name"]
        {
            #expect(log.contains(forged), "\(forged)")
        }
    }

    /// Progress and problems on standard error quote report text (the tool's name, the reader's
    /// warnings): escape sequences, BEL, C1 controls and carriage returns must reach the terminal
    /// as U+FFFD and spaces.
    @Test func reportTextNeverDrivesTheTerminal() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let hostile = CITestEnvironment.fixture("fixtures/reports/terminal-escapes.sarif")
        let result = try ScanGateExecutable.run(
            ["ci", "--no-upload", "--no-comment", hostile], in: workspace.root, environment: workspace.environment)
        let log = result.standardOutput + result.standardError
        #expect(result.standardError.contains("tool\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[2J"), "\(result.standardError)")
        let controls = log.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
        #expect(controls.isEmpty, "\(log.debugDescription)")
    }

    @Test func configurationErrorsNameFileAndLine() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: "scangate-config: 1\nreports: [reports/*.json]\nupload: maybe\n")
        defer { workspace.remove() }
        let result = try ScanGateExecutable.run(
            ["ci", "--policy", "policies/dev.yaml"], in: workspace.root, environment: [:])
        #expect(result.status == 2)
        #expect(
            result.standardError.contains(".scangate.yaml:3:9: upload must be true or false"), "\(result.standardError)"
        )
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))

        let missing = try ScanGateExecutable.run(
            ["ci", "--config", "nope.yaml"], in: workspace.root, environment: [:])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("nope.yaml: cannot read the configuration: no such file"))
    }

    /// An OpenVEX document copied from another project (its product is that project's
    /// repository) does not lift this repository's critical finding, and a warning names the
    /// statement. The same statement about this repository (GITHUB_REPOSITORY or --repository,
    /// any case) does; with no repository known, it does not.
    @Test func vexAboutAnotherRepositoryDoesNotSuppress() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "staging"))
        defer { workspace.remove() }
        func ci(_ product: String, environment: [String: String], _ more: [String] = []) throws -> String {
            let vex = """
                {"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2024-01-10T00:00:00Z",
                 "statements": [{"vulnerability": {"name": "CVE-2021-44906"},
                   "products": [{"@id": "\(product)", "subcomponents": [{"@id": "pkg:npm/minimist@1.2.5"}]}],
                   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
                """
            try Data(vex.utf8).write(to: workspace.root.appendingPathComponent("vex-upstream.json"))
            let result = try ScanGateExecutable.run(
                ["ci", "--env", "staging", "--no-upload", "--no-comment", "--vex", "vex-upstream.json"] + more,
                in: workspace.root, environment: environment)
            #expect(result.status == 1, "\(result.standardError)")
            return result.standardOutput + result.standardError
        }
        let upstream = try ci(
            "pkg:github/someone-else/totally-different-app@v9.9.9", environment: ["GITHUB_REPOSITORY": "acme/app"])
        #expect(upstream.contains(" 0 VEX-suppressed"), "\(upstream)")
        #expect(upstream.contains("CVE-2021-44906 minimist 1.2.5"), "\(upstream)")
        #expect(
            upstream.contains(
                "OpenVEX statement 1 (vex-upstream.json:2) about CVE-2021-44906 is for the repository "
                    + "someone-else/totally-different-app, not acme/app: not applied"), "\(upstream)")
        let unknown = try ci("pkg:github/acme/app", environment: [:])
        #expect(unknown.contains(" 0 VEX-suppressed"), "\(unknown)")
        #expect(unknown.contains("the repository being gated is not known"), "\(unknown)")
        let own = try ci("pkg:github/Acme/App@v1.0.0", environment: ["GITHUB_REPOSITORY": "acme/app"])
        #expect(own.contains(" 1 VEX-suppressed"), "\(own)")
        let flag = try ci("pkg:github/acme/app", environment: [:], ["--repository", "acme/app"])
        #expect(flag.contains(" 1 VEX-suppressed"), "\(flag)")
    }

    /// A push whose `scangate ci` is refused before it has a plan (a misspelt `--env`, an output
    /// that would replace the policy) after a passing one: the pull request's comment must not
    /// keep saying PASS for a commit that was never gated. Commenting turned off, or an API URL
    /// the token may not go to, leaves the comment alone.
    @Test(.enabled(if: CITestEnvironment.canRunServers))
    func aRefusedPlanReplacesThePreviousVerdictInTheComment() throws {
        let github = try LocalGitHub(scenario: "complete")
        let workspace = try ActionsWorkspace(apiURL: github.apiURL, config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        var environment = workspace.environment.merging(Self.fast) { _, new in new }
        environment["GITHUB_TOKEN"] = LocalGitHub.token
        let first = try ScanGateExecutable.run(["ci"], in: workspace.root, environment: environment)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try github.commentBodies().first?.contains("✅ PASS") == true)

        for (arguments, why) in [
            (["ci", "--env", "stagign"], #"no policy for the environment "stagign""#),
            (["ci", "--html", "policies/dev.yaml"], "--html: policies/dev.yaml is the policy"),
        ] {
            try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
            let result = try ScanGateExecutable.run(arguments, in: workspace.root, environment: environment)
            #expect(result.status == 2, "\(result.standardError)")
            let bodies = try github.commentBodies()
            #expect(bodies.count == 1, "still one comment, updated in place")
            let body = bodies.first ?? ""
            #expect(body.contains("ERROR, the gate did not run"), "\(body)")
            #expect(body.contains("for commit `\(ActionsWorkspace.commit)`"), "\(body)")
            #expect(body.contains("the configuration is invalid"), "\(body)")
            #expect(!body.contains("✅"), "\(body)")
            let outputs = workspace.outputFile
            #expect(outputs.hasPrefix("decision=error\nexit-code=2\n"), "\(outputs)")
            #expect(outputs.contains("comment=done\n"), "\(outputs)")
            #expect(result.standardError.contains(why), "\(result.standardError)")
            #expect(try github.uploads() == 1, "nothing uploaded")
            for text in [result.standardOutput, result.standardError, outputs, body] {
                #expect(!text.contains(LocalGitHub.token))
            }
        }

        // Commenting off: the comment stays as it is; the outputs still say error.
        let before = try github.commentBodies()
        try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
        let off = try ScanGateExecutable.run(
            ["ci", "--env", "stagign", "--no-comment"], in: workspace.root, environment: environment)
        #expect(off.status == 2)
        #expect(try github.commentBodies() == before)
        #expect(workspace.outputFile.contains("comment=skipped\n"), "\(workspace.outputFile)")

        // The configuration sends the API elsewhere than the runner says: refused, and the token
        // goes nowhere, not even to say so.
        let config = try String(contentsOfFile: workspace.path(".scangate.yaml"), encoding: .utf8)
        // A second server in the place of the one the configuration names: it must hear nothing.
        let elsewhereServer = try LocalGitHub(scenario: "complete")
        let redirected = config.replacingOccurrences(
            of: "upload:\n  enabled: true\n",
            with: "upload:\n  enabled: true\n  api-url: \(elsewhereServer.apiURL)\n")
        #expect(redirected != config)
        try Data(redirected.utf8).write(to: URL(fileURLWithPath: workspace.path(".scangate.yaml")))
        let elsewhere = try ScanGateExecutable.run(["ci"], in: workspace.root, environment: environment)
        #expect(elsewhere.status == 2)
        #expect(elsewhere.standardError.contains("is not the runner's GITHUB_API_URL"), "\(elsewhere.standardError)")
        #expect(try github.commentBodies() == before)
        #expect(try elsewhereServer.commentBodies().isEmpty && elsewhereServer.uploads() == 0)
        // The same with a refused flag as well: the configuration's API URL is refused first.
        let both = try ScanGateExecutable.run(["ci", "--env", "stagign"], in: workspace.root, environment: environment)
        #expect(both.status == 2)
        #expect(try github.commentBodies() == before)
        #expect(try elsewhereServer.commentBodies().isEmpty && elsewhereServer.uploads() == 0)
    }

    /// Whether the tests can run `scangate` as an unprivileged user (`setpriv`, as root): root
    /// lists every directory, so only another user meets one that cannot be listed.
    static let canDropPrivileges = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    /// A subdirectory a `reports:` pattern walks into but cannot list fails the run (exit 3,
    /// naming it), as `scangate ingest DIR` does: skipped without a word, the image scan in it
    /// was not read and the gate passed without it.
    @Test(.enabled(if: canDropPrivileges)) func aReportDirectoryThatCannotBeListedFailsTheRun() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: ActionsWorkspace.config(environment: "dev"))
        defer { workspace.remove() }
        let manager = FileManager.default
        try manager.createDirectory(atPath: workspace.path("reports/image"), withIntermediateDirectories: false)
        // The patterns match scans beside it: only one image's scan is in the directory.
        try manager.copyItem(
            atPath: workspace.path("reports/trivy-fs.json"), toPath: workspace.path("reports/image/trivy-image.json"))
        try manager.createDirectory(atPath: workspace.path("reports/web"), withIntermediateDirectories: false)
        try manager.copyItem(
            atPath: workspace.path("reports/trivy-fs.json"), toPath: workspace.path("reports/web/trivy-image.json"))
        // A copy of the binary the other user can run, and a workspace it can read and write in.
        try manager.createDirectory(atPath: workspace.path("_bin"), withIntermediateDirectories: false)
        try manager.copyItem(atPath: ScanGateExecutable.url.path, toPath: workspace.path("_bin/scangate"))
        for case let relative as String in manager.enumerator(atPath: workspace.root.path)?.allObjects ?? [] {
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: workspace.path(relative), isDirectory: &isDirectory)
            #expect(chmod(workspace.path(relative), isDirectory.boolValue ? 0o777 : 0o755) == 0)
        }
        #expect(chmod(workspace.root.path, 0o777) == 0)
        func runAsNobody() throws -> ChildProcess.Result {
            try ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/setpriv"),
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", workspace.path("_bin/scangate"), "ci",
                    "--no-upload", "--no-comment",
                ], in: workspace.root, environment: ["PATH": "/usr/bin:/bin"])
        }
        // Reached through `**`, and through `*` followed by the file's name (the directory cannot
        // be entered to look for it).
        for pattern in ["reports/**/trivy-*.json", "reports/*/trivy-image.json"] {
            try Data(
                ActionsWorkspace.config(environment: "dev").replacingOccurrences(
                    of: "  - reports/trivy-*.json\n", with: "  - reports/trivy-*.json\n  - \(pattern)\n"
                ).utf8
            ).write(to: URL(fileURLWithPath: workspace.path(".scangate.yaml")))
            #expect(chmod(workspace.path("reports/image"), 0) == 0)
            let refused = try runAsNobody()
            #expect(refused.status == 3, "\(pattern): \(refused.standardError)")
            #expect(
                refused.standardError.contains(
                    "reports/image: cannot be listed or entered, and the pattern \(pattern) reaches into it"),
                "\(refused.standardError)")
            // The same run with the directory readable reads the scan in it.
            #expect(chmod(workspace.path("reports/image"), 0o777) == 0)
            let read = try runAsNobody()
            #expect(read.status != 3, "\(pattern): \(read.standardError)")
            #expect(workspace.text("out/report.json").contains("reports/image/trivy-image.json"), "\(pattern)")
        }
    }

    /// Inside GitHub Actions a configuration that cannot be used still leaves step outputs: a
    /// later step gated on `decision != 'fail'` must not read an empty value as a pass.
    @Test func aConfigurationErrorInActionsWritesTheErrorOutputs() throws {
        let workspace = try ActionsWorkspace(
            apiURL: "http://127.0.0.1:9", config: "scangate-config: 1\nreports: [reports/*.json]\nupload: maybe\n")
        defer { workspace.remove() }
        let result = try ScanGateExecutable.run(
            ["ci", "--policy", "policies/dev.yaml"], in: workspace.root, environment: workspace.environment)
        #expect(result.status == 2, "\(result.standardError)")
        let outputs = workspace.outputFile
        #expect(outputs.hasPrefix("decision=error\nexit-code=2\n"), "\(outputs)")
        #expect(outputs.contains("summary=ERROR: the gate did not run (exit 2): the configuration is invalid: "))
        #expect(outputs.contains("upload must be true or false"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))

        // An unusable token is refused before the configuration is read: the same outputs.
        try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
        var environment = workspace.environment
        environment["GITHUB_TOKEN"] = "two words"
        let token = try ScanGateExecutable.run(["ci"], in: workspace.root, environment: environment)
        #expect(token.status == 2)
        #expect(workspace.outputFile.hasPrefix("decision=error\nexit-code=2\n"), "\(workspace.outputFile)")
        #expect(workspace.outputFile.contains("the GitHub token is unusable"))

        // A command line the parser refuses never reaches the run: the same outputs (they were
        // empty; found by a review), and none for `--help`.
        for arguments in [["ci", "--no-uplaod"], ["ci", "--pr", "0"], ["ci", "--max-report-size", "abc"]] {
            try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
            let refused = try ScanGateExecutable.run(arguments, in: workspace.root, environment: workspace.environment)
            #expect(refused.status == 2, "\(arguments)")
            #expect(
                workspace.outputFile.hasPrefix("decision=error\nexit-code=2\n"), "\(arguments): \(workspace.outputFile)"
            )
            #expect(workspace.outputFile.contains("the command line is invalid: "), "\(workspace.outputFile)")
        }
        try Data().write(to: URL(fileURLWithPath: workspace.path("_runner/output.txt")))
        let help = try ScanGateExecutable.run(["ci", "--help"], in: workspace.root, environment: workspace.environment)
        #expect(help.status == 0 && workspace.outputFile.isEmpty)
    }

    @Test func initWritesOnceAndRefusesToOverwrite() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["SCANGATE_POLICIES": CITestEnvironment.fixture("policies")]
        let first = try ScanGateExecutable.run(["init"], in: directory, environment: environment)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("wrote .scangate.yaml"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("policies/staging.yaml").path))
        let second = try ScanGateExecutable.run(["init"], in: directory, environment: environment)
        #expect(second.status == 2)
        #expect(second.standardError.contains("exists; pass --force"))
        let forced = try ScanGateExecutable.run(["init", "--force"], in: directory, environment: environment)
        #expect(forced.status == 0)
    }

    /// `init --force` does not write through a link out of the repository (a clone nobody vetted
    /// could link `policies/default.yaml` to a file outside it, which was overwritten; found by a
    /// review), nor does `init` write into a `policies` directory linked out of it: refused,
    /// nothing written. A link within the repository is followed, as before.
    @Test func initDoesNotWriteThroughALink() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["SCANGATE_POLICIES": CITestEnvironment.fixture("policies")]
        let manager = FileManager.default
        let outside = directory.appendingPathComponent("outside.txt")
        try Data("original\n".utf8).write(to: outside)
        let repository = directory.appendingPathComponent("repo")
        try manager.createDirectory(
            at: repository.appendingPathComponent("policies"), withIntermediateDirectories: true)
        #expect(try ScanGateExecutable.run(["init"], in: repository, environment: environment).status == 0)
        let linked = repository.appendingPathComponent("policies/default.yaml")
        try manager.removeItem(at: linked)
        try manager.createSymbolicLink(atPath: linked.path, withDestinationPath: "../../outside.txt")
        let forced = try ScanGateExecutable.run(["init", "--force"], in: repository, environment: environment)
        #expect(forced.status == 2)
        #expect(forced.standardError.contains("policies/default.yaml is a symbolic link"), "\(forced.standardError)")
        #expect(try String(contentsOf: outside, encoding: .utf8) == "original\n")

        let fresh = directory.appendingPathComponent("fresh")
        try manager.createDirectory(at: fresh, withIntermediateDirectories: true)
        try manager.createDirectory(
            at: directory.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try manager.createSymbolicLink(
            atPath: fresh.appendingPathComponent("policies").path, withDestinationPath: "../elsewhere")
        let intoALink = try ScanGateExecutable.run(["init"], in: fresh, environment: environment)
        #expect(intoALink.status == 2)
        #expect(intoALink.standardError.contains("policies is a symbolic link"), "\(intoALink.standardError)")
        #expect(try manager.contentsOfDirectory(atPath: directory.appendingPathComponent("elsewhere").path).isEmpty)
        #expect(!manager.fileExists(atPath: fresh.appendingPathComponent(".scangate.yaml").path))

        let inside = directory.appendingPathComponent("inside")
        try manager.createDirectory(at: inside.appendingPathComponent("ci/policies"), withIntermediateDirectories: true)
        try manager.createSymbolicLink(
            atPath: inside.appendingPathComponent("policies").path, withDestinationPath: "ci/policies")
        let followed = try ScanGateExecutable.run(["init"], in: inside, environment: environment)
        #expect(followed.status == 0, "\(followed.standardError)")
        #expect(manager.fileExists(atPath: inside.appendingPathComponent("ci/policies/default.yaml").path))
        #expect(try ScanGateExecutable.run(["init", "--force"], in: inside, environment: environment).status == 0)
    }

    /// `init` that cannot write a policy writes nothing: it left `.scangate.yaml` naming
    /// policies that were never written, and a second try was refused because it existed
    /// (found by a review).
    @Test func initThatCannotWriteEverythingWritesNothing() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("policies")
        try Data().write(to: blocker)
        let environment = ["SCANGATE_POLICIES": CITestEnvironment.fixture("policies")]
        let failed = try ScanGateExecutable.run(["init"], in: directory, environment: environment)
        #expect(failed.status == 2)
        #expect(failed.standardError.contains("policies is not a directory"), "\(failed.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["policies"])
        try FileManager.default.removeItem(at: blocker)
        // The configuration cannot be written (a directory in its place): the policies'
        // directory made for it is gone again, not left empty.
        let configBlocker = directory.appendingPathComponent(".scangate.yaml")
        try FileManager.default.createDirectory(at: configBlocker, withIntermediateDirectories: false)
        let forced = try ScanGateExecutable.run(["init", "--force"], in: directory, environment: environment)
        #expect(forced.status == 2, "\(forced.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [".scangate.yaml"])
        try FileManager.default.removeItem(at: configBlocker)
        let retried = try ScanGateExecutable.run(["init"], in: directory, environment: environment)
        #expect(retried.status == 0, "\(retried.standardError)")
    }

    /// A `.scangate.yaml` that is a link, even to nothing, is there: `init` would otherwise write
    /// the configuration wherever the link points, out of the repository maybe.
    @Test func initDoesNotWriteThroughALinkWithoutForce() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: outside) }
        let victim = outside.appendingPathComponent("victim.yaml").path
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent(".scangate.yaml").path, withDestinationPath: victim)
        let environment = ["SCANGATE_POLICIES": CITestEnvironment.fixture("policies")]
        let refused = try ScanGateExecutable.run(["init"], in: directory, environment: environment)
        #expect(refused.status == 2, "\(refused.standardOutput)")
        #expect(refused.standardError.contains("exists; pass --force"))
        #expect(!FileManager.default.fileExists(atPath: victim))
    }
}
