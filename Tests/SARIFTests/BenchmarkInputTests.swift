import Adapters
import Findings
import Foundation
import SARIF
import TestSupport
import Testing

/// The benchmark's generated reports (`benchmarks/generate.py`, at a small scale) stay what the
/// benchmark needs: the same bytes from the same seed, read by ScanGate's strict adapters with
/// every vulnerability kept, and SARIF from them that GitHub's rules accept. Without this, an
/// adapter that grows stricter would break the benchmark unnoticed until its next run.
@Suite struct BenchmarkInputTests {
    /// Writes the three reports at `scale` with `seed` into a fresh directory.
    private func generate(_ name: String, seed: Int, scale: Double = 0.01) throws -> URL {
        let directory = try Support.temporaryDirectory("bench-\(name)")
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", Support.repositoryRoot.appendingPathComponent("benchmarks/generate.py").path,
                directory.path, "--scale", String(scale), "--seed", String(seed),
            ])
        #expect(result.status == 0, "\(result.standardError)")
        return directory
    }

    private static let reports = ["trivy.json", "zap.xml", "npm.json"]

    @Test func theGeneratorIsDeterministicFromItsSeed() throws {
        let first = try generate("a", seed: 42)
        let second = try generate("b", seed: 42)
        let other = try generate("c", seed: 43)
        defer { for directory in [first, second, other] { try? FileManager.default.removeItem(at: directory) } }
        for name in Self.reports {
            let bytes = try Data(contentsOf: first.appendingPathComponent(name))
            #expect(!bytes.isEmpty, "\(name)")
            #expect(bytes == (try Data(contentsOf: second.appendingPathComponent(name))), "\(name)")
            #expect(bytes != (try Data(contentsOf: other.appendingPathComponent(name))), "\(name)")
        }
    }

    @Test func scanGateReadsEveryGeneratedReportAndTheSARIFIsValid() throws {
        let directory = try generate("read", seed: 42)
        defer { try? FileManager.default.removeItem(at: directory) }
        var findings: [Finding] = []
        var tools: [SARIFTool] = []
        for name in Self.reports {
            let report = try ReportReader().read(path: directory.appendingPathComponent(name).path)
            #expect(!report.findings.isEmpty, "\(name)")
            findings += report.findings
            tools.append(SARIFTool(name: report.tool, version: report.toolVersion))
        }
        // Every generated Trivy vulnerability is one finding of the report (counted here with
        // Foundation's reader, independently of ScanGate's).
        let trivyURL = directory.appendingPathComponent("trivy.json")
        let trivy = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: trivyURL)) as? [String: Any])
        let results = try #require(trivy["Results"] as? [[String: Any]])
        let vulnerabilities = results.map { ($0["Vulnerabilities"] as? [Any])?.count ?? 0 }.reduce(0, +)
        #expect(vulnerabilities == 400)
        #expect(try ReportReader().read(path: trivyURL.path).findings.count == vulnerabilities)
        // Every ZAP instance is kept by some finding (none is an exact repeat in the generator).
        let zapText = try String(contentsOf: directory.appendingPathComponent("zap.xml"), encoding: .utf8)
        let instances = zapText.components(separatedBy: "<instance>").count - 1
        let zap = try ReportReader().read(path: directory.appendingPathComponent("zap.xml").path)
        #expect(instances > 0 && zap.findings.map(\.instances.count).reduce(0, +) == instances)

        guard Support.isSharedAvailable else { return }
        let output = SARIFWriter.write(
            FindingSet(merging: findings), options: SARIFOptions(category: "bench", tools: tools))
        let file = directory.appendingPathComponent("bench.sarif")
        try Data(output.bytes).write(to: file)
        let (status, text) = try Support.validate([file])
        #expect(status == 0, "\(text)")
    }
}
