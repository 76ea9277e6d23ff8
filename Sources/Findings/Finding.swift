import Foundation

/// What sort of problem a finding is.
public enum FindingKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case vulnerability
    case misconfiguration
    case secret
    case license
    case webAlert = "web-alert"
    case codeIssue = "code-issue"

    /// The kind's place in the order above (sorting compares it for every pair of findings).
    public var position: Int {
        switch self {
        case .vulnerability: 0
        case .misconfiguration: 1
        case .secret: 2
        case .license: 3
        case .webAlert: 4
        case .codeIssue: 5
        }
    }

    public static func < (lhs: FindingKind, rhs: FindingKind) -> Bool { lhs.position < rhs.position }
}

/// The affected software package of a dependency finding.
public struct Package: Sendable, Hashable {
    /// Normalised ecosystem: `npm`, `pypi`, `maven`, `golang`, `cargo`, `gem`, `nuget`,
    /// `composer`, or an OS family (`alpine`, `debian`, `redhat`, …).
    public var ecosystem: String
    public var name: String
    public var installedVersion: String?
    /// Package URL (`pkg:npm/lodash@4.17.15`) when the tool gave one.
    public var purl: String?
    /// Fixed versions or ranges as the tool wrote them, split on commas.
    public var fixedVersions: [String]
    /// Whether a fix exists: true/false when the tool said, nil when it did not.
    public var fixAvailable: Bool?
    /// Where the package sits: a lockfile path, a jar inside an image, `node_modules/a/node_modules/b`.
    public var paths: [String]
    /// The purls of the packages merged into this one, when they differ (`?arch=i686` and
    /// `?arch=x86_64` of a multilib image; ``purl`` then keeps only what they share), sorted;
    /// empty otherwise. A VEX statement covers the finding only when it covers each of them.
    /// Not written to the findings JSON.
    public var sourcePURLs: [String] = []

    public init(
        ecosystem: String, name: String, installedVersion: String? = nil, purl: String? = nil,
        fixedVersions: [String] = [], fixAvailable: Bool? = nil, paths: [String] = []
    ) {
        self.ecosystem = ecosystem
        self.name = name
        self.installedVersion = installedVersion
        self.purl = purl
        self.fixedVersions = fixedVersions
        self.fixAvailable = fixAvailable
        self.paths = paths
    }
}

/// The ecosystems ScanGate's adapters write in ``Package/ecosystem``.
public enum Ecosystems {
    /// Language package managers (npm audit's `npm`; Trivy's language types map to these).
    public static let languages: Set<String> = [
        "npm", "pypi", "golang", "maven", "cargo", "composer", "gem", "nuget", "conan", "cocoapods", "swift", "pub",
        "hex", "julia", "bitnami",
    ]
    /// Operating systems, as Trivy names them today (older names are mapped to these).
    public static let operatingSystems: Set<String> = [
        "alpine", "debian", "ubuntu", "redhat", "centos", "centos-stream", "rocky", "alma", "amazon", "oracle",
        "photon", "suse", "opensuse", "opensuse-leap", "opensuse-tumbleweed", "sles", "slem", "cbl-mariner",
        "azurelinux", "wolfi", "chainguard", "fedora", "arch", "bottlerocket", "echo", "minimos", "coreos",
        "cleanstart",
    ]
    /// Kubernetes distributions whose components Trivy's cluster scans report.
    public static let kubernetes: Set<String> = ["kubernetes", "eks", "gke", "aks", "rke", "ocp"]

    /// Every ecosystem above, and `unknown` (a report that did not say).
    public static let known: Set<String> = languages.union(operatingSystems).union(kubernetes).union(["unknown"])

    /// Today's name of an operating system older Trivy versions named otherwise, as Trivy's own
    /// `OSTypeAliases` maps them (`suse linux enterprise server` is `sles`); any other name as it is.
    public static func currentName(ofOperatingSystem name: String) -> String {
        switch name {
        case "opensuse.leap": "opensuse-leap"
        case "opensuse.tumbleweed": "opensuse-tumbleweed"
        case "suse linux enterprise micro": "slem"
        case "suse linux enterprise server": "sles"
        case "amazon linux": "amazon"
        case "debian gnu/linux": "debian"
        default: name
        }
    }
}

