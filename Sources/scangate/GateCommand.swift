import Adapters
import ArgumentParser
import Findings
import Foundation
import Policy
import Reports

/// Output formats of `scangate gate`.
enum GateOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Decide with a policy whether the findings of these reports may pass.",
        discussion: """
            Every failing or warning finding is listed with the rule or threshold of the policy \
            that decided, every waived finding with its waiver and expiry; the last line is the \
            decision and the counts. Exit codes: 0 pass (warnings allowed), 1 the gate failed, \
            2 a policy, waivers, VEX or baseline file is invalid (or a usage error), 3 a report \
            could not be read.
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(help: "The policy file (YAML, scangate-policy: 1).")
    var policy: String

    @Option(help: "A waivers file (YAML, scangate-waivers: 1); may be repeated.")
    var waivers: [String] = []

    @Option(help: "An OpenVEX document whose not_affected and fixed statements suppress findings; may be repeated.")
    var vex: [String] = []

    @Option(help: GateOptionChecks.repositoryHelp)
    var repository: String?

    @Option(help: GateOptionChecks.baselineHelp)
    var baseline: String?

    @Option(help: "The environment (overrides the policy's environment and its file name).")
    var env: String?

    @Option(help: "Judge waivers as of this day (YYYY-MM-DD); default: today in UTC.")
    var now: String?

    @Option(help: "Output format: table (the verdicts a person reads) or json (the whole decision).")
    var format: GateOutputFormat = .table

    @Option(name: [.short, .customLong("output")], help: "Write the output to this file instead of standard output.")
    var output: String?

    func validate() throws {
        try GateOptionChecks.validate(now: now, env: env)
        try GateOptionChecks.validate(repository: repository)
    }

    func run() throws {
        let today = now.flatMap(Day.init(parsing:)) ?? Day.today()
        let loadedPolicy: Policy
        let waiverFiles: [WaiverFile]
        let vexDocuments: [VEXDocument]
        let previous: Baseline?
        do {
            loadedPolicy = try PolicyLoader().load(path: policy)
            waiverFiles = try waivers.map { path throws(ConfigurationError) in try WaiverFile.load(path: path) }
            for file in waiverFiles { try file.validate(against: loadedPolicy) }
            vexDocuments = try vex.map { path throws(ConfigurationError) in try VEXDocument.load(path: path) }
            previous = try baseline.map { path throws(ConfigurationError) in
                try FindingsSnapshot.load(path: path).baseline
            }
        } catch {
            Terminal.error("error: \(error)".printableLine)
            Terminal.error("scangate gate: \(error.fileSummary); nothing was decided")
            throw ExitCode(ExitStatus.usage)
        }
        let loaded = try input.load()
        // The decision carries the readers' warnings (its table and JSON list them); JSON on the
        // terminal is for programs, so a person reading it gets them on standard error too.
        let readerWarnings = loaded.flatMap(\.warningsNamingTheReport)
        if format == .json {
            Terminal.warnings(readerWarnings)
        }
        let findings = FindingSet(merging: loaded.flatMap(\.findings))
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: loadedPolicy,
                waivers: waiverFiles, vex: vexDocuments, baseline: previous, environment: env, today: today,
                reportWarnings: readerWarnings, repository: GateOptionChecks.gatedRepository(repository),
                emptyScans: loaded.flatMap(\.emptyScans), calendarDay: GateOptionChecks.calendarDay(now: now)))
        let bytes: [UInt8]
        switch format {
        case .table: bytes = Array(DecisionText.render(decision).utf8)
        case .json: bytes = DecisionJSON.encode(decision)
        }
        let inputs = loaded.map(\.source) + loadedPolicy.files + waivers + vex + [baseline].compactMap { $0 }
        try OutputFile.write(bytes, to: output, sparing: inputs, reports: input.reports, isJSON: format == .json)
        ScanGate.exitAfterOutput(
            status: decision.passed ? ExitStatus.ok : ExitStatus.gateFailed, keeping: loaded, findings, decision)
    }

}
