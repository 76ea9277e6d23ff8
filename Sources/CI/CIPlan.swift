import Adapters
import Foundation
import OutputFiles
import Policy

/// Values given on the command line. Every one that is set wins over `.scangate.yaml`.
public struct CIOverrides: Sendable {
    /// Report files or directories (literal paths, relative to the working directory); when
    /// any is given, the configuration's `reports` are not used.
    public var reports: [String] = []
    public var forcedFormat: ReportFormat?
    public var allowIncomplete: Bool?
    public var maxReportSize: Int?
    public var environment: String?
    public var policy: String?
    /// Replaces the configuration's list when set (an empty list means none).
    public var waivers: [String]?
    public var vex: [String]?
    public var baseline: String?
    /// The day waivers are judged on (`YYYY-MM-DD`).
    public var now: String?
    /// Each path set here replaces the configuration's.
    public var outputs = CIConfiguration.Outputs()
    public var category: String?
    public var sourceRoot: String?
    public var dockerfile: String?
    public var upload: Bool?
    public var comment: Bool?
    public var apiURL: String?
    public var cacert: String?
    public var wait: Bool?
    public var repository: String?
    /// The repository being gated, for OpenVEX products that name one: `--repository`, else
    /// `GITHUB_REPOSITORY` (also outside GitHub Actions), as the other commands that take
    /// `--vex` find it; nil when not known.
    public var gatedRepository: SourceRepository?
    public var commit: String?
    public var ref: String?
    public var pullRequest: Int?

    public init() {}
}

/// Where the reports come from.
public enum ReportInput: Sendable, Equatable, CustomStringConvertible {
    /// A file or directory named on the command line.
    case path(String)
    /// A pattern of the configuration (``ReportGlob``).
    case pattern(String)

    public var description: String {
        switch self {
        case .path(let path): path
        case .pattern(let pattern): pattern
        }
    }
}

/// Everything one `scangate ci` run does, decided before anything is read: the configuration
/// with the flags applied and the GitHub context.
public struct CIPlan: Sendable {
    public var reports: [ReportInput]
    public var forcedFormat: ReportFormat?
    public var allowIncomplete: Bool
    public var maxReportSize: Int
    /// The environment the gate is asked for; nil: the policy's own.
    public var environment: String?
    public var policy: String
    /// Whether ``policy`` is the configuration's `policies` entry for ``environment`` (not `--policy`).
    public var policyIsTheEnvironments: Bool = false
    /// The environments the configuration defines (the keys of `policies`, sorted); nil when it
    /// lists none. A waiver naming another one holds nowhere, and the gate warns.
    public var definedEnvironments: [String]?
    /// Whether `--upload` asked for the upload: then a missing token is an error, not a skip.
    public var uploadRequested: Bool = false
    /// Whether `--comment` asked for the comment (not only the configuration).
    public var commentRequested: Bool = false
    public var waivers: [String]
    public var vex: [String]
    /// The repository being gated (``CIOverrides/gatedRepository``).
    public var gatedRepository: SourceRepository?
    public var baseline: String?
    public var today: Day
    /// The calendar's date when `--now` chose ``today`` (``GateInput/calendarDay``), else nil.
    public var calendarDay: Day? = nil
    public var outputs: CIConfiguration.Outputs
    /// The keys of the outputs whose path a flag gave (`html` for `--html`): a problem with one
    /// names the flag, not the configuration.
    public var outputsFromFlags: Set<String> = []
    public var category: String
    public var sourceRoot: String?
    public var dockerfile: String?
    /// Upload the SARIF file (with a token; without one, an error inside GitHub Actions, skipped elsewhere).
    public var upload: Bool
    /// Wait until GitHub has processed the upload.
    public var wait: Bool
    /// Comment on the pull request (when the run is for one and a token is present).
    public var comment: Bool
    /// The GitHub REST API root, for the upload and the comment.
    public var apiURL: String
    /// A PEM file of CA certificates to trust for the API (a private CA).
    public var cacert: String?
    public var context: CIContext

