import Foundation

/// A file that could not be written: its path and the system's reason.
public struct OutputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// Output files written whole or not at all, and files appended to. Bytes go straight from the
/// caller's buffer to `write(2)`: a SARIF or findings file can be 100 MB, and going through
/// `Data` would copy it first.
public enum OutputFiles {
    /// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: readers see
    /// the old file or the new one, never a part of it. With `creatingDirectories`, missing
    /// parent directories are created first.
    ///
    /// What `path` already names decides how: a device, FIFO or socket (`-o /dev/null`, a pipe)
    /// is written to as it is (renaming a file over `/dev/null` would replace the device for
    /// every process on the machine), and so is a descriptor this process has open
    /// (``openDescriptor(namedBy:)``: `-o /dev/stdout >> build.log` appends to the log); a
    /// symbolic link keeps being one, and the file it names is replaced (or made, when it does
    /// not exist yet). A file replaced keeps its permissions.
    public static func write(
        _ bytes: [UInt8], to path: String, creatingDirectories: Bool = false
    ) throws(OutputFileError) {
        try stage(bytes, to: path, creatingDirectories: creatingDirectories).commit()
    }

    /// Writes `bytes` to the temporary file ``write(_:to:creatingDirectories:)`` would, without
    /// renaming it: the bytes are on disk (a full disk has said so) and ``StagedOutput/commit()``
    /// puts them in place, or ``StagedOutput/discard()`` removes them. For a command that must
    /// know its output can be written before it records what it decided. A device or FIFO
    /// cannot be staged: it is written to now (so `-o /dev/full` fails here, before anything is
    /// recorded, not at commit), and commit has nothing left to do. A directory is refused.
    public static func stage(
        _ bytes: [UInt8], to path: String, creatingDirectories: Bool = false
    ) throws(OutputFileError) -> StagedOutput {
        if let descriptor = openDescriptor(namedBy: path) {
            if let code = writeAll(bytes, to: descriptor) {
                throw OutputFileError(path: path, reason: String(cString: strerror(code)))
            }
            return StagedOutput(path: path, pending: .written)
        }
        var status = stat()
        var target = path
        // The mode of the file replaced, kept: a findings file someone made private stays private.
        var mode: mode_t?
        if stat(path, &status) == 0 {
            if status.st_mode & S_IFMT == S_IFDIR {
                throw OutputFileError(path: path, reason: "it is a directory")
            }
            if status.st_mode & S_IFMT != S_IFREG {
                try writeInPlace(bytes, to: path)
                return StagedOutput(path: path, pending: .written)
            }
            mode = status.st_mode & 0o777
            if let resolved = realpath(path, nil) {
                target = String(cString: resolved)
                free(resolved)
            }
        } else {
            // A link to a file that does not exist yet keeps being a link: the file it names is made.
            target = try danglingLinkTarget(path) ?? path
        }
        let temporary = try writeTemporary(
            bytes, beside: target, mode: mode, named: path, creatingDirectories: creatingDirectories)
        return StagedOutput(
            path: path, pending: .rename(temporary: temporary, target: URL(fileURLWithPath: target).path))
    }

    /// The path a symbolic link that names no existing file leads to, following links that lead
    /// to links; nil when `path` is no link.
    public static func danglingLinkTarget(_ path: String) throws(OutputFileError) -> String? {
        var current = path
        // As the kernel does (`ELOOP`), give up after 40 links.
        for _ in 0..<40 {
            guard let next = try linkDestination(current, named: path) else { return current == path ? nil : current }
            current = next
        }
        throw OutputFileError(path: path, reason: String(cString: strerror(ELOOP)))
    }

    /// The descriptor of this process that `path` names: `/dev/stdout`, `/dev/stderr`,
    /// `/dev/fd/N`, `/proc/self/fd/N`, or a link to one of them; nil for any other path, or a
    /// descriptor that is not open.
    ///
    /// Such a path leads (through `/proc`) to the file the descriptor has open, often a regular
    /// file (`>> build.log`): replaced by a temporary file renamed over it, the log and what the
    /// job wrote to it before were gone, and what it wrote after went to a file no longer
    /// there. Written through the descriptor, the output goes where the shell sent it, appended
    /// when the shell appends.
    public static func openDescriptor(namedBy path: String) -> Int32? {
        let processDirectory = "/proc/\(getpid())/"
        var current = path
        for _ in 0..<40 {
            let url = URL(fileURLWithPath: current)
            if let number = Int32(url.lastPathComponent), number >= 0,
                let resolved = realpath(url.deletingLastPathComponent().path, nil)
            {
                let directory = String(cString: resolved)
                free(resolved)
                // `/proc/self/fd` and `/dev/fd` resolve to `/proc/PID/fd`, `/proc/thread-self/fd`
                // to `/proc/PID/task/TID/fd`.
                let isDescriptorDirectory =
                    directory == processDirectory + "fd"
                    || (directory.hasPrefix(processDirectory + "task/") && directory.hasSuffix("/fd"))
                if isDescriptorDirectory { return fcntl(number, F_GETFD) >= 0 ? number : nil }
            }
            guard let next = try? linkDestination(current, named: path) else { return nil }
            current = next
        }
        return nil
    }

