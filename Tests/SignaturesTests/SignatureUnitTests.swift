import Foundation
import HTTP
import TestSupport
import Testing

@testable import Signatures

@Suite("Signature building blocks")
struct SignatureUnitTests {
    @Test func base64IsStrict() {
        #expect(StrictBase64.decode("aGVsbG8=") == Array("hello".utf8))
        #expect(StrictBase64.decode("aGVsbG8") == nil, "padding is required")
        #expect(StrictBase64.decode("aGVs bG8=") == nil, "no whitespace")
        #expect(StrictBase64.decode("aGVsbG9=") == nil, "stray bits under the padding")
        #expect(StrictBase64.decode("aGVs_G8=") == nil, "URL-safe alphabet refused")
        #expect(StrictBase64.decode("aG=sbG8=") == nil, "padding only at the end")
        #expect(StrictBase64.decodeWrapped("aGVs\nbG8=\n") == Array("hello".utf8))
        for length in 0..<8 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(StrictBase64.decode(StrictBase64.encode(bytes)) == bytes)
            #expect(StrictBase64.encode(bytes) == Data(bytes).base64EncodedString())
        }
    }

    @Test func referencesNormaliseAsDockerDoes() throws {
        let hub = try #require(ImageReference("alpine:3.20"))
        #expect(hub.repositoryName == "docker.io/library/alpine")
        #expect(hub.tag == "3.20" && hub.isMutable)
        for spelling in ["index.docker.io/library/alpine", "docker.io/alpine", "registry-1.docker.io/library/alpine:x"]
        {
            #expect(try #require(ImageReference(spelling)).sameRepository(as: hub), "\(spelling)")
        }
        let local = try #require(ImageReference("127.0.0.1:5000/team/app@sha256:" + String(repeating: "a", count: 64)))
        #expect(local.registry == "127.0.0.1:5000" && local.repository == "team/app" && !local.isMutable)
        #expect(local.isLoopback)
        #expect(ImageReference("localhost:5000/app:v1")?.isLoopback == true)
        #expect(ImageReference("ghcr.io/acme/app")?.isLoopback == false)
        #expect(ImageReference("127.0.0.1.example.com/app")?.isLoopback == false)
        #expect(ImageReference("ghcr.io/Acme/app") == nil, "repository names are lowercase")
        #expect(ImageReference("ghcr.io/acme/app@sha256:abc") == nil, "digests are 64 hex digits")
        #expect(ImageReference("") == nil)
        #expect(
            try #require(ImageReference("ghcr.io/acme/app:v1")).sameRepository(
                as: try #require(ImageReference("ghcr.io/acme/app"))))
        #expect(
            !(try #require(ImageReference("ghcr.io/acme/app")).sameRepository(
                as: try #require(ImageReference("ghcr.io/acme/app2")))))
    }

    @Test func paeIsDSSEv1() {
        let pae = SignatureVerifier.pae(type: "application/vnd.in-toto+json", body: Array("{}".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 28 application/vnd.in-toto+json 2 {}")
    }

    @Test func inclusionProofOfATwoLeafTree() {
        let leaves = [[UInt8]("a".utf8), [UInt8]("b".utf8)].map { SHA256Digest.hash([0] + $0) }
        let root = SHA256Digest.hash([1] + leaves[0] + leaves[1])
        #expect(InclusionProof.rootFrom(index: 0, size: 2, leaf: leaves[0], hashes: [leaves[1]]) == root)
        #expect(InclusionProof.rootFrom(index: 1, size: 2, leaf: leaves[1], hashes: [leaves[0]]) == root)
        #expect(InclusionProof.rootFrom(index: 1, size: 2, leaf: leaves[0], hashes: [leaves[1]]) != root)
        #expect(InclusionProof.rootFrom(index: 0, size: 2, leaf: leaves[0], hashes: []) == nil)
    }

    @Test func bearerChallengeIsParsed() {
        let (scheme, parameters) = RegistryClient.parseChallenge(
            #"Bearer realm="https://auth.example.com/token",service="registry.example.com","#
                + #"scope="repository:a/b:pull,push""#)
        #expect(scheme == "Bearer")
        #expect(parameters["realm"] == "https://auth.example.com/token")
        #expect(parameters["service"] == "registry.example.com")
        #expect(parameters["scope"] == "repository:a/b:pull,push")
        #expect(RegistryClient.percentEncoded("repository:a/b:pull") == "repository%3Aa%2Fb%3Apull")
    }

    @Test func tokensMustFitAHeader() {
        #expect(RegistryClient.isHeaderSafe("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"))
        #expect(!RegistryClient.isHeaderSafe("abc\r\nX-Injected: 1"))
        #expect(!RegistryClient.isHeaderSafe("two words"))
        #expect(!RegistryClient.isHeaderSafe("tök"))
        #expect(!RegistryClient.isHeaderSafe(String(repeating: "a", count: 3 << 20)))
    }

    @Test func credentialsComeFromTheEnvironmentThenDockerConfig() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-sig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let auth = StrictBase64.encode(Array("robot:s3cret".utf8))
        let config = #"{"auths":{"ghcr.io":{"auth":"\#(auth)"},"https://index.docker.io/v1/":{"auth":"\#(auth)"}}}"#
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))

        let fromFile = try RegistryCredentials.lookup(
            registry: "ghcr.io", environment: ["DOCKER_CONFIG": directory.path])
        #expect(fromFile?.username == "robot" && fromFile?.password == "s3cret")
        #expect(fromFile?.description.contains("s3cret") == false)
        #expect(
            try RegistryCredentials.lookup(registry: "docker.io", environment: ["DOCKER_CONFIG": directory.path])
                != nil)
        #expect(
            try RegistryCredentials.lookup(registry: "quay.io", environment: ["DOCKER_CONFIG": directory.path]) == nil)

        let fromEnvironment = try RegistryCredentials.lookup(
            registry: "ghcr.io",
            environment: [
                "DOCKER_CONFIG": directory.path, RegistryCredentials.usernameVariable: "ci",
                RegistryCredentials.passwordVariable: "token", RegistryCredentials.registryVariable: "ghcr.io",
            ])
        #expect(fromEnvironment?.username == "ci" && fromEnvironment?.origin == "environment")
    }

    @Test func keysAreCheckedForTypeAndSize() throws {
        #expect(throws: KeyError.self) { try PublicKey(pem: Array("not a key".utf8), source: "inline") }
        // An RSA-1024 key (too small) and a secp256k1 key (curve not accepted).
        let rsa1024 = """
            -----BEGIN PUBLIC KEY-----
            MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCjVmOhFbIMQZ7plcNFQN1VBVeG
            53xddgcHDOevHLoP9WUG9kRoRp5ZsfhXXsSQris1x2xEwD1Bsm3x8/vMFRBW3lvh
            XZ2RRxs7YdrQ/sxNp5EiJisoOgZINtAuFXCaDr2lPO/0hNKeeo6iq/vd8vNiIWTD
            oyLI7XHLv5ybEujjhQIDAQAB
            -----END PUBLIC KEY-----
            """
        let small = #expect(throws: KeyError.self) { try PublicKey(pem: Array(rsa1024.utf8), source: "rsa1024") }
        #expect(small?.message.contains("2048") == true)
        let secp256k1 = """
            -----BEGIN PUBLIC KEY-----
            MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEjG0nwsDex8rKGyp0DiakLT8VRHXJRfWz
            dXo1T/0NmMKYiqm/S5XQf9VMdHrRmpFhd9b0dwM0c2nDu+nk9+8uoQ==
            -----END PUBLIC KEY-----
            """
        let curve = #expect(throws: KeyError.self) { try PublicKey(pem: Array(secp256k1.utf8), source: "secp256k1") }
        #expect(curve?.message.contains("secp256k1") == true)
    }

    /// Keys that verify signatures made without a private key are refused when loaded: an RSA
    /// key with exponent 1 (every padded block is its own signature) and an Ed25519 key that is
    /// a point of small order (R = identity, S = 0 verifies every message).
    @Test func degenerateKeysAreRefused() throws {
        let rsaExponentOne = """
            -----BEGIN PUBLIC KEY-----
            MIIBIDANBgkqhkiG9w0BAQEFAAOCAQ0AMIIBCAKCAQEAuRHRSZ5IShWbIaO9lNsv
            ctfXEQAE6isgUupABSmRN4/HJ5PSNLZWgWJUSx22wFvulhonPfFjcTa6948EoCTK
            UuAUzHdvfv6pCqK6OqDoRNMFnuFLh+boXkPpZhvEwYSaGREv82vRFXEbymiMloq7
            NsyMIH5Y4bx4K+4KFcfPjDt417Apo8+3XDfDFZupQToPVx1U1ZtEk1fbAwFTolGq
            dM4A+ObNGCtXmyEyIpbF5KN94KYv9n7lb4tdqw+LBexh3mZNyUxmYljfLFet+UFY
            JKct/tblGbfK8BWu6ksCo0jND4bOliO74EuKh+VzYABSUfo5/HtpFS/JtjGieIYy
            DQIBAQ==
            -----END PUBLIC KEY-----
            """
        let rsa = #expect(throws: KeyError.self) { try PublicKey(pem: Array(rsaExponentOne.utf8), source: "e1") }
        #expect(rsa?.message.contains("RSA public key is invalid") == true)
        // The identity point, and the same point with the sign bit of x set.
        for body in [
            "MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA=",
        ] {
            let pem = "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END PUBLIC KEY-----\n"
            let ed = #expect(throws: KeyError.self) { try PublicKey(pem: Array(pem.utf8), source: "identity") }
            #expect(ed?.message.contains("small order") == true)
        }
        // An ordinary Ed25519 key (RFC 8032's first test key) loads.
        let rfc8032 = "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        _ = try PublicKey(
            pem: Array("-----BEGIN PUBLIC KEY-----\n\(rfc8032)\n-----END PUBLIC KEY-----\n".utf8), source: "ok")
    }

    /// A key file holding two keys would have OpenSSL read the first and ScanGate trust only it,
    /// silently: refused.
    @Test func aKeyFileWithSeveralPEMBlocksIsRefused() {
        let key =
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"
        let error = #expect(throws: KeyError.self) { try PublicKey(pem: Array((key + key).utf8), source: "two") }
        #expect(error?.message.contains("2 PEM blocks") == true)
    }

    /// Two keys' DER in one PEM block: OpenSSL parses the first and stops, so the second
    /// would be dropped silently. Refused, as two blocks are.
    @Test func aPEMBlockHoldingTwoKeysIsRefused() throws {
        let der = try #require(StrictBase64.decode("MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="))
        let doubled = StrictBase64.encode(der + der)
        let error = #expect(throws: KeyError.self) {
            try PublicKey(
                pem: Array("-----BEGIN PUBLIC KEY-----\n\(doubled)\n-----END PUBLIC KEY-----\n".utf8), source: "two")
        }
        #expect(error?.message.contains("44 bytes follow the key") == true, "\(String(describing: error))")
        _ = try PublicKey(der: der, source: "one")
    }

    @Test func duplicateKeysInSignedJSONAreRefused() {
        #expect(StrictJSON.parse(Array(#"{"a":1,"b":{"c":1,"c":2}}"#.utf8)) == nil)
        #expect(StrictJSON.parse(Array(#"{"a":1,"b":{"c":1}}"#.utf8)) != nil)
    }

    @Test func aPayloadWithADuplicatedDigestClaimIsNotAccepted() {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let other = "sha256:" + String(repeating: "b", count: 64)
        let payload = Array(
            (#"{"critical":{"identity":{"docker-reference":"ghcr.io/a/b"},"#
                + #""image":{"docker-manifest-digest":"\#(other)","docker-manifest-digest":"\#(digest)"},"#
                + #""type":"cosign container image signature"},"optional":null}"#).utf8)
        let failure = SignatureVerifier.checkClaims(
            payload, for: ExpectedImage(digest: digest, repository: ImageReference("ghcr.io/a/b")))
        #expect(failure?.reason == .badEncoding)
    }

    /// cosign reads the payload with Go's encoding/json, which matches member names ignoring case
    /// (with Unicode folding) and keeps the last: a second spelling of a claim would be the image
    /// or repository cosign's side checked, another than the one verified here. Refused, as
    /// containers/image refuses any key but the expected one.
    @Test(arguments: [
        #""image":{"docker-manifest-digest":"DIGEST","Docker-Manifest-Digest":"OTHER"},"identity":{"docker-reference":"ghcr.io/a/b"}"#,
        #""image":{"docker-manifest-digest":"DIGEST","docker-manifeſt-digest":"OTHER"},"identity":{"docker-reference":"ghcr.io/a/b"}"#,
        #""image":{"docker-manifest-digest":"DIGEST"},"identity":{"docker-reference":"ghcr.io/a/b","Docker-Reference":"ghcr.io/x/y"}"#,
        #""image":{"docker-manifest-digest":"DIGEST","note":"x"},"identity":{"docker-reference":"ghcr.io/a/b"}"#,
    ])
    func aClaimSpelledTwiceOrBesideAnotherKeyIsNotAccepted(claims: String) {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let other = "sha256:" + String(repeating: "b", count: 64)
        func payload(_ claims: String) -> [UInt8] {
            Array(
                (#"{"critical":{"#
                    + claims.replacingOccurrences(of: "DIGEST", with: digest).replacingOccurrences(
                        of: "OTHER", with: other)
                    + #","type":"cosign container image signature"},"optional":null}"#).utf8)
        }
        let image = ExpectedImage(digest: digest, repository: ImageReference("ghcr.io/a/b"))
        let failure = SignatureVerifier.checkClaims(payload(claims), for: image)
        #expect(failure?.reason == .badEncoding, "\(String(describing: failure))")
        // The same payload with the claims spelt once is accepted: the refusal is the second spelling.
        let plain = #""image":{"docker-manifest-digest":"DIGEST"},"identity":{"docker-reference":"ghcr.io/a/b"}"#
        #expect(SignatureVerifier.checkClaims(payload(plain), for: image) == nil)
    }

    /// What Go's encoding/json reads as one member name: ASCII and Unicode case folded together
    /// (`ſ` is `s`, the Kelvin sign is `k`); distinct names, and names only alike, are not.
    @Test func namesGoReadsAsOneAreFound() throws {
        func twins(_ json: String) -> [String]? {
            guard let value = StrictJSON.parse(Array(json.utf8)) else { return ["unparsed"] }
            return value.namesGoReadsAsOne().map { [$0.0, $0.1] }
        }
        #expect(twins(#"{"subject": [], "Subject": []}"#) == ["subject", "Subject"])
        #expect(twins(#"{"predicateType": "a", "predicateTyPe": "b"}"#) == ["predicateType", "predicateTyPe"])
        #expect(twins(#"{"ſubject": 1, "subject": 2}"#) == ["ſubject", "subject"])
        #expect(twins(#"{"\#u{212A}ind": 1, "kind": 2}"#) == ["\u{212A}ind", "kind"])
        #expect(twins(#"{"_type": 1, "subject": [], "predicateType": "x", "predicate": {}}"#) == nil)
        #expect(twins(#"{"name": 1, "names": 2}"#) == nil)
        #expect(twins("[1, 2]") == nil)
    }

    @Test func noChecksMeansNoSignatureNeverAPass() {
        let result = ImageVerification(
            reference: "r", repository: nil, tag: nil, digest: "sha256:x", resolvedFromTag: false, checks: [])
        #expect(!result.isVerified)
        #expect(result.failure?.reason == .noSignature)
    }
}

@Suite("Registry text in output")
struct ServerTextTests {
    /// What a registry sends (a layer digest, a header, a redirect target) can forge a line or
    /// drive the terminal once printed: it is shown as escapes, on one line.
    @Test func controlCharactersAreShownNotObeyed() {
        let forged = "x\nresult     VERIFIED (1 of 1 signatures)\u{1B}]0;title\u{07}\r\u{2028}"
        let shown = ServerText.printable(forged)
        #expect(shown == #"x\x0aresult     VERIFIED (1 of 1 signatures)\x1b]0;title\x07\x0d\u{2028}"#)
        #expect(ServerText.printable("sha256:abc, plain text é") == "sha256:abc, plain text é")
        // A right-to-left override would make reversed text read as a verdict in a log viewer.
        #expect(ServerText.printable("\u{202E}SEIRUTANGIS") == #"\u{202e}SEIRUTANGIS"#)
        #expect(ServerText.printable(String(repeating: "a", count: 10_000)).count == 501)
        let failure = VerificationFailure(.badEncoding, "digest \(forged)")
        #expect(!failure.description.contains("\n") && !failure.description.contains("\u{1B}"))
        #expect(!RegistryError(message: forged).message.contains("\r"))
    }
}

@Suite("Registry deadline")
struct RegistryDeadlineTests {
    /// A registry that takes every connection and never answers: each request would wait its
    /// full timeout, retried; the image's whole conversation is bounded by `totalTime` instead.
    @Test(.timeLimit(.minutes(1)))
    func aRegistryThatNeverAnswersIsGivenUpOnWithinTheTotalTime() throws {
        let (listener, port) = try E2E.boundSocket()
        defer { close(listener) }
        try #require(listen(listener, 16) == 0)

        let key = try PublicKey.load(
            path: SignatureCorpus.repositoryRoot.appendingPathComponent("fixtures/audit/release.pub").path)
        let options = RegistryOptions(allowInsecureLoopback: true, timeout: 30, totalTime: 2)
        let started = Date()
        let result = RegistryImageVerifier(policy: VerificationPolicy(keys: [key]), options: options)
            .verify(reference: "127.0.0.1:\(port)/acme/app@sha256:" + String(repeating: "a", count: 64))
        // Without the bound: 30 s per attempt, retried.
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(result.isRegistryFailure)
    }
}

/// A 200 answer that is not a manifest (a proxy's login page) must be a registry failure, not an
/// image whose digest is the page's hash and whose signature is definitely missing.
@Suite("Registry answers that are not manifests")
struct NotAManifestTests {
    @Test func manifestsAreRecognisedByTypeOrShape() {
        func response(_ type: String?, _ body: String) -> HTTPResponse {
            var headers = HTTPHeaders()
            if let type { headers.add("Content-Type", type) }
            return HTTPResponse(status: 200, headers: headers, body: Array(body.utf8))
        }
        #expect(RegistryClient.isManifest(response(ManifestMediaType.ociManifest, "{}")))
        #expect(RegistryClient.isManifest(response("Application/VND.oci.image.index.v1+json; charset=utf-8", "{}")))
        #expect(
            RegistryClient.isManifest(
                response("application/json", #"{"mediaType":"\#(ManifestMediaType.dockerManifest)","layers":[]}"#)))
        #expect(RegistryClient.isManifest(response(nil, #"{"schemaVersion":2,"config":{},"layers":[]}"#)))
        #expect(!RegistryClient.isManifest(response("text/html", "<html><body>Sign in</body></html>")))
        #expect(!RegistryClient.isManifest(response("application/json", #"{"errors":[]}"#)))
        #expect(!RegistryClient.isManifest(response("application/json", #"{"mediaType":"text/html"}"#)))
    }

    /// A real HTTP server on loopback (Python's `http.server`) that answers the manifest path
    /// with a login page, as a captive portal or a misconfigured proxy does.
    @Test(.enabled(if: E2E.which("python3") != nil, "needs python3"), .timeLimit(.minutes(1)))
    func aLoginPageInPlaceOfTheManifestIsARegistryFailure() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-portal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let manifests = root.appendingPathComponent("v2/acme/app/manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try Data("<html><body>Please sign in to continue</body></html>".utf8)
            .write(to: manifests.appendingPathComponent("v1"))
        let port = try E2E.freePort()
        let server = try LocalServer(
            executable: URL(fileURLWithPath: try #require(E2E.which("python3"))),
            arguments: ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root.path])
        defer { server.stop() }
        try Self.waitUntilListening(port)
        let verification = RegistryImageVerifier(
            policy: VerificationPolicy(keys: [try PublicKey.load(path: Self.keyPath)]),
            options: RegistryOptions(allowInsecureLoopback: true, timeout: 5, totalTime: 10)
        ).verify(reference: "127.0.0.1:\(port)/acme/app:v1")
        #expect(verification.isRegistryFailure, "\(String(describing: verification.failure))")
        #expect(
            verification.failure?.detail.contains("not an image manifest") == true,
            "\(String(describing: verification.failure))")
        #expect(verification.digest == nil)
    }

    static let keyPath = SignatureCorpus.repositoryRoot.appendingPathComponent("fixtures/audit/release.pub").path

    /// Connects until the server accepts (it takes a moment to start), at most five seconds.
    static func waitUntilListening(_ port: Int) throws {
        for _ in 0..<100 {
            let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(socketDescriptor)
            if connected == 0 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ServerDidNotStart(port: port)
    }

    struct ServerDidNotStart: Error {
        let port: Int
    }
}

/// Redirects are resolved against the URL that sent them: blob storage redirecting within itself
/// stays there, and a failure there is named as there.
@Suite("Registry redirects", .enabled(if: E2E.which("python3") != nil, "needs python3"))
struct RegistryRedirectTests {
    @Test(.timeLimit(.minutes(1)))
    func aRelativeRedirectStaysWithTheServerThatSentIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-redirect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = directory.appendingPathComponent("requests.jsonl")
        let server = try LocalServer(
            executable: URL(fileURLWithPath: try #require(E2E.which("python3"))),
            arguments: [
                SignatureCorpus.repositoryRoot.appendingPathComponent(
                    "Tests/SignaturesTests/Server/redirecting_registry.py"
                ).path, "--record", record.path,
            ], readsPort: true)
        defer { server.stop() }
        let port = try #require(server.announcedPort(), "the redirecting registry did not start")

        let verification = RegistryImageVerifier(
            policy: VerificationPolicy(keys: [try PublicKey.load(path: NotAManifestTests.keyPath)]),
            options: RegistryOptions(allowInsecureLoopback: true, timeout: 5, totalTime: 10)
        ).verify(reference: "127.0.0.1:\(port)/acme/app:v1")
        #expect(verification.isRegistryFailure)
        let detail = verification.failure?.detail ?? ""
        #expect(detail.contains("localhost, where 127.0.0.1:\(port) redirected"), "\(detail)")
        #expect(detail.contains("HTTP 404"), "\(detail)")

        let requests = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let final = requests.filter { $0["path"] as? String == "/cdn/final" }
        #expect(final.count == 1)
        #expect(final.first?["host"] as? String == "localhost:\(port)")
        #expect(requests.allSatisfy { $0["authorization"] as? Bool == false })
    }
}
