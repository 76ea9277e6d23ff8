import HTTP

/// Waits and bounds of the upload that tests shorten through the environment (for
/// `scangate upload` and `scangate ci`: `SCANGATE_UPLOAD_ATTEMPTS`, `…_BACKOFF_MS`, `…_RETRY_BUDGET`,
/// `…_CONNECT_TIMEOUT`, `…_POLL_INTERVAL_MS`, `…_WAIT`, `…_RATE_LIMIT_WAIT_MS`).
public struct UploadTuning: Sendable {
    public var attempts = 4
    public var backoff = 1.0
    public var retryBudget = 300.0
    public var connectTimeout = 30.0
    public var pollInterval = 5.0
    public var maximumWait = 600.0
    public var requestTimeout = 120.0
    /// Seconds to wait after GitHub's secondary rate limit when it names no time
    /// (``RetryPolicy/secondaryRateLimitWait``).
    public var rateLimitWait = 60.0

    public init(environment: [String: String]) {
        func number(_ name: String) -> Double? {
            guard let text = environment[name], let value = Double(text), value.isFinite, value >= 0 else {
                return nil
            }
            return value
        }
        if let value = number("SCANGATE_UPLOAD_ATTEMPTS") { attempts = max(1, Int(min(value, 1_000))) }
        if let value = number("SCANGATE_UPLOAD_BACKOFF_MS") { backoff = value / 1000 }
        if let value = number("SCANGATE_UPLOAD_RETRY_BUDGET") { retryBudget = value }
        if let value = number("SCANGATE_UPLOAD_CONNECT_TIMEOUT") { connectTimeout = max(0.1, value) }
        if let value = number("SCANGATE_UPLOAD_POLL_INTERVAL_MS") { pollInterval = value / 1000 }
        if let value = number("SCANGATE_UPLOAD_WAIT") { maximumWait = value }
        if let value = number("SCANGATE_UPLOAD_RATE_LIMIT_WAIT_MS") { rateLimitWait = value / 1000 }
    }

    /// The retry policy of the upload's (and the comment's) requests.
    public var retryPolicy: RetryPolicy {
        RetryPolicy(
            maximumAttempts: attempts, maximumTotalTime: retryBudget, initialBackoff: backoff,
            secondaryRateLimitWait: rateLimitWait)
    }
}
