import Foundation
import Testing

/// Runs the real `scangate` executable built beside the tests, from the repository root.
enum ScanGateCommand {
    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["SCANGATE_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("scangate")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return AuditSupport.repositoryRoot.appendingPathComponent(".build/debug/scangate")
    }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable.path) }

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = AuditSupport.repositoryRoot
        // No registry credentials from the machine running the tests.
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = "/nonexistent"
        environment.removeValue(forKey: "SCANGATE_REGISTRY_USERNAME")
        environment.removeValue(forKey: "SCANGATE_REGISTRY_PASSWORD")
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
