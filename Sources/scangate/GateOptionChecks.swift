import ArgumentParser
import Foundation
import Policy

/// The checks every command that evaluates a policy makes on `--now`, `--env` and
/// `--repository`, so they say the same thing everywhere.
enum GateOptionChecks {
    /// The help of `--baseline` for `gate`, `ci` and `release-gate`.
    static let baselineHelp = ArgumentHelp(
        "A previous run's findings: `scangate report --format json` output (made with a policy, it "
            + "records its decision: findings it failed, or only waived, are new again) or `scangate ingest "
            + "--format json` output (all it holds are known). Other findings in it are not new.", valueName: "FILE")

    /// The help of `--repository` for the commands that take `--vex` and no other repository.
    static let repositoryHelp = ArgumentHelp(
        "The repository being gated, for OpenVEX products that name a repository (default: GITHUB_REPOSITORY).",
        valueName: "OWNER/NAME")

    /// `--repository`, when given, must be `OWNER/NAME`.
    static func validate(repository: String?) throws {
        if let repository, SourceRepository(gitHub: repository) == nil {
            throw ValidationError("--repository must be OWNER/NAME, got \"\(repository)\"".printableLine)
        }
    }

    /// The repository being gated, found the same way by every command that takes `--vex`:
    /// `--repository`, else `GITHUB_REPOSITORY`; nil when neither names one (then OpenVEX
    /// statements whose product names a repository are not applied, with a warning).
    static func gatedRepository(
        _ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SourceRepository? {
        if let flag { return SourceRepository(gitHub: flag) }
        return environment["GITHUB_REPOSITORY"].flatMap(SourceRepository.init(gitHub:))
    }

    /// The calendar's date when `--now` chose the gate's day (``GateInput/calendarDay``), else nil.
    static func calendarDay(now: String?) -> Day? { now == nil ? nil : Day.today() }

    static func validate(now: String?, env: String?) throws {
        if let now, Day(parsing: now) == nil {
            throw ValidationError("--now \"\(now)\" is not a date (YYYY-MM-DD, a day the calendar has)")
        }
        if let env {
            // The environment names a policy and appears in waivers: one plain word.
            let valid =
                !env.isEmpty && env.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
            guard valid else {
                throw ValidationError("--env \"\(env)\" may contain only letters, digits, '.', '_', '-'")
            }
        }
    }
}
