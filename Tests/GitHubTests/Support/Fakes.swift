import Foundation
import HTTP

/// A clock whose sleeps only advance its time, and that records them.
final class FakeClock: HTTPClock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Double = 1000
    private var slept: [Double] = []
    let epochOffset: Double = 1_800_000_000

    func monotonicSeconds() -> Double { lock.withLock { now } }
    func epochSeconds() -> Double { lock.withLock { now + epochOffset } }

    func sleep(seconds: Double) {
        lock.withLock {
            slept.append(seconds)
            now += max(0, seconds)
        }
    }

    func advance(_ seconds: Double) { lock.withLock { now += seconds } }

    var sleeps: [Double] { lock.withLock { slept } }
}

/// A transport that plays queued outcomes (the last one repeats) and records the requests.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    enum Outcome {
        case response(HTTPResponse)
        case failure(HTTPError)
        /// Answers by request: for the uploader, which makes two kinds.
        case handler(@Sendable (HTTPRequest) -> HTTPResponse)
    }

    private let lock = NSLock()
    private var outcomes: [Outcome]
    private var seen: [HTTPRequest] = []
    private var timeouts: [Double] = []
    private let clock: FakeClock?
    private let duration: Double

    /// - Parameter duration: how much fake time each exchange takes.
    init(_ outcomes: [Outcome], clock: FakeClock? = nil, duration: Double = 0) {
        self.outcomes = outcomes
        self.clock = clock
        self.duration = duration
    }

    func perform(_ request: HTTPRequest, timeout: Double) throws(HTTPError) -> HTTPResponse {
        let outcome: Outcome = lock.withLock {
            seen.append(request)
            timeouts.append(timeout)
            return outcomes.count > 1 ? outcomes.removeFirst() : outcomes[0]
        }
        clock?.advance(duration)
        switch outcome {
        case .response(let response): return response
        case .failure(let error): throw error
        case .handler(let handler): return handler(request)
        }
    }

    var requests: [HTTPRequest] { lock.withLock { seen } }
    var timeoutsGiven: [Double] { lock.withLock { timeouts } }
}

extension HTTPResponse {
    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}
