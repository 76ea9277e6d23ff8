import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads ZAP's traditional XML (all layouts) with libxml2's SAX2 interface: the document is
/// streamed, never built as a tree, and only the elements ScanGate uses become Strings.
///
/// Security: `XML_PARSE_NONET` only (no `NOENT`, `DTDLOAD`, `DTDATTR` or `HUGE`), and any
/// DOCTYPE or entity reference stops the parse with an error. ZAP never writes a DOCTYPE, so
/// refusing one costs nothing and rules out XXE and entity expansion ("billion laughs").
/// libxml2 never prints: its errors go to a structured handler and become a ``ReportError``.
enum ZAPXMLReader {
    static func read(_ source: ReportSource) throws(ReportError) -> ZAPRawReport {
        _ = libxml2Initialized
        guard !source.bytes.isEmpty else {
            throw ReportError(file: source.name, message: "the file is empty: expected a ZAP XML report")
        }
        guard source.bytes.count <= Int(Int32.max) else {
            throw ReportError(file: source.name, message: "the report is too large for the XML reader (2 GiB or more)")
        }
        // The state is a struct the callbacks reach through libxml2's user-data pointer: no
        // reference counting and no dynamic exclusivity checks on the millions of callbacks a
        // large scan makes (each cost a few percent on a class).
        let state = UnsafeMutablePointer<ZAPXMLParseState>.allocate(capacity: 1)
        state.initialize(to: ZAPXMLParseState())
        let parsed: Bool = source.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { characters in
                parse(characters, count: Int32(buffer.count), state: state)
            }
        }
        let result = state.move()
        state.deallocate()
        if let failure = result.failure {
            throw ReportError(file: source.name, line: failure.line, message: failure.message)
        }
        guard parsed, result.sawRoot else {
            throw ReportError(file: source.name, message: "invalid XML: the document could not be read")
        }
        // ZAP writes a <site> for every site it scanned, with an empty <alerts> when it found
        // nothing: a report without one is not a scan result, and reading it as one with no
        // alerts would be a silent pass (the JSON reader refuses a document without "site").
        guard !result.report.siteNames.isEmpty else {
            throw ReportError(
                file: source.name, line: result.rootLine,
                message: "not a ZAP scan result: <OWASPZAPReport> has no <site>, while ZAP writes one for every "
                    + "site it scanned (with an empty <alerts> when it found nothing)")
        }
        return result.report
    }

    /// Runs libxml2 over the bytes; false when the parser could not even be created.
    ///
    /// The bytes go to libxml2's push parser a slice at a time: `xmlCtxtReadMemory` in libxml2
    /// 2.9 (Debian 12's) copies the whole input into a buffer grown by doubling first, 128 MiB
    /// beside a 100 MB report, while the push parser holds only the part it has not consumed.
    private static func parse(
        _ bytes: UnsafePointer<CChar>, count: Int32, state: UnsafeMutablePointer<ZAPXMLParseState>
    ) -> Bool {
        // Errors raised outside a parser context (encoding conversion) go to the thread's
        // global handler: route them to the same state for the duration of the parse.
        let savedHandler = __xmlStructuredError()?.pointee
        let savedContext = __xmlStructuredErrorContext()?.pointee
        xmlSetStructuredErrorFunc(state, ZAPXMLCallbacks.structuredError)
        defer { xmlSetStructuredErrorFunc(savedContext, savedHandler) }

        // The first four bytes let libxml2 detect the encoding (a byte-order mark, UTF-16's
        // `<?` pattern) before it parses anything; the handler is copied into the context.
        let head = min(count, 4)
        var handler = ZAPXMLCallbacks.handler
        guard let context = xmlCreatePushParserCtxt(&handler, UnsafeMutableRawPointer(state), bytes, head, nil)
        else { return false }
        defer { xmlFreeParserCtxt(context) }
        _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
        state.pointee.context = context
        var offset = head
        while offset < count && state.pointee.failure == nil {
            let size = min(Self.chunkSize, count - offset)
            // A non-zero result is a fatal error, already reported through the error handler.
            guard xmlParseChunk(context, bytes + Int(offset), size, 0) == 0 else { break }
            offset += size
        }
        if state.pointee.failure == nil {
            // The end of the input: libxml2 reports a document that is not finished here.
            _ = xmlParseChunk(context, nil, 0, 1)
        }
        state.pointee.context = nil
        if state.pointee.failure == nil && context.pointee.wellFormed == 0 {
            state.pointee.fail(line: nil, "invalid XML: the document is not well-formed")
        }
        return true
    }

    /// How much of the input libxml2 is handed at a time: large enough that the calls cost
    /// nothing, small enough that its buffer stays small.
    private static let chunkSize: Int32 = 1 << 20
}

