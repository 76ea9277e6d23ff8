import ArgumentParser
import Foundation
import GitHub
import HTTP
import OutputFiles

struct UploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a SARIF file to GitHub code scanning and wait until GitHub has processed it.",
        discussion: """
            The token comes from GITHUB_TOKEN, or from --token-file; it needs the security_events scope \
            (or the "Code scanning alerts: write" permission). The file is checked before it is sent: a \
            file GitHub would reject is not uploaded. Network errors, 5xx, 429 and rate-limited 403 are \
            retried with backoff (GitHub's secondary rate limit, known by its message, after a minute when \
            it names no wait, if the retry budget allows); other errors are not. Proxies come from https_proxy / HTTPS_PROXY / \
            no_proxy. Exit codes: 0 processed (or accepted, with --no-wait: GitHub's 202), 2 usage or a file GitHub \
            would reject, 3 the file cannot be read (missing, not JSON, truncated), 4 GitHub or the network \
            failed (any answer to the upload but 202), or processing failed.

            For tests only (not for production use), these environment variables shorten the waits: \
            SCANGATE_UPLOAD_ATTEMPTS (attempts per request, default 4), SCANGATE_UPLOAD_BACKOFF_MS \
            (first retry backoff, default 1000), SCANGATE_UPLOAD_RETRY_BUDGET (seconds for all attempts \
            of one request and the waits between them, default 300), SCANGATE_UPLOAD_CONNECT_TIMEOUT (seconds, default 30), \
            SCANGATE_UPLOAD_POLL_INTERVAL_MS (default 5000), SCANGATE_UPLOAD_WAIT (seconds of polling, \
            status requests included, default 600), SCANGATE_UPLOAD_RATE_LIMIT_WAIT_MS (the wait after GitHub's secondary rate limit \
            when it names none, default 60000).
            """
    )

    @Argument(help: "The SARIF file to upload.")
    var sarifFile: String

    @Option(help: ArgumentHelp("The repository.", valueName: "OWNER/NAME"))
    var repository: String

    @Option(help: ArgumentHelp("The full SHA of the analysed commit.", valueName: "SHA"))
    var commit: String

    @Option(
        help: ArgumentHelp("The full ref: refs/heads/BRANCH, refs/tags/TAG or refs/pull/N/merge.", valueName: "REF"))
    var ref: String

    @Option(
        help: ArgumentHelp("The REST API root; https://HOST/api/v3 for GitHub Enterprise Server.", valueName: "URL"))
    var apiURL: String = "https://api.github.com"

    @Option(help: ArgumentHelp("Trust the CA certificates in this PEM file (a private CA).", valueName: "FILE"))
    var cacert: String?

    @Flag(help: "Stop once GitHub has accepted the file, without waiting for processing.")
    var noWait = false

    @Option(help: ArgumentHelp("Read the token from this file instead of GITHUB_TOKEN.", valueName: "FILE"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "The source root as the SARIF file names it, e.g. file:///github/workspace/.", valueName: "URI"))
    var checkoutURI: String?

    @Option(
        help: ArgumentHelp(
            "Seconds allowed for each HTTP attempt (never past the retry budget or the wait for processing).",
            valueName: "SECONDS"))
    var timeout: Double = 120

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number") }
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
        let parameters = SARIFUploadParameters(commitSHA: commit, ref: ref, checkoutURI: checkoutURI)
        let problems = parameters.problems()
        guard problems.isEmpty else {
            for problem in problems { Terminal.error("error: \(token.scrub(problem))") }
            throw ExitCode(ExitStatus.usage)
        }
        let sarif: [UInt8]
        do {
            sarif = try readFile(sarifFile)
        } catch {
            Terminal.error("error: cannot read \(sarifFile): \(Self.reason(error))")
            throw ExitCode(ExitStatus.unreadableReport)
        }

        let settings = UploadTuning(environment: ProcessInfo.processInfo.environment)
        let retryPolicy = settings.retryPolicy
        let transport = CurlTransport(connectTimeout: settings.connectTimeout, caFile: cacert)
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(timeout: timeout, retryPolicy: retryPolicy), transport: transport)
        let uploader = SARIFUploader(
            repository: repository, token: token,
            configuration: SARIFUploaderConfiguration(
                apiURL: apiURL, userAgent: "scangate/\(ScanGate.version)", waitsForProcessing: !noWait,
                pollInterval: settings.pollInterval, maximumWait: settings.maximumWait),
            client: client, log: { Terminal.error("scangate: \($0)") })
        do {
            let outcome = try uploader.upload(sarif, parameters: parameters)
            let id = outcome.receipt.id
            if outcome.processingStatus == nil {
                StandardOutput.note(
                    "uploaded: GitHub accepted \(sarifFile) as upload \(id) (not waiting for processing)")
            } else {
                StandardOutput.note("uploaded: GitHub processed \(sarifFile) as upload \(id)")
            }
        } catch {
            // A problem of the file names it, as `ingest` names a report it cannot read.
            let file = error.isLocal && !error.isArgumentProblem ? "\(sarifFile): " : ""
            Terminal.error("error: \(file)\(token.scrub(error.description))")
            // A file that is not SARIF at all is an unreadable input (3), as `ingest` says of it.
            let status =
                error.isUnreadableInput
                ? ExitStatus.unreadableReport : error.isLocal ? ExitStatus.usage : ExitStatus.remoteFailure
            throw ExitCode(status)
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

    /// Why a file could not be read, in a few words.
    private static func reason(_ error: any Error) -> String {
        switch (error as? CocoaError)?.code {
        case .fileReadNoSuchFile?, .fileNoSuchFile?: return "no such file"
        case .fileReadNoPermission?: return "permission denied"
        case .fileReadTooLarge?: return "the file is too large"
        default:
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            if underlying?.domain == NSPOSIXErrorDomain, let code = underlying?.code {
                return String(cString: strerror(Int32(code)))
            }
            return error.localizedDescription
        }
    }

    /// Reads a regular file whole, refusing anything over `limit` bytes, and anything but a
    /// regular file: a FIFO nobody writes to would hang the job until its timeout, `/dev/zero`
    /// fill a gigabyte before the limit.
    private func readFile(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw CocoaError(
                .fileReadUnknown,
                userInfo: [NSLocalizedDescriptionKey: "it is \(SmallFile.kind(of: status.st_mode)), not a regular file"]
            )
        }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        guard let data = try handle.read(upToCount: limit + 1) else { return [] }
        guard data.count <= limit else {
            throw CocoaError(.fileReadTooLarge, userInfo: [NSLocalizedDescriptionKey: "larger than \(limit) bytes"])
        }
        return [UInt8](data)
    }
}
