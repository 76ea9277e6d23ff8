import Findings
import Foundation

/// Where a SARIF result points: a repository-relative path (not yet percent-encoded) and lines.
struct Anchor: Hashable {
    var path: String
    var startLine: Int
    var endLine: Int? = nil
    /// Whether the line is the finding's own line (not an anchor line such as a Dockerfile's
    /// `FROM`, or line 1 of a file searched in vain).
    var isOwnLine = false
    /// GitHub's line hash, for the finding's own line in a file that exists under the source root.
    var lineHash: String? = nil
    /// A path ScanGate made up (`.scangate/…`): no such file exists in the repository.
    var isSynthetic: Bool
    /// What the anchor stands for, when the path alone does not say (an image, a URL).
    var message: String? = nil
}

/// Chooses the locations of a finding's result. GitHub needs every result to point at a file
/// path (never a URL or an image reference), so findings that are not about a repository file
/// are anchored:
///
/// 1. web locations (a URL) → `.scangate/web/<host>/<url path>`;
/// 2. container image findings → the Dockerfile when one is given, else
///    `.scangate/images/<image repository>`;
/// 3. Kubernetes, VM and cloud findings → `.scangate/k8s/<namespace>/<kind>/<name>`, …;
/// 4. package findings → the manifest or lock file that declares the package, at the
///    package's line when the source root lets ScanGate find it;
/// 5. other findings → the files and lines the tool named;
/// 6. anything else → `.scangate/findings/<kind>/<rule id>`.
struct AnchorResolver {
    var tree: SourceTree
    /// The Dockerfile (repository-relative) and the line of its last `FROM` (the final stage).
    let dockerfile: (path: String, line: Int)?
    /// The file npm findings without a manifest path point at, found once.
    private var npmManifest: String?
    /// Package lines found, by file and package: a package's CVEs share its line, and a
    /// manifest other than a lock file is searched line by line.
    private var packageLines: [String: Int?] = [:]
    /// A number per package (name, version and dependency paths), for ``packageLines``' keys: a
    /// vulnerability found in thousands of lock files has thousands of paths, and a key holding
    /// them all per file took memory growing with their square (gigabytes for 8,000).
    private var packageNumbers: [String: Int] = [:]

    init(sourceRoot: String?, dockerfile: String?) {
        tree = SourceTree(root: sourceRoot)
        guard let dockerfile, let path = tree.relativePath(dockerfile) else {
            self.dockerfile = nil
            return
        }
        var line = 1
        if let file = tree.file(path) ?? SourceFile(absolutePath: dockerfile) {
            line =
                file.lines.lastIndex { $0.trimmingLeadingSpaces.lowercased().hasPrefix("from ") }.map { $0 + 1 } ?? 1
        }
        self.dockerfile = (path, line)
    }

    mutating func anchors(for finding: Finding) -> [Anchor] {
        var anchors = resolve(finding)
        var seen = Set<String>()
        anchors = anchors.filter { seen.insert($0.path + "\u{0}" + String($0.startLine)).inserted }
        for index in anchors.indices where anchors[index].isOwnLine {
            // Only a line that exists in the file gets a hash; upload-sarif would skip it too.
            // The path is the file's own name (percent-encoded only when written as a URI).
            anchors[index].lineHash = tree.lineHash(anchors[index].path, line: anchors[index].startLine)
        }
        return anchors
    }

