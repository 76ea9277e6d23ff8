/// Where a setting, rule, waiver or VEX statement came from: a file and a 1-based line.
public struct SourceRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file as the user named it (or as `extends` resolved it).
    public var file: String
    /// 1-based line; 0 when the whole file is meant.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`, or just `file` for line 0.
    public var description: String { line > 0 ? "\(file):\(line)" : file }

    public static func < (lhs: SourceRef, rhs: SourceRef) -> Bool { (lhs.file, lhs.line) < (rhs.file, rhs.line) }
}

/// A value read from a configuration file, with the place it was read from.
public struct Setting<Value: Sendable>: Sendable {
    public var value: Value
    public var source: SourceRef

    public init(_ value: Value, at source: SourceRef) {
        self.value = value
        self.source = source
    }
}

extension Setting: Equatable where Value: Equatable {}
extension Setting: Hashable where Value: Hashable {}

/// A policy, waivers, VEX or baseline file that ScanGate refuses. Never ignored: the gate exits 2.
///
/// The description is `file:line:column: message`, so editors and CI logs can jump to it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which kind of file was refused.
    public enum Document: String, Sendable, Equatable {
        case policy, waivers, vex, baseline
    }

    public var document: Document
    public var file: String
    /// 1-based line; 0 when the problem is the whole file (it cannot be read).
    public var line: Int
    /// 1-based column, when known.
    public var column: Int?
    public var message: String

    public init(document: Document, file: String, line: Int, column: Int? = nil, message: String) {
        self.document = document
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// What became of the file, for the line that closes a refused command: `the policy file
    /// cannot be read` (no line: the file itself) or `the policy file is invalid`.
    public var fileSummary: String {
        "the \(document.rawValue) file " + (line == 0 ? "cannot be read" : "is invalid")
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
