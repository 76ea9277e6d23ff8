/// A Debian package version, `[epoch:]upstream[-revision]`, ordered as dpkg orders it (Debian
/// Policy 5.6.12; dpkg's `verrevcmp`).
///
/// The epoch compares first, as a number (none is 0). Then the upstream version, then the
/// revision (none is `0`), each alternately a run of non-digits and a run of digits: non-digits
/// character by character, `~` before everything (even the end: `1.0~rc1` < `1.0`), then the end,
/// then letters, then all other characters (`1.0a` < `1.0+`); digits by value (`1.01` = `1.1`).
///
/// Read as `dpkg --compare-versions` would without warnings: the upstream version starts with a
/// digit and holds letters, digits and `. + ~ - :`; the revision letters, digits and `. + ~`.
struct DpkgVersion: Sendable, Hashable {
    var epoch: Int
    /// Whether the text named an epoch (`1:2.20.1`); none reads as 0.
    let hasEpoch: Bool
    let upstream: [UInt8]
    let revision: [UInt8]

    init?(_ text: String) {
        let bytes = Array(text.utf8.trimmingASCIISpaces)
        guard !bytes.isEmpty else { return nil }
        var rest = bytes[...]
        var epoch = 0
        var hasEpoch = false
        if let colon = rest.firstIndex(of: ASCII.colon) {
            let digits = rest[..<colon]
            guard let value = ASCII.number(digits), value <= Int(Int32.max) else { return nil }
            epoch = value
            hasEpoch = true
            rest = rest[(colon + 1)...]
        }
        var revision: ArraySlice<UInt8> = []
        if let dash = rest.lastIndex(of: ASCII.dash) {
            revision = rest[(dash + 1)...]
            guard !revision.isEmpty else { return nil }
            rest = rest[..<dash]
        }
        guard let first = rest.first, ASCII.isDigit(first),
            rest.allSatisfy({ ASCII.isAlphanumeric($0) || Self.upstreamPunctuation.contains($0) }),
            revision.allSatisfy({ ASCII.isAlphanumeric($0) || Self.revisionPunctuation.contains($0) })
        else { return nil }
        self.epoch = epoch
        self.hasEpoch = hasEpoch
        self.upstream = Array(rest)
        self.revision = Array(revision)
    }

    private static let upstreamPunctuation: Set<UInt8> = Set(".+~-:".utf8)
    private static let revisionPunctuation: Set<UInt8> = Set(".+~".utf8)

    /// `lhs` against `rhs`: negative, zero or positive.
    static func compare(_ lhs: DpkgVersion, _ rhs: DpkgVersion) -> Int {
        if lhs.epoch != rhs.epoch { return lhs.epoch < rhs.epoch ? -1 : 1 }
        let upstream = verrevcmp(lhs.upstream, rhs.upstream)
        return upstream != 0 ? upstream : verrevcmp(lhs.revision, rhs.revision)
    }

    /// dpkg's `verrevcmp` on one part (upstream version or revision).
    static func verrevcmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            while (i < a.count && !ASCII.isDigit(a[i])) || (j < b.count && !ASCII.isDigit(b[j])) {
                let left = order(i < a.count ? a[i] : nil)
                let right = order(j < b.count ? b[j] : nil)
                if left != right { return left < right ? -1 : 1 }
                i += 1
                j += 1
            }
            while i < a.count && a[i] == ASCII.zero { i += 1 }
            while j < b.count && b[j] == ASCII.zero { j += 1 }
            var firstDifference = 0
            while i < a.count && j < b.count && ASCII.isDigit(a[i]) && ASCII.isDigit(b[j]) {
                if firstDifference == 0 && a[i] != b[j] { firstDifference = a[i] < b[j] ? -1 : 1 }
                i += 1
                j += 1
            }
            if i < a.count && ASCII.isDigit(a[i]) { return 1 }
            if j < b.count && ASCII.isDigit(b[j]) { return -1 }
            if firstDifference != 0 { return firstDifference }
        }
        return 0
    }

    /// A character's weight among non-digits: `~` lowest, then the end (or a digit), then
    /// letters, then everything else.
    private static func order(_ byte: UInt8?) -> Int {
        guard let byte else { return 0 }
        if ASCII.isDigit(byte) { return 0 }
        if ASCII.isLetter(byte) { return Int(byte) }
        if byte == ASCII.tilde { return -1 }
        return Int(byte) + 256
    }
}

