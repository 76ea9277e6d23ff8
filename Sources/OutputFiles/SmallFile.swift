import Foundation

/// Why a small input file (a key, a signature, a credentials file) could not be read.
public struct SmallFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}

/// Reads the small files a command takes besides its reports: keys, signatures, configuration.
public enum SmallFile {
    /// The bytes of the regular file at `path`, when it holds at most `limit` bytes.
    ///
    /// The file is opened without blocking and checked to be a regular file before it is read:
    /// opening a FIFO named by mistake (`--key <(…)` gone stale) waits for a writer for ever,
    /// and a directory or device is no key.
    public static func read(_ path: String, limit: Int) throws(SmallFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw SmallFileError("cannot read the file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SmallFileError("cannot read the file: \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw SmallFileError("is \(Self.kind(of: status.st_mode)), not a regular file")
        }
        guard status.st_size <= limit else { throw SmallFileError("larger than \(Self.size(limit))") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var count = 0
        // Read to the end, not to the size stat gave: the file may be growing.
        while true {
            if count == bytes.count {
                guard bytes.count <= limit else { throw SmallFileError("larger than \(Self.size(limit))") }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count)))
            }
            let got = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(descriptor, buffer.baseAddress.map { $0 + count }, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SmallFileError("cannot read the file: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { throw SmallFileError("larger than \(Self.size(limit))") }
        bytes.removeSubrange(count...)
        return bytes
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
