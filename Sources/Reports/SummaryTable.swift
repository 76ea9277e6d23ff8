import Findings
import Policy

/// The plain-text table `scangate ingest` prints: findings by tool × severity.
///
/// A finding that several tools reported counts once in each tool's row and once in the
/// "all (merged)" row, so the rows can add up to more than the total.
public enum SummaryTable {
    public static func render(_ set: FindingSet, reports: [ReportSummary]) -> String {
        let columns = Severity.descending.map(\.rawValue) + ["open", "suppressed"]
        // One pass: each finding counts in the row of every tool that reported it, once.
        var byTool: [String: Counts] = [:]
        for report in reports { byTool[report.tool] = byTool[report.tool] ?? Counts() }
        var all = Counts()
        for finding in set.all {
            all.add(finding)
            let provenance = finding.provenance
            for (index, source) in provenance.enumerated()
            where !provenance[..<index].contains(where: { $0.tool == source.tool }) {
                byTool[source.tool, default: Counts()].add(finding)
            }
        }
        var rows: [(String, [Int])] = byTool.keys.sorted().map { ($0, byTool[$0]?.cells ?? []) }
        rows.append(("all (merged)", all.cells))
        let nameWidth = max(12, rows.map(\.0.count).max() ?? 0)
        let widths = columns.map { max($0.count, 5) }
        func line(_ name: String, _ cells: [String]) -> String {
            var text = name.padding(toLength: nameWidth)
            for (cell, width) in zip(cells, widths) { text += "  " + cell.leftPadding(toLength: width) }
            return text
        }
        var lines = [line("tool", columns)]
        lines.append(String(repeating: "-", count: lines[0].count))
        for (name, values) in rows {
            if name == "all (merged)" { lines.append(String(repeating: "-", count: lines[0].count)) }
            lines.append(line(name, values.map(String.init)))
        }
        lines.append("")
        for report in reports {
            var description = "\(report.file): \(report.tool)"
            if let version = report.toolVersion { description += " \(version)" }
            description += " (\(report.format), \(report.variant)), \(report.findingCount) finding"
            description += report.findingCount == 1 ? "" : "s"
            if report.suppressedCount > 0 { description += ", \(report.suppressedCount) suppressed by the tool" }
            lines.append(description)
            for warning in report.warnings { lines.append("  warning: \(warning)") }
        }
        // Tool names, file names and warnings come from reports: one printable line each.
        return lines.map(\.printableLine).joined(separator: "\n") + "\n"
    }

    /// Open findings per severity, and open and suppressed totals, of one row.
    private struct Counts {
        var bySeverity = [Int](repeating: 0, count: Severity.critical.rank + 1)
        var open = 0
        var suppressed = 0

        mutating func add(_ finding: Finding) {
            if finding.isOpen {
                open += 1
                bySeverity[finding.severity.rank] += 1
            } else {
                suppressed += 1
            }
        }

        /// Most severe first, then the open and suppressed totals.
        var cells: [Int] { Severity.descending.map { bySeverity[$0.rank] } + [open, suppressed] }
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    fileprivate func leftPadding(toLength length: Int) -> String {
        count >= length ? self : String(repeating: " ", count: length - count) + self
    }
}
