import Findings
import Foundation
import Policy
import ScanGateJSON
import Testing

/// `empty-scans:` in a policy, and what the gate makes of reports that checked nothing.
@Suite("Empty scans")
struct EmptyScanTests {
    static let emptyImage = EmptyScan(
        report: "reports/trivy-image.json",
        reason: "Trivy detected debian 12.5 in app:1 but listed no result: its packages were not scanned for "
            + "vulnerabilities")
    static let emptyAudit = EmptyScan(report: "reports/npm-audit.json", reason: "npm audited 0 dependencies")

    static func decide(_ policy: Policy, _ scans: [EmptyScan], findings: [Finding] = []) -> Decision {
        Gate.evaluate(
            GateInput(
                findings: FindingSet(merging: findings), policy: policy, today: Support.today,
                reportWarnings: scans.map { "\($0.report): \($0.reason). No finding here means nothing was checked" },
                emptyScans: scans))
    }

    // MARK: The policy key

    @Test func theKeyIsReadWithItsLine() throws {
        let failing = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n")
        #expect(failing.emptyScanAction == .fail)
        #expect(failing.emptyScans?.source.description == "policy.yaml:3")
        let warning = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: warn\n")
        #expect(warning.emptyScanAction == .warn)
        let unset = try Support.policy("scangate-policy: 1\nfail-on: critical\n")
        #expect(unset.emptyScans == nil)
        #expect(unset.emptyScanAction == .warn)
    }

