import Foundation
import TestSupport
import Testing

/// Runs the real `scangate` executable the way CI and users do.
struct ScanGateProcess {
    static let repositoryRoot = Repository.root

    static var isAvailable: Bool { ScanGateExecutable.isAvailable }

    static func run(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(ScanGateExecutable.url, arguments, in: repositoryRoot)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scangate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite("scangate command line", .enabled(if: ScanGateProcess.isAvailable))
struct CLITests {
    /// Registry credentials in the environment without `SCANGATE_REGISTRY` are a mistake in the
    /// job's setup: exit 2 before any registry is asked (it was a `registry-error`, exit 4, which
    /// a pipeline retrying on 4 would retry for ever), without the secret in the message.
    @Test func registryCredentialsWithoutTheirRegistryAreAUsageError() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SCANGATE_REGISTRY_USERNAME"] = "ci-bot"
        environment["SCANGATE_REGISTRY_PASSWORD"] = "ghcr-pat-SECRET"
        environment["SCANGATE_REGISTRY"] = nil
        let image = "127.0.0.1:1/acme/api:v1"
        for arguments in [
            ["verify", image, "--key", "fixtures/audit/release.pub", "--insecure-registry"],
            [
                "release-gate", "--policy", "fixtures/audit/release-policy.yaml", "--tag", "v1", "--image", image,
                "--insecure-registry", "fixtures/audit/clean-trivy.json",
            ],
        ] {
            let result = try ChildProcess.run(
                ScanGateExecutable.url, arguments, in: ScanGateProcess.repositoryRoot, environment: environment)
            #expect(result.status == 2, "\(arguments[0]): \(result.standardOutput)\(result.standardError)")
            #expect(result.standardError.contains("SCANGATE_REGISTRY does not say which registry"))
            #expect(!(result.standardOutput + result.standardError).contains("SECRET"))
        }
    }

    /// Interrupted while writing its output (a cancelled CI job: SIGINT, then SIGTERM), a command
    /// removes the temporary file it was writing and ends as the signal says: the files, up to
    /// hundreds of megabytes, stayed behind, one per cancelled run (found by a review).
    @Test(arguments: [SIGINT, SIGTERM])
    func anInterruptedWriteLeavesNoTemporaryFile(_ signal: Int32) throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A report whose findings JSON takes a while to write.
        let description = String(repeating: "A flaw in the parser lets a crafted input run code. ", count: 20)
        let vulnerabilities = (1...20_000).map { number in
            #"{"VulnerabilityID": "CVE-2024-\#(10_000 + number)", "PkgName": "pkg\#(number)", "InstalledVersion": "1.0", "#
                + #""Severity": "HIGH", "Description": "\#(description)"}"#
        }
        let report =
            #"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": [{"Target": "#
            + #""package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": ["#
            + vulnerabilities.joined(separator: ",") + "]}]}"
        let input = directory.appendingPathComponent("trivy.json")
        try Data(report.utf8).write(to: input)
        let outputs = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        func temporaryFiles() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: outputs.path)) ?? []).filter { $0.hasSuffix(".tmp") }
        }
        let arguments = [
            ScanGateExecutable.url.path, "ingest", input.path, "--format", "json", "-o",
            outputs.appendingPathComponent("findings.json").path,
        ]
        // Signalled once its temporary file is seen; a run that finished first is tried again.
        for _ in 0..<20 {
            let pid = try Self.spawnWithDefaultSignals(arguments)
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if !temporaryFiles().isEmpty {
                    kill(pid, signal)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(200)
            }
            // Ended by a signal (WIFSIGNALED), not by finishing first.
            guard status & 0x7f != 0 else { continue }
            #expect(status & 0x7f == signal)
            #expect(temporaryFiles().isEmpty, "\(temporaryFiles())")
            return
        }
        Issue.record("no run was still writing its output when looked at, in 20 tries")
    }

    /// Starts `arguments` with SIGINT and SIGTERM at their default action and none blocked,
    /// whatever this test process was given (a shell's background job ignores SIGINT, and a
    /// program keeps a signal it was started ignoring); output to /dev/null.
    static func spawnWithDefaultSignals(_ arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    /// The same reports spelt another way (`./`, `//`, a trailing slash) give the same output
    /// byte for byte, and one report named twice so is read once: the findings JSON, reports and
    /// PR comment listed `./fixtures//examples/npm-audit.json` as given (found by a review).
    @Test func aReportsSpellingDoesNotChangeTheOutput() throws {
        let plain = try ScanGateProcess.run(["ingest", "--format", "json", "fixtures/examples"])
        #expect(plain.status == 0, "\(plain.standardError)")
        for spelling in [["./fixtures//examples/"], ["fixtures/./examples", "fixtures/examples/npm-audit.json"]] {
            let other = try ScanGateProcess.run(["ingest", "--format", "json"] + spelling)
            #expect(other.status == 0, "\(other.standardError)")
            #expect(other.standardOutput == plain.standardOutput, "\(spelling)")
        }
        #expect(plain.standardOutput.contains("\"fixtures/examples/npm-audit.json\""))
    }

    /// A `--dockerfile` that does not exist is a usage error: image findings pointed at its
    /// path, a file not in the repository (found by a review). And an unwritable `--dropped`
    /// leaves the SARIF file as it was: it was replaced before the listing failed.
    @Test func sarifRefusesAMissingDockerfileAndKeepsTheOldFileWhenTheListingFails() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try ScanGateProcess.run(
            ["sarif", "fixtures/examples", "--dockerfile", "nosuch/Dockerfile", "-o", directory.path + "/a.sarif"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("--dockerfile nosuch/Dockerfile: no such file"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/a.sarif"))
        let ci = try ScanGateProcess.run(
            [
                "ci", "--policy", "policies/dev.yaml", "--no-upload", "--no-comment", "--dockerfile", "nosuch",
                "fixtures/examples",
            ])
        #expect(ci.status == 2)
        #expect(ci.standardError.contains("the Dockerfile nosuch does not exist"))

        let sarif = directory.appendingPathComponent("b.sarif")
        try Data("earlier\n".utf8).write(to: sarif)
        let listing = try ScanGateProcess.run(
            ["sarif", "fixtures/examples", "-o", sarif.path, "--dropped", directory.path + "/no-such-dir/dropped.txt"])
        #expect(listing.status == 2, "\(listing.standardError)")
        #expect(try String(contentsOf: sarif, encoding: .utf8) == "earlier\n")
        // Nor is the listing replaced when the SARIF file cannot be written (it was: a listing of
        // a file never written; found by a review).
        let droppedListing = directory.appendingPathComponent("dropped.txt")
        try Data("earlier listing\n".utf8).write(to: droppedListing)
        let unwritten = try ScanGateProcess.run(
            [
                "sarif", "fixtures/examples", "-o", directory.path + "/no-such-dir/c.sarif", "--dropped",
                droppedListing.path,
            ])
        #expect(unwritten.status == 2, "\(unwritten.standardError)")
        #expect(try String(contentsOf: droppedListing, encoding: .utf8) == "earlier listing\n")
        let leftOver = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        #expect(leftOver.isEmpty, "\(leftOver)")
    }

    /// No command (`scangate $COMMAND` with the variable empty) is a usage error, exit 2, with
    /// the help on standard error: it printed the help and exited 0, so such a step passed
    /// (found by a review). `--help` still exits 0.
    @Test func noCommandIsAUsageError() throws {
        for arguments in [[], ["audit"]] {
            let result = try ScanGateProcess.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError.contains("error: no command given"))
        }
        #expect(try ScanGateProcess.run(["--help"]).status == 0)
    }

    /// Standard output on a full disk (`/dev/full`) or closed: the command says so and exits 2.
    /// Several commands crashed instead (FileHandle's write traps: a stack trace, exit 132) or
    /// exited 0 having lost their output (found by a review). Standard error closed or full
    /// changes nothing but the messages lost.
    @Test(arguments: [
        ("version >/dev/full", 2), ("--help >/dev/full", 2),
        ("audit verify fixtures/audit/example-audit.jsonl >/dev/full", 2),
        ("audit verify fixtures/audit/example-audit.jsonl >&-", 2),
        ("ingest fixtures/examples/npm-audit.json >/dev/full", 2),
        ("ingest no-such-report.json 2>/dev/full", 3), ("ingest no-such-report.json 2>&-", 3),
        ("sarif fixtures/examples -o /dev/null 2>&-", 0),
    ])
    func anUnwritableStandardStreamIsAnExitCodeNotACrash(_ command: String, _ expected: Int32) throws {
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \"$0\" " + command, ScanGateExecutable.url.path],
            in: ScanGateProcess.repositoryRoot)
        #expect(result.status == expected, "\(command): \(result.standardError)")
        #expect(!result.standardError.contains("Fatal error") && !result.standardError.contains("stack trace"))
        if expected == 2 && command.hasSuffix("/dev/full") {
            #expect(result.standardError.contains("cannot write standard output: No space left on device"))
        }
    }

    /// A Trivy SARIF run naming an image with no result cannot tell a clean image from one whose
    /// packages were not scanned: production (`empty-scans: fail`) refuses it, staging warns
    /// (found by a review: the release gate passed on it, where the same scan as Trivy JSON
    /// was refused). A run with results is a scan as before.
    @Test func aTrivySARIFImageRunWithoutResultsIsNoEvidence() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = "sha256:" + String(repeating: "b", count: 64)
        func sarif(results: String) -> Data {
            Data(
                (#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Trivy","rules":[]}},"results":"#
                    + results
                    + #","properties":{"imageName":"registry.example.test/app:1.0","imageID":"\#(config)"}}]}"#)
                    .utf8)
        }
        let empty = directory.appendingPathComponent("empty.sarif")
        try sarif(results: "[]").write(to: empty)
        let production = try ScanGateProcess.run(["gate", empty.path, "--policy", "policies/production.yaml"])
        #expect(production.status == 1, "\(production.standardOutput)")
        #expect(
            production.standardOutput.contains(
                "empty.sarif may have checked nothing: the Trivy run for "
                    + "registry.example.test/app:1.0 lists no result"), "\(production.standardOutput)")
        let staging = try ScanGateProcess.run(["gate", empty.path, "--policy", "policies/staging.yaml"])
        #expect(staging.status == 0, "\(staging.standardOutput)")
        #expect(
            (staging.standardOutput + staging.standardError).contains("lists no result"), "\(staging.standardOutput)")

        let found = directory.appendingPathComponent("found.sarif")
        try sarif(
            results: #"[{"ruleId":"CVE-2024-0001","level":"note","message":{"text":"x"},"#
                + #""locations":[{"physicalLocation":{"artifactLocation":{"uri":"app"}}}]}]"#
        ).write(to: found)
        let scanned = try ScanGateProcess.run(["gate", found.path, "--policy", "policies/production.yaml"])
        #expect(!scanned.standardOutput.contains("checked nothing"), "\(scanned.standardOutput)")
    }

    @Test func versionNamesTheThreeLibrariesItRunsOn() throws {
        let result = try ScanGateProcess.run(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("scangate "))
        #expect(result.standardOutput.range(of: #"libcurl\s+\d+\.\d+"#, options: .regularExpression) != nil)
        #expect(result.standardOutput.range(of: #"libxml2\s+\d+\.\d+\.\d+"#, options: .regularExpression) != nil)
        #expect(result.standardOutput.range(of: #"OpenSSL\s+OpenSSL \d"#, options: .regularExpression) != nil)
    }

    @Test func ingestPrintsATableByToolAndSeverity() throws {
        let result = try ScanGateProcess.run([
            "ingest", "fixtures/examples/trivy-fs.json", "fixtures/examples/npm-audit.json",
            "fixtures/examples/zap-report.xml",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        for row in ["trivy", "npm-audit", "zap", "all (merged)"] {
            #expect(result.standardOutput.contains(row))
        }
        #expect(result.standardOutput.contains("critical"))
    }

    @Test func jsonOutputIsByteIdenticalAcrossRunsAndOrders() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("first.json")
        let second = directory.appendingPathComponent("second.json")
        let reports = ["fixtures/examples/trivy-fs.json", "fixtures/examples/npm-audit.json"]
        #expect(try ScanGateProcess.run(["ingest", "--format", "json", "-o", first.path] + reports).status == 0)
        // The same reports named in the other order (the list of reports read was in argument order).
        #expect(
            try ScanGateProcess.run(["ingest", "--format", "json", "-o", second.path] + reports.reversed()).status == 0)
        let firstBytes = try Data(contentsOf: first)
        #expect(!firstBytes.isEmpty)
        #expect(firstBytes == (try Data(contentsOf: second)))
        // The document is valid JSON with the documented top-level fields.
        let object = try JSONSerialization.jsonObject(with: firstBytes) as? [String: Any]
        #expect(object?["schema"] as? String == "scangate-findings/1")
        #expect((object?["findings"] as? [Any])?.isEmpty == false)
        #expect(object?["reports"] is [Any] && object?["summary"] is [String: Any] && object?["suppressed"] is [Any])
    }

    @Test func reportsReadInParallelAreReportedInPathOrder() throws {
        // Reports are read on several threads: every failure is still named, in the order of
        // their paths whatever order they were given in, and nothing is written.
        let bad = [
            "fixtures/hostile/xxe.xml", "fixtures/hostile/truncated-trivy.json", "fixtures/hostile/empty.json",
            "fixtures/hostile/wrong-types-npm.json",
        ]
        for order in [bad, bad.reversed()] {
            let arguments = ["fixtures/examples/zap-report.xml"] + order + ["fixtures/examples/trivy-fs.json"]
            let result = try ScanGateProcess.run(["ingest"] + arguments)
            #expect(result.status == 3)
            let named = result.standardError.split(separator: "\n").filter { $0.hasPrefix("error: ") }
            #expect(named.count == order.count, "\(result.standardError)")
            for (line, path) in zip(named, bad.sorted()) { #expect(line.contains(path), "\(result.standardError)") }
            #expect(result.standardError.contains("4 reports could not be read"))
            #expect(result.standardOutput.isEmpty)
        }
    }

    /// A directory without a report file is a scanner that wrote nothing, not a clean scan: exit
    /// 3 naming it, also beside a directory that has one (hidden files are no reports).
    @Test func aDirectoryWithoutAReportFailsClosed() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = directory.appendingPathComponent("full")
        let empty = directory.appendingPathComponent("empty")
        for folder in [full, empty] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(
            atPath: "fixtures/examples/npm-audit.json", toPath: full.appendingPathComponent("npm-audit.json").path)
        try Data("x".utf8).write(to: empty.appendingPathComponent(".hidden"))
        let result = try ScanGateProcess.run(["gate", "--policy", "policies/dev.yaml", full.path, empty.path])
        #expect(result.status == 3)
        #expect(result.standardError.contains("\(empty.path): no report file in this directory"))
        #expect(try ScanGateProcess.run(["gate", "--policy", "policies/dev.yaml", full.path]).status == 0)
    }

    /// Reports sorted by tool into subdirectories are all read: one skipped would pass unseen.
    @Test func aDirectoryArgumentReadsItsSubdirectories() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zap = directory.appendingPathComponent("zap")
        try FileManager.default.createDirectory(at: zap, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "fixtures/examples/trivy-fs.json", toPath: directory.appendingPathComponent("trivy.json").path)
        try FileManager.default.copyItem(
            atPath: "fixtures/examples/zap-report.xml", toPath: zap.appendingPathComponent("report.xml").path)
        let result = try ScanGateProcess.run(["ingest", "--format", "json", directory.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\"zap\""))
        #expect(result.standardOutput.contains("\"trivy\""))

        // A link to a directory (here, out of the tree) is not followed: reading it fails.
        let outside = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("elsewhere").path, withDestinationPath: outside.path)
        let linked = try ScanGateProcess.run(["ingest", directory.path])
        #expect(linked.status == 3)
        #expect(linked.standardError.contains("elsewhere: a symbolic link to a directory, which is not followed"))
    }

    /// `-o` naming a FIFO (or a device such as /dev/null) writes to it: renaming a file over it
    /// would replace it for every process; `-o` naming a link replaces the file the link names
    /// and keeps the link.
    @Test func outputWritesThroughFIFOsAndKeepsLinks() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader on the FIFO, as a shell's `<(…)` or a log collector would be.
        let received = directory.appendingPathComponent("received").path
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat \"$0\" > \"$1\"", fifo, received]
        try reader.run()
        let result = try ScanGateProcess.run([
            "ingest", "--format", "json", "fixtures/examples/npm-audit.json", "-o", fifo,
        ])
        // A regression (the FIFO replaced by a file) would leave the reader waiting for ever.
        let deadline = Date().addingTimeInterval(20)
        while reader.isRunning && Date() < deadline { usleep(20_000) }
        if reader.isRunning {
            reader.terminate()
            Issue.record("nothing was written to the FIFO")
        }
        #expect(result.status == 0, "\(result.standardError)")
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(try String(contentsOfFile: received, encoding: .utf8).contains("\"findings\""))

        let target = directory.appendingPathComponent("target.json").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        let link = directory.appendingPathComponent("link.json").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let linked = try ScanGateProcess.run([
            "ingest", "--format", "json", "fixtures/examples/npm-audit.json", "-o", link,
        ])
        #expect(linked.status == 0, "\(linked.standardError)")
        #expect(lstat(link, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("\"findings\""))

        // A link (relative, through a second link) to a file not written yet: the file is made, the links stay.
        let dangling = directory.appendingPathComponent("dangling.json").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "second-link.json")
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("second-link.json").path, withDestinationPath: "made.json")
        let made = try ScanGateProcess.run([
            "ingest", "--format", "json", "fixtures/examples/npm-audit.json", "-o", dangling,
        ])
        #expect(made.status == 0, "\(made.standardError)")
        #expect(lstat(dangling, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
        let madePath = directory.appendingPathComponent("made.json").path
        #expect(try String(contentsOfFile: madePath, encoding: .utf8).contains("\"findings\""))

        // A relative link reached through a linked directory leads from that directory's target,
        // as the kernel resolves it: `linked/o.json` → `real/sub/o.json` → `../out.json` is `real/out.json`.
        let sub = directory.appendingPathComponent("real/sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("linked").path, withDestinationPath: sub.path)
        try FileManager.default.createSymbolicLink(
            atPath: sub.appendingPathComponent("o.json").path, withDestinationPath: "../out.json")
        // Named relatively, from the temporary directory (the path's `linked/..` would be tidied away).
        let through = try ChildProcess.run(
            ScanGateExecutable.url,
            [
                "ingest", "--format", "json",
                ScanGateProcess.repositoryRoot.appendingPathComponent("fixtures/examples/npm-audit.json").path, "-o",
                "linked/o.json",
            ], in: directory)
        #expect(through.status == 0, "\(through.standardError)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("real/out.json").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.json").path))
    }

    /// `-o /dev/stdout` with standard output appended to a log writes into the log, after what
    /// is there: resolved through `/proc` to the log itself, the log was replaced by the output.
    /// `/dev/fd/1` is the same descriptor.
    @Test func outputToStandardOutputsPathGoesWhereTheShellSendsIt() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("build.log")
        for path in ["/dev/stdout", "/dev/fd/1"] {
            try Data("earlier step\n".utf8).write(to: log)
            let result = try ChildProcess.run(
                URL(fileURLWithPath: "/bin/sh"),
                [
                    "-c", #""$0" ingest --format json fixtures/examples/npm-audit.json -o "$1" >> "$2""#,
                    ScanGateExecutable.url.path, path, log.path,
                ])
            #expect(result.status == 0, "\(result.standardError)")
            let text = try String(contentsOf: log, encoding: .utf8)
            #expect(text.hasPrefix("earlier step\n{"), "\(path): \(text.prefix(80))")
            #expect(text.contains("\"schema\": \"scangate-findings/1\""), "\(path)")
        }
    }

    /// A reader that went away (`scangate ingest … | head -1`) is a write error said on standard
    /// error, exit 2: SIGPIPE ended the process silently with status 141.
    @Test func aClosedPipeIsAWriteErrorNotASignal() throws {
        let process = Process()
        process.executableURL = ScanGateExecutable.url
        process.arguments = ["ingest", "--format", "json", "fixtures/examples"]
        process.currentDirectoryURL = ScanGateProcess.repositoryRoot
        let output = Pipe()
        let error = Pipe()
        // No reader at all: the first write fails.
        try output.fileHandleForReading.close()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "ended by signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 2)
        #expect(message.contains("cannot write standard output: Broken pipe"), "\(message)")
    }

    /// An output a report directory argument would read is refused (exit 2, nothing written):
    /// the next run read it back as a report, or failed on it. Two outputs that are one file
    /// (`--dropped ./x -o x`) are refused too: the listing was silently replaced by the SARIF.
    /// A name too long for the temporary file beside it (up to the 255-byte limit) is written.
    @Test func outputsAmongTheReportsOrInOneFileAreRefused() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reports = directory.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: ScanGateProcess.repositoryRoot.appendingPathComponent("fixtures/examples/npm-audit.json").path,
            toPath: reports.appendingPathComponent("npm-audit.json").path)
        for arguments in [
            ["sarif", "reports", "-o", "reports/scangate.sarif"],
            ["ingest", "--format", "json", "reports", "-o", "reports/sub/findings.json"],
            ["report", "--format", "html", "./reports/", "-o", "reports/report.html"],
        ] {
            let result = try ChildProcess.run(ScanGateExecutable.url, arguments, in: directory)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("would be read as a report"), "\(result.standardError)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports.path) == ["npm-audit.json"])
        // Hidden files are not read as reports, nor are files beside the directory.
        let beside = try ChildProcess.run(
            ScanGateExecutable.url, ["sarif", "reports", "-o", "reports/.scangate.sarif"], in: directory)
        #expect(beside.status == 0, "\(beside.standardError)")

        let oneFile = try ChildProcess.run(
            ScanGateExecutable.url, ["sarif", "reports", "--dropped", "d.txt", "-o", "./d.txt"], in: directory)
        #expect(oneFile.status == 2, "\(oneFile.standardError)")
        #expect(oneFile.standardError.contains("are one file"), "\(oneFile.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("d.txt").path))
        // A link to a file not made yet is that file.
        try FileManager.default.createSymbolicLink(
            atPath: directory.appendingPathComponent("d.txt").path, withDestinationPath: "e.txt")
        let linked = try ChildProcess.run(
            ScanGateExecutable.url, ["sarif", "reports", "--dropped", "d.txt", "-o", "e.txt"], in: directory)
        #expect(linked.status == 2, "\(linked.standardError)")
        #expect(linked.standardError.contains("are one file"), "\(linked.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("e.txt").path))

        let longName = String(repeating: "a", count: 240) + ".sarif"
        let long = try ChildProcess.run(ScanGateExecutable.url, ["sarif", "reports", "-o", longName], in: directory)
        #expect(long.status == 0, "\(long.standardError)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(longName).path))
    }

    /// A FIFO given as a report (or found in a report directory) is refused, not waited on.
    @Test func aFIFOIsNoReport() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("report.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for argument in [fifo, directory.path] {
            let result = try ScanGateProcess.run(["ingest", argument])
            #expect(result.status == 3)
            #expect(
                result.standardError.contains("\(fifo): not a regular file: write the report to a file and give that"),
                "\(result.standardError)")
        }
        // `-` is no report: not standard input, nor a file named `-` (it said "no such file").
        let dash = try ScanGateProcess.run(["ingest", "-"])
        #expect(dash.status == 3)
        #expect(
            dash.standardError.contains("-: reports are read from files, not standard input"), "\(dash.standardError)")
    }

    @Test func outputReplacesAnExistingFileWhole() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("findings.json")
        try Data("stale".utf8).write(to: output)
        // Made private by its owner: findings name every weakness of the project.
        #expect(chmod(output.path, 0o600) == 0)
        let result = try ScanGateProcess.run(["ingest", "--format", "json", "-o", output.path, "fixtures/examples"])
        #expect(result.status == 0, "\(result.standardError)")
        let written = try Data(contentsOf: output)
        #expect(try JSONSerialization.jsonObject(with: written) is [String: Any])
        var status = stat()
        #expect(stat(output.path, &status) == 0 && status.st_mode & 0o777 == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["findings.json"])
    }

    @Test(arguments: [
        ("fixtures/hostile/truncated-trivy.json", "truncated"),
        ("fixtures/hostile/empty.json", "empty"),
        ("fixtures/hostile/wrong-types-npm.json", "$.vulnerabilities.lodash"),
        ("fixtures/hostile/invalid-utf8-trivy.json", "UTF-8"),
        ("fixtures/hostile/xxe.xml", "DOCTYPE"),
        ("fixtures/hostile/billion-laughs.xml", "DOCTYPE"),
        ("fixtures/hostile/npm-error-envelope.json", "ENOLOCK"),
        ("fixtures/hostile/unknown-format.json", "not a report ScanGate knows"),
    ])
    func badInputExitsThreeNamingTheFileAndWritesNothing(path: String, expected: String) throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("findings.json")
        let started = Date()
        let result = try ScanGateProcess.run([
            "ingest", "--format", "json", "-o", output.path, "fixtures/examples/trivy-fs.json", path,
        ])
        #expect(result.status == 3)
        #expect(result.standardError.contains(path), "\(result.standardError)")
        #expect(result.standardError.contains(expected), "\(result.standardError)")
        #expect(!result.standardError.contains("root:x:0:0"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func deepNestingIsRefusedWithoutCrashing() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("deep.json")
        try Data((String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)).utf8)
            .write(to: file)
        let result = try ScanGateProcess.run(["ingest", file.path])
        #expect(result.status == 3)
        #expect(result.standardError.contains("nesting deeper than"))
    }

    @Test func oversizedReportIsRefusedBeforeReading() throws {
        let result = try ScanGateProcess.run(["ingest", "--max-report-size", "100", "fixtures/examples/trivy-fs.json"])
        #expect(result.status == 3)
        #expect(result.standardError.contains("more than the limit of 100 bytes"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try ScanGateProcess.run(["ingest"]).status == 2)
        #expect(try ScanGateProcess.run(["ingest", "--as", "bogus", "fixtures/examples/trivy-fs.json"]).status == 2)
        #expect(try ScanGateProcess.run(["frobnicate"]).status == 2)
        #expect(try ScanGateProcess.run(["ingest", "--help"]).status == 0)
    }

    @Test func missingFileExitsThree() throws {
        let result = try ScanGateProcess.run(["ingest", "fixtures/does-not-exist.json"])
        #expect(result.status == 3)
        #expect(result.standardError.contains("fixtures/does-not-exist.json"))
        // Every path that names nothing is listed, not just the first.
        let two = try ScanGateProcess.run([
            "ingest", "fixtures/missing-one.json", "fixtures/examples/trivy-fs.json", "fixtures/missing-two.xml",
        ])
        #expect(two.status == 3)
        #expect(two.standardError.contains("fixtures/missing-one.json: no such file or directory"))
        #expect(two.standardError.contains("fixtures/missing-two.xml: no such file or directory"))
        #expect(two.standardOutput.isEmpty)
    }

    @Test func aReportGivenTwiceIsReadOnce() throws {
        let once = try ScanGateProcess.run(["ingest", "--format", "json", "fixtures/examples/trivy-fs.json"])
        let twice = try ScanGateProcess.run([
            "ingest", "--format", "json", "fixtures/examples/trivy-fs.json", "fixtures/examples/trivy-fs.json",
        ])
        #expect(once.status == 0 && twice.status == 0, "\(twice.standardError)")
        #expect(twice.standardOutput == once.standardOutput)
    }

    @Test func droppedResultsAreCountedOnStandardErrorAndListedInFull() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try SARIFFixtures.overTheRunLimit(lowCount: 25, in: directory)
        let sarif = directory.appendingPathComponent("out.sarif").path
        let listing = directory.appendingPathComponent("dropped.txt").path

        let listed = try ScanGateProcess.run(["sarif", report.path, "-o", sarif, "--dropped", listing])
        #expect(listed.status == 0, "\(listed.standardError)")
        let stderr = listed.standardError.split(separator: "\n").map(String.init)
        #expect(
            stderr.contains {
                $0.contains("run bigtool: 25025 results, GitHub accepts 25000 per run")
                    && $0.hasSuffix("dropped 25 (25 low)")
            })
        #expect(stderr.count { $0.hasPrefix("note: dropped from run bigtool: low R-note fingerprint ") } == 20)
        #expect(stderr.contains("note: 5 more dropped results not named here; all are listed in \(listing)"))
        let lines = try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 25)
        #expect(
            lines.allSatisfy {
                $0.hasPrefix("dropped from run bigtool: low R-note fingerprint ")
                    && $0.hasSuffix("(limit: results per run)")
            })
        #expect(Set(lines).count == 25)

        // Without --dropped, the last note says how to get the full list.
        let unlisted = try ScanGateProcess.run(["sarif", report.path, "-o", sarif])
        #expect(unlisted.status == 0)
        #expect(
            unlisted.standardError.contains(
                "note: 5 more dropped results not named here; --dropped FILE lists every one"))

        // The listing needs a file of its own.
        let clash = try ScanGateProcess.run(["sarif", report.path, "-o", sarif, "--dropped", sarif])
        #expect(clash.status == 2)
        #expect(clash.standardError.contains("--dropped needs a file of its own"))
    }

    /// `sarif` said nothing of what the readers warn about, so a scan accepted in part
    /// (`--allow-incomplete`) or one that checked nothing became a SARIF file without a word
    /// (found by a review).
    @Test func sarifSaysWhatTheReadersWarnAbout() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("trivy-image.json")
        try Data(
            #"{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image", "Metadata": {"OS": {"Family": "none"}}}"#
                .utf8
        ).write(to: report)
        let result = try ScanGateProcess.run([
            "sarif", report.path, "-o", directory.appendingPathComponent("out.sarif").path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardError.contains("warning: \(report.path): Trivy detected no operating system in app:1"),
            "\(result.standardError)")
    }

    /// A ZAP scan of a site that was down reports no alert: an empty `zap` run in the SARIF file
    /// told GitHub every earlier ZAP alert was fixed, and closed them all. Now the run is left
    /// out (GitHub keeps the last analysis of the category) and a note says why.
    @Test func aScanThatCheckedNothingGetsNoRunThatWouldCloseItsAlerts() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zap = directory.appendingPathComponent("zap-baseline.xml")
        try Data(
            #"<?xml version="1.0"?><OWASPZAPReport version="2.14.0" generated="x"><site name="https://staging.example"><alerts/></site></OWASPZAPReport>"#
                .utf8
        ).write(to: zap)
        let sarif = directory.appendingPathComponent("out.sarif")
        let result = try ScanGateProcess.run(["sarif", "fixtures/examples/trivy-fs.json", zap.path, "-o", sarif.path])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: sarif)) as? [String: Any]
        let drivers = (document?["runs"] as? [[String: Any]] ?? []).map {
            (($0["tool"] as? [String: Any])?["driver"] as? [String: Any])?["name"] as? String ?? ""
        }
        #expect(drivers == ["trivy"])
        #expect(
            result.standardError.contains(
                "note: \(zap.path) checked nothing: no run of zap in the file, so GitHub keeps the zap alerts of "
                    + "the last analysis instead of closing them as fixed"),
            "\(result.standardError)")
    }

    @Test func theDroppedListingIsEmptyWhenNothingWasDropped() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let listing = directory.appendingPathComponent("dropped.txt")
        try Data("stale\n".utf8).write(to: listing)
        let result = try ScanGateProcess.run([
            "sarif", "fixtures/examples/trivy-fs.json", "-o", directory.appendingPathComponent("out.sarif").path,
            "--dropped", listing.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try Data(contentsOf: listing).isEmpty)
        #expect(!result.standardError.contains("dropped"))
    }

    @Test func anOutputThatIsAnInputIsRefusedAndTheInputKept() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("npm-audit.json")
        let policies = directory.appendingPathComponent("policies")
        try FileManager.default.copyItem(
            at: ScanGateProcess.repositoryRoot.appendingPathComponent("fixtures/examples/npm-audit.json"), to: report)
        try FileManager.default.copyItem(
            at: ScanGateProcess.repositoryRoot.appendingPathComponent("policies"), to: policies)
        let reportBytes = try Data(contentsOf: report)
        let extended = policies.appendingPathComponent("default.yaml")
        let policyBytes = try Data(contentsOf: extended)
        let staging = policies.appendingPathComponent("staging.yaml").path
        // The lock file `sarif --source-root` reads to find each package's line.
        let lock = directory.appendingPathComponent("package-lock.json")
        try FileManager.default.copyItem(
            at: ScanGateProcess.repositoryRoot.appendingPathComponent(
                "fixtures/sarif-writer/project/package-lock.json"),
            to: lock)
        let lockBytes = try Data(contentsOf: lock)
        let runs: [[String]] = [
            ["ingest", report.path, "-o", report.path],
            // A relative spelling of the same file.
            ["ingest", report.path, "-o", directory.path + "/./npm-audit.json"],
            ["sarif", report.path, "-o", report.path],
            ["gate", report.path, "--policy", staging, "-o", report.path],
            // The file the policy extends.
            ["gate", report.path, "--policy", staging, "-o", extended.path],
            ["report", report.path, "--format", "html", "-o", report.path],
            ["report", report.path, "--format", "markdown", "--policy", staging, "-o", extended.path],
            ["sarif", report.path, "--source-root", directory.path, "-o", lock.path],
        ]
        for arguments in runs {
            let result = try ScanGateProcess.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("is an input of this command"), "\(arguments)")
        }
        #expect(try Data(contentsOf: report) == reportBytes)
        #expect(try Data(contentsOf: extended) == policyBytes)
        #expect(try Data(contentsOf: lock) == lockBytes)
    }

    @Test func forcedFormatOverridesDetection() throws {
        let result = try ScanGateProcess.run(["ingest", "--as", "sarif", "fixtures/examples/trivy-fs.json"])
        #expect(result.status == 3)
        #expect(result.standardError.contains("fixtures/examples/trivy-fs.json"))
    }
}

