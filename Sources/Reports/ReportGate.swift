import Findings
import Policy

/// The gate's decision as the reports show it.
///
/// The Reports module does not depend on the Policy module: the command that evaluated the
/// gate fills this in from the Policy module's `Decision` (raw values and texts are the
/// decision's own), and reports render it.
public struct ReportGate: Sendable {
    /// A verdict; the raw values are the decision JSON's.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case fail, warn, waived
        case vexSuppressed = "vex-suppressed"
        case ignored
        case suppressedByTool = "suppressed-by-tool"
        case pass

        /// Whether it counts as skipped for test reporters: something decided not to count it.
        public var isSkipped: Bool {
            switch self {
            case .waived, .vexSuppressed, .ignored, .suppressedByTool: true
            case .fail, .warn, .pass: false
            }
        }
    }

    /// What the gate said about one finding.
    public struct FindingOutcome: Sendable {
        public var outcome: Outcome
        /// The rule, threshold, waiver or statement that decided, as one line.
        public var reason: String
        /// The severity the finding was judged by.
        public var severity: Severity
        public var isNew: Bool
        /// Waivers that name the finding but do not hold, and why.
        public var notes: [String]
        /// For a waived finding, the verdict the waiver hides (`fail`, `warn`).
        public var hiddenOutcome: Outcome?

        public init(
            outcome: Outcome, reason: String, severity: Severity, isNew: Bool, notes: [String] = [],
            hiddenOutcome: Outcome? = nil
        ) {
            self.outcome = outcome
            self.reason = reason
            self.severity = severity
            self.isNew = isNew
            self.notes = notes
            self.hiddenOutcome = hiddenOutcome
        }

        /// Whether the gate accepted the finding though no tool suppressed it: a waiver, a VEX
        /// statement or an `ignore` rule took it out of the decision.
        public var isAcceptedByTheGate: Bool {
            switch outcome {
            case .waived, .vexSuppressed, .ignored: true
            case .fail, .warn, .pass, .suppressedByTool: false
            }
        }

        /// The reason as one line, with the verdict a waiver hides (`waiver X (w.yaml:8) until
        /// 2026-12-10, …: reason (without the waiver: warn)`), as `scangate gate` prints it.
        public var reasonWithHiddenVerdict: String {
            guard let hiddenOutcome else { return reason }
            return reason + " (without the waiver: \(hiddenOutcome.rawValue))"
        }
    }

    /// A report whose scan checked nothing, failing the decision.
    public struct EmptyScanFailure: Sendable {
        /// The report (the path as given).
        public var report: String
        /// The gate's reason, one line: the report, why it checked nothing and the policy line
        /// (`reports/trivy.json checked nothing: …; empty-scans: fail (policies/production.yaml:12)`).
        public var reason: String

        public init(report: String, reason: String) {
            self.report = report
            self.reason = reason
        }
    }

    /// One waiver and what became of it.
    public struct WaiverStatus: Sendable {
        public var id: String
        /// `file:line` of the entry.
        public var source: String
        /// `applied`, `expired`, `stale`, `not-applied`, `other-environment`.
        public var state: String
        /// The last day it holds (`YYYY-MM-DD`).
        public var expires: String
        /// Days from the gate's date to the expiry (negative once expired).
        public var daysLeft: Int
        public var appliedTo: Int
        public var approvedBy: String
        public var reason: String
        public var severity: Severity?
        public var environments: [String]

        public init(
            id: String, source: String, state: String, expires: String, daysLeft: Int, appliedTo: Int,
            approvedBy: String, reason: String, severity: Severity?, environments: [String]
        ) {
            self.id = id
            self.source = source
            self.state = state
            self.expires = expires
            self.daysLeft = daysLeft
            self.appliedTo = appliedTo
            self.approvedBy = approvedBy
            self.reason = reason
            self.severity = severity
            self.environments = environments
        }

        /// Whether it hides findings now.
        public var inForce: Bool { state == "applied" }
    }

    public var passed: Bool
    /// The decision's one-line summary (`FAIL: 3 failing, …`).
    public var summary: String
    public var policyFile: String
    /// The policy file and the files it extends: inputs, which an output must not replace.
    public var policyFiles: [String] = []
    public var environment: String
    /// The day the gate judged on (`YYYY-MM-DD`).
    public var date: String
    /// By finding fingerprint.
    public var outcomes: [String: FindingOutcome]
    public var counts: [Outcome: Int]
    public var waivers: [WaiverStatus]
    /// A waiver in force that expires within this many days is "expiring soon".
    public var expiringWithinDays: Int
    public var warnings: [String]
    /// Each report whose scan checked nothing and fails the decision (the policy's
    /// `empty-scans: fail`), by report; empty under `warn`.
    public var emptyScanFailures: [EmptyScanFailure]
    /// The decision JSON (`scangate-gate/1`), embedded whole in the JSON report: encoded when
    /// asked for, from the decision the gate was made from (47 MB for the 1× benchmark report,
    /// which the HTML, Markdown and JUnit reports never need).
    public var decisionJSON: [UInt8] {
        switch decisionSource {
        case .encoded(let bytes): bytes
        case .decision(let decision): DecisionJSON.encode(decision)
        }
    }

    enum DecisionSource: Sendable {
        case encoded([UInt8])
        case decision(Decision)
    }

    private var decisionSource: DecisionSource

    public init(
        passed: Bool, summary: String, policyFile: String, environment: String, date: String,
        outcomes: [String: FindingOutcome], counts: [Outcome: Int], waivers: [WaiverStatus],
        expiringWithinDays: Int, warnings: [String], decisionJSON: [UInt8],
        emptyScanFailures: [EmptyScanFailure] = []
    ) {
        self.emptyScanFailures = emptyScanFailures
        self.passed = passed
        self.summary = summary
        self.policyFile = policyFile
        self.environment = environment
        self.date = date
        self.outcomes = outcomes
        self.counts = counts
        self.waivers = waivers
        self.expiringWithinDays = expiringWithinDays
        self.warnings = warnings
        self.decisionSource = .encoded(decisionJSON)
    }

    /// Everything but the decision JSON, which is encoded from `decision` when asked for.
    init(
        passed: Bool, summary: String, policyFile: String, environment: String, date: String,
        outcomes: [String: FindingOutcome], counts: [Outcome: Int], waivers: [WaiverStatus],
        expiringWithinDays: Int, warnings: [String], decision: Decision
    ) {
        self.init(
            passed: passed, summary: summary, policyFile: policyFile, environment: environment, date: date,
            outcomes: outcomes, counts: counts, waivers: waivers, expiringWithinDays: expiringWithinDays,
            warnings: warnings, decisionJSON: [],
            emptyScanFailures: decision.failingEmptyScans.map {
                EmptyScanFailure(report: $0.scan.report, reason: $0.reason.text)
            })
        decisionSource = .decision(decision)
    }

    /// Waivers in force that expire within ``expiringWithinDays``, soonest first.
    public var expiringSoon: [WaiverStatus] {
        waivers.filter { $0.inForce && $0.daysLeft <= expiringWithinDays }.sorted { $0.daysLeft < $1.daysLeft }
    }
}

