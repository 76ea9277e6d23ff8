import Foundation
import TestSupport
import Testing

/// `scangate upload` against the local GitHub stand-in: every request checked against the
/// OpenAPI contract, every scenario of the issue played once.
@Suite(
    "scangate upload against a local GitHub",
    .enabled(if: TestEnvironment.canRunServer, "needs ../shared/github-api and python3"),
    .enabled(if: ScanGateBinary.isAvailable, "needs the scangate executable (swift build)"))
struct UploadCommandTests {
    static let commit = "4b6472266afd7b471e86085a6659e8c7f2b119da"
    let sarif = TestEnvironment.fixture("minimal.sarif")

    /// Runs `scangate upload` for `server` with the token in GITHUB_TOKEN.
    func upload(
        _ server: GitHubTestServer, file: URL? = nil, extra: [String] = [], environment: [String: String] = [:]
    ) throws -> ChildProcess.Result {
        let arguments =
            [
                "upload", (file ?? sarif).path, "--repository", GitHubTestServer.repository, "--commit", Self.commit,
                "--ref", "refs/heads/main", "--api-url", server.apiURL, "--timeout", "5",
            ] + extra
        let result = try ScanGateBinary.run(
            arguments, environment: ["GITHUB_TOKEN": GitHubTestServer.token].merging(environment) { $1 })
        // Whatever happened, the token never shows.
        #expect(!result.standardOutput.contains(GitHubTestServer.token))
        #expect(!result.standardError.contains(GitHubTestServer.token))
        return result
    }

    /// The error lines of stderr (progress lines start with "scangate:").
    func errorLines(_ result: ChildProcess.Result) -> [Substring] {
        result.standardError.split(separator: "\n").filter { $0.hasPrefix("error:") }
    }

