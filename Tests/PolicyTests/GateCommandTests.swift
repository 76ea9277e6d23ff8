import Foundation
import TestSupport
import Testing

/// Runs the real `scangate` executable built beside the tests.
enum GateProcess {
    static var isAvailable: Bool { ScanGateExecutable.isAvailable }

    static func run(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(ScanGateExecutable.url, arguments, in: Support.repositoryRoot)
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}

@Suite("Gate command", .enabled(if: GateProcess.isAvailable))
struct GateCommandTests {
    static let examples = "fixtures/examples"
    static let now = ["--now", "2026-11-25"]

    @Test func stagingFailsWithExitOneAndExplainsWhy() throws {
        let result = try GateProcess.run(["gate", Self.examples, "--policy", "policies/staging.yaml"] + Self.now)
        #expect(result.status == 1, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.last?.hasPrefix("FAIL: 2 failing, ") == true, "\(result.standardOutput)")
        #expect(lines.last?.hasSuffix("(policy staging.yaml, env staging)") == true)
        #expect(result.standardOutput.contains("CVE-2021-44906 minimist 1.2.5"))
        #expect(result.standardOutput.contains("fail-on: critical (policies/staging.yaml:8)"))
    }

    /// A suppression a scanner applied (here Trivy's VEX; a `.trivyignore` entry or `nosemgrep`
    /// comment alike) can come in the pull request it hides something for, with no approver and
    /// no expiry: production judges the finding like any other, staging still mutes it.
    @Test func productionDoesNotTrustWhatAScannerSuppressed() throws {
        let report = "fixtures/reports/trivy-suppressed-critical.json"
        let production = try GateProcess.run(["gate", report, "--policy", "policies/production.yaml"] + Self.now)
        #expect(production.status == 1, "\(production.standardOutput)\(production.standardError)")
        #expect(production.standardOutput.contains("FAIL    critical vulnerability CVE-2099-0001"))
        #expect(production.standardOutput.contains(", 0 suppressed by tools, "))
        let staging = try GateProcess.run(["gate", report, "--policy", "policies/staging.yaml"] + Self.now)
        #expect(staging.status == 0, "\(staging.standardOutput)\(staging.standardError)")
        #expect(
            staging.standardOutput.contains("MUTED   critical vulnerability CVE-2099-0001"), "\(staging.standardOutput)"
        )
    }

