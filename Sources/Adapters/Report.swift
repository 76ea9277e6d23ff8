import Findings
import ScanGateJSON

/// The report formats ScanGate reads.
public enum ReportFormat: String, Sendable, CaseIterable {
    case trivy
    case npmAudit = "npm-audit"
    case zap
    case sarif
}

/// A report file's bytes and the name to show for it (the path as the user gave it).
public struct ReportSource: Sendable {
    public let name: String
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// What an adapter read from one report.
public struct ParsedReport: Sendable {
    public var source: String
    public var format: ReportFormat
    /// Which shape of the format it was, for messages and the JSON output
    /// (`schema-2`, `legacy-list`, `npm-7+`, `traditional-xml`, …).
    public var variant: String
    /// The tool that wrote it (`trivy`, `npm-audit`, `zap`, or a SARIF driver name; a SARIF file
    /// with several runs reports the first tool here and every tool in the findings' provenance).
    public var tool: String
    public var toolVersion: String?
    /// Finalized findings, one per entry the tool listed (merging happens in ``FindingSet``).
    public var findings: [Finding]
    /// Things the reader noticed that do not stop it (never used for problems that make the
    /// report incomplete: those are errors).
    public var warnings: [String]
    /// ``warnings``, each naming the report (`report.json: …`): how they read beside other
    /// reports' (a gate decision's warnings, standard error).
    public var warningsNamingTheReport: [String] { warnings.map { "\(source): \($0)" } }
    /// Parts of the scan that the tool itself reports as failed (a Kubernetes resource Trivy
    /// could not scan). A report with scan errors is incomplete: ``ReportReader`` refuses it
    /// unless told to allow incomplete reports.
    public var scanErrors: [String]
    /// The container images the report scanned, as the tool identified them (a Trivy image
    /// report): what the release gate ties to the images it releases.
    public var scannedImages: [ScannedImage]
    /// Why the scan checked nothing, when the report shows it did (a Trivy image report with no
    /// result, or a legacy one listing none; ZAP raised no alert for any site; npm audited 0
    /// dependencies); nil for a scan that checked something. A fact
    /// about the report, set where the reader warns about it: whether a release may pass on it
    /// is the policy's to say (`empty-scans`).
    public var checkedNothing: String?
    /// Every run's tool, for a SARIF file (``tool`` is the first's); empty for other formats.
    public var runTools: [String] = []

    /// The tools this report shows looked at something: its tool, every run's (a SARIF file's),
    /// and every tool its findings name; none when it checked nothing. A baseline finding of no
    /// tool that looked this time is not known to be fixed.
    public var toolsThatScanned: Set<String> {
        guard checkedNothing == nil else { return [] }
        var tools: Set<String> = [tool]
        tools.formUnion(runTools)
        for finding in findings { for source in finding.provenance { tools.insert(source.tool) } }
        return tools
    }

    /// The scopes (``FindingIdentity/scope``) the reader saw scanned, with a finding or none: the
    /// source tree of a Trivy filesystem scan, an npm audit or a SARIF run; a Kubernetes resource
    /// or workload image Trivy found clean; a site ZAP listed without an alert.
    public var scopesRead: Set<String> = []

    /// What this report looked at: ``toolsThatScanned``, each at the scopes it scanned (those the
    /// reader saw, the report's own image, and every scope its findings are of); nothing when it
    /// checked nothing.
    public var coverage: RunCoverage { RunCoverage(tools: toolsThatScanned, scanning: scannedScopes) }

    /// The scopes of ``coverage``, for every tool of the report alike.
    public var scannedScopes: Set<String> {
        guard checkedNothing == nil else { return [] }
        var scopes = scopesRead
        if let imageScope { scopes.insert(imageScope) }
        for finding in findings { scopes.insert(finding.identity.scope) }
        return scopes
    }

    /// Parts of the report that cannot tell a scan that checked nothing from a clean one: a Trivy
    /// SARIF run naming an image with no result (Trivy's SARIF lists findings only, not what it
    /// scanned). Each is judged as an empty scan (``emptyScans``), not taken as a clean one.
    public var unprovenScans: [String] = []
    /// The tool of each of ``unprovenScans`` (a SARIF run's driver), in the same order.
    public var unprovenScanTools: [String] = []

    /// ``emptyScan`` and ``unprovenScans``, for the gate's `empty-scans`.
    public var emptyScans: [EmptyScan] {
        (emptyScan.map { [$0] } ?? []) + unprovenScans.map { EmptyScan(report: source, reason: $0, isCertain: false) }
    }

