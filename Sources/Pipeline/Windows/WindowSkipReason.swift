/// Why a pick got no window. Each skipped pick is named in a one-line warning; the build's
/// summary counts them by reason.
public enum WindowSkipReason: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
  /// No stored data for the station, location or channel around the window.
  case noData = "no data"
  /// The stored data stops or starts inside the window (partly covered, no gap).
  case incompleteData = "data does not cover the window"
  /// A gap between stored runs falls inside the window and its margin.
  case gap = "gap"
  /// The station has no channel set with every requested component.
  case missingComponent = "missing component"
  /// Stored segments overlap with different samples.
  case conflictingOverlap = "conflicting overlap"
  /// The station's Nyquist frequency is at or below the band's upper corner.
  case nyquist = "Nyquist at or below the band"
  /// The data holds NaN or infinite samples.
  case notFinite = "NaN samples"
  /// Preprocessing failed for another reason (said in the warning).
  case processing = "processing failed"

  public var description: String { rawValue }

  public static func < (a: WindowSkipReason, b: WindowSkipReason) -> Bool {
    (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
  }
}

/// One pick that got no window, and why (one line, naming the pick).
public struct WindowSkip: Sendable, Equatable, CustomStringConvertible {
  public var reason: WindowSkipReason
  public var message: String
  public var description: String { message }
}
