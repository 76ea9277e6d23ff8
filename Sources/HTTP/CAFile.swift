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
        guard data.range(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            return "the CA file \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        }
        return nil
    }
}
