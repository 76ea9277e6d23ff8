import Findings
import Testing

@Suite("Findings model")
struct FindingsTests {
    private func vulnerability(
        _ id: String, aliases: [String] = [], package: String, version: String, tool: String,
        severity: Severity = .high, scope: String = FindingIdentity.sourceScope, suppressed: Bool = false
    ) -> Finding {
        Finding(
            kind: .vulnerability, ruleID: id, aliases: aliases, title: "\(id) in \(package)",
            ratings: [SeverityRating(source: tool, severity: severity, label: severity.rawValue, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: package, installedVersion: version.isEmpty ? nil : version),
            provenance: [Provenance(tool: tool, reportFile: "\(tool).json", rawID: id)],
            suppression: suppressed ? Suppression(source: ".trivyignore", status: "ignored") : nil,
            identity: FindingIdentity(kind: .vulnerability, scope: scope, subject: ["npm", package, version])
        ).finalized()
    }

    @Test func severityOrderAndLabels() {
        #expect(Severity.descending == Severity.allCases.sorted(by: >))
        #expect(Severity.critical > Severity.high && Severity.info > Severity.unknown)
        #expect(Severity(label: "moderate") == .medium)
        #expect(Severity(label: "CRITICAL") == .critical)
        #expect(Severity(label: "bogus") == nil)
        #expect(Severity(cvssScore: 9.0) == .critical)
        #expect(Severity(cvssScore: 8.9) == .high)
        #expect(Severity(cvssScore: 4.0) == .medium)
        #expect(Severity(cvssScore: 0.1) == .low)
        #expect(Severity(cvssScore: 0) == .info)
    }

    @Test func resolutionPrefersToolVerdictsThenCVSSInAuthorityOrder() {
        let unknownVerdict = SeverityRating(source: "trivy", severity: .unknown, label: "UNKNOWN", isToolVerdict: true)
        let nvd = SeverityRating(source: "nvd", severity: nil, cvss: [CVSSScore(version: .v3, vector: nil, score: 9.8)])
        let ghsa = SeverityRating(
            source: "ghsa", severity: nil, cvss: [CVSSScore(version: .v3, vector: nil, score: 5.0)])
        #expect(SeverityResolver.resolve([unknownVerdict, ghsa, nvd]) == .critical)
        #expect(SeverityResolver.resolve([unknownVerdict, ghsa]) == .medium)
        #expect(SeverityResolver.resolve([unknownVerdict]) == .unknown)
        let low = SeverityRating(source: "trivy", severity: .low, isToolVerdict: true)
        #expect(SeverityResolver.resolve([low, nvd]) == .low)
        let high = SeverityRating(source: "npm-audit", severity: .high, isToolVerdict: true)
        #expect(SeverityResolver.resolve([low, high]) == .high)
    }

    @Test func identifiersAreNormalisedAndFoundInReferences() {
        #expect(Identifiers.normalize("cve-2021-23337") == "CVE-2021-23337")
        #expect(Identifiers.normalize("ghsa-35JH-r3h4-6jhm") == "GHSA-35jh-r3h4-6jhm")
        #expect(
            Identifiers.ids(inReference: "https://github.com/advisories/GHSA-35jh-r3h4-6jhm") == ["GHSA-35jh-r3h4-6jhm"]
        )
        #expect(Identifiers.ids(inReference: "https://nvd.nist.gov/vuln/detail/CVE-2021-23337") == ["CVE-2021-23337"])
        #expect(Identifiers.ids(inReference: "https://www.npmjs.com/advisories/1523") == ["npm:1523"])
        #expect(Identifiers.ids(inReference: "https://lists.example.org/thread/CVE-2020-1111").isEmpty)
        // Any case in the URL; ids come out in their normal case.
        #expect(
            Identifiers.ids(inReference: "HTTPS://GITHUB.COM/acme/x/security/Advisories/GHSA-35JH-R3H4-6JHM")
                == ["GHSA-35jh-r3h4-6jhm"])
        #expect(
            Identifiers.ids(inReference: "https://cve.mitre.org/cgi-bin/cvename.cgi?name=cve-2021-44906") == [
                "CVE-2021-44906"
            ])
        #expect(Identifiers.ids(inReference: "https://www.cve.org/CVERecord?id=CVE-2024-0001x").isEmpty)
        #expect(Identifiers.ids(inReference: "https://github.com/advisories/GHSA-35jh-r3h4").isEmpty)
        #expect(Identifiers.cwe("external/cwe/cwe-079") == "CWE-79")
        #expect(Identifiers.cwe("NVD-CWE-Other") == nil)
        #expect(Identifiers.cwe("CWE-") == nil)
        #expect(Identifiers.cwe("-1") == nil)
        #expect(Identifiers.cwe("cwe-0") == nil)
        #expect(Identifiers.cwe(" 79 ") == "CWE-79")
        #expect(Identifiers.cwe("CWE-352: Cross-Site Request Forgery") == "CWE-352")
        #expect(Identifiers.cwe("NVD-CWE-noinfo") == nil)
        #expect(Identifiers.isCVE("CVE-2021-23337") && Identifiers.isCVE("CVE-2021-1234567"))
        #expect(
            !Identifiers.isCVE("CVE-2021-123") && !Identifiers.isCVE("CVE-21-12345")
                && !Identifiers.isCVE("CVE-2021-1234-x"))
        #expect(Identifiers.isGHSA("GHSA-35jh-r3h4-6jhm") && !Identifiers.isGHSA("GHSA-35jh-r3h4-6jh"))
        #expect(!Identifiers.isGHSA("GHSA-35jh-r3h4-6jh-"))
        #expect(
            Identifiers.preferredPrimary(["GHSA-35jh-r3h4-6jhm", "CVE-2021-23337"], fallback: "x") == "CVE-2021-23337")
    }

    @Test func idRecognitionAgreesWithThePatternsOnEveryOneByteChange() throws {
        let cve = try Regex("CVE-[0-9]{4}-[0-9]{4,}")
        let ghsa = try Regex("GHSA-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}")
        // Every single-byte replacement, deletion and insertion of two valid ids, with bytes that
        // matter to the checks (digits, letters, dash, other ASCII, a multi-byte character).
        let alphabet = ["0", "9", "a", "Z", "-", "_", " ", "é"]
        for valid in ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"] {
            var variants = [valid]
            let characters = Array(valid)
            for index in characters.indices {
                var deleted = characters
                deleted.remove(at: index)
                variants.append(String(deleted))
                for replacement in alphabet {
                    var replaced = characters
                    replaced[index] = Character(replacement)
                    variants.append(String(replaced))
                    var inserted = characters
                    inserted.insert(Character(replacement), at: index)
                    variants.append(String(inserted))
                }
            }
            for text in variants {
                #expect(Identifiers.isCVE(text) == (text.wholeMatch(of: cve) != nil), "\(text)")
                #expect(Identifiers.isGHSA(text) == (text.wholeMatch(of: ghsa) != nil), "\(text)")
            }
        }
    }

    @Test func sameVulnerabilityFromTwoToolsIsOneFindingWithBothSources() {
        let trivy = vulnerability(
            "CVE-2021-23337", aliases: ["GHSA-35jh-r3h4-6jhm"], package: "lodash", version: "4.17.15", tool: "trivy")
        let npm = vulnerability("GHSA-35jh-r3h4-6jhm", package: "lodash", version: "", tool: "npm-audit")
        let set = FindingSet(merging: [trivy, npm])
        #expect(set.all.count == 1)
        let merged = set.all[0]
        #expect(merged.ruleID == "CVE-2021-23337")
        #expect(merged.aliases.contains("GHSA-35jh-r3h4-6jhm"))
        #expect(Set(merged.provenance.map(\.tool)) == ["trivy", "npm-audit"])
        // The merged finding keeps the identity of the versioned one: its fingerprint is Trivy's.
        #expect(merged.fingerprint == trivy.fingerprint)
        // Order of input does not matter.
        #expect(FindingSet(merging: [npm, trivy]).all.map(\.fingerprint) == set.all.map(\.fingerprint))
    }

    /// The same vulnerability in two reports of one tool that say different things (another
    /// database: title, status, ratings): the merged finding takes the same values whatever the
    /// report files are named. By file name first, swapping two reports' names swapped the
    /// title, status and SARIF rule text of the merged finding.
    @Test func whatAMergedFindingSaysDoesNotDependOnReportFileNames() {
        func read(from file: String, title: String, status: String, severity: Severity) -> Finding {
            var finding = vulnerability("CVE-2021-23337", package: "lodash", version: "4.17.15", tool: "trivy")
            finding.title = title
            finding.status = status
            finding.ratings = [
                SeverityRating(source: "trivy", severity: severity, label: severity.rawValue, isToolVerdict: true)
            ]
            finding.provenance = [Provenance(tool: "trivy", reportFile: file, rawID: "CVE-2021-23337")]
            return finding.finalized()
        }
        func merged(_ first: String, _ second: String) -> Finding? {
            FindingSet(merging: [
                read(from: first, title: "lodash: command injection", status: "fixed", severity: .high),
                read(from: second, title: "Command injection in lodash", status: "affected", severity: .critical),
            ]).all.first
        }
        let named = merged("a.json", "b.json")
        let swapped = merged("b.json", "a.json")
        #expect(named?.title == "Command injection in lodash")
        #expect(swapped?.title == named?.title)
        #expect(swapped?.status == named?.status)
        #expect(swapped?.ratings == named?.ratings)
        #expect(swapped?.provenance.map(\.reportFile) == ["a.json", "b.json"])
    }

    /// A finding that matches two baseline findings by two ids, each missing a place: the one
    /// reported is the same in every run (by sorted id). Found through a `Set` of ids, it
    /// followed the process's hash seed, and the gate's note changed between identical runs.
    @Test func theBaselineMatchReportedDoesNotDependOnTheHashSeed() {
        func trace(_ fingerprint: String, ids: [String], places: [String]) -> FindingTrace {
            FindingTrace(
                fingerprint: fingerprint, kind: "vulnerability", scope: FindingIdentity.sourceScope, ecosystem: "npm",
                packageName: "lodash", installedVersion: "4.17.15", ids: ids, places: places)
        }
        let index = ContinuityIndex([
            trace("f1", ids: ["GHSA-35jh-r3h4-6jhm"], places: ["a/package-lock.json"]),
            trace("f2", ids: ["GHSA-29mw-wpgm-hmr9"], places: ["b/package-lock.json"]),
        ])
        // Ids in several orders and spellings: every one gives the same answer.
        for ids in [
            ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9"],
            ["CVE-2021-23337", "GHSA-29mw-wpgm-hmr9", "ghsa-35jh-r3h4-6jhm"],
            ["ghsa-35JH-r3h4-6jhm", "CVE-2021-23337", "GHSA-29MW-wpgm-hmr9"],
        ] {
            let now = trace(
                "f3", ids: ids, places: ["a/package-lock.json", "b/package-lock.json", "c/package-lock.json"])
            #expect(index.lookup(now) == .elsewhere(newPlaces: ["a/package-lock.json", "c/package-lock.json"]))
        }
    }

    /// A baseline of Trivy's CVE-2021-23337 in lodash 4.17.15 (before Trivy named its GHSA) and
    /// npm audit's GHSA-35jh (no version, no file): lodash 4.17.4 in another file, now found by
    /// Trivy under both ids, is new. Through npm's entry it was known, whatever its version and
    /// file (found by a review). Without a versioned trace of its ids, npm's entry still holds.
    @Test func aBaselineEntryWithoutAVersionDoesNotVouchForVersionsTrivyHadNot() {
        func trace(_ fingerprint: String, ids: [String], version: String?, places: [String]?) -> FindingTrace {
            FindingTrace(
                fingerprint: fingerprint, kind: "vulnerability", scope: FindingIdentity.sourceScope, ecosystem: "npm",
                packageName: "lodash", installedVersion: version, ids: ids, places: places,
                reportedCVEs: ids.contains("CVE-2021-23337") ? ["CVE-2021-23337"] : [])
        }
        let index = ContinuityIndex([
            trace("trivy", ids: ["CVE-2021-23337"], version: "4.17.15", places: ["services/a/package-lock.json"]),
            trace("npm", ids: ["GHSA-35jh-r3h4-6jhm"], version: nil, places: nil),
        ])
        let elsewhere = trace(
            "new", ids: ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"], version: "4.17.4",
            places: ["services/payments/package-lock.json"])
        #expect(index.lookup(elsewhere) == .absent)
        let same = trace(
            "again", ids: ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"], version: "4.17.15",
            places: ["services/a/package-lock.json"])
        #expect(index.lookup(same) == .present)
        // npm audit alone in the baseline: its entry stands for the versions that run had.
        let npmOnly = ContinuityIndex([trace("npm", ids: ["GHSA-35jh-r3h4-6jhm"], version: nil, places: nil)])
        #expect(npmOnly.lookup(elsewhere) == .present)
        // Trivy's traces of another advisory of the package do not say which versions the earlier
        // run had (Trivy lists vulnerable ones only; its database caught up since): npm's entry
        // of an advisory Trivy did not name then still stands for the finding now (a run of the
        // same tree failed on what main already had; found by the diff review).
        let otherAdvisory = ContinuityIndex([
            trace("trivy", ids: ["CVE-2021-23337"], version: "4.17.15", places: ["package-lock.json"]),
            trace("npm", ids: ["GHSA-p6mc-m468-83gw"], version: nil, places: nil),
        ])
        let caughtUp = trace(
            "p", ids: ["CVE-2020-8203", "GHSA-p6mc-m468-83gw"], version: "4.17.10", places: ["package-lock.json"])
        #expect(otherAdvisory.lookup(caughtUp) == .present)
    }

    /// A package found under many paths by several sources: its paths and fixed versions are
    /// every source's, sorted, each once (gathered, then sorted once for the group: sorting at
    /// every step was quadratic in a package found in thousands of targets).
    @Test func mergedPackagesKeepEveryPathAndFixedVersionOnce() {
        func found(_ paths: [String], fixed: [String], tool: String) -> Finding {
            var finding = vulnerability("CVE-2021-23337", package: "lodash", version: "4.17.15", tool: tool)
            finding.package?.paths = paths
            finding.package?.fixedVersions = fixed
            return finding
        }
        let merged = FindingSet(merging: [
            found(["b/package-lock.json", "a/package-lock.json"], fixed: ["4.17.21"], tool: "trivy"),
            found(["c/package-lock.json", "a/package-lock.json"], fixed: ["4.17.21", "4.17.20"], tool: "npm-audit"),
            found(["b/package-lock.json"], fixed: [], tool: "osv"),
        ]).all
        #expect(merged.count == 1)
        #expect(merged.first?.package?.paths == ["a/package-lock.json", "b/package-lock.json", "c/package-lock.json"])
        #expect(merged.first?.package?.fixedVersions == ["4.17.20", "4.17.21"])
    }

    @Test func sameCVEInTwoPackagesOrVersionsStaysApart() {
        let a = vulnerability("CVE-2021-23337", package: "lodash", version: "4.17.15", tool: "trivy")
        let b = vulnerability("CVE-2021-23337", package: "lodash-es", version: "4.17.15", tool: "trivy")
        let c = vulnerability("CVE-2021-23337", package: "lodash", version: "4.17.19", tool: "trivy")
        #expect(FindingSet(merging: [a, b, c]).all.count == 3)
        // A finding without a version that matches two versions is ambiguous: it stays apart.
        let unversioned = vulnerability("CVE-2021-23337", package: "lodash", version: "", tool: "npm-audit")
        #expect(FindingSet(merging: [a, c, unversioned]).all.count == 3)
    }

    @Test func sameFindingInTwoImagesStaysApart() {
        let a = vulnerability("CVE-1", package: "openssl", version: "1", tool: "trivy", scope: "image:a")
        let b = vulnerability("CVE-1", package: "openssl", version: "1", tool: "trivy", scope: "image:b")
        #expect(FindingSet(merging: [a, b]).all.count == 2)
    }

    @Test func openWinsOverSuppressedWhenMerging() {
        let suppressed = vulnerability("CVE-2020-1", package: "x", version: "1", tool: "trivy", suppressed: true)
        let open = vulnerability("CVE-2020-1", package: "x", version: "1", tool: "grype")
        let set = FindingSet(merging: [suppressed, open])
        #expect(set.open.count == 1 && set.suppressed.isEmpty)
        #expect(FindingSet(merging: [suppressed]).suppressed.count == 1)
    }

    @Test func fingerprintIgnoresLinesTagsDigestsAndReportFiles() {
        func secret(line: Int, tag: String, report: String) -> Finding {
            Finding(
                kind: .secret, ruleID: "aws-access-key-id", title: "AWS key",
                locations: [
                    Location(
                        image: ImageReference(repository: "ghcr.io/acme/api", tag: tag, digest: "sha256:\(tag)"),
                        path: "app/.env", startLine: line)
                ],
                provenance: [Provenance(tool: "trivy", reportFile: report, rawID: "aws-access-key-id")],
                identity: FindingIdentity(
                    kind: .secret, scope: "image:ghcr.io/acme/api", subject: ["app/.env", "KEY=***"])
            ).finalized()
        }
        let first = secret(line: 3, tag: "v1", report: "a.json")
        let second = secret(line: 30, tag: "v2", report: "b.json")
        #expect(first.fingerprint == second.fingerprint)
        #expect(first.fingerprint.count == 64)
        #expect(ImageReference(parsing: "localhost:5000/app:1.2@sha256:ab").repository == "localhost:5000/app")
        #expect(ImageReference(parsing: "localhost:5000/app:1.2@sha256:ab").tag == "1.2")
        #expect(ImageReference(parsing: "localhost:5000/app").tag == nil)
    }

    /// A NUL inside a field (JSON allows `\u0000`) cannot shift text from one field to the next:
    /// package `evil\0` version `1.0` and package `evil` version `\01.0` had one fingerprint, so
    /// the reports showed one verdict for both and a baseline holding one passed the other as
    /// known (found by a review). Fields without NUL hash as they always did: baselines and
    /// GitHub alerts keep their fingerprints.
    @Test func aNULInAFieldCannotMakeTwoIdentitiesOneFingerprint() {
        func identity(_ subject: [String]) -> FindingIdentity {
            FindingIdentity(kind: .vulnerability, scope: "source", primaryID: "CVE-2099-0001", subject: subject)
        }
        let shifted = [
            ["npm", "evil\0", "1.0"], ["npm", "evil", "\01.0"], ["npm", "evil\01.0"], ["npm", "evil", "", "1.0"],
            ["npm", "evil\u{1}0", "1.0"], ["npm", "evil\u{1}", "01.0"],
        ]
        let fingerprints = shifted.map { Fingerprint.compute(identity($0)) }
        #expect(Set(fingerprints).count == shifted.count, "\(fingerprints)")
        // The documented material for plain fields: the version, then each field after a NUL.
        let plain = Fingerprint.compute(identity(["npm", "evil", "1.0"]))
        let material = "scangate/v1\0vulnerability\0source\0CVE-2099-0001\0npm\0evil\01.0"
        #expect(plain == Fingerprint.sha256Hex(Array(material.utf8)))
    }

    /// An image is one image however the pipeline spells it: Docker Hub's names are one, so a
    /// scan of `alpine:3.10` and one of `docker.io/library/alpine:3.10` give the same findings
    /// (a review found every alert closed and reopened by a change of spelling).
    @Test(arguments: [
        ("alpine", "docker.io/library/alpine"), ("library/alpine", "docker.io/library/alpine"),
        ("docker.io/library/alpine", "docker.io/library/alpine"),
        ("index.docker.io/library/alpine", "docker.io/library/alpine"),
        ("registry-1.docker.io/alpine", "docker.io/library/alpine"),
        ("knqyf263/vuln-image", "docker.io/knqyf263/vuln-image"),
        ("Docker.io/KNQYF263/vuln-image", "docker.io/knqyf263/vuln-image"), ("ghcr.io/acme/api", "ghcr.io/acme/api"),
        ("localhost:5000/app", "localhost:5000/app"), ("localhost/app", "localhost/app"),
        ("images/alpine-310.tar.gz", "images/alpine-310.tar.gz"), ("/tmp/app.tar", "/tmp/app.tar"),
    ])
    func anImageHasOneCanonicalRepository(_ written: String, _ canonical: String) {
        let id = "sha256:" + String(repeating: "ab", count: 32)
        // An id is no repository: it stays as it is (and is not repository `sha256`, tag the id).
        #expect(ImageReference(parsing: id).repository == id && ImageReference(parsing: id).canonicalRepository == id)
        #expect(ImageReference(parsing: written + ":3.10").canonicalRepository == canonical)
        #expect(FindingIdentity.imageScope(ImageReference(parsing: written)) == "image:" + canonical)
    }
}

