import Findings
import ScanGateJSON

/// Reads Trivy JSON reports of every shape Trivy has written:
///
/// - `null` and the pre-0.20 list of results (`[{Target, Vulnerabilities}]`);
/// - schema 2 (`{SchemaVersion: 2, ArtifactName, Results}`) for image, filesystem, repository,
///   config, SBOM and VM scans, with `Vulnerabilities`, `Misconfigurations`, `Secrets`,
///   `Licenses` and the suppressed `ExperimentalModifiedFindings`;
/// - both Kubernetes layouts (`{ClusterName, Resources}` and the v0.29–0.41
///   `{ClusterName, Vulnerabilities, Misconfigurations}`).
///
/// Missing or `null` arrays are empty; a value of the wrong type is an error naming its JSON
/// path. A Kubernetes resource that Trivy could not scan is a scan error, never "clean".
public enum TrivyAdapter {
    public static func parse(_ root: JSONValue, source: ReportSource) throws(ReportError) -> ParsedReport {
        try reading(source.name) { () throws(JSONAccessError) -> ParsedReport in
            var reader = TrivyReportReader(reportFile: source.name)
            return try reader.read(root)
        }
    }
}

/// Where a Trivy result sits: which artifact (scope), image and Kubernetes resource.
private struct TrivyContext {
    var scope: String
    var image: ImageReference?
    var resource: String?
    /// The directory a filesystem or repository scan ran on, relative to where Trivy ran
    /// (``TrivyReportReader/scanRoot(artifactType:artifactName:metadata:results:)``): its targets and
    /// package paths are relative to it. Nil when they are the project's own (`trivy fs .`).
    var scanRoot: String?

    /// `path` as relative to where Trivy ran: under ``scanRoot``, each leading `..` taking
    /// one directory off it (`../../aws-credentials/main.tf` of `tofu/clusters/sandbox` is
    /// `tofu/aws-credentials/main.tf`).
    func placed(_ path: String) -> String {
        guard let scanRoot, !path.hasPrefix("/") else { return path }
        if path.isEmpty || path == "." { return scanRoot }
        var root = scanRoot.split(separator: "/", omittingEmptySubsequences: false)
        var rest = Substring(path)
        while rest.hasPrefix("../"), let last = root.last, last != ".." {
            root.removeLast()
            rest = rest.dropFirst(3)
        }
        return root.isEmpty ? String(rest) : root.joined(separator: "/") + "/" + rest
    }
}

/// The failures of one check in one target that name no `Resource`
/// (``TrivyReportReader/misconfiguration(_:in:suppression:)``).
private struct UnnamedFailures {
    var count = 0
    /// Per message, the identity subjects its failures got, in the order they were first read:
    /// the k-th failure with a message in any result is the k-th failure of that message.
    var subjectsByMessage: [String: [[String]]] = [:]
    /// Per message, the result it was last read in and how many times there.
    var readInResult: [String: (result: Int, times: Int)] = [:]
}

private struct TrivyReportReader {
    let reportFile: String
    var toolVersion: String?
    var findings: [Finding] = []
    var scanErrors: [String] = []
    var warnings: [String] = []
    /// The scopes whose results were read, and the artifact's (``ParsedReport/scopesRead``).
    var scopesRead: Set<String> = []
    /// CVSS vectors repeat across thousands of vulnerabilities: one String each.
    private let vectors = JSONStringInterner()
    /// Secrets of the current result by rule and masked match, to tell repeats apart.
    private var secretOccurrences: [String: Int] = [:]
    /// Per scope, target and check: the failures without a `Resource` read so far, and per
    /// message the result it was first read in and the subject it got
    /// (``misconfiguration(_:in:suppression:)``). Kept across results: two results can name one
    /// target.
    private var unnamedFailures: [String: UnnamedFailures] = [:]
    /// The number of the result being read, counted from 1.
    private var resultNumber = 0
    private var scannedImages: [ScannedImage] = []
    /// The scope of the image a schema-2 image scan is of (``ParsedReport/imageScope``).
    private var imageScope: String?
    /// Why the scan checked nothing (``ParsedReport/checkedNothing``).
    private var checkedNothing: String?

    init(reportFile: String) {
        self.reportFile = reportFile
    }

    /// A legacy report (before schema 2) with no result: Trivy found no OS and no lock file.
    static let legacyNothingScanned = "the legacy Trivy report lists no result: Trivy found nothing to scan"

    /// A scan that checked nothing: `reason` for the policy (``ParsedReport/checkedNothing``),
    /// and the warning, with what may have caused it.
    private mutating func noteCheckedNothing(_ reason: String, hint: String? = nil) {
        checkedNothing = reason
        warnings.append(reason + (hint.map { " (\($0))" } ?? "") + ". No finding here means nothing was checked")
    }

    mutating func read(_ root: JSONValue) throws(JSONAccessError) -> ParsedReport {
        let variant: String
        switch root.kind {
        case .null:
            variant = "legacy-null"
            noteCheckedNothing(Self.legacyNothingScanned)
        case .array:
            variant = "legacy-list"
            // Legacy Trivy lists a result for the OS and each lock file it found, findings or not.
            if root.elements.isEmpty { noteCheckedNothing(Self.legacyNothingScanned) }
            // An image scan lists the image's OS result beside the lock files found in it: those
            // are in the image too (not the source tree), when the list names one image.
            let contexts = root.elements.map(Self.legacyContext(for:))
            let imageContexts = contexts.filter { $0.image != nil }
            let theImage = Set(imageContexts.compactMap(\.image)).count == 1 ? imageContexts.first : nil
            for (result, context) in zip(root.elements, contexts) {
                try readResult(result, context: context.image == nil ? theImage ?? context : context)
            }
        case .object:
            if root.has("ClusterName") {
                variant = try readKubernetes(root)
            } else {
                variant = try readSchema2(root)
            }
        default:
            throw root.error("expected a Trivy report (an object, a list of results or null), found \(root.kind)")
        }
        var report = ParsedReport(
            source: reportFile, format: .trivy, variant: variant, tool: "trivy", toolVersion: toolVersion,
            findings: findings, warnings: warnings, scanErrors: scanErrors, scannedImages: scannedImages,
            checkedNothing: checkedNothing)
        report.imageScope = imageScope
        report.scopesRead = scopesRead
        return report
    }

    // MARK: Report shapes

