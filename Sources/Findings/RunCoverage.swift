/// What a run's reports looked at: the tools whose reports checked something, and the container
/// images they scanned. A finding of an earlier run that is gone now is fixed only if this run
/// looked for it again; one whose tool did not run, or whose image no report scanned, is not
/// known to be gone.
public struct RunCoverage: Sendable, Equatable {
    /// The tools with a report that checked something (``EmptyScan``: a report that checked
    /// nothing does not count).
    public var tools: Set<String>
    /// The scopes (``FindingIdentity/imageScope(_:)``) of the images those reports scanned; nil
    /// when not known (a findings document written before it was recorded): any image then
    /// counts as looked at when its tool looked.
    public var imageScopes: Set<String>?

    public init(tools: Set<String>, imageScopes: Set<String>?) {
        self.tools = tools
        self.imageScopes = imageScopes
    }

    /// Whether one of `findingTools` looked, and, for an image's finding (`scope`
    /// `image:…`), whether its image was scanned.
    public func looked(tools findingTools: [String], scope: String?) -> Bool {
        findingTools.contains(where: tools.contains) && imageWasScanned(scope: scope)
    }

    /// Whether the image of a finding of `scope` was scanned: true for a finding of no image, or
    /// when the images scanned are not known.
    public func imageWasScanned(scope: String?) -> Bool {
        guard let scope, scope.hasPrefix(FindingIdentity.imageScopePrefix), let imageScopes else { return true }
        return imageScopes.contains(scope)
    }

    /// The coverage of several reports' runs together.
    public static func union(_ parts: some Sequence<RunCoverage>) -> RunCoverage {
        var tools: Set<String> = []
        var imageScopes: Set<String>? = []
        for part in parts {
            tools.formUnion(part.tools)
            if let scopes = part.imageScopes { imageScopes?.formUnion(scopes) } else { imageScopes = nil }
        }
        return RunCoverage(tools: tools, imageScopes: imageScopes)
    }
}
