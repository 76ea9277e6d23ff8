import Findings

/// One entry of a waivers file: an accepted risk, for a while, approved by someone.
public struct Waiver: Sendable {
    /// The file and the line of the entry.
    public var source: SourceRef
    /// The finding's id or any of its aliases (exact, case-insensitive).
    public var id: String
    /// Optional scope, each a glob: package name, path, image repository, URL.
    public var package: Glob?
    /// Path globs, one or a list: every place of the finding must match one of them (a finding
    /// merged from Trivy and npm audit is at the lock file and at npm's `node_modules/…` paths).
    /// Empty: no path scope.
    public var paths: [Glob]
    public var image: Glob?
    public var url: Glob?
    /// Environments it holds in; empty: every environment.
    public var environments: [String]
    public var reason: String
    public var approvedBy: String
    /// The last day the waiver holds.
    public var expires: Day
    /// When it was approved; `max-days` counts from here (else from today).
    public var approvedOn: Day?
    /// The severity it was granted for: it never hides a finding judged more severe. Nil:
    /// not recorded (the gate warns; a policy can require it).
    public var severity: Severity?

    public init(
        source: SourceRef, id: String, package: Glob? = nil, paths: [Glob] = [], image: Glob? = nil, url: Glob? = nil,
        environments: [String] = [], reason: String, approvedBy: String, expires: Day, approvedOn: Day? = nil,
        severity: Severity? = nil
    ) {
        self.source = source
        self.id = id
        self.package = package
        self.paths = paths
        self.image = image
        self.url = url
        self.environments = environments
        self.reason = reason
        self.approvedBy = approvedBy
        self.expires = expires
        self.approvedOn = approvedOn
        self.severity = severity
    }

    /// An id as a waiver's `id` is compared with a finding's id and aliases: ASCII case aside. A
    /// waiver names a finding, whatever its scopes, when its `idKey` is that of the finding's id
    /// or one of its aliases. Only ASCII letters are folded, as for OpenVEX: Unicode's upper case
    /// maps `ſ` to `S` and `ﬁ` to `FI`, so a waiver for `GHſA-…`, which a reviewer reads as
    /// another id, waived `GHSA-…`.
    public static func idKey(_ id: String) -> String { id.asciiUppercased }

    /// The scopes given (`package`, `path`, `image`, `url`, in that order) that leave the finding
    /// out, each with what the finding has there; empty when every one includes it. A waiver
    /// whose id names a finding its scope leaves out is a typo to fix, not a stale entry.
    public func scopeMismatches(for finding: Finding) -> [ScopeMismatch] {
        var mismatches: [ScopeMismatch] = []
        if let package {
            if let actual = finding.package {
                if !PackageName.matches(package, actual.name, ecosystem: actual.ecosystem) {
                    // `Minimist` for `minimist`: said, since the ecosystem decides whether case counts.
                    let caseOnly = (try? Glob(package.pattern, ignoresCase: true))?.matches(actual.name) == true
                    let hint =
                        caseOnly ? " (\(actual.ecosystem) package names are compared as written, case included)" : ""
                    mismatches.append(
                        ScopeMismatch(
                            key: "package", pattern: package.pattern, actual: "in the package \(actual.name)\(hint)"))
                }
            } else {
                mismatches.append(ScopeMismatch(key: "package", pattern: package.pattern, actual: "in no package"))
            }
        }
        if !paths.isEmpty {
            let places = FindingFacts.paths(of: finding)
            if !places.contains(where: { place in paths.contains { FindingPath.matches($0, place, relaxing: false) } })
            {
                mismatches.append(
                    ScopeMismatch(
                        key: "path", pattern: pathPatterns,
                        actual: places.isEmpty ? "at no path" : "at " + Self.list(places.map(FindingFacts.describePath))
                    ))
            }
        }
        if let image, !FindingFacts.imageNames(of: finding).joined().contains(where: image.matches) {
            let images = finding.locations.compactMap(\.image).map(ImageName.label(of:))
            mismatches.append(
                ScopeMismatch(
                    key: "image", pattern: image.pattern,
                    actual: images.isEmpty ? "in no image" : "in the image " + Self.list(images)))
        }
        if let url {
            if !FindingFacts.matchedURLs(of: finding).contains(where: { CanonicalURL.matches(url, $0) }) {
                let urls = FindingFacts.urls(of: finding)
                mismatches.append(
                    ScopeMismatch(
                        key: "url", pattern: url.pattern, actual: urls.isEmpty ? "at no URL" : "at " + Self.list(urls)))
            }
        }
        return mismatches
    }

