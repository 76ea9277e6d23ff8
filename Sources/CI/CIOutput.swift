import Findings
import Foundation
import OutputFiles
import Policy
import Reports

/// Where `scangate ci` writes what it has to say: standard output for the decision and the
/// workflow commands, standard error for progress and problems.
public struct CIConsole: Sendable {
    /// Standard output: the decision and GitHub Actions workflow commands.
    public var output: @Sendable (String) -> Void
    /// Progress on standard error (nothing with `--quiet`).
    public var progress: @Sendable (String) -> Void
    /// Problems on standard error, always shown.
    public var error: @Sendable (String) -> Void
    /// Whether standard error may carry ANSI colour.
    public var colour: Bool

    public init(
        output: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (String) -> Void,
        error: @escaping @Sendable (String) -> Void, colour: Bool = false
    ) {
        self.output = output
        self.progress = progress
        self.error = error
        self.colour = colour
    }

    /// Colour only on a terminal, and never when `NO_COLOR` is set to anything (no-color.org).
    public static func usesColour(isTerminal: Bool, environment: [String: String]) -> Bool {
        guard isTerminal else { return false }
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
}

/// The exit code rule of `scangate ci`.
public enum CIExitCode {
    /// A failed gate exits 1 whatever else happened. Otherwise the first failed side step's code
    /// (in the order they run: outputs 2, then upload 2 or 4, comment 4, Actions files 2), else 0.
    public static func combine(gatePassed: Bool, steps: [CIStepResult]) -> Int32 {
        if !gatePassed { return 1 }
        for step in steps {
            if case .failed(let code) = step.status { return code }
        }
        return 0
    }
}

/// How one step of the run ended.
public struct CIStepResult: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case done
        case skipped
        /// With the exit code this failure asks for (2 local, 4 remote).
        case failed(Int32)
    }

    /// `sarif`, `html`, …, `upload`, `comment`, `step-summary`, `github-output`.
    public var name: String
    public var status: Status
    /// One line for the log.
    public var message: String

    public init(name: String, status: Status, message: String) {
        self.name = name
        self.status = status
        self.message = message
    }
}

/// Failing and warning findings as GitHub Actions annotations.
public enum CIAnnotations {
    /// GitHub shows at most 10 error and 10 warning annotations per step; the rest are counted
    /// in one notice that points at the job summary.
    public static let perLevelLimit = 10

    /// The workflow command lines for the decision's fail and warn verdicts (an error for each
    /// report that checked nothing under `empty-scans: fail`, before the failing findings), and its
    /// warnings about the run itself (a report that checked nothing, an expired waiver, signatures not
    /// verified). Those come before the warned findings within the warning annotations GitHub
    /// shows: a green check beside "nothing was checked" in a collapsed summary would be missed.
    /// The job log shows them: report text in them is on one printable line (no escape sequence
    /// drives the log).
    public static func lines(_ decision: Decision, limit: Int = perLevelLimit) -> [String] {
        var lines: [String] = []
        for (verdict, level) in [(Verdict.fail, WorkflowCommand.Level.error), (.warn, .warning)] {
            var annotations: [String] = []
            if verdict == .fail {
                // First: they fail the run though no finding does, and no finding's error says so.
                annotations = decision.failingEmptyScans.map {
                    WorkflowCommand.annotation(
                        .error, message: $0.reason.text.printableLine,
                        title: "\($0.scan.report) checked nothing".printableLine)
                }
            }
            if verdict == .warn {
                annotations = decision.warnings.map {
                    WorkflowCommand.annotation(.warning, message: $0.printableLine, title: "ScanGate gate warning")
                }
            }
            for item in decision.verdicts where item.verdict == verdict {
                let place = location(item.finding)
                annotations.append(
                    WorkflowCommand.annotation(
                        level, message: message(item).printableLine, file: place?.file, line: place?.line,
                        endLine: place?.endLine,
                        title: "\(item.severity.rawValue) \(item.finding.ruleID): \(item.finding.title)".printableLine))
            }
            lines += annotations.prefix(limit)
            if annotations.count > limit {
                let more = annotations.count - limit
                // Errors are failing findings and reports that checked nothing alike.
                let noun = verdict == .fail ? "failure" : "warning"
                lines.append(
                    WorkflowCommand.annotation(
                        .notice,
                        message: "\(more) more \(noun)\(more == 1 ? "" : "s") not annotated: see the job summary"))
            }
        }
        return lines
    }

    /// A repository file the finding points at: a relative path (never a URL, an image, an
    /// absolute path outside the checkout or one with control characters) with its line when known.
    static func location(_ finding: Finding) -> (file: String, line: Int?, endLine: Int?)? {
        for location in finding.locations {
            for candidate in [location.path, location.target].compactMap({ $0 }) {
                guard !candidate.isEmpty, !candidate.hasPrefix("/"), !candidate.contains("://"),
                    candidate.printableLine == candidate, location.image == nil || candidate == location.path
                else { continue }
                return (candidate, location.startLine, location.endLine)
            }
        }
        return nil
    }

    static func message(_ item: FindingVerdict) -> String {
        var text = "\(item.verdict == .fail ? "FAIL" : "WARN") \(item.finding.ruleID)"
        if let package = item.finding.package {
            text += " in \(package.name)"
            if let version = package.installedVersion { text += " \(version)" }
            if !package.fixedVersions.isEmpty { text += " (fixed in \(package.fixedVersions.joined(separator: ", ")))" }
        } else if let url = item.finding.locations.first(where: { $0.url != nil })?.url {
            text += " at \(url)"
        }
        // The reason's text already names the rule or threshold and where it is.
        text += ": \(item.reason.text)"
        return text
    }
}

