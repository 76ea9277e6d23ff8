/// A URL as policy `url:` globs and waiver `url:` scopes see it, so that one resource written
/// several ways is one resource: a rule written for `https://app.example/admin*` must fail
/// `https://APP.EXAMPLE/admin/x`, `https://app.example/%61dmin/x` and
/// `https://u:p@app.example/admin/x`, and a rule relaxing `https://app.example/static/*` must not
/// relax `https://app.example/static/../admin/x`.
///
/// The form (RFC 3986 section 6.2.2, plus what browsers do with default ports and userinfo):
/// scheme and host lower-cased, userinfo dropped, a default port (80 for http, 443 for https)
/// dropped, percent-escapes of unreserved characters decoded and the others' hex upper-cased,
/// dot segments removed, an empty http(s) path made `/`, the fragment dropped. Text that is not an absolute `scheme://` URL is
/// kept as it is.
enum CanonicalURL {
    /// The canonical form, and the same without its query (a rule or waiver for
    /// `https://app.example/login` is about that page whatever its query; a ZAP finding is one
    /// URL without query, with every instance's query kept).
    static func forms(of url: String) -> [String] {
        let full = canonical(url)
        guard let question = full.firstIndex(of: "?") else { return [full] }
        return [full, String(full[..<question])]
    }

