import Findings
import Foundation
import SARIF
import Testing

/// Every report of the shared corpus that ScanGate reads, and the examples together, give SARIF
/// that `validate.py --strict` (schema, GitHub's rules and limits, no warnings) accepts.
@Suite struct CorpusValidationTests {
    /// A SARIF result's own message is what a code-scanning alert shows: read from another
    /// tool's SARIF, each result's message leads its result in ScanGate's file (CodeQL's
    /// `Import of 'random' is not used.`, not the rule's title for every result).
    @Test(.enabled(if: Support.isSharedAvailable))
    func eachSARIFResultKeepsItsOwnMessage() throws {
        let url = Support.shared.appendingPathComponent("corpus/sarif/defectdojo__codeQL-output.sarif")
        let input = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let messages = (input["runs"] as? [[String: Any]] ?? []).flatMap { $0["results"] as? [[String: Any]] ?? [] }
            .compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
        let loaded = try #require(Support.load([url]))
        let output = SARIFWriter.write(loaded.set, options: SARIFOptions(tools: loaded.tools))
        let written = try Support.runs(output.bytes).flatMap(Support.results)
            .compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
        #expect(messages.count > 10)
        for message in Set(messages) {
            let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
            #expect(written.contains { $0.hasPrefix(firstLine) }, "\(message)")
        }
    }

    @Test(.enabled(if: Support.isSharedAvailable))
    func everyCorpusReportGivesValidSARIF() throws {
        let directory = try Support.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: directory) }
        var written: [URL] = []
        var ownValidatorErrors: [String] = []
        for folder in Support.corpusFolders {
            for report in Support.files(in: Support.shared.appendingPathComponent("corpus/\(folder)")) {
                // Reports ReportReader refuses are skipped: `scangate sarif` writes nothing for them.
                guard let loaded = Support.load([report]) else { continue }
                let output = SARIFWriter.write(
                    loaded.set, options: SARIFOptions(category: "ci/main", tools: loaded.tools))
                let validation = SARIFValidator.validate(output.bytes)
                ownValidatorErrors += validation.problems.map { "\(report.lastPathComponent): \($0)" }
                // The writer's cheap size checks hold: its figure is never below the exact level-6
                // size, and level 6 never compresses worse than level 1 (what the quick check of a
                // file far below the limit relies on).
                let level6 = try gzipCompressedSize(output.bytes, level: 6)
                #expect(output.gzipBytes >= level6, "\(report.lastPathComponent)")
                #expect(level6 <= (try gzipCompressedSize(output.bytes, level: 1)), "\(report.lastPathComponent)")
                let url = directory.appendingPathComponent("\(folder)--\(report.lastPathComponent).sarif")
                try Data(output.bytes).write(to: url)
                written.append(url)
            }
        }
        #expect(written.count > 150)
        #expect(ownValidatorErrors == [])
        // One python process for the whole corpus: a few seconds instead of one start per file.
        let (status, output) = try Support.validate(written)
        #expect(status == 0, "\(output.split(separator: "\n").filter { !$0.hasSuffix(")") }.prefix(40))")
    }

    @Test(.enabled(if: Support.isSharedAvailable))
    func examplesTogetherGiveValidSARIF() throws {
        let loaded = try #require(Support.load(Support.examples))
        let directory = try Support.temporaryDirectory("examples")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = SARIFWriter.write(loaded.set, options: SARIFOptions(tools: loaded.tools))
        let project = Support.fixture("sarif-writer/project").path
        let rooted = SARIFWriter.write(
            loaded.set,
            options: SARIFOptions(
                category: "ci/main", sourceRoot: project, dockerfile: "Dockerfile", tools: loaded.tools))
        let first = directory.appendingPathComponent("examples.sarif")
        let second = directory.appendingPathComponent("examples-rooted.sarif")
        try Data(plain.bytes).write(to: first)
        try Data(rooted.bytes).write(to: second)
        let (status, output) = try Support.validate([first, second])
        #expect(status == 0, "\(output)")
    }
}
