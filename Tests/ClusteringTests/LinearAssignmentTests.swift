import Numerics
import Testing

@testable import Clustering

@Suite struct LinearAssignmentTests {
  /// Best total over every injective map of the smaller side into the larger, by brute force.
  static func bruteForce(_ cost: [Double], rows: Int, columns: Int, maximize: Bool) -> Double {
    var best = maximize ? -Double.infinity : Double.infinity
    var used = [Bool](repeating: false, count: max(rows, columns))
    func search(_ r: Int, _ total: Double) {
      let n = min(rows, columns)
      if r == n {
        best = maximize ? max(best, total) : min(best, total)
        return
      }
      for c in 0..<max(rows, columns) where !used[c] {
        used[c] = true
        let v = rows <= columns ? cost[r * columns + c] : cost[c * columns + r]
        search(r + 1, total + v)
        used[c] = false
      }
    }
    search(0, 0)
    return best
  }

  static let shapes: [(Int, Int)] = [
    (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (2, 5), (3, 6),
    (5, 2), (6, 3), (4, 6), (7, 4),
  ]

  @Test(arguments: 0..<shapes.count) func matchesBruteForceOnRandomMatrices(shapeIndex: Int) throws
  {
    let (rows, columns) = Self.shapes[shapeIndex]
    var generator = SeededGenerator(seed: UInt64(100 + shapeIndex))
    for trial in 0..<20 {
      // Small integers on some trials so ties occur.
      let cost = (0..<(rows * columns)).map { _ in
        trial % 2 == 0 ? (generator.nextUniform() * 10).rounded() : generator.nextGaussian()
      }
      for maximize in [false, true] {
        let assignment = try LinearAssignment.solve(
          cost: cost, rows: rows, columns: columns, maximize: maximize)
        #expect(assignment.count == rows)
        let matched = assignment.compactMap { $0 }
        #expect(matched.count == min(rows, columns))
        #expect(Set(matched).count == matched.count)
        var total = 0.0
        for (r, c) in assignment.enumerated() {
          if let c { total += cost[r * columns + c] }
        }
        let best = Self.bruteForce(cost, rows: rows, columns: columns, maximize: maximize)
        #expect(abs(total - best) < 1e-9)
      }
    }
  }

  @Test func solvesAClassicExample() throws {
    // The optimum is 0->1, 1->0, 2->2 with cost 1 + 2 + 2 = 5.
    let cost: [Double] = [4, 1, 3, 2, 0, 5, 3, 2, 2]
    #expect(try LinearAssignment.solve(cost: cost, rows: 3, columns: 3) == [1, 0, 2])
  }

  @Test func rejectsMismatchedShapesAndNonFiniteCosts() {
    #expect(throws: ClusteringError.self) {
      try LinearAssignment.solve(cost: [1, 2, 3], rows: 2, columns: 2)
    }
    #expect(throws: ClusteringError.self) {
      try LinearAssignment.solve(cost: [1, .infinity], rows: 1, columns: 2)
    }
  }
}
