import Foundation

/// Counts of co-occurring labels of two labelings of the same items. Labels may be any integers
/// (negative, sparse); rows and columns are the distinct values in ascending order.
public struct ContingencyTable: Sendable, Equatable {
  /// Distinct values of the first labeling, ascending (the table's rows).
  public let rowLabels: [Int]
  /// Distinct values of the second labeling, ascending (the table's columns).
  public let columnLabels: [Int]
  /// `rowLabels.count x columnLabels.count` counts, row-major.
  public let counts: [Int]
  /// Items counted.
  public let total: Int

  /// Tabulates `rows[i]` against `columns[i]`.
  /// - Throws: `.shapeMismatch` when the labelings differ in length.
  public init(rows: [Int], columns: [Int]) throws {
    guard rows.count == columns.count else {
      throw ClusteringError.shapeMismatch("\(rows.count) labels against \(columns.count) labels")
    }
    rowLabels = Array(Set(rows)).sorted()
    columnLabels = Array(Set(columns)).sorted()
    var rowIndex: [Int: Int] = [:]
    for (i, label) in rowLabels.enumerated() { rowIndex[label] = i }
    var columnIndex: [Int: Int] = [:]
    for (j, label) in columnLabels.enumerated() { columnIndex[label] = j }
    var table = [Int](repeating: 0, count: rowLabels.count * columnLabels.count)
    for k in rows.indices {
      table[rowIndex[rows[k]]! * columnLabels.count + columnIndex[columns[k]]!] += 1
    }
    counts = table
    total = rows.count
  }

  /// Count in row `i`, column `j` (indices, not labels).
  public subscript(_ i: Int, _ j: Int) -> Int { counts[i * columnLabels.count + j] }

  /// Row totals.
  public var rowSums: [Int] {
    (0..<rowLabels.count).map { i in (0..<columnLabels.count).reduce(0) { $0 + self[i, $1] } }
  }

  /// Column totals.
  public var columnSums: [Int] {
    (0..<columnLabels.count).map { j in (0..<rowLabels.count).reduce(0) { $0 + self[$1, j] } }
  }

  /// Mutual information of the two labelings in nats, as scikit-learn's `mutual_info_score`
  /// (terms smaller than machine epsilon dropped, result clipped at 0).
  public var mutualInformation: Double {
    guard total > 0, rowLabels.count > 1, columnLabels.count > 1 else { return 0 }
    let a = rowSums
    let b = columnSums
    let n = Double(total)
    var mi = 0.0
    for i in rowLabels.indices {
      for j in columnLabels.indices where self[i, j] > 0 {
        // The same arrangement as scikit-learn, so a perfect match gives exactly H.
        let nij = Double(self[i, j])
        let share = nij / n
        let outer = Double(a[i] * b[j])
        let term = share * (log(nij) - log(n)) + share * (-log(outer) + log(n) + log(n))
        if abs(term) >= Double.ulpOfOne { mi += term }
      }
    }
    return max(0, mi)
  }

  /// Entropy of the row labeling in nats.
  public var rowEntropy: Double { Self.entropy(rowSums) }

  /// Entropy of the column labeling in nats.
  public var columnEntropy: Double { Self.entropy(columnSums) }

  /// Pearson's chi-squared statistic of independence.
  public var chiSquared: Double {
    guard total > 0 else { return 0 }
    let a = rowSums
    let b = columnSums
    let n = Double(total)
    var chi = 0.0
    for i in rowLabels.indices {
      for j in columnLabels.indices {
        let expected = Double(a[i]) * Double(b[j]) / n
        let e = Double(self[i, j]) - expected
        chi += e * e / expected
      }
    }
    return chi
  }

  /// Cramér's V, `sqrt(chi^2 / (n (min(r, c) - 1)))`, in [0, 1]; 0 when either labeling has a
  /// single value. Equals scipy's `contingency.association(method="cramer")`.
  public var cramersV: Double {
    let smaller = min(rowLabels.count, columnLabels.count)
    guard total > 0, smaller > 1 else { return 0 }
    return min(1, (chiSquared / (Double(total) * Double(smaller - 1))).squareRoot())
  }

  static func entropy(_ counts: [Int]) -> Double {
    let n = Double(counts.reduce(0, +))
    guard n > 0 else { return 0 }
    var h = 0.0
    for c in counts where c > 0 { h += Double(c) / n * (log(Double(c)) - log(n)) }
    return -h
  }
}
