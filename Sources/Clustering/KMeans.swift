import Dispatch
import Foundation
import Numerics

/// k-means with greedy k-means++ seeding and Lloyd iterations, restarted several times; the
/// restart with the lowest inertia wins (as scikit-learn's `KMeans(init="k-means++", n_init=20)`).
///
/// Points are a flat row-major `[Float]` of `count x dimension` values. Distances and centroid
/// sums accumulate in `Double`. The result depends only on the data, the settings and `seed`:
/// every restart draws from its own generator split off the seed before any work starts, so the
/// restarts may run in parallel without changing the answer.
public struct KMeans: Sendable {
  /// Number of clusters K (at least 1).
  public var clusterCount: Int
  /// Independent k-means++ seedings followed by Lloyd iterations (scikit-learn's `n_init`).
  public var restarts: Int
  /// Lloyd iterations per restart at most.
  public var maximumIterations: Int
  /// Convergence: stop when no label changes, or when the total squared centroid shift is at
  /// most `tolerance` times the mean per-feature variance of the data (scikit-learn's `tol`).
  public var tolerance: Double
  /// Seed of the random stream (first centroid and D^2 sampling).
  public var seed: UInt64

  /// - Parameters:
  ///   - clusterCount: K, the number of centroids.
  ///   - restarts: independent seedings; the lowest inertia wins (default 20).
  ///   - maximumIterations: Lloyd iterations per restart at most (default 300).
  ///   - tolerance: relative centroid-shift tolerance (default 1e-4, as scikit-learn).
  ///   - seed: random seed (default 0).
  public init(
    clusterCount: Int, restarts: Int = 20, maximumIterations: Int = 300,
    tolerance: Double = 1e-4, seed: UInt64 = 0
  ) {
    self.clusterCount = clusterCount
    self.restarts = restarts
    self.maximumIterations = maximumIterations
    self.tolerance = tolerance
    self.seed = seed
  }

  /// Clusters `points` (row-major, `dimension` values per row).
  ///
  /// - Throws: `ClusteringError.tooFewPoints` when there are fewer rows than clusters,
  ///   `.shapeMismatch` for a ragged matrix, `.invalidArgument` for bad settings and
  ///   `.nonFinite` for NaN or infinite coordinates.
  public func fit(_ points: [Float], dimension: Int) throws -> KMeansResult {
    guard clusterCount >= 1 else {
      throw ClusteringError.invalidArgument("cluster count \(clusterCount) must be at least 1")
    }
    guard restarts >= 1 else {
      throw ClusteringError.invalidArgument("restarts \(restarts) must be at least 1")
    }
    guard maximumIterations >= 1 else {
      throw ClusteringError.invalidArgument(
        "maximum iterations \(maximumIterations) must be at least 1")
    }
    guard tolerance >= 0, tolerance.isFinite else {
      throw ClusteringError.invalidArgument("tolerance \(tolerance) must be finite and >= 0")
    }
    let count = try rowCount(of: points, dimension: dimension, name: "points")
    guard count >= clusterCount else {
      throw ClusteringError.tooFewPoints(points: count, clusters: clusterCount)
    }
    guard points.allSatisfy({ $0.isFinite }) else { throw ClusteringError.nonFinite("points") }

    let shiftTolerance = tolerance * meanVariance(points, count: count, dimension: dimension)
    var master = SeededGenerator(seed: seed)
    let generators = (0..<restarts).map { _ in master.split() }
    let results = UnsafeMutableBufferPointer<KMeansResult?>.allocate(capacity: restarts)
    results.initialize(repeating: nil)
    defer {
      results.deinitialize()
      results.deallocate()
    }
    let box = ResultBox(results)
    let k = clusterCount
    let maxIterations = maximumIterations
    points.withUnsafeBufferPointer { data in
      let dataBox = PointsBox(data)
      DispatchQueue.concurrentPerform(iterations: restarts) { r in
        var generator = generators[r]
        var run = LloydRun(
          points: dataBox.buffer, count: count, dimension: dimension, clusterCount: k)
        run.seedPlusPlus(using: &generator)
        let iterations = run.iterate(
          maximumIterations: maxIterations, shiftTolerance: shiftTolerance)
        box.buffer[r] = KMeansResult(
          centroids: run.centroids.map { Float($0) }, assignments: run.assignments,
          inertia: run.inertia, iterations: iterations, clusterCount: k, dimension: dimension)
      }
    }
    // Lowest inertia wins; ties go to the earliest restart, so the answer never depends on
    // scheduling.
    var best = results[0]!
    for r in 1..<restarts where results[r]!.inertia < best.inertia { best = results[r]! }
    return best
  }
}