    /// `a, b, c and 4 more`: the first three values, for a message.
    private static func list(_ values: [String]) -> String {
        let shown = values.prefix(3).joined(separator: ", ")
        return values.count > 3 ? shown + " and \(values.count - 3) more" : shown
    }

    /// A place of the finding outside the waiver's `path`, `image` or `url` scope, with the scope
    /// (`path "services/a/*"`); nil when every place is inside. A merged finding can be at
    /// several places (one vulnerability in two services' lock files, a web alert on many
    /// URLs): a waiver scoped to one of them accepts the risk there, not everywhere else.
    public func placeOutsideScope(of finding: Finding) -> (scope: String, place: String)? {
        if !paths.isEmpty,
            let place = FindingFacts.paths(of: finding).first(where: { place in
                !paths.contains { FindingPath.matches($0, place, relaxing: true) }
            })
        {
            return ("path \"\(pathPatterns)\"", FindingFacts.describePath(place))
        }
        if let image {
            let outside = finding.locations.compactMap(\.image).first { located in
                !ImageName.names(of: located).contains(where: image.matches)
            }
            if let outside { return ("image \"\(image.pattern)\"", ImageName.label(of: outside)) }
        }
        if let url,
            let place = FindingFacts.matchedURLs(of: finding).first(where: {
                !CanonicalURL.matches(url, $0, relaxing: true)
            })
        {
            // A whole site's root page is shown as the whole site it stands for.
            let written = FindingFacts.urls(of: finding)
            return ("url \"\(url.pattern)\"", written.contains(place) ? place : place + "*")
        }
        return nil
    }

    /// The path globs for messages: `services/a/*`, or `package-lock.json" or "node_modules/**`
    /// inside the quotes the messages put around them.
    var pathPatterns: String { paths.map(\.pattern).joined(separator: "\" or \"") }

    /// Whether it holds in `environment`.
    public func holds(in environment: String) -> Bool { environments.isEmpty || environments.contains(environment) }

    /// A short label for messages: `CVE-2024-1234 (waivers.yaml:4)`.
    public var label: String { "\(id) (\(source))" }
}

/// A scope of a waiver that leaves a finding out, and what the finding has there.
public struct ScopeMismatch: Sendable, Hashable, CustomStringConvertible {
    /// `package`, `path`, `image` or `url`.
    public var key: String
    /// The scope's glob (a path's in normal form, a URL's in canonical form, as compared).
    public var pattern: String
    /// Where the finding is, as the scope compares it: `in the package minimist`, `at
    /// services/api/package-lock.json`, `in the image ghcr.io/acme/api:1.0`, `at no URL`.
    public var actual: String

    public init(key: String, pattern: String, actual: String) {
        self.key = key
        self.pattern = pattern
        self.actual = actual
    }

    /// `package "Minimist", and the finding is in the package minimist`.
    public var description: String { "\(key) \"\(pattern)\", and the finding is \(actual)" }
}

/// A waivers file: `scangate-waivers: 1` and `waivers:`.
public struct WaiverFile: Sendable {
    public var file: String
    public var waivers: [Waiver]

    public init(file: String, waivers: [Waiver]) {
        self.file = file
        self.waivers = waivers
    }

    /// Reads and checks a waivers file from disk.
    public static func load(path: String) throws(ConfigurationError) -> WaiverFile {
        try parse(try YAMLValue.readText(path: path, document: .waivers), file: path)
    }

    static let entryKeys = [
        "id", "package", "path", "image", "url", "environments", "reason", "approved-by", "expires", "approved-on",
        "severity",
    ]

