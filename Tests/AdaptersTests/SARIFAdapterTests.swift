import Adapters
import Findings
import Foundation
import Testing

@Suite("SARIF adapter")
struct SARIFAdapterTests {
    // MARK: - Corpus, against an independent count

    /// Corpus files whose tool says its run failed (`executionSuccessful: false`): refused unless
    /// incomplete reports are allowed, then read like the others.
    static let incomplete = [
        "defectdojo__spotbugs.sarif":
            "SpotBugs says its run failed (exit code 3): Classes needed for analysis were missing",
        "defectdojo__no_runs.sarif": "the SARIF log has no runs",
        // Semgrep's own test of an error in a run it calls successful (SARIF Appendix I).
        "semgrep__results@test_sarif_output_when_errors.sarif":
            "reported an error, so its results may be incomplete: ",
    ]

    @Test("every corpus file parses and matches an independent count", .enabled(if: Corpus.isAvailable))
    func corpusMatchesIndependentCount() throws {
        let files = Corpus.files(in: "sarif")
        #expect(files.count >= 35)
        for url in files {
            let name = url.lastPathComponent
            if let reason = Self.incomplete[name] {
                let error = try #require(throws: ReportError.self, "\(name)") { try Corpus.parse(url) }
                #expect(error.message.contains(reason), "\(error)")
            }
            let report = try ReportReader(allowsIncompleteReports: true).read(path: url.path)
            let expected = try IndependentSARIFCount(url: url)
            #expect(report.format == .sarif, "\(name)")
            #expect(report.variant == "sarif-2.1.0", "\(name)")
            #expect(report.tool == expected.firstToolName, "\(name)")
            #expect(report.findings.count == expected.findings, "\(name)")
            #expect(report.findings.filter { !$0.isOpen }.count == expected.suppressed, "\(name)")
            var severities: [String: Int] = [:]
            for finding in report.findings { severities[finding.severity.rawValue, default: 0] += 1 }
            #expect(severities == expected.severities, "\(name)")
            for finding in report.findings {
                #expect(!finding.fingerprint.isEmpty, "\(name): findings are finalized")
                #expect(finding.provenance.first?.reportFile == url.path, "\(name)")
            }
        }
    }

