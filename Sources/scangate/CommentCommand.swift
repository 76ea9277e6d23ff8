import ArgumentParser
import Foundation
import GitHub
import HTTP
import Policy
import Reports

struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Post the Markdown report as the pull request's one ScanGate comment, updated in place.",
        discussion: """
            The comment is found by its hidden first line (<!-- scangate-report -->) among all the \
            pull request's comments and updated; it is created only when there is none, and a failed \
            create is never repeated before the comments are read again, so there is never a second \
            one; when the pull request has more comments than are read (100 pages of 100), none is \
            created (exit 4). The token comes from GITHUB_TOKEN, or from --token-file; it needs the \
            "pull-requests: write" (or "issues: write") permission. Retries as for scangate upload; \
            no request starts after 300 s (exit 4). \
            Exit codes: 0 posted (or already up to date), 2 usage or an invalid policy, waivers, VEX \
            or baseline file, 3 a report could not be read, 4 GitHub or the network failed.
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(help: ArgumentHelp("The repository.", valueName: "OWNER/NAME"))
    var repository: String

    @Option(name: .customLong("pr"), help: ArgumentHelp("The pull request number.", valueName: "N"))
    var pullRequest: Int

    @Option(
        help: ArgumentHelp("The REST API root; https://HOST/api/v3 for GitHub Enterprise Server.", valueName: "URL"))
    var apiURL: String = "https://api.github.com"

    @Option(help: ArgumentHelp("Trust the CA certificates in this PEM file (a private CA).", valueName: "FILE"))
    var cacert: String?

    @Option(help: ArgumentHelp("Read the token from this file instead of GITHUB_TOKEN.", valueName: "FILE"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Seconds allowed for each HTTP request.", valueName: "SECONDS"))
    var timeout: Double = 120

    @Option(help: "A previous `scangate ingest --format json` (or `report --format json`) output to compare with.")
    var baseline: String?

    @Option(help: "A policy file (YAML, scangate-policy: 1): the comment shows the gate's decision.")
    var policy: String?

    @Option(help: "A waivers file (YAML, scangate-waivers: 1); may be repeated; needs --policy.")
    var waivers: [String] = []

    @Option(help: "An OpenVEX document; may be repeated; needs --policy.")
    var vex: [String] = []

    @Option(help: "The environment (overrides the policy's environment and its file name).")
    var env: String?

    @Option(help: "The report's date and the day waivers are judged on (YYYY-MM-DD); default: none shown, today.")
    var now: String?

    @Option(help: "Where the full report is (URL or file), named when the comment leaves findings out.")
    var fullReport: String?

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number") }
        guard pullRequest > 0 else { throw ValidationError("--pr must be a positive pull request number") }
        try GateOptionChecks.validate(now: now, env: env)
        if policy == nil, !waivers.isEmpty || !vex.isEmpty || env != nil {
            throw ValidationError("--waivers, --vex and --env need --policy: they are part of the gate's decision")
        }
    }

    func run() throws {
        let token = try readToken()
        guard let repository = GitHubRepository(repository) else {
            Terminal.error("error: --repository must be OWNER/NAME, got \"\(token.scrub(repository))\"")
            throw ExitCode(ExitStatus.usage)
        }
        if let cacert, let problem = CAFile.problem(cacert) {
            Terminal.error("error: \(problem)")
            throw ExitCode(ExitStatus.usage)
        }
        let content = try ReportBuilder(
            input: input, baseline: baseline, policy: policy, waivers: waivers, vex: vex, env: env, now: now,
            fullReport: fullReport, repository: GateOptionChecks.gatedRepository(repository.description)
        ).build(command: "comment")
        // A report can quote the token (GitHubToken.redacting(in:)).
        let body = token.redacting(in: MarkdownReport.render(content, marker: MarkdownReport.commentMarker))
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(timeout: timeout), transport: CurlTransport(caFile: cacert))
        let commenter = PullRequestCommenter(
            repository: repository, pullRequest: pullRequest, token: token,
            configuration: PullRequestCommentConfiguration(
                apiURL: apiURL, userAgent: "scangate/\(ScanGate.version)", marker: MarkdownReport.commentMarker),
            client: client, log: { Terminal.error("scangate: \($0)") })
        do {
            let result = try commenter.post(body)
            StandardOutput.note("\(result.action.rawValue): comment \(result.id)" + (result.url.map { " \($0)" } ?? ""))
        } catch {
            Terminal.error("error: \(token.scrub(error.description))")
            throw ExitCode(error.isLocal ? ExitStatus.usage : ExitStatus.remoteFailure)
        }
    }

    /// The token from `--token-file` or GITHUB_TOKEN; a command that needs one exits 2 without it.
    private func readToken() throws -> GitHubToken {
        do throws(GitHubTokenError) {
            if let token = try GitHubToken.load(tokenFile: tokenFile, environment: ProcessInfo.processInfo.environment)
            {
                return token
            }
            Terminal.error("error: no GitHub token: set GITHUB_TOKEN or pass --token-file FILE")
        } catch {
            Terminal.error("error: \(error)")
        }
        throw ExitCode(ExitStatus.usage)
    }
}