/// An RPM package version, `[epoch:]version[-release]`, ordered as rpm orders it: the epoch
/// (none is 0), then the version, then the release, each by `rpmvercmp`.
///
/// `rpmvercmp` compares runs of digits (by value) and runs of letters (as text), other
/// characters only separating them; a number is newer than letters (`1.0.1` > `1.0.a`), `~`
/// sorts before everything, even the end (`1.0~rc1` < `1.0`), and `^` after the end but before
/// anything else (`1.0` < `1.0^git1` < `1.0.1`).
///
/// As in rpm's own dependency ranges, a release is compared only when both sides have one: a
/// bound without one (`<=3.0.7`) stands for every release of that version. Read strictly: the
/// epoch is digits; version and release are non-empty, of letters, digits and `. _ + ~ ^`, and the
/// version starts with a letter or digit.
struct RPMVersion: Sendable, Hashable {
    var epoch: [UInt8]
    /// Whether the text named an epoch (`1:3.0.7-24.el9`); none reads as 0.
    let hasEpoch: Bool
    let version: [UInt8]
    let release: [UInt8]?

    init?(_ text: String) {
        let bytes = Array(text.utf8.trimmingASCIISpaces)
        var rest = bytes[...]
        var epoch: ArraySlice<UInt8> = Array("0".utf8)[...]
        var hasEpoch = false
        // rpm's own split: an epoch is the digits before the first `:`, the release what follows the last `-`.
        let digits = rest.prefix(while: ASCII.isDigit)
        if digits.endIndex < rest.endIndex, rest[digits.endIndex] == ASCII.colon {
            guard !digits.isEmpty else { return nil }
            epoch = digits
            hasEpoch = true
            rest = rest[(digits.endIndex + 1)...]
        }
        var release: ArraySlice<UInt8>?
        if let dash = rest.lastIndex(of: ASCII.dash) {
            release = rest[(dash + 1)...]
            rest = rest[..<dash]
        }
        func isValid(_ part: ArraySlice<UInt8>) -> Bool {
            !part.isEmpty && part.allSatisfy { ASCII.isAlphanumeric($0) || Self.punctuation.contains($0) }
        }
        guard let first = rest.first, ASCII.isAlphanumeric(first), isValid(rest), release.map(isValid) ?? true
        else { return nil }
        self.epoch = Array(epoch)
        self.hasEpoch = hasEpoch
        self.version = Array(rest)
        self.release = release.map { Array($0) }
    }

    private static let punctuation: Set<UInt8> = Set("._+~^".utf8)

    /// `lhs` against `rhs`: negative, zero or positive.
    static func compare(_ lhs: RPMVersion, _ rhs: RPMVersion) -> Int {
        let epoch = rpmvercmp(lhs.epoch, rhs.epoch)
        if epoch != 0 { return epoch }
        let version = rpmvercmp(lhs.version, rhs.version)
        if version != 0 { return version }
        guard let left = lhs.release, let right = rhs.release else { return 0 }
        return rpmvercmp(left, right)
    }