    private mutating func readSchema2(_ root: JSONValue) throws(JSONAccessError) -> String {
        // Trivy writes SchemaVersion (before it, ArtifactName with Results): a document with neither is
        // not a Trivy report, and reading it as one without results would be a silent pass.
        guard root.has("SchemaVersion") || root.has("ArtifactName") && root.has("Results") else {
            throw root.error(
                "not a Trivy report: there is no \"SchemaVersion\" (nor \"ArtifactName\" with \"Results\")")
        }
        try Self.refuseMiscasedKeys(in: root, of: Self.reportKeys)
        if let version = try root.int("SchemaVersion"), version != 2 {
            throw (root["SchemaVersion"] ?? root).error(
                "unsupported Trivy SchemaVersion \(version): ScanGate reads schema 2 and the older list format")
        }
        // Every schema-2 report names what it scanned; `{"SchemaVersion": 2}` with no result is
        // what a broken step leaves, and read as a scan of the source tree it would pass as clean.
        let listsAResult = try !(root.array("Results") ?? []).isEmpty
        guard root.has("ArtifactName") || root.has("ArtifactType") || listsAResult else {
            throw root.error(
                "a Trivy report that names nothing it scanned (no \"ArtifactName\" nor \"ArtifactType\") and "
                    + "lists no result: Trivy names what it scanned in every report")
        }
        toolVersion = try root.object("Trivy")?.string("Version")
        let artifactName = try root.string("ArtifactName") ?? ""
        let artifactType = try root.string("ArtifactType") ?? ""
        let metadata = try root.object("Metadata")
        if let system = try metadata?.object("OS"), try system.bool("EOSL") == true {
            // Trivy itself warns that its data for an end-of-life release is incomplete: the
            // distribution publishes no more fixes or advisories, so few findings is no assurance.
            let name = [try system.string("Family"), try system.string("Name")].compactMap { $0 }.joined(separator: " ")
            warnings.append(
                "\(artifactName.isEmpty ? "the scanned system" : artifactName) runs \(name.isEmpty ? "an OS" : name), "
                    + "which has reached its end of life: its vendor publishes no more fixes or advisories, so "
                    + "vulnerabilities found since are missing from this scan")
        }
        var context: TrivyContext
        switch artifactType {
        case "container_image":
            let image = try Self.image(named: artifactName, metadata: metadata)
            context = TrivyContext(scope: FindingIdentity.imageScope(image), image: image)
            imageScope = context.scope
        case "vm":
            context = TrivyContext(scope: "vm:" + artifactName)
        case "aws_account":
            context = TrivyContext(scope: "aws:" + artifactName)
        default:
            // filesystem, repository, cyclonedx, spdx: the project's own source tree.
            context = TrivyContext(scope: FindingIdentity.sourceScope)
            // Another type (`container-image`, a type newer than ScanGate) is read as the source
            // tree too, but said: an image's findings read so have no image to be scoped to.
            if !artifactType.isEmpty, !Self.sourceTreeArtifactTypes.contains(artifactType) {
                warnings.append(
                    "ArtifactType \"\(artifactType.prefix(60))\" is not one Trivy writes (container_image, vm, "
                        + "aws_account, filesystem, repository, cyclonedx, spdx): its findings are read as the source "
                        + "tree's, with no image")
            }
        }
        let results = try root.array("Results") ?? []
        context.scanRoot = try Self.scanRoot(
            artifactType: artifactType, artifactName: artifactName, metadata: metadata, results: results)
        // A VM's disk is scanned as an image is (its OS packages, then applications'): one with
        // no result, or none for the OS it detected, checked nothing (it passed as clean).
        if artifactType == "container_image" || artifactType == "vm" {
            let name = artifactName.isEmpty ? (artifactType == "vm" ? "the VM" : "the image") : artifactName
            if let unscanned = try Self.imageScanGap(results: results, metadata: metadata, scanned: name) {
                noteCheckedNothing(unscanned.reason, hint: unscanned.hint)
            } else if artifactType == "vm" {
                scopesRead.insert(context.scope)
            } else {
                // The image it scanned, for the release gate; not one where nothing was scanned.
                scannedImages.append(
                    ScannedImage(
                        report: reportFile, name: artifactName,
                        manifestDigests: (try metadata?.strings("RepoDigests") ?? []).compactMap(
                            ScannedImage.digest(ofRepositoryDigest:)),
                        configDigest: try metadata?.string("ImageID")))
            }
        } else {
            // Scanned whether or not a result is listed (a tree without a lock file has none);
            // an image with no result is a scan that checked nothing (above).
            scopesRead.insert(context.scope)
        }
        for result in results {
            try readResult(result, context: context)
        }
        return "schema-2"
    }

    /// Why an image scan did not scan the image's packages for vulnerabilities, or nil when it
    /// did. Whenever it looks for the OS packages' vulnerabilities Trivy lists their result
    /// (`os-pkgs`), none found included, so an OS it detected without that result was not looked
    /// at (`--scanners` or `--pkg-types` left it out, or the report was cut short); with no OS,
    /// the packages it scans are applications' (`lang-pkgs`). Results of other kinds alone
    /// (secrets, licenses, configuration) are read, but make no vulnerability scan of the image.
    /// `scanned`: the image (or VM) as the reasons name it.
    private static func imageScanGap(
        results: [JSONValue], metadata: JSONValue?, scanned image: String
    ) throws(JSONAccessError) -> (reason: String, hint: String)? {
        let osFamily = try metadata?.object("OS")?.string("Family") ?? ""
        let osName = try metadata?.object("OS")?.string("Name") ?? ""
        let system = osName.isEmpty ? osFamily : "\(osFamily) \(osName)"
        let classes = Set(results.compactMap { $0["Class"]?.stringValue })
        let detectedOS = !osFamily.isEmpty && osFamily != "none"
        let otherResults = "the report's other results are still read"
        switch (detectedOS, results.isEmpty) {
        case (false, true):
            // Every file skipped, a scratch image: a clean result that checked nothing.
            return (
                "Trivy detected no operating system in \(image) and listed no result: nothing in it was scanned",
                "skipped files or directories, an image without packages Trivy knows?"
            )
        case (true, true):
            return (
                "Trivy detected \(system) in \(image) but listed no result: its packages were not scanned for "
                    + "vulnerabilities",
                "--scanners or --pkg-types left them out, or the report was cut short"
            )
        case (true, false) where !classes.contains("os-pkgs"):
            return (
                "Trivy detected \(system) in \(image) but listed no result for its OS packages: they were not "
                    + "scanned for vulnerabilities",
                "--scanners or --pkg-types left them out; \(otherResults)"
            )
        case (false, false) where !classes.contains("lang-pkgs") && !classes.contains("os-pkgs"):
            return (
                "Trivy detected no operating system in \(image) and listed no package result: no package in it "
                    + "was scanned for vulnerabilities",
                "--scanners left vulnerabilities out, or an image without packages Trivy knows; \(otherResults)"
            )
        default:
            return nil
        }
    }

