import Findings
import Foundation
import ScanGateJSON

/// Reads SARIF 2.1.0 reports written by any tool (CodeQL, Semgrep, Trivy, ZAP, Grype,
/// SpotBugs, gitleaks, …) into findings: one finding per result that reports a problem.
///
/// Results that are not problems (`kind` `pass`, `notApplicable`, `informational`) and results
/// a baseline comparison marked `absent` (fixed since the baseline) are skipped. Suppressed
/// results are kept, with a ``Suppression``.
public enum SARIFAdapter {
    /// The variant name written into ``ParsedReport/variant``.
    public static let variant = "sarif-2.1.0"

    /// Parses a SARIF document.
    ///
    /// - Throws: ``ReportError`` when the version is not `2.1.0`, a value has the wrong type
    ///   (with its JSON path and line), or a level is not one SARIF defines.
    public static func parse(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        do throws(JSONAccessError) {
            var reader = SARIFDocumentReader(reportFile: source.name)
            return try reader.read(root)
        } catch {
            throw ReportError(file: source.name, error)
        }
    }
}

// MARK: - Document and runs

private struct SARIFDocumentReader {
    let reportFile: String
    private var warnings = ReportWarnings()
    /// JSON paths and messages already warned about (a rule's value is read once per result).
    /// The values warned about, with the warning: each is said once.
    private var warned: Set<String> = []

    init(reportFile: String) {
        self.reportFile = reportFile
    }

    mutating func read(_ root: JSONValue) throws(JSONAccessError) -> ParsedReport {
        let document = try root.requireObject()
        let version = try document.identifier("version")
        guard version == "2.1.0" else {
            let found = version.map { "\"\($0)\"" } ?? "no version"
            throw (document["version"] ?? document).error(
                "unsupported SARIF version: found \(found), ScanGate reads SARIF 2.1.0 only")
        }
        guard let runs = try document.array("runs") else {
            throw document.error("missing required array \"runs\"")
        }
        var findings: [Finding] = []
        var firstTool: (name: String, version: String?)?
        var scanErrors: [String] = []
        var occurrences: [SARIFOccurrence] = []
        var scannedImages: [ScannedImage] = []
        var unprovenScans: [String] = []
        var unprovenScanTools: [String] = []
        // A log without runs holds no tool's results: nothing in it says a scan ran, so it is
        // no clean scan, as a run without "results" is none.
        if runs.isEmpty { scanErrors.append("the SARIF log has no runs: no tool's results are in it") }
        var runTools: [String] = []
        for runValue in runs {
            let run = try SARIFRun(try runValue.requireObject())
            if firstTool == nil { firstTool = (run.toolName, run.toolVersion) }
            runTools.append(run.toolName)
            let failures = try failedInvocations(of: run)
            scanErrors += failures
            // SARIF §3.14.23: without `results` the tool could not produce any (an empty list
            // means it found nothing): no clean scan.
            let resultsMissing = run.value["results"] == nil || run.value["results"]?.kind == .null
            if resultsMissing {
                scanErrors.append("the run of \(run.toolName) has no \"results\": the tool produced none")
            }
            // Read all the same (`--allow-incomplete`), a run that failed and lists no result
            // shows nothing was checked: judged as an empty scan, and given no run of its own in
            // ScanGate's SARIF file, where an empty run would close the tool's alerts as fixed.
            if resultsMissing || (!failures.isEmpty && run.value["results"]?.count == 0) {
                unprovenScans.append(
                    "the run of \(run.toolName) failed and lists no result: nothing shows it checked anything")
                unprovenScanTools.append(run.toolName)
            }
            try readResults(of: run, into: &findings, occurrences: &occurrences)
            if run.isZAP, run.value["results"]?.count == 0 {
                // As for ZAP's XML and JSON reports: a site ZAP reached almost always raises some
                // alert, informational ones at least.
                let reason =
                    "ZAP's run lists no result, not even an informational alert: did the scan reach the site "
                    + "(target URL, authentication, proxy)?"
                unprovenScans.append(reason)
                unprovenScanTools.append(run.toolName)
                warnings.add(reason + " No finding here means nothing was checked")
            }
            if let image = scannedImage(of: run) {
                scannedImages.append(image)
                if run.value["results"]?.count == 0 {
                    let name = image.name.isEmpty ? image.configDigest ?? "an image" : image.name
                    let reason =
                        "the Trivy run for \(name) lists no result, and Trivy's SARIF does not say whether the image's "
                        + "packages were scanned (a clean image and a secret-only or --pkg-types scan read alike): "
                        + "give Trivy's JSON report (--format json) to tell"
                    unprovenScans.append(reason)
                    unprovenScanTools.append(run.toolName)
                    warnings.add(reason + ". No finding here is no evidence that the image is clean")
                }
            }
        }
        Self.separateOccurrences(&findings, occurrences)
        var report = ParsedReport(
            source: reportFile, format: .sarif, variant: SARIFAdapter.variant, tool: firstTool?.name ?? "sarif",
            toolVersion: firstTool?.version, findings: findings, warnings: warnings.all, scanErrors: scanErrors,
            scannedImages: scannedImages)
        report.runTools = runTools
        report.unprovenScans = unprovenScans
        report.unprovenScanTools = unprovenScanTools
        // Every SARIF result is the source tree's (its runs scanned it, results or not).
        if !runs.isEmpty { report.scopesRead = [FindingIdentity.sourceScope] }
        return report
    }

    /// The image a run scanned, when Trivy wrote the run (its driver is named `Trivy`, in any
    /// case) and its properties name it as Trivy's SARIF does (v0.40+: `imageName`,
    /// `repoDigests`, `imageID`, any of them null). Tool-specific properties: read when they
    /// have these shapes, never a reason to refuse the report. Another tool's run scans no
    /// image, whatever its properties say: a linter's run naming the release's digest must not
    /// vouch for it (`require-scan` asks for Trivy image reports).
    ///
    /// Unlike a Trivy JSON report, a Trivy SARIF run cannot tell a scan that found nothing to
    /// look at (no operating system, no package: TrivyAdapter's check) from a clean scan: Trivy
    /// writes only findings as results, and neither the operating system nor the targets it
    /// scanned. So a run without results scans the image it names, but as an unproven scan
    /// (``ParsedReport/unprovenScans``) that the policy's `empty-scans` judges.
    private func scannedImage(of run: SARIFRun) -> ScannedImage? {
        guard run.isTrivy else { return nil }
        guard let properties = run.value["properties"], properties.kind == .object else { return nil }
        let digests = (properties["repoDigests"]?.kind == .array ? properties["repoDigests"]?.elements ?? [] : [])
            .compactMap { $0.stringValue.flatMap(ScannedImage.digest(ofRepositoryDigest:)) }
        let config = properties["imageID"]?.stringValue
        guard !digests.isEmpty || config != nil else { return nil }
        return ScannedImage(
            report: reportFile, name: properties["imageName"]?.stringValue ?? "", manifestDigests: digests,
            configDigest: config)
    }

