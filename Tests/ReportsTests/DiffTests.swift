import Findings
import Foundation
import Policy
import Reports
import ScanGateJSON
import Testing

@Suite("Diff by fingerprint")
struct DiffTests {
    /// What the gate judged new against the same baseline (its waiver expired since) is new in
    /// the reports too, not unchanged: the PR comment must not call the failing finding old.
    @Test func aFindingTheGateJudgedNewAgainIsNew() throws {
        let lodash = ReportSupport.vulnerability("CVE-2021-23337", severity: .high)
        let previous = try ReportSupport.snapshot([lodash])
        let policy = try PolicyLoader(readFile: { _ throws(ConfigurationError) in
            "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n"
        }).load(path: "policy.yaml")
        let waivers = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-23337
                reason: not reachable
                approved-by: security@example.org
                expires: 2026-11-20

            """, file: "waivers.yaml")
        let findings = FindingSet(merging: [lodash])
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: policy, waivers: [waivers], baseline: previous.baseline,
                today: Day(year: 2026, month: 11, day: 25) ?? Day(ordinal: 0)))
        #expect(decision.verdicts.first?.isNew == true)
        let diff = BaselineDiff(previous: previous, current: findings, judgedBy: policy, decision: decision)
        #expect(diff.new.map(\.id) == ["CVE-2021-23337"])
        #expect(diff.unchanged.isEmpty)
        // Without the decision, the same finding is unchanged (the diff alone knows no waivers).
        #expect(BaselineDiff(previous: previous, current: findings, judgedBy: policy).unchanged.count == 1)
    }

    /// The table's header and summary lines are printable too, as its entry lines were: a file
    /// name, or a tool name the summary quotes, with an escape sequence or a line break erased
    /// or forged lines on the terminal (found by a review).
    @Test func theDiffTableHasNoControlCharacterButItsLineBreaks() throws {
        let gone = ReportSupport.vulnerability("CVE-2020-8203", severity: .critical)
        let diff = BaselineDiff(previous: try ReportSupport.snapshot([gone]), current: FindingSet(merging: []))
        let table = DiffText.table(diff, current: "now\u{1B}[1A\u{1B}[2K\r\nFORGED 0 new.json")
        let controls = table.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || $0.value == 0x7F) }
        #expect(controls.isEmpty, "\(table.debugDescription)")
        #expect(
            table.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("FORGED") }.isEmpty)
    }

    @Test func newFixedAndUnchangedOnConstructedBaselines() throws {
        let kept = ReportSupport.vulnerability("CVE-2021-23337", severity: .high)
        let gone = ReportSupport.vulnerability("CVE-2020-8203", severity: .critical)
        let added = ReportSupport.vulnerability("CVE-2024-0001", package: "qs", version: "6.5.2", severity: .medium)
        let previous = try ReportSupport.snapshot([kept, gone])
        let diff = BaselineDiff(previous: previous, current: FindingSet(merging: [kept, added]))
        #expect(diff.new.map(\.id) == ["CVE-2024-0001"])
        #expect(diff.fixed.map(\.id) == ["CVE-2020-8203"])
        #expect(diff.unchanged.map(\.id) == ["CVE-2021-23337"])
        #expect(diff.fixed.first?.title == "title of CVE-2020-8203")
        #expect(diff.fixed.first?.subject == "lodash 4.17.15")
        #expect(diff.isNew(added.fingerprint) && !diff.isNew(kept.fingerprint))
        #expect(diff.baselineFile == "previous.json")
    }

    /// The risk a baseline accepted was the finding at its severity then: more severe now, it is
    /// new (with the severity it had), not unchanged; less severe now, it is unchanged, not fixed.
    @Test func aFindingMoreSevereThanInTheBaselineIsNew() throws {
        let before = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .low)
        let now = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .critical)
        let rose = BaselineDiff(previous: try ReportSupport.snapshot([before]), current: FindingSet(merging: [now]))
        #expect(rose.new.map(\.id) == ["CVE-2021-44906"])
        #expect(rose.new.first?.previousSeverity == .low)
        #expect(rose.unchanged.isEmpty && rose.fixed.isEmpty)
        #expect(DiffText.table(rose, current: "now").contains("critical vulnerability CVE-2021-44906 (was low)"))
        #expect(DiffText.table(rose, current: "now").contains("(was low)"))
        let json = String(decoding: DiffJSON.encode(rose, current: "now"), as: UTF8.self)
        #expect(json.contains(#""previousSeverity":"low""#) || json.contains(#""previousSeverity": "low""#), "\(json)")

        let fell = BaselineDiff(previous: try ReportSupport.snapshot([now]), current: FindingSet(merging: [before]))
        #expect(fell.unchanged.map(\.id) == ["CVE-2021-44906"])
        #expect(fell.new.isEmpty && fell.fixed.isEmpty)
    }

    @Test func stableWhenLineNumbersAndTagsMove() throws {
        let before = [
            ReportSupport.misconfiguration("DS-0002", path: "Dockerfile", line: 3, tag: "1.0.0"),
            ReportSupport.misconfiguration("KSV-0001", path: "deploy.yaml", line: 10, tag: "1.0.0"),
            ReportSupport.vulnerability("CVE-2021-23337", line: 120),
        ]
        let after = [
            ReportSupport.misconfiguration("DS-0002", path: "Dockerfile", line: 42, tag: "2.3.1"),
            ReportSupport.misconfiguration("KSV-0001", path: "deploy.yaml", line: 11, tag: "sha-abc"),
            ReportSupport.vulnerability("CVE-2021-23337", line: 999),
        ]
        // The constructed findings really differ in lines and tags…
        #expect(before[0].locations != after[0].locations)
        #expect(before[0].locations.first?.image?.tag != after[0].locations.first?.image?.tag)
        // …and are still the same findings.
        let diff = BaselineDiff(previous: try ReportSupport.snapshot(before), current: FindingSet(merging: after))
        #expect(diff.new.isEmpty)
        #expect(diff.fixed.isEmpty)
        #expect(diff.unchanged.count == 3)
    }

    @Test func aMovedFileIsFixedAndNewButAMovedLineIsNot() throws {
        let before = [ReportSupport.misconfiguration("DS-0002", path: "Dockerfile", line: 3, tag: "1")]
        let after = [ReportSupport.misconfiguration("DS-0002", path: "build/Dockerfile", line: 3, tag: "1")]
        let diff = BaselineDiff(previous: try ReportSupport.snapshot(before), current: FindingSet(merging: after))
        #expect(diff.new.count == 1)
        #expect(diff.fixed.count == 1)
        #expect(diff.unchanged.isEmpty)
    }

    @Test func suppressionCountsAsFixedAndUnsuppressionAsNew() throws {
        let open = ReportSupport.vulnerability("CVE-2021-23337")
        let nowSuppressed = ReportSupport.vulnerability("CVE-2021-23337", suppressed: true)
        let wasSuppressed = ReportSupport.vulnerability("CVE-2022-1111", suppressed: true)
        let nowOpen = ReportSupport.vulnerability("CVE-2022-1111")
        let diff = BaselineDiff(
            previous: try ReportSupport.snapshot([open, wasSuppressed]),
            current: FindingSet(merging: [nowSuppressed, nowOpen]))
        #expect(diff.fixed.map(\.id) == ["CVE-2021-23337"])
        #expect(diff.fixed.first?.suppressed == true)
        #expect(diff.new.map(\.id) == ["CVE-2022-1111"])
    }

    /// Every format of `scangate diff` says that a fixed finding is only suppressed by a tool now.
    @Test func everyDiffFormatSaysAFixedFindingIsNowSuppressed() throws {
        let diff = BaselineDiff(
            previous: try ReportSupport.snapshot([ReportSupport.vulnerability("CVE-2021-23337")]),
            current: FindingSet(merging: [ReportSupport.vulnerability("CVE-2021-23337", suppressed: true)]))
        #expect(DiffText.table(diff, current: "now.json").contains("(now suppressed by a tool)"))
        let json = try JSONDocument(bytes: DiffJSON.encode(diff, current: "now.json"))
        #expect(try json.root.array("fixed")?.first?.bool("suppressedNow") == true)
        let markdown = DiffText.markdown(diff)
        let row = markdown.split(separator: "\n").first { $0.contains("CVE-2021-23337") } ?? ""
        #expect(row.contains("_(now suppressed by a tool)_"), "\(markdown)")
        // Still one cell per column.
        #expect(row.filter { $0 == "|" }.count == 6)
        // A fixed finding no tool reports any more says nothing of the kind.
        let gone = BaselineDiff(
            previous: try ReportSupport.snapshot([ReportSupport.vulnerability("CVE-2021-23337")]),
            current: FindingSet(merging: []))
        #expect(!DiffText.markdown(gone).contains("suppressed"))
    }

    @Test func mostSevereFirst() throws {
        let findings = [
            ReportSupport.vulnerability("CVE-2024-0003", severity: .low),
            ReportSupport.vulnerability("CVE-2024-0001", severity: .critical),
            ReportSupport.vulnerability("CVE-2024-0002", severity: .medium),
        ]
        let diff = BaselineDiff(previous: try ReportSupport.snapshot([]), current: FindingSet(merging: findings))
        #expect(diff.new.map(\.severity) == [.critical, .medium, .low])
    }

    @Test func readsReportDocumentsAndRefusesOthers() throws {
        let finding = ReportSupport.vulnerability("CVE-2021-23337")
        let content = ReportContent(findings: FindingSet(merging: [finding]), reports: [])
        let report = ReportJSON.encode(content)
        let snapshot = try FindingsSnapshot.read(bytes: report, file: "report.json")
        #expect(snapshot.entries.map(\.fingerprint) == [finding.fingerprint])

        #expect(throws: FindingsJSONReader.ReadError.self) {
            try FindingsSnapshot.read(bytes: Array(#"{"schema": "scangate-gate/1"}"#.utf8), file: "gate.json")
        }
        #expect(throws: FindingsJSONReader.ReadError.self) {
            try FindingsSnapshot.read(bytes: Array("not json".utf8), file: "x.json")
        }
    }

    /// A report's decision says which findings the run only waived: one without the key, of
    /// another schema, with a verdict ScanGate does not write, or listing no verdict for a
    /// finding (an edited or cut file) is refused, not read as "nothing was waived".
    @Test func aReportsDecisionIsCheckedBeforeItIsTrusted() throws {
        let finding = ReportSupport.vulnerability("CVE-2021-23337", severity: .high)
        let findings = FindingSet(merging: [finding])
        let policy = try PolicyLoader(readFile: { _ throws(ConfigurationError) in
            "scangate-policy: 1\nfail-on: critical\n"
        }).load(path: "policy.yaml")
        let decision = Gate.evaluate(
            GateInput(findings: findings, policy: policy, today: Day(year: 2026, month: 11, day: 25) ?? Day(ordinal: 0))
        )
        let written = String(
            decoding: ReportJSON.encode(
                ReportContent(findings: findings, reports: [], gate: ReportSupport.gate(decision, policy: policy))),
            as: UTF8.self)
        #expect(try FindingsSnapshot.read(bytes: Array(written.utf8), file: "report.json").verdicts?.isEmpty == false)
        let decisionStart = try #require(written.range(of: #""decision": {"#))
        let (beforeDecision, afterDecision) = (
            String(written[..<decisionStart.lowerBound]), String(written[decisionStart.lowerBound...])
        )
        #expect(afterDecision.contains(finding.fingerprint))
        let verdict = #""verdict": "pass""#
        #expect(written.contains(verdict))
        let edits = [
            (
                "a verdict ScanGate does not write",
                written.replacingOccurrences(of: verdict, with: #""verdict": "WAIVED""#)
            ),
            (
                "another decision schema",
                written.replacingOccurrences(of: #""schema": "scangate-gate/1""#, with: #""schema": "scangate-gate/9""#)
            ),
            (
                "no verdict for a finding",
                beforeDecision
                    + afterDecision.replacingOccurrences(
                        of: finding.fingerprint, with: String(repeating: "0", count: 64))
            ),
        ]
        for (name, edited) in edits {
            #expect(throws: FindingsJSONReader.ReadError.self, "\(name)") {
                try FindingsSnapshot.read(bytes: Array(edited.utf8), file: "report.json")
            }
        }
        // The key is always written (null without a policy): a report without it is refused.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        object["decision"] = nil
        let withoutDecision = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: FindingsJSONReader.ReadError.self) {
            try FindingsSnapshot.read(bytes: Array(withoutDecision), file: "report.json")
        }
        object["decision"] = NSNull()
        let nullDecision = try JSONSerialization.data(withJSONObject: object)
        #expect(try FindingsSnapshot.read(bytes: Array(nullDecision), file: "report.json").verdicts == nil)
    }

    @Test func aFingerprintScanGateDidNotWriteIsRefusedWithWhereItIs() throws {
        let finding = ReportSupport.vulnerability("CVE-2021-23337")
        let written = String(decoding: FindingsJSON.encode(FindingSet(merging: [finding]), reports: []), as: UTF8.self)
        for bad in [
            String(finding.fingerprint.dropLast()), finding.fingerprint.uppercased(),
            "x" + finding.fingerprint.dropFirst(),
        ] {
            let edited = written.replacingOccurrences(of: finding.fingerprint, with: bad)
            #expect {
                try FindingsSnapshot.read(bytes: Array(edited.utf8), file: "baseline.json")
            } throws: { error in
                let message = (error as? FindingsJSONReader.ReadError)?.description ?? ""
                return message.hasPrefix("baseline.json:") && message.contains("$.findings[0].fingerprint")
                    && message.contains("64 lower-case hex digits")
            }
        }
        #expect(try FindingsSnapshot.read(bytes: Array(written.utf8), file: "baseline.json").entries.count == 1)
    }

    /// A kind, rating severity or CVSS version ScanGate does not write is refused where it is,
    /// not dropped: a dropped rating would have the baseline judged as another finding.
    @Test func aValueScanGateDoesNotWriteIsRefusedWithWhereItIs() throws {
        let finding = ReportSupport.vulnerability("CVE-2021-23337", severity: .high)
        let written = String(decoding: FindingsJSON.encode(FindingSet(merging: [finding]), reports: []), as: UTF8.self)
        // The rating's severity: the first after "ratings" (the finding's own comes before).
        let ratings = try #require(written.range(of: #""ratings""#))
        let ratingSeverity = try #require(
            written.range(of: #""severity": "high""#, range: ratings.upperBound..<written.endIndex))
        let edits: [(String, String)] = [
            (
                written.replacingOccurrences(of: #""kind": "vulnerability""#, with: #""kind": "vuln""#),
                "unknown kind \"vuln\" at $.findings[0].kind"
            ),
            (
                written.replacingCharacters(in: ratingSeverity, with: #""severity": "severe""#),
                "unknown severity \"severe\" at $.findings[0].ratings[0].severity"
            ),
        ]
        for (edited, words) in edits {
            #expect(edited != written)
            #expect {
                try FindingsSnapshot.read(bytes: Array(edited.utf8), file: "baseline.json")
            } throws: { error in
                let message = (error as? FindingsJSONReader.ReadError)?.description ?? ""
                return message.hasPrefix("baseline.json:") && message.contains(words)
            }
        }
    }

    @Test func diffOutputs() throws {
        let before = [ReportSupport.vulnerability("CVE-2020-8203", severity: .critical)]
        let after = [ReportSupport.vulnerability("CVE-2024-0001", title: "a | b `c` <script>")]
        let diff = BaselineDiff(previous: try ReportSupport.snapshot(before), current: FindingSet(merging: after))
        let json = try JSONDocument(bytes: DiffJSON.encode(diff, current: "current.json"))
        #expect(try json.root.string("schema") == DiffJSON.schema)
        #expect(try json.root.object("summary")?.int("new") == 1)
        #expect(try json.root.array("fixed")?.first?.bool("suppressedNow") == false)
        let table = DiffText.table(diff, current: "current.json")
        #expect(table.contains("1 new, 1 fixed, 0 unchanged"))
        #expect(table.contains("NEW    high     vulnerability CVE-2024-0001"))
        let markdown = DiffText.markdown(diff)
        #expect(markdown.contains("a \\| b \\`c\\` &lt;script&gt;"))
        #expect(!markdown.contains("<script>"))
    }
}
