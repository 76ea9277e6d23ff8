import Findings
import Foundation
import ScanGateJSON

/// An OpenVEX status.
public enum VEXStatus: String, Sendable, Hashable {
    case notAffected = "not_affected"
    case affected
    case fixed
    case underInvestigation = "under_investigation"

    /// `not_affected` and `fixed` take a finding out of the gate.
    public var suppresses: Bool { self == .notAffected || self == .fixed }
}

/// A product of a statement: its own identifiers, and its subcomponents' (each one list).
///
/// Without subcomponents the product is the package itself (`pkg:npm/lodash@4.17.15`), or an
/// image and every package in it. With them, it is the artifact they are part of (an image:
/// `pkg:oci/app@sha256:…?repository_url=…` or `ghcr.io/acme/app@sha256:…`; a source repository:
/// `pkg:github/acme/app`), and the statement speaks of those packages in that artifact only; a
/// product that is neither (`pkg:npm/express@4.17.1`) is some other product, not this project.
public struct VEXProduct: Sendable, Hashable {
    public var identifiers: [String]
    public var subcomponents: [[String]]
    /// What the product gives that ScanGate cannot check against a scan (`hashes`), or nil. Such
    /// a product is narrower than its identifiers: it takes no finding out.
    public var unchecked: String?

    public init(identifiers: [String], subcomponents: [[String]] = [], unchecked: String? = nil) {
        self.identifiers = identifiers
        self.subcomponents = subcomponents
        self.unchecked = unchecked
    }
}

/// How a statement matched a finding's package.
public enum VEXMatch: Sendable, Equatable {
    /// A product or subcomponent naming the package's version.
    case version
    /// A purl without a version: every version of the package.
    case everyVersion

    /// `slot` made the stronger of what it holds and `match` (a version beats every version).
    static func strengthen(_ slot: inout VEXMatch?, with match: VEXMatch) {
        if slot == nil || match == .version { slot = match }
    }
}

/// One OpenVEX statement, as far as the gate needs it.
public struct VEXStatement: Sendable {
    /// The file and the line of the statement.
    public var source: SourceRef
    /// 1-based position in `statements`.
    public var index: Int
    /// The vulnerability's `name`, `@id` and `aliases`.
    public var vulnerabilityIDs: [String]
    /// The products, each with its subcomponents (`@id` and `identifiers.purl`, as written).
    public var products: [VEXProduct]
    public var status: VEXStatus
    public var justification: String?
    public var impactStatement: String?
    /// The statement's timestamp, else the document's (RFC 3339 text).
    public var timestamp: String? {
        didSet { instant = timestamp.flatMap(RFC3339.epochSeconds) }
    }
    /// ``timestamp`` as seconds since 1970, what statements are ordered by (text would order
    /// `+02:00` and `Z` wrongly).
    public private(set) var instant: Double?

    public init(
        source: SourceRef, index: Int = 1, vulnerabilityIDs: [String], products: [VEXProduct], status: VEXStatus,
        justification: String? = nil, impactStatement: String? = nil, timestamp: String? = nil
    ) {
        self.source = source
        self.index = index
        self.vulnerabilityIDs = vulnerabilityIDs
        self.products = products
        self.status = status
        self.justification = justification
        self.impactStatement = impactStatement
        self.timestamp = timestamp
        self.instant = timestamp.flatMap(RFC3339.epochSeconds)
    }

    /// How the statement is about this finding, or nil when it is not: one of its ids is the
    /// finding's id or an alias, and its products cover **every place** the finding is at
    /// (``VEXPlace``: each image it was found in, or the source tree): a product that is the
    /// finding's package covers every place; an image, or a product with a subcomponent that is
    /// the package, covers the places in that artifact (its image, or the source tree of the
    /// repository being gated). A merged finding is one vulnerability in several images: a
    /// statement about one of them says nothing of the others. Package URLs match on type,
    /// namespace, name, the version when the product gives one (none: every version), and every
    /// qualifier the product gives (`?arch=arm64` is not the amd64 package). When places are
    /// covered differently, the weakest match counts (one place covered for every version only
    /// makes the whole ``VEXMatch/everyVersion``).
    /// - Parameter repository: the repository being gated; a product that names a source
    ///   repository (``SourceRepository/init(product:)``) speaks for the source tree's findings
    ///   only when it names this one, and for none when it is nil.
    public func match(_ finding: Finding, repository: SourceRepository? = nil) -> VEXMatch? {
        judge(finding, repository: repository).match
    }

    /// Which of the finding's places the statement covers, and, when it covers none only because
    /// a product with subcomponents is not this project's, why (``VEXSetAside``).
    func judge(_ finding: Finding, repository: SourceRepository?) -> VEXJudgement {
        let findingIDs = Set(([finding.ruleID] + finding.aliases).map { $0.asciiUppercased })
        guard vulnerabilityIDs.contains(where: { findingIDs.contains($0.asciiUppercased) }),
            let purl = PackageURL.of(finding)
        else { return VEXJudgement(places: [], matches: [], setAside: nil) }
        // A package merged from differing purls (two architectures). A statement that takes the
        // finding out must cover each of them, and a place is covered as weakly as the weakest of
        // them covers it; one that keeps it in (`affected` about one architecture) speaks for the
        // finding where it covers any of them.
        let sources = finding.package?.sourcePURLs ?? []
        guard sources.count > 1 else { return judge(finding, purl: purl, repository: repository) }
        let judgements = sources.map { judge(finding, purl: $0, repository: repository) }
        var combined = judgements[0]
        for judgement in judgements.dropFirst() {
            for index in combined.matches.indices {
                switch (combined.matches[index], judgement.matches[index]) {
                case (.version?, .version?): combined.matches[index] = .version
                case (_?, _?): combined.matches[index] = .everyVersion
                case (let one?, nil), (nil, let one?): combined.matches[index] = status.suppresses ? nil : one
                case (nil, nil): combined.matches[index] = nil
                }
            }
            if combined.setAside == nil { combined.setAside = judgement.setAside }
        }
        return combined
    }

