import ScanGateJSON

extension ImageVerification {
    /// Writes this result as one JSON object (the `scangate verify --format json` shape; the release gate
    /// can embed it as evidence):
    /// `{"reference","repository","tag","digest","mutableTag","verified","reason","detail",
    ///   "signatures":[{"format","source","layerDigest","verified","keyId","keyFile","keyAlgorithm",
    ///   "transparencyLog","reason","detail"}]}`.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("reference", reference)
        writer.field("repository", repository)
        writer.field("tag", tag)
        writer.field("digest", digest)
        writer.field("mutableTag", resolvedFromTag)
        writer.field("verified", isVerified)
        writer.field("reason", failure?.reason.rawValue)
        writer.field("detail", failure?.detail)
        writer.key("signatures")
        writer.beginArray()
        for check in checks {
            writer.beginObject()
            writer.field("format", check.format.rawValue)
            writer.field("source", check.source)
            writer.field("layerDigest", check.layerDigest)
            writer.field("verified", check.isVerified)
            writer.field("keyId", check.key?.id)
            writer.field("keyFile", check.key?.source)
            writer.field("keyAlgorithm", check.key?.algorithm.description)
            writer.field("transparencyLog", check.transparencyLog.label)
            writer.field("reason", check.failure?.reason.rawValue)
            writer.field("detail", check.failure?.detail)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// A short text report: the image, the digest, a mutable-tag warning, one line per signature, and
    /// the verdict on the last line.
    public var text: String {
        var lines = ["image      \(reference)"]
        if let digest { lines.append("digest     \(digest)") }
        if resolvedFromTag, let digest {
            lines.append(
                "tag        \(tag ?? "latest") is mutable: it points to \(digest) now; deploy by that digest")
        }
        for check in checks {
            var line = "signature  \(check.source)"
            if let layer = check.layerDigest { line += " [\(layer)]" }
            if check.isVerified, let key = check.key {
                line += ": verified by key \(key.id.prefix(16))… (\(key.source), \(key.algorithm))"
                line += ", tlog \(check.transparencyLog.label)"
            } else if let failure = check.failure {
                line += ": not verified: \(failure)"
            }
            lines.append(line)
        }
        if let failure {
            lines.append("result     NOT VERIFIED: \(failure)")
        } else {
            lines.append("result     VERIFIED (\(verifiedBy.count) of \(checks.count) signatures)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