/// libxml2 wants its one-time initialisation before use from several threads; a global
/// `let` runs it exactly once.
private let libxml2Initialized: Void = xmlInitParser()

/// The elements the reader reacts to, recognised from the C name without making a String.
enum ZAPXMLElement: UInt8 {
    case other, report, site, alertItem, instances, instance
    case pluginID, alertRef, alert, name, riskCode, confidence, description, solution, otherInfo, reference
    case cweID, count, uri, method, param, attack, evidence
    /// `requestheader`, `requestbody`, `responseheader`, `responsebody` (XML-plus).
    case requestResponse
    /// A site's list of alert items.
    case alerts

    /// The element's bit in a set of fields read (an alert item's, an instance's).
    var fieldBit: UInt32 { 1 << UInt32(rawValue) }

    /// The element's name in a report, for error messages about fields.
    var elementName: String {
        switch self {
        case .pluginID: "pluginid"
        case .alertRef: "alertRef"
        case .alert: "alert"
        case .name: "name"
        case .riskCode: "riskcode"
        case .confidence: "confidence"
        case .description: "desc"
        case .solution: "solution"
        case .otherInfo: "otherinfo"
        case .reference: "reference"
        case .cweID: "cweid"
        case .count: "count"
        case .uri: "uri"
        case .method: "method"
        case .param: "param"
        case .attack: "attack"
        case .evidence: "evidence"
        case .other, .report, .site, .alertItem, .instances, .instance, .requestResponse, .alerts: "\(self)"
        }
    }

    static func classify(_ name: UnsafePointer<UInt8>) -> ZAPXMLElement {
        let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
        func equals(_ text: StaticString) -> Bool {
            length == text.utf8CodeUnitCount && memcmp(name, text.utf8Start, length) == 0
        }
        switch length {
        case 3: return equals("uri") ? .uri : .other
        case 4: return equals("name") ? .name : equals("desc") ? .description : equals("site") ? .site : .other
        case 5:
            if equals("param") { return .param }
            if equals("alert") { return .alert }
            if equals("count") { return .count }
            return equals("cweid") ? .cweID : .other
        case 6: return equals("method") ? .method : equals("attack") ? .attack : equals("alerts") ? .alerts : .other
        case 8:
            if equals("instance") { return .instance }
            if equals("evidence") { return .evidence }
            if equals("pluginid") { return .pluginID }
            if equals("alertRef") { return .alertRef }
            if equals("riskcode") { return .riskCode }
            return equals("solution") ? .solution : .other
        case 9:
            if equals("instances") { return .instances }
            if equals("otherinfo") { return .otherInfo }
            if equals("alertitem") { return .alertItem }
            return equals("reference") ? .reference : .other
        case 10: return equals("confidence") ? .confidence : .other
        case 11: return equals("requestbody") ? .requestResponse : .other
        case 12: return equals("responsebody") ? .requestResponse : .other
        case 13: return equals("requestheader") ? .requestResponse : .other
        case 14:
            if equals("responseheader") { return .requestResponse }
            return equals("OWASPZAPReport") ? .report : .other
        default: return .other
        }
    }
}

/// The reader's state while libxml2 calls back into it.
struct ZAPXMLParseState {
    var context: xmlParserCtxtPtr?
    var report = ZAPRawReport()
    var failure: (line: Int?, message: String)?
    var sawRoot = false
    /// The line of the `<OWASPZAPReport>` start tag.
    var rootLine: Int?

    /// Depth of the element being read (the root is 1).
    private var depth = 0
    private var siteDepth = -1
    /// Depth of the current site's `<alerts>`.
    private var alertsDepth = -1
    private var alertDepth = -1
    private var instanceDepth = -1
    private var siteName = ""
    private var alert = ZAPRawAlert()
    private var alertLine = 0
    private var instance = ZAPRawInstance()

