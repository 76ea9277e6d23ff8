import Findings
import Foundation
import ScanGateJSON

/// Reads `npm audit --json` output into findings.
///
/// Three shapes are understood:
/// - npm 6: `{advisories: {id → advisory}}`, one finding per advisory × installed version;
/// - npm 7+: `{auditReportVersion: 2, vulnerabilities: {package → entry}}`, one finding per entry ×
///   advisory object in its `via` (strings in `via` name a vulnerable dependency, whose own entry
///   carries the advisory); the 2020 pre-GA objects (`id`, `vulnerable_versions`) are read too;
/// - `npm audit fix --dry-run --json`: the npm 7+ report under `audit`.
///
/// The error envelope npm prints when the audit could not run (`{error: {code, summary}}`, or
/// npm 10's `{message}`) is a ``ReportError``, never a clean report.
public enum NpmAuditAdapter {
    /// The tool name in ratings and provenance.
    static let toolName = "npm-audit"

    /// Parses an npm audit report; `root` is the document's top-level value.
    public static func parse(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        let failure = try reading(source.name) { () throws(JSONAccessError) -> AuditFailure? in
            try AuditFailure(root)
        }
        if let failure {
            throw ReportError(
                file: source.name, line: failure.line, jsonPath: failure.path,
                message: "npm audit did not run: " + failure.message)
        }
        return try reading(source.name) { () throws(JSONAccessError) -> ParsedReport in
            var reader = NpmAuditReader(file: source.name)
            let variant: String
            guard root.kind == .object else {
                throw root.error("expected an npm audit report (an object), found \(root.kind)")
            }
            if root.has("advisories") && (root.has("auditReportVersion") || root.has("vulnerabilities")) {
                // No npm writes both: reading one part would silently drop the other.
                throw root.error(
                    "the report has both npm 6 \"advisories\" and npm 7+ \"vulnerabilities\"; no npm writes both")
            }
            if root.has("auditReportVersion") || root.has("vulnerabilities") {
                variant = "npm-7+"
                try reader.readNpm7(root)
            } else if let audit = try root.object("audit"),
                audit.has("auditReportVersion") || audit.has("vulnerabilities")
            {
                variant = "npm-7+ (audit fix --dry-run)"
                try reader.readNpm7(audit)
            } else if root.has("advisories") {
                variant = "npm-6"
                try reader.readNpm6(root)
            } else {
                throw root.error(
                    "not an npm audit report: expected \"advisories\" (npm 6) or \"auditReportVersion\" and "
                        + "\"vulnerabilities\" (npm 7+)")
            }
            var report = ParsedReport(
                source: source.name, format: .npmAudit, variant: variant, tool: toolName, toolVersion: nil,
                findings: reader.findings, warnings: reader.warnings.all, checkedNothing: reader.checkedNothing)
            // An audit of the project's dependencies, vulnerable or not.
            report.scopesRead = [FindingIdentity.sourceScope]
            return report
        }
    }
}

/// What npm printed instead of a report when the audit could not run.
private struct AuditFailure {
    var message: String
    var path: String
    var line: Int

    /// nil when `root` is not an error envelope.
    init?(_ root: JSONValue) throws(JSONAccessError) {
        guard root.kind == .object else { return nil }
        if let error = root["error"], !error.isNull {
            path = error.path
            line = error.line
            switch error.kind {
            case .object:
                let code = try error.identifier("code")
                let summary = try error.string("summary")?.trimmed
                let detail = try error.string("detail")?.trimmed
                var text = [code, summary].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ": ")
                if text.isEmpty { text = try error.string("message")?.trimmed ?? "unknown error" }
                if let detail, !detail.isEmpty { text += " (\(detail))" }
                message = text
            case .string:
                message = error.stringValue ?? ""
            default:
                throw error.error("expected an npm error object {code, summary, detail}, found \(error.kind)")
            }
            return
        }
        // npm 10 prints `{"message": "request to … failed, reason: …"}` when the registry fails.
        let reportKeys = ["advisories", "auditReportVersion", "vulnerabilities", "audit"]
        guard !reportKeys.contains(where: root.has), let message = try root.string("message") else { return nil }
        self.message = message
        path = "$.message"
        line = root["message"]?.line ?? root.line
    }
}

