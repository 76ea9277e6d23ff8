import ScanGateJSON

/// What a Sigstore bundle must be about.
public enum BundleSubject: Sendable {
    /// An image: a DSSE in-toto statement whose subject includes this `sha256:<hex>` digest and,
    /// when `repository` is given, names it (cosign writes the repository as the subject's name).
    case image(digest: String, repository: ImageReference? = nil)
    /// A blob (the artifact's bytes): a message signature over them, or a statement naming their digest.
    case artifact([UInt8])
}

/// Sigstore bundle media types (v0.1 to v0.3, both spellings of v0.3).
public enum SigstoreBundleMediaType {
    public static let v03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
    static let accepted: Set<String> = [
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        v03,
    ]
}

extension SignatureVerifier {
    static let inTotoPayloadType = "application/vnd.in-toto+json"
    static let statementTypes: Set<String> = ["https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1"]

    /// Verifies a key-based Sigstore bundle: the DSSE envelope's signature over its PAE (or the message
    /// signature over the artifact) with a trusted key, then the statement's type, predicate type and
    /// subject digest, then its log entries when keys are pinned or transparency is required.
    /// Certificate-based (keyless) bundles are reported as `keyless-unsupported`, never a pass.
    public func verifyBundle(
        _ bytes: [UInt8], for subject: BundleSubject, source: String, layerDigest: String? = nil
    ) -> SignatureCheck {
        var check = SignatureCheck(format: .sigstoreBundle, source: source, layerDigest: layerDigest)
        func fail(_ reason: FailureReason, _ detail: String) -> SignatureCheck {
            check.failure = VerificationFailure(reason, detail)
            return check
        }
        guard let root = StrictJSON.parse(bytes), root.kind == .object else {
            return fail(.badEncoding, "the bundle is not a JSON object")
        }
        guard let mediaType = root.text("mediaType"), SigstoreBundleMediaType.accepted.contains(mediaType) else {
            return fail(
                .badEncoding, "the bundle's mediaType \(root["mediaType"]?.scalarText ?? "(none)") is not supported")
        }
        guard let material = root.child("verificationMaterial") else {
            return fail(.badEncoding, "the bundle has no verificationMaterial")
        }
        if material["certificate"] != nil || material["x509CertificateChain"] != nil {
            return fail(.keylessUnsupported, "keyless signatures are not supported (the bundle is certificate-based)")
        }
        guard material.child("publicKey") != nil else {
            return fail(.badEncoding, "the bundle names no public key, certificate or chain")
        }
        let signed: SignedContent
        if let envelope = root.child("dsseEnvelope") {
            switch verifyEnvelope(envelope, subject: subject, check: &check) {
            case .success(let content): signed = content
            case .failure(let failure):
                check.failure = failure
                return check
            }
        } else if let message = root.child("messageSignature") {
            switch verifyMessage(message, subject: subject, check: &check) {
            case .success(let content): signed = content
            case .failure(let failure):
                check.failure = failure
                return check
            }
        } else {
            return fail(.badEncoding, "the bundle has neither a dsseEnvelope nor a messageSignature")
        }
        // sigstore-go's rules: a v0.1 bundle's entries carry a SET, later ones an inclusion proof.
        let isVersion01 = mediaType.hasSuffix(";version=0.1")
        switch bundleLog(material, signed: signed, requiring: isVersion01 ? .signedEntryTimestamp : .inclusionProof) {
        case .success(let status): check.transparencyLog = status
        case .failure(let failure): check.failure = failure
        }
        return check
    }

