import Foundation

/// Read access to the project's files under the source root, for finding the line that
/// declares a package and for GitHub's line hashes. Files are read once and cached.
struct SourceTree {
    /// Absolute, standardized source root; nil when none was given (then nothing is read).
    let root: String?
    private var cache: [String: SourceFile?] = [:]

    /// Files of more lines than this are not read either: each line costs memory (its text,
    /// its hash), and a 64 MiB file of line breaks is 67 million of them. A large lock file has a
    /// few hundred thousand.
    static let maximumLineCount = 4_000_000

    /// Files larger than this are not read (a lock file is far smaller).
    static let maximumFileSize = 64 << 20

    init(root: String?) {
        guard let root, !root.isEmpty else {
            self.root = nil
            return
        }
        let absolute =
            root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// The file at repository-relative `path`, when a source root is set and it is a regular file.
    mutating func file(_ path: String) -> SourceFile? {
        if let cached = cache[path] { return cached }
        var loaded: SourceFile?
        if let root {
            loaded = SourceFile(absolutePath: root + "/" + path)
        }
        cache[path] = loaded
        return loaded
    }

    /// The absolute paths of the files read (those that exist), sorted: inputs of the run, which
    /// an output must not replace.
    var filesRead: [String] {
        guard let root else { return [] }
        return cache.compactMap { $0.value == nil ? nil : root + "/" + $0.key }.sorted()
    }

    /// `body` run on the file at `path` (nil when there is none), whose caches (line hashes,
    /// a lock file's entries) it may fill: they are kept for the next call.
    mutating func withFile<Result>(_ path: String, _ body: (inout SourceFile) -> Result) -> Result? {
        guard var file = file(path) else { return nil }
        cache[path] = nil  // the cache's copy released, so `file` is the only one and grows in place
        let result = body(&file)
        cache[path] = file
        return result
    }

    /// GitHub's line hash of 1-based `line` of the file at `path` (hashes are computed once per file).
    mutating func lineHash(_ path: String, line: Int) -> String? {
        withFile(path) { $0.lineHash(line) } ?? nil
    }

    /// A path as a tool wrote it, made relative to the repository root: `file://` and Windows
    /// drive prefixes removed, `\` turned into `/`, `.` and `..` segments resolved, an absolute
    /// path under the source root made relative to it. An absolute path outside it loses its
    /// leading `/` (GitHub could not map it to a file either way, and rejects absolute URIs
    /// outside the checkout less gracefully than a relative path it cannot find). Nil when
    /// nothing is left.
    func relativePath(_ raw: String) -> String? {
        var path = raw.replacingOccurrences(of: "\\", with: "/")
        if path.lowercased().hasPrefix("file:") {
            path = String(path.dropFirst(5))
            // file:///abs, file://host/abs: the host is meaningless here.
            if path.hasPrefix("//") {
                path = String(path.dropFirst(2))
                if !path.hasPrefix("/"), let slash = path.firstIndex(of: "/") { path = String(path[slash...]) }
            }
            path = path.removingPercentEncoding ?? path
        }
        let bytes = Array(path.utf8)
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":"), (bytes[0] | 0x20) >= 0x61, (bytes[0] | 0x20) <= 0x7A {
            path = "/" + String(path.dropFirst(2))
        }
        if path.hasPrefix("/"), let root {
            let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
            if standardized.hasPrefix(root + "/") { path = String(standardized.dropFirst(root.count + 1)) }
        }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }
}

/// One text file of the project: its lines (for searching) and GitHub's hash of each line.
struct SourceFile {
    let lines: [String]
    private let text: String
    private var hashes: LineHash.Table?
    private var lockEntries: NpmLockEntries?
    private var yarnHeaderLines: [String: [Int]]?

