import Adapters
import Findings
import Foundation
import PropertyBased
import Testing

@testable import Policy

/// Operating-system package versions compared as their package managers compare them.
@Suite("OS package versions")
struct OSPackageVersionTests {
    // MARK: dpkg

    /// Debian Policy 5.6.12 and dpkg's own cases; `expected` is the sign of `a` against `b`.
    @Test(arguments: [
        ("1.0~rc1", "1.0", -1), ("1:0.5", "2.0", 1), ("1.0a", "1.0+", -1), ("1.0", "1.0a", -1),
        ("1.0~~", "1.0~~a", -1), ("1.0~~a", "1.0~", -1), ("1.0~", "1.0", -1), ("1.0", "1.0-0", 0),
        ("0:1.0", "1.0", 0), ("1.001", "1.1", 0), ("1.0-10", "1.0-9", 1), ("1.10", "1.9", 1), ("10", "9", 1),
        ("1.2.3", "1.2.3.0", -1), ("1:1.0", "2.0", 1), ("2:0", "1:9999", 1), ("1.0+dfsg-1", "1.0-1", 1),
        ("1.0.0~beta1", "1.0.0~alpha1", 1), ("1.0-1", "1.0-1", 0), ("1.2-3-4", "1.2-3-5", -1),
        // The review's cases: a Debian security update, a revision, a backport.
        ("2.36-9+deb12u4", "2.36-9+deb12u7", -1), ("2.36-9", "2.36", 1), ("2.36-9", "2.36-9+deb12u1", -1),
        ("3.0.11-1~deb12u1", "3.0.11-1", -1), ("1~deb12u1", "1", -1), ("7.81.0-1ubuntu1.14", "7.81.0-1ubuntu1.9", 1),
        ("1.1.0k-1~deb9u1", "1.1.0l-1~deb9u1", -1), ("2.36-9+deb12u10", "2.36-9+deb12u9", 1),
    ])
    func dpkgOrder(_ a: String, _ b: String, _ expected: Int) throws {
        let left = try #require(DpkgVersion(a))
        let right = try #require(DpkgVersion(b))
        #expect(DpkgVersion.compare(left, right).signum() == expected, "\(a) vs \(b)")
        #expect(DpkgVersion.compare(right, left).signum() == -expected, "\(b) vs \(a)")
    }

    /// `verrevcmp` on parts that are no whole version: `~~ < ~~a < ~ < (end) < a`, letters before
    /// other characters.
    @Test func dpkgPartOrder() {
        let ordered = ["~~", "~~a", "~", "", "a", "z", "+", "."]
        for (index, part) in ordered.enumerated() {
            for later in ordered[(index + 1)...] {
                #expect(DpkgVersion.verrevcmp(Array(part.utf8), Array(later.utf8)) < 0, "\(part) < \(later)")
                #expect(DpkgVersion.verrevcmp(Array(later.utf8), Array(part.utf8)) > 0, "\(later) > \(part)")
            }
        }
    }

    @Test(arguments: [
        "", "abc", "v1.0", "1.0-", ":1.0", "1:", "a:1.0", "-1:1.0", "1.0_1", "1.0 1", "1.0-1_2", "99999999999:1",
        "1.0-1:2",
        "1.0é",
    ])
    func notDpkgVersions(_ text: String) {
        #expect(DpkgVersion(text) == nil, "\(text)")
    }

    // MARK: rpm

