import Foundation
import ScanGateJSON

/// Where the run happens: the repository, commit, ref and pull request it is for, and (inside
/// GitHub Actions) the files the runner gives a step for its summary and outputs.
public struct CIContext: Sendable, Equatable {
    /// Whether this runs inside GitHub Actions (`GITHUB_ACTIONS=true`).
    public var isGitHubActions: Bool
    /// `OWNER/NAME`.
    public var repository: String?
    /// The full commit SHA the analysis is for.
    public var commit: String?
    /// The full ref the analysis is for: `refs/heads/main`, `refs/pull/7/merge`, `refs/tags/v1.0.0`.
    public var ref: String?
    /// The pull request the run is for.
    public var pullRequest: Int?
    /// `GITHUB_EVENT_NAME`: `push`, `pull_request`, `pull_request_target`, `workflow_run`, …
    public var eventName: String?
    /// Why ``commit`` and ``ref`` are not the analysed code's, when the event says so: the event
    /// names a pull request while `GITHUB_REF` and `GITHUB_SHA` are the default branch's
    /// (`workflow_run`, `issue_comment`). An upload with them would replace that branch's
    /// analysis; nil once `--commit` and `--ref` both say what was analysed.
    public var uploadTargetProblem: String?
    /// Why a comment on ``pullRequest`` would not be about the pull request's code: under
    /// `pull_request_target` the base branch was checked out and scanned. Nil when it would.
    public var commentProblem: String?
    /// `GITHUB_STEP_SUMMARY`: Markdown appended here shows on the run's page.
    public var stepSummaryFile: String?
    /// `GITHUB_OUTPUT`: `name=value` lines (or the heredoc form) become step outputs.
    public var outputFile: String?
    /// `GITHUB_SERVER_URL/REPOSITORY/actions/runs/RUN_ID`, where the run's artifacts are listed.
    public var runURL: String?
    /// `GITHUB_API_URL`, the REST API root of the server the run is on (GitHub Enterprise Server).
    public var apiURL: String?
    /// Whether the run is for a pull request from a fork under a `pull_request` event: GitHub
    /// gives such a workflow a read-only token, whatever its `permissions` ask for, so the upload
    /// and the comment would be refused (403).
    public var readOnlyForkToken = false

    public init(
        isGitHubActions: Bool = false, repository: String? = nil, commit: String? = nil, ref: String? = nil,
        pullRequest: Int? = nil, stepSummaryFile: String? = nil, outputFile: String? = nil, runURL: String? = nil,
        apiURL: String? = nil, eventName: String? = nil, uploadTargetProblem: String? = nil
    ) {
        self.isGitHubActions = isGitHubActions
        self.repository = repository
        self.commit = commit
        self.ref = ref
        self.pullRequest = pullRequest
        self.eventName = eventName
        self.uploadTargetProblem = uploadTargetProblem
        self.stepSummaryFile = stepSummaryFile
        self.outputFile = outputFile
        self.runURL = runURL
        self.apiURL = apiURL
    }

