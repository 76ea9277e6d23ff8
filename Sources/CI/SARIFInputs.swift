import Adapters
import Findings
import SARIF

extension Array where Element == ParsedReport {
    /// The tools whose reports checked something: each gets a SARIF run, an empty one included
    /// (how GitHub learns their earlier alerts are fixed); every run's tool of a SARIF file,
    /// but not one whose run may have checked nothing (a Trivy SARIF run of an image with no
    /// result): ``sarifEmptyReports``.
    public var sarifTools: [SARIFTool] {
        filter { $0.emptyScan == nil }.flatMap { report in
            var seen = Set(report.unprovenScanTools)
            return ([report.tool] + report.runTools).filter { seen.insert($0).inserted }.map { name in
                SARIFTool(
                    name: name, version: name == report.tool ? report.toolVersion : nil, image: report.imageScope,
                    report: report.source)
            }
        }
    }

    /// The reports that checked nothing, or may have: they give their tool no run of their own,
    /// since an empty run would close the tool's alerts (``SARIFEmptyReport``).
    public var sarifEmptyReports: [SARIFEmptyReport] {
        flatMap { report in
            let certain = report.emptyScan.map {
                [SARIFEmptyReport(tool: report.tool, scan: $0, image: report.imageScope)]
            }
            // One note per tool of the file: two image runs without a result say the same thing.
            var seen = Set<String>()
            let unproven = zip(report.unprovenScans, report.unprovenScanTools).filter { seen.insert($0.1).inserted }
                .map { reason, tool in
                    SARIFEmptyReport(
                        tool: tool, scan: EmptyScan(report: report.source, reason: reason, isCertain: false),
                        image: report.imageScope)
                }
            return (certain ?? []) + unproven
        }
    }
}
