/// Turns the small HTML that ZAP writes into its texts (`<p>…</p>` paragraphs, the odd `<br>`,
/// `<ul><li>`) into plain text: ZAP's markup tags stripped (``markupTags``; any other tag and
/// every comment kept as written: it is evidence), entities decoded, paragraphs separated by one
/// blank line, lines and the whole text trimmed.
///
/// Line breaks inside the text are kept. A `<` that does not start a tag stays as it is. Only
/// alert-level texts are HTML: ZAP's per-instance `otherinfo` is plain text even in the HTML
/// templates, and only goes through ``normalizedLines(_:)``.
enum ZAPHTMLText {
    /// Block elements whose boundaries become paragraph breaks.
    private static let blockElements: Set<String> = [
        "p", "div", "ul", "ol", "li", "pre", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    ]

    /// The tags ZAP's own texts are written with, stripped as markup. Any other tag-like text
    /// (`<!-- … -->`, `<script>`, `<base>`, `<input …>`) is kept as written: ZAP up to 2.10 (and
    /// later ones for some rules) wrote the evidence in an alert's other info unescaped inside
    /// its `<p>`, and stripping it lost the very comment or script the alert was raised for.
    private static let markupTags: Set<String> = blockElements.union([
        "br", "b", "i", "u", "em", "strong", "code", "tt", "span", "a", "sup", "sub", "small",
    ])

    /// A comment's delimiters: a comment is kept whole (``plainText(fromHTML:)``).
    private static let commentStart = Array("<!--".utf8)
    private static let commentEnd = Array("-->".utf8)