/// A container image, as far as the report knows it.
public struct ImageReference: Sendable, Hashable {
    /// `registry/namespace/name` without tag or digest (`docker.io/library/alpine`, `ghcr.io/acme/api`).
    public var repository: String
    public var tag: String?
    /// Manifest digest (`sha256:…`) when known.
    public var digest: String?

    public init(repository: String, tag: String? = nil, digest: String? = nil) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// The names Docker Hub is reached under; `docker.io` is the one Docker itself uses.
    public static let dockerHubRegistries = [
        "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
    ]

    /// The repository in one spelling of the many a registry answers to: lower case, and Docker
    /// Hub's forms (`alpine`, `library/alpine`, `index.docker.io/library/alpine`,
    /// `registry-1.docker.io/…`) as `docker.io/library/alpine` (`acme/app` as
    /// `docker.io/acme/app`). A repository whose first part names a host (a `.` or `:` in it, or
    /// `localhost`) is on that registry. What is no repository name stays as it is: an image id
    /// (`sha256:…`), an archive or layout Trivy read from a file (`images/app.tar.gz`,
    /// `/tmp/app.tar`, `C:\\imgs\\app.tar`), anything with characters a reference cannot have.
    public var canonicalRepository: String {
        var name = repository.lowercased()
        let archives = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".tar.bz2", ".oci"]
        let isReference = name.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || ".-_/:".utf8.contains(byte)
        }
        guard isReference, !name.isEmpty, !name.hasPrefix("sha256:"), !name.hasPrefix("/"), !name.hasPrefix("."),
            !archives.contains(where: name.hasSuffix)
        else { return repository }
        for scheme in ["https://", "http://"] where name.hasPrefix(scheme) { name.removeFirst(scheme.count) }
        let first = name.prefix { $0 != "/" }
        let namesHost = first.count < name.count && (first.contains(".") || first.contains(":") || first == "localhost")
        guard namesHost else { return "docker.io/" + (name.contains("/") ? name : "library/" + name) }
        guard Self.dockerHubRegistries.contains(String(first)) else {
            return name
        }
        let path = name.dropFirst(first.count + 1)
        return "docker.io/" + (path.contains("/") ? path : "library/" + path)
    }

    /// Splits `repo[:tag][@sha256:…]`; a port in the registry host is not mistaken for a tag. An
    /// image id (`sha256:…`, as `trivy image sha256:…` names the image) is its own repository,
    /// not repository `sha256` with the id as its tag.
    public init(parsing reference: String) {
        if reference.hasPrefix("sha256:"), !reference.contains("/") {
            self.init(repository: reference)
            return
        }
        var rest = Substring(reference)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        self.init(repository: String(rest), tag: tag, digest: digest)
    }
}

/// Where a finding is. A finding may have several (the same package in two lockfiles).
public struct Location: Sendable, Hashable {
    /// The scanned image, for image scans.
    public var image: ImageReference?
    /// The scan target the tool named (Trivy's `Target`, a Kubernetes resource).
    public var target: String?
    /// A file path (relative as the tool wrote it).
    public var path: String?
    public var startLine: Int?
    public var endLine: Int?
    /// A resource inside the target: a Kubernetes workload (`namespace/Kind/name`), a
    /// Terraform or CloudFormation resource.
    public var resource: String?
    /// A web location: the URL (normalised: no query or fragment), method and parameter.
    public var url: String?
    public var method: String?
    public var parameter: String?

    public init(
        image: ImageReference? = nil, target: String? = nil, path: String? = nil, startLine: Int? = nil,
        endLine: Int? = nil, resource: String? = nil, url: String? = nil, method: String? = nil,
        parameter: String? = nil
    ) {
        self.resource = resource
        self.image = image
        self.target = target
        self.path = path
        self.startLine = startLine
        self.endLine = endLine
        self.url = url
        self.method = method
        self.parameter = parameter
    }
}

