import Foundation
import HTTP
import ScanGateJSON

/// Settings of a ``SARIFUploader``.
public struct SARIFUploaderConfiguration: Sendable {
    /// The REST API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise
    /// Server. Plain `http` is accepted only for loopback hosts (tests), never for a remote one.
    public var apiURL: String
    /// `User-Agent`, e.g. `scangate/0.1.0`; GitHub refuses requests without one.
    public var userAgent: String
    /// Whether to poll until GitHub has processed the file.
    public var waitsForProcessing: Bool
    /// Seconds between two status requests.
    public var pollInterval: Double
    /// Seconds after the 202 at which polling stops: no status request (nor its retries) runs
    /// past it.
    public var maximumWait: Double
    /// Seconds after the 202 during which a 404 from the status endpoint means "not visible yet".
    public var notFoundGracePeriod: Double

    public init(
        apiURL: String = "https://api.github.com", userAgent: String, waitsForProcessing: Bool = true,
        pollInterval: Double = 5, maximumWait: Double = 600, notFoundGracePeriod: Double = 30
    ) {
        self.apiURL = apiURL
        self.userAgent = userAgent
        self.waitsForProcessing = waitsForProcessing
        self.pollInterval = pollInterval
        self.maximumWait = maximumWait
        self.notFoundGracePeriod = notFoundGracePeriod
    }
}

/// GitHub's answer to the upload: the id of the SARIF upload and where to ask about it.
public struct SARIFUploadReceipt: Sendable, Equatable {
    public let id: String
    /// `GET {api}/repos/{owner}/{repo}/code-scanning/sarifs/{id}`.
    public let statusURL: String
}

/// How an upload ended.
public struct SARIFUploadOutcome: Sendable {
    public let receipt: SARIFUploadReceipt
    /// `complete`, or nil when the uploader did not wait.
    public let processingStatus: String?
    /// Where GitHub lists the analyses made from the file, when it says.
    public let analysesURL: String?
}

/// Uploads SARIF to GitHub code scanning (`POST /repos/{owner}/{repo}/code-scanning/sarifs`)
/// and waits for GitHub to process it.
///
/// The file is checked locally first and never sent when GitHub would reject it. Retries are
/// the ``HTTPClient``'s: only where a retry can help. The token goes into the `Authorization`
/// header only; every message that leaves the uploader is scrubbed of it.
public struct SARIFUploader: Sendable {
    public let repository: GitHubRepository
    public let configuration: SARIFUploaderConfiguration
    public let client: HTTPClient
    private let token: GitHubToken
    private let log: @Sendable (String) -> Void

    /// - Parameter log: receives progress lines (already scrubbed of the token).
    public init(
        repository: GitHubRepository, token: GitHubToken, configuration: SARIFUploaderConfiguration,
        client: HTTPClient = HTTPClient(), log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.repository = repository
        self.token = token
        self.configuration = configuration
        self.client = client
        self.log = { [token] line in log(token.scrub(line)) }
    }

    /// Checks, uploads and (when configured) waits for processing.
    public func upload(_ sarif: [UInt8], parameters: SARIFUploadParameters) throws(SARIFUploadError)
        -> SARIFUploadOutcome
    {
        let base = try apiBase()
        let problems = parameters.problems()
        guard problems.isEmpty else { throw .invalidArgument(token.scrub(problems.joined(separator: "; "))) }
        let prepared: PreparedSARIF
        do {
            prepared = try SARIFPreflight.prepare(sarif)
        } catch {
            let scrubbed = SARIFPreflightError(reason: token.scrub(error.reason), isUnreadable: error.isUnreadable)
            throw error.isUnreadable ? .unreadableFile(scrubbed) : .rejectedLocally(scrubbed)
        }
        log(
            "uploading \(prepared.runCount) run\(prepared.runCount == 1 ? "" : "s"), \(prepared.resultCount) results "
                + "(\(prepared.bytes.count) bytes, \(prepared.gzipped.count) gzipped) to \(repository)")
        let receipt = try submit(prepared, parameters: parameters, base: base)
        guard configuration.waitsForProcessing else {
            return SARIFUploadOutcome(receipt: receipt, processingStatus: nil, analysesURL: nil)
        }
        return try waitForProcessing(receipt)
    }