@Suite struct FinalizedListTests {
    /// Provenance orders by tool, file and id with an absent version read as empty: two sources
    /// that differ only there tie, and a repeat of either must still be dropped.
    @Test func repeatedSourcesAreKeptOnceEvenWhenTheOrderTies() {
        let withoutVersion = Provenance(tool: "trivy", reportFile: "a.json", rawID: "CVE-2024-1")
        let emptyVersion = Provenance(tool: "trivy", toolVersion: "", reportFile: "a.json", rawID: "CVE-2024-1")
        let other = Provenance(tool: "npm-audit", reportFile: "b.json", rawID: "GHSA-xxxx")
        let finding = Finding(
            kind: .codeIssue, ruleID: "R1", title: "t",
            ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
            references: ["https://b.example", "", "https://a.example", "https://b.example"],
            provenance: [withoutVersion, other, emptyVersion, withoutVersion, emptyVersion, other],
            identity: FindingIdentity(kind: .codeIssue, scope: "source", subject: ["x"])
        ).finalized()
        #expect(finding.provenance.count == 3)
        #expect(Set(finding.provenance) == [withoutVersion, emptyVersion, other])
        #expect(finding.provenance.first == other)
        #expect(finding.references == ["https://a.example", "https://b.example"])
    }
}

@Suite struct FindingOrderTests {
    @Test func idsCompareTheirNumbersAsNumbers() {
        let listed = [
            "CVE-2014-99999", "CVE-2015-0001", "CVE-2015-2133", "CVE-2015-10235", "CVE-2016-1", "GHSA-2", "GHSA-10",
            "R0", "R00", "R01", "R1", "R1a", "R1b", "R2", "R9-x", "R10", "R10-x", "Ra", "r\u{E9}gle2", "r\u{E9}gle10",
        ]
        for (position, id) in listed.enumerated() {
            for (otherPosition, other) in listed.enumerated() {
                #expect(
                    Identifiers.precedesInIDOrder(id, other) == (position < otherPosition), "\(id) before \(other)")
            }
        }
        // The key respects String equality: canonically equivalent ids share it.
        #expect(Identifiers.idOrderKey("r\u{E9}gle10") == Identifiers.idOrderKey("re\u{301}gle10"))
        #expect(!Identifiers.precedesInIDOrder("r\u{E9}gle", "re\u{301}gle"))
        #expect(!Identifiers.precedesInIDOrder("re\u{301}gle", "r\u{E9}gle"))
    }

    /// The set's order compares severity, kind and ids through shortcuts (a number for severity
    /// and kind, the first eight bytes of the id's order key); it must be the order
    /// `Identifiers.precedesInIDOrder` gives, for ids that share a prefix, differ after eight
    /// bytes, hold NUL, differ in their numbers, or are not ASCII (`é` written precomposed and
    /// decomposed is one id to String comparison).
    @Test func setOrderIsSeverityThenKindThenIDThenFingerprint() {
        let ids = [
            "CVE-2021-1", "CVE-2021-10", "CVE-2021-2", "CVE-20", "CVE-2021-10000", "Zulu", "zeta", "rule", "rule\u{0}x",
            "r\u{E9}gle", "re\u{301}gle", "r\u{E9}glement", "\u{1F600}-emoji", "a", "abcdefgh", "abcdefgi", "abcdefghA",
            "R9", "R10", "R010", "abcdefg9", "abcdefg10", "abcdefg10x",
        ]
        let kinds: [FindingKind] = [.codeIssue, .webAlert, .vulnerability, .secret]
        var findings: [Finding] = []
        for (position, id) in ids.enumerated() {
            for (offset, kind) in kinds.enumerated() where (position + offset) % 2 == 0 {
                let severity = Severity.allCases[(position * 7 + offset) % Severity.allCases.count]
                findings.append(
                    Finding(
                        kind: kind, ruleID: id, title: id,
                        ratings: [SeverityRating(source: "t", severity: severity, isToolVerdict: true)],
                        provenance: [Provenance(tool: "t", reportFile: "t.json", rawID: id)],
                        identity: FindingIdentity(kind: kind, scope: "source", subject: [id, "\(offset)"])
                    ).finalized())
            }
        }
        // Canonically equivalent ids at one severity and kind (different subjects, so they do not
        // merge): String order ties them, so the fingerprints decide (their bytes would put every
        // decomposed one first).
        for variant in 0..<6 {
            for (form, id) in ["r\u{E9}gle", "re\u{301}gle"].enumerated() {
                findings.append(
                    Finding(
                        kind: .codeIssue, ruleID: id, title: id,
                        ratings: [SeverityRating(source: "t", severity: .medium, isToolVerdict: true)],
                        provenance: [Provenance(tool: "t", reportFile: "t.json", rawID: id)],
                        identity: FindingIdentity(
                            kind: .codeIssue, scope: "source", subject: [id, "v\(variant)", "form \(form)"])
                    ).finalized())
            }
        }
        let expected = findings.sorted { lhs, rhs in
            if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
            if lhs.kind != rhs.kind {
                let order = FindingKind.allCases
                return order.firstIndex(of: lhs.kind) ?? -1 < order.firstIndex(of: rhs.kind) ?? -1
            }
            if lhs.ruleID != rhs.ruleID { return Identifiers.precedesInIDOrder(lhs.ruleID, rhs.ruleID) }
            return lhs.fingerprint < rhs.fingerprint
        }
        #expect(FindingSet(merging: findings.reversed()).all.map(\.fingerprint) == expected.map(\.fingerprint))
        #expect(FindingKind.allCases.map(\.position) == Array(FindingKind.allCases.indices))
    }
}

