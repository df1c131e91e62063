extension DSP {
  /// The samples minus their mean, as ObsPy `detrend('demean')` (`scipy.signal.detrend`,
  /// `type='constant'`). Empty input gives empty output.
  public static func demeaned(_ samples: [Double]) -> [Double] {
    guard !samples.isEmpty else { return [] }
    var sum = 0.0
    for x in samples { sum += x }
    let mean = sum / Double(samples.count)
    return samples.map { $0 - mean }
  }

  /// The samples minus their least-squares straight line, as ObsPy `detrend('linear')`
  /// (`scipy.signal.detrend`, `type='linear'`). The fit uses centred sample indices, which gives
  /// the same line as SciPy's least-squares solve with less rounding.
  public static func linearDetrended(_ samples: [Double]) -> [Double] {
    let n = samples.count
    guard n > 1 else { return demeaned(samples) }
    let centre = Double(n - 1) / 2
    var sum = 0.0
    var sumTX = 0.0
    var sumTT = 0.0
    for (i, x) in samples.enumerated() {
      let t = Double(i) - centre
      sum += x
      sumTX += t * x
      sumTT += t * t
    }
    let mean = sum / Double(n)
    let slope = sumTX / sumTT
    var out = samples
    for i in 0..<n { out[i] -= mean + slope * (Double(i) - centre) }
    return out
  }
}
