import Findings
import ScanGateJSON

/// Reads SARIF reports into findings.
public enum SARIFAdapter {
    public static func parse(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        throw ReportError(file: source.name, message: "SARIF reports are not read yet")
    }
}