    private mutating func resolve(_ finding: Finding) -> [Anchor] {
        let webAnchors = finding.locations.compactMap(\.url).compactMap(Self.webAnchor)
        if !webAnchors.isEmpty { return webAnchors }
        let scope = finding.identity.scope
        if scope.hasPrefix("image:") || finding.locations.contains(where: { $0.image != nil }) {
            // One spelling of the repository (`alpine` is `docker.io/library/alpine`): the
            // alert's file, and so its identity, does not change with how the image was named.
            let repository =
                finding.locations.lazy.compactMap(\.image?.canonicalRepository).first
                ?? String(scope.dropFirst("image:".count))
            return [imageAnchor(repository: repository, finding: finding)]
        }
        if let colon = scope.firstIndex(of: ":"), !scope.hasPrefix("source") {
            var kind = String(scope[..<colon])
            if kind == "site" { kind = "web" }
            let rest = String(scope[scope.index(after: colon)...])
            let path = Self.syntheticPath([kind] + Self.segments(rest))
            return [Anchor(path: path, startLine: 1, isSynthetic: true, message: scope)]
        }
        if let package = finding.package {
            let anchors = packageAnchors(package, finding: finding)
            if !anchors.isEmpty { return anchors }
        }
        var anchors: [Anchor] = []
        for location in finding.locations {
            guard let raw = location.path, let path = tree.relativePath(raw) else { continue }
            let start = max(1, location.startLine ?? 1)
            let end = location.endLine.map { max(start, $0) }
            anchors.append(
                Anchor(
                    path: path, startLine: start, endLine: end, isOwnLine: location.startLine != nil,
                    isSynthetic: false))
        }
        if !anchors.isEmpty { return anchors }
        // Split like any path, so that each `..` of a rule id (`a/../../etc/passwd`) is a segment
        // made harmless, not a way out of `.scangate/`.
        let fallback = Self.syntheticPath(["findings", finding.kind.rawValue] + Self.segments(finding.ruleID))
        return [Anchor(path: fallback, startLine: 1, isSynthetic: true)]
    }

    private func imageAnchor(repository: String, finding: Finding) -> Anchor {
        let image = finding.locations.lazy.compactMap(\.image).first
        var reference = image?.repository ?? repository
        if let tag = image?.tag { reference += ":" + tag }
        if let digest = image?.digest { reference += "@" + digest }
        let message = "image " + reference
        if let dockerfile {
            return Anchor(path: dockerfile.path, startLine: dockerfile.line, isSynthetic: false, message: message)
        }
        let path = Self.syntheticPath(["images"] + Self.segments(repository))
        return Anchor(path: path, startLine: 1, isSynthetic: true, message: message)
    }

    // MARK: Packages

    private mutating func packageAnchors(_ package: Package, finding: Finding) -> [Anchor] {
        var candidates: [(path: String, line: Int?, endLine: Int?)] = []
        for location in finding.locations {
            guard let raw = location.path, Self.isManifestLike(raw), let path = tree.relativePath(raw) else { continue }
            candidates.append((path, location.startLine, location.endLine))
        }
        for raw in package.paths where Self.isManifestLike(raw) {
            if let path = tree.relativePath(raw) { candidates.append((path, nil, nil)) }
        }
        if candidates.isEmpty && package.ecosystem == "npm" {
            let manifest = npmManifest ?? Self.npmManifests.first { tree.file($0) != nil } ?? "package-lock.json"
            npmManifest = manifest
            candidates.append((manifest, nil, nil))
        }
        if candidates.isEmpty { return [] }
        var anchors: [Anchor] = []
        var packageNumber: Int?
        for candidate in candidates {
            var line = candidate.line.map { max(1, $0) }
            if line == nil {
                let number = packageNumber ?? number(of: package)
                packageNumber = number
                let key = candidate.path + "\u{0}" + String(number)
                if let known = packageLines[key] {
                    line = known
                } else {
                    line =
                        tree.withFile(candidate.path) { file in
                            PackageLineFinder.line(of: package, in: &file, fileName: candidate.path)
                        } ?? nil
                    packageLines[key] = .some(line)  // a miss is kept too
                }
            }
            anchors.append(
                Anchor(
                    path: candidate.path, startLine: line ?? 1, endLine: candidate.endLine.map { max(line ?? 1, $0) },
                    isOwnLine: line != nil, isSynthetic: false))
        }
        // The anchor with a known line first: GitHub uses only the first location.
        return anchors.filter(\.isOwnLine) + anchors.filter { !$0.isOwnLine }
    }

    /// The package's number in ``packageNumbers`` (name, version and dependency paths), given
    /// on first sight.
    private mutating func number(of package: Package) -> Int {
        let identity = ([package.name, package.installedVersion ?? ""] + package.paths).joined(separator: "\u{0}")
        if let known = packageNumbers[identity] { return known }
        packageNumbers[identity] = packageNumbers.count
        return packageNumbers.count - 1
    }

    /// Files npm audit reads, in the order npm prefers them.
    static let npmManifests = [
        "npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "package.json",
    ]

    /// Manifest names without an extension.
    private static let bareManifestNames: Set<Substring> = [
        "Dockerfile", "Containerfile", "Gemfile", "Pipfile", "Podfile", "Cartfile", "Makefile", "gradlew",
    ]

