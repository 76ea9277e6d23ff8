/// A report whose scan checked nothing: its tool ran and wrote a clean result, but found nothing
/// to look at (Trivy found no operating system and no package in an image, or did not scan the
/// packages of the one it found; ZAP raised no alert at all on any site; npm audited 0
/// dependencies). No finding in it is no evidence, so a policy may refuse to pass on it
/// (`empty-scans: fail`).
public struct EmptyScan: Sendable, Hashable {
    /// The report (the path as given).
    public var report: String
    /// Why it checked nothing, as one line (`npm audited 0 dependencies`).
    public var reason: String
    /// False when the report cannot tell a scan that checked nothing from a clean one (a Trivy
    /// SARIF run without results): no evidence either way, judged as an empty scan.
    public var isCertain: Bool

    public init(report: String, reason: String, isCertain: Bool = true) {
        self.report = report
        self.reason = reason
        self.isCertain = isCertain
    }
}
