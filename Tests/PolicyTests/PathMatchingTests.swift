import Adapters
import Findings
import Foundation
import Policy
import Testing

/// A file written several ways is one file to `path:` rules and waivers (found by a review:
/// `./services/pay/…` and `services/web/../pay/…` passed a fail rule for `services/pay/*`, and
/// the second was relaxed by a rule and a waiver for `services/web/*`).
@Suite("Paths in rules and waivers")
struct PathMatchingTests {
    /// A Trivy filesystem scan with one vulnerability per target, as `p1.json` of the review had.
    static func trivyReport(targets: [(target: String, id: String, package: String)]) throws -> [Finding] {
        let results = targets.map { item in
            """
            {"Target": "\(item.target)", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [
              {"VulnerabilityID": "\(item.id)", "PkgName": "\(item.package)", "InstalledVersion": "1.0.0",
               "Severity": "MEDIUM", "Title": "t", "Description": "d"}]}
            """
        }
        let text = """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
             "Results": [\(results.joined(separator: ", "))]}
            """
        return try ReportReader().parse(ReportSource(name: "trivy.json", bytes: Array(text.utf8))).findings
    }

    static func reviewFindings() throws -> [Finding] {
        try trivyReport(targets: [
            ("./services/pay/package-lock.json", "CVE-2021-23337", "lodash"),
            ("services/web/../pay/package-lock.json", "CVE-2021-9999", "minimist"),
        ])
    }

    static func policy(_ path: String, _ action: String, failOn: String = "medium") throws -> Policy {
        try Support.policy(
            "scangate-policy: 1\nfail-on: \(failOn)\nrules:\n  - match: { path: \"\(path)\" }\n    action: \(action)\n")
    }

