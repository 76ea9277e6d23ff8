import Foundation
import ScanGateJSON

/// A user name and password (or token) for a registry. `description` never shows the secret.
public struct RegistryCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String
    /// Where they came from, for messages: "environment" or the config file's path.
    public var origin: String

    public init(username: String, password: String, origin: String) {
        self.username = username
        self.password = password
        self.origin = origin
    }

    public var description: String { "credentials for \(username) from \(origin)" }

    /// `Basic <base64(user:password)>`.
    var basicAuthorization: String { "Basic " + StrictBase64.encode(Array("\(username):\(password)".utf8)) }

    /// The environment variable holding the user name; with ``passwordVariable`` it applies to
    /// the registry ``registryVariable`` names, and to no other.
    public static let usernameVariable = "SCANGATE_REGISTRY_USERNAME"
    /// The environment variable holding the password or token.
    public static let passwordVariable = "SCANGATE_REGISTRY_PASSWORD"
    /// The environment variable naming the registry (`ghcr.io`, `host:port`) the two above are
    /// for. Required with them: a release that names images on two registries must not send one
    /// registry's token to the other.
    public static let registryVariable = "SCANGATE_REGISTRY"

    /// Credentials for `registry` (`host[:port]`, `docker.io` for Docker Hub), looked up as the
    /// Docker CLI does:
    /// 1. `SCANGATE_REGISTRY_USERNAME` and `SCANGATE_REGISTRY_PASSWORD`, when both are set and
    ///    `SCANGATE_REGISTRY` names this registry (Docker Hub by any of its names); set without
    ///    `SCANGATE_REGISTRY` they are an error, never sent to every registry;
    /// 2. else Docker's `config.json` (`$DOCKER_CONFIG/config.json`, else
    ///    `~/.docker/config.json`): the credential helper `credHelpers.<registry>` names, else
    ///    the one `credsStore` names (`docker-credential-<name> get`, see ``CredentialHelper``);
    ///    when there is none or it has nothing for the registry, `auths.<registry>.auth`
    ///    (base64 of `user:password`). Docker Hub is also looked up as `index.docker.io` and
    ///    `https://index.docker.io/v1/`.
    ///
    /// nil means anonymous access (bearer tokens are still fetched when the registry asks). A
    /// helper that is missing, fails or times out throws: the image is then not verified rather
    /// than fetched without the credentials the user set up.
    public static func lookup(registry: String, environment: [String: String])
        throws(RegistryCredentialsError) -> RegistryCredentials?
    {
        if let problem = environmentProblem(environment) { throw problem }
        if let username = environment[usernameVariable], let password = environment[passwordVariable],
            !username.isEmpty, let named = environment[registryVariable]
        {
            if Self.sameRegistry(named, registry) {
                return RegistryCredentials(username: username, password: password, origin: "environment")
            }
        }
        let directory =
            environment["DOCKER_CONFIG"]
            ?? environment["HOME"].map { $0 + "/.docker" }
        guard let directory else { return nil }
        let path = directory + "/config.json"
        // Read once for the helper it names and the `auths` it holds.
        guard let bytes = FileBytes.read(path, limit: 1 << 20), let config = StrictJSON.parse(bytes) else { return nil }
        if let helper = credentialHelper(in: config, registry: registry) {
            let serverURL = registry == "docker.io" ? "https://index.docker.io/v1/" : registry
            switch try CredentialHelper.get(helper: helper, serverURL: serverURL, environment: environment) {
            case .found(let username, let secret):
                return RegistryCredentials(
                    username: username, password: secret, origin: "docker-credential-\(helper)")
            case .notFound:
                break
            }
        }
        return auths(in: config, registry: registry, origin: path)
    }

    /// What is wrong with the `SCANGATE_REGISTRY*` variables, or nil: credentials set without
    /// `SCANGATE_REGISTRY` are never sent to every registry. A mistake in the job's setup, not a
    /// registry failure: commands check it before contacting anything (exit 2, not 4).
    public static func environmentProblem(_ environment: [String: String]) -> RegistryCredentialsError? {
        guard let username = environment[usernameVariable], environment[passwordVariable] != nil, !username.isEmpty,
            (environment[registryVariable] ?? "").isEmpty
        else { return nil }
        return RegistryCredentialsError(
            message: "\(usernameVariable) is set but \(registryVariable) does not say which registry it is "
                + "for (e.g. \(registryVariable)=ghcr.io): registry credentials are never sent to every registry")
    }

    /// Whether two registry names are one registry: case-insensitive, a scheme or trailing slash
    /// ignored, Docker Hub's names (`docker.io`, `index.docker.io`, `registry-1.docker.io`) one.
    static func sameRegistry(_ lhs: String, _ rhs: String) -> Bool {
        func normal(_ name: String) -> String {
            var text = name.lowercased()
            for prefix in ["https://", "http://"] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
            while text.hasSuffix("/") { text.removeLast() }
            return ImageReference.dockerHubNames.contains(text) ? "docker.io" : text
        }
        return normal(lhs) == normal(rhs)
    }

    /// The helper a Docker `config.json` names for `registry`: `credHelpers` first, then
    /// `credsStore`; nil when it names none.
    static func credentialHelper(in root: JSONValue, registry: String) -> String? {
        var hosts = [registry]
        if registry == "docker.io" { hosts += ["index.docker.io", "https://index.docker.io/v1/"] }
        if let helpers = root.child("credHelpers") {
            for host in hosts {
                if let name = helpers.text(host), !name.isEmpty { return name }
            }
        }
        if let store = root.text("credsStore"), !store.isEmpty { return store }
        return nil
    }

    /// `auths.<registry>.auth` from a parsed Docker `config.json` read from `origin`.
    static func auths(in root: JSONValue, registry: String, origin: String) -> RegistryCredentials? {
        guard let auths = root.child("auths") else { return nil }
        var names = [registry, "https://\(registry)", "http://\(registry)"]
        if registry == "docker.io" {
            names += ["https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"]
        }
        for name in names {
            guard let entry = auths.child(name), let encoded = entry.text("auth"),
                let decoded = StrictBase64.decode(encoded), let colon = decoded.firstIndex(of: 0x3A)
            else { continue }
            let username = String(decoding: decoded[..<colon], as: UTF8.self)
            let password = String(decoding: decoded[(colon + 1)...], as: UTF8.self)
            guard !username.isEmpty else { continue }
            return RegistryCredentials(username: username, password: password, origin: origin)
        }
        return nil
    }
}
