/// The linear assignment problem (Kuhn's Hungarian method with Jonker-Volgenant style shortest
/// augmenting paths, O(n^2 m)): match rows to columns one-to-one so the total cost is least (or
/// the total weight greatest). Rectangular matrices match `min(rows, columns)` pairs.
public enum LinearAssignment {
  /// Solves the assignment for a row-major `rows x columns` matrix.
  ///
  /// - Parameters:
  ///   - cost: `rows x columns` values, row-major, all finite.
  ///   - maximize: maximise the total instead of minimising it.
  /// - Returns: for every row, its column, or `nil` for the rows left over when there are more
  ///   rows than columns. Ties resolve deterministically.
  public static func solve(cost: [Double], rows: Int, columns: Int, maximize: Bool = false)
    throws -> [Int?]
  {
    guard rows >= 0, columns >= 0, cost.count == rows * columns else {
      throw ClusteringError.shapeMismatch(
        "cost has \(cost.count) values, expected \(rows) x \(columns)")
    }
    guard cost.allSatisfy({ $0.isFinite }) else { throw ClusteringError.nonFinite("cost matrix") }
    if rows == 0 || columns == 0 { return [Int?](repeating: nil, count: rows) }
    let sign = maximize ? -1.0 : 1.0
    // The solver wants rows <= columns; transpose otherwise.
    let transposed = rows > columns
    let n = transposed ? columns : rows
    let m = transposed ? rows : columns
    var a = [Double](repeating: 0, count: n * m)
    for r in 0..<rows {
      for c in 0..<columns {
        let v = sign * cost[r * columns + c]
        if transposed { a[c * m + r] = v } else { a[r * m + c] = v }
      }
    }
    let match = shortestAugmentingPaths(a, n: n, m: m)  // row (0..<n) -> column (0..<m)
    var result = [Int?](repeating: nil, count: rows)
    for i in 0..<n {
      if transposed { result[match[i]] = i } else { result[i] = match[i] }
    }
    return result
  }

  /// Minimum-cost assignment of all `n` rows into `m >= n` columns; returns each row's column.
  /// Potentials `u`, `v` keep reduced costs non-negative; each row joins by a Dijkstra-like
  /// search for the cheapest augmenting path.
  static func shortestAugmentingPaths(_ a: [Double], n: Int, m: Int) -> [Int] {
    // 1-based, index 0 of columns is a virtual column (as in the classic formulation).
    var u = [Double](repeating: 0, count: n + 1)
    var v = [Double](repeating: 0, count: m + 1)
    var owner = [Int](repeating: 0, count: m + 1)  // column -> row (1-based, 0 = free)
    var way = [Int](repeating: 0, count: m + 1)
    var minimum = [Double](repeating: 0, count: m + 1)
    var used = [Bool](repeating: false, count: m + 1)
    for i in 1...n {
      owner[0] = i
      var j0 = 0
      for j in 0...m {
        minimum[j] = .infinity
        used[j] = false
      }
      repeat {
        used[j0] = true
        let i0 = owner[j0]
        var delta = Double.infinity
        var j1 = 0
        for j in 1...m where !used[j] {
          let reduced = a[(i0 - 1) * m + (j - 1)] - u[i0] - v[j]
          if reduced < minimum[j] {
            minimum[j] = reduced
            way[j] = j0
          }
          if minimum[j] < delta {
            delta = minimum[j]
            j1 = j
          }
        }
        for j in 0...m {
          if used[j] {
            u[owner[j]] += delta
            v[j] -= delta
          } else {
            minimum[j] -= delta
          }
        }
        j0 = j1
      } while owner[j0] != 0
      repeat {
        let j1 = way[j0]
        owner[j0] = owner[j1]
        j0 = j1
      } while j0 != 0
    }
    var match = [Int](repeating: 0, count: n)
    for j in 1...m where owner[j] != 0 { match[owner[j] - 1] = j - 1 }
    return match
  }
}
