#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A digital Butterworth band-pass filter as second-order sections, designed the way
/// `scipy.signal.iirfilter(N, [low, high], btype='band', ftype='butter', output='sos')` does and
/// applied as ObsPy's `filter('bandpass', ...)` does.
///
/// Design: analog prototype poles `-exp(i*pi*m/(2N))`, `m = -N+1, -N+3, ..., N-1`; pre-warped
/// band edges `4 tan(pi*W/2)` (W normalised to Nyquist); low-pass to band-pass transform; bilinear
/// transform at `fs = 2`; pole/zero pairing into sections as `zpk2sos(pairing='nearest')`
/// (worst pole, the one nearest the unit circle, goes last; each pole pair takes its nearest zeros;
/// the gain goes into the first section).
///
/// Zero-phase filtering is ObsPy's, not `scipy.signal.filtfilt`: the sections run forward over
/// the samples, then forward over the reversed result, which is reversed back. No padding, zero
/// initial state.
public struct ButterworthBandpass: Sendable, Equatable {
  /// Lower corner frequency in Hz.
  public let lowCorner: Double
  /// Upper corner frequency in Hz.
  public let highCorner: Double
  /// Filter order of the low-pass prototype (ObsPy's `corners`); the band-pass has twice as many
  /// poles.
  public let corners: Int
  /// Sampling rate in Hz the sections were designed for.
  public let samplingRate: Double
  /// Second-order sections, each `[b0, b1, b2, a0, a1, a2]` with `a0 == 1` (scipy's layout).
  public let sections: [[Double]]

  /// Why a band-pass cannot be designed.
  public enum DesignError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The upper corner is at or above the Nyquist frequency (ObsPy would silently high-pass).
    case upperCornerAtOrAboveNyquist(highCorner: Double, nyquist: Double)
    /// Corners must satisfy `0 < low < high`.
    case invalidCorners(low: Double, high: Double)
    /// The order must be at least 1.
    case invalidOrder(Int)
    /// The sampling rate must be positive and finite.
    case invalidSamplingRate(Double)

