import Foundation
import GitHub
import HTTP
import TestSupport
import Testing

/// The local issue-comments stand-in (`Server/issue_comments_server.py`) on 127.0.0.1.
final class IssueCommentsServer {
    static let token = "ghs_CommentToken0123456789SECRET"
    static let repository = "octo-org/hello-world"
    static let pullRequest = 42
    static let script = TestEnvironment.repositoryRoot.appendingPathComponent(
        "Tests/GitHubTests/Server/issue_comments_server.py")

    let port: Int
    private let server: LocalServer
    private let directory: URL
    private let recordFile: URL

    init(
        scenario: String = "normal", preexisting: Int = 0, quotedMarker: Bool = false, forgedMarker: Bool = false,
        collaboratorMarker: Bool = false, pageSize: Int = 100, linkStyle: String = "github"
    ) throws {
        guard let python = TestEnvironment.python else { throw TestFailure("python3 not found") }
        directory = try TestEnvironment.temporaryDirectory()
        recordFile = directory.appendingPathComponent("record.json")
        var arguments = [
            Self.script.path, "--token", Self.token, "--repository", Self.repository, "--pr",
            String(Self.pullRequest), "--record", recordFile.path, "--scenario", scenario, "--preexisting",
            String(preexisting), "--page-size", String(pageSize), "--link-style", linkStyle,
        ]
        if quotedMarker { arguments.append("--quoted-marker") }
        if forgedMarker { arguments.append("--forged-marker") }
        if collaboratorMarker { arguments.append("--collaborator-marker") }
        server = try LocalServer(executable: python, arguments: arguments, readsPort: true)
        guard let port = server.announcedPort() else {
            server.stop()
            throw TestFailure("the comments server did not start")
        }
        self.port = port
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var apiURL: String { "http://127.0.0.1:\(port)" }

    struct Request {
        var method: String
        var status: Int?
        var problems: [String]
    }

    private func record() throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: recordFile.path) else { return [:] }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: recordFile)) as? [String: Any] ?? [:]
    }

    func requests() throws -> [Request] {
        (try record()["requests"] as? [[String: Any]] ?? []).map {
            Request(
                method: $0["method"] as? String ?? "", status: $0["status"] as? Int,
                problems: $0["problems"] as? [String] ?? [])
        }
    }

    /// The comments' bodies, in order.
    func bodies() throws -> [String] {
        (try record()["comments"] as? [[String: Any]] ?? []).compactMap { $0["body"] as? String }
    }
}

@Suite("Report PR comment against a local GitHub", .enabled(if: TestEnvironment.python != nil))
struct ReportCommentTests {
    static let marker = "<!-- scangate-report -->"

