/// Why an upload did not succeed. Every description is one line (GitHub's processing errors
/// follow on their own lines) and never contains the token.
public enum SARIFUploadError: Error, Sendable, CustomStringConvertible {
    /// How many of GitHub's processing errors a failure shows; the rest are counted.
    public static let shownProcessingErrors = 20

    /// An argument is invalid (repository, commit, ref, API URL…): nothing was sent.
    case invalidArgument(String)
    /// The file would be rejected by GitHub: nothing was sent.
    case rejectedLocally(SARIFPreflightError)
    /// The file is not a SARIF log at all (not JSON, truncated, not an object): nothing was sent.
    case unreadableFile(SARIFPreflightError)
    /// The network, TLS or a timeout failed (after the retries the policy allows).
    case network(String)
    /// GitHub answered with an error status; `message` explains it in one line.
    case api(status: Int, message: String)
    /// GitHub accepted the file but could not process it: the first of GitHub's errors (at most
    /// ``shownProcessingErrors``), and how many it listed.
    case processingFailed(id: String, errors: [String], total: Int)
    /// GitHub was still processing when the wait ended.
    case processingTimedOut(id: String, waited: Double)
    /// GitHub accepted the upload, but its status could not be read until the wait ended.
    case statusUnavailable(id: String, waited: Double, reason: String)

    /// Whether the problem is local (usage or file), as opposed to GitHub or the network.
    public var isLocal: Bool {
        switch self {
        case .invalidArgument, .rejectedLocally, .unreadableFile: true
        case .network, .api, .processingFailed, .processingTimedOut, .statusUnavailable: false
        }
    }

    /// Whether an argument (repository, commit, ref, API URL…) was the problem, not the file.
    public var isArgumentProblem: Bool {
        if case .invalidArgument = self { return true }
        return false
    }

    /// Whether the input file could not be read as SARIF (exit 3, as for any unreadable report),
    /// as opposed to a usage problem or a file GitHub would refuse (exit 2).
    public var isUnreadableInput: Bool {
        if case .unreadableFile = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .invalidArgument(let message):
            return message
        case .rejectedLocally(let error):
            return "not uploaded: GitHub would reject this file: \(error.reason)"
        case .unreadableFile(let error):
            return "not uploaded: the file cannot be read as SARIF: \(error.reason)"
        case .network(let message):
            return message
        case .api(_, let message):
            return message
        case .processingFailed(let id, let errors, let total):
            // GitHub's own list can be long; the first ones say what is wrong.
            var lines =
                errors.isEmpty
                ? ["  (GitHub gave no reason)"] : errors.prefix(Self.shownProcessingErrors).map { "  - \($0)" }
            let shown = min(errors.count, Self.shownProcessingErrors)
            if total > shown { lines.append("  … and \(total - shown) more") }
            return (["GitHub could not process the upload \(id):"] + lines).joined(separator: "\n")
        case .processingTimedOut(let id, let waited):
            return "GitHub was still processing the upload \(id) after \(Int(waited.rounded())) s; "
                + "it may still complete: check the repository's code scanning page"
        case .statusUnavailable(let id, let waited, let reason):
            return "GitHub accepted the upload \(id), but its processing status could not be read in "
                + "\(Int(waited.rounded())) s (last: \(reason)); it may still complete: check the repository's code "
                + "scanning page before uploading again"
        }
    }
}
