import Findings
import ScanGateJSON

/// A tool whose run the SARIF file must contain even when it reported nothing: an empty run is
/// how GitHub learns that the tool's earlier alerts in this category are fixed.
public struct SARIFTool: Sendable, Hashable {
    /// The name findings carry in their provenance (`trivy`, `npm-audit`, `zap`, a SARIF driver).
    public var name: String
    public var version: String?
    /// For a scan of one container image (a Trivy image report), the image's scope
    /// (``FindingIdentity/imageScope(_:)``): the findings in it get a run, and a category, of
    /// their own, apart from the tool's other scans, so that a scan of one target that checked
    /// nothing never empties another's alerts.
    public var image: String?
    /// The report file, as findings' provenance names it (``Provenance/reportFile``): only its
    /// findings are the image's run's.
    public var report: String?

    public init(name: String, version: String? = nil, image: String? = nil, report: String? = nil) {
        self.name = name
        self.version = version
        self.image = image
        self.report = report
    }
}

/// A report whose scan checked nothing (``EmptyScan``), by the tool that wrote it. It gets no
/// run of its own: an empty run would tell GitHub the tool's earlier alerts are fixed, when the
/// scan only saw nothing (the site was down, the image had no packages it knew).
public struct SARIFEmptyReport: Sendable, Hashable {
    /// The tool, as ``SARIFTool/name`` names it.
    public var tool: String
    public var scan: EmptyScan
    /// The image it is a scan of, as ``SARIFTool/image``.
    public var image: String?

    public init(tool: String, scan: EmptyScan, image: String? = nil) {
        self.tool = tool
        self.scan = scan
        self.image = image
    }
}

/// How ``SARIFWriter`` writes a file.
public struct SARIFOptions: Sendable {
    /// GitHub's analysis category (`ci/main`). Each run's `automationDetails.id` is
    /// `<category>/<tool>/` (`<category>/<tool>/<image>/` for a scan of one image), so GitHub
    /// reads the category `<category>/<tool>` and no two runs of one file share tool and
    /// category. Empty means `scangate`.
    public var category: String
    /// The directory the scanners ran in (the repository root). With it, package findings point
    /// at the line declaring the package, and GitHub's line hashes are computed from the files.
    /// Without it, no file is read.
    public var sourceRoot: String?
    /// The Dockerfile that builds the scanned images, relative to the source root (or absolute).
    /// Image findings point at it; without it they point at `.scangate/images/<repository>`.
    public var dockerfile: String?
    /// ScanGate's version, recorded in each run's properties.
    public var scangateVersion: String?
    /// Tools whose reports were read and checked something: each gets a run, even an empty one.
    public var tools: [SARIFTool]
    /// Reports that checked nothing, left out of ``tools``: a tool with no other report and no
    /// finding gets no run, so GitHub keeps its alerts from the last analysis; the file's notes
    /// say so, or, when the tool's run holds other reports' findings, that alerts only this report
    /// found before will be closed.
    public var emptyReports: [SARIFEmptyReport]
    /// Whether findings a tool suppressed are written (as results with a SARIF `suppressions`
    /// entry of kind `external`). Off by default: GitHub code scanning does not read
    /// `suppressions` (it is not in the SARIF subset GitHub supports), so such a result becomes an
    /// open alert, which can fail a pull request's check (codeql-action#1230). Left out, an alert
    /// uploaded for it before is closed as fixed. On for a consumer that reads `suppressions`.
    public var includeSuppressed: Bool
    public var limits: SARIFLimits
    /// Indented output (default) or compact. Indented applies to files within the gzip size
    /// limit uncompressed (10 MB); a larger file is written compact (see ``SARIFWriter``).
    public var pretty: Bool
    /// Whether each rule's plain-text help is the brief form (title and id, affected, fix)
    /// instead of the whole text the Markdown help also holds: the writer sets it for a file
    /// that may be near the gzip limit (``SARIFWriter``); callers in this module (tests) set it
    /// to render that form whatever the size.
    var briefRuleHelp = false

    public init(
        category: String = "scangate", sourceRoot: String? = nil, dockerfile: String? = nil,
        scangateVersion: String? = nil, tools: [SARIFTool] = [], emptyReports: [SARIFEmptyReport] = [],
        includeSuppressed: Bool = false, limits: SARIFLimits = .github, pretty: Bool = true
    ) {
        self.emptyReports = emptyReports
        self.category = category
        self.sourceRoot = sourceRoot
        self.dockerfile = dockerfile
        self.scangateVersion = scangateVersion
        self.tools = tools
        self.includeSuppressed = includeSuppressed
        self.limits = limits
        self.pretty = pretty
    }
}

/// One result left out of the file to stay within GitHub's limits.
public struct SARIFDrop: Sendable, Hashable, CustomStringConvertible {
    /// Which limit forced the drop.
    public enum Reason: String, Sendable, Hashable {
        /// More runs than GitHub accepts in one file: the least severe runs were left out whole.
        case runsPerFile = "runs per file"
        /// More results in one run than GitHub accepts: the least severe were left out.
        case resultsPerRun = "results per run"
        /// The gzip-compressed file was over GitHub's size limit: the least severe were left out.
        case fileSize = "gzip size"
    }

    /// The run the result was left out of (its tool, or `trivy for image …`). A finding several
    /// tools reported may be kept in one run and dropped from another.
    public var tool: String
    public var ruleID: String
    public var severity: Severity
    public var isSuppressed: Bool
    public var fingerprint: String
    public var reason: Reason

    public var description: String {
        "dropped from run \(tool): \(severity.rawValue)\(isSuppressed ? " (suppressed)" : "") \(ruleID) "
            + "fingerprint \(fingerprint) (limit: \(reason.rawValue))"
    }
}

