import ArgumentParser

struct SARIFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sarif", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate sarif: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
