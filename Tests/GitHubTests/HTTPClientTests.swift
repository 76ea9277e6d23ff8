import Foundation
import HTTP
import Testing

/// The retry logic, driven by a fake transport and a clock that does not really sleep.
@Suite("HTTPClient retries")
struct HTTPClientTests {
    let request = HTTPRequest(method: .post, url: "https://api.example.test/x", body: Array("{}".utf8))

    func client(_ transport: FakeTransport, clock: FakeClock, policy: RetryPolicy = RetryPolicy()) -> HTTPClient {
        HTTPClient(
            configuration: HTTPClientConfiguration(timeout: 30, retryPolicy: policy), transport: transport,
            clock: clock)
    }

    @Test func a5xxIsRetriedWithBackoff() throws {
        let clock = FakeClock()
        let transport = FakeTransport([
            .response(.json(502, "")), .response(.json(503, "")), .response(.json(202, "{}")),
        ])
        let response = try client(transport, clock: clock).send(request)
        #expect(response.status == 202)
        #expect(response.attempts == 3)
        #expect(transport.requests.count == 3)
        // 1 s then 2 s, each reduced by at most half (jitter 0.5).
        #expect(clock.sleeps.count == 2)
        #expect(clock.sleeps[0] > 0.5 - 1e-9 && clock.sleeps[0] <= 1)
        #expect(clock.sleeps[1] > 1 - 1e-9 && clock.sleeps[1] <= 2)
    }

