/// Approximate comparisons for floating-point results, in the spirit of swift-numerics'
/// `isApproximatelyEqual(to:relativeTolerance:)`.
extension BinaryFloatingPoint {
  /// Whether `self` and `other` agree to within `relativeTolerance` of the larger magnitude, or
  /// within `absoluteTolerance` (for values near zero).
  public func isApproximatelyEqual(
    to other: Self, relativeTolerance: Self = Self.ulpOfOne.squareRoot(),
    absoluteTolerance: Self = 0
  ) -> Bool {
    if self == other { return true }
    guard self.isFinite, other.isFinite else { return false }
    let difference = (self - other).magnitude
    let scale = Swift.max(self.magnitude, other.magnitude)
    return difference <= absoluteTolerance || difference <= relativeTolerance * scale
  }
}

/// Approximate comparisons of whole sequences of values.
public enum Approximate {
  /// The largest `|a - b| / max(|a|, |b|, floor)` over the elements: a relative error that does
  /// not explode where both values are near zero.
  public static func maxRelativeError<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(
    _ a: [A], _ b: [B], floor: Double = 1e-6
  ) -> Double {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    var worst = 0.0
    for i in a.indices {
      let x = Double(a[i])
      let y = Double(b[i])
      let error = abs(x - y) / max(abs(x), abs(y), floor)
      if error.isNaN { return .infinity }
      worst = max(worst, error)
    }
    return worst
  }

  /// Whether every element agrees within `relativeTolerance` (relative to the element's
  /// magnitude) or `absoluteTolerance`.
  public static func isEqual<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(
    _ a: [A], _ b: [B], relativeTolerance: Double, absoluteTolerance: Double = 0
  ) -> Bool {
    guard a.count == b.count else { return false }
    for i in a.indices
    where !Double(a[i]).isApproximatelyEqual(
      to: Double(b[i]), relativeTolerance: relativeTolerance,
      absoluteTolerance: absoluteTolerance)
    {
      return false
    }
    return true
  }
}