/// A SARIF file and what had to be left out of it.
public struct SARIFOutput: Sendable {
    /// The SARIF 2.1.0 file, UTF-8 JSON ending in a newline.
    public var bytes: [UInt8]
    /// Every result left out for GitHub's limits, most severe first (open before suppressed);
    /// within a severity, in the order the limits were applied (runs, results per run, size).
    public var dropped: [SARIFDrop]
    /// One line per limit that forced drops or truncation, with exact counts.
    public var notes: [String]
    /// The gzip size GitHub's limit was checked against: the exact size at zlib level 6, as
    /// codeql-action's `upload-sarif` sends it (ScanGate's uploader sends level 9, or level 6 when
    /// that is smaller and level 9 would be over: ``gzipForUpload(_:limit:)``), whenever the file
    /// comes near the limit; for a file well within it, an upper bound of that size (see
    /// ``SARIFWriter``); `Int.max` if zlib failed.
    public var gzipBytes: Int
    /// The files under the source root read to anchor results (lock files, the Dockerfile),
    /// absolute: inputs, which the command must not write its output over.
    public var sourceFilesRead: [String] = []

    /// How many dropped results ``noteLines(whereListed:)`` names one by one.
    public static let droppedNamedInNotes = 20

    /// What to tell the user, one `note: …` line each: the notes (exact counts per limit and
    /// severity), the first ``droppedNamedInNotes`` dropped results by name, and, when more were
    /// dropped, how many more and `whereListed` (where ``droppedListing`` was written, or how to
    /// have it written). A report far over GitHub's limits drops tens of thousands of results;
    /// naming all of them on standard error would bury the notes that matter in a CI log.
    public func noteLines(whereListed: String) -> [String] {
        var lines = notes.map { "note: \($0)" }
        lines += dropped.prefix(Self.droppedNamedInNotes).map { "note: \($0)" }
        let unnamed = dropped.count - Self.droppedNamedInNotes
        if unnamed > 0 {
            lines.append(
                "note: \(unnamed) more dropped result\(unnamed == 1 ? "" : "s") not named here; \(whereListed)")
        }
        return lines
    }

    /// Every dropped result, one line each as the notes name them (without `note: `), most
    /// severe first; empty when nothing was dropped.
    public var droppedListing: [UInt8] {
        var listing: [UInt8] = []
        for drop in dropped {
            listing += drop.description.utf8
            listing.append(UInt8(ascii: "\n"))
        }
        return listing
    }
}

/// Writes findings as one SARIF 2.1.0 log that GitHub code scanning accepts.
///
/// - One run per tool, `automationDetails.id` = `<category>/<tool>/`: each finding goes into the
///   run of every tool in its provenance. Given ``FindingSet/init(mergingEachToolApart:)``, as
///   the commands give it, each run is what that tool alone reports, whatever else is uploaded.
/// - Rules de-duplicated per run; `security-severity` on the rule as a numeric string.
/// - Every result has a file location GitHub accepts (see ``AnchorResolver``), and
///   `partialFingerprints` with ScanGate's fingerprint (`scangateFingerprint/v1`) and
///   `primaryLocationLineHash`.
/// - Within GitHub's limits: the most severe results are kept and the rest listed in
///   ``SARIFOutput/dropped``. A file larger than the gzip limit uncompressed is written compact
///   whatever ``SARIFOptions/pretty`` says: whitespace is given up before any result is. A file
///   the size estimate does not put clearly under the gzip limit also gives up its rules'
///   plain-text help beyond a brief form (GitHub shows the Markdown help, which stays whole; the
///   description is in `fullDescription` too) before any result is.
/// - Deterministic: the same findings and options give byte-identical output.
public enum SARIFWriter {
    /// The `$schema` GitHub's documentation uses.
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    /// Key of ScanGate's fingerprint in `partialFingerprints`.
    public static let fingerprintKey = "scangateFingerprint/v1"

