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
