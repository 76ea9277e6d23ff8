import Adapters
import Findings
import Foundation
import FoundationXML
import Testing

/// `http://host` as `http://host/`: the same page (RFC 3986 section 6.2.3), which ZAP writes both ways.
func withHomePageSlash(_ url: String) -> String {
    let lowered = url.lowercased()
    for scheme in ["http://", "https://"] where lowered.hasPrefix(scheme) {
        let authority = url.dropFirst(scheme.count)
        return !authority.isEmpty && !authority.contains("/") ? url + "/" : url
    }
    return url
}

/// What an independent reading of a ZAP report expects: one finding per
/// (site, rule, normalised URL, method, parameter).
private struct ExpectedZAP {
    var findingsPerSeverity: [String: Int] = [:]
    var suppressed = 0
    var ruleIDs: Set<String> = []
    var total: Int { findingsPerSeverity.values.reduce(0, +) }

    private struct Group {
        var riskCode: Int
        var allFalsePositive: Bool
    }

    private var groups: [[String]: Group] = [:]
    private var order: [[String]] = []

    /// Counts one instance (or the site itself for an alert item without any).
    mutating func add(
        site: String, rule: String, riskCode: Int, confidence: String, uri: String, method: String,
        parameter: String
    ) {
        let key = [site, rule, withHomePageSlash(String(uri.prefix { $0 != "?" && $0 != "#" })), method, parameter]
        let falsePositive = confidence == "0"
        ruleIDs.insert(rule)
        if var group = groups[key] {
            // The risk of items that are not false positives, unless every item is one.
            if group.allFalsePositive && !falsePositive {
                group.riskCode = riskCode
            } else if group.allFalsePositive == falsePositive {
                group.riskCode = max(group.riskCode, riskCode)
            }
            group.allFalsePositive = group.allFalsePositive && falsePositive
            groups[key] = group
        } else {
            groups[key] = Group(riskCode: riskCode, allFalsePositive: falsePositive)
            order.append(key)
        }
    }

    /// The instances of an alert item ZAP counted (`<count>`) but did not list: one finding of
    /// their own at the site's root, with the item's risk.
    mutating func addUnlisted(counted: String, listed: Int, riskCode: Int, confidence: String) {
        guard listed > 0, let count = Int(counted.trimmingCharacters(in: .whitespaces)), count > listed else { return }
        unlisted.append((riskCode, confidence == "0"))
    }

    private var unlisted: [(riskCode: Int, falsePositive: Bool)] = []

    mutating func finish() {
        let unlistedNames = [0: "info", 1: "low", 2: "medium", 3: "high"]
        for item in unlisted {
            findingsPerSeverity["web-alert/\(unlistedNames[item.riskCode] ?? "?")", default: 0] += 1
            if item.falsePositive { suppressed += 1 }
        }
        let names = [0: "info", 1: "low", 2: "medium", 3: "high"]
        for group in groups.values {
            findingsPerSeverity["web-alert/\(names[group.riskCode] ?? "?")", default: 0] += 1
            if group.allFalsePositive { suppressed += 1 }
        }
    }

    /// Reads a traditional XML report with Foundation's XMLDocument.
    static func fromXML(_ url: URL) throws -> ExpectedZAP {
        var expected = ExpectedZAP()
        let document = try XMLDocument(contentsOf: url, options: [])
        for site in try document.nodes(forXPath: "/OWASPZAPReport/site") {
            guard let site = site as? XMLElement else { continue }
            let siteName = site.attribute(forName: "name")?.stringValue ?? ""
            for item in try site.nodes(forXPath: "alerts/alertitem") {
                guard let item = item as? XMLElement else { continue }
                func child(_ element: XMLElement, _ name: String) -> String {
                    element.elements(forName: name).first?.stringValue ?? ""
                }
                let alertRef = child(item, "alertRef")
                let rule = alertRef.isEmpty ? child(item, "pluginid") : alertRef
                let risk = Int(child(item, "riskcode")) ?? -99
                let confidence = child(item, "confidence")
                let instances = try item.nodes(forXPath: "instances/instance").compactMap { $0 as? XMLElement }
                if !instances.isEmpty {
                    for instance in instances {
                        expected.add(
                            site: siteName, rule: rule, riskCode: risk, confidence: confidence,
                            uri: child(instance, "uri"), method: child(instance, "method"),
                            parameter: child(instance, "param"))
                    }
                    expected.addUnlisted(
                        counted: child(item, "count"), listed: instances.count, riskCode: risk, confidence: confidence)
                } else if !item.elements(forName: "uri").isEmpty {
                    expected.add(
                        site: siteName, rule: rule, riskCode: risk, confidence: confidence, uri: child(item, "uri"),
                        method: child(item, "method"), parameter: child(item, "param"))
                } else {
                    expected.add(
                        site: siteName, rule: rule, riskCode: risk, confidence: confidence, uri: siteName, method: "",
                        parameter: "")
                }
            }
        }
        expected.finish()
        return expected
    }

    /// Reads a traditional JSON report with JSONSerialization.
    static func fromJSON(_ url: URL) throws -> ExpectedZAP {
        var expected = ExpectedZAP()
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        for site in root["site"] as? [[String: Any]] ?? [] {
            let siteName = site["@name"] as? String ?? ""
            for item in site["alerts"] as? [[String: Any]] ?? [] {
                let alertRef = item["alertRef"] as? String ?? ""
                let rule = alertRef.isEmpty ? item["pluginid"] as? String ?? "" : alertRef
                let risk = Int(item["riskcode"] as? String ?? "") ?? -99
                let confidence = item["confidence"] as? String ?? ""
                let instances = item["instances"] as? [[String: Any]] ?? []
                for instance in instances {
                    expected.add(
                        site: siteName, rule: rule, riskCode: risk, confidence: confidence,
                        uri: instance["uri"] as? String ?? "", method: instance["method"] as? String ?? "",
                        parameter: instance["param"] as? String ?? "")
                }
                if instances.isEmpty {
                    expected.add(
                        site: siteName, rule: rule, riskCode: risk, confidence: confidence, uri: siteName, method: "",
                        parameter: "")
                }
                expected.addUnlisted(
                    counted: item["count"] as? String ?? "", listed: instances.count, riskCode: risk,
                    confidence: confidence)
            }
        }
        expected.finish()
        return expected
    }
}

/// Parses a file under `fixtures/zap/`, expecting a ReportError.
private func reportError(parsing fixture: String) -> ReportError? {
    let url = Corpus.fixture("zap/" + fixture)
    do {
        _ = try Corpus.parse(url)
        return nil
    } catch let error as ReportError {
        return error
    } catch {
        return nil
    }
}

@Suite("ZAP adapter")
struct ZAPAdapterTests {
    // MARK: Corpus

    @Test("every corpus report matches an independent count", .enabled(if: Corpus.isAvailable))
    func corpusMatchesIndependentCount() throws {
        let files = Corpus.files(in: "zap")
        #expect(files.count >= 30)
        for url in files {
            let name = url.lastPathComponent
            let report = try Corpus.parse(url)
            let expected = try url.pathExtension == "json" ? ExpectedZAP.fromJSON(url) : ExpectedZAP.fromXML(url)
            #expect(report.format == .zap, "\(name)")
            #expect(report.tool == "zap", "\(name)")
            #expect(Corpus.tally(report.findings) == expected.findingsPerSeverity, "\(name)")
            #expect(report.findings.count == expected.total, "\(name)")
            #expect(report.findings.filter { !$0.isOpen }.count == expected.suppressed, "\(name)")
            #expect(Set(report.findings.map(\.ruleID)) == expected.ruleIDs, "\(name)")
            for finding in report.findings {
                #expect(finding.kind == .webAlert)
                #expect(!finding.fingerprint.isEmpty)
                #expect(finding.locations.count == 1)
                #expect(finding.provenance.first?.reportFile == url.path)
            }
        }
    }

