import Findings
import Policy
import ScanGateJSON

/// One finding as a diff shows it: enough to name it, whether it comes from this run's
/// findings or from a previous run's document.
public struct DiffEntry: Sendable, Hashable {
    public var fingerprint: String
    public var id: String
    /// The kind's raw value (`vulnerability`, `web-alert`, …).
    public var kind: String
    public var severity: Severity
    public var title: String
    /// The tools that reported it, sorted.
    public var tools: [String]
    /// What it is about: `lodash 4.17.15`, a path, a URL; empty when nothing says.
    public var subject: String
    /// Whether a tool suppressed it.
    public var suppressed: Bool
    /// What recognises it in another run when its fingerprint changed with the tools that
    /// reported it (``FindingTrace``); by default, its fingerprint only.
    public var trace: FindingTrace
    /// For a new entry that the previous run had at a lower severity: that severity.
    public var previousSeverity: Severity?

    public init(
        fingerprint: String, id: String, kind: String, severity: Severity, title: String = "", tools: [String] = [],
        subject: String = "", suppressed: Bool = false, trace: FindingTrace? = nil
    ) {
        self.fingerprint = fingerprint
        self.id = id
        self.kind = kind
        self.severity = severity
        self.title = title
        self.tools = tools
        self.subject = subject
        self.suppressed = suppressed
        self.trace = trace ?? FindingTrace(fingerprintOnly: fingerprint)
        self.trace.severity = self.trace.severity ?? severity
    }

    /// The entry of a finding of this run.
    public init(_ finding: Finding) {
        var subject = ""
        if let package = finding.package {
            subject = package.name + (package.installedVersion.map { " " + $0 } ?? "")
        } else if let location = finding.locations.first {
            subject = location.path ?? location.url ?? location.resource ?? location.target ?? ""
        } else if let instance = finding.instances.first {
            subject = instance.uri
        }
        self.init(
            fingerprint: finding.fingerprint, id: finding.ruleID, kind: finding.kind.rawValue,
            severity: finding.severity, title: finding.title,
            tools: finding.tools, subject: subject,
            suppressed: !finding.isOpen, trace: FindingTrace(finding))
    }

    /// `entries` most severe first, then kind, id and fingerprint (the order of ``FindingSet``),
    /// each id's order key built once.
    static func sortedForDisplay(_ entries: [DiffEntry]) -> [DiffEntry] {
        entries.map { ($0, IDOrder($0.id)) }.sorted { left, right in
            let (lhs, rhs) = (left.0, right.0)
            if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
            let leftKind = FindingKind(rawValue: lhs.kind)
            let rightKind = FindingKind(rawValue: rhs.kind)
            if leftKind != rightKind, let leftKind, let rightKind { return leftKind < rightKind }
            if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
            if left.1 != right.1 { return left.1 < right.1 }
            return lhs.fingerprint < rhs.fingerprint
        }
        .map(\.0)
    }
}

/// What changed between a previous run and this one, by fingerprint, and for dependency
/// vulnerabilities also by package and id (``FindingTrace``: adding or dropping a scanner
/// changes a merged finding's fingerprint, not the vulnerability).
///
/// Only open findings count: a finding open before and suppressed by a tool now is fixed (and
/// says so with ``DiffEntry/suppressed``), one suppressed before and open now is new. A
/// finding more severe now than before is new too (the risk accepted before was a smaller one),
/// with ``DiffEntry/previousSeverity``, and not fixed.
/// Fingerprints never contain line numbers, image tags, digests or report file names, so a
/// finding that moved lines or whose image got a new tag is unchanged.
public struct BaselineDiff: Sendable {
    /// The previous run's file, for messages.
    public let baselineFile: String
    /// Open now, not open before; most severe first.
    public let new: [DiffEntry]
    /// Open before, not open now, and found by a tool that scanned this time; most severe first.
    public let fixed: [DiffEntry]
    /// Open before, not open now, but found only by tools that did not scan this time (no report
    /// of theirs, or only reports that checked nothing), or did not scan its scope (an image, a
    /// site, a Kubernetes resource, the source tree): not known to be fixed, so not ``fixed``;
    /// most severe first.
    public let notScanned: [DiffEntry]
    /// What this run looked at; nil when not known (every entry gone is then fixed).
    public let coverage: RunCoverage?
    /// The tools of ``notScanned`` that did not scan this time, sorted.
    public var unscannedTools: [String] {
        Array(Set(notScanned.flatMap(\.tools)).subtracting(coverage?.tools ?? [])).sorted()
    }
    /// The scopes of ``notScanned`` (the source tree, an image, a site, a Kubernetes resource)
    /// that their tools did not scan this time, though they looked at something else, sorted.
    public var unscannedTargets: [String] {
        let scopes = notScanned.filter { $0.tools.contains(where: { coverage?.tools.contains($0) ?? false }) }
            .compactMap(\.trace.scope)
        return Set(scopes).sorted()
    }
    /// Open before and now; most severe first.
    public let unchanged: [DiffEntry]
    /// The fingerprints of ``new`` (looked up once per finding by every report).
    public let newFingerprints: Set<String>
    /// ``DiffEntry/previousSeverity`` of the new entries that have one, by fingerprint.
    let previousSeverities: [String: Severity]

