import Foundation
import OutputFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a record was not appended.
public enum AuditLogError: Error, Sendable, CustomStringConvertible {
    /// The file could not be opened, locked, read, written or synced.
    case io(file: String, operation: String, message: String)
    /// The log does not verify; nothing is appended to a broken log.
    case brokenLog(file: String, failure: AuditFailure)
    /// The log is signed but no signing key was given.
    case signingKeyRequired(file: String, sequence: Int)
    /// The last record is signed by a key that is neither this run's nor trusted, after records
    /// this run's key signed: not a rotation (which moves to the appending key), but a record
    /// someone else signed into the log.
    case foreignSignerAfterOwn(file: String, sequence: Int, keyID: String, ownSequence: Int)
    /// The signing key failed.
    case key(AuditKeyError)
    /// The log does not exist (where it must: ``AuditLog/read(allowingAbsent:)``).
    case absent(file: String)
    /// The path names a directory, FIFO, device or socket: an audit log is a regular file (a
    /// FIFO would block the reader forever, `/dev/zero` never ends).
    case notARegularFile(file: String, kind: String)
    /// The log is larger than ``AuditLog/maximumSize``.
    case tooLarge(file: String, size: Int, limit: Int)
    /// The file exists and is empty: a log ScanGate started has a record, so an empty one was
    /// emptied (or made by hand), and appending would start the chain again over the evidence.
    case emptyLog(file: String)

    public var description: String {
        switch self {
        case .io(let file, let operation, let message):
            return "\(file): cannot \(operation): \(message)"
        case .brokenLog(let file, let failure):
            return "\(file) does not verify, so nothing was appended: \(failure). Investigate, and start a new log "
                + "once the old one is kept as evidence"
        case .signingKeyRequired(let file, let sequence):
            return "\(file): record \(sequence) is signed, so every record after it must be: give the signing key "
                + "(--audit-key)"
        case .foreignSignerAfterOwn(let file, let sequence, let keyID, let ownSequence):
            return "\(file): record \(sequence) is signed by key \(AuditText.excerpt(String(keyID.prefix(16))))…, "
                + "after records signed by this run's key: a rotation moves to the key that appends, so another "
                + "signer wrote into the log, and nothing was appended. Verify the log with every key that should "
                + "sign it (scangate audit verify --key …): if that key is meant to sign it too, give it to "
                + "release-gate as --audit-trusted-key; if record \(sequence) is not yours, keep the log as "
                + "evidence and start a new one (this key's last record before it: \(ownSequence))"
        case .key(let error):
            return "\(error)"
        case .absent(let file):
            return "\(file): no such file"
        case .notARegularFile(let file, let kind):
            return "\(file): is \(kind), not a regular file (an audit log is a regular file)"
        case .tooLarge(let file, let size, let limit):
            return "\(file): \(size) bytes or more, larger than the \(limit) bytes an audit log is read up to: "
                + "refused rather than read into memory"
        case .emptyLog(let file):
            return "\(file) exists and is empty, so nothing was appended: a log ScanGate writes starts with its "
                + "first record, so this one was emptied or made by hand. Investigate; to start a new log, remove "
                + "the empty file (release-gate creates it)"
        }
    }
}

/// What an append wrote.
public struct AuditAppendResult: Sendable {
    public var record: AuditRecord
    /// The line written, without its newline.
    public var line: [UInt8]
    /// SHA-256 of ``line``: the `previous` of the next record, and the value to pin.
    public var lineSHA256: String
    /// Whether the file was created by this append.
    public var created: Bool
}

/// An append-only JSON-lines audit log (format: `AuditRecord.swift`).
///
/// Appending takes an exclusive `flock(2)` on the file, reads and verifies the whole log (a
/// log that does not verify is refused, and so is an unsigned append to a signed log), then
/// writes the new line with a single `write(2)` on a descriptor opened with `O_APPEND` and
/// `fsync(2)`s it (and the directory when the file is new). A short write is continued (to
/// finish, or to learn why it cannot: a full disk), and a write that cannot finish is undone with
/// `ftruncate(2)` back to the old length, so the log never keeps half a record.
public struct AuditLog: Sendable {
    public let path: String
    public var clock: AuditClock
    /// The most bytes read from the log (1 GiB, some 500,000 records): the whole log is held
    /// in memory to verify it.
    public var maximumSize = 1 << 30

    public init(path: String, clock: AuditClock = .system) {
        self.path = path
        self.clock = clock
    }

