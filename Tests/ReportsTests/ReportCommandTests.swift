import Foundation
import Reports
import TestSupport
import Testing

/// Runs the real `scangate` executable from the repository root.
enum ReportBinary {
    static var isAvailable: Bool { ScanGateExecutable.isAvailable }

    /// - Parameter environment: the child's whole environment; the test process's when nil.
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> ChildProcess.Result {
        try ChildProcess.run(
            ScanGateExecutable.url, arguments, in: ReportSupport.repositoryRoot, environment: environment)
    }
}

@Suite("Report and diff commands", .enabled(if: ReportBinary.isAvailable))
struct ReportCommandTests {
    static let examples = ["fixtures/examples/trivy-fs.json", "fixtures/examples/npm-audit.json"]

    /// The example Trivy image scan, as a JSON object to change.
    static func exampleImageScan() throws -> [String: Any] {
        let url = ReportSupport.repositoryRoot.appendingPathComponent("fixtures/examples/trivy-image.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Between two report JSONs, a finding the earlier decision held only as waived and the
    /// later one does not is new again, as the gate judges it (found by a review: diff called it
    /// unchanged, the gate new). Still waived, it is unchanged.
    @Test func aFindingOnlyWaivedBeforeIsNewAgainInTheDiff() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let waived = directory.appendingPathComponent("waived.json").path
        let unwaived = directory.appendingPathComponent("unwaived.json").path
        let common = ["--format", "json", "--policy", "policies/staging.yaml", "--now", "2026-11-28"] + Self.examples
        _ = try ReportBinary.run(["report", "-o", waived, "--waivers", "fixtures/policy/waivers.yaml"] + common)
        _ = try ReportBinary.run(["report", "-o", unwaived] + common)
        let again = try ReportBinary.run(["diff", waived, unwaived])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(
            again.standardOutput.split(separator: "\n").contains {
                $0.hasPrefix("NEW") && $0.contains("CVE-2021-23337")
            },
            "\(again.standardOutput)")
        let same = try ReportBinary.run(["diff", waived, waived])
        #expect(same.standardOutput.contains("0 new, 0 fixed"), "\(same.standardOutput)")
        // Failed in both runs: the gate calls it new (never accepted), but nothing changed.
        let failedTwice = try ReportBinary.run(["diff", unwaived, unwaived])
        #expect(failedTwice.standardOutput.contains("0 new, 0 fixed"), "\(failedTwice.standardOutput)")
        // Ignored by a rule before, not now: known all the same (a policy change, not the finding's).
        let ignoring = directory.appendingPathComponent("ignoring.yaml")
        try Data(
            ("scangate-policy: 1\nextends: \(ReportSupport.repositoryRoot.path)/policies/staging.yaml\n"
                + "rules:\n  - match: {id: CVE-2021-23337}\n    action: ignore\n").utf8
        ).write(to: ignoring)
        let ignored = directory.appendingPathComponent("ignored.json").path
        let ignoredRun = try ReportBinary.run(
            ["report", "-o", ignored, "--format", "json", "--policy", ignoring.path, "--now", "2026-11-28"]
                + Self.examples)
        #expect(ignoredRun.status == 0, "\(ignoredRun.standardError)")
        let unignored = try ReportBinary.run(["diff", ignored, unwaived])
        #expect(unignored.standardOutput.contains("0 new, 0 fixed"), "\(unignored.standardOutput)")
        // Only waived before, ignored by a rule now: held, as the gate judges it, not new.
        let ignoredNow = try ReportBinary.run(["diff", waived, ignored])
        #expect(ignoredNow.standardOutput.contains("0 new, 0 fixed"), "\(ignoredNow.standardOutput)")
    }

    /// A finding is fixed only when a tool that found it looked again: the image scan missing
    /// this time, or ZAP reaching no site, leaves its findings "not scanned", not "fixed".
    @Test func findingsOfAToolThatDidNotScanThisTimeAreNotCalledFixed() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = directory.appendingPathComponent("previous.json").path
        let current = directory.appendingPathComponent("current.json").path
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", previous, "fixtures/examples"]).status == 0)
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", current] + Self.examples).status == 0)
        let diff = try ReportBinary.run(["diff", previous, current])
        #expect(diff.status == 0, "\(diff.standardError)")
        let lines = diff.standardOutput.split(separator: "\n")
        // ZAP's alerts are gone because ZAP did not run: not fixed.
        #expect(!lines.contains { $0.hasPrefix("FIXED") && $0.contains("web-alert") }, "\(diff.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("UNSEEN") && $0.contains("web-alert 40012") }, "\(diff.standardOutput)")
        // The image's OS packages are gone because no image was scanned this time (only the
        // source tree): not fixed either, though Trivy ran.
        #expect(!lines.contains { $0.hasPrefix("FIXED") && $0.contains("libc6") }, "\(diff.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("UNSEEN") && $0.contains("CVE-2024-2961") }, "\(diff.standardOutput)")
        #expect(
            diff.standardOutput.contains(
                "not scanned this time (zap: no report of it checked anything; image docker.io/library/app: not "
                    + "scanned by the tool that found them, so not known to be fixed)"), "\(diff.standardOutput)")
        let json = try ReportBinary.run(["diff", previous, current, "--format", "json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect((summary["notScanned"] as? Int ?? 0) > 0)
        let unseen = try #require(object["notScanned"] as? [[String: Any]])
        #expect(Set(unseen.compactMap { ($0["tools"] as? [String])?.joined() }) == ["zap", "trivy"], "\(unseen)")

        // A Trivy image scan that skipped the OS packages checked nothing, though it lists a
        // library's finding: the OS packages' findings of the baseline are not scanned, not fixed.
        var image = try Self.exampleImageScan()
        var results = try #require(image["Results"] as? [[String: Any]])
        results.removeAll { $0["Class"] as? String == "os-pkgs" }
        results[0]["Vulnerabilities"] = [
            [
                "VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.15",
                "Severity": "HIGH",
            ]
        ]
        image["Results"] = results
        let libraries = directory.appendingPathComponent("libraries-only.json")
        try JSONSerialization.data(withJSONObject: image).write(to: libraries)
        let imageBefore = directory.appendingPathComponent("image-before.json").path
        let imageNow = directory.appendingPathComponent("image-now.json").path
        #expect(
            try ReportBinary.run([
                "ingest", "--format", "json", "-o", imageBefore, "fixtures/examples/trivy-image.json",
            ])
            .status == 0)
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", imageNow, libraries.path]).status == 0)
        let skipped = try ReportBinary.run(["diff", imageBefore, imageNow])
        #expect(!skipped.standardOutput.contains("FIXED"), "\(skipped.standardOutput)")
        #expect(skipped.standardOutput.contains("UNSEEN"), "\(skipped.standardOutput)")

        // `report --baseline` reads the same way, in its Markdown.
        let markdown = try ReportBinary.run(
            ["report", "--baseline", previous, "--format", "markdown"] + Self.examples)
        #expect(markdown.standardOutput.contains("not scanned this time"), "\(markdown.standardOutput)")
    }