    @Test func uploadsThenPollsUntilComplete() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, extra: ["--checkout-uri", "file:///github/workspace/"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("processed"))
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 1)
        #expect(try server.statusPolls() == 2)  // pending, then complete
    }

    /// Plain http is allowed to a loopback API only because its bytes stay on this machine: a
    /// proxy from the environment (libcurl honours `http_proxy` and `ALL_PROXY` even for
    /// 127.0.0.1) would receive the token in clear. A loopback request never uses one.
    @Test func aLoopbackAPIIsNeverReachedThroughAProxy() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: sarif)
        defer { server.stop() }
        let proxy = try ListeningSocket()
        defer { proxy.close() }
        let proxyURL = "http://127.0.0.1:\(proxy.port)"
        let result = try upload(
            server, extra: ["--no-wait"],
            environment: [
                "http_proxy": proxyURL, "HTTPS_PROXY": proxyURL, "ALL_PROXY": proxyURL, "NO_PROXY": "", "no_proxy": "",
            ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!proxy.wasConnected(), "the proxy was asked")
        #expect(try server.uploads() == 1)
    }

    @Test func noWaitStopsAfterTheReceipt() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, extra: ["--no-wait"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("47177e22-5596-11eb-80a1-c1e54ef945c6"))
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 1)
        #expect(try server.statusPolls() == 0)
    }

    @Test func tokenFromAFile() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: sarif)
        defer { server.stop() }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try Data((GitHubTestServer.token + "\n").utf8).write(to: tokenFile)
        let result = try upload(server, extra: ["--token-file", tokenFile.path], environment: ["GITHUB_TOKEN": ""])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try server.problems() == [])
    }

    @Test func a502IsRetriedOnce() throws {
        let server = try GitHubTestServer(scenario: "retry-502", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("HTTP 502"))
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 2)
    }

    @Test func a429WaitsAsLongAsRetryAfterSays() throws {
        let server = try GitHubTestServer(scenario: "retry-429", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try server.uploads() == 2)
        // retry-after: 1, far longer than the 20 ms backoff configured for the tests.
        #expect(result.seconds >= 0.95)
        #expect(result.standardError.contains("retrying in 1"))
    }

    @Test func aRateLimited403WaitsForTheReset() throws {
        let server = try GitHubTestServer(scenario: "ratelimit-403", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 2)
        #expect(result.seconds >= 0.95)
    }

    /// A 403 that is GitHub's secondary rate limit by its message only: retried after the wait
    /// (a minute; 300 ms here, through the test setting).
    @Test func aSecondaryRateLimit403IsRetriedAfterTheWait() throws {
        let server = try GitHubTestServer(scenario: "secondary-403", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, environment: ["SCANGATE_UPLOAD_RATE_LIMIT_WAIT_MS": "300"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 2)
        #expect(result.seconds >= 0.29)
        #expect(result.standardError.contains("HTTP 403, rate limited (attempt 1 of 3); retrying in 0.3 s"))
    }

    /// The minute GitHub asks for does not fit in a 20 s retry budget: not waited for, and the
    /// error says it was the rate limit.
    @Test func aSecondaryRateLimitWaitBeyondTheBudgetFailsSayingSo() throws {
        let server = try GitHubTestServer(scenario: "secondary-403", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4, "\(result.standardError)")
        #expect(try server.uploads() == 1)
        #expect(result.seconds < 15)
        let errors = errorLines(result)
        #expect(errors.count == 1)
        let error = String(errors.first ?? "")
        #expect(error.contains("GitHub's secondary rate limit stopped the upload (HTTP 403)"), "\(error)")
        #expect(
            error.contains("the 60 s GitHub asks to wait do not fit in the upload's retry budget (20 s)"), "\(error)")
    }

    @Test func aRateLimitResetTooFarAwayIsReportedNotWaitedFor() throws {
        let server = try GitHubTestServer(scenario: "ratelimit-403-far", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4, "\(result.standardError)")
        #expect(try server.uploads() == 1)
        let errors = errorLines(result)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("for another 86400 s or more") == true, "\(errors)")
    }

    @Test func advancedSecurityDisabledIsExplainedAndNotRetried() throws {
        let server = try GitHubTestServer(scenario: "ghas-disabled", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(try server.uploads() == 1)
        let errors = errorLines(result)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("code scanning is not enabled for \(GitHubTestServer.repository)") == true)
    }

    @Test func a422IsExplainedAndNotRetried() throws {
        let server = try GitHubTestServer(scenario: "bad-commit-422", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 1)
        let errors = errorLines(result)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("HTTP 422") == true)
        #expect(errors.first?.contains("No commit found") == true)
    }

    @Test func a404IsExplainedAndNotRetried() throws {
        let server = try GitHubTestServer(scenario: "not-found-404", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(try server.uploads() == 1)
        #expect(errorLines(result).first?.contains("404") == true)
    }

    @Test func a503IsRetriedAFewTimesOnly() throws {
        let server = try GitHubTestServer(scenario: "unavailable-503", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(try server.uploads() == 3)  // SCANGATE_UPLOAD_ATTEMPTS
        #expect(errorLines(result).first?.contains("HTTP 503") == true)
    }

    @Test func failedProcessingPrintsGitHubsErrors() throws {
        let server = try GitHubTestServer(scenario: "processing-failed", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(try server.problems() == [])
        #expect(result.standardError.contains("locationFromSarifResult: expected at least one location"))
        #expect(result.standardError.contains("A delivery cannot contain multiple runs with the same category."))
    }

    @Test func aLongListOfProcessingErrorsIsCut() throws {
        let server = try GitHubTestServer(scenario: "processing-failed-many", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(result.standardError.contains("  - error number 20\n"))
        #expect(!result.standardError.contains("error number 21"))
        #expect(result.standardError.contains("  … and 80 more"))
    }

    @Test func anUploadIdThatIsTheTokenIsRefusedAndNeverPrinted() throws {
        let server = try GitHubTestServer(scenario: "token-as-id", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server)
        #expect(result.status == 4)
        #expect(result.standardError.contains("returned no usable upload id"))
        #expect(!(result.standardOutput + result.standardError).contains(GitHubTestServer.token))
    }

    @Test func pollingIsBounded() throws {
        let server = try GitHubTestServer(scenario: "pending-forever", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, environment: ["SCANGATE_UPLOAD_WAIT": "1"])
        #expect(result.status == 4)
        #expect(result.standardError.contains("still processing"))
        let polls = try server.statusPolls()
        #expect(polls >= 2 && polls <= 21)  // 1 s at 50 ms intervals
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let server = try GitHubTestServer(scenario: "hang", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, extra: ["--timeout", "1"], environment: ["SCANGATE_UPLOAD_ATTEMPTS": "2"])
        #expect(result.status == 4)
        #expect(errorLines(result).first?.contains("timed out") == true)
        #expect(try server.uploads() == 2)
        #expect(result.seconds < 10)
    }

    /// The retry budget bounds the first attempt too: a server that never answers the upload
    /// holds it for the budget (1 s), not for --timeout (30 s).
    @Test func theRetryBudgetBoundsTheFirstAttempt() throws {
        let server = try GitHubTestServer(scenario: "hang", expecting: sarif)
        defer { server.stop() }
        let result = try upload(
            server, extra: ["--timeout", "30"], environment: ["SCANGATE_UPLOAD_RETRY_BUDGET": "1"])
        #expect(result.status == 4, "\(result.standardError)")
        #expect(errorLines(result).first?.contains("timed out") == true, "\(result.standardError)")
        #expect(result.seconds < 10, "took \(result.seconds) s")
    }

    /// The wait for processing is one deadline: a status request that never comes back ends
    /// with it (1 s), not after --timeout (30 s) per attempt and a retry budget per poll.
    @Test func aStatusRequestThatNeverAnswersEndsWithTheWait() throws {
        let server = try GitHubTestServer(scenario: "hang-status", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, extra: ["--timeout", "30"], environment: ["SCANGATE_UPLOAD_WAIT": "1"])
        #expect(result.status == 4, "\(result.standardError)")
        #expect(result.standardError.contains("still processing"), "\(result.standardError)")
        #expect(result.seconds < 10, "took \(result.seconds) s")
        #expect(try server.uploads() == 1)
    }

    @Test func aFileGitHubWouldRejectIsNeverSent() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: nil)
        defer { server.stop() }
        for (name, reason) in [
            ("wrong-version.sarif", "2.0.0"), ("same-category-twice.sarif", "same tool"),
        ] {
            let result = try upload(server, file: TestEnvironment.fixture(name))
            #expect(result.status == 2, "\(name)")
            #expect(errorLines(result).first?.contains("GitHub would reject") == true, "\(name)")
            #expect(result.standardError.contains(reason), "\(name): \(result.standardError)")
        }
        #expect(try server.requests().isEmpty)
    }

    /// A truncated or non-JSON file is an input that cannot be read (3), as `ingest` says of
    /// it, not a usage error (2); nothing is sent.
    @Test func aFileThatIsNotSARIFAtAllExits3() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: nil)
        defer { server.stop() }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let notJSON = directory.appendingPathComponent("report.sarif")
        try Data("<html>not SARIF</html>\n".utf8).write(to: notJSON)
        for (file, reason) in [
            (TestEnvironment.fixture("truncated.sarif"), "not valid JSON"), (notJSON, "not valid JSON"),
        ] {
            let result = try upload(server, file: file)
            #expect(result.status == 3, "\(file.lastPathComponent): \(result.standardError)")
            #expect(errorLines(result).first?.contains("cannot be read as SARIF") == true, "\(result.standardError)")
            // Named, as `ingest` names a report it cannot read.
            #expect(errorLines(result).first?.hasPrefix("error: \(file.path): not uploaded") == true)
            #expect(result.standardError.contains(reason), "\(result.standardError)")
        }
        #expect(try server.requests().isEmpty)
    }

    /// The contract's only success for the upload is 202: a 200 with an id (a proxy, a portal)
    /// is no upload, even with --no-wait; the error gives the status and the start of the body,
    /// without the token.
    @Test func anAnswerOtherThan202IsNoUpload() throws {
        let server = try GitHubTestServer(scenario: "ok-200-not-202", expecting: sarif)
        defer { server.stop() }
        let result = try upload(server, extra: ["--no-wait"])
        #expect(result.status == 4, "\(result.standardError)")
        let error = errorLines(result).first ?? ""
        #expect(error.contains("HTTP 200, not GitHub's 202 Accepted"), "\(result.standardError)")
        #expect(error.contains("body: {\"id\": \"47177e22"), "\(result.standardError)")
        #expect(!result.standardOutput.contains("uploaded"))
        #expect(try server.uploads() == 1)
        #expect(try server.statusPolls() == 0)
    }

    @Test func usageProblemsExit2BeforeAnyRequest() throws {
        let server = try GitHubTestServer(scenario: "complete", expecting: nil)
        defer { server.stop() }
        let base = ["upload", sarif.path, "--repository", GitHubTestServer.repository, "--api-url", server.apiURL]
        let token = ["GITHUB_TOKEN": GitHubTestServer.token]
        let cases: [(arguments: [String], environment: [String: String], message: String)] = [
            (base + ["--commit", Self.commit, "--ref", "refs/heads/main"], [:], "no GitHub token"),
            (base + ["--commit", "4b64722", "--ref", "refs/heads/main"], token, "40 or 64 hexadecimal"),
            (base + ["--commit", Self.commit, "--ref", "main"], token, "refs/heads/main"),
            (
                [
                    "upload", sarif.path, "--repository", "not-a-repository", "--commit", Self.commit, "--ref",
                    "refs/heads/x",
                ],
                token, "OWNER/NAME"
            ),
            (
                [
                    "upload", sarif.path, "--repository", GitHubTestServer.repository, "--commit", Self.commit, "--ref",
                    "refs/heads/main", "--api-url", "http://example.com",
                ], token, "plain http"
            ),
        ]
        // Host names that only start like a loopback address are remote hosts.
        let lookalikes = ["http://127.attacker.example", "http://127.0.0.1.nip.io", "http://127.0.0.1.5:80"]
        let lookalikeCases = lookalikes.map { url in
            (
                arguments: [
                    "upload", sarif.path, "--repository", GitHubTestServer.repository, "--commit", Self.commit,
                    "--ref", "refs/heads/main", "--api-url", url,
                ], environment: token, message: "plain http"
            )
        }
        for item in cases + lookalikeCases {
            let result = try ScanGateBinary.run(item.arguments, environment: item.environment)
            #expect(result.status == 2, "\(item.arguments)")
            #expect(result.standardError.contains(item.message), "\(result.standardError)")
            #expect(!result.standardError.contains(GitHubTestServer.token))
        }
        #expect(try server.requests().isEmpty)
    }

    /// A `--cacert` that is a directory or holds no certificate is a usage error naming the
    /// file, not a TLS failure retried and blamed on the server (found by a review).
    @Test(arguments: ["fixtures/github", "README.md", "fixtures/github/no-such.pem"])
    func aCACertificateFileThatIsNotOneExits2(_ path: String) throws {
        let result = try ScanGateBinary.run(
            [
                "upload", "fixtures/github/minimal.sarif", "--repository", GitHubTestServer.repository, "--commit",
                Self.commit, "--ref", "refs/heads/main", "--api-url", "https://127.0.0.1:9", "--cacert", path,
            ], environment: ["GITHUB_TOKEN": GitHubTestServer.token])
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("CA file \(path)"), "\(result.standardError)")
    }

    @Test func anUnreadableFileExits3() throws {
        let result = try ScanGateBinary.run(
            [
                "upload", "fixtures/github/does-not-exist.sarif", "--repository", GitHubTestServer.repository,
                "--commit", Self.commit, "--ref", "refs/heads/main", "--api-url", "http://127.0.0.1:9",
            ], environment: ["GITHUB_TOKEN": GitHubTestServer.token])
        #expect(result.status == 3)
        #expect(result.standardError.contains("does-not-exist.sarif"))
    }

    /// A FIFO nobody writes to hung the upload until the job's timeout, and `/dev/zero` filled a
    /// gigabyte of memory first (found by a review): anything but a regular file is refused.
    @Test(arguments: ["fifo", "/dev/zero"])
    func anythingButARegularFileExits3(_ kind: String) throws {
        var path = kind
        if kind == "fifo" {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-\(UUID().uuidString)").path
            #expect(mkfifo(path, 0o600) == 0)
        }
        defer { if kind == "fifo" { unlink(path) } }
        let result = try ScanGateBinary.run(
            [
                "upload", path, "--repository", GitHubTestServer.repository, "--commit", Self.commit, "--ref",
                "refs/heads/main", "--api-url", "http://127.0.0.1:9",
            ], environment: ["GITHUB_TOKEN": GitHubTestServer.token])
        #expect(result.status == 3)
        #expect(result.standardError.contains("not a regular file"), "\(result.standardError)")
        #expect(result.seconds < 10)
    }
}

