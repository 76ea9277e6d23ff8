import Findings
import Foundation
import ScanGateJSON

/// Reads report files: detects the format from the content (never the file name) and hands
/// the report to its adapter.
public struct ReportReader: Sendable {
    /// Reports larger than this are refused before being read (default 1 GiB).
    public var maximumSize: Int
    /// Whether a report whose tool says part of the scan failed is accepted (its scan errors
    /// then travel with it as warnings). Off by default: an incomplete scan is not a clean one.
    public var allowsIncompleteReports: Bool

    public init(maximumSize: Int = 1 << 30, allowsIncompleteReports: Bool = false) {
        self.maximumSize = maximumSize
        self.allowsIncompleteReports = allowsIncompleteReports
    }

    /// Reads and parses the report at `path`; `forcedFormat` skips detection.
    public func read(path: String, as forcedFormat: ReportFormat? = nil) throws(ReportError) -> ParsedReport {
        let bytes = try ReportFile.read(path: path, maximumSize: maximumSize)
        return try parse(ReportSource(name: path, bytes: bytes), as: forcedFormat)
    }

    /// Reads several reports at once, one per core (a CI step reads a Trivy, a ZAP and an npm
    /// report, each taking seconds at 100 MB): one outcome per path, in the order of `paths`.
    public func read(paths: [String], as forcedFormat: ReportFormat? = nil) -> [Result<ParsedReport, ReportError>] {
        ParallelMap.map(paths) { path in
            Result { () throws(ReportError) in try read(path: path, as: forcedFormat) }
        }
    }

    /// ``read(paths:as:)`` split into the reports read and the failures, each in the order of
    /// `paths` (a report's `source` is its path).
    public func readAll(paths: [String], as forcedFormat: ReportFormat? = nil)
        -> (reports: [ParsedReport], failures: [ReportError])
    {
        var reports: [ParsedReport] = []
        var failures: [ReportError] = []
        for outcome in read(paths: paths, as: forcedFormat) {
            switch outcome {
            case .success(let report): reports.append(report)
            case .failure(let error): failures.append(error)
            }
        }
        return (reports, failures)
    }

    /// Parses a report already in memory. Consuming: an adapter may release the bytes as soon
    /// as it no longer needs them.
    public func parse(_ source: consuming ReportSource, as forcedFormat: ReportFormat? = nil) throws(ReportError)
        -> ParsedReport
    {
        let name = source.name
        var report = try parseContent(consume source, as: forcedFormat)
        guard !report.scanErrors.isEmpty else { return report }
        guard allowsIncompleteReports else {
            // Each problem says what failed (a part of the scan, or the scan as a whole: a SARIF
            // log without runs); counted when there are several.
            let count = report.scanErrors.count
            throw ReportError(
                file: name,
                message: "the report is incomplete: " + (count == 1 ? "" : "\(count) problems: ")
                    + report.scanErrors.joined(separator: "; ")
                    + " (fix the scan, or pass --allow-incomplete to read the rest)")
        }
        report.warnings += report.scanErrors.map { "incomplete scan: " + $0 }
        // Incomplete, and not a finding in it: nothing shows the scan checked anything, so it is
        // judged as an empty scan (`empty-scans`), not taken for a clean one. (A SARIF file says
        // so of each failed run itself.)
        if report.findings.isEmpty, report.checkedNothing == nil, report.unprovenScans.isEmpty {
            report.unprovenScans.append(
                "the scan is incomplete and lists no finding: nothing shows it checked anything")
            report.unprovenScanTools.append(report.tool)
        }
        return report
    }

