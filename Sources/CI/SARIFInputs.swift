import Adapters
import SARIF

extension Array where Element == ParsedReport {
    /// The tools whose reports checked something: each gets a SARIF run, an empty one included
    /// (how GitHub learns their earlier alerts are fixed).
    public var sarifTools: [SARIFTool] {
        filter { $0.emptyScan == nil }.map {
            SARIFTool(name: $0.tool, version: $0.toolVersion, image: $0.imageScope, report: $0.source)
        }
    }

    /// The reports that checked nothing: they give their tool no run of their own, since an
    /// empty run would close the tool's alerts (``SARIFEmptyReport``).
    public var sarifEmptyReports: [SARIFEmptyReport] {
        compactMap { report in
            report.emptyScan.map { SARIFEmptyReport(tool: report.tool, scan: $0, image: report.imageScope) }
        }
    }
}
