import Findings
import Foundation
import Policy
import Testing

/// The gate ruling on signature evidence (`GateInput.signatures`), as the release gate gives it.
@Suite("Policy signature evidence")
struct SignatureEvidenceTests {
    static let required = "scangate-policy: 1\nfail-on: critical\nsignatures:\n  required: true\n  keys: [k.pub]\n"
    static let optional = "scangate-policy: 1\nsignatures:\n  required: false\n  keys: [k.pub]\nfail-on: none\n"

    static let signed = ImageSignatureEvidence(
        reference: "registry.test/acme/api:v1", digest: "sha256:aaaa", resolvedFromTag: true, state: .verified,
        detail: "verified by key k.pub (0123456789abcdef…, ECDSA P-256), sha256-aaaa.sig layer 1",
        keyID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        notes: ["tag v1 is mutable: it points to sha256:aaaa now; release by that digest"])
    static let unsigned = ImageSignatureEvidence(
        reference: "registry.test/acme/worker@sha256:bbbb", digest: "sha256:bbbb", state: .notVerified,
        detail: "no-signature: no signature was found for sha256:bbbb")
    static let wrongKey = ImageSignatureEvidence(
        reference: "registry.test/acme/web@sha256:cccc", digest: "sha256:cccc", state: .notVerified,
        detail: "wrong-key: no trusted key verifies the signature")
    static let unchecked = ImageSignatureEvidence(
        reference: "registry.test/acme/db@sha256:dddd", digest: "sha256:dddd", state: .notChecked,
        detail: "the registry failed: connection refused")

    static func decide(
        _ policyText: String, _ images: [ImageSignatureEvidence]?, requiredBy: String? = nil,
        findings: [Finding] = []
    ) throws -> Decision {
        Gate.evaluate(
            GateInput(
                findings: FindingSet(merging: findings), policy: try Support.policy(policyText), today: Support.today,
                signatures: images.map { SignatureEvidence(images: $0, requiredBy: requiredBy) }))
    }

    @Test func everyImageVerifiedIsAPassWithoutTheWarning() throws {
        let decision = try Self.decide(Self.required, [Self.signed])
        #expect(decision.passed)
        #expect(decision.signatures.status == .verified)
        #expect(decision.warnings.isEmpty)
        let verdict = try #require(decision.signatures.verdicts.first)
        #expect(verdict.verdict == .pass && verdict.reason.kind == .signature)
        #expect(verdict.reason.source == SourceRef(file: "policy.yaml", line: 4))
        #expect(verdict.reason.text == Self.signed.detail)
        #expect(DecisionText.summaryLine(decision).hasSuffix("(policy policy.yaml, env policy, signatures verified)"))
        let text = DecisionText.render(decision)
        #expect(text.contains("PASS    image registry.test/acme/api:v1 → sha256:aaaa\n        verified by key k.pub"))
        #expect(text.contains("\n        tag v1 is mutable: it points to sha256:aaaa now"))
        #expect(!text.contains("NOT verified"))
    }

