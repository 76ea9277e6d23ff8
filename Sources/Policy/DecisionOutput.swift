import Findings
import Foundation
import ScanGateJSON

/// The decision as text for a person: each image's signature verdict (when evidence was
/// given), every failing, warning, waived and VEX-suppressed finding with the rule,
/// threshold, waiver or statement that decided, the warnings, and one last line with the
/// decision and the counts.
public enum DecisionText {
    /// The decision as text, header to summary line.
    ///
    /// - Parameters:
    ///   - limit: at most this many findings listed per verdict (failing, warning, waived,
    ///     VEX-suppressed); each longer list ends with one line counting the rest and saying
    ///     `whereListed` (where every verdict can be read). Nil lists every finding.
    ///   - whereListed: where every verdict can be read, e.g. `every one is in out/decision.json`.
    public static func render(_ decision: Decision, listingAtMost limit: Int? = nil, whereListed: String = "")
        -> String
    {
        var lines: [String] = []
        var header = "scangate gate: policy \(decision.policyFile)"
        if decision.policyFiles.count > 1 {
            header += " (extends \(decision.policyFiles.dropFirst().joined(separator: ", ")))"
        }
        header += ", environment \(decision.environment), date \(decision.today)"
        lines.append(header.printableLine)
        if let baseline = decision.baseline { lines.append("baseline: \(baseline)".printableLine) }
        // Printable already, line by line.
        lines += verdictLines(decision, listingAtMost: limit, whereListed: whereListed)
        lines.append("")
        lines.append(summaryLine(decision).printableLine)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The body of ``render(_:)`` without its header and summary line, for commands that
    /// show the decision under their own: the images' signature verdicts, the findings'
    /// verdicts by group (each group after an empty line), the `max:` counts exceeded, the
    /// warnings, and a `FAIL` line per report that checked nothing under `empty-scans: fail`. `limit` and `whereListed` as in ``render(_:listingAtMost:whereListed:)``.
    public static func verdictLines(_ decision: Decision, listingAtMost limit: Int? = nil, whereListed: String = "")
        -> [String]
    {
        var lines: [String] = []
        if decision.signatures.judged { lines.append("") }
        for verdict in decision.signatures.verdicts { lines += describe(verdict) }
        // Suppressed by a tool too: a scanner's ignore file decides unseen otherwise.
        let shown: [Verdict: String] = [
            .fail: "FAIL", .warn: "WARN", .waived: "WAIVED", .vexSuppressed: "VEX", .suppressedByTool: "MUTED",
        ]
        var previous: Verdict?
        var listed = 0
        var unlisted = 0
        func countUnlisted() {
            guard let previous, unlisted > 0 else { return }
            lines.append("... \(unlisted) more \(noun(previous, unlisted)) not listed here; \(whereListed)")
        }
        // Verdicts come grouped (fail, warn, waived, VEX, suppressed by a tool), most severe first within a
        // group.
        for verdict in decision.verdicts {
            guard let label = shown[verdict.verdict] else { continue }
            if previous != verdict.verdict {
                countUnlisted()
                lines.append("")
                listed = 0
                unlisted = 0
            }
            previous = verdict.verdict
            if let limit, listed >= limit {
                unlisted += 1
                continue
            }
            listed += 1
            lines += describe(verdict, label: label, withBaseline: decision.baseline != nil)
        }
        countUnlisted()
        let exceeded = decision.maxCounts.filter(\.exceeded)
        if !exceeded.isEmpty || !decision.warnings.isEmpty { lines.append("") }
        for check in exceeded {
            lines.append(
                "max \(check.severity): \(check.count) remain, the policy allows \(check.limit.value) "
                    + "(\(check.limit.source))")
        }
        for warning in decision.warnings { lines.append("warning: \(warning)") }
        // Last, next to the summary line that counts them: what fails the decision though no
        // finding does.
        let emptyScans = decision.failingEmptyScans
        if !emptyScans.isEmpty { lines.append("") }
        for scan in emptyScans { lines.append("FAIL".padded(toWidth: 8) + "report " + scan.reason.text) }
        // One finding, one warning: one line each, whatever line breaks report text holds.
        return lines.map(\.printableLine)
    }

    /// `failing findings`, `warning`, … for a count of verdicts.
    private static func noun(_ verdict: Verdict, _ count: Int) -> String {
        let plural = count == 1 ? "" : "s"
        switch verdict {
        case .fail: return "failing finding" + plural
        case .warn: return "warning" + plural
        case .waived: return "waived finding" + plural
        case .vexSuppressed: return "VEX-suppressed finding" + plural
        case .suppressedByTool: return "finding" + plural + " suppressed by tools"
        default: return "finding" + plural
        }
    }

    /// `7 failing, 3 warnings, 0 waived, 1 ignored, 0 VEX-suppressed, 0 suppressed by tools, 5 passed`:
    /// the findings' counts.
    public static func countsLine(_ decision: Decision) -> String {
        let counts = decision.counts
        var line = "\(counts.failing) failing, \(counts.warnings) warning\(counts.warnings == 1 ? "" : "s"), "
        line += "\(counts.waived) waived, \(counts.ignored) ignored, \(counts.vexSuppressed) VEX-suppressed, "
        line += "\(counts.suppressedByTool) suppressed by tools, \(counts.passed) passed"
        return line
    }

    /// `FAIL: 3 failing, 5 warnings, 2 waived, 1 ignored, … (policy staging.yaml, env staging)`;
    /// after the counts, `1 report checked nothing` when such reports fail the decision.
    public static func summaryLine(_ decision: Decision) -> String {
        var line = decision.passed ? "PASS: " : "FAIL: "
        line += countsLine(decision)
        let emptyScans = decision.failingEmptyScans.count
        if emptyScans > 0 { line += ", \(emptyScans) report\(emptyScans == 1 ? "" : "s") checked nothing" }
        let policyName = (decision.policyFile as NSString).lastPathComponent
        line += " (policy \(policyName), env \(decision.environment)"
        switch decision.signatures.status {
        case .notVerified: line += ", signatures NOT verified"
        case .verified: line += ", signatures verified"
        case .notRequired: break
        }
        return line + ")"
    }

    /// An image's signature verdict, shown like a finding's: label and image, then the why.
    /// An image that could not be checked is an `ERROR` (it fails, but asking again may pass).
    private static func describe(_ verdict: SignatureVerdict) -> [String] {
        let indent = "        "
        let label: String
        switch verdict.verdict {
        case .pass: label = "PASS"
        case .fail: label = verdict.evidence.state == .notChecked ? "ERROR" : "FAIL"
        default: label = "WARN"
        }
        var lines = [label.padded(toWidth: 8) + "image " + verdict.evidence.displayName]
        lines.append(indent + verdict.reason.text)
        for note in verdict.evidence.notes { lines.append(indent + note) }
        return lines
    }

    private static func describe(_ verdict: FindingVerdict, label: String, withBaseline: Bool) -> [String] {
        let finding = verdict.finding
        let indent = "        "
        var title = label.padded(toWidth: 8)
        title += verdict.severity.rawValue.padded(toWidth: 9)
        title += "\(finding.kind.rawValue) \(finding.ruleID)"
        if let package = finding.package {
            title += " \(package.name)" + (package.installedVersion.map { " \($0)" } ?? "")
        }
        if withBaseline { title += verdict.isNew ? " [new]" : " [in baseline]" }
        if !finding.title.isEmpty { title += " — \(finding.title)" }
        var lines = [title]
        let places =
            FindingFacts.writtenPaths(of: finding) + FindingFacts.images(of: finding) + FindingFacts.urls(of: finding)
        if let first = places.first {
            let more = places.count > 1 ? " (+\(places.count - 1) more)" : ""
            lines.append(indent + "at \(first)\(more)")
        }
        lines.append(indent + verdict.reason.text)
        if let hidden = verdict.hiddenVerdict { lines.append(indent + "(without the waiver: \(hidden.rawValue))") }
        if verdict.judgedSeverity != finding.severity {
            lines.append(indent + "severity from \(verdict.severitySource); resolved severity \(finding.severity)")
        }
        if !verdict.disagreement.isEmpty {
            lines.append(indent + "sources disagree: " + verdict.disagreement.joined(separator: ", "))
        }
        for note in verdict.notes { lines.append(indent + note) }
        return lines
    }
}

/// The decision as deterministic JSON (`scangate gate --format json`); the shape is
/// documented in `policies/README.md` ("The decision JSON").
public enum DecisionJSON {
    public static let schema = "scangate-gate/1"