extension Location {
    /// A total order for deterministic output: image repository, tag and digest, target, path,
    /// start and end line, resource, URL, method and parameter, each absent field read as empty
    /// (lines in numeric order, an absent one first), then an absent field before an empty one. Compares
    /// field by field instead of building keys: every finding's locations are sorted.
    func precedes(_ other: Location) -> Bool {
        if let order = Self.order(image?.repository, other.image?.repository) { return order }
        if let order = Self.order(image?.tag, other.image?.tag) { return order }
        if let order = Self.order(image?.digest, other.image?.digest) { return order }
        if let order = Self.order(target, other.target) { return order }
        if let order = Self.order(path, other.path) { return order }
        if let order = Self.order(startLine, other.startLine) { return order }
        if let order = Self.order(endLine, other.endLine) { return order }
        if let order = Self.order(resource, other.resource) { return order }
        if let order = Self.order(url, other.url) { return order }
        if let order = Self.order(method, other.method) { return order }
        if let order = Self.order(parameter, other.parameter) { return order }
        // Equal as far as the fields go (rare): an absent field, the image first, before a present one.
        let absent: [Bool] = [
            image == nil, image?.tag == nil, image?.digest == nil, target == nil, path == nil, startLine == nil,
            endLine == nil, resource == nil, url == nil, method == nil, parameter == nil,
        ]
        let otherAbsent: [Bool] = [
            other.image == nil, other.image?.tag == nil, other.image?.digest == nil, other.target == nil,
            other.path == nil, other.startLine == nil, other.endLine == nil, other.resource == nil, other.url == nil,
            other.method == nil, other.parameter == nil,
        ]
        for (mineAbsent, theirsAbsent) in zip(absent, otherAbsent) where mineAbsent != theirsAbsent {
            return mineAbsent
        }
        return false
    }

    /// Whether `lhs` sorts before `rhs` with absent read as empty; nil when they tie.
    private static func order(_ lhs: String?, _ rhs: String?) -> Bool? {
        let left = lhs ?? ""
        let right = rhs ?? ""
        return left == right ? nil : left < right
    }

    /// Line numbers in numeric order, an absent one first; nil when they tie.
    private static func order(_ lhs: Int?, _ rhs: Int?) -> Bool? {
        switch (lhs, rhs) {
        case (nil, nil): nil
        case (nil, _): true
        case (_, nil): false
        case (let left?, let right?): left == right ? nil : left < right
        }
    }
}

/// One occurrence of a web alert as the scanner saw it (ZAP's `<instance>`).
public struct WebInstance: Sendable, Hashable {
    /// The full URI, query string included.
    public var uri: String
    public var method: String?
    public var parameter: String?
    public var attack: String?
    public var evidence: String?
    public var otherInfo: String?

    public init(
        uri: String, method: String? = nil, parameter: String? = nil, attack: String? = nil,
        evidence: String? = nil, otherInfo: String? = nil
    ) {
        self.uri = uri
        self.method = method
        self.parameter = parameter
        self.attack = attack
        self.evidence = evidence
        self.otherInfo = otherInfo
    }
}

extension WebInstance {
    /// A total order for deterministic output: URI, method, parameter, attack, evidence and
    /// other info, each absent field read as empty, then an absent field before an empty one: a total order, so equal instances end up side by side. Compares field by field instead
    /// of building keys: a ZAP scan has hundreds of thousands of instances.
    func precedes(_ other: WebInstance) -> Bool {
        if uri != other.uri { return uri < other.uri }
        if let order = Self.order(method, other.method) { return order }
        if let order = Self.order(parameter, other.parameter) { return order }
        if let order = Self.order(attack, other.attack) { return order }
        if let order = Self.order(evidence, other.evidence) { return order }
        if let order = Self.order(otherInfo, other.otherInfo) { return order }
        for (mine, theirs) in [
            (method, other.method), (parameter, other.parameter), (attack, other.attack), (evidence, other.evidence),
            (otherInfo, other.otherInfo),
        ] where (mine == nil) != (theirs == nil) {
            return mine == nil
        }
        return false
    }

    /// Whether `lhs` sorts before `rhs` with absent read as empty; nil when they tie.
    private static func order(_ lhs: String?, _ rhs: String?) -> Bool? {
        let left = lhs ?? ""
        let right = rhs ?? ""
        return left == right ? nil : left < right
    }
}

/// Which tool reported a finding, from which report file, under which id.
public struct Provenance: Sendable, Hashable, Comparable {
    /// `trivy`, `npm-audit`, `zap`, or a SARIF tool's driver name.
    public var tool: String
    public var toolVersion: String?
    /// The report file as the user named it.
    public var reportFile: String
    /// The tool's own id for the finding (`CVE-2021-23337`, npm advisory `1094102`, ZAP plugin `10020-1`).
    public var rawID: String

