import Findings
import Foundation
import Reports
import Testing

@Suite("Report Markdown")
struct MarkdownReportTests {
    /// 100,000 findings, half of them new, with hostile titles and a gate that fails many.
    static func hugeContent() -> ReportContent {
        let severities: [Severity] = [.critical, .high, .medium, .low, .info, .unknown]
        var findings: [Finding] = []
        findings.reserveCapacity(100_000)
        for index in 0..<100_000 {
            findings.append(
                ReportSupport.vulnerability(
                    "CVE-2024-\(10_000 + index)", package: "pkg-\(index % 997)", version: "1.\(index % 13).0",
                    severity: severities[index % severities.count], tool: index % 3 == 0 ? "npm-audit" : "trivy",
                    title: "Title | with `code` <script>alert(\(index))</script> @team #\(index) [x](javascript:y) "
                        + String(repeating: "long ", count: 60),
                    references: ["https://example.com/advisory/\(index)?a=(1)"]))
        }
        let set = FindingSet(merging: findings)
        let previous = set.all.enumerated().filter { $0.offset % 2 == 0 }.map { DiffEntry($0.element) }
        let diff = BaselineDiff(previous: previous, current: set.all.map(DiffEntry.init), baselineFile: "prev.json")
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for finding in set.all {
            outcomes[finding.fingerprint] = ReportGate.FindingOutcome(
                outcome: finding.severity >= .high ? .fail : .warn, reason: "threshold", severity: finding.severity,
                isNew: diff.isNew(finding.fingerprint))
        }
        let gate = ReportGate(
            passed: false, summary: "FAIL: many", policyFile: "policies/staging.yaml", environment: "staging",
            date: "2026-03-01", outcomes: outcomes, counts: [.fail: 50_000], waivers: [], expiringWithinDays: 14,
            warnings: (0..<5000).map { "warning \($0) <b>|</b>" }, decisionJSON: [])
        return ReportContent(
            findings: set, reports: [], diff: diff, gate: gate, date: "2026-03-01",
            fullReportLocation: "https://ci.example.com/runs/42/artifacts")
    }

    @Test func alwaysUnderGitHubsLimitForOneHundredThousandFindings() {
        let content = Self.hugeContent()
        let markdown = MarkdownReport.render(content, marker: MarkdownReport.commentMarker)
        #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
        #expect(markdown.count <= 65_536)
        #expect(markdown.utf16.count <= 65_536)
        #expect(markdown.hasPrefix(MarkdownReport.commentMarker + "\n"))
        #expect(markdown.contains("## ScanGate: ❌ FAIL"))
        // It says what was left out, and where everything is.
        #expect(markdown.contains("of 100000 open findings are not shown"))
        #expect(markdown.contains("[the full report](https://ci.example.com/runs/42/artifacts)"))
        // New findings come first, most severe first.
        let newHeading = markdown.range(of: "### New findings (50000)")
        #expect(newHeading != nil)
        if let newHeading {
            let firstRow = markdown[newHeading.upperBound...].split(separator: "\n").dropFirst(2).first ?? ""
            #expect(firstRow.hasPrefix("| **critical** |"))
        }
        // Scanner text is escaped: no HTML, no table breakouts, no mentions, no javascript links.
        #expect(!markdown.contains("<script>"))
        #expect(!markdown.contains("@team"))
        #expect(!markdown.contains("](javascript:"))
        #expect(!markdown.contains("Title | with"))
        // Every table row has exactly the columns of its header.
        for line in markdown.split(separator: "\n") where line.hasPrefix("| **") {
            let unescapedPipes = line.indices.filter { index in
                line[index] == "|" && (index == line.startIndex || line[line.index(before: index)] != "\\")
            }
            #expect(unescapedPipes.count == 7, "\(line)")
        }
    }

