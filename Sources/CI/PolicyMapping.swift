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

    /// The environment a release whose policy `--policy` names is gated in, or why that policy
    /// may not gate it (a staging or dev policy would pass a production release on that
    /// environment's thresholds, silently). With `release.environment` set (`configured`), that
    /// environment, and a policy declaring another is refused as a mapped one is. Without it, a
    /// production release: a policy that declares no environment gates it as `production`, one of
    /// production's family (`prod.yaml`, `environment: prod`) under its own name, so that its
    /// waivers hold as they always did; any other is refused.
    public static func releaseEnvironment(
        configured: String?, policyFile: String, policy: Policy
    ) -> Result<String, ReleaseEnvironmentMismatch> {
        let environment = configured ?? ReleasePlan.defaultEnvironment
        let text = policy.declaredEnvironmentText ?? ""
        let refusal = ReleaseEnvironmentMismatch(
            message: "--policy \(policyFile) has \(text), but the release is gated in \(environment) "
                + (configured == nil ? "(the default; release.environment sets another)" : "(release.environment)")
                + ": pass the \(environment) policy, or set release.environment in the configuration to gate a "
                + "release in another environment")
        if configured != nil {
            return policy.declaresOtherEnvironment(than: environment) ? .failure(refusal) : .success(environment)
        }
        guard let declared = policy.declaredEnvironment?.value else { return .success(environment) }
        return policy.declaresEnvironment(ofFamilyOf: environment) ? .success(declared) : .failure(refusal)
    }

    /// What to do about a ``mismatch(environment:policyFile:policy:)``.
    public static func advice(environment: String) -> String {
        "map \(environment) to its own policy, or say the policy's environment (environment: \(environment))"
    }
}

/// Why a policy `--policy` names may not gate a release (``PolicyMapping/releaseEnvironment(configured:policyFile:policy:)``).
public struct ReleaseEnvironmentMismatch: Error, Sendable {
    public let message: String
}
