import ScanGateJSON

/// One problem the validator found in a SARIF file.
public struct SARIFProblem: Sendable, Hashable, CustomStringConvertible {
    /// `error`: GitHub would reject the upload. `warning`: GitHub accepts it but alerts look
    /// wrong or are truncated.
    public enum Level: String, Sendable, Hashable {
        case error, warning
    }

    public var level: Level
    /// The rule, numbered as `shared/sarif/validate.py` numbers it (`GH004`, `GH013`, …), or
    /// `JSON` when the file is not JSON.
    public var code: String
    /// A JSONPath-like location (`$.runs[0].results[3]`).
    public var path: String
    public var message: String

    public init(level: Level, code: String, path: String, message: String) {
        self.level = level
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(level.rawValue) \(code) \(path): \(message)" }
}

/// What ``SARIFValidator/validate(_:limits:)`` found.
public struct SARIFValidation: Sendable {
    public var problems: [SARIFProblem]
    /// Size of the file after gzip, as it would be uploaded (nil when the file is not JSON).
    public var gzipBytes: Int?

    public init(problems: [SARIFProblem], gzipBytes: Int?) {
        self.problems = problems
        self.gzipBytes = gzipBytes
    }

    public var errors: [SARIFProblem] { problems.filter { $0.level == .error } }
    public var warnings: [SARIFProblem] { problems.filter { $0.level == .warning } }
    /// Whether GitHub would accept the file (warnings do not stop an upload).
    public var isAcceptable: Bool { errors.isEmpty }
}

/// Checks a SARIF file against the GitHub code scanning rules that make an upload fail, before
/// it is sent. It is not a JSON Schema validator: ScanGate's writer produces schema-valid SARIF,
/// and `shared/sarif/validate.py` checks the schema in tests.
///
/// Errors (GitHub rejects the whole upload):
/// - the file is not JSON, `version` is not `2.1.0`, `runs` is missing (`JSON`, `GH001`, `GH003`);
/// - more than 20 runs (`GH004`), gzip size over 10 MB (`GH005`);
/// - a run without a driver name (`GH010`), two runs with the same tool and category
///   (`GH013`: the category is `automationDetails.id` up to its last `/`);
/// - more than 25,000 rules (`GH015`) or results (`GH018`) in a run, a run without `results`
///   (`GH017`);
/// - more than 20 tags on a rule (`GH042`), a `security-severity` that is not a number (`GH043`);
/// - a result without `message.text` (`GH030`), without a location (`GH033`), with more than
///   1,000 locations (`GH034`), a location without `physicalLocation.artifactLocation.uri`
///   (`GH035`);
/// - an artifact URI that is empty (`GH020`), has a control character or a bad `%` escape
///   (`GH021`), or has a scheme other than `file` (`GH022`): a URL or an image reference such
///   as `alpine:3.10`, which GitHub rejects whenever a checkout URI is known.
///
/// Warnings: more than 5,000 results in a run (GitHub keeps the top 5,000), more than 10 tags,
/// more than 100 locations, `automationDetails.id` without `/`.
public enum SARIFValidator {
    /// Validates the bytes of a SARIF file exactly as they would be uploaded.
    ///
    /// - Parameter knownGzipBytes: the gzip size of exactly these bytes when the caller has just
    ///   computed it (``SARIFOutput/gzipBytes``, or the uploader's payload): compressing 100 MB
    ///   again costs a second. Without it the file is compressed at zlib level 6, as codeql-action's
    ///   `upload-sarif` sends it (ScanGate's uploader never sends more: ``gzipForUpload(_:limit:)``).
    public static func validate(
        _ bytes: [UInt8], limits: SARIFLimits = .github, knownGzipBytes: Int? = nil
    ) -> SARIFValidation {
        var checker = Checker(limits: limits)
        let document: JSONDocument
        do throws(JSONSyntaxError) {
            document = try JSONDocument(bytes: bytes)
        } catch {
            checker.error("JSON", "$", "not valid JSON: \(error)")
            return SARIFValidation(problems: checker.problems, gzipBytes: nil)
        }
        var gzipBytes: Int? = knownGzipBytes
        do {
            if gzipBytes == nil { gzipBytes = try gzipCompressedSize(bytes, level: SARIFWriter.measuringLevel) }
        } catch {
            checker.error("GH005", "$", "\(error)")
        }
        if let gzipBytes, gzipBytes > limits.maximumGzipBytes {
            checker.error(
                "GH005", "$",
                "gzip-compressed size \(gzipBytes) B > \(limits.maximumGzipBytes) B (413 Payload Too Large)")
        }
        checker.checkLog(document.root)
        return SARIFValidation(problems: checker.problems, gzipBytes: gzipBytes)
    }

    /// GitHub's category of an `automationDetails.id`: everything before the last `/`, or empty.
    public static func category(ofAutomationID id: String?) -> String {
        guard let id, let slash = id.lastIndex(of: "/") else { return "" }
        return String(id[..<slash])
    }

