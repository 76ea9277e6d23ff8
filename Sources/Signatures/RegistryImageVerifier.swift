import ScanGateJSON

/// Verifies an image in its registry: resolves a tag to a digest, then examines the cosign signature
/// manifest (`sha256-<hex>.sig`) and, when none of its signatures verifies, Sigstore bundles attached
/// as OCI referrers (the referrers API, or the `sha256-<hex>` referrers tag fallback).
///
/// This is the entry point for `scangate verify` and the release gate:
/// ```swift
/// let policy = VerificationPolicy(keys: [try PublicKey.load(path: "release.pub")])
/// let verifier = RegistryImageVerifier(policy: policy, options: RegistryOptions())
/// let result = verifier.verify(reference: "ghcr.io/acme/app@sha256:…")
/// // result.isVerified, result.digest, result.verifiedBy, result.failure, result.isRegistryFailure
/// ```
public struct RegistryImageVerifier: Sendable {
    public var verifier: SignatureVerifier
    public var options: RegistryOptions

    public init(policy: VerificationPolicy, options: RegistryOptions) {
        self.verifier = SignatureVerifier(policy: policy)
        self.options = options
    }

    /// Verifies `reference` (`registry/repository[:tag][@sha256:…]`). Never throws: every problem is a
    /// "not verified" result, with `registry-error` for registry and network failures.
    public func verify(reference: String) -> ImageVerification {
        guard let image = ImageReference(reference) else {
            return ImageVerification(
                reference: reference, repository: nil, tag: nil, digest: nil, resolvedFromTag: false, checks: [],
                failure: VerificationFailure(.badEncoding, "\"\(reference)\" is not a valid image reference"))
        }
        var digest = image.digest
        var checks: [SignatureCheck] = []
        var platforms: [ImagePlatform] = []
        func result(_ failure: VerificationFailure? = nil) -> ImageVerification {
            var decided = ImageVerification(
                reference: reference, repository: image.repositoryName, tag: image.tag, digest: digest,
                resolvedFromTag: image.digest == nil, checks: checks)
            decided.platforms = platforms
            guard let failure, !decided.isVerified else { return decided }
            var failed = decided
            failed.failure = failure
            return failed
        }
        if case .unreadable(let problem) = options.access {
            return result(
                VerificationFailure(
                    .registryError, "the credentials for \(image.registry) could not be read: \(problem)"))
        }
        do {
            var client = try RegistryClient(image: image, options: options)
            let resolved = try client.manifest(image.digest ?? image.tag ?? "latest", accept: ManifestMediaType.all)
            guard let resolved else {
                return result(
                    VerificationFailure(.registryError, "\(image) was not found in the registry (HTTP 404)"))
            }
            digest = resolved.digest
            // Read before the signatures, so that a registry failing on them later still leaves
            // the image's identity known (a missing scan is a definite "no" then, not a retry).
            platforms = try self.platforms(
                of: ManifestIdentity(digest: resolved.digest, manifest: resolved.bytes), client: &client)
            let expected = ExpectedImage(digest: resolved.digest, repository: image)
            checks += try simpleSigningChecks(client: &client, expected: expected)
            if !checks.contains(where: \.isVerified) {
                checks += try bundleChecks(client: &client, expected: expected)
            }
            if checks.isEmpty {
                return result(
                    VerificationFailure(
                        .noSignature, "no cosign signature or Sigstore bundle was found for \(resolved.digest)"))
            }
            return result()
        } catch {
            return result(VerificationFailure(.registryError, error.message))
        }
    }

