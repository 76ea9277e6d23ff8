import Findings

/// The report for a pull-request comment or a GitHub job summary (`scangate report --format
/// markdown`): the decision, the counts, then the findings, new ones first, then in
/// ``ReportContent/inListingOrder(_:)`` (with a decision, failing and warned ones first).
///
/// Always at most ``maximumLength`` UTF-8 bytes (so fewer characters than GitHub's 65,536
/// limit for a comment body): findings that do not fit are left out from the end of that order,
/// strictly (once a row does not fit, no later one is shown in its place; with a decision and a
/// baseline, failing findings, new or not, get the room first), and the last line says how many,
/// how many of them fail or warn, and where the full report is. The decision, the counts and the
/// first lines of each list above the findings (reports that checked nothing, warnings) are always
/// kept, the others counted. Room for the waivers expiring soon is kept before the findings fill
/// it; those that still do not fit are counted.
///
/// The reports' own warnings (``ReportContent/reportWarnings``: a scan that checked nothing, a
/// part of the scan that failed and was accepted incomplete) are listed under the counts, with or
/// without a decision; the gate's other warnings (``ReportContent/gateOnlyWarnings``) in a
/// collapsed section after them. Each list shows at most 20 lines and counts the others.
///
/// Findings a tool suppressed (a `.trivyignore` entry, a VEX statement, a ZAP false positive, a
/// SARIF suppression) are listed after the open ones, in a collapsed section of their own whose
/// summary counts them by severity, each with who suppressed it and why (the suppression's
/// source, status and statement): a suppression added in the same pull request must not make a
/// finding vanish from what the reviewer reads. Room for the high and critical ones (at most an
/// eighth of the budget) is kept before the open findings fill it; the others fill what is
/// left, and those that do not fit are counted in the closing note. With a decision,
/// a failing or warned finding's gate cell says why, as the other formats do
/// (``ReportGate/FindingOutcome/reason``: the rule, threshold or `max` line and its `file:line`).
/// Scanner text, and every reason (which can quote it), is escaped with
/// ``ReportEscaping/markdown(_:limit:)``.
public enum MarkdownReport {
    /// GitHub refuses comment bodies longer than 65,536 characters.
    public static let maximumLength = 65_536

    /// The hidden marker the pull-request comment is found by.
    public static let commentMarker = "<!-- scangate-report -->"

    /// - Parameters:
    ///   - marker: a first line (the comment marker), or nil.
    ///   - maximumLength: the most UTF-8 bytes the result may have.
    public static func render(_ content: ReportContent, marker: String? = nil, maximumLength: Int = maximumLength)
        -> String
    {
        var writer = MarkdownWriter(content: content, limit: max(4096, maximumLength))
        if let marker { writer.line(marker) }
        writer.render()
        return writer.finish()
    }
}

private func md(_ text: String, _ limit: Int = 200) -> String { ReportEscaping.markdown(text, limit: limit) }

private struct MarkdownWriter {
    let content: ReportContent
    let limit: Int
    /// Room kept for the closing note, whatever the report holds.
    static let footerRoom = 1500
    var output = ""
    var bytes = 0
    /// Open findings shown and left out.
    var shown = 0
    var leftOut = 0
    var leftOutNew = 0
    /// Of those left out, how many the gate fails and warns about.
    var leftOutFailing = 0
    var leftOutWarned = 0
    /// Set once a finding's row did not fit: no later finding (of lower priority) is shown in
    /// its place, whatever its size.
    var rowsCut = false
    var fixedLeftOut = 0
    var waiversLeftOut = 0
    /// Findings suppressed by tools left out, and how many of those are high or critical.
    var suppressedLeftOut = 0
    var severeSuppressedLeftOut = 0
    /// Room kept for later sections (the expiring waivers, the high and critical findings
    /// suppressed by tools) while the findings are written.
    var reserved = 0

    /// The findings counted and listed as open, and those left suppressed
    /// (``ReportContent/openFindings``, ``ReportContent/suppressedFindings``).
    let open: [Finding]
    let suppressed: [Finding]

    init(content: ReportContent, limit: Int) {
        self.content = content
        self.limit = limit
        open = content.openFindings
        suppressed = content.suppressedFindings
        output.reserveCapacity(limit)
    }

