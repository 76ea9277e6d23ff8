import CCurl

/// Something that performs one HTTP exchange, without retrying. ``CurlTransport`` is the real
/// one; tests substitute their own to drive ``HTTPClient``'s retry logic.
public protocol HTTPTransport: Sendable {
    /// Sends `request` once, giving up after `timeout` seconds in all.
    func perform(_ request: HTTPRequest, timeout: Double) throws(HTTPError) -> HTTPResponse
}

/// One libcurl easy handle per request: TLS always verified, proxy from the environment
/// (`https_proxy`, `HTTPS_PROXY`, `http_proxy`, `no_proxy`: libcurl reads them itself because
/// no proxy option is ever set here), no redirects, only `http` and `https`.
public struct CurlTransport: HTTPTransport {
    /// Seconds allowed to establish the connection (TCP and TLS).
    public var connectTimeout: Double
    /// A PEM file of CA certificates to trust instead of the system's (GitHub Enterprise Server with a
    /// private CA). Verification is never turned off.
    public var caFile: String?
    /// The largest response body accepted, in bytes.
    public var maximumResponseSize: Int

    public init(connectTimeout: Double = 30, caFile: String? = nil, maximumResponseSize: Int = 16 << 20) {
        self.connectTimeout = connectTimeout
        self.caFile = caFile
        self.maximumResponseSize = maximumResponseSize
    }

    public func perform(_ request: HTTPRequest, timeout: Double) throws(HTTPError) -> HTTPResponse {
        try validate(request)
        guard CurlGlobal.initialized == 0 else {
            throw .transport(code: Int(CurlGlobal.initialized), message: "libcurl could not be initialised")
        }
        guard let handle = curl_easy_init() else {
            throw .transport(code: 0, message: "libcurl could not create a handle")
        }
        defer { curl_easy_cleanup(handle) }

        let state = TransferState(limit: maximumResponseSize)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for field in request.headers { headerList = curl_slist_append(headerList, "\(field.name): \(field.value)") }
        // libcurl adds "Expect: 100-continue" to large POSTs, which costs a round trip; an empty value removes it.
        headerList = curl_slist_append(headerList, "Expect:")

        let code: CURLcode = request.body.withUnsafeBufferPointer { body in
            var options = OptionSetter(handle: handle)
            options.string(CURLOPT_URL, request.url)
            // A loopback request never goes through a proxy (as Go's ProxyFromEnvironment, which
            // Docker and cosign use, decides): plain http is allowed only because its bytes stay
            // on this machine, and an `http_proxy` would receive the token or password in clear.
            if URLHost.isLoopback(URLHost.host(of: request.url)) { options.string(CURLOPT_PROXY, "") }
            options.long(CURLOPT_NOSIGNAL, 1)
            options.long(CURLOPT_SSL_VERIFYPEER, 1)
            options.long(CURLOPT_SSL_VERIFYHOST, 2)
            if let caFile { options.string(CURLOPT_CAINFO, caFile) }
            options.string(CURLOPT_PROTOCOLS_STR, "http,https", optional: true)
            options.long(CURLOPT_FOLLOWLOCATION, 0)
            options.long(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(connectTimeout, timeout)))
            options.long(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
            options.offT(CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maximumResponseSize))
            options.pointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
            options.pointer(CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
            let context = Unmanaged.passUnretained(state).toOpaque()
            options.callback(CURLOPT_WRITEFUNCTION, curlWriteBody)
            options.pointer(CURLOPT_WRITEDATA, context)
            options.callback(CURLOPT_HEADERFUNCTION, curlWriteHeader)
            options.pointer(CURLOPT_HEADERDATA, context)
            switch request.method {
            case .get:
                options.long(CURLOPT_HTTPGET, 1)
            case .post:
                options.long(CURLOPT_POST, 1)
            default:
                options.string(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            }
            if request.method != .get {
                // The body stays valid for the whole transfer: curl_easy_perform runs inside this closure.
                // An empty body still needs a non-null pointer, or libcurl would read the body from stdin.
                let fields = UnsafeMutableRawPointer(mutating: body.baseAddress) ?? UnsafeMutableRawPointer(errorBuffer)
                options.pointer(CURLOPT_POSTFIELDS, fields)
                options.offT(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            }
            if let failure = options.failure { return failure }
            return curl_easy_perform(handle)
        }

        guard code == CURLE_OK else {
            if state.exceeded || code == CURLE_FILESIZE_EXCEEDED {
                throw .responseTooLarge(limit: maximumResponseSize)
            }
            // libcurl's text can quote a proxy URL, with its password.
            let detail = URLHost.redactingUserinfo(String(cString: errorBuffer))
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw Self.error(for: code, message: message)
        }
        var status = 0
        _ = scangate_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: state.headers, body: state.body)
    }

    private func validate(_ request: HTTPRequest) throws(HTTPError) {
        let lowered = request.url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else {
            throw .invalidRequest("only http and https URLs are supported")
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidRequest("the URL contains spaces or control characters")
        }
        for field in request.headers {
            let isToken = !field.name.isEmpty && field.name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }
            // A line break in a value would let it inject further headers.
            let isSafe = !field.value.utf8.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
            guard isToken, isSafe else {
                throw .invalidRequest("the header \(isToken ? field.name : "name") contains forbidden characters")
            }
        }
    }

