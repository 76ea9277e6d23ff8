import Adapters
import Findings
import Foundation
import Policy
import Testing

/// An image Docker Hub serves has several names, and `image:` rules and waivers know them all
/// (found by a review: `trivy image nginx:1.25` records the repository as `nginx`, and a fail
/// rule for `docker.io/library/nginx*` passed it).
@Suite("Images in rules and waivers")
struct ImageMatchingTests {
    /// `trivy image REFERENCE` of one Debian vulnerability, as `hub.json` of the review had.
    static func scan(of reference: String) throws -> [Finding] {
        let text = """
            {"SchemaVersion": 2, "ArtifactName": "\(reference)", "ArtifactType": "container_image",
             "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}, "RepoTags": ["\(reference)"]},
             "Results": [{"Target": "\(reference) (debian 12.5)", "Class": "os-pkgs", "Type": "debian",
               "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-0002", "PkgName": "openssl",
                 "InstalledVersion": "3.0.11-1~deb12u2", "Severity": "MEDIUM", "Title": "t", "Description": "d"}]}]}
            """
        let findings = try ReportReader().parse(ReportSource(name: "trivy.json", bytes: Array(text.utf8))).findings
        try #require(findings.count == 1)
        return findings
    }

    static func verdict(_ reference: String, rule image: String, _ action: String, failOn: String) throws -> Verdict? {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: \(failOn)\nrules:\n  - match: { image: \"\(image)\" }\n    action: \(action)\n"
        )
        return Support.evaluate(try scan(of: reference), policy: policy).verdicts.first?.verdict
    }

    static let hubNames = [
        "nginx:1.25", "library/nginx:1.25", "docker.io/nginx:1.25", "docker.io/library/nginx:1.25",
        "index.docker.io/library/nginx:1.25", "registry-1.docker.io/library/nginx:1.25",
        "registry.hub.docker.com/library/nginx:1.25",
    ]

    static let hubGlobs = [
        "docker.io/library/nginx*", "nginx", "nginx:1.25", "library/nginx", "docker.io/nginx:*",
        "index.docker.io/library/nginx", "registry-1.docker.io/library/nginx:1.25", "*/library/nginx",
        "registry.hub.docker.com/library/nginx",
    ]

    @Test(arguments: hubNames, hubGlobs)
    func aFailRuleCatchesAHubImageUnderAnyOfItsNames(_ reference: String, _ glob: String) throws {
        #expect(try Self.verdict(reference, rule: glob, "fail", failOn: "none") == .fail, "\(reference) / \(glob)")
    }

    @Test(arguments: hubNames)
    func aRelaxingRuleCoversAHubImageUnderAnyOfItsNames(_ reference: String) throws {
        #expect(try Self.verdict(reference, rule: "docker.io/library/nginx:1.25", "ignore", failOn: "low") == .ignored)
        #expect(try Self.verdict(reference, rule: "nginx", "warn", failOn: "low") == .warn)
        // Another tag, another repository, another registry: not the same image.
        #expect(try Self.verdict(reference, rule: "docker.io/library/nginx:1.26", "ignore", failOn: "low") == .fail)
        #expect(try Self.verdict(reference, rule: "docker.io/acme/nginx*", "ignore", failOn: "low") == .fail)
        #expect(try Self.verdict(reference, rule: "ghcr.io/library/nginx*", "ignore", failOn: "low") == .fail)
    }

    @Test func anImageOnAnotherRegistryIsOnlyItself() throws {
        #expect(
            try Self.verdict("ghcr.io/acme/nginx:1", rule: "ghcr.io/acme/nginx*", "ignore", failOn: "low") == .ignored)
        #expect(try Self.verdict("ghcr.io/acme/nginx:1", rule: "acme/nginx*", "ignore", failOn: "low") == .fail)
        #expect(
            try Self.verdict("ghcr.io/acme/nginx:1", rule: "docker.io/acme/nginx*", "ignore", failOn: "low") == .fail)
        #expect(try Self.verdict("localhost:5000/nginx:1", rule: "nginx*", "ignore", failOn: "low") == .fail)
        #expect(try Self.verdict("docker.io/acme/app:1", rule: "acme/app", "ignore", failOn: "low") == .ignored)
        #expect(try Self.verdict("acme/app:1", rule: "docker.io/acme/app:1", "ignore", failOn: "low") == .ignored)
        #expect(try Self.verdict("acme/app:1", rule: "docker.io/library/acme/app", "ignore", failOn: "low") == .fail)
    }

    @Test func aWaiverCoversAHubImageUnderAnyOfItsNames() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: medium\n")
        let waivers = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2024-0002
                image: "docker.io/library/nginx:1.25"
                reason: not reachable in the proxy
                approved-by: security@example.org
                expires: 2026-12-20
                severity: medium
            """, file: "waivers.yaml")
        for reference in Self.hubNames {
            let decision = Support.evaluate(try Self.scan(of: reference), policy: policy, waivers: [waivers])
            #expect(decision.verdicts.first?.verdict == .waived, "\(reference)")
        }
        let other = Support.evaluate(try Self.scan(of: "nginx:1.26"), policy: policy, waivers: [waivers])
        #expect(other.verdicts.first?.verdict == .fail)
    }

    /// A merged finding in two images: a relaxing rule for one of them, under any name, does not
    /// relax the other; a fail rule for either fails it.
    @Test func aMergedFindingKeepsTheAnyAndEveryRule() throws {
        let openssl = Package(ecosystem: "debian", name: "openssl", installedVersion: "3.0.11-1~deb12u2")
        let first = Support.finding("CVE-2024-0002", severity: .high, package: openssl, image: "nginx:1.25")
        let second = Support.finding("CVE-2024-0002", severity: .high, package: openssl, image: "ghcr.io/acme/proxy:2")
        let merged = FindingSet(merging: [first, second]).all
        try #require(merged.count == 1 && merged[0].locations.count == 2)
        func verdict(_ image: String, _ action: String) throws -> Verdict? {
            let policy = try Support.policy(
                "scangate-policy: 1\nfail-on: high\nrules:\n  - match: { image: \"\(image)\" }\n    action: \(action)\n"
            )
            return Support.evaluate(merged, policy: policy).verdicts.first?.verdict
        }
        #expect(try verdict("docker.io/library/nginx*", "ignore") == .fail)
        #expect(try verdict("docker.io/library/nginx*", "fail") == .fail)
        let lenient = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { image: \"docker.io/library/nginx*\" }\n"
                + "    action: fail\n")
        #expect(Support.evaluate(merged, policy: lenient).verdicts.first?.verdict == .fail)
    }
}
