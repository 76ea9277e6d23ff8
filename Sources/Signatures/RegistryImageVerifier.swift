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
        var platforms: [ImagePlatform]?
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
            if options.readsPlatformManifests {
                switch try self.platforms(of: resolved, client: &client) {
                case .success(let read): platforms = read
                case .failure(let unreadable): return result(unreadable)
                }
            }
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

    /// The platform images of a resolved manifest: itself, or each platform manifest of an
    /// index, read by its digest (which the client checks) for its config digest; none for an
    /// index that lists none (only attestations, or nothing).
    ///
    /// A manifest whose identity cannot be read (``ManifestIdentity``), an index listing more
    /// than ``RegistryOptions/maximumPlatforms`` platforms, and one with a platform manifest that
    /// is itself an index are a `.failure` (`unreadable-manifest`): the bytes the registry serves
    /// say so, and reading them again changes nothing. A platform manifest the registry cannot
    /// serve is a registry error (thrown).
    private func platforms(
        of resolved: FetchedManifest, client: inout RegistryClient
    ) throws(RegistryError) -> Result<[ImagePlatform], VerificationFailure> {
        let identity: ManifestIdentity
        switch Self.identity(of: resolved) {
        case .success(let read): identity = read
        case .failure(let unreadable): return .failure(unreadable)
        }
        guard identity.isIndex else {
            return .success([ImagePlatform(digest: identity.digest, configDigest: identity.configDigest)])
        }
        guard identity.platforms.count <= options.maximumPlatforms else {
            return .failure(
                VerificationFailure(
                    .unreadableManifest,
                    "the index \(identity.digest) lists \(identity.platforms.count) platform images, more than "
                        + "\(options.maximumPlatforms) ScanGate reads"))
        }
        var platforms: [ImagePlatform] = []
        for platform in identity.platforms {
            // Any manifest type: an index served here is refused below, by what it is.
            let fetched = try client.manifest(platform.digest, accept: ManifestMediaType.all)
            guard let fetched else {
                throw RegistryError(
                    message: "the platform manifest \(platform.digest) of the index \(identity.digest) was not found")
            }
            let child: ManifestIdentity
            switch Self.identity(of: fetched, in: identity.digest) {
            case .success(let read): child = read
            case .failure(let unreadable): return .failure(unreadable)
            }
            guard !child.isIndex else {
                return .failure(
                    VerificationFailure(
                        .unreadableManifest,
                        "the platform manifest \(platform.digest) of the index \(identity.digest) is itself an "
                            + "index: nested indexes are not read"))
            }
            var read = platform
            read.configDigest = child.configDigest
            platforms.append(read)
        }
        return .success(platforms)
    }

    /// The identity of a fetched manifest (a platform manifest of the index `index`), or why
    /// it cannot be read.
    private static func identity(
        of fetched: FetchedManifest, in index: String? = nil
    ) -> Result<ManifestIdentity, VerificationFailure> {
        do throws(ManifestIdentityError) {
            return .success(
                try ManifestIdentity(digest: fetched.digest, manifest: fetched.bytes, mediaType: fetched.contentType))
        } catch {
            return .failure(
                VerificationFailure(
                    .unreadableManifest, (index.map { "in the index \($0): " } ?? "") + error.description))
        }
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
///
/// What cannot be read for certain is an error, never a guess: an index taken for an image
/// manifest would stand for one image, and a report on any one of its platforms (which names
/// the index's digest) would then vouch for all of them.
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

    /// What the manifest `digest` names, from its bytes (`manifest`, already checked against it)
    /// and the media type the registry served them as (`Content-Type`, when it said).
    ///
    /// - Throws: ``ManifestIdentityError`` when the bytes cannot be read strictly (a key twice
    ///   in one object, which Go-based registries and runtimes read by keeping the last, so the
    ///   platforms they see are not the ones a reader that keeps the first sees), when they say
    ///   they are both an index and an image manifest, or when they are an index (by media type,
    ///   or by their `manifests`) without a list of entries, with an entry without a valid
    ///   `sha256` digest, or with an entry that is itself an index.
    public init(digest: String, manifest: [UInt8], mediaType: String? = nil) throws(ManifestIdentityError) {
        self.digest = digest
        let root: JSONValue
        do {
            root = try StrictJSON.read(manifest)
        } catch {
            // Whatever the media type says: bytes read two ways may be an index to one reader.
            throw ManifestIdentityError(
                digest: digest, problem: "cannot be read strictly (\(error)), so what it holds cannot be told")
        }
        if let problem = Self.nameReadTwoWays(in: root) {
            throw ManifestIdentityError(digest: digest, problem: problem)
        }
        // The media types the registry and the bytes give, and the members only one kind has.
        let types = [mediaType, root.text("mediaType")].compactMap(ManifestMediaType.normalized)
        let saysIndex = types.contains { ManifestMediaType.indexes.contains($0) } || root.has("manifests")
        let saysImage =
            types.contains { ManifestMediaType.images.contains($0) } || root.has("config") || root.has("layers")
        guard !(saysIndex && saysImage) else {
            let named = types.isEmpty ? "" : " (media type \(types.joined(separator: ", ")))"
            throw ManifestIdentityError(
                digest: digest, problem: "says it is both an index and an image manifest\(named)")
        }
        guard saysIndex else {
            if let config = root.child("config")?.text("digest"), SHA256Digest.isValidDigest(config) {
                configDigest = config
            }
            return
        }
        isIndex = true
        guard let entries = root["manifests"], entries.kind == .array else {
            throw ManifestIdentityError(digest: digest, problem: "is an index without a \"manifests\" list")
        }
        for (position, entry) in entries.elements.enumerated() {
            let place = "entry \(position + 1) of \"manifests\""
            // An entry skipped could still be the one a runtime picks (by another algorithm's
            // digest): its platform would go unscanned.
            guard let child = entry.text("digest"), SHA256Digest.isValidDigest(child) else {
                throw ManifestIdentityError(digest: digest, problem: "has no valid sha256 digest in its \(place)")
            }
            let platform = entry.child("platform")
            let os = platform?.text("os")
            let architecture = platform?.text("architecture")
            // buildx's attestation manifests: no runtime selects this platform.
            guard !(os == "unknown" && architecture == "unknown") else { continue }
            if let type = ManifestMediaType.normalized(entry.text("mediaType")),
                ManifestMediaType.indexes.contains(type)
            {
                throw ManifestIdentityError(
                    digest: digest, problem: "lists an index (\(child), its \(place)): nested indexes are not read")
            }
            let name = [os, architecture, platform?.text("variant")].compactMap { $0 }.joined(separator: "/")
            platforms.append(ImagePlatform(digest: child, configDigest: nil, name: name.isEmpty ? nil : name))
        }
    }
}

