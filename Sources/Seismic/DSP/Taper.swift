import Foundation

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

extension DSP {
  /// The taper window ObsPy's `Trace.taper(max_percentage, type='cosine', side='both')` multiplies
  /// by, for `count` samples.
  ///
  /// ObsPy takes a half-length `wlen = min(int(max_percentage * npts), int(npts / 2))`, builds
  /// `obspy.signal.invsim.cosine_taper(M, p=1.0)` (half-cosine flanks, `M = 2 wlen`, or
  /// `2 wlen + 1` when that differs from `npts`), and uses its first and last `wlen` values as the
  /// flanks, with ones between. So the first sample is 0 and the flank reaches 1 after `wlen`
  /// samples. `maxPercentage` is a fraction (0.05 for 5 %).
  public static func cosineTaperWindow(count npts: Int, maxPercentage: Double) -> [Double] {
    guard npts > 0 else { return [] }
    let wlen = min(Int(maxPercentage * Double(npts)), npts / 2)
    var taper = [Double](repeating: 1, count: npts)
    guard wlen > 0 else { return taper }
    let m = 2 * wlen == npts ? 2 * wlen : 2 * wlen + 1
    let sides = halfCosineTaper(count: m)
    for i in 0..<wlen {
      taper[i] = sides[i]
      taper[npts - wlen + i] = sides[m - wlen + i]
    }
    return taper
  }

  /// `cosine_taper(npts, p=1.0, halfcosine=True)` of ObsPy, including its index adjustments for
  /// very short windows. Indices follow NumPy slice assignment order.
  static func halfCosineTaper(count npts: Int) -> [Double] {
    let frac = npts / 2
    let idx1 = 0
    var idx2 = frac - 1
    var idx3 = npts - frac
    let idx4 = npts - 1
    if idx1 == idx2 { idx2 += 1 }
    if idx3 == idx4 { idx3 -= 1 }
    var w = [Double](repeating: 0, count: npts)
    func assign(_ start: Int, _ end: Int, _ value: (Int) -> Double) {
      let s = max(0, start)
      let e = min(npts, end)
      guard s < e else { return }
      for i in s..<e { w[i] = value(i) }
    }
    assign(idx1, idx2 + 1) { i in
      0.5 * (1.0 - cos(Double.pi * (Double(i) - Double(idx1)) / Double(idx2 - idx1)))
    }
    assign(idx2 + 1, idx3) { _ in 1.0 }
    assign(idx3, idx4 + 1) { i in
      0.5 * (1.0 + cos(Double.pi * (Double(idx3) - Double(i)) / Double(idx4 - idx3)))
    }
    if idx1 == idx2 { w[idx1] = 0 }
    if idx3 == idx4 { w[idx3] = 0 }
    return w
  }

  /// The samples multiplied by `cosineTaperWindow(count:maxPercentage:)`, as ObsPy's
  /// `taper(max_percentage, type='cosine')`.
  public static func cosineTapered(_ samples: [Double], maxPercentage: Double) -> [Double] {
    var out = samples
    cosineTaper(&out, maxPercentage: maxPercentage)
    return out
  }

  /// `cosineTapered`, in place.
  public static func cosineTaper(_ samples: inout [Double], maxPercentage: Double) {
    let window = TaperCache.shared.window(count: samples.count, maxPercentage: maxPercentage)
    window.withUnsafeBufferPointer { w in
      samples.withUnsafeMutableBufferPointer { x in
        for i in x.indices { x[i] *= w[i] }
      }
    }
  }
}

/// `cosineTaperWindow`s by length and share: windows cut from the same data share lengths, and
/// the cosines were 2 % of a window build.
final class TaperCache: @unchecked Sendable {
  static let shared = TaperCache()
  private struct Key: Hashable {
    var count: Int
    var maxPercentage: UInt64
  }
  private var windows: [Key: [Double]] = [:]
  private let lock = NSLock()
  private let capacity = 64

  func window(count: Int, maxPercentage: Double) -> [Double] {
    let key = Key(count: count, maxPercentage: maxPercentage.bitPattern)
    lock.lock()
    if let known = windows[key] {
      lock.unlock()
      return known
    }
    lock.unlock()
    let made = DSP.cosineTaperWindow(count: count, maxPercentage: maxPercentage)
    lock.lock()
    if windows.count >= capacity { windows.removeAll() }
    windows[key] = made
    lock.unlock()
    return made
  }
}
