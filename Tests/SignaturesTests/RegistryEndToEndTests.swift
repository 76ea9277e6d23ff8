import Foundation
import HTTP
import Signatures
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// End to end, against real tools: Debian's `docker-registry` on 127.0.0.1 (its own config and storage
/// in a temporary directory), images pushed with `skopeo` from OCI layouts written here (no network),
/// signed by the real `cosign` (2.5.0 from Debian trixie; `scripts/install-signature-tools`), then
/// checked with the real `scangate verify`. Skipped with a message when a tool is missing.
@Suite("Signature registry end to end", .enabled(if: E2E.isAvailable, E2E.skipMessage), E2E.Scope())
struct SignatureRegistryEndToEndTests {
    private var world: E2E.World {
        get throws { try #require(E2E.World.current, "the registry scope did not start") }
    }

    @Test func goodSignatureByDigestVerifies() throws {
        let world = try world
        let result = try E2E.scangate([
            "verify", world.ref("signed", digest: world.signed), "--key", world.key, "--insecure-registry",
        ])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("VERIFIED"))
        #expect(result.standardOutput.contains("verified by key"))
        #expect(result.standardOutput.contains(world.key))
        #expect(result.standardOutput.contains("sha256-\(world.signed.dropFirst(7)).sig layer 1"))
    }

    @Test func tagIsResolvedAndReportedAsMutable() throws {
        let world = try world
        let result = try E2E.scangate([
            "verify", "\(world.registry)/e2e/signed:v1", "--key", world.key, "--insecure-registry", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(json?["verified"] as? Bool == true)
        #expect(json?["mutableTag"] as? Bool == true)
        #expect(json?["tag"] as? String == "v1")
        #expect(json?["digest"] as? String == world.signed)
        let signature = (json?["signatures"] as? [[String: Any]])?.first
        #expect(signature?["keyFile"] as? String == world.key)
        #expect((signature?["keyId"] as? String)?.count == 64)

        let table = try E2E.scangate([
            "verify", "\(world.registry)/e2e/signed:v1", "--key", world.key, "--insecure-registry",
        ])
        #expect(table.standardOutput.contains("is mutable"))
    }

    @Test func wrongKeyIsNotVerified() throws {
        let world = try world
        let result = try E2E.scangate([
            "verify", world.ref("signed", digest: world.signed), "--key", world.otherKey, "--insecure-registry",
        ])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("NOT VERIFIED: wrong-key"))
    }

    @Test func tamperedPayloadIsNotVerified() throws {
        let world = try world
        let result = try E2E.scangate([
            "verify", world.ref("tampered", digest: world.tampered), "--key", world.key, "--insecure-registry",
        ])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("NOT VERIFIED: wrong-key"))
    }