    /// Compares two lists of entries (suppressed entries are not open), each rated by
    /// `severity` (by default its resolved severity; a policy's judgement for a gated run,
    /// ``Baseline/severity(judgedBy:unknownAs:)``, so that what is new here is what the gate
    /// judged new).
    /// `coverage`: what this run's reports looked at; nil when not known (every entry gone is
    /// then taken as fixed).
    /// `newAgain`: fingerprints of this run's findings the gate judged new although the previous
    /// run has them (a waiver expired since, or the previous run only waived them): new here too.
    public init(
        previous: [DiffEntry], current: [DiffEntry], baselineFile: String = "baseline",
        severity: (FindingTrace) -> Severity? = \.severity, coverage: RunCoverage? = nil,
        newAgain: Set<String> = []
    ) {
        let before = ContinuityIndex(previous.filter { !$0.suppressed }.map(\.trace))
        let after = ContinuityIndex(current.filter { !$0.suppressed }.map(\.trace))
        var currentByFingerprint: [String: DiffEntry] = [:]
        for entry in current { currentByFingerprint[entry.fingerprint] = entry }
        var seen = Set<String>()
        self.baselineFile = baselineFile
        var newEntries: [DiffEntry] = []
        var unchangedEntries: [DiffEntry] = []
        for entry in current where !entry.suppressed && seen.insert(entry.fingerprint).inserted {
            switch before.lookup(entry.trace, judging: severity) {
            case .present:
                if newAgain.contains(entry.fingerprint) {
                    newEntries.append(entry)
                } else {
                    unchangedEntries.append(entry)
                }
            case .absent: newEntries.append(entry)
            case .lessSevere(let was):
                var risen = entry
                risen.previousSeverity = was
                newEntries.append(risen)
            case .elsewhere, .moreOften:
                // Found in a file it was not in before (a new service with the same vulnerable
                // package), or more often in one (a second failing block of a resource).
                newEntries.append(entry)
            }
        }
        new = DiffEntry.sortedForDisplay(newEntries)
        unchanged = DiffEntry.sortedForDisplay(unchangedEntries)
        seen = []
        let gone = previous.filter {
            !$0.suppressed && !after.contains($0.trace) && seen.insert($0.fingerprint).inserted
        }
        .map { entry in
            var fixedEntry = entry
            fixedEntry.suppressed = currentByFingerprint[entry.fingerprint]?.suppressed ?? false
            return fixedEntry
        }
        // A finding is fixed only if a tool that found it looked again at its scope: one whose
        // scanner did not run (or checked nothing) this time, or did not scan its image, site or
        // resource, is not known to be gone.
        self.coverage = coverage
        let looked = { (entry: DiffEntry) in
            coverage.map { $0.looked(tools: entry.tools, scope: entry.trace.scope) } ?? true
        }
        fixed = DiffEntry.sortedForDisplay(gone.filter(looked))
        notScanned = DiffEntry.sortedForDisplay(gone.filter { !looked($0) })
        newFingerprints = Set(new.map(\.fingerprint))
        var previousSeverities: [String: Severity] = [:]
        for entry in new {
            if let was = entry.previousSeverity { previousSeverities[entry.fingerprint] = was }
        }
        self.previousSeverities = previousSeverities
    }

    /// Whether a finding of this run is new (not open in the previous run).
    public func isNew(_ fingerprint: String) -> Bool { newFingerprints.contains(fingerprint) }

    /// For a finding of this run that is new because it is more severe than in the previous
    /// run: the severity it had there (``DiffEntry/previousSeverity``); nil otherwise.
    public func previousSeverity(of fingerprint: String) -> Severity? { previousSeverities[fingerprint] }
}

