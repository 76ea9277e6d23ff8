import Adapters
import Findings
import Foundation
import Testing

@testable import SARIF

@Suite struct SARIFWriterTests {
    static func examples() throws -> (set: FindingSet, tools: [SARIFTool]) {
        try #require(Support.load(Support.examples))
    }

    /// One run per tool, and one per scanned image (an independent scan target: a scan of it
    /// that checked nothing must not empty the tool's other alerts), each with its own category.
    @Test func oneRunPerToolAndImageWithItsOwnCategory() throws {
        let loaded = try Self.examples()
        let output = SARIFWriter.write(loaded.set, options: SARIFOptions(category: "ci/main/", tools: loaded.tools))
        let runs = try Support.runs(output.bytes)
        #expect(runs.map(Support.driverName) == ["npm-audit", "trivy", "trivy", "zap"])
        let ids = runs.map { ($0["automationDetails"] as? [String: Any])?["id"] as? String ?? "" }
        #expect(
            ids == [
                "ci/main/npm-audit/", "ci/main/trivy/", "ci/main/trivy/docker.io-library-app-10f30bb2/", "ci/main/zap/",
            ])
        // ZAP's false positive is left out: GitHub would show it as an open alert.
        #expect(runs.map { Support.results($0).count } == [2, 5, 2, 3])
        #expect(output.dropped.isEmpty && output.notes.isEmpty)
        #expect(output.noteLines(whereListed: "unused").isEmpty && output.droppedListing.isEmpty)
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)
    }

    /// A report that checked nothing gives its tool no run (an empty run closes the tool's
    /// alerts); a tool whose other reports found something keeps its run, and the note says that
    /// alerts only the empty report found will close.
    @Test func aReportThatCheckedNothingGetsNoEmptyRun() throws {
        let loaded = try Self.examples()
        let trivyOnly = FindingSet(
            merging: loaded.set.all.filter { $0.provenance.allSatisfy { $0.tool == "trivy" } })
        let emptyZAP = SARIFEmptyReport(tool: "zap", scan: EmptyScan(report: "zap.xml", reason: "no alert"))
        let emptyImage = SARIFEmptyReport(tool: "trivy", scan: EmptyScan(report: "image.json", reason: "no result"))
        let output = SARIFWriter.write(
            trivyOnly,
            options: SARIFOptions(
                tools: [SARIFTool(name: "trivy")], emptyReports: [emptyZAP, emptyImage]))
        #expect(try Support.runs(output.bytes).map(Support.driverName) == ["trivy"])
        #expect(
            output.notes == [
                "zap.xml checked nothing: no run of zap in the file, so GitHub keeps the zap alerts of "
                    + "the last analysis instead of closing them as fixed",
                "image.json checked nothing: the run of trivy holds only other reports' findings, so "
                    + "GitHub closes as fixed any earlier trivy alert only this report found",
            ])
        #expect(output.dropped.isEmpty)
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)

        // Told nothing of the empty report, the writer gives a listed tool its empty run, as before.
        let listed = SARIFWriter.write(
            trivyOnly, options: SARIFOptions(tools: [SARIFTool(name: "trivy"), SARIFTool(name: "zap")]))
        #expect(try Support.runs(listed.bytes).map(Support.driverName) == ["trivy", "zap"])
    }

    /// A scan of an image that checked nothing leaves that image's run out (GitHub keeps its
    /// alerts), and the tool's run of the source tree as it is: with one run per tool, the
    /// image's alerts were closed as fixed by the source tree's run (found by a review). A clean
    /// scan of the image keeps its empty run, which is how GitHub closes what was fixed.
    @Test func anImageScanThatCheckedNothingLeavesOnlyItsImagesRunOut() throws {
        let loaded = try Self.examples()
        let trivy = FindingSet(merging: loaded.set.all.filter { $0.provenance.allSatisfy { $0.tool == "trivy" } })
        let image = try #require(loaded.tools.compactMap(\.image).first)
        let sourceTree = FindingSet(merging: trivy.all.filter { $0.identity.scope != image })
        let empty = SARIFEmptyReport(
            tool: "trivy", scan: EmptyScan(report: "image.json", reason: "no result"), image: image)
        let output = SARIFWriter.write(
            sourceTree, options: SARIFOptions(tools: [SARIFTool(name: "trivy")], emptyReports: [empty]))
        let runs = try Support.runs(output.bytes)
        #expect(runs.map { ($0["automationDetails"] as? [String: Any])?["id"] as? String } == ["scangate/trivy/"])
        #expect(!sourceTree.open.isEmpty && runs.map { Support.results($0).count } == [sourceTree.open.count])
        #expect(
            output.notes == [
                "image.json checked nothing: no run of trivy for image docker.io/library/app in the file, so GitHub "
                    + "keeps the trivy alerts for the image of the last analysis instead of closing them as fixed"
            ])
        let clean = SARIFWriter.write(
            sourceTree,
            options: SARIFOptions(tools: [SARIFTool(name: "trivy"), SARIFTool(name: "trivy", image: image)]))
        #expect(try Support.runs(clean.bytes).map { Support.results($0).count } == [sourceTree.open.count, 0])
        #expect(SARIFValidator.validate(clean.bytes).problems.isEmpty)
    }

    /// A vulnerability Trivy found in `repository`'s image (scope `image:<canonical>`).
    static func imageFinding(_ id: String, in repository: String, severity: Severity = .high) -> Finding {
        let image = ImageReference(parsing: repository)
        return Finding(
            kind: .vulnerability, ruleID: id, title: "\(id) in libc",
            ratings: [SeverityRating(source: "trivy", severity: severity, isToolVerdict: true)],
            package: Package(ecosystem: "debian", name: "libc6", installedVersion: "2.36-9"),
            locations: [Location(image: image, target: repository)],
            provenance: [Provenance(tool: "trivy", reportFile: "\(repository).json", rawID: id)],
            identity: FindingIdentity(
                kind: .vulnerability, scope: FindingIdentity.imageScope(image), subject: ["debian", "libc6", "2.36-9"])
        ).finalized()
    }

    /// An image scan that checked nothing but listed some findings (libraries, with the OS
    /// packages not scanned): its findings are left out with its run, not put in the tool's run,
    /// where they would change category once the image's scan is whole again (found by a review).
    @Test func theFindingsOfAnImageScanThatCheckedNothingAreLeftOutWithItsRun() throws {
        let scope = FindingIdentity.imageScope(ImageReference(parsing: "ghcr.io/acme/api"))
        let findings = FindingSet(merging: [
            Self.imageFinding("CVE-2024-0001", in: "ghcr.io/acme/api"),
            Support.finding(tool: "trivy", id: "R1", severity: .low),
        ])
        let empty = SARIFEmptyReport(
            tool: "trivy", scan: EmptyScan(report: "ghcr.io/acme/api.json", reason: "OS not scanned"), image: scope)
        let output = SARIFWriter.write(
            findings, options: SARIFOptions(tools: [SARIFTool(name: "trivy")], emptyReports: [empty]))
        let runs = try Support.runs(output.bytes)
        #expect(runs.map { ($0["automationDetails"] as? [String: Any])?["id"] as? String } == ["scangate/trivy/"])
        #expect(runs.map { Support.results($0).count } == [1])
        #expect(
            output.notes == [
                "ghcr.io/acme/api.json checked nothing: no run of trivy for image ghcr.io/acme/api in the file (its "
                    + "1 finding is "
                    + "left out of the file too), so GitHub keeps the trivy alerts for the image of the last analysis "
                    + "instead of closing them as fixed"
            ])
        // Scanned whole, the image's findings are its run's.
        let whole = SARIFWriter.write(
            findings,
            options: SARIFOptions(tools: [
                SARIFTool(name: "trivy"), SARIFTool(name: "trivy", image: scope, report: "ghcr.io/acme/api.json"),
            ]))
        #expect(try Support.runs(whole.bytes).map { Support.results($0).count } == [1, 1])
    }

    /// An image's run holds the findings of its own scan; a Kubernetes scan's finding in that
    /// image stays in the tool's run, whether the image's scan is read beside it, checked
    /// nothing, or is not there: it moved to the image's run, or was left out with it, so its
    /// GitHub alert was closed and opened again, or closed as fixed (found by a review).
    @Test func anotherReportsFindingInAScannedImageStaysInItsToolsRun() throws {
        let image = "ghcr.io/acme/api"
        let scope = FindingIdentity.imageScope(ImageReference(parsing: image))
        var fromCluster = Self.imageFinding("CVE-2024-0002", in: image)
        fromCluster.provenance = [Provenance(tool: "trivy", reportFile: "cluster.json", rawID: "CVE-2024-0002")]
        let fromImage = Self.imageFinding("CVE-2024-0001", in: image)  // from ghcr.io/acme/api.json
        let set = FindingSet(merging: [fromCluster, fromImage])
        /// Each run's category (the image's cut to its repository) and rule ids.
        func runs(_ tools: [SARIFTool], empty: [SARIFEmptyReport] = []) throws -> [String] {
            let output = SARIFWriter.write(set, options: SARIFOptions(tools: tools, emptyReports: empty))
            #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)
            return try Support.runs(output.bytes).map { run in
                let id = (run["automationDetails"] as? [String: Any])?["id"] as? String ?? ""
                let category = id.hasPrefix("scangate/trivy/ghcr.io-acme-api-") ? "image" : id
                return category + " "
                    + Support.results(run).compactMap { $0["ruleId"] as? String }.joined(separator: ",")
            }
        }
        let cluster = SARIFTool(name: "trivy", report: "cluster.json")
        let imageScan = SARIFTool(name: "trivy", image: scope, report: "ghcr.io/acme/api.json")
        #expect(try runs([cluster, imageScan]) == ["scangate/trivy/ CVE-2024-0002", "image CVE-2024-0001"])
        #expect(try runs([cluster]) == ["scangate/trivy/ CVE-2024-0001,CVE-2024-0002"])
        let empty = SARIFEmptyReport(
            tool: "trivy", scan: EmptyScan(report: "ghcr.io/acme/api.json", reason: "OS not scanned"), image: scope)
        #expect(try runs([cluster], empty: [empty]) == ["scangate/trivy/ CVE-2024-0002"])

        // Seen by both reports, a finding is in both runs: each as its scan found it.
        var both = fromImage
        both.provenance.append(Provenance(tool: "trivy", reportFile: "cluster.json", rawID: "CVE-2024-0001"))
        let merged = SARIFWriter.write(
            FindingSet(merging: [both]), options: SARIFOptions(tools: [cluster, imageScan]))
        #expect(try Support.runs(merged.bytes).map { Support.results($0).count } == [1, 1])
    }

    /// GitHub takes 20 runs a file: with more images than fit, every image's findings join their
    /// tool's run (one category) rather than some images being left out by severity; an image
    /// known only by its id (a new one every build) never gets a category of its own.
    @Test func tooManyImagesOrAnImageIDShareTheToolsRun() throws {
        let names = (1...24).map { "ghcr.io/acme/svc\($0)" }
        let set = FindingSet(merging: names.map { Self.imageFinding("CVE-2024-0001", in: $0) })
        let tools = names.map {
            SARIFTool(name: "trivy", image: FindingIdentity.imageScope(ImageReference(parsing: $0)))
        }
        let output = SARIFWriter.write(set, options: SARIFOptions(tools: tools))
        let runs = try Support.runs(output.bytes)
        #expect(runs.map { ($0["automationDetails"] as? [String: Any])?["id"] as? String } == ["scangate/trivy/"])
        #expect(runs.map { Support.results($0).count } == [24])
        #expect(output.dropped.isEmpty)
        #expect(output.notes.first?.hasPrefix("24 scanned images would need a run each") == true, "\(output.notes)")
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)

        let id = "sha256:" + String(repeating: "a", count: 64)
        let byID = SARIFWriter.write(
            FindingSet(merging: [Self.imageFinding("CVE-2024-0001", in: id)]),
            options: SARIFOptions(tools: [
                SARIFTool(name: "trivy", image: FindingIdentity.imageScope(ImageReference(parsing: id)))
            ]))
        #expect(
            try Support.runs(byID.bytes).map { ($0["automationDetails"] as? [String: Any])?["id"] as? String }
                == ["scangate/trivy/"])
    }

    /// A run's category must not depend on what else is uploaded beside it, or GitHub never
    /// closes the alerts of its old category: a SARIF driver named `Trivy` or `ZAP` beside
    /// ScanGate's own `trivy` and `zap` leaves theirs as they are, and has one of its own, alone
    /// or not (a name that is not its own slug always carries its hash: a review found `Trivy`
    /// moving from `trivy/` to `trivy-…/` when a Trivy JSON report was added).
    @Test func aRunsCategoryDoesNotDependOnTheOtherTools() throws {
        func categories(_ tools: [String]) throws -> [String: String] {
            let findings = tools.map { Support.finding(tool: $0, id: "R1", severity: .high, key: $0) }
            let output = SARIFWriter.write(
                FindingSet(merging: findings), options: SARIFOptions(tools: tools.map { SARIFTool(name: $0) }))
            var byTool: [String: String] = [:]
            for run in try Support.runs(output.bytes) {
                byTool[Support.driverName(run)] = (run["automationDetails"] as? [String: Any])?["id"] as? String
            }
            return byTool
        }
        let alone = try categories(["trivy", "zap", "CodeQL"])
        let crowded = try categories(["Trivy", "trivy", "ZAP", "Zap", "zap", "CodeQL"])
        #expect(alone == ["trivy": "scangate/trivy/", "zap": "scangate/zap/", "CodeQL": "scangate/codeql-82751318/"])
        for tool in ["trivy", "zap", "CodeQL"] { #expect(crowded[tool] == alone[tool], "\(tool)") }
        for tool in ["Trivy", "ZAP", "Zap"] { #expect(crowded[tool] == (try categories([tool]))[tool], "\(tool)") }
        // Told apart by their name's hash, not by a counter that the other names would change.
        #expect(crowded["Trivy"] == (try categories(["Trivy", "trivy"]))["Trivy"])
        #expect(crowded["ZAP"] == (try categories(["ZAP", "zap"]))["ZAP"])
        #expect(Set(crowded.values).count == crowded.count)
        #expect(crowded["Trivy"]?.hasPrefix("scangate/trivy-") == true && crowded["Trivy"]?.count == 24)
    }

    /// A tool's slug: lower case, letters, digits, `.`, `_` and `-`, one `-` for a run of
    /// others, no `-` or `.` leading, no `-` trailing. A name of millions of dots is trimmed in
    /// one step (one character at a time, it took minutes; found by fuzzing).
    @Test(.timeLimit(.minutes(1))) func toolNamesAreSluggedWhateverTheirLength() {
        #expect(RunPlan.slugged("-.-Trivy  Scanner--") == "trivy-scanner")
        #expect(RunPlan.slugged("..") == "tool")
        #expect(RunPlan.slugged("OWASP ZAP 2.16") == "owasp-zap-2.16")
        #expect(
            RunPlan.slugged(
                String(repeating: ".", count: 3_000_000) + "Semgrep" + String(repeating: "-", count: 1_000))
                == "semgrep")
    }

    /// Reports of one tool from different versions, in either order, give the same file: the
    /// driver's version is the highest.
    @Test func theDriverVersionDoesNotDependOnTheReportOrder() throws {
        let finding = Support.finding(tool: "trivy", id: "R1", severity: .high)
        let versions = ["0.58.1", "dev", "0.9.2"]
        let outputs = [versions, versions.reversed()].map { order in
            SARIFWriter.write(
                FindingSet(merging: [finding]),
                options: SARIFOptions(tools: order.map { SARIFTool(name: "trivy", version: $0) })
            ).bytes
        }
        #expect(outputs[0] == outputs[1])
        let run = try #require(try Support.runs(outputs[0]).first)
        #expect(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["version"] as? String == "0.58.1")
    }

    /// The runs of `urls` read together, merged each tool apart as the commands write SARIF, by driver name.
    static func runsByTool(_ urls: [URL]) throws -> [String: NSDictionary] {
        var findings: [Finding] = []
        var tools: [SARIFTool] = []
        for url in urls {
            let report = try ReportReader().read(path: url.path)
            findings += report.findings
            tools.append(SARIFTool(name: report.tool, version: report.toolVersion))
        }
        let output = SARIFWriter.write(
            FindingSet(mergingEachToolApart: findings), options: SARIFOptions(category: "ci", tools: tools))
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)
        var runs: [String: NSDictionary] = [:]
        for run in try Support.runs(output.bytes) { runs[Support.driverName(run)] = run as NSDictionary }
        return runs
    }

    /// GitHub keys an alert on its run, rule id and fingerprints: each tool's run is what that
    /// tool alone reports, byte for byte, whatever else is uploaded. A finding npm audit and
    /// Trivy both report keeps npm audit's GHSA rule in its run (not the CVE Trivy makes it); one
    /// Trivy's VEX suppressed is not reopened in Trivy's run because npm audit has it; one Trivy
    /// links to two npm advisories stays two results in npm audit's run; and npm audit's result
    /// stays in its own lock file when Trivy finds the package in another.
    @Test func eachToolsRunIsWhatThatToolAloneReports() throws {
        let across = Support.fixture("sarif-writer/across-tools")
        var pairs: [(URL, URL)] = [
            (Support.fixture("examples/npm-audit.json"), Support.fixture("examples/trivy-fs.json")),
            (across.appendingPathComponent("npm7-lodash2.json"), across.appendingPathComponent("trivy-bridge.json")),
            (Support.fixture("examples/npm-audit.json"), across.appendingPathComponent("trivy-frontend.json")),
        ]
        let corpus = Support.repositoryRoot.deletingLastPathComponent().appendingPathComponent(
            "shared/corpus/trivy/trivy__npm-with-suppressed.json")
        if FileManager.default.fileExists(atPath: corpus.path) {
            pairs.append((across.appendingPathComponent("npm6-debug.json"), corpus))
        }
        for (npm, trivy) in pairs {
            let together = try Self.runsByTool([npm, trivy])
            for alone in [npm, trivy] {
                for (tool, run) in try Self.runsByTool([alone]) {
                    #expect(together[tool] == run, "\(tool) of \(alone.lastPathComponent) beside the other")
                }
            }
        }
        let npmRun = try #require(try Self.runsByTool([pairs[0].0, pairs[0].1])["npm-audit"] as? [String: Any])
        #expect(Support.results(npmRun).allSatisfy { ($0["ruleId"] as? String)?.hasPrefix("GHSA-") == true })
        // The gate and reports see them merged across tools, as one finding.
        let loaded = try Self.examples()
        #expect(loaded.set.all.contains { Set($0.provenance.map(\.tool)) == ["trivy", "npm-audit"] })
    }

    @Test func sameInputGivesByteIdenticalOutput() throws {
        let first = try Self.examples()
        let second = try Self.examples()
        let project = Support.fixture("sarif-writer/project").path
        let options = { (tools: [SARIFTool]) in
            SARIFOptions(category: "ci", sourceRoot: project, dockerfile: "Dockerfile", tools: tools)
        }
        let one = SARIFWriter.write(first.set, options: options(first.tools)).bytes
        let two = SARIFWriter.write(second.set, options: options(second.tools)).bytes
        #expect(one == two)
        // Input order does not matter either.
        let reversed = FindingSet(merging: first.set.all.reversed())
        #expect(SARIFWriter.write(reversed, options: options(first.tools)).bytes == one)
    }

    @Test func noArtifactURIIsAURLOrAnImageReference() throws {
        let loaded = try Self.examples()
        let image = ImageReference(parsing: "ghcr.io/acme/api:1.4@sha256:abcd")
        let imageFinding = Finding(
            kind: .vulnerability, ruleID: "CVE-2023-0001", title: "openssl flaw",
            ratings: [SeverityRating(source: "trivy", severity: .critical, isToolVerdict: true)],
            package: Package(ecosystem: "debian", name: "openssl", installedVersion: "3.0.1"),
            locations: [Location(image: image, target: "ghcr.io/acme/api:1.4 (debian 12)")],
            provenance: [Provenance(tool: "trivy", reportFile: "image.json", rawID: "CVE-2023-0001")],
            identity: FindingIdentity(
                kind: .vulnerability, scope: FindingIdentity.imageScope(image), subject: ["debian", "openssl", "3.0.1"])
        ).finalized()
        let web = Finding(
            kind: .webAlert, ruleID: "40012", title: "XSS",
            ratings: [SeverityRating(source: "zap", severity: .high, isToolVerdict: true)],
            locations: [Location(url: "http://localhost:8080/a/../b c", method: "POST", parameter: "q")],
            instances: [WebInstance(uri: "http://localhost:8080/a/../b c?q=1", method: "POST", evidence: "<script>")],
            provenance: [Provenance(tool: "zap", reportFile: "zap.xml", rawID: "40012")],
            identity: FindingIdentity(
                kind: .webAlert, scope: "site:http://localhost:8080", subject: ["u", "POST", "q"])
        ).finalized()
        let set = FindingSet(merging: loaded.set.all + [imageFinding, web])
        let output = SARIFWriter.write(set, options: SARIFOptions(tools: loaded.tools))
        var uris: [String] = []
        for run in try Support.runs(output.bytes) {
            for result in Support.results(run) {
                for location in result["locations"] as? [[String: Any]] ?? [] {
                    let physical = location["physicalLocation"] as? [String: Any]
                    uris.append((physical?["artifactLocation"] as? [String: Any])?["uri"] as? String ?? "")
                }
            }
        }
        #expect(uris.contains(".scangate/images/ghcr.io/acme/api"))
        #expect(uris.contains(".scangate/web/localhost_8080/a/_../b%20c"))
        #expect(uris.contains(".scangate/web/staging.example.test/login"))
        for uri in uris {
            #expect(SARIFValidator.uriProblem(uri) == nil, "\(uri)")
            #expect(!uri.contains("://") && !uri.isEmpty, "\(uri)")
        }
        let text = String(decoding: output.bytes, as: UTF8.self)
        #expect(text.contains("Image ghcr.io/acme/api:1.4@sha256:abcd"))
        #expect(text.contains("Instance: POST http://localhost:8080/a/../b c?q=1; evidence: <script>"))
    }

    /// A SARIF rule id is tool text a pull request can choose: with a line break in it, the code
    /// span it was written in ended at the blank line and the rest was Markdown GitHub renders on
    /// the alert (a remote image, a heading). Tool text is escaped where a line starts too: a
    /// description's `---` made the line above it a heading (found by a review).
    @Test func ruleIDsAndDescriptionsCannotWriteMarkdownStructure() throws {
        let ruleID = "R1\n\n<img src=\"https://evil.example/pixel.png\">\n\n# Approved by @security-team"
        let finding = Finding(
            kind: .codeIssue, ruleID: ruleID, title: "title",
            description: "desc line\n---\n  + plus\n- item\n12. twelve\n2024.1 release\n===\n~~~",
            ratings: [SeverityRating(source: "tool", severity: .high, isToolVerdict: true)],
            locations: [Location(path: "src/app.js", startLine: 3)],
            provenance: [Provenance(tool: "tool", reportFile: "r.sarif", rawID: ruleID)],
            identity: FindingIdentity(kind: .codeIssue, scope: "source", subject: ["tool", "src/app.js", "3"])
        ).finalized()
        let output = SARIFWriter.write(
            FindingSet(merging: [finding]), options: SARIFOptions(tools: [SARIFTool(name: "tool", version: nil)]))
        let run = try #require(try Support.runs(output.bytes).first)
        let rule = try #require(Support.rules(of: run)?.first)
        let help = try #require(rule["help"] as? [String: String])
        let markdown = try #require(help["markdown"])
        #expect(
            markdown.hasPrefix(
                "**title** (R1 \\<img src=\"https://evil.example/pixel.png\"\\> \\# Approved by @security-team)\n\n"),
            "\(markdown)")
        #expect(
            markdown.contains(
                "desc line\n\\---\n  \\+ plus\n\\- item\n12\\. twelve\n2024\\.1 release\n\\===\n\\~~~\n"),
            "\(markdown)")
        // The plain text keeps the tool's text as it is.
        #expect(help["text"]?.hasPrefix("title (\(ruleID))\n\n") == true)
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)
    }

    /// What a report lists as references or names a rule is tool text: only a plain http(s)
    /// URL becomes a link, a backtick in a rule id cannot end its code span, and a blank title
    /// or description (GitHub refuses empty texts) gives way to the rule id.
    @Test func hostileReferencesRuleIDsAndBlankTitlesStayText() throws {
        let ruleID = "x`<img src=y>`"
        let finding = Finding(
            kind: .codeIssue, ruleID: ruleID, title: "  ", description: " ",
            ratings: [SeverityRating(source: "tool", severity: .high, isToolVerdict: true)],
            locations: [Location(path: "src/app.js", startLine: 3)],
            references: ["javascript:alert(1)", "<img src=https://evil.example/t.gif>", "https://ok.example/a"],
            provenance: [Provenance(tool: "tool", reportFile: "r.sarif", rawID: ruleID)],
            identity: FindingIdentity(kind: .codeIssue, scope: "source", subject: ["tool", "src/app.js", "3"])
        ).finalized()
        let output = SARIFWriter.write(
            FindingSet(merging: [finding]), options: SARIFOptions(tools: [SARIFTool(name: "tool", version: nil)]))
        let run = try #require(try Support.runs(output.bytes).first)
        let rule = try #require(Support.rules(of: run)?.first)
        let markdown = try #require((rule["help"] as? [String: String])?["markdown"])
        #expect(markdown.hasPrefix("**x\\`\\<img src=y\\>\\`** (x\\`\\<img src=y\\>\\`)\n\n"))
        #expect(markdown.contains("\n- javascript:alert(1)\n"))
        #expect(markdown.contains("\n- \\<img src=https://evil.example/t.gif\\>\n"))
        #expect(markdown.contains("\n- <https://ok.example/a>\n"))
        #expect((rule["shortDescription"] as? [String: String])?["text"] == ruleID)
        #expect((rule["fullDescription"] as? [String: String])?["text"] == ruleID)
        let message = (Support.results(run).first?["message"] as? [String: String])?["text"] ?? ""
        #expect(message.hasPrefix(ruleID))
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)
    }

    @Test func ruleHelpShowsToolTextLiterallyInMarkdownAndAsIsInText() throws {
        let description = "Crafted <img> in *bold_name* [link](x) # | `code` \\ é€ ünïcode*́ line\nnext"
        let finding = Finding(
            kind: .vulnerability, ruleID: "CVE-2024-0002", title: "Heap *overflow* in_parser",
            description: description,
            ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: "left_pad", installedVersion: "1.0.0", fixedVersions: ["1.0.1"]),
            references: ["https://example.test/advisory"],
            provenance: [Provenance(tool: "trivy", reportFile: "r.json", rawID: "CVE-2024-0002")],
            identity: FindingIdentity(kind: .vulnerability, scope: "repo", subject: ["npm", "left_pad", "1.0.0"])
        ).finalized()
        let output = SARIFWriter.write(
            FindingSet(merging: [finding]), options: SARIFOptions(tools: [SARIFTool(name: "trivy", version: nil)]))
        let run = try #require(try Support.runs(output.bytes).first)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
        let help = try #require(rules?.first?["help"] as? [String: String])
        let text = try #require(help["text"])
        let markdown = try #require(help["markdown"])
        #expect(text.hasPrefix("Heap *overflow* in_parser (CVE-2024-0002)\n\n" + description + "\n"))
        #expect(text.contains("\nAffected:\n- Package left_pad 1.0.0 (npm), fixed in 1.0.1\n"))
        #expect(text.contains("\nFix:\nUpgrade left_pad to 1.0.1.\n"))
        #expect(text.hasSuffix("\nReferences:\n- https://example.test/advisory\n"))
        #expect(markdown.hasPrefix("**Heap \\*overflow\\* in\\_parser** (`CVE-2024-0002`)\n\n"))
        // Every special character is escaped, also one a combining mark follows; the rest is kept.
        #expect(
            markdown.contains(
                "Crafted \\<img\\> in \\*bold\\_name\\* \\[link\\](x) \\# \\| \\`code\\` \\\\ é€ ünïcode\\*́ line\nnext")
        )
        #expect(markdown.contains("\n**Affected**\n\n- Package left\\_pad 1.0.0 (npm), fixed in 1.0.1\n"))
        #expect(markdown.hasSuffix("\n**References**\n\n- <https://example.test/advisory>\n"))
    }

    @Test(arguments: [
        // Package paths as the tools write them, and the file the result points at.
        (["services/web/package-lock.json"], "services/web/package-lock.json"),
        (["services/api/Gemfile"], "services/api/Gemfile"),
        (["deploy/lock/yarn.lock/"], "deploy/lock/yarn.lock"),
        (["node_modules/a/node_modules/b"], "package-lock.json"),
        (["node_modules/socket.io"], "package-lock.json"),
        (["packages/web/node_modules/lodash.merge", "node_modules/@types/node.js"], "package-lock.json"),
        (["services/web/node_modules/left-pad/package.json"], "services/web/node_modules/left-pad/package.json"),
        (["app>lodash"], "package-lock.json"),
        (["Node.js"], "package-lock.json"),
        (["config/.env.local"], "config/.env.local"),
    ])
    func packageFindingsPointAtTheManifestTheirPathNames(paths: [String], expected: String) throws {
        let finding = Finding(
            kind: .vulnerability, ruleID: "CVE-2024-0001", title: "A vulnerable package",
            ratings: [SeverityRating(source: "npm-audit", severity: .high, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: "b", installedVersion: "1.0.0", paths: paths),
            provenance: [Provenance(tool: "npm-audit", reportFile: "npm.json", rawID: "1")],
            identity: FindingIdentity(kind: .vulnerability, scope: "source", subject: ["npm", "b", "1.0.0"])
        ).finalized()
        let output = SARIFWriter.write(FindingSet(merging: [finding]), options: SARIFOptions())
        let result = try #require(Support.results(try Support.run(output.bytes)).first)
        #expect(Support.primaryLocation(result).uri == expected)
    }

    @Test func aWorkspacePackageIsFoundAtItsOwnEntryOfTheLockFile() throws {
        let project = try Support.temporaryDirectory("workspace")
        let lock = """
            {
              "lockfileVersion": 3,
              "packages": {
                "packages/web": { "name": "web" },
                "node_modules/socket.io": { "version": "4.7.0" },
                "packages/web/node_modules/socket.io": { "version": "2.1.0" }
              }
            }

            """
        try lock.write(to: project.appendingPathComponent("package-lock.json"), atomically: true, encoding: .utf8)
        let finding = Finding(
            kind: .vulnerability, ruleID: "GHSA-aaaa-bbbb-cccc", title: "socket.io flaw",
            ratings: [SeverityRating(source: "npm-audit", severity: .high, isToolVerdict: true)],
            package: Package(
                ecosystem: "npm", name: "socket.io", installedVersion: "2.1.0",
                paths: ["packages/web/node_modules/socket.io"]),
            provenance: [Provenance(tool: "npm-audit", reportFile: "npm.json", rawID: "1")],
            identity: FindingIdentity(kind: .vulnerability, scope: "source", subject: ["npm", "socket.io", "2.1.0"])
        ).finalized()
        let output = SARIFWriter.write(
            FindingSet(merging: [finding]), options: SARIFOptions(sourceRoot: project.path))
        let result = try #require(Support.results(try Support.run(output.bytes)).first)
        #expect(Support.primaryLocation(result).uri == "package-lock.json")
        #expect(Support.primaryLocation(result).line == 6)
    }

    /// Trivy names the lock file, not which copy of a package: of two locked copies, each
    /// finding points at its installed version's entry. Both pointed at the first copy's line,
    /// where one took the line's hash and the other a made-up one, so a nested copy's alert
    /// changed identity when the top-level copy was upgraded (found by a review).
    @Test func eachLockedCopyOfAPackageHasItsOwnLine() throws {
        let project = try Support.temporaryDirectory("copies")
        let lock = """
            {
              "lockfileVersion": 3,
              "packages": {
                "node_modules/lodash": {
                  "version": "4.17.15",
                  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz"
                },
                "node_modules/express/node_modules/lodash": {
                  "version": "4.17.11"
                }
              }
            }

            """
        try lock.write(to: project.appendingPathComponent("package-lock.json"), atomically: true, encoding: .utf8)
        func copy(_ version: String) -> Finding {
            Finding(
                kind: .vulnerability, ruleID: "CVE-2021-23337", title: "lodash flaw",
                ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
                package: Package(
                    ecosystem: "npm", name: "lodash", installedVersion: version, paths: ["package-lock.json"]),
                locations: [Location(target: "package-lock.json", path: "package-lock.json")],
                provenance: [Provenance(tool: "trivy", reportFile: "trivy.json", rawID: "CVE-2021-23337")],
                identity: FindingIdentity(kind: .vulnerability, scope: "source", subject: ["npm", "lodash", version])
            ).finalized()
        }
        func lineAndHash(_ findings: [Finding]) throws -> [String: String] {
            let output = SARIFWriter.write(
                FindingSet(merging: findings), options: SARIFOptions(sourceRoot: project.path))
            var byVersion: [String: String] = [:]
            for result in Support.results(try Support.run(output.bytes)) {
                let text = (result["message"] as? [String: Any])?["text"] as? String ?? ""
                let version = text.contains("4.17.11") ? "4.17.11" : "4.17.15"
                let hash = Support.fingerprints(result)["primaryLocationLineHash"] ?? ""
                byVersion[version] = "\(Support.primaryLocation(result).line) \(hash)"
            }
            return byVersion
        }
        let both = try lineAndHash([copy("4.17.15"), copy("4.17.11")])
        #expect(both["4.17.15"] == "4 " + (LineHash.hash(of: lock, line: 4) ?? "none"), "\(both)")
        #expect(both["4.17.11"] == "8 " + (LineHash.hash(of: lock, line: 8) ?? "none"), "\(both)")
        #expect(try lineAndHash([copy("4.17.11")])["4.17.11"] == both["4.17.11"])
    }

    /// A file whose name holds `%41` is hashed as that file, not as `pctA.txt` (its name was
    /// decoded once more before reading; found by a review).
    @Test func aFileNameWithAPercentSignIsHashedAsItself() throws {
        let project = try Support.temporaryDirectory("percent")
        try "first line\n".write(to: project.appendingPathComponent("pct%41.txt"), atomically: true, encoding: .utf8)
        try "other text\n".write(to: project.appendingPathComponent("pctA.txt"), atomically: true, encoding: .utf8)
        let finding = Support.finding(tool: "t", id: "R", severity: .high, path: "pct%41.txt", line: 1)
        let output = SARIFWriter.write(FindingSet(merging: [finding]), options: SARIFOptions(sourceRoot: project.path))
        let result = try #require(Support.results(try Support.run(output.bytes)).first)
        #expect(Support.primaryLocation(result).uri == "pct%2541.txt")
        #expect(Support.fingerprints(result)["primaryLocationLineHash"] == LineHash.hash(of: "first line\n", line: 1))
    }

    /// A rule id with `..` segments names no path outside `.scangate/` in a finding's made-up
    /// location (GitHub flags `..` in a URI; found by a review).
    @Test func aRuleIDCannotClimbOutOfTheMadeUpPath() throws {
        let finding = Finding(
            kind: .codeIssue, ruleID: "a/../../../etc/passwd", title: "odd rule",
            ratings: [SeverityRating(source: "t", severity: .high, isToolVerdict: true)],
            provenance: [Provenance(tool: "t", reportFile: "t.sarif", rawID: "a/../../../etc/passwd")],
            identity: FindingIdentity(kind: .codeIssue, scope: "source", subject: ["t"])
        ).finalized()
        let output = SARIFWriter.write(FindingSet(merging: [finding]), options: SARIFOptions())
        let result = try #require(Support.results(try Support.run(output.bytes)).first)
        #expect(Support.primaryLocation(result).uri == ".scangate/findings/code-issue/a/_../_../_../etc/passwd")
        #expect(SARIFValidator.validate(output.bytes).problems.isEmpty)
    }

    @Test func packageFindingsPointAtTheirLineInTheLockFile() throws {
        let loaded = try Self.examples()
        let project = Support.fixture("sarif-writer/project").path
        let output = SARIFWriter.write(
            loaded.set,
            options: SARIFOptions(sourceRoot: project, dockerfile: "Dockerfile", tools: loaded.tools))
        let lockText = try String(contentsOfFile: project + "/package-lock.json", encoding: .utf8)
        let lockLines = lockText.split(separator: "\n", omittingEmptySubsequences: false)
        var checked = 0
        for run in try Support.runs(output.bytes) where Support.driverName(run) == "trivy" {
            for result in Support.results(run) {
                let location = Support.primaryLocation(result)
                let hash = Support.fingerprints(result)["primaryLocationLineHash"]
                switch result["ruleId"] as? String {
                case "CVE-2021-44906":
                    #expect(location.uri == "package-lock.json")
                    #expect(lockLines[location.line - 1].contains("\"node_modules/minimist\""))
                    #expect(hash == LineHash.hash(of: lockText, line: location.line))
                    checked += 1
                case "aws-access-key-id":
                    #expect(location.uri == "config/settings.env" && location.line == 3)
                    let env = try String(contentsOfFile: project + "/config/settings.env", encoding: .utf8)
                    #expect(hash == LineHash.hash(of: env, line: 3))
                    checked += 1
                case "DS-0002":
                    #expect(location.uri == "Dockerfile")
                    checked += 1
                default: continue
                }
            }
        }
        #expect(checked == 3)
    }

    @Test func imageFindingsPointAtTheDockerfilesFinalStage() throws {
        let image = ImageReference(parsing: "ghcr.io/acme/api:1.4")
        let findings = ["openssl", "libssl3"].map { name in
            Finding(
                kind: .vulnerability, ruleID: "CVE-2023-0002", title: "flaw",
                ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
                package: Package(ecosystem: "debian", name: name, installedVersion: "1"),
                locations: [Location(image: image)],
                provenance: [Provenance(tool: "trivy", reportFile: "image.json", rawID: "CVE-2023-0002")],
                identity: FindingIdentity(
                    kind: .vulnerability, scope: FindingIdentity.imageScope(image), subject: ["debian", name, "1"])
            ).finalized()
        }
        let project = Support.fixture("sarif-writer/project").path
        let output = SARIFWriter.write(
            FindingSet(merging: findings), options: SARIFOptions(sourceRoot: project, dockerfile: "Dockerfile"))
        let results = Support.results(try Support.run(output.bytes))
        #expect(results.map { Support.primaryLocation($0).uri } == ["Dockerfile", "Dockerfile"])
        #expect(results.map { Support.primaryLocation($0).line } == [6, 6])
        // Two packages with one CVE on one anchor line stay two alerts: distinct line hashes.
        let hashes = results.compactMap { Support.fingerprints($0)["primaryLocationLineHash"] }
        #expect(Set(hashes).count == 2)
    }

    @Test func yarnLockLineMatchesTheInstalledVersion() throws {
        let finding = Finding(
            kind: .vulnerability, ruleID: "CVE-2021-23337", title: "lodash",
            ratings: [SeverityRating(source: "trivy", severity: .high, isToolVerdict: true)],
            package: Package(ecosystem: "npm", name: "lodash", installedVersion: "4.17.15", paths: ["yarn.lock"]),
            locations: [Location(target: "yarn.lock", path: "yarn.lock")],
            provenance: [Provenance(tool: "trivy", reportFile: "fs.json", rawID: "CVE-2021-23337")],
            identity: FindingIdentity(kind: .vulnerability, scope: "source", subject: ["npm", "lodash", "4.17.15"])
        ).finalized()
        let project = Support.fixture("sarif-writer/project").path
        let output = SARIFWriter.write(FindingSet(merging: [finding]), options: SARIFOptions(sourceRoot: project))
        let results = Support.results(try Support.run(output.bytes))
        let result = try #require(results.first)
        #expect(Support.primaryLocation(result).uri == "yarn.lock")
        #expect(Support.primaryLocation(result).line == 9)
    }

    /// GitHub code scanning does not read `suppressions`: a suppressed result written for it
    /// became an open alert (found by a review). Left out by default; written on request.
    /// A repository file's `%` is part of its name: `pct%41.txt` was written as is, which GitHub
    /// reads as `pctA.txt`, a file that does not exist (found by a review). A URL's escapes in a
    /// made-up web path stay escapes.
    @Test func aPercentSignInAFileNameIsEncodedAndAURLsEscapesAreKept() throws {
        let file = Support.finding(tool: "semgrep", id: "R1", severity: .high, path: "src/pct%41 b.txt")
        let web = Finding(
            kind: .webAlert, ruleID: "40012", title: "XSS",
            ratings: [SeverityRating(source: "zap", severity: .high, isToolVerdict: true)],
            locations: [Location(url: "https://app.example/a%20b", method: "GET")],
            provenance: [Provenance(tool: "zap", reportFile: "zap.xml", rawID: "40012")],
            identity: FindingIdentity(kind: .webAlert, scope: "site:https://app.example", subject: ["u", "GET", ""])
        ).finalized()
        let output = SARIFWriter.write(FindingSet(merging: [file, web]), options: SARIFOptions())
        var uris: [String] = []
        for run in try Support.runs(output.bytes) {
            uris += Support.results(run).map { Support.primaryLocation($0).uri }
        }
        #expect(uris.sorted() == [".scangate/web/app.example/a%20b", "src/pct%2541%20b.txt"])
    }

    @Test func suppressedFindingsAreLeftOutUnlessAskedFor() throws {
        let loaded = try Self.examples()
        let output = SARIFWriter.write(loaded.set, options: SARIFOptions(tools: loaded.tools))
        let zap = try Support.run(output.bytes, named: "zap")
        #expect(Support.results(zap).count == 3)
        #expect(Support.results(zap).allSatisfy { $0["suppressions"] == nil })
        let with = SARIFWriter.write(loaded.set, options: SARIFOptions(tools: loaded.tools, includeSuppressed: true))
        let zapWith = try Support.run(with.bytes, named: "zap")
        let suppressed = Support.results(zapWith).filter { $0["suppressions"] != nil }
        #expect(suppressed.count == 1)
        let suppression = (suppressed.first?["suppressions"] as? [[String: Any]])?.first
        #expect(suppression?["kind"] as? String == "external")
    }

    @Test func securitySeverityFollowsTheResolvedSeverity() throws {
        let findings = [
            Support.finding(tool: "t", id: "R-critical", severity: .critical),
            Support.finding(tool: "t", id: "R-low", severity: .low),
            Support.finding(tool: "t", id: "R-info", severity: .info),
            Support.finding(tool: "t", id: "R-unknown", severity: .unknown),
        ]
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions())
        let run = try Support.run(output.bytes)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        var scores: [String: String] = [:]
        for rule in rules {
            let properties = rule["properties"] as? [String: Any]
            scores[rule["id"] as? String ?? ""] = properties?["security-severity"] as? String ?? "none"
        }
        #expect(scores == ["R-critical": "9.5", "R-low": "2.0", "R-info": "none", "R-unknown": "none"])
        let levels = Support.results(run).map { $0["level"] as? String ?? "" }
        #expect(levels == ["error", "note", "note", "warning"])
    }

    /// A score is rounded to the decimal it is written with before its band is checked: 8.95 is
    /// high by the number but written 9.0, which GitHub shows as critical (found by a review).
    @Test func aScoreIsBandedAsItIsWritten() throws {
        func finding(_ id: String, _ severity: Severity, score: Double) -> Finding {
            Finding(
                kind: .codeIssue, ruleID: id, title: "Problem \(id)",
                ratings: [
                    SeverityRating(source: "t", severity: severity, isToolVerdict: true),
                    SeverityRating(
                        source: "nvd", severity: severity, cvss: [CVSSScore(version: .v3, vector: nil, score: score)]),
                ],
                locations: [Location(path: "src/\(id).js", startLine: 1)],
                provenance: [Provenance(tool: "t", reportFile: "t.sarif", rawID: id)],
                identity: FindingIdentity(kind: .codeIssue, scope: "source", subject: ["t", id])
            ).finalized()
        }
        let findings = [
            finding("H", .high, score: 8.95), finding("M", .medium, score: 6.96), finding("L", .low, score: 3.95),
            finding("K", .high, score: 8.94),
        ]
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions())
        let run = try Support.run(output.bytes)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        var scores: [String: String] = [:]
        for rule in rules {
            scores[rule["id"] as? String ?? ""] =
                (rule["properties"] as? [String: Any])?["security-severity"] as? String ?? "none"
        }
        // Rounded into the next band: the severity's own representative score instead.
        #expect(scores["H"] == "8.0")
        #expect(scores["M"] == "5.5")
        #expect(scores["L"] == "2.0")
        #expect(scores["K"] == "8.9")
        for (id, text) in scores {
            let value = try #require(Double(text))
            let expected: Severity = ["H": .high, "K": .high, "M": .medium, "L": .low][id] ?? .unknown
            #expect(Severity(cvssScore: value) == expected, "\(id): \(text)")
        }
    }

    @Test func aRuleThatLosesResultsToTheCountLimitStillListsWhereTheyWereFound() throws {
        // R is found in three files: two high results are kept, the low one is dropped by the
        // results-per-run limit. R's help still names the third file; Q, kept whole, is as it was.
        let findings = [
            Support.finding(tool: "t", id: "R", severity: .high, path: "src/a.js"),
            Support.finding(tool: "t", id: "R", severity: .high, path: "src/b.js"),
            Support.finding(tool: "t", id: "R", severity: .low, path: "src/dropped.js"),
            Support.finding(tool: "t", id: "Q", severity: .critical, path: "src/q.js"),
        ]
        var limits = SARIFLimits.github
        limits.maximumResultsPerRun = 3
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(output.dropped.map(\.reason) == [.resultsPerRun])
        #expect(output.dropped.map(\.fingerprint) == [findings[2].fingerprint])
        let run = try Support.run(output.bytes)
        #expect(!Support.results(run).contains { Support.fingerprint($0) == findings[2].fingerprint })
        let rules = try #require(Support.rules(of: run))
        func help(_ id: String) throws -> String {
            let rule = try #require(rules.first { $0["id"] as? String == id })
            return try #require((rule["help"] as? [String: String])?["text"])
        }
        #expect(try help("R").contains("src/dropped.js"))
        #expect(try help("R").contains("src/a.js") && help("R").contains("src/b.js"))
        let uncut = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions())
        let uncutRules = try #require(Support.rules(of: try Support.run(uncut.bytes)))
        #expect(NSArray(array: rules).isEqual(to: uncutRules))
    }

    @Test func keepsTheMostSevereResultsWhenARunIsOverGitHubsLimit() throws {
        var findings: [Finding] = []
        for index in 0..<100 {
            findings.append(Support.finding(tool: "big", id: "C", severity: .critical, line: index))
        }
        for index in 0..<24_900 {
            findings.append(Support.finding(tool: "big", id: "M", severity: .medium, key: "m\(index)"))
        }
        for index in 0..<30 { findings.append(Support.finding(tool: "big", id: "L", severity: .low, key: "l\(index)")) }
        let set = FindingSet(merging: findings)
        let output = SARIFWriter.write(set, options: SARIFOptions(pretty: false))
        let results = Support.results(try Support.run(output.bytes))
        #expect(results.count == 25_000)
        #expect(results.count { $0["ruleId"] as? String == "C" } == 100)
        #expect(!results.contains { $0["ruleId"] as? String == "L" })
        #expect(output.dropped.count == 30)
        #expect(output.dropped.allSatisfy { $0.ruleID == "L" && $0.reason == .resultsPerRun && $0.tool == "big" })
        let lowFingerprints = Set(set.all.filter { $0.ruleID == "L" }.map(\.fingerprint))
        #expect(Set(output.dropped.map(\.fingerprint)) == lowFingerprints)
        #expect(
            output.notes.first
                == "run big: 25030 results, GitHub accepts 25000 per run; kept the 25000 most severe, dropped 30 (30 low)"
        )
        #expect(output.notes.contains("run big: 25000 results; GitHub shows only the top 5000 by severity"))
        #expect(SARIFValidator.validate(output.bytes).isAcceptable)

        // The notes name the first 20 dropped results and say where the rest are; the listing
        // names every one, one line each.
        let lines = output.noteLines(whereListed: "all are listed in dropped.txt")
        #expect(lines.count == output.notes.count + 20 + 1)
        #expect(lines.filter { $0.hasPrefix("note: dropped from run big: low L fingerprint ") }.count == 20)
        #expect(lines.last == "note: 10 more dropped results not named here; all are listed in dropped.txt")
        let listing = String(decoding: output.droppedListing, as: UTF8.self)
        #expect(listing.hasSuffix("\n"))
        let listed = listing.split(separator: "\n").map(String.init)
        #expect(listed == output.dropped.map(\.description))
        #expect(
            Set(listed.compactMap { $0.split(separator: " ").dropFirst(7).first.map(String.init) }) == lowFingerprints)
    }

    @Test func keepsTheMostSevereRunsWhenThereAreTooMany() throws {
        var limits = SARIFLimits.github
        limits.maximumRuns = 3
        let findings = [
            Support.finding(tool: "a", id: "A", severity: .low),
            Support.finding(tool: "b", id: "B", severity: .critical),
            Support.finding(tool: "c", id: "C", severity: .medium),
            Support.finding(tool: "d", id: "D", severity: .high),
            Support.finding(tool: "e", id: "E", severity: .info),
        ]
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(try Support.runs(output.bytes).map(Support.driverName) == ["b", "c", "d"])
        #expect(output.dropped.map(\.tool) == ["a", "e"])
        #expect(output.dropped.allSatisfy { $0.reason == .runsPerFile })
        #expect(SARIFValidator.validate(output.bytes, limits: limits).isAcceptable)
    }

    @Test func droppedResultsAreListedMostSevereFirstAcrossTheLimits() throws {
        // Run "z" (info) is left out for the run limit first; the size cut then drops high
        // results of run "a": those come first in the list.
        var findings = (0..<3).map { Support.finding(tool: "z", id: "Z\($0)", severity: .info) }
        for index in 0..<400 {
            let noise = Fingerprint.sha256Hex(Array("\(index)".utf8))
            var finding = Support.finding(
                tool: "a", id: "R\(index)", severity: index < 10 ? .critical : .high, key: noise)
            finding.title = noise + noise
            findings.append(finding)
        }
        var limits = SARIFLimits.github
        limits.maximumRuns = 1
        limits.maximumGzipBytes = 60_000
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(Set(output.dropped.map(\.reason)) == [.runsPerFile, .fileSize])
        #expect(output.dropped.first?.severity == .high)
        #expect(output.dropped.suffix(3).map(\.severity) == [.info, .info, .info])
        #expect(zip(output.dropped, output.dropped.dropFirst()).allSatisfy { $0.severity >= $1.severity })
        #expect(output.noteLines(whereListed: "").dropFirst(output.notes.count).first?.contains(": high R") == true)
    }

    /// 400 findings, the first 50 high, the rest low, with random-looking titles that compress
    /// badly, so a size limit of a few tens of kilobytes bites.
    static func hardToCompressFindings() -> [Finding] {
        (0..<400).map { index in
            let noise = Fingerprint.sha256Hex(Array("\(index)".utf8))
            var finding = Support.finding(tool: "t", id: "R\(index)", severity: index < 50 ? .high : .low, key: noise)
            finding.title = noise + noise
            return finding
        }
    }

    @Test func staysUnderTheGzipLimitByDroppingTheLeastSevere() throws {
        let findings = Self.hardToCompressFindings()
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 60_000
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(output.gzipBytes <= 60_000)
        // Measured as codeql-action compresses (level 6), and what ScanGate's uploader sends fits.
        #expect(try gzip(output.bytes, level: 6).count == output.gzipBytes)
        #expect(try gzipForUpload(output.bytes, limit: 60_000).count <= 60_000)
        // The estimate keeps the file close to the limit: no more is dropped than a few percent.
        #expect(output.gzipBytes >= 54_000)
        #expect(!output.dropped.isEmpty)
        #expect(output.dropped.allSatisfy { $0.reason == .fileSize && $0.severity == .low })
        let results = Support.results(try Support.run(output.bytes))
        #expect(results.count { $0["level"] as? String == "error" } == 50)
        #expect(results.count + output.dropped.count == 400)
        #expect(output.notes.contains { $0.contains("dropped the \(output.dropped.count) least severe results") })
        #expect(SARIFValidator.validate(output.bytes, limits: limits).isAcceptable)
    }

    @Test func aFileLargerThanTheGzipLimitIsWrittenCompactASmallerOneIndented() throws {
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 60_000
        let findings = Self.hardToCompressFindings()
        func lines(_ output: SARIFOutput) -> Int { output.bytes.count { $0 == 0x0A } }
        // Over the limit as it is: compact (one line), cut only for what still does not fit.
        let large = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(large.bytes.count > 60_000)
        #expect(lines(large) == 1 && large.bytes.last == 0x0A)
        #expect(large.dropped.contains { $0.reason == .fileSize })
        // Within it: indented as asked, or compact when asked.
        let small = SARIFWriter.write(
            FindingSet(merging: Array(findings.prefix(20))), options: SARIFOptions(limits: limits))
        #expect(small.bytes.count <= 60_000)
        #expect(lines(small) > 100)
        #expect(small.dropped.isEmpty)
        let asked = SARIFWriter.write(
            FindingSet(merging: Array(findings.prefix(20))), options: SARIFOptions(limits: limits, pretty: false))
        #expect(lines(asked) == 1)
        // The same document either way.
        let indented = try JSONSerialization.jsonObject(with: Data(small.bytes)) as? NSDictionary
        let compact = try JSONSerialization.jsonObject(with: Data(asked.bytes)) as? NSDictionary
        #expect(indented != nil && indented == compact)
    }

    /// GitHub shows a rule's Markdown help, and its plain text repeats the same description and
    /// references: a file near the size limit gives up that repetition (the text keeps the title,
    /// what is affected and the fix) before any result, and says so. A file within the limit
    /// keeps the whole text.
    @Test func aFileNearTheLimitGivesUpThePlainTextHelpBeforeAnyResult() throws {
        var findings = Self.hardToCompressFindings()
        for index in findings.indices {
            findings[index].description = "A description of \(findings[index].ruleID) that the help repeats."
            findings[index].references = ["https://example.test/advisories/\(findings[index].ruleID)"]
        }
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 60_000
        let large = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(large.notes.contains { $0.contains("each rule's plain-text help is brief") }, "\(large.notes)")
        let rules = try #require(Support.rules(of: try Support.run(large.bytes)))
        let help = try #require(rules.first?["help"] as? [String: String])
        let id = try #require(rules.first?["id"] as? String)
        let text = try #require(help["text"])
        let markdown = try #require(help["markdown"])
        #expect(text.contains("(\(id))") && text.contains("Fix:"), "\(text)")
        #expect(!text.contains("A description of") && !text.contains("https://example.test"), "\(text)")
        #expect(markdown.contains("A description of \(id)") && markdown.contains("https://example.test"))
        let small = SARIFWriter.write(
            FindingSet(merging: Array(findings.prefix(20))), options: SARIFOptions(limits: limits))
        #expect(!small.notes.contains { $0.contains("plain-text help is brief") })
        // Over the limit uncompressed, past where a level-1 pass is tried (four times the limit),
        // but text that compresses well: clearly under the limit, the help stays whole.
        let repetitive = (0..<300).map { index in
            var finding = Support.finding(tool: "t", id: "R\(index)", severity: .low, key: "k\(index)")
            finding.description = String(repeating: "The same long description, again and again. ", count: 40)
            return finding
        }
        let compressible = SARIFWriter.write(FindingSet(merging: repetitive), options: SARIFOptions(limits: limits))
        try #require(compressible.bytes.count > 4 * 60_000, "the premise: \(compressible.bytes.count) bytes")
        #expect(compressible.dropped.isEmpty && compressible.gzipBytes <= 60_000, "\(compressible.gzipBytes)")
        #expect(!compressible.notes.contains { $0.contains("plain-text help is brief") }, "\(compressible.notes)")
        let compressibleHelp = try #require(
            Support.rules(of: try Support.run(compressible.bytes))?.first?["help"] as? [String: String])
        #expect(compressibleHelp["text"]?.contains("The same long description") == true)
        // Many short results: expected large enough to be rendered brief from the start, small
        // after all (the diff review caught a first version that kept such a file brief).
        let short = (0..<400).map { index in
            var finding = Support.finding(tool: "t", id: "R\(index % 20)", severity: .low, key: "k\(index)")
            finding.description = "Described at length in the whole help."
            return finding
        }
        let many = SARIFWriter.write(FindingSet(merging: short), options: SARIFOptions(limits: limits))
        try #require(many.bytes.count <= 4 * 60_000, "the premise: small enough for a level-1 pass")
        #expect(!many.notes.contains { $0.contains("plain-text help is brief") }, "\(many.notes)")
        let manyHelp = try #require(
            Support.rules(of: try Support.run(many.bytes))?.first?["help"] as? [String: String])
        #expect(manyHelp["text"]?.contains("Described at length") == true)
        let smallHelp = try #require(
            Support.rules(of: try Support.run(small.bytes))?.first?["help"] as? [String: String])
        #expect(smallHelp["text"]?.contains("A description of") == true)
    }

    @Test func theUploadIsCompressedAtTheLevelTheWriterMeasuredWhenLevel9WouldBeOver() throws {
        // On this compact, digest-heavy file zlib's level 9 comes out larger than level 6, the
        // level the writer fits files with: sent at level 9, a file cut to fit exactly would be
        // refused for a few bytes.
        let output = SARIFWriter.write(
            FindingSet(merging: Self.hardToCompressFindings()), options: SARIFOptions(pretty: false))
        let level6 = try gzip(output.bytes, level: 6)
        let level9 = try gzip(output.bytes, level: 9)
        try #require(level9.count > level6.count, "the fixture no longer shows level 9 larger than level 6")
        #expect(try gzipForUpload(output.bytes, limit: level6.count) == level6)
        #expect(try gzipForUpload(output.bytes, limit: level9.count) == level9)
    }

    @Test func aCutDropsResultsButNoRuleChangesWhatItSays() throws {
        // A rule describes every finding of its run: the packages or files it lists, its level
        // and score stay as the uncut file wrote them when some of its results are dropped for
        // size (the reader still learns where else it was found), and a rule whose results are
        // all dropped goes. The results kept are exactly those the uncut file wrote for them.
        var findings: [Finding] = []
        for index in 0..<600 {
            let rule = index % 40
            let severity: Severity = rule % 3 == 0 ? .high : (rule % 3 == 1 ? .medium : .low)
            let noise = Fingerprint.sha256Hex(Array("\(index)".utf8))
            var finding = Support.finding(
                tool: index % 2 == 0 ? "t" : "u", id: "R\(rule)", severity: severity,
                path: "src/\(noise.prefix(12)).js", key: noise)
            finding.description = noise + noise + noise
            findings.append(finding)
        }
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 40_000
        let cut = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(cut.dropped.contains { $0.reason == .fileSize })
        #expect(cut.dropped.allSatisfy { $0.reason == .fileSize && $0.severity == .low })
        // The size the writer reports is the exact level-6 size, after resuming from kept states.
        #expect(cut.gzipBytes == (try gzipCompressedSize(cut.bytes, level: 6)))
        #expect(cut.gzipBytes <= 40_000)
        var options = SARIFOptions()
        options.pretty = false  // compact, as the cut file is written
        options.briefRuleHelp = true  // and with its brief plain-text help
        let uncut = SARIFWriter.write(FindingSet(merging: findings), options: options)
        #expect(uncut.dropped.isEmpty)

        let cutRuns = try Support.runs(cut.bytes)
        let uncutRuns = try Support.runs(uncut.bytes)
        try #require(cutRuns.count == 2 && uncutRuns.count == 2)
        var partlyDropped = 0
        for (cutRun, uncutRun) in zip(cutRuns, uncutRuns) {
            let cutRules = try #require(Support.rules(of: cutRun))
            let uncutRules = try #require(Support.rules(of: uncutRun))
            let cutResults = try #require(cutRun["results"] as? [[String: Any]])
            let uncutResults = try #require(uncutRun["results"] as? [[String: Any]])
            let keptIDs = Set(cutResults.compactMap { $0["ruleId"] as? String })
            // Every kept rule exactly as the uncut file wrote it, in the same order; no other.
            let expectedRules = uncutRules.filter { keptIDs.contains($0["id"] as? String ?? "") }
            #expect(NSArray(array: cutRules).isEqual(to: expectedRules))
            #expect(cutRules.count < uncutRules.count)
            // Kept results as the uncut file wrote them, pointing at their rule.
            let keptFingerprints = Set(cutResults.compactMap(Support.fingerprint))
            var expectedResults = uncutResults.filter { keptFingerprints.contains(Support.fingerprint($0) ?? "") }
            for index in expectedResults.indices {
                let ruleID = expectedResults[index]["ruleId"] as? String
                expectedResults[index]["ruleIndex"] = cutRules.firstIndex { $0["id"] as? String == ruleID }
            }
            #expect(NSArray(array: cutResults).isEqual(to: expectedResults))
            // A rule that lost some results still lists where they were found.
            let droppedHere = cut.dropped.filter { drop in keptIDs.contains(drop.ruleID) }
            for drop in droppedHere {
                let finding = try #require(findings.first { $0.fingerprint == drop.fingerprint })
                let path = try #require(finding.locations.first?.path)
                let rule = try #require(cutRules.first { $0["id"] as? String == drop.ruleID })
                let help = try #require(rule["help"] as? [String: String])
                #expect(help["text"]?.contains(path) == true, "\(drop.ruleID) no longer lists \(path)")
                partlyDropped += 1
            }
        }
        #expect(partlyDropped > 0, "no rule lost only part of its results: the fixture no longer tests that")
    }

    /// Results of one rule sharing a line's hash each get a hash of their own, derived from
    /// their fingerprint, whichever others are there: GitHub's hash went to the first in order,
    /// and with that one fixed, to another finding, which then took over its alert (and its
    /// dismissal; found by a review). A result alone on its line gets GitHub's hash.
    @Test func resultsSharingALineHashEachKeepTheirOwnWhateverOthersAreThere() throws {
        let project = try Support.temporaryDirectory("shared-line")
        try FileManager.default.createDirectory(
            at: project.appendingPathComponent("src"), withIntermediateDirectories: true)
        try "const a = 1;\nconst b = 2;\n".write(
            to: project.appendingPathComponent("src/app.js"), atomically: true, encoding: .utf8)
        let onLine = (0..<3).map { Support.finding(tool: "t", id: "R1", severity: .high, line: 1, key: "k\($0)") }
        func hashes(_ findings: [Finding]) throws -> [String: String] {
            let output = SARIFWriter.write(
                FindingSet(merging: findings), options: SARIFOptions(sourceRoot: project.path))
            var byFingerprint: [String: String] = [:]
            for result in Support.results(try Support.run(output.bytes)) {
                byFingerprint[Support.fingerprint(result) ?? ""] =
                    Support.fingerprints(result)["primaryLocationLineHash"]
            }
            return byFingerprint
        }
        let all = try hashes(onLine)
        #expect(Set(all.values).count == 3)
        for removed in onLine.indices {
            let others = try hashes(onLine.enumerated().filter { $0.offset != removed }.map(\.element))
            for (fingerprint, hash) in others { #expect(all[fingerprint] == hash, "removing \(removed)") }
        }
        let alone = try hashes([onLine[0]])
        let real = try #require(alone[onLine[0].fingerprint])
        #expect(!all.values.contains(real))
        #expect(try hashes([onLine[1]])[onLine[1].fingerprint] == real)
    }

    @Test func theResultsOfACutFileAreThoseOfAFileOfTheKeptFindingsAlone() throws {
        // Two things in a result depend on the others: its rule's index (a rule used only by
        // dropped results goes, and the rules after it move up) and its line hash (a result alone
        // on its line gets the line's hash, two on one line each a hash of their own). Suppressed findings are
        // dropped before open ones wherever they sort, so a cut that drops two suppressed ones
        // changes both for results it keeps.
        let project = try Support.temporaryDirectory("cut-results")
        let lines = (0..<40).map { "const line\($0) = \"\(Fingerprint.sha256Hex(Array("\($0)".utf8)))\";" }
        try FileManager.default.createDirectory(
            at: project.appendingPathComponent("src"), withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(
            to: project.appendingPathComponent("src/app.js"), atomically: true, encoding: .utf8)
        func suppressed(_ finding: Finding) -> Finding {
            var copy = finding
            copy.suppression = Suppression(source: ".trivyignore", status: "ignored")
            return copy
        }
        // The suppressed one sorts first on its line (ties are ordered by fingerprint).
        let (firstOnLine, secondOnLine) = try #require(
            (0..<50).lazy.map { attempt -> (Finding, Finding) in
                (
                    Support.finding(tool: "t", id: "R-shared", severity: .critical, line: 3, key: "a\(attempt)"),
                    Support.finding(tool: "t", id: "R-shared", severity: .critical, line: 3, key: "b\(attempt)")
                )
            }
            .first { FindingSet.displayOrder($0.0, $0.1) })
        var findings = [
            suppressed(Support.finding(tool: "t", id: "S-only", severity: .high, line: 1, key: "s")),
            suppressed(firstOnLine), secondOnLine,
        ]
        for index in 0..<300 {
            let noise = Fingerprint.sha256Hex(Array("\(index)".utf8))
            var finding = Support.finding(
                tool: "t", id: "L\(index % 30)", severity: .low, line: 5 + index % 30, key: noise)
            finding.title = noise + noise
            findings.append(finding)
        }
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 25_000
        let cut = SARIFWriter.write(
            FindingSet(merging: findings),
            options: SARIFOptions(sourceRoot: project.path, includeSuppressed: true, limits: limits))
        let droppedFingerprints = Set(cut.dropped.map(\.fingerprint))
        try #require(droppedFingerprints.isSuperset(of: [findings[0].fingerprint, findings[1].fingerprint]))
        try #require(!droppedFingerprints.contains(secondOnLine.fingerprint))

        var options = SARIFOptions(sourceRoot: project.path, includeSuppressed: true)
        options.pretty = false
        let kept = findings.filter { !droppedFingerprints.contains($0.fingerprint) }
        let alone = SARIFWriter.write(FindingSet(merging: kept), options: options)
        #expect(alone.dropped.isEmpty)
        let cutResults = Support.results(try Support.run(cut.bytes))
        let aloneResults = Support.results(try Support.run(alone.bytes))
        #expect(cutResults.count == kept.count)
        #expect(NSArray(array: cutResults).isEqual(to: aloneResults))
        // The fixture does what it says: uncut, the open result on the shared line has another
        // line hash (same rule, the first), and the low results come after one more rule.
        let uncut = SARIFWriter.write(FindingSet(merging: findings), options: options)
        func sharedResult(_ output: SARIFOutput) throws -> [String: Any] {
            try #require(
                Support.results(try Support.run(output.bytes)).first {
                    Support.fingerprint($0) == secondOnLine.fingerprint
                })
        }
        let before = try sharedResult(uncut)
        let after = try sharedResult(cut)
        #expect(before["ruleIndex"] as? Int == 0 && after["ruleIndex"] as? Int == 0)
        let hashBefore = Support.fingerprints(before)["primaryLocationLineHash"]
        let hashAfter = Support.fingerprints(after)["primaryLocationLineHash"]
        #expect(hashBefore != nil && hashAfter != nil && hashBefore != hashAfter)
        let lowAfter = try #require(cutResults.last)
        let lowBefore = try #require(
            Support.results(try Support.run(uncut.bytes)).first {
                Support.fingerprint($0) == Support.fingerprint(lowAfter)
            })
        #expect((lowBefore["ruleIndex"] as? Int).map { $0 - 1 } == lowAfter["ruleIndex"] as? Int)
    }

    @Test func aLargeFileIsCutCloseToTheLimitFromSampledRatios() throws {
        // Rules and results sections over 4 MiB, so the ratios come from sampled slices: the cut
        // file must fit and keep nearly everything that fits (within a few percent of the limit).
        var findings: [Finding] = []
        for index in 0..<2_400 {
            let noise = Fingerprint.sha256Hex(Array("large-\(index)".utf8))
            var finding = Support.finding(
                tool: "t", id: "R\(index)", severity: index < 1_200 ? .high : .low, path: "src/\(index).js",
                key: noise)
            // Hex digests compress about 2:1, like the prose of real advisories.
            finding.description = (0..<12).map { Fingerprint.sha256Hex(Array("\(index)-\($0)".utf8)) }
                .joined(separator: " ")
            findings.append(finding)
        }
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 1_000_000
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(output.bytes.count > 4 * 1_048_576)
        #expect(output.gzipBytes <= 1_000_000)
        #expect(output.gzipBytes >= 900_000, "dropped more than the estimate's margin needs")
        #expect(try gzip(output.bytes, level: 6).count == output.gzipBytes)
        #expect(output.dropped.allSatisfy { $0.reason == .fileSize && $0.severity == .low })
        #expect(SARIFValidator.validate(output.bytes, limits: limits).isAcceptable)
    }

    @Test func aFileWellWithinTheLimitIsCheckedAgainstAnUpperBound() throws {
        // Larger than the limit uncompressed, far below it compressed: nothing is dropped, and the
        // size checked (a level-1 or zlib-bound figure, cheaper than level 6) is never below the
        // exact level-6 size GitHub's upload path produces.
        let findings = (0..<300).map { index in
            var finding = Support.finding(tool: "t", id: "R\(index)", severity: .medium, path: "src/\(index).js")
            finding.description = String(repeating: "The same advisory text, over and over. ", count: 40)
            return finding
        }
        var limits = SARIFLimits.github
        limits.maximumGzipBytes = 200_000
        let output = SARIFWriter.write(FindingSet(merging: findings), options: SARIFOptions(limits: limits))
        #expect(output.bytes.count > 200_000)
        #expect(output.dropped.isEmpty)
        let exact = try gzip(output.bytes, level: 6).count
        #expect(output.gzipBytes >= exact)
        #expect(output.gzipBytes <= 180_000)
        #expect(SARIFValidator.validate(output.bytes, limits: limits, knownGzipBytes: output.gzipBytes).isAcceptable)
        // A file smaller than the limit is known to fit from zlib's bound alone.
        let small = SARIFWriter.write(FindingSet(merging: Array(findings.prefix(3))), options: SARIFOptions())
        #expect(small.gzipBytes >= small.bytes.count)
        #expect(small.gzipBytes <= SARIFLimits.github.maximumGzipBytes)
    }

    @Test func emptyInputStillGivesAnUploadableFile() throws {
        let output = SARIFWriter.write(
            FindingSet(merging: []), options: SARIFOptions(tools: [SARIFTool(name: "npm-audit", version: nil)]))
        let runs = try Support.runs(output.bytes)
        #expect(runs.map(Support.driverName) == ["npm-audit"])
        #expect(Support.results(runs[0]).isEmpty)
        let nothing = SARIFWriter.write(FindingSet(merging: []), options: SARIFOptions())
        #expect(try Support.runs(nothing.bytes).count == 1)
    }
}
