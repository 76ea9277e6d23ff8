import Foundation
import TestSupport

/// Runs the real `scangate` executable from the repository root, without the machine's registry
/// credentials.
enum ScanGateCommand {
    static var isAvailable: Bool { ScanGateExecutable.isAvailable }

    static func run(_ arguments: [String]) throws -> ChildProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = "/nonexistent"
        environment.removeValue(forKey: "SCANGATE_REGISTRY_USERNAME")
        environment.removeValue(forKey: "SCANGATE_REGISTRY_PASSWORD")
        return try ChildProcess.run(
            ScanGateExecutable.url, arguments, in: AuditSupport.repositoryRoot, environment: environment)
    }
}
