import Findings
import Foundation
import Policy
import Testing

/// A merged finding has several tools and can be at several places. A rule that fails applies
/// when any of them matches; one that relaxes (warn, ignore), and a waiver's scope, only when
/// all do: adding a report, or the same vulnerability in a second service, must never turn a
/// fail into a pass.
@Suite("Rules and waivers on merged findings")
struct MergedFindingRuleTests {
    static let lodash = Support.npm("lodash", "4.17.20")

    /// One lodash vulnerability seen by Trivy and npm audit, merged.
    static func seenByTwoTools() throws -> Finding {
        let trivy = Support.finding("CVE-2021-23337", severity: .high, tool: "trivy", package: lodash)
        let npm = Support.finding("CVE-2021-23337", severity: .high, tool: "npm-audit", package: lodash)
        let merged = FindingSet(merging: [trivy, npm]).all
        try #require(merged.count == 1)
        return merged[0]
    }

    /// lodash as Trivy reads it from a lock file: the package is where the location is.
    static func lodash(in lockFile: String) -> Package {
        var package = lodash
        package.paths = [lockFile]
        return package
    }

    /// One vulnerability in two services' lock files, merged.
    static func inTwoServices() throws -> Finding {
        let first = Support.finding(
            "CVE-2021-23337", severity: .high, package: lodash(in: "services/a/package-lock.json"),
            path: "services/a/package-lock.json")
        let second = Support.finding(
            "CVE-2021-23337", severity: .high, package: lodash(in: "services/b/package-lock.json"),
            path: "services/b/package-lock.json")
        let merged = FindingSet(merging: [first, second]).all
        try #require(merged.count == 1 && merged[0].locations.count == 2)
        return merged[0]
    }

    static func verdict(of finding: Finding, rule match: String, action: String) throws -> Verdict? {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: high\nrules:\n  - match: \(match)\n    action: \(action)\n")
        return Support.evaluate([finding], policy: policy).verdicts.first?.verdict
    }

    @Test func aToolRuleRelaxesOnlyWhatThatToolAloneReported() throws {
        let merged = try Self.seenByTwoTools()
        // Trivy's verdict alone fails it: a rule relaxing npm audit's does not pass it.
        #expect(try Self.verdict(of: merged, rule: "{ tool: npm-audit }", action: "warn") == .fail)
        #expect(try Self.verdict(of: merged, rule: "{ tool: npm-audit }", action: "ignore") == .fail)
        #expect(try Self.verdict(of: merged, rule: "{ tool: [npm-audit, trivy] }", action: "warn") == .warn)
        #expect(try Self.verdict(of: merged, rule: "{ tool: \"*\" }", action: "ignore") == .ignored)
        // A fail rule for either tool applies.
        let lenient = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { tool: npm-audit }\n    action: fail\n")
        #expect(Support.evaluate([merged], policy: lenient).verdicts.first?.verdict == .fail)
    }

    /// An npm audit 6 advisory naming two CVEs covers both and is neither (they are not its
    /// aliases: one CVE's waiver or VEX statement must not clear the other). A fail rule for
    /// either CVE fails it, as a rule for the CVE fails Trivy's finding of it; a rule that relaxes
    /// one of them does not relax the advisory.
    @Test func aFailRuleForACoveredCVEFailsTheAdvisory() throws {
        var advisory = Support.finding(
            "GHSA-aaaa-bbbb-cccc", severity: .medium, aliases: ["npm:1500"], tool: "npm-audit", package: Self.lodash)
        advisory.coveredCVEs = ["CVE-2020-0001", "CVE-2020-0002"]
        let failRule = try Support.policy(
            "scangate-policy: 1\nfail-on: critical\nrules:\n  - match: { id: cve-2020-0002 }\n    action: fail\n")
        let failed = try #require(Support.evaluate([advisory], policy: failRule).verdicts.first)
        #expect(failed.verdict == .fail)
        let unrelated = try Support.policy(
            "scangate-policy: 1\nfail-on: critical\nrules:\n  - match: { id: CVE-2020-0003 }\n    action: fail\n")
        #expect(Support.evaluate([advisory], policy: unrelated).verdicts.first?.verdict == .pass)
        let relaxed = try Support.policy(
            "scangate-policy: 1\nfail-on: medium\nrules:\n  - match: { id: CVE-2020-0002 }\n    action: ignore\n")
        #expect(Support.evaluate([advisory], policy: relaxed).verdicts.first?.verdict == .fail)
    }

    @Test func aPathRuleRelaxesOnlyWhenEveryPlaceIsInside() throws {
        let merged = try Self.inTwoServices()
        #expect(try Self.verdict(of: merged, rule: "{ path: \"services/a/*\" }", action: "ignore") == .fail)
        #expect(try Self.verdict(of: merged, rule: "{ path: \"services/*\" }", action: "ignore") == .ignored)
        let lenient = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { path: \"services/b/*\" }\n    action: fail\n")
        #expect(Support.evaluate([merged], policy: lenient).verdicts.first?.verdict == .fail)
    }