    var budget: Int { limit - Self.footerRoom - reserved }

    mutating func line(_ text: String) {
        output += text
        output += "\n"
        bytes += text.utf8.count + 1
    }

    /// Adds the line when it fits the budget.
    mutating func fits(_ text: String) -> Bool {
        guard bytes + text.utf8.count + 1 <= budget else { return false }
        line(text)
        return true
    }

    mutating func render() {
        heading()
        counts()
        // Expiring waivers are few, short and a reviewer's to act on: their room (at most an
        // eighth of the budget) is kept before the findings can fill it, with some more for the
        // note a table writes under its last row.
        let waivers = expiringWaiverLines()
        let waiverRoom = waivers.isEmpty ? 0 : min(waivers.reduce(256) { $0 + $1.utf8.count + 1 }, budget / 8)
        // So are the high and critical findings a tool suppressed: a suppression is a decision
        // the reviewer must see, whatever the open findings take.
        let muted = content.inListingOrder(suppressed)
        let mutedRoom = severeSuppressedRoom(muted, cap: budget / 8)
        reserved = waiverRoom + mutedRoom
        findings()
        reserved = waiverRoom
        suppressedFindings(muted)
        fixed()
        reserved = 0
        expiringWaivers(waivers)
    }

    mutating func heading() {
        if let gate = content.gate {
            line("## ScanGate: \(gate.passed ? "✅ PASS" : "❌ FAIL")")
            line("")
            line("**\(md(gate.summary, 400))**")
            line("")
            // What fails the decision though no finding does: under the summary, the first ones
            // whatever the findings take, then how many more (400 reports that checked nothing
            // must not push the counts and the findings out of the comment).
            let failures = gate.emptyScanFailures
            if !failures.isEmpty {
                boundedList(
                    failures.map { "- ❌ " + md($0.reason, 400) }, atMost: Self.listedWarnings, within: budget / 8
                ) { more in "- ❌ … and \(more) more report\(more == 1 ? "" : "s") checked nothing (in the full report)"
                }
                line("")
            }
            var facts = "Policy \(md(gate.policyFile, 150)), environment \(md(gate.environment, 60)), "
            facts += "judged on \(md(gate.date, 20))."
            line(facts)
        } else {
            line("## ScanGate findings")
            line("")
            line("No policy was given: this is what the scanners found, not a gate decision.")
        }
        line("")
    }

    mutating func counts() {
        let bySeverity = content.openBySeverity
        line(
            "| " + (bySeverity.map { $0.0.rawValue } + ["open", "suppressed by tools"]).joined(separator: " | ") + " |")
        line("|" + String(repeating: "---:|", count: bySeverity.count + 2))
        let values =
            bySeverity.map { String($0.1) } + [
                String(open.count), String(suppressed.count),
            ]
        line("| " + values.joined(separator: " | ") + " |")
        line("")
        // "Open" is not "failing": say how many of them the gate accepted.
        if let note = content.openAcceptedNote {
            line(note)
            line("")
        }
        let untrusted = content.findings.suppressed.count - suppressed.count
        if untrusted > 0 {
            line(
                "\(untrusted) finding\(untrusted == 1 ? "" : "s") a tool suppressed \(untrusted == 1 ? "is" : "are") "
                    + "counted and listed as open: the policy does not trust tool suppressions.")
            line("")
        }
        let tools = content.openByTool
        if !tools.isEmpty {
            var text = "By tool: " + tools.prefix(20).map { "\(md($0.tool, 40)) \($0.total)" }.joined(separator: " · ")
            if tools.count > 20 { text += " · \(tools.count - 20) more tools" }
            // The HTML report's chart says the same: these need not add up to the open count.
            text += " (a finding several tools reported counts for each)"
            line(text)
            line("")
        }
        if let diff = content.diff {
            line(
                "Since the baseline (\(md(diff.baselineFile, 150))): **\(diff.new.count) new**, "
                    + "**\(diff.fixed.count) fixed**, \(diff.unchanged.count) unchanged"
                    + md(DiffText.notScannedClause(diff), 300) + ".")
            line("")
        }
        // The reports' own warnings, with or without a decision and not folded away: a report
        // that checked nothing, or that was accepted incomplete, is no clean scan.
        let reportWarnings = content.reportWarnings
        if !reportWarnings.isEmpty {
            line("**⚠️ Warnings from reading the reports (\(reportWarnings.count))**")
            line("")
            boundedList(reportWarnings.map { "- ⚠️ " + md($0, 300) }, atMost: Self.listedWarnings)
            line("")
        }
        let gateWarnings = content.gateOnlyWarnings
        if !gateWarnings.isEmpty {
            line("<details><summary>Gate warnings (\(gateWarnings.count))</summary>")
            line("")
            boundedList(gateWarnings.map { "- " + md($0, 300) }, atMost: Self.listedWarnings)
            line("")
            line("</details>")
            line("")
        }
    }

