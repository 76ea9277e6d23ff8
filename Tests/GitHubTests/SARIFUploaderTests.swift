import Foundation
import GitHub
import HTTP
import Testing

/// The uploader through its library API, with a fake transport and clock.
@Suite("SARIFUploader")
struct SARIFUploaderTests {
    static let token = "ghp_LibraryTestTokenSECRET0123456789"
    static let commit = "4b6472266afd7b471e86085a6659e8c7f2b119da"
    static let receipt = #"{"id":"6c81cd8e-b078-4ac3-a3be-1dad7dbd0b53","url":"https://elsewhere.example/x"}"#

    let sarif: [UInt8]

    init() throws {
        sarif = Array(try Data(contentsOf: TestEnvironment.fixture("minimal.sarif")))
    }

    func uploader(
        _ transport: FakeTransport, clock: FakeClock, wait: Bool = true, log: EventLog = EventLog()
    ) throws -> SARIFUploader {
        let repository = try #require(GitHubRepository("octo-org/hello-world"))
        let token = try #require(GitHubToken(Self.token))
        return SARIFUploader(
            repository: repository, token: token,
            configuration: SARIFUploaderConfiguration(
                apiURL: "https://ghe.example.test/api/v3/", userAgent: "scangate/9.9.9", waitsForProcessing: wait,
                pollInterval: 2, maximumWait: 60, notFoundGracePeriod: 10),
            client: HTTPClient(
                configuration: HTTPClientConfiguration(retryPolicy: RetryPolicy(maximumAttempts: 2)),
                transport: transport, clock: clock),
            log: { log.append($0) })
    }

