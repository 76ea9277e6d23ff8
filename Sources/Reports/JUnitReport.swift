import Findings

/// JUnit XML for CI test reporters (`scangate report --format junit`): the shape Jenkins,
/// GitLab, Azure DevOps and the GitHub test-report actions read.
///
/// ```xml
/// <testsuites name="scangate" tests="…" failures="…" errors="0" skipped="…" time="0">
///   <testsuite name="trivy" tests="…" failures="…" errors="0" skipped="…" time="0">
///     <testcase name="CVE-2021-23337 lodash 4.17.15" classname="scangate.trivy.vulnerability" time="0">
///       <failure message="…" type="high">…</failure>          (the gate fails it)
///       <skipped message="waived: …"/>                        (waived, VEX, ignored, suppressed)
///     </testcase>
/// ```
///
/// One test suite per tool (a finding several tools reported is in the suite named by all of
/// them, `npm-audit+trivy`, so nothing is counted twice); one test case per finding.
/// With a gate decision, a case fails where the gate fails it and is skipped where a waiver,
/// VEX statement, rule or tool took it out; warnings and passes are passed cases (warnings
/// carry their reason in `system-out`). Without a decision, every open finding is a failure
/// and every suppressed one skipped. A report whose reader warned (it checked nothing, or part
/// of its scan failed) is a skipped case of its own, in the suite `scangate.report-warnings`,
/// with or without a decision; so is each of the gate's other warnings, in
/// `scangate.gate-warnings`. No timestamps: the output is deterministic.
public enum JUnitReport {
    public static func render(_ content: ReportContent) -> String {
        var suites: [String: [Finding]] = [:]
        for finding in content.findings.all {
            suites[suiteName(finding), default: []].append(finding)
        }
        let names = suites.keys.sorted()
        let members = names.flatMap { name in
            (suites[name] ?? []).map { (suite: name, finding: $0, className: className($0)) }
        }
        let caseNames = uniqueCaseNames(members.map { (finding: $0.finding, className: $0.className) })
        var cases: [String: [TestCase]] = [:]
        for (member, caseName) in zip(members, caseNames) {
            cases[member.suite, default: []].append(
                testCase(member.finding, className: member.className, name: caseName, content: content))
        }
        let emptyScans = (content.gate?.emptyScanFailures ?? []).map(emptyScanCase)
        let warned = content.reports.filter { !$0.warnings.isEmpty }.map(reportWarningsCase)
        let gateWarned = gateWarningCases(content.gateOnlyWarnings)
        let all = cases.values.flatMap { $0 } + emptyScans + warned + gateWarned
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"scangate\"" + counts(all) + ">\n"
        for name in names {
            let members = cases[name] ?? []
            xml += "  <testsuite name=\"\(attribute(name))\"" + counts(members) + ">\n"
            if let gate = content.gate {
                xml += "    <properties>\n"
                xml += "      <property name=\"policy\" value=\"\(attribute(gate.policyFile))\"/>\n"
                xml += "      <property name=\"environment\" value=\"\(attribute(gate.environment))\"/>\n"
                xml += "      <property name=\"decision\" value=\"\(gate.passed ? "pass" : "fail")\"/>\n"
                xml += "    </properties>\n"
            }
            for testCase in members { xml += testCase.xml }
            xml += "  </testsuite>\n"
        }
        // ScanGate's own suites, after the tools', each only when it has a case.
        for (name, members) in [
            (emptyScanSuite, emptyScans), (reportWarningsSuite, warned), (gateWarningsSuite, gateWarned),
        ]
        where !members.isEmpty {
            xml += "  <testsuite name=\"\(name)\"" + counts(members) + ">\n"
            for testCase in members { xml += testCase.xml }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// The suite of the reports that checked nothing and fail the decision: apart from the
    /// tools' suites, after them.
    static let emptyScanSuite = "scangate.empty-scans"

    /// A failing case for one report that checked nothing, named by the report, so a CI
    /// reporter shows what fails though no finding does.
    private static func emptyScanCase(_ failure: ReportGate.EmptyScanFailure) -> TestCase {
        let name = failure.report
        var xml = "    <testcase name=\"\(attribute(clip(name, 400)))\" classname=\"\(emptyScanSuite)\" time=\"0\">\n"
        xml += "      <failure message=\"\(attribute(clip(failure.reason, 1000)))\" type=\"empty-scan\">"
        xml += ReportEscaping.xml(failure.reason) + "</failure>\n"
        xml += "    </testcase>\n"
        return TestCase(result: .failed, xml: xml)
    }

    /// The suite of the reports whose reader warned (a scan that checked nothing, a part of the
    /// scan that failed and was accepted with `--allow-incomplete`): after the others.
    static let reportWarningsSuite = "scangate.report-warnings"

    /// A skipped case for one report whose reader warned, named by the report: what the scan
    /// did not check is not a pass, and a CI reporter showing `0 tests` would say nothing. The
    /// message is the first warning; the element's text holds every one.
    private static func reportWarningsCase(_ report: ReportSummary) -> TestCase {
        let count = report.warnings.count
        var message = report.warnings.first ?? ""
        if count > 1 { message = clip(message, 900) + " (and \(count - 1) more warning\(count == 2 ? "" : "s"))" }
        var xml = "    <testcase name=\"\(attribute(clip(report.file, 400)))\" classname=\"\(reportWarningsSuite)\" "
        xml += "time=\"0\">\n"
        xml += "      <skipped message=\"\(attribute(clip(message, 1000)))\">"
        xml += ReportEscaping.xml(report.warnings.joined(separator: "\n")) + "</skipped>\n"
        xml += "    </testcase>\n"
        return TestCase(result: .skipped, xml: xml)
    }

    /// The suite of the gate's own warnings (``ReportContent/gateOnlyWarnings``: signatures not
    /// verified, waivers expiring, expired, stale or not applied, severity sources that
    /// disagree): last.
    static let gateWarningsSuite = "scangate.gate-warnings"

    /// A skipped case per gate warning, named by its text (cut to 300 characters; a repeat is
    /// left out): what a person should act on is seen where the CI shows test results, not only
    /// in the step's log.
    private static func gateWarningCases(_ warnings: [String]) -> [TestCase] {
        var named: Set<String> = []
        return warnings.compactMap { warning in
            let name = clip(warning, 300)
            guard named.insert(attribute(name)).inserted else { return nil }
            var xml = "    <testcase name=\"\(attribute(name))\" classname=\"\(gateWarningsSuite)\" time=\"0\">\n"
            xml += "      <skipped message=\"\(attribute(clip(warning, 1000)))\">"
            xml += ReportEscaping.xml(warning) + "</skipped>\n"
            xml += "    </testcase>\n"
            return TestCase(result: .skipped, xml: xml)
        }
    }

    static func suiteName(_ finding: Finding) -> String {
        let tools = finding.tools
        return tools.isEmpty ? "scangate" : tools.joined(separator: "+")
    }

    private enum Result {
        case passed, failed, skipped
    }

    private struct TestCase {
        var result: Result
        var xml: String
    }

    private static func counts(_ cases: [TestCase]) -> String {
        let failures = cases.count { $0.result == .failed }
        let skipped = cases.count { $0.result == .skipped }
        return " tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"0\""
    }

    /// Each finding's case name, no two alike as the XML shows them.
    ///
    /// Test reporters key a case by class name and name (GitLab keeps one of each), and what they
    /// read is the escaped text: controls and bidirectional controls are U+FFFD there, so `R\u{1}`
    /// and `R\u{2}` are one name. A name shown more than once gets the finding's fingerprint
    /// (its first 12 digits; all of them should that meet another case's name), so no case hides
    /// another.
    private static func uniqueCaseNames(_ members: [(finding: Finding, className: String)]) -> [String] {
        func shown(_ className: String, _ name: String) -> String { attribute(className) + "\u{0}" + attribute(name) }
        let names = members.map { caseName($0.finding) }
        var counts: [String: Int] = [:]
        for (member, name) in zip(members, names) { counts[shown(member.className, name), default: 0] += 1 }
        var taken: Set<String> = []
        return zip(members, names).map { member, name in
            var unique = name
            if (counts[shown(member.className, name)] ?? 0) > 1 {
                unique += " [\(member.finding.fingerprint.prefix(12))]"
            }
            if !taken.insert(shown(member.className, unique)).inserted {
                unique = name + " [\(member.finding.fingerprint)]"
                taken.insert(shown(member.className, unique))
            }
            return unique
        }
    }

    /// A case's name: the id, the package or place (a file with its first line), the title.
    private static func caseName(_ finding: Finding) -> String {
        var name = finding.ruleID
        if let package = finding.package {
            name += " " + package.name + (package.installedVersion.map { " " + $0 } ?? "")
        } else if let location = finding.locations.first {
            if let place = location.path ?? location.url ?? location.resource ?? location.target {
                name += " " + place + (location.path != nil ? location.startLine.map { ":\($0)" } ?? "" : "")
            }
        } else if let instance = finding.instances.first {
            name += " " + instance.uri
        }
        if !finding.title.isEmpty { name += ": " + clip(finding.title, 200) }
        return name
    }

    private static func className(_ finding: Finding) -> String {
        "scangate.\(suiteName(finding)).\(finding.kind.rawValue)"
    }

    private static func testCase(_ finding: Finding, className classname: String, name: String, content: ReportContent)
        -> TestCase
    {
        let outcome = content.gate?.outcomes[finding.fingerprint]
        let severity = outcome?.severity ?? finding.severity
        let result: Result
        var message: String
        if let outcome {
            message = "\(outcome.outcome.rawValue): \(outcome.reasonWithHiddenVerdict)"
            switch outcome.outcome {
            case .fail: result = .failed
            case .warn, .pass: result = .passed
            case .waived, .vexSuppressed, .ignored, .suppressedByTool: result = .skipped
            }
        } else if let suppression = finding.suppression {
            result = .skipped
            message = "suppressed by \(suppression.source) (\(suppression.status))"
        } else {
            result = .failed
            message = "\(severity.rawValue) \(finding.kind.rawValue) \(finding.ruleID)"
        }
        if content.diff?.isNew(finding.fingerprint) == true { message += " [new]" }
        var xml = "    <testcase name=\"\(attribute(name))\" classname=\"\(attribute(classname))\" time=\"0\">\n"
        switch result {
        case .failed:
            xml += "      <failure message=\"\(attribute(clip(message, 1000)))\" type=\"\(severity.rawValue)\">"
            xml += ReportEscaping.xml(body(finding, severity: severity)) + "</failure>\n"
        case .skipped:
            xml += "      <skipped message=\"\(attribute(clip(message, 1000)))\"/>\n"
        case .passed:
            if let outcome, outcome.outcome == .warn {
                xml += "      <system-out>" + ReportEscaping.xml(message + "\n\n" + body(finding, severity: severity))
                xml += "</system-out>\n"
            }
        }
        xml += "    </testcase>\n"
        return TestCase(result: result, xml: xml)
    }

    /// How many locations and references a case lists; the rest are counted, not dropped unsaid.
    static let listedPerField = 10

    /// The line saying how many of `count` items a case leaves out (`… and 80 more references are
    /// in the findings JSON.`), or nil when it lists them all.
    private static func leftOut(_ count: Int, _ noun: String) -> String? {
        let more = count - listedPerField
        guard more > 0 else { return nil }
        return "… and \(more) more \(noun)\(more == 1 ? " is" : "s are") in the findings JSON."
    }

    /// The details a person reads in the CI reporter: the first ``listedPerField`` locations and
    /// references, and how many more there are.
    private static func body(_ finding: Finding, severity: Severity) -> String {
        var lines = ["\(severity.rawValue) \(finding.kind.rawValue) \(finding.ruleID)"]
        if !finding.aliases.isEmpty { lines.append("aliases: " + finding.aliases.joined(separator: ", ")) }
        if let package = finding.package {
            lines.append(
                "package: \(package.ecosystem) \(package.name) \(package.installedVersion ?? "(version not stated)")")
            if !package.fixedVersions.isEmpty {
                lines.append("fixed in: " + package.fixedVersions.joined(separator: ", "))
            }
        }
        for location in finding.locations.prefix(listedPerField) {
            let parts = [location.image?.repository, location.target, location.path, location.resource, location.url]
            lines.append("at: " + parts.compactMap { $0 }.joined(separator: " "))
        }
        if let more = leftOut(finding.locations.count, "location") { lines.append(more) }
        if let description = finding.description { lines += ["", clip(description, 4000)] }
        if !finding.references.isEmpty {
            lines.append("")
            lines += finding.references.prefix(listedPerField)
            if let more = leftOut(finding.references.count, "reference") { lines.append(more) }
        }
        lines.append("fingerprint: \(finding.fingerprint)")
        return lines.joined(separator: "\n")
    }

    private static func attribute(_ text: String) -> String { ReportEscaping.xml(text, attribute: true) }

    private static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}
