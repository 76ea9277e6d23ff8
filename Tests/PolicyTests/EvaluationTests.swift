import Adapters
import Findings
import Foundation
import Policy
import Testing

@Suite("Policy evaluation")
struct EvaluationTests {
    /// A `tool:` no report comes from and ScanGate does not know (a typo) makes a rule that never
    /// fires: said in the warnings. A rule for a tool ScanGate reads is not, with or without it.
    @Test func aRuleNamingAnUnknownToolIsWarnedAbout() throws {
        let policy = try Support.policy(
            """
            scangate-policy: 1
            fail-on: critical
            rules:
              - match: { tool: trivvy, kind: secret }
                action: fail
              - match: { tool: zap, severity: info }
                action: ignore
            """)
        let decision = Support.evaluate([Support.finding("CVE-2024-1", severity: .high)], policy: policy)
        let warnings = decision.warnings.filter { $0.contains("names tool") }
        #expect(warnings.count == 1, "\(decision.warnings)")
        #expect(warnings.first?.contains("rule at policy.yaml:4 names tool \"trivvy\"") == true, "\(warnings)")
    }

    static let minimist = Support.finding(
        "CVE-2021-44906", severity: .critical, aliases: ["GHSA-xvch-5gv4-984h"],
        package: Support.npm("minimist", "1.2.5"), cwes: ["CWE-1321"],
        authorities: [
            SeverityRating(source: "ghsa", severity: .critical), SeverityRating(source: "redhat", severity: .medium),
        ])
    static let oldLodash = Support.finding(
        "CVE-2019-10744", severity: .critical, package: Support.npm("lodash", "4.17.11", fix: false))
    static let secret = Support.finding(
        "aws-access-key-id", kind: .secret, severity: .medium, path: "config/settings.env")
    static let web = Support.finding(
        "40012", kind: .webAlert, severity: .high, tool: "zap", url: "https://staging.example.test/search",
        cwes: ["CWE-79"])
    static let imageVuln = Support.finding(
        "CVE-2023-0001", severity: .low,
        package: Package(ecosystem: "debian", name: "openssl", installedVersion: "3.0.1"),
        image: "ghcr.io/acme/api:1.2", authorities: [SeverityRating(source: "debian", severity: .high)])
    static let unrated = Support.finding("CVE-2024-9999", severity: .unknown, package: Support.npm("left-pad", "1.0.0"))
    static let all = [minimist, oldLodash, secret, web, imageVuln, unrated]

    /// (rule, ids it must match among `all`)
    static let ruleCases: [(String, [String])] = [
        ("{ kind: secret }", ["aws-access-key-id"]),
        ("{ severity: critical }", ["CVE-2019-10744", "CVE-2021-44906"]),
        ("{ severity: \">=high\" }", ["40012", "CVE-2019-10744", "CVE-2021-44906", "CVE-2024-9999"]),
        ("{ severity: \"<medium\" }", ["CVE-2023-0001"]),
        ("{ severity: unknown }", ["CVE-2024-9999"]),
        ("{ tool: zap }", ["40012"]),
        ("{ id: \"CVE-2019-*\" }", ["CVE-2019-10744"]),
        ("{ id: \"ghsa-xvch-*\" }", ["CVE-2021-44906"]),
        ("{ id: [\"CVE-2019-*\", \"4001?\"] }", ["40012", "CVE-2019-10744"]),
        ("{ package: lodash }", ["CVE-2019-10744"]),
        ("{ package: { name: \"l*\", version: \"<4.17.21\" } }", ["CVE-2019-10744", "CVE-2024-9999"]),
        ("{ package: { name: \"lo*\", version: \"<4.17.21\" } }", ["CVE-2019-10744"]),
        ("{ package: { name: \"l*\", version: \">=1.0.0 <2.0.0\" } }", ["CVE-2024-9999"]),
        ("{ package: { ecosystem: debian } }", ["CVE-2023-0001"]),
        ("{ path: \"config/*\" }", ["aws-access-key-id"]),
        ("{ path: package-lock.json }", ["CVE-2019-10744", "CVE-2021-44906", "CVE-2024-9999"]),
        ("{ image: \"ghcr.io/acme/*\" }", ["CVE-2023-0001"]),
        ("{ image: \"ghcr.io/acme/api:1.2\" }", ["CVE-2023-0001"]),
        ("{ url: \"https://staging.example.test/*\" }", ["40012"]),
        ("{ cwe: 79 }", ["40012"]),
        ("{ cwe: [CWE-1321, CWE-79] }", ["40012", "CVE-2021-44906"]),
        ("{ fix-available: false }", ["CVE-2019-10744"]),
        ("{ fix-available: true }", ["CVE-2021-44906", "CVE-2024-9999"]),
        ("{ kind: vulnerability, severity: critical, fix-available: false }", ["CVE-2019-10744"]),
        (
            "{ new: true }",
            [
                "40012", "CVE-2019-10744", "CVE-2021-44906", "CVE-2023-0001", "CVE-2024-9999",
                "aws-access-key-id",
            ]
        ),
    ]