extension ManifestIdentity {
    /// The members of the manifest and index formats, as their specifications spell them.
    static let specifiedNames: Set<String> = [
        "schemaVersion", "mediaType", "artifactType", "manifests", "config", "layers", "digest", "size", "urls",
        "platform", "os", "architecture", "variant", "os.version", "os.features", "features", "annotations",
        "subject", "data",
    ]

    /// Why the document could be read otherwise by a runtime, or nil. Go's JSON decoder, which
    /// containerd, CRI-O and the registries use, matches member names ignoring case (Unicode's
    /// too: `ſ` is `s`) and keeps the last: `"manifests"` then `"Manifests"` is two lists to a
    /// strict reader and one, the second, to a runtime, which would then pull a platform no
    /// report scanned. So two names of one object alike but for case, or a specified name
    /// spelt in another case, make the manifest unreadable.
    static func nameReadTwoWays(in value: JSONValue) -> String? {
        switch value.kind {
        case .object:
            var seen: [String: String] = [:]
            for (name, member) in value.members {
                let folded = name.lowercased().uppercased()
                if let other = seen[folded] {
                    return
                        "has the members \"\(other)\" and \"\(name)\" in one object, which Go-based runtimes read as "
                        + "one (ignoring case, keeping the last)"
                }
                seen[folded] = name
                if !specifiedNames.contains(name),
                    let specified = specifiedNames.first(where: { $0.lowercased().uppercased() == folded })
                {
                    return "spells \"\(specified)\" as \"\(name)\", which Go-based runtimes read as \"\(specified)\""
                }
                // Annotations are a map, whose keys Go reads as written.
                if name != "annotations", let problem = nameReadTwoWays(in: member) { return problem }
            }
            return nil
        case .array:
            for element in value.elements {
                if let problem = nameReadTwoWays(in: element) { return problem }
            }
            return nil
        default:
            return nil
        }
    }
}

/// A manifest or index whose bytes do not say for certain what image it is: its identity,
/// which the release gate matches scan reports to, cannot be read (`unreadable-manifest`).
public struct ManifestIdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The manifest's digest.
    public var digest: String
    /// What is wrong with it, as a clause (`cannot be read strictly (…)`).
    public var problem: String

    public var description: String { "the manifest \(digest) \(problem)" }
}