    /// Invocations the tool itself says failed (`executionSuccessful: false`), and error-level
    /// tool execution or configuration notifications of any invocation: results may be missing,
    /// so the report is incomplete (SpotBugs missing classes; Semgrep's "file not found" in a run
    /// it calls successful). SARIF 2.1.0 Appendix I: with an error notification, "the results
    /// cannot be assumed to be complete", whatever `executionSuccessful` says.
    private mutating func failedInvocations(of run: SARIFRun) throws(JSONAccessError) -> [String] {
        var failures: [String] = []
        for invocationValue in try run.value.array("invocations") ?? [] {
            let invocation = try invocationValue.requireObject()
            var errors: [String] = []
            for key in ["toolExecutionNotifications", "toolConfigurationNotifications"] {
                for notificationValue in try invocation.array(key) ?? [] {
                    let notification = try notificationValue.requireObject()
                    let level = try notification.string("level")
                    // An unknown level (`Error`, `fatal`) could be an error the tool spelt its own way.
                    if let level, Severity(sarifLevel: level) == nil {
                        throw (notification["level"] ?? notification).error(
                            "unknown SARIF level \"\(level)\": expected \"error\", \"warning\", \"note\" or \"none\"")
                    }
                    guard level == "error" else { continue }
                    let text = try notification.object("message")?.string("text") ?? "no message"
                    errors.append(text.messageLine(atMost: 300))
                }
            }
            guard let successful = try invocation.bool("executionSuccessful") else {
                throw invocation.error("an invocation without \"executionSuccessful\" (SARIF requires it)")
            }
            if successful {
                failures += errors.map { "\(run.toolName) reported an error, so its results may be incomplete: \($0)" }
                // A process a signal ended did not finish, whatever the invocation says of itself.
                // A SARIF writer's defaults (`""`, 0) say no signal.
                var signal = try invocation.string("exitSignalName").flatMap { $0.isEmpty ? nil : $0 }
                if signal == nil, let number = try invocation.int("exitSignalNumber"), number != 0 {
                    signal = String(number)
                }
                if let signal {
                    failures.append("\(run.toolName) was ended by signal \(signal), so its results may be incomplete")
                }
                continue
            }
            var failure = "\(run.toolName) says its run failed"
            if let code = try invocation.int("exitCode") { failure += " (exit code \(code))" }
            if let first = errors.first { failure += ": \(first)" }
            failures.append(failure)
        }
        return failures
    }

    private mutating func readResults(
        of run: SARIFRun, into findings: inout [Finding], occurrences: inout [SARIFOccurrence]
    ) throws(JSONAccessError) {
        for resultValue in try run.value.array("results") ?? [] {
            let result = try resultValue.requireObject()
            guard let (finding, occurrence) = try readResult(result, in: run) else { continue }
            findings.append(finding)
            occurrences.append(occurrence)
        }
    }

    /// Keeps apart results that read alike: results of one rule in one file with one message
    /// (and one partial fingerprint, or one full fingerprint: Flawfinder's hashes the line's text,
    /// so two `memcpy` lines written alike share one) had one identity, so they were one finding:
    /// GitHub showed the first place only, and a baseline took a new occurrence for the known
    /// one (fail-open under `fail-on-new-only`).
    ///
    /// In each such group, the places (lines; the logical location's name when there is no
    /// file) are numbered in line order, as GitHub numbers `primaryLocationLineHash` `:N`. The
    /// first keeps the identity it had (no new fingerprints for existing baselines); each later
    /// one adds its logical location's name, else `occurrence N`. Results at the same place, the
    /// same result written twice (ShiftLeft, gitleaks 7 and Trivy's old template repeat results),
    /// keep one identity and still merge.
    private static func separateOccurrences(_ findings: inout [Finding], _ occurrences: [SARIFOccurrence]) {
        var groups: [String: [Int]] = [:]
        for index in findings.indices {
            groups[findings[index].fingerprint, default: []].append(index)
        }
        for members in groups.values where members.count > 1 {
            let places = Set(members.map { occurrences[$0].place }).sorted { $0.precedes($1) }
            guard places.count > 1 else { continue }
            var numbers: [SARIFOccurrence.Place: Int] = [:]
            for (position, place) in places.enumerated() { numbers[place] = position + 1 }
            for member in members {
                let place = occurrences[member].place
                guard let number = numbers[place], number > 1 else { continue }
                let extra = place.startLine == nil ? place.logicalName.map { "logical " + $0 } : nil
                findings[member].identity.subject.append(extra ?? "occurrence \(number)")
                findings[member].fingerprint = Fingerprint.compute(findings[member].identity)
            }
        }
    }

    // MARK: - One result

