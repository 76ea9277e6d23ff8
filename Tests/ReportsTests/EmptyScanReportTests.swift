import Findings
import Foundation
import Policy
import Reports
import ScanGateJSON
import Testing

/// Every report format shows a report that checked nothing where it shows why the decision
/// failed, under `empty-scans: fail`; under `warn` none changes.
@Suite("Reports: empty scans")
struct EmptyScanReportTests {
    static let scan = EmptyScan(report: "reports/npm-audit.json", reason: "npm audited 0 dependencies")
    static let reason =
        "reports/npm-audit.json checked nothing: npm audited 0 dependencies; empty-scans: fail (policy.yaml:3)"

    static func content(_ action: String) throws -> ReportContent {
        let policy = try PolicyLoader(readFile: { _ throws(ConfigurationError) in
            "scangate-policy: 1\nfail-on: critical\nempty-scans: \(action)\n"
        }).load(path: "policy.yaml")
        let findings = FindingSet(merging: [ReportSupport.vulnerability("CVE-2021-23337", severity: .low)])
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: policy, today: Day(year: 2026, month: 11, day: 25) ?? Day(ordinal: 0),
                emptyScans: [Self.scan]))
        return ReportContent(findings: findings, reports: [], gate: ReportSupport.gate(decision, policy: policy))
    }

    @Test func theGateCarriesThemUnderFailOnly() throws {
        let failing = try #require(try Self.content("fail").gate)
        #expect(!failing.passed)
        #expect(failing.emptyScanFailures.map(\.report) == ["reports/npm-audit.json"])
        #expect(failing.emptyScanFailures.map(\.reason) == [Self.reason])
        let warning = try #require(try Self.content("warn").gate)
        #expect(warning.passed)
        #expect(warning.emptyScanFailures.isEmpty)
    }

    @Test func markdownListsThemUnderTheSummary() throws {
        let text = MarkdownReport.render(try Self.content("fail"))
        #expect(text.contains("## ScanGate: ❌ FAIL"))
        #expect(text.contains("1 report checked nothing"))
        let summary = try #require(text.range(of: "1 report checked nothing"))
        let line = try #require(text.range(of: "- ❌ reports/npm-audit.json checked nothing"), "\(text)")
        #expect(summary.upperBound < line.lowerBound)
        #expect(!MarkdownReport.render(try Self.content("warn")).contains("- ❌"))
    }

    @Test func htmlListsThemInTheDecision() throws {
        let html = HTMLReport.render(try Self.content("fail"))
        #expect(html.contains("<span id=\"gate-decision\">FAIL</span>"))
        #expect(
            html.contains(
                "<ul id=\"empty-scans\"><li class=\"fail\">FAIL: reports/npm-audit.json checked nothing: npm audited 0 "
                    + "dependencies; empty-scans: fail (policy.yaml:3)</li></ul>"), "\(html)")
        #expect(!HTMLReport.render(try Self.content("warn")).contains("empty-scans"))
    }

    @Test func junitHasAFailingCasePerReport() throws {
        let xml = JUnitReport.render(try Self.content("fail"))
        #expect(xml.contains("<testsuites name=\"scangate\" tests=\"2\" failures=\"1\""), "\(xml)")
        #expect(xml.contains("<testsuite name=\"scangate.empty-scans\" tests=\"1\" failures=\"1\""), "\(xml)")
        #expect(
            xml.contains(
                "<testcase name=\"reports/npm-audit.json\" classname=\"scangate.empty-scans\" time=\"0\">\n"
                    + "      <failure message=\"\(Self.reason)\" type=\"empty-scan\">"), "\(xml)")
        let passing = JUnitReport.render(try Self.content("warn"))
        #expect(passing.contains("<testsuites name=\"scangate\" tests=\"1\" failures=\"0\""), "\(passing)")
        #expect(!passing.contains("empty-scans"))
    }

    @Test func theReportJSONCarriesThemInTheDecision() throws {
        let root = try JSONDocument(bytes: ReportJSON.encode(try Self.content("fail"))).root
        let decision = try #require(try root.object("decision"))
        #expect(try decision.string("decision") == "fail")
        let scans = try #require(try decision.array("emptyScans"))
        #expect(try scans.map { try $0.string("text") } == [Self.reason])
        #expect(try scans.map { try $0.string("verdict") } == ["fail"])
    }
}
