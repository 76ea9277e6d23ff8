/// Why a signature or an image did not verify. Every one of them means "not verified".
public enum FailureReason: String, Sendable, CaseIterable {
    /// No signature was found for the digest (no `.sig` tag, no bundle referrer, no file).
    case noSignature = "no-signature"
    /// No trusted key verifies the signature: signed by another key, or the signed bytes were altered.
    case wrongKey = "wrong-key"
    /// The signature is valid but names another image digest (payload claim or in-toto subject).
    case digestMismatch = "digest-mismatch"
    /// The signature is valid but names another repository (`docker-reference`).
    case referenceMismatch = "reference-mismatch"
    /// A fetched blob or manifest does not hash to the digest that names it.
    case blobDigestMismatch = "blob-digest-mismatch"
    /// Malformed input: base64, JSON, payload structure, media types, envelope shape.
    case badEncoding = "bad-encoding"
    /// An attestation whose predicate type is not one accepted as an image signature.
    case predicateTypeNotAccepted = "predicate-type-not-accepted"
    /// The signature is certificate-based (Fulcio keyless or BYO-PKI), which ScanGate does not verify.
    case keylessUnsupported = "keyless-unsupported"
    /// Transparency was required and the signature has no verifiable log entry.
    case transparencyLogMissing = "tlog-missing"
    /// A transparency log entry is present but does not verify or does not match the signature.
    case transparencyLogInvalid = "tlog-invalid"
    /// The registry could not be reached or answered with an error (exit status 4, not 1).
    case registryError = "registry-error"
    /// The image's manifest or index, as the registry serves it, does not say for certain which
    /// images it holds (JSON that is not strict, an index entry without a `sha256` digest, a
    /// platform that is itself an index, more platforms than are read), so it cannot be tied to
    /// the reports that scanned it. Asking again gives the same bytes: a definite "no".
    case unreadableManifest = "unreadable-manifest"

    /// When several signatures fail, the image's reason is the most telling one: a verified signature
    /// for the wrong image says more than a key mismatch, which says more than finding nothing.
    var rank: Int {
        switch self {
        case .registryError: 0
        case .unreadableManifest: 1
        case .digestMismatch: 2
        case .referenceMismatch: 3
        case .transparencyLogInvalid: 4
        case .transparencyLogMissing: 5
        case .predicateTypeNotAccepted: 6
        case .blobDigestMismatch: 7
        case .keylessUnsupported: 8
        case .wrongKey: 9
        case .badEncoding: 10
        case .noSignature: 11
        }
    }
}

