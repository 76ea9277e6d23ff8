import ArgumentParser
import Policy

/// The checks every command that evaluates a policy makes on `--now` and `--env`, so they say
/// the same thing everywhere.
enum GateOptionChecks {
    static func validate(now: String?, env: String?) throws {
        if let now, Day(parsing: now) == nil {
            throw ValidationError("--now \"\(now)\" is not a date in the form YYYY-MM-DD")
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