    /// rpm's own `rpmvercmp` test cases (tests/rpmvercmp.at), the documented oddities included.
    @Test(arguments: [
        ("1.0", "1.0", 0), ("1.0", "2.0", -1), ("2.0.1", "2.0", 1), ("2.0.1a", "2.0.1", 1), ("5.5p1", "5.5p2", -1),
        ("5.5p10", "5.5p1", 1), ("10xyz", "10.1xyz", -1), ("xyz10", "xyz10.1", -1), ("xyz.4", "8", -1),
        ("2", "xyz.4", 1), ("5.5p2", "5.6p1", -1), ("6.0.rc1", "6.0", 1), ("10b2", "10a1", 1), ("1.0a", "1.0aa", -1),
        ("10.0001", "10.1", 0), ("10.0001", "10.0039", -1), ("4.999.9", "5.0", -1), ("20101121", "20101122", -1),
        ("2_0", "2.0", 0), ("a+", "a_", 0), ("+a", "_a", 0), ("_+", "+_", 0), ("+", "_", 0),
        ("1.0~rc1", "1.0", -1), ("1.0~rc1", "1.0~rc2", -1), ("1.0~rc1~git123", "1.0~rc1", -1), ("1.0^", "1.0", 1),
        ("1.0^git1", "1.0", 1), ("1.0^git1", "1.0^git2", -1), ("1.0^git1", "1.01", -1), ("1.0^20160101", "1.0.1", -1),
        ("1.0^20160102", "1.0^20160101^git1", 1), ("1.0~rc1^git1", "1.0~rc1", 1), ("1.0^git1", "1.0^git1~pre", 1),
        ("1b.fc17", "1.fc17", -1), ("1g.fc17", "1.fc17", 1), ("1.1.α", "1.1.β", 0),
    ])
    func rpmvercmp(_ a: String, _ b: String, _ expected: Int) {
        #expect(RPMVersion.rpmvercmp(Array(a.utf8), Array(b.utf8)) == expected, "\(a) vs \(b)")
        #expect(RPMVersion.rpmvercmp(Array(b.utf8), Array(a.utf8)) == -expected, "\(b) vs \(a)")
    }

    /// Whole `[epoch:]version[-release]` versions.
    @Test(arguments: [
        ("1:0.5-1", "2.0-1", 1), ("3.0.7-24.el9", "3.0.7-25.el9", -1), ("1.0~rc1-1", "1.0-1", -1),
        ("1.0^git1-1", "1.0-1", 1), ("0:1.0-1", "1.0-1", 0), ("1:1.0.2k-16.el7", "1.0.2k-16.el7", 1),
        ("4.2.46-31.el7", "4.2.46-33.el7", -1), ("1.0.2k-16.el7", "1.0.2k-16.el7_9", -1),
        ("32:9.11.4-26.P2.amzn2.5.2", "32:9.11.4-26.P2.amzn2.5.10", -1), ("3.0.7-24.el9", "3.0.7", 0),
        ("3.0.7-24.el9", "3.0.8", -1), ("3.0.7-24.el9", "3.0.7~rc1", 1), ("2:1.0", "1:9.9-9", 1),
    ])
    func rpmOrder(_ a: String, _ b: String, _ expected: Int) throws {
        let left = try #require(RPMVersion(a))
        let right = try #require(RPMVersion(b))
        #expect(RPMVersion.compare(left, right).signum() == expected, "\(a) vs \(b)")
        #expect(RPMVersion.compare(right, left).signum() == -expected, "\(b) vs \(a)")
    }

    @Test(arguments: ["", "-1", "1.0-", "~1.0", "^1.0", "1:", ":1.0", "1.0-1-2", "1.0/2", "a:1.0", "1.0 1", "1.α"])
    func notRPMVersions(_ text: String) {
        #expect(RPMVersion(text) == nil, "\(text)")
    }

    // MARK: apk

