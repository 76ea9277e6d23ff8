import Findings
import Foundation
import Policy
import Testing

@Suite("Policy waivers")
struct WaiverTests {
    static func waivers(_ entries: String) throws(ConfigurationError) -> WaiverFile {
        try WaiverFile.parse("scangate-waivers: 1\nwaivers:\n" + entries, file: "waivers.yaml")
    }

    static func entry(
        id: String = "CVE-2024-1234", expires: String = "2026-12-31", severity: String? = "high",
        extra: String = ""
    ) -> String {
        var text = "  - id: \(id)\n    reason: not reachable\n    approved-by: security@example.org\n"
        text += "    expires: \(expires)\n"
        if let severity { text += "    severity: \(severity)\n" }
        return text + extra
    }

    @Test func readsTheContractExample() throws {
        let file = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2024-1234          # or any alias of the finding
                package: lodash            # optional scope: package, path, image, url
                environments: [staging, production]
                reason: template() is never called with user input
                approved-by: security@example.org
                expires: 2026-12-31
            """, file: "waivers.yaml")
        let waiver = try #require(file.waivers.first)
        #expect(waiver.id == "CVE-2024-1234")
        #expect(waiver.package?.pattern == "lodash")
        #expect(waiver.environments == ["staging", "production"])
        #expect(waiver.expires == Support.day("2026-12-31"))
        #expect(waiver.source == SourceRef(file: "waivers.yaml", line: 3))
        #expect(waiver.severity == nil)
    }

    static let invalid: [(String, String, String, String)] = [
        (
            "missing reason", "  - id: X-1\n    approved-by: a\n    expires: 2026-12-31\n", "waivers.yaml:3",
            "waiver 1 has no \"reason\""
        ),
        (
            "missing approver", "  - id: X-1\n    reason: r\n    expires: 2026-12-31\n", "waivers.yaml:3",
            "has no \"approved-by\""
        ),
        ("missing expiry", "  - id: X-1\n    reason: r\n    approved-by: a\n", "waivers.yaml:3", "has no \"expires\""),
        (
            "missing id", "  - reason: r\n    approved-by: a\n    expires: 2026-12-31\n", "waivers.yaml:3",
            "has no \"id\""
        ),
        (
            "bad date", entry(expires: "2026-13-01"), "waivers.yaml:6",
            "is not a date (YYYY-MM-DD, a day the calendar has)"
        ),
        ("date with time", entry(expires: "\"2026-12-01T10:00:00Z\""), "waivers.yaml:6", "YYYY-MM-DD"),
        (
            "empty reason", "  - id: X-1\n    reason: \"\"\n    approved-by: a\n    expires: 2026-12-31\n",
            "waivers.yaml:4", "must not be empty"
        ),
        ("unknown key", entry(extra: "    approver: x\n"), "waivers.yaml:8", "unknown key \"approver\""),
        ("bad severity", entry(severity: "urgent"), "waivers.yaml:7", "\"urgent\" is not a severity"),
        ("malformed scope glob", entry(extra: "    path: \"src/[\"\n"), "waivers.yaml:8", "malformed glob"),
        (
            "environments wrong type", entry(extra: "    environments: { prod: true }\n"), "waivers.yaml:8",
            "must be text, found a mapping"
        ),
        ("approved after expiry", entry(extra: "    approved-on: 2027-01-01\n"), "waivers.yaml:8", "is after expires"),
        ("waivers not a list", "  id: X-1\n", "waivers.yaml:3", "waivers must be a list"),
    ]

    @Test(arguments: invalid)
    func invalidWaiversNameFileAndLine(_ name: String, _ entries: String, _ place: String, _ words: String) {
        do {
            _ = try Self.waivers(entries)
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.description.hasPrefix(place), "\(name): \(error)")
            #expect(error.description.contains(words), "\(name): \(error)")
            #expect(error.document == .waivers)
        }
    }

    @Test func fileLevelErrors() {
        let cases: [(String, String)] = [
            ("waivers: []\n", "scangate-waivers: 1"), ("scangate-waivers: 3\nwaivers: []\n", "expected 1"),
            ("scangate-waivers: 1\n", "has no \"waivers\""), ("scangate-waivers: 1\nwaiver: []\n", "unknown key"),
        ]
        for (text, words) in cases {
            #expect(throws: ConfigurationError.self) { try WaiverFile.parse(text, file: "w.yaml") }
            do {
                _ = try WaiverFile.parse(text, file: "w.yaml")
            } catch {
                #expect(error.description.contains(words), "\(error)")
                #expect(error.description.hasPrefix("w.yaml:"))
            }
        }
    }

    @Test func aPolicyCanRequireTheGrantedSeverity() throws {
        let policy = try Support.policy("scangate-policy: 1\nwaivers:\n  require-severity: true\nfail-on: none\n")
        let file = try Self.waivers(Self.entry(severity: nil))
        #expect(throws: ConfigurationError.self) { try file.validate(against: policy) }
        do {
            try file.validate(against: policy)
        } catch {
            #expect(error.description.hasPrefix("waivers.yaml:3"))
            #expect(error.description.contains("require-severity"))
        }
    }

    static let policy = Policy(
        failOn: Setting(.high, at: SourceRef(file: "p.yaml", line: 2)),
        warnOn: Setting(.medium, at: SourceRef(file: "p.yaml", line: 3)),
        waiverLimits: WaiverLimits(
            maxDays: [.high: Setting(30, at: SourceRef(file: "p.yaml", line: 5))],
            warnDays: Setting(14, at: SourceRef(file: "p.yaml", line: 6))))

    static let lodash = Support.finding(
        "CVE-2024-1234", severity: .high, aliases: ["GHSA-aaaa-bbbb-cccc"], package: Support.npm("lodash", "4.17.15"))

    /// (name, waiver entry, verdict, words in the verdict's reason or notes, words in the warnings)
    static let behaviours: [(String, String, Verdict, String, String)] = [
        ("applies, with its expiry", entry(expires: "2026-12-20"), .waived, "until 2026-12-20", ""),
        ("by alias", entry(id: "GHSA-aaaa-bbbb-cccc", expires: "2026-12-20"), .waived, "waiver GHSA-aaaa", ""),
        ("expired", entry(expires: "2026-11-24"), .fail, "expired on 2026-11-24", "expired on 2026-11-24"),
        (
            "expires today still holds", entry(expires: "2026-11-25"), .waived, "until 2026-11-25",
            "expires on 2026-11-25, today (its last day)"
        ),
        (
            "within warn-days", entry(expires: "2026-12-01"), .waived, "until 2026-12-01",
            "expires on 2026-12-01, in 6 days"
        ),
        (
            "severity rose", entry(expires: "2026-12-20", severity: "medium"), .fail,
            "granted for medium, the finding is now judged high", "granted for medium"
        ),
        (
            "too long for the severity", entry(expires: "2027-06-01"), .fail,
            "(from the gate's date 2026-11-25 to 2027-06-01), longer than the 30 days", "30 days"
        ),
        (
            "long but approved recently enough", entry(expires: "2026-12-20", extra: "    approved-on: 2026-11-21\n"),
            .waived, "until 2026-12-20", ""
        ),
        (
            "approved too long before expiry", entry(expires: "2026-12-20", extra: "    approved-on: 2026-10-01\n"),
            .fail, "from approved-on 2026-10-01", "longer than"
        ),
        // max-days counts the days a waiver holds, both ends included (30 for high).
        (
            "holds on max-days days from approval",
            entry(expires: "2026-12-20", extra: "    approved-on: 2026-11-21\n"),
            .waived, "until 2026-12-20", ""
        ),
        (
            "holds on one day more than max-days",
            entry(expires: "2026-12-21", extra: "    approved-on: 2026-11-21\n"), .fail,
            "runs 31 days (from approved-on 2026-11-21 to 2026-12-21), longer than the 30 days", "longer than"
        ),
        (
            "counted from today without approved-on", entry(expires: "2026-12-24"), .waived, "until 2026-12-24", ""
        ),
        (
            "one day too long from today", entry(expires: "2026-12-25"), .fail,
            "runs 31 days (from the gate's date 2026-11-25",
            "longer than"
        ),
        (
            "approved in the future", entry(expires: "2029-12-31", extra: "    approved-on: 2029-12-31\n"),
            .fail, "approved on 2029-12-31, after today (2026-11-25)", "after today"
        ),
        (
            "other package", entry(extra: "    package: underscore\n"), .fail,
            "scope leaves the finding out: package \"underscore\", and the finding is in the package lodash",
            "has the id of CVE-2024-1234 (lodash 4.17.15), but its scope leaves it out: package \"underscore\""
        ),
        (
            "other environment", entry(extra: "    environments: [production]\n"), .fail,
            "waiver CVE-2024-1234 (waivers.yaml:3) holds only in production, not in staging: not applied", ""
        ),
        (
            "this environment", entry(expires: "2026-12-20", extra: "    environments: [staging]\n"), .waived, "waiver",
            ""
        ),
        ("stale", entry(id: "CVE-1999-0001"), .fail, "fail-on", "matches no finding: it is stale"),
        (
            "without severity", entry(expires: "2026-12-20", severity: nil), .waived, "waiver",
            "does not say the severity it was granted for"
        ),
    ]

    @Test(arguments: behaviours)
    func waiverBehaviour(_ name: String, _ entry: String, _ expected: Verdict, _ words: String, _ warning: String)
        throws
    {
        let file = try Self.waivers(entry)
        let decision = Support.evaluate([Self.lodash], policy: Self.policy, waivers: [file], environment: "staging")
        let verdict = try #require(decision.verdicts.first)
        #expect(verdict.verdict == expected, "\(name)")
        let explained = ([verdict.reason.text] + verdict.notes).joined(separator: "\n")
        #expect(explained.contains(words), "\(name): \(explained)")
        let warnings = decision.warnings.joined(separator: "\n")
        if warning.isEmpty {
            #expect(decision.warnings.isEmpty, "\(name): \(warnings)")
        } else {
            #expect(warnings.contains(warning), "\(name): \(warnings)")
        }
        if expected == .waived { #expect(verdict.hiddenVerdict == .fail && decision.passed) }
    }

    /// A waiver's id names a finding in ASCII case only, as OpenVEX's do: `ghsa-…` names
    /// `GHSA-…`, but Unicode's case mappings (`ſ` upper-cases to `S`, dotless `ı` to `I`) would
    /// let an id a reviewer reads as another one waive a real finding.
    @Test(arguments: [
        ("GHSA-35JH-R3H4-6JHM", "GHſA-35jh-r3h4-6jhm", "ghsa-35jh-r3h4-6jhm"),
        ("js/insecure-randomness", "js/ınsecure-randomness", "JS/Insecure-Randomness"),
    ])
    func aLookAlikeIDWaivesNothing(_ id: String, _ lookAlike: String, _ otherCase: String) throws {
        let finding = Support.finding(
            "CVE-2021-23337", severity: .high, aliases: [id],
            package: Package(ecosystem: "npm", name: "lodash", installedVersion: "4.17.15"))
        let lookAlikeFile = try Self.waivers(Self.entry(id: "\"\(lookAlike)\"", expires: "2026-12-20"))
        let decision = Support.evaluate(
            [finding], policy: Self.policy, waivers: [lookAlikeFile], environment: "staging")
        #expect(decision.verdicts.first?.verdict == .fail)
        #expect(decision.waivers.map(\.state) == [.stale])
        // The id in another ASCII case is the same id.
        let otherCaseFile = try Self.waivers(Self.entry(id: "\"\(otherCase)\"", expires: "2026-12-20"))
        let waived = Support.evaluate([finding], policy: Self.policy, waivers: [otherCaseFile], environment: "staging")
        #expect(waived.verdicts.first?.verdict == .waived, "\(waived.warnings)")
    }

    /// A waiver naming a finding a rule ignores (or a statement or its scanner suppresses) is
    /// not applied: said, with what holds the finding, instead of a silent "not applied".
    @Test func aWaiverForAFindingHeldOtherwiseSaysItIsNotNeeded() throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: high\nrules:\n  - match: { id: CVE-2024-1234 }\n    action: ignore\n")
        let file = try Self.waivers(Self.entry(expires: "2026-12-20"))
        let decision = Support.evaluate([Self.lodash], policy: policy, waivers: [file], environment: "staging")
        #expect(decision.verdicts.first?.verdict == .ignored)
        #expect(decision.waivers.map(\.state) == [.notApplied])
        let warnings = decision.warnings.joined(separator: "\n")
        #expect(
            warnings.contains(
                "waiver CVE-2024-1234 (waivers.yaml:3) names CVE-2024-1234 (lodash 4.17.15), which is held without it"),
            "\(warnings)")
        #expect(warnings.contains("held without it in staging (rule 1 of policy.yaml"), "\(warnings)")
        #expect(warnings.contains("): not applied here"), "\(warnings)")
    }

    /// A waiver whose id names a finding but whose scope leaves it out (`package: Minimist` for
    /// npm's `minimist`, a `path` where the finding is not) is a scope to correct, not a stale
    /// entry to remove: the warning says which scope, and where the finding is as that scope
    /// compares it, and the failing finding says it too.
    @Test func aScopeThatLeavesOutEveryFindingItsIDNamesIsNotStale() throws {
        let minimist = Support.finding(
            "CVE-2021-44906", severity: .critical,
            package: Package(ecosystem: "npm", name: "minimist", installedVersion: "1.2.5"),
            path: "services/api/package-lock.json")
        let file = try Self.waivers(
            Self.entry(id: "CVE-2021-44906", severity: "critical", extra: "    package: Minimist\n")
                + Self.entry(id: "cve-2021-44906", severity: "critical", extra: "    path: package.json\n")
                + Self.entry(id: "CVE-1999-0001"))
        let decision = Support.evaluate([minimist], policy: Self.policy, waivers: [file], environment: "staging")
        #expect(decision.waivers.map(\.state) == [.notApplied, .notApplied, .stale])
        let warnings = decision.warnings.joined(separator: "\n")
        #expect(
            warnings.contains(
                "waiver CVE-2021-44906 (waivers.yaml:3) has the id of CVE-2021-44906 (minimist 1.2.5), but its scope "
                    + "leaves it out: package \"Minimist\", and the finding is in the package minimist (npm package "
                    + "names are compared as written, case included): not applied; correct the scope"), "\(warnings)")
        #expect(
            warnings.contains(
                "waiver cve-2021-44906 (waivers.yaml:9) has the id of CVE-2021-44906 (minimist 1.2.5), but its scope "
                    + "leaves it out: path \"package.json\", and the finding is at services/api/package-lock.json"),
            "\(warnings)")
        #expect(!warnings.contains("waiver CVE-2021-44906 (waivers.yaml:3) matches no finding"), "\(warnings)")
        #expect(!warnings.contains("waiver cve-2021-44906 (waivers.yaml:9) matches no finding"), "\(warnings)")
        #expect(warnings.contains("waiver CVE-1999-0001 (waivers.yaml:15) matches no finding: it is stale"))
        let verdict = try #require(decision.verdicts.first)
        #expect(verdict.verdict == .fail)
        #expect(
            verdict.notes.contains {
                $0.hasPrefix("waiver CVE-2021-44906 (waivers.yaml:3) has this id, but its scope leaves the finding out")
            }, "\(verdict.notes)")

        // Scoped to one of two packages with the id: it names that one, and says nothing of the other.
        let other = Support.finding(
            "CVE-2021-44906", severity: .critical,
            package: Package(ecosystem: "npm", name: "Minimist", installedVersion: "0.0.1"))
        let both = Support.evaluate([minimist, other], policy: Self.policy, waivers: [file], environment: "staging")
        #expect(both.waivers.first?.state == .applied)
        #expect(!both.warnings.contains { $0.contains("(waivers.yaml:3) has the id") }, "\(both.warnings)")
        let unwaived = both.verdicts.first { $0.finding.package?.name == "minimist" }
        #expect(unwaived?.notes.contains { $0.contains("(waivers.yaml:3)") } == false)
    }

    /// Environment names are compared as written, as `--env` is matched to `.scangate.yaml`'s
    /// `policies`: a waiver for `[Staging]` does not hold in `staging`. It is not silent: a
    /// warning names the waiver, and the finding it would have hidden says why it still fails.
    @Test func aWaiverForAnEnvironmentThatDiffersOnlyInCaseIsWarnedAbout() throws {
        let file = try Self.waivers(Self.entry(expires: "2026-12-20", extra: "    environments: [Staging]\n"))
        let decision = Support.evaluate([Self.lodash], policy: Self.policy, waivers: [file], environment: "staging")
        let verdict = try #require(decision.verdicts.first)
        #expect(verdict.verdict == .fail)
        #expect(
            verdict.notes.contains(
                "waiver CVE-2024-1234 (waivers.yaml:3) holds only in Staging, not in staging: not applied "
                    + "(environment names are compared as written, case included)"), "\(verdict.notes)")
        #expect(
            decision.warnings.contains(
                "waiver CVE-2024-1234 (waivers.yaml:3) names the environment \"Staging\", not \"staging\" (this "
                    + "gate's): environment names are compared as written, case included (as --env is), so it does "
                    + "not hold here"), "\(decision.warnings)")
        #expect(decision.waivers.first?.state == .otherEnvironment)
        // In production, where it does not claim to hold, nothing is said.
        let production = Support.evaluate(
            [Self.lodash], policy: Self.policy, waivers: [file], environment: "production")
        #expect(production.warnings.isEmpty, "\(production.warnings)")
    }

    @Test func theExampleWaivers() throws {
        let file = try WaiverFile.load(path: Support.path("fixtures/policy/waivers.yaml"))
        #expect(file.waivers.count == 4)
        let staging = try PolicyLoader().load(path: Support.path("policies/staging.yaml"))
        let decision = Support.evaluate(try Support.exampleFindings(), policy: staging, waivers: [file])
        let states = decision.waivers.map(\.state)
        #expect(states == [.applied, .otherEnvironment, .expired, .stale])
        let lodash = decision.verdicts.first { $0.finding.package?.name == "lodash" }
        #expect(lodash?.verdict == .waived)
        #expect(lodash?.reason.source == SourceRef(file: Support.path("fixtures/policy/waivers.yaml"), line: 8))
    }
}
