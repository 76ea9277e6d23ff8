import Findings

/// Aliases that stand for more than one vulnerability among the findings gated together.
///
/// Trivy reads aliases from references: CVE-2022-0001 (critical) and CVE-2022-0002 (low) of one
/// package whose references both link the advisory GHSA-x both have GHSA-x as an alias. A
/// waiver, OpenVEX statement or relaxing rule written for GHSA-x, meant for one of them, would
/// take out both. Merging (``FindingSet``) and the baseline (``ContinuityIndex``) already keep
/// such findings apart; here an alias contested like that names neither of them when something
/// relaxes the gate: only a finding's own id (``Finding/ruleID``) and its uncontested aliases
/// do. Rules that fail a finding still match every alias (fail-closed).
///
/// An alias is contested for a finding when another finding bearing it (as an alias or as its
/// own id) claims other CVEs (``Finding/claimedCVEs``) and the two claim more than one CVE
/// between them. One advisory covering several CVEs, alone, contests nothing.
struct ContestedIDs {
    /// Per finding (by position in the list given), each contested alias's key
    /// (``Waiver/idKey(_:)``) with the CVEs the other findings bearing it claim, sorted.
    private var byFinding: [Int: [String: [String]]] = [:]

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
        for (key, positions) in bearers {
            let everyBearer = positions + (owners[key] ?? [])
            guard everyBearer.count > 1 else { continue }
            var union = Set<String>()
            var distinct = Set<Set<String>>()
            for position in everyBearer {
                let cves = claims(position)
                union.formUnion(cves)
                if !cves.isEmpty { distinct.insert(cves) }
            }
            guard union.count > 1 else { continue }
            for position in positions {
                let own = claims(position)
                guard distinct.contains(where: { $0 != own }) else { continue }
                byFinding[position, default: [:]][key] = union.subtracting(own).sorted()
            }
        }
    }

    var isEmpty: Bool { byFinding.isEmpty }

    /// The keys of the finding's contested aliases.
    func keys(ofFindingAt position: Int) -> Set<String> {
        Set(byFinding[position]?.keys ?? [:].keys)
    }

    /// The finding's own id and its aliases that are not contested: the ids by which a waiver,
    /// OpenVEX statement or relaxing rule names it.
    func relaxingIDs(of finding: Finding, at position: Int) -> [String] {
        guard let contested = byFinding[position] else { return [finding.ruleID] + finding.aliases }
        return [finding.ruleID] + finding.aliases.filter { contested[Waiver.idKey($0)] == nil }
    }

    /// The CVEs the other findings bearing `id` claim, sorted, when `id` is contested for the
    /// finding; nil when it is not.
    func others(sharing id: String, withFindingAt position: Int) -> [String]? {
        byFinding[position]?[Waiver.idKey(id)]
    }

    /// The note under a finding that `what` (`waiver …`, `OpenVEX statement …`) names by the
    /// contested alias `id` only: `… names GHSA-x, which CVE-2022-0002 here has too: an id of
    /// more than one vulnerability, not applied (to waive this one, name CVE-2022-0001)`.
    static func note(_ what: String, names id: String, others: [String], ruleID: String, verb: String) -> String {
        let who =
            others.isEmpty
            ? "other findings here have" : listed(others) + " here " + (others.count == 1 ? "has" : "have")
        return "\(what) names \(id), which \(who) too: an id of more than one vulnerability, not applied (to \(verb) "
            + "this one, name \(ruleID))"
    }

    /// The warning that `what` named findings by the contested alias `id` only, so applied to
    /// none: `… applies to no finding: GHSA-x is an id of several vulnerabilities here
    /// (CVE-2022-0001, CVE-2022-0002): name the one it is for`.
    static func warning(_ what: String, names id: String, involving ids: Set<String>) -> String {
        "\(what) applies to no finding: \(id) is an id of several vulnerabilities here (\(listed(ids.sorted()))): "
            + "name the one it is for"
    }

    /// `a, b, c and 2 more`.
    private static func listed(_ ids: [String]) -> String {
        ids.prefix(3).joined(separator: ", ") + (ids.count > 3 ? " and \(ids.count - 3) more" : "")
    }
}
