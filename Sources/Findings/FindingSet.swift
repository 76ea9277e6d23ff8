/// The merged findings of one or more reports, in a stable order.
///
/// Merging rules:
/// - Dependency vulnerabilities in the same scope (artifact) and the same package version
///   (`[ecosystem, name, version]`) are one finding when their ids overlap through aliases:
///   Trivy's `CVE-2021-23337` and npm audit's `GHSA-35jh-r3h4-6jhm` (whose references name the
///   CVE) become one finding with two sources. The same CVE in two different packages stays
///   two findings, and so do two CVEs, or two ids one report lists apart
///   (``MergeClaims/canJoin(_:)``).
/// - Every other finding merges only with findings of exactly the same identity (a Kubernetes
///   report repeating one image's findings per workload; ZAP listing one alert per site).
/// - A merged finding is suppressed only when every source suppressed it: one tool saying it
///   is open keeps it open.
///
/// Order: most severe first, then kind, primary id (numbers in it compared as numbers:
/// ``Identifiers/precedesInIDOrder(_:_:)``) and fingerprint.
public struct FindingSet: Sendable {
    /// Every finding, open and suppressed.
    public let all: [Finding]

    public init(merging findings: [Finding]) {
        // Findings that may be one, bucketed; a bucket's members are chained through `next` in
        // input order, so the many buckets of one finding allocate nothing of their own.
        var bucketOfKey: [BucketKey: Int] = [:]
        bucketOfKey.reserveCapacity(findings.count)
        var heads: [Int] = []
        var tails: [Int] = []
        var next = [Int](repeating: -1, count: findings.count)
        for (position, finding) in findings.enumerated() {
            let bucket = Self.slot(in: &bucketOfKey[BucketKey(finding.identity), default: -1], orNew: heads.count)
            if bucket == heads.count {
                heads.append(position)
                tails.append(position)
            } else {
                next[tails[bucket]] = position
                tails[bucket] = position
            }
        }
        var merged: [Finding] = []
        merged.reserveCapacity(heads.count)
        for head in heads {
            // Adapters return finalized findings: a finding alone needs no more work.
            guard next[head] >= 0 else {
                merged.append(findings[head])
                continue
            }
            var members: [Finding] = []
            var position = head
            while position >= 0 {
                members.append(findings[position])
                position = next[position]
            }
            if members[0].kind == .vulnerability {
                merged += Self.groupVulnerabilities(members).compactMap(Self.merge)
            } else if let finding = Self.merge(members) {
                merged.append(finding)
            }
        }
        self.init(sorting: merged)
    }

    /// The findings of each tool merged apart from every other tool's: what each tool alone
    /// reports (a finding two tools reported is two findings here, each as its tool gives it:
    /// rule id, severity, place, suppression and fingerprint). The merged SARIF file is written
    /// from this: GitHub keys an alert on its run, rule id and fingerprints, so a tool's run must
    /// not change with what else is uploaded beside it (npm audit's GHSA alert renamed to the CVE
    /// Trivy reports, or a finding Trivy's VEX suppressed reopened because npm audit has it).
    public init(mergingEachToolApart findings: [Finding]) {
        var byTool: [String: [Finding]] = [:]
        for finding in findings { byTool[finding.provenance.first?.tool ?? "", default: []].append(finding) }
        guard byTool.count > 1 else {
            self.init(merging: findings)
            return
        }
        self.init(sorting: byTool.keys.sorted().flatMap { FindingSet(merging: byTool[$0] ?? []).all })
    }

    /// The findings in display order (``SortKey``), split into open and suppressed.
    private init(sorting merged: [Finding]) {
        // Sort small keys and permute once: findings are large values, and a sort that moves
        // them copies every field again and again.
        let keys = merged.map { SortKey($0) }
        all = keys.indices.sorted { keys[$0] < keys[$1] }.map { merged[$0] }
        open = all.filter(\.isOpen)
        suppressed = all.filter { !$0.isOpen }
    }