    private mutating func readKubernetes(_ root: JSONValue) throws(JSONAccessError) -> String {
        try Self.refuseMiscasedKeys(in: root, of: Self.kubernetesReportKeys)
        let cluster = try root.string("ClusterName").flatMap { $0.isEmpty ? nil : $0 }
        // v0.42+: `Resources` (`--report all`), or `Findings` (`--report summary`, the default:
        // Trivy's `ConsolidatedReport`, the same resource objects with each resource's results
        // joined). v0.29–v0.41: the same resource objects, split by finding type.
        let layouts: [(keys: [String], variant: String)] = [
            (["Resources"], "kubernetes"), (["Findings"], "kubernetes-summary"),
            (["Vulnerabilities", "Misconfigurations"], "kubernetes-legacy"),
        ]
        // Trivy writes one layout; a document with two would be read by whichever came first.
        let present = layouts.filter { layout in layout.keys.contains(where: root.has) }
        if present.count > 1 {
            throw root.error(
                "a Trivy Kubernetes report has one resource list; this one has "
                    + present.flatMap(\.keys).filter(root.has).map { "\"\($0)\"" }.joined(separator: " and "))
        }
        for layout in layouts {
            var lists: [[JSONValue]] = []
            for key in layout.keys { if let list = try root.array(key) { lists.append(list) } }
            guard !lists.isEmpty else { continue }
            for resources in lists {
                for resource in resources { try readKubernetesResource(resource, cluster: cluster) }
            }
            if lists.allSatisfy(\.isEmpty) { noteNoResourceScanned(cluster) }
            return layout.variant
        }
        // Trivy leaves an empty resource list out: nothing says a resource was looked at.
        noteNoResourceScanned(cluster)
        return "kubernetes"
    }

    private mutating func noteNoResourceScanned(_ cluster: String?) {
        noteCheckedNothing(
            "Trivy's Kubernetes report lists no resource" + (cluster.map { " of cluster \($0)" } ?? ""),
            hint: "did the scan reach the cluster, with the namespaces and resource kinds intended?")
    }

    /// One resource's results. The cluster is named in the location (`default/Deployment/api
    /// (cluster prod-eu)`), not in the identity: the same workload in two clusters is one
    /// finding (its fingerprint unchanged from before clusters were read), with a location each.
    private mutating func readKubernetesResource(_ resource: JSONValue, cluster: String?) throws(JSONAccessError) {
        _ = try resource.requireObject()
        try Self.refuseMiscasedKeys(in: resource, of: Self.kubernetesResourceKeys)
        let namespace = try resource.string("Namespace")
        let kind = try resource.string("Kind") ?? "?"
        let name = try resource.string("Name") ?? "?"
        // Cluster-scoped resources have no namespace.
        let resourceName = [namespace, kind, name].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
        if let error = try resource.string("Error"), !error.isEmpty {
            // Trivy's message spans lines.
            scanErrors.append("Trivy could not scan \(resourceName): \(error.messageLine(atMost: 400))")
        }
        let results = try resource.array("Results") ?? []
        scopesRead.insert("k8s:" + resourceName)
        // An OS result's target names its image (`docker.io/bitnami/minio:2022 (debian 11.5)`); a
        // language result's names a file inside it (`opt/bitnami/minio/bin/minio`), so it belongs
        // to the resource's image when the resource has one, else to the resource itself.
        var osImages: [ImageReference] = []
        for result in results where try result.string("Class") == "os-pkgs" {
            let target = try result.string("Target") ?? ""
            if let image = Self.image(fromTarget: target, isOSResult: true), !osImages.contains(image) {
                osImages.append(image)
            }
        }
        for result in results {
            let image: ImageReference?
            switch try result.string("Class") {
            case "os-pkgs": image = Self.image(fromTarget: try result.string("Target") ?? "", isOSResult: true)
            case "lang-pkgs": image = osImages.count == 1 ? osImages.first : nil
            default: image = nil
            }
            var context = TrivyContext(
                scope: "k8s:" + resourceName,
                resource: cluster.map { "\(resourceName) (cluster \($0))" } ?? resourceName)
            if let image {
                // The same image's vulnerabilities, repeated per workload, are one finding.
                context.scope = FindingIdentity.imageScope(image)
                context.image = image
            }
            try readResult(result, context: context)
        }
    }

    // MARK: Keys

    /// The members of a schema-2 report, a result, and a Kubernetes report and resource that
    /// ScanGate reads.
    private static let reportKeys = JSONKeyTable([
        "SchemaVersion", "Trivy", "ArtifactName", "ArtifactType", "Metadata", "Results",
    ])
    private static let resultKeys = JSONKeyTable([
        "Target", "Class", "Type", "Vulnerabilities", "Misconfigurations", "MisconfSummary", "Secrets", "Licenses",
        "ExperimentalModifiedFindings",
    ])
    private static let kubernetesReportKeys = JSONKeyTable([
        "ClusterName", "Resources", "Findings", "Vulnerabilities", "Misconfigurations",
    ])
    private static let kubernetesResourceKeys = JSONKeyTable(["Namespace", "Kind", "Name", "Error", "Results"])

    /// Refuses a member of `object` named like one of `keys` but for letter case (`results`,
    /// `vulnerabilities`). Trivy writes its keys in one spelling; Go's JSON decoder, and so
    /// `trivy convert`, ignores case, but ScanGate matches keys exactly, so such a list would be
    /// read as absent: a report with its findings in it would pass as clean.
    private static func refuseMiscasedKeys(in object: JSONValue, of keys: JSONKeyTable) throws(JSONAccessError) {
        try refuseMiscasedKey(in: object.values(of: keys))
    }

    /// The same refusal for an entry's fields read through a key table (a `severity` would be
    /// read as absent: a critical vulnerability judged at `unknown-severity-as`).
    private static func refuseMiscasedKey(in fields: JSONMemberValues) throws(JSONAccessError) {
        if let miscased = fields.miscasedKey {
            throw miscasedKeyError(miscased.name, expected: miscased.expected, at: miscased.value)
        }
    }

    private static func miscasedKeyError(_ name: String, expected: String, at value: JSONValue) -> JSONAccessError {
        value.error(
            "\"\(name)\" is not Trivy's spelling \"\(expected)\": ScanGate reads keys exactly as Trivy writes them "
                + "and would read this one as absent, so the report is refused")
    }

    /// The artifact types whose findings are the project's own source tree.
    private static let sourceTreeArtifactTypes: Set<String> = ["filesystem", "repository", "cyclonedx", "spdx"]

