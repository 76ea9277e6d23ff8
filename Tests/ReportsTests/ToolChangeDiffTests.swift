import Adapters
import Findings
import Foundation
import Policy
import Reports
import Testing

/// Adding or dropping a scanner changes a merged finding's fingerprint (its primary id and
/// installed version come from the tools that merged), not the vulnerability: the diff and the
/// gate's baseline must still call it unchanged.
@Suite("Diff across a change of tools")
struct ToolChangeDiffTests {
    static func findings(_ names: [String]) throws -> FindingSet {
        let reader = ReportReader()
        let reports = try names.map { try reader.read(path: ReportSupport.path("fixtures/examples/\($0)"), as: nil) }
        return FindingSet(merging: reports.flatMap(\.findings))
    }

    static func snapshot(_ set: FindingSet) throws -> FindingsSnapshot {
        try FindingsSnapshot.read(bytes: FindingsJSON.encode(set, reports: []), file: "previous.json")
    }

    @Test func addingTrivyBesideNpmAuditChangesNothingForLodash() throws {
        let npmOnly = try Self.findings(["npm-audit.json"])
        let both = try Self.findings(["npm-audit.json", "trivy-fs.json"])
        // The premise: lodash's finding has another fingerprint once Trivy joins.
        let lodashBefore = try #require(npmOnly.open.first { $0.package?.name == "lodash" })
        let lodashAfter = try #require(both.open.first { $0.package?.name == "lodash" && $0.tools.count == 2 })
        #expect(lodashBefore.fingerprint != lodashAfter.fingerprint)

        let added = BaselineDiff(previous: try Self.snapshot(npmOnly), current: both)
        #expect(!added.isNew(lodashAfter.fingerprint))
        #expect(added.unchanged.contains { $0.fingerprint == lodashAfter.fingerprint })
        #expect(added.fixed.isEmpty, "\(added.fixed.map(\.id))")
        // Trivy's own findings are new, as they should be.
        #expect(added.new.allSatisfy { $0.tools == ["trivy"] })

        let dropped = BaselineDiff(previous: try Self.snapshot(both), current: npmOnly)
        #expect(dropped.new.isEmpty, "\(dropped.new.map(\.id))")
        #expect(!dropped.fixed.contains { $0.fingerprint == lodashAfter.fingerprint })

        // The gate's baseline agrees: the merged finding is not new.
        #expect(try Self.snapshot(npmOnly).baseline.contains(lodashAfter))
        #expect(try Self.snapshot(both).baseline.contains(lodashBefore))
    }

    /// npm 7 names no version: with lodash at two versions in the earlier run its advisory stays
    /// a finding of its own, without a version or a file. It stands for the versions that run
    /// had, which Trivy's traces name: a version none of them has, or a lock file none of them
    /// was in, is new, not known through npm's entry (found by a review: both passed
    /// `fail-on-new-only` as "in baseline").
    @Test func npmsUnversionedEntryDoesNotMakeEveryVersionKnown() throws {
        func trivy(_ version: String, in lockFile: String) -> Finding {
            var finding = ReportSupport.vulnerability("CVE-2021-23337", version: version)
            finding.aliases = ["GHSA-35jh-r3h4-6jhm"]
            finding.locations = [Location(path: lockFile)]
            return finding.finalized()
        }
        var npm = ReportSupport.vulnerability("GHSA-35jh-r3h4-6jhm", tool: "npm-audit")
        npm.aliases = ["npm:1096305"]
        npm.package?.installedVersion = nil
        npm.locations = []
        npm.identity = FindingIdentity(
            kind: .vulnerability, scope: FindingIdentity.sourceScope, subject: ["npm", "lodash", ""])
        npm = npm.finalized()
        let earlier = [
            trivy("4.17.15", in: "services/a/package-lock.json"), trivy("4.17.11", in: "services/a/package-lock.json"),
            npm,
        ]
        let merged = FindingSet(merging: earlier)
        try #require(merged.open.count == 3, "the premise: npm's advisory stays apart")
        let baseline = try FindingsSnapshot.read(
            bytes: FindingsJSON.encode(merged, reports: []), file: "previous.json"
        ).baseline
        #expect(!baseline.contains(trivy("4.17.19", in: "services/b/package-lock.json")), "a new version")
        #expect(!baseline.contains(trivy("4.17.15", in: "services/payments/package-lock.json")), "a new file")
        #expect(baseline.contains(trivy("4.17.15", in: "services/a/package-lock.json")))
        #expect(baseline.contains(npm), "npm's own entry is known")
        // Trivy's finding merged with npm audit's carries npm's own id too, which Trivy's traces
        // lack: found by it, npm's entry still stands only for the versions Trivy named.
        var withNpm = trivy("4.17.19", in: "services/b/package-lock.json")
        withNpm.aliases.append("npm:1096305")
        #expect(!baseline.contains(withNpm.finalized()), "a new version, with npm audit beside Trivy")

        // Where the earlier run knew no version (npm audit alone), npm's entry is every version:
        // nothing says which it was.
        let npmOnly = try ReportSupport.snapshot([npm]).baseline
        #expect(npmOnly.contains(trivy("4.17.19", in: "services/b/package-lock.json")))
    }