@Suite struct ReferenceAliasTests {
    private static let cveRecord = "https://cve.mitre.org/cgi-bin/cvename.cgi?name="
    private static let advisory = "https://github.com/advisories/"

    @Test func aReferenceAddsTheOneIDOfAKindTheToolDidNotGive() {
        let references = [
            Self.advisory + "GHSA-35jh-r3h4-6jhm", "https://nvd.nist.gov/vuln/detail/CVE-2021-23337",
            Self.advisory + "GHSA-35jh-r3h4-6jhm", "https://example.com/blog/CVE-2020-1",
        ]
        #expect(
            Identifiers.aliases(inReferences: references, besides: ["npm:1094102"])
                == ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"])
    }

    @Test func aKindTheToolGaveIsNotAddedAgain() {
        // Trivy's curl CVE-2023-46218 links the record of the older CVE-2023-28322.
        let references = [Self.cveRecord + "CVE-2023-28322", Self.advisory + "GHSA-35jh-r3h4-6jhm"]
        #expect(
            Identifiers.aliases(inReferences: references, besides: ["CVE-2023-46218"]) == ["GHSA-35jh-r3h4-6jhm"])
        #expect(Identifiers.aliases(inReferences: references, besides: ["ghsa-35JH-r3h4-6jhm"]).isEmpty == false)
        #expect(
            Identifiers.aliases(inReferences: references, besides: ["ghsa-35JH-r3h4-6jhm"]) == ["CVE-2023-28322"])
    }

    @Test func severalIDsOfOneKindAddNone() {
        let references = [
            Self.cveRecord + "CVE-2022-1", Self.cveRecord + "CVE-2022-2", Self.advisory + "GHSA-35jh-r3h4-6jhm",
        ]
        #expect(Identifiers.aliases(inReferences: references, besides: ["GO-2022-0001"]) == ["GHSA-35jh-r3h4-6jhm"])
    }

    /// Two Trivy findings in one package whose references name each other's CVE stay two
    /// findings, each under its own id.
    @Test func relatedCVEsOfOnePackageStayApart() {
        func finding(_ id: String, linking other: String) -> Finding {
            let references = [Self.cveRecord + other]
            return Finding(
                kind: .vulnerability, ruleID: id,
                aliases: Identifiers.aliases(inReferences: references, besides: [id]), title: id,
                package: Package(ecosystem: "debian", name: "curl", installedVersion: "7.88.1"),
                references: references,
                identity: FindingIdentity(
                    kind: .vulnerability, scope: "image:x", subject: ["debian", "curl", "7.88.1"])
            ).finalized()
        }
        let merged = FindingSet(merging: [
            finding("CVE-2023-46218", linking: "CVE-2023-28322"), finding("CVE-2023-28322", linking: "CVE-2023-46218"),
        ])
        #expect(merged.all.map(\.ruleID).sorted() == ["CVE-2023-28322", "CVE-2023-46218"])
    }
}

