/// What a signature must satisfy to count: the trusted keys, and the transparency log rules.
public struct VerificationPolicy: Sendable {
    /// The predicate type cosign 3 gives the in-toto statement it signs for `cosign sign`.
    public static let cosignSignPredicateType = "https://sigstore.dev/cosign/sign/v1"

    /// Keys whose signatures are trusted. A signature verified by any of them passes (if its claims do).
    public var keys: [PublicKey]
    /// Pinned transparency log (Rekor) keys, matched to entries by log id (sha256 of the SPKI DER).
    public var transparencyLogKeys: [PublicKey]
    /// Whether a signature needs a verified log entry (SET or inclusion proof) to pass.
    public var requireTransparencyLog: Bool
    /// In-toto predicate types accepted as an image signature in a Sigstore bundle. Attestations of
    /// other types (scan results, provenance…) signed by the same key are not approvals of the image.
    public var acceptedPredicateTypes: Set<String>

    public init(
        keys: [PublicKey], transparencyLogKeys: [PublicKey] = [], requireTransparencyLog: Bool = false,
        acceptedPredicateTypes: Set<String> = [VerificationPolicy.cosignSignPredicateType]
    ) {
        self.keys = keys
        self.transparencyLogKeys = transparencyLogKeys
        self.requireTransparencyLog = requireTransparencyLog
        self.acceptedPredicateTypes = acceptedPredicateTypes
    }

    /// The first trusted key that verifies `signature` over `message`.
    func key(verifying signature: [UInt8], over message: [UInt8]) -> PublicKey? {
        keys.first { $0.verifies(signature, over: message) }
    }
}

/// The image a signature must be for: its digest, and (for simple signing) its repository.
public struct ExpectedImage: Sendable {
    /// `sha256:<hex>`.
    public var digest: String
    /// The repository the `docker-reference` claim must name; nil only for formats without that claim.
    public var repository: ImageReference?

    public init(digest: String, repository: ImageReference?) {
        self.digest = digest
        self.repository = repository
    }
}
