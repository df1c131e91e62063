import Foundation
import Numerics

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

extension DSP {
  /// Why samples cannot be resampled.
  public enum ResampleError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidRate(Double)
    case empty

    public var description: String {
      switch self {
      case .invalidRate(let r): "sampling rate must be positive and finite, got \(r) Hz"
      case .empty: "cannot resample an empty trace"
      }
    }
  }

  /// The number of samples ObsPy's `Trace.resample` produces: `int(npts / (rate / newRate))`,
  /// at least 1.
  public static func resampledCount(count npts: Int, from rate: Double, to newRate: Double) -> Int {
    let factor = rate / newRate
    return max(1, Int(Double(npts) / factor))
  }

  /// FFT resampling exactly as ObsPy 1.5.1 `Trace.resample(newRate)` with its defaults
  /// (`window='hann'`, `no_filter=True`, `strict_length=False`), through FFTW.
  ///
  /// ObsPy takes the real FFT of all `npts` samples, multiplies it by the periodic Hann window of
  /// length `npts` shifted so its peak is at 0 Hz (`ifftshift(get_window('hann', npts))`), then
  /// linearly interpolates the real and imaginary parts (`numpy.interp`, holding the last value
  /// beyond the old Nyquist) onto the new frequencies `k * newRate / num`, `num = int(npts /
  /// factor)`, and inverts with `num` points, scaled by `num / npts` (with fftpack's unnormalised
  /// inverse, so `1 / npts` overall). The output starts at the same time as the input and has
  /// exactly `newRate` (the end time may move).
  public static func resampled(_ samples: [Double], from rate: Double, to newRate: Double)
    throws(ResampleError) -> [Double]
  {
    guard rate > 0, rate.isFinite else { throw .invalidRate(rate) }
    guard newRate > 0, newRate.isFinite else { throw .invalidRate(newRate) }
    guard !samples.isEmpty else { throw .empty }
    let npts = samples.count
    let num = resampledCount(count: npts, from: rate, to: newRate)

    let forward = RealFFT.plan(count: npts)
    let bins = forward.binCount
    // Aligned buffers: FFTW's SIMD codelets (2-5x faster at the even lengths windows use).
    let input = AlignedDoubles(count: npts)
    let spectrumBuffer = AlignedDoubles(count: 2 * bins)
    samples.withUnsafeBufferPointer { source in
      input.base.update(from: source.baseAddress!, count: npts)
    }
    forward.forward(input, into: spectrumBuffer)
    let spectrum = spectrumBuffer.base

    // Hann window in the frequency domain: large_w[k] = hann_periodic[(k + npts/2) mod npts].
    let window = FrequencyHannCache.shared.window(count: npts)
    for k in 0..<bins {
      let w = window[k]
      spectrum[2 * k] *= w
      spectrum[2 * k + 1] *= w
    }

    let inverse = RealFFT.plan(count: num)
    let newBins = inverse.binCount
    let newSpectrumBuffer = AlignedDoubles(count: 2 * newBins)
    let newSpectrum = newSpectrumBuffer.base
    let plan = InterpolationCache.shared.plan(
      count: npts, resampledCount: num, rate: rate, newRate: newRate)
    plan.index.withUnsafeBufferPointer { index in
      plan.weight.withUnsafeBufferPointer { weight in
        for k in 0..<newBins {
          let j = index[k]
          let t = weight[k]
          if t.isNaN {
            // Outside the old grid, or on its last frequency: numpy.interp holds the value.
            newSpectrum[2 * k] = spectrum[2 * j]
            newSpectrum[2 * k + 1] = spectrum[2 * j + 1]
          } else {
            for c in 0..<2 {
              let y0 = spectrum[2 * j + c]
              let y1 = spectrum[2 * (j + 1) + c]
              newSpectrum[2 * k + c] = y0 + t * (y1 - y0)
            }
          }
        }
      }
    }
    let output = AlignedDoubles(count: num)
    inverse.inverse(destroying: newSpectrumBuffer, into: output)
    let scale = 1.0 / Double(npts)
    return [Double](unsafeUninitializedCapacity: num) { out, initialized in
      for i in 0..<num { out[i] = output.base[i] * scale }
      initialized = num
    }
  }
}
/// The frequency-domain Hann weights of `DSP.resampled` for the non-negative bins of `count`
/// samples (`hann_periodic[(k + count/2) mod count]`), cached per length: windows cut from the
/// same data share lengths, and the cosines were a tenth of the resampling time.
final class FrequencyHannCache: @unchecked Sendable {
  static let shared = FrequencyHannCache()
  private var windows: [Int: [Double]] = [:]
  private let lock = NSLock()
  private let capacity = 64