    /// Parses a waivers file. Every entry needs `id`, `reason`, `approved-by` and `expires`.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> WaiverFile {
        let root = try YAMLValue.parse(text, file: file, document: .waivers)
        let top = try root.mapping("a waivers file", allowed: ["scangate-waivers", "waivers"])
        guard let version = top["scangate-waivers"] else {
            throw root.error("not a ScanGate waivers file: the file must start with \"scangate-waivers: 1\"")
        }
        guard (try? version.int("scangate-waivers")) == 1 else {
            throw version.error("unsupported waivers format version \(version.kindDescription); expected 1")
        }
        let list = try top.require("waivers", in: "the waivers file")
        var waivers: [Waiver] = []
        for (offset, element) in try list.list("waivers").enumerated() {
            waivers.append(try parseEntry(element, index: offset + 1))
        }
        return WaiverFile(file: file, waivers: waivers)
    }

    private static func parseEntry(_ value: YAMLValue, index: Int) throws(ConfigurationError) -> Waiver {
        let what = "waiver \(index)"
        let mapping = try value.mapping(what, allowed: entryKeys)
        for required in ["id", "reason", "approved-by", "expires"] where mapping[required] == nil {
            throw value.error(
                "\(what) has no \"\(required)\": every waiver needs id, reason, approved-by and expires")
        }
        func text(_ key: String) throws(ConfigurationError) -> String {
            try mapping.require(key, in: what).string("\(what): \(key)")
        }
        func day(_ key: String) throws(ConfigurationError) -> Day? {
            guard let node = mapping[key] else { return nil }
            let raw = try node.string("\(what): \(key)")
            guard let day = Day(parsing: raw) else {
                throw node.error("\(what): \(key) \"\(raw)\" is not a date (YYYY-MM-DD, a day the calendar has)")
            }
            return day
        }
        /// `raw`, the value of `key` at `node`, as a glob: URLs in canonical form, paths in normal
        /// form, as they are compared.
        func glob(_ key: String, _ raw: String, at node: YAMLValue) throws(ConfigurationError) -> Glob {
            var raw = raw
            do {
                if key == "url" { raw = try CanonicalURL.pattern(raw) }
                if key == "path" { raw = try FindingPath.pattern(raw) }
            } catch {
                throw node.error("\(what): \(error.description)")
            }
            do {
                // Images ignore case, as rules' `image:` does.
                return try Glob(raw, ignoresCase: key == "image")
            } catch {
                throw node.error("\(what): \(key): \(error.description)")
            }
        }
        func glob(_ key: String) throws(ConfigurationError) -> Glob? {
            guard let node = mapping[key] else { return nil }
            return try glob(key, try node.string("\(what): \(key)"), at: node)
        }
        let id = try text("id")
        let reason = try text("reason")
        let approvedBy = try text("approved-by")
        guard let expires = try day("expires") else { throw value.error("\(what) has no \"expires\"") }
        let approvedOn = try day("approved-on")
        if let approvedOn, approvedOn > expires, let node = mapping["approved-on"] {
            throw node.error("\(what): approved-on \(approvedOn) is after expires \(expires)")
        }
        var environments: [String] = []
        if let node = mapping["environments"] {
            for (name, element) in try node.strings("\(what): environments") {
                guard EnvironmentName.isValid(name) else {
                    throw element.error(
                        "\(what): environment \"\(name)\" may contain only letters, digits, '.', '_', '-'")
                }
                environments.append(name)
            }
        }
        var severity: Severity?
        if let node = mapping["severity"] {
            let parsed = try SeverityName.parse(node, "\(what): severity")
            guard parsed != .unknown else {
                throw node.error("\(what): severity must be a known severity (critical, high, medium, low, info)")
            }
            severity = parsed
        }
        // `path` alone may list several globs: the places of one finding merged from tools that
        // name them apart (a lock file, npm's node paths).
        var paths: [Glob] = []
        if let node = mapping["path"] {
            for (raw, element) in try node.strings("\(what): path") { paths.append(try glob("path", raw, at: element)) }
        }
        return Waiver(
            source: value.source, id: id, package: try glob("package"), paths: paths, image: try glob("image"),
            url: try glob("url"), environments: environments, reason: reason,
            approvedBy: approvedBy, expires: expires, approvedOn: approvedOn, severity: severity)
    }

    /// Checks the file against a policy's waiver rules that do not depend on findings: with
    /// `waivers: require-severity: true`, every entry must say its `severity`.
    public func validate(against policy: Policy) throws(ConfigurationError) {
        guard let require = policy.waiverLimits.requireSeverity, require.value else { return }
        for waiver in waivers where waiver.severity == nil {
            throw ConfigurationError(
                document: .waivers, file: waiver.source.file, line: waiver.source.line,
                message:
                    "waiver \(waiver.id) does not say the severity it was granted for; the policy requires it "
                    + "(waivers: require-severity: true at \(require.source))")
        }
    }
}