    private static let longestBareManifestName = bareManifestNames.map(\.utf8.count).max() ?? 0
    private static let longestTrivyTargetName = trivyTargetNames.map(\.utf8.count).max() ?? 0

    /// Trivy's names for a group of packages (`Target` of an image or SBOM result), not files.
    private static let trivyTargetNames: Set<String> = [
        "Node.js", "Python", "Java", "OS Packages", "Ruby", "Go", "Rust", "PHP", ".NET", "Dart", "Elixir", "Swift",
        "Conda", "Julia", "Bitnami", "C/C++", "Cocoapods",
    ]

    /// Whether a package path names a manifest or lock file (`app/package-lock.json`), as
    /// opposed to npm's dependency chains (`a>b`), node paths (`node_modules/qs`) or Trivy's
    /// target names (`Java`).
    static func isManifestLike(_ path: String) -> Bool {
        // Byte searches: this runs for every path of every package finding.
        let dot = UInt8(ascii: ".")
        var copy = path
        let hasChainArrow = copy.withUTF8 { $0.contains(UInt8(ascii: ">")) }
        // The sets are searched only for what could be in them (hashing every path costs).
        guard !path.isEmpty, !hasChainArrow,
            path.utf8.count > longestTrivyTargetName || !trivyTargetNames.contains(path)
        else {
            return false
        }
        // npm's node paths name a package's directory, and package names often have a dot
        // (`node_modules/socket.io`, `packages/web/node_modules/lodash.merge`): not files.
        if isNpmNodePath(path) { return false }
        let name = lastPathComponent(path)
        let hasDot = name.utf8.contains(dot)
        if !hasDot, name.utf8.count <= longestBareManifestName, bareManifestNames.contains(name) { return true }
        return hasDot && !name.hasPrefix(".") || name.hasPrefix(".") && name.utf8.dropFirst().contains(dot)
    }

    /// Whether `path` is where npm installs a package: its last component follows a
    /// `node_modules` component, directly or after an `@scope` one.
    static func isNpmNodePath(_ path: String) -> Bool {
        // On bytes, from the end: this runs for every path of every package finding.
        var path = path
        return path.withUTF8 { utf8 in
            func isNodeModules(_ range: Range<Int>) -> Bool {
                range.count == 12 && UnsafeBufferPointer(rebasing: utf8[range]).elementsEqual("node_modules".utf8)
            }
            guard let name = component(of: utf8, before: utf8.count),
                let parent = component(of: utf8, before: name.lowerBound)
            else { return false }
            if isNodeModules(parent) { return true }
            guard utf8[parent.lowerBound] == UInt8(ascii: "@"),
                let grandparent = component(of: utf8, before: parent.lowerBound)
            else { return false }
            return isNodeModules(grandparent)
        }
    }

    /// The last non-empty `/`-separated component (`b` of `a/b/`), or the whole path when it has
    /// none; found on bytes (Character iteration cost more than the rest of the check).
    static func lastPathComponent(_ path: String) -> Substring {
        var copy = path
        guard let range = copy.withUTF8({ component(of: $0, before: $0.count) }) else { return path[...] }
        // The range's ends are at `/` or at the ends of the path: valid indices of the String.
        let start = path.utf8.index(path.utf8.startIndex, offsetBy: range.lowerBound)
        return path[start..<path.utf8.index(start, offsetBy: range.count)]
    }

    /// The byte range of the non-empty `/`-separated component of `path` that ends at or before
    /// `end`, trailing slashes skipped; nil when only slashes precede `end`.
    private static func component(of path: UnsafeBufferPointer<UInt8>, before end: Int) -> Range<Int>? {
        let slash = UInt8(ascii: "/")
        var end = end
        while end > 0, path[end - 1] == slash { end -= 1 }
        guard end > 0 else { return nil }
        var start = end
        while start > 0, path[start - 1] != slash { start -= 1 }
        return start..<end
    }

    // MARK: Synthetic paths

    /// `.scangate/<segments…>`, every segment made safe for a URI path.
    static func syntheticPath(_ segments: [String]) -> String {
        let safe = segments.map(syntheticSegment).filter { !$0.isEmpty }
        return ([".scangate"] + safe).joined(separator: "/")
    }