    public var description: String {
      switch self {
      case .upperCornerAtOrAboveNyquist(let high, let nyquist):
        "band-pass upper corner \(high) Hz is at or above the Nyquist frequency \(nyquist) Hz"
      case .invalidCorners(let low, let high):
        "band-pass corners must satisfy 0 < low < high, got \(low) and \(high) Hz"
      case .invalidOrder(let n): "band-pass order must be at least 1, got \(n)"
      case .invalidSamplingRate(let rate): "sampling rate must be positive, got \(rate) Hz"
      }
    }
  }

  /// Designs the filter. Throws when the band does not fit below the Nyquist frequency (where ObsPy
  /// warns and applies a high-pass instead) or the settings are invalid.
  public init(lowCorner: Double, highCorner: Double, corners: Int = 4, samplingRate: Double)
    throws(DesignError)
  {
    guard samplingRate > 0, samplingRate.isFinite else {
      throw .invalidSamplingRate(samplingRate)
    }
    guard corners >= 1 else { throw .invalidOrder(corners) }
    guard lowCorner > 0, lowCorner < highCorner, lowCorner.isFinite, highCorner.isFinite else {
      throw .invalidCorners(low: lowCorner, high: highCorner)
    }
    let nyquist = 0.5 * samplingRate
    // ObsPy's own test: `high - 1.0 > -1e-6` switches to a high-pass. We refuse instead.
    guard highCorner / nyquist - 1.0 <= -1e-6 else {
      throw .upperCornerAtOrAboveNyquist(highCorner: highCorner, nyquist: nyquist)
    }
    self.lowCorner = lowCorner
    self.highCorner = highCorner
    self.corners = corners
    self.samplingRate = samplingRate
    self.sections = Self.design(
      order: corners, low: lowCorner / nyquist, high: highCorner / nyquist)
  }

  // MARK: - Filtering

  /// Runs the sections once forward (causal, zero initial state), as `scipy.signal.sosfilt`.
  public func filtered(_ samples: [Double]) -> [Double] {
    var out = samples
    out.withUnsafeMutableBufferPointer { applySections(to: $0) }
    return out
  }

  /// Zero-phase filtering as ObsPy's `zerophase=True`: forward pass, then a forward pass over the
  /// time-reversed result, reversed back.
  public func zeroPhaseFiltered(_ samples: [Double]) -> [Double] {
    var out = samples
    out.withUnsafeMutableBufferPointer { buffer in
      applySections(to: buffer)
      buffer.reverse()
      applySections(to: buffer)
      buffer.reverse()
    }
    return out
  }

  /// Direct form II transposed, section after section, in place.
  ///
  /// The usual 4-corner band-pass (4 sections) runs all sections in one pass over the samples:
  /// the same operations in the same order per section (identical results), but the sections'
  /// recursions overlap in the CPU instead of running one after another.
  private func applySections(to x: UnsafeMutableBufferPointer<Double>) {
    var index = 0
    while sections.count - index >= 4 {
      applyFourSections(from: index, to: x)
      index += 4
    }
    for s in sections[index...] {
      let b0 = s[0], b1 = s[1], b2 = s[2], a1 = s[4], a2 = s[5]
      var z0 = 0.0, z1 = 0.0
      for i in 0..<x.count {
        let input = x[i]
        let output = b0 * input + z0
        z0 = b1 * input - a1 * output + z1
        z1 = b2 * input - a2 * output
        x[i] = output
      }
    }
  }

  /// Sections `first..<first + 4` in one pass.
  private func applyFourSections(from first: Int, to x: UnsafeMutableBufferPointer<Double>) {
    let s0 = sections[first], s1 = sections[first + 1]
    let s2 = sections[first + 2], s3 = sections[first + 3]
    let (b00, b01, b02, a01, a02) = (s0[0], s0[1], s0[2], s0[4], s0[5])
    let (b10, b11, b12, a11, a12) = (s1[0], s1[1], s1[2], s1[4], s1[5])
    let (b20, b21, b22, a21, a22) = (s2[0], s2[1], s2[2], s2[4], s2[5])
    let (b30, b31, b32, a31, a32) = (s3[0], s3[1], s3[2], s3[4], s3[5])
    var z00 = 0.0, z01 = 0.0, z10 = 0.0, z11 = 0.0
    var z20 = 0.0, z21 = 0.0, z30 = 0.0, z31 = 0.0
    for i in 0..<x.count {
      let in0 = x[i]
      let out0 = b00 * in0 + z00
      z00 = b01 * in0 - a01 * out0 + z01
      z01 = b02 * in0 - a02 * out0
      let out1 = b10 * out0 + z10
      z10 = b11 * out0 - a11 * out1 + z11
      z11 = b12 * out0 - a12 * out1
      let out2 = b20 * out1 + z20
      z20 = b21 * out1 - a21 * out2 + z21
      z21 = b22 * out1 - a22 * out2
      let out3 = b30 * out2 + z30
      z30 = b31 * out2 - a31 * out3 + z31
      z31 = b32 * out2 - a32 * out3
      x[i] = out3
    }
  }

  // MARK: - Several traces at once

  /// `zeroPhaseFiltered` of up to four traces of the same length at once, one per lane of a
  /// 4-wide vector: the recursion is latency-bound, so four traces cost about what one does. Every
  /// lane does exactly the scalar operations in the scalar order (no fused multiply-add), so each
  /// trace comes out bit for bit as `zeroPhaseFiltered` gives it. More than four traces, or
  /// traces of different lengths, are filtered four at a time per length.
  public func zeroPhaseFiltered(_ traces: [[Double]]) -> [[Double]] {
    var out = traces
    var byLength: [Int: [Int]] = [:]
    for (i, t) in traces.enumerated() { byLength[t.count, default: []].append(i) }
    for (length, indices) in byLength {
      var start = 0
      while start < indices.count {
        let group = Array(indices[start..<min(indices.count, start + 4)])
        start += group.count
        if group.count == 1 {
          out[group[0]] = zeroPhaseFiltered(traces[group[0]])
          continue
        }
        var lanes = [SIMD4<Double>](repeating: .zero, count: length)
        for (lane, i) in group.enumerated() {
          traces[i].withUnsafeBufferPointer { t in
            for k in 0..<length { lanes[k][lane] = t[k] }
          }
        }
        lanes.withUnsafeMutableBufferPointer { x in
          applySections(to: x, reversed: false)
          applySections(to: x, reversed: true)
        }
        for (lane, i) in group.enumerated() {
          out[i] = [Double](unsafeUninitializedCapacity: length) { o, initialized in
            for k in 0..<length { o[k] = lanes[k][lane] }
            initialized = length
          }
        }
      }
    }
    return out
  }

  /// `applySections` on four lanes, walking the samples forward or backward (a backward walk is
  /// the forward pass over the reversed samples, reversed back: ObsPy's zero-phase second pass).
  private func applySections(to x: UnsafeMutableBufferPointer<SIMD4<Double>>, reversed: Bool) {
    var index = 0
    while sections.count - index >= 4 {
      applyFourSections(from: index, to: x, reversed: reversed)
      index += 4
    }
    let n = x.count
    for s in sections[index...] {
      let b0 = SIMD4(repeating: s[0]), b1 = SIMD4(repeating: s[1]), b2 = SIMD4(repeating: s[2])
      let a1 = SIMD4(repeating: s[4]), a2 = SIMD4(repeating: s[5])
      var z0 = SIMD4<Double>.zero, z1 = SIMD4<Double>.zero
      for step in 0..<n {
        let i = reversed ? n - 1 - step : step
        let input = x[i]
        let output = b0 * input + z0
        z0 = b1 * input - a1 * output + z1
        z1 = b2 * input - a2 * output
        x[i] = output
      }
    }
  }

  private func applyFourSections(
    from first: Int, to x: UnsafeMutableBufferPointer<SIMD4<Double>>, reversed: Bool
  ) {
    func coefficients(_ s: [Double]) -> (
      SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>
    ) {
      (
        SIMD4(repeating: s[0]), SIMD4(repeating: s[1]), SIMD4(repeating: s[2]),
        SIMD4(repeating: s[4]), SIMD4(repeating: s[5])
      )
    }
    let (b00, b01, b02, a01, a02) = coefficients(sections[first])
    let (b10, b11, b12, a11, a12) = coefficients(sections[first + 1])
    let (b20, b21, b22, a21, a22) = coefficients(sections[first + 2])
    let (b30, b31, b32, a31, a32) = coefficients(sections[first + 3])
    var z00 = SIMD4<Double>.zero, z01 = SIMD4<Double>.zero
    var z10 = SIMD4<Double>.zero, z11 = SIMD4<Double>.zero
    var z20 = SIMD4<Double>.zero, z21 = SIMD4<Double>.zero
    var z30 = SIMD4<Double>.zero, z31 = SIMD4<Double>.zero
    let n = x.count
    for step in 0..<n {
      let i = reversed ? n - 1 - step : step
      let in0 = x[i]
      let out0 = b00 * in0 + z00
      z00 = b01 * in0 - a01 * out0 + z01
      z01 = b02 * in0 - a02 * out0
      let out1 = b10 * out0 + z10
      z10 = b11 * out0 - a11 * out1 + z11
      z11 = b12 * out0 - a12 * out1
      let out2 = b20 * out1 + z20
      z20 = b21 * out1 - a21 * out2 + z21
      z21 = b22 * out1 - a22 * out2
      let out3 = b30 * out2 + z30
      z30 = b31 * out2 - a31 * out3 + z31
      z31 = b32 * out2 - a32 * out3
      x[i] = out3
    }
  }

  // MARK: - Design

  /// Sections for normalised band edges (fractions of Nyquist).
  static func design(order n: Int, low: Double, high: Double) -> [[Double]] {
    // Analog prototype (scipy.signal.buttap).
    var prototypePoles: [ComplexNumber] = []
    for m in stride(from: -n + 1, through: n - 1, by: 2) {
      let angle = Double.pi * Double(m) / Double(2 * n)
      prototypePoles.append(ComplexNumber(-cos(angle), -sin(angle)))
    }
    // Pre-warp (fs = 2).
    let fs = 2.0
    let warpedLow = 2 * fs * tan(Double.pi * low / fs)
    let warpedHigh = 2 * fs * tan(Double.pi * high / fs)
    let bandwidth = warpedHigh - warpedLow
    let centre = (warpedLow * warpedHigh).squareRoot()

    // lp2bp_zpk: no prototype zeros, degree n.
    var analogPoles: [ComplexNumber] = []
    let scaled = prototypePoles.map { $0 * (bandwidth / 2) }
    for p in scaled { analogPoles.append(p + (p * p - ComplexNumber(centre * centre, 0)).root) }
    for p in scaled { analogPoles.append(p - (p * p - ComplexNumber(centre * centre, 0)).root) }
    let analogZeros = [ComplexNumber](repeating: ComplexNumber(0, 0), count: n)
    let analogGain = pow(bandwidth, Double(n))

    // bilinear_zpk with fs = 2 (fs2 = 4).
    let fs2 = ComplexNumber(2 * fs, 0)
    var zeros = analogZeros.map { (fs2 + $0) / (fs2 - $0) }
    let poles = analogPoles.map { (fs2 + $0) / (fs2 - $0) }
    zeros += [ComplexNumber](repeating: ComplexNumber(-1, 0), count: poles.count - zeros.count)
    var numerator = ComplexNumber(1, 0)
    for z in analogZeros { numerator = numerator * (fs2 - z) }
    var denominator = ComplexNumber(1, 0)
    for p in analogPoles { denominator = denominator * (fs2 - p) }
    let gain = analogGain * (numerator / denominator).re

    return zpkToSections(zeros: zeros, poles: poles, gain: gain)
  }

  /// `scipy.signal.zpk2sos(z, p, k, pairing='nearest')` for digital filters.
  static func zpkToSections(zeros zIn: [ComplexNumber], poles pIn: [ComplexNumber], gain: Double)
    -> [[Double]]
  {
    var zAll = zIn, pAll = pIn
    if zAll.count < pAll.count {
      zAll += [ComplexNumber](repeating: ComplexNumber(0, 0), count: pAll.count - zAll.count)
    }
    if pAll.count < zAll.count {
      pAll += [ComplexNumber](repeating: ComplexNumber(0, 0), count: zAll.count - pAll.count)
    }
    let sectionCount = (pAll.count + 1) / 2
    if pAll.count % 2 == 1 {
      pAll.append(ComplexNumber(0, 0))
      zAll.append(ComplexNumber(0, 0))
    }
    var z = splitConjugates(zAll)
    var p = splitConjugates(pAll)

    func worst(_ candidates: [ComplexNumber], among indices: [Int]) -> Int {
      var best = indices[0]
      var bestDistance = Double.infinity
      for i in indices {
        let d = abs(1 - candidates[i].magnitude)
        if d < bestDistance {
          bestDistance = d
          best = i
        }
      }
      return best
    }
    enum Kind { case any, real, complex }
    func nearest(_ from: [ComplexNumber], to target: ComplexNumber, _ kind: Kind) -> Int? {
      var best: Int?
      var bestDistance = Double.infinity
      for (i, c) in from.enumerated() {
        if kind == .real && !c.isReal { continue }
        if kind == .complex && c.isReal { continue }
        let d = (c - target).magnitude
        if d < bestDistance {
          bestDistance = d
          best = i
        }
      }
      return best
    }

    var sos = [[Double]](repeating: [0, 0, 0, 1, 0, 0], count: sectionCount)
    for si in stride(from: sectionCount - 1, through: 0, by: -1) {
      let p1Index = worst(p, among: Array(p.indices))
      let p1 = p.remove(at: p1Index)
      let realPolesLeft = p.filter(\.isReal).count
      if p1.isReal && realPolesLeft == 0 {
        // Last remaining real pole: pair with the nearest real zero.
        let zi = nearest(z, to: p1, .real) ?? 0
        let z1 = z.remove(at: zi)
        sos[si] = section(zeros: [z1, .zero], poles: [p1, .zero])
      } else if p.count + 1 == z.count && !p1.isReal && realPolesLeft == 1
        && z.filter(\.isReal).count == 1
      {
        // One real pole and one real zero left: this complex pole must take a complex zero.
        let zi = nearest(z, to: p1, .complex) ?? 0
        let z1 = z.remove(at: zi)
        sos[si] = section(zeros: [z1, z1.conjugate], poles: [p1, p1.conjugate])
      } else {
        let p2: ComplexNumber
        if p1.isReal {
          let realIndices = p.indices.filter { p[$0].isReal }
          p2 = p.remove(at: worst(p, among: realIndices))
        } else {
          p2 = p1.conjugate
        }
        if let zi = nearest(z, to: p1, .any) {
          let z1 = z.remove(at: zi)
          if !z1.isReal {
            sos[si] = section(zeros: [z1, z1.conjugate], poles: [p1, p2])
          } else if let zi2 = nearest(z, to: p1, .real) {
            let z2 = z.remove(at: zi2)
            sos[si] = section(zeros: [z1, z2], poles: [p1, p2])
          } else {
            sos[si] = section(zeros: [z1], poles: [p1, p2])
          }
        } else {
          sos[si] = section(zeros: [], poles: [p1, p2])
        }
      }
    }
    for j in 0..<3 { sos[0][j] *= gain }
    return sos
  }

  /// `numpy.poly` of up to two roots, padded to a quadratic as `_single_zpksos`.
  private static func section(zeros: [ComplexNumber], poles: [ComplexNumber]) -> [Double] {
    func poly(_ roots: [ComplexNumber]) -> [Double] {
      switch roots.count {
      case 0: return [0, 0, 1]
      case 1: return [0, 1, -roots[0].re]
      default:
        let s = roots[0] + roots[1]
        let q = roots[0] * roots[1]
        return [1, -s.re, q.re]
      }
    }
    // `_single_zpksos` right-aligns b and a in 3 slots.
    return poly(zeros) + poly(poles)
  }

  /// `scipy.signal._cplxreal` followed by concatenation: the complex values with positive
  /// imaginary part (conjugate pairs averaged) first, sorted by real part, then the real values.
  static func splitConjugates(_ values: [ComplexNumber]) -> [ComplexNumber] {
    let tolerance = 100 * Double.ulpOfOne
    let sorted = values.sorted { a, b in
      a.re != b.re ? a.re < b.re : abs(a.im) < abs(b.im)
    }
    var reals: [ComplexNumber] = []
    var positive: [ComplexNumber] = []
    var negative: [ComplexNumber] = []
    for v in sorted {
      if abs(v.im) <= tolerance * v.magnitude {
        reals.append(ComplexNumber(v.re, 0))
      } else if v.im > 0 {
        positive.append(v)
      } else {
        negative.append(v)
      }
    }
    // Runs of equal real part are ordered by |imag| in scipy; pair each positive with the
    // negative of nearest conjugate and average out rounding.
    var paired: [ComplexNumber] = []
    var unused = negative
    for v in positive {
      var bestIndex = 0
      var bestDistance = Double.infinity
      for (i, w) in unused.enumerated() {
        let d = (v - w.conjugate).magnitude
        if d < bestDistance {
          bestDistance = d
          bestIndex = i
        }
      }
      let w = unused.isEmpty ? v.conjugate : unused.remove(at: bestIndex)
      paired.append((v + w.conjugate) * 0.5)
    }
    return paired + reals
  }
}

