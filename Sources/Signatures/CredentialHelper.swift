import Foundation

/// Why registry credentials could not be read: a credential helper that is missing, failed,
/// answered nonsense or took too long. The image is then not verified (nothing is asked of the
/// registry without the credentials the user configured).
public struct RegistryCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line: which helper and what went wrong. Never holds a secret.
    public let message: String

    public var description: String { message }
}

/// Runs a Docker credential helper as the Docker CLI does for `credsStore` and `credHelpers` in
/// its `config.json`: `docker-credential-<name> get` from `PATH`, the server URL on standard
/// input, `{"Username": …, "Secret": …}` on standard output. This is how ECR
/// (`ecr-login`), Google (`gcloud`), desktop keychains (`desktop`, `osxkeychain`, `pass`,
/// `secretservice`) hand out registry credentials.
enum CredentialHelper {
    /// What a helper said.
    enum Answer: Equatable {
        case found(username: String, secret: String)
        /// The helper has no credentials for that server (docker-credential-helpers' "credentials
        /// not found in native keychain"): anonymous access, as Docker does.
        case notFound
    }

    /// A helper that waits for a locked keychain or a network must not hold the job.
    static let timeout: TimeInterval = 30

    /// Helper names are a file-name suffix: letters, digits, `.`, `_` and `-` only (no `/`).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100 && name != "." && name != ".."
            && name.unicodeScalars.allSatisfy { scalar in
                (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                    || scalar == "." || scalar == "_" || scalar == "-"
            }
    }

    static func get(
        helper name: String, serverURL: String, environment: [String: String], timeout: TimeInterval = timeout
    ) throws(RegistryCredentialsError) -> Answer {
        let program = "docker-credential-" + name
        guard isValidName(name) else {
            throw RegistryCredentialsError(
                message: "config.json names the credential helper \"\(ServerText.printable(name))\", "
                    + "which is not a helper name")
        }
        let directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard
            let path = directories.lazy.map({ $0 + "/" + program }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            throw RegistryCredentialsError(
                message: "config.json asks for the credential helper \(program), which is not on PATH")
        }

        let run = try Self.run(path, input: serverURL + "\n", environment: environment, timeout: timeout)
        guard let status = run.status else {
            throw RegistryCredentialsError(message: "\(program) get did not answer within \(Int(timeout)) s")
        }
        guard status == 0 else {
            let said = Self.quotable(output: run.output, errors: run.errors)
            let everything = String(decoding: run.output + run.errors, as: UTF8.self)
            if everything.contains("credentials not found") { return .notFound }
            throw RegistryCredentialsError(
                message: "\(program) get failed (exit \(status))" + (said.isEmpty ? "" : ": \(said)"))
        }
        guard let answer = StrictJSON.parse(run.output), answer.kind == .object,
            let username = answer.text("Username"), let secret = answer.text("Secret")
        else {
            throw RegistryCredentialsError(
                message: "\(program) get answered without a Username and Secret (a JSON object is expected)")
        }
        // An identity token is an OAuth2 refresh token (Azure's helper gives one), not a password.
        guard username != "<token>" else {
            throw RegistryCredentialsError(
                message: "\(program) gives an identity token for \(serverURL), which ScanGate cannot use; set "
                    + "\(RegistryCredentials.usernameVariable) and \(RegistryCredentials.passwordVariable)")
        }
        guard !username.isEmpty, !secret.isEmpty else { return .notFound }
        return .found(username: username, secret: secret)
    }

    /// What a process wrote, and its exit status (nil: killed after `timeout`).
    private struct Run {
        var status: Int32?
        var output: [UInt8]
        var errors: [UInt8]
    }

    /// Output beyond this is not read: a helper's answer is a few hundred bytes.
    private static let maximumOutput = 64 << 10