    /// `:` becomes `_` (a port, a digest algorithm: readable, and never mistaken for a scheme);
    /// `.` and `..` get a prefix so the path stays normalised.
    static func syntheticSegment(_ segment: String) -> String {
        let replaced =
            segment.utf8.contains(UInt8(ascii: ":")) ? segment.replacingOccurrences(of: ":", with: "_") : segment
        return replaced == "." || replaced == ".." ? "_" + replaced : replaced
    }

    static func segments(_ text: String) -> [String] {
        text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// `.scangate/web/<host[_port]>/<path segments>` for an absolute http(s) URL.
    static func webAnchor(_ url: String) -> Anchor? {
        var copy = url
        switch copy.withUTF8(asciiWebPath) {
        case .path(let path): return Anchor(path: path, startLine: 1, isSynthetic: true, message: url)
        case .none: return nil
        case .notASCII: return webAnchorFromCharacters(url)
        }
    }

    /// ``webAnchor(_:)`` for any URL, on Characters.
    static func webAnchorFromCharacters(_ url: String) -> Anchor? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var host = rest[..<authorityEnd]
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        guard !host.isEmpty else { return nil }
        let path = segments(String(rest[authorityEnd...]))
        return Anchor(
            path: syntheticPath(["web", host.lowercased()] + path), startLine: 1, isSynthetic: true, message: url)
    }

    /// ``webAnchor(_:)``'s path for an ASCII URL (nearly every one), found on bytes: the Character
    /// and Foundation searches of the general path were most of preparing a ZAP finding. In
    /// ASCII every character is one byte (a CR LF pair, one character, holds none of the bytes
    /// searched for), so the path is the general path's, byte for byte.
    private enum ASCIIWebPath {
        case path(String)
        /// Not an absolute URL with a host: no web anchor.
        case none
        case notASCII
    }

    private static func asciiWebPath(_ url: UnsafeBufferPointer<UInt8>) -> ASCIIWebPath {
        let (colon, slash, question, hash, at) = (
            UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@")
        )
        guard url.allSatisfy({ $0 < 0x80 }) else { return .notASCII }
        var schemeEnd: Int?
        var index = 0
        while index + 2 < url.count {
            if url[index] == colon, url[index + 1] == slash, url[index + 2] == slash {
                schemeEnd = index + 3
                break
            }
            index += 1
        }
        guard let schemeEnd else { return .none }
        let end = url[schemeEnd...].firstIndex { $0 == question || $0 == hash } ?? url.count
        let authorityEnd = url[schemeEnd..<end].firstIndex(of: slash) ?? end
        let hostStart = url[schemeEnd..<authorityEnd].lastIndex(of: at).map { $0 + 1 } ?? schemeEnd
        guard hostStart < authorityEnd else { return .none }

        var path: [UInt8] = []
        path.reserveCapacity(16 + end - hostStart)
        path += ".scangate/web".utf8
        // One segment as `syntheticSegment` makes it: `:` → `_`, `.` and `..` prefixed.
        func append(_ segment: Range<Int>, lowercased: Bool) {
            path.append(slash)
            if segment.count <= 2, url[segment].allSatisfy({ $0 == UInt8(ascii: ".") }) {
                path.append(UInt8(ascii: "_"))
            }
            for byte in url[segment] {
                if byte == colon {
                    path.append(UInt8(ascii: "_"))
                } else if lowercased, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") {
                    path.append(byte | 0x20)
                } else {
                    path.append(byte)
                }
            }
        }
        append(hostStart..<authorityEnd, lowercased: true)
        var segmentStart = authorityEnd
        for position in authorityEnd...end where position == end || url[position] == slash {
            if position > segmentStart { append(segmentStart..<position, lowercased: false) }
            segmentStart = position + 1
        }
        return .path(String(decoding: path, as: UTF8.self))
    }
}

