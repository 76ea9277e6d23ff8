import Findings

/// A gate policy for one environment, after `extends` has been resolved.
///
/// Built by ``PolicyLoader`` from YAML (the format is documented in `policies/README.md` and
/// `policies/policy.schema.json`), or in code. Every setting that came from a file carries its
/// ``SourceRef``, so a verdict can name the file and line that decided it.
public struct Policy: Sendable {
    /// The file the gate was given.
    public var file: String
    /// That file and every file it extends, the given file first.
    public var files: [String]
    /// The environment: `environment:` in the given file, else its name without extension
    /// (`staging.yaml` → `staging`); the command's `--env` overrides it.
    public var environment: String
    /// The given file's own `environment:` with where it is, when it has one.
    public var declaredEnvironment: Setting<String>?
    /// Whether ``declaredEnvironment`` comes from the file's name (`staging.yaml`), not from
    /// an `environment:` key.
    public var environmentIsFromFileName = false

    /// Whether the environment the policy declares (by `environment:` or its file's name) is
    /// `environment` or of its family (``EnvironmentFamily/family(of:)``: `prod` for
    /// `production`).
    public func declaresEnvironment(ofFamilyOf environment: String) -> Bool {
        guard let declared = declaredEnvironment?.value else { return false }
        if declared == environment { return true }
        guard let family = EnvironmentFamily.family(of: environment) else { return false }
        return EnvironmentFamily.family(of: declared) == family
    }

    /// Whether the policy says it is for another environment than `environment`: its
    /// `environment:` names another; or its file is named for one (`staging.yaml`) of another
    /// family than `environment` (``EnvironmentFamily/family(of:)``: `prod.yaml` is
    /// production's, and a file named for one serves environments of no family, `test`).
    public func declaresOtherEnvironment(than environment: String) -> Bool {
        guard let declared = declaredEnvironment else { return false }
        guard environmentIsFromFileName else { return declared.value != environment }
        guard let own = EnvironmentFamily.family(of: declared.value),
            let wanted = EnvironmentFamily.family(of: environment)
        else { return false }
        return own != wanted
    }

    /// ``declaredEnvironment`` as messages say where it comes from: `environment: staging
    /// (staging.yaml:2)`, or `environment staging (the file's name, staging.yaml)`.
    public var declaredEnvironmentText: String? {
        guard let declared = declaredEnvironment else { return nil }
        return environmentIsFromFileName
            ? "environment \(declared.value) (the file's name, \(declared.source.file))"
            : "environment: \(declared.value) (\(declared.source))"
    }
    /// At or above this severity a finding fails. Nil: no severity fails by itself.
    public var failOn: Setting<Severity>?
    /// At or above this (and below `failOn`) a finding warns.
    public var warnOn: Setting<Severity>?
    /// Tried in order before the thresholds; the first that matches decides. The extending
    /// file's rules come before the rules of the file it extends.
    public var rules: [PolicyRule]
    /// `max`: at most this many findings of exactly that severity may remain (failing,
    /// warning or passing: not waived, ignored or suppressed); more fail the gate.
    public var maxCounts: [Severity: Setting<Int>]
    /// The severity sources the policy trusts, in order; nil: the finding's resolved severity.
    public var severitySources: Setting<[SeveritySource]>?
    /// What a finding of unknown severity is judged as (default: high, fail closed).
    public var unknownSeverityAs: Setting<Severity>?
    /// Whether the thresholds and `max` fail only findings new since the baseline; findings
    /// the baseline already had warn instead. Rules are not affected (use `new:` in a rule).
    public var failOnNewOnly: Setting<Bool>?
    /// Whether a finding the scanner itself suppressed (a `.trivyignore` entry, Trivy's own
    /// VEX, a SARIF `suppressions` entry) stays suppressed (default) or is judged like any other:
    /// a scanner's ignore file has no expiry, approver or severity, which waivers have.
    public var trustToolSuppressions: Setting<Bool>?
    /// What a report whose scan checked nothing (``EmptyScan``) does to the decision: `fail`
    /// refuses to pass on it; `warn` (the default) leaves it to the reader's warning.
    public var emptyScans: Setting<EmptyScanAction>?
    public var signatures: SignaturePolicy
    public var waiverLimits: WaiverLimits

