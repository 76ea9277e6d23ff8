import Findings

/// The report for a security reviewer: one self-contained HTML file (`scangate report
/// --format html`).
///
/// - Opens offline: the only style and script are inline, allowed by their SHA-256 hashes in a
///   Content-Security-Policy that forbids every other load (``HTMLReportAssets``).
/// - Fully readable without the script: it only shows the filters and sorts the table.
/// - Scanner text is never markup: every string a report contained goes through
///   ``ReportEscaping/html(_:)``; only `http(s)` URLs become links.
/// - Deterministic: the same content gives the same bytes (no clock is read).
/// - Opens in a browser whatever the size of the scan: every finding has a row, but only the
///   ``findingsWithDetails`` most severe carry their details (a 100 MB Trivy report's 40,000
///   findings made a 160 MB page with them all); the findings JSON holds every field.
public enum HTMLReport {
    /// How many findings (most severe first) the page shows with their details.
    public static let findingsWithDetails = 2_000

    /// - Parameter detailed: how many findings carry their details (default
    ///   ``findingsWithDetails``).
    public static func render(_ content: ReportContent, detailing detailed: Int = findingsWithDetails) -> String {
        var page = HTMLPage(content: content, detailed: max(0, detailed))
        page.render()
        return page.output
    }
}

/// `&…;`-escaped text (shorter to write inside the renderer).
private func esc(_ text: String) -> String { ReportEscaping.html(text) }

private struct HTMLPage {
    let content: ReportContent
    /// How many findings of the table carry their details.
    let detailed: Int
    var output = ""
    /// Each tool's key in the tool filter: its place in the sorted list of tools, set by
    /// ``findingsTable()``. Options and rows match by it, never by the name, whose text (a line
    /// break, a carriage return the HTML parser turns into a line feed) could make them differ.
    var toolKeys: [String: String] = [:]
    /// The findings counted as open, and those left suppressed (``ReportContent/openFindings``,
    /// ``ReportContent/suppressedFindings``).
    let open: [Finding]
    let suppressed: [Finding]

    init(content: ReportContent, detailed: Int) {
        self.content = content
        self.detailed = detailed
        open = content.openFindings
        suppressed = content.suppressedFindings
        output.reserveCapacity(
            64 * 1024 + min(content.findings.all.count, detailed) * 4096 + content.findings.all.count * 640)
    }

    mutating func render() {
        output += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        output +=
            "<meta http-equiv=\"Content-Security-Policy\" content=\"\(esc(HTMLReportAssets.contentSecurityPolicy))\">\n"
        output += "<meta name=\"referrer\" content=\"no-referrer\">\n"
        output += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        output += "<meta name=\"generator\" content=\"scangate\">\n"
        output += "<title>ScanGate report</title>\n"
        output += "<style>\(HTMLReportAssets.stylesheet)</style>\n</head>\n<body>\n"
        header()
        decision()
        summary()
        baseline()
        findingsTable()
        waivers()
        disagreements()
        warnings()
        inputs()
        output += "<script>\(HTMLReportAssets.script)</script>\n</body>\n</html>\n"
    }

    // MARK: Header and decision

    mutating func header() {
        output += "<header>\n<h1>ScanGate report</h1>\n<p class=\"meta\">"
        var facts: [String] = []
        if let date = content.date { facts.append("as of <time id=\"report-date\">\(esc(date))</time>") }
        let count = content.reports.count
        facts.append(
            "\(count) report\(count == 1 ? "" : "s"): " + content.reports.map { esc($0.file) }.joined(separator: ", "))
        output += facts.joined(separator: " · ") + "</p>\n"
        output += "<nav><a href=\"#summary\">Summary</a>"
        if content.diff != nil { output += "<a href=\"#baseline\">Since the baseline</a>" }
        output += "<a href=\"#findings\">Findings</a><a href=\"#waivers\">Waivers</a>"
        output += "<a href=\"#disagreements\">Severity disagreements</a><a href=\"#inputs\">Reports read</a></nav>\n"
        output += "</header>\n"
    }

