import COpenSSL
import Foundation

/// What makes two findings the same finding.
///
/// - `scope`: the scanned artifact. `image:<repository>` for an image (never the tag or digest),
///   `source` for the project's own source tree (Trivy fs/repo scans and npm audit both land
///   here, so they merge), `k8s:<namespace>/<kind>/<name>` for a cluster resource,
///   `site:<origin>` for a web scan.
/// - `primaryID`: the finding's primary id (filled in by ``Finding/finalized()``).
/// - `subject`: what the finding is about inside the scope: `[ecosystem, package, version]`
///   for dependency vulnerabilities, `[path, resource]` for misconfigurations,
///   `[url, method, parameter]` for web alerts.
///
/// Never put line numbers, tags, digests, timestamps or report file names in here.
public struct FindingIdentity: Sendable, Hashable {
    public var kind: FindingKind
    public var scope: String
    public var primaryID: String
    public var subject: [String]

    public init(kind: FindingKind, scope: String, primaryID: String = "", subject: [String]) {
        self.kind = kind
        self.scope = scope
        self.primaryID = primaryID
        self.subject = subject
    }

    func withPrimaryID(_ id: String) -> FindingIdentity {
        var copy = self
        copy.primaryID = id
        return copy
    }

    /// The scope of a scanned image: its repository, without tag or digest, in one spelling
    /// (``ImageReference/canonicalRepository``), so that `alpine` and `docker.io/library/alpine`
    /// are one image to fingerprints, baselines and SARIF alerts.
    public static func imageScope(_ image: ImageReference) -> String { imageScopePrefix + image.canonicalRepository }
    /// What every image's scope begins with.
    public static let imageScopePrefix = "image:"
    /// What every web site's scope begins with (`site:https://app.example`, a ZAP site).
    public static let siteScopePrefix = "site:"
    /// The scope shared by every scan of the project's own source tree.
    public static let sourceScope = "source"
}

/// The stable fingerprint of a finding: SHA-256 over its identity, hex.
public enum Fingerprint {
    /// Bumped if the identity rules ever change, so old and new fingerprints never collide silently.
    public static let version = "scangate/v1"

    public static func compute(_ identity: FindingIdentity) -> String {
        // The fields joined with NUL separators, built in one buffer: this runs once per finding.
        // A field's own NUL (a report can hold `\u0000` in a string) is written 0x01 0x30 and its
        // 0x01 as 0x01 0x01, so no field runs into the next (`a\0` + `b` and `a` + `\0b` collided:
        // two findings, one fingerprint); a field with neither byte, which is every field of a
        // real report, is written as it is, so fingerprints did not change.
        var material: [UInt8] = []
        material.reserveCapacity(
            version.utf8.count + identity.kind.rawValue.utf8.count + identity.scope.utf8.count
                + identity.primaryID.utf8.count + identity.subject.reduce(0) { $0 + $1.utf8.count + 1 } + 3)
        material.append(contentsOf: version.utf8)
        func append(_ field: String) {
            material.append(0)
            guard field.utf8.contains(where: { $0 <= 0x01 }) else {
                material.append(contentsOf: field.utf8)
                return
            }
            for byte in field.utf8 {
                switch byte {
                case 0x00: material.append(contentsOf: [0x01, 0x30])
                case 0x01: material.append(contentsOf: [0x01, 0x01])
                default: material.append(byte)
                }
            }
        }
        append(identity.kind.rawValue)
        append(identity.scope)
        append(identity.primaryID)
        for field in identity.subject { append(field) }
        return sha256Hex(material)
    }

    /// Whether `text` has the form of a fingerprint: 64 lower-case hex digits.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// SHA-256 of `bytes`, lower-case hex.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(SHA256_DIGEST_LENGTH)) { digest in
            bytes.withUnsafeBufferPointer { buffer in FetchedSHA256.compute(buffer, into: digest) }
            return String(unsafeUninitializedCapacity: digest.count * 2) { text in
                let hex: StaticString = "0123456789abcdef"
                for (index, byte) in digest.enumerated() {
                    text[2 * index] = hex.utf8Start[Int(byte >> 4)]
                    text[2 * index + 1] = hex.utf8Start[Int(byte & 0x0F)]
                }
                return digest.count * 2
            }
        }
    }
}

