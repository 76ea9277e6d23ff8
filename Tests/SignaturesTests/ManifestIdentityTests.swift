import Signatures
import Testing

/// What a resolved manifest says the image is: the digests a scan report may name it by.
@Suite("Manifest identity")
struct ManifestIdentityTests {
    static let index = "sha256:" + String(repeating: "1", count: 64)
    static let amd64 = "sha256:" + String(repeating: "2", count: 64)
    static let arm64 = "sha256:" + String(repeating: "3", count: 64)
    static let config = "sha256:" + String(repeating: "4", count: 64)
    static let ociIndex = "application/vnd.oci.image.index.v1+json"
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"

    /// An index entry: `platform` is `os/architecture`, nil for none.
    static func entry(
        _ digest: String, platform: String? = nil, mediaType: String = ociManifest, annotations: String? = nil
    ) -> String {
        var text = #"{"mediaType":"\#(mediaType)","digest":"\#(digest)","size":1"#
        if let platform {
            let parts = platform.split(separator: "/")
            text += #","platform":{"architecture":"\#(parts[1])","os":"\#(parts[0])"}"#
        }
        if let annotations { text += #","annotations":\#(annotations)"# }
        return text + "}"
    }

    static func index(_ entries: [String]) -> [UInt8] {
        Array(#"{"schemaVersion":2,"mediaType":"\#(ociIndex)","manifests":[\#(entries.joined(separator: ","))]}"#.utf8)
    }

    /// What `ManifestIdentity` says is wrong with these bytes, as the digest `index`.
    static func refusal(_ bytes: [UInt8], mediaType: String? = nil) throws -> String {
        let error = try #require(throws: ManifestIdentityError.self) {
            try ManifestIdentity(digest: Self.index, manifest: bytes, mediaType: mediaType)
        }
        #expect(error.digest == Self.index)
        return error.description
    }

    /// Go's JSON decoder (containerd, CRI-O, skopeo) matches member names ignoring case, even
    /// Unicode's (`ſ` is `s`), and keeps the last: a document with two names alike but for case,
    /// or a specified name in another case, lists other platforms to a runtime than to ScanGate,
    /// which would release a platform no report scanned (found by a review).
    @Test func namesAGoRuntimeReadsAsOneAreRefused() throws {
        let amd64 = Self.entry(Self.amd64, platform: "linux/amd64")
        let arm64 = Self.entry(Self.arm64, platform: "linux/arm64")
        let cases: [(String, String)] = [
            (
                #"{"schemaVersion":2,"mediaType":"\#(Self.ociIndex)","manifests":[\#(amd64)],"Manifests":[\#(amd64),\#(arm64)]}"#,
                #"has the members "manifests" and "Manifests""#
            ),
            (
                #"{"schemaVersion":2,"mediaType":"\#(Self.ociIndex)","manifests":[\#(amd64)],"manife\#u{017F}ts":[\#(arm64)]}"#,
                #"has the members "manifests" and "manifeſts""#
            ),
            (
                #"{"schemaVersion":2,"mediaType":"\#(Self.ociIndex)","manifests":[{"mediaType":"\#(Self.ociManifest)","digest":"\#(Self.amd64)","Digest":"\#(Self.arm64)","size":1}]}"#,
                #"has the members "digest" and "Digest""#
            ),
            (
                #"{"schemaVersion":2,"mediaType":"\#(Self.ociIndex)","manifests":[{"mediaType":"\#(Self.ociManifest)","digest":"\#(Self.arm64)","size":1,"platform":{"os":"unknown","architecture":"unknown","OS":"linux","Architecture":"arm64"}}]}"#,
                #"has the members "os" and "OS""#
            ),
            (
                #"{"schemaVersion":2,"mediaType":"\#(Self.ociManifest)","Config":{"mediaType":"x","digest":"\#(Self.config)","size":1},"layers":[]}"#,
                #"spells "config" as "Config""#
            ),
        ]
        for (document, problem) in cases {
            let refusal = try Self.refusal(Array(document.utf8))
            #expect(refusal.contains(problem), "\(refusal)")
        }
        // Annotations are a map, read as written: keys alike but for case are two annotations.
        let annotated = Self.index([Self.entry(Self.amd64, platform: "linux/amd64", annotations: #"{"a":"1","A":"2"}"#)]
        )
        #expect(try ManifestIdentity(digest: Self.index, manifest: annotated).platforms.count == 1)
    }

    @Test func anIndexIsItsPlatformManifestsToo() throws {
        let bytes = Self.index([
            Self.entry(Self.amd64, platform: "linux/amd64"), Self.entry(Self.arm64),
            Self.entry(
                Self.config, platform: "unknown/unknown",
                annotations: #"{"vnd.docker.reference.type":"attestation-manifest"}"#),
        ])
        let identity = try ManifestIdentity(digest: Self.index, manifest: bytes)
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
    @Test func anAnnotationDoesNotMakeARealPlatformAnAttestation() throws {
        let attestation = #"{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"x"}"#
        let bytes = Self.index([
            Self.entry(Self.amd64, platform: "linux/amd64", annotations: attestation),
            Self.entry(Self.arm64, platform: "linux/arm64", annotations: attestation),
            Self.entry(Self.config, platform: "unknown/unknown"),
        ])
        let identity = try ManifestIdentity(digest: Self.index, manifest: bytes)
        #expect(
            identity.platforms == [
                ImagePlatform(digest: Self.amd64, configDigest: nil, name: "linux/amd64"),
                ImagePlatform(digest: Self.arm64, configDigest: nil, name: "linux/arm64"),
            ])
    }

    /// An index with no entry, or attestations only, is still an index: it lists no platform
    /// image (never a single-platform image named by its own digest).
    @Test func anIndexOfNoPlatformIsAnIndexOfNone() throws {
        for entries in [[], [Self.entry(Self.config, platform: "unknown/unknown")]] {
            let identity = try ManifestIdentity(digest: Self.index, manifest: Self.index(entries))
            #expect(identity.isIndex && identity.platforms.isEmpty)
        }
    }

    /// Two `manifests` arrays: Go-based registries and runtimes keep the last, so which
    /// platforms the index lists depends on the reader. It is refused, never read as one image.
    @Test func anIndexThatCannotBeReadStrictlyIsRefused() throws {
        let duplicated = Array(
            (#"{"schemaVersion":2,"mediaType":"\#(Self.ociIndex)","manifests":[\#(Self.entry(Self.arm64))],"#
                + #""manifests":[\#(Self.entry(Self.amd64)),\#(Self.entry(Self.arm64))]}"#).utf8)
        for mediaType in [Self.ociIndex, nil, "application/json"] {
            let refusal = try Self.refusal(duplicated, mediaType: mediaType)
            #expect(refusal.contains(Self.index) && refusal.contains("cannot be read strictly"), "\(refusal)")
            #expect(refusal.contains(#"the member "manifests" appears twice"#), "\(refusal)")
        }
        // Bytes that are no JSON at all do not say what they are either.
        #expect(try Self.refusal(Array("not json".utf8), mediaType: Self.ociIndex).contains("cannot be read strictly"))
    }

    @Test func anIndexThatCannotSayWhatItListsIsRefused() throws {
        let cases: [(bytes: [UInt8], mediaType: String?, problem: String)] = [
            // Served as an index, with no list of entries.
            (Array(#"{"schemaVersion":2}"#.utf8), Self.ociIndex, #"is an index without a "manifests" list"#),
            (Array(#"{"schemaVersion":2,"manifests":null}"#.utf8), nil, #"without a "manifests" list"#),
            (
                Array(
                    #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"}"#.utf8
                ),
                nil, #"without a "manifests" list"#
            ),
            // An entry that cannot be fetched by a sha256 digest could still be the one deployed.
            (Self.index([Self.entry("sha256:short", platform: "linux/amd64")]), nil, "entry 1 of"),
            (Self.index([Self.entry(Self.amd64), #"{"size":1}"#]), nil, "no valid sha256 digest in its entry 2"),
            // A nested index: its own platforms would go unread.
            (
                Self.index([Self.entry(Self.amd64, platform: "linux/amd64", mediaType: Self.ociIndex)]), nil,
                "lists an index (\(Self.amd64)"
            ),
            // Both an index and an image manifest: readers disagree on which it is.
            (
                Array(#"{"schemaVersion":2,"config":{"digest":"\#(Self.config)"},"manifests":[]}"#.utf8), nil,
                "both an index and an image manifest"
            ),
            (Self.index([]), Self.ociManifest, "both an index and an image manifest"),
        ]
        for (bytes, mediaType, problem) in cases {
            let refusal = try Self.refusal(bytes, mediaType: mediaType)
            #expect(refusal.contains(Self.index) && refusal.contains(problem), "\(refusal)")
        }
    }

    @Test func aManifestIsItsConfigToo() throws {
        let text = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"\(Self.config)","size":1},
             "layers":[]}
            """
        let identity = try ManifestIdentity(
            digest: Self.amd64, manifest: Array(text.utf8),
            mediaType: "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8")
        #expect(!identity.isIndex && identity.platforms.isEmpty)
        #expect(identity.configDigest == Self.config)
    }

    @Test func bytesThatAreNoManifestNameOnlyTheirDigest() throws {
        for text in [#"{"config":{"digest":"sha256:nope"}}"#, "[]"] {
            let identity = try ManifestIdentity(digest: Self.amd64, manifest: Array(text.utf8))
            #expect(!identity.isIndex && identity.platforms.isEmpty)
            #expect(identity.configDigest == nil)
        }
    }
}
