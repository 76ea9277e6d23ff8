import ArgumentParser
import Foundation
import OutputFiles
import ScanGateJSON
import Signatures

/// Output formats of `scangate verify`.
enum VerifyOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an image's cosign signatures with trusted public keys.",
        discussion: """
            Online: scangate verify REGISTRY/REPO@sha256:… --key release.pub. A tag is resolved to its \
            digest, which is what gets verified (the output says the tag is mutable). The image passes \
            when one signature (a layer of sha256-<hex>.sig, or a Sigstore bundle referrer) verifies \
            with a trusted key and names this digest and repository. \
            Offline: --payload FILE --signature FILE (base64) [--rekor-bundle FILE], or --bundle FILE \
            (a Sigstore bundle or a containers/image signature), with --digest and --reference. \
            Registry credentials: SCANGATE_REGISTRY_USERNAME and SCANGATE_REGISTRY_PASSWORD for the registry \
            SCANGATE_REGISTRY names (required with them; other registries never get them), else \
            $DOCKER_CONFIG/config.json or ~/.docker/config.json as Docker reads it: the credential helper \
            credHelpers or credsStore names (docker-credential-<name> get, e.g. ecr-login, gcloud), then \
            auths.<registry>.auth. A helper that fails or takes over 30 s leaves the image not verified. \
            Exit codes: 0 verified, 1 not verified, 2 usage error or unusable key, 4 the registry failed.
            """
    )

    @Argument(help: "The image: REGISTRY/REPOSITORY[:TAG][@sha256:DIGEST] (not with the offline options).")
    var image: String?

    @Option(name: .customLong("key"), help: "A trusted public key (PEM); may be repeated.")
    var keys: [String] = []

    @Flag(help: "Allow plain HTTP to a registry on localhost or 127.0.0.1.")
    var insecureRegistry = false

    @Flag(name: .customLong("require-tlog"), help: "Require a Rekor log entry verified with --rekor-key.")
    var requireTransparencyLog = false

    @Option(name: .customLong("rekor-key"), help: "A pinned Rekor public key (PEM); may be repeated.")
    var rekorKeys: [String] = []

    @Option(help: "A Sigstore trusted root JSON whose transparency log keys are pinned.")
    var trustedRoot: String?

    @Option(
        name: .customLong("predicate-type"),
        help: "Also accept Sigstore bundles with this in-toto predicate type (default: cosign's signature type).")
    var predicateTypes: [String] = []

    @Option(help: "Output format: table or json.")
    var format: VerifyOutputFormat = .table

    @Option(help: "Offline: the signed payload file (its exact bytes).")
    var payload: String?

    @Option(help: "Offline: the file holding the base64 signature.")
    var signature: String?

    @Option(help: "Offline: a legacy Rekor bundle (dev.sigstore.cosign/bundle) for --payload.")
    var rekorBundle: String?

    @Option(help: "Offline: a Sigstore bundle or a containers/image signature file.")
    var bundle: String?

    @Option(help: "Offline: the image digest the signature must name (sha256:…).")
    var digest: String?

    @Option(help: "Offline: the repository the docker-reference claim must name.")
    var reference: String?

    private var isOffline: Bool { payload != nil || signature != nil || bundle != nil }

    func validate() throws {
        guard !keys.isEmpty else { throw ValidationError("at least one --key is required") }
        if requireTransparencyLog && rekorKeys.isEmpty && trustedRoot == nil {
            throw ValidationError("--require-tlog needs --rekor-key or --trusted-root")
        }
        if isOffline {
            guard image == nil else { throw ValidationError("give an image or the offline options, not both") }
            guard
                (payload != nil && signature != nil && bundle == nil)
                    || (bundle != nil && payload == nil && signature == nil)
            else { throw ValidationError("offline mode takes --payload with --signature, or --bundle") }
            guard rekorBundle == nil || payload != nil else {
                throw ValidationError("--rekor-bundle goes with --payload and --signature")
            }
            guard let digest, SHA256Digest.isValidDigest(digest) else {
                throw ValidationError("offline mode needs --digest sha256:<64 lowercase hex digits>")
            }
            // Every offline form binds the signature to a repository as well as a digest: without
            // --reference a bundle signed for another repository by the same key would verify.
            guard reference != nil else {
                throw ValidationError(
                    "offline mode needs --reference REPOSITORY: the signature's claim must name the repository")
            }
            if let reference, ImageReference(reference) == nil {
                throw ValidationError("--reference \"\(reference)\" is not a valid repository")
            }
        } else {
            guard let image else { throw ValidationError("give an image reference, or --payload/--bundle offline") }
            guard ImageReference(image) != nil else {
                throw ValidationError("\"\(image)\" is not a valid image reference")
            }
            guard digest == nil, reference == nil, rekorBundle == nil else {
                throw ValidationError("--digest, --reference and --rekor-bundle are offline options")
            }
        }
    }

    func run() throws {
        let policy = try loadPolicy()
        let result: ImageVerification
        if isOffline {
            result = try verifyOffline(policy: policy)
        } else {
            let environment = ProcessInfo.processInfo.environment
            if let problem = RegistryCredentials.environmentProblem(environment) {
                Terminal.error("error: \(problem)")
                throw ExitCode(ExitStatus.usage)
            }
            let registry = ImageReference(image ?? "")?.registry ?? ""
            let options = RegistryOptions(allowInsecureLoopback: insecureRegistry)
                .withCredentials(for: registry, environment: environment)
            result = RegistryImageVerifier(policy: policy, options: options).verify(reference: image ?? "")
        }
        switch format {
        case .table:
            try StandardOutput.write(LogText.defusingCommands(result.text))
        case .json:
            var writer = JSONWriter()
            result.write(to: &writer)
            writer.newline()
            try StandardOutput.write(LogText.defusingCommands(inJSON: writer.bytes))
        }
        if result.isVerified { return }
        if let failure = result.failure { Terminal.error("scangate verify: not verified: \(failure)") }
        throw ExitCode(result.isRegistryFailure ? ExitStatus.remoteFailure : ExitStatus.gateFailed)
    }

    private func loadPolicy() throws -> VerificationPolicy {
        do {
            let trusted = try keys.map { path throws(KeyError) in try PublicKey.load(path: path) }
            var logKeys = try rekorKeys.map { path throws(KeyError) in try PublicKey.load(path: path) }
            if let trustedRoot { logKeys += try TrustedRoot.transparencyLogKeys(path: trustedRoot) }
            return VerificationPolicy(
                keys: trusted, transparencyLogKeys: logKeys, requireTransparencyLog: requireTransparencyLog,
                acceptedPredicateTypes: Set(predicateTypes + [VerificationPolicy.cosignSignPredicateType]))
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    private func verifyOffline(policy: VerificationPolicy) throws -> ImageVerification {
        let repository = reference.flatMap(ImageReference.init)
        let expected = ExpectedImage(digest: digest ?? "", repository: repository)
        let verifier = SignatureVerifier(policy: policy)
        if let bundle {
            return verifier.verifyOffline(signatureFile: try Self.read(bundle), image: expected, source: bundle)
        }
        let payloadBytes = try Self.read(payload ?? "")
        // A trailing newline (echo, editors) is not part of base64; anything else inside is refused.
        let signatureText = String(decoding: try Self.read(signature ?? ""), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let rekor = try rekorBundle.map { String(decoding: try Self.read($0), as: UTF8.self) }
        return verifier.verifyOffline(
            payload: payloadBytes, signatureBase64: signatureText, rekorBundle: rekor, image: expected,
            source: payload ?? "")
    }

    private static func read(_ path: String) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try SmallFile.read(path, limit: 16 << 20)
        } catch {
            Terminal.error("error: \(path): \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        guard !bytes.isEmpty else {
            Terminal.error("error: \(path) is empty")
            throw ExitCode(ExitStatus.usage)
        }
        return bytes
    }
}
