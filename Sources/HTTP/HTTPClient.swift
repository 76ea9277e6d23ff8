import CCurl

/// A small HTTP client over libcurl.
public struct HTTPClient: Sendable {}