    /// The white space ZAP's texts are trimmed of: space, tab, LF, CR.
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    static func plainText(fromHTML html: String) -> String {
        let input = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "<"), input[index...].starts(with: commentStart) {
                // A comment is evidence (ZAP's own texts hold none): kept whole, tags inside too.
                var end = index + commentStart.count
                while end < input.count, !input[end...].starts(with: commentEnd) { end += 1 }
                end = min(input.count, end + commentEnd.count)
                output.append(contentsOf: input[index..<end])
                index = end
            } else if byte == UInt8(ascii: "<"), let tag = tag(in: input, at: index), markupTags.contains(tag.name) {
                if tag.name == "br" {
                    output.append(UInt8(ascii: "\n"))
                } else if blockElements.contains(tag.name) {
                    output.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: "\n")])
                }
                index = tag.end
            } else if byte == UInt8(ascii: "&"), let entity = entity(in: input, at: index) {
                output.append(contentsOf: entity.decoded)
                index = entity.end
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output.withUnsafeBufferPointer(normalizedLines(bytes:))
    }

    /// Trims every line and the whole text, and collapses runs of blank lines into one.
    static func normalizedLines(_ text: String) -> String {
        var text = text
        return text.withUTF8(normalizedLines(bytes:))
    }

    /// ``normalizedLines(_:)`` on UTF-8 bytes. Works on bytes because Character-level splitting
    /// and trimming dominated the ZAP ingest; it splits where `String.split(separator: "\n")`
    /// does: at every LF that is a Character of its own, i.e. not the LF of a CR LF pair (which
    /// Swift treats as one Character, so such a line is not split there).
    static func normalizedLines(bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Kept lines as byte ranges; an empty range stands for one blank line between paragraphs.
        var lines: [Range<Int>] = []
        var previousWasBlank = true
        var lineStart = 0
        var index = 0
        let count = bytes.count
        while index <= count {
            let atEnd = index == count
            if !atEnd && (bytes[index] != 0x0A || (index > 0 && bytes[index - 1] == 0x0D)) {
                index += 1
                continue
            }
            var start = lineStart
            var end = index
            while start < end && isSpace(bytes[start]) { start += 1 }
            while end > start && isSpace(bytes[end - 1]) { end -= 1 }
            if start == end {
                if !previousWasBlank { lines.append(0..<0) }
                previousWasBlank = true
            } else {
                lines.append(start..<end)
                previousWasBlank = false
            }
            index += 1
            lineStart = index
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        var output: [UInt8] = []
        output.reserveCapacity(count)
        for (position, line) in lines.enumerated() {
            if position > 0 { output.append(0x0A) }
            output.append(contentsOf: bytes[line])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The http(s) URLs in a text (ZAP's `reference` lists one per paragraph).
    static func urls(in text: String) -> [String] {
        var found: [String] = []
        for token in text.utf8.split(whereSeparator: isSpace) {
            guard token.starts(with: "https://".utf8) || token.starts(with: "http://".utf8) else { continue }
            var url = token
            while let last = url.last,
                last == UInt8(ascii: ".") || last == UInt8(ascii: ",") || last == UInt8(ascii: ";")
            {
                url.removeLast()
            }
            if url.count > "https://".utf8.count { found.append(String(decoding: url, as: UTF8.self)) }
        }
        return found
    }

    /// A tag starting at `start` (`<p>`, `</p>`, `<br/>`, `<a href="…">`, `<!-- … -->`): its
    /// lower-cased name and the index after its `>`. Nil when `<` does not start a tag.
    private static func tag(in input: [UInt8], at start: Int) -> (name: String, end: Int)? {
        var index = start + 1
        guard index < input.count else { return nil }
        if input[index] == UInt8(ascii: "/") { index += 1 }
        guard index < input.count else { return nil }
        let first = input[index]
        let isLetter = (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z")
        guard isLetter || first == UInt8(ascii: "!") else { return nil }
        let nameStart = index
        while index < input.count, isNameByte(input[index]) { index += 1 }
        let name = String(decoding: input[nameStart..<index], as: UTF8.self).lowercased()
        // Quoted attribute values may contain `>`.
        var quote: UInt8?
        while index < input.count {
            let byte = input[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return (name, index + 1)
            } else if byte == UInt8(ascii: "<") {
                return nil
            }
            index += 1
        }
        return nil
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "!")
    }

    /// An entity starting at `start` (`&lt;`, `&#39;`, `&#x27;`): its UTF-8 bytes and the index
    /// after its `;`. Nil for anything not recognised, which then stays literal.
    private static func entity(in input: [UInt8], at start: Int) -> (decoded: [UInt8], end: Int)? {
        var index = start + 1
        let limit = min(input.count, start + 12)
        while index < limit, input[index] != UInt8(ascii: ";") { index += 1 }
        guard index < limit, index > start + 1 else { return nil }
        let body = input[(start + 1)..<index]
        let end = index + 1
        if body.first == UInt8(ascii: "#") {
            let digits = body.dropFirst()
            let isHex = digits.first.map { $0 | 0x20 == UInt8(ascii: "x") } ?? false
            let number = String(decoding: isHex ? digits.dropFirst() : digits, as: UTF8.self)
            guard let value = UInt32(number, radix: isHex ? 16 : 10), value != 0,
                let scalar = Unicode.Scalar(value)
            else { return nil }
            return (Array(String(Character(scalar)).utf8), end)
        }
        switch String(decoding: body, as: UTF8.self) {
        case "lt": return ([UInt8(ascii: "<")], end)
        case "gt": return ([UInt8(ascii: ">")], end)
        case "amp": return ([UInt8(ascii: "&")], end)
        case "quot": return ([UInt8(ascii: "\"")], end)
        case "apos": return ([UInt8(ascii: "'")], end)
        case "nbsp": return ([UInt8(ascii: " ")], end)
        default: return nil
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing ASCII white space (spaces, tabs, new lines), found
    /// on the UTF-8 bytes: Character-level trimming is slow on large reports.
    var zapTrimmed: Substring {
        let text = Substring(self)
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !ZAPHTMLText.isSpace($0) }),
            let last = bytes.lastIndex(where: { !ZAPHTMLText.isSpace($0) })
        else { return "" }
        return text[first...last]
    }
}
