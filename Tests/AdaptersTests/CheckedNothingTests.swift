import Adapters
import Foundation
import Testing

/// A report whose scan checked nothing says so in a value (`checkedNothing`), beside its
/// warning, so that a policy can refuse to pass on it: the four cases the readers warn about,
/// and never a report that checked something.
@Suite("Reports that checked nothing")
struct CheckedNothingTests {
    static func parse(_ text: String, name: String = "inline.json", as format: ReportFormat? = nil) throws
        -> ParsedReport
    {
        try Corpus.parse(bytes: Array(text.utf8), name: name, as: format)
    }

    @Test func aTrivyImageWithNoOperatingSystemAndNoResultCheckedNothing() throws {
        let report = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image","#
                + #" "Metadata": {"OS": {"Family": "none", "Name": ""}}}"#, as: .trivy)
        #expect(
            report.checkedNothing
                == "Trivy detected no operating system in app:1 and listed no result: nothing in it was scanned")
        #expect(report.emptyScan?.report == "inline.json")
        #expect(report.emptyScan?.reason == report.checkedNothing)
        // The warning is kept as it was.
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.hasSuffix("No finding here means nothing was checked") == true)
    }

    /// A cluster scan that lists no resource looked at nothing: Trivy leaves an empty list out,
    /// so a report of only the cluster's name says as little (found by a review: both passed).
    @Test func aTrivyKubernetesReportOfNoResourceCheckedNothing() throws {
        for text in [
            #"{"ClusterName": "prod"}"#, #"{"ClusterName": "prod", "Resources": []}"#,
            #"{"ClusterName": "prod", "Findings": []}"#,
            #"{"ClusterName": "prod", "Vulnerabilities": [], "Misconfigurations": []}"#,
        ] {
            let report = try Self.parse(text, as: .trivy)
            #expect(report.checkedNothing == "Trivy's Kubernetes report lists no resource of cluster prod", "\(text)")
            #expect(report.findings.isEmpty)
        }
        // Two layouts in one document: which list is the scan's? Refused, not read by the first.
        let error = try #require(throws: ReportError.self) {
            try Self.parse(
                #"{"ClusterName": "prod", "Resources": [], "Findings": [{"Kind": "Pod", "Name": "a"}]}"#, as: .trivy)
        }
        #expect(error.message.contains(#"has one resource list; this one has "Resources" and "Findings""#))
    }

    /// Trivy lists the OS packages' result whenever it scans them, none found included: an OS it
    /// detected with no result was not scanned for vulnerabilities.
    @Test func aTrivyImageWithAnOperatingSystemAndNoResultCheckedNothing() throws {
        for results in ["", #", "Results": []"#] {
            let report = try Self.parse(
                #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image","#
                    + #" "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}}\#(results)}"#)
            #expect(
                report.checkedNothing
                    == "Trivy detected debian 12.5 in app:1 but listed no result: its packages were not scanned for "
                    + "vulnerabilities")
            #expect(report.warnings.count == 1)
            // Nor does it count as the scan of the image for the release gate.
            #expect(report.scannedImages.isEmpty)
        }
    }

    /// A VM's disk is scanned as an image is: an OS detected with no result for its packages, or
    /// no result at all, checked nothing (it passed `empty-scans: fail` silently; found by a
    /// review); the corpus's VM scan, which lists the OS packages' result, checked something.
    @Test func aTrivyVMScanWithNoPackageResultCheckedNothing() throws {
        let detected = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "disk.vmdk", "ArtifactType": "vm","#
                + #" "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}}, "Results": []}"#)
        #expect(
            detected.checkedNothing
                == "Trivy detected debian 12.5 in disk.vmdk but listed no result: its packages were not scanned for "
                + "vulnerabilities")
        let nothing = try Self.parse(#"{"SchemaVersion": 2, "ArtifactName": "", "ArtifactType": "vm"}"#)
        #expect(
            nothing.checkedNothing
                == "Trivy detected no operating system in the VM and listed no result: nothing in it was scanned")
        #expect(detected.scannedImages.isEmpty && nothing.scannedImages.isEmpty)
        // The corpus's VM scan, where `../shared` is (CI has it).
        let scanned = Corpus.directory.appendingPathComponent("trivy/trivy__amazonlinux2-gp2-x86-vm.json")
        if Corpus.isAvailable {
            let report = try Corpus.parse(scanned)
            #expect(report.checkedNothing == nil && report.findings.count == 1)
        }
    }

    /// The same with results of other kinds only (`--pkg-types library`, `--scanners secret`,
    /// a license scan): the OS packages were not scanned, and the report is no scan of the image
    /// for the release gate; the results it has are still read (found by a review: it passed
    /// `empty-scans: fail` and `require-scan`).
    @Test(arguments: [
        #"{"Target": "app/package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.15", "Severity": "HIGH"}]}"#,
        #"{"Target": "Dockerfile", "Class": "config"}"#,
        #"{"Target": "/app/.env", "Class": "secret"}"#,
    ])
    func aTrivyImageWithAnOperatingSystemAndNoOSResultCheckedItsPackagesNot(_ result: String) throws {
        let report = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image","#
                + #" "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}, "RepoDigests": ["app@sha256:"#
                + String(repeating: "a", count: 64) + #""]}, "Results": [\#(result)]}"#)
        #expect(
            report.checkedNothing
                == "Trivy detected debian 12.5 in app:1 but listed no result for its OS packages: they were not "
                + "scanned for vulnerabilities")
        #expect(report.scannedImages.isEmpty)
        #expect(report.findings.count == (result.contains("Vulnerabilities") ? 1 : 0))
        // With the OS packages' result (none found in them), the image was scanned.
        let scanned = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image","#
                + #" "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}}, "Results": [\#(result), "#
                + #"{"Target": "app:1 (debian 12.5)", "Class": "os-pkgs", "Type": "debian"}]}"#)
        #expect(scanned.checkedNothing == nil)
        #expect(scanned.scannedImages.count == 1)
    }

    /// With no OS, only an application's package result makes a vulnerability scan: a scan of
    /// configuration or secrets alone (`--scanners misconfig`) is no scan of the image.
    @Test func aTrivyImageWithoutAnOperatingSystemOrPackageResultCheckedItsPackagesNot() throws {
        let configOnly = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image", "Metadata": {},"#
                + #" "Results": [{"Target": "Dockerfile", "Class": "config"}]}"#)
        #expect(
            configOnly.checkedNothing
                == "Trivy detected no operating system in app:1 and listed no package result: no package in it was "
                + "scanned for vulnerabilities")
        #expect(configOnly.scannedImages.isEmpty)
        let goBinary = try Self.parse(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image", "Metadata": {},"#
                + #" "Results": [{"Target": "Dockerfile", "Class": "config"}, {"Target": "app/server", "#
                + #""Class": "lang-pkgs", "Type": "gobinary"}]}"#)
        #expect(goBinary.checkedNothing == nil)
        #expect(goBinary.scannedImages.count == 1)
    }

    /// Legacy Trivy lists a result for the OS and each lock file it found: none is nothing scanned.
    @Test(arguments: ["null", "[]"])
    func aLegacyTrivyReportWithNoResultCheckedNothing(_ text: String) throws {
        let report = try Self.parse(text, as: .trivy)
        #expect(report.checkedNothing == "the legacy Trivy report lists no result: Trivy found nothing to scan")
        #expect(report.warnings.count == 1)
    }

    /// A filesystem or repository scan with no result is not flagged: Trivy (before the versions
    /// that list every lock file) leaves out lock files in which it found nothing, so a clean
    /// project's scan looks the same as one of the wrong directory.
    @Test(arguments: ["filesystem", "repository"])
    func aTrivySourceScanWithNoResultIsNotFlagged(_ type: String) throws {
        let report = try Self.parse(#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "\#(type)"}"#)
        #expect(report.checkedNothing == nil)
        #expect(report.warnings.isEmpty)
    }

    @Test func aZAPReportWithoutAnyAlertCheckedNothing() throws {
        let xml = try Self.parse(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.9.0" generated="x">
            <site name="https://a.example"><alerts/></site><site name="https://b.example"></site>
            </OWASPZAPReport>
            """, name: "zap.xml")
        #expect(
            xml.checkedNothing
                == "ZAP reported no alert for any of the sites it scanned (https://a.example, https://b.example), "
                + "not even an informational one")
        let json = try Self.parse(
            #"{"@version": "2.16.1", "site": [{"@name": "https://app.example", "alerts": []}]}"#, name: "zap.json")
        #expect(
            json.checkedNothing
                == "ZAP reported no alert for the site it scanned (https://app.example), not even an informational one")
        for report in [xml, json] {
            #expect(report.warnings.count == 1)
            #expect(report.warnings.first?.hasPrefix(report.checkedNothing ?? "-") == true, "\(report.warnings)")
        }
    }

    /// A site without any alert beside sites with alerts was probably not reached: said for
    /// that site, while the report as a whole did check something.
    @Test func aZAPSiteWithoutAnyAlertBesideOthersIsWarnedAbout() throws {
        let report = try Self.parse(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.11.1">
            <site name="https://a.example"><alerts>
            <alertitem><pluginid>10020</pluginid><name>Missing Anti-clickjacking Header</name><riskcode>2</riskcode>
            <confidence>2</confidence><instances><instance><uri>https://a.example/</uri><method>GET</method>
            <param>X-Frame-Options</param></instance></instances><count>1</count></alertitem></alerts></site>
            <site name="https://b.example"><alerts/></site>
            </OWASPZAPReport>
            """, name: "zap.xml")
        #expect(report.checkedNothing == nil)
        #expect(report.findings.count == 1)
        #expect(
            report.warnings == [
                "ZAP reported no alert for 1 of the 2 sites it scanned (https://b.example), not even an informational "
                    + "one, while others have alerts: did the scan reach it (target URL, authentication, proxy)? No "
                    + "finding there means nothing was checked there"
            ])
        // Several are named, not "any of the sites it scanned" (found by the diff review).
        let two = try Self.parse(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.11.1">
            <site name="https://a.example"><alerts>
            <alertitem><pluginid>10020</pluginid><name>Missing Anti-clickjacking Header</name><riskcode>2</riskcode>
            <confidence>2</confidence></alertitem></alerts></site>
            <site name="https://c0"><alerts/></site><site name="https://c1"></site>
            </OWASPZAPReport>
            """, name: "zap.xml")
        #expect(
            two.warnings.first?.hasPrefix(
                "ZAP reported no alert for 2 of the 3 sites it scanned (https://c0, https://c1),")
                == true, "\(two.warnings)")
    }

    @Test func anNpmAuditOfZeroDependenciesCheckedNothing() throws {
        let npm7 = try Self.parse(
            #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"total": 0},"#
                + #" "dependencies": {"prod": 0, "dev": 0, "total": 0}}}"#)
        let npm6 = try Self.parse(
            #"{"advisories": {}, "metadata": {"vulnerabilities": {"low": 0}, "totalDependencies": 0}}"#)
        for report in [npm7, npm6] {
            #expect(report.checkedNothing == "npm audited 0 dependencies")
            #expect(report.warnings.count == 1)
        }
    }

    /// Clean reports that checked something, and the shipped examples: no flag.
    @Test func aReportThatCheckedSomethingIsNotFlagged() throws {
        let clean = [
            try Self.parse(
                #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem","#
                    + #" "Results": [{"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm"}]}"#),
            try Self.parse(
                #"{"SchemaVersion": 2, "ArtifactName": "alpine:3.20", "ArtifactType": "container_image","#
                    + #" "Metadata": {"OS": {"Family": "alpine", "Name": "3.20.1"}}, "Results": [{"Target":"#
                    + #" "alpine:3.20 (alpine 3.20.1)", "Class": "os-pkgs", "Type": "alpine"}]}"#),
            try Self.parse(
                #"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"total": 0}, "dependencies": {"total": 12}}}"#
            ),
        ]
        for report in clean { #expect(report.checkedNothing == nil && report.emptyScan == nil) }
        let examples = Corpus.fixture("examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted()
        #expect(files.count == 4)
        for file in files {
            let report = try Corpus.parse(examples.appendingPathComponent(file))
            #expect(report.checkedNothing == nil, "\(file)")
        }
    }
}
