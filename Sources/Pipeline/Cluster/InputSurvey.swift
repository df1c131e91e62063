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
  /// The representatives by the hash of their values: a window is compared value by value only
  /// with those of its hash (comparing with every one cost windows x distinct x shared prefix:
  /// 33 s for 10,000 windows of zeros differing in their last value, a review found).
  private var byHash: [UInt64: [Int]] = [:]

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
      guard representatives.count < cap else {
        for value in window {
          low = min(low, value)
          high = max(high, value)
        }
        continue
      }
      // FNV-1a over the values' bits, -0.0 taken as 0.0 (they compare equal).
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for value in window {
        low = min(low, value)
        high = max(high, value)
        hash = (hash ^ UInt64(value == 0 ? 0 : value.bitPattern)) &* 0x0100_0000_01b3
      }
      let same = byHash[hash, default: []]
      if !same.contains(where: { Self.equal(representatives[$0], window) }) {
        byHash[hash, default: []].append(representatives.count)
        representatives.append(Array(window))
      }
    }
    count += windows
  }

  /// Value by value.
  private static func equal(_ kept: [Float], _ window: UnsafeBufferPointer<Float>) -> Bool {
    kept.withUnsafeBufferPointer { k in
      for i in 0..<k.count where k[i] != window[i] { return false }
      return true
    }
  }
}