@Suite struct MergeLimitTests {
    private func vulnerability(
        _ id: String, aliases: [String] = [], package: String, version: String, tool: String,
        severity: Severity = .high
    ) -> Finding {
        Finding(
            kind: .vulnerability, ruleID: id, aliases: aliases, title: "\(id) in \(package)",
            ratings: [SeverityRating(source: tool, severity: severity, label: severity.rawValue, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: package, installedVersion: version),
            provenance: [Provenance(tool: tool, reportFile: "\(tool).json", rawID: id)],
            identity: FindingIdentity(
                kind: .vulnerability, scope: FindingIdentity.sourceScope, subject: ["npm", package, version])
        ).finalized()
    }

    /// Two CVEs a tool reported in one package version, whose references name the same GHSA
    /// advisory, are two vulnerabilities: joined through it, a waiver or VEX statement for the
    /// low one would hide the critical one. An advisory from another tool that names both joins
    /// one of them, the same one whatever order the reports come in.
    @Test func twoReportedCVEsNeverMergeThroughASharedAdvisory() {
        let critical = vulnerability(
            "CVE-2022-0001", aliases: ["GHSA-aaaa-bbbb-cccc"], package: "pkga", version: "1.0.0", tool: "trivy",
            severity: .critical)
        let low = vulnerability(
            "CVE-2022-0002", aliases: ["GHSA-aaaa-bbbb-cccc"], package: "pkga", version: "1.0.0", tool: "trivy",
            severity: .low)
        let set = FindingSet(merging: [critical, low])
        #expect(set.all.map(\.ruleID).sorted() == ["CVE-2022-0001", "CVE-2022-0002"])
        #expect(set.all.first { $0.ruleID == "CVE-2022-0001" }?.severity == .critical)

        // An npm 6 advisory covering both CVEs (as the adapter reads it: neither CVE an alias,
        // both covered) joins neither: merged into one, a statement about that CVE would hide
        // the other, which only the advisory reports. It stays a finding of its own.
        var advisory = vulnerability(
            "GHSA-aaaa-bbbb-cccc", package: "pkga", version: "1.0.0", tool: "npm-audit", severity: .high)
        advisory.coveredCVEs = ["CVE-2022-0001", "CVE-2022-0002"]
        for order in [[critical, low, advisory], [advisory, low, critical], [low, advisory]] {
            let set = FindingSet(merging: order)
            #expect(set.all.count == order.count)
            #expect(set.all.first { $0.ruleID == "GHSA-aaaa-bbbb-cccc" }?.tools == ["npm-audit"])
            for finding in set.all {
                #expect(
                    !finding.aliases.contains { $0.hasPrefix("CVE-") && $0 != finding.ruleID }, "\(finding.aliases)")
            }
        }
    }