    /// How many warnings of each list the comment shows at most; the others are counted.
    static let listedWarnings = 20

    /// Writes the first `atMost` items, as long as the comment so far stays within `within`
    /// bytes (by default a quarter of the budget: the part above the findings), then the line
    /// `moreLine` gives for how many others there are.
    mutating func boundedList(
        _ items: [String], atMost: Int, within: Int? = nil,
        moreLine: (Int) -> String = { "- … and \($0) more (in the full report)" }
    ) {
        let limit = within ?? budget / 4
        var written = 0
        for item in items.prefix(atMost) {
            guard bytes <= limit, fits(item) else { break }
            written += 1
        }
        if written < items.count { line(moreLine(items.count - written)) }
    }

    mutating func findings() {
        guard let diff = content.diff else {
            leftOut += table("Open findings", content.inListingOrder(open))
            return
        }
        let tables = [
            ("New findings", content.inListingOrder(open.filter { diff.isNew($0.fingerprint) })),
            ("Other open findings", content.inListingOrder(open.filter { !diff.isNew($0.fingerprint) })),
        ]
        // With a decision, the rows of both tables are chosen together: a failing finding the
        // baseline already had must not be crowded out by new ones that only warn.
        let rows = content.gate == nil ? nil : chooseRows(tables)
        leftOutNew = table(tables[0].0, tables[0].1, rows: rows)
        leftOut += leftOutNew
        leftOut += table(tables[1].0, tables[1].1, rows: rows)
    }

    /// The lines a table of `count` findings starts with.
    func tableHeader(_ title: String, count: Int) -> [String] {
        [
            "### \(title) (\(count))", "",
            "| Severity | ID | Package or location | Title | Tools |" + (content.gate == nil ? "" : " Gate |"),
            "|---|---|---|---|---|" + (content.gate == nil ? "" : "---|"),
        ]
    }

    /// The note under a table that could not show `count` of its findings, `failing` of which
    /// the gate fails.
    func leftOutNote(_ title: String, count: Int, failing: Int) -> String {
        "_\(count) more \(title.lowercased()) are not shown here"
            + (failing > 0 ? ", \(failing) of them failing._" : "._")
    }

    /// The rows, by fingerprint, that fit the budget when `tables` (each in listing order) are
    /// written one after the other: failing findings first, then warned ones, then the rest,
    /// in each of these the first table's before the second's. Room is kept for every table's
    /// heading and note. Strictly in that order: once a row does not fit, no later one is
    /// chosen (rows are bounded, ``ReportEscaping/markdown(_:limit:)``, so one long title
    /// cannot empty the table).
    func chooseRows(_ tables: [(String, [Finding])]) -> [String: String] {
        var room = budget - bytes
        for (title, findings) in tables {
            let note = leftOutNote(title, count: findings.count, failing: findings.count)
            let lines = tableHeader(title, count: findings.count) + ["", note, ""]
            room -= lines.reduce(0) { $0 + $1.utf8.count + 1 }
        }
        var chosen: [String: String] = [:]
        for tier in 0...2 {
            for (_, findings) in tables {
                for finding in findings where content.listingTier(of: finding) == tier {
                    let text = row(finding)
                    let size = text.utf8.count + 1
                    guard room >= 200, size <= room else { return chosen }
                    chosen[finding.fingerprint] = text
                    room -= size
                }
            }
        }
        return chosen
    }