/// A minimal complex number for filter design (not a general-purpose type).
struct ComplexNumber: Sendable, Equatable {
  var re: Double
  var im: Double
  init(_ re: Double, _ im: Double) {
    self.re = re
    self.im = im
  }
  static let zero = ComplexNumber(0, 0)
  var magnitude: Double { hypot(re, im) }
  var conjugate: ComplexNumber { ComplexNumber(re, -im) }
  /// `numpy.isreal`: imaginary part exactly zero.
  var isReal: Bool { im == 0 }
  /// Principal square root.
  var root: ComplexNumber {
    let r = magnitude
    if r == 0 { return .zero }
    let real = ((r + re) / 2).squareRoot()
    let imag = ((r - re) / 2).squareRoot()
    return ComplexNumber(real, im < 0 ? -imag : imag)
  }
  static func + (a: ComplexNumber, b: ComplexNumber) -> ComplexNumber {
    ComplexNumber(a.re + b.re, a.im + b.im)
  }
  static func - (a: ComplexNumber, b: ComplexNumber) -> ComplexNumber {
    ComplexNumber(a.re - b.re, a.im - b.im)
  }
  static func * (a: ComplexNumber, b: ComplexNumber) -> ComplexNumber {
    ComplexNumber(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
  }
  static func * (a: ComplexNumber, s: Double) -> ComplexNumber {
    ComplexNumber(a.re * s, a.im * s)
  }
  static func / (a: ComplexNumber, b: ComplexNumber) -> ComplexNumber {
    let d = b.re * b.re + b.im * b.im
    return ComplexNumber((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
  }
}