    @Test("corpus variants and versions are recognised", .enabled(if: Corpus.isAvailable))
    func corpusVariants() throws {
        func report(_ name: String) throws -> ParsedReport {
            try Corpus.parse(Corpus.directory.appendingPathComponent("zap/" + name))
        }
        let flat = try report("zap-sonar-plugin__zaproxy-report-no-instances.xml")
        #expect(flat.variant == "traditional-xml-2.7-flat")
        #expect(flat.toolVersion == "2.7.0")
        #expect(try report("zap-extensions__basic-traditional-xml-plus@2026.xml").variant == "traditional-xml-plus")
        #expect(try report("defectdojo__zap-xml-plus-format.xml").variant == "traditional-xml-plus")
        #expect(try report("defectdojo__juicy2.xml").variant == "traditional-xml")
        let json = try report("securecodebox__juice-shop@2.8.0.json")
        #expect(json.variant == "traditional-json")
        #expect(json.toolVersion == "2.8.0")
        let empty = try report("defectdojo__empty_2.9.0.xml")
        #expect(empty.findings.isEmpty)
        #expect(empty.toolVersion == "2.9.0")
        #expect(empty.warnings.count == 1)
        #expect(empty.warnings.first?.hasPrefix("ZAP reported no alert for the site it scanned") == true)
        let notFound = try report("securecodebox__not-found.xml")
        #expect(notFound.findings.isEmpty)
        #expect(
            notFound.warnings.first?.hasPrefix(
                "ZAP reported no alert for the site it scanned (http://nginx.demo-apps.svc:3000)") == true)
    }

    @Test("a user-marked false positive in the corpus is kept but suppressed", .enabled(if: Corpus.isAvailable))
    func corpusFalsePositive() throws {
        let report = try Corpus.parse(Corpus.directory.appendingPathComponent("zap/securecodebox__bodgeit.xml"))
        let httpOnly = report.findings.filter { $0.ruleID == "10106" }
        #expect(httpOnly.count == 1)
        #expect(httpOnly.first?.suppression?.status == "false-positive")
        #expect(httpOnly.first?.confidence == .falsePositive)
        // No instance at all: the finding sits on the site origin, other info kept in the text.
        #expect(httpOnly.first?.locations.first?.url == "http://bodgeit.securecodebox-demo.svc:8080/")
        #expect(httpOnly.first?.description?.contains("Failed to connect.") == true)
    }

    @Test("XML-plus text is plain text, kept as written", .enabled(if: Corpus.isAvailable))
    func corpusPlusText() throws {
        let url = Corpus.directory.appendingPathComponent("zap/zap-extensions__basic-traditional-xml-plus@2026.xml")
        let finding = try #require(try Corpus.parse(url).findings.first)
        #expect(finding.description == "XSS Description")
        #expect(finding.instances.count == 2)
        #expect(finding.instances.contains { $0.otherInfo == "Test 'Other\\\nSecond line" })
        #expect(finding.cwes == ["CWE-123"])
    }

    // MARK: Behaviours (constructed fixtures)

    @Test("instances with the same rule, URL, method and parameter are one finding")
    func instancesGrouped() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        #expect(report.variant == "traditional-xml")
        #expect(report.toolVersion == "2.10.0")
        let csp = report.findings.filter {
            $0.ruleID == "10038" && $0.identity.scope == "site:https://app.example"
                && $0.identity.subject.last != "unlisted"
        }
        #expect(csp.count == 3)
        let pageA = try #require(
            csp.first { $0.locations.first == Location(url: "https://app.example/a", method: "GET") })
        #expect(
            Set(pageA.instances.map(\.uri))
                == ["https://app.example/a?session=1", "https://app.example/a?session=2", "https://app.example/a#top"])
        #expect(pageA.identity.subject == ["https://app.example/a", "GET", ""])
        #expect(pageA.severity == .medium)
        #expect(pageA.confidence == .high)
        #expect(
            pageA.ratings == [
                SeverityRating(source: "zap", severity: .medium, label: "riskcode 2", isToolVerdict: true)
            ])
        // The alert-level other info belongs to the first listed instance only.
        #expect(
            pageA.instances.first { $0.uri == "https://app.example/a?session=1" }?.otherInfo
                == "Seen on the first page.")
        #expect(pageA.instances.first { $0.uri == "https://app.example/a?session=2" }?.otherInfo == nil)
        #expect(csp.contains { $0.locations.first == Location(url: "https://app.example/a", method: "POST") })
        #expect(csp.contains { $0.locations.first == Location(url: "https://app.example/b", method: "GET") })
    }

    @Test("the same alert on two sites stays two scopes")
    func sitesSeparate() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        let other = report.findings.filter { $0.identity.scope == "site:https://other.example" }
        #expect(other.count == 1)
        #expect(other.first?.ruleID == "10038")
        #expect(other.first?.cwes == ["CWE-693"])
        #expect(report.findings.count == 7)  // six listed, and the instances ZAP did not list
    }

    @Test("HTML in descriptions is converted to plain text")
    func htmlStripped() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        let csp = try #require(report.findings.first { $0.ruleID == "10038" })
        #expect(
            csp.description
                == "Content Security Policy (CSP) is an added layer of security & more.\n\n"
                + "Second <b> paragraph with 'quotes' and A.")
        #expect(csp.remediation == "Ensure that your web server sets the Content-Security-Policy header.")
        #expect(
            csp.references == [
                "https://developer.mozilla.org/en-US/docs/Web/Security/CSP", "https://www.w3.org/TR/CSP/",
            ])
        #expect(csp.title == "Content Security Policy (CSP) Header Not Set")
    }

    @Test("a false positive is kept and suppressed; alertRef is the rule, pluginid an alias")
    func falsePositiveSuppressed() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        let frame = try #require(report.findings.first { $0.ruleID == "10020-1" })
        #expect(frame.aliases == ["10020"])
        #expect(frame.confidence == .falsePositive)
        #expect(
            frame.suppression
                == Suppression(source: "zap", status: "false-positive", statement: "marked as a false positive in ZAP"))
        #expect(!frame.isOpen)
        #expect(frame.locations == [Location(url: "https://app.example/", method: "GET", parameter: "x-frame-options")])
        #expect(frame.cwes == ["CWE-1021"])
        #expect(
            frame.provenance == [
                Provenance(
                    tool: "zap", toolVersion: "2.10.0", reportFile: Corpus.fixture("zap/behaviours.xml").path,
                    rawID: "10020-1")
            ])
    }

    @Test("cweid -1 gives no CWE")
    func negativeCWE() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        for finding in report.findings
        where finding.ruleID == "10038" && finding.identity.scope == "site:https://app.example" {
            #expect(finding.cwes.isEmpty)
        }
    }

    /// ZAP 2.10 and older list at most 20 instances of an alert and count all in `<count>`: the
    /// others may be anywhere on the site, so they are one finding located on the whole site
    /// (`https://app.example/*`), which a rule or waiver scoped to the listed URLs, or to the home
    /// page, does not cover (a review found the home page's waiver covered it, at the site root).
    @Test("instances ZAP counted but did not list are one finding on the whole site")
    func legacyCountWarning() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        #expect(
            report.warnings == [
                "alert 10038 (Content Security Policy (CSP) Header Not Set) on https://app.example: ZAP counted 35 "
                    + "instances but listed 5; the other 30 are one finding at https://app.example/*, which no url: "
                    + "rule or waiver narrower than the site covers"
            ])
        let unlisted = try #require(report.findings.first { $0.identity.subject.last == "unlisted" })
        #expect(unlisted.ruleID == "10038" && unlisted.identity.scope == "site:https://app.example")
        #expect(unlisted.locations == [Location(url: "https://app.example/*")])
        #expect(unlisted.instances.isEmpty)
        let listed = try #require(
            report.findings.first { $0.ruleID == "10038" && $0.identity.subject.last != "unlisted" })
        #expect(unlisted.severity == listed.severity && unlisted.isOpen)
        #expect(
            unlisted.detail
                == "ZAP counted 35 instances of this alert on https://app.example but listed 5; the other 30 are at "
                + "URLs the report does not name.")
    }

    @Test("a site's home page with and without its slash is one finding (found by a review of the corpus)")
    func homePageWithAndWithoutSlash() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.11.1"><site name="http://example.com"><alerts>
            <alertitem><pluginid>10020</pluginid><name>Missing Anti-clickjacking Header</name><riskcode>2</riskcode>
            <confidence>2</confidence><instances>
            <instance><uri>http://example.com</uri><method>GET</method><param>X-Frame-Options</param></instance>
            <instance><uri>http://example.com/</uri><method>GET</method><param>X-Frame-Options</param></instance>
            <instance><uri>HTTP://example.com?a=1</uri><method>GET</method><param>X-Frame-Options</param></instance>
            <instance><uri>http://example.com/a</uri><method>GET</method><param>X-Frame-Options</param></instance>
            <instance><uri>ftp://example.com</uri><method>GET</method><param>X-Frame-Options</param></instance>
            </instances><count>5</count></alertitem></alerts></site></OWASPZAPReport>
            """.utf8)
        let findings = try Corpus.parse(bytes: bytes, name: "home.xml").findings
        #expect(
            findings.map { $0.locations.first?.url ?? "" }.sorted() == [
                "HTTP://example.com/", "ftp://example.com", "http://example.com/", "http://example.com/a",
            ])
        let home = try #require(findings.first { $0.locations.first?.url == "http://example.com/" })
        #expect(home.instances.map(\.uri).sorted() == ["http://example.com", "http://example.com/"])
    }

    /// Reports before alertRef give one plugin's different alerts one id: merged at one place,
    /// the riskiest alert not marked a false positive names the finding (found by a review: the
    /// first one did, a medium beside the high that rated it, or a false positive's title).
    @Test("different alerts of one plugin at one place are named by the one that rates them")
    func pluginVariantsAreNamedByTheRatingAlert() throws {
        func alert(_ name: String, risk: Int, confidence: Int) -> String {
            "<alertitem><pluginid>10055</pluginid><name>\(name)</name><riskcode>\(risk)</riskcode>"
                + "<confidence>\(confidence)</confidence><desc>&lt;p&gt;About \(name).&lt;/p&gt;</desc><instances>"
                + "<instance><uri>https://app.example/cia/</uri><method>GET</method>"
                + "<param>Content-Security-Policy</param></instance></instances><count>1</count></alertitem>"
        }
        func finding(_ alerts: [String]) throws -> Finding {
            let xml =
                #"<?xml version="1.0"?><OWASPZAPReport version="2.9.0"><site name="https://app.example"><alerts>"#
                + alerts.joined() + "</alerts></site></OWASPZAPReport>"
            let open = try Corpus.parse(bytes: Array(xml.utf8), name: "csp.xml").findings.filter(\.isOpen)
            try #require(open.count == 1)
            return open[0]
        }
        let high = try finding([
            alert("CSP: script-src unsafe-inline", risk: 2, confidence: 2),
            alert("CSP: Wildcard Directive", risk: 3, confidence: 2),
            alert("CSP: style-src unsafe-inline", risk: 2, confidence: 2),
        ])
        #expect(high.title == "CSP: Wildcard Directive")
        #expect(high.severity == .high)
        #expect(high.description?.hasPrefix("About CSP: Wildcard Directive.") == true, "\(high.description ?? "")")
        #expect(
            high.description?.contains(
                #"ZAP also reported this rule here as "CSP: script-src unsafe-inline", "CSP: style-src unsafe-inline"."#
            )
                == true, "\(high.description ?? "")")

        let markedFalse = try finding([
            alert("CSP: script-src unsafe-inline", risk: 2, confidence: 0),
            alert("CSP: style-src unsafe-inline", risk: 1, confidence: 2),
        ])
        #expect(markedFalse.title == "CSP: style-src unsafe-inline")
        #expect(markedFalse.severity == .low)
        // The false positive rated the place higher: its part, suppressed, keeps its own name.
        let xml =
            #"<?xml version="1.0"?><OWASPZAPReport version="2.9.0"><site name="https://app.example"><alerts>"#
            + alert("CSP: style-src unsafe-inline", risk: 1, confidence: 2)
            + alert("CSP: script-src unsafe-inline", risk: 2, confidence: 0) + "</alerts></site></OWASPZAPReport>"
        let suppressed = try Corpus.parse(bytes: Array(xml.utf8), name: "csp.xml").findings.filter { !$0.isOpen }
        #expect(suppressed.map(\.title) == ["CSP: script-src unsafe-inline"])
        #expect(suppressed.first?.severity == .medium)
    }

    @Test("an alert item without instances becomes one finding on the site origin")
    func alertWithoutInstances() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.xml"))
        let httpOnly = try #require(report.findings.first { $0.ruleID == "10106" })
        #expect(httpOnly.locations == [Location(url: "https://app.example/")])
        #expect(httpOnly.identity.subject == ["https://app.example/", "", ""])
        #expect(httpOnly.instances.isEmpty)
        #expect(httpOnly.severity == .low)
        #expect(httpOnly.description?.hasSuffix("Other information: Failed to connect.") == true)
    }

    @Test("the 2.7 flat layout is grouped by URL, method and parameter")
    func flatLayoutGrouped() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/flat-2.7.xml"))
        #expect(report.variant == "traditional-xml-2.7-flat")
        #expect(report.findings.count == 2)
        #expect(report.warnings.isEmpty)
        let css = try #require(report.findings.first { $0.locations.first?.url == "http://example.org/style.css" })
        #expect(css.instances.count == 2)
        // A header name, in lower case whatever ZAP's version wrote (the instance keeps ZAP's).
        #expect(css.locations.first?.parameter == "cache-control")
        #expect(css.instances.first?.parameter == "Cache-Control")
        #expect(css.instances.first { $0.uri.hasSuffix("v=1") }?.otherInfo == "First URL.")
        #expect(css.instances.allSatisfy { $0.evidence == "max-age=31449600" })
        #expect(css.cwes == ["CWE-525"])
        #expect(css.severity == .low)
    }

    @Test("an instance's own other info is plain text: markup in it is kept, not stripped as HTML")
    func instanceOtherInfoIsText() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/instance-otherinfo-text.xml"))
        let finding = try #require(report.findings.first)
        #expect(
            finding.instances.first?.otherInfo
                == #"The following pattern was used: \bTODO\b and was detected in the element starting with: "#
                + #""<script src="/js/app.js">", see evidence field for the suspicious comment/snippet."#)
        // The alert-level texts of the same report are still HTML.
        #expect(finding.description == "d")
    }

    @Test("a JSON instance's other info keeps its markup and entities, with lines normalised")
    func jsonInstanceOtherInfoIsText() throws {
        let json = #"""
            {"@version": "2.16.1", "site": [{"@name": "https://app.example", "alerts": [{"pluginid": "10027",
            "name": "Suspicious Comments", "riskcode": "0", "confidence": "1", "otherinfo": "<p>Alert &amp; level</p>",
            "instances": [{"uri": "https://app.example/a", "method": "GET",
            "otherinfo": "  <!-- TODO --> in <div id=\"x\">  \n\n\n  a &amp; b\n"}]}]}]}
            """#
        let finding = try #require(try Corpus.parse(bytes: Array(json.utf8), name: "o.json").findings.first)
        #expect(finding.instances.first?.otherInfo == "<!-- TODO --> in <div id=\"x\">\n\na &amp; b")
    }

    @Test("traditional JSON maps like XML")
    func jsonReport() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/behaviours.json"))
        #expect(report.variant == "traditional-json")
        #expect(report.toolVersion == "2.9.0")
        #expect(report.findings.filter { $0.identity.subject.last != "unlisted" }.count == 3)
        let pageA = try #require(report.findings.first { $0.locations.first?.url == "https://app.example/a" })
        #expect(pageA.instances.count == 2)
        #expect(pageA.description == "Content Security Policy (CSP) is an added layer & more.\n\nSecond paragraph.")
        #expect(pageA.cwes.isEmpty)
        #expect(pageA.references == ["https://www.w3.org/TR/CSP/"])
        let frame = try #require(report.findings.first { $0.ruleID == "10020-1" })
        #expect(!frame.isOpen)
        #expect(frame.aliases == ["10020"])
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("ZAP counted 30 instances but listed 3") == true)
    }

    @Test("a JSON riskcode that is not a number is an error with path and line")
    func jsonBadRiskCode() throws {
        let url = Corpus.fixture("zap/bad-riskcode.json")
        let error = try #require(reportError(parsing: "bad-riskcode.json"))
        #expect(error.file == url.path)
        #expect(error.jsonPath == "$.site[0].alerts[0].riskcode")
        #expect(error.line == 10)
        #expect(error.message.contains("riskcode"))
    }

    @Test("an XML riskcode that is not a number is an error with the line")
    func xmlBadRiskCode() throws {
        let error = try #require(reportError(parsing: "bad-riskcode.xml"))
        #expect(error.file == Corpus.fixture("zap/bad-riskcode.xml").path)
        #expect(error.line == 5)
        #expect(error.message.contains("<riskcode>"))
        #expect(error.message.contains("High"))
    }

    // MARK: Hostile and broken input

    @Test("an XXE document is refused without reading the entity", .timeLimit(.minutes(1)))
    func xxeRefused() throws {
        let url = Corpus.fixture("zap/xxe.xml")
        let started = Date()
        let error = try #require(reportError(parsing: "xxe.xml"))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error.file == url.path)
        #expect(error.line == 2)
        #expect(error.message.contains("DOCTYPE"))
        #expect(!error.description.contains("root:"))
    }

    @Test("a billion-laughs document is refused quickly", .timeLimit(.minutes(1)))
    func billionLaughsRefused() throws {
        let started = Date()
        let error = try #require(reportError(parsing: "billion-laughs.xml"))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error.file == Corpus.fixture("zap/billion-laughs.xml").path)
        #expect(error.message.contains("DOCTYPE"))
        #expect(!error.description.contains("lollol"))
    }

    @Test("an entity reference without a DOCTYPE is refused")
    func undeclaredEntityRefused() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.10.0"><site name="https://a.example"><alerts>
            <alertitem><pluginid>1</pluginid><riskcode>1</riskcode><desc>&x;</desc></alertitem>
            </alerts></site></OWASPZAPReport>
            """.utf8)
        #expect {
            _ = try Corpus.parse(bytes: bytes, name: "entity.xml")
        } throws: { error in
            guard let error = error as? ReportError else { return false }
            return error.file == "entity.xml" && error.line == 2 && error.message.contains("'x'")
        }
    }

    @Test("a truncated document is refused with a line")
    func truncatedRefused() throws {
        let error = try #require(reportError(parsing: "truncated.xml"))
        #expect(error.file == Corpus.fixture("zap/truncated.xml").path)
        #expect(error.line != nil)
        #expect(error.message.hasPrefix("invalid XML: "))
    }

    @Test("a comment before the XML declaration is refused with a hint")
    func commentBeforeDeclarationRefused() throws {
        let error = try #require(reportError(parsing: "comment-before-declaration.xml"))
        #expect(error.file == Corpus.fixture("zap/comment-before-declaration.xml").path)
        #expect(error.line == 2)
        #expect(error.message.contains("precedes the <?xml"))
    }

    @Test("another XML root is not a ZAP report")
    func otherRootRefused() throws {
        let error = try #require(reportError(parsing: "not-zap.xml"))
        #expect(error.file == Corpus.fixture("zap/not-zap.xml").path)
        #expect(error.message.hasPrefix("not a ZAP report: root element is <testsuites>"))
        #expect(error.line == 2)
    }

    @Test("invalid UTF-8 is refused with a line")
    func invalidUTF8Refused() throws {
        var bytes = Array("<?xml version=\"1.0\"?>\n<OWASPZAPReport version=\"2.10.0\">\n<site name=\"x\">".utf8)
        bytes += [0xC3, 0x28, 0xFF]
        bytes += Array("</site></OWASPZAPReport>".utf8)
        #expect {
            _ = try Corpus.parse(bytes: bytes, name: "utf8.xml")
        } throws: { error in
            guard let error = error as? ReportError else { return false }
            return error.file == "utf8.xml" && error.line == 3 && error.message.contains("UTF-8")
                && error.message.contains("Bytes: 0xC3 0x28") && !error.message.contains("\n")
        }
    }

    /// Documents whose encoding libxml2 cannot convert (found by fuzzing: reporting them once
    /// crashed the process inside libxml2's encoding switch).
    static let unconvertibleEncodings: [(name: String, bytes: [UInt8])] = [
        ("declared UTF-32 over UTF-8 bytes", Array(#"<?xml version="1.0" encoding="UTF-32"?><a/>"#.utf8)),
        ("UTF-32LE detected from the first bytes", [0x3C, 0x00, 0x00, 0x00]),
        (
            "an invalid byte in EUC-JP after the first input chunk",
            Array(#"<?xml version="1.0" encoding="EUC-JP"?><a>"#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 200)
                + [0xC3] + Array("</a>".utf8)
        ),
    ]

    @Test("an encoding libxml2 cannot convert is refused, never a crash", arguments: unconvertibleEncodings.indices)
    func unconvertibleEncodingRefused(case index: Int) throws {
        let (name, bytes) = Self.unconvertibleEncodings[index]
        #expect(throws: ReportError.self, "\(name)") { _ = try Corpus.parse(bytes: bytes, name: "encoding.xml") }
        #expect(throws: ReportError.self, "\(name)") {
            try ZAPAdapter.parseXML(ReportSource(name: "encoding.xml", bytes: bytes))
        }
    }

    @Test("a report in another encoding libxml2 can convert is read in it")
    func declaredLatin1IsConverted() throws {
        let bytes =
            Array(
                #"<?xml version="1.0" encoding="ISO-8859-1"?><OWASPZAPReport version="2.10.0"><site name="https://a.example"><alerts><alertitem><pluginid>10021</pluginid><alert>Caf"#
                    .utf8) + [0xE9]
            + Array(
                #"</alert><riskcode>1</riskcode><confidence>2</confidence><instances><instance><uri>https://a.example/</uri><method>GET</method></instance></instances></alertitem></alerts></site></OWASPZAPReport>"#
                    .utf8)
        let report = try Corpus.parse(bytes: bytes, name: "latin1.xml")
        #expect(report.findings.map(\.title) == ["Café"])
    }

    @Test("an empty document is refused")
    func emptyRefused() throws {
        #expect(throws: ReportError.self) { try ZAPAdapter.parseXML(ReportSource(name: "empty.xml", bytes: [])) }
        #expect(throws: ReportError.self) {
            try ZAPAdapter.parseXML(ReportSource(name: "blank.xml", bytes: Array("  \n".utf8)))
        }
    }

    @Test("an empty site gives a report without findings, and a warning that nothing was found")
    func emptySite() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.9.0" generated="x">
            <site name="https://isaac.nl" host="isaac.nl" port="443" ssl="true"><alerts></alerts></site>
            </OWASPZAPReport>
            """.utf8)
        let report = try Corpus.parse(bytes: bytes, name: "empty-site.xml")
        #expect(report.findings.isEmpty)
        #expect(
            report.warnings == [
                "ZAP reported no alert for the site it scanned (https://isaac.nl), not even an informational one: "
                    + "did the scan reach it (target URL, authentication, proxy)? No finding here means nothing "
                    + "was checked"
            ])
        #expect(report.variant == "traditional-xml")
    }

    @Test("several sites without any alert are named in one warning")
    func emptySites() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.9.0" generated="x">
            <site name="https://a.example"><alerts/></site><site name="https://b.example"></site>
            </OWASPZAPReport>
            """.utf8)
        let report = try Corpus.parse(bytes: bytes, name: "empty-sites.xml")
        #expect(report.findings.isEmpty)
        #expect(
            report.warnings == [
                "ZAP reported no alert for any of the sites it scanned (https://a.example, https://b.example), not "
                    + "even an informational one: did the scan reach them (target URL, authentication, proxy)? No "
                    + "finding here means nothing was checked"
            ])
    }

    @Test("one alert on one of two sites: the scan reached something, the silent site is warned about")
    func oneSiteWithAlerts() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.9.0" generated="x">
            <site name="https://a.example"><alerts/></site><site name="https://b.example"><alerts><alertitem>
            <pluginid>10021</pluginid><name>X</name><riskcode>0</riskcode><confidence>2</confidence></alertitem>
            </alerts></site></OWASPZAPReport>
            """.utf8)
        let report = try Corpus.parse(bytes: bytes, name: "one-site.xml")
        #expect(report.findings.count == 1)
        #expect(report.checkedNothing == nil)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("(https://a.example)") == true, "\(report.warnings)")
    }

    @Test("an XML report without any <site> is not a scan result", arguments: ["no-site.xml", "bare"])
    func noSiteRefused(_ fixture: String) throws {
        let error: ReportError
        if fixture == "bare" {
            error = try #require(throws: ReportError.self) {
                try Corpus.parse(bytes: Array("<?xml version=\"1.0\"?>\n<OWASPZAPReport/>".utf8), name: "bare.xml")
            }
            #expect(error.file == "bare.xml")
            #expect(error.line == 2)
        } else {
            error = try #require(reportError(parsing: fixture))
            #expect(error.file == Corpus.fixture("zap/" + fixture).path)
            #expect(error.line == 1)
        }
        #expect(error.message.hasPrefix("not a ZAP scan result: <OWASPZAPReport> has no <site>"), "\(error)")
    }

    @Test("an <alertitem> outside any <site> is an error naming its line, not dropped")
    func alertItemOutsideSiteRefused() throws {
        let error = try #require(reportError(parsing: "alertitem-outside-site.xml"))
        #expect(error.file == Corpus.fixture("zap/alertitem-outside-site.xml").path)
        #expect(error.line == 1)
        #expect(error.message.hasPrefix("<alertitem> outside any <site>"), "\(error)")
        // After an empty site, on a line of its own.
        let afterEmptySite = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"/><alerts>
            <alertitem><pluginid>40018</pluginid><name>SQL Injection</name><riskcode>3</riskcode><confidence>2</confidence>
            </alertitem></alerts></OWASPZAPReport>
            """.utf8)
        let second = try #require(throws: ReportError.self) {
            try Corpus.parse(bytes: afterEmptySite, name: "after-empty-site.xml")
        }
        #expect(second.file == "after-empty-site.xml")
        #expect(second.line == 2)
        #expect(second.message.hasPrefix("<alertitem> outside any <site>"), "\(second)")
    }

    /// ZAP names every alert's rule and every site: alerts without a rule were one finding of the
    /// rule "" (an SQL injection merged into the XSS beside it, found by a review), alerts of a
    /// site without a name findings of `site:`. Refused, in XML (with the line) and JSON.
    @Test(arguments: [
        (
            "no-rule.xml",
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"><alerts>
            <alertitem><name>SQL Injection</name><riskcode>3</riskcode><confidence>2</confidence></alertitem>
            </alerts></site></OWASPZAPReport>
            """,
            #"<alertitem> "SQL Injection" has no <pluginid> nor <alertRef>"#
        ),
        (
            "no-site-name.xml",
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0">
            <site host="app.example"><alerts><alertitem><pluginid>40018</pluginid><name>SQL Injection</name>
            <riskcode>3</riskcode></alertitem></alerts></site></OWASPZAPReport>
            """,
            "<site> without a name"
        ),
        (
            "no-rule.json",
            #"{"@version":"2.14.0","site":[{"@name":"https://app.example","alerts":[{"alert":"SQL Injection","#
                + #""riskcode":"3","instances":[{"uri":"https://app.example/"}]}]}]}"#,
            #"the alert "SQL Injection" has no "pluginid" nor "alertRef""#
        ),
        (
            "no-site-name.json",
            #"{"@version":"2.14.0","site":[{"alerts":[{"pluginid":"40018","alert":"SQL Injection","riskcode":"3"}]}]}"#,
            #"a site without "@name""#
        ),
    ])
    func anAlertWithoutARuleOrASiteWithoutANameIsRefused(_ name: String, _ text: String, _ message: String) throws {
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: Array(text.utf8), name: name) }
        #expect(error.message.contains(message), "\(error)")
        if name == "no-site-name.xml" { #expect(error.line == 2) }
        if name == "no-rule.xml" { #expect(error.line == 2) }
    }

    /// ZAP 2.11 and older name a header parameter capitalised (`Cache-Control`), newer ones in
    /// lower case: the same alert keeps its fingerprint across the upgrade (it became a new
    /// finding, its GitHub alert closed and opened again; found by a review). Other parameters
    /// keep their case (`ID` and `id` are two query fields).
    @Test func aHeaderParametersCaseDoesNotChangeTheFingerprint() throws {
        func fingerprint(_ parameter: String) throws -> String {
            let xml = """
                <?xml version="1.0"?><OWASPZAPReport version="2.15.0"><site name="https://app.example"><alerts>
                <alertitem><pluginid>10015</pluginid><alertRef>10015</alertRef><alert>Cache-control</alert>
                <riskcode>0</riskcode><confidence>2</confidence><instances><instance><uri>https://app.example/</uri>
                <method>GET</method><param>\(parameter)</param></instance></instances></alertitem></alerts></site>
                </OWASPZAPReport>
                """
            return try #require(try Corpus.parse(bytes: Array(xml.utf8), name: "zap.xml").findings.first).fingerprint
        }
        #expect(try fingerprint("Cache-Control") == fingerprint("cache-control"))
        #expect(try fingerprint("ID") != fingerprint("id"))
    }

    /// ZAP writes only `<alertitem>` in a site's `<alerts>`: an element spelt otherwise there
    /// (`<AlertItem>`, an edited report) was skipped, and its high alert with it, without a
    /// word (found by a review). It is refused with its line.
    @Test func anotherElementInASitesAlertsIsRefused() throws {
        let renamed = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.15.0"><site name="https://app.example"><alerts>
            <AlertItem><pluginid>40012</pluginid><alert>Cross Site Scripting</alert><riskcode>3</riskcode>
            <confidence>2</confidence></AlertItem></alerts></site></OWASPZAPReport>
            """.utf8)
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: renamed, name: "renamed.xml") }
        #expect(error.line == 2)
        #expect(error.message.hasPrefix("<AlertItem> in a site's <alerts>: ZAP writes only <alertitem> there"))
        // Elements beside <alerts> in a site, and inside an alert item, are read as before.
        let extra = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.15.0"><site name="https://app.example"><alerts>
            <alertitem><pluginid>40012</pluginid><alert>Cross Site Scripting</alert><riskcode>3</riskcode>
            <confidence>2</confidence><sourceid>1</sourceid></alertitem></alerts><statistics/></site></OWASPZAPReport>
            """.utf8)
        #expect(try Corpus.parse(bytes: extra, name: "extra.xml").findings.count == 1)
    }

    /// ZAP never nests alert items, instances or sites: read as written, an SQL injection
    /// nested in an informational alert became an info instance of it, and the production gate
    /// passed (found by a review). Each such nesting is refused with its line.
    @Test(arguments: [
        (
            "<alertitem><pluginid>10037</pluginid><alert>Info leak</alert><riskcode>0</riskcode><confidence>2</confidence>"
                + "<instances><instance><uri>https://app.example/</uri></instance></instances>\n"
                + "<alertitem><pluginid>40018</pluginid><alert>SQL Injection</alert><riskcode>3</riskcode>"
                + "<instances><instance><uri>https://app.example/admin</uri></instance></instances></alertitem>"
                + "</alertitem>",
            "<alertitem> inside another <alertitem>"
        ),
        (
            "<alertitem><pluginid>10037</pluginid><alert>Info leak</alert><riskcode>0</riskcode><instances><instance>"
                + "<uri>https://app.example/</uri>\n<alertitem><pluginid>40018</pluginid><riskcode>3</riskcode></alertitem>"
                + "</instance></instances></alertitem>",
            "<alertitem> inside another <alertitem>"
        ),
        (
            "<alertitem><pluginid>10037</pluginid><alert>Info leak</alert><riskcode>0</riskcode>\n"
                + "<instance><uri>https://app.example/</uri></instance></alertitem>",
            "<instance> outside an alert item's <instances>"
        ),
        (
            "\n<site name=\"https://other.example\"><alerts></alerts></site>",
            "<site> inside another <site>"
        ),
    ])
    func nestingZAPNeverWritesIsRefused(_ example: (String, String)) throws {
        let bytes = Array(
            (#"<?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"><alerts>"#
                + example.0 + "</alerts></site></OWASPZAPReport>").utf8)
        let error = try #require(throws: ReportError.self) { try Corpus.parse(bytes: bytes, name: "nested.xml") }
        #expect(error.message.hasPrefix(example.1), "\(error)")
        #expect(error.line == 2, "\(error)")
    }

    /// It passed the gate with a warning, where the XML form is refused (found by a review of
    /// `scangate ci`: a DAST step that reached nothing turned the build green).
    @Test("a JSON report with an empty site list is refused: the scan reached nothing")
    func jsonNoSiteRefused() throws {
        let error = try #require(reportError(parsing: "no-site.json"))
        #expect(error.file == Corpus.fixture("zap/no-site.json").path)
        #expect(error.message.contains("ZAP's report lists no site: the scan reached nothing"), "\(error)")
    }
}

