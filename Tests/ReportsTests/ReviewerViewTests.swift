import Findings
import Foundation
import Policy
import Reports
import Testing

/// What a reviewer reads must show what decided the gate, at the severity it was judged by,
/// and scanner text must not reorder, link or hide anything.
@Suite("Reports: what decided the gate comes first")
struct ReviewerViewTests {
    /// 1,000 high findings the gate only warns about, and one low one a rule fails.
    static func manyWarningsAndOneFailure() -> (ReportContent, failing: Finding) {
        var findings = (0..<1000).map { index in
            ReportSupport.vulnerability(
                "CVE-2024-\(10_000 + index)", package: "pkg-\(index)", severity: .high,
                title: String(repeating: "long title ", count: 12))
        }
        let failing = ReportSupport.vulnerability("CVE-2023-1", package: "secret-store", severity: .low)
        findings.append(failing)
        let set = FindingSet(merging: findings)
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for finding in set.all {
            outcomes[finding.fingerprint] =
                finding.fingerprint == failing.fingerprint
                ? ReportGate.FindingOutcome(outcome: .fail, reason: "secrets always fail", severity: .low, isNew: true)
                : ReportGate.FindingOutcome(outcome: .warn, reason: "warn-on", severity: .high, isNew: true)
        }
        let gate = ReportGate(
            passed: false, summary: "FAIL: 1 failing", policyFile: "p.yaml", environment: "staging",
            date: "2026-03-01", outcomes: outcomes, counts: [.fail: 1, .warn: 1000], waivers: [],
            expiringWithinDays: 14, warnings: [], decisionJSON: [])
        return (ReportContent(findings: set, reports: [], gate: gate), failing)
    }

    @Test func aCutPullRequestCommentStillListsTheFindingThatFailed() {
        let (content, failing) = Self.manyWarningsAndOneFailure()
        let markdown = MarkdownReport.render(content, marker: MarkdownReport.commentMarker)
        #expect(markdown.contains("are not shown"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.first?.contains(failing.ruleID) == true, "\(rows.first ?? "")")
        #expect(rows.first?.hasSuffix("| fail: secrets always fail |") == true)
        #expect(markdown.contains("failing findings are listed first"))
    }

    /// With a baseline, the failing findings the baseline already had must still be listed when
    /// new findings that only warn would fill the comment: failing ones get the room first.
    @Test func aCutPullRequestCommentListsFailingFindingsTheBaselineHad() throws {
        let newOnes = (0..<1000).map { index in
            ReportSupport.vulnerability(
                "CVE-2024-\(10_000 + index)", package: "pkg-\(index)", severity: .high,
                title: String(repeating: "long title ", count: 12))
        }
        let failing = [
            ReportSupport.vulnerability("CVE-2021-31597", package: "xmlhttprequest-ssl", severity: .critical),
            ReportSupport.vulnerability("CVE-2022-0686", package: "url-parse", severity: .critical),
        ]
        let set = FindingSet(merging: newOnes + failing)
        let diff = BaselineDiff(previous: try ReportSupport.snapshot(failing), current: set)
        let failingPrints = Set(failing.map(\.fingerprint))
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for finding in set.all {
            outcomes[finding.fingerprint] =
                failingPrints.contains(finding.fingerprint)
                ? ReportGate.FindingOutcome(outcome: .fail, reason: "fail-on", severity: .critical, isNew: false)
                : ReportGate.FindingOutcome(outcome: .warn, reason: "warn-on", severity: .high, isNew: true)
        }
        let gate = ReportGate(
            passed: false, summary: "FAIL: 2 failing", policyFile: "p.yaml", environment: "staging",
            date: "2026-03-01", outcomes: outcomes, counts: [.fail: 2, .warn: 1000], waivers: [],
            expiringWithinDays: 14, warnings: [], decisionJSON: [])
        let content = ReportContent(findings: set, reports: [], diff: diff, gate: gate)
        let markdown = MarkdownReport.render(content, marker: MarkdownReport.commentMarker)
        #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
        #expect(markdown.contains("### New findings (1000)"))
        #expect(markdown.contains("### Other open findings (2)"))
        let failingRows = markdown.split(separator: "\n").filter {
            $0.hasPrefix("| **") && $0.hasSuffix("| fail: fail-on |")
        }
        #expect(failingRows.count == 2, "\(markdown.suffix(600))")
        #expect(failingRows.contains { $0.contains("CVE-2021-31597") })
        #expect(failingRows.contains { $0.contains("CVE-2022-0686") })
        // New findings still come first, and the note says how many of them were left out.
        let newRows = markdown.split(separator: "\n").filter {
            $0.hasPrefix("| **") && $0.hasSuffix("| warn: warn-on |")
        }
        #expect(!newRows.isEmpty)
        #expect(markdown.contains("\(1000 - newRows.count) more new findings are not shown here"))
        #expect(markdown.contains("(\(1000 - newRows.count) of them new, \(1000 - newRows.count) warned)"))
        #expect(markdown.contains("failing findings are listed first"))
    }

