import Adapters
import Findings
import Foundation
import Testing

/// Inputs shaped to make a reader quadratic, each found by fuzzing: every one took minutes
/// (a hung CI step) where it now reads in well under a second. The time limit is a guard against
/// a hang coming back, far above any normal run, not a speed measurement (that is the benchmark's).
@Suite("Hostile sizes", .timeLimit(.minutes(1)))
struct HostileSizeTests {
    private static func sarif(rules: String, results: String, runExtras: String = "") -> [UInt8] {
        Array(
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": [\#(rules)]}}\#(runExtras), "results": [\#(results)]}]}"#
                .utf8)
    }

    /// A result's rule id of 50,000 `/`-separated parts names a sub-rule of the longest prefix
    /// the run describes; each prefix was rebuilt and looked up in turn (quadratic).
    @Test func aRuleIDOfManySegmentsFindsItsRule() throws {
        let id = String(repeating: "a/", count: 50_000) + "x"
        let report = try Corpus.parse(
            bytes: Self.sarif(
                rules: #"{"id": "a/a", "shortDescription": {"text": "the described rule"}}"#,
                results: #"{"ruleId": "\#(id)", "message": {"text": "m"}}"#),
            name: "segments.sarif")
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.title == "the described rule")
        #expect(report.warnings.contains { $0.contains(#"is not described; read with rule "a/a""#) })
    }

    /// `./` repeated 300,000 times before a file name is that file; each was removed by moving
    /// the rest of the path.
    @Test func aPathOfManyLeadingDotSegmentsIsItsFile() throws {
        let uri = String(repeating: "./", count: 300_000) + "src/./x.c"
        let report = try Corpus.parse(
            bytes: Self.sarif(
                rules: #"{"id": "r"}"#,
                results:
                    #"{"ruleId": "r", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "\#(uri)"}, "region": {"startLine": 3}}}]}"#
            ),
            name: "dots.sarif")
        #expect(report.findings.first?.locations.first?.path == "src/x.c")
    }

