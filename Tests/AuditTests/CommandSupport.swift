import Foundation
import TestSupport

/// Runs the real `scangate` executable from the repository root, without the machine's registry
/// credentials.
enum ScanGateCommand {
    static var isAvailable: Bool { ScanGateExecutable.isAvailable }

    static func run(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(
            ScanGateExecutable.url, arguments, in: AuditSupport.repositoryRoot, environment: environment)
    }

    /// Runs it where no file may grow past `kibibytes` KiB (`ulimit -f`, SIGXFSZ ignored): a
    /// write past the limit is cut short and the next fails with EFBIG, as on a full disk
    /// (ENOSPC), without needing one.
    static func run(_ arguments: [String], fileSizeLimit kibibytes: Int) throws -> ChildProcess.Result {
        let script = "trap '' XFSZ; ulimit -f \(kibibytes) && exec \"$0\" \"$@\""
        return try ChildProcess.run(
            URL(fileURLWithPath: "/bin/bash"), ["-c", script, ScanGateExecutable.url.path] + arguments,
            in: AuditSupport.repositoryRoot, environment: environment)
    }

    private static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = "/nonexistent"
        environment.removeValue(forKey: "SCANGATE_REGISTRY_USERNAME")
        environment.removeValue(forKey: "SCANGATE_REGISTRY_PASSWORD")
        return environment
    }
}
