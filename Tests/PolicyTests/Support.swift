import Adapters
import Findings
import Foundation
import Policy

/// Shared helpers: findings built in code, policies from text, the corpus and fixtures.
enum Support {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let corpus: URL = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static var corpusIsAvailable: Bool { FileManager.default.fileExists(atPath: corpus.path) }

    static func path(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    static let today = Day(year: 2026, month: 11, day: 25) ?? Day(ordinal: 0)

    static func day(_ text: String) -> Day { Day(parsing: text) ?? Day(ordinal: 0) }

    /// One finalized finding.
    static func finding(
        _ id: String, kind: FindingKind = .vulnerability, severity: Severity = .high, aliases: [String] = [],
        tool: String = "trivy", package: Package? = nil, path: String? = nil, url: String? = nil,
        image: String? = nil, cwes: [String] = [], authorities: [SeverityRating] = [], suppressed: Bool = false,
        report: String = "report.json"
    ) -> Finding {
        var locations: [Location] = []
        if path != nil || url != nil || image != nil {
            locations.append(Location(image: image.map { ImageReference(parsing: $0) }, path: path, url: url))
        }
        let subject =
            package.map { [$0.ecosystem, $0.name, $0.installedVersion ?? ""] } ?? [path ?? url ?? image ?? id]
        let verdict = SeverityRating(
            source: tool, severity: severity == .unknown ? nil : severity, isToolVerdict: true)
        return Finding(
            kind: kind, ruleID: id, aliases: aliases, title: "title of \(id)", ratings: [verdict] + authorities,
            package: package, locations: locations, cwes: cwes,
            provenance: [Provenance(tool: tool, reportFile: report, rawID: id)],
            suppression: suppressed ? Suppression(source: ".trivyignore", status: "ignored") : nil,
            identity: FindingIdentity(kind: kind, scope: "source", subject: subject)
        ).finalized()
    }

    static func npm(_ name: String, _ version: String, fix: Bool? = true) -> Package {
        Package(
            ecosystem: "npm", name: name, installedVersion: version, purl: "pkg:npm/\(name)@\(version)",
            fixAvailable: fix, paths: ["package-lock.json"])
    }

    /// Loads a policy from files held in memory (`extends` resolves among them).
    static func policy(_ files: [String: String], main: String = "policy.yaml") throws -> Policy {
        try PolicyLoader(readFile: { path throws(ConfigurationError) in
            guard let text = files[path] else {
                throw ConfigurationError(
                    document: .policy, file: path, line: 0, message: "cannot read the file: no such file")
            }
            return text
        }).load(path: main)
    }

    static func policy(_ text: String) throws -> Policy { try policy(["policy.yaml": text]) }

    /// The configuration error a policy text gives, or nil.
    static func policyError(_ files: [String: String], main: String = "policy.yaml") -> ConfigurationError? {
        do {
            _ = try policy(files, main: main)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            return nil
        }
    }

    static func evaluate(
        _ findings: [Finding], policy: Policy, waivers: [WaiverFile] = [], vex: [VEXDocument] = [],
        baseline: Baseline? = nil, environment: String? = nil, today: Day = Support.today
    ) -> Decision {
        Gate.evaluate(
            GateInput(
                findings: FindingSet(merging: findings), policy: policy, waivers: waivers, vex: vex,
                baseline: baseline, environment: environment, today: today))
    }

    /// The verdict of the finding with this id (the first, in decision order).
    static func verdict(_ decision: Decision, _ id: String) -> FindingVerdict? {
        decision.verdicts.first { $0.finding.ruleID == id }
    }

    /// Every finding of the example reports in `fixtures/examples/`.
    static func exampleFindings() throws -> [Finding] {
        let directory = repositoryRoot.appendingPathComponent("fixtures/examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.flatMap { name in
            try ReportReader().read(path: directory.appendingPathComponent(name).path).findings
        }
    }
}