    public init(
        file: String = "policy.yaml", files: [String]? = nil, environment: String = "default",
        failOn: Setting<Severity>? = nil, warnOn: Setting<Severity>? = nil, rules: [PolicyRule] = [],
        maxCounts: [Severity: Setting<Int>] = [:], severitySources: Setting<[SeveritySource]>? = nil,
        unknownSeverityAs: Setting<Severity>? = nil, failOnNewOnly: Setting<Bool>? = nil,
        signatures: SignaturePolicy = SignaturePolicy(), waiverLimits: WaiverLimits = WaiverLimits()
    ) {
        self.file = file
        self.files = files ?? [file]
        self.environment = environment
        self.failOn = failOn
        self.warnOn = warnOn
        self.rules = rules
        self.maxCounts = maxCounts
        self.severitySources = severitySources
        self.unknownSeverityAs = unknownSeverityAs
        self.failOnNewOnly = failOnNewOnly
        self.signatures = signatures
        self.waiverLimits = waiverLimits
    }

    /// Whether tool suppressions are honoured (``trustToolSuppressions``, default true).
    public var trustsToolSuppressions: Bool { trustToolSuppressions?.value ?? true }

    /// The severity unknown findings are judged as.
    public var unknownSeverity: Severity { unknownSeverityAs?.value ?? .high }

    /// What a scan that checked nothing does (``emptyScans``, default warn).
    public var emptyScanAction: EmptyScanAction { emptyScans?.value ?? .warn }
}

/// `empty-scans:` — what a report whose scan checked nothing does to the decision.
public enum EmptyScanAction: String, Sendable, Hashable, CaseIterable {
    /// The decision fails, one reason per such report.
    case fail
    /// The reader's warning is all (a no-finding report passes).
    case warn
}

/// Where a policy takes the severity it judges a finding by.
public enum SeveritySource: Sendable, Hashable, CustomStringConvertible {
    /// The finding's resolved severity (README, "Resolved severity").
    case resolved
    /// The reporting tools' own verdicts (the most severe of them).
    case tool
    /// The operating-system vendor of the package (`debian` for a Debian package, `redhat` for
    /// RHEL and CentOS, …); language packages have none.
    case vendor
    /// One named authority a tool cites: `nvd`, `ghsa`, `redhat`, `ubuntu`, …
    case authority(String)

    public var description: String {
        switch self {
        case .resolved: "resolved"
        case .tool: "tool"
        case .vendor: "vendor"
        case .authority(let name): name
        }
    }
}

/// `signatures:` — whether images must be signed, and the trusted keys. The gate rules on
/// signature evidence when it is given one (``GateInput/signatures``, from the release gate,
/// which verifies with these keys); without it (`scangate gate`) required signatures are
/// reported as not verified.
public struct SignaturePolicy: Sendable, Equatable {
    public var required: Bool
    /// Key paths as written.
    public var keys: [String]
    /// Key paths resolved against the directory of the file that named them.
    public var resolvedKeys: [String]
    public var source: SourceRef?
    /// Where `require-scan: true` is set, when it is: then the release gate fails an image no
    /// report given scanned (matched by manifest or config digest), as a release of an image
    /// nobody scanned, or of another build than the one scanned, is no gate. Nil: not required.
    public var requireScan: SourceRef?

    public init(
        required: Bool = false, keys: [String] = [], resolvedKeys: [String]? = nil, source: SourceRef? = nil,
        requireScan: SourceRef? = nil
    ) {
        self.required = required
        self.keys = keys
        self.resolvedKeys = resolvedKeys ?? keys
        self.source = source
        self.requireScan = requireScan
    }
}

/// `waivers:` in a policy: how long a waiver may run, and when to warn that one ends soon.
public struct WaiverLimits: Sendable {
    /// The longest waiver allowed per severity, in days (counted from `approved-on`, else
    /// from today). A longer waiver is not applied.
    public var maxDays: [Severity: Setting<Int>]
    /// A waiver expiring within this many days warns (default 14).
    public var warnDays: Setting<Int>?
    /// Whether every waiver must say the `severity` it was granted for.
    public var requireSeverity: Setting<Bool>?