    /// The JSON body: exactly the fields the OpenAPI allows, optional ones only when set.
    static func requestBody(_ prepared: PreparedSARIF, parameters: SARIFUploadParameters) -> [UInt8] {
        var writer = JSONWriter(pretty: false, reservingCapacity: prepared.gzipped.count * 4 / 3 + 512)
        writer.beginObject()
        writer.field("commit_sha", parameters.commitSHA)
        writer.field("ref", parameters.ref)
        // Standard base64 with padding and no line breaks, as the `sarif` field requires.
        writer.field("sarif", Data(prepared.gzipped).base64EncodedString())
        // Absent, not null: the schema types these as plain strings.
        for (name, value) in [
            ("checkout_uri", parameters.checkoutURI), ("started_at", parameters.startedAt),
            ("tool_name", parameters.toolName),
        ] {
            if let value { writer.field(name, value) }
        }
        writer.endObject()
        return writer.bytes
    }

    private func submit(_ prepared: PreparedSARIF, parameters: SARIFUploadParameters, base: String)
        throws(SARIFUploadError) -> SARIFUploadReceipt
    {
        var headers = commonHeaders()
        headers.add("Content-Type", "application/json")
        let request = HTTPRequest(
            method: .post, url: "\(base)/code-scanning/sarifs", headers: headers,
            body: Self.requestBody(prepared, parameters: parameters))
        let response = try send(request)
        // 202 is the only answer the contract gives for an accepted file: a 200 or 201 (a proxy,
        // a login portal, another API) does not say GitHub has the file, whatever its body holds.
        guard response.status == 202 else {
            throw .api(status: response.status, message: explain(response, gzippedSize: prepared.gzipped.count))
        }
        guard let document = try? JSONDocument(bytes: response.body),
            let id = document.root["id"]?.stringValue, Self.isSafeID(id), token.scrub(id) == id
        else {
            throw .api(
                status: response.status,
                message: "GitHub accepted the upload (HTTP \(response.status)) but returned no usable upload id")
        }
        // The status URL is built from the configured API root rather than taken from the receipt,
        // so the token is only ever sent to the host the user named.
        let receipt = SARIFUploadReceipt(id: id, statusURL: "\(base)/code-scanning/sarifs/\(id)")
        log("GitHub accepted the upload: id \(id)")
        return receipt
    }