    private mutating func readResult(
        _ result: JSONValue, in run: SARIFRun
    ) throws(JSONAccessError) -> (Finding, SARIFOccurrence)? {
        let resultKind = try result.string("kind")
        if let resultKind, SARIFVocabulary.nonProblemKinds.contains(resultKind) {
            // SARIF fixes such a result's level at `none` (GitHub reads no kind, only the level):
            // one that says `error` or `warning` contradicts itself, and is kept as the problem
            // its level says, not dropped.
            guard let levelText = try result.string("level"), let level = Severity(sarifLevel: levelText),
                level >= .medium
            else { return nil }
            warnOnce(
                at: result,
                "a result of kind \(resultKind) with level \(levelText): kept as a problem, as GitHub would show it")
        }
        // "absent": the result was in the baseline and is gone now, so it is not a current problem.
        if try result.string("baselineState") == "absent" { return nil }

        let reference = try resolveRule(of: result, in: run)
        let rule = reference.rule
        let ruleID = reference.id ?? SARIFVocabulary.unknownRuleID
        let ruleProperties = try rule?.object("properties")
        let ruleTags = try ruleProperties?.strings("tags") ?? []
        let message = try resolveMessage(try result.object("message"), rule: rule, component: reference.component)

        let embeddedID = SARIFAdapter.leadingAdvisoryID(ruleID)
        let kind =
            embeddedID != nil ? .vulnerability : findingKind(ruleID: ruleID, toolName: run.toolName, ruleTags: ruleTags)
        var findingID = ruleID
        var aliases = [embeddedID].compactMap { $0 }
        // Trivy's checks under the one spelling its JSON reads them with (`DS002`, `AVD-DS-0002`
        // and `DS-0002` are `DS-0002`): an upgrade that respells them keeps their findings.
        if kind == .misconfiguration, run.isTrivy, let check = TrivyAdapterMaps.checkID(ruleID), check != ruleID {
            findingID = check
            // The written id, and Trivy's `AVD-` id its JSON gives beside it (`AVDID`).
            aliases += [ruleID, "AVD-" + check].filter { $0 != check }.sortedUnique()
        }
        let shortDescription = try rule?.object("shortDescription")?.string("text")
        let ruleName = try rule?.string("name")
        let title = shortDescription ?? ruleName ?? reference.id ?? message.map(firstLine) ?? ruleID
        var locations = try readLocations(of: result, in: run)
        // Trivy's SARIF locates an image's vulnerabilities at the image (`knqyf263/vuln-image:1.2.3`
        // in 0.28): an image, as its JSON says, not a file; its tag in the identity and the places
        // made every finding new with each release of the image (fingerprints carry no tags).
        if run.isTrivy, kind == .vulnerability {
            for index in locations.indices {
                guard let path = locations[index].path, Self.isImageReference(path) else { continue }
                locations[index] = Location(image: ImageReference(parsing: path), target: path)
            }
        }
        let stableKey = try stableKey(
            of: result, message: run.isTrivy ? message.map(Self.trivyStableText) : message)
        let firstPlace = locations.first.flatMap { $0.path ?? $0.url ?? $0.image?.repository } ?? ""

        let finding = Finding(
            kind: kind, ruleID: findingID, aliases: aliases, title: title,
            description: try describe(rule: rule, message: message),
            detail: message.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 },
            ratings: [
                try rating(
                    of: result, kind: resultKind, rule: rule, ruleProperties: ruleProperties, ruleTags: ruleTags,
                    overriddenLevel: run.levelOverrides[
                        SARIFRun.RuleKey(component: reference.component.position, id: ruleID)],
                    ruleUnresolved: reference.unresolved, toolName: run.toolName)
            ],
            locations: locations,
            cwes: try cwes(ruleTags: ruleTags, rule: rule, result: result, run: run),
            references: try references(of: rule),
            provenance: [
                Provenance(tool: run.toolName, toolVersion: run.toolVersion, reportFile: reportFile, rawID: ruleID)
            ],
            suppression: try suppression(of: result, toolName: run.toolName),
            identity: FindingIdentity(
                kind: kind, scope: FindingIdentity.sourceScope, subject: [run.toolName, firstPlace, stableKey]))
        let first = locations.first
        let logicalName = try logicalLocationName(of: result)
        let place = SARIFOccurrence.Place(
            startLine: first?.startLine, endLine: first?.endLine, startColumn: try firstStartColumn(of: result),
            logicalName: logicalName)
        return (
            finding.finalized(), SARIFOccurrence(place: place)
        )
    }

    /// The column the first location's region starts at: two problems of one rule on one line
    /// (`console.log(a); console.log(b)`) are two places.
    private func firstStartColumn(of result: JSONValue) throws(JSONAccessError) -> Int? {
        try firstLocation(of: result)?.object("physicalLocation")?.object("region")?.int("startColumn")
            .flatMap { $0 >= 1 ? $0 : nil }
    }

    /// The result's first location (the one GitHub shows).
    private func firstLocation(of result: JSONValue) throws(JSONAccessError) -> JSONValue? {
        try result.array("locations")?.first?.requireObject()
    }

    /// The first location's first logical location: its `fullyQualifiedName`, else its `name`.
    private func logicalLocationName(of result: JSONValue) throws(JSONAccessError) -> String? {
        guard let logical = try firstLocation(of: result)?.array("logicalLocations")?.first?.requireObject()
        else { return nil }
        let name = try logical.string("name")
        return try logical.string("fullyQualifiedName") ?? name
    }

    /// The result's rule id and, when the run describes it, the rule object and its tool component.
    ///
    /// The rule is the one `ruleIndex` (or `rule.index`) names in the component `rule.toolComponent`
    /// names (the driver without one), when its id is the result's `ruleId` (or `rule.id`).
    /// Otherwise it is looked up by id: in that component, else in the one component of the run
    /// that defines the id (a rule only in an extension, without a reference to it). Every
    /// departure from what the result says is a warning naming the result; a rule whose id is
    /// not the result's is never taken, and an id no component (or several) defines gets no rule.
    private mutating func resolveRule(
        of result: JSONValue, in run: SARIFRun
    ) throws(JSONAccessError) -> (id: String?, rule: JSONValue?, component: SARIFToolComponent, unresolved: Bool) {
        let ruleReference = try result.object("rule")
        let referencedID = try ruleReference?.string("id")
        let resultID = try result.string("ruleId")
        if let resultID, let referencedID, resultID != referencedID {
            warnOnce(at: result, "ruleId \"\(resultID)\" and rule.id \"\(referencedID)\" differ; ruleId is used")
        }
        let explicitID = resultID ?? referencedID
        var component: SARIFToolComponent? = run.driver
        if let componentReference = try ruleReference?.object("toolComponent") {
            component = try run.component(for: componentReference)
            if component == nil {
                warnOnce(
                    at: result,
                    "rule.toolComponent names no tool component of the run; the rule is looked up by id")
            }
        }
        var rule: JSONValue?
        // -1 is SARIF's default for "no index".
        let referencedIndex = try ruleReference?.int("index")
        if let index = try result.int("ruleIndex") ?? referencedIndex, index != -1, let component {
            if index < -1 {
                warnOnce(at: result, "rule index \(index) is not an index; the rule is looked up by id")
            } else if index < component.rules.count {
                let indexed = try component.rules[index].requireObject()
                let indexedID = try indexed.string("id")
                if let explicitID, let indexedID, indexedID != explicitID {
                    warnOnce(
                        at: result,
                        "rule index \(index) of \(component.displayName) is rule \"\(indexedID)\", not the result's"
                            + " \"\(explicitID)\"; the rule is looked up by id")
                } else {
                    rule = indexed
                }
            } else {
                warnOnce(
                    at: result,
                    "rule index \(index) is outside the \(component.rules.count) rules"
                        + " of \(component.displayName); the rule is looked up by id")
            }
        }
        if rule == nil, let explicitID {
            if let component, let index = component.ruleIndexByID[explicitID] {
                rule = component.rules[index]
            } else {
                let defining = run.components.filter { $0.ruleIndexByID[explicitID] != nil }
                if defining.count == 1, let only = defining.first, let index = only.ruleIndexByID[explicitID] {
                    let missing = component.map { "is not among the rules of \($0.displayName);" } ?? "is"
                    warnOnce(
                        at: result,
                        "rule \"\(explicitID)\" \(missing) taken from \(only.displayName), the one component that defines it"
                    )
                    rule = only.rules[index]
                    component = only
                } else if defining.count > 1 {
                    warnOnce(
                        at: result,
                        "rule \"\(explicitID)\" is defined by \(defining.count) tool components and the result"
                            + " does not say which; it is read without its rule")
                }
            }
        }
        // A hierarchical id (`CA2101/1`, SARIF 3.27.5) names a sub-rule of the longest prefix of
        // it the run describes (`js/sql-injection/1` of `js/sql-injection`: ids hold `/` too).
        if rule == nil, let explicitID, let component {
            // Longest first, and only prefixes as long (in characters, which canonically equal
            // spellings share, as the id lookup treats them alike) as some rule id: an id of
            // 50,000 `/`-separated parts was tried at every one of them, each prefix rebuilt
            // (quadratic; found by fuzzing). A `/` carrying a combining mark is no separator.
            let characters = Array(explicitID)
            for length in characters.indices.reversed()
            where characters[length] == "/" && component.ruleIDCharacterCounts.contains(length) {
                let prefix = String(characters[..<length])
                guard !prefix.isEmpty, !prefix.hasSuffix("/"), let index = component.ruleIndexByID[prefix] else {
                    continue
                }
                rule = component.rules[index]
                warnOnce(at: result, "rule \"\(explicitID)\" is not described; read with rule \"\(prefix)\"")
                break
            }
        }
        // A rule named only by its `guid` (SARIF 3.52.4), in the referenced component or any.
        if rule == nil, explicitID == nil, let guid = try ruleReference?.string("guid") {
            let searched = component.map { [$0] + run.components } ?? run.components
            if let candidate = searched.first(where: { $0.ruleIndexByGUID[guid] != nil }),
                let position = candidate.ruleIndexByGUID[guid]
            {
                rule = candidate.rules[position]
                component = candidate
            }
        }
        let ruleOwnID = try rule?.string("id")
        // The result names a rule the run's components describe none of, though they describe
        // rules: whatever that rule said of its severity is lost.
        let index = try result.int("ruleIndex") ?? referencedIndex
        let named = explicitID != nil || (index != nil && index != -1)
        let unresolved = rule == nil && named && run.components.contains { !$0.rules.isEmpty }
        return (explicitID ?? ruleOwnID, rule, component ?? run.driver, unresolved)
    }

    // MARK: - Text

    /// `message.text`, else `message.markdown`, else the rule's (or component's) message string
    /// `message.id`, with `{0}`, `{1}`… replaced by `message.arguments` (SpotBugs writes these).
    private func resolveMessage(
        _ message: JSONValue?, rule: JSONValue?, component: SARIFToolComponent
    ) throws(JSONAccessError) -> String? {
        guard let message else { return nil }
        let arguments = try message.strings("arguments")
        // Plain text may hold placeholders too; without arguments it is taken as written.
        if let text = try message.string("text") {
            return arguments.isEmpty ? text : SARIFVocabulary.substitute(text, arguments: arguments)
        }
        if let markdown = try message.string("markdown") { return markdown }
        guard let id = try message.string("id") else { return nil }
        var template = try rule?.object("messageStrings")?.object(id)
        if template == nil { template = try component.value.object("globalMessageStrings")?.object(id) }
        guard let template else { return nil }
        let markdown = try template.string("markdown")
        guard let format = try template.string("text") ?? markdown else { return nil }
        return SARIFVocabulary.substitute(format, arguments: arguments)
    }

    /// The rule's own text (its full description, else its help), else the result's message:
    /// what the rule is about. The result's message is the finding's ``Finding/detail``.
    private func describe(rule: JSONValue?, message: String?) throws(JSONAccessError) -> String? {
        let fullDescription = try rule?.object("fullDescription")?.string("text")
        // A help text that is only a URL (Dockle) is kept as a reference, not as a description.
        let helpText = try rule?.object("help")?.string("text").flatMap { SARIFVocabulary.isBareURL($0) ? nil : $0 }
        let ruleText = fullDescription ?? helpText
        guard let ruleText, !ruleText.isEmpty else { return message }
        return ruleText
    }

    private func firstLine(_ text: String) -> String {
        String(text.prefix { $0 != "\n" && $0 != "\r" })
    }

    /// What tells this result from the tool's others at the same place, stable across runs:
    /// its full fingerprint when the tool gave one (SARIF: unique to the result); else its
    /// partial fingerprints with its message. A partial fingerprint such as GitHub's
    /// `primaryLocationLineHash` names a line, and different problems on one line (four
    /// functions a cyclic import names) must stay different findings, each with its message.
    private func stableKey(of result: JSONValue, message: String?) throws(JSONAccessError) -> String {
        if let fingerprints = try result.object("fingerprints") {
            for (_, value) in fingerprints.members.sorted(by: { $0.key < $1.key }) {
                if let text = value.stringValue { return text }
            }
        }
        var key = ""
        if let partial = try result.object("partialFingerprints") {
            for (name, value) in partial.members.sorted(by: { $0.key < $1.key }) {
                guard let text = value.stringValue else { continue }
                key += name + "=" + text + "\n"
            }
        }
        return key + (message ?? "")
    }

    /// Whether a Trivy location is an image reference with a tag or digest, as Trivy 0.28 writes
    /// it (`knqyf263/vuln-image:1.2.3`, `alpine@sha256:…`), not a file: a tag of Docker's
    /// grammar or an `algorithm:hex` digest, no backslash, and a last name without a file's
    /// extension (`deps/app.jar`, `lodash@4.17.20` and `C:\proj\…` stay files).
    static func isImageReference(_ path: String) -> Bool {
        guard !path.contains("\\"), let last = path.split(separator: "/").last else { return false }
        let image = ImageReference(parsing: path)
        guard let name = image.repository.split(separator: "/").last, !name.contains(".") else { return false }
        if let digest = image.digest {
            let parts = digest.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].allSatisfy { $0.isLetter || $0.isNumber }
                && parts[1].count >= 32 && parts[1].allSatisfy(\.isHexDigit)
        }
        guard last.contains(":"), let tag = image.tag, (1...128).contains(tag.count),
            let first = tag.unicodeScalars.first,
            first.properties.isAlphabetic || ("0"..."9").contains(first) || first == "_"
        else { return false }
        return tag.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0))
        }
    }

    /// A Trivy template message (`Package: …` or `Artifact: …`, one field a line, the lines
    /// sometimes written as `\n`) without the fields that change while the finding stays:
    /// `Severity` (re-rated), `Fixed Version` (a fix published) and `Link`. In the key they made
    /// a new finding of each change: GitHub closed the alert and opened another (its triage
    /// lost), and `fail-on-new-only` took it for new. Other messages are kept whole.
    static func trivyStableText(_ message: String) -> String {
        guard message.hasPrefix("Package: ") || message.hasPrefix("Artifact: ") else { return message }
        let separator = message.contains("\n") ? "\n" : "\\n"
        return message.components(separatedBy: separator)
            .filter { !$0.hasPrefix("Severity: ") && !$0.hasPrefix("Fixed Version: ") && !$0.hasPrefix("Link: ") }
            .joined(separator: "\n")
    }

    // MARK: - Classification

    private func findingKind(ruleID: String, toolName: String, ruleTags: [String]) -> FindingKind {
        let normalized = Identifiers.normalize(ruleID)
        if Identifiers.isCVE(normalized) || Identifiers.isGHSA(normalized) { return .vulnerability }
        let tool = toolName.lowercased()
        let secretTool = tool.contains("gitleaks") || tool.contains("secret")
        if secretTool || ruleTags.contains(where: { $0.lowercased() == "secret" }) { return .secret }
        // Trivy tags its checks' rules so (a policy's `kind: misconfiguration` must see them as
        // it sees Trivy's JSON).
        if ruleTags.contains(where: { $0.lowercased() == "misconfiguration" }) { return .misconfiguration }
        return .codeIssue
    }

    /// The tool's verdict, from the first of these steps that the result or its rule gives
    /// (within a step, the most severe of the result's and the rule's: a result never makes its
    /// rule's verdict look less severe, as on GitHub, where the score lives on the rule):
    ///
    /// 1. `security-severity`: a score from 0.1 to 10 in GitHub's bands, or a severity word
    ///    (Semgrep 1.69 writes `"CRITICAL"`). A score from 0 to below 0.1 is GitHub's "no security
    ///    severity" (Trivy writes `0.0` for every UNKNOWN and CVSS-v2-only CVE) and is skipped;
    ///    any other value (outside 0–10, not finite, not a word) is skipped with a warning.
    /// 2. The CVSS severity dependency-check writes in `properties` beside a blanket
    ///    `level: error` (`cvssv3_baseSeverity` with `cvssv3_baseScore`, else `cvssv2_severity`
    ///    with `cvssv2_score`): its CVEs are not all errors.
    /// 3. A severity word in `properties.severity` (ScanGate's own SARIF writes `"unknown"` there
    ///    beside `level: warning`; dependency-check writes RetireJS's severity beside a blanket
    ///    `level: error`).
    /// 4. A severity word among the rule's `properties.tags` (Trivy: `HIGH`, `UNKNOWN`).
    /// 5. The level: the result's, else the run's `ruleConfigurationOverrides` for the rule (SARIF
    ///    3.27.10: how this run configured it), else the rule's default, else SARIF's default
    ///    `warning`.
    ///
    /// A word `unknown` is a verdict too: the finding stays `unknown`, never a level's guess. A
    /// word of no severity (`none`, `info`) beside a level `error` or `warning` the run gives is
    /// a contradiction, settled for the level: one such word on a rule hid every result's `error`.
    /// A result of kind `open` (the tool could not tell whether there is a problem) or `review`
    /// (a person must decide), whose level SARIF fixes at `none`, is `unknown` without a word or
    /// a level that says more, so a policy's `unknown-severity-as` judges it.
    private mutating func rating(
        of result: JSONValue, kind: String?, rule: JSONValue?, ruleProperties: JSONValue?, ruleTags: [String],
        overriddenLevel: JSONValue?, ruleUnresolved: Bool = false, toolName: String
    ) throws(JSONAccessError) -> SeverityRating {
        let resultProperties = try result.object("properties")
        let securitySeverities = [
            try securitySeverity(in: resultProperties), try securitySeverity(in: ruleProperties),
        ]
        // `severity` (dependency-check's RetireJS severity, ScanGate's own SARIF); `issue_severity`
        // (Bandit, ShiftLeft scan: a CRITICAL beside a blanket `level: error`).
        let severityWords = [resultProperties, ruleProperties].flatMap { properties -> [SARIFVerdict?] in
            SARIFVocabulary.severityProperties.map { key in
                guard let text = properties?[key]?.stringValue, let severity = Severity(label: text) else {
                    return nil
                }
                return SARIFVerdict(severity: severity, label: "\(key) \(text)")
            }
        }
        let tagWords = ruleTags.map { tag -> SARIFVerdict? in
            // The words Trivy (and ScanGate) write among the tags; `none`, `info` are ordinary tags elsewhere.
            TrivyAdapterMaps.severity(label: tag).map { SARIFVerdict(severity: $0, label: "tag \(tag)") }
        }
        let cvssSeverities = [cvssSeverity(in: resultProperties), cvssSeverity(in: ruleProperties)]
        let level = try self.level(of: result, rule: rule, overriddenLevel: overriddenLevel)
        for step in [securitySeverities, cvssSeverities, severityWords, tagWords] {
            // The first of the most severe: the result's when it ties with its rule.
            guard let verdict = step.compactMap({ $0 }).max(by: { $0.severity < $1.severity }) else { continue }
            if verdict.severity == .info, let level, level.severity >= .medium {
                return SeverityRating(
                    source: toolName, severity: level.severity, label: "level \(level.text) (beside \(verdict.label))",
                    isToolVerdict: true)
            }
            return SeverityRating(
                source: toolName, severity: verdict.severity, label: verdict.label,
                cvss: verdict.score.map { [CVSSScore(version: verdict.cvssVersion, vector: nil, score: $0)] } ?? [],
                isToolVerdict: true)
        }
        if let kind, SARIFVocabulary.undecidedKinds.contains(kind), (level?.severity ?? .info) == .info {
            return SeverityRating(source: toolName, severity: .unknown, label: "kind \(kind)", isToolVerdict: true)
        }
        // A rule the run does not describe may have set any level: its result is unknown, not
        // SARIF's default `warning` (a critical rule's result read as medium).
        if level == nil, ruleUnresolved {
            return SeverityRating(
                source: toolName, severity: .unknown, label: "its rule is not in the run", isToolVerdict: true)
        }
        // SARIF's default when neither the result nor the rule sets one.
        let (text, severity) = level.map { ($0.text, $0.severity) } ?? ("warning", Severity.medium)
        return SeverityRating(source: toolName, severity: severity, label: "level \(text)", isToolVerdict: true)
    }

    /// The level the run gives the result: its own, else the run's override for its rule, else
    /// the rule's default; nil when none does.
    private func level(
        of result: JSONValue, rule: JSONValue?, overriddenLevel: JSONValue?
    ) throws(JSONAccessError) -> (text: String, severity: Severity)? {
        let defaultLevel = try rule?.object("defaultConfiguration")?["level"]
        guard
            let levelValue = [result["level"], overriddenLevel, defaultLevel].lazy.compactMap({ $0 }).first(where: {
                !$0.isNull
            })
        else { return nil }
        guard let text = levelValue.stringValue else {
            throw levelValue.error("expected a string, found \(levelValue.kind)")
        }
        guard let severity = Severity(sarifLevel: text) else {
            throw levelValue.error(
                "unknown SARIF level \"\(text)\": expected \"error\", \"warning\", \"note\" or \"none\"")
        }
        return (text, severity)
    }

    /// The `security-severity` in `properties` as a verdict, warning once per value about one
    /// that is neither a usable score nor a severity word (a rule's value is read for each of
    /// its results).
    private mutating func securitySeverity(in properties: JSONValue?) throws(JSONAccessError) -> SARIFVerdict? {
        guard let value = properties?["security-severity"], !value.isNull else { return nil }
        switch SARIFVocabulary.securitySeverity(value) {
        case .score(let score, let text):
            return SARIFVerdict(severity: Severity(cvssScore: score), label: "security-severity \(text)", score: score)
        case .word(let severity, let text):
            return SARIFVerdict(severity: severity, label: "security-severity \(text)")
        case .noScore:
            return nil
        case .unusable(let text):
            // As GitHub reads it: the level decides.
            warnOnce(at: value, "security-severity \(text) is no score from 0.1 to 10; ignored, the level decides")
            return nil
        case .notANumber(let text):
            // GitHub refuses the upload of such a file; read as absent, the level (a `note`)
            // could rate a "9,8" low.
            throw value.error("security-severity \(text) is neither a number nor a severity word")
        }
    }

    /// The CVSS severity dependency-check writes in `properties`: the newest version it gives
    /// a severity word for, with its score when that is one from 0 to 10.
    private func cvssSeverity(in properties: JSONValue?) -> SARIFVerdict? {
        guard let properties, properties.kind == .object else { return nil }
        for (severityKey, scoreKey, version) in SARIFVocabulary.cvssSeverityProperties {
            guard let text = properties[severityKey]?.stringValue, let severity = Severity(label: text) else {
                continue
            }
            let score = properties[scoreKey].flatMap { $0.doubleValue ?? $0.stringValue.flatMap(Double.init) }
            return SARIFVerdict(
                severity: severity, label: "\(severityKey) \(text)",
                score: score.flatMap { CVSSScore.validScores.contains($0) ? $0 : nil }, cvssVersion: version)
        }
        return nil
    }

    /// Adds a warning naming where in the report it is, once per value (the report's name is
    /// added where warnings are shown).
    private mutating func warnOnce(at value: JSONValue, _ message: String) {
        guard warned.insert("\(value.position)\n" + message).inserted else { return }
        // Past the listed ones, counted only: where it is would cost a walk of the document.
        warnings.add("at \(value.location): \(message)")
    }

    /// The result's suppression, when SARIF counts it suppressed: every entry of `suppressions`
    /// `accepted` (the default status). One `underReview` or `rejected` entry leaves the result
    /// open (SARIF 2.1.0 §3.27.23), and so does a status SARIF does not define: only an accepted
    /// suppression may take a finding out of the gate.
    private func suppression(of result: JSONValue, toolName: String) throws(JSONAccessError) -> Suppression? {
        var accepted: Suppression?
        for entryValue in try result.array("suppressions") ?? [] {
            let entry = try entryValue.requireObject()
            // SARIF requires the kind; an entry without a readable one is no suppression anyone
            // can check, and must not take a finding out of the gate.
            guard let kind = try entry.string("kind"), ["inSource", "external"].contains(kind) else {
                throw (entry["kind"] ?? entry).error(
                    "a suppression without its kind (SARIF requires \"inSource\" or \"external\")")
            }
            let status = try entry.string("status") ?? "accepted"
            guard status == "accepted" else { return nil }
            if accepted != nil { continue }
            let source = "\(toolName) suppression (\(kind))"
            accepted = Suppression(source: source, status: status, statement: try entry.string("justification"))
        }
        return accepted
    }

    // MARK: - CWEs and references

    private func cwes(
        ruleTags: [String], rule: JSONValue?, result: JSONValue, run: SARIFRun
    ) throws(JSONAccessError) -> [String] {
        var found = ruleTags.compactMap(SARIFVocabulary.cweTag)
        for relationshipValue in try rule?.array("relationships") ?? [] {
            guard let target = try relationshipValue.requireObject().object("target") else { continue }
            guard let id = try target.identifier("id") else { continue }
            let taxonomy = try target.object("toolComponent")?.string("name")
            if taxonomy?.uppercased() == "CWE" || taxonomy == nil && id.uppercased().hasPrefix("CWE-") {
                found.append(id)
            }
        }
        for taxonValue in try result.array("taxa") ?? [] {
            if let id = try run.cweTaxon(try taxonValue.requireObject()) { found.append(id) }
        }
        return found
    }

    /// The rule's `helpUri`, and `help.text` when it is nothing but a URL (Dockle does that).
    private func references(of rule: JSONValue?) throws(JSONAccessError) -> [String] {
        guard let rule else { return [] }
        var found: [String] = []
        if let helpURI = try rule.string("helpUri"), SARIFVocabulary.isWebURL(helpURI) { found.append(helpURI) }
        if let helpText = try rule.object("help")?.string("text"), SARIFVocabulary.isBareURL(helpText) {
            found.append(helpText)
        }
        return found
    }

    // MARK: - Locations

    private func readLocations(of result: JSONValue, in run: SARIFRun) throws(JSONAccessError) -> [Location] {
        var locations: [Location] = []
        for locationValue in try result.array("locations") ?? [] {
            guard let physical = try locationValue.requireObject().object("physicalLocation") else { continue }
            let uri = try run.uri(of: try physical.object("artifactLocation"))
            let region = try physical.object("region")
            // SARIF counts lines from 1; Semgrep writes 0 for a finding of a whole lock file: a line
            // below 1 is no line (the file itself), not one kept as written and then changed to
            // line 1 in ScanGate's own SARIF. An end before the start is no end.
            let startLine = try region?.int("startLine").flatMap { $0 >= 1 ? $0 : nil }
            let endLine = try region?.int("endLine").flatMap { end in startLine.flatMap { end >= $0 ? end : nil } }
            guard uri != nil || startLine != nil else { continue }
            if let uri, SARIFVocabulary.isWebURL(uri) {
                locations.append(
                    Location(startLine: startLine, endLine: endLine, url: SARIFVocabulary.withoutQueryAndFragment(uri)))
            } else {
                locations.append(Location(path: uri, startLine: startLine, endLine: endLine))
            }
        }
        return locations
    }
}

