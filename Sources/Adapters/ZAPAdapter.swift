import Findings
import ScanGateJSON

/// Reads OWASP ZAP reports into findings: traditional XML (including ZAP 2.7's
/// one-alertitem-per-URL layout and XML-plus) and traditional JSON.
///
/// One finding per alert rule, normalised URL (no query or fragment), method and parameter
/// within a `<site>`; the instances behind it are kept in ``Finding/instances``.
public enum ZAPAdapter {
    /// Parses a traditional XML report (`zap -x`, reports add-on `traditional-xml[-plus]`).
    ///
    /// Refuses DOCTYPEs and entity references, and any XML error, with a ``ReportError`` naming
    /// the file and line; never returns partial findings.
    public static func parseXML(_ source: consuming ReportSource) throws(ReportError) -> ParsedReport {
        let reportFile = source.name
        let raw = try ZAPXMLReader.read(source)
        // The raw alerts hold their own Strings: the input (100 MB for a large scan) is released
        // before the findings are built, so the two never add up at the peak.
        _ = consume source
        let variant: String
        if raw.hasFlatAlertItems {
            variant = "traditional-xml-2.7-flat"
        } else if raw.hasRequestResponseFields {
            variant = "traditional-xml-plus"
        } else {
            variant = "traditional-xml"
        }
        // XML-plus writes plain text; the other templates write HTML.
        return ZAPFindingBuilder(reportFile: reportFile, textIsHTML: !raw.hasRequestResponseFields)
            .report(from: raw, variant: variant)
    }

    /// Parses a traditional JSON report (`zap -J`, reports add-on `traditional-json[-plus]`).
    ///
    /// Values of the wrong type come out as a ``ReportError`` with the JSON path and line.
    public static func parseJSON(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        let raw = try reading(source.name) { () throws(JSONAccessError) in try ZAPJSONReader.read(root) }
        return ZAPFindingBuilder(reportFile: source.name, textIsHTML: true)
            .report(from: raw, variant: "traditional-json")
    }
}

/// Reads the JSON tree into the same raw model as the XML reader.
enum ZAPJSONReader {
    static func read(_ root: JSONValue) throws(JSONAccessError) -> ZAPRawReport {
        let root = try root.requireObject()
        // ZAP always writes "site" (an empty list when it scanned nothing): a document without it is
        // not a ZAP report, and reading it as one with no alerts would be a silent pass.
        guard let sites = try root.array("site") else {
            throw root.error("not a ZAP JSON report: there is no \"site\" list")
        }
        // An empty list is a scan that reached no site (the target down, a proxy in the way): a
        // report of no scan, refused as the XML form without any <site> is, not a clean result.
        guard !sites.isEmpty else {
            throw (root["site"] ?? root).error(
                "ZAP's report lists no site: the scan reached nothing, so it is no scan result (was the target "
                    + "reachable?)")
        }
        var report = ZAPRawReport()
        report.toolVersion = try root.identifier("@version")
        for site in sites {
            let site = try site.requireObject()
            let siteName = try site.identifier("@name") ?? ""
            // ZAP names every site: its alerts would be findings of a site no rule can name.
            guard !siteName.zapTrimmed.isEmpty else {
                throw (site["@name"] ?? site).error("a site without \"@name\": ZAP names every site it scanned")
            }
            report.siteNames.append(siteName)
            for item in try site.array("alerts") ?? [] {
                report.alerts.append(try alert(item, site: siteName))
            }
        }
        return report
    }