    /// The bucket in `slot`, or `new` stored there when the slot is empty (one hash lookup).
    private static func slot(in slot: inout Int, orNew new: Int) -> Int {
        if slot < 0 { slot = new }
        return slot
    }

    /// Which findings may be one: the same identity, except that dependency vulnerabilities
    /// share a bucket per ecosystem and package name (ids and versions are matched inside).
    private struct BucketKey: Hashable {
        let identity: FindingIdentity

        init(_ identity: FindingIdentity) { self.identity = identity }

        private var isPackageBucket: Bool { identity.kind == .vulnerability }

        static func == (lhs: BucketKey, rhs: BucketKey) -> Bool {
            let l = lhs.identity
            let r = rhs.identity
            guard l.kind == r.kind, l.scope == r.scope else { return false }
            if lhs.isPackageBucket { return l.subject.prefix(2).elementsEqual(r.subject.prefix(2)) }
            return l.primaryID == r.primaryID && l.subject == r.subject
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(identity.kind)
            hasher.combine(identity.scope)
            if isPackageBucket {
                let package = identity.subject.prefix(2)
                hasher.combine(package.count)
                for part in package { hasher.combine(part) }
            } else {
                hasher.combine(identity.primaryID)
                hasher.combine(identity.subject)
            }
        }
    }

    /// Findings that count: not suppressed by any tool.
    public let open: [Finding]
    /// Findings a tool suppressed (kept for the record, never counted as open).
    public let suppressed: [Finding]

    /// Most severe first, then kind, primary id, fingerprint.
    public static func displayOrder(_ lhs: Finding, _ rhs: Finding) -> Bool { SortKey(lhs) < SortKey(rhs) }

    private struct SortKey: Comparable {
        /// Severity (descending) and kind, as one number.
        var order: UInt16
        /// The first sixteen bytes of the primary id's order key, big-endian, zero-padded, in two
        /// words: compared first, so most comparisons of a large set (a CVE's year and number
        /// fit) touch no array.
        var idPrefix: UInt64
        var idPrefixRest: UInt64
        /// The primary id in id order.
        var id: IDOrder
        var fingerprint: String

        init(_ finding: Finding) {
            order = UInt16(truncatingIfNeeded: 255 - finding.severity.rank) << 8 | UInt16(finding.kind.position)
            id = IDOrder(finding.ruleID)
            fingerprint = finding.fingerprint
            var prefix: UInt64 = 0
            var rest: UInt64 = 0
            for (taken, byte) in id.key.prefix(16).enumerated() {
                if taken < 8 {
                    prefix |= UInt64(byte) << (56 - 8 * taken)
                } else {
                    rest |= UInt64(byte) << (56 - 8 * (taken - 8))
                }
            }
            idPrefix = prefix
            idPrefixRest = rest
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            if lhs.order != rhs.order { return lhs.order < rhs.order }
            // Id order: the key's first sixteen bytes decide most comparisons.
            if lhs.idPrefix != rhs.idPrefix { return lhs.idPrefix < rhs.idPrefix }
            if lhs.idPrefixRest != rhs.idPrefixRest { return lhs.idPrefixRest < rhs.idPrefixRest }
            if lhs.id != rhs.id { return lhs.id < rhs.id }
            return lhs.fingerprint < rhs.fingerprint
        }
    }

    /// The installed version in a dependency finding's identity (`[ecosystem, name, version]`);
    /// empty when the tool did not say (npm 7+ does not). A SARIF result's subject is `[tool,
    /// path, key]`, and a later place of a result that reads alike adds `occurrence N`: that is
    /// part of its "version", so that the places ``SARIFAdapter`` kept apart are not merged again.
    static func version(_ finding: Finding) -> String {
        finding.identity.subject.dropFirst(2).joined(separator: "\u{1F}")
    }

