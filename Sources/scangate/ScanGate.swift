import ArgumentParser
import Foundation
import OutputFiles
import Policy

/// The `scangate` command line. It only wires the library modules together: parsing,
/// merging, policy and output live in the modules.
@main
struct ScanGate: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "scangate",
        abstract: "Reads Trivy, npm audit, OWASP ZAP and SARIF reports into one set of findings.",
        discussion: """
            Exit codes: 0 ok, 1 the gate said no, 2 usage or configuration error, \
            3 a report could not be read, 4 a remote service failed.
            """,
        version: version,
        subcommands: [
            CICommand.self, InitCommand.self, IngestCommand.self, GateCommand.self, SARIFCommand.self,
            UploadCommand.self, ReportCommand.self,
            DiffCommand.self, CommentCommand.self, VerifyCommand.self, ReleaseGateCommand.self, AuditCommand.self,
            VersionCommand.self,
        ]
    )

    /// `scangate` without a command: the help on standard error, exit 2. A CI step
    /// `scangate $COMMAND` whose variable is empty must not pass.
    func run() throws { try Self.noCommandGiven(help: Self.helpMessage()) }

    /// A command of commands run without one: its help on standard error, exit 2.
    static func noCommandGiven(help: String) throws -> Never {
        Terminal.error(help)
        Terminal.error("error: no command given")
        throw ExitCode(ExitStatus.usage)
    }

    /// Runs the command and maps every outcome onto ScanGate's exit codes (ArgumentParser's
    /// own usage errors would otherwise exit 64).
    static func main() {
        // Before any other thread starts (it blocks the signals it then waits for).
        Interruption.removeTemporaryFilesOnSignal()
        // A closed pipe (`scangate ci | head -1`) is a write error the command reports (exit 2;
        // `ci` still writes its step outputs), not a silent death by SIGPIPE (exit 141) that
        // left `decision` unset for the job's later steps.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                // Help and usage text: lost to a full disk or closed descriptor, the command failed.
                if !message.isEmpty, (try? StandardOutput.write(message + "\n")) == nil {
                    Foundation.exit(ExitStatus.usage)
                }
                Foundation.exit(0)
            }
            Terminal.error(message)
            // `scangate ci` refused on its command line (an unknown flag, a bad value) never
            // reaches its run: the step outputs still say nothing was decided.
            if CommandLine.arguments.dropFirst().first == CICommand.configuration.commandName {
                CICommand.commandLineRefused(because: message)
            }
            Foundation.exit(ExitStatus.usage)
        }
    }
}

extension ScanGate {
    /// Ends the process with `status` once a command has written all its output, without
    /// freeing what it built.
    ///
    /// The one place the CLI skips teardown, on purpose: after `ingest`, `sarif`, `gate`,
    /// `report`, `release-gate` or `ci` of a large report, freeing the findings model (hundreds
    /// of thousands of strings and arrays, released one by one) costs a measurable part of the
    /// run (0.2–0.5 s for 100 MB reports) and achieves nothing the kernel does not do when the
    /// process ends. `keeping` holds what
    /// the command still references (the reports it read, the merged findings) so that none of
    /// it is released between its last use and the exit either. Output is written with
    /// unbuffered `write(2)` or to a renamed file, so nothing is pending.
    static func exitAfterOutput(status: Int32 = ExitStatus.ok, keeping values: Any...) -> Never {
        withExtendedLifetime(values) { Foundation.exit(status) }
    }
}

/// ScanGate's exit codes (DESIGN.md): part of the interface, never renumbered.
enum ExitStatus {
    static let ok: Int32 = 0
    static let gateFailed: Int32 = 1
    static let usage: Int32 = 2
    static let unreadableReport: Int32 = 3
    static let remoteFailure: Int32 = 4
}

enum Terminal {
    /// Writes a line to standard error, which is a terminal and a CI runner's log (read for
    /// workflow commands too): report, baseline, waiver and policy text in it (a SARIF tool's
    /// name, a baseline's severity) must neither drive the terminal nor become a command.
    ///
    /// Every line of `message` is shown as `String.printableLine`: escape sequences, BEL,
    /// C1 controls such as CSI and bidirectional controls become U+FFFD, a carriage return a
    /// space. ScanGate's own line breaks (a usage error's) are kept, so a message that quotes
    /// such text on one line is made `.printableLine` whole where it is built, and a line break
    /// in the text cannot start a line of its own.
    static func error(_ message: String) {
        write(printableLines(message))
    }

    /// Writes each warning to standard error as `warning: …`, one printable line each, as the
    /// table formats show the readers' warnings.
    static func warnings(_ warnings: [String]) {
        for warning in warnings { error("warning: \(warning)".printableLine) }
    }

    /// Writes `message` to standard error as it is: only for text whose report parts were made
    /// printable where it was built and which carries ScanGate's own colour (`scangate ci`'s
    /// progress).
    static func errorKeepingColour(_ message: String) {
        write(message)
    }

    /// `message` with every line (split at line feeds) made printable.
    static func printableLines(_ message: String) -> String {
        let body = message.hasSuffix("\n") ? String(message.dropLast()) : message
        return body.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).printableLine }
            .joined(separator: "\n")
    }

    private static func write(_ message: String) {
        let line = LogText.defusingCommands(message.hasSuffix("\n") ? message : message + "\n")
        // Nowhere left to say that standard error cannot be written: the exit status still
        // tells (FileHandle's write stopped the process with a trap instead).
        _ = OutputFiles.writeAll(Array(line.utf8), to: STDERR_FILENO)
    }
}

/// Standard output written with `write(2)`: a full disk or a closed descriptor is an error,
/// exit 2, never a crash (FileHandle's write traps) nor output silently lost (`print`).
enum StandardOutput {
    /// Writes `text` (a command's result); exit 2 with the reason when it cannot be written.
    static func write(_ text: String) throws { try write(Array(text.utf8)) }

    static func write(_ bytes: [UInt8]) throws {
        guard let code = OutputFiles.writeAll(bytes, to: STDOUT_FILENO) else { return }
        Terminal.error("error: cannot write standard output: \(String(cString: strerror(code)))")
        throw ExitCode(ExitStatus.usage)
    }

    /// Writes a line saying what a command did, once its work is done (an upload, a comment):
    /// when standard output cannot take it, standard error says so and the outcome stands.
    static func note(_ line: String) {
        guard let code = OutputFiles.writeAll(Array((line + "\n").utf8), to: STDOUT_FILENO) else { return }
        Terminal.error("warning: cannot write standard output: \(String(cString: strerror(code))): \(line)")
    }
}

/// Phase timings on standard error when `SCANGATE_TIMINGS` is set (`timing: load 1.234 s, peak
/// 310 MiB so far`): what the benchmark's whole-process figures break down into.
struct PhaseTimer {
    private let enabled = ProcessInfo.processInfo.environment["SCANGATE_TIMINGS"] != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    /// Reports the time since the previous mark (or the start) as `phase`.
    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // ru_maxrss is in KiB on Linux.
        Terminal.error("timing: \(phase) \(Double(now - last) / 1e9) s, peak \(usage.ru_maxrss / 1024) MiB so far")
        last = now
    }
}
