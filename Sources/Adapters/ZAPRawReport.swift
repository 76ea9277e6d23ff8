/// The ZAP report as read from XML or JSON, before it becomes findings: the alert items with
/// their text exactly as the report holds it (HTML not yet converted).
struct ZAPRawReport {
    /// The root `version` attribute (`@version` in JSON).
    var toolVersion: String?
    var alerts: [ZAPRawAlert] = []
    /// The `<site>` elements (`site` list entries) read, alerts or not: the origins ZAP scanned.
    var siteNames: [String] = []
    /// Some instance carried `requestheader`/`responsebody`…: the XML-plus template, whose text
    /// fields are plain text rather than HTML.
    var hasRequestResponseFields = false
    /// Some alert item carried `uri`/`method` directly (ZAP 2.7's one-alertitem-per-URL layout).
    var hasFlatAlertItems = false
}

/// One `<alertitem>` (one element of `alerts` in JSON).
struct ZAPRawAlert {
    /// The `name` attribute of the enclosing `<site>`: the scanned origin.
    var site = ""
    var pluginID: String?
    var alertRef: String?
    var alert: String?
    var name: String?
    /// `riskcode`, already checked to be -1…3.
    var riskCode = 0
    /// `confidence`, already checked to be 0…4; nil when the report gave none.
    var confidence: Int?
    var description: String?
    var solution: String?
    var otherInfo: String?
    var reference: String?
    var cweID: String?
    /// `<count>`: in legacy core reports the total, while at most 20 instances are listed.
    var count: String?
    var instances: [ZAPRawInstance] = []
    /// The instance written directly inside the alert item (2.7 flat layout).
    var flatInstance: ZAPRawInstance?

    /// The rule id: `alertRef` when present, else `pluginid`.
    var ruleID: String {
        if let alertRef, !alertRef.isEmpty { return alertRef }
        return pluginID ?? ""
    }

    /// `<name>`, else `<alert>`.
    var title: String {
        if let name, !name.isEmpty { return name }
        return alert ?? ""
    }
}

/// One `<instance>` (or the flat fields of a 2.7 alert item).
struct ZAPRawInstance {
    var uri = ""
    var method: String?
    var param: String?
    var attack: String?
    var evidence: String?
    var otherInfo: String?
}

extension ZAPRawAlert {
    /// Reads `riskcode` text: -1…3 (-1 is the false-positive bucket of the reports add-on).
    static func riskCode(_ text: String) -> Int? {
        guard let value = Int(text.zapTrimmed), (-1...3).contains(value) else { return nil }
        return value
    }

    /// Reads `confidence` text: 0…4; nil for anything else.
    static func confidence(_ text: String) -> Int? {
        guard let value = Int(text.zapTrimmed), (0...4).contains(value) else { return nil }
        return value
    }
}
