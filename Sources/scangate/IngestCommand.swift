import Adapters
import ArgumentParser
import CI
import Findings
import Foundation
import OutputFiles
import Policy
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
            A directory stands for the files in it and its subdirectories, but hidden ones (names \
            beginning with a dot). If any report cannot be read, nothing is \
            written and the command exits 3, naming every unreadable file.
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(help: "Output format: table (findings by tool and severity) or json (the normalized findings).")
    var format: IngestOutputFormat = .table

    @Option(name: [.short, .customLong("output")], help: "Write the output to this file instead of standard output.")
    var output: String?

    func run() throws {
        var timer = PhaseTimer()
        let loaded = try input.load()
        timer.mark("read reports")
        let set = FindingSet(merging: loaded.flatMap(\.findings))
        timer.mark("merge")
        let summaries = loaded.map(ReportSummary.init)
        let bytes: [UInt8]
        switch format {
        case .table: bytes = Array(SummaryTable.render(set, reports: summaries).utf8)
        case .json: bytes = FindingsJSON.encode(set, reports: summaries)
        }
        try OutputFile.write(
            bytes, to: output, sparing: loaded.map(\.source), reports: input.reports, isJSON: format == .json)
        timer.mark("output")
        ScanGate.exitAfterOutput(keeping: loaded, set)
    }
}

/// Reading a command's report arguments: directories expanded, every file tried, every
/// failure reported before giving up.
enum ReportLoading {
    static func load(_ arguments: [String], with reader: ReportReader, as format: ReportFormat?) throws
        -> [ParsedReport]
    {
        // Read in parallel; reports and errors in the order of the paths (sorted).
        let (parsed, failures) = reader.readAll(paths: try expand(arguments), as: format)
        guard failures.isEmpty else {
            for failure in failures { Terminal.error("error: \(failure)".printableLine) }
            let count = failures.count
            Terminal.error("scangate: \(count) report\(count == 1 ? "" : "s") could not be read; nothing was written")
            throw ExitCode(ExitStatus.unreadableReport)
        }
        return parsed
    }

    /// Files as given, each once; a directory becomes the non-hidden files in it and its
    /// subdirectories, sorted by path. Every argument that names nothing is reported, then the
    /// command exits 3.
    static func expand(_ arguments: [String]) throws -> [String] {
        let (paths, missing) = ReportInput.files(arguments.map(ReportInput.path))
        guard missing.isEmpty else {
            for problem in missing { Terminal.error("error: \(problem)".printableLine) }
            throw ExitCode(ExitStatus.unreadableReport)
        }
        return paths
    }

}

