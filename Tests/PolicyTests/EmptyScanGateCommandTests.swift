import Foundation
import TestSupport
import Testing

/// `scangate gate` on a Trivy image scan that checked nothing: production refuses it,
/// staging passes it with the warning, as before.
@Suite("Gate command: empty scans", .enabled(if: GateProcess.isAvailable))
struct EmptyScanGateCommandTests {
    static let emptyImage =
        #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image", "Metadata": {"OS": {"Family": "debian", "Name": "12.5"}}}"#

    /// The line of `empty-scans:` in the shipped production policy.
    static func productionLine() throws -> Int {
        let text = try String(contentsOfFile: Support.path("policies/production.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.hasPrefix("empty-scans: fail") }) + 1
    }

    @Test func productionFailsWithExitOneNamingTheReportAndThePolicyLine() throws {
        let report = try GateProcess.temporaryFile("trivy-image.json", Self.emptyImage)
        defer { try? FileManager.default.removeItem(at: report.deletingLastPathComponent()) }
        let result = try GateProcess.run(
            ["gate", report.path, "--policy", "policies/production.yaml", "--now", "2026-11-25"])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        let line = try Self.productionLine()
        #expect(
            result.standardOutput.contains(
                "FAIL    report \(report.path) checked nothing: Trivy detected debian 12.5 in app:1 but listed no "
                    + "result: its packages were not scanned for vulnerabilities; empty-scans: fail "
                    + "(policies/production.yaml:\(line))"), "\(result.standardOutput)")
        let last = result.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("FAIL: 0 failing, "), "\(last)")
        #expect(last.contains(", 0 passed, 1 report checked nothing (policy production.yaml"), "\(last)")

        let json = try GateProcess.run(
            ["gate", report.path, "--policy", "policies/production.yaml", "--now", "2026-11-25", "--format", "json"])
        #expect(json.status == 1)
        #expect(json.standardOutput.contains(#""emptyScans": ["#), "\(json.standardOutput)")
        #expect(json.standardOutput.contains(#""source": "policies/production.yaml:\#(line)""#))
    }

    @Test func stagingPassesWithTheWarning() throws {
        let report = try GateProcess.temporaryFile("trivy-image.json", Self.emptyImage)
        defer { try? FileManager.default.removeItem(at: report.deletingLastPathComponent()) }
        let result = try GateProcess.run(
            ["gate", report.path, "--policy", "policies/staging.yaml", "--now", "2026-11-25"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("No finding here means nothing was checked"))
        #expect(!result.standardOutput.contains("FAIL"), "\(result.standardOutput)")
        #expect(
            result.standardOutput.split(separator: "\n").last?.hasSuffix(
                "0 passed (policy staging.yaml, env staging)") == true, "\(result.standardOutput)")
    }

    /// The examples checked something: production judges them on their findings alone.
    @Test func theExamplesAreNoEmptyScans() throws {
        let result = try GateProcess.run(
            ["gate", "fixtures/examples", "--policy", "policies/production.yaml", "--now", "2026-11-25"])
        #expect(!result.standardOutput.contains("checked nothing"), "\(result.standardOutput)")
    }
}
