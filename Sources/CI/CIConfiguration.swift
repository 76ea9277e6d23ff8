import ConfigYAML
import Foundation
import Policy
import Signatures

/// `.scangate.yaml`: what `scangate ci` does for a repository. Paths in it are relative to the
/// file's directory and are stored resolved (joined with that directory), report patterns too.
public struct CIConfiguration: Sendable, Equatable {
    /// Which outputs to write, each a path (nil: not written).
    public struct Outputs: Sendable, Equatable {
        /// The merged SARIF file (also what is uploaded).
        public var sarif: String?
        /// The self-contained HTML report.
        public var html: String?
        /// The Markdown report (also the job summary and the pull request comment).
        public var markdown: String?
        /// JUnit XML for CI test tabs.
        public var junit: String?
        /// The report JSON (`scangate-report/1`).
        public var json: String?
        /// The gate's decision JSON (`scangate-gate/1`).
        public var decision: String?
        /// The normalized findings (`scangate-findings/1`), usable as the next run's baseline.
        public var findings: String?
        /// Every result left out of the SARIF file for GitHub's limits, one line each.
        public var sarifDropped: String?

        public init(
            sarif: String? = nil, html: String? = nil, markdown: String? = nil, junit: String? = nil,
            json: String? = nil, decision: String? = nil, findings: String? = nil, sarifDropped: String? = nil
        ) {
            self.sarif = sarif
            self.html = html
            self.markdown = markdown
            self.junit = junit
            self.json = json
            self.decision = decision
            self.findings = findings
            self.sarifDropped = sarifDropped
        }

        /// Every output: its key under `outputs` and its field. The one list the configuration's
        /// keys, the flags' overrides and the checks on output paths are read from.
        public static var fields: [(key: String, field: WritableKeyPath<Outputs, String?>)] {
            [
                ("sarif", \.sarif), ("html", \.html), ("markdown", \.markdown), ("junit", \.junit), ("json", \.json),
                ("decision", \.decision), ("findings", \.findings), ("sarif-dropped", \.sarifDropped),
            ]
        }

        /// The `scangate ci` flag that sets the output of `key` (`--decision-json` for `decision`).
        public static func flag(forKey key: String) -> String {
            switch key {
            case "decision", "findings": "--\(key)-json"
            default: "--\(key)"
            }
        }

        /// Every output by its key under `outputs` (nil: not written).
        public var byKey: [(key: String, path: String?)] { Self.fields.map { ($0.key, self[keyPath: $0.field]) } }
    }

    /// How the SARIF file is written.
    public struct SARIFSettings: Sendable, Equatable {
        public var category: String?
        public var sourceRoot: String?
        public var dockerfile: String?

        public init(category: String? = nil, sourceRoot: String? = nil, dockerfile: String? = nil) {
            self.category = category
            self.sourceRoot = sourceRoot
            self.dockerfile = dockerfile
        }
    }

    /// Whether and where the SARIF file is uploaded.
    public struct UploadSettings: Sendable, Equatable {
        /// Upload with the token: inside GitHub Actions a run without one is an error (exit 2),
        /// elsewhere it skips the upload and says so.
        public var enabled: Bool
        public var apiURL: String?
        /// Wait until GitHub has processed the file.
        public var wait: Bool
        public var cacert: String?

        public init(enabled: Bool = true, apiURL: String? = nil, wait: Bool = true, cacert: String? = nil) {
            self.enabled = enabled
            self.apiURL = apiURL
            self.wait = wait
            self.cacert = cacert
        }
    }

    /// What `scangate release-gate` checks (``ReleasePlan``); `scangate ci` validates it only.
    public struct ReleaseSettings: Sendable, Equatable {
        /// The environment whose policy the release gate uses.
        public var environment: String?
        /// Image references (tags resolve; digests are what gets verified).
        public var images: [String]
        /// Public key files (PEM), resolved: the same keys as the production policy's
        /// `signatures: keys`, or the trusted keys when the policy names none.
        public var keys: [String]
        public var auditLog: String?
        public var auditKey: String?

        public init(
            environment: String? = nil, images: [String] = [], keys: [String] = [], auditLog: String? = nil,
            auditKey: String? = nil
        ) {
            self.environment = environment
            self.images = images
            self.keys = keys
            self.auditLog = auditLog
            self.auditKey = auditKey
        }
    }

    /// The file this came from; nil for the empty configuration (no file).
    public var file: String?
    /// The directory relative paths were resolved against.
    public var directory: String
    /// Report globs, resolved against ``directory``.
    public var reports: [String]
    public var allowIncomplete: Bool
    public var maxReportSize: Int?
    /// The environment used when `--env` is not given.
    public var environment: String?
    /// The policy file per environment, resolved.
    public var policies: [String: String]
    /// The environments ``policies`` defines, sorted; nil when it lists none. A waiver naming
    /// another one holds nowhere, and the gate warns (``GateInput/definedEnvironments``).
    public var definedEnvironments: [String]? { policies.isEmpty ? nil : policies.keys.sorted() }
    public var waivers: [String]
    public var vex: [String]
    public var baseline: String?
    public var outputs: Outputs
    public var sarif: SARIFSettings
    public var upload: UploadSettings
    /// Comment on the pull request when the run is for one.
    public var comment: Bool
    public var release: ReleaseSettings?

