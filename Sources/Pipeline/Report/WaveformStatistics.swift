import Foundation
import Seismic

/// Per-cluster summaries of a window set's samples (N x C x L, C order), for plotting.
enum WaveformStatistics {
  /// The mean and standard deviation across `members` (window indices) of every channel's
  /// samples: two C x L arrays. The deviation divides by n (the spread of these windows).
  ///
  /// With `shifts` (one per member, `alignmentLags`), member `m` contributes its sample `t +
  /// shifts[m]` at position `t`, where that sample exists: the stack of aligned windows.
  static func meanAndSpread(
    samples: [Float], channelCount: Int, length: Int, members: [Int], shifts: [Int]? = nil
  ) -> (mean: [Double], spread: [Double]) {
    let size = channelCount * length
    var mean = [Double](repeating: 0, count: size)
    var square = [Double](repeating: 0, count: size)
    var counts = [Double](repeating: 0, count: size)
    guard !members.isEmpty else { return (mean, mean) }
    samples.withUnsafeBufferPointer { all in
      for (j, m) in members.enumerated() {
        let base = m * size
        let shift = shifts?[j] ?? 0
        for c in 0..<channelCount {
          for t in max(0, -shift)..<min(length, length - shift) {
            let i = c * length + t
            let v = Double(all[base + i + shift])
            mean[i] += v
            square[i] += v * v
            counts[i] += 1
          }
        }
      }
    }
    var spread = [Double](repeating: 0, count: size)
    for i in 0..<size where counts[i] > 0 {
      mean[i] /= counts[i]
      spread[i] = max(square[i] / counts[i] - mean[i] * mean[i], 0).squareRoot()
    }
    return (mean, spread)
  }

  /// For each window of `rows`, the shift in samples (within ±`maxLag`) that best aligns it with
  /// window `reference`: the lag of the highest cross-correlation summed over `channels`
  /// (window `r` at sample `t + lag` matches the reference at `t`). REDPy draws a family's
  /// members aligned so; the report draws them shifted by it.
  static func alignmentLags(
    samples: [Float], channelCount: Int, length: Int, rows: [Int], reference: Int,
    channels: Int, maxLag: Int
  ) -> [Int] {
    let size = channelCount * length
    let channels = min(channels, channelCount)
    let maxLag = max(0, min(maxLag, length - 1))
    return samples.withUnsafeBufferPointer { all in
      let origin = all.baseAddress!
      return rows.map { row in
        guard row != reference else { return 0 }
        var best = (lag: 0, value: -Float.infinity)
        for lag in -maxLag...maxLag {
          let first = max(0, -lag)
          let count = min(length, length - lag) - first
          var sum: Float = 0
          for c in 0..<channels {
            sum += dot(
              origin + reference * size + c * length + first,
              origin + row * size + c * length + first + lag, count)
          }
          // Ties go to the smaller shift.
          if sum > best.value || (sum == best.value && abs(lag) < abs(best.lag)) {
            best = (lag, sum)
          }
        }
        return best.lag
      }
    }
  }

  /// `sum(a[i] * b[i])` over `count` values, eight at a time.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
      lanes +=
        UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
        * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
      i += 8
    }
    var sum = lanes.sum()
    while i < count {
      sum += a[i] * b[i]
      i += 1
    }
    return sum
  }

  /// At most about `maxPoints` points of a trace: unchanged when short enough, else the minimum
  /// and maximum of each bucket in time order, so peaks survive decimation.
  static func decimated(_ xs: [Double], _ ys: [Double], maxPoints: Int = 1000)
    -> (xs: [Double], ys: [Double])
  {
    guard ys.count > maxPoints, maxPoints >= 4 else { return (xs, ys) }
    let buckets = maxPoints / 2
    var outX: [Double] = []
    var outY: [Double] = []
    outX.reserveCapacity(2 * buckets)
    outY.reserveCapacity(2 * buckets)
    for b in 0..<buckets {
      let start = b * ys.count / buckets
      let end = max((b + 1) * ys.count / buckets, start + 1)
      var lo = start, hi = start
      for i in start..<end {
        if ys[i] < ys[lo] { lo = i }
        if ys[i] > ys[hi] { hi = i }
      }
      for i in [min(lo, hi), max(lo, hi)] where outX.last != xs[i] || i == start {
        outX.append(xs[i])
        outY.append(ys[i])
      }
    }
    return (outX, outY)
  }

  /// The STFT segment length for a rate: the power of two nearest one second of samples,
  /// at most a quarter of the window, at least 16.
  static func segmentLength(rate: Double, length: Int) -> Int {
    var n = 16
    while n * 2 <= Int(rate * 1.4) && n * 2 <= max(length / 4, 16) { n *= 2 }
    return n
  }

  /// The mean power spectrogram (`|STFT|^2` averaged over members) of one channel, in dB
  /// (`10 log10`), frequency rows from 0 Hz up, `frames` columns. Nil when the window is too
  /// short for an STFT.
  static func meanSpectrogram(
    samples: [Float], channelCount: Int, length: Int, channel: Int, members: [Int],
    rate: Double
  ) -> (decibels: [Double], rows: Int, frames: Int, frequencyStep: Double, frameStep: Double)? {
    let segment = segmentLength(rate: rate, length: length)
    guard length >= segment, !members.isEmpty else { return nil }
    var power: [Double] = []
    var shape: Spectrogram?
    var trace = [Double](repeating: 0, count: length)
    for m in members {
      let base = (m * channelCount + channel) * length
      for i in 0..<length { trace[i] = Double(samples[base + i]) }
      guard
        let s = try? DSP.spectrogram(
          trace, samplingRate: rate, segmentLength: segment, overlap: segment * 7 / 8)
      else { return nil }
      if power.isEmpty { power = [Double](repeating: 0, count: s.magnitudes.count) }
      for i in power.indices { power[i] += s.magnitudes[i] * s.magnitudes[i] }
      shape = s
    }
    guard let shape else { return nil }
    let n = Double(members.count)
    let decibels = power.map { 10 * log10($0 / n + 1e-20) }
    return (decibels, shape.frequencyCount, shape.frameCount, shape.frequencyStep, shape.frameStep)
  }
}
