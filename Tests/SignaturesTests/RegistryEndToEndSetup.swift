import Foundation
import HTTP
import Signatures
import TestSupport
import Testing

extension E2E {
    /// Builds the images, pushes them with skopeo, signs them with cosign, and tampers with some.
    struct Setup {
        let directory: URL
        let registry: String
        private let http = HTTPClient(configuration: HTTPClientConfiguration(timeout: 10, retryPolicy: .none))

        init(directory: URL, registry: String) {
            self.directory = directory
            self.registry = registry
        }

        /// cosign's environment: its own home, the key password, no TUF or Rekor.
        private var cosignEnvironment: [String: String] {
            let home = directory.appendingPathComponent("home").path
            return [
                "HOME": home, "DOCKER_CONFIG": home + "/.docker", "TUF_ROOT": home + "/.sigstore",
                "COSIGN_PASSWORD": "e2e-pass",
            ]
        }

        func build() throws -> World {
            let keys = directory.appendingPathComponent("keys")
            let other = directory.appendingPathComponent("other")
            for folder in [keys, other, directory.appendingPathComponent("home")] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            try mustRun("cosign", ["generate-key-pair"], environment: cosignEnvironment, directory: keys)
            try mustRun("cosign", ["generate-key-pair"], environment: cosignEnvironment, directory: other)
            let policy = directory.appendingPathComponent("policy.json")
            try Data(#"{"default":[{"type":"insecureAcceptAnything"}]}"#.utf8).write(to: policy)

            var digests: [String: String] = [:]
            var configs: [String: String] = [:]
            for name in ["signed", "unsigned", "tampered", "attested", "misattached"] {
                (digests[name], configs[name]) = try push(name, policy: policy)
            }
            let signed = try #require(digests["signed"])
            let unsigned = try #require(digests["unsigned"])
            let tampered = try #require(digests["tampered"])
            let attested = try #require(digests["attested"])
            let misattached = try #require(digests["misattached"])
            let multi = try pushIndex("multi", policy: policy)
            let crafted = try putCraftedIndexes(multi: multi.index, platforms: multi.platforms)
            let key = keys.appendingPathComponent("cosign.key").path
            let signedImages =
                [("signed", signed), ("tampered", tampered), ("multi", multi.index)]
                + crafted.values.sorted().map { ("multi", $0) }
            for (name, digest) in signedImages {
                try mustRun(
                    "cosign", ["sign", "--key", key, "--tlog-upload=false", "-y", "\(registry)/e2e/\(name)@\(digest)"],
                    environment: cosignEnvironment)
            }
            let predicate = directory.appendingPathComponent("predicate.json")
            try Data(#"{"gate":"release","ok":true}"#.utf8).write(to: predicate)
            try mustRun(
                "cosign",
                [
                    "attest", "--key", key, "--tlog-upload=false", "-y", "--new-bundle-format", "--type", "custom",
                    "--predicate", predicate.path, "\(registry)/e2e/attested@\(attested)",
                ], environment: cosignEnvironment)
            try tamperPayload(repository: "e2e/tampered", digest: tampered)
            try copySignature(from: "e2e/signed", digest: signed, to: "e2e/misattached", digest: misattached)
            return World(
                registry: registry, key: keys.appendingPathComponent("cosign.pub").path,
                otherKey: other.appendingPathComponent("cosign.pub").path, signed: signed, unsigned: unsigned,
                tampered: tampered, attested: attested, misattached: misattached, configs: configs,
                multi: multi.index, multiPlatforms: multi.platforms.map { [$0.manifest, $0.config] },
                craftedIndexes: crafted)
        }

        /// Indexes over `multi`'s two platform manifests (linux/amd64, linux/arm64) that readers
        /// may take for something else, put into `e2e/multi` by digest (skopeo would rewrite or
        /// refuse some): their digests by name (``World/craftedIndexes``).
        private func putCraftedIndexes(
            multi: String, platforms: [(manifest: String, config: String)]
        ) throws -> [String: String] {
            let index = "application/vnd.oci.image.index.v1+json"
            let sizes = try platforms.map {
                try get("/v2/e2e/multi/manifests/\($0.manifest)", accept: ManifestTypes.oci).count
            }
            let multiSize = try get("/v2/e2e/multi/manifests/\(multi)", accept: index).count
            func entry(_ position: Int, annotations: String = "", platform: String? = nil) -> String {
                let architecture = ["amd64", "arm64"][position]
                return #"{"mediaType":"\#(ManifestTypes.oci)","digest":"\#(platforms[position].manifest)","#
                    + #""size":\#(sizes[position]),"platform":\#(platform ?? #"{"architecture":"\#(architecture)","os":"linux"}"#)"#
                    + annotations + "}"
            }
            let attestation = #","annotations":{"vnd.docker.reference.type":"attestation-manifest"}"#
            let head = #"{"schemaVersion":2,"mediaType":"\#(index)","#
            let documents = [
                // Go keeps the last `manifests`: both platforms; a reader keeping the first, arm64 only.
                "duplicated": head + #""manifests":[\#(entry(1))],"manifests":[\#(entry(0)),\#(entry(1))]}"#,
                // Real platforms labelled as attestations: containerd deploys them all the same.
                "annotated": head + #""manifests":[\#(entry(0, annotations: attestation)),"#
                    + #"\#(entry(1, annotations: attestation))]}"#,
                "empty": head + #""manifests":[]}"#,
                // buildx's attestation manifest (unknown/unknown) only: no platform image either.
                "attestations-only": head + #""manifests":["#
                    + entry(0, annotations: attestation, platform: #"{"architecture":"unknown","os":"unknown"}"#)
                    + "]}",
                // linux/amd64 is itself an index (`multi`), said so by its media type or not.
                "nested": head + #""manifests":[{"mediaType":"\#(index)","digest":"\#(multi)","size":\#(multiSize),"#
                    + #""platform":{"architecture":"amd64","os":"linux"}}]}"#,
                "disguised": head + #""manifests":[{"mediaType":"\#(ManifestTypes.oci)","digest":"\#(multi)","#
                    + #""size":\#(multiSize),"platform":{"architecture":"amd64","os":"linux"}}]}"#,
            ]
            var digests: [String: String] = [:]
            for (name, document) in documents {
                let bytes = Array(document.utf8)
                let digest = SHA256Digest.digestString(bytes)
                let response = try send(.put, "/v2/e2e/multi/manifests/\(digest)", body: bytes, type: index)
                try #require(
                    response.status == 201, "PUT of the \(name) index: HTTP \(response.status) \(response.text)")
                digests[name] = digest
            }
            return digests
        }

        /// A one-layer OCI image layout whose content depends on `name`, pushed as `e2e/<name>:v1`:
        /// its manifest digest and config digest.
        private func push(_ name: String, policy: URL) throws -> (manifest: String, config: String) {
            let layout = directory.appendingPathComponent("layout-\(name)")
            let image = try writeImage(name, architecture: "amd64", in: layout)
            let pushed = try pushLayout(layout, name: name, policy: policy, all: false)
            try #require(pushed == image.manifest, "skopeo pushed \(pushed), the layout holds \(image.manifest)")
            return (pushed, image.config)
        }

        /// An index of two one-layer images (linux/amd64 and linux/arm64) whose content depends
        /// on `name`, pushed as `e2e/<name>:v1` with both platforms: the index's digest, and each
        /// platform's manifest and config digests.
        func pushIndex(_ name: String, policy: URL) throws -> (
            index: String, platforms: [(manifest: String, config: String)]
        ) {
            let layout = directory.appendingPathComponent("layout-\(name)")
            var platforms: [(manifest: String, config: String, size: Int, architecture: String)] = []
            for architecture in ["amd64", "arm64"] {
                let image = try writeImage("\(name)-\(architecture)", architecture: architecture, in: layout)
                platforms.append((image.manifest, image.config, image.size, architecture))
            }
            let entries = platforms.map { platform in
                #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(platform.manifest)","#
                    + #""size":\#(platform.size),"platform":{"architecture":"\#(platform.architecture)","os":"linux"}}"#
            }
            let index = Array(
                (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":["#
                    + entries.joined(separator: ",") + "]}").utf8)
            let indexDigest = try store(index, in: layout.appendingPathComponent("blobs/sha256"))
            try writeLayoutIndex(
                layout, mediaType: "application/vnd.oci.image.index.v1+json", digest: indexDigest, size: index.count)
            let pushed = try pushLayout(layout, name: name, policy: policy, all: true)
            try #require(pushed == indexDigest, "skopeo pushed \(pushed), the layout holds \(indexDigest)")
            return (pushed, platforms.map { ($0.manifest, $0.config) })
        }

        /// Writes a one-layer image into `layout` (its blobs, and `index.json` naming it `v1`).
        private func writeImage(
            _ name: String, architecture: String, in layout: URL
        ) throws -> (manifest: String, config: String, size: Int) {
            let blobs = layout.appendingPathComponent("blobs/sha256")
            let rootfs = directory.appendingPathComponent("rootfs-\(name)")
            try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: rootfs, withIntermediateDirectories: true)
            try Data("hello from \(name)\n".utf8).write(to: rootfs.appendingPathComponent("hello.txt"))
            let tarFile = directory.appendingPathComponent("layer-\(name).tar")
            try mustRun(
                "tar",
                [
                    "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C", rootfs.path, "-cf",
                    tarFile.path, "hello.txt",
                ])
            let layer = [UInt8](try Data(contentsOf: tarFile))
            let layerDigest = try store(layer, in: blobs)
            let config = Array(
                (#"{"architecture":"\#(architecture)","os":"linux","config":{},"#
                    + #""rootfs":{"type":"layers","diff_ids":["\#(layerDigest)"]}}"#).utf8)
            let configDigest = try store(config, in: blobs)
            let manifest = Array(
                (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","#
                    + #""config":{"mediaType":"application/vnd.oci.image.config.v1+json","#
                    + #""digest":"\#(configDigest)","size":\#(config.count)},"#
                    + #""layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","#
                    + #""digest":"\#(layerDigest)","size":\#(layer.count)}]}"#).utf8)
            let manifestDigest = try store(manifest, in: blobs)
            try writeLayoutIndex(
                layout, mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest,
                size: manifest.count)
            return (manifestDigest, configDigest, manifest.count)
        }

        /// The layout's `index.json`, naming `digest` as `v1`, and its `oci-layout`.
        private func writeLayoutIndex(_ layout: URL, mediaType: String, digest: String, size: Int) throws {
            let index =
                #"{"schemaVersion":2,"manifests":[{"mediaType":"\#(mediaType)","#
                + #""digest":"\#(digest)","size":\#(size),"#
                + #""annotations":{"org.opencontainers.image.ref.name":"v1"}}]}"#
            try Data(index.utf8).write(to: layout.appendingPathComponent("index.json"))
            try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: layout.appendingPathComponent("oci-layout"))
        }

        /// Copies the layout's `v1` to `e2e/<name>:v1` (`all`: every platform of an index); the digest pushed.
        private func pushLayout(_ layout: URL, name: String, policy: URL, all: Bool) throws -> String {
            let digestFile = directory.appendingPathComponent("digest-\(name)")
            try mustRun(
                "skopeo",
                ["--policy", policy.path, "copy", "-q"] + (all ? ["--all"] : []) + [
                    "--dest-tls-verify=false", "--preserve-digests", "--digestfile", digestFile.path,
                    "oci:\(layout.path):v1", "docker://\(registry)/e2e/\(name):v1",
                ])
            return try String(contentsOf: digestFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        private func store(_ bytes: [UInt8], in blobs: URL) throws -> String {
            let digest = SHA256Digest.digestString(bytes)
            try Data(bytes).write(to: blobs.appendingPathComponent(String(digest.dropFirst(7))))
            return digest
        }

        /// Replaces the payload of the `.sig` manifest's layer with an altered copy (valid digest, same signature).
        private func tamperPayload(repository: String, digest: String) throws {
            let tag = "sha256-\(digest.dropFirst(7)).sig"
            var manifest = try getJSON("/v2/\(repository)/manifests/\(tag)")
            var layers = try #require(manifest["layers"] as? [[String: Any]])
            var layer = try #require(layers.first)
            let payload = try get("/v2/\(repository)/blobs/\(try #require(layer["digest"] as? String))")
            let text = String(decoding: payload, as: UTF8.self)
            try #require(text.contains(#""optional":null"#))
            let altered = Array(text.replacingOccurrences(of: #""optional":null"#, with: #""optional":{"x":"y"}"#).utf8)
            layer["digest"] = try upload(altered, to: repository)
            layer["size"] = altered.count
            layers[0] = layer
            manifest["layers"] = layers
            try putManifest(try JSONSerialization.data(withJSONObject: manifest), repository: repository, tag: tag)
        }

        /// Attaches the signature of `digest` in `source` to `target`'s `.sig` tag (a signature for another digest).
        private func copySignature(from source: String, digest: String, to target: String, digest targetDigest: String)
            throws
        {
            let tag = "sha256-\(digest.dropFirst(7)).sig"
            let bytes = try get("/v2/\(source)/manifests/\(tag)", accept: ManifestTypes.oci)
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            let config = try #require((manifest["config"] as? [String: Any])?["digest"] as? String)
            let layers = (manifest["layers"] as? [[String: Any]] ?? []).compactMap { $0["digest"] as? String }
            for blob in [config] + layers {
                let response = try send(
                    .post, "/v2/\(target)/blobs/uploads/?mount=\(blob)&from=\(source)", body: [], type: nil)
                try #require(response.status == 201, "mounting \(blob): HTTP \(response.status)")
            }
            try putManifest(Data(bytes), repository: target, tag: "sha256-\(targetDigest.dropFirst(7)).sig")
        }

        // MARK: The distribution API, just what the setup needs

        private enum ManifestTypes {
            static let oci = "application/vnd.oci.image.manifest.v1+json"
        }

        private func send(_ method: HTTPMethod, _ path: String, body: [UInt8], type: String?, accept: String? = nil)
            throws -> HTTPResponse
        {
            var headers: HTTPHeaders = [:]
            if let type { headers.add("Content-Type", type) }
            if let accept { headers.add("Accept", accept) }
            let url = path.hasPrefix("http") ? path : "http://\(registry)\(path)"
            return try http.send(HTTPRequest(method: method, url: url, headers: headers, body: body))
        }

        private func get(_ path: String, accept: String? = nil) throws -> [UInt8] {
            let response = try send(.get, path, body: [], type: nil, accept: accept)
            try #require(response.status == 200, "GET \(path): HTTP \(response.status)")
            return response.body
        }

        private func getJSON(_ path: String) throws -> [String: Any] {
            let bytes = try get(path, accept: ManifestTypes.oci)
            return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        }

        private func upload(_ bytes: [UInt8], to repository: String) throws -> String {
            let started = try send(.post, "/v2/\(repository)/blobs/uploads/", body: [], type: nil)
            let location = try #require(started.headers["Location"], "no upload location (HTTP \(started.status))")
            let digest = SHA256Digest.digestString(bytes)
            let separator = location.contains("?") ? "&" : "?"
            let finished = try send(
                .put, location + separator + "digest=" + digest.replacingOccurrences(of: ":", with: "%3A"), body: bytes,
                type: "application/octet-stream")
            try #require(finished.status == 201, "blob upload: HTTP \(finished.status)")
            return digest
        }

        private func putManifest(_ data: Data, repository: String, tag: String) throws {
            let response = try send(
                .put, "/v2/\(repository)/manifests/\(tag)", body: [UInt8](data), type: ManifestTypes.oci)
            try #require(response.status == 201, "manifest PUT: HTTP \(response.status) \(response.text)")
        }
    }
}