    /// The 0-based lines of a `yarn.lock`'s entry headers (`lodash@^4.17.15, "lodash@^4.17.20":`)
    /// by the package they name, in file order, found once.
    mutating func yarnHeaders() -> [String: [Int]] {
        if let yarnHeaderLines { return yarnHeaderLines }
        var headers: [String: [Int]] = [:]
        for (index, line) in lines.enumerated() where !line.hasPrefix(" ") && line.hasSuffix(":") {
            var names = Set<String>()
            for entry in line.dropLast().split(separator: ",") {
                let text = entry.trimmingLeadingSpaces.replacingOccurrences(of: "\"", with: "")
                // `name@range`; a scoped name starts with its own `@`.
                guard let at = text.dropFirst().firstIndex(of: "@") else { continue }
                names.insert(String(text[..<at]))
            }
            for name in names { headers[name, default: []].append(index) }
        }
        yarnHeaderLines = headers
        return headers
    }

    /// The entries of an npm lock file, indexed once (``NpmLockEntries``).
    mutating func npmLockEntries() -> NpmLockEntries {
        if let lockEntries { return lockEntries }
        let entries = NpmLockEntries(lines: lines)
        lockEntries = entries
        return entries
    }

    init?(absolutePath: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolutePath, isDirectory: &isDirectory), !isDirectory.boolValue,
            let attributes = try? FileManager.default.attributesOfItem(atPath: absolutePath),
            let size = attributes[.size] as? Int, size <= SourceTree.maximumFileSize,
            let data = FileManager.default.contents(atPath: absolutePath),
            Self.lineBreaks(in: data) <= SourceTree.maximumLineCount
        else { return nil }
        // Invalid UTF-8 becomes U+FFFD, as upload-sarif's decoding does.
        text = String(decoding: data, as: UTF8.self)
        lines = SourceFile.splitLines(text)
    }

    /// How many LF and CR bytes `data` holds: at most how many lines it has, counted before
    /// anything is made of them.
    static func lineBreaks(in data: Data) -> Int {
        data.withUnsafeBytes { buffer in buffer.reduce(0) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) } }
    }

    /// Lines split as GitHub's line hash counts them: LF, CRLF and a lone CR each end a line.
    static func splitLines(_ text: String) -> [String] {
        var lines: [String] = []
        var start = text.startIndex
        var index = text.startIndex
        // Iterating unicode scalars: "\r\n" is one Character but two scalars.
        let scalars = text.unicodeScalars
        while index < text.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(scalars[start..<index]))
                if scalar == "\r", next < text.endIndex, scalars[next] == "\n" {
                    index = scalars.index(after: next)
                } else {
                    index = next
                }
                start = index
            } else {
                index = next
            }
        }
        lines.append(String(scalars[start...]))
        return lines
    }

    /// GitHub's `primaryLocationLineHash` for 1-based `line`.
    mutating func lineHash(_ line: Int) -> String? {
        if hashes == nil { hashes = LineHash.table(of: text) }
        return hashes?.hash(line: line)
    }

    /// The 1-based number of the first line satisfying `predicate`.
    func firstLine(where predicate: (String) -> Bool) -> Int? {
        lines.firstIndex(where: predicate).map { $0 + 1 }
    }
}

/// The entry keys of a `package-lock.json` or `npm-shrinkwrap.json` (`"node_modules/a/node_modules/b": {`
/// in lock files v2 and v3, `"b": {` in v1's nested `dependencies`), found in one pass: looking
/// each package up line by line took minutes for thousands of findings in a monorepo's lock file.
struct NpmLockEntries {
    /// The 0-based line of each key's first entry.
    private(set) var lineOfKey: [String: Int] = [:]
    /// Each entry's 0-based line by the package it is of (the key after its last
    /// `node_modules/`), in file order.
    private(set) var linesOfPackage: [String: [Int]] = [:]

    init(lines: [String]) {
        for (index, line) in lines.enumerated() {
            // `"KEY": {`, the entry's fields below it or on the same line.
            let header = line.trimmingLeadingSpaces
            guard header.hasPrefix("\""),
                let end = header.range(of: "\": {") ?? header.range(of: "\":{"),
                end.lowerBound > header.index(after: header.startIndex)
            else { continue }
            let key = String(header[header.index(after: header.startIndex)..<end.lowerBound])
            if lineOfKey[key] == nil { lineOfKey[key] = index }
            let package =
                key.range(of: "node_modules/", options: .backwards).map { String(key[$0.upperBound...]) } ?? key
            linesOfPackage[package, default: []].append(index)
        }
    }
}
