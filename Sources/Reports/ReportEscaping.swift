import Policy

/// Escaping of scanner text for every output format.
///
/// Scanner text is hostile input: a ZAP alert quotes the page it attacked, a SARIF tool names
/// itself. Nothing a scanner wrote is ever emitted without going through one of these.
public enum ReportEscaping {
    /// Text for HTML element content and quoted attribute values: `& < > " '` become entities,
    /// and characters HTML and XML forbid (C0 controls but tab, newline and carriage return;
    /// DEL; C1 controls; noncharacters) become U+FFFD.
    public static func html(_ text: String) -> String {
        markup(text)
    }

    /// Text for XML 1.0 element content and attribute values: the same five entities, and
    /// characters XML 1.0 cannot carry replaced by U+FFFD. Newlines and tabs in attribute
    /// values are written as character references, so parsers keep them.
    public static func xml(_ text: String, attribute: Bool = false) -> String {
        markup(text, escapingWhitespace: attribute)
    }

    private static func markup(_ text: String, escapingWhitespace: Bool = false) -> String {
        // Fast path: most text needs nothing.
        if !text.utf8.contains(where: { needsWork($0, escapingWhitespace) }) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\n" where escapingWhitespace: result += "&#10;"
            case "\r" where escapingWhitespace: result += "&#13;"
            case "\t" where escapingWhitespace: result += "&#9;"
            default:
                if isForbidden(scalar) || scalar.isBidiControl {
                    result.unicodeScalars.append("\u{FFFD}")
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    private static func needsWork(_ byte: UInt8, _ escapingWhitespace: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        case 0x09, 0x0A, 0x0D: escapingWhitespace
        // Controls, DEL, and any non-ASCII byte (C1 controls and noncharacters are non-ASCII).
        case 0x00...0x1F, 0x7F...0xFF: true
        default: false
        }
    }

    /// Characters that XML 1.0 forbids or HTML reports as parse errors.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        switch value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0xFDD0...0xFDEF: return true
        default: return value & 0xFFFE == 0xFFFE
        }
    }

    /// Whether a URL may become a link: only `http:` and `https:` URLs, written exactly so
    /// (no leading spaces or controls a browser would strip to find `javascript:` behind).
    public static func isWebLink(_ url: String) -> Bool {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return false }
        return !url.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || isForbidden($0) }
    }

    /// Scanner text for one line of Markdown (a table cell, a list item): on one line, at most
    /// `limit` characters, with every character Markdown or GitHub would interpret escaped:
    /// HTML (`<`, `>`, `&` as entities), emphasis, code, links, tables (`|`), headings, and
    /// `@` mentions (a zero-width space after `@`, so scanner text never pings anyone, and an
    /// e-mail address is not linked), and issue references (`#123`, `GH-123`: GitHub links them
    /// even escaped, and the issue gets a back-link, so a zero-width space goes after `#` and
    /// before `-`). GitHub also links URLs in plain text (GFM's autolink extension): the `:` of
    /// `https://` is escaped, and so is the `.` of `www.` (in any case).
    ///
    /// `limit` counts Unicode scalars, not characters: one character can hold thousands of
    /// combining marks, and a row clipped by characters could still be too long for a comment.
    public static func markdown(_ text: String, limit: Int = 200) -> String {
        var scalars = Array(text.unicodeScalars)
        if scalars.count > limit { scalars = Array(scalars.prefix(max(0, limit - 1))) + ["…"] }
        var result = ""
        result.reserveCapacity(scalars.count + 8)
        func isDigit(at index: Int) -> Bool { index < scalars.count && ("0"..."9").contains(scalars[index]) }
        func followsWWW(_ index: Int) -> Bool {
            index >= 3 && scalars[(index - 3)..<index].allSatisfy { $0 == "w" || $0 == "W" }
        }
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\n", "\r", "\t": result += " "
            case "@": result += "@\u{200B}"
            case "#" where isDigit(at: index + 1): result += "\\#\u{200B}"
            case "-"
            where isDigit(at: index + 1) && index >= 2 && scalars[index - 2] == "G" && scalars[index - 1] == "H":
                result += "\u{200B}-"
            case "." where followsWWW(index): result += "\\."
            case "\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "#", "|", "~", ":":
                result += "\\"
                result.unicodeScalars.append(scalar)
            default:
                if isForbidden(scalar) || scalar.isBidiControl {
                    result.unicodeScalars.append("\u{FFFD}")
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Whether a link to `url` in a GitHub comment would add a "mentioned this" event to another
    /// issue, pull request or discussion (`https://github.com/OWNER/REPO/issues/N`): a PR
    /// comment linking upstream issues from scanner references would notify their threads on
    /// every run, and a hostile report could aim it at any thread. On any host: a GitHub
    /// Enterprise Server (`--api-url`) has the same pages, and a link elsewhere shown as text
    /// costs nothing.
    public static func linksGitHubThread(_ url: String) -> Bool {
        // Read as a browser would: any letter case, user information and a port dropped, a
        // trailing dot on the host, percent-escapes in the path decoded.
        let lower = percentDecoded(url.lowercased())
        guard let schemeEnd = lower.range(of: "://"), ["http", "https"].contains(lower[..<schemeEnd.lowerBound])
        else { return false }
        // A browser reads any run of slashes and backslashes after the scheme as `//`
        // (`https:///github.com/…` is github.com).
        let afterScheme = lower[schemeEnd.upperBound...].drop { $0 == "/" || $0 == "\\" }
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let segments = afterScheme.dropFirst(authority.count).split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count >= 4, ["issues", "pull", "pulls", "discussions"].contains(segments[2]) else {
            return false
        }
        return segments[3].first?.isASCII == true && segments[3].first?.isNumber == true
    }

    /// `%XX` escapes decoded where they are ASCII; others left as written.
    private static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16), value < 0x80
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A URL for the target of a Markdown link `[text](url)`: characters that would end the
    /// link or start HTML are percent-encoded, and `&` is written `&amp;`, which Markdown reads
    /// back as `&`: left as it is, an entity in the URL (`pull/&#54;`) would be decoded into the
    /// link, past ``linksGitHubThread(_:)``'s check. Nil when the URL is not a web link.
    public static func markdownLinkTarget(_ url: String) -> String? {
        guard isWebLink(url) else { return nil }
        var result = ""
        for scalar in url.unicodeScalars {
            switch scalar {
            case "(": result += "%28"
            case ")": result += "%29"
            case "<": result += "%3C"
            case ">": result += "%3E"
            case " ": result += "%20"
            case "\"": result += "%22"
            case "'": result += "%27"
            case "\\": result += "%5C"
            case "`": result += "%60"
            case "|": result += "%7C"
            case "&": result += "&amp;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
