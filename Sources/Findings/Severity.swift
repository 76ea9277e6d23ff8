/// One severity scale for every tool.
///
/// Ordered `unknown < info < low < medium < high < critical`. `unknown` sorts lowest for
/// display, but it is not "safe": policies decide how to treat it (fail-closed policies count it
/// as high).
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case unknown, info, low, medium, high, critical

    /// 0 for `unknown` up to 5 for `critical`: the order, and a position in tables by severity.
    public var rank: Int {
        switch self {
        case .unknown: 0
        case .info: 1
        case .low: 2
        case .medium: 3
        case .high: 4
        case .critical: 5
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }

    /// Most severe first.
    public static let descending: [Severity] = [.critical, .high, .medium, .low, .info, .unknown]

    /// Reads the labels the tools write, case-insensitively: Trivy's `CRITICAL`…`UNKNOWN`,
    /// npm's `moderate`, `info`, SARIF/GitHub `error`/`warning`/`note`/`none` are *not* accepted
    /// here (they are levels, not severities; see ``init(sarifLevel:)``).
    public init?(label: String) {
        switch label.lowercased() {
        case "critical": self = .critical
        case "high": self = .high
        case "medium", "moderate": self = .medium
        case "low": self = .low
        case "info", "informational", "information", "none", "negligible": self = .info
        case "unknown": self = .unknown
        default: return nil
        }
    }

    /// The severity band of a CVSS base score (the same bands for v2, v3 and v4, as NVD and
    /// GitHub use them): 0 → info, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical.
    public init(cvssScore score: Double) {
        switch score {
        case ..<0.05: self = .info
        case ..<4.0: self = .low
        case ..<7.0: self = .medium
        case ..<9.0: self = .high
        default: self = .critical
        }
    }

    /// A SARIF result level: `error` → high, `warning` → medium, `note` → low, `none` → info.
    public init?(sarifLevel level: String) {
        switch level {
        case "error": self = .high
        case "warning": self = .medium
        case "note": self = .low
        case "none": self = .info
        default: return nil
        }
    }

    /// A representative numeric score for the severity (used when no CVSS score exists),
    /// matching the values Trivy writes as SARIF `security-severity`.
    public var representativeScore: Double {
        switch self {
        case .critical: 9.5
        case .high: 8.0
        case .medium: 5.5
        case .low: 2.0
        case .info, .unknown: 0.0
        }
    }
}

/// The CVSS specification version of a score.
public enum CVSSVersion: String, Sendable, Hashable, Comparable {
    case v2 = "2.0"
    case v3 = "3.x"
    case v4 = "4.0"

    private var rank: Int {
        switch self {
        case .v2: 2
        case .v3: 3
        case .v4: 4
        }
    }

    public static func < (lhs: CVSSVersion, rhs: CVSSVersion) -> Bool { lhs.rank < rhs.rank }

    /// The version a vector string declares (`CVSS:3.1/…`, `CVSS:4.0/…`, or a bare v2 vector).
    public init?(vector: String) {
        if vector.hasPrefix("CVSS:4") {
            self = .v4
        } else if vector.hasPrefix("CVSS:3") {
            self = .v3
        } else if vector.hasPrefix("AV:") || vector.hasPrefix("(AV:") {
            self = .v2
        } else {
            return nil
        }
    }
}

/// One CVSS assessment: version, vector and base score (either may be missing).
public struct CVSSScore: Sendable, Hashable {
    /// The base scores CVSS defines (every version): adapters refuse a score outside it.
    public static let validScores: ClosedRange<Double> = 0...10

    public var version: CVSSVersion
    public var vector: String?
    public var score: Double?

    public init(version: CVSSVersion, vector: String?, score: Double?) {
        self.version = version
        self.vector = vector
        self.score = score
    }
}

/// What one source said about a finding's severity.
///
/// `source` is a tool (`trivy`, `npm-audit`, `zap`, a SARIF tool's name) or a severity
/// authority named by a tool (`nvd`, `ghsa`, `redhat`, `debian`, …). `label` is what the
/// source wrote, verbatim (`HIGH`, `moderate`, `riskcode 2`), so reports can show disagreements.
public struct SeverityRating: Sendable, Hashable {
    public var source: String
    /// The source's severity on ScanGate's scale, when it gave one.
    public var severity: Severity?
    /// The source's own wording.
    public var label: String?
    /// CVSS assessments from this source, highest version first.
    public var cvss: [CVSSScore]
    /// Whether this is the reporting tool's own verdict (as opposed to an authority it cites).
    public var isToolVerdict: Bool

