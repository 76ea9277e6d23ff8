import Audit
import Policy
import ScanGateJSON
import Signatures

/// The one decision of a release-gate run and its renderings: the reasons, the text for a
/// person, the JSON, and the audit entry to append.
public struct ReleaseOutcome: Sendable {
    /// The configuration that decided.
    public var gate: ReleaseGate
    public var status: ReleaseStatus
    public var tag: String
    public var commit: String?
    /// The images as given, in order.
    public var references: [String]
    /// The verification result of each image; empty when the reports could not be read.
    public var images: [ImageVerification]
    /// The policy's decision over the findings and the signature evidence; nil when the
    /// reports could not be read.
    public var decision: Decision?
    /// One line per report that could not be read.
    public var reportFailures: [String]
    /// Why the decision could not be appended to the audit log, when it could not: then it does
    /// not count, whatever it was (error, exit 2), and the output says so.
    public var notRecorded: String?
    /// Why the output file could not be written, when it could not: then the decision does not
    /// count either (error, exit 2), and the audit record says so.
    public var outputFailure: String?

    /// The decision as the audit log records it, and as the output states it.
    public var auditDecision: AuditDecision {
        notRecorded == nil && outputFailure == nil ? status.auditDecision : .error
    }

    /// The command's exit status: the decision's, or 2 when it could not be recorded or written.
    public var exitCode: Int32 { notRecorded == nil && outputFailure == nil ? status.exitCode : 2 }

    /// Every reason for the decision: each unreadable report, each image's verdict, each
    /// failing finding, each `max:` exceeded, each report that checked nothing and fails
    /// (`empty-scans: fail`), each waiver that expired but applies as of `--now`, the findings'
    /// count line.
    public var reasons: [String] {
        var reasons = reportFailures.map { "report unreadable: \($0)" }
        guard let decision else {
            for reference in references { reasons.append("image \(reference): not checked") }
            return reasons
        }
        if references.isEmpty { reasons.append("no image was given: nothing is released unverified") }
        for verdict in decision.signatures.verdicts {
            let image = verdict.evidence
            let name = image.digest.map { "\(image.reference) (\($0))" } ?? image.reference
            reasons.append("image \(name): \(verdict.reason.text)")
        }
        for verdict in decision.verdicts where verdict.verdict == .fail {
            let finding = verdict.finding
            var what = "finding \(verdict.severity.rawValue) \(finding.kind.rawValue) \(finding.ruleID)"
            if let package = finding.package {
                what += " \(package.name)" + (package.installedVersion.map { " \($0)" } ?? "")
            }
            reasons.append("\(what) fails: \(verdict.reason.text)")
        }
        for check in decision.maxCounts where check.exceeded {
            reasons.append(
                "max \(check.severity): \(check.count) remain, the policy allows \(check.limit.value) "
                    + "(\(check.limit.source))")
        }
        for scan in decision.failingEmptyScans { reasons.append("report \(scan.reason.text)") }
        // A release judged as of a past day (`--now`) says which expired waivers that revived.
        if let calendarDay = decision.calendarDay {
            for report in decision.revivedWaivers {
                reasons.append(
                    Gate.revivedWaiverNote(report.waiver, judgedOn: decision.today, calendarDay: calendarDay))
            }
        }
        reasons.append("findings: " + Self.findingsLine(decision))
        if let outputFailure {
            reasons.append("the output could not be written, so it does not count: \(outputFailure)")
        }
        if let notRecorded { reasons.append("not recorded in the audit log, so it does not count: \(notRecorded)") }
        return reasons
    }

    /// `0 failing, 3 warnings, … 5 passed (pass; policy production.yaml, env production)`: the
    /// findings' part of the decision (the images have their own lines).
    static func findingsLine(_ decision: Decision) -> String {
        let policyName = decision.policyFile.split(separator: "/").last.map(String.init) ?? decision.policyFile
        return DecisionText.countsLine(decision)
            + " (\(decision.findingsPassed ? "pass" : "FAIL"); policy \(policyName), env \(decision.environment))"
    }

    /// `FAIL: tag v1.4.0: 1 of 2 images verified; 1 registry failure; findings 0 failing, …`.
    public var summary: String {
        let verified = images.filter(\.isVerified).count
        var parts = ["\(verified) of \(references.count) images verified"]
        if !reportFailures.isEmpty {
            parts = ["\(reportFailures.count) reports unreadable, images not checked"]
        }
        let registry = images.filter(\.isRegistryFailure).count
        if registry > 0 { parts.append("\(registry) registry failure\(registry == 1 ? "" : "s")") }
        let unscanned = decision?.signatures.verdicts.filter(\.failsForScan).count ?? 0
        if unscanned > 0 { parts.append("\(unscanned) not scanned") }
        let checkedNothing = decision?.failingEmptyScans.count ?? 0
        if checkedNothing > 0 {
            parts.append("\(checkedNothing) report\(checkedNothing == 1 ? "" : "s") checked nothing")
        }
        if let decision { parts.append("findings " + Self.findingsLine(decision)) }
        let label: String
        switch auditDecision {
        case .pass: label = "PASS"
        case .fail: label = "FAIL"
        case .error: label = "ERROR"
        }
        return "\(label): tag \(tag): " + parts.joined(separator: "; ")
    }

    // MARK: Audit entry

