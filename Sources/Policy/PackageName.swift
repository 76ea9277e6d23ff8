/// A package name as policy `package:` globs and waiver `package:` scopes see it: in the
/// ecosystems whose registries treat names written differently as one package, a glob matches
/// every way of writing the name, so that a rule for `django` fails what Trivy reports of
/// `Django`, and a waiver for `pyyaml` holds for `PyYAML`.
///
/// - PyPI (`pypi`): case-insensitive, and runs of `-`, `_` and `.` are one `-` (PEP 503:
///   `PyYAML`, `pyyaml`; `zope.interface`, `zope_interface`, `Zope-Interface`).
/// - NuGet (`nuget`) and Composer (`composer`): case-insensitive (`Newtonsoft.Json`,
///   `newtonsoft.json`; Composer names are lower-case, `Monolog/Monolog` is `monolog/monolog`).
///
/// Elsewhere names are compared as written: npm has distinct packages that differ only in case
/// (`JSONStream`, `jsonstream`), as do Maven, Go modules and RPM packages.
enum PackageName {
    /// How an ecosystem compares names.
    enum Folding {
        case exact, caseless, pep503
    }

    /// The folding of `ecosystem` (a finding's, in ScanGate's names: `pypi`, `nuget`, …).
    static func folding(of ecosystem: String) -> Folding {
        switch ecosystem.lowercased() {
        case "pypi": .pep503
        case "nuget", "composer": .caseless
        default: .exact
        }
    }

    /// Whether `glob` matches the package `name` of `ecosystem`: as written, or in the folded
    /// form the ecosystem treats as the same name.
    static func matches(_ glob: Glob, _ name: String, ecosystem: String) -> Bool {
        if glob.matches(name) { return true }
        switch folding(of: ecosystem) {
        case .exact:
            return false
        case .caseless:
            return glob.folded(lowercased).matches(name.lowercased())
        case .pep503:
            return glob.folded(pep503Scalar, collapsing: "-").matches(pep503(name))
        }
    }

    /// PEP 503's normal form: lower case, each run of `-`, `_` and `.` one `-` (by Unicode
    /// scalars, as globs compare text).
    static func pep503(_ name: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let folded = pep503Scalar(scalar)
            if folded == "-", result.last == "-" { continue }
            result.append(folded)
        }
        return String(result)
    }

    private static func pep503Scalar(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        scalar == "_" || scalar == "." ? "-" : lowercased(scalar)
    }

    /// The scalar lower-cased, when that is one scalar (it is for every letter a package name
    /// can hold).
    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let first = lower.first else { return scalar }
        return first
    }
}
