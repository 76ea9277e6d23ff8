import Findings
import TestSupport
import Testing

/// The per-finding list helpers were rewritten to allocate less; these compare each with a
/// plain statement of what it must return, over generated inputs.
@Suite struct ListHelperTests {
    /// Short lists drawn from a few values, so repeats, ties and already-sorted lists all occur.
    private static func lists(seed: UInt64, count: Int) -> [[String]] {
        var random = SplitMix(seed: seed)
        let pool = ["", "a", "b", "B", "ab", "a\u{301}", "\u{E1}", "https://x.example/1", "https://x.example/10"]
        return (0..<count).map { _ in
            (0..<Int(random.next() % 7)).map { _ in pool[Int(random.next() % UInt64(pool.count))] }
        }
    }

    @Test func sortedUniqueIsTheSortedSetOfTheValues() {
        for list in Self.lists(seed: 7, count: 2_000) {
            let result = list.sortedUnique()
            #expect(result == Array(Set(list)).sorted(), "\(list)")
        }
    }

    /// An order that ties different values (here: by length in characters only, an order
    /// consistent with String equality) must still drop repeats among the tied ones, and keep
    /// every distinct one.
    @Test func sortedUniqueByAnOrderWithTiesKeepsEachValueOnce() {
        for list in Self.lists(seed: 8, count: 2_000) {
            let result = list.sortedUnique { $0.count < $1.count }
            #expect(result.count == Set(list).count, "\(list)")
            #expect(Set(result) == Set(list), "\(list)")
            #expect(zip(result, result.dropFirst()).allSatisfy { $0.count <= $1.count }, "\(list)")
        }
    }

    /// Values larger than 32 bytes are sorted by position, then compacted as small ones: the
    /// same answers.
    @Test func largeValuesSortByTheSameRules() {
        struct Large: Equatable {
            var text: String
            var padding = ""
            var morePadding = ""
        }
        #expect(MemoryLayout<Large>.stride > 32)
        for list in Self.lists(seed: 13, count: 2_000) {
            let large = list.map { Large(text: $0) }
            #expect(large.sortedUnique { $0.text < $1.text }.map(\.text) == list.sortedUnique(), "\(list)")
            let tied = large.sortedUnique { $0.text.count < $1.text.count }
            #expect(tied.count == Set(list).count && Set(tied.map(\.text)) == Set(list), "\(list)")
            #expect(zip(tied, tied.dropFirst()).allSatisfy { $0.text.count <= $1.text.count }, "\(list)")
        }
    }

    @Test func thePrimaryIDIsTheOldestCVEByNumberThenTheFirstGHSA() {
        #expect(Identifiers.preferredPrimary(["CVE-2021-10000", "CVE-2021-9999"], fallback: "x") == "CVE-2021-9999")
        #expect(Identifiers.preferredPrimary(["CVE-2021-0001", "CVE-2020-50000"], fallback: "x") == "CVE-2020-50000")
        // Equal as numbers: the first listed.
        #expect(Identifiers.preferredPrimary(["CVE-2021-01234", "CVE-2021-1234"], fallback: "x") == "CVE-2021-01234")
        // A number too large for Int reads as 0, as Int(_:) of the text did.
        #expect(
            Identifiers.preferredPrimary(["CVE-2021-1234", "CVE-2021-99999999999999999999"], fallback: "x")
                == "CVE-2021-99999999999999999999")
        #expect(
            Identifiers.preferredPrimary(["CVE-2021-1234", "CVE-2021-9223372036854775807"], fallback: "x")
                == "CVE-2021-1234")
        #expect(
            Identifiers.preferredPrimary(["GHSA-xxxx-yyyy-zzzz", "GHSA-aaaa-bbbb-cccc"], fallback: "x")
                == "GHSA-aaaa-bbbb-cccc")
        #expect(Identifiers.preferredPrimary(["npm:1"], fallback: " cve-2021-1234 ") == "CVE-2021-1234")
    }

    /// The order key as its documentation states it, written the plain way: every run of digits
    /// replaced by its length without leading zeros (one byte `0`…`8`, or `9` and a length
    /// byte) and those digits.
    private static func documentedKey(_ id: String) -> [UInt8] {
        var key: [UInt8] = []
        var digits: [UInt8] = []
        func flush() {
            guard !digits.isEmpty else { return }
            let significant = Array(digits.drop { $0 == 0x30 })
            key +=
                significant.count < 9 ? [0x30 + UInt8(significant.count)] : [0x39, UInt8(min(significant.count, 255))]
            key += significant
            digits = []
        }
        for byte in id.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                digits.append(byte)
            } else {
                flush()
                key.append(byte)
            }
        }
        flush()
        return key
    }

    @Test func theIDOrderKeyIsTheDocumentedOne() {
        var random = SplitMix(seed: 9)
        let pieces = ["0", "00", "7", "10", "0012", "123456789", "000000000000", "9999999999", "CVE-", "-", "a", "Z"]
        for _ in 0..<3_000 {
            let id = (0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
                .joined()
            #expect(Identifiers.idOrderKey(id) == Self.documentedKey(id), "\(id)")
        }
        let longRun = String(repeating: "7", count: 300)
        #expect(Identifiers.idOrderKey("R" + longRun) == Self.documentedKey("R" + longRun))
    }
}