    @Test(arguments: ["yes", "true", "FAIL", "ignore", "[fail]", "{fail: true}", "\"\""])
    func otherValuesAreRefusedWithFileAndLine(_ value: String) throws {
        let error = try #require(
            Support.policyError(["policy.yaml": "scangate-policy: 1\nfail-on: critical\n\nempty-scans: \(value)\n"]))
        #expect(error.description.hasPrefix("policy.yaml:4"), "\(error)")
        #expect(error.description.contains("empty-scans"), "\(error)")
        #expect(error.document == .policy)
    }

    @Test func extendsMergesItLikeTheOtherScalars() throws {
        let base = "scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n"
        let inherited = try Support.policy(
            ["policy.yaml": "scangate-policy: 1\nextends: base.yaml\n", "base.yaml": base])
        #expect(inherited.emptyScanAction == .fail)
        #expect(inherited.emptyScans?.source.description == "base.yaml:3")
        let overridden = try Support.policy(
            ["policy.yaml": "scangate-policy: 1\nextends: base.yaml\nempty-scans: warn\n", "base.yaml": base])
        #expect(overridden.emptyScanAction == .warn)
        #expect(overridden.emptyScans?.source.description == "policy.yaml:3")
    }

    @Test func productionFailsOnThemAndTheOthersKeepTheDefault() throws {
        let production = try PolicyLoader().load(path: Support.path("policies/production.yaml"))
        #expect(production.emptyScanAction == .fail)
        #expect(production.emptyScans?.source.file == Support.path("policies/production.yaml"))
        for name in ["default", "dev", "staging"] {
            let policy = try PolicyLoader().load(path: Support.path("policies/\(name).yaml"))
            #expect(policy.emptyScans == nil, "\(name)")
        }
    }

    // MARK: The gate

    @Test func underFailEachReportIsAReasonAndTheGateFails() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n")
        let decision = Self.decide(policy, [Self.emptyImage, Self.emptyAudit])
        #expect(!decision.passed)
        #expect(decision.findingsPassed)
        // Sorted by report.
        #expect(decision.failingEmptyScans.map(\.scan) == [Self.emptyAudit, Self.emptyImage])
        let reasons = decision.failingEmptyScans.map(\.reason)
        #expect(reasons.allSatisfy { $0.kind == .emptyScan && $0.source?.description == "policy.yaml:3" })
        #expect(
            reasons.map(\.text) == [
                "reports/npm-audit.json checked nothing: npm audited 0 dependencies; empty-scans: fail (policy.yaml:3)",
                "reports/trivy-image.json checked nothing: \(Self.emptyImage.reason); empty-scans: fail (policy.yaml:3)",
            ])
        // The readers' warnings stay.
        #expect(decision.warnings.count == 2)
    }

    @Test(arguments: ["empty-scans: warn\n", ""])
    func underWarnNothingChanges(_ setting: String) throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\n" + setting)
        let decision = Self.decide(policy, [Self.emptyImage])
        #expect(decision.passed)
        #expect(decision.failingEmptyScans.isEmpty)
        #expect(decision.emptyScans.map(\.verdict) == [.warn])
        #expect(
            decision.warnings == [
                "\(Self.emptyImage.report): \(Self.emptyImage.reason). No finding here means nothing was checked"
            ])
        let without = Self.decide(policy, [])
        var withoutWarning = without
        withoutWarning.warnings = decision.warnings
        #expect(DecisionText.render(decision) == DecisionText.render(withoutWarning))
    }

    @Test func aReportThatCheckedSomethingIsNoReason() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n")
        let decision = Self.decide(policy, [], findings: [Support.finding("CVE-1", severity: .low)])
        #expect(decision.passed)
        #expect(decision.emptyScans.isEmpty)
    }

    /// The order reports are given in changes nothing (the gate's law, `LawTests`).
    @Test func theOrderOfTheReportsChangesNothing() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n")
        let forward = Gate.evaluate(
            GateInput(
                findings: FindingSet(merging: []), policy: policy, today: Support.today,
                emptyScans: [Self.emptyImage, Self.emptyAudit]))
        let backward = Gate.evaluate(
            GateInput(
                findings: FindingSet(merging: []), policy: policy, today: Support.today,
                emptyScans: [Self.emptyAudit, Self.emptyImage]))
        #expect(DecisionJSON.encode(forward) == DecisionJSON.encode(backward))
        #expect(DecisionText.render(forward) == DecisionText.render(backward))
    }

    // MARK: Outputs

    @Test func theTableHasAFailLinePerReportBeforeTheSummaryLine() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n")
        let text = DecisionText.render(Self.decide(policy, [Self.emptyImage, Self.emptyAudit]))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.suffix(6).first == "", "\(text)")
        #expect(
            Array(lines.suffix(5).prefix(2)) == [
                "FAIL    report reports/npm-audit.json checked nothing: npm audited 0 dependencies; empty-scans: "
                    + "fail (policy.yaml:3)",
                "FAIL    report reports/trivy-image.json checked nothing: \(Self.emptyImage.reason); empty-scans: fail "
                    + "(policy.yaml:3)",
            ], "\(text)")
        #expect(
            lines.suffix(2).first
                == "FAIL: 0 failing, 0 warnings, 0 waived, 0 ignored, 0 VEX-suppressed, 0 suppressed by tools, "
                + "0 passed, 2 reports checked nothing (policy policy.yaml, env policy)", "\(text)")
    }

    @Test func theJSONListsThem() throws {
        let failing = try Support.policy("scangate-policy: 1\nfail-on: critical\nempty-scans: fail\n")
        let json = try JSONDocument(bytes: DecisionJSON.encode(Self.decide(failing, [Self.emptyImage]))).root
        #expect(try json.string("decision") == "fail")
        #expect(try json.string("summary")?.contains("1 report checked nothing") == true)
        let scans = try #require(try json.array("emptyScans"))
        #expect(scans.count == 1)
        #expect(try scans[0].string("report") == "reports/trivy-image.json")
        #expect(try scans[0].string("reason") == Self.emptyImage.reason)
        #expect(try scans[0].string("verdict") == "fail")
        #expect(try scans[0].string("source") == "policy.yaml:3")
        #expect(try scans[0].string("text")?.hasSuffix("empty-scans: fail (policy.yaml:3)") == true)

        let warning = try Support.policy("scangate-policy: 1\nfail-on: critical\n")
        let passing = try JSONDocument(bytes: DecisionJSON.encode(Self.decide(warning, [Self.emptyImage]))).root
        #expect(try passing.string("decision") == "pass")
        let listed = try #require(try passing.array("emptyScans"))
        #expect(try listed.map { try $0.string("verdict") } == ["warn"])
        #expect(try listed[0].string("text")?.hasSuffix("empty-scans: warn (the default)") == true)
        #expect(listed[0]["source"]?.kind == .null)
    }
}