    /// Writes a table of findings (already in listing order); returns how many did not fit.
    /// Strictly in that order: once a row does not fit, the rest of this table and of every later
    /// one is left out (``rowsCut``). With `rows` (from ``chooseRows(_:)``), the findings that
    /// have one are written.
    mutating func table(_ title: String, _ findings: [Finding], rows: [String: String]? = nil) -> Int {
        guard !findings.isEmpty else {
            line("### \(title) (0)")
            line("")
            return 0
        }
        let header = tableHeader(title, count: findings.count)
        let headerBytes = header.reduce(0) { $0 + $1.utf8.count + 1 }
        var notShown: [Finding] = []
        let headed = rows != nil || (!rowsCut && bytes + headerBytes + 200 <= budget)
        if headed {
            for text in header { line(text) }
            for finding in findings {
                let written: Bool
                if let rows {
                    written = rows[finding.fingerprint].map { fits($0) } ?? false
                } else {
                    written = !rowsCut && bytes + 200 <= budget && fits(row(finding))
                    if !written { rowsCut = true }
                }
                if written { shown += 1 } else { notShown.append(finding) }
            }
            line("")
        } else {
            rowsCut = true
            notShown = findings
        }
        let failing = notShown.count { content.listingTier(of: $0) == 0 }
        leftOutFailing += failing
        leftOutWarned += notShown.count { content.listingTier(of: $0) == 1 }
        if headed, !notShown.isEmpty {
            line(leftOutNote(title, count: notShown.count, failing: failing))
            line("")
        }
        return notShown.count
    }

    func row(_ finding: Finding) -> String {
        var cells = commonCells(finding)
        if let gate = content.gate {
            cells.append(gate.outcomes[finding.fingerprint].map(Self.gateCell) ?? "")
        }
        return "| " + cells.joined(separator: " | ") + " |"
    }

    /// The cells every findings table starts with: severity, id, package or place, title, tools.
    func commonCells(_ finding: Finding) -> [String] {
        var id = md(finding.ruleID, 80)
        // Not to an issue or pull request on GitHub (an upstream bug report): the link would
        // add a back-reference to that thread on every run.
        if let reference = finding.references.lazy.filter({ !ReportEscaping.linksGitHubThread($0) })
            .compactMap(ReportEscaping.markdownLinkTarget).first,
            reference.utf8.count <= 300
        {
            id = "[\(id)](\(reference))"
        }
        var place = ""
        // Where else it is, as the HTML report and the gate's table count it: a reviewer fixing
        // the first place must know of the others.
        var more = ""
        if let package = finding.package {
            place = package.name + (package.installedVersion.map { " " + $0 } ?? "")
            if let fixed = package.fixedVersions.first { place += " → " + fixed }
        } else if let location = finding.locations.first {
            if let path = location.path {
                place = path + (location.startLine.map { ":\($0)" } ?? "")
            } else {
                place = location.url ?? location.resource ?? location.target ?? ""
            }
            if finding.locations.count > 1 { more = " (+\(finding.locations.count - 1))" }
        } else if let instance = finding.instances.first {
            place = instance.uri
        }
        var shownPlace = md(place, 80) + more
        // Two images with the same package read alike without the image.
        if let image = ReportContent.imageText(of: finding), !place.contains(image) {
            shownPlace +=
                (shownPlace.isEmpty ? "image " : " (image ") + md(image, 100) + (shownPlace.isEmpty ? "" : ")")
        }
        let tools = finding.tools.joined(separator: ", ")
        var severity = "**\(content.shownSeverity(of: finding).rawValue)**"
        if let was = content.diff?.previousSeverity(of: finding.fingerprint) { severity += " (was \(was.rawValue))" }
        return [
            severity, id, shownPlace, md(finding.title, 120),
            md(tools, 60),
        ]
    }