    /// Trivy names the resource, and two failures of one check in one resource are one finding
    /// with two places: a second failing block, wherever the blocks moved since, is new (it
    /// merged into the known finding and passed `fail-on-new-only`, found by a review). The
    /// same blocks moved by an edit above them are not.
    @Test func aSecondFailureOfACheckInTheSameResourceIsNew() throws {
        func failure(at line: Int) -> Finding {
            var finding = ReportSupport.misconfiguration("AVD-AWS-0107", path: "infra/main.tf", line: line, tag: "1")
            finding.locations[0].image = nil
            finding.locations[0].resource = "aws_security_group.web"
            finding.identity = FindingIdentity(
                kind: .misconfiguration, scope: FindingIdentity.sourceScope,
                subject: ["infra/main.tf", "aws_security_group.web"])
            return finding.finalized()
        }
        let known = try ReportSupport.snapshot([failure(at: 5)])
        let twice = FindingSet(merging: [failure(at: 5), failure(at: 11)]).all
        try #require(twice.count == 1 && twice[0].locations.count == 2, "the premise: one finding, two places")
        let match = known.baseline.lookup(twice[0])
        #expect(match == .moreOften([.init(file: "infra/main.tf", then: 1, now: 2)]), "\(match)")
        let diff = BaselineDiff(previous: known, current: FindingSet(merging: [failure(at: 5), failure(at: 11)]))
        #expect(diff.new.count == 1)
        // Moved down by an edit above it: the same one failure.
        #expect(known.baseline.lookup(failure(at: 9)) == .present)
        // Both known: known.
        let both = try ReportSupport.snapshot([failure(at: 5), failure(at: 11)])
        #expect(both.baseline.lookup(twice[0]) == .present)

        // The same block in a second build of the image (a location each) is the same place, not
        // a second one (the diff review caught the first version counting it twice).
        let oneImage = try ReportSupport.snapshot([
            ReportSupport.misconfiguration("DS002", path: "Dockerfile", line: 3, tag: "1.0")
        ])
        let twoImages = FindingSet(merging: [
            ReportSupport.misconfiguration("DS002", path: "Dockerfile", line: 3, tag: "1.0"),
            ReportSupport.misconfiguration("DS002", path: "Dockerfile", line: 3, tag: "1.1"),
        ]).all
        try #require(twoImages.count == 1 && twoImages[0].locations.count == 2, "the premise: two locations")
        #expect(oneImage.baseline.lookup(twoImages[0]) == .present)
    }

    /// An npm advisory covering two CVEs claims them both, read back from the findings JSON too:
    /// written without them, its trace claimed none, and a new CVE whose references link the
    /// advisory passed `fail-on-new-only` as "in baseline" (found by a review).
    @Test func aBaselineAdvisoryOfSeveralCVEsIsNotANewCVEThatLinksIt() throws {
        var advisory = ReportSupport.vulnerability("GHSA-aaaa-bbbb-cccc", tool: "npm-audit")
        advisory.provenance = [Provenance(tool: "npm-audit", reportFile: "npm.json", rawID: "1066786")]
        advisory.coveredCVEs = ["CVE-2099-0002", "CVE-2099-0001"]
        advisory = advisory.finalized()
        var arrived = ReportSupport.vulnerability("CVE-2099-0009")
        arrived.aliases = ["GHSA-aaaa-bbbb-cccc"]
        arrived = arrived.finalized()
        let written = try FindingsJSON.encode(FindingSet(merging: [advisory]), reports: [])
        #expect(String(decoding: written, as: UTF8.self).contains(#""coveredCves""#))
        let baseline = try FindingsSnapshot.read(bytes: written, file: "previous.json")
        #expect(!baseline.baseline.contains(arrived))
        #expect(baseline.baseline.contains(advisory))
    }