    /// The directory a filesystem or repository scan ran on, relative to where Trivy ran: `trivy
    /// fs services/a` writes `ArtifactName: services/a` and targets relative to it
    /// (`package-lock.json`). Read as written, two services' scans were one lock file, a finding
    /// in the second known from a baseline of the first, and GitHub pointed at the wrong file.
    /// A file scanned on its own (`trivy fs package-lock.json`, `trivy config main.tf`, a jar)
    /// names itself in its results (its target or package path is its name): its directory.
    /// Nil for the current directory, an absolute path, a URL (`trivy repo https://…`, or
    /// `github.com/org/repo` without a scheme: its paths are the repository's), a root file system
    /// (an OS found: its paths are the system's, and Trivy names it by its `/etc/hostname`), and
    /// other artifact types.
    private static func scanRoot(
        artifactType: String, artifactName: String, metadata: JSONValue?, results: [JSONValue]
    ) throws(JSONAccessError) -> String? {
        guard artifactType == "filesystem" || artifactType == "repository", try metadata?.object("OS") == nil
        else { return nil }
        // Trivy on Windows writes the name as given (`services\a`).
        var name = Substring(artifactName.replacingOccurrences(of: "\\", with: "/"))
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        while name.hasSuffix("/.") { name = name.dropLast(2) }
        while name.hasSuffix("/") { name = name.dropLast() }
        // A drive letter, a URL or `git@host:repo` has a colon; a relative path hardly ever.
        guard !name.isEmpty, name != ".", !name.hasPrefix("/"), !name.contains(":") else { return nil }
        for result in results where result.kind == .object {
            if try result.string("Class") == "os-pkgs" { return nil }
        }
        let segments = name.split(separator: "/")
        if artifactType == "repository", segments.count > 1, segments[0].contains(".") { return nil }
        let last = segments.last.map(String.init) ?? String(name)
        // A file scanned on its own: every target its results give is its name or `.`, and every
        // file path is it or inside it (a war's `app.war/WEB-INF/lib/x.jar`). A directory's name
        // can be one of its files' too (`dist/server` holding the binary `server`): another file
        // among them makes it the directory. The first package or file path of a result stands for
        // the rest of it.
        var namesItself = false
        for result in results {
            // Not an object: refused where the result is read, with its own message.
            guard result.kind == .object else { continue }
            if let target = try result.string("Target"), target != ".",
                Self.targetIsPath(resultClass: try result.string("Class"), target: target)
            {
                guard target == last else { return String(name) }
                namesItself = true
            }
            var firstPath = try result.array("Vulnerabilities")?.first?.string("PkgPath")
            if firstPath == nil { firstPath = try result.array("Licenses")?.first?.string("FilePath") }
            if let path = firstPath, !path.isEmpty, path != "." {
                guard path == last || path.hasPrefix(last + "/") else { return String(name) }
                namesItself = true
            }
        }
        guard namesItself else { return String(name) }
        return name.lastIndex(of: "/").map { String(name[..<$0]) }
    }

    /// Whether a result's target is a file or directory of the scan, not a name Trivy gives what
    /// it found one by one or in aggregate: a language's (`Java` for jars, `Node.js`; a jar of
    /// Trivy 0.20 is its path), `OS Packages` and `Loose File License(s)` of license results, an
    /// OS's (`build/rootfs (alpine 3.18.0)`). A license result's target is its lock file.
    static func targetIsPath(resultClass: String?, target: String) -> Bool {
        switch resultClass {
        case "os-pkgs", "license-file", "custom": false
        default: !pseudoTargets.contains(target)
        }
    }

    /// What Trivy names results that are no file of the scan: the languages whose packages it
    /// finds one by one (each with its own path), and license results without a lock file.
    private static let pseudoTargets: Set<String> = [
        "Java", "Node.js", "Python", "Ruby", "Conda", "PHP", "Go", "Rust", ".NET", "Julia", "Dart", "Swift",
        "Elixir", "C/C++", "OS Packages", "Loose File License(s)",
    ]

    // MARK: Results

    private mutating func readResult(_ result: JSONValue, context: TrivyContext) throws(JSONAccessError) {
        _ = try result.requireObject()
        try Self.refuseMiscasedKeys(in: result, of: Self.resultKeys)
        // Trivy writes `Target` in every result (it has no `omitempty`); a result without one was
        // not written by Trivy, and reading it as "nothing found here" would be a silent pass.
        guard let target = try result.string("Target") else {
            throw result.error("a result without \"Target\": Trivy names what every result scanned")
        }
        let resultClass = try result.string("Class")
        let type = try result.string("Type")
        let resultInfo = ResultInfo(target: target, resultClass: resultClass, type: type, context: context)
        scopesRead.insert(context.scope)
        secretOccurrences = [:]
        resultNumber += 1

        for vulnerability in try result.array("Vulnerabilities") ?? [] {
            findings.append(try self.vulnerability(vulnerability, in: resultInfo, suppression: nil))
        }
        var failuresListed = 0
        for misconfiguration in try result.array("Misconfigurations") ?? [] {
            if let finding = try self.misconfiguration(misconfiguration, in: resultInfo, suppression: nil) {
                findings.append(finding)
                if finding.isOpen { failuresListed += 1 }
            }
        }
        // Trivy counts the failed checks in the summary after its own filters (v0.3x+), so more
        // failures counted than listed means some were left out: by an older Trivy's --severity,
        // which it still counted, or by an edit. Said, since the gate cannot judge what is not
        // there.
        if let counted = try result.object("MisconfSummary")?.int("Failures"), counted > failuresListed {
            warnings.append(
                "\(result.location): MisconfSummary counts \(counted) failed check\(counted == 1 ? "" : "s") for "
                    + "\(target) but \(failuresListed) \(failuresListed == 1 ? "is" : "are") listed: the others were "
                    + "filtered out (an older Trivy's --severity) or removed from the report, and are not judged")
        }
        for secret in try result.array("Secrets") ?? [] {
            findings.append(try self.secret(secret, in: resultInfo, suppression: nil))
        }
        for license in try result.array("Licenses") ?? [] {
            findings.append(try self.license(license, in: resultInfo, suppression: nil))
        }
        for modified in try result.array("ExperimentalModifiedFindings") ?? [] {
            if let finding = try self.modifiedFinding(modified, in: resultInfo) { findings.append(finding) }
        }
    }