    /// Polls the status endpoint until `complete` or `failed`, or until the configured wait ends.
    public func waitForProcessing(_ receipt: SARIFUploadReceipt) throws(SARIFUploadError) -> SARIFUploadOutcome {
        let clock = client.clock
        let start = clock.monotonicSeconds()
        // One deadline for the whole wait: each status request and its retries get only what is
        // left of it, so a slow or silent server cannot stretch the wait by a retry budget per poll.
        let deadline = start + configuration.maximumWait
        let interval = max(configuration.pollInterval, 0.001)
        // The time bound ends the loop; the count bound guards against a clock that does not advance.
        let maximumPolls = Int(min(configuration.maximumWait / interval, 100_000)) + 1
        var lastStatus = "pending"
        // Why the last status request got no answer, while the next may: GitHub has the upload,
        // so a blip (a 502, a reset) is waited out within the deadline, not taken for a failure.
        var unanswered: String?
        func askAgain(_ problem: String) {
            unanswered = problem
            log("could not read the processing status of upload \(receipt.id) (\(problem)); asking again")
        }
        for _ in 0..<maximumPolls {
            let elapsed = clock.monotonicSeconds() - start
            guard elapsed < configuration.maximumWait else { break }
            clock.sleep(seconds: min(interval, configuration.maximumWait - elapsed))
            let request = HTTPRequest(method: .get, url: receipt.statusURL, headers: commonHeaders())
            let response: HTTPResponse
            switch exchange(request, deadline: deadline) {
            case .success(let answer): response = answer
            case .failure(.responseTooLarge(let limit)):
                // Asking again gets the same answer: the status cannot be read, not "not yet".
                throw .statusUnavailable(
                    id: receipt.id, waited: clock.monotonicSeconds() - start,
                    reason: token.scrub(networkMessage(.responseTooLarge(limit: limit))))
            case .failure(let failure):
                // The wait ended during the request: as far as anyone knows, still processing. A
                // timeout cut to the deadline may fire a few milliseconds short of it (libcurl
                // counts from its own start), so the last 50 ms count as the end.
                guard clock.monotonicSeconds() + 0.05 < deadline else {
                    throw Self.timedOut(receipt, waited: clock.monotonicSeconds() - start, unanswered: unanswered)
                }
                askAgain(token.scrub(networkMessage(failure)))
                continue
            }
            if response.status == 404, clock.monotonicSeconds() - start < configuration.notFoundGracePeriod {
                continue  // GitHub may not list a fresh upload yet.
            }
            if RetryPolicy.isRetryable(response) {
                askAgain(explain(response, gzippedSize: nil))
                continue
            }
            guard response.status == 200 else {
                if response.status == 404 {
                    throw .api(
                        status: 404,
                        message: token.scrub(
                            "GitHub does not know the upload \(receipt.id) (HTTP 404 for its status after "
                                + "\(Int(configuration.notFoundGracePeriod)) s); check the repository's code scanning page"
                        ))
                }
                // GitHub took the file: what failed is reading its status (a token that may upload
                // but not read, a 403 policy), not the upload.
                throw .api(
                    status: response.status,
                    message: token.scrub(
                        "GitHub accepted the upload \(receipt.id), but reading its processing status failed: "
                            + explain(response, gzippedSize: nil)
                            + "; it may still complete: check the repository's code scanning page"))
            }
            unanswered = nil
            guard let document = try? JSONDocument(bytes: response.body),
                let status = document.root["processing_status"]?.stringValue
            else {
                throw .api(status: 200, message: "GitHub's status answer for upload \(receipt.id) could not be read")
            }
            let analysesURL = document.root["analyses_url"]?.stringValue
            switch status {
            case "complete":
                log("GitHub processed the upload \(receipt.id)")
                return SARIFUploadOutcome(receipt: receipt, processingStatus: status, analysesURL: analysesURL)
            case "failed":
                let errors = document.root["errors"]?.elements.compactMap(\.stringValue) ?? []
                // Only the errors shown are made printable: a server listing a million of them
                // kept the job busy for minutes, outside every timeout.
                throw .processingFailed(
                    id: receipt.id, errors: errors.prefix(SARIFUploadError.shownProcessingErrors).map(sanitize),
                    total: errors.count)
            default:
                if status != lastStatus { log("GitHub's processing status: \(sanitize(status))") }
                lastStatus = status
            }
        }
        throw Self.timedOut(receipt, waited: clock.monotonicSeconds() - start, unanswered: unanswered)
    }

    /// The wait ended: still processing, or, when the last status requests got no answer, not known.
    private static func timedOut(_ receipt: SARIFUploadReceipt, waited: Double, unanswered: String?)
        -> SARIFUploadError
    {
        guard let unanswered else { return .processingTimedOut(id: receipt.id, waited: waited) }
        return .statusUnavailable(id: receipt.id, waited: waited, reason: unanswered)
    }

    // MARK: Requests