    public init(tool: String, toolVersion: String? = nil, reportFile: String, rawID: String) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.reportFile = reportFile
        self.rawID = rawID
    }

    public static func < (lhs: Provenance, rhs: Provenance) -> Bool {
        (lhs.tool, lhs.reportFile, lhs.rawID, lhs.toolVersion ?? "")
            < (rhs.tool, rhs.reportFile, rhs.rawID, rhs.toolVersion ?? "")
    }
}

/// Why a finding is not open: the tool itself suppressed it (a `.trivyignore`, a VEX statement,
/// a ZAP false positive). Suppressed findings are kept and shown, never counted as open.
public struct Suppression: Sendable, Hashable {
    /// Who suppressed it: `.trivyignore`, `./vex.json`, `zap: confidence false positive`.
    public var source: String
    /// The status the source gave (`ignored`, `not_affected`, `false-positive`).
    public var status: String
    public var statement: String?

    public init(source: String, status: String, statement: String? = nil) {
        self.source = source
        self.status = status
        self.statement = statement
    }
}

/// One problem, as every later step (policy, SARIF, reports, baseline diff) sees it.
///
/// Adapters fill in everything but `fingerprint` and `severity`, which ``finalized()``
/// computes; ``FindingSet`` merges findings that several tools (or several targets of one
/// report) reported.
///
/// Storage: the ~20 fields live in one final class shared between copies and copied only when a
/// shared finding is mutated (copy-on-write). Findings are passed, sorted, bucketed and merged
/// by value; with inline fields every copy retained and released each field (measured: about
/// a quarter of a 100 MB ingest), now it is one retain.
public struct Finding: Sendable, Hashable {
    /// The fields, shared by copies until one of them is mutated.
    private final class Storage: @unchecked Sendable {
        var kind: FindingKind
        var ruleID: String
        var aliases: [String]
        var title: String
        var description: String?
        var detail: String?
        var remediation: String?
        var severity: Severity
        var ratings: [SeverityRating]
        var confidence: Confidence?
        var package: Package?
        var locations: [Location]
        var instances: [WebInstance]
        var cwes: [String]
        var references: [String]
        var provenance: [Provenance]
        var status: String?
        var suppression: Suppression?
        var fingerprint: String
        var identity: FindingIdentity
        var coveredCVEs: [String]

        init(
            kind: FindingKind,
            ruleID: String,
            aliases: [String],
            title: String,
            description: String?,
            detail: String?,
            remediation: String?,
            severity: Severity,
            ratings: [SeverityRating],
            confidence: Confidence?,
            package: Package?,
            locations: [Location],
            instances: [WebInstance],
            cwes: [String],
            references: [String],
            provenance: [Provenance],
            status: String?,
            suppression: Suppression?,
            fingerprint: String,
            identity: FindingIdentity,
            coveredCVEs: [String]
        ) {
            self.kind = kind
            self.ruleID = ruleID
            self.aliases = aliases
            self.title = title
            self.description = description
            self.detail = detail
            self.remediation = remediation
            self.severity = severity
            self.ratings = ratings
            self.confidence = confidence
            self.package = package
            self.locations = locations
            self.instances = instances
            self.cwes = cwes
            self.references = references
            self.provenance = provenance
            self.status = status
            self.suppression = suppression
            self.fingerprint = fingerprint
            self.identity = identity
            self.coveredCVEs = coveredCVEs
        }

        func copy() -> Storage {
            Storage(
                kind: kind,
                ruleID: ruleID,
                aliases: aliases,
                title: title,
                description: description,
                detail: detail,
                remediation: remediation,
                severity: severity,
                ratings: ratings,
                confidence: confidence,
                package: package,
                locations: locations,
                instances: instances,
                cwes: cwes,
                references: references,
                provenance: provenance,
                status: status,
                suppression: suppression,
                fingerprint: fingerprint,
                identity: identity,
                coveredCVEs: coveredCVEs)
        }
    }

    // `@unchecked Sendable` above is sound: a Storage is only mutated through a Finding that
    // holds the only reference to it (`mutableStorage`), so a shared Storage is never written.
    private var storage: Storage

