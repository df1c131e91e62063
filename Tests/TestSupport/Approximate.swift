import Foundation

/// Normalised RMS difference: sqrt(sum (a-b)^2 / sum b^2), the reference being `b`.
public func normalizedRMS(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
  var num = 0.0, den = 0.0
  for i in a.indices {
    num += (a[i] - b[i]) * (a[i] - b[i])
    den += b[i] * b[i]
  }
  return den > 0 ? (num / den).squareRoot() : num.squareRoot()
}

/// Largest absolute difference.
public func maxAbsoluteDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count)
  var m = 0.0
  for i in a.indices { m = max(m, abs(a[i] - b[i])) }
  return m
}