    mutating func decision() {
        guard let gate = content.gate else { return }
        let word = gate.passed ? "PASS" : "FAIL"
        output += "<section id=\"decision\" class=\"decision \(gate.passed ? "pass" : "fail")\">\n"
        output += "<h2>Gate: <span id=\"gate-decision\">\(word)</span></h2>\n"
        output += "<p id=\"gate-summary\">\(esc(gate.summary))</p>\n"
        // What fails the decision though no finding does.
        if !gate.emptyScanFailures.isEmpty {
            output += "<ul id=\"empty-scans\">"
            for failure in gate.emptyScanFailures { output += "<li class=\"fail\">FAIL: \(esc(failure.reason))</li>" }
            output += "</ul>\n"
        }
        output += "<p class=\"muted\">Policy <code>\(esc(gate.policyFile))</code>, environment "
        output += "<code>\(esc(gate.environment))</code>, judged on \(esc(gate.date)).</p>\n"
        output += "<table class=\"counts\"><thead><tr>"
        for outcome in ReportGate.Outcome.allCases { output += "<th class=\"num\">\(outcome.rawValue)</th>" }
        output += "</tr></thead><tbody><tr>"
        for outcome in ReportGate.Outcome.allCases {
            output += "<td class=\"num\" id=\"verdict-\(outcome.rawValue)\">\(gate.counts[outcome] ?? 0)</td>"
        }
        output += "</tr></tbody></table>\n</section>\n"
    }

    // MARK: Summary and charts

    mutating func summary() {
        let bySeverity = content.openBySeverity
        output += "<section id=\"summary\">\n<h2>Summary</h2>\n"
        output += "<table class=\"counts\" id=\"severity-counts\"><thead><tr>"
        for (severity, _) in bySeverity { output += "<th class=\"num\">\(severity.rawValue)</th>" }
        output += "<th class=\"num\">open</th><th class=\"num\">suppressed by tools</th></tr></thead><tbody><tr>"
        for (severity, count) in bySeverity {
            output += "<td class=\"num\" id=\"count-\(severity.rawValue)\">\(count)</td>"
        }
        output += "<td class=\"num\" id=\"count-open\">\(open.count)</td>"
        output += "<td class=\"num\" id=\"count-suppressed\">\(suppressed.count)</td>"
        output += "</tr></tbody></table>\n"
        if let note = content.openAcceptedNote { output += "<p id=\"open-accepted\">\(esc(note))</p>\n" }
        let byKind = content.openByKind
        if !byKind.isEmpty {
            output += "<p>By kind: "
            output += byKind.map { "\($0.0.rawValue) <strong id=\"kind-\($0.0.rawValue)\">\($0.1)</strong>" }
                .joined(separator: " · ")
            output += "</p>\n"
        }
        output += "<div class=\"charts\">\n"
        severityChart(bySeverity)
        toolChart(content.openByTool)
        output += "</div>\n</section>\n"
    }

    mutating func severityChart(_ counts: [(Severity, Int)]) {
        let maximum = max(1, counts.map(\.1).max() ?? 1)
        let rowHeight = 24
        let width = 420
        let barSpace = 300
        let height = rowHeight * counts.count + 8
        output += "<figure id=\"chart-severity\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" "
        output += "height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
        output += "aria-labelledby=\"chart-severity-title\"><title id=\"chart-severity-title\">Open findings by "
        output += "severity</title>\n"
        for (row, (severity, count)) in counts.enumerated() {
            let y = row * rowHeight + 4
            let length = count == 0 ? 0 : max(2, count * barSpace / maximum)
            output += "<text x=\"0\" y=\"\(y + 15)\">\(severity.rawValue)</text>"
            output +=
                "<rect class=\"sev-\(severity.rawValue)\" x=\"70\" y=\"\(y + 2)\" width=\"\(length)\" height=\"16\"/>"
            output += "<text x=\"\(74 + length)\" y=\"\(y + 15)\">\(count)</text>\n"
        }
        output += "</svg><figcaption>Open findings by severity</figcaption></figure>\n"
    }