    /// The verdict, and but for a passing finding why (`fail: max high: 5 high findings remain,
    /// the policy allows 0 (t/max.yaml:3)`; `waived: waiver CVE-2021-23337 (waivers.yaml:8) until
    /// 2026-12-10, approved by …: reason (without the waiver: warn)`), worded as the gate's table,
    /// HTML and JUnit word it.
    static func gateCell(_ outcome: ReportGate.FindingOutcome) -> String {
        guard outcome.outcome != .pass, !outcome.reason.isEmpty else {
            return outcome.outcome.rawValue
        }
        return "\(outcome.outcome.rawValue): \(md(outcome.reasonWithHiddenVerdict, 300))"
    }

    // MARK: Findings suppressed by tools

    static let suppressedHeader = [
        "| Severity | ID | Package or location | Title | Tools | Suppressed by |", "|---|---|---|---|---|---|",
    ]

    /// The opening lines of the section of findings suppressed by tools: a collapsed section
    /// whose summary counts them by severity, so a suppressed critical shows without opening it.
    func suppressedOpening(_ muted: [Finding]) -> [String] {
        var bySeverity: [Severity: Int] = [:]
        for finding in muted { bySeverity[content.shownSeverity(of: finding), default: 0] += 1 }
        let counts = Severity.descending.compactMap { severity in
            bySeverity[severity].map { "\($0) \(severity.rawValue)" }
        }
        return [
            "<details><summary>Findings suppressed by tools (\(muted.count): \(counts.joined(separator: ", ")))"
                + "</summary>",
            "",
        ] + Self.suppressedHeader
    }

    /// A suppressed finding's row: the common cells, then who suppressed it and why.
    func suppressedRow(_ finding: Finding) -> String {
        var why = "suppressed by a tool"
        if let suppression = finding.suppression {
            why = "\(suppression.source) (\(suppression.status))"
            if let statement = suppression.statement, !statement.isEmpty { why += ": " + statement }
        }
        return "| " + (commonCells(finding) + [md(why, 300)]).joined(separator: " | ") + " |"
    }

    static func isSevere(_ severity: Severity) -> Bool { severity >= .high }

    /// The room the section needs for its high and critical rows (they come first), at most `cap`.
    func severeSuppressedRoom(_ muted: [Finding], cap: Int) -> Int {
        let severe = muted.prefix { Self.isSevere(content.shownSeverity(of: $0)) }
        guard !severe.isEmpty else { return 0 }
        // The opening, the note under the rows and the closing tag.
        var room = suppressedOpening(muted).reduce(256) { $0 + $1.utf8.count + 1 }
        for finding in severe {
            room += suppressedRow(finding).utf8.count + 1
            if room >= cap { return cap }
        }
        return room
    }

    /// Writes the findings suppressed by tools (``suppressedFindings``, in listing order: most
    /// severe first) as far as they fit, strictly in that order; those left out are counted.
    mutating func suppressedFindings(_ muted: [Finding]) {
        guard !muted.isEmpty else { return }
        func leftOut(from index: Int) {
            suppressedLeftOut = muted.count - index
            severeSuppressedLeftOut = muted[index...].count { Self.isSevere(content.shownSeverity(of: $0)) }
        }
        let opening = suppressedOpening(muted)
        guard bytes + opening.reduce(200, { $0 + $1.utf8.count + 1 }) <= budget else {
            leftOut(from: 0)
            return
        }
        for text in opening { line(text) }
        var written = 0
        for finding in muted {
            guard bytes + 200 <= budget, fits(suppressedRow(finding)) else { break }
            written += 1
        }
        leftOut(from: written)
        line("")
        if suppressedLeftOut > 0 {
            line("_\(suppressedLeftOut) more findings suppressed by tools are not shown here._")
            line("")
        }
        line("</details>")
        line("")
    }

    mutating func fixed() {
        guard let diff = content.diff, !diff.fixed.isEmpty else { return }
        guard fits("### Fixed since the baseline (\(diff.fixed.count))") else {
            fixedLeftOut = diff.fixed.count
            return
        }
        line("")
        var written = 0
        for entry in diff.fixed {
            var text = "- **\(entry.severity.rawValue)** \(md(entry.id, 80))"
            if !entry.subject.isEmpty { text += " (\(md(entry.subject, 80)))" }
            if !entry.title.isEmpty { text += ": \(md(entry.title, 120))" }
            if entry.suppressed { text += " _(now suppressed by a tool)_" }
            guard fits(text) else { break }
            written += 1
        }
        fixedLeftOut = diff.fixed.count - written
        if fixedLeftOut > 0 { line("- … and \(fixedLeftOut) more") }
        line("")
    }

