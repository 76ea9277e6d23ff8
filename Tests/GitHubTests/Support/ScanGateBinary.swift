import Foundation
import TestSupport

/// The real `scangate` executable (see ``ScanGateExecutable``), run with short waits and no
/// token or proxy from the machine.
enum ScanGateBinary {
    static var isAvailable: Bool { ScanGateExecutable.isAvailable }

    /// Test settings that keep every wait short (documented in `scangate upload --help`).
    static let fastSettings = [
        "SCANGATE_UPLOAD_ATTEMPTS": "3",
        "SCANGATE_UPLOAD_BACKOFF_MS": "20",
        "SCANGATE_UPLOAD_RETRY_BUDGET": "20",
        "SCANGATE_UPLOAD_CONNECT_TIMEOUT": "2",
        "SCANGATE_UPLOAD_POLL_INTERVAL_MS": "50",
        "SCANGATE_UPLOAD_WAIT": "5",
    ]

    /// Runs `scangate` with the parent's environment minus any token and proxy, plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Result {
        var merged = ProcessInfo.processInfo.environment
        for name in merged.keys
        where name == "GITHUB_TOKEN" || name.lowercased().hasSuffix("_proxy") || name.hasPrefix("SCANGATE_UPLOAD_") {
            merged[name] = nil
        }
        // Loopback traffic only, never through a proxy.
        merged["NO_PROXY"] = "127.0.0.1,localhost"
        merged["no_proxy"] = "127.0.0.1,localhost"
        merged.merge(fastSettings) { _, new in new }
        merged.merge(environment) { _, new in new }
        return try ChildProcess.run(ScanGateExecutable.url, arguments, environment: merged)
    }
}
