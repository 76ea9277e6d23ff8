import Foundation
import Testing

@testable import Signatures

/// Every vector of `shared/corpus/signatures/MANIFEST.md` with the result it gives. Key-based vectors
/// must match exactly, valid and invalid; certificate-based (keyless, BYO-PKI) ones must be reported
/// as `keyless-unsupported`, never as a pass.
@Suite("Signature vectors", .enabled(if: SignatureCorpus.isAvailable))
struct SignatureVectorTests {
    typealias C = SignatureCorpus

    // MARK: containers/image fixtures (storage form `\0sigstore-json\n` + JSON)

    /// Verifies a containers/image signature file for the image whose manifest is `manifest`.
    private func verifyStored(
        _ signature: String, manifest: String, reference: String, keys: [String], logKeys: [PublicKey] = [],
        requireLog: Bool = false
    ) throws -> SignatureCheck {
        let verifier = try SignatureVerifier.corpus(keys: keys, logKeys: logKeys, requireLog: requireLog)
        let image = C.expected(digest: try C.digest(manifest), reference: reference)
        return verifier.verifyFile(try C.bytes(signature), for: image, source: signature)
    }

    @Test func cosignValidVerifiesWithCosignPubOnly() throws {
        let valid = try verifyStored(
            "containers-image/dir-img-cosign-valid/signature-1",
            manifest: "containers-image/dir-img-cosign-valid/manifest.json",
            reference: "192.168.64.2:5000/cosign-signed-single-sample", keys: ["containers-image/cosign.pub"])
        #expect(valid.isVerified, "\(String(describing: valid.failure))")
        #expect(valid.key?.source.hasSuffix("containers-image/cosign.pub") == true)
        #expect(try C.digest("containers-image/dir-img-cosign-valid/manifest.json").hasPrefix("sha256:634a8f35"))

        let other = try verifyStored(
            "containers-image/dir-img-cosign-valid/signature-1",
            manifest: "containers-image/dir-img-cosign-valid/manifest.json",
            reference: "192.168.64.2:5000/cosign-signed-single-sample", keys: ["containers-image/cosign2.pub"])
        #expect(!other.isVerified)
        #expect(other.failure?.reason == .wrongKey)
    }

    @Test func skopeoSignatureWithTagInTheReferenceVerifies() throws {
        let check = try verifyStored(
            "containers-image/dir-img-cosign-valid-with-tag/signature-1",
            manifest: "containers-image/dir-img-cosign-valid-with-tag/manifest.json",
            reference: "192.168.64.2:5000/skopeo-signed", keys: ["containers-image/cosign.pub"])
        #expect(check.isVerified, "\(String(describing: check.failure))")
    }

    @Test func signatureForAnotherRepositoryIsAReferenceMismatch() throws {
        let check = try verifyStored(
            "containers-image/dir-img-cosign-valid/signature-1",
            manifest: "containers-image/dir-img-cosign-valid/manifest.json",
            reference: "192.168.64.2:5000/some-other-repository", keys: ["containers-image/cosign.pub"])
        #expect(check.failure?.reason == .referenceMismatch)
        #expect(check.key != nil, "the signature itself verified")
    }

    @Test func keyAndRekorBundleVerifiesWithCosign2PubAndTheSET() throws {
        let signature = "containers-image/dir-img-cosign-key-rekor-valid/signature-1"
        let manifest = "containers-image/dir-img-cosign-key-rekor-valid/manifest.json"
        let reference = "192.168.64.2:5000/cosign-signed/key-1"
        let rekor = try C.key("containers-image/rekor.pub")
        #expect(rekor.id.hasPrefix("c0d23d6a") && rekor.id.hasSuffix("801d"))

        let logged = try verifyStored(
            signature, manifest: manifest, reference: reference, keys: ["containers-image/cosign2.pub"],
            logKeys: [rekor], requireLog: true)
        #expect(logged.isVerified, "\(String(describing: logged.failure))")
        #expect(logged.transparencyLog == .verified(logIndex: 11_608_800, integratedTime: 1_674_251_859))

        let unchecked = try verifyStored(
            signature, manifest: manifest, reference: reference, keys: ["containers-image/cosign2.pub"])
        #expect(unchecked.isVerified)
        #expect(unchecked.transparencyLog == .notChecked)

        let wrongKey = try verifyStored(
            signature, manifest: manifest, reference: reference, keys: ["containers-image/cosign.pub"])
        #expect(wrongKey.failure?.reason == .wrongKey)

        // A log key that is not Rekor's: the entry cannot be trusted.
        let wrongLog = try verifyStored(
            signature, manifest: manifest, reference: reference, keys: ["containers-image/cosign2.pub"],
            logKeys: [try C.key("containers-image/cosign.pub")], requireLog: true)
        #expect(wrongLog.failure?.reason == .transparencyLogInvalid)
    }

