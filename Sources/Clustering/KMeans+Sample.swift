import Numerics

extension KMeans {
  /// k-means at scale: with more than `sampleSize` points, k-means++ seeding and Lloyd
  /// iterations run on `sampleSize` points drawn without replacement (seeded by `seed`), then
  /// every point goes to its nearest centroid and the inertia is summed over all of them. At or
  /// below `sampleSize` points this is `fit(_:dimension:)` exactly.
  ///
  /// A uniform sample of 20 k points places the centroids of well-separated clusters within
  /// the sampling error of the full fit (Sculley 2010; scikit-learn's `MiniBatchKMeans` uses
  /// the same argument), at a tenth of the cost on 200 k points.
  public func fit(_ points: [Float], dimension: Int, sampleSize: Int) throws -> KMeansResult {
    let count = try rowCount(of: points, dimension: dimension, name: "points")
    guard sampleSize >= clusterCount, count > sampleSize else {
      return try fit(points, dimension: dimension)
    }
    // Its own stream, so the full fit's generator is untouched.
    var generator = SeededGenerator(seed: seed ^ 0x5A17_5A17_5A17_5A17)
    var rows = Array(0..<count)
    // Partial Fisher-Yates: the first `sampleSize` rows are a uniform sample.
    for i in 0..<sampleSize {
      let j = Int.random(in: i..<count, using: &generator)
      rows.swapAt(i, j)
    }
    let chosen = rows[..<sampleSize].sorted()
    var sample = [Float]()
    sample.reserveCapacity(sampleSize * dimension)
    for row in chosen { sample += points[(row * dimension)..<((row + 1) * dimension)] }
    var result = try fit(sample, dimension: dimension)
    let (assignments, inertia) = Self.nearest(
      points, dimension: dimension, centroids: result.centroids, clusterCount: clusterCount)
    result.assignments = assignments
    result.inertia = inertia
    return result
  }

  /// The nearest centroid of every point (ties: the lowest index) and the sum of squared
  /// distances to it.
  public static func nearest(
    _ points: [Float], dimension: Int, centroids: [Float], clusterCount: Int
  ) -> (assignments: [Int], inertia: Double) {
    let count = points.count / dimension
    var assignments = [Int](repeating: 0, count: count)
    var inertia = 0.0
    for i in 0..<count {
      var best = Double.infinity
      for c in 0..<clusterCount {
        var s = 0.0
        for d in 0..<dimension {
          let e = Double(points[i * dimension + d]) - Double(centroids[c * dimension + d])
          s += e * e
        }
        if s < best {
          best = s
          assignments[i] = c
        }
      }
      inertia += best
    }
    return (assignments, inertia)
  }
}