    private static func run(
        _ path: String, input: String, environment: [String: String], timeout: TimeInterval
    ) throws(RegistryCredentialsError) -> Run {
        // posix_spawn rather than Foundation's Process: the helper gets a process group of its
        // own, so a helper that hangs is killed with whatever it started, and the wait ends when
        // the helper itself exits (Process also waited for a child it left holding the output).
        var inputPipe: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard pipe(&inputPipe) == 0 else { throw RegistryCredentialsError(message: "no pipe for \(path)") }
        defer { for descriptor in inputPipe where descriptor >= 0 { close(descriptor) } }
        guard pipe(&outputPipe) == 0 else { throw RegistryCredentialsError(message: "no pipe for \(path)") }
        defer { for descriptor in outputPipe where descriptor >= 0 { close(descriptor) } }
        guard pipe(&errorPipe) == 0 else { throw RegistryCredentialsError(message: "no pipe for \(path)") }
        defer { for descriptor in errorPipe where descriptor >= 0 { close(descriptor) } }
        // Written before the helper starts, into the pipe's buffer (a server URL is far smaller):
        // a helper that exits without reading cannot make the write fail with SIGPIPE.
        let inputBytes = Array(input.utf8)
        guard inputBytes.withUnsafeBytes({ write(inputPipe[1], $0.baseAddress, $0.count) }) == inputBytes.count else {
            throw RegistryCredentialsError(message: "could not pass the server URL to \(path)")
        }
        close(inputPipe[1])
        inputPipe[1] = -1

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // The pipes' own descriptors, once copied to 0, 1 and 2 (one of them is such a number
        // already when ScanGate was started without standard input or output).
        for descriptor in [inputPipe[0], outputPipe[0], outputPipe[1], errorPipe[0], errorPipe[1]] where descriptor > 2
        {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, and no signal blocked: ScanGate's main blocks SIGINT, SIGTERM and
        // SIGHUP for the thread that waits for them (`Interruption`), and a mask is inherited.
        // SIGPIPE back to its default action, which ScanGate ignores and a child would inherit.
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)

        let arguments = [path, "get"]
        let variables = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings(arguments) { argv in
            withCStrings(variables) { envp in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        }
        guard spawned == 0 else {
            throw RegistryCredentialsError(
                message: "\(path) could not be started: \(String(cString: strerror(spawned)))")
        }
        // The helper holds its ends now; ours would keep the pipes open after it exits.
        for descriptor in [inputPipe[0], outputPipe[1], errorPipe[1]] { close(descriptor) }
        inputPipe[0] = -1
        outputPipe[1] = -1
        errorPipe[1] = -1

        let deadline = Date().addingTimeInterval(timeout)
        var waitStatus: Int32 = 0
        var exited = false
        while Date() < deadline {
            let reaped = waitpid(pid, &waitStatus, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) {
                exited = reaped == pid
                break
            }
            usleep(5_000)
        }
        var status: Int32?
        if exited {
            // Exit code when it exited, 128 + the signal when a signal ended it.
            status = waitStatus & 0x7F == 0 ? (waitStatus >> 8) & 0xFF : 128 + (waitStatus & 0x7F)
        } else {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        }
        return Run(status: status, output: readAvailable(outputPipe[0]), errors: readAvailable(errorPipe[0]))
    }

    /// `body` with `strings` as a NULL-terminated C array.
    private static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
    ) -> Result {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { array[index] = strdup(string) }
        array[strings.count] = nil
        defer {
            for index in 0..<strings.count { free(array[index]) }
            array.deallocate()
        }
        return body(UnsafePointer(array))
    }

    /// What is in the pipe now, without waiting: a helper may leave a child holding it open.
    private static func readAvailable(_ descriptor: Int32) -> [UInt8] {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < maximumOutput {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
        }
        return Array(bytes.prefix(maximumOutput))
    }

    /// What a failed helper said, to quote in the error: the first line of its standard output
    /// (docker-credential-helpers print their errors there), unless that looks like an answer,
    /// which holds the secret (a helper that printed its answer and then failed): then of its
    /// standard error. Errors reach logs and the signed audit log.
    static func quotable(output: [UInt8], errors: [UInt8]) -> String {
        let firstByte = output.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        let mentionsSecret = String(decoding: output, as: UTF8.self).lowercased().contains("secret")
        let answerLike = firstByte == UInt8(ascii: "{") || mentionsSecret
        return firstLine(output.isEmpty || answerLike ? errors : output)
    }

    /// The first line of what a helper said, printable and short.
    private static func firstLine(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return ServerText.printable(String(line.trimmingCharacters(in: .whitespaces).prefix(200)))
    }
}
