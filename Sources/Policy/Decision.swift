import Findings

/// What the gate decided about one finding.
public enum Verdict: String, Sendable, Hashable, CaseIterable {
    /// Fails the gate.
    case fail
    /// Reported; does not fail the gate.
    case warn
    /// Would fail or warn (or pass), but a waiver holds.
    case waived
    /// An OpenVEX `not_affected` or `fixed` statement covers it.
    case vexSuppressed = "vex-suppressed"
    /// A policy rule says `ignore`.
    case ignored
    /// The scanner itself suppressed it (`.trivyignore`, a ZAP false positive, …).
    case suppressedByTool = "suppressed-by-tool"
    /// Below every threshold.
    case pass
}

/// Why a finding got its verdict: the rule, threshold, waiver or statement that decided, and
/// where it is written.
public struct Reason: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case rule
        case threshold
        /// A threshold would fail it, but the baseline has it and the policy fails only new findings.
        case baseline
        case belowThresholds = "below-thresholds"
        case maxCount = "max-count"
        case waiver
        case vex
        case tool
        /// An image's signatures, judged by the policy's `signatures:`.
        case signature
        /// A report whose scan checked nothing, judged by the policy's `empty-scans:`.
        case emptyScan = "empty-scan"
    }

    public var kind: Kind
    /// One line a person reads.
    public var text: String
    /// The file and line that decided, when a file did.
    public var source: SourceRef?

    public init(kind: Kind, text: String, source: SourceRef? = nil) {
        self.kind = kind
        self.text = text
        self.source = source
    }
}

/// One finding and its verdict.
public struct FindingVerdict: Sendable {
    public var finding: Finding
    public var verdict: Verdict
    public var reason: Reason
    /// For a waived finding, the verdict the waiver hides.
    public var hiddenVerdict: Verdict?
    /// The severity the finding is judged by (after `unknown-severity-as`).
    public var severity: Severity
    /// What the policy's severity sources said, before `unknown-severity-as`.
    public var judgedSeverity: Severity
    /// Which source that was: `resolved`, `tool`, `vendor (debian)`, `nvd`, …
    public var severitySource: String
    /// Every source's severity, when they disagree (`ghsa critical`, `redhat medium`).
    public var disagreement: [String]
    /// Not in the baseline (always true without one).
    public var isNew: Bool
    /// The waiver that holds, for waived findings.
    public var waiver: Waiver?
    /// The VEX statement that suppresses it, for VEX-suppressed findings.
    public var vexStatement: VEXStatement?
    /// Waivers that name the finding but do not hold (or name it only for other environments,
    /// or only by id, their scope leaving it out), and why; and the like for OpenVEX and the baseline.
    public var notes: [String]
}

/// How many findings got each verdict.
public struct VerdictCounts: Sendable, Equatable {
    public var failing = 0
    public var warnings = 0
    public var waived = 0
    public var vexSuppressed = 0
    public var ignored = 0
    public var suppressedByTool = 0
    public var passed = 0

    public init() {}

    public subscript(verdict: Verdict) -> Int {
        get {
            switch verdict {
            case .fail: failing
            case .warn: warnings
            case .waived: waived
            case .vexSuppressed: vexSuppressed
            case .ignored: ignored
            case .suppressedByTool: suppressedByTool
            case .pass: passed
            }
        }
        set {
            switch verdict {
            case .fail: failing = newValue
            case .warn: warnings = newValue
            case .waived: waived = newValue
            case .vexSuppressed: vexSuppressed = newValue
            case .ignored: ignored = newValue
            case .suppressedByTool: suppressedByTool = newValue
            case .pass: passed = newValue
            }
        }
    }
}

/// One `max:` entry checked.
public struct MaxCountCheck: Sendable {
    public var severity: Severity
    public var limit: Setting<Int>
    /// Findings of that severity that remain (failing, warning or passing).
    public var count: Int
    public var exceeded: Bool { count > limit.value }
}

/// What became of one waiver.
public struct WaiverReport: Sendable {
    public enum State: String, Sendable, Hashable {
        /// It hides at least one finding.
        case applied
        /// Its expiry date has passed: it no longer applies.
        case expired
        /// It names no finding: remove it.
        case stale
        /// It names findings but does not hold for any (severity rose, too long), or its id
        /// names findings its scope leaves out (`package: Minimist` for `minimist`).
        case notApplied = "not-applied"
        /// It is for other environments.
        case otherEnvironment = "other-environment"
    }