    private static func alert(_ value: JSONValue, site: String) throws(JSONAccessError) -> ZAPRawAlert {
        let item = try value.requireObject()
        var alert = ZAPRawAlert()
        alert.site = site
        alert.pluginID = try item.identifier("pluginid").map { String($0.zapTrimmed) }
        alert.alertRef = try item.identifier("alertRef").map { String($0.zapTrimmed) }
        alert.alert = try item.string("alert")
        alert.name = try item.string("name")
        // ZAP names every alert's rule: alerts without one would be one finding of the rule "",
        // each but the first merged away.
        guard !alert.ruleID.isEmpty else {
            throw item.error(
                "the alert \"\(alert.title.prefix(80))\" has no \"pluginid\" nor \"alertRef\": ZAP names the rule "
                    + "of every alert")
        }
        guard let riskValue = item["riskcode"], !riskValue.isNull else {
            throw item.error("missing \"riskcode\"")
        }
        guard let riskText = try item.identifier("riskcode"), let risk = ZAPRawAlert.riskCode(riskText) else {
            throw riskValue.error(
                "\"riskcode\" must be -1, 0, 1, 2 or 3, found \(riskValue.scalarText ?? "\(riskValue.kind)")")
        }
        alert.riskCode = risk
        if let confidenceText = try item.identifier("confidence"), !confidenceText.zapTrimmed.isEmpty {
            guard let confidence = ZAPRawAlert.confidence(confidenceText) else {
                throw (item["confidence"] ?? item).error(
                    "\"confidence\" must be 0, 1, 2, 3 or 4, found \(confidenceText)")
            }
            alert.confidence = confidence
        }
        alert.description = try item.string("desc")
        alert.solution = try item.string("solution")
        alert.otherInfo = try item.string("otherinfo")
        alert.reference = try item.string("reference")
        alert.cweID = try item.identifier("cweid")
        alert.count = try item.identifier("count")
        for instanceValue in try item.array("instances") ?? [] {
            let instance = try instanceValue.requireObject()
            alert.instances.append(
                ZAPRawInstance(
                    uri: try instance.string("uri") ?? "", method: try instance.string("method"),
                    param: try instance.string("param"), attack: try instance.string("attack"),
                    evidence: try instance.string("evidence"), otherInfo: try instance.string("otherinfo")))
        }
        return alert
    }
}

/// Turns raw alert items into findings: groups instances, converts text, warns about
/// truncated instance lists.
struct ZAPFindingBuilder {
    /// The report file as the user named it.
    let reportFile: String
    /// Whether the alert-level description/solution/reference/otherinfo hold HTML (all but
    /// XML-plus). An instance's own `otherinfo` is plain text in every template.
    let textIsHTML: Bool

    /// What makes one finding inside a report.
    private struct GroupKey: Hashable {
        /// Index into the report's distinct site names (cheaper to hash than the name).
        var site: Int
        var rule: String
        var url: String
        var method: String
        var parameter: String

        /// Where the group's finding is: its URL, and its method and parameter when not blank.
        var location: Location {
            Location(url: url, method: nonEmpty(method), parameter: nonEmpty(parameter))
        }
    }

    /// A finding being assembled from one or more alert items.
    private struct Draft {
        var key: GroupKey
        var site: String
        var title: String
        /// The alert item that rates the finding, whose title and texts describe it: the
        /// riskiest item not marked a false positive (of all when every one is), the first of
        /// those that tie.
        var alertIndex: Int
        /// Titles of other alert items merged in (pre-alertRef reports give rule variants one
        /// plugin id, e.g. 10049 "Non-Storable Content" and "Storable but Non-Cacheable Content").
        var otherTitles = DistinctList()
        /// The highest riskcode of the items not marked false positives (of all when every one is).
        var riskCode: Int
        var allFalsePositive: Bool
        /// The riskiest of the items marked false positives (the first of those that tie), when
        /// there are any: its riskcode is theirs, and it names the finding of the false positives
        /// when they rate the place higher (``falsePositivePart(of:alert:texts:version:)``).
        var falsePositiveAlertIndex: Int?
        /// The highest confidence, of the same items as `riskCode`.
        var confidence: Int?
        var cwes: DistinctList
        var instances: [ZAPRawInstance] = []
        /// Alert-level other info of alert items without any instance.
        var unattachedOtherInfo: [String] = []
    }

    /// Strings in the order first inserted, each once. Looked for in the list while it is short,
    /// in a set made once it is not: thousands of alert items of one plugin at one place, each
    /// under its own name and CWE, made a search of the list per item quadratic, and a set for
    /// every one of the tens of thousands of short lists cost memory.
    struct DistinctList {
        private(set) var values: [String]
        private var index: Set<String> = []
        private static let shortLength = 16

        init(_ values: [String] = []) { self.values = values }

        mutating func insert(_ value: String) {
            if index.isEmpty && values.count < Self.shortLength {
                if !values.contains(value) { values.append(value) }
                return
            }
            if index.isEmpty { index = Set(values) }
            if index.insert(value).inserted { values.append(value) }
        }

        mutating func remove(_ value: String) {
            if !index.isEmpty && index.remove(value) == nil { return }
            values.removeAll { $0 == value }
        }
    }

    /// An alert item's texts, converted once however many findings it gives.
    private struct AlertTexts {
        var description: String?
        var remediation: String?
        var references: [String]
    }