    /// The storage, copied first when another finding shares it.
    private var mutableStorage: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var kind: FindingKind {
        get { storage.kind }
        set { mutableStorage.kind = newValue }
        _modify { yield &mutableStorage.kind }
    }
    /// The primary id: a CVE when any alias is one, else GHSA, else the tool's rule id.
    public var ruleID: String {
        get { storage.ruleID }
        set { mutableStorage.ruleID = newValue }
        _modify { yield &mutableStorage.ruleID }
    }
    /// Every other id of the same problem (CVE ⇄ GHSA ⇄ npm advisory ⇄ vendor advisory), sorted.
    public var aliases: [String] {
        get { storage.aliases }
        set { mutableStorage.aliases = newValue }
        _modify { yield &mutableStorage.aliases }
    }
    public var title: String {
        get { storage.title }
        set { mutableStorage.title = newValue }
        _modify { yield &mutableStorage.title }
    }
    public var description: String? {
        get { storage.description }
        set { mutableStorage.description = newValue }
        _modify { yield &mutableStorage.description }
    }
    /// What the tool said of this occurrence, beside its rule's description: a SARIF result's
    /// message (`Import of 'random' is not used.`); nil when the tool says nothing more.
    public var detail: String? {
        get { storage.detail }
        set { mutableStorage.detail = newValue }
        _modify { yield &mutableStorage.detail }
    }
    /// How to fix it, when the tool said.
    public var remediation: String? {
        get { storage.remediation }
        set { mutableStorage.remediation = newValue }
        _modify { yield &mutableStorage.remediation }
    }
    /// The one resolved severity (see ``SeverityResolver``).
    public var severity: Severity {
        get { storage.severity }
        set { mutableStorage.severity = newValue }
        _modify { yield &mutableStorage.severity }
    }
    /// What every source said.
    public var ratings: [SeverityRating] {
        get { storage.ratings }
        set { mutableStorage.ratings = newValue }
        _modify { yield &mutableStorage.ratings }
    }
    public var confidence: Confidence? {
        get { storage.confidence }
        set { mutableStorage.confidence = newValue }
        _modify { yield &mutableStorage.confidence }
    }
    public var package: Package? {
        get { storage.package }
        set { mutableStorage.package = newValue }
        _modify { yield &mutableStorage.package }
    }
    public var locations: [Location] {
        get { storage.locations }
        set { mutableStorage.locations = newValue }
        _modify { yield &mutableStorage.locations }
    }
    /// Web alerts: every instance the scanner listed.
    public var instances: [WebInstance] {
        get { storage.instances }
        set { mutableStorage.instances = newValue }
        _modify { yield &mutableStorage.instances }
    }
    /// `CWE-79` form, sorted by number.
    public var cwes: [String] {
        get { storage.cwes }
        set { mutableStorage.cwes = newValue }
        _modify { yield &mutableStorage.cwes }
    }
    /// URLs, sorted, without duplicates.
    public var references: [String] {
        get { storage.references }
        set { mutableStorage.references = newValue }
        _modify { yield &mutableStorage.references }
    }
    /// Every tool and report that reported it.
    public var provenance: [Provenance] {
        get { storage.provenance }
        set { mutableStorage.provenance = newValue }
        _modify { yield &mutableStorage.provenance }
    }
    /// The CVEs tools reported as the finding's own ids (their raw ids), not aliases read from
    /// references: findings with two different ones are two vulnerabilities, whatever advisory
    /// they share (``FindingSet``, ``ContinuityIndex``).
    public var reportedCVEs: Set<String> { Self.reportedCVEs(rawIDs: provenance.map(\.rawID)) }

    /// The CVEs the finding is: those tools reported as their own ids, else the CVE among its
    /// ids (an npm advisory, a Trivy GHSA, naming their CVE). Findings with two different ones
    /// are two vulnerabilities, and an advisory naming one CVE is not another CVE it shares a
    /// reference with (``FindingSet``).
    public var claimedCVEs: Set<String> {
        Self.claimedCVEs(rawIDs: provenance.map(\.rawID), ids: [ruleID] + aliases, covered: coveredCVEs)
    }