@Suite struct InstanceOrderTests {
    /// The documented instance order, written out: uri, method, parameter, attack, evidence and
    /// other info with an absent field read as empty, then an absent field before an empty one.
    private static func precedes(_ lhs: WebInstance, _ rhs: WebInstance) -> Bool {
        let left = [lhs.method, lhs.parameter, lhs.attack, lhs.evidence, lhs.otherInfo]
        let right = [rhs.method, rhs.parameter, rhs.attack, rhs.evidence, rhs.otherInfo]
        if lhs.uri != rhs.uri { return lhs.uri < rhs.uri }
        for (mine, theirs) in zip(left, right) where (mine ?? "") != (theirs ?? "") {
            return (mine ?? "") < (theirs ?? "")
        }
        for (mine, theirs) in zip(left, right) where (mine == nil) != (theirs == nil) { return mine == nil }
        return false
    }

    @Test func aFindingsInstancesAreSortedAndEachKeptOnce() {
        var random = SplitMix(seed: 12)
        func pick(_ values: [String?]) -> String? { values[Int(random.next() % UInt64(values.count))] }
        for _ in 0..<500 {
            let instances = (0..<Int(random.next() % 9)).map { _ in
                WebInstance(
                    uri: pick(["https://a.example/", "https://a.example/x", "https://b.example/"]) ?? "",
                    method: pick([nil, "GET", "POST"]), parameter: pick([nil, "", "q"]),
                    evidence: pick([nil, "", "e"]))
            }
            let finding = Finding(
                kind: .webAlert, ruleID: "10020", title: "t", instances: instances,
                identity: FindingIdentity(kind: .webAlert, scope: "site:a", subject: ["u"])
            ).finalized()
            expectSortedSet(finding.instances, of: instances, by: Self.precedes)
        }
    }
}

@Suite struct LocationOrderTests {
    /// The documented location order, written out as a sort key: every field as text (an
    /// absent one empty; a line as its distance from Int.min in twenty digits, so the text order
    /// is the numeric one, an absent line empty and so first), compared in turn; then an absent
    /// field (the image first) before an empty one.
    private static func precedes(_ lhs: Location, _ rhs: Location) -> Bool {
        func line(_ number: Int?) -> String {
            guard let number else { return "" }
            let digits = String(UInt64(bitPattern: Int64(number)) ^ (1 << 63))
            return String(repeating: "0", count: 20 - digits.count) + digits
        }
        func key(_ location: Location) -> [String] {
            [
                location.image?.repository ?? "", location.image?.tag ?? "", location.image?.digest ?? "",
                location.target ?? "", location.path ?? "", line(location.startLine), line(location.endLine),
                location.resource ?? "", location.url ?? "", location.method ?? "", location.parameter ?? "",
            ]
        }
        func absent(_ location: Location) -> [Bool] {
            [
                location.image == nil, location.image?.tag == nil, location.image?.digest == nil,
                location.target == nil, location.path == nil, location.startLine == nil, location.endLine == nil,
                location.resource == nil, location.url == nil, location.method == nil, location.parameter == nil,
            ]
        }
        if key(lhs) != key(rhs) { return key(lhs).lexicographicallyPrecedes(key(rhs)) }
        for (mine, theirs) in zip(absent(lhs), absent(rhs)) where mine != theirs { return mine }
        return false
    }

    @Test func aFindingsLocationsAreSortedAndEachKeptOnce() {
        var random = SplitMix(seed: 13)
        func pick<Value>(_ values: [Value]) -> Value { values[Int(random.next() % UInt64(values.count))] }
        for _ in 0..<1_000 {
            let locations = (0..<Int(random.next() % 7)).map { _ in
                Location(
                    image: pick([nil, ImageReference(repository: ""), ImageReference(repository: "r", tag: "1")]),
                    target: pick([nil, "", "t"]), path: pick([nil, "", "a/b", "a"]),
                    startLine: pick([nil, 0, 2, 10, -3, -20, Int.min, Int.max, 999_999_999_999, 1_000_000_000_000]),
                    endLine: pick([nil, 4]), url: pick([nil, "", "https://a.example/"]), method: pick([nil, "GET"]))
            }
            let finding = Finding(
                kind: .misconfiguration, ruleID: "AVD-1", title: "t", locations: locations,
                identity: FindingIdentity(kind: .misconfiguration, scope: "s", subject: ["u"])
            ).finalized()
            expectSortedSet(finding.locations, of: locations, by: Self.precedes)
        }
    }
}

/// That `result` holds each of `values` once, in the order `precedes` states.
private func expectSortedSet<Value: Hashable>(
    _ result: [Value], of values: [Value], by precedes: (Value, Value) -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(Set(result) == Set(values), "\(values)", sourceLocation: sourceLocation)
    #expect(result.count == Set(values).count, "\(values)", sourceLocation: sourceLocation)
    let isSorted = zip(result, result.dropFirst()).allSatisfy(precedes)
    #expect(isSorted, "\(result)", sourceLocation: sourceLocation)
}