/// Everything a report renders: the findings, the reports they came from, and optionally the
/// diff against a baseline and the gate's decision.
public struct ReportContent: Sendable {
    public var findings: FindingSet
    public var reports: [ReportSummary]
    public var diff: BaselineDiff?
    public var gate: ReportGate?
    /// The date shown as "as of" (no clock is read: output is deterministic).
    public var date: String?
    /// Where the full report is, for formats that leave findings out (a URL or a file name).
    public var fullReportLocation: String?

    public init(
        findings: FindingSet, reports: [ReportSummary], diff: BaselineDiff? = nil, gate: ReportGate? = nil,
        date: String? = nil, fullReportLocation: String? = nil
    ) {
        self.findings = findings
        self.reports = reports
        self.diff = diff
        self.gate = gate
        self.date = date
        self.fullReportLocation = fullReportLocation
    }

    /// The reports' own warnings, each naming its report (`file: warning`), as the gate is given
    /// them: a scan that checked nothing, a part of the scan that failed and was accepted with
    /// `--allow-incomplete`, a rule a SARIF result names that its run does not define. Reports
    /// show them with or without a decision: without them, a report that checked nothing reads
    /// as a clean one.
    public var reportWarnings: [String] {
        reports.flatMap { report in report.warnings.map { "\(report.file): \($0)" } }
    }