/// Credentials in a URL ZAP reports (`https://user:password@host/`) are removed at ingest: they
/// would reach every output, and split the finding from the same URL without them.
@Suite("ZAP URLs with user information")
struct ZAPUserinfoTests {
    @Test("credentials in an instance URI are removed and the finding merges with the URL without them")
    func instanceCredentialsRemoved() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/userinfo.xml"))
        #expect(report.findings.count == 1)
        let finding = try #require(report.findings.first)
        #expect(finding.locations == [Location(url: "https://app.example/account", method: "GET")])
        // The two instances are now the same one.
        #expect(finding.instances.map(\.uri) == ["https://app.example/account"])
        #expect(finding.identity.subject == ["https://app.example/account", "GET", ""])
        #expect(!"\(report)".contains("Hunter2"))
        #expect(!"\(report)".contains("admin"))
    }

    static let uris: [(listed: String, kept: String)] = [
        ("https://admin:Hunter2@app.example/account", "https://app.example/account"),
        ("https://user@app.example:8443/a?next=b@c.example", "https://app.example:8443/a?next=b@c.example"),
        ("http://u:p@ss@app.example", "http://app.example"),
        ("HTTPS://u:p@app.example?x=1", "HTTPS://app.example?x=1"),
        ("https://u:p@app.example#top", "https://app.example#top"),
        // An `@` outside the authority is no user information.
        ("https://app.example/@user/profile", "https://app.example/@user/profile"),
        ("https://app.example?mail=a@b.example", "https://app.example?mail=a@b.example"),
        ("mailto:a@b.example", "mailto:a@b.example"),
    ]

    @Test("only the user information of the authority goes", arguments: uris.indices)
    func userinfoOnly(_ index: Int) throws {
        let (listed, kept) = Self.uris[index]
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"><alerts>
            <alertitem><pluginid>10038</pluginid><name>CSP</name><riskcode>2</riskcode><confidence>2</confidence>
            <instances><instance><uri>\(listed)</uri><method>GET</method></instance></instances></alertitem>
            </alerts></site></OWASPZAPReport>
            """.utf8)
        let finding = try #require(try Corpus.parse(bytes: bytes, name: "u.xml").findings.first)
        #expect(finding.instances.map(\.uri) == [kept])
        #expect(finding.locations.first?.url == withHomePageSlash(String(kept.prefix { $0 != "?" && $0 != "#" })))
    }

    @Test("credentials in a site name and in the 2.7 flat layout are removed too")
    func siteAndFlatCredentialsRemoved() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.7.0"><site name="https://u:secret@app.example"><alerts>
            <alertitem><pluginid>10106</pluginid><name>HTTP Only Site</name><riskcode>1</riskcode></alertitem>
            <alertitem><pluginid>10038</pluginid><name>CSP</name><riskcode>2</riskcode><confidence>2</confidence>
            <uri>https://u:secret@app.example/a</uri><method>GET</method></alertitem>
            </alerts></site></OWASPZAPReport>
            """.utf8)
        let report = try Corpus.parse(bytes: bytes, name: "flat.xml")
        #expect(report.findings.count == 2)
        #expect(Set(report.findings.map(\.identity.scope)) == ["site:https://app.example"])
        #expect(
            Set(report.findings.compactMap(\.locations.first?.url)) == [
                "https://app.example/", "https://app.example/a",
            ])
        #expect(!"\(report)".contains("secret"))
    }

    @Test("credentials in a JSON report's URIs are removed")
    func jsonCredentialsRemoved() throws {
        let json = #"""
            {"@version": "2.14.0", "site": [{"@name": "https://app.example", "alerts": [{"pluginid": "10038",
            "name": "CSP", "riskcode": "2", "confidence": "2", "instances": [
            {"uri": "https://admin:Hunter2@app.example/account", "method": "GET"},
            {"uri": "https://app.example/account", "method": "GET"}]}]}]}
            """#
        let report = try Corpus.parse(bytes: Array(json.utf8), name: "u.json")
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.instances.map(\.uri) == ["https://app.example/account"])
        #expect(!"\(report)".contains("Hunter2"))
    }
}

/// Riskcode -1 is the reports add-on's false-positive bucket, but the false-positive mark is
/// confidence 0: only with it is the alert suppressed; with another confidence (or none) the
/// report contradicts itself, and the alert is judged at unknown severity, with a warning.
@Suite("ZAP riskcode -1")
struct ZAPRiskCodeMinusOneTests {
    static func report(riskCode: Int, confidence: String?) throws -> ParsedReport {
        let confidenceElement = confidence.map { "<confidence>\($0)</confidence>" } ?? ""
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"><alerts>
            <alertitem><pluginid>40012</pluginid><alertRef>40012</alertRef><name>Test Alert</name>
            <riskcode>\(riskCode)</riskcode>\(confidenceElement)<instances><instance><uri>https://app.example/x</uri>
            <method>GET</method></instance></instances></alertitem></alerts></site></OWASPZAPReport>
            """.utf8)
        return try Corpus.parse(bytes: bytes, name: "r.xml")
    }

    @Test("riskcode -1 with confidence 0 is a false positive, without a warning")
    func withConfidenceZero() throws {
        let report = try Self.report(riskCode: -1, confidence: "0")
        let finding = try #require(report.findings.first)
        #expect(!finding.isOpen)
        #expect(finding.suppression?.status == "false-positive")
        #expect(finding.confidence == .falsePositive)
        #expect(report.warnings.isEmpty)
        // No risk to judge it by: a policy that does not trust the mark judges it at unknown
        // severity, not as informational.
        #expect(finding.severity == .unknown)
        #expect(
            finding.ratings == [
                SeverityRating(source: "zap", severity: .unknown, label: "riskcode -1", isToolVerdict: true)
            ])
    }

    @Test(
        "riskcode -1 with another confidence, or none, is open at unknown severity, with a warning",
        arguments: [("1", "1 (low)"), ("2", "2 (medium)"), ("3", "3 (high)"), ("4", "4 (confirmed)"), (nil, nil)]
            as [(String?, String?)])
    func withOtherConfidence(_ confidence: String?, _ words: String?) throws {
        let report = try Self.report(riskCode: -1, confidence: confidence)
        let finding = try #require(report.findings.first)
        #expect(finding.isOpen)
        #expect(finding.suppression == nil)
        #expect(finding.severity == .unknown)
        #expect(
            finding.ratings == [
                SeverityRating(source: "zap", severity: .unknown, label: "riskcode -1", isToolVerdict: true)
            ])
        #expect(finding.confidence != .falsePositive)
        let has = words.map { "confidence \($0)" } ?? "no confidence"
        #expect(
            report.warnings == [
                "alert 40012 (Test Alert) on https://app.example: riskcode -1 files it as a false positive but it has "
                    + "\(has), and only confidence 0 marks a false positive; it is not suppressed and is judged at "
                    + "unknown severity"
            ])
    }

    @Test("the review's reproduction: riskcode -1, confidence 2")
    func reproduction() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/riskcode-minus1-confidence2.xml"))
        #expect(report.findings.map(\.severity) == [.unknown])
        #expect(report.findings.first?.isOpen == true)
        #expect(report.findings.first?.confidence == .medium)
        #expect(report.warnings.count == 1)
    }

    @Test("confidence 0 at any other riskcode is a false positive too", arguments: [0, 1, 2, 3])
    func confidenceZero(_ riskCode: Int) throws {
        let report = try Self.report(riskCode: riskCode, confidence: "0")
        #expect(report.findings.first?.isOpen == false)
        #expect(report.warnings.isEmpty)
    }
}