    @Test func aURLRuleRelaxesOnlyWhenEveryURLIsInside() throws {
        // One ZAP alert raised on two pages of the site.
        let alert = Finding(
            kind: .webAlert, ruleID: "40012", title: "Cross Site Scripting (Reflected)",
            ratings: [SeverityRating(source: "zap", severity: .high, isToolVerdict: true)],
            locations: [Location(url: "https://app.test/admin/x"), Location(url: "https://app.test/search")],
            provenance: [Provenance(tool: "zap", reportFile: "zap.xml", rawID: "40012")],
            identity: FindingIdentity(kind: .webAlert, scope: "site:https://app.test", subject: ["40012"])
        ).finalized()
        #expect(try Self.verdict(of: alert, rule: "{ url: \"https://app.test/admin/*\" }", action: "warn") == .fail)
        #expect(try Self.verdict(of: alert, rule: "{ url: \"https://app.test/*\" }", action: "warn") == .warn)
    }

    /// npm 7+ reports give no installed version: a version range cannot be checked, so a fail
    /// rule applies (it cannot be ruled out) and a relaxing one does not.
    @Test func aVersionRangeWithoutAnInstalledVersionFailsClosed() throws {
        let unversioned = Support.finding(
            "GHSA-hrpp-h998-j3pp", severity: .medium,
            package: Package(ecosystem: "npm", name: "qs", installedVersion: nil))
        let rule = "{ package: { name: qs, version: \"<6.10.3\" } }"
        let failing = try Support.policy(
            "scangate-policy: 1\nfail-on: critical\nrules:\n  - match: \(rule)\n    action: fail\n")
        #expect(Support.evaluate([unversioned], policy: failing).verdicts.first?.verdict == .fail)
        #expect(try Self.verdict(of: unversioned, rule: rule, action: "ignore") == .pass)
        let notNumbers = Support.finding(
            "GHSA-hrpp-h998-j3pp", severity: .medium,
            package: Package(ecosystem: "npm", name: "qs", installedVersion: "latest"))
        #expect(Support.evaluate([notNumbers], policy: failing).verdicts.first?.verdict == .fail)
        let checked = Support.finding(
            "GHSA-hrpp-h998-j3pp", severity: .medium, package: Support.npm("qs", "6.11.0"))
        #expect(Support.evaluate([checked], policy: failing).verdicts.first?.verdict == .pass)
    }

    @Test func aScopedWaiverIsNotAppliedToPlacesOutsideItsScope() throws {
        let merged = try Self.inTwoServices()
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        func waived(_ scope: String) throws -> FindingVerdict? {
            let file = try WaiverFile.parse(
                """
                scangate-waivers: 1
                waivers:
                  - id: CVE-2021-23337
                    \(scope)
                    reason: template() is not reachable in service a
                    approved-by: security@example.org
                    expires: 2026-12-31
                    severity: high
                """, file: "waivers.yaml")
            return Support.evaluate([merged], policy: policy, waivers: [file]).verdicts.first
        }
        let narrow = try #require(try waived("path: \"services/a/*\""))
        #expect(narrow.verdict == .fail)
        #expect(
            narrow.notes.contains {
                $0.contains("is scoped to path \"services/a/*\", the finding is also at services/b/package-lock.json")
            }, "\(narrow.notes)")
        #expect(try waived("path: \"services/*\"")?.verdict == .waived)
    }

    /// Trivy found lodash in service a's lock file; npm audit, run in a project its report does
    /// not name, found it at `node_modules/lodash`. Merged, the finding is at both places: a
    /// waiver or relaxing rule scoped to service a does not cover npm audit's copy, as it did
    /// not before Trivy's report was added (found by a review: adding a report passed it).
    @Test func npmAuditsPlacesCountBesideTrivysWhenMerged() throws {
        let trivy = Support.finding(
            "CVE-2021-23337", severity: .high, tool: "trivy", package: Self.lodash(in: "services/a/package-lock.json"),
            path: "services/a/package-lock.json")
        var npmPackage = Self.lodash
        npmPackage.paths = ["node_modules/lodash"]
        let npm = Support.finding("CVE-2021-23337", severity: .high, tool: "npm-audit", package: npmPackage)
        let merged = FindingSet(merging: [trivy, npm]).all
        try #require(merged.count == 1)
        #expect(try Self.verdict(of: merged[0], rule: "{ path: \"services/a/*\" }", action: "ignore") == .fail)
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        let file = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2021-23337
                path: "services/a/*"
                reason: template() is not reachable in service a
                approved-by: security@example.org
                expires: 2026-12-31
                severity: high
            """, file: "waivers.yaml")
        let verdict = try #require(Support.evaluate(merged, policy: policy, waivers: [file]).verdicts.first)
        #expect(verdict.verdict == .fail)
        #expect(
            verdict.notes.contains { $0.contains("the finding is also at node_modules/lodash") }, "\(verdict.notes)")

        // A waiver can list both places: it covers the merged finding, and a list that leaves one
        // place out still does not.
        func waived(_ paths: String) throws -> FindingVerdict? {
            let listed = try WaiverFile.parse(
                """
                scangate-waivers: 1
                waivers:
                  - id: CVE-2021-23337
                    path: \(paths)
                    reason: template() is not reachable in service a
                    approved-by: security@example.org
                    expires: 2026-12-31
                    severity: high
                """, file: "waivers.yaml")
            return Support.evaluate(merged, policy: policy, waivers: [listed]).verdicts.first
        }
        #expect(try waived(#"["services/a/*", "node_modules/**"]"#)?.verdict == .waived)
        let partial = try #require(try waived(#"["services/a/*", "node_modules/other/**"]"#))
        #expect(partial.verdict == .fail)
        #expect(
            partial.notes.contains {
                $0.contains(#"is scoped to path "services/a/*" or "node_modules/other/**", the finding is also at "#)
            }, "\(partial.notes)")
    }
}
