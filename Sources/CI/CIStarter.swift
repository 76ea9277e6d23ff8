import Foundation
import OutputFiles

/// What `scangate init` writes into a repository: a commented `.scangate.yaml` and the policies
/// ScanGate ships.
public enum CIStarter {
    /// The starting configuration. Every key is shown; the optional ones commented out.
    public static let configText = """
        # yaml-language-server: $schema=policies/config.schema.json
        #
        # ScanGate's project configuration, read by `scangate ci` and `scangate release-gate`.
        # Paths are relative to this file. Every flag overrides the value here:
        # `scangate ci --env production`, `--no-upload`, `--sarif out.sarif`, …
        scangate-config: 1

        # The scanners' reports, each named (these are the example workflow's). An entry that
        # matches nothing fails the run (exit 3): a scanner that wrote no report must not look
        # like a clean scan. Globs (* and ? within one directory, ** across directories) and
        # directories (every file below, each a report) are satisfied by any one file: use them
        # only where the number of reports varies, as `reports/trivy-*.json` would let a missing
        # image scan pass unseen beside the filesystem scan.
        reports:
          - reports/trivy-image.json
          - reports/trivy-fs.json
          - reports/npm-audit.json
          - reports/zap-baseline.xml
        # allow-incomplete: false     # accept reports whose tool says part of the scan failed
        # max-report-size: 1073741824 # bytes

        # The policy per environment; `scangate ci --env NAME` picks one, else `environment`.
        environment: staging
        policies:
          dev: policies/dev.yaml
          staging: policies/staging.yaml
          production: policies/production.yaml

        # Waivers (scangate-waivers: 1) and OpenVEX documents, each a file or a list.
        # waivers: [security/waivers.yaml]
        # vex: [security/openvex.json]
        # A previous run's findings (outputs.findings of the last release): findings in it are not new.
        # baseline: security/baseline.json

        # What to write. The Markdown report is also the job summary and the pull request comment.
        outputs:
          sarif: scangate-out/scangate.sarif
          html: scangate-out/report.html
          markdown: scangate-out/report.md
          junit: scangate-out/junit.xml
          # json: scangate-out/report.json          # scangate-report/1; as a baseline it knows what was waived
          # decision: scangate-out/decision.json    # scangate-gate/1
          findings: scangate-out/findings.json      # scangate-findings/1, a baseline for later runs
          # sarif-dropped: scangate-out/sarif-dropped.txt   # results left out of the SARIF for GitHub's limits

        sarif:
          category: scangate      # each run is <category>/<tool>/ in code scanning
          source-root: .          # lock files are read here to point findings at their lines
          # dockerfile: Dockerfile

        # Upload the SARIF file to code scanning with GITHUB_TOKEN. Inside GitHub Actions a missing
        # token is an error (exit 2); elsewhere the upload is skipped without one, and says so.
        upload:
          enabled: true
          wait: true              # wait until GitHub has processed it
          # api-url: https://HOST/api/v3   # GitHub Enterprise Server, outside Actions (in Actions: the runner's GITHUB_API_URL)

        # Comment the summary on the pull request (one comment, updated on every push).
        comment: true

        # The release job (`scangate release-gate --tag vX.Y.Z`, in deploy.yml): the policy of
        # `environment` (default production), the images whose signatures must verify, and the
        # keys they verify with (the production policy's signatures: keys; listed here they
        # must be the same keys). `scangate ci` checks how these entries are written; the key
        # files are read, and matched with the policy's, only by release-gate.
        # release:
        #   environment: production
        #   images: [ghcr.io/OWNER/APP:latest]
        #   keys: [keys/release.pub]
        #   audit-log: audit.jsonl    # created by the first release (its directory must exist)

        """

    /// The shipped files `init` copies into `policies/`.
    public static let policyFiles = [
        "default.yaml", "dev.yaml", "staging.yaml", "production.yaml", "policy.schema.json", "waivers.schema.json",
        "config.schema.json",
    ]