    /// ``checkedNothing`` with the report it is about, for the gate.
    public var emptyScan: EmptyScan? { checkedNothing.map { EmptyScan(report: source, reason: $0) } }
    /// The scope (``FindingIdentity/imageScope(_:)``) of the image the report is a scan of (a
    /// Trivy image scan), whether or not it checked anything: an independent scan target, whose
    /// findings get a SARIF run (a GitHub category) of their own.
    public var imageScope: String?

    public init(
        source: String, format: ReportFormat, variant: String, tool: String, toolVersion: String? = nil,
        findings: [Finding] = [], warnings: [String] = [], scanErrors: [String] = [],
        scannedImages: [ScannedImage] = [], checkedNothing: String? = nil
    ) {
        self.checkedNothing = checkedNothing
        self.scanErrors = scanErrors
        self.scannedImages = scannedImages
        self.source = source
        self.format = format
        self.variant = variant
        self.tool = tool
        self.toolVersion = toolVersion
        self.findings = findings
        self.warnings = warnings
    }
}

/// A report could not be read. Says which file, where in it (line, JSON path) and what was
/// expected. The CLI turns it into exit code 3.
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The JSON path of the offending value, when the report is JSON.
    public var jsonPath: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, jsonPath: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.jsonPath = jsonPath
        self.message = message
    }

    /// A type error or missing value found while reading a JSON report.
    public init(file: String, _ error: JSONAccessError) {
        self.init(file: file, line: error.line, jsonPath: error.path, message: error.message)
    }

    /// A JSON syntax error.
    public init(file: String, _ error: JSONSyntaxError) {
        self.init(file: file, line: error.line, column: error.column, message: "invalid JSON: \(error.message)")
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if let jsonPath { text += "at \(jsonPath): " }
        return text + message
    }
}

/// A report's warnings, the first ``listed`` of them kept and the rest counted: a hostile report's
/// tens of thousands would flood the job log, and finding where in the document each one is
/// costs a walk of it (quadratic over them all).
struct ReportWarnings {
    static let listed = 100
    private(set) var messages: [String] = []
    private(set) var unlisted = 0

    /// Whether the next warning is only counted (its text need not be made).
    var isFull: Bool { messages.count >= Self.listed }

    /// Adds a warning; `message` is made only while warnings are still listed.
    mutating func add(_ message: @autoclosure () -> String) {
        if isFull { unlisted += 1 } else { messages.append(message()) }
    }

    /// The warnings listed, then how many more there were.
    var all: [String] {
        guard unlisted > 0 else { return messages }
        return messages + [
            "\(unlisted) more warning\(unlisted == 1 ? " is" : "s are") not listed (the first \(Self.listed) are)"
        ]
    }
}

/// Runs `body`, turning a ``JSONAccessError`` into a ``ReportError`` for `file`.
@inline(__always)
func reading<T>(_ file: String, _ body: () throws(JSONAccessError) -> T) throws(ReportError) -> T {
    do throws(JSONAccessError) {
        return try body()
    } catch {
        throw ReportError(file: file, error)
    }
}

/// A CVSS base score as a report gives it: 0 or none is no score (npm writes 0 when it has
/// none), and one outside 0–10 is an error at `value`, where it was read (a negative one too: read
/// as none, a 9.8 vector with `-5` beside it lost its severity).
func cvssScore(_ score: Double?, at value: JSONValue) throws(JSONAccessError) -> Double? {
    guard let score, score != 0 else { return nil }
    guard CVSSScore.validScores.contains(score) else { throw value.error("CVSS score \(score) is outside 0–10") }
    return score
}

/// A tool's numbered rating labels (`VendorSeverity 3`, `riskcode 2`): from a table for the
/// numbers the tool writes, so a report of 40,000 ratings does not interpolate a String for each
/// one; any other number is written out.
struct NumberedLabels: Sendable {
    private let prefix: String
    private let numbers: ClosedRange<Int>
    private let labels: [String]

    init(_ prefix: String, numbers: ClosedRange<Int>) {
        self.prefix = prefix
        self.numbers = numbers
        labels = numbers.map { "\(prefix) \($0)" }
    }

    /// `prefix number`.
    func label(_ number: Int) -> String {
        numbers.contains(number) ? labels[number - numbers.lowerBound] : "\(prefix) \(number)"
    }
}

extension String {
    /// A tool's message (a scan error, a notification) as one line of at most `limit` characters,
    /// which is enough to act on: its lines trimmed and joined by spaces, `…` where it is cut.
    func messageLine(atMost limit: Int) -> String {
        let line = split(whereSeparator: \.isNewline).map { part in
            String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }.joined(separator: " ")
        return line.count > limit ? line.prefix(limit) + "…" : line
    }
}
