import Findings
import ScanGateJSON

/// Reads back what ``FindingsJSON`` wrote (`scangate ingest --format json`), as far as a later
/// run needs it: each finding's fingerprint, id, kind and severity. Used as the gate's
/// `--baseline`.
public enum FindingsJSONReader {
    /// One finding of a previous run.
    public struct Entry: Sendable, Hashable {
        public var fingerprint: String
        public var id: String
        public var kind: String
        public var severity: Severity
        /// Whether it was in `suppressed` (a tool suppressed it) rather than `findings`.
        public var suppressed: Bool
    }

    /// A document refused: not JSON, another schema, or a finding without a fingerprint.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// The findings of a `scangate-findings/1` document, open ones first, in file order.
    public static func read(bytes: [UInt8], file: String) throws(ReadError) -> [Entry] {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes)
        } catch {
            throw ReadError(file: file, line: error.line, message: "not JSON: \(error.message)")
        }
        do {
            return try entries(document.root, file: file)
        } catch let error as ReadError {
            throw error
        } catch let error as JSONAccessError {
            throw ReadError(file: file, line: error.line, message: "\(error.message) (at \(error.path))")
        } catch {
            throw ReadError(file: file, line: 1, message: "\(error)")
        }
    }

    private static func entries(_ root: JSONValue, file: String) throws -> [Entry] {
        let object = try root.requireObject()
        let schema = try object.string("schema")
        guard schema == FindingsJSON.schema else {
            throw ReadError(
                file: file, line: object["schema"]?.line ?? root.line,
                message: "not a findings document of schema \(FindingsJSON.schema) (found "
                    + (schema.map { "\"\($0)\"" } ?? "no schema")
                    + "): give the output of scangate ingest --format json")
        }
        var result: [Entry] = []
        for (key, suppressed) in [("findings", false), ("suppressed", true)] {
            guard let findings = try object.array(key) else {
                throw ReadError(file: file, line: object.line, message: "the document has no \"\(key)\" list")
            }
            for finding in findings {
                let fingerprint = try finding.requiredString("fingerprint")
                let severityText = try finding.requiredString("severity")
                guard let severity = Severity(rawValue: severityText) else {
                    throw ReadError(
                        file: file, line: finding.line,
                        message: "unknown severity \"\(severityText)\" at \(finding.path)")
                }
                result.append(
                    Entry(
                        fingerprint: fingerprint, id: try finding.requiredString("id"),
                        kind: try finding.requiredString("kind"), severity: severity, suppressed: suppressed))
            }
        }
        return result
    }
}