    /// ``judge(_:repository:)`` of the finding's package as `purl`.
    private func judge(_ finding: Finding, purl: String, repository: SourceRepository?) -> VEXJudgement {
        let places = VEXPlace.places(of: finding)
        var matches = [VEXMatch?](repeating: nil, count: places.count)
        var setAside: VEXSetAside?
        for product in products {
            // What this product covers, kept apart until it is known to count.
            var covered = [VEXMatch?](repeating: nil, count: places.count)
            func coverByProduct(_ index: Int, _ match: VEXMatch) { VEXMatch.strengthen(&covered[index], with: match) }
            var unchecked = product.unchecked
            if product.subcomponents.isEmpty {
                for identifier in product.identifiers {
                    if let image = VEXArtifact.image(identifier) {
                        // An image as the product: every package in that image.
                        for (index, place) in places.enumerated() where place.isIn(image.reference) {
                            coverByProduct(index, image.pinsVersion ? .version : .everyVersion)
                            if unchecked == nil { unchecked = image.unchecked }
                        }
                    } else if let match = PackageURL.match(product: identifier, package: purl) {
                        // The package itself as the product: wherever it is.
                        for index in places.indices { coverByProduct(index, match) }
                    }
                }
            } else {
                var subcomponentMatch: VEXMatch?
                for identifier in product.subcomponents.joined() {
                    guard let match = PackageURL.match(product: identifier, package: purl) else { continue }
                    VEXMatch.strengthen(&subcomponentMatch, with: match)
                }
                guard let subcomponentMatch else { continue }
                let artifact = VEXArtifact(identifiers: product.identifiers)
                for (index, place) in places.enumerated() {
                    switch artifact.scope(of: place, repository: repository, suppressing: status.suppresses) {
                    case .contains(let image):
                        // An image named by digest or tag pins its packages' versions, as an
                        // image product without subcomponents does: `fixed` for the package in
                        // that build names its version.
                        coverByProduct(index, image?.pinsVersion == true ? .version : subcomponentMatch)
                        if unchecked == nil { unchecked = image?.unchecked }
                    case .setAside(let reason):
                        if setAside == nil { setAside = reason }
                    case .outside:
                        break
                    }
                }
            }
            // A product narrower than ScanGate can check (an image of one platform, hashes) takes
            // nothing out; its `affected` still keeps the finding in.
            if let unchecked, status.suppresses, covered.contains(where: { $0 != nil }) {
                if setAside == nil { setAside = .unchecked(product: product.identifiers.first ?? "", what: unchecked) }
                continue
            }
            for (index, match) in covered.enumerated() {
                if let match { VEXMatch.strengthen(&matches[index], with: match) }
            }
        }
        return VEXJudgement(places: places, matches: matches, setAside: setAside)
    }
}

/// A place a finding is at, as far as an OpenVEX product can speak for it: an image it was
/// found in, the project's source tree, or another artifact no product names (a virtual
/// machine, a cluster resource).
enum VEXPlace: Hashable, CustomStringConvertible {
    case image(ImageReference)
    case sourceTree
    /// A place in no image and outside the source tree: the finding's scope
    /// (``FindingIdentity/scope``, `vm:…`, `k8s:…`). Only a product that is the package itself
    /// covers it: a repository's statement speaks for its source tree, not for a machine or a
    /// cluster workload that runs something else.
    case elsewhere(String)

    /// The finding's places, each once, in the order of its locations: every image of its
    /// locations, and, when a location is in no image or it has none, the source tree for a
    /// finding in the source tree's scope (``FindingIdentity/sourceScope``), else its scope.
    static func places(of finding: Finding) -> [VEXPlace] {
        let scope = finding.identity.scope
        let imageless: VEXPlace = scope == FindingIdentity.sourceScope ? .sourceTree : .elsewhere(scope)
        var places: [VEXPlace] = []
        // Each once through a set: a finding merged from thousands of workloads' images was
        // quadratic in them, for every statement judged against it.
        var seen: Set<VEXPlace> = []
        for location in finding.locations {
            let place = location.image.map(VEXPlace.image) ?? imageless
            if seen.insert(place).inserted { places.append(place) }
        }
        return places.isEmpty ? [imageless] : places
    }

    /// Whether the place is in that image: same repository (``ImageName/normalRepository(_:)``),
    /// and the digest and tag `wanted` gives, when it gives them (an image whose digest is not
    /// known does not match a digest; with a digest, the tag is not compared).
    func isIn(_ wanted: ImageReference) -> Bool {
        guard case .image(let actual) = self else { return false }
        return ImageName.normalRepository(actual.repository) == ImageName.normalRepository(wanted.repository)
            && (wanted.digest == nil || wanted.digest?.asciiLowercased == actual.digest?.asciiLowercased)
            && (wanted.tag == nil || wanted.digest != nil || wanted.tag == actual.tag)
    }

    /// `ghcr.io/acme/app:2.0@sha256:…`, or `the source tree`.
    var description: String {
        switch self {
        case .image(let image):
            image.repository + (image.tag.map { ":" + $0 } ?? "") + (image.digest.map { "@" + $0 } ?? "")
        case .sourceTree:
            "the source tree"
        case .elsewhere(let scope):
            scope
        }
    }
}

/// Why a statement whose subcomponent is the finding's package speaks for none of its places.
enum VEXSetAside: Equatable {
    /// The finding is in the source tree and the product names a source repository that is not
    /// the one being gated, or the gated one is not known.
    case otherRepository(SourceRepository)
    /// The product (its first identifier) is neither an image nor a source repository: another
    /// product (an upstream library's own statement about what it bundles), not this project.
    case notAnArtifact(String)
    /// The product would cover the finding but says more than a scan can confirm (`what`: an
    /// image's platform qualifiers, hashes): it may be about another build.
    case unchecked(product: String, what: String)
}

/// What a statement says of one finding: which of its places (``VEXPlace``) it covers and how.
struct VEXJudgement {
    /// The finding's places; empty when the statement is not about its vulnerability or package.
    var places: [VEXPlace]
    /// For each place, how the statement covers it, or nil when it does not.
    var matches: [VEXMatch?]
    /// Why a product that would have spoken for the finding was set aside (only when it covers
    /// no place).
    var setAside: VEXSetAside?

    /// Whether it covers at least one place: it speaks about the finding.
    var speaks: Bool { matches.contains { $0 != nil } }

    /// How it covers the finding when it covers every place (the weakest of the places'
    /// matches), else nil.
    var match: VEXMatch? {
        guard !places.isEmpty, matches.allSatisfy({ $0 != nil }) else { return nil }
        return matches.contains(.everyVersion) ? .everyVersion : .version
    }

    /// The places it covers.
    var covered: [VEXPlace] { zip(places, matches).compactMap { $1 == nil ? nil : $0 } }

    /// The places it does not cover.
    var uncovered: [VEXPlace] { zip(places, matches).compactMap { $1 == nil ? $0 : nil } }
}