    @Test func attemptsAreBounded() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(500, ""))])
        let response = try client(transport, clock: clock, policy: RetryPolicy(maximumAttempts: 4)).send(request)
        #expect(response.status == 500)
        #expect(response.attempts == 4)
        #expect(transport.requests.count == 4)
    }

    @Test(arguments: [400, 401, 404, 409, 413, 422])
    func clientErrorsAreNeverRetried(status: Int) throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(status, #"{"message":"no"}"#))])
        let response = try client(transport, clock: clock).send(request)
        #expect(response.status == status)
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func a403WithoutRateLimitSignalsIsNotRetried() throws {
        let clock = FakeClock()
        let transport = FakeTransport([
            .response(
                .json(
                    403, #"{"message":"Advanced Security must be enabled"}"#, headers: ["X-RateLimit-Remaining": "4999"]
                ))
        ])
        #expect(try client(transport, clock: clock).send(request).status == 403)
        #expect(transport.requests.count == 1)
    }

    /// GitHub's secondary rate limit may come as a 403 with neither `retry-after` nor
    /// `x-ratelimit-remaining: 0`, only its message; GitHub asks for a minute's wait, then longer.
    static let secondaryRateLimit = HTTPResponse.json(
        403,
        #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","#
            + #""documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
        headers: ["x-ratelimit-remaining": "4321"])

    @Test func aSecondaryRateLimit403WithoutHeadersWaitsAMinuteThenLonger() throws {
        let clock = FakeClock()
        let transport = FakeTransport([
            .response(Self.secondaryRateLimit), .response(Self.secondaryRateLimit), .response(.json(202, "{}")),
        ])
        let events = EventLog()
        var client = client(transport, clock: clock)
        client.onRetry = { events.append($0.reason) }
        let response = try client.send(request)
        #expect(response.status == 202)
        #expect(transport.requests.count == 3)
        #expect(clock.sleeps == [60, 120])
        #expect(events.lines == ["HTTP 403, rate limited", "HTTP 403, rate limited"])
    }

    @Test func theSecondaryRateLimitWaitIsThePolicys() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(Self.secondaryRateLimit), .response(.json(202, "{}"))])
        let policy = RetryPolicy(secondaryRateLimitWait: 0.25)
        #expect(try client(transport, clock: clock, policy: policy).send(request).status == 202)
        #expect(clock.sleeps == [0.25])
        // A retry-after on the same answer is honoured instead.
        var hinted = Self.secondaryRateLimit
        hinted.headers.add("retry-after", "7")
        let hintedClock = FakeClock()
        let again = FakeTransport([.response(hinted), .response(.json(202, "{}"))])
        #expect(try client(again, clock: hintedClock, policy: policy).send(request).status == 202)
        #expect(hintedClock.sleeps == [7])
    }

    @Test func aSecondaryRateLimitWaitLongerThanTheBudgetIsNotTaken() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(Self.secondaryRateLimit), .response(.json(202, "{}"))])
        let policy = RetryPolicy(maximumTotalTime: 30)
        let response = try client(transport, clock: clock, policy: policy).send(request)
        #expect(response.status == 403)
        #expect(RetryPolicy.isRateLimited(response))
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func retryAfterIsHonouredExactly() throws {
        let clock = FakeClock()
        let transport = FakeTransport([
            .response(.json(429, "", headers: ["Retry-After": "7"])), .response(.json(202, "{}")),
        ])
        #expect(try client(transport, clock: clock).send(request).status == 202)
        #expect(clock.sleeps == [7])
    }

    @Test func retryAfterAsAnHTTPDateIsTheTimeUntilThatDate() throws {
        let clock = FakeClock()
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example, in all three forms.
        for form in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(HTTPDate.epochSeconds(form) == 784_111_777, "\(form)")
        }
        #expect(HTTPDate.epochSeconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.epochSeconds("Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)  // a leap day
        for bad in [
            "", "soon", "Sun, 06 Nov 1994 08:49:37 CET", "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
        ] {
            #expect(HTTPDate.epochSeconds(bad) == nil, "\(bad)")
        }
        // A date in the future: wait until then; one in the past: the ordinary backoff (it was no
        // wait, every attempt at once; found by a review).
        let later = try #require(HTTPDate.epochSeconds("Sun, 06 Nov 1994 08:49:37 GMT"))
        let future = HTTPResponse(status: 429, headers: ["Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"])
        #expect(RetryPolicy.serverDelay(for: future, epochNow: later - 12) == 12)
        #expect(RetryPolicy.serverDelay(for: future, epochNow: later + 5) == 0)
        let transport = FakeTransport([
            .response(.json(503, "", headers: ["Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"])),
            .response(.json(202, "{}")),
        ])
        #expect(try client(transport, clock: clock).send(request).status == 202)
        let policy = RetryPolicy()
        #expect(clock.sleeps.count == 1)
        #expect(
            clock.sleeps.allSatisfy { $0 >= policy.initialBackoff * (1 - policy.jitter) && $0 <= policy.initialBackoff }
        )
    }

    @Test func serverDelaysAreDigitsAsRFC9110WritesThem() {
        func delay(_ value: String) -> Double? {
            RetryPolicy.serverDelay(for: HTTPResponse(status: 429, headers: ["Retry-After": value]), epochNow: 0)
        }
        #expect(delay("16") == 16)
        #expect(delay(" 2.5 ") == 2.5)
        // What Double(_:) would also read is no delay (the backoff applies instead).
        for odd in ["0x10", "1e3", "inf", "nan", "-5", "+5", ".5", "1.2.3"] {
            #expect(delay(odd) == nil, "\(odd)")
        }
        let reset = HTTPResponse(status: 403, headers: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "0x10"])
        #expect(RetryPolicy.serverDelay(for: reset, epochNow: 0) == nil)
    }

    @Test func aRateLimited403WaitsUntilTheReset() throws {
        let clock = FakeClock()
        let reset = Int(clock.epochSeconds()) + 10
        let headers: HTTPHeaders = ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "\(reset)"]
        let transport = FakeTransport([.response(.json(403, "", headers: headers)), .response(.json(202, "{}"))])
        #expect(try client(transport, clock: clock).send(request).status == 202)
        #expect(clock.sleeps == [11])  // until the reset, plus one second
    }

    @Test func aWaitLongerThanTheBudgetGivesUpAtOnce() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(429, "", headers: ["retry-after": "3600"]))])
        let policy = RetryPolicy(maximumAttempts: 5, maximumTotalTime: 60)
        let response = try client(transport, clock: clock, policy: policy).send(request)
        #expect(response.status == 429)
        #expect(transport.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func theTimeBudgetBoundsRetries() throws {
        let clock = FakeClock()
        // Each attempt takes 10 s; the budget is 25 s: attempts at 0, ~11, ~22, then no more.
        let transport = FakeTransport([.failure(.timeout("slow"))], clock: clock, duration: 10)
        let policy = RetryPolicy(maximumAttempts: 10, maximumTotalTime: 25, initialBackoff: 1, jitter: 0)
        #expect(throws: HTTPError.timeout("slow")) { try client(transport, clock: clock, policy: policy).send(request) }
        #expect(transport.requests.count == 3)
        // Every attempt, the first included, gets only the time that is left of the budget.
        #expect(transport.timeoutsGiven[0] == 25)
        #expect(transport.timeoutsGiven[1] < 15)
    }

    /// A caller's deadline bounds attempts and waits as the budget does, and once it has passed
    /// nothing more is sent.
    @Test func aDeadlineBoundsEveryAttemptAndWait() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.failure(.timeout("slow"))], clock: clock, duration: 4)
        let policy = RetryPolicy(maximumAttempts: 10, maximumTotalTime: 300, initialBackoff: 1, jitter: 0)
        let sender = client(transport, clock: clock, policy: policy)
        #expect(throws: HTTPError.timeout("slow")) {
            try sender.send(request, deadline: clock.monotonicSeconds() + 7)
        }
        #expect(transport.timeoutsGiven.first == 7)
        #expect(transport.timeoutsGiven.allSatisfy { $0 <= 7 })
        #expect(transport.requests.count == 2)
        #expect(throws: HTTPError.self) { try sender.send(request, deadline: clock.monotonicSeconds() - 1) }
        #expect(transport.requests.count == 2)
    }

    @Test func networkErrorsAreRetriedTLSErrorsAreNot() throws {
        let clock = FakeClock()
        let flaky = FakeTransport([
            .failure(.transport(code: 7, message: "Couldn't connect to server")), .response(.json(200, "{}")),
        ])
        #expect(try client(flaky, clock: clock).send(request).status == 200)
        #expect(flaky.requests.count == 2)

        let untrusted = FakeTransport([.failure(.tls(code: 60, message: "unable to get local issuer certificate"))])
        #expect(throws: HTTPError.self) { try client(untrusted, clock: clock).send(request) }
        #expect(untrusted.requests.count == 1)
    }

    @Test func retryEventsNameTheReasonAndNeverTheHeaders() throws {
        let clock = FakeClock()
        let transport = FakeTransport([.response(.json(502, "")), .response(.json(200, ""))])
        let events = EventLog()
        var client = client(transport, clock: clock)
        client.onRetry = { events.append("\($0.reason) \($0.attempt)/\($0.maximumAttempts)") }
        var secret = request
        secret.headers.add("Authorization", "Bearer hunter2")
        _ = try client.send(secret)
        #expect(events.lines == ["HTTP 502 1/4"])
        #expect(!secret.description.contains("hunter2"))
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(initialBackoff: 1, maximumBackoff: 5, jitter: 0)
        #expect((1...5).map { policy.backoff(afterAttempt: $0, random: 0.7) } == [1, 2, 4, 5, 5])
        let jittered = RetryPolicy(initialBackoff: 2, jitter: 1)
        #expect(jittered.backoff(afterAttempt: 1, random: 0) == 2)
        #expect(jittered.backoff(afterAttempt: 1, random: 0.5) == 1)
    }

    @Test func headersAreCaseInsensitive() {
        var headers = HTTPHeaders()
        headers.add("X-RateLimit-Reset", "1")
        headers.add("Content-Type", "application/json")
        #expect(headers["x-ratelimit-reset"] == "1")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["retry-after"] == nil)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

/// The libcurl transport against the local server: real sockets, loopback only.
@Suite("CurlTransport", .enabled(if: TestEnvironment.canRunServer, "needs ../shared/github-api and python3"))
struct CurlTransportTests {
    @Test func headersAreParsedAndBodiesRead() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: nil)
        defer { server.stop() }
        let transport = CurlTransport(connectTimeout: 2)
        let response = try transport.perform(HTTPRequest(method: .get, url: server.apiURL + "/nowhere"), timeout: 5)
        #expect(response.status == 404)
        #expect(response.headers["X-RateLimit-Limit"] == "1000")
        #expect(response.headers["content-type"] == "application/json; charset=utf-8")
        #expect(response.text.contains("Not Found"))
    }

    @Test func aResponseOverTheLimitIsRefused() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: nil)
        defer { server.stop() }
        let transport = CurlTransport(connectTimeout: 2, maximumResponseSize: 5)
        #expect(throws: HTTPError.responseTooLarge(limit: 5)) {
            try transport.perform(HTTPRequest(method: .get, url: server.apiURL + "/nowhere"), timeout: 5)
        }
    }

    @Test func aSilentServerTimesOut() throws {
        let server = try GitHubTestServer(scenario: "hang", expecting: nil)
        defer { server.stop() }
        let transport = CurlTransport(connectTimeout: 2)
        let request = HTTPRequest(
            method: .post, url: server.apiURL + "/repos/octo-org/hello-world/code-scanning/sarifs",
            headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
        let start = Date()
        #expect {
            try transport.perform(request, timeout: 0.5)
        } throws: { error in
            guard case HTTPError.timeout = error else { return false }
            return true
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func aClosedPortIsATransientNetworkError() throws {
        // Port 9 (discard) is not served on the test machine; the connection is refused at once.
        let transport = CurlTransport(connectTimeout: 1)
        #expect {
            try transport.perform(HTTPRequest(method: .get, url: "http://127.0.0.1:9/"), timeout: 2)
        } throws: { error in
            (error as? HTTPError)?.isTransient == true
        }
    }

    @Test func headersThatCouldInjectAreRefused() {
        var headers = HTTPHeaders()
        headers.add("X-Test", "a\r\nInjected: yes")
        #expect(throws: HTTPError.self) {
            try CurlTransport().perform(
                HTTPRequest(method: .get, url: "http://127.0.0.1:9/", headers: headers), timeout: 1)
        }
    }
}