    /// rpm's `rpmvercmp` (rpmio/rpmvercmp.cc) on one part.
    static func rpmvercmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        func isSegment(_ byte: UInt8) -> Bool {
            ASCII.isAlphanumeric(byte) || byte == ASCII.tilde || byte == ASCII.caret
        }
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            while i < a.count && !isSegment(a[i]) { i += 1 }
            while j < b.count && !isSegment(b[j]) { j += 1 }
            let one = i < a.count ? a[i] : nil
            let two = j < b.count ? b[j] : nil
            // `~` sorts before everything else, the end included.
            if one == ASCII.tilde || two == ASCII.tilde {
                if one != ASCII.tilde { return 1 }
                if two != ASCII.tilde { return -1 }
                i += 1
                j += 1
                continue
            }
            // `^` as `~`, except that it sorts after the end of the other version.
            if one == ASCII.caret || two == ASCII.caret {
                if one == nil { return -1 }
                if two == nil { return 1 }
                if one != ASCII.caret { return 1 }
                if two != ASCII.caret { return -1 }
                i += 1
                j += 1
                continue
            }
            guard i < a.count, j < b.count else { break }
            let isNumber = ASCII.isDigit(a[i])
            let inSegment = { (byte: UInt8) in isNumber ? ASCII.isDigit(byte) : ASCII.isLetter(byte) }
            var endA = i
            while endA < a.count && inSegment(a[endA]) { endA += 1 }
            var endB = j
            while endB < b.count && inSegment(b[endB]) { endB += 1 }
            // Segments of different kinds: a number is newer than letters.
            if endB == j { return isNumber ? 1 : -1 }
            if isNumber {
                while i < endA && a[i] == ASCII.zero { i += 1 }
                while j < endB && b[j] == ASCII.zero { j += 1 }
                if endA - i != endB - j { return endA - i > endB - j ? 1 : -1 }
            }
            let order = ASCII.compare(a[i..<endA], b[j..<endB])
            if order != 0 { return order }
            i = endA
            j = endB
        }
        if i >= a.count && j >= b.count { return 0 }
        return i >= a.count ? -1 : 1
    }
}

/// An Alpine package version, ordered as apk-tools orders it (`src/version.c`):
/// `digits{.digits}{letter}{_suffix{digits}}…{~hash}{-rN}`.
///
/// Parts compare in turn: the first number by value; later numbers by value, or as text when
/// either starts with `0` (`1.05` < `1.5`); a letter as text; suffixes `_alpha` < `_beta` <
/// `_pre` < `_rc` < none < `_cvs` < `_svn` < `_git` < `_hg` < `_p`, each with its number by
/// value; a commit hash as text; the revision `-rN` by value. When one version runs out first
/// the other is newer, unless what it has next is a pre-release suffix (`1.2_rc1` < `1.2` <
/// `1.2-r0` < `1.2_p1`). A version apk would refuse (`1.0-1`, `1.0bc`) is not an apk version.
struct APKVersion: Sendable, Hashable {
    let text: [UInt8]

    init?(_ text: String) {
        let bytes = Array(text.utf8.trimmingASCIISpaces)
        var reader = Reader(bytes)
        while reader.token.kind < .end { reader.advance() }
        guard reader.token.kind == .end else { return nil }
        self.text = bytes
    }

    /// `lhs` against `rhs`: negative, zero or positive.
    static func compare(_ lhs: APKVersion, _ rhs: APKVersion) -> Int {
        var left = Reader(lhs.text)
        var right = Reader(rhs.text)
        while left.token.kind == right.token.kind && left.token.kind < .end {
            let order = Token.compare(left.token, right.token, in: lhs.text, rhs.text)
            if order != 0 { return order }
            left.advance()
            right.advance()
        }
        let a = left.token
        let b = right.token
        if a.kind == b.kind { return 0 }
        if a.kind == .suffix && a.suffix < Token.noSuffix { return -1 }
        if b.kind == .suffix && b.suffix < Token.noSuffix { return 1 }
        if a.kind > b.kind { return -1 }
        if b.kind > a.kind { return 1 }
        return 0
    }

    /// apk-tools' token kinds, in the order that bounds which may follow which.
    enum Kind: Int, Comparable {
        case initialDigit, digit, letter, suffix, suffixNumber, commitHash, revision, end, invalid

