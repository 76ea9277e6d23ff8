import Findings
import Foundation

/// Reads policy files: `scangate-policy: 1`, `extends` resolved relative to the extending file
/// (cycles refused), every key checked. Any problem is a ``ConfigurationError`` naming the
/// file and line.
public struct PolicyLoader: Sendable {
    /// Reads a file's text; the default reads from disk.
    public typealias ReadFile = @Sendable (String) throws(ConfigurationError) -> String

    private let readFile: ReadFile

    /// Reads from disk.
    public init() {
        self.readFile = { path throws(ConfigurationError) in try PolicyLoader.readFromDisk(path) }
    }

    /// Reads through `readFile` (tests give files in memory).
    public init(readFile: @escaping ReadFile) {
        self.readFile = readFile
    }

    /// A file's text as UTF-8, or a configuration error naming it.
    public static func readFromDisk(_ path: String) throws(ConfigurationError) -> String {
        try YAMLValue.readText(path: path, document: .policy)
    }

    /// Loads the policy at `path` and every file it extends.
    public func load(path: String) throws(ConfigurationError) -> Policy {
        var layers: [PolicyLayer] = []
        var seen: [String] = []
        var current = path
        var extendedFrom: Setting<String>?
        while true {
            let key = Self.identity(of: current)
            if seen.contains(key) {
                let chain = (layers.map(\.file) + [current]).joined(separator: " → ")
                throw ConfigurationError(
                    document: .policy, file: extendedFrom?.source.file ?? current,
                    line: extendedFrom?.source.line ?? 0, message: "extends makes a cycle: \(chain)")
            }
            seen.append(key)
            let text: String
            do {
                text = try readFile(current)
            } catch {
                guard let extendedFrom else { throw error }
                throw ConfigurationError(
                    document: .policy, file: extendedFrom.source.file, line: extendedFrom.source.line,
                    message: "extends \"\(extendedFrom.value)\": cannot read \(current): \(error.message)")
            }
            let layer = try PolicyLayer.parse(text, file: current)
            layers.append(layer)
            guard let extends = layer.extends else { break }
            extendedFrom = extends
            current = Self.resolve(extends.value, relativeTo: current)
        }
        return try Self.merge(layers, file: path)
    }

    /// `relative` as seen from the directory of `file` (absolute paths stay as they are).
    static func resolve(_ relative: String, relativeTo file: String) -> String {
        if relative.hasPrefix("/") { return relative }
        let directory = (file as NSString).deletingLastPathComponent
        let joined = directory.isEmpty ? relative : directory + "/" + relative
        return normalize(joined)
    }

    /// Removes `.` and `name/..` from a path; leading `..` of a relative path stay.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", path.hasPrefix("/"), parts.isEmpty {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    private static func identity(of path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The deepest parent first, each extending file overriding what it sets.
    private static func merge(_ layers: [PolicyLayer], file: String) throws(ConfigurationError) -> Policy {
        var policy = Policy(file: file, files: layers.map(\.file))
        var failOn: Setting<Severity?>?
        var warnOn: Setting<Severity?>?
        var required: Setting<Bool>?
        var requireScan: Setting<Bool>?
        var keys: Setting<[String]>?
        var resolvedKeys: [String] = []
        var rules: [PolicyRule] = []
        for layer in layers.reversed() {
            failOn = layer.failOn ?? failOn
            warnOn = layer.warnOn ?? warnOn
            rules = layer.rules + rules
            policy.maxCounts.merge(layer.maxCounts) { _, new in new }
            policy.severitySources = layer.severitySources ?? policy.severitySources
            policy.unknownSeverityAs = layer.unknownSeverityAs ?? policy.unknownSeverityAs
            policy.failOnNewOnly = layer.failOnNewOnly ?? policy.failOnNewOnly
            policy.trustToolSuppressions = layer.trustToolSuppressions ?? policy.trustToolSuppressions
            policy.emptyScans = layer.emptyScans ?? policy.emptyScans
            required = layer.signaturesRequired ?? required
            requireScan = layer.signaturesRequireScan ?? requireScan
            if let layerKeys = layer.signatureKeys {
                keys = layerKeys
                resolvedKeys = layerKeys.value.map { resolve($0, relativeTo: layer.file) }
            }
            policy.waiverLimits.maxDays.merge(layer.maxDays) { _, new in new }
            policy.waiverLimits.warnDays = layer.warnDays ?? policy.waiverLimits.warnDays
            policy.waiverLimits.requireSeverity = layer.requireSeverity ?? policy.waiverLimits.requireSeverity
        }
        // A gate that cannot fail must be asked for (`fail-on: none`), never the result of a
        // missing key.
        guard failOn != nil else {
            throw ConfigurationError(
                document: .policy, file: file, line: 1,
                message: "no fail-on in the policy or what it extends: say which severity fails the gate "
                    + "(fail-on: none if none should)")
        }
        policy.rules = rules
        // The environment is the file's own, never inherited: `prod-eu.yaml` extending
        // `staging.yaml` is not staging, and staging's waivers must not hold there.
        policy.declaredEnvironment = layers.first?.environment
        policy.environment = layers.first?.environment?.value ?? Self.environmentName(fromFile: file)
        // A file named for an environment (`staging.yaml`) says which it is as plainly as
        // `environment:` does: mapped to, or gated as, another, it is the same slip.
        if policy.declaredEnvironment == nil, EnvironmentFamily.family(of: policy.environment) != nil {
            policy.declaredEnvironment = Setting(policy.environment, at: SourceRef(file: file, line: 0))
            policy.environmentIsFromFileName = true
        }
        policy.failOn = failOn.flatMap { setting in setting.value.map { Setting($0, at: setting.source) } }
        policy.warnOn = warnOn.flatMap { setting in setting.value.map { Setting($0, at: setting.source) } }
        policy.signatures = SignaturePolicy(
            required: required?.value ?? false, keys: keys?.value ?? [], resolvedKeys: resolvedKeys,
            source: required?.source ?? keys?.source,
            requireScan: requireScan.flatMap { $0.value ? $0.source : nil })
        if let required, required.value, keys?.value.isEmpty ?? true {
            throw ConfigurationError(
                document: .policy, file: required.source.file, line: required.source.line,
                message: "signatures: required is true but no keys are given (signatures: keys: [path/to/key.pub])")
        }
        return policy
    }