    @Test(arguments: ruleCases)
    func ruleMatching(_ match: String, _ expected: [String]) throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nrules:\n  - match: \(match)\n    action: ignore\n    reason: test\nfail-on: none\n")
        let decision = Support.evaluate(Self.all, policy: policy)
        let ignored = decision.verdicts.filter { $0.verdict == .ignored }.map(\.finding.ruleID).sorted()
        #expect(ignored == expected, "\(match)")
        for verdict in decision.verdicts where verdict.verdict == .ignored {
            #expect(verdict.reason.text.hasPrefix("rule 1 of policy.yaml (line 3): match {"))
            #expect(verdict.reason.text.hasSuffix("} → ignore: test"))
            #expect(verdict.reason.source == SourceRef(file: "policy.yaml", line: 3))
        }
    }

    @Test func firstMatchWinsBeforeThresholds() throws {
        let policy = try Support.policy(
            """
            scangate-policy: 1
            fail-on: high
            rules:
              - match: { id: "CVE-2019-*", fix-available: false }
                action: warn
              - match: { severity: critical }
                action: fail
              - match: { kind: secret }
                action: fail
            """)
        let decision = Support.evaluate(Self.all, policy: policy)
        #expect(Support.verdict(decision, "CVE-2019-10744")?.verdict == .warn)
        #expect(Support.verdict(decision, "CVE-2019-10744")?.reason.source?.line == 4)
        #expect(Support.verdict(decision, "CVE-2021-44906")?.reason.source?.line == 6)
        #expect(Support.verdict(decision, "aws-access-key-id")?.verdict == .fail)
        #expect(Support.verdict(decision, "40012")?.reason.kind == .threshold)
        #expect(
            Support.verdict(decision, "40012")?.reason.text
                == "severity high is at or above fail-on: high (policy.yaml:2)")
        #expect(!decision.passed)
    }

    @Test func unknownSeverityIsJudgedHighByDefault() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        let verdict = try #require(Support.verdict(Support.evaluate([Self.unrated], policy: policy), "CVE-2024-9999"))
        #expect(verdict.verdict == .fail && verdict.severity == .high && verdict.judgedSeverity == .unknown)
        #expect(verdict.reason.text.contains("severity unknown, judged as high"))
        let lenient = try Support.policy("scangate-policy: 1\nfail-on: high\nunknown-severity-as: low\n")
        #expect(Support.verdict(Support.evaluate([Self.unrated], policy: lenient), "CVE-2024-9999")?.verdict == .pass)
    }

    @Test func severitySourcesChooseTheJudgedSeverityAndShowDisagreement() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nseverity-sources: [vendor, redhat, tool]\n")
        let decision = Support.evaluate([Self.minimist, Self.imageVuln], policy: policy)
        let minimist = try #require(Support.verdict(decision, "CVE-2021-44906"))
        #expect(minimist.severitySource == "redhat" && minimist.severity == .medium && minimist.verdict == .pass)
        #expect(minimist.disagreement == ["ghsa critical", "redhat medium", "trivy critical"])
        let openssl = try #require(Support.verdict(decision, "CVE-2023-0001"))
        #expect(openssl.severitySource == "vendor (debian)" && openssl.verdict == .fail)
        #expect(decision.warnings.contains { $0.contains("CVE-2021-44906 (minimist 1.2.5): judged medium by redhat") })
        let resolved = Support.evaluate(
            [Self.minimist], policy: try Support.policy("scangate-policy: 1\nfail-on: none\n"))
        #expect(resolved.verdicts.first?.severitySource == "resolved" && resolved.warnings.isEmpty)
    }

    /// SUSE's vendor source is `suse-cvrf` for every SUSE ecosystem, under the names Trivy
    /// writes today and those older findings JSON may hold.
    @Test(arguments: [
        "sles", "slem", "opensuse-leap", "opensuse-tumbleweed", "opensuse", "suse linux enterprise server",
        "opensuse.leap",
    ])
    func suseVendorSeverityIsSUSEs(_ ecosystem: String) throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nseverity-sources: [vendor, nvd]\n")
        let finding = Support.finding(
            "CVE-2024-0727", severity: .critical,
            package: Package(ecosystem: ecosystem, name: "libopenssl3", installedVersion: "3.0.8"),
            authorities: [
                SeverityRating(source: "suse-cvrf", severity: .low), SeverityRating(source: "nvd", severity: .critical),
            ])
        let verdict = try #require(Support.evaluate([finding], policy: policy).verdicts.first)
        #expect(verdict.severitySource == "vendor (suse-cvrf)" && verdict.verdict == .pass, "\(ecosystem)")
    }

    /// Each listed finding is one line of its own, whatever line breaks report text holds (a
    /// title `x\n::error::y` must not start a line a reader or a CI runner takes for ScanGate's).
    @Test func reportTextWithLineBreaksStaysOnItsLine() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        var finding = Support.finding(
            "CVE-2024-1\n::error::forged", package: Support.npm("left\r\npad", "1.0.0"), path: "a\u{2028}b")
        finding.title = "Title\nsecond line\r::stop-commands::x"
        let decision = Support.evaluate([finding], policy: policy)
        let text = DecisionText.render(decision)
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        let listed = try #require(lines.firstIndex { $0.hasPrefix("FAIL") })
        #expect(lines[listed].hasSuffix("Title second line ::stop-commands::x"), "\(text)")
        #expect(lines[listed + 1].hasPrefix("        at a b"), "\(text)")
        #expect(!lines.contains { $0.drop { $0.isWhitespace }.hasPrefix("::") }, "\(text)")
        #expect(DecisionText.verdictLines(decision).allSatisfy { !$0.contains("\n") && !$0.contains("\r") })
        // Nor may it drive the terminal: escape sequences (ESC, C1 CSI, DEL) are shown as U+FFFD.
        var coloured = finding
        coloured.title = "red \u{1B}[31mtext\u{9B}2J\u{7F}"
        let colouredText = DecisionText.render(Support.evaluate([coloured], policy: policy))
        #expect(colouredText.contains("red \u{FFFD}[31mtext\u{FFFD}2J\u{FFFD}"), "\(colouredText)")
        #expect(!colouredText.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{7F}" })
    }

    /// A finding tagged with several weaknesses is relaxed only by a rule listing all of them;
    /// a fail rule takes it on any.
    @Test func cweRulesRelaxOnlyWhatTheyListInFull() throws {
        let xss = Support.finding(
            "js/reflected-xss", kind: .codeIssue, severity: .high, tool: "CodeQL", path: "src/app.js",
            cwes: ["CWE-79", "CWE-116"])
        let base = "scangate-policy: 1\nfail-on: high\nrules:\n"
        let ignoreOne = try Support.policy(base + "  - match: { cwe: 116 }\n    action: ignore\n    reason: r\n")
        #expect(Support.verdict(Support.evaluate([xss], policy: ignoreOne), "js/reflected-xss")?.verdict == .fail)
        let ignoreBoth = try Support.policy(
            base + "  - match: { cwe: [79, 116] }\n    action: ignore\n    reason: r\n")
        #expect(Support.verdict(Support.evaluate([xss], policy: ignoreBoth), "js/reflected-xss")?.verdict == .ignored)
        let failOne = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { cwe: 116 }\n    action: fail\n    reason: r\n")
        #expect(Support.verdict(Support.evaluate([xss], policy: failOne), "js/reflected-xss")?.verdict == .fail)
    }

    @Test func maxCountsFailTheRemainingFindingsOfThatSeverity() throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nwarn-on: medium\nmax: { high: 1, critical: 5 }\nfail-on: none\n")
        let decision = Support.evaluate(Self.all, policy: policy)
        #expect(!decision.passed)
        let highs = decision.verdicts.filter { $0.severity == .high }
        #expect(highs.count == 2 && highs.allSatisfy { $0.verdict == .fail && $0.reason.kind == .maxCount })
        #expect(highs.first?.reason.text == "max high: 2 high findings remain, the policy allows 1 (policy.yaml:3)")
        #expect(decision.maxCounts.map(\.exceeded) == [false, true])
        #expect(Support.verdict(decision, "CVE-2021-44906")?.verdict == .warn)
    }

    @Test func baselineAndFailOnNewOnly() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        let baseline = Baseline(file: "previous.json", fingerprints: [Self.minimist.fingerprint])
        let decision = Support.evaluate([Self.minimist, Self.oldLodash], policy: policy, baseline: baseline)
        let known = try #require(Support.verdict(decision, "CVE-2021-44906"))
        #expect(known.verdict == .warn && !known.isNew && known.reason.kind == .baseline)
        #expect(known.reason.text.contains("fail-on-new-only at policy.yaml:3"))
        #expect(Support.verdict(decision, "CVE-2019-10744")?.verdict == .fail)
        let newRule = try Support.policy(
            "scangate-policy: 1\nwarn-on: low\nfail-on: none\nrules:\n"
                + "  - match: { new: true, severity: \">=high\" }\n    action: fail\n"
        )
        let byRule = Support.evaluate([Self.minimist, Self.oldLodash], policy: newRule, baseline: baseline)
        #expect(Support.verdict(byRule, "CVE-2021-44906")?.verdict == .warn)
        #expect(Support.verdict(byRule, "CVE-2019-10744")?.verdict == .fail)
    }

    /// A baseline accepted the finding at its severity then: a rise makes it new again, or
    /// `fail-on-new-only` would pass a vulnerability that became critical.
    @Test func aFindingMoreSevereThanInTheBaselineIsNew() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nfail-on-new-only: true\n")
        let earlier = Support.finding(
            "CVE-2021-44906", severity: .low, package: Support.npm("minimist", "1.2.5"), path: "package-lock.json")
        let baseline = Baseline(file: "previous.json", traces: [FindingTrace(earlier)])
        let decision = Support.evaluate([Self.minimist], policy: policy, baseline: baseline)
        let verdict = try #require(Support.verdict(decision, "CVE-2021-44906"))
        #expect(verdict.isNew && verdict.verdict == .fail, "\(verdict.reason.text)")
        #expect(verdict.notes.contains("new at this severity: the baseline has it as low, now critical"))
        #expect(!decision.passed)
        // At the same severity it is the finding the baseline holds.
        let same = Baseline(file: "previous.json", traces: [FindingTrace(Self.minimist)])
        let known = try #require(
            Support.verdict(Support.evaluate([Self.minimist], policy: policy, baseline: same), "CVE-2021-44906"))
        #expect(!known.isNew && known.verdict == .warn)
    }

    /// A waiver of minimist's CVE-2021-44906, unscoped, until `expires`.
    static func minimistWaiver(expiring expires: String) throws -> WaiverFile {
        try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-44906
                reason: no user input reaches it
                approved-by: security@example.org
                expires: \(expires)

            """, file: "waivers.yaml")
    }

    /// Two waivers that both hold for a finding: the one that holds longest applies, whatever
    /// the order of the files. In file order, swapping `--waivers` swapped the reason and
    /// approver shown, and the "expires in 2 days" warning came and went.
    @Test func ofTwoWaiversThatHoldTheLongestApplies() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        let later = try Self.minimistWaiver(expiring: "2026-12-20")
        let sooner = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-44906
                reason: fixed next sprint
                approved-by: lead@example.org
                expires: 2026-11-27

            """, file: "sooner.yaml")
        for order in [[later, sooner], [sooner, later]] {
            let decision = Support.evaluate([Self.minimist], policy: policy, waivers: order)
            let verdict = try #require(Support.verdict(decision, "CVE-2021-44906"))
            #expect(verdict.verdict == .waived)
            #expect(verdict.waiver?.expires == Support.day("2026-12-20"), "\(verdict.reason.text)")
            #expect(!decision.warnings.contains { $0.contains("expires on 2026-11-27") }, "\(decision.warnings)")
        }
    }

    /// A waiver accepts a finding until it expires: a baseline taken while it was waived holds
    /// it, but once the waiver lapses `fail-on-new-only` must not let it pass as old.
    @Test func aFindingWhoseWaiverLapsedIsNewAgain() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        let waivers = try Self.minimistWaiver(expiring: "2026-11-20")
        let baseline = Baseline(file: "previous.json", traces: [FindingTrace(Self.minimist)])
        let lapsed = try #require(
            Support.verdict(
                Support.evaluate([Self.minimist], policy: policy, waivers: [waivers], baseline: baseline),
                "CVE-2021-44906"))
        #expect(lapsed.isNew && lapsed.verdict == .fail, "\(lapsed.reason.text)")
        #expect(lapsed.notes.contains { $0.hasPrefix("new again: the baseline has it, but its waiver CVE-2021-44906") })
        // While the waiver holds it is waived; without a waiver it is the baseline's, as before.
        let held = Support.evaluate(
            [Self.minimist], policy: policy, waivers: [waivers], baseline: baseline, today: Support.day("2026-11-19"))
        #expect(Support.verdict(held, "CVE-2021-44906")?.verdict == .waived)
        let plain = Support.evaluate([Self.minimist], policy: policy, baseline: baseline)
        #expect(Support.verdict(plain, "CVE-2021-44906")?.verdict == .warn)
    }

    /// minimist as npm audit 7+ alone reports it: its GHSA, no CVE, no version (the baseline's
    /// finding was Trivy's and npm audit's merged, with the CVE and version).
    static let minimistFromNPMAlone = Support.finding(
        "GHSA-xvch-5gv4-984h", severity: .critical, tool: "npm-audit",
        package: Package(ecosystem: "npm", name: "minimist", installedVersion: nil, purl: nil))

    /// A baseline finding waived in its run, or named by a waiver that has expired since, is not
    /// known when this run's finding is it under another fingerprint (a scanner dropped).
    @Test func aBaselineFindingUnderAnotherFingerprintKeepsItsExcuseAndItsWaiver() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        #expect(Self.minimistFromNPMAlone.fingerprint != Self.minimist.fingerprint)
        let excused = Baseline(
            file: "previous.json", traces: [FindingTrace(Self.minimist)],
            unaccepted: [Self.minimist.fingerprint: .waived])
        let waivedThen = try #require(
            Support.verdict(
                Support.evaluate([Self.minimistFromNPMAlone], policy: policy, baseline: excused), "GHSA-xvch-5gv4-984h")
        )
        #expect(waivedThen.isNew && waivedThen.verdict == .fail, "\(waivedThen.reason.text)")
        #expect(waivedThen.notes.contains { $0.hasPrefix("new again: the baseline has it only as waived") })
        // The waiver named the CVE, which npm audit alone does not give: it lapsed all the same.
        let open = Baseline(file: "previous.json", traces: [FindingTrace(Self.minimist)])
        let waivers = try Self.minimistWaiver(expiring: "2026-11-20")
        let lapsed = try #require(
            Support.verdict(
                Support.evaluate([Self.minimistFromNPMAlone], policy: policy, waivers: [waivers], baseline: open),
                "GHSA-xvch-5gv4-984h"))
        #expect(lapsed.isNew && lapsed.verdict == .fail, "\(lapsed.reason.text)")
        #expect(lapsed.notes.contains { $0.hasPrefix("new again: the baseline has it, but its waiver CVE-2021-44906") })
        // A waiver naming the CVE that still holds is not stale, and the finding says what to add.
        let holding = try Self.minimistWaiver(expiring: "2026-12-20")
        let decision = Support.evaluate(
            [Self.minimistFromNPMAlone], policy: policy, waivers: [holding], baseline: excused)
        let named = try #require(Support.verdict(decision, "GHSA-xvch-5gv4-984h"))
        #expect(
            named.notes.contains {
                $0.contains("names it as the baseline knew it (CVE-2021-44906)")
                    && $0.contains("name GHSA-xvch-5gv4-984h in a waiver")
            }, "\(named.notes)")
        #expect(!decision.warnings.contains { $0.contains("stale") }, "\(decision.warnings)")
        // Neither excused nor waived then: known, as before.
        let known = try #require(
            Support.verdict(
                Support.evaluate([Self.minimistFromNPMAlone], policy: policy, baseline: open), "GHSA-xvch-5gv4-984h"))
        #expect(!known.isNew && known.verdict == .warn, "\(known.reason.text)")
    }

    /// A finding its tool suppressed then and now is not new (the table marked it `[new]`).
    @Test func aFindingSuppressedByItsToolThenAndNowIsNotNew() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        let suppressed = Support.finding(
            "10021", kind: .webAlert, severity: .low, tool: "zap", url: "https://app.example/", suppressed: true)
        let baseline = Baseline(file: "previous.json", traces: [], toolSuppressed: [FindingTrace(suppressed)])
        let verdict = try #require(
            Support.verdict(Support.evaluate([suppressed], policy: policy, baseline: baseline), "10021"))
        #expect(verdict.verdict == .suppressedByTool)
        #expect(!verdict.isNew)
        let elsewhere = Baseline(file: "previous.json", traces: [], toolSuppressed: [])
        #expect(
            Support.verdict(Support.evaluate([suppressed], policy: policy, baseline: elsewhere), "10021")?.isNew == true
        )
    }

    /// An npm advisory naming its CVE is not the baseline's finding of another CVE of the same
    /// package whose references link to that advisory (as merging keeps them apart).
    @Test func anAdvisoryOfAnotherCVEIsNotTheBaselinesFinding() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        let trivy = Support.finding(
            "CVE-2020-0001", aliases: ["GHSA-aaaa-bbbb-cccc"], package: Support.npm("lodash", "4.17.15"))
        var npm = Support.finding(
            "CVE-2020-0002", aliases: ["GHSA-aaaa-bbbb-cccc"], tool: "npm-audit",
            package: Support.npm("lodash", "4.17.15"))
        npm.provenance = [Provenance(tool: "npm-audit", reportFile: "npm.json", rawID: "1500")]
        let baseline = Baseline(file: "previous.json", traces: [FindingTrace(trivy)])
        let verdict = try #require(
            Support.verdict(Support.evaluate([npm], policy: policy, baseline: baseline), "CVE-2020-0002"))
        #expect(verdict.isNew && verdict.verdict == .fail, "\(verdict.reason.text)")
    }

    /// A baseline that records its decision (a report JSON) knows which findings it held only as
    /// waived: one no waiver holds now is new again, whether its waiver expired or was deleted
    /// (before, deleting the expired entry made it known, and `fail-on-new-only` let it pass).
    @Test func aFindingTheBaselineHeldOnlyAsWaivedIsNewAgainWithoutAWaiver() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        let baseline = Baseline(
            file: "previous.json", traces: [FindingTrace(Self.minimist)],
            unaccepted: [Self.minimist.fingerprint: .waived])
        let deleted = try #require(
            Support.verdict(Support.evaluate([Self.minimist], policy: policy, baseline: baseline), "CVE-2021-44906"))
        #expect(deleted.isNew && deleted.verdict == .fail, "\(deleted.reason.text)")
        #expect(
            deleted.notes.contains {
                $0.hasPrefix(
                    "new again: the baseline has it only as waived or VEX-suppressed (its decision in previous.json)")
            }, "\(deleted.notes)")
        // Waived now as then: waived, and known.
        let waivers = try Self.minimistWaiver(expiring: "2026-12-20")
        let held = try #require(
            Support.verdict(
                Support.evaluate([Self.minimist], policy: policy, waivers: [waivers], baseline: baseline),
                "CVE-2021-44906"))
        #expect(held.verdict == .waived && !held.isNew)
        // A baseline that held it open (not waived) knows it: it warns.
        let open = Baseline(file: "previous.json", traces: [FindingTrace(Self.minimist)], unaccepted: [:])
        let known = try #require(
            Support.verdict(Support.evaluate([Self.minimist], policy: policy, baseline: open), "CVE-2021-44906"))
        #expect(!known.isNew && known.verdict == .warn)
    }

    /// A baseline is the last accepted state: a finding its decision failed (it blocked that run)
    /// was never accepted, so re-running a failed pipeline with its own output as baseline fails
    /// again (before, the finding only warned and the run passed). One it ignored by a rule is
    /// known: a rule ignoring known findings finds it known again.
    @Test func aFindingTheBaselineFailedIsNotKnownButOneItIgnoredIs() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        let failedThen = Baseline(
            file: "previous.json", traces: [FindingTrace(Self.minimist)], unaccepted: [Self.minimist.fingerprint: .fail]
        )
        let failed = try #require(
            Support.verdict(Support.evaluate([Self.minimist], policy: policy, baseline: failedThen), "CVE-2021-44906"))
        #expect(failed.isNew && failed.verdict == .fail, "\(failed.reason.text)")
        #expect(
            failed.notes.contains {
                $0.hasPrefix("new again: the baseline's decision failed it (in previous.json)")
            }, "\(failed.notes)")
        // So is the same finding under another fingerprint (a scanner dropped since).
        let renamed = try #require(
            Support.verdict(
                Support.evaluate([Self.minimistFromNPMAlone], policy: policy, baseline: failedThen),
                "GHSA-xvch-5gv4-984h"))
        #expect(renamed.isNew && renamed.verdict == .fail, "\(renamed.reason.text)")
        // Waived now: waived, and known.
        let waivers = try Self.minimistWaiver(expiring: "2026-12-20")
        let waivedNow = try #require(
            Support.verdict(
                Support.evaluate([Self.minimist], policy: policy, waivers: [waivers], baseline: failedThen),
                "CVE-2021-44906"))
        #expect(waivedNow.verdict == .waived && !waivedNow.isNew)

        let ignoredThen = Baseline(
            file: "previous.json", traces: [FindingTrace(Self.minimist)],
            unaccepted: [Self.minimist.fingerprint: .ignored])
        let knownIgnoring = try Support.policy(
            "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\nrules:\n"
                + "  - match: {new: false}\n    action: ignore\n    reason: known findings are tracked elsewhere\n")
        let stillIgnored = try #require(
            Support.verdict(
                Support.evaluate([Self.minimist], policy: knownIgnoring, baseline: ignoredThen), "CVE-2021-44906"))
        #expect(stillIgnored.verdict == .ignored && !stillIgnored.isNew, "\(stillIgnored.reason.text)")
        let known = try #require(
            Support.verdict(Support.evaluate([Self.minimist], policy: policy, baseline: ignoredThen), "CVE-2021-44906"))
        #expect(!known.isNew && known.verdict == .warn)
        // Accepted then only by its scanner's suppression, under a policy that trusted it: a
        // policy that does not trust suppressions judges it new (it only warned, as known).
        let untrusting = try Support.policy(
            "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\ntrust-tool-suppressions: false\n")
        let hidden = Support.finding(
            "CVE-2099-0001", severity: .critical, package: Support.npm("left-pad", "1.0.0"), suppressed: true)
        let suppressedThen = Baseline(
            file: "previous.json", traces: [], toolSuppressed: [FindingTrace(hidden)],
            unaccepted: [hidden.fingerprint: .suppressedByTool])
        let untrusted = try #require(
            Support.verdict(Support.evaluate([hidden], policy: untrusting, baseline: suppressedThen), "CVE-2099-0001"))
        #expect(untrusted.isNew && untrusted.verdict == .fail, "\(untrusted.reason.text)")
        #expect(
            untrusted.notes.contains {
                $0.hasPrefix("new again: the baseline has it only as suppressed by its scanner")
            })
        let trusted = try #require(
            Support.verdict(Support.evaluate([hidden], policy: policy, baseline: suppressedThen), "CVE-2099-0001"))
        #expect(trusted.verdict == .suppressedByTool && !trusted.isNew)
        // A warned finding was accepted as known: it warns again.
        let warnedThen = Baseline(
            file: "previous.json", traces: [FindingTrace(Self.minimist)], unaccepted: [Self.minimist.fingerprint: .warn]
        )
        let warned = try #require(
            Support.verdict(Support.evaluate([Self.minimist], policy: policy, baseline: warnedThen), "CVE-2021-44906"))
        #expect(!warned.isNew && warned.verdict == .warn)
    }

    /// `--env` over a policy that declares another environment is allowed, never silent: that
    /// environment's waivers hold under this policy's thresholds.
    @Test func anEnvironmentOtherThanThePolicyDeclaresIsWarnedAbout() throws {
        let policy = try Support.policy("scangate-policy: 1\nenvironment: production\nfail-on: high\n")
        let overridden = Support.evaluate([Self.minimist], policy: policy, environment: "staging")
        #expect(overridden.environment == "staging")
        #expect(
            overridden.warnings.contains {
                $0.hasPrefix("gated in staging, though the policy declares environment: production (")
            }, "\(overridden.warnings)")
        for same in [nil, "production"] {
            let decision = Support.evaluate([Self.minimist], policy: policy, environment: same)
            #expect(!decision.warnings.contains { $0.hasPrefix("gated in") })
        }
        // A file named for an environment declares it as plainly (found by a review): staging.yaml
        // gating production is warned about; a file named otherwise is any environment's.
        let named = try Support.policy(
            ["staging.yaml": "scangate-policy: 1\nfail-on: critical\n"], main: "staging.yaml")
        #expect(named.environmentIsFromFileName)
        let asProduction = Support.evaluate([Self.minimist], policy: named, environment: "production")
        #expect(
            asProduction.warnings.contains {
                $0.hasPrefix(
                    "gated in production, though the policy declares environment staging (the file's name, staging.yaml)"
                )
            }, "\(asProduction.warnings)")
        // Of one family (prod.yaml for production, any case), or for an environment of no family
        // (development.yaml serving test too): no warning (found by the diff review).
        for (file, environment) in [
            ("prod.yaml", "production"), ("production.yaml", "Production"), ("development.yaml", "test"),
        ] {
            let policy = try Support.policy([file: "scangate-policy: 1\nfail-on: critical\n"], main: file)
            #expect(
                !Support.evaluate([Self.minimist], policy: policy, environment: environment).warnings.contains {
                    $0.hasPrefix("gated in")
                }, "\(file) as \(environment)")
        }
        let generic = try Support.policy(["team.yaml": "scangate-policy: 1\nfail-on: critical\n"], main: "team.yaml")
        #expect(generic.declaredEnvironment == nil)
        #expect(
            !Support.evaluate([Self.minimist], policy: generic, environment: "production").warnings.contains {
                $0.hasPrefix("gated in")
            })
    }

    /// A finding nobody rates now is judged at `unknown-severity-as`: above the baseline's low it
    /// is new, not the finding the baseline accepted.
    @Test func anUnratedFindingIsComparedAtUnknownSeverityAs() throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\nunknown-severity-as: high\n")
        let earlier = Support.finding(
            "CVE-2021-44906", severity: .low, package: Support.npm("minimist", "1.2.5"), path: "package-lock.json")
        let now = Support.finding(
            "CVE-2021-44906", severity: .unknown, package: Support.npm("minimist", "1.2.5"), path: "package-lock.json")
        let baseline = Baseline(file: "previous.json", traces: [FindingTrace(earlier)])
        let verdict = try #require(
            Support.verdict(Support.evaluate([now], policy: policy, baseline: baseline), "CVE-2021-44906"))
        #expect(verdict.isNew && verdict.verdict == .fail, "\(verdict.reason.text)")
        #expect(verdict.notes.contains("new at this severity: the baseline has it as low, now high"))
    }

    /// `warn-on` at or above `fail-on` (a stricter file lowering `fail-on` under the `warn-on`
    /// it extends) warns about nothing: said in the decision.
    @Test func warnOnAtOrAboveFailOnIsWarnedAbout() throws {
        let layered = try Support.policy([
            "base.yaml": "scangate-policy: 1\nfail-on: critical\nwarn-on: high\n",
            "policy.yaml": "scangate-policy: 1\nextends: base.yaml\nfail-on: medium\n",
        ])
        let warnings = Support.evaluate([Self.minimist], policy: layered).warnings
        #expect(
            warnings.contains(
                "warn-on: high (base.yaml:3) is at or above fail-on: medium (policy.yaml:3): no finding warns by "
                    + "its severity, every one at or above medium fails"), "\(warnings)")
        let ordinary = try Support.policy("scangate-policy: 1\nfail-on: high\nwarn-on: medium\n")
        #expect(!Support.evaluate([Self.minimist], policy: ordinary).warnings.contains { $0.hasPrefix("warn-on:") })
    }

    @Test func toolSuppressedFindingsNeverCount() throws {
        let suppressed = Support.finding("CVE-2020-1", severity: .critical, path: "a", suppressed: true)
        let decision = Support.evaluate([suppressed], policy: try Support.policy("scangate-policy: 1\nfail-on: low\n"))
        #expect(decision.passed && decision.counts.suppressedByTool == 1)
        #expect(decision.verdicts.first?.reason.text == "suppressed by .trivyignore (ignored)")
        // Listed, so that a scanner's ignore file does not decide unseen.
        let text = DecisionText.render(decision)
        #expect(text.contains("MUTED   critical vulnerability CVE-2020-1"), "\(text)")
        #expect(text.contains("CVE-2020-1") && text.contains("suppressed by .trivyignore (ignored)"), "\(text)")
    }

    /// A `.trivyignore` entry has no expiry, approver or severity: a policy can decline to trust
    /// it, and then the finding is judged like any other (a waiver is how to accept it).
    @Test func aPolicyCanDeclineToTrustToolSuppressions() throws {
        let suppressed = Support.finding("CVE-2020-1", severity: .critical, path: "a", suppressed: true)
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\ntrust-tool-suppressions: false\n")
        let decision = Support.evaluate([suppressed], policy: policy)
        let verdict = try #require(decision.verdicts.first)
        #expect(!decision.passed && verdict.verdict == .fail && decision.counts.suppressedByTool == 0)
        #expect(
            verdict.notes.contains {
                $0.contains("suppressed by .trivyignore (ignored), which the policy does not trust")
                    && $0.contains("policy.yaml:3")
            }, "\(verdict.notes)")
        // An extending file inherits the setting and can turn it back on.
        let layered = try Support.policy([
            "base.yaml": "scangate-policy: 1\nfail-on: high\ntrust-tool-suppressions: false\n",
            "policy.yaml": "scangate-policy: 1\nextends: base.yaml\n",
        ])
        #expect(!Support.evaluate([suppressed], policy: layered).passed)
        let trusting = try Support.policy([
            "base.yaml": "scangate-policy: 1\nfail-on: high\ntrust-tool-suppressions: false\n",
            "policy.yaml": "scangate-policy: 1\nextends: base.yaml\ntrust-tool-suppressions: true\n",
        ])
        #expect(Support.evaluate([suppressed], policy: trusting).passed)
        #expect(Support.policyError(["policy.yaml": "scangate-policy: 1\ntrust-tool-suppressions: sometimes\n"]) != nil)
    }

    @Test func signaturesRequiredAreReportedAsNotVerified() throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nsignatures: { required: true, keys: [k.pub] }\nfail-on: none\n")
        let decision = Support.evaluate([], policy: policy)
        #expect(decision.signatures.status == .notVerified)
        #expect(decision.warnings.first?.contains("signatures NOT verified") == true)
        #expect(decision.warnings.first?.contains("scangate release-gate will enforce them") == true)
        #expect(DecisionText.summaryLine(decision).contains("signatures NOT verified"))
    }

    @Test func theEnvironmentOverride() throws {
        let decision = Support.evaluate(
            [], policy: try Support.policy("scangate-policy: 1\nfail-on: none\n"), environment: "qa")
        #expect(decision.environment == "qa")
        #expect(
            DecisionText.summaryLine(decision) == "PASS: 0 failing, 0 warnings, 0 waived, 0 ignored, 0 VEX-suppressed, "
                + "0 suppressed by tools, 0 passed (policy policy.yaml, env qa)")
    }

    @Test func theTextCanListTheFirstFindingsOfEachVerdictAndCountTheRest() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nwarn-on: low\n")
        let findings =
            (0..<5).map { Support.finding("CVE-2024-100\($0)", severity: .critical, path: "f\($0)") }
            + (0..<3).map { Support.finding("CVE-2024-200\($0)", severity: .low, path: "w\($0)") }
        let decision = Support.evaluate(findings, policy: policy)
        let everything = DecisionText.render(decision)
        let capped = DecisionText.render(decision, listingAtMost: 3, whereListed: "every one is in decision.json")
        func listed(_ text: String, _ label: String) -> [String] {
            text.split(separator: "\n").filter { $0.hasPrefix(label) }.map(String.init)
        }
        #expect(listed(everything, "FAIL ").count == 5 && listed(everything, "WARN ").count == 3)
        // The first three of each verdict, most severe first as in the full text.
        #expect(listed(capped, "FAIL ") == Array(listed(everything, "FAIL ").prefix(3)))
        #expect(listed(capped, "WARN ") == listed(everything, "WARN "))
        #expect(capped.contains("\n... 2 more failing findings not listed here; every one is in decision.json\n"))
        #expect(!capped.contains("more warning"))
        #expect(!everything.contains("not listed here"))
        // The summary still counts every finding.
        #expect(capped.hasSuffix(DecisionText.summaryLine(decision) + "\n"))
        #expect(DecisionText.summaryLine(decision).hasPrefix("FAIL: 5 failing, 3 warnings"))
    }

    @Test func theOutputIsDeterministic() throws {
        let policy = try PolicyLoader().load(path: Support.path("policies/production.yaml"))
        let findings = try Support.exampleFindings()
        let first = Support.evaluate(findings, policy: policy)
        let second = Support.evaluate(findings.reversed(), policy: policy)
        #expect(DecisionJSON.encode(first) == DecisionJSON.encode(second))
        #expect(DecisionText.render(first) == DecisionText.render(second))
        let json = try JSONSerialization.jsonObject(with: Data(DecisionJSON.encode(first))) as? [String: Any]
        #expect(json?["schema"] as? String == "scangate-gate/1")
        #expect(json?["decision"] as? String == "fail")
    }
}

