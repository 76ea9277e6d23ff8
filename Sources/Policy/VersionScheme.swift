import Findings

/// How the versions of a package are ordered: by the package manager that installed it.
///
/// Operating-system packages are not semantic versions: Debian's `2.36-9+deb12u4` carries a
/// Debian revision after `-` and a security update after `+`, RPM's `3.0.7-24.el9` a release,
/// Alpine's `1.36.1-r4` a package revision. Each is compared as its package manager compares it.
public enum VersionScheme: String, Sendable, Hashable, CaseIterable {
    /// Language packages: "semver-ish", as ``PackageVersion`` reads them.
    case semver
    /// Debian and Ubuntu packages: dpkg's order (Debian Policy 5.6.12).
    case dpkg
    /// RPM packages (Red Hat, CentOS, Fedora, Amazon, Oracle, SUSE, Photon, Alma, Rocky, Azure
    /// Linux): rpm's order of `[epoch:]version[-release]`.
    case rpm
    /// Alpine, Wolfi and Chainguard packages: apk-tools' order.
    case apk

    /// The scheme of the packages of `ecosystem` (as ScanGate names ecosystems, any case); nil
    /// when ScanGate cannot compare its versions: `unknown` (the report did not say), and the
    /// operating systems whose package managers order versions otherwise (Arch's pacman,
    /// Bottlerocket).
    public init?(ecosystem: String) {
        let name = Ecosystems.currentName(ofOperatingSystem: ecosystem.lowercased())
        if Self.dpkgSystems.contains(name) {
            self = .dpkg
        } else if Self.rpmSystems.contains(name) {
            self = .rpm
        } else if Self.apkSystems.contains(name) {
            self = .apk
        } else if Ecosystems.languages.contains(name) || Ecosystems.kubernetes.contains(name) {
            self = .semver
        } else {
            return nil
        }
    }

    /// The scheme of the OS package format a purl's type names (`pkg:deb/…`, `pkg:rpm/…`,
    /// `pkg:apk/…`); nil for any other purl.
    public init?(purl: String) {
        guard purl.utf8.count > 4, purl.prefix(4).lowercased() == "pkg:",
            let slash = purl.firstIndex(of: "/")
        else { return nil }
        switch purl[purl.index(purl.startIndex, offsetBy: 4)..<slash].lowercased() {
        case "deb": self = .dpkg
        case "rpm": self = .rpm
        case "apk": self = .apk
        default: return nil
        }
    }

    /// The scheme `package`'s versions follow; nil when it cannot be known.
    ///
    /// The ecosystem decides (Trivy's result type), except that a purl naming an OS package
    /// format decides for a package of a language or `unknown` result: an SBOM's Debian package
    /// can sit in a `pip` result. A purl contradicting an OS ecosystem (`pkg:rpm` in a Debian
    /// result) leaves the order unknown rather than picking one.
    public init?(package: Package) {
        let own = VersionScheme(ecosystem: package.ecosystem)
        guard let format = package.purl.flatMap(VersionScheme.init(purl:)) else {
            guard let own else { return nil }
            self = own
            return
        }
        let ownAllowsFormat =
            if let own { own == format || own == .semver } else { package.ecosystem.lowercased() == "unknown" }
        guard ownAllowsFormat else { return nil }
        self = format
    }

    /// What one of the scheme's versions is called in messages (`a Debian (dpkg) version`).
    public var versionName: String {
        switch self {
        case .semver: "a version of dot-separated numbers"
        case .dpkg: "a Debian (dpkg) version"
        case .rpm: "an RPM version"
        case .apk: "an Alpine (apk) version"
        }
    }

    /// Trivy's operating systems whose packages are dpkg's (Echo is Debian-based).
    static let dpkgSystems: Set<String> = ["debian", "ubuntu", "echo"]
    /// Trivy's operating systems whose packages are RPMs.
    static let rpmSystems: Set<String> = [
        "redhat", "centos", "centos-stream", "rocky", "alma", "amazon", "oracle", "photon", "suse", "opensuse",
        "opensuse-leap", "opensuse-tumbleweed", "sles", "slem", "cbl-mariner", "azurelinux", "fedora", "coreos",
    ]
    /// Trivy's operating systems whose packages are apk's (MinimOS and CleanStart are Wolfi-like).
    static let apkSystems: Set<String> = ["alpine", "wolfi", "chainguard", "minimos", "cleanstart"]
}

/// A version as the scheme of its package reads it.
enum SchemeVersion: Sendable, Hashable {
    case semver(PackageVersion)
    case dpkg(DpkgVersion)
    case rpm(RPMVersion)
    case apk(APKVersion)

    /// `text` read by `scheme`'s rules; nil when it is not a version of that scheme.
    init?(_ text: String, scheme: VersionScheme) {
        switch scheme {
        case .semver:
            guard let version = PackageVersion(text) else { return nil }
            self = .semver(version)
        case .dpkg:
            guard let version = DpkgVersion(text) else { return nil }
            self = .dpkg(version)
        case .rpm:
            guard let version = RPMVersion(text) else { return nil }
            self = .rpm(version)
        case .apk:
            guard let version = APKVersion(text) else { return nil }
            self = .apk(version)
        }
    }

    /// An installed version against a rule's bound, as ``compare(_:_:)`` except that a Debian or
    /// RPM bound written without an epoch takes the installed version's: fixed versions are
    /// copied from advisories and file names that leave the epoch out (RHEL's openssl is
    /// `1:3.0.7-24.el9`, its advisories say `3.0.7-24.el9`), and read as epoch 0 every bound would
    /// be older than any epoch-1 package (an `ignore` for `>=FIX` would pass the vulnerable one).
    static func compare(installed: SchemeVersion, toBound bound: SchemeVersion) -> Int? {
        switch (installed, bound) {
        case (.dpkg(let l), .dpkg(var r)) where !r.hasEpoch:
            r.epoch = l.epoch
            return DpkgVersion.compare(l, r)
        case (.rpm(let l), .rpm(var r)) where !r.hasEpoch:
            r.epoch = l.epoch
            return RPMVersion.compare(l, r)
        default:
            return compare(installed, bound)
        }
    }

    /// `lhs` against `rhs` (negative, zero, positive); nil when they are of different schemes.
    static func compare(_ lhs: SchemeVersion, _ rhs: SchemeVersion) -> Int? {
        switch (lhs, rhs) {
        case (.semver(let l), .semver(let r)): PackageVersion.compare(l, r)
        case (.dpkg(let l), .dpkg(let r)): DpkgVersion.compare(l, r)
        case (.rpm(let l), .rpm(let r)): RPMVersion.compare(l, r)
        case (.apk(let l), .apk(let r)): APKVersion.compare(l, r)
        default: nil
        }
    }
}
