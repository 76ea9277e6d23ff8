import Adapters
import ArgumentParser
import CI
import Foundation
import GitHub

/// `scangate ci`: the CI security-scan step in one command. It only wires: the configuration
/// is read by the CI module, the flags are applied to it as ``CIOverrides``, and ``CIRunner``
/// runs the steps.
struct CICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "The CI step: ingest the reports, gate them, write the outputs, upload the SARIF, comment on the PR.",
        discussion: """
            Reads .scangate.yaml (or --config FILE); every flag overrides it. The log lists the first 100 \
            findings of each verdict and names the output that lists every one. Inside GitHub Actions \
            (GITHUB_ACTIONS=true) the repository, commit, ref and pull request come from GITHUB_REPOSITORY, \
            GITHUB_SHA, GITHUB_REF and the event file; the Markdown summary is appended to \
            GITHUB_STEP_SUMMARY, failing findings become ::error annotations and warnings ::warning, and \
            decision, counts and output paths are written to GITHUB_OUTPUT (decision=error, and the pull \
            request comment says the gate did not run, when the run stops with 2 or 3; upload= and comment= \
            say done, skipped or failed). Under pull_request_target the upload follows the checkout \
            (the pull request's head: refs/pull/N/head; the base: the runner's ref; else refused); another event about a pull request on a ref that is not \
            refs/pull/ (workflow_run, issue_comment) is not uploaded without --commit and --ref. Elsewhere \
            use --repository, --commit, --ref and --pr. The SARIF file is uploaded when a token is present \
            (GITHUB_TOKEN or --token-file; inside GitHub Actions an enabled upload or comment without one \
            is an error: --no-upload, --no-comment turn them off); the pull request is commented on when \
            the run is for one. A failing upload or \
            comment never skips the gate or the local outputs. Exit codes: 0 the gate passed and every step \
            worked, 1 the gate failed (whatever else happened), 2 configuration or usage error (also: an \
            output could not be written, the gate having passed), 3 a report could not be read (or none \
            matched), 4 the upload or the comment failed (the gate having passed).
            """
    )

    @Argument(help: "Report files or directories; when given, the configuration's reports are not read.")
    var reports: [String] = []

    @Option(help: ArgumentHelp("The project configuration (default: .scangate.yaml if present).", valueName: "FILE"))
    var config: String?

    @Option(help: "The environment: picks its policy from the configuration's policies.")
    var env: String?

    @Option(
        help:
            "The policy file (overrides the environment's); without --env, the gate runs in this policy's own environment."
    )
    var policy: String?

    @Option(help: "A waivers file; may be repeated (replaces the configuration's).")
    var waivers: [String] = []

    @Option(help: "An OpenVEX document; may be repeated (replaces the configuration's).")
    var vex: [String] = []

    @Option(help: GateOptionChecks.baselineHelp)
    var baseline: String?

    @Option(help: "Judge waivers as of this day (YYYY-MM-DD); default: today in UTC.")
    var now: String?

    @Option(name: .customLong("as"), help: ReportInputOptions.forcedFormatHelp)
    var forcedFormat: ReportFormat?

    @Flag(inversion: .prefixedNo, help: "Accept reports whose tool says part of the scan failed.")
    var allowIncomplete: Bool?

    @Option(help: "Refuse reports larger than this many bytes.")
    var maxReportSize: Int?

    @Option(help: ArgumentHelp("Write the SARIF file here.", valueName: "FILE"))
    var sarif: String?

    @Option(help: ArgumentHelp("Write the HTML report here.", valueName: "FILE"))
    var html: String?

    @Option(help: ArgumentHelp("Write the Markdown report here.", valueName: "FILE"))
    var markdown: String?

    @Option(help: ArgumentHelp("Write the JUnit XML report here.", valueName: "FILE"))
    var junit: String?

    @Option(help: ArgumentHelp("Write the report JSON here.", valueName: "FILE"))
    var json: String?

    @Option(help: ArgumentHelp("Write the gate's decision JSON here.", valueName: "FILE"))
    var decisionJSON: String?

    @Option(help: ArgumentHelp("Write the findings JSON (a baseline for the next run) here.", valueName: "FILE"))
    var findingsJSON: String?

    @Option(
        help: ArgumentHelp(
            "List every result left out of the SARIF file for GitHub's limits here, one line each.",
            valueName: "FILE"))
    var sarifDropped: String?

    @Option(help: "GitHub analysis category; each SARIF run gets <category>/<tool>/.")
    var category: String?

    @Option(help: "The repository root the scanners ran in (for lock file lines in SARIF).")
    var sourceRoot: String?

    @Option(help: "The Dockerfile that builds the scanned images (relative to the source root).")
    var dockerfile: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Upload the SARIF file to GitHub code scanning (without a token: skipped, as configured; an error with --upload or inside GitHub Actions)."
    )
    var upload: Bool?

    @Flag(inversion: .prefixedNo, help: "Comment on the pull request (when the run is for one).")
    var comment: Bool?

    @Flag(inversion: .prefixedNo, help: "Wait until GitHub has processed the upload.")
    var wait: Bool?

    @Option(help: ArgumentHelp("The REST API root (GitHub Enterprise Server: https://HOST/api/v3).", valueName: "URL"))
    var apiURL: String?

    @Option(help: ArgumentHelp("Trust the CA certificates in this PEM file.", valueName: "FILE"))
    var cacert: String?

    @Option(help: ArgumentHelp("Read the token from this file instead of GITHUB_TOKEN.", valueName: "FILE"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "The repository (default in GitHub Actions: GITHUB_REPOSITORY; for OpenVEX products that name a "
                + "repository, GITHUB_REPOSITORY anywhere).", valueName: "OWNER/NAME"))
    var repository: String?

    @Option(help: ArgumentHelp("The analysed commit (default in GitHub Actions: GITHUB_SHA).", valueName: "SHA"))
    var commit: String?

    @Option(help: ArgumentHelp("The full ref (default in GitHub Actions: GITHUB_REF).", valueName: "REF"))
    var ref: String?

    @Option(help: ArgumentHelp("The pull request number (default in GitHub Actions: from the event).", valueName: "N"))
    var pr: Int?

    @Flag(name: .shortAndLong, help: "No progress on standard error (errors are still shown).")
    var quiet = false

    func validate() throws {
        if let maxReportSize, maxReportSize <= 0 { throw ValidationError("--max-report-size must be positive") }
        if let pr, pr <= 0 { throw ValidationError("--pr must be a positive number") }
        try GateOptionChecks.validate(repository: repository)
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        // What was scanned is what the scanned tree has checked out: the source root when one is
        // given (a pull request's code checked out into a subdirectory), else the workspace. The
        // configuration's errors are reported below, after the token is read.
        let loaded = Result { () throws(CIConfigError) in try CIConfigLoader.loadProject(path: config) }
        let context = CIContext.detect(environment: environment) {
            // `--source-root` is relative to the working directory; the configuration's is resolved
            // against its own directory when read.
            let root = sourceRoot ?? (try? loaded.get())?.sarif.sourceRoot
            return GitCheckout.head(
                in: root ?? environment["GITHUB_WORKSPACE"] ?? FileManager.default.currentDirectoryPath)
        }
        let token = try readToken(environment, context: context)
        let quiet = quiet
        let console = CIConsole(
            output: { text in StandardOutput.note(text.hasSuffix("\n") ? String(text.dropLast()) : text) },
            // The runner makes report text printable; its colour is kept.
            progress: { if !quiet { Terminal.errorKeepingColour($0) } }, error: { Terminal.error($0) },
            colour: CIConsole.usesColour(isTerminal: isatty(STDERR_FILENO) == 1, environment: environment))
        func runner(_ plan: CIPlan) -> CIRunner {
            CIRunner(
                plan: plan, token: token, console: console, tuning: UploadTuning(environment: environment),
                scangateVersion: ScanGate.version)
        }
        let plan: CIPlan
        do {
            plan = try CIPlan.make(config: try loaded.get(), overrides: overrides(), context: context)
        } catch {
            let message = token?.scrub(error.description) ?? error.description
            Terminal.error("error: \(message)")
            Terminal.error("scangate ci: the configuration is invalid; nothing was read or written")
            let reason = "the configuration is invalid: \(message)"
            // With the configuration read (a flag or a value it refers to is refused), the pull
            // request comment, where there would have been one, says the gate did not run: a
            // PASS from an earlier push must not stand for this one. A configuration that cannot
            // be read says neither whether to comment nor where: the comment is left alone, and
            // the step outputs alone say that nothing was decided.
            if let configuration = try? loaded.get(),
                let notice = CIPlan.stopNotice(config: configuration, overrides: overrides(), context: context)
            {
                _ = runner(notice).reportStop(exitCode: ExitStatus.usage, because: reason)
            } else {
                stopped(because: reason, context: context)
            }
            throw ExitCode(ExitStatus.usage)
        }
        let result = runner(plan).run()
        // Everything is written: exit without freeing what the run built (`result` holds it).
        ScanGate.exitAfterOutput(status: result.exitCode, keeping: result)
    }

    private func overrides() -> CIOverrides {
        var overrides = CIOverrides()
        overrides.reports = reports
        overrides.forcedFormat = forcedFormat
        overrides.allowIncomplete = allowIncomplete
        overrides.maxReportSize = maxReportSize
        overrides.environment = env
        overrides.policy = policy
        overrides.waivers = waivers.isEmpty ? nil : waivers
        overrides.vex = vex.isEmpty ? nil : vex
        overrides.baseline = baseline
        overrides.now = now
        overrides.outputs = CIConfiguration.Outputs(
            sarif: sarif, html: html, markdown: markdown, junit: junit, json: json, decision: decisionJSON,
            findings: findingsJSON, sarifDropped: sarifDropped)
        overrides.category = category
        overrides.sourceRoot = sourceRoot
        overrides.dockerfile = dockerfile
        overrides.upload = upload
        overrides.comment = comment
        overrides.wait = wait
        overrides.apiURL = apiURL
        overrides.cacert = cacert
        overrides.repository = repository
        overrides.gatedRepository = GateOptionChecks.gatedRepository(repository)
        overrides.commit = commit
        overrides.ref = ref
        overrides.pullRequest = pr
        return overrides
    }

    /// The token from --token-file or GITHUB_TOKEN; nil when neither is set (the upload and the
    /// comment are then skipped). A token that is set but unusable is an error.
    private func readToken(_ environment: [String: String], context: CIContext) throws -> GitHubToken? {
        do throws(GitHubTokenError) {
            return try GitHubToken.load(tokenFile: tokenFile, environment: environment)
        } catch {
            Terminal.error("error: \(error)")
            stopped(because: "the GitHub token is unusable: \(error)", context: context)
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// Inside GitHub Actions, the step outputs of a run whose command line was refused before it
    /// ran (an unknown flag, a value `validate()` refuses): `decision=error`, as for any other
    /// stop, so that a later step does not read an empty decision as a pass. The message is the
    /// parser's (first line; it quotes the command line, never the token's value).
    static func commandLineRefused(because message: String) {
        let environment = ProcessInfo.processInfo.environment
        let context = CIContext.detect(environment: environment)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
        let stop = CIStoppedRun(
            exitCode: ExitStatus.usage, reason: "the command line is invalid: \(firstLine)", commit: context.commit,
            runURL: context.runURL)
        if let error = stop.writeStepOutputs(context: context) { Terminal.error("error: \(error)") }
    }

    /// Inside GitHub Actions, the step outputs of a run refused before the runner starts (exit 2):
    /// `decision=error`, so that no later step reads an empty decision as a pass.
    private func stopped(because reason: String, context: CIContext) {
        let stop = CIStoppedRun(exitCode: ExitStatus.usage, reason: reason, commit: context.commit)
        if let error = stop.writeStepOutputs(context: context) { Terminal.error("error: \(error)") }
    }
}