  func window(count npts: Int) -> [Double] {
    lock.lock()
    if let cached = windows[npts] {
      lock.unlock()
      return cached
    }
    lock.unlock()
    let half = npts / 2
    let made = (0..<(npts / 2 + 1)).map { k -> Double in
      let j = (k + half) % npts
      return 0.5 - 0.5 * cos(2 * Double.pi * Double(j) / Double(npts))
    }
    lock.lock()
    if windows.count >= capacity { windows.removeAll() }
    windows[npts] = made
    lock.unlock()
    return made
  }
}

/// Where each new frequency of `DSP.resampled` falls on the old grid: `numpy.interp` of the
/// spectrum on `f_old = df * j` at `f_new = newDf * k`, as indices and weights, computed once per
/// (length, resampled length, rates) with exactly the arithmetic of interpolating each time.
struct InterpolationPlan: Sendable {
  /// The old bin below each new frequency (or the bin whose value is held).
  var index: [Int]
  /// The weight of the bin above, or NaN where the value of `index` is held (before the first
  /// old frequency, at or beyond the last).
  var weight: [Double]

  init(count npts: Int, resampledCount num: Int, rate: Double, newRate: Double) {
    let bins = npts / 2 + 1
    let newBins = num / 2 + 1
    // Old and new frequency grids (ObsPy: df = 1 / (npts * delta), d_large_f = newRate / num).
    let delta = 1.0 / rate
    let df = 1.0 / (Double(npts) * delta)
    let newDf = 1.0 / Double(num) * newRate
    index = [Int](repeating: 0, count: newBins)
    weight = [Double](repeating: .nan, count: newBins)
    for k in 0..<newBins {
      let f = newDf * Double(k)
      // numpy.interp on f_old = df * j, j = 0..<bins (increasing), clamped at both ends.
      let position = f / df
      if position <= 0 {
        index[k] = 0
      } else if position >= Double(bins - 1) {
        index[k] = bins - 1
      } else {
        var j = Int(position)
        // Guard against the rounding of f / df against numpy's comparison of f with df * j.
        if df * Double(j + 1) <= f { j += 1 }
        if j > 0 && df * Double(j) > f { j -= 1 }
        if j >= bins - 1 {
          // f reached the last old frequency after all: numpy.interp holds the last value.
          index[k] = bins - 1
          continue
        }
        let x0 = df * Double(j)
        let x1 = df * Double(j + 1)
        index[k] = j
        weight[k] = (f - x0) / (x1 - x0)
      }
    }
  }
}

/// `InterpolationPlan`s by length and rates: a window set resamples thousands of traces of a
/// handful of lengths.
final class InterpolationCache: @unchecked Sendable {
  static let shared = InterpolationCache()
  private struct Key: Hashable {
    var count: Int
    var resampledCount: Int
    var rate: UInt64
    var newRate: UInt64
  }
  private var plans: [Key: InterpolationPlan] = [:]
  private let lock = NSLock()
  private let capacity = 64

  func plan(count: Int, resampledCount: Int, rate: Double, newRate: Double) -> InterpolationPlan {
    let key = Key(
      count: count, resampledCount: resampledCount, rate: rate.bitPattern,
      newRate: newRate.bitPattern)
    lock.lock()
    if let known = plans[key] {
      lock.unlock()
      return known
    }
    lock.unlock()
    let made = InterpolationPlan(
      count: count, resampledCount: resampledCount, rate: rate, newRate: newRate)
    lock.lock()
    if plans.count >= capacity { plans.removeAll() }
    plans[key] = made
    lock.unlock()
    return made
  }
}