// MARK: - Run context

/// Where a result is, to tell it from others of its rule, file and message.
private struct SARIFOccurrence {
    struct Place: Hashable {
        var startLine: Int?
        var endLine: Int?
        var startColumn: Int?
        var logicalName: String?

        /// Line and column order; a place without lines (a logical location) first, by name.
        func precedes(_ other: Place) -> Bool {
            ((startLine ?? -1), (endLine ?? -1), (startColumn ?? -1), logicalName ?? "")
                < ((other.startLine ?? -1), (other.endLine ?? -1), (other.startColumn ?? -1), other.logicalName ?? "")
        }
    }

    var place: Place
}

/// One thing a SARIF result or rule says about its severity, and where it said it.
private struct SARIFVerdict {
    var severity: Severity
    /// What was written, for the rating's label: `security-severity 9.8`, `tag HIGH`.
    var label: String
    /// The score, when the verdict is one (`security-severity`, a CVSS base score).
    var score: Double?
    /// The CVSS version of ``score`` (`security-severity` is taken as CVSS v3's scale).
    var cvssVersion: CVSSVersion = .v3
}

/// A tool component (the driver or an extension) and an index of its rules by id.
private struct SARIFToolComponent {
    /// 0 for the driver, 1 + its index for an extension.
    let position: Int
    let value: JSONValue
    let name: String?
    let guid: String?
    let rules: [JSONValue]
    let ruleIndexByID: [String: Int]
    /// Rules by their `guid`, for results that name a rule only so (read per result: an index,
    /// not a scan of the rules each time).
    let ruleIndexByGUID: [String: Int]
    /// The lengths (in characters) of its rule ids: only a prefix of one of these lengths can be one.
    let ruleIDCharacterCounts: Set<Int>

