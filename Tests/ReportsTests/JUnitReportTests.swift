import Findings
import Foundation
import Reports
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("Report JUnit XML")
struct JUnitReportTests {
    static func content(withGate: Bool) -> ReportContent {
        let findings = [
            ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", version: "1.2.5", severity: .critical),
            ReportSupport.vulnerability(
                "CVE-2021-23337", severity: .high, tool: "npm-audit",
                title: "quote \" apostrophe ' <tag> & ]]> \u{01} control \u{FFFE}"),
            ReportSupport.vulnerability("CVE-2020-8203", severity: .medium),
            ReportSupport.vulnerability("CVE-2019-1010266", severity: .low),
            ReportSupport.vulnerability("CVE-2018-3721", severity: .low, suppressed: true),
        ]
        let set = FindingSet(merging: findings)
        guard withGate else { return ReportContent(findings: set, reports: []) }
        let outcomes: [String: ReportGate.Outcome] = [
            findings[0].fingerprint: .fail, findings[1].fingerprint: .waived, findings[2].fingerprint: .warn,
            findings[3].fingerprint: .pass, findings[4].fingerprint: .suppressedByTool,
        ]
        let gate = ReportGate(
            passed: false, summary: "FAIL", policyFile: "staging.yaml", environment: "staging", date: "2026-03-01",
            outcomes: outcomes.mapValues {
                ReportGate.FindingOutcome(
                    outcome: $0, reason: "because <reasons> & \"quotes\"", severity: .high, isNew: true)
            }, counts: [:], waivers: [], expiringWithinDays: 14, warnings: [], decisionJSON: [])
        return ReportContent(findings: set, reports: [], gate: gate)
    }