    /// A finding that a `.trivyignore`, an ignore policy or a VEX document suppressed (v0.55+):
    /// kept as suppressed, never counted as open.
    private mutating func modifiedFinding(_ modified: JSONValue, in result: ResultInfo) throws(JSONAccessError)
        -> Finding?
    {
        _ = try modified.requireObject()
        let type = try modified.string("Type") ?? "vulnerability"
        let suppression = Suppression(
            source: try modified.string("Source") ?? "trivy", status: try modified.string("Status") ?? "ignored",
            statement: try modified.string("Statement"))
        guard let inner = try modified.object("Finding") else {
            throw modified.error("a suppressed finding without its \"Finding\" object")
        }
        switch type {
        case "vulnerability": return try vulnerability(inner, in: result, suppression: suppression)
        case "misconfiguration": return try misconfiguration(inner, in: result, suppression: suppression)
        case "secret": return try secret(inner, in: result, suppression: suppression)
        case "license": return try license(inner, in: result, suppression: suppression)
        default:
            // Skipped, a finding the policy judges even when Trivy suppressed it would be lost.
            throw (modified["Type"] ?? modified).error(
                "a suppressed finding of unknown type \"\(type)\" (Trivy writes vulnerability, misconfiguration, "
                    + "secret or license)")
        }
    }

    private struct ResultInfo {
        var target: String
        var context: TrivyContext
        /// From the result's `Type` and `Class`, once per result rather than once per finding.
        let ecosystem: String
        let isLanguagePackages: Bool

        init(target: String, resultClass: String?, type: String?, context: TrivyContext) {
            // Under the scan's root, but for the names Trivy gives what it found one by one or in
            // aggregate (`Java` for jars, each of which names its file as its package path).
            self.target =
                TrivyReportReader.targetIsPath(resultClass: resultClass, target: target)
                ? context.placed(target) : target
            self.context = context
            ecosystem = TrivyAdapterMaps.ecosystem(forType: type ?? TrivyAdapterMaps.legacyType(ofTarget: target))
            // `Class` arrived in v0.18: before it, a language ecosystem's result is a lock file's.
            isLanguagePackages = resultClass.map { $0 == "lang-pkgs" } ?? Ecosystems.languages.contains(ecosystem)
        }
    }

    // MARK: Finding kinds

    /// The keys of a vulnerability, read in one pass: a 100 MB report has 40,000 of them.
    private enum VulnerabilityKey: Int, CaseIterable {
        case id, packageName, installed, fixed, packagePath, legacyPURL, packageIdentifier, references, primaryURL
        case severitySource, severity, vendorSeverity, cvss, title, description, cweIDs, status, vendorIDs

        static let table = JSONKeyTable(
            allCases.map {
                switch $0 {
                case .id: "VulnerabilityID"
                case .packageName: "PkgName"
                case .installed: "InstalledVersion"
                case .fixed: "FixedVersion"
                case .packagePath: "PkgPath"
                case .legacyPURL: "Ref"
                case .packageIdentifier: "PkgIdentifier"
                case .references: "References"
                case .primaryURL: "PrimaryURL"
                case .severitySource: "SeveritySource"
                case .severity: "Severity"
                case .vendorSeverity: "VendorSeverity"
                case .cvss: "CVSS"
                case .title: "Title"
                case .description: "Description"
                case .cweIDs: "CweIDs"
                case .status: "Status"
                case .vendorIDs: "VendorIDs"
                }
            })
    }

    private func vulnerability(_ value: JSONValue, in result: ResultInfo, suppression: Suppression?)
        throws(JSONAccessError) -> Finding
    {
        _ = try value.requireObject()
        let fields = value.values(of: VulnerabilityKey.table)
        try Self.refuseMiscasedKey(in: fields)
        func string(_ key: VulnerabilityKey) throws(JSONAccessError) -> String? { try fields.string(key.rawValue) }
        guard let id = try string(.id), !id.isEmpty else {
            throw value.error("a vulnerability without \"VulnerabilityID\"")
        }
        guard let packageName = try string(.packageName), !packageName.isEmpty else {
            throw value.error("vulnerability \(id) has no \"PkgName\"")
        }
        let installed = try string(.installed)
        let fixedText = try string(.fixed) ?? ""
        // A list of fixed versions (`1.2.4, 2.0.1`); a range's upper bound after a lower one
        // (`>= 3.1.0, >= 2.1.3, < 3.0.0`: 3.1.0 or later, or 2.1.3 up to 3.0.0) stays with it.
        var fixedVersions: [String] = []
        for part in fixedText.split(separator: ",") {
            let version = part.trimmingSpaces
            if version.isEmpty { continue }
            if version.hasPrefix("<"), let last = fixedVersions.last, last.hasPrefix(">"), !last.contains("<") {
                fixedVersions[fixedVersions.count - 1] = last + ", " + version
            } else {
                fixedVersions.append(version)
            }
        }
        let packagePath = try string(.packagePath).map { $0.isEmpty ? $0 : result.context.placed($0) }
        let legacyPURL = try string(.legacyPURL)
        let purl = try fields.object(VulnerabilityKey.packageIdentifier.rawValue)?.string("PURL") ?? legacyPURL
        var references = try fields.strings(VulnerabilityKey.references.rawValue)
        if let primaryURL = try string(.primaryURL) { references.append(primaryURL) }
        let ratings = try ratings(fields, withSeveritySource: true)
        var packagePaths: [String] = []
        if let packagePath, !packagePath.isEmpty {
            packagePaths.append(packagePath)
        } else if result.isLanguagePackages && !result.target.isEmpty {
            packagePaths.append(result.target)
        }
        let package = Package(
            ecosystem: result.ecosystem, name: packageName, installedVersion: installed, purl: purl,
            fixedVersions: fixedVersions, fixAvailable: !fixedVersions.isEmpty, paths: packagePaths)
        let location = Location(
            image: result.context.image, target: result.target.isEmpty ? nil : result.target,
            path: result.isLanguagePackages ? (packagePath ?? result.target) : packagePath,
            resource: result.context.resource)
        let title = try string(.title) ?? "\(id) in \(packageName) \(installed ?? "")"
        // Trivy 0.69+ names the GitHub advisory in `VendorIDs` (with DSA, RHSA, USN… ids, which
        // cover several CVEs each and are not aliases of one): the GHSA is how npm audit names
        // the same vulnerability, and links to it are missing from many References.
        let vendorGHSAs = try fields.strings(VulnerabilityKey.vendorIDs.rawValue).map(Identifiers.normalize)
            .filter(Identifiers.isGHSA)
        return Finding(
            kind: .vulnerability, ruleID: id,
            aliases: vendorGHSAs + Identifiers.aliases(inReferences: references, besides: [id] + vendorGHSAs),
            title: title, description: try string(.description),
            remediation: fixedVersions.isEmpty
                ? nil : "Upgrade \(packageName) to \(fixedVersions.joined(separator: " or "))",
            ratings: ratings, package: package, locations: [location],
            cwes: try fields.strings(VulnerabilityKey.cweIDs.rawValue),
            references: references,
            provenance: [Provenance(tool: "trivy", toolVersion: toolVersion, reportFile: reportFile, rawID: id)],
            status: try string(.status), suppression: suppression,
            identity: FindingIdentity(
                kind: .vulnerability, scope: result.context.scope,
                subject: [result.ecosystem, packageName, installed ?? ""])
        ).finalized()
    }

