import Audit
import Findings
import Foundation
import Policy
import Release
import ScanGateJSON
import Signatures
import Testing

/// The release gate's composition without a registry: verification results built in code,
/// findings built in code, a policy from text.
@Suite("Release gate composition")
struct ReleaseGateTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let policyText = """
        scangate-policy: 1
        environment: production
        fail-on: high
        signatures:
          required: true
          keys: [release.pub]

        """

    static func policy(_ text: String = policyText) throws -> Policy {
        try PolicyLoader(readFile: { _ throws(ConfigurationError) in text }).load(path: "release.yaml")
    }

    static func key() throws -> PublicKey {
        try PublicKey.load(path: root.appendingPathComponent("fixtures/audit/release.pub").path)
    }

    static func gate(_ policy: Policy) throws -> ReleaseGate {
        ReleaseGate(
            policy: policy, policyFiles: [AuditFile(file: "release.yaml", sha256: String(repeating: "ab", count: 32))],
            keys: [try key()], today: Day(year: 2026, month: 11, day: 25) ?? Day(ordinal: 0))
    }

    static let digest = "sha256:" + String(repeating: "1", count: 64)

    /// `w.yaml` with one waiver, at its line 3.
    static func waiverFile(
        id: String, environments: [String] = [], expires: Day?, severity: Severity? = nil
    ) -> WaiverFile {
        WaiverFile(
            file: "w.yaml",
            waivers: [
                Waiver(
                    source: SourceRef(file: "w.yaml", line: 3), id: id, environments: environments, reason: "r",
                    approvedBy: "a", expires: expires ?? Day(ordinal: 0), severity: severity)
            ])
    }

    static func verified(_ reference: String, byTag: Bool = false) throws -> ImageVerification {
        let check = SignatureCheck(
            format: .simpleSigning, source: "sha256-1111.sig layer 1", layerDigest: "sha256:2222", key: try key())
        return ImageVerification(
            reference: reference, repository: "registry.test/acme/api", tag: byTag ? "v1" : nil, digest: digest,
            resolvedFromTag: byTag, checks: [check])
    }

    static func failed(_ reference: String, _ failure: VerificationFailure) -> ImageVerification {
        ImageVerification(
            reference: reference, repository: "registry.test/acme/api", tag: nil, digest: digest,
            resolvedFromTag: false, checks: [], failure: failure)
    }

    static let unsigned = failed(
        "registry.test/acme/worker@\(digest)", VerificationFailure(.noSignature, "no signature was found"))
    static let down = failed(
        "127.0.0.1:1/acme/api@\(digest)", VerificationFailure(.registryError, "connection refused"))

    static func finding(_ id: String, _ severity: Severity) -> Finding {
        Finding(
            kind: .vulnerability, ruleID: id, title: "title of \(id)",
            ratings: [SeverityRating(source: "trivy", severity: severity, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: "minimist", installedVersion: "1.2.5"),
            provenance: [Provenance(tool: "trivy", reportFile: "trivy.json", rawID: id)],
            identity: FindingIdentity(kind: .vulnerability, scope: "source", subject: ["npm", id])
        ).finalized()
    }

    static let clean = FindingSet(merging: [finding("CVE-2020-0001", .low)])
    static let failing = FindingSet(merging: [finding("CVE-2021-44906", .critical), finding("CVE-2020-0001", .low)])

    static func json(_ outcome: ReleaseOutcome) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.json(audit: nil, log: nil))) as? [String: Any])
    }

    @Test func trustedKeysComeFromThePolicyOrTheConfigurationButNeverDisagree() throws {
        let release = try Self.key()
        let copy = try PublicKey.load(path: Self.root.appendingPathComponent("fixtures/audit/release.pub").path)
        let other = try PublicKey.load(path: Self.root.appendingPathComponent("fixtures/audit/audit.pub").path)
        #expect(ReleaseGate.trustedKeys(policy: [release], configured: []) == [release])
        #expect(ReleaseGate.trustedKeys(policy: [], configured: [other]) == [other])
        #expect(ReleaseGate.trustedKeys(policy: [], configured: []) == [])
        // The same key under another file name agrees; a different or an extra key does not.
        #expect(ReleaseGate.trustedKeys(policy: [release], configured: [copy]) == [release])
        #expect(ReleaseGate.trustedKeys(policy: [release], configured: [other]) == nil)
        #expect(ReleaseGate.trustedKeys(policy: [release], configured: [release, other]) == nil)
    }

    @Test func signedImagesAndCleanFindingsPass() throws {
        let byTag = "registry.test/acme/api:v1"
        let outcome = try Self.gate(try Self.policy()).decide(
            tag: "v1.4.0", commit: "3cf3022", findings: Self.clean,
            images: [try Self.verified(byTag, byTag: true), try Self.verified("registry.test/acme/api@\(Self.digest)")])
        #expect(outcome.status == .pass && outcome.status.exitCode == 0)
        let decision = try #require(outcome.decision)
        #expect(decision.passed && decision.signatures.status == .verified && decision.warnings.isEmpty)

        let text = outcome.text(audit: nil, log: nil)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("scangate release-gate: tag v1.4.0, commit 3cf3022, policy release.yaml"))
        #expect(lines[1].hasPrefix("keys: \(Self.root.path)/fixtures/audit/release.pub ("))
        #expect(lines[2] == "")
        #expect(lines[3] == "PASS    image \(byTag) → \(Self.digest)")
        #expect(lines[4].hasPrefix("        verified by key \(Self.root.path)/fixtures/audit/release.pub ("))
        #expect(lines[4].hasSuffix("), sha256-1111.sig layer 1"))
        #expect(lines[5] == "        tag v1 is mutable: it points to \(Self.digest) now; release by that digest")
        #expect(!text.contains("NOT verified") && !text.contains("warning:"))
        #expect(
            lines.dropLast().last
                == "PASS: tag v1.4.0: 2 of 2 images verified; findings 0 failing, 0 warnings, 0 waived, 0 ignored, "
                + "0 VEX-suppressed, 0 suppressed by tools, 1 passed (pass; policy release.yaml, env production)")

        let entry = outcome.auditEntry
        #expect(entry.decision == .pass && entry.exitStatus == 0 && entry.commit == "3cf3022")
        #expect(entry.images.map(\.verified) == [true, true] && entry.images.map(\.mutable) == [true, false])
        #expect(entry.images.first?.key?.id == (try Self.key()).id)
        #expect(entry.images.first?.reason == "verified: sha256-1111.sig layer 1 [sha256:2222]")
        #expect(entry.policy?.sha256 == String(repeating: "ab", count: 32))
        #expect(entry.counts.contains(AuditCount("imagesVerified", 2)) && entry.counts.contains(AuditCount("pass", 1)))
    }

    @Test func anUnsignedImageFailsTheOneDecision() throws {
        let outcome = try Self.gate(try Self.policy()).decide(
            tag: "v1.4.0", findings: Self.clean,
            images: [try Self.verified("registry.test/acme/api@\(Self.digest)"), Self.unsigned])
        #expect(outcome.status == .fail && outcome.status.exitCode == 1 && outcome.auditDecision == .fail)
        #expect(outcome.decision?.passed == false && outcome.decision?.findingsPassed == true)
        #expect(
            outcome.reasons.contains(
                "image registry.test/acme/worker@\(Self.digest) (\(Self.digest)): NOT verified: no-signature: no "
                    + "signature was found; the policy requires signed images (release.yaml:5)"))
        let text = outcome.text(audit: nil, log: nil)
        #expect(
            text.contains("FAIL    image registry.test/acme/worker@\(Self.digest)\n        NOT verified: no-signature"))
        #expect(!text.contains("signatures NOT verified"))

        let json = try Self.json(outcome)
        #expect(json["decision"] as? String == "fail" && json["exit"] as? Int == 1)
        let gate = try #require(json["gate"] as? [String: Any])
        #expect(gate["decision"] as? String == "fail" && gate["summary"] == nil)
        let signatures = try #require(gate["signatures"] as? [String: Any])
        #expect(signatures["status"] as? String == "not-verified")
        let images = try #require(signatures["images"] as? [[String: Any]])
        #expect(images.map { $0["verdict"] as? String } == ["pass", "fail"])
        #expect((gate["warnings"] as? [String])?.isEmpty == true)
        #expect((json["images"] as? [[String: Any]])?.map { $0["reason"] as? String } == [nil, "no-signature"])
    }

    @Test func aRegistryFailureAloneIsExitFourAndAnError() throws {
        let outcome = try Self.gate(try Self.policy()).decide(tag: "v1.4.0", findings: Self.clean, images: [Self.down])
        #expect(outcome.status == .registryFailure && outcome.status.exitCode == 4 && outcome.auditDecision == .error)
        let text = outcome.text(audit: nil, log: nil)
        #expect(text.contains("ERROR   image 127.0.0.1:1/acme/api@\(Self.digest)\n"))
        #expect(text.contains("        not checked, the registry failed: connection refused; the policy requires"))
        #expect(
            text.hasSuffix(
                "ERROR: tag v1.4.0: 0 of 1 images verified; 1 registry failure; findings 0 failing, "
                    + "0 warnings, 0 waived, 0 ignored, 0 VEX-suppressed, 0 suppressed by tools, 1 passed (pass; policy "
                    + "release.yaml, env production)\n"))
        let signatures = try #require(
            (try Self.json(outcome)["gate"] as? [String: Any])?["signatures"] as? [String: Any])
        #expect((signatures["images"] as? [[String: Any]])?.first?["state"] as? String == "not-checked")
        #expect(outcome.auditEntry.images.first?.reason == "registry-error: connection refused")
    }

    /// (images, findings, expected status): a definite no wins over a registry failure.
    static let statuses: [([ImageVerification], FindingSet, ReleaseStatus)] = [
        ([down, unsigned], clean, .fail),
        ([down], failing, .fail),
        ([unsigned], failing, .fail),
        ([], clean, .fail),
    ]

    @Test(arguments: statuses)
    func aDefiniteNoWinsOverARegistryFailure(_ example: ([ImageVerification], FindingSet, ReleaseStatus)) throws {
        let outcome = try Self.gate(try Self.policy()).decide(tag: "v1", findings: example.1, images: example.0)
        #expect(outcome.status == example.2)
    }

    @Test func failingFindingsWithVerifiedImagesFailInTheSameOutput() throws {
        let outcome = try Self.gate(try Self.policy()).decide(
            tag: "v1.4.0", findings: Self.failing, images: [try Self.verified("registry.test/acme/api@\(Self.digest)")])
        #expect(outcome.status == .fail)
        let text = outcome.text(audit: nil, log: nil)
        let image = try #require(text.range(of: "PASS    image registry.test/acme/api@"))
        let finding = try #require(text.range(of: "FAIL    critical vulnerability CVE-2021-44906 minimist 1.2.5"))
        #expect(image.upperBound < finding.lowerBound)
        #expect(outcome.summary.hasPrefix("FAIL: tag v1.4.0: 1 of 1 images verified; findings 1 failing"))
        #expect(outcome.summary.hasSuffix("(FAIL; policy release.yaml, env production)"))
        #expect(
            outcome.reasons.contains { $0.hasPrefix("finding critical vulnerability CVE-2021-44906 minimist 1.2.5") })
        #expect(outcome.auditEntry.counts.contains(AuditCount("fail", 1)))
    }

    @Test func thePolicyCannotWaiveSignaturesAtTheReleaseGate() throws {
        let policy = try Self.policy(
            Self.policyText.replacingOccurrences(of: "required: true", with: "required: false"))
        let outcome = try Self.gate(policy).decide(tag: "v1", findings: Self.clean, images: [Self.unsigned])
        #expect(outcome.status == .fail)
        let verdict = try #require(outcome.decision?.signatures.verdicts.first)
        #expect(verdict.verdict == .fail)
        #expect(verdict.reason.text.contains("scangate release-gate requires every image signed"))
        #expect(outcome.decision?.signatures.requiredBy == ReleaseGate.requiredBy)
    }

    @Test func theReportReadersWarningsArePartOfTheDecision() throws {
        let warning = "image.json: alpine:3.10 runs alpine 3.10.9, which has reached its end of life"
        let outcome = try Self.gate(try Self.policy()).decide(
            tag: "v1", findings: Self.clean, images: [Self.down], reportWarnings: [warning])
        #expect(outcome.decision?.warnings.contains(warning) == true, "\(outcome.decision?.warnings ?? [])")
    }

    /// A waiver for an environment the project configuration does not define is warned about at
    /// the release gate too, as `scangate ci` warns about it.
    @Test func aWaiverForAnUndefinedEnvironmentIsWarnedAbout() throws {
        var gate = try Self.gate(try Self.policy())
        gate.waivers = [
            Self.waiverFile(
                id: "CVE-2020-0001", environments: ["prodution"], expires: Day(year: 2027, month: 1, day: 1))
        ]
        let warned = { (gate: ReleaseGate) in
            gate.decide(tag: "v1", findings: Self.clean, images: [Self.down]).decision?.warnings.contains {
                $0.contains("w.yaml:3") && $0.contains("prodution")
            } == true
        }
        #expect(!warned(gate), "without the configuration's environments nothing says it")
        gate.definedEnvironments = ["production", "staging"]
        #expect(warned(gate))
    }

    /// A release judged as of a past day (`--now`) with a waiver that expired before the
    /// calendar's date: the waiver still applies as of that day, but the audit record's reasons
    /// and the warnings name it, so reviving an expired waiver leaves a trace.
    @Test func aWaiverRevivedByAPastGateDateIsInTheAuditReasons() throws {
        var gate = try Self.gate(try Self.policy())
        gate.waivers = [
            Self.waiverFile(id: "CVE-2021-44906", expires: Day(year: 2026, month: 11, day: 30), severity: .critical)
        ]
        let image = try Self.verified("registry.test/acme/api@\(Self.digest)")
        let note =
            "waiver CVE-2021-44906 (w.yaml:3) expired on 2026-11-30, before today's date (2027-02-01): it applies "
            + "only because the gate judges as of 2026-11-25 (--now)"
        let unrevived = gate.decide(tag: "v1", findings: Self.failing, images: [image])
        #expect(unrevived.status == .pass)
        #expect(!unrevived.reasons.contains(note) && unrevived.decision?.warnings.contains(note) == false)

        gate.calendarDay = Day(year: 2027, month: 2, day: 1)
        let revived = gate.decide(tag: "v1", findings: Self.failing, images: [image])
        #expect(revived.status == .pass)
        #expect(revived.reasons.contains(note), "\(revived.reasons)")
        #expect(revived.auditEntry.reasons.contains(note))
        #expect(revived.decision?.warnings.contains(note) == true, "\(revived.decision?.warnings ?? [])")

        // A calendar date on or before the expiry revives nothing.
        gate.calendarDay = Day(year: 2026, month: 11, day: 30)
        #expect(
            !gate.decide(tag: "v1", findings: Self.failing, images: [image]).reasons.contains { $0.contains("--now") })
    }

    /// Under `empty-scans: fail`, a report that checked nothing is a definite "no" (a registry
    /// failure does not make it an error), with a reason in the audit record.
    @Test func aReportThatCheckedNothingFailsTheReleaseUnderEmptyScansFail() throws {
        let scan = EmptyScan(report: "trivy-image.json", reason: "Trivy detected no operating system in app:1")
        let failing = try Self.gate(try Self.policy(Self.policyText + "empty-scans: fail\n"))
        let image = try Self.verified("registry.test/acme/api@\(Self.digest)")
        for images in [[image], [Self.down]] {
            let outcome = failing.decide(tag: "v1", findings: Self.clean, images: images, emptyScans: [scan])
            #expect(outcome.status == .fail && outcome.auditDecision == .fail)
            let reason =
                "report trivy-image.json checked nothing: Trivy detected no operating system in app:1; empty-scans: "
                + "fail (release.yaml:7)"
            #expect(outcome.reasons.contains(reason), "\(outcome.reasons)")
            #expect(outcome.auditEntry.reasons.contains(reason))
            #expect(outcome.summary.contains("; 1 report checked nothing; "), "\(outcome.summary)")
            #expect(outcome.text(audit: nil, log: nil).contains("\nFAIL    \(reason)\n"))
        }
        let warning = try Self.gate(try Self.policy())
        let outcome = warning.decide(tag: "v1", findings: Self.clean, images: [image], emptyScans: [scan])
        #expect(outcome.status == .pass)
        #expect(!outcome.reasons.contains { $0.contains("checked nothing") })
    }

    @Test func unreadableReportsAreExitThreeAndNoImageIsChecked() throws {
        let reference = "127.0.0.1:1/acme/api:v1.4.0"
        let outcome = try Self.gate(try Self.policy()).reportsUnreadable(
            ["broken.json: line 1: unexpected end"], tag: "v1.4.0", images: [reference])
        #expect(outcome.status == .reportsUnreadable && outcome.status.exitCode == 3 && outcome.decision == nil)
        let text = outcome.text(audit: nil, log: nil)
        #expect(text.contains("\nERROR   report unreadable: broken.json: line 1: unexpected end\n"))
        #expect(text.contains("\nERROR   image \(reference): not checked\n"))
        #expect(text.hasSuffix("ERROR: tag v1.4.0: 1 reports unreadable, images not checked\n"))
        #expect(
            outcome.reasons == [
                "report unreadable: broken.json: line 1: unexpected end", "image \(reference): not checked",
            ])
        let entry = outcome.auditEntry
        #expect(entry.decision == .error && entry.exitStatus == 3)
        #expect(entry.images.first?.reason == "not checked: a report could not be read")
        #expect(entry.images.first?.mutable == true)
        #expect(try Self.json(outcome)["gate"] is NSNull)
    }

    @Test func theOutputIsDeterministic() throws {
        let gate = try Self.gate(try Self.policy())
        let images = [try Self.verified("registry.test/acme/api@\(Self.digest)"), Self.unsigned, Self.down]
        let first = gate.decide(tag: "v1", findings: Self.failing, images: images)
        let second = gate.decide(
            tag: "v1", findings: FindingSet(merging: Self.failing.all.reversed()), images: images)
        #expect(first.json(audit: nil, log: nil) == second.json(audit: nil, log: nil))
        #expect(first.text(audit: nil, log: nil) == second.text(audit: nil, log: nil))
        #expect(first.auditEntry == second.auditEntry)
    }

    @Test func theEmbeddedDecisionIsTheGatesJSONWithoutItsSummary() throws {
        let outcome = try Self.gate(try Self.policy()).decide(
            tag: "v1", findings: Self.clean, images: [try Self.verified("registry.test/acme/api@\(Self.digest)")])
        let decision = try #require(outcome.decision)
        var writer = JSONWriter(pretty: true)
        DecisionJSON.write(decision, to: &writer, includingSummary: false)
        var gate = try #require(
            try JSONSerialization.jsonObject(with: Data(DecisionJSON.encode(decision))) as? [String: Any])
        #expect(gate.removeValue(forKey: "summary") != nil)
        let embedded = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? NSDictionary)
        #expect(embedded == gate as NSDictionary)
        #expect((try Self.json(outcome)["gate"] as? NSDictionary) == embedded)
    }
}