    private func commonHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer \(token.value)")
        headers.add("Accept", "application/vnd.github+json")
        headers.add("X-GitHub-Api-Version", "2022-11-28")
        headers.add("User-Agent", configuration.userAgent)
        return headers
    }

    /// Sends through the client, logging its retries; `deadline` as ``HTTPClient/send(_:deadline:)``.
    private func send(_ request: HTTPRequest, deadline: Double? = nil) throws(SARIFUploadError) -> HTTPResponse {
        switch exchange(request, deadline: deadline) {
        case .success(let response): return response
        case .failure(let error): throw .network(token.scrub(networkMessage(error)))
        }
    }

    /// One request with the client's retries, each retry logged; the network's error as it is.
    private func exchange(_ request: HTTPRequest, deadline: Double?) -> Result<HTTPResponse, HTTPError> {
        var client = client
        let log = log
        let previous = client.onRetry
        client.onRetry = { event in
            previous?(event)
            // Tenths of a second, or hundredths for the short waits of tests.
            let scale = event.delay < 1 ? 100.0 : 10.0
            let delay = (event.delay * scale).rounded() / scale
            log(
                "\(event.reason) (attempt \(event.attempt) of \(event.maximumAttempts)); retrying in \(delay) s")
        }
        do {
            return .success(try client.send(request, deadline: deadline))
        } catch {
            return .failure(error)
        }
    }

    private func networkMessage(_ error: HTTPError) -> String {
        let host = URLHost.host(of: configuration.apiURL)
        switch error {
        case .tls(_, let message):
            return "could not reach \(host) securely: \(sanitize(message)) "
                + "(a GitHub Enterprise Server with a private CA needs that CA's certificate in the file --cacert names)"
        case .timeout(let message):
            return "timed out talking to \(host): \(sanitize(message))"
        case .transport(_, let message):
            return "could not reach \(host): \(sanitize(message))"
        case .invalidRequest(let message):
            return "could not send the request to \(host): \(sanitize(message))"
        case .responseTooLarge(let limit):
            return "\(host) sent a response larger than \(limit) bytes"
        }
    }

    /// The repository's API root, checked: `{api}/repos/{owner}/{repo}`.
    private func apiBase() throws(SARIFUploadError) -> String {
        switch GitHubAPIURL.checked(configuration.apiURL) {
        case .success(let api): return "\(api)/repos/\(repository.owner)/\(repository.name)"
        case .failure(let problem): throw .invalidArgument(problem.message)
        }
    }

    // MARK: Explaining GitHub's answers

    /// One line saying what GitHub's error answer means and what to do.
    func explain(_ response: HTTPResponse, gzippedSize: Int?) -> String {
        let status = response.status
        let message = Self.message(of: response).map(sanitize)
        let quoted = message.map { ": \($0)" } ?? ""
        let lowered = message?.lowercased() ?? ""
        let attempts = response.attempts > 1 ? " after \(response.attempts) attempts" : ""
        var line: String
        switch status {
        case 400:
            line = "GitHub rejected the request as malformed (HTTP 400)\(quoted)"
        case 401:
            line = "GitHub did not accept the token (HTTP 401)\(quoted); check GITHUB_TOKEN or --token-file"
        case 403 where RetryPolicy.isSecondaryRateLimit(response), 429 where RetryPolicy.isSecondaryRateLimit(response):
            line =
                "GitHub's secondary rate limit stopped the upload (HTTP \(status))\(quoted); \(secondaryRateLimitHint(response))"
        case 403 where RetryPolicy.isRateLimited(response), 429:
            line = "GitHub's rate limit is exhausted (HTTP \(status))\(attempts)\(resetHint(response)); try again later"
        case 403
        where lowered.contains("advanced security must be enabled") || lowered.contains("code scanning is not enabled")
            || lowered.contains("advanced security is not enabled"):
            line =
                "code scanning is not enabled for \(repository) (HTTP 403\(quoted)); enable GitHub Advanced Security "
                + "and code scanning in the repository's settings"
        case 403 where lowered.contains("not accessible by integration") || lowered.contains("permission"):
            line =
                "the token may not upload code scanning results to \(repository) (HTTP 403\(quoted)); it needs the "
                + "security_events scope or the \"Code scanning alerts: write\" permission"
        case 403 where lowered.contains("archived"):
            line = "\(repository) is archived and accepts no code scanning uploads (HTTP 403\(quoted))"
        case 403:
            line = "GitHub refused the request (HTTP 403)\(quoted)"
        case 404 where lowered.contains("commit"):
            line = "GitHub does not know the commit in \(repository) (HTTP 404\(quoted)); push it before uploading"
        case 404:
            line =
                "GitHub answered 404\(quoted): \(repository) does not exist or the token cannot see it, "
                + "or the commit is not in it"
        case 413:
            let size = gzippedSize.map { " (\($0) bytes gzipped)" } ?? ""
            line = "GitHub refused the file as too large (HTTP 413)\(size); the limit is 10 MB gzipped"
        case 422:
            line =
                "GitHub refused the request (HTTP 422)\(quoted); check --commit (a commit pushed to \(repository)) "
                + "and --ref"
        case 500...599:
            line = "GitHub is unavailable (HTTP \(status))\(attempts)\(quoted); try again later"
        case 301, 302, 303, 307, 308:
            // Not followed, on purpose: the token would go along to wherever it points.
            let target = response.headers["location"].map { " to \(sanitize($0).prefix(200))" } ?? ""
            line =
                "GitHub answered HTTP \(status), a redirect\(target), which is not followed (the token goes to "
                + "no other address); a renamed or transferred repository answers so: use its new OWNER/NAME"
        case 200...299 where gzippedSize != nil:
            line =
                "the upload was not accepted: the server answered HTTP \(status), not GitHub's 202 Accepted "
                + "(a proxy or another service may have answered)\(bodyExcerpt(response))"
        default:
            line = "GitHub answered HTTP \(status)" + (message == nil ? bodyExcerpt(response) : quoted)
        }
        if let requestID = response.headers["x-github-request-id"].map(sanitize), !requestID.isEmpty {
            line += " [request id \(requestID)]"
        }
        return token.scrub(line)
    }

    /// Why the client stopped retrying a secondary rate limit: the attempts ran out, or the wait
    /// GitHub asks for does not fit in the retry budget (then it was not waited for at all).
    private func secondaryRateLimitHint(_ response: HTTPResponse) -> String {
        let policy = client.configuration.retryPolicy
        if response.attempts >= policy.maximumAttempts {
            return "still limited after \(response.attempts) attempts; try again later"
        }
        let wait =
            policy.rateLimitDelay(for: response, afterAttempt: response.attempts, epochNow: client.clock.epochSeconds())
            ?? policy.secondaryRateLimitWait
        // Bounded (a day) before Int(_:), which traps on what it cannot hold.
        let seconds = Int(min(max(wait, 0), 86_400).rounded(.up))
        let budget = "the upload's retry budget (\(Int(min(policy.maximumTotalTime, 86_400))) s); try again later"
        guard response.attempts > 1 else {
            return "not retried: the \(seconds) s GitHub asks to wait do not fit in " + budget
        }
        return "still limited after \(response.attempts) attempts, and the \(seconds) s GitHub asks to wait next "
            + "do not fit in " + budget
    }

    private func resetHint(_ response: HTTPResponse) -> String {
        guard let reset = response.headers["x-ratelimit-reset"].flatMap({ Double($0) }) else {
            // A `retry-after` longer than the retry budget is not waited for: say how long it was.
            let budget = client.configuration.retryPolicy.maximumTotalTime
            guard response.headers["retry-after"] != nil,
                let wait = RetryPolicy.serverDelay(for: response, epochNow: client.clock.epochSeconds()), wait > budget
            else { return "" }
            let seconds = Int(min(wait, 86_400).rounded(.up))
            return " for another \(seconds) s" + (wait > 86_400 ? " or more" : "")
                + " (its retry-after), more than the upload's retry budget (\(Int(min(budget, 86_400))) s)"
        }
        // The server's number: bounded (a day) before Int(_:), which traps on what it cannot hold.
        let remaining = reset - client.clock.epochSeconds()
        guard remaining.isFinite, remaining > 0 else { return "" }
        let seconds = Int(min(remaining, 86_400).rounded(.up))
        return " for another \(seconds) s" + (remaining > 86_400 ? " or more" : "")
    }

    /// GitHub's `message` (and the first of `errors`, when given) from a JSON error body.
    private static func message(of response: HTTPResponse) -> String? {
        guard let document = try? JSONDocument(bytes: response.body), document.root.kind == .object else {
            let text = response.text
            return text.isEmpty || response.body.count > 500 ? nil : text
        }
        guard var message = document.root["message"]?.stringValue, !message.isEmpty else { return nil }
        if let first = document.root["errors"]?.elements.first {
            let detail = first.stringValue ?? first["message"]?.stringValue
            if let detail, !detail.isEmpty { message += " (\(detail))" }
        }
        return message
    }

    /// `: body "…"`, the first 200 characters of the answer on one line (never the token), or
    /// nothing for an empty body.
    private func bodyExcerpt(_ response: HTTPResponse) -> String {
        // Scrubbed whole, then cut: a cut first could leave part of the token to show.
        let text = sanitize(response.text)
        guard !text.isEmpty else { return "; empty body" }
        return text.count > 200 ? "; body: \(text.prefix(200))…" : "; body: \(text)"
    }

    /// Server text on one line, never the token (see ``GitHubToken/oneLine(_:)``).
    private func sanitize(_ text: String) -> String { token.oneLine(text) }

    // MARK: URLs

    /// Upload ids are UUIDs; anything else must not be spliced into a URL.
    private static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 200
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F
            }
    }
}