/// SHA-256 through an implementation fetched once. OpenSSL 3's one-shot `SHA256()` looks the
/// algorithm up by name and allocates a context on every call: a third of a fingerprint's cost.
private enum FetchedSHA256 {
    /// Immutable once fetched, and OpenSSL allows sharing it between threads.
    nonisolated(unsafe) private static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// Writes the 32-byte digest of `input` to `output`.
    static func compute(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        if let algorithm, EVP_Digest(input.baseAddress, input.count, output.baseAddress, nil, algorithm, nil) == 1 {
            return
        }
        _ = SHA256(input.baseAddress, input.count, output.baseAddress)
    }
}

/// An id with its order key (``Identifiers/idOrderKey(_:)``) built once: compares in the order
/// of ``Identifiers/precedesInIDOrder(_:_:)`` (the key's bytes, then the text), so a list of
/// many ids sorts without building two keys for every comparison.
public struct IDOrder: Comparable, Sendable {
    public let id: String
    public let key: [UInt8]

    public init(_ id: String) {
        self.id = id
        key = Identifiers.idOrderKey(id)
    }

    public static func < (lhs: IDOrder, rhs: IDOrder) -> Bool {
        lhs.key != rhs.key ? lhs.key.lexicographicallyPrecedes(rhs.key) : lhs.id < rhs.id
    }
}

/// Recognises and normalises vulnerability identifiers, and finds them in URLs.
public enum Identifiers {
    /// Whether id `lhs` comes before `rhs` where ids are listed: text order, except that a run of
    /// digits compares as the number it is, so `CVE-2015-2133` comes before `CVE-2015-10235` (in
    /// text order "1" < "2" puts every five-digit CVE of a year first). Ids equal as numbers but
    /// with other leading zeros (`R01`, `R1`) fall back to text order: the order is total.
    /// Sorting many ids: ``IDOrder`` builds each id's key once instead of on every comparison.
    public static func precedesInIDOrder(_ lhs: String, _ rhs: String) -> Bool {
        IDOrder(lhs) < IDOrder(rhs)
    }

