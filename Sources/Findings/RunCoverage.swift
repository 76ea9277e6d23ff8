/// What a run's reports looked at: the tools whose reports checked something, and, for each of
/// them, the scopes (``FindingIdentity/scope``) they scanned: the source tree, an image, a web
/// site, a Kubernetes resource. A finding of an earlier run that is gone now is fixed only if a
/// tool that found it looked again at its scope; one whose tool did not run, or did not scan its
/// image, site or resource this time, is not known to be gone.
public struct RunCoverage: Sendable, Equatable {
    /// The tools with a report that checked something (``EmptyScan``: a report that checked
    /// nothing does not count).
    public var tools: Set<String>
    /// For each of ``tools``, the scopes its reports scanned; nil when not known (a findings
    /// document written before they were recorded): a tool that looked then looked everywhere.
    public var scopesByTool: [String: Set<String>]?

    public init(tools: Set<String>, scopesByTool: [String: Set<String>]?) {
        self.tools = tools
        self.scopesByTool = scopesByTool
    }

    /// Every one of `tools` scanning `scopes`.
    public init(tools: Set<String>, scanning scopes: Set<String>) {
        self.init(tools: tools, scopesByTool: Dictionary(uniqueKeysWithValues: tools.map { ($0, scopes) }))
    }

    /// Whether one of `findingTools` looked at `scope` (at anything, for a finding of no known
    /// scope or when the scopes are not known).
    public func looked(tools findingTools: [String], scope: String?) -> Bool {
        let looking = findingTools.filter(tools.contains)
        guard !looking.isEmpty else { return false }
        guard let scope, let scopesByTool else { return true }
        return looking.contains { scopesByTool[$0]?.contains(scope) == true }
    }

    /// The coverage of several reports' runs together.
    public static func union(_ parts: some Sequence<RunCoverage>) -> RunCoverage {
        var tools: Set<String> = []
        var scopesByTool: [String: Set<String>]? = [:]
        for part in parts {
            tools.formUnion(part.tools)
            if let scopes = part.scopesByTool {
                scopesByTool?.merge(scopes) { $0.union($1) }
            } else {
                scopesByTool = nil
            }
        }
        return RunCoverage(tools: tools, scopesByTool: scopesByTool)
    }
}
