import COpenSSL
import Foundation

/// A file of CA certificates given with `--cacert` (a GitHub Enterprise Server's private CA).
public enum CAFile {
    /// Why the file at `path` cannot be a CA file, or nil when it can: checked before anything
    /// is sent, so a wrong path is a usage error naming the file, not a TLS failure that blames
    /// the server (and is retried).
    public static func problem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "cannot read the CA file \(path): no such file"
        }
        if isDirectory.boolValue { return "cannot read the CA file \(path): it is a directory" }
        // A bundle of every public CA is a few hundred KB; more than this is not a CA file.
        let limit = 16 << 20
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            return "the CA file \(path) is larger than 16 MiB: not a CA file"
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return "cannot read the CA file \(path): it cannot be read"
        }
        let marker = Data("-----BEGIN CERTIFICATE-----".utf8)
        var blocks = 0
        var searched = data.startIndex..<data.endIndex
        while let found = data.range(of: marker, in: searched) {
            blocks += 1
            searched = found.upperBound..<data.endIndex
        }
        guard blocks > 0 else {
            return "the CA file \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        }
        // libcurl refuses the whole file for one block OpenSSL cannot read, blaming the
        // connection ("error setting certificate file"): a cut or edited file is a usage error.
        let readable = readableCertificates(in: data)
        if readable < blocks {
            return "the CA file \(path) holds \(blocks) PEM certificate\(blocks == 1 ? "" : "s"), of which "
                + (readable == 0 ? "none" : "only the first \(readable)") + " can be read: is it cut or edited?"
        }
        return nil
    }

    /// How many certificates OpenSSL reads from the PEM text, from the first until one it cannot.
    private static func readableCertificates(in data: Data) -> Int {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int in
            guard let base = raw.baseAddress, raw.count <= Int(Int32.max),
                let bio = BIO_new_mem_buf(base, Int32(raw.count))
            else { return 0 }
            defer { BIO_free(bio) }
            var count = 0
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                X509_free(certificate)
                count += 1
            }
            ERR_clear_error()
            return count
        }
    }
}