    /// A dependency finding whose tool did not say the installed version (npm 7+). A SARIF
    /// tool's vulnerability without a package has no version to leave out: its empty key (a
    /// result without a message) is its place's identity, and the later places ``SARIFAdapter``
    /// kept apart must not join it.
    static func isUnversioned(_ finding: Finding) -> Bool { version(finding).isEmpty && finding.package != nil }

    /// What a group of findings says it is, for telling whether two groups may be one
    /// vulnerability: the CVEs its findings claim (``Finding/claimedCVEs``), and the ids each
    /// report gave them.
    struct MergeClaims {
        var cves: Set<String>
        /// The group's findings' own ids (``Finding/ruleID``).
        var ruleIDs: Set<String>
        /// Per report (tool and file), the ids it reported the group's findings under.
        var idsByReport: [String: Set<String>]

        init(_ finding: Finding) {
            cves = finding.claimedCVEs
            ruleIDs = [finding.ruleID]
            idsByReport = [:]
            for source in finding.provenance {
                idsByReport[source.tool + "\u{0}" + source.reportFile, default: []].insert(source.rawID)
            }
        }

        init(_ group: [Finding]) {
            self.init(group[0])
            for finding in group.dropFirst() { absorb(MergeClaims(finding)) }
        }

        /// Whether the two may be one vulnerability: never two different CVEs (an advisory
        /// covering several is one with another finding of exactly those CVEs), and never two
        /// ids of one report unless both claim the same CVE. Two Trivy findings, CVE-2022-0001
        /// (critical) and CVE-2022-0002 (low), whose references name the same GHSA advisory are
        /// two vulnerabilities; so are a CVE and a GHSA of no CVE that one report lists apart,
        /// though the CVE's references link the GHSA: the tool itself said they are two. Joined,
        /// a waiver or VEX statement for one would hide the other. A report listing a CVE and
        /// the GHSA advisory of that same CVE apart (Trivy, from two advisory databases) lists
        /// one vulnerability twice.
        func canJoin(_ other: MergeClaims) -> Bool {
            // One advisory under its own id (a GHSA Trivy lists without CVEs, npm audit with
            // the two it covers) is one record, however much of it each tool tells.
            let sameRecord =
                Self.intersect(ruleIDs, other.ruleIDs)
                && (cves.isSubset(of: other.cves) || other.cves.isSubset(of: cves))
            guard sameRecord || !Self.holdMoreThanOne(cves, other.cves) || cves == other.cves else { return false }
            if Self.intersect(cves, other.cves) { return true }
            for (report, ids) in other.idsByReport {
                if let mine = idsByReport[report], Self.holdMoreThanOne(mine, ids) { return false }
            }
            return true
        }

        /// Adds `other`'s claims, in place: a group's sets grow with every finding joining it,
        /// and copied at each join (`union`) they made a group of thousands quadratic.
        mutating func absorb(_ other: MergeClaims) {
            cves.formUnion(other.cves)
            ruleIDs.formUnion(other.ruleIDs)
            for (report, ids) in other.idsByReport { idsByReport[report, default: []].formUnion(ids) }
        }

        /// Whether the two sets share an element, looking the smaller one up in the larger.
        private static func intersect(_ first: Set<String>, _ second: Set<String>) -> Bool {
            let (small, large) = first.count <= second.count ? (first, second) : (second, first)
            return small.contains { large.contains($0) }
        }

        /// Whether the two together hold more than one element, without making their union.
        private static func holdMoreThanOne(_ first: Set<String>, _ second: Set<String>) -> Bool {
            if first.count > 1 || second.count > 1 { return true }
            guard let one = first.first, let other = second.first else { return false }
            return one != other
        }
    }