/// The findings of a previous run, read from `scangate ingest --format json` output
/// (`scangate-findings/1`) or `scangate report --format json` output (`scangate-report/1`,
/// whose `findings` member is such a document).
public struct FindingsSnapshot: Sendable {
    /// The file it was read from.
    public var file: String
    /// Open findings first, then suppressed ones, in file order.
    public var entries: [DiffEntry]
    /// The verdicts of the document's decision, by fingerprint, in a `scangate-report/1` with a
    /// decision. Nil when the document holds no decision (`scangate-findings/1`).
    public var verdicts: [String: Verdict]?
    /// What the run of the document looked at, by the reports it lists: their tools (every run's
    /// of a SARIF file), each at the scopes its reports scanned, but not a tool whose only reports
    /// checked nothing (a Trivy image scan that skipped the OS packages still lists libraries).
    public var coverage = RunCoverage(tools: [], scopesByTool: nil)
    /// The environment the document's decision was made in (a report's `decision.policy.environment`).
    public var decidedIn: String?

    public init(file: String, entries: [DiffEntry], verdicts: [String: Verdict]? = nil) {
        self.file = file
        self.entries = entries
        self.verdicts = verdicts
    }

    /// The fingerprints of the open findings (what the gate's baseline needs).
    public var openFingerprints: Set<String> { Set(entries.filter { !$0.suppressed }.map(\.fingerprint)) }

