import Foundation
import TestSupport

/// Where the tests find the repository, the shared contract and the tools they run.
enum CITestEnvironment {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let openAPI = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/github-api/code-scanning-sarifs.openapi.json")
    static let corpus = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    static let uploadServer = repositoryRoot.appendingPathComponent("Tests/GitHubTests/Server/github_api_server.py")
    static let commentsServer = repositoryRoot.appendingPathComponent(
        "Tests/GitHubTests/Server/issue_comments_server.py")
    static let router = repositoryRoot.appendingPathComponent("Tests/CITests/Server/router.py")

    static let python = executable(named: "python3")

    /// The local servers can run: the contract, the scripts and Python are present.
    static var canRunServers: Bool {
        python != nil && FileManager.default.fileExists(atPath: openAPI.path)
            && FileManager.default.fileExists(atPath: commentsServer.path)
    }

    static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-ci-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func fixture(_ path: String) -> String { repositoryRoot.appendingPathComponent(path).path }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One local Python server, started and stopped by this test (by its process id only).
final class ServerProcess {
    let port: Int
    private let server: LocalServer

    init(script: URL, arguments: [String]) throws {
        guard let python = CITestEnvironment.python else { throw TestFailure("python3 not found") }
        server = try LocalServer(executable: python, arguments: [script.path] + arguments, readsPort: true)
        // The first line is "PORT <n>"; EOF first means the server failed to start.
        guard let port = server.announcedPort() else {
            server.stop()
            throw TestFailure("\(script.lastPathComponent) did not start")
        }
        self.port = port
    }

    func stop() { server.stop() }
}

/// The GitHub stand-ins behind one API root: the code scanning server (one scenario), the issue
/// comments server, and a router in front of both.
final class LocalGitHub {
    static let token = "ghs_CITestToken0123456789abcdefSECRET"
    static let repository = "octo-org/hello-world"
    static let pullRequest = 42

    let directory: URL
    private let upload: ServerProcess
    private let comments: ServerProcess
    private let router: ServerProcess

    init(scenario: String) throws {
        directory = try CITestEnvironment.temporaryDirectory()
        upload = try ServerProcess(
            script: CITestEnvironment.uploadServer,
            arguments: [
                "--openapi", CITestEnvironment.openAPI.path, "--scenario", scenario, "--token", Self.token,
                "--repository", Self.repository, "--record", directory.appendingPathComponent("uploads.json").path,
            ])
        comments = try ServerProcess(
            script: CITestEnvironment.commentsServer,
            arguments: [
                "--token", Self.token, "--repository", Self.repository, "--pr", String(Self.pullRequest), "--record",
                directory.appendingPathComponent("comments.json").path,
            ])
        router = try ServerProcess(
            script: CITestEnvironment.router,
            arguments: [
                "--route", "/repos/\(Self.repository)/code-scanning=http://127.0.0.1:\(upload.port)",
                "--route", "/repos/\(Self.repository)/issues=http://127.0.0.1:\(comments.port)",
            ])
    }

    deinit {
        router.stop()
        upload.stop()
        comments.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var apiURL: String { "http://127.0.0.1:\(router.port)" }

    private func json(_ name: String) throws -> Any? {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// (operation, status, problems) of each code scanning request.
    func uploadRequests() throws -> [(operation: String?, status: Int?, problems: [String])] {
        (try json("uploads.json") as? [[String: Any]] ?? []).compactMap { record in
            guard record["method"] is String else { return nil }
            return (record["operation"] as? String, record["status"] as? Int, record["problems"] as? [String] ?? [])
        }
    }

    /// (ref, commit_sha) of each SARIF upload: what the analysis was recorded for.
    func uploadTargets() throws -> [(ref: String?, commit: String?)] {
        (try json("uploads.json") as? [[String: Any]] ?? []).compactMap { record in
            guard record["operation"] as? String == "code-scanning/upload-sarif" else { return nil }
            return (record["ref"] as? String, record["commit_sha"] as? String)
        }
    }

    func uploads() throws -> Int { try uploadRequests().count { $0.operation == "code-scanning/upload-sarif" } }

    /// The bodies of the comments on the pull request.
    func commentBodies() throws -> [String] {
        let record = try json("comments.json") as? [String: Any] ?? [:]
        return (record["comments"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
    }

    func commentProblems() throws -> [String] {
        let record = try json("comments.json") as? [String: Any] ?? [:]
        return (record["requests"] as? [[String: Any]] ?? []).flatMap { $0["problems"] as? [String] ?? [] }
    }
}