/// Where a command's output goes: a file written whole or not at all, or standard output.
enum OutputFile {
    /// Writes `bytes` to `path` (standard output for nil, `-` or `/dev/stdout`). A path that is
    /// one of `inputs` (the reports, policy, waivers… the command read), or that one of the
    /// `reports` arguments would read (a file in a report directory), is refused, exit 2: `-o`
    /// naming an input by mistake would replace it and break the next run, and an output among
    /// the reports would be read back as one by the next.
    /// `isJSON`: the bytes are one JSON document, defused on standard output without changing
    /// its values.
    static func write(
        _ bytes: [UInt8], to path: String?, sparing inputs: [String] = [], reports: [String] = [],
        isJSON: Bool = false
    ) throws {
        try refuse(path, ifAnyOf: inputs, reports: reports)
        guard let path, !isStandardOutput(path) else {
            // Standard output is a CI job's log: report text must not become a command there.
            try StandardOutput.write(isJSON ? LogText.defusingCommands(inJSON: bytes) : LogText.defusingCommands(bytes))
            return
        }
        do throws(OutputFileError) {
            try OutputFiles.write(bytes, to: path)
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// Writes several outputs all or none (``write(_:to:sparing:isJSON:)`` each): every file is
    /// staged first and all are put in place together, so that one that cannot be written leaves
    /// every other as it was (a SARIF file on a full disk left a new `--dropped` listing of a
    /// file never written). Standard output, a device or a FIFO is written after the files are
    /// in place: a reader of a FIFO may wait for them (a step that reads the listing, then the
    /// pipe), and what it was sent cannot be taken back anyway.
    static func writeAll(
        _ outputs: [(bytes: [UInt8], path: String?, isJSON: Bool)], sparing inputs: [String], reports: [String] = []
    ) throws {
        for output in outputs { try refuse(output.path, ifAnyOf: inputs, reports: reports) }
        // A file is a path that is not `-` and names no device, FIFO, socket or open descriptor
        // (a directory is refused when staged).
        func filePath(_ path: String?) -> String? {
            guard let path, path != "-", OutputFiles.openDescriptor(namedBy: path) == nil else { return nil }
            var status = stat()
            let isStream =
                stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFREG && status.st_mode & S_IFMT != S_IFDIR
            return isStream ? nil : path
        }
        let files = outputs.map { filePath($0.path) }
        // Two outputs in one file (`--dropped ./x -o x`, a link): the last written would replace
        // the other, both reported written.
        for (position, file) in files.enumerated() {
            guard let file else { continue }
            if let other = files[..<position].compactMap({ $0 }).first(where: { sameFile($0, file) }) {
                Terminal.error("error: \(file) and \(other) are one file: each output needs a file of its own")
                throw ExitCode(ExitStatus.usage)
            }
        }
        var staged: [StagedOutput] = []
        do throws(OutputFileError) {
            for (output, file) in zip(outputs, files) {
                guard let file else { continue }
                staged.append(try OutputFiles.stage(output.bytes, to: file))
            }
            for output in staged { try output.commit() }
        } catch {
            for output in staged { output.discard() }
            Terminal.error("error: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        for (output, file) in zip(outputs, files) where file == nil {
            try write(output.bytes, to: output.path, isJSON: output.isJSON)
        }
    }

    /// Exit 2 when `path` is one of `inputs`, or a file one of the `reports` arguments would read
    /// (``ReportInput/wouldRead(_:)``: in a report directory) (a command that must know before it
    /// starts, such as the release gate whose audit log is appended before the output is
    /// written, asks early).
    static func refuse(_ path: String?, ifAnyOf inputs: [String], reports: [String] = []) throws {
        // Standard output, or another descriptor the shell opened: nothing is replaced there.
        guard let path, path != "-", OutputFiles.openDescriptor(namedBy: path) == nil else { return }
        if let input = inputs.first(where: { sameFile(path, $0) }) {
            Terminal.error("error: \(path) is an input of this command (\(input)); write the output somewhere else")
            throw ExitCode(ExitStatus.usage)
        }
        if let clash = reports.lazy.compactMap({ ReportInput.path($0).wouldRead(path) }).first {
            Terminal.error("error: \(path) \(clash): write the output somewhere else".printableLine)
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// Whether `path` is this command's standard output: `-`, or a path naming its descriptor
    /// (`/dev/stdout`, `/dev/fd/1`), written as `-` is (defused: it is a CI job's log).
    static func isStandardOutput(_ path: String) -> Bool {
        path == "-" || OutputFiles.openDescriptor(namedBy: path) == STDOUT_FILENO
    }

    /// Exit 2 when `path` is a directory, or its directory does not exist or cannot be written (a command that records
    /// its decision before writing its output asks first).
    static func refuseUnwritable(_ path: String?) throws {
        guard let path, path != "-" else { return }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            Terminal.error("error: cannot write \(path): it is a directory")
            throw ExitCode(ExitStatus.usage)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard access(directory, W_OK) == 0 else {
            Terminal.error("error: cannot write \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// Whether two paths name the same file: by device and inode when both exist (links and `./`
    /// spellings included), else by where they lead (``ReportInput/canonicalPath(_:)``: a link
    /// to a file not made yet leads to that file), so that an audit log the command is about to
    /// create is as much an input as one that exists.
    private static func sameFile(_ lhs: String, _ rhs: String) -> Bool {
        var left = stat()
        var right = stat()
        if stat(lhs, &left) == 0, stat(rhs, &right) == 0 {
            return left.st_dev == right.st_dev && left.st_ino == right.st_ino
        }
        return ReportInput.canonicalPath(lhs) == ReportInput.canonicalPath(rhs)
    }
}

/// The report arguments every command that reads reports shares.
struct ReportInputOptions: ParsableArguments {
    @Argument(help: "Report files (Trivy JSON, npm audit JSON, ZAP XML or JSON, SARIF), or directories of them.")
    var reports: [String]

    /// The help of `--as`, for every command that reads reports.
    static let forcedFormatHelp = ArgumentHelp(
        "Read every report as this format (for a file detection does not recognise); a report detected as another "
            + "format is refused.")

    @Option(name: .customLong("as"), help: ReportInputOptions.forcedFormatHelp)
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
