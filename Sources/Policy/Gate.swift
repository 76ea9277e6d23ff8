import Findings

/// Everything the gate decides over.
public struct GateInput: Sendable {
    public var findings: FindingSet
    public var policy: Policy
    public var waivers: [WaiverFile]
    public var vex: [VEXDocument]
    public var baseline: Baseline?
    /// Overrides the policy's environment (`--env`).
    public var environment: String?
    /// The day waivers are judged on (`--now`).
    public var today: Day
    /// The calendar's date when ``today`` was chosen (`--now`); nil when ``today`` is it. A
    /// waiver that holds on ``today`` but expired before this day is said to, and why it still
    /// applies: a gate judged as of a past day revives expired waivers, never silently.
    public var calendarDay: Day?
    /// What was found out about the images' signatures, for the policy's `signatures:` to rule
    /// on; nil (`scangate gate`): not verified, a warning when the policy requires them.
    public var signatures: SignatureEvidence?
    /// What the report readers warned about (`report.json: …`: a scan of an end-of-life OS, a
    /// rule a SARIF result names that its run does not have): part of the decision's warnings,
    /// so that they reach its table and JSON, not only a terminal.
    public var reportWarnings: [String]
    /// The repository being gated, as the command line knows it (`--repository`, else
    /// `GITHUB_REPOSITORY`): an OpenVEX statement whose product names a source repository
    /// (`pkg:github/OWNER/REPO`) speaks for the source tree's findings only when it names this
    /// one. Nil: not known, and such statements are not applied (a warning says so).
    public var repository: SourceRepository?
    /// The environments the caller's configuration defines (`scangate ci`: the keys of
    /// `.scangate.yaml`'s `policies`), so that a waiver naming another one (a typo) is warned
    /// about; nil when not known (`scangate gate`).
    public var definedEnvironments: [String]?
    /// The reports whose scans checked nothing (``EmptyScan``, from the readers), for the
    /// policy's `empty-scans` to rule on; their readers' warnings stay in ``reportWarnings``.
    public var emptyScans: [EmptyScan]

    public init(
        findings: FindingSet, policy: Policy, waivers: [WaiverFile] = [], vex: [VEXDocument] = [],
        baseline: Baseline? = nil, environment: String? = nil, today: Day, signatures: SignatureEvidence? = nil,
        reportWarnings: [String] = [], repository: SourceRepository? = nil, definedEnvironments: [String]? = nil,
        emptyScans: [EmptyScan] = [], calendarDay: Day? = nil
    ) {
        self.calendarDay = calendarDay
        self.emptyScans = emptyScans
        self.reportWarnings = reportWarnings
        self.repository = repository
        self.definedEnvironments = definedEnvironments
        self.findings = findings
        self.policy = policy
        self.waivers = waivers
        self.vex = vex
        self.baseline = baseline
        self.environment = environment
        self.today = today
        self.signatures = signatures
    }
}