    public init(
        source: String, severity: Severity?, label: String? = nil, cvss: [CVSSScore] = [],
        isToolVerdict: Bool = false
    ) {
        self.source = source
        self.severity = severity
        self.label = label
        // Adapters mostly pass them in order already: sorting copied the list for every rating.
        let inOrder = zip(cvss, cvss.dropFirst()).allSatisfy { $0.version >= $1.version }
        self.cvss = inOrder ? cvss : cvss.sorted { $0.version > $1.version }
        self.isToolVerdict = isToolVerdict
    }

    /// The best CVSS base score this source gave: the highest version that has a score.
    public var bestScore: CVSSScore? { cvss.first { $0.score != nil } }
}

/// How sure a tool is that a finding is real (ZAP's confidence; SARIF `precision`).
public enum Confidence: String, Sendable, Hashable, Comparable {
    case falsePositive = "false-positive"
    case low, medium, high, confirmed

    private var rank: Int {
        switch self {
        case .falsePositive: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .confirmed: 4
        }
    }

    public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rank < rhs.rank }
}

/// The rule that turns every source's rating into one severity (documented in the README):
///
/// 1. For each reporting tool, its own verdict (`isToolVerdict`) when it is not `unknown`.
/// 2. A tool with no usable verdict falls back to CVSS: the best score (highest CVSS version;
///    of several ratings from one authority, the highest) from the first authority in
///    `authorityOrder` that has one, then any other source alphabetically, mapped through
///    ``Severity/init(cvssScore:)``; then a tool's own score; then any non-unknown label an
///    authority gave.
/// 3. When several tools report the same finding, the most severe of their results wins:
///    a merge never makes a finding look less severe than one of its tools said.
/// 4. Nothing usable: `unknown`.
public enum SeverityResolver {
    /// Authorities in the order their CVSS scores are trusted.
    public static let authorityOrder = ["nvd", "ghsa", "redhat"]

    public static func resolve(_ ratings: [SeverityRating]) -> Severity {
        // Loops rather than filter/compactMap/max: this runs once per finding, and those build
        // arrays. Each tool's best verdict; a tool whose every verdict is unknown falls back.
        var worstVerdict: Severity?
        var toolWithoutVerdict = false
        for rating in ratings where rating.isToolVerdict {
            if let severity = rating.severity, severity != .unknown {
                if worstVerdict.map({ severity > $0 }) ?? true { worstVerdict = severity }
            } else if !ratings.contains(where: {
                $0.isToolVerdict && $0.source == rating.source && $0.severity != nil && $0.severity != .unknown
            }) {
                toolWithoutVerdict = true
            }
        }
        guard worstVerdict == nil || toolWithoutVerdict else { return worstVerdict ?? .unknown }
        // A tool without a usable verdict counts with the CVSS fallback (rule 2), beside the
        // others' verdicts (rule 3): adding a tool that says "low" must not hide the critical
        // score the other tool's record carries.
        let fallback = cvssFallback(ratings)
        switch (worstVerdict, fallback) {
        case (let verdict?, let fallback?): return max(verdict, fallback)
        case (let verdict?, nil): return verdict
        case (nil, let fallback?): return fallback
        case (nil, nil): return .unknown
        }
    }

    /// Rule 2: the CVSS score of the first authority in ``authorityOrder`` that has one (the
    /// highest of its scores, when several reports carry its rating: which report sorts first
    /// must not decide), then any other source alphabetically; then a tool's own score (SARIF
    /// `security-severity` without a label); then any non-unknown label an authority gave.
    static func cvssFallback(_ ratings: [SeverityRating]) -> Severity? {
        var bestBySource: [String: Double] = [:]
        var labelled: Severity?
        var toolScore: Double?
        for rating in ratings {
            if let score = rating.bestScore?.score {
                if rating.isToolVerdict {
                    toolScore = max(toolScore ?? score, score)
                } else {
                    bestBySource[rating.source] = max(bestBySource[rating.source] ?? score, score)
                }
            }
            if !rating.isToolVerdict, let severity = rating.severity, severity != .unknown {
                labelled = max(labelled ?? severity, severity)
            }
        }
        for name in authorityOrder {
            if let score = bestBySource[name] { return Severity(cvssScore: score) }
        }
        if let name = bestBySource.keys.filter({ !authorityOrder.contains($0) }).min(), let score = bestBySource[name] {
            return Severity(cvssScore: score)
        }
        if let toolScore { return Severity(cvssScore: toolScore) }
        return labelled
    }
}