    public init(
        file: String? = nil, directory: String = ".", reports: [String] = [], allowIncomplete: Bool = false,
        maxReportSize: Int? = nil, environment: String? = nil, policies: [String: String] = [:],
        waivers: [String] = [], vex: [String] = [], baseline: String? = nil, outputs: Outputs = Outputs(),
        sarif: SARIFSettings = SARIFSettings(), upload: UploadSettings = UploadSettings(), comment: Bool = true,
        release: ReleaseSettings? = nil
    ) {
        self.file = file
        self.directory = directory
        self.reports = reports
        self.allowIncomplete = allowIncomplete
        self.maxReportSize = maxReportSize
        self.environment = environment
        self.policies = policies
        self.waivers = waivers
        self.vex = vex
        self.baseline = baseline
        self.outputs = outputs
        self.sarif = sarif
        self.upload = upload
        self.comment = comment
        self.release = release
    }

    /// The file name `scangate ci` and `scangate init` use.
    public static let defaultFileName = ".scangate.yaml"

    /// Every top-level key, in the order the documentation lists them (the JSON Schema test
    /// checks the schema has exactly these).
    public static let topLevelKeys = [
        "scangate-config", "reports", "allow-incomplete", "max-report-size", "environment", "policies", "waivers",
        "vex", "baseline", "outputs", "sarif", "upload", "comment", "release",
    ]
    static let outputKeys = Outputs.fields.map(\.key)
    static let sarifKeys = ["category", "source-root", "dockerfile"]
    static let uploadKeys = ["enabled", "api-url", "wait", "cacert"]
    static let commentKeys = ["enabled"]
    static let releaseKeys = ["environment", "images", "keys", "audit-log", "audit-key"]

    /// Whether `name` can be an environment (the gate's `--env` rule).
    public static func isValidEnvironment(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}

/// Reads `.scangate.yaml`.
public enum CIConfigLoader {
    /// The project configuration a command runs with: `path` when given, else
    /// ``CIConfiguration/defaultFileName`` in the working directory when it exists, else none
    /// (every value then comes from flags).
    public static func loadProject(path: String?) throws(CIConfigError) -> CIConfiguration {
        if let path { return try load(path: path) }
        guard FileManager.default.fileExists(atPath: CIConfiguration.defaultFileName) else { return CIConfiguration() }
        return try load(path: CIConfiguration.defaultFileName)
    }

    /// Loads and validates the file; every problem is a ``CIConfigError`` with file and line.
    public static func load(path: String) throws(CIConfigError) -> CIConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CIConfigError(
                file: path, line: 0, message: "cannot read the configuration: \(UnreadableFile.reason(path))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let line = UTF8Position.lineOfFirstInvalidByte([UInt8](data)) ?? 0
            throw CIConfigError(file: path, line: line, message: "the file is not valid UTF-8")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, directory: directory.isEmpty ? "." : directory)
    }

    /// Parses configuration text; relative paths are resolved against `directory`.
    public static func parse(_ text: String, file: String, directory: String) throws(CIConfigError)
        -> CIConfiguration
    {
        let root = try ConfigNode.parse(text, file: file)
        let entries = try root.mapping("the configuration", allowed: CIConfiguration.topLevelKeys)
        var config = CIConfiguration(file: file, directory: directory)
        func resolve(_ path: String) -> String { PathResolution.join(directory, path) }

        guard let version = entries.first(where: { $0.key == "scangate-config" }) else {
            throw root.error("the configuration has no \"scangate-config: 1\" (the format version)")
        }
        guard try version.value.int("scangate-config") == 1 else {
            throw version.value.error("scangate-config must be 1 (the only version this ScanGate reads)")
        }
        var policiesNode: ConfigNode?
        var environmentNode: ConfigNode?
        for (key, value) in entries {
            switch key {
            case "reports":
                for (pattern, node) in try value.strings("reports") {
                    do { _ = try ReportGlob(pattern) } catch { throw node.error(error.description) }
                    config.reports.append(resolve(pattern))
                }
            case "allow-incomplete": config.allowIncomplete = try value.bool("allow-incomplete")
            case "max-report-size":
                let size = try value.int("max-report-size")
                guard size > 0 else { throw value.error("max-report-size must be positive") }
                config.maxReportSize = size
            case "environment":
                let name = try value.string("environment")
                guard CIConfiguration.isValidEnvironment(name) else {
                    throw value.error("environment \"\(name)\" may contain only letters, digits, '.', '_', '-'")
                }
                config.environment = name
                environmentNode = value
            case "policies":
                policiesNode = value
                let list = try value.mapping("policies (environment: policy file)", allowed: nil)
                guard !list.isEmpty else { throw value.error("policies must name at least one environment") }
                for (name, path) in list {
                    guard CIConfiguration.isValidEnvironment(name) else {
                        throw path.error("environment \"\(name)\" may contain only letters, digits, '.', '_', '-'")
                    }
                    config.policies[name] = resolve(try path.string("the policy of \(name)"))
                }
            case "waivers": config.waivers = try value.strings("waivers", allowEmptyList: true).map { resolve($0.0) }
            case "vex": config.vex = try value.strings("vex", allowEmptyList: true).map { resolve($0.0) }
            case "baseline": config.baseline = resolve(try value.string("baseline"))
            case "outputs": config.outputs = try outputs(value, resolve: resolve)
            case "sarif": config.sarif = try sarif(value, resolve: resolve)
            case "upload": config.upload = try upload(value, resolve: resolve)
            case "comment":
                if value.isMapping {
                    let map = try value.mapping("comment", allowed: CIConfiguration.commentKeys)
                    for (_, enabled) in map { config.comment = try enabled.bool("comment.enabled") }
                } else {
                    config.comment = try value.bool("comment")
                }
            case "release": config.release = try release(value, resolve: resolve)
            default: break  // "scangate-config", read above
            }
        }
        if let name = config.environment, let environmentNode, policiesNode != nil, config.policies[name] == nil {
            throw environmentNode.error(
                "environment \"\(name)\" has no policy in policies (it lists: "
                    + config.policies.keys.sorted().joined(separator: ", ") + ")")
        }
        if let release = config.release, let name = release.environment, !config.policies.isEmpty,
            config.policies[name] == nil
        {
            let node = entries.first { $0.key == "release" }?.value ?? root
            throw node.error("release.environment \"\(name)\" has no policy in policies")
        }
        return config
    }

