/// What the client reports before it waits and tries again. It names the request by method and
/// URL and the reason by status or error: never headers, never the body.
public struct RetryEvent: Sendable {
    /// The attempt that just failed (1-based).
    public var attempt: Int
    /// The largest number of attempts the policy allows.
    public var maximumAttempts: Int
    /// Seconds the client will wait before the next attempt.
    public var delay: Double
    /// Why, e.g. "HTTP 502" or "timed out: …".
    public var reason: String
}

/// Settings of an ``HTTPClient``.
public struct HTTPClientConfiguration: Sendable {
    /// Seconds allowed for each attempt in all (connect, send, wait, receive).
    public var timeout: Double
    /// When and how often to try again.
    public var retryPolicy: RetryPolicy

    public init(timeout: Double = 120, retryPolicy: RetryPolicy = RetryPolicy()) {
        self.timeout = timeout
        self.retryPolicy = retryPolicy
    }
}

/// A small HTTP client: one request at a time, each sent through a transport (libcurl by
/// default) and retried only where a retry can help.
///
/// Retried: network errors and timeouts, 5xx, 429, and 403 when it is a rate limit (GitHub's
/// secondary rate limit included, known by its message). Not retried:
/// any other status (the response is returned for the caller to explain), TLS failures, responses
/// over the size limit. The last response is returned when the retries run out, the last error
/// thrown.
public struct HTTPClient: Sendable {
    public var configuration: HTTPClientConfiguration
    public var transport: any HTTPTransport
    public var clock: any HTTPClock
    /// Called before each wait; for progress messages.
    public var onRetry: (@Sendable (RetryEvent) -> Void)?

    public init(
        configuration: HTTPClientConfiguration = HTTPClientConfiguration(),
        transport: any HTTPTransport = CurlTransport(), clock: any HTTPClock = SystemClock(),
        onRetry: (@Sendable (RetryEvent) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.onRetry = onRetry
    }

    /// Sends `request`, retrying per the configured ``RetryPolicy``.
    ///
    /// Every attempt and every wait between two fits in the time left: the retry budget
    /// (``RetryPolicy/maximumTotalTime``) from now, and `deadline` when given (a
    /// ``HTTPClock/monotonicSeconds()`` instant, e.g. the end of a caller's polling). Each
    /// attempt's timeout is the per-request timeout or the time left, whichever is shorter, the
    /// first one included; when no time is left the client throws ``HTTPError/timeout(_:)``.
    public func send(_ request: HTTPRequest, deadline: Double? = nil) throws(HTTPError) -> HTTPResponse {
        let policy = configuration.retryPolicy
        let start = clock.monotonicSeconds()
        let end = min(start + policy.maximumTotalTime, deadline ?? .infinity)
        var attempt = 0
        var generator = SystemRandomNumberGenerator()
        while true {
            attempt += 1
            let remaining = end - clock.monotonicSeconds()
            guard remaining > 0 else {
                throw .timeout("the time allowed ran out before attempt \(attempt)")
            }
            let timeout = min(configuration.timeout, remaining)
            do {
                var response = try transport.perform(request, timeout: timeout)
                response.attempts = attempt
                guard RetryPolicy.isRetryable(response) else { return response }
                let serverDelay = policy.rateLimitDelay(
                    for: response, afterAttempt: attempt, epochNow: clock.epochSeconds())
                guard
                    let delay = nextDelay(after: attempt, serverDelay: serverDelay, end: end, generator: &generator)
                else { return response }
                onRetry?(
                    RetryEvent(
                        attempt: attempt, maximumAttempts: policy.maximumAttempts, delay: delay,
                        reason: RetryPolicy.isRateLimited(response)
                            ? "HTTP \(response.status), rate limited" : "HTTP \(response.status)"))
                clock.sleep(seconds: delay)
            } catch {
                guard error.isTransient,
                    let delay = nextDelay(after: attempt, serverDelay: nil, end: end, generator: &generator)
                else { throw error }
                onRetry?(
                    RetryEvent(
                        attempt: attempt, maximumAttempts: policy.maximumAttempts, delay: delay,
                        reason: error.description))
                clock.sleep(seconds: delay)
            }
        }
    }

    /// The wait before the next attempt, or nil when the attempts or the time up to `end` are spent.
    private func nextDelay(
        after attempt: Int, serverDelay: Double?, end: Double, generator: inout SystemRandomNumberGenerator
    ) -> Double? {
        let policy = configuration.retryPolicy
        guard attempt < policy.maximumAttempts else { return nil }
        let remaining = end - clock.monotonicSeconds()
        // A server's wait of nothing (a `retry-after` date already past, on a skewed clock, or
        // `0`) is the ordinary backoff: taken as it is, every attempt went in a blink.
        let delay =
            serverDelay.flatMap { $0 > 0 ? $0 : nil }
            ?? policy.backoff(afterAttempt: attempt, random: Double.random(in: 0..<1, using: &generator))
        // Waiting longer than the budget allows would only end in giving up later.
        guard delay < remaining else { return nil }
        return delay
    }
}