/// A source repository: the one being gated (`OWNER/NAME` on GitHub, as the command line knows
/// it), or one an OpenVEX product names (`pkg:github/OWNER/REPO@…`, `pkg:gitlab/…`,
/// `https://github.com/OWNER/REPO`, `git@github.com:OWNER/REPO.git`, …).
public struct SourceRepository: Sendable, Hashable, CustomStringConvertible {
    /// Where it is hosted: `github`, `bitbucket` or `gitlab`.
    public let host: String
    /// `OWNER/REPO` (on GitLab, `GROUP/…/PROJECT`), as written.
    public let path: String

    /// A GitHub repository, `OWNER/NAME` (`GITHUB_REPOSITORY`, `--repository`); nil unless both
    /// parts are non-empty and made of letters, digits, `-`, `_` and `.`.
    public init?(gitHub text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(Self.isName), parts[1] != ".", parts[1] != ".." else { return nil }
        self.init(host: "github", path: text)
    }

    /// The repository a product identifier names, or nil when it names none. Recognised:
    /// - a `pkg:github/OWNER/REPO`, `pkg:bitbucket/OWNER/REPO` or `pkg:gitlab/GROUP/…/PROJECT`
    ///   package URL (version, qualifiers and subpath ignored);
    /// - a URL of github.com, gitlab.com or bitbucket.org with at least an owner and a repository
    ///   (`https://`, `http://`, `git://`, `ssh://`, each also with `git+`; a user, a port, a
    ///   `.git` suffix, a query and further path segments such as `/tree/main` ignored), and
    ///   GitHub's API form `https://api.github.com/repos/OWNER/REPO`;
    /// - the scp-like form git clones by ssh, `git@github.com:OWNER/REPO.git`, and the
    ///   scheme-less `github.com/OWNER/REPO`.
    ///
    /// Any other host (a self-hosted server) is not recognised: nobody can tell which repository
    /// it is.
    public init?(product identifier: String) {
        if let parts = PackageURL.parts(identifier) {
            let segments = parts.base.split(separator: "/", omittingEmptySubsequences: false)
            guard let type = segments.first, type == "github" || type == "bitbucket" || type == "gitlab",
                type == "gitlab" ? segments.count >= 3 : segments.count == 3,
                segments.dropFirst().allSatisfy({ !$0.isEmpty })
            else { return nil }
            self.init(host: String(type), path: segments.dropFirst().joined(separator: "/"))
            return
        }
        guard let (server, rest) = Self.serverAndPath(identifier) else { return nil }
        let hosts = [
            "github.com": "github", "www.github.com": "github", "ssh.github.com": "github", "api.github.com": "github",
            "gitlab.com": "gitlab", "www.gitlab.com": "gitlab", "bitbucket.org": "bitbucket",
            "www.bitbucket.org": "bitbucket",
        ]
        guard let host = hosts[server] else { return nil }
        var path = rest
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        var segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if server == "api.github.com" {
            // `https://api.github.com/repos/OWNER/REPO`; any other API path names no repository.
            guard segments.first == "repos" else { return nil }
            segments.removeFirst()
        }
        if host == "gitlab" {
            // GitLab nests groups; `/-/` starts a page of the project.
            if let page = segments.firstIndex(of: "-") { segments = Array(segments[..<page]) }
        } else {
            segments = Array(segments.prefix(2))
        }
        if let last = segments.last, last.asciiLowercased.hasSuffix(".git") {
            segments[segments.count - 1] = last.dropLast(4)
        }
        guard segments.count >= 2, segments.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(host: host, path: segments.joined(separator: "/"))
    }