    private func verifyEnvelope(
        _ envelope: JSONValue, subject: BundleSubject, check: inout SignatureCheck
    ) -> Result<SignedContent, VerificationFailure> {
        guard envelope.text("payloadType") == Self.inTotoPayloadType else {
            return .failure(VerificationFailure(.badEncoding, "the DSSE payload type is not in-toto"))
        }
        guard let payload = envelope.base64("payload"), let signatures = envelope["signatures"]?.elements,
            signatures.count == 1, let signature = signatures[0].base64("sig"), !signature.isEmpty
        else {
            return .failure(
                VerificationFailure(.badEncoding, "the DSSE envelope needs a payload and exactly one signature"))
        }
        guard let key = policy.key(verifying: signature, over: Self.pae(type: Self.inTotoPayloadType, body: payload))
        else {
            return .failure(VerificationFailure(.wrongKey, "no trusted key verifies the DSSE envelope's signature"))
        }
        check.key = key
        guard let statement = StrictJSON.parse(payload), let type = statement.text("_type"),
            Self.statementTypes.contains(type), let subjects = statement["subject"]?.elements
        else {
            return .failure(VerificationFailure(.badEncoding, "the DSSE payload is not an in-toto statement"))
        }
        // A second spelling of `subject`, `predicateType`, or a subject's `name` or `digest`
        // would be the claim the signer's Go tooling read (``JSONValue/namesGoReadsAsOne()``).
        for object in [statement] + subjects {
            if let (first, second) = object.namesGoReadsAsOne() {
                return .failure(
                    VerificationFailure(
                        .badEncoding,
                        "the in-toto statement has the members \"\(first)\" and \"\(second)\" in one object, "
                            + "which Go's JSON decoder reads as one"))
            }
        }
        guard let predicateType = statement.text("predicateType") else {
            return .failure(
                VerificationFailure(.predicateTypeNotAccepted, "the statement has no predicate type (predicateType)"))
        }
        guard policy.acceptedPredicateTypes.contains(predicateType) else {
            return .failure(
                VerificationFailure(
                    .predicateTypeNotAccepted,
                    "the statement's predicate type \(predicateType) is not accepted as an image signature"))
        }
        let wanted: String
        var repository: ImageReference?
        switch subject {
        case .image(let digest, let named):
            wanted = String(digest.dropFirst("sha256:".count))
            repository = named
        case .artifact(let bytes): wanted = SHA256Digest.hex(SHA256Digest.hash(bytes))
        }
        let matching = subjects.filter { $0.child("digest")?.text("sha256") == wanted }
        guard !matching.isEmpty else {
            return .failure(
                VerificationFailure(.digestMismatch, "no statement subject has the digest sha256:\(wanted)"))
        }
        // As docker-reference in a simple signing payload: the signature was made for this
        // repository, not only for content that may also live in another.
        if let repository,
            !matching.contains(where: { subject in
                subject.text("name").flatMap(ImageReference.init)?.sameRepository(as: repository) ?? false
            })
        {
            let names = matching.map { $0.text("name") ?? "(no name)" }.joined(separator: ", ")
            return .failure(
                VerificationFailure(
                    .referenceMismatch, "the statement's subject names \(names), not \(repository.repositoryName)"))
        }
        return .success(.dsse(payload: payload, signature: signature, key: key))
    }

    private func verifyMessage(
        _ message: JSONValue, subject: BundleSubject, check: inout SignatureCheck
    ) -> Result<SignedContent, VerificationFailure> {
        guard case .artifact(let artifact) = subject else {
            return .failure(VerificationFailure(.badEncoding, "a message signature signs a blob, not an image"))
        }
        guard let signature = message.base64("signature"), !signature.isEmpty else {
            return .failure(VerificationFailure(.badEncoding, "the message signature is not valid base64"))
        }
        let digest = SHA256Digest.hash(artifact)
        if let declared = message.child("messageDigest") {
            guard declared.text("algorithm") == "SHA2_256", declared.base64("digest") == digest else {
                return .failure(
                    VerificationFailure(.digestMismatch, "the bundle's message digest is not the artifact's"))
            }
        }
        guard let key = policy.key(verifying: signature, over: artifact) else {
            return .failure(VerificationFailure(.wrongKey, "no trusted key verifies the message signature"))
        }
        check.key = key
        return .success(.message(artifactDigest: digest, signature: signature, key: key))
    }

    /// What a bundle's log entries must carry, by the bundle's version.
    private enum RequiredLogEvidence {
        case signedEntryTimestamp
        case inclusionProof
    }

    private func bundleLog(
        _ material: JSONValue, signed: SignedContent, requiring required: RequiredLogEvidence
    ) -> Result<TransparencyLogStatus, VerificationFailure> {
        let entries = material["tlogEntries"]?.elements ?? []
        guard !entries.isEmpty else {
            return policy.requireTransparencyLog
                ? .failure(VerificationFailure(.transparencyLogMissing, "the bundle has no transparency log entry"))
                : .success(.absent)
        }
        guard !policy.transparencyLogKeys.isEmpty else {
            return policy.requireTransparencyLog
                ? .failure(VerificationFailure(.transparencyLogMissing, "no Rekor public key is configured"))
                : .success(.notChecked)
        }
        var status = TransparencyLogStatus.absent
        for entry in entries {
            guard let body = entry.text("canonicalizedBody"), let logIndex = entry.integer("logIndex"),
                let keyID = entry.child("logId")?.base64("keyId")
            else {
                return .failure(VerificationFailure(.transparencyLogInvalid, "a log entry is malformed"))
            }
            let set = entry.child("inclusionPromise")?.base64("signedEntryTimestamp")
            switch required {
            case .signedEntryTimestamp where set == nil:
                return .failure(
                    VerificationFailure(.transparencyLogInvalid, "a v0.1 bundle's log entry has no inclusion promise"))
            case .inclusionProof where entry.child("inclusionProof") == nil:
                return .failure(
                    VerificationFailure(
                        .transparencyLogInvalid, "a bundle of v0.2 or later has a log entry without an inclusion proof")
                )
            default: break
            }
            let result = TransparencyLog.verifyEntry(
                body: body, integratedTime: entry.integer("integratedTime"), logIndex: logIndex,
                logID: SHA256Digest.hex(keyID), set: set, proof: entry.child("inclusionProof"),
                logKeys: policy.transparencyLogKeys, signed: signed)
            switch result {
            case .success(let verified):
                status = .verified(logIndex: verified.logIndex, integratedTime: verified.integratedTime)
            case .failure(let failure):
                return .failure(failure)
            }
        }
        return .success(status)
    }

    /// DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`.
    static func pae(type: String, body: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
    }
}
