import Foundation
import Testing

@testable import Signatures

/// The shared signature vectors (`../shared/corpus/signatures` beside the repository, as
/// `Tests/AdaptersTests/Corpus.swift` finds the corpus). Tests needing them skip when it is absent.
enum SignatureCorpus {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory: URL = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/signatures")

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: directory.path) }

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(relative)))
    }

    static func text(_ relative: String) throws -> String { String(decoding: try bytes(relative), as: UTF8.self) }

    static func key(_ relative: String) throws -> PublicKey { try PublicKey.load(path: path(relative)) }

    /// `sha256:<hex>` of a corpus file.
    static func digest(_ relative: String) throws -> String { SHA256Digest.digestString(try bytes(relative)) }

    /// The claims of a simple-signing payload file: (digest, docker-reference).
    static func claims(_ relative: String) throws -> (digest: String, reference: String) {
        let object = try JSONSerialization.jsonObject(with: Data(try bytes(relative))) as? [String: Any]
        let critical = object?["critical"] as? [String: Any]
        let digest = (critical?["image"] as? [String: Any])?["docker-manifest-digest"] as? String
        let reference = (critical?["identity"] as? [String: Any])?["docker-reference"] as? String
        return (digest ?? "", reference ?? "")
    }

    static func expected(digest: String, reference: String?) -> ExpectedImage {
        ExpectedImage(digest: digest, repository: reference.flatMap(ImageReference.init))
    }
}

extension SignatureVerifier {
    /// A verifier for `keys` (corpus paths) with the given log settings.
    static func corpus(
        keys: [String], logKeys: [PublicKey] = [], requireLog: Bool = false,
        predicateTypes: Set<String> = [VerificationPolicy.cosignSignPredicateType]
    ) throws -> SignatureVerifier {
        SignatureVerifier(
            policy: VerificationPolicy(
                keys: try keys.map(SignatureCorpus.key), transparencyLogKeys: logKeys,
                requireTransparencyLog: requireLog, acceptedPredicateTypes: predicateTypes))
    }
}
