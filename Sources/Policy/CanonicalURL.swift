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

    /// A `url:` glob as written, with the scheme and authority lower-cased (`HTTPS://App.Example/*`
    /// → `https://app.example/*`): it is matched against canonical URLs, whose scheme and host
    /// are lower-case, and a fail rule written with a capital must still fail what it names.
    /// A glob naming a site's home page without its `/` (`http://app.example`, not
    /// `http://app.example*`) gets it, as the URLs it is matched against do.
    static func pattern(_ glob: String) -> String {
        guard let schemeEnd = glob.range(of: "://") else { return glob }
        let scheme = glob[..<schemeEnd.upperBound].lowercased()
        let rest = glob[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd].lowercased()
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?"), scheme == "http://" || scheme == "https://",
            !authority.isEmpty, !authority.contains(where: { "*?[".contains($0) })
        {
            path = "/" + path
        }
        return scheme + authority + path
    }

    /// Whether `glob` matches `url` in any of its ``forms(of:)``.
    static func matches(_ glob: Glob, _ url: String) -> Bool {
        forms(of: url).contains { glob.matches($0) }
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
        var host = authority.lowercased()
        if (scheme == "http" && host.hasSuffix(":80")) || (scheme == "https" && host.hasSuffix(":443")) {
            host = String(host[..<(host.lastIndex(of: ":") ?? host.endIndex)])
        }
        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: "?") ?? afterAuthority.endIndex
        var path = removingDotSegments(normalizedEscapes(String(afterAuthority[..<queryStart])))
        // An empty path is `/` for http(s) (RFC 3986 section 6.2.3): `http://example.com` is the
        // home page a rule for `http://example.com/` names.
        if path.isEmpty, scheme == "http" || scheme == "https" { path = "/" }
        let query = normalizedEscapes(String(afterAuthority[queryStart...]))
        return scheme + "://" + host + path + query
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
