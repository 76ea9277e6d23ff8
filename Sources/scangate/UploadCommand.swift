import ArgumentParser

struct UploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "upload", abstract: "Not available yet.")

    func run() throws {
        Terminal.error("scangate upload: not available yet")
        throw ExitCode(ExitStatus.usage)
    }
}
