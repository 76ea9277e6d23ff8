import Adapters
import Findings
import Testing

/// The constructed pair in fixtures/examples: a Trivy filesystem scan and npm audit of the
/// same project.
@Suite("Merging across tools")
struct MergeAcrossToolsTests {
    @Test func trivyAndNpmAuditFindingsOfTheSamePackageVersionMerge() throws {
        let trivy = try Corpus.parse(Corpus.fixture("examples/trivy-fs.json"))
        let npm = try Corpus.parse(Corpus.fixture("examples/npm-audit.json"))
        let set = FindingSet(merging: trivy.findings + npm.findings)

        let lodash = set.all.filter { $0.package?.name == "lodash" }
        #expect(lodash.count == 1)
        let merged = try #require(lodash.first)
        #expect(merged.ruleID == "CVE-2021-23337")
        #expect(merged.aliases.contains("GHSA-35jh-r3h4-6jhm"))
        #expect(Set(merged.provenance.map(\.tool)) == ["trivy", "npm-audit"])
        #expect(merged.package?.installedVersion == "4.17.15")
        #expect(merged.ratings.contains { $0.source == "npm-audit" && $0.isToolVerdict })
        #expect(merged.ratings.contains { $0.source == "trivy" && $0.isToolVerdict })

        // The same CVE in another package stays its own finding, from Trivy alone.
        let lodashES = set.all.filter { $0.package?.name == "lodash-es" }
        #expect(lodashES.count == 1)
        #expect(lodashES.first?.provenance.map(\.tool) == ["trivy"])
        #expect(lodashES.first?.fingerprint != merged.fingerprint)

        // qs only npm audit reported; minimist only Trivy.
        #expect(set.all.filter { $0.package?.name == "qs" }.count == 1)
        #expect(set.all.filter { $0.package?.name == "minimist" }.count == 1)
        #expect(set.all.count == trivy.findings.count + npm.findings.count - 1)
    }
}

@Suite("Reading several reports")
struct ReadingSeveralReportsTests {
    /// Several reports are read at once (one per core); each outcome must still belong to its
    /// path, in order, and equal what reading that path alone gives.
    @Test func outcomesKeepThePathOrderAndMatchSingleReads() throws {
        let paths = [
            "examples/zap-report.xml", "hostile/truncated-trivy.json", "examples/trivy-fs.json",
            "hostile/xxe.xml", "examples/npm-audit.json", "hostile/empty.json",
        ].map { Corpus.fixture($0).path }
        let reader = ReportReader()
        for order in [paths, paths.reversed()] {
            let outcomes = reader.read(paths: order)
            #expect(outcomes.count == order.count)
            for (path, outcome) in zip(order, outcomes) {
                switch (outcome, Result { () throws(ReportError) in try reader.read(path: path) }) {
                case (.success(let together), .success(let alone)):
                    #expect(together.source == path)
                    #expect(together.findings == alone.findings)
                case (.failure(let together), .failure(let alone)):
                    #expect(together == alone)
                    #expect(together.file == path)
                default:
                    Issue.record("\(path): read together and alone disagree")
                }
            }
        }
    }
}