    /// Two images scanned before, one now: the other image's findings are not scanned this time,
    /// not fixed, though Trivy ran; the image scanned again with a finding gone has it fixed.
    @Test func findingsOfAnImageNoReportScannedThisTimeAreNotCalledFixed() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = try Self.exampleImageScan()
        /// The example image scan, renamed to `name`, keeping only the vulnerabilities `keeping` says.
        func imageReport(_ name: String, keeping: (String) -> Bool) throws -> String {
            var report = example
            report["ArtifactName"] = "registry.example.test/\(name):1.0"
            var results = try #require(report["Results"] as? [[String: Any]])
            for index in results.indices {
                let vulnerabilities = results[index]["Vulnerabilities"] as? [[String: Any]] ?? []
                results[index]["Vulnerabilities"] = vulnerabilities.filter {
                    keeping($0["VulnerabilityID"] as? String ?? "")
                }
                if let target = results[index]["Target"] as? String, results[index]["Class"] as? String == "os-pkgs" {
                    results[index]["Target"] = "registry.example.test/\(name):1.0" + target.drop { $0 != " " }
                }
            }
            report["Results"] = results
            let url = directory.appendingPathComponent("\(name)-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: report).write(to: url)
            return url.path
        }
        let before = directory.appendingPathComponent("before.json").path
        let after = directory.appendingPathComponent("after.json").path
        let apiBefore = try imageReport("api") { _ in true }
        let webBefore = try imageReport("web") { _ in true }
        let apiNow = try imageReport("api") { $0 != "CVE-2024-2961" }
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", before, apiBefore, webBefore]).status == 0)
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", after, apiNow]).status == 0)
        let diff = try ReportBinary.run(["diff", before, after])
        #expect(diff.status == 0, "\(diff.standardError)")
        let lines = diff.standardOutput.split(separator: "\n")
        let fixed = lines.filter { $0.hasPrefix("FIXED") }
        let unseen = lines.filter { $0.hasPrefix("UNSEEN") }
        #expect(fixed.count == 1 && fixed.allSatisfy { $0.contains("CVE-2024-2961") }, "\(diff.standardOutput)")
        #expect(unseen.count == 2, "\(diff.standardOutput)")
        #expect(
            diff.standardOutput.contains("image registry.example.test/web: not scanned by the tool that found them"),
            "\(diff.standardOutput)")

