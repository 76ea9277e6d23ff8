import Findings
import Policy
import PropertyBased
import Testing

/// The laws a user relies on, checked over generated findings, policies and waivers.
@Suite("Policy laws")
struct LawTests {
    static let severities: [Severity] = [.unknown, .info, .low, .medium, .high, .critical]
    static let thresholds: [Severity?] = [nil, .info, .low, .medium, .high, .critical]
    static let ids = ["CVE-2021-0001", "CVE-2021-0002", "CVE-2019-0003", "GHSA-aaaa-bbbb-cccc", "rule-x"]
    static let packages = ["lodash", "minimist", "qs"]
    static let environments = ["dev", "staging", "production"]
    static let source = SourceRef(file: "law.yaml", line: 1)

    /// A finding from a number: each digit group picks a property.
    static func finding(_ seed: Int) -> Finding {
        let id = ids[seed % ids.count]
        let severity = severities[(seed / 5) % severities.count]
        let kind: FindingKind = (seed / 30) % 4 == 0 ? .secret : .vulnerability
        let package = kind == .vulnerability ? packages[(seed / 120) % packages.count] : nil
        let fix: Bool? = [true, false, nil][(seed / 360) % 3]
        let tool = (seed / 1080) % 2 == 0 ? "trivy" : "npm-audit"
        return Support.finding(
            id, kind: kind, severity: severity, aliases: id == "CVE-2021-0001" ? ["GHSA-aaaa-bbbb-cccc"] : [],
            tool: tool,
            package: package.map {
                Package(ecosystem: "npm", name: $0, installedVersion: "1.\((seed / 2160) % 3).0", fixAvailable: fix)
            },
            path: kind == .secret ? "src/\(seed % 7).env" : nil, suppressed: (seed / 6480) % 9 == 0,
            report: "r\(seed)")
    }

    static let ruleChoices: [PolicyRule] = [
        PolicyRule(source: source, match: with { $0.kinds = [.secret] }, action: .fail),
        PolicyRule(source: source, match: with { $0.ids = [try? Glob("CVE-2019-*")].compactMap { $0 } }, action: .warn),
        PolicyRule(source: source, match: with { $0.fixAvailable = false }, action: .ignore),
        PolicyRule(source: source, match: with { $0.package = PackageCondition(name: try? Glob("qs")) }, action: .warn),
    ]

    static func with(_ build: (inout RuleMatch) -> Void) -> RuleMatch {
        var match = RuleMatch()
        build(&match)
        return match
    }

    /// A policy from a number: thresholds, a subset of rules, maybe a max count.
    static func policy(_ seed: Int, failOn: Severity?? = nil, maxHigh: Int?? = nil) -> Policy {
        let fail = failOn ?? thresholds[seed % thresholds.count]
        let warn = thresholds[(seed / 6) % thresholds.count]
        let rules = ruleChoices.enumerated().filter { (seed / 36) >> $0.offset & 1 == 1 }.map(\.element)
        let max = maxHigh ?? ((seed / 576) % 3 == 0 ? nil : (seed / 576) % 4)
        return Policy(
            environment: "staging", failOn: fail.map { Setting($0, at: source) },
            warnOn: warn.map { Setting($0, at: source) }, rules: rules,
            maxCounts: max.map { [.high: Setting($0, at: source)] } ?? [:],
            waiverLimits: WaiverLimits(maxDays: [.critical: Setting(20, at: source)]))
    }

    /// A waiver from a number: id, package scope, environments, expiry, granted severity.
    static func waiver(_ seed: Int, expiredOnly: Bool = false) -> Waiver {
        let offset = expiredOnly ? -1 - seed % 60 : (seed / 5) % 90 - 30
        return Waiver(
            source: SourceRef(file: "w.yaml", line: seed % 100), id: ids[seed % ids.count],
            package: (seed / 450) % 2 == 0 ? nil : try? Glob(packages[(seed / 900) % packages.count]),
            environments: (seed / 2700) % 2 == 0 ? [] : [environments[(seed / 5400) % 3]], reason: "r",
            approvedBy: "a", expires: Support.today.adding(days: offset),
            severity: [nil, .low, .medium, .high, .critical][(seed / 16200) % 5])
    }

    static func decide(_ findings: [Int], _ policy: Policy, waivers: [Waiver] = []) -> Decision {
        Support.evaluate(
            findings.map(finding), policy: policy,
            waivers: waivers.isEmpty ? [] : [WaiverFile(file: "w.yaml", waivers: waivers)])
    }

