/// GitHub code scanning's limits on one SARIF upload (docs: "SARIF support for code scanning",
/// and the REST description of `POST /repos/{owner}/{repo}/code-scanning/sarifs`).
///
/// A `maximum…` value is a hard limit: over it GitHub rejects the whole analysis. A `kept…` value
/// is what GitHub keeps when the hard limit is respected: it accepts more, but silently ignores
/// the rest (the writer stays within the kept values where it can, and says when it cannot).
public struct SARIFLimits: Sendable, Hashable {
    /// Gzip-compressed size of the file. GitHub says "10 MB"; 10,000,000 bytes satisfies both the
    /// decimal and the binary reading.
    public var maximumGzipBytes: Int
    public var maximumRuns: Int
    public var maximumResultsPerRun: Int
    /// GitHub shows only the top results by severity beyond this.
    public var keptResultsPerRun: Int
    public var maximumRulesPerRun: Int
    public var maximumLocationsPerResult: Int
    /// GitHub keeps this many locations per result (and uses only the first).
    public var keptLocationsPerResult: Int
    public var maximumTagsPerRule: Int
    /// GitHub keeps this many tags per rule.
    public var keptTagsPerRule: Int
    public var maximumExtensionsPerRun: Int
    public var maximumThreadFlowLocationsPerResult: Int
    /// Rule `name` length GitHub accepts.
    public var maximumRuleNameLength: Int
    /// Rule `shortDescription.text` / `fullDescription.text` length GitHub accepts.
    public var maximumDescriptionLength: Int

    public init(
        maximumGzipBytes: Int = 10_000_000, maximumRuns: Int = 20, maximumResultsPerRun: Int = 25_000,
        keptResultsPerRun: Int = 5_000, maximumRulesPerRun: Int = 25_000, maximumLocationsPerResult: Int = 1_000,
        keptLocationsPerResult: Int = 100, maximumTagsPerRule: Int = 20, keptTagsPerRule: Int = 10,
        maximumExtensionsPerRun: Int = 100, maximumThreadFlowLocationsPerResult: Int = 10_000,
        maximumRuleNameLength: Int = 255, maximumDescriptionLength: Int = 1_024
    ) {
        self.maximumGzipBytes = maximumGzipBytes
        self.maximumRuns = maximumRuns
        self.maximumResultsPerRun = maximumResultsPerRun
        self.keptResultsPerRun = keptResultsPerRun
        self.maximumRulesPerRun = maximumRulesPerRun
        self.maximumLocationsPerResult = maximumLocationsPerResult
        self.keptLocationsPerResult = keptLocationsPerResult
        self.maximumTagsPerRule = maximumTagsPerRule
        self.keptTagsPerRule = keptTagsPerRule
        self.maximumExtensionsPerRun = maximumExtensionsPerRun
        self.maximumThreadFlowLocationsPerResult = maximumThreadFlowLocationsPerResult
        self.maximumRuleNameLength = maximumRuleNameLength
        self.maximumDescriptionLength = maximumDescriptionLength
    }

    /// GitHub.com's limits (GitHub Enterprise Server has the same ones).
    public static let github = SARIFLimits()
}