/// HTTPS with a private CA, as for a GitHub Enterprise Server (`--api-url https://HOST/api/v3 --cacert`).
@Suite(
    "scangate upload over HTTPS",
    .enabled(if: TestEnvironment.canRunServer, "needs ../shared/github-api and python3"),
    .enabled(if: TestEnvironment.openssl != nil, "needs openssl"),
    .enabled(if: ScanGateBinary.isAvailable, "needs the scangate executable (swift build)"))
struct UploadOverHTTPSTests {
    let sarif = TestEnvironment.fixture("minimal.sarif")

    func arguments(_ server: GitHubTestServer, cacert: URL) -> [String] {
        [
            "upload", sarif.path, "--repository", GitHubTestServer.repository, "--commit",
            UploadCommandTests.commit, "--ref", "refs/pull/42/merge", "--api-url", server.apiURL, "--cacert",
            cacert.path, "--timeout", "5",
        ]
    }

    /// A CA file cut short, or with a block that is not a certificate, was handed to libcurl,
    /// which blamed the connection ("error setting certificate file", exit 4, and a hint to pass
    /// --cacert): a usage error now, exit 2, naming the file, before anything is sent.
    @Test func aCutCACertificateFileExits2() throws {
        let ca = try TestCA(name: "ScanGate Test CA", issueServerCertificate: false)
        defer { ca.remove() }
        let whole = try Data(contentsOf: ca.caCertificate)
        let cut = ca.directory.appendingPathComponent("cut.pem")
        try whole.prefix(300).write(to: cut)
        let second = ca.directory.appendingPathComponent("second-cut.pem")
        try (whole + whole.prefix(300)).write(to: second)
        for (file, expected) in [(cut, "of which none can be read"), (second, "of which only the first 1 can be read")]
        {
            let result = try ScanGateBinary.run(
                [
                    "upload", sarif.path, "--repository", GitHubTestServer.repository, "--commit",
                    UploadCommandTests.commit, "--ref", "refs/heads/main", "--api-url", "https://127.0.0.1:9",
                    "--cacert", file.path,
                ], environment: ["GITHUB_TOKEN": GitHubTestServer.token])
            #expect(result.status == 2, "\(result.standardError)")
            #expect(
                result.standardError.contains("the CA file \(file.path) holds")
                    && result.standardError.contains(expected), "\(result.standardError)")
        }
    }

    @Test func theTestCAPassedWithCacertIsTrusted() throws {
        let ca = try TestCA(name: "ScanGate Test CA")
        defer { ca.remove() }
        let server = try GitHubTestServer(
            scenario: "complete", expecting: sarif, prefix: "/api/v3", tls: (ca.serverCertificate, ca.serverKey))
        defer { server.stop() }
        let result = try ScanGateBinary.run(
            arguments(server, cacert: ca.caCertificate), environment: ["GITHUB_TOKEN": GitHubTestServer.token])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try server.problems() == [])
        #expect(try server.uploads() == 1)
        #expect(try server.statusPolls() == 2)
    }

    @Test func aWrongCAIsRefusedAndNothingIsSent() throws {
        let ca = try TestCA(name: "ScanGate Test CA")
        defer { ca.remove() }
        let other = try TestCA(name: "Some Other CA", issueServerCertificate: false)
        defer { other.remove() }
        let server = try GitHubTestServer(
            scenario: "complete", expecting: sarif, prefix: "/api/v3", tls: (ca.serverCertificate, ca.serverKey))
        defer { server.stop() }
        let result = try ScanGateBinary.run(
            arguments(server, cacert: other.caCertificate), environment: ["GITHUB_TOKEN": GitHubTestServer.token])
        #expect(result.status == 4)
        #expect(result.standardError.contains("securely"), "\(result.standardError)")
        #expect(!result.standardError.contains(GitHubTestServer.token))
        // TLS failures are not retried, and no HTTP request got through.
        #expect(try server.requests().isEmpty)
        // The server records the failed handshake just after the client has gone: allow it a moment.
        var failures = 0
        for _ in 0..<40 where failures == 0 {
            failures = try server.tlsFailures()
            if failures == 0 { usleep(50_000) }
        }
        #expect(failures == 1)
    }
}

/// A TCP socket listening on 127.0.0.1 that never answers: whether anyone connected to it.
final class ListeningSocket {
    let descriptor: Int32
    let port: Int

    init() throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listening, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard listening >= 0, bound == 0, listen(listening, 16) == 0 else {
            throw POSIXError(.EADDRNOTAVAIL)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &length) }
        }
        _ = fcntl(listening, F_SETFL, fcntl(listening, F_GETFL) | O_NONBLOCK)
        descriptor = listening
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a connection is waiting (connections queue without being accepted).
    func wasConnected() -> Bool {
        let connection = accept(descriptor, nil, nil)
        guard connection >= 0 else { return false }
        Glibc.close(connection)
        return true
    }

    func close() { Glibc.close(descriptor) }
}
