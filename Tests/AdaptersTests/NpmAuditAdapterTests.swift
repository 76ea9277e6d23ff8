import Adapters
import Findings
import Foundation
import Testing

@Suite("npm audit adapter")
struct NpmAuditAdapterTests {
    // MARK: Corpus

    @Test(
        "every corpus file gives the findings an independent count expects",
        .enabled(if: Corpus.isAvailable), arguments: Corpus.files(in: "npm-audit"))
    func corpusFile(_ url: URL) throws {
        let data = try Data(contentsOf: url)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        if let envelope = json["error"] as? [String: Any] {
            let code = try #require(envelope["code"] as? String)
            let error = try #require(throws: ReportError.self) { try Corpus.parse(url) }
            #expect(error.message.contains("npm audit did not run"))
            #expect(error.message.contains(code))
            return
        }
        if let inconsistency = IndependentCount.countInconsistency(json) {
            // A report whose metadata counts severities its entries do not have was cut or edited.
            let error = try #require(throws: ReportError.self, "\(inconsistency)") { try Corpus.parse(url) }
            #expect(error.message.contains("the report is incomplete or was edited"), "\(error.message)")
            #expect(error.message.contains(inconsistency), "\(error.message)")
            return
        }
        let report = try Corpus.parse(url)
        #expect(report.format == .npmAudit)
        #expect(report.tool == "npm-audit")
        #expect(report.toolVersion == nil)
        #expect(report.variant == (json["advisories"] != nil ? "npm-6" : "npm-7+"))
        #expect(Corpus.tally(report.findings) == IndependentCount.tally(json))
        for finding in report.findings {
            #expect(finding.kind == .vulnerability)
            #expect(finding.package?.ecosystem == "npm")
            #expect(finding.provenance.map(\.tool) == ["npm-audit"])
            #expect(finding.identity.scope == FindingIdentity.sourceScope)
            #expect(!finding.title.isEmpty)
            // npm's verdict, and for a GitHub advisory the same severity as GitHub's rating.
            #expect(finding.ratings.first?.isToolVerdict == true && finding.ratings.count <= 2)
            #expect(finding.ratings.dropFirst().allSatisfy { $0.source == "ghsa" && $0.severity == finding.severity })
        }
    }

    // MARK: npm 6

    @Test("the five CWE encodings are normalised")
    func cweEncodings() throws {
        let report = try Corpus.parse(Corpus.fixture("npm-audit/cwe-encodings-npm6.json"))
        #expect(report.variant == "npm-6")
        let cwesByPackage = Dictionary(
            uniqueKeysWithValues: report.findings.compactMap { finding in
                finding.package.map { ($0.name, finding.cwes) }
            })
        #expect(cwesByPackage["cwe-plain"] == ["CWE-400"])
        #expect(cwesByPackage["cwe-null"] == [])
        #expect(cwesByPackage["cwe-array"] == ["CWE-1321"])
        #expect(cwesByPackage["cwe-json-string"] == ["CWE-22", "CWE-23"])
        #expect(cwesByPackage["cwe-empty-json-string"] == [])
        #expect(cwesByPackage["cwe-degenerate"] == [])
        #expect(report.warnings.isEmpty)
    }