/// Trivy masks a secret in the line it reports, but not always every secret of the line
/// (aquasecurity/trivy#3847): the line itself must reach no output, and two secrets of one
/// rule whose lines mask alike stay two findings.
@Suite("Trivy secrets in outputs", .enabled(if: ScanGateProcess.isAvailable))
struct SecretOutputTests {
    static let report = "fixtures/trivy/secrets-unmasked.json"
    static let unmaskedToken = "ghp_UNMASKEDsecretVALUE"

    @Test func noOutputCarriesTheMatchedLine() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputs: [(String, [String])] = [
            ("findings.json", ["ingest", "--format", "json"]),
            ("findings.sarif", ["sarif"]),
            ("report.html", ["report", "--format", "html"]),
            ("report.md", ["report", "--format", "markdown"]),
            ("report.xml", ["report", "--format", "junit"]),
        ]
        for (name, command) in outputs {
            let path = directory.appendingPathComponent(name).path
            let result = try ScanGateProcess.run(command + [Self.report, "-o", path])
            #expect(result.status == 0, "\(command): \(result.standardError)")
            let written = try String(contentsOfFile: path, encoding: .utf8)
            #expect(written.contains("github-pat"), "\(name) lists the finding")
            #expect(!written.contains(Self.unmaskedToken), "\(name) carries the secret")
            #expect(!written.contains("TOKENS="), "\(name) carries the matched line")
            #expect(!result.standardOutput.contains(Self.unmaskedToken) && !result.standardError.contains("TOKENS="))
        }
        let table = try ScanGateProcess.run(["gate", Self.report, "--policy", "policies/production.yaml"])
        #expect(table.status == 1)
        #expect(!table.standardOutput.contains(Self.unmaskedToken) && !table.standardOutput.contains("TOKENS="))
    }

    @Test func twoSecretsWhoseLinesMaskAlikeStayTwoFindings() throws {
        let result = try ScanGateProcess.run(["ingest", "--format", "json", Self.report])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let findings = document?["findings"] as? [[String: Any]] ?? []
        let aws = findings.filter { $0["id"] as? String == "aws-access-key-id" }
        #expect(aws.count == 2, "\(aws)")
        #expect(Set(aws.compactMap { $0["fingerprint"] as? String }).count == 2)
    }
}

