import Findings
import Foundation

/// Reads one `rules:` entry: `match:` (at least one key), `action:` and an optional `reason:`.
enum RuleParser {
    static let matchKeys = [
        "severity", "kind", "tool", "id", "package", "path", "image", "url", "cwe", "fix-available", "new",
    ]

    static func parse(_ value: YAMLValue, index: Int) throws(ConfigurationError) -> PolicyRule {
        let what = "rule \(index)"
        let mapping = try value.mapping(what, allowed: ["match", "action", "reason"])
        let matchValue = try mapping.require("match", in: what)
        let actionValue = try mapping.require("action", in: what)
        let actionText = try actionValue.string("action")
        guard let action = RuleAction(rawValue: actionText) else {
            throw actionValue.error("\(what): action \"\(actionText)\" is not one of fail, warn, ignore")
        }
        let reason = try mapping["reason"].map { (reason) throws(ConfigurationError) in try reason.string("reason") }
        let match = try parseMatch(matchValue, what: what)
        return PolicyRule(source: value.source, index: index, match: match, action: action, reason: reason)
    }

    static func parseMatch(_ value: YAMLValue, what: String) throws(ConfigurationError) -> RuleMatch {
        let mapping = try value.mapping("the match of \(what)", allowed: matchKeys)
        guard !mapping.entries.isEmpty else {
            throw value.error("\(what) matches nothing in particular: give match at least one key")
        }
        var match = RuleMatch()
        var summary: [String] = []
        for entry in mapping.entries {
            let value = entry.value
            switch entry.key {
            case "severity":
                for (text, element) in try value.strings("severity") {
                    match.severities.append(try parseSeverityCondition(text, element))
                }
            case "kind":
                for (text, element) in try value.strings("kind") {
                    guard let kind = FindingKind(rawValue: text) else {
                        let kinds = FindingKind.allCases.map(\.rawValue).joined(separator: ", ")
                        throw element.error("kind \"\(text)\" is not one of \(kinds)")
                    }
                    match.kinds.append(kind)
                }
            case "tool": match.tools = try globs(value, "tool", ignoresCase: true)
            case "id": match.ids = try globs(value, "id", ignoresCase: true)
            case "path":
                var paths: [Glob] = []
                for (text, element) in try value.strings("path") {
                    let normal: String
                    do {
                        normal = try FindingPath.pattern(text)
                    } catch {
                        throw element.error(error.description)
                    }
                    paths.append(try glob(element, normal, ignoresCase: false))
                }
                match.paths = paths
            // Registries and repositories are lower case (reports give them so), a tar file's name
            // as its author wrote it: case is ignored, so neither `GHCR.IO/acme/*` nor
            // `out/MyApp.tar` is a glob that matches nothing.
            case "image": match.images = try globs(value, "image", ignoresCase: true)
            case "url":
                var urls: [Glob] = []
                for (text, element) in try value.strings("url") {
                    let canonical: String
                    do {
                        canonical = try CanonicalURL.pattern(text)
                    } catch {
                        throw element.error(error.description)
                    }
                    urls.append(try glob(element, canonical, ignoresCase: false))
                }
                match.urls = urls
            case "cwe":
                for (text, element) in try value.strings("cwe") {
                    guard let cwe = normalizedCWE(text) else {
                        throw element.error("cwe \"\(text)\" is not a CWE id (CWE-79 or 79)")
                    }
                    match.cwes.append(cwe)
                }
            case "fix-available": match.fixAvailable = try value.bool("fix-available")
            case "new": match.isNew = try value.bool("new")
            case "package": match.package = try parsePackage(value)
            default: break
            }
            summary.append("\(entry.key): \(describe(value))")
        }
        match.summary = summary.joined(separator: ", ")
        return match
    }