@Suite("Policy shipped policies against the example reports")
struct ShippedPolicyTests {
    static func decide(_ name: String) throws -> Decision {
        let policy = try PolicyLoader().load(path: Support.path("policies/\(name).yaml"))
        return Support.evaluate(try Support.exampleFindings(), policy: policy)
    }

    @Test func stagingFailsOnTheCriticalMinimistFinding() throws {
        let decision = try Self.decide("staging")
        #expect(!decision.passed)
        let minimist = try #require(decision.verdicts.first { $0.finding.package?.name == "minimist" })
        #expect(minimist.verdict == .fail && minimist.severity == .critical)
        #expect(minimist.reason.source?.file.hasSuffix("policies/staging.yaml") == true)
        #expect(decision.verdicts.filter { $0.verdict == .fail }.allSatisfy { $0.severity == .critical })
    }

    @Test func devPassesWithWarnings() throws {
        let decision = try Self.decide("dev")
        #expect(decision.passed)
        #expect(decision.counts.failing == 0 && decision.counts.warnings > 0)
        #expect(DecisionText.summaryLine(decision).hasPrefix("PASS: 0 failing, "))
    }

    @Test func productionFailsOnHighAndOnAnySecret() throws {
        let decision = try Self.decide("production")
        #expect(!decision.passed)
        let secret = try #require(decision.verdicts.first { $0.finding.kind == .secret })
        #expect(secret.verdict == .fail && secret.reason.kind == .rule)
        let failing = decision.verdicts.filter { $0.verdict == .fail }
        #expect(failing.allSatisfy { $0.severity >= .high || $0.finding.kind == .secret })
        #expect(decision.verdicts.filter { $0.severity >= .high && $0.verdict == .warn }.isEmpty)
        #expect(decision.signatures.status == .notVerified)
    }