/// The gate: one pure, deterministic function from findings, policy, waivers, VEX, baseline
/// and a date to a ``Decision``.
///
/// For each finding, in order, the first of these that applies decides:
/// 1. a scanner suppressed it → `suppressed-by-tool`;
/// 2. an OpenVEX `not_affected`/`fixed` statement covers it (the latest statement about the
///    finding and product wins; it must cover every image the finding is in; a product naming a
///    source repository covers the source tree only when it is ``GateInput/repository``, and a
///    product with subcomponents that is neither an image nor a source repository covers
///    nothing) → `vex-suppressed`;
/// 3. the first policy rule that matches → its action (`fail`, `warn`, `ignore`);
/// 4. `fail-on`, then `warn-on` (with `fail-on-new-only`, a finding the baseline has warns
///    instead of failing); else `pass`.
///
/// Then a waiver that holds (names the finding, holds in the environment, not expired, granted
/// for at least the finding's severity, no longer than `max-days`) turns a fail, warn or pass
/// into `waived`. Last, each `max:` count exceeded turns the remaining warnings and passes of
/// that severity into failures.
///
/// With signature evidence, each image gets a verdict too: `pass` when verified; when not
/// verified (or not checked), `fail` if the policy's `signatures.required` (or the evidence's
/// ``SignatureEvidence/requiredBy``) requires it, else `warn`; each reason cites the policy's
/// `signatures:` line. Without evidence, required signatures are a warning, never a pass.
/// The gate passes when nothing fails.
public enum Gate {
    public static func evaluate(_ input: GateInput) -> Decision {
        let policy = input.policy
        let environment = input.environment ?? policy.environment
        let waivers = input.waivers.flatMap(\.waivers)
        // Waivers by the id they name (``Waiver/idKey(_:)``): looked up per finding, not each
        // waiver tried on each finding (8,000 waivers took 49 s on a 50,000-finding report).
        let waiversByID = Dictionary(grouping: waivers.indices) { Waiver.idKey(waivers[$0].id) }
        let vex = VEXIndex(
            input.vex.flatMap(\.statements), today: input.today, repository: input.repository)
        // Only where something could relax the gate by an id: nothing to find out otherwise.
        let relaxesByID =
            !waivers.isEmpty || !vex.isEmpty || policy.rules.contains { $0.action != .fail && !$0.match.ids.isEmpty }
        let contested = relaxesByID ? ContestedIDs(input.findings.all) : .none
        // The waivers whose id is the finding's or an uncontested alias of it, whatever their
        // scope, in order.
        func waiversNamingID(of finding: Finding, at position: Int) -> [Int] {
            guard !waiversByID.isEmpty else { return [] }
            let ids = contested.relaxingIDs(of: finding, at: position)
            return Set(ids.flatMap { waiversByID[Waiver.idKey($0)] ?? [] }).sorted()
        }
        var vexNotes = vex.futureWarnings
        let newOnly = policy.failOnNewOnly?.value ?? false
        var named = Set<Int>()
        var applied: [Int: Int] = [:]
        // Waivers whose id names a finding their scope leaves out, and waivers that name a
        // finding only for other environments: explained under the findings they would have
        // hidden (once every verdict is known), so that they are not taken for stale or unseen.
        // For each such waiver, the first finding it leaves out and how many: the notes under
        // failing findings are made again from the scopes once verdicts are known (kept for every
        // pair, thousands of waivers of one id scoped to one package each held millions).
        var outOfScope: [Int: (first: (position: Int, mismatches: [ScopeMismatch]), count: Int)] = [:]
        // Waivers naming a finding held otherwise (a rule ignores it, an OpenVEX statement or its
        // scanner suppresses it): the first such finding and what holds it, for the warning that
        // the waiver is not needed (instead of a silent "not applied").
        var heldOtherwise: [Int: (finding: Finding, by: String)] = [:]
        // Waivers whose id names findings only as a contested alias (``ContestedIDs``), for the
        // warning that they applied to none of them.
        var contestedWaivers = Set<Int>()
        var elsewhere: [Int: [Int]] = [:]
        var warnings: [String] = []
        var verdicts: [FindingVerdict] = []
        verdicts.reserveCapacity(input.findings.all.count)

        for (position, finding) in input.findings.all.enumerated() {
            let judgement = SeverityJudge.judge(finding, sources: policy.severitySources?.value)
            let effective = judgement.severity == .unknown ? policy.unknownSeverity : judgement.severity
            // A finding its tool suppressed, under a policy that trusts that, is compared with the
            // baseline's suppressed findings too: suppressed then as now, it is not new.
            let countingToolSuppressed = !policy.trustsToolSuppressions || finding.suppression != nil
            let inBaseline = input.baseline?.lookup(
                finding, judgedBy: policy.severitySources?.value, unknownAs: policy.unknownSeverity,
                countingToolSuppressed: countingToolSuppressed)
            var naming: [Int] = []
            for index in waiversNamingID(of: finding, at: position) {
                let mismatches = waivers[index].scopeMismatches(for: finding)
                if mismatches.isEmpty {
                    naming.append(index)
                } else {
                    if outOfScope[index] == nil {
                        outOfScope[index] = ((verdicts.count, mismatches), 1)
                    } else {
                        outOfScope[index]?.count += 1
                    }
                }
            }
            let forOtherEnvironments = naming.filter { !waivers[$0].holds(in: environment) }
            if !forOtherEnvironments.isEmpty { elsewhere[verdicts.count] = forOtherEnvironments }
            // A waiver accepts a finding until it expires, not for good: a baseline taken while it
            // was waived holds the finding, and `fail-on-new-only` would let it pass for ever. So a
            // finding is new again when its waiver has expired, or when the baseline's decision
            // waived it or an OpenVEX statement took it out (the waiver since deleted or expired,
            // the statement withdrawn or overruled): waived or taken out now, it is known. So is one
            // the baseline's decision failed: a failed run's findings were never accepted, and
            // re-running it with its own output as baseline must not pass.
            // The waivers naming the finding as the baseline knew it count too: npm audit alone
            // names lodash's GHSA where the baseline's merged finding was the CVE a waiver named.
            let matched =
                inBaseline == .present
                ? input.baseline?.matches(finding, countingToolSuppressed: countingToolSuppressed) ?? [] : []
            let baselineIDs = Set(matched.flatMap(\.ids).map(Waiver.idKey))
            // Not one whose id the finding has now as a contested alias: that one is said below.
            let namingThen = Set(baselineIDs.flatMap { waiversByID[$0] ?? [] }).sorted().filter { index in
                !naming.contains(index) && !contested.isContested(waivers[index].id, forFindingAt: position)
                    && waivers[index].scopeMismatches(for: finding).isEmpty
            }
            let lapsedWaiver = (naming + namingThen).map { waivers[$0] }.first {
                $0.holds(in: environment) && input.today > $0.expires
            }
            let heldThen = inBaseline == .present ? input.baseline?.unaccepted(finding, matched: matched) : nil
            let isNew = inBaseline.map { $0 != .present || lapsedWaiver != nil || heldThen != nil } ?? true
            var result = FindingVerdict(
                finding: finding, verdict: .pass, reason: Reason(kind: .belowThresholds, text: ""),
                severity: effective, judgedSeverity: judgement.severity, severitySource: judgement.source,
                disagreement: judgement.disagreement, isNew: isNew, notes: [])
            // Waivers naming the finding only by a contested alias: not applied, and said under it
            // when their scope would have held it.
            for key in contested.keys(ofFindingAt: position).sorted() {
                for index in waiversByID[key] ?? []
                where waivers[index].holds(in: environment) && input.today <= waivers[index].expires {
                    contestedWaivers.insert(index)
                    guard waivers[index].scopeMismatches(for: finding).isEmpty,
                        let note = contested.note(
                            "waiver \(waivers[index].label)", names: waivers[index].id, finding: finding,
                            at: position, verb: "waive")
                    else { continue }
                    result.notes.append(note)
                }
            }
            switch inBaseline {
            case .lessSevere(let was)?:
                result.notes.append("new at this severity: the baseline has it as \(was), now \(effective)")
            case .elsewhere(let places)?:
                result.notes.append(
                    "new here: the baseline has it, but not in \(places.joined(separator: ", "))")
            case .moreOften(let files)?:
                let counts = files.map { "\($0.file) (\($0.then) then, \($0.now) now)" }
                result.notes.append(
                    "new here: found in more places than the baseline has it: " + counts.joined(separator: ", "))
            default: break
            }
            if inBaseline == .present, let lapsedWaiver {
                result.notes.append(
                    "new again: the baseline has it, but its waiver \(lapsedWaiver.label) expired on "
                        + "\(lapsedWaiver.expires)")
            }
            named.formUnion(naming)
            // A waiver that names the finding only as the baseline knew it is not stale, but does
            // not hold it either (a waiver is for the ids it names): say what to add.
            named.formUnion(namingThen)
            for index in namingThen where waivers[index].holds(in: environment) && input.today <= waivers[index].expires
            {
                result.notes.append(
                    "waiver \(waivers[index].label) names it as the baseline knew it (\(waivers[index].id)), not by an "
                        + "id it has now: to waive it, name \(finding.ruleID) in a waiver")
            }

            if let suppression = finding.suppression, !policy.trustsToolSuppressions {
                let setting = policy.trustToolSuppressions.map { " (\($0.source))" } ?? ""
                result.notes.append(
                    "suppressed by \(suppression.source) (\(suppression.status)), which the policy does not trust "
                        + "(trust-tool-suppressions: false\(setting)): judged as open")
            }
            if let suppression = finding.suppression, policy.trustsToolSuppressions {
                vex.noteSpoken(about: finding, at: position, contested: contested)
                result.verdict = .suppressedByTool
                result.reason = Reason(
                    kind: .tool,
                    text: "suppressed by \(suppression.source) (\(suppression.status))"
                        + (suppression.statement.map { ": \($0)" } ?? ""))
            } else if let statement = vex.suppressing(
                finding, at: position, contested: contested, warnings: &vexNotes, notes: &result.notes)
            {
                result.verdict = .vexSuppressed
                result.vexStatement = statement
                let why = statement.justification ?? statement.impactStatement
                result.reason = Reason(
                    kind: .vex,
                    text: "OpenVEX statement \(statement.index) (\(statement.source)): \(statement.status.rawValue)"
                        + (why.map { ", \($0)" } ?? ""), source: statement.source)
            } else {
                (result.verdict, result.reason) = policyVerdict(
                    finding, original: judgement.severity, effective: effective, isNew: isNew, policy: policy,
                    relaxingIDs: contested.isEmpty ? nil : contested.relaxingIDs(of: finding, at: position))
                if result.verdict != .ignored {
                    // The waiver that holds longest first, then by file and line: in the order
                    // the files were given, another waiver (with its reason, approver and
                    // "expires in 2 days" warning) applied when `--waivers` were swapped.
                    let byExpiry = naming.sorted {
                        (waivers[$0].expires, waivers[$1].source) > (waivers[$1].expires, waivers[$0].source)
                    }
                    for index in byExpiry {
                        let waiver = waivers[index]
                        guard waiver.holds(in: environment) else { continue }
                        if let refusal = refusal(
                            of: waiver, for: finding, severity: effective, policy: policy, today: input.today)
                        {
                            result.notes.append(refusal)
                            if input.today <= waiver.expires {
                                warnings.append("\(describe(finding)): \(refusal)")
                            }
                            continue
                        }
                        result.hiddenVerdict = result.verdict
                        result.verdict = .waived
                        result.waiver = waiver
                        result.reason = Reason(
                            kind: .waiver,
                            text: "waiver \(waiver.label) until \(waiver.expires), approved by \(waiver.approvedBy): "
                                + waiver.reason, source: waiver.source)
                        applied[index, default: 0] += 1
                        break
                    }
                }
            }
            if let heldThen, lapsedWaiver == nil {
                if Baseline.holdingVerdicts.contains(result.verdict) {
                    result.isNew = false  // known, and held now by a waiver, statement, rule or the tool
                } else {
                    result.notes.append(Self.newAgainNote(heldThen: heldThen, file: input.baseline?.file ?? ""))
                }
            }
            if policy.severitySources != nil, judgement.severity != finding.severity,
                result.verdict != .suppressedByTool, result.verdict != .vexSuppressed
            {
                warnings.append(
                    "\(describe(finding)): judged \(judgement.severity) by \(judgement.source) (severity-sources), "
                        + "resolved severity \(finding.severity); sources: "
                        + judgement.disagreement.joined(separator: ", "))
            }
            if [.ignored, .vexSuppressed, .suppressedByTool].contains(result.verdict) {
                for index in naming where heldOtherwise[index] == nil && waivers[index].holds(in: environment) {
                    heldOtherwise[index] = (finding, result.reason.text)
                }
            }
            verdicts.append(result)
        }

        let maxCounts = applyMaxCounts(&verdicts, policy: policy, newOnly: newOnly)
        for (position, indices) in elsewhere where [.fail, .warn].contains(verdicts[position].verdict) {
            for index in indices {
                verdicts[position].notes.append(otherEnvironmentNote(waivers[index], environment: environment))
            }
        }
        // Only where the waiver would otherwise be judged (this environment, not expired), as its
        // warning below.
        if !outOfScope.isEmpty {
            for position in verdicts.indices where [.fail, .warn].contains(verdicts[position].verdict) {
                let finding = verdicts[position].finding
                for index in waiversNamingID(of: finding, at: position)
                where outOfScope[index] != nil && !named.contains(index) && waivers[index].holds(in: environment)
                    && input.today <= waivers[index].expires
                {
                    let mismatches = waivers[index].scopeMismatches(for: finding)
                    guard !mismatches.isEmpty else { continue }
                    verdicts[position].notes.append(
                        "waiver \(waivers[index].label) has this id, but its scope leaves the finding out: "
                            + mismatches.map(\.description).joined(separator: "; ") + ": not applied")
                }
            }
        }

        var counts = VerdictCounts()
        for verdict in verdicts { counts[verdict.verdict] += 1 }
        // By verdict in `Verdict.allCases` order, each verdict's findings in their order: one
        // pass into buckets (a comparison sort moved every large verdict value again and again).
        let rank = Dictionary(uniqueKeysWithValues: Verdict.allCases.enumerated().map { ($1, $0) })
        var byRank = [[FindingVerdict]](repeating: [], count: Verdict.allCases.count)
        for verdict in verdicts { byRank[rank[verdict.verdict] ?? 0].append(verdict) }
        let ordered = byRank.flatMap { $0 }

        var reports: [WaiverReport] = []
        var waiverWarnings: [String] = []
        for (index, waiver) in waivers.enumerated() {
            waiverWarnings += environmentWarnings(
                waiver, environment: environment, defined: input.definedEnvironments)
            let state: WaiverReport.State
            if !waiver.holds(in: environment) {
                state = .otherEnvironment
            } else if input.today > waiver.expires {
                state = .expired
                waiverWarnings.append("waiver \(waiver.label) expired on \(waiver.expires) and no longer applies")
            } else if let count = applied[index], count > 0 {
                state = .applied
                let left = input.today.days(until: waiver.expires)
                if let calendarDay = input.calendarDay, calendarDay > waiver.expires {
                    // Said instead of "expires in N days", which is true only as of `--now`.
                    waiverWarnings.append(
                        Self.revivedWaiverNote(waiver, judgedOn: input.today, calendarDay: calendarDay))
                } else if left <= policy.waiverLimits.warningDays {
                    waiverWarnings.append(
                        "waiver \(waiver.label) expires on \(waiver.expires), "
                            + (left == 0 ? "today (its last day)" : "in \(left) day\(left == 1 ? "" : "s")"))
                }
                if waiver.severity == nil {
                    waiverWarnings.append(
                        "waiver \(waiver.label) does not say the severity it was granted for, so a rise in "
                            + "severity cannot un-waive the finding: add severity:")
                }
            } else if named.contains(index) {
                state = .notApplied
                if let held = heldOtherwise[index] {
                    // Said of this environment only: another one's policy may need it (production
                    // does not trust the scanner's suppressions that staging trusts).
                    waiverWarnings.append(
                        "waiver \(waiver.label) names \(describe(held.finding)), which is held without it in "
                            + "\(environment) (\(held.by)): not applied here")
                }
            } else if let excluded = outOfScope[index] {
                let first = excluded.first
                // Its id is right and its scope is not (`package: Minimist`): not stale, and
                // removing it is the wrong fix.
                state = .notApplied
                let finding = verdicts[first.position].finding
                let more = excluded.count - 1
                let others = more > 0 ? " and \(more) more finding\(more == 1 ? "" : "s")" : ""
                waiverWarnings.append(
                    "waiver \(waiver.label) has the id of \(describe(finding))\(others), but its scope leaves "
                        + "\(more > 0 ? "every one" : "it") out: "
                        + first.mismatches.map(\.description).joined(separator: "; ")
                        + ": not applied; correct the scope")
            } else if contestedWaivers.contains(index) {
                // Its id is an alias several vulnerabilities share: not stale, and too broad to apply.
                state = .notApplied
                waiverWarnings.append(contested.warning("waiver \(waiver.label)", names: waiver.id))
            } else {
                state = .stale
                waiverWarnings.append("waiver \(waiver.label) matches no finding: it is stale, remove it")
            }
            reports.append(WaiverReport(waiver: waiver, state: state, appliedTo: applied[index] ?? 0))
        }

        var allWarnings: [String] = []
        let (signatures, signatureWarning) = judgeSignatures(input.signatures, policy: policy.signatures)
        if let signatureWarning { allWarnings.append(signatureWarning) }
        if let warnOn = policy.warnOn, let failOn = policy.failOn, warnOn.value >= failOn.value {
            // Legitimate when layered (a stricter file lowers fail-on under the warn-on it extends),
            // but then warn-on says nothing: said, so that nobody counts on warnings it cannot give.
            allWarnings.append(
                "warn-on: \(warnOn.value) (\(warnOn.source)) is at or above fail-on: \(failOn.value) "
                    + "(\(failOn.source)): no finding warns by its severity, every one at or above "
                    + "\(failOn.value) fails")
        }
        // `--env staging` with a production policy: staging's waivers hold under production's
        // thresholds. Allowed (the flag says so), but never silently.
        if policy.declaresOtherEnvironment(than: environment), let text = policy.declaredEnvironmentText {
            allWarnings.append(
                "gated in \(environment), though the policy declares \(text): waivers for \(environment) hold under "
                    + "this policy's thresholds")
        }
        // What a baseline's decision accepted is what that environment's policy accepted: under
        // dev's `fail-on: none` every finding only warned, and all of them would be known here.
        if let baseline = input.baseline, let then = baseline.decidedIn, then != environment {
            allWarnings.append(
                "the baseline \(baseline.file) was decided in the environment \(then), this gate is in "
                    + "\(environment): what that run's policy accepted counts as known here; give a baseline of "
                    + "this environment's runs to have only what \(environment) accepted count")
        }
        allWarnings +=
            input.reportWarnings + waiverWarnings + vexNotes + vex.setAsideWarnings + vex.unusedWarnings
            + unmatchedToolWarnings(policy, input.findings)
            + warnings

        let emptyScans = judgeEmptyScans(input.emptyScans, policy: policy)
        return Decision(
            passed: counts.failing == 0 && signatures.failing == 0 && !emptyScans.contains { $0.verdict == .fail },
            policyFile: policy.file, policyFiles: policy.files, environment: environment, today: input.today,
            baseline: input.baseline?.file, verdicts: ordered, counts: counts, maxCounts: maxCounts, waivers: reports,
            warnings: allWarnings, signatures: signatures, emptyScans: emptyScans, calendarDay: input.calendarDay)
    }

