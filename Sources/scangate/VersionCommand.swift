import ArgumentParser
import CCurl
import CLibXML2
import COpenSSL

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print ScanGate's version and the libcurl, libxml2 and OpenSSL it runs on."
    )

    func run() throws {
        try StandardOutput.write(
            """
            scangate \(ScanGate.version)
            libcurl  \(LinkedLibraries.curl)
            libxml2  \(LinkedLibraries.libxml2)
            OpenSSL  \(LinkedLibraries.openSSL)

            """)
    }
}

/// Versions reported by the libraries loaded at run time (not the headers built against).
enum LinkedLibraries {
    static var curl: String {
        guard let version = scangate_curl_runtime_version() else { return "unknown" }
        return String(cString: version)
    }

    /// libxml2 reports `20914` for 2.9.14.
    static var libxml2: String {
        guard let raw = scangate_xml_parser_version() else { return "unknown" }
        let number = Int(String(cString: raw)) ?? 0
        return "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }

    static var openSSL: String {
        guard let raw = OpenSSL_version(OPENSSL_VERSION) else { return "unknown" }
        return String(cString: raw)
    }
}
