import HTTP
import SARIF

/// Uploads SARIF to GitHub code scanning.
public struct SARIFUploader: Sendable {}
