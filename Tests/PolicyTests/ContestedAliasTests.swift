import Findings
import Foundation
import Policy
import TestSupport
import Testing

/// Two CVEs of one package whose references both link one GHSA advisory both have it as an
/// alias. A waiver, OpenVEX statement or relaxing rule naming the advisory, written for one of
/// them, must not take out the other (merging keeps the two apart for the same reason): the
/// alias names neither when relaxing, and the gate says why.
@Suite("Aliases several vulnerabilities share")
struct ContestedAliasTests {
    static let advisory = "GHSA-aaaa-bbbb-cccc"

    /// CVE-2022-0001 (critical) and CVE-2022-0002 (low) of lodash 4.17.15, both linking the advisory.
    static func findings() -> [Finding] {
        [
            Support.finding(
                "CVE-2022-0001", severity: .critical, aliases: [advisory], package: Support.npm("lodash", "4.17.15")),
            Support.finding(
                "CVE-2022-0002", severity: .low, aliases: [advisory], package: Support.npm("lodash", "4.17.15")),
        ]
    }

    static func waiver(_ id: String) throws -> WaiverFile {
        try WaiverTests.waivers(WaiverTests.entry(id: id, expires: "2026-12-31", severity: nil))
    }

    static let staging = "scangate-policy: 1\nenvironment: staging\nfail-on: critical\nwarn-on: high\n"

