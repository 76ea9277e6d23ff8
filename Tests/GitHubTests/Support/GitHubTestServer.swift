import Foundation

/// The local GitHub stand-in (`Server/github_api_server.py`) on 127.0.0.1, one scenario per instance.
final class GitHubTestServer {
    static let token = "ghs_TestToken0123456789abcdefSECRET"
    static let repository = "octo-org/hello-world"

    let port: Int
    let scheme: String
    let prefix: String
    private let process: Process
    private let recordFile: URL
    private let directory: URL

    /// Starts the server and waits until it prints its port.
    init(
        scenario: String, expecting sarif: URL?, prefix: String = "", tls: (certificate: URL, key: URL)? = nil
    ) throws {
        guard let python = TestEnvironment.python else { throw TestFailure("python3 not found") }
        directory = try TestEnvironment.temporaryDirectory()
        recordFile = directory.appendingPathComponent("requests.json")
        var arguments = [
            TestEnvironment.serverScript.path, "--openapi", TestEnvironment.openAPI.path, "--scenario", scenario,
            "--token", Self.token, "--repository", Self.repository, "--record", recordFile.path,
        ]
        if let sarif { arguments += ["--sarif-sha256", try TestEnvironment.sha256(of: sarif)] }
        if !prefix.isEmpty { arguments += ["--prefix", prefix] }
        if let tls { arguments += ["--tls-cert", tls.certificate.path, "--tls-key", tls.key.path] }
        process = Process()
        process.executableURL = python
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "PORT <n>"; EOF first means the server failed to start.
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw TestFailure("the test server did not start: \(text)")
        }
        self.port = port
        self.scheme = tls == nil ? "http" : "https"
        self.prefix = prefix
    }

    deinit { stop() }

    /// The API root to pass as `--api-url`.
    var apiURL: String { "\(scheme)://127.0.0.1:\(port)\(prefix)" }

    func stop() {
        if process.isRunning {
            process.terminate()
            // Bounded: if SIGTERM does not end it within 2 s, SIGKILL (only this process, by its id).
            for _ in 0..<40 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// One request the server saw, with what it found wrong in it.
    struct Request {
        var method: String
        var operation: String?
        var problems: [String]
        var status: Int?
    }

    /// The HTTP requests seen so far, in order.
    func requests() throws -> [Request] {
        try records().compactMap { record in
            guard let method = record["method"] as? String else { return nil }
            return Request(
                method: method, operation: record["operation"] as? String,
                problems: record["problems"] as? [String] ?? [], status: record["status"] as? Int)
        }
    }

    /// TLS handshakes that failed.
    func tlsFailures() throws -> Int {
        try records().count { $0["event"] as? String == "tls-handshake-failed" }
    }

    func uploads() throws -> Int { try requests().count { $0.operation == "code-scanning/upload-sarif" } }

    func statusPolls() throws -> Int { try requests().count { $0.operation == "code-scanning/get-sarif" } }

    /// Every problem the server found, prefixed with the request it was in.
    func problems() throws -> [String] {
        try requests().flatMap { request in request.problems.map { "\(request.method): \($0)" } }
    }

    private func records() throws -> [[String: Any]] {
        let data = try Data(contentsOf: recordFile)
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }
}
