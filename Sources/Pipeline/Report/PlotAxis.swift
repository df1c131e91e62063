import Foundation

/// One axis of a plot: a data range mapped onto a pixel range, linear or base-10 logarithmic,
/// with "nice" tick positions (1, 2, 5 x 10^n steps; decades on log axes).
struct PlotAxis {
  var lower: Double
  var upper: Double
  var isLogarithmic: Bool

  /// An axis covering `values` (finite ones; positive ones on a log axis), padded by
  /// `padding` of the span on a linear axis and widened to nice tick values.
  init(
    covering values: [Double], logarithmic: Bool = false, padding: Double = 0.05,
    includeZero: Bool = false
  ) {
    isLogarithmic = logarithmic
    let usable = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
    var lo = usable.min() ?? (logarithmic ? 0.1 : 0)
    var hi = usable.max() ?? (logarithmic ? 1 : 1)
    if includeZero && !logarithmic {
      lo = min(lo, 0)
      hi = max(hi, 0)
    }
    if logarithmic {
      lower = pow(10, floor(log10(lo)))
      upper = pow(10, ceil(log10(hi)))
      if upper <= lower { upper = lower * 10 }
      return
    }
    if hi - lo < 1e-12 * max(1, abs(hi)) {
      lo -= 0.5 * max(1e-9, abs(lo))
      hi += 0.5 * max(1e-9, abs(hi))
    }
    let span = hi - lo
    if !(includeZero && lo == 0) { lo -= padding * span }
    if !(includeZero && hi == 0) { hi += padding * span }
    lower = lo
    upper = hi
  }

  init(lower: Double, upper: Double, logarithmic: Bool = false) {
    self.lower = lower
    self.upper = upper > lower ? upper : lower + 1
    self.isLogarithmic = logarithmic
  }

  /// Where `value` falls, 0 at `lower` to 1 at `upper` (clamped a little beyond).
  func fraction(_ value: Double) -> Double {
    let f: Double
    if isLogarithmic {
      let v = max(value, lower * 1e-3)
      f = (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
    } else {
      f = (value - lower) / (upper - lower)
    }
    return min(max(f, -0.05), 1.05)
  }

  /// Tick positions with their labels, about `target` of them.
  func ticks(target: Int = 6) -> [(value: Double, label: String)] {
    if isLogarithmic {
      var out: [(Double, String)] = []
      var e = Int(floor(log10(lower)))
      let last = Int(ceil(log10(upper)))
      let stride = max(1, (last - e + target - 1) / target)
      while e <= last {
        let v = pow(10, Double(e))
        if v >= lower * 0.999 && v <= upper * 1.001 { out.append((v, PlotAxis.decade(e))) }
        e += stride
      }
      return out
    }
    let step = PlotAxis.niceStep((upper - lower) / Double(max(target - 1, 1)))
    var v = ceil(lower / step - 1e-9) * step
    var out: [(Double, String)] = []
    // Bounded: far from zero, adding a tiny step may not move v at all.
    while v <= upper + step * 1e-9 && out.count < 50 {
      out.append((v, PlotAxis.label(v, step: step)))
      let next = v + step
      guard next > v else { break }
      v = next
    }
    return out
  }

  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, floor(log10(raw)))
    let residual = raw / magnitude
    let nice: Double =
      residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
    return nice * magnitude
  }

  /// A tick label with as many decimals as the step needs (`-2`, `0.5`, `1e-04`).
  static func label(_ v: Double, step: Double) -> String {
    if abs(v) < step * 1e-6 { return "0" }
    if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.0e", v) }
    let decimals = max(0, Int(ceil(-log10(step) - 1e-9)) + (PlotAxis.isHalfStep(step) ? 1 : 0))
    return String(format: "%.\(min(decimals, 6))f", v)
  }

  static func isHalfStep(_ step: Double) -> Bool {
    let m = step / pow(10, floor(log10(step)))
    return abs(m - 2.5) < 1e-9
  }

  /// `10⁻³` with a Unicode superscript exponent.
  static func decade(_ e: Int) -> String {
    let digits: [Character: Character] = [
      "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸",
      "9": "⁹", "-": "⁻",
    ]
    if e == 0 { return "1" }
    if e == 1 { return "10" }
    return "10" + String(String(e).map { digits[$0] ?? $0 })
  }
}