    /// The component's name for messages: `"codeql/javascript-queries"`, else `the tool`.
    var displayName: String { name.map { "\"\($0)\"" } ?? "the tool" }

    init(_ value: JSONValue, position: Int) throws(JSONAccessError) {
        self.position = position
        self.value = try value.requireObject()
        name = try value.string("name")
        guid = try value.string("guid")
        rules = try value.array("rules") ?? []
        var index: [String: Int] = [:]
        var guidIndex: [String: Int] = [:]
        for (position, rule) in rules.enumerated() {
            // The first rule with an id (or guid) wins, as a reader scanning the list would find it.
            if let id = try rule.requireObject().string("id"), index[id] == nil { index[id] = position }
            if let guid = try rule.string("guid"), guidIndex[guid] == nil { guidIndex[guid] = position }
        }
        ruleIndexByID = index
        ruleIndexByGUID = guidIndex
        ruleIDCharacterCounts = Set(index.keys.map(\.count))
    }
}

private struct SARIFRun {
    let value: JSONValue
    let toolName: String
    /// Whether the driver is Trivy (its template messages, its image properties).
    var isTrivy: Bool { toolName.lowercased() == "trivy" }
    /// Whether the driver is OWASP ZAP (`ZAP` in ZAP's own SARIF report).
    var isZAP: Bool { ["zap", "owasp zap", "zaproxy"].contains(toolName.lowercased()) }
    let toolVersion: String?
    let driver: SARIFToolComponent
    let extensions: [SARIFToolComponent]
    let artifacts: [JSONValue]
    let taxonomies: [JSONValue]
    let uriBases: SARIFURIBases
    /// The absolute path, ending in `/`, that artifact paths are made relative to.
    let repositoryRoot: String?
    /// The level `invocations[].ruleConfigurationOverrides` give a rule; of several invocations
    /// overriding one rule, the most severe level.
    let levelOverrides: [RuleKey: JSONValue]