    /// The server (lower case, without user and port) and the rest of a repository URL
    /// (`https://`, `http://`, `git://`, `ssh://`, each also with `git+`), of an scp-like
    /// `USER@HOST:PATH`, or of `HOST/PATH` without a scheme; nil for anything else.
    private static func serverAndPath(_ identifier: String) -> (server: String, path: Substring)? {
        var text = Substring(identifier)
        if text.asciiLowercased.hasPrefix("git+") { text = text.dropFirst(4) }
        if let schemeEnd = text.range(of: "://") {
            guard ["https", "http", "git", "ssh"].contains(text[..<schemeEnd.lowerBound].asciiLowercased) else {
                return nil
            }
            let rest = text[schemeEnd.upperBound...]
            var authority = rest.prefix { $0 != "/" }
            var path = rest.dropFirst(authority.count)
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            if let colon = authority.firstIndex(of: ":") {
                let after = authority[authority.index(after: colon)...]
                // A port; anything else after the colon (`ssh://git@github.com:OWNER/REPO`) is the
                // path, written scp-like.
                if !after.allSatisfy(\.isNumber) { path = after + path }
                authority = authority[..<colon]
            }
            return (authority.asciiLowercased, path)
        }
        // `git@github.com:OWNER/REPO.git`: a host (no slash before the colon), then the path.
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            var server = text[..<colon]
            if let at = server.lastIndex(of: "@") { server = server[server.index(after: at)...] }
            return (server.asciiLowercased, text[text.index(after: colon)...])
        }
        // `github.com/OWNER/REPO`, as Go module paths name repositories.
        guard let slash = text.firstIndex(of: "/") else { return nil }
        return (text[..<slash].asciiLowercased, text[slash...])
    }

    init(host: String, path: String) {
        self.host = host
        self.path = path
    }

    /// Whether both are the same repository: the same host, and the same path ignoring case.
    public func isSame(as other: SourceRepository) -> Bool {
        host == other.host && path.asciiLowercased == other.path.asciiLowercased
    }

    /// `OWNER/REPO` on GitHub, `host:PATH` elsewhere.
    public var description: String { host == "github" ? path : "\(host):\(path)" }

    private static func isName(_ part: Substring) -> Bool {
        !part.isEmpty && part.count <= 100
            && part.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

/// A statement's product with subcomponents, as the artifact its subcomponents are part of: the
/// images and source repositories its identifiers name.
struct VEXArtifact {
    /// The images its identifiers name (``image(_:)``).
    var images: [VEXImage]
    /// The source repositories its identifiers name (``SourceRepository/init(product:)``).
    var repositories: [SourceRepository]
    /// Its first identifier, for messages.
    var name: String

    /// Whether a place is in the artifact.
    enum Scope: Equatable {
        /// The place is in the artifact (in this image of it, when the place is an image).
        case contains(VEXImage?)
        /// The artifact is another one (another image, a repository when the place is an image).
        case outside
        /// The artifact cannot be this project's at that place, for this reason: a warning says so.
        case setAside(VEXSetAside)
    }

    init(identifiers: [String]) {
        var images: [VEXImage] = []
        var repositories: [SourceRepository] = []
        for identifier in identifiers {
            if let repository = SourceRepository(product: identifier) {
                repositories.append(repository)
            } else if let image = Self.image(identifier) {
                images.append(image)
            }
        }
        self.images = images
        self.repositories = repositories
        name = identifiers.first ?? ""
    }

    /// Whether the place is in this artifact. An image (`pkg:oci/…`, `pkg:docker/…`, or a
    /// reference with a registry host) contains the places in that image (``VEXPlace/isIn(_:)``).
    /// A source repository contains the source tree only when every repository the product names
    /// is `repository`: a statement copied from another project must not speak for this one, and
    /// when the gated repository is not known nobody can tell (a statement that keeps findings
    /// in, `suppressing` false, still counts then: it may be this one's). A product that is
    /// neither (an upstream package such as `pkg:npm/express@4.17.1`, a product page, a server
    /// ScanGate does not know) is some other product, and contains no place of this project's.
    func scope(of place: VEXPlace, repository: SourceRepository?, suppressing: Bool = true) -> Scope {
        guard !images.isEmpty || !repositories.isEmpty else { return .setAside(.notAnArtifact(name)) }
        switch place {
        case .image:
            return images.first { place.isIn($0.reference) }.map { .contains($0) } ?? .outside
        case .elsewhere:
            return .outside
        case .sourceTree:
            guard !repositories.isEmpty else { return .outside }
            if let other = repositories.first(where: { repository.map($0.isSame) != true }) {
                return repository == nil && !suppressing ? .contains(nil) : .setAside(.otherRepository(other))
            }
            return .contains(nil)
        }
    }

    /// The image an identifier names, or nil when it names no image (nor when it names a source
    /// repository, or is an ssh clone address: `git@github.com:acme/app.git` is not an image
    /// `git` with a digest).
    static func image(_ identifier: String) -> VEXImage? {
        let lowered = identifier.asciiLowercased
        if lowered.hasPrefix("pkg:oci/") || lowered.hasPrefix("pkg:docker/") {
            guard let parts = PackageURL.parts(identifier) else { return nil }
            let name = String(parts.base.drop { $0 != "/" }.dropFirst())
            var repository = parts.qualifiers["repository_url"] ?? name
            // A Docker purl's `repository_url` is the registry (`?repository_url=gcr.io`), its
            // namespace and name the repository there; an OCI purl's names the whole repository.
            if lowered.hasPrefix("pkg:docker/"), let registry = parts.qualifiers["repository_url"],
                !registry.asciiLowercased.hasSuffix("/" + name.asciiLowercased)
            {
                repository = (registry.hasSuffix("/") ? registry : registry + "/") + name
            }
            let version = parts.version
            let isDigest = version?.contains(":") ?? false
            // `arch`, `os`, `platform`…: a scan does not record which platform an image was.
            let unchecked = parts.qualifiers.keys.filter { $0 != "repository_url" && $0 != "tag" }.sorted()
            return VEXImage(
                reference: ImageReference(
                    repository: repository,
                    tag: isDigest ? parts.qualifiers["tag"] : (version ?? parts.qualifiers["tag"]),
                    digest: isDigest ? version : nil),
                unchecked: unchecked.isEmpty
                    ? nil : (unchecked.count == 1 ? "qualifier " : "qualifiers ") + unchecked.joined(separator: ", "))
        }
        guard !lowered.hasPrefix("pkg:"), !lowered.contains("://"), SourceRepository(product: identifier) == nil
        else { return nil }
        // `registry.example/acme/app:1.0`: the first part names a host (a dot, a port or localhost),
        // and no user (`git@git.example.com:acme/app.git` is an ssh clone address).
        let first = identifier.prefix { $0 != "/" }
        guard first.count < identifier.count, !first.contains("@"),
            first.contains(".") || first.contains(":") || first == "localhost"
        else { return nil }
        return VEXImage(reference: ImageReference(parsing: identifier), unchecked: nil)
    }

}

/// An image an OpenVEX product names, and what of it a scan cannot confirm.
struct VEXImage: Equatable {
    var reference: ImageReference
    /// The purl qualifiers a scan cannot be compared with (`arch`, `os`), described; nil when
    /// every part of the name can be checked.
    var unchecked: String?

    /// Whether it names one build (a digest or a tag), which pins its packages' versions.
    var pinsVersion: Bool { reference.digest != nil || reference.tag != nil }
}

/// An OpenVEX document (`--vex`), read with ScanGate's strict JSON reader.
public struct VEXDocument: Sendable {
    public var file: String
    public var statements: [VEXStatement]

    public init(file: String, statements: [VEXStatement]) {
        self.file = file
        self.statements = statements
    }

    /// Reads and checks an OpenVEX file from disk.
    public static func load(path: String) throws(ConfigurationError) -> VEXDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                document: .vex, file: path, line: 0, message: "cannot read the file: \(UnreadableFile.reason(path))")
        }
        return try parse(bytes: [UInt8](data), file: path)
    }

    /// Parses an OpenVEX JSON document. Refused: not JSON, no `@context` naming openvex.dev,
    /// no `statements`, a statement without vulnerability, status or products, a status or
    /// justification OpenVEX does not define, `not_affected` without `justification` or
    /// `impact_statement`, a timestamp that is not RFC 3339, a product purl that does not parse.
    public static func parse(bytes: [UInt8], file: String) throws(ConfigurationError) -> VEXDocument {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes)
        } catch {
            throw ConfigurationError(
                document: .vex, file: file, line: error.line, column: error.column,
                message: "not JSON: \(error.message)")
        }
        // A key twice in one object (`"status": "fixed", "status": "affected"`) is refused by the
        // JSON reader: what it means would depend on the parser.
        do throws(JSONAccessError) {
            return try read(document.root, file: file)
        } catch {
            throw ConfigurationError(
                document: .vex, file: file, line: error.line, message: "\(error.message) (at \(error.path))")
        }
    }

    private static func read(_ root: JSONValue, file: String) throws(JSONAccessError) -> VEXDocument {
        let object = try root.requireObject()
        guard let context = try object.string("@context"),
            context == "https://openvex.dev/ns" || context.hasPrefix("https://openvex.dev/ns/")
        else {
            throw object.error("not an OpenVEX document: \"@context\" must be https://openvex.dev/ns/…")
        }
        // OpenVEX requires it, and the latest statement about a finding decides: a document
        // without one could never be ordered against another.
        guard let issued = try timestamp(in: object, of: "the document") else {
            throw object.error(
                "an OpenVEX document needs a \"timestamp\" (RFC 3339): statements are ordered by it")
        }
        // Checked, but not what its statements are dated by: OpenVEX's statements inherit the
        // document's `timestamp`, and an update must not re-date the statements it left alone
        // (they would outrank a later statement in another document).
        _ = try timestamp(in: object, of: "the document", key: "last_updated")
        let documentTimestamp = issued
        guard let statements = try object.array("statements") else {
            throw object.error("an OpenVEX document needs \"statements\"")
        }
        var result: [VEXStatement] = []
        for (offset, element) in statements.enumerated() {
            result.append(try readStatement(element, index: offset + 1, file: file, timestamp: documentTimestamp))
        }
        return VEXDocument(file: file, statements: result)
    }

    private static func readStatement(_ value: JSONValue, index: Int, file: String, timestamp: String?)
        throws(JSONAccessError) -> VEXStatement
    {
        let statement = try value.requireObject()
        let what = "statement \(index)"
        try refuseUnknownKeys(statement, known: statementKeys, what: what)
        guard let vulnerability = statement["vulnerability"], !vulnerability.isNull else {
            throw statement.error("\(what) has no \"vulnerability\"")
        }
        var ids: [String] = []
        if let name = vulnerability.stringValue {
            ids.append(name)
        } else {
            let object = try vulnerability.requireObject()
            if let name = try object.string("name") { ids.append(name) }
            if let id = try object.string("@id") { ids.append(id) }
            ids += try object.strings("aliases")
        }
        ids = ids.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw vulnerability.error("\(what): the vulnerability has no name, @id or aliases") }
        guard let statusText = try statement.string("status") else {
            throw statement.error("\(what) has no \"status\"")
        }
        guard let status = VEXStatus(rawValue: statusText) else {
            throw statement["status"]?.error(
                "\(what): status \"\(statusText)\" is not one of not_affected, affected, fixed, under_investigation")
                ?? statement.error("\(what): bad status")
        }
        guard let productValues = try statement.array("products"), !productValues.isEmpty else {
            throw statement.error(
                "\(what) has no products: ScanGate refuses a statement that does not say which product it is about")
        }
        // OpenVEX v0.0.1 lists subcomponents beside the products, for all of them; v0.2.0 inside
        // each product. Ignored, they would leave the statement about every package of the product.
        // `hashes` narrow a product or subcomponent to one build. A scan confirms an image's own
        // digest (a product naming its image by that digest, its `sha-256` that digest), nothing
        // else: such a product takes nothing out (``VEXProduct/unchecked``) rather than all builds.
        // Empty or null `hashes` narrow nothing.
        func givenHashes(_ value: JSONValue) -> JSONValue? {
            guard value.kind == .object, let hashes = value["hashes"], hashes.kind == .object, hashes.count > 0
            else { return nil }
            return hashes
        }
        var sharedSubcomponents: [[String]] = []
        var sharedHashes = false
        for subcomponent in try statement.array("subcomponents") ?? [] {
            sharedSubcomponents.append(try productIdentifiers(subcomponent, what: what, keys: subcomponentKeys))
            sharedHashes = sharedHashes || givenHashes(subcomponent) != nil
        }
        var products: [VEXProduct] = []
        for product in productValues {
            var subcomponents = sharedSubcomponents
            var subcomponentHashes = sharedHashes
            if product.kind == .object, let values = try product.array("subcomponents") {
                for subcomponent in values {
                    subcomponents.append(try productIdentifiers(subcomponent, what: what, keys: subcomponentKeys))
                    subcomponentHashes = subcomponentHashes || givenHashes(subcomponent) != nil
                }
            }
            let identifiers = try productIdentifiers(product, what: what, keys: productKeys)
            var unchecked: String?
            if subcomponentHashes {
                unchecked = "subcomponent's hashes"
            } else if let hashes = givenHashes(product), !Self.hashesAreTheDigest(hashes, of: identifiers) {
                unchecked = "hashes"
            }
            products.append(VEXProduct(identifiers: identifiers, subcomponents: subcomponents, unchecked: unchecked))
        }
        let justification = try statement.string("justification")
        if let justification, !justifications.contains(justification) {
            throw (statement["justification"] ?? statement).error(
                "\(what): justification \"\(justification)\" is not one of "
                    + justifications.sorted().joined(separator: ", "))
        }
        let impact = try statement.string("impact_statement").flatMap {
            $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0
        }
        if status == .notAffected, justification == nil, impact == nil {
            throw statement.error("\(what) is not_affected without a justification or impact_statement")
        }
        // When it was last said: its update, else its issue, else the document's.
        let updated = try Self.timestamp(in: statement, of: what, key: "last_updated")
        let issued = try Self.timestamp(in: statement, of: what)
        return VEXStatement(
            source: SourceRef(file: file, line: statement.line), index: index, vulnerabilityIDs: ids,
            products: products, status: status, justification: justification, impactStatement: impact,
            timestamp: updated ?? issued ?? timestamp)
    }

    /// Whether a product's `hashes` say no more than its identifiers: each names an image by
    /// digest, and the hashes are that digest's `sha-256` (any other algorithm's value of the
    /// same bytes adds nothing the digest does not pin).
    private static func hashesAreTheDigest(_ hashes: JSONValue, of identifiers: [String]) -> Bool {
        guard let sha256 = hashes["sha-256"]?.stringValue?.asciiLowercased, !identifiers.isEmpty else { return false }
        return identifiers.allSatisfy { identifier in
            VEXArtifact.image(identifier)?.reference.digest?.asciiLowercased == "sha256:" + sha256
        }
    }

    /// The keys OpenVEX defines for a statement (v0.2.0's schema, with `version`; v0.0.1's
    /// `vuln_description` and `subcomponents`), and for a product and a subcomponent (with
    /// `supplier`, which go-vex, and so vexctl, writes). Any other is refused: a misspelt
    /// `subcomponent` or `product` would be ignored and leave the statement broader than its
    /// author meant.
    static let statementKeys: Set<String> = [
        "@id", "version", "vulnerability", "vuln_description", "timestamp", "last_updated", "products",
        "subcomponents", "status", "supplier", "status_notes", "justification", "impact_statement",
        "action_statement", "action_statement_timestamp",
    ]
    static let productKeys: Set<String> = ["@id", "identifiers", "hashes", "supplier", "subcomponents"]
    static let subcomponentKeys: Set<String> = ["@id", "identifiers", "hashes", "supplier"]

    private static func refuseUnknownKeys(_ object: JSONValue, known: Set<String>, what: String)
        throws(JSONAccessError)
    {
        guard let unknown = object.members.first(where: { !known.contains($0.key) }) else { return }
        throw unknown.value.error(
            "\(what): unknown key \"\(unknown.key)\" (OpenVEX defines \(known.sorted().joined(separator: ", "))): "
                + "a misspelt key would be ignored and the statement read as broader than meant")
    }

    /// OpenVEX's justifications for `not_affected` (spec v0.2.0, "Status Justifications").
    static let justifications: Set<String> = [
        "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist",
    ]

    /// The object's `timestamp`, which must be an RFC 3339 date-time: the latest statement
    /// about a finding decides, and a timestamp that cannot be ordered must not win or lose by
    /// accident.
    private static func timestamp(in object: JSONValue, of what: String, key: String = "timestamp")
        throws(JSONAccessError) -> String?
    {
        guard let text = try object.string(key) else { return nil }
        guard RFC3339.epochSeconds(text) != nil else {
            throw (object[key] ?? object).error(
                "\(what): \(key) \"\(text)\" is not an RFC 3339 date-time (e.g. 2026-11-25T10:00:00Z)")
        }
        return text
    }

    private static func productIdentifiers(_ value: JSONValue, what: String, keys: Set<String>)
        throws(JSONAccessError) -> [String]
    {
        if let text = value.stringValue { return [try checkedPurl(text, at: value, what: what)] }
        let object = try value.requireObject()
        var identifiers: [String] = []
        if let id = try object.string("@id") {
            identifiers.append(try checkedPurl(id, at: object["@id"] ?? object, what: what))
        }
        if let identifierObject = try object.object("identifiers"), let purl = try identifierObject.string("purl") {
            identifiers.append(try checkedPurl(purl, at: identifierObject["purl"] ?? identifierObject, what: what))
        }
        guard !identifiers.isEmpty else {
            throw object.error("\(what): a product has neither @id nor identifiers.purl")
        }
        try refuseUnknownKeys(object, known: keys, what: what)
        return identifiers
    }

    /// A product that is a purl must parse: one that does not (a bad percent escape, no name)
    /// would otherwise match by accident or never.
    private static func checkedPurl(_ text: String, at value: JSONValue, what: String) throws(JSONAccessError)
        -> String
    {
        // An empty identifier names nothing: read as a product, it would only ever be warned
        // about as matching no finding, while its author meant something.
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw value.error("\(what): a product or subcomponent identifier is empty")
        }
        guard text.asciiLowercased.hasPrefix("pkg:"), PackageURL.parts(text) == nil else { return text }
        throw value.error("\(what): product \"\(text)\" is not a valid package URL")
    }
}