    /// `policies/staging.yaml` → `staging`.
    static func environmentName(fromFile file: String) -> String {
        let name = (file as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        return stem.isEmpty ? name : stem
    }
}

/// What one policy file says, before `extends` is merged.
struct PolicyLayer {
    var file: String
    var extends: Setting<String>?
    var environment: Setting<String>?
    var failOn: Setting<Severity?>?
    var warnOn: Setting<Severity?>?
    var rules: [PolicyRule] = []
    var maxCounts: [Severity: Setting<Int>] = [:]
    var severitySources: Setting<[SeveritySource]>?
    var unknownSeverityAs: Setting<Severity>?
    var failOnNewOnly: Setting<Bool>?
    var trustToolSuppressions: Setting<Bool>?
    var emptyScans: Setting<EmptyScanAction>?
    var signaturesRequired: Setting<Bool>?
    var signaturesRequireScan: Setting<Bool>?
    var signatureKeys: Setting<[String]>?
    var maxDays: [Severity: Setting<Int>] = [:]
    var warnDays: Setting<Int>?
    var requireSeverity: Setting<Bool>?

    static let topLevelKeys = [
        "scangate-policy", "description", "extends", "environment", "fail-on", "warn-on", "fail-on-new-only", "rules",
        "max", "severity-sources", "unknown-severity-as", "trust-tool-suppressions", "empty-scans", "signatures",
        "waivers",
    ]

    static func parse(_ text: String, file: String) throws(ConfigurationError) -> PolicyLayer {
        let root = try YAMLValue.parse(text, file: file, document: .policy)
        let top = try root.mapping("a policy file", allowed: topLevelKeys)
        guard let version = top["scangate-policy"] else {
            throw root.error("not a ScanGate policy: the file must start with \"scangate-policy: 1\"")
        }
        guard (try? version.int("scangate-policy")) == 1 else {
            throw version.error("unsupported policy format version \(version.kindDescription); expected 1")
        }
        var layer = PolicyLayer(file: file)
        for entry in top.entries {
            let value = entry.value
            switch entry.key {
            case "scangate-policy": break
            case "description": _ = try value.string("description")
            case "extends": layer.extends = Setting(try value.string("extends"), at: value.source)
            case "environment":
                let name = try value.string("environment")
                guard EnvironmentName.isValid(name) else {
                    throw value.error("environment \"\(name)\" may contain only letters, digits, '.', '_' and '-'")
                }
                layer.environment = Setting(name, at: value.source)
            case "fail-on": layer.failOn = Setting(try SeverityName.threshold(value, "fail-on"), at: value.source)
            case "warn-on": layer.warnOn = Setting(try SeverityName.threshold(value, "warn-on"), at: value.source)
            case "fail-on-new-only": layer.failOnNewOnly = Setting(try value.bool("fail-on-new-only"), at: value.source)
            case "trust-tool-suppressions":
                layer.trustToolSuppressions = Setting(try value.bool("trust-tool-suppressions"), at: value.source)
            case "empty-scans":
                let text = try value.string("empty-scans")
                guard let action = EmptyScanAction(rawValue: text) else {
                    throw value.error("empty-scans: \"\(text)\" is not an action; expected fail or warn")
                }
                layer.emptyScans = Setting(action, at: value.source)
            case "unknown-severity-as":
                // One message for every wrong value: the severity parser's would offer `unknown`.
                guard let severity = try? SeverityName.parse(value, "unknown-severity-as"), severity != .unknown else {
                    throw value.error(
                        "unknown-severity-as must be a known severity (critical, high, medium, low, info)")
                }
                layer.unknownSeverityAs = Setting(severity, at: value.source)
            case "severity-sources": layer.severitySources = try parseSources(value)
            case "max": layer.maxCounts = try parseSeverityCounts(value, what: "max", minimum: 0)
            case "rules":
                let entries = try value.list("rules")
                for (offset, element) in entries.enumerated() {
                    layer.rules.append(try RuleParser.parse(element, index: offset + 1))
                }
            case "signatures": try parseSignatures(value, into: &layer)
            case "waivers": try parseWaiverLimits(value, into: &layer)
            default: break
            }
        }
        return layer
    }