    /// apk-tools' order: revisions by value, suffixes by rank, later numbers with a leading zero
    /// as text.
    @Test(arguments: [
        ("1.36.1-r4", "1.36.1-r10", -1), ("1.2_rc1", "1.2", -1), ("1.2_p1", "1.2", 1), ("1.2", "1.2-r0", -1),
        ("1.2-r0", "1.2_p1", -1), ("1.2_alpha", "1.2_beta", -1), ("1.2_beta2", "1.2_pre1", -1),
        ("1.2_pre1", "1.2_rc1", -1), ("1.2_cvs", "1.2_svn", -1), ("1.2_git", "1.2_hg", -1), ("1.2_hg", "1.2_p", -1),
        ("1.2_alpha10", "1.2_alpha9", 1), ("0.1.0_alpha_pre2", "0.1.0_alpha", -1), ("1.0_p10-r0", "1.0_p9-r0", 1),
        ("8.2.0015", "8.2.002", -1), ("1.05", "1.5", -1), ("1.0", "1.00", -1), ("1.001", "1.01", -1),
        ("1.01", "1.1", -1), ("006", "1.0.0", 1), ("1.2.3", "1.2.3a", -1), ("1.2.3a", "1.2.3b", -1),
        ("1.2.3a", "1.2.4", -1), ("2.3.0b-r1", "2.3.0b-r2", -1), ("1.3_pre1-r1", "1.3.2", -1),
        ("3.0.20060720", "20060720", -1), ("1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0", -1),
        ("1.0~abc1", "1.0~abd0", -1), ("1.0~abc1", "1.0", 1), ("1.2.3-r1", "1.2.3-r1", 0), ("2.10", "2.9", 1),
    ])
    func apkOrder(_ a: String, _ b: String, _ expected: Int) throws {
        let left = try #require(APKVersion(a))
        let right = try #require(APKVersion(b))
        #expect(APKVersion.compare(left, right).signum() == expected, "\(a) vs \(b)")
        #expect(APKVersion.compare(right, left).signum() == -expected, "\(b) vs \(a)")
    }

    @Test(arguments: [
        "", "v1.0", "1.0-1", "1.0bc", "1a2", "1.0_foo", "1.0-r", "1.0.", "1.0_rc1.2", "1.0-r1-r2", "1.0~", "1.0~xyz",
        "1.0-r1_p1", "3.0.11-1~deb12u1", "1.0A",
    ])
    func notAPKVersions(_ text: String) {
        #expect(APKVersion(text) == nil, "\(text)")
    }

    // MARK: Orders are orders

    /// Each comparison is antisymmetric and transitive over versions built from the characters
    /// that matter to it.
    @Test func dpkgOrderIsAnOrder() async {
        let pieces = ["0", "1", "2", "10", "01", ".", "~", "+", "a", "b", "-", "-1", "~rc", "+deb12u", "1:"]
        await Self.checkOrder(pieces, DpkgVersion.init, DpkgVersion.compare)
    }

    /// (An RPM version without a release equals every release of it, as in rpm's ranges: the
    /// versions are all given one.)
    @Test func rpmOrderIsAnOrder() async {
        let pieces = ["0", "1", "2", "10", "01", ".", "~", "^", "+", "_", "a", "b", "rc", "git", "1:"]
        await Self.checkOrder(pieces, { RPMVersion($0 + "-1" + $0.filter { $0 != ":" }) }, RPMVersion.compare)
    }

    @Test func apkOrderIsAnOrder() async {
        let pieces = ["0", "1", "2", "10", ".01", ".1", ".10", "a", "_rc", "_p", "_alpha", "-r1", "-r10", "~ab", "~0"]
        await Self.checkOrder(pieces, APKVersion.init, APKVersion.compare)
    }

    /// Checks antisymmetry and transitivity on sets of versions `read` from `1` and pieces.
    static func checkOrder<Version: Sendable>(
        _ pieces: [String], _ read: @escaping @Sendable (String) -> Version?,
        _ compare: @escaping @Sendable (Version, Version) -> Int
    ) async {
        let text = Gen.int(in: 0...(pieces.count - 1)).array(of: 0...5).map { "1" + $0.map { pieces[$0] }.joined() }
        var compared = 0
        await propertyCheck(count: 40, input: text.array(of: 20...40)) { texts in
            let versions = texts.compactMap { text in read(text).map { (text, $0) } }
            compared += versions.count
            for (x, a) in versions {
                for (y, b) in versions {
                    #expect(compare(a, b).signum() == -compare(b, a).signum(), "\(x) vs \(y)")
                    for (z, c) in versions where compare(a, b) <= 0 && compare(b, c) <= 0 {
                        #expect(compare(a, c) <= 0, "\(x) <= \(y) <= \(z)")
                    }
                }
            }
        }
        // Most of what was generated is a version: the check checked something.
        #expect(compared >= 40 * 10, "\(compared) versions")
    }
}