/// What the report readers warn about is part of the decision: in its table and its JSON.
@Suite("Reader warnings in the gate's decision", .enabled(if: ScanGateProcess.isAvailable))
struct ReaderWarningsInDecisionTests {
    @Test func anEndOfLifeOSIsInTheDecision() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("eosl.json")
        try Data(
            (#"{"SchemaVersion": 2, "ArtifactName": "alpine:3.10", "ArtifactType": "container_image","#
                + #" "Metadata": {"OS": {"Family": "alpine", "Name": "3.10.9", "EOSL": true}}, "Results": [{"Target":"#
                + #" "alpine:3.10 (alpine 3.10.9)", "Class": "os-pkgs", "Type": "alpine"}]}"#).utf8
        ).write(to: report)
        let table = try ScanGateProcess.run(["gate", report.path, "--policy", "policies/production.yaml"])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.contains("warning: \(report.path): alpine:3.10 runs alpine 3.10.9"))
        let json = try ScanGateProcess.run([
            "gate", report.path, "--policy", "policies/production.yaml", "--format", "json",
        ])
        let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let warnings = document?["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("which has reached its end of life") }, "\(warnings)")
    }
}

/// ZAP counted instances it did not list: a rule relaxing the listed URLs must not pass them.
@Suite("ZAP instances counted but not listed", .enabled(if: ScanGateProcess.isAvailable))
struct UnlistedZAPInstancesTests {
    @Test func aRuleForTheListedURLsDoesNotPassTheAlert() throws {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policy = directory.appendingPathComponent("policy.yaml")
        /// Fails from low, but for every listed URL (`?*`: a path after the slash), the other
        /// site, rule 10106, and the URLs of `extra`.
        func gate(ignoring extra: String? = nil) throws -> ChildProcess.Result {
            let extraRule = extra.map { "\n  - match: { url: \"\($0)\" }\n    action: ignore" } ?? ""
            try Data(
                """
                scangate-policy: 1
                fail-on: low
                rules:
                  - match: { url: "https://app.example/?*" }
                    action: ignore\(extraRule)
                  - match: { url: "https://other.example/*" }
                    action: ignore
                  - match: { id: "10106" }
                    action: ignore
                """.utf8
            ).write(to: policy)
            return try ScanGateProcess.run(["gate", "fixtures/zap/behaviours.xml", "--policy", policy.path])
        }
        let result = try gate()
        #expect(result.status == 1, "\(result.standardOutput)")
        // The one failing finding: the instances ZAP did not list, anywhere on the site.
        #expect(result.standardOutput.contains("FAIL: 1 failing"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("at https://app.example/*\n"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("ZAP counted 35 instances but listed 5"))

        // A rule for the home page alone passed them too (they were located at the site's root);
        // one for the whole site still does.
        for (glob, status) in [("https://app.example/", Int32(1)), ("https://app.example/*", Int32(0))] {
            let again = try gate(ignoring: glob)
            #expect(again.status == status, "\(glob): \(again.standardOutput)")
        }
    }
}