/// The outcome of `KMeans.fit`.
public struct KMeansResult: Sendable, Equatable {
  /// Centroids, `clusterCount x dimension`, row-major.
  public var centroids: [Float]
  /// Cluster index of every point (0..<clusterCount), the nearest centroid (ties: lowest index).
  public var assignments: [Int]
  /// Sum of squared distances from each point to its centroid.
  public var inertia: Double
  /// Lloyd iterations the winning restart ran.
  public var iterations: Int
  /// K.
  public var clusterCount: Int
  /// Width of a point.
  public var dimension: Int
}

// MARK: - Implementation

/// Rows of a flat row-major matrix, checked.
func rowCount(of values: [Float], dimension: Int, name: String) throws -> Int {
  guard dimension >= 1 else {
    throw ClusteringError.shapeMismatch("\(name) dimension \(dimension) must be at least 1")
  }
  guard values.count % dimension == 0 else {
    throw ClusteringError.shapeMismatch(
      "\(name) has \(values.count) values, not a multiple of dimension \(dimension)")
  }
  return values.count / dimension
}

/// Mean over features of the per-feature variance (scikit-learn scales `tol` by it).
private func meanVariance(_ points: [Float], count: Int, dimension: Int) -> Double {
  var mean = [Double](repeating: 0, count: dimension)
  var square = [Double](repeating: 0, count: dimension)
  for i in 0..<count {
    for d in 0..<dimension {
      let x = Double(points[i * dimension + d])
      mean[d] += x
      square[d] += x * x
    }
  }
  var total = 0.0
  for d in 0..<dimension {
    let m = mean[d] / Double(count)
    total += max(0, square[d] / Double(count) - m * m)
  }
  return total / Double(dimension)
}

private final class ResultBox: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<KMeansResult?>
  init(_ buffer: UnsafeMutableBufferPointer<KMeansResult?>) { self.buffer = buffer }
}

private final class PointsBox: @unchecked Sendable {
  let buffer: UnsafeBufferPointer<Float>
  init(_ buffer: UnsafeBufferPointer<Float>) { self.buffer = buffer }
}

/// One restart: k-means++ seeding then Lloyd iterations, with every buffer allocated once.
struct LloydRun {
  let points: UnsafeBufferPointer<Float>
  let count: Int
  let dimension: Int
  let clusterCount: Int
  var centroids: [Double]
  var assignments: [Int]
  /// Squared distance of each point to its assigned centroid.
  var distances: [Double]
  var inertia: Double = .infinity
  private var sums: [Double]
  private var members: [Int]
  private var previous: [Double]

  init(points: UnsafeBufferPointer<Float>, count: Int, dimension: Int, clusterCount: Int) {
    self.points = points
    self.count = count
    self.dimension = dimension
    self.clusterCount = clusterCount
    centroids = [Double](repeating: 0, count: clusterCount * dimension)
    assignments = [Int](repeating: 0, count: count)
    distances = [Double](repeating: 0, count: count)
    sums = [Double](repeating: 0, count: clusterCount * dimension)
    members = [Int](repeating: 0, count: clusterCount)
    previous = [Double](repeating: 0, count: clusterCount * dimension)
  }

  /// Squared distance between point `i` and the point `j`.
  @inline(__always)
  private func pointDistance(_ i: Int, _ j: Int) -> Double {
    var s = 0.0
    let a = i * dimension
    let b = j * dimension
    for d in 0..<dimension {
      let e = Double(points[a + d]) - Double(points[b + d])
      s += e * e
    }
    return s
  }