    mutating func toolChart(_ tools: [(tool: String, counts: [Severity: Int], total: Int)]) {
        guard !tools.isEmpty else { return }
        let maximum = max(1, tools.map(\.total).max() ?? 1)
        let rowHeight = 24
        let labelWidth = 150
        let barSpace = 300
        let width = labelWidth + barSpace + 60
        let height = rowHeight * tools.count + 8
        output += "<figure id=\"chart-tools\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" "
        output += "height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
        output += "aria-labelledby=\"chart-tools-title\"><title id=\"chart-tools-title\">Open findings by tool and "
        output += "severity</title>\n"
        for (row, entry) in tools.enumerated() {
            let y = row * rowHeight + 4
            var name = entry.tool
            if name.count > 22 { name = String(name.prefix(21)) + "…" }
            output += "<text x=\"0\" y=\"\(y + 15)\" data-tool-count=\"\(entry.total)\">\(esc(name))</text>"
            var x = labelWidth
            for severity in Severity.descending {
                let count = entry.counts[severity] ?? 0
                guard count > 0 else { continue }
                let length = max(1, count * barSpace / maximum)
                output += "<rect class=\"sev-\(severity.rawValue)\" x=\"\(x)\" y=\"\(y + 2)\" width=\"\(length)\" "
                output += "height=\"16\"><title>\(esc(entry.tool)): \(count) \(severity.rawValue)</title></rect>"
                x += length
            }
            output += "<text x=\"\(x + 4)\" y=\"\(y + 15)\">\(entry.total)</text>\n"
        }
        output += "</svg><figcaption>Open findings by tool (a finding several tools reported counts for each)"
        output += "</figcaption></figure>\n"
    }

    // MARK: Baseline

    mutating func baseline() {
        guard let diff = content.diff else { return }
        output += "<section id=\"baseline\">\n<h2>Since the baseline</h2>\n"
        output += "<p>Compared with <code>\(esc(diff.baselineFile))</code> by fingerprint: "
        output += "<strong id=\"diff-new\">\(diff.new.count)</strong> new, "
        output += "<strong id=\"diff-fixed\">\(diff.fixed.count)</strong> fixed, "
        output += "<strong id=\"diff-unchanged\">\(diff.unchanged.count)</strong> unchanged"
        output += esc(DiffText.notScannedClause(diff)) + ".</p>\n"
        diffTable("New", content.newSinceBaseline, isNew: true)
        diffTable("Fixed", diff.fixed, isNew: false)
        if !diff.notScanned.isEmpty { diffTable("Not scanned this time", diff.notScanned, isNew: false) }
        output += "</section>\n"
    }

    /// New entries link to their row and show the severity the gate judged by; fixed ones, the
    /// severity the previous run gave them.
    mutating func diffTable(_ title: String, _ entries: [DiffEntry], isNew: Bool) {
        output += "<h3>\(title) (\(entries.count))</h3>\n"
        guard !entries.isEmpty else {
            output += "<p class=\"muted\">None.</p>\n"
            return
        }
        output += "<table><thead><tr><th>Severity</th><th>ID</th><th>Title</th><th>Kind</th><th>Where</th>"
        output += "<th>Tools</th></tr></thead><tbody>\n"
        for entry in entries {
            output += "<tr><td>\(severityBadge(isNew ? content.shownSeverity(of: entry) : entry.severity))"
            if let was = entry.previousSeverity { output += " <span class=\"muted\">(was \(was.rawValue))</span>" }
            output += "</td><td>"
            if isNew {
                output += "<a href=\"#f-\(esc(entry.fingerprint))\"><code>\(esc(entry.id))</code></a>"
            } else {
                output += "<code>\(esc(entry.id))</code>"
                if entry.suppressed { output += " <span class=\"badge\">now suppressed by a tool</span>" }
            }
            output += "</td><td>\(esc(entry.title))</td><td>\(esc(entry.kind))</td><td>\(esc(entry.subject))</td>"
            output += "<td>\(esc(entry.tools.joined(separator: ", ")))</td></tr>\n"
        }
        output += "</tbody></table>\n"
    }