    private func parseContent(_ source: consuming ReportSource, as forcedFormat: ReportFormat?) throws(ReportError)
        -> ParsedReport
    {
        guard source.bytes.count <= maximumSize else {
            throw ReportError(
                file: source.name,
                message: "the report is \(source.bytes.count) bytes, more than the limit of \(maximumSize) bytes")
        }
        if let (encoding, evidence) = Self.wideEncoding(source.bytes) {
            throw ReportError(
                file: source.name, line: 1,
                message: "the file is \(encoding) (\(evidence)); reports are read as UTF-8: "
                    + "convert it (iconv -f \(encoding) -t UTF-8)")
        }
        let firstByte = Self.firstSignificantByte(source.bytes)
        guard let firstByte else {
            throw ReportError(
                file: source.name,
                message: "the file is empty or only white space: expected a Trivy, npm audit, ZAP or SARIF report")
        }
        if firstByte == UInt8(ascii: "<") {
            if forcedFormat == nil || forcedFormat == .zap { return try ZAPAdapter.parseXML(consume source) }
            throw ReportError(
                file: source.name, line: 1,
                message: "the file is XML, but --as \(forcedFormat?.rawValue ?? "") expects JSON")
        }
        let document: JSONDocument
        do throws(JSONSyntaxError) {
            document = try JSONDocument(bytes: source.bytes)
        } catch {
            throw ReportError(file: source.name, error)
        }
        let format: ReportFormat
        if let forcedFormat {
            // `--as` reads a file detection does not recognise; it never makes a report of one
            // format read as another (a Trivy report read as ZAP JSON has no alerts: a clean pass).
            if let detected = try? Self.detect(document.root, file: source.name), detected != forcedFormat {
                throw ReportError(
                    file: source.name, line: document.root.line, jsonPath: "$",
                    message:
                        "the file is a \(detected.rawValue) report, not \(forcedFormat.rawValue) (--as \(forcedFormat.rawValue))"
                )
            }
            format = forcedFormat
        } else {
            format = try Self.detect(document.root, file: source.name)
        }
        switch format {
        case .trivy: return try TrivyAdapter.parse(document.root, source: source)
        case .npmAudit: return try NpmAuditAdapter.parse(document.root, source: source)
        case .zap: return try ZAPAdapter.parseJSON(document.root, source: source)
        case .sarif: return try SARIFAdapter.parse(document.root, source: source)
        }
    }

    /// Tells the JSON formats apart by their top-level shape.
    public static func detect(_ root: JSONValue, file: String) throws(ReportError) -> ReportFormat {
        switch root.kind {
        case .null, .array:
            // Trivy before v0.20 wrote a bare list of results, or null (or []) when it found
            // nothing. A list of results says what it is; a bare `null` or `[]` does not: a
            // broken pipeline (`jq` on an empty input, a step that wrote nothing) makes the same
            // file, and reading it as a clean scan would pass the gate. It takes `--as trivy`.
            if root.kind == .array, let first = root.elements.first {
                guard first.kind == .object else {
                    throw ReportError(
                        file: file, line: root.line, jsonPath: "$",
                        message: "not a report ScanGate knows: a list whose first element is not a Trivy result "
                            + "(an object)")
                }
                // `jq -s` wraps whole reports in a list: say so, not "a Trivy result without Target".
                let reportKeys = [
                    "SchemaVersion", "ArtifactName", "site", "@version", "vulnerabilities", "advisories", "runs",
                ]
                if !first.has("Target"), let key = reportKeys.first(where: first.has) {
                    throw ReportError(
                        file: file, line: first.line, jsonPath: "$[0]",
                        message: "a list holding a report (its first element has \"\(key)\"), not a report: give each "
                            + "report as its own file (jq -s wraps reports in a list)")
                }
                return .trivy
            }
            let literal = root.kind == .null ? "null" : "[]"
            throw ReportError(
                file: file, line: root.line, jsonPath: "$",
                message: "the file holds only \(literal): Trivy before 0.20 wrote that for a scan that found nothing, "
                    + "and so does a broken pipeline (a step that wrote nothing, jq on an empty input); give "
                    + "--as trivy to read it as a Trivy scan without findings")
        case .object:
            var matches: [ReportFormat] = []
            if root.has("SchemaVersion") || root.has("ClusterName") || root.has("ArtifactName") && root.has("Results") {
                matches.append(.trivy)
            }
            // npm 10 prints a bare {"message": "request to … failed"} when the registry is down:
            // route it to the npm adapter, which reports that the audit did not run.
            let isBareMessage = root.count == 1 && root["message"]?.kind == .string
            if root.has("auditReportVersion") || root.has("advisories") || root.has("error")
                || root["audit"]?.has("auditReportVersion") == true || isBareMessage
            {
                matches.append(.npmAudit)
            }
            if root.has("@version") && root.has("site") || root.has("@programName") { matches.append(.zap) }
            if root.has("runs") && (root.has("version") || root.has("$schema")) { matches.append(.sarif) }
            // A document with the keys of two formats is no report any tool writes: reading it as
            // the first would silently drop what the other part says.
            if matches.count > 1 {
                throw ReportError(
                    file: file, line: root.line, jsonPath: "$",
                    message: "the document has the keys of several formats ("
                        + matches.map(\.rawValue).joined(separator: ", ") + "); no tool writes such a report")
            }
            if let format = matches.first { return format }
            let keys = root.members.prefix(8).map { "\"\($0.key)\"" }.joined(separator: ", ")
            throw ReportError(
                file: file, line: root.line, jsonPath: "$",
                message:
                    "not a report ScanGate knows: expected Trivy (SchemaVersion/ClusterName), npm audit "
                    + "(auditReportVersion/advisories), ZAP (@version/site) or SARIF (version/runs); "
                    + "the top-level keys are \(keys.isEmpty ? "none" : keys)")
        default:
            throw ReportError(
                file: file, line: root.line, jsonPath: "$",
                message: "not a report ScanGate knows: the document is \(root.kind), expected an object")
        }
    }