    public static func write(_ set: FindingSet, options: SARIFOptions) -> SARIFOutput {
        let findings = options.includeSuppressed ? set.all : set.open
        var planning = RunPlan.plans(for: findings, options: options)
        var notes: [String] = []
        let imageRuns = planning.plans.count { $0.image != nil }
        if planning.plans.count > options.limits.maximumRuns, imageRuns > 0 {
            // GitHub takes at most 20 runs a file: rather than leave whole images out (which ones
            // would change with their findings), every image's findings join their tool's run.
            planning = RunPlan.plans(for: findings, options: options, splittingImages: false)
            notes.append(
                "\(imageRuns) scanned images would need a run each, and the file more than GitHub's "
                    + "\(options.limits.maximumRuns) runs: their findings are in their tool's run instead, where a scan "
                    + "of one image that checked nothing closes that image's alerts")
        }
        var plans = planning.plans
        var dropped: [SARIFDrop] = []
        notes =
            Self.emptyReportNotes(options.emptyReports, runs: Set(plans.map(\.key)), withheld: planning.withheld)
            + notes
        // Limit priority: open before suppressed, then the FindingSet order (most severe first).
        let rank: (Int) -> (Int, Int) = { index in (findings[index].isOpen ? 0 : 1, index) }

        func drop(_ index: Int, from plan: RunPlan, _ reason: SARIFDrop.Reason) -> SARIFDrop {
            let finding = findings[index]
            return SARIFDrop(
                tool: plan.label, ruleID: finding.ruleID, severity: finding.severity, isSuppressed: !finding.isOpen,
                fingerprint: finding.fingerprint, reason: reason)
        }

        if plans.count > options.limits.maximumRuns {
            let ordered = plans.indices.sorted { lhs, rhs in
                let left = plans[lhs].severityProfile(findings)
                let right = plans[rhs].severityProfile(findings)
                return left != right ? left.lexicographicallyPrecedes(right, by: >) : lhs < rhs
            }
            let keep = Set(ordered.prefix(options.limits.maximumRuns))
            for index in plans.indices where !keep.contains(index) {
                let plan = plans[index]
                let lost = plan.entries.map { drop($0, from: plan, .runsPerFile) }
                dropped += lost
                notes.append(
                    "run \(plan.label) (\(plan.automationID)) left out: the file would have \(plans.count) runs, "
                        + "GitHub accepts \(options.limits.maximumRuns); dropped its \(lost.count) results"
                        + Self.breakdown(lost))
            }
            plans = plans.indices.filter(keep.contains).map { plans[$0] }
        }

        // Before GitHub's result limits: a rule describes every result of its run, so one that
        // loses results to a limit still lists where they were found (and no rule changes when
        // results are dropped for size, which the size cut relies on).
        for index in plans.indices {
            plans[index].ruleDescriptions = RuleDescription.rules(of: plans[index].entries, findings: findings)
        }
        for index in plans.indices where plans[index].entries.count > options.limits.maximumResultsPerRun {
            let plan = plans[index]
            let ordered = plan.entries.sorted { rank($0) < rank($1) }
            let kept = Array(ordered.prefix(options.limits.maximumResultsPerRun))
            let lost = ordered.dropFirst(options.limits.maximumResultsPerRun).map {
                drop($0, from: plan, .resultsPerRun)
            }
            dropped += lost
            notes.append(
                "run \(plan.label): \(plan.entries.count) results, GitHub accepts \(options.limits.maximumResultsPerRun) "
                    + "per run; kept the \(kept.count) most severe, dropped \(lost.count)" + Self.breakdown(lost))
            plans[index].entries = kept.sorted()
        }

        // Prepared (anchors, message, line hash) only for what the count limits kept.
        var resolver = AnchorResolver(sourceRoot: options.sourceRoot, dockerfile: options.dockerfile)
        var prepared = [PreparedFinding?](repeating: nil, count: findings.count)
        for plan in plans {
            for entry in plan.entries where prepared[entry] == nil {
                prepared[entry] = PreparedFinding(findings[entry], resolver: &resolver, limits: options.limits)
            }
        }
        // A file within the size limit as it is (nearly every one) is written as asked, indented by
        // default, for a person to read. A larger one is for GitHub: it is written compact, which
        // is smaller gzip-compressed too (more results fit before any is dropped), with fewer
        // bytes to measure, validate, write and upload.
        var renderOptions = options
        renderOptions.pretty = false
        var layout = RenderLayout()
        // Renders the file again with the rules' plain-text help brief or whole (below), the
        // earlier render released first: the two are never needed together.
        func rerender(briefHelp: Bool) {
            renderOptions.briefRuleHelp = briefHelp
            let earlierSize = bytes.count
            bytes = []
            bytes = render(
                plans, findings: findings, prepared: prepared, options: renderOptions, layout: &layout,
                capacity: earlierSize + earlierSize / 2)
        }
        // A file expected at ten times the gzip limit and more (SARIF compresses about tenfold)
        // is likely near or over it: its rules' plain-text help is brief from the start, rather
        // than rendered whole and then again. Only an optimisation: whether the help stays brief
        // is decided below as for any file, the whole help rendered where that says so.
        let limit = options.limits.maximumGzipBytes
        let expectedBytes = Self.expectedCompactBytes(plans, prepared: prepared)
        if expectedBytes > 10 * limit { renderOptions.briefRuleHelp = true }
        var bytes = render(
            plans, findings: findings, prepared: prepared, options: renderOptions, layout: &layout,
            capacity: expectedBytes)
        // Expected large but small after all (short results): whole, as any file of its size.
        if renderOptions.briefRuleHelp, !options.briefRuleHelp, bytes.count <= 4 * limit {
            rerender(briefHelp: false)
        }
        var sizeDrops: [SARIFDrop] = []
        var ordered: [(plan: Int, finding: Int)] = []
        // Keeps the first `kept` of `ordered` (most severe first), records the rest as dropped for
        // size and renders again, copying unchanged rules from the render before.
        func cut(keeping kept: Int) {
            for entry in ordered[kept...] {
                sizeDrops.append(drop(entry.finding, from: plans[entry.plan], .fileSize))
            }
            Self.remove(ordered[kept...], from: &plans)
            ordered.removeSubrange(kept...)
            let earlier = (layout: layout, bytes: bytes)
            bytes = render(
                plans, findings: findings, prepared: prepared, options: renderOptions, layout: &layout,
                capacity: earlier.bytes.count, reusing: earlier)
        }
        // A file that fits is settled as cheaply as possible (`cheapGzipBound`): one smaller than
        // the limit by zlib's bound, one up to four times the limit (SARIF compresses about
        // tenfold) by a level-1 pass. A larger one is sized from an estimate instead of rounds of
        // full renders: each result and rule costs its rendered bytes times its section's
        // compression ratio. When the whole file is clearly over (beyond the estimate's error), the
        // longest most-severe prefix that fits with a small margin is kept without measuring the
        // whole first. A file near the limit is measured exactly.
        var settled: Int?
        if options.pretty, bytes.count <= limit {
            // Indenting the compact bytes gives what a pretty render would. A file no cheap bound
            // settles (text that hardly compresses, near the limit) is rendered indented after
            // all: should it need a cut, the cut needs the layout of the bytes it cuts.
            let indented = JSONWriter.indented(compact: bytes)
            if let bound = Self.cheapGzipBound(indented, limit: limit, tryingLevel1: indented.count <= 4 * limit) {
                bytes = indented
                settled = bound
            } else {
                renderOptions.pretty = true
                bytes = render(
                    plans, findings: findings, prepared: prepared, options: renderOptions, layout: &layout,
                    capacity: indented.count)
            }
        } else {
            settled = Self.cheapGzipBound(bytes, limit: limit, tryingLevel1: bytes.count <= 4 * limit)
        }
        let triedLevel1 = bytes.count <= 4 * limit
        if settled == nil, bytes.count > limit {
            for (planIndex, plan) in plans.enumerated() { ordered += plan.entries.map { (planIndex, $0) } }
            ordered.sort {
                rank($0.finding) != rank($1.finding) ? rank($0.finding) < rank($1.finding) : $0.plan < $1.plan
            }
            var model = layout.sizeModel(of: bytes)
            // Plain-text help, which GitHub does not show when there is Markdown, repeats each
            // rule's description and references: about a tenth of a large file gzip-compressed,
            // room for that many more results. Given up first when the estimate does not put
            // the file with its whole help clearly under the limit (70 %), whether or not it
            // turns out to be over. A file brief from the start that the estimate puts clearly
            // under is rendered whole and judged again.
            func clearlyUnder(_ model: RenderLayout.SizeModel) -> Bool {
                model.keptCount(ordered, fitting: limit / 10 * 7) == ordered.count
            }
            if !options.briefRuleHelp {
                if renderOptions.briefRuleHelp, clearlyUnder(model) {
                    rerender(briefHelp: false)
                    model = layout.sizeModel(of: bytes)
                }
                if !renderOptions.briefRuleHelp, !clearlyUnder(model) {
                    rerender(briefHelp: true)
                    model = layout.sizeModel(of: bytes)
                }
            }
            if model.keptCount(ordered, fitting: limit + limit / 10) < ordered.count {
                cut(keeping: model.keptCount(ordered, fitting: limit - limit / 50))
            } else if !triedLevel1, clearlyUnder(model) {
                // The estimate puts it under 70 % of the limit: a level-1 pass likely settles it.
                settled = Self.cheapGzipBound(bytes, limit: limit, tryingLevel1: true)
            }
        }
        // Successive cuts share the file up to the rules only dropped results used (a cut changes
        // no rule's text): each exact measure after the first compresses only from there on.
        var meter = GzipSizeMeter(level: Self.measuringLevel)
        var gzipSize = settled ?? meter.measuredSize(of: bytes)
        // The estimate can land over the limit (rules shared by kept and dropped results, text
        // that compresses worse than its section): drop a share proportional to the excess, with a
        // margin and at least 1 %, until the file fits.
        while gzipSize > limit, !ordered.isEmpty {
            let excess = 1.0 - Double(limit) / Double(gzipSize)
            let proportional = Int((Double(ordered.count) * excess * 1.25).rounded(.up))
            cut(keeping: ordered.count - min(ordered.count, max(1, ordered.count / 100, proportional)))
            gzipSize = meter.measuredSize(of: bytes)
        }
        if !sizeDrops.isEmpty {
            // Each rule id's order key built once: tens of thousands of drops share a few severities.
            sizeDrops = sizeDrops.map { ($0, IDOrder($0.ruleID)) }.sorted { left, right in
                let (lhs, rhs) = (left.0, right.0)
                let leftGroup = (
                    lhs.isSuppressed ? 1 : 0, Severity.descending.firstIndex(of: lhs.severity) ?? 0, lhs.tool
                )
                let rightGroup = (
                    rhs.isSuppressed ? 1 : 0, Severity.descending.firstIndex(of: rhs.severity) ?? 0, rhs.tool
                )
                if leftGroup != rightGroup { return leftGroup < rightGroup }
                if left.1 != right.1 { return left.1 < right.1 }
                return lhs.fingerprint < rhs.fingerprint
            }
            .map(\.0)
            dropped += sizeDrops
            notes.append(
                "the file was over GitHub's limit of \(options.limits.maximumGzipBytes) bytes gzip-compressed; "
                    + "dropped the \(sizeDrops.count) least severe results" + Self.breakdown(sizeDrops)
                    + "; now \(gzipSize) bytes")
        }
        if renderOptions.briefRuleHelp, !options.briefRuleHelp {
            notes.append(
                "each rule's plain-text help is brief (title, affected, fix), as in every file that may be near GitHub's limit "
                    + "of \(limit) bytes gzip-compressed; its Markdown help, which GitHub shows, is whole")
        }
        for plan in plans where plan.entries.count > options.limits.keptResultsPerRun {
            notes.append(
                "run \(plan.label): \(plan.entries.count) results; GitHub shows only the top "
                    + "\(options.limits.keptResultsPerRun) by severity")
        }
        let truncated = plans.flatMap(\.entries).filter { (prepared[$0]?.omittedLocations ?? 0) > 0 }
        if !truncated.isEmpty {
            notes.append(
                "\(truncated.count) results had more than \(options.limits.keptLocationsPerResult) locations; "
                    + "kept the first \(options.limits.keptLocationsPerResult) of each (GitHub uses only the first)")
        }
        // Most severe first across the limits too (a size cut can drop high results after a run
        // limit dropped low ones), so that the first dropped results named are the ones that matter.
        let mostSevereFirst = dropped.enumerated().sorted { lhs, rhs in
            (lhs.element.isSuppressed ? 1 : 0, -lhs.element.severity.rank, lhs.offset)
                < (rhs.element.isSuppressed ? 1 : 0, -rhs.element.severity.rank, rhs.offset)
        }
        var output = SARIFOutput(
            bytes: bytes, dropped: mostSevereFirst.map(\.element), notes: notes, gzipBytes: gzipSize)
        output.sourceFilesRead = resolver.tree.filesRead
        return output
    }