    @Test func unsignedImageHasNoSignature() throws {
        let world = try world
        let result = try E2E.scangate([
            "verify", world.ref("unsigned", digest: world.unsigned), "--key", world.key, "--insecure-registry",
        ])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("NOT VERIFIED: no-signature"))
    }

    @Test func signatureForAnotherDigestIsADigestMismatch() throws {
        let world = try world
        let result = try E2E.scangate([
            "verify", world.ref("misattached", digest: world.misattached), "--key", world.key, "--insecure-registry",
        ])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("NOT VERIFIED: digest-mismatch"))
    }

    @Test func cosignBundleReferrerIsFoundThroughTheTagFallback() throws {
        let world = try world
        let arguments = [
            "verify", world.ref("attested", digest: world.attested), "--key", world.key, "--insecure-registry",
        ]
        let accepted = try E2E.scangate(arguments + ["--predicate-type", "https://cosign.sigstore.dev/attestation/v1"])
        #expect(accepted.status == 0, "\(accepted.standardOutput)\(accepted.standardError)")
        #expect(accepted.standardOutput.contains("referrers tag sha256-"))
        // An attestation is not a signature unless its predicate type is accepted.
        let refused = try E2E.scangate(arguments)
        #expect(refused.status == 1)
        #expect(refused.standardOutput.contains("predicate-type-not-accepted"))
    }

    /// A private registry (Basic authentication over htpasswd): the signed image and its
    /// signature are copied there, then verified with credentials from each place ScanGate
    /// reads them, and refused without or with wrong ones.
    @Test(.enabled(if: E2E.htpasswdHash != nil, "needs python3's crypt module to write the registry's htpasswd"))
    func aPrivateRegistryIsReadWithTheCredentialsDockerWouldUse() throws {
        let world = try world
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-sig-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let hash = try #require(E2E.htpasswdHash)
        let htpasswd = directory.appendingPathComponent("htpasswd")
        try Data("robot:\(hash)\n".utf8).write(to: htpasswd)
        let registry = try E2E.Registry(directory: directory, htpasswd: htpasswd)
        defer { registry.stop() }

        // The image copied there, and signed there by cosign (which logs in from its config.json).
        let policy = directory.appendingPathComponent("policy.json")
        try Data(#"{"default":[{"type":"insecureAcceptAnything"}]}"#.utf8).write(to: policy)
        try E2E.mustRun(
            "skopeo",
            [
                "--policy", policy.path, "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false",
                "--preserve-digests", "--dest-creds", "robot:s3cret", "docker://\(world.registry)/e2e/signed:v1",
                "docker://\(registry.address)/e2e/signed:v1",
            ])
        let reference = "\(registry.address)/e2e/signed@\(world.signed)"
        let auth = StrictBase64.encode(Array("robot:s3cret".utf8))
        let cosignHome = directory.appendingPathComponent("cosign-home")
        try FileManager.default.createDirectory(
            at: cosignHome.appendingPathComponent(".docker"), withIntermediateDirectories: true)
        try Data(#"{"auths": {"\#(registry.address)": {"auth": "\#(auth)"}}}"#.utf8).write(
            to: cosignHome.appendingPathComponent(".docker/config.json"))
        let signingKey = URL(fileURLWithPath: world.key).deletingLastPathComponent().appendingPathComponent(
            "cosign.key")
        try E2E.mustRun(
            "cosign", ["sign", "--key", signingKey.path, "--tlog-upload=false", "-y", reference],
            environment: [
                "HOME": cosignHome.path, "DOCKER_CONFIG": cosignHome.appendingPathComponent(".docker").path,
                "TUF_ROOT": cosignHome.appendingPathComponent(".sigstore").path, "COSIGN_PASSWORD": "e2e-pass",
            ])
        let docker = directory.appendingPathComponent("docker")
        try FileManager.default.createDirectory(at: docker, withIntermediateDirectories: true)
        func verify(config: String?, extra: [String: String] = [:]) throws -> ChildProcess.Result {
            if let config { try Data(config.utf8).write(to: docker.appendingPathComponent("config.json")) }
            var environment = ["DOCKER_CONFIG": docker.path, "PATH": docker.path + ":/usr/bin:/bin"]
            environment.merge(extra) { $1 }
            return try E2E.run(
                try #require(E2E.scangateBinary), ["verify", reference, "--key", world.key, "--insecure-registry"],
                environment: environment)
        }

        let anonymous = try verify(config: nil)
        #expect(anonymous.status == 4, "\(anonymous.standardOutput)\(anonymous.standardError)")
        #expect(anonymous.standardOutput.contains("requires credentials"))

        let fromAuths = try verify(config: #"{"auths": {"\#(registry.address)": {"auth": "\#(auth)"}}}"#)
        #expect(fromAuths.status == 0, "\(fromAuths.standardOutput)\(fromAuths.standardError)")
        #expect(fromAuths.standardOutput.contains("VERIFIED"))

        let wrong = StrictBase64.encode(Array("robot:wrong".utf8))
        let refused = try verify(config: #"{"auths": {"\#(registry.address)": {"auth": "\#(wrong)"}}}"#)
        #expect(refused.status == 4, "\(refused.standardOutput)\(refused.standardError)")

        // A credential helper, as ECR's or a keychain's is run (committed: see CredentialHelperTests).
        let helpers = SignatureCorpus.repositoryRoot.appendingPathComponent("fixtures/credential-helpers")
        let fromHelper = try verify(
            config: #"{"credsStore": "e2e", "auths": {"\#(registry.address)": {}}}"#,
            extra: ["PATH": helpers.path + ":/usr/bin:/bin", "E2E_REGISTRY": registry.address])
        #expect(fromHelper.status == 0, "\(fromHelper.standardOutput)\(fromHelper.standardError)")
        #expect(fromHelper.standardOutput.contains("VERIFIED"))

        let fromEnvironment = try verify(
            config: "{}",
            extra: [
                RegistryCredentials.usernameVariable: "robot", RegistryCredentials.passwordVariable: "s3cret",
                RegistryCredentials.registryVariable: registry.address,
            ])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.standardOutput)\(fromEnvironment.standardError)")
    }

    @Test func registryDownIsARegistryError() throws {
        let port = try E2E.freePort()
        let reference = "127.0.0.1:\(port)/e2e/signed@\(try world.signed)"
        let result = try E2E.scangate(["verify", reference, "--key", try world.key, "--insecure-registry"])
        #expect(result.status == 4, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("registry-error"))
    }

    @Test func plainHTTPNeedsTheInsecureFlag() throws {
        let world = try world
        let result = try E2E.scangate(["verify", world.ref("signed", digest: world.signed), "--key", world.key])
        #expect(result.status == 4, "\(result.standardOutput)\(result.standardError)")
    }
}

/// The tools, the registry and the images the end-to-end tests share.
enum E2E {
    static let tools = ["docker-registry", "skopeo", "cosign", "tar"]

    static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var missingTools: [String] { tools.filter { which($0) == nil } }

    /// A bcrypt hash of `s3cret` for docker-registry's htpasswd file (it accepts only bcrypt),
    /// from python3's `crypt` (libxcrypt); nil where that is unavailable (Python 3.13 removed it).
    static let htpasswdHash: String? = {
        guard let python = which("python3"),
            let result = try? run(
                python,
                [
                    "-W", "ignore", "-c",
                    "import crypt; print(crypt.crypt('s3cret', crypt.mksalt(crypt.METHOD_BLOWFISH)))",
                ]
            ), result.status == 0
        else { return nil }
        let hash = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        return hash.hasPrefix("$2") ? hash : nil
    }()

    static var isAvailable: Bool { missingTools.isEmpty && scangateBinary != nil }

    static var skipMessage: Comment {
        let missing = missingTools + (scangateBinary == nil ? ["the scangate binary (swift build)"] : [])
        return "needs \(missing.joined(separator: ", ")): run scripts/install-signature-tools"
    }

    /// The `scangate` built next to the test bundle (SCANGATE_BINARY overrides).
    static var scangateBinary: String? { ScanGateExecutable.isAvailable ? ScanGateExecutable.url.path : nil }

    static func scangate(_ arguments: [String]) throws -> ChildProcess.Result {
        try run(try #require(scangateBinary), arguments)
    }

    /// Runs a tool with cosign/skopeo kept off the network: proxies point at a dead loopback port.
    static func run(
        _ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
        directory: URL? = nil
    ) throws -> ChildProcess.Result {
        var environment = ProcessInfo.processInfo.environment
        for name in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
            environment[name] = "http://127.0.0.1:9"
        }
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["no_proxy"] = "127.0.0.1,localhost"
        environment.merge(extra) { $1 }
        return try ChildProcess.run(
            URL(fileURLWithPath: executable), arguments,
            in: directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath), environment: environment)
    }

    @discardableResult
    static func mustRun(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) throws -> ChildProcess.Result {
        let result = try run(try #require(which(tool)), arguments, environment: environment, directory: directory)
        try #require(result.status == 0, "\(tool) \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        return result
    }

    /// A port nothing listens on right now (bound to 0, read back, released).
    static func freePort() throws -> Int {
        let (socketDescriptor, port) = try boundSocket()
        close(socketDescriptor)
        return port
    }

    /// A TCP socket bound to 127.0.0.1 on a port the kernel chose, and that port; the caller
    /// closes it.
    static func boundSocket() throws -> (descriptor: Int32, port: Int) {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socketDescriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(socketDescriptor)
            throw BoundSocketError()
        }
        return (socketDescriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    struct BoundSocketError: Error {}

    /// What the scope built: the registry address, the keys, and the digests of each image.
    struct World: Sendable {
        @TaskLocal static var current: World?

        var registry: String
        var key: String
        var otherKey: String
        var signed: String
        var unsigned: String
        var tampered: String
        var attested: String
        /// An image whose `sha256-<hex>.sig` tag holds a copy of the signature for `signed`.
        var misattached: String
        /// Each image's config digest (what Trivy calls its `ImageID`), by name.
        var configs: [String: String] = [:]
        /// A signed two-platform index (`e2e/multi`), and its platforms' manifest and config
        /// digests (linux/amd64, then linux/arm64).
        var multi: String = ""
        var multiPlatforms: [[String]] = []
        /// Signed indexes in `e2e/multi` over its platform manifests, by name: `duplicated` (two
        /// `manifests` arrays), `annotated` (every platform labelled an attestation), `empty`,
        /// `attestations-only`, `nested` and `disguised` (linux/amd64 is the index `multi`,
        /// with an index's media type or an image manifest's).
        var craftedIndexes: [String: String] = [:]

        func ref(_ repository: String, digest: String) -> String { "\(registry)/e2e/\(repository)@\(digest)" }
    }

    /// Starts the registry once for the suite, builds and signs the images, and stops it afterwards.
    struct Scope: SuiteTrait, TestScoping {
        func provideScope(
            for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
        ) async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "scangate-sig-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let registry = try Registry(directory: directory)
            defer {
                registry.stop()
                try? FileManager.default.removeItem(at: directory)
            }
            let world = try Setup(directory: directory, registry: registry.address).build()
            try await World.$current.withValue(world) { try await function() }
        }
    }

    /// A `docker-registry` process on 127.0.0.1 with its own config and storage; with `htpasswd`
    /// (a file of `user:bcrypt-hash` lines) every request needs Basic credentials.
    final class Registry {
        let address: String
        private let process = Process()

        init(directory: URL, htpasswd: URL? = nil) throws {
            let port = try E2E.freePort()
            address = "127.0.0.1:\(port)"
            let storage = directory.appendingPathComponent("registry-data")
            try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
            let config = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: \(storage.path)
                  delete:
                    enabled: true
                http:
                  addr: \(address)
                """
                + (htpasswd.map { "\nauth:\n  htpasswd:\n    realm: scangate-e2e\n    path: \($0.path)\n" } ?? "")
            let configFile = directory.appendingPathComponent("registry.yml")
            try Data(config.utf8).write(to: configFile)
            process.executableURL = URL(fileURLWithPath: try #require(E2E.which("docker-registry")))
            process.arguments = ["serve", configFile.path]
            let log = FileHandle(forWritingAtPath: "/dev/null")
            process.standardOutput = log
            process.standardError = log
            try process.run()
            let client = HTTPClient(configuration: HTTPClientConfiguration(timeout: 2, retryPolicy: .none))
            for _ in 0..<100 {
                // Up: 200, or 401 when it asks for credentials.
                if let response = try? client.send(HTTPRequest(method: .get, url: "http://\(address)/v2/")),
                    response.status == 200 || (htpasswd != nil && response.status == 401)
                {
                    return
                }
                usleep(100_000)
            }
            stop()
            throw RegistryStartError()
        }

        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct RegistryStartError: Error, CustomStringConvertible {
        var description: String { "docker-registry did not answer on 127.0.0.1" }
    }
}