        static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    struct Token {
        var kind: Kind
        /// The token's bytes (a number's digits, a letter, a suffix's name, a hash).
        var value: Range<Int> = 0..<0
        /// A suffix's rank: `alpha` 1 … `rc` 4, none 5, `cvs` 6 … `p` 10.
        var suffix = 0

        static let noSuffix = 5
        static let suffixes: [String: Int] = [
            "alpha": 1, "beta": 2, "pre": 3, "rc": 4, "cvs": 6, "svn": 7, "git": 8, "hg": 9, "p": 10,
        ]

        static func compare(_ a: Token, _ b: Token, in left: [UInt8], _ right: [UInt8]) -> Int {
            let x = left[a.value]
            let y = right[b.value]
            switch a.kind {
            case .digit where x.first == ASCII.zero || y.first == ASCII.zero:
                // A later number with a leading zero compares as text, as in Gentoo's rules.
                return ASCII.compare(x, y)
            case .initialDigit, .digit, .suffixNumber, .revision:
                return ASCII.compareNumbers(x, y)
            case .suffix:
                return a.suffix == b.suffix ? 0 : (a.suffix < b.suffix ? -1 : 1)
            default:
                return ASCII.compare(x, y)
            }
        }
    }

    /// Reads a version token by token, as apk-tools' `token_first` and `token_next` do.
    struct Reader {
        let bytes: [UInt8]
        var position = 0
        var token = Token(kind: .initialDigit)

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            readDigits()
        }

        mutating func advance() {
            guard position < bytes.count else {
                token.kind = .end
                return
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard token.kind <= .digit else { return invalidate() }
                token.kind = .letter
                token.value = position..<(position + 1)
                position += 1
            case ASCII.dot, ASCII.zero...ASCII.nine:
                if byte == ASCII.dot {
                    guard token.kind <= .digit else { return invalidate() }
                    position += 1
                }
                switch token.kind {
                case .initialDigit, .digit: token.kind = .digit
                case .suffix: token.kind = .suffixNumber
                default: return invalidate()
                }
                readDigits()
            case UInt8(ascii: "_"):
                guard token.kind <= .suffixNumber else { return invalidate() }
                position += 1
                let start = position
                while position < bytes.count, ASCII.isLowercase(bytes[position]) { position += 1 }
                token.value = start..<position
                guard let rank = Token.suffixes[String(decoding: bytes[start..<position], as: UTF8.self)] else {
                    return invalidate()
                }
                token.kind = .suffix
                token.suffix = rank
            case ASCII.tilde:
                guard token.kind < .commitHash else { return invalidate() }
                position += 1
                let start = position
                while position < bytes.count, ASCII.isHexDigit(bytes[position]) { position += 1 }
                guard position > start else { return invalidate() }
                token.kind = .commitHash
                token.value = start..<position
            case ASCII.dash:
                guard token.kind < .revision, position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "r")
                else { return invalidate() }
                position += 2
                token.kind = .revision
                readDigits()
            default:
                invalidate()
            }
        }

        private mutating func readDigits() {
            let start = position
            while position < bytes.count, ASCII.isDigit(bytes[position]) { position += 1 }
            token.value = start..<position
            if position == start { token.kind = .invalid }
        }

        private mutating func invalidate() { token.kind = .invalid }
    }
}

/// ASCII classes and comparisons on bytes, as the C package managers use them (never locale's).
enum ASCII {
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let colon = UInt8(ascii: ":")
    static let dash = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let tilde = UInt8(ascii: "~")
    static let caret = UInt8(ascii: "^")

    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }
    static func isLowercase(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    static func isLetter(_ byte: UInt8) -> Bool {
        isLowercase(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// Byte-wise, a prefix first (`memcmp`, then the length).
    static func compare(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Runs of digits by value, however long.
    static func compareNumbers(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        let x = a.drop { $0 == zero }
        let y = b.drop { $0 == zero }
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        return compare(x, y)
    }

    /// A run of digits as a number; nil when empty, not digits, or too long.
    static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - zero) }
    }
}

extension String.UTF8View {
    /// The bytes without leading and trailing ASCII spaces and tabs.
    fileprivate var trimmingASCIISpaces: Substring.UTF8View.SubSequence {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let trimmed = self[...].drop(while: isSpace)
        var end = trimmed.endIndex
        while end > trimmed.startIndex, isSpace(trimmed[trimmed.index(before: end)]) {
            end = trimmed.index(before: end)
        }
        return trimmed[trimmed.startIndex..<end]
    }
}