/// How npm 7+ says a package can be fixed.
private struct FixAdvice {
    var isAvailable: Bool?
    var remediation: String?
}

/// Collects the findings and warnings of one report.
private struct NpmAuditReader {
    let file: String
    var findings: [Finding] = []
    var warnings = ReportWarnings()
    /// Why the audit checked nothing (``ParsedReport/checkedNothing``).
    var checkedNothing: String?

    init(file: String) {
        self.file = file
    }

    /// The severity words npm writes.
    static let severityWords: Set<String> = ["info", "low", "moderate", "high", "critical"]

    // MARK: npm 6

    /// npm 6: one finding per advisory × installed version; paths of the same version merge.
    mutating func readNpm6(_ report: JSONValue) throws(JSONAccessError) {
        guard let advisories = try report.object("advisories") else {
            throw report.error("\"advisories\" is null: expected an object of advisories")
        }
        if advisories.count == 0 { try Self.requireMetadata(in: report, listing: "\"advisories\"") }
        // npm counts what it found by severity; counts with no advisory at all mean the
        // advisories were lost (a cut or edited report): reading none would pass the build.
        if advisories.count == 0, let counts = try report.object("metadata")?.object("vulnerabilities") {
            var total = 0
            for (_, value) in counts.members { total += value.intValue ?? 0 }
            if total > 0 {
                throw advisories.error(
                    "metadata.vulnerabilities counts \(total) but \"advisories\" is empty: the report is incomplete "
                        + "or was edited")
            }
        }
        try Self.checkSeveritiesCounted(in: report, against: advisories, npm6: true)
        if try report.object("metadata")?.int("totalDependencies") == 0 { warnAuditedNothing() }
        for (key, advisory) in advisories.members {
            _ = try advisory.requireObject()
            let id = try advisory.identifier("id") ?? key
            let packageName = try advisory.requiredString("module_name")
            let rating = try Self.rating(of: advisory)
            let url = try advisory.string("url")
            let references = try Self.referenceURLs(advisory)
            let ghsa = try advisory.string("github_advisory_id") ?? url.flatMap(Self.ghsa(inReference:))

            // An advisory naming one CVE is that CVE. One naming several covers several
            // vulnerabilities and is none of them: as aliases, a waiver or VEX statement for one
            // of them (or a finding of it merged with this one) would hide the others. They are
            // named in the finding's detail.
            let cves = try advisory.strings("cves")
            var aliases = cves.count == 1 ? cves : []
            aliases.append(Identifiers.npmAdvisory(id))
            if let npmID = try advisory.identifier("npm_advisory_id") {
                aliases.append(Identifiers.npmAdvisory(npmID))
            }
            if let ghsa { aliases.append(ghsa) }
            // The advisory's own URL names it; its references may name other advisories.
            if let url { aliases.append(contentsOf: Identifiers.ids(inReference: url)) }
            // The CVEs count as given even when there are several: a reference to one of them
            // (NVD's page of the first) must not make the advisory that CVE after all.
            aliases += Identifiers.aliases(inReferences: references, besides: aliases + cves)

            let patched = try advisory.string("patched_versions")?.trimmed
            // npm wrote `<0.0.0` for "no patched version exists".
            let meaningfulPatch = patched.flatMap { $0.isEmpty || $0 == "<0.0.0" ? nil : $0 }
            let fixAvailable: Bool? = patched == nil ? nil : meaningfulPatch != nil

            let title = try advisory.string("title") ?? "npm advisory \(id)"
            let overview = try advisory.string("overview")
            let recommendation = try advisory.string("recommendation")
            let cwes = try cwes(of: advisory)
            var template = Finding(
                kind: .vulnerability, ruleID: ghsa ?? Identifiers.npmAdvisory(id), aliases: aliases, title: title,
                description: overview, remediation: recommendation,
                ratings: Self.ratings(rating, of: advisory, ghsa: ghsa), cwes: cwes,
                references: [url].compactMap { $0 } + references,
                provenance: [Provenance(tool: NpmAuditAdapter.toolName, reportFile: file, rawID: id)],
                identity: Self.identity(packageName: packageName, installedVersion: nil))
            if cves.count > 1 {
                template.detail = "The advisory covers \(cves.count) CVEs: \(cves.joined(separator: ", "))."
                template.coveredCVEs = cves
            }

            for (version, paths) in try Self.installedVersions(of: advisory) {
                var finding = template
                finding.package = Package(
                    ecosystem: "npm", name: packageName, installedVersion: version,
                    fixedVersions: meaningfulPatch.map { [$0] } ?? [], fixAvailable: fixAvailable, paths: paths)
                finding.identity = Self.identity(packageName: packageName, installedVersion: version)
                findings.append(finding.finalized())
            }
        }
    }

