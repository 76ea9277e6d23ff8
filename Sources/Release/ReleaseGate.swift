import Audit
import Findings
import Policy
import Signatures

/// The release gate as a library: one decision over the images' signatures and the findings,
/// for the job before a production tag.
///
/// The caller loads the policy, its keys, waivers, VEX and baseline, reads the reports and
/// verifies each image (``RegistryImageVerifier``); the release gate turns the verification
/// results into signature evidence the policy rules on (``Gate/evaluate(_:)``), and gives
/// back a ``ReleaseOutcome``: the decision, its exit status, its text and JSON, and the audit
/// entry to append. It reads no file and contacts no registry.
///
/// The release gate requires every image verified whatever the policy's `signatures.required`
/// says (``requiredBy``): a release job that lets an unsigned image through is no gate.
public struct ReleaseGate: Sendable {
    /// Who requires every image signed, in the policy's reasons.
    public static let requiredBy = "scangate release-gate"

    /// The policy (after `extends`); its `signatures: keys` are the trusted keys.
    public var policy: Policy
    /// The policy file and every file it extends, with their SHA-256, for the audit record
    /// (the first is the policy file given).
    public var policyFiles: [AuditFile]
    /// The keys the images were verified with, for the output.
    public var keys: [PublicKey]
    public var waivers: [WaiverFile]
    public var vex: [VEXDocument]
    public var baseline: Baseline?
    /// The day waivers are judged on.
    public var today: Day
    /// The repository being gated (``GateInput/repository``): OpenVEX statements whose product
    /// names a source repository apply to the source tree only when it is this one.
    public var repository: SourceRepository?

    public init(
        policy: Policy, policyFiles: [AuditFile] = [], keys: [PublicKey], waivers: [WaiverFile] = [],
        vex: [VEXDocument] = [], baseline: Baseline? = nil, today: Day, repository: SourceRepository? = nil
    ) {
        self.repository = repository
        self.policy = policy
        self.policyFiles = policyFiles
        self.keys = keys
        self.waivers = waivers
        self.vex = vex
        self.baseline = baseline
        self.today = today
    }

    /// The keys a release trusts: the policy's `signatures: keys`, or the project configuration's
    /// `release.keys` when the policy names none. When both name keys they must be the same keys
    /// (compared by content, not file name): nil then, as a release must not trust a key its
    /// reviewed policy does not, nor silently ignore one its configuration lists.
    public static func trustedKeys(policy: [PublicKey], configured: [PublicKey]) -> [PublicKey]? {
        if policy.isEmpty { return configured }
        if configured.isEmpty { return policy }
        return Set(policy.map(\.spki)) == Set(configured.map(\.spki)) ? policy : nil
    }

    /// The decision on a release whose reports were read and whose images were verified (one
    /// result per image, in the order given).
    ///
    /// A definite "no" (an image that did not verify, a failing finding) is ``ReleaseStatus/fail``
    /// and wins over a registry failure, which retrying could not turn into a pass; an image
    /// the registry failed for, with nothing else failing, is ``ReleaseStatus/registryFailure``.
    /// `reportWarnings`: what the report readers warned about, part of the decision's warnings.
    /// `scannedImages`: the images the reports scanned; each image released is matched to them by
    /// digest (``ImageVerification/scannedBy(_:)``), and the policy's `signatures: require-scan`
    /// fails one no report scanned.
    public func decide(
        tag: String, commit: String? = nil, findings: FindingSet, images: [ImageVerification],
        scannedImages: [ScannedImage] = [], reportWarnings: [String] = []
    ) -> ReleaseOutcome {
        let evidence = SignatureEvidence(
            images: images.map {
                $0.signatureEvidence(
                    scannedBy: $0.scannedBy(scannedImages), notingNoScan: policy.signatures.requireScan == nil)
            },
            requiredBy: Self.requiredBy)
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: policy, waivers: waivers, vex: vex, baseline: baseline, today: today,
                signatures: evidence, reportWarnings: reportWarnings, repository: repository))
        let signatures = decision.signatures.verdicts.filter { $0.verdict == .fail }
        // Fail closed: a release of no image has nothing verified.
        let definiteNo =
            images.isEmpty || !decision.findingsPassed || signatures.contains { $0.evidence.state != .notChecked }
        let status: ReleaseStatus
        if definiteNo {
            status = .fail
        } else if !signatures.isEmpty {
            status = .registryFailure
        } else {
            status = decision.passed ? .pass : .fail
        }
        return ReleaseOutcome(
            gate: self, status: status, tag: tag, commit: commit, references: images.map(\.reference),
            images: images, decision: decision, reportFailures: [])
    }

    /// The outcome when reports could not be read: nothing is decided and no image is checked
    /// (``ReleaseStatus/reportsUnreadable``), but the attempt is recorded.
    ///
    /// - Parameters:
    ///   - failures: one line per report that could not be read (the file and why).
    ///   - images: the images as given, none of them checked.
    public func reportsUnreadable(
        _ failures: [String], tag: String, commit: String? = nil, images: [String]
    ) -> ReleaseOutcome {
        ReleaseOutcome(
            gate: self, status: .reportsUnreadable, tag: tag, commit: commit, references: images, images: [],
            decision: nil, reportFailures: failures)
    }
}

