/// What a run's reports looked at: the tools whose reports checked something, and the scan
/// targets (container images, web sites) they scanned. A finding of an earlier run that is gone
/// now is fixed only if this run looked for it again; one whose tool did not run, or whose image
/// or site no report scanned, is not known to be gone.
public struct RunCoverage: Sendable, Equatable {
    /// The tools with a report that checked something (``EmptyScan``: a report that checked
    /// nothing does not count).
    public var tools: Set<String>
    /// The scopes of the images and sites those reports scanned
    /// (``FindingIdentity/isTargetScope(_:)``); nil when not known (a findings document written
    /// before they were recorded): any target then counts as looked at when its tool looked.
    public var targetScopes: Set<String>?

    public init(tools: Set<String>, targetScopes: Set<String>?) {
        self.tools = tools
        self.targetScopes = targetScopes
    }

    /// Whether one of `findingTools` looked, and, for a finding of an image or a site, whether
    /// its target was scanned.
    public func looked(tools findingTools: [String], scope: String?) -> Bool {
        findingTools.contains(where: tools.contains) && targetWasScanned(scope: scope)
    }

    /// Whether the target of a finding of `scope` was scanned: true for a finding of no image or
    /// site, or when the targets scanned are not known.
    public func targetWasScanned(scope: String?) -> Bool {
        guard let scope, FindingIdentity.isTargetScope(scope), let targetScopes else { return true }
        return targetScopes.contains(scope)
    }

    /// The coverage of several reports' runs together.
    public static func union(_ parts: some Sequence<RunCoverage>) -> RunCoverage {
        var tools: Set<String> = []
        var targetScopes: Set<String>? = []
        for part in parts {
            tools.formUnion(part.tools)
            if let scopes = part.targetScopes { targetScopes?.formUnion(scopes) } else { targetScopes = nil }
        }
        return RunCoverage(tools: tools, targetScopes: targetScopes)
    }
}
