import Findings
import ScanGateJSON

/// Reading back what ``FindingsJSON`` wrote: ``FindingsSnapshot`` reads a previous run's
/// document (every command's `--baseline`, and `scangate diff`); this is where its error lives.
public enum FindingsJSONReader {
    /// A document refused: not JSON, another schema, or a finding without a fingerprint.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }
}
