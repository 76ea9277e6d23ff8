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

    /// Whether it names `digest`: as a manifest (or index) it was pulled by, or as its image id,
    /// which is a config digest, or under Docker's containerd image store the manifest's (or
    /// index's) own digest.
    public func names(_ digest: String) -> Bool {
        let digest = digest.lowercased()
        return manifestDigests.contains(digest) || configDigest == digest
    }

    /// The digest part of `repository@sha256:…`, lower-cased; nil when there is none.
    public static func digest(ofRepositoryDigest text: String) -> String? {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let digest = text[text.index(after: at)...].lowercased()
        return digest.hasPrefix("sha256:") && digest.count == 71 ? digest : nil
    }
}
