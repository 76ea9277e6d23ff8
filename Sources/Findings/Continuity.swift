/// What recognises a dependency finding from one run to the next when its fingerprint changed
/// only because the tools that reported it changed.
///
/// A finding's fingerprint hashes its primary id and its package version, and both depend on
/// which tools merged into it: npm audit alone reports lodash's command injection as
/// `GHSA-35jh-r3h4-6jhm` without a version; with Trivy beside it the merged finding is
/// `CVE-2021-23337` at `4.17.15`. Compared by fingerprint only, adding or dropping a scanner
/// made that one vulnerability both "new" and "fixed" (and `fail-on-new-only` failed on it).
///
/// Two traces are the same finding when their fingerprints are equal, or when both are
/// dependency vulnerabilities of the same scope, ecosystem and package name, share an id
/// (primary or alias), their versions agree where both are known, and tools reported no two
/// different CVEs between them. A different version is a different finding, as in a fingerprint.
///
/// A trace also keeps the finding's severity and ratings (a finding that is more severe now
/// than in the previous run, by the sources the policy judges by, is not the finding accepted
/// there) and the places it was found (a vulnerable package now also in another service's lock
/// file is not what was accepted either): ``ContinuityIndex/lookup(_:judging:)``.
public struct FindingTrace: Sendable, Hashable {
    public var fingerprint: String
    public var kind: String
    /// ``FindingIdentity/scope``; nil in documents written before it was recorded.
    public var scope: String?
    public var ecosystem: String?
    public var packageName: String?
    public var installedVersion: String?
    /// The primary id and every alias.
    public var ids: [String]
    /// The resolved severity; nil when not known (a baseline given as fingerprints).
    public var severity: Severity?
    /// Every source's rating, for judging by a policy's `severity-sources`; nil when not known.
    public var ratings: [SeverityRating]?
    /// The files (lock files, manifests, sources) it was found in, sorted; nil when not known
    /// (a baseline given as fingerprints, or written before places were read).
    public var places: [String]?
    /// The CVEs the finding claims (``Finding/claimedCVEs``, of a finding of this run or of one
    /// read back from a findings document), or only those tools reported as its own ids. Two
    /// traces claiming different ones are two vulnerabilities, whatever advisory they share
    /// (``claimedCVEs``).
    public var reportedCVEs: Set<String>
    /// For a misconfiguration: how many places (failing blocks) it has in each file. Trivy
    /// names the resource, and two failures of one check in one resource are one finding: a
    /// second one is new, wherever the blocks moved. Nil for other kinds, or when not known.
    public var occurrences: [String: Int]?

    public init(
        fingerprint: String, kind: String, scope: String?, ecosystem: String?, packageName: String?,
        installedVersion: String?, ids: [String], severity: Severity? = nil, ratings: [SeverityRating]? = nil,
        places: [String]? = nil, reportedCVEs: Set<String> = [], occurrences: [String: Int]? = nil
    ) {
        self.reportedCVEs = reportedCVEs
        self.occurrences = occurrences
        self.ratings = ratings
        self.places = places
        self.fingerprint = fingerprint
        self.kind = kind
        self.scope = scope
        self.ecosystem = ecosystem
        self.packageName = packageName
        self.installedVersion = installedVersion
        self.ids = ids
        self.severity = severity
    }

    /// A trace known by its fingerprint only (a baseline given as fingerprints, a document
    /// written before scopes were recorded): it matches nothing else.
    public init(fingerprintOnly fingerprint: String) {
        self.init(
            fingerprint: fingerprint, kind: "", scope: nil, ecosystem: nil, packageName: nil, installedVersion: nil,
            ids: [])
    }

    /// The trace of a finding of this run.
    public init(_ finding: Finding) {
        self.init(
            fingerprint: finding.fingerprint, kind: finding.kind.rawValue, scope: finding.identity.scope,
            ecosystem: finding.package?.ecosystem, packageName: finding.package?.name,
            installedVersion: finding.package?.installedVersion, ids: [finding.ruleID] + finding.aliases,
            severity: finding.severity, ratings: finding.ratings, places: Self.places(of: finding.locations),
            reportedCVEs: finding.claimedCVEs,
            occurrences: Self.occurrences(
                kind: finding.kind.rawValue,
                places: finding.locations.compactMap { location in
                    location.path.map { (path: $0, lines: [location.startLine, location.endLine]) }
                }))
    }

    /// ``occurrences`` of a finding of `kind` at `places` (each location's file and lines, as
    /// found or as written in a findings document): the distinct line ranges in each file, so
    /// that the same block in two images or two clusters (a location each) counts once. Nil but
    /// for a misconfiguration.
    public static func occurrences(kind: String, places: [(path: String, lines: [Int?])]) -> [String: Int]? {
        guard kind == FindingKind.misconfiguration.rawValue else { return nil }
        var ranges: [String: Set<[Int?]>] = [:]
        for place in places where !place.path.isEmpty { ranges[place.path, default: []].insert(place.lines) }
        return ranges.mapValues(\.count)
    }