/// What rules and waivers match against, read off a finding.
enum FindingFacts {
    /// The paths the finding is at, in the form `path:` globs match (``FindingPath/normal(_:)``):
    /// its locations' and its package's. A finding merged from several tools has each tool's
    /// places: npm audit's node paths (`node_modules/lodash`, in a project the report does not
    /// name) beside Trivy's lock file are not known to be inside a scope that holds the lock
    /// file, so a waiver or relaxing rule scoped to `services/a/*` does not pass an npm audit run
    /// elsewhere just because Trivy found the same package there.
    static func paths(of finding: Finding) -> [String] {
        unique((finding.locations.compactMap(\.path) + (finding.package?.paths ?? [])).map(FindingPath.normal))
    }

    /// The paths the finding is at as its reports wrote them, for showing.
    static func writtenPaths(of finding: Finding) -> [String] {
        unique(finding.locations.compactMap(\.path) + (finding.package?.paths ?? []))
    }

    /// A path in normal form for a message about a scope: said so when it climbs out of the
    /// scanned directory, which only a glob that climbs out too covers.
    static func describePath(_ normal: String) -> String {
        FindingPath.climbsOut(normal)
            ? normal + " (outside the scanned directory: only a path glob starting with ../ covers it)" : normal
    }

    /// The images the finding is in as its reports wrote them, for showing: each repository and,
    /// with a tag, `repository:tag`.
    static func images(of finding: Finding) -> [String] {
        finding.locations.compactMap(\.image).flatMap { image in
            [image.repository] + (image.tag.map { [image.repository + ":" + $0] } ?? [])
        }
    }

    /// Each image location's names, as `image:` globs match them (``ImageName/names(of:)``):
    /// every spelling of its repository (Docker Hub's several), each also with `:tag`.
    static func imageNames(of finding: Finding) -> [[String]] {
        finding.locations.compactMap(\.image).map(ImageName.names(of:))
    }

    /// The URLs the finding is at, as written.
    static func urls(of finding: Finding) -> [String] {
        unique(finding.locations.compactMap(\.url) + finding.instances.map(\.uri))
    }

    /// ``urls(of:)`` as `url:` globs match them. A location on a whole site
    /// (`https://app.example/*`: the instances ZAP counted but did not list, which may be on any
    /// page) stands for every page, so its root page is one of them too: a glob for every page
    /// but the root (`https://app.example/?*`) no more covers it than one for the root alone.
    static func matchedURLs(of finding: Finding) -> [String] {
        let urls = urls(of: finding)
        return unique(urls + urls.filter { $0.hasSuffix("/*") }.map { String($0.dropLast()) })
    }

    /// First occurrences, in order. Most lists hold one to three values: those are compared
    /// directly instead of hashed into a set (this runs for every finding the gate judges).
    static func unique(_ values: [String]) -> [String] {
        guard values.count > 1 else { return values }
        guard values.count > 16 else {
            var result: [String] = []
            result.reserveCapacity(values.count)
            for value in values where !result.contains(value) { result.append(value) }
            return result
        }
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