/// `signatures: require-scan`: each image released is matched by digest to the images the
/// reports scanned, platform by platform, and one no report scanned fails the release whatever
/// its signature.
@Suite("Release gate: images tied to their scans")
struct ReleaseGateScanTests {
    static let requiringScans = ReleaseGateTests.policyText.replacingOccurrences(
        of: "  keys: [release.pub]\n", with: "  keys: [release.pub]\n  require-scan: true\n")
    static let digest = ReleaseGateTests.digest
    static let amd64 = "sha256:" + String(repeating: "3", count: 64)
    static let arm64 = "sha256:" + String(repeating: "5", count: 64)
    static let config = "sha256:" + String(repeating: "4", count: 64)
    static let armConfig = "sha256:" + String(repeating: "6", count: 64)
    static let other = "sha256:" + String(repeating: "9", count: 64)

    static func scanned(_ report: String, digests: [String] = [], config: String? = nil) -> ScannedImage {
        ScannedImage(report: report, name: "registry.test/acme/api:v1", manifestDigests: digests, configDigest: config)
    }

    /// A single-platform image (its manifest is `digest`), or an index of two platforms.
    static func image(config: String? = Self.config, index: Bool = false) throws -> ImageVerification {
        var image = try ReleaseGateTests.verified("registry.test/acme/api@\(digest)")
        image.platforms =
            index
            ? [
                ImagePlatform(digest: amd64, configDigest: config, name: "linux/amd64"),
                ImagePlatform(digest: arm64, configDigest: armConfig, name: "linux/arm64"),
            ] : [ImagePlatform(digest: digest, configDigest: config)]
        return image
    }