    /// Rounded up: a timeout cut to a caller's deadline must not fire before the deadline (a
    /// status request ended by the end of the wait is "still processing", not a failure).
    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return max(1, Int((min(seconds, 86_400) * 1000).rounded(.up)))
    }

    static func error(for code: CURLcode, message: String) -> HTTPError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE, CURLE_USE_SSL_FAILED:
            return .tls(code: Int(code.rawValue), message: message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest(message)
        default:
            return .transport(code: Int(code.rawValue), message: message)
        }
    }
}

/// `curl_global_init` runs once, the first time any request is made: a global `let` is
/// initialised lazily and exactly once, even when several threads reach it together.
private enum CurlGlobal {
    static let initialized: UInt32 = curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue
}

/// What the callbacks collect during one transfer. Only the thread running
/// `curl_easy_perform` touches it.
private final class TransferState {
    let limit: Int
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var exceeded = false

    init(limit: Int) { self.limit = limit }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes; returning less than given aborts the transfer.
private let curlWriteBody: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    guard state.body.count + length <= state.limit else {
        state.exceeded = true
        return 0
    }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        state.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

/// CURLOPT_HEADERFUNCTION: called once per header line, status lines included.
private let curlWriteHeader: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard length > 0, let data else { return length }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new response begins (after a 100 Continue, or through a proxy's CONNECT): keep only its headers.
        state.headers = HTTPHeaders()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon]).trimmingSpaces
        state.headers.add(name, String(line[line.index(after: colon)...]).trimmingSpaces)
    }
    return length
}

/// Sets options and remembers the first failure, so one check covers them all.
private struct OptionSetter {
    let handle: UnsafeMutableRawPointer
    var failure: CURLcode?

    init(handle: UnsafeMutableRawPointer) { self.handle = handle }

    mutating func long(_ option: CURLoption, _ value: Int) {
        record(scangate_curl_setopt_long(handle, option, value))
    }

    mutating func offT(_ option: CURLoption, _ value: curl_off_t) {
        record(scangate_curl_setopt_off_t(handle, option, value))
    }

    /// `optional`: an option older libcurls do not know is skipped rather than failing the request.
    mutating func string(_ option: CURLoption, _ value: String, optional: Bool = false) {
        let code = scangate_curl_setopt_string(handle, option, value)  // libcurl copies strings.
        if optional && (code == CURLE_UNKNOWN_OPTION || code == CURLE_NOT_BUILT_IN) { return }
        record(code)
    }

    mutating func pointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
        record(scangate_curl_setopt_pointer(handle, option, value))
    }

    mutating func callback(_ option: CURLoption, _ value: curl_write_callback) {
        record(scangate_curl_setopt_write_callback(handle, option, value))
    }

    private mutating func record(_ code: CURLcode) {
        if code != CURLE_OK && failure == nil { failure = code }
    }
}
