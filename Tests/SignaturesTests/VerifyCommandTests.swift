import Foundation
import TestSupport
import Testing

/// `scangate verify` offline, run as users run it: exit codes 0 verified, 1 not verified, 2 usage or key.
@Suite(
    "Signature verify command offline",
    .enabled(if: SignatureCorpus.isAvailable && E2E.scangateBinary != nil, "needs the corpus and a built scangate"))
struct VerifyCommandTests {
    private let folder = SignatureCorpus.path("local-cosign-2.5.0")

    private func payloadArguments(key: String, payload: String = "payload.json") throws -> [String] {
        let (digest, reference) = try SignatureCorpus.claims("local-cosign-2.5.0/payload.json")
        return [
            "verify", "--payload", "\(folder)/\(payload)", "--signature", "\(folder)/payload.sig.b64", "--key",
            "\(folder)/\(key)", "--digest", digest, "--reference", reference,
        ]
    }

    @Test func exitCodesFollowTheVerdict() throws {
        #expect(try E2E.scangate(try payloadArguments(key: "cosign.pub")).status == 0)
        let wrong = try E2E.scangate(try payloadArguments(key: "wrong.pub"))
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("not verified: wrong-key"))
        #expect(try E2E.scangate(try payloadArguments(key: "cosign.pub", payload: "payload.tampered.json")).status == 1)
    }

    @Test func aCorruptKeyOrMissingClaimIsAUsageError() throws {
        var arguments = try payloadArguments(key: "cosign.pub")
        let keyIndex = try #require(arguments.firstIndex(of: "--key")) + 1
        arguments[keyIndex] = SignatureCorpus.path("sigstore-conformance/managed-key-wrong-key_fail/key.pub")
        #expect(try E2E.scangate(arguments).status == 2)

        let withoutReference = Array(try payloadArguments(key: "cosign.pub").dropLast(2))
        #expect(try E2E.scangate(withoutReference).status == 2)
        // A Sigstore bundle too: its subject's repository is a claim to check like a payload's
        // (without it, a bundle the same key signed for another repository verified).
        let bundleWithoutReference = try E2E.scangate([
            "verify", "--bundle",
            SignatureCorpus.path("sigstore-conformance/managed-key-happy-path/bundle.sigstore.json"),
            "--key", SignatureCorpus.path("sigstore-conformance/managed-key-happy-path/key.pub"), "--digest",
            "sha256:" + String(repeating: "ab", count: 32),
        ])
        #expect(bundleWithoutReference.status == 2)
        #expect(bundleWithoutReference.standardError.contains("--reference"))
        #expect(
            try E2E.scangate(["verify", "127.0.0.1:5000/a@sha256:abc", "--key", "\(folder)/cosign.pub"]).status == 2)
        #expect(try E2E.scangate(["verify", "127.0.0.1:5000/a:v1"]).status == 2, "a key is required")
        #expect(
            try E2E.scangate([
                "verify", "127.0.0.1:5000/a:v1", "--key", "\(folder)/cosign.pub", "--require-tlog",
            ]).status == 2, "--require-tlog needs a Rekor key")
    }

    @Test func storedSignatureWithRekorBundleIsReportedAsJSON() throws {
        let image = "containers-image/dir-img-cosign-key-rekor-valid"
        let result = try E2E.scangate([
            "verify", "--bundle", SignatureCorpus.path("\(image)/signature-1"), "--key",
            SignatureCorpus.path("containers-image/cosign2.pub"), "--digest",
            try SignatureCorpus.digest("\(image)/manifest.json"),
            "--reference", "192.168.64.2:5000/cosign-signed/key-1", "--require-tlog", "--rekor-key",
            SignatureCorpus.path("containers-image/rekor.pub"), "--format", "json",
        ])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(json?["verified"] as? Bool == true)
        let signature = (json?["signatures"] as? [[String: Any]])?.first
        #expect((signature?["transparencyLog"] as? String)?.hasPrefix("verified (log index 11608800") == true)
    }
}
