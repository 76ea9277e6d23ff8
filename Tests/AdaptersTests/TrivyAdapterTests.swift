import Adapters
import Findings
import Foundation
import Testing

/// Counts what a Trivy report lists, independently of the adapter (Foundation's
/// JSONSerialization, written from the format notes in shared/reference/formats.md).
private struct TrivyEntryCount {
    /// "kind/severity" → count, over entries whose Trivy severity is not UNKNOWN.
    var labelled: [String: Int] = [:]
    var total = 0
    var suppressed = 0

    init(_ url: URL) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed])
        if let list = object as? [[String: Any]] {
            for result in list { count(result: result) }
        } else if let report = object as? [String: Any] {
            var results = report["Results"] as? [[String: Any]] ?? []
            var resources = report["Resources"] as? [[String: Any]] ?? []
            resources += report["Vulnerabilities"] as? [[String: Any]] ?? []
            resources += report["Misconfigurations"] as? [[String: Any]] ?? []
            if report["ClusterName"] != nil {
                results += resources.flatMap { $0["Results"] as? [[String: Any]] ?? [] }
            }
            for result in results { count(result: result) }
        }
    }

    private mutating func count(result: [String: Any]) {
        let sections: [(String, FindingKind)] = [
            ("Vulnerabilities", .vulnerability), ("Misconfigurations", .misconfiguration), ("Secrets", .secret),
            ("Licenses", .license),
        ]
        for (key, kind) in sections {
            for entry in result[key] as? [[String: Any]] ?? [] {
                let status = entry["Status"] as? String
                if kind == .misconfiguration && status == "PASS" { continue }
                add(entry, kind: kind, suppressed: kind == .misconfiguration && status == "EXCEPTION")
            }
        }
        for modified in result["ExperimentalModifiedFindings"] as? [[String: Any]] ?? [] {
            let kinds: [String: FindingKind] = [
                "vulnerability": .vulnerability, "misconfiguration": .misconfiguration, "secret": .secret,
                "license": .license,
            ]
            guard let kind = kinds[modified["Type"] as? String ?? ""], let entry = modified["Finding"] as? [String: Any]
            else { continue }
            add(entry, kind: kind, suppressed: true)
        }
    }

    private mutating func add(_ entry: [String: Any], kind: FindingKind, suppressed: Bool) {
        total += 1
        if suppressed { self.suppressed += 1 }
        let label = (entry["Severity"] as? String ?? "UNKNOWN").lowercased()
        if label != "unknown" { labelled["\(kind.rawValue)/\(label)", default: 0] += 1 }
    }
}

@Suite("Trivy adapter")
struct TrivyAdapterTests {
    /// Corpus files refused on purpose, and why (each is hand-edited or an incomplete scan).
    static let refused: [String: String] = [
        "defectdojo__legacy_trivy_mix.json": "a vulnerability without \"VulnerabilityID\"",
        "securecodebox__k8s-results_unexpected-attribute.json": "a secret without \"RuleID\"",
        "securecodebox__trivy--k8s-scan-results.json": "the report is incomplete",
    ]

    /// Legacy Trivy (before 0.20) wrote a bare `null` or `[]` for a scan that found nothing; so
    /// does a broken pipeline. Read only with `--as trivy`.
    static let readOnlyAsTrivy: Set<String> = [
        "defectdojo__legacy_no_vuln.json", "securecodebox__test-empty-report.json",
    ]

    static var corpusFiles: [URL] { Corpus.files(in: "trivy") }

    @Test(.enabled(if: Corpus.isAvailable), arguments: corpusFiles)
    func everyCorpusFileIsReadOrRefusedClearly(_ url: URL) throws {
        if Self.readOnlyAsTrivy.contains(url.lastPathComponent) {
            let error = try #require(throws: ReportError.self) { try Corpus.parse(url) }
            #expect(error.message.contains("give --as trivy"), "\(error)")
            let report = try Corpus.parse(url, as: .trivy)
            #expect(report.format == .trivy && report.findings.isEmpty)
            return
        }
        if let reason = Self.refused[url.lastPathComponent] {
            let error = try #require(throws: ReportError.self) { try Corpus.parse(url) }
            #expect(error.file == url.path)
            #expect(error.message.contains(reason), "\(error)")
            return
        }
        let report = try Corpus.parse(url)
        #expect(report.format == .trivy)
        let expected = try TrivyEntryCount(url)
        #expect(report.findings.count == expected.total)
        #expect(report.findings.count { !$0.isOpen } == expected.suppressed)
        // Per kind and severity, over the entries Trivy gave a severity (UNKNOWN ones resolve
        // through CVSS, checked below).
        let labelled = report.findings.filter { finding in
            finding.ratings.contains { $0.isToolVerdict && $0.severity != nil && $0.severity != .unknown }
        }
        #expect(Corpus.tally(labelled) == expected.labelled)
        for finding in report.findings {
            #expect(!finding.fingerprint.isEmpty)
            #expect(finding.provenance.first?.tool == "trivy")
        }
    }

    /// A check failing for two containers of one Kubernetes manifest, which Trivy gives no
    /// `Resource`: two findings, the first with the identity it had alone, so a container added
    /// beside a known one is new. They were one finding (the second's message lost, and the new
    /// container's failure passed a gate failing only on new findings; found by a review).
    @Test func oneChecksFailuresForTwoContainersAreTwoFindings() throws {
        let url = Corpus.fixture("trivy/two-containers-one-check.json")
        let both = try Corpus.parse(url).findings
        #expect(both.count == 2)
        #expect(Set(both.map(\.fingerprint)).count == 2)
        #expect(both.map { $0.description?.contains("Container 'sidecar'") ?? false } == [false, true])

        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var results = try #require(json["Results"] as? [[String: Any]])
        var failures = try #require(results[0]["Misconfigurations"] as? [Any])
        failures.removeLast()
        results[0]["Misconfigurations"] = failures
        results[0]["MisconfSummary"] = ["Successes": 0, "Failures": 1]
        json["Results"] = results
        let alone = try Corpus.parse(bytes: Array(try JSONSerialization.data(withJSONObject: json)), name: "t.json")
        #expect(alone.findings.map(\.fingerprint) == [both[0].fingerprint])

        // The same message twice (a check that does not name the container): told apart by number.
        failures.append(failures[0])
        results[0]["Misconfigurations"] = failures
        results[0]["MisconfSummary"] = ["Successes": 0, "Failures": 2]
        json["Results"] = results
        let twice = try Corpus.parse(bytes: Array(try JSONSerialization.data(withJSONObject: json)), name: "t.json")
        #expect(Set(twice.findings.map(\.fingerprint)).count == 2)

        // The two failures in two results naming the one manifest: still two findings (they were
        // one, the second container's failure lost; found by a review), with the identities they
        // have in one result; a failure an earlier result gave again is that finding again.
        let original = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var split = original
        let result = try #require((original["Results"] as? [[String: Any]])?.first)
        let listed = try #require(result["Misconfigurations"] as? [Any])
        var first = result
        var second = result
        first["Misconfigurations"] = [listed[0]]
        second["Misconfigurations"] = [listed[1]]
        var repeated = result
        repeated["Misconfigurations"] = [listed[0]]
        split["Results"] = [first, second, repeated]
        let acrossResults = try Corpus.parse(
            bytes: Array(try JSONSerialization.data(withJSONObject: split)), name: "t.json")
        #expect(acrossResults.findings.map(\.fingerprint) == both.map(\.fingerprint) + [both[0].fingerprint])
        #expect(FindingSet(merging: acrossResults.findings).all.count == 2)
        // A later result giving one message twice, which an earlier gave once: its second is
        // another failure, as in a result alone (it was merged into the first; found by the diff
        // review).
        var doubled = result
        doubled["Misconfigurations"] = [listed[0], listed[0]]
        split["Results"] = [first, doubled]
        let twiceLater = try Corpus.parse(
            bytes: Array(try JSONSerialization.data(withJSONObject: split)), name: "t.json")
        #expect(twiceLater.findings.map(\.fingerprint) == [both[0].fingerprint] + twice.findings.map(\.fingerprint))
    }

