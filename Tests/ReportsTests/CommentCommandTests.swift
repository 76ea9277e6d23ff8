import Foundation
import TestSupport
import Testing

/// Whether the binary has `scangate comment` (it must be registered in `ScanGate.swift`) and Python is there.
enum CommentCommandAvailability {
    static var isAvailable: Bool {
        guard ReportBinary.isAvailable, FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            return false
        }
        // An unknown subcommand with --help prints the root's help, so look for the command's own usage line.
        return (try? ReportBinary.run(["comment", "--help"]).standardOutput.contains("USAGE: scangate comment")) == true
    }
}

/// `scangate comment` end to end against the local issue-comments server
/// (`Tests/GitHubTests/Server/issue_comments_server.py`); enabled once the command is registered.
@Suite("Report comment command", .enabled(if: CommentCommandAvailability.isAvailable))
struct CommentCommandTests {
    static let token = "ghs_CommentToken0123456789SECRET"
    static let script = ReportSupport.repositoryRoot.appendingPathComponent(
        "Tests/GitHubTests/Server/issue_comments_server.py")

    @Test func createdOnceThenUpdated() throws {
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = directory.appendingPathComponent("record.json")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = [
            Self.script.path, "--token", Self.token, "--repository", "octo-org/hello-world", "--pr", "42", "--record",
            record.path, "--preexisting", "5",
        ]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        server.standardInput = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGTERM may be blocked in children of the test runner: SIGKILL (this process, by its id) after 2 s.
            server.terminate()
            for _ in 0..<40 where server.isRunning { usleep(50_000) }
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            server.waitUntilExit()
        }
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let port = try #require(
            Int(String(decoding: line, as: UTF8.self).dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)))
        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_TOKEN"] = Self.token
        environment["NO_PROXY"] = "127.0.0.1"
        environment["no_proxy"] = "127.0.0.1"
        let arguments = [
            "comment", "--repository", "octo-org/hello-world", "--pr", "42", "--api-url", "http://127.0.0.1:\(port)",
            "fixtures/examples/trivy-fs.json",
        ]
        let first = try ReportBinary.run(arguments, environment: environment)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.hasPrefix("created: comment "))
        let second = try ReportBinary.run(
            arguments + ["--policy", "policies/staging.yaml", "--now", "2026-11-28"], environment: environment)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.hasPrefix("updated: comment "))
        #expect(!(first.standardError + second.standardError).contains(Self.token))

        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: record)) as? [String: Any]
        let comments = (recorded?["comments"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
        let marked = comments.filter { $0.hasPrefix("<!-- scangate-report -->\n") }
        #expect(comments.count == 6)
        #expect(marked.count == 1)
        #expect(marked.first?.contains("## ScanGate: ❌ FAIL") == true)
        let requests = recorded?["requests"] as? [[String: Any]] ?? []
        #expect(requests.allSatisfy { ($0["problems"] as? [String] ?? []).isEmpty })
    }
}
