import Findings

/// A gate policy for one environment.
public struct Policy: Sendable {}