    init(_ run: JSONValue) throws(JSONAccessError) {
        value = run
        guard let tool = try run.object("tool") else { throw run.error("missing required object \"tool\"") }
        guard let driverValue = try tool.object("driver") else {
            throw tool.error("missing required object \"driver\"")
        }
        driver = try SARIFToolComponent(driverValue, position: 0)
        toolName = try driverValue.requiredString("name")
        let plainVersion = try driverValue.identifier("version")
        toolVersion = try driverValue.identifier("semanticVersion") ?? plainVersion
        var extensions: [SARIFToolComponent] = []
        for (index, extensionValue) in (try tool.array("extensions") ?? []).enumerated() {
            extensions.append(try SARIFToolComponent(extensionValue, position: index + 1))
        }
        self.extensions = extensions
        artifacts = try run.array("artifacts") ?? []
        let uriBases = try SARIFURIBases(try run.object("originalUriBaseIds"))
        self.uriBases = uriBases
        let workingDirectory = try run.array("invocations")?.first?.requireObject().object("workingDirectory")
        var workingPath: String?
        if let workingDirectory, let uri = try workingDirectory.string("uri") {
            workingPath = uriBases.resolve(uri, baseID: try workingDirectory.string("uriBaseId"))
        }
        if let workingPath, workingPath.hasPrefix("/") {
            repositoryRoot = workingPath.hasSuffix("/") ? workingPath : workingPath + "/"
        } else {
            repositoryRoot = uriBases.sharedAbsoluteDirectory
        }
        taxonomies = try run.array("taxonomies") ?? []
        levelOverrides = try Self.levelOverrides(in: run, driver: driver, extensions: extensions)
    }

    /// A rule of the run: the rules of different components may share an id.
    struct RuleKey: Hashable {
        /// ``SARIFToolComponent/position``.
        var component: Int
        var id: String
    }