    /// A GHSA covering two CVEs is named in both's references: a new critical CVE in the same
    /// package version shared an id with the baseline's CVE and passed `fail-on-new-only` as
    /// "in baseline" (found by a review). Two CVEs tools reported are two findings, as in merging.
    @Test func aNewCVESharingAnAdvisoryWithTheBaselinesCVEIsNew() throws {
        var accepted = ReportSupport.vulnerability("CVE-2022-0002", severity: .critical)
        accepted.aliases = ["GHSA-aaaa-bbbb-cccc"]
        var arrived = ReportSupport.vulnerability("CVE-2022-0003", severity: .critical)
        arrived.aliases = ["GHSA-aaaa-bbbb-cccc"]
        let baseline = try ReportSupport.snapshot([accepted])
        #expect(!baseline.baseline.contains(arrived))
        #expect(baseline.baseline.contains(accepted))
        let diff = BaselineDiff(previous: baseline, current: FindingSet(merging: [accepted, arrived]))
        #expect(diff.new.map(\.id) == ["CVE-2022-0003"])
        #expect(diff.unchanged.map(\.id) == ["CVE-2022-0002"])

        // The advisory alone (npm audit, which names no CVE) is still the baseline's CVE.
        var advisory = ReportSupport.vulnerability("GHSA-aaaa-bbbb-cccc", severity: .critical, tool: "npm-audit")
        advisory.aliases = ["CVE-2022-0002"]
        #expect(baseline.baseline.contains(advisory))
    }

    @Test func anotherVersionOrScopeIsStillAnotherFinding() throws {
        let old = ReportSupport.vulnerability("CVE-2021-23337", version: "4.17.15")
        let upgraded = ReportSupport.vulnerability("CVE-2021-23337", version: "4.17.19")
        let baseline = try ReportSupport.snapshot([old])
        let diff = BaselineDiff(previous: baseline, current: FindingSet(merging: [upgraded]))
        #expect(diff.new.map(\.id) == ["CVE-2021-23337"])
        #expect(diff.fixed.count == 1)
        #expect(!baseline.baseline.contains(upgraded))

        // The same CVE and package in an image is not the source tree's finding.
        var inImage = Finding(
            kind: .vulnerability, ruleID: "CVE-2021-23337", title: "t",
            ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: "lodash", installedVersion: nil),
            provenance: [Provenance(tool: "trivy", reportFile: "t.json", rawID: "CVE-2021-23337")],
            identity: FindingIdentity(
                kind: .vulnerability, scope: "image:ghcr.io/acme/app", subject: ["npm", "lodash", ""]))
        inImage = inImage.finalized()
        #expect(!baseline.baseline.contains(inImage))
    }

    /// A baseline written before image names were one spelling (`image:alpine`) still knows
    /// the image's vulnerabilities now that the scope is `image:docker.io/library/alpine` (the
    /// fingerprint changed with it): by package and id, not as all new.
    @Test func aBaselineWithAnImageSpelledTheOldWayStillKnowsItsFindings() throws {
        func inImage(_ repository: String) -> Finding {
            Finding(
                kind: .vulnerability, ruleID: "CVE-2023-4911", title: "t",
                ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
                package: Package(ecosystem: "debian", name: "libc6", installedVersion: "2.36-9"),
                provenance: [Provenance(tool: "trivy", reportFile: "t.json", rawID: "CVE-2023-4911")],
                identity: FindingIdentity(
                    kind: .vulnerability, scope: "image:" + repository, subject: ["debian", "libc6", "2.36-9"])
            ).finalized()
        }
        let now = inImage("docker.io/library/alpine")
        let before = inImage("alpine")
        #expect(before.fingerprint != now.fingerprint)
        let baseline = try ReportSupport.snapshot([before])
        #expect(baseline.baseline.contains(now))
        #expect(BaselineDiff(previous: baseline, current: FindingSet(merging: [now])).new.isEmpty)
    }

    @Test func aBaselineWrittenBeforeScopesWereRecordedMatchesByFingerprintOnly() throws {
        let npmOnly = try Self.findings(["npm-audit.json"])
        let both = try Self.findings(["npm-audit.json", "trivy-fs.json"])
        var text = String(decoding: FindingsJSON.encode(npmOnly, reports: []), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"scope\": \"source\",", with: "")
        #expect(!text.contains("\"scope\""))
        let old = try FindingsSnapshot.read(bytes: Array(text.utf8), file: "old.json")
        let diff = BaselineDiff(previous: old, current: both)
        let lodash = try #require(both.open.first { $0.package?.name == "lodash" && $0.tools.count == 2 })
        #expect(diff.isNew(lodash.fingerprint))
    }
}
