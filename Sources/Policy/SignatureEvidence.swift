/// What was found out about the signatures of the images a gate decides over: evidence the
/// policy's `signatures:` rules on, like findings.
///
/// The Policy module does not verify signatures and does not know how they are verified: the
/// caller (the release gate) verifies each image and describes the outcome here. Without
/// evidence, ``Gate`` reports required signatures as not verified (never as passed).
public struct SignatureEvidence: Sendable, Hashable {
    /// One entry per image, in the order the images were given.
    public var images: [ImageSignatureEvidence]
    /// Who requires every image verified whatever the policy's `signatures.required` says
    /// (`"scangate release-gate"`), or nil: the policy decides. A caller whose job is to
    /// release only signed images sets it, so `required: false` cannot let an unsigned image
    /// through.
    public var requiredBy: String?

    public init(images: [ImageSignatureEvidence], requiredBy: String? = nil) {
        self.images = images
        self.requiredBy = requiredBy
    }
}

/// What was found out about one image's signatures.
public struct ImageSignatureEvidence: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// At least one signature passed every check with a trusted key.
        case verified
        /// The image was checked and no signature passed (none, wrong key, digest mismatch, …).
        case notVerified = "not-verified"
        /// The image could not be checked (a registry failed): not verified either, but asking
        /// again may give another answer.
        case notChecked = "not-checked"
    }

    /// The image as the user named it.
    public var reference: String
    /// The digest the verdict holds for, when known.
    public var digest: String?
    /// Whether `reference` names a tag that was resolved to `digest` (shown as `reference → digest`).
    public var resolvedFromTag: Bool
    public var state: State
    /// One line: for a verified image, the key and signature that verified it; otherwise why
    /// not (`no-signature: …`, or for `notChecked` a clause such as `the registry failed: …`).
    public var detail: String
    /// The id of the key that verified the image, when it verified.
    public var keyID: String?
    /// More lines a person should read (a mutable tag).
    public var notes: [String]
    /// The reports that scanned this very image (by manifest or config digest), or nil when
    /// nobody looked or its identity is not known (``SignaturePolicy/requireScan`` then has
    /// nothing to rule on).
    public var scannedBy: [String]?
    /// Its platform images (`linux/arm64 (sha256:…)`, or the digest of a single-platform image)
    /// that no report scanned; empty when every one was, or when ``scannedBy`` is nil.
    public var notScanned: [String]
    /// Whether the image is an index that lists no platform image (none, or attestations
    /// only): nothing in it can have been scanned (``notScanned`` is its digest).
    public var listsNoPlatform: Bool

    public init(
        reference: String, digest: String? = nil, resolvedFromTag: Bool = false, state: State, detail: String,
        keyID: String? = nil, notes: [String] = [], scannedBy: [String]? = nil, notScanned: [String] = [],
        listsNoPlatform: Bool = false
    ) {
        self.scannedBy = scannedBy
        self.notScanned = notScanned
        self.listsNoPlatform = listsNoPlatform
        self.reference = reference
        self.digest = digest
        self.resolvedFromTag = resolvedFromTag
        self.state = state
        self.detail = detail
        self.keyID = keyID
        self.notes = notes
    }

    /// `registry/repo:tag → sha256:…` for a tag resolved to a digest, else the reference.
    public var displayName: String {
        guard resolvedFromTag, let digest else { return reference }
        return "\(reference) → \(digest)"
    }
}

/// What the gate decided about one image's signatures.
public struct SignatureVerdict: Sendable {
    public var evidence: ImageSignatureEvidence
    /// `pass` (verified), `fail` (required and not verified or not checked) or `warn` (not
    /// verified, and nothing requires it).
    public var verdict: Verdict
    /// Kind ``Reason/Kind/signature``; the source is the policy's `signatures:` setting.
    public var reason: Reason
    /// Whether it fails because no report scanned the image (`require-scan`): a definite "no"
    /// even when the registry failed on its signatures, since retrying cannot scan it.
    public var failsForScan: Bool

