import Findings
import Foundation
import Policy
import Testing

@Suite("Policy files")
struct PolicyFileTests {
    @Test func readsTheContractKeys() throws {
        let policy = try Support.policy(
            """
            scangate-policy: 1
            fail-on: high
            warn-on: medium
            rules:
              - match: { kind: secret }
                action: fail
              - match: { id: "CVE-2019-*", fix-available: false }
                action: warn
            signatures:
              required: true
              keys: [keys/release.pub]
            waivers:
              max-days: { critical: 7, high: 30, medium: 90, low: 180 }
              warn-days: 14
            """)
        #expect(policy.failOn?.value == .high)
        #expect(policy.failOn?.source == SourceRef(file: "policy.yaml", line: 2))
        #expect(policy.warnOn?.value == .medium)
        #expect(policy.rules.count == 2)
        #expect(policy.rules[0].action == .fail && policy.rules[0].source.line == 5)
        #expect(policy.rules[1].match.summary == "id: CVE-2019-*, fix-available: false")
        #expect(policy.signatures.required && policy.signatures.keys == ["keys/release.pub"])
        #expect(policy.waiverLimits.maxDays[.critical]?.value == 7)
        #expect(policy.waiverLimits.warningDays == 14)
        #expect(policy.environment == "policy")
        #expect(policy.unknownSeverity == .high)
    }

    @Test func extendsMergesWithTheExtendingFileFirst() throws {
        let files = [
            "policies/base.yaml": """
            scangate-policy: 1
            fail-on: critical
            warn-on: medium
            max: { high: 3 }
            rules:
              - match: { kind: license }
                action: ignore
            waivers:
              max-days: { high: 30 }
            """,
            "policies/prod.yaml": """
            scangate-policy: 1
            extends: base.yaml
            environment: production
            fail-on: high
            max: { medium: 10 }
            rules:
              - match: { kind: secret }
                action: fail
            signatures: { required: true, keys: [../keys/release.pub] }
            """,
        ]
        let policy = try Support.policy(files, main: "policies/prod.yaml")
        #expect(policy.files == ["policies/prod.yaml", "policies/base.yaml"])
        #expect(policy.environment == "production")
        #expect(policy.failOn?.value == .high)
        #expect(policy.warnOn?.source == SourceRef(file: "policies/base.yaml", line: 3))
        #expect(policy.maxCounts[.high]?.value == 3 && policy.maxCounts[.medium]?.value == 10)
        #expect(policy.rules.map(\.match.kinds) == [[.secret], [.license]])
        #expect(policy.signatures.resolvedKeys == ["keys/release.pub"])
        #expect(policy.waiverLimits.maxDays[.high]?.value == 30)
    }

    /// The environment is never inherited: a file extending staging's policy without an
    /// `environment:` of its own is named by its file, and staging's waivers do not hold there.
    @Test func theEnvironmentIsTheFilesOwnNotTheOneItExtends() throws {
        let files = [
            "policies/staging.yaml": "scangate-policy: 1\nenvironment: staging\nfail-on: critical\n",
            "policies/prod-eu.yaml": "scangate-policy: 1\nextends: staging.yaml\nfail-on: high\n",
            "policies/prod-us.yaml": "scangate-policy: 1\nextends: staging.yaml\nenvironment: production\n",
        ]
        #expect(try Support.policy(files, main: "policies/prod-eu.yaml").environment == "prod-eu")
        #expect(try Support.policy(files, main: "policies/prod-us.yaml").environment == "production")
        #expect(try Support.policy(files, main: "policies/staging.yaml").environment == "staging")
    }

    /// A byte-order mark may start a YAML stream (PowerShell 5.1's `Set-Content -Encoding UTF8`).
    @Test func aByteOrderMarkIsRead() throws {
        let policy = try Support.policy([
            "policy.yaml": "\u{FEFF}scangate-policy: 1\nenvironment: staging\nfail-on: high\n"
        ])
        #expect(policy.environment == "staging")
        #expect(policy.failOn?.value == .high)
    }