    @Test("npm 6 severities, patched versions and Markdown references")
    func npm6Details() throws {
        let report = try Corpus.parse(Corpus.fixture("npm-audit/cwe-encodings-npm6.json"))
        let byPackage = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.package?.name ?? "", $0) })

        let moderate = try #require(byPackage["cwe-null"])
        #expect(moderate.severity == .medium)
        #expect(moderate.ratings.first?.label == "moderate")
        #expect(moderate.package?.fixAvailable == false)  // `<0.0.0`: no patch
        #expect(moderate.package?.fixedVersions == [])
        #expect(moderate.ruleID == "npm:2")
        #expect(moderate.provenance.first?.rawID == "2")

        let info = try #require(byPackage["cwe-empty-json-string"])
        #expect(info.severity == .info)
        #expect(info.package?.fixAvailable == false)  // empty patched_versions

        let high = try #require(byPackage["cwe-array"])
        #expect(high.package?.fixedVersions == [">=1.0.0"])
        #expect(high.package?.fixAvailable == true)
        #expect(high.package?.installedVersion == "0.9.0")
        #expect(
            high.references == [
                "https://example.org/a", "https://example.org/issues/3", "https://npmjs.com/advisories/3",
            ])
        #expect(high.description == "A real JSON array.")
        #expect(high.remediation == "Upgrade")
    }

    @Test("GHSA is preferred over the npm id, CVEs are collected", .enabled(if: Corpus.isAvailable))
    func ghsaEraIdentifiers() throws {
        let report = try Corpus.parse(
            Corpus.directory.appendingPathComponent("npm-audit/audit-ci__npm-output@npm-high.json"))
        let qs = try #require(report.findings.first { $0.package?.name == "qs" })
        // The finalized primary is the CVE (CVE > GHSA > tool id); the GHSA and npm ids are aliases.
        #expect(qs.ruleID == "CVE-2022-24999")
        #expect(qs.aliases.contains("GHSA-hrpp-h998-j3pp"))
        #expect(qs.aliases.contains("npm:1094102"))
        #expect(qs.provenance.first?.rawID == "1094102")
        #expect(qs.package?.installedVersion == "6.10.2")
        #expect(qs.identity.subject == ["npm", "qs", "6.10.2"])
        #expect(qs.severity == .high)
        #expect(qs.ratings.first?.cvss.first?.score != nil)

        let critical = try Corpus.parse(
            Corpus.directory.appendingPathComponent("npm-audit/audit-ci__npm-output@npm-critical.json"))
        let open = try #require(critical.findings.first { $0.package?.name == "open" })
        #expect(open.ruleID == "GHSA-28xh-wpgr-7fm8")  // no CVE: the GHSA is primary
        #expect(open.aliases.contains("npm:1066786"))
    }

    @Test("npm 6 findings of one advisory and version merge their paths", .enabled(if: Corpus.isAvailable))
    func npm6PathsMerge() throws {
        let report = try Corpus.parse(
            Corpus.directory.appendingPathComponent("npm-audit/audit-ci__npm-output@npm-allowlisted-path.json"))
        let redirects = report.findings.filter { $0.provenance.first?.rawID == "1038442" }
        #expect(redirects.count == 1)
        #expect(
            Set(redirects.first?.package?.paths ?? [])
                == ["axios>follow-redirects", "github-build>axios>follow-redirects"])
        #expect(redirects.first?.cwes == ["CWE-200"])  // a JSON-encoded string in the corpus
    }

    // MARK: npm 7+

    @Test("npm 7+ via objects become findings, via strings do not")
    func npm7Shapes() throws {
        let report = try Corpus.parse(Corpus.fixture("npm-audit/shapes-npm7.json"))
        #expect(report.variant == "npm-7+")
        #expect(report.findings.count == 4)
        #expect(!report.findings.contains { $0.package?.name == "app-shell" })  // only a via string

        let pollution = try #require(report.findings.first { $0.aliases.contains("npm:1096000") })
        #expect(pollution.ruleID == "GHSA-aaaa-bbbb-cccc")
        #expect(pollution.package?.name == "leaf-lib")
        #expect(pollution.package?.installedVersion == nil)
        #expect(
            pollution.package?.paths == ["node_modules/leaf-lib", "node_modules/app-shell/node_modules/leaf-lib"])
        #expect(pollution.package?.fixAvailable == true)
        #expect(pollution.remediation == "npm audit fix --force: install app-shell@2.0.0 (semver major)")
        #expect(pollution.cwes == ["CWE-1321"])
        #expect(pollution.severity == .high)
        #expect(
            pollution.ratings.first?.cvss == [
                CVSSScore(version: .v3, vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", score: 7.5)
            ])
        #expect(pollution.identity.subject == ["npm", "leaf-lib", ""])
        #expect(pollution.provenance.first?.rawID == "1096000")
        #expect(pollution.description == "Vulnerable versions: <1.2.3")

        let unknownScore = try #require(report.findings.first { $0.aliases.contains("npm:1096001") })
        #expect(unknownScore.ratings.first?.cvss == [])  // score 0 without a vector: unknown
        #expect(unknownScore.severity == .low)

        let plain = try #require(report.findings.first { $0.package?.name == "plain-fix" })
        #expect(plain.package?.fixAvailable == true)
        #expect(plain.remediation == "npm audit fix")
        #expect(plain.severity == .medium)

        let preGA = try #require(report.findings.first { $0.package?.name == "no-fix" })
        #expect(preGA.ruleID == "npm:1500")
        #expect(preGA.package?.fixAvailable == false)
        #expect(preGA.remediation == nil)
        #expect(preGA.description == "Vulnerable versions: <=2.0.0")
        #expect(preGA.severity == .critical)
    }

    @Test("the audit fix --dry-run wrapper is read through its audit object")
    func dryRunWrapper() throws {
        let report = try Corpus.parse(Corpus.fixture("npm-audit/audit-fix-dry-run.json"))
        let direct = try Corpus.parse(Corpus.fixture("npm-audit/shapes-npm7.json"))
        #expect(report.variant == "npm-7+ (audit fix --dry-run)")
        #expect(report.findings.map(\.fingerprint).sorted() == direct.findings.map(\.fingerprint).sorted())
    }

    @Test("a via object without a severity takes its entry's")
    func severityFallsBackToEntry() throws {
        let report = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"name": "x", "severity": "high","#
                + #""via": [{"source": 7, "title": "t"}], "nodes": ["node_modules/x"]}}}"#)
        #expect(report.findings.map(\.severity) == [.high])
    }

    @Test("a via string naming a package without an entry is a warning beside other findings")
    func danglingViaString() throws {
        let report = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"name": "x", "severity": "low","#
                + #""via": ["gone", {"source": 7, "title": "t", "severity": "low"}], "nodes": []}}}"#)
        #expect(report.findings.count == 1)
        #expect(report.warnings.count == 1)
    }

    /// npm called these packages vulnerable, but no advisory is reached from them: through a
    /// dependency without an entry, or entries naming only each other. Reading them as nothing
    /// found would pass a build npm fails.
    @Test(
        "an entry whose via chain reaches no advisory is refused",
        arguments: [
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"name": "x", "severity": "low", "via": ["gone"]}}}"#,
            #"{"auditReportVersion": 2, "vulnerabilities": {"a": {"severity": "critical", "via": ["b"]},"#
                + #" "b": {"severity": "critical", "via": ["a"]}}}"#,
        ])
    func viaChainWithoutAdvisory(_ json: String) throws {
        let error = try #require(throws: ReportError.self) { try parse(json) }
        #expect(error.message.contains("no advisory is reached from there"), "\(error.message)")
        // A chain that does reach one is read: c's advisory is a's and b's too.
        let chained = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {"a": {"severity": "high", "via": ["b"]},"#
                + #" "b": {"severity": "high", "via": ["c"]},"#
                + #" "c": {"severity": "high", "via": [{"source": 1, "title": "t", "severity": "high"}]}}}"#)
        #expect(chained.findings.count == 1)
    }

    /// npm rates an entry as the most severe advisory it reaches: `mkdirp` critical through
    /// `minimist`'s low advisory alone contradicts that, and its one finding (the advisory's, low)
    /// passed a gate npm's `--audit-level=critical` fails (found by a review). Refused; an entry
    /// rated as what it reaches, its own advisory or a dependency's, is read.
    @Test("an entry rated above every advisory it reaches is refused")
    func entrySeverityAboveItsAdvisories() throws {
        let minimist = #""minimist": {"severity": "low", "via": [{"source": 1179, "title": "t", "severity": "low"}]}"#
        let error = try #require(throws: ReportError.self) {
            try parse(
                #"{"auditReportVersion": 2, "vulnerabilities": {"mkdirp": {"severity": "critical", "via": ["minimist"]}, "#
                    + minimist + "}}")
        }
        #expect(
            error.message.contains(
                "\"mkdirp\" is rated critical, but the advisories it is vulnerable through are at most low"),
            "\(error.message)")
        let consistent = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {"mkdirp": {"severity": "critical", "via": ["minimist", "#
                + #"{"source": 2, "title": "own", "severity": "critical"}]}, "# + minimist + "}}")
        #expect(consistent.findings.map(\.severity).sorted() == [.low, .critical])
        // Through a chain: a's rating is c's advisory's, two names away.
        let chained = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {"a": {"severity": "moderate", "via": ["b"]},"#
                + #" "b": {"severity": "moderate", "via": ["c"]},"#
                + #" "c": {"severity": "moderate", "via": [{"source": 1, "title": "t", "severity": "moderate"}]}}}"#)
        #expect(chained.findings.count == 1)
        // A deep chain is followed to its end (and in linear time: each entry rises once).
        let depth = 3_000
        var entries = (0..<depth - 1).map { #""p\#($0)": {"severity": "critical", "via": ["p\#($0 + 1)"]}"# }
        entries.append(
            #""p\#(depth - 1)": {"severity": "critical", "via": [{"source": 1, "title": "t", "severity": "low"}]}"#)
        let deep = try #require(throws: ReportError.self) {
            try parse(#"{"auditReportVersion": 2, "vulnerabilities": {"# + entries.joined(separator: ", ") + "}}")
        }
        #expect(deep.message.contains("are at most low"), "\(deep.message)")
    }

    /// A document that lists nothing and has none of the counts npm writes with every report is
    /// no evidence of an audit, also when the user says it is one (`--as npm-audit`).
    @Test(arguments: [
        (#"{"vulnerabilities": {}}"#, "\"vulnerabilities\" lists nothing and there is no \"metadata\""),
        (#"{"auditReportVersion": 2, "vulnerabilities": {}}"#, "\"vulnerabilities\" lists nothing"),
        (#"{"advisories": {}}"#, "\"advisories\" lists nothing and there is no \"metadata\""),
        (#"{"audit": {"auditReportVersion": 2, "vulnerabilities": {}}}"#, "\"vulnerabilities\" lists nothing"),
        (#"{"vulnerabilities": {}, "metadata": {}}"#, "\"metadata\" has no \"vulnerabilities\" counts"),
        (#"{"advisories": {}, "metadata": {"totalDependencies": 3}}"#, "\"metadata\" has no \"vulnerabilities\""),
    ])
    func anEmptyReportWithoutMetadataIsRefused(json: String, message: String) throws {
        let error = try #require(throws: ReportError.self) {
            try Corpus.parse(bytes: Array(json.utf8), name: "npm.json", as: .npmAudit)
        }
        #expect(error.message.contains(message), "\(error)")
        // With npm's counts, the same empty list is a clean audit.
        let counted = try Corpus.parse(
            bytes: Array(
                #"{"vulnerabilities": {}, "metadata": {"vulnerabilities": {"total": 0}, "dependencies": {"total": 3}}}"#
                    .utf8),
            name: "npm.json",
            as: .npmAudit)
        #expect(counted.findings.isEmpty && counted.warnings.isEmpty)
    }

    /// An audit of no installed package (run before `npm install`, or in the wrong directory)
    /// finds nothing and passes every gate: it says so.
    @Test("an audit of zero dependencies is warned about")
    func zeroDependencies() throws {
        let npm7 = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"total": 0},"#
                + #" "dependencies": {"prod": 0, "dev": 0, "total": 0}}}"#)
        let npm6 = try parse(
            #"{"advisories": {}, "metadata": {"vulnerabilities": {"low": 0}, "totalDependencies": 0}}"#)
        for report in [npm7, npm6] {
            #expect(report.findings.isEmpty)
            #expect(report.warnings.contains { $0.hasPrefix("npm audited 0 dependencies") }, "\(report.warnings)")
        }
        let audited = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"total": 0}, "dependencies": {"total": 12}}}"#
        )
        #expect(audited.warnings.isEmpty)
    }

    /// An npm 6 advisory naming several CVEs covers several vulnerabilities and is none of
    /// them: a waiver or VEX statement for one must not suppress it. Its CVEs are not aliases;
    /// the detail names them. One naming a single CVE is that CVE.
    @Test func anAdvisoryOfSeveralCVEsHasNoneOfThemAsAlias() throws {
        let report = try Corpus.parse(Corpus.fixture("npm-audit/advisory-of-two-cves-npm6.json"))
        let finding = try #require(report.findings.first)
        #expect(report.findings.count == 1)
        #expect(finding.ruleID == "GHSA-aaaa-bbbb-cccc")
        #expect(!finding.aliases.contains { $0.hasPrefix("CVE-") }, "\(finding.aliases)")
        #expect(finding.detail == "The advisory covers 2 CVEs: CVE-2020-0001, CVE-2020-0002.")

        let single = try parse(
            #"{"advisories": {"7": {"id": 7, "module_name": "m", "severity": "low", "cves": ["CVE-2020-0003"],"#
                + #" "findings": [{"version": "1.0.0", "paths": ["m"]}]}}, "metadata": {"vulnerabilities": {"low": 1}}}"#
        )
        #expect(single.findings.first?.ruleID == "CVE-2020-0003")
        #expect(single.findings.first?.detail == nil)

        // Its references linking one of the CVEs (npm wrote NVD's page of each) do not make it
        // that CVE either: a waiver of the first would hide the second.
        let linked = try parse(
            #"{"advisories": {"7": {"id": 7, "module_name": "m", "severity": "critical","#
                + #" "cves": ["CVE-2020-1111", "CVE-2020-2222"], "github_advisory_id": "GHSA-28xh-wpgr-7fm8","#
                + #" "references": "- https://nvd.nist.gov/vuln/detail/CVE-2020-1111\n- https://github.com/advisories/GHSA-28xh-wpgr-7fm8","#
                + #" "findings": [{"version": "0.0.5", "paths": ["m"]}]}}, "metadata": {"vulnerabilities": {"critical": 1}}}"#
        )
        let advisory = try #require(linked.findings.first)
        #expect(advisory.ruleID == "GHSA-28xh-wpgr-7fm8")
        #expect(!advisory.aliases.contains { $0.hasPrefix("CVE-") }, "\(advisory.aliases)")
        #expect(advisory.coveredCVEs == ["CVE-2020-1111", "CVE-2020-2222"])
    }

    /// The severity npm states for a GitHub advisory is GitHub's rating, kept as the `ghsa`
    /// authority's beside npm's verdict; an advisory that is not GitHub's, or one whose severity
    /// npm gave only for the package, has none.
    @Test func aGitHubAdvisorysSeverityIsAlsoGHSAsRating() throws {
        let npm7 = try Corpus.parse(Corpus.fixture("npm-audit/ghsa-critical-npm7.json"))
        let ratings = try #require(npm7.findings.first?.ratings)
        #expect(ratings.map(\.source) == ["npm-audit", "ghsa"])
        #expect(ratings.last?.severity == .critical && ratings.last?.isToolVerdict == false)
        let npm6 = try Corpus.parse(Corpus.fixture("npm-audit/advisory-of-two-cves-npm6.json"))
        #expect(npm6.findings.first?.ratings.map(\.source) == ["npm-audit", "ghsa"])

        let notGitHubs = try parse(
            #"{"advisories": {"7": {"id": 7, "module_name": "m", "severity": "low", "cves": [],"#
                + #" "findings": [{"version": "1.0.0", "paths": ["m"]}]}}, "metadata": {"vulnerabilities": {"low": 1}}}"#
        )
        #expect(notGitHubs.findings.first?.ratings.map(\.source) == ["npm-audit"])
        let packageSeverityOnly = try parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {"m": {"name": "m", "severity": "high", "via": [{"#
                + #""source": 1, "title": "t", "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc"}],"#
                + #" "nodes": ["node_modules/m"], "fixAvailable": false}}, "metadata": {"vulnerabilities": {"high": 1, "total": 1}}}"#
        )
        #expect(packageSeverityOnly.findings.first?.ratings.map(\.source) == ["npm-audit"])
    }

    @Test(
        "metadata counts the entries do not bear out are refused",
        arguments: [
            // npm 7+: one count per entry, by its severity.
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"severity": "low", "via": [{"source": 1, "title": "t"}]}},"#
                + #" "metadata": {"vulnerabilities": {"critical": 1, "low": 0, "total": 1}}}"#,
            #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"critical": 2}}}"#,
            // npm 6: a severity counted needs an advisory.
            #"{"advisories": {"1": {"id": 1, "module_name": "m", "severity": "low", "findings": []}},"#
                + #" "metadata": {"vulnerabilities": {"critical": 3, "low": 1}}}"#,
        ])
    func severityCountMismatch(_ json: String) throws {
        let error = try #require(throws: ReportError.self) { try parse(json) }
        #expect(error.message.contains("metadata.vulnerabilities counts"), "\(error.message)")
        #expect(error.message.contains("critical"), "\(error.message)")
    }

    /// An entry's severity npm does not write is refused at that entry, also where the metadata
    /// counts (which the unknown word cannot add up to) are checked first.
    @Test func anUnknownEntrySeverityIsNamedWhereItIs() throws {
        for severity in ["severe", "CRITICAL!"] {
            let error = try #require(throws: ReportError.self) {
                try parse(
                    #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"severity": "\#(severity)", "via": [{"#
                        + #""source": 1, "title": "t", "severity": "high"}]}}, "metadata": {"vulnerabilities": {"high": 1}}}"#
                )
            }
            #expect(error.jsonPath == "$.vulnerabilities.x.severity", "\(String(describing: error.jsonPath))")
            #expect(error.message.contains("unknown npm severity \"\(severity)\""), "\(error.message)")
        }
    }

    // MARK: Errors

    @Test("error envelopes fail instead of reading as clean reports")
    func errorEnvelopes() throws {
        let noLock = try #require(throws: ReportError.self) {
            try parse(
                #"{"error": {"code": "ENOLOCK", "summary": "This command requires an existing lockfile.","#
                    + #" "detail": "Try creating one first with: npm i --package-lock-only"}}"#)
        }
        #expect(noLock.message.hasPrefix("npm audit did not run: ENOLOCK: This command requires"))
        #expect(noLock.jsonPath == "$.error")

        let registry = try #require(throws: ReportError.self) {
            try Corpus.parse(
                bytes: Array(#"{"message": "request to https://registry.npmjs.org/ failed, reason: ETIMEDOUT"}"#.utf8),
                as: .npmAudit)
        }
        #expect(registry.message.contains("did not run: request to https://registry.npmjs.org/ failed"))
    }

    /// Reports with a value of the wrong type (or missing where it cannot be missing), and the
    /// JSON path the error must name.
    static let malformed: [(json: String, path: String)] = [
        (#"{"auditReportVersion": 2, "vulnerabilities": []}"#, "$.vulnerabilities"),
        (#"{"auditReportVersion": 2, "vulnerabilities": {"x": "high"}}"#, "$.vulnerabilities.x"),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"severity": "low", "via": [42]}}}"#,
            "$.vulnerabilities.x.via[0]"
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"severity": "low", "via": "y"}}}"#,
            "$.vulnerabilities.x.via"
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"via": [{"source": 1, "severity": "urgent"}]}}}"#,
            "$.vulnerabilities.x.via[0].severity"
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"via": [{"source": 1}]}}}"#,
            "$.vulnerabilities.x.via[0]"
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"via": ["y"], "fixAvailable": "yes"}}}"#,
            "$.vulnerabilities.x.fixAvailable"
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"x": {"via": [{"source": 1, "severity": "low", "cvss": {"score": 11}}]}}}"#,
            "$.vulnerabilities.x.via[0].cvss.score"
        ),
        (#"{"advisories": ["1"]}"#, "$.advisories"),
        (
            #"{"advisories": {"1": {"id": 1, "module_name": "m", "severity": "low", "findings": {}}}}"#,
            "$.advisories.1.findings"
        ),
        (
            #"{"advisories": {"1": {"id": 1, "module_name": "m", "severity": "low", "cwe": 79}}}"#,
            "$.advisories.1.cwe"
        ),
        (#"{"advisories": {"1": {"id": 1, "severity": "low"}}}"#, "$.advisories.1"),
    ]

    @Test("wrong types are errors with the JSON path", arguments: malformed)
    func wrongTypes(_ json: String, _ path: String) throws {
        let error = try #require(throws: ReportError.self) { try parse(json) }
        #expect(error.jsonPath == path)
        #expect(error.line != nil)
    }

    /// Reports whose own content says something is missing: reading them as they are would
    /// pass a build npm fails.
    static let inconsistent: [(json: String, path: String, message: String)] = [
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {"open": {"name": "open", "severity": "critical", "via": []}}}"#,
            "$.vulnerabilities.open", #""via" is empty"#
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"low": 2, "total": 2}}}"#,
            "$.vulnerabilities", #"metadata.vulnerabilities.total is 2 but "vulnerabilities" lists 0 packages"#
        ),
        (
            #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"Critical": 1, "Total": 1}}}"#,
            "$.metadata.vulnerabilities.Critical", #""Critical" is not one of npm's counts"#
        ),
        // A layout of another version: read as version 2, its findings could be under other keys.
        (
            #"{"auditReportVersion": 3, "vulnerabilities": {}, "findings": {"x": {"severity": "critical"}}}"#,
            "$.auditReportVersion", "unsupported auditReportVersion 3"
        ),
    ]

    @Test("a report that contradicts itself is refused", arguments: inconsistent.indices)
    func inconsistentReportRefused(case index: Int) throws {
        let (json, path, message) = Self.inconsistent[index]
        let error = try #require(throws: ReportError.self) { try parse(json) }
        #expect(error.jsonPath == path)
        #expect(error.message.contains(message), "\(error)")
    }

    @Test("truncated JSON is an error with a line")
    func truncated() throws {
        let error = try #require(throws: ReportError.self) {
            try parse("{\n  \"auditReportVersion\": 2,\n  \"vulnerabilities\": {\n    \"x\": {\"name\": ")
        }
        #expect(error.line != nil)
        #expect(error.message.contains("invalid JSON"))
    }

    private func parse(_ json: String) throws -> ParsedReport {
        try Corpus.parse(bytes: Array(json.utf8), name: "inline.json", as: .npmAudit)
    }
}