    func report(from raw: ZAPRawReport, variant: String) -> ParsedReport {
        var drafts: [Draft] = []
        var draftIndex: [GroupKey: Int] = [:]
        draftIndex.reserveCapacity(raw.alerts.count * 4)
        var warnings: [String] = []
        var checkedNothing: String?
        if raw.alerts.isEmpty {
            let sites = raw.siteNames.map(Self.withoutUserinfo)
            checkedNothing = Self.noAlertReason(sites: sites)
            warnings.append(Self.noAlertWarning(sites: sites))
        } else {
            // A site ZAP reached almost always raises some alert (informational ones at least):
            // one without any beside sites with alerts was probably not reached. Said per site;
            // the report as a whole did check something.
            let alerted = Set(raw.alerts.map(\.site))
            let silent = raw.siteNames.filter { !alerted.contains($0) }.map(Self.withoutUserinfo).sortedUnique()
            if !silent.isEmpty {
                warnings.append(Self.silentSitesWarning(silent, of: Set(raw.siteNames).count))
            }
        }

        func add(
            _ alert: ZAPRawAlert, alertIndex: Int, cwe: String?, key: GroupKey, instance: ZAPRawInstance?,
            otherInfo: String?
        ) {
            let confidence = alert.confidence
            if let index = draftIndex[key] {
                let title = alert.title
                let falsePositive = confidence == 0
                // Different alerts of one plugin at one place (before alertRef): the riskiest that
                // is not a false positive names the finding, the others' titles are noted.
                let lead = raw.alerts[drafts[index].alertIndex]
                let leadIsFalsePositive = lead.confidence == 0
                let leads =
                    (leadIsFalsePositive && !falsePositive)
                    || (leadIsFalsePositive == falsePositive && alert.riskCode > lead.riskCode)
                if leads {
                    if title != drafts[index].title {
                        drafts[index].otherTitles.remove(title)
                        drafts[index].otherTitles.insert(drafts[index].title)
                    }
                    drafts[index].title = title
                    drafts[index].alertIndex = alertIndex
                } else if title != drafts[index].title {
                    drafts[index].otherTitles.insert(title)
                }
                // Suppressed only when every merged alert item was marked a false positive; the risk
                // and confidence come from the items that were not (a false positive's risk says
                // nothing about the real alert beside it), or from all when every item was one.
                if falsePositive,
                    alert.riskCode > drafts[index].falsePositiveAlertIndex.map({ raw.alerts[$0].riskCode }) ?? Int.min
                {
                    drafts[index].falsePositiveAlertIndex = alertIndex
                }
                if drafts[index].allFalsePositive && !falsePositive {
                    drafts[index].allFalsePositive = false
                    drafts[index].riskCode = alert.riskCode
                    drafts[index].confidence = confidence
                } else if drafts[index].allFalsePositive == falsePositive {
                    drafts[index].riskCode = max(drafts[index].riskCode, alert.riskCode)
                    if let confidence, drafts[index].confidence.map({ confidence > $0 }) ?? true {
                        drafts[index].confidence = confidence
                    }
                }
                if let cwe { drafts[index].cwes.insert(cwe) }
                if let instance { drafts[index].instances.append(instance) }
                if let otherInfo { drafts[index].unattachedOtherInfo.append(otherInfo) }
            } else {
                draftIndex[key] = drafts.count
                drafts.append(
                    Draft(
                        key: key, site: alert.site, title: alert.title, alertIndex: alertIndex,
                        riskCode: alert.riskCode, allFalsePositive: confidence == 0,
                        falsePositiveAlertIndex: confidence == 0 ? alertIndex : nil,
                        confidence: confidence, cwes: DistinctList(cwe.map { [$0] } ?? []),
                        instances: instance.map { [$0] } ?? [], unattachedOtherInfo: otherInfo.map { [$0] } ?? []))
            }
        }

        var converter = TextConverter(isHTML: textIsHTML)
        var siteIndex: [String: Int] = [:]
        // Alert items whose instances ZAP counted but did not all list (older ZAP lists 20).
        // A nil count: ZAP's `count` is not a number of instances (`-1`), and none is listed.
        var unlisted: [(alertIndex: Int, site: String, count: Int?)] = []
        // The 2.7 layout repeats an alert item per URL: one warning for all of them.
        var contradictionsWarned: Set<String> = []
        for (alertIndex, listedAlert) in raw.alerts.enumerated() {
            // Credentials in a URL (`https://user:password@host/`) would reach every output and
            // split the finding from the same URL without them: gone before anything keeps a URL.
            var alert = listedAlert
            alert.site = Self.withoutUserinfo(alert.site)
            let site = siteIndex[alert.site] ?? siteIndex.count
            if site == siteIndex.count { siteIndex[alert.site] = site }
            let rule = alert.ruleID
            // Once per alert item, not once per instance (a scan lists hundreds of thousands).
            let cwe = alert.cweID.flatMap(Self.cwe(_:))
            if alert.riskCode < 0 && alert.confidence != 0 {
                let warning = Self.contradictoryRiskWarning(alert)
                if !contradictionsWarned.contains(warning) {
                    contradictionsWarned.insert(warning)
                    warnings.append(warning)
                }
            }
            let countText = alert.count.map { String($0.zapTrimmed) }.flatMap { $0.isEmpty ? nil : $0 }
            let countedInstances = countText.flatMap { Int($0) } ?? 0
            let listsNone = alert.instances.isEmpty && alert.flatInstance == nil
            // A count that is no number of instances (`-1`) on an item listing none: where its
            // instances are is not known, so the whole site, warned (it was no finding at all).
            if listsNone, let countText, countedInstances < 0 || Int(countText) == nil {
                unlisted.append((alertIndex, alert.site, nil))
                warnings.append(
                    "alert \(rule) (\(alert.title)) on \(alert.site): ZAP's count of its instances is \"\(countText)\", "
                        + "not a number of instances, and it lists none: read as one finding at "
                        + "\(Self.siteRoot(alert.site))*, which no url: rule or waiver narrower than the site covers")
                continue
            }
            // An alert item that counts instances it lists none of is the unlisted ones below (the
            // whole site, warned), not a finding at the home page a home-page waiver would pass.
            if listsNone && countedInstances == 0 {
                // Odd but seen (an "HTTP Only Site" alert whose check failed): the site itself.
                let key = GroupKey(
                    site: site, rule: rule, url: Self.normalizedURL(alert.site), method: "", parameter: "")
                add(
                    alert, alertIndex: alertIndex, cwe: cwe, key: key, instance: nil,
                    otherInfo: nonEmpty(alert.otherInfo))
                continue
            }
            // Legacy reports put the alert's other info only at alert level: it describes the
            // first instance (the alert's own message), so it goes there, not on every URL, as
            // text (it is HTML where the alert's texts are; an instance's own is plain text).
            let firstInstanceOtherInfo =
                alert.instances.contains { nonEmpty($0.otherInfo) != nil } ? nil : converter.text(alert.otherInfo)
            for (position, listed) in alert.instances.enumerated() {
                var instance = listed
                instance.uri = Self.withoutUserinfo(instance.uri)
                if position == 0, let firstInstanceOtherInfo { instance.otherInfo = firstInstanceOtherInfo }
                let key = GroupKey(
                    site: site, rule: rule, url: Self.normalizedURL(instance.uri), method: instance.method ?? "",
                    parameter: Self.normalizedParameter(instance.param))
                add(alert, alertIndex: alertIndex, cwe: cwe, key: key, instance: instance, otherInfo: nil)
            }
            if var instance = alert.flatInstance {
                instance.uri = Self.withoutUserinfo(instance.uri)
                // The 2.7 layout's other info is the alert item's: HTML, as its other texts.
                instance.otherInfo = converter.text(instance.otherInfo)
                let key = GroupKey(
                    site: site, rule: rule, url: Self.normalizedURL(instance.uri), method: instance.method ?? "",
                    parameter: Self.normalizedParameter(instance.param))
                add(alert, alertIndex: alertIndex, cwe: cwe, key: key, instance: instance, otherInfo: nil)
            }
            if alert.flatInstance == nil, countedInstances > alert.instances.count {
                unlisted.append((alertIndex, alert.site, countedInstances))
                warnings.append(
                    "alert \(rule) (\(alert.title)) on \(alert.site): ZAP counted \(countedInstances) instances but "
                        + "listed \(alert.instances.count); the other \(countedInstances - alert.instances.count) are "
                        + "one finding at \(Self.siteRoot(alert.site))*, which no url: rule or waiver narrower than the "
                        + "site covers"
                )
            }
        }

        // An instance's own other info is plain text in every template (HTML-stripping it lost
        // text such as `<script src="/js/app.js">`): only its lines are normalised.
        var instanceConverter = TextConverter(isHTML: false)
        var texts: [AlertTexts?] = Array(repeating: nil, count: raw.alerts.count)
        // An alert item's texts, converted once for all the findings it gives.
        func alertTexts(_ alertIndex: Int) -> AlertTexts {
            if let known = texts[alertIndex] { return known }
            let alert = raw.alerts[alertIndex]
            let converted = AlertTexts(
                description: converter.text(alert.description), remediation: converter.text(alert.solution),
                references: ZAPHTMLText.urls(in: converter.text(alert.reference) ?? ""))
            texts[alertIndex] = converted
            return converted
        }
        var findings: [Finding] = []
        findings.reserveCapacity(drafts.count)
        for draft in drafts {
            let leadTexts = alertTexts(draft.alertIndex)
            findings.append(
                finding(
                    from: draft, alert: raw.alerts[draft.alertIndex], texts: leadTexts, version: raw.toolVersion,
                    converter: &converter, instanceConverter: &instanceConverter))
            // The false positives' own alert names their part (before alertRef, one plugin's
            // different alerts share a place).
            if let falsePositiveIndex = draft.falsePositiveAlertIndex,
                let overruled = falsePositivePart(
                    of: draft, alert: raw.alerts[falsePositiveIndex], texts: alertTexts(falsePositiveIndex),
                    version: raw.toolVersion)
            {
                findings.append(overruled)
            }
        }
        for item in unlisted {
            findings.append(
                unlistedFinding(
                    alert: raw.alerts[item.alertIndex], site: item.site, counted: item.count,
                    texts: alertTexts(item.alertIndex), version: raw.toolVersion))
        }
        var report = ParsedReport(
            source: reportFile, format: .zap, variant: variant, tool: "zap", toolVersion: raw.toolVersion,
            findings: findings, warnings: warnings, checkedNothing: checkedNothing)
        report.scopesRead = Set(raw.siteNames.map { FindingIdentity.siteScopePrefix + Self.withoutUserinfo($0) })
        return report
    }

