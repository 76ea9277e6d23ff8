import Foundation

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

/// Runs a child process to completion, reading both pipes before waiting.
enum ChildProcess {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
        var seconds: Double
    }

    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]?) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = TestEnvironment.repositoryRoot
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        // Read stderr on another thread so that neither pipe can fill up and block the child.
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.value, as: UTF8.self),
            seconds: Date().timeIntervalSince(start))
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