    /// The installed versions an npm 6 advisory lists, in order, each with its paths. An advisory
    /// without `findings` still yields one entry (version unknown): it must not disappear.
    static func installedVersions(of advisory: JSONValue) throws(JSONAccessError) -> [(String?, [String])] {
        var order: [String?] = []
        var pathsByVersion: [String?: [String]] = [:]
        // The paths each version has, to keep each once in linear time (an advisory can list
        // hundreds of thousands).
        var seen: [String?: Set<String>] = [:]
        for occurrence in try advisory.array("findings") ?? [] {
            _ = try occurrence.requireObject()
            let version = try occurrence.identifier("version")
            let paths = try occurrence.strings("paths")
            if pathsByVersion[version] == nil {
                order.append(version)
                pathsByVersion[version] = []
            }
            for path in paths where seen[version, default: []].insert(path).inserted {
                pathsByVersion[version]?.append(path)
            }
        }
        if order.isEmpty { return [(nil, [])] }
        return order.map { ($0, pathsByVersion[$0] ?? []) }
    }

    // MARK: npm 7+

    /// npm 7+: one finding per vulnerabilities entry × advisory object in its `via`.
    mutating func readNpm7(_ report: JSONValue) throws(JSONAccessError) {
        // npm 7 to 11 write version 2; another is a layout ScanGate does not know, and read as 2
        // its findings could be under keys it never looks at.
        if let version = try report.int("auditReportVersion"), version != 2 {
            throw (report["auditReportVersion"] ?? report).error(
                "unsupported auditReportVersion \(version): ScanGate reads version 2 (npm 7 and later)")
        }
        guard let vulnerabilities = try report.object("vulnerabilities") else {
            throw report.error("missing \"vulnerabilities\": expected an object of vulnerable packages")
        }
        let members = vulnerabilities.members
        if members.isEmpty { try Self.requireMetadata(in: report, listing: "\"vulnerabilities\"") }
        // npm counts the entries it wrote; fewer entries than that count means some were lost
        // (a cut or edited report), and reading the rest as the whole audit could pass a build
        // that npm would fail.
        if let total = try report.object("metadata")?.object("vulnerabilities")?.int("total"),
            total != members.count
        {
            throw vulnerabilities.error(
                "metadata.vulnerabilities.total is \(total) but \"vulnerabilities\" lists \(members.count) "
                    + "package\(members.count == 1 ? "" : "s"): the report is incomplete or was edited")
        }
        try Self.checkSeveritiesCounted(in: report, against: vulnerabilities, npm6: false)
        if try report.object("metadata")?.object("dependencies")?.int("total") == 0 { warnAuditedNothing() }
        // Looked up once per via string: a set, not a linear scan of the object for each one
        // (a monorepo's report has thousands of entries).
        let entryNames = Set(members.map(\.key))
        for (key, entry) in members {
            _ = try entry.requireObject()
            let packageName = try entry.string("name") ?? key
            guard let via = try entry.array("via") else {
                throw entry.error("missing \"via\": expected the advisories and dependencies that make it vulnerable")
            }
            // npm lists at least one reason for every vulnerable package; an entry without one
            // would otherwise vanish without a finding or a word.
            guard !via.isEmpty else {
                throw entry.error(
                    "\"via\" is empty: npm names at least one advisory or vulnerable dependency for every package")
            }
            let nodes = try entry.strings("nodes")
            let entryRange = try entry.string("range")
            let fix = try Self.fixAdvice(entry)
            for element in via {
                switch element.kind {
                case .string:
                    // Inherited from a dependency: that dependency's own entry carries the advisory.
                    let dependency = element.stringValue ?? ""
                    if !entryNames.contains(dependency) {
                        warnings.add(
                            "\(element.location): \"\(key)\" is vulnerable through \"\(dependency)\", "
                                + "which has no entry in the report")
                    }
                case .object:
                    let finding = try finding(
                        via: element, entry: entry, packageName: packageName, nodes: nodes,
                        entryRange: entryRange, fix: fix)
                    findings.append(finding)
                default:
                    throw element.error(
                        "expected a dependency name (string) or an advisory (object), found \(element.kind)")
                }
            }
        }
        try Self.checkEveryEntryReachesAnAdvisory(vulnerabilities)
    }