    /// Bytes whose byte order is the id order of ``precedesInIDOrder(_:_:)`` (before its text
    /// tie-break): the id's UTF-8, each run of digits written as its length without leading
    /// zeros, then those digits. The length is one byte `0`…`8` (0x30 + length), or `9` and a
    /// byte holding the length from 9 on: a digit character, so a number sorts among other
    /// characters where a digit does, and shorter numbers first. A non-ASCII id is taken in its
    /// canonical composed form (NFC), so ids Swift holds equal (`é` precomposed or not) have one
    /// key and the order stays consistent with String equality.
    public static func idOrderKey(_ id: String) -> [UInt8] {
        let isASCII = id.utf8.allSatisfy { $0 < 0x80 }
        let id = isASCII ? id : id.precomposedStringWithCanonicalMapping
        var key: [UInt8] = []
        key.reserveCapacity(id.utf8.count + 4)
        // The current run of digits, leading zeros skipped: its significant digits are kept in
        // `key` as they come and its length byte is inserted in front of them when it ends.
        var runStart = -1
        var inRun = false
        func endRun() {
            guard inRun else { return }
            let significant = key.count - runStart
            if significant < 9 {
                key.insert(0x30 + UInt8(significant), at: runStart)
            } else {
                key.insert(contentsOf: [0x39, UInt8(min(significant, 255))], at: runStart)
            }
            inRun = false
        }
        for byte in id.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                if !inRun {
                    inRun = true
                    runStart = key.count
                }
                // A zero before any other digit of the run is a leading zero: dropped.
                if byte == 0x30 && key.count == runStart { continue }
                key.append(byte)
            } else {
                endRun()
                key.append(byte)
            }
        }
        endRun()
        return key
    }

    /// `CVE-2021-23337` (upper case).
    public static func isCVE(_ id: String) -> Bool {
        // CVE-YYYY-NNNN…: a cheap byte check, this runs for every id of every finding.
        guard id.utf8.count >= 13 else { return false }
        var id = id
        return id.withUTF8 { bytes in
            guard bytes[0] == 0x43, bytes[1] == 0x56, bytes[2] == 0x45, bytes[3] == 0x2D, bytes[8] == 0x2D else {
                return false
            }
            for index in 4..<bytes.count where index != 8 {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return false }
            }
            return true
        }
    }

    /// `GHSA-35jh-r3h4-6jhm`.
    public static func isGHSA(_ id: String) -> Bool {
        guard id.utf8.count == 19 else { return false }
        var id = id
        return id.withUTF8 { bytes in
            guard bytes[0] == 0x47, bytes[1] == 0x48, bytes[2] == 0x53, bytes[3] == 0x41, bytes[4] == 0x2D,
                bytes[9] == 0x2D, bytes[14] == 0x2D
            else { return false }
            for index in 5..<19 where index != 9 && index != 14 {
                guard ReferenceScanner.isIDByte(bytes[index]), bytes[index] != 0x2D else { return false }
            }
            return true
        }
    }

    /// An npm advisory id as ScanGate writes it: `npm:1094102`.
    public static func npmAdvisory(_ number: String) -> String { "npm:" + number }

    /// Normalises case (`cve-2021-1` → `CVE-2021-1`, `ghsa-ABCD-…` → `GHSA-abcd-…`) and trims.
    public static func normalize(_ id: String) -> String {
        // Already normal (nearly every id): no copies.
        var copy = id
        if isCVE(id) || (isGHSA(id) && !copy.withUTF8 { $0[5...].contains { $0 >= 0x41 && $0 <= 0x5A } }) {
            return id
        }
        let trimmed = id.trimmingSpaces
        // Case mapping only for what starts like a CVE or GHSA id in some case (ZAP's `10020-1`,
        // npm's `npm:1094102` and rule names never need it).
        let head = trimmed.utf8.prefix(5).map(ReferenceScanner.lowercased)
        if head.starts(with: "cve-".utf8) {
            let upper = trimmed.uppercased()
            if isCVE(upper) { return upper }
        } else if head.elementsEqual("ghsa-".utf8) {
            let ghsa = "GHSA-" + trimmed.dropFirst(5).lowercased()
            if isGHSA(ghsa) { return ghsa }
        }
        return trimmed
    }

    /// Normalised, de-duplicated, sorted ids (empty ones dropped).
    public static func normalizedSet(_ ids: [String]) -> [String] {
        var normalized = ids.map(normalize)
        if normalized.contains(where: \.isEmpty) { normalized.removeAll(where: \.isEmpty) }
        return normalized.sortedUnique()
    }

    /// The primary id among `ids`: the oldest CVE, else the first GHSA, else `fallback`.
    public static func preferredPrimary(_ ids: [String], fallback: String) -> String {
        // The oldest CVE: the smallest (year, number), the first of equals in `ids` order.
        var oldest: (id: String, year: Int, number: Int)?
        for id in ids where isCVE(id) {
            let parts = cveYearAndNumber(id)
            if let known = oldest, (known.year, known.number) <= (parts.year, parts.number) { continue }
            oldest = (id, parts.year, parts.number)
        }
        if let oldest { return oldest.id }
        if let ghsa = ids.filter(isGHSA).min() { return ghsa }
        let normalizedFallback = normalize(fallback)
        return normalizedFallback.isEmpty ? (ids.first ?? "") : normalizedFallback
    }

    /// The year and number of an id that ``isCVE(_:)`` accepts (`CVE-2021-23337` → 2021, 23337);
    /// a number too large for `Int` counts as 0, as `Int(_:)` of the text made it before.
    private static func cveYearAndNumber(_ id: String) -> (year: Int, number: Int) {
        func value(_ digits: Substring.UTF8View) -> Int {
            var value = 0
            for digit in digits {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times10.addingReportingOverflow(Int(digit - 0x30))
                if overflow || carry { return 0 }
                value = sum
            }
            return value
        }
        let text = Substring(id)
        return (value(text.utf8.dropFirst(4).prefix(4)), value(text.utf8.dropFirst(9)))
    }

    /// The aliases a finding's reference URLs add to the ids its tool gave (`given`): of each
    /// kind of id (CVE, GHSA, npm advisory), the one id the references name, unless the tool
    /// gave an id of that kind itself or the references name several ids of that kind.
    ///
    /// A reference list links related vulnerabilities as well as the finding's own records
    /// (Trivy lists the CVE records of earlier flaws in the same package; an npm advisory links
    /// other projects' advisories), and a wrong alias renames a finding, merges two different
    /// vulnerabilities, and lets a waiver or VEX statement for one of them hide the other.
    public static func aliases(inReferences references: [String], besides given: [String]) -> [String] {
        // One slot per kind, no collections: this runs for every finding of a 100 MB report.
        var cve = ReferenceIDSlot()
        var ghsa = ReferenceIDSlot()
        var npm = ReferenceIDSlot()
        func update(_ kind: ReferenceIDKind, _ change: (inout ReferenceIDSlot) -> Void) {
            switch kind {
            case .cve: change(&cve)
            case .ghsa: change(&ghsa)
            case .npmAdvisory: change(&npm)
            }
        }
        for id in given {
            if let kind = ReferenceIDKind(of: normalize(id)) { update(kind) { $0.givenByTool = true } }
        }
        for reference in references {
            for id in ids(inReference: reference) {
                if let kind = ReferenceIDKind(of: id) { update(kind) { $0.add(id) } }
            }
        }
        return [cve, ghsa, npm].compactMap(\.alias)
    }

    /// Ids that a reference URL names authoritatively: GitHub advisory pages
    /// (`github.com/advisories/GHSA-…`, `…/security/advisories/GHSA-…`), CVE records
    /// (`nvd.nist.gov/vuln/detail/CVE-…`, `cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-…`,
    /// `www.cve.org/CVERecord?id=CVE-…`) and npm advisory pages (`npmjs.com/advisories/N`).
    ///
    /// Other URLs that merely mention an id (a mailing-list thread about a related CVE) are
    /// ignored: a wrong alias would merge two different vulnerabilities.
    public static func ids(inReference url: String) -> [String] {
        // Byte-level, ASCII case-insensitive search (lower-cased once into a temporary buffer,
        // then memchr): this runs for every reference of every finding, and Foundation's
        // range(of:) dominated a 100 MB ingest.
        ReferenceScanner.withLowercasedBytes(url, ids(inLowercasedReference:))
    }

    private static func ids(inLowercasedReference bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var found: [String] = []
        // The bytes are lower-cased already: an id is written in its normal case straight away
        // (`GHSA-` and a lower-case body; a CVE upper-case), as `normalize` would write it.
        if let end = ReferenceScanner.endOfMarker("/advisories/ghsa-", in: bytes) {
            let body = bytes[end..<min(bytes.count, end + 14)]
            let candidate = String(unsafeUninitializedCapacity: 5 + body.count) { text in
                for (index, byte) in "GHSA-".utf8.enumerated() { text[index] = byte }
                for (index, byte) in body.enumerated() { text[5 + index] = byte }
                return 5 + body.count
            }
            if isGHSA(candidate) { found.append(candidate) }
        }
        for marker in ReferenceScanner.cveMarkers {
            if let end = ReferenceScanner.endOfMarker(marker, in: bytes) {
                let tail = bytes[end...].prefix { ReferenceScanner.isIDByte($0) }
                let candidate = String(unsafeUninitializedCapacity: tail.count) { text in
                    for (index, byte) in tail.enumerated() { text[index] = ReferenceScanner.uppercased(byte) }
                    return tail.count
                }
                if isCVE(candidate) { found.append(candidate) }
            }
        }
        for marker in ReferenceScanner.npmMarkers {
            if let end = ReferenceScanner.endOfMarker(marker, in: bytes) {
                let number = bytes[end...].prefix { $0 >= 0x30 && $0 <= 0x39 }
                if !number.isEmpty { found.append(npmAdvisory(String(decoding: number, as: UTF8.self))) }
            }
        }
        return found
    }

    /// `CWE-79` from `CWE-79`, `cwe-79`, `79`, `external/cwe/cwe-079`; nil for `NVD-CWE-Other`,
    /// `CWE-`, `-1`, `0` and anything else without a positive number.
    public static func cwe(_ raw: String) -> String? { cweNumber(raw).map { "CWE-\($0)" } }

    /// The number of the CWE that `raw` names (see ``cwe(_:)``).
    static func cweNumber(_ raw: String) -> Int? {
        ReferenceScanner.withLowercasedBytes(raw, cweNumber(inLowercased:))
    }

    private static func cweNumber(inLowercased bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        func number(from start: Int) -> Int? {
            let digits = bytes[start...].prefix(while: isDigit)
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            return value > 0 ? value : nil
        }
        // Only digits, spaces and tabs, and at least one digit: a bare number.
        if bytes.contains(where: isDigit), bytes.allSatisfy({ isDigit($0) || $0 == 0x20 || $0 == 0x09 }) {
            return number(from: bytes.firstIndex(where: isDigit) ?? 0)
        }
        // "CWE-79", "cwe-79: Cross-site Scripting", "external/cwe/cwe-079"; never "NVD-CWE-Other".
        guard let markerEnd = ReferenceScanner.endOfMarker("cwe-", in: bytes) else { return nil }
        let markerStart = markerEnd - 4
        if markerStart >= 4, Array(bytes[(markerStart - 4)..<markerStart]) == Array("nvd-".utf8) { return nil }
        return markerEnd < bytes.count ? number(from: markerEnd) : nil
    }

    /// Normalised CWE ids, de-duplicated and sorted by number.
    public static func normalizedCWEs(_ raw: [String]) -> [String] {
        // Most lists are already `CWE-<n>`, ascending, each once: returned as they are.
        if isNormalizedCWEList(raw) { return raw }
        return raw.compactMap(cweNumber).sortedUnique().map { "CWE-\($0)" }
    }
}