    /// An API URL without trailing slashes, in lower case: what two spellings of one root share.
    static func normalAPIURL(_ url: String) -> String {
        var text = url.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The configuration with the flags applied.
    ///
    /// The environment is `--env`, else (without `--policy`) the configuration's `environment`,
    /// else its only policy's, else (with `--policy`) that policy's own; the policy is `--policy`,
    /// else the environment's in `policies`.
    public static func make(
        config: CIConfiguration, overrides: CIOverrides, context: CIContext, today: Day = Day.today()
    ) throws(CIConfigError) -> CIPlan {
        let configName = config.file ?? "the command line"
        func flagError(_ message: String) -> CIConfigError {
            CIConfigError(file: configName, line: 0, message: message)
        }

        if let env = overrides.environment, !CIConfiguration.isValidEnvironment(env) {
            throw CIConfigError(
                file: "--env", line: 0, message: "\"\(env)\" may contain only letters, digits, '.', '_', '-'")
        }
        // `--policy` without `--env` gates in that policy's own environment, as `gate` does: the
        // configuration's `environment` names its own policy's, and keeping it would apply
        // another environment's waivers (staging's under production's thresholds).
        var environment = overrides.environment ?? (overrides.policy == nil ? config.environment : nil)
        if environment == nil, overrides.policy == nil, config.policies.count == 1 {
            environment = config.policies.keys.first
        }
        let policy: String
        if let given = overrides.policy {
            policy = given
        } else if let environment, let path = config.policies[environment] {
            policy = path
        } else if let environment {
            let listed = config.policies.keys.sorted()
            // Without a configuration file, say so: "add it to policies" means nothing yet.
            guard config.file != nil else {
                throw flagError(
                    "no policy for the environment \"\(environment)\": there is no \(CIConfiguration.defaultFileName) "
                        + "here to map it to one (run scangate init to write one), so pass --policy FILE")
            }
            throw flagError(
                "no policy for the environment \"\(environment)\""
                    + (listed.isEmpty ? "" : " (policies lists: \(listed.joined(separator: ", ")))")
                    + "; add it to policies in \(config.file ?? CIConfiguration.defaultFileName) or pass --policy FILE")
        } else {
            throw flagError(
                config.file == nil
                    ? "no policy: there is no \(CIConfiguration.defaultFileName) here (run scangate init to write one); "
                        + "pass --policy FILE"
                    : config.policies.isEmpty
                        ? "no policy: add policies to \(config.file ?? CIConfiguration.defaultFileName) or pass --policy FILE"
                        : "several policies and no environment: pass --env NAME or set environment")
        }

        var day = today
        var calendarDay: Day?
        if let now = overrides.now {
            guard let parsed = Day(parsing: now) else {
                throw CIConfigError(
                    file: "--now", line: 0, message: "\"\(now)\" is not a date (YYYY-MM-DD, a day the calendar has)")
            }
            day = parsed
            calendarDay = today
        }

        let reports: [ReportInput] =
            overrides.reports.isEmpty
            ? config.reports.map(ReportInput.pattern) : overrides.reports.map(ReportInput.path)
        guard !reports.isEmpty else {
            throw flagError("no reports: list them under reports in \(CIConfiguration.defaultFileName) or as arguments")
        }

        var outputs = config.outputs
        for (_, field) in CIConfiguration.Outputs.fields {
            if let path = overrides.outputs[keyPath: field] { outputs[keyPath: field] = path }
        }
        let waivers = overrides.waivers ?? config.waivers
        let vex = overrides.vex ?? config.vex
        let baseline = overrides.baseline ?? config.baseline
        let sourceRoot = overrides.sourceRoot ?? config.sarif.sourceRoot
        let dockerfile = overrides.dockerfile ?? config.sarif.dockerfile
        let cacert = overrides.cacert ?? config.upload.cacert
        // Everything this run or the release gate reads from the repository.
        var inputs: [(String, String)] = [("the policy", policy)]
        if let file = config.file { inputs.append(("the configuration", file)) }
        inputs += config.policies.sorted { $0.key < $1.key }.map { ("the \($0.key) policy", $0.value) }
        inputs += waivers.map { ("a waivers file", $0) } + vex.map { ("a VEX document", $0) }
        if let baseline { inputs.append(("the baseline", baseline)) }
        let dockerfilePath = dockerfile.map { DockerfileInput.path($0, sourceRoot: sourceRoot) }
        if let dockerfilePath { inputs.append(("the Dockerfile", dockerfilePath)) }
        if let cacert { inputs.append(("the CA certificates", cacert)) }
        if let release = config.release {
            inputs += release.keys.map { ("a release key", $0) }
            if let log = release.auditLog { inputs.append(("the release audit log", log)) }
            if let key = release.auditKey { inputs.append(("the audit signing key", key)) }
        }
        let flagged = Set(
            CIConfiguration.Outputs.fields.filter { overrides.outputs[keyPath: $0.field] != nil }.map(\.key))
        // Also the configuration's patterns when reports are given as arguments: the next plain
        // `scangate ci` reads them, and would take an output written there for a report.
        let readNextTime = overrides.reports.isEmpty ? [] : config.reports.map(ReportInput.pattern)
        if let clash = Self.outputClash(outputs, inputs: inputs, reports: reports + readNextTime, fromFlags: flagged) {
            throw CIConfigError(file: clash.flag ?? configName, line: 0, message: clash.problem)
        }

        if let dockerfilePath {
            guard DockerfileInput.exists(dockerfilePath) else {
                throw CIConfigError(
                    file: overrides.dockerfile == nil ? configName : "--dockerfile", line: 0,
                    message: "the Dockerfile \(dockerfilePath) does not exist")
            }
        }
        let category = overrides.category ?? config.sarif.category ?? "scangate"
        guard !category.contains(where: \.isNewline) else {
            throw CIConfigError(file: "--category", line: 0, message: "the category must be one line")
        }
        let apiURL = try Self.apiURL(config: config, overrides: overrides, context: context)
        var plan = CIPlan(
            reports: reports, forcedFormat: overrides.forcedFormat,
            allowIncomplete: overrides.allowIncomplete ?? config.allowIncomplete,
            maxReportSize: overrides.maxReportSize ?? config.maxReportSize ?? 1 << 30, environment: environment,
            policy: policy, waivers: waivers, vex: vex, baseline: baseline, today: day, outputs: outputs,
            category: category,
            sourceRoot: sourceRoot, dockerfile: dockerfile,
            upload: overrides.upload ?? config.upload.enabled, wait: overrides.wait ?? config.upload.wait,
            comment: overrides.comment ?? config.comment, apiURL: apiURL, cacert: cacert,
            context: Self.context(context, overrides: overrides))
        plan.gatedRepository = overrides.gatedRepository
        plan.calendarDay = calendarDay
        plan.policyIsTheEnvironments = overrides.policy == nil
        plan.definedEnvironments = config.definedEnvironments
        plan.uploadRequested = overrides.upload == true
        plan.commentRequested = overrides.comment == true
        plan.outputsFromFlags = flagged
        return plan
    }

    /// Where the token goes: `--api-url`, else the runner's GITHUB_API_URL, else the file. A
    /// repository's file can be changed by the pull request being scanned (with
    /// `pull_request_target` the token can write): it may not send the token elsewhere than the
    /// runner says.
    static func apiURL(
        config: CIConfiguration, overrides: CIOverrides, context: CIContext
    ) throws(CIConfigError) -> String {
        if overrides.apiURL == nil, let runner = context.apiURL, let configured = config.upload.apiURL,
            normalAPIURL(runner) != normalAPIURL(configured)
        {
            throw CIConfigError(
                file: config.file ?? "the command line", line: 0,
                message: "upload.api-url (\(configured)) is not the runner's GITHUB_API_URL (\(runner)): the token "
                    + "goes only where the runner or --api-url says; remove upload.api-url or pass --api-url")
        }
        return overrides.apiURL ?? context.apiURL ?? config.upload.apiURL ?? "https://api.github.com"
    }

    /// The runner's context with the repository, commit, ref and pull request the flags name.
    static func context(_ context: CIContext, overrides: CIOverrides) -> CIContext {
        context.overriding(
            repository: overrides.repository, commit: overrides.commit, ref: overrides.ref,
            pullRequest: overrides.pullRequest)
    }

    /// The plan of a run that cannot run because ``make(config:overrides:context:today:)``
    /// refused it (a misspelt `--env`, an environment without a policy, an output that would
    /// replace an input), for the one thing it still has to do: replace the pull request
    /// comment's previous verdict with "the gate did not run" (``CIRunner/reportStop(exitCode:because:)``),
    /// where the run would have commented, as a run that stops later does. It reads, writes,
    /// gates and uploads nothing. Nil when even where the comment goes is not known: the API URL
    /// is refused (the token may not go there).
    public static func stopNotice(
        config: CIConfiguration, overrides: CIOverrides, context: CIContext
    ) -> CIPlan? {
        guard let apiURL = try? apiURL(config: config, overrides: overrides, context: context) else { return nil }
        var plan = CIPlan(
            reports: [], allowIncomplete: false, maxReportSize: 0, environment: nil, policy: "", waivers: [],
            vex: [], today: Day.today(), outputs: CIConfiguration.Outputs(), category: "scangate", upload: false,
            wait: false, comment: overrides.comment ?? config.comment, apiURL: apiURL,
            cacert: overrides.cacert ?? config.upload.cacert, context: Self.context(context, overrides: overrides))
        plan.commentRequested = overrides.comment == true
        return plan
    }
}

/// The Dockerfile image findings point at (`--dockerfile`, `sarif.dockerfile`).
public enum DockerfileInput {
    /// Its path: under the source root when there is one.
    public static func path(_ dockerfile: String, sourceRoot: String?) -> String {
        sourceRoot.map { ($0 as NSString).appendingPathComponent(dockerfile) } ?? dockerfile
    }

