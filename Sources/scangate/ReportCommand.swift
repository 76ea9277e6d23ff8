import ArgumentParser

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate report: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
