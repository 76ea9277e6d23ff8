import Adapters
import CI
import Findings
import Foundation
import SARIF
import TestSupport
import Testing

/// Which runs the reports give the merged SARIF file: GitHub closes as fixed every alert of a
/// run's category that the run does not list, so a run must be there exactly when its tool
/// scanned (found by a review).
@Suite struct SARIFInputsTests {
    static func write(_ fixture: String, allowingIncomplete: Bool = false) throws -> (runs: [String], notes: [String]) {
        let report = try ReportReader(allowsIncompleteReports: allowingIncomplete).read(
            path: CITestEnvironment.fixture("fixtures/sarif/\(fixture)"))
        let reports = [report]
        let output = SARIFWriter.write(
            FindingSet(merging: report.findings),
            options: SARIFOptions(tools: reports.sarifTools, emptyReports: reports.sarifEmptyReports))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.bytes)) as? [String: Any])
        let runs = (document["runs"] as? [[String: Any]] ?? []).map { run in
            ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["name"] as? String ?? ""
        }
        return (runs, output.notes)
    }

    /// A SARIF file of two tools, one of which found nothing: both get a run, so GitHub closes
    /// the clean tool's fixed alerts (only the first run's tool had one).
    @Test func everyRunOfASARIFFileGetsItsToolARun() throws {
        #expect(try Self.write("two-runs-one-clean.sarif").runs == ["ToolA", "ToolB"])
    }

    /// A Trivy SARIF run of an image with no result may be a scan that checked nothing: no empty
    /// run that would close the image's alerts, and a note that says so.
    @Test func aScanThatMayHaveCheckedNothingGetsNoEmptyRun() throws {
        let written = try Self.write("trivy-image-no-result.sarif")
        #expect(!written.runs.contains("Trivy"), "\(written.runs)")
        #expect(
            written.notes.contains { $0.contains("may have checked nothing: no run of Trivy in the file") },
            "\(written.notes)")
        // Beside a clean run of another tool in the same file: that tool keeps its empty run,
        // and the note names Trivy (found by the diff review).
        let mixed = try Self.write("clean-tool-and-unproven-trivy.sarif")
        #expect(mixed.runs == ["ToolB"], "\(mixed.runs)")
        #expect(mixed.notes.count == 1 && mixed.notes.allSatisfy { $0.contains("no run of Trivy") }, "\(mixed.notes)")
    }

    /// A run its tool says failed, without a result, read under `--allow-incomplete`: an empty
    /// run for it would close every alert of the tool as fixed (it did; found by a review). The
    /// other tool of the file keeps its run.
    @Test func aFailedRunWithoutResultsGetsNoEmptyRun() throws {
        let written = try Self.write("failed-run-beside-a-tool-with-results.sarif", allowingIncomplete: true)
        #expect(written.runs == ["ToolA"], "\(written.runs)")
        #expect(
            written.notes.contains { $0.contains("may have checked nothing: no run of Semgrep in the file") },
            "\(written.notes)")
        // Beside a run of the same tool, ScanGate's run of it holds that run's results: the note
        // says what GitHub then closes, not that the results are other reports'.
        let sameTool = try Self.write("failed-run-beside-a-run-of-the-same-tool.sarif", allowingIncomplete: true)
        #expect(sameTool.runs == ["ToolA"], "\(sameTool.runs)")
        #expect(
            sameTool.notes.contains {
                $0.hasSuffix(
                    "may have checked nothing: the run of ToolA holds only findings of other reports or runs, so GitHub "
                        + "closes as fixed any earlier ToolA alert only this scan found")
            }, "\(sameTool.notes)")
    }
}