    @Test("a SARIF file named .json is detected from its content", .enabled(if: Corpus.isAvailable))
    func detectsSARIFWithJSONExtension() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/defectdojo__issue_10191.json"))
        #expect(report.format == .sarif)
        #expect(report.tool == "Semgrep OSS")
        #expect(report.toolVersion == "1.69.0")
    }

    // MARK: - Real producers' quirks

    @Test("SpotBugs messages are resolved from messageStrings with arguments", .enabled(if: Corpus.isAvailable))
    func spotBugsMessageStrings() throws {
        let url = Corpus.directory.appendingPathComponent("sarif/defectdojo__spotbugs.sarif")
        let report = try ReportReader(allowsIncompleteReports: true).read(path: url.path)
        #expect(report.warnings.contains { $0.hasPrefix("incomplete scan: SpotBugs says its run failed") })
        let finding = try #require(report.findings.first { $0.ruleID == "DMI_HARDCODED_ABSOLUTE_FILENAME" })
        #expect(finding.title == "Code contains a hard coded reference to an absolute pathname.")
        #expect(finding.description == "Hard coded reference to an absolute pathname in Boot.main(String[]).")
        #expect(finding.severity == .low)  // level note
        #expect(finding.locations.first?.path == "Boot.java")
        #expect(report.findings.allSatisfy { $0.description.map { !$0.contains("{0}") } ?? true })
    }

    @Test("CodeQL tags external/cwe/cwe-079 become CWE-79", .enabled(if: Corpus.isAvailable))
    func codeQLCWETags() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/defectdojo__codeQL-output.sarif"))
        let xss = report.findings.filter { $0.cwes.contains("CWE-79") }
        #expect(!xss.isEmpty)
        #expect(report.findings.allSatisfy { $0.cwes.allSatisfy { !$0.contains("cwe") && !$0.contains("-0") } })
    }

    @Test("Trivy security-severity wins over the level", .enabled(if: Corpus.isAvailable))
    func trivySecuritySeverity() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/trivy__alpine-310@2023-04.sarif"))
        let finding = try #require(report.findings.first { $0.ruleID == "CVE-2019-1549" })
        #expect(finding.kind == .vulnerability)
        #expect(finding.severity == .medium)
        #expect(finding.ratings.first?.label == "security-severity 5.3")
        #expect(finding.ratings.first?.cvss.first?.score == 5.3)
    }

    @Test("gitleaks results without a rule are secrets under unknown-rule", .enabled(if: Corpus.isAvailable))
    func gitleaksWithoutRules() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/defectdojo__gitleaks_7.5.0.sarif"))
        #expect(report.findings.count == 8)
        #expect(report.findings.allSatisfy { $0.kind == .secret && $0.ruleID == "unknown-rule" })
        #expect(report.findings.contains { $0.title == "AWS Access Key secret detected" })
    }

    @Test("the corpus file with no runs is refused as incomplete", .enabled(if: Corpus.isAvailable))
    func emptyRunsInCorpus() throws {
        let url = Corpus.directory.appendingPathComponent("sarif/defectdojo__no_runs.sarif")
        let error = try #require(throws: ReportError.self) { try Corpus.parse(url) }
        #expect(error.message.contains("the report is incomplete"))
    }

    // MARK: - Constructed fixture

    @Test("the constructed fixture maps every rule of the adapter")
    func constructedFixture() throws {
        let report = try Corpus.parse(Corpus.fixture("sarif/constructed.sarif"))
        #expect(report.tool == "ExampleScanner")
        #expect(report.toolVersion == "1.2.3")
        // 10 + 1 results; pass, notApplicable and baseline-absent ones are skipped.
        #expect(report.findings.count == 10)

        let password = try #require(report.findings.first { $0.ruleID == "EX001" })
        #expect(password.title == "Hard-coded password")
        // The rule's text describes the finding; the result's own message is its detail.
        #expect(password.description == "Passwords in source code leak.")
        #expect(password.detail == "Password hunter2 in Config.java; literal {braces}.")
        #expect(password.severity == .high)
        #expect(password.ratings.first?.label == "level error")
        #expect(password.cwes == ["CWE-798"])
        #expect(password.references == ["https://example.com/rules/EX001"])
        #expect(password.locations == [Location(path: "src/Config.java", startLine: 10, endLine: 12)])
        #expect(password.provenance.first?.toolVersion == "1.2.3")

        // Found by ruleIndex alone; security-severity beats the result's level.
        let injection = try #require(report.findings.first { $0.ruleID == "EX002" })
        #expect(injection.title == "SqlInjection")
        #expect(injection.severity == .critical)
        #expect(injection.ratings.first?.label == "security-severity 9.1")
        #expect(injection.cwes == ["CWE-22", "CWE-89", "CWE-564"])
        #expect(injection.locations.first?.path == "src/app.js")
        #expect(injection.description == "SQL built from request input")

        let lodash = try #require(report.findings.first { $0.ruleID == "CVE-2021-23337" })
        #expect(lodash.kind == .vulnerability)
        #expect(lodash.severity == .high)
        #expect(lodash.description == "**lodash** 4.17.15 is vulnerable")

        let debug = try #require(report.findings.first { $0.ruleID == "EX004" && !$0.isOpen })
        #expect(debug.locations == [Location(startLine: 3, url: "https://app.example.com/debug")])
        #expect(debug.severity == .medium)  // no level anywhere: SARIF's default "warning"
        #expect(
            debug.suppression
                == Suppression(
                    source: "ExampleScanner suppression (external)", status: "accepted",
                    statement: "debug build only"))
        #expect(report.findings.contains { $0.ruleID == "EX004" && $0.isOpen })
        // Suppressed only when every suppression is accepted (SARIF 2.1.0 §3.27.23): one under
        // review, or one rejected beside an accepted one, leaves the result open.
        #expect(report.findings.filter { $0.ruleID == "EX005" }.map(\.isOpen) == [true])
        #expect(report.findings.filter { $0.ruleID == "EX006" }.map(\.isOpen) == [true])

        let plugin = try #require(report.findings.first { $0.ruleID == "PL001" })
        #expect(plugin.title == "Plugin rule")
        #expect(plugin.severity == .info)

        let ruleless = try #require(report.findings.first { $0.ruleID == "unknown-rule" && $0.kind == .codeIssue })
        #expect(ruleless.title == "Generic API key detected")
        #expect(ruleless.severity == .high)

        let secret = try #require(report.findings.first { $0.kind == .secret })
        #expect(secret.provenance.map(\.tool) == ["gitleaks"])
        #expect(secret.provenance.first?.toolVersion == "8.18.0")
        #expect(secret.provenance.first?.rawID == "unknown-rule")
        #expect(secret.identity.subject == ["gitleaks", ".env", "fp-a"])
    }

    /// Trivy writes `security-severity: "0.0"` for a CVE with only a CVSS v2 score, beside
    /// `level: error` for HIGH: that is no score (GitHub: none below 0.1), and the level decides.
    @Test("a security-severity outside 0.1–10 is no score: the level decides, and a result never lowers its rule")
    func securitySeverityRange() throws {
        let report = try Corpus.parse(Corpus.fixture("sarif/security-severity-scores.sarif"))
        func finding(_ message: String) throws -> Finding {
            try #require(report.findings.first { $0.detail == message }, "\(message)")
        }
        #expect(try finding("CVSS v2 only").severity == .high)
        #expect(try finding("CVSS v2 only").ratings.first?.label == "level error")
        #expect(try finding("first").severity == .low)
        #expect(try finding("second").severity == .low)
        #expect(try finding("negative").severity == .medium)
        #expect(try finding("not finite").severity == .high)
        #expect(try finding("result scores lower").severity == .critical)
        #expect(try finding("result scores lower").ratings.first?.label == "security-severity 9.8")
        #expect(try finding("result scores higher").severity == .critical)
        #expect(try finding("result score out of range").severity == .medium)
        // One warning per value, naming the file and where: the rule's "11" is read twice.
        #expect(report.warnings.count == 4)
        let name = Corpus.fixture("sarif/security-severity-scores.sarif").path
        // Named once, where warnings are shown (it was named twice: `f.sarif: f.sarif: at …`).
        #expect(report.warningsNamingTheReport.allSatisfy { $0.hasPrefix(name + ": at $.runs[0].") })
        #expect(report.warnings.allSatisfy { $0.hasPrefix("at $.runs[0].") })
        #expect(
            report.warnings.contains { $0.contains("rules[1].properties.security-severity") && $0.contains("\"11\"") })
        #expect(report.warnings.contains { $0.contains("results[7].properties.security-severity") })
        #expect(!report.warnings.contains { $0.contains("rules[0]") })
    }

    /// The precedence of ``SARIFAdapter``'s verdict: `security-severity` (score or word), then a
    /// word in `properties.severity`, then a severity tag of the rule, then the level; within a
    /// step the most severe of the result's and the rule's.
    @Test("severity words in security-severity, properties.severity and rule tags come before the level")
    func severityWords() throws {
        let report = try Corpus.parse(Corpus.fixture("sarif/severity-words.sarif"))
        func rating(_ message: String) throws -> (Severity, String?) {
            let finding = try #require(report.findings.first { $0.detail == message }, "\(message)")
            return (finding.severity, finding.ratings.first?.label)
        }
        #expect(try rating("semgrep word") == (.critical, "security-severity CRITICAL"))
        #expect(try rating("trivy high") == (.high, "tag HIGH"))
        #expect(try rating("trivy unknown") == (.unknown, "tag UNKNOWN"))
        #expect(try rating("retirejs low") == (.low, "severity low"))
        #expect(try rating("score first") == (.critical, "security-severity 9.8"))
        #expect(try rating("word before tag") == (.medium, "severity medium"))
        // The rule's word beats the result's lower one; "none" and "info" tags are no severity.
        #expect(try rating("rule word") == (.high, "severity high"))
        #expect(try rating("bogus") == (.low, "level note"))
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("rules[6].properties.security-severity") == true)
        #expect(report.warnings.first?.contains("\"12\"") == true)
    }

    /// A result naming a rule the run does not describe (though it describes others) is of
    /// unknown severity, not SARIF's default medium: the rule may have said critical. A
    /// hierarchical id (`R1/sub`) takes its root rule; a run describing no rules (gitleaks) keeps
    /// SARIF's default (found by a review).
    @Test func aResultWhoseRuleIsNotInTheRunIsOfUnknownSeverity() throws {
        func parse(_ rules: String, _ result: String) throws -> Finding? {
            let json =
                #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [\#(rules)]}}, "#
                + #""results": [\#(result)]}]}"#
            return try Corpus.parse(bytes: Array(json.utf8)).findings.first
        }
        let critical = #"{"id": "R1", "properties": {"security-severity": "9.8"}}"#
        #expect(try parse(critical, #"{"ruleId": "R2", "message": {"text": "m"}}"#)?.severity == .unknown)
        #expect(try parse(critical, #"{"ruleIndex": 5, "message": {"text": "m"}}"#)?.severity == .unknown)
        #expect(try parse(critical, #"{"ruleId": "R1/sub", "message": {"text": "m"}}"#)?.severity == .critical)
        // The longest described prefix: ids hold `/` too (found by the second diff review).
        let codeQL = #"{"id": "js/sql-injection", "properties": {"security-severity": "9.8"}}"#
        #expect(
            try parse(codeQL, #"{"ruleId": "js/sql-injection/1", "message": {"text": "m"}}"#)?.severity == .critical)
        #expect(try parse(critical, #"{"ruleId": "/R1", "message": {"text": "m"}}"#)?.severity == .unknown)
        // The result's own level still says what it is.
        #expect(try parse(critical, #"{"ruleId": "R2", "level": "note", "message": {"text": "m"}}"#)?.severity == .low)
        #expect(try parse("", #"{"ruleId": "R2", "message": {"text": "m"}}"#)?.severity == .medium)
    }

    /// A security-severity that is neither a number nor a severity word is refused, as GitHub
    /// refuses the upload: read as absent, the level (a `note`) rated a "9,8" low (found by a
    /// review).
    @Test(arguments: [#""9,8""#, #""severe""#, "true", "[9.8]"])
    func aSecuritySeverityThatIsNoNumberIsRefused(_ value: String) throws {
        let json =
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [{"id": "R1", "#
            + #""defaultConfiguration": {"level": "note"}, "properties": {"security-severity": \#(value)}}]}}, "#
            + #""results": [{"ruleId": "R1", "message": {"text": "m"}}]}]}"#
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(json.utf8)) }
        #expect(error.jsonPath == "$.runs[0].tool.driver.rules[0].properties.security-severity", "\(error)")
        #expect(error.message.contains("neither a number nor a severity word"), "\(error)")
    }

    /// ScanGate's own SARIF writes `level: warning` and `properties.severity: "unknown"` for a
    /// finding of unknown severity: read back, it is unknown, not medium.
    @Test("ScanGate's SARIF for an unknown severity reads back as unknown")
    func scanGateUnknownRoundTrip() throws {
        let report = try Corpus.parse(Corpus.fixture("sarif/scangate-unknown-roundtrip.sarif"))
        let finding = try #require(report.findings.first)
        #expect(finding.severity == .unknown)
        #expect(finding.ratings.first?.label == "severity unknown")
    }

    @Test("a rule index outside the rules falls back to the rule id and warns")
    func ruleIndexOutOfRange() throws {
        let json = """
            {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [
              {"id": "R1", "shortDescription": {"text": "Rule one"}}]}}, "results": [
              {"ruleId": "R1", "ruleIndex": 7, "message": {"text": "{0} is unused", "arguments": ["x"]}}]}]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "index.sarif")
        let finding = try #require(report.findings.first)
        #expect(finding.title == "Rule one")
        #expect(finding.description == "x is unused")
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("$.runs[0].results[0]") == true)
    }

    /// Filling a message's placeholders is one pass, and bounded: `{a` repeated (no placeholder)
    /// was searched to the end for every brace, and `{0}` repeated with a long argument made one
    /// message of hundreds of megabytes from a small file (found by a review).
    @Test("message placeholders: braces that are not placeholders stay, and the filled text is bounded")
    func messagePlaceholdersAreBounded() throws {
        func description(_ text: String, _ arguments: [String]) throws -> String? {
            let message = String(
                decoding: try JSONSerialization.data(withJSONObject: ["text": text, "arguments": arguments]),
                as: UTF8.self)
            let json =
                #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [{"id": "R1"}]}}, "#
                + #""results": [{"ruleId": "R1", "message": \#(message)}]}]}"#
            return try Corpus.parse(bytes: Array(json.utf8), name: "m.sarif").findings.first?.description
        }
        let braces = String(repeating: "{a", count: 20_000) + "}"
        #expect(try description(braces, ["x"]) == braces)
        #expect(try description("{0} and {{0}} and {1} and {12x}", ["a", "b"]) == "a and {0} and b and {12x}")
        let filled = try #require(
            try description(String(repeating: "{0}", count: 4_000), [String(repeating: "x", count: 10_000)]))
        #expect(filled.utf8.count < 300_000, "\(filled.utf8.count) bytes")
        #expect(filled.hasSuffix("bytes)") && filled.contains("message cut"))
    }

    /// A report's warnings are listed up to 100 and the rest counted: 25,000 results with a bad
    /// rule index printed 25,000 lines to the job log, and finding where each one was walked the
    /// document (found by a review).
    @Test("a report's warnings beyond the first 100 are counted, not listed")
    func warningsAreCapped() throws {
        let results = (0..<150).map { #"{"ruleId": "R1", "ruleIndex": \#($0 + 5), "message": {"text": "m\#($0)"}}"# }
        let json =
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [{"id": "R1"}]}}, "#
            + #""results": [\#(results.joined(separator: ", "))]}]}"#
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "many.sarif")
        #expect(report.findings.count == 150)
        #expect(report.warnings.count == 101)
        #expect(report.warnings.first?.hasPrefix("at $.runs[0].results[0] ") == true, "\(report.warnings.first ?? "")")
        #expect(report.warnings.last == "50 more warnings are not listed (the first 100 are)")

        // Past the first 100, a warning about one place is still counted once: 60 results of a
        // rule whose security-severity is unusable are one warning more, not 60.
        let badIndexes = (0..<100).map {
            #"{"ruleId": "R1", "ruleIndex": \#($0 + 5), "message": {"text": "m\#($0)"}}"#
        }
        let oneRule = (0..<60).map { #"{"ruleId": "R2", "ruleIndex": 1, "message": {"text": "s\#($0)"}}"# }
        let counted =
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [{"id": "R1"}, "#
            + #"{"id": "R2", "properties": {"security-severity": "11"}}]}}, "#
            + #""results": [\#((badIndexes + oneRule).joined(separator: ", "))]}]}"#
        let countedReport = try Corpus.parse(bytes: Array(counted.utf8), name: "counted.sarif")
        #expect(countedReport.warnings.last == "1 more warning is not listed (the first 100 are)")
    }

    /// Every run's tool looked, a run with no result included: its earlier findings are fixed,
    /// not "not scanned" (``ParsedReport/toolsThatScanned``).
    @Test("every run's tool counts as having scanned, with or without results")
    func everyRunsToolScanned() throws {
        let json =
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "ESLint"}}, "results": [{"ruleId": "r", "#
            + #""message": {"text": "m"}}]}, {"tool": {"driver": {"name": "Flawfinder"}}, "results": []}]}"#
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "two-runs.sarif")
        #expect(report.tool == "ESLint")
        #expect(report.toolsThatScanned == ["ESLint", "Flawfinder"])
    }

    /// A result whose references disagree is read with the rule its id names, never an unrelated
    /// rule an index or an unknown component reference would give, with a warning naming it.
    @Test("rule references that disagree or resolve nowhere: the rule is looked up by id, with a warning")
    func ruleResolution() throws {
        let url = Corpus.fixture("sarif/rule-resolution.sarif")
        let report = try Corpus.parse(url)
        func finding(_ message: String) throws -> Finding {
            try #require(report.findings.first { $0.detail == message }, "\(message)")
        }
        for message in ["component that does not exist", "index names another rule", "only in an extension"] {
            #expect(try finding(message).ruleID == "js/sql-injection", "\(message)")
            #expect(try finding(message).severity == .critical, "\(message)")
        }
        #expect(try finding("negative index").ruleID == "unknown-rule")
        // A rule the run describes none of, though it describes rules, may have set any level:
        // unknown, not SARIF's default `warning` (found by a review).
        #expect(try finding("negative index").severity == .unknown)
        #expect(try finding("ids differ").ruleID == "js/sql-injection")
        #expect(try finding("ids differ").severity == .critical)
        #expect(try finding("two extensions define it").ruleID == "js/shared")
        #expect(try finding("two extensions define it").severity == .unknown)
        #expect(try finding("resolved as written").severity == .critical)

        func warnings(_ result: Int) -> [String] {
            report.warningsNamingTheReport.filter { $0.hasPrefix(url.path + ": at $.runs[0].results[\(result)] ") }
        }
        #expect(report.warnings.count == 10)
        #expect(warnings(0).count == 2)
        #expect(warnings(0).first?.contains("rule.toolComponent names no tool component") == true)
        #expect(warnings(1).first?.contains("rule index 1 of \"CodeQL\" is rule \"js/todo-comment\"") == true)
        #expect(warnings(2).first?.contains("taken from \"codeql/javascript-queries\"") == true)
        #expect(warnings(3).first?.contains("rule index -7") == true)
        #expect(warnings(4).first?.contains("rule.id \"js/todo-comment\" differ") == true)
        #expect(warnings(5).last?.contains("defined by 2 tool components") == true)
        #expect(warnings(6).isEmpty)
    }

    @Test("a help text that is only a URL is a reference, not a description", .enabled(if: Corpus.isAvailable))
    func dockleHelpURL() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/defectdojo__dockle_0_3_15.sarif"))
        let finding = try #require(report.findings.first { $0.ruleID == "CIS-DI-0010" })
        #expect(finding.references == ["https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#CIS-DI-0010"])
        #expect(finding.description?.hasPrefix("Suspicious ENV key found") == true)
        #expect(finding.locations.isEmpty)
    }

    /// Policy `path:` rules match repository-relative paths: a `uriBaseId`, a `file://` URI, a
    /// leading `./` and percent-encoding are resolved to one.
    @Test("artifact URIs resolve to repository-relative paths")
    func artifactPaths() throws {
        let report = try Corpus.parse(Corpus.fixture("sarif/uri-base-ids.sarif"))
        func path(_ message: String) throws -> [String?] {
            let findings = report.findings.filter { $0.detail == message }
            try #require(!findings.isEmpty, "\(message)")
            return findings.flatMap { $0.locations.map(\.path) }
        }
        #expect(try path("base on a base") == ["src/payments/charge.js"])
        #expect(try path("file uri") == ["src/payments/refund.js"])
        #expect(try path("dot slash") == ["src/payments/x.js"])
        #expect(try path("the repository") == ["./"])
        #expect(try path("percent encoded") == ["src/pay ments/a+b.js"])
        #expect(try path("artifact index") == ["src/payments/lib/util.js"])
        #expect(try path("undefined base") == ["src/b.js"])
        #expect(try path("outside the repository") == ["/etc/passwd"])
        // Two bases under /repo/: the same relative path is two files, and two findings.
        #expect(try path("eval") == ["frontend/index.js", "backend/index.js"])
        #expect(Set(report.findings.filter { $0.detail == "eval" }.map(\.fingerprint)).count == 2)
        #expect(try path("under the working directory") == ["app/main.py"])
    }

    // MARK: - Identity

    @Test("the fingerprint does not depend on line numbers")
    func fingerprintIgnoresLines() throws {
        func report(line: Int) throws -> ParsedReport {
            let json = """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}, "results": [
                  {"ruleId": "R1", "message": {"text": "bad call"}, "locations": [{"physicalLocation":
                    {"artifactLocation": {"uri": "a.c"}, "region": {"startLine": \(line)}}}]}]}]}
                """
            return try Corpus.parse(bytes: Array(json.utf8), name: "lines.sarif")
        }
        let before = try #require(try report(line: 3).findings.first)
        let after = try #require(try report(line: 30).findings.first)
        #expect(before.fingerprint == after.fingerprint)
        #expect(before.identity.subject == ["lint", "a.c", "bad call"])
    }

    /// GitHub's `primaryLocationLineHash` names a line: different problems of one rule on one
    /// line (an LGTM export names four functions of a cyclic import on `dojo/utils.py` line 24)
    /// are different findings, each with its message; the same result twice is one.
    @Test("results on one line stay apart when their messages differ")
    func resultsOnOneLineStayApart() throws {
        func result(_ message: String) -> String {
            """
            {"ruleId": "py/unsafe-cyclic-import", "message": {"text": "\(message)"},
             "partialFingerprints": {"primaryLocationLineHash": "5ab0e1ba6cd3e1c4:1"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "dojo/utils.py"},
               "region": {"startLine": 24}}}]}
            """
        }
        let json = """
            {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "LGTM.com"}}, "results": [
              \(result("Import of add_external_issue_github")), \(result("Import of close_external_issue_github")),
              \(result("Import of add_external_issue_github"))]}]}
            """
        let findings = FindingSet(merging: try Corpus.parse(bytes: Array(json.utf8), name: "lgtm.sarif").findings).all
        #expect(findings.count == 2)
        #expect(
            Set(findings.compactMap(\.detail))
                == ["Import of add_external_issue_github", "Import of close_external_issue_github"])
    }

    /// Without a tool fingerprint, results of one rule, file and message at different places
    /// are different findings: numbered in line order (the first keeps its identity), or named
    /// by their logical location. The same result written twice stays one finding.
    @Test("results alike but at different places stay apart; the first keeps its fingerprint")
    func occurrencesStayApart() throws {
        let report = try Corpus.parse(Corpus.fixture("sarif/occurrences.sarif"))
        let findings = FindingSet(merging: report.findings).all
        let passwords = findings.filter { $0.detail == "Hardcoded password" }
        #expect(passwords.count == 2)
        #expect(
            Set(passwords.map(\.identity.subject)) == [
                ["lint", "src/a.js", "Hardcoded password"],
                ["lint", "src/a.js", "Hardcoded password", "occurrence 2"],
            ])
        // Line 10 comes first in line order, so it keeps the identity a single result has.
        let first = try #require(passwords.first { $0.identity.subject.count == 3 })
        #expect(first.locations.map(\.startLine) == [10])
        let endpoints = findings.filter { $0.detail == "Endpoint has no authorization check" }
        #expect(endpoints.count == 2)
        #expect(endpoints.contains { $0.identity.subject.last == "logical Billing.InvoiceController.Delete" })
        // A full fingerprint at two places (Flawfinder hashes the line's text) is two findings too.
        #expect(findings.filter { $0.detail == "same fingerprint" }.count == 2)
    }

    /// SARIF counts lines from 1: a line below 1 (Semgrep writes 0 for a whole lock file) is no
    /// line, the file itself; an end before the start is no end. They were kept as written, and
    /// ScanGate's SARIF then said line 1 (found by a review).
    @Test(
        arguments: [
            (#""startLine": 0, "endLine": 0"#, nil, nil), (#""startLine": -5"#, nil, nil),
            (#""startLine": 7, "endLine": 3"#, 7, nil), (#""startLine": 7, "endLine": 9"#, 7, 9),
        ] as [(String, Int?, Int?)])
    func aLineBelowOneIsNoLine(_ region: String, _ start: Int?, _ end: Int?) throws {
        let json = """
            {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep"}}, "results": [{"ruleId": "r1",
             "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "yarn.lock"},
               "region": {\(region)}}}]}]}]}
            """
        let finding = try #require(try Corpus.parse(bytes: Array(json.utf8), name: "s.sarif").findings.first)
        let location = try #require(finding.locations.first)
        #expect(location.path == "yarn.lock")
        #expect(location.startLine == start && location.endLine == end, "\(location)")
    }

    /// Two problems of one rule on one line, at different columns, are two findings: they were
    /// one (GitHub showed one, and a new one beside a known one was not new; found by a
    /// review). The first in column order keeps its identity.
    @Test func resultsOnOneLineAtTwoColumnsStayApart() throws {
        func sarif(columns: [Int]) -> [UInt8] {
            let results = columns.map { column in
                """
                {"ruleId": "no-console", "message": {"text": "Unexpected console statement."},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a.js"},
                   "region": {"startLine": 3, "startColumn": \(column)}}}]}
                """
            }
            return Array(
                """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "ESLint"}}, "results": [
                  \(results.joined(separator: ","))]}]}
                """.utf8)
        }
        let both = FindingSet(merging: try Corpus.parse(bytes: sarif(columns: [30, 1]), name: "e.sarif").findings).all
        #expect(both.count == 2)
        let alone = try Corpus.parse(bytes: sarif(columns: [1]), name: "e.sarif").findings
        #expect(alone.map(\.fingerprint) == both.filter { $0.identity.subject.count == 3 }.map(\.fingerprint))
        // The same result twice is still one.
        #expect(
            FindingSet(merging: try Corpus.parse(bytes: sarif(columns: [1, 1]), name: "e.sarif").findings).all.count
                == 1)
    }

    /// Trivy's SARIF writes a result's severity, fixed version and link into its message: in
    /// the fingerprint, a fix published or a re-rating made a new finding (GitHub closed the
    /// alert and opened another, its triage lost; `fail-on-new-only` took it for new; found by
    /// a review). Those lines are left out; what identifies the finding is kept.
    @Test(arguments: ["\\n", "\\\\n"])
    func trivysTemplateFieldsThatChangeAreNotInTheFingerprint(_ lineBreak: String) throws {
        func fingerprint(_ fields: [String]) throws -> String {
            let json = """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy", "rules": [{"id": "CVE-2021-36159",
                 "shortDescription": {"text": "apk-tools flaw"}}]}}, "results": [{"ruleId": "CVE-2021-36159",
                 "message": {"text": "\(fields.joined(separator: lineBreak))"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "library/alpine"},
                   "region": {"startLine": 1}}}]}]}]}
                """
            return try #require(try Corpus.parse(bytes: Array(json.utf8), name: "trivy.sarif").findings.first)
                .fingerprint
        }
        let base = ["Package: apk-tools", "Installed Version: 2.10.6-r0", "Vulnerability CVE-2021-36159"]
        let unfixed = try fingerprint(base + ["Severity: HIGH", "Fixed Version: ", "Link: [x](https://a/x)"])
        let fixed = try fingerprint(
            base + ["Severity: CRITICAL", "Fixed Version: 2.10.7-r0", "Link: [x](https://b/x)"])
        #expect(unfixed == fixed)
        let otherVersion = try fingerprint(
            ["Package: apk-tools", "Installed Version: 2.10.5-r0", "Vulnerability CVE-2021-36159", "Severity: HIGH"])
        #expect(otherVersion != unfixed)
    }

    @Test("every result of the LGTM export is its own finding", .enabled(if: Corpus.isAvailable))
    func lgtmExportKeepsEveryResult() throws {
        let url = Corpus.directory.appendingPathComponent(
            "sarif/defectdojo__DefectDojo_django-DefectDojo__2020-12-11_13_42_10__export.sarif")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let results = (json["runs"] as? [[String: Any]] ?? []).flatMap { $0["results"] as? [[String: Any]] ?? [] }
        let findings = FindingSet(merging: try Corpus.parse(url).findings).all
        #expect(findings.count == results.count)
    }

    /// A tool that says its run failed, or reports an error in a run it calls successful, gives
    /// no clean pass: its report is incomplete (exit 3 unless `--allow-incomplete`); and an
    /// invocation must say whether it succeeded (SARIF requires it).
    @Test("a run the tool says failed is an incomplete report")
    func failedInvocationsMakeTheReportIncomplete() throws {
        func sarif(_ invocation: String) -> [UInt8] {
            Array(
                """
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner"}},
                  "invocations": [\(invocation)], "results": []}]}
                """.utf8)
        }
        let crashed = sarif(
            #"{"executionSuccessful": false, "exitCode": 2, "toolExecutionNotifications": [{"level": "error", "message": {"text": "out of memory\nat line 3"}}]}"#
        )
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: crashed, name: "c.sarif") }
        #expect(error.message.contains("scanner says its run failed (exit code 2): out of memory at line 3"))
        let allowed = try ReportReader(allowsIncompleteReports: true).parse(
            ReportSource(name: "c.sarif", bytes: crashed))
        #expect(allowed.findings.isEmpty && allowed.warnings.count == 1)
        // Read all the same, the failed run without a result shows nothing was checked: an empty
        // scan for the policy, and no run of its own in ScanGate's SARIF (an empty one would
        // close the tool's alerts as fixed; found by a review).
        #expect(
            allowed.unprovenScans == [
                "the run of scanner failed and lists no result: nothing shows it checked anything"
            ])
        #expect(allowed.unprovenScanTools == ["scanner"])
        #expect(allowed.emptyScans.count == 1)

        // An error notification in a run the tool calls successful: its results may be missing
        // too (SARIF 2.1.0 Appendix I); a warning-level notification says nothing of the sort.
        let partial = sarif(
            #"{"executionSuccessful": true, "toolExecutionNotifications": [{"level": "error", "message": {"text": "File not found: a.py"}}, {"level": "warning", "message": {"text": "slow"}}]}"#
        )
        let refused = try #require(throws: ReportError.self) { try Corpus.parse(bytes: partial, name: "p.sarif") }
        #expect(
            refused.message.contains(
                "scanner reported an error, so its results may be incomplete: File not found: a.py"),
            "\(refused.message)")
        let accepted = try ReportReader(allowsIncompleteReports: true).parse(
            ReportSource(name: "p.sarif", bytes: partial))
        #expect(accepted.warnings.count == 1 && accepted.warnings[0].contains("File not found: a.py"))
        #expect(accepted.unprovenScanTools == ["scanner"])
        let slow = sarif(
            #"{"executionSuccessful": true, "toolExecutionNotifications": [{"level": "warning", "message": {"text": "slow"}}]}"#
        )
        #expect(try Corpus.parse(bytes: slow, name: "s.sarif").warnings.isEmpty)

        let unsaid = try #require(throws: ReportError.self) {
            try Corpus.parse(bytes: sarif(#"{"exitCode": 0}"#), name: "u.sarif")
        }
        #expect(unsaid.message.contains("without \"executionSuccessful\""))
    }

    // MARK: - Bad input

    /// `"runs": []` holds no tool's results, so nothing says a scan ran: refused like a run without
    /// `results`, unless incomplete reports are allowed, and then read with a warning.
    @Test("an empty runs array is an incomplete report, not a clean scan")
    func emptyRuns() throws {
        let bytes = Array(#"{"version": "2.1.0", "runs": []}"#.utf8)
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: bytes, name: "empty.sarif") }
        #expect(error.file == "empty.sarif")
        #expect(error.message.contains("the SARIF log has no runs"))
        #expect(error.message.contains("--allow-incomplete"))
        let allowed = try ReportReader(allowsIncompleteReports: true).parse(
            ReportSource(name: "empty.sarif", bytes: bytes))
        #expect(allowed.findings.isEmpty)
        #expect(allowed.tool == "sarif")
        #expect(allowed.format == .sarif)
        #expect(allowed.warnings == ["incomplete scan: the SARIF log has no runs: no tool's results are in it"])
    }

    /// Found by a review: SARIF that GitHub would show as a problem, or that does not say what it
    /// must, read fail-closed.
    @Test func contradictionsAndUnreadableSuppressionsAreReadFailClosed() throws {
        func run(_ results: String, notifications: String = "[]") -> String {
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint", "rules": [{"id": "R1"}]}}, "#
                + #""invocations": [{"executionSuccessful": true, "toolExecutionNotifications": \#(notifications)}], "#
                + #""results": [\#(results)]}]}"#
        }
        // A result of a kind that says "no problem" with level error is the problem GitHub shows.
        let contradicting = try Corpus.parse(
            bytes: Array(run(#"{"ruleId": "R1", "kind": "pass", "level": "error", "message": {"text": "m"}}"#).utf8))
        #expect(contradicting.findings.map(\.severity) == [.high])
        #expect(contradicting.warnings.contains { $0.contains("a result of kind pass with level error") })
        // Flawfinder's `kind: pass` with `level: note` stays no problem.
        let consistent = try Corpus.parse(
            bytes: Array(run(#"{"ruleId": "R1", "kind": "pass", "level": "note", "message": {"text": "m"}}"#).utf8))
        #expect(consistent.findings.isEmpty)
        // A notification level SARIF does not define could be an error spelt another way.
        for level in ["Error", "fatal"] {
            let notification = #"[{"level": "\#(level)", "message": {"text": "analysis aborted"}}]"#
            let error = try #require(throws: ReportError.self) {
                try Corpus.parse(bytes: Array(run("", notifications: notification).utf8))
            }
            #expect(error.jsonPath == "$.runs[0].invocations[0].toolExecutionNotifications[0].level", "\(error)")
        }
        // A run a signal ended did not finish, though it calls itself successful.
        let killed =
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}, "invocations": "#
            + #"[{"executionSuccessful": true, "exitCode": 137, "exitSignalName": "SIGKILL"}], "results": []}]}"#
        let killedError = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(killed.utf8)) }
        #expect(killedError.message.contains("lint was ended by signal SIGKILL"), "\(killedError)")
        // A writer's defaults say no signal.
        let defaults =
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}, "invocations": "#
            + #"[{"executionSuccessful": true, "exitSignalName": "", "exitSignalNumber": 0}], "results": []}]}"#
        #expect(try Corpus.parse(bytes: Array(defaults.utf8)).findings.isEmpty)
        // A suppression without its kind is none anyone can check: refused, not taken.
        for entry in ["{}", #"{"kind": "bogus"}"#, #"{"kind": null, "status": "accepted"}"#] {
            let result = #"{"ruleId": "R1", "level": "error", "message": {"text": "m"}, "suppressions": [\#(entry)]}"#
            let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(run(result).utf8)) }
            #expect(error.message.contains("a suppression without its kind"), "\(error)")
        }
    }

    /// Trivy's SARIF of a config scan holds misconfigurations, as its JSON does, under the same
    /// check ids: read as code issues, a policy's `kind: misconfiguration` rule passed them, and
    /// an upgrade that respelled `DS002` as `DS-0002` made every finding new (found by a review).
    @Test(.enabled(if: Corpus.isAvailable))
    func trivysMisconfigurationsInSARIFAreMisconfigurationsUnderOneSpelling() throws {
        let sarif = try Corpus.parse(
            Corpus.directory.appendingPathComponent("sarif/trivy-action__config-sarif@v0.48.1.sarif"))
        #expect(!sarif.findings.isEmpty)
        #expect(sarif.findings.allSatisfy { $0.kind == .misconfiguration }, "\(sarif.findings.map(\.kind))")
        let json = try Corpus.parse(Corpus.directory.appendingPathComponent("trivy/trivy-action__config@v0.48.1.json"))
        #expect(
            Set(sarif.findings.map(\.ruleID)).isSubset(of: Set(json.findings.map(\.ruleID))),
            "\(sarif.findings.map(\.ruleID))")
        // With Trivy's `AVD-` id its JSON gives beside it, for waivers and rules naming it.
        #expect(sarif.findings.contains { $0.ruleID == "DS-0002" && $0.aliases == ["AVD-DS-0002", "DS002"] })
        let fromJSON = try #require(json.findings.first { $0.ruleID == "DS-0002" })
        #expect(Set(fromJSON.aliases) == ["AVD-DS-0002", "DS002"])
    }

    /// Trivy 0.28's SARIF locates an image's vulnerabilities at the tagged image: an image, not a
    /// file, and without its tag in the identity, so the next release of the image keeps every
    /// fingerprint (found by a review: 19 of 23 findings new with the tag).
    @Test(.enabled(if: Corpus.isAvailable))
    func trivysSARIFImageTagIsNotInTheIdentity() throws {
        let url = Corpus.directory.appendingPathComponent("sarif/trivy-action__image-sarif@v0.28.1.sarif")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("knqyf263/vuln-image:1.2.3"))
        let before = try Corpus.parse(bytes: Array(text.utf8), name: "before.sarif")
        let after = try Corpus.parse(
            bytes: Array(text.replacingOccurrences(of: "vuln-image:1.2.3", with: "vuln-image:1.2.4").utf8),
            name: "after.sarif")
        #expect(Set(before.findings.map(\.fingerprint)) == Set(after.findings.map(\.fingerprint)))
        let imageFinding = try #require(before.findings.first { $0.locations.first?.image != nil })
        #expect(imageFinding.locations.first?.image == ImageReference(repository: "knqyf263/vuln-image", tag: "1.2.3"))
        #expect(imageFinding.locations.first?.path == nil)
        // Its lock files stay files, and so do paths that are no image reference (found by the
        // third diff review).
        #expect(before.findings.contains { $0.locations.first?.path == "rust-app/Cargo.lock" })
        for file in ["node_modules/.pnpm/lodash@4.17.20", #"C:\\proj\\package-lock.json"#, "lib/app.jar:1", "src/a:-b"]
        {
            let written = file.replacingOccurrences(of: #"\"#, with: #"\\"#)
            let other = try Corpus.parse(
                bytes: Array(text.replacingOccurrences(of: "knqyf263/vuln-image:1.2.3", with: written).utf8),
                name: "file.sarif")
            #expect(other.findings.contains { $0.locations.first?.path == file }, "\(file)")
        }
    }

    /// ZAP's own SARIF with no result is the scan that checked nothing its XML report is: judged
    /// by `empty-scans`, and its run left out of the SARIF file (found by a review).
    @Test(.enabled(if: Corpus.isAvailable))
    func aZAPRunWithoutResultsMayHaveCheckedNothing() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/rapidast__zap-report.sarif"))
        #expect(report.findings.isEmpty)
        #expect(report.unprovenScanTools == ["ZAP"])
        #expect(report.emptyScans.first?.reason.contains("ZAP's run lists no result") == true)
        #expect(report.warnings.contains { $0.hasPrefix("ZAP's run lists no result") })
    }

    @Test("SARIF 2.0.0 is refused, naming the version")
    func wrongVersion() {
        let error = parseError(#"{"version": "2.0.0", "runs": []}"#)
        #expect(error?.message.contains("\"2.0.0\"") == true)
        #expect(error?.jsonPath == "$.version")
    }

    @Test("runs that is not an array is refused with its path and line")
    func runsNotAnArray() {
        let error = parseError("{\"version\": \"2.1.0\",\n\"runs\": {}}")
        #expect(error?.jsonPath == "$.runs")
        #expect(error?.line == 2)
        #expect(error?.message.contains("an array") == true)
    }

    @Test("a result that is a string is refused with its path")
    func resultNotAnObject() {
        let error = parseError(
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": ["oops"]}]}"#)
        #expect(error?.jsonPath == "$.runs[0].results[0]")
        #expect(error?.message.contains("an object") == true)
    }

    @Test("an unknown level is refused with its path")
    func unknownLevel() {
        let error = parseError(
            #"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "A", "#
                + #""level": "fatal", "message": {"text": "m"}}]}]}"#)
        #expect(error?.jsonPath == "$.runs[0].results[0].level")
        #expect(error?.message.contains("fatal") == true)
    }

    @Test("a run without a driver name is refused")
    func missingDriverName() {
        let error = parseError(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}"#)
        #expect(error?.jsonPath == "$.runs[0].tool.driver")
    }

    /// SARIF 3.27.10: how the run configured a rule comes before the rule's default level, and
    /// a result's own level before both.
    @Test("an invocation's rule configuration override sets the level")
    func ruleConfigurationOverrides() throws {
        let json = """
            {"version": "2.1.0", "runs": [{
              "tool": {"driver": {"name": "lint", "rules": [
                {"id": "js/eval", "defaultConfiguration": {"level": "note"}},
                {"id": "js/todo", "defaultConfiguration": {"level": "note"}},
                {"id": "js/alert", "defaultConfiguration": {"level": "note"}}]}},
              "invocations": [
                {"executionSuccessful": true, "ruleConfigurationOverrides": [
                  {"descriptor": {"id": "js/eval"}, "configuration": {"level": "warning"}},
                  {"descriptor": {"index": 2}, "configuration": {"level": "error"}}]},
                {"executionSuccessful": true, "ruleConfigurationOverrides": [
                  {"descriptor": {"id": "js/eval"}, "configuration": {"level": "error"}}]}],
              "results": [
                {"ruleId": "js/eval", "message": {"text": "eval"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js"}}}]},
                {"ruleId": "js/todo", "message": {"text": "todo"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js"}}}]},
                {"ruleId": "js/alert", "message": {"text": "alert"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js"}}}]},
                {"ruleId": "js/eval", "level": "note", "message": {"text": "eval again"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "b.js"}}}]}]}]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "overrides.sarif")
        let severities = Dictionary(
            report.findings.map { ($0.detail ?? "", $0.severity) }, uniquingKeysWith: { first, _ in first })
        #expect(severities["eval"] == .high)  // the most severe of two invocations' overrides
        #expect(severities["todo"] == .low)  // no override: the rule's default
        #expect(severities["alert"] == .high)  // override by the rule's index
        #expect(severities["eval again"] == .low)  // the result's own level first
    }

    /// The rules of CodeQL-style runs live in extensions: an override naming an extension's rule
    /// sets its level, and an override of the driver's rule of the same id does not (found by a
    /// review: the first was ignored, the second applied to the extension's rule).
    @Test("overrides of an extension's rules apply to that extension's rules only")
    func extensionRuleOverrides() throws {
        let json = """
            {"version": "2.1.0", "runs": [{
              "tool": {"driver": {"name": "ql", "rules": [{"id": "R1", "defaultConfiguration": {"level": "error"}}]},
                       "extensions": [{"name": "pack", "rules": [
                         {"id": "R1", "defaultConfiguration": {"level": "error"}},
                         {"id": "R2", "defaultConfiguration": {"level": "note"}}]}]},
              "invocations": [{"executionSuccessful": true, "ruleConfigurationOverrides": [
                {"descriptor": {"id": "R1"}, "configuration": {"level": "note"}},
                {"descriptor": {"index": 1, "toolComponent": {"index": 0}}, "configuration": {"level": "error"}}]}],
              "results": [
                {"ruleId": "R1", "rule": {"id": "R1", "toolComponent": {"index": 0}}, "message": {"text": "ext R1"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js"}}}]},
                {"ruleId": "R2", "rule": {"id": "R2", "toolComponent": {"index": 0}}, "message": {"text": "ext R2"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js"}}}]},
                {"ruleId": "R1", "message": {"text": "driver R1"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.js"}}}]}]}]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "ext.sarif")
        let severities = Dictionary(
            report.findings.map { ($0.detail ?? "", $0.severity) }, uniquingKeysWith: { first, _ in first })
        #expect(severities["ext R1"] == .high)  // the driver's override is not the extension rule's
        #expect(severities["ext R2"] == .high)  // the extension's own override
        #expect(severities["driver R1"] == .low)  // the driver's override of its rule
    }

    /// Verdicts that left real problems as `info`: a result of kind `open` or `review` (SARIF
    /// fixes their level at `none`), a word of no severity on the rule beside the result's
    /// `error`; and ones that were not read: a rule named only by its `guid`, ShiftLeft's and
    /// Bandit's `issue_severity` (found by a review).
    @Test("undecided kinds, contradicting words, guid rules and issue_severity are read fail-closed")
    func verdictsThatLeftProblemsAsInfo() throws {
        let json = """
            {"version": "2.1.0", "runs": [{
              "tool": {"driver": {"name": "sast", "rules": [
                {"id": "R-info", "properties": {"severity": "info"}},
                {"id": "R-none", "properties": {"security-severity": "none"}},
                {"id": "R-guid", "guid": "11111111-2222-3333-4444-555555555555",
                 "defaultConfiguration": {"level": "error"}},
                {"id": "R-plain"}]}},
              "invocations": [{"executionSuccessful": true}],
              "results": [
                {"ruleId": "R-plain", "kind": "open", "level": "none", "message": {"text": "open"}},
                {"ruleId": "R-plain", "kind": "review", "message": {"text": "review"}},
                {"ruleId": "R-plain", "kind": "open", "level": "error", "message": {"text": "open error"}},
                {"ruleId": "R-info", "level": "error", "message": {"text": "info word"}},
                {"ruleId": "R-none", "level": "warning", "message": {"text": "none word"}},
                {"ruleId": "R-info", "level": "note", "message": {"text": "info word, note"}},
                {"rule": {"guid": "11111111-2222-3333-4444-555555555555"}, "message": {"text": "by guid"}},
                {"ruleId": "R-plain", "level": "error", "properties": {"issue_severity": "CRITICAL"},
                 "message": {"text": "shiftleft"}}]}]}
            """
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "verdicts.sarif")
        let findings = Dictionary(
            report.findings.map { ($0.detail ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(findings["open"]?.severity == .unknown)
        #expect(findings["review"]?.severity == .unknown)
        #expect(findings["open error"]?.severity == .high)
        #expect(findings["info word"]?.severity == .high)
        #expect(findings["none word"]?.severity == .medium)
        #expect(findings["info word, note"]?.severity == .info)  // no contradiction: the word stands
        #expect(findings["by guid"]?.ruleID == "R-guid")
        #expect(findings["by guid"]?.severity == .high)
        #expect(findings["shiftleft"]?.severity == .critical)
        #expect(findings["shiftleft"]?.ratings.first?.label == "issue_severity CRITICAL")
    }

    /// dependency-check writes `level: error` on every result; a CVE's severity is its CVSS
    /// (`cvssv3_baseSeverity`, else `cvssv2_severity`), kept with the score (found by a review:
    /// every CVE of the corpus file read high where the tool says medium).
    @Test("dependency-check's CVSS severity, not its blanket level", .enabled(if: Corpus.isAvailable))
    func dependencyCheckCVSSSeverity() throws {
        let report = try Corpus.parse(
            Corpus.directory.appendingPathComponent("sarif/defectdojo__dependency_check.sarif"))
        let cves = report.findings.filter { $0.ruleID.hasPrefix("CVE-") }
        try #require(cves.count == 9)
        #expect(cves.allSatisfy { $0.severity == .medium }, "\(cves.map(\.severity))")
        let rating = try #require(cves.first { $0.ruleID == "CVE-2015-9251" }?.ratings.first)
        #expect(rating.label == "cvssv3_baseSeverity MEDIUM")
        #expect(rating.cvss == [CVSSScore(version: .v3, vector: nil, score: 6.1)])
        // RetireJS's unscored severities beside the same `error` stay as written.
        #expect(
            report.findings.filter { !$0.ruleID.hasPrefix("CVE-") }.map(\.severity).sorted() == [
                .low, .medium, .medium, .medium,
            ])

        let onlyV2 = try Corpus.parse(
            bytes: Array(
                #"""
                {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "dependency-check"}}, "results": [
                  {"ruleId": "CVE-2012-0001", "level": "error", "message": {"text": "old"},
                   "properties": {"cvssv2_score": 9.3, "cvssv2_severity": "HIGH", "source": "NVD"}}]}]}
                """#.utf8), name: "v2.sarif")
        #expect(onlyV2.findings.first?.severity == .high)
        #expect(onlyV2.findings.first?.ratings.first?.cvss == [CVSSScore(version: .v2, vector: nil, score: 9.3)])
    }

    private func parseError(_ json: String) -> ReportError? {
        do {
            _ = try Corpus.parse(bytes: Array(json.utf8), name: "bad.sarif")
            return nil
        } catch let error as ReportError {
            return error
        } catch {
            return nil
        }
    }
}

/// Counts what a SARIF file should yield, written independently of the adapter with
/// `JSONSerialization`: results per run that report a problem, how many of them are suppressed,
/// and the severity each one should get.
private struct IndependentSARIFCount {
    var firstToolName = "sarif"
    var findings = 0
    var suppressed = 0
    var severities: [String: Int] = [:]

    init(url: URL) throws {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let runs = root["runs"] as? [[String: Any]] ?? []
        for (position, run) in runs.enumerated() {
            let tool = run["tool"] as? [String: Any]
            let driver = tool?["driver"] as? [String: Any] ?? [:]
            if position == 0 { firstToolName = driver["name"] as? String ?? "" }
            let rules = driver["rules"] as? [[String: Any]] ?? []
            for result in run["results"] as? [[String: Any]] ?? [] {
                if let kind = result["kind"] as? String, ["pass", "notApplicable", "informational"].contains(kind) {
                    continue
                }
                if result["baselineState"] as? String == "absent" { continue }
                findings += 1
                let suppressions = result["suppressions"] as? [[String: Any]] ?? []
                // SARIF 2.1.0 §3.27.23: suppressed when every suppression is accepted (the default).
                if !suppressions.isEmpty,
                    suppressions.allSatisfy({ ($0["status"] as? String ?? "accepted") == "accepted" })
                {
                    suppressed += 1
                }
                let rule = Self.rule(for: result, in: rules)
                severities[Self.expectedSeverity(result: result, rule: rule), default: 0] += 1
            }
        }
    }

    private static func rule(for result: [String: Any], in rules: [[String: Any]]) -> [String: Any]? {
        if let index = result["ruleIndex"] as? Int, rules.indices.contains(index) { return rules[index] }
        guard let id = result["ruleId"] as? String else { return nil }
        return rules.first { $0["id"] as? String == id }
    }

    /// GitHub's bands for `security-severity`, else the SARIF level mapping.
    private static func expectedSeverity(result: [String: Any], rule: [String: Any]?) -> String {
        // The higher of the result's and the rule's scores; one outside 0.1–10 is none.
        var best: Double?
        for properties in [result["properties"], rule?["properties"]].compactMap({ $0 as? [String: Any] }) {
            var score: Double?
            if let text = properties["security-severity"] as? String {
                score = Double(text)
            } else if let number = properties["security-severity"] as? NSNumber {
                score = number.doubleValue
            }
            guard let score, score >= 0.1, score <= 10 else { continue }
            best = max(best ?? score, score)
        }
        if let best {
            switch best {
            case 9.0...: return "critical"
            case 7.0...: return "high"
            case 4.0...: return "medium"
            default: return "low"
            }
        }
        // Then a severity word: in security-severity, in dependency-check's CVSS severity (v3,
        // else v2), in properties.severity, among the rule's tags.
        let words = [
            "critical": 5, "high": 4, "medium": 3, "moderate": 3, "low": 2, "info": 1, "none": 1, "unknown": 0,
        ]
        let tags = (rule?["properties"] as? [String: Any])?["tags"] as? [String] ?? []
        // `severity` and `issue_severity` (Bandit, ShiftLeft scan) are one step.
        for keys in [["security-severity"], ["cvssv3_baseSeverity"], ["severity", "issue_severity"], ["tags"]] {
            let key = keys[0]
            var texts = [result["properties"], rule?["properties"]].flatMap { properties in
                keys.compactMap { (properties as? [String: Any])?[$0] as? String }
            }
            if key == "cvssv3_baseSeverity" {
                texts = [result["properties"], rule?["properties"]].compactMap { properties in
                    let properties = properties as? [String: Any]
                    return properties?["cvssv3_baseSeverity"] as? String ?? properties?["cvssv2_severity"] as? String
                }
            }
            if key == "tags" { texts = tags.filter { !["none", "info"].contains($0.lowercased()) } }
            let found = texts.compactMap { words[$0.lowercased()] }
            if let worst = found.max() {
                return words.first { $0.value == worst && $0.key != "moderate" && $0.key != "none" }?.key ?? ""
            }
        }
        let defaultConfiguration = rule?["defaultConfiguration"] as? [String: Any]
        let level = result["level"] as? String ?? defaultConfiguration?["level"] as? String ?? "warning"
        return ["error": "high", "warning": "medium", "note": "low", "none": "info"][level] ?? "unexpected \(level)"
    }
}

@Suite("SARIF adapter: advisory ids inside rule ids")
struct SARIFEmbeddedAdvisoryTests {
    @Test(.enabled(if: Corpus.isAvailable))
    func grypeRulesNamedAfterACVEAreVulnerabilities() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/defectdojo__cxf-3.4.6.sarif"))
        #expect(!report.findings.isEmpty)
        for finding in report.findings {
            #expect(finding.kind == .vulnerability)
            #expect(Identifiers.isCVE(finding.ruleID) || Identifiers.isGHSA(finding.ruleID), "\(finding.ruleID)")
            // The tool's own rule id stays findable as an alias and in the provenance.
            #expect(finding.provenance.first.map { $0.rawID.hasPrefix(finding.ruleID) } == true)
        }
    }

    @Test func leadingAdvisoryIDs() {
        #expect(SARIFAdapter.leadingAdvisoryID("CVE-2008-0732-geronimo-j2ee") == "CVE-2008-0732")
        #expect(SARIFAdapter.leadingAdvisoryID("GHSA-35jh-r3h4-6jhm-lodash") == "GHSA-35jh-r3h4-6jhm")
        #expect(SARIFAdapter.leadingAdvisoryID("CVE-2021-44228") == "CVE-2021-44228")
        #expect(SARIFAdapter.leadingAdvisoryID("js/xss") == nil)
        #expect(SARIFAdapter.leadingAdvisoryID("CVE-20-1") == nil)
    }
}

/// Trivy's SARIF names the image it scanned in the run's properties: the release gate matches
/// it as it does a Trivy JSON image report.
@Suite("SARIF scanned images")
struct SARIFScannedImageTests {
    @Test(.enabled(if: Corpus.isAvailable, "needs ../shared/corpus"))
    func trivySARIFNamesTheImageByItsConfigDigest() throws {
        let withID = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/trivy__alpine-310.sarif"))
        #expect(
            withID.scannedImages == [
                ScannedImage(
                    report: Corpus.directory.appendingPathComponent("sarif/trivy__alpine-310.sarif").path,
                    name: "testdata/fixtures/images/alpine-310.tar.gz", manifestDigests: [],
                    configDigest: "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4")
            ])
        // Neither digest nor id (a tarball scanned by an older Trivy): nothing to match.
        let without = try Corpus.parse(Corpus.directory.appendingPathComponent("sarif/trivy__alpine-310@2023-04.sarif"))
        #expect(without.scannedImages.isEmpty)
    }

    /// `require-scan` asks for Trivy image reports: another tool's run scans no image, whatever
    /// its properties say (an eslint run with no result naming the release's digest vouched
    /// for it). Trivy names its driver `Trivy`; the case does not matter.
    @Test func onlyTrivyRunsNameTheImageTheyScanned() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let config = "sha256:" + String(repeating: "b", count: 64)
        func run(_ driver: String) -> [UInt8] {
            Array(
                (#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"\#(driver)"}},"results":[],"#
                    + #""properties":{"repoDigests":["x@\#(digest)"],"imageID":"\#(config)"}}]}"#).utf8)
        }
        for driver in ["eslint", "Semgrep", "Trivy Vulnerability Scanner", "trivy-action"] {
            let parsed = try Corpus.parse(bytes: run(driver))
            #expect(parsed.scannedImages.isEmpty, "\(driver)")
        }
        for driver in ["Trivy", "trivy", "TRIVY"] {
            let parsed = try Corpus.parse(bytes: run(driver))
            #expect(parsed.scannedImages.map(\.manifestDigests) == [[digest]], "\(driver)")
            #expect(parsed.scannedImages.map(\.configDigest) == [config], "\(driver)")
        }
        // One log, two runs: only the Trivy run's image is scanned.
        let mixed = Array(
            (#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"eslint"}},"results":[],"#
                + #""properties":{"repoDigests":["x@\#(digest)"]}},{"tool":{"driver":{"name":"Trivy"}},"results":[],"#
                + #""properties":{"imageID":"\#(config)"}}]}"#).utf8)
        let parsed = try Corpus.parse(bytes: mixed)
        #expect(parsed.scannedImages.map(\.configDigest) == [config])
        #expect(parsed.scannedImages.allSatisfy { $0.manifestDigests.isEmpty })
    }

    @Test func propertiesOfOtherShapesAreNoImageAndNoError() throws {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        func run(_ properties: String) -> String {
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Trivy"}},"results":[],"properties":"#
                + properties + "}]}"
        }
        let named = try Corpus.parse(bytes: Array(run(#"{"repoDigests":["r/app@\#(digest)"],"imageID":null}"#).utf8))
        #expect(named.scannedImages.map(\.manifestDigests) == [[digest]])
        for properties in [#"{"repoDigests":"r/app@\#(digest)"}"#, #"{"imageID":42}"#, "[]", "null"] {
            let parsed = try Corpus.parse(bytes: Array(run(properties).utf8))
            #expect(parsed.scannedImages.isEmpty, "\(properties)")
        }
    }
}
