import ArgumentParser
import Foundation
import Policy
import Reports

/// Output formats of `scangate diff`.
enum DiffOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, markdown
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs' findings: new, fixed and unchanged, by fingerprint.",
        discussion: """
            Both files are `scangate ingest --format json` (or `scangate report --format json`) \
            output. Only open findings count; fingerprints leave out line numbers, image tags and \
            digests, so a finding that moved is unchanged. Exit codes: 0 compared, 2 a file is \
            not such a document (or a usage error).
            """
    )

    @Argument(help: "The previous run's findings JSON.")
    var previous: String

    @Argument(help: "This run's findings JSON.")
    var current: String

    @Option(help: "Output format: table (for people), json (scangate-diff/1) or markdown.")
    var format: DiffOutputFormat = .table

    @Option(name: [.short, .customLong("output")], help: "Write the output to this file instead of standard output.")
    var output: String?

    func run() throws {
        let before: FindingsSnapshot
        let after: FindingsSnapshot
        do {
            before = try FindingsSnapshot.load(path: previous)
            after = try FindingsSnapshot.load(path: current)
        } catch {
            Terminal.error("error: \(error)".printableLine)
            Terminal.error("scangate diff: nothing was compared")
            throw ExitCode(ExitStatus.usage)
        }
        let diff = BaselineDiff(
            previous: before.entries, current: after.entries, baselineFile: previous, coverage: after.coverage,
            newAgain: Self.newAgain(before: before, after: after))
        let bytes: [UInt8]
        switch format {
        case .table: bytes = Array(DiffText.table(diff, current: current).utf8)
        case .json: bytes = DiffJSON.encode(diff, current: current)
        case .markdown: bytes = Array(DiffText.markdown(diff).utf8)
        }
        try OutputFile.write(bytes, to: output, sparing: [previous, current], isJSON: format == .json)
    }

    /// Findings of the current run the earlier run's decision held only as waived or
    /// VEX-suppressed, and the current run's decision does not: new again, as
    /// the gate judges them (``Baseline/unaccepted(_:)``). Known only when both files are report
    /// JSONs (a findings file records no decision). One the earlier run failed, the gate also
    /// calls new (never accepted), but between two runs it is no change: `diff` says unchanged.
    static func newAgain(before: FindingsSnapshot, after: FindingsSnapshot) -> Set<String> {
        guard before.verdicts != nil, let verdictsNow = after.verdicts else { return [] }
        let baseline = before.baseline
        return Set(
            after.entries.filter { entry in
                guard !entry.suppressed,
                    !(verdictsNow[entry.fingerprint].map(Baseline.holdingVerdicts.contains) ?? false),
                    let heldThen = baseline.unaccepted(entry.trace)
                else { return false }
                return heldThen == .waived || heldThen == .vexSuppressed
            }.map(\.fingerprint))
    }
}