    static func decide(
        _ images: [ImageVerification], _ scans: [ScannedImage], policy text: String = requiringScans
    ) throws -> ReleaseOutcome {
        try ReleaseGateTests.gate(try ReleaseGateTests.policy(text)).decide(
            tag: "v1", findings: ReleaseGateTests.clean, images: images, scannedImages: scans)
    }

    @Test func aSinglePlatformImageIsScannedByItsManifestOrConfigDigest() throws {
        let image = try Self.image()
        // Digests compare as content addresses: the report's repository and case do not matter.
        #expect(
            image.scanCoverage([Self.scanned("pushed.json", digests: [Self.digest.uppercased()])])?.notScanned == [])
        #expect(image.scanCoverage([Self.scanned("local.json", config: Self.config)])?.notScanned == [])
        // Docker's containerd image store reports the manifest's digest as the image id.
        #expect(image.scanCoverage([Self.scanned("containerd.json", config: Self.digest)])?.notScanned == [])
        let stale = try #require(
            image.scanCoverage([Self.scanned("stale.json", digests: [Self.other], config: Self.other)]))
        #expect(stale.scannedBy.isEmpty && stale.notScanned == [Self.digest])
        var unresolved = image
        unresolved.platforms = nil
        #expect(unresolved.scanCoverage([Self.scanned("x.json", digests: [Self.digest])]) == nil)

        let outcome = try Self.decide([image], [Self.scanned("local.json", config: Self.config)])
        #expect(outcome.status == .pass, "\(outcome.reasons)")
        #expect(outcome.text(audit: nil, log: nil).contains("scanned by local.json"))
        #expect(outcome.auditEntry.images.first?.reason.contains("scanned by local.json") == true)
    }

    /// `trivy image TAG` of a multi-platform tag names the index digest but scans one platform
    /// (its ImageID is that platform's config): it vouches for that platform only.
    @Test func everyPlatformOfAnIndexMustBeScanned() throws {
        let image = try Self.image(index: true)
        let amd64Only = Self.scanned("amd64.json", digests: [Self.digest], config: Self.config)
        let coverage = try #require(image.scanCoverage([amd64Only]))
        #expect(coverage.scannedBy == ["amd64.json"])
        #expect(coverage.notScanned == ["linux/arm64 (\(Self.arm64))"])
        let outcome = try Self.decide([image], [amd64Only])
        #expect(outcome.status == .fail)
        let reason = try #require(outcome.reasons.first { $0.hasPrefix("image ") })
        #expect(reason.contains("NOT scanned: linux/arm64 (\(Self.arm64))"), "\(reason)")
        #expect(outcome.summary.contains("1 not scanned"), "\(outcome.summary)")
        // The index digest alone, without an image id, says nothing of which platform.
        #expect(image.scanCoverage([Self.scanned("index.json", digests: [Self.digest])])?.scannedBy == [])
        // Both platforms, by their manifest or config digests: scanned.
        let both = [amd64Only, Self.scanned("arm64.json", digests: [Self.arm64])]
        #expect(try Self.decide([image], both).status == .pass)
    }

    /// An index that lists no platform image (none, or attestations only) holds nothing a
    /// report can have scanned: a report naming its digest does not make it scanned, and the
    /// release fails as a definite "no" (not a registry error: its identity was read).
    @Test func anIndexOfNoPlatformIsNotScannedByAnything() throws {
        var empty = try Self.image(index: true)
        empty.platforms = []
        let naming = Self.scanned("index.json", digests: [Self.digest], config: Self.digest)
        let coverage = try #require(empty.scanCoverage([naming]))
        #expect(coverage.scannedBy.isEmpty && coverage.notScanned == [Self.digest] && coverage.listsNoPlatform)
        let outcome = try Self.decide([empty], [naming])
        #expect(outcome.status == .fail)
        #expect(outcome.exitCode == 1)
        let reason = try #require(outcome.reasons.first { $0.hasPrefix("image ") })
        #expect(reason.contains("verified by key"), "\(reason)")
        #expect(reason.contains("NOT scanned: it is an index that lists no platform image"), "\(reason)")
        #expect(outcome.summary.contains("1 not scanned"), "\(outcome.summary)")
        #expect(outcome.auditEntry.images.first?.reason.contains("NOT scanned: \(Self.digest)") == true)
        // The registry failing on its signatures afterwards changes nothing.
        var failedLater = ReleaseGateTests.down
        failedLater.platforms = []
        #expect(try Self.decide([failedLater], [naming]).status == .fail)
    }

    @Test func anImageNoReportScannedFailsTheRelease() throws {
        for scans in [[], [Self.scanned("stale.json", digests: [Self.other], config: Self.other)]] {
            let outcome = try Self.decide([try Self.image()], scans)
            #expect(outcome.status == .fail)
            #expect(outcome.exitCode == 1)
            let reason = try #require(outcome.reasons.first { $0.hasPrefix("image ") })
            #expect(reason.contains("verified by key"), "\(reason)")
            #expect(reason.contains("NOT scanned: no report given names this image"), "\(reason)")
            #expect(reason.contains("(release.yaml:7)"), "\(reason)")
            #expect(outcome.summary.contains("1 not scanned"))
            #expect(outcome.auditEntry.decision == .fail)
            #expect(outcome.auditEntry.images.first?.reason.contains("NOT scanned: \(Self.digest)") == true)
            let json = try ReleaseGateTests.json(outcome)
            let gate = try #require(json["gate"] as? [String: Any])
            let verdict = try #require(((gate["signatures"] as? [String: Any])?["images"] as? [[String: Any]])?.first)
            #expect(verdict["scannedBy"] as? [String] == [])
            #expect(verdict["notScanned"] as? [String] == [Self.digest])
            #expect(verdict["failsForScan"] as? Bool == true)
        }
        // Without require-scan the same release passes, and says what no report scanned.
        let relaxed = try Self.decide([try Self.image()], [], policy: ReleaseGateTests.policyText)
        #expect(relaxed.status == .pass)
        #expect(relaxed.text(audit: nil, log: nil).contains("NOT scanned: no report given names this image"))
    }

    /// A registry that fails on the signatures after the image's identity was read cannot turn
    /// a missing scan into a pass by retrying: a definite "no" (exit 1), not a registry error.
    @Test func aMissingScanIsADefiniteNoEvenWhenTheRegistryFailedLater() throws {
        var failedLater = ReleaseGateTests.down
        failedLater.platforms = [ImagePlatform(digest: Self.digest, configDigest: Self.config)]
        let outcome = try Self.decide([failedLater], [])
        #expect(outcome.status == .fail, "\(outcome.reasons)")
        // Identity unknown (the registry failed first): a registry failure, nothing else to say.
        let unknown = try Self.decide([ReleaseGateTests.down], [])
        #expect(unknown.status == .registryFailure)
        #expect(!unknown.reasons.joined().contains("NOT scanned"))
    }

    @Test func requireScanIsInheritedAndTyped() throws {
        let base = Self.requiringScans
        let policy = try PolicyLoader(readFile: { path throws(ConfigurationError) in
            path.hasSuffix("base.yaml") ? base : "scangate-policy: 1\nextends: base.yaml\nenvironment: prod-eu\n"
        }).load(path: "prod-eu.yaml")
        #expect(policy.signatures.requireScan?.description == "base.yaml:7")
        let off = try ReleaseGateTests.policy(
            base.replacingOccurrences(of: "require-scan: true", with: "require-scan: false"))
        #expect(off.signatures.requireScan == nil)
        #expect(throws: ConfigurationError.self) {
            try ReleaseGateTests.policy(base.replacingOccurrences(of: "require-scan: true", with: "require-scan: 1"))
        }
    }
}
