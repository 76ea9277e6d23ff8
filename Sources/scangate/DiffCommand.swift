import ArgumentParser

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate diff: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
