import HTTP
import ScanGateJSON

/// Settings of a ``PullRequestCommenter``.
public struct PullRequestCommentConfiguration: Sendable {
    /// The REST API root, as for the SARIF upload: `https://api.github.com` or
    /// `https://HOST/api/v3`; plain `http` only for loopback hosts (tests).
    public var apiURL: String
    /// `User-Agent`, e.g. `scangate/0.1.0`.
    public var userAgent: String
    /// The hidden first line that marks ScanGate's comment.
    public var marker: String
    /// Comments asked for per page (GitHub allows at most 100).
    public var pageSize: Int
    /// Pages read at most when looking for the comment (100 pages of 100 comments).
    public var maximumPages: Int
    /// Seconds the whole post may take: no request starts after them. Each request has its own
    /// timeout and retries; without a bound on the whole, a slow API answering every one of a
    /// hundred pages just in time would hold the CI job for hours.
    public var maximumTotalTime: Double

    public init(
        apiURL: String = "https://api.github.com", userAgent: String, marker: String = "<!-- scangate-report -->",
        pageSize: Int = 100, maximumPages: Int = 100, maximumTotalTime: Double = 300
    ) {
        self.apiURL = apiURL
        self.userAgent = userAgent
        self.marker = marker
        self.pageSize = min(max(pageSize, 1), 100)
        self.maximumPages = max(maximumPages, 1)
        self.maximumTotalTime = max(maximumTotalTime, 1)
    }
}

/// What the commenter did.
public struct PullRequestCommentResult: Sendable, Equatable {
    public enum Action: String, Sendable {
        /// No comment had the marker: one was created.
        case created
        /// The comment with the marker was updated in place.
        case updated
        /// The comment already said exactly this: nothing was sent.
        case unchanged
    }

    public var action: Action
    /// The comment's id.
    public var id: Int
    /// Its page, when GitHub said.
    public var url: String?
    /// Other comments with the marker (left from before; the oldest one is the one kept up to date).
    public var otherMarkedComments: Int
}

/// Why the comment could not be posted. Descriptions are one line and never contain the token.
public enum PullRequestCommentError: Error, Sendable, CustomStringConvertible {
    /// An argument is invalid (API URL, pull request number, a body over GitHub's limit): nothing was sent.
    case invalidArgument(String)
    /// The network, TLS or a timeout failed (after the retries the policy allows).
    case network(String)
    /// GitHub answered with an error status.
    case api(status: Int, message: String)

    /// Whether the problem is local (usage), as opposed to GitHub or the network.
    public var isLocal: Bool {
        if case .invalidArgument = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .invalidArgument(let message), .network(let message), .api(_, let message): message
        }
    }
}

/// Keeps one ScanGate comment on a pull request: finds it by its hidden marker (the first line
/// of the body), updates it in place, and creates it only when there is none.
///
/// GitHub's REST API: `GET /repos/{owner}/{repo}/issues/{number}/comments` (every page),
/// `POST` to the same path, `PATCH /repos/{owner}/{repo}/issues/comments/{id}`. The token,
/// HTTP client and retry rules are those of the SARIF upload, with one difference that keeps
/// the comment single: a failed `POST` is never simply repeated (GitHub may have created the
/// comment before the answer was lost); the comments are read again first, and the one found
/// is updated instead.
public struct PullRequestCommenter: Sendable {
    public let repository: GitHubRepository
    public let pullRequest: Int
    public let configuration: PullRequestCommentConfiguration
    public let client: HTTPClient
    private let token: GitHubToken
    private let log: @Sendable (String) -> Void

    /// GitHub refuses comment bodies longer than this many characters.
    public static let maximumBodyLength = 65_536

