import Foundation
import Policy

/// A report pattern of `.scangate.yaml`: path segments separated by `/`, each a glob (`*`, `?`,
/// `[a-z]`, `\` escapes, as policy globs), where `*` stays within one segment and a `**` segment
/// matches any number of directories. Names starting with `.` match only a pattern segment that
/// starts with `.` (as a shell does), so `reports/*` never picks up editor or tool droppings.
public struct ReportGlob: Sendable {
    /// Why a pattern is refused.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let pattern: String
    private let isAbsolute: Bool
    private let segments: [Segment]

    private enum Segment: Sendable {
        case literal(String)
        case glob(Glob, String)
        case anyDirectories
    }

    public init(_ pattern: String) throws(SyntaxError) {
        guard !pattern.isEmpty else { throw SyntaxError(description: "a report pattern must not be empty") }
        self.pattern = pattern
        isAbsolute = pattern.hasPrefix("/")
        var segments: [Segment] = []
        for part in pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            if part == "**" {
                segments.append(.anyDirectories)
            } else if part.contains(where: { "*?[\\".contains($0) }) {
                do {
                    segments.append(.glob(try Glob(part), part))
                } catch {
                    throw SyntaxError(description: error.description)
                }
            } else {
                segments.append(.literal(part))
            }
        }
        guard !segments.isEmpty else {
            throw SyntaxError(description: "the report pattern \"\(pattern)\" names no file")
        }
        if case .anyDirectories = segments[segments.count - 1] {
            throw SyntaxError(
                description: "the report pattern \"\(pattern)\" ends in **: add a file pattern (**/*.json)")
        }
        self.segments = segments
    }

    /// Whether the pattern has any wildcard (a pattern without one names one file or directory).
    public var hasWildcards: Bool {
        segments.contains {
            if case .literal = $0 { return false }
            return true
        }
    }

    /// Whether the pattern names `path` (absolute, or relative to the working directory like a
    /// relative pattern), directly or as a file below a directory it names (through non-hidden
    /// names): whether a file written there would be read as a report by the next run.
    public func covers(_ path: String) -> Bool {
        let components = Self.absoluteComponents(path)
        let base = Self.absoluteComponents(isAbsolute ? "/" : "")
        guard components.count > base.count, Array(components.prefix(base.count)) == base else { return false }
        let relative = Array(components.dropFirst(base.count))
        var named = relative[...]
        if matches(named, from: 0) { return true }
        // A file anywhere below a directory the pattern names, through non-hidden names only
        // (``filesIn(_:)`` reads a directory's subdirectories too).
        while let name = named.last, !name.hasPrefix("."), named.count > 1 {
            named = named.dropLast()
            if matches(named, from: 0) { return true }
        }
        return false
    }

    private func matches(_ names: ArraySlice<String>, from index: Int) -> Bool {
        guard index < segments.count else { return names.isEmpty }
        switch segments[index] {
        case .literal(let literal):
            guard let name = names.first, name == literal else { return false }
            return matches(names.dropFirst(), from: index + 1)
        case .glob(let glob, let text):
            guard let name = names.first, !name.hasPrefix(".") || text.hasPrefix("."), glob.matches(name) else {
                return false
            }
            return matches(names.dropFirst(), from: index + 1)
        case .anyDirectories:
            var rest = names
            while true {
                if matches(rest, from: index + 1) { return true }
                guard let name = rest.first, !name.hasPrefix(".") else { return false }
                rest = rest.dropFirst()
            }
        }
    }

    /// The components of `path` made absolute against the working directory, without `.` and
    /// `name/..`.
    private static func absoluteComponents(_ path: String) -> [String] {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var components: [String] = []
        for part in absolute.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if !components.isEmpty { components.removeLast() }
                continue
            }
            components.append(String(part))
        }
        return components
    }

    /// The files the pattern matches, sorted; a matched directory stands for the non-hidden files
    /// in it and its subdirectories (``filesIn(_:)``, as on the command line).
    public func expand() -> [String] { expansion().files }

    /// ``expand()``'s files, and the directories the walk met but could not list or enter
    /// (permission denied), sorted: a report in one would go unread, so a run must not pass
    /// without it (`reports/*/trivy.json` skipped an image scan in a directory mode 000).
    public func expansion() -> (files: [String], unlistable: [String]) {
        var results: Set<String> = []
        var unlistable: Set<String> = []
        walk(base: isAbsolute ? "/" : "", index: 0, into: &results, unlistable: &unlistable)
        var files: [String] = []
        for path in results {
            // A matched symbolic link to a directory is listed, not followed, as inside a
            // directory (``filesIn(_:)``); so is a broken one, so that reading it fails.
            var isDirectory: ObjCBool = false
            if !Self.isSymbolicLink(path), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                isDirectory.boolValue
            {
                files += Self.filesIn(path)
            } else {
                files.append(path)
            }
        }
        return (Array(Set(files)).sorted(), unlistable.sorted())
    }

    private func walk(base: String, index: Int, into results: inout Set<String>, unlistable: inout Set<String>) {
        guard index < segments.count else {
            results.insert(base)
            return
        }
        func child(_ name: String) -> String {
            base.isEmpty ? name : (base.hasSuffix("/") ? base + name : base + "/" + name)
        }
        // `base` as a directory to name in a message: the working directory when empty.
        let directory = base.isEmpty ? "." : base
        switch segments[index] {
        case .literal(let name):
            let path = child(name)
            var status = stat()
            if stat(path, &status) == 0 {
                walk(base: path, index: index + 1, into: &results, unlistable: &unlistable)
            } else if errno == EACCES {
                // `base` cannot be entered: whether `name` is in it is not known.
                unlistable.insert(directory)
            }
        case .glob(let glob, let text):
            guard let names = Self.entries(directory) else {
                unlistable.insert(directory)
                return
            }
            for name in names where !name.hasPrefix(".") || text.hasPrefix(".") {
                if glob.matches(name) {
                    walk(base: child(name), index: index + 1, into: &results, unlistable: &unlistable)
                }
            }
        case .anyDirectories:
            walk(base: base, index: index + 1, into: &results, unlistable: &unlistable)
            guard let names = Self.entries(directory) else {
                unlistable.insert(directory)
                return
            }
            for name in names where !name.hasPrefix(".") {
                let path = child(name)
                var isDirectory: ObjCBool = false
                // Symbolic links to directories are not followed: a link cycle would never end.
                if !Self.isSymbolicLink(path), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                    isDirectory.boolValue
                {
                    walk(base: path, index: index, into: &results, unlistable: &unlistable)
                }
            }
        }
    }

    /// The names in `directory`, sorted; nil when it is a directory that cannot be listed
    /// (permission denied; ``expansion()`` names it). A file (matched by a pattern's directory
    /// part) has no names.
    private static func entries(_ directory: String) -> [String]? {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) { return names.sorted() }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
            ? nil : []
    }

    /// The non-hidden files in `directory` and, at any depth, in its non-hidden subdirectories,
    /// sorted: a directory of reports may sort them by tool (`reports/trivy/`, `reports/zap/`),
    /// and a report skipped without a word would pass as a clean scan. A symbolic link to a
    /// directory is not followed (it could lead out of the tree, to the outputs, or back up it)
    /// but listed, so that reading it fails and says to name that directory itself; so is a broken
    /// link, and a subdirectory that cannot be listed.
    static func filesIn(_ directory: String) -> [String] {
        var files: [String] = []
        collectFiles(in: directory, into: &files)
        return files.sorted()
    }

    private static func collectFiles(in directory: String, into files: inout [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            // Listed as a report, so that reading it fails and says why (permission denied).
            files.append(directory)
            return
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = prefix + name
            var isDirectory: ObjCBool = false
            if !isSymbolicLink(path), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                isDirectory.boolValue
            {
                collectFiles(in: path, into: &files)
            } else {
                files.append(path)
            }
        }
    }

    private static func isSymbolicLink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeSymbolicLink
    }
}
