/// A `.scangate.yaml` (or a value given for it on the command line) that ScanGate refuses.
/// `scangate ci` exits 2 on it, before anything is read or written.
///
/// The description is `file:line:column: message`, so editors and CI logs can jump to it.
public struct CIConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file, or a description of the flag (`--env`) for command-line values.
    public var file: String
    /// 1-based line; 0 when the problem is the whole file or a flag.
    public var line: Int
    /// 1-based column, when known.
    public var column: Int?
    public var message: String

    public init(file: String, line: Int, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var place = file
        if line > 0 {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return "\(place): \(message)"
    }
}
