import ArgumentParser

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate audit: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
