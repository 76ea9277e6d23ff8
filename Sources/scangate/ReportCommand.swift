import Adapters
import ArgumentParser
import Findings
import Foundation
import Policy
import Reports

/// Output formats of `scangate report`.
enum ReportOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case html, markdown, junit, json
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report of these findings: HTML for review, Markdown for a PR, JUnit XML for CI, JSON.",
        discussion: """
            With --baseline the report shows what is new and what was fixed since that run; with \
            --policy it shows the gate's decision (waivers, VEX and --env as for scangate gate). \
            The report reports, it does not gate: exit codes are 0 written, 2 a usage error or an \
            invalid policy, waivers, VEX or baseline file, 3 a report could not be read.
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(help: "Output format: html (self-contained page), markdown (PR comment, job summary), junit, json.")
    var format: ReportOutputFormat = .html

    @Option(name: [.short, .customLong("output")], help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: "A previous `scangate ingest --format json` (or `report --format json`) output to compare with.")
    var baseline: String?

    @Option(help: "A policy file (YAML, scangate-policy: 1): the report shows the gate's decision.")
    var policy: String?

    @Option(help: "A waivers file (YAML, scangate-waivers: 1); may be repeated; needs --policy.")
    var waivers: [String] = []

    @Option(help: "An OpenVEX document; may be repeated; needs --policy.")
    var vex: [String] = []

    @Option(help: "The environment (overrides the policy's environment and its file name).")
    var env: String?

    @Option(help: GateOptionChecks.repositoryHelp)
    var repository: String?

    @Option(help: "The report's date and the day waivers are judged on (YYYY-MM-DD); default: none shown, today.")
    var now: String?

    @Option(help: "Where the full report is (URL or file), named when Markdown leaves findings out.")
    var fullReport: String?

    func validate() throws {
        try GateOptionChecks.validate(now: now, env: env)
        try GateOptionChecks.validate(repository: repository)
        if policy == nil, !waivers.isEmpty || !vex.isEmpty || env != nil {
            throw ValidationError("--waivers, --vex and --env need --policy: they are part of the gate's decision")
        }
    }

    func run() throws {
        let content = try ReportBuilder(
            input: input, baseline: baseline, policy: policy, waivers: waivers, vex: vex, env: env, now: now,
            fullReport: fullReport, repository: GateOptionChecks.gatedRepository(repository)
        ).build(command: "report")
        let bytes: [UInt8]
        switch format {
        case .html: bytes = Array(HTMLReport.render(content).utf8)
        case .markdown: bytes = Array(MarkdownReport.render(content).utf8)
        case .junit: bytes = Array(JUnitReport.render(content).utf8)
        case .json: bytes = ReportJSON.encode(content)
        }
        // The files the policy extends are inputs too (`-o policies/default.yaml` would break every gate).
        let inputs =
            content.reports.map(\.file) + [baseline, policy].compactMap { $0 } + (content.gate?.policyFiles ?? [])
            + waivers + vex
        try OutputFile.write(bytes, to: output, sparing: inputs, reports: input.reports, isJSON: format == .json)
        ScanGate.exitAfterOutput(keeping: content, bytes)
    }
}

/// Reads the reports, the baseline and the policy files, and evaluates the gate, exactly as
/// `scangate gate` does; shared by `report` and `comment`.
struct ReportBuilder {
    var input: ReportInputOptions
    var baseline: String?
    var policy: String?
    var waivers: [String] = []
    var vex: [String] = []
    var env: String?
    var now: String?
    var fullReport: String?
    /// The repository being gated (``GateOptionChecks/gatedRepository(_:environment:)``).
    var repository: SourceRepository?

    func build(command: String) throws -> ReportContent {
        let today = now.flatMap(Day.init(parsing:)) ?? Day.today()
        var loadedPolicy: Policy?
        var waiverFiles: [WaiverFile] = []
        var vexDocuments: [VEXDocument] = []
        var previous: FindingsSnapshot?
        do {
            if let policy {
                let loaded = try PolicyLoader().load(path: policy)
                waiverFiles = try waivers.map { path throws(ConfigurationError) in try WaiverFile.load(path: path) }
                for file in waiverFiles { try file.validate(against: loaded) }
                vexDocuments = try vex.map { path throws(ConfigurationError) in try VEXDocument.load(path: path) }
                loadedPolicy = loaded
            }
            previous = try baseline.map { path throws(ConfigurationError) in try FindingsSnapshot.load(path: path) }
        } catch {
            Terminal.error("error: \(error)".printableLine)
            Terminal.error("scangate \(command): \(error.fileSummary); nothing was written")
            throw ExitCode(ExitStatus.usage)
        }
        let loaded = try input.load()
        let readerWarnings = loaded.flatMap(\.warningsNamingTheReport)
        Terminal.warnings(readerWarnings)
        let findings = FindingSet(merging: loaded.flatMap(\.findings))
        var gate: ReportGate?
        var decision: Decision?
        if let loadedPolicy {
            let gated = Gate.evaluate(
                GateInput(
                    findings: findings, policy: loadedPolicy, waivers: waiverFiles, vex: vexDocuments,
                    baseline: previous.map(\.baseline),
                    environment: env, today: today, reportWarnings: readerWarnings, repository: repository,
                    emptyScans: loaded.flatMap(\.emptyScans), calendarDay: GateOptionChecks.calendarDay(now: now)))
            gate = ReportGate(gated, policy: loadedPolicy)
            decision = gated
        }
        return ReportContent(
            findings: findings, reports: loaded.map(ReportSummary.init),
            diff: previous.map {
                BaselineDiff(
                    previous: $0, current: findings, judgedBy: loadedPolicy,
                    coverage: .union(loaded.map(\.coverage)), decision: decision)
            }, gate: gate, date: now,
            fullReportLocation: fullReport ?? Self.actionsRunURL())
    }

    /// The GitHub Actions run this runs in (its page lists the run's artifacts), or nil.
    static func actionsRunURL() -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard let server = environment["GITHUB_SERVER_URL"], let repository = environment["GITHUB_REPOSITORY"],
            let run = environment["GITHUB_RUN_ID"], !server.isEmpty, !repository.isEmpty, !run.isEmpty
        else { return nil }
        return "\(server)/\(repository)/actions/runs/\(run)"
    }
}