    /// One package found as two architectures (a multilib image) is one finding of neither
    /// alone: its purl keeps only the qualifiers both have.
    @Test func aPackageOfTwoArchitecturesKeepsOnlyTheQualifiersBothHave() {
        func glibc(_ purl: String) -> Finding {
            Finding(
                kind: .vulnerability, ruleID: "CVE-2023-4911", title: "glibc flaw",
                ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
                package: Package(ecosystem: "redhat", name: "glibc", installedVersion: "2.28", purl: purl),
                provenance: [Provenance(tool: "trivy", reportFile: "image.json", rawID: "CVE-2023-4911")],
                identity: FindingIdentity(
                    kind: .vulnerability, scope: "image:r/app", subject: ["redhat", "glibc", "2.28"])
            ).finalized()
        }
        func merged(_ purls: [String]) -> String? { FindingSet(merging: purls.map(glibc)).all.first?.package?.purl }
        let i686 = "pkg:rpm/redhat/glibc@2.28?arch=i686&distro=redhat-8.8"
        let x86 = "pkg:rpm/redhat/glibc@2.28?arch=x86_64&distro=redhat-8.8"
        #expect(merged([i686, x86]) == "pkg:rpm/redhat/glibc@2.28?distro=redhat-8.8")
        // Each source purl is kept, for VEX: a statement must cover every one.
        #expect(FindingSet(merging: [glibc(x86), glibc(i686)]).all.first?.package?.sourcePURLs == [i686, x86])
        #expect(FindingSet(merging: [glibc(x86), glibc(x86)]).all.first?.package?.sourcePURLs == [])
        #expect(merged([x86, i686]) == "pkg:rpm/redhat/glibc@2.28?distro=redhat-8.8")
        #expect(merged([x86, x86]) == x86)
        #expect(merged(["pkg:rpm/redhat/glibc@2.28#lib", x86 + "#lib"]) == "pkg:rpm/redhat/glibc@2.28#lib")
    }

