import Findings
import ScanGateJSON

/// How ScanGate's severities appear in SARIF.
enum SeverityMapping {
    /// The result level: critical and high are errors, medium a warning, low and info notes.
    /// Unknown is a warning: ScanGate never presents an unrated finding as harmless.
    static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: "error"
        case .medium, .unknown: "warning"
        case .low, .info: "note"
        }
    }

    /// The `security-severity` score of a finding, or nil for info and unknown.
    ///
    /// The best CVSS base score (authorities in the resolver's order, then the tools' own
    /// scores) when its band agrees with the resolved severity, so GitHub's Critical/High/Medium/
    /// Low always matches ScanGate's severity; else the severity's representative score
    /// (critical 9.5, high 8.0, medium 5.5, low 2.0, as Trivy writes them).
    ///
    /// Info and unknown get none: a score of 0.0 is outside GitHub's range (0.0, 10.0] and
    /// reads as "no security severity" anyway, so leaving it out says the same thing without a
    /// value GitHub (and `validate.py --strict`) flags. GitHub then shows the level instead:
    /// Note for info, Warning for unknown.
    static func score(_ finding: Finding) -> Double? {
        guard finding.severity != .info && finding.severity != .unknown else { return nil }
        let authorities = finding.ratings.filter { !$0.isToolVerdict }
        let ordered =
            SeverityResolver.authorityOrder.flatMap { name in authorities.filter { $0.source == name } }
            + authorities.filter { !SeverityResolver.authorityOrder.contains($0.source) }.sorted {
                $0.source < $1.source
            }
            + finding.ratings.filter(\.isToolVerdict).sorted { $0.source < $1.source }
        for rating in ordered {
            // Rounded to the one decimal it is written with before its band is checked: 8.95 is
            // high, but written 9.0, which GitHub shows as critical.
            if let exact = rating.bestScore?.score, exact > 0, exact <= 10 {
                let score = (exact * 10).rounded() / 10
                if Severity(cvssScore: score) == finding.severity { return score }
            }
        }
        return finding.severity.representativeScore
    }

    /// One decimal, as CVSS scores are written (`7.5`, `10.0`).
    static func format(_ score: Double) -> String {
        // Clamped before the conversion: Int(_:) traps on a value it cannot hold.
        let clamped = score.isNaN ? 0.1 : min(max(score, 0.1), 10)
        let tenths = Int((clamped * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// What the writer computes once per finding, whichever runs it appears in.
struct PreparedFinding {
    let ruleID: String
    let anchors: [Anchor]
    /// Locations beyond GitHub's kept number, left out.
    let omittedLocations: Int
    let message: String
    /// A stable `primaryLocationLineHash` for results whose line GitHub cannot hash: derived
    /// from the rule and ScanGate's fingerprint, so it survives re-runs like GitHub's own.
    let syntheticLineHash: String

    init(_ finding: Finding, resolver: inout AnchorResolver, limits: SARIFLimits) {
        ruleID = Self.ruleID(of: finding)
        let all = resolver.anchors(for: finding)
        anchors = Array(all.prefix(limits.keptLocationsPerResult))
        omittedLocations = all.count - anchors.count
        message = Text.message(for: finding, ruleID: ruleID)
        let digest = Fingerprint.sha256Hex(
            Array(("scangate-location/v1\u{0}" + ruleID + "\u{0}" + finding.fingerprint).utf8))
        syntheticLineHash = String(digest.prefix(16)) + ":1"
    }

    /// The SARIF rule id of a finding: GitHub needs a non-empty one.
    static func ruleID(of finding: Finding) -> String {
        finding.ruleID.isEmpty ? "scangate-unidentified" : finding.ruleID
    }
}

/// What one rule of a run says, from every result of the run with its id, before GitHub's
/// limits drop any: no limit changes a rule's text (the packages and URLs it lists, its level
/// and score). A rule that lost some results to a limit still tells the reader where else it was
/// found, and after a size cut the writer re-renders and re-measures only what the cut changed
/// (``GzipSizeMeter``).
struct RuleDescription {
    /// The findings (writer indices) described, in FindingSet order (most severe first).
    var members: [Int] = []
    var maxSeverity: Severity = .unknown
    var maxScore: Double?

    /// The description of every rule of a run whose results are `entries`, by rule id.
    static func rules(of entries: [Int], findings: [Finding]) -> [String: RuleDescription] {
        var rules: [String: RuleDescription] = [:]
        for entry in entries {
            let finding = findings[entry]
            rules[PreparedFinding.ruleID(of: finding), default: RuleDescription()].add(entry, finding)
        }
        return rules
    }

    private mutating func add(_ index: Int, _ finding: Finding) {
        members.append(index)
        if members.count == 1 || finding.severity > maxSeverity { maxSeverity = finding.severity }
        if let score = SeverityMapping.score(finding) { maxScore = max(maxScore ?? 0, score) }
    }

    /// - Parameter briefHelp: whether the plain-text help is the brief form (``Text/writeHelp``).
    func write(
        id: String, findings: [Finding], limits: SARIFLimits, briefHelp: Bool = false, to writer: inout JSONWriter
    ) {
        let members = self.members.map { findings[$0] }
        guard let first = members.first else { return }
        // Blank text (a report's `"Title": "  "`) is no description: GitHub refuses empty ones.
        let title = first.title.allSatisfy(\.isWhitespace) ? id : first.title
        let description = members.lazy.compactMap(\.description).first { !$0.allSatisfy(\.isWhitespace) }
        writer.beginObject()
        writer.field("id", id)
        writer.key("shortDescription")
        writer.beginObject()
        writer.field("text", Text.truncated(Text.oneLine(title), to: limits.maximumDescriptionLength))
        writer.endObject()
        writer.key("fullDescription")
        writer.beginObject()
        writer.field("text", Text.truncated(description ?? title, to: limits.maximumDescriptionLength))
        writer.endObject()
        writer.key("defaultConfiguration")
        writer.beginObject()
        writer.field("level", SeverityMapping.level(maxSeverity))
        writer.endObject()
        // Computed once for the rule and its help text: rules are the bulk of a large file.
        let references = members.flatMap(\.references).sortedUnique()
        let cwes = Identifiers.normalizedCWEs(members.flatMap(\.cwes))
        if let helpURI = references.first(where: Text.isPlainWebURL) { writer.field("helpUri", helpURI) }
        writer.key("help")
        Text.writeHelp(
            ruleID: id, title: title, description: description, members: members, references: references, cwes: cwes,
            briefText: briefHelp, to: &writer)
        writer.key("properties")
        writer.beginObject()
        var tags = ["security", first.kind.rawValue, maxSeverity.rawValue]
        tags += cwes.map { "external/cwe/" + $0.lowercased() }
        // GitHub keeps 10 tags (and rejects over 20): any CWE tags beyond that are cut.
        writer.field("tags", Array(tags.prefix(limits.keptTagsPerRule)))
        if let confidence = members.compactMap(\.confidence).max() {
            writer.field("precision", Self.precision(confidence))
        }
        if let maxScore { writer.field("security-severity", SeverityMapping.format(maxScore)) }
        writer.endObject()
        writer.endObject()
    }

    static func precision(_ confidence: Confidence) -> String {
        switch confidence {
        case .confirmed: "very-high"
        case .high: "high"
        case .medium: "medium"
        case .low, .falsePositive: "low"
        }
    }
}

/// The texts of results and rules.
enum Text {
    static let maximumEvidence = 200
    static let maximumInstances = 5
    static let maximumAffected = 20
    static let maximumReferences = 10
    /// Characters of a result's own message kept in its SARIF message.
    static let maximumDetail = 1_000

    static func message(for finding: Finding, ruleID: String) -> String {
        var lines: [String] = []
        // What the tool said of this occurrence (a SARIF result's message) first: it is what a
        // code-scanning alert shows as its title. Else the finding's title.
        let title = oneLine(finding.detail.map { truncated($0, to: maximumDetail) } ?? finding.title)
        lines.append(sentence(title.allSatisfy(\.isWhitespace) ? ruleID : title))
        if let package = finding.package { lines.append(sentence(packageLine(package))) }
        if let image = finding.locations.lazy.compactMap(\.image).first {
            lines.append(sentence("Image " + imageReference(image)))
        }
        for location in finding.locations.prefix(maximumInstances) {
            if let url = location.url {
                lines.append(sentence(webLine(method: location.method, url: url, parameter: location.parameter)))
            } else if let resource = location.resource {
                lines.append(sentence("Resource " + resource))
            } else if finding.package == nil, location.image != nil, let path = location.path {
                lines.append(sentence("File " + path + (location.startLine.map { " line \($0)" } ?? "")))
            }
        }
        for instance in finding.instances.prefix(maximumInstances) {
            var text = "Instance: " + webLine(method: instance.method, url: instance.uri, parameter: instance.parameter)
            if let attack = instance.attack, !attack.isEmpty { text += "; attack: " + clipped(attack) }
            if let evidence = instance.evidence, !evidence.isEmpty { text += "; evidence: " + clipped(evidence) }
            lines.append(text)
        }
        if finding.instances.count > maximumInstances {
            lines.append("… and \(finding.instances.count - maximumInstances) more instances.")
        }
        var identity = "Rule \(ruleID)"
        if !finding.aliases.isEmpty { identity += " (also " + finding.aliases.prefix(10).joined(separator: ", ") + ")" }
        lines.append(sentence(identity))
        let tools = finding.tools
        lines.append(sentence("Severity \(finding.severity.rawValue), reported by " + tools.joined(separator: ", ")))
        if let suppression = finding.suppression {
            var text = "Suppressed by \(suppression.source) (\(suppression.status))"
            if let statement = suppression.statement, !statement.isEmpty { text += ": " + oneLine(statement) }
            lines.append(sentence(text))
        }
        return lines.joined(separator: "\n")
    }

    static func packageLine(_ package: Package) -> String {
        var text = "Package \(package.name)"
        if let version = package.installedVersion { text += " \(version)" }
        text += " (\(package.ecosystem))"
        if !package.fixedVersions.isEmpty {
            text += ", fixed in " + package.fixedVersions.joined(separator: ", ")
        } else if package.fixAvailable == false {
            text += ", no fix available"
        } else if package.fixAvailable == true {
            text += ", a fix is available"
        }
        return text
    }

    static func webLine(method: String?, url: String, parameter: String?) -> String {
        var text = (method.map { $0 + " " } ?? "") + url
        if let parameter, !parameter.isEmpty { text += " (parameter \(parameter))" }
        return text
    }

    static func imageReference(_ image: ImageReference) -> String {
        image.repository + (image.tag.map { ":" + $0 } ?? "") + (image.digest.map { "@" + $0 } ?? "")
    }

    /// Writes the rule's `help` object: the same content as plain `text` and as `markdown`,
    /// each written straight into the file (rules are the bulk of a large file).
    /// - Parameters:
    ///   - references: the members' reference URLs, sorted, each once.
    ///   - cwes: the members' CWEs, normalised.
    ///   - briefText: the plain `text` without the description, the other ids and the references
    ///     (title and id, affected, fix), for a file near GitHub's size limit: GitHub shows the
    ///     Markdown, and the description is the rule's `fullDescription` too.
    static func writeHelp(
        ruleID: String, title: String, description: String?, members: [Finding], references: [String], cwes: [String],
        briefText: Bool = false, to writer: inout JSONWriter
    ) {
        var affected: [String] = []
        var seen = Set<String>()
        for finding in members {
            var entries: [String] = []
            if let package = finding.package { entries.append(packageLine(package)) }
            if let image = finding.locations.lazy.compactMap(\.image).first {
                entries.append("image " + imageReference(image))
            }
            for location in finding.locations {
                if let url = location.url {
                    entries.append(webLine(method: location.method, url: url, parameter: location.parameter))
                } else if finding.package == nil, location.image == nil, let path = location.path {
                    entries.append(path + (location.startLine.map { ":\($0)" } ?? ""))
                }
            }
            for entry in entries where seen.insert(entry).inserted { affected.append(entry) }
        }
        let shownAffected = affected.prefix(maximumAffected)
        let more = affected.count - shownAffected.count
        let fix = fixText(members)
        let references = references.prefix(maximumReferences)
        let ids = members.flatMap(\.aliases).sortedUnique() + cwes
        let body = truncated(description ?? title, to: 4_000)

        let sections = HelpSections(
            ruleID: ruleID, title: oneLine(title), body: body, affected: shownAffected, moreAffected: more, fix: fix,
            ids: ids,
            references: references)
        writer.beginObject()
        writer.field("text") { sections.write(markdown: false, brief: briefText, to: &$0) }
        writer.field("markdown") { sections.write(markdown: true, to: &$0) }
        writer.endObject()
    }

    /// A rule's help, written once as plain text and once as Markdown (tool text escaped, so it
    /// shows as text).
    private struct HelpSections {
        let ruleID: String
        let title: String
        let body: String
        let affected: ArraySlice<String>
        let moreAffected: Int
        let fix: String
        let ids: [String]
        let references: ArraySlice<String>

        /// - Parameter brief: title and id, affected and fix only (plain text only).
        func write(markdown: Bool, brief: Bool = false, to content: inout JSONStringContent) {
            func text(_ value: String) {
                if markdown { content.appendMarkdownEscaped(value) } else { content.append(value) }
            }
            func heading(_ name: String) { content.append(markdown ? "\n**\(name)**\n\n" : "\n\(name):\n") }

            if markdown { content.append("**") }
            text(title)
            // The id as code, unless a backtick (which would end the span) or a line break (a
            // blank line ends it too, and what follows is Markdown: raw HTML, a heading) is in it:
            // a SARIF rule id is tool text, which a pull request can choose.
            let idAsCode = markdown && ruleID.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "`") }
            content.append(markdown ? "** (" : " (")
            if idAsCode { content.append("`") }
            if idAsCode { content.append(ruleID) } else { text(markdown ? Text.oneLine(ruleID) : ruleID) }
            content.append(idAsCode ? "`)\n" : ")\n")
            if !brief {
                content.append("\n")
                text(body)
                content.append("\n")
            }
            if !affected.isEmpty {
                heading("Affected")
                for entry in affected {
                    content.append("- ")
                    text(entry)
                    content.append("\n")
                }
                if moreAffected > 0 { content.append("- … and \(moreAffected) more\n") }
            }
            heading("Fix")
            text(fix)
            content.append("\n")
            if brief { return }
            if !ids.isEmpty {
                content.append(markdown ? "\n**Also known as:** " : "\nAlso known as: ")
                for (index, id) in ids.enumerated() {
                    if index > 0 { content.append(", ") }
                    text(id)
                }
                content.append("\n")
            }
            if !references.isEmpty {
                heading("References")
                for reference in references {
                    // Only a plain http(s) URL becomes a link; anything else a report lists
                    // (`javascript:…`, raw HTML) is shown as text.
                    // Checked on bytes: a plain web URL is ASCII, one byte a character.
                    if markdown, Text.isPlainWebURL(reference),
                        !reference.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") })
                    {
                        content.append("- <")
                        content.append(reference)
                        content.append(">\n")
                    } else {
                        content.append("- ")
                        text(reference)
                        content.append("\n")
                    }
                }
            }
        }
    }

    static func fixText(_ members: [Finding]) -> String {
        if let remediation = members.lazy.compactMap(\.remediation).first(where: { !$0.isEmpty }) {
            return truncated(remediation, to: 2_000)
        }
        var upgrades: [String] = []
        for finding in members {
            guard let package = finding.package else { continue }
            if !package.fixedVersions.isEmpty {
                upgrades.append("Upgrade \(package.name) to \(package.fixedVersions.joined(separator: " or ")).")
            } else if package.fixAvailable == true {
                upgrades.append("Upgrade \(package.name) to a fixed version (`npm audit fix` for npm).")
            } else if package.fixAvailable == false {
                upgrades.append("No fixed version of \(package.name) is known yet.")
            }
        }
        let unique = upgrades.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if !unique.isEmpty { return unique.prefix(maximumAffected).joined(separator: "\n") }
        return "No fix was given by the tool; see the references."
    }

    // MARK: Helpers

    static func oneLine(_ text: String) -> String {
        // Nearly all text is one ASCII line without leading blanks: returned as it is.
        var copy = text
        let isOneASCIILine = copy.withUTF8 { utf8 in
            utf8.allSatisfy({ $0 < 0x80 && ($0 < 0x0A || $0 > 0x0D) })
                && (utf8.first.map({ $0 != 0x20 && $0 != 0x09 }) ?? true)
        }
        if isOneASCIILine { return text }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingLeadingSpaces }.joined(separator: " ")
    }

    static func sentence(_ text: String) -> String {
        guard let last = text.last else { return text }
        return ".!?".contains(last) ? text : text + "."
    }

    static func clipped(_ text: String) -> String { truncated(oneLine(text), to: maximumEvidence) }

    /// At most `limit` Unicode scalars (what GitHub and Python count), ending in `…` when cut.
    static func truncated(_ text: String, to limit: Int) -> String {
        // UTF-8 never has fewer bytes than scalars: short text needs no count.
        guard text.utf8.count > limit else { return text }
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return text }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars.prefix(limit - 1))
        return String(view) + "…"
    }

    /// An absolute http(s) URL of printable ASCII without spaces or quotes (safe as `helpUri`).
    /// Checked on bytes (every reference of every rule passes here): a byte outside ASCII is
    /// refused, as its character would be.
    static func isPlainWebURL(_ text: String) -> Bool {
        let utf8 = text.utf8
        let https: StaticString = "https://"
        let http: StaticString = "http://"
        func starts(with prefix: StaticString) -> Bool {
            let bytes = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            return utf8.starts(with: bytes)
        }
        return (starts(with: https) || starts(with: http))
            && utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") }
    }
}