/// Finds the line that declares a package in a manifest or lock file. Best effort: when
/// nothing matches, the result points at line 1 of the file.
enum PackageLineFinder {
    static func line(of package: Package, in file: inout SourceFile, fileName: String) -> Int? {
        let name = package.name
        let version = package.installedVersion
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        switch base {
        case "package-lock.json", "npm-shrinkwrap.json":
            // v2/v3: "node_modules/a/node_modules/b": { … } (in a workspace also
            // "packages/web/node_modules/b"); v1: "b": { … }.
            let entries = file.npmLockEntries()
            for nodePath in package.paths where AnchorResolver.isNpmNodePath(nodePath) {
                if let index = entries.lineOfKey[nodePath] { return index + 1 }
            }
            // Trivy names the lock file, not the copy: of several copies locked (a nested
            // `node_modules/express/node_modules/lodash`), the one of the installed version. The
            // first copy's line would be every copy's, and their results would share it.
            if let version, let line = npmLockEntryLine(name: name, version: version, in: file, entries: entries) {
                return line
            }
            if let index = entries.lineOfKey["node_modules/" + name] ?? entries.lineOfKey[name] { return index + 1 }
            return nil
        case "yarn.lock":
            return yarnLine(name: name, version: version, in: file, headers: file.yarnHeaders()[name] ?? [])
        case "package.json":
            return file.firstLine { $0.contains("\"" + name + "\":") }
        default:
            if let version,
                let line = file.firstLine(where: { containsToken(name, in: $0) && $0.contains(version) })
            {
                return line
            }
            return file.firstLine { containsToken(name, in: $0) }
        }
    }

    /// The line of a package-lock entry of `name` whose `"version"` is `version`: the key
    /// `"node_modules/NAME"` or `"…/node_modules/NAME"` (lock files v2 and v3) or `"NAME"`
    /// (v1's nested `dependencies`), with the version among the entry's first fields.
    static func npmLockEntryLine(name: String, version: String, in file: SourceFile, entries: NpmLockEntries)
        -> Int?
    {
        let versionField = "\"version\": \"" + version + "\""
        for index in entries.linesOfPackage[name] ?? [] {
            // On the key's line (`"node_modules/b": { "version": "1.0.0" }`), else among the
            // fields below it before the first nested object or the entry's end.
            if file.lines[index].contains(versionField) { return index + 1 }
            for field in file.lines.dropFirst(index + 1).prefix(8) {
                let trimmed = field.trimmingLeadingSpaces
                if trimmed.hasPrefix(versionField) { return index + 1 }
                if trimmed.hasSuffix("{") || trimmed.hasPrefix("}") { break }
            }
        }
        return nil
    }

    /// A yarn.lock entry header (`lodash@^4.17.15, "lodash@^4.17.20":`), preferring the one whose
    /// `version` line matches the installed version.
    /// `headers`: the 0-based lines of the headers naming the package (``SourceFile/yarnHeaders()``).
    static func yarnLine(name: String, version: String?, in file: SourceFile, headers: [Int]) -> Int? {
        var first: Int?
        for index in headers {
            if first == nil { first = index + 1 }
            guard let version else { return index + 1 }
            // The entry's fields are the indented lines right below its header.
            for next in file.lines.dropFirst(index + 1).prefix(while: { $0.hasPrefix(" ") }) {
                let trimmed = next.trimmingLeadingSpaces
                if trimmed == "version \"\(version)\"" || trimmed == "version: \(version)"
                    || trimmed == "version: \"\(version)\""
                {
                    return index + 1
                }
            }
        }
        return first
    }

    /// Whether `token` occurs in `line` with no name character right before or after it
    /// (`qs` in `qs==6.7.0`, not in `requests`), ignoring case.
    static func containsToken(_ token: String, in line: String) -> Bool {
        let haystack = Array(line.lowercased().utf8)
        let needle = Array(token.lowercased().utf8)
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == needle[0] && Array(haystack[start..<start + needle.count]) == needle {
                let before = start == 0 ? nil : haystack[start - 1]
                let afterIndex = start + needle.count
                let after = afterIndex < haystack.count ? haystack[afterIndex] : nil
                if !isNameByte(before, allowSlash: true) && !isNameByte(after, allowSlash: false) { return true }
            }
            start += 1
        }
        return false
    }

    private static func isNameByte(_ byte: UInt8?, allowSlash: Bool) -> Bool {
        guard let byte else { return false }
        let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || byte >= 0x80
        return isAlphanumeric || byte == 0x5F || byte == 0x2D || byte == 0x2E || (allowSlash && byte == 0x2F)
    }
}

extension String {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " || $0 == "\t" }) }
}

extension Substring {
    var trimmingLeadingSpaces: String { String(drop { $0 == " " || $0 == "\t" }) }
}
