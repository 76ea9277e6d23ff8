import Findings
import Foundation
import ScanGateJSON

/// The report as deterministic JSON (`scangate report --format json`): the findings document
/// of `scangate ingest --format json`, whole and unchanged, wrapped with the diff and the
/// decision.
///
/// ```json
/// {
///   "schema": "scangate-report/1",
///   "date": "2026-03-01" | null,
///   "findings": { "schema": "scangate-findings/1", … },   // exactly what ingest writes
///   "diff": null | { "baseline": …, "summary": {…}, "new": […], "fixed": […], "unchanged": […] },
///   "decision": null | { "schema": "scangate-gate/1", … } // exactly what gate --format json writes
/// }
/// ```
///
/// `diff` has the fields of the `scangate-diff/1` document (``DiffJSON``) but `schema` and
/// `current`. Keys always appear, in this order. A `scangate-report/1` document is accepted
/// wherever a previous run's findings are read (``FindingsSnapshot``).
public enum ReportJSON {
    /// The schema identifier of the report document.
    public static let schema = "scangate-report/1"

    /// - Parameters:
    ///   - findingsDocument: ``FindingsJSON/encode(_:reports:)`` of the content, when the caller
    ///     made it already (it is also an output of its own); made here otherwise.
    ///   - decisionDocument: the gate's ``ReportGate/decisionJSON``, likewise.
    public static func encode(
        _ content: ReportContent, findingsDocument: [UInt8]? = nil, decisionDocument: [UInt8]? = nil
    ) -> [UInt8] {
        let findings = findingsDocument ?? FindingsJSON.encode(content.findings, reports: content.reports)
        let decision = decisionDocument ?? content.gate?.decisionJSON ?? []
        // Reserved once for the two documents re-indented (a sixth more), the diff and the rest.
        let embedded = findings.count + decision.count
        var writer = JSONWriter(pretty: true, reservingCapacity: (1 << 16) + embedded + embedded / 6)
        writer.beginObject()
        writer.field("schema", schema)
        writer.field("date", content.date)
        writer.key("findings")
        embed(findings, in: &writer)
        writer.key("diff")
        if let diff = content.diff {
            writer.beginObject()
            DiffJSON.writeMembers(diff, to: &writer)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("decision")
        embed(decision, in: &writer)
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    /// Writes a document one of ScanGate's writers made as the next value, re-indented; an
    /// empty one as null.
    static func embed(_ bytes: [UInt8], in writer: inout JSONWriter) {
        guard !bytes.isEmpty else {
            writer.null()
            return
        }
        writer.embeddedDocument(bytes)
    }
}

/// The diff as deterministic JSON (`scangate diff --format json`, schema `scangate-diff/1`).
///
/// `summary` counts `new`, `fixed`, `unchanged`; `new[]`, `fixed[]` and `unchanged[]` list
/// entries of `fingerprint`, `id`, `kind`, `severity`, `title`, `subject` (package and version,
/// or the first location), `tools[]`, and for fixed ones `suppressedNow` (the finding is still
/// reported, but a tool suppresses it).
public enum DiffJSON {
    public static let schema = "scangate-diff/1"

    public static func encode(_ diff: BaselineDiff, current: String) -> [UInt8] {
        var writer = JSONWriter(pretty: true, reservingCapacity: 1 << 14)
        writer.beginObject()
        writer.field("schema", schema)
        writer.field("current", current)
        writeMembers(diff, to: &writer)
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    static func writeMembers(_ diff: BaselineDiff, to writer: inout JSONWriter) {
        writer.field("baseline", diff.baselineFile)
        writer.key("summary")
        writer.beginObject()
        writer.field("new", diff.new.count)
        writer.field("fixed", diff.fixed.count)
        writer.field("unchanged", diff.unchanged.count)
        writer.field("notScanned", diff.notScanned.count)
        writer.endObject()
        for (key, entries, isFixed) in [("new", diff.new, false), ("fixed", diff.fixed, true)] {
            writer.key(key)
            writer.beginArray()
            for entry in entries { write(entry, isFixed: isFixed, to: &writer) }
            writer.endArray()
        }
        writer.key("unchanged")
        writer.beginArray()
        for entry in diff.unchanged { write(entry, isFixed: false, to: &writer) }
        writer.endArray()
        writer.key("notScanned")
        writer.beginArray()
        for entry in diff.notScanned { write(entry, isFixed: false, to: &writer) }
        writer.endArray()
    }

    private static func write(_ entry: DiffEntry, isFixed: Bool, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("fingerprint", entry.fingerprint)
        writer.field("id", entry.id)
        writer.field("kind", entry.kind)
        writer.field("severity", entry.severity.rawValue)
        if let was = entry.previousSeverity { writer.field("previousSeverity", was.rawValue) }
        writer.field("title", entry.title)
        writer.field("subject", entry.subject)
        writer.field("tools", entry.tools)
        if isFixed { writer.field("suppressedNow", entry.suppressed) }
        writer.endObject()
    }
}

/// The diff for people: a plain-text table (`scangate diff`, the default) or Markdown.
public enum DiffText {
    /// `; 3 not scanned this time (zap: no report of it checked anything, so not known to be
    /// fixed)`, or empty: findings gone only because their tool did not look again, or no report
    /// scanned their image, are not called fixed.
    public static func notScannedClause(_ diff: BaselineDiff) -> String {
        guard !diff.notScanned.isEmpty else { return "" }
        var reasons: [String] = []
        let tools = diff.unscannedTools
        if !tools.isEmpty {
            reasons.append(
                "\(tools.joined(separator: ", ")): no report of \(tools.count == 1 ? "it" : "theirs") checked anything")
        }
        let targets = diff.unscannedTargets
        if !targets.isEmpty {
            let names = targets.prefix(5).map(scopeName) + (targets.count > 5 ? ["\(targets.count - 5) more"] : [])
            reasons.append(
                "\(names.joined(separator: ", ")): not scanned by the tool that found "
                    + (diff.notScanned.count == 1 ? "it" : "them"))
        }
        return "; \(diff.notScanned.count) not scanned this time (\(reasons.joined(separator: "; ")), so not known "
            + "to be fixed)"
    }

    /// A scope for people: `image docker.io/library/app`, `site https://app.example`,
    /// `Kubernetes resource default/Deployment/api`, `the source tree`.
    static func scopeName(_ scope: String) -> String {
        if scope == FindingIdentity.sourceScope { return "the source tree" }
        let labels = ["image": "image", "site": "site", "k8s": "Kubernetes resource", "vm": "VM", "aws": "AWS account"]
        guard let colon = scope.firstIndex(of: ":") else { return scope }
        let prefix = String(scope[..<colon])
        return (labels[prefix] ?? prefix) + " " + scope[scope.index(after: colon)...]
    }

    public static func table(_ diff: BaselineDiff, current: String) -> String {
        // Every line printable: file names, and the tools and scopes the summary names, come
        // from the findings files (a tool name with an escape sequence erased lines; found by a review).
        var lines = ["scangate diff: \(diff.baselineFile) → \(current)".printableLine]
        lines.append(
            ("\(diff.new.count) new, \(diff.fixed.count) fixed, \(diff.unchanged.count) unchanged (open findings, by "
                + "fingerprint, or package and id)" + DiffText.notScannedClause(diff)).printableLine)
        for (label, entries) in [("NEW", diff.new), ("FIXED", diff.fixed), ("UNSEEN", diff.notScanned)]
        where !entries.isEmpty {
            lines.append("")
            for entry in entries {
                var text = label.padded(toWidth: 7)
                text += entry.severity.rawValue.padded(toWidth: 9)
                text += "\(entry.kind) \(entry.id)"
                if let was = entry.previousSeverity { text += " (was \(was.rawValue))" }
                if !entry.subject.isEmpty { text += " \(entry.subject)" }
                if !entry.title.isEmpty { text += " — \(entry.title)" }
                if label == "FIXED", entry.suppressed { text += " (now suppressed by a tool)" }
                // One printable line: a title's line break or escape sequence must not reach the
                // terminal or start a line a CI runner would read as a command.
                lines.append(text.printableLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Markdown, capped like ``MarkdownReport`` (at most `maximumLength` UTF-8 bytes).
    public static func markdown(_ diff: BaselineDiff, maximumLength: Int = MarkdownReport.maximumLength) -> String {
        let limit = max(4096, maximumLength) - 600
        var output = "## ScanGate diff\n\n"
        output += "Since \(ReportEscaping.markdown(diff.baselineFile, limit: 150)): **\(diff.new.count) new**, "
        output +=
            "**\(diff.fixed.count) fixed**, \(diff.unchanged.count) unchanged"
            + ReportEscaping.markdown(notScannedClause(diff), limit: 300) + ".\n"
        var omitted = 0
        for (title, entries) in [("New", diff.new), ("Fixed", diff.fixed), ("Not scanned this time", diff.notScanned)]
        where !entries.isEmpty {
            output += "\n### \(title) (\(entries.count))\n\n| Severity | ID | Kind | Package or location | Title |\n"
            output += "|---|---|---|---|---|\n"
            for (index, entry) in entries.enumerated() {
                let row =
                    "| **\(entry.severity.rawValue)**\(entry.previousSeverity.map { " (was \($0.rawValue))" } ?? "") | "
                    + "\(ReportEscaping.markdown(entry.id, limit: 80)) | "
                    + "\(ReportEscaping.markdown(entry.kind, limit: 40)) | \(ReportEscaping.markdown(entry.subject, limit: 80)) | "
                    + "\(ReportEscaping.markdown(entry.title, limit: 120))"
                    + (title == "Fixed" && entry.suppressed ? " _(now suppressed by a tool)_" : "") + " |\n"
                if output.utf8.count + row.utf8.count > limit {
                    omitted += entries.count - index
                    break
                }
                output += row
            }
        }
        if omitted > 0 {
            output += "\n_\(omitted) entries are not shown to stay under GitHub's 65,536-character limit; "
            output += "`scangate diff --format json` lists them all._\n"
        }
        return output
    }

}
