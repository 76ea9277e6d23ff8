import Adapters
import Findings
import Foundation
import Policy
import Testing

/// Package names as their registries compare them (found by a review: PyPI's `Django` and
/// `PyYAML` passed fail rules for `django` and `pyyaml`).
@Suite("Package names in rules and waivers")
struct PackageNameMatchingTests {
    static func package(_ ecosystem: String, _ name: String) -> Finding {
        Support.finding(
            "CVE-2024-4444", severity: .medium,
            package: Package(ecosystem: ecosystem, name: name, installedVersion: "4.2.0"))
    }

    static func verdict(of finding: Finding, rule package: String, _ action: String, failOn: String) throws
        -> Verdict?
    {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: \(failOn)\nrules:\n  - match: { package: \(package) }\n    action: \(action)\n"
        )
        return Support.evaluate([finding], policy: policy).verdicts.first?.verdict
    }

    /// The review's report: `trivy fs` of a `requirements.txt`.
    @Test func theReviewReportFailsByItsRules() throws {
        let text = """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
             "Results": [{"Target": "requirements.txt", "Class": "lang-pkgs", "Type": "pip", "Vulnerabilities": [
               {"VulnerabilityID": "CVE-2024-4444", "PkgName": "Django", "InstalledVersion": "4.2.0",
                "Severity": "MEDIUM", "Title": "t", "Description": "d"},
               {"VulnerabilityID": "CVE-2024-5555", "PkgName": "PyYAML", "InstalledVersion": "5.3",
                "Severity": "MEDIUM", "Title": "t", "Description": "d"}]}]}
            """
        let findings = try ReportReader().parse(ReportSource(name: "trivy.json", bytes: Array(text.utf8))).findings
        let policy = try Support.policy(
            """
            scangate-policy: 1
            fail-on: critical
            rules:
              - match: { package: { name: django, ecosystem: pypi } }
                action: fail
              - match: { package: pyyaml }
                action: fail
            """)
        let decision = Support.evaluate(findings, policy: policy)
        #expect(Support.verdict(decision, "CVE-2024-4444")?.verdict == .fail)
        #expect(Support.verdict(decision, "CVE-2024-5555")?.verdict == .fail)
    }

    /// PEP 503: case-insensitive, and runs of `-`, `_`, `.` are one.
    @Test(arguments: [
        ("Django", "django"), ("PyYAML", "pyyaml"), ("pyyaml", "PyYAML"), ("zope.interface", "zope-interface"),
        ("Zope_Interface", "zope.interface"), ("zope__interface", "zope-interface"), ("ruamel.yaml", "ruamel-*"),
        ("Flask-SQLAlchemy", "flask_sqlalchemy"), ("typing_extensions", "typing?extensions"),
        ("backports.zoneinfo", "Backports-*"), ("PyJWT", "[p]yjwt"),
    ])
    func aPyPINameMatchesHoweverItIsWritten(_ name: String, _ glob: String) throws {
        let finding = Self.package("pypi", name)
        #expect(
            try Self.verdict(of: finding, rule: "\"\(glob)\"", "fail", failOn: "none") == .fail, "\(name) / \(glob)")
        #expect(
            try Self.verdict(of: finding, rule: "\"\(glob)\"", "ignore", failOn: "low") == .ignored, "\(name) / \(glob)"
        )
        #expect(
            try Self.verdict(of: finding, rule: "{ name: \"\(glob)\", ecosystem: pypi }", "fail", failOn: "none")
                == .fail)
    }

    @Test(arguments: [("Django", "djangox"), ("PyYAML", "py-yaml"), ("zope.interface", "zopeinterface")])
    func aDifferentPyPINameStaysDifferent(_ name: String, _ glob: String) throws {
        #expect(try Self.verdict(of: Self.package("pypi", name), rule: "\"\(glob)\"", "ignore", failOn: "low") == .fail)
    }

    @Test(arguments: [
        ("nuget", "Newtonsoft.Json", "newtonsoft.json"), ("nuget", "newtonsoft.json", "Newtonsoft.*"),
        ("composer", "Monolog/Monolog", "monolog/monolog"), ("composer", "symfony/http-kernel", "Symfony/*"),
    ])
    func aNuGetOrComposerNameMatchesInAnyCase(_ ecosystem: String, _ name: String, _ glob: String) throws {
        let finding = Self.package(ecosystem, name)
        #expect(try Self.verdict(of: finding, rule: "\"\(glob)\"", "fail", failOn: "none") == .fail)
        #expect(try Self.verdict(of: finding, rule: "\"\(glob)\"", "ignore", failOn: "low") == .ignored)
    }

    /// Separators are not folded outside PyPI: a NuGet `Foo_Bar` is not `Foo.Bar`.
    @Test func aNuGetNameKeepsItsSeparators() throws {
        #expect(
            try Self.verdict(of: Self.package("nuget", "Foo_Bar"), rule: "foo.bar", "ignore", failOn: "low") == .fail)
    }

    /// npm has packages that differ only in case (`JSONStream`, `jsonstream`); Maven and Go
    /// module names are case-sensitive too: compared as written.
    @Test(arguments: [("npm", "JSONStream", "jsonstream"), ("maven", "org.Example:lib", "org.example:lib")])
    func aNameElsewhereIsComparedAsWritten(_ ecosystem: String, _ name: String, _ glob: String) throws {
        let finding = Self.package(ecosystem, name)
        #expect(try Self.verdict(of: finding, rule: "\"\(glob)\"", "ignore", failOn: "low") == .fail)
        #expect(try Self.verdict(of: finding, rule: "\"\(name)\"", "ignore", failOn: "low") == .ignored)
    }

    @Test func aWaiverForAPyPIPackageHoldsHoweverTheNameIsWritten() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: medium\n")
        let waivers = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: CVE-2024-4444
                package: django
                reason: the admin is not deployed
                approved-by: security@example.org
                expires: 2026-12-20
                severity: medium
            """, file: "waivers.yaml")
        let django = Support.evaluate([Self.package("pypi", "Django")], policy: policy, waivers: [waivers])
        #expect(django.verdicts.first?.verdict == .waived)
        let npm = Support.evaluate([Self.package("npm", "Django")], policy: policy, waivers: [waivers])
        #expect(npm.verdicts.first?.verdict == .fail)
    }
}
