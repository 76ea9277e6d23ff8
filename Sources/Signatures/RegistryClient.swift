import Foundation
import HTTP
import ScanGateJSON

/// How ScanGate talks to registries.
public struct RegistryOptions: Sendable {
    /// Allow plain HTTP, and only for registries on `localhost`, `127.0.0.1` or `[::1]`.
    public var allowInsecureLoopback: Bool
    /// What ScanGate presents to the image's registry.
    public var access: RegistryAccess
    /// The credentials for the image's registry, if it has any that could be read.
    public var credentials: RegistryCredentials? {
        if case .credentials(let credentials) = access { return credentials }
        return nil
    }
    /// Largest manifest or index accepted, in bytes.
    public var maximumManifestSize: Int
    /// Largest signature payload or bundle blob accepted, in bytes.
    public var maximumBlobSize: Int
    /// Largest number of signature layers or referrers examined per image.
    public var maximumSignatures: Int
    /// Seconds per request, and the retry policy (network errors, 5xx and 429 are retried).
    public var timeout: Double
    public var retryPolicy: RetryPolicy
    /// Seconds for everything asked of the registry about one image (its manifest, signatures,
    /// referrers and tokens): a registry that answers each request just before its timeout must
    /// not hold the job for many minutes.
    public var totalTime: Double
    /// Whether to read what the image is (``ImageVerification/platforms``): a manifest's config
    /// digest, or the platform manifests an index lists (each by its digest) for theirs, what
    /// ties scan reports to every platform of a multi-platform image (the release gate's
    /// `require-scan`); a manifest or index that cannot be read for certain is then an
    /// `unreadable-manifest` failure. Off for `scangate verify`, which needs only signatures.
    public var readsPlatformManifests: Bool = false
    /// Largest number of platform manifests read per index.
    public var maximumPlatforms: Int = 32

    public init(
        allowInsecureLoopback: Bool = false, credentials: RegistryCredentials? = nil,
        maximumManifestSize: Int = 4 << 20, maximumBlobSize: Int = 4 << 20, maximumSignatures: Int = 64,
        timeout: Double = 30,
        retryPolicy: RetryPolicy = RetryPolicy(maximumAttempts: 3, maximumTotalTime: 60, initialBackoff: 0.5),
        totalTime: Double = 120
    ) {
        self.allowInsecureLoopback = allowInsecureLoopback
        self.access = credentials.map(RegistryAccess.credentials) ?? .anonymous
        self.maximumManifestSize = maximumManifestSize
        self.maximumBlobSize = maximumBlobSize
        self.maximumSignatures = maximumSignatures
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.totalTime = totalTime
    }

    /// These options with the credentials for `registry` looked up
    /// (``RegistryCredentials/lookup(registry:environment:)``), or the reason they could not be.
    public func withCredentials(for registry: String, environment: [String: String]) -> RegistryOptions {
        var options = self
        do {
            let found = try RegistryCredentials.lookup(registry: registry, environment: environment)
            options.access = found.map(RegistryAccess.credentials) ?? .anonymous
        } catch {
            options.access = .unreadable(error)
        }
        return options
    }
}

/// What ScanGate presents to a registry.
public enum RegistryAccess: Sendable {
    /// Nothing: anonymous pulls (and anonymous bearer tokens).
    case anonymous
    case credentials(RegistryCredentials)
    /// The credentials could not be read (a credential helper failed): the image is then not
    /// verified, and the registry is not asked.
    case unreadable(RegistryCredentialsError)
}

/// A registry or network failure: the image's signatures could not be examined (exit status 4).
struct RegistryError: Error {
    var message: String

    /// `message` may quote what a registry sent (a header, a redirect target, a realm): it is
    /// made one printable line (``ServerText/printable(_:)``).
    init(message: String) { self.message = ServerText.printable(message) }
}