    static func waivers(path: String, id: String = "CVE-2021-9999", severity: String = "medium")
        throws(ConfigurationError) -> WaiverFile
    {
        try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: \(id)
                path: "\(path)"
                reason: demo only
                approved-by: security@example.org
                expires: 2026-12-20
                severity: \(severity)
            """, file: "waivers.yaml")
    }

    @Test func aFailRuleCatchesAPathWrittenWithDotSegments() throws {
        let decision = Support.evaluate(
            try Self.reviewFindings(), policy: try Self.policy("services/pay/*", "fail", failOn: "none"))
        #expect(Support.verdict(decision, "CVE-2021-23337")?.verdict == .fail)
        #expect(Support.verdict(decision, "CVE-2021-9999")?.verdict == .fail)
    }

    @Test func aFailRuleWrittenWithDotSegmentsCatchesThePath() throws {
        for rule in ["./services/pay/*", "services/web/../pay/*", "services//pay/./*"] {
            let decision = Support.evaluate(
                try Self.reviewFindings(), policy: try Self.policy(rule, "fail", failOn: "none"))
            #expect(decision.counts.failing == 2, "\(rule)")
        }
    }

    @Test func aRelaxingRuleDoesNotReachAPathThatOnlyPassesThroughItsDirectory() throws {
        let decision = Support.evaluate(try Self.reviewFindings(), policy: try Self.policy("services/web/*", "ignore"))
        #expect(Support.verdict(decision, "CVE-2021-9999")?.verdict == .fail)
        let pay = Support.evaluate(try Self.reviewFindings(), policy: try Self.policy("services/pay/*", "ignore"))
        #expect(pay.counts.ignored == 2)
    }

    @Test func aWaiverDoesNotReachAPathThatOnlyPassesThroughItsDirectory() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: medium\n")
        let web = Support.evaluate(
            try Self.reviewFindings(), policy: policy, waivers: [try Self.waivers(path: "services/web/*")])
        #expect(Support.verdict(web, "CVE-2021-9999")?.verdict == .fail)
        let pay = Support.evaluate(
            try Self.reviewFindings(), policy: policy, waivers: [try Self.waivers(path: "services/pay/*")])
        #expect(Support.verdict(pay, "CVE-2021-9999")?.verdict == .waived)
        let dotted = Support.evaluate(
            try Self.reviewFindings(), policy: policy,
            waivers: [try Self.waivers(path: "./services/pay/*", id: "CVE-2021-23337")])
        #expect(Support.verdict(dotted, "CVE-2021-23337")?.verdict == .waived)
    }

    /// Reports show the paths as the scanners wrote them; only matching sees them resolved.
    @Test func theDecisionShowsThePathAsWritten() throws {
        let decision = Support.evaluate(try Self.reviewFindings(), policy: try Self.policy("services/pay/*", "fail"))
        let text = DecisionText.render(decision)
        #expect(text.contains("at services/web/../pay/package-lock.json"), "\(text)")
        #expect(text.contains("at ./services/pay/package-lock.json"), "\(text)")
    }

    /// A path that climbs out of the scanned directory (Trivy reports Terraform modules so:
    /// `../../aws-credentials/main.tf`) is not among the project's files that `*` or `*/main.tf`
    /// relax; a glob that climbs out too reaches it, and a `fail` rule's `*` still takes it.
    @Test func aPathOutsideTheScannedDirectoryIsRelaxedOnlyByAGlobWrittenForIt() throws {
        let outside = Support.finding(
            "AVD-AWS-0086", kind: .misconfiguration, severity: .high, path: "modules/../../../aws-credentials/main.tf")
        func verdict(_ path: String, _ action: String, failOn: String = "high") throws -> Verdict? {
            Support.evaluate([outside], policy: try Self.policy(path, action, failOn: failOn)).verdicts.first?.verdict
        }
        #expect(try verdict("*", "ignore") == .fail)
        #expect(try verdict("*/main.tf", "ignore") == .fail)
        #expect(try verdict("*aws-credentials*", "warn") == .fail)
        #expect(try verdict("../../aws-credentials/*", "ignore") == .ignored)
        #expect(try verdict("../*", "warn") == .warn)
        #expect(try verdict("*", "fail", failOn: "none") == .fail)
        #expect(try verdict("aws-credentials/*", "fail", failOn: "none") == .pass)

        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        let waived = Support.evaluate(
            [outside], policy: policy, waivers: [try Self.waivers(path: "*", id: "AVD-AWS-0086", severity: "high")])
        let refused = try #require(waived.verdicts.first)
        #expect(refused.verdict == .fail)
        #expect(refused.notes.contains { $0.contains("../../aws-credentials/main.tf (outside the scanned directory") })
        let explicit = Support.evaluate(
            [outside], policy: policy,
            waivers: [try Self.waivers(path: "../../aws-credentials/*", id: "AVD-AWS-0086", severity: "high")])
        #expect(explicit.verdicts.first?.verdict == .waived)
    }

    /// An image scan writes absolute paths (`/juice-shop/lib/insecurity.js`), a Windows tool
    /// backslashes: a `fail` rule written relative with slashes takes them too (found by a
    /// review: it passed them), a relaxing rule or waiver only the path as written.
    @Test func aFailRuleTakesAbsoluteAndBackslashedSpellingsOfItsPath() throws {
        let secret = Support.finding(
            "private-key", kind: .secret, severity: .low, path: "/juice-shop/lib/insecurity.js")
        func verdict(_ path: String, _ action: String, failOn: String = "high") throws -> Verdict? {
            Support.evaluate([secret], policy: try Self.policy(path, action, failOn: failOn)).verdicts.first?.verdict
        }
        #expect(try verdict("juice-shop/*", "fail", failOn: "none") == .fail)
        #expect(try verdict("/juice-shop/*", "fail", failOn: "none") == .fail)
        #expect(try verdict("shop/*", "fail", failOn: "none") == .pass)
        #expect(try verdict("juice-shop/*", "ignore", failOn: "low") == .fail)
        #expect(try verdict("/juice-shop/*", "ignore", failOn: "low") == .ignored)

        // A Windows tool's backslashes: failed by the rule written with slashes, not relaxed by it.
        let windows = Support.finding(
            "CVE-2024-0080", kind: .vulnerability, severity: .low, path: "services\\pay\\.\\package-lock.json")
        func windowsVerdict(_ action: String, failOn: String) throws -> Verdict? {
            Support.evaluate([windows], policy: try Self.policy("services/pay/*", action, failOn: failOn)).verdicts
                .first?
                .verdict
        }
        #expect(try windowsVerdict("fail", failOn: "none") == .fail)
        #expect(try windowsVerdict("ignore", failOn: "low") == .fail)

        // A relaxing glob that starts with `*` does not take an absolute path's `/` (found by a
        // review: `*/insecurity.js` relaxed it), nor a Windows glob a backslash `..` that leads
        // elsewhere (`services\web\*` relaxed `services\web\..\pay\…`).
        #expect(try verdict("*/insecurity.js", "ignore", failOn: "low") == .fail)
        #expect(try verdict("*", "ignore", failOn: "low") == .fail)
        let climbing = Support.finding(
            "CVE-2024-0081", kind: .vulnerability, severity: .low, path: #"services\web\..\pay\package-lock.json"#)
        let ignoreWeb = try Support.policy(
            #"""
            scangate-policy: 1
            fail-on: low
            rules:
              - match: { path: 'services\\web\\*' }
                action: ignore
            """#)
        #expect(Support.evaluate([climbing], policy: ignoreWeb).verdicts.first?.verdict == .fail)
        let plain = Support.finding(
            "CVE-2024-0082", kind: .vulnerability, severity: .low, path: #"services\web\package-lock.json"#)
        #expect(Support.evaluate([plain], policy: ignoreWeb).verdicts.first?.verdict == .ignored)
        // A backslash path whose `..` climb out of the scanned directory is outside `*` too,
        // from the middle or from its start (`..\..\aws\main.tf` was relaxed by `*.tf`: found by a
        // review), and one starting with a backslash is absolute.
        for path in [#"services\..\..\aws\main.tf"#, #"..\..\aws\main.tf"#, #"..\main.tf"#, #"\srv\aws\main.tf"#] {
            let outside = Support.finding("AVD-AWS-0086", kind: .misconfiguration, severity: .low, path: path)
            for glob in ["*", "*.tf", "*/main.tf", "aws/*"] {
                #expect(
                    try Support.evaluate([outside], policy: try Self.policy(glob, "ignore", failOn: "low")).verdicts
                        .first?.verdict == .fail, "\(path) \(glob)")
            }
        }
        // A glob written for the outside still reaches it.
        let climbingFromTheStart = Support.finding(
            "AVD-AWS-0086", kind: .misconfiguration, severity: .low, path: #"..\..\aws\main.tf"#)
        #expect(
            try Support.evaluate(
                [climbingFromTheStart], policy: try Self.policy("../../aws/*", "ignore", failOn: "low")
            )
            .verdicts.first?.verdict == .ignored)
    }

    /// Windows spellings of a path outside the project's tree: one starting with a backslash or a
    /// drive (`\srv\…`, `C:\…`) is absolute, one whose `..` climb out is outside; each is relaxed
    /// only by a glob written so, with backslashes as written or slashes where it leads, never by
    /// `*` (found by reviews: `..\..\aws\main.tf` was relaxed by `*.tf`, and the first fix left
    /// no glob that relaxed `\srv\…`). A `fail` rule written relative takes a drive's path too.
    @Test(arguments: [
        (#"\srv\aws\main.tf"#, [#"\\srv\\aws\\main.tf"#, #"\\srv\\*"#], ["*", "*.tf", "srv/*", #"srv\\*"#]),
        (#"..\..\aws\main.tf"#, [#"..\\..\\aws\\*"#, "../../aws/*", "../*"], ["*", "*.tf", "*/main.tf", "aws/*"]),
        (#"C:\x\main.tf"#, [#"C:\\x\\*"#, #"C:\\x\\main.tf"#], ["*", "*.tf", #"x\\*"#, "x/*"]),
        ("C:/x/main.tf", ["C:/x/*"], ["*", "*.tf", "x/*"]),
    ])
    func windowsSpellingsOutsideTheTreeAreRelaxedOnlyByAGlobWrittenForThem(
        _ path: String, _ relaxing: [String], _ notRelaxing: [String]
    ) throws {
        let finding = Support.finding("AVD-AWS-0086", kind: .misconfiguration, severity: .low, path: path)
        func verdict(_ glob: String, _ action: String, failOn: String) throws -> Verdict? {
            let policy = try Support.policy(
                "scangate-policy: 1\nfail-on: \(failOn)\nrules:\n  - match: { path: '\(glob)' }\n    action: \(action)\n"
            )
            return Support.evaluate([finding], policy: policy).verdicts.first?.verdict
        }
        for glob in relaxing { #expect(try verdict(glob, "ignore", failOn: "low") == .ignored, "\(path) \(glob)") }
        for glob in notRelaxing { #expect(try verdict(glob, "ignore", failOn: "low") == .fail, "\(path) \(glob)") }
        if path.hasPrefix("C:") { #expect(try verdict("x/*", "fail", failOn: "none") == .fail, "\(path)") }
    }

    /// A `/` followed by a combining mark is a `/` to the file system: `web/\u{301}../../pay`
    /// is `web/pay` (as Characters the `/` and the mark were one, and the path resolved to
    /// `pay`; found by the diff review).
    @Test func aSlashWithACombiningMarkAfterItIsStillASlash() throws {
        let finding = Support.finding(
            "R1", kind: .codeIssue, severity: .high, path: "services/web/\u{301}../../pay/x.js")
        func verdict(_ path: String, _ action: String, failOn: String) throws -> Verdict? {
            Support.evaluate([finding], policy: try Self.policy(path, action, failOn: failOn)).verdicts.first?.verdict
        }
        #expect(try verdict("services/web/*", "fail", failOn: "none") == .fail)
        #expect(try verdict("services/pay/*", "ignore", failOn: "high") == .fail)
    }

    @Test(arguments: [("services/*/../pay/*", 20), ("./a/b*/../c", 20)])
    func aGlobWithADotDotAfterAWildcardIsRefusedWhereItIsWritten(_ path: String, _ column: Int) throws {
        let error = Support.policyError([
            "policy.yaml":
                "scangate-policy: 1\nfail-on: high\nrules:\n  - match: { path: \"\(path)\" }\n    action: fail\n"
        ])
        #expect(error?.line == 4)
        #expect(error?.column == column)
        #expect(error?.message.contains("path \"\(path)\": a \"..\" segment after the wildcard segment") ?? false)
        do {
            _ = try Self.waivers(path: path)
            Issue.record("waiver path \(path) accepted")
        } catch {
            #expect(error.description.hasPrefix("waivers.yaml:4:"), "\(error)")
            #expect(error.message.contains("cannot be resolved"), "\(error)")
        }
    }

    /// The review's corpus report: Trivy's scan of `tofu/clusters/sandbox` with a module outside
    /// it (`../../aws-credentials/main.tf`), placed where it is, `tofu/aws-credentials/main.tf`:
    /// a rule relaxing the scanned directory does not relax it.
    @Test(.enabled(if: Support.corpusIsAvailable))
    func theCorpusModuleOutsideTheScannedDirectoryIsNotRelaxedByItsGlob() throws {
        let report = try ReportReader().read(
            path: Support.corpus.appendingPathComponent("trivy/defectdojo__issue_14136.json").path)
        let finding = try #require(
            report.findings.first { $0.locations.contains { $0.path == "tofu/aws-credentials/main.tf" } })
        let scanned = Support.evaluate(
            [finding], policy: try Self.policy("tofu/clusters/sandbox/*", "ignore", failOn: "info"))
        #expect(scanned.verdicts.first?.verdict == .fail)
        let explicit = Support.evaluate(
            [finding], policy: try Self.policy("tofu/aws-credentials/*", "ignore", failOn: "info"))
        #expect(explicit.verdicts.first?.verdict == .ignored)
    }
}
