/// How several independent clusterings of the same windows agree: the adjusted Rand index of
/// every pair. An unsupervised run has no truth to check itself against; restarts that disagree
/// are the evidence that an optimisation landed badly.
public struct RestartComparison: Sendable, Equatable {
  /// `agreement[a][b]`: ARI between restarts `a` and `b` (1 on the diagonal).
  public let agreement: [[Double]]

  /// Compares labelings of the same windows (one per restart).
  public init(labels: [[Int]]) throws {
    let n = labels.count
    var agreement = [[Double]](repeating: [Double](repeating: 1, count: n), count: n)
    for a in 0..<n {
      for b in (a + 1)..<max(a + 1, n) {
        let ari = try ClusteringMetrics.adjustedRandIndex(truth: labels[a], predicted: labels[b])
        agreement[a][b] = ari
        agreement[b][a] = ari
      }
    }
    self.agreement = agreement
  }

  /// Restarts compared.
  public var count: Int { agreement.count }

  /// Mean ARI over all pairs; nil with one restart.
  public var stability: Double? {
    guard count > 1 else { return nil }
    var sum = 0.0
    for a in 0..<count { for b in (a + 1)..<count { sum += agreement[a][b] } }
    return sum / Double(count * (count - 1) / 2)
  }

  /// How well the restarts find a partner that agrees: each restart's highest ARI with another,
  /// and of those the median (the lower middle one for an even count); nil with one restart.
  /// One restart that landed in a wrong optimum lowers the mean ARI of every pair it is in, but
  /// not this: with three restarts, it is the agreement of the two that agree best.
  public var partnerAgreement: Double? {
    guard count > 1 else { return nil }
    let best = (0..<count).map { a in
      (0..<count).filter { $0 != a }.map { agreement[a][$0] }.max() ?? 1
    }.sorted()
    return best[(count - 1) / 2]
  }

  /// The lowest ARI of any pair; nil with one restart.
  public var weakestAgreement: Double? {
    guard count > 1 else { return nil }
    var lowest = 1.0
    for a in 0..<count { for b in (a + 1)..<count { lowest = min(lowest, agreement[a][b]) } }
    return lowest
  }

  /// Each restart's mean ARI with the others (all 1 with one restart).
  public var consensus: [Double] {
    guard count > 1 else { return [1] }
    return (0..<count).map { a in
      (0..<count).filter { $0 != a }.reduce(0.0) { $0 + agreement[a][$1] } / Double(count - 1)
    }
  }
}
