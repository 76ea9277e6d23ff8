import Findings

/// The severity a policy judges a finding by, from the sources it trusts.
struct SeverityJudgement {
    /// What the policy's sources say (may be unknown).
    var severity: Severity
    /// Which source said it: `resolved`, `tool`, `vendor (debian)`, `nvd`, …
    var source: String
    /// Every source's severity when they do not all agree (`ghsa critical`, `redhat medium`),
    /// sorted; empty when they agree.
    var disagreement: [String]
}

enum SeverityJudge {
    static func judge(_ finding: Finding, sources: [SeveritySource]?) -> SeverityJudgement {
        let disagreement = Self.disagreement(finding)
        let (severity, source) = judge(
            resolved: finding.severity, ratings: finding.ratings, ecosystem: finding.package?.ecosystem,
            sources: sources)
        return SeverityJudgement(severity: severity, source: source, disagreement: disagreement)
    }

    /// The severity `sources` give a finding resolved as `resolved` with these ratings, and
    /// which source gave it; the resolved severity (maybe unknown) when none of them rated it.
    static func judge(
        resolved: Severity, ratings: [SeverityRating], ecosystem: String?, sources: [SeveritySource]?
    ) -> (Severity, String) {
        for source in sources ?? [.resolved] {
            if let judged = severity(resolved: resolved, ratings: ratings, ecosystem: ecosystem, from: source) {
                return judged
            }
        }
        return (resolved, "resolved")
    }

    private static func severity(
        resolved: Severity, ratings: [SeverityRating], ecosystem: String?, from source: SeveritySource
    ) -> (Severity, String)? {
        switch source {
        case .resolved:
            return resolved == .unknown ? nil : (resolved, "resolved")
        case .tool:
            let verdicts = ratings.filter(\.isToolVerdict).compactMap(rated)
            return verdicts.max().map { ($0, "tool") }
        case .vendor:
            guard let ecosystem else { return nil }
            for name in vendorSources(forEcosystem: ecosystem) {
                // Every rating the vendor gave (one per report that carried it): the most severe,
                // so which report sorts first does not decide.
                let given = ratings.filter { !$0.isToolVerdict && $0.source == name }
                if let severity = given.compactMap(rated).max() { return (severity, "vendor (\(name))") }
            }
            return nil
        case .authority(let name):
            let given = ratings.filter { !$0.isToolVerdict && $0.source.lowercased() == name }
            return given.compactMap(rated).max().map { ($0, name) }
        }
    }

    /// A rating's severity: its label when known, else the band of its best CVSS score.
    static func rated(_ rating: SeverityRating) -> Severity? {
        if let severity = rating.severity, severity != .unknown { return severity }
        if let score = rating.bestScore?.score { return Severity(cvssScore: score) }
        return nil
    }

    /// The authorities a finding's rating can come from: the data sources of Trivy's vulnerability
    /// database (its `VendorSeverity` and `CVSS` keys; npm audit, ZAP and SARIF give only their
    /// tool's own verdict). A policy naming another is refused: a misspelt `ndv` would match
    /// no rating, and the resolved severity would decide without a word.
    static let knownAuthorities: Set<String> = [
        "nvd", "ghsa", "redhat", "redhat-oval", "debian", "ubuntu", "centos", "rocky", "fedora", "amazon",
        "oracle-oval", "suse-cvrf", "alpine", "arch-linux", "alma", "azure", "cbl-mariner", "photon",
        "ruby-advisory-db", "php-security-advisories", "nodejs-security-wg", "glad", "osv", "wolfi", "chainguard",
        "bitnami", "k8s", "govulndb", "aqua", "echo", "minimos", "rootio", "seal", "julia", "bottlerocket",
        "coreos", "python-safety-db",
    ]

