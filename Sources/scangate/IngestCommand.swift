import Adapters
import ArgumentParser
import Findings
import Foundation
import Reports

extension ReportFormat: ExpressibleByArgument {}

/// Output formats of `scangate ingest`.
enum IngestOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read reports and print their findings, merged.",
        discussion: """
            The format of each report is detected from its content, never from its name. \
            A directory stands for the files in it. If any report cannot be read, nothing is \
            written and the command exits 3, naming every unreadable file.
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(help: "Output format: table (findings by tool and severity) or json (the normalized findings).")
    var format: IngestOutputFormat = .table

    @Option(name: [.short, .customLong("output")], help: "Write the output to this file instead of standard output.")
    var output: String?

    func run() throws {
        let loaded = try input.load()
        let set = FindingSet(merging: loaded.flatMap(\.findings))
        let summaries = loaded.map(ReportLoading.summary)
        let bytes: [UInt8]
        switch format {
        case .table: bytes = Array(SummaryTable.render(set, reports: summaries).utf8)
        case .json: bytes = FindingsJSON.encode(set, reports: summaries)
        }
        try OutputFile.write(bytes, to: output)
        ScanGate.exitAfterOutput()
    }
}

/// Reading a command's report arguments: directories expanded, every file tried, every
/// failure reported before giving up.
enum ReportLoading {
    static func load(_ arguments: [String], with reader: ReportReader, as format: ReportFormat?) throws
        -> [ParsedReport]
    {
        var parsed: [ParsedReport] = []
        var failures: [ReportError] = []
        for path in try expand(arguments) {
            do {
                parsed.append(try reader.read(path: path, as: format))
            } catch {
                failures.append(error)
            }
        }
        guard failures.isEmpty else {
            for failure in failures { Terminal.error("error: \(failure)") }
            let count = failures.count
            Terminal.error("scangate: \(count) report\(count == 1 ? "" : "s") could not be read; nothing was written")
            throw ExitCode(ExitStatus.unreadableReport)
        }
        return parsed
    }

    /// Files as given; a directory becomes its non-hidden regular files, sorted by name.
    static func expand(_ arguments: [String]) throws -> [String] {
        var paths: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                Terminal.error("error: \(argument): no such file or directory")
                throw ExitCode(ExitStatus.unreadableReport)
            }
            guard isDirectory.boolValue else {
                paths.append(argument)
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            let directory = argument.hasSuffix("/") ? argument : argument + "/"
            for name in names.sorted() where !name.hasPrefix(".") {
                var childIsDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: directory + name, isDirectory: &childIsDirectory),
                    !childIsDirectory.boolValue
                {
                    paths.append(directory + name)
                }
            }
        }
        return paths
    }

    static func summary(_ report: ParsedReport) -> ReportSummary {
        ReportSummary(
            file: report.source, format: report.format.rawValue, variant: report.variant, tool: report.tool,
            toolVersion: report.toolVersion, findingCount: report.findings.count,
            suppressedCount: report.findings.count { !$0.isOpen }, warnings: report.warnings)
    }
}

/// Output written whole or not at all: to a temporary file beside the target, then renamed.
enum OutputFile {
    static func write(_ bytes: [UInt8], to path: String?) throws {
        guard let path, path != "-" else {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).scangate-\(getpid()).tmp")
        do {
            try Data(bytes).write(to: temporary)
            // rename(2) replaces the target atomically: readers see the old file or the new one.
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(
                    .fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            Terminal.error("error: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.usage)
        }
    }
}

/// The report arguments every command that reads reports shares.
struct ReportInputOptions: ParsableArguments {
    @Argument(help: "Report files (Trivy JSON, npm audit JSON, ZAP XML or JSON, SARIF), or directories of them.")
    var reports: [String]

    @Option(name: .customLong("as"), help: "Read every report as this format instead of detecting it.")
    var forcedFormat: ReportFormat?

    @Flag(help: "Accept reports whose tool says part of the scan failed (the failures become warnings).")
    var allowIncomplete = false

    @Option(help: "Refuse reports larger than this many bytes.")
    var maxReportSize: Int = 1 << 30

    func validate() throws {
        guard maxReportSize > 0 else { throw ValidationError("--max-report-size must be positive") }
    }

    /// Reads every report, or exits 3 naming every one that could not be read.
    func load() throws -> [ParsedReport] {
        let reader = ReportReader(maximumSize: maxReportSize, allowsIncompleteReports: allowIncomplete)
        return try ReportLoading.load(reports, with: reader, as: forcedFormat)
    }
}