    /// An audit of no installed package finds nothing: it was run in the wrong directory or
    /// before `npm install`, not on the project. Said, since it passes every gate.
    mutating func warnAuditedNothing() {
        checkedNothing = "npm audited 0 dependencies"
        warnings.add(
            "npm audited 0 dependencies: was it run in the project's directory, with its lock file, after "
                + "npm install? No finding here means nothing was checked")
    }

    /// npm (6 and 7+, and pnpm) writes `metadata`, the counts of what it audited, in every
    /// report. One that lists nothing and has no counts is no evidence that an audit ran (a
    /// hand-written `{"vulnerabilities": {}}`, or a tool's output of another shape read with
    /// `--as npm-audit`): refused, rather than read as a clean audit.
    static func requireMetadata(in report: JSONValue, listing part: String) throws(JSONAccessError) {
        guard let metadata = try report.object("metadata") else {
            throw report.error(
                "\(part) lists nothing and there is no \"metadata\": npm writes the counts of what it audited "
                    + "in every report, so this is no evidence that an audit ran")
        }
        guard try metadata.object("vulnerabilities") != nil else {
            throw metadata.error(
                "\(part) lists nothing and \"metadata\" has no \"vulnerabilities\" counts: npm writes them in "
                    + "every report, so this is no evidence that an audit ran")
        }
    }

    /// npm counts what it found per severity in `metadata.vulnerabilities`. When the entries
    /// do not bear the counts out (a count of critical with no critical entry left), some were
    /// lost or edited, and reading the rest as the whole audit could pass a build npm fails.
    /// npm 7+ counts one per `vulnerabilities` entry, by the entry's `severity`: the counts must
    /// match exactly. npm 6 counts vulnerable paths, not advisories: a severity it counts must
    /// have at least one advisory.
    static func checkSeveritiesCounted(in report: JSONValue, against entries: JSONValue, npm6: Bool)
        throws(JSONAccessError)
    {
        guard let counts = try report.object("metadata")?.object("vulnerabilities") else { return }
        // npm writes these keys only; a count under another spelling (`Critical`) would be
        // checked against nothing.
        for (key, value) in counts.members
        where !["critical", "high", "moderate", "low", "info", "total"].contains(key) {
            throw value.error(
                "\"\(key)\" is not one of npm's counts (critical, high, moderate, low, info, total): "
                    + "the report was edited or is not npm's")
        }
        var listed: [String: Int] = [:]
        for (_, entry) in entries.members {
            guard let severity = try entry.string("severity") else { continue }
            // A word npm does not write is that entry's error, said where it is, not a count
            // that fails to add up.
            guard severityWords.contains(severity.lowercased()) else {
                throw unknownSeverity(entry["severity"] ?? entry)
            }
            listed[severity.lowercased(), default: 0] += 1
        }
        for word in ["critical", "high", "moderate", "low", "info"] {
            guard let counted = try counts.int(word), counted > 0 || !npm6 else { continue }
            let found = listed[word] ?? 0
            let consistent = npm6 ? found > 0 : found == counted
            guard !consistent else { continue }
            let what = npm6 ? "advisories" : "vulnerabilities"
            throw entries.error(
                "metadata.vulnerabilities counts \(counted) \(word) but \"\(what)\" lists \(found) \(word) "
                    + "\(npm6 ? "advisor\(found == 1 ? "y" : "ies")" : "package\(found == 1 ? "" : "s")"): "
                    + "the report is incomplete or was edited")
        }
    }