    /// The context GitHub Actions describes in `environment`; outside Actions, an empty context
    /// (values then come from flags: ``overriding(repository:commit:ref:pullRequest:)``).
    ///
    /// The pull request number comes from the event file (`GITHUB_EVENT_PATH`,
    /// `pull_request.number`), else from a `refs/pull/N/merge` ref. The commit and ref are
    /// `GITHUB_SHA` and `GITHUB_REF` (for `pull_request`, the merge commit the workflow checked out
    /// and `refs/pull/N/merge`: code scanning wants the commit that was analysed), except:
    /// - `pull_request_target`: the runner gives the base branch's ref and commit, and the
    ///   workflow checks out either (actions/checkout's default) or the pull request's head
    ///   (`ref: pull_request.head.sha`). `checkedOutCommit` (asked only for this event) tells
    ///   which: the head is uploaded as `refs/pull/N/head` at `pull_request.head.sha`, the base as
    ///   the runner says; anything else, or a checkout that cannot be read, is unknown and
    ///   ``uploadTargetProblem`` says so (a base scan filed as the pull request's would hide what
    ///   it adds; the pull request's filed as the base's would replace the branch's analysis).
    /// - `pull_request` and its review events: `GITHUB_REF` and `GITHUB_SHA` are what the
    ///   checkout holds (`refs/pull/N/merge`, or the base branch and the merge commit once a pull
    ///   request is merged and `closed`).
    /// - any other event that names a pull request while `GITHUB_REF` is not a `refs/pull/` ref
    ///   (`workflow_run`, `issue_comment`): which commit was analysed is not known, and
    ///   ``uploadTargetProblem`` says so until `--commit` and `--ref` are given.
    ///
    /// For every event, the checkout (`checkedOutCommit`: the scanned tree's `HEAD`) must be the
    /// commit uploaded, as codeql-action's upload-sarif takes it: a `pull_request` workflow that
    /// checked out the pull request's head uploads it as `refs/pull/N/head` at that commit; any
    /// other checkout than `GITHUB_SHA` (a `workflow_run` deploying a branch's head, a dispatch
    /// checking out another commit) would file its results as `GITHUB_REF`'s analysis, replacing
    /// that branch's, and ``uploadTargetProblem`` says so. So does an event file that cannot be
    /// read for an event whose target only it names (`workflow_run`, `issue_comment`,
    /// `check_suite`, `check_run`), unless the checkout is `GITHUB_SHA`.
    public static func detect(
        environment: [String: String], checkedOutCommit: () -> String? = { nil }
    ) -> CIContext {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        guard value("GITHUB_ACTIONS") == "true" else { return CIContext() }
        var context = CIContext(
            isGitHubActions: true, repository: value("GITHUB_REPOSITORY"), commit: value("GITHUB_SHA"),
            ref: value("GITHUB_REF"), stepSummaryFile: value("GITHUB_STEP_SUMMARY"), outputFile: value("GITHUB_OUTPUT"),
            apiURL: value("GITHUB_API_URL"), eventName: value("GITHUB_EVENT_NAME"))
        if let server = value("GITHUB_SERVER_URL"), let repository = context.repository,
            let run = value("GITHUB_RUN_ID")
        {
            context.runURL = "\(server)/\(repository)/actions/runs/\(run)"
        }
        let event = value("GITHUB_EVENT_PATH").map(EventPayload.init(file:)) ?? EventPayload()
        context.pullRequest = event.pullRequest
        if context.pullRequest == nil, let ref = context.ref { context.pullRequest = Self.pullRequestNumber(ref: ref) }
        let runnerRefIsPullRequests = context.ref?.hasPrefix("refs/pull/") == true
        let checkedOut = checkedOutCommit()?.lowercased()
        let checkoutIsRunners = checkedOut != nil && checkedOut == context.commit?.lowercased()
        /// The checkout is another commit than the runner's: uploading it as GITHUB_REF's would
        /// replace that ref's analysis with another commit's results.
        func checkoutIsNotTheRunners(_ checkedOut: String) -> String {
            "the checkout (HEAD \(checkedOut)) is not GITHUB_SHA (\(context.commit ?? "unset")): its results would be "
                + "filed as the analysis of \(context.ref ?? "GITHUB_REF") at a commit that was not scanned"
        }
        if context.eventName == "pull_request_target" {
            if let number = event.pullRequest, let head = event.headSHA, checkedOut == head.lowercased() {
                context.ref = "refs/pull/\(number)/head"
                context.commit = head
            } else if checkoutIsRunners {
                // The base branch, as the runner says: that is what was scanned, not the pull
                // request's code, which a comment on it would be taken to be about.
                context.commentProblem =
                    "under pull_request_target the checkout is the base branch (GITHUB_SHA), not the pull request's "
                    + "head: a comment would report on code the pull request does not change"
            } else if event.pullRequest == nil || event.headSHA == nil {
                context.uploadTargetProblem =
                    "the pull_request_target event file (GITHUB_EVENT_PATH) gives no pull_request.number and "
                    + "pull_request.head.sha, and GITHUB_REF/GITHUB_SHA are the base branch's"
            } else {
                context.uploadTargetProblem =
                    "under pull_request_target the checkout (HEAD \(checkedOut ?? "not readable")) is neither the "
                    + "pull request's head (\(event.headSHA ?? "")) nor GITHUB_SHA (\(context.commit ?? "unset")): "
                    + "which commit was scanned is not known"
            }
        } else if context.eventName?.hasPrefix("pull_request") == true {
            // The runner's ref and commit are the checkout's (see above), unless the workflow
            // checked out the pull request's head: that is uploaded as its head ref, as
            // codeql-action does.
            context.readOnlyForkToken = event.fromFork
            if let checkedOut, !checkoutIsRunners {
                if let head = event.headSHA, checkedOut == head.lowercased(), let number = context.pullRequest {
                    context.ref = "refs/pull/\(number)/head"
                    context.commit = head
                } else {
                    context.uploadTargetProblem = checkoutIsNotTheRunners(checkedOut)
                    context.commentProblem = "the checkout is neither the pull request's merge commit nor its head"
                }
            }
        } else if event.namesPullRequest, !runnerRefIsPullRequests {
            let name = context.eventName ?? "this"
            context.uploadTargetProblem =
                "the \(name) event is about a pull request, but GITHUB_REF (\(context.ref ?? "unset")) and "
                + "GITHUB_SHA are not the pull request's: which commit was scanned is not known"
        } else if let checkedOut, !checkoutIsRunners {
            context.uploadTargetProblem = checkoutIsNotTheRunners(checkedOut)
        } else if !event.isReadable, !checkoutIsRunners, let name = context.eventName,
            Self.eventsNamingTheirTargetInThePayload.contains(name)
        {
            context.uploadTargetProblem =
                "the \(name) event file (GITHUB_EVENT_PATH) cannot be read, so whether the event is about a pull "
                + "request, and which commit was scanned, is not known"
        }
        return context
    }