    /// The gate's warnings but those that are ``reportWarnings`` (the gate repeats the reports'
    /// warnings among its own): what reports list under the decision, so that none is shown twice.
    public var gateOnlyWarnings: [String] {
        guard let gate else { return [] }
        let fromReports = Set(reportWarnings)
        guard !fromReports.isEmpty else { return gate.warnings }
        return gate.warnings.filter { !fromReports.contains($0) }
    }

    /// The severity reports show for a finding: the one the gate judged it by when there is a
    /// decision (a policy's `severity-sources` or `unknown-severity-as` can make it another than
    /// the resolved one), so a row never says critical beside a verdict made on medium.
    public func shownSeverity(of finding: Finding) -> Severity {
        gate?.outcomes[finding.fingerprint]?.severity ?? finding.severity
    }

    /// The severity reports show for an entry of the diff that is a finding of this run (new or
    /// unchanged): the one the gate judged it by, as for the finding itself; else the entry's
    /// own.
    public func shownSeverity(of entry: DiffEntry) -> Severity {
        gate?.outcomes[entry.fingerprint]?.severity ?? entry.severity
    }

    /// The diff's new entries, most severe first by the severity reports show (ties
    /// keep the diff's order); empty without a baseline.
    public var newSinceBaseline: [DiffEntry] {
        guard let diff else { return [] }
        guard gate != nil else { return diff.new }
        let keys = diff.new.enumerated().map { (severity: shownSeverity(of: $1), position: $0) }
        return keys.sorted { lhs, rhs in
            lhs.severity != rhs.severity ? lhs.severity > rhs.severity : lhs.position < rhs.position
        }
        .map { diff.new[$0.position] }
    }

    /// Whether reports count and list a finding as open: no tool suppressed it, or the gate
    /// judged it all the same (a policy with `trust-tool-suppressions: false`), so a finding the
    /// gate failed is never counted or left out as suppressed.
    public func isOpen(_ finding: Finding) -> Bool {
        if finding.isOpen { return true }
        guard let outcome = gate?.outcomes[finding.fingerprint] else { return false }
        return outcome.outcome != .suppressedByTool
    }

    /// The findings reports count and list as open (``isOpen(_:)``), in the set's order.
    public var openFindings: [Finding] {
        guard gate != nil, !findings.suppressed.isEmpty else { return findings.open }
        return findings.all.filter(isOpen)
    }

    /// The findings a tool suppressed and the gate left suppressed, in the set's order.
    public var suppressedFindings: [Finding] {
        guard gate != nil, !findings.suppressed.isEmpty else { return findings.suppressed }
        return findings.suppressed.filter { !isOpen($0) }
    }

    /// `findings` in the order reports list them: with a gate decision, the failing ones first,
    /// then the warned ones, then the rest, each most severe first (by ``shownSeverity(of:)``),
    /// so a list cut to a length limit keeps what decided the gate; without one, as given (the
    /// set's order, most severe first). Ties keep the given order.
    public func inListingOrder(_ findings: [Finding]) -> [Finding] {
        guard gate != nil else { return findings }
        let keys = findings.enumerated().map { position, finding in
            (tier: listingTier(of: finding), severity: shownSeverity(of: finding), position: position)
        }
        return keys.sorted { lhs, rhs in
            if lhs.tier != rhs.tier { return lhs.tier < rhs.tier }
            if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
            return lhs.position < rhs.position
        }
        .map { findings[$0.position] }
    }

    /// The part of the listing order a finding is in: 0 failing, 1 warned, 2 anything else
    /// (every finding without a decision).
    func listingTier(of finding: Finding) -> Int {
        switch gate?.outcomes[finding.fingerprint]?.outcome {
        case .fail: 0
        case .warn: 1
        default: 2
        }
    }

    /// How many of the open findings (``openFindings``: no tool suppressed them) the gate
    /// accepted, by verdict (waived, VEX-suppressed, ignored), only verdicts that occur. "Open"
    /// is the scanners' word (the findings JSON's `open`, what a baseline compares): reports say
    /// alongside it how many of these the gate took out of the decision.
    public var openAcceptedByTheGate: [(ReportGate.Outcome, Int)] {
        guard let gate else { return [] }
        var counts: [ReportGate.Outcome: Int] = [:]
        for finding in openFindings {
            if let outcome = gate.outcomes[finding.fingerprint], outcome.isAcceptedByTheGate {
                counts[outcome.outcome, default: 0] += 1
            }
        }
        return ReportGate.Outcome.allCases.compactMap { outcome in counts[outcome].map { (outcome, $0) } }
    }