/// Alert items merged into one finding: a false positive among them neither raises the risk nor
/// the confidence of the real ones.
@Suite("ZAP false positives merged with real alerts")
struct ZAPMergedFalsePositiveTests {
    /// Two alert items of one rule at one URL, in the order given.
    static func report(_ items: [(riskCode: Int, confidence: Int)]) throws -> ParsedReport {
        let alertItems = items.map { item in
            """
            <alertitem><pluginid>10038</pluginid><alertRef>10038-1</alertRef><name>CSP</name>\
            <riskcode>\(item.riskCode)</riskcode><confidence>\(item.confidence)</confidence><instances><instance>\
            <uri>https://app.example/x</uri><method>GET</method></instance></instances></alertitem>
            """
        }
        let xml =
            "<?xml version=\"1.0\"?><OWASPZAPReport version=\"2.14.0\"><site name=\"https://app.example\"><alerts>"
            + alertItems.joined(separator: "\n") + "</alerts></site></OWASPZAPReport>"
        return try Corpus.parse(bytes: Array(xml.utf8), name: "fp.xml")
    }

    /// The open finding keeps the real items' risk; the higher risk of the items marked false
    /// positives is a finding of its own, suppressed as theirs: muted where the policy trusts
    /// ZAP's marking, judged where it does not (a later review: merged away, it escaped
    /// `trust-tool-suppressions: false`).
    @Test("the review's reproduction: a high false positive beside a low real alert stays low")
    func reproduction() throws {
        let report = try Corpus.parse(Corpus.fixture("zap/false-positive-beside-real.xml"))
        let finding = try #require(report.findings.first { $0.isOpen })
        #expect(report.findings.count == 2)
        #expect(finding.severity == .low)
        #expect(finding.confidence == .high)
        #expect(finding.ratings.map(\.label) == ["riskcode 1"])
        let marked = try #require(report.findings.first { !$0.isOpen })
        #expect(marked.severity == .high && marked.suppression?.status == "false-positive")
        #expect(marked.ruleID == finding.ruleID && marked.locations == finding.locations)
        #expect(marked.fingerprint != finding.fingerprint)
        // Not when the marked items rate it no higher: nothing is hidden then.
        #expect(try Self.report([(1, 0), (2, 3)]).findings.count == 1)
    }

