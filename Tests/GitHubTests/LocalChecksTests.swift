import Foundation
import GitHub
import TestSupport
import Testing

@Suite("Local checks before an upload")
struct LocalChecksTests {
    func prepare(_ text: String) throws(SARIFPreflightError) -> PreparedSARIF {
        try SARIFPreflight.prepare(Array(text.utf8))
    }

    static let run = #"{"tool":{"driver":{"name":"Trivy"}},"results":[]}"#

    @Test func aMinimalLogPasses() throws {
        let prepared = try SARIFPreflight.prepare(Array(try Data(contentsOf: TestEnvironment.fixture("minimal.sarif"))))
        #expect(prepared.runCount == 1)
        #expect(prepared.resultCount == 1)
        #expect(prepared.gzipped.count < prepared.bytes.count)
    }

    @Test(arguments: [
        ("", "not valid JSON"),
        ("[]", "not a SARIF log object"),
        (#"{"runs":[]}"#, "version is missing"),
        (#"{"version":"2.0.0","runs":[]}"#, "\"2.0.0\""),
        (#"{"version":"2.1.0"}"#, "no \"runs\" array"),
        (#"{"version":"2.1.0","runs":[]}"#, "no runs"),
        (#"{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[]}]}"#, "tool.driver.name"),
        (#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}}}]}"#, "no \"results\" array"),
        (#"{"version":"2.1.0","runs":[\#(run),\#(run)]}"#, "same tool"),
    ])
    func whatGitHubWouldRejectIsRefused(text: String, reason: String) {
        #expect {
            try prepare(text)
        } throws: { error in
            (error as? SARIFPreflightError)?.reason.contains(reason) == true
        }
    }

    @Test func runsWithDistinctCategoriesPass() throws {
        let first = #"{"tool":{"driver":{"name":"Trivy"}},"automationDetails":{"id":"trivy-fs/"},"results":[]}"#
        let second = #"{"tool":{"driver":{"name":"Trivy"}},"automationDetails":{"id":"trivy-image/app/"},"results":[]}"#
        #expect(try prepare(#"{"version":"2.1.0","runs":[\#(first),\#(second)]}"#).runCount == 2)
    }

    @Test func moreThanTwentyRunsAreRefused() {
        let runs = (0..<21).map { #"{"tool":{"driver":{"name":"t\#($0)"}},"results":[]}"# }.joined(separator: ",")
        #expect(throws: SARIFPreflightError.self) { try prepare(#"{"version":"2.1.0","runs":[\#(runs)]}"#) }
    }

    @Test func aFileOverTenMegabytesGzippedIsRefused() throws {
        // Random-looking text barely compresses: ~14 MB of it stays over the limit once gzipped.
        var generator = SplitMix(seed: 42)
        var noise = [UInt8]()
        noise.reserveCapacity(14_000_000)
        for _ in 0..<14_000_000 { noise.append(UInt8(0x21 + generator.next() % 90)) }
        var text = Array(#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[],"x":""#.utf8)
        text += noise.map { $0 == 0x22 || $0 == 0x5C ? 0x41 : $0 }
        text += Array(#""}]}"#.utf8)
        #expect {
            try SARIFPreflight.prepare(text)
        } throws: { error in
            (error as? SARIFPreflightError)?.reason.contains("gzip") == true
        }
    }

    /// The local checks of `commit_sha` and `ref` agree with the patterns in the OpenAPI description.
    @Test(.enabled(if: TestEnvironment.hasOpenAPI))
    func commitAndRefChecksMatchTheOpenAPIPatterns() throws {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: TestEnvironment.openAPI))
        let schemas = try #require(
            ((document as? [String: Any])?["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let shaPattern = try #require(
            (schemas["code-scanning-analysis-commit-sha"] as? [String: Any])?["pattern"] as? String)
        let refPattern = try #require((schemas["code-scanning-ref-full"] as? [String: Any])?["pattern"] as? String)
        let sha = try NSRegularExpression(pattern: shaPattern)
        let ref = try NSRegularExpression(pattern: refPattern)
        func matches(_ expression: NSRegularExpression, _ text: String) -> Bool {
            expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        let shas = [
            String(repeating: "a", count: 40), String(repeating: "F", count: 64), String(repeating: "0", count: 39),
            String(repeating: "0", count: 41), String(repeating: "0", count: 63), String(repeating: "g", count: 40),
            "", "4b6472266afd7b471e86085a6659e8c7f2b119da",
        ]
        for candidate in shas {
            let parameters = SARIFUploadParameters(commitSHA: candidate, ref: "refs/heads/main")
            #expect(parameters.problems().isEmpty == matches(sha, candidate), "\(candidate)")
        }
        let refs = [
            "refs/heads/main", "refs/tags/v1.0", "refs/pull/42/merge", "refs/pull/42/head", "refs/heads/",
            "refs/remotes/origin/main", "heads/main", "main", "refs/heads/feature/x", " refs/heads/main",
        ]
        for candidate in refs {
            let parameters = SARIFUploadParameters(commitSHA: String(repeating: "a", count: 40), ref: candidate)
            #expect(parameters.problems().isEmpty == matches(ref, candidate), "\(candidate)")
        }
    }

    @Test func tokensAreNeverPrinted() throws {
        let token = try #require(GitHubToken("  ghp_abc123\n"))
        #expect("\(token)" == "<redacted>")
        #expect(String(reflecting: token).contains("abc123") == false)
        #expect(token.scrub("Bearer ghp_abc123 and ghp_abc123") == "Bearer <redacted> and <redacted>")
        // Invisible characters around or inside the token do not hide it (a combining accent on
        // its last letter once made it one Character and slipped past).
        #expect(token.scrub("token ghp_abc123\u{0301} rejected") == "token <redacted> rejected")
        #expect(token.scrub("\u{200D}ghp_abc123\u{200D}") == "\u{200D}<redacted>")
        #expect(token.scrub("ghp_a\u{200B}bc\u{FEFF}123!") == "<redacted>!")
        #expect(token.scrub("ghp_abc12 and café") == "ghp_abc12 and café")
        #expect(token.scrub("ghp_\nabc123") == "<redacted>")
        // Echoed in another case, or any text shaped like a GitHub token.
        #expect(token.scrub("TOKEN GHP_ABC123 REJECTED") == "TOKEN <redacted> REJECTED")
        #expect(
            token.scrub("saw ghp_0123456789abcdefghijABCDEFGHIJ0123 and github_pat_11ABCDEFG0123456789_abcdefghij")
                == "saw <redacted> and <redacted>")
        #expect(
            token.scrub("a ghp_ prefix, ghs_short and sha256_0123456789abcdefghij0123")
                == "a ghp_ prefix, ghs_short and sha256_0123456789abcdefghij0123")
        // Escaped as JSON (`\u0067`) or as a URL (`%67`) by a server that
        // echoes it: decoded first, then redacted (a reader of the log decodes it as easily).
        #expect(token.scrub(#"{"error":"you sent \u0067hp_abc123"}"#) == #"{"error":"you sent <redacted>"}"#)
        #expect(token.scrub(#"\u0067\u0068\u0070\u005F\u0061bc123"#) == "<redacted>")
        #expect(token.scrub("q=%67hp_abc%31%323") == "q=<redacted>")
        // Escapes of other characters stay as written: `%2F` is not a slash, `\u001b` no escape.
        #expect(
            token.scrub(#"acme%2Fapp, \u001b[31m, \uD83D\uDE00, bad \uZZZZ, 100%"#)
                == #"acme%2Fapp, \u001b[31m, \uD83D\uDE00, bad \uZZZZ, 100%"#)
        let custom = try #require(GitHubToken("s3cr3t-value"))
        #expect(custom.scrub(#"{"error":"\u0073\u0033cr3t-value"}"#) == #"{"error":"<redacted>"}"#)
    }

    /// Server text is cut to one line of 300 characters: the token is redacted before the cut,
    /// so a token that straddles it cannot show most of itself.
    @Test func aTokenAtTheCutIsRedactedNotHalved() throws {
        let token = try #require(GitHubToken("ghp_R8x2Kq9ZLm4Tb7Vw1Yc6Nd3Pf5Hs0Ju2EaQx"))
        for padding in 255...300 {
            let shown = token.oneLine(
                String(repeating: "x", count: padding) + "ghp_R8x2Kq9ZLm4Tb7Vw1Yc6Nd3Pf5Hs0Ju2EaQx")
            #expect(!shown.contains("ghp_R8x2"), "\(padding)")
        }
        // Bidi overrides and zero-width characters from a server do not reach the terminal.
        #expect(token.oneLine("a\u{202E}b\u{200D}c") == "a b c")
        #expect(GitHubToken("") == nil)
        #expect(GitHubToken("two words") == nil)
    }

    /// A renderer cuts scanner text before the output is redacted: a piece of the token's
    /// beginning (its kind and at least four characters of its secret) is redacted too, as
    /// written or as Markdown escapes it; shorter pieces and ordinary text are left alone.
    @Test func aTokenCutShortByARendererIsRedacted() throws {
        let token = try #require(GitHubToken("ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2"))
        #expect(token.redacting(in: "| ghp\\_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0… |") == "| [redacted]… |")
        #expect(token.redacting(in: "see ghp_Ab1Cd2E…") == "see [redacted]…")
        #expect(token.redacting(in: "ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Z") == "[redacted]Z")
        #expect(token.redacting(in: "ghp_Ab1 and ghp\\_Ab1…") == "ghp_Ab1 and ghp\\_Ab1…")
        let pat = try #require(GitHubToken("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"))
        #expect(pat.redacting(in: "rule github_pat_detected") == "rule github_pat_detected")
        #expect(pat.redacting(in: "github\\_pat\\_11AB…") == "[redacted]…")
        // A piece that ends where the token has an escaped `_` and the text another escape: the
        // escape stays whole (found by the diff review: SARIF JSON and a Markdown table broke).
        let piece = "github_pat_11ABCDEFG0123456789"
        let inJSON = piece.replacingOccurrences(of: "_", with: "\\\\_")
        #expect(pat.redacting(in: "quote \(inJSON)\\\" end") == "quote [redacted]\\\" end")
        let inMarkdown = piece.replacingOccurrences(of: "_", with: "\\_")
        #expect(pat.redacting(in: "leak \(inMarkdown)\\|col") == "leak [redacted]\\|col")
    }

    @Test func repositoriesAreOwnerSlashName() {
        #expect(GitHubRepository("octo-org/hello.world")?.description == "octo-org/hello.world")
        for bad in ["octo", "/x", "x/", "a/b/c", "a/..", "../user", "./r", "a b/c", "a/c?d"] {
            #expect(GitHubRepository(bad) == nil, "\(bad)")
        }
    }
}