    /// What the file does with each report that checked nothing: its run (the tool's, or its
    /// image's) is not in the file (GitHub keeps the alerts it had), or holds other reports'
    /// findings (alerts only this one found before are closed as fixed, which the reader should
    /// know).
    /// `withheld`: per image run left out, how many findings were left out with it.
    static func emptyReportNotes(
        _ reports: [SARIFEmptyReport], runs: Set<RunPlan.Key>, withheld: [RunPlan.Key: Int] = [:]
    ) -> [String] {
        reports.map { report in
            let tool = RunPlan.toolName(report.tool)
            // Its image's run, when images have runs of their own (else its tool's).
            let imageKey = report.image.map { RunPlan.Key(tool: tool, image: $0) }
            let key =
                imageKey.flatMap { runs.contains($0) || withheld[$0] != nil ? $0 : nil } ?? RunPlan.Key(tool: tool)
            let run = RunPlan.label(of: key)
            let forImage = key.image == nil ? "" : " for the image"
            let what = "\(report.scan.report) \(report.scan.isCertain ? "checked" : "may have checked") nothing: "
            if runs.contains(key) {
                // A part of a report that may have checked nothing (one of its SARIF runs) shares
                // the tool's run with the report's other runs of that tool.
                let others = report.scan.isCertain ? "other reports' findings" : "findings of other reports or runs"
                let this = report.scan.isCertain ? "this report" : "this scan"
                return what + "the run of \(run) holds only \(others), so GitHub closes as fixed any earlier "
                    + "\(tool) alert\(forImage) only \(this) found"
            }
            let count = withheld[key] ?? 0
            let findingsToo =
                count == 0 ? "" : " (its \(count) finding\(count == 1 ? " is" : "s are") left out of the file too)"
            return what + "no run of \(run) in the file\(findingsToo), so GitHub keeps the \(tool) alerts\(forImage) "
                + "of the last analysis instead of closing them as fixed"
        }
    }