    /// `https://app.example` → `https://app.example/`: where a finding about the whole site is.
    static func siteRoot(_ site: String) -> String { site.hasSuffix("/") ? site : site + "/" }

    /// The instances ZAP counted but did not list (ZAP 2.10 and older list at most 20 per alert
    /// and give the total in `<count>`), as one finding located at `https://app.example/*`: the
    /// whole site. They may be anywhere on it, `/admin` included: a rule or waiver scoped to the
    /// listed URLs, or to the home page (`url: https://app.example/`, which the site's root as
    /// a location matched), must not pass them, and one that covers the whole site
    /// (`url: https://app.example/*`) still can. The identity keeps the root.
    /// `counted` nil: ZAP's count is not a number of instances, and none is listed.
    private func unlistedFinding(
        alert: ZAPRawAlert, site: String, counted: Int?, texts: AlertTexts, version: String?
    ) -> Finding {
        let root = Self.siteRoot(site)
        let note: String
        if let counted {
            note =
                "ZAP counted \(counted) instances of this alert on \(site) but listed \(alert.instances.count); the "
                + "other \(counted - alert.instances.count) are at URLs the report does not name."
        } else {
            note =
                "ZAP's count of the instances of this alert on \(site) is not a number of instances, and it lists "
                + "none: they are at URLs the report does not name."
        }
        let falsePositive = alert.confidence == 0
        return Finding(
            kind: .webAlert, ruleID: alert.ruleID, aliases: Self.aliases(of: alert), title: alert.title,
            description: join(texts.description, note), detail: note, remediation: texts.remediation,
            ratings: [Self.rating(riskCode: alert.riskCode)],
            confidence: alert.confidence.map(Self.confidence(_:)), locations: [Location(url: root + "*")],
            cwes: alert.cweID.flatMap(Self.cwe(_:)).map { [$0] } ?? [], references: texts.references,
            provenance: [provenance(of: alert, version: version)],
            suppression: falsePositive ? Self.falsePositive : nil,
            identity: FindingIdentity(
                kind: .webAlert, scope: FindingIdentity.siteScopePrefix + site, subject: [root, "", "", "unlisted"])
        ).finalized()
    }