/// The `GITHUB_OUTPUT` values of a run.
public enum CIStepOutputs {
    /// decision, exit-code, summary, how the upload and the comment ended (`done`, `skipped`,
    /// `failed`; a step that did not run is `skipped`), each verdict count, findings, the output
    /// paths written (`written`: their keys; an output that could not be written is not named,
    /// so a later step does not take the previous run's file left there for this run's), and
    /// the upload's id when there was one.
    public static func values(
        decision: Decision, exitCode: Int32, outputs: CIConfiguration.Outputs, written: Set<String>,
        uploadID: String?, failing: [String], upload: CIStepResult.Status? = nil, comment: CIStepResult.Status? = nil
    ) -> [(name: String, value: String)] {
        var values: [(name: String, value: String)] = [
            ("decision", decision.passed ? "pass" : "fail"),
            ("exit-code", String(exitCode)),
            ("summary", DecisionText.summaryLine(decision)),
            // A later step can tell "uploaded" from "skipped" without reading the log.
            ("upload", outcome(upload)), ("comment", outcome(comment)),
        ]
        let counts = decision.counts
        values += [
            ("fail", String(counts.failing)), ("warn", String(counts.warnings)), ("waived", String(counts.waived)),
            ("vex-suppressed", String(counts.vexSuppressed)), ("ignored", String(counts.ignored)),
            ("suppressed-by-tool", String(counts.suppressedByTool)), ("pass", String(counts.passed)),
            ("findings", String(decision.verdicts.count)),
        ]
        // `decision` and `findings` already name the verdict and the count here.
        let renamed = ["decision": "decision-json", "findings": "findings-json"]
        for case (let key, let path?) in outputs.byKey where written.contains(key) {
            values.append((renamed[key] ?? key, path))
        }
        if let uploadID { values.append(("sarif-id", uploadID)) }
        // One line per failing finding; multi-line, so written in the heredoc form.
        values.append(("failing", failing.joined(separator: "\n")))
        return values
    }

    /// `done`, `skipped` or `failed`; a step that did not run (nil) is `skipped`.
    static func outcome(_ status: CIStepResult.Status?) -> String {
        switch status {
        case .done?: "done"
        case .failed?: "failed"
        case .skipped?, nil: "skipped"
        }
    }
}

/// What a run that stopped before the gate (exit 2: the configuration, the policy or a file it
/// uses; exit 3: a report that cannot be read) leaves for GitHub, so that nothing reads as a
/// verdict: `decision=error` in the step outputs, and a pull request comment that says the gate
/// did not run for the commit instead of the previous push's PASS or FAIL.
public struct CIStoppedRun: Sendable, Equatable {
    /// 2 or 3 (README "Exit codes").
    public var exitCode: Int32
    /// Why, in one line (printable, never the token).
    public var reason: String
    /// The commit the run was for, when known.
    public var commit: String?
    /// The run's page (its log), when known.
    public var runURL: String?
    /// How the pull request comment saying so ended; nil when there was none to post.
    public var comment: CIStepResult.Status?

    public init(
        exitCode: Int32, reason: String, commit: String? = nil, runURL: String? = nil,
        comment: CIStepResult.Status? = nil
    ) {
        self.exitCode = exitCode
        self.reason = reason.printableLine
        self.commit = commit
        self.runURL = runURL
        self.comment = comment
    }

    /// The `GITHUB_OUTPUT` values: `decision=error`, `exit-code`, `summary` (one line with the
    /// reason), `upload=skipped` (nothing is uploaded) and `comment` (how the comment saying the
    /// gate did not run ended), as a decided run names them, so a later step reading them
    /// never finds them empty. The counts, paths and `failing` are absent: nothing was decided
    /// or written.
    public var outputValues: [(name: String, value: String)] {
        [
            ("decision", "error"), ("exit-code", String(exitCode)),
            ("summary", "ERROR: the gate did not run (exit \(exitCode)): \(reason)"),
            ("upload", CIStepOutputs.outcome(nil)), ("comment", CIStepOutputs.outcome(comment)),
        ]
    }

    /// The pull request comment (without the marker: the commenter puts it first).
    public var commentBody: String {
        let what = commit.map { "commit " + Self.markdownCommit($0) } ?? "this push"
        let log =
            runURL.flatMap(ReportEscaping.markdownLinkTarget).map { "[the run's log](\($0))" } ?? "the run's log"
        return """
            ## ScanGate: ⚠️ ERROR, the gate did not run

            **The security gate did not run for \(what)** (exit \(exitCode)): \(ReportEscaping.markdown(reason, limit: 1000))

            No verdict holds for this commit: an earlier PASS or FAIL in this comment was for an earlier one. \
            Fix the cause and push again; \(log) says more.

            """
    }

    /// A SHA in a code span; anything else (a `--commit` value) escaped as text.
    static func markdownCommit(_ commit: String) -> String {
        let isHex =
            (7...64).contains(commit.utf8.count)
            && commit.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
            }
        return isHex ? "`\(commit)`" : ReportEscaping.markdown(commit, limit: 80)
    }

    /// ``outputValues`` as the lines a `GITHUB_OUTPUT` file takes.
    public var stepOutputsText: String {
        WorkflowCommand.outputs(outputValues, delimiterSeed: UUID().uuidString)
    }

    /// Appends ``stepOutputsText`` to the step's `GITHUB_OUTPUT` file when the run is inside GitHub
    /// Actions and the runner named one; nil when written or not asked for.
    public func writeStepOutputs(context: CIContext) -> OutputFileError? {
        guard context.isGitHubActions, let path = context.outputFile else { return nil }
        do {
            try OutputFiles.append(Array(stepOutputsText.utf8), to: path)
            return nil
        } catch {
            return error
        }
    }
}