    /// Why a waiver that expired before the calendar's date still applies: the gate judges as of
    /// an earlier day (`--now`).
    public static func revivedWaiverNote(_ waiver: Waiver, judgedOn today: Day, calendarDay: Day) -> String {
        "waiver \(waiver.label) expired on \(waiver.expires), before today's date (\(calendarDay)): it applies only "
            + "because the gate judges as of \(today) (--now)"
    }

    /// Each report that checked nothing, by the policy's `empty-scans`: `fail` fails it, `warn`
    /// (the default) lets it warn, as its reader's warning already does. Sorted by report (then
    /// reason), so that the order reports are given in changes nothing.
    static func judgeEmptyScans(_ scans: [EmptyScan], policy: Policy) -> [EmptyScanVerdict] {
        let setting = policy.emptyScans
        let action = policy.emptyScanAction
        let written = "empty-scans: \(action.rawValue) (\(setting.map { "\($0.source)" } ?? "the default"))"
        return scans.sorted { ($0.report, $0.reason) < ($1.report, $1.reason) }.map { scan in
            EmptyScanVerdict(
                scan: scan, verdict: action == .fail ? .fail : .warn,
                reason: Reason(
                    kind: .emptyScan,
                    text: "\(scan.report) \(scan.isCertain ? "checked" : "may have checked") nothing: \(scan.reason); "
                        + written,
                    source: setting?.source))
        }
    }