    /// Trivy's own verdict plus every authority it cites (`VendorSeverity`, `CVSS`), from a
    /// finding's values for ``VulnerabilityKey/table`` (misconfigurations, secrets and licenses
    /// carry the same three keys).
    private func ratings(_ fields: JSONMemberValues, withSeveritySource: Bool)
        throws(JSONAccessError) -> [SeverityRating]
    {
        // Misconfigurations, secrets and licenses are read for their rating through this table.
        try Self.refuseMiscasedKey(in: fields)
        var ratings: [SeverityRating] = []
        // Vulnerabilities name where Trivy's severity came from; the other kinds are not read for it.
        let severitySource = withSeveritySource ? try fields.string(VulnerabilityKey.severitySource.rawValue) : nil
        let severityLabel = try fields.string(VulnerabilityKey.severity.rawValue)
        if let severityLabel {
            guard let severity = TrivyAdapterMaps.severity(label: severityLabel) else {
                throw (fields[VulnerabilityKey.severity.rawValue] ?? fields.object)
                    .error(
                        "unknown Trivy severity \"\(severityLabel)\" (Trivy writes CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN)"
                    )
            }
            let label = severitySource.map { "\(severityLabel) (from \($0))" } ?? severityLabel
            ratings.append(SeverityRating(source: "trivy", severity: severity, label: label, isToolVerdict: true))
        }
        // Small lists instead of dictionaries (a vulnerability cites two or three sources), joined
        // by source once sorted: linear in a hostile report's thousands of sources too. The JSON
        // reader refuses a key twice in one object, so each source is named once in each.
        var vendorSeverities: [(source: String, level: Int)] = []
        vendorSeverities.reserveCapacity(4)
        if let vendor = try fields.object(VulnerabilityKey.vendorSeverity.rawValue) {
            for (source, level) in vendor.members {
                // Trivy writes 0–4 only: another number (5, -1) is no level it knows, and read as
                // "unknown" it would pass a `severity-source` policy trusting that vendor.
                guard let number = level.intValue, (0...4).contains(number) else {
                    throw level.error("expected a severity number 0–4, found \(level.scalarText ?? "\(level.kind)")")
                }
                vendorSeverities.append((source, number))
            }
        }
        var scores: [(source: String, scores: [CVSSScore])] = []
        scores.reserveCapacity(4)
        if let cvss = try fields.object(VulnerabilityKey.cvss.rawValue) {
            for (source, entry) in cvss.members {
                _ = try entry.requireObject()
                let values = entry.values(of: Self.cvssTable)
                try Self.refuseMiscasedKey(in: values)
                var list: [CVSSScore] = []
                list.reserveCapacity(Self.cvssVersions.count)
                for (position, version) in Self.cvssVersions.enumerated() {
                    let vector = try vectors.string(values[2 * position]).flatMap { $0.isEmpty ? nil : $0 }
                    let score = try cvssScore(values.double(2 * position + 1), at: values[2 * position + 1] ?? entry)
                    if vector != nil || score != nil {
                        list.append(CVSSScore(version: version, vector: vector, score: score))
                    }
                }
                scores.append((source, list))
            }
        }
        if vendorSeverities.count > 1 { vendorSeverities.sort { $0.source < $1.source } }
        if scores.count > 1 { scores.sort { $0.source < $1.source } }
        // Exactly, at most: the list is kept in the finding.
        ratings.reserveCapacity(ratings.count + vendorSeverities.count + scores.count)
        var (nextLevel, nextScores) = (0, 0)
        while nextLevel < vendorSeverities.count || nextScores < scores.count {
            let source =
                nextScores == scores.count
                    || (nextLevel < vendorSeverities.count
                        && vendorSeverities[nextLevel].source <= scores[nextScores].source)
                ? vendorSeverities[nextLevel].source : scores[nextScores].source
            var level: Int?
            if nextLevel < vendorSeverities.count, vendorSeverities[nextLevel].source == source {
                level = vendorSeverities[nextLevel].level
                nextLevel += 1
            }
            var cvss: [CVSSScore] = []
            if nextScores < scores.count, scores[nextScores].source == source {
                cvss = scores[nextScores].scores
                nextScores += 1
            }
            ratings.append(
                SeverityRating(
                    source: source, severity: level.map(TrivyAdapterMaps.severity(vendorLevel:)),
                    label: level.map(Self.vendorSeverityLabels.label), cvss: cvss))
        }
        return ratings
    }

    /// `VendorSeverity 3`, for Trivy's vendor levels 0–4.
    private static let vendorSeverityLabels = NumberedLabels("VendorSeverity", numbers: 0...4)

    /// The CVSS versions Trivy writes, highest first; `cvssTable` holds each one's vector and
    /// score keys, in that order.
    private static let cvssVersions: [CVSSVersion] = [.v4, .v3, .v2]
    private static let cvssTable = JSONKeyTable(["V40Vector", "V40Score", "V3Vector", "V3Score", "V2Vector", "V2Score"])

