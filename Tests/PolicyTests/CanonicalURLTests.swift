import Findings
import Foundation
import Testing

@testable import Policy

/// A page written several ways is one page to `url:` rules and waivers: a fail rule must not
/// miss it, a relaxing rule or waiver must not reach past its scope.
@Suite("URLs in rules and waivers")
struct CanonicalURLTests {
    @Test(arguments: [
        ("https://APP.EXAMPLE/admin/x", "https://app.example/admin/x"),
        ("https://app.example/%61dmin/x", "https://app.example/admin/x"),
        ("https://u:p@app.example/admin/x", "https://app.example/admin/x"),
        ("https://app.example/static/../admin/x", "https://app.example/admin/x"),
        ("https://app.example/static/%2e%2e/admin/x", "https://app.example/admin/x"),
        ("https://app.example:443/a/./b", "https://app.example/a/b"),
        ("http://app.example:80/", "http://app.example/"),
        ("http://app.example:8080/a#top", "http://app.example:8080/a"),
        ("https://app.example/a%2fb?q=%7e%3d", "https://app.example/a%2Fb?q=~%3D"),
        ("https://app.example/..", "https://app.example/"),
        ("HTTPS://App.Example", "https://app.example/"),
        ("http://app.example?q=1", "http://app.example/?q=1"),
        ("ftp://app.example", "ftp://app.example"),
        ("not a url", "not a url"),
        ("/relative/../path", "/relative/../path"),
    ])
    func canonicalForm(_ raw: String, _ expected: String) {
        #expect(CanonicalURL.canonical(raw) == expected)
    }

    static func alert(at urls: [String], severity: Severity = .high) -> Finding {
        Finding(
            kind: .webAlert, ruleID: "40018", title: "SQL Injection",
            ratings: [SeverityRating(source: "zap", severity: severity, isToolVerdict: true)],
            locations: urls.map { Location(url: $0) },
            provenance: [Provenance(tool: "zap", reportFile: "zap.xml", rawID: "40018")],
            identity: FindingIdentity(kind: .webAlert, scope: "site:https://app.example", subject: urls)
        ).finalized()
    }

    static let policy = """
        scangate-policy: 1
        fail-on: critical
        rules:
          - match: { url: "https://App.Example/admin*" }
            action: fail
          - match: { url: "https://app.example/static/*" }
            action: ignore
        """

    @Test(arguments: [
        "https://APP.EXAMPLE/admin/x", "https://app.example/%61dmin/x", "https://u:p@app.example/admin/x",
        "https://app.example/static/../admin/x", "https://app.example:443/admin",
        // `//` before `..`: RFC 3986 resolves it to /static/admin, a server merging slashes
        // serves /admin (found by a review: the ignore rule for /static/* passed it).
        "https://app.example/static//../admin",
    ])
    func aFailRuleCatchesEveryWritingOfItsURL(_ url: String) throws {
        let decision = Support.evaluate([Self.alert(at: [url])], policy: try Support.policy(Self.policy))
        #expect(decision.verdicts.first?.verdict == .fail, "\(url)")
    }