    /// - Parameter log: receives progress lines (already scrubbed of the token).
    public init(
        repository: GitHubRepository, pullRequest: Int, token: GitHubToken,
        configuration: PullRequestCommentConfiguration, client: HTTPClient = HTTPClient(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.repository = repository
        self.pullRequest = pullRequest
        self.token = token
        self.configuration = configuration
        self.client = client
        self.log = { [token] line in log(token.scrub(line)) }
    }

    /// Creates or updates the comment. The body gets the marker as its first line when it does
    /// not start with it.
    public func post(_ body: String) throws(PullRequestCommentError) -> PullRequestCommentResult {
        let base = try apiBase()
        guard pullRequest > 0 else { throw .invalidArgument("the pull request number must be positive") }
        let text = body.hasPrefix(configuration.marker) ? body : configuration.marker + "\n" + body
        // GitHub counts characters; UTF-16 units are never fewer, so this bound is safe.
        guard text.utf16.count <= Self.maximumBodyLength else {
            throw .invalidArgument(
                "the comment has \(text.utf16.count) characters; GitHub allows \(Self.maximumBodyLength)")
        }
        let deadline = client.clock.monotonicSeconds() + configuration.maximumTotalTime
        var found = try findMarked(base: base, deadline: deadline)
        // A comment deleted between the listing and its update is gone: the comments are read
        // again, and another marked one updated or a new one created.
        var gone = Set<Int>()
        while let existing = found.comments.first(where: { !gone.contains($0.id) }) {
            if let result = try update(existing, with: text, others: found.comments.count - 1, deadline: deadline) {
                return result
            }
            gone.insert(existing.id)
            guard gone.count < 3 else {
                throw .api(status: 404, message: "ScanGate's comments were deleted as fast as it updated them")
            }
            log("the comment \(existing.id) was deleted after it was listed; reading the comments again")
            found = try findMarked(base: base, deadline: deadline)
        }
        // A listing cut short may have missed ScanGate's comment: creating one would make a
        // second, and another on every run.
        guard found.isComplete else {
            throw .api(
                status: 200,
                message:
                    "the pull request has more than \(configuration.maximumPages) pages of comments and ScanGate's "
                    + "comment was not among them: none was created, as it could be further on")
        }
        // Create, but never twice: on a failure that may have created the comment anyway, read
        // the comments again before trying again.
        let policy = client.configuration.retryPolicy
        let start = client.clock.monotonicSeconds()
        var attempt = 0
        while true {
            attempt += 1
            try checkTime(before: deadline, doing: "create the comment")
            let outcome = try create(text, base: base, attempt: attempt, deadline: deadline)
            switch outcome {
            case .created(let result):
                return result
            case .failed(let error, let retryable, let serverDelay):
                let elapsed = client.clock.monotonicSeconds() - start
                // A server's wait of nothing (a past `retry-after` date) is the ordinary backoff.
                let delay =
                    serverDelay.flatMap { $0 > 0 ? $0 : nil } ?? policy.backoff(afterAttempt: attempt, random: 0.5)
                guard retryable, attempt < policy.maximumAttempts, elapsed + delay < policy.maximumTotalTime else {
                    throw error
                }
                log("\(error.description) (attempt \(attempt) of \(policy.maximumAttempts)); checking the comments")
                client.clock.sleep(seconds: delay)
                found = try findMarked(base: base, deadline: deadline)
                if let existing = found.comments.first {
                    log("the comment was created after all (id \(existing.id)); updating it")
                    guard
                        let result = try update(
                            existing, with: text, others: found.comments.count - 1, deadline: deadline)
                    else {
                        throw .api(status: 404, message: "the comment \(existing.id) was deleted as it was updated")
                    }
                    return result
                }
                guard found.isComplete else {
                    throw .api(
                        status: 200,
                        message: "creating the comment failed, and the comments could not all be read again to "
                            + "tell whether it was created anyway: not trying again")
                }
            }
        }
    }

    // MARK: Requests

    struct Comment {
        var id: Int
        var body: String
        var url: String?
        /// Written by a bot (a workflow's token, an app), not by a person with write access.
        var byBot = false

        /// Whether this is the comment to keep rather than `other`: one a bot wrote (what a
        /// workflow's run writes) before one a person did (a person's words are not replaced
        /// while a bot's comment exists), then the oldest.
        func isKept(before other: Comment) -> Bool {
            (byBot ? 0 : 1, id) < (other.byBot ? 0 : 1, other.id)
        }
    }

    /// Throws when the post's time is up: no request starts after the deadline.
    private func checkTime(before deadline: Double, doing action: String) throws(PullRequestCommentError) {
        guard client.clock.monotonicSeconds() < deadline else {
            throw .network("gave up before trying to \(action): " + timeIsOver)
        }
    }

    private var timeIsOver: String {
        "the \(Int(configuration.maximumTotalTime)) s allowed for the comment are over (GitHub answers slowly)"
    }

    /// Every comment whose body starts with the marker, the one to keep first (``Comment/isKept(before:)``:
    /// the oldest a bot wrote, else the oldest), then by age; and whether every page was read.
    /// Only the kept one keeps its body (it is the one updated, and compared with the new text);
    /// the others' are dropped as they are found, so a hundred pages of huge marked comments
    /// cannot pile up in memory.
    func findMarked(base: String, deadline: Double) throws(PullRequestCommentError)
        -> (comments: [Comment], isComplete: Bool)
    {
        var marked: [Comment] = []
        var kept: Int?
        var isComplete = false
        // A comment listed on two pages (one added while paging, a server repeating a page) is one.
        var seen = Set<Int>()
        for page in 1...configuration.maximumPages {
            try checkTime(before: deadline, doing: "read page \(page) of the comments")
            let url = "\(base)/issues/\(pullRequest)/comments?per_page=\(configuration.pageSize)&page=\(page)"
            let response = try send(
                HTTPRequest(method: .get, url: url, headers: headers(json: false)), deadline: deadline)
            guard response.status == 200 else {
                throw .api(status: response.status, message: explain(response, doing: "list the comments of"))
            }
            guard let document = try? JSONDocument(bytes: response.body), document.root.kind == .array else {
                throw .api(status: 200, message: "GitHub's list of comments could not be read")
            }
            for element in document.root.elements {
                guard let id = element["id"]?.intValue, id > 0, let body = element["body"]?.stringValue else {
                    continue
                }
                guard body.hasPrefix(configuration.marker), seen.insert(id).inserted else { continue }
                guard Self.isWrittenByTheProject(element) else {
                    let login = element["user"]?["login"]?.stringValue.map(sanitize) ?? "someone"
                    log(
                        "comment \(id) by \(login) carries the ScanGate marker but is not by a bot or the project; left alone"
                    )
                    continue
                }
                var comment = Comment(
                    id: id, body: body, url: element["html_url"]?.stringValue.map(sanitize),
                    byBot: Self.isWrittenByABot(element))
                if let current = kept, marked[current].isKept(before: comment) {
                    comment.body = ""
                    marked.append(comment)
                } else {
                    if let current = kept { marked[current].body = "" }
                    kept = marked.count
                    marked.append(comment)
                }
            }
            // GitHub says in `Link` whether there is a next page (it may send fewer than asked for).
            if !Self.hasNextPage(response.headers) || document.root.count == 0 {
                isComplete = true
                break
            }
            if page == configuration.maximumPages {
                log("stopped after \(page) pages of comments; a ScanGate comment further on was not looked for")
            }
        }
        return (marked.sorted { $0.isKept(before: $1) }, isComplete)
    }

    /// Whether a `Link` field names a `next` page: in any `Link` field, with `rel` quoted or
    /// not and among other relations (`rel="next last"`), as RFC 8288 allows.
    static func hasNextPage(_ headers: HTTPHeaders) -> Bool {
        for field in headers where field.name.lowercased() == "link" {
            for link in field.value.split(separator: ",") {
                for parameter in link.split(separator: ";").dropFirst() {
                    let parts = parameter.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else {
                        continue
                    }
                    let value = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""])
                    if value.lowercased().split(separator: " ").contains("next") { return true }
                }
            }
        }
        return false
    }

    /// Whether a comment can be ScanGate's: written by a bot (a workflow's `GITHUB_TOKEN` writes
    /// as `github-actions[bot]`, an app as `<app>[bot]`) or by someone with write access to the
    /// repository (a personal token's owner). Anyone else can start a comment with the marker, and
    /// updating theirs would put the report under their name, or fail the step.
    static func isWrittenByTheProject(_ comment: JSONValue) -> Bool {
        if isWrittenByABot(comment) { return true }
        let association = comment["author_association"]?.stringValue ?? ""
        return ["OWNER", "MEMBER", "COLLABORATOR"].contains(association)
    }

    static func isWrittenByABot(_ comment: JSONValue) -> Bool { comment["user"]?["type"]?.stringValue == "Bot" }

    /// Updates the comment; nil when GitHub no longer has it (HTTP 404: deleted since it was
    /// listed).
    private func update(
        _ comment: Comment, with text: String, others: Int, deadline: Double
    ) throws(PullRequestCommentError) -> PullRequestCommentResult? {
        if others > 0 {
            let which = comment.byBot ? "the oldest a bot wrote" : "the oldest"
            log("\(others) more comments carry the ScanGate marker; \(which) (\(comment.id)) is kept")
        }
        guard comment.body != text else {
            log("the comment \(comment.id) is up to date")
            return PullRequestCommentResult(
                action: .unchanged, id: comment.id, url: comment.url, otherMarkedComments: others)
        }
        let url = "\(try apiBase())/issues/comments/\(comment.id)"
        let response = try send(
            HTTPRequest(method: .patch, url: url, headers: headers(json: true), body: Self.requestBody(text)),
            deadline: deadline)
        if response.status == 404 { return nil }
        guard response.status == 200 else {
            throw .api(status: response.status, message: explain(response, doing: "update the comment on"))
        }
        let answer = try? JSONDocument(bytes: response.body)
        log("updated the comment \(comment.id)")
        return PullRequestCommentResult(
            action: .updated, id: comment.id, url: answer?.root["html_url"]?.stringValue.map(sanitize) ?? comment.url,
            otherMarkedComments: others)
    }

    private enum CreateOutcome {
        case created(PullRequestCommentResult)
        case failed(PullRequestCommentError, retryable: Bool, serverDelay: Double?)
    }

    private func create(
        _ text: String, base: String, attempt: Int, deadline: Double
    ) throws(PullRequestCommentError) -> CreateOutcome {
        var once = client
        once.configuration.retryPolicy = .none
        let request = HTTPRequest(
            method: .post, url: "\(base)/issues/\(pullRequest)/comments", headers: headers(json: true),
            body: Self.requestBody(text))
        let response: HTTPResponse
        do {
            response = try once.send(request, deadline: deadline)
        } catch {
            return .failed(.network(token.scrub(networkMessage(error))), retryable: error.isTransient, serverDelay: nil)
        }
        guard response.status == 201 else {
            let error = PullRequestCommentError.api(
                status: response.status, message: explain(response, doing: "comment on"))
            let delay = client.configuration.retryPolicy.rateLimitDelay(
                for: response, afterAttempt: attempt, epochNow: client.clock.epochSeconds())
            return .failed(error, retryable: RetryPolicy.isRetryable(response), serverDelay: delay)
        }
        guard let document = try? JSONDocument(bytes: response.body), let id = document.root["id"]?.intValue else {
            throw .api(status: 201, message: "GitHub created the comment but its answer could not be read")
        }
        log("created the comment \(id)")
        return .created(
            PullRequestCommentResult(
                action: .created, id: id, url: document.root["html_url"]?.stringValue.map(sanitize),
                otherMarkedComments: 0))
    }

    static func requestBody(_ text: String) -> [UInt8] {
        var writer = JSONWriter(pretty: false, reservingCapacity: text.utf8.count + 32)
        writer.beginObject()
        writer.field("body", text)
        writer.endObject()
        return writer.bytes
    }

    private func headers(json: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer \(token.value)")
        headers.add("Accept", "application/vnd.github+json")
        headers.add("X-GitHub-Api-Version", "2022-11-28")
        headers.add("User-Agent", configuration.userAgent)
        if json { headers.add("Content-Type", "application/json") }
        return headers
    }

    /// Sends with the client's retries (GET and PATCH repeat safely), logging each retry; no
    /// attempt runs past `deadline`, the post's whole time.
    private func send(_ request: HTTPRequest, deadline: Double) throws(PullRequestCommentError) -> HTTPResponse {
        var client = client
        let log = log
        let previous = client.onRetry
        client.onRetry = { event in
            previous?(event)
            log("\(event.reason) (attempt \(event.attempt) of \(event.maximumAttempts)); retrying")
        }
        do {
            return try client.send(request, deadline: deadline)
        } catch {
            if client.clock.monotonicSeconds() >= deadline {
                throw .network(token.scrub(networkMessage(error)) + "; " + timeIsOver)
            }
            throw .network(token.scrub(networkMessage(error)))
        }
    }

    // MARK: Checks and messages

    /// `{api}/repos/{owner}/{repo}`, with the API URL checked as the SARIF upload checks it.
    private func apiBase() throws(PullRequestCommentError) -> String {
        switch GitHubAPIURL.checked(configuration.apiURL) {
        case .success(let api): return "\(api)/repos/\(repository.owner)/\(repository.name)"
        case .failure(let problem): throw .invalidArgument(problem.message)
        }
    }

    private func networkMessage(_ error: HTTPError) -> String {
        "could not reach \(URLHost.host(of: configuration.apiURL)): \(sanitize(error.description))"
    }

    /// One line saying what GitHub's error answer means.
    private func explain(_ response: HTTPResponse, doing action: String) -> String {
        let status = response.status
        var message: String?
        if let document = try? JSONDocument(bytes: response.body), let text = document.root["message"]?.stringValue {
            message = sanitize(text)
        }
        let quoted = message.map { ": \($0)" } ?? ""
        let target = "pull request #\(pullRequest) of \(repository)"
        var line: String
        switch status {
        case 401:
            line = "GitHub did not accept the token (HTTP 401)\(quoted); check GITHUB_TOKEN or --token-file"
        case 403 where RetryPolicy.isRateLimited(response), 429:
            line = "GitHub's rate limit is exhausted (HTTP \(status))\(quoted); try again later"
        case 403:
            line =
                "the token may not \(action) \(target) (HTTP 403\(quoted)); it needs the \"pull-requests: write\" "
                + "(or \"issues: write\") permission"
        case 404:
            line = "GitHub answered 404\(quoted): \(target) does not exist or the token cannot see it"
        case 410:
            line = "issues and comments are disabled for \(repository) (HTTP 410\(quoted))"
        case 422:
            line = "GitHub refused the comment (HTTP 422\(quoted))"
        case 500...599:
            line = "GitHub is unavailable (HTTP \(status))\(quoted); try again later"
        default:
            line = "GitHub answered HTTP \(status) when asked to \(action) \(target)\(quoted)"
        }
        if let requestID = response.headers["x-github-request-id"].map(sanitize), !requestID.isEmpty {
            line += " [request id \(requestID)]"
        }
        return token.scrub(line)
    }

    /// Server text on one line, never the token (see ``GitHubToken/oneLine(_:)``).
    private func sanitize(_ text: String) -> String { token.oneLine(text) }
}