    /// Every npm 7+ entry is vulnerable through an advisory, its own (an object in `via`) or a
    /// dependency's (a name in `via`, whose entry has one, or leads to one). Entries that only
    /// name each other carry no advisory at all: reading them would report nothing for packages
    /// npm called vulnerable. And npm rates an entry as the most severe advisory it is
    /// vulnerable through: an entry rated above every advisory it reaches (`critical` through a
    /// `low` one) contradicts its report, and its findings (each advisory's, at the advisory's
    /// severity) would pass what npm's `--audit-level` fails. Both are refused.
    static func checkEveryEntryReachesAnAdvisory(_ vulnerabilities: JSONValue) throws(JSONAccessError) {
        let graph = try NpmViaGraph(vulnerabilities)
        for (key, entry) in vulnerabilities.members where !graph.reached.contains(key) {
            guard let names = graph.onlyNames[key] else { continue }
            throw entry.error(
                "\"\(key)\" is vulnerable only through \(names.map { "\"\($0)\"" }.joined(separator: ", ")), "
                    + "and no advisory is reached from there: the report is incomplete or was edited")
        }
        for (key, entry) in vulnerabilities.members {
            guard let text = try entry.string("severity"), let severity = Severity(label: text),
                let reached = graph.mostSevere[key], severity > reached
            else { continue }
            // In npm's words (`moderate`, not `medium`).
            let reachedWord = reached == .medium ? "moderate" : reached.rawValue
            throw (entry["severity"] ?? entry).error(
                "\"\(key)\" is rated \(text), but the advisories it is vulnerable through are at most "
                    + "\(reachedWord): the report contradicts itself (incomplete or edited)")
        }
    }

    /// The finding of one advisory object in an npm 7+ `via` list.
    mutating func finding(
        via advisory: JSONValue, entry: JSONValue, packageName: String, nodes: [String], entryRange: String?,
        fix: FixAdvice
    ) throws(JSONAccessError) -> Finding {
        // `source` since npm 7 GA, `id` in the 2020 pre-release.
        var id = try advisory.identifier("source")
        if id == nil { id = try advisory.identifier("id") }
        let url = try advisory.string("url")
        let ghsa = url.flatMap(Self.ghsa(inReference:))
        guard let rawID = id ?? ghsa else {
            throw advisory.error("an advisory without an id: expected \"source\", \"id\" or a GitHub advisory \"url\"")
        }
        let rating = try Self.rating(of: advisory, fallback: entry)
        var range = try advisory.string("range")
        if range == nil { range = try advisory.string("vulnerable_versions") ?? entryRange }

        var aliases: [String] = []
        if let id { aliases.append(Identifiers.npmAdvisory(id)) }
        if let ghsa { aliases.append(ghsa) }
        if let url { aliases.append(contentsOf: Identifiers.ids(inReference: url)) }

        let title = try advisory.string("title") ?? "npm advisory \(rawID)"
        let cwes = try cwes(of: advisory)
        let finding = Finding(
            kind: .vulnerability, ruleID: ghsa ?? Identifiers.npmAdvisory(rawID), aliases: aliases, title: title,
            description: range.flatMap { $0.isEmpty ? nil : "Vulnerable versions: \($0)" },
            remediation: fix.remediation, ratings: Self.ratings(rating, of: advisory, ghsa: ghsa),
            package: Package(ecosystem: "npm", name: packageName, fixAvailable: fix.isAvailable, paths: nodes),
            cwes: cwes, references: [url].compactMap { $0 },
            provenance: [Provenance(tool: NpmAuditAdapter.toolName, reportFile: file, rawID: rawID)],
            identity: Self.identity(packageName: packageName, installedVersion: nil))
        return finding.finalized()
    }

    /// `fixAvailable`: `true` (plain `npm audit fix`), `false`, or `{name, version, isSemVerMajor}`
    /// (`--force` needed; `name` is the top-level package to change, often not the vulnerable one).
    static func fixAdvice(_ entry: JSONValue) throws(JSONAccessError) -> FixAdvice {
        guard let value = entry["fixAvailable"], !value.isNull else { return FixAdvice() }
        switch value.kind {
        case .bool:
            let available = value.boolValue == true
            return FixAdvice(isAvailable: available, remediation: available ? "npm audit fix" : nil)
        case .object:
            var text = "npm audit fix --force"
            if let name = try value.string("name") {
                text += ": install \(name)"
                if let version = try value.identifier("version") { text += "@\(version)" }
            }
            if try value.bool("isSemVerMajor") == true { text += " (semver major)" }
            return FixAdvice(isAvailable: true, remediation: text)
        default:
            throw value.error("expected true, false or an object {name, version, isSemVerMajor}, found \(value.kind)")
        }
    }

    // MARK: Shared

    static func identity(packageName: String, installedVersion: String?) -> FindingIdentity {
        FindingIdentity(
            kind: .vulnerability, scope: FindingIdentity.sourceScope,
            subject: ["npm", packageName, installedVersion ?? ""])
    }

    /// `value`, where a severity should be, is none of npm's words.
    static func unknownSeverity(_ value: JSONValue) -> JSONAccessError {
        value.error(
            "unknown npm severity \(value.scalarText.map { "\"\($0)\"" } ?? "\(value.kind)"): "
                + "expected info, low, moderate, high or critical")
    }

    /// npm's verdict on `advisory`, with its CVSS score. An npm 7+ advisory object without a
    /// `severity` falls back to its entry's (`fallback`).
    static func rating(of advisory: JSONValue, fallback: JSONValue? = nil) throws(JSONAccessError) -> SeverityRating {
        var owner = advisory
        if advisory["severity"]?.isNull ?? true, let fallback { owner = fallback }
        guard let value = owner["severity"], !value.isNull else { throw advisory.error("missing \"severity\"") }
        guard let label = try owner.string("severity"), severityWords.contains(label.lowercased()),
            let severity = Severity(label: label)
        else { throw unknownSeverity(value) }
        return SeverityRating(
            source: NpmAuditAdapter.toolName, severity: severity, label: label, cvss: try cvss(of: advisory),
            isToolVerdict: true)
    }

    /// npm's verdict and, for a GitHub advisory that states its own severity, the same severity
    /// as GitHub's rating (`ghsa`): npm audit reads the GitHub Advisory Database, and a policy's
    /// `severity-sources: [ghsa, nvd, …]` must take it as it takes the `ghsa` rating Trivy cites,
    /// not let another report's NVD rating decide first.
    static func ratings(_ verdict: SeverityRating, of advisory: JSONValue, ghsa: String?) -> [SeverityRating] {
        guard ghsa != nil, let severity = verdict.severity, !(advisory["severity"]?.isNull ?? true) else {
            return [verdict]
        }
        return [verdict, SeverityRating(source: "ghsa", severity: severity, label: verdict.label)]
    }

    /// `cvss {score, vectorString}`; `score: 0` without a vector means npm did not know it.
    static func cvss(of advisory: JSONValue) throws(JSONAccessError) -> [CVSSScore] {
        guard let cvss = try advisory.object("cvss") else { return [] }
        let score = try cvssScore(cvss.double("score"), at: cvss["score"] ?? cvss)
        let vector = try cvss.string("vectorString")?.trimmed.nonEmpty
        guard score != nil || vector != nil else { return [] }
        return [CVSSScore(version: vector.flatMap(CVSSVersion.init(vector:)) ?? .v3, vector: vector, score: score)]
    }

    /// The GHSA id of a GitHub advisory URL.
    static func ghsa(inReference url: String) -> String? {
        Identifiers.ids(inReference: url).first(where: Identifiers.isGHSA)
    }

    /// `cwe` in its observed encodings: `"CWE-400"`, null, `["CWE-1321"]`, a JSON-encoded list
    /// `"[\"CWE-22\",\"CWE-23\"]"`, `"[]"` and the degenerate `"CWE-"` (dropped when the finding is
    /// finalized).
    mutating func cwes(of advisory: JSONValue) throws(JSONAccessError) -> [String] {
        guard let value = advisory["cwe"], !value.isNull else { return [] }
        switch value.kind {
        case .array:
            return try advisory.strings("cwe")
        case .string:
            let text = (value.stringValue ?? "").trimmed
            guard text.hasPrefix("[") else { return [text] }
            do throws(JSONSyntaxError) {
                let list = try JSONDocument(bytes: Array(text.utf8)).root
                let items = list.elements.compactMap(\.stringValue)
                if list.kind == .array && items.count == list.count { return items }
            } catch {
                // Falls through to the warning: a CWE list is not needed to understand the finding.
            }
            warnings.add("\(value.location): cwe \"\(text)\" is not a list of CWE ids; ignored")
            return []
        default:
            throw value.error("expected a CWE id, a list of CWE ids or null, found \(value.kind)")
        }
    }

    /// npm 6 `references`: one Markdown string (`"- url\n- [text](url)"`); an array of URLs is
    /// accepted too.
    static func referenceURLs(_ advisory: JSONValue) throws(JSONAccessError) -> [String] {
        guard let value = advisory["references"], !value.isNull else { return [] }
        switch value.kind {
        case .string:
            return (value.stringValue ?? "").split(whereSeparator: \.isNewline).compactMap(url(inMarkdownLine:))
        case .array:
            return try advisory.strings("references").compactMap(url(inMarkdownLine:))
        default:
            throw value.error("expected a Markdown list of URLs or an array of URLs, found \(value.kind)")
        }
    }

    /// The URL of one Markdown list item: `- https://…`, `- [text](https://…)`, `<https://…>`.
    static func url<Line: StringProtocol>(inMarkdownLine line: Line) -> String? {
        var item = String(line).trimmed
        if item.hasPrefix("- ") || item.hasPrefix("* ") { item = String(item.dropFirst(2)).trimmed }
        if let open = item.range(of: "]("), item.hasSuffix(")") {
            item = String(item[open.upperBound..<item.index(before: item.endIndex)]).trimmed
        }
        if item.hasPrefix("<") && item.hasSuffix(">") { item = String(item.dropFirst().dropLast()) }
        let lower = item.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), !item.contains(" ") else { return nil }
        return item
    }
}

