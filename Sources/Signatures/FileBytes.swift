import Foundation

/// Reading small input files (keys, payloads, bundles) with a size cap.
enum FileBytes {
    /// The file's bytes, or nil when it cannot be read or is larger than `limit`.
    static func read(_ path: String, limit: Int) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            // nil means end of file at once: an empty file.
            let data = try handle.read(upToCount: limit + 1) ?? Data()
            return data.count <= limit ? [UInt8](data) : nil
        } catch {
            return nil
        }
    }
}