    @Test func failOnNoneTurnsAnInheritedThresholdOff() throws {
        let policy = try Support.policy(
            [
                "base.yaml": "scangate-policy: 1\nfail-on: critical\n",
                "policy.yaml": "scangate-policy: 1\nextends: base.yaml\nfail-on: none\n",
            ])
        #expect(policy.failOn == nil)
    }

    /// Severity names are read in any case in `max` and `waivers.max-days` too, as in
    /// `fail-on` (`High: 0` was refused as an unknown key).
    @Test func severityCountsTakeNamesInAnyCase() throws {
        let policy = try Support.policy(
            [
                "policy.yaml":
                    "scangate-policy: 1\nfail-on: none\nmax: {High: 0, CRITICAL: 0}\nwaivers: {max-days: {Critical: 7}}\n"
            ])
        #expect(policy.maxCounts[.high]?.value == 0 && policy.maxCounts[.critical]?.value == 0)
        #expect(policy.waiverLimits.maxDays[.critical]?.value == 7)
    }

    @Test func theEnvironmentComesFromTheFileNameUnlessTheFileSaysOtherwise() throws {
        let files = ["policies/staging.yaml": "scangate-policy: 1\nfail-on: none\n"]
        #expect(try Support.policy(files, main: "policies/staging.yaml").environment == "staging")
    }

