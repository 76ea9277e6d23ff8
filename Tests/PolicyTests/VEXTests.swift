import Findings
import Foundation
import Policy
import Testing

@Suite("Policy OpenVEX")
struct VEXTests {
    static func document(_ statements: String, context: String = "https://openvex.dev/ns/v0.2.0")
        throws(ConfigurationError)
        -> VEXDocument
    {
        let text = """
            {
              "@context": "\(context)",
              "@id": "https://example.org/vex/1",
              "timestamp": "2026-11-01T00:00:00Z",
              "statements": [
            \(statements)
              ]
            }
            """
        return try VEXDocument.parse(bytes: Array(text.utf8), file: "vex.json")
    }

    static let lodash = Support.finding(
        "CVE-2021-23337", aliases: ["GHSA-35jh-r3h4-6jhm"], package: Support.npm("lodash", "4.17.15"))
    static let policy = Policy(failOn: Setting(.high, at: SourceRef(file: "p.yaml", line: 2)))

    /// One statement: the vulnerability and products as JSON, the status, more members.
    static func statement(_ vulnerability: String, _ products: String, _ status: String, _ more: String = "")
        -> String
    {
        #"{"vulnerability": \#(vulnerability), "products": \#(products), "status": "\#(status)"\#(more)}"#
    }

    static let lodash1 = #"{"name": "CVE-2021-23337"}"#
    static let lodashPurl = #"[{"@id": "pkg:npm/lodash@4.17.15"}]"#