    /// An advisory naming its CVE is that CVE: it joins that CVE's finding and never another
    /// CVE's that links to it as related, whichever comes first in fingerprint order. Joined
    /// to CVE-2022-0001, its alias CVE-2022-0002 let a waiver or VEX statement for the low
    /// CVE-2022-0002 hide the critical one (found by a review).
    @Test func anAdvisoryNamingItsCVENeverJoinsAnotherCVE() {
        let critical = vulnerability(
            "CVE-2022-0001", aliases: ["GHSA-aaaa-bbbb-cccc"], package: "pkga", version: "1.0.0", tool: "trivy",
            severity: .critical)
        let advisory = vulnerability(
            "GHSA-aaaa-bbbb-cccc", aliases: ["CVE-2022-0002"], package: "pkga", version: "1.0.0", tool: "npm-audit",
            severity: .low)
        let alone = FindingSet(merging: [critical, advisory])
        #expect(alone.all.count == 2)
        #expect(alone.all.first { $0.ruleID == "CVE-2022-0001" }?.aliases == ["GHSA-aaaa-bbbb-cccc"])
        // Without a version (npm 7) too.
        let unversioned = vulnerability(
            "GHSA-aaaa-bbbb-cccc", aliases: ["CVE-2022-0002"], package: "pkga", version: "", tool: "npm-audit",
            severity: .low)
        #expect(FindingSet(merging: [critical, unversioned]).all.count == 2)
        // With its own CVE reported too, it joins that one.
        let low = vulnerability(
            "CVE-2022-0002", aliases: ["GHSA-aaaa-bbbb-cccc"], package: "pkga", version: "1.0.0", tool: "trivy",
            severity: .low)
        for order in [[critical, low, advisory], [advisory, low, critical]] {
            let set = FindingSet(merging: order)
            #expect(set.all.count == 2)
            #expect(set.all.first { $0.ruleID == "CVE-2022-0002" }?.tools == ["npm-audit", "trivy"])
            #expect(set.all.first { $0.ruleID == "CVE-2022-0001" }?.tools == ["trivy"])
        }
    }

