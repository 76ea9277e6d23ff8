import Audit
import Foundation
import Testing

/// Paths, temporary directories, keys made with the `openssl` command and records for the tests.
enum AuditSupport {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct CommandError: Error, CustomStringConvertible {
        var description: String
    }

    /// A new, empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static var hasOpenSSL: Bool {
        ["/usr/bin/openssl", "/usr/local/bin/openssl"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `openssl` with these arguments, failing when it does.
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError(description: "openssl \(arguments): " + String(decoding: message, as: UTF8.self))
        }
        return data
    }

    enum KeyType: String, CaseIterable {
        case p256 = "P-256"
        case p384 = "P-384"
        case ed25519 = "Ed25519"
        case rsa = "RSA"
    }

    /// A key pair written by `openssl genpkey`: (private PEM path, public PEM path).
    static func makeKey(_ type: KeyType, named name: String, in directory: URL) throws -> (String, String) {
        let privatePath = directory.appendingPathComponent("\(name).key").path
        let publicPath = directory.appendingPathComponent("\(name).pub").path
        switch type {
        case .p256:
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", privatePath])
        case .p384:
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", privatePath])
        case .ed25519:
            try openssl(["genpkey", "-algorithm", "ed25519", "-out", privatePath])
        case .rsa:
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privatePath])
        }
        try openssl(["pkey", "-in", privatePath, "-pubout", "-out", publicPath])
        return (privatePath, publicPath)
    }

    /// A release-gate entry that differs by `index`.
    static func entry(_ index: Int, decision: AuditDecision = .pass) -> AuditEntry {
        AuditEntry(
            event: "release-gate", tag: "v1.\(index).0", commit: String(repeating: "a", count: 40),
            environment: "production",
            policy: AuditPolicy(
                file: "policies/production.yaml", sha256: String(repeating: "b", count: 64),
                files: [
                    AuditFile(file: "policies/production.yaml", sha256: String(repeating: "b", count: 64)),
                    AuditFile(file: "policies/default.yaml", sha256: String(repeating: "c", count: 64)),
                ]),
            images: [
                AuditImage(
                    reference: "registry.example/acme/api:v1.\(index).0",
                    digest: "sha256:" + String(repeating: "d", count: 64),
                    mutable: true, verified: true,
                    key: AuditKeyReference(id: String(repeating: "e", count: 64), file: "release.pub"),
                    reason: "signature verified with release.pub")
            ],
            counts: [AuditCount("fail", 0), AuditCount("warn", index)], decision: decision,
            exitStatus: decision == .pass ? 0 : 1, reasons: decision == .pass ? [] : ["CVE-2021-44906 fails: fail-on"])
    }

    /// A log of `count` records appended by `AuditLog`, one second apart.
    static func makeLog(
        _ count: Int, at path: String, signingKey: AuditSigningKey? = nil, startingAt start: Int = 1
    ) throws {
        for index in start..<(start + count) {
            try AuditLog(path: path, clock: .fixed(1_790_000_000 + index)).append(entry(index), signingKey: signingKey)
        }
    }

    static func lines(of path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Opens the FIFO at `path` for writing after `seconds`, and closes it at once: a reader
    /// waiting for a writer (the hang a test is about) then reads an empty file and the test
    /// fails instead of hanging. A reader that never waited is not affected.
    static func releaseFIFO(_ path: String, after seconds: Double = 3) {
        Thread {
            Thread.sleep(forTimeInterval: seconds)
            let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 { close(descriptor) }
        }.start()
    }

    static func write(_ lines: [String], to path: String) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    /// `lines` without their signatures and with every `previous` recomputed: what anyone who
    /// can write the file makes of a signed log.
    static func strippedAndRechained(_ lines: [String]) throws -> [String] {
        var previous = AuditRecord.genesis
        return try lines.map { line in
            var record = try AuditRecord.decode(line: Array(line.utf8))
            record.signature = nil
            record.previous = previous
            previous = AuditDigest.sha256Hex(record.lineBytes)
            return String(decoding: record.lineBytes, as: UTF8.self)
        }
    }

    static func verify(_ path: String, keys: [AuditPublicKey] = [], requireSignatures: Bool = false)
        throws -> AuditVerification
    {
        let bytes = try AuditLog(path: path).read()
        return AuditLogVerifier(trustedKeys: keys, requireSignatures: requireSignatures).verify(bytes)
    }
}
