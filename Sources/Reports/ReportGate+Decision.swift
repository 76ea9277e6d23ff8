import Findings
import Foundation
import Policy

extension ReportGate {
    /// The gate's decision as the reports show it: one outcome per finding (its first verdict),
    /// the counts, the waivers with their expiry, the warnings and the decision's own JSON.
    public init(_ decision: Decision, policy: Policy) {
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for verdict in decision.verdicts where outcomes[verdict.finding.fingerprint] == nil {
            outcomes[verdict.finding.fingerprint] = ReportGate.FindingOutcome(
                outcome: ReportGate.Outcome(rawValue: verdict.verdict.rawValue) ?? .pass, reason: verdict.reason.text,
                severity: verdict.severity, isNew: verdict.isNew, notes: verdict.notes,
                hiddenOutcome: verdict.hiddenVerdict.flatMap { ReportGate.Outcome(rawValue: $0.rawValue) })
        }
        var counts: [ReportGate.Outcome: Int] = [:]
        for verdict in Verdict.allCases {
            if let outcome = ReportGate.Outcome(rawValue: verdict.rawValue) {
                counts[outcome] = decision.counts[verdict]
            }
        }
        let waivers = decision.waivers.map { report in
            ReportGate.WaiverStatus(
                id: report.waiver.id, source: report.waiver.source.description, state: report.state.rawValue,
                expires: report.waiver.expires.description, daysLeft: decision.today.days(until: report.waiver.expires),
                appliedTo: report.appliedTo, approvedBy: report.waiver.approvedBy, reason: report.waiver.reason,
                severity: report.waiver.severity, environments: report.waiver.environments)
        }
        self.init(
            passed: decision.passed, summary: DecisionText.summaryLine(decision), policyFile: decision.policyFile,
            environment: decision.environment, date: decision.today.description, outcomes: outcomes, counts: counts,
            waivers: waivers, expiringWithinDays: policy.waiverLimits.warningDays, warnings: decision.warnings,
            decision: decision)
        policyFiles = policy.files
    }
}

extension FindingsSnapshot {
    /// Reads a previous run's findings (`scangate-findings/1` or `scangate-report/1`) from a
    /// file, as every command's `--baseline` does; an unreadable or wrong document is a
    /// configuration error naming the file and line.
    public static func load(path: String) throws(ConfigurationError) -> FindingsSnapshot {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                document: .baseline, file: path, line: 0,
                message: "cannot read the file: \(UnreadableFile.reason(path))")
        }
        do {
            return try FindingsSnapshot.read(bytes: [UInt8](data), file: path)
        } catch {
            throw ConfigurationError(document: .baseline, file: path, line: error.line, message: error.message)
        }
    }

    /// What the gate needs of it: the open findings' traces (fingerprint, and package and ids),
    /// and apart those a tool suppressed (a policy that does not trust tool suppressions judged
    /// them like any other).
    public var baseline: Baseline {
        var baseline = Baseline(
            file: file, traces: entries.filter { !$0.suppressed }.map(\.trace),
            toolSuppressed: entries.filter(\.suppressed).map(\.trace), unaccepted: verdicts ?? [:])
        baseline.decidedIn = decidedIn
        return baseline
    }
}

extension BaselineDiff {
    /// Compares a previous run's document with this run's findings, as `policy` judges them when
    /// the run is gated: with its `severity-sources` and `unknown-severity-as` (what the gate calls
    /// new at a higher severity is new here too), and, under `trust-tool-suppressions: false`,
    /// findings a tool suppressed counting as open in both runs (the gate judged them like any
    /// other: new or unchanged, never fixed).
    /// `coverage`: what this run's reports looked at
    /// (``init(previous:current:baselineFile:severity:coverage:newAgain:)``). `decision`: the
    /// gate's decision on this run against the same baseline; what it judged new (an expired
    /// waiver, a finding the previous run only waived) is new here too.
    public init(
        previous: FindingsSnapshot, current: FindingSet, judgedBy policy: Policy? = nil,
        coverage: RunCoverage? = nil, decision: Decision? = nil
    ) {
        var entries = current.all.map(DiffEntry.init)
        var previousEntries = previous.entries
        if let policy, !policy.trustsToolSuppressions {
            for index in entries.indices { entries[index].suppressed = false }
            for index in previousEntries.indices { previousEntries[index].suppressed = false }
        }
        self.init(
            previous: previousEntries, current: entries, baselineFile: previous.file,
            severity: policy.map {
                Baseline.severity(judgedBy: $0.severitySources?.value, unknownAs: $0.unknownSeverity)
            }
                ?? \.severity, coverage: coverage,
            newAgain: Set(decision?.verdicts.filter(\.isNew).map(\.finding.fingerprint) ?? []))
    }
}