extension Identifiers {
    /// Whether every entry is `CWE-<n>` (no leading zero, at most 9 digits) with the numbers
    /// strictly ascending: what ``normalizedCWEs(_:)`` would return for the list.
    static func isNormalizedCWEList(_ raw: [String]) -> Bool {
        let prefix: StaticString = "CWE-"
        var previous = 0
        for entry in raw {
            var number = 0
            var digits = 0
            var index = 0
            for byte in entry.utf8 {
                defer { index += 1 }
                if index < 4 {
                    guard byte == prefix.utf8Start[index] else { return false }
                    continue
                }
                guard byte >= 0x30 && byte <= 0x39, !(digits == 0 && byte == 0x30), digits < 9 else { return false }
                number = number * 10 + Int(byte - 0x30)
                digits += 1
            }
            guard digits > 0, number > previous else { return false }
            previous = number
        }
        return true
    }
}

/// ASCII helpers for scanning reference URLs.
enum ReferenceScanner {
    /// The index just past the first occurrence of `marker` (lower-case ASCII) in `haystack`,
    /// which the caller has lower-cased (ASCII) for a case-insensitive search.
    static func endOfMarker(_ marker: StaticString, in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = marker.utf8CodeUnitCount
        guard count > 0, haystack.count >= count, let base = haystack.baseAddress else { return nil }
        let pattern = marker.utf8Start
        // memchr to each candidate first byte, memcmp for the rest (memmem is not in Glibc's
        // Swift module).
        var from = 0
        while from + count <= haystack.count {
            guard let hit = memchr(base + from, Int32(pattern[0]), haystack.count - count + 1 - from) else {
                return nil
            }
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at + 1, pattern + 1, count - 1) == 0 { return at + count }
            from = at + 1
        }
        return nil
    }

    /// The reference URLs that name a CVE, and those that name an npm advisory.
    static let cveMarkers: [StaticString] = ["nvd.nist.gov/vuln/detail/", "cvename.cgi?name=", "cve.org/cverecord?id="]
    static let npmMarkers: [StaticString] = ["npmjs.com/advisories/", "nodesecurity.io/advisories/"]

    /// Calls `body` with the UTF-8 bytes of `text`, ASCII letters lower-cased, in a temporary
    /// buffer (on the stack when small): this runs for every reference URL of every finding.
    static func withLowercasedBytes<Result>(
        _ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        var text = text
        return text.withUTF8 { source in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: source.count) { buffer in
                for index in source.indices { buffer[index] = lowercased(source[index]) }
                return body(UnsafeBufferPointer(buffer))
            }
        }
    }

    static func uppercased(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isGHSACharacter: Bool { isASCII && (isNumber || isLetter) }
}

extension String {
    var trimmingSpaces: String {
        // Fast path: most ids have nothing to trim.
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first > 0x20 && last > 0x20 { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// The kinds of id a reference URL can name (``Identifiers/ids(inReference:)``).
enum ReferenceIDKind: Hashable {
    case cve
    case ghsa
    case npmAdvisory

    /// The kind of a normalised id; nil for any other id (a vendor advisory, a rule name).
    init?(of id: String) {
        if Identifiers.isCVE(id) {
            self = .cve
        } else if Identifiers.isGHSA(id) {
            self = .ghsa
        } else if id.hasPrefix(Identifiers.npmAdvisory("")) {
            self = .npmAdvisory
        } else {
            return nil
        }
    }
}

/// What the references of one finding name of one kind of id.
struct ReferenceIDSlot {
    /// The tool gave an id of this kind itself: references do not add another.
    var givenByTool = false
    var id: String?
    /// The references name more than one id of this kind.
    var ambiguous = false

    mutating func add(_ named: String) {
        if let id, id != named { ambiguous = true }
        id = named
    }

    /// The alias the references add: their one id of this kind, when the tool gave none.
    var alias: String? { givenByTool || ambiguous ? nil : id }
}
