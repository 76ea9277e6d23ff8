import Foundation

/// A package version compared "semver-ish": a leading `v` and an epoch (`1:`) are dropped,
/// build metadata (`+…`) is ignored, the core is dot-separated numbers (missing segments are 0,
/// so `1.2` = `1.2.0`), and a pre-release after `-` sorts before the release (`1.0.0-rc.1` <
/// `1.0.0`), its dot-separated identifiers compared numerically when both are numbers, else as
/// text. A version whose core is not numbers (`latest`, a git hash) is not comparable.
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
/// version). No `||`, `^` or `~`: write the bounds out.
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "="
    }

    public struct Comparator: Sendable, Hashable {
        public let op: Operator
        public let version: PackageVersion
    }

    public let text: String
    public let comparators: [Comparator]

    /// Why a range is malformed.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        public let message: String
        public var description: String { "malformed version range \"\(text.clippedForMessage)\": \(message)" }
    }

    public init(_ text: String) throws(SyntaxError) {
        self.text = text
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
        if words.contains("||") || text.contains("^") || text.contains("~") {
            throw SyntaxError(text: text, message: "only <, <=, >, >=, = and bare versions are supported")
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
            // `<1.0.0-` would read as `<1.0.0`: a pre-release part, when there is one, must say something.
            if let dash = versionText.firstIndex(of: "-") {
                let preRelease = versionText[versionText.index(after: dash)...].prefix { $0 != "+" }
                guard !preRelease.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
                else {
                    throw SyntaxError(text: text, message: "\"\(versionText)\" has an empty pre-release identifier")
                }
            }
            guard let version = PackageVersion(versionText) else {
                throw SyntaxError(
                    text: text, message: "\"\(versionText)\" is not a version of dot-separated numbers")
            }
            comparators.append(Comparator(op: op, version: version))
        }
        self.comparators = comparators
    }

    /// Whether `version` satisfies every comparator; a version that is not comparable never does.
    public func contains(_ versionText: String) -> Bool {
        guard let version = PackageVersion(versionText) else { return false }
        return contains(version)
    }

    /// Whether `version` satisfies every comparator.
    public func contains(_ version: PackageVersion) -> Bool {
        comparators.allSatisfy { comparator in
            let order = PackageVersion.compare(version, comparator.version)
            switch comparator.op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            case .equal: return order == 0
            }
        }
    }

    public var description: String { text }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
