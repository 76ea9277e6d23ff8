import Foundation
import OutputFiles

/// Reading small input files (keys, payloads, bundles) with a size cap.
enum FileBytes {
    /// The file's bytes, or nil when it cannot be read, is no regular file or is larger than `limit`.
    static func read(_ path: String, limit: Int) -> [UInt8]? {
        try? SmallFile.read(path, limit: limit)
    }
}