    /// Reads the whole log; an absent file is an empty log unless `allowingAbsent` is false. Only
    /// a regular file is read (``AuditLogError/notARegularFile(file:kind:)``), of at most
    /// ``maximumSize`` bytes.
    public func read(allowingAbsent: Bool = true) throws(AuditLogError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO for reading would wait for a writer, possibly forever.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { if allowingAbsent { return [] } else { throw .absent(file: path) } }
            throw ioError("open", errno)
        }
        defer { close(descriptor) }
        try requireRegularFile(descriptor)
        return try readAll(descriptor)
    }

    /// Verifies the log, then appends `entry` as the next record, signed when `signingKey` is
    /// given. Signatures by `signingKey` (and by `trustedKeys`) are checked on the way;
    /// signatures by other keys are not (only `scangate audit verify --key` can check those).
    ///
    /// - Parameter prepare: called under the lock with the record about to be written (its
    ///   sequence number and line hash known, nothing written yet), for a caller whose own work
    ///   depends on the record and must be done before it is recorded (the release gate writes its
    ///   output, which names the record, first). It returns nil to write the record, or an entry
    ///   to write instead (the same place in the chain): the caller's work failed, and the record
    ///   must say so.
    @discardableResult
    public func append(
        _ entry: AuditEntry, signingKey: AuditSigningKey? = nil, trustedKeys: [AuditPublicKey] = [],
        beforeWriting prepare: (AuditAppendResult) -> AuditEntry? = { _ in nil }
    ) throws(AuditLogError) -> AuditAppendResult {
        var created = true
        var descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == EEXIST {
            created = false
            // O_NONBLOCK: no open may wait on a FIFO (it is refused below; no effect on a file).
            descriptor = open(path, O_RDWR | O_APPEND | O_NONBLOCK | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            if errno == EISDIR { throw .notARegularFile(file: path, kind: "a directory") }
            throw ioError("open", errno)
        }
        defer { close(descriptor) }
        // A log this call created and could not write its first record to is removed: left
        // empty, it would be refused as emptied by every later run.
        var appended = false
        defer { if created && !appended { unlink(path) } }
        try requireRegularFile(descriptor)
        // Two release jobs appending at once would both claim the same sequence number.
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ioError("lock", errno) }
        }
        defer { flock(descriptor, LOCK_UN) }

        var existing = try readAll(descriptor)
        // Empty but not created here: another release may have created it an instant ago and not
        // locked it yet (it locks right after creating, then writes). It gets two seconds to
        // write its first record; a log still empty then was emptied.
        var waits = 0
        while !created && existing.isEmpty && waits < 20 {
            flock(descriptor, LOCK_UN)
            usleep(100_000)
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else { throw ioError("lock", errno) }
            }
            existing = try readAll(descriptor)
            waits += 1
        }
        if !created && existing.isEmpty { throw .emptyLog(file: path) }
        let verification = try checkAppendable(existing, signingKey: signingKey, trustedKeys: trustedKeys)

        let sequence = (verification.last?.sequence ?? 0) + 1
        let time = RFC3339.utc(secondsSince1970: clock.now())
        let previous = verification.lastLineSHA256 ?? AuditRecord.genesis
        var result = try makeRecord(
            entry, sequence: sequence, time: time, previous: previous, signingKey: signingKey, created: created)
        if let replacement = prepare(result) {
            result = try makeRecord(
                replacement, sequence: sequence, time: time, previous: previous, signingKey: signingKey,
                created: created)
        }
        try appendLine(result.line + [0x0A], to: descriptor, restoringLength: existing.count)
        appended = true
        if created { syncDirectory() }
        return result
    }

    /// The record for `entry` at this place in the chain, signed when `signingKey` is given.
    private func makeRecord(
        _ entry: AuditEntry, sequence: Int, time: String, previous: String, signingKey: AuditSigningKey?,
        created: Bool
    ) throws(AuditLogError) -> AuditAppendResult {
        var record = AuditRecord(sequence: sequence, time: time, previous: previous, entry: entry)
        if let signingKey {
            do {
                let value = try signingKey.sign(record.canonicalBytes)
                record.signature = AuditSignature(
                    keyID: signingKey.publicKey.keyID, algorithm: signingKey.publicKey.algorithm.rawValue,
                    value: Data(value).base64EncodedString())
            } catch {
                throw .key(error)
            }
        }
        let line = record.lineBytes
        return AuditAppendResult(record: record, line: line, lineSHA256: AuditDigest.sha256Hex(line), created: created)
    }

    /// Checks, without the lock and without writing, that an append with this key would be
    /// accepted now (the file or its directory writable, the log verifying): run it before slow
    /// work so a broken log is reported first. ``append(_:signingKey:trustedKeys:)`` checks again
    /// under the lock.
    @discardableResult
    public func checkAppendable(
        signingKey: AuditSigningKey? = nil, trustedKeys: [AuditPublicKey] = []
    ) throws(AuditLogError) -> AuditVerification {
        // Writable: the file itself, or the directory it would be created in.
        let directory = (path as NSString).deletingLastPathComponent
        var status = stat()
        let exists = access(path, F_OK) == 0
        let absence = exists ? 0 : errno
        if exists {
            guard access(path, R_OK | W_OK) == 0 else { throw ioError("open", errno) }
        } else if absence != ENOENT {
            // A loop of links, a path through a file: said as the system says it.
            throw ioError("open", absence)
        } else if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
            // A link to nothing: the append could not create the log through it (O_EXCL), and
            // would say so only after the registries were asked.
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw ioError("open", ENOENT, detail: " (a link to \(target), which does not exist)")
        } else if access(directory.isEmpty ? "." : directory, W_OK | X_OK) != 0 {
            throw ioError("create", errno)
        }
        // An existing empty file is judged under the lock, by the append: here it may be a log
        // another release has just created.
        return try checkAppendable(try read(), signingKey: signingKey, trustedKeys: trustedKeys)
    }

    private func checkAppendable(
        _ bytes: [UInt8], signingKey: AuditSigningKey?, trustedKeys: [AuditPublicKey]
    ) throws(AuditLogError) -> AuditVerification {
        var verifier = AuditLogVerifier(trustedKeys: (signingKey.map { [$0.publicKey] } ?? []) + trustedKeys)
        verifier.skipsUnknownSigners = true
        let verification = verifier.verify(bytes)
        if let failure = verification.failure { throw .brokenLog(file: path, failure: failure) }
        if let last = verification.last, last.signature != nil, signingKey == nil {
            throw .signingKeyRequired(file: path, sequence: last.sequence)
        }
        if let signingKey, let last = verification.last, let lastKey = last.signature?.keyID,
            lastKey != signingKey.publicKey.keyID, !trustedKeys.contains(where: { $0.keyID == lastKey }),
            let ownSequence = verification.lastSequence(signedBy: signingKey.publicKey.keyID)
        {
            throw .foreignSignerAfterOwn(file: path, sequence: last.sequence, keyID: lastKey, ownSequence: ownSequence)
        }
        return verification
    }

    private func appendLine(_ bytes: [UInt8], to descriptor: Int32, restoringLength length: Int) throws(AuditLogError) {
        var offset = 0
        var code: Int32 = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                code = errno
                break
            }
            // A short write says nothing of why: writing the rest gets the reason (ENOSPC, EFBIG).
            guard written > 0 else {
                code = EIO
                break
            }
            offset += written
        }
        guard offset == bytes.count else {
            // Half a record would break the chain for every later append: take it back.
            if offset > 0 { _ = ftruncate(descriptor, off_t(length)) }
            throw ioError(
                "append", code,
                detail: offset > 0 ? " (after \(offset) of \(bytes.count) bytes; the part written was undone)" : "")
        }
        guard fsync(descriptor) == 0 else { throw ioError("sync", errno) }
    }

    /// Refuses anything but a regular file of at most ``maximumSize`` bytes.
    private func requireRegularFile(_ descriptor: Int32) throws(AuditLogError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ioError("inspect", errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .notARegularFile(file: path, kind: SmallFile.kind(of: status.st_mode))
        }
        guard Int(status.st_size) <= maximumSize else {
            throw .tooLarge(file: path, size: Int(status.st_size), limit: maximumSize)
        }
    }

    private func readAll(_ descriptor: Int32) throws(AuditLogError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ioError("read", errno)
            }
            if count == 0 { return bytes }
            // The file may have grown since it was inspected.
            guard bytes.count + count <= maximumSize else {
                throw .tooLarge(file: path, size: bytes.count + count, limit: maximumSize)
            }
            bytes.append(contentsOf: chunk[0..<count])
            offset += off_t(count)
        }
    }

    /// Makes a new file's directory entry durable too.
    private func syncDirectory() {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private func ioError(_ operation: String, _ code: Int32, detail: String = "") -> AuditLogError {
        .io(file: path, operation: operation, message: String(cString: strerror(code)) + detail)
    }
}