    /// Flags win over what the environment said. `--commit` and `--ref` together say what was
    /// analysed, which clears ``uploadTargetProblem``; one alone does not.
    public func overriding(repository: String?, commit: String?, ref: String?, pullRequest: Int?) -> CIContext {
        var context = self
        if commit != nil, ref != nil { context.uploadTargetProblem = nil }
        if let repository { context.repository = repository }
        if let commit { context.commit = commit }
        if let ref {
            context.ref = ref
            if pullRequest == nil, context.pullRequest == nil { context.pullRequest = Self.pullRequestNumber(ref: ref) }
        }
        if let pullRequest {
            // The pull request named on the command line is the one to comment on.
            context.pullRequest = pullRequest
            context.commentProblem = nil
        }
        return context
    }

    /// `pull_request.number` of a webhook event payload (`pull_request`, `pull_request_target`
    /// events); nil for other events or an unreadable file.
    public static func pullRequestNumber(eventFile path: String) -> Int? {
        EventPayload(file: path).pullRequest
    }

    /// Events whose payload alone says whether they are about a pull request (and so what the
    /// runner's default-branch ref and commit stand for).
    static let eventsNamingTheirTargetInThePayload: Set<String> = [
        "workflow_run", "issue_comment", "check_suite", "check_run",
    ]

    /// N of `refs/pull/N/merge` or `refs/pull/N/head`.
    public static func pullRequestNumber(ref: String) -> Int? {
        let parts = ref.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "refs", parts[1] == "pull", parts[3] == "merge" || parts[3] == "head",
            let number = Int(parts[2]), number > 0
        else { return nil }
        return number
    }
}

/// What ScanGate reads from a webhook event payload (`GITHUB_EVENT_PATH`).
struct EventPayload {
    /// `pull_request.number` (`pull_request`, `pull_request_target`).
    var pullRequest: Int?
    /// `pull_request.head.sha`: the pull request's head commit.
    var headSHA: String?
    /// Whether the event is about a pull request in any of the shapes GitHub sends: a
    /// `pull_request` object, a comment on one (`issue.pull_request`), a `workflow_run`,
    /// `check_suite` or `check_run` listing pull requests or run for a pull request event (a
    /// fork's `workflow_run` lists none).
    var namesPullRequest = false
    /// Whether the pull request comes from a fork: its head repository is not its base
    /// repository (or is gone).
    var fromFork = false
    /// Whether the file was read as JSON (an unreadable file names nothing).
    var isReadable = true

    init() {}

    /// An unreadable file names nothing.
    init(file path: String) {
        guard let data = FileManager.default.contents(atPath: path),
            let document = try? JSONDocument(bytes: [UInt8](data))
        else {
            isReadable = false
            return
        }
        let root = document.root
        if let number = root["pull_request"]?["number"]?.intValue, number > 0 { pullRequest = number }
        if let sha = root["pull_request"]?["head"]?["sha"]?.stringValue, !sha.isEmpty { headSHA = sha }
        // Another repository than the base's (a fork's head is its own repository). Not the head
        // repository's `fork` flag: a team working in its own fork of an upstream opens pull
        // requests between branches of that fork, whose token can write. A head repository that
        // is gone (`null`: the fork was deleted) is a fork's too.
        if let base = root["pull_request"]?["base"]?["repo"], base.kind == .object,
            let head = root["pull_request"]?["head"]?["repo"]
        {
            if head.kind != .object {
                fromFork = head.isNull
            } else if let baseID = base["id"]?.intValue, let headID = head["id"]?.intValue {
                fromFork = baseID != headID
            } else if let baseName = base["full_name"]?.stringValue, let headName = head["full_name"]?.stringValue {
                fromFork = baseName.lowercased() != headName.lowercased()
            }
        }
        let run = root["workflow_run"]
        let listed = [run, root["check_suite"], root["check_run"]].contains { ($0?["pull_requests"]?.count ?? 0) > 0 }
        let runEvent = run?["event"]?.stringValue ?? ""
        namesPullRequest =
            root["pull_request"]?.kind == .object || root["issue"]?["pull_request"]?.kind == .object || listed
            || runEvent.hasPrefix("pull_request")
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

/// The commit a Git checkout has at `HEAD`, read with `git rev-parse` (a checkout's `HEAD` may be
/// a branch, a packed ref or a detached commit; git reads them all). Nil when `directory` is not
/// a checkout or git cannot be run.
public enum GitCheckout {
    public static func head(in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 40 || text.count == 64, text.allSatisfy(\.isHexDigit) else { return nil }
        return text
    }
}