    /// A finding without an installed version joins the one versioned group it shares an id
    /// with, but not across two CVEs tools reported: the critical CVE-2022-0001 (no version)
    /// sharing a GHSA with the low CVE-2022-0002 became one finding, which a waiver or VEX
    /// statement for the low one then hid (found by a review).
    @Test func aFindingWithoutAVersionDoesNotJoinAnotherReportedCVE() {
        let critical = vulnerability(
            "CVE-2022-0001", aliases: ["GHSA-aaaa-bbbb-cccc"], package: "pkga", version: "", tool: "trivy",
            severity: .critical)
        let low = vulnerability(
            "CVE-2022-0002", aliases: ["GHSA-aaaa-bbbb-cccc"], package: "pkga", version: "1.0.0", tool: "trivy",
            severity: .low)
        let set = FindingSet(merging: [critical, low])
        #expect(set.all.map(\.ruleID).sorted() == ["CVE-2022-0001", "CVE-2022-0002"])
        #expect(set.all.first { $0.ruleID == "CVE-2022-0001" }?.severity == .critical)
        // The same CVE without a version still joins its versioned finding (npm 7 beside Trivy).
        let sameCVE = vulnerability(
            "GHSA-aaaa-bbbb-cccc", aliases: ["CVE-2022-0002"], package: "pkga", version: "", tool: "npm-audit")
        #expect(FindingSet(merging: [low, sameCVE]).all.count == 1)
    }

    /// A CVE and a GHSA one report lists apart are two vulnerabilities in that tool's own view,
    /// though the CVE's references link the GHSA: joined, a VEX statement or waiver for the
    /// medium CVE hid the critical GHSA (found by a review). Another tool's advisory of the
    /// GHSA still joins the CVE its references name.
    @Test func twoIdsOneReportListsApartNeverMerge() {
        let cve = vulnerability(
            "CVE-2021-23337", aliases: ["GHSA-p6mc-m468-83gw"], package: "lodash", version: "4.17.15", tool: "trivy",
            severity: .medium)
        let ghsa = vulnerability(
            "GHSA-p6mc-m468-83gw", package: "lodash", version: "4.17.15", tool: "trivy", severity: .critical)
        let set = FindingSet(merging: [cve, ghsa])
        #expect(set.all.map(\.ruleID) == ["GHSA-p6mc-m468-83gw", "CVE-2021-23337"])
        #expect(set.all.first?.severity == .critical)
        // Without a version too.
        let unversioned = vulnerability(
            "GHSA-p6mc-m468-83gw", package: "lodash", version: "", tool: "trivy", severity: .critical)
        #expect(FindingSet(merging: [cve, unversioned]).all.count == 2)
        // A report listing a CVE and the GHSA advisory of that same CVE apart (Trivy, from two
        // advisory databases: the corpus's juice-shop report) lists one vulnerability twice.
        let sameCVE = vulnerability(
            "CVE-2021-23337", aliases: ["GHSA-35jh-r3h4-6jhm"], package: "lodash", version: "4.17.15", tool: "trivy")
        var itsAdvisory = sameCVE
        itsAdvisory.provenance = [Provenance(tool: "trivy", reportFile: "trivy.json", rawID: "GHSA-35jh-r3h4-6jhm")]
        #expect(FindingSet(merging: [sameCVE, itsAdvisory.finalized()]).all.count == 1)
        // npm audit's advisory (another report) joins the CVE its references name.
        let npm = vulnerability(
            "GHSA-p6mc-m468-83gw", package: "lodash", version: "", tool: "npm-audit", severity: .medium)
        #expect(FindingSet(merging: [cve, npm]).all.map(\.tools) == [["npm-audit", "trivy"]])
    }