    /// The rule or threshold verdict.
    /// - Parameter relaxingIDs: the ids a relaxing rule matches the finding by
    ///   (``ContestedIDs/relaxingIDs(of:at:)``); nil for its id and every alias.
    static func policyVerdict(
        _ finding: Finding, original: Severity, effective: Severity, isNew: Bool, policy: Policy,
        relaxingIDs: [String]? = nil
    ) -> (Verdict, Reason) {
        let context = MatchContext(
            finding: finding, original: original, effective: effective, isNew: isNew, relaxingIDs: relaxingIDs)
        for rule in policy.rules where rule.match.matches(context, relaxing: rule.action != .fail) {
            let verdict: Verdict
            switch rule.action {
            case .fail: verdict = .fail
            case .warn: verdict = .warn
            case .ignore: verdict = .ignored
            }
            let text =
                "rule \(rule.index) of \(rule.source.file) (line \(rule.source.line)): "
                + "match {\(rule.match.summary)} → \(rule.action.rawValue)" + (rule.reason.map { ": \($0)" } ?? "")
            return (verdict, Reason(kind: .rule, text: text, source: rule.source))
        }
        var severityText = "severity \(effective)"
        if original == .unknown, let setting = policy.unknownSeverityAs {
            severityText = "severity unknown, judged as \(effective) (unknown-severity-as at \(setting.source))"
        } else if original == .unknown {
            severityText = "severity unknown, judged as \(effective) (the default for unknown-severity-as)"
        }
        if let failOn = policy.failOn, effective >= failOn.value {
            if let newOnly = policy.failOnNewOnly, newOnly.value, !isNew {
                return (
                    .warn,
                    Reason(
                        kind: .baseline,
                        text: "\(severityText) is at or above fail-on: \(failOn.value) (\(failOn.source)), but the "
                            + "baseline has it and the policy fails only new findings (fail-on-new-only at "
                            + "\(newOnly.source))", source: failOn.source)
                )
            }
            return (
                .fail,
                Reason(
                    kind: .threshold,
                    text: "\(severityText) is at or above fail-on: \(failOn.value) (\(failOn.source))",
                    source: failOn.source)
            )
        }
        if let warnOn = policy.warnOn, effective >= warnOn.value {
            return (
                .warn,
                Reason(
                    kind: .threshold,
                    text: "\(severityText) is at or above warn-on: \(warnOn.value) (\(warnOn.source))",
                    source: warnOn.source)
            )
        }
        return (.pass, Reason(kind: .belowThresholds, text: "\(severityText) is below every threshold"))
    }