    /// Waivers about to expire are short and matter to the reviewer: findings that fill the
    /// comment must not push them out, and those that cannot be listed are counted.
    @Test func expiringWaiversAreKeptWhenFindingsFillTheComment() {
        func waiver(_ index: Int) -> ReportGate.WaiverStatus {
            ReportGate.WaiverStatus(
                id: "W-\(index)", source: "waivers.yaml:\(index * 8 + 2)", state: "applied", expires: "2026-03-06",
                daysLeft: 5, appliedTo: 1, approvedBy: "security@example.com", reason: "accepted", severity: .high,
                environments: ["staging"])
        }
        for count in [3, 2000] {
            let (content, _) = Self.manyWarningsAndOneFailure()
            var withWaivers = content
            withWaivers.gate?.waivers = (1...count).map(waiver)
            let markdown = MarkdownReport.render(withWaivers, marker: MarkdownReport.commentMarker)
            #expect(markdown.utf8.count <= MarkdownReport.maximumLength)
            #expect(markdown.contains("are not shown"), "the findings fill the comment")
            #expect(markdown.contains("### Waivers expiring soon (\(count))"), "\(markdown.suffix(800))")
            #expect(markdown.contains("- W-1 expires on 2026-03-06, in 5 days (waivers.yaml\\:10)"))
            let listed = markdown.split(separator: "\n").count { $0.hasPrefix("- W-") }
            if listed < count {
                #expect(markdown.contains("- … and \(count - listed) more"))
                #expect(count > 1000, "a few waivers are all listed")
                #expect(markdown.contains("\(count - listed) waivers expiring soon are not listed"))
            } else {
                #expect(listed == count)
            }
        }
    }

    @Test func aCappedHTMLPageDetailsTheFindingThatFailed() {
        let (content, failing) = Self.manyWarningsAndOneFailure()
        let html = HTMLReport.render(content, detailing: 5)
        #expect(html.contains("<dd><code>\(failing.fingerprint)</code></dd>"))
        #expect(html.contains("secrets always fail"))
        // Its row is the table's first.
        let firstRow = html.range(of: "<tr id=\"f-").map { html[$0.upperBound...].prefix(64) } ?? ""
        #expect(firstRow == failing.fingerprint[...])
    }