    /// `: 2 critical, 1 low` (empty when nothing was lost).
    static func breakdown(_ drops: [SARIFDrop]) -> String {
        guard !drops.isEmpty else { return "" }
        var parts: [String] = []
        for severity in Severity.descending {
            let open = drops.count { $0.severity == severity && !$0.isSuppressed }
            if open > 0 { parts.append("\(open) \(severity.rawValue)") }
        }
        let suppressed = drops.count(where: \.isSuppressed)
        if suppressed > 0 { parts.append("\(suppressed) suppressed") }
        return " (" + parts.joined(separator: ", ") + ")"
    }

    // MARK: Rendering

    /// The level GitHub's own upload path compresses at: codeql-action's `upload-sarif` gzips
    /// with Node's default, zlib level 6. ScanGate's uploader sends level 9 unless that is over the
    /// limit and level 6 smaller (``gzipForUpload(_:limit:)``), so a file measured here fits
    /// either way of uploading it.
    static let measuringLevel: Int32 = 6

    /// An upper bound of the file's gzip size at ``measuringLevel`` that shows it fits, when one
    /// is cheap to find; nil when none is (then the exact size is measured):
    /// - zlib's guaranteed bound (`deflateBound`) when even that is within the limit: a file
    ///   smaller than the limit needs no compressing to be known to fit;
    /// - with `tryingLevel1`, the file's level-1 size when that is within 90 % of the limit:
    ///   levels 6 (codeql-action) and 9 (ScanGate's uploader) compress JSON at least as well as
    ///   level 1 (0–4 % smaller on every SARIF file ScanGate writes for the shared corpus, which
    ///   a test checks), and the 10 % margin covers what no file showed. Level 1 runs about
    ///   three times as fast as level 6.
    static func cheapGzipBound(_ bytes: [UInt8], limit: Int, tryingLevel1: Bool) -> Int? {
        if let bound = gzipSizeBound(byteCount: bytes.count, level: measuringLevel), bound <= limit { return bound }
        if tryingLevel1, let quick = try? gzipCompressedSize(bytes, level: 1), quick <= limit - limit / 10 {
            return quick
        }
        return nil
    }

    /// Takes the given (plan, finding) entries out of their runs.
    static func remove(_ entries: ArraySlice<(plan: Int, finding: Int)>, from plans: inout [RunPlan]) {
        var removal: [Int: Set<Int>] = [:]
        for entry in entries { removal[entry.plan, default: []].insert(entry.finding) }
        for (planIndex, removed) in removal { plans[planIndex].entries.removeAll(where: removed.contains) }
    }

    /// A generous guess of the compact file's size: the buffer it is rendered into is reserved
    /// once. Grown by doubling instead, a 150 MB render would touch twice its size in memory and
    /// hold the old and the new buffer at once while copying; reserved and untouched memory costs
    /// nothing (the kernel backs only the pages written).
    static func expectedCompactBytes(_ plans: [RunPlan], prepared: [PreparedFinding?]) -> Int {
        // About 4 KB per result covers its rule's help (the bulk of a large file) on every report
        // of the benchmark; a larger file grows the buffer as usual.
        var bytes = 1 << 16
        for plan in plans {
            for entry in plan.entries { bytes += 4_096 + (prepared[entry]?.message.utf8.count ?? 0) }
        }
        return bytes
    }

