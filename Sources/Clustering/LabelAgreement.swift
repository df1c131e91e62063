import Numerics

/// Whether a few hand labels agree with a clustering better than chance: a permutation test on
/// the Hungarian-matched accuracy. Shuffling the labels among the same windows keeps the class
/// sizes, so the shuffled accuracies are what labels carrying no information would score.
///
/// Use it on the labelled windows with the *unsupervised* clusters (before the labels steer
/// anything); a large `pValue` means the labels disagree with the data. Like any matching score
/// it cannot see labels whose class names were consistently swapped.
public struct LabelAgreement: Sendable, Equatable {
  /// ACC of the labels against the clusters (Hungarian matching).
  public var accuracy: Double
  /// Mean ACC of the shuffled labels.
  public var chanceAccuracy: Double
  /// `(1 + shuffles scoring >= accuracy) / (1 + permutations)`: the chance of agreeing this well
  /// with no information.
  public var pValue: Double
  /// Number of labelled windows.
  public var count: Int

  /// Runs the test.
  /// - Parameters:
  ///   - labels: hand labels of the labelled windows.
  ///   - clusters: the clusters of the same windows.
  ///   - permutations: shuffles (default 999).
  ///   - seed: seed of the shuffles.
  public static func test(
    labels: [Int], clusters: [Int], permutations: Int = 999, seed: UInt64 = 0
  ) throws -> LabelAgreement {
    guard permutations >= 1 else {
      throw ClusteringError.invalidArgument("permutations \(permutations) must be at least 1")
    }
    let observed = try ClusteringMetrics.accuracy(truth: labels, predicted: clusters)
    var generator = SeededGenerator(seed: seed)
    var shuffled = labels
    var atLeast = 0
    var total = 0.0
    for _ in 0..<permutations {
      // Fisher-Yates with our own generator, so the result never depends on the standard
      // library's shuffle algorithm.
      var i = shuffled.count - 1
      while i > 0 {
        let j = min(i, Int(generator.nextUniform() * Double(i + 1)))
        shuffled.swapAt(i, j)
        i -= 1
      }
      let score = try ClusteringMetrics.accuracy(truth: shuffled, predicted: clusters)
      total += score
      // A small allowance so ties in floating point count as ties.
      if score >= observed - 1e-12 { atLeast += 1 }
    }
    return LabelAgreement(
      accuracy: observed, chanceAccuracy: total / Double(permutations),
      pValue: Double(1 + atLeast) / Double(1 + permutations), count: labels.count)
  }

  /// True when the labels agree with the clusters no better than chance at `level`.
  public func disagrees(atLevel level: Double = 0.05) -> Bool { pValue > level }
}