    /// The field whose text is being collected, and its depth and line.
    private var captured = ZAPXMLElement.other
    private var captureDepth = -1
    private var captureLine = 0
    private var text: [UInt8] = []

    var line: Int {
        guard let context else { return 0 }
        return Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer(context)))
    }

    /// Records the first error and, from a SAX callback, stops libxml2.
    ///
    /// - Parameter stoppingParser: false from libxml2's error handler. libxml2 2.9 reports a
    ///   failed encoding conversion (`encoding="UTF-32"` over UTF-8 bytes, an invalid byte in
    ///   EUC-JP) from inside its encoding switch or input refill; `xmlStopParser` there frees the
    ///   input buffer under libxml2's feet (a crash found by fuzzing). Not stopping is safe: after
    ///   an error libxml2 stops calling the SAX handler or ends the parse itself, and the other
    ///   callbacks ignore anything after the first failure.
    mutating func fail(line: Int?, _ message: String, stoppingParser: Bool = true) {
        guard failure == nil else { return }
        failure = (line, message)
        if stoppingParser, let context { xmlStopParser(context) }
    }

    mutating func startElement(
        _ localName: UnsafePointer<UInt8>, attributeCount: Int, attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    ) {
        guard failure == nil else { return }
        depth += 1
        let element = ZAPXMLElement.classify(localName)
        if depth == 1 {
            guard element == .report else {
                let name = String(cString: UnsafeRawPointer(localName).assumingMemoryBound(to: CChar.self))
                fail(line: line, "not a ZAP report: root element is <\(name)>, expected <OWASPZAPReport>")
                return
            }
            sawRoot = true
            rootLine = line > 0 ? line : nil
            report.toolVersion = Self.attribute("version", count: attributeCount, attributes: attributes)
            return
        }
        guard captureDepth < 0 else { return }  // an element nested in a field: its text is kept
        if siteDepth < 0 {
            if element == .site {
                siteDepth = depth
                siteName = Self.attribute("name", count: attributeCount, attributes: attributes) ?? ""
                report.siteNames.append(siteName)
                // ZAP names every site: its alerts would be findings of a site nobody can name
                // in a rule, a waiver or a baseline.
                if siteName.zapTrimmed.isEmpty {
                    fail(
                        line: line, "<site> without a name: ZAP names every site it scanned (<site name=\"https://…\">)"
                    )
                }
            } else if element == .alertItem {
                // ZAP writes every alert inside the <site> it was raised on: one outside would
                // otherwise be dropped without a word.
                fail(
                    line: line,
                    "<alertitem> outside any <site>: ZAP writes every alert inside the <site> it was raised on, "
                        + "so this report was edited or not written by ZAP")
            }
            return
        }
        // ZAP never nests these: one inside another would be read as a part of the outer one (a
        // high alert taken for an instance of the info alert around it, a site's alerts for
        // another's), so the report is refused, as one with an alert outside any site is.
        if element == .site {
            fail(
                line: line,
                "<site> inside another <site>: ZAP writes sites side by side, so this report was edited "
                    + "or not written by ZAP")
            return
        }
        if alertDepth < 0 {
            if element == .alerts && depth == siteDepth + 1 { alertsDepth = depth }
            // ZAP writes nothing but alert items in a site's <alerts>: anything else there (an
            // `<AlertItem>`, a renamed element) would be an alert dropped without a word.
            if alertsDepth >= 0 && depth == alertsDepth + 1 && element != .alertItem {
                let name = String(cString: UnsafeRawPointer(localName).assumingMemoryBound(to: CChar.self))
                fail(
                    line: line,
                    "<\(name)> in a site's <alerts>: ZAP writes only <alertitem> there, so this report was edited "
                        + "or not written by ZAP")
                return
            }
            if element == .alertItem {
                alertDepth = depth
                alertLine = line
                alert = ZAPRawAlert()
                alert.site = siteName
            }
            return
        }
        if element == .alertItem {
            fail(
                line: line,
                "<alertitem> inside another <alertitem>: ZAP writes alert items side by side, so this "
                    + "report was edited or not written by ZAP")
            return
        }
        if element == .instance && (instanceDepth >= 0 || depth != alertDepth + 2) {
            fail(
                line: line,
                "<instance> outside an alert item's <instances>: ZAP writes each instance there, so this "
                    + "report was edited or not written by ZAP")
            return
        }
        if instanceDepth >= 0 {
            if depth == instanceDepth + 1 {
                switch element {
                case .uri, .method, .param, .attack, .evidence, .otherInfo: beginCapture(element)
                case .requestResponse: report.hasRequestResponseFields = true
                default: break
                }
            }
            return
        }
        if element == .instance {
            instanceDepth = depth
            instance = ZAPRawInstance()
            instanceFieldsSeen = 0
            return
        }
        guard depth == alertDepth + 1 else { return }
        switch element {
        case .pluginID, .alertRef, .alert, .name, .riskCode, .confidence, .description, .solution, .otherInfo,
            .reference, .cweID, .count, .uri, .method, .param, .attack, .evidence:
            beginCapture(element)
        default: break
        }
    }

    mutating func endElement() {
        guard failure == nil else { return }
        defer { depth -= 1 }
        if depth == captureDepth {
            endCapture()
        } else if depth == instanceDepth {
            alert.instances.append(instance)
            instanceDepth = -1
        } else if depth == alertDepth {
            endAlert()
        } else if depth == alertsDepth {
            alertsDepth = -1
        } else if depth == siteDepth {
            siteDepth = -1
        }
    }

    mutating func characters(_ bytes: UnsafePointer<UInt8>, count: Int) {
        guard captureDepth >= 0 else { return }
        text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
    }

    private mutating func beginCapture(_ element: ZAPXMLElement) {
        captured = element
        captureDepth = depth
        captureLine = line
        text.removeAll(keepingCapacity: true)
    }

    private mutating func endCapture() {
        let value = String(decoding: text, as: UTF8.self)
        captureDepth = -1
        // Every field read is single-valued: a second one would silently replace the first (a
        // second <uri> moves the finding, a second <name> renames it), so a repeat is refused,
        // as a JSON report's repeated member name is. No ZAP version writes one.
        let fieldBit = captured.fieldBit
        let seenFields = instanceDepth >= 0 ? instanceFieldsSeen : alertFieldsSeen
        guard seenFields & fieldBit == 0 else {
            fail(
                line: captureLine,
                "<\(instanceDepth >= 0 ? "instance" : "alertitem")> has <\(captured.elementName)> twice")
            return
        }
        if instanceDepth >= 0 { instanceFieldsSeen |= fieldBit } else { alertFieldsSeen |= fieldBit }
        if instanceDepth >= 0 {
            switch captured {
            case .uri: instance.uri = value
            case .method: instance.method = value
            case .param: instance.param = value
            case .attack: instance.attack = value
            case .evidence: instance.evidence = value
            case .otherInfo: instance.otherInfo = value
            default: break
            }
            return
        }
        switch captured {
        case .pluginID: alert.pluginID = value.zapTrimmedString
        case .alertRef: alert.alertRef = value.zapTrimmedString
        case .alert: alert.alert = value
        case .name: alert.name = value
        case .riskCode:
            guard let code = ZAPRawAlert.riskCode(value) else {
                fail(line: captureLine, "<riskcode> must be -1, 0, 1, 2 or 3, found \"\(value.zapTrimmed.prefix(40))\"")
                return
            }
            alert.riskCode = code
        case .confidence:
            guard value.zapTrimmed.isEmpty || ZAPRawAlert.confidence(value) != nil else {
                fail(
                    line: captureLine, "<confidence> must be 0, 1, 2, 3 or 4, found \"\(value.zapTrimmed.prefix(40))\"")
                return
            }
            alert.confidence = ZAPRawAlert.confidence(value)
        case .description: alert.description = value
        case .solution: alert.solution = value
        case .otherInfo: alert.otherInfo = value
        case .reference: alert.reference = value
        case .cweID: alert.cweID = value
        case .count: alert.count = value
        case .uri: flatInstance.uri = value
        case .method: flatInstance.method = value
        case .param: flatInstance.param = value
        case .attack: flatInstance.attack = value
        case .evidence: flatInstance.evidence = value
        default: break
        }
        if captured == .uri || captured == .method { alertIsFlat = true }
    }

    /// The fields read so far in the current alert item and instance, one bit per element.
    private var alertFieldsSeen: UInt32 = 0
    private var instanceFieldsSeen: UInt32 = 0
    private var alertIsFlat = false
    private var flatInstance = ZAPRawInstance()

    private mutating func endAlert() {
        alertDepth = -1
        defer {
            alertFieldsSeen = 0
            alertIsFlat = false
            flatInstance = ZAPRawInstance()
        }
        guard alertFieldsSeen & ZAPXMLElement.riskCode.fieldBit != 0 else {
            fail(line: alertLine, "<alertitem> \(alert.ruleID) has no <riskcode>")
            return
        }
        // ZAP names every alert's rule: alerts without one would be one finding of the rule "",
        // each but the first merged away.
        guard !alert.ruleID.isEmpty else {
            fail(
                line: alertLine,
                "<alertitem> \"\(alert.title.prefix(80))\" has no <pluginid> nor <alertRef>: ZAP names the rule of "
                    + "every alert")
            return
        }
        if alertIsFlat {
            // In the 2.7 layout the alert-level otherinfo belongs to this one URL.
            flatInstance.otherInfo = alert.otherInfo
            alert.flatInstance = flatInstance
            report.hasFlatAlertItems = true
        }
        report.alerts.append(alert)
    }

    /// The value of attribute `name` in SAX2's attribute array (5 pointers per attribute:
    /// local name, prefix, URI, value start, value end).
    private static func attribute(
        _ name: StaticString, count: Int, attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    ) -> String? {
        guard let attributes else { return nil }
        for index in 0..<count {
            guard let localName = attributes[5 * index], let start = attributes[5 * index + 3],
                let end = attributes[5 * index + 4]
            else { continue }
            let length = strlen(UnsafeRawPointer(localName).assumingMemoryBound(to: CChar.self))
            guard length == name.utf8CodeUnitCount, memcmp(localName, name.utf8Start, length) == 0 else { continue }
            return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
        return nil
    }
}