    public init(evidence: ImageSignatureEvidence, verdict: Verdict, reason: Reason, failsForScan: Bool = false) {
        self.evidence = evidence
        self.verdict = verdict
        self.reason = reason
        self.failsForScan = failsForScan
    }
}

extension Gate {
    /// What of `image` no report scanned, as a clause (`NOT scanned: …`); nil when every
    /// platform image was scanned, or nobody could look.
    private static func scanGap(_ image: ImageSignatureEvidence) -> String? {
        guard let scannedBy = image.scannedBy, !image.notScanned.isEmpty else { return nil }
        if image.listsNoPlatform {
            return "NOT scanned: it is an index that lists no platform image (none, or only attestations), so "
                + "no report can have scanned it"
        }
        guard !scannedBy.isEmpty else {
            return "NOT scanned: no report given names this image (a Trivy image report of this build: its "
                + "RepoDigests or ImageID)"
        }
        return "NOT scanned: \(image.notScanned.joined(separator: ", ")) (the reports given scanned only "
            + "other platforms of it; scan each, trivy image --platform)"
    }

    /// The signature part of the decision, and the warning to give when there is no evidence.
    static func judgeSignatures(_ evidence: SignatureEvidence?, policy: SignaturePolicy) -> (SignatureReport, String?) {
        let place = policy.source.map { " (\($0))" } ?? ""
        // Without evidence (scangate gate), required signatures are a warning and never a pass.
        guard let evidence, !evidence.images.isEmpty else {
            guard policy.required else { return (SignatureReport(status: .notRequired, policy: policy), nil) }
            let warning =
                "signatures NOT verified: the policy requires signed images\(place), but scangate gate does not "
                + "verify signatures; scangate release-gate will enforce them"
            return (SignatureReport(status: .notVerified, policy: policy), warning)
        }
        let requirement: String?
        if policy.required {
            requirement = "the policy requires signed images\(place)"
        } else if let caller = evidence.requiredBy {
            requirement = "\(caller) requires every image signed, whatever signatures: required says\(place)"
        } else {
            requirement = nil
        }
        let verdicts = evidence.images.map { image in
            let verdict: Verdict
            let text: String
            switch image.state {
            case .verified:
                verdict = .pass
                text = image.detail
            case .notVerified, .notChecked:
                let what = image.state == .notVerified ? "NOT verified: " : "not checked, "
                if let requirement {
                    verdict = .fail
                    text = what + image.detail + "; " + requirement
                } else {
                    verdict = .warn
                    text = what + image.detail + "; the policy does not require signed images\(place)"
                }
            }
            // A signed image is not a scanned one: under `require-scan`, an image the reports did
            // not scan (another build, or none; one platform of several) fails too, whenever its
            // identity is known (the registry may have failed on its signatures after it).
            if let scanGap = scanGap(image) {
                guard let requireScan = policy.requireScan else {
                    var noted = image
                    noted.notes.append(scanGap)
                    return SignatureVerdict(
                        evidence: noted, verdict: verdict,
                        reason: Reason(kind: .signature, text: text, source: policy.source))
                }
                return SignatureVerdict(
                    evidence: image, verdict: .fail,
                    reason: Reason(
                        kind: .signature,
                        text: text + "; " + scanGap + "; the policy requires every image released scanned "
                            + "(\(requireScan))", source: requireScan),
                    failsForScan: true)
            }
            return SignatureVerdict(
                evidence: image, verdict: verdict, reason: Reason(kind: .signature, text: text, source: policy.source))
        }
        let status: SignatureReport.Status =
            verdicts.allSatisfy { $0.evidence.state == .verified } ? .verified : .notVerified
        return (
            SignatureReport(status: status, policy: policy, verdicts: verdicts, requiredBy: evidence.requiredBy), nil
        )
    }
}
