import ScanGateJSON

/// One cosign "simple signing" signature: the payload's exact bytes and the layer annotations that
/// go with it (as in a `sha256-<hex>.sig` manifest, or containers/image's storage form).
public struct SimpleSigningSignature: Sendable {
    public static let mediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
    static let signatureAnnotation = "dev.cosignproject.cosign/signature"
    static let bundleAnnotation = "dev.sigstore.cosign/bundle"
    static let certificateAnnotation = "dev.sigstore.cosign/certificate"
    static let payloadType = "cosign container image signature"

    /// The signed bytes, exactly as stored (never re-serialised).
    public var payload: [UInt8]
    /// `dev.cosignproject.cosign/signature`: base64 of the signature.
    public var signatureBase64: String
    /// `dev.sigstore.cosign/bundle`: the legacy Rekor bundle JSON, if any.
    public var rekorBundle: String?
    /// `dev.sigstore.cosign/certificate`: a signing certificate (keyless or BYO-PKI), if any.
    public var certificate: String?

    public init(payload: [UInt8], signatureBase64: String, rekorBundle: String? = nil, certificate: String? = nil) {
        self.payload = payload
        self.signatureBase64 = signatureBase64
        self.rekorBundle = rekorBundle
        self.certificate = certificate
    }
}

extension SignatureVerifier {
    /// Verifies one simple-signing signature for `image`: the signature with a trusted key over the
    /// payload's exact bytes; only then the claims (`critical.type`, `docker-manifest-digest`,
    /// `docker-reference`); then the Rekor bundle when keys are pinned or transparency is required.
    public func verify(
        _ signature: SimpleSigningSignature, for image: ExpectedImage, source: String, layerDigest: String? = nil
    ) -> SignatureCheck {
        var check = SignatureCheck(format: .simpleSigning, source: source, layerDigest: layerDigest)
        guard let signatureBytes = StrictBase64.decodeWrapped(signature.signatureBase64), !signatureBytes.isEmpty else {
            check.failure = VerificationFailure(.badEncoding, "the signature is not valid base64")
            return check
        }
        guard let key = policy.key(verifying: signatureBytes, over: signature.payload) else {
            check.failure =
                signature.certificate != nil
                ? VerificationFailure(
                    .keylessUnsupported,
                    "keyless signatures are not supported: this one is certificate-based and no trusted key verifies it"
                )
                : VerificationFailure(
                    .wrongKey, "no trusted key verifies the signature (another key, or the payload was altered)")
            return check
        }
        check.key = key
        if let failure = Self.checkClaims(signature.payload, for: image) {
            check.failure = failure
            return check
        }
        switch transparencyLog(signature, signatureBytes: signatureBytes, key: key) {
        case .success(let status):
            check.transparencyLog = status
        case .failure(let failure):
            check.failure = failure
        }
        return check
    }

    private func transparencyLog(
        _ signature: SimpleSigningSignature, signatureBytes: [UInt8], key: PublicKey
    ) -> Result<TransparencyLogStatus, VerificationFailure> {
        guard let bundle = signature.rekorBundle else {
            return policy.requireTransparencyLog
                ? .failure(VerificationFailure(.transparencyLogMissing, "the signature has no Rekor bundle"))
                : .success(.absent)
        }
        guard !policy.transparencyLogKeys.isEmpty else {
            return policy.requireTransparencyLog
                ? .failure(VerificationFailure(.transparencyLogMissing, "no Rekor public key is configured"))
                : .success(.notChecked)
        }
        let entry = RekorBundle.verify(
            Array(bundle.utf8), logKeys: policy.transparencyLogKeys,
            signed: .simpleSigning(payload: signature.payload, signature: signatureBytes, key: key))
        return entry.map { .verified(logIndex: $0.logIndex, integratedTime: $0.integratedTime) }
    }

