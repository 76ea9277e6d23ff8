import Foundation

/// Values given to `scangate release-gate` on the command line. Every one that is set wins over
/// `.scangate.yaml` (its `release` section, and its reports, waivers, VEX and baseline).
public struct ReleaseOverrides: Sendable {
    /// Report files or directories; when any is given, the configuration's `reports` are not used.
    public var reports: [String] = []
    public var allowIncomplete: Bool?
    public var maxReportSize: Int?
    public var policy: String?
    /// Replaces the configuration's `release.images` when not empty.
    public var images: [String] = []
    /// Replaces the configuration's list when set.
    public var waivers: [String]?
    public var vex: [String]?
    public var baseline: String?
    public var auditLog: String?
    public var auditKey: String?

    public init() {}
}

/// What one `scangate release-gate` run checks, decided before anything is read: the
/// configuration's `release` section with the flags applied.
public struct ReleasePlan: Sendable, Equatable {
    public var reports: [ReportInput]
    public var allowIncomplete: Bool
    public var maxReportSize: Int
    /// The production policy: `--policy`, else the configuration's policy of `release.environment`
    /// (default `production`).
    public var policy: String
    public var images: [String]
    /// The key files of `release.keys` (resolved). The command checks they are the keys the
    /// policy's `signatures: keys` name, or uses them when the policy names none.
    public var configuredKeys: [String]
    public var waivers: [String]
    public var vex: [String]
    public var baseline: String?
    public var auditLog: String?
    public var auditKey: String?
    /// The environments the configuration's `policies` defines (nil without any): a waiver naming
    /// another one holds nowhere, and the gate warns about it, as `scangate ci` does.
    public var definedEnvironments: [String]? = nil
    /// `release.environment`, when the configuration sets it.
    public var configuredEnvironment: String? = nil
    /// Whether `--policy` named the policy (not the configuration's `policies`).
    public var policyFromFlag = false

    /// The environment the release is gated in: `release.environment`, default production (its
    /// waivers hold), whether the configuration's `policies` gives the policy for it or `--policy`
    /// names one, as `scangate ci` gates in the environment it maps.
    public var environment: String { configuredEnvironment ?? Self.defaultEnvironment }

    /// The environment whose policy the release gate uses when `release.environment` is not set.
    public static let defaultEnvironment = "production"

    /// The plan for `config` with `overrides` applied. A ``CIConfigError`` says what is missing
    /// (a policy, an image, a report) or contradictory (an audit key without a log), and which
    /// flag or key provides it; nothing is read or contacted.
    public static func make(config: CIConfiguration, overrides: ReleaseOverrides) throws(CIConfigError) -> ReleasePlan {
        let configName = config.file ?? "the command line"
        func error(_ message: String) -> CIConfigError { CIConfigError(file: configName, line: 0, message: message) }
        let release = config.release ?? CIConfiguration.ReleaseSettings()

        let policy: String
        let environment = release.environment ?? defaultEnvironment
        if let given = overrides.policy {
            policy = given
        } else {
            guard let path = config.policies[environment] else {
                let listed = config.policies.keys.sorted()
                throw error(
                    "no policy for the release: pass --policy FILE, or list the \(environment) policy under policies"
                        + (listed.isEmpty ? "" : " (it lists: \(listed.joined(separator: ", ")))")
                        + (release.environment == nil ? " or name one with release.environment" : ""))
            }
            policy = path
        }

        let images = overrides.images.isEmpty ? release.images : overrides.images
        guard !images.isEmpty else {
            throw error("no images: pass --image REF (repeat per image) or list them under release.images")
        }

        let reports: [ReportInput] =
            overrides.reports.isEmpty
            ? config.reports.map(ReportInput.pattern) : overrides.reports.map(ReportInput.path)
        guard !reports.isEmpty else {
            throw error("no reports: list them under reports in \(CIConfiguration.defaultFileName) or as arguments")
        }

        let auditLog = overrides.auditLog ?? release.auditLog
        let auditKey = overrides.auditKey ?? release.auditKey
        if auditKey != nil && auditLog == nil {
            throw error("an audit key without an audit log: pass --audit-log FILE or set release.audit-log")
        }
        var plan = ReleasePlan(
            reports: reports, allowIncomplete: overrides.allowIncomplete ?? config.allowIncomplete,
            maxReportSize: overrides.maxReportSize ?? config.maxReportSize ?? 1 << 30, policy: policy,
            images: images, configuredKeys: release.keys, waivers: overrides.waivers ?? config.waivers,
            vex: overrides.vex ?? config.vex, baseline: overrides.baseline ?? config.baseline, auditLog: auditLog,
            auditKey: auditKey, definedEnvironments: config.definedEnvironments,
            configuredEnvironment: release.environment)
        plan.policyFromFlag = overrides.policy != nil
        return plan
    }
}

extension ReportInput {
    /// The report files `inputs` name, each once, sorted by path: a path as it is, a
    /// directory's files, a pattern's matches, each in its plain spelling (``plainPath(_:)``).
    /// Sorted and plain, so that the same reports named in another order or spelling
    /// (`./reports/`, `reports//x.json`) give the same outputs byte for byte (every findings
    /// document and report lists them) and are read once. `missing` says which named nothing: a path that does not
    /// exist, a directory without a report file, a pattern that matches no file (a scanner that
    /// wrote no report must not look like a clean scan).
    public static func files(_ inputs: [ReportInput]) -> (paths: [String], missing: [String]) {
        var paths: [String] = []
        var missing: [String] = []
        for input in inputs {
            switch input {
            case .path(let path):
                var isDirectory: ObjCBool = false
                if path == "-" {
                    missing.append(
                        "-: reports are read from files, not standard input: write it to a file and give that")
                } else if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                    missing.append("\(path): no such file or directory")
                } else if isDirectory.boolValue {
                    let files = ReportGlob.filesIn(path)
                    if files.isEmpty { missing.append("\(path): no report file in this directory") }
                    paths += files
                } else {
                    paths.append(path)
                }
            case .pattern(let pattern):
                // Validated when the configuration was read; a pattern that no longer parses matches nothing.
                let (matched, unlistable) = (try? ReportGlob(pattern))?.expansion() ?? ([], [])
                for directory in unlistable {
                    missing.append(
                        "\(directory): cannot be listed or entered, and the pattern \(pattern) reaches into it: a "
                            + "report there would go unread; make it readable, or narrow the pattern")
                }
                if matched.isEmpty && unlistable.isEmpty { missing.append("\(pattern): no report matches") }
                paths += matched
            }
        }
        return (Array(Set(paths.map(plainPath))).sorted(), missing)
    }

    /// `path` without what changes its spelling but not the file it names: `.` segments, repeated
    /// and trailing slashes (`./reports//x.json` is `reports/x.json`). `..` segments stay: after a
    /// symbolic link, `a/..` is not where `a` is.
    public static func plainPath(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let joined = segments.joined(separator: "/")
        if isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
