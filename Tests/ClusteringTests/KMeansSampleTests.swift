import Numerics
import Testing

@testable import Clustering

@Suite struct KMeansSampleTests {
  /// `count` points in `dimension` features around `clusters` centres spaced `spacing`
  /// standard deviations apart (overlapping a little at 3).
  func blobs(count: Int, clusters: Int, dimension: Int, spacing: Double, seed: UInt64)
    -> (points: [Float], labels: [Int])
  {
    var g = SeededGenerator(seed: seed)
    let centres = (0..<(clusters * dimension)).map { _ in spacing * g.nextGaussian() }
    var points: [Float] = []
    var labels: [Int] = []
    points.reserveCapacity(count * dimension)
    for i in 0..<count {
      let c = i % clusters
      labels.append(c)
      for d in 0..<dimension { points.append(Float(centres[c * dimension + d] + g.nextGaussian())) }
    }
    return (points, labels)
  }

  @Test func aSampleFindsTheClustersAFullFitFinds() throws {
    let data = blobs(count: 40_000, clusters: 4, dimension: 8, spacing: 3, seed: 5)
    let kmeans = KMeans(clusterCount: 4, restarts: 4, seed: 1)
    let full = try kmeans.fit(data.points, dimension: 8)
    let sampled = try kmeans.fit(data.points, dimension: 8, sampleSize: 4_000)
    #expect(sampled.assignments.count == 40_000)
    let ari = try ClusteringMetrics.adjustedRandIndex(
      truth: full.assignments, predicted: sampled.assignments)
    #expect(ari >= 0.99, "ARI between sampled and full k-means \(ari)")
    #expect(sampled.inertia <= full.inertia * 1.005, "\(sampled.inertia) vs \(full.inertia)")
    // The inertia is that of every point to its nearest sampled centroid.
    let nearest = KMeans.nearest(
      data.points, dimension: 8, centroids: sampled.centroids, clusterCount: 4)
    #expect(nearest.assignments == sampled.assignments)
  }

  @Test func aSetNoLargerThanTheSampleIsFittedWhole() throws {
    let data = blobs(count: 500, clusters: 3, dimension: 4, spacing: 4, seed: 2)
    let kmeans = KMeans(clusterCount: 3, restarts: 3, seed: 9)
    #expect(
      try kmeans.fit(data.points, dimension: 4, sampleSize: 500)
        == kmeans.fit(data.points, dimension: 4))
  }
}