    /// `invocations[].ruleConfigurationOverrides[]`: `{descriptor: {id | index, toolComponent},
    /// configuration: {level}}`, the rule of the driver, or of the extension `toolComponent`
    /// names (CodeQL's rules live in extensions). An override naming a component the run does
    /// not have is not read.
    private static func levelOverrides(
        in run: JSONValue, driver: SARIFToolComponent, extensions: [SARIFToolComponent]
    ) throws(JSONAccessError) -> [RuleKey: JSONValue] {
        var overrides: [RuleKey: JSONValue] = [:]
        for invocation in try run.array("invocations") ?? [] {
            _ = try invocation.requireObject()
            for override in try invocation.array("ruleConfigurationOverrides") ?? [] {
                _ = try override.requireObject()
                guard let descriptor = try override.object("descriptor"),
                    let level = try override.object("configuration")?["level"], !level.isNull
                else { continue }
                guard let text = level.stringValue, let severity = Severity(sarifLevel: text) else {
                    throw level.error("expected a SARIF level (\"error\", \"warning\", \"note\" or \"none\")")
                }
                var component: SARIFToolComponent? = driver
                if let reference = try descriptor.object("toolComponent") {
                    component = try Self.component(for: reference, among: extensions)
                }
                guard let component else { continue }
                var id = try descriptor.string("id")
                if id == nil, let index = try descriptor.int("index"), component.rules.indices.contains(index) {
                    id = try component.rules[index].requireObject().string("id")
                }
                guard let id else { continue }
                let key = RuleKey(component: component.position, id: id)
                if let known = overrides[key]?.stringValue.flatMap(Severity.init(sarifLevel:)), known >= severity {
                    continue
                }
                overrides[key] = level
            }
        }
        return overrides
    }

    /// The driver, then the extensions.
    var components: [SARIFToolComponent] { [driver] + extensions }

    /// The extension a `toolComponentReference` points at (by index, guid or name), or nil when
    /// it names none of them.
    func component(for reference: JSONValue) throws(JSONAccessError) -> SARIFToolComponent? {
        try Self.component(for: reference, among: extensions)
    }

    private static func component(
        for reference: JSONValue, among extensions: [SARIFToolComponent]
    ) throws(JSONAccessError) -> SARIFToolComponent? {
        if let index = try reference.int("index") {
            return extensions.indices.contains(index) ? extensions[index] : nil
        }
        if let guid = try reference.string("guid") { return extensions.first { $0.guid == guid } }
        if let name = try reference.string("name") { return extensions.first { $0.name == name } }
        return nil
    }

    /// An artifact location's file, as a path relative to the repository where the run says
    /// where that is, following `index` into `run.artifacts` when the URI is absent.
    ///
    /// The URI is percent-decoded, `./` dropped, a `uriBaseId` resolved through
    /// `run.originalUriBaseIds` (bases may stand on other bases), and a `file://` URI read as its
    /// absolute path. A path under the repository root (the first invocation's
    /// `workingDirectory`, else the directory every absolute base shares) is taken relative to
    /// it, so `uriBaseId: PAY` + `charge.js` and `file:///home/ci/repo/src/payments/charge.js`
    /// both give `src/payments/charge.js`. A base the run does not define (`%SRCROOT%`) leaves
    /// the URI as written: it is relative to the source root already. Web URLs stay as written.
    func uri(of artifactLocation: JSONValue?) throws(JSONAccessError) -> String? {
        guard let artifactLocation else { return nil }
        var location = artifactLocation
        var uri = try artifactLocation.string("uri")
        if uri?.isEmpty ?? true {
            guard let index = try artifactLocation.int("index"), artifacts.indices.contains(index),
                let artifactURI = try artifacts[index].requireObject().object("location")
            else { return nil }
            location = artifactURI
            uri = try artifactURI.string("uri")
        }
        guard let uri, !uri.isEmpty else { return nil }
        // The artifact location's own base, else the one of the artifact it points at.
        var baseID = try artifactLocation.string("uriBaseId")
        if baseID == nil { baseID = try location.string("uriBaseId") }
        guard !SARIFVocabulary.isWebURL(uri) else { return uri }
        let path = uriBases.resolve(uri, baseID: baseID)
        guard let root = repositoryRoot, path.hasPrefix(root), path.count > root.count else { return path }
        return String(path.dropFirst(root.count))
    }

    /// The CWE id a result's `taxa` entry names, when its taxonomy is CWE.
    func cweTaxon(_ taxon: JSONValue) throws(JSONAccessError) -> String? {
        let reference = try taxon.object("toolComponent")
        var taxonomy: JSONValue?
        if let index = try reference?.int("index"), taxonomies.indices.contains(index) {
            taxonomy = try taxonomies[index].requireObject()
        } else if let name = try reference?.string("name") {
            taxonomy = taxonomies.first { $0["name"]?.stringValue == name }
        }
        let ownName = try taxonomy?.string("name")
        let taxonomyName = try reference?.string("name") ?? ownName
        var id = try taxon.identifier("id")
        if id == nil, let index = try taxon.int("index"), let taxa = try taxonomy?.array("taxa"),
            taxa.indices.contains(index)
        {
            id = try taxa[index].requireObject().identifier("id")
        }
        guard let id else { return nil }
        if taxonomyName?.uppercased() == "CWE" { return id }
        return taxonomyName == nil && id.uppercased().hasPrefix("CWE-") ? id : nil
    }
}

/// A run's `originalUriBaseIds`: named base URIs, each maybe relative to another.
private struct SARIFURIBases {
    private var bases: [String: (uri: String, baseID: String?)] = [:]
    /// Each base's path, resolved once for all the results that stand on it.
    private var resolvedBases: [String: String] = [:]

    init(_ value: JSONValue?) throws(JSONAccessError) {
        guard let value else { return }
        for (name, baseValue) in try value.requireObject().members {
            guard let uri = try baseValue.requireObject().string("uri") else { continue }
            bases[name] = (uri, try baseValue.string("uriBaseId"))
        }
        for name in bases.keys.sorted() {
            guard let base = bases[name] else { continue }
            let resolved = resolve(base.uri, baseID: base.baseID, depth: 1)
            // Every result joins its base again: a base of a megabyte shared by thousands of
            // results made gigabytes of paths (found by fuzzing). A base is a directory or a
            // site: none is this long (Linux allows a path 4,096 bytes).
            guard resolved.utf8.count <= Self.maximumBaseByteCount else {
                throw (value[name] ?? value).error(
                    "the base \(name) is \(resolved.utf8.count) bytes long, more than the \(Self.maximumBaseByteCount) "
                        + "a directory or site can have")
            }
            resolvedBases[name] = resolved
        }
    }

    /// The longest base (`originalUriBaseIds`) read, resolved.
    static let maximumBaseByteCount = 16_384

    /// `uri` as a path: percent-decoded, a `file:` URI as its absolute path, a relative one
    /// joined to its base's path when the base is defined (following at most 8 bases, so a
    /// cycle ends), `./` segments dropped.
    func resolve(_ uri: String, baseID: String?, depth: Int = 0) -> String {
        let decoded = uri.removingPercentEncoding ?? uri
        var path: String
        if let filePath = Self.filePath(decoded) {
            path = filePath
        } else if decoded.hasPrefix("/") || baseID == nil || depth >= 8 {
            path = decoded
        } else if let baseID, let base = bases[baseID] {
            // A result's base (depth 0) was resolved at depth 1 when the run was read.
            let basePath =
                depth == 0 ? resolvedBases[baseID] ?? "" : resolve(base.uri, baseID: base.baseID, depth: depth + 1)
            path = basePath.isEmpty || basePath.hasSuffix("/") ? basePath + decoded : basePath + "/" + decoded
        } else {
            path = decoded
        }
        return Self.withoutDotSegments(path)
    }

