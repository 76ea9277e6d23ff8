import HTTP

/// The GitHub API URL the token is sent to, checked the same way for the SARIF upload and the
/// pull-request comment.
enum GitHubAPIURL {
    /// `url` without trailing slashes, or why the token may not be sent there: not an http(s)
    /// URL, credentials, a query or fragment in it, or plain http to a host that is not this
    /// machine.
    static func checked(_ url: String) -> Result<String, GitHubAPIURLProblem> {
        var api = url
        while api.hasSuffix("/") { api.removeLast() }
        let lowered = api.lowercased()
        let host = URLHost.host(of: api)
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), !host.isEmpty,
            !api.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == 0x3F || $0 == 0x23 })
        else {
            return .failure(GitHubAPIURLProblem("the API URL must be an https URL such as https://api.github.com"))
        }
        guard !URLHost.authority(of: api).contains("@") else {
            return .failure(
                GitHubAPIURLProblem("the API URL must not contain credentials; use GITHUB_TOKEN or --token-file"))
        }
        if lowered.hasPrefix("http://") && !URLHost.isLoopback(host) {
            return .failure(GitHubAPIURLProblem("refusing to send the token over plain http to \(host); use https"))
        }
        return .success(api)
    }
}

/// Why an API URL may not carry the token (the upload and the comment wrap it in their errors).
struct GitHubAPIURLProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