    /// ``claimedCVEs`` of a finding known by its sources' raw ids, its ids and the CVEs it covers
    /// (a findings document read back: `sources[].rawId`, `id` and `aliases`, `coveredCves`).
    public static func claimedCVEs(rawIDs: [String], ids: [String], covered: [String]) -> Set<String> {
        let reported = reportedCVEs(rawIDs: rawIDs)
        guard reported.isEmpty else { return reported }
        // The primary id is the oldest CVE among them (``finalized()``), aliases the rest; an
        // advisory of several CVEs claims them all, so it joins none of them alone.
        return Set((ids + covered).map(Identifiers.normalize).filter(Identifiers.isCVE))
    }

    /// The CVEs among tools' raw ids, normalised (a findings document's `sources[].rawId` too).
    public static func reportedCVEs(rawIDs: [String]) -> Set<String> {
        Set(rawIDs.map(Identifiers.normalize).filter(Identifiers.isCVE))
    }
    /// The tool's status for the finding (Trivy: `fixed`, `affected`, `will_not_fix`…).
    public var status: String? {
        get { storage.status }
        set { mutableStorage.status = newValue }
        _modify { yield &mutableStorage.status }
    }
    /// Set when a tool suppressed the finding.
    public var suppression: Suppression? {
        get { storage.suppression }
        set { mutableStorage.suppression = newValue }
        _modify { yield &mutableStorage.suppression }
    }
    /// Stable identity across runs: never contains line numbers, tags, digests, timestamps or
    /// report file names.
    public var fingerprint: String {
        get { storage.fingerprint }
        set { mutableStorage.fingerprint = newValue }
        _modify { yield &mutableStorage.fingerprint }
    }
    /// What the fingerprint is computed from; findings with equal keys are the same finding.
    public var identity: FindingIdentity {
        get { storage.identity }
        set { mutableStorage.identity = newValue }
        _modify { yield &mutableStorage.identity }
    }
    /// CVEs the finding covers that are none of its ids: an npm advisory naming several covers
    /// them all and is none of them (so they are not aliases). It joins no finding of one CVE
    /// (``claimedCVEs``). Written to the findings JSON as `coveredCves` where there are some, for
    /// a baseline read back to claim them too.
    public var coveredCVEs: [String] {
        get { storage.coveredCVEs }
        set { mutableStorage.coveredCVEs = newValue }
        _modify { yield &mutableStorage.coveredCVEs }
    }

    public init(
        kind: FindingKind, ruleID: String, aliases: [String] = [], title: String, description: String? = nil,
        detail: String? = nil, remediation: String? = nil, ratings: [SeverityRating] = [],
        confidence: Confidence? = nil,
        package: Package? = nil, locations: [Location] = [], instances: [WebInstance] = [], cwes: [String] = [],
        references: [String] = [], provenance: [Provenance] = [], status: String? = nil,
        suppression: Suppression? = nil, identity: FindingIdentity, coveredCVEs: [String] = []
    ) {
        storage = Storage(
            kind: kind,
            ruleID: ruleID,
            aliases: aliases,
            title: title,
            description: description,
            detail: detail,
            remediation: remediation,
            severity: .unknown,
            ratings: ratings,
            confidence: confidence,
            package: package,
            locations: locations,
            instances: instances,
            cwes: cwes,
            references: references,
            provenance: provenance,
            status: status,
            suppression: suppression,
            fingerprint: "",
            identity: identity,
            coveredCVEs: coveredCVEs)
    }

    /// Equal when every field is equal (what the synthesized conformance compared).
    public static func == (lhs: Finding, rhs: Finding) -> Bool {
        if lhs.storage === rhs.storage { return true }
        let l = lhs.storage
        let r = rhs.storage
        return l.kind == r.kind
            && l.ruleID == r.ruleID
            && l.aliases == r.aliases
            && l.title == r.title
            && l.description == r.description
            && l.detail == r.detail
            && l.remediation == r.remediation
            && l.severity == r.severity
            && l.ratings == r.ratings
            && l.confidence == r.confidence
            && l.package == r.package
            && l.locations == r.locations
            && l.instances == r.instances
            && l.cwes == r.cwes
            && l.references == r.references
            && l.provenance == r.provenance
            && l.status == r.status
            && l.suppression == r.suppression
            && l.fingerprint == r.fingerprint
            && l.identity == r.identity
            && l.coveredCVEs == r.coveredCVEs
    }

