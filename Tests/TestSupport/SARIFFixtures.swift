import Foundation

/// SARIF reports built for tests that need more results than a fixture file should hold.
public enum SARIFFixtures {
    /// Writes `big.sarif` into `directory`: one tool (`bigtool`) with 25,000 error results (rule
    /// `R-error`) and `lowCount` note results (rule `R-note`), each in its own file so that none
    /// merge. 25,000 is GitHub's limit per run, so exactly the `lowCount` notes are dropped.
    public static func overTheRunLimit(lowCount: Int, in directory: URL) throws -> URL {
        var results: [String] = []
        for index in 0..<(25_000 + lowCount) {
            let level = index < 25_000 ? "error" : "note"
            results.append(
                #"{"ruleId":"R-\#(level)","level":"\#(level)","message":{"text":"m"},"#
                    + #""locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/f\#(index).js"}}}]}"#)
        }
        let document =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bigtool"}},"results":["#
            + results.joined(separator: ",") + "]}]}"
        let url = directory.appendingPathComponent("big.sarif")
        try Data(document.utf8).write(to: url)
        return url
    }
}
