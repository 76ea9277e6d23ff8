import Findings
import Foundation
import SARIF
import Testing

@Suite struct LineHashTests {
    /// Two of codeql-action's vectors, so the port is checked even without `../shared`.
    @Test func builtInVectors() {
        #expect(LineHash.hashes(of: "") == ["c129715d7a2bc9a3:1"])
        #expect(
            LineHash.hashes(of: " a\nb\n  \t\tc\n d")
                == ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"])
    }

    @Test(.enabled(if: Support.isSharedAvailable))
    func everyVectorOfFingerprintPy() throws {
        let url = Support.shared.appendingPathComponent("sarif/fingerprint-vectors.json")
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any]
        let vectors = try #require(object?["vectors"] as? [[String: Any]])
        #expect(vectors.count >= 9)
        for vector in vectors {
            let input = try #require(vector["input"] as? String)
            let expected = try #require(vector["expected"] as? [String])
            #expect(LineHash.hashes(of: input) == expected, "input \(input.debugDescription)")
        }
    }

    @Test func hashOfOneLine() {
        #expect(LineHash.hash(of: " a\nb\n  \t\tc\n d", line: 2) == "54703d4cd895b18:1")
        #expect(LineHash.hash(of: "a", line: 3) == nil)
    }
}

@Suite struct GzipTests {
    @Test func roundTripsThroughGunzip() throws {
        let text = Array(String(repeating: "{\"results\": []}\n", count: 1000).utf8)
        let compressed = try gzip(text)
        #expect(compressed.prefix(2) == [0x1F, 0x8B])
        #expect(compressed.count < text.count / 10)
        #expect(try gzip(text) == compressed)
        let directory = try Support.temporaryDirectory("gzip")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.gz")
        try Data(compressed).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(Array(data) == text)
    }

    @Test func emptyInput() throws {
        #expect(try gzip([]).count > 10)
        #expect(try gzipCompressedSize([]) == gzip([]).count)
    }

    @Test(arguments: [1, 6, 9] as [Int32])
    func theMeasuredSizeIsTheSizeOfTheGzipFile(level: Int32) throws {
        // Text that compresses well, digests that do not, and more than the 1 MiB output buffer.
        var text = Array(String(repeating: "{\"results\": [], \"text\": \"é\"}\n", count: 5_000).utf8)
        for index in 0..<40_000 { text += Fingerprint.sha256Hex(Array("\(index)".utf8)).utf8 }
        for length in [1, 100, 70_000, text.count] {
            let part = Array(text.prefix(length))
            #expect(try gzipCompressedSize(part, level: level) == gzip(part, level: level).count, "\(length) bytes")
        }
        #expect(
            try gzipCompressedSize(text[5..<9_000], level: level) == gzip(Array(text[5..<9_000]), level: level).count)
    }

    @Test(arguments: [1, 6, 9] as [Int32])
    func theMeterResumingFromAKeptStateGivesTheSizeOfTheWholeFile(level: Int32) throws {
        // Versions as the writer's cuts make them, and some it never does: each measured from the
        // state kept inside the prefix it shares with the one before must be the fresh size.
        var text: [UInt8] = []
        for index in 0..<6_000 {
            text += "{\"ruleId\":\"CVE-\(index % 700)\",\"fingerprint\":\"".utf8
            text += Fingerprint.sha256Hex(Array("\(index)".utf8)).utf8
            text += "\"},\n".utf8
        }
        var changedFirstByte = text
        changedFirstByte[0] = UInt8(ascii: "[")
        var changedBeforeAState = text
        changedBeforeAState[274_999] = UInt8(ascii: "!")  // the state kept at 275,000 is stale
        let versions: [[UInt8]] = [
            text,
            changedBeforeAState,
            Array(text.prefix(301_234)) + Array("]}\n".utf8),  // cut inside, new tail
            Array(text.prefix(301_234)) + Array("]}\n".utf8),  // the same again
            Array(text.prefix(250_000)),  // a prefix ending exactly at a kept state
            Array(text.prefix(250_000)) + Array(text.suffix(100_000)),  // longer again
            changedFirstByte,  // nothing shared
            Array(text.prefix(77)),  // before the first kept state
            [],
            text,
        ]
        var meter = GzipSizeMeter(level: level, interval: 25_000)
        for (number, version) in versions.enumerated() {
            #expect(try meter.size(of: version) == gzip(version, level: level).count, "version \(number)")
        }
    }
}