    private func finding(
        from draft: Draft, alert: ZAPRawAlert, texts: AlertTexts, version: String?, converter: inout TextConverter,
        instanceConverter: inout TextConverter
    ) -> Finding {
        let key = draft.key
        var description = texts.description
        if !draft.otherTitles.values.isEmpty {
            let titles = draft.otherTitles.values.map { "\"\($0)\"" }.joined(separator: ", ")
            description = join(description, "ZAP also reported this rule here as \(titles).")
        }
        for otherInfo in draft.unattachedOtherInfo {
            description = join(description, "Other information: " + (converter.text(otherInfo) ?? ""))
        }
        let instances = draft.instances.map { instance in
            WebInstance(
                uri: instance.uri, method: nonEmpty(instance.method), parameter: nonEmpty(instance.param),
                attack: nonEmpty(instance.attack), evidence: nonEmpty(instance.evidence),
                otherInfo: instance.otherInfo == nil ? nil : instanceConverter.text(instance.otherInfo))
        }
        return Finding(
            kind: .webAlert, ruleID: alert.ruleID, aliases: Self.aliases(of: alert), title: alert.title,
            description: description, remediation: texts.remediation,
            ratings: [Self.rating(riskCode: draft.riskCode)],
            confidence: draft.confidence.map(Self.confidence(_:)),
            locations: [key.location],
            instances: instances, cwes: draft.cwes.values, references: texts.references,
            provenance: [provenance(of: alert, version: version)],
            suppression: draft.allFalsePositive ? Self.falsePositive : nil,
            identity: FindingIdentity(
                kind: .webAlert, scope: FindingIdentity.siteScopePrefix + draft.site,
                subject: [key.url, key.method, key.parameter])
        ).finalized()
    }