    /// The CVEs the finding is, as merging reads them (``Finding/claimedCVEs``): those tools
    /// reported, else the CVEs among its ids (an npm advisory naming its CVE). Read from ids
    /// too, an advisory's trace is not the trace of another CVE that links to the advisory.
    var claimedCVEs: Set<String> {
        guard reportedCVEs.isEmpty else { return reportedCVEs }
        return Set(ids.map(Identifiers.normalize).filter(Identifiers.isCVE))
    }

    /// The files among `locations`, sorted, each once.
    public static func places(of locations: [Location]) -> [String] { places(ofPaths: locations.compactMap(\.path)) }

    /// The files among `paths` (a findings document's locations, as written), sorted, each once.
    public static func places(ofPaths paths: [String]) -> [String] { paths.filter { !$0.isEmpty }.sortedUnique() }

    /// What two traces must share besides an id: nil when the trace cannot be matched but by
    /// its fingerprint (not a dependency vulnerability, or no scope recorded).
    fileprivate var packageKey: String? {
        guard kind == FindingKind.vulnerability.rawValue, let scope, let ecosystem, let packageName,
            !packageName.isEmpty
        else { return nil }
        return [scope, ecosystem, packageName].joined(separator: "\u{0}")
    }

    fileprivate var version: String? {
        guard let installedVersion, !installedVersion.isEmpty else { return nil }
        return installedVersion
    }
}

/// Whether a finding was in another run (``ContinuityIndex/lookup(_:)``).
public enum ContinuityMatch: Sendable, Hashable {
    /// Not in it.
    case absent
    /// In it, at the same severity or a higher one (or one of the two is not known).
    case present
    /// In it, but less severe there: the most severe it was.
    case lessSevere(was: Severity)
    /// In it, but not at these places (files it is now also found in).
    case elsewhere(newPlaces: [String])
    /// In it, but found more often now in these files (a misconfiguration failing in one more
    /// block of the same resource): each file with how often then and now.
    case moreOften([Occurrences])

    /// How often a finding was found in a file in another run, and now.
    public struct Occurrences: Sendable, Hashable {
        public var file: String
        public var then: Int
        public var now: Int

        public init(file: String, then: Int, now: Int) {
            self.file = file
            self.then = then
            self.now = now
        }
    }
}

/// The traces of one run, looked up by fingerprint and by package and id (see ``FindingTrace``).
public struct ContinuityIndex: Sendable {
    private let fingerprints: [String: [Int]]
    /// Package key and normalised id → the traces with them (index into `traces`).
    private let byPackageAndID: [String: [Int]]
    /// The same, by version too (`key\0id\0version`), and those without a version by package
    /// and id: a trace with a version is looked up there, not among every version of its
    /// package (25,000 versions of one vulnerable package made a baseline gate quadratic).
    private let byPackageIDAndVersion: [String: [Int]]
    /// Only those no trace with a version explains (see `init`).
    private let unversionedByPackageAndID: [String: [Int]]
    /// Per package (``FindingTrace/packageKey``), the ids its traces with a version have.
    private let versionedIDs: [String: Set<String>]
    private let traces: [FindingTrace]

    public init(_ traces: [FindingTrace]) {
        self.traces = traces
        var byFingerprint: [String: [Int]] = [:]
        for (position, trace) in traces.enumerated() { byFingerprint[trace.fingerprint, default: []].append(position) }
        fingerprints = byFingerprint
        var index: [String: [Int]] = [:]
        var byVersion: [String: [Int]] = [:]
        var unversioned: [String: [Int]] = [:]
        // The ids each package's traces with a version have.
        var versionedIDs: [String: Set<String>] = [:]
        for trace in traces {
            guard let key = trace.packageKey, trace.version != nil else { continue }
            versionedIDs[key, default: []].formUnion(trace.ids.map(Identifiers.normalize))
        }
        for (position, trace) in traces.enumerated() {
            guard let key = trace.packageKey else { continue }
            let ids = Set(trace.ids.map(Identifiers.normalize)).subtracting([""])
            // A trace without a version (npm 7's) that shares an id with one of its package's
            // traces with a version (Trivy's of the same advisory) stands for the versions those
            // name: found by any of its ids (`npm:1096305` too, which Trivy's lack), it is no
            // other version.
            let explainedByVersions = trace.version == nil && !ids.isDisjoint(with: versionedIDs[key] ?? [])
            for id in ids {
                let packageAndID = key + "\u{0}" + id
                index[packageAndID, default: []].append(position)
                if let version = trace.version {
                    byVersion[packageAndID + "\u{0}" + version, default: []].append(position)
                } else if !explainedByVersions {
                    unversioned[packageAndID, default: []].append(position)
                }
            }
        }
        byPackageAndID = index
        byPackageIDAndVersion = byVersion
        unversionedByPackageAndID = unversioned
        self.versionedIDs = versionedIDs
    }

