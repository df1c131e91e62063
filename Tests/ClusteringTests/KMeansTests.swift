import TestSupport
import Testing

@testable import Clustering

@Suite struct KMeansTests {
  @Test func sameSeedGivesTheSameResultAndAnotherSeedMayNot() throws {
    let set = try ClusteringFixtures.kmeans().sets[2]  // overlapping blobs: many local optima
    let points = set.points.floats
    let a = try KMeans(clusterCount: set.clusters, restarts: 3, seed: 42).fit(
      points, dimension: set.dimension)
    let b = try KMeans(clusterCount: set.clusters, restarts: 3, seed: 42).fit(
      points, dimension: set.dimension)
    #expect(a == b)
    // Single restarts from different seeds land in different optima on this set.
    var inertias = Set<Double>()
    for seed in UInt64(0)..<6 {
      let single = try KMeans(clusterCount: set.clusters, restarts: 1, seed: seed).fit(
        points, dimension: set.dimension)
      inertias.insert(single.inertia)
    }
    #expect(inertias.count > 1)
  }

  @Test func wellSeparatedBlobsAreRecovered() throws {
    let set = try ClusteringFixtures.kmeans().sets[0]
    let result = try KMeans(clusterCount: set.clusters).fit(
      set.points.floats, dimension: set.dimension)
    #expect(try ClusteringMetrics.accuracy(truth: set.labels, predicted: result.assignments) == 1)
    #expect(abs(result.inertia - set.sklearnInertia) < 1e-6 * set.sklearnInertia)
  }

  @Test(arguments: [0, 1, 2]) func inertiaIsNoWorseThanScikitLearn(index: Int) throws {
    let set = try ClusteringFixtures.kmeans().sets[index]
    let result = try KMeans(clusterCount: set.clusters, restarts: 20, seed: 0).fit(
      set.points.floats, dimension: set.dimension)
    #expect(result.inertia <= set.sklearnInertia * 1.005)
  }

  @Test func resultIsConsistentCentroidsAreMeansAndInertiaIsTheirCost() throws {
    let set = try ClusteringFixtures.kmeans().sets[1]
    let d = set.dimension
    let result = try KMeans(clusterCount: set.clusters, restarts: 4, seed: 9).fit(
      set.points.floats, dimension: d)
    var sums = [Double](repeating: 0, count: set.clusters * d)
    var counts = [Int](repeating: 0, count: set.clusters)
    var inertia = 0.0
    for i in 0..<set.count {
      let c = result.assignments[i]
      counts[c] += 1
      var best = Double.infinity
      for j in 0..<set.clusters {
        var s = 0.0
        for k in 0..<d {
          let e = Double(Float(set.points[i * d + k])) - Double(result.centroids[j * d + k])
          s += e * e
        }
        best = min(best, s)
        if j == c { inertia += s }
      }
      for k in 0..<d { sums[c * d + k] += set.points[i * d + k] }
      // Each point sits with a nearest centroid.
      var own = 0.0
      for k in 0..<d {
        let e = Double(Float(set.points[i * d + k])) - Double(result.centroids[c * d + k])
        own += e * e
      }
      #expect(own <= best + 1e-9)
    }
    #expect(counts.allSatisfy { $0 > 0 })
    for j in 0..<set.clusters {
      for k in 0..<d {
        #expect(
          abs(sums[j * d + k] / Double(counts[j]) - Double(result.centroids[j * d + k])) < 1e-4)
      }
    }
    #expect(abs(inertia - result.inertia) < 1e-3)
  }

  @Test func duplicatePointsFillEveryClusterDeterministically() throws {
    // Three distinct locations, asked for three clusters, with most points piled on one spot.
    var points: [Float] = []
    for _ in 0..<20 { points += [0, 0] }
    points += [5, 5, 5, 5, -5, 5]
    let result = try KMeans(clusterCount: 3, restarts: 5, seed: 1).fit(points, dimension: 2)
    #expect(Set(result.assignments).count == 3)
    #expect(result.inertia == 0)
    let again = try KMeans(clusterCount: 3, restarts: 5, seed: 1).fit(points, dimension: 2)
    #expect(again == result)
  }

  @Test func emptyClustersAreRefilledWhenThereAreMoreClustersThanDistinctPoints() throws {
    // Four identical points and K = 2: one cluster must take a (duplicate) point, not stay empty.
    let result = try KMeans(clusterCount: 2, restarts: 2, seed: 3).fit(
      [1, 1, 1, 1, 1, 1, 1, 1], dimension: 2)
    #expect(result.inertia == 0)
    #expect(result.centroids == [1, 1, 1, 1])
  }

  @Test func fewerPointsThanClustersIsAnError() {
    #expect(throws: ClusteringError.tooFewPoints(points: 2, clusters: 3)) {
      try KMeans(clusterCount: 3).fit([0, 0, 1, 1], dimension: 2)
    }
    #expect(throws: ClusteringError.self) {
      try KMeans(clusterCount: 1).fit([0, 0, 1], dimension: 2)
    }
    #expect(throws: ClusteringError.self) {
      try KMeans(clusterCount: 1).fit([0, .nan], dimension: 2)
    }
    #expect(throws: ClusteringError.self) { try KMeans(clusterCount: 0).fit([0, 0], dimension: 2) }
  }
}