    /// Items marked false positives beside others at one place rate the finding by the others
    /// (a false positive's risk says nothing of the real alert beside it). When they rated it
    /// higher, that risk is a finding of its own, suppressed as a false positive: muted where the
    /// policy trusts ZAP's marking, judged where it does not (`trust-tool-suppressions: false`),
    /// as a false-positive item alone would be. Merged away, a high item marked false positive
    /// beside an informational one escaped production (found by a review).
    private func falsePositivePart(
        of draft: Draft, alert: ZAPRawAlert, texts: AlertTexts, version: String?
    ) -> Finding? {
        // `alert` is the riskiest false positive (``Draft/falsePositiveAlertIndex``).
        guard !draft.allFalsePositive,
            Self.severity(riskCode: alert.riskCode) > Self.severity(riskCode: draft.riskCode)
        else { return nil }
        let riskCode = alert.riskCode
        let key = draft.key
        let note =
            "ZAP items of this alert here that a user marked false positives rate it "
            + "\(Self.riskCodeLabels.label(riskCode)); the items not so marked rate it lower."
        return Finding(
            kind: .webAlert, ruleID: alert.ruleID, aliases: Self.aliases(of: alert), title: alert.title,
            description: join(texts.description, note), detail: note, remediation: texts.remediation,
            ratings: [Self.rating(riskCode: riskCode)], confidence: Self.confidence(0),
            locations: [key.location],
            cwes: draft.cwes.values, references: texts.references,
            provenance: [provenance(of: alert, version: version)],
            suppression: Self.falsePositive,
            identity: FindingIdentity(
                kind: .webAlert, scope: FindingIdentity.siteScopePrefix + draft.site,
                subject: [key.url, key.method, key.parameter, "marked false positive"])
        ).finalized()
    }

    /// Where a finding of `alert` came from: ZAP's report of that version, the alert's rule.
    private func provenance(of alert: ZAPRawAlert, version: String?) -> Provenance {
        Provenance(tool: "zap", toolVersion: version, reportFile: reportFile, rawID: alert.ruleID)
    }

    /// ZAP's verdict on an alert. Riskcode -1 says nothing about its risk, marked a false
    /// positive or not: unknown, so that a policy that does not trust the mark (production)
    /// judges it at `unknown-severity-as`, not as informational, which default rules ignore.
    static func rating(riskCode: Int) -> SeverityRating {
        SeverityRating(
            source: "zap", severity: riskCode < 0 ? .unknown : severity(riskCode: riskCode),
            label: riskCodeLabels.label(riskCode), isToolVerdict: true)
    }

    /// What suppresses an alert every item of which a user marked a false positive.
    static let falsePositive = Suppression(
        source: "zap", status: "false-positive", statement: "marked as a false positive in ZAP")

    /// The plugin id beside an alert reference that differs from it (`10038` for `10038-1`).
    static func aliases(of alert: ZAPRawAlert) -> [String] {
        guard let pluginID = alert.pluginID, !pluginID.isEmpty, pluginID != alert.ruleID else { return [] }
        return [pluginID]
    }

    /// A scan that reaches a site almost always raises some alert, if only informational ones
    /// (missing headers, a modern web application…): none at all for every site means the scan
    /// most likely reached nothing, and an empty report passes every gate. Said, so the
    /// decision shows it.
    static func noAlertWarning(sites: [String]) -> String {
        guard !sites.isEmpty else { return noAlertReason(sites: sites) + ". No finding here means nothing was checked" }
        return noAlertReason(sites: sites) + ": did the scan reach \(sites.count == 1 ? "it" : "them") (target URL, "
            + "authentication, proxy)? No finding here means nothing was checked"
    }