extension JSONStringContent {
    /// Appends `text` with Markdown's inline special characters backslash-escaped, and the
    /// markers that only count at the start of a line (a list's `-`, `+` or the `.` of `1.`, a
    /// setext heading's `---` or `===` underline, a `~~~` code fence) escaped there, so tool text
    /// is shown as text. Each is one ASCII byte, and UTF-8 never uses ASCII bytes inside a
    /// multi-byte character, so the text is scanned as bytes.
    mutating func appendMarkdownEscaped(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            // Only blanks so far on this line; the line so far is blanks and then digits.
            var atLineStart = true
            var inLeadingDigits = false
            for index in utf8.indices {
                let byte = utf8[index]
                let escaped =
                    Self.isMarkdownSpecial(byte)
                    || (atLineStart && Self.lineStartMarkers.contains(byte))
                    || (inLeadingDigits && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: ")")))
                let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                if byte == 0x0A || byte == 0x0D {
                    (atLineStart, inLeadingDigits) = (true, false)
                } else if atLineStart && (byte == 0x20 || byte == 0x09) {
                    continue
                } else {
                    (atLineStart, inLeadingDigits) = (false, isDigit && (atLineStart || inLeadingDigits))
                }
                guard escaped else { continue }
                // The special byte itself starts the next run, after its backslash.
                append(utf8: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                append(ascii: UInt8(ascii: "\\"))
                runStart = index
            }
            append(utf8: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    /// `-` and `+` (bullets), `=` (a setext underline; `-` too), `~` (a `~~~` code fence).
    private static let lineStartMarkers: [UInt8] = [
        UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: "~"),
    ]

    private static func isMarkdownSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "#"), UInt8(ascii: "|"):
            true
        default: false
        }
    }
}
