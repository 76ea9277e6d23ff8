import Findings
import Policy
import Testing

/// Rules with version ranges on OS packages: the review's repro, decided by the gate.
@Suite("OS package version rules")
struct OSPackageRuleTests {
    static func package(_ ecosystem: String, _ name: String, _ version: String, purl: String? = nil) -> Package {
        Package(ecosystem: ecosystem, name: name, installedVersion: version, purl: purl)
    }

    static func libc6(_ version: String) -> Package {
        package("debian", "libc6", version, purl: "pkg:deb/debian/libc6@\(version)?arch=amd64&distro=debian-12.5")
    }

    /// The verdict of a high finding under one rule, with `fail-on: high` (or `none`).
    static func verdict(
        _ package: Package, _ match: String, _ action: String, failOn: String = "high", id: String = "CVE-2024-0001"
    ) throws -> Verdict? {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: \(failOn)\nrules:\n  - match: \(match)\n    action: \(action)\n")
        let finding = Support.finding(id, severity: .high, package: package)
        return Support.evaluate([finding], policy: policy).verdicts.first?.verdict
    }

    /// "Fixed in 2.36-9+deb12u7": the vulnerable deb12u4 was ignored (read as 2.36 = 2.36).
    @Test func aDebianFixedInRevisionWaiverDoesNotIgnoreAnOlderRevision() throws {
        let rule = "{ id: CVE-2024-0001, package: { name: libc6, ecosystem: debian, version: \">=2.36-9+deb12u7\" } }"
        #expect(try Self.verdict(Self.libc6("2.36-9+deb12u4"), rule, "ignore") == .fail)
        #expect(try Self.verdict(Self.libc6("2.36-9"), rule, "ignore") == .fail)
        #expect(try Self.verdict(Self.libc6("2.36-9+deb12u7"), rule, "ignore") == .ignored)
        #expect(try Self.verdict(Self.libc6("2.36-9+deb12u10"), rule, "ignore") == .ignored)
        #expect(try Self.verdict(Self.libc6("2.37-1"), rule, "ignore") == .ignored)
        // A bound without an epoch is read at the installed package's epoch (advisories leave it
        // out): 1:2.0-1 is not past 2.36-9+deb12u7; with the epoch written, dpkg's order holds.
        #expect(try Self.verdict(Self.libc6("1:2.0-1"), rule, "ignore") == .fail)
        let withEpoch = "{ package: { name: libc6, ecosystem: debian, version: \">=0:2.36-9+deb12u7\" } }"
        #expect(try Self.verdict(Self.libc6("1:2.0-1"), withEpoch, "ignore") == .ignored)
    }