    /// Trivy 0.69+ names the GitHub advisory in `VendorIDs`: it is the finding's alias (npm audit
    /// names the vulnerability by it), the distribution advisories beside it are not (an RHSA
    /// or DSA covers several CVEs).
    @Test func aGHSAInVendorIDsIsAnAlias() throws {
        let json = #"""
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": "package-lock.json",
             "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-23337",
             "VendorIDs": ["ghsa-35JH-R3H4-6JHM", "DSA-5000-1"], "PkgName": "lodash", "InstalledVersion": "4.17.15",
             "Severity": "HIGH"}]}]}
            """#
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "trivy.json")
        let finding = try #require(report.findings.first)
        #expect(finding.ruleID == "CVE-2021-23337")
        #expect(finding.aliases == ["GHSA-35jh-r3h4-6jhm"])
        // With npm audit's report of the same project, one finding.
        let npm = try Corpus.parse(Corpus.repositoryRoot.appendingPathComponent("fixtures/examples/npm-audit.json"))
        let merged = FindingSet(merging: report.findings + npm.findings)
        #expect(merged.all.filter { $0.package?.name == "lodash" }.count == 1)
    }

    /// Trivy before v0.10 wrote neither `Type` nor `Class`: the ecosystem is read from the target
    /// (the OS in parentheses, else the lock file), and a lock file's findings are at its path,
    /// so that rules naming an ecosystem, a version or a path apply to them as to a newer report's.
    @Test func aLegacyResultWithoutTypeTakesItsEcosystemFromTheTarget() throws {
        let json = #"""
            [{"Target": "acme/app:1.0 (alpine 3.11.5)", "Vulnerabilities": [{"VulnerabilityID": "CVE-2020-1967",
              "PkgName": "openssl", "InstalledVersion": "1.1.1d-r3", "Severity": "HIGH"}]},
             {"Target": "web/package-lock.json", "Vulnerabilities": [{"VulnerabilityID": "CVE-2020-8203",
              "PkgName": "lodash", "InstalledVersion": "4.17.15", "Severity": "HIGH"}]},
             {"Target": "sles:15 (suse linux enterprise server 15.1)", "Vulnerabilities": [{"VulnerabilityID":
              "CVE-2020-1000", "PkgName": "glibc", "InstalledVersion": "2.26-13.36.1", "Severity": "LOW"}]},
             {"Target": "amazonlinux:2 (amazon 2 (Karoo))", "Vulnerabilities": [{"VulnerabilityID": "CVE-2020-2000",
              "PkgName": "curl", "InstalledVersion": "7.61.1-12.amzn2.0.1", "Severity": "LOW"}]},
             {"Target": "vendor/something.txt", "Vulnerabilities": [{"VulnerabilityID": "CVE-2020-3000",
              "PkgName": "thing", "InstalledVersion": "1.0", "Severity": "LOW"}]}]
            """#
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "legacy.json")
        let byPackage = Dictionary(report.findings.map { ($0.package?.name ?? "", $0) }) { first, _ in first }
        #expect(byPackage["openssl"]?.package?.ecosystem == "alpine")
        #expect(byPackage["openssl"]?.locations.first?.path == nil)
        #expect(byPackage["lodash"]?.package?.ecosystem == "npm")
        #expect(byPackage["lodash"]?.locations.first?.path == "web/package-lock.json")
        #expect(byPackage["glibc"]?.package?.ecosystem == "sles")
        #expect(byPackage["curl"]?.package?.ecosystem == "amazon")
        // A target that names neither stays unknown (rules naming a version then fail closed).
        #expect(byPackage["thing"]?.package?.ecosystem == "unknown")
    }

    /// The real legacy report (secureCodeBox's juice-shop scan, Trivy ~0.9): its OS and npm results.
    @Test(.enabled(if: Corpus.isAvailable)) func aLegacyCorpusReportHasItsEcosystems() throws {
        let report = try Corpus.parse(
            Corpus.directory.appendingPathComponent("trivy/securecodebox__juice-shop-v10.2.0@legacy.json"))
        let ecosystems = Set(report.findings.compactMap { $0.package?.ecosystem })
        #expect(ecosystems == ["alpine", "npm"])
        let npmPaths = Set(
            report.findings.filter { $0.package?.ecosystem == "npm" }.compactMap { $0.locations.first?.path })
        #expect(npmPaths == ["juice-shop/package-lock.json"])
        // An image scan: the lock file found in the image is in the image, not the source tree,
        // so image-scoped rules apply to its findings (found by a review: they did not).
        for finding in report.findings {
            #expect(finding.locations.first?.image?.repository == "bkimminich/juice-shop", "\(finding.ruleID)")
            #expect(finding.identity.scope.hasPrefix("image:"), "\(finding.ruleID)")
        }
    }

    /// A file holding only `null` or `[]` (what a step that wrote nothing, or `jq` on an empty
    /// input, leaves) is no clean scan unless the user says it is Trivy's.
    @Test(arguments: ["null", " [ ] ", "null\n"])
    func aBareNullOrEmptyListNeedsAsTrivy(_ text: String) throws {
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(text.utf8), name: "r.json") }
        #expect(error.message.contains("give --as trivy"), "\(error)")
        #expect(try Corpus.parse(bytes: Array(text.utf8), name: "r.json", as: .trivy).findings.isEmpty)
        // A list of legacy results says what it is.
        let legacy = #"[{"Target": "alpine:3.10 (alpine 3.10.2)", "Vulnerabilities": null}]"#
        #expect(try Corpus.parse(bytes: Array(legacy.utf8), name: "r.json").format == .trivy)
    }

    /// Trivy's references link the CVE records of related flaws (curl's CVE-2023-46218 links
    /// CVE-2023-28322): those are not aliases. A finding Trivy reported under a CVE keeps that
    /// CVE as its id and gains no other one, so a waiver or VEX statement for one CVE cannot
    /// hide another.
    @Test(.enabled(if: Corpus.isAvailable), arguments: corpusFiles)
    func aCVEFromTrivyIsTheFindingsOnlyCVE(_ url: URL) throws {
        guard Self.refused[url.lastPathComponent] == nil, !Self.readOnlyAsTrivy.contains(url.lastPathComponent) else {
            return
        }
        let report = try Corpus.parse(url)
        for finding in report.findings where finding.kind == .vulnerability {
            guard let rawID = finding.provenance.first?.rawID, Identifiers.isCVE(Identifiers.normalize(rawID)) else {
                continue
            }
            #expect(finding.ruleID == Identifiers.normalize(rawID), "\(url.lastPathComponent): \(rawID)")
            #expect(!finding.aliases.contains(where: Identifiers.isCVE), "\(url.lastPathComponent): \(rawID)")
        }
    }

    @Test(.enabled(if: Corpus.isAvailable))
    func incompleteKubernetesScanIsReadOnlyWhenAllowed() throws {
        let url = Corpus.directory.appendingPathComponent("trivy/securecodebox__trivy--k8s-scan-results.json")
        let report = try ReportReader(allowsIncompleteReports: true).read(path: url.path)
        #expect(report.warnings.contains { $0.contains("could not scan securecodebox-system/Deployment") })
        #expect(report.findings.count == (try TrivyEntryCount(url)).total)
    }

    /// In a Kubernetes scan a language result's target is a file inside the image
    /// (`usr/local/bin/etcd`), not an image: its findings belong to the image its resource's OS
    /// result names.
    @Test(.enabled(if: Corpus.isAvailable))
    func kubernetesLanguageResultsBelongToTheirResourcesImage() throws {
        let url = Corpus.directory.appendingPathComponent("trivy/securecodebox__trivy--k8s-scan-results.json")
        let report = try ReportReader(allowsIncompleteReports: true).read(path: url.path)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let resources = json["Resources"] as? [[String: Any]] ?? []
        let osTargets = resources.flatMap { $0["Results"] as? [[String: Any]] ?? [] }
            .filter { $0["Class"] as? String == "os-pkgs" }.compactMap { $0["Target"] as? String }
        let images = Set(osTargets.compactMap { $0.split(separator: " ").first.map(String.init) })
            .map { ImageReference(parsing: $0).repository }
        let located = report.findings.flatMap(\.locations).compactMap(\.image?.repository)
        #expect(!located.isEmpty)
        for repository in Set(located) { #expect(images.contains(repository), "\(repository)") }
        let etcd = report.findings.filter { $0.locations.contains { $0.path == "usr/local/bin/etcd" } }
        #expect(!etcd.isEmpty && etcd.allSatisfy { $0.locations.first?.image?.repository == "k8s.gcr.io/etcd" })
    }

    @Test(.enabled(if: Corpus.isAvailable))
    func unknownSeverityResolvesThroughCVSS() throws {
        let report = try Corpus.parse(
            Corpus.directory.appendingPathComponent("trivy/defectdojo__cvss_severity_source.json"))
        for finding in report.findings {
            let verdict = finding.ratings.first { $0.isToolVerdict }
            if verdict?.severity == .unknown, let score = finding.ratings.compactMap({ $0.bestScore?.score }).first {
                #expect(finding.severity != .unknown || score == 0)
            }
        }
    }

    @Test(.enabled(if: Corpus.isAvailable))
    func suppressedFindingsAreKeptApart() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("trivy/trivy__npm-with-suppressed.json"))
        let suppressed = report.findings.filter { !$0.isOpen }
        #expect(suppressed.count == 1)
        #expect(suppressed.first?.suppression?.status == "not_affected")
        #expect(suppressed.first?.suppression?.source == "./vex.json")
    }

    @Test(.enabled(if: Corpus.isAvailable))
    func kubernetesWorkloadsRepeatingAnImageMergeIntoOneFinding() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("trivy/defectdojo__issue_9170.json"))
        let merged = FindingSet(merging: report.findings)
        #expect(merged.all.count <= report.findings.count)
        for finding in merged.all where finding.kind == .vulnerability {
            #expect(finding.identity.scope.hasPrefix("image:"))
        }
    }

    /// `trivy k8s --report summary -f json` (the default report) writes Trivy's
    /// `ConsolidatedReport`: the resources under `Findings`, not `Resources`. It was read as a
    /// cluster of no finding and passed production (found by a review).
    @Test(.enabled(if: Corpus.isAvailable))
    func kubernetesSummaryReportsAreReadLikeFullOnes() throws {
        let url = Corpus.directory.appendingPathComponent("trivy/defectdojo__issue_9170.json")
        let full = try Corpus.parse(url)
        let text = try String(contentsOf: url, encoding: .utf8)
        let summary = try Corpus.parse(
            bytes: Array(text.replacingOccurrences(of: #""Resources":"#, with: #""Findings":"#).utf8),
            name: "summary.json")
        #expect(!full.findings.isEmpty)
        #expect(summary.variant == "kubernetes-summary")
        #expect(summary.findings.map(\.fingerprint) == full.findings.map(\.fingerprint))
        #expect(summary.checkedNothing == nil)
    }

    @Test func imageScanRecordsRepositoryAndDigestButFingerprintsWithoutThem() throws {
        func report(tag: String, digest: String) throws -> ParsedReport {
            let json = """
                {"SchemaVersion": 2, "ArtifactName": "ghcr.io/acme/api:\(tag)", "ArtifactType": "container_image",
                 "Metadata": {"RepoDigests": ["ghcr.io/acme/api@\(digest)"]},
                 "Results": [{"Target": "ghcr.io/acme/api:\(tag) (alpine 3.19.1)", "Class": "os-pkgs", "Type": "alpine",
                   "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-0727", "PkgName": "libcrypto3",
                     "InstalledVersion": "3.1.4-r2", "FixedVersion": "3.1.4-r5", "Severity": "MEDIUM"}]}]}
                """
            return try Corpus.parse(bytes: Array(json.utf8))
        }
        let first = try report(tag: "1.0", digest: "sha256:aaaa")
        let second = try report(tag: "1.1", digest: "sha256:bbbb")
        let finding = try #require(first.findings.first)
        #expect(
            finding.locations.first?.image
                == ImageReference(repository: "ghcr.io/acme/api", tag: "1.0", digest: "sha256:aaaa"))
        #expect(finding.package?.ecosystem == "alpine")
        #expect(finding.package?.fixAvailable == true)
        #expect(finding.fingerprint == second.findings.first?.fingerprint)
    }

    /// Trivy renamed some operating systems (its `OSTypeAliases`); a package of SUSE Linux
    /// Enterprise Server is one ecosystem, `sles`, whichever Trivy version scanned it, so its
    /// fingerprint and a policy's vendor severity (`suse-cvrf`) do not depend on the version.
    @Test(arguments: [
        ("suse linux enterprise server", "sles"), ("sles", "sles"), ("opensuse.leap", "opensuse-leap"),
        ("opensuse-leap", "opensuse-leap"), ("suse linux enterprise micro", "slem"), ("amazon linux", "amazon"),
    ])
    func renamedOperatingSystemsAreOneEcosystem(_ type: String, _ ecosystem: String) throws {
        let json = """
            {"SchemaVersion": 2, "ArtifactName": "registry.suse.com/bci/bci-base:15.5", "ArtifactType": "container_image",
             "Results": [{"Target": "registry.suse.com/bci/bci-base:15.5 (\(type) 15.5)", "Class": "os-pkgs",
               "Type": "\(type)", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-0727", "PkgName": "libopenssl3",
                 "InstalledVersion": "3.0.8-150500.5.20.1", "Severity": "LOW", "VendorSeverity": {"suse-cvrf": 1}}]}]}
            """
        let finding = try #require(try Corpus.parse(bytes: Array(json.utf8)).findings.first)
        #expect(finding.package?.ecosystem == ecosystem)
        #expect(finding.locations.first?.image?.repository == "registry.suse.com/bci/bci-base")
    }

    /// Every source's rating, joined by source whether it gave a vendor severity, CVSS or both,
    /// in source order; a negative CVSS score is refused where it is, not read as none (a 9.8
    /// vector beside `-5` lost its severity and passed the gate).
    @Test func ratingsJoinEverySourceAndNegativeScoresAreRefused() throws {
        func json(_ cvss: String) -> String {
            #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": "package-lock.json", "#
                + #""Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-23337", "#
                + #""PkgName": "lodash", "InstalledVersion": "4.17.15", "Severity": "UNKNOWN", "#
                + #""VendorSeverity": {"nvd": 3, "ghsa": 2, "zz": 1}, "CVSS": \#(cvss)}]}]}"#
        }
        let finding = try #require(
            try Corpus.parse(
                bytes: Array(json(#"{"redhat": {"V3Score": 7.2}, "nvd": {"V3Score": 8.1}, "aa": {"V2Score": 5}}"#).utf8)
            ).findings.first)
        let rated = finding.ratings.filter { $0.source != "trivy" }
        #expect(rated.map(\.source) == ["aa", "ghsa", "nvd", "redhat", "zz"])
        #expect(rated.map { $0.cvss.first?.score } == [5, nil, 8.1, 7.2, nil])
        #expect(rated.map { $0.label != nil } == [false, true, true, false, true])
        let negative = try #require(throws: ReportError.self) {
            try Corpus.parse(bytes: Array(json(#"{"nvd": {"V3Score": -5}}"#).utf8))
        }
        #expect(negative.message.contains("CVSS score -5.0 is outside 0–10"), "\(negative)")
        // A vendor level Trivy does not write is refused where it is, not read as "unknown"
        // (found by a review).
        for level in ["5", "-1"] {
            let text = json("{}").replacingOccurrences(of: #""nvd": 3"#, with: #""nvd": \#(level)"#)
            let outside = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(text.utf8)) }
            #expect(outside.message.contains("expected a severity number 0–4, found \(level)"), "\(outside)")
            #expect(outside.jsonPath?.hasSuffix(".VendorSeverity.nvd") == true, "\(outside)")
        }
    }

    /// `FixedVersion` lists versions, or ranges whose bounds are also comma-separated:
    /// ammonia's `>= 3.1.0, >= 2.1.3, < 3.0.0` is "3.1.0 or later, or 2.1.3 up to 3.0.0".
    @Test(arguments: [
        ("1.2.4, 2.0.1", ["1.2.4", "2.0.1"]), (">= 3.1.0, >= 2.1.3, < 3.0.0", [">= 3.1.0", ">= 2.1.3, < 3.0.0"]),
        ("< 2.0.0", ["< 2.0.0"]), (">= 1.0, < 2.0, < 3.0", [">= 1.0, < 2.0", "< 3.0"]), ("", []),
    ])
    func fixedVersionRangesKeepTheirBounds(_ text: String, _ expected: [String]) throws {
        let json = """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem",
             "Results": [{"Target": "Cargo.lock", "Class": "lang-pkgs", "Type": "cargo",
               "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-38193", "PkgName": "ammonia",
                 "InstalledVersion": "1.9.0", "FixedVersion": "\(text)", "Severity": "MEDIUM"}]}]}
            """
        let finding = try #require(try Corpus.parse(bytes: Array(json.utf8)).findings.first)
        #expect(finding.package?.fixedVersions == expected)
        #expect(finding.package?.fixAvailable == !expected.isEmpty)
    }

    @Test func misconfigurationIDsAreOneSpellingAcrossVersions() throws {
        for id in ["DS002", "AVD-DS-0002", "DS-0002"] {
            let json = """
                {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": "Dockerfile",
                 "Class": "config", "Misconfigurations": [{"ID": "\(id)", "Title": "root user", "Severity": "HIGH",
                 "Status": "FAIL"}, {"ID": "DS001", "Severity": "LOW", "Status": "PASS"}]}]}
                """
            let report = try Corpus.parse(bytes: Array(json.utf8))
            #expect(report.findings.map(\.ruleID) == ["DS-0002"])
        }
    }

    @Test func wrongTypesAreErrorsWithTheirJSONPath() throws {
        let cases: [(String, String)] = [
            (#"{"SchemaVersion": 2, "Results": {"Target": "x"}}"#, "$.Results"),
            (
                #"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": 7}]}]}"#,
                "$.Results[0].Vulnerabilities[0].VulnerabilityID"
            ),
            (
                #"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a", "Severity": "SEVERE"}]}]}"#,
                "$.Results[0].Vulnerabilities[0].Severity"
            ),
            // Words other tools use for a low severity are not Trivy's: read as info, they would pass.
            (
                #"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a", "Severity": "NEGLIGIBLE"}]}]}"#,
                "$.Results[0].Vulnerabilities[0].Severity"
            ),
            (
                #"{"SchemaVersion": 2, "Results": [{"Target": "Dockerfile", "Misconfigurations": [{"ID": "DS002", "Severity": "NONE"}]}]}"#,
                "$.Results[0].Misconfigurations[0].Severity"
            ),
            // A suppressed finding of a type Trivy does not write is not skipped: production judges them.
            (
                #"{"SchemaVersion": 2, "Results": [{"Target": "x", "ExperimentalModifiedFindings": [{"Type": "Vulnerability", "Status": "not_affected", "Source": ".trivyignore", "Finding": {"VulnerabilityID": "CVE-1", "PkgName": "a", "Severity": "CRITICAL"}}]}]}"#,
                "$.Results[0].ExperimentalModifiedFindings[0].Type"
            ),
            (#"{"SchemaVersion": 3, "Results": []}"#, "$.SchemaVersion"),
            // Trivy writes a Target in every result: one without is not a clean result.
            (#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{}]}"#, "$.Results[0]"),
            (#"[{"Vulnerabilities": []}]"#, "$[0]"),
            // CVSS base scores are 0–10 in every version.
            (
                #"{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a", "CVSS": {"nvd": {"V3Score": 1e20}}}]}]}"#,
                "$.Results[0].Vulnerabilities[0].CVSS.nvd.V3Score"
            ),
        ]
        for (json, path) in cases {
            let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(json.utf8)) }
            #expect(error.jsonPath == path, "\(error)")
            #expect(error.file == "inline.json")
        }
    }

    /// Go's JSON decoder ignores letter case, so a report re-encoded by another tool may spell
    /// Trivy's keys differently; read exactly, its findings would be absent and it would pass.
    @Test(arguments: [
        (
            #"{"SchemaVersion": 2, "ArtifactType": "filesystem", "results": [{"Target": "go.mod", "Vulnerabilities": []}]}"#,
            "$.results", "Results"
        ),
        (
            #"{"SchemaVersion": 2, "Results": [{"Target": "go.mod", "vulnerabilities": [{"VulnerabilityID": "CVE-1"}]}]}"#,
            "$.Results[0].vulnerabilities", "Vulnerabilities"
        ),
        (#"[{"Target": "app (alpine 3.9)", "VULNERABILITIES": null}]"#, "$[0].VULNERABILITIES", "Vulnerabilities"),
        (#"{"ClusterName": "prod", "resources": []}"#, "$.resources", "Resources"),
        // Read as absent, the severity would be unknown: a critical judged at unknown-severity-as.
        (
            #"{"SchemaVersion": 2, "Results": [{"Target": "go.mod", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a", "severity": "CRITICAL"}]}]}"#,
            "$.Results[0].Vulnerabilities[0].severity", "Severity"
        ),
        (
            #"{"SchemaVersion": 2, "Results": [{"Target": "go.mod", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "a", "CVSS": {"nvd": {"v3Score": 9.8}}}]}]}"#,
            "$.Results[0].Vulnerabilities[0].CVSS.nvd.v3Score", "V3Score"
        ),
        (
            #"{"SchemaVersion": 2, "Results": [{"Target": "Dockerfile", "Misconfigurations": [{"ID": "DS002", "SEVERITY": "HIGH"}]}]}"#,
            "$.Results[0].Misconfigurations[0].SEVERITY", "Severity"
        ),
        (
            #"{"ClusterName": "prod", "Resources": [{"Kind": "Pod", "Name": "a", "results": []}]}"#,
            "$.Resources[0].results", "Results"
        ),
    ])
    func aKeySpelledInAnotherCaseIsRefused(_ json: String, _ path: String, _ expected: String) throws {
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(json.utf8), as: .trivy) }
        #expect(error.jsonPath == path, "\(error)")
        #expect(error.message.contains("Trivy's spelling \"\(expected)\""), "\(error)")
    }
}

/// `--as` reads a file detection does not recognise; it never reads a report of one format as
/// another, and a document without the forced format's own keys is refused: either would give no
/// findings, a clean pass.
@Suite struct ForcedFormatTests {
    @Test(arguments: [
        ("examples/trivy-fs.json", ReportFormat.zap, "the file is a trivy report, not zap"),
        ("examples/npm-audit.json", ReportFormat.trivy, "the file is a npm-audit report, not trivy"),
        ("examples/trivy-fs.json", ReportFormat.sarif, "the file is a trivy report, not sarif"),
    ])
    func aReportOfAnotherFormatIsRefused(_ fixture: String, _ format: ReportFormat, _ words: String) throws {
        let error = try #require(throws: ReportError.self) {
            try ReportReader().read(path: Corpus.fixture(fixture).path, as: format)
        }
        #expect(error.message.contains(words), "\(error)")
    }

    @Test(arguments: [
        (ReportFormat.zap, "not a ZAP JSON report"), (ReportFormat.trivy, "not a Trivy report"),
        (ReportFormat.npmAudit, "not an npm audit report"), (ReportFormat.sarif, "unsupported SARIF version"),
    ])
    func aDocumentWithoutTheFormatsKeysIsRefused(_ format: ReportFormat, _ words: String) throws {
        let error = try #require(throws: ReportError.self) {
            try Corpus.parse(bytes: Array(#"{"foo": 1}"#.utf8), as: format)
        }
        #expect(error.message.contains(words), "\(error)")
    }

    @Test func theSameFormatForcedReadsAsDetected() throws {
        let url = Corpus.fixture("examples/trivy-fs.json")
        #expect(
            try ReportReader().read(path: url.path, as: .trivy).findings == ReportReader().read(path: url.path).findings
        )
    }
}

/// Documents that no tool writes, or that say their tool produced nothing, are no clean scans.
@Suite struct AmbiguousAndEmptyReportTests {
    @Test(arguments: [
        (#"{"SchemaVersion": 2, "Results": [], "version": "2.1.0", "runs": []}"#, "several formats (trivy, sarif)"),
        (#"{"@version": "2.16", "site": [], "version": "2.1.0", "runs": []}"#, "several formats (zap, sarif)"),
        (#"{"SchemaVersion": 2, "advisories": {}}"#, "several formats (trivy, npm-audit)"),
        (#"{"advisories": {}, "vulnerabilities": {}}"#, "both npm 6 \"advisories\" and npm 7+ \"vulnerabilities\""),
        (
            #"{"advisories": {}, "metadata": {"vulnerabilities": {"low": 0, "critical": 5}}}"#,
            "metadata.vulnerabilities counts 5 but \"advisories\" is empty"
        ),
        (
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}}]}"#,
            "the run of lint has no \"results\""
        ),
        // What a broken step leaves: Trivy names what it scanned in every schema-2 report.
        (
            #"{"SchemaVersion": 2}"#,
            "names nothing it scanned (no \"ArtifactName\" nor \"ArtifactType\") and lists no result"
        ),
        (
            #"{"SchemaVersion": 2, "Results": []}"#,
            "names nothing it scanned (no \"ArtifactName\" nor \"ArtifactType\") and lists no result"
        ),
        // `jq -s` output: whole reports in a list, not legacy Trivy results.
        (#"[{"SchemaVersion": 2, "ArtifactName": ".", "Results": []}]"#, "a list holding a report"),
        (#"[{"@version": "2.16", "site": []}]"#, "a list holding a report (its first element has \"site\")"),
        (#"[{"auditReportVersion": 2, "vulnerabilities": {}}]"#, "a list holding a report"),
        (
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}, "results": null}]}"#,
            "the run of lint has no \"results\""
        ),
    ])
    func isRefused(_ json: String, _ words: String) throws {
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(json.utf8)) }
        #expect(error.message.contains(words), "\(error)")
    }

    @Test func anEmptyResultsListIsACleanScan() throws {
        let json = #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}, "results": []}]}"#
        #expect(try Corpus.parse(bytes: Array(json.utf8)).findings.isEmpty)
    }
}

/// A report saved as UTF-16 or UTF-32 (PowerShell's `>` writes UTF-16LE) is refused naming its
/// encoding, not as "invalid JSON at byte 0xff"; XML too.
@Suite struct WideEncodingTests {
    @Test(arguments: [
        ([0xFF, 0xFE] as [UInt8], "UTF-16LE"), ([0xFE, 0xFF], "UTF-16BE"), ([0xFF, 0xFE, 0x00, 0x00], "UTF-32LE"),
        ([0x00, 0x00, 0xFE, 0xFF], "UTF-32BE"),
    ])
    func isRefusedNamingTheEncoding(_ mark: [UInt8], _ encoding: String) throws {
        for body in [#"{"SchemaVersion": 2}"#, "<OWASPZAPReport/>"] {
            let bytes = mark + Array(body.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: bytes) }
            #expect(error.message.contains("the file is \(encoding)"), "\(error)")
        }
    }

    /// Without a byte order mark (what many Windows tools write) the NULs beside the first
    /// characters name the encoding (it was "invalid JSON: … found byte 0x0").
    @Test(arguments: ["UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"])
    func isRefusedNamingTheEncodingWithoutAByteOrderMark(_ encoding: String) throws {
        func encoded(_ text: String) -> [UInt8] {
            text.unicodeScalars.flatMap { scalar -> [UInt8] in
                let value = scalar.value
                switch encoding {
                case "UTF-16LE": return [UInt8(value & 0xFF), UInt8(value >> 8)]
                case "UTF-16BE": return [UInt8(value >> 8), UInt8(value & 0xFF)]
                case "UTF-32LE": return [UInt8(value & 0xFF), 0, 0, 0]
                default: return [0, 0, 0, UInt8(value & 0xFF)]
                }
            }
        }
        for body in [#"{"SchemaVersion": 2}"#, "<OWASPZAPReport/>"] {
            let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: encoded(body)) }
            #expect(
                error.message.contains("the file is \(encoding) (the NULs among its first bytes say so)"), "\(error)")
        }
    }
}

/// What a Trivy report says about its own limits reaches the user as a warning (and the gate's
/// decision): an end-of-life OS, failed checks counted but not listed.
@Suite("Trivy report warnings")
struct TrivyReportWarningTests {
    static func parse(_ json: String) throws -> ParsedReport {
        try Corpus.parse(bytes: Array(json.utf8), name: "inline.json", as: .trivy)
    }

    /// An `ArtifactType` Trivy does not write (`container-image`) is read as the source tree, as
    /// before, but said: it was silent, and an image's findings lost their image (found by a review).
    @Test func anUnknownArtifactTypeIsWarnedAbout() throws {
        let report = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "alpine:3.20", "ArtifactType": "container-image", "Results": [{"#
                + #""Target": "alpine:3.20 (alpine 3.20.1)", "Class": "os-pkgs", "Type": "alpine"}]}"#)
        #expect(
            report.warnings == [
                #"ArtifactType "container-image" is not one Trivy writes (container_image, vm, aws_account, "#
                    + "filesystem, repository, cyclonedx, spdx): its findings are read as the source tree's, with no image"
            ])
        for known in ["filesystem", "repository", "cyclonedx", "spdx"] {
            let clean = try Self.parse(
                #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "\#(known)", "Results": [{"#
                    + #""Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm"}]}"#)
            #expect(clean.warnings.isEmpty, "\(known): \(clean.warnings)")
        }
    }

    @Test func anEndOfLifeOSIsWarnedAbout() throws {
        let report = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "alpine:3.10", "ArtifactType": "container_image","#
                + #" "Metadata": {"OS": {"Family": "alpine", "Name": "3.10.9", "EOSL": true}}, "Results": [{"Target":"#
                + #" "alpine:3.10 (alpine 3.10.9)", "Class": "os-pkgs", "Type": "alpine"}]}"#)
        #expect(
            report.warnings == [
                "alpine:3.10 runs alpine 3.10.9, which has reached its end of life: its vendor publishes no more "
                    + "fixes or advisories, so vulnerabilities found since are missing from this scan"
            ])
        let supported = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "alpine:3.20", "ArtifactType": "container_image","#
                + #" "Metadata": {"OS": {"Family": "alpine", "Name": "3.20.1"}}, "Results": [{"Target":"#
                + #" "alpine:3.20 (alpine 3.20.1)", "Class": "os-pkgs", "Type": "alpine"}]}"#)
        #expect(supported.warnings.isEmpty)
    }

    /// Trivy's `alpine-39-skip` golden file: every file skipped, no OS, no `Results`. It read as a
    /// clean image without a word (found by a differential review of the corpus).
    @Test(arguments: [#""OS": {"Family": "none", "Name": ""}"#, #""OS": {}"#, #""Size": 1"#])
    func anImageWithNoOperatingSystemAndNoResultIsWarnedAbout(_ metadata: String) throws {
        let report = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image","#
                + #" "Metadata": {\#(metadata)}}"#)
        #expect(
            report.warnings == [
                "Trivy detected no operating system in app:1 and listed no result: nothing in it was scanned "
                    + "(skipped files or directories, an image without packages Trivy knows?). No finding here "
                    + "means nothing was checked"
            ])
        let withResult = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image","#
                + #" "Metadata": {\#(metadata)}, "Results": [{"Target": "app/go.sum", "Class": "lang-pkgs"}]}"#)
        #expect(withResult.warnings.isEmpty)
        // A clean source tree: older Trivy lists no lock file it found nothing in.
        let sourceTree = try Self.parse(#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem"}"#)
        #expect(sourceTree.warnings.isEmpty)
    }

    @Test(.enabled(if: Corpus.isAvailable))
    func endOfLifeCorpusImagesAreWarnedAbout() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("trivy/trivy__alpine-310.json"))
        #expect(report.warnings.contains { $0.contains("alpine 3.10.2, which has reached its end of life") })
    }

    @Test func failedChecksCountedButNotListedAreWarnedAbout() throws {
        let report = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"#
                + #""Target": "Dockerfile", "Class": "config", "MisconfSummary": {"Successes": 20, "Failures": 2},"#
                + #" "Misconfigurations": [{"ID": "DS002", "Title": "root user", "Severity": "HIGH", "Status": "FAIL"}]}]}"#
        )
        #expect(report.findings.count == 1)
        #expect(
            report.warnings.contains {
                $0.contains("MisconfSummary counts 2 failed checks for Dockerfile but 1 is listed")
            }, "\(report.warnings)")
        let complete = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"#
                + #""Target": "Dockerfile", "Class": "config", "MisconfSummary": {"Successes": 20, "Failures": 1},"#
                + #" "Misconfigurations": [{"ID": "DS002", "Title": "root user", "Severity": "HIGH", "Status": "FAIL"}]}]}"#
        )
        #expect(complete.warnings.isEmpty)
    }
}

/// Two clusters running the same workload: one finding (the fingerprint has no cluster in it, as
/// before clusters were read), whose locations say which cluster each is in.
@Suite("Trivy Kubernetes clusters")
struct TrivyKubernetesClusterTests {
    static func report(cluster: String) -> String {
        #"{"ClusterName": ""# + cluster + #"", "Resources": [{"Namespace": "default", "Kind": "Deployment","#
            + #" "Name": "api", "Results": [{"Target": "Deployment/api", "Class": "config","#
            + #" "Misconfigurations": [{"ID": "KSV001", "Title": "privileged", "Severity": "HIGH", "Status": "FAIL"}]}]}]}"#
    }

    @Test func theClusterIsNamedInTheLocationNotTheIdentity() throws {
        let east = try Corpus.parse(bytes: Array(Self.report(cluster: "prod-east").utf8), name: "east.json")
        let west = try Corpus.parse(bytes: Array(Self.report(cluster: "prod-west").utf8), name: "west.json")
        let merged = FindingSet(merging: east.findings + west.findings).all
        try #require(merged.count == 1)
        #expect(
            Set(merged[0].locations.compactMap(\.resource))
                == ["default/Deployment/api (cluster prod-east)", "default/Deployment/api (cluster prod-west)"])
        #expect(merged[0].identity.scope == "k8s:default/Deployment/api")
        let unnamed = try Corpus.parse(bytes: Array(Self.report(cluster: "").utf8), name: "unnamed.json")
        #expect(unnamed.findings.first?.locations.first?.resource == "default/Deployment/api")
        #expect(unnamed.findings.first?.fingerprint == merged[0].fingerprint)
    }
}

/// `trivy fs services/a` writes its targets relative to `services/a`: read as written, two
/// services' scans were one `package-lock.json` (a finding in the second known from a baseline
/// of the first; found by a review), and GitHub pointed at the repository root's file.
@Suite("Trivy scan roots")
struct TrivyScanRootTests {
    static func report(artifactType: String = "filesystem", name: String, target: String, type: String = "npm")
        throws -> ParsedReport
    {
        let text =
            #"{"SchemaVersion": 2, "ArtifactName": ""# + name + #"", "ArtifactType": ""# + artifactType
            + #"", "Results": [{"Target": ""# + target + #"", "Class": "lang-pkgs", "Type": ""# + type
            + #"", "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash","#
            + #" "InstalledVersion": "4.17.15", "Severity": "HIGH"}]}]}"#
        return try Corpus.parse(bytes: Array(text.utf8), name: "trivy.json")
    }

    static func path(_ report: ParsedReport) -> String? { report.findings.first?.locations.first?.path }

    @Test(
        arguments: [
            ("services/a", "package-lock.json", "services/a/package-lock.json"),
            ("./services/a/", "package-lock.json", "services/a/package-lock.json"),
            // A file scanned on its own names itself: its directory is the root.
            ("services/a/package-lock.json", "package-lock.json", "services/a/package-lock.json"),
            ("package-lock.json", "package-lock.json", "package-lock.json"),
            (".", "services/a/package-lock.json", "services/a/package-lock.json"),
            ("/github/workspace", "package-lock.json", "package-lock.json"),
            ("tofu/clusters/sandbox", "../../aws/package-lock.json", "tofu/aws/package-lock.json"),
        ])
    func targetsAreUnderTheScannedDirectory(_ name: String, _ target: String, _ expected: String) throws {
        let report = try Self.report(name: name, target: target)
        #expect(Self.path(report) == expected)
        #expect(report.findings.first?.package?.paths == [expected])
    }

    @Test func aRemoteRepositoryAndAnImageKeepTheirPaths() throws {
        let remote = try Self.report(
            artifactType: "repository", name: "https://github.com/acme/app", target: "package-lock.json")
        #expect(Self.path(remote) == "package-lock.json")
        let jar = try Self.report(name: "lib/app", target: "Java", type: "jar")
        #expect(jar.findings.first?.locations.first?.target == "Java")
    }

    static func report(name: String, results: String) throws -> ParsedReport {
        let text =
            #"{"SchemaVersion": 2, "ArtifactName": ""# + name + #"", "ArtifactType": "filesystem", "Results": ["#
            + results + "]}"
        return try Corpus.parse(bytes: Array(text.utf8), name: "trivy.json")
    }

    static let lodash =
        #""VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.15","#
        + #" "Severity": "HIGH""#

    /// The diff review's cases: a war scanned on its own (its jars are inside it), a directory
    /// holding a file of its own name (`trivy rootfs dist/server` with the binary `server`),
    /// names that are no path (`OS Packages`, an OS), and a name written on Windows.
    @Test func filesDirectoriesAndNamesThatAreNoPath() throws {
        let war = try Self.report(
            name: "deploy/helloworld.war",
            results: #"{"Target": "Java", "Class": "lang-pkgs", "Type": "jar", "Vulnerabilities": [{"#
                + #""VulnerabilityID": "CVE-2022-22965", "PkgName": "org.springframework:spring-beans","#
                + #" "InstalledVersion": "5.3.15", "PkgPath": "helloworld.war/WEB-INF/lib/spring-beans-5.3.15.jar","#
                + #" "Severity": "CRITICAL"}]}"#)
        #expect(Self.path(war) == "deploy/helloworld.war/WEB-INF/lib/spring-beans-5.3.15.jar")

        let rootfs = try Self.report(
            name: "dist/server",
            results: #"{"Target": "server", "Class": "lang-pkgs", "Type": "gobinary", "Vulnerabilities": [{"#
                + #""VulnerabilityID": "CVE-2023-0001", "PkgName": "stdlib", "InstalledVersion": "1.20.0","#
                + #" "Severity": "HIGH"}]}, {"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm","#
                + #" "Vulnerabilities": [{"# + Self.lodash + "}]}")
        #expect(
            Set(rootfs.findings.compactMap { $0.locations.first?.path })
                == ["dist/server/server", "dist/server/package-lock.json"])

        let licenses = try Self.report(
            name: "build/rootfs",
            results: #"{"Target": "OS Packages", "Class": "license", "Licenses": [{"Severity": "HIGH","#
                + #" "Category": "restricted", "PkgName": "musl", "Name": "GPL-2.0", "Confidence": 1}]}"#)
        #expect(licenses.findings.first?.locations.first?.target == "OS Packages")

        let windows = try Self.report(
            name: #"services\\payments"#,
            results: #"{"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [{"#
                + Self.lodash + "}]}")
        #expect(Self.path(windows) == "services/payments/package-lock.json")

        // The second diff review's: a license result's target is its lock file; a directory whose
        // files are all in a subdirectory of its name (`projects/mysite/mysite/…`); a jar of Trivy
        // 0.20, named by its path; a remote repository named without its scheme; a root file
        // system (an OS found), which Trivy names by its `/etc/hostname`.
        let license = try Self.report(
            name: "services/a",
            results: #"{"Target": "package-lock.json", "Class": "license", "Licenses": [{"Severity": "HIGH","#
                + #" "Category": "restricted", "PkgName": "x", "Name": "GPL-3.0", "Confidence": 1}]}"#)
        #expect(license.findings.first?.locations.first?.path == "services/a/package-lock.json")
        let django = try Self.report(
            name: "projects/mysite",
            results: #"{"Target": "mysite/package-lock.json", "Class": "lang-pkgs", "Type": "npm","#
                + #" "Vulnerabilities": [{"# + Self.lodash + "}]}")
        #expect(Self.path(django) == "projects/mysite/mysite/package-lock.json")
        let oldJar = try Self.report(
            name: "services/a",
            results: #"{"Target": "lib/commons-compress-1.14.jar", "Class": "lang-pkgs", "Type": "jar","#
                + #" "Vulnerabilities": [{"# + Self.lodash + "}]}")
        #expect(Self.path(oldJar) == "services/a/lib/commons-compress-1.14.jar")
        let remote = try Self.report(
            artifactType: "repository", name: "github.com/acme/app", target: "package-lock.json")
        #expect(Self.path(remote) == "package-lock.json")
        let rootfs2 = try Self.report(
            name: "buildkitsandbox",
            results: #"{"Target": "buildkitsandbox (alpine 3.18.0)", "Class": "os-pkgs", "Type": "alpine"}, "#
                + #"{"Target": "usr/local/bin/app", "Class": "lang-pkgs", "Type": "gobinary", "Vulnerabilities": [{"#
                + Self.lodash + "}]}")
        #expect(Self.path(rootfs2) == "usr/local/bin/app")
    }

    @Test func twoServicesScannedApartAreTwoPlaces() throws {
        let first = try Self.report(name: "services/a", target: "package-lock.json")
        let second = try Self.report(name: "services/payments", target: "package-lock.json")
        let merged = FindingSet(merging: first.findings + second.findings).all
        #expect(merged.count == 1)
        #expect(
            Set(merged.first?.locations.compactMap(\.path) ?? [])
                == ["services/a/package-lock.json", "services/payments/package-lock.json"])
        let baseline = ContinuityIndex(first.findings.map(FindingTrace.init))
        let now = try #require(merged.first)
        #expect(baseline.lookup(FindingTrace(now)) == .elsewhere(newPlaces: ["services/payments/package-lock.json"]))
    }
}

/// A report read under `--allow-incomplete` whose scan failed in part and found nothing: no
/// finding in it is no evidence, so it is judged as an empty scan (`empty-scans`); one that
/// found something shows its scan checked that.
@Suite("Incomplete reports without a finding")
struct IncompleteWithoutFindingTests {
    static func report(results: String) -> [UInt8] {
        Array(
            (#"{"ClusterName": "prod", "Resources": [{"Namespace": "default", "Kind": "Deployment", "Name": "a","#
                + #" "Error": "unable to pull image"}, {"Namespace": "default", "Kind": "Deployment", "Name": "b","#
                + #" "Results": "# + results + "}]}").utf8)
    }

    @Test func anIncompleteScanWithoutAFindingIsAnEmptyScan() throws {
        let reader = ReportReader(allowsIncompleteReports: true)
        let empty = try reader.parse(ReportSource(name: "k8s.json", bytes: Self.report(results: "[]")))
        #expect(
            empty.emptyScans.map(\.reason) == [
                "the scan is incomplete and lists no finding: nothing shows it checked anything"
            ])
        #expect(empty.unprovenScanTools == ["trivy"])
        let found = try reader.parse(
            ReportSource(
                name: "k8s.json",
                bytes: Self.report(
                    results: #"[{"Target": "Deployment/b", "Class": "config", "Misconfigurations": [{"ID": "KSV001","#
                        + #" "Title": "privileged", "Severity": "HIGH", "Status": "FAIL"}]}]"#)))
        #expect(found.findings.count == 1)
        #expect(found.emptyScans.isEmpty)
    }
}

/// What a Trivy report looked at, for telling a finding gone from one nobody looked for: each
/// image, Kubernetes resource or source tree it scanned, with findings or none.
@Suite("Trivy scan coverage")
struct TrivyCoverageTests {
    /// Every resource of a cluster scan counts as scanned, and so does a workload's image found
    /// clean (a review found a resource's misconfigurations called fixed when no cluster was
    /// scanned this time, since any Trivy report counted).
    @Test func aKubernetesWorkloadImageFoundCleanCountsAsScanned() throws {
        let report = try Corpus.parse(
            bytes: Array(
                (#"{"ClusterName": "prod", "Resources": [{"Namespace": "default", "Kind": "Deployment", "Name": "api","#
                    + #" "Results": [{"Target": "registry.example.test/api:1.0 (alpine 3.19.1)", "Class": "os-pkgs","#
                    + #" "Type": "alpine"}]}, {"Namespace": "default", "Kind": "Deployment", "Name": "web", "Results":"#
                    + #" [{"Target": "Deployment/web", "Class": "config", "Misconfigurations": [{"ID": "KSV001","#
                    + #" "Title": "privileged", "Severity": "HIGH", "Status": "FAIL"}]}]}]}"#).utf8),
            name: "cluster.json")
        #expect(report.findings.count == 1)
        #expect(
            report.coverage
                == RunCoverage(
                    tools: ["trivy"],
                    scanning: [
                        "image:registry.example.test/api", "k8s:default/Deployment/api", "k8s:default/Deployment/web",
                    ]))
        // A filesystem scan with no result scanned the source tree, not the cluster.
        let tree = try Corpus.parse(
            bytes: Array(#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem"}"#.utf8),
            name: "fs.json")
        #expect(tree.coverage == RunCoverage(tools: ["trivy"], scanning: ["source"]))
        #expect(!tree.coverage.looked(tools: ["trivy"], scope: "k8s:default/Deployment/web"))
        #expect(tree.coverage.looked(tools: ["trivy"], scope: "source"))
        #expect(!tree.coverage.looked(tools: ["npm-audit"], scope: "source"))
    }

    /// `trivy image debian` (no tag) wrote the OS result's target as `debian (debian 10.8)`: the
    /// image, not the source tree (found by a review, in the corpus's legacy list); a lock file
    /// beside it is in that image.
    @Test func aBareImageNameInALegacyOSResultIsTheImage() throws {
        let report = try Corpus.parse(
            bytes: Array(
                (#"[{"Target": "debian (debian 10.8)", "Type": "debian", "Vulnerabilities": [{"VulnerabilityID":"#
                    + #" "CVE-2021-3449", "PkgName": "openssl", "InstalledVersion": "1.1.1d-0+deb10u4", "Severity":"#
                    + #" "MEDIUM"}]}, {"Target": "app/Gemfile.lock", "Type": "bundler", "Vulnerabilities": [{"#
                    + #""VulnerabilityID": "CVE-2020-8165", "PkgName": "activesupport", "InstalledVersion": "6.0.0","#
                    + #" "Severity": "CRITICAL"}]}]"#).utf8),
            name: "legacy.json")
        #expect(
            report.findings.map(\.identity.scope) == [
                "image:docker.io/library/debian", "image:docker.io/library/debian",
            ])
        #expect(report.coverage.scopesByTool == ["trivy": ["image:docker.io/library/debian"]])
    }

    @Test func aScanThatCheckedNothingLooksAtNothing() throws {
        let report = try Corpus.parse(
            bytes: Array(
                (#"{"SchemaVersion": 2, "ArtifactName": "alpine:3.19", "ArtifactType": "container_image","#
                    + #" "Metadata": {"OS": {"Family": "alpine", "Name": "3.19.1"}}}"#).utf8),
            name: "empty.json")
        #expect(report.checkedNothing != nil)
        #expect(report.coverage == RunCoverage(tools: [], scopesByTool: [:]))
        #expect(!report.coverage.looked(tools: ["trivy"], scope: "image:docker.io/library/alpine"))
    }
}

/// The image a Trivy image report scanned, as the release gate matches it: every corpus report
/// against an independent reading of its `Metadata`.
@Suite("Trivy scanned images")
struct TrivyScannedImageTests {
    @Test(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
    func everyImageReportNamesTheImageItScanned() throws {
        var images = 0
        for url in Corpus.files(in: "trivy") where url.pathExtension == "json" {
            guard let report = try? Corpus.parse(url) else { continue }  // refusals are tested elsewhere
            let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed])
            let root = raw as? [String: Any]
            let metadata = root?["Metadata"] as? [String: Any]
            // An image with no result scanned nothing: Trivy found no OS and no package, or did not
            // look at the OS packages it found; so is one whose OS has no result (a license scan).
            let results = root?["Results"] as? [[String: Any]] ?? []
            let osFamily = (metadata?["OS"] as? [String: Any])?["Family"] as? String ?? ""
            let classes = Set(results.compactMap { $0["Class"] as? String })
            let packagesUnscanned =
                !osFamily.isEmpty && osFamily != "none"
                ? !classes.contains("os-pkgs") : classes.isDisjoint(with: ["os-pkgs", "lang-pkgs"])
            let scannedNothing = results.isEmpty || packagesUnscanned
            guard root?["ArtifactType"] as? String == "container_image", root?["ClusterName"] == nil, !scannedNothing
            else {
                #expect(report.scannedImages.isEmpty, "\(url.lastPathComponent)")
                continue
            }
            images += 1
            let digests = (metadata?["RepoDigests"] as? [String] ?? []).compactMap { $0.split(separator: "@").last }
                .map { $0.lowercased() }
            let scanned = try #require(report.scannedImages.first, "\(url.lastPathComponent)")
            #expect(report.scannedImages.count == 1)
            #expect(scanned.report == url.path)
            #expect(scanned.name == root?["ArtifactName"] as? String ?? "")
            #expect(scanned.manifestDigests == digests, "\(url.lastPathComponent)")
            #expect(scanned.configDigest == (metadata?["ImageID"] as? String)?.lowercased(), "\(url.lastPathComponent)")
        }
        #expect(images >= 10)
    }

    @Test func aRepositoryDigestIsReadOnlyWhenItIsOne() {
        #expect(
            ScannedImage.digest(ofRepositoryDigest: "ghcr.io/a/b@SHA256:" + String(repeating: "A", count: 64))
                == "sha256:" + String(repeating: "a", count: 64))
        #expect(ScannedImage.digest(ofRepositoryDigest: "ghcr.io/a/b:1.0") == nil)
        #expect(ScannedImage.digest(ofRepositoryDigest: "ghcr.io/a/b@sha256:abc") == nil)
        #expect(
            ScannedImage.digest(ofRepositoryDigest: "ghcr.io/a/b@sha512:" + String(repeating: "a", count: 128)) == nil)
    }
}
