import Findings
import ScanGateJSON

/// Reads NpmAudit reports into findings.
public enum NpmAuditAdapter {
    public static func parse(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        throw ReportError(file: source.name, message: "NpmAudit reports are not read yet")
    }
}