/// Counts the findings a report should give, written from the format description with
/// Foundation's JSON reader, independently of the adapter.
private enum IndependentCount {
    /// `"1 high"` when `metadata.vulnerabilities` counts a severity its entries do not bear out
    /// (npm 7+: a different number of entries of that severity; npm 6: no advisory of it).
    static func countInconsistency(_ json: [String: Any]) -> String? {
        guard let counts = (json["metadata"] as? [String: Any])?["vulnerabilities"] as? [String: Any] else {
            return nil
        }
        let isNpm6 = json["advisories"] != nil
        let entries = (json[isNpm6 ? "advisories" : "vulnerabilities"] as? [String: Any]) ?? [:]
        for word in ["critical", "high", "moderate", "low", "info"] {
            guard let counted = counts[word] as? Int else { continue }
            let found = entries.values.count { (($0 as? [String: Any])?["severity"] as? String) == word }
            if isNpm6 ? (counted > 0 && found == 0) : (counted != found) { return "\(counted) \(word)" }
        }
        return nil
    }

    static let severityNames = [
        "info": "info", "low": "low", "moderate": "medium", "high": "high", "critical": "critical",
    ]

    static func key(_ npmSeverity: Any?) -> String {
        "vulnerability/" + (severityNames[(npmSeverity as? String) ?? ""] ?? "unknown")
    }

    static func tally(_ json: [String: Any]) -> [String: Int] {
        var counts: [String: Int] = [:]
        if let advisories = json["advisories"] as? [String: Any] {
            // npm 6: distinct (advisory, installed version) pairs.
            for case let advisory as [String: Any] in advisories.values {
                let occurrences = advisory["findings"] as? [[String: Any]] ?? []
                let versions = Set(occurrences.map { $0["version"] as? String ?? "" })
                counts[key(advisory["severity"]), default: 0] += max(versions.count, 1)
            }
        }
        let report = json["auditReportVersion"] != nil ? json : json["audit"] as? [String: Any] ?? [:]
        if let vulnerabilities = report["vulnerabilities"] as? [String: Any] {
            // npm 7+: advisory objects in every entry's via.
            for case let entry as [String: Any] in vulnerabilities.values {
                for case let via as [String: Any] in entry["via"] as? [Any] ?? [] {
                    counts[key(via["severity"] ?? entry["severity"]), default: 0] += 1
                }
            }
        }
        return counts
    }
}