    /// UTF-16 or UTF-32 by its byte order mark (PowerShell's `>` writes UTF-16LE); nil otherwise.
    /// The file's encoding when it is UTF-16 or UTF-32, and what says so: its byte order mark,
    /// or without one the NUL bytes around its first ASCII characters (RFC 4627, section 3: a
    /// report starts with `{`, `[` or `<`, which UTF-8 never writes with a NUL beside it).
    static func wideEncoding(_ bytes: [UInt8]) -> (encoding: String, evidence: String)? {
        let mark = "its byte order mark says so"
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return ("UTF-32LE", mark) }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return ("UTF-32BE", mark) }
        if bytes.starts(with: [0xFF, 0xFE]) { return ("UTF-16LE", mark) }
        if bytes.starts(with: [0xFE, 0xFF]) { return ("UTF-16BE", mark) }
        guard bytes.count >= 4 else { return nil }
        let nul = bytes.prefix(4).map { $0 == 0 }
        let pattern = "the NULs among its first bytes say so"
        switch (nul[0], nul[1], nul[2], nul[3]) {
        case (true, true, true, false): return ("UTF-32BE", pattern)
        case (false, true, true, true): return ("UTF-32LE", pattern)
        case (true, false, true, false): return ("UTF-16BE", pattern)
        case (false, true, false, true): return ("UTF-16LE", pattern)
        default: return nil
        }
    }

    static func firstSignificantByte(_ bytes: [UInt8]) -> UInt8? {
        var index = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        while index < bytes.count {
            let byte = bytes[index]
            if byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 { return byte }
            index += 1
        }
        return nil
    }
}

/// Reads whole files with POSIX calls, refusing what is not a regular file or is too large.
public enum ReportFile {
    public static func read(path: String, maximumSize: Int) throws(ReportError) -> [UInt8] {
        // Non-blocking: opening a FIFO would otherwise wait for a writer for ever; it is refused
        // below as not a regular file (reads of a regular file never block anyway).
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ReportError(file: path, message: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ReportError(file: path, message: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT != S_IFDIR else {
            // Only a directory met inside a reports directory gets here: a symbolic link to one,
            // which is not followed (it could lead out of the tree, or back up it).
            throw ReportError(
                file: path,
                message: "a symbolic link to a directory, which is not followed inside a reports directory: "
                    + "name the directory it points to itself")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            // A FIFO, device or socket (`<(trivy …)`, /dev/stdin): read once, it could not be
            // told apart from a truncated report, and a FIFO no one writes to would wait for ever.
            throw ReportError(file: path, message: "not a regular file: write the report to a file and give that")
        }
        let size = Int(status.st_size)
        guard size <= maximumSize else {
            throw ReportError(
                file: path, message: "the report is \(size) bytes, more than the limit of \(maximumSize) bytes")
        }
        var offset = 0
        var readError: Int32 = 0
        // Uninitialised: read(2) fills it (zeroing 100 MB first cost a pass over every page).
        // Whatever a short read leaves unfilled is cut off by `count`, never exposed.
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            defer { count = offset }
            guard let base = buffer.baseAddress else { return }
            HugePages.advise(base, byteCount: size)
            while offset < size {
                let got = Foundation.read(descriptor, base + offset, size - offset)
                if got < 0 {
                    if errno == EINTR { continue }
                    readError = errno
                    return
                }
                if got == 0 { break }
                offset += got
            }
        }
        guard readError == 0 else {
            throw ReportError(file: path, message: "cannot read the file: \(String(cString: strerror(readError)))")
        }
        guard offset == size else {
            throw ReportError(
                file: path, message: "the file changed size while being read (\(offset) of \(size) bytes)")
        }
        return bytes
    }
}
