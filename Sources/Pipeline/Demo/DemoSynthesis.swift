import Foundation
import Numerics

/// First-order IIR filters and shaped noise for the demo generator (bilinear transform, causal,
/// in place). Simple on purpose: the demo needs plausible spectra, not exact responses.
enum DemoSynthesis {
  /// One-pole low-pass at `corner` Hz, applied in place.
  static func lowPass(_ x: inout [Double], corner: Double, rate: Double) {
    let k = tan(Double.pi * min(corner, 0.45 * rate) / rate)
    let b = k / (1 + k)
    let a = (1 - k) / (1 + k)
    var previousInput = 0.0
    var previousOutput = 0.0
    for i in x.indices {
      let input = x[i]
      let output = b * (input + previousInput) + a * previousOutput
      previousInput = input
      previousOutput = output
      x[i] = output
    }
  }

  /// One-pole high-pass at `corner` Hz, applied in place.
  static func highPass(_ x: inout [Double], corner: Double, rate: Double) {
    let k = tan(Double.pi * min(corner, 0.45 * rate) / rate)
    let b = 1 / (1 + k)
    let a = (1 - k) / (1 + k)
    var previousInput = 0.0
    var previousOutput = 0.0
    for i in x.indices {
      let input = x[i]
      let output = b * (input - previousInput) + a * previousOutput
      previousInput = input
      previousOutput = output
      x[i] = output
    }
  }

  /// Gaussian white noise scaled to unit RMS after the filters `shape` applies.
  static func noise(
    count: Int, using generator: inout SeededGenerator, shape: (inout [Double]) -> Void
  ) -> [Double] {
    var x = (0..<count).map { _ in generator.nextGaussian() }
    shape(&x)
    let rms = (x.reduce(0) { $0 + $1 * $1 } / Double(max(count, 1))).squareRoot()
    if rms > 0 { for i in x.indices { x[i] /= rms } }
    return x
  }

  /// Noise with a Brune-like velocity spectrum peaking at `corner` Hz (one-pole high-pass and
  /// low-pass at the corner) and path attenuation `exp(-pi f t*)` approximated by two one-pole
  /// low-passes at `1 / (pi t*)`.
  static func sourceNoise(
    count: Int, rate: Double, corner: Double, attenuation tStar: Double,
    using generator: inout SeededGenerator
  ) -> [Double] {
    noise(count: count, using: &generator) { x in
      highPass(&x, corner: corner, rate: rate)
      lowPass(&x, corner: corner, rate: rate)
      let attenuationCorner = 1 / (Double.pi * max(tStar, 1e-3))
      lowPass(&x, corner: attenuationCorner, rate: rate)
      lowPass(&x, corner: attenuationCorner, rate: rate)
    }
  }

  /// Adds `amplitude * envelope(t) * carrier` to `x` from sample `onset` on, where the envelope
  /// rises as `1 - exp(-t / rise)` and decays as `exp(-t / decay)`.
  static func addBurst(
    to x: inout [Double], carrier: [Double], onset: Int, rise: Double, decay: Double,
    amplitude: Double, rate: Double
  ) {
    guard onset < x.count else { return }
    for i in max(onset, 0)..<x.count {
      let t = Double(i - onset) / rate
      let envelope = (1 - exp(-t / max(rise, 1e-3))) * exp(-t / decay)
      x[i] += amplitude * envelope * carrier[i]
    }
  }

  /// Uniform in `range`.
  static func uniform(_ range: ClosedRange<Double>, using generator: inout SeededGenerator)
    -> Double
  {
    range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUniform()
  }

  /// Log-uniform in `range` (both bounds positive).
  static func logUniform(_ range: ClosedRange<Double>, using generator: inout SeededGenerator)
    -> Double
  {
    exp(uniform(log(range.lowerBound)...log(range.upperBound), using: &generator))
  }
}