        // `report --baseline` reads the reports themselves the same way.
        let report = try ReportBinary.run(["report", "--baseline", before, "--format", "json", apiNow])
        #expect(report.status == 0, "\(report.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(report.standardOutput.utf8)) as? [String: Any])
        let since = try #require(object["diff"] as? [String: Any], "\(object.keys)")
        #expect(since["summary"] as? [String: Int] == ["new": 0, "fixed": 1, "unchanged": 1, "notScanned": 2])
    }

    /// ZAP scanned two sites before and one now: the other site's alerts are not scanned this
    /// time, not fixed; a site ZAP lists without an alert was scanned, so its alerts are fixed.
    @Test func alertsOfASiteZAPDidNotScanThisTimeAreNotCalledFixed() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = try String(
            contentsOf: ReportSupport.repositoryRoot.appendingPathComponent("fixtures/examples/zap-report.xml"),
            encoding: .utf8)
        let siteStart = try #require(example.range(of: "\t<site "))
        let siteEnd = try #require(example.range(of: "</site>\n"))
        let staging = String(example[siteStart.lowerBound..<siteEnd.upperBound])
        let admin = staging.replacingOccurrences(of: "staging.example.test", with: "admin.example.test")
        let adminClean =
            "\t<site name=\"https://admin.example.test\" host=\"admin.example.test\" port=\"443\" ssl=\"true\">\n"
            + "\t\t<alerts></alerts>\n\t</site>\n"
        func ingest(_ name: String, sites: [String]) throws -> String {
            let report = directory.appendingPathComponent("\(name).xml")
            let text = example[..<siteStart.lowerBound] + sites.joined() + example[siteEnd.upperBound...]
            try text.write(to: report, atomically: true, encoding: .utf8)
            let document = directory.appendingPathComponent("\(name).json").path
            let result = try ReportBinary.run(["ingest", "--format", "json", "-o", document, report.path])
            #expect(result.status == 0, "\(result.standardError)")
            return document
        }
        let before = try ingest("before", sites: [staging, admin])
        let oneSite = try ingest("one-site", sites: [staging])
        let adminFoundClean = try ingest("admin-clean", sites: [staging, adminClean])

        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: before))) as? [String: Any])
        let adminAlerts = (document["findings"] as? [[String: Any]] ?? []).filter {
            $0["scope"] as? String == "site:https://admin.example.test"
        }
        try #require(adminAlerts.count > 1)

        let unscanned = try ReportBinary.run(["diff", before, oneSite])
        var lines = unscanned.standardOutput.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("FIXED") }, "\(unscanned.standardOutput)")
        #expect(
            lines.filter { $0.hasPrefix("UNSEEN") }.count == adminAlerts.count
                && lines.filter { $0.hasPrefix("UNSEEN") }.allSatisfy { $0.contains("admin.example.test") },
            "\(unscanned.standardOutput)")
        #expect(
            unscanned.standardOutput.contains(
                "site https://admin.example.test: not scanned by the tool that found them"),
            "\(unscanned.standardOutput)")

        let clean = try ReportBinary.run(["diff", before, adminFoundClean])
        lines = clean.standardOutput.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("FIXED") }.count == adminAlerts.count, "\(clean.standardOutput)")
        #expect(!clean.standardOutput.contains("UNSEEN"), "\(clean.standardOutput)")
    }

    /// A cluster scanned before and not now: its resources' misconfigurations are not scanned
    /// this time, though Trivy scanned the source tree (found by a review: any Trivy report
    /// counted as looking at every Kubernetes resource).
    @Test func misconfigurationsOfAClusterNotScannedThisTimeAreNotCalledFixed() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = directory.appendingPathComponent("cluster.json")
        try Data(
            (#"{"ClusterName": "prod", "Resources": [{"Namespace": "default", "Kind": "Deployment", "Name": "web","#
                + #" "Results": [{"Target": "Deployment/web", "Class": "config", "Misconfigurations": [{"ID": "KSV001","#
                + #" "Title": "privileged", "Severity": "HIGH", "Status": "FAIL"}]}]}]}"#).utf8
        ).write(to: cluster)
        let before = directory.appendingPathComponent("before.json").path
        let after = directory.appendingPathComponent("after.json").path
        let tree = "fixtures/examples/trivy-fs.json"
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", before, cluster.path, tree]).status == 0)
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", after, tree]).status == 0)
        let diff = try ReportBinary.run(["diff", before, after])
        let lines = diff.standardOutput.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("FIXED") }, "\(diff.standardOutput)")
        #expect(lines.contains { $0.hasPrefix("UNSEEN") && $0.contains("KSV-0001") }, "\(diff.standardOutput)")
        #expect(
            diff.standardOutput.contains("Kubernetes resource default/Deployment/web: not scanned"),
            "\(diff.standardOutput)")
        // The cluster scanned again, the resource found clean: fixed.
        let clean = directory.appendingPathComponent("clean.json")
        try Data(
            (#"{"ClusterName": "prod", "Resources": [{"Namespace": "default", "Kind": "Deployment", "Name": "web","#
                + #" "Results": []}]}"#).utf8
        ).write(to: clean)
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", after, clean.path, tree]).status == 0)
        let fixed = try ReportBinary.run(["diff", before, after])
        let fixedLines = fixed.standardOutput.split(separator: "\n")
        #expect(fixedLines.contains { $0.hasPrefix("FIXED") && $0.contains("KSV-0001") }, "\(fixed.standardOutput)")
    }

    /// A SARIF file's later run that found nothing this time did scan: the findings it had in the
    /// baseline are fixed, not "not scanned" (the findings JSON lists every run's tool).
    @Test func aLaterSARIFRunThatNowFindsNothingFixedItsFindings() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func sarif(secondRunFinds: Bool) -> [String: Any] {
            func run(_ tool: String, rule: String, finds: Bool) -> [String: Any] {
                let result: [String: Any] = [
                    "ruleId": rule, "level": "error", "message": ["text": "\(rule) found"],
                    "locations": [
                        ["physicalLocation": ["artifactLocation": ["uri": "src/app.js"], "region": ["startLine": 3]]]
                    ],
                ]
                return ["tool": ["driver": ["name": tool]], "results": finds ? [result] : []]
            }
            return [
                "version": "2.1.0",
                "runs": [
                    run("FirstLint", rule: "first-rule", finds: true),
                    run("SecondLint", rule: "second-rule", finds: secondRunFinds),
                ],
            ]
        }
        var documents: [String] = []
        for (name, finds) in [("before", true), ("after", false)] {
            let report = directory.appendingPathComponent("\(name).sarif")
            try JSONSerialization.data(withJSONObject: sarif(secondRunFinds: finds)).write(to: report)
            let document = directory.appendingPathComponent("\(name).json").path
            let ingest = try ReportBinary.run(["ingest", "--format", "json", "-o", document, report.path])
            #expect(ingest.status == 0, "\(ingest.standardError)")
            documents.append(document)
        }
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: documents[1])))
                as? [String: Any])
        let reports = try #require(object["reports"] as? [[String: Any]])
        #expect(reports.first?["tools"] as? [String] == ["FirstLint", "SecondLint"], "\(reports)")
        let diff = try ReportBinary.run(["diff", documents[0], documents[1]])
        #expect(diff.status == 0, "\(diff.standardError)")
        let lines = diff.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("FIXED") && $0.contains("second-rule") }, "\(diff.standardOutput)")
        #expect(!diff.standardOutput.contains("UNSEEN"), "\(diff.standardOutput)")
    }

    @Test func reportWritesEveryFormatAndExitsZeroEvenWhenTheGateFails() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = directory.appendingPathComponent("previous.json").path
        let ingest = try ReportBinary.run([
            "ingest", "--format", "json", "-o", baseline, "fixtures/examples/trivy-fs.json",
        ])
        #expect(ingest.status == 0)
        let common =
            Self.examples + [
                "fixtures/examples/zap-report.xml", "--baseline", baseline, "--policy", "policies/staging.yaml",
                "--waivers", "fixtures/policy/waivers.yaml", "--now", "2026-11-28",
            ]
        for format in ["html", "markdown", "junit", "json"] {
            let file = directory.appendingPathComponent("report.\(format)").path
            let result = try ReportBinary.run(["report", "--format", format, "-o", file] + common)
            #expect(result.status == 0, "\(format): \(result.standardError)")
            let text = try String(contentsOfFile: file, encoding: .utf8)
            switch format {
            case "html":
                #expect(text.contains("<span id=\"gate-decision\">FAIL</span>"))
                #expect(text.contains("id=\"waivers-expiring\""))
                #expect(text.contains("id=\"diff-new\">"))
            case "markdown":
                #expect(text.hasPrefix("## ScanGate: ❌ FAIL"))
                #expect(text.contains("### New findings"))
            case "junit":
                #expect(text.contains("<testsuites name=\"scangate\""))
            default:
                #expect(text.contains("\"schema\": \"scangate-report/1\""))
                #expect(text.contains("\"schema\": \"scangate-gate/1\""))
            }
        }
        // The same inputs give the same bytes.
        let first = try ReportBinary.run(["report", "--format", "html"] + common)
        let second = try ReportBinary.run(["report", "--format", "html"] + common)
        #expect(first.standardOutput == second.standardOutput)
    }

    /// The reviewer's case: `max: {high: 0}` and `fail-on: critical` both fail findings, and
    /// the Markdown (job summary, pull-request comment) tells them apart as the table and HTML
    /// do, with the policy's line; the per-tool counts say why they add up to more than the open
    /// count.
    @Test func markdownSaysWhyEachFindingFails() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("max.yaml").path
        try Data("scangate-policy: 1\nfail-on: critical\nmax: { high: 0 }\n".utf8).write(
            to: URL(fileURLWithPath: policy))
        let arguments = Self.examples + ["fixtures/examples/zap-report.xml", "--policy", policy, "--now", "2026-11-25"]
        let result = try ReportBinary.run(["report", "--format", "markdown"] + arguments)
        #expect(result.status == 0, "\(result.standardError)")
        let markdown = result.standardOutput
        let place = ReportEscaping.markdown(policy, limit: 300)
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        let maxRows = rows.filter {
            $0.hasSuffix("| fail: max high\\: 5 high findings remain, the policy allows 0 \\(\(place)\\:3\\) |")
        }
        let failOnRows = rows.filter {
            $0.hasSuffix("| fail: severity critical is at or above fail-on\\: critical \\(\(place)\\:2\\) |")
        }
        #expect(maxRows.count == 5, "\(markdown)")
        #expect(failOnRows.count == 2, "\(markdown)")
        #expect(
            markdown.contains(
                "By tool: npm-audit 2 · trivy 5 · zap 3 (a finding several tools reported counts for each)"))
        // Worded as the HTML report words it.
        let html = try ReportBinary.run(["report", "--format", "html"] + arguments)
        #expect(html.standardOutput.contains("max high: 5 high findings remain, the policy allows 0 (\(policy):3)"))
    }

    /// `trust-tool-suppressions: false`: what a tool suppressed is counted, listed and compared
    /// with the baseline as the gate judged it, in both runs: against the same report's baseline,
    /// where it was suppressed too, it is unchanged (it was new on every run before).
    @Test func aToolSuppressionThePolicyDoesNotTrustIsReportedAsTheGateJudgedIt() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = "fixtures/reports/trivy-suppressed-critical.json"
        let baseline = directory.appendingPathComponent("previous.json").path
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", baseline, report]).status == 0)
        let policy = "fixtures/policy/untrusted-suppressions.yaml"
        let gate = try ReportBinary.run(["gate", report, "--policy", policy, "--now", "2026-03-01"])
        #expect(gate.status == 1)
        #expect(gate.standardOutput.contains("FAIL    critical vulnerability CVE-2099-0001"))
        let result = try ReportBinary.run([
            "report", "--format", "markdown", report, "--policy", policy, "--baseline", baseline, "--now",
            "2026-03-01",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let markdown = result.standardOutput
        #expect(markdown.contains("| 1 | 0 | 0 | 1 | 0 | 0 | 2 | 0 |"), "\(markdown)")
        #expect(markdown.contains("**0 new**, **0 fixed**, 2 unchanged."), "\(markdown)")
        #expect(markdown.contains("### New findings (0)"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.first?.contains("CVE-2099-0001") == true)
        #expect(rows.first?.contains("| fail: ") == true)
        #expect(!markdown.contains("suppressed by tools is not listed"))
    }

    /// The reviewer's case: a VEX statement the scanner applied suppresses a critical finding.
    /// The gate passes and mutes it (staging trusts tool suppressions; production does not), and
    /// the comment names it with who suppressed it and why.
    @Test func markdownListsAToolSuppressedCriticalFinding() throws {
        let result = try ReportBinary.run([
            "report", "fixtures/reports/trivy-suppressed-critical.json", "--format", "markdown", "--policy",
            "policies/staging.yaml", "--now", "2026-01-10",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let markdown = result.standardOutput
        #expect(markdown.hasPrefix("## ScanGate: ✅ PASS"))
        #expect(markdown.contains("<details><summary>Findings suppressed by tools (1: 1 critical)</summary>"))
        #expect(
            markdown.contains(
                "| **critical** | CVE-2099-0001 | debug 3.0.1 → 3.1.0 | debug\\: a critical finding the scanner's own VEX "
                    + "suppresses | trivy | ./vex.json \\(not\\_affected\\)\\: vulnerable\\_code\\_not\\_in\\_execute\\_path |"
            ),
            "\(markdown)")
        #expect(!markdown.contains("not listed"))
    }

    /// Without a policy, a ZAP scan that raised no alert at all (the site was down) and a Trivy
    /// scan accepted incomplete still say so in the comment and in JUnit.
    @Test func reportsWarningsReachMarkdownAndJUnitWithoutAPolicy() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zap = directory.appendingPathComponent("empty-zap.xml").path
        try Data(
            """
            <?xml version="1.0"?>
            <OWASPZAPReport programName="OWASP ZAP" version="2.14.0" generated="Mon, 1 Jan 2024 00:00:00">
            <site name="https://x" host="x" port="443" ssl="true"><alerts/></site>
            </OWASPZAPReport>

            """.utf8
        ).write(to: URL(fileURLWithPath: zap))
        let markdown = try ReportBinary.run(["report", zap, "--format", "markdown"])
        #expect(markdown.status == 0, "\(markdown.standardError)")
        #expect(markdown.standardOutput.contains("**⚠️ Warnings from reading the reports (1)**"))
        #expect(
            markdown.standardOutput.contains("ZAP reported no alert for the site it scanned"),
            "\(markdown.standardOutput)")
        let junit = try ReportBinary.run(["report", zap, "--format", "junit"])
        #expect(junit.standardOutput.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""))
        #expect(junit.standardOutput.contains("classname=\"scangate.report-warnings\""))

        let k8s = ReportSupport.corpus.appendingPathComponent("trivy/securecodebox__trivy--k8s-scan-results.json").path
        guard FileManager.default.fileExists(atPath: k8s) else { return }
        let incomplete = try ReportBinary.run(["report", "--allow-incomplete", k8s, "--format", "markdown"])
        #expect(incomplete.status == 0)
        #expect(incomplete.standardOutput.contains("**⚠️ Warnings from reading the reports (2)**"))
        #expect(
            incomplete.standardOutput.contains(
                "incomplete scan\\: Trivy could not scan securecodebox-system/Deployment"))
    }

    /// A waived or VEX-suppressed row says why, as `scangate gate` prints it: the waiver's id,
    /// `file:line`, expiry and the verdict it hides; the VEX statement and its source.
    @Test func markdownSaysWhyAFindingWasWaivedOrVEXSuppressed() throws {
        let result = try ReportBinary.run(
            ["report", "--format", "markdown"] + Self.examples + [
                "--policy", "policies/staging.yaml", "--waivers", "fixtures/policy/waivers.yaml", "--vex",
                "fixtures/policy/openvex.json", "--now", "2026-11-25",
            ])
        #expect(result.status == 0, "\(result.standardError)")
        let rows = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(
            rows.contains {
                $0.hasSuffix(
                    "| waived: waiver CVE-2021-23337 \\(fixtures/policy/waivers.yaml\\:8\\) until 2026-12-10, approved by "
                        + "security@\u{200B}example.org\\: template\\(\\) is never called with user input "
                        + "\\(without the waiver\\: warn\\) |")
            }, "\(rows)")
        #expect(
            rows.contains {
                $0.hasSuffix(
                    "| vex-suppressed: OpenVEX statement 1 \\(fixtures/policy/openvex.json\\:8\\)\\: not\\_affected, "
                        + "vulnerable\\_code\\_not\\_in\\_execute\\_path |")
            }, "\(rows)")
        #expect(result.standardOutput.contains("the gate accepted 2 of them (1 waived, 1 VEX-suppressed)"))
    }

    @Test func usageAndFileErrors() throws {
        let waiversWithoutPolicy = try ReportBinary.run(
            ["report", "--waivers", "fixtures/policy/waivers.yaml"] + Self.examples)
        #expect(waiversWithoutPolicy.status == 2)
        let badPolicy = try ReportBinary.run(
            ["report", "--policy", "fixtures/policy/invalid-policy.yaml"] + Self.examples)
        #expect(badPolicy.status == 2)
        let badBaseline = try ReportBinary.run(
            ["report", "--baseline", "fixtures/examples/npm-audit.json"] + Self.examples)
        #expect(badBaseline.status == 2)
        #expect(badBaseline.standardError.contains("not a findings document"))
        let unreadable = try ReportBinary.run(["report", "fixtures/hostile/truncated-trivy.json"])
        #expect(unreadable.status == 3)
        let badFormat = try ReportBinary.run(["report", "--format", "pdf"] + Self.examples)
        #expect(badFormat.status == 2)
    }

    @Test func diffCommand() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = directory.appendingPathComponent("previous.json").path
        let current = directory.appendingPathComponent("current.json").path
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", previous, Self.examples[0]]).status == 0)
        #expect(try ReportBinary.run(["ingest", "--format", "json", "-o", current, Self.examples[1]]).status == 0)
        let table = try ReportBinary.run(["diff", previous, current])
        #expect(table.status == 0)
        #expect(table.standardOutput.contains(" new, "))
        #expect(table.standardOutput.contains("NEW    high     vulnerability GHSA-hrpp-h998-j3pp"))
        let json = try ReportBinary.run(["diff", "--format", "json", previous, current])
        #expect(json.status == 0)
        #expect(json.standardOutput.contains("\"schema\": \"scangate-diff/1\""))
        let same = try ReportBinary.run(["diff", previous, previous])
        #expect(same.standardOutput.contains("0 new, 0 fixed"))
        let markdown = try ReportBinary.run(["diff", "--format", "markdown", previous, current])
        #expect(markdown.standardOutput.hasPrefix("## ScanGate diff"))
        let wrong = try ReportBinary.run(["diff", previous, "fixtures/examples/npm-audit.json"])
        #expect(wrong.status == 2)
    }

    /// Report, baseline and waiver text reaches standard error in warnings and errors, which a
    /// terminal shows: escape sequences (`ESC ] 0 ; … BEL` sets the window title, `ESC [ 2 J`
    /// clears the screen), C1 controls (CSI) and carriage returns must come out as U+FFFD and
    /// spaces, and every line must be ScanGate's, whatever the command or the format.
    @Test func reportTextOnStandardErrorCannotDriveTheTerminal() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sarif = "fixtures/reports/terminal-escapes.sarif"
        // A previous run whose severity is an escape sequence.
        let ingest = try ReportBinary.run(["ingest", "--format", "json", Self.examples[1]])
        #expect(ingest.status == 0)
        let baseline = directory.appendingPathComponent("baseline.json").path
        let escapes = #"\u001b]0;pwned\u0007\u001b[2J\u009b31m\r::error::x"#
        try ingest.standardOutput.replacing(#""severity": ""#, with: #""severity": ""# + escapes, maxReplacements: 1)
            .write(toFile: baseline, atomically: true, encoding: .utf8)
        let waivers = directory.appendingPathComponent("waivers.yaml").path
        try """
        scangate-waivers: 1
        waivers:
          - id: CVE-2021-23337
            package: lodash
            environments: ["\\e]0;pwned\\a\\e[2Jstaging"]
            severity: high
            reason: r
            approved-by: security@example.org
            approved-on: 2026-11-20
            expires: 2026-12-10

        """.write(toFile: waivers, atomically: true, encoding: .utf8)
        let gate = ["gate", "--policy", "policies/staging.yaml", "--now", "2026-11-25"]
        // The fixture's error notification makes it incomplete: accepted, it is a warning.
        var runs: [(command: String, arguments: [String])] = ["html", "markdown", "junit", "json"].map {
            ("report --format \($0)", ["report", sarif, "--allow-incomplete", "--format", $0, "-o", "/dev/null"])
        }
        runs += [
            ("report (refused)", ["report", sarif, "-o", "/dev/null"]),
            ("gate --format json", gate + ["--allow-incomplete", "--format", "json", "-o", "/dev/null", sarif]),
            ("diff", ["diff", baseline, baseline]),
            ("gate --baseline", gate + ["--baseline", baseline, Self.examples[1]]),
            ("report --baseline", ["report", "--baseline", baseline, "-o", "/dev/null", Self.examples[1]]),
            ("gate --waivers", gate + ["--waivers", waivers, Self.examples[1]]),
        ]
        for (command, arguments) in runs {
            let text = try ReportBinary.run(arguments).standardError
            #expect(text.contains("pwned\u{FFFD}\u{FFFD}[2J"), "\(command): \(text.debugDescription)")
            let controls = text.unicodeScalars.filter {
                ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value)
            }
            #expect(controls.isEmpty, "\(command): \(text.debugDescription)")
            for line in text.split(separator: "\n") {
                #expect(
                    ["warning: ", "error: ", "scangate ", "scangate: "].contains { line.hasPrefix($0) },
                    "\(command): \(line)")
            }
        }
    }
}