    /// Every invalid construct: (files, main file, expected place, expected words).
    static let invalid: [(String, [String: String], String, String)] = [
        (
            "unknown top-level key", ["policy.yaml": "scangate-policy: 1\nfail_on: high\nfail-on: none\n"],
            "policy.yaml:2",
            "unknown key \"fail_on\""
        ),
        ("missing version", ["policy.yaml": "fail-on: high\n"], "policy.yaml:1", "scangate-policy: 1"),
        // A gate that cannot fail is asked for with `fail-on: none`, never left to a missing key.
        ("no fail-on", ["policy.yaml": "scangate-policy: 1\nwarn-on: low\n"], "policy.yaml:1", "no fail-on"),
        // A custom tag would be ignored and the value read as if it were not there.
        (
            "a custom YAML tag", ["policy.yaml": "scangate-policy: 1\nfail-on: !custom critical\n"], "policy.yaml:2",
            "the YAML tag !custom is not allowed"
        ),
        (
            "no fail-on in the policy or what it extends",
            ["base.yaml": "scangate-policy: 1\n", "policy.yaml": "scangate-policy: 1\nextends: base.yaml\n"],
            "policy.yaml:1", "fail-on: none if none should"
        ),
        ("wrong version", ["policy.yaml": "scangate-policy: 2\n"], "policy.yaml:1", "expected 1"),
        (
            "bad severity name", ["policy.yaml": "scangate-policy: 1\nfail-on: severe\n"], "policy.yaml:2",
            "\"severe\" is not a threshold"
        ),
        (
            "tool wording is not a severity", ["policy.yaml": "scangate-policy: 1\nwarn-on: moderate\nfail-on: none\n"],
            "policy.yaml:2", "\"moderate\""
        ),
        (
            "wrong type for a threshold", ["policy.yaml": "scangate-policy: 1\nfail-on: [high]\n"], "policy.yaml:2",
            "fail-on must be text, found a list"
        ),
        (
            "unknown-severity-as unknown",
            ["policy.yaml": "scangate-policy: 1\nunknown-severity-as: unknown\nfail-on: none\n"],
            "policy.yaml:2", "must be a known severity"
        ),
        (
            // The message must not offer `unknown`, which is refused too.
            "unknown-severity-as none",
            ["policy.yaml": "scangate-policy: 1\nunknown-severity-as: none\nfail-on: none\n"],
            "policy.yaml:2", "must be a known severity (critical, high, medium, low, info)"
        ),
        (
            "rules not a list", ["policy.yaml": "scangate-policy: 1\nrules: { kind: secret }\nfail-on: none\n"],
            "policy.yaml:2",
            "rules must be a list"
        ),
        (
            "rule without action",
            ["policy.yaml": "scangate-policy: 1\nrules:\n  - match: { kind: secret }\nfail-on: none\n"],
            "policy.yaml:3", "rule 1 has no \"action\""
        ),
        (
            "bad action",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match: { kind: secret }\n    action: block\nfail-on: none\n"
            ],
            "policy.yaml:4", "action \"block\" is not one of fail, warn, ignore"
        ),
        (
            "unknown match key",
            ["policy.yaml": "scangate-policy: 1\nrules:\n  - match: { cve: x }\n    action: fail\nfail-on: none\n"],
            "policy.yaml:3", "unknown key \"cve\""
        ),
        (
            "empty match",
            ["policy.yaml": "scangate-policy: 1\nrules:\n  - match: {}\n    action: fail\nfail-on: none\n"],
            "policy.yaml:3", "give match at least one key"
        ),
        (
            "malformed glob",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match: { id: \"CVE-[2019\" }\n    action: warn\nfail-on: none\n"
            ],
            "policy.yaml:3", "malformed glob \"CVE-[2019\""
        ),
        (
            "reversed glob range",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match:\n      path: \"[z-a]*\"\n    action: warn\nfail-on: none\n"
            ],
            "policy.yaml:4", "reversed"
        ),
        (
            "bad kind",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match: { kind: secrets }\n    action: fail\nfail-on: none\n"
            ],
            "policy.yaml:3", "kind \"secrets\" is not one of"
        ),
        (
            "bad severity condition",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match: { severity: \">>high\" }\n    action: fail\nfail-on: none\n"
            ],
            "policy.yaml:3", "is not one of >=, >, <=, <"
        ),
        (
            "bad version range",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match:\n"
                    + "      package: { name: lodash, version: \"^4.0.0\" }\n    action: fail\n"
            ],
            "policy.yaml:4", "malformed version range"
        ),
        (
            "version range without version",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match:\n      package: { version: \"<\" }\n    action: fail\nfail-on: none\n"
            ],
            "policy.yaml:4", "is not followed by a version"
        ),
        (
            "fix-available not a boolean",
            [
                "policy.yaml":
                    "scangate-policy: 1\nrules:\n  - match: { fix-available: \"no\" }\n    action: warn\nfail-on: none\n"
            ],
            "policy.yaml:3", "must be true or false"
        ),
        (
            "bad cwe",
            ["policy.yaml": "scangate-policy: 1\nrules:\n  - match: { cwe: XSS }\n    action: warn\nfail-on: none\n"],
            "policy.yaml:3", "not a CWE id"
        ),
        (
            "negative max", ["policy.yaml": "scangate-policy: 1\nmax: { high: -1 }\nfail-on: none\n"], "policy.yaml:2",
            "at least 0"
        ),
        (
            "max of unknown severity", ["policy.yaml": "scangate-policy: 1\nmax: { severe: 1 }\nfail-on: none\n"],
            "policy.yaml:2",
            "unknown key \"severe\""
        ),
        (
            "max naming a severity twice", ["policy.yaml": "scangate-policy: 1\nmax: { high: 0, High: 3 }\n"],
            "policy.yaml:2:17:", "max lists high twice (\"High\")"
        ),
        (
            "max not a number", ["policy.yaml": "scangate-policy: 1\nmax: { high: some }\nfail-on: none\n"],
            "policy.yaml:2",
            "must be a whole number"
        ),
        (
            "octal max", ["policy.yaml": "scangate-policy: 1\nmax: { high: 010 }\nfail-on: none\n"], "policy.yaml:2",
            "decimal digits without leading zeros, found \"010\""
        ),
        (
            "YAML 1.1 number forms",
            ["policy.yaml": "scangate-policy: 1\nmax: { high: 0o17, medium: 1_000 }\nfail-on: none\n"],
            "policy.yaml:2", "found \"0o17\""
        ),
        (
            "hexadecimal warn-days",
            ["policy.yaml": "scangate-policy: 1\nfail-on: none\nwaivers:\n  warn-days: 0x1E\n"], "policy.yaml:4",
            "waivers.warn-days must be a whole number in decimal digits"
        ),
        (
            "bad severity source",
            ["policy.yaml": "scangate-policy: 1\nseverity-sources: [vendor, \"n v d\"]\nfail-on: none\n"],
            "policy.yaml:2", "is not a severity source"
        ),
        (
            "misspelt severity source",
            ["policy.yaml": "scangate-policy: 1\nfail-on: critical\nseverity-sources: [ndv]\n"],
            "policy.yaml:3", "\"ndv\" is not a severity source"
        ),
        (
            "a tool's name as a severity source",
            ["policy.yaml": "scangate-policy: 1\nfail-on: critical\nseverity-sources: [ghsa, trivy]\n"],
            "policy.yaml:3", "tool (the scanners' own verdicts)"
        ),
        (
            "duplicate severity source",
            ["policy.yaml": "scangate-policy: 1\nseverity-sources: [nvd, nvd]\nfail-on: none\n"],
            "policy.yaml:2", "listed twice"
        ),
        (
            "signatures required without keys",
            ["policy.yaml": "scangate-policy: 1\nsignatures:\n  required: true\nfail-on: none\n"],
            "policy.yaml:3", "no keys"
        ),
        (
            "signatures unknown key",
            ["policy.yaml": "scangate-policy: 1\nsignatures:\n  require: true\nfail-on: none\n"],
            "policy.yaml:3", "unknown key \"require\""
        ),
        (
            "misspelt ecosystem",
            [
                "policy.yaml":
                    "scangate-policy: 1\nfail-on: none\nrules:\n  - match: { package: { ecosystem: npmjs } }\n"
                    + "    action: fail\n"
            ],
            "policy.yaml:4", "\"npmjs\" is not an ecosystem ScanGate reports"
        ),
        (
            "max-days zero", ["policy.yaml": "scangate-policy: 1\nwaivers:\n  max-days: { high: 0 }\nfail-on: none\n"],
            "policy.yaml:3",
            "at least 1"
        ),
        (
            "warn-days negative", ["policy.yaml": "scangate-policy: 1\nwaivers:\n  warn-days: -2\nfail-on: none\n"],
            "policy.yaml:3",
            "must not be negative"
        ),
        (
            "bad environment", ["policy.yaml": "scangate-policy: 1\nenvironment: \"prod uction\"\nfail-on: none\n"],
            "policy.yaml:2",
            "may contain only"
        ),
        (
            "duplicate key", ["policy.yaml": "scangate-policy: 1\nfail-on: high\nfail-on: low\n"], "policy.yaml:",
            "duplicate key \"fail-on\""
        ),
        (
            "YAML syntax", ["policy.yaml": "scangate-policy: 1\nrules: [\nfail-on: none\n"], "policy.yaml:",
            "invalid YAML"
        ),
        (
            "anchors", ["policy.yaml": "scangate-policy: 1\nfail-on: &t high\nwarn-on: *t\n"], "policy.yaml:2",
            "anchors and aliases"
        ),
        (
            // Nine levels of ten aliases each, used as a mapping key: composing it first would
            // have Yams hash 10^9 nodes to look for duplicate keys. Refused at the first anchor.
            "alias bomb in a key",
            [
                "policy.yaml": "scangate-policy: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
                    + (1..<9).map { level -> String in
                        let name = String(UnicodeScalar(UInt8(97 + level)))
                        let previous = String(UnicodeScalar(UInt8(96 + level)))
                        return "\(name): &\(name) ["
                            + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ")
                            + "]\n"
                    }.joined() + "? *i\n: 1\nfail-on: high\n"
            ], "policy.yaml:2:4", "anchors and aliases"
        ),
        (
            // Reviewed as one line, read by YAML as two keys: the second turned the threshold off.
            "line separator hiding a key",
            [
                "policy.yaml":
                    "scangate-policy: 1\nwarn-on: low\ndescription: reviewed by security\u{2028}fail-on: none\n"
            ], "policy.yaml:3:34", "a Unicode line break (U+2028)"
        ),
        (
            "next line (NEL)", ["policy.yaml": "scangate-policy: 1\nfail-on: high\u{85}warn-on: none\n"],
            "policy.yaml:2:14", "(U+0085)"
        ),
        (
            "bidirectional override", ["policy.yaml": "scangate-policy: 1\n# \u{202E}enon :no-liaf\nfail-on: high\n"],
            "policy.yaml:2:3", "bidirectional control character (U+202E)"
        ),
        ("empty file", ["policy.yaml": ""], "policy.yaml:1", "empty"),
        ("not a mapping", ["policy.yaml": "- scangate-policy\n"], "policy.yaml:1", "must be a mapping"),
        (
            "extends a missing file", ["policy.yaml": "scangate-policy: 1\nextends: nothere.yaml\n"], "policy.yaml:2",
            "cannot read nothere.yaml"
        ),
        (
            "extends cycle",
            [
                "policy.yaml": "scangate-policy: 1\nextends: b.yaml\n",
                "b.yaml": "scangate-policy: 1\nextends: policy.yaml\n",
            ],
            "b.yaml:2", "cycle: policy.yaml → b.yaml → policy.yaml"
        ),
        ("extends itself", ["policy.yaml": "scangate-policy: 1\nextends: ./policy.yaml\n"], "policy.yaml:2", "cycle"),
        (
            "error in an extended file",
            [
                "policy.yaml": "scangate-policy: 1\nextends: b.yaml\n",
                "b.yaml": "scangate-policy: 1\n\nwarn-on: loud\nfail-on: none\n",
            ],
            "b.yaml:3", "\"loud\""
        ),
    ]

    @Test(arguments: invalid)
    func invalidPoliciesNameFileAndLine(_ name: String, _ files: [String: String], _ place: String, _ words: String) {
        let error = Support.policyError(files)
        #expect(error != nil, "\(name): accepted")
        guard let error else { return }
        let text = error.description
        #expect(text.hasPrefix(place), "\(name): \(text)")
        #expect(text.contains(words), "\(name): \(text)")
        #expect(error.document == .policy)
    }

    @Test func theShippedPoliciesLoad() throws {
        for name in ["default", "dev", "staging", "production"] {
            let policy = try PolicyLoader().load(path: Support.path("policies/\(name).yaml"))
            #expect(policy.environment == name)
            if name != "default" { #expect(policy.files.count == 2) }
        }
        let production = try PolicyLoader().load(path: Support.path("policies/production.yaml"))
        #expect(production.signatures.required)
        #expect(production.failOn?.value == .high)
        let dev = try PolicyLoader().load(path: Support.path("policies/dev.yaml"))
        #expect(dev.failOn == nil)
        #expect(!dev.rules.contains { $0.action == .fail })
    }

    @Test func aMissingPolicyFileIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) { try PolicyLoader().load(path: "/nonexistent/policy.yaml") }
    }
}