    static let cases: [(String, String, Verdict)] = [
        (
            "by id and purl",
            statement(lodash1, lodashPurl, "not_affected", #", "justification": "vulnerable_code_not_present""#),
            .vexSuppressed
        ),
        ("by alias", statement(#"{"name": "GHSA-35jh-r3h4-6jhm"}"#, lodashPurl, "fixed"), .vexSuppressed),
        // A qualifier the product gives and the package lacks (or has otherwise) is another package.
        (
            "a product qualifier the package does not have",
            statement(
                #"{"name": "GHSA-35jh-r3h4-6jhm"}"#, #"[{"@id": "pkg:npm/lodash@4.17.15?repository_url=x"}]"#, "fixed"),
            .fail
        ),
        (
            "product without version: every version",
            statement(
                #""CVE-2021-23337""#, #"["pkg:npm/lodash"]"#, "not_affected",
                #", "justification": "vulnerable_code_not_present""#), .vexSuppressed
        ),
        // "Fixed" in every version contradicts the scanner that found it in one.
        ("fixed without a version", statement(#""CVE-2021-23337""#, #"["pkg:npm/lodash"]"#, "fixed"), .fail),
        // A product that is neither an image nor a source repository is some other product: its
        // subcomponents are not this project's source tree.
        (
            "a subcomponent of a product that names no repository",
            statement(
                lodash1,
                #"[{"@id": "https://example.org/products/app", "subcomponents": "#
                    + #"[{"@id": "x", "identifiers": {"purl": "pkg:npm/lodash@4.17.15"}}]}]"#, "fixed"),
            .fail
        ),
        // The finding is in the source tree, not in that image.
        (
            "a subcomponent of an image the finding is not in",
            statement(
                lodash1,
                #"[{"@id": "pkg:oci/app", "subcomponents": "#
                    + #"[{"@id": "x", "identifiers": {"purl": "pkg:npm/lodash@4.17.15"}}]}]"#, "fixed"),
            .fail
        ),
        // Of statements equally late, the one that does not suppress wins, whatever the order.
        (
            "equal timestamps: not suppressed, first order",
            statement(lodash1, lodashPurl, "fixed") + ",\n" + statement(lodash1, lodashPurl, "affected"), .fail
        ),
        (
            "equal timestamps: not suppressed, other order",
            statement(lodash1, lodashPurl, "affected") + ",\n" + statement(lodash1, lodashPurl, "fixed"), .fail
        ),
        // A statement dated after today (2026-11-25 in these tests) has not been made yet.
        (
            "a statement dated in the future does not count",
            statement(lodash1, lodashPurl, "affected", #", "timestamp": "2026-11-20T00:00:00Z""#) + ",\n"
                + statement(lodash1, lodashPurl, "fixed", #", "timestamp": "2099-01-01T00:00:00Z""#),
            .fail
        ),
        ("other version", statement(lodash1, #"[{"@id": "pkg:npm/lodash@4.17.21"}]"#, "fixed"), .fail),
        // The purl spec ignores slashes after the scheme.
        ("pkg:// form", statement(lodash1, #"[{"@id": "pkg://npm/lodash@4.17.15"}]"#, "fixed"), .vexSuppressed),
        ("other vulnerability", statement(#"{"name": "CVE-2020-8203"}"#, lodashPurl, "fixed"), .fail),
        ("affected does not suppress", statement(lodash1, lodashPurl, "affected"), .fail),
        (
            "a later affected statement wins",
            statement(lodash1, lodashPurl, "fixed", #", "timestamp": "2026-11-02T00:00:00Z""#) + ",\n"
                + statement(lodash1, lodashPurl, "under_investigation", #", "timestamp": "2026-11-03T00:00:00Z""#),
            .fail
        ),
        (
            // 01:00+02:00 is 23:00 the day before in UTC: the investigation is later, as text it is not.
            "timestamps are compared as times, not as text",
            statement(lodash1, lodashPurl, "fixed", #", "timestamp": "2026-11-03T01:00:00+02:00""#) + ",\n"
                + statement(lodash1, lodashPurl, "under_investigation", #", "timestamp": "2026-11-02T23:30:00Z""#),
            .fail
        ),
        (
            // vexctl writes nanoseconds and the local offset; RFC 3339 allows any number of digits.
            "fractions of any length and negative offsets",
            statement(
                lodash1, lodashPurl, "fixed", #", "timestamp": "2026-11-03T00:00:00.853479631123456-00:00""#)
                + ",\n"
                + statement(
                    lodash1, lodashPurl, "under_investigation", #", "timestamp": "2026-11-02T18:00:00.5-06:00""#),
            .vexSuppressed
        ),
        (
            "a statement's own timestamp beats the document's",
            statement(lodash1, lodashPurl, "under_investigation") + ",\n"
                + statement(lodash1, lodashPurl, "fixed", #", "timestamp": "2026-10-01T00:00:00.5Z""#),
            .fail
        ),
    ]

    @Test(arguments: cases)
    func suppression(_ name: String, _ statements: String, _ expected: Verdict) throws {
        let vex = try Self.document(statements)
        let decision = Support.evaluate([Self.lodash], policy: Self.policy, vex: [vex])
        #expect(decision.verdicts.first?.verdict == expected, "\(name)")
        if expected == .vexSuppressed {
            #expect(decision.verdicts.first?.reason.text.contains("OpenVEX statement 1 (vex.json:") == true)
        }
    }

    static let invalid: [(String, String, String)] = [
        (
            "statement without products",
            #"{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}"#, "has no products"
        ),
        (
            "statement with empty products",
            #"{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "fixed"}"#, "has no products"
        ),
        ("no vulnerability", #"{"products": ["pkg:npm/a@1"], "status": "fixed"}"#, "has no \"vulnerability\""),
        (
            "an empty product @id",
            #"{"vulnerability": "CVE-1", "products": [{"@id": ""}], "status": "fixed"}"#, "identifier is empty"
        ),
        (
            "an empty subcomponent @id",
            #"{"vulnerability": "CVE-1", "products": [{"@id": "ghcr.io/acme/app", "subcomponents": [{"@id": " "}]}], "status": "fixed"}"#,
            "identifier is empty"
        ),
        (
            "a key twice",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "fixed", "status": "affected"}"#,
            "\"status\" appears twice"
        ),
        (
            "bad status", #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "safe"}"#,
            "status \"safe\" is not one of"
        ),
        (
            "not_affected without justification",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "not_affected"}"#,
            "without a justification"
        ),
        (
            "product without id", #"{"vulnerability": "CVE-1", "products": [{"name": "a"}], "status": "fixed"}"#,
            "neither @id nor identifiers.purl"
        ),
        (
            "products of the wrong type", #"{"vulnerability": "CVE-1", "products": "pkg:npm/a@1", "status": "fixed"}"#,
            "expected an array"
        ),
        // A purl that does not parse once matched every version of the package.
        (
            "a purl with a bad percent escape",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/minimist@9.9.9%zz"], "status": "fixed"}"#,
            "is not a valid package URL"
        ),
        (
            "a purl without a name",
            #"{"vulnerability": "CVE-1", "products": [{"@id": "pkg:npm/"}], "status": "fixed"}"#,
            "is not a valid package URL"
        ),
        (
            "a purl with an empty version",
            #"{"vulnerability": "CVE-1", "products": [{"@id": "x", "identifiers": {"purl": "pkg:npm/a@"}}], "status": "fixed"}"#,
            "is not a valid package URL"
        ),
        // A timestamp that is not a time once won or lost by text comparison.
        (
            "a timestamp that is not RFC 3339",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "fixed", "timestamp": "zzzz"}"#,
            "is not an RFC 3339 date-time"
        ),
        (
            "a timestamp without a zone",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "fixed", "timestamp": "2026-11-01T00:00:00"}"#,
            "is not an RFC 3339 date-time"
        ),
        (
            "an empty justification",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "not_affected", "justification": ""}"#,
            "justification \"\" is not one of"
        ),
        (
            "a justification OpenVEX does not define",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "not_affected", "justification": "because"}"#,
            "is not one of component_not_present"
        ),
        (
            "a blank impact statement",
            #"{"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "not_affected", "impact_statement": " "}"#,
            "without a justification"
        ),
    ]

    @Test(arguments: invalid)
    func invalidStatementsAreRefusedWithFileAndLine(_ name: String, _ statement: String, _ words: String) {
        do {
            _ = try Self.document(statement)
            Issue.record("\(name): accepted")
        } catch {
            // The statement is on line 6 of the document.
            #expect(error.description.hasPrefix("vex.json:6"), "\(name): \(error)")
            #expect(error.description.contains(words), "\(name): \(error)")
            #expect(error.document == .vex)
        }
    }

    @Test func documentLevelErrors() {
        let cases: [(String, String)] = [
            ("{\"statements\": []}", "@context"),
            ("{\"@context\": \"https://openvex.dev/nsEVIL\", \"statements\": []}", "@context"),
            (
                "{\"@context\": \"https://openvex.dev/ns\", \"timestamp\": \"2026-02-30T00:00:00Z\", \"statements\": []}",
                "the document: timestamp"
            ),
            (
                "{\"@context\": \"https://openvex.dev/ns\", \"timestamp\": \"2026-11-01T00:00:00Z\"}",
                "needs \"statements\""
            ),
            ("{\"@context\": \"https://openvex.dev/ns\", \"statements\": []}", "needs a \"timestamp\""),
            ("[1]", "expected an object"), ("{\"@context\": \"x\",", "not JSON"),
        ]
        for (text, words) in cases {
            do {
                _ = try VEXDocument.parse(bytes: Array(text.utf8), file: "v.json")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.hasPrefix("v.json:1"), "\(error)")
                #expect(error.description.contains(words), "\(error)")
            }
        }
    }

    /// An image's statement speaks for that image only (by repository, and digest or tag when it
    /// gives them), and an image as the product without subcomponents covers every package in it.
    @Test func imageProductsAreScopedToTheirImage() throws {
        let minimist = Support.npm("minimist", "1.2.5")
        let inA = Support.finding("CVE-2021-44906", package: minimist, image: "ghcr.io/acme/app-a@sha256:aaaa")
        let inB = Support.finding("CVE-2021-44906", package: minimist, image: "ghcr.io/acme/app-b:1.0")
        let inSource = Support.finding("CVE-2021-44906", package: minimist)
        func verdicts(_ products: String, _ status: String = "fixed") throws -> [Verdict] {
            let vex = try Self.document(Self.statement(#"{"name": "CVE-2021-44906"}"#, products, status))
            return [inA, inB, inSource].map { finding in
                Support.evaluate([finding], policy: Self.policy, vex: [vex]).verdicts.first?.verdict ?? .pass
            }
        }
        let subcomponent = #""subcomponents": [{"@id": "pkg:npm/minimist@1.2.5"}]"#
        #expect(
            try verdicts(
                #"[{"@id": "pkg:oci/app-a@sha256%3Aaaaa?repository_url=ghcr.io/acme/app-a", "# + subcomponent + "}]")
                == [.vexSuppressed, .fail, .fail])
        #expect(
            try verdicts(#"[{"@id": "ghcr.io/acme/app-b:1.0", "# + subcomponent + "}]") == [
                .fail, .vexSuppressed, .fail,
            ])
        #expect(try verdicts(#"[{"@id": "ghcr.io/acme/app-b:2.0", "# + subcomponent + "}]") == [.fail, .fail, .fail])
        #expect(
            try verdicts(#"[{"@id": "ghcr.io/acme/app-a@sha256:bbbb", "# + subcomponent + "}]") == [
                .fail, .fail, .fail,
            ])
        // The image itself as the product: every package in it.
        #expect(
            try verdicts(#"["pkg:oci/app-a@sha256%3Aaaaa?repository_url=ghcr.io/acme/app-a"]"#) == [
                .vexSuppressed, .fail, .fail,
            ])
        // The package itself as the product: wherever it is.
        #expect(try verdicts(#"["pkg:npm/minimist@1.2.5"]"#) == [.vexSuppressed, .vexSuppressed, .vexSuppressed])
    }

    /// OpenVEX v0.0.1 lists subcomponents beside the products: they narrow the statement as
    /// v0.2.0's do inside a product. Ignored, an image statement meant for one package covered
    /// every package in the image.
    @Test func statementLevelSubcomponentsNarrowTheStatement() throws {
        let minimist = Support.finding(
            "CVE-2021-44906", package: Support.npm("minimist", "1.2.5"), image: "ghcr.io/acme/app-b:1.0")
        func verdict(_ subcomponent: String) throws -> Verdict {
            let vex = try Self.document(
                #"{"vulnerability": "CVE-2021-44906", "products": ["ghcr.io/acme/app-b:1.0"], "subcomponents": ["#
                    + subcomponent + #"], "status": "fixed"}"#, context: "https://openvex.dev/ns/v0.0.1")
            return Support.evaluate([minimist], policy: Self.policy, vex: [vex]).verdicts.first?.verdict ?? .pass
        }
        #expect(try verdict(#""pkg:npm/other@1.0.0""#) == .fail)
        #expect(try verdict(#""pkg:npm/minimist@1.2.5""#) == .vexSuppressed)
    }

    /// A key OpenVEX does not define is refused with where it is: a misspelt `subcomponent`
    /// would be ignored and the statement read as covering the whole product.
    @Test func anUnknownKeyInAStatementOrProductIsRefused() {
        for statement in [
            #"{"vulnerability": "CVE-1", "products": [{"@id": "ghcr.io/a/b:1", "subcomponent": ["pkg:npm/x@1"]}], "status": "fixed"}"#,
            #"{"vulnerability": "CVE-1", "products": ["ghcr.io/a/b:1"], "subcomponent": ["pkg:npm/x@1"], "status": "fixed"}"#,
            #"{"vulnerability": "CVE-1", "products": [{"@id": "ghcr.io/a/b:1", "subcomponents": [{"@id": "pkg:npm/x@1", "purl": "y"}]}], "status": "fixed"}"#,
        ] {
            do {
                _ = try Self.document(statement)
                Issue.record("accepted: \(statement)")
            } catch {
                #expect(error.message.contains("unknown key"), "\(error)")
                #expect(error.line > 0)
            }
        }
        // Every key OpenVEX defines is read or let be.
        let full =
            #"{"@id": "s1", "version": 2, "vulnerability": {"name": "CVE-1"}, "timestamp": "2026-10-01T00:00:00Z", "#
            + #""last_updated": "2026-10-02T00:00:00Z", "products": [{"@id": "pkg:npm/x@1", "identifiers": "#
            + #"{"purl": "pkg:npm/x@1"}, "hashes": {"sha-256": "ab"}, "supplier": "acme", "subcomponents": [{"#
            + #""@id": "pkg:npm/y@1", "supplier": "acme"}]}], "status": "affected", "supplier": "acme", "#
            + #""status_notes": "n", "action_statement": "upgrade", "action_statement_timestamp": "2026-10-02T00:00:00Z"}"#
        #expect(throws: Never.self) { _ = try Self.document(full) }
    }

    /// The latest word decides, and a statement updated since it was issued (`last_updated`)
    /// speaks as of its update: an older `not_affected` does not outrank an `affected` updated later.
    @Test func aStatementSpeaksAsOfItsLastUpdate() throws {
        let affected = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "affected",
                #", "timestamp": "2026-01-01T00:00:00Z", "last_updated": "2026-11-20T00:00:00Z""#))
        let notAffected = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "not_affected",
                #", "justification": "vulnerable_code_not_present", "timestamp": "2026-06-01T00:00:00Z""#))
        let decision = Support.evaluate([Self.lodash], policy: Self.policy, vex: [affected, notAffected])
        #expect(decision.verdicts.first?.verdict == .fail)
    }

    /// A statement dated after today is set aside when it would take a finding out; one that keeps
    /// it in (`affected`) still counts, so an older `not_affected` does not win by default.
    @Test func aFutureStatementThatKeepsTheFindingInStillCounts() throws {
        let older = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "not_affected",
                #", "justification": "vulnerable_code_not_present", "timestamp": "2026-06-01T00:00:00Z""#))
        let future = try Self.document(
            Self.statement(Self.lodash1, Self.lodashPurl, "affected", #", "timestamp": "2026-12-05T00:00:00Z""#))
        let decision = Support.evaluate(
            [Self.lodash], policy: Self.policy, vex: [older, future], today: Support.day("2026-12-01"))
        #expect(decision.verdicts.first?.verdict == .fail)
        #expect(decision.warnings.contains { $0.contains("applied all the same, as it takes no finding out") })
        let futureNotAffected = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "not_affected",
                #", "justification": "vulnerable_code_not_present", "timestamp": "2026-12-05T00:00:00Z""#))
        let setAside = Support.evaluate(
            [Self.lodash], policy: Self.policy, vex: [futureNotAffected], today: Support.day("2026-12-01"))
        #expect(setAside.verdicts.first?.verdict == .fail)
        #expect(setAside.warnings.contains { $0.contains("after today (2026-12-01): not applied") })
    }

    /// Names compare in the case their purl type says: npm, pypi (`_` as `-`), deb… lowercased,
    /// as the purl spec defines them; Maven, Cargo, RPM… as written, where another case is another
    /// package (before, every type was lowercased, so a statement for one package could speak for
    /// another).
    @Test func packageNamesCompareInTheCaseTheirTypeSays() throws {
        func verdict(_ product: String, _ package: Package, id: String = "CVE-2021-44228") throws -> Verdict {
            let vex = try Self.document(
                Self.statement(
                    #""\#(id)""#, #"["\#(product)"]"#, "not_affected",
                    #", "justification": "vulnerable_code_not_present""#))
            let finding = Support.finding(id, package: package)
            return Support.evaluate([finding], policy: Self.policy, vex: [vex]).verdicts.first?.verdict ?? .pass
        }
        let log4j = Package(
            ecosystem: "maven", name: "org.apache.logging.log4j:log4j-core", installedVersion: "2.14.1",
            purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
        #expect(try verdict("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", log4j) == .vexSuppressed)
        #expect(try verdict("pkg:maven/org.apache.logging.log4j/Log4j-Core@2.14.1", log4j) == .fail)
        #expect(try verdict("pkg:NPM/LODASH@4.17.15", Support.npm("lodash", "4.17.15")) == .vexSuppressed)
        let pyyaml = Package(
            ecosystem: "pypi", name: "ruamel.yaml_clib", installedVersion: "0.2.8",
            purl: "pkg:pypi/ruamel.yaml-clib@0.2.8")
        #expect(try verdict("pkg:pypi/Ruamel.Yaml_Clib@0.2.8", pyyaml) == .vexSuppressed)
    }

    /// A product that names a source repository speaks for the source tree only when it is the
    /// repository being gated (owner and name in any case, version and qualifiers aside): a
    /// statement copied from an upstream or a vendor does not lift this project's finding, and
    /// with no repository known no such statement applies. Either way a warning names it.
    @Test func repositoryProductsSpeakForTheRepositoryBeingGatedOnly() throws {
        let inSource = Support.finding("CVE-2021-44906", package: Support.npm("minimist", "1.2.5"))
        let inImage = Support.finding(
            "CVE-2021-44906", package: Support.npm("minimist", "1.2.5"), image: "ghcr.io/acme/app:1.0")
        func decide(_ product: String, _ repository: String?, _ finding: Finding? = nil) throws -> Decision {
            let vex = try Self.document(
                Self.statement(
                    #"{"name": "CVE-2021-44906"}"#,
                    #"[{"@id": "\#(product)", "subcomponents": [{"@id": "pkg:npm/minimist@1.2.5"}]}]"#,
                    "not_affected", #", "justification": "vulnerable_code_not_in_execute_path""#))
            return Gate.evaluate(
                GateInput(
                    findings: FindingSet(merging: [finding ?? inSource]), policy: Self.policy, vex: [vex],
                    today: Support.today, repository: repository.flatMap(SourceRepository.init(gitHub:))))
        }
        func verdict(_ product: String, _ repository: String?, _ finding: Finding? = nil) throws -> Verdict? {
            try decide(product, repository, finding).verdicts.first?.verdict
        }
        // The reviewed case: another project's statement, this project's finding.
        let upstream = try decide("pkg:github/someone-else/totally-different-app@v9.9.9", "acme/app")
        #expect(upstream.verdicts.first?.verdict == .fail)
        let warnings = upstream.warnings.joined(separator: "\n")
        #expect(
            warnings.contains(
                "OpenVEX statement 1 (vex.json:6) about CVE-2021-44906 is for the repository "
                    + "someone-else/totally-different-app, not acme/app: not applied"), "\(warnings)")
        #expect(!warnings.contains("matches no finding"), "\(warnings)")
        // Not known: not applied either, and said.
        let unknown = try decide("pkg:github/acme/app", nil)
        #expect(unknown.verdicts.first?.verdict == .fail)
        #expect(
            unknown.warnings.contains {
                $0.contains("is for the repository acme/app and the repository being gated is not known")
            }, "\(unknown.warnings)")
        // This repository, however written.
        #expect(try verdict("pkg:github/acme/app", "acme/app") == .vexSuppressed)
        #expect(try verdict("pkg:github/ACME/App@v1.2.0?tag=x#sub", "acme/app") == .vexSuppressed)
        #expect(try verdict("https://github.com/Acme/app.git", "acme/app") == .vexSuppressed)
        #expect(try verdict("https://github.com/acme/app/tree/main", "Acme/App") == .vexSuppressed)
        #expect(try verdict("https://github.com/someone-else/app", "acme/app") == .fail)
        // Another host is another repository; GitLab URLs name one too.
        #expect(try verdict("pkg:bitbucket/acme/app", "acme/app") == .fail)
        #expect(try verdict("https://gitlab.com/acme/group/app/-/tree/main", "acme/app") == .fail)
        // A product that names no repository is not the project's source tree (below).
        #expect(try verdict("https://example.org/products/app", "acme/app") == .fail)
        // An image finding is judged by image products only, as before.
        #expect(try verdict("pkg:github/acme/app", "acme/app", inImage) == .fail)
        #expect(SourceRepository(gitHub: "acme") == nil)
        #expect(SourceRepository(gitHub: "acme/app/x") == nil)
        #expect(SourceRepository(product: "pkg:npm/minimist@1.2.5") == nil)
        #expect(SourceRepository(product: "https://gitlab.com/acme/group/app/-/tree/main")?.path == "acme/group/app")
    }

    /// A finding from one repository merges across its tags and digests: one finding in several
    /// images. A statement takes it out only when its products cover every one of them, as a
    /// relaxing rule or a waiver must: a statement about one image said nothing of the others,
    /// and adding a report must never turn a failing gate into a passing one. A statement that
    /// covers some of the images is not applied, and a note and a warning name what it misses.
    @Test func aStatementMustCoverEveryImageOfAMergedFinding() throws {
        let lodash = Support.npm("lodash", "4.17.15")
        let digestA = "sha256:" + String(repeating: "a", count: 64)
        let digestB = "sha256:" + String(repeating: "b", count: 64)
        let inA = Support.finding("CVE-2024-7777", package: lodash, image: "ghcr.io/acme/app:1.0@\(digestA)")
        let inB = Support.finding("CVE-2024-7777", package: lodash, image: "ghcr.io/acme/app:2.0@\(digestB)")
        let vulnerability = #"{"name": "CVE-2024-7777"}"#
        let justification = #", "justification": "vulnerable_code_not_in_execute_path""#
        let subcomponent = #""subcomponents": [{"@id": "pkg:npm/lodash@4.17.15"}]"#
        func product(_ digest: String) -> String {
            #"{"@id": "pkg:oci/app@\#(digest)?repository_url=ghcr.io/acme/app", \#(subcomponent)}"#
        }
        func decide(_ statements: [String], _ findings: [Finding] = [inA, inB]) throws -> Decision {
            Support.evaluate(
                findings, policy: Self.policy, vex: [try Self.document(statements.joined(separator: ",\n"))])
        }
        func verdict(_ statements: [String], _ findings: [Finding] = [inA, inB]) throws -> Verdict? {
            try decide(statements, findings).verdicts.first?.verdict
        }
        let aOnly = Self.statement(vulnerability, "[\(product(digestA))]", "not_affected", justification)

        // The reviewed case: about image A, alone it suppresses A; with B's report it must not.
        #expect(try verdict([aOnly], [inA]) == .vexSuppressed)
        #expect(try verdict([aOnly], [inB]) == .fail)
        let merged = try decide([aOnly])
        #expect(merged.verdicts.count == 1)
        #expect(merged.verdicts.first?.verdict == .fail)
        #expect(merged.counts.vexSuppressed == 0)
        #expect(
            merged.verdicts.first?.notes == [
                "OpenVEX statement 1 (vex.json:6) covers it in ghcr.io/acme/app:1.0@\(digestA), not in "
                    + "ghcr.io/acme/app:2.0@\(digestB): not applied (a statement must cover every image the "
                    + "finding is in)"
            ])
        let warnings = merged.warnings.joined(separator: "\n")
        #expect(
            warnings.contains(
                "OpenVEX statement 1 (vex.json:6) covers CVE-2024-7777 (lodash 4.17.15) in "
                    + "ghcr.io/acme/app:1.0@\(digestA), but the finding is also in ghcr.io/acme/app:2.0@\(digestB): "
                    + "not applied"), "\(warnings)")
        #expect(!warnings.contains("matches no finding"), "\(warnings)")

        // The image itself as the product, without subcomponents: the same.
        let imageA = #"["pkg:oci/app@\#(digestA)?repository_url=ghcr.io/acme/app"]"#
        #expect(try verdict([Self.statement(vulnerability, imageA, "not_affected", justification)]) == .fail)
        // Every image in one statement, or the repository without a digest: covered.
        #expect(
            try verdict([
                Self.statement(
                    vulnerability, "[\(product(digestA)), \(product(digestB))]", "not_affected", justification)
            ]) == .vexSuppressed)
        #expect(
            try verdict([
                Self.statement(
                    vulnerability, #"[{"@id": "ghcr.io/acme/app", \#(subcomponent)}]"#, "not_affected", justification)
            ]) == .vexSuppressed)
        // The package itself as the product: wherever it is.
        #expect(try verdict([Self.statement(vulnerability, Self.lodashPurl, "fixed")]) == .vexSuppressed)
        // One statement per image does not add up: each is judged alone, as waivers are.
        let bOnly = Self.statement(vulnerability, "[\(product(digestB))]", "not_affected", justification)
        #expect(try verdict([aOnly, bOnly]) == .fail)
        // Covered in part beside a statement that covers everything: suppressed, and nothing to say.
        let both = try decide([
            Self.statement(vulnerability, Self.lodashPurl, "fixed", #", "timestamp": "2026-10-01T00:00:00Z""#), aOnly,
        ])
        #expect(both.verdicts.first?.verdict == .vexSuppressed)
        #expect(!both.warnings.contains { $0.contains("not applied") || $0.contains("matches no finding") })
        // A later affected statement about one of the images keeps the finding in.
        #expect(
            try verdict([
                Self.statement(vulnerability, Self.lodashPurl, "fixed"),
                Self.statement(
                    vulnerability, "[\(product(digestB))]", "affected", #", "timestamp": "2026-11-10T00:00:00Z""#),
            ]) == .fail)
        // Fixed in one image's version, in every version for the other: fixed in every version,
        // which contradicts the scanner.
        let weakest = try decide([
            Self.statement(
                vulnerability,
                #"["pkg:oci/app@\#(digestA)?repository_url=ghcr.io/acme/app", "pkg:npm/lodash"]"#, "fixed")
        ])
        #expect(weakest.verdicts.first?.verdict == .fail)
        #expect(weakest.warnings.contains { $0.contains("is fixed in every version of the package: not applied") })
    }

    /// A product with subcomponents that is neither an image nor a source repository is another
    /// product: an upstream library's own statement (`pkg:npm/express@4.17.1` bundling
    /// `qs@6.5.2`) speaks for express, not for this project's source tree. Not applied, and a
    /// warning names the statement and why.
    @Test func productsThatAreNotThisProjectDoNotSpeakForItsSourceTree() throws {
        let qs = Support.finding("CVE-2022-24999", package: Support.npm("qs", "6.5.2"))
        let qsInImage = Support.finding(
            "CVE-2022-24999", package: Support.npm("qs", "6.5.2"), image: "ghcr.io/acme/app:1.0")
        func decide(_ product: String, _ finding: Finding) throws -> Decision {
            let vex = try Self.document(
                Self.statement(
                    #"{"name": "CVE-2022-24999"}"#,
                    #"[{"@id": "\#(product)", "subcomponents": [{"@id": "pkg:npm/qs@6.5.2"}]}]"#, "not_affected",
                    #", "justification": "vulnerable_code_not_in_execute_path""#))
            return Gate.evaluate(
                GateInput(
                    findings: FindingSet(merging: [finding]), policy: Self.policy, vex: [vex], today: Support.today,
                    repository: SourceRepository(gitHub: "acme/app")))
        }
        for product in [
            "pkg:npm/express@4.17.1", "https://example.org/products/app", "https://git.example.com/acme/app",
            "ssh://git@git.example.com/acme/app.git", "git@git.example.com:acme/app.git", "https://github.com/acme",
            "https://api.github.com/users/acme/app",
        ] {
            for finding in [qs, qsInImage] {
                let decision = try decide(product, finding)
                #expect(decision.verdicts.first?.verdict == .fail, "\(product)")
                #expect(
                    decision.warnings.contains(
                        "OpenVEX statement 1 (vex.json:6) about CVE-2022-24999 is for the product \(product), "
                            + "which is neither an image nor a source repository ScanGate recognises: its "
                            + "subcomponents are part of that product, not of this project: not applied (name the "
                            + "image, or the repository being gated as pkg:github/OWNER/NAME)"),
                    "\(product): \(decision.warnings)")
                #expect(!decision.warnings.contains { $0.contains("matches no finding") }, "\(product)")
            }
        }
        // Without subcomponents the product is the package itself, wherever it is: unchanged.
        let vex = try Self.document(
            Self.statement(#"{"name": "CVE-2022-24999"}"#, #"["pkg:npm/qs@6.5.2"]"#, "fixed"))
        #expect(Support.evaluate([qs], policy: Self.policy, vex: [vex]).verdicts.first?.verdict == .vexSuppressed)
    }

    /// The ways a repository is commonly written name it: applied when it is the repository
    /// being gated, set aside with a warning when it is another (once taken as the source tree).
    @Test func repositorySpellingsAreRecognised() throws {
        let spellings: [(String, String)] = [
            ("git+https://github.com/acme/app.git", "acme/app"),
            ("git+ssh://git@github.com/acme/app.git", "acme/app"),
            ("ssh://git@github.com/acme/app.git", "acme/app"),
            ("ssh://git@github.com:22/acme/app", "acme/app"),
            ("ssh://git@github.com:acme/app.git", "acme/app"),
            ("git@github.com:acme/app.git", "acme/app"),
            ("git@github.com:acme/app", "acme/app"),
            ("git://github.com/acme/app.git", "acme/app"),
            ("https://api.github.com/repos/acme/app", "acme/app"),
            ("https://api.github.com/repos/acme/app/releases?page=2", "acme/app"),
            ("github.com/acme/app", "acme/app"),
            ("HTTPS://GitHub.com/Acme/App.git", "Acme/App"),
            ("pkg:gitlab/acme/group/app@v1.0.0", "gitlab:acme/group/app"),
            ("git@gitlab.com:acme/group/app.git", "gitlab:acme/group/app"),
            ("ssh://git@bitbucket.org/acme/app.git", "bitbucket:acme/app"),
        ]
        for (identifier, expected) in spellings {
            #expect(SourceRepository(product: identifier)?.description == expected, "\(identifier)")
        }
        for identifier in [
            "https://api.github.com/users/acme", "git@git.example.com:acme/app.git", "ftp://github.com/acme/app",
            "ghcr.io/acme/app:1.0", "pkg:gitlab/app",
        ] {
            #expect(SourceRepository(product: identifier) == nil, "\(identifier)")
        }

        let minimist = Support.finding("CVE-2021-44906", package: Support.npm("minimist", "1.2.5"))
        func decide(_ product: String) throws -> Decision {
            let vex = try Self.document(
                Self.statement(
                    #"{"name": "CVE-2021-44906"}"#,
                    #"[{"@id": "\#(product)", "subcomponents": [{"@id": "pkg:npm/minimist@1.2.5"}]}]"#, "fixed"))
            return Gate.evaluate(
                GateInput(
                    findings: FindingSet(merging: [minimist]), policy: Self.policy, vex: [vex], today: Support.today,
                    repository: SourceRepository(gitHub: "acme/app")))
        }
        for product in [
            "git+https://github.com/acme/app.git", "ssh://git@github.com/acme/app.git", "git@github.com:Acme/app.git",
            "https://api.github.com/repos/acme/app",
        ] {
            #expect(try decide(product).verdicts.first?.verdict == .vexSuppressed, "\(product)")
        }
        for (product, named) in [
            ("git+https://github.com/someone-else/app.git", "someone-else/app"),
            ("ssh://git@github.com/someone-else/app", "someone-else/app"),
            ("git@github.com:someone-else/app.git", "someone-else/app"),
            ("https://api.github.com/repos/someone-else/app", "someone-else/app"),
            ("pkg:gitlab/acme/app", "gitlab:acme/app"),
        ] {
            let decision = try decide(product)
            #expect(decision.verdicts.first?.verdict == .fail, "\(product)")
            #expect(
                decision.warnings.contains(
                    "OpenVEX statement 1 (vex.json:6) about CVE-2021-44906 is for the repository \(named), not "
                        + "acme/app: not applied"), "\(product): \(decision.warnings)")
        }
    }

    @Test func qualifiersTheProductGivesMustMatch() throws {
        let amd64 = Package(
            ecosystem: "debian", name: "openssl", installedVersion: "3.0.11-1~deb12u2",
            purl: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5")
        let finding = Support.finding("CVE-2023-4807", package: amd64)
        func verdict(_ product: String) throws -> Verdict? {
            let vex = try Self.document(Self.statement(#"{"name": "CVE-2023-4807"}"#, "[\"\(product)\"]", "fixed"))
            return Support.evaluate([finding], policy: Self.policy, vex: [vex]).verdicts.first?.verdict
        }
        #expect(try verdict("pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=arm64") == .fail)
        #expect(try verdict("pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64") == .vexSuppressed)
        #expect(try verdict("pkg:deb/debian/openssl@3.0.11-1~deb12u2") == .vexSuppressed)
    }

    /// A multilib package (one finding, a purl per architecture): a statement takes it out only
    /// when it covers both, and a later `affected` about one architecture keeps it in.
    @Test func anAffectedStatementAboutOneArchitectureKeepsAMultilibFindingIn() throws {
        var glibc = Package(
            ecosystem: "redhat", name: "glibc", installedVersion: "2.28-225.el8",
            purl: "pkg:rpm/redhat/glibc@2.28-225.el8")
        glibc.sourcePURLs = [
            "pkg:rpm/redhat/glibc@2.28-225.el8?arch=i686", "pkg:rpm/redhat/glibc@2.28-225.el8?arch=x86_64",
        ]
        let finding = Support.finding("CVE-2023-4911", package: glibc)
        let vulnerability = #"{"name": "CVE-2023-4911"}"#
        let notAffected = Self.statement(
            vulnerability, #"["pkg:rpm/redhat/glibc@2.28-225.el8"]"#, "not_affected",
            #", "justification": "vulnerable_code_not_in_execute_path", "timestamp": "2026-10-01T00:00:00Z""#)
        func verdict(_ statements: [String]) throws -> Verdict? {
            let vex = try Self.document(statements.joined(separator: ",\n"))
            return Support.evaluate([finding], policy: Self.policy, vex: [vex]).verdicts.first?.verdict
        }
        #expect(try verdict([notAffected]) == .vexSuppressed)
        let i686Affected = Self.statement(
            vulnerability, #"["pkg:rpm/redhat/glibc@2.28-225.el8?arch=i686"]"#, "affected",
            #", "timestamp": "2026-11-10T00:00:00Z""#)
        #expect(try verdict([notAffected, i686Affected]) == .fail)
        let decision = Support.evaluate(
            [finding], policy: Self.policy,
            vex: [try Self.document([notAffected, i686Affected].joined(separator: ",\n"))])
        #expect(!decision.warnings.contains { $0.contains("matches no finding") }, "\(decision.warnings)")
        // Not affected on one architecture only says nothing of the other.
        let i686NotAffected = Self.statement(
            vulnerability, #"["pkg:rpm/redhat/glibc@2.28-225.el8?arch=i686"]"#, "not_affected",
            #", "justification": "vulnerable_code_not_in_execute_path""#)
        #expect(try verdict([i686NotAffected]) == .fail)
    }

    /// A statement about the repository's source tree does not speak for a finding on a virtual
    /// machine or in a cluster resource outside any image: those are not the source tree.
    @Test func aRepositoryStatementDoesNotSpeakForMachinesOrClusterResources() throws {
        let vex = try Self.document(
            Self.statement(
                Self.lodash1,
                #"[{"@id": "pkg:github/acme/app", "subcomponents": [{"@id": "pkg:npm/lodash@4.17.15"}]}]"#,
                "not_affected", #", "justification": "vulnerable_code_not_present""#))
        let plain = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "not_affected", #", "justification": "vulnerable_code_not_present""#))
        func verdict(scope: String, _ document: VEXDocument) -> Verdict? {
            var finding = Self.lodash
            finding.identity.scope = scope
            let decision = Gate.evaluate(
                GateInput(
                    findings: FindingSet(merging: [finding]), policy: Self.policy, vex: [document],
                    today: Support.today, repository: SourceRepository(gitHub: "acme/app")))
            return decision.verdicts.first?.verdict
        }
        #expect(verdict(scope: FindingIdentity.sourceScope, vex) == .vexSuppressed)
        #expect(verdict(scope: "vm:ami-0123456789", vex) == .fail)
        #expect(verdict(scope: "k8s:default/Deployment/api", vex) == .fail)
        // The package itself as the product speaks for it wherever it is.
        #expect(verdict(scope: "vm:ami-0123456789", plain) == .vexSuppressed)
    }

    /// When the repository being gated is not known, a repository's `affected` may be this
    /// one's: it keeps the finding in over an earlier `not_affected` (one that takes findings
    /// out is set aside then, as nobody can tell whose it is).
    @Test func aRepositoryAffectedCountsWhenTheRepositoryIsNotKnown() throws {
        let vex = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "not_affected",
                #", "justification": "vulnerable_code_not_present", "timestamp": "2026-10-01T00:00:00Z""#) + ",\n"
                + Self.statement(
                    Self.lodash1,
                    #"[{"@id": "pkg:github/acme/app", "subcomponents": [{"@id": "pkg:npm/lodash@4.17.15"}]}]"#,
                    "affected"))
        #expect(Support.evaluate([Self.lodash], policy: Self.policy, vex: [vex]).verdicts.first?.verdict == .fail)
    }

    /// A product narrower than a scan can confirm (an image of one platform, `hashes`) takes no
    /// finding out, and says why; an `affected` one still keeps a finding in.
    @Test func productsNarrowerThanAScanCanConfirmTakeNothingOut() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let finding = Support.finding(
            "CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: "ghcr.io/acme/app:1.0@\(digest)")
        let vulnerability = #"{"name": "CVE-2024-2961"}"#
        let justification = #", "justification": "vulnerable_code_not_present""#
        func decide(_ products: String, _ status: String = "not_affected") throws -> Decision {
            let vex = try Self.document(
                Self.statement(vulnerability, products, status, status == "not_affected" ? justification : ""))
            return Support.evaluate([finding], policy: Self.policy, vex: [vex])
        }
        let image = "pkg:oci/app@\(digest.replacingOccurrences(of: ":", with: "%3A"))?repository_url=ghcr.io/acme/app"
        #expect(try decide(#"["\#(image)"]"#).verdicts.first?.verdict == .vexSuppressed)
        let arm64 = try decide(#"["\#(image)&arch=arm64"]"#)
        #expect(arm64.verdicts.first?.verdict == .fail)
        #expect(
            arm64.warnings.contains {
                $0.contains("narrowed by its qualifier arch, which a scan does not record: not applied")
            }, "\(arm64.warnings)")
        let hashed = try decide(
            #"[{"@id": "ghcr.io/acme/app", "hashes": {"sha-256": "\#(String(repeating: "b", count: 64))"}}]"#)
        #expect(hashed.verdicts.first?.verdict == .fail)
        #expect(hashed.warnings.contains { $0.contains("narrowed by its hashes") }, "\(hashed.warnings)")
        let hashedSubcomponent = try decide(
            #"[{"@id": "ghcr.io/acme/app", "subcomponents": [{"@id": "pkg:npm/lodash@4.17.15", "hashes": {"sha-256": "00"}}]}]"#
        )
        #expect(hashedSubcomponent.verdicts.first?.verdict == .fail)
        // Empty or null hashes narrow nothing; the image's own digest as its sha-256 says no more
        // than the digest the product names (the OpenVEX spec's own example shape).
        let hex = String(digest.dropFirst("sha256:".count))
        for hashes in ["null", "{}", #"{"sha-256": "\#(hex)"}"#, #"{"sha-256": "\#(hex.uppercased())"}"#] {
            let decision = try decide(#"[{"@id": "\#(image)", "hashes": \#(hashes)}]"#)
            #expect(decision.verdicts.first?.verdict == .vexSuppressed, "\(hashes): \(decision.warnings)")
        }
        #expect(
            try decide(#"[{"@id": "\#(image)", "hashes": {"sha-256": "\#(String(repeating: "b", count: 64))"}}]"#)
                .verdicts.first?.verdict == .fail)
        // A later `affected` about the arm64 image keeps the finding in: it may be this one.
        let later = try Self.document(
            Self.statement(vulnerability, #"["\#(image)"]"#, "not_affected", justification) + ",\n"
                + Self.statement(
                    vulnerability, #"["\#(image)&arch=arm64"]"#, "affected", #", "timestamp": "2026-11-10T00:00:00Z""#))
        #expect(Support.evaluate([finding], policy: Self.policy, vex: [later]).verdicts.first?.verdict == .fail)
    }

    /// `fixed` for a package in an image named by digest or tag names the version that image
    /// has, as an image product without subcomponents does; in an image named by repository
    /// only, it is fixed in every version, which contradicts the scanner.
    @Test func fixedInAPinnedImageNamesItsVersion() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let finding = Support.finding(
            "CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: "ghcr.io/acme/app:1.0@\(digest)")
        func verdict(_ image: String) throws -> Verdict? {
            let vex = try Self.document(
                Self.statement(
                    #"{"name": "CVE-2024-2961"}"#,
                    #"[{"@id": "\#(image)", "subcomponents": [{"@id": "pkg:npm/lodash"}]}]"#, "fixed"))
            return Support.evaluate([finding], policy: Self.policy, vex: [vex]).verdicts.first?.verdict
        }
        #expect(try verdict("ghcr.io/acme/app@\(digest)") == .vexSuppressed)
        #expect(try verdict("ghcr.io/acme/app:1.0") == .vexSuppressed)
        #expect(try verdict("ghcr.io/acme/app") == .fail)
    }

    /// A Docker purl's `repository_url` is the registry: `pkg:docker/acme/app?repository_url=ghcr.io`
    /// is `ghcr.io/acme/app`.
    @Test func aDockerPurlsRepositoryURLIsItsRegistry() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let finding = Support.finding(
            "CVE-2024-2961", package: Support.npm("lodash", "4.17.15"), image: "ghcr.io/acme/app:1.0@\(digest)")
        func verdict(_ product: String) throws -> Verdict? {
            let vex = try Self.document(Self.statement(#"{"name": "CVE-2024-2961"}"#, #"["\#(product)"]"#, "fixed"))
            return Support.evaluate([finding], policy: Self.policy, vex: [vex]).verdicts.first?.verdict
        }
        let version = digest.replacingOccurrences(of: ":", with: "%3A")
        #expect(try verdict("pkg:docker/acme/app@\(version)?repository_url=ghcr.io") == .vexSuppressed)
        #expect(try verdict("pkg:docker/acme/app@\(version)?repository_url=ghcr.io/acme/app") == .vexSuppressed)
        #expect(try verdict("pkg:docker/acme/app@\(version)?repository_url=quay.io") == .fail)
    }

    /// Ids and package names compare in ASCII case only: under Unicode's case mappings the long
    /// s (`ſ`) is `S` and the Kelvin sign is `k`, so a different-looking id or name matched.
    @Test func idsAndNamesCompareInASCIICaseOnly() throws {
        func verdict(_ vulnerability: String, _ products: String) throws -> Verdict? {
            let vex = try Self.document(Self.statement(vulnerability, products, "fixed"))
            return Support.evaluate([Self.lodash], policy: Self.policy, vex: [vex]).verdicts.first?.verdict
        }
        #expect(try verdict(#"{"name": "ghsa-35jh-r3h4-6jhm"}"#, Self.lodashPurl) == .vexSuppressed)
        #expect(try verdict(#"{"name": "GH\#u{017F}A-35jh-r3h4-6jhm"}"#, Self.lodashPurl) == .fail)
        #expect(try verdict(Self.lodash1, #"["pkg:npm/LODASH@4.17.15"]"#) == .vexSuppressed)
        #expect(
            try verdict(
                Self.lodash1, #"["pkg:npm/lodash@4.17.15"]"#.replacingOccurrences(of: "lodash", with: "lodas\u{212A}"))
                == .fail)
    }

    /// Statements without their own timestamp are dated by the document's `timestamp`, not its
    /// `last_updated`: an update must not re-date the statements it left alone above a later one.
    @Test func aDocumentsUpdateDoesNotRedateItsStatements() throws {
        let vendor = try VEXDocument.parse(
            bytes: Array(
                """
                {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "timestamp": "2026-01-01T00:00:00Z",
                 "last_updated": "2026-11-01T00:00:00Z", "statements": [
                \(Self.statement(Self.lodash1, Self.lodashPurl, "not_affected", #", "justification": "vulnerable_code_not_present""#))
                ]}
                """.utf8), file: "vendor.json")
        let triage = try Self.document(
            Self.statement(Self.lodash1, Self.lodashPurl, "affected", #", "timestamp": "2026-03-01T00:00:00Z""#))
        #expect(
            Support.evaluate([Self.lodash], policy: Self.policy, vex: [vendor, triage]).verdicts.first?.verdict == .fail
        )
        #expect(
            Support.evaluate([Self.lodash], policy: Self.policy, vex: [vendor]).verdicts.first?.verdict
                == .vexSuppressed)
    }

    /// Two equally late statements, `fixed` for every version (not applied) and `not_affected`:
    /// the same verdict and reason whatever the order of the files.
    @Test func equallyLateStatementsDecideTheSameInAnyOrder() throws {
        let fixed = try VEXDocument.parse(
            bytes: Array(
                """
                {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "timestamp": "2026-11-01T00:00:00Z",
                 "statements": [\(Self.statement(Self.lodash1, #"["pkg:npm/lodash"]"#, "fixed"))]}
                """.utf8), file: "a.json")
        let notAffected = try VEXDocument.parse(
            bytes: Array(
                """
                {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "y", "timestamp": "2026-11-01T00:00:00Z",
                 "statements": [\(Self.statement(Self.lodash1, Self.lodashPurl, "not_affected", #", "justification": "vulnerable_code_not_present""#))]}
                """.utf8), file: "b.json")
        let one = Support.evaluate([Self.lodash], policy: Self.policy, vex: [fixed, notAffected])
        let other = Support.evaluate([Self.lodash], policy: Self.policy, vex: [notAffected, fixed])
        #expect(one.verdicts.first?.verdict == .fail)
        #expect(other.verdicts.first?.verdict == .fail)
        #expect(one.warnings == other.warnings)
        // Two equally late statements that both take it out: the first by file gives the reason.
        let alsoNotAffected = try VEXDocument.parse(
            bytes: Array(
                """
                {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "z", "timestamp": "2026-11-01T00:00:00Z",
                 "statements": [\(Self.statement(Self.lodash1, Self.lodashPurl, "fixed"))]}
                """.utf8), file: "0.json")
        let reasons = [[notAffected, alsoNotAffected], [alsoNotAffected, notAffected]].map {
            Support.evaluate([Self.lodash], policy: Self.policy, vex: $0).verdicts.first?.reason.text
        }
        #expect(reasons[0] == reasons[1])
        #expect(reasons[0]?.contains("(0.json:") == true, "\(reasons)")
    }

    /// A statement the policy would rely on if it did not trust the tool's own suppression is
    /// not "about no finding" while the tool's suppression holds.
    @Test func aStatementAboutAToolSuppressedFindingIsNotUnused() throws {
        let suppressed = Support.finding(
            "CVE-2021-23337", package: Support.npm("lodash", "4.17.15"), suppressed: true)
        let vex = try Self.document(
            Self.statement(
                Self.lodash1, Self.lodashPurl, "not_affected", #", "justification": "vulnerable_code_not_present""#))
        let decision = Support.evaluate([suppressed], policy: Self.policy, vex: [vex])
        #expect(decision.verdicts.first?.verdict == .suppressedByTool)
        #expect(!decision.warnings.contains { $0.contains("matches no finding") }, "\(decision.warnings)")
    }

    /// A statement about no finding is a typo or is stale; one dated after today is set aside.
    @Test func statementsThatDoNothingAreWarnedAbout() throws {
        let vex = try Self.document(
            Self.statement(Self.lodash1, #"["pkg:npm/lodahs@4.17.15"]"#, "fixed") + ",\n"
                + Self.statement(Self.lodash1, Self.lodashPurl, "fixed", #", "timestamp": "2027-01-01T00:00:00Z""#))
        let decision = Support.evaluate([Self.lodash], policy: Self.policy, vex: [vex])
        #expect(decision.verdicts.first?.verdict == .fail)
        let warnings = decision.warnings.joined(separator: "\n")
        #expect(warnings.contains("OpenVEX statement 1 (vex.json:"), "\(warnings)")
        #expect(warnings.contains("matches no finding"), "\(warnings)")
        #expect(warnings.contains("OpenVEX statement 2 (vex.json:"), "\(warnings)")
        #expect(warnings.contains("after today (2026-11-25): not applied"), "\(warnings)")
    }

    /// A vendor's document can hold thousands of statements about what this project lacks: the
    /// first twenty are named, the rest counted.
    @Test func manyUnusedStatementsAreCounted() throws {
        let statements = (0..<50).map {
            Self.statement(#"{"name": "CVE-2025-\#($0)"}"#, #"["pkg:npm/q\#($0)@1.0.0"]"#, "fixed")
        }
        let decision = Support.evaluate(
            [Self.lodash], policy: Self.policy, vex: [try Self.document(statements.joined(separator: ",\n"))])
        let unused = decision.warnings.filter { $0.contains("match") && $0.contains("no finding") }
        #expect(unused.count == 21)
        #expect(unused.last == "30 more OpenVEX statements match no finding")
    }

    @Test func theExampleDocument() throws {
        let vex = try VEXDocument.load(path: Support.path("fixtures/policy/openvex.json"))
        #expect(vex.statements.count == 2)
        let staging = try PolicyLoader().load(path: Support.path("policies/staging.yaml"))
        let decision = Support.evaluate(try Support.exampleFindings(), policy: staging, vex: [vex])
        let suppressed = decision.verdicts.filter { $0.verdict == .vexSuppressed }
        #expect(suppressed.map { $0.finding.package?.name } == ["lodash-es"])
    }
}
