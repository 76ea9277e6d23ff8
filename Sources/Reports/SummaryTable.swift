import Findings

/// The plain-text table `scangate ingest` prints: findings by tool × severity.
///
/// A finding that several tools reported counts once in each tool's row and once in the
/// "all (merged)" row, so the rows can add up to more than the total.
public enum SummaryTable {
    public static func render(_ set: FindingSet, reports: [ReportSummary]) -> String {
        let columns = Severity.descending.map(\.rawValue) + ["open", "suppressed"]
        var rows: [(String, [Int])] = []
        let tools = Set(set.all.flatMap { $0.provenance.map(\.tool) } + reports.map(\.tool)).sorted()
        for tool in tools {
            rows.append((tool, counts(set.all) { $0.provenance.contains { $0.tool == tool } }))
        }
        rows.append(("all (merged)", counts(set.all) { _ in true }))
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
        return lines.joined(separator: "\n") + "\n"
    }

    /// Open findings per severity (most severe first), then open and suppressed totals, over
    /// the findings `included` selects. Counts in place: findings are large values.
    private static func counts(_ findings: [Finding], where included: (Finding) -> Bool) -> [Int] {
        var bySeverity: [Severity: Int] = [:]
        var open = 0
        var suppressed = 0
        for finding in findings where included(finding) {
            if finding.isOpen {
                open += 1
                bySeverity[finding.severity, default: 0] += 1
            } else {
                suppressed += 1
            }
        }
        return Severity.descending.map { bySeverity[$0] ?? 0 } + [open, suppressed]
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