    /// The note under a finding that a waiver names only for other environments.
    static func otherEnvironmentNote(_ waiver: Waiver, environment: String) -> String {
        var note =
            "waiver \(waiver.label) holds only in \(waiver.environments.joined(separator: ", ")), not in "
            + "\(environment): not applied"
        if waiver.environments.contains(where: { $0.lowercased() == environment.lowercased() }) {
            note += " (environment names are compared as written, case included)"
        }
        return note
    }

    /// Warnings about the environments a waiver names: one the caller's configuration does not
    /// define (a typo holds nowhere, silently), and one that differs from this gate's only in
    /// case. Environment names are compared as written everywhere (`--env` against
    /// `policies:` too), so such a waiver does not hold; it is said rather than guessed at.
    static func environmentWarnings(_ waiver: Waiver, environment: String, defined: [String]?) -> [String] {
        var warnings: [String] = []
        for name in waiver.environments where name != environment {
            let sameButCase = { (other: String) in other != name && other.lowercased() == name.lowercased() }
            if let defined, !defined.contains(name) {
                var text =
                    "waiver \(waiver.label) names the environment \"\(name)\", which the configuration does not "
                    + "define (policies: \(defined.sorted().joined(separator: ", "))): it holds in no environment "
                    + "of that name"
                if let similar = defined.sorted().first(where: sameButCase) {
                    text += "; \"\(similar)\" differs only in case, and environment names are compared as written"
                }
                warnings.append(text)
            } else if sameButCase(environment) {
                warnings.append(
                    "waiver \(waiver.label) names the environment \"\(name)\", not \"\(environment)\" (this gate's): "
                        + "environment names are compared as written, case included (as --env is), so it does not "
                        + "hold here")
            }
        }
        return warnings
    }

