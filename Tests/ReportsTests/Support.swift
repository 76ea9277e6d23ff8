import Adapters
import Findings
import Foundation
import Policy
import Reports

/// Shared helpers: findings built in code, the corpus and fixtures, the gate as reports see it.
enum ReportSupport {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/corpus` beside the repository, as `Tests/AdaptersTests/Corpus.swift` finds it.
    static let corpus: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static var corpusIsAvailable: Bool { FileManager.default.fileExists(atPath: corpus.path) }

    static func path(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    /// Every file in the corpus folders, sorted by name.
    static func corpusFiles(_ folders: [String]) -> [String] {
        folders.flatMap { folder in
            let directory = corpus.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.sorted().map { directory.appendingPathComponent($0).path }
        }
    }

    /// The reports among `paths` that ScanGate reads (incomplete ones accepted), the others dropped.
    static func readable(_ paths: [String]) -> [ParsedReport] {
        let reader = ReportReader(allowsIncompleteReports: true)
        return paths.compactMap { try? reader.read(path: $0, as: nil) }
    }

    static func summary(_ report: ParsedReport) -> ReportSummary {
        ReportSummary(
            file: report.source, format: report.format.rawValue, variant: report.variant, tool: report.tool,
            toolVersion: report.toolVersion, findingCount: report.findings.count,
            suppressedCount: report.findings.count { !$0.isOpen }, warnings: report.warnings)
    }

    /// A finalized dependency vulnerability.
    static func vulnerability(
        _ id: String, package: String = "lodash", version: String = "4.17.15", severity: Severity = .high,
        tool: String = "trivy", line: Int? = nil, title: String? = nil, references: [String] = [],
        suppressed: Bool = false
    ) -> Finding {
        Finding(
            kind: .vulnerability, ruleID: id, title: title ?? "title of \(id)",
            ratings: [SeverityRating(source: tool, severity: severity, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: package, installedVersion: version, fixedVersions: ["9.9.9"]),
            locations: [Location(path: "package-lock.json", startLine: line)], references: references,
            provenance: [Provenance(tool: tool, reportFile: "\(tool).json", rawID: id)],
            suppression: suppressed ? Suppression(source: ".trivyignore", status: "ignored") : nil,
            identity: FindingIdentity(
                kind: .vulnerability, scope: FindingIdentity.sourceScope, subject: ["npm", package, version])
        ).finalized()
    }

    /// A finalized misconfiguration in an image, at a line: neither the line nor the tag is identity.
    static func misconfiguration(_ id: String, path: String, line: Int, tag: String, severity: Severity = .medium)
        -> Finding
    {
        let image = ImageReference(repository: "ghcr.io/acme/api", tag: tag)
        return Finding(
            kind: .misconfiguration, ruleID: id, title: "misconfiguration \(id)",
            ratings: [SeverityRating(source: "trivy", severity: severity, isToolVerdict: true)],
            locations: [Location(image: image, path: path, startLine: line, endLine: line + 2)],
            provenance: [Provenance(tool: "trivy", reportFile: "trivy-\(tag).json", rawID: id)],
            identity: FindingIdentity(
                kind: .misconfiguration, scope: FindingIdentity.imageScope(image), subject: [path, ""])
        ).finalized()
    }

    /// A previous run's document, read back as `--baseline` reads it.
    static func snapshot(_ findings: [Finding], file: String = "previous.json") throws -> FindingsSnapshot {
        let bytes = FindingsJSON.encode(FindingSet(merging: findings), reports: [])
        return try FindingsSnapshot.read(bytes: bytes, file: file)
    }

    /// The decision as `scangate report` hands it to the reports.
    static func gate(_ decision: Decision, policy: Policy) -> ReportGate { ReportGate(decision, policy: policy) }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