    /// `http://example.com` and `http://example.com/` are the home page either way, in a finding
    /// (ZAP lists both forms) and in a rule (found by a review: a fail rule for the one passed the
    /// other).
    @Test(arguments: [
        ("http://example.com/", "http://example.com"), ("http://example.com", "http://example.com/"),
        ("HTTP://Example.COM", "http://example.com/"), ("http://example.com?q=1", "http://example.com/?q=1"),
    ])
    func aFailRuleForTheHomePageCatchesItWithOrWithoutItsSlash(_ rule: String, _ url: String) throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { url: \"\(rule)\" }\n    action: fail\n")
        let decision = Support.evaluate([Self.alert(at: [url])], policy: policy)
        #expect(decision.verdicts.first?.verdict == .fail, "rule \(rule), finding at \(url)")
    }

    /// A glob without `://` that starts with a wildcard, or with a scheme prefix and one (`http*`,
    /// `https:*`), matches every URL it can: accepted (found by the diff review).
    @Test(arguments: ["http*", "https:*", "h*", "*/admin*"])
    func aSchemelessGlobWithAWildcardInItsFirstPartIsAccepted(_ rule: String) throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { url: \"\(rule)\" }\n    action: fail\n")
        let decision = Support.evaluate([Self.alert(at: ["https://app.example/admin"])], policy: policy)
        #expect(decision.verdicts.first?.verdict == .fail, "rule \(rule)")
    }

    @Test(arguments: ["http://example.com*", "http://example.com/*", "http://*.com"])
    func aGlobOverTheAuthorityIsLeftAsWritten(_ rule: String) throws {
        #expect(try CanonicalURL.pattern(rule) == rule)
    }

    @Test func aRelaxingRuleDoesNotReachPastItsScope() throws {
        let policy = try Support.policy(Self.policy)
        let outside = Support.evaluate([Self.alert(at: ["https://app.example/static/../login"])], policy: policy)
        #expect(outside.verdicts.first?.verdict == .pass)
        let inside = Support.evaluate([Self.alert(at: ["https://APP.example/static/app.js"])], policy: policy)
        #expect(inside.verdicts.first?.verdict == .ignored)
    }

    @Test func aWaiverForAPageCoversItsQueriesAndNothingBeyondIt() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        let waivers = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: "40018"
                url: https://app.example/login
                reason: parameterised since 2.3
                approved-by: security@example.org
                expires: 2026-12-31
                severity: high
            """, file: "waivers.yaml")
        func verdict(_ url: String) -> Verdict? {
            Support.evaluate([Self.alert(at: [url])], policy: policy, waivers: [waivers]).verdicts.first?.verdict
        }
        #expect(verdict("https://app.example/login?user=a") == .waived)
        #expect(verdict("https://APP.example:443/login") == .waived)
        #expect(verdict("https://app.example/login/../admin") == .fail)
    }

    /// Found by a review: a `url:` glob was only lower-cased, so a fail rule written with a
    /// default port (as ZAP itself writes URLs), userinfo, an escape or a dot segment matched no
    /// finding (whose URLs are canonical) and passed what it names.
    @Test(arguments: [
        ("https://app.example:443/admin/*", "https://app.example/admin/*"),
        ("https://ops@app.example/admin/*", "https://app.example/admin/*"),
        ("https://u:p@app.example:443/admin/*", "https://app.example/admin/*"),
        ("https://app.example/%61dmin/*", "https://app.example/admin/*"),
        ("https://app.example/x/../admin/*", "https://app.example/admin/*"),
        ("HTTPS://APP.EXAMPLE:443/admin/*", "https://app.example/admin/*"),
        ("http://app.example:80", "http://app.example/"),
        ("http://app.example:80?q=*", "http://app.example/?q=*"),
        ("https://app.example:8443/admin/*", "https://app.example:8443/admin/*"),
        ("http://app.example:443/*", "http://app.example:443/*"),
        ("https://app.example:8*/x", "https://app.example:8*/x"),
        ("https://\\[::1\\]:443/x", "https://\\[::1\\]/x"),
        ("https://\\[::1\\]/x", "https://\\[::1\\]/x"),
        ("https://*.example:443/admin/*", "https://*.example/admin/*"),
        ("https://app.example/a/./b/../c*", "https://app.example/a/c*"),
        ("https://app.example/../admin", "https://app.example/admin"),
        ("https://app.example/*/x/../admin", "https://app.example/*/admin"),
        ("https://*/x/../admin", "https://*/admin"),
        ("https://app.example/a%2fb?q=%7e", "https://app.example/a%2Fb?q=~"),
        ("https://app.example/login?next=/a/../b", "https://app.example/login?next=/a/../b"),
        ("*/x/../%61dmin/*", "*/admin/*"),
    ])
    func aGlobIsBroughtToTheFormOfTheURLsItMatches(_ rule: String, _ expected: String) throws {
        #expect(try CanonicalURL.pattern(rule) == expected)
    }

    @Test(arguments: [
        "https://app.example:443/admin/*", "https://ops@app.example/admin/*", "https://app.example/%61dmin/*",
        "https://app.example/x/../admin/*", "HTTPS://APP.EXAMPLE:443/admin/*",
    ])
    func aFailRuleWrittenAnyWayCatchesItsURLHoweverTheScannerWroteIt(_ rule: String) throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: critical\nrules:\n  - match: { url: \"\(rule)\" }\n    action: fail\n")
        for url in ["https://app.example/admin/users", "https://app.example:443/admin/users"] {
            let decision = Support.evaluate([Self.alert(at: [url])], policy: policy)
            #expect(decision.verdicts.first?.verdict == .fail, "rule \(rule), finding at \(url)")
        }
    }

    /// One site in every spelling a server reads as it: a fully qualified name's root dot, an
    /// empty port, a default port with leading zeros (found by a review: each passed a fail rule).
    @Test func aFailRuleTakesEverySpellingOfItsHost() throws {
        let policy = try Support.policy(
            """
            scangate-policy: 1
            fail-on: none
            rules:
              - match: { url: "https://app.example/admin*" }
                action: fail
            """)
        for url in [
            "https://app.example/admin", "https://app.example./admin", "https://app.example:/admin",
            "https://app.example:0443/admin", "https://APP.example.:443/admin",
        ] {
            #expect(
                Support.evaluate([Self.alert(at: [url])], policy: policy).verdicts.first?.verdict == .fail, "\(url)")
        }
        #expect(
            Support.evaluate([Self.alert(at: ["https://app.example:8443/admin"])], policy: policy).verdicts.first?
                .verdict
                != .fail)
        // A glob written in such a spelling matches the same URLs (found by the last review).
        for glob in ["https://app.example./admin*", "https://app.example:0443/admin*", "https://app.example:/admin*"] {
            let spelled = try Support.policy(
                "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { url: \"\(glob)\" }\n    action: fail\n")
            #expect(
                Support.evaluate([Self.alert(at: ["https://app.example./admin/x"])], policy: spelled).verdicts.first?
                    .verdict == .fail, "\(glob)")
        }
    }

    @Test func aRelaxingRuleWithADefaultPortKeepsToThatPort() throws {
        let policy = try Support.policy(
            """
            scangate-policy: 1
            fail-on: high
            rules:
              - match: { url: "https://ops@app.example:443/static/*" }
                action: ignore
            """)
        func verdict(_ url: String) -> Verdict? {
            Support.evaluate([Self.alert(at: [url])], policy: policy).verdicts.first?.verdict
        }
        #expect(verdict("https://app.example/static/app.js") == .ignored)
        #expect(verdict("https://app.example:443/static/app.js") == .ignored)
        #expect(verdict("https://app.example:8443/static/app.js") == .fail)
        #expect(verdict("https://app.example/static/../admin") == .fail)
        // Two readings (/static/admin, /admin): relaxed only if the rule takes both.
        #expect(verdict("https://app.example/static//../admin") == .fail)
        #expect(verdict("https://app.example/static/a//../b.js") == .ignored)
        // A `..` servers reach through an escape or a parameter (found by a review).
        for url in [
            "https://app.example/static/..%2Fadmin", "https://app.example/static/..%2fadmin",
            "https://app.example/static/..%5Cadmin", "https://app.example/static/..;/admin",
            "https://app.example/static/%2e%2e%2fadmin", "https://app.example/static/..\\admin",
            "https://app.example/static//..%2Fadmin", "https://app.example/static//..;/admin",
        ] {
            #expect(verdict(url) == .fail, "\(url)")
        }
        #expect(verdict("https://app.example/static/a%2Fb.js") == .ignored)
        #expect(verdict("https://app.example/static/app.js;v=2") == .ignored)
    }

    /// Registry host names are case-insensitive and images are compared with theirs
    /// lower-cased: an `image:` glob's host is lower-cased too (`GHCR.IO/acme/*` matched nothing;
    /// found by a review). The rest stays as written (a tar file's name may hold capitals).
    @Test func anImageGlobsRegistryHostIsLowerCased() throws {
        let policy = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { image: \"GHCR.IO/acme/*\" }\n    action: fail\n")
        let finding = Support.finding(
            "CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: "ghcr.io/acme/app:1.0")
        #expect(Support.evaluate([finding], policy: policy).verdicts.first?.verdict == .fail)
        let tar = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { image: \"out/MyApp-1.0.tar\" }\n    action: fail\n"
        )
        let fromTar = Support.finding(
            "CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: "out/MyApp-1.0.tar")
        #expect(Support.evaluate([fromTar], policy: tar).verdicts.first?.verdict == .fail)
        // Capitals anywhere, and a tar name whose first directory has a dot (found by the last
        // review): case is ignored.
        for glob in ["ghcr.io/Acme/*", "NGINX*"] {
            let policy = try Support.policy(
                "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { image: \"\(glob)\" }\n    action: fail\n")
            let image = glob == "NGINX*" ? "nginx:1.25" : "ghcr.io/acme/app:1.0"
            let found = Support.finding("CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: image)
            #expect(Support.evaluate([found], policy: policy).verdicts.first?.verdict == .fail, "\(glob)")
        }
        let dotted = try Support.policy(
            "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { image: \"Build.Out/MyApp.tar\" }\n    action: fail\n"
        )
        let fromDotted = Support.finding(
            "CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: "Build.Out/MyApp.tar")
        #expect(Support.evaluate([fromDotted], policy: dotted).verdicts.first?.verdict == .fail)
    }

    /// Where a wildcard stands in the way of the canonical form, the glob would match nothing:
    /// refused where it is written, saying how to write it.
    @Test(arguments: [
        ("https://app.example/static/*/../admin/*", "after the wildcard segment \"*\""),
        ("https://*/../admin/*", "right after a wildcard authority"),
        ("http*://app.example:443/admin/*", "default port (:443 for https)"),
        ("https://app.example:*/admin/*", "one per other port you mean (https://host:8443/…)"),
        ("/admin/*", "URLs are absolute: write the scheme and host"),
        ("./admin/*", "URLs are absolute: write the scheme and host"),
        ("localhost:*/admin/*", "URLs are absolute: write the scheme and host"),
        ("app.example/admin/*", "URLs are absolute: write the scheme and host"),
        ("https://app.example/v1/admin/*#*", "without their fragment"),
        ("http://app.example:[0-9]0/admin/*", "default port (:80 for http)"),
        ("https://*:443/admin/*", "wildcard ending the host"),
        ("https://app.*:443/admin/*", "wildcard ending the host"),
    ])
    func aGlobThatCannotTakeThatFormIsRefusedWhereItIsWritten(_ rule: String, _ message: String) throws {
        let error = Support.policyError([
            "policy.yaml": "scangate-policy: 1\nrules:\n  - match: { url: \"\(rule)\" }\n    action: fail\n"
        ])
        #expect(error?.line == 3)
        #expect(error?.column != nil)
        #expect(error?.description.contains("url \"\(rule)\": ") ?? false, "\(String(describing: error))")
        #expect(error?.description.contains(message) ?? false, "\(String(describing: error))")
        #expect(throws: ConfigurationError.self) {
            try WaiverFile.parse(
                """
                scangate-waivers: 1
                waivers:
                  - id: "40018"
                    url: "\(rule)"
                    reason: r
                    approved-by: a@example.org
                    expires: 2026-12-31
                """, file: "waivers.yaml")
        }
    }

    @Test func aWaiverWithADefaultPortAndUserinfoCoversItsPage() throws {
        let policy = try Support.policy("scangate-policy: 1\nfail-on: high\n")
        let waivers = try WaiverFile.parse(
            """
            scangate-waivers: 1
            waivers:
              - id: "40018"
                url: https://ops@app.example:443/%6Cogin
                reason: parameterised since 2.3
                approved-by: security@example.org
                expires: 2026-12-31
                severity: high
            """, file: "waivers.yaml")
        func verdict(_ url: String) -> Verdict? {
            Support.evaluate([Self.alert(at: [url])], policy: policy, waivers: [waivers]).verdicts.first?.verdict
        }
        #expect(verdict("https://app.example/login") == .waived)
        #expect(verdict("https://app.example:443/login?user=a") == .waived)
        #expect(verdict("https://app.example:8443/login") == .fail)
    }
}
