import ArgumentParser

struct ReleaseGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release-gate", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate release-gate: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