    /// One advisory covering two CVEs, reported by two audits (two reports), is one finding with
    /// one fingerprint: kept apart, it was counted twice and two SARIF results shared a fingerprint.
    @Test func oneAdvisoryOfSeveralCVEsFromTwoReportsIsOneFinding() {
        func advisory(_ report: String) -> Finding {
            var finding = vulnerability(
                "GHSA-aaaa-bbbb-cccc", package: "multi", version: "1.2.3", tool: "npm-audit", severity: .high)
            finding.provenance = [Provenance(tool: "npm-audit", reportFile: report, rawID: "GHSA-aaaa-bbbb-cccc")]
            finding.coveredCVEs = ["CVE-2022-0001", "CVE-2022-0002"]
            return finding.finalized()
        }
        let set = FindingSet(merging: [advisory("a.json"), advisory("b.json")])
        #expect(set.all.count == 1)
        #expect(set.all.first?.provenance.map(\.reportFile) == ["a.json", "b.json"])
        // Trivy's record of the same advisory, without its CVEs, is that advisory too.
        let trivy = vulnerability(
            "GHSA-aaaa-bbbb-cccc", package: "multi", version: "1.2.3", tool: "trivy", severity: .high)
        #expect(FindingSet(merging: [trivy, advisory("a.json")]).all.map(\.tools) == [["npm-audit", "trivy"]])
    }

    /// Findings without a version join a versioned group as the versioned findings alone decide,
    /// never through one another: the result is the same whatever order they come in. Two that
    /// one report lists apart and that both match one group are ambiguous: neither joins it.
    @Test func findingsWithoutAVersionMergeTheSameInAnyOrder() {
        let cve = vulnerability(
            "CVE-2021-23337", aliases: ["GHSA-35jh-r3h4-6jhm"], package: "lodash", version: "4.17.20", tool: "trivy")
        let sameAdvisory = vulnerability(
            "GHSA-35jh-r3h4-6jhm", package: "lodash", version: "", tool: "npm-audit", severity: .high)
        let other = vulnerability(
            "GHSA-29mw-wpgm-hmr9", aliases: ["GHSA-35jh-r3h4-6jhm"], package: "lodash", version: "", tool: "npm-audit",
            severity: .critical)
        let orders = [[cve, sameAdvisory, other], [cve, other, sameAdvisory], [other, sameAdvisory, cve]]
        let results = orders.map { FindingSet(merging: $0).all.map(\.fingerprint) }
        #expect(Set(results.map { $0.joined(separator: ",") }).count == 1)
        #expect(results.first?.count == 3)
        // Alone, the same advisory joins the CVE.
        #expect(FindingSet(merging: [sameAdvisory, cve]).all.count == 1)
    }

    /// A SARIF tool's vulnerability found twice in one file: the later place carries
    /// `occurrence 2` in its identity (``SARIFAdapter``), and is a finding of its own here too,
    /// not merged back into the first (found by a review: a new place passed as known).
    @Test func aSARIFVulnerabilitysLaterOccurrenceStaysApart() {
        func result(_ subject: [String]) -> Finding {
            Finding(
                kind: .vulnerability, ruleID: "CVE-2021-23337", title: "lodash",
                ratings: [SeverityRating(source: "scanner", severity: .high, isToolVerdict: true)],
                provenance: [Provenance(tool: "scanner", reportFile: "s.sarif", rawID: "CVE-2021-23337")],
                identity: FindingIdentity(kind: .vulnerability, scope: FindingIdentity.sourceScope, subject: subject)
            ).finalized()
        }
        let first = result(["scanner", "package-lock.json", "lodash 4.17.15"])
        let second = result(["scanner", "package-lock.json", "lodash 4.17.15", "occurrence 2"])
        let set = FindingSet(merging: [first, second])
        #expect(set.all.map(\.fingerprint).sorted() == [first.fingerprint, second.fingerprint].sorted())
        // A result without a message has an empty key: no missing version (found by the diff review).
        let unnamed = result(["scanner", "package-lock.json", ""])
        let unnamedLater = result(["scanner", "package-lock.json", "", "occurrence 2"])
        #expect(FindingSet(merging: [unnamed, unnamedLater]).all.count == 2)
    }

    /// A tool whose verdict is unknown falls back to CVSS beside another tool's verdict: adding
    /// a tool that says "low" must not hide the 9.8 the first tool's record carries.
    @Test func anUnknownVerdictFallsBackToCVSSBesideAnotherToolsVerdict() {
        let unknownVerdict = SeverityRating(source: "trivy", severity: .unknown, label: "UNKNOWN", isToolVerdict: true)
        let nvd = SeverityRating(source: "nvd", severity: nil, cvss: [CVSSScore(version: .v3, vector: nil, score: 9.8)])
        let npmLow = SeverityRating(source: "npm-audit", severity: .low, isToolVerdict: true)
        #expect(SeverityResolver.resolve([unknownVerdict, nvd, npmLow]) == .critical)
        // A tool with a verdict keeps it: the fallback is only for the tool without one.
        let trivyLow = SeverityRating(source: "trivy", severity: .low, isToolVerdict: true)
        #expect(SeverityResolver.resolve([trivyLow, nvd, npmLow]) == .low)
    }

    /// Two reports carrying one authority's rating (one without a score): the highest score
    /// counts, whichever report sorts first.
    @Test func anAuthoritysHighestScoreCountsWhicheverReportComesFirst() {
        let unknownVerdict = SeverityRating(source: "trivy", severity: .unknown, label: "UNKNOWN", isToolVerdict: true)
        let nvdWithout = SeverityRating(source: "nvd", severity: nil, cvss: [])
        let nvd = SeverityRating(source: "nvd", severity: nil, cvss: [CVSSScore(version: .v3, vector: nil, score: 9.8)])
        let redhat = SeverityRating(
            source: "redhat", severity: nil, cvss: [CVSSScore(version: .v3, vector: nil, score: 5.3)])
        #expect(SeverityResolver.resolve([unknownVerdict, nvdWithout, redhat, nvd]) == .critical)
        #expect(SeverityResolver.resolve([unknownVerdict, nvd, redhat, nvdWithout]) == .critical)
    }
}