    @Test(
        "in either order, only the real items' risk and confidence count",
        arguments: [
            [(3, 0), (1, 3)], [(1, 3), (3, 0)], [(3, 0), (1, 1), (2, 0), (1, 2)],
        ] as [[(Int, Int)]])
    func realItemsOnly(_ items: [(Int, Int)]) throws {
        let finding = try #require(try Self.report(items.map { (riskCode: $0.0, confidence: $0.1) }).findings.first)
        #expect(finding.isOpen)
        #expect(finding.severity == .low)
        #expect(finding.confidence != .falsePositive)
        #expect(finding.confidence == (items.contains { $0 == (1, 3) } ? .high : .medium))
    }

    @Test("when every item is a false positive, the finding is suppressed at their highest risk")
    func allFalsePositives() throws {
        let finding = try #require(
            try Self.report([(riskCode: 1, confidence: 0), (riskCode: 3, confidence: 0)]).findings.first)
        #expect(!finding.isOpen)
        #expect(finding.severity == .high)
        #expect(finding.confidence == .falsePositive)
    }
}

/// A field may not repeat in one `<alertitem>` or `<instance>`: which one counts would be the
/// reader's choice, a second `<riskcode>0` or `<confidence>0` would hide the alert, and a second
/// `<uri>` or `<name>` would move or rename it.
@Suite struct ZAPRepeatedFieldTests {
    @Test(arguments: [
        ("<riskcode>0</riskcode>", "", "<alertitem> has <riskcode> twice"),
        ("<confidence>0</confidence>", "", "<alertitem> has <confidence> twice"),
        ("<name>Harmless</name>", "", "<alertitem> has <name> twice"),
        ("<desc>other</desc>", "", "<alertitem> has <desc> twice"),
        ("", "<uri>https://app.example/b</uri>", "<instance> has <uri> twice"),
        ("", "<evidence>e</evidence><evidence>f</evidence>", "<instance> has <evidence> twice"),
    ])
    func isRefused(_ extraAlertField: String, _ extraInstanceField: String, _ words: String) throws {
        func report(_ alertField: String, _ instanceField: String) -> [UInt8] {
            Array(
                """
                <?xml version="1.0"?><OWASPZAPReport version="2.16.0" generated="Tue, 1 Jul 2025 10:00:00">
                <site name="https://app.example" host="app.example" port="443" ssl="true"><alerts>
                <alertitem><pluginid>40012</pluginid><alertRef>40012</alertRef><alert>XSS</alert><name>XSS</name>
                <riskcode>3</riskcode><confidence>2</confidence><desc>d</desc>\(alertField)<instances><instance>
                <uri>https://app.example/a</uri><method>GET</method>\(instanceField)</instance></instances>
                <count>1</count></alertitem></alerts></site></OWASPZAPReport>
                """.utf8)
        }
        let error = try #require(throws: ReportError.self) {
            try Corpus.parse(bytes: report(extraAlertField, extraInstanceField), name: "z.xml")
        }
        #expect(error.message.contains(words), "\(error)")
        // The same alert with each field once is read; so is an instance's <otherinfo> beside
        // the alert item's, which are different fields.
        let once = try Corpus.parse(
            bytes: report("<otherinfo>a</otherinfo>", "<otherinfo>i</otherinfo>"), name: "z.xml")
        #expect(once.findings.count == 1)
    }
}

