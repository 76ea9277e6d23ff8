import Foundation

/// The real `scangate` executable, found as CLITests finds it: next to the test bundle, or SCANGATE_BINARY.
enum ScanGateBinary {
    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["SCANGATE_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("scangate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/scangate")
    }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

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
        return try ChildProcess.run(executable, arguments, environment: merged)
    }
}