  /// Greedy k-means++ (Arthur & Vassilvitskii 2007, with scikit-learn's 2 + ln K local trials):
  /// the first centroid is a uniformly drawn point; each next one is the best of several
  /// candidates drawn with probability proportional to D^2, the one lowering the potential most.
  ///
  /// With `fixed` centroids (`M x dimension`), those are the first `M` centroids and only the
  /// rest are drawn.
  mutating func seedPlusPlus(using generator: inout SeededGenerator, fixed: [Double] = []) {
    let trials = 2 + Int(log(Double(clusterCount)))
    let fixedCount = fixed.count / dimension
    var chosen = [Int](repeating: 0, count: clusterCount)
    var closest = [Double](repeating: 0, count: count)
    var candidateClosest = [Double](repeating: 0, count: count)
    var bestClosest = [Double](repeating: 0, count: count)
    var potential = 0.0
    if fixedCount == 0 {
      chosen[0] = min(count - 1, Int(generator.nextUniform() * Double(count)))
      for i in 0..<count {
        closest[i] = pointDistance(i, chosen[0])
        potential += closest[i]
      }
    } else {
      for i in 0..<count {
        var best = Double.infinity
        for c in 0..<fixedCount {
          var s = 0.0
          for d in 0..<dimension {
            let e = Double(points[i * dimension + d]) - fixed[c * dimension + d]
            s += e * e
          }
          best = min(best, s)
        }
        closest[i] = best
        potential += best
      }
    }
    let firstDrawn = max(1, fixedCount)
    if clusterCount > firstDrawn {
      for c in firstDrawn..<clusterCount {
        var bestPotential = Double.infinity
        var bestCandidate = -1
        for _ in 0..<trials {
          let candidate: Int
          if potential > 0 {
            // Inverse CDF of D^2 (first index whose running sum exceeds the draw).
            let target = generator.nextUniform() * potential
            var running = 0.0
            var pick = count - 1
            for i in 0..<count {
              running += closest[i]
              if running > target {
                pick = i
                break
              }
            }
            candidate = pick
          } else {
            // All points coincide with chosen centroids: any point will do.
            candidate = min(count - 1, Int(generator.nextUniform() * Double(count)))
          }
          var candidatePotential = 0.0
          for i in 0..<count {
            let d = min(closest[i], pointDistance(i, candidate))
            candidateClosest[i] = d
            candidatePotential += d
          }
          if candidatePotential < bestPotential {
            bestPotential = candidatePotential
            bestCandidate = candidate
            swap(&bestClosest, &candidateClosest)
          }
        }
        chosen[c] = bestCandidate
        potential = bestPotential
        swap(&closest, &bestClosest)
      }
    }
    for c in 0..<clusterCount {
      for d in 0..<dimension {
        centroids[c * dimension + d] =
          c < fixedCount ? fixed[c * dimension + d] : Double(points[chosen[c] * dimension + d])
      }
    }
  }

  /// Assigns every point to its nearest centroid; returns how many labels changed.
  @discardableResult
  mutating func assign() -> Int {
    var changed = 0
    var total = 0.0
    centroids.withUnsafeBufferPointer { mu in
      assignments.withUnsafeMutableBufferPointer { labels in
        distances.withUnsafeMutableBufferPointer { dist in
          for i in 0..<count {
            let row = i * dimension
            var best = Double.infinity
            var bestIndex = 0
            for c in 0..<clusterCount {
              let centre = c * dimension
              var s = 0.0
              for d in 0..<dimension {
                let e = Double(points[row + d]) - mu[centre + d]
                s += e * e
              }
              if s < best {
                best = s
                bestIndex = c
              }
            }
            if labels[i] != bestIndex { changed += 1 }
            labels[i] = bestIndex
            dist[i] = best
            total += best
          }
        }
      }
    }
    inertia = total
    return changed
  }

  /// Moves each centroid to its members' mean. An empty cluster takes the point farthest from
  /// its own centroid (ties: lowest index) that no other empty cluster took this round, as
  /// scikit-learn relocates empty clusters. Returns the total squared centroid shift.
  mutating func update() -> Double {
    for j in centroids.indices { previous[j] = centroids[j] }
    for j in sums.indices { sums[j] = 0 }
    for c in members.indices { members[c] = 0 }
    for i in 0..<count {
      let c = assignments[i]
      members[c] += 1
      let row = i * dimension
      let centre = c * dimension
      for d in 0..<dimension { sums[centre + d] += Double(points[row + d]) }
    }
    var taken: [Int] = []
    for c in 0..<clusterCount {
      let centre = c * dimension
      if members[c] > 0 {
        let n = Double(members[c])
        for d in 0..<dimension { centroids[centre + d] = sums[centre + d] / n }
      } else {
        var far = -1
        var farDistance = -1.0
        for i in 0..<count where distances[i] > farDistance && !taken.contains(i) {
          far = i
          farDistance = distances[i]
        }
        taken.append(far)
        for d in 0..<dimension { centroids[centre + d] = Double(points[far * dimension + d]) }
      }
    }
    var shift = 0.0
    for j in centroids.indices {
      let e = centroids[j] - previous[j]
      shift += e * e
    }
    return shift
  }

  /// Lloyd iterations until no label changes, the centroid shift falls to `shiftTolerance`, or
  /// `maximumIterations`; ends with an assignment to the final centroids. Returns the iterations.
  mutating func iterate(maximumIterations: Int, shiftTolerance: Double) -> Int {
    for i in assignments.indices { assignments[i] = -1 }
    assign()
    var iterations = 0
    while iterations < maximumIterations {
      iterations += 1
      let shift = update()
      let changed = assign()
      if changed == 0 || shift <= shiftTolerance { break }
    }
    return iterations
  }
}
