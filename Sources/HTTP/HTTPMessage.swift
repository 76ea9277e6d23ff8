/// HTTP header fields: names compared case-insensitively, order and repeats kept.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in the order they were added or received.
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// Appends a field (a repeated name is kept as a second field).
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// The value of the last field named `name` (case-insensitively), or nil.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.last { $0.name.lowercased() == wanted }?.value
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// The methods ScanGate uses.
public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
}

/// One request: method, absolute `http`/`https` URL, headers and body.
///
/// `description` names the method and URL only: headers may carry credentials and are never printed.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public var description: String { "\(method.rawValue) \(url)" }
}

/// A response: status code, headers (case-insensitive) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// How many attempts the client made to get this response (1 when no retry was needed).
    public var attempts: Int

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Why a request produced no response.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request cannot be sent as given (bad URL, unsupported scheme, header with a line break…).
    case invalidRequest(String)
    /// The network failed: DNS, connection refused or reset, proxy… `code` is libcurl's CURLcode.
    case transport(code: Int, message: String)
    /// The connect or total timeout expired.
    case timeout(String)
    /// TLS failed: the certificate was not trusted, the host name did not match, the handshake failed.
    case tls(code: Int, message: String)
    /// The response body exceeded the configured maximum.
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .invalidRequest(let message): "invalid request: \(message)"
        case .transport(_, let message): "network error: \(message)"
        case .timeout(let message): "timed out: \(message)"
        case .tls(_, let message): "TLS error: \(message)"
        case .responseTooLarge(let limit): "the response was larger than \(limit) bytes"
        }
    }

    /// Whether trying again could help: network failures and timeouts, not TLS or size problems.
    public var isTransient: Bool {
        switch self {
        case .transport, .timeout: true
        case .invalidRequest, .tls, .responseTooLarge: false
        }
    }
}

extension Unicode.Scalar {
    /// Whether text a server sent must not reach a terminal or log with this scalar in it:
    /// controls (escape sequences, carriage returns and line feeds that forge a line), line and
    /// paragraph separators, and format characters (bidi overrides that make reversed text read
    /// as something else, zero-width characters). The GitHub and registry clients both keep
    /// server text from carrying them.
    public var isUnsafeInServerText: Bool {
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
