import Foundation
import TestSupport
import Testing

/// `scangate gate` on Trivy image reports of Debian and Alpine packages, with rules written the
/// way OS-package rules are: "fixed in vendor revision X".
@Suite("Gate command: OS package versions", .enabled(if: GateProcess.isAvailable))
struct OSPackageGateCommandTests {
    /// A Trivy 0.58 image report: one `os-pkgs` result per `(family, package, version, id)`.
    static func trivyReport(_ packages: [(family: String, name: String, version: String, id: String)]) -> String {
        let results = packages.map { package in
            let type = package.family == "alpine" ? "apk" : "deb"
            return """
                {"Target": "ghcr.io/acme/app:1.0 (\(package.family) 12.5)", "Class": "os-pkgs", "Type": "\(package.family)",
                 "Vulnerabilities": [{"VulnerabilityID": "\(package.id)", "PkgName": "\(package.name)",
                   "PkgIdentifier": {"PURL": "pkg:\(type)/\(package.family)/\(package.name)@\(package.version)"},
                   "InstalledVersion": "\(package.version)", "Severity": "HIGH", "Title": "t", "Description": "d"}]}
                """
        }
        return """
            {"SchemaVersion": 2, "Trivy": {"Version": "0.58.1"}, "CreatedAt": "2026-11-20T09:14:03Z",
             "ArtifactName": "ghcr.io/acme/app:1.0", "ArtifactType": "container_image",
             "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}, "RepoTags": ["ghcr.io/acme/app:1.0"]},
             "Results": [\(results.joined(separator: ",\n"))]}
            """
    }

    static let debianIgnore = """
        scangate-policy: 1
        fail-on: high
        rules:
          - match: { id: CVE-2024-0001, package: { name: libc6, ecosystem: debian, version: ">=2.36-9+deb12u7" } }
            action: ignore
            reason: fixed by Debian in 2.36-9+deb12u7
        """

    static let debianFail = """
        scangate-policy: 1
        fail-on: none
        rules:
          - match: { package: { name: libc6, version: "<2.36-9+deb12u7" } }
            action: fail
            reason: vulnerable before deb12u7
          - match: { package: { name: libc6, version: ">=2.36 <2.37" } }
            action: fail
            reason: glibc 2.36 line is vulnerable
        """

    static let alpineIgnore = """
        scangate-policy: 1
        fail-on: high
        rules:
          - match: { id: CVE-2024-0010, package: { name: busybox, version: ">=1.36.1-r10" } }
            action: ignore
            reason: fixed in 1.36.1-r10
          - match: { id: CVE-2024-0011, package: { name: openssl, version: ">=3.0.11-1" } }
            action: ignore
            reason: fixed in 3.0.11-1
        """

    /// Writes the report and the policy beside each other and gates them.
    static func gate(report: String, policy: String) throws -> ChildProcess.Result {
        let reportFile = try GateProcess.temporaryFile("trivy.json", report)
        defer { try? FileManager.default.removeItem(at: reportFile.deletingLastPathComponent()) }
        let policyFile = try GateProcess.temporaryFile("policy.yaml", policy)
        defer { try? FileManager.default.removeItem(at: policyFile.deletingLastPathComponent()) }
        return try GateProcess.run(["gate", reportFile.path, "--policy", policyFile.path, "--now", "2026-11-25"])
    }

    @Test func aDebianFixedInWaiverNoLongerIgnoresTheVulnerableRevision() throws {
        let vulnerable = try Self.gate(
            report: Self.trivyReport([("debian", "libc6", "2.36-9+deb12u4", "CVE-2024-0001")]),
            policy: Self.debianIgnore)
        #expect(vulnerable.status == 1, "\(vulnerable.standardOutput)\(vulnerable.standardError)")
        #expect(vulnerable.standardOutput.contains("CVE-2024-0001 libc6 2.36-9+deb12u4"))
        #expect(vulnerable.standardOutput.contains("FAIL: 1 failing, 0 warnings, 0 waived, 0 ignored"))
        let fixed = try Self.gate(
            report: Self.trivyReport([("debian", "libc6", "2.36-9+deb12u7", "CVE-2024-0001")]),
            policy: Self.debianIgnore)
        #expect(fixed.status == 0, "\(fixed.standardOutput)\(fixed.standardError)")
        #expect(fixed.standardOutput.contains("PASS: 0 failing, 0 warnings, 0 waived, 1 ignored"))
    }

    @Test func debianFailRulesFire() throws {
        let result = try Self.gate(
            report: Self.trivyReport([("debian", "libc6", "2.36-9+deb12u4", "CVE-2024-0001")]), policy: Self.debianFail)
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("→ fail: vulnerable before deb12u7"), "\(result.standardOutput)")
        let fixed = try Self.gate(
            report: Self.trivyReport([("debian", "libc6", "2.37-1", "CVE-2024-0001")]), policy: Self.debianFail)
        #expect(fixed.status == 0, "\(fixed.standardOutput)\(fixed.standardError)")
    }

    @Test func alpineRevisionsAndDebianBackportsAreNotIgnoredBeforeTheirFix() throws {
        let report = Self.trivyReport([
            ("alpine", "busybox", "1.36.1-r4", "CVE-2024-0010"),
            ("debian", "openssl", "3.0.11-1~deb12u1", "CVE-2024-0011"),
        ])
        let result = try Self.gate(report: report, policy: Self.alpineIgnore)
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(
            result.standardOutput.contains("FAIL: 2 failing, 0 warnings, 0 waived, 0 ignored"),
            "\(result.standardOutput)")
        let fixed = Self.trivyReport([
            ("alpine", "busybox", "1.36.1-r10", "CVE-2024-0010"),
            ("debian", "openssl", "3.0.11-1+deb12u2", "CVE-2024-0011"),
        ])
        let passing = try Self.gate(report: fixed, policy: Self.alpineIgnore)
        #expect(passing.status == 0, "\(passing.standardOutput)\(passing.standardError)")
        #expect(passing.standardOutput.contains("PASS: 0 failing, 0 warnings, 0 waived, 2 ignored"))
    }
}
