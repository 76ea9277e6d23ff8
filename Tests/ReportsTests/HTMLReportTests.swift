import Findings
import Foundation
import Policy
import Reports
import Testing

@Suite("Report HTML")
struct HTMLReportTests {
    static func hostileFinding() -> Finding {
        var finding = ReportSupport.vulnerability(
            "CVE-2024-9999", package: "evil<script>", severity: .critical, tool: "trivy\"><script>alert(1)</script>",
            title: "<script>alert('title')</script><a href=\"javascript:alert(1)\" onmouseover=\"alert(2)\">x</a>",
            references: [
                "javascript:alert(1)", " javascript:alert(2)", "JaVaScRiPt:alert(3)",
                "data:text/html,<script>x</script>",
                "https://example.com/?q=\"><script>alert(4)</script>",
            ])
        finding.description = "<img src=x onerror=alert(5)> & 'quotes' \u{01}"
        return finding
    }

    @Test func scannerTextIsEscapedAndOnlyWebLinksAreLinks() {
        let html = HTMLReport.render(ReportContent(findings: FindingSet(merging: [Self.hostileFinding()]), reports: []))
        #expect(html.components(separatedBy: "<script").count == 2)  // ours only
        #expect(!html.contains("<a href=\"javascript:"))
        #expect(!html.contains("href=\" javascript:"))
        #expect(!html.contains("href=\"JaVaScRiPt:"))
        #expect(!html.contains("href=\"data:"))
        #expect(!html.contains("<img"))
        #expect(!html.contains(" onmouseover=\""))
        #expect(html.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"))
        #expect(html.contains("&lt;img src=x onerror=alert(5)&gt; &amp; &#39;quotes&#39; \u{FFFD}"))
        #expect(
            html.contains(
                "<a href=\"https://example.com/?q=&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;\" "
                    + "rel=\"noopener noreferrer nofollow\">"))
    }

    /// Adapters refuse scores outside 0–10, but a finding built in code is not checked: the page
    /// must still render (a score too large for an Int once stopped the process).
    @Test func aScoreOutsideTheCVSSRangeStillRenders() {
        var finding = ReportSupport.vulnerability("CVE-2024-1", package: "p", severity: .critical, tool: "trivy")
        finding.ratings.append(
            SeverityRating(
                source: "nvd", severity: .critical, label: nil,
                cvss: [
                    CVSSScore(version: .v3, vector: nil, score: 1e20), CVSSScore(version: .v2, vector: nil, score: 7),
                ],
                isToolVerdict: false))
        let html = HTMLReport.render(ReportContent(findings: FindingSet(merging: [finding]), reports: []))
        #expect(html.contains("1e+20"))
        #expect(html.contains("7.0"))
    }

    @Test func selfContainedWithAContentSecurityPolicy() {
        let html = HTMLReport.render(ReportContent(findings: FindingSet(merging: [Self.hostileFinding()]), reports: []))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;;"))
        #expect(html.contains("script-src &#39;sha256-"))
        #expect(!html.contains("unsafe-inline"))
        #expect(!html.contains("<script src"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
        #expect(html.contains("@media print"))
    }

    @Test func everyFindingHasARowButOnlyTheMostSevereCarryTheirDetails() {
        let findings = (0..<5).map { index in
            ReportSupport.vulnerability(
                "CVE-2024-100\(index)", package: "p\(index)", severity: index < 2 ? .critical : .low)
        }
        let content = ReportContent(findings: FindingSet(merging: findings), reports: [])
        let capped = HTMLReport.render(content, detailing: 2)
        func detailed(_ html: String, _ finding: Finding) -> Bool {
            html.contains("<dd><code>\(finding.fingerprint)</code></dd>")
        }
        for finding in content.findings.all {
            #expect(capped.contains("<tr id=\"f-\(finding.fingerprint)\""))
            #expect(detailed(capped, finding) == (finding.severity == .critical), "\(finding.ruleID)")
        }
        #expect(capped.components(separatedBy: "<details>").count - 1 == 2)
        #expect(
            capped.contains(
                "Details are shown for the first 2 findings (most severe first); the other 3 are listed without them."))
        let full = HTMLReport.render(content)
        #expect(content.findings.all.allSatisfy { detailed(full, $0) })
        #expect(!full.contains("details-note"))
    }

    @Test func deterministic() {
        let findings = [
            ReportSupport.vulnerability("CVE-2021-23337"), ReportSupport.vulnerability("CVE-2020-8203", severity: .low),
        ]
        let first = HTMLReport.render(ReportContent(findings: FindingSet(merging: findings), reports: []))
        let second = HTMLReport.render(ReportContent(findings: FindingSet(merging: findings.reversed()), reports: []))
        #expect(first == second)
    }

    @Test func idsAreListedAndColumnSortedWithTheirNumbersAsNumbers() throws {
        let ids = ["CVE-2015-10235", "CVE-2015-2133", "CVE-2014-99999", "npm:1494", "npm:755"]
        let findings = ids.map { ReportSupport.vulnerability($0, package: "p-" + $0, severity: .high) }
        let html = HTMLReport.render(ReportContent(findings: FindingSet(merging: findings), reports: []))
        let expected = ["CVE-2014-99999", "CVE-2015-2133", "CVE-2015-10235", "npm:755", "npm:1494"]
        // Rows in ScanGate's order, and the ID column's sort keys give the same order.
        let table = try #require(html.range(of: "id=\"findings-table\"")).upperBound
        let rowPositions = expected.map {
            html.range(of: "<code>\($0)</code>", range: table..<html.endIndex)?.lowerBound
        }
        #expect(rowPositions.allSatisfy { $0 != nil })
        #expect(rowPositions.compactMap { $0 } == rowPositions.compactMap { $0 }.sorted())
        // The page's script sorts the column by its cells' data-sort as numbers (data-numeric).
        #expect(html.contains("<th><button type=\"button\" data-numeric=\"1\">ID</button></th>"))
        let keys = try expected.map { id -> Int in
            let cell = try #require(html.range(of: "\"><code>\(id)</code></td>")?.lowerBound)
            let start = try #require(html.range(of: "data-sort=\"", options: .backwards, range: table..<cell))
            return try #require(Int(html[start.upperBound..<cell]))
        }
        #expect(keys == Array(0..<expected.count))
    }

    /// The page's script shows a row when the chosen tool option's value is one of the row's
    /// `data-tools` (split at line feeds). A tool's name may hold a line break, or a carriage
    /// return the HTML parser reads as a line feed: choosing any tool must show exactly the
    /// findings it reported (`Acme\nScanner` showed 0 of 1, and `Acme Scanner` both).
    @Test func theToolFilterShowsEveryFindingOfTheChosenTool() throws {
        let tools = ["Acme\nScanner", "Acme Scanner", "Carriage\rReturn", "CRLF\r\nTool", "plain"]
        var findings = tools.enumerated().map { index, tool in
            ReportSupport.vulnerability("CVE-2024-\(1000 + index)", package: "p\(index)", tool: tool)
        }
        // One finding two tools reported.
        findings += ["plain", "Acme\nScanner"].map { ReportSupport.vulnerability("CVE-2024-2000", tool: $0) }
        let set = FindingSet(merging: findings)
        #expect(set.all.count == tools.count + 1)
        // What a browser parses: CR and CRLF are LF before anything else.
        func normalized(_ text: String) -> String {
            text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        }
        let html = normalized(HTMLReport.render(ReportContent(findings: set, reports: [])))
        let select = try #require(html.range(of: "<select name=\"tool\">"))
        let end = try #require(html.range(of: "</select>", range: select.upperBound..<html.endIndex))
        let options = html[select.upperBound..<end.lowerBound].components(separatedBy: "<option value=\"").dropFirst()
            .compactMap { option -> (value: String, label: String)? in
                guard let quote = option.range(of: "\">"), let close = option.range(of: "</option>") else { return nil }
                return (
                    DOMTags.decode(String(option[..<quote.lowerBound])),
                    DOMTags.decode(String(option[quote.upperBound..<close.lowerBound]))
                )
            }
            .filter { !$0.value.isEmpty }
        #expect(options.count == tools.count)
        let rows = DOMTags.parse(html).filter { $0.name == "tr" && $0.attribute("id")?.hasPrefix("f-") == true }
        #expect(rows.count == set.all.count)
        for tool in tools {
            let option = try #require(options.first { $0.label == normalized(tool) }, "\(tool.debugDescription)")
            let shown = Set(
                rows.filter {
                    ($0.attribute("data-tools") ?? "").split(separator: "\n").contains { $0 == option.value }
                }
                .compactMap { $0.attribute("id").map { String($0.dropFirst(2)) } })
            let reported = Set(set.all.filter { $0.tools.contains(tool) }.map(\.fingerprint))
            #expect(shown == reported, "\(tool.debugDescription): \(shown.count) shown of \(reported.count)")
        }
    }

    @Test func escapingFunctions() {
        #expect(ReportEscaping.html("& < > \" '") == "&amp; &lt; &gt; &quot; &#39;")
        #expect(ReportEscaping.html("plain text") == "plain text")
        #expect(ReportEscaping.html("a\u{0}b\u{7F}c\u{85}d\u{FFFF}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}")
        #expect(ReportEscaping.html("é ü 漢字 🙂") == "é ü 漢字 🙂")
        #expect(ReportEscaping.xml("a\nb", attribute: true) == "a&#10;b")
        #expect(ReportEscaping.isWebLink("https://example.com"))
        #expect(ReportEscaping.isWebLink("HTTP://example.com"))
        #expect(!ReportEscaping.isWebLink("javascript:alert(1)"))
        #expect(!ReportEscaping.isWebLink(" https://example.com"))
        #expect(!ReportEscaping.isWebLink("https://exa mple.com"))
        #expect(!ReportEscaping.isWebLink("vbscript:x"))
    }
}