    /// Why GitHub would reject `uri` as an artifact location, or nil when it accepts it.
    public static func uriProblem(_ uri: String) -> (code: String, message: String)? {
        if uri.isEmpty { return ("GH020", "artifactLocation.uri is empty") }
        let bytes = Array(uri.utf8)
        for (offset, byte) in bytes.enumerated() {
            if byte < 0x20 || byte == 0x7F { return ("GH021", "invalid URI \(quoted(uri)): control character") }
            if byte == UInt8(ascii: "%") {
                let valid =
                    offset + 2 < bytes.count && isHexDigit(bytes[offset + 1]) && isHexDigit(bytes[offset + 2])
                if !valid { return ("GH021", "invalid URI \(quoted(uri)): malformed %-escape") }
            }
        }
        if bytes[0] == UInt8(ascii: ":") { return ("GH021", "invalid URI \(quoted(uri)): missing protocol scheme") }
        let scheme = scheme(of: bytes)
        if let scheme {
            // `scheme://host/…`: GitHub refuses a host with any other character than RFC 3986
            // allows (`file://Package Descriptor`, a space).
            let rest = bytes.dropFirst(scheme.utf8.count + 1)
            if rest.starts(with: "//".utf8) {
                let host = rest.dropFirst(2).prefix { $0 != UInt8(ascii: "/") }
                if let bad = host.first(where: { !isHostByte($0) }) {
                    return (
                        "GH021",
                        "invalid URI \(quoted(uri)): invalid character \(quoted(String(UnicodeScalar(bad)))) in host name"
                    )
                }
            }
        }
        if let scheme, scheme != "file" {
            return (
                "GH022",
                "URI \(quoted(uri)) has scheme \(quoted(scheme)): GitHub rejects a URL or an image reference as an "
                    + "artifact location ('SARIF URI scheme did not match the checkout URI scheme \"file\"')"
            )
        }
        return nil
    }

    /// A byte GitHub accepts in a URI's host: RFC 3986's unreserved and sub-delimiter characters,
    /// `:`, `[`, `]`, `%` and `@` (what `shared/sarif/validate.py` checks).
    private static func isHostByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || "-._~!$&'()*+,;=:[]%@".utf8.contains(byte)
    }

    /// The lower-cased RFC 3986 scheme `uri` starts with, if any (`https`, `alpine` in `alpine:3.10`).
    static func scheme(of bytes: [UInt8]) -> String? {
        guard let first = bytes.first, isLetter(first) else { return nil }
        for (offset, byte) in bytes.enumerated().dropFirst() {
            if byte == UInt8(ascii: ":") { return String(decoding: bytes[..<offset], as: UTF8.self).lowercased() }
            let allowed =
                isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E
            if !allowed { return nil }
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)
    }

    static func quoted(_ text: String) -> String { "'" + text + "'" }

    private struct Checker {
        let limits: SARIFLimits
        var problems: [SARIFProblem] = []

        init(limits: SARIFLimits) { self.limits = limits }

        mutating func error(_ code: String, _ path: String, _ message: String) {
            problems.append(SARIFProblem(level: .error, code: code, path: path, message: message))
        }

        mutating func warn(_ code: String, _ path: String, _ message: String) {
            problems.append(SARIFProblem(level: .warning, code: code, path: path, message: message))
        }