    /// Why a waiver that names a finding in this environment does not hold, or nil when it does.
    static func refusal(
        of waiver: Waiver, for finding: Finding, severity: Severity, policy: Policy, today: Day
    ) -> String? {
        if today > waiver.expires {
            return "waiver \(waiver.label) expired on \(waiver.expires): not applied"
        }
        if let outside = waiver.placeOutsideScope(of: finding) {
            return "waiver \(waiver.label) is scoped to \(outside.scope), the finding is also at \(outside.place): "
                + "not applied"
        }
        // Not approved yet: it cannot hold, and max-days counted from a future approval would
        // let it run for years.
        if let approvedOn = waiver.approvedOn, approvedOn > today {
            return "waiver \(waiver.label) is approved on \(approvedOn), after today (\(today)): not applied"
        }
        if let granted = waiver.severity, severity > granted {
            return "waiver \(waiver.label) was granted for \(granted), the finding is now judged \(severity): "
                + "not applied"
        }
        if let limit = policy.waiverLimits.maxDays[severity] {
            // Days it holds, both ends included: `expires` is the last day it holds, so a
            // waiver approved on the 1st expiring on the 8th holds on eight days.
            let start = waiver.approvedOn ?? today
            let span = start.days(until: waiver.expires) + 1
            if span > limit.value {
                let from = waiver.approvedOn.map { "from approved-on \($0)" } ?? "from the gate's date \(today)"
                return "waiver \(waiver.label) runs \(span) days (\(from) to \(waiver.expires)), longer than the "
                    + "\(limit.value) days the policy allows for \(severity) (\(limit.source)): not applied"
            }
        }
        return nil
    }

