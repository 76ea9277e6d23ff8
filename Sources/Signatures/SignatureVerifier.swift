/// Verifies signatures, one at a time, against a ``VerificationPolicy``. Offline: no network.
///
/// - ``verify(_:for:source:layerDigest:)`` a cosign simple-signing signature (payload + annotations).
/// - ``verifyBundle(_:for:source:layerDigest:)`` a Sigstore bundle (v0.1–v0.3, key-based).
/// - ``verifyFile(_:for:source:)`` either of the file forms: a Sigstore bundle or containers/image's
///   `\0sigstore-json\n` storage form.
public struct SignatureVerifier: Sendable {
    public var policy: VerificationPolicy

    public init(policy: VerificationPolicy) {
        self.policy = policy
    }

    /// A signature file of either form, recognised by its first bytes.
    public func verifyFile(_ bytes: [UInt8], for image: ExpectedImage, source: String) -> SignatureCheck {
        if ContainersImageSignature.isStorageForm(bytes) {
            switch ContainersImageSignature.parse(bytes) {
            case .success(let signature):
                return verify(signature, for: image, source: source)
            case .failure(let failure):
                return SignatureCheck(format: .simpleSigning, source: source, failure: failure)
            }
        }
        return verifyBundle(bytes, for: .image(digest: image.digest, repository: image.repository), source: source)
    }
}

extension SignatureVerifier {
    /// Offline (air-gapped) verification of an image from a payload and its base64 signature, with the
    /// legacy Rekor bundle if there is one. The result has the shape of a registry verification.
    public func verifyOffline(
        payload: [UInt8], signatureBase64: String, rekorBundle: String? = nil, image: ExpectedImage, source: String
    ) -> ImageVerification {
        let signature = SimpleSigningSignature(
            payload: payload, signatureBase64: signatureBase64, rekorBundle: rekorBundle)
        return offlineResult(verify(signature, for: image, source: source), image: image)
    }

    /// Offline verification of an image from a signature file: a Sigstore bundle, or containers/image's
    /// storage form (whose `docker-reference` claim needs `image.repository`).
    public func verifyOffline(signatureFile bytes: [UInt8], image: ExpectedImage, source: String) -> ImageVerification {
        offlineResult(verifyFile(bytes, for: image, source: source), image: image)
    }

    private func offlineResult(_ check: SignatureCheck, image: ExpectedImage) -> ImageVerification {
        let reference = image.repository.map { "\($0.repositoryName)@\(image.digest)" } ?? image.digest
        return ImageVerification(
            reference: reference, repository: image.repository?.repositoryName, tag: nil, digest: image.digest,
            resolvedFromTag: false, checks: [check])
    }
}
