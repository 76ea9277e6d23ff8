/// A file path as policy `path:` globs and waiver `path:` scopes see it, so that one file written
/// several ways is one file: a rule for `services/pay/*` must fail `./services/pay/package-lock.json`
/// and `services/web/../pay/package-lock.json`, and a rule relaxing `services/web/*` must not
/// relax the latter.
///
/// The form: `.` segments and empty segments (`a//b`) dropped, each `..` resolved with the segment
/// before it (`a/b/../c` → `a/c`), `/..` at the root of an absolute path dropped, a `./` that names
/// the scanned directory itself made `.`. A relative path that still climbs out of the scanned
/// directory keeps its leading `..` (`../../aws-credentials/main.tf`): it is outside every
/// pattern that does not itself start with `..`, for a rule or waiver that relaxes (a `fail`
/// rule's `*` still takes it).
///
/// For matching only: the paths reports show, and the findings' identities and fingerprints,
/// stay as the scanners wrote them.
enum FindingPath {
    /// The normal form of a finding's path.
    static func normal(_ path: String) -> String {
        guard needsNormalizing(path) else { return path }
        return resolvingSegments(path) { (_: Substring) throws(Never) in }
    }

    /// `text` with `.` and empty segments dropped and each `..` resolved against the segment
    /// before it (kept at the start of a relative path, dropped at the root of an absolute one);
    /// `dropping` is asked first about each segment a `..` removes, and may refuse it.
    private static func resolvingSegments<Failure: Error>(
        _ text: String, dropping: (Substring) throws(Failure) -> Void
    ) throws(Failure) -> String {
        // Split by Unicode scalars, as globs compare text: a `/` with a combining mark after it is
        // still a `/` to the file system (as Characters, the two were one and hid a `..`).
        let absolute = text.unicodeScalars.first == "/"
        var output: [Substring] = []
        for scalars in text.unicodeScalars.split(separator: "/", omittingEmptySubsequences: true) {
            let segment = Substring(String(scalars))
            switch segment {
            case ".":
                continue
            case "..":
                if let previous = output.last, previous != ".." {
                    try dropping(previous)
                    output.removeLast()
                } else if !absolute {
                    output.append(segment)
                }
            default:
                output.append(segment)
            }
        }
        let joined = output.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Whether a path in normal form climbs out of the scanned directory (`../x`).
    static func climbsOut(_ normal: String) -> Bool {
        normal == ".." || normal.unicodeScalars.starts(with: "../".unicodeScalars)
    }

    /// A `path:` glob brought to the normal form of the paths it is matched against: `.` and empty
    /// segments dropped, a `..` resolved with the literal segment before it
    /// (`./services/web/../pay/*` → `services/pay/*`), a leading `..` kept (the glob is written
    /// for paths outside the scanned directory). A `..` after a segment with a wildcard
    /// (`services/*/../pay/*`) cannot be resolved and is refused: such a glob would match
    /// nothing, and a `fail` rule written with it would pass what it names.
    static func pattern(_ glob: String) throws(MatchPatternError) -> String {
        guard needsNormalizing(glob) else { return glob }
        return try resolvingSegments(glob) { (previous: Substring) throws(MatchPatternError) in
            guard GlobText.isLiteral(previous) else {
                throw MatchPatternError(
                    key: "path", pattern: glob,
                    message: "a \"..\" segment after the wildcard segment \"\(previous)\" cannot be resolved (paths "
                        + "are compared with \".\" and \"..\" resolved): write the path it leads to")
            }
        }
    }

    /// Whether `glob` (in the form ``pattern(_:)`` gives) matches `path` (in normal form). For a
    /// rule or waiver that relaxes, a path that climbs out of the scanned directory matches only
    /// a glob that climbs out too: `*` or `*/main.tf` is written for the project's files, and
    /// must not waive `../../aws-credentials/main.tf`.
    ///
    /// A rule that fails written relative (`juice-shop/*`) also takes the absolute path an image
    /// scan writes for that file (`/juice-shop/lib/insecurity.js`), and a path a Windows tool
    /// wrote with backslashes (`services\pay\package-lock.json`), so no spelling can hide a file
    /// from it; one that relaxes takes only the path as written.
    static func matches(_ glob: Glob, _ path: String, relaxing: Bool) -> Bool {
        let globIsAbsolute = isAbsolute(slashedGlob(glob.pattern))
        if relaxing {
            let globClimbsOut = climbsOut(slashedGlob(glob.pattern))
            if climbsOut(path), !globClimbsOut { return false }
            // An absolute path (an image scan's, a Windows drive's `C:/x`) is relaxed only by a
            // glob written absolute: a leading `*` would otherwise take `/` as any other character.
            if isAbsolute(path), !globIsAbsolute { return false }
            // A backslash path with `..` (`services\web\..\pay\x`) is the file it leads to: a
            // glob must take that too (a Windows-style glob for `services\web\*` does not).
            // It is also outside the scanned directory when its `..` lead there, from the middle
            // or from its start (`..\..\aws\main.tf`, which needs no resolving): then only a glob
            // written for the outside reaches it (`../../aws/*` for where it leads, or
            // `..\\..\\aws\\*` as written). It is absolute when it starts with one
            // (`\srv\app`, `C:\app`), as its slashed spelling would be.
            if path.unicodeScalars.contains("\\") {
                let slashedPath = slashed(path)
                let resolved = normal(slashedPath)
                if climbsOut(resolved) {
                    return globClimbsOut && (glob.matches(resolved) || (resolved == slashedPath && glob.matches(path)))
                }
                if isAbsolute(slashedPath) || isAbsolute(resolved), !globIsAbsolute { return false }
                if resolved != slashedPath, !glob.matches(resolved) { return false }
            }
        }
        if glob.matches(path) { return true }
        guard !relaxing else { return false }
        var readings = [path]
        if path.unicodeScalars.contains("\\") { readings.append(normal(slashed(path))) }
        return readings.contains { reading in
            if glob.matches(reading) { return true }
            guard isAbsolute(reading), !globIsAbsolute else { return false }
            return glob.matches(String(withoutRoot(reading)))
        }
    }

    /// Whether a path (with slashes) is absolute: `/srv/app`, or on a Windows drive, `C:/app`.
    static func isAbsolute(_ path: String) -> Bool {
        let scalars = path.unicodeScalars
        if scalars.first == "/" { return true }
        return driveRootLength(path) > 0
    }

    /// 3 for `C:/…` (a drive letter, a colon and a slash), else 0.
    private static func driveRootLength(_ path: String) -> Int {
        let head = Array(path.unicodeScalars.prefix(3))
        guard head.count == 3, head[1] == ":", head[2] == "/", head[0].isASCII,
            head[0].properties.isAlphabetic
        else { return 0 }
        return 3
    }

    /// `path` without its root: the leading slashes, or a drive's `C:/` and the slashes after it.
    private static func withoutRoot(_ path: String) -> Substring {
        path.dropFirst(driveRootLength(path)).drop { $0 == "/" }
    }

    /// A glob's text with each escaped backslash (`\\`, a literal backslash) read as a `/`, for
    /// asking whether it is written absolute or for the outside: `\\srv\\*` is `/srv/*`.
    private static func slashedGlob(_ pattern: String) -> String {
        guard pattern.unicodeScalars.contains("\\") else { return pattern }
        return pattern.replacingOccurrences(of: "\\\\", with: "/")
    }

    /// `path` with each backslash a `/` (by Unicode scalars: a backslash with a combining mark
    /// after it is still one to the file system).
    private static func slashed(_ path: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: path.unicodeScalars.map { $0 == "\\" ? "/" : $0 })
        return String(scalars)
    }

    /// Whether `path` has a segment that is `.`, `..` or empty (`a//b`, a trailing `/`, or the
    /// root of an absolute path).
    private static func needsNormalizing(_ path: String) -> Bool {
        !path.isEmpty
            && path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).contains {
                $0.isEmpty || $0.elementsEqual(".".unicodeScalars) || $0.elementsEqual("..".unicodeScalars)
            }
    }
}