    private static func parseSources(_ value: YAMLValue) throws(ConfigurationError) -> Setting<[SeveritySource]> {
        var sources: [SeveritySource] = []
        let elements = try value.list("severity-sources")
        guard !elements.isEmpty else { throw value.error("severity-sources must name at least one source") }
        for element in elements {
            let name = try element.string("a severity source").lowercased()
            let source: SeveritySource
            switch name {
            case "resolved": source = .resolved
            case "tool": source = .tool
            case "vendor": source = .vendor
            default:
                guard SeverityJudge.knownAuthorities.contains(name) else {
                    throw element.error(
                        "\"\(name)\" is not a severity source: use resolved, tool (the scanners' own "
                            + "verdicts), vendor, or an authority: "
                            + SeverityJudge.knownAuthorities.sorted().joined(separator: ", "))
                }
                source = .authority(name)
            }
            guard !sources.contains(source) else { throw element.error("severity source \"\(name)\" is listed twice") }
            sources.append(source)
        }
        return Setting(sources, at: value.source)
    }

    private static func parseSeverityCounts(_ value: YAMLValue, what: String, minimum: Int) throws(ConfigurationError)
        -> [Severity: Setting<Int>]
    {
        let names = Severity.descending.filter { $0 != .unknown }.map(\.rawValue)
        // Severity names in any case, as everywhere in a policy (`High: 0`).
        let mapping = try value.mapping(what, allowed: names, allowedInAnyCase: true)
        var result: [Severity: Setting<Int>] = [:]
        for entry in mapping.entries {
            guard let severity = Severity(rawValue: entry.key.lowercased()) else { continue }
            let number = try entry.value.int("\(what).\(entry.key)")
            guard number >= minimum else {
                throw entry.value.error("\(what).\(entry.key) must be at least \(minimum), found \(number)")
            }
            result[severity] = Setting(number, at: entry.value.source)
        }
        return result
    }

    private static func parseSignatures(_ value: YAMLValue, into layer: inout PolicyLayer) throws(ConfigurationError) {
        let mapping = try value.mapping("signatures", allowed: ["required", "keys", "require-scan"])
        if let required = mapping["required"] {
            layer.signaturesRequired = Setting(try required.bool("signatures.required"), at: required.source)
        }
        if let requireScan = mapping["require-scan"] {
            layer.signaturesRequireScan = Setting(
                try requireScan.bool("signatures.require-scan"), at: requireScan.source)
        }
        if let keys = mapping["keys"] {
            var paths: [String] = []
            for element in try keys.list("signatures.keys") { paths.append(try element.string("a key path")) }
            layer.signatureKeys = Setting(paths, at: keys.source)
        }
    }

    private static func parseWaiverLimits(_ value: YAMLValue, into layer: inout PolicyLayer) throws(ConfigurationError)
    {
        let mapping = try value.mapping("waivers", allowed: ["max-days", "warn-days", "require-severity"])
        if let maxDays = mapping["max-days"] {
            layer.maxDays = try parseSeverityCounts(maxDays, what: "waivers.max-days", minimum: 1)
        }
        if let warnDays = mapping["warn-days"] {
            let days = try warnDays.int("waivers.warn-days")
            guard days >= 0 else { throw warnDays.error("waivers.warn-days must not be negative, found \(days)") }
            layer.warnDays = Setting(days, at: warnDays.source)
        }
        if let require = mapping["require-severity"] {
            layer.requireSeverity = Setting(try require.bool("waivers.require-severity"), at: require.source)
        }
    }
}

/// Environment names: letters, digits, `.`, `_`, `-`.
enum EnvironmentName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}

/// Severity names in configuration files: `critical`, `high`, `medium`, `low`, `info`,
/// `unknown`, in any case. Tool wordings (`moderate`, `error`) are refused.
enum SeverityName {
    static let valid = "critical, high, medium, low, info, unknown"

    static func parse(_ value: YAMLValue, _ what: String) throws(ConfigurationError) -> Severity {
        let text = try value.string(what)
        guard let severity = Severity(rawValue: text.lowercased()) else {
            throw value.error("\(what): \"\(text)\" is not a severity; expected one of \(valid)")
        }
        return severity
    }

    /// A threshold: a known severity, or `none` for no threshold.
    static func threshold(_ value: YAMLValue, _ what: String) throws(ConfigurationError) -> Severity? {
        let text = try value.string(what)
        if text.lowercased() == "none" { return nil }
        guard let severity = Severity(rawValue: text.lowercased()), severity != .unknown else {
            throw value.error(
                "\(what): \"\(text)\" is not a threshold; expected critical, high, medium, low, info or none")
        }
        return severity
    }
}
