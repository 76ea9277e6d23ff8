import ArgumentParser
import CI
import Foundation

/// `scangate init`: a starting `.scangate.yaml` and the shipped policies for a repository.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented .scangate.yaml and copy the shipped policies into policies/.",
        discussion: """
            An existing .scangate.yaml is never replaced without --force; policy files already in \
            policies/ are kept (replaced only with --force). The shipped policies are read from \
            SCANGATE_POLICIES, else from the policies/ directory of ScanGate's checkout or install. \
            Exit codes: 0 written, 2 the configuration exists (without --force) or a file cannot be \
            written.
            """
    )

    @Argument(help: "The repository to set up (default: the current directory).")
    var directory: String = "."

    @Flag(help: "Replace an existing .scangate.yaml and the policy files.")
    var force = false

    func run() throws {
        // argv[0] may be a bare name found on PATH; the bundle knows the executable's real path.
        let executable = Bundle.main.executablePath ?? "/proc/self/exe"
        guard
            let source = CIStarter.shippedPolicies(
                executable: executable, environment: ProcessInfo.processInfo.environment)
        else {
            Terminal.error("error: cannot find ScanGate's shipped policies; set SCANGATE_POLICIES to their directory")
            throw ExitCode(ExitStatus.usage)
        }
        do {
            for action in try CIStarter.install(into: directory, policiesFrom: source, force: force) {
                StandardOutput.note("\(action)")
            }
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }
}