    /// The section on waivers in force that expire soon: a heading, a blank line, one item per
    /// waiver, a blank line. Empty when there are none.
    func expiringWaiverLines() -> [String] {
        guard let soon = content.gate?.expiringSoon, !soon.isEmpty else { return [] }
        let items = soon.map { waiver in
            "- \(md(waiver.id, 80)) expires on \(md(waiver.expires, 20)), in \(waiver.daysLeft) "
                + "day\(waiver.daysLeft == 1 ? "" : "s") (\(md(waiver.source, 120)))"
        }
        return ["### Waivers expiring soon (\(soon.count))", ""] + items + [""]
    }

    /// Writes `lines` (``expiringWaiverLines()``) as far as they fit; the waivers left out are
    /// counted, there and in the closing note.
    mutating func expiringWaivers(_ lines: [String]) {
        guard lines.count > 3 else { return }
        let items = lines[2..<(lines.count - 1)]
        guard fits(lines[0]) else {
            waiversLeftOut = items.count
            return
        }
        line("")
        var written = 0
        // Unless they all fit, room is kept for the "… and N more" line.
        if items.reduce(0, { $0 + $1.utf8.count + 1 }) > budget - bytes { reserved = 64 }
        for item in items {
            guard fits(item) else { break }
            written += 1
        }
        reserved = 0
        waiversLeftOut = items.count - written
        if waiversLeftOut > 0 { line("- … and \(waiversLeftOut) more") }
        line("")
    }

    mutating func finish() -> String {
        var notes: [String] = []
        if leftOut > 0 {
            var text = "\(leftOut) of \(open.count) open findings are not shown"
            var parts = leftOutNew > 0 ? ["\(leftOutNew) of them new"] : []
            if leftOutFailing > 0 { parts.append("\(leftOutFailing) failing") }
            if leftOutWarned > 0 { parts.append("\(leftOutWarned) warned") }
            if !parts.isEmpty { text += " (" + parts.joined(separator: ", ") + ")" }
            text += ", to keep this under GitHub's 65,536-character limit; "
            text +=
                content.gate == nil
                ? "the least severe were left out first"
                : "failing findings are listed first, then warned ones, and the least severe were left out first"
            notes.append(text)
        }
        if fixedLeftOut > 0 { notes.append("\(fixedLeftOut) fixed findings are not listed above") }
        if waiversLeftOut > 0 {
            notes.append(
                "\(waiversLeftOut) waiver\(waiversLeftOut == 1 ? "" : "s") expiring soon \(waiversLeftOut == 1 ? "is" : "are") "
                    + "not listed")
        }
        if suppressedLeftOut > 0 {
            var text = "\(suppressedLeftOut) of \(suppressed.count) findings suppressed by tools are not listed"
            if severeSuppressedLeftOut > 0 { text += " (\(severeSuppressedLeftOut) of them high or critical)" }
            notes.append(text)
        }
        if !notes.isEmpty {
            var location = "the HTML report (`scangate report --format html`)"
            if let full = content.fullReportLocation {
                if let target = ReportEscaping.markdownLinkTarget(full), target.utf8.count <= 500 {
                    location = "[the full report](\(target))"
                } else {
                    location = "the full report: " + md(full, 300)
                }
            }
            line("---")
            line("<sub>" + notes.joined(separator: "; ") + ". Everything is in " + location + ".</sub>")
        } else {
            // Sections end with a blank line; the report ends with its last line.
            while output.hasSuffix("\n\n") { output.removeLast() }
        }
        // The budget keeps footerRoom free for the lines above; this cut never happens in practice.
        if output.utf8.count > limit {
            var cut = Substring(output)
            while cut.utf8.count > limit - 64 { cut = cut.dropLast(max(1, (cut.utf8.count - limit + 64) / 4)) }
            return String(cut) + "\n\n_(cut to fit the length limit)_\n"
        }
        return output
    }
}