    static let findingSeeds = Gen.int(in: 0...1_000_000).array(of: 0...25)

    @Test func aStricterThresholdNeverTurnsAFailIntoAPass() async {
        await propertyCheck(input: Self.findingSeeds, Gen.int(in: 0...100_000), Gen.int(in: 0...5), Gen.int(in: 0...5))
        {
            seeds, policySeed, loose, strict in
            let looser = Self.thresholds[max(loose, strict)]
            let stricter = Self.thresholds[min(loose, strict)]
            // nil (no threshold) is the loosest of all.
            let (lo, hi): (Severity?, Severity?) =
                looser == nil || stricter == nil ? (nil, stricter ?? looser) : (looser, stricter)
            let lenient = Self.decide(seeds, Self.policy(policySeed, failOn: .some(lo)))
            let strictDecision = Self.decide(seeds, Self.policy(policySeed, failOn: .some(hi)))
            if !lenient.passed { #expect(!strictDecision.passed) }
            let failing = Set(lenient.verdicts.filter { $0.verdict == .fail }.map(\.finding.fingerprint))
            let stillFailing = Set(strictDecision.verdicts.filter { $0.verdict == .fail }.map(\.finding.fingerprint))
            #expect(failing.isSubset(of: stillFailing))
        }
    }

    @Test func aLowerMaxCountNeverTurnsAFailIntoAPass() async {
        await propertyCheck(input: Self.findingSeeds, Gen.int(in: 0...100_000), Gen.int(in: 0...5), Gen.int(in: 0...5))
        {
            seeds, policySeed, first, second in
            let lenient = Self.decide(seeds, Self.policy(policySeed, maxHigh: .some(max(first, second))))
            let strict = Self.decide(seeds, Self.policy(policySeed, maxHigh: .some(min(first, second))))
            if !lenient.passed { #expect(!strict.passed) }
        }
    }

    @Test func addingAWaiverNeverTurnsAPassIntoAFail() async {
        await propertyCheck(
            input: Self.findingSeeds, Gen.int(in: 0...100_000), Gen.int(in: 0...100_000).array(of: 0...4),
            Gen.int(in: 0...100_000)
        ) { seeds, policySeed, waiverSeeds, extra in
            let policy = Self.policy(policySeed)
            let before = Self.decide(seeds, policy, waivers: waiverSeeds.map { Self.waiver($0) })
            let after = Self.decide(seeds, policy, waivers: (waiverSeeds + [extra]).map { Self.waiver($0) })
            if before.passed { #expect(after.passed) }
            #expect(after.counts.failing <= before.counts.failing)
        }
    }

    @Test func anExpiredWaiverBehavesAsNoWaiver() async {
        await propertyCheck(
            input: Self.findingSeeds, Gen.int(in: 0...100_000), Gen.int(in: 0...100_000).array(of: 1...4)
        ) {
            seeds, policySeed, waiverSeeds in
            let policy = Self.policy(policySeed)
            let without = Self.decide(seeds, policy)
            let expired = Self.decide(seeds, policy, waivers: waiverSeeds.map { Self.waiver($0, expiredOnly: true) })
            #expect(without.passed == expired.passed)
            #expect(without.counts == expired.counts)
            #expect(without.verdicts.map(\.verdict) == expired.verdicts.map(\.verdict))
            #expect(without.verdicts.map(\.reason) == expired.verdicts.map(\.reason))
        }
    }

    @Test func theOrderOfReportsDoesNotChangeTheDecision() async {
        await propertyCheck(
            input: Self.findingSeeds, Gen.int(in: 0...100_000), Gen.int(in: 0...100_000).array(of: 0...3),
            Gen.int(in: 0...50)
        ) { seeds, policySeed, waiverSeeds, rotation in
            let policy = Self.policy(policySeed)
            let waivers = waiverSeeds.map { Self.waiver($0) }
            var reordered = seeds
            if !reordered.isEmpty {
                let cut = rotation % reordered.count
                reordered = Array(reordered[cut...] + reordered[..<cut])
                if rotation % 2 == 1 { reordered.reverse() }
            }
            let first = Self.decide(seeds, policy, waivers: waivers)
            let second = Self.decide(reordered, policy, waivers: waivers)
            #expect(first.passed == second.passed)
            #expect(DecisionJSON.encode(first) == DecisionJSON.encode(second))
        }
    }
}