    /// A ZAP false positive filed under riskcode -1 has no risk to judge it by: production, which
    /// does not trust the mark, judges it at unknown severity (failing as high), not as
    /// informational, which the default rules ignore.
    @Test func productionJudgesARiskcodeMinusOneFalsePositiveAsUnknown() throws {
        let report = "fixtures/zap/riskcode-minus1-false-positive.xml"
        let production = try GateProcess.run(["gate", report, "--policy", "policies/production.yaml"] + Self.now)
        #expect(production.status == 1, "\(production.standardOutput)\(production.standardError)")
        #expect(
            production.standardOutput.contains("FAIL    high     web-alert 40012"), "\(production.standardOutput)")
        #expect(production.standardOutput.contains("severity unknown, judged as high"))
        let staging = try GateProcess.run(["gate", report, "--policy", "policies/staging.yaml"] + Self.now)
        #expect(staging.status == 0, "\(staging.standardOutput)\(staging.standardError)")
        #expect(staging.standardOutput.contains("MUTED"), "\(staging.standardOutput)")
    }

    /// `--allow-incomplete` reads a report whose tool failed, but a run that failed and lists
    /// no result checked nothing anyone can see: production's `empty-scans: fail` fails it (it
    /// passed with a warning; found by a review), beside another tool's results too.
    @Test func productionFailsAFailedRunWithoutResultsReadAsIncomplete() throws {
        let report = "fixtures/sarif/failed-run-beside-a-tool-with-results.sarif"
        let production = try GateProcess.run(
            ["gate", report, "--allow-incomplete", "--policy", "policies/production.yaml"] + Self.now)
        // ToolA's one result is a note: only the failed run fails the decision.
        #expect(production.status == 1, "\(production.standardOutput)\(production.standardError)")
        #expect(
            production.standardOutput.contains(
                "FAIL    report \(report) may have checked nothing: the run of Semgrep failed and lists no result"),
            "\(production.standardOutput)")
        #expect(production.standardOutput.contains("FAIL: 0 failing, "), "\(production.standardOutput)")
    }

    /// Staging's policy with `fail-on-new-only: true`, in a temporary directory of its own.
    static func stagingFailingOnNewOnly() throws -> URL {
        try GateProcess.temporaryFile(
            "new-only.yaml",
            "scangate-policy: 1\nextends: \(Support.repositoryRoot.path)/policies/staging.yaml\nenvironment: staging\n"
                + "fail-on-new-only: true\n")
    }

    /// What excused minimist's critical in a baseline's run: (file name, contents, the flag that
    /// gives it, the count the gate shows while it holds).
    static let excuses: [(String, String, String, String)] = [
        (
            "waivers.yaml",
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-44906
                reason: argv never reaches it
                approved-by: security@example.org
                approved-on: 2026-11-24
                expires: 2026-11-30
                severity: critical

            """, "--waivers", "1 waived"
        ),
        (
            "vex.json",
            #"""
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.org/vex/1",
             "timestamp": "2026-11-20T00:00:00Z",
             "statements": [{"vulnerability": {"name": "CVE-2021-44906"}, "products": [{"@id": "pkg:npm/minimist@1.2.5"}],
                             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
            """#, "--vex", "1 VEX-suppressed"
        ),
    ]

    /// Under `fail-on-new-only`, a report JSON baseline whose decision waived a finding, or took it
    /// out by an OpenVEX statement, keeps it from passing as known once nothing holds it: deleting
    /// the expired waiver (tidying up after the warning) or withdrawing the statement no longer
    /// turns the gate's FAIL into a PASS. A findings document knows no waivers.
    @Test(arguments: excuses)
    func aBaselineThatExcusedAFindingDoesNotLetItPassOnceTheExcuseIsGone(
        _ excuse: (name: String, text: String, flag: String, count: String)
    ) throws {
        let policy = try Self.stagingFailingOnNewOnly()
        let directory = policy.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(excuse.name)
        try Data(excuse.text.utf8).write(to: file)
        let baseline = directory.appendingPathComponent("baseline.json").path
        let common = ["fixtures/examples", "--policy", policy.path, "--now", "2026-11-25"]
        // The baseline's run knew the examples' other findings (adopted from a findings document,
        // which accepts all it holds), so its decision accepted them: they warn, and only the
        // excused finding is at stake.
        let adopted = directory.appendingPathComponent("adopted.json").path
        let adopting = try GateProcess.run(["ingest", "fixtures/examples", "--format", "json", "-o", adopted])
        #expect(adopting.status == 0, "\(adopting.standardError)")
        let written = try GateProcess.run(
            ["report"] + common + [excuse.flag, file.path, "--baseline", adopted, "--format", "json", "-o", baseline])
        #expect(written.status == 0, "\(written.standardError)")
        // While it holds, the finding is excused; once it is gone, it fails as new.
        let held = try GateProcess.run(["gate"] + common + ["--baseline", baseline, excuse.flag, file.path])
        #expect(held.status == 0, "\(held.standardOutput)")
        #expect(held.standardOutput.contains(excuse.count), "\(held.standardOutput)")
        let gone = try GateProcess.run(["gate"] + common + ["--baseline", baseline])
        #expect(gone.status == 1, "\(gone.standardOutput)")
        #expect(gone.standardOutput.contains("FAIL    critical vulnerability CVE-2021-44906 minimist 1.2.5 [new]"))
        #expect(gone.standardOutput.contains("new again: the baseline has it only as waived or VEX-suppressed"))
    }

    /// Re-running a blocked pipeline with its own report JSON as the baseline fails again: what
    /// failed that run was never accepted (before, every finding of it only warned, and the
    /// same findings passed). A findings document, which records no decision, still adopts all
    /// it holds.
    @Test func aFailedRunsReportAsBaselineDoesNotLetItsFindingsPass() throws {
        let policy = try Self.stagingFailingOnNewOnly()
        let directory = policy.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        let common = ["fixtures/examples", "--policy", policy.path, "--now", "2026-11-25"]
        let failedRun = directory.appendingPathComponent("failed-run.json").path
        let first = try GateProcess.run(["report"] + common + ["--format", "json", "-o", failedRun])
        #expect(first.status == 0, "\(first.standardError)")
        let rerun = try GateProcess.run(["gate"] + common + ["--baseline", failedRun])
        #expect(rerun.status == 1, "\(rerun.standardOutput)")
        #expect(rerun.standardOutput.contains("FAIL    critical vulnerability CVE-2021-44906 minimist 1.2.5 [new]"))
        #expect(rerun.standardOutput.contains("new again: the baseline's decision failed it"))

        let adopted = directory.appendingPathComponent("adopted.json").path
        let adopting = try GateProcess.run(["ingest", "fixtures/examples", "--format", "json", "-o", adopted])
        #expect(adopting.status == 0, "\(adopting.standardError)")
        let known = try GateProcess.run(["gate"] + common + ["--baseline", adopted])
        #expect(known.status == 0, "\(known.standardOutput)")
    }

    /// A report decided under dev's policy, where every finding only warned, made every finding
    /// known to a staging gate under `fail-on-new-only` without a word (found by a review): the
    /// gate says which environment the baseline was decided in. One of its own environment is
    /// not remarked on.
    @Test func aBaselineDecidedInAnotherEnvironmentIsSaidSo() throws {
        let policy = try Self.stagingFailingOnNewOnly()
        let directory = policy.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        let devRun = directory.appendingPathComponent("dev-run.json").path
        let written = try GateProcess.run(
            ["report", "fixtures/examples", "--policy", "policies/dev.yaml", "--format", "json", "-o", devRun]
                + Self.now)
        #expect(written.status == 0, "\(written.standardError)")
        let gated = try GateProcess.run(
            ["gate", "fixtures/examples", "--policy", policy.path, "--baseline", devRun] + Self.now)
        #expect(
            gated.standardOutput.contains(
                "the baseline \(devRun) was decided in the environment dev, this gate is in staging"),
            "\(gated.standardOutput)")

        let stagingRun = directory.appendingPathComponent("staging-run.json").path
        _ = try GateProcess.run(
            ["report", "fixtures/examples", "--policy", policy.path, "--format", "json", "-o", stagingRun] + Self.now)
        let same = try GateProcess.run(
            ["gate", "fixtures/examples", "--policy", policy.path, "--baseline", stagingRun] + Self.now)
        #expect(!same.standardOutput.contains("was decided in the environment"), "\(same.standardOutput)")
    }

    /// A policy, waivers or VEX file given as a pipe (`--vex <(…)`) is refused saying so, not
    /// "it cannot be read".
    @Test func aConfigurationFileThatIsAPipeIsRefusedSayingSo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-fifo-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("vex.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let result = try GateProcess.run(
            ["gate", Self.examples, "--policy", "policies/dev.yaml", "--vex", fifo] + Self.now)
        #expect(result.status == 2)
        #expect(
            result.standardError.contains(
                "\(fifo): cannot read the file: it is a FIFO (named pipe), not a regular file"),
            "\(result.standardError)")
    }

    @Test func devPassesWithWarnings() throws {
        let result = try GateProcess.run(["gate", Self.examples, "--policy", "policies/dev.yaml"] + Self.now)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n").last?.hasPrefix("PASS: 0 failing, 11 warnings") == true)
    }

    @Test func waiversAndVEXAreShownWithTheirExpiry() throws {
        let result = try GateProcess.run(
            [
                "gate", Self.examples, "--policy", "policies/production.yaml", "--waivers",
                "fixtures/policy/waivers.yaml", "--vex", "fixtures/policy/openvex.json",
            ] + Self.now)
        #expect(result.status == 1)
        let output = result.standardOutput
        #expect(output.contains("waiver CVE-2021-23337 (fixtures/policy/waivers.yaml:8) until 2026-12-10"))
        #expect(output.contains("OpenVEX statement 1 (fixtures/policy/openvex.json:8): not_affected"))
        #expect(output.contains("warning: waiver DS-0002 (fixtures/policy/waivers.yaml:28) expired on 2026-10-01"))
        #expect(output.contains("matches no finding: it is stale"))
        #expect(output.contains("signatures NOT verified"))
    }

    /// `--now` in the past revives a waiver that has expired since: as of that day it applies,
    /// and the gate says that it expired and why it still applies (it said nothing).
    @Test func aWaiverThatExpiredBeforeTodayButAppliesAsOfNowIsWarnedAbout() throws {
        let result = try GateProcess.run([
            "gate", Self.examples, "--policy", "policies/production.yaml", "--waivers",
            "fixtures/policy/waivers.yaml", "--now", "2026-09-20",
        ])
        let output = result.standardOutput
        #expect(output.contains("WAIVED  high     misconfiguration DS-0002"), "\(output)")
        let warning = try #require(
            output.split(separator: "\n").first { $0.hasPrefix("warning: waiver DS-0002") }, "\(output)")
        #expect(warning.hasPrefix("warning: waiver DS-0002 (fixtures/policy/waivers.yaml:28) expired on 2026-10-01, "))
        #expect(warning.hasSuffix(": it applies only because the gate judges as of 2026-09-20 (--now)"))
        #expect(!output.contains("expires on 2026-10-01, in 11 days"))
    }

    /// An npm 6 advisory covering two CVEs, merged with Trivy's finding of the critical one: a
    /// VEX statement for the low one does not hide it (it did, through the advisory's CVEs read
    /// as aliases; found by a review).
    @Test func aStatementForOneCVEOfAnAdvisoryDoesNotHideAnother() throws {
        let result = try GateProcess.run(
            [
                "gate", "fixtures/trivy/two-cves-one-advisory.json",
                "fixtures/npm-audit/advisory-of-two-cves-npm6.json",
                "--policy", "policies/staging.yaml", "--vex", "fixtures/policy/openvex-low-cve.json",
            ] + Self.now)
        #expect(result.status == 1, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("FAIL    critical vulnerability CVE-2020-0001 lodash 4.17.15"))
        #expect(result.standardOutput.contains("VEX     low      vulnerability CVE-2020-0002 lodash 4.17.15"))
        // Trivy reporting only the low CVE: the advisory, the only report of the other, stays open.
        let trivy = try String(contentsOfFile: "fixtures/trivy/two-cves-one-advisory.json", encoding: .utf8)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(trivy.utf8)) as? [String: Any])
        var results = try #require(json["Results"] as? [[String: Any]])
        results[0]["Vulnerabilities"] = (results[0]["Vulnerabilities"] as? [Any])?.suffix(1).map { $0 }
        json["Results"] = results
        let lowOnly = try GateProcess.temporaryFile(
            "trivy.json", String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
        defer { try? FileManager.default.removeItem(at: lowOnly.deletingLastPathComponent()) }
        let partial = try GateProcess.run(
            [
                "gate", lowOnly.path, "fixtures/npm-audit/advisory-of-two-cves-npm6.json", "--policy",
                "policies/production.yaml", "--vex", "fixtures/policy/openvex-low-cve.json",
            ] + Self.now)
        #expect(partial.status == 1, "\(partial.standardOutput)")
        #expect(partial.standardOutput.contains("FAIL    high     vulnerability GHSA-aaaa-bbbb-cccc lodash"))
        #expect(partial.standardOutput.contains("VEX     low      vulnerability CVE-2020-0002 lodash 4.17.15"))
    }

    /// One glibc vulnerability in the i686 and the x86_64 package of a multilib image is one
    /// finding: a VEX statement for the i686 package alone no longer suppresses it (the merged
    /// finding kept the i686 purl, so the x86_64 package's vulnerability passed; found by a
    /// review).
    @Test func aStatementForOneArchitectureDoesNotCoverAnother() throws {
        func gate(vex: String) throws -> ChildProcess.Result {
            try GateProcess.run(
                ["gate", "fixtures/trivy/multilib-rpm.json", "--policy", "policies/production.yaml", "--vex", vex]
                    + Self.now)
        }
        let result = try gate(vex: "fixtures/policy/openvex-one-arch.json")
        #expect(result.status == 1, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("FAIL    high     vulnerability CVE-2023-4911 glibc 2.28-225.el8"))
        // A statement naming both architectures' packages covers the finding.
        let both = try gate(vex: "fixtures/policy/openvex-both-arches.json")
        #expect(both.status == 0, "\(both.standardOutput)")
        #expect(both.standardOutput.contains("1 VEX-suppressed"))
    }

    /// npm audit's severity of a GitHub advisory is GitHub's: under production's
    /// `severity-sources: [vendor, ghsa, nvd, tool]` it decides before the NVD rating Trivy
    /// cites. It did not, so adding Trivy's report turned npm audit's critical into a medium
    /// and the gate passed (found by a review).
    @Test func npmAuditsGitHubRatingCountsAsGHSABeforeNVD() throws {
        let npm = "fixtures/npm-audit/ghsa-critical-npm7.json"
        let alone = try GateProcess.run(["gate", npm, "--policy", "policies/production.yaml"] + Self.now)
        #expect(alone.status == 1, "\(alone.standardOutput)")
        let both = try GateProcess.run(
            ["gate", npm, "fixtures/trivy/nvd-rating-only.json", "--policy", "policies/production.yaml"] + Self.now)
        #expect(both.status == 1, "\(both.standardOutput)")
        #expect(both.standardOutput.contains("FAIL    critical vulnerability CVE-2020-0009 minimist"))
        #expect(both.standardOutput.contains("sources disagree: ghsa critical, npm-audit critical, nvd medium"))
    }

    /// `scangate gate` knows the repository being gated as `scangate ci` does (--repository,
    /// else GITHUB_REPOSITORY): another repository's OpenVEX statement is not applied.
    @Test func vexProductsNamingARepositoryNeedThisOne() throws {
        let vex = try GateProcess.temporaryFile(
            "vex.json",
            """
            {"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2024-01-10T00:00:00Z",
             "statements": [{"vulnerability": {"name": "CVE-2021-44906"},
               "products": [{"@id": "pkg:github/acme/app", "subcomponents": [{"@id": "pkg:npm/minimist@1.2.5"}]}],
               "status": "fixed"}]}
            """)
        defer { try? FileManager.default.removeItem(at: vex.deletingLastPathComponent()) }
        func gate(_ more: [String], _ environment: [String: String]) throws -> ChildProcess.Result {
            try ChildProcess.run(
                ScanGateExecutable.url,
                ["gate", Self.examples, "--policy", "policies/staging.yaml", "--vex", vex.path] + Self.now + more,
                in: Support.repositoryRoot, environment: environment)
        }
        let other = try gate([], ["GITHUB_REPOSITORY": "someone-else/app"])
        #expect(other.standardOutput.contains(" 0 VEX-suppressed"), "\(other.standardOutput)")
        #expect(other.standardOutput.contains("is for the repository acme/app, not someone-else/app: not applied"))
        #expect(try gate([], ["GITHUB_REPOSITORY": "acme/app"]).standardOutput.contains(" 1 VEX-suppressed"))
        #expect(try gate(["--repository", "ACME/app"], [:]).standardOutput.contains(" 1 VEX-suppressed"))
        let unknown = try gate([], [:])
        #expect(unknown.standardOutput.contains("the repository being gated is not known"))
        let invalid = try gate(["--repository", "acme"], [:])
        #expect(invalid.status == 2, "\(invalid.standardError)")
        #expect(invalid.standardError.contains("--repository must be OWNER/NAME"))
    }

    /// The reviewed cases, end to end: two scans of one image repository (tags 1.0 and 2.0) merge
    /// into one finding, and a statement about the 1.0 digest must not pass the 2.0 copy, so
    /// adding a report never turns a failing gate into a passing one; and an upstream library's
    /// own statement (`pkg:npm/express@4.17.1` with subcomponent qs) does not speak for this
    /// project's source tree.
    @Test func vexCoversEveryImageAndOnlyThisProject() throws {
        func trivy(
            _ artifact: String, _ type: String, _ metadata: String, _ target: String, _ id: String,
            _ package: String, _ version: String
        ) -> String {
            """
            {"SchemaVersion": 2, "ArtifactName": "\(artifact)", "ArtifactType": "\(type)", "Metadata": {\(metadata)},
             "Results": [{"Target": "\(target)", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [
               {"VulnerabilityID": "\(id)", "PkgName": "\(package)", "InstalledVersion": "\(version)",
                "Severity": "HIGH", "PkgIdentifier": {"PURL": "pkg:npm/\(package)@\(version)"}}]}]}
            """
        }
        func image(_ tag: String, _ digest: String) -> String {
            trivy(
                "ghcr.io/acme/app:\(tag)", "container_image",
                #""RepoTags": ["ghcr.io/acme/app:\#(tag)"], "RepoDigests": ["ghcr.io/acme/app@\#(digest)"]"#,
                "app/package-lock.json", "CVE-2024-7777", "lodash", "4.17.15")
        }
        let digestA = "sha256:" + String(repeating: "a", count: 64)
        let imageA = try GateProcess.temporaryFile("image-a.json", image("1.0", digestA))
        let directory = imageA.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        let imageB = try write("image-b.json", image("2.0", "sha256:" + String(repeating: "b", count: 64)))
        let source = try write(
            "source.json", trivy(".", "filesystem", "", "package-lock.json", "CVE-2022-24999", "qs", "6.5.2"))
        func vex(_ name: String, _ id: String, _ product: String, _ subcomponent: String) throws -> String {
            try write(
                name,
                """
                {"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2026-11-01T00:00:00Z",
                 "statements": [{"vulnerability": {"name": "\(id)"},
                   "products": [{"@id": "\(product)", "subcomponents": [{"@id": "\(subcomponent)"}]}],
                   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
                """)
        }
        let vexImage = try vex(
            "vex-image.json", "CVE-2024-7777", "pkg:oci/app@\(digestA)?repository_url=ghcr.io/acme/app",
            "pkg:npm/lodash@4.17.15")
        let vexUpstream = try vex("vex-upstream.json", "CVE-2022-24999", "pkg:npm/express@4.17.1", "pkg:npm/qs@6.5.2")
        let policy = try write("policy.yaml", "scangate-policy: 1\nfail-on: high\n")
        func gate(_ arguments: [String]) throws -> ChildProcess.Result {
            try GateProcess.run(["gate", "--policy", policy] + arguments + Self.now)
        }

        let alone = try gate([imageA.path, "--vex", vexImage])
        #expect(alone.status == 0, "\(alone.standardOutput)")
        #expect(alone.standardOutput.contains(" 1 VEX-suppressed"), "\(alone.standardOutput)")
        #expect(try gate([imageB, "--vex", vexImage]).status == 1)
        let both = try gate([imageA.path, imageB, "--vex", vexImage])
        #expect(both.status == 1, "\(both.standardOutput)")
        #expect(both.standardOutput.contains(" 0 VEX-suppressed"), "\(both.standardOutput)")
        #expect(both.standardOutput.contains("but the finding is also in ghcr.io/acme/app:2.0@sha256:bbbb"))

        let upstream = try gate([source, "--vex", vexUpstream, "--repository", "acme/app"])
        #expect(upstream.status == 1, "\(upstream.standardOutput)")
        #expect(upstream.standardOutput.contains(" 0 VEX-suppressed"), "\(upstream.standardOutput)")
        #expect(
            upstream.standardOutput.contains(
                "is for the product pkg:npm/express@4.17.1, which is neither an image nor a source repository"))
    }

    @Test func jsonIsDeterministicAndWrittenToAFile() throws {
        let first = try GateProcess.temporaryFile("first.json", "")
        let second = first.deletingLastPathComponent().appendingPathComponent("second.json")
        defer { try? FileManager.default.removeItem(at: first.deletingLastPathComponent()) }
        let arguments = ["gate", "--policy", "policies/staging.yaml", "--format", "json"] + Self.now
        let one = try GateProcess.run(
            arguments + [
                "-o", first.path, "fixtures/examples/trivy-fs.json",
                "fixtures/examples/npm-audit.json",
            ])
        let two = try GateProcess.run(
            arguments + [
                "-o", second.path, "fixtures/examples/npm-audit.json",
                "fixtures/examples/trivy-fs.json",
            ])
        #expect(one.status == 1 && two.status == 1)
        let bytes = try Data(contentsOf: first)
        #expect(bytes == (try Data(contentsOf: second)))
        let object = try JSONSerialization.jsonObject(with: bytes) as? [String: Any]
        #expect(object?["decision"] as? String == "fail")
        #expect((object?["counts"] as? [String: Any])?["fail"] as? Int == 2)
    }

    @Test func baselineMakesKnownFindingsWarnUnderFailOnNewOnly() throws {
        let baseline = try GateProcess.temporaryFile("previous.json", "")
        defer { try? FileManager.default.removeItem(at: baseline.deletingLastPathComponent()) }
        let ingest = try GateProcess.run(["ingest", "--format", "json", "-o", baseline.path, Self.examples])
        #expect(ingest.status == 0)
        let policy = baseline.deletingLastPathComponent().appendingPathComponent("new-only.yaml")
        try Data(
            "scangate-policy: 1\nextends: \(Support.path("policies/staging.yaml"))\nfail-on-new-only: true\n".utf8
        ).write(to: policy)
        let result = try GateProcess.run(
            ["gate", Self.examples, "--policy", policy.path, "--baseline", baseline.path] + Self.now)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("[in baseline]"))
        #expect(result.standardOutput.contains("the baseline has it and the policy fails only new findings"))
    }

    /// (arguments, exit status, words on standard error)
    static let failures: [([String], Int32, String)] = [
        (["--policy", "fixtures/policy/invalid-policy.yaml"], 2, "fixtures/policy/invalid-policy.yaml:9"),
        (["--policy", "policies/nothere.yaml"], 2, "policies/nothere.yaml: cannot read the file"),
        (
            ["--policy", "policies/staging.yaml", "--waivers", "fixtures/policy/invalid-waivers.yaml"], 2,
            "fixtures/policy/invalid-waivers.yaml:5"
        ),
        (
            ["--policy", "policies/staging.yaml", "--vex", "fixtures/policy/invalid-openvex.json"], 2,
            "fixtures/policy/invalid-openvex.json:6"
        ),
        (
            ["--policy", "policies/staging.yaml", "--baseline", "fixtures/examples/trivy-fs.json"], 2,
            "not a findings document of schema scangate-findings/1"
        ),
        (
            ["--policy", "policies/production.yaml", "--waivers", "fixtures/policy/waivers-without-severity.yaml"], 2,
            "require-severity"
        ),
        (["--policy", "policies/staging.yaml", "--now", "2026-02-30"], 2, "--now"),
        (["--policy", "policies/staging.yaml", "--format", "xml"], 2, "xml"),
    ]

    @Test(arguments: failures)
    func configurationErrorsExitTwo(_ arguments: [String], _ status: Int32, _ words: String) throws {
        let now = arguments.contains("--now") ? [] : Self.now
        let result = try GateProcess.run(["gate", Self.examples] + arguments + now)
        #expect(result.status == status, "\(result.standardError)")
        #expect(result.standardError.contains(words), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func anUnreadableReportExitsThree() throws {
        let result = try GateProcess.run(
            ["gate", "fixtures/hostile/truncated-trivy.json", "--policy", "policies/dev.yaml"] + Self.now)
        #expect(result.status == 3)
        #expect(result.standardOutput.isEmpty)
    }

    @Test func aMissingPolicyOptionIsAUsageError() throws {
        let result = try GateProcess.run(["gate", Self.examples])
        #expect(result.status == 2)
    }
}