    @Test func requiringTheLogRejectsASignatureWithoutABundle() throws {
        let check = try verifyStored(
            "containers-image/dir-img-cosign-valid/signature-1",
            manifest: "containers-image/dir-img-cosign-valid/manifest.json",
            reference: "192.168.64.2:5000/cosign-signed-single-sample", keys: ["containers-image/cosign.pub"],
            logKeys: [try C.key("containers-image/rekor.pub")], requireLog: true)
        #expect(check.failure?.reason == .transparencyLogMissing)
    }

    @Test func modifiedManifestIsADigestMismatch() throws {
        let check = try verifyStored(
            "containers-image/dir-img-cosign-valid/signature-1",
            manifest: "containers-image/dir-img-cosign-modified-manifest/manifest.json",
            reference: "192.168.64.2:5000/cosign-signed-single-sample", keys: ["containers-image/cosign.pub"])
        #expect(check.failure?.reason == .digestMismatch)
    }

    @Test func unknownKeySignatureVerifiesWithNeitherKey() throws {
        for key in ["containers-image/cosign.pub", "containers-image/cosign2.pub"] {
            let check = try verifyStored(
                "containers-image/unknown-cosign-key.signature",
                manifest: "containers-image/dir-img-cosign-valid/manifest.json",
                reference: "192.168.64.2:5000/cosign-signed-single-sample", keys: [key])
            #expect(check.failure?.reason == .wrongKey, "\(key)")
        }
    }

    @Test(arguments: ["dir-img-cosign-fulcio-rekor-valid", "dir-img-cosign-pki-valid"])
    func certificateBasedSignaturesAreKeylessUnsupported(_ name: String) throws {
        let payload = try ContainersImageSignature.parse(try C.bytes("containers-image/\(name)/signature-1")).get()
        let claims = try JSONSerialization.jsonObject(with: Data(payload.payload)) as? [String: Any]
        let identity = ((claims?["critical"] as? [String: Any])?["identity"] as? [String: Any])?["docker-reference"]
        let check = try verifyStored(
            "containers-image/\(name)/signature-1", manifest: "containers-image/\(name)/manifest.json",
            reference: identity as? String ?? "",
            keys: ["containers-image/cosign.pub", "containers-image/cosign2.pub"],
            logKeys: [try C.key("containers-image/rekor.pub")])
        #expect(!check.isVerified)
        #expect(check.failure?.reason == .keylessUnsupported)
        // The trust anchors these would need exist, and are deliberately unused.
        for anchor in ["fulcio_v1.crt.pem", "pki_root_crts.pem", "pki_intermediate_crts.pem", "keyless-fulcio-chain"] {
            #expect(PEM.decodeAll(try C.bytes("containers-image/\(anchor)"), label: "CERTIFICATE").count >= 1)
        }
    }

    @Test func keylessRekorSETVerifiesOfflineButTheSignatureIsNotTrusted() throws {
        let payload = try C.bytes("containers-image/keyless-rekor-payload")
        let signatureText = try C.text("containers-image/keyless-rekor-sig").trimmingCharacters(
            in: .whitespacesAndNewlines)
        let signature = try #require(StrictBase64.decode(signatureText))
        let certificateKey = try PublicKey.fromCertificate(
            pem: try C.bytes("containers-image/keyless-rekor-cert"), source: "keyless-rekor-cert")
        #expect(certificateKey.verifies(signature, over: payload))

        // The SET and the hashedrekord body, checked offline with the pinned Rekor key.
        let entry = RekorBundle.verify(
            try C.bytes("containers-image/keyless-rekor-set"), logKeys: [try C.key("containers-image/rekor.pub")],
            signed: .simpleSigning(payload: payload, signature: signature, key: certificateKey))
        #expect(try entry.get().integratedTime == 1_670_870_899)
        let altered = RekorBundle.verify(
            try C.bytes("containers-image/keyless-rekor-set"), logKeys: [try C.key("containers-image/rekor.pub")],
            signed: .simpleSigning(payload: payload + [0x20], signature: signature, key: certificateKey))
        #expect((try? altered.get()) == nil)

        // With pinned keys only, the keyless signature is never a pass.
        let (digest, reference) = try C.claims("containers-image/keyless-rekor-payload")
        let result = try SignatureVerifier.corpus(keys: ["containers-image/cosign.pub"]).verifyOffline(
            payload: payload, signatureBase64: signatureText,
            rekorBundle: try C.text("containers-image/keyless-rekor-set"),
            image: C.expected(digest: digest, reference: reference), source: "keyless-rekor-payload")
        #expect(!result.isVerified)
        #expect(result.failure?.reason == .wrongKey)
    }