    /// Whether `path` is a file: a misspelt one pointed image findings at a file not in the
    /// repository.
    public static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

extension CIPlan {
    /// Why an output may not be written where it is, or nil: it would replace one of the
    /// run's `inputs` (what each is, and its path), or land where the next run would read it
    /// as a report. Written, it would destroy the input (a report, a policy, the configuration
    /// itself) and make the next run fail or decide on something else.
    ///
    /// - Parameter fromFlags: the keys whose path a flag gave (`--html`), so that the problem
    ///   names the flag, not the configuration file.
    public static func outputClash(
        _ outputs: CIConfiguration.Outputs, inputs: [(what: String, path: String)], reports: [ReportInput],
        fromFlags: Set<String> = []
    ) -> OutputClash? {
        func canonical(_ path: String) -> String { ReportInput.canonicalPath(path) }
        func named(_ key: String) -> String {
            fromFlags.contains(key) ? CIConfiguration.Outputs.flag(forKey: key) : "outputs.\(key)"
        }
        // Blamed on the flag that gave the path, else on the configuration key.
        func clash(_ key: String, _ problem: String) -> OutputClash {
            fromFlags.contains(key)
                ? OutputClash(flag: CIConfiguration.Outputs.flag(forKey: key), problem: problem)
                : OutputClash(flag: nil, problem: "outputs.\(key) " + problem)
        }
        // Two outputs in one file: the last written would replace the other, both reported written.
        var written: [String: String] = [:]
        for case (let key, let path?) in outputs.byKey {
            // `-` is standard output for the other commands; here it is the step's log, where
            // the decision goes: written as a file named `-`, the output was nowhere expected.
            if path == "-" { return clash(key, "- is standard output, the step's log: name a file") }
            let output = canonical(path)
            // A device or FIFO (`/dev/null` for outputs not wanted) is written to, never replaced:
            // two outputs can share it.
            var status = stat()
            if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG { continue }
            if let other = written[output] {
                // Named by a flag when either path came from one: the flag is what to change.
                let (blamed, besides) =
                    fromFlags.contains(other) && !fromFlags.contains(key) ? (other, key) : (key, other)
                return clash(
                    blamed, "\(path) is also where \(named(besides)) goes: each output needs a file of its own")
            }
            written[output] = key
        }
        for case (let key, let path?) in outputs.byKey {
            let output = canonical(path)
            let problem =
                inputs.first { canonical($0.path) == output }.map { "is \($0.what) (\($0.path))" }
                ?? reports.lazy.compactMap { $0.wouldRead(path) }.first
            if let problem { return clash(key, "\(path) \(problem): write the outputs somewhere else") }
        }
        return nil
    }
}

/// An output that may not be written where it is (``CIPlan/outputClash(_:inputs:reports:fromFlags:)``).
public struct OutputClash: Sendable, Equatable, CustomStringConvertible {
    /// The flag that gave the path (`--html`), or nil when the configuration did.
    public var flag: String?
    /// What is wrong, naming the configuration key when the configuration gave the path.
    public var problem: String

