import Numerics

/// Centroids from hand labels, for the semi-supervised relabel: one centroid per class from the
/// labelled rows, and k-means++ picks for any further clusters.
extension KMeans {
  /// The mean embedding of each class's labelled rows, `classCount x dimension`, row-major.
  ///
  /// - Parameters:
  ///   - points: `N x dimension`, row-major.
  ///   - classes: `N` entries; the class of a labelled row in `0..<classCount`, `nil` otherwise.
  /// - Throws: `.invalidArgument` naming a class with no labelled row or a class out of range,
  ///   `.shapeMismatch` when the counts disagree.
  public static func classMeans(
    of points: [Float], dimension: Int, classes: [Int?], classCount: Int
  ) throws -> [Float] {
    let n = try rowCount(of: points, dimension: dimension, name: "points")
    guard classes.count == n else {
      throw ClusteringError.shapeMismatch("\(classes.count) classes for \(n) points")
    }
    guard classCount >= 1 else {
      throw ClusteringError.invalidArgument("class count \(classCount) must be at least 1")
    }
    var sums = [Double](repeating: 0, count: classCount * dimension)
    var counts = [Int](repeating: 0, count: classCount)
    for i in 0..<n {
      guard let c = classes[i] else { continue }
      guard c >= 0, c < classCount else {
        throw ClusteringError.invalidArgument("class \(c) is outside 0..<\(classCount)")
      }
      counts[c] += 1
      for d in 0..<dimension { sums[c * dimension + d] += Double(points[i * dimension + d]) }
    }
    if let empty = counts.firstIndex(of: 0) {
      throw ClusteringError.invalidArgument("class \(empty) has no labelled point")
    }
    var means = [Float](repeating: 0, count: classCount * dimension)
    for c in 0..<classCount {
      for d in 0..<dimension {
        means[c * dimension + d] = Float(sums[c * dimension + d] / Double(counts[c]))
      }
    }
    return means
  }

  /// `clusterCount` centroids: the `initial` ones first, unchanged, then greedy k-means++ picks
  /// (D^2 sampling against every centroid so far, seeded by `seed`) for the rest. No Lloyd
  /// iterations: the given centroids stay where the labels put them.
  ///
  /// - Parameters:
  ///   - initial: `M x dimension` centroids, `1 <= M <= clusterCount`.
  ///   - points: `N x dimension` rows to draw further centroids from.
  public func seedCentroids(extending initial: [Float], points: [Float], dimension: Int) throws
    -> [Float]
  {
    let given = try rowCount(of: initial, dimension: dimension, name: "initial centroids")
    let n = try rowCount(of: points, dimension: dimension, name: "points")
    guard given >= 1, given <= clusterCount else {
      throw ClusteringError.invalidArgument(
        "\(given) initial centroids for \(clusterCount) clusters")
    }
    guard n >= clusterCount - given else {
      throw ClusteringError.tooFewPoints(points: n, clusters: clusterCount - given)
    }
    guard points.allSatisfy({ $0.isFinite }), initial.allSatisfy({ $0.isFinite }) else {
      throw ClusteringError.nonFinite("points or initial centroids")
    }
    if given == clusterCount { return initial }
    var generator = SeededGenerator(seed: seed)
    return points.withUnsafeBufferPointer { data in
      var run = LloydRun(points: data, count: n, dimension: dimension, clusterCount: clusterCount)
      run.seedPlusPlus(using: &generator, fixed: initial.map(Double.init))
      return run.centroids.map { Float($0) }
    }
  }
}