    /// What to say of the sites without any alert in a report with alerts on others: each named
    /// (up to ten, then counted).
    static func silentSitesWarning(_ sites: [String], of total: Int) -> String {
        let named = sites.prefix(10).joined(separator: ", ") + (sites.count > 10 ? " and \(sites.count - 10) more" : "")
        let which = sites.count == 1 ? "1 of the \(total) sites" : "\(sites.count) of the \(total) sites"
        return "ZAP reported no alert for \(which) it scanned (\(named)), not even an informational one, while "
            + "others have alerts: did the scan reach \(sites.count == 1 ? "it" : "them") (target URL, "
            + "authentication, proxy)? No finding there means nothing was checked there"
    }

    /// Why a report without any alert checked nothing, as one line (``noAlertWarning(sites:)``
    /// without its advice).
    static func noAlertReason(sites: [String]) -> String {
        let scanned: String
        switch sites.count {
        case 0: return "ZAP's report lists no site: the scan reached nothing"
        case 1: scanned = "the site it scanned (\(sites[0]))"
        case 2...3: scanned = "any of the sites it scanned (\(sites.joined(separator: ", ")))"
        default: scanned = "any of the \(sites.count) sites it scanned"
        }
        return "ZAP reported no alert for \(scanned), not even an informational one"
    }

    /// HTTP header names ZAP's rules name as an alert's parameter: ZAP 2.11 and older wrote
    /// them capitalised (`Cache-Control`), 2.12 and newer lower case. Header names are
    /// case-insensitive, so an upgrade of ZAP must not make the same alert a new finding; any
    /// other parameter (a query or form field, a cookie) is kept as written.
    static let headerParameters: Set<String> = [
        "access-control-allow-credentials", "access-control-allow-origin", "age", "cache-control",
        "content-security-policy",
        "content-security-policy-report-only", "content-type", "cross-origin-embedder-policy",
        "cross-origin-opener-policy", "cross-origin-resource-policy", "expires", "feature-policy", "permissions-policy",
        "pragma", "referrer-policy", "server", "set-cookie", "strict-transport-security", "via", "x-aspnet-version",
        "x-aspnetmvc-version", "x-backend-server", "x-chromelogger-data", "x-chromephp-data", "x-content-type-options",
        "x-debug-token", "x-debug-token-link", "x-frame-options", "x-powered-by", "x-xss-protection",
    ]

    /// The parameter as the finding's identity takes it: a header name in lower case.
    static func normalizedParameter(_ parameter: String?) -> String {
        guard let parameter else { return "" }
        let lowercased = parameter.lowercased()
        return headerParameters.contains(lowercased) ? lowercased : parameter
    }

    /// The URI without query string and fragment, and an http(s) URI with an empty path given the
    /// path `/`: `http://example.com` and `http://example.com/` are one resource (RFC 3986
    /// section 6.2.3), and ZAP lists both forms for the same alert, which made two findings.
    static func normalizedURL(_ uri: String) -> String {
        let trimmed = uri.zapTrimmed
        let bytes = trimmed.utf8
        let cut = bytes.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        let withoutQuery = trimmed[..<cut]
        if Self.hasEmptyHTTPPath(withoutQuery.utf8) { return String(withoutQuery) + "/" }
        // Nothing to cut or trim (most URIs): the same String, not a copy of it.
        if cut == bytes.endIndex, trimmed.utf8.count == uri.utf8.count { return uri }
        return String(withoutQuery)
    }

    /// Whether the bytes are `http://authority` or `https://authority` (any case) with nothing
    /// after the authority.
    private static func hasEmptyHTTPPath(_ bytes: Substring.UTF8View) -> Bool {
        let schemeLength: Int
        if Self.hasPrefixIgnoringCase(bytes, "http://") {
            schemeLength = 7
        } else if Self.hasPrefixIgnoringCase(bytes, "https://") {
            schemeLength = 8
        } else {
            return false
        }
        let authority = bytes.dropFirst(schemeLength)
        return !authority.isEmpty && !authority.contains(UInt8(ascii: "/")) && !authority.contains(UInt8(ascii: "\\"))
    }

