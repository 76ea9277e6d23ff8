import SARIF
import ScanGateJSON

/// Why a SARIF file would be rejected by GitHub; found before anything is sent.
public struct SARIFPreflightError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence saying what is wrong and where.
    public let reason: String
    /// The file is not a SARIF log at all (not JSON, truncated, not an object): an input that
    /// could not be read, not a log GitHub would refuse.
    public let isUnreadable: Bool

    public init(reason: String, isUnreadable: Bool = false) {
        self.reason = reason
        self.isUnreadable = isUnreadable
    }

    public var description: String { reason }
}

/// A SARIF file checked and compressed, ready for the `sarif` field.
public struct PreparedSARIF: Sendable {
    /// The file's bytes, unchanged.
    public let bytes: [UInt8]
    /// gzip of `bytes`.
    public let gzipped: [UInt8]
    /// How many runs the file has.
    public let runCount: Int
    /// How many results, over all runs.
    public let resultCount: Int
}

/// The local check before an upload: the structure GitHub needs (with messages that say exactly
/// what is missing), then every rule and limit of the SARIF module's ``SARIFValidator``. A file
/// that fails either is never sent.
public enum SARIFPreflight {
    /// GitHub's limit on the gzip-compressed file. "10 MB" read as 10,000,000 bytes, the stricter
    /// reading, so no file near the edge is sent to be refused.
    public static let maximumGzippedSize = 10_000_000
    /// Runs per file.
    public static let maximumRuns = 20
    /// Results per run.
    public static let maximumResultsPerRun = 25_000

    /// Checks `bytes` and compresses them, or says why GitHub would reject them.
    public static func prepare(_ bytes: [UInt8]) throws(SARIFPreflightError) -> PreparedSARIF {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes)
        } catch {
            throw SARIFPreflightError(reason: "the file is not valid JSON (\(error))", isUnreadable: true)
        }
        let root = document.root
        guard root.kind == .object else {
            throw SARIFPreflightError(reason: "the file is \(root.kind), not a SARIF log object", isUnreadable: true)
        }
        guard let version = root["version"], version.stringValue == "2.1.0" else {
            let found = root["version"].map { $0.stringValue.map { "\"\($0)\"" } ?? $0.kind.description }
            throw SARIFPreflightError(
                reason: "the SARIF version is \(found ?? "missing"); GitHub accepts only \"2.1.0\"")
        }
        guard let runs = root["runs"], runs.kind == .array else {
            throw SARIFPreflightError(reason: "the file has no \"runs\" array")
        }
        guard runs.count > 0 else { throw SARIFPreflightError(reason: "the file has no runs") }
        guard runs.count <= maximumRuns else {
            throw SARIFPreflightError(
                reason: "the file has \(runs.count) runs; GitHub accepts at most \(maximumRuns) per file")
        }
        var results = 0
        var seen: [String: Int] = [:]
        for (index, run) in runs.elements.enumerated() {
            let name = try checkRun(run, index: index)
            results += run["results"]?.count ?? 0
            // Since July 2025 GitHub rejects a file with two runs of the same tool and category.
            let automationID = run["automationDetails"]?["id"]?.stringValue ?? ""
            let category = automationID.lastIndex(of: "/").map { String(automationID[..<$0]) } ?? ""
            let key = name + "\u{0}" + category
            if let first = seen[key] {
                throw SARIFPreflightError(
                    reason: "runs[\(index)] has the same tool \"\(name)\" and category \"\(category)\" as "
                        + "runs[\(first)]; GitHub rejects files with two runs of one tool and category")
            }
            seen[key] = index
        }
        // Compressed first, as the upload sends it, so the validator checks the size of exactly
        // what is sent instead of compressing the file a second time.
        let gzipped: [UInt8]
        do throws(GzipError) {
            gzipped = try gzipForUpload(bytes, limit: maximumGzippedSize)
        } catch {
            throw SARIFPreflightError(reason: "the file could not be compressed: \(error)")
        }
        guard gzipped.count <= maximumGzippedSize else {
            throw SARIFPreflightError(
                reason: "the file is \(gzipped.count) bytes gzipped; GitHub accepts at most "
                    + "\(maximumGzippedSize) bytes (10 MB)")
        }
        let validation = SARIFValidator.validate(bytes, knownGzipBytes: gzipped.count)
        guard validation.isAcceptable else {
            let problems = validation.errors.prefix(5).map(\.description).joined(separator: "; ")
            let more = validation.errors.count > 5 ? " (and \(validation.errors.count - 5) more)" : ""
            throw SARIFPreflightError(reason: "GitHub would reject the file: \(problems)\(more)")
        }
        return PreparedSARIF(bytes: bytes, gzipped: gzipped, runCount: runs.count, resultCount: results)
    }

    /// Checks one run; returns its tool name.
    private static func checkRun(_ run: JSONValue, index: Int) throws(SARIFPreflightError) -> String {
        guard run.kind == .object else { throw SARIFPreflightError(reason: "runs[\(index)] is not an object") }
        guard let name = run["tool"]?["driver"]?["name"]?.stringValue, !name.isEmpty else {
            throw SARIFPreflightError(reason: "runs[\(index)] has no tool.driver.name")
        }
        guard let results = run["results"], results.kind == .array else {
            throw SARIFPreflightError(reason: "runs[\(index)] (\(name)) has no \"results\" array")
        }
        guard results.count <= maximumResultsPerRun else {
            throw SARIFPreflightError(
                reason: "runs[\(index)] (\(name)) has \(results.count) results; GitHub accepts at most "
                    + "\(maximumResultsPerRun) per run")
        }
        return name
    }
}