    /// One sentence saying what "open" counts when the gate accepted some open findings (`"open"
    /// counts every finding no tool suppressed; the gate accepted 2 of them (1 waived, 1
    /// VEX-suppressed): …`), or nil when it accepted none.
    public var openAcceptedNote: String? {
        let accepted = openAcceptedByTheGate
        guard !accepted.isEmpty else { return nil }
        let total = accepted.reduce(0) { $0 + $1.1 }
        let parts = accepted.map { "\($0.1) \($0.0 == .vexSuppressed ? "VEX-suppressed" : $0.0.rawValue)" }
            .joined(separator: ", ")
        return "“open” counts every finding no tool suppressed; the gate accepted \(total) of them (\(parts)): "
            + "\(total == 1 ? "it neither fails nor warns" : "they neither fail nor warn"), and "
            + "\(total == 1 ? "its row says" : "their rows say") why."
    }

    /// Open findings by the severity reports show (``shownSeverity(of:)``), most severe first.
    public var openBySeverity: [(Severity, Int)] {
        var counts: [Severity: Int] = [:]
        for finding in openFindings { counts[shownSeverity(of: finding), default: 0] += 1 }
        return Severity.descending.map { ($0, counts[$0] ?? 0) }
    }

    /// Open findings per tool (a finding several tools reported counts for each), by severity.
    public var openByTool: [(tool: String, counts: [Severity: Int], total: Int)] {
        var byTool: [String: [Severity: Int]] = [:]
        for report in reports { byTool[report.tool] = byTool[report.tool] ?? [:] }
        for finding in openFindings {
            for tool in Set(finding.provenance.map(\.tool)) {
                byTool[tool, default: [:]][shownSeverity(of: finding), default: 0] += 1
            }
        }
        return byTool.keys.sorted().map { tool in
            let counts = byTool[tool] ?? [:]
            return (tool, counts, counts.values.reduce(0, +))
        }
    }

    /// Open findings by kind, in the kinds' order, only kinds that occur.
    public var openByKind: [(FindingKind, Int)] {
        var counts: [FindingKind: Int] = [:]
        for finding in openFindings { counts[finding.kind, default: 0] += 1 }
        return FindingKind.allCases.compactMap { kind in counts[kind].map { (kind, $0) } }
    }

    /// The container image a finding is located in, as reports name it in the finding's place
    /// (`repository:tag`, else `repository@digest`, else the repository), with how many other
    /// images it is in (`app:1.4 (+2 more images)`); nil for a finding in no image. The same
    /// vulnerability in two images is two findings, and the gate can judge them apart (a rule on
    /// `image:`): their rows must not read alike.
    public static func imageText(of finding: Finding) -> String? {
        var images: [ImageReference] = []
        for location in finding.locations {
            if let image = location.image, !images.contains(image) { images.append(image) }
        }
        guard let image = images.first else { return nil }
        var text = image.repository
        if let tag = image.tag {
            text += ":" + tag
        } else if let digest = image.digest {
            text += "@" + digest
        }
        if images.count > 1 { text += " (+\(images.count - 1) more image\(images.count == 2 ? "" : "s"))" }
        return text
    }

    /// Findings whose sources rate them differently: each source's severity (its label, else
    /// the band of its best CVSS score), sorted by source. Empty when all agree.
    public static func disagreement(_ finding: Finding) -> [(source: String, severity: Severity)] {
        var opinions: [String: Severity] = [:]
        for rating in finding.ratings {
            var rated = rating.severity.flatMap { $0 == .unknown ? nil : $0 }
            if rated == nil, let score = rating.bestScore?.score { rated = Severity(cvssScore: score) }
            guard let severity = rated else { continue }
            opinions[rating.source] = max(opinions[rating.source] ?? severity, severity)
        }
        guard Set(opinions.values).count > 1 else { return [] }
        return opinions.keys.sorted().compactMap { source in opinions[source].map { (source, $0) } }
    }
}