    @Test func smallReportsAreWhole() {
        let findings = [
            ReportSupport.vulnerability("CVE-2021-23337", title: "Command Injection in lodash"),
            ReportSupport.vulnerability("CVE-2020-8203", severity: .critical, suppressed: true),
        ]
        let content = ReportContent(findings: FindingSet(merging: findings), reports: [])
        let markdown = MarkdownReport.render(content)
        #expect(markdown.contains("## ScanGate findings"))
        #expect(markdown.contains("| 0 | 1 | 0 | 0 | 0 | 0 | 1 | 1 |"))
        #expect(markdown.contains("### Open findings (1)"))
        #expect(markdown.contains("CVE\\-2021\\-23337") == false)
        #expect(markdown.contains("CVE-2021-23337"))
        #expect(!markdown.contains("are not shown"))
        // The suppressed finding is listed, not only counted.
        #expect(markdown.contains("<details><summary>Findings suppressed by tools (1: 1 critical)</summary>"))
        #expect(markdown.contains("CVE-2020-8203"))
        #expect(!markdown.contains("not listed"))
        // The per-tool counts need not add up to the open count, and the line says why.
        #expect(markdown.contains("By tool: trivy 1 (a finding several tools reported counts for each)"))
    }

    /// A `.trivyignore` entry, a VEX statement or a `nosemgrep` added in a pull request must not
    /// make a critical finding vanish from the comment the reviewer reads: every suppressed
    /// finding is listed with its severity, package and who suppressed it and why, most severe
    /// first, in a section whose summary counts them by severity.
    @Test func findingsSuppressedByToolsAreListedWithWhoSuppressedThemAndWhy() throws {
        var vexed = ReportSupport.vulnerability(
            "CVE-2099-0001", package: "debug", version: "3.0.1", severity: .critical)
        vexed.suppression = Suppression(
            source: "./vex.json", status: "not_affected", statement: "vulnerable_code_not_in_execute_path")
        let findings = [
            ReportSupport.vulnerability("CVE-2099-0002", package: "left-pad", severity: .low),
            ReportSupport.vulnerability("CVE-2099-0003", package: "ms", severity: .low, suppressed: true),
            vexed.finalized(),
        ]
        let markdown = MarkdownReport.render(
            ReportContent(findings: FindingSet(merging: findings), reports: []), marker: MarkdownReport.commentMarker)
        let section = try #require(
            markdown.range(of: "<details><summary>Findings suppressed by tools (2: 1 critical, 1 low)</summary>"),
            "\(markdown)")
        let rows = markdown[section.upperBound...].split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.count == 2)
        #expect(
            rows.first.map(String.init)
                == "| **critical** | CVE-2099-0001 | debug 3.0.1 → 9.9.9 | title of CVE-2099-0001 | trivy | "
                + "./vex.json \\(not\\_affected\\)\\: vulnerable\\_code\\_not\\_in\\_execute\\_path |")
        #expect(rows.last?.hasSuffix("| .trivyignore \\(ignored\\) |") == true, "\(rows)")
        #expect(markdown.contains("</details>"))
        #expect(!markdown.contains("not listed"))
    }

    /// When the open findings fill the comment, the high and critical findings a tool suppressed
    /// still get their room; those left out are counted, with how many are high or critical.
    @Test func suppressedCriticalFindingsKeepTheirRoomInAFullComment() {
        let open = (0..<3000).map { index in
            ReportSupport.vulnerability(
                "CVE-2024-\(10_000 + index)", package: "pkg-\(index)", severity: .critical,
                title: String(repeating: "long title ", count: 10))
        }
        let muted = (0..<3).map { index in
            ReportSupport.vulnerability(
                "CVE-2099-\(1000 + index)", package: "muted-\(index)", severity: .critical, suppressed: true)
        }
        let lows = (0..<2000).map { index in
            ReportSupport.vulnerability(
                "CVE-2098-\(10_000 + index)", package: "low-\(index)", severity: .low, suppressed: true)
        }
        let markdown = MarkdownReport.render(
            ReportContent(findings: FindingSet(merging: open + muted + lows), reports: []),
            marker: MarkdownReport.commentMarker)
        #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
        #expect(markdown.contains("open findings are not shown"))
        for index in 0..<3 { #expect(markdown.contains("| CVE-2099-\(1000 + index) |"), "\(markdown.suffix(2000))") }
        let lowRows = markdown.split(separator: "\n").count { $0.contains("| CVE-2098-") }
        #expect(lowRows < 2000)
        #expect(markdown.contains("\(2000 - lowRows) of 2003 findings suppressed by tools are not listed"))
    }

    static let emptyZAP = ReportSummary(
        file: "reports/zap.xml", format: "zap", variant: "xml", tool: "zap", toolVersion: "2.14.0", findingCount: 0,
        suppressedCount: 0,
        warnings: [
            "ZAP reported no alert for the site it scanned (https://x): No finding here means nothing was checked"
        ])

    /// A report that checked nothing (or was accepted incomplete) says so in the comment with or
    /// without a decision; with one, the gate's copy of the same line is not shown again.
    @Test func theReportsWarningsAreShownWithOrWithoutADecision() throws {
        let line =
            "- ⚠️ reports/zap.xml\\: ZAP reported no alert for the site it scanned \\(https\\://x\\)\\: No finding here"
        let plain = MarkdownReport.render(ReportContent(findings: FindingSet(merging: []), reports: [Self.emptyZAP]))
        #expect(plain.contains("**⚠️ Warnings from reading the reports (1)**"), "\(plain)")
        #expect(plain.contains(line), "\(plain)")

        let gate = ReportGate(
            passed: true, summary: "PASS", policyFile: "p.yaml", environment: "staging", date: "2026-03-01",
            outcomes: [:], counts: [:], waivers: [], expiringWithinDays: 14,
            warnings: [
                "reports/zap.xml: " + (Self.emptyZAP.warnings.first ?? ""), "signatures NOT verified: not checked here",
            ], decisionJSON: [])
        let gated = MarkdownReport.render(
            ReportContent(findings: FindingSet(merging: []), reports: [Self.emptyZAP], gate: gate))
        #expect(gated.components(separatedBy: "ZAP reported no alert").count == 2, "\(gated)")
        #expect(gated.contains(line))
        #expect(gated.contains("<details><summary>Gate warnings (1)</summary>"))
        #expect(gated.contains("- signatures NOT verified\\: not checked here"))
    }

    /// Hundreds of reports that checked nothing (and a policy that fails each) neither push the
    /// decision, the counts and the findings out of the comment nor leave it cut mid-line: a
    /// bounded number of lines each, then how many more.
    @Test func manyReportsThatCheckedNothingKeepTheCommentWhole() throws {
        let reports = (1...400).map { index in
            var report = Self.emptyZAP
            report.file = "reports/zap-\(index).xml"
            return report
        }
        let finding = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .critical)
        let gate = ReportGate(
            passed: false, summary: "FAIL: 1 failing, 400 reports checked nothing", policyFile: "p.yaml",
            environment: "production", date: "2026-03-01",
            outcomes: [
                finding.fingerprint: ReportGate.FindingOutcome(
                    outcome: .fail, reason: "fail-on", severity: .critical, isNew: true)
            ], counts: [.fail: 1], waivers: [], expiringWithinDays: 14,
            warnings: reports.map { "\($0.file): \($0.warnings.first ?? "")" } + ["signatures NOT verified"],
            decisionJSON: [],
            emptyScanFailures: reports.map {
                ReportGate.EmptyScanFailure(
                    report: $0.file,
                    reason: "\($0.file) checked nothing: ZAP reported no alert for the site it scanned "
                        + "(https://x), not even an informational one; empty-scans: fail (p.yaml:18)")
            })
        let markdown = MarkdownReport.render(
            ReportContent(findings: FindingSet(merging: [finding]), reports: reports, gate: gate),
            marker: MarkdownReport.commentMarker)
        #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
        #expect(!markdown.contains("cut to fit"))
        #expect(markdown.contains("## ScanGate: ❌ FAIL"))
        #expect(markdown.contains("| 1 | 0 | 0 | 0 | 0 | 0 | 1 | 0 |"))
        #expect(markdown.contains("| **critical** | CVE-2021-44906 |"))
        let failures = markdown.split(separator: "\n").count { $0.hasPrefix("- ❌ reports/zap-") }
        #expect(failures > 0 && failures < 400)
        #expect(
            markdown.contains("- ❌ … and \(400 - failures) more reports checked nothing"), "\(markdown.prefix(3000))")
        let warnings = markdown.split(separator: "\n").count { $0.hasPrefix("- ⚠️ reports/zap-") }
        #expect(warnings > 0 && warnings < 400)
        #expect(markdown.contains("- … and \(400 - warnings) more (in the full report)"))
        #expect(markdown.contains("<details><summary>Gate warnings (1)</summary>"))
    }

    /// Under the length limit, rows are kept strictly in priority order: once a failing row does
    /// not fit, no shorter row of lower priority (a passing finding, a later failing one) takes
    /// its place, and the footer says how many failing findings were left out.
    @Test func rowsAreKeptStrictlyInPriorityOrder() throws {
        // Titles alternately long (each `&` is written `&amp;`) and short, as in a real SARIF file.
        let failing = (0..<400).map { index in
            ReportSupport.vulnerability(
                "CVE-2024-\(10_000 + index)", package: "pkg-\(index)", severity: .high,
                title: index % 2 == 0 ? String(repeating: "&", count: 200) : "short")
        }
        let passing = (0..<50).map { index in
            ReportSupport.vulnerability("CVE-2023-\(10_000 + index)", package: "low-\(index)", severity: .low)
        }
        let set = FindingSet(merging: failing + passing)
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for finding in set.all {
            let fails = finding.severity == .high
            outcomes[finding.fingerprint] = ReportGate.FindingOutcome(
                outcome: fails ? .fail : .pass, reason: fails ? String(repeating: "policy reason ", count: 20) : "",
                severity: finding.severity, isNew: true)
        }
        let gate = ReportGate(
            passed: false, summary: "FAIL", policyFile: "p.yaml", environment: "ci", date: "2026-01-10",
            outcomes: outcomes, counts: [.fail: 400, .pass: 50], waivers: [], expiringWithinDays: 14, warnings: [],
            decisionJSON: [])
        for content in [
            ReportContent(findings: set, reports: [], gate: gate), ReportContent(findings: set, reports: []),
        ] {
            let markdown = MarkdownReport.render(content, marker: MarkdownReport.commentMarker)
            #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
            let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
            let expected = content.inListingOrder(content.openFindings).prefix(rows.count).map(\.ruleID)
            #expect(rows.map { $0.split(separator: " | ")[1] }.map(String.init) == expected)
            #expect(rows.count < 400)
            #expect(!rows.contains { $0.contains("CVE-2023-") })
            let leftOut = 450 - rows.count
            if content.gate != nil {
                #expect(rows.allSatisfy { $0.contains("| fail: policy reason") })
                #expect(
                    markdown.contains("\(leftOut) of 450 open findings are not shown (\(400 - rows.count) failing)"),
                    "\(markdown.suffix(600))")
                #expect(
                    markdown.contains(
                        "_\(leftOut) more open findings are not shown here, \(400 - rows.count) of them failing._"))
            } else {
                #expect(markdown.contains("\(leftOut) of 450 open findings are not shown, to keep"))
            }
        }
    }

    /// A gate of hand-made outcomes over `findings`: each finding's verdict and reason.
    static func content(_ findings: [(Finding, ReportGate.Outcome, String)]) -> ReportContent {
        let set = FindingSet(merging: findings.map(\.0))
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for (finding, outcome, reason) in findings {
            outcomes[finding.fingerprint] = ReportGate.FindingOutcome(
                outcome: outcome, reason: reason, severity: finding.severity, isNew: true)
        }
        let gate = ReportGate(
            passed: false, summary: "FAIL", policyFile: "p.yaml", environment: "staging", date: "2026-03-01",
            outcomes: outcomes, counts: [:], waivers: [], expiringWithinDays: 14, warnings: [], decisionJSON: [])
        return ReportContent(findings: set, reports: [], gate: gate)
    }

    /// A failing or warned row says why, as the table, HTML and JUnit do; a reason can quote
    /// report and policy text (a tool's suppression statement, a rule's `reason:`), so it is
    /// escaped as every other cell is: no link, no workflow command, no HTML, no mention, no
    /// extra column.
    @Test func failingAndWarnedRowsSayWhyEscaped() throws {
        let hostile =
            "rule 1 of p.yaml (line 4): match {id: CVE-*} → fail: see https://evil.example | ##[error]x "
            + "<img src=x> @team #12 www.evil.example `code`\nnext"
        let content = Self.content([
            (ReportSupport.vulnerability("CVE-2024-1", severity: .critical), .fail, hostile),
            (
                ReportSupport.vulnerability("CVE-2024-2", package: "qs", severity: .medium), .warn,
                "severity medium is at or above warn-on: medium (p.yaml:3)"
            ),
            (
                ReportSupport.vulnerability("CVE-2024-3", package: "x", severity: .low), .pass,
                "severity low is below every threshold"
            ),
        ])
        let markdown = MarkdownReport.render(content)
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.count == 3)
        #expect(rows[0].hasSuffix("| fail: " + ReportEscaping.markdown(hostile, limit: 300) + " |"), "\(rows[0])")
        #expect(
            rows[0].contains(
                "fail: rule 1 of p.yaml \\(line 4\\)\\: match \\{id\\: CVE-\\*\\} → fail\\: see https\\://evil.example \\| "
                    + "\\#\\#\\[error\\]x &lt;img src=x&gt; @\u{200B}team \\#\u{200B}12 www\\.evil.example \\`code\\` next |"
            ),
            "\(rows[0])")
        #expect(rows[1].hasSuffix("| warn: severity medium is at or above warn-on\\: medium \\(p.yaml\\:3\\) |"))
        #expect(rows[2].hasSuffix("| pass |"))
        for text in ["https://evil", "##[", "<img", "@team", "www.evil", "\nnext"] {
            #expect(!markdown.contains(text), "\(text)")
        }
        for line in rows {
            let unescapedPipes = line.indices.filter { index in
                line[index] == "|" && (index == line.startIndex || line[line.index(before: index)] != "\\")
            }
            #expect(unescapedPipes.count == 7, "\(line)")
        }
    }

    /// Reasons make rows longer, not the comment: it stays under GitHub's limit, and the
    /// failing findings still come first, each with its reason.
    @Test func longReasonsKeepTheLimitAndFailingFindingsFirst() {
        let reason =
            "max high: 900 high findings remain, the policy allows 0 (" + String(repeating: "d/", count: 200)
            + "p.yaml:3)"
        let warned = (0..<2000).map { index in
            (
                ReportSupport.vulnerability("CVE-2024-\(10_000 + index)", package: "pkg-\(index)", severity: .critical),
                ReportGate.Outcome.warn, reason
            )
        }
        let failing = (0..<5).map { index in
            (
                ReportSupport.vulnerability("CVE-2023-\(10_000 + index)", package: "low-\(index)", severity: .low),
                ReportGate.Outcome.fail, reason
            )
        }
        let markdown = MarkdownReport.render(Self.content(warned + failing), marker: MarkdownReport.commentMarker)
        #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
        #expect(markdown.contains("are not shown"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.count > 5)
        #expect(rows.prefix(5).allSatisfy { $0.contains("| fail: max high\\: 900 high findings remain") })
        #expect(rows.dropFirst(5).allSatisfy { $0.contains("| warn: max high\\: 900") })
    }

    /// A SARIF title `www.evil.example/track?x=1` stays text in the comment.
    @Test func wwwTextIsNotALink() {
        let finding = ReportSupport.vulnerability("CVE-2024-1", title: "www.evil.example/track?x=1 or a@b.example")
        let markdown = MarkdownReport.render(ReportContent(findings: FindingSet(merging: [finding]), reports: []))
        #expect(markdown.contains("www\\.evil.example/track?x=1 or a@\u{200B}b.example"), "\(markdown)")
        #expect(!markdown.contains("www.evil"))
    }

    /// The ID links the first reference that is not an issue, pull request or discussion on
    /// GitHub: a PR comment linking one adds a "mentioned this" event to that thread.
    @Test func theIDDoesNotLinkAGitHubThread() {
        var finding = ReportSupport.vulnerability("CVE-2017-16042", title: "Command Injection")
        finding.references = [
            "https://github.com/tj/node-growl/issues/60", "https://GitHub.com/tj/node-growl/pull/61#x",
            "https://github.com/victim/repo/discussions/7", "https://www.npmjs.com/advisories/146",
        ]
        var markdown = MarkdownReport.render(ReportContent(findings: FindingSet(merging: [finding]), reports: []))
        #expect(markdown.contains("[CVE-2017-16042](https://www.npmjs.com/advisories/146)"), "\(markdown)")
        #expect(!markdown.contains("node-growl") && !markdown.contains("victim"), "\(markdown)")
        finding.references = ["https://github.com/tj/node-growl/issues/60"]
        markdown = MarkdownReport.render(ReportContent(findings: FindingSet(merging: [finding]), reports: []))
        #expect(markdown.contains("| CVE-2017-16042 |"), "\(markdown)")
        #expect(!markdown.contains("node-growl"), "\(markdown)")
        // Other GitHub pages are no thread: an advisory, a repository, a commit.
        #expect(!ReportEscaping.linksGitHubThread("https://github.com/advisories/GHSA-qh2h-chj9-jffq"))
        #expect(!ReportEscaping.linksGitHubThread("https://github.com/tj/node-growl"))
        #expect(!ReportEscaping.linksGitHubThread("https://github.com/tj/node-growl/commit/abc123"))
        #expect(!ReportEscaping.linksGitHubThread("https://github.com/tj/node-growl/issues"))
        #expect(ReportEscaping.linksGitHubThread("http://www.github.com/a/b/pull/3/files"))
        // A GitHub Enterprise Server's threads too (found by a review).
        #expect(ReportEscaping.linksGitHubThread("https://ghe.example.com/acme/payments/issues/12"))
        #expect(!ReportEscaping.linksGitHubThread("https://ghe.example.com/acme/payments/releases/tag/v1"))
        // As a browser reads it: a port, user information, a trailing dot, escapes, doubled slashes.
        #expect(ReportEscaping.linksGitHubThread("https://github.com:443/o/r/issues/1"))
        #expect(ReportEscaping.linksGitHubThread("https://x@github.com./o/r/issues/%31"))
        #expect(ReportEscaping.linksGitHubThread("https://github.com//o/r/%69ssues/1"))
        // Any host's thread-shaped page is shown as text; other pages stay links.
        #expect(ReportEscaping.linksGitHubThread("https://github.com.evil.example/o/r/issues/1"))
        #expect(!ReportEscaping.linksGitHubThread("https://evil.example/github.com/o/r/issues/1"))
    }

    @Test func escaping() {
        #expect(ReportEscaping.markdown("a|b") == "a\\|b")
        #expect(ReportEscaping.markdown("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert\\(1\\)&gt;")
        #expect(ReportEscaping.markdown("`rm -rf`") == "\\`rm -rf\\`")
        #expect(ReportEscaping.markdown("@octocat") == "@\u{200B}octocat")
        #expect(ReportEscaping.markdown("line\nbreak") == "line break")
        #expect(ReportEscaping.markdown(String(repeating: "x", count: 300), limit: 10).count == 10)
        #expect(ReportEscaping.markdownLinkTarget("javascript:alert(1)") == nil)
        // GitHub links `http://`, `www.` and e-mail addresses in plain text (GFM's autolink
        // extension): scanner text must not become a link.
        #expect(ReportEscaping.markdown("https://evil.example") == "https\\://evil.example")
        #expect(ReportEscaping.markdown("www.evil.example/track?x=1") == "www\\.evil.example/track?x=1")
        #expect(ReportEscaping.markdown("see (www.evil.example)") == "see \\(www\\.evil.example\\)")
        #expect(ReportEscaping.markdown("x*WWW.evil.example") == "x\\*WWW\\.evil.example")
        #expect(ReportEscaping.markdown("awww.b") == "awww\\.b")
        #expect(ReportEscaping.markdown("a@b.example") == "a@\u{200B}b.example")
        #expect(ReportEscaping.markdownLinkTarget("https://a.example/x_(y)") == "https://a.example/x_%28y%29")
    }
}