@Suite struct SARIFValidatorTests {
    static func log(runs: [String]) -> [UInt8] {
        Array(("{\"version\": \"2.1.0\", \"runs\": [" + runs.joined(separator: ",") + "]}").utf8)
    }

    static func run(tool: String = "t", id: String = "ci/t/", uri: String = "src/a.js", results: Int = 1) -> String {
        let result =
            "{\"ruleId\": \"R\", \"message\": {\"text\": \"m\"}, \"locations\": [{\"physicalLocation\": "
            + "{\"artifactLocation\": {\"uri\": \"\(uri)\"}, \"region\": {\"startLine\": 1}}}]}"
        return
            "{\"tool\": {\"driver\": {\"name\": \"\(tool)\", \"rules\": []}}, \"automationDetails\": {\"id\": \"\(id)\"}, "
            + "\"results\": [" + Array(repeating: result, count: results).joined(separator: ",") + "]}"
    }

    static func codes(_ bytes: [UInt8], limits: SARIFLimits = .github) -> [String] {
        SARIFValidator.validate(bytes, limits: limits).errors.map(\.code)
    }

    @Test func acceptsAMinimalFile() {
        #expect(SARIFValidator.validate(Self.log(runs: [Self.run()])).isAcceptable)
    }

    @Test func rejectsTwoRunsWithTheSameToolAndCategory() {
        #expect(Self.codes(Self.log(runs: [Self.run(id: "ci/x/a"), Self.run(id: "ci/x/b")])) == ["GH013"])
        #expect(Self.codes(Self.log(runs: [Self.run(id: "ci/x/"), Self.run(tool: "u", id: "ci/x/")])) == [])
    }

    @Test func rejectsURLsAndImageReferencesAsArtifactURIs() {
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "https://example.test/login")])) == ["GH022"])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "alpine:3.10")])) == ["GH022"])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "")])) == ["GH020"])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "a%zz")])) == ["GH021"])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "file:///src/a.js")])) == [])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: ".scangate/web/host_8080/a%20b")])) == [])
    }

    /// `scangate upload` sent files with these, which GitHub refuses (found by a review of the
    /// upload's preflight, which is this validator).
    @Test func rejectsAnInvalidHostAndALineOrColumnBelowOne() {
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "file://Package Descriptor/a.js")])) == ["GH021"])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "file://host/a.js")])) == [])
        #expect(Self.codes(Self.log(runs: [Self.run(uri: "file://[::1]:8/a.js")])) == [])
        let zeroLine = String(decoding: Self.log(runs: [Self.run()]), as: UTF8.self)
            .replacingOccurrences(of: "\"startLine\": 1", with: "\"startLine\": 0, \"endColumn\": 0")
        #expect(Self.codes(Array(zeroLine.utf8)) == ["SCHEMA", "SCHEMA"])
    }

    /// What `shared/sarif/validate.py` refuses among its own synthetic files, this validator (the
    /// upload's preflight) refuses too.
    @Test(
        .enabled(if: Support.isSharedAvailable),
        arguments: ["SCHEMA-startline-zero.sarif", "GH021-invalid-host.sarif", "GH022-http-uri.sarif"])
    func rejectsTheReferenceValidatorsSyntheticFailures(_ name: String) throws {
        let url = Support.shared.appendingPathComponent("sarif/testdata/synthetic").appendingPathComponent(name)
        let codes = Self.codes(Array(try Data(contentsOf: url)))
        #expect(codes.contains(String(name.prefix { $0 != "-" })), "\(codes)")
    }

    @Test func enforcesCountLimits() {
        var limits = SARIFLimits.github
        limits.maximumRuns = 2
        limits.maximumResultsPerRun = 3
        let runs = (0..<3).map { Self.run(tool: "t\($0)", results: $0 + 2) }
        #expect(Self.codes(Self.log(runs: runs), limits: limits) == ["GH004", "GH018"])
    }

    @Test func rejectsWhatIsNotSARIF() {
        #expect(Self.codes(Array("{".utf8)) == ["JSON"])
        #expect(Self.codes(Array("{\"version\": \"2.0.0\", \"runs\": []}".utf8)) == ["GH001"])
    }

    @Test func categoryIsTheTextBeforeTheLastSlash() {
        #expect(SARIFValidator.category(ofAutomationID: "ci/main/trivy/") == "ci/main/trivy")
        #expect(SARIFValidator.category(ofAutomationID: "run-1") == "")
    }
}