    /// The authorities that are the vendor of an operating-system package ecosystem.
    static func vendorSources(forEcosystem ecosystem: String) -> [String] {
        // Older Trivy wrote `opensuse.leap`, `suse linux enterprise server`: the adapter maps them
        // to today's names, but a findings JSON from an older ScanGate may hold them.
        let ecosystem = Ecosystems.currentName(ofOperatingSystem: ecosystem)
        return switch ecosystem {
        case "redhat", "centos", "centos-stream": ["redhat"]
        case "oracle": ["oracle-oval"]
        case "suse", "opensuse", "opensuse-leap", "opensuse-tumbleweed", "sles", "slem": ["suse-cvrf"]
        case "cbl-mariner", "azurelinux": ["cbl-mariner", "azure"]
        case "alpine", "debian", "ubuntu", "rocky", "alma", "amazon", "photon", "wolfi", "chainguard", "fedora",
            "bottlerocket", "echo", "minimos", "coreos", "arch":
            [ecosystem]
        default: []
        }
    }

    private static func disagreement(_ finding: Finding) -> [String] {
        // Each source's highest opinion; a short list, not a dictionary: this runs per finding.
        var opinions: [(source: String, severity: Severity)] = []
        for rating in finding.ratings {
            guard let severity = rated(rating) else { continue }
            if let index = opinions.firstIndex(where: { $0.source == rating.source }) {
                opinions[index].severity = max(opinions[index].severity, severity)
            } else {
                opinions.append((rating.source, severity))
            }
        }
        guard let first = opinions.first, opinions.contains(where: { $0.severity != first.severity }) else {
            return []
        }
        return opinions.sorted { $0.source < $1.source }.map { "\($0.source) \($0.severity)" }
    }
}

/// The open findings of a previous run (`--baseline`): a finding that is one of them is not
/// new, by fingerprint or, for a dependency vulnerability whose fingerprint changed because the
/// tools that reported it changed, by package and id (``ContinuityIndex``).
public struct Baseline: Sendable {
    /// The file the baseline came from, for messages.
    public var file: String
    /// The environment the baseline's recorded decision was made in, when it records one.
    public var decidedIn: String?
    private let index: ContinuityIndex
    /// The open findings and those a tool suppressed, for a policy that does not trust tool
    /// suppressions (its previous run judged those like any other); nil when there were none.
    private let indexWithToolSuppressed: ContinuityIndex?

    /// The previous run's verdicts that did not accept a finding as known, by fingerprint (see
    /// ``unacceptedVerdicts``).
    private let unaccepted: [String: Verdict]

    /// The verdicts of a recorded decision that do not make a finding known: `waived`,
    /// `vex-suppressed` and `suppressed-by-tool` (accepted only while the waiver or statement
    /// holds, or while the policy trusts the scanner's suppression) and `fail` (it blocked that
    /// run: never accepted). A baseline is the last accepted state; taking a failed run's as the
    /// next run's must not let what failed it pass. An `ignored` finding is known: a rule
    /// ignoring known findings (`new: false`) must find it known again next time. In the order
    /// ``unaccepted(_:matched:)`` prefers when a finding's matches differ.
    public static let unacceptedVerdicts: [Verdict] = [.fail, .suppressedByTool, .waived, .vexSuppressed]

    /// The verdicts that hold a finding the baseline did not accept, now, the way it was held
    /// then or by a rule: the finding is known, and held.
    public static let holdingVerdicts: Set<Verdict> = [.waived, .vexSuppressed, .ignored, .suppressedByTool]

    /// - Parameters:
    ///   - toolSuppressed: the previous run's findings a tool suppressed, which count for a policy
    ///     with `trust-tool-suppressions: false` only.
    ///   - unaccepted: the verdicts of the previous run's decision, when the baseline records one,
    ///     for the findings it did not accept as known (``unacceptedVerdicts``), by fingerprint.
    public init(
        file: String, traces: [FindingTrace], toolSuppressed: [FindingTrace] = [], unaccepted: [String: Verdict] = [:]
    ) {
        self.file = file
        self.index = ContinuityIndex(traces)
        indexWithToolSuppressed = toolSuppressed.isEmpty ? nil : ContinuityIndex(traces + toolSuppressed)
        self.unaccepted = unaccepted.filter { Self.unacceptedVerdicts.contains($0.value) }
    }

