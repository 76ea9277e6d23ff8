import ArgumentParser

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate verify: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