/// `--baseline` with `fail-on-new-only`: a finding the baseline holds passes only as it was
/// then, judged by the same severity sources, and in the same places.
@Suite("Baselines judged as the policy judges", .enabled(if: ScanGateProcess.isAvailable))
struct BaselineJudgementTests {
    /// `scangate gate` of `current` against the ingest of `previous`, under `policy` (or
    /// `command`, e.g. `report --format markdown`); fixtures in `fixtures/baseline/`.
    static func gate(
        previous: String, current: String, policy: String, command: [String] = ["gate"]
    ) throws -> ChildProcess.Result {
        let directory = try ScanGateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let baseline = directory.appendingPathComponent("baseline.json").path
        let ingested = try ScanGateProcess.run(
            ["ingest", "--format", "json", "-o", baseline, "fixtures/baseline/\(previous)"])
        #expect(ingested.status == 0, "\(ingested.standardError)")
        let policyFile = directory.appendingPathComponent("policy.yaml")
        try Data(policy.utf8).write(to: policyFile)
        return try ScanGateProcess.run(
            command + ["--policy", policyFile.path, "--baseline", baseline, "fixtures/baseline/\(current)"])
    }

    /// Fails new criticals only, judged by the vendor's rating first.
    static let vendorJudgedNewOnly = """
        scangate-policy: 1
        fail-on: critical
        fail-on-new-only: true
        severity-sources: [vendor, nvd, tool]

        """