    @Test func aSecretOfAnySeverityFailsProduction() throws {
        let policy = try PolicyLoader().load(path: Support.path("policies/production.yaml"))
        let secret = Support.finding("generic-token", kind: .secret, severity: .low, path: "a.env")
        #expect(!Support.evaluate([secret], policy: policy).passed)
    }
}

@Suite("Policy corpus reports", .enabled(if: Support.corpusIsAvailable))
struct CorpusPolicyTests {
    static func reports() -> [URL] {
        ["trivy", "npm-audit", "zap", "sarif"].flatMap { folder -> [URL] in
            let directory = Support.corpus.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.sorted().map { directory.appendingPathComponent($0) }
        }
    }

    /// Thresholds only: the verdict counts follow from the severities, counted independently.
    @Test func thresholdVerdictsMatchAnIndependentCount() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nwarn-on: medium\n")
        var checked = 0
        for url in Self.reports() {
            guard let report = try? ReportReader().read(path: url.path) else { continue }
            let set = FindingSet(merging: report.findings)
            let decision = Gate.evaluate(GateInput(findings: set, policy: policy, today: Support.today))
            let open = set.open
            let critical = open.count { $0.severity == .critical }
            let warn = open.count { [.high, .medium, .unknown].contains($0.severity) }
            #expect(decision.counts.failing == critical, "\(url.lastPathComponent)")
            #expect(decision.counts.warnings == warn, "\(url.lastPathComponent)")
            #expect(decision.counts.suppressedByTool == set.suppressed.count, "\(url.lastPathComponent)")
            #expect(decision.counts.passed == open.count - critical - warn, "\(url.lastPathComponent)")
            #expect(decision.passed == (critical == 0), "\(url.lastPathComponent)")
            checked += 1
        }
        #expect(checked > 100)
    }

    /// The shipped policies over every corpus report: every failing or warning verdict names a
    /// file and line, and the decision does not depend on the order of the findings.
    @Test(arguments: ["dev", "staging", "production"])
    func shippedPoliciesExplainEveryVerdict(_ name: String) throws {
        let policy = try PolicyLoader().load(path: Support.path("policies/\(name).yaml"))
        for url in Self.reports() {
            guard let report = try? ReportReader().read(path: url.path) else { continue }
            let decision = Support.evaluate(report.findings, policy: policy)
            for verdict in decision.verdicts where verdict.verdict == .fail || verdict.verdict == .warn {
                #expect(verdict.reason.source != nil, "\(url.lastPathComponent): \(verdict.reason.text)")
            }
            if name == "dev" { #expect(decision.passed, "\(url.lastPathComponent)") }
            let reversed = Support.evaluate(report.findings.reversed(), policy: policy)
            #expect(DecisionJSON.encode(reversed) == DecisionJSON.encode(decision), "\(url.lastPathComponent)")
        }
    }
}