    public var description: String { flag.map { "\($0) " + problem } ?? problem }
}

extension ReportInput {
    /// `path` made absolute with symbolic links resolved; for a file not written yet, those of
    /// its deepest ancestor that exists (`lnk/new/x.json`, where `lnk` links to `reports` and
    /// `new` is still to be made, is `reports/new/x.json`: two outputs, or an output and the
    /// reports, must not meet there unnoticed).
    public static func canonicalPath(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var missing: [String] = []
        // Links followed, at most as many as the kernel follows (links between missing
        // directories can lead back to each other).
        var linksFollowed = 0
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            // A link to a file not made yet is where that file will be (outputs are written
            // through it): `out/r.html` linking to `../reports/zz.json` is among the reports.
            if linksFollowed < 40, let target = try? OutputFiles.danglingLinkTarget(existing.path) {
                linksFollowed += 1
                existing = URL(fileURLWithPath: target).standardizedFileURL
                continue
            }
            missing.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        return missing.reduce(existing.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }.path
    }

    /// Why a run would read a file written at `path` as one of these reports, or nil: it is the
    /// file named, or below the directory named (through non-hidden names: a directory is read
    /// with its subdirectories), or the pattern covers it, as written or with links resolved.
    public func wouldRead(_ path: String) -> String? {
        let output = Self.canonicalPath(path)
        switch self {
        case .path(let argument):
            let input = Self.canonicalPath(argument)
            let directory = input.hasSuffix("/") ? input : input + "/"
            let below =
                output.hasPrefix(directory)
                && !output.dropFirst(directory.count).split(separator: "/").contains { $0.hasPrefix(".") }
            return input == output || below ? "would be read as a report (the argument \(argument))" : nil
        case .pattern(let pattern):
            // As written and with symbolic links resolved (an output directory that links to
            // the reports).
            guard let glob = try? ReportGlob(pattern) else { return nil }
            // And the pattern's own directory with its links resolved (a configuration reached
            // through a linked directory).
            let resolved = Self.canonicalPattern(pattern).flatMap { try? ReportGlob($0) }
            guard glob.covers(path) || glob.covers(output) || resolved?.covers(output) == true else { return nil }
            return "would be read as a report (reports: \(pattern) names it)"
        }
    }

    /// `pattern` with the directories before its first wildcard made canonical
    /// (``canonicalPath(_:)``); nil when it starts with a wildcard.
    static func canonicalPattern(_ pattern: String) -> String? {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let literal = parts.prefix { !$0.contains(where: { "*?[{\\".contains($0) }) }
        guard literal.count < parts.count, !literal.isEmpty else { return nil }
        let directory = literal.joined(separator: "/")
        let base = canonicalPath(directory.isEmpty ? "/" : directory)
        return ([base] + parts.dropFirst(literal.count).map(String.init)).joined(separator: "/")
    }
}