/// Package URLs as far as VEX matching needs them.
enum PackageURL {
    /// The finding's package purl, or one built from its ecosystem, name and version for the
    /// ecosystems whose purl type is the ecosystem's name.
    static func of(_ finding: Finding) -> String? {
        guard let package = finding.package else { return nil }
        if let purl = package.purl, !purl.isEmpty { return purl }
        let types: Set<String> = ["npm", "pypi", "cargo", "gem", "nuget", "golang", "composer", "maven"]
        guard types.contains(package.ecosystem), let version = package.installedVersion else { return nil }
        let name = package.ecosystem == "maven" ? package.name.replacingOccurrences(of: ":", with: "/") : package.name
        return "pkg:\(package.ecosystem)/\(name)@\(version)"
    }

    /// `pkg:type/namespace/name@version?qualifiers` without the subpath, percent-decoded, the
    /// type and qualifier keys lowercased, and the namespace and name for the types that are not
    /// case-sensitive (``caseInsensitiveTypes``; pypi's `_` as `-` too); nil when it is not one (no type and
    /// name, an empty version, a bad percent escape, a qualifier without `=`).
    static func parts(_ purl: String) -> (base: String, version: String?, qualifiers: [String: String])? {
        guard purl.asciiLowercased.hasPrefix("pkg:") else { return nil }
        var text = Substring(purl.dropFirst(4))
        // The purl spec: slashes after the scheme (`pkg://npm/…`) are ignored.
        while text.first == "/" { text = text.dropFirst() }
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        var qualifiers: [String: String] = [:]
        if let question = text.firstIndex(of: "?") {
            for pair in text[text.index(after: question)...].split(separator: "&") {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex,
                    let value = String(pair[pair.index(after: equals)...]).removingPercentEncoding
                else { return nil }
                qualifiers[pair[..<equals].asciiLowercased] = value
            }
            text = text[..<question]
        }
        var version: String?
        if let at = text.lastIndex(of: "@"), text[at...].contains("/") == false, at != text.startIndex {
            guard let decoded = String(text[text.index(after: at)...]).removingPercentEncoding, !decoded.isEmpty
            else { return nil }
            version = decoded
            text = text[..<at]
        }
        guard let decoded = String(text).removingPercentEncoding,
            let slash = decoded.firstIndex(of: "/"), slash != decoded.startIndex,
            decoded.index(after: slash) != decoded.endIndex
        else { return nil }
        // The type is case-insensitive; the namespace and name only for the types whose spec says so
        // (a Maven, Cargo or RPM name in another case is another package).
        let type = decoded[..<slash].asciiLowercased
        var rest = String(decoded[decoded.index(after: slash)...])
        if caseInsensitiveTypes.contains(type) { rest = rest.asciiLowercased }
        if type == "pypi" { rest = rest.replacingOccurrences(of: "_", with: "-") }
        return (type + "/" + rest, version, qualifiers)
    }

