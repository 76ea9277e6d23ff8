import Foundation
import TestSupport

/// A throw-away certificate authority and a server certificate for 127.0.0.1 and localhost,
/// made with the `openssl` command line in a temporary directory.
struct TestCA {
    let directory: URL
    let caCertificate: URL
    let serverCertificate: URL
    let serverKey: URL

    /// A CA only (for the "wrong CA" case), or a CA with a server certificate.
    init(name: String, issueServerCertificate: Bool = true) throws {
        guard let openssl = TestEnvironment.openssl else { throw TestFailure("openssl not found") }
        directory = try TestEnvironment.temporaryDirectory()
        caCertificate = directory.appendingPathComponent("ca.pem")
        serverCertificate = directory.appendingPathComponent("server.pem")
        serverKey = directory.appendingPathComponent("server.key")
        let caKey = directory.appendingPathComponent("ca.key")
        try Self.run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.path, "-out", caCertificate.path, "-days", "2", "-subj", "/CN=\(name)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        guard issueServerCertificate else { return }
        let request = directory.appendingPathComponent("server.csr")
        let extensions = directory.appendingPathComponent("server.ext")
        try Data(
            """
            basicConstraints=CA:FALSE
            keyUsage=critical,digitalSignature
            extendedKeyUsage=serverAuth
            subjectAltName=IP:127.0.0.1,DNS:localhost

            """.utf8
        ).write(to: extensions)
        try Self.run(
            openssl,
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                serverKey.path, "-out", request.path, "-subj", "/CN=localhost",
            ])
        try Self.run(
            openssl,
            [
                "x509", "-req", "-in", request.path, "-CA", caCertificate.path, "-CAkey", caKey.path,
                "-CAcreateserial", "-out", serverCertificate.path, "-days", "2", "-extfile", extensions.path,
            ])
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private static func run(_ openssl: URL, _ arguments: [String]) throws {
        let result = try ChildProcess.run(openssl, arguments, environment: nil)
        guard result.status == 0 else { throw TestFailure("openssl \(arguments[0]) failed: \(result.standardError)") }
    }
}
