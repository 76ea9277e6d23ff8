import Foundation
import ScanGateJSON

/// Where the run happens: the repository, commit, ref and pull request it is for, and (inside
/// GitHub Actions) the files the runner gives a step for its summary and outputs.
public struct CIContext: Sendable, Equatable {
    /// Whether this runs inside GitHub Actions (`GITHUB_ACTIONS=true`).
    public var isGitHubActions: Bool
    /// `OWNER/NAME`.
    public var repository: String?
    /// The full commit SHA.
    public var commit: String?
    /// The full ref: `refs/heads/main`, `refs/pull/7/merge`, `refs/tags/v1.0.0`.
    public var ref: String?
    /// The pull request the run is for.
    public var pullRequest: Int?
    /// `GITHUB_STEP_SUMMARY`: Markdown appended here shows on the run's page.
    public var stepSummaryFile: String?
    /// `GITHUB_OUTPUT`: `name=value` lines (or the heredoc form) become step outputs.
    public var outputFile: String?
    /// `GITHUB_SERVER_URL/REPOSITORY/actions/runs/RUN_ID`, where the run's artifacts are listed.
    public var runURL: String?
    /// `GITHUB_API_URL`, the REST API root of the server the run is on (GitHub Enterprise Server).
    public var apiURL: String?

    public init(
        isGitHubActions: Bool = false, repository: String? = nil, commit: String? = nil, ref: String? = nil,
        pullRequest: Int? = nil, stepSummaryFile: String? = nil, outputFile: String? = nil, runURL: String? = nil,
        apiURL: String? = nil
    ) {
        self.isGitHubActions = isGitHubActions
        self.repository = repository
        self.commit = commit
        self.ref = ref
        self.pullRequest = pullRequest
        self.stepSummaryFile = stepSummaryFile
        self.outputFile = outputFile
        self.runURL = runURL
        self.apiURL = apiURL
    }

    /// The context GitHub Actions describes in `environment`; outside Actions, an empty context
    /// (values then come from flags: ``overriding(repository:commit:ref:pullRequest:)``).
    ///
    /// The pull request number comes from the event file (`GITHUB_EVENT_PATH`,
    /// `pull_request.number`), else from a `refs/pull/N/merge` ref. The commit is `GITHUB_SHA`
    /// (for a pull request, the merge commit the workflow checked out): code scanning wants the
    /// commit that was analysed, with the `refs/pull/N/merge` ref.
    public static func detect(environment: [String: String]) -> CIContext {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        guard value("GITHUB_ACTIONS") == "true" else { return CIContext() }
        var context = CIContext(
            isGitHubActions: true, repository: value("GITHUB_REPOSITORY"), commit: value("GITHUB_SHA"),
            ref: value("GITHUB_REF"), stepSummaryFile: value("GITHUB_STEP_SUMMARY"), outputFile: value("GITHUB_OUTPUT"),
            apiURL: value("GITHUB_API_URL"))
        if let server = value("GITHUB_SERVER_URL"), let repository = context.repository,
            let run = value("GITHUB_RUN_ID")
        {
            context.runURL = "\(server)/\(repository)/actions/runs/\(run)"
        }
        if let path = value("GITHUB_EVENT_PATH") { context.pullRequest = Self.pullRequestNumber(eventFile: path) }
        if context.pullRequest == nil, let ref = context.ref { context.pullRequest = Self.pullRequestNumber(ref: ref) }
        return context
    }

    /// Flags win over what the environment said.
    public func overriding(repository: String?, commit: String?, ref: String?, pullRequest: Int?) -> CIContext {
        var context = self
        if let repository { context.repository = repository }
        if let commit { context.commit = commit }
        if let ref {
            context.ref = ref
            if pullRequest == nil, context.pullRequest == nil { context.pullRequest = Self.pullRequestNumber(ref: ref) }
        }
        if let pullRequest { context.pullRequest = pullRequest }
        return context
    }

    /// `pull_request.number` of a webhook event payload (`pull_request`, `pull_request_target`
    /// events); nil for other events or an unreadable file.
    public static func pullRequestNumber(eventFile path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path),
            let document = try? JSONDocument(bytes: [UInt8](data)),
            let number = document.root["pull_request"]?["number"]?.intValue, number > 0
        else { return nil }
        return number
    }

    /// N of `refs/pull/N/merge` or `refs/pull/N/head`.
    public static func pullRequestNumber(ref: String) -> Int? {
        let parts = ref.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "refs", parts[1] == "pull", parts[3] == "merge" || parts[3] == "head",
            let number = Int(parts[2]), number > 0
        else { return nil }
        return number
    }
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`) and the step's files,
/// escaped as the runner's command parser expects.
public enum WorkflowCommand {
    /// The level of an annotation.
    public enum Level: String, Sendable {
        case error, warning, notice
    }

    /// One annotation line. `file` is relative to the repository root; `line` 1-based.
    public static func annotation(
        _ level: Level, message: String, file: String? = nil, line: Int? = nil, endLine: Int? = nil,
        title: String? = nil
    ) -> String {
        var properties: [String] = []
        if let file { properties.append("file=\(escapeProperty(file))") }
        if let line, line > 0 {
            properties.append("line=\(line)")
            if let endLine, endLine >= line { properties.append("endLine=\(endLine)") }
        }
        if let title { properties.append("title=\(escapeProperty(title))") }
        let head =
            properties.isEmpty ? "::\(level.rawValue)" : "::\(level.rawValue) " + properties.joined(separator: ",")
        return head + "::" + escapeData(message)
    }

    /// A command's message: `%`, CR and LF escaped (the runner un-escapes them).
    public static func escapeData(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A property value: as data, and `:` and `,` too (they delimit properties).
    public static func escapeProperty(_ text: String) -> String {
        var result = ""
        for scalar in escapeData(text).unicodeScalars {
            switch scalar {
            case ":": result += "%3A"
            case ",": result += "%2C"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `GITHUB_OUTPUT` text for the given outputs, in order: `name=value`, or for a value with a
    /// line break the heredoc form `name<<DELIMITER`, with a delimiter that occurs in no value.
    public static func outputs(_ values: [(name: String, value: String)], delimiterSeed: String) -> String {
        var text = ""
        for (name, value) in values {
            if value.contains(where: \.isNewline) {
                var delimiter = "ghadelimiter_\(delimiterSeed)"
                // Never let a value end the heredoc early (the runner stops at the first line equal to it).
                while value.contains(delimiter) { delimiter += "_" }
                text += "\(name)<<\(delimiter)\n\(value)\n\(delimiter)\n"
            } else {
                text += "\(name)=\(value)\n"
            }
        }
        return text
    }
}