    /// The purl types whose namespace and name are not case-sensitive (purl-spec 1.0 type
    /// definitions, `case_sensitive: false`): compared lowercased. Every other type, and any type
    /// the spec does not define, compares them as written.
    static let caseInsensitiveTypes: Set<String> = [
        "alpm", "apk", "bitbucket", "bitnami", "composer", "deb", "github", "golang", "hex", "luarocks", "npm", "oci",
        "otp", "pub", "pypi",
    ]

    /// How a product purl matches a package's: nil when type, namespace or name differ, the
    /// product's version is another, or a qualifier the product gives is missing or other on the
    /// package (`?arch=arm64` against `?arch=amd64`); a product without a version matches every
    /// version.
    static func match(product: String, package: String) -> VEXMatch? {
        guard let wanted = parts(product), let actual = parts(package) else {
            return product == package ? .version : nil
        }
        guard wanted.base == actual.base else { return nil }
        for (key, value) in wanted.qualifiers where actual.qualifiers[key] != value { return nil }
        guard let version = wanted.version else { return .everyVersion }
        return version == actual.version ? .version : nil
    }
}

/// RFC 3339 date-times (`2026-11-25T10:00:00Z`, `2026-11-25T12:00:00.5+02:00`).
enum RFC3339 {
    /// Seconds since 1970 (UTC) of `text`; nil unless it is a full RFC 3339 date-time with a
    /// real date, a time and a zone.
    static func epochSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let day = Day(parsing: String(decoding: bytes[0..<10], as: UTF8.self)),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]),
            let second = number(bytes[17..<19]), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            // Any number of digits; nanoseconds are more than enough to order statements.
            let digits = bytes[(index + 1)...].prefix { $0 >= 0x30 && $0 <= 0x39 }
            let kept = digits.prefix(9)
            guard let value = number(kept) else { return nil }
            fraction = Double(value) / pow(10, Double(kept.count))
            index += 1 + digits.count
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = number(bytes[(index + 1)..<(index + 3)]), let minutes = number(bytes[(index + 4)...]),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let seconds = day.ordinal * 86_400 + hour * 3_600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}

