/// What `cluster` learns of its input in one pass before it trains: the lowest and highest
/// value, and how many of the windows differ (counted up to `cap`: training only needs to know
/// whether there are fewer distinct windows than clusters).
struct InputSurvey {
  /// Values per window.
  let size: Int
  /// Distinct windows counted at most.
  let cap: Int
  private(set) var low = Float.infinity
  private(set) var high = -Float.infinity
  /// Windows seen.
  private(set) var count = 0
  /// One copy of each distinct window met, at most `cap`.
  private var representatives: [[Float]] = []

  init(valuesPerWindow: Int, cap: Int) {
    size = valuesPerWindow
    self.cap = max(1, cap)
  }

  /// Distinct windows met, at most `cap` (windows equal value by value are one).
  var distinct: Int { representatives.count }
  /// The largest magnitude met (0 before any window).
  var largestMagnitude: Float { count == 0 ? 0 : max(abs(low), abs(high)) }

  /// Takes `windows` consecutive windows of `size` values each.
  mutating func add(_ values: UnsafeBufferPointer<Float>, windows: Int) {
    for w in 0..<windows {
      let window = UnsafeBufferPointer(rebasing: values[(w * size)..<((w + 1) * size)])
      for value in window {
        low = min(low, value)
        high = max(high, value)
      }
      if representatives.count < cap, !representatives.contains(where: { Self.equal($0, window) }) {
        representatives.append(Array(window))
      }
    }
    count += windows
  }

  /// Value by value, stopping at the first difference (most windows differ in their first).
  private static func equal(_ kept: [Float], _ window: UnsafeBufferPointer<Float>) -> Bool {
    kept.withUnsafeBufferPointer { k in
      for i in 0..<k.count where k[i] != window[i] { return false }
      return true
    }
  }
}
