import Foundation
import Testing

@testable import Signatures

/// Signatures and log entries built with a throwaway signing key and a throwaway "Rekor" key
/// (`fixtures/signatures/log-time/README.md`). A log entry's `integratedTime` is vouched for only
/// by its SET: it must be a time the log could have written (positive, not in the future) and
/// within the log key's validity in a trusted root; an entry with only an inclusion proof reports
/// no time. An image bundle's statement must name the repository.
@Suite struct ConstructedBundleTests {
    static let directory = SignatureCorpus.repositoryRoot.appendingPathComponent("fixtures/signatures/log-time")
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func verifier(logKeys: [PublicKey]) throws -> SignatureVerifier {
        SignatureVerifier(
            policy: VerificationPolicy(
                keys: [try PublicKey.load(path: path("ec.pub"))], transparencyLogKeys: logKeys,
                requireTransparencyLog: true, acceptedPredicateTypes: [VerificationPolicy.cosignSignPredicateType]))
    }

    static var rekor: [PublicKey] { get throws { [try PublicKey.load(path: path("rekor.pub"))] } }

    @Test(arguments: [("rk-future.json", " 4102444800 "), ("rk-zero.json", " 0 ")])
    func aLegacyEntryFromTheFutureOrBeforeTimeIsRefused(_ bundle: String, _ time: String) throws {
        let result = try Self.verifier(logKeys: try Self.rekor).verifyOffline(
            payload: try Self.bytes("ok.payload"),
            signatureBase64: String(decoding: try Self.bytes("ok.sig"), as: UTF8.self),
            rekorBundle: String(decoding: try Self.bytes(bundle), as: UTF8.self),
            image: SignatureCorpus.expected(digest: Self.digest, reference: "ghcr.io/acme/api"), source: bundle)
        #expect(!result.isVerified)
        #expect(result.failure?.reason == .transparencyLogInvalid)
        #expect(
            result.failure?.detail.contains("integrated time\(time)") == true, "\(String(describing: result.failure))")
    }

    @Test func aBundleEntryFromTheFutureIsRefused() throws {
        let check = try Self.verifier(logKeys: try Self.rekor).verifyBundle(
            try Self.bytes("b-future.json"), for: .image(digest: Self.digest), source: "b-future")
        #expect(check.failure?.reason == .transparencyLogInvalid)
    }

    @Test func aTrustedRootsValidityWindowBindsItsLogKey() throws {
        let bundle = try Self.bytes("b-ok.json")
        let pinned = try Self.verifier(logKeys: try Self.rekor).verifyBundle(
            bundle, for: .image(digest: Self.digest), source: "b-ok")
        #expect(pinned.isVerified, "\(String(describing: pinned.failure))")
        let expired = try Self.verifier(
            logKeys: try TrustedRoot.transparencyLogKeys(path: Self.path("tr-expired-rekor.json"))
        ).verifyBundle(bundle, for: .image(digest: Self.digest), source: "b-ok")
        #expect(expired.failure?.reason == .transparencyLogInvalid)
        #expect(expired.failure?.detail.contains("outside the Rekor key's validity") == true)
        let current = try Self.verifier(
            logKeys: try TrustedRoot.transparencyLogKeys(path: Self.path("tr-current.json"))
        ).verifyBundle(bundle, for: .image(digest: Self.digest), source: "b-ok")
        #expect(current.isVerified, "\(String(describing: current.failure))")
    }

    @Test func anEntryWithOnlyAProofReportsNoTime() throws {
        let check = try Self.verifier(logKeys: try Self.rekor).verifyBundle(
            try Self.bytes("b-proof-only-time1.json"), for: .image(digest: Self.digest), source: "proof only")
        #expect(check.isVerified, "\(String(describing: check.failure))")
        #expect(check.transparencyLog == .verified(logIndex: 7, integratedTime: nil))
    }

    /// Without a SET the entry's time is unsigned, but a trusted root's validity window still
    /// binds the log key: leaving the SET out of an entry the window refuses does not make it
    /// pass, and an entry claiming a time outside the window is refused.
    @Test func aProofOnlyEntryIsStillBoundByTheLogKeysValidity() throws {
        let proofOnly = try Self.bytes("b-proof-only.json")
        let pinned = try Self.verifier(logKeys: try Self.rekor).verifyBundle(
            proofOnly, for: .image(digest: Self.digest), source: "b-proof-only")
        #expect(pinned.isVerified, "\(String(describing: pinned.failure))")
        #expect(pinned.transparencyLog == .verified(logIndex: 7, integratedTime: nil))
        let expiredKeys = try TrustedRoot.transparencyLogKeys(path: Self.path("tr-expired-rekor.json"))
        let expired = try Self.verifier(logKeys: expiredKeys).verifyBundle(
            proofOnly, for: .image(digest: Self.digest), source: "b-proof-only")
        #expect(expired.failure?.reason == .transparencyLogInvalid)
        #expect(expired.failure?.detail.contains("the Rekor key is not valid now") == true)
        // Its unsigned time moved into the expired window proves nothing (found by the diff review).
        let backdated = try Self.verifier(logKeys: expiredKeys).verifyBundle(
            try Self.bytes("b-proof-only-backdated.json"), for: .image(digest: Self.digest), source: "backdated")
        #expect(backdated.failure?.reason == .transparencyLogInvalid)
        let currentKeys = try TrustedRoot.transparencyLogKeys(path: Self.path("tr-current.json"))
        let current = try Self.verifier(logKeys: currentKeys).verifyBundle(
            proofOnly, for: .image(digest: Self.digest), source: "b-proof-only")
        #expect(current.isVerified, "\(String(describing: current.failure))")
        let claimingTime1 = try Self.verifier(logKeys: currentKeys).verifyBundle(
            try Self.bytes("b-proof-only-time1.json"), for: .image(digest: Self.digest), source: "time 1")
        #expect(claimingTime1.failure?.detail.contains("integrated at 1 (unsigned") == true)
    }

    /// An image bundle's statement must name the repository being verified, as a simple signing
    /// payload's docker-reference must: a signature made for `evil.io/other/repo` does not pass
    /// for `ghcr.io/acme/api`, though the digest is the same.
    @Test func anImageBundleMustNameTheRepository() throws {
        let verifier = try Self.verifier(logKeys: try Self.rekor)
        let expected = SignatureCorpus.expected(digest: Self.digest, reference: "ghcr.io/acme/api")
        let other = verifier.verifyFile(try Self.bytes("b-other-repo.json"), for: expected, source: "other repo")
        #expect(other.failure?.reason == .referenceMismatch)
        #expect(other.failure?.detail.contains("evil.io/other/repo, not ghcr.io/acme/api") == true)
        let same = verifier.verifyFile(try Self.bytes("b-ok.json"), for: expected, source: "same repo")
        #expect(same.isVerified, "\(String(describing: same.failure))")
    }

    /// sigstore-go's version rules: a v0.1 bundle's log entries carry a SET (inclusion promise),
    /// those of v0.2 and later an inclusion proof.
    @Test(arguments: [
        ("b-v03-set-only.json", "without an inclusion proof"), ("b-v01-proof-only.json", "no inclusion promise"),
    ])
    func aBundlesLogEntriesCarryWhatItsVersionRequires(_ name: String, _ words: String) throws {
        let check = try Self.verifier(logKeys: try Self.rekor).verifyBundle(
            try Self.bytes(name), for: .image(digest: Self.digest), source: name)
        #expect(check.failure?.reason == .transparencyLogInvalid)
        #expect(check.failure?.detail.contains(words) == true, "\(String(describing: check.failure))")
    }
}
