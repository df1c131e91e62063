extension DSP {
  /// The samples minus their mean, as ObsPy `detrend('demean')` (`scipy.signal.detrend`,
  /// `type='constant'`). Empty input gives empty output.
  public static func demeaned(_ samples: [Double]) -> [Double] {
    var out = samples
    demean(&out)
    return out
  }

  /// `demeaned`, in place.
  public static func demean(_ samples: inout [Double]) {
    guard !samples.isEmpty else { return }
    samples.withUnsafeMutableBufferPointer { x in
      var sum = 0.0
      for v in x { sum += v }
      let mean = sum / Double(x.count)
      for i in x.indices { x[i] -= mean }
    }
  }

  /// The samples minus their least-squares straight line, as ObsPy `detrend('linear')`
  /// (`scipy.signal.detrend`, `type='linear'`). The fit uses centred sample indices, which gives
  /// the same line as SciPy's least-squares solve with less rounding.
  public static func linearDetrended(_ samples: [Double]) -> [Double] {
    var out = samples
    linearDetrend(&out)
    return out
  }

  /// `linearDetrended`, in place.
  public static func linearDetrend(_ samples: inout [Double]) {
    let n = samples.count
    guard n > 1 else { return demean(&samples) }
    let centre = Double(n - 1) / 2
    samples.withUnsafeMutableBufferPointer { x in
      var sum = 0.0
      var sumTX = 0.0
      var sumTT = 0.0
      for i in 0..<n {
        let t = Double(i) - centre
        sum += x[i]
        sumTX += t * x[i]
        sumTT += t * t
      }
      let mean = sum / Double(n)
      let slope = sumTX / sumTT
      for i in 0..<n { x[i] -= mean + slope * (Double(i) - centre) }
    }
  }
}