    /// Reads a document; errors name the file and line.
    public static func read(bytes: [UInt8], file: String) throws(FindingsJSONReader.ReadError) -> FindingsSnapshot {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes)
        } catch {
            throw FindingsJSONReader.ReadError(file: file, line: error.line, message: "not JSON: \(error.message)")
        }
        do {
            let (entries, ownVerdicts) = try entries(document.root, file: file)
            // A report's decision, else the verdicts its findings carry (a findings document
            // `scangate ci` wrote after its gate): all of them or none.
            var decision = try decided(document.root, file: file)
            if decision == nil, let first = ownVerdicts.first {
                decision = (
                    Dictionary(ownVerdicts.map { ($0.fingerprint, $0.verdict) }) { first, _ in first }, first.line,
                    try findingsDocument(document.root).string("environment")
                )
            }
            if let decision, let missing = entries.first(where: { decision.verdicts[$0.fingerprint] == nil }) {
                // The gate lists every finding: one it does not is an edited or cut decision, and
                // reading it would let a finding the previous run only waived pass as accepted.
                throw FindingsJSONReader.ReadError(
                    file: file, line: decision.line,
                    message: "the decision lists no verdict for the finding \(missing.fingerprint) (\(missing.id)): "
                        + "is the file edited?")
            }
            var snapshot = FindingsSnapshot(file: file, entries: entries, verdicts: decision?.verdicts)
            snapshot.decidedIn = decision?.environment
            snapshot.coverage = try coverage(document.root, entries: snapshot.entries)
            return snapshot
        } catch let error as FindingsJSONReader.ReadError {
            throw error
        } catch let error as JSONAccessError {
            throw FindingsJSONReader.ReadError(
                file: file, line: error.line, message: "\(error.message) (at \(error.path))")
        } catch {
            throw FindingsJSONReader.ReadError(file: file, line: 1, message: "\(error)")
        }
    }

    /// The findings document: the root, or the one a `scangate-report/1` document embeds.
    private static func findingsDocument(_ root: JSONValue) throws -> JSONValue {
        let object = try root.requireObject()
        guard try object.string("schema") == ReportJSON.schema else { return object }
        guard let inner = try object.object("findings") else {
            throw object.error("a \(ReportJSON.schema) document without its \"findings\" document")
        }
        return inner
    }

    /// The document's findings, and the gate's verdicts those that have one carry (with the
    /// line of each).
    private static func entries(_ root: JSONValue, file: String) throws -> (
        [DiffEntry], [(fingerprint: String, verdict: Verdict, line: Int)]
    ) {
        let object = try findingsDocument(root)
        let schema = try object.string("schema")
        guard schema == FindingsJSON.schema else {
            throw FindingsJSONReader.ReadError(
                file: file, line: object["schema"]?.line ?? object.line,
                message: "not a findings document of schema \(FindingsJSON.schema) or \(ReportJSON.schema) (found "
                    + (schema.map { "\"\($0)\"" } ?? "no schema")
                    + "): give the output of scangate ingest --format json or scangate report --format json")
        }
        var result: [DiffEntry] = []
        var verdicts: [(fingerprint: String, verdict: Verdict, line: Int)] = []
        for (key, suppressed) in [("findings", false), ("suppressed", true)] {
            guard let findings = try object.array(key) else {
                throw FindingsJSONReader.ReadError(
                    file: file, line: object.line, message: "the document has no \"\(key)\" list")
            }
            for finding in findings {
                let entry = try entry(finding, suppressed: suppressed, file: file)
                result.append(entry)
                if let verdictText = try finding.string("verdict") {
                    guard let verdict = Verdict(rawValue: verdictText) else {
                        throw unknownValue("verdict", verdictText, at: finding["verdict"] ?? finding, file: file)
                    }
                    verdicts.append((entry.fingerprint, verdict, finding.line))
                }
            }
        }
        return (result, verdicts)
    }

    /// What the reports a findings document (or the one a report document embeds) lists looked
    /// at (``coverage``).
    private static func coverage(_ root: JSONValue, entries: [DiffEntry]) throws -> RunCoverage {
        let object = try findingsDocument(root)
        var scanned: Set<String> = []
        var empty: Set<String> = []
        // Nil until a report lists its targets (documents before `targets` do not).
        var scopesByTool: [String: Set<String>]?
        for report in try object.array("reports") ?? [] {
            // `tools` lists every run of a SARIF file; documents before it have `tool` only.
            var tools = Set(try report.strings("tools"))
            if let tool = try report.string("tool") { tools.insert(tool) }
            if try report.string("checkedNothing") == nil {
                scanned.formUnion(tools)
            } else {
                empty.formUnion(tools)
            }
            if report.has("targets") {
                let targets = Set(try report.strings("targets").map(canonicalScope))
                var known = scopesByTool ?? [:]
                for tool in tools { known[tool, default: []].formUnion(targets) }
                scopesByTool = known
            }
        }
        // The tools the findings name count too (a document from before `tools` names a SARIF
        // file's first run only), but not one whose only reports checked nothing.
        scanned.formUnion(Set(entries.flatMap(\.tools)).subtracting(empty.subtracting(scanned)))
        return RunCoverage(tools: scanned, scopesByTool: scopesByTool)
    }

    /// A scope as ScanGate now spells it: `image:alpine`, written before image names were made
    /// one spelling, is `image:docker.io/library/alpine`.
    static func canonicalScope(_ scope: String) -> String {
        guard scope.hasPrefix(FindingIdentity.imageScopePrefix) else { return scope }
        let repository = String(scope.dropFirst(FindingIdentity.imageScopePrefix.count))
        return FindingIdentity.imageScope(ImageReference(repository: repository))
    }

    /// The verdicts the decision of a `scangate-report/1` document gives, by fingerprint, and
    /// the environment it was made in (nil when it does not say); nil when the document holds no
    /// decision (a findings document, or a report written without a policy: `"decision": null`).
    /// The key is always written: a report without it, a decision of another schema, or a
    /// verdict ScanGate does not write is refused.
    private static func decided(_ root: JSONValue, file: String) throws -> (
        verdicts: [String: Verdict], line: Int, environment: String?
    )? {
        let object = try root.requireObject()
        guard try object.string("schema") == ReportJSON.schema else { return nil }
        guard let value = object["decision"] else {
            throw object.error("a \(ReportJSON.schema) document without \"decision\" (null or the gate's decision)")
        }
        if value.isNull { return nil }
        let decision = try value.requireObject()
        let schema = try decision.string("schema")
        guard schema == DecisionJSON.schema else {
            throw FindingsJSONReader.ReadError(
                file: file, line: decision["schema"]?.line ?? decision.line,
                message: "the decision is not of schema \(DecisionJSON.schema) (found "
                    + (schema.map { "\"\($0.printableLine)\"" } ?? "no schema") + ")")
        }
        guard let findings = try decision.array("findings") else {
            throw FindingsJSONReader.ReadError(
                file: file, line: decision.line, message: "the decision has no \"findings\" list")
        }
        var verdicts: [String: Verdict] = [:]
        for finding in findings {
            let verdictText = try finding.requiredString("verdict")
            guard let verdict = Verdict(rawValue: verdictText) else {
                throw unknownValue("verdict", verdictText, at: finding["verdict"] ?? finding, file: file)
            }
            let fingerprint = try finding.requiredString("fingerprint")
            verdicts[fingerprint] = verdict
        }
        return (verdicts, decision.line, try decision.object("policy")?.string("environment"))
    }

    /// A value of a field ScanGate writes from a fixed set (a kind, a severity) that is not one.
    private static func unknownValue(
        _ what: String, _ value: String, at place: JSONValue, file: String
    ) -> FindingsJSONReader.ReadError {
        FindingsJSONReader.ReadError(
            file: file, line: place.line,
            message: "unknown \(what) \"\(value.printableLine)\" at \(place.path): is the file edited, or from a "
                + "newer ScanGate?")
    }

    private static func entry(_ finding: JSONValue, suppressed: Bool, file: String) throws -> DiffEntry {
        let severityText = try finding.requiredString("severity")
        guard let severity = Severity(rawValue: severityText) else {
            throw FindingsJSONReader.ReadError(
                file: file, line: finding.line, message: "unknown severity \"\(severityText)\" at \(finding.path)")
        }
        var tools: [String] = []
        var rawIDs: [String] = []
        for source in try finding.array("sources") ?? [] {
            if let tool = try source.string("tool") { tools.append(tool) }
            if let rawID = try source.string("rawId") { rawIDs.append(rawID) }
        }
        var subject = ""
        var ecosystem: String?
        var packageName: String?
        var installedVersion: String?
        if let package = try finding.object("package") {
            let name = try package.string("name") ?? ""
            ecosystem = try package.string("ecosystem")
            packageName = name
            installedVersion = try package.string("installedVersion")
            subject = name + (installedVersion.map { " " + $0 } ?? "")
        } else if let location = try finding.array("locations")?.first {
            subject =
                try location.string("path") ?? location.string("url") ?? location.string("resource")
                ?? location.string("target") ?? ""
        }
        // A fingerprint ScanGate did not write (an edited or foreign file) would match nothing:
        // every finding would count as new, and a baseline meant to hold old ones back would not.
        let fingerprint = try finding.requiredString("fingerprint")
        guard Fingerprint.isWellFormed(fingerprint) else {
            throw FindingsJSONReader.ReadError(
                file: file, line: finding["fingerprint"]?.line ?? finding.line,
                message: "the fingerprint at \(finding.path).fingerprint is not 64 lower-case hex digits, as "
                    + "ScanGate writes them: is the file edited, or not from scangate ingest --format json?")
        }
        let id = try finding.requiredString("id")
        let kind = try finding.requiredString("kind")
        guard FindingKind(rawValue: kind) != nil else {
            throw unknownValue("kind", kind, at: finding["kind"] ?? finding, file: file)
        }
        let aliases = try finding.strings("aliases")
        // As merging reads them: an advisory of several CVEs claims them all.
        let claimedCVEs = Finding.claimedCVEs(
            rawIDs: rawIDs, ids: [id] + aliases, covered: try finding.strings("coveredCves"))
        // `scope` is recorded since findings could be recognised across tool changes; a document
        // without it is matched by fingerprint only.
        // Ratings and places, when the document has them (every findings JSON ScanGate writes):
        // a later run judges both runs by a policy's severity sources, and sees new places.
        var ratings: [SeverityRating]?
        if let list = try finding.array("ratings") {
            ratings = try list.map { rating in
                // A value ScanGate does not write is refused, not dropped: the rating would be read
                // as another (a policy's severity sources judge both runs by these).
                let cvss = try (rating.array("cvss") ?? []).map { score in
                    let text = try score.requiredString("version")
                    guard let version = CVSSVersion(rawValue: text) else {
                        throw unknownValue("CVSS version", text, at: score["version"] ?? score, file: file)
                    }
                    return CVSSScore(
                        version: version, vector: try score.string("vector"), score: try score.double("score"))
                }
                var severity: Severity?
                if let text = try rating.string("severity") {
                    guard let known = Severity(rawValue: text) else {
                        throw unknownValue("severity", text, at: rating["severity"] ?? rating, file: file)
                    }
                    severity = known
                }
                return SeverityRating(
                    source: try rating.string("source") ?? "", severity: severity, label: try rating.string("label"),
                    cvss: cvss, isToolVerdict: try rating.bool("toolVerdict") ?? false)
            }
        }
        let located = try finding.array("locations").map { locations in
            try locations.compactMap { location in
                try location.string("path").map { path in
                    (path: path, lines: [try location.int("startLine"), try location.int("endLine")])
                }
            }
        }
        let places = located.map { FindingTrace.places(ofPaths: $0.map(\.path)) }
        // An image scope as ScanGate now spells it: a baseline from before images were named in
        // one spelling still knows the image's vulnerabilities by package and id.
        let scope = try finding.string("scope").map(canonicalScope)
        let trace = FindingTrace(
            fingerprint: fingerprint, kind: kind, scope: scope, ecosystem: ecosystem,
            packageName: packageName, installedVersion: installedVersion, ids: [id] + aliases, severity: severity,
            ratings: ratings, places: places, reportedCVEs: claimedCVEs,
            occurrences: located.flatMap { FindingTrace.occurrences(kind: kind, places: $0) })
        return DiffEntry(
            fingerprint: fingerprint, id: id, kind: kind, severity: severity, title: try finding.string("title") ?? "",
            tools: Array(Set(tools)).sorted(), subject: subject, suppressed: suppressed, trace: trace)
    }
}
