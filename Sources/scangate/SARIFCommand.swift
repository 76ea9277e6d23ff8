import Adapters
import ArgumentParser
import CI
import Findings
import Foundation
import Policy
import SARIF

struct SARIFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sarif",
        abstract: "Write the merged findings as one SARIF file that GitHub code scanning accepts.",
        discussion: """
            One run per tool, category <category>/<tool>/, and one per image a Trivy image report \
            scanned, <category>/trivy/<image>-<hash>/ (a scan of an image that checked nothing leaves \
            its run out, so GitHub keeps its alerts). Within GitHub's limits: when a file \
            would exceed them, the most severe results are kept; standard error says how many were \
            dropped per limit and severity and names the first few, and --dropped FILE lists every \
            one. If any report cannot be read, nothing is written and the command exits 3.
            """
    )

    @OptionGroup var input: ReportInputOptions

    @Option(name: [.short, .customLong("output")], help: "Write the SARIF file here (default: standard output).")
    var output: String?

    @Option(
        help: ArgumentHelp(
            "List every result left out for GitHub's limits here, one line each (empty when none was).",
            valueName: "FILE"))
    var dropped: String?

    @Option(
        help:
            "GitHub analysis category; each run gets <category>/<tool>/ (an image's <category>/trivy/<image>-<hash>/).")
    var category: String = "scangate"

    @Flag(
        help: """
            Also write the findings a tool suppressed, as results with SARIF suppressions. Off by default: GitHub \
            code scanning ignores suppressions and would show them as open alerts.
            """)
    var includeSuppressed = false

    @Option(help: "The repository root the scanners ran in: lock files are read from it to find package lines.")
    var sourceRoot: String?

    @Option(
        help: "The Dockerfile that builds the scanned images (relative to the source root): image findings point at it."
    )
    var dockerfile: String?

    func validate() throws {
        guard !category.contains(where: \.isNewline) else { throw ValidationError("--category must be one line") }
        if let dropped {
            guard dropped != "-", dropped != output else {
                throw ValidationError("--dropped needs a file of its own (not standard output or the SARIF file)")
            }
        }
        if let sourceRoot {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: sourceRoot, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw ValidationError("--source-root \(sourceRoot): not a directory") }
        }
        if let dockerfile {
            guard DockerfileInput.exists(DockerfileInput.path(dockerfile, sourceRoot: sourceRoot)) else {
                throw ValidationError("--dockerfile \(dockerfile): no such file\(sourceRoot.map { " in \($0)" } ?? "")")
            }
        }
    }

    func run() throws {
        var timer = PhaseTimer()
        let loaded = try input.load()
        timer.mark("read reports")
        // What the readers warn about (a scan `--allow-incomplete` accepted in part, an end-of-life
        // OS) said here too: the SARIF file uploaded from it shows none of it.
        Terminal.warnings(loaded.flatMap(\.warningsNamingTheReport))
        // Each tool's findings merged apart: each run as that tool alone gives it (`FindingSet`).
        let set = FindingSet(mergingEachToolApart: loaded.flatMap(\.findings))
        timer.mark("merge")
        // A report that checked nothing gives its tool no run: an empty one would close alerts.
        let options = SARIFOptions(
            category: category, sourceRoot: sourceRoot, dockerfile: dockerfile, scangateVersion: ScanGate.version,
            tools: loaded.sarifTools, emptyReports: loaded.sarifEmptyReports, includeSuppressed: includeSuppressed)
        let sarif = SARIFWriter.write(set, options: options)
        timer.mark("write SARIF")
        // The writer keeps within the limits by construction; checking again costs little and
        // guarantees a file GitHub would reject is never written.
        // The writer's gzip size is of these very bytes (Int.max when zlib failed: measure again).
        let validation = SARIFValidator.validate(
            sarif.bytes, knownGzipBytes: sarif.gzipBytes == Int.max ? nil : sarif.gzipBytes)
        timer.mark("validate")
        guard validation.isAcceptable else {
            for problem in validation.errors { Terminal.error("error: \(problem)".printableLine) }
            Terminal.error("scangate: the SARIF file would be rejected by GitHub; nothing was written")
            throw ExitCode(ExitStatus.usage)
        }
        let whereListed = dropped.map { "all are listed in \($0)" } ?? "--dropped FILE lists every one"
        let notes = sarif.noteLines(whereListed: whereListed)
        // A dropped result is named by its rule and place: one printable line each.
        if !notes.isEmpty { Terminal.error(notes.map(\.printableLine).joined(separator: "\n")) }
        var inputs = loaded.map(\.source) + sarif.sourceFilesRead
        if let dockerfile {
            inputs.append(DockerfileInput.path(dockerfile, sourceRoot: sourceRoot))
        }
        // Both or neither: when the listing cannot be written (exit 2), the SARIF file a later
        // step uploads is still the one before, not a new one of a run that failed; when the
        // SARIF file cannot, the listing is still the one of the file that is there.
        var outputs: [(bytes: [UInt8], path: String?, isJSON: Bool)] = []
        if let dropped { outputs.append((sarif.droppedListing, dropped, false)) }
        outputs.append((sarif.bytes, output, true))
        try OutputFile.writeAll(outputs, sparing: inputs, reports: input.reports)
        timer.mark("output")
        ScanGate.exitAfterOutput(keeping: loaded, set, sarif)
    }
}