    static func commenter(
        _ server: IssueCommentsServer, pageSize: Int = 100, maximumPages: Int = 100, maximumTotalTime: Double = 300
    ) throws -> PullRequestCommenter {
        let repository = try #require(GitHubRepository(IssueCommentsServer.repository))
        let token = try #require(GitHubToken(IssueCommentsServer.token))
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(
                timeout: 10,
                retryPolicy: RetryPolicy(maximumAttempts: 3, maximumTotalTime: 20, initialBackoff: 0.01, jitter: 0)),
            transport: CurlTransport(connectTimeout: 2))
        return PullRequestCommenter(
            repository: repository, pullRequest: IssueCommentsServer.pullRequest, token: token,
            configuration: PullRequestCommentConfiguration(
                apiURL: server.apiURL, userAgent: "scangate/0.1.0", marker: marker, pageSize: pageSize,
                maximumPages: maximumPages, maximumTotalTime: maximumTotalTime),
            client: client)
    }

    static func marked(_ server: IssueCommentsServer) throws -> [String] {
        try server.bodies().filter { $0.hasPrefix(marker) }
    }

    /// Comments beyond the pages read may hold ScanGate's: creating one would make a second one,
    /// and another on every run. A marked comment on the pages read is still updated.
    @Test func aListingCutShortCreatesNothing() throws {
        let server = try IssueCommentsServer(preexisting: 7, pageSize: 2)
        let commenter = try Self.commenter(server, pageSize: 2, maximumPages: 3)
        do {
            _ = try commenter.post("## ScanGate: ✅ PASS")
            Issue.record("a comment was created without reading every page")
        } catch {
            #expect(!error.isLocal)
            #expect(error.description.contains("none was created"), "\(error)")
        }
        #expect(try server.requests().filter { $0.method == "POST" }.isEmpty)
        #expect(try Self.marked(server).isEmpty)

        let found = try IssueCommentsServer(preexisting: 7, pageSize: 2)
        _ = try Self.commenter(found).post("first")  // created at the end: on page 4 of 2
        let cutShort = try Self.commenter(found, pageSize: 2, maximumPages: 3)
        #expect(throws: PullRequestCommentError.self) { try cutShort.post("second") }
        let wide = try Self.commenter(found, pageSize: 2, maximumPages: 10)
        #expect(try wide.post("third").action == .updated)
        #expect(try Self.marked(found) == [Self.marker + "\nthird"])
    }

    /// Posts with 1 s allowed for the whole comment to `server`, expecting it to run out of
    /// time before it creates anything; returns the error's description.
    static func postOutOfTime(_ server: IssueCommentsServer) throws -> String {
        let commenter = try Self.commenter(server, pageSize: 2, maximumTotalTime: 1)
        var description = ""
        do {
            _ = try commenter.post("report")
            Issue.record("the post went on past its deadline")
        } catch {
            #expect(!error.isLocal)
            #expect(error.description.contains("the 1 s allowed for the comment are over"), "\(error)")
            description = error.description
        }
        #expect(try server.requests().filter { $0.method == "POST" }.isEmpty)
        return description
    }

    /// Every request has its own timeout and retries; the whole post has a deadline on top, so
    /// an API answering each page slowly cannot hold the job for hours.
    @Test func aSlowAPIRunsIntoTheDeadline() throws {
        let server = try IssueCommentsServer(scenario: "slow-list", preexisting: 30, pageSize: 2)
        _ = try Self.postOutOfTime(server)
        let gets = try server.requests().filter { $0.method == "GET" }.count
        #expect(gets >= 2 && gets <= 4, "\(gets) pages read")
    }

    /// One request slower than the whole post may take is cut at the post's deadline, not at the
    /// request's own timeout (10 s here; the server answers after 4 s).
    @Test func aStalledRequestEndsAtThePostsDeadline() throws {
        let server = try IssueCommentsServer(scenario: "stalled-list", preexisting: 3, pageSize: 2)
        let description = try Self.postOutOfTime(server)
        #expect(description.contains("timed out"), "\(description)")
    }

    @Test func createdOnceThenUpdatedNeverDuplicated() throws {
        // 25 comments by people, one quoting the marker, on pages of 10: the search must page.
        let server = try IssueCommentsServer(preexisting: 25, quotedMarker: true, pageSize: 10)
        let commenter = try Self.commenter(server)

        let first = try commenter.post("## ScanGate: ❌ FAIL\n\nfirst run")
        #expect(first.action == .created)
        #expect(try Self.marked(server) == [Self.marker + "\n## ScanGate: ❌ FAIL\n\nfirst run"])

        let second = try commenter.post(Self.marker + "\n## ScanGate: ✅ PASS\n\nsecond run")
        #expect(second.action == .updated)
        #expect(second.id == first.id)
        #expect(try Self.marked(server) == [Self.marker + "\n## ScanGate: ✅ PASS\n\nsecond run"])

        let third = try commenter.post(Self.marker + "\n## ScanGate: ✅ PASS\n\nsecond run")
        #expect(third.action == .unchanged)

        let requests = try server.requests()
        #expect(requests.flatMap(\.problems).isEmpty, "\(requests.flatMap(\.problems))")
        #expect(requests.count { $0.method == "POST" } == 1)
        #expect(requests.count { $0.method == "PATCH" } == 1)
        // Every run read all three pages (27 comments, 10 a page).
        #expect(requests.count { $0.method == "GET" } == 9)
        #expect(try server.bodies().count == 27)
    }

    /// A comment deleted between the listing and its update is written anew, not reported as a
    /// missing pull request (found by a review).
    @Test func aCommentDeletedBeforeItsUpdateIsWrittenAnew() throws {
        let server = try IssueCommentsServer(scenario: "deleted-before-update", preexisting: 2)
        let commenter = try Self.commenter(server)
        let created = try commenter.post("first run")
        #expect(created.action == .created)
        let again = try commenter.post("second run")
        #expect(again.action == .created && again.id != created.id)
        #expect(try Self.marked(server) == [Self.marker + "\nsecond run"])
    }

    /// RFC 8288 lets `rel=next` come unquoted, and the next page in its own `Link` field: either
    /// way the listing goes on to ScanGate's comment on page 3 instead of creating a second one.
    @Test(arguments: ["unquoted", "split"])
    func everyFormOfANextLinkIsFollowed(_ linkStyle: String) throws {
        let server = try IssueCommentsServer(preexisting: 25, pageSize: 10, linkStyle: linkStyle)
        let commenter = try Self.commenter(server)
        let first = try commenter.post("## ScanGate: ❌ FAIL\n\nfirst run")
        #expect(first.action == .created)
        let second = try commenter.post("## ScanGate: ✅ PASS\n\nsecond run")
        #expect(second.action == .updated && second.id == first.id)
        #expect(try server.requests().count { $0.method == "POST" } == 1)
    }

    /// Anyone can post a comment that starts with the marker; ScanGate's comment is one written
    /// by a bot or by someone with write access: an outsider's is left alone, never updated.
    @Test func aMarkedCommentByAnOutsiderIsNotTakenForScanGates() throws {
        let server = try IssueCommentsServer(preexisting: 2, forgedMarker: true)
        let commenter = try Self.commenter(server)
        let first = try commenter.post("## ScanGate: ❌ FAIL")
        #expect(first.action == .created)
        let second = try commenter.post("## ScanGate: ✅ PASS")
        #expect(second.action == .updated && second.id == first.id)
        let requests = try server.requests()
        #expect(requests.count { $0.method == "PATCH" } == 1)
        #expect(try Self.marked(server) == [Self.marker + "\nPASS (forged)", Self.marker + "\n## ScanGate: ✅ PASS"])
    }

    /// A person with write access may write a comment that starts with the marker; while the
    /// workflow's own (a bot's) exists, that one is updated and the person's words are kept.
    @Test func theBotsCommentIsUpdatedBeforeAnOlderPersonsMarkedOne() throws {
        let server = try IssueCommentsServer(collaboratorMarker: true)
        let result = try Self.commenter(server).post("new report")
        #expect(result.action == .updated)
        #expect(result.otherMarkedComments == 1)
        #expect(
            try Self.marked(server) == [
                Self.marker + "\nalice's notes on the report", Self.marker + "\nnew report",
            ])
        #expect(try server.requests().flatMap(\.problems).isEmpty)
    }

    @Test func aCreateWhoseAnswerIsLostIsNotRepeated() throws {
        let server = try IssueCommentsServer(scenario: "create-502-created", preexisting: 3)
        // The lost create made the comment: found on the second look, it already says this.
        let result = try Self.commenter(server).post("report")
        #expect(result.action == .unchanged)
        #expect(try Self.marked(server) == [Self.marker + "\nreport"])
        // The next run updates that one comment.
        let next = try Self.commenter(server).post("report, again")
        #expect(next.action == .updated && next.id == result.id)
        #expect(try Self.marked(server) == [Self.marker + "\nreport, again"])
        let requests = try server.requests()
        #expect(requests.map(\.method) == ["GET", "POST", "GET", "GET", "PATCH"])
        #expect(requests.flatMap(\.problems).isEmpty)
    }

    @Test func aHostileCommentURLIsShownAsOneLineWithoutTheToken() throws {
        let server = try IssueCommentsServer(scenario: "hostile-url")
        let result = try Self.commenter(server).post("report")
        #expect(result.action == .created)
        let url = try #require(result.url)
        #expect(!url.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }))
        #expect(url.contains("<redacted>"))
        #expect(!url.contains(IssueCommentsServer.token))
    }

    @Test func listingIsRetried() throws {
        let server = try IssueCommentsServer(scenario: "list-503-once")
        let result = try Self.commenter(server).post("report")
        #expect(result.action == .created)
        #expect(try server.requests().map(\.status) == [503, 200, 201])
    }

    @Test func refusedLocally() throws {
        let server = try IssueCommentsServer()
        let commenter = try Self.commenter(server)
        #expect(throws: PullRequestCommentError.self) {
            try commenter.post(String(repeating: "x", count: 70_000))
        }
        let repository = try #require(GitHubRepository(IssueCommentsServer.repository))
        let token = try #require(GitHubToken(IssueCommentsServer.token))
        // Names that only start like a loopback address resolve wherever their owner wants.
        for url in ["http://github.example.com", "http://127.attacker.example", "http://127.0.0.1.nip.io:8080"] {
            let remote = PullRequestCommenter(
                repository: repository, pullRequest: 42, token: token,
                configuration: PullRequestCommentConfiguration(apiURL: url, userAgent: "scangate/0.1.0"))
            do {
                _ = try remote.post("report")
                Issue.record("a plain-http remote API URL was accepted: \(url)")
            } catch {
                #expect(error.isLocal)
                #expect(error.description.contains("plain http"), "\(error)")
                #expect(!error.description.contains(IssueCommentsServer.token))
            }
        }
        #expect(try server.requests().isEmpty)
    }

    @Test func errorsNameTheProblemNotTheToken() throws {
        let server = try IssueCommentsServer()
        let repository = try #require(GitHubRepository("octo-org/other-repo"))
        let token = try #require(GitHubToken(IssueCommentsServer.token))
        let commenter = PullRequestCommenter(
            repository: repository, pullRequest: 42, token: token,
            configuration: PullRequestCommentConfiguration(apiURL: server.apiURL, userAgent: "scangate/0.1.0"),
            client: HTTPClient(transport: CurlTransport(connectTimeout: 2)))
        do {
            _ = try commenter.post("report")
            Issue.record("a missing repository was not reported")
        } catch {
            #expect(!error.isLocal)
            #expect(error.description.contains("404"))
            #expect(!error.description.contains(IssueCommentsServer.token))
        }
    }
}