    /// A rule whose `tool:` names neither a tool ScanGate reads natively nor the tool of any
    /// report read never fires: a typo (`trivvy`) in a `fail` rule would fail nothing, without a
    /// word. Warned about when there are findings (a rule for `zap` in a run without ZAP is not).
    private static func unmatchedToolWarnings(_ policy: Policy, _ findings: FindingSet) -> [String] {
        guard !findings.all.isEmpty else { return [] }
        var tools: Set<String> = ["trivy", "npm-audit", "zap"]
        for finding in findings.all { for source in finding.provenance { tools.insert(source.tool) } }
        return policy.rules.compactMap { rule in
            guard !rule.match.tools.isEmpty,
                !tools.contains(where: { tool in rule.match.tools.contains { $0.matches(tool) } })
            else { return nil }
            return
                "rule at \(rule.source) names tool \(rule.match.tools.map { "\"\($0.pattern)\"" }.joined(separator: ", ")), "
                + "which is no tool ScanGate knows or read (\(tools.sorted().joined(separator: ", "))): it matched nothing"
        }
    }

    private static func applyMaxCounts(_ verdicts: inout [FindingVerdict], policy: Policy, newOnly: Bool)
        -> [MaxCountCheck]
    {
        var checks: [MaxCountCheck] = []
        for severity in Severity.descending {
            guard let limit = policy.maxCounts[severity] else { continue }
            let counted = verdicts.indices.filter { index in
                let verdict = verdicts[index]
                return [.fail, .warn, .pass].contains(verdict.verdict) && verdict.severity == severity
                    && (!newOnly || verdict.isNew)
            }
            let check = MaxCountCheck(severity: severity, limit: limit, count: counted.count)
            checks.append(check)
            guard check.exceeded else { continue }
            for index in counted where verdicts[index].verdict != .fail {
                verdicts[index].verdict = .fail
                verdicts[index].reason = Reason(
                    kind: .maxCount,
                    text: "max \(severity): \(counted.count) \(severity) finding\(counted.count == 1 ? "" : "s") "
                        + "remain\(counted.count == 1 ? "s" : ""), the policy allows \(limit.value) (\(limit.source))",
                    source: limit.source)
            }
        }
        return checks
    }

    /// Why a finding the baseline has is new again: the baseline's decision did not accept it
    /// (``Baseline/unacceptedVerdicts``), and nothing holds it the same way now.
    static func newAgainNote(heldThen: Verdict, file: String) -> String {
        switch heldThen {
        case .fail:
            "new again: the baseline's decision failed it (in \(file)): a finding that blocked that run was never "
                + "accepted as known"
        case .suppressedByTool:
            "new again: the baseline has it only as suppressed by its scanner (its decision in \(file)), which this "
                + "policy does not trust"
        default:
            "new again: the baseline has it only as waived or VEX-suppressed (its decision in \(file)), and no "
                + "waiver or statement holds it now"
        }
    }

    /// `CVE-2021-44906 (minimist 1.2.5)` for messages.
    static func describe(_ finding: Finding) -> String {
        var text = finding.ruleID
        if let package = finding.package {
            text += " (\(package.name)\(package.installedVersion.map { " \($0)" } ?? ""))"
        } else if let place = FindingFacts.writtenPaths(of: finding).first ?? FindingFacts.urls(of: finding).first {
            text += " (\(place))"
        }
        return text
    }
}