/// ZAP up to 2.10 wrote the evidence in an alert item's other info (and some solutions) unescaped
/// inside its `<p>`: the comment, script or tag the alert was raised for is kept as written, and
/// only ZAP's own paragraph markup is stripped (stripping every tag lost the evidence: the corpus's
/// DefectDojo scans showed `"Admin"` for a suspicious HTML comment).
@Suite("ZAP texts with unescaped evidence")
struct ZAPUnescapedEvidenceTests {
    @Test func evidenceInLegacyOtherInfoIsKeptAsWritten() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.10.0"><site name="https://app.example"><alerts>
            <alertitem><pluginid>10027</pluginid><alert>Information Disclosure - Suspicious Comments</alert>
            <riskcode>0</riskcode><confidence>1</confidence>
            <desc>&lt;p&gt;The response appears to contain suspicious comments.&lt;/p&gt;</desc>
            <instances><instance><uri>https://app.example/</uri><method>GET</method></instance></instances>
            <solution>&lt;p&gt;Ensure the correct use of the "&lt;base&gt;" HTML tag.&lt;/p&gt;</solution>
            <otherinfo>&lt;p&gt;The following pattern was used: \\bADMIN\\b and was detected in the element starting with: "&lt;!-- td align="center"&gt;&lt;a href="admin.jsp"&gt;Admin&lt;/a&gt;&lt;/td--&gt;", see evidence field for the suspicious comment/snippet.&lt;/p&gt;&lt;p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</otherinfo>
            </alertitem></alerts></site></OWASPZAPReport>
            """.utf8)
        let report = try Corpus.parse(bytes: bytes, name: "legacy.xml")
        let finding = try #require(report.findings.first)
        let otherInfo = try #require(finding.instances.first?.otherInfo)
        #expect(
            otherInfo.contains(
                #"starting with: "<!-- td align="center"><a href="admin.jsp">Admin</a></td-->", see evidence"#),
            "\(otherInfo)")
        #expect(otherInfo.contains("<script>alert(1)</script>"), "\(otherInfo)")
        #expect(finding.description == "The response appears to contain suspicious comments.")
        #expect(finding.remediation == #"Ensure the correct use of the "<base>" HTML tag."#)
    }

    /// An alert item counting instances it lists none of is the site's unlisted instances (a
    /// finding at `site/*`, warned), not a finding at the home page that a waiver scoped to the
    /// home page would pass.
    @Test func anAlertCountingInstancesItListsNoneOfIsTheWholeSite() throws {
        let bytes = Array(
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"><alerts>
            <alertitem><pluginid>40018</pluginid><alertRef>40018</alertRef><name>SQL Injection</name>
            <riskcode>3</riskcode><confidence>2</confidence><instances></instances><count>7</count>
            </alertitem></alerts></site></OWASPZAPReport>
            """.utf8)
        let report = try Corpus.parse(bytes: bytes, name: "counted.xml")
        #expect(report.findings.count == 1)
        let finding = try #require(report.findings.first)
        #expect(finding.locations.first?.url == "https://app.example/*", "\(finding.locations)")
        #expect(report.warnings.contains { $0.contains("ZAP counted 7 instances but listed 0") }, "\(report.warnings)")
    }

    /// An alert item whose count is no number of instances (`-1`) and that lists none is one
    /// finding for the whole site, warned: it was no finding at all, so a high alert vanished
    /// (found by a review), in XML and in JSON.
    @Test(arguments: [
        (
            "count.xml",
            """
            <?xml version="1.0"?><OWASPZAPReport version="2.14.0"><site name="https://app.example"><alerts>
            <alertitem><pluginid>40018</pluginid><alertRef>40018</alertRef><name>SQL Injection</name>
            <riskcode>3</riskcode><confidence>2</confidence><instances></instances><count>-1</count>
            </alertitem></alerts></site></OWASPZAPReport>
            """
        ),
        (
            "count.json",
            """
            {"@version":"2.14.0","site":[{"@name":"https://app.example","alerts":[{"pluginid":"40018",
            "alertRef":"40018","alert":"SQL Injection","riskcode":"3","confidence":"2","instances":[],"count":"-1"}]}]}
            """
        ),
    ])
    func anAlertWhoseCountIsNoNumberAndListsNothingIsTheWholeSite(_ name: String, _ text: String) throws {
        let report = try Corpus.parse(bytes: Array(text.utf8), name: name)
        #expect(report.findings.count == 1, "\(report.findings.map(\.ruleID))")
        let finding = try #require(report.findings.first)
        #expect(finding.ruleID == "40018" && finding.severity == .high)
        #expect(finding.locations.first?.url == "https://app.example/*", "\(finding.locations)")
        #expect(
            report.warnings.contains {
                $0.contains(#"ZAP's count of its instances is "-1", not a number of instances"#)
            },
            "\(report.warnings)")
    }
}
