import ArgumentParser
import Audit
import Foundation
import OutputFiles
import Policy
import ScanGateJSON

/// `scangate audit`: commands on the release gate's audit log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Work with the release gate's audit log.",
        subcommands: [AuditVerifyCommand.self]
    )

    /// `scangate audit` without `verify`: the help on standard error, exit 2 (as `scangate`).
    func run() throws { try ScanGate.noCommandGiven(help: Self.helpMessage()) }
}

/// `scangate audit verify audit.jsonl [--key PUBLIC.pem … [--allow-unsigned]] [--head SHA256]`.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an audit log's hash chain and signatures; name the first record altered or removed.",
        discussion: """
            Every line must be a record exactly as ScanGate wrote it, sequence numbers must run 1, 2, 3, \
            …, and each record's previous must be the SHA-256 of the line before it. With --key, every \
            record must be signed and its signature must verify with one of the keys (a record signed by \
            any other key, or not signed at all, fails): a log rewritten without its signatures would \
            otherwise verify. --allow-unsigned accepts unsigned records before the first signed one (a \
            log that was started without a key); they are counted as NOT signed, and some record must \
            still be signed by a key given. Once a record is \
            signed, every later one must be. Without --key only the chain is checked, and an unsigned \
            log verifies. The chain cannot show that the newest records were \
            cut off: pass --head with the SHA-256 of a record's line (the release gate prints it) to \
            require that record. An empty log does not verify. Exit codes: 0 the log verifies, 1 it does \
            not (the first bad record is named), 2 usage error or unusable key, 3 the log cannot be read.
            """
    )

    @Argument(help: "The audit log (JSON lines).")
    var log: String

    @Option(name: .customLong("key"), help: "A public key (PEM) whose signatures are trusted; may be repeated.")
    var keys: [String] = []

    @Flag(help: "Every record must be signed by a trusted key (needs --key; the default with --key).")
    var requireSignatures = false

    @Flag(
        help: """
            With --key, accept records that are not signed (they are counted as NOT signed); once a record is \
            signed, every later one must still be.
            """)
    var allowUnsigned = false

    @Option(help: "The SHA-256 (hex) of a record's line that must be in the log.")
    var head: String?

    @Option(help: "Output format: table or json.")
    var format: GateOutputFormat = .table

    func validate() throws {
        if requireSignatures && keys.isEmpty {
            throw ValidationError("--require-signatures needs at least one --key")
        }
        if allowUnsigned && keys.isEmpty {
            throw ValidationError("--allow-unsigned needs at least one --key (without one, unsigned logs verify)")
        }
        if allowUnsigned && requireSignatures {
            throw ValidationError("--allow-unsigned and --require-signatures contradict each other")
        }
        if let head {
            let valid = head.utf8.count == 64 && head.utf8.allSatisfy { Self.hexDigits.contains($0) }
            guard valid else { throw ValidationError("--head must be a SHA-256 in 64 lower-case hex digits") }
        }
    }

    private static let hexDigits = Set("0123456789abcdef".utf8)

    /// Whether every record must be signed by a trusted key: with --key, unless --allow-unsigned.
    private var requiresSignatures: Bool { requireSignatures || (!keys.isEmpty && !allowUnsigned) }

    func run() throws {
        var trusted: [AuditPublicKey] = []
        for path in keys {
            do {
                trusted.append(try AuditPublicKey(contentsOf: path))
            } catch {
                Terminal.error("error: \(error)".printableLine)
                throw ExitCode(ExitStatus.usage)
            }
        }
        let bytes: [UInt8]
        do {
            // Absent, a directory, a FIFO or a device: each said as what it is, exit 3.
            bytes = try AuditLog(path: log).read(allowingAbsent: false)
        } catch {
            Terminal.error("error: \(error)".printableLine)
            throw ExitCode(ExitStatus.unreadableReport)
        }
        // A key given is a promise that the records are signed: a log stripped of its signatures
        // and re-chained must not verify with it (only --allow-unsigned says otherwise).
        var verifier = AuditLogVerifier(
            trustedKeys: trusted, requireSignatures: requiresSignatures, expectedRecord: head)
        verifier.requiresRecords = true
        verifier.requiresATrustedSignature = allowUnsigned
        let result = verifier.verify(bytes)
        let output: [UInt8]
        switch format {
        case .table: output = Array(text(result, trusted: trusted).utf8)
        case .json: output = json(result)
        }
        // Standard output is a CI job's log, and record text is whoever wrote the log's: no line of
        // it may become a workflow command.
        try StandardOutput.write(LogText.defusingCommands(output))
        if !result.isValid { throw ExitCode(ExitStatus.gateFailed) }
    }

    private func text(_ result: AuditVerification, trusted: [AuditPublicKey]) -> String {
        var lines = ["audit log  \(log)"]
        // A failure of no one record (none signed by the keys given) leaves every record good.
        let wholeLog = result.failure.map { $0.sequence == nil && $0.kind == .unsigned } ?? false
        lines.append(
            "records    \(result.records)" + (result.isValid || wholeLog ? "" : " good before the first bad one"))
        if let last = result.last, let hash = result.lastLineSHA256 {
            lines.append("last       record \(last.sequence), \(last.time), line SHA-256 \(hash)")
        }
        lines.append("signatures \(signatureSummary(result, trusted: trusted))")
        if let failure = result.failure {
            lines.append(wholeLog ? "problem    \(failure.message)" : "first bad  \(failure)")
            lines.append("result     NOT VERIFIED (\(failure.kind.rawValue))")
        } else if trusted.isEmpty && result.signedRecords > 0 {
            // The chain holds; whoever signed the records was not checked.
            lines.append("result     VERIFIED (the chain; signatures not checked: give --key)")
        } else if !trusted.isEmpty && result.signedRecords < result.records {
            let unsigned = result.records - result.signedRecords
            lines.append(
                "result     VERIFIED (\(unsigned) record\(unsigned == 1 ? "" : "s") NOT signed, accepted by "
                    + "--allow-unsigned)")
        } else {
            lines.append("result     VERIFIED")
        }
        // Each line one printable line: a message quoting a record (a schema with a newline and an
        // escape sequence) must not start a line of its own or drive the terminal.
        return lines.map(\.printableLine).joined(separator: "\n") + "\n"
    }

    private func signatureSummary(_ result: AuditVerification, trusted: [AuditPublicKey]) -> String {
        if keys.isEmpty {
            return result.signedRecords > 0 ? "\(result.signedRecords) signed, NOT checked (give --key)" : "none"
        }
        let names = result.signingKeys.map { id in
            trusted.first { $0.keyID == id }.map { "\($0.file) (\(id.prefix(16))…)" } ?? "\(id.prefix(16))…"
        }
        // Counted even when no record is signed: "none" would read as nothing wrong.
        var summary = "\(result.verifiedSignatures) of \(result.signedRecords) verified"
        if !names.isEmpty { summary += ", by " + names.joined(separator: ", ") }
        // A log rewritten without its signatures and signed again on top verifies record by record:
        // what no key vouches for must show (`--require-signatures` refuses it).
        let unsigned = result.records - result.signedRecords
        if unsigned > 0 {
            summary += "; \(unsigned) record\(unsigned == 1 ? "" : "s") NOT signed"
        }
        return summary
    }

    private func json(_ result: AuditVerification) -> [UInt8] {
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("schema", "scangate-audit-verification/1")
        writer.field("log", log)
        writer.field("verified", result.isValid)
        writer.field("records", result.records)
        writer.field("lastSequence", result.last?.sequence)
        writer.field("lastLineSHA256", result.lastLineSHA256)
        writer.field("signedRecords", result.signedRecords)
        writer.field("verifiedSignatures", result.verifiedSignatures)
        writer.field("signaturesChecked", !keys.isEmpty)
        writer.field("signaturesRequired", requiresSignatures)
        writer.field("signingKeys", result.signingKeys)
        writer.key("failure")
        if let failure = result.failure {
            writer.beginObject()
            writer.field("kind", failure.kind.rawValue)
            writer.field("sequence", failure.sequence)
            writer.field("line", failure.line)
            writer.field("message", failure.message)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.endObject()
        writer.newline()
        return writer.bytes
    }
}