    // MARK: Findings

    /// The row's statuses, for the filter: the gate's verdict, `open` (no tool suppressed it) or
    /// `suppressed` (a tool did), `new`.
    func status(of finding: Finding) -> [String] {
        var status: [String] = []
        if let outcome = content.gate?.outcomes[finding.fingerprint] {
            status.append(outcome.outcome.rawValue)
        }
        let isOpen = content.isOpen(finding)
        status.append(isOpen ? "open" : "suppressed")
        if let diff = content.diff, isOpen, diff.isNew(finding.fingerprint) { status.append("new") }
        return status
    }

    /// The statuses a row shows as badges: ``status(of:)`` but `open` beside a verdict that
    /// accepted the finding (`waived open` read as a finding left open), and `suppressed`
    /// worded as who did it.
    func badges(of finding: Finding, status: [String]) -> [(value: String, label: String)] {
        let accepted = content.gate?.outcomes[finding.fingerprint]?.isAcceptedByTheGate ?? false
        return status.compactMap { value in
            switch value {
            case "open": accepted ? nil : (value, "open")
            case "suppressed": (value, "suppressed by a tool")
            default: (value, value)
            }
        }
    }

    mutating func findingsTable() {
        // With a decision, what the gate fails comes first and carries its details (the reason)
        // however many findings there are.
        let all = content.inListingOrder(content.findings.all)
        let order = content.gate == nil ? "most severe first" : "failing first, then warned, each most severe first"
        output += "<section id=\"findings\">\n<h2>Findings</h2>\n"
        output += "<p>\(open.count) open, \(suppressed.count) suppressed by tools; "
        output += "\(order). Open a title for the details.</p>\n"
        if all.count > detailed {
            output += "<p class=\"muted\" id=\"details-note\">Details are shown for the first \(detailed) "
            output += "findings (\(order)); the other \(all.count - detailed) are listed without them. Every field of "
            output += "every finding is in the findings JSON (<code>scangate ingest --format json</code>).</p>\n"
        }
        // Shown by the script; without it, every row is visible and nothing needs it.
        output += "<div id=\"filters\" hidden>\n"
        filter("severity", "Severity", Severity.descending.map(\.rawValue))
        let tools = Array(Set(all.flatMap(\.tools))).sorted()
        toolKeys = Dictionary(uniqueKeysWithValues: tools.enumerated().map { ($1, String($0)) })
        filter("tool", "Tool", options: tools.enumerated().map { (value: String($0), label: $1) })
        filter(
            "kind", "Kind",
            FindingKind.allCases.map(\.rawValue).filter { kind in all.contains { $0.kind.rawValue == kind } })
        var statuses = [(value: "open", label: "open (no tool suppressed it)"), ("suppressed", "suppressed by a tool")]
        if content.diff != nil { statuses.append(("new", "new")) }
        if content.gate != nil { statuses += ReportGate.Outcome.allCases.map { ($0.rawValue, $0.rawValue) } }
        filter("status", "Status", options: statuses)
        output += "<span><span id=\"shown-count\">\(all.count)</span> of \(all.count) shown</span>\n</div>\n"
        output += "<table id=\"findings-table\"><thead><tr>"
        output += "<th class=\"num\"><button type=\"button\" data-numeric=\"1\">Severity</button></th>"
        output += "<th><button type=\"button\" data-numeric=\"1\">ID</button></th>"
        for name in ["Title", "Kind", "Tools", "Where", "Status"] {
            output += "<th><button type=\"button\">\(name)</button></th>"
        }
        output += "</tr></thead>\n<tbody>\n"
        // The ID column sorts by each id's place in ScanGate's id order (numbers as numbers).
        let ids = Set(all.map(\.ruleID)).map(IDOrder.init).sorted()
        let idRanks = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1.id, $0) })
        for (position, finding) in all.enumerated() {
            row(finding, idRank: idRanks[finding.ruleID] ?? 0, withDetails: position < detailed)
        }
        output += "</tbody></table>\n</section>\n"
    }

    mutating func filter(_ name: String, _ label: String, _ values: [String]) {
        filter(name, label, options: values.map { (value: $0, label: $0) })
    }

    mutating func filter(_ name: String, _ label: String, options: [(value: String, label: String)]) {
        output += "<label>\(label) <select name=\"\(name)\"><option value=\"\">all</option>"
        for option in options { output += "<option value=\"\(esc(option.value))\">\(esc(option.label))</option>" }
        output += "</select></label>\n"
    }

    mutating func row(_ finding: Finding, idRank: Int, withDetails: Bool) {
        let tools = finding.tools
        let status = status(of: finding)
        let severity = content.gate?.outcomes[finding.fingerprint]?.severity ?? finding.severity
        output += "<tr id=\"f-\(esc(finding.fingerprint))\" data-severity=\"\(severity.rawValue)\" "
        output += "data-kind=\"\(finding.kind.rawValue)\" "
        output += "data-tools=\"\(tools.compactMap { toolKeys[$0] }.joined(separator: "\n"))\" "
        output += "data-status=\"\(status.joined(separator: "\n"))\">"
        output += "<td data-sort=\"\(rank(severity))\">\(severityBadge(severity))</td>"
        output += "<td data-sort=\"\(idRank)\"><code>\(esc(finding.ruleID))</code></td>"
        let title = esc(finding.title.isEmpty ? finding.ruleID : finding.title)
        if withDetails {
            output += "<td><details><summary>\(title)</summary>"
            details(finding)
            output += "</details></td>"
        } else {
            output += "<td>\(title)</td>"
        }
        output += "<td>\(finding.kind.rawValue)</td>"
        output += "<td>\(esc(tools.joined(separator: ", ")))</td>"
        output += "<td>\(esc(Self.place(of: finding)))</td>"
        output += "<td>"
        output += badges(of: finding, status: status).map {
            "<span class=\"badge \($0.value)\">\(esc($0.label))</span>"
        }
        .joined(separator: " ")
        output += "</td></tr>\n"
    }

    mutating func details(_ finding: Finding) {
        output += "<div class=\"detail\">"
        if let outcome = content.gate?.outcomes[finding.fingerprint] {
            output +=
                "<p><strong>Gate: \(outcome.outcome.rawValue)</strong> — \(esc(outcome.reasonWithHiddenVerdict))</p>"
            for note in outcome.notes { output += "<p class=\"muted\">\(esc(note))</p>" }
        }
        if let description = finding.description, !description.isEmpty {
            output += "<div class=\"text\">\(esc(description))</div>"
        }
        if let detail = finding.detail, !detail.isEmpty, detail != finding.description {
            output += "<div class=\"text\">\(esc(detail))</div>"
        }
        output += "<dl>"
        term("Fingerprint", "<code>\(esc(finding.fingerprint))</code>")
        if !finding.aliases.isEmpty {
            term("Aliases", finding.aliases.map { "<code>\(esc($0))</code>" }.joined(separator: ", "))
        }
        term("Severity", "\(severityBadge(finding.severity)) resolved")
        if let confidence = finding.confidence { term("Confidence", confidence.rawValue) }
        if let package = finding.package {
            term("Package", "<code>\(esc(package.ecosystem))</code> <code>\(esc(package.name))</code>")
            term("Installed", package.installedVersion.map { "<code>\(esc($0))</code>" } ?? "not stated")
            var fixed = package.fixedVersions.map { "<code>\(esc($0))</code>" }.joined(separator: ", ")
            if fixed.isEmpty {
                switch package.fixAvailable {
                case .some(true): fixed = "a fix is available"
                case .some(false): fixed = "no fix available"
                case .none: fixed = "not stated"
                }
            }
            term("Fixed in", fixed)
            if let purl = package.purl { term("Package URL", "<code>\(esc(purl))</code>") }
            if !package.paths.isEmpty { term("Package paths", list(package.paths.map { "<code>\(esc($0))</code>" })) }
        }
        if !finding.locations.isEmpty {
            term("Locations", list(finding.locations.map { esc(Self.describe($0)) }))
        }
        if !finding.cwes.isEmpty { term("CWE", finding.cwes.map(esc).joined(separator: ", ")) }
        if let remediation = finding.remediation, !remediation.isEmpty {
            term("Remediation", "<div class=\"text\">\(esc(remediation))</div>")
        }
        if !finding.references.isEmpty { term("References", list(finding.references.map(link))) }
        term(
            "Sources",
            list(
                finding.provenance.map { source in
                    var text = esc(source.tool)
                    if let version = source.toolVersion { text += " " + esc(version) }
                    return text + ": <code>\(esc(source.rawID))</code> in <code>\(esc(source.reportFile))</code>"
                }))
        if let status = finding.status { term("Tool status", esc(status)) }
        if let suppression = finding.suppression {
            var text = "\(esc(suppression.source)) (\(esc(suppression.status)))"
            if let statement = suppression.statement { text += ": " + esc(statement) }
            term("Suppressed by", text)
        }
        output += "</dl>"
        ratings(finding)
        instances(finding)
        output += "</div>"
    }

    mutating func ratings(_ finding: Finding) {
        guard !finding.ratings.isEmpty else { return }
        output += "<table><thead><tr><th>Source</th><th>Said</th><th>Severity</th><th>CVSS</th></tr></thead><tbody>"
        for rating in finding.ratings.sorted(by: FindingsJSON.ratingOrder) {
            output += "<tr><td>\(esc(rating.source))\(rating.isToolVerdict ? " (tool verdict)" : "")</td>"
            output += "<td>\(esc(rating.label ?? ""))</td>"
            output += "<td>\(rating.severity.map { severityBadge($0) } ?? "")</td><td>"
            output += rating.cvss.map { score in
                var text = "v\(score.version.rawValue)"
                if let value = score.score { text += " <strong>\(Self.format(value))</strong>" }
                if let vector = score.vector { text += " <code>\(esc(vector))</code>" }
                return text
            }.joined(separator: "<br>")
            output += "</td></tr>"
        }
        output += "</tbody></table>"
    }

    mutating func instances(_ finding: Finding) {
        guard !finding.instances.isEmpty else { return }
        let limit = 25
        output += "<table><thead><tr><th>URI</th><th>Method</th><th>Parameter</th><th>Attack</th><th>Evidence</th>"
        output += "</tr></thead><tbody>"
        for instance in finding.instances.prefix(limit) {
            output += "<tr><td><code>\(esc(instance.uri))</code></td><td>\(esc(instance.method ?? ""))</td>"
            output += "<td><code>\(esc(instance.parameter ?? ""))</code></td>"
            output += "<td><code>\(esc(instance.attack ?? ""))</code></td>"
            output += "<td><code>\(esc(Self.clip(instance.evidence ?? "", 500)))</code></td></tr>"
        }
        output += "</tbody></table>"
        if finding.instances.count > limit {
            output +=
                "<p class=\"muted\">\(finding.instances.count - limit) more instances are in the findings JSON.</p>"
        }
    }

    mutating func term(_ name: String, _ html: String) {
        output += "<dt>\(name)</dt><dd>\(html)</dd>"
    }

    func list(_ items: [String]) -> String {
        items.count == 1 ? items[0] : "<ul class=\"plain\">" + items.map { "<li>\($0)</li>" }.joined() + "</ul>"
    }

    /// A link only for `http(s)` URLs; anything else (`javascript:`, `data:`) is text.
    func link(_ url: String) -> String {
        guard ReportEscaping.isWebLink(url) else { return "<code>\(esc(url))</code>" }
        return "<a href=\"\(esc(url))\" rel=\"noopener noreferrer nofollow\">\(esc(url))</a>"
    }

    func severityBadge(_ severity: Severity) -> String {
        "<span class=\"sev sev-\(severity.rawValue)\">\(severity.rawValue)</span>"
    }

    func rank(_ severity: Severity) -> Int {
        Severity.descending.count - (Severity.descending.firstIndex(of: severity) ?? 0)
    }

    // MARK: Waivers, disagreements, warnings, inputs

    mutating func waivers() {
        output += "<section id=\"waivers\">\n<h2>Waivers</h2>\n"
        guard let gate = content.gate else {
            output += "<p class=\"muted\">No policy was given, so waivers were not evaluated.</p>\n</section>\n"
            return
        }
        let soon = gate.expiringSoon
        output += "<h3>Expiring soon (\(soon.count), within \(gate.expiringWithinDays) days)</h3>\n"
        if soon.isEmpty {
            output += "<p class=\"muted\">None.</p>\n"
        } else {
            output += "<ul id=\"waivers-expiring\">"
            for waiver in soon {
                output += "<li><code>\(esc(waiver.id))</code> expires on \(esc(waiver.expires)), in \(waiver.daysLeft) "
                output += "day\(waiver.daysLeft == 1 ? "" : "s") (\(esc(waiver.source)))</li>"
            }
            output += "</ul>\n"
        }
        let inForce = gate.waivers.filter(\.inForce)
        output += "<h3>In force (\(inForce.count))</h3>\n"
        waiverTable(inForce, soon: gate.expiringWithinDays, id: "waivers-in-force")
        let others = gate.waivers.filter { !$0.inForce }
        if !others.isEmpty {
            output += "<h3>Not in force (\(others.count))</h3>\n"
            waiverTable(others, soon: nil, id: "waivers-other")
        }
        output += "</section>\n"
    }

    mutating func waiverTable(_ waivers: [ReportGate.WaiverStatus], soon: Int?, id: String) {
        guard !waivers.isEmpty else {
            output += "<p class=\"muted\">None.</p>\n"
            return
        }
        output +=
            "<table id=\"\(id)\"><thead><tr><th>ID</th><th>State</th><th>Expires</th><th class=\"num\">Days left</th>"
        output += "<th class=\"num\">Findings</th><th>Severity</th><th>Approved by</th><th>Reason</th><th>Where</th>"
        output += "</tr></thead><tbody>\n"
        for waiver in waivers {
            let isSoon = soon.map { waiver.daysLeft <= $0 } ?? false
            output += "<tr\(isSoon ? " class=\"soon\"" : "")><td><code>\(esc(waiver.id))</code></td>"
            output += "<td>\(esc(waiver.state))</td><td>\(esc(waiver.expires))</td>"
            output += "<td class=\"num\">\(waiver.daysLeft)</td><td class=\"num\">\(waiver.appliedTo)</td>"
            output += "<td>\(waiver.severity?.rawValue ?? "not stated")</td><td>\(esc(waiver.approvedBy))</td>"
            output += "<td>\(esc(waiver.reason))</td><td><code>\(esc(waiver.source))</code></td></tr>\n"
        }
        output += "</tbody></table>\n"
    }

    mutating func disagreements() {
        let rows = content.findings.all.compactMap { finding -> (Finding, [(source: String, severity: Severity)])? in
            let opinions = ReportContent.disagreement(finding)
            return opinions.isEmpty ? nil : (finding, opinions)
        }
        output += "<section id=\"disagreements\">\n<h2>Severity disagreements (\(rows.count))</h2>\n"
        guard !rows.isEmpty else {
            output +=
                "<p class=\"muted\">Every source that rated a finding gave it the same severity.</p>\n</section>\n"
            return
        }
        output += "<p>Findings whose sources rate them differently; the resolved severity is what ScanGate uses "
        output += "(a policy's <code>severity-sources</code> can choose another).</p>\n"
        output += "<table><thead><tr><th>ID</th><th>Resolved</th><th>Sources</th></tr></thead><tbody>\n"
        for (finding, opinions) in rows {
            output += "<tr><td><a href=\"#f-\(esc(finding.fingerprint))\"><code>\(esc(finding.ruleID))</code></a></td>"
            output += "<td>\(severityBadge(finding.severity))</td><td>"
            output += opinions.map { "\(esc($0.source)) \(severityBadge($0.severity))" }.joined(separator: " ")
            output += "</td></tr>\n"
        }
        output += "</tbody></table>\n</section>\n"
    }

    mutating func warnings() {
        let gateWarnings = content.gate?.warnings ?? []
        guard !gateWarnings.isEmpty else { return }
        output += "<section id=\"warnings\">\n<h2>Gate warnings (\(gateWarnings.count))</h2>\n<ul>"
        for warning in gateWarnings { output += "<li>\(esc(warning))</li>" }
        output += "</ul>\n</section>\n"
    }

    mutating func inputs() {
        output += "<section id=\"inputs\">\n<h2>Reports read</h2>\n"
        output += "<table><thead><tr><th>File</th><th>Tool</th><th>Format</th><th class=\"num\">Findings</th>"
        output += "<th class=\"num\">Suppressed</th><th>Warnings</th></tr></thead><tbody>\n"
        for report in content.reports {
            output += "<tr><td><code>\(esc(report.file))</code></td><td>\(esc(report.tool))"
            if let version = report.toolVersion { output += " \(esc(version))" }
            output += "</td><td>\(esc(report.format)) (\(esc(report.variant)))</td>"
            output +=
                "<td class=\"num\">\(report.findingCount)</td><td class=\"num\">\(report.suppressedCount)</td><td>"
            output += report.warnings.isEmpty ? "" : list(report.warnings.map(esc))
            output += "</td></tr>\n"
        }
        output += "</tbody></table>\n</section>\n"
    }

    // MARK: Text helpers

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    static func format(_ score: Double) -> String {
        // Int(_:) traps on a value it cannot hold; adapters keep scores within 0–10.
        guard let whole = Int(exactly: score) else { return String(score) }
        return String(whole) + ".0"
    }

    /// The package (in its image, for a finding in one), else the first location, for the
    /// table's Where column: at most 160 characters, the image never cut off by a long package.
    static func place(of finding: Finding) -> String {
        if let package = finding.package {
            let text = clip(package.name + (package.installedVersion.map { " " + $0 } ?? ""), 80)
            guard let image = ReportContent.imageText(of: finding) else { return text }
            return text + " (image " + clip(image, 70) + ")"
        }
        if let location = finding.locations.first {
            let more = finding.locations.count > 1 ? " (+\(finding.locations.count - 1))" : ""
            return clip(describe(location), 150) + more
        }
        return clip(finding.instances.first?.uri ?? "", 160)
    }

    static func describe(_ location: Location) -> String {
        var parts: [String] = []
        if let image = location.image {
            var text = image.repository
            if let tag = image.tag { text += ":" + tag }
            if let digest = image.digest { text += "@" + digest }
            parts.append(text)
        }
        if let target = location.target, target != location.path { parts.append(target) }
        if let path = location.path {
            var text = path
            if let start = location.startLine {
                text += ":\(start)"
                if let end = location.endLine, end != start { text += "-\(end)" }
            }
            parts.append(text)
        }
        if let resource = location.resource { parts.append(resource) }
        if let url = location.url {
            var text = (location.method.map { $0 + " " } ?? "") + url
            if let parameter = location.parameter { text += " (\(parameter))" }
            parts.append(text)
        }
        return parts.joined(separator: " · ")
    }
}