    /// The error of an upload that must fail.
    func failure(_ transport: FakeTransport, clock: FakeClock, log: EventLog = EventLog()) throws -> SARIFUploadError {
        let uploader = try uploader(transport, clock: clock, log: log)
        do {
            _ = try uploader.upload(
                sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main"))
        } catch {
            return error
        }
        throw TestFailure("the upload succeeded")
    }

    static func statusAnswers(_ statuses: [String]) -> FakeTransport.Outcome {
        let remaining = Queue(statuses)
        return .handler { request in
            if request.method == .post { return .json(202, receipt) }
            let status = remaining.next()
            return .json(200, #"{"processing_status":"\#(status)","analyses_url":null,"errors":null}"#)
        }
    }

    @Test func theRequestIsExactlyWhatTheContractAllows() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(202, Self.receipt))])
        let parameters = SARIFUploadParameters(
            commitSHA: Self.commit, ref: "refs/heads/main", checkoutURI: "file:///github/workspace/")
        let outcome = try uploader(transport, clock: clock, wait: false).upload(sarif, parameters: parameters)
        #expect(outcome.processingStatus == nil)
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://ghe.example.test/api/v3/repos/octo-org/hello-world/code-scanning/sarifs")
        #expect(request.headers["authorization"] == "Bearer \(Self.token)")
        #expect(request.headers["accept"] == "application/vnd.github+json")
        #expect(request.headers["x-github-api-version"] == "2022-11-28")
        #expect(request.headers["user-agent"] == "scangate/9.9.9")
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(Set(body.keys) == ["commit_sha", "ref", "sarif", "checkout_uri"])
        let encoded = try #require(body["sarif"] as? String)
        #expect(!encoded.contains("\n"))
        let gzipped = try #require(Data(base64Encoded: encoded))
        #expect(Array(gzipped.prefix(2)) == [0x1F, 0x8B])
        // The receipt's own URL is ignored: the token goes only to the configured host.
        #expect(outcome.receipt.statusURL.hasPrefix("https://ghe.example.test/api/v3/repos/octo-org/hello-world/"))
    }

    @Test func pollsUntilCompleteAtTheConfiguredInterval() throws {
        let clock = FakeClock()
        let transport = FakeTransport([Self.statusAnswers(["pending", "pending", "complete"])])
        let outcome = try uploader(transport, clock: clock).upload(
            sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/tags/v1"))
        #expect(outcome.processingStatus == "complete")
        #expect(transport.requests.count == 4)
        #expect(clock.sleeps == [2, 2, 2])
        #expect(
            transport.requests.last?.url.hasSuffix("/code-scanning/sarifs/6c81cd8e-b078-4ac3-a3be-1dad7dbd0b53") == true
        )
        #expect(transport.requests.last?.body.isEmpty == true)
    }

    @Test func pollingStopsAtTheMaximumWait() throws {
        let clock = FakeClock()
        let transport = FakeTransport([Self.statusAnswers(["pending"])])
        #expect {
            try uploader(transport, clock: clock).upload(
                sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main"))
        } throws: { error in
            guard case SARIFUploadError.processingTimedOut = error else { return false }
            return true
        }
        // One POST, then a GET every 2 s until the 60 s deadline (none at it: no time is left).
        #expect(transport.requests.count == 30)
    }

    @Test func a404JustAfterTheUploadMeansNotYetVisible() throws {
        let clock = FakeClock()
        let polls = Queue(["404", "complete"])
        let transport = FakeTransport([
            .handler { request in
                if request.method == .post { return .json(202, Self.receipt) }
                let next = polls.next()
                return next == "404"
                    ? .json(404, #"{"message":"Not Found"}"#)
                    : .json(200, #"{"processing_status":"complete"}"#)
            }
        ])
        let outcome = try uploader(transport, clock: clock).upload(
            sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main"))
        #expect(outcome.processingStatus == "complete")
    }

    /// GitHub has the upload once it answered 202: a status request that fails for a while (a
    /// 502 after the client's retries) is asked again within the wait, not taken for a failed
    /// upload; when no status could be read by the end, the error names the upload.
    @Test func aStatusThatFailsForAWhileIsWaitedOut() throws {
        let polls = Queue(["pending", "502", "502", "502", "403", "complete"])
        let transport = FakeTransport([
            .handler { request in
                if request.method == .post { return .json(202, Self.receipt) }
                switch polls.next() {
                case "502": return .json(502, #"{"message":"Server Error"}"#)
                case "403":
                    // Rate limited: the primary limit's signal, an hour to wait.
                    return .json(
                        403, #"{"message":"API rate limit exceeded"}"#,
                        headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "9999999999"])
                case let status: return .json(200, #"{"processing_status":"\#(status)"}"#)
                }
            }
        ])
        let log = EventLog()
        let outcome = try uploader(transport, clock: FakeClock(), log: log).upload(
            sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main"))
        #expect(outcome.processingStatus == "complete")
        #expect(log.lines.contains { $0.contains("could not read the processing status of upload 6c81cd8e") })

        let failing = FakeTransport([
            .handler { request in
                request.method == .post ? .json(202, Self.receipt) : .json(503, #"{"message":"Unavailable"}"#)
            }
        ])
        let error = try failure(failing, clock: FakeClock())
        guard case .statusUnavailable(let id, _, let reason) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(id == "6c81cd8e-b078-4ac3-a3be-1dad7dbd0b53")
        #expect(reason.contains("HTTP 503"), "\(reason)")
        #expect(error.description.contains("GitHub accepted the upload 6c81cd8e-b078-4ac3-a3be-1dad7dbd0b53"))
    }

    /// A secondary rate limit that outlasts the retry budget after retries says it retried.
    @Test func aSecondaryRateLimitThatOutlastsTheBudgetSaysItRetried() throws {
        let limited = HTTPResponse.json(
            403, #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes."}"#)
        let transport = FakeTransport([.handler { _ in limited }])
        let uploader = SARIFUploader(
            repository: try #require(GitHubRepository("octo-org/hello-world")),
            token: try #require(GitHubToken(Self.token)),
            configuration: SARIFUploaderConfiguration(
                apiURL: "https://ghe.example.test/api/v3/", userAgent: "scangate/9.9.9", waitsForProcessing: false),
            client: HTTPClient(
                configuration: HTTPClientConfiguration(
                    retryPolicy: RetryPolicy(maximumAttempts: 4, maximumTotalTime: 300)),
                transport: transport, clock: FakeClock()))
        #expect {
            _ = try uploader.upload(
                sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("still limited after 3 attempts, and the 240 s GitHub asks to wait next")
                && !text.contains("not retried")
        }
        #expect(transport.requests.count == 3)
    }

    /// A 404 for the status after the grace period means GitHub does not know the upload id,
    /// not that the repository or commit is missing.
    @Test func aStatusThatStays404NamesTheUpload() throws {
        let transport = FakeTransport([
            .handler { request in
                request.method == .post ? .json(202, Self.receipt) : .json(404, #"{"message":"Not Found"}"#)
            }
        ])
        let error = try failure(transport, clock: FakeClock())
        #expect(error.description.contains("GitHub does not know the upload 6c81cd8e"), "\(error)")
        #expect(!error.description.contains("does not exist or the token cannot see it"), "\(error)")
    }

    /// A redirect (GitHub's 301 for a renamed or transferred repository) is not followed, and
    /// the error says where it pointed and why; a 429 whose retry-after is beyond the retry
    /// budget says how long GitHub asked to wait (it said only "try again later").
    @Test func aRedirectAndALongRetryAfterSayWhatTheyAre() throws {
        let moved = FakeTransport([
            .handler { _ in
                .json(
                    301, #"{"message":"Moved Permanently"}"#,
                    headers: ["location": "https://api.github.com/repositories/1296269/code-scanning/sarifs"])
            }
        ])
        let redirect = try failure(moved, clock: FakeClock())
        #expect(
            redirect.description.contains(
                "HTTP 301, a redirect to https://api.github.com/repositories/1296269/code-scanning/sarifs, which is "
                    + "not followed"), "\(redirect)")
        #expect(moved.requests.count == 1)
        let limited = FakeTransport([.handler { _ in .json(429, "", headers: ["retry-after": "3600"]) }])
        let wait = try failure(limited, clock: FakeClock())
        #expect(wait.description.contains("for another 3600 s (its retry-after), more than"), "\(wait)")
        // A short one was waited for: the attempts ran out, not the budget.
        let short = FakeTransport([.handler { _ in .json(429, "", headers: ["retry-after": "2"]) }])
        let retried = try failure(short, clock: FakeClock())
        #expect(!retried.description.contains("retry-after"), "\(retried)")
    }

    /// A 403 on the status request, after GitHub accepted the upload, read as if the upload
    /// itself had been refused: it names the accepted upload and says processing may complete.
    @Test func aRefusedStatusRequestSaysTheUploadWasAccepted() throws {
        let transport = FakeTransport([
            .handler { request in
                request.method == .post
                    ? .json(202, Self.receipt) : .json(403, #"{"message":"Resource not accessible by integration"}"#)
            }
        ])
        let error = try failure(transport, clock: FakeClock())
        #expect(
            error.description.contains("GitHub accepted the upload 6c81cd8e")
                && error.description.contains("reading its processing status failed")
                && error.description.hasSuffix("it may still complete: check the repository's code scanning page"),
            "\(error)")
    }

    /// A status answer larger than the client reads is the same answer next time: the status
    /// cannot be read, said at once (it was asked again until the 600 s wait ended).
    @Test func aStatusAnswerTooLargeToReadEndsTheWait() throws {
        let clock = FakeClock()
        let transport = FakeTransport([
            .response(.json(202, Self.receipt)), .failure(.responseTooLarge(limit: 16 << 20)),
        ])
        let error = try failure(transport, clock: clock)
        guard case .statusUnavailable(let id, let waited, let reason) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(id == "6c81cd8e-b078-4ac3-a3be-1dad7dbd0b53")
        #expect(reason.contains("larger than 16777216 bytes"), "\(reason)")
        #expect(transport.requests.count == 2, "asked once, not until the wait ended")
        #expect(waited < 60)
    }

    @Test func failedProcessingCarriesGitHubsErrors() throws {
        let clock = FakeClock()
        let transport = FakeTransport([
            .handler { request in
                request.method == .post
                    ? .json(202, Self.receipt)
                    : .json(200, #"{"processing_status":"failed","errors":["first problem","second\nproblem"]}"#)
            }
        ])
        let error = try failure(transport, clock: clock)
        guard case .processingFailed(_, let errors, let total) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(errors == ["first problem", "second problem"] && total == 2)
        #expect(!error.isLocal)
    }

    /// A status listing a hundred thousand errors: the first 20 are shown, the rest counted,
    /// and only those 20 are made printable (every one was, which took a broken server's
    /// million errors minutes of CPU).
    @Test func aLongListOfProcessingErrorsShowsTheFirstAndCountsTheRest() throws {
        let listed = (0..<100_000).map { "\"e_\($0)\"" }.joined(separator: ",")
        let transport = FakeTransport([
            .handler { request in
                request.method == .post
                    ? .json(202, Self.receipt)
                    : .json(200, #"{"processing_status":"failed","errors":["# + listed + "]}")
            }
        ])
        let error = try failure(transport, clock: FakeClock())
        guard case .processingFailed(_, let errors, let total) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(errors == (0..<20).map { "e_\($0)" })
        #expect(total == 100_000)
        #expect(error.description.hasSuffix("  - e_19\n  … and 99980 more"), "\(error.description.suffix(80))")
    }

    @Test(arguments: [
        (400, #"{"message":"Problems parsing JSON"}"#, "malformed"),
        (404, #"{"message":"Not Found"}"#, "does not exist or the token cannot see it"),
        (413, "", "too large"),
        (422, #"{"message":"Invalid request.\n\nNo commit found for SHA"}"#, "HTTP 422"),
        (
            403, #"{"message":"Advanced Security must be enabled for this repository to use code scanning."}"#,
            "code scanning is not enabled"
        ),
        (403, #"{"message":"Code scanning is not enabled for this repository."}"#, "code scanning is not enabled"),
        (403, #"{"message":"Resource not accessible by integration"}"#, "security_events"),
    ])
    func errorsAreOneClearLineAndNotRetried(status: Int, body: String, expected: String) throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(status, body))])
        let error = try failure(transport, clock: clock)
        #expect(error.description.contains(expected), "\(error)")
        #expect(!error.description.contains("\n"))
        #expect(!error.isLocal)
        #expect(transport.requests.count == 1)
    }

    @Test func theTokenIsScrubbedFromAnythingTheServerSays() throws {
        let clock = FakeClock()
        let log = EventLog()
        let transport = FakeTransport([
            .response(.json(502, "")),
            .response(.json(403, #"{"message":"token \#(Self.token) is not allowed here"}"#)),
        ])
        let error = try failure(transport, clock: clock, log: log)
        #expect(!error.description.contains(Self.token))
        #expect(error.description.contains("<redacted>"))
        #expect(!log.lines.isEmpty)
        #expect(log.lines.allSatisfy { !$0.contains(Self.token) })
    }

    @Test func invalidParametersAreRejectedBeforeAnythingIsSent() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(202, Self.receipt))])
        let uploader = try uploader(transport, clock: clock)
        for parameters in [
            SARIFUploadParameters(commitSHA: "abc", ref: "refs/heads/main"),
            SARIFUploadParameters(commitSHA: Self.commit, ref: "heads/main"),
            SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main", checkoutURI: "not a uri"),
            SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main", startedAt: "yesterday"),
        ] {
            #expect(throws: SARIFUploadError.self) { try uploader.upload(sarif, parameters: parameters) }
        }
        #expect(throws: SARIFUploadError.self) {
            try uploader.upload(
                Array(#"{"version":"2.1.0"}"#.utf8),
                parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/main"))
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func plainHTTPIsOnlyForLoopback() throws {
        let repository = try #require(GitHubRepository("o/r"))
        let token = try #require(GitHubToken("t"))
        for (url, allowed) in [
            ("http://github.example.com", false), ("http://127.0.0.1:8080", true), ("http://localhost:1", true),
            ("https://user:pass@github.example.com", false), ("ftp://github.example.com", false),
        ] {
            let transport = FakeTransport([.response(.json(202, Self.receipt))])
            let uploader = SARIFUploader(
                repository: repository, token: token,
                configuration: SARIFUploaderConfiguration(apiURL: url, userAgent: "t/1", waitsForProcessing: false),
                client: HTTPClient(transport: transport, clock: FakeClock()))
            let result = Result {
                try uploader.upload(
                    sarif, parameters: SARIFUploadParameters(commitSHA: Self.commit, ref: "refs/heads/x"))
            }
            let succeeded = (try? result.get()) != nil
            #expect(succeeded == allowed, "\(url)")
            #expect(transport.requests.isEmpty == !allowed, "\(url)")
        }
    }
}

/// Answers handed out in order; the last one repeats.
final class Queue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String]

    init(_ items: [String]) { self.items = items }

    func next() -> String { lock.withLock { items.count > 1 ? items.removeFirst() : items[0] } }
}