    @Test func anImageNotVerifiedFailsTheDecisionCitingThePolicy() throws {
        let decision = try Self.decide(Self.required, [Self.signed, Self.unsigned, Self.wrongKey])
        #expect(!decision.passed)
        #expect(decision.findingsPassed)
        #expect(decision.counts.failing == 0, "images are not counted as findings")
        #expect(decision.signatures.status == .notVerified && decision.signatures.failing == 2)
        #expect(decision.warnings.isEmpty, "with evidence there is nothing left to warn about")
        #expect(decision.signatures.verdicts.map(\.verdict) == [.pass, .fail, .fail])
        let failing = decision.signatures.verdicts[2]
        #expect(
            failing.reason.text
                == "NOT verified: wrong-key: no trusted key verifies the signature; the policy requires signed images "
                + "(policy.yaml:4)")
        #expect(failing.reason.source?.description == "policy.yaml:4")
        let text = DecisionText.render(decision)
        #expect(
            text.contains("FAIL    image registry.test/acme/worker@sha256:bbbb\n        NOT verified: no-signature"))
        #expect(DecisionText.summaryLine(decision).hasPrefix("FAIL: 0 failing, "))
        #expect(DecisionText.summaryLine(decision).hasSuffix(", signatures NOT verified)"))
    }

    @Test func anImageNotCheckedFailsClosedAndShowsAsAnError() throws {
        let decision = try Self.decide(Self.required, [Self.signed, Self.unchecked])
        #expect(!decision.passed)
        let verdict = try #require(decision.signatures.verdicts.last)
        #expect(verdict.verdict == .fail)
        #expect(verdict.reason.text.hasPrefix("not checked, the registry failed: connection refused; the policy"))
        #expect(DecisionText.render(decision).contains("ERROR   image registry.test/acme/db@sha256:dddd\n"))
    }

    @Test func notRequiredSignaturesThatDoNotVerifyWarn() throws {
        let decision = try Self.decide(Self.optional, [Self.signed, Self.unsigned])
        #expect(decision.passed)
        #expect(decision.signatures.status == .notVerified)
        #expect(decision.signatures.verdicts.map(\.verdict) == [.pass, .warn])
        #expect(
            decision.signatures.verdicts[1].reason.text.hasSuffix(
                "; the policy does not require signed images (policy.yaml:3)"))
        #expect(DecisionText.render(decision).contains("WARN    image registry.test/acme/worker@sha256:bbbb"))

        let verified = try Self.decide(Self.optional, [Self.signed])
        #expect(verified.passed && verified.signatures.status == .verified)
        #expect(verified.warnings.isEmpty)
    }

    @Test func aCallerThatRequiresSignaturesOverridesRequiredFalse() throws {
        let decision = try Self.decide(Self.optional, [Self.unsigned], requiredBy: "scangate release-gate")
        #expect(!decision.passed)
        let verdict = try #require(decision.signatures.verdicts.first)
        #expect(verdict.verdict == .fail)
        #expect(
            verdict.reason.text.hasSuffix(
                "; scangate release-gate requires every image signed, whatever signatures: required says "
                    + "(policy.yaml:3)"))
    }

    @Test func signatureFailuresAndFindingFailuresAreOneDecision() throws {
        let critical = Support.finding("CVE-2021-44906", severity: .critical, package: Support.npm("minimist", "1.2.5"))
        let decision = try Self.decide(Self.required, [Self.unsigned], findings: [critical])
        #expect(!decision.passed && !decision.findingsPassed)
        #expect(decision.counts.failing == 1 && decision.signatures.failing == 1)
        let text = DecisionText.render(decision)
        let image = try #require(text.range(of: "FAIL    image "))
        let finding = try #require(text.range(of: "FAIL    critical vulnerability CVE-2021-44906"))
        #expect(image.lowerBound < finding.lowerBound, "images first, then findings")
    }

    @Test func withoutEvidenceNothingChanges() throws {
        for evidence in [nil, [ImageSignatureEvidence]()] {
            let decision = try Self.decide(Self.required, evidence)
            #expect(decision.passed)
            #expect(decision.signatures.status == .notVerified && decision.signatures.verdicts.isEmpty)
            #expect(decision.warnings.first?.hasPrefix("signatures NOT verified: the policy requires signed") == true)
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(DecisionJSON.encode(decision))) as? [String: Any])
            let signatures = try #require(json["signatures"] as? [String: Any])
            #expect(Set(signatures.keys) == ["required", "status", "keys"])
        }
    }

    @Test func theJSONCarriesEachImageVerdict() throws {
        let decision = try Self.decide(
            Self.required, [Self.signed, Self.unsigned], requiredBy: "scangate release-gate")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(DecisionJSON.encode(decision))) as? [String: Any])
        #expect(json["decision"] as? String == "fail")
        let signatures = try #require(json["signatures"] as? [String: Any])
        #expect(signatures["status"] as? String == "not-verified")
        #expect(signatures["requiredBy"] as? String == "scangate release-gate")
        let images = try #require(signatures["images"] as? [[String: Any]])
        #expect(images.map { $0["verdict"] as? String } == ["pass", "fail"])
        #expect(images.map { $0["state"] as? String } == ["verified", "not-verified"])
        #expect(images[0]["keyId"] as? String == Self.signed.keyID)
        #expect(images[1]["keyId"] is NSNull)
        #expect(images[0]["resolvedFromTag"] as? Bool == true)
        let reason = try #require(images[1]["reason"] as? [String: Any])
        #expect(reason["kind"] as? String == "signature" && reason["source"] as? String == "policy.yaml:4")
        #expect((json["findings"] as? [Any])?.isEmpty == true)
    }
}
