import Findings
import ScanGateJSON

/// Reads Trivy reports into findings.
public enum TrivyAdapter {
    public static func parse(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        throw ReportError(file: source.name, message: "Trivy reports are not read yet")
    }
}