    public init(
        maxDays: [Severity: Setting<Int>] = [:], warnDays: Setting<Int>? = nil, requireSeverity: Setting<Bool>? = nil
    ) {
        self.maxDays = maxDays
        self.warnDays = warnDays
        self.requireSeverity = requireSeverity
    }

    public var warningDays: Int { warnDays?.value ?? 14 }
}

/// What a rule does with the findings it matches.
public enum RuleAction: String, Sendable, Hashable, CaseIterable {
    case fail, warn, ignore
}

/// One entry of `rules:`.
public struct PolicyRule: Sendable {
    /// The rule's place: its file and the line of its `- match:` entry.
    public var source: SourceRef
    /// 1-based position in its file's `rules:` list.
    public var index: Int
    public var match: RuleMatch
    public var action: RuleAction
    /// Why the rule exists, shown with every verdict it decides.
    public var reason: String?

    public init(source: SourceRef, index: Int = 1, match: RuleMatch, action: RuleAction, reason: String? = nil) {
        self.source = source
        self.index = index
        self.match = match
        self.action = action
        self.reason = reason
    }
}

/// A severity condition of a rule: `high` (exactly), `>=high`, `>high`, `<=medium`, `<medium`.
public struct SeverityCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Comparison: String, Sendable, Hashable {
        case equal = ""
        case atLeast = ">="
        case above = ">"
        case atMost = "<="
        case below = "<"
    }

    public var comparison: Comparison
    public var severity: Severity

    public init(_ comparison: Comparison, _ severity: Severity) {
        self.comparison = comparison
        self.severity = severity
    }

    /// `original` is the judged severity before `unknown-severity-as`; `effective` after.
    /// `unknown` (exactly) matches findings whose severity was unknown; everything else
    /// compares the effective severity.
    public func matches(original: Severity, effective: Severity) -> Bool {
        switch comparison {
        case .equal: severity == .unknown ? original == .unknown : effective == severity
        case .atLeast: effective >= severity
        case .above: effective > severity
        case .atMost: effective <= severity
        case .below: effective < severity
        }
    }

    public var description: String { comparison.rawValue + severity.rawValue }
}

/// `package:` of a rule: a name glob, and optionally an ecosystem and a version range.
public struct PackageCondition: Sendable, Hashable {
    public var name: Glob?
    public var ecosystem: String?
    public var versions: VersionRange?

    public init(name: Glob? = nil, ecosystem: String? = nil, versions: VersionRange? = nil) {
        self.name = name
        self.ecosystem = ecosystem
        self.versions = versions
    }
}

/// The `match:` of a rule. Every key given must match (and); a key given a list matches when
/// any entry does (or). Keys not given match anything.
public struct RuleMatch: Sendable {
    public var severities: [SeverityCondition] = []
    public var kinds: [FindingKind] = []
    /// Globs over the reporting tools (`trivy`, `npm-audit`, `zap`, a SARIF tool's name).
    public var tools: [Glob] = []
    /// Globs over the primary id and every alias (case-insensitive).
    public var ids: [Glob] = []
    public var package: PackageCondition?
    /// Globs over location paths and package paths.
    public var paths: [Glob] = []
    /// Globs over image repositories (`ghcr.io/acme/api`) and `repository:tag`.
    public var images: [Glob] = []
    /// Globs over location URLs and web instance URIs.
    public var urls: [Glob] = []
    /// `CWE-79` form.
    public var cwes: [String] = []
    /// Matches findings whose tool said a fix exists (true) or said none does (false); a
    /// finding whose tool did not say matches neither.
    public var fixAvailable: Bool?
    /// New since the baseline (true) or already in it (false). Without a baseline every
    /// finding is new.
    public var isNew: Bool?
    /// The keys as written, for messages: `kind: secret, id: CVE-2019-*`.
    public var summary: String = ""

    public init() {}
}

/// The environments a policy file's name can declare, by family: `dev`/`development`,
/// `staging`/`stage`, `production`/`prod` (in any case).
enum EnvironmentFamily {
    /// The family of an environment name, or nil for a name of none (`test`, `preprod`).
    static func family(of name: String) -> String? {
        switch name.lowercased() {
        case "dev", "development": "dev"
        case "staging", "stage": "staging"
        case "production", "prod": "production"
        default: nil
        }
    }
}