@Suite("URL user information in messages")
struct URLUserinfoRedactionTests {
    @Test(arguments: [
        // libcurl's own words for a proxy variable it cannot parse (a `#` in the password).
        (
            "Unsupported proxy syntax in 'http://deploy:Pr0xy#Secret@proxy.corp:8080'",
            "Unsupported proxy syntax in 'http://***@proxy.corp:8080'"
        ),
        ("two: https://a:b@x and socks5://c:d@y.", "two: https://***@x and socks5://***@y."),
        ("no credentials: http://proxy.corp:8080/", "no credentials: http://proxy.corp:8080/"),
        ("mail me@example.org, not a URL", "mail me@example.org, not a URL"),
        // An `@` in a path is no user information.
        ("GET https://registry.npmjs.org/@babel%2fcore failed", "GET https://registry.npmjs.org/@babel%2fcore failed"),
    ])
    func userInformationIsRedacted(_ example: (String, String)) {
        #expect(URLHost.redactingUserinfo(example.0, environment: [:]) == example.1)
    }

    /// A proxy variable's user information is redacted wherever it appears, however libcurl
    /// quotes it: without a scheme, or with a quote, a space or a slash in the password.
    @Test(arguments: [
        ("https_proxy", "user:se#cret@127.0.0.1:9", "Unsupported proxy syntax in 'user:se#cret@127.0.0.1:9'"),
        (
            "HTTP_PROXY", "http://user:pa'ss w/rd@proxy:3128",
            "Unsupported proxy syntax in 'http://user:pa'ss w/rd@proxy:3128'"
        ),
    ])
    func proxyVariablesAreRedactedWhereverTheyAppear(_ name: String, _ value: String, _ message: String) {
        let redacted = URLHost.redactingUserinfo(message, environment: [name: value])
        #expect(!redacted.contains("cret") && !redacted.contains("pa'ss") && !redacted.contains("w/rd"), "\(redacted)")
        #expect(redacted.contains("***@"), "\(redacted)")
    }
}
