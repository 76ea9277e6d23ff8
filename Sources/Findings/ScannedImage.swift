/// A container image a report says it scanned, identified as the scanner saw it: what ties a
/// report to an image a release ships. Digests are content addresses, so an image is the one
/// scanned when a digest matches, whatever repository or tag either side names it by.
public struct ScannedImage: Sendable, Hashable {
    /// The report that scanned it (the path as given).
    public var report: String
    /// The image as the scanner named it (Trivy's `ArtifactName`); empty for an image scanned by id.
    public var name: String
    /// The manifest (or index) digests it was pulled by, `sha256:…` (the digests of Trivy's
    /// `Metadata.RepoDigests`): empty for a local build never pushed, or a tarball.
    public var manifestDigests: [String]
    /// Its config digest (Trivy's `Metadata.ImageID`), which a local build has before it is pushed.
    public var configDigest: String?

    public init(report: String, name: String, manifestDigests: [String], configDigest: String?) {
        self.report = report
        self.name = name
        self.manifestDigests = manifestDigests.map { $0.lowercased() }
        self.configDigest = configDigest?.lowercased()
    }

    /// Whether it is the image whose manifest has one of `manifestDigests` (an index's digest and
    /// its platform manifests' digests) or whose config has one of `configDigests`.
    public func isImage(manifestDigests: Set<String>, configDigests: Set<String>) -> Bool {
        self.manifestDigests.contains { manifestDigests.contains($0) }
            || configDigest.map { configDigests.contains($0) } == true
    }

    /// The digest part of `repository@sha256:…`, lower-cased; nil when there is none.
    public static func digest(ofRepositoryDigest text: String) -> String? {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let digest = text[text.index(after: at)...].lowercased()
        return digest.hasPrefix("sha256:") && digest.count == 71 ? digest : nil
    }
}
