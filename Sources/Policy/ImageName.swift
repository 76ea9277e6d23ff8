import Findings

/// An image repository as policy `image:` globs and waiver `image:` scopes see it: by every
/// name Docker Hub answers to, so that a rule for `docker.io/library/nginx*` fails what
/// `trivy image nginx:1.25` found (Trivy records the repository as `nginx`), and a rule for
/// `nginx*` what a scan of `docker.io/library/nginx` found.
///
/// OpenVEX products are matched with the same normalisation (``normalRepository(_:)``).
enum ImageName {
    /// The registries Docker Hub is reached under; `docker.io` is the name Docker itself uses.
    static let hubRegistries = ImageReference.dockerHubRegistries

    /// Lower case, and Docker Hub's forms one: `docker.io/library/nginx`,
    /// `index.docker.io/library/nginx`, `library/nginx` and `nginx` are all `nginx`;
    /// `docker.io/acme/app` is `acme/app`.
    static func normalRepository(_ repository: String) -> String {
        var text = repository.asciiLowercased
        for prefix in [
            "https://", "http://", "index.docker.io/", "registry-1.docker.io/", "registry.hub.docker.com/",
            "docker.io/",
        ]
        where text.hasPrefix(prefix) {
            text.removeFirst(prefix.count)
        }
        if text.hasPrefix("library/") { text.removeFirst("library/".count) }
        return text
    }

    /// Every name of the repository: as written, and, for a Docker Hub repository, each of its
    /// spellings (`nginx`, `library/nginx`, `docker.io/nginx`, `docker.io/library/nginx`,
    /// `index.docker.io/…`, `registry-1.docker.io/…`, `registry.hub.docker.com/…`). A repository on another registry
    /// (its first part names a host: a `.`, a `:` or `localhost`) is only itself, lower-cased.
    static func spellings(of repository: String) -> [String] {
        let normal = normalRepository(repository)
        guard !normal.isEmpty else { return [repository] }
        var names = [repository]
        func add(_ name: String) { if !names.contains(name) { names.append(name) } }
        let first = normal.prefix { $0 != "/" }
        let onOtherRegistry =
            first.count < normal.count && (first.contains(".") || first.contains(":") || first == "localhost")
        guard !onOtherRegistry else {
            add(normal)
            return names
        }
        // An official image (`nginx`) is `library/nginx` on the registry.
        let forms = normal.contains("/") ? [normal] : [normal, "library/" + normal]
        for form in forms { add(form) }
        for registry in hubRegistries {
            for form in forms { add(registry + "/" + form) }
        }
        return names
    }

    /// The names an image location matches by: each spelling of its repository, and each with
    /// `:tag` when the location has a tag.
    static func names(of image: ImageReference) -> [String] {
        let repositories = spellings(of: image.repository)
        guard let tag = image.tag else { return repositories }
        return repositories + repositories.map { $0 + ":" + tag }
    }

    /// The image as reports show it: `repository:tag`, or the repository.
    static func label(of image: ImageReference) -> String {
        image.tag.map { image.repository + ":" + $0 } ?? image.repository
    }
}