    public var waiver: Waiver
    public var state: State
    /// How many findings it hides.
    public var appliedTo: Int
}

/// The signature part of the decision: whether the policy's `signatures:` was checked, and
/// with evidence (``SignatureEvidence``), the verdict on each image.
public struct SignatureReport: Sendable {
    public enum Status: String, Sendable {
        /// The policy does not require signatures, and no evidence was given.
        case notRequired = "not-required"
        /// Required, and no evidence was given (`scangate gate` does not verify them); or
        /// evidence was given and at least one image is not verified.
        case notVerified = "not-verified"
        /// Evidence was given and every image verified.
        case verified
    }

    public var status: Status
    public var policy: SignaturePolicy
    /// One per image of the evidence, in its order; empty without evidence.
    public var verdicts: [SignatureVerdict]
    /// Whether evidence was given (the verdicts were judged).
    public var judged: Bool { !verdicts.isEmpty }
    /// The caller that required every image signed (``SignatureEvidence/requiredBy``).
    public var requiredBy: String?

    public init(
        status: Status, policy: SignaturePolicy, verdicts: [SignatureVerdict] = [], requiredBy: String? = nil
    ) {
        self.status = status
        self.policy = policy
        self.verdicts = verdicts
        self.requiredBy = requiredBy
    }

    /// How many images fail the gate.
    public var failing: Int { verdicts.filter { $0.verdict == .fail }.count }
}

/// What the gate made of one report whose scan checked nothing.
public struct EmptyScanVerdict: Sendable {
    public var scan: EmptyScan
    /// `fail` under the policy's `empty-scans: fail`, else `warn`.
    public var verdict: Verdict
    /// Of kind ``Reason/Kind/emptyScan``: the report, why it checked nothing and the policy's
    /// `empty-scans` line (`reports/trivy.json checked nothing: …; empty-scans: fail
    /// (policies/production.yaml:12)`).
    public var reason: Reason

    public init(scan: EmptyScan, verdict: Verdict, reason: Reason) {
        self.scan = scan
        self.verdict = verdict
        self.reason = reason
    }
}

/// The gate's one decision, with a reason for every verdict.
public struct Decision: Sendable {
    /// True when no finding fails, no image's signatures fail and no report that checked
    /// nothing fails (``emptyScans``).
    public var passed: Bool
    /// The policy file given, and every file it extends.
    public var policyFile: String
    public var policyFiles: [String]
    public var environment: String
    public var today: Day
    /// The baseline file, when one was given.
    public var baseline: String?
    /// Every finding: failing first, then warnings, waived, VEX-suppressed, ignored,
    /// suppressed by tools, passed; within a verdict, in findings order.
    public var verdicts: [FindingVerdict]
    public var counts: VerdictCounts
    public var maxCounts: [MaxCountCheck]
    public var waivers: [WaiverReport]
    /// Things a person should know that are not verdicts: expiring, expired and stale
    /// waivers, waivers that no longer hold, severity sources that changed a judgement,
    /// signatures not verified.
    public var warnings: [String]
    public var signatures: SignatureReport
    /// Every report given whose scan checked nothing, by report name: each fails under the
    /// policy's `empty-scans: fail`, and only warns (the reader's warning says so) under `warn`.
    public var emptyScans: [EmptyScanVerdict] = []
    /// The calendar's date when ``today`` was chosen (`--now`), else nil (``GateInput/calendarDay``).
    public var calendarDay: Day? = nil

    /// The waivers that apply only because the gate judges as of an earlier day than the
    /// calendar's (`--now`): they expired before today's date.
    public var revivedWaivers: [WaiverReport] {
        guard let calendarDay else { return [] }
        return waivers.filter { $0.state == .applied && calendarDay > $0.waiver.expires }
    }

    /// True when no finding fails (whatever the signatures and the reports that checked
    /// nothing say).
    public var findingsPassed: Bool { counts.failing == 0 }

    /// The reports that checked nothing and fail the decision (`empty-scans: fail`).
    public var failingEmptyScans: [EmptyScanVerdict] { emptyScans.filter { $0.verdict == .fail } }
}