    /// Where the symbolic link `current` leads, resolved as the kernel does; nil when it is no
    /// link. Errors name `path`, as the user wrote it.
    private static func linkDestination(_ current: String, named path: String) throws(OutputFileError) -> String? {
        var status = stat()
        guard lstat(current, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(current, &buffer, buffer.count - 1)
        guard length > 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
        let destination = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if destination.hasPrefix("/") { return destination }
        // Relative to the directory the link is in, as the kernel resolves it: that directory's
        // real path (a `..` after a linked directory leads from its target).
        var directory = URL(fileURLWithPath: current).deletingLastPathComponent().path
        if let resolved = realpath(directory, nil) {
            directory = String(cString: resolved)
            free(resolved)
        }
        return URL(fileURLWithPath: directory).appendingPathComponent(destination).path
    }

    /// Writes to what `path` names without replacing it (a device or a FIFO).
    fileprivate static func writeInPlace(_ bytes: [UInt8], to path: String) throws(OutputFileError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
        var failure = writeAll(bytes, to: descriptor).map { String(cString: strerror($0)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure { throw OutputFileError(path: path, reason: failure) }
    }

    /// A temporary file beside `target` holding `bytes`, to be renamed over it; errors name `path`,
    /// as the user wrote it.
    /// `mode`: the permissions to give it (the file it replaces has them); nil: a new file's
    /// (0666 less the umask).
    private static func writeTemporary(
        _ bytes: [UInt8], beside target: String, mode: mode_t?, named path: String, creatingDirectories: Bool
    ) throws(OutputFileError) -> String {
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent()
        if creatingDirectories {
            // Foundation says "a file with the same name already exists" of a path through a file.
            if let problem = blockedDirectory(directory.path) {
                throw OutputFileError(path: path, reason: problem)
            }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw OutputFileError(path: path, reason: Self.reason(error))
            }
        }
        // A name no other writer uses, created only if it does not exist (`O_EXCL`, which also
        // refuses a link planted under it): two runs with one process id (each in its own
        // container, on a shared volume) would otherwise write into one temporary file.
        var temporary = ""
        var descriptor: Int32 = -1
        let name = temporaryStem(url.lastPathComponent)
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            temporary = directory.appendingPathComponent(".\(name).scangate-\(suffix).tmp").path
            descriptor = PendingTemporaryFiles.opening(temporary) {
                open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            }
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        if let mode, fchmod(descriptor, mode) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil { failure = writeAll(bytes, to: descriptor).map { String(cString: strerror($0)) } }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            PendingTemporaryFiles.remove(temporary)
            throw OutputFileError(path: path, reason: failure)
        }
        return temporary
    }

    /// The output's name as its temporary file's name starts, cut to leave room for the 28 bytes
    /// around it: a legal name of 230 bytes or more (255 is the limit) could not be written.
    static func temporaryStem(_ name: String) -> String {
        let room = 200
        guard name.utf8.count > room else { return name }
        var stem = ""
        for scalar in name.unicodeScalars {
            guard stem.utf8.count + String(scalar).utf8.count <= room else { break }
            stem.unicodeScalars.append(scalar)
        }
        return stem
    }

    /// The first of `directory` and its ancestors that exists and is not a directory.
    /// Why `directory` cannot be made: an ancestor that is a file, or a link to nothing (which
    /// Foundation reports as "a file with the same name already exists"); nil when it can.
    private static func blockedDirectory(_ directory: String) -> String? {
        var ancestors: [String] = []
        var current = directory
        while !current.isEmpty && current != "/" && current != "." {
            ancestors.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        var status = stat()
        for ancestor in ancestors.reversed() {
            if stat(ancestor, &status) == 0 {
                if status.st_mode & S_IFMT != S_IFDIR { return "\(ancestor) is not a directory" }
            } else if lstat(ancestor, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: ancestor)) ?? "?"
                return "\(ancestor) is a link to \(target), which does not exist"
            }
        }
        return nil
    }

    /// Renames a staged temporary file over its target; errors name `path`.
    fileprivate static func rename(_ temporary: String, over target: String, named path: String) throws(OutputFileError)
    {
        // rename(2) replaces the target atomically.
        defer { PendingTemporaryFiles.remove(temporary) }
        guard Foundation.rename(temporary, target) == 0 else {
            let failure = String(cString: strerror(errno))
            unlink(temporary)
            throw OutputFileError(path: path, reason: failure)
        }
    }

    /// Appends `bytes` to `path`, creating it if needed (a CI runner's summary and output files
    /// are shared by every step of the job).
    public static func append(_ bytes: [UInt8], to path: String) throws(OutputFileError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        if let code = writeAll(bytes, to: descriptor) {
            throw OutputFileError(path: path, reason: String(cString: strerror(code)))
        }
    }

    /// Writes every byte to the descriptor, retrying short writes and interruptions; the errno of
    /// a failure, nil on success.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(
                    descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// The POSIX reason behind a Foundation error, when it has one.
    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if underlying?.domain == NSPOSIXErrorDomain, let code = underlying?.code {
            return String(cString: strerror(Int32(code)))
        }
        return error.localizedDescription
    }
}

/// An output written but not yet in place (``OutputFiles/stage(_:to:creatingDirectories:)``).
public struct StagedOutput: Sendable {
    enum Pending: Sendable {
        /// A temporary file in the target's directory, to be renamed over it.
        case rename(temporary: String, target: String)
        /// Already written, to a device, FIFO or open descriptor.
        case written
    }

    /// The output as the user named it.
    public let path: String
    let pending: Pending

    /// Puts the output in place: renames the temporary file over the target (atomic, and
    /// needing no space the write did not take); a device or FIFO was written to when staged.
    public func commit() throws(OutputFileError) {
        switch pending {
        case .rename(let temporary, let target): try OutputFiles.rename(temporary, over: target, named: path)
        case .written: break
        }
    }

    /// Removes the temporary file; the target is left as it was.
    public func discard() {
        guard case .rename(let temporary, _) = pending else { return }
        unlink(temporary)
        PendingTemporaryFiles.remove(temporary)
    }
}