/// A finding as rules see it.
struct MatchContext {
    var finding: Finding
    var original: Severity
    var effective: Severity
    var isNew: Bool
    /// The ids a relaxing rule matches the finding by: its own and the aliases no other
    /// vulnerability shares (``ContestedIDs/relaxingIDs(of:at:)``); nil for its id and every alias.
    var relaxingIDs: [String]? = nil
}

extension RuleMatch {
    /// Whether the rule applies to the finding.
    ///
    /// A merged finding has several tools and can have several places (paths, images, URLs).
    /// A `fail` rule applies when **any** of them matches; a rule that relaxes (`warn`,
    /// `ignore`, `relaxing`) only when **every** one does: otherwise a rule written for one tool
    /// or one directory would also pass what another tool reported, or the same vulnerability
    /// somewhere else, and adding a report could turn a fail into a pass. For the same reason a
    /// version range that cannot be checked (no installed version, as npm 7+ reports give none;
    /// one its package manager's rules cannot read; an ecosystem whose versions ScanGate cannot
    /// compare) counts as matching a `fail` rule and not a relaxing one.
    func matches(_ context: MatchContext, relaxing: Bool) -> Bool {
        let finding = context.finding
        if !severities.isEmpty,
            !severities.contains(where: { $0.matches(original: context.original, effective: context.effective) })
        {
            return false
        }
        if !kinds.isEmpty, !kinds.contains(finding.kind) { return false }
        let globMatch = { (globs: [Glob]) in { (value: String) in globs.contains { $0.matches(value) } } }
        if !tools.isEmpty, !Self.matches(finding.provenance.map(\.tool), every: relaxing, globMatch(tools)) {
            return false
        }
        if !ids.isEmpty {
            // A fail rule also applies by a CVE the finding covers without it being one of its ids
            // (an npm audit 6 advisory naming several): a rule for a CVE fails every advisory that
            // has it. A relaxing one only by the finding's own ids, as a waiver: relaxing one of
            // an advisory's CVEs does not pass the others.
            // Nor by an alias other vulnerabilities here share (``ContestedIDs``).
            let all =
                relaxing
                ? context.relaxingIDs ?? [finding.ruleID] + finding.aliases
                : [finding.ruleID] + finding.aliases + finding.coveredCVEs
            guard all.contains(where: { id in ids.contains { $0.matches(id) } }) else { return false }
        }
        if let package {
            guard let actual = finding.package else { return false }
            if let name = package.name, !PackageName.matches(name, actual.name, ecosystem: actual.ecosystem) {
                return false
            }
            if let ecosystem = package.ecosystem, ecosystem.lowercased() != actual.ecosystem.lowercased() {
                return false
            }
            if let versions = package.versions {
                // Compared as the package's own package manager compares (dpkg, rpm, apk, semver-ish).
                let scheme = VersionScheme(package: actual)
                switch actual.installedVersion.flatMap({ versions.contains($0, scheme: scheme) }) {
                case true?: break
                case false?: return false
                case nil: if relaxing { return false }
                }
            }
        }
        // In normal form (`FindingPath`): `./a` and `b/../a` are `a`; a relaxing glob reaches a
        // path outside the scanned directory (`../x`) only when it starts with `..` itself.
        if !paths.isEmpty {
            // Every tool's places, npm audit's node paths beside Trivy's lock file included.
            let places = FindingFacts.paths(of: finding)
            let matched = { (place: String) in paths.contains { FindingPath.matches($0, place, relaxing: relaxing) } }
            if !Self.matches(places, every: relaxing, matched) { return false }
        }
        // Each image location by every spelling of its repository (Docker Hub's several, `ImageName`)
        // and each with `:tag`: any of them matches it.
        if !images.isEmpty,
            !Self.matches(
                FindingFacts.imageNames(of: finding), every: relaxing, { $0.contains(where: globMatch(images)) })
        {
            return false
        }
        // In canonical form (`CanonicalURL`): one page written several ways is one page.
        if !urls.isEmpty,
            !Self.matches(
                FindingFacts.matchedURLs(of: finding), every: relaxing,
                { url in urls.contains { CanonicalURL.matches($0, url, relaxing: relaxing) } })
        {
            return false
        }
        // A finding is often several weaknesses (CodeQL tags an XSS CWE-79 and CWE-116): a rule
        // relaxing one of them must not pass the others.
        if !cwes.isEmpty, !Self.matches(finding.cwes, every: relaxing, cwes.contains) { return false }
        if let fixAvailable {
            guard let actual = finding.package?.fixAvailable, actual == fixAvailable else { return false }
        }
        if let isNew, isNew != context.isNew { return false }
        return true
    }

    /// Whether any of `values` is `matched` (or, with `every`, each of them, and there is one).
    private static func matches<Value>(_ values: [Value], every: Bool, _ matched: (Value) -> Bool) -> Bool {
        every ? (!values.isEmpty && values.allSatisfy(matched)) : values.contains(where: matched)
    }
}
