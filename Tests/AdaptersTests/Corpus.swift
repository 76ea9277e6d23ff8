import Adapters
import Findings
import Foundation

/// Where the shared corpus and the project's fixtures are.
///
/// The corpus lives in `../shared/corpus` beside the repository (CI has it). Tests that need it
/// are enabled only when it is present: `@Test(.enabled(if: Corpus.isAvailable))`.
enum Corpus {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus")

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: directory.path) }

    /// Every file in `corpus/<folder>`, sorted by name.
    static func files(in folder: String) -> [URL] {
        let folderURL = directory.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folderURL.path)) ?? []
        return names.sorted().map { folderURL.appendingPathComponent($0) }
    }

    /// A file under `fixtures/`.
    static func fixture(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("fixtures").appendingPathComponent(relativePath)
    }

    /// Reads and parses one report file the way `scangate ingest` does.
    static func parse(_ url: URL, as format: ReportFormat? = nil) throws -> ParsedReport {
        try ReportReader().read(path: url.path, as: format)
    }

    /// Parses bytes given inline (for constructed bad input).
    static func parse(bytes: [UInt8], name: String = "inline.json", as format: ReportFormat? = nil) throws
        -> ParsedReport
    {
        try ReportReader().parse(ReportSource(name: name, bytes: bytes), as: format)
    }

    /// Counts findings per "kind/severity", for comparing with an independent count.
    static func tally(_ findings: [Finding]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for finding in findings { counts["\(finding.kind.rawValue)/\(finding.severity.rawValue)", default: 0] += 1 }
        return counts
    }
}
