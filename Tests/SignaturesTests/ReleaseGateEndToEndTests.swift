import Foundation
import TestSupport
import Testing

/// `scangate release-gate` against the registry, images and cosign signatures of the Signatures
/// end-to-end harness (`E2E.Scope`, RegistryEndToEndTests.swift): one decision over signatures and
/// findings, and the audit record of it. The release gate's offline cases are in Tests/AuditTests.
@Suite("Release gate end to end", .enabled(if: E2E.isAvailable, E2E.skipMessage), E2E.Scope())
struct ReleaseGateEndToEndTests {
    static let root = SignatureCorpus.repositoryRoot
    static let clean = root.appendingPathComponent("fixtures/audit/clean-trivy.json").path
    static let failing = root.appendingPathComponent("fixtures/examples").path

    /// A temporary directory with `release.pub` (a copy of `key`) and a policy that extends the
    /// production policy and names it relative to itself.
    struct Release {
        let directory: URL
        var policy: String { directory.appendingPathComponent("release.yaml").path }
        var log: String { directory.appendingPathComponent("audit.jsonl").path }

        init(key: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "scangate-release-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: key, toPath: directory.appendingPathComponent("release.pub").path)
            let production = ReleaseGateEndToEndTests.root.appendingPathComponent("policies/production.yaml").path
            let text = """
                scangate-policy: 1
                extends: \(production)
                signatures:
                  required: true
                  keys: [release.pub]

                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: policy))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        /// A Trivy image report (schema 2, no vulnerability) of an image with these `RepoDigests`
        /// and `ImageID`, written beside the policy: what `trivy image --format json` writes for
        /// a clean image.
        func imageReport(_ file: String, name: String, repoDigests: [String], imageID: String? = nil) throws -> String {
            let metadata: [String: Any] = [
                "OS": ["Family": "alpine", "Name": "3.20.3"], "RepoTags": [name], "RepoDigests": repoDigests,
                "ImageID": imageID ?? NSNull(),
            ]
            let report: [String: Any] = [
                "SchemaVersion": 2, "CreatedAt": "2026-11-26T10:00:00Z", "ArtifactName": name,
                "ArtifactType": "container_image", "Metadata": metadata,
                "Results": [["Target": "\(name) (alpine 3.20.3)", "Class": "os-pkgs", "Type": "alpine"]],
            ]
            let path = directory.appendingPathComponent(file).path
            try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]).write(
                to: URL(fileURLWithPath: path))
            return path
        }

        /// The report of `world`'s signed image as pushed (its `RepoDigests`).
        func signedImageReport(_ world: E2E.World) throws -> String {
            try imageReport(
                "trivy-image.json", name: "\(world.registry)/e2e/signed:v1",
                repoDigests: [world.ref("signed", digest: world.signed)])
        }

        func gate(_ images: [String], reports: [String], _ extra: [String] = []) throws -> ChildProcess.Result {
            try E2E.scangate(
                ["release-gate", "--policy", policy, "--tag", "v1.4.0", "--insecure-registry", "--audit-log", log]
                    + images.flatMap { ["--image", $0] } + extra + reports)
        }

        /// The records of the audit log, as JSON objects.
        func records() throws -> [[String: Any]] {
            let text = try String(contentsOfFile: log, encoding: .utf8)
            return try text.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
    }

    private var world: E2E.World {
        get throws { try #require(E2E.World.current, "the registry scope did not start") }
    }

    @Test func signedImagesAndCleanFindingsPassAndAreRecorded() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let byTag = "\(world.registry)/e2e/signed:v1"
        let scan = try release.signedImageReport(world)
        let result = try release.gate(
            [byTag, world.ref("signed", digest: world.signed)], reports: [Self.clean, scan], ["--commit", "3cf3022"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("scanned by \(scan)"))
        #expect(result.standardOutput.contains("PASS    image \(byTag) → \(world.signed)"))
        #expect(result.standardOutput.contains("tag v1 is mutable: it points to \(world.signed) now"))
        #expect(result.standardOutput.contains("verified by key \(release.directory.path)/release.pub"))
        #expect(!result.standardOutput.contains("NOT verified"))
        let last = try #require(result.standardOutput.split(separator: "\n").last)
        #expect(last.hasPrefix("PASS: tag v1.4.0: 2 of 2 images verified; findings 0 failing"))

        let record = try #require(try release.records().first)
        #expect(record["decision"] as? String == "pass")
        #expect(record["exit"] as? Int == 0)
        #expect(record["commit"] as? String == "3cf3022")
        let images = try #require(record["images"] as? [[String: Any]])
        #expect(images.count == 2)
        #expect(images.allSatisfy { $0["verified"] as? Bool == true && $0["digest"] as? String == world.signed })
        #expect(images.map { $0["mutable"] as? Bool } == [true, false])
        let key = try #require(images.first?["key"] as? [String: Any])
        #expect(key["file"] as? String == "\(release.directory.path)/release.pub")
        #expect((key["id"] as? String)?.count == 64)

        let verified = try E2E.scangate(["audit", "verify", release.log])
        #expect(verified.status == 0, "\(verified.standardOutput)")
    }

    @Test func theProjectConfigurationAloneDrivesARelease() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let image = "\(world.registry)/e2e/signed:v1"
        // What deploy.yml can run: everything but the tag from .scangate.yaml, paths relative to it.
        let config = release.directory.appendingPathComponent(".scangate.yaml")
        // The build scanned before it was pushed: no RepoDigests, its config digest as ImageID.
        let scan = try release.imageReport(
            "trivy-local.json", name: "app:build", repoDigests: [], imageID: world.configs["signed"])
        let text = """
            scangate-config: 1
            reports: ["\(Self.clean)", "\(scan)"]
            policies:
              production: release.yaml
            release:
              images: ["\(image)"]
              keys: [release.pub]
              audit-log: audit.jsonl

            """
        try Data(text.utf8).write(to: config)
        let result = try E2E.scangate(
            ["release-gate", "--config", config.path, "--tag", "v1.4.0", "--insecure-registry"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("PASS    image \(image) → \(world.signed)"))
        #expect(result.standardOutput.contains("scanned by \(scan)"))
        let record = try #require(try release.records().first)
        #expect(record["decision"] as? String == "pass")
        #expect((record["images"] as? [[String: Any]])?.first?["digest"] as? String == world.signed)
    }

    @Test func everyImageThatDoesNotVerifyIsAReasonOfOneDecision() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let result = try release.gate(
            [
                world.ref("signed", digest: world.signed), world.ref("unsigned", digest: world.unsigned),
                world.ref("tampered", digest: world.tampered), world.ref("misattached", digest: world.misattached),
            ], reports: [Self.clean, try release.signedImageReport(world)], ["--format", "json"])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["decision"] as? String == "fail")
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.map { $0["reason"] as? String } == [nil, "no-signature", "wrong-key", "digest-mismatch"])
        let reasons = try #require(object["reasons"] as? [String])
        #expect(reasons.filter { $0.contains("NOT verified") }.count == 3)
        // The policy's decision rules on the signatures too: it fails, with a verdict per image.
        let gate = try #require(object["gate"] as? [String: Any])
        #expect(gate["decision"] as? String == "fail")
        #expect((gate["counts"] as? [String: Any])?["fail"] as? Int == 0)
        let verdicts = try #require((gate["signatures"] as? [String: Any])?["images"] as? [[String: Any]])
        #expect(verdicts.map { $0["verdict"] as? String } == ["pass", "fail", "fail", "fail"])

        let record = try #require(try release.records().first)
        #expect(record["decision"] as? String == "fail")
        let recorded = try #require(record["images"] as? [[String: Any]])
        #expect(recorded.map { $0["verified"] as? Bool } == [true, false, false, false])
        #expect((recorded[2]["reason"] as? String)?.hasPrefix("wrong-key") == true)
    }

    @Test func aSignatureByAKeyThePolicyDoesNotNameFails() throws {
        let world = try world
        let release = try Release(key: world.otherKey)
        defer { release.remove() }
        let result = try release.gate([world.ref("signed", digest: world.signed)], reports: [Self.clean])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("NOT verified: wrong-key"))
    }

    @Test func verifiedImagesWithFailingFindingsFailInTheSameOutput() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let result = try release.gate(
            [world.ref("signed", digest: world.signed)], reports: [Self.failing, try release.signedImageReport(world)])
        #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("PASS    image \(world.ref("signed", digest: world.signed))"))
        #expect(result.standardOutput.contains("FAIL    critical vulnerability CVE-2021-44906"))
        let last = try #require(result.standardOutput.split(separator: "\n").last)
        #expect(last.hasPrefix("FAIL: tag v1.4.0: 1 of 1 images verified; findings 8 failing"))
    }

    @Test func aRegistryThatIsDownIsExitFourAndRecordedAsAnError() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let down = "127.0.0.1:\(try E2E.freePort())/e2e/signed@\(world.signed)"
        let result = try release.gate(
            [world.ref("signed", digest: world.signed), down],
            reports: [Self.clean, try release.signedImageReport(world)])
        #expect(result.status == 4, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("ERROR   image \(down)"))
        let record = try #require(try release.records().first)
        #expect(record["decision"] as? String == "error")
        #expect(record["exit"] as? Int == 4)
    }

    /// A signed image is not a scanned one: a release whose image reports are of another build
    /// (a stale report, a rebuilt tag), or of no image at all, fails under `require-scan` and
    /// says why, with the signature verified.
    @Test func aSignedImageNoReportScannedFails() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let image = world.ref("signed", digest: world.signed)
        let stale = try release.imageReport(
            "trivy-stale.json", name: "\(world.registry)/e2e/signed:v1",
            repoDigests: [world.ref("signed", digest: world.unsigned)], imageID: world.configs["unsigned"])
        for reports in [[Self.clean], [Self.clean, stale]] {
            let result = try release.gate([image], reports: reports, ["--format", "json"])
            #expect(result.status == 1, "\(result.standardOutput)\(result.standardError)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
            #expect(object["decision"] as? String == "fail")
            let reasons = try #require(object["reasons"] as? [String])
            #expect(reasons.contains { $0.contains("verified by key") && $0.contains("NOT scanned") }, "\(reasons)")
            let gate = try #require(object["gate"] as? [String: Any])
            let verdict = try #require(((gate["signatures"] as? [String: Any])?["images"] as? [[String: Any]])?.first)
            #expect(verdict["verdict"] as? String == "fail")
            #expect(verdict["scannedBy"] as? [String] == [])
            #expect(((verdict["reason"] as? [String: Any])?["source"] as? String)?.contains("production.yaml") == true)
        }
        #expect(try release.records().map { $0["decision"] as? String } == ["fail", "fail"])

        // Without require-scan the same release passes, and says no report scanned the image.
        try Data(
            """
            scangate-policy: 1
            extends: \(Self.root.appendingPathComponent("policies/production.yaml").path)
            signatures: { required: true, keys: [release.pub], require-scan: false }

            """.utf8
        ).write(to: URL(fileURLWithPath: release.policy))
        let relaxed = try release.gate([image], reports: [Self.clean, stale])
        #expect(relaxed.status == 0, "\(relaxed.standardOutput)\(relaxed.standardError)")
        #expect(relaxed.standardOutput.contains("NOT scanned: no report given names this image"))
    }

    /// `trivy image TAG` of a multi-platform tag names the index digest but scans one platform:
    /// the release of the index needs a scan of each platform, which the gate reads from the
    /// registry (each platform manifest by its digest, for its config digest).
    @Test func everyPlatformOfASignedIndexMustBeScanned() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let image = world.ref("multi", digest: world.multi)
        let amd64 = try #require(world.multiPlatforms.first)
        let arm64 = try #require(world.multiPlatforms.last)
        let byTag = try release.imageReport(
            "trivy-amd64.json", name: "\(world.registry)/e2e/multi:v1", repoDigests: [image], imageID: amd64[1])
        let one = try release.gate([image], reports: [Self.clean, byTag])
        #expect(one.status == 1, "\(one.standardOutput)\(one.standardError)")
        #expect(one.standardOutput.contains("verified by key"))
        #expect(one.standardOutput.contains("NOT scanned: linux/arm64 (\(arm64[0]))"), "\(one.standardOutput)")
        #expect(one.standardOutput.contains("1 not scanned"))

        // The arm64 build scanned before it was pushed (its config digest as image id): both are.
        let local = try release.imageReport("trivy-arm64.json", name: "app:arm64", repoDigests: [], imageID: arm64[1])
        let both = try release.gate([image], reports: [Self.clean, byTag, local])
        #expect(both.status == 0, "\(both.standardOutput)\(both.standardError)")
        #expect(both.standardOutput.contains("scanned by \(byTag), \(local)"))
    }

    /// An index the gate cannot read for certain fails the release (exit 1: the registry served
    /// it, and asking again gives the same bytes) naming its digest and what is wrong, never
    /// one image that a report on one of its platforms vouches for: two `manifests` arrays (Go
    /// keeps the last: amd64 and arm64; the report scanned arm64), or a platform that is itself
    /// an index (by its media type, or by what it holds).
    @Test func anIndexThatCannotBeReadForCertainFailsTheRelease() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let amd64 = try #require(world.multiPlatforms.first)
        let arm64 = try #require(world.multiPlatforms.last)
        let cases = [
            ("duplicated", arm64[1], #"cannot be read strictly (line 1, column"#),
            ("nested", amd64[1], "lists an index (\(world.multi)"),
            ("disguised", amd64[1], "the platform manifest \(world.multi) of the index"),
        ]
        for (name, scannedConfig, problem) in cases {
            let digest = try #require(world.craftedIndexes[name])
            let image = world.ref("multi", digest: digest)
            // What `trivy image --platform` writes for one platform of the index: its digest,
            // and that platform's config digest as the image id.
            let report = try release.imageReport(
                "trivy-\(name).json", name: "\(world.registry)/e2e/multi:\(name)", repoDigests: [image],
                imageID: scannedConfig)
            let result = try release.gate([image], reports: [Self.clean, report])
            #expect(result.status == 1, "\(name): \(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("FAIL    image \(image)"), "\(name): \(result.standardOutput)")
            #expect(result.standardOutput.contains("unreadable-manifest: "), "\(name): \(result.standardOutput)")
            #expect(result.standardOutput.contains(digest), "\(name): \(result.standardOutput)")
            #expect(result.standardOutput.contains(problem), "\(name): \(result.standardOutput)")
        }
        let duplicated = try release.gate(
            [world.ref("multi", digest: try #require(world.craftedIndexes["duplicated"]))],
            reports: [Self.clean])
        #expect(
            duplicated.standardOutput.contains(#"the member "manifests" appears twice"#), "\(duplicated.standardOutput)"
        )
        #expect(duplicated.status == 1)
        let records = try release.records()
        #expect(records.count == 4 && records.allSatisfy { $0["decision"] as? String == "fail" })
    }

    /// containerd and Kubernetes pick an index entry by its platform alone: entries for real
    /// platforms labelled `vnd.docker.reference.type` are deployed, so each must be scanned. An
    /// index of no platform image (empty, or buildx attestations only) is scanned by nothing.
    @Test func everyDeployablePlatformMustBeScannedAndAnIndexOfNoneIsNot() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let amd64 = try #require(world.multiPlatforms.first)
        let arm64 = try #require(world.multiPlatforms.last)
        let unrelated = try release.imageReport(
            "trivy-unrelated.json", name: "\(world.registry)/e2e/unsigned:v1",
            repoDigests: [world.ref("unsigned", digest: world.unsigned)], imageID: world.configs["unsigned"])

        let annotated = world.ref("multi", digest: try #require(world.craftedIndexes["annotated"]))
        let unscanned = try release.gate([annotated], reports: [Self.clean, unrelated], ["--format", "json"])
        #expect(unscanned.status == 1, "\(unscanned.standardOutput)\(unscanned.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(unscanned.standardOutput.utf8)) as? [String: Any])
        let gate = try #require(object["gate"] as? [String: Any])
        let verdict = try #require(((gate["signatures"] as? [String: Any])?["images"] as? [[String: Any]])?.first)
        #expect(verdict["failsForScan"] as? Bool == true)
        #expect(
            verdict["notScanned"] as? [String] == ["linux/amd64 (\(amd64[0]))", "linux/arm64 (\(arm64[0]))"],
            "\(verdict)")
        let scans = try [amd64, arm64].enumerated().map { position, platform in
            try release.imageReport(
                "trivy-\(position).json", name: "app:\(position)", repoDigests: [], imageID: platform[1])
        }
        let scanned = try release.gate([annotated], reports: [Self.clean] + scans)
        #expect(scanned.status == 0, "\(scanned.standardOutput)\(scanned.standardError)")

        for name in ["empty", "attestations-only"] {
            let digest = try #require(world.craftedIndexes[name])
            let image = world.ref("multi", digest: digest)
            // Even a report that names the index's own digest scanned nothing in it.
            let naming = try release.imageReport(
                "trivy-\(name).json", name: "\(world.registry)/e2e/multi:\(name)", repoDigests: [image],
                imageID: digest)
            for reports in [[Self.clean, unrelated], [Self.clean, naming]] {
                let result = try release.gate([image], reports: reports)
                #expect(result.status == 1, "\(name): \(result.standardOutput)\(result.standardError)")
                #expect(result.standardOutput.contains("verified by key"), "\(name): \(result.standardOutput)")
                #expect(
                    result.standardOutput.contains("NOT scanned: it is an index that lists no platform image"),
                    "\(name): \(result.standardOutput)")
                #expect(result.standardOutput.contains("1 not scanned"), "\(name): \(result.standardOutput)")
            }
        }
    }

    /// `require-scan` asks for Trivy image reports: a linter's SARIF run whose properties name
    /// the image's digest does not scan it; Trivy's SARIF run does. One without results cannot
    /// tell a clean image from one whose packages were not scanned: under `empty-scans: fail` it
    /// fails the release, as the same scan in Trivy's JSON does.
    @Test func onlyATrivySARIFRunScansAnImage() throws {
        let world = try world
        let release = try Release(key: world.key)
        defer { release.remove() }
        let image = world.ref("signed", digest: world.signed)
        func sarif(_ file: String, driver: String, results: String = "[]") throws -> String {
            let text =
                #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"\#(driver)"}},"results":\#(results),"#
                + #""properties":{"repoDigests":["\#(image)"]}}]}"#
            let path = release.directory.appendingPathComponent(file).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let lint = try release.gate([image], reports: [Self.clean, try sarif("lint.sarif", driver: "eslint")])
        #expect(lint.status == 1, "\(lint.standardOutput)\(lint.standardError)")
        #expect(lint.standardOutput.contains("NOT scanned: no report given names this image"), "\(lint.standardOutput)")
        let empty = try sarif("trivy-empty.sarif", driver: "Trivy")
        let unproven = try release.gate([image], reports: [Self.clean, empty])
        #expect(unproven.status == 1, "\(unproven.standardOutput)\(unproven.standardError)")
        #expect(unproven.standardOutput.contains("scanned by \(empty)"), "\(unproven.standardOutput)")
        #expect(unproven.standardOutput.contains("may have checked nothing"), "\(unproven.standardOutput)")
        let trivy = try sarif(
            "trivy.sarif", driver: "Trivy",
            results: #"[{"ruleId":"CVE-2024-0001","level":"note","message":{"text":"a low one"},"#
                + #""locations":[{"physicalLocation":{"artifactLocation":{"uri":"app"}}}]}]"#)
        let scanned = try release.gate([image], reports: [Self.clean, trivy])
        #expect(scanned.status == 0, "\(scanned.standardOutput)\(scanned.standardError)")
        #expect(scanned.standardOutput.contains("scanned by \(trivy)"))
    }
}