/// A reason with the specifics, e.g. `digest-mismatch: the payload signs sha256:… not sha256:…`.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: FailureReason
    public var detail: String

    /// `detail` may quote what a registry or signature carried: it is kept to one printable line.
    public init(_ reason: FailureReason, _ detail: String) {
        self.reason = reason
        self.detail = ServerText.printable(detail)
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// What the transparency log check found for one signature.
public enum TransparencyLogStatus: Sendable, Equatable {
    /// The signature carries no log entry.
    case absent
    /// It carries one, but no Rekor key was configured to check it (not trusted, not required).
    case notChecked
    /// The entry's signed entry timestamp (or inclusion proof) verified with a pinned log key.
    case verified(logIndex: Int, integratedTime: Int?)

    public var label: String {
        switch self {
        case .absent: "absent"
        case .notChecked: "present, not checked"
        case .verified(let index, let time): "verified (log index \(index)\(time.map { ", integrated \($0)" } ?? ""))"
        }
    }
}

/// The verdict on one signature (a `.sig` layer, a bundle, a file), judged entirely on its own.
public struct SignatureCheck: Sendable {
    public enum Format: String, Sendable {
        /// cosign "simple signing": payload + `dev.cosignproject.cosign/signature`.
        case simpleSigning = "cosign-simple-signing"
        /// A Sigstore bundle (DSSE in-toto statement or message signature).
        case sigstoreBundle = "sigstore-bundle"
    }

    public var format: Format
    /// Where it came from: `sha256-….sig layer 1`, `referrer sha256:…`, a file path.
    public var source: String
    /// The digest of the layer or blob holding the payload or bundle, when fetched from a registry.
    public var layerDigest: String?
    /// The trusted key whose signature verified, even when a later check (claims, log) failed.
    public var key: PublicKey?
    public var transparencyLog: TransparencyLogStatus
    /// nil when every check passed.
    public var failure: VerificationFailure?

    public init(
        format: Format, source: String, layerDigest: String? = nil, key: PublicKey? = nil,
        transparencyLog: TransparencyLogStatus = .absent, failure: VerificationFailure? = nil
    ) {
        self.format = format
        self.source = source
        self.layerDigest = layerDigest
        self.key = key
        self.transparencyLog = transparencyLog
        self.failure = failure
    }

    /// Whether this signature passed every check with a trusted key.
    public var isVerified: Bool { failure == nil && key != nil }
}

/// The verdict on one image: verified when at least one signature passed every check.
///
/// `failure` is nil exactly when the image verified; otherwise it holds the most telling reason among
/// the signatures (or `no-signature`, or `registry-error`). Nothing here is ever a pass by default.
public struct ImageVerification: Sendable {
    /// The reference as the user gave it.
    public var reference: String
    /// The repository, normalised (`127.0.0.1:5000/deploygate/hello`), when known.
    public var repository: String?
    /// The tag the user gave, if any.
    public var tag: String?
    /// The digest verified (`sha256:…`): given, or resolved from the tag.
    public var digest: String?
    /// Whether the user named the image by a tag only; the verdict holds for `digest`, not for the tag,
    /// which can be moved. Deploy by digest.
    public var resolvedFromTag: Bool
    /// Every signature examined, in discovery order.
    public var checks: [SignatureCheck]
    public var failure: VerificationFailure?
    /// The images ``digest`` stands for, each with its manifest and config digest: itself for a
    /// single-platform manifest, each platform image of an index (attestations left out), none
    /// for an index that lists no platform image. nil when not known (the registry failed
    /// first, or platforms were not read: ``RegistryOptions/readsPlatformManifests``). What scan
    /// reports are matched to.
    public var platforms: [ImagePlatform]?

    public init(
        reference: String, repository: String?, tag: String?, digest: String?, resolvedFromTag: Bool,
        checks: [SignatureCheck], failure: VerificationFailure?
    ) {
        self.reference = reference
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.resolvedFromTag = resolvedFromTag
        self.checks = checks
        self.failure = failure
    }

    /// Decides from the checks: verified when one passed, else the most telling failure.
    public init(
        reference: String, repository: String?, tag: String?, digest: String?, resolvedFromTag: Bool,
        checks: [SignatureCheck]
    ) {
        let failure: VerificationFailure?
        if checks.contains(where: \.isVerified) {
            failure = nil
        } else {
            let failures = checks.map { $0.failure ?? VerificationFailure(.wrongKey, "no trusted key verified") }
            failure =
                failures.min { $0.reason.rank < $1.reason.rank }
                ?? VerificationFailure(.noSignature, "no signature was found for \(digest ?? reference)")
        }
        self.init(
            reference: reference, repository: repository, tag: tag, digest: digest, resolvedFromTag: resolvedFromTag,
            checks: checks, failure: failure)
    }

    /// Whether at least one signature passed every check with a trusted key.
    public var isVerified: Bool { failure == nil && checks.contains(where: \.isVerified) }

    /// The signatures that verified, each naming its layer and key.
    public var verifiedBy: [SignatureCheck] { checks.filter(\.isVerified) }

    /// Whether the verdict is a registry or network failure (exit 4) rather than a verification failure.
    public var isRegistryFailure: Bool { failure?.reason == .registryError }
}

/// One platform image of what an image reference resolves to: a single-platform manifest, or
/// one that an index lists.
public struct ImagePlatform: Sendable, Hashable {
    /// The manifest's digest (`sha256:…`).
    public var digest: String
    /// Its config digest, which scanners report as the image id; nil when it was not read.
    public var configDigest: String?
    /// `os/architecture[/variant]` as the index says, when it says.
    public var name: String?

    public init(digest: String, configDigest: String?, name: String? = nil) {
        self.digest = digest
        self.configDigest = configDigest
        self.name = name
    }

    /// `linux/arm64 (sha256:…)`, or the digest alone.
    public var description: String { name.map { "\($0) (\(digest))" } ?? digest }
}
