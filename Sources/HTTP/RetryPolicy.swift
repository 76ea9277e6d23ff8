/// When and how long to wait before trying a request again.
///
/// Retries are bounded twice: by `maximumAttempts` and by `maximumTotalTime`, measured from the
/// first attempt. A server's own hint (`retry-after`, `x-ratelimit-reset`) is honoured exactly;
/// when it asks for a longer wait than the remaining budget, the client gives up at once instead
/// of sleeping to no purpose.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included (1 = never retry).
    public var maximumAttempts: Int
    /// Seconds from the first attempt after which no new attempt starts and no wait begins.
    public var maximumTotalTime: Double
    /// Backoff before the second attempt, in seconds; doubled for each further attempt.
    public var initialBackoff: Double
    /// Largest computed backoff, in seconds (server hints are not capped by this).
    public var maximumBackoff: Double
    /// Fraction of each computed backoff that is randomised (0 = none, 1 = "full jitter").
    public var jitter: Double

    public init(
        maximumAttempts: Int = 4, maximumTotalTime: Double = 300, initialBackoff: Double = 1,
        maximumBackoff: Double = 30, jitter: Double = 0.5
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumTotalTime = max(0, maximumTotalTime)
        self.initialBackoff = max(0, initialBackoff)
        self.maximumBackoff = max(0, maximumBackoff)
        self.jitter = min(1, max(0, jitter))
    }

    /// Never retries.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The exponential backoff after attempt number `attempt` (1-based), jittered with `random`
    /// in 0..<1: the delay is reduced by up to `jitter` of itself, so concurrent clients spread out.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        var base = initialBackoff
        for _ in 0..<Int(exponent) { base *= 2 }
        let capped = min(base, maximumBackoff)
        return capped * (1 - jitter * min(max(random, 0), 1))
    }

    /// Whether a response deserves another attempt: 5xx, 429, and a 403 that says it is a rate
    /// limit (`x-ratelimit-remaining: 0` or a `retry-after` header). Other 4xx never change on retry.
    public static func isRetryable(_ response: HTTPResponse) -> Bool {
        switch response.status {
        case 500...599, 429: return true
        case 403: return isRateLimited(response)
        default: return false
        }
    }

    /// Whether a 403 or 429 carries GitHub's rate-limit signals.
    public static func isRateLimited(_ response: HTTPResponse) -> Bool {
        if response.headers["retry-after"] != nil { return true }
        return response.headers["x-ratelimit-remaining"]?.trimmingSpaces == "0"
    }

    /// The wait the server asked for, in seconds: `retry-after` (delta seconds), else, when the
    /// rate limit is exhausted, the time until `x-ratelimit-reset` (epoch seconds). Nil when no hint.
    public static func serverDelay(for response: HTTPResponse, epochNow: Double) -> Double? {
        if let value = response.headers["retry-after"]?.trimmingSpaces, let seconds = Double(value),
            seconds.isFinite, seconds >= 0
        {
            return seconds
        }
        if response.headers["x-ratelimit-remaining"]?.trimmingSpaces == "0",
            let value = response.headers["x-ratelimit-reset"]?.trimmingSpaces, let reset = Double(value),
            reset.isFinite
        {
            // The reset is whole seconds; one more second avoids arriving just before it.
            return max(0, reset - epochNow + 1)
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends. Works on scalars: "\r\n" is one
    /// `Character`, so a character-based trim would miss it.
    var trimmingSpaces: String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
