import Findings

/// Aliases that stand for more than one vulnerability among the findings gated together.
///
/// Trivy reads aliases from references: CVE-2022-0001 (critical) and CVE-2022-0002 (low) of one
/// package whose references both link the advisory GHSA-x both have GHSA-x as an alias. A
/// waiver, OpenVEX statement or relaxing rule written for GHSA-x, meant for one of them, would
/// take out both. Merging (``FindingSet``) and the baseline (``ContinuityIndex``) already keep
/// such findings apart; here an alias contested like that names neither of them when something
/// relaxes the gate: only a finding's own id (``Finding/ruleID``) and its uncontested aliases
/// do. Rules that fail a finding and statements that keep it in still match every alias.
///
/// What an alias stands for is known when a finding has it as its own id (npm audit's record of
/// GHSA-x, naming the CVEs it covers): a finding bearing it is then contested only when it
/// claims a CVE (``Finding/claimedCVEs``) that record does not cover, and one advisory of two
/// CVEs names the findings of either. Otherwise the findings bearing it say what it is, and it is
/// contested when they claim different CVEs, more than one between them.
struct ContestedIDs {
    /// Per finding (by position in the list given), the keys (``Waiver/idKey(_:)``) of its
    /// contested aliases.
    private var byFinding: [Int: Set<String>] = [:]
    /// Per contested key, every CVE the findings bearing it claim, sorted.
    private var claimedByKey: [String: [String]] = [:]
    /// The claimed CVEs of each finding with a contested alias.
    private var claimedByFinding: [Int: Set<String>] = [:]

    static let none = ContestedIDs()

    private init() {}

    init(_ findings: [Finding]) {
        // Who bears each alias (not as its own id), then who has it as its own id: one pass each,
        // and claimed CVEs only for findings that share an alias with another.
        var bearers: [String: [Int]] = [:]
        for (position, finding) in findings.enumerated() where !finding.aliases.isEmpty {
            let own = Waiver.idKey(finding.ruleID)
            for key in Set(finding.aliases.map(Waiver.idKey)) where key != own {
                bearers[key, default: []].append(position)
            }
        }
        guard !bearers.isEmpty else { return }
        var owners: [String: [Int]] = [:]
        for (position, finding) in findings.enumerated() {
            let own = Waiver.idKey(finding.ruleID)
            if bearers[own] != nil { owners[own, default: []].append(position) }
        }
        var claimed: [Int: Set<String>] = [:]
        func claims(_ position: Int) -> Set<String> {
            if let known = claimed[position] { return known }
            let cves = findings[position].claimedCVEs
            claimed[position] = cves
            return cves
        }
        // In key order, so that nothing here depends on the hash seed.
        for key in bearers.keys.sorted() {
            let positions = bearers[key] ?? []
            let everyOne = positions + (owners[key] ?? [])
            guard everyOne.count > 1 else { continue }
            var covered = Set<String>()
            for owner in owners[key] ?? [] { covered.formUnion(claims(owner)) }
            var union = covered
            var distinct = Set<Set<String>>()
            for position in everyOne {
                let cves = claims(position)
                union.formUnion(cves)
                if !cves.isEmpty { distinct.insert(cves) }
            }
            guard union.count > 1 else { continue }
            var anyContested = false
            for position in positions {
                let own = claims(position)
                let isContested =
                    covered.isEmpty ? distinct.contains { $0 != own } : !own.isSubset(of: covered)
                guard isContested else { continue }
                byFinding[position, default: []].insert(key)
                claimedByFinding[position] = own
                anyContested = true
            }
            if anyContested { claimedByKey[key] = union.sorted() }
        }
    }

    var isEmpty: Bool { byFinding.isEmpty }

    /// The keys of the finding's contested aliases.
    func keys(ofFindingAt position: Int) -> Set<String> { byFinding[position] ?? [] }

    /// The finding's own id and its aliases that are not contested: the ids by which a waiver,
    /// OpenVEX statement or relaxing rule names it.
    func relaxingIDs(of finding: Finding, at position: Int) -> [String] {
        guard let contested = byFinding[position] else { return [finding.ruleID] + finding.aliases }
        return [finding.ruleID] + finding.aliases.filter { !contested.contains(Waiver.idKey($0)) }
    }

    /// Whether `id` is a contested alias of the finding.
    func isContested(_ id: String, forFindingAt position: Int) -> Bool {
        byFinding[position]?.contains(Waiver.idKey(id)) ?? false
    }

    /// Every CVE the findings bearing the contested `id` claim, sorted (empty when `id` is not
    /// contested for any finding).
    func claimed(by id: String) -> [String] { claimedByKey[Waiver.idKey(id)] ?? [] }

    /// The note under a finding that `what` (`waiver …`, `OpenVEX statement …`) names by the
    /// contested alias `id` only: `… names GHSA-x, which CVE-2022-0002 here has too: an id of
    /// more than one vulnerability, not applied (to waive this one, name CVE-2022-0001)`. Nil
    /// when `id` is not contested for the finding.
    func note(_ what: String, names id: String, finding: Finding, at position: Int, verb: String) -> String? {
        guard isContested(id, forFindingAt: position) else { return nil }
        let own = claimedByFinding[position] ?? []
        // The first three others and how many: thousands of findings can share one alias.
        var others: [String] = []
        var count = 0
        for cve in claimed(by: id) where !own.contains(cve) {
            count += 1
            if others.count < 3 { others.append(cve) }
        }
        let who =
            others.isEmpty
            ? "other findings here have"
            : others.joined(separator: ", ") + (count > 3 ? " and \(count - 3) more" : "") + " here "
                + (count == 1 ? "has" : "have")
        return "\(what) names \(id), which \(who) too: an id of more than one vulnerability, not applied (to \(verb) "
            + "this one, name \(finding.ruleID))"
    }

    /// The warning that `what` named findings by the contested alias `id` only, so applied to
    /// none: `… applies to no finding: GHSA-x is an id of several vulnerabilities here
    /// (CVE-2022-0001, CVE-2022-0002): name the one it is for`.
    func warning(_ what: String, names id: String) -> String {
        let cves = claimed(by: id)
        let listed = cves.prefix(3).joined(separator: ", ") + (cves.count > 3 ? " and \(cves.count - 3) more" : "")
        return "\(what) applies to no finding: \(id) is an id of several vulnerabilities here (\(listed)): name the "
            + "one it is for"
    }
}