@Suite("Policy globs, versions and dates")
struct PolicyPrimitiveTests {
    @Test(arguments: [
        ("CVE-2019-*", "CVE-2019-10744", true), ("CVE-2019-*", "CVE-2020-1", false), ("*.js", "src/a/b.js", true),
        ("lodash", "lodash-es", false), ("lodash*", "lodash-es", true), ("?s", "qs", true), ("[a-c]x", "bx", true),
        ("[!a-c]x", "bx", false), ("\\*", "*", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
    ])
    func globs(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try Glob(pattern).matches(text) == expected)
    }

    @Test func globsForIdsIgnoreCase() throws {
        #expect(try Glob("cve-2021-*", ignoresCase: true).matches("CVE-2021-23337"))
    }

    /// File names are bytes: text is compared by Unicode scalars, not Characters (found by a
    /// review). `café` composed is not `cafe` with a combining accent (two directories on Linux),
    /// the Ångström sign is not `Å`, and a `/` followed by a combining mark is still a `/`.
    @Test func globsCompareUnicodeScalars() throws {
        #expect(try Glob("config/*").matches("config/\u{301}app.env"))
        #expect(try !Glob("services/caf\u{E9}/*").matches("services/cafe\u{301}/app.env"))
        #expect(try Glob("services/caf\u{E9}/*").matches("services/caf\u{E9}/app.env"))
        #expect(try !Glob("services/\u{212B}/*").matches("services/\u{C5}/app.env"))
        #expect(try Glob("caf?/x").matches("caf\u{E9}/x"))
        #expect(try !Glob("cafe?/x").matches("cafe\u{301}\u{301}/x"))
    }