/// Renders the corpus, the examples and hostile reports, and opens the page in a real headless
/// Chromium (Debian's `chromium` package); skipped when it is not installed.
@Suite(
    "Report HTML in Chromium",
    .enabled(if: Chromium.executable != nil, "chromium is not installed (apt-get install chromium)"))
struct ChromiumTests {
    @Test func corpusReportRendersCountsAndHostileTextStaysInert() throws {
        let chromium = try #require(Chromium.executable)
        var paths = [
            "fixtures/examples/trivy-fs.json", "fixtures/examples/npm-audit.json", "fixtures/examples/zap-report.xml",
            "fixtures/reports/hostile.sarif", "fixtures/reports/hostile-zap.xml",
        ].map(ReportSupport.path)
        if ReportSupport.corpusIsAvailable {
            paths += ReportSupport.corpusFiles(["trivy", "npm-audit", "zap", "sarif"])
        } else {
            print("note: ../shared/corpus is absent; the page holds the examples and hostile fixtures only")
        }
        let reports = ReportSupport.readable(paths)
        #expect(reports.count >= 5)
        let findings = FindingSet(merging: reports.flatMap(\.findings) + [HTMLReportTests.hostileFinding()])
        // A baseline without the first few findings, so "new" is not empty.
        let previous = try ReportSupport.snapshot(Array(findings.open.dropFirst(3)))
        let policy = try PolicyLoader().load(path: ReportSupport.path("policies/staging.yaml"))
        let waivers = try WaiverFile.load(path: ReportSupport.path("fixtures/policy/waivers.yaml"))
        let today = try #require(Day(parsing: "2026-11-28"))
        let decision = Gate.evaluate(
            GateInput(
                findings: findings, policy: policy, waivers: [waivers],
                baseline: Baseline(file: previous.file, fingerprints: previous.openFingerprints), today: today))
        let content = ReportContent(
            findings: findings, reports: reports.map(ReportSupport.summary),
            diff: BaselineDiff(previous: previous, current: findings),
            gate: ReportSupport.gate(decision, policy: policy),
            date: "2026-11-28")
        let html = HTMLReport.render(content)
        let directory = try ReportSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        try Data(html.utf8).write(to: page)

        let screenshot = directory.appendingPathComponent("report.png")
        _ = try Chromium.run(
            chromium, ["--screenshot=\(screenshot.path)", "--window-size=1280,4000", page.absoluteString],
            profile: directory.appendingPathComponent("profile-1"))
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "the screenshot exists and is not empty")