    // MARK: Sigstore bundles (cosign, sigstore-conformance)

    @Test func cosignKeylessAttestationBundleIsKeylessUnsupported() throws {
        let verifier = try SignatureVerifier.corpus(keys: ["local-cosign-2.5.0/cosign.pub"])
        let subject = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
        for digest in [subject, "sha256:" + String(repeating: "0", count: 64)] {
            let check = verifier.verifyBundle(
                try C.bytes("cosign/oci-attestation.sigstore.json"), for: .image(digest: digest),
                source: "oci-attestation")
            #expect(check.failure?.reason == .keylessUnsupported)
        }
    }

    @Test func trustedRootsPinThePublicGoodRekorKey() throws {
        let rekorID = try C.key("containers-image/rekor.pub").id
        for root in ["cosign/trusted_root_pgi.json", "sigstore-go/trusted-root-public-good.json"] {
            let keys = try TrustedRoot.transparencyLogKeys(path: C.path(root))
            #expect(keys.contains { $0.id == rekorID }, "\(root)")
        }
    }

    @Test func managedKeyHappyPathVerifiesWithItsLogEntry() throws {
        let bundle = try C.bytes("sigstore-conformance/managed-key-happy-path/bundle.sigstore.json")
        let artifact = try C.bytes("sigstore-conformance/a.txt")
        let logKeys = try TrustedRoot.transparencyLogKeys(path: C.path("sigstore-go/trusted-root-public-good.json"))
        let verifier = try SignatureVerifier.corpus(
            keys: ["sigstore-conformance/managed-key-happy-path/key.pub"], logKeys: logKeys, requireLog: true)
        let check = verifier.verifyBundle(bundle, for: .artifact(artifact), source: "managed-key-happy-path")
        #expect(check.isVerified, "\(String(describing: check.failure))")
        guard case .verified = check.transparencyLog else {
            Issue.record("the log entry was not verified: \(check.transparencyLog)")
            return
        }
        // Another artifact: the message digest no longer matches.
        let other = verifier.verifyBundle(bundle, for: .artifact(artifact + [0x0A]), source: "other artifact")
        #expect(other.failure?.reason == .digestMismatch)
        // Another key: wrong key.
        let wrong = try SignatureVerifier.corpus(keys: ["local-cosign-2.5.0/wrong.pub"])
            .verifyBundle(bundle, for: .artifact(artifact), source: "wrong key")
        #expect(wrong.failure?.reason == .wrongKey)
    }

    @Test func managedKeyWithItsOwnTrustedRootVerifiesOnlyAgainstThatRoot() throws {
        let folder = "sigstore-conformance/managed-key-and-trusted-root"
        let bundle = try C.bytes("\(folder)/bundle.sigstore.json")
        let artifact = try C.bytes("sigstore-conformance/a.txt")
        let own = try TrustedRoot.transparencyLogKeys(path: C.path("\(folder)/trusted_root.json"))
        let check = try SignatureVerifier.corpus(keys: ["\(folder)/key.pub"], logKeys: own, requireLog: true)
            .verifyBundle(bundle, for: .artifact(artifact), source: folder)
        #expect(check.isVerified, "\(String(describing: check.failure))")

        let publicGood = try TrustedRoot.transparencyLogKeys(path: C.path("sigstore-go/trusted-root-public-good.json"))
        let elsewhere = try SignatureVerifier.corpus(keys: ["\(folder)/key.pub"], logKeys: publicGood, requireLog: true)
            .verifyBundle(bundle, for: .artifact(artifact), source: folder)
        #expect(elsewhere.failure?.reason == .transparencyLogInvalid)
    }