    /// Groups the dependency vulnerabilities of one package: same version and overlapping ids
    /// first; then each finding without a version joins the one group whose ids it shares and
    /// that it may be one vulnerability with (``MergeClaims/canJoin(_:)``), and stays on its own
    /// when that is ambiguous (two versions both match; two findings one report lists apart both
    /// match) or nothing matches. Which group a finding joins is decided against the versioned
    /// groups alone, so it does not depend on the order findings or reports came in.
    static func groupVulnerabilities(_ members: [Finding]) -> [[Finding]] {
        var byVersion: [String: [Finding]] = [:]
        for finding in members where !isUnversioned(finding) {
            byVersion[version(finding), default: []].append(finding)
        }
        var groups: [[Finding]] = byVersion.keys.sorted().flatMap { groupByAliasOverlap(byVersion[$0] ?? []) }
        // npm 7 alone: no versioned group to join.
        if groups.isEmpty { return groupByAliasOverlap(members) }
        // The groups by each id they have: a finding looks up those sharing an id with it, not
        // every group (thousands of CVEs of one package made merging quadratic).
        var groupsByID: [String: [Int]] = [:]
        for (index, group) in groups.enumerated() {
            for id in Set(group.flatMap { [$0.ruleID] + $0.aliases }) { groupsByID[id, default: []].append(index) }
        }
        var groupClaims = groups.map { MergeClaims($0) }
        // Each finding's claims made once, beside it.
        var candidates: [Int: [(finding: Finding, claims: MergeClaims)]] = [:]
        var unplaced: [Finding] = []
        for finding in members where isUnversioned(finding) {
            let claims = MergeClaims(finding)
            let sharingAnID = Set(([finding.ruleID] + finding.aliases).flatMap { groupsByID[$0] ?? [] })
            let matching = sharingAnID.sorted().filter { groupClaims[$0].canJoin(claims) }
            if matching.count == 1, let index = matching.first {
                candidates[index, default: []].append((finding, claims))
            } else {
                unplaced.append(finding)
            }
        }
        for index in candidates.keys.sorted() {
            let joining = (candidates[index] ?? []).sorted { $0.finding.fingerprint < $1.finding.fingerprint }
            // Two claiming the same CVEs may always be one (``MergeClaims/canJoin(_:)``): a
            // finding's rivals are among those claiming others, or none. Thousands of advisories
            // of one CVE were otherwise compared pairwise.
            let byCVEs = Dictionary(grouping: joining.indices) { joining[$0].claims.cves }
            // In fingerprint order; one that can no longer join (another report's finding of
            // another CVE joined first) stays on its own.
            for candidate in joining {
                let rivals = byCVEs.contains { cves, members in
                    (cves.isEmpty || cves != candidate.claims.cves)
                        && members.contains { position in
                            let other = joining[position]
                            return other.finding.fingerprint != candidate.finding.fingerprint
                                && !other.claims.canJoin(candidate.claims)
                        }
                }
                if !rivals, groupClaims[index].canJoin(candidate.claims) {
                    groups[index].append(candidate.finding)
                    groupClaims[index].absorb(candidate.claims)
                } else {
                    unplaced.append(candidate.finding)
                }
            }
        }
        return groups + groupByAliasOverlap(unplaced)
    }

    /// Connected components of findings whose id sets intersect (union-find over ids), with one
    /// limit: a component only joins another it may be one vulnerability with
    /// (``MergeClaims/canJoin(_:)``). Members are joined in fingerprint order, so which of two
    /// CVEs an npm advisory naming both joins does not depend on the order the reports were
    /// given in.
    static func groupByAliasOverlap(_ members: [Finding]) -> [[Finding]] {
        if members.count <= 1 { return members.isEmpty ? [] : [members] }
        let order = members.indices.sorted { members[$0].fingerprint < members[$1].fingerprint }
        var parent = Array(members.indices)
        // Each component's claims, at its root; a root's is its own finding's until it joins.
        var claims = [MergeClaims?](repeating: nil, count: members.count)
        func root(_ index: Int) -> Int {
            var current = index
            while parent[current] != current {
                parent[current] = parent[parent[current]]
                current = parent[current]
            }
            return current
        }
        var owner: [String: Int] = [:]
        for index in order {
            let finding = members[index]
            for id in [finding.ruleID] + finding.aliases {
                if let other = owner[id] {
                    let (mine, theirs) = (root(index), root(other))
                    guard mine != theirs else { continue }
                    // Made when first needed: most findings share no id with another.
                    if claims[theirs] == nil { claims[theirs] = MergeClaims(members[theirs]) }
                    if claims[mine] == nil { claims[mine] = MergeClaims(members[mine]) }
                    guard let mineClaims = claims[mine], claims[theirs]?.canJoin(mineClaims) == true else { continue }
                    parent[mine] = theirs
                    claims[theirs]?.absorb(mineClaims)
                } else {
                    owner[id] = index
                }
            }
        }
        var groups: [Int: [Finding]] = [:]
        for index in members.indices { groups[root(index), default: []].append(members[index]) }
        return groups.keys.sorted().compactMap { groups[$0] }
    }

