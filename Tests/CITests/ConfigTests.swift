import CI
import Foundation
import Testing
import Yams

@Suite struct ConfigTests {
    static func parse(_ text: String) throws(CIConfigError) -> CIConfiguration {
        try CIConfigLoader.parse(text, file: "repo/.scangate.yaml", directory: "repo")
    }

    /// The error `text` gets, or nil.
    static func error(_ text: String) -> CIConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// The starting configuration names each report the example workflow writes, and nothing
    /// else: a glob there would let a missing image scan pass beside the filesystem scan.
    @Test func starterConfigurationNamesEveryReportTheExampleWorkflowWrites() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let workflow = try String(
            contentsOf: root.appendingPathComponent("examples/github-actions/ci.yml"), encoding: .utf8)
        var written: Set<String> = []
        for line in workflow.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            // `--output reports/NAME` and `> reports/NAME`, and ZAP's `-x NAME` into the mounted reports/.
            for match in line.matches(of: /(?:--output|>) reports\/([A-Za-z0-9._-]+)/) {
                written.insert("reports/" + match.1)
            }
            for match in line.matches(of: /zap-baseline\.py .* -x ([A-Za-z0-9._-]+)/) {
                written.insert("reports/" + match.1)
            }
        }
        #expect(written.count == 4, "\(written)")
        let config = try Self.parse(CIStarter.configText)
        #expect(Set(config.reports.map { String($0.dropFirst("repo/".count)) }) == written)
    }

    @Test func starterConfigurationIsValidAndResolvesRelativeToItsDirectory() throws {
        let config = try Self.parse(CIStarter.configText)
        #expect(
            config.reports == [
                "repo/reports/trivy-image.json", "repo/reports/trivy-fs.json", "repo/reports/npm-audit.json",
                "repo/reports/zap-baseline.xml",
            ])
        #expect(config.environment == "staging")
        #expect(config.policies["production"] == "repo/policies/production.yaml")
        #expect(config.outputs.sarif == "repo/scangate-out/scangate.sarif")
        #expect(config.outputs.json == nil)
        #expect(config.sarif.category == "scangate")
        #expect(config.sarif.sourceRoot == "repo/.")
        #expect(config.upload == CIConfiguration.UploadSettings(enabled: true, wait: true))
        #expect(config.comment)
        #expect(config.release == nil)
    }

    @Test func everyKey() throws {
        let config = try Self.parse(
            """
            scangate-config: 1
            reports: scans/**/*.json
            allow-incomplete: true
            max-report-size: 1000
            policies: {prod: /etc/scangate/prod.yaml}
            waivers: security/waivers.yaml
            vex: [a.json, b.json]
            baseline: base.json
            outputs: {decision: d.json, findings: f.json, sarif-dropped: dropped.txt}
            sarif: {dockerfile: Dockerfile}
            upload: {enabled: false, api-url: "https://ghe.example/api/v3", wait: false, cacert: ca.pem}
            comment: {enabled: false}
            release:
              environment: prod
              images: [ghcr.io/acme/api:1.0.0, "ghcr.io/acme/web@sha256:\(String(repeating: "a", count: 64))"]
              keys: keys/release.pub
              audit-log: audit.jsonl
              audit-key: audit.pem
            """)
        #expect(config.reports == ["repo/scans/**/*.json"])
        #expect(config.allowIncomplete)
        #expect(config.maxReportSize == 1000)
        #expect(config.policies == ["prod": "/etc/scangate/prod.yaml"])
        #expect(config.waivers == ["repo/security/waivers.yaml"])
        #expect(config.vex == ["repo/a.json", "repo/b.json"])
        #expect(config.baseline == "repo/base.json")
        #expect(
            config.outputs
                == CIConfiguration.Outputs(
                    decision: "repo/d.json", findings: "repo/f.json", sarifDropped: "repo/dropped.txt"))
        #expect(config.sarif.dockerfile == "Dockerfile")
        #expect(
            config.upload
                == CIConfiguration.UploadSettings(
                    enabled: false, apiURL: "https://ghe.example/api/v3", wait: false, cacert: "repo/ca.pem"))
        #expect(!config.comment)
        #expect(config.release?.images.count == 2)
        #expect(config.release?.keys == ["repo/keys/release.pub"])
        #expect(config.release?.auditLog == "repo/audit.jsonl")
    }

    @Test(arguments: [
        ("scangate-config: 1\nreport: x.json\n", 2, "unknown key \"report\" in the configuration"),
        ("scangate-config: 1\noutputs:\n  sarif: a.sarif\n  pdf: r.pdf\n", 4, "unknown key \"pdf\" in outputs"),
        ("scangate-config: 1\nallow-incomplete: yes please\n", 2, "allow-incomplete must be true or false"),
        ("scangate-config: 1\nmax-report-size: big\n", 2, "max-report-size must be a whole number"),
        ("scangate-config: 1\nmax-report-size: 1_000_000\n", 2, "max-report-size must be a whole number in decimal"),
        ("scangate-config: 1\nsarif:\n  category: 2024\n", 3, "sarif.category must be text, found the number 2024"),
        ("scangate-config: 1\nupload: {api-url: ftp://x}\n", 2, "upload.api-url must be an http(s) URL"),
        ("scangate-config: 1\npolicies: [a.yaml]\n", 2, "policies (environment: policy file) must be a mapping"),
        ("scangate-config: 1\nenvironment: qa\npolicies: {dev: d.yaml}\n", 2, "environment \"qa\" has no policy"),
        ("scangate-config: 2\n", 1, "scangate-config must be 1"),
        ("reports: [a.json]\n", 1, "has no \"scangate-config: 1\""),
        ("scangate-config: 1\nreports: [\"a[.json\"]\n", 2, "malformed glob"),
        ("scangate-config: 1\nreports: [\"**\"]\n", 2, "ends in **"),
        ("scangate-config: 1\noutputs: {html: r.html, markdown: r.html}\n", 2, "the same file as outputs.html"),
        ("scangate-config: 1\nrelease: {images: [\"Not A Ref\"], keys: [k.pub]}\n", 2, "is not an image reference"),
        ("scangate-config: 1\nwaivers: &w [a.yaml]\nvex: *w\n", 2, "anchors and aliases"),
        ("scangate-config: 1\nreports: []\n", 2, "reports must not be an empty list"),
        (
            "scangate-config: 1\nrelease: {images: [ghcr.io/a/b:1], keys: []}\n", 2,
            "release.keys must not be an empty list"
        ),
        ("scangate-config: 1\nwaivers: [a.yaml, 7]\n", 2, "each entry of waivers must be text, found the number 7"),
        ("scangate-config: 1\nreports: [a.json\n", 3, "invalid YAML"),
        // Yams reports a duplicate at the first of the keys.
        ("scangate-config: 1\nreports: a.json\nreports: b.json\n", 2, "duplicate key"),
    ])
    func errorsNameFileAndLine(text: String, line: Int, message: String) {
        let error = Self.error(text)
        #expect(error?.file == "repo/.scangate.yaml")
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("repo/.scangate.yaml:\(line):") == true)
    }

    @Test func emptyWaiverAndVEXListsAreAllowed() throws {
        let config = try Self.parse("scangate-config: 1\nwaivers: []\nvex: []\n")
        #expect(config.waivers.isEmpty && config.vex.isEmpty)
    }

    @Test func anUnreadableFileIsAnError() {
        #expect(throws: CIConfigError.self) { try CIConfigLoader.load(path: "/nonexistent/.scangate.yaml") }
    }

    // MARK: Flags over the configuration

    static let twoEnvironments = """
        scangate-config: 1
        reports: [r/*.json]
        environment: staging
        policies: {staging: p/staging.yaml, production: p/production.yaml}
        outputs: {sarif: out/a.sarif, html: out/a.html}
        upload: {api-url: "https://ghe.example/api/v3"}
        comment: false
        """

    /// Outputs that would replace an input, or be read as a report by the next run.
    static let clashingOutputs: [(String, @Sendable (inout CIOverrides) -> Void, String)] = [
        (
            "a report file", { $0.outputs.findings = "repo/r/npm.json" },
            "would be read as a report (reports: repo/r/*.json"
        ),
        ("a future report", { $0.outputs.json = "repo/r/report.json" }, "would be read as a report"),
        ("the policy", { $0.outputs.html = "repo/p/staging.yaml" }, "is the policy"),
        ("the configuration", { $0.outputs.markdown = "./repo/.scangate.yaml" }, "is the configuration"),
        (
            "a waivers file",
            {
                $0.waivers = ["w.yaml"]
                $0.outputs.junit = "w.yaml"
            }, "is a waivers file"
        ),
        (
            "the baseline",
            {
                $0.baseline = "b.json"
                $0.outputs.findings = "b.json"
            }, "is the baseline"
        ),
        (
            "a report argument",
            {
                $0.reports = ["scans/a.json"]
                $0.outputs.sarif = "scans/a.json"
            }, "the argument"
        ),
        (
            "in a report directory",
            {
                $0.reports = ["scans"]
                $0.outputs.sarif = "scans/x.sarif"
            }, "the argument"
        ),
        (
            "below a report directory",
            {
                $0.reports = ["scans"]
                $0.outputs.sarif = "scans/out/x.sarif"
            }, "the argument"
        ),
        ("another environment's policy", { $0.outputs.html = "repo/p/production.yaml" }, "is the production policy"),
        (
            "the Dockerfile",
            {
                $0.sourceRoot = "src"
                $0.dockerfile = "Dockerfile"
                $0.outputs.html = "src/Dockerfile"
            }, "is the Dockerfile"
        ),
        (
            "the CA certificates",
            {
                $0.cacert = "ca.pem"
                $0.outputs.json = "ca.pem"
            }, "is the CA certificates"
        ),
    ]

    @Test(arguments: clashingOutputs.indices)
    func anOutputThatWouldReplaceAnInputIsRefused(case index: Int) throws {
        let (name, change, words) = Self.clashingOutputs[index]
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        change(&overrides)
        do {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.description.contains(words), "\(name): \(error)")
            #expect(error.description.contains("write the outputs somewhere else"), "\(name): \(error)")
            // The path came from a flag: the error names it, not the configuration file.
            #expect(error.file.hasPrefix("--") && !error.description.contains("outputs."), "\(name): \(error)")
        }
    }

    /// A path the configuration gives is named by its key there, in that file; one a flag gives,
    /// by the flag (a review was sent to .scangate.yaml for a `--html` it did not have).
    @Test func aClashingOutputIsNamedWhereItWasGiven() throws {
        let clashing = Self.twoEnvironments.replacingOccurrences(of: "html: out/a.html", with: "html: p/staging.yaml")
        #expect(clashing != Self.twoEnvironments)
        do {
            _ = try CIPlan.make(config: try Self.parse(clashing), overrides: CIOverrides(), context: CIContext())
            Issue.record("accepted")
        } catch {
            #expect(
                error.description
                    == "repo/.scangate.yaml: outputs.html repo/p/staging.yaml is the policy (repo/p/staging.yaml): "
                    + "write the outputs somewhere else", "\(error)")
        }
        var overrides = CIOverrides()
        overrides.outputs.decision = "repo/p/staging.yaml"
        do {
            _ = try CIPlan.make(
                config: try Self.parse(Self.twoEnvironments), overrides: overrides, context: CIContext())
            Issue.record("accepted")
        } catch {
            #expect(
                error.description
                    == "--decision-json: repo/p/staging.yaml is the policy (repo/p/staging.yaml): write the outputs "
                    + "somewhere else", "\(error)")
        }
    }

    /// Two outputs in one file: the one written last would replace the other while the run said
    /// it wrote both (the SARIF file replaced by the list of dropped results).
    @Test func twoOutputsInOneFileAreRefused() throws {
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        overrides.outputs.json = "./repo/out/a.sarif"
        do {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
            Issue.record("accepted")
        } catch {
            #expect(
                error.description
                    == "--json: ./repo/out/a.sarif is also where outputs.sarif goes: each output needs a file of its own",
                "\(error)")
        }
        overrides = CIOverrides()
        overrides.outputs.html = "x.out"
        overrides.outputs.markdown = "x.out"
        do {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("x.out is also where --"), "\(error)")
        }
        // A device is written to, not replaced: outputs not wanted can all go to /dev/null.
        overrides = CIOverrides()
        overrides.outputs.html = "/dev/null"
        overrides.outputs.junit = "/dev/null"
        #expect(throws: Never.self) { _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext()) }
        // In the configuration alone, spelled two ways.
        let twice = Self.twoEnvironments.replacingOccurrences(
            of: "html: out/a.html", with: "html: out/a.html, findings: ./out/a.sarif")
        do {
            _ = try CIPlan.make(config: try Self.parse(twice), overrides: CIOverrides(), context: CIContext())
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("is also where outputs.sarif goes"), "\(error)")
            #expect(error.file == "repo/.scangate.yaml", "\(error)")
        }
    }

    @Test func anOutputOverAReleaseFileIsRefused() throws {
        let config = try Self.parse(
            Self.twoEnvironments
                + "\nrelease: {images: [ghcr.io/a/b:1], keys: [k/release.pub], audit-log: audit.jsonl}\n")
        for (output, words) in [
            ("repo/k/release.pub", "is a release key"), ("repo/audit.jsonl", "is the release audit log"),
        ] {
            var overrides = CIOverrides()
            overrides.outputs.markdown = output
            do {
                _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
                Issue.record("\(output): accepted")
            } catch {
                #expect(error.description.contains(words), "\(error)")
            }
        }
    }

    /// A temporary directory holding `reports/` and `out`, a link to it.
    static func workspaceWithOutLinkingToReports() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("out").path, withDestinationPath: "reports")
        return directory
    }

    @Test func anOutputDirectoryThatLinksToTheReportsIsRefused() throws {
        let directory = try Self.workspaceWithOutLinkingToReports()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try CIConfigLoader.parse(
            "scangate-config: 1\nreports: [reports/*.json]\npolicies: {dev: p/dev.yaml}\n",
            file: directory.appendingPathComponent(".scangate.yaml").path, directory: directory.path)
        var overrides = CIOverrides()
        overrides.outputs.findings = directory.appendingPathComponent("out/findings.json").path
        do {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
            Issue.record("an output into the reports through a link was accepted")
        } catch {
            #expect(error.description.contains("would be read as a report"), "\(error)")
        }
    }

    /// Links above a directory still to be made are resolved too: an output under a link to the
    /// reports, in a subdirectory not made yet, would be read as a report next run; two outputs
    /// through a link and its target, in such a subdirectory, would be one file.
    @Test func outputsMeetingThroughALinkAboveANewDirectoryAreRefused() throws {
        let directory = try Self.workspaceWithOutLinkingToReports()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try CIConfigLoader.parse(
            "scangate-config: 1\nreports: [\"reports/**/*\"]\npolicies: {dev: p/dev.yaml}\n",
            file: directory.appendingPathComponent(".scangate.yaml").path, directory: directory.path)
        var overrides = CIOverrides()
        overrides.outputs.findings = directory.appendingPathComponent("out/new/findings.json").path
        let intoReports = #expect(throws: (any Error).self, "an output into the reports through a link was accepted") {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        #expect("\(String(describing: intoReports))".contains("would be read as a report"))
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("real"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("lnk").path, withDestinationPath: "real")
        overrides = CIOverrides()
        overrides.outputs.json = directory.appendingPathComponent("lnk/sub/x.json").path
        overrides.outputs.decision = directory.appendingPathComponent("real/sub/x.json").path
        let oneFile = #expect(throws: (any Error).self, "two outputs to one file through a link were accepted") {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        #expect("\(String(describing: oneFile))".contains("each output needs a file of its own"))
        // The configuration reached through a linked directory: its patterns' directory is
        // resolved too (found by the diff review).
        let linkedRoot = directory.appendingPathComponent("linked").path
        try FileManager.default.createSymbolicLink(atPath: linkedRoot, withDestinationPath: directory.path)
        let throughLink = try CIConfigLoader.parse(
            "scangate-config: 1\nreports: [\"reports/**/*\"]\npolicies: {dev: p/dev.yaml}\n",
            file: linkedRoot + "/.scangate.yaml", directory: linkedRoot)
        overrides = CIOverrides()
        overrides.outputs.findings = linkedRoot + "/out/new/findings.json"
        let linkedConfig = #expect(
            throws: (any Error).self, "an output into the reports through two links was accepted"
        ) {
            _ = try CIPlan.make(config: throughLink, overrides: overrides, context: CIContext())
        }
        #expect("\(String(describing: linkedConfig))".contains("would be read as a report"))
    }

    /// An output through a link to a file not made yet lands where the link leads: among the
    /// reports, or in another output's file. `-` is no file (it was written as one named `-`).
    @Test func anOutputThroughALinkToNothingAndStandardOutputAreRefused() throws {
        let directory = try Self.workspaceWithOutLinkingToReports()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("out"))
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("out"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("out/r.html").path, withDestinationPath: "../reports/zz.json")
        let config = try CIConfigLoader.parse(
            "scangate-config: 1\nreports: [reports/*.json]\npolicies: {dev: p/dev.yaml}\n",
            file: directory.appendingPathComponent(".scangate.yaml").path, directory: directory.path)
        var overrides = CIOverrides()
        overrides.outputs.html = directory.appendingPathComponent("out/r.html").path
        let intoReports = #expect(throws: (any Error).self, "an output through a link into the reports was accepted") {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        #expect("\(String(describing: intoReports))".contains("would be read as a report"))
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("out/a.json").path, withDestinationPath: "b.json")
        overrides = CIOverrides()
        overrides.outputs.json = directory.appendingPathComponent("out/a.json").path
        overrides.outputs.decision = directory.appendingPathComponent("out/b.json").path
        let oneFile = #expect(throws: (any Error).self, "two outputs to one file through a link were accepted") {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        #expect("\(String(describing: oneFile))".contains("each output needs a file of its own"))
        overrides = CIOverrides()
        overrides.outputs.sarif = "-"
        let standardOutput = #expect(throws: (any Error).self, "`-` was taken for an output file") {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        #expect("\(String(describing: standardOutput))".contains("standard output"))
    }

    /// Reports given as arguments do not free the configuration's patterns: the next plain
    /// `scangate ci` reads them, and would fail on an output written there.
    @Test func anOutputTheConfiguredPatternsWouldReadIsRefusedWithReportsAsArguments() throws {
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        overrides.reports = ["x.json"]
        overrides.outputs.findings = "repo/r/findings.json"
        let error = #expect(throws: CIConfigError.self) {
            _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        #expect(error?.description.contains("would be read as a report") == true, "\(String(describing: error))")
    }

    @Test func outputsBesideTheInputsAreFine() throws {
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        // Hidden names are never read as reports; another extension in another directory is fine.
        overrides.outputs.findings = "repo/r/.findings.json"
        overrides.outputs.json = "repo/out/report.json"
        overrides.outputs.html = "repo/p/report.html"
        _ = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
    }

    @Test func flagsOverrideTheConfiguration() throws {
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        var plan = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        #expect(plan.environment == "staging")
        #expect(plan.policy == "repo/p/staging.yaml")
        #expect(plan.reports == [.pattern("repo/r/*.json")])
        #expect(plan.apiURL == "https://ghe.example/api/v3")
        #expect(plan.upload && !plan.comment)

        overrides.environment = "production"
        overrides.reports = ["x.json"]
        overrides.outputs.sarif = "elsewhere.sarif"
        overrides.upload = false
        overrides.comment = true
        overrides.apiURL = "https://api.github.com"
        overrides.now = "2026-01-02"
        plan = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        #expect(plan.policy == "repo/p/production.yaml")
        #expect(plan.reports == [.path("x.json")])
        #expect(plan.outputs.sarif == "elsewhere.sarif")
        #expect(plan.outputs.html == "repo/out/a.html")
        #expect(!plan.upload && plan.comment)
        #expect(plan.apiURL == "https://api.github.com")
        #expect(plan.today.description == "2026-01-02")

        overrides.policy = "mine.yaml"
        plan = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        #expect(plan.policy == "mine.yaml")
        #expect(plan.environment == "production")
    }

    /// The token goes where `--api-url` or the runner's GITHUB_API_URL says: a repository's file,
    /// which the pull request being scanned can change, may not send it elsewhere.
    @Test func theConfigurationCannotSendTheTokenElsewhereThanTheRunnerSays() throws {
        let config = try Self.parse(Self.twoEnvironments)  // upload.api-url: https://ghe.example/api/v3
        let runner = CIContext(isGitHubActions: true, apiURL: "https://api.github.com")
        do {
            _ = try CIPlan.make(config: config, overrides: CIOverrides(), context: runner)
            Issue.record("a configured API URL other than the runner's was accepted")
        } catch {
            #expect(error.description.contains("is not the runner's GITHUB_API_URL"), "\(error)")
        }
        let sameRunner = CIContext(isGitHubActions: true, apiURL: "https://GHE.example/api/v3/")
        #expect(
            try CIPlan.make(config: config, overrides: CIOverrides(), context: sameRunner).apiURL
                == "https://GHE.example/api/v3/")
        var overrides = CIOverrides()
        overrides.apiURL = "https://ghe.example/api/v3"
        #expect(
            try CIPlan.make(config: config, overrides: overrides, context: runner).apiURL
                == "https://ghe.example/api/v3")
    }

    /// `--policy` without `--env` is that policy's environment, as `scangate gate` has it: the
    /// configuration's `environment` (staging) would let staging's waivers hold under
    /// production's thresholds.
    @Test func aPolicyFlagWithoutEnvGatesInThePolicysOwnEnvironment() throws {
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        overrides.policy = "repo/p/production.yaml"
        let plan = try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        #expect(plan.policy == "repo/p/production.yaml")
        #expect(plan.environment == nil)
    }

    @Test func theReleasePlanTakesTheReleaseSectionAndFlagsOverIt() throws {
        let config = try Self.parse(
            Self.twoEnvironments + """

                waivers: [w.yaml]
                release:
                  images: [ghcr.io/acme/api:1.4]
                  keys: [k/release.pub]
                  audit-log: audit.jsonl
                  audit-key: k/audit.pem
                """)
        var overrides = ReleaseOverrides()
        var plan = try ReleasePlan.make(config: config, overrides: overrides)
        // No release.environment: the production policy, whatever `environment` says for ci.
        #expect(plan.policy == "repo/p/production.yaml")
        #expect(plan.environment == "production")
        #expect(plan.images == ["ghcr.io/acme/api:1.4"])
        #expect(plan.configuredKeys == ["repo/k/release.pub"])
        #expect(plan.reports == [.pattern("repo/r/*.json")])
        #expect(plan.waivers == ["repo/w.yaml"])
        #expect(plan.auditLog == "repo/audit.jsonl" && plan.auditKey == "repo/k/audit.pem")
        #expect(plan.definedEnvironments == ["production", "staging"])

        overrides.policy = "mine.yaml"
        overrides.images = ["ghcr.io/acme/worker:2"]
        overrides.reports = ["x.json"]
        overrides.waivers = []
        overrides.auditLog = "elsewhere.jsonl"
        plan = try ReleasePlan.make(config: config, overrides: overrides)
        #expect(plan.policy == "mine.yaml")
        // Still gated in production: `--policy` names the policy, not the environment.
        #expect(plan.environment == "production" && plan.policyFromFlag)
        #expect(plan.images == ["ghcr.io/acme/worker:2"])
        #expect(plan.reports == [.path("x.json")])
        #expect(plan.waivers.isEmpty)
        #expect(plan.auditLog == "elsewhere.jsonl" && plan.auditKey == "repo/k/audit.pem")

        let staging = try Self.parse(Self.twoEnvironments + "\nrelease: {environment: staging, keys: [k.pub]}\n")
        overrides = ReleaseOverrides()
        overrides.images = ["ghcr.io/acme/api:1.4"]
        let stagingPlan = try ReleasePlan.make(config: staging, overrides: overrides)
        #expect(stagingPlan.policy == "repo/p/staging.yaml" && stagingPlan.environment == "staging")
    }

    @Test(arguments: [
        ("scangate-config: 1\nreports: [r.json]\npolicies: {production: p.yaml}\n", [] as [String], "no images"),
        (
            "scangate-config: 1\nreports: [r.json]\npolicies: {staging: s.yaml}\n", ["ghcr.io/a/b:1"],
            "no policy for the release"
        ),
        ("scangate-config: 1\npolicies: {production: p.yaml}\n", ["ghcr.io/a/b:1"], "no reports"),
        (
            "scangate-config: 1\nreports: [r.json]\npolicies: {production: p.yaml}\nrelease: {audit-key: k.pem}\n",
            ["ghcr.io/a/b:1"], "an audit key without an audit log"
        ),
    ])
    func releasePlanErrorsNameWhatIsMissing(_ text: String, images: [String], message: String) throws {
        var overrides = ReleaseOverrides()
        overrides.images = images
        do {
            _ = try ReleasePlan.make(config: try Self.parse(text), overrides: overrides)
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func planErrors() throws {
        let config = try Self.parse(Self.twoEnvironments)
        var overrides = CIOverrides()
        overrides.environment = "qa"
        #expect(throws: CIConfigError.self) {
            try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        overrides.environment = "bad env"
        #expect(throws: CIConfigError.self) {
            try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        overrides.environment = nil
        overrides.now = "tomorrow"
        #expect(throws: CIConfigError.self) {
            try CIPlan.make(config: config, overrides: overrides, context: CIContext())
        }
        // No configuration and no --policy.
        #expect(throws: CIConfigError.self) {
            try CIPlan.make(config: CIConfiguration(), overrides: CIOverrides(), context: CIContext())
        }
    }

    // MARK: The JSON Schema

    static let schemaURL = CITestEnvironment.repositoryRoot.appendingPathComponent("policies/config.schema.json")

    @Test func schemaListsExactlyTheKeysTheLoaderReads() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaURL)) as? [String: Any]
        let properties = schema?["properties"] as? [String: Any] ?? [:]
        #expect(Set(properties.keys) == Set(CIConfiguration.topLevelKeys))
        #expect(schema?["additionalProperties"] as? Bool == false)
    }

    /// The starter configuration validates against the schema (Python's jsonschema, when installed).
    @Test func starterConfigurationValidatesAgainstTheSchema() throws {
        guard let python = CITestEnvironment.python else { return }
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml")
        try Data(CIStarter.configText.utf8).write(to: config)
        let script = """
            import json, sys
            try:
                import jsonschema, yaml
            except ImportError:
                sys.exit(77)
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            jsonschema.validate(yaml.safe_load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)
            try:
                jsonschema.validate({"scangate-config": 1, "report": []}, schema)
            except jsonschema.ValidationError:
                sys.exit(0)
            sys.exit(1)
            """
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script, Self.schemaURL.path, config.path]
        try process.run()
        process.waitUntilExit()
        #expect([0, 77].contains(process.terminationStatus))
    }
}

