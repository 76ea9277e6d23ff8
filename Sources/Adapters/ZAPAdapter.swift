import Findings
import ScanGateJSON

/// Reads OWASP ZAP reports into findings.
public enum ZAPAdapter {
    public static func parseXML(_ source: ReportSource) throws(ReportError) -> ParsedReport {
        throw ReportError(file: source.name, message: "ZAP XML reports are not read yet")
    }

    public static func parseJSON(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        throw ReportError(file: source.name, message: "ZAP JSON reports are not read yet")
    }
}