    /// The platform images of a resolved manifest: itself, or (with
    /// ``RegistryOptions/readsPlatformManifests``) each platform manifest of an index, read by
    /// its digest (which the client checks) for its config digest. An index listing more than
    /// ``RegistryOptions/maximumPlatforms`` platforms, or one whose platform manifest cannot be
    /// read, is a registry error: its identity would be incomplete.
    private func platforms(
        of identity: ManifestIdentity, client: inout RegistryClient
    ) throws(RegistryError) -> [ImagePlatform] {
        guard identity.isIndex else {
            return [ImagePlatform(digest: identity.digest, configDigest: identity.configDigest)]
        }
        guard options.readsPlatformManifests else { return [] }
        guard identity.platforms.count <= options.maximumPlatforms else {
            throw RegistryError(
                message: "the index \(identity.digest) lists \(identity.platforms.count) platform images, more than "
                    + "\(options.maximumPlatforms) ScanGate reads")
        }
        var platforms: [ImagePlatform] = []
        for platform in identity.platforms {
            let fetched = try client.manifest(
                platform.digest, accept: [ManifestMediaType.ociManifest, ManifestMediaType.dockerManifest])
            guard let fetched else {
                throw RegistryError(
                    message: "the platform manifest \(platform.digest) of the index \(identity.digest) was not found")
            }
            var read = platform
            read.configDigest = ManifestIdentity(digest: platform.digest, manifest: fetched.bytes).configDigest
            platforms.append(read)
        }
        return platforms
    }

    /// Every simple-signing layer of `sha256-<hex>.sig`, each judged on its own.
    private func simpleSigningChecks(
        client: inout RegistryClient, expected: ExpectedImage
    ) throws(RegistryError) -> [SignatureCheck] {
        let tag = "sha256-" + expected.digest.dropFirst("sha256:".count) + ".sig"
        guard
            let manifest = try client.manifest(
                tag, accept: [ManifestMediaType.ociManifest, ManifestMediaType.dockerManifest])
        else { return [] }
        let source = { (index: Int) in "\(tag) layer \(index + 1)" }
        guard let root = StrictJSON.parse(manifest.bytes), let layers = root["layers"]?.elements,
            [ManifestMediaType.ociManifest, ManifestMediaType.dockerManifest].contains(
                root.text("mediaType") ?? manifest.contentType ?? "")
        else {
            return [
                SignatureCheck(
                    format: .simpleSigning, source: tag,
                    failure: VerificationFailure(.badEncoding, "the signature manifest \(tag) is not an image manifest")
                )
            ]
        }
        var checks: [SignatureCheck] = []
        for (index, layer) in layers.enumerated() where layer.text("mediaType") == SimpleSigningSignature.mediaType {
            guard checks.count < options.maximumSignatures else { break }
            guard let digest = layer.text("digest"), SHA256Digest.isValidDigest(digest),
                let signature = layer.child("annotations")?.text(SimpleSigningSignature.signatureAnnotation)
            else {
                checks.append(
                    SignatureCheck(
                        format: .simpleSigning, source: source(index),
                        layerDigest: layer.text("digest").flatMap { SHA256Digest.isValidDigest($0) ? $0 : nil },
                        failure: VerificationFailure(
                            .badEncoding, "the layer has no valid digest or no signature annotation")))
                continue
            }
            if let size = layer.integer("size"), size > options.maximumBlobSize {
                checks.append(
                    SignatureCheck(
                        format: .simpleSigning, source: source(index), layerDigest: digest,
                        failure: VerificationFailure(.badEncoding, "the payload is \(size) bytes, over the size limit"))
                )
                continue
            }
            switch try client.blob(digest) {
            case .failure(let failure):
                checks.append(
                    SignatureCheck(format: .simpleSigning, source: source(index), layerDigest: digest, failure: failure)
                )
            case .success(let payload):
                let annotations = layer.child("annotations")
                let parsed = SimpleSigningSignature(
                    payload: payload, signatureBase64: signature,
                    rekorBundle: annotations?.text(SimpleSigningSignature.bundleAnnotation),
                    certificate: annotations?.text(SimpleSigningSignature.certificateAnnotation))
                checks.append(verifier.verify(parsed, for: expected, source: source(index), layerDigest: digest))
            }
        }
        return checks
    }

