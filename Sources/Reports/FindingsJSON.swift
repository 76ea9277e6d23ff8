import Findings
import Policy
import ScanGateJSON

/// One report that went into a findings document.
public struct ReportSummary: Sendable {
    public var file: String
    public var format: String
    public var variant: String
    public var tool: String
    /// Every tool the report holds results of: ``tool``, and for a SARIF file every run's tool
    /// (``ParsedReport/runTools``), in the report's order without repeats.
    public var tools: [String]
    public var toolVersion: String?
    /// The scopes the report scanned (``RunCoverage``: `source`, `image:docker.io/library/alpine`,
    /// `site:https://app.example`, `k8s:default/Deployment/api`), sorted; empty when it checked
    /// nothing.
    public var targets: [String]
    /// Findings the report listed (before merging), open and suppressed.
    public var findingCount: Int
    public var suppressedCount: Int
    public var warnings: [String]
    /// Why the report's scan checked nothing, when it did not (``ParsedReport/checkedNothing``).
    public var checkedNothing: String?

    public init(
        file: String, format: String, variant: String, tool: String, toolVersion: String?, findingCount: Int,
        suppressedCount: Int, warnings: [String], checkedNothing: String? = nil, runTools: [String] = [],
        scannedScopes: Set<String> = []
    ) {
        self.targets = scannedScopes.sorted()
        self.checkedNothing = checkedNothing
        self.file = file
        self.format = format
        self.variant = variant
        self.tool = tool
        var seen: Set<String> = []
        self.tools = ([tool] + runTools).filter { seen.insert($0).inserted }
        self.toolVersion = toolVersion
        self.findingCount = findingCount
        self.suppressedCount = suppressedCount
        self.warnings = warnings
    }
}

/// The normalized findings as deterministic JSON (`scangate ingest --format json`).
///
/// Every key is always present (null or empty when unknown), in a fixed order; findings are
/// in ``FindingSet`` order; so the same reports give byte-identical output. The fields are
/// documented in the README ("The findings JSON").
public enum FindingsJSON {
    /// The schema identifier written at the top of every document.
    public static let schema = "scangate-findings/1"