    /// A `url:` glob brought to the canonical form of the URLs it is matched against, as far as
    /// its literal text goes: scheme and authority lower-cased (`HTTPS://App.Example/*` →
    /// `https://app.example/*`), userinfo and a default port dropped
    /// (`https://ops@app.example:443/admin/*` → `https://app.example/admin/*`), escapes of
    /// unreserved characters decoded and other escapes' hex upper-cased (`/%61dmin/*` →
    /// `/admin/*`), dot segments removed from the path (`/x/../admin/*` → `/admin/*`). A glob
    /// naming a site's home page without its `/` (`http://app.example`, not
    /// `http://app.example*`) gets it, as the URLs it is matched against do. The path is the text
    /// up to the first `?` (a query, or a wildcard: either way what follows is left as written).
    ///
    /// Refused where a wildcard stands in the way, as such a glob would match nothing (a `fail`
    /// rule written with it would pass what it names): a `..` segment after a wildcard
    /// (`/static/*/../admin`), a wildcard scheme or port that can match a default port
    /// (`http*://app.example:443/*`, `https://app.example:*/*`), and a default port after a host
    /// ending in a wildcard (`https://*:443/*`: without the port the wildcard would take any port).
    static func pattern(_ glob: String) throws(MatchPatternError) -> String {
        func refuse(_ message: String) -> MatchPatternError {
            MatchPatternError(key: "url", pattern: glob, message: message)
        }
        // URLs are compared without their fragment: a glob with one would match nothing.
        if glob.contains("#") {
            throw refuse("URLs are compared without their fragment (#…): leave it out of the pattern")
        }
        guard let schemeEnd = glob.range(of: "://") else {
            // Every URL a finding has is absolute: without a scheme, only a pattern that starts
            // with a wildcard (`*/admin/*`) can match one; `/admin/*` or `app.example/admin/*`
            // would match nothing, and a `fail` rule written with it would fail nothing.
            // Text before the first wildcard must be able to begin a URL (`http*`, `https:*`):
            // `localhost:*/…` or `/admin/*` cannot.
            let literal = glob.prefix { $0 != "*" && $0 != "?" && $0 != "[" }.lowercased()
            guard literal.count < glob.count, "http://".hasPrefix(literal) || "https://".hasPrefix(literal) else {
                throw refuse(
                    "URLs are absolute: write the scheme and host (https://app.example/admin/*), or start the "
                        + "pattern with a wildcard (*/admin/*) for any site")
            }
            // No scheme to anchor an authority: the whole text is treated as a path.
            return try patternPath(normalizedEscapes(glob), rooted: false, refuse)
        }
        let scheme = glob[..<schemeEnd.lowerBound].lowercased()
        let rest = glob[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd].lowercased()
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        authority = try withoutDefaultPort(authority, scheme: scheme, refuse)
        // A literal authority in the spelling URLs are brought to (`app.example.`, `:0443`).
        if GlobText.isLiteral(authority) { authority = canonicalAuthority(authority, scheme: scheme) }
        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: "?") ?? afterAuthority.endIndex
        // Directly after a literal authority a `..` stays at the root, as in a URL; after a
        // wildcard (`https://*/../admin`) it could be meant to take back what the wildcard took.
        var path = try patternPath(
            normalizedEscapes(String(afterAuthority[..<queryStart])), rooted: GlobText.isLiteral(authority), refuse)
        let query = normalizedEscapes(String(afterAuthority[queryStart...]))
        if path.isEmpty, scheme == "http" || scheme == "https", !authority.isEmpty, GlobText.isLiteral(authority) {
            path = "/"
        }
        return scheme + "://" + authority + path + query
    }

    /// The authority of a `url:` glob without the scheme's default port (`app.example:443` for
    /// https → `app.example`), or refused when a wildcard makes that impossible.
    private static func withoutDefaultPort(
        _ authority: String, scheme: String, _ refuse: (String) -> MatchPatternError
    ) throws(MatchPatternError) -> String {
        // The port follows the last `:`, unless that is inside an IPv6 literal (`\[::1\]`: a `]`
        // follows it, and no `[` opens a class of port digits).
        guard let colon = authority.lastIndex(of: ":") else { return authority }
        let afterColon = authority[colon...]
        if afterColon.contains("]") && !afterColon.contains("[") { return authority }
        let host = authority[..<colon]
        let port = String(authority[authority.index(after: colon)...])
        guard !port.isEmpty else { return authority }
        let defaults = [("http", "80"), ("https", "443")]
        if GlobText.isLiteral(scheme), port.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard defaults.contains(where: { $0 == (scheme, port) }) else { return authority }
            if GlobText.endsInWildcard(host) {
                throw refuse(
                    "URLs are compared without their default port (:\(port) for \(scheme)), and without it the "
                        + "wildcard ending the host would also take any other port: end the host with a name "
                        + "(\(scheme)://*.example/…), or leave the port out")
            }
            return String(host)
        }
        let schemeGlob = try? Glob(scheme)
        let portGlob = try? Glob(port)
        for (name, number) in defaults
        where schemeGlob?.matches(name) ?? false && portGlob?.matches(number) ?? false {
            throw refuse(
                "URLs are compared without their default port (:\(number) for \(name)), which a wildcard in the "
                    + "scheme or port cannot match: write one pattern per scheme without the default port "
                    + "(\(name)://host/…), and one per other port you mean (\(name)://host:8443/…)")
        }
        return authority
    }

    /// The path of a `url:` glob with its dot segments removed as ``removingDotSegments(_:)``
    /// removes a URL's: `.` anywhere, `..` with the literal segment before it. `rooted`: the
    /// path starts at a literal authority, where a leading `..` is dropped. A `..` after a
    /// segment with a wildcard is refused.
    private static func patternPath(
        _ path: String, rooted: Bool, _ refuse: (String) -> MatchPatternError
    ) throws(MatchPatternError) -> String {
        guard path.contains(".") else { return path }
        let queryStart = path.firstIndex(of: "?") ?? path.endIndex
        let tail = path[queryStart...]
        let segments = path[..<queryStart].split(separator: "/", omittingEmptySubsequences: false)
        // A path after an authority starts with `/`: its first segment is the empty one before it.
        let absolute = segments.first == ""
        var output: [Substring] = []
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if let previous = output.last, output.count > (absolute ? 1 : 0), previous != ".." {
                    guard GlobText.isLiteral(previous) else {
                        throw refuse(
                            "a \"..\" segment after the wildcard segment \"\(previous)\" cannot be resolved (URLs "
                                + "are compared with their dot segments removed): write the path it leads to")
                    }
                    output.removeLast()
                } else if absolute && !rooted {
                    throw refuse(
                        "a \"..\" segment right after a wildcard authority cannot be resolved (URLs are compared "
                            + "with their dot segments removed): write the path it leads to")
                } else if !absolute {
                    output.append(segment)
                }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return output.joined(separator: "/") + tail
    }

    /// Whether `glob` matches `url` in any of its ``forms(of:)``. A path with an empty segment
    /// before a `..` (`/static//../admin`) is two pages: `/static/admin` as RFC 3986 resolves it,
    /// `/admin` as servers that merge slashes (nginx, Go's `path.Clean`) serve it. A rule that
    /// fails takes either; one that relaxes (`relaxing`) must take both.
    ///
    /// So is a path whose `..` servers reach through an escape or a parameter (`..%2Fadmin`,
    /// `..%5Cadmin`, `..\admin`, `..;/admin`: nginx decodes `%2F`, IIS takes `\` for `/`, Tomcat
    /// drops `;…` from a segment): read also as those servers read it (``serverReading(_:)``).
    static func matches(_ glob: Glob, _ url: String, relaxing: Bool = false) -> Bool {
        let lenient = serverReading(url)
        let readings = [url] + [slashesMerged(url), lenient, lenient.flatMap(slashesMerged)].compactMap { $0 }
        let matched = { (reading: String) in forms(of: reading).contains { glob.matches($0) } }
        return relaxing ? readings.allSatisfy(matched) : readings.contains(where: matched)
    }

    /// `url` with its path's runs of `/` made one, when that changes where a `..` leads; nil
    /// otherwise.
    static func slashesMerged(_ url: String) -> String? {
        withPath(of: url) { path in
            guard path.contains("//"), path.contains("..") else { return nil }
            var merged = ""
            for character in path where !(character == "/" && merged.hasSuffix("/")) { merged.append(character) }
            return merged
        }
    }

    /// `url` with its path as lenient servers read it, when that makes a `..` of it: `%2F`,
    /// `%5C` and `\` as `/`, and each segment without its `;` parameters; nil otherwise.
    static func serverReading(_ url: String) -> String? {
        withPath(of: url) { path in
            let slashes = path.replacingOccurrences(of: "%2F", with: "/").replacingOccurrences(of: "%5C", with: "/")
                .replacingOccurrences(of: "\\", with: "/")
            let read = slashes.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                segment.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? segment
            }.joined(separator: "/")
            return read != path && read.split(separator: "/").contains("..") ? read : nil
        }
    }

    /// `url` with its path (escapes of unreserved characters decoded, the others' hex
    /// upper-cased) replaced by what `reading` makes of it; nil when it has no path or `reading`
    /// gives nil.
    private static func withPath(of url: String, _ reading: (String) -> String?) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        guard let pathStart = rest.firstIndex(of: "/") else { return nil }
        let pathEnd = rest[pathStart...].firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let read = reading(normalizedEscapes(String(rest[pathStart..<pathEnd]))) else { return nil }
        return String(url[..<schemeEnd.upperBound]) + rest[..<pathStart] + read + rest[pathEnd...]
    }

    static func canonical(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"),
            !url[..<schemeEnd.lowerBound].isEmpty,
            url[..<schemeEnd.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
            )
        else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host = canonicalAuthority(authority.lowercased(), scheme: scheme)
        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: "?") ?? afterAuthority.endIndex
        var path = removingDotSegments(normalizedEscapes(String(afterAuthority[..<queryStart])))
        // An empty path is `/` for http(s) (RFC 3986 section 6.2.3): `http://example.com` is the
        // home page a rule for `http://example.com/` names.
        if path.isEmpty, scheme == "http" || scheme == "https" { path = "/" }
        let query = normalizedEscapes(String(afterAuthority[queryStart...]))
        return scheme + "://" + host + path + query
    }

    /// A URL's host and port in one spelling, as servers read them: a port written with leading
    /// zeros (`:0443`) as its number, an empty port (`app.example:`) and the scheme's default port
    /// left out, and the root dot of a fully qualified name (`app.example.`) dropped, so that no
    /// spelling of one site escapes a rule written for it.
    static func canonicalAuthority(_ authority: String, scheme: String) -> String {
        var host = Substring(authority)
        var port: Substring?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        if host.hasSuffix("."), host.count > 1, !host.hasPrefix("[") { host = host.dropLast() }
        guard var port, !port.isEmpty else { return String(host) }
        if port.allSatisfy({ $0.isASCII && $0.isNumber }) {
            while port.count > 1, port.first == "0" { port = port.dropFirst() }
            if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") { return String(host) }
        }
        return host + ":" + port
    }

    /// Unreserved characters (`A-Z a-z 0-9 - . _ ~`) written as `%XX` decoded, other escapes'
    /// hex digits upper-cased; a `%` not followed by two hex digits is kept.
    static func normalizedEscapes(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                let value = high << 4 | low
                if isUnreserved(value) {
                    output.append(value)
                } else {
                    output += [UInt8(ascii: "%"), hexDigit(high), hexDigit(low)]
                }
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// RFC 3986 section 5.2.4: `.` and `..` segments removed (`/a/./b/../c` → `/a/c`).
    static func removingDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if output.count > 1 { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return output.joined(separator: "/")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