    /// A base of a megabyte joined to each of thousands of results made gigabytes of paths; no
    /// directory or site is that long, so the report is refused, saying where. A long URL on a
    /// web base (a scanner's payload in a query) is read: only bases are limited.
    @Test func aBaseLongerThanAnyDirectoryIsRefused() throws {
        let base = "file:///" + String(repeating: "a", count: 1_000_000) + "/"
        let result =
            #"{"ruleId": "r", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "x.c", "uriBaseId": "SRC"}}}]}"#
        let bytes = Self.sarif(
            rules: #"{"id": "r"}"#, results: Array(repeating: result, count: 3_000).joined(separator: ","),
            runExtras: #", "originalUriBaseIds": {"SRC": {"uri": "\#(base)"}}"#)
        #expect {
            try Corpus.parse(bytes: bytes, name: "base.sarif")
        } throws: { error in
            let text = "\(error)"
            return text.contains("$.runs[0].originalUriBaseIds.SRC")
                && text.contains("the base SRC is 1000002 bytes long, more than the 16384")
        }
        let query = "search?q=" + String(repeating: "A", count: 17_000)
        let web = try Corpus.parse(
            bytes: Self.sarif(
                rules: #"{"id": "r"}"#,
                results:
                    #"{"ruleId": "r", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "\#(query)", "uriBaseId": "SITE"}}}]}"#,
                runExtras: #", "originalUriBaseIds": {"SITE": {"uri": "https://app.example.com/"}}"#),
            name: "web.sarif")
        #expect(web.findings.count == 1)
    }

    /// The sub-rule fallback compares ids as the exact lookup does: a rule `é` spelled composed
    /// is the prefix of `e\u{301}/x` spelled decomposed, and a `/` carrying a combining mark
    /// separates nothing (`a/\u{301}b` is no sub-rule of `a`).
    @Test func subRulePrefixesCompareAsIDsDo() throws {
        func severity(rule: String, result: String) throws -> Severity? {
            let report = try Corpus.parse(
                bytes: Self.sarif(
                    rules: #"{"id": "\#(rule)", "defaultConfiguration": {"level": "error"}}"#,
                    results: #"{"ruleId": "\#(result)", "message": {"text": "m"}}"#),
                name: "ids.sarif")
            return report.findings.first?.severity
        }
        #expect(try severity(rule: "\u{E9}", result: "e\u{301}/x") == .high)
        #expect(try severity(rule: "e\u{301}", result: "\u{E9}/x") == .high)
        #expect(try severity(rule: "a", result: "a/\u{301}b") != .high)
    }

    /// Leading `./` and inner `/./` are dropped as characters: a `/` carrying a combining mark is
    /// no separator.
    @Test func dotSegmentsAreCharacters() throws {
        func path(_ uri: String) throws -> String? {
            try Corpus.parse(
                bytes: Self.sarif(
                    rules: #"{"id": "r"}"#,
                    results:
                        #"{"ruleId": "r", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "\#(uri)"}}}]}"#
                ),
                name: "dots.sarif"
            ).findings.first?.locations.first?.path
        }
        #expect(try path("././x.c") == "x.c")
        #expect(try path("./") == "./")
        #expect(try path("a/././b/./") == "a/b/")
        #expect(try path("a/.//b") == "a//b")
        #expect(try path("./\u{301}x") == "./\u{301}x")
    }

    /// An npm 6 advisory listing 200,000 paths (each twice) keeps each once, in order; each was
    /// looked for in the list of those kept before it.
    @Test func anAdvisoryOfManyPathsKeepsEachOnce() throws {
        let paths = (0..<200_000).map { "a>b\($0)>growl" }
        let listed = (paths + paths).map { "\"\($0)\"" }.joined(separator: ",")
        let json = """
            {"actions": [], "advisories": {"146": {"id": 146, "title": "Command Injection", "module_name": "growl", \
            "severity": "critical", "vulnerable_versions": "<1.10.2", "patched_versions": ">=1.10.2", \
            "cves": ["CVE-2017-16042"], "url": "https://npmjs.com/advisories/146", \
            "findings": [{"version": "1.9.2", "paths": [\(listed)]}]}}, "muted": [], \
            "metadata": {"vulnerabilities": {"info": 0, "low": 0, "moderate": 0, "high": 0, "critical": 1}, \
            "dependencies": 1, "devDependencies": 0, "optionalDependencies": 0, "totalDependencies": 1}}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "npm6.json")
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.package?.paths.count == 200_000)
    }

    /// 20,000 alert items of one plugin at one place, each under its own name and CWE (a report
    /// from before alert references), are one finding noting every other name and CWE once;
    /// each was looked for in the lists so far.
    @Test func thousandsOfAlertItemsOfOnePluginAtOnePlaceAreOneFinding() throws {
        let items = (0..<20_000).map { number in
            """
            <alertitem><pluginid>10049</pluginid><alert>Variant \(number)</alert><name>Variant \(number)</name>\
            <riskcode>1</riskcode><confidence>2</confidence><desc>d</desc><instances><instance>\
            <uri>https://app.example/</uri><method>GET</method><param></param></instance></instances><count>1</count>\
            <solution>s</solution><cweid>\(number + 1)</cweid></alertitem>
            """
        }
        let xml = """
            <?xml version="1.0"?><OWASPZAPReport programName="ZAP" version="2.9.0" generated="now">\
            <site name="https://app.example" host="app.example" port="443" ssl="true"><alerts>\
            \(items.joined())</alerts></site></OWASPZAPReport>
            """
        let report = try Corpus.parse(bytes: Array(xml.utf8), name: "zap.xml")
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.cwes.count == 20_000)
        #expect(report.findings.first?.description?.contains(#""Variant 19999""#) == true)
    }

    /// 40,000 failures of one check in one Dockerfile (Trivy names no resource there), each
    /// with its own message, are 40,000 findings; each failure copied the tables of those
    /// before it.
    @Test func thousandsOfFailuresOfOneCheckInOneFileAreEachAFinding() throws {
        let failures = (0..<40_000).map { number in
            #"{"Type": "Dockerfile Security Check", "ID": "DS002", "Title": "Image user should not be 'root'", "Message": "container \#(number) runs as root", "Severity": "HIGH", "Status": "FAIL", "CauseMetadata": {"StartLine": \#(number + 1), "EndLine": \#(number + 1)}}"#
        }
        let json = """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": \
            "Dockerfile", "Class": "config", "Type": "dockerfile", "Misconfigurations": [\(failures.joined(separator: ","))]}]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "trivy.json")
        #expect(report.findings.count == 40_000)
        #expect(Set(report.findings.map(\.fingerprint)).count == 40_000)
    }

    /// One vulnerability in 3,000 lock files, each citing twenty sources of its own, is one
    /// finding with every rating once; each source's ratings were looked for in all merged so far.
    @Test func aFindingInThousandsOfTargetsKeepsEveryRatingOnce() throws {
        let targets = (0..<3_000).map { target in
            let vendors = (0..<20).map { #""source\#(target)-\#($0)": 2"# }.joined(separator: ",")
            return """
                {"Target": "service\(target)/package-lock.json", "Class": "lang-pkgs", "Type": "npm", \
                "Vulnerabilities": [{"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", \
                "InstalledVersion": "4.17.15", "Severity": "HIGH", "VendorSeverity": {\(vendors)}}]}
                """
        }
        let json = """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [\(targets.joined(separator: ","))]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "trivy.json")
        let merged = FindingSet(merging: report.findings).all
        #expect(merged.count == 1)
        #expect(merged.first?.ratings.count == 1 + 3_000 * 20)
    }

    /// 20,000 GHSA advisories of one CVE (each linking it) and the CVE with its version are one
    /// vulnerability; each joining advisory was compared with every other, and each join copied
    /// the group's growing sets.
    @Test func thousandsOfAdvisoriesOfOneCVEMergeInLinearTime() throws {
        let advisories = (0..<20_000).map { number in
            let digits = String(number, radix: 36)
            let suffix = String(repeating: "0", count: 4 - digits.count) + digits
            return
                #"{"VulnerabilityID": "GHSA-0000-\#(suffix)-aaaa", "PkgName": "l", "Severity": "LOW", "References": ["https://nvd.nist.gov/vuln/detail/CVE-2021-1000"]}"#
        }
        let json = """
            {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": \
            "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [{"VulnerabilityID": \
            "CVE-2021-1000", "PkgName": "l", "InstalledVersion": "1", "Severity": "HIGH"}, \
            \(advisories.joined(separator: ","))]}]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "trivy.json")
        #expect(report.findings.count == 20_001)
        let merged = FindingSet(merging: report.findings).all
        #expect(merged.count == 1)
        #expect(merged.first?.ruleID == "CVE-2021-1000")
        #expect(merged.first?.aliases.count == 20_000)
    }
}