    /// The reviewer's report says what the gate says: the finding it failed as new is new there
    /// too, judged by the same severity sources (it said "0 new", and listed it as unchanged).
    @Test func theReportCallsNewWhatTheGateJudgedNew() throws {
        let policy = Self.vendorJudgedNewOnly
        let markdown = try Self.gate(
            previous: "vendor-low.trivy.json", current: "vendor-critical.trivy.json", policy: policy,
            command: ["report", "--format", "markdown"])
        #expect(markdown.status == 0, "\(markdown.standardError)")
        #expect(markdown.standardOutput.contains("**1 new**"), "\(markdown.standardOutput)")
        #expect(markdown.standardOutput.contains("0 unchanged"), "\(markdown.standardOutput)")
    }

    /// Under `trust-tool-suppressions: false` the gate judges what a tool suppressed like any
    /// other finding, in the baseline's run as in this one: against its own baseline such a
    /// finding is known, not new on every run (it failed as new, and the report said so).
    @Test func aToolSuppressedFindingIsInItsOwnBaselineWhenSuppressionsAreNotTrusted() throws {
        let policy = "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\ntrust-tool-suppressions: false\n"
        let report = "../reports/trivy-suppressed-critical.json"
        let again = try Self.gate(previous: report, current: report, policy: policy)
        #expect(again.status == 0, "\(again.standardOutput)")
        #expect(
            again.standardOutput.contains("WARN    critical vulnerability CVE-2099-0001"), "\(again.standardOutput)")
        let markdown = try Self.gate(
            previous: report, current: report, policy: policy, command: ["report", "--format", "markdown"])
        #expect(markdown.standardOutput.contains("**0 new**"), "\(markdown.standardOutput)")
        // Trusted, it is the tool's to suppress, and the baseline has nothing to say about it.
        let trusted = try Self.gate(
            previous: report, current: report, policy: "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n")
        #expect(trusted.status == 0, "\(trusted.standardOutput)")
        #expect(trusted.standardOutput.contains("MUTED"), "\(trusted.standardOutput)")
    }

    /// Trivy's own rating stays HIGH; the vendor's went from low to critical. A policy that
    /// judges by the vendor sees a critical that was low: new, not the finding accepted.
    @Test func aRiseBySeveritySourcesIsNew() throws {
        let policy = Self.vendorJudgedNewOnly
        let risen = try Self.gate(
            previous: "vendor-low.trivy.json", current: "vendor-critical.trivy.json", policy: policy)
        #expect(risen.status == 1, "\(risen.standardOutput)")
        #expect(risen.standardOutput.contains("new at this severity: the baseline has it as low, now critical"))
        let same = try Self.gate(
            previous: "vendor-critical.trivy.json", current: "vendor-critical.trivy.json", policy: policy)
        #expect(same.status == 0, "\(same.standardOutput)")
    }

    /// The same vulnerable package in a new service's lock file is new exposure.
    @Test func aFindingInANewPlaceIsNew() throws {
        let policy = "scangate-policy: 1\nfail-on: high\nfail-on-new-only: true\n"
        let spread = try Self.gate(
            previous: "one-service.trivy.json", current: "two-services.trivy.json", policy: policy)
        #expect(spread.status == 1, "\(spread.standardOutput)")
        #expect(
            spread.standardOutput.contains(
                "new here: the baseline has it, but not in services/payments/package-lock.json"))
        // Fewer places than the baseline: nothing new.
        let fewer = try Self.gate(
            previous: "two-services.trivy.json", current: "one-service.trivy.json", policy: policy)
        #expect(fewer.status == 0, "\(fewer.standardOutput)")
    }
}
