import Policy

/// The configuration's `policies` map names each environment's policy file.
public enum PolicyMapping {
    /// Why `policy`, which the configuration's `policies` gives for `environment`, may not gate
    /// it, or nil: a policy that declares another environment (`staging: policies/production.yaml`,
    /// or a production release judged by `policies/staging.yaml`) is a slip in the mapping, which
    /// would gate with one environment's thresholds and another's waivers. `scangate ci` and
    /// `scangate release-gate` both refuse it.
    public static func mismatch(environment: String, policyFile: String, policy: Policy) -> String? {
        guard policy.declaresOtherEnvironment(than: environment), let text = policy.declaredEnvironmentText
        else { return nil }
        return "policies maps \(environment) to \(policyFile), whose \(text) is not \(environment)"
    }

    /// Why `policy`, which `--policy` names for a release gated in `environment`
    /// (`release.environment`, default production), may not gate it, or nil: a staging or dev
    /// policy would pass a production release on that environment's thresholds, silently.
    public static func releaseMismatch(environment: String, policyFile: String, policy: Policy) -> String? {
        guard policy.declaresOtherEnvironment(than: environment), let text = policy.declaredEnvironmentText
        else { return nil }
        return "--policy \(policyFile) has \(text), but the release is gated in \(environment) "
            + "(release.environment, default \(ReleasePlan.defaultEnvironment)): pass the \(environment) policy, or set "
            + "release.environment in the configuration to gate a release in another environment"
    }

    /// What to do about a ``mismatch(environment:policyFile:policy:)``.
    public static func advice(environment: String) -> String {
        "map \(environment) to its own policy, or say the policy's environment (environment: \(environment))"
    }
}