    @Test func aWaiverNamingTheSharedAdvisoryWaivesNeither() throws {
        let decision = Support.evaluate(
            Self.findings(), policy: try Support.policy(Self.staging), waivers: [try Self.waiver(Self.advisory)])
        #expect(!decision.passed)
        let critical = try #require(Support.verdict(decision, "CVE-2022-0001"))
        #expect(critical.verdict == .fail)
        #expect(
            critical.notes.contains(
                "waiver \(Self.advisory) (waivers.yaml:3) names \(Self.advisory), which CVE-2022-0002 here has too: "
                    + "an id of more than one vulnerability, not applied (to waive this one, name CVE-2022-0001)"),
            "\(critical.notes)")
        #expect(Support.verdict(decision, "CVE-2022-0002")?.verdict != .waived)
        #expect(decision.waivers.map(\.state) == [.notApplied])
        #expect(
            decision.warnings.contains(
                "waiver \(Self.advisory) (waivers.yaml:3) applies to no finding: \(Self.advisory) is an id of several "
                    + "vulnerabilities here (CVE-2022-0001, CVE-2022-0002): name the one it is for"),
            "\(decision.warnings)")
    }

    @Test func aWaiverNamingOneOfTheCVEsWaivesThatOneOnly() throws {
        let decision = Support.evaluate(
            Self.findings(), policy: try Support.policy(Self.staging), waivers: [try Self.waiver("CVE-2022-0002")])
        #expect(Support.verdict(decision, "CVE-2022-0002")?.verdict == .waived)
        #expect(Support.verdict(decision, "CVE-2022-0001")?.verdict == .fail)
    }

    /// An alias no other vulnerability here has still names the finding.
    @Test func anUncontestedAliasStillNamesTheFinding() throws {
        let decision = Support.evaluate(
            [Self.findings()[0]], policy: try Support.policy(Self.staging), waivers: [try Self.waiver(Self.advisory)])
        #expect(Support.verdict(decision, "CVE-2022-0001")?.verdict == .waived)
        #expect(decision.passed)
    }

    @Test func anOpenVEXStatementNamingTheSharedAdvisorySetsAsideNeither() throws {
        let lodash = #"[{"@id": "pkg:npm/lodash@4.17.15"}]"#
        let notAffected = #", "justification": "vulnerable_code_not_in_execute_path""#
        let shared = try VEXTests.document(
            VEXTests.statement(#"{"name": "\#(Self.advisory)"}"#, lodash, "not_affected", notAffected))
        let decision = Support.evaluate(Self.findings(), policy: try Support.policy(Self.staging), vex: [shared])
        #expect(!decision.passed)
        #expect(decision.counts.vexSuppressed == 0)
        let critical = try #require(Support.verdict(decision, "CVE-2022-0001"))
        #expect(
            critical.notes.contains {
                $0.hasPrefix("OpenVEX statement 1 (vex.json:")
                    && $0.contains("(to set aside this one, name CVE-2022-0001)")
            },
            "\(critical.notes)")
        #expect(
            decision.warnings.contains {
                $0.hasSuffix(
                    "applies to no finding: \(Self.advisory) is an id of several vulnerabilities here (CVE-2022-0001, "
                        + "CVE-2022-0002): name the one it is for")
            }, "\(decision.warnings)")
        #expect(!decision.warnings.contains { $0.contains("matches no finding") }, "\(decision.warnings)")

        let byCVE = try VEXTests.document(
            VEXTests.statement(#"{"name": "CVE-2022-0001"}"#, lodash, "not_affected", notAffected))
        let named = Support.evaluate(Self.findings(), policy: try Support.policy(Self.staging), vex: [byCVE])
        #expect(Support.verdict(named, "CVE-2022-0001")?.verdict == .vexSuppressed)
        #expect(Support.verdict(named, "CVE-2022-0002")?.verdict != .vexSuppressed)
    }

    /// An `affected` statement keeps a finding in by any alias, as a failing rule matches any: a
    /// later one naming the shared advisory still outranks an older `not_affected` for the CVE
    /// (it was left out, and the older statement passed the finding; found by the diff review).
    @Test func anAffectedStatementNamingTheSharedAdvisoryStillKeepsTheFindingIn() throws {
        let lodash = #"[{"@id": "pkg:npm/lodash@4.17.15"}]"#
        let document = try VEXTests.document(
            VEXTests.statement(
                #"{"name": "CVE-2022-0001"}"#, lodash, "not_affected",
                #", "justification": "vulnerable_code_not_in_execute_path", "timestamp": "2026-10-01T00:00:00Z""#)
                + ",\n"
                + VEXTests.statement(
                    #"{"name": "\#(Self.advisory)"}"#, lodash, "affected",
                    #", "action_statement": "upgrade", "timestamp": "2026-11-01T00:00:00Z""#))
        let decision = Support.evaluate(Self.findings(), policy: try Support.policy(Self.staging), vex: [document])
        let critical = try #require(Support.verdict(decision, "CVE-2022-0001"))
        #expect(critical.verdict == .fail, "\(critical.reason.text)")
        #expect(!critical.notes.contains { $0.contains("not applied") }, "\(critical.notes)")
        #expect(!decision.warnings.contains { $0.contains("applies to no finding") }, "\(decision.warnings)")
    }

    /// An advisory whose own record (npm audit 6's, naming both CVEs) says what it covers names
    /// every finding of those CVEs: a waiver for it waives the advisory and Trivy's CVE alike.
    @Test func anAdvisoryThatCoversBothCVEsNamesTheFindingsOfEither() throws {
        var advisory = Support.finding(
            Self.advisory, package: Support.npm("lodash", "4.17.15"), report: "npm-audit.json")
        advisory.coveredCVEs = ["CVE-2022-0001", "CVE-2022-0002"]
        let decision = Support.evaluate(
            [advisory.finalized(), Self.findings()[0]], policy: try Support.policy(Self.staging),
            waivers: [try Self.waiver(Self.advisory)])
        #expect(decision.verdicts.map(\.verdict) == [.waived, .waived], "\(decision.verdicts.map(\.notes))")
        // Beside a finding of a CVE the advisory does not cover, that finding is not named by it.
        let other = Support.finding(
            "CVE-2022-0003", severity: .critical, aliases: [Self.advisory], package: Support.npm("lodash", "4.17.15"))
        let mixed = Support.evaluate(
            [advisory.finalized(), Self.findings()[0], other], policy: try Support.policy(Self.staging),
            waivers: [try Self.waiver(Self.advisory)])
        #expect(Support.verdict(mixed, "CVE-2022-0001")?.verdict == .waived)
        #expect(Support.verdict(mixed, "CVE-2022-0003")?.verdict == .fail)
    }

    /// With a baseline that has the finding, the waiver is not said to name it only "as the
    /// baseline knew it" (it has the id now), and its warning stays (found by the diff review).
    @Test func aBaselineChangesNothingOfWhatIsSaid() throws {
        let findings = Self.findings()
        let baseline = Baseline(file: "baseline.json", traces: findings.map(FindingTrace.init))
        let decision = Support.evaluate(
            findings, policy: try Support.policy(Self.staging), waivers: [try Self.waiver(Self.advisory)],
            baseline: baseline)
        let critical = try #require(Support.verdict(decision, "CVE-2022-0001"))
        #expect(critical.verdict == .fail)
        #expect(!critical.notes.contains { $0.contains("as the baseline knew it") }, "\(critical.notes)")
        #expect(decision.warnings.contains { $0.contains("applies to no finding") }, "\(decision.warnings)")
    }

    /// A waiver naming the shared advisory whose scope leaves the findings out is not stale.
    @Test func aScopedWaiverNamingTheSharedAdvisoryIsNotCalledStale() throws {
        let scoped = try WaiverTests.waivers(
            WaiverTests.entry(id: Self.advisory, expires: "2026-12-31", severity: nil, extra: "    package: minimist\n")
        )
        let decision = Support.evaluate(Self.findings(), policy: try Support.policy(Self.staging), waivers: [scoped])
        #expect(decision.waivers.map(\.state) == [.notApplied])
        #expect(!decision.warnings.contains { $0.contains("stale") }, "\(decision.warnings)")
    }

    /// A relaxing rule does not match by the shared alias; a failing one still does (fail-closed).
    @Test func rulesRelaxByOwnIDsButFailByEveryAlias() throws {
        let ignoring = try Support.policy(
            Self.staging + "rules:\n  - match: {id: \(Self.advisory)}\n    action: ignore\n")
        let ignored = Support.evaluate(Self.findings(), policy: ignoring)
        #expect(Support.verdict(ignored, "CVE-2022-0001")?.verdict == .fail)
        #expect(Support.verdict(ignored, "CVE-2022-0002")?.verdict != .ignored)

        let failing = try Support.policy(
            Self.staging + "rules:\n  - match: {id: \(Self.advisory)}\n    action: fail\n")
        let failed = Support.evaluate(Self.findings(), policy: failing)
        #expect(Support.verdict(failed, "CVE-2022-0002")?.verdict == .fail)
    }

    /// The review's reproduction, through the command: a Trivy report of the two CVEs and a
    /// waiver for the advisory, written for the low one, passed the critical one.
    @Test(.enabled(if: GateProcess.isAvailable))
    func theReviewsReproduction() throws {
        let result = try GateProcess.run([
            "gate", "fixtures/trivy/two-cves-one-advisory.json", "--policy", "policies/staging.yaml",
            "--waivers", "fixtures/policy/waiver-shared-advisory.yaml", "--now", "2026-11-25",
        ])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(
            result.standardOutput.contains("FAIL    critical vulnerability CVE-2020-0001"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("applies to no finding: GHSA-aaaa-bbbb-cccc is an id of several"))
    }
}