    /// Whether `trace` is one of the indexed findings, whatever its severity or places there.
    public func contains(_ trace: FindingTrace) -> Bool { lookup(trace) != .absent }

    /// Whether `trace` is one of the indexed findings as it is now: ``ContinuityMatch/present``
    /// when a match was at least as severe (as `judging` rates a trace; by default its resolved
    /// severity) and found in every place it is found now. Otherwise, of the matches, the most
    /// severe one less severe (``ContinuityMatch/lessSevere(was:)``), else the places none had.
    public func lookup(
        _ trace: FindingTrace, judging severity: (FindingTrace) -> Severity? = \.severity
    ) -> ContinuityMatch {
        var mostSevere: Severity?
        var newPlaces: [String]?
        var moreOften: [ContinuityMatch.Occurrences]?
        let now = severity(trace)
        // True when a match settles it: present at the same severity or above, everywhere.
        func consider(_ position: Int) -> Bool {
            let match = traces[position]
            if let now, let then = severity(match), then < now {
                mostSevere = max(mostSevere ?? then, then)
                return false
            }
            // Places count only where the earlier run said where it was (npm audit names no file).
            if let places = trace.places, let before = match.places, !before.isEmpty {
                // A set when there are many (a finding in thousands of lock files was quadratic).
                let missing: [String]
                if before.count > 16 {
                    let known = Set(before)
                    missing = places.filter { !known.contains($0) }
                } else {
                    missing = places.filter { !before.contains($0) }
                }
                if !missing.isEmpty {
                    if newPlaces.map({ missing.count < $0.count }) ?? true { newPlaces = missing }
                    return false
                }
            }
            if let counts = trace.occurrences, let before = match.occurrences {
                let more = counts.sorted { $0.key < $1.key }.compactMap { file, count in
                    before[file].flatMap { then in
                        count > then ? ContinuityMatch.Occurrences(file: file, then: then, now: count) : nil
                    }
                }
                if !more.isEmpty {
                    moreOften = more
                    return false
                }
            }
            return true
        }
        for position in candidates(for: trace) where consider(position) { return .present }
        if let mostSevere { return .lessSevere(was: mostSevere) }
        if let newPlaces { return .elsewhere(newPlaces: newPlaces) }
        if let moreOften { return .moreOften(moreOften) }
        return .absent
    }

    /// The indexed findings `trace` is, whatever their severity or places: those with its
    /// fingerprint, then those of its package that share an id (``lookup(_:judging:)`` judges
    /// the same ones). What the earlier run decided about them (waived, the ids a waiver named)
    /// is what it decided about this finding.
    public func matches(_ trace: FindingTrace) -> [FindingTrace] {
        var seen = Set<Int>()
        return candidates(for: trace).filter { seen.insert($0).inserted }.map { traces[$0] }
    }

    /// Positions of the traces `trace` may be, in the order ``lookup(_:judging:)`` considers them
    /// (a position can come twice).
    private func candidates(for trace: FindingTrace) -> [Int] {
        var positions = fingerprints[trace.fingerprint] ?? []
        guard let key = trace.packageKey else { return positions }
        let ids = trace.ids.map(Identifiers.normalize).sortedUnique()
        // Traces with a version that have one of this finding's ids (Trivy's of its CVE) say
        // which versions and files the earlier run had it in: then a trace without a version
        // (npm 7's of its GHSA, which Trivy then did not name) stands for no other version. The
        // finding's ids link the two where the earlier run's did not (found by a review: a
        // baseline with npm audit's entry let lodash in a new version and file pass as known).
        // (The earlier run's traces of other advisories of the package do not say which versions
        // it had: Trivy lists vulnerable ones only, and its database may since know more.)
        let versionsKnown = trace.version != nil && !(versionedIDs[key] ?? []).isDisjoint(with: ids)
        // In a fixed order: which match is reported (the places it lacks) must not change from
        // one run to the next with the hash seed.
        for id in ids where !id.isEmpty {
            let packageAndID = key + "\u{0}" + id
            // The traces of its version, in index order, when it has one (a trace of another
            // version is not it), and those without a version that no trace with one explains:
            // npm 7 names no version, and its entry stands for the versions that run had. Where
            // Trivy's traces of the same advisory say which they were, a version none of them
            // has (or a file none of them was in: npm names no file either) is not known.
            let sameVersion =
                trace.version.map { version in
                    ((byPackageIDAndVersion[packageAndID + "\u{0}" + version] ?? [])
                        + (versionsKnown ? [] : unversionedByPackageAndID[packageAndID] ?? [])).sorted()
                } ?? byPackageAndID[packageAndID] ?? []
            for position in sameVersion {
                // Two CVEs tools reported that share an advisory (a GHSA covering both, named in
                // both's references) are two vulnerabilities, as in merging (`FindingSet`).
                if trace.claimedCVEs.union(traces[position].claimedCVEs).count > 1 { continue }
                positions.append(position)
            }
        }
        return positions
    }
}