    @Test func rowsAndCountsShowTheSeverityTheGateJudgedBy() {
        // The resolved severity is critical; the policy's severity-sources judged it medium.
        let finding = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .critical)
        let gate = ReportGate(
            passed: true, summary: "PASS", policyFile: "p.yaml", environment: "staging", date: "2026-03-01",
            outcomes: [
                finding.fingerprint: ReportGate.FindingOutcome(
                    outcome: .warn, reason: "severity medium is at or above warn-on", severity: .medium, isNew: true)
            ], counts: [.warn: 1], waivers: [], expiringWithinDays: 14, warnings: [], decisionJSON: [])
        let content = ReportContent(findings: FindingSet(merging: [finding]), reports: [], gate: gate)
        #expect(content.openBySeverity.first { $0.0 == .medium }?.1 == 1)
        #expect(content.openBySeverity.first { $0.0 == .critical }?.1 == 0)
        let markdown = MarkdownReport.render(content)
        #expect(markdown.contains("| **medium** |"))
        #expect(!markdown.contains("**critical**"))
        #expect(markdown.contains("| 0 | 0 | 1 | 0 | 0 | 0 | 1 | 0 |"))
    }

    /// A policy with `trust-tool-suppressions: false` judges what a tool suppressed like any other
    /// finding: the reports count and list it as the gate judged it, not as suppressed.
    @Test func aToolSuppressionThePolicyDoesNotTrustIsCountedAndListedAsJudged() throws {
        let suppressed = ReportSupport.vulnerability(
            "CVE-2017-16137", package: "debug", version: "2.6.8", severity: .critical, suppressed: true)
        let other = ReportSupport.vulnerability("CVE-2021-23337", severity: .low)
        let findings = FindingSet(merging: [suppressed, other])
        let source = SourceRef(file: "nosupp.yaml", line: 3)
        var policy = Policy(file: "nosupp.yaml", environment: "ci", failOn: Setting(.high, at: source))
        policy.trustToolSuppressions = Setting(false, at: source)
        let decision = Gate.evaluate(
            GateInput(findings: findings, policy: policy, today: try #require(Day(parsing: "2026-03-01"))))
        #expect(!decision.passed)
        let content = ReportContent(findings: findings, reports: [], gate: ReportGate(decision, policy: policy))
        #expect(content.openBySeverity.first { $0.0 == .critical }?.1 == 1)

        let markdown = MarkdownReport.render(content)
        #expect(markdown.contains("| 1 | 0 | 0 | 1 | 0 | 0 | 2 | 0 |"), "\(markdown)")
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.first?.contains("CVE-2017-16137") == true)
        #expect(rows.first?.contains("| fail: severity critical is at or above fail-on\\: high") == true)
        #expect(!markdown.contains("suppressed by tools is not listed"))

        let html = HTMLReport.render(content)
        #expect(html.contains("id=\"count-critical\">1</td>"))
        #expect(html.contains("id=\"count-open\">2</td>"))
        #expect(html.contains("id=\"count-suppressed\">0</td>"))
        #expect(html.contains("data-status=\"fail\nopen\""))
    }

    /// A waived, VEX-suppressed or ignored row says why, as `scangate gate` does (the waiver's id,
    /// `file:line`, expiry and the verdict it hides; the VEX statement and its source; the
    /// rule), and "open" is not left to read as "not accepted": the counts say how many open
    /// findings the gate accepted, and the HTML page shows no `open` badge beside `waived`.
    @Test func acceptedRowsSayWhyAndAreNotCalledOpen() throws {
        let waived = ReportSupport.vulnerability("CVE-2021-23337", package: "lodash", severity: .high)
        let vexed = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .critical)
        let ignored = ReportSupport.vulnerability("CVE-2020-8203", package: "lodash-es", severity: .medium)
        let failing = ReportSupport.vulnerability("CVE-2022-0686", package: "url-parse", severity: .critical)
        let outcomes: [String: ReportGate.FindingOutcome] = [
            waived.fingerprint: ReportGate.FindingOutcome(
                outcome: .waived,
                reason: "waiver CVE-2021-23337 (waivers.yaml:8) until 2026-12-10, approved by sec: never called",
                severity: .high, isNew: false, hiddenOutcome: .warn),
            vexed.fingerprint: ReportGate.FindingOutcome(
                outcome: .vexSuppressed,
                reason: "OpenVEX statement 1 (openvex.json:8): not_affected, vulnerable_code_not_present",
                severity: .critical, isNew: false),
            ignored.fingerprint: ReportGate.FindingOutcome(
                outcome: .ignored, reason: "rule 2 of p.yaml (line 9): match {id: CVE-2020-8203} → ignore: dev only",
                severity: .medium, isNew: false),
            failing.fingerprint: ReportGate.FindingOutcome(
                outcome: .fail, reason: "fail-on", severity: .critical, isNew: false),
        ]
        let gate = ReportGate(
            passed: false, summary: "FAIL", policyFile: "p.yaml", environment: "staging", date: "2026-11-25",
            outcomes: outcomes, counts: [.fail: 1, .waived: 1, .vexSuppressed: 1, .ignored: 1], waivers: [],
            expiringWithinDays: 14, warnings: [], decisionJSON: [])
        let content = ReportContent(
            findings: FindingSet(merging: [waived, vexed, ignored, failing]), reports: [], gate: gate)
        let note =
            "“open” counts every finding no tool suppressed; the gate accepted 3 of them (1 waived, "
            + "1 VEX-suppressed, 1 ignored): they neither fail nor warn, and their rows say why."

        let markdown = MarkdownReport.render(content)
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(
            rows.contains {
                $0.contains("| CVE-2021-23337 |")
                    && $0.hasSuffix(
                        "| waived: waiver CVE-2021-23337 \\(waivers.yaml\\:8\\) until 2026-12-10, approved by sec\\: "
                            + "never called \\(without the waiver\\: warn\\) |")
            }, "\(rows)")
        #expect(
            rows.contains {
                $0.hasSuffix(
                    "| vex-suppressed: OpenVEX statement 1 \\(openvex.json\\:8\\)\\: not\\_affected, "
                        + "vulnerable\\_code\\_not\\_present |")
            }, "\(rows)")
        #expect(rows.contains { $0.hasSuffix("→ ignore\\: dev only |") }, "\(rows)")
        #expect(markdown.contains("| 2 | 1 | 1 | 0 | 0 | 0 | 4 | 0 |\n\n" + note + "\n"), "\(markdown)")

        let html = HTMLReport.render(content)
        #expect(html.contains("<p id=\"open-accepted\">\(ReportEscaping.html(note))</p>"), "\(html)")
        func row(_ finding: Finding) throws -> Substring {
            let start = try #require(html.range(of: "<tr id=\"f-\(finding.fingerprint)\""))
            let end = try #require(html[start.upperBound...].range(of: "</tr>\n"))
            return html[start.lowerBound..<end.upperBound]
        }
        let waivedRow = try row(waived)
        // The filter still finds it among the findings no tool suppressed; no badge says "open".
        #expect(waivedRow.contains("data-status=\"waived\nopen\""))
        #expect(waivedRow.hasSuffix("<td><span class=\"badge waived\">waived</span></td></tr>\n"), "\(waivedRow)")
        #expect(html.contains("(without the waiver: warn)"))
        let failingRow = try row(failing)
        #expect(failingRow.contains("<span class=\"badge fail\">fail</span> <span class=\"badge open\">open</span>"))
        #expect(html.contains("<option value=\"open\">open (no tool suppressed it)</option>"))

        let junit = JUnitReport.render(content)
        #expect(junit.contains("(without the waiver: warn)\"/>"), "\(junit)")
    }

    /// The same CVE in the same package of two images is two findings the gate can judge apart
    /// (a rule on `image:`): each row names its image, in the comment and in the HTML page.
    @Test func findingsInImagesNameTheImage() throws {
        func inImage(_ repository: String, tag: String?, digest: String? = nil) -> Finding {
            let image = ImageReference(repository: repository, tag: tag, digest: digest)
            return Finding(
                kind: .vulnerability, ruleID: "CVE-2024-2961", title: "glibc: out of bounds write in iconv",
                ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
                package: Package(
                    ecosystem: "debian", name: "libc6", installedVersion: "2.36-9+deb12u4",
                    fixedVersions: ["2.36-9+deb12u7"]),
                locations: [Location(image: image, target: "\(repository) (debian 12.5)")],
                provenance: [Provenance(tool: "trivy", reportFile: "\(repository).json", rawID: "CVE-2024-2961")],
                identity: FindingIdentity(
                    kind: .vulnerability, scope: FindingIdentity.imageScope(image),
                    subject: ["debian", "libc6", "2.36-9+deb12u4"])
            ).finalized()
        }
        let worker = inImage("worker", tag: "77aa11")
        let app = inImage("ghcr.io/acme/app", tag: nil, digest: "sha256:3f1c")
        let gate = Self.gate([worker.fingerprint: (.fail, .high), app.fingerprint: (.warn, .high)])
        let content = ReportContent(findings: FindingSet(merging: [worker, app]), reports: [], gate: gate)

        let rows = MarkdownReport.render(content).split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.count == 2)
        #expect(
            rows.contains {
                $0.contains("| libc6 2.36-9+deb12u4 → 2.36-9+deb12u7 (image worker\\:77aa11) |")
                    && $0.hasSuffix("| fail: threshold |")
            }, "\(rows)")
        #expect(
            rows.contains {
                $0.contains("| libc6 2.36-9+deb12u4 → 2.36-9+deb12u7 (image ghcr.io/acme/app@\u{200B}sha256\\:3f1c) |")
                    && $0.hasSuffix("| warn: threshold |")
            }, "\(rows)")

        let html = HTMLReport.render(content)
        #expect(html.contains("<td>libc6 2.36-9+deb12u4 (image worker:77aa11)</td>"))
        #expect(html.contains("<td>libc6 2.36-9+deb12u4 (image ghcr.io/acme/app@sha256:3f1c)</td>"))
    }

    /// A finding new because its severity rose since the baseline says what it was, in the
    /// comment as in the HTML page and `diff`.
    @Test func aFindingWhoseSeverityRoseSaysWhatItWas() throws {
        let before = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .low)
        let now = ReportSupport.vulnerability("CVE-2021-44906", package: "minimist", severity: .critical)
        let set = FindingSet(merging: [now])
        let diff = BaselineDiff(previous: try ReportSupport.snapshot([before]), current: set)
        for gate in [nil, Self.gate([now.fingerprint: (.fail, .critical)])] {
            let markdown = MarkdownReport.render(ReportContent(findings: set, reports: [], diff: diff, gate: gate))
            #expect(markdown.contains("| **critical** (was low) | CVE-2021-44906 |"), "\(markdown)")
        }
    }

    /// The New table of the HTML page shows, and sorts by, the severity the gate judged by, as
    /// the findings table and the gate do (an unknown severity judged as high is high).
    @Test func theNewTableShowsTheSeverityTheGateJudgedBy() throws {
        let unknown = ReportSupport.vulnerability("CVE-2024-0001", package: "a", severity: .unknown)
        let medium = ReportSupport.vulnerability("CVE-2024-0002", package: "b", severity: .medium)
        let set = FindingSet(merging: [unknown, medium])
        let diff = BaselineDiff(previous: try ReportSupport.snapshot([]), current: set)
        let gate = Self.gate([unknown.fingerprint: (.fail, .high), medium.fingerprint: (.warn, .medium)])
        let html = HTMLReport.render(ReportContent(findings: set, reports: [], diff: diff, gate: gate))
        let newTable = html.range(of: "<h3>New (2)</h3>").map { html[$0.upperBound...] } ?? ""
        let rows = newTable.split(separator: "\n").filter { $0.hasPrefix("<tr><td>") }.prefix(2)
        #expect(rows.first?.hasPrefix("<tr><td><span class=\"sev sev-high\">high</span></td>") == true, "\(rows)")
        #expect(rows.first?.contains(unknown.fingerprint) == true)
        #expect(rows.last?.contains(medium.fingerprint) == true)
        let newSection = newTable[..<(newTable.range(of: "</table>")?.lowerBound ?? newTable.endIndex)]
        #expect(!newSection.contains("sev-unknown"))
        #expect(html.contains("data-severity=\"high\""))
    }

    /// A decision with these outcomes and judged severities.
    static func gate(_ outcomes: [String: (ReportGate.Outcome, Severity)]) -> ReportGate {
        ReportGate(
            passed: !outcomes.values.contains { $0.0 == .fail }, summary: "FAIL", policyFile: "p.yaml",
            environment: "staging", date: "2026-03-01",
            outcomes: outcomes.mapValues {
                ReportGate.FindingOutcome(outcome: $0.0, reason: "threshold", severity: $0.1, isNew: true)
            }, counts: [:], waivers: [], expiringWithinDays: 14, warnings: [], decisionJSON: [])
    }

    @Test func oneEnormousTitleDoesNotEmptyTheTable() {
        // One character of 600 combining marks, 130 times: 156 KB in 130 characters.
        let zalgo = String(repeating: "a" + String(repeating: "\u{0301}", count: 600), count: 130)
        var findings = [ReportSupport.vulnerability("CVE-2024-1", package: "p0", severity: .critical, title: zalgo)]
        findings += (1...5).map { ReportSupport.vulnerability("CVE-2024-\($0 + 1)", package: "p\($0)") }
        let markdown = MarkdownReport.render(ReportContent(findings: FindingSet(merging: findings), reports: []))
        #expect(markdown.split(separator: "\n").filter { $0.hasPrefix("| **") }.count == 6)
        #expect(!markdown.contains("are not shown"))
        #expect(ReportEscaping.markdown(zalgo, limit: 120).unicodeScalars.count <= 120 * 2)
    }

    @Test func issueReferencesAndBidiControlsAreDefused() {
        #expect(ReportEscaping.markdown("see #123") == "see \\#\u{200B}123")
        #expect(ReportEscaping.markdown("C# code") == "C\\# code")
        #expect(ReportEscaping.markdown("GH-42 and XY-1") == "GH\u{200B}-42 and XY-1")
        let trojan = "src/\u{202E}sj.tset_\u{202C}/creds.js"
        #expect(ReportEscaping.markdown(trojan) == "src/\u{FFFD}sj.tset\\_\u{FFFD}/creds.js")
        #expect(ReportEscaping.html(trojan) == "src/\u{FFFD}sj.tset_\u{FFFD}/creds.js")
        #expect(!ReportEscaping.xml("a\u{2066}b\u{2069}").unicodeScalars.contains { $0.value == 0x2066 })
        // The implicit marks reorder too: `\u{061C}1.2 9.9` showed as `9.9 1.2` (found by a review).
        for mark in ["\u{061C}", "\u{200E}", "\u{200F}"] {
            let text = "version \(mark)1.2 9.9"
            #expect(ReportEscaping.markdown(text) == "version \u{FFFD}1.2 9.9")
            #expect(ReportEscaping.html(text) == "version \u{FFFD}1.2 9.9")
            #expect(text.printableLine == "version \u{FFFD}1.2 9.9")
        }
    }

    /// A link to an issue or pull request is not written, however the URL spells it: an entity
    /// (`pull/&#54;`, which Markdown decodes in a link) or extra slashes (`https:///github.com`,
    /// which a browser reads as `https://github.com`) got past the check (found by a review).
    @Test func noSpellingLinksAGitHubThread() {
        #expect(ReportEscaping.linksGitHubThread("https:///github.com/o/r/issues/5"))
        #expect(ReportEscaping.linksGitHubThread("https://\\github.com/o/r/pull/5"))
        #expect(
            ReportEscaping.markdownLinkTarget("https://github.com/o/r/pull/&#54;")
                == "https://github.com/o/r/pull/&amp;#54;")
        #expect(
            ReportEscaping.markdownLinkTarget("https://example.org/a?x=1&y=2") == "https://example.org/a?x=1&amp;y=2")
    }

    /// A finding in several places says so in the PR comment, as in the HTML report and the
    /// gate's table, with the line of the first (it showed one file of three; found by a review).
    @Test func theMarkdownPlaceCountsTheOtherPlaces() {
        let secret = Finding(
            kind: .codeIssue, ruleID: "hardcoded-secret", title: "Hard-coded credential",
            ratings: [SeverityRating(source: "gitleaks", severity: .critical, isToolVerdict: true)],
            locations: [
                Location(path: "deploy/prod.env", startLine: 1), Location(path: "docs/example.md", startLine: 3),
                Location(path: "src/prod/config.js", startLine: 9),
            ],
            provenance: [Provenance(tool: "gitleaks", reportFile: "g.sarif", rawID: "hardcoded-secret")],
            identity: FindingIdentity(kind: .codeIssue, scope: FindingIdentity.sourceScope, subject: ["s"])
        ).finalized()
        let markdown = MarkdownReport.render(ReportContent(findings: FindingSet(merging: [secret]), reports: []))
        #expect(markdown.contains("| deploy/prod.env\\:1 (+2) |"), "\(markdown)")
    }

    @Test func theDiffTableWritesNoEscapeSequences() {
        let hostile = ReportSupport.vulnerability(
            "CVE-2024-1",
            title: "title \u{1B}[31mRED\u{1B}[0m \u{1B}]8;;https://evil.example\u{07}click\n::stop-commands::x")
        let diff = BaselineDiff(previous: [], current: [DiffEntry(hostile)], baselineFile: "old.json")
        let table = DiffText.table(diff, current: "new.json")
        #expect(!table.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(!table.split(separator: "\n").contains { $0.hasPrefix("::") })
        #expect(table.contains("RED"))
    }

    @Test func junitCasesOfOneSuiteHaveDistinctNames() throws {
        func sast(line: Int) -> Finding {
            Finding(
                kind: .codeIssue, ruleID: "py/sql-injection", title: "SQL query built from user-controlled sources",
                ratings: [SeverityRating(source: "codeql", severity: .high, isToolVerdict: true)],
                locations: [Location(path: "bad/libuser.py", startLine: line)],
                provenance: [Provenance(tool: "codeql", reportFile: "codeql.sarif", rawID: "py/sql-injection")],
                identity: FindingIdentity(
                    kind: .codeIssue, scope: FindingIdentity.sourceScope, subject: ["bad/libuser.py", "\(line)"])
            ).finalized()
        }
        // Two on different lines, two whose names would be the same (same line, another identity).
        var twin = sast(line: 25)
        twin.identity.subject = ["bad/libuser.py", "other"]
        let findings = [sast(line: 12), sast(line: 25), twin.finalized()]
        let xml = JUnitReport.render(ReportContent(findings: FindingSet(merging: findings), reports: []))
        let names = xml.split(separator: "\n").filter { $0.contains("<testcase ") }.compactMap { line in
            line.range(of: "name=\"").map { line[$0.upperBound...].prefix { $0 != "\"" } }
        }
        #expect(names.count == 3)
        #expect(Set(names).count == 3, "\(names)")
        #expect(names.contains { $0.hasPrefix("py/sql-injection bad/libuser.py:12: SQL query") && !$0.contains("[") })
    }
}