    /// Checks the shape CI reporters read and returns (tests, failures, skipped) of the root.
    static func validate(_ xml: String) throws -> (tests: Int, failures: Int, skipped: Int) {
        let document = try XMLDocument(data: Data(xml.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        func count(_ element: XMLElement, _ name: String) throws -> Int {
            let text = try #require(element.attribute(forName: name)?.stringValue, "\(element.name ?? "") has \(name)")
            return try #require(Int(text))
        }
        var totals = (tests: 0, failures: 0, skipped: 0)
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == root.children?.count)
        for suite in suites {
            #expect(suite.attribute(forName: "name")?.stringValue?.isEmpty == false)
            let cases = suite.elements(forName: "testcase")
            let failures = cases.count { !$0.elements(forName: "failure").isEmpty }
            let skipped = cases.count { !$0.elements(forName: "skipped").isEmpty }
            #expect(try count(suite, "tests") == cases.count)
            #expect(try count(suite, "failures") == failures)
            #expect(try count(suite, "skipped") == skipped)
            #expect(try count(suite, "errors") == 0)
            for element in suite.children?.compactMap({ $0 as? XMLElement }) ?? [] {
                #expect(["properties", "testcase"].contains(element.name ?? ""))
            }
            for testCase in cases {
                #expect(testCase.attribute(forName: "name")?.stringValue?.isEmpty == false)
                #expect(testCase.attribute(forName: "classname")?.stringValue?.hasPrefix("scangate.") == true)
                let children = testCase.children?.compactMap { $0 as? XMLElement } ?? []
                #expect(children.count <= 1)
                for child in children {
                    #expect(["failure", "skipped", "system-out"].contains(child.name ?? ""))
                    #expect(child.name == "system-out" || child.attribute(forName: "message") != nil)
                    if child.name == "failure" { #expect(child.attribute(forName: "type") != nil) }
                }
            }
            totals.tests += cases.count
            totals.failures += failures
            totals.skipped += skipped
        }
        #expect(try count(root, "tests") == totals.tests)
        #expect(try count(root, "failures") == totals.failures)
        #expect(try count(root, "skipped") == totals.skipped)
        #expect(try count(root, "errors") == 0)
        return totals
    }

    @Test func withoutAGateOpenFindingsFailAndSuppressedOnesAreSkipped() throws {
        let xml = JUnitReport.render(Self.content(withGate: false))
        let totals = try Self.validate(xml)
        #expect(totals.tests == 5)
        #expect(totals.failures == 4)
        #expect(totals.skipped == 1)
        #expect(xml.contains("<testsuite name=\"npm-audit\""))
        #expect(xml.contains("<testsuite name=\"trivy\""))
    }

    @Test func withAGateFailuresAreWhereTheGateFails() throws {
        let xml = JUnitReport.render(Self.content(withGate: true))
        let totals = try Self.validate(xml)
        #expect(totals.tests == 5)
        #expect(totals.failures == 1)
        #expect(totals.skipped == 2)
        #expect(xml.contains("<property name=\"decision\" value=\"fail\"/>"))
        // Scanner text is escaped, including what XML cannot carry at all.
        #expect(xml.contains("quote &quot; apostrophe &#39; &lt;tag&gt; &amp; ]]&gt; \u{FFFD} control \u{FFFD}"))
        #expect(!xml.contains("\u{01}"))
    }

    /// A report whose reader warned (a scan that checked nothing, a part of it that failed) is a
    /// skipped case of its own, with or without a decision: `tests="0"` would read as clean.
    @Test func reportsThatWarnAreSkippedCases() throws {
        let empty = ReportSummary(
            file: "reports/zap.xml", format: "zap", variant: "xml", tool: "zap", toolVersion: nil, findingCount: 0,
            suppressedCount: 0, warnings: ["ZAP reported no alert <at all> & \"nothing\" was checked", "second"])
        let quiet = ReportSummary(
            file: "reports/trivy.json", format: "trivy", variant: "fs", tool: "trivy", toolVersion: nil,
            findingCount: 5, suppressedCount: 1, warnings: [])
        for withGate in [false, true] {
            var content = Self.content(withGate: withGate)
            content.reports = [empty, quiet]
            let xml = JUnitReport.render(content)
            let totals = try Self.validate(xml)
            #expect(totals.tests == 6)
            #expect(totals.skipped == (withGate ? 3 : 2))
            #expect(xml.contains("<testsuite name=\"scangate.report-warnings\" tests=\"1\" failures=\"0\""), "\(xml)")
            #expect(
                xml.contains(
                    "<testcase name=\"reports/zap.xml\" classname=\"scangate.report-warnings\" time=\"0\">\n"
                        + "      <skipped message=\"ZAP reported no alert &lt;at all&gt; &amp; &quot;nothing&quot; was "
                        + "checked (and 1 more warning)\">"), "\(xml)")
            #expect(!xml.contains("reports/trivy.json"))
        }
        let document = try XMLDocument(
            data: Data(JUnitReport.render(ReportContent(findings: FindingSet(merging: []), reports: [empty])).utf8))
        let skipped = try document.nodes(forXPath: "//skipped").compactMap(\.stringValue)
        #expect(skipped == ["ZAP reported no alert <at all> & \"nothing\" was checked\nsecond"])
    }

    /// The gate's own warnings (signatures not verified, a waiver about to expire) are skipped
    /// cases of their own, after the reports' warnings, which are not repeated there.
    @Test func gateWarningsAreSkippedCasesAndReportWarningsAreNotRepeated() throws {
        let empty = ReportSummary(
            file: "reports/zap.xml", format: "zap", variant: "xml", tool: "zap", toolVersion: nil, findingCount: 0,
            suppressedCount: 0, warnings: ["ZAP reported no alert"])
        var content = Self.content(withGate: true)
        content.reports = [empty]
        let signatures = "image signatures were not verified: run scangate release-gate before <production> & tags"
        let expiring = "waiver W-7 expires in 3 days"
        content.gate?.warnings = ["reports/zap.xml: ZAP reported no alert", signatures, expiring, expiring]
        let xml = JUnitReport.render(content)
        let totals = try Self.validate(xml)
        #expect(totals.tests == 8)
        #expect(totals.skipped == 5)
        #expect(xml.contains("<testsuite name=\"scangate.gate-warnings\" tests=\"2\" failures=\"0\""), "\(xml)")
        let document = try XMLDocument(data: Data(xml.utf8))
        let gateCases = try document.nodes(forXPath: "//testcase[@classname='scangate.gate-warnings']")
            .compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(gateCases == [signatures, expiring])
        #expect(
            try document.nodes(forXPath: "//testsuite[last()]/@name").first?.stringValue == "scangate.gate-warnings")

        content.gate?.warnings = []
        #expect(!JUnitReport.render(content).contains("scangate.gate-warnings"))
    }