/// The C callbacks: no captures, the state comes through libxml2's user-data pointer.
enum ZAPXMLCallbacks {
    static let structuredError: xmlStructuredErrorFunc = { userData, error in
        guard let state = parseState(userData), let error else { return }
        // Warnings (a relative namespace URI…) do not make the report unreadable.
        guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        // One line: libxml2 puts the offending bytes of an encoding error on a second line.
        message = message.split(whereSeparator: \.isNewline).map { String($0.zapTrimmed) }.filter { !$0.isEmpty }
            .joined(separator: "; ")
        if error.pointee.code == Int32(XML_ERR_RESERVED_XML_NAME.rawValue) {
            message += " (something, e.g. a comment, precedes the <?xml ...?> declaration)"
        } else if error.pointee.code == Int32(XML_ERR_UNDECLARED_ENTITY.rawValue) {
            message += " (entity references are refused: ZAP reports contain none)"
        }
        let line = error.pointee.line > 0 ? Int(error.pointee.line) : nil
        let current = state.pointee.line
        state.pointee.fail(
            line: line ?? (current > 0 ? current : nil), "invalid XML: " + message, stoppingParser: false)
    }

    static var handler: xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { userData, localName, _, _, _, _, attributeCount, _, attributes in
            guard let state = parseState(userData), let localName else { return }
            state.pointee.startElement(localName, attributeCount: Int(attributeCount), attributes: attributes)
        }
        handler.endElementNs = { userData, _, _, _ in
            parseState(userData)?.pointee.endElement()
        }
        handler.characters = { userData, bytes, count in
            guard let bytes, count > 0 else { return }
            parseState(userData)?.pointee.characters(bytes, count: Int(count))
        }
        handler.cdataBlock = handler.characters
        handler.internalSubset = { userData, _, _, _ in
            guard let state = parseState(userData) else { return }
            state.pointee.fail(
                line: state.pointee.line,
                "refusing a document with a DOCTYPE declaration: ZAP never writes one, and DTDs enable XXE "
                    + "and entity-expansion attacks")
        }
        handler.reference = { userData, name in
            guard let state = parseState(userData) else { return }
            let entity = name.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) } ?? ""
            state.pointee.fail(
                line: state.pointee.line, "refusing the entity reference &\(entity);: ZAP reports contain none")
        }
        handler.serror = structuredError
        return handler
    }
}

/// The reader's state behind libxml2's user-data pointer.
private func parseState(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<ZAPXMLParseState>? {
    pointer?.assumingMemoryBound(to: ZAPXMLParseState.self)
}

extension String {
    /// Trimmed, as a String.
    fileprivate var zapTrimmedString: String { String(zapTrimmed) }
}