    private mutating func misconfiguration(_ value: JSONValue, in result: ResultInfo, suppression: Suppression?)
        throws(JSONAccessError) -> Finding?
    {
        _ = try value.requireObject()
        var suppression = suppression
        switch try value.string("Status") ?? "FAIL" {
        case "PASS": return nil
        case "EXCEPTION":
            suppression = suppression ?? Suppression(source: "trivy", status: "exception")
        default: break
        }
        let rawID = try value.string("ID")
        let avdID = try value.string("AVDID")
        guard let checkID = TrivyAdapterMaps.checkID(avdID ?? rawID ?? "") else {
            throw value.error("a misconfiguration without \"ID\" or \"AVDID\"")
        }
        let cause = try value.object("CauseMetadata")
        let causeResource = try cause?.string("Resource")
        let message = try value.string("Message")
        let description = [message, try value.string("Description")].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: "\n\n")
        let references = try value.strings("References") + [try value.string("PrimaryURL")].compactMap { $0 }
        let ratings = try ratings(value.values(of: VulnerabilityKey.table), withSeveritySource: false)
        let location = Location(
            image: result.context.image, target: result.target.isEmpty ? nil : result.target,
            path: result.target.isEmpty ? nil : result.target, startLine: try cause?.int("StartLine"),
            endLine: try cause?.int("EndLine"), resource: causeResource ?? result.context.resource)
        let title = try value.string("Title") ?? checkID
        // Trivy names no `Resource` in a Kubernetes manifest or Dockerfile: one check failing for
        // two containers of a file was one finding, and a container added beside a known one was
        // not new. The first failure keeps the identity it always had; later ones are told apart
        // by Trivy's message (which names the container), then by their number.
        // Two results can name one target (a file scanned as two types): the k-th failure with a
        // message in a result is the k-th failure with it in an earlier one, the same failure
        // again; one with another message, or more of one message, is another (it was merged
        // into the first of its result's target, and lost).
        var subject = [result.target, causeResource ?? ""]
        if causeResource == nil {
            let key = [result.context.scope, result.target, checkID].joined(separator: "\u{0}")
            // Taken out while it changes, so that its tables are changed in place: copied from
            // the dictionary, each failure copied them whole (tens of thousands of failures of
            // one check in one file took minutes; found by a review).
            var failures = unnamedFailures.removeValue(forKey: key) ?? UnnamedFailures()
            let messageText = message ?? ""
            let earlierHere = failures.readInResult[messageText].flatMap { $0.result == resultNumber ? $0.times : nil }
            let times = (earlierHere ?? 0) + 1
            failures.readInResult[messageText] = (resultNumber, times)
            let knownCount = failures.subjectsByMessage[messageText]?.count ?? 0
            if times <= knownCount, let known = failures.subjectsByMessage[messageText]?[times - 1] {
                subject = known
            } else {
                failures.count += 1
                if failures.count > 1 {
                    subject.append(
                        !messageText.isEmpty && knownCount == 0 ? messageText : "occurrence \(failures.count)")
                }
                failures.subjectsByMessage[messageText, default: []].append(subject)
            }
            unnamedFailures[key] = failures
        }
        return Finding(
            kind: .misconfiguration, ruleID: checkID,
            aliases: [rawID, avdID].compactMap { $0 }.filter { $0 != checkID },
            title: title, description: description.isEmpty ? nil : description,
            remediation: try value.string("Resolution"), ratings: ratings, locations: [location],
            references: references,
            provenance: [
                Provenance(tool: "trivy", toolVersion: toolVersion, reportFile: reportFile, rawID: rawID ?? checkID)
            ],
            status: try value.string("Status"), suppression: suppression,
            identity: FindingIdentity(kind: .misconfiguration, scope: result.context.scope, subject: subject)
        ).finalized()
    }

    /// A secret Trivy found. Its `Match` (the line, with the secret masked) is never copied into
    /// the finding's text: Trivy does not always mask every secret of a line (aquasecurity/trivy
    /// #3847), and the finding's text goes to SARIF uploads, reports and baselines. It only tells
    /// secrets apart, inside the fingerprint's hash.
    private mutating func secret(_ value: JSONValue, in result: ResultInfo, suppression: Suppression?)
        throws(JSONAccessError) -> Finding
    {
        _ = try value.requireObject()
        guard let ruleID = try value.string("RuleID"), !ruleID.isEmpty else {
            throw value.error("a secret without \"RuleID\"")
        }
        let category = try value.string("Category")
        let match = try value.string("Match")
        let ratings = try ratings(value.values(of: VulnerabilityKey.table), withSeveritySource: false)
        let line = try value.int("StartLine")
        let location = Location(
            image: result.context.image, path: result.target.isEmpty ? nil : result.target, startLine: line,
            endLine: try value.int("EndLine"), resource: result.context.resource)
        let description =
            "A secret (\(category.map { $0 + ", " } ?? "")rule \(ruleID)) was found in \(result.target)"
            + (line.map { " at line \($0)" } ?? "") + "."
        // Two secrets of one rule whose lines mask alike (two keys of one length in one file)
        // would be one finding, and a second key added beside a known one would not be new: the
        // second and later get their occurrence number. The first keeps the identity it always had.
        let key = ruleID + "\u{0}" + (match ?? "")
        let occurrence = secretOccurrences[key, default: 0] + 1
        secretOccurrences[key] = occurrence
        var subject = [result.target, match ?? ""]
        if occurrence > 1 { subject.append("occurrence \(occurrence)") }
        return Finding(
            kind: .secret, ruleID: ruleID, title: try value.string("Title") ?? ruleID, description: description,
            remediation: "Revoke the secret, remove it from the file and its history, and load it from a secret store.",
            ratings: ratings, locations: [location],
            provenance: [Provenance(tool: "trivy", toolVersion: toolVersion, reportFile: reportFile, rawID: ruleID)],
            suppression: suppression,
            // The masked match tells two secrets of one rule in one file apart without a line number.
            identity: FindingIdentity(kind: .secret, scope: result.context.scope, subject: subject)
        ).finalized()
    }

    private func license(_ value: JSONValue, in result: ResultInfo, suppression: Suppression?)
        throws(JSONAccessError) -> Finding
    {
        _ = try value.requireObject()
        guard let name = try value.string("Name"), !name.isEmpty else {
            throw value.error("a license finding without \"Name\"")
        }
        let packageName = try value.string("PkgName").flatMap { $0.isEmpty ? nil : $0 }
        let filePath = try value.string("FilePath").flatMap { $0.isEmpty ? nil : result.context.placed($0) }
        let category = try value.string("Category")
        let ratings = try ratings(value.values(of: VulnerabilityKey.table), withSeveritySource: false)
        let subjectName = packageName ?? filePath ?? result.target
        let package = packageName.map { Package(ecosystem: result.ecosystem, name: $0) }
        let location = Location(
            image: result.context.image, target: result.target.isEmpty ? nil : result.target,
            path: filePath ?? (result.target.isEmpty ? nil : result.target), resource: result.context.resource)
        let link = try value.string("Link").flatMap { $0.isEmpty ? nil : $0 }
        return Finding(
            kind: .license, ruleID: name,
            title: "License \(name)\(category.map { " (\($0))" } ?? "") in \(subjectName)",
            description: category.map { "Trivy classifies \(name) as \($0)." }, ratings: ratings,
            package: package, locations: [location], references: [link].compactMap { $0 },
            provenance: [Provenance(tool: "trivy", toolVersion: toolVersion, reportFile: reportFile, rawID: name)],
            suppression: suppression,
            identity: FindingIdentity(
                kind: .license, scope: result.context.scope,
                subject: [result.target, packageName ?? "", filePath ?? ""])
        ).finalized()
    }

    // MARK: Images

    /// The scanned image of a schema-2 report: repository and tag from `ArtifactName`, digest
    /// from `Metadata.RepoDigests`. An image scanned by id has an empty name: it is named by its
    /// first `RepoTags` entry, else its first `RepoDigests` entry's repository (names that stay
    /// from build to build, so its findings and alerts do too), else its config digest
    /// (`ImageID`).
    private static func image(named artifactName: String, metadata: JSONValue?) throws(JSONAccessError)
        -> ImageReference
    {
        var image = ImageReference(parsing: artifactName)
        if image.repository.isEmpty {
            if let tagged = try metadata?.strings("RepoTags").first(where: { !$0.isEmpty }) {
                image = ImageReference(parsing: tagged)
            } else if let pulled = try metadata?.strings("RepoDigests").first(where: { $0.contains("@") }) {
                image = ImageReference(parsing: pulled)
            } else {
                image.repository = try metadata?.string("ImageID") ?? "unnamed-image"
            }
        }
        if image.digest == nil, let digests = try metadata?.strings("RepoDigests") {
            let matching = digests.first { $0.hasPrefix(image.repository + "@") } ?? digests.first
            if let matching, let at = matching.firstIndex(of: "@") {
                image.digest = String(matching[matching.index(after: at)...])
            }
        }
        return image
    }

    /// The image named by an OS or language result's target: `alpine:3.10 (alpine 3.10.2)`. A
    /// bare name (`debian (debian 10.8)`, from `trivy image debian`) is an image only for a
    /// result known to be an OS's (`isOSResult`): elsewhere it may be a file.
    static func image(fromTarget target: String, isOSResult: Bool = false) -> ImageReference? {
        let reference = target.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let looksLikeAReference = reference.contains(":") || reference.contains("/") || reference.contains("@")
        guard !reference.isEmpty, looksLikeAReference || isOSResult && target.hasSuffix(")") else { return nil }
        return ImageReference(parsing: reference)
    }

    /// Legacy lists carry no artifact: an OS result's target names the image, anything else is
    /// the source tree (unless the list's OS result names an image: see ``read(_:)``).
    private static func legacyContext(for result: JSONValue) -> TrivyContext {
        let target = result["Target"]?.stringValue ?? ""
        let type = result["Type"]?.stringValue ?? ""
        let looksLikeOSResult = target.hasSuffix(")") && target.contains(" (")
        let isOSType = TrivyAdapterMaps.isOperatingSystem(type)
        if looksLikeOSResult || isOSType,
            let image = image(fromTarget: target, isOSResult: looksLikeOSResult && isOSType)
        {
            return TrivyContext(scope: FindingIdentity.imageScope(image), image: image)
        }
        return TrivyContext(scope: FindingIdentity.sourceScope)
    }
}