    /// The record to append to the audit log: tag, commit, environment, the policy files'
    /// digests, each image with its digest and the key that verified it, counts, decision,
    /// exit status and reasons.
    public var auditEntry: AuditEntry {
        let policy = gate.policy
        let recorded = references.enumerated().map { index, reference in
            guard index < images.count else {
                let parsed = Signatures.ImageReference(reference)
                return AuditImage(
                    reference: reference, digest: parsed?.digest, mutable: parsed?.isMutable ?? true, verified: false,
                    key: nil, reason: "not checked: a report could not be read")
            }
            let image = images[index]
            let key = image.verifiedBy.first?.key.map { AuditKeyReference(id: $0.id, file: $0.source) }
            var reason: String
            if image.isVerified, let check = image.verifiedBy.first {
                reason = "verified: \(check.source)" + (check.layerDigest.map { " [\($0)]" } ?? "")
            } else {
                reason = image.failure?.description ?? "not verified"
            }
            // Which reports vouched for what was released, or what none did.
            let verdicts = decision?.signatures.verdicts ?? []
            if index < verdicts.count, let scannedBy = verdicts[index].evidence.scannedBy {
                let evidence = verdicts[index].evidence
                if !scannedBy.isEmpty { reason += "; scanned by \(scannedBy.joined(separator: ", "))" }
                if !evidence.notScanned.isEmpty {
                    reason += "; NOT scanned: \(evidence.notScanned.joined(separator: ", "))"
                }
            }
            return AuditImage(
                reference: reference, digest: image.digest, mutable: image.resolvedFromTag,
                verified: image.isVerified, key: key, reason: reason)
        }
        var counts = [
            AuditCount("images", references.count),
            AuditCount("imagesVerified", images.filter(\.isVerified).count),
            AuditCount("reportsUnreadable", reportFailures.count),
        ]
        if let decision {
            for verdict in Verdict.allCases { counts.append(AuditCount(verdict.rawValue, decision.counts[verdict])) }
        }
        return AuditEntry(
            event: "release-gate", tag: tag, commit: commit,
            environment: decision?.environment ?? gate.environment ?? policy.environment,
            policy: AuditPolicy(
                file: policy.file, sha256: gate.policyFiles.first?.sha256 ?? "", files: gate.policyFiles),
            // The status the command exits with (2 when the output could not be written).
            images: recorded, counts: counts, decision: auditDecision, exitStatus: Int(exitCode),
            reasons: reasons)
    }

    // MARK: Text

    /// The outcome for a person: the header, the keys, each image's verdict and the findings'
    /// verdicts as the policy's decision shows them, the audit record appended, the summary.
    ///
    /// - Parameters:
    ///   - audit: the record appended, when one was.
    ///   - log: the audit log's path, when one was given.
    public func text(audit: AuditAppendResult?, log: String?) -> String {
        let policy = gate.policy
        var lines: [String] = []
        var header = "scangate release-gate: tag \(tag)"
        if let commit { header += ", commit \(commit)" }
        header += ", policy \(policy.file)"
        if policy.files.count > 1 { header += " (extends \(policy.files.dropFirst().joined(separator: ", ")))" }
        header += ", environment \(gate.environment ?? policy.environment), date \(gate.today)"
        lines.append(header)
        lines.append(
            "keys: " + gate.keys.map { "\($0.source) (\($0.id.prefix(16))…, \($0.algorithm))" }.joined(separator: ", "))
        if let baseline = decision?.baseline { lines.append("baseline: \(baseline)") }
        lines.append("")
        // A reader's error may quote the report: one printable line, as the verdicts are.
        for failure in reportFailures { lines.append("ERROR   report unreadable: \(failure)".printableLine) }
        if let decision {
            // The policy's own rendering of the images' and the findings' verdicts.
            var body = DecisionText.verdictLines(decision)
            if body.first == "" { body.removeFirst() }
            lines += body
        } else {
            for reference in references { lines.append("ERROR   image \(reference): not checked") }
        }
        lines.append("")
        if let audit, let log {
            var line = "audit: record \(audit.record.sequence) appended to \(log), line SHA-256 \(audit.lineSHA256)"
            if let signature = audit.record.signature { line += ", signed by key \(signature.keyID.prefix(16))…" }
            lines.append(line)
        }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    /// `{"schema":"scangate-release-gate/1","decision","exit","summary","tag","commit","reasons",
    ///   "reportsUnreadable","keys":[…],"images":[scangate verify's image object…],
    ///   "gate":{scangate gate's decision, with the images' signature verdicts, without its
    ///   summary}|null,"audit":{"log","sequence","lineSHA256","keyId"}|null}`.
    public func json(audit: AuditAppendResult?, log: String?) -> [UInt8] {
        var writer = JSONWriter(pretty: true, reservingCapacity: 1 << 14)
        writer.beginObject()
        writer.field("schema", "scangate-release-gate/1")
        writer.field("decision", auditDecision.rawValue)
        writer.field("exit", Int(exitCode))
        writer.field("summary", summary)
        writer.field("tag", tag)
        writer.field("commit", commit)
        writer.field("reasons", reasons)
        writer.field("reportsUnreadable", reportFailures)
        writer.key("keys")
        writer.beginArray()
        for key in gate.keys {
            writer.beginObject()
            writer.field("file", key.source)
            writer.field("id", key.id)
            writer.field("algorithm", key.algorithm.description)
            writer.endObject()
        }
        writer.endArray()
        writer.key("images")
        writer.beginArray()
        for image in images { image.write(to: &writer) }
        writer.endArray()
        writer.key("gate")
        if let decision {
            DecisionJSON.write(decision, to: &writer, includingSummary: false)
        } else {
            writer.null()
        }
        writer.key("audit")
        if let audit, let log {
            writer.beginObject()
            writer.field("log", log)
            writer.field("sequence", audit.record.sequence)
            writer.field("lineSHA256", audit.lineSHA256)
            writer.field("keyId", audit.record.signature?.keyID)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.endObject()
        writer.newline()
        return writer.bytes
    }
}
