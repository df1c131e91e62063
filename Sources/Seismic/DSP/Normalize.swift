extension DSP {
  /// How a window is scaled.
  public enum Normalization: String, Sendable, CaseIterable, Codable {
    /// Divide by the largest absolute value (ObsPy `Trace.normalize()`).
    case max
    /// Subtract the mean and divide by the standard deviation (SeisBench `Normalize`,
    /// `amp_norm_type='std'`, population standard deviation).
    case std
    /// Leave the samples unchanged.
    case none
  }

  /// The samples scaled as `mode` says. All-zero (or constant, for `.std`) samples are returned
  /// unchanged rather than divided by zero.
  public static func normalized(_ samples: [Double], _ mode: Normalization) -> [Double] {
    switch mode {
    case .none:
      return samples
    case .max:
      var peak = 0.0
      for x in samples { peak = Swift.max(peak, abs(x)) }
      guard peak > 0 else { return samples }
      return samples.map { $0 / peak }
    case .std:
      guard !samples.isEmpty else { return samples }
      let centred = demeaned(samples)
      var sumSquares = 0.0
      for x in centred { sumSquares += x * x }
      let deviation = (sumSquares / Double(samples.count)).squareRoot()
      guard deviation > 0 else { return centred }
      return centred.map { $0 / deviation }
    }
  }
}
