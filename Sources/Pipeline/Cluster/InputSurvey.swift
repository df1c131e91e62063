import Foundation
import Store

/// What `cluster` learns of its input in one pass before it trains: the lowest and highest
/// value, and how many of the windows differ (counted up to `cap`: training only needs to know
/// whether there are fewer distinct windows than clusters). `cluster`, `relabel` and `assign`
/// refuse through it what they cannot train on or fill.
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

  // MARK: Refusals

  /// The largest magnitude `cluster` trains on. Training works in float32: the reconstruction
  /// loss squares the input and sums millions of squares, which overflow beyond about 1e19
  /// (stop 48: windows of 1e19 diverged at the first epoch, of 1e15 trained). Raw counts are
  /// below 2^31, ground motion in any unit far below. `windows import` refuses beyond it too.
  static let largestTrainableValue: Float = 1e15

  /// `value` and why it cannot be trained on, as the refusals say it.
  static func beyondTraining(_ value: Float) -> String {
    "\(String(format: "%.3g", value)), beyond the \(String(format: "%.0g", largestTrainableValue)) that training in float32 can square and sum"
  }

  /// Refuses values beyond `largestTrainableValue`, with what makes them smaller: windows
  /// imported are scaled before import, windows built are normalised (`--normalize none` of
  /// traces stored in large units gave 1e17).
  func refuseLargeValues(windowSet: Int64, imported: Bool, store: String) throws {
    guard largestMagnitude > Self.largestTrainableValue else { return }
    throw InputError(
      path: store,
      reason:
        "window set \(windowSet) holds values up to \(Self.beyondTraining(largestMagnitude)): "
        + (imported
          ? "scale the windows (divide them by their largest value) and import them again"
          : "build them with --normalize max or std"))
  }

  /// Refuses windows that cannot fill the clusters asked for: all alike (any K but 1), or fewer
  /// distinct windows than `--clusters K` (nil: `--clusters auto`, which scans no K above
  /// them). Such runs trained and left clusters empty, and `--clusters auto` chose among
  /// partitions of rounding noise (stop 48).
  func refuseTooFewDistinct(
    clusters: Int?, set: WindowSetRecord, asked: String? = nil
  ) throws {
    let id = set.id ?? 0
    if count > 1, distinct == 1, clusters != 1 {
      throw InputError(
        path: "",
        reason:
          "all \(count) windows of window set \(id) hold the same values: there is nothing to cluster (`seiscluster windows export` shows them)"
      )
    }
    if let clusters, distinct < clusters {
      throw InputError(
        path: "",
        reason:
          "window set \(id) holds \(distinct) distinct windows (of \(count)), fewer than \(asked ?? "--clusters \(clusters)")"
      )
    }
  }

}
