import Foundation

/// A package version compared "semver-ish": a leading `v` and an epoch (`1:`) are dropped,
/// build metadata (`+…`) is ignored, the core is dot-separated numbers (missing segments are 0,
/// so `1.2` = `1.2.0`), and a pre-release after `-` sorts before the release (`1.0.0-rc.1` <
/// `1.0.0`), its dot-separated identifiers compared numerically when both are numbers, else as
/// text. A version whose core is not numbers (`latest`, a git hash) is not comparable.
///
/// This is the order of language packages' versions; an operating-system package's version is
/// compared as its package manager compares it (``VersionScheme``).
public struct PackageVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let text: String
    let core: [Int]
    let preRelease: [String]

    public init?(_ text: String) {
        self.text = text
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if let first = rest.first, first == "v" || first == "V" { rest = rest.dropFirst() }
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy(\.isASCIIDigit) {
            rest = rest[rest.index(after: colon)...]
        }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        var pre: Substring = ""
        if let dash = rest.firstIndex(of: "-") {
            pre = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        let segments = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard !segments.isEmpty else { return nil }
        var core: [Int] = []
        for segment in segments {
            guard !segment.isEmpty, segment.count <= 18, segment.allSatisfy(\.isASCIIDigit), let number = Int(segment)
            else { return nil }
            core.append(number)
        }
        self.core = core
        self.preRelease = pre.isEmpty ? [] : pre.split(separator: ".").map(String.init)
    }

    public static func == (lhs: PackageVersion, rhs: PackageVersion) -> Bool { compare(lhs, rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        var trimmed = core
        while trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
        hasher.combine(preRelease)
    }

    public static func < (lhs: PackageVersion, rhs: PackageVersion) -> Bool { compare(lhs, rhs) < 0 }

    static func compare(_ lhs: PackageVersion, _ rhs: PackageVersion) -> Int {
        for index in 0..<max(lhs.core.count, rhs.core.count) {
            let left = index < lhs.core.count ? lhs.core[index] : 0
            let right = index < rhs.core.count ? rhs.core[index] : 0
            if left != right { return left < right ? -1 : 1 }
        }
        switch (lhs.preRelease.isEmpty, rhs.preRelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (left, right) in zip(lhs.preRelease, rhs.preRelease) where left != right {
            switch (Int(left), Int(right)) {
            case (let l?, let r?): return l < r ? -1 : 1
            case (_?, nil): return -1
            case (nil, _?): return 1
            case (nil, nil): return left < right ? -1 : 1
            }
        }
        if lhs.preRelease.count == rhs.preRelease.count { return 0 }
        return lhs.preRelease.count < rhs.preRelease.count ? -1 : 1
    }

    public var description: String { text }
}

/// A version range: comparators separated by spaces or commas, all of which must hold.
/// `<4.17.21`, `>=1.0.0 <2.0.0`, `>= 1.0, < 2`, `=1.2.3` or a bare `1.2.3` (exactly that
/// version). No `||`, `^` or `~` ranges: write the bounds out.
///
/// An installed version is compared with the bounds as its package manager compares versions
/// (``VersionScheme``): a Debian package's as dpkg does, an RPM's as rpm does, an Alpine
/// package's as apk does, a language package's "semver-ish" (``PackageVersion``).
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "="
    }

    /// One bound: an operator and a version, read once by every scheme that can read it.
    public struct Comparator: Sendable, Hashable {
        public let op: Operator
        /// The version as written.
        public let text: String
        /// The version by each scheme whose rules it follows.
        let versions: [VersionScheme: SchemeVersion]

        init(op: Operator, text: String) {
            self.op = op
            self.text = text
            var versions: [VersionScheme: SchemeVersion] = [:]
            for scheme in VersionScheme.allCases {
                versions[scheme] = SchemeVersion(text, scheme: scheme)
            }
            self.versions = versions
        }

        /// Whether `order` (the installed version against the bound) satisfies the operator.
        func holds(_ order: Int) -> Bool {
            switch op {
            case .less: order < 0
            case .lessOrEqual: order <= 0
            case .greater: order > 0
            case .greaterOrEqual: order >= 0
            case .equal: order == 0
            }
        }
    }

    public let text: String
    public let comparators: [Comparator]
    /// The scheme whose rules the bounds were checked by (the rule's `ecosystem`'s); nil: a
    /// range written without an ecosystem, checked as "semver-ish" versions.
    public let scheme: VersionScheme?

    /// Why a range is malformed.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        public let message: String
        public var description: String { "malformed version range \"\(text.clippedForMessage)\": \(message)" }
    }

    /// Reads `text`; each bound must be a version of `scheme` (the scheme of the rule's
    /// `ecosystem`), or without one a "semver-ish" version (``PackageVersion``).
    public init(_ text: String, scheme: VersionScheme? = nil) throws(SyntaxError) {
        self.text = text
        self.scheme = scheme
        var words: [String] = []
        for word in text.replacingOccurrences(of: ",", with: " ").split(separator: " ") {
            // `>= 1.0`: an operator standing alone joins the word after it.
            if let last = words.last, last.allSatisfy({ "<>=".contains($0) }) {
                words[words.count - 1] = last + word
            } else {
                words.append(String(word))
            }
        }
        guard !words.isEmpty else { throw SyntaxError(text: text, message: "it is empty") }
        let unsupported = SyntaxError(text: text, message: "only <, <=, >, >=, = and bare versions are supported")
        if words.contains("||") { throw unsupported }
        // In a Debian or RPM version `~` and `^` are characters; elsewhere they are npm's ranges.
        let isOSScheme = scheme.map { $0 != .semver } ?? false
        if !isOSScheme && (text.contains("^") || text.contains("~")) {
            // Inside a version (`1.0~rc1`) rather than in front of it, it is an OS package's.
            let isInside = words.contains { $0.drop { "<>=~^".contains($0) }.contains { "~^".contains($0) } }
            guard isInside else { throw unsupported }
            throw SyntaxError(
                text: text,
                message: unsupported.message + " (a Debian or RPM version with `~` or `^` needs the rule's ecosystem)")
        }
        var comparators: [Comparator] = []
        for word in words {
            let opText = String(word.prefix { "<>=".contains($0) })
            let versionText = String(word.dropFirst(opText.count))
            let op: Operator
            switch opText {
            case "": op = .equal
            case "==": op = .equal
            default:
                guard let known = Operator(rawValue: opText) else {
                    throw SyntaxError(text: text, message: "unknown operator \"\(opText)\"")
                }
                op = known
            }
            guard !versionText.isEmpty else {
                throw SyntaxError(text: text, message: "\"\(opText)\" is not followed by a version")
            }
            if versionText.hasPrefix("~") || versionText.hasPrefix("^") { throw unsupported }
            let comparator = Comparator(op: op, text: versionText)
            let checkedBy = scheme ?? .semver
            // `<1.0.0-` would read as `<1.0.0`: a pre-release part, when there is one, must say something.
            if checkedBy == .semver, let dash = versionText.firstIndex(of: "-") {
                let preRelease = versionText[versionText.index(after: dash)...].prefix { $0 != "+" }
                guard !preRelease.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
                else {
                    throw SyntaxError(text: text, message: "\"\(versionText)\" has an empty pre-release identifier")
                }
            }
            guard comparator.versions[checkedBy] != nil else {
                var message = "\"\(versionText)\" is not \(checkedBy.versionName)"
                if scheme == nil {
                    message += " (an OS package's version such as `1.2_rc1` needs the rule's ecosystem)"
                }
                throw SyntaxError(text: text, message: message)
            }
            comparators.append(comparator)
        }
        self.comparators = comparators
    }

    /// Whether a language package's `versionText` satisfies every comparator, read
    /// "semver-ish"; a version that is not comparable never does.
    public func contains(_ versionText: String) -> Bool { contains(versionText, scheme: .semver) ?? false }

    /// Whether `installed` satisfies every comparator when compared by `scheme`; nil when that
    /// cannot be told: no scheme (the package's ecosystem is not one ScanGate can compare), or
    /// the installed version or a bound is not a version of the scheme.
    public func contains(_ installed: String, scheme: VersionScheme?) -> Bool? {
        guard let scheme, let version = SchemeVersion(installed, scheme: scheme) else { return nil }
        // All must hold: one bound that certainly does not decides, whatever the others.
        var isKnown = true
        for comparator in comparators {
            guard let bound = comparator.versions[scheme],
                let order = SchemeVersion.compare(installed: version, toBound: bound)
            else {
                isKnown = false
                continue
            }
            if !comparator.holds(order) { return false }
        }
        return isKnown ? true : nil
    }

    public var description: String { text }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