/// Fixed tables of Trivy's vocabulary.
enum TrivyAdapterMaps {
    /// Trivy's own five severities (`CRITICAL`…`UNKNOWN`, any case), as its JSON and the tags of
    /// its SARIF rules write them; not the words other tools use (`NEGLIGIBLE`, `NONE`, `info`):
    /// read as info, a critical relabelled so would pass every policy.
    static func severity(label: String) -> Severity? {
        switch label.lowercased() {
        case "critical", "high", "medium", "low", "unknown": Severity(label: label)
        default: nil
        }
    }

    /// `VendorSeverity` numbers: 0 unknown, 1 low, 2 medium, 3 high, 4 critical.
    static func severity(vendorLevel level: Int) -> Severity {
        switch level {
        case 1: .low
        case 2: .medium
        case 3: .high
        case 4: .critical
        default: .unknown
        }
    }

    static func isOperatingSystem(_ type: String) -> Bool {
        Ecosystems.operatingSystems.contains(Ecosystems.currentName(ofOperatingSystem: type))
    }

    /// Trivy's result `Type` to a package ecosystem shared with other tools.
    static func ecosystem(forType type: String) -> String {
        switch type {
        case "npm", "node-pkg", "yarn", "pnpm", "bun", "javascript": "npm"
        case "pip", "pipenv", "poetry", "python-pkg", "uv", "pylock", "conda-pkg", "conda-environment": "pypi"
        case "gomod", "gobinary": "golang"
        case "jar", "pom", "gradle", "sbt": "maven"
        case "cargo", "rust-binary", "rustbinary": "cargo"
        case "composer", "composer-vendor": "composer"
        case "bundler", "gemspec", "rubygems": "gem"
        case "nuget", "dotnet-core", "packages-props": "nuget"
        case "conan": "conan"
        case "cocoapods": "cocoapods"
        case "swift": "swift"
        case "pub": "pub"
        case "hex", "mix-lock": "hex"
        case "": "unknown"
        default: Ecosystems.currentName(ofOperatingSystem: type)
        }
    }

    /// The result `Type` Trivy before v0.10 (2020) did not write, from what its `Target` names:
    /// the OS in `image (alpine 3.11.5)`, else the lock file it read. Without it the packages'
    /// ecosystem is unknown and every version or ecosystem a rule names fails to match them.
    /// "" when the target says neither.
    static func legacyType(ofTarget target: String) -> String {
        // `<image> (<family> <version>)`, the family one word or several (`suse linux enterprise
        // server 15.1`), the version sometimes with a code name (`amazon 2 (Karoo)`).
        if target.hasSuffix(")"), let open = target.range(of: " (") {
            let words = target[open.upperBound..<target.index(before: target.endIndex)].split(separator: " ")
            for count in stride(from: words.count, through: 1, by: -1) {
                let family = words.prefix(count).joined(separator: " ").lowercased()
                if isOperatingSystem(family) { return family }
            }
            return ""
        }
        let file = target.split(separator: "/").last.map(String.init) ?? target
        switch file {
        case "package-lock.json", "npm-shrinkwrap.json": return "npm"
        case "yarn.lock": return "yarn"
        case "Pipfile.lock": return "pipenv"
        case "poetry.lock": return "poetry"
        case "composer.lock": return "composer"
        case "Gemfile.lock": return "bundler"
        case "Cargo.lock": return "cargo"
        case "go.sum": return "gomod"
        case "packages.lock.json": return "nuget"
        default: return ""
        }
    }

    /// One spelling per check across Trivy versions: `DS002`, `AVD-DS-0002` and `DS-0002` are
    /// all `DS-0002`; `AVD-AWS-0143` is `AWS-0143`.
    static func checkID(_ raw: String) -> String? {
        var id = raw.trimmingSpaces
        guard !id.isEmpty else { return nil }
        if id.uppercased().hasPrefix("AVD-") { id = String(id.dropFirst(4)) }
        if !id.contains("-") {
            let letters = id.prefix { $0.isLetter }
            let digits = id.dropFirst(letters.count)
            if !letters.isEmpty, !digits.isEmpty, digits.allSatisfy(\.isNumber) {
                let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
                id = "\(letters)-\(padded)"
            }
        }
        return id.uppercased()
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String { String(self).trimmingSpaces }
}