    @Test(arguments: ["", "[abc", "abc\\", "[]", "a]b", "[z-a]", "[a\\", "CVE-2021-4490[6\\", "[!\\"])
    func malformedGlobs(_ pattern: String) {
        #expect(throws: Glob.SyntaxError.self) { try Glob(pattern) }
    }

    @Test func invalidUTF8IsRefusedWithItsLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "scangate-utf8-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("policy.yaml").path
        try Data(Array("scangate-policy: 1\nfail-on: high\n# caf".utf8) + [0xE9, 0x0A]).write(
            to: URL(fileURLWithPath: path))
        do {
            _ = try PolicyLoader().load(path: path)
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("\(path):3: "), "\(error)")
            #expect(error.description.contains("not valid UTF-8"))
        }
    }

    @Test func aLongMalformedGlobIsQuotedShort() {
        let pattern = String(repeating: "a", count: 1_000_000) + "["
        #expect {
            _ = try Glob(pattern)
        } throws: { error in
            let text = (error as? Glob.SyntaxError)?.description ?? ""
            return text.count < 200 && text.contains("…\": \"[\" is never closed")
        }
    }

    @Test(arguments: [
        ("<4.17.21", "4.17.15", true), ("<4.17.21", "4.17.21", false), (">=1.0.0 <2.0.0", "1.9.9", true),
        (">=1.0.0 <2.0.0", "2.0.0", false), (">= 1.0, < 2", "1.5", true), ("1.2.3", "1.2.3", true),
        ("=1.2", "1.2.0", true), ("<1.0.0", "1.0.0-rc.1", true), (">1.0.0-rc.2", "1.0.0-rc.10", true),
        ("<2", "v1.9.0", true), ("<2", "latest", false), (">=1.0", "1:1.2.3", true),
    ])
    func versionRanges(_ range: String, _ version: String, _ expected: Bool) throws {
        #expect(try VersionRange(range).contains(version) == expected)
    }

    @Test(arguments: [
        "", "^1.0.0", "~1.2", ">>1", "<", "1.x", "<1.0 || >2.0", "<1.0.0-", "<1.0.0-rc..1", ">=2.0.0-+build", "<1-rc.",
    ])
    func malformedVersionRanges(_ text: String) {
        #expect(throws: VersionRange.SyntaxError.self) { try VersionRange(text) }
    }

    @Test func days() {
        #expect(Day(parsing: "2026-02-29") == nil)
        #expect(Day(parsing: "2028-02-29") != nil)
        #expect(Day(parsing: "2026-1-01") == nil)
        #expect(Day(parsing: "2026-12-31")?.description == "2026-12-31")
        let day = Support.day("2026-11-25")
        #expect(Day(ordinal: day.ordinal) == day)
        #expect(day.days(until: Support.day("2027-01-01")) == 37)
        #expect(Day(ordinal: 0).description == "1970-01-01")
        #expect(Day.today() > Support.day("2025-01-01"))
    }
}
