import Foundation

/// The repository the tests run from.
public enum Repository {
    /// The repository root (this file is `Tests/TestSupport/ScanGateExecutable.swift`).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// The real `scangate` executable the command tests run, as CI and users do: `SCANGATE_BINARY`
/// when set, else the one `swift build` put next to the test bundle.
public enum ScanGateExecutable {
    public static var url: URL {
        if let override = ProcessInfo.processInfo.environment["SCANGATE_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("scangate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Repository.root.appendingPathComponent(".build/debug/scangate")
    }

    /// Whether it has been built (command suites are skipped, and say so, when it has not).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: url.path) }
}