/// The statements of every `--vex` document, as the gate asks them about each finding: indexed
/// by vulnerability id (a finding is compared only with the statements that name one of its
/// ids), and remembering which statements spoke about any finding, and which were set aside.
final class VEXIndex {
    private let statements: [VEXStatement]
    private let byID: [String: [Int]]
    /// Statements dated after the gate's day (UTC): they never count.
    private let future: Set<Int>
    private var used = Set<Int>()
    /// The repository being gated (nil: not known).
    private let repository: SourceRepository?
    /// Statements that would have spoken about a finding but for their product (another source
    /// repository, or no artifact of this project's): the first reason of each.
    private var setAside: [Int: VEXSetAside] = [:]
    /// Statements that would have taken a finding out but cover only some of its places, the
    /// finding not being suppressed otherwise: the first such finding of each, and how many.
    private var partial: [Int: PartialCover] = [:]
    /// Statements that would have taken findings out but name them only by an alias other
    /// vulnerabilities share (``ContestedIDs``), not applied: the warning for each.
    private var contested: [Int: String] = [:]
    /// One warning per statement dated in the future.
    let futureWarnings: [String]

    /// A suppressing statement that covered only some places of a finding.
    private struct PartialCover {
        /// The first such finding, as ``Gate/describe(_:)`` names it.
        var finding: String
        var covered: [VEXPlace]
        var uncovered: [VEXPlace]
        /// How many findings it covered only in part.
        var findings: Int
    }

    /// No statement was given.
    var isEmpty: Bool { statements.isEmpty }

    init(_ statements: [VEXStatement], today: Day, repository: SourceRepository? = nil) {
        self.statements = statements
        self.repository = repository
        var byID: [String: [Int]] = [:]
        for (position, statement) in statements.enumerated() {
            for id in Set(statement.vulnerabilityIDs.map { $0.asciiUppercased }) {
                byID[id, default: []].append(position)
            }
        }
        self.byID = byID
        // A statement dated after today cannot have been made yet: a typo, or a date chosen to
        // outrank every later statement. One that would take findings out is set aside,
        // fail-closed; one that keeps them in (affected, under investigation) still counts.
        let endOfToday = Double(today.ordinal + 1) * 86_400
        var future = Set<Int>()
        var warnings: [String] = []
        for (position, statement) in statements.enumerated() {
            guard let instant = statement.instant, instant >= endOfToday else { continue }
            let dated =
                "OpenVEX statement \(statement.index) (\(statement.source)) is dated "
                + "\(statement.timestamp ?? "?"), after today (\(today))"
            if statement.status.suppresses {
                future.insert(position)
                warnings.append(dated + ": not applied")
            } else {
                warnings.append(dated + ": applied all the same, as it takes no finding out")
            }
        }
        self.future = future
        futureWarnings = warnings
    }

    /// The statement that takes the finding out of the gate, or nil. The latest statement about
    /// the finding decides; of statements equally late, one that does not suppress wins (files
    /// given in another order must not change the verdict). A `not_affected` or `fixed`
    /// statement counts only when it covers every place of the finding (every image it is in):
    /// one that covers some of them is not applied, and `notes` says which places it misses. An
    /// `affected` or `under_investigation` statement counts when it covers any place: the latest
    /// word about one image keeps the finding in. A `fixed` statement suppresses only when it
    /// names the package's version: "fixed" for every version is a contradiction.
    ///
    /// A statement that would take the finding out (`not_affected`, `fixed`) but names it only by
    /// an alias ``ContestedIDs`` finds other vulnerabilities share is not about it: `notes` says
    /// so, when the statement would otherwise have spoken. One that keeps it in (`affected`,
    /// `under_investigation`) speaks by any alias, as a rule that fails it matches any.
    /// - Parameter findingPosition: the finding's position in the list `contested` was made from.
    func suppressing(
        _ finding: Finding, at findingPosition: Int = 0, contested contestedIDs: ContestedIDs = .none,
        warnings: inout [String], notes: inout [String]
    ) -> VEXStatement? {
        // Without --vex (most gates), nothing to look up for each of the findings.
        guard !statements.isEmpty else { return nil }
        var candidates = Set<Int>()
        var contestedOnly: [Int: String] = [:]
        for id in [finding.ruleID] + finding.aliases {
            let isContested = contestedIDs.isContested(id, forFindingAt: findingPosition)
            for position in byID[id.asciiUppercased] ?? [] {
                if isContested && statements[position].status.suppresses {
                    if contestedOnly[position] == nil { contestedOnly[position] = id }
                } else {
                    candidates.insert(position)
                }
            }
        }
        for (statementPosition, id) in contestedOnly.sorted(by: { $0.key < $1.key })
        where !candidates.contains(statementPosition) && !future.contains(statementPosition)
            && statements[statementPosition].judge(finding, repository: repository).speaks
        {
            let statement = statements[statementPosition]
            let what = "OpenVEX statement \(statement.index) (\(statement.source))"
            guard
                let note = contestedIDs.note(what, names: id, finding: finding, at: findingPosition, verb: "set aside")
            else { continue }
            notes.append(note)
            if contested[statementPosition] == nil {
                contested[statementPosition] = contestedIDs.warning(what, names: id)
            }
        }
        var best: (position: Int, match: VEXMatch?)?
        var partials: [(position: Int, judgement: VEXJudgement)] = []
        for position in candidates.sorted() where !future.contains(position) {
            let statement = statements[position]
            let judged = statement.judge(finding, repository: repository)
            guard judged.speaks else {
                if let reason = judged.setAside, setAside[position] == nil { setAside[position] = reason }
                continue
            }
            if judged.match == nil, statement.status.suppresses {
                partials.append((position, judged))
                continue
            }
            used.insert(position)
            guard let current = best else {
                best = (position, judged.match)
                continue
            }
            let currentStatement = statements[current.position]
            let (instant, currentInstant) = (statement.instant ?? -.infinity, currentStatement.instant ?? -.infinity)
            guard instant >= currentInstant else { continue }
            if instant > currentInstant {
                best = (position, judged.match)
                continue
            }
            // Equally late: the one that keeps the finding in wins (a `fixed` for every version
            // is not applied, so it keeps it in too), then the first by file and position, so
            // the order of `--vex` files changes neither the verdict nor its reason.
            let takesOut = Self.takesOut(statement, judged.match)
            let currentTakesOut = Self.takesOut(currentStatement, current.match)
            if takesOut != currentTakesOut
                ? !takesOut
                : (statement.source.file, statement.index) < (currentStatement.source.file, currentStatement.index)
            {
                best = (position, judged.match)
            }
        }
        var result: VEXStatement?
        if let best, statements[best.position].status.suppresses {
            let statement = statements[best.position]
            if statement.status == .fixed && best.match == .everyVersion {
                warnings.append(
                    "OpenVEX statement \(statement.index) (\(statement.source)) says \(finding.ruleID) is fixed in "
                        + "every version of the package: not applied (name the fixed version)")
            } else {
                result = statement
            }
        }
        for (position, judged) in partials {
            // Covered in part and suppressed anyway: the statement spoke, and changed nothing.
            guard result == nil else {
                used.insert(position)
                continue
            }
            let statement = statements[position]
            notes.append(
                "OpenVEX statement \(statement.index) (\(statement.source)) covers it in "
                    + Self.list(judged.covered) + ", not in " + Self.list(judged.uncovered)
                    + ": not applied (a statement must cover every image the finding is in)")
            if var entry = partial[position] {
                entry.findings += 1
                partial[position] = entry
            } else {
                partial[position] = PartialCover(
                    finding: Gate.describe(finding), covered: judged.covered, uncovered: judged.uncovered, findings: 1)
            }
        }
        return result
    }