    /// `path` without its leading `./` and its inner `/./`, in one pass each: removed one at a
    /// time, each removal moved or searched the whole rest (300,000 leading `./` took minutes).
    /// Characters, as the loops compared them: a `/` carrying a combining mark is no separator.
    /// `./` alone names the repository itself (mobsfscan): kept, not emptied.
    static func withoutDotSegments(_ path: String) -> String {
        let characters = Array(path)
        var leading = 0
        while characters.count - leading > 2, characters[leading] == ".", characters[leading + 1] == "/" {
            leading += 2
        }
        var kept = ""
        kept.reserveCapacity(path.utf8.count)
        var position = leading
        while position < characters.count {
            // Inner `.` segments: between two slashes, never the first or the last segment.
            if characters[position] == "/", position + 2 < characters.count, characters[position + 1] == ".",
                characters[position + 2] == "/"
            {
                position += 2  // the `/.`; the next `/` is kept (and may start another `/./`)
                continue
            }
            kept.append(characters[position])
            position += 1
        }
        return kept
    }

    /// The directory every absolute base lies in (`/repo/` for `/repo/frontend/` and
    /// `/repo/backend/`), ending in `/`; nil when no base is absolute.
    var sharedAbsoluteDirectory: String? {
        let absolute = bases.keys.sorted().map { resolve("", baseID: $0) }.filter { $0.hasPrefix("/") }
        // Each base's directory (a base names one; its last part, empty after a final `/` or a
        // file name, is not), then the parts they all start with.
        let directories = absolute.map { $0.split(separator: "/", omittingEmptySubsequences: false).dropLast() }
        guard var shared = directories.first.map(Array.init) else { return nil }
        for parts in directories.dropFirst() {
            shared = Array(zip(shared, parts).prefix { $0 == $1 }.map(\.0))
        }
        return shared.joined(separator: "/") + "/"
    }

    /// The absolute path of a `file:` URI (`file:///a/b`, `file://localhost/a/b`, `file:/a/b`).
    private static func filePath(_ uri: String) -> String? {
        guard uri.lowercased().hasPrefix("file:") else { return nil }
        var rest = uri.dropFirst("file:".count)
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            // An authority before the path: none (`file:///`) or `localhost`.
            rest = rest.drop { $0 != "/" }
        }
        return String(rest)
    }
}

// MARK: - Vocabulary

private enum SARIFVocabulary {
    static let unknownRuleID = "unknown-rule"
    /// Result kinds that say "no problem here".
    static let nonProblemKinds: Set<String> = ["pass", "notApplicable", "informational"]
    /// Result kinds that say "maybe a problem": the tool could not tell (`open`), or leaves it
    /// to a person (`review`).
    static let undecidedKinds: Set<String> = ["open", "review"]
    /// Properties whose value is a severity word, in the order read.
    static let severityProperties = ["severity", "issue_severity"]
    /// dependency-check's CVSS severity and score properties, newest version first.
    static let cvssSeverityProperties: [(severity: String, score: String, version: CVSSVersion)] = [
        ("cvssv3_baseSeverity", "cvssv3_baseScore", .v3), ("cvssv2_severity", "cvssv2_score", .v2),
    ]

    /// What a `security-severity` value says.
    enum SecuritySeverity {
        /// A score GitHub uses: 0.1 to 10, with its text as written.
        case score(Double, text: String)
        /// A severity word (`CRITICAL`…`LOW`, `UNKNOWN`), as written.
        case word(Severity, text: String)
        /// 0 to below 0.1: GitHub's "no security severity" (Trivy writes `0.0` when it has no score).
        case noScore
        /// A number outside 0–10 or not finite: as written, quoted. GitHub ignores it (the level
        /// decides).
        case unusable(String)
        /// Neither a number nor a severity word, or another type: GitHub refuses the upload.
        case notANumber(String)
    }

    /// Reads a `security-severity`: a number, a string holding one, or a severity word.
    static func securitySeverity(_ value: JSONValue) -> SecuritySeverity {
        let text: String
        switch value.kind {
        case .string: text = String((value.stringValue ?? "").filter { !$0.isWhitespace })
        case .number: text = value.rawText
        default: return .notANumber("of type \(value.kind)")
        }
        guard let score = Double(text) else {
            if let severity = Severity(label: text) { return .word(severity, text: text) }
            return .notANumber("\"\(text.prefix(40))\"")
        }
        guard score.isFinite, score >= 0, score <= 10 else { return .unusable("\"\(text)\"") }
        return score < 0.1 ? .noScore : .score(score, text: text)
    }

    /// `CWE-79` from the tag forms `external/cwe/cwe-079`, `CWE-79`, `cwe-79` and Semgrep's
    /// `CWE-79: Improper Neutralization…`; nil for tags that are not about a CWE.
    static func cweTag(_ tag: String) -> String? {
        let lower = tag.lowercased()
        let rest: Substring
        if lower.hasPrefix("external/cwe/cwe-") {
            rest = lower.dropFirst("external/cwe/cwe-".count)
        } else if lower.hasPrefix("cwe-") {
            rest = lower.dropFirst("cwe-".count)
        } else {
            return nil
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : "CWE-" + digits
    }

    static func isWebURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// Whether the text is one http(s) URL and nothing else.
    static func isBareURL(_ text: String) -> Bool {
        isWebURL(text) && !text.contains(where: \.isWhitespace)
    }

    static func withoutQueryAndFragment(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }

    /// Fills a SARIF message string: `{n}` is argument n, `{{` and `}}` are literal braces.
    /// A placeholder without an argument is kept as written.
    ///
    /// One pass over the format (a placeholder's digits are read where they start, never
    /// searched for), and the result is cut at ``maximumSubstitutedLength``: `{0}` repeated
    /// 40,000 times with a 10 KB argument would otherwise make 400 MB of one message from a 120 KB
    /// file.
    static func substitute(_ format: String, arguments: [String]) -> String {
        guard format.utf8.contains(UInt8(ascii: "{")) || format.utf8.contains(UInt8(ascii: "}")) else {
            return format
        }
        let bytes = Array(format.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var cut = false
        while index < bytes.count {
            if output.count > maximumSubstitutedLength {
                cut = true
                break
            }
            let byte = bytes[index]
            if (byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")) && index + 1 < bytes.count
                && bytes[index + 1] == byte
            {
                output.append(byte)
                index += 2
                continue
            }
            if byte == UInt8(ascii: "{") {
                // `{` then 1 to 9 ASCII digits then `}`: a placeholder.
                var end = index + 1
                var number = 0
                while end < bytes.count, end - index <= 9, (0x30...0x39).contains(bytes[end]) {
                    number = number * 10 + Int(bytes[end] - 0x30)
                    end += 1
                }
                if end > index + 1, end < bytes.count, bytes[end] == UInt8(ascii: "}"),
                    arguments.indices.contains(number)
                {
                    output.append(contentsOf: arguments[number].utf8)
                    index = end + 1
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        if cut || output.count > maximumSubstitutedLength {
            // Cut on a character boundary, then say so.
            var length = min(output.count, maximumSubstitutedLength)
            while length > 0, output[length] & 0xC0 == 0x80 { length -= 1 }
            return String(decoding: output[..<length], as: UTF8.self) + " … (message cut: its arguments made it longer "
                + "than \(maximumSubstitutedLength) bytes)"
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The longest a message's text becomes once its arguments are filled in.
    static let maximumSubstitutedLength = 256 << 10
}

extension SARIFAdapter {
    /// The CVE or GHSA id a rule id is or starts with: Grype names its rules
    /// `CVE-2008-0732-geronimo-j2ee-…` (the id, then the package).
    public static func leadingAdvisoryID(_ ruleID: String) -> String? {
        let parts = ruleID.split(separator: "-", omittingEmptySubsequences: false)
        for count in [3, 4] where parts.count >= count {
            let candidate = Identifiers.normalize(parts.prefix(count).joined(separator: "-"))
            if Identifiers.isCVE(candidate) || Identifiers.isGHSA(candidate) { return candidate }
        }
        return nil
    }
}