    private static func hasPrefixIgnoringCase(_ bytes: Substring.UTF8View, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return zip(bytes, UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)).allSatisfy {
            (Self.isLetter($0) ? $0 | 0x20 : $0) == $1
        }
    }

    /// The URI without the user information of its authority (`https://user:password@host/a`
    /// becomes `https://host/a`). Only an absolute URI's authority is looked at (scheme `://`
    /// up to the first `/`, `?`, `#` or `\`): an `@` in a path or query stays. Of several `@`,
    /// the last ends the user information, as browsers read it (a password with an `@`).
    static func withoutUserinfo(_ uri: String) -> String {
        let bytes = uri.utf8
        // Nearly every URI has no `@` at all: the same String, not a copy.
        guard bytes.contains(UInt8(ascii: "@")) else { return uri }
        var index = bytes.startIndex
        while index < bytes.endIndex, ZAPHTMLText.isSpace(bytes[index]) { index = bytes.index(after: index) }
        // The scheme: a letter, then letters, digits, `+`, `-` or `.`, then `://`.
        guard index < bytes.endIndex, Self.isLetter(bytes[index]) else { return uri }
        while index < bytes.endIndex, Self.isSchemeByte(bytes[index]) { index = bytes.index(after: index) }
        guard bytes[index...].starts(with: "://".utf8) else { return uri }
        let authorityStart = bytes.index(index, offsetBy: 3)
        let authorityEnd =
            bytes[authorityStart...].firstIndex {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
                    || $0 == UInt8(ascii: "\\")
            } ?? bytes.endIndex
        guard let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) else { return uri }
        return String(uri[..<authorityStart]) + String(uri[bytes.index(after: at)...])
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// `riskcode 2`, for ZAP's risk codes -1…3.
    private static let riskCodeLabels = NumberedLabels("riskcode", numbers: -1...3)

    static func severity(riskCode: Int) -> Severity {
        switch riskCode {
        case 3: .high
        case 2: .medium
        case 1: .low
        default: .info
        }
    }

    static func confidence(_ code: Int) -> Confidence {
        switch code {
        case 0: .falsePositive
        case 1: .low
        case 2: .medium
        case 3: .high
        default: .confirmed
        }
    }

    /// `CWE-79` for a positive integer `cweid`; nil for `-1`, `0`, empty or anything else.
    static func cwe(_ raw: String) -> String? {
        guard let number = Int(raw.zapTrimmed), number > 0 else { return nil }
        return "CWE-\(number)"
    }

    /// A user marks a false positive in ZAP by its confidence (0, "False Positive"); riskcode -1
    /// is only the reports add-on's false-positive bucket. With any other confidence (or none)
    /// the two contradict each other: the alert is not suppressed on the riskcode's word, and
    /// has no risk to judge it by, so it is judged at unknown severity (the policy's
    /// `unknown-severity-as`).
    static func contradictoryRiskWarning(_ alert: ZAPRawAlert) -> String {
        let confidence =
            alert.confidence.map { "confidence \($0) (\(Self.confidence($0).rawValue))" } ?? "no confidence"
        return "alert \(alert.ruleID) (\(alert.title)) on \(alert.site): riskcode -1 files it as a false positive "
            + "but it has \(confidence), and only confidence 0 marks a false positive; it is not suppressed and is "
            + "judged at unknown severity"
    }

    private func join(_ text: String?, _ paragraph: String) -> String {
        guard let text, !text.isEmpty else { return paragraph }
        return text + "\n\n" + paragraph
    }
}

/// Converts report text to plain text, remembering results: per-instance texts repeat a lot.
private struct TextConverter {
    let isHTML: Bool
    private var cache: [String: String] = [:]

    init(isHTML: Bool) {
        self.isHTML = isHTML
    }

    mutating func text(_ raw: String?) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        // Most per-instance texts are one plain line: converting would return them unchanged, and
        // caching hundreds of thousands of distinct ones would only cost hashing and memory.
        if Self.isOneTrimmedPlainLine(raw) { return raw }
        if let known = cache[raw] { return known.isEmpty ? nil : known }
        let converted = isHTML ? ZAPHTMLText.plainText(fromHTML: raw) : ZAPHTMLText.normalizedLines(raw)
        cache[raw] = converted
        return converted.isEmpty ? nil : converted
    }

    /// No tag, entity or line break, and no white space at either end: text both conversions
    /// (HTML to plain text, line normalisation) leave exactly as it is.
    static func isOneTrimmedPlainLine(_ text: String) -> Bool {
        // On contiguous bytes (not the UTF-8 view's iterator): this runs for every text of every instance.
        var text = text
        return text.withUTF8 { bytes in
            guard let first = bytes.first, let last = bytes.last, !ZAPHTMLText.isSpace(first),
                !ZAPHTMLText.isSpace(last)
            else { return false }
            return !bytes.contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&") || $0 == 0x0A || $0 == 0x0D }
        }
    }
}

/// The text, or nil when it is absent or only white space.
private func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.zapTrimmed.isEmpty else { return nil }
    return text
}
