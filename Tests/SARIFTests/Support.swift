import Adapters
import Findings
import Foundation
import SARIF
import TestSupport

/// Paths and helpers shared by the SARIF tests.
enum Support {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the repository (the corpus, validate.py, fingerprint vectors).
    static let shared: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static var isSharedAvailable: Bool {
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("sarif/validate.py").path)
    }

    static var corpusFolders: [String] { ["trivy", "npm-audit", "zap", "sarif"] }

    static func fixture(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("fixtures").appendingPathComponent(relativePath)
    }

    static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { directory.appendingPathComponent($0) }
    }

    /// Reads reports as `scangate sarif` does; nil when ReportReader refuses one.
    static func load(_ urls: [URL]) -> (set: FindingSet, tools: [SARIFTool])? {
        var findings: [Finding] = []
        var tools: [SARIFTool] = []
        for url in urls {
            guard let report = try? ReportReader().read(path: url.path) else { return nil }
            findings += report.findings
            tools.append(
                SARIFTool(
                    name: report.tool, version: report.toolVersion, image: report.imageScope, report: report.source))
        }
        return (FindingSet(merging: findings), tools)
    }

    static var examples: [URL] { files(in: fixture("examples")) }

    /// A fresh temporary directory for this process.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("scangate-sarif-tests-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `validate.py --strict --quiet` on the files; returns its exit status and output.
    static func validate(_ files: [URL]) throws -> (status: Int32, output: String) {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", shared.appendingPathComponent("sarif/validate.py").path, "--strict", "--quiet"]
                + files.map(\.path))
        return (result.status, result.standardOutput + result.standardError)
    }

    /// The parsed JSON of SARIF bytes.
    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return object as? [String: Any] ?? [:]
    }

    static func runs(_ bytes: [UInt8]) throws -> [[String: Any]] {
        try json(bytes)["runs"] as? [[String: Any]] ?? []
    }

    struct MissingRun: Error {}

    /// The first run, or the run of driver `name`.
    static func run(_ bytes: [UInt8], named name: String? = nil) throws -> [String: Any] {
        guard let run = try runs(bytes).first(where: { name == nil || driverName($0) == name }) else {
            throw MissingRun()
        }
        return run
    }

    static func results(_ run: [String: Any]) -> [[String: Any]] { run["results"] as? [[String: Any]] ?? [] }

    static func driverName(_ run: [String: Any]) -> String {
        ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["name"] as? String ?? ""
    }

    static func fingerprints(_ result: [String: Any]) -> [String: String] {
        result["partialFingerprints"] as? [String: String] ?? [:]
    }

    /// ScanGate's fingerprint of a result.
    static func fingerprint(_ result: [String: Any]) -> String? {
        fingerprints(result)[SARIFWriter.fingerprintKey]
    }

    /// The run's `tool.driver.rules`.
    static func rules(of run: [String: Any]) -> [[String: Any]]? {
        ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
    }

    static func primaryLocation(_ result: [String: Any]) -> (uri: String, line: Int) {
        let locations = result["locations"] as? [[String: Any]] ?? []
        let physical = locations.first?["physicalLocation"] as? [String: Any]
        let uri = (physical?["artifactLocation"] as? [String: Any])?["uri"] as? String ?? ""
        let line = (physical?["region"] as? [String: Any])?["startLine"] as? Int ?? 0
        return (uri, line)
    }

    /// A finding built in memory, finalized as adapters return them.
    static func finding(
        tool: String, id: String, severity: Severity, path: String = "src/app.js", line: Int = 1,
        key: String? = nil
    ) -> Finding {
        Finding(
            kind: .codeIssue, ruleID: id, title: "Problem \(id)",
            ratings: [SeverityRating(source: tool, severity: severity, isToolVerdict: true)],
            locations: [Location(path: path, startLine: line)],
            provenance: [Provenance(tool: tool, reportFile: "\(tool).sarif", rawID: id)],
            identity: FindingIdentity(kind: .codeIssue, scope: "source", subject: [tool, path, key ?? "\(line)"])
        ).finalized()
    }
}