        let dom = try Chromium.run(
            chromium, ["--dump-dom", page.absoluteString], profile: directory.appendingPathComponent("profile-2"))
        let tags = DOMTags.parse(dom)
        #expect(tags.count > 100)

        // The counts the page shows are the findings' counts.
        for (severity, count) in content.openBySeverity {
            #expect(DOMTags.text(ofID: "count-\(severity.rawValue)", in: dom) == String(count))
        }
        #expect(DOMTags.text(ofID: "count-open", in: dom) == String(findings.open.count))
        #expect(DOMTags.text(ofID: "count-suppressed", in: dom) == String(findings.suppressed.count))
        #expect(DOMTags.text(ofID: "diff-new", in: dom) == String(content.diff?.new.count ?? -1))
        #expect(DOMTags.text(ofID: "gate-decision", in: dom) == (decision.passed ? "PASS" : "FAIL"))
        #expect(DOMTags.text(ofID: "verdict-fail", in: dom) == String(decision.counts.failing))
        #expect(DOMTags.text(ofID: "shown-count", in: dom) == String(findings.all.count))
        let rows = tags.filter { $0.name == "tr" && $0.attribute("id")?.hasPrefix("f-") == true }
        #expect(rows.count == findings.all.count)

        // Our script ran (the CSP hash admits it) and is the only script element.
        let scripts = tags.filter { $0.name == "script" }
        #expect(scripts.count == 1)
        #expect(scripts.allSatisfy { $0.attribute("src") == nil })
        let filters = tags.first { $0.attribute("id") == "filters" }
        #expect(filters != nil && filters?.attribute("hidden") == nil, "the filter script ran")