    private static func outputs(_ value: ConfigNode, resolve: (String) -> String) throws(CIConfigError)
        -> CIConfiguration.Outputs
    {
        var outputs = CIConfiguration.Outputs()
        var seen: [String: String] = [:]
        for (key, node) in try value.mapping("outputs", allowed: CIConfiguration.outputKeys) {
            let path = resolve(try node.string("outputs.\(key)"))
            if let other = seen[path] { throw node.error("outputs.\(key) is the same file as outputs.\(other)") }
            seen[path] = key
            // `mapping` allowed only the outputs' keys.
            if let field = CIConfiguration.Outputs.fields.first(where: { $0.key == key })?.field {
                outputs[keyPath: field] = path
            }
        }
        return outputs
    }

    private static func sarif(_ value: ConfigNode, resolve: (String) -> String) throws(CIConfigError)
        -> CIConfiguration.SARIFSettings
    {
        var settings = CIConfiguration.SARIFSettings()
        for (key, node) in try value.mapping("sarif", allowed: CIConfiguration.sarifKeys) {
            let text = try node.string("sarif.\(key)")
            switch key {
            case "category":
                guard !text.contains(where: \.isNewline) else { throw node.error("sarif.category must be one line") }
                settings.category = text
            case "source-root": settings.sourceRoot = resolve(text)
            // The Dockerfile is relative to the source root, as `scangate sarif --dockerfile` takes it.
            default: settings.dockerfile = text
            }
        }
        return settings
    }

    private static func upload(_ value: ConfigNode, resolve: (String) -> String) throws(CIConfigError)
        -> CIConfiguration.UploadSettings
    {
        guard value.isMapping else { return CIConfiguration.UploadSettings(enabled: try value.bool("upload")) }
        var settings = CIConfiguration.UploadSettings()
        for (key, node) in try value.mapping("upload", allowed: CIConfiguration.uploadKeys) {
            switch key {
            case "enabled": settings.enabled = try node.bool("upload.enabled")
            case "wait": settings.wait = try node.bool("upload.wait")
            case "cacert": settings.cacert = resolve(try node.string("upload.cacert"))
            default:
                let url = try node.string("upload.api-url")
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                    throw node.error("upload.api-url must be an http(s) URL, e.g. https://api.github.com")
                }
                settings.apiURL = url
            }
        }
        return settings
    }

    private static func release(_ value: ConfigNode, resolve: (String) -> String) throws(CIConfigError)
        -> CIConfiguration.ReleaseSettings
    {
        var settings = CIConfiguration.ReleaseSettings()
        for (key, node) in try value.mapping("release", allowed: CIConfiguration.releaseKeys) {
            switch key {
            case "environment":
                let name = try node.string("release.environment")
                guard CIConfiguration.isValidEnvironment(name) else {
                    throw node.error("release.environment \"\(name)\" may contain only letters, digits, '.', '_', '-'")
                }
                settings.environment = name
            case "images":
                for (text, element) in try node.strings("release.images") {
                    guard ImageReference(text) != nil else {
                        throw element.error("release.images: \"\(text)\" is not an image reference (REGISTRY/REPO:TAG)")
                    }
                    settings.images.append(text)
                }
            case "keys": settings.keys = try node.strings("release.keys").map { resolve($0.0) }
            case "audit-log": settings.auditLog = resolve(try node.string("release.audit-log"))
            default: settings.auditKey = resolve(try node.string("release.audit-key"))
            }
        }
        return settings
    }
}

/// Joining paths the way the configuration means them.
enum PathResolution {
    /// `path` if absolute, else `directory/path` (no `./` prefix for the current directory).
    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty || directory == "." { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
