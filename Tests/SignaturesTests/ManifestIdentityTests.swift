import Signatures
import Testing

/// What a resolved manifest says the image is: the digests a scan report may name it by.
@Suite("Manifest identity")
struct ManifestIdentityTests {
    static let index = "sha256:" + String(repeating: "1", count: 64)
    static let amd64 = "sha256:" + String(repeating: "2", count: 64)
    static let arm64 = "sha256:" + String(repeating: "3", count: 64)
    static let config = "sha256:" + String(repeating: "4", count: 64)

    @Test func anIndexIsItsPlatformManifestsToo() {
        let text = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.amd64)","size":1,
             "platform":{"architecture":"amd64","os":"linux"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.arm64)","size":1},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.config)","size":1,
             "platform":{"architecture":"unknown","os":"unknown"},
             "annotations":{"vnd.docker.reference.type":"attestation-manifest"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:short","size":1}]}
            """
        let identity = ManifestIdentity(digest: Self.index, manifest: Array(text.utf8))
        #expect(identity.isIndex)
        // The attestation manifest is no platform image.
        #expect(
            identity.platforms == [
                ImagePlatform(digest: Self.amd64, configDigest: nil, name: "linux/amd64"),
                ImagePlatform(digest: Self.arm64, configDigest: nil),
            ])
        #expect(identity.configDigest == nil)
    }

    /// containerd and Kubernetes pick an index entry by its platform alone: an entry for a real
    /// platform is deployed whatever it is annotated, so it must be scanned like any other.
    @Test func anAnnotationDoesNotMakeARealPlatformAnAttestation() {
        let attestation = #""annotations":{"vnd.docker.reference.type":"attestation-manifest"}"#
        let text = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.amd64)","size":1,
             "platform":{"architecture":"amd64","os":"linux"},\(attestation)},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.arm64)","size":1,
             "platform":{"architecture":"arm64","os":"linux"},\(attestation)},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(Self.config)","size":1,
             "platform":{"architecture":"unknown","os":"unknown"}}]}
            """
        let identity = ManifestIdentity(digest: Self.index, manifest: Array(text.utf8))
        #expect(
            identity.platforms == [
                ImagePlatform(digest: Self.amd64, configDigest: nil, name: "linux/amd64"),
                ImagePlatform(digest: Self.arm64, configDigest: nil, name: "linux/arm64"),
            ])
    }

    @Test func aManifestIsItsConfigToo() {
        let text = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"\(Self.config)","size":1},
             "layers":[]}
            """
        let identity = ManifestIdentity(digest: Self.amd64, manifest: Array(text.utf8))
        #expect(!identity.isIndex && identity.platforms.isEmpty)
        #expect(identity.configDigest == Self.config)
    }

    @Test func bytesThatAreNoManifestNameOnlyTheirDigest() {
        for text in ["not json", #"{"config":{"digest":"sha256:nope"}}"#, "[]"] {
            let identity = ManifestIdentity(digest: Self.amd64, manifest: Array(text.utf8))
            #expect(!identity.isIndex && identity.platforms.isEmpty)
            #expect(identity.configDigest == nil)
        }
    }
}