        // Hostile scanner text is inert: no handlers, no javascript: links, no injected elements.
        let handlers = tags.flatMap { tag in
            tag.attributes.filter { $0.name.hasPrefix("on") }.map { "\(tag.name) \($0)" }
        }
        #expect(handlers.isEmpty, "\(handlers.prefix(5))")
        let hrefs = tags.compactMap { $0.attribute("href") }
        let unsafe = hrefs.filter { !($0.hasPrefix("#") || $0.hasPrefix("https://") || $0.hasPrefix("http://")) }
        #expect(unsafe.isEmpty, "\(unsafe.prefix(5))")
        for name in ["img", "iframe", "object", "embed", "b", "link", "base", "form"] {
            #expect(!tags.contains { $0.name == name }, "no <\(name)> element")
        }
        #expect(tags.count { $0.name == "svg" } == 2, "the two charts and nothing injected")
        // …and it is shown as text.
        #expect(dom.contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;"))
        #expect(dom.contains("onmouseover=\"alert(2)\"&gt;hover me&lt;/a&gt;"))
        #expect(dom.contains("&lt;img src=x onerror=\"alert(1)\"&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
    }
}

/// Finds and runs a headless Chromium.
enum Chromium {
    static let executable: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates =
            [environment["CHROMIUM"]].compactMap { $0 } + ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs it headless and returns standard output.
    static func run(_ executable: String, _ arguments: [String], profile: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)",
            ] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// The start tags of a serialized DOM (Chromium writes attribute values in double quotes, text
/// with `<` escaped; script and style contents are raw text and skipped).
struct DOMTags {
    struct Tag {
        var name: String
        var attributes: [(name: String, value: String)]
        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    static func parse(_ dom: String) -> [Tag] {
        let bytes = Array(dom.utf8)
        var tags: [Tag] = []
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            !(byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "="))
        }
        func skip(past marker: String) {
            let pattern = Array(marker.utf8)
            while index < bytes.count {
                if bytes[index...].starts(with: pattern) {
                    index += pattern.count
                    return
                }
                index += 1
            }
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<"), index + 1 < bytes.count else {
                index += 1
                continue
            }
            let next = bytes[index + 1]
            if bytes[index...].starts(with: Array("<!--".utf8)) {
                skip(past: "-->")
                continue
            }
            guard (next | 0x20) >= UInt8(ascii: "a") && (next | 0x20) <= UInt8(ascii: "z") else {
                index += 1
                continue
            }
            index += 1
            let nameStart = index
            while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
            var tag = Tag(name: String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased(), attributes: [])
            while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
                if !isNameByte(bytes[index]) {
                    index += 1
                    continue
                }
                let attributeStart = index
                while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
                let name = String(decoding: bytes[attributeStart..<index], as: UTF8.self).lowercased()
                var value = ""
                if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                    index += 1
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                        let valueStart = index + 1
                        index = valueStart
                        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
                        value = decode(String(decoding: bytes[valueStart..<min(index, bytes.count)], as: UTF8.self))
                        index += 1
                    }
                }
                tag.attributes.append((name, value))
            }
            index += 1
            tags.append(tag)
            if tag.name == "script" { skip(past: "</script>") }
            if tag.name == "style" { skip(past: "</style>") }
        }
        return tags
    }

    static func decode(_ value: String) -> String {
        value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&nbsp;", with: "\u{A0}").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The text directly inside the element with this id (`<td id="count-high">3</td>` → `3`).
    static func text(ofID id: String, in dom: String) -> String? {
        guard let start = dom.range(of: " id=\"\(id)\"") else { return nil }
        guard let close = dom[start.upperBound...].firstIndex(of: ">") else { return nil }
        let rest = dom[dom.index(after: close)...]
        guard let end = rest.firstIndex(of: "<") else { return nil }
        return String(rest[..<end])
    }
}