    /// One finding from several reports of it. Scalar fields come from the source that sorts
    /// first by tool, id and what it says (``mergeKeys``), so the result depends neither on
    /// input order nor on what the report files are named.
    static func merge(_ group: [Finding]) -> Finding? {
        // Adapters return finalized findings: a finding alone needs no more work.
        if group.count == 1 { return group.first }
        // Keys made once per finding, not per comparison.
        let ordered = group.map { finding in
            let source = finding.provenance.min()
            return (finding: finding, hasSource: source != nil, keys: mergeKeys.map { $0(finding, source) })
        }.sorted { lhs, rhs in
            // A finding without a source (made by hand) first, as before.
            if lhs.hasSource != rhs.hasSource { return !lhs.hasSource }
            return lhs.keys.lexicographicallyPrecedes(rhs.keys)
        }.map(\.finding)
        guard var result = ordered.first else { return nil }
        // The package is merged outside the finding, so that its lists are the only reference to
        // their buffers and grow in place: through the finding each step copied them, quadratic
        // in a package found in thousands of targets.
        var package = result.package
        result.package = nil
        var seenRatings = Set(result.ratings)
        for other in ordered.dropFirst() {
            result.aliases += [other.ruleID] + other.aliases
            if result.title.isEmpty { result.title = other.title }
            if result.description?.isEmpty ?? true { result.description = other.description }
            if result.detail?.isEmpty ?? true { result.detail = other.detail }
            if result.remediation?.isEmpty ?? true { result.remediation = other.remediation }
            // Each once, in the order first given, through a set: a finding in thousands of
            // targets each citing twenty sources was quadratic in them.
            let newRatings = other.ratings.filter { !seenRatings.contains($0) }
            result.ratings += newRatings
            seenRatings.formUnion(newRatings)
            result.confidence = [result.confidence, other.confidence].compactMap { $0 }.max()
            mergePackage(into: &package, other.package)
            // Repeats are dropped by `finalized()` below, which sorts: filtering each source's
            // list against all before it was quadratic (a Kubernetes report repeats an image's
            // finding for every workload).
            result.locations += other.locations
            result.instances += other.instances
            result.cwes += other.cwes
            result.references += other.references
            result.provenance += other.provenance
            result.coveredCVEs += other.coveredCVEs
            if result.status == nil { result.status = other.status }
            // Open wins: the merged finding is suppressed only when every source suppressed it.
            if other.suppression == nil { result.suppression = nil }
        }
        if var merged = package {
            package = nil  // `merged` holds the lists alone: sorted in place
            merged.fixedVersions = merged.fixedVersions.sortedUnique()
            merged.paths = merged.paths.sortedUnique()
            result.package = merged
        }
        // A dependency finding merged with one that knows the installed version takes it on.
        if result.kind == .vulnerability, version(result).isEmpty,
            let versioned = ordered.first(where: { !version($0).isEmpty })
        {
            result.identity.subject = versioned.identity.subject
        }
        return result.finalized()
    }

