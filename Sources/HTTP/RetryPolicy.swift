#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// When and how long to wait before trying a request again.
///
/// Retries are bounded twice: by `maximumAttempts` and by `maximumTotalTime`, measured from the
/// first attempt. A server's own hint (`retry-after`, `x-ratelimit-reset`) is honoured exactly;
/// GitHub's secondary rate limit without one waits ``secondaryRateLimitWait``, doubled for each
/// further attempt, as GitHub asks. When the wait is longer than the remaining budget, the
/// client gives up at once instead of sleeping to no purpose.
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
    /// Seconds to wait after GitHub's secondary rate limit when the answer names no time (no
    /// `retry-after`): GitHub asks for at least a minute, then exponentially longer waits. Not
    /// capped by `maximumBackoff`; tests shorten it.
    public var secondaryRateLimitWait: Double

    public init(
        maximumAttempts: Int = 4, maximumTotalTime: Double = 300, initialBackoff: Double = 1,
        maximumBackoff: Double = 30, jitter: Double = 0.5, secondaryRateLimitWait: Double = 60
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.maximumTotalTime = max(0, maximumTotalTime)
        self.initialBackoff = max(0, initialBackoff)
        self.maximumBackoff = max(0, maximumBackoff)
        self.jitter = min(1, max(0, jitter))
        self.secondaryRateLimitWait = secondaryRateLimitWait.isFinite ? max(0, secondaryRateLimitWait) : 60
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

    /// The wait GitHub asks for after its secondary rate limit answered attempt number `attempt`
    /// (1-based) without naming one: ``secondaryRateLimitWait``, doubled for each further attempt.
    public func secondaryRateLimitBackoff(afterAttempt attempt: Int) -> Double {
        var wait = secondaryRateLimitWait
        for _ in 0..<min(max(attempt - 1, 0), 30) { wait *= 2 }
        return wait
    }

    /// The wait before retrying `response`, when it says how long: the server's hint
    /// (``serverDelay(for:epochNow:)``), else for GitHub's secondary rate limit
    /// ``secondaryRateLimitBackoff(afterAttempt:)``. Nil when the ordinary backoff applies.
    public func rateLimitDelay(for response: HTTPResponse, afterAttempt attempt: Int, epochNow: Double) -> Double? {
        if let hint = Self.serverDelay(for: response, epochNow: epochNow) { return hint }
        return Self.isSecondaryRateLimit(response) ? secondaryRateLimitBackoff(afterAttempt: attempt) : nil
    }

    /// Whether a response deserves another attempt: 5xx, 429, and a 403 that says it is a rate
    /// limit (``isRateLimited(_:)``). Other 4xx never change on retry.
    public static func isRetryable(_ response: HTTPResponse) -> Bool {
        switch response.status {
        case 500...599, 429: return true
        case 403: return isRateLimited(response)
        default: return false
        }
    }

    /// Whether a 403 or 429 carries GitHub's rate-limit signals: a `retry-after` header,
    /// `x-ratelimit-remaining: 0`, or a body that says it is the secondary rate limit.
    public static func isRateLimited(_ response: HTTPResponse) -> Bool {
        if response.headers["retry-after"] != nil { return true }
        if response.headers["x-ratelimit-remaining"]?.trimmingSpaces == "0" { return true }
        return isSecondaryRateLimit(response)
    }

    /// Whether a 403 or 429 is GitHub's secondary rate limit, which GitHub may send with neither
    /// `retry-after` nor `x-ratelimit-remaining: 0`: its message says so ("You have exceeded a
    /// secondary rate limit"). Only the start of the body is looked at (GitHub's is short).
    public static func isSecondaryRateLimit(_ response: HTTPResponse) -> Bool {
        guard response.status == 403 || response.status == 429 else { return false }
        let start = String(decoding: response.body.prefix(4096), as: UTF8.self).lowercased()
        return start.contains("secondary rate limit")
    }

    /// The wait the server asked for, in seconds: `retry-after` (delta seconds, or an HTTP date:
    /// the time until it, none when it has passed), else, when the rate limit is exhausted, the
    /// time until `x-ratelimit-reset` (epoch seconds). Nil when no hint.
    public static func serverDelay(for response: HTTPResponse, epochNow: Double) -> Double? {
        if let value = response.headers["retry-after"]?.trimmingSpaces {
            if let seconds = plainNumber(value) { return seconds }
            if let date = HTTPDate.epochSeconds(value) { return max(0, date - epochNow) }
        }
        if response.headers["x-ratelimit-remaining"]?.trimmingSpaces == "0",
            let value = response.headers["x-ratelimit-reset"]?.trimmingSpaces, let reset = plainNumber(value)
        {
            // The reset is whole seconds; one more second avoids arriving just before it.
            return max(0, reset - epochNow + 1)
        }
        return nil
    }

    /// A header's number as RFC 9110 writes delta-seconds (digits; a decimal point tolerated),
    /// never what `Double(_:)` also reads (`0x10`, `1e3`, `inf`, `-5`).
    private static func plainNumber(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 40, text.utf8.first != UInt8(ascii: "."),
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }),
            text.utf8.count(where: { $0 == UInt8(ascii: ".") }) <= 1
        else { return nil }
        return Double(text)
    }
}

/// HTTP dates (RFC 9110 §5.6.7), which `retry-after` may carry instead of seconds.
public enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 (UTC) of `text` in any of the three forms a recipient must accept:
    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
    /// and asctime (`Sun Nov  6 08:49:37 1994`). Nil for anything else.
    public static func epochSeconds(_ text: String) -> Double? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let day: Int?
        let month: Int?
        let year: Int?
        let time: String
        switch parts.count {
        case 6 where parts[0].hasSuffix(",") && parts[5] == "GMT":  // IMF-fixdate
            (day, month, year, time) = (Int(parts[1]), months.firstIndex(of: parts[2]), Int(parts[3]), parts[4])
        case 4 where parts[0].hasSuffix(",") && parts[3] == "GMT":  // RFC 850
            let date = parts[1].split(separator: "-").map(String.init)
            guard date.count == 3, let shortYear = Int(date[2]), date[2].count == 2 else { return nil }
            // Two-digit years: 70–99 are 19xx, the rest 20xx (RFC 9110 asks for "no more than
            // 50 years in the future"; servers stopped writing this form long before 2070).
            (day, month, year, time) = (
                Int(date[0]), months.firstIndex(of: date[1]), shortYear + (shortYear >= 70 ? 1900 : 2000), parts[2]
            )
        case 5:  // asctime
            (day, month, year, time) = (Int(parts[2]), months.firstIndex(of: parts[1]), Int(parts[4]), parts[3])
        default:
            return nil
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard let day, let month, let year, (1...31).contains(day), (1970...9999).contains(year), clock.count == 3,
            (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        // timegm: the C library's UTC calendar arithmetic (no time zone, no locale).
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(clock[0])
        fields.tm_min = Int32(clock[1])
        fields.tm_sec = Int32(clock[2])
        return Double(timegm(&fields))
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
