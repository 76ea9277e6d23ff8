import Findings

/// Writes findings as one SARIF 2.1.0 log that GitHub code scanning accepts.
public enum SARIFWriter {}
