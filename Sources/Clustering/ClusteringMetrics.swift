/// External clustering scores against known classes: ACC (Hungarian matching), NMI (arithmetic
/// normalisation) and ARI, matching scikit-learn's definitions. Labels may be any integers.
public enum ClusteringMetrics {
  /// Clustering accuracy: the share of items whose cluster maps to their class under the best
  /// one-to-one mapping of clusters to classes (Hungarian matching on the contingency table).
  /// With more clusters than classes, the unmatched clusters count as wrong.
  /// - Throws: `.shapeMismatch` for labelings of different lengths, `.invalidArgument` when empty.
  public static func accuracy(truth: [Int], predicted: [Int]) throws -> Double {
    let table = try nonEmptyTable(truth: truth, predicted: predicted)
    let mapping = try matching(table)
    var correct = 0
    for (j, i) in mapping { correct += table[i, j] }
    return Double(correct) / Double(table.total)
  }

  /// The best one-to-one mapping from predicted cluster label to truth class label (the mapping
  /// behind `accuracy`). Clusters left unmatched are absent.
  public static func clusterToClass(truth: [Int], predicted: [Int]) throws -> [Int: Int] {
    let table = try nonEmptyTable(truth: truth, predicted: predicted)
    var result: [Int: Int] = [:]
    for (j, i) in try matching(table) { result[table.columnLabels[j]] = table.rowLabels[i] }
    return result
  }

  /// Normalised mutual information, `MI / ((H(truth) + H(predicted)) / 2)`, as scikit-learn's
  /// `normalized_mutual_info_score` (1 when both labelings have a single value, 0 when MI is 0).
  public static func normalizedMutualInformation(truth: [Int], predicted: [Int]) throws -> Double {
    let table = try nonEmptyTable(truth: truth, predicted: predicted)
    if table.rowLabels.count == 1 && table.columnLabels.count == 1 { return 1 }
    let mi = table.mutualInformation
    if mi == 0 { return 0 }
    return mi / ((table.rowEntropy + table.columnEntropy) / 2)
  }

  /// Adjusted Rand index, as scikit-learn's `adjusted_rand_score` (pair-confusion form; 1 for
  /// identical partitions, about 0 for chance, can be negative).
  public static func adjustedRandIndex(truth: [Int], predicted: [Int]) throws -> Double {
    let table = try nonEmptyTable(truth: truth, predicted: predicted)
    let n = Double(table.total)
    var sumSquares = 0.0
    for c in table.counts { sumSquares += Double(c) * Double(c) }
    var rowSquares = 0.0
    for a in table.rowSums { rowSquares += Double(a) * Double(a) }
    var columnSquares = 0.0
    for b in table.columnSums { columnSquares += Double(b) * Double(b) }
    // Ordered pairs: together in both, only in truth, only in predicted, in neither.
    let tp = sumSquares - n
    let fp = columnSquares - sumSquares
    let fn = rowSquares - sumSquares
    let tn = n * n - fp - fn - sumSquares
    if fn == 0 && fp == 0 { return 1 }
    return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
  }

  /// All three scores at once.
  public static func scores(truth: [Int], predicted: [Int]) throws -> ClusteringScores {
    ClusteringScores(
      accuracy: try accuracy(truth: truth, predicted: predicted),
      normalizedMutualInformation: try normalizedMutualInformation(
        truth: truth, predicted: predicted),
      adjustedRandIndex: try adjustedRandIndex(truth: truth, predicted: predicted),
      count: truth.count)
  }

  // MARK: Implementation

  static func nonEmptyTable(truth: [Int], predicted: [Int]) throws -> ContingencyTable {
    let table = try ContingencyTable(rows: truth, columns: predicted)
    guard table.total > 0 else { throw ClusteringError.invalidArgument("no labels to compare") }
    return table
  }

  /// Column (cluster) index -> row (class) index maximising the matched count.
  static func matching(_ table: ContingencyTable) throws -> [(Int, Int)] {
    let clusters = table.columnLabels.count
    let classes = table.rowLabels.count
    var weight = [Double](repeating: 0, count: clusters * classes)
    for j in 0..<clusters {
      for i in 0..<classes { weight[j * classes + i] = Double(table[i, j]) }
    }
    let assignment = try LinearAssignment.solve(
      cost: weight, rows: clusters, columns: classes, maximize: true)
    var pairs: [(Int, Int)] = []
    for (j, i) in assignment.enumerated() {
      if let i { pairs.append((j, i)) }
    }
    return pairs
  }
}

/// ACC, NMI and ARI of one labeling against the truth, with the item count.
public struct ClusteringScores: Sendable, Equatable, CustomStringConvertible {
  /// ACC with Hungarian matching.
  public var accuracy: Double
  /// NMI, arithmetic normalisation.
  public var normalizedMutualInformation: Double
  /// ARI.
  public var adjustedRandIndex: Double
  /// Items scored.
  public var count: Int

  public init(
    accuracy: Double, normalizedMutualInformation: Double, adjustedRandIndex: Double, count: Int
  ) {
    self.accuracy = accuracy
    self.normalizedMutualInformation = normalizedMutualInformation
    self.adjustedRandIndex = adjustedRandIndex
    self.count = count
  }

  /// The contract's machine-readable line, `ACC=0.9841 NMI=0.8901 ARI=0.9372 N=9200`.
  public var description: String {
    "ACC=\(fixed4(accuracy)) NMI=\(fixed4(normalizedMutualInformation)) "
      + "ARI=\(fixed4(adjustedRandIndex)) N=\(count)"
  }
}

/// A value with four decimals, without Foundation's locale-dependent formatting.
func fixed4(_ x: Double) -> String {
  guard x.isFinite else { return "\(x)" }
  let scaled = (abs(x) * 10_000).rounded()
  let whole = Int(scaled / 10_000)
  let fraction = Int(scaled) - whole * 10_000
  let digits = String(fraction)
  let sign = x < 0 && scaled > 0 ? "-" : ""
  return sign + "\(whole)." + String(repeating: "0", count: 4 - digits.count) + digits
}