        mutating func checkLog(_ log: JSONValue) {
            guard log.kind == .object else {
                error("GH001", "$", "top level is not a JSON object")
                return
            }
            if log["version"]?.stringValue != "2.1.0" { error("GH001", "$.version", "must be \"2.1.0\"") }
            guard let runs = log["runs"], runs.kind == .array else {
                error("GH003", "$.runs", "missing or not an array")
                return
            }
            if runs.count > limits.maximumRuns {
                error("GH004", "$.runs", "\(runs.count) runs > \(limits.maximumRuns) per file (analysis rejected)")
            }
            var seen: [String: Int] = [:]
            for (index, run) in runs.elements.enumerated() where run.kind == .object {
                let path = "$.runs[\(index)]"
                let driver = run["tool"]?["driver"]
                let name = driver?["name"]?.stringValue ?? ""
                if name.allSatisfy(\.isWhitespace) { error("GH010", path + ".tool.driver.name", "missing or empty") }
                let automationID = run["automationDetails"]?["id"]?.stringValue
                if let automationID, !automationID.contains("/") {
                    warn(
                        "GH012", path + ".automationDetails.id",
                        "\(quoted(automationID)) has no '/': the category is empty")
                }
                let category = SARIFValidator.category(ofAutomationID: automationID)
                // NUL cannot occur in either part, so the pair maps to one key.
                let key = name + "\u{0}" + category
                if let other = seen[key] {
                    error(
                        "GH013", path,
                        "same tool \(quoted(name)) and category \(quoted(category)) as runs[\(other)]: GitHub rejects "
                            + "the file ('A delivery cannot contain multiple runs with the same category')")
                } else {
                    seen[key] = index
                }
                if let extensions = run["tool"]?["extensions"], extensions.count > limits.maximumExtensionsPerRun {
                    error("GH014", path + ".tool.extensions", "\(extensions.count) > \(limits.maximumExtensionsPerRun)")
                }
                let rules = driver?["rules"].flatMap { $0.kind == .array ? $0.elements : nil } ?? []
                if rules.count > limits.maximumRulesPerRun {
                    error("GH015", path + ".tool.driver.rules", "\(rules.count) rules > \(limits.maximumRulesPerRun)")
                }
                for (ruleIndex, rule) in rules.enumerated() {
                    checkRule(rule, path: path + ".tool.driver.rules[\(ruleIndex)]")
                }
                guard let results = run["results"], results.kind == .array else {
                    error("GH017", path + ".results", "missing: a run must have a results array")
                    continue
                }
                if results.count > limits.maximumResultsPerRun {
                    error(
                        "GH018", path + ".results",
                        "\(results.count) results > \(limits.maximumResultsPerRun) per run (analysis rejected)")
                } else if results.count > limits.keptResultsPerRun {
                    warn(
                        "GH018", path + ".results",
                        "\(results.count) results; GitHub keeps only the top \(limits.keptResultsPerRun) by severity")
                }
                for (resultIndex, result) in results.elements.enumerated() {
                    checkResult(result, path: path + ".results[\(resultIndex)]")
                }
            }
        }

        mutating func checkRule(_ rule: JSONValue, path: String) {
            guard let properties = rule["properties"], properties.kind == .object else { return }
            if let tags = properties["tags"], tags.kind == .array {
                if tags.count > limits.maximumTagsPerRule {
                    error("GH042", path + ".properties.tags", "\(tags.count) tags > \(limits.maximumTagsPerRule)")
                } else if tags.count > limits.keptTagsPerRule {
                    warn(
                        "GH042", path + ".properties.tags", "\(tags.count) tags; GitHub keeps \(limits.keptTagsPerRule)"
                    )
                }
            }
            if let severity = properties["security-severity"] {
                let text = severity.kind == .string ? severity.stringValue : severity.scalarText
                let value = text.flatMap { Double($0.trimmingCharacters(in: " ")) }
                if severity.kind == .bool || value == nil || value?.isNaN == true {
                    error("GH043", path + ".properties.security-severity", "not a number")
                }
            }
        }

        mutating func checkResult(_ result: JSONValue, path: String) {
            guard result.kind == .object else { return }
            let text = result["message"]?["text"]?.stringValue ?? ""
            if text.allSatisfy(\.isWhitespace) { error("GH030", path + ".message.text", "missing or empty") }
            guard let locations = result["locations"], locations.kind == .array, locations.count > 0 else {
                error("GH033", path + ".locations", "no location: GitHub rejects the whole upload")
                return
            }
            if locations.count > limits.maximumLocationsPerResult {
                error(
                    "GH034", path + ".locations",
                    "\(locations.count) locations > \(limits.maximumLocationsPerResult) per result")
            } else if locations.count > limits.keptLocationsPerResult {
                warn(
                    "GH034", path + ".locations",
                    "\(locations.count) locations; GitHub keeps \(limits.keptLocationsPerResult)")
            }
            for (index, location) in locations.elements.enumerated() {
                let locationPath = path + ".locations[\(index)]"
                guard let physical = location["physicalLocation"], physical.kind == .object else {
                    error("GH035", locationPath, "no physicalLocation")
                    continue
                }
                guard let artifact = physical["artifactLocation"], artifact.kind == .object else {
                    error("GH035", locationPath + ".physicalLocation", "no artifactLocation")
                    continue
                }
                guard let uri = artifact["uri"]?.stringValue else {
                    // An index into run.artifacts is legal; its artifact's URI is not checked here
                    // (ScanGate never writes one).
                    if (artifact["index"]?.intValue ?? -1) < 0 {
                        error("GH035", locationPath + ".physicalLocation.artifactLocation", "neither uri nor index")
                    }
                    continue
                }
                if let problem = SARIFValidator.uriProblem(uri) {
                    error(problem.code, locationPath + ".physicalLocation.artifactLocation.uri", problem.message)
                }
                // The schema's minimum for every line and column is 1: GitHub refuses a 0.
                if let region = physical["region"], region.kind == .object {
                    for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                        if let value = region[key], value.kind == .number, (value.intValue ?? 0) < 1 {
                            error(
                                "SCHEMA", locationPath + ".physicalLocation.region.\(key)",
                                "\(value.intValue.map(String.init) ?? "not a whole number"): must be at least 1")
                        }
                    }
                }
            }
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