    /// The payload's claims, read only after its signature verified. nil when they all hold.
    static func checkClaims(_ payload: [UInt8], for image: ExpectedImage) -> VerificationFailure? {
        guard let root = StrictJSON.parse(payload), root.kind == .object else {
            return VerificationFailure(.badEncoding, "the signed payload is not a JSON object")
        }
        // containers/image's rule: exactly `critical` and `optional` at the top, exactly three keys in `critical`.
        let topKeys = Set(root.members.map(\.key))
        guard topKeys.contains("critical"), topKeys.isSubset(of: ["critical", "optional"]),
            let critical = root.child("critical"),
            Set(critical.members.map(\.key)) == ["type", "image", "identity"]
        else {
            return VerificationFailure(.badEncoding, "the payload is not a cosign simple-signing payload")
        }
        guard critical.text("type") == SimpleSigningSignature.payloadType else {
            return VerificationFailure(
                .badEncoding,
                "critical.type is \(critical["type"]?.scalarText ?? "missing"), "
                    + "not \"\(SimpleSigningSignature.payloadType)\"")
        }
        // And exactly one key in each of `image` and `identity`, as containers/image requires:
        // cosign reads the payload with Go's encoding/json, which matches names ignoring case
        // (Unicode folding: `ſ` is `s`) and keeps the last, so a signed
        // `{"docker-manifest-digest": A, "Docker-Manifest-Digest": B}` would be image A here and
        // B to whoever checked the payload before signing it.
        for (name, only) in [("image", "docker-manifest-digest"), ("identity", "docker-reference")] {
            guard let claims = critical.child(name), claims.members.map(\.key) == [only] else {
                return VerificationFailure(
                    .badEncoding, "critical.\(name) of the payload must hold \(only) and nothing else")
            }
        }
        guard let claimed = critical.child("image")?.text("docker-manifest-digest") else {
            return VerificationFailure(.badEncoding, "the payload has no critical.image.docker-manifest-digest")
        }
        guard claimed == image.digest else {
            return VerificationFailure(.digestMismatch, "the payload signs \(claimed), not \(image.digest)")
        }
        guard let repository = image.repository else {
            return VerificationFailure(.referenceMismatch, "no repository was given to check docker-reference against")
        }
        guard let identity = critical.child("identity")?.text("docker-reference") else {
            return VerificationFailure(.badEncoding, "the payload has no critical.identity.docker-reference")
        }
        // cosign writes the repository alone; containers/image the reference it pushed to, tag included.
        guard let signedReference = ImageReference(identity), signedReference.sameRepository(as: repository) else {
            return VerificationFailure(
                .referenceMismatch, "the payload names \(identity), not \(repository.repositoryName)")
        }
        return nil
    }
}

/// containers/image (skopeo, podman) stores a sigstore signature as `\0sigstore-json\n` followed by
/// `{"mimeType":…,"payload":<base64>,"annotations":{…}}`; `containers-image/*/signature-*` use it.
public enum ContainersImageSignature {
    static let prefix = Array("\u{0}sigstore-json\n".utf8)

    /// Whether `bytes` start with the storage form's prefix.
    public static func isStorageForm(_ bytes: [UInt8]) -> Bool { bytes.starts(with: prefix) }

    /// The signature in `bytes`, or a `bad-encoding` failure.
    public static func parse(_ bytes: [UInt8]) -> Result<SimpleSigningSignature, VerificationFailure> {
        guard isStorageForm(bytes), let root = StrictJSON.parse(Array(bytes[prefix.count...])),
            root.kind == .object
        else {
            return .failure(VerificationFailure(.badEncoding, "not a containers/image sigstore signature"))
        }
        guard root.text("mimeType") == SimpleSigningSignature.mediaType else {
            return .failure(VerificationFailure(.badEncoding, "the signature's mimeType is not simple signing"))
        }
        guard let payload = root.base64("payload") else {
            return .failure(VerificationFailure(.badEncoding, "the payload is not valid base64"))
        }
        guard let annotations = root.child("annotations"),
            let signature = annotations.text(SimpleSigningSignature.signatureAnnotation)
        else {
            return .failure(VerificationFailure(.badEncoding, "the signature annotation is missing"))
        }
        return .success(
            SimpleSigningSignature(
                payload: payload, signatureBase64: signature,
                rekorBundle: annotations.text(SimpleSigningSignature.bundleAnnotation),
                certificate: annotations.text(SimpleSigningSignature.certificateAnnotation)))
    }
}
