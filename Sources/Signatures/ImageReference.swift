/// An image reference, `[registry/]repository[:tag][@sha256:<hex>]`, parsed as Docker does: the first
/// path component is a registry when it contains `.` or `:` or is `localhost`; otherwise the image is
/// on Docker Hub, where one-component names live under `library/`.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// The registry as written (`127.0.0.1:5000`, `ghcr.io`), `docker.io` for Docker Hub.
    public var registry: String
    /// The repository path inside the registry (`deploygate/hello`, `library/alpine`).
    public var repository: String
    public var tag: String?
    /// `sha256:<hex>` when the reference pins a digest.
    public var digest: String?

    /// Parses `text`, or nil when it is not a valid reference.
    public init?(_ text: String) {
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let value = String(rest[rest.index(after: at)...])
            guard SHA256Digest.isValidDigest(value) else { return nil }
            digest = value
            rest = rest[..<at]
        }
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") {
            let value = rest[rest.index(after: colon)...]
            guard Self.isValidTag(value) else { return nil }
            tag = String(value)
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let first = components.first, !first.isEmpty else { return nil }
        var registry = "docker.io"
        if components.count > 1 && (first.contains(".") || first.contains(":") || first == "localhost") {
            guard Self.isValidHost(first) else { return nil }
            registry = first.lowercased()
            components.removeFirst()
        }
        if Self.dockerHubNames.contains(registry) {
            registry = "docker.io"
            if components.count == 1 { components.insert("library", at: 0) }
        }
        guard components.allSatisfy(Self.isValidComponent) else { return nil }
        self.registry = registry
        self.repository = components.joined(separator: "/")
        self.tag = tag
        self.digest = digest
    }

    /// Registry and repository, without tag or digest, normalised (`docker.io/library/alpine`).
    public var repositoryName: String { "\(registry)/\(repository)" }

    /// Whether the reference names the image by a tag only (a tag can be moved to another image).
    public var isMutable: Bool { digest == nil }

    public var description: String {
        var text = repositoryName
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// Whether `other` names the same repository: tag and digest ignored, `docker.io`, `index.docker.io`
    /// and `registry-1.docker.io` the same, `library/` implied for one-component Docker Hub names.
    public func sameRepository(as other: ImageReference) -> Bool {
        registry == other.registry && repository == other.repository
    }

    /// The host the registry API is served from.
    var apiHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }

    /// Whether the registry is on this machine (`localhost`, `127.0.0.1`, `[::1]`, any port).
    public var isLoopback: Bool {
        let host: Substring
        if registry.hasPrefix("[") {
            host = registry[..<(registry.firstIndex(of: "]").map { registry.index(after: $0) } ?? registry.endIndex)]
        } else {
            host = registry.split(separator: ":", maxSplits: 1).first ?? Substring(registry)
        }
        return host == "localhost" || host == "127.0.0.1" || host == "[::1]"
    }

    /// The names Docker Hub's registry goes by.
    static let dockerHubNames: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]

    private static func isValidTag(_ tag: Substring) -> Bool {
        guard let first = tag.utf8.first, tag.utf8.count <= 128, first != 0x2E, first != 0x2D else { return false }
        return tag.utf8.allSatisfy { isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    private static func isValidHost(_ host: String) -> Bool {
        !host.isEmpty
            && host.utf8.allSatisfy {
                isAlphanumeric($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x3A || $0 == 0x5B || $0 == 0x5D
            }
    }

    /// A path component: lowercase letters and digits, separated by `.`, `_`, `__` or dashes.
    private static func isValidComponent(_ component: String) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        let isLowerAlphanumeric = { (byte: UInt8) in (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        guard isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
