import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A server a test starts on 127.0.0.1 (a Python script, Python's `http.server`): started, its
/// port known, and stopped for certain when the test ends.
public final class LocalServer {
    public let process: Process

    /// Starts `executable` with `arguments`; standard output is read only when asked for the port.
    public init(executable: URL, arguments: [String], readsPort: Bool = false) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if readsPort {
            process.standardOutput = output
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        try process.run()
    }

    private let output = Pipe()

    /// The port from the server's first line of output, `PORT <n>`; nil when it printed otherwise
    /// or ended.
    public func announcedPort() -> Int? {
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.hasPrefix("PORT ") ? Int(text.dropFirst(5)) : nil
    }

    /// SIGTERM, then SIGKILL after two seconds: a child of the test runner may have SIGTERM
    /// blocked, and a server left running would hold the test run open.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