    @Test func corruptedManagedKeyIsAHardFailure() throws {
        #expect(throws: KeyError.self) {
            try PublicKey.load(path: C.path("sigstore-conformance/managed-key-wrong-key_fail/key.pub"))
        }
    }

    @Test(arguments: [
        "happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3", "happy-path-v0.3-new-mediaType",
        "happy-path-intoto-in-dsse-v3", "wrong-material_fail", "incorrect-public-key_fail",
        "checkpoint-bad-keyhint_fail",
        "integrated-time-in-future_fail", "intoto-log-entry-mismatch_fail",
    ])
    func keylessConformanceBundlesAreNeverAPass(_ name: String) throws {
        let folder = "sigstore-conformance/\(name)"
        let artifactPath =
            FileManager.default.fileExists(atPath: C.path("\(folder)/artifact"))
            ? "\(folder)/artifact" : "sigstore-conformance/a.txt"
        let logKeys = try TrustedRoot.transparencyLogKeys(path: C.path("sigstore-go/trusted-root-public-good.json"))
        let verifier = try SignatureVerifier.corpus(
            keys: ["sigstore-conformance/managed-key-happy-path/key.pub"], logKeys: logKeys)
        let check = verifier.verifyBundle(
            try C.bytes("\(folder)/bundle.sigstore.json"), for: .artifact(try C.bytes(artifactPath)), source: name)
        #expect(!check.isVerified)
        #expect(check.failure?.reason == .keylessUnsupported)
    }

    // MARK: Made by the real cosign 2.5.0

    @Test func cosignLegacySignatureVerifiesWithItsKeyOnly() throws {
        let folder = "local-cosign-2.5.0"
        let (digest, reference) = try C.claims("\(folder)/payload.json")
        #expect(try C.digest("\(folder)/image-manifest.json") == digest)
        let image = C.expected(digest: digest, reference: reference)
        let signature = try C.text("\(folder)/payload.sig.b64").trimmingCharacters(in: .whitespacesAndNewlines)

        let good = try SignatureVerifier.corpus(keys: ["\(folder)/wrong.pub", "\(folder)/cosign.pub"])
            .verifyOffline(
                payload: try C.bytes("\(folder)/payload.json"), signatureBase64: signature, image: image,
                source: "payload")
        #expect(good.isVerified)
        #expect(good.verifiedBy.first?.key?.source.hasSuffix("cosign.pub") == true)

        let wrong = try SignatureVerifier.corpus(keys: ["\(folder)/wrong.pub"])
            .verifyOffline(
                payload: try C.bytes("\(folder)/payload.json"), signatureBase64: signature, image: image,
                source: "payload")
        #expect(wrong.failure?.reason == .wrongKey)

        let tampered = try SignatureVerifier.corpus(keys: ["\(folder)/cosign.pub"]).verifyOffline(
            payload: try C.bytes("\(folder)/payload.tampered.json"), signatureBase64: signature, image: image,
            source: "tampered")
        #expect(tampered.failure?.reason == .wrongKey)

        let otherDigest = C.expected(digest: "sha256:" + String(repeating: "a", count: 64), reference: reference)
        let elsewhere = try SignatureVerifier.corpus(keys: ["\(folder)/cosign.pub"])
            .verifyOffline(
                payload: try C.bytes("\(folder)/payload.json"), signatureBase64: signature, image: otherDigest,
                source: "payload")
        #expect(elsewhere.failure?.reason == .digestMismatch)
    }

    @Test func cosignSignatureManifestMatchesItsPayload() throws {
        let folder = "local-cosign-2.5.0"
        let manifest =
            try JSONSerialization.jsonObject(with: Data(try C.bytes("\(folder)/sig-manifest.json"))) as? [String: Any]
        #expect(manifest?["mediaType"] as? String == ManifestMediaType.ociManifest)
        let layers = manifest?["layers"] as? [[String: Any]] ?? []
        #expect(layers.count == 1)
        let layer = try #require(layers.first)
        #expect(layer["mediaType"] as? String == SimpleSigningSignature.mediaType)
        #expect(layer["digest"] as? String == (try C.digest("\(folder)/payload.json")))
        let annotation = (layer["annotations"] as? [String: String])?[SimpleSigningSignature.signatureAnnotation]
        #expect(annotation == (try C.text("\(folder)/payload.sig.b64").trimmingCharacters(in: .whitespacesAndNewlines)))
        // The private keys are test material only; ScanGate never reads them.
        #expect(try C.text("\(folder)/cosign.key").hasPrefix("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"))
        #expect(
            try C.text("\(folder)/p256.python-wrapped.key").hasPrefix("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"))
    }

    @Test(arguments: [
        ("p256", KeyAlgorithm.ecdsaP256), ("p384", .ecdsaP384), ("rsa2048", .rsa(bits: 2048)), ("ed25519", .ed25519),
    ])
    func everyKeyTypeCosignSignsWithVerifies(_ name: String, _ algorithm: KeyAlgorithm) throws {
        let folder = "local-cosign-2.5.0"
        let key = try C.key("\(folder)/\(name).pub")
        #expect(key.algorithm == algorithm)
        let (digest, reference) = try C.claims("\(folder)/\(name).payload.json")
        let signature = try C.text("\(folder)/\(name).sig.b64").trimmingCharacters(in: .whitespacesAndNewlines)
        let payload = try C.bytes("\(folder)/\(name).payload.json")
        let image = C.expected(digest: digest, reference: reference)
        let good = try SignatureVerifier.corpus(keys: ["\(folder)/\(name).pub"])
            .verifyOffline(payload: payload, signatureBase64: signature, image: image, source: name)
        #expect(good.isVerified, "\(String(describing: good.failure))")
        let wrong = try SignatureVerifier.corpus(keys: ["\(folder)/wrong.pub"])
            .verifyOffline(payload: payload, signatureBase64: signature, image: image, source: name)
        #expect(wrong.failure?.reason == .wrongKey)
        let altered = try SignatureVerifier.corpus(keys: ["\(folder)/\(name).pub"])
            .verifyOffline(payload: payload + [0x20], signatureBase64: signature, image: image, source: name)
        #expect(altered.failure?.reason == .wrongKey)
    }

    @Test func cosignKeyBundleVerifiesAsAnAttestationAndNeedsALogWhenRequired() throws {
        let folder = "local-cosign-2.5.0"
        let bundle = try C.bytes("\(folder)/bundle-v0.3-dsse-key.sigstore.json")
        let digest = try C.digest("\(folder)/image-manifest.json")
        let attestation: Set<String> = ["https://cosign.sigstore.dev/attestation/v1"]

        let good = try SignatureVerifier.corpus(keys: ["\(folder)/cosign.pub"], predicateTypes: attestation)
            .verifyBundle(bundle, for: .image(digest: digest), source: "bundle")
        #expect(good.isVerified, "\(String(describing: good.failure))")
        #expect(good.transparencyLog == .absent)

        let required = try SignatureVerifier.corpus(
            keys: ["\(folder)/cosign.pub"], logKeys: [try C.key("containers-image/rekor.pub")], requireLog: true,
            predicateTypes: attestation
        ).verifyBundle(bundle, for: .image(digest: digest), source: "bundle")
        #expect(required.failure?.reason == .transparencyLogMissing)

        let notASignature = try SignatureVerifier.corpus(keys: ["\(folder)/cosign.pub"])
            .verifyBundle(bundle, for: .image(digest: digest), source: "bundle")
        #expect(notASignature.failure?.reason == .predicateTypeNotAccepted)

        let wrong = try SignatureVerifier.corpus(keys: ["\(folder)/wrong.pub"], predicateTypes: attestation)
            .verifyBundle(bundle, for: .image(digest: digest), source: "bundle")
        #expect(wrong.failure?.reason == .wrongKey)

        let other = try SignatureVerifier.corpus(keys: ["\(folder)/cosign.pub"], predicateTypes: attestation)
            .verifyBundle(bundle, for: .image(digest: "sha256:" + String(repeating: "1", count: 64)), source: "bundle")
        #expect(other.failure?.reason == .digestMismatch)
    }

    @Test func referrerManifestAndFallbackIndexPointAtTheBundle() throws {
        let folder = "local-cosign-2.5.0"
        let digest = try C.digest("\(folder)/image-manifest.json")
        let referrer =
            try JSONSerialization.jsonObject(with: Data(try C.bytes("\(folder)/referrer-manifest.json")))
            as? [String: Any]
        #expect(referrer?["artifactType"] as? String == SigstoreBundleMediaType.v03)
        #expect((referrer?["subject"] as? [String: Any])?["digest"] as? String == digest)
        let index =
            try JSONSerialization.jsonObject(with: Data(try C.bytes("\(folder)/referrers-tag-index.json")))
            as? [String: Any]
        let listed = (index?["manifests"] as? [[String: Any]])?.compactMap { $0["digest"] as? String } ?? []
        #expect(listed.contains(try C.digest("\(folder)/referrer-manifest.json")))
    }
}
