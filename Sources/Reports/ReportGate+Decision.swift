import Policy

extension ReportGate {
    /// The gate's decision as the reports show it: one outcome per finding (its first verdict),
    /// the counts, the waivers with their expiry, the warnings and the decision's own JSON.
    public init(_ decision: Decision, policy: Policy) {
        var outcomes: [String: ReportGate.FindingOutcome] = [:]
        for verdict in decision.verdicts where outcomes[verdict.finding.fingerprint] == nil {
            outcomes[verdict.finding.fingerprint] = ReportGate.FindingOutcome(
                outcome: ReportGate.Outcome(rawValue: verdict.verdict.rawValue) ?? .pass, reason: verdict.reason.text,
                severity: verdict.severity, isNew: verdict.isNew, notes: verdict.notes)
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
            decisionJSON: DecisionJSON.encode(decision))
    }
}
