import Findings
import Foundation
import Policy
import Testing

/// Gate inputs shaped to make judging quadratic, found by a review: each took tens of seconds
/// where it now takes well under one. The time limit guards against a hang coming back; speed is
/// measured by the benchmark.
@Suite("Gate at hostile sizes", .timeLimit(.minutes(1)))
struct HostileSizeGateTests {
    /// A finding merged from 20,000 workloads' images, judged against an OpenVEX statement: its
    /// places were kept once by searching the list of those so far, for every statement.
    @Test func aStatementAboutAFindingInThousandsOfImagesIsJudged() throws {
        var finding = Support.finding(
            "CVE-2021-23337", package: Support.npm("lodash", "4.17.15"), image: "ghcr.io/acme/app:t0")
        finding.locations = (0..<20_000).map { Location(image: ImageReference(parsing: "ghcr.io/acme/app:t\($0)")) }
        let vex = try VEXTests.document(
            VEXTests.statement(
                VEXTests.lodash1, VEXTests.lodashPurl, "not_affected",
                #", "justification": "vulnerable_code_not_present""#))
        let decision = Support.evaluate([finding.finalized()], policy: VEXTests.policy, vex: [vex])
        #expect(Support.verdict(decision, "CVE-2021-23337")?.verdict == .vexSuppressed)
    }

    /// 8,000 CVEs whose references all link one advisory, with a waiver for it: each finding kept
    /// the other 7,999 CVEs for its note (15 s and 1 GB in a release build; found by a review).
    @Test func thousandsOfFindingsSharingOneAliasAreJudged() throws {
        let findings = (0..<8_000).map { number in
            Support.finding(
                "CVE-2024-\(10_000 + number)", aliases: [ContestedAliasTests.advisory],
                package: Support.npm("pkg\(number)", "1.0.0"))
        }
        let decision = Support.evaluate(
            findings, policy: try Support.policy(ContestedAliasTests.staging),
            waivers: [try ContestedAliasTests.waiver(ContestedAliasTests.advisory)])
        #expect(decision.counts.waived == 0)
        #expect(decision.verdicts.allSatisfy { $0.notes.count == 1 })
        #expect(
            decision.verdicts.first?.notes.first?.contains("CVE-2024-10001, CVE-2024-10002, CVE-2024-10003 and")
                == true,
            "\(decision.verdicts.first?.notes ?? [])")
    }
}