    static func parseSeverityCondition(_ text: String, _ value: YAMLValue) throws(ConfigurationError)
        -> SeverityCondition
    {
        let trimmed = text.replacingOccurrences(of: " ", with: "")
        let opText = String(trimmed.prefix { "<>=".contains($0) })
        let name = String(trimmed.dropFirst(opText.count))
        guard let comparison = SeverityCondition.Comparison(rawValue: opText == "=" ? "" : opText) else {
            throw value.error("severity \"\(text)\": \"\(opText)\" is not one of >=, >, <=, <")
        }
        guard let severity = Severity(rawValue: name.lowercased()) else {
            throw value.error(
                "severity \"\(text)\": \"\(name)\" is not a severity; expected one of \(SeverityName.valid)")
        }
        if severity == .unknown && comparison != .equal {
            throw value.error("severity \"\(text)\": unknown can only be matched exactly (severity: unknown)")
        }
        return SeverityCondition(comparison, severity)
    }

    static func parsePackage(_ value: YAMLValue) throws(ConfigurationError) -> PackageCondition {
        if case .scalar = value.node {
            return PackageCondition(name: try glob(value, try value.string("package"), ignoresCase: false))
        }
        let mapping = try value.mapping("package", allowed: ["name", "ecosystem", "version"])
        guard !mapping.entries.isEmpty else { throw value.error("package must give a name, ecosystem or version") }
        var condition = PackageCondition()
        if let name = mapping["name"] {
            condition.name = try glob(name, try name.string("package.name"), ignoresCase: false)
        }
        if let ecosystem = mapping["ecosystem"] {
            let name = try ecosystem.string("package.ecosystem")
            // A misspelt ecosystem (`npmjs`) would match nothing, and a `fail` rule would never fire.
            guard Ecosystems.known.contains(name.lowercased()) else {
                throw ecosystem.error(
                    "package.ecosystem \"\(name)\" is not an ecosystem ScanGate reports; one of: "
                        + Ecosystems.known.sorted().joined(separator: ", "))
            }
            condition.ecosystem = name
        }
        if let version = mapping["version"] {
            let text = try version.string("package.version")
            // Bounds are read by the named ecosystem's rules (`1.0~rc1` is a Debian version).
            var scheme: VersionScheme?
            if let ecosystem = condition.ecosystem {
                scheme = VersionScheme(ecosystem: ecosystem)
                // Such a range would match every package in a fail rule and none in a relaxing one.
                guard scheme != nil else {
                    throw version.error(
                        "ScanGate cannot compare the versions of \(ecosystem) packages: a version range would match "
                            + "every one in a fail rule and none in a relaxing one")
                }
            }
            do {
                condition.versions = try VersionRange(text, scheme: scheme)
            } catch {
                throw version.error(error.description)
            }
        }
        return condition
    }

    private static func globs(_ value: YAMLValue, _ what: String, ignoresCase: Bool) throws(ConfigurationError)
        -> [Glob]
    {
        var result: [Glob] = []
        for (text, element) in try value.strings(what) {
            result.append(try glob(element, text, ignoresCase: ignoresCase))
        }
        return result
    }

    private static func glob(_ value: YAMLValue, _ text: String, ignoresCase: Bool) throws(ConfigurationError) -> Glob {
        do {
            return try Glob(text, ignoresCase: ignoresCase)
        } catch {
            throw value.error(error.description)
        }
    }

    /// `CWE-79`, `cwe-79` or `79` → `CWE-79`.
    static func normalizedCWE(_ text: String) -> String? {
        var digits = Substring(text.uppercased())
        if digits.hasPrefix("CWE-") { digits = digits.dropFirst(4) }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) else {
            return nil
        }
        return "CWE-\(number)"
    }

    /// The value as it reads in the file, on one line.
    private static func describe(_ value: YAMLValue) -> String {
        switch value.node {
        case .scalar(let scalar): return scalar.string
        case .sequence(let sequence):
            return "["
                + sequence.map { describe(YAMLValue(node: $0, file: value.file, document: value.document)) }
                .joined(separator: ", ") + "]"
        case .mapping(let mapping):
            return "{"
                + mapping.map { key, item in
                    (key.string ?? "?") + ": "
                        + describe(YAMLValue(node: item, file: value.file, document: value.document))
                }.joined(separator: ", ") + "}"
        case .alias: return "*"
        }
    }
}