    public func hash(into hasher: inout Hasher) {
        let s = storage
        hasher.combine(s.kind)
        hasher.combine(s.ruleID)
        hasher.combine(s.aliases)
        hasher.combine(s.title)
        hasher.combine(s.description)
        hasher.combine(s.detail)
        hasher.combine(s.remediation)
        hasher.combine(s.severity)
        hasher.combine(s.ratings)
        hasher.combine(s.confidence)
        hasher.combine(s.package)
        hasher.combine(s.locations)
        hasher.combine(s.instances)
        hasher.combine(s.cwes)
        hasher.combine(s.references)
        hasher.combine(s.provenance)
        hasher.combine(s.status)
        hasher.combine(s.suppression)
        hasher.combine(s.fingerprint)
        hasher.combine(s.identity)
        hasher.combine(s.coveredCVEs)
    }

    /// Whether the finding counts as open (not suppressed by a tool).
    public var isOpen: Bool { suppression == nil }

    /// The tools that reported it, sorted, each once.
    public var tools: [String] { provenance.map(\.tool).sortedUnique() }

    /// The finding with ids normalised, lists sorted and de-duplicated, the severity resolved
    /// and the fingerprint computed. Adapters return finalized findings.
    public consuming func finalized() -> Finding {
        // `consume`: an adapter's fresh finding is finalized in place instead of being copied
        // into new storage (and its old storage freed) once per finding.
        var result = consume self
        let allIDs = Identifiers.normalizedSet([result.ruleID] + result.aliases)
        let primary = Identifiers.preferredPrimary(allIDs, fallback: result.ruleID)
        result.ruleID = primary
        result.aliases = allIDs.filter { $0 != primary }  // still sorted: normalizedSet sorts
        result.cwes = Identifiers.normalizedCWEs(result.cwes)
        if result.references.contains(where: \.isEmpty) { result.references.removeAll(where: \.isEmpty) }
        result.references = result.references.sortedUnique()
        result.provenance = result.provenance.sortedUnique()
        result.locations = result.locations.sortedUnique { $0.precedes($1) }
        result.instances = result.instances.sortedUnique { $0.precedes($1) }
        result.severity = SeverityResolver.resolve(result.ratings)
        result.identity = result.identity.withPrimaryID(primary)
        result.fingerprint = Fingerprint.compute(result.identity)
        return result
    }
}

extension Array where Element: Comparable {
    /// Sorted, each value once. Sorting and skipping repeats is cheaper than hashing into a Set
    /// for the short lists a finding has, and gives the same values.
    @inlinable public func sortedUnique() -> [Element] { sortedUnique(by: <) }
}

extension Array where Element: Equatable {
    /// Sorted by `areInIncreasingOrder`, each value once. Where the order ties two different
    /// values (an order that ignores a field), a repeat is looked for among all of them.
    @inlinable public func sortedUnique(by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        guard count > 1 else { return self }
        // Already sorted, each value once (most short lists): no copy at all. Otherwise one
        // buffer, sorted and then compacted in place: this runs for several lists of every finding.
        if indices.dropFirst().allSatisfy({ areInIncreasingOrder(self[$0 - 1], self[$0]) }) { return self }
        var sorted: [Element]
        if MemoryLayout<Element>.stride > 32 {
            // Large values (a web instance holds six Strings; a large ZAP scan has hundreds of
            // thousands) are sorted by position and gathered once: a sort that moves the values
            // copies them again and again.
            sorted = indices.sorted { areInIncreasingOrder(self[$0], self[$1]) }.map { self[$0] }
        } else {
            sorted = self
            sorted.sort(by: areInIncreasingOrder)
        }
        var uniqueCount = 1
        var tieStart = 0
        for index in 1..<sorted.count {
            let element = sorted[index]
            if areInIncreasingOrder(sorted[uniqueCount - 1], element) {
                tieStart = uniqueCount
            } else if sorted[tieStart..<uniqueCount].contains(element) {
                continue
            }
            sorted.swapAt(uniqueCount, index)
            uniqueCount += 1
        }
        sorted.removeLast(sorted.count - uniqueCount)
        return sorted
    }
}