    public static func encode(_ decision: Decision) -> [UInt8] {
        // About 1.5 KB per verdict, reserved once rather than grown by doubling.
        var writer = JSONWriter(pretty: true, reservingCapacity: (1 << 14) + 1_536 * decision.verdicts.count)
        write(decision, to: &writer)
        writer.newline()
        return writer.bytes
    }

    /// Writes the decision object where `writer` expects a value, for a command that embeds
    /// the decision in its own document; `includingSummary: false` leaves out the `summary`
    /// member when the command has a summary of its own.
    public static func write(_ decision: Decision, to writer: inout JSONWriter, includingSummary: Bool = true) {
        writer.beginObject()
        writer.field("schema", schema)
        writer.field("decision", decision.passed ? "pass" : "fail")
        if includingSummary { writer.field("summary", DecisionText.summaryLine(decision)) }
        writer.key("policy")
        writer.beginObject()
        writer.field("file", decision.policyFile)
        writer.field("files", decision.policyFiles)
        writer.field("environment", decision.environment)
        writer.endObject()
        writer.field("date", decision.today.description)
        writer.field("baseline", decision.baseline)
        writer.key("counts")
        writer.beginObject()
        for verdict in Verdict.allCases { writer.field(verdict.rawValue, decision.counts[verdict]) }
        writer.endObject()
        writer.key("max")
        writer.beginArray()
        for check in decision.maxCounts {
            writer.beginObject()
            writer.field("severity", check.severity.rawValue)
            writer.field("limit", check.limit.value)
            writer.field("count", check.count)
            writer.field("exceeded", check.exceeded)
            writer.field("source", check.limit.source.description)
            writer.endObject()
        }
        writer.endArray()
        writer.key("signatures")
        writer.beginObject()
        writer.field("required", decision.signatures.policy.required)
        writer.field("status", decision.signatures.status.rawValue)
        writer.field("keys", decision.signatures.policy.resolvedKeys)
        // Only with evidence, so `scangate gate`'s JSON is unchanged.
        if decision.signatures.judged {
            writer.field("requiredBy", decision.signatures.requiredBy)
            writer.key("images")
            writer.beginArray()
            for verdict in decision.signatures.verdicts { write(verdict, to: &writer) }
            writer.endArray()
        }
        writer.endObject()
        writer.key("findings")
        writer.beginArray()
        for verdict in decision.verdicts { write(verdict, to: &writer) }
        writer.endArray()
        writer.key("waivers")
        writer.beginArray()
        for report in decision.waivers {
            writer.beginObject()
            writer.field("source", report.waiver.source.description)
            writer.field("id", report.waiver.id)
            writer.field("state", report.state.rawValue)
            writer.field("appliedTo", report.appliedTo)
            writer.field("expires", report.waiver.expires.description)
            writer.field("severity", report.waiver.severity?.rawValue)
            writer.field("environments", report.waiver.environments)
            writer.endObject()
        }
        writer.endArray()
        writer.field("warnings", decision.warnings)
        writer.key("emptyScans")
        writer.beginArray()
        for scan in decision.emptyScans {
            writer.beginObject()
            writer.field("report", scan.scan.report)
            writer.field("reason", scan.scan.reason)
            writer.field("verdict", scan.verdict.rawValue)
            writer.field("text", scan.reason.text)
            writer.field("source", scan.reason.source?.description)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ verdict: SignatureVerdict, to writer: inout JSONWriter) {
        let image = verdict.evidence
        writer.beginObject()
        writer.field("image", image.reference)
        writer.field("digest", image.digest)
        writer.field("resolvedFromTag", image.resolvedFromTag)
        writer.field("state", image.state.rawValue)
        writer.field("verdict", verdict.verdict.rawValue)
        writer.key("reason")
        writer.beginObject()
        writer.field("kind", verdict.reason.kind.rawValue)
        writer.field("text", verdict.reason.text)
        writer.field("source", verdict.reason.source?.description)
        writer.endObject()
        writer.field("keyId", image.keyID)
        writer.field("notes", image.notes)
        // The reports that scanned this image; null when they were not matched (scangate gate).
        if let scannedBy = image.scannedBy {
            writer.field("scannedBy", scannedBy)
        } else {
            writer.key("scannedBy")
            writer.null()
        }
        writer.field("notScanned", image.notScanned)
        writer.field("failsForScan", verdict.failsForScan)
        writer.endObject()
    }

    private static func write(_ verdict: FindingVerdict, to writer: inout JSONWriter) {
        let finding = verdict.finding
        writer.beginObject()
        writer.field("fingerprint", finding.fingerprint)
        writer.field("kind", finding.kind.rawValue)
        writer.field("id", finding.ruleID)
        writer.field("aliases", finding.aliases)
        writer.field("title", finding.title)
        writer.field("verdict", verdict.verdict.rawValue)
        writer.field("hiddenVerdict", verdict.hiddenVerdict?.rawValue)
        writer.key("reason")
        writer.beginObject()
        writer.field("kind", verdict.reason.kind.rawValue)
        writer.field("text", verdict.reason.text)
        writer.field("source", verdict.reason.source?.description)
        writer.endObject()
        writer.field("severity", verdict.severity.rawValue)
        writer.field("judgedSeverity", verdict.judgedSeverity.rawValue)
        writer.field("severitySource", verdict.severitySource)
        writer.field("resolvedSeverity", finding.severity.rawValue)
        writer.field("disagreement", verdict.disagreement)
        writer.field("new", verdict.isNew)
        writer.key("package")
        if let package = finding.package {
            writer.beginObject()
            writer.field("ecosystem", package.ecosystem)
            writer.field("name", package.name)
            writer.field("installedVersion", package.installedVersion)
            writer.field("purl", package.purl)
            writer.field("fixAvailable", package.fixAvailable)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.field(
            "locations",
            FindingFacts.writtenPaths(of: finding) + FindingFacts.images(of: finding) + FindingFacts.urls(of: finding))
        writer.field("tools", finding.tools)
        writer.key("waiver")
        if let waiver = verdict.waiver {
            writer.beginObject()
            writer.field("source", waiver.source.description)
            writer.field("id", waiver.id)
            writer.field("expires", waiver.expires.description)
            writer.field("approvedBy", waiver.approvedBy)
            writer.field("reason", waiver.reason)
            writer.field("severity", waiver.severity?.rawValue)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("vex")
        if let statement = verdict.vexStatement {
            writer.beginObject()
            writer.field("source", statement.source.description)
            writer.field("status", statement.status.rawValue)
            writer.field("justification", statement.justification)
            writer.field("impactStatement", statement.impactStatement)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.field("notes", verdict.notes)
        writer.endObject()
    }
}