    /// Renders the file into a buffer of `capacity` bytes (grown if it needs more) and records in
    /// `layout` where each run's rules and results landed. With `earlier`, an earlier render of
    /// the same runs (in the same order) that had more results, rules are copied from it instead
    /// of written again.
    static func render(
        _ plans: [RunPlan], findings: [Finding], prepared: [PreparedFinding?], options: SARIFOptions,
        layout: inout RenderLayout, capacity: Int, reusing earlier: (layout: RenderLayout, bytes: [UInt8])? = nil
    ) -> [UInt8] {
        layout = RenderLayout()
        var writer = JSONWriter(pretty: options.pretty, reservingCapacity: capacity)
        writer.beginObject()
        writer.field("$schema", schemaURI)
        writer.field("version", "2.1.0")
        writer.key("runs")
        writer.beginArray()
        for (index, plan) in plans.enumerated() {
            let earlierRun = earlier.flatMap { index < $0.layout.runs.count ? ($0.layout.runs[index], $0.bytes) : nil }
            layout.runs.append(
                writeRun(
                    plan, findings: findings, prepared: prepared, options: options, reusing: earlierRun, to: &writer))
        }
        writer.endArray()
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    static func writeRun(
        _ plan: RunPlan, findings: [Finding], prepared: [PreparedFinding?], options: SARIFOptions,
        reusing earlier: (run: RenderLayout.Run, bytes: [UInt8])? = nil, to writer: inout JSONWriter
    ) -> RenderLayout.Run {
        var layout = RenderLayout.Run()
        // The rules the kept results reference, in the order of first use.
        var rules: [String] = []
        var ruleIndex: [String: Int] = [:]
        for entry in plan.entries {
            guard let item = prepared[entry], ruleIndex[item.ruleID] == nil else { continue }
            ruleIndex[item.ruleID] = rules.count
            rules.append(item.ruleID)
        }
        writer.beginObject()
        writer.key("tool")
        writer.beginObject()
        writer.key("driver")
        writer.beginObject()
        writer.field("name", plan.tool)
        if let version = plan.toolVersion { writer.field("version", version) }
        writer.key("rules")
        writer.beginArray()
        let rulesStart = writer.bytes.count
        for rule in rules {
            let start = writer.bytes.count
            // A rule's text never changes between renders of one file (RuleDescription).
            if let earlier, let rendered = earlier.run.rules[rule] {
                writer.rawValue(earlier.bytes[rendered.value])
            } else {
                let description = plan.ruleDescriptions[rule] ?? RuleDescription()
                description.write(
                    id: rule, findings: findings, limits: options.limits, briefHelp: options.briefRuleHelp, to: &writer)
            }
            // The value starts at its `{`, after the separator and indentation.
            let valueStart = writer.bytes[start...].firstIndex(of: 0x7B) ?? start
            layout.rules[rule] = RenderLayout.RenderedRule(
                value: valueStart..<writer.bytes.count, bytes: writer.bytes.count - start)
        }
        layout.rulesRange = rulesStart..<writer.bytes.count
        writer.endArray()
        writer.endObject()
        writer.endObject()
        writer.key("automationDetails")
        writer.beginObject()
        writer.field("id", plan.automationID)
        writer.endObject()
        writer.key("results")
        writer.beginArray()
        // GitHub shows results that share rule, primary location and line hash as one alert, so
        // results that would share one each keep their own, ScanGate-derived hash; all of them,
        // not all but the first: GitHub's hash would go to whichever sorted first, and with that
        // one fixed, to another finding, which then took over its alert and its dismissal.
        func realHash(_ item: PreparedFinding) -> (key: String, hash: String)? {
            guard let primary = item.anchors.first, let real = primary.lineHash else { return nil }
            return ([item.ruleID, primary.path, String(primary.startLine), real].joined(separator: "\u{0}"), real)
        }
        var resultsPerRealHash: [String: Int] = [:]
        for entry in plan.entries {
            if let item = prepared[entry], let real = realHash(item) { resultsPerRealHash[real.key, default: 0] += 1 }
        }
        let resultsStart = writer.bytes.count
        for entry in plan.entries {
            let start = writer.bytes.count
            guard let item = prepared[entry] else { continue }
            var lineHash = item.syntheticLineHash
            if let real = realHash(item), resultsPerRealHash[real.key] == 1 { lineHash = real.hash }
            writeResult(
                findings[entry], item, ruleIndex: ruleIndex[item.ruleID] ?? 0, lineHash: lineHash, to: &writer)
            layout.results[entry] = (item.ruleID, writer.bytes.count - start)
        }
        layout.resultsRange = resultsStart..<writer.bytes.count
        writer.endArray()
        writer.key("properties")
        writer.beginObject()
        writer.field("category", plan.category)
        if let version = options.scangateVersion { writer.field("scangateVersion", version) }
        writer.endObject()
        writer.endObject()
        return layout
    }

    static func writeResult(
        _ finding: Finding, _ item: PreparedFinding, ruleIndex: Int, lineHash: String, to writer: inout JSONWriter
    ) {
        writer.beginObject()
        writer.field("ruleId", item.ruleID)
        writer.field("ruleIndex", ruleIndex)
        writer.field("level", SeverityMapping.level(finding.severity))
        writer.key("message")
        writer.beginObject()
        writer.field("text", item.message)
        writer.endObject()
        writer.key("locations")
        writer.beginArray()
        for anchor in item.anchors {
            writer.beginObject()
            writer.key("physicalLocation")
            writer.beginObject()
            writer.key("artifactLocation")
            writer.beginObject()
            // A repository file's path is the file's name as it is: a `%` in it is a `%`. A made-up
            // web path is taken from a URL, whose escapes are already escapes.
            writer.field("uri", URIEncoding.encode(anchor.path, keepingEscapes: anchor.isSynthetic))
            writer.endObject()
            writer.key("region")
            writer.beginObject()
            writer.field("startLine", anchor.startLine)
            if let end = anchor.endLine, end >= anchor.startLine { writer.field("endLine", end) }
            writer.endObject()
            writer.endObject()
            if let message = anchor.message {
                writer.key("message")
                writer.beginObject()
                writer.field("text", message)
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key("partialFingerprints")
        writer.beginObject()
        writer.field("primaryLocationLineHash", lineHash)
        writer.field(fingerprintKey, finding.fingerprint)
        writer.endObject()
        if let suppression = finding.suppression {
            writer.key("suppressions")
            writer.beginArray()
            writer.beginObject()
            writer.field("kind", "external")
            writer.field("status", "accepted")
            var justification = "\(suppression.source): \(suppression.status)"
            if let statement = suppression.statement, !statement.isEmpty { justification += " — " + statement }
            writer.field("justification", justification)
            writer.endObject()
            writer.endArray()
        }
        writer.key("properties")
        writer.beginObject()
        writer.field("severity", finding.severity.rawValue)
        writer.field("kind", finding.kind.rawValue)
        writer.field("tools", finding.tools.map(RunPlan.toolName).sortedUnique())
        if item.anchors.first?.isSynthetic == true { writer.field("syntheticLocation", true) }
        writer.endObject()
        writer.endObject()
    }
}

/// One run to write: its tool, category and the findings (indices into the writer's list).
struct RunPlan {
    /// A run is a tool's, or, for the scans of one container image, the tool's for that image.
    struct Key: Hashable, Comparable {
        var tool: String
        /// The image's scope (``SARIFTool/image``); nil for the tool's other findings.
        var image: String? = nil

        static func < (lhs: Key, rhs: Key) -> Bool {
            // The tool's own run first, then its images'.
            (lhs.tool, lhs.image == nil ? 0 : 1, lhs.image ?? "") < (
                rhs.tool, rhs.image == nil ? 0 : 1, rhs.image ?? ""
            )
        }
    }

    var tool: String
    var toolVersion: String?
    /// The image's scope, for the run of one image's scans.
    var image: String?
    /// `<category>/<tool slug>` (`…/<image slug>`): GitHub's category for this run.
    var category: String
    var automationID: String { category + "/" }
    /// Indices of the run's findings, ascending (FindingSet order): its results, fewer once
    /// GitHub's limits cut some.
    var entries: [Int]
    /// What each rule of the run says, from all its results before GitHub's limits cut any.
    var ruleDescriptions: [String: RuleDescription] = [:]

    var key: Key { Key(tool: tool, image: image) }
    /// `trivy`, or `trivy for image docker.io/library/alpine`, for notes.
    var label: String { Self.label(of: key) }

    static func label(of key: Key) -> String {
        guard let image = key.image else { return key.tool }
        return "\(key.tool) for image \(repository(ofImageScope: image))"
    }

    /// `docker.io/library/alpine` of `image:docker.io/library/alpine`.
    static func repository(ofImageScope scope: String) -> String {
        scope.hasPrefix("image:") ? String(scope.dropFirst("image:".count)) : scope
    }

    /// GitHub needs a non-empty driver name.
    static func toolName(_ raw: String) -> String {
        let trimmed = raw.trimmingLeadingSpaces
        return trimmed.isEmpty ? "unknown" : raw
    }

    /// A report file of one tool.
    struct ReportKey: Hashable {
        var tool: String
        var report: String
    }

    /// The runs to write, and for each image whose scans all checked nothing (its run left out)
    /// how many findings were left out with it (``SARIFWriter/emptyReportNotes(_:runs:withheld:)``).
    struct Planning {
        var plans: [RunPlan]
        var withheld: [Key: Int]
    }

    /// Whether an image scope names a repository (not an id, `image:sha256:…`, that every build
    /// changes), so that its findings can have a run and a category of their own.
    static func isNamedImage(_ scope: String) -> Bool {
        scope.hasPrefix("image:") && !scope.hasPrefix("image:sha256:") && scope != "image:unnamed-image"
    }

    /// One run per tool and, with `splittingImages`, one per named image a report scanned.
    static func plans(for findings: [Finding], options: SARIFOptions, splittingImages: Bool = true) -> Planning {
        var versions: [String: String] = [:]
        var members: [Key: [Int]] = [:]
        // Of several versions of one tool (reports from different runs), the highest release
        // (a version that starts with a digit, in id order) before any other (`dev`): the same
        // reports in any order give the same driver version.
        func note(_ version: String?, of name: String) {
            guard let version else { return }
            if let known = versions[name] {
                let knownIsRelease = known.utf8.first.map { (0x30...0x39).contains($0) } ?? false
                let isRelease = version.utf8.first.map { (0x30...0x39).contains($0) } ?? false
                let isHigher =
                    knownIsRelease != isRelease
                    ? isRelease
                    : Identifiers.precedesInIDOrder(known, version)
                        || (!Identifiers.precedesInIDOrder(version, known) && known < version)
                guard isHigher else { return }
            }
            versions[name] = version
        }
        // The images a report was a scan of (that checked something) have runs of their own,
        // holding that report's findings. Another report's finding in such an image (a
        // Kubernetes scan listing it) stays in its tool's run: a run keeps its findings, and
        // GitHub its alerts, whether the image's own scan is read beside it or not. An image
        // scanned only by reports that checked nothing has no run, and those reports' findings
        // are left out with it: in the tool's run they would move category when the image's scan
        // is whole again. Images known by an id only (which changes with every build) are not
        // split off: a category per build would leave every earlier one's alerts open.
        var imageRuns: [String: Set<String>] = [:]
        var withheldImages: [String: Set<String>] = [:]
        // (tool, report file) → the image scope the report scanned, whole or checking nothing.
        var imageOfReport: [ReportKey: String] = [:]
        if splittingImages {
            for tool in options.tools {
                if let image = tool.image, isNamedImage(image) {
                    imageRuns[toolName(tool.name), default: []].insert(image)
                    if let report = tool.report {
                        imageOfReport[ReportKey(tool: toolName(tool.name), report: report)] = image
                    }
                }
            }
            for report in options.emptyReports {
                let name = toolName(report.tool)
                guard let image = report.image, isNamedImage(image) else { continue }
                imageOfReport[ReportKey(tool: name, report: report.scan.report)] = image
                if imageRuns[name]?.contains(image) != true { withheldImages[name, default: []].insert(image) }
            }
        }
        for tool in options.tools {
            let name = toolName(tool.name)
            let image = tool.image.flatMap { imageRuns[name]?.contains($0) == true ? $0 : nil }
            let key = Key(tool: name, image: image)
            members[key] = members[key] ?? []
            note(tool.version, of: name)
        }
        var withheld: [Key: Int] = [:]
        for (name, images) in withheldImages {
            for image in images { withheld[Key(tool: name, image: image)] = 0 }
        }
        for (index, finding) in findings.enumerated() {
            var seen = Set<Key>()
            let scope = finding.identity.scope
            for source in finding.provenance {
                let name = toolName(source.tool)
                note(source.toolVersion, of: name)
                let report = ReportKey(tool: name, report: source.reportFile)
                var key = Key(tool: name)
                if let image = imageOfReport[report], image == scope {
                    key = Key(tool: name, image: image)
                }
                guard seen.insert(key).inserted else { continue }
                if let image = key.image, withheldImages[name]?.contains(image) == true {
                    withheld[key, default: 0] += 1
                    continue
                }
                members[key, default: []].append(index)
            }
        }
        var category = options.category
        while category.hasSuffix("/") { category.removeLast() }
        if category.isEmpty { category = "scangate" }
        // Nothing at all: one empty run still makes a valid file that says "no findings".
        if members.isEmpty { members[Key(tool: "scangate")] = [] }
        let plans = members.keys.sorted().map { key in
            var runCategory = category + "/" + toolSlug(key.tool)
            if let image = key.image { runCategory += "/" + imageSlug(image) }
            return RunPlan(
                tool: key.tool, toolVersion: versions[key.tool], image: key.image, category: runCategory,
                entries: members[key] ?? [])
        }
        return Planning(plans: plans, withheld: withheld)
    }

    /// Each tool's part of its run's category: its ``slugged(_:)`` name when that is the name
    /// itself (`trivy`, `npm-audit`), else the slug and the first eight hex digits of the name's
    /// SHA-256 (a SARIF driver `Trivy` is `trivy-…`), so that no two tools share a category and
    /// none depends on which other tools were read: a run keeps its category (and GitHub its
    /// alerts) whatever else is uploaded beside it.
    static func toolSlug(_ name: String) -> String {
        let slug = slugged(name)
        return name == slug ? slug : slug + "-" + hashPrefix(of: name)
    }

    /// An image run's last part of its category: the repository slugged, and the first eight
    /// hex digits of its scope's SHA-256, since repositories can slug alike (`acme/api`,
    /// `acme-api`) and two runs of one tool and category would be refused.
    static func imageSlug(_ scope: String) -> String {
        slugged(repository(ofImageScope: scope)) + "-" + hashPrefix(of: scope)
    }

    /// The first eight hex digits of `text`'s SHA-256: what tells apart names that slug alike.
    private static func hashPrefix(of text: String) -> Substring { Fingerprint.sha256Hex(Array(text.utf8)).prefix(8) }

    /// Lower-case letters, digits, `.`, `_` and `-`; anything else becomes `-`.
    static func slugged(_ name: String) -> String {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            let keep =
                (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") || scalar == "." || scalar == "_"
                || scalar == "-"
            let character: Character = keep ? Character(scalar) : "-"
            if character == "-" && slug.hasSuffix("-") { continue }
            slug.append(character)
        }
        // In one step each: removing one character at a time from the front of a String moves
        // the rest every time (a tool named with 3.5 million dots took minutes).
        let trimmed = slug.drop { $0 == "-" || $0 == "." }
        let slugText = String(trimmed.dropLast(trimmed.reversed().prefix { $0 == "-" }.count))
        return slugText.isEmpty ? "tool" : slugText
    }

    /// Open results per severity (most severe first), then suppressed: compared to decide which
    /// runs to keep when there are too many.
    func severityProfile(_ findings: [Finding]) -> [Int] {
        var profile = Severity.descending.map { severity in
            entries.count { findings[$0].isOpen && findings[$0].severity == severity }
        }
        profile.append(entries.count { !findings[$0].isOpen })
        return profile
    }
}

/// Percent-encoding of repository-relative paths for `artifactLocation.uri`.
enum URIEncoding {
    /// Keeps RFC 3986 unreserved characters, `/` and most sub-delimiters, and with
    /// `keepingEscapes` valid `%XX` escapes; encodes everything else (spaces, `:`, non-ASCII, a
    /// `%` of a file name such as `pct%41.txt`, which GitHub would read as `pctA.txt`) as UTF-8
    /// `%XX`.
    static func encode(_ path: String, keepingEscapes: Bool) -> String {
        let bytes = Array(path.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for (offset, byte) in bytes.enumerated() {
            if isKept(byte) {
                output.append(byte)
            } else if keepingEscapes, byte == UInt8(ascii: "%"), offset + 2 < bytes.count, isHex(bytes[offset + 1]),
                isHex(bytes[offset + 2])
            {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isKept(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"): true
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="), UInt8(ascii: "@"):
            true
        default: false
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)
    }
}