@Suite struct InitTests {
    @Test func writesTheConfigurationAndPoliciesAndRefusesToOverwrite() throws {
        let directory = try CITestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policies = CITestEnvironment.fixture("policies")
        // A policy the repository already has is kept.
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("policies"), withIntermediateDirectories: true)
        try Data("# ours\n".utf8).write(to: directory.appendingPathComponent("policies/staging.yaml"))

        let actions = try CIStarter.install(into: directory.path, policiesFrom: policies, force: false)
        #expect(actions.first?.kind == .wrote)
        #expect(actions.contains { $0.kind == .kept && $0.path.hasSuffix("policies/staging.yaml") })
        #expect(actions.filter { $0.kind == .wrote }.count == CIStarter.policyFiles.count)
        let staging = try String(contentsOf: directory.appendingPathComponent("policies/staging.yaml"), encoding: .utf8)
        #expect(staging == "# ours\n")
        let written = try CIConfigLoader.load(path: directory.appendingPathComponent(".scangate.yaml").path)
        #expect(written.policies.count == 3)

        #expect(throws: CIStarter.InstallError.self) {
            try CIStarter.install(into: directory.path, policiesFrom: policies, force: false)
        }
        let forced = try CIStarter.install(into: directory.path, policiesFrom: policies, force: true)
        #expect(forced.allSatisfy { $0.kind == .replaced })
    }

    @Test func findsTheShippedPolicies() {
        let executable = CITestEnvironment.repositoryRoot.appendingPathComponent(".build-ci/debug/scangate").path
        #expect(
            CIStarter.shippedPolicies(executable: executable, environment: [:])
                == CITestEnvironment.repositoryRoot.appendingPathComponent("policies").path)
        #expect(CIStarter.shippedPolicies(executable: executable, environment: ["SCANGATE_POLICIES": "/x"]) == "/x")
    }

    /// A copied binary does not take any `policies/` above it for ScanGate's (`/tmp/policies`,
    /// which anyone can write): only a checkout's, beside ScanGate's `Package.swift`, or an
    /// install's `share/scangate/policies`.
    @Test func aPoliciesDirectoryAboveACopiedBinaryIsNotTheShippedOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-shipped-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let planted = root.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: planted, withIntermediateDirectories: true)
        try Data("version: 1\n".utf8).write(to: planted.appendingPathComponent("default.yaml"))
        let copied = root.appendingPathComponent("tools/bin/scangate").path
        #expect(CIStarter.shippedPolicies(executable: copied, environment: [:]) == nil)

        let installed = root.appendingPathComponent("tools/share/scangate/policies")
        try FileManager.default.createDirectory(at: installed, withIntermediateDirectories: true)
        try Data("version: 1\n".utf8).write(to: installed.appendingPathComponent("default.yaml"))
        #expect(CIStarter.shippedPolicies(executable: copied, environment: [:]) == installed.path)

        try Data("let package = Package(\n    name: \"ScanGate\",\n)\n".utf8).write(
            to: root.appendingPathComponent("Package.swift"))
        #expect(CIStarter.shippedPolicies(executable: copied, environment: [:]) == planted.path)
    }
}