    /// GitLab and other reporters key a case by class name and name as they read them, after
    /// control and bidirectional characters became U+FFFD: rule ids and tool names that differ
    /// only in those must still give distinct cases, or one finding hides another.
    @Test func casesDifferingOnlyInControlCharactersStayDistinct() throws {
        func sast(_ id: String, tool: String = "scanner", title: String, severity: Severity) -> Finding {
            Finding(
                kind: .codeIssue, ruleID: id, title: title,
                ratings: [SeverityRating(source: tool, severity: severity, isToolVerdict: true)],
                locations: [Location(path: "app.py", startLine: 3)],
                provenance: [Provenance(tool: tool, reportFile: "scan.sarif", rawID: id)],
                identity: FindingIdentity(
                    kind: .codeIssue, scope: FindingIdentity.sourceScope, subject: [id, "app.py", tool])
            ).finalized()
        }
        let findings = [
            sast("R\u{01}", title: "Hardcoded secret", severity: .high),
            sast("R\u{02}", title: "Hardcoded secret", severity: .high),
            sast("S\u{202E}", title: "SQL injection", severity: .high),
            sast("S\u{202D}", title: "SQL injection", severity: .low),
            // Two suites whose names show alike: the class names are the same text.
            sast("T", tool: "lint\u{01}", title: "Unused import", severity: .low),
            sast("T", tool: "lint\u{02}", title: "Unused import", severity: .low),
        ]
        let xml = JUnitReport.render(ReportContent(findings: FindingSet(merging: findings), reports: []))
        #expect(try Self.validate(xml).tests == 6)
        let document = try XMLDocument(data: Data(xml.utf8))
        let cases = try document.nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }.map {
            "\($0.attribute(forName: "classname")?.stringValue ?? "") \($0.attribute(forName: "name")?.stringValue ?? "")"
        }
        #expect(cases.count == 6)
        #expect(Set(cases).count == 6, "\(cases)")
        #expect(
            cases.contains(
                "scangate.scanner.code-issue R\u{FFFD} app.py:3: Hardcoded secret [\(findings[0].fingerprint.prefix(12))]"
            ))
    }

    /// A case lists the first locations and references (Trivy's CVE-2011-3389 in libgnutls30 has
    /// 90 references) and says how many it left out, never cutting the list unsaid.
    @Test func aCaseSaysHowManyLocationsAndReferencesItLeavesOut() throws {
        var many = ReportSupport.vulnerability(
            "CVE-2011-3389", package: "libgnutls30", version: "3.7.9",
            references: (1...90).map { "https://example.org/ref/" + String(format: "%02d", $0) })
        many.locations = (1...15).map { Location(path: "layer" + String(format: "%02d", $0) + "/usr/lib/libgnutls.so") }
        let exact = ReportSupport.vulnerability(
            "CVE-2020-8203", references: (1...10).map { "https://example.org/exact/" + String(format: "%02d", $0) })
        let xml = JUnitReport.render(ReportContent(findings: FindingSet(merging: [many, exact]), reports: []))
        let document = try XMLDocument(data: Data(xml.utf8))
        let bodies = try document.nodes(forXPath: "//failure").compactMap(\.stringValue)
        let manyBody = try #require(bodies.first { $0.contains("CVE-2011-3389") })
        #expect(manyBody.contains("https://example.org/ref/10\n"))
        #expect(!manyBody.contains("https://example.org/ref/11\n"))
        #expect(manyBody.contains("layer10/usr/lib/libgnutls.so"))
        #expect(!manyBody.contains("layer11/"))
        #expect(manyBody.contains("\n… and 5 more locations are in the findings JSON.\n"), "\(manyBody)")
        #expect(manyBody.contains("\n… and 80 more references are in the findings JSON.\n"), "\(manyBody)")
        let exactBody = try #require(bodies.first { $0.contains("CVE-2020-8203") })
        #expect(exactBody.contains("https://example.org/exact/10\n"))
        #expect(!exactBody.contains(" more "), "\(exactBody)")
    }

    @Test func corpusJUnitParses() throws {
        let paths =
            ReportSupport.corpusFiles(["trivy", "npm-audit", "zap", "sarif"])
            + ["fixtures/examples/trivy-fs.json", "fixtures/reports/hostile.sarif", "fixtures/reports/hostile-zap.xml"]
            .map(ReportSupport.path)
        let reports = ReportSupport.readable(paths)
        let set = FindingSet(merging: reports.flatMap(\.findings))
        let summaries = reports.map(ReportSupport.summary)
        let totals = try Self.validate(JUnitReport.render(ReportContent(findings: set, reports: summaries)))
        #expect(totals.tests == set.all.count + summaries.count { !$0.warnings.isEmpty })
        #expect(totals.failures == set.open.count)
    }
}
