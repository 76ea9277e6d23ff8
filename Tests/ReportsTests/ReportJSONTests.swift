import Findings
import Foundation
import Reports
import ScanGateJSON
import Testing

@Suite("Report JSON")
struct ReportJSONTests {
    @Test func wrapsTheFindingsDocumentIntact() throws {
        let findings = [
            ReportSupport.vulnerability(
                "CVE-2021-23337", references: ["https://nvd.nist.gov/vuln/detail/CVE-2021-23337"]),
            ReportSupport.vulnerability("CVE-2020-8203", severity: .critical, suppressed: true),
        ]
        let set = FindingSet(merging: findings)
        let reports = [
            ReportSummary(
                file: "trivy.json", format: "trivy", variant: "fs", tool: "trivy", toolVersion: "0.50.0",
                findingCount: 2, suppressedCount: 1, warnings: ["w"])
        ]
        // Open in the previous run, suppressed by a tool now: fixed, and says so.
        let previous = try ReportSupport.snapshot([ReportSupport.vulnerability("CVE-2020-8203", severity: .critical)])
        let content = ReportContent(
            findings: set, reports: reports, diff: BaselineDiff(previous: previous, current: set), date: "2026-03-01")
        let bytes = ReportJSON.encode(content)
        let document = try JSONDocument(bytes: bytes)
        let root = document.root
        #expect(root.members.map(\.key) == ["schema", "date", "findings", "diff", "decision"])
        #expect(try root.string("schema") == "scangate-report/1")
        #expect(try root.string("date") == "2026-03-01")
        #expect(root["decision"]?.isNull == true)

        // The findings member is, value for value, what ingest writes.
        let ingest = try JSONDocument(bytes: FindingsJSON.encode(set, reports: reports))
        let embedded = try #require(root["findings"])
        #expect(Self.canonical(embedded) == Self.canonical(ingest.root))

        let diff = try #require(try root.object("diff"))
        #expect(try diff.string("baseline") == "previous.json")
        #expect(try diff.object("summary")?.int("new") == 1)
        #expect(try diff.object("summary")?.int("fixed") == 1)
        #expect(try diff.array("fixed")?.first?.bool("suppressedNow") == true)
        // Deterministic.
        #expect(ReportJSON.encode(content) == bytes)
    }

    @Test func embedsTheDecision() throws {
        let decision = Array(
            #"{"schema": "scangate-gate/1", "decision": "fail", "counts": {"fail": 2}, "x": 7.5}"#.utf8)
        let gate = ReportGate(
            passed: false, summary: "FAIL", policyFile: "p.yaml", environment: "e", date: "2026-03-01", outcomes: [:],
            counts: [:], waivers: [], expiringWithinDays: 14, warnings: [], decisionJSON: decision)
        let content = ReportContent(findings: FindingSet(merging: []), reports: [], gate: gate)
        let root = try JSONDocument(bytes: ReportJSON.encode(content)).root
        let embedded = try #require(try root.object("decision"))
        #expect(try embedded.string("schema") == "scangate-gate/1")
        #expect(try embedded.object("counts")?.int("fail") == 2)
        #expect(try embedded.double("x") == 7.5)
    }

    /// A canonical text form of a JSON value, for comparing documents written with different indentation.
    static func canonical(_ value: JSONValue) -> String {
        switch value.kind {
        case .object: return "{" + value.members.map { "\($0.key):\(canonical($0.value))" }.joined(separator: ",") + "}"
        case .array: return "[" + value.elements.map(canonical).joined(separator: ",") + "]"
        case .string: return "\"" + (value.stringValue ?? "") + "\""
        default: return value.rawText
        }
    }
}