    /// The order ``merge(_:)`` takes a group's findings in: the tool, its id and version, then
    /// every value the first finding gives the merged one (its title, texts, status, package
    /// version, ratings), and only then the report file and fingerprint. By file first, the
    /// same two reports under swapped names gave another title, status and SARIF rule text.
    private static let mergeKeys: [@Sendable (Finding, Provenance?) -> String] = [
        { $1?.tool ?? "" }, { $1?.rawID ?? "" }, { $1?.toolVersion ?? "" }, { finding, _ in finding.title },
        { finding, _ in finding.description ?? "" }, { finding, _ in finding.detail ?? "" },
        { finding, _ in finding.remediation ?? "" }, { finding, _ in finding.status ?? "" },
        { finding, _ in finding.package?.installedVersion ?? "" }, { finding, _ in finding.package?.purl ?? "" },
        { finding, _ in ratingsKey(finding.ratings) }, { $1?.reportFile ?? "" }, { finding, _ in finding.fingerprint },
    ]

    /// Every field of every rating, in order, as one string (written out: `"\(ratings)"` went
    /// through reflection, and made merging a group of thousands take seconds).
    private static func ratingsKey(_ ratings: [SeverityRating]) -> String {
        var key = ""
        for rating in ratings {
            key +=
                rating.source + "\u{1}" + (rating.severity?.rawValue ?? "-") + "\u{1}" + (rating.label ?? "-")
                + "\u{1}" + (rating.isToolVerdict ? "1" : "0")
            for score in rating.cvss {
                key +=
                    "\u{1}" + score.version.rawValue + "\u{1}" + (score.vector ?? "-") + "\u{1}"
                    + (score.score.map { "\($0)" } ?? "-")
            }
            key += "\u{2}"
        }
        return key
    }

    /// `first` with only the qualifiers `second` has too, alike: one finding of a package seen
    /// as `?arch=i686` and as `?arch=x86_64` (a multilib image) is of neither architecture
    /// alone, and a VEX statement for one of them must not match it. Packages whose purls
    /// differ before the qualifiers keep the first.
    static func commonQualifiers(_ first: String, _ second: String) -> String {
        func split(_ purl: String) -> (base: Substring, qualifiers: [Substring], subpath: Substring) {
            let withoutSubpath = purl.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let subpath = withoutSubpath.count > 1 ? "#" + withoutSubpath[1] : ""
            let parts = withoutSubpath[0].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let qualifiers = parts.count > 1 ? parts[1].split(separator: "&") : []
            return (parts[0], qualifiers, Substring(subpath))
        }
        let (base, qualifiers, subpath) = split(first)
        let other = split(second)
        guard base == other.base else { return first }
        let kept = qualifiers.filter { other.qualifiers.contains($0) }
        return String(base) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&")) + String(subpath)
    }

    /// Merges `other` into `merged`: the first known purl and installed version, a fix when
    /// either has one, and both lists of paths and fixed versions (sorted and de-duplicated once
    /// the whole group is merged, by ``merge(_:)``).
    static func mergePackage(into merged: inout Package?, _ other: Package?) {
        guard let other else { return }
        guard merged != nil else {
            merged = other
            return
        }
        if merged?.purl == nil {
            merged?.purl = other.purl
            merged?.sourcePURLs = other.sourcePURLs
        } else if let mine = merged.flatMap({ $0.sourcePURLs.isEmpty ? $0.purl.map { [$0] } : $0.sourcePURLs }),
            let theirs = other.sourcePURLs.isEmpty ? other.purl.map({ [$0] }) : other.sourcePURLs
        {
            let all = (mine + theirs).sortedUnique()
            if all.count > 1 {
                merged?.sourcePURLs = all
                merged?.purl = all.dropFirst().reduce(all[0]) { Self.commonQualifiers($0, $1) }
            }
        }
        if merged?.installedVersion == nil { merged?.installedVersion = other.installedVersion }
        merged?.fixedVersions += other.fixedVersions
        switch (merged?.fixAvailable, other.fixAvailable) {
        case (true, _), (_, true): merged?.fixAvailable = true
        case (false, _), (_, false): merged?.fixAvailable = false
        default: merged?.fixAvailable = nil
        }
        merged?.paths += other.paths
    }
}