    /// How the previous run's decision held the finding when it did not accept it as known
    /// (``unacceptedVerdicts``): the finding, or one of the previous run's findings it is
    /// (`matched`, ``matches(_:countingToolSuppressed:)``: its fingerprint changed with the
    /// tools); `fail` first, then a tool's suppression, then a waiver or statement, when they
    /// differ. Nil when it was accepted (or the baseline records no decision).
    public func unaccepted(_ finding: Finding, matched: [FindingTrace]) -> Verdict? {
        unaccepted(fingerprint: finding.fingerprint, matched: matched)
    }

    /// ``unaccepted(_:matched:)`` of a finding known by its trace (a findings document read back:
    /// `scangate diff`), matched here.
    public func unaccepted(_ trace: FindingTrace) -> Verdict? {
        unaccepted(fingerprint: trace.fingerprint, matched: index.matches(trace))
    }

    private func unaccepted(fingerprint: String, matched: [FindingTrace]) -> Verdict? {
        guard !unaccepted.isEmpty else { return nil }
        let verdicts = ([fingerprint] + matched.map(\.fingerprint)).compactMap { unaccepted[$0] }
        return Self.unacceptedVerdicts.first(where: verdicts.contains)
    }

    /// The previous run's findings this finding is, whatever their severity or places then (by
    /// fingerprint, or by package and id: ``ContinuityIndex/matches(_:)``).
    public func matches(_ finding: Finding, countingToolSuppressed: Bool = false) -> [FindingTrace] {
        let searched = countingToolSuppressed ? indexWithToolSuppressed ?? index : index
        return searched.matches(FindingTrace(finding))
    }

    /// A baseline known by fingerprints only.
    public init(file: String, fingerprints: Set<String>) {
        self.init(file: file, traces: fingerprints.map(FindingTrace.init(fingerprintOnly:)))
    }

    /// Whether the finding is in the baseline at the same severity or a higher one, and in
    /// every place it is found now: one that became more severe since, or spread to another
    /// file, is not the finding the baseline accepted, and counts as new.
    public func contains(_ finding: Finding) -> Bool { lookup(finding) == .present }

    /// Whether the finding is in the baseline, and whether it was less severe there (both runs
    /// judged by `sources`, a policy's `severity-sources`, nil: the resolved severity; and what
    /// nobody rated counted as `unknownAs`, its `unknown-severity-as`) or found in fewer places.
    /// With `countingToolSuppressed` (a policy that does not trust tool suppressions), a finding a
    /// tool suppressed in the previous run counts as in it: that run judged it like any other.
    public func lookup(
        _ finding: Finding, judgedBy sources: [SeveritySource]? = nil, unknownAs: Severity = .unknown,
        countingToolSuppressed: Bool = false
    ) -> ContinuityMatch {
        let searched = countingToolSuppressed ? indexWithToolSuppressed ?? index : index
        return searched.lookup(FindingTrace(finding), judging: Self.severity(judgedBy: sources, unknownAs: unknownAs))
    }

    /// A trace's severity as a policy judges it (`severity-sources`, `unknown-severity-as`): how
    /// the gate compares a finding with its baseline, and reports that show what is new must too.
    public static func severity(
        judgedBy sources: [SeveritySource]?, unknownAs: Severity
    ) -> @Sendable (FindingTrace) -> Severity? {
        { trace in
            guard let resolved = trace.severity else { return nil }
            // A trace without ratings (a baseline written before they were kept) is judged by what it has.
            let judged = SeverityJudge.judge(
                resolved: resolved, ratings: trace.ratings ?? [], ecosystem: trace.ecosystem, sources: sources
            ).0
            return judged == .unknown ? unknownAs : judged
        }
    }
}