    /// What `install` did with one file.
    public struct Action: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case wrote, replaced, kept
        }

        public var kind: Kind
        public var path: String
        public var description: String { "\(kind.rawValue) \(path)" }
    }

    /// Whether `directory` is a source checkout of ScanGate: its `Package.swift` names the package.
    private static func isScanGateCheckout(_ directory: URL) -> Bool {
        guard let manifest = try? SmallFile.read(directory.appendingPathComponent("Package.swift").path, limit: 1 << 20)
        else { return false }
        return String(decoding: manifest, as: UTF8.self).contains("name: \"ScanGate\"")
    }

    /// Why `init` stopped.
    public struct InstallError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The directory of the shipped policies: `SCANGATE_POLICIES`, else the `policies/` of the
    /// source checkout the executable was built in (the directory above it holding ScanGate's
    /// `Package.swift`), else `share/scangate/policies` of an install. Any `policies/` above a
    /// copied binary (`/tmp/policies`, which anyone can write) is not taken for ScanGate's.
    public static func shippedPolicies(executable: String, environment: [String: String]) -> String? {
        if let directory = environment["SCANGATE_POLICIES"], !directory.isEmpty { return directory }
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        let share = directory.deletingLastPathComponent().appendingPathComponent("share/scangate/policies")
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("policies")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("default.yaml").path),
                isScanGateCheckout(directory)
            {
                return candidate.path
            }
            directory = directory.deletingLastPathComponent()
        }
        if FileManager.default.fileExists(atPath: share.appendingPathComponent("default.yaml").path) {
            return share.path
        }
        return nil
    }

    /// Writes `.scangate.yaml` into `directory` (refusing to replace one unless `force`), and
    /// copies each shipped policy file that is absent from `directory/policies/` (with `force`,
    /// replaces them too). Nothing is written when the configuration exists and `force` is off.
    public static func install(into directory: String, policiesFrom source: String, force: Bool) throws(InstallError)
        -> [Action]
    {
        let manager = FileManager.default
        // A link counts as there, even one to nothing: writing through it would put the file
        // wherever it points, out of the repository maybe.
        func isThere(_ path: String) -> Bool {
            var status = stat()
            return lstat(path, &status) == 0
        }
        // Nor is anything written through a link that leads out of the repository (or to
        // nothing): in a clone nobody vetted, `policies/default.yaml` linked to `~/.bashrc` was
        // overwritten with a policy by `--force`. A link within the repository is followed.
        func resolved(_ path: String) -> String? {
            realpath(path, nil).map { pointer in
                defer { free(pointer) }
                return String(cString: pointer)
            }
        }
        let root = resolved(directory)
        func refuseALink(_ path: String) throws(InstallError) {
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return }
            let target = resolved(path)
            if let root, let target, target.hasPrefix(root.hasSuffix("/") ? root : root + "/") { return }
            throw InstallError(
                description: "\(path) is a symbolic link to "
                    + (target.map { "\($0), outside the repository" } ?? "nothing") + ": nothing is written through "
                    + "it; remove the link and run again")
        }
        let configPath = PathResolution.join(directory, CIConfiguration.defaultFileName)
        let configExists = isThere(configPath)
        if configExists, !force {
            throw InstallError(description: "\(configPath) exists; pass --force to replace it (and the policies)")
        }
        // The policies' directory as such a link would take even new files out of it.
        try refuseALink(PathResolution.join(directory, "policies"))
        if force {
            try refuseALink(configPath)
            for name in policyFiles { try refuseALink(PathResolution.join(directory, "policies/" + name)) }
        }
        var sources: [(String, String)] = []
        for name in policyFiles {
            let from = PathResolution.join(source, name)
            guard manager.isReadableFile(atPath: from) else {
                throw InstallError(description: "the shipped policy file \(from) is missing")
            }
            sources.append((name, from))
        }
        // Everything is written beside its place first, and put in place only when all of it
        // could be: a full disk or a path through a file left `.scangate.yaml` naming policies
        // that were never written, and a second try was refused because it existed.
        var actions: [Action] = []
        var staged: [StagedOutput] = []
        let policies = PathResolution.join(directory, "policies")
        // Made for the staged policies: removed again, empty, when they are discarded.
        let policiesExisted = isThere(policies)
        do {
            for (name, from) in sources {
                let target = PathResolution.join(policies, name)
                let exists = isThere(target)
                if exists, !force {
                    actions.append(Action(kind: .kept, path: target))
                    continue
                }
                guard let data = manager.contents(atPath: from) else {
                    throw InstallError(description: "cannot read \(from)")
                }
                staged.append(try OutputFiles.stage([UInt8](data), to: target, creatingDirectories: true))
                actions.append(Action(kind: exists ? .replaced : .wrote, path: target))
            }
            // The configuration last: it is what says ScanGate is set up.
            staged.append(try OutputFiles.stage(Array(configText.utf8), to: configPath, creatingDirectories: true))
            actions.insert(Action(kind: configExists ? .replaced : .wrote, path: configPath), at: 0)
            for output in staged { try output.commit() }
        } catch {
            for output in staged { output.discard() }
            if !policiesExisted { rmdir(policies) }
            switch error {
            case let error as OutputFileError: throw InstallError(description: error.description)
            case let error as InstallError: throw error
            default: throw InstallError(description: "\(error)")
            }
        }
        return actions
    }
}