/// Which order a package's versions follow, and ranges read by it.
@Suite("Version schemes")
struct VersionSchemeTests {
    // MARK: Which scheme a package follows

    @Test func everyEcosystemHasADeliberateScheme() {
        for language in Ecosystems.languages.union(Ecosystems.kubernetes) {
            #expect(VersionScheme(ecosystem: language) == .semver, "\(language)")
        }
        let uncompared = Ecosystems.operatingSystems.filter { VersionScheme(ecosystem: $0) == nil }
        #expect(uncompared == ["arch", "bottlerocket"])
        #expect(VersionScheme(ecosystem: "unknown") == nil)
        #expect(VersionScheme(ecosystem: "Debian") == .dpkg)
        #expect(VersionScheme(ecosystem: "debian gnu/linux") == .dpkg)
        #expect(VersionScheme(ecosystem: "amazon linux") == .rpm)
        #expect(VersionScheme(ecosystem: "suse linux enterprise server") == .rpm)
        #expect(VersionScheme(ecosystem: "wolfi") == .apk)
    }

    @Test(
        arguments: [
            ("debian", nil, VersionScheme.dpkg), ("ubuntu", "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.14", .dpkg),
            ("redhat", "pkg:rpm/redhat/openssl@3.0.7-24.el9", .rpm),
            ("alpine", "pkg:apk/alpine/busybox@1.36.1-r4", .apk),
            // An SBOM's Debian package in a pip result, and a report that named no type.
            ("pypi", "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.14", .dpkg),
            ("unknown", "PKG:APK/alpine/musl@1.2.4-r2", .apk),
            ("npm", "pkg:npm/qs@6.10.0", .semver), ("npm", nil, .semver),
        ] as [(String, String?, VersionScheme)])
    func packageSchemes(_ ecosystem: String, _ purl: String?, _ expected: VersionScheme) {
        let package = Package(ecosystem: ecosystem, name: "p", installedVersion: "1", purl: purl)
        #expect(VersionScheme(package: package) == expected)
    }

    /// A purl contradicting the OS, an OS ScanGate cannot compare, a report that did not say.
    @Test(
        arguments: [
            ("debian", "pkg:rpm/redhat/openssl@3.0.7-24.el9"), ("alpine", "pkg:deb/debian/libc6@2.36-9"),
            ("arch", nil), ("arch", "pkg:rpm/x/y@1-1"), ("unknown", nil), ("bottlerocket", nil),
        ] as [(String, String?)])
    func packagesWithoutAScheme(_ ecosystem: String, _ purl: String?) {
        #expect(VersionScheme(package: Package(ecosystem: ecosystem, name: "p", purl: purl)) == nil)
    }

    // MARK: Ranges

