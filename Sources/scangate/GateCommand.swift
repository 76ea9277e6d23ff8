import ArgumentParser

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gate", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate gate: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
