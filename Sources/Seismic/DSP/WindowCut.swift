/// The geometry of a window around a pick on a regularly sampled grid (contract: "Window
/// options"): the window runs from `pick - before` to `pick + after`, half-open, with
/// `round((before + after) * rate)` samples, its first sample being the grid sample nearest to
/// `pick - before`.
public struct WindowCut: Sendable, Equatable {
  /// Seconds before the pick.
  public let before: Double
  /// Seconds after the pick.
  public let after: Double

  /// The longest `before` or `after` taken, in seconds (about 31 years): their nanoseconds
  /// stay within a 64-bit integer.
  public static let maximumSeconds = 1e9

  public init(before: Double, after: Double) throws(ProcessingSettingsError) {
    guard before >= 0, after >= 0 else {
      throw ProcessingSettingsError(
        step: "window", reason: "before and after must be non-negative numbers of seconds")
    }
    guard before <= Self.maximumSeconds, after <= Self.maximumSeconds else {
      throw ProcessingSettingsError(
        step: "window", reason: "before and after are at most 1e9 s each")
    }
    guard before + after > 0 else {
      throw ProcessingSettingsError(
        step: "window", reason: "before and after must not both be 0")
    }
    self.before = before
    self.after = after
  }

  /// Number of samples in a window at `rate` Hz: `WindowCut.samples(seconds:rate:)`.
  public func sampleCount(rate: Double) -> Int {
    Int(Self.samples(seconds: before + after, rate: rate))
  }

  /// `round(seconds * rate)` as the contract writes it, in Python's (and NumPy's) sense: half a
  /// sample goes to the even count (0.125 s at 100 Hz is 12 samples, 0.375 s is 38). In Double,
  /// so absurd sizes can be checked before they are converted.
  public static func samples(seconds: Double, rate: Double) -> Double {
    (seconds * rate).rounded(.toNearestOrEven)
  }

  /// Index, on a grid starting at `gridStart` with `rate` Hz, of the sample nearest to
  /// `pick - before` (may be negative or beyond the grid). A tie goes to the later sample, as
  /// ObsPy's `round_away` takes it on a trace, also half a sample before the grid's first
  /// sample (where rounding away from zero took the sample before it, which is not there).
  public func firstIndex(pick: Timestamp, gridStart: Timestamp, rate: Double) -> Int {
    let startNanoseconds =
      pick.nanoseconds(since: gridStart) - Int64((before * 1e9).rounded())
    let position = Double(startNanoseconds) * rate / 1e9
    let nearest = position.rounded()
    return Int(nearest - position == -0.5 ? nearest + 1 : nearest)
  }

  /// The window's samples cut from a grid of `samples` starting at `gridStart`, or nil when the
  /// grid does not cover it (never zero-filled).
  public func cut(_ samples: [Double], gridStart: Timestamp, rate: Double, pick: Timestamp)
    -> [Double]?
  {
    let first = firstIndex(pick: pick, gridStart: gridStart, rate: rate)
    let count = sampleCount(rate: rate)
    guard first >= 0, count > 0, first + count <= samples.count else { return nil }
    return Array(samples[first..<(first + count)])
  }

  /// Seconds of margin to preprocess on each side of a window so the 5 % taper and the filter's
  /// start-up stay outside it: at least half the window, at least 10 periods of the band's low
  /// corner (when there is a band), at least 5 s.
  public func recommendedMargin(lowCorner: Double?) -> Double {
    var margin = max(5, 0.5 * (before + after))
    if let lowCorner, lowCorner > 0 { margin = max(margin, 10 / lowCorner) }
    return margin
  }
}