/// Text that may hold what a server sent, made safe to print: control characters (escape
/// sequences, carriage returns, line feeds that could forge a `result  VERIFIED` line), Unicode
/// line separators and format characters (bidi overrides, zero-width ones) are shown as
/// `\x1b`-style escapes, and it is cut at 500 characters.
enum ServerText {
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: \.isUnsafeInServerText) || text.unicodeScalars.count > 500 else {
            return text
        }
        var output = ""
        for scalar in text.unicodeScalars {
            if output.unicodeScalars.count >= 500 {
                output += "…"
                break
            }
            if scalar.isUnsafeInServerText {
                output +=
                    scalar.value < 0x100
                    ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 4) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// The media types of manifests and indexes.
enum ManifestMediaType {
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    static let ociIndex = "application/vnd.oci.image.index.v1+json"
    static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    static let all = [ociManifest, ociIndex, dockerManifest, dockerList]
    /// The media types of an index (a list of platform manifests).
    static let indexes = [ociIndex, dockerList]
    /// The media types of an image manifest.
    static let images = [ociManifest, dockerManifest]

    /// A `Content-Type` as a media type: parameters and blanks dropped, lower-cased; nil for none.
    static func normalized(_ contentType: String?) -> String? {
        guard let type = contentType?.split(separator: ";").first else { return nil }
        let media = String(type.filter { $0 != " " && $0 != "\t" }).lowercased()
        return media.isEmpty ? nil : media
    }
}

/// A manifest fetched and checked against its digest.
struct FetchedManifest {
    var digest: String
    var bytes: [UInt8]
    var contentType: String?
}

/// The OCI distribution API for one repository: manifests, blobs, bearer-token and basic auth.
struct RegistryClient {
    let image: ImageReference
    let options: RegistryOptions
    private let baseURL: String
    private let manifestHTTP: HTTPClient
    private let blobHTTP: HTTPClient
    /// When the first request was allowed to start (``RegistryOptions/totalTime`` counts from it).
    private let startedAt: Double
    private var authorization: String?

    init(image: ImageReference, options: RegistryOptions) throws(RegistryError) {
        self.image = image
        self.options = options
        if image.isLoopback && options.allowInsecureLoopback {
            baseURL = "http://\(image.apiHost)"
        } else {
            baseURL = "https://\(image.apiHost)"
        }
        let configuration = HTTPClientConfiguration(timeout: options.timeout, retryPolicy: options.retryPolicy)
        manifestHTTP = HTTPClient(
            configuration: configuration,
            transport: CurlTransport(
                connectTimeout: min(10, options.timeout), maximumResponseSize: options.maximumManifestSize))
        blobHTTP = HTTPClient(
            configuration: configuration,
            transport: CurlTransport(
                connectTimeout: min(10, options.timeout), maximumResponseSize: options.maximumBlobSize))
        startedAt = manifestHTTP.clock.monotonicSeconds()
    }

    /// `client` allowed only what is left of ``RegistryOptions/totalTime``; an error when nothing is.
    private func bounded(_ client: HTTPClient) throws(RegistryError) -> HTTPClient {
        let remaining = options.totalTime - (client.clock.monotonicSeconds() - startedAt)
        guard remaining > 0 else {
            throw RegistryError(
                message: "\(registryName) did not finish answering about this image within "
                    + "\(Int(options.totalTime.rounded())) s; giving up")
        }
        var limited = client
        limited.configuration.timeout = min(limited.configuration.timeout, remaining)
        limited.configuration.retryPolicy.maximumTotalTime = min(
            limited.configuration.retryPolicy.maximumTotalTime, remaining)
        return limited
    }

    /// The manifest at `reference` (a tag or a digest). nil when the registry has none (404).
    /// The digest is always computed from the bytes; a `Docker-Content-Digest` header must agree,
    /// and so must the digest asked for.
    mutating func manifest(_ reference: String, accept: [String]) throws(RegistryError) -> FetchedManifest? {
        let path = "/v2/\(image.repository)/manifests/\(reference)"
        let response = try get(path, accept: accept, client: manifestHTTP)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw unexpected(response, path) }
        let digest = SHA256Digest.digestString(response.body)
        if let header = response.headers["Docker-Content-Digest"], header != digest {
            throw RegistryError(message: "the registry says \(path) is \(header), but its bytes hash to \(digest)")
        }
        if SHA256Digest.isValidDigest(reference), reference != digest {
            throw RegistryError(message: "the manifest fetched as \(reference) hashes to \(digest)")
        }
        // A 200 that is not a manifest (a proxy's login page, an error page) would be hashed and
        // reported as the image's digest, and its missing signature as a definite failure.
        guard Self.isManifest(response) else {
            let type = response.headers["Content-Type"].map { "\"\($0.prefix(80))\"" } ?? "no Content-Type"
            throw RegistryError(
                message: "\(registryName) answered \(path) with \(type) and a body that is not an image "
                    + "manifest")
        }
        return FetchedManifest(digest: digest, bytes: response.body, contentType: response.headers["Content-Type"])
    }

    /// Whether an answer is an image manifest or index: a manifest media type as its Content-Type
    /// (parameters ignored), or, from a registry that labels it otherwise (`application/json`), a
    /// JSON object whose `mediaType` is one, or a schema-2 manifest without it.
    static func isManifest(_ response: HTTPResponse) -> Bool {
        if let type = ManifestMediaType.normalized(response.headers["Content-Type"]),
            ManifestMediaType.all.contains(type)
        {
            return true
        }
        guard let document = try? JSONDocument(bytes: response.body), document.root.kind == .object else {
            return false
        }
        if let mediaType = document.root["mediaType"]?.stringValue { return ManifestMediaType.all.contains(mediaType) }
        return document.root["schemaVersion"]?.intValue == 2
            && (document.root["layers"]?.kind == .array || document.root["manifests"]?.kind == .array)
    }

    /// The blob `digest`; bytes that do not hash to it give a `blob-digest-mismatch` failure.
    mutating func blob(_ digest: String) throws(RegistryError) -> Result<[UInt8], VerificationFailure> {
        let path = "/v2/\(image.repository)/blobs/\(digest)"
        let response = try get(path, accept: [], client: blobHTTP)
        guard response.status == 200 else { throw unexpected(response, path) }
        let actual = SHA256Digest.digestString(response.body)
        guard actual == digest else {
            return .failure(VerificationFailure(.blobDigestMismatch, "the blob \(digest) hashes to \(actual)"))
        }
        return .success(response.body)
    }

    /// The referrers API (`/v2/<name>/referrers/<digest>`): the index, or nil when the registry lacks it.
    mutating func referrers(_ digest: String) throws(RegistryError) -> [UInt8]? {
        let path = "/v2/\(image.repository)/referrers/\(digest)"
        let response = try get(path, accept: [ManifestMediaType.ociIndex], client: manifestHTTP)
        // Registries without the API answer 404 (docker-registry 2.8), 400 or 405.
        guard response.status == 200 else {
            if [400, 404, 405].contains(response.status) { return nil }
            throw unexpected(response, path)
        }
        let type = response.headers["Content-Type"] ?? ""
        return type.hasPrefix(ManifestMediaType.ociIndex) ? response.body : nil
    }

    // MARK: Requests and auth

    /// GET with the current authorization; on a 401 challenge, authenticate once and try again.
    /// Redirects (blob storage on another host) are followed, up to three, without the credentials.
    private mutating func get(_ path: String, accept: [String], client: HTTPClient) throws(RegistryError)
        -> HTTPResponse
    {
        var response = try send(url: baseURL + path, accept: accept, client: client, authorized: true)
        if response.status == 401 {
            try authenticate(challenge: response.headers["WWW-Authenticate"] ?? "")
            response = try send(url: baseURL + path, accept: accept, client: client, authorized: true)
        }
        var redirects = 0
        var current = baseURL + path
        while [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["Location"] {
            redirects += 1
            guard redirects <= 3 else { throw RegistryError(message: "too many redirects for \(path)") }
            // Relative to the URL that sent it (RFC 9110 §10.2.2): blob storage redirecting within
            // itself stays there, and never gets the registry's credentials.
            guard let target = URL(string: location, relativeTo: URL(string: current))?.absoluteURL.absoluteString
            else {
                throw RegistryError(message: "\(registryName) redirected \(path) to an invalid URL")
            }
            try checkScheme(target)
            current = target
            response = try send(
                url: target, accept: accept, client: client, authorized: target.hasPrefix(baseURL + "/"))
        }
        if redirects > 0, response.status >= 400, let host = URL(string: current)?.host {
            throw RegistryError(
                message: "\(host), where \(registryName) redirected \(path), answered HTTP \(response.status)")
        }
        if response.status == 401 || response.status == 403 {
            throw RegistryError(message: "the registry refused access to \(path) (HTTP \(response.status))")
        }
        return response
    }

    private func send(url: String, accept: [String], client: HTTPClient, authorized: Bool) throws(RegistryError)
        -> HTTPResponse
    {
        var headers: HTTPHeaders = ["User-Agent": "scangate"]
        if !accept.isEmpty { headers.add("Accept", accept.joined(separator: ", ")) }
        if authorized, let authorization { headers.add("Authorization", authorization) }
        let limited = try bounded(client)
        do {
            return try limited.send(HTTPRequest(method: .get, url: url, headers: headers))
        } catch {
            throw RegistryError(message: "\(registryName): \(error)")
        }
    }

    private var registryName: String { image.registry }

    /// Answers a `WWW-Authenticate` challenge: `Bearer realm=…,service=…,scope=…` (a token, anonymous or
    /// with the credentials) or `Basic` (the credentials).
    private mutating func authenticate(challenge: String) throws(RegistryError) {
        guard authorization == nil || authorization?.hasPrefix("Bearer") == true else {
            throw RegistryError(message: "\(registryName) refused the credentials")
        }
        let (scheme, parameters) = Self.parseChallenge(challenge)
        switch scheme.lowercased() {
        case "basic":
            guard let credentials = options.credentials else {
                throw RegistryError(
                    message: "\(registryName) requires credentials (\(RegistryCredentials.usernameVariable))")
            }
            authorization = credentials.basicAuthorization
        case "bearer":
            guard let realm = parameters["realm"], !realm.isEmpty else {
                throw RegistryError(message: "\(registryName) sent a bearer challenge without a realm")
            }
            try checkScheme(realm)
            var query: [String] = []
            if let service = parameters["service"] { query.append("service=\(Self.percentEncoded(service))") }
            let scope = parameters["scope"] ?? "repository:\(image.repository):pull"
            query.append("scope=\(Self.percentEncoded(scope))")
            let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
            var headers: HTTPHeaders = ["User-Agent": "scangate", "Accept": "application/json"]
            if let credentials = options.credentials { headers.add("Authorization", credentials.basicAuthorization) }
            let response: HTTPResponse
            let limited = try bounded(manifestHTTP)
            do {
                response = try limited.send(HTTPRequest(method: .get, url: url, headers: headers))
            } catch {
                throw RegistryError(message: "the token service of \(registryName): \(error)")
            }
            guard response.status == 200, let root = StrictJSON.parse(response.body),
                let token = root.text("token") ?? root.text("access_token"), !token.isEmpty
            else {
                throw RegistryError(
                    message: "the token service of \(registryName) gave no token (HTTP \(response.status))")
            }
            guard Self.isHeaderSafe(token) else {
                throw RegistryError(message: "the token service of \(registryName) gave a token no header can carry")
            }
            authorization = "Bearer \(token)"
        default:
            throw RegistryError(message: "\(registryName) asked for authentication ScanGate does not support")
        }
    }

    /// Whether a token service's token can go into the `Authorization` header: visible ASCII only
    /// (a line break would add headers of the token service's choosing) and at most 64 KiB.
    static func isHeaderSafe(_ token: String) -> Bool {
        token.utf8.count <= 64 * 1024 && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Plain HTTP only to loopback hosts, and only when allowed.
    private func checkScheme(_ url: String) throws(RegistryError) {
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") { return }
        guard lowered.hasPrefix("http://") else {
            let scheme = url.prefix { $0 != ":" }.prefix(20)
            throw RegistryError(message: "refusing \(url.prefix(200)): only https is followed, not \(scheme)")
        }
        if options.allowInsecureLoopback {
            let host = url.dropFirst("http://".count).prefix { $0 != "/" && $0 != "?" }
            if let parsed = ImageReference(String(host) + "/x"), parsed.isLoopback { return }
        }
        throw RegistryError(
            message: "refusing \(url.prefix(200)): plain HTTP is allowed only for loopback with --insecure-registry")
    }

    private func unexpected(_ response: HTTPResponse, _ path: String) -> RegistryError {
        RegistryError(message: "\(registryName) answered HTTP \(response.status) for \(path)")
    }

    /// `scheme k="v",k2="v2"` (values may be quoted and contain commas).
    static func parseChallenge(_ header: String) -> (String, [String: String]) {
        let trimmed = Substring(header).drop { $0 == " " }
        let scheme = String(trimmed.prefix { $0 != " " })
        var rest = trimmed.dropFirst(scheme.count)
        var parameters: [String: String] = [:]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            let name = String(rest.prefix { $0 != "=" }).lowercased()
            rest = rest.dropFirst(name.count)
            guard rest.first == "=" else { break }
            rest = rest.dropFirst()
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    if character == "\\", let escaped = rest.dropFirst().first {
                        value.append(escaped)
                        rest = rest.dropFirst(2)
                    } else {
                        value.append(character)
                        rest = rest.dropFirst()
                    }
                }
                rest = rest.dropFirst()
            } else {
                value = String(rest.prefix { $0 != "," })
                rest = rest.dropFirst(value.count)
            }
            if !name.isEmpty { parameters[name] = value }
        }
        return (scheme, parameters)
    }

    static func percentEncoded(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            let isUnreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if isUnreserved {
                output.append(Character(Unicode.Scalar(byte)))
            } else {
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return output
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
