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
    /// every process on the machine); a symbolic link keeps being one, and the file it names is
    /// replaced.
    public static func write(
        _ bytes: [UInt8], to path: String, creatingDirectories: Bool = false
    ) throws(OutputFileError) {
        var status = stat()
        var target = path
        if stat(path, &status) == 0 {
            if status.st_mode & S_IFMT != S_IFREG, status.st_mode & S_IFMT != S_IFDIR {
                try writeInPlace(bytes, to: path)
                return
            }
            if let resolved = realpath(path, nil) {
                target = String(cString: resolved)
                free(resolved)
            }
        }
        try replace(bytes, at: target, named: path, creatingDirectories: creatingDirectories)
    }

    /// Writes to what `path` names without replacing it (a device or a FIFO).
    private static func writeInPlace(_ bytes: [UInt8], to path: String) throws(OutputFileError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
        var failure = writeAll(bytes, to: descriptor).map { String(cString: strerror($0)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure { throw OutputFileError(path: path, reason: failure) }
    }

    /// A temporary file beside `target`, renamed over it; errors name `path`, as the user wrote it.
    private static func replace(
        _ bytes: [UInt8], at target: String, named path: String, creatingDirectories: Bool
    ) throws(OutputFileError) {
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent()
        if creatingDirectories {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw OutputFileError(path: path, reason: Self.reason(error))
            }
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).scangate-\(getpid()).tmp").path
        var failure: String?
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        if descriptor < 0 {
            failure = String(cString: strerror(errno))
        } else {
            failure = writeAll(bytes, to: descriptor).map { String(cString: strerror($0)) }
            if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
            // rename(2) replaces the target atomically.
            if failure == nil, rename(temporary, url.path) != 0 { failure = String(cString: strerror(errno)) }
        }
        if let failure {
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
