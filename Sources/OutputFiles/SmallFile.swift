import Foundation

/// Why a small input file (a key, a signature, a credentials file) could not be read.
public struct SmallFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}

/// Reads the small files a command takes besides its reports: keys, signatures, configuration.
public enum SmallFile {
    /// The bytes of the file at `path`, when it holds at most `limit` bytes.
    ///
    /// The file is opened without blocking: opening a FIFO nobody writes to would wait for a
    /// writer for ever. A pipe or character device (`--key <(…)`, `/dev/stdin`) is read to its
    /// end within a deadline; a directory, socket or block device is refused.
    public static func read(_ path: String, limit: Int) throws(SmallFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw SmallFileError("cannot read the file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SmallFileError("cannot read the file: \(String(cString: strerror(errno)))")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFIFO || kind == S_IFCHR else {
            throw SmallFileError("is \(Self.kind(of: status.st_mode)), not a regular file")
        }
        guard kind != S_IFREG || status.st_size <= limit else {
            throw SmallFileError("larger than \(Self.size(limit))")
        }
        // Read to the end, not to the size stat gave (the file may be growing). A pipe
        // (`--key <(…)`, `/dev/stdin`) is read as it comes, for at most a few seconds: one nobody
        // writes to ends at once (opened without blocking, it reads as empty), one that never ends
        // stops at the deadline instead of hanging the release.
        return try readToEnd(descriptor, limit: limit, what: Self.kind(of: status.st_mode))
    }

    /// How long a pipe is waited on for its end.
    static let pipeDeadline: Double = 10

    /// Reads to the end, at most `limit` bytes; a pipe or character device that has nothing yet
    /// is polled, within ``pipeDeadline``.
    private static func readToEnd(_ descriptor: Int32, limit: Int, what: String) throws(SmallFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let deadline = Date().addingTimeInterval(pipeDeadline)
        while true {
            let got = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if got > 0 {
                bytes.append(contentsOf: chunk[..<got])
                guard bytes.count <= limit else { throw SmallFileError("larger than \(Self.size(limit))") }
                continue
            }
            if got == 0 { return bytes }  // the end, or no writer at all
            guard errno == EAGAIN || errno == EINTR else {
                throw SmallFileError("cannot read the file: \(String(cString: strerror(errno)))")
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw SmallFileError("is \(what) that did not end within \(Int(pipeDeadline)) s")
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, Int32(min(remaining, 1) * 1000))
        }
    }

    /// What a file of mode `mode` is, for a message: `a directory`, `a FIFO (named pipe)`.
    public static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "neither a file nor a directory"
        }
    }

    /// `1 MiB`, `16 MiB`, `512 bytes`.
    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