extension String {
    fileprivate var trimmed: String {
        // Nearly every value starts and ends with a printable ASCII byte: nothing to trim, and
        // Foundation's Unicode-aware trimming is costly per value on a large audit.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return self
        }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

/// The `via` lists of an npm 7+ report as a graph: which entries reach an advisory (their own, an
/// object in `via`, or a dependency's, along the names in `via`), and the most severe advisory
/// each reaches.
private struct NpmViaGraph {
    /// Entries whose `via` holds names only (no advisory of their own), with those names.
    var onlyNames: [String: [String]] = [:]
    /// Entries that reach an advisory.
    var reached: Set<String> = []
    /// The most severe advisory each entry reaches, where the advisories (or their entries) say.
    var mostSevere: [String: Severity] = [:]

    init(_ vulnerabilities: JSONValue) throws(JSONAccessError) {
        var dependents: [String: [String]] = [:]
        var pending: [String] = []
        for (key, entry) in vulnerabilities.members {
            let entrySeverity = try entry.string("severity").flatMap(Severity.init(label:))
            var names: [String] = []
            var hasAdvisory = false
            // A missing or empty `via` is refused with its own message later.
            for item in try entry.array("via") ?? [] {
                if let name = item.stringValue {
                    names.append(name)
                } else if item.kind == .object {
                    hasAdvisory = true
                    // An advisory without a severity is read at its entry's (see `finding(via:…)`).
                    if let severity = try item.string("severity").flatMap(Severity.init(label:)) ?? entrySeverity {
                        mostSevere[key] = max(mostSevere[key] ?? severity, severity)
                    }
                }
            }
            for name in names { dependents[name, default: []].append(key) }
            if hasAdvisory {
                reached.insert(key)
                pending.append(key)
            } else if !names.isEmpty {
                onlyNames[key] = names
            }
        }
        // Backwards along the `via` names: an entry is queued again only when it is first reached
        // or its rating rises (at most once per severity level), so the work is linear in the
        // names however deep the chains are.
        while let name = pending.popLast() {
            let severity = mostSevere[name]
            for dependent in dependents[name] ?? [] {
                let newlyReached = reached.insert(dependent).inserted
                let rises = severity.map { $0 > mostSevere[dependent] ?? .unknown } ?? false
                if rises { mostSevere[dependent] = severity }
                if newlyReached || rises { pending.append(dependent) }
            }
        }
    }
}
