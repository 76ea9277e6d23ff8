import Foundation
import TestSupport

/// Where the tests find the repository, the shared contract and the tools they run.
enum TestEnvironment {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared/github-api/code-scanning-sarifs.openapi.json` next to the repository.
    static let openAPI = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/github-api/code-scanning-sarifs.openapi.json")

    static let serverScript = repositoryRoot.appendingPathComponent("Tests/GitHubTests/Server/github_api_server.py")

    static func fixture(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("fixtures/github").appendingPathComponent(name)
    }

    static var hasOpenAPI: Bool { FileManager.default.fileExists(atPath: openAPI.path) }

    static let python = executable(named: "python3")
    static let openssl = executable(named: "openssl")

    /// The local server can run: the contract is present and so is Python.
    static var canRunServer: Bool { hasOpenAPI && python != nil }

    static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-gh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func sha256(of url: URL) throws -> String {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", url.path], environment: nil)
        guard result.status == 0, let digest = result.standardOutput.split(separator: " ").first else {
            throw TestFailure("sha256sum failed: \(result.standardError)")
        }
        return String(digest)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