    /// Whether the statement, matching as `match`, takes the finding out: `not_affected`, or
    /// `fixed` naming the version (``suppressing(_:warnings:notes:)``).
    private static func takesOut(_ statement: VEXStatement, _ match: VEXMatch?) -> Bool {
        statement.status.suppresses && !(statement.status == .fixed && match == .everyVersion)
    }

    /// Records which statements speak about a finding that is out of the gate for another reason
    /// (its tool suppressed it, and the policy trusts that), without judging it: a statement the
    /// policy relies on when it does not trust the tool is not "about no finding".
    func noteSpoken(
        about finding: Finding, at findingPosition: Int = 0, contested contestedIDs: ContestedIDs = .none
    ) {
        guard !statements.isEmpty else { return }
        for id in [finding.ruleID] + finding.aliases {
            let isContested = contestedIDs.isContested(id, forFindingAt: findingPosition)
            for position in byID[id.asciiUppercased] ?? []
            where !future.contains(position) && !(isContested && statements[position].status.suppresses) {
                if statements[position].judge(finding, repository: repository).speaks { used.insert(position) }
            }
        }
    }

    /// `a, b, c and 2 more`.
    private static func list(_ places: [VEXPlace]) -> String {
        let named = places.prefix(3).map(\.description).joined(separator: ", ")
        return places.count > 3 ? named + " and \(places.count - 3) more" : named
    }

    /// A warning per statement that spoke about no finding (a typo, a package that is gone), the
    /// first ``unusedListed`` of them, then one line counting the rest: a vendor's document can
    /// hold thousands of statements about what this project does not have.
    var unusedWarnings: [String] {
        let unused = statements.indices.filter {
            !used.contains($0) && !future.contains($0) && setAside[$0] == nil && partial[$0] == nil
                && contested[$0] == nil
        }
        var lines = unused.prefix(Self.unusedListed).map { position in
            let statement = statements[position]
            return "OpenVEX statement \(statement.index) (\(statement.source)) about "
                + "\(statement.vulnerabilityIDs.first ?? "?") matches no finding"
        }
        if unused.count > Self.unusedListed {
            lines.append("\(unused.count - Self.unusedListed) more OpenVEX statements match no finding")
        }
        return lines
    }

    /// A warning per statement that was not applied because of what its products are or cover
    /// (first ``unusedListed``, then a count): it covers only some of the images a finding is in;
    /// its product names another source repository than the one being gated, or names one and
    /// the gated repository is not known (a document copied from an upstream or a vendor speaks
    /// for their product, not this one); or its product, with subcomponents, is neither an image
    /// nor a source repository (an upstream library's statement about what it bundles).
    var setAsideWarnings: [String] {
        let positions = Set(partial.keys).union(setAside.keys.filter { !used.contains($0) })
            .union(contested.keys.filter { !used.contains($0) }).sorted()
        var lines = positions.prefix(Self.unusedListed).compactMap(setAsideWarning)
        if positions.count > Self.unusedListed {
            lines.append(
                "\(positions.count - Self.unusedListed) more OpenVEX statements are for another repository or "
                    + "product, or do not cover every image of a finding: not applied")
        }
        return lines
    }

    private func setAsideWarning(_ position: Int) -> String? {
        let statement = statements[position]
        let head = "OpenVEX statement \(statement.index) (\(statement.source))"
        if let warning = contested[position], !used.contains(position) { return warning }
        if let cover = partial[position] {
            let more = cover.findings > 1 ? " (and \(cover.findings - 1) more findings)" : ""
            return head + " covers \(cover.finding) in \(Self.list(cover.covered)), but the finding is also in "
                + Self.list(cover.uncovered) + more
                + ": not applied (a statement must cover every image the finding is in: list each as a product)"
        }
        let about = head + " about \(statement.vulnerabilityIDs.first ?? "?")"
        switch setAside[position] {
        case .otherRepository(let named)?:
            guard let repository else {
                return about + " is for the repository \(named) and the repository being gated is not known "
                    + "(--repository OWNER/NAME or GITHUB_REPOSITORY): not applied"
            }
            return about + " is for the repository \(named), not \(repository): not applied"
        case .unchecked(let product, let what)?:
            let instead =
                what.hasPrefix("qualifier")
                ? "state it for the platform's own manifest digest, without the qualifier"
                : "name the image by its digest (hashes, if any, of that digest only), and packages without hashes"
            return about + " is for the product \(product), narrowed by its \(what), which a scan does not "
                + "record: not applied (\(instead))"
        case .notAnArtifact(let product)?:
            return about + " is for the product \(product), which is neither an image nor a source repository "
                + "ScanGate recognises: its subcomponents are part of that product, not of this project: not "
                + "applied (name the image, or the repository being gated as pkg:github/OWNER/NAME)"
        case nil:
            return nil
        }
    }

    static let unusedListed = 20
}
