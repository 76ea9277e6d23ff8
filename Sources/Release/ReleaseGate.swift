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
    /// The calendar's date when `--now` chose ``today`` (``GateInput/calendarDay``), else nil.
    public var calendarDay: Day?
    /// The repository being gated (``GateInput/repository``): OpenVEX statements whose product
    /// names a source repository apply to the source tree only when it is this one.
    public var repository: SourceRepository?
    /// The environments the project configuration defines (``GateInput/definedEnvironments``).
    public var definedEnvironments: [String]?
    /// The environment the release is gated in (``GateInput/environment``): the one the project
    /// configuration mapped the policy for; nil: the policy's own.
    public var environment: String?

    public init(
        policy: Policy, policyFiles: [AuditFile] = [], keys: [PublicKey], waivers: [WaiverFile] = [],
        vex: [VEXDocument] = [], baseline: Baseline? = nil, today: Day, calendarDay: Day? = nil,
        repository: SourceRepository? = nil, definedEnvironments: [String]? = nil, environment: String? = nil
    ) {
        self.calendarDay = calendarDay
        self.environment = environment
        self.repository = repository
        self.definedEnvironments = definedEnvironments
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
    /// digest (``ImageVerification/scanCoverage(_:)``), and the policy's `signatures: require-scan`
    /// fails one that a platform image of no report scanned (a definite "no", whatever the
    /// registry did after the image's identity was read).
    /// `emptyScans`: the reports whose scans checked nothing; under the policy's `empty-scans: fail`
    /// each is a definite "no".
    public func decide(
        tag: String, commit: String? = nil, findings: FindingSet, images: [ImageVerification],
        scannedImages: [ScannedImage] = [], reportWarnings: [String] = [], emptyScans: [EmptyScan] = []
    ) -> ReleaseOutcome {
        let evidence = SignatureEvidence(
            images: images.map { $0.signatureEvidence(coverage: $0.scanCoverage(scannedImages)) },
            requiredBy: Self.requiredBy)
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: policy, waivers: waivers, vex: vex, baseline: baseline,
                environment: environment, today: today, signatures: evidence, reportWarnings: reportWarnings,
                repository: repository,
                definedEnvironments: definedEnvironments, emptyScans: emptyScans, calendarDay: calendarDay))
        let signatures = decision.signatures.verdicts.filter { $0.verdict == .fail }
        // Fail closed: a release of no image has nothing verified.
        let definiteNo =
            images.isEmpty || !decision.findingsPassed || !decision.failingEmptyScans.isEmpty
            || signatures.contains { $0.evidence.state != .notChecked || $0.failsForScan }
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

/// Which reports scanned an image being released, and which of its platform images none did.
public struct ScanCoverage: Sendable, Hashable {
    /// The reports that scanned at least one of its platform images, sorted.
    public var scannedBy: [String]
    /// Its platform images no report scanned (``ImagePlatform/description``); for an index
    /// that lists none, its own digest.
    public var notScanned: [String]
    /// Whether it is an index that lists no platform image (none, or attestations only).
    public var listsNoPlatform: Bool = false
}

extension ImageVerification {
    /// Which reports among `scanned` scanned this image, platform by platform; nil when its
    /// identity is not known (the registry failed before it was read). A platform image is
    /// scanned by a report that names its manifest digest, or its config digest as the image
    /// id (or the manifest digest, as Docker's containerd store does). A report that names only
    /// an index's digest (what `trivy image` writes for a multi-platform tag: it scans one
    /// platform) scans the platform whose config is its image id, or the index's only platform.
    /// An index that lists no platform image is scanned by none: what it stands for is known
    /// (its bytes were read and checked against its digest), and there is nothing in it a
    /// report can have scanned, so it fails `require-scan` as a definite "no" (exit 1). It is
    /// no registry error: the registry served what was pushed, and asking again changes nothing.
    public func scanCoverage(_ scanned: [ScannedImage]) -> ScanCoverage? {
        guard let digest, let platforms else { return nil }
        guard !platforms.isEmpty else {
            return ScanCoverage(scannedBy: [], notScanned: [digest], listsNoPlatform: true)
        }
        var scannedBy: [String] = []
        var notScanned: [String] = []
        for platform in platforms {
            let covering = scanned.filter { report in
                report.names(platform.digest)
                    || platform.configDigest.map { report.configDigest == $0.lowercased() } == true
                    || (platforms.count == 1 && report.names(digest))
            }
            if covering.isEmpty { notScanned.append(platform.description) }
            scannedBy += covering.map(\.report)
        }
        return ScanCoverage(scannedBy: scannedBy.sortedUnique(), notScanned: notScanned)
    }

    /// The verification result as evidence for the policy: verified (with the key and the
    /// signature), not verified (with the reason), or not checked (the registry failed); with
    /// which reports scanned it, when its identity is known.
    func signatureEvidence(coverage: ScanCoverage? = nil) -> ImageSignatureEvidence {
        var notes: [String] = []
        if resolvedFromTag, let digest {
            notes.append("tag \(tag ?? "latest") is mutable: it points to \(digest) now; release by that digest")
        }
        if let coverage, !coverage.scannedBy.isEmpty {
            notes.append("scanned by \(coverage.scannedBy.joined(separator: ", "))")
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
            keyID: keyID, notes: notes, scannedBy: coverage?.scannedBy, notScanned: coverage?.notScanned ?? [],
            listsNoPlatform: coverage?.listsNoPlatform ?? false)
    }
}