/// The class of a release-gate outcome, and its exit status.
public enum ReleaseStatus: String, Sendable, Hashable, CaseIterable {
    /// Every image verified and no finding fails: exit 0.
    case pass
    /// An image did not verify, or the findings fail the policy: exit 1.
    case fail
    /// A report could not be read; no image was checked: exit 3.
    case reportsUnreadable = "reports-unreadable"
    /// A registry failed for some image and nothing else failed: exit 4.
    case registryFailure = "registry-failure"

    /// The command's exit status (README, "Exit codes").
    public var exitCode: Int32 {
        switch self {
        case .pass: 0
        case .fail: 1
        case .reportsUnreadable: 3
        case .registryFailure: 4
        }
    }

    /// How the audit log records it: a definite pass or fail, or an error.
    public var auditDecision: AuditDecision {
        switch self {
        case .pass: .pass
        case .fail: .fail
        case .reportsUnreadable, .registryFailure: .error
        }
    }
}

extension ImageVerification {
    /// The reports among `scanned` that scanned this image: one naming its manifest digest (or a
    /// platform manifest of its index) or its config digest. Nil when its digest is not known (the
    /// registry failed before resolving a tag): nothing can be matched then.
    public func scannedBy(_ scanned: [ScannedImage]) -> [String]? {
        guard digest != nil else { return nil }
        let manifests = Set((manifestDigests + [digest].compactMap { $0 }).map { $0.lowercased() })
        let configs = Set([configDigest].compactMap { $0?.lowercased() })
        return scanned.filter { $0.isImage(manifestDigests: manifests, configDigests: configs) }.map(\.report)
            .sortedUnique()
    }

    /// The verification result as evidence for the policy: verified (with the key and the
    /// signature), not verified (with the reason), or not checked (the registry failed); with
    /// the reports that scanned it, when they were matched (that none did is noted only when
    /// `notingNoScan`: under `require-scan` the verdict's reason says it).
    func signatureEvidence(scannedBy: [String]? = nil, notingNoScan: Bool = true) -> ImageSignatureEvidence {
        var notes: [String] = []
        if resolvedFromTag, let digest {
            notes.append("tag \(tag ?? "latest") is mutable: it points to \(digest) now; release by that digest")
        }
        if let scannedBy, !scannedBy.isEmpty {
            notes.append("scanned by \(scannedBy.joined(separator: ", "))")
        } else if scannedBy != nil, notingNoScan {
            notes.append("scanned by no report given (none names this image's manifest or config digest)")
        }
        let state: ImageSignatureEvidence.State
        let detail: String
        var keyID: String?
        if isVerified, let check = verifiedBy.first, let key = check.key {
            state = .verified
            detail = "verified by key \(key.source) (\(key.id.prefix(16))…, \(key.algorithm)), \(check.source)"
            keyID = key.id
        } else if isRegistryFailure {
            state = .notChecked
            detail = "the registry failed: \(failure?.detail ?? "")"
        } else {
            state = .notVerified
            detail = failure?.description ?? "no signature verified"
        }
        return ImageSignatureEvidence(
            reference: reference, digest: digest, resolvedFromTag: resolvedFromTag, state: state, detail: detail,
            keyID: keyID, notes: notes, scannedBy: scannedBy)
    }
}