    @Test func aRangeWithoutAnEcosystemIsReadByThePackagesScheme() throws {
        let fixed = try VersionRange(">=2.36-9+deb12u7")
        #expect(fixed.contains("2.36-9+deb12u4", scheme: .dpkg) == false)
        #expect(fixed.contains("2.36-9+deb12u7", scheme: .dpkg) == true)
        #expect(fixed.contains("2.36-9+deb12u10", scheme: .dpkg) == true)
        // A bound without an epoch is read at the installed version's (advisories leave it out).
        #expect(fixed.contains("1:2.0-1", scheme: .dpkg) == false)
        #expect(fixed.contains("1:2.36-9+deb12u7", scheme: .dpkg) == true)
        let line = try VersionRange(">=2.36 <2.37")
        #expect(line.contains("2.36-9+deb12u4", scheme: .dpkg) == true)
        #expect(line.contains("2.37-1", scheme: .dpkg) == false)
        #expect(try VersionRange("<3.0.7").contains("3.0.7-24.el9", scheme: .rpm) == false)
        #expect(try VersionRange("<=3.0.7").contains("3.0.7-24.el9", scheme: .rpm) == true)
        #expect(try VersionRange(">=3.0.7-25.el9").contains("3.0.7-24.el9", scheme: .rpm) == false)
        #expect(try VersionRange(">=1.36.1-r10").contains("1.36.1-r4", scheme: .apk) == false)
        #expect(try VersionRange(">=1.36.1-r10").contains("1.36.1-r10", scheme: .apk) == true)
        // Language packages as before.
        #expect(try VersionRange("<4.17.21").contains("4.17.15", scheme: .semver) == true)
        #expect(try VersionRange(">1.0.0-rc.2").contains("1.0.0-rc.10", scheme: .semver) == true)
    }

    /// What cannot be read is not known (nil): the gate then applies fail rules and not relaxing
    /// ones. One bound that certainly does not hold still decides.
    @Test func whatCannotBeReadIsNotKnown() throws {
        #expect(try VersionRange("<2").contains("2.36-9", scheme: nil) == nil)
        #expect(try VersionRange("<2").contains("latest", scheme: .dpkg) == nil)
        #expect(try VersionRange("<v2").contains("1.0-1", scheme: .dpkg) == nil)
        #expect(try VersionRange("<v2 >=3").contains("1.0-1", scheme: .dpkg) == false)
        #expect(try VersionRange("<1.0-1").contains("1.0-r1", scheme: .apk) == nil)
    }

    @Test func boundsAreCheckedByTheRulesEcosystem() throws {
        #expect(try VersionRange("<1.0~rc1, >=1:0.9-1", scheme: .dpkg).comparators.count == 2)
        #expect(try VersionRange(">1.0^git1 <2~beta", scheme: .rpm).comparators.count == 2)
        #expect(try VersionRange("<1.2_rc1 >=1.0-r3", scheme: .apk).comparators.count == 2)
        func message(_ text: String, _ scheme: VersionScheme?) -> String {
            do {
                _ = try VersionRange(text, scheme: scheme)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message("<1.0_1", .dpkg) == "\"1.0_1\" is not a Debian (dpkg) version")
        #expect(message("<1.0-1", .apk) == "\"1.0-1\" is not an Alpine (apk) version")
        #expect(message("<1.0/1", .rpm) == "\"1.0/1\" is not an RPM version")
        #expect(message("~1.2", .dpkg).hasPrefix("only <, <=, >, >=, = and bare versions are supported"))
        #expect(message("^1.2", .rpm).hasPrefix("only <, <=, >, >=, = and bare versions are supported"))
        #expect(message("^1.0.0", nil) == "only <, <=, >, >=, = and bare versions are supported")
        #expect(message("~ 1.2", nil) == "only <, <=, >, >=, = and bare versions are supported")
        #expect(message("<1.0~rc1", nil).contains("needs the rule's ecosystem"))
        #expect(message("<1.2_rc1", nil).contains("needs the rule's ecosystem"))
        #expect(message("<1.0.0-", .semver) == "\"1.0.0-\" has an empty pre-release identifier")
    }

    /// The report as the gate reads it: the Trivy adapter's ecosystem and purl give the order.
    @Test func theTrivyAdapterTellsTheOrder() throws {
        let file = try GateProcess.temporaryFile(
            "trivy.json",
            OSPackageGateCommandTests.trivyReport([
                ("debian", "libc6", "2.36-9+deb12u4", "CVE-2024-0001"),
                ("alpine", "busybox", "1.36.1-r4", "CVE-2024-0010"),
            ]))
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let packages = try ReportReader().read(path: file.path).findings.compactMap(\.package)
        #expect(packages.map { VersionScheme(package: $0) } == [.dpkg, .apk])
    }
}
