#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Time as the client needs it: a monotonic clock for budgets, the wall clock for
/// `x-ratelimit-reset`, and a way to wait. Tests inject one that does not really sleep.
public protocol HTTPClock: Sendable {
    /// Seconds on a monotonic clock (arbitrary origin).
    func monotonicSeconds() -> Double
    /// Seconds since the Unix epoch.
    func epochSeconds() -> Double
    /// Blocks the calling thread for `seconds`.
    func sleep(seconds: Double)
}

/// The system's clocks and `nanosleep`.
public struct SystemClock: HTTPClock {
    public init() {}

    public func monotonicSeconds() -> Double { Self.read(CLOCK_MONOTONIC) }

    public func epochSeconds() -> Double { Self.read(CLOCK_REALTIME) }

    public func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        let whole = seconds.rounded(.down)
        var request = timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1_000_000_000))
        var remaining = timespec()
        // Resume after a signal interrupts the wait.
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }

    private static func read(_ clock: clockid_t) -> Double {
        var now = timespec()
        clock_gettime(clock, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