    /// - Parameter verdicts: the gate's verdict on each finding, by fingerprint, when a gate
    ///   judged them (`scangate ci`): each finding then says it (`verdict`), so that the document,
    ///   read back as a baseline, does not accept as known what failed the run (or was only
    ///   waived or VEX-suppressed), as a report document's decision does not.
    /// - Parameter environment: the environment whose policy gave the verdicts, written as
    ///   `environment` with them: read back as another environment's baseline, the gate warns
    ///   that what this one accepted counts as known there, as for a report document.
    public static func encode(
        _ set: FindingSet, reports: [ReportSummary], verdicts: [String: Verdict]? = nil, environment: String? = nil
    ) -> [UInt8] {
        // About 4 KB per finding, reserved once: grown by doubling instead, a 140 MB document
        // would hold the old and the new buffer at once while copying (untouched memory is free).
        var writer = JSONWriter(pretty: true, reservingCapacity: (1 << 16) + 4_096 * set.all.count)
        writer.beginObject()
        writer.field("schema", schema)
        if verdicts != nil, let environment { writer.field("environment", environment) }
        writer.key("reports")
        writer.beginArray()
        for report in reports { write(report, to: &writer) }
        writer.endArray()
        let open = set.open
        let suppressed = set.suppressed
        writer.key("summary")
        writer.beginObject()
        writer.field("open", open.count)
        writer.field("suppressed", suppressed.count)
        writer.key("bySeverity")
        writer.beginObject()
        for severity in Severity.descending {
            writer.field(severity.rawValue, open.count { $0.severity == severity })
        }
        writer.endObject()
        writer.key("byKind")
        writer.beginObject()
        for kind in FindingKind.allCases {
            writer.field(kind.rawValue, open.count { $0.kind == kind })
        }
        writer.endObject()
        writer.endObject()
        writer.key("findings")
        writer.beginArray()
        for finding in open { write(finding, verdict: verdicts?[finding.fingerprint], to: &writer) }
        writer.endArray()
        writer.key("suppressed")
        writer.beginArray()
        for finding in suppressed { write(finding, verdict: verdicts?[finding.fingerprint], to: &writer) }
        writer.endArray()
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    static func write(_ report: ReportSummary, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("file", report.file)
        writer.field("format", report.format)
        writer.field("variant", report.variant)
        writer.field("tool", report.tool)
        writer.field("tools", report.tools)
        writer.field("toolVersion", report.toolVersion)
        writer.field("targets", report.targets)
        writer.field("findings", report.findingCount)
        writer.field("suppressed", report.suppressedCount)
        writer.field("warnings", report.warnings)
        writer.field("checkedNothing", report.checkedNothing)
        writer.endObject()
    }

    /// One finding, every field in a fixed order; the gate's `verdict` last, when there is one.
    public static func write(_ finding: Finding, verdict: Verdict? = nil, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("fingerprint", finding.fingerprint)
        writer.field("kind", finding.kind.rawValue)
        writer.field("scope", finding.identity.scope)
        writer.field("id", finding.ruleID)
        writer.field("aliases", finding.aliases)
        writer.field("title", finding.title)
        writer.field("severity", finding.severity.rawValue)
        writer.key("ratings")
        writer.beginArray()
        for rating in finding.ratings.sorted(by: ratingOrder) {
            writer.beginObject()
            writer.field("source", rating.source)
            writer.field("toolVerdict", rating.isToolVerdict)
            writer.field("severity", rating.severity?.rawValue)
            writer.field("label", rating.label)
            writer.key("cvss")
            writer.beginArray()
            for score in rating.cvss {
                writer.beginObject()
                writer.field("version", score.version.rawValue)
                writer.field("vector", score.vector)
                writer.field("score", score.score)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.field("confidence", finding.confidence?.rawValue)
        writer.field("description", finding.description)
        writer.field("detail", finding.detail)
        writer.field("remediation", finding.remediation)
        writer.key("package")
        if let package = finding.package {
            writer.beginObject()
            writer.field("ecosystem", package.ecosystem)
            writer.field("name", package.name)
            writer.field("installedVersion", package.installedVersion)
            writer.field("purl", package.purl)
            writer.field("fixedVersions", package.fixedVersions)
            writer.field("fixAvailable", package.fixAvailable)
            writer.field("paths", package.paths)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.key("locations")
        writer.beginArray()
        for location in finding.locations { write(location, to: &writer) }
        writer.endArray()
        writer.key("instances")
        writer.beginArray()
        for instance in finding.instances {
            writer.beginObject()
            writer.field("uri", instance.uri)
            writer.field("method", instance.method)
            writer.field("parameter", instance.parameter)
            writer.field("attack", instance.attack)
            writer.field("evidence", instance.evidence)
            writer.field("otherInfo", instance.otherInfo)
            writer.endObject()
        }
        writer.endArray()
        writer.field("cwes", finding.cwes)
        writer.field("references", finding.references)
        // Only where there are some (an npm advisory of several CVEs): a baseline read back must
        // know them, or a later finding of another CVE that links the advisory passes as known.
        let covered = Array(Set(finding.coveredCVEs.map(Identifiers.normalize))).sorted()
        if !covered.isEmpty { writer.field("coveredCves", covered) }
        writer.key("sources")
        writer.beginArray()
        for source in finding.provenance {
            writer.beginObject()
            writer.field("tool", source.tool)
            writer.field("toolVersion", source.toolVersion)
            writer.field("report", source.reportFile)
            writer.field("rawId", source.rawID)
            writer.endObject()
        }
        writer.endArray()
        writer.field("status", finding.status)
        writer.key("suppression")
        if let suppression = finding.suppression {
            writer.beginObject()
            writer.field("source", suppression.source)
            writer.field("status", suppression.status)
            writer.field("statement", suppression.statement)
            writer.endObject()
        } else {
            writer.null()
        }
        if let verdict { writer.field("verdict", verdict.rawValue) }
        writer.endObject()
    }

    static func write(_ location: Location, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("image")
        if let image = location.image {
            writer.beginObject()
            writer.field("repository", image.repository)
            writer.field("tag", image.tag)
            writer.field("digest", image.digest)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.field("target", location.target)
        writer.field("path", location.path)
        writer.field("startLine", location.startLine)
        writer.field("endLine", location.endLine)
        writer.field("resource", location.resource)
        writer.field("url", location.url)
        writer.field("method", location.method)
        writer.field("parameter", location.parameter)
        writer.endObject()
    }

    /// Tool verdicts first, then authorities by name: a stable order whatever the input order.
    static func ratingOrder(_ lhs: SeverityRating, _ rhs: SeverityRating) -> Bool {
        if lhs.isToolVerdict != rhs.isToolVerdict { return lhs.isToolVerdict }
        if lhs.source != rhs.source { return lhs.source < rhs.source }
        return (lhs.label ?? "") < (rhs.label ?? "")
    }
}