    /// RHEL's openssl is `1:3.0.7-24.el9`; its advisories and file names say `3.0.7-24.el9`. A
    /// bound copied from them, read as epoch 0, was older than every epoch-1 package: the
    /// `ignore` for the fix passed the vulnerable one and the fail rule never fired.
    @Test func aBoundWithoutAnEpochIsReadAtTheInstalledEpoch() throws {
        let openssl = Self.package("redhat", "openssl-libs", "1:1.0.2k-16.el7")
        let fixed = "{ package: { name: openssl-libs, ecosystem: redhat, version: \">=1.0.2k-19.el7\" } }"
        #expect(try Self.verdict(openssl, fixed, "ignore") == .fail)
        #expect(
            try Self.verdict(Self.package("redhat", "openssl-libs", "1:1.0.2k-19.el7"), fixed, "ignore") == .ignored)
        let rhel9 = Self.package("redhat", "openssl", "1:3.0.7-24.el9")
        #expect(
            try Self.verdict(rhel9, "{ package: { name: openssl, version: \"<=3.0.7\" } }", "fail", failOn: "none")
                == .fail)
        let git = Self.package("debian", "git", "1:2.20.1-2+deb10u3")
        #expect(try Self.verdict(git, "{ package: { name: git, version: \">=2.30\" } }", "ignore") == .fail)
        #expect(
            try Self.verdict(git, "{ package: { name: git, version: \"<2.30\" } }", "fail", failOn: "none") == .fail)
    }

    /// Fail rules on "before the fix" and on an upstream line never fired on a revision.
    @Test func debianFailRulesFireOnVulnerableRevisions() throws {
        let before = "{ package: { name: libc6, version: \"<2.36-9+deb12u7\" } }"
        #expect(try Self.verdict(Self.libc6("2.36-9+deb12u4"), before, "fail", failOn: "none") == .fail)
        #expect(try Self.verdict(Self.libc6("2.36-9+deb12u7"), before, "fail", failOn: "none") == .pass)
        let line = "{ package: { name: libc6, version: \">=2.36 <2.37\" } }"
        #expect(try Self.verdict(Self.libc6("2.36-9+deb12u4"), line, "fail", failOn: "none") == .fail)
        #expect(try Self.verdict(Self.libc6("2.37-1"), line, "fail", failOn: "none") == .pass)
        let backport = "{ package: { name: openssl, version: \">=3.0.11-1\" } }"
        let openssl = Self.package("debian", "openssl", "3.0.11-1~deb12u1")
        #expect(try Self.verdict(openssl, backport, "ignore") == .fail)
        #expect(try Self.verdict(Self.package("debian", "openssl", "3.0.11-1"), backport, "ignore") == .ignored)
    }

    @Test func alpineRevisionsCompareAsNumbers() throws {
        let rule = "{ package: { name: busybox, version: \">=1.36.1-r10\" } }"
        #expect(try Self.verdict(Self.package("alpine", "busybox", "1.36.1-r4"), rule, "ignore") == .fail)
        #expect(try Self.verdict(Self.package("alpine", "busybox", "1.36.1-r10"), rule, "ignore") == .ignored)
        let prerelease = "{ package: { name: busybox, ecosystem: alpine, version: \"<1.37_rc1\" } }"
        #expect(
            try Self.verdict(Self.package("alpine", "busybox", "1.37_beta2-r0"), prerelease, "fail", failOn: "none")
                == .fail)
        #expect(
            try Self.verdict(
                Self.package("wolfi", "busybox", "1.37-r0"), "{ package: { name: busybox, version: \"<1.37-r1\" } }",
                "fail", failOn: "none") == .fail)
    }

    @Test func rpmReleasesCompareAsRPMDoes() throws {
        let openssl = Self.package(
            "redhat", "openssl", "1:3.0.7-24.el9", purl: "pkg:rpm/redhat/openssl@3.0.7-24.el9?epoch=1")
        #expect(
            try Self.verdict(openssl, "{ package: { name: openssl, version: \">=1:3.0.7-25.el9\" } }", "ignore")
                == .fail)
        #expect(
            try Self.verdict(
                openssl, "{ package: { name: openssl, version: \"<1:3.0.7-25.el9\" } }", "fail", failOn: "none")
                == .fail)
        // A bound without a release stands for every release of its version, as in rpm.
        #expect(
            try Self.verdict(openssl, "{ package: { name: openssl, version: \"<=1:3.0.7\" } }", "fail", failOn: "none")
                == .fail)
        #expect(
            try Self.verdict(openssl, "{ package: { name: openssl, version: \"<1:3.0.7\" } }", "fail", failOn: "none")
                == .pass)
        let tilde = Self.package("rocky", "kernel", "5.14.0~rc1-1.el9")
        #expect(
            try Self.verdict(
                tilde, "{ package: { name: kernel, ecosystem: rocky, version: \">=5.14.0-1.el9\" } }", "ignore")
                == .fail)
    }

    /// What cannot be compared fails closed: a fail rule applies, a relaxing one does not.
    @Test(arguments: [
        package("arch", "glibc", "2.36-1"), package("unknown", "glibc", "2.36-1"),
        package("bottlerocket", "glibc", "2.36"),
        package("debian", "glibc", "latest"), package("debian", "glibc", "2.36-1", purl: "pkg:rpm/redhat/glibc@2.36-1"),
    ])
    func uncomparableVersionsFailClosed(_ package: Package) throws {
        #expect(
            try Self.verdict(package, "{ package: { name: glibc, version: \"<3\" } }", "fail", failOn: "none") == .fail)
        #expect(try Self.verdict(package, "{ package: { name: glibc, version: \">=1\" } }", "ignore") == .fail)
        #expect(try Self.verdict(package, "{ package: { name: glibc, version: \">=1\" } }", "warn") == .fail)
    }

    /// A bound written for language packages that is no Debian version (`v2`) cannot be checked
    /// against a Debian package.
    @Test func aBoundTheOSCannotReadFailsClosed() throws {
        let libc6 = Self.libc6("2.36-9+deb12u4")
        #expect(
            try Self.verdict(libc6, "{ package: { name: libc6, version: \"<v3\" } }", "fail", failOn: "none") == .fail)
        #expect(try Self.verdict(libc6, "{ package: { name: libc6, version: \">=v1\" } }", "ignore") == .fail)
        // One bound that certainly does not hold decides.
        #expect(
            try Self.verdict(libc6, "{ package: { name: libc6, version: \"<v3 >=2.37\" } }", "fail", failOn: "none")
                == .pass)
    }

    @Test func languagePackagesCompareAsBefore() throws {
        let qs = Support.npm("qs", "6.10.0")
        #expect(
            try Self.verdict(qs, "{ package: { name: qs, version: \"<6.10.3\" } }", "fail", failOn: "none") == .fail)
        #expect(try Self.verdict(qs, "{ package: { name: qs, version: \">=6.10.0-rc.1\" } }", "ignore") == .ignored)
        let go = Self.package("golang", "x/net", "v0.17.0", purl: "pkg:golang/golang.org/x/net@v0.17.0")
        #expect(try Self.verdict(go, "{ package: { name: x/net, version: \">=0.17.0\" } }", "ignore") == .ignored)
    }

    @Test(arguments: [
        ("{ name: glibc, ecosystem: arch, version: \"<3\" }", "cannot compare the versions of arch packages"),
        ("{ name: glibc, ecosystem: unknown, version: \"<3\" }", "cannot compare the versions of unknown packages"),
        ("{ name: libc6, ecosystem: debian, version: \"<2.36_1\" }", "\"2.36_1\" is not a Debian (dpkg) version"),
        ("{ name: busybox, ecosystem: alpine, version: \"<1.36.1-1\" }", "\"1.36.1-1\" is not an Alpine (apk) version"),
        ("{ name: libc6, version: \"<1.0~rc1\" }", "needs the rule's ecosystem"),
    ])
    func rangesTheirEcosystemCannotReadAreRefused(_ package: String, _ words: String) {
        let text = "scangate-policy: 1\nfail-on: high\nrules:\n  - match: { package: \(package) }\n    action: fail\n"
        let error = Support.policyError(["policy.yaml": text])
        #expect(error?.description.hasPrefix("policy.yaml:4:") == true, "\(String(describing: error))")
        #expect(error?.description.contains(words) == true, "\(String(describing: error))")
    }

    @Test func osVersionsTheirEcosystemReadsAreAccepted() throws {
        for package in [
            "{ name: openssl, ecosystem: debian, version: \">=3.0.11-1~deb12u1, <1:0\" }",
            "{ name: kernel, ecosystem: redhat, version: \"<5.14.0^git1-1.el9\" }",
            "{ name: busybox, ecosystem: Alpine, version: \">=1.36.1_p1-r10\" }",
        ] {
            let text =
                "scangate-policy: 1\nfail-on: high\nrules:\n  - match: { package: \(package) }\n    action: fail\n"
            _ = try Support.policy(text)
        }
    }
}