    /// Sigstore bundles attached to `digest` as referrers.
    private func bundleChecks(
        client: inout RegistryClient, expected: ExpectedImage
    ) throws(RegistryError) -> [SignatureCheck] {
        let digest = expected.digest
        var index = try client.referrers(digest)
        var origin = "referrers API"
        if index == nil {
            let tag = "sha256-" + digest.dropFirst("sha256:".count)
            index = try client.manifest(tag, accept: [ManifestMediaType.ociIndex])?.bytes
            origin = "referrers tag \(tag)"
        }
        guard let index, let root = StrictJSON.parse(index), let descriptors = root["manifests"]?.elements else {
            return []
        }
        var checks: [SignatureCheck] = []
        for descriptor in descriptors.prefix(options.maximumSignatures) {
            // cosign 2.5 writes the fallback index entries with an empty artifactType: the manifest decides.
            guard let manifestDigest = descriptor.text("digest"), SHA256Digest.isValidDigest(manifestDigest),
                let manifest = try client.manifest(manifestDigest, accept: [ManifestMediaType.ociManifest]),
                let referrer = StrictJSON.parse(manifest.bytes)
            else { continue }
            let bundleLayers = (referrer["layers"]?.elements ?? []).filter {
                $0.text("mediaType").map(Self.isBundleMediaType) ?? false
            }
            let isBundle = referrer.text("artifactType").map(Self.isBundleMediaType) ?? !bundleLayers.isEmpty
            guard isBundle else { continue }
            let source = "\(origin) → \(manifestDigest)"
            guard referrer.child("subject")?.text("digest") == digest else {
                checks.append(
                    SignatureCheck(
                        format: .sigstoreBundle, source: source,
                        failure: VerificationFailure(.digestMismatch, "the referrer's subject is not \(digest)")))
                continue
            }
            for layer in bundleLayers {
                guard let layerDigest = layer.text("digest"), SHA256Digest.isValidDigest(layerDigest) else { continue }
                switch try client.blob(layerDigest) {
                case .failure(let failure):
                    checks.append(
                        SignatureCheck(
                            format: .sigstoreBundle, source: source, layerDigest: layerDigest, failure: failure))
                case .success(let bytes):
                    checks.append(
                        verifier.verifyBundle(
                            bytes, for: .image(digest: digest, repository: expected.repository), source: source,
                            layerDigest: layerDigest))
                }
            }
        }
        return checks
    }

    private static func isBundleMediaType(_ type: String) -> Bool {
        type.hasPrefix("application/vnd.dev.sigstore.bundle")
    }
}

/// What a resolved manifest says the image is, read from the bytes whose digest was checked:
/// a single-platform manifest's config digest, or the platform images an index lists.
public struct ManifestIdentity: Sendable, Equatable {
    public var digest: String
    /// Whether it is an index (`manifests`), not an image manifest.
    public var isIndex: Bool = false
    /// The config digest of an image manifest.
    public var configDigest: String?
    /// An index's platform images (their config digests not read yet), without attestation
    /// manifests, which are no image: those whose platform is `unknown/unknown`, as buildx
    /// writes them. An annotation does not make one: containerd and Kubernetes pick an entry
    /// by its platform alone, so an entry for `linux/amd64` is deployed whatever it is labelled.
    public var platforms: [ImagePlatform] = []

    /// What the manifest `digest` names, from its bytes (`manifest`, already checked against it).
    public init(digest: String, manifest: [UInt8]) {
        self.digest = digest
        guard let root = StrictJSON.parse(manifest) else { return }
        if let entries = root["manifests"]?.elements {
            isIndex = true
            for entry in entries {
                guard let child = entry.text("digest"), SHA256Digest.isValidDigest(child) else { continue }
                let platform = entry.child("platform")
                let os = platform?.text("os")
                let architecture = platform?.text("architecture")
                // buildx's attestation manifests: no runtime selects this platform.
                guard !(os == "unknown" && architecture == "unknown") else { continue }
                let name = [os, architecture, platform?.text("variant")].compactMap { $0 }.joined(separator: "/")
                platforms.append(ImagePlatform(digest: child, configDigest: nil, name: name.isEmpty ? nil : name))
            }
        } else if let config = root.child("config")?.text("digest"), SHA256Digest.isValidDigest(config) {
            configDigest = config
        }
    }
}
