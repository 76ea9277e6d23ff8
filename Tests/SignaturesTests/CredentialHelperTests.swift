import Foundation
import Testing

@testable import Signatures

/// Docker credential helpers, run for real: `fixtures/credential-helpers/docker-credential-fake`
/// (also as `docker-credential-other`), a script speaking the helpers' protocol (`get`, the server
/// URL on standard input, JSON on standard output) and answering by server URL as
/// docker-credential-helpers do, on `PATH`, and a `config.json` naming it.
@Suite struct CredentialHelperTests {
    /// The committed helpers: a helper written by a test could fail to start with ETXTBSY when
    /// another test forked while it was open for writing.
    static let helpers = SignatureCorpus.repositoryRoot.appendingPathComponent("fixtures/credential-helpers")

    /// A directory with a `config.json`; removed by the caller.
    struct Setup {
        let directory: URL
        var environment: [String: String] {
            [
                "DOCKER_CONFIG": directory.path, "PATH": CredentialHelperTests.helpers.path + ":/usr/bin:/bin",
                "FAKE_USER": "ci-robot",
            ]
        }

        init(config: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "scangate-helper-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static let fileAuth = StrictBase64.encode(Array("file-user:file-secret".utf8))

    @Test func theStoreNamedInConfigGivesTheCredentialsAndSeesTheEnvironment() throws {
        let setup = try Setup(config: #"{"credsStore": "fake", "auths": {"ghcr.io": {}}}"#)
        defer { setup.remove() }
        let credentials = try RegistryCredentials.lookup(registry: "ghcr.io", environment: setup.environment)
        #expect(credentials?.username == "ci-robot" && credentials?.password == "s3cret-from-helper")
        #expect(credentials?.origin == "docker-credential-fake")
        #expect(credentials?.description.contains("s3cret") == false)
        // Docker Hub is asked for by the URL the Docker CLI uses.
        let hub = try RegistryCredentials.lookup(registry: "docker.io", environment: setup.environment)
        #expect(hub?.username == "hubuser")
    }

    @Test func aHelperForTheRegistryComesBeforeTheStoreAndAuthsComeLast() throws {
        let config = """
            {"credsStore": "fake", "credHelpers": {"broken.test": "other", "quay.io": "fake"},
             "auths": {"quay.io": {"auth": "\(Self.fileAuth)"}, "registry.test": {"auth": "\(Self.fileAuth)"}}}
            """
        let setup = try Setup(config: config)
        defer { setup.remove() }
        // credHelpers names "other" for broken.test: its failure is reported, not skipped.
        #expect(throws: RegistryCredentialsError.self) {
            try RegistryCredentials.lookup(registry: "broken.test", environment: setup.environment)
        }
        // The helper has nothing for these: auths, then anonymous.
        let fromFile = try RegistryCredentials.lookup(registry: "registry.test", environment: setup.environment)
        #expect(fromFile?.username == "file-user")
        #expect(
            try RegistryCredentials.lookup(registry: "quay.io", environment: setup.environment)?.username == "file-user"
        )
        #expect(try RegistryCredentials.lookup(registry: "nothing.test", environment: setup.environment) == nil)
        // The environment variables win over everything, for the registry they name.
        var environment = setup.environment
        environment[RegistryCredentials.usernameVariable] = "env-user"
        environment[RegistryCredentials.passwordVariable] = "env-secret"
        environment[RegistryCredentials.registryVariable] = "broken.test"
        #expect(
            try RegistryCredentials.lookup(registry: "broken.test", environment: environment)?.origin == "environment")
        // Another registry never gets them: it is looked up as without them.
        #expect(
            try RegistryCredentials.lookup(registry: "registry.test", environment: environment)?.username == "file-user"
        )
        #expect(try RegistryCredentials.lookup(registry: "nothing.test", environment: environment) == nil)
    }

    /// Credentials in the environment without the registry they are for would go to every
    /// registry a release names (a GHCR token to a third party's registry): an error instead.
    @Test func environmentCredentialsNeedTheirRegistry() throws {
        let environment = [
            RegistryCredentials.usernameVariable: "ci-bot", RegistryCredentials.passwordVariable: "ghcr-pat-SECRET",
        ]
        do {
            _ = try RegistryCredentials.lookup(registry: "ghcr.io", environment: environment)
            Issue.record("credentials without SCANGATE_REGISTRY were used")
        } catch {
            #expect(error.message.contains("SCANGATE_REGISTRY does not say which registry"))
            #expect(!error.message.contains("SECRET"))
        }
        var scoped = environment
        scoped[RegistryCredentials.registryVariable] = "https://Index.Docker.io/"
        #expect(try RegistryCredentials.lookup(registry: "docker.io", environment: scoped)?.username == "ci-bot")
        #expect(try RegistryCredentials.lookup(registry: "ghcr.io", environment: scoped) == nil)
    }

    @Test(arguments: [
        ("broken.test", "docker-credential-fake get failed (exit 1): boom: keychain locked"),
        // An answer printed before failing holds the secret: what it said on standard error is quoted.
        ("leaky.test", "docker-credential-fake get failed (exit 1): crashed after answering"),
        ("token.test", "gives an identity token for token.test, which ScanGate cannot use"),
        ("garbage.test", "answered without a Username and Secret"),
    ])
    func aHelperThatCannotAnswerIsAnError(registry: String, message: String) throws {
        let setup = try Setup(config: #"{"credsStore": "fake"}"#)
        defer { setup.remove() }
        let error = #expect(throws: RegistryCredentialsError.self) {
            try RegistryCredentials.lookup(registry: registry, environment: setup.environment)
        }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("refresh-token") == false)
        #expect(error?.message.contains("SECRET-42") == false)
    }

    @Test func aMissingOrMisnamedHelperIsAnError() throws {
        for (config, message) in [
            (#"{"credsStore": "ecr-login"}"#, "docker-credential-ecr-login, which is not on PATH"),
            (#"{"credsStore": "../../bin/sh"}"#, "which is not a helper name"),
        ] {
            let setup = try Setup(config: config)
            defer { setup.remove() }
            let error = #expect(throws: RegistryCredentialsError.self) {
                try RegistryCredentials.lookup(registry: "ghcr.io", environment: setup.environment)
            }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func aHelperThatHangsIsStopped() throws {
        let setup = try Setup(config: #"{"credsStore": "fake"}"#)
        defer { setup.remove() }
        let started = Date()
        let error = #expect(throws: RegistryCredentialsError.self) {
            try CredentialHelper.get(helper: "fake", serverURL: "slow.test", environment: setup.environment, timeout: 1)
        }
        #expect(error?.message == "docker-credential-fake get did not answer within 1 s")
        #expect(Date().timeIntervalSince(started) < 8)
    }

    @Test func anImageWhoseCredentialsCannotBeReadIsNotVerifiedAndTheRegistryIsNotAsked() throws {
        let setup = try Setup(config: #"{"credsStore": "fake"}"#)
        defer { setup.remove() }
        // broken.test does not resolve: were the registry asked, the failure would say so instead.
        let options = RegistryOptions(allowInsecureLoopback: true)
            .withCredentials(for: "broken.test", environment: setup.environment)
        guard case .unreadable = options.access else {
            Issue.record("expected the credentials to be unreadable")
            return
        }
        let key = try PublicKey.load(
            path: SignatureCorpus.repositoryRoot.appendingPathComponent("fixtures/audit/release.pub").path)
        let result = RegistryImageVerifier(
            policy: VerificationPolicy(keys: [key]), options: options
        ).verify(reference: "broken.test/acme/app:1.0")
        #expect(!result.isVerified && result.isRegistryFailure)
        #expect(
            result.failure?.detail.contains(
                "the credentials for broken.test could not be read: docker-credential-fake get failed") == true)
    }
}
