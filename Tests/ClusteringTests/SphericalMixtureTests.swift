import Numerics
import TestSupport
import Testing

@testable import Clustering

@Suite struct SphericalMixtureTests {
  static let cases = ClusteringFixtures.indices { try ClusteringFixtures.mixture().cases.count }

  /// The EM fit against scikit-learn's `GaussianMixture(covariance_type="spherical")` started
  /// from the same partition (tools/make_mixture_fixtures.py).
  @Test(arguments: cases) func fitMatchesScikitLearn(index: Int) throws {
    let c = try ClusteringFixtures.mixture().cases[index]
    let fit = try SphericalMixture.fit(
      points: c.points.floats, dimension: c.dimension, start: c.start,
      clusterCount: c.clusterCount, maximumIterations: 5000, tolerance: 1e-12)
    #expect(fit.iterations > 2, "\(c.name): the start is not already the optimum")
    for (a, b) in zip(fit.means, c.means) { #expect(abs(a - b) < 1e-7, "\(c.name) mean") }
    for (a, b) in zip(fit.variances, c.variances) {
      #expect(abs(a - b) < 1e-7 * b, "\(c.name) variance \(a) vs \(b)")
    }
    for (a, b) in zip(fit.weights, c.weights) { #expect(abs(a - b) < 1e-8, "\(c.name) weight") }
    #expect(abs(fit.logLikelihood - c.logLikelihood) < 1e-9 * abs(c.logLikelihood))
    let rows = fit.responsibilities.count / c.clusterCount
    for i in 0..<rows {
      let row = fit.responsibilities[(i * c.clusterCount)..<((i + 1) * c.clusterCount)]
      #expect(abs(row.reduce(0, +) - 1) < 1e-12)
    }
  }

  /// Clusters of unequal spread: the nearest-centroid partition of k-means cuts the broad
  /// cluster, and the mixture's means (with their own variances) recover every point.
  @Test(arguments: cases) func refinedCentroidsKeepABroadClustersMembers(index: Int) throws {
    let c = try ClusteringFixtures.mixture().cases[index]
    let points = c.points.floats
    let kmeans = c.kmeansCentroids.floats
    let before = KMeans.nearest(
      points, dimension: c.dimension, centroids: kmeans, clusterCount: c.clusterCount)
    let kmeansAccuracy = try ClusteringMetrics.accuracy(
      truth: c.truth, predicted: before.assignments)
    #expect(abs(kmeansAccuracy - c.kmeansAccuracy) < 1e-12)
    #expect(kmeansAccuracy < 0.99, "\(c.name): k-means alone must miss some points")

    let refined = try SphericalMixture.refinedCentroids(
      points: points, dimension: c.dimension, centroids: kmeans, clusterCount: c.clusterCount)
    #expect(refined != kmeans)
    // The default tolerance (1e-7 on the mean log-likelihood) stops a little before scikit-learn.
    for (a, b) in zip(refined, c.means) { #expect(abs(Double(a) - b) < 1e-4) }
    // The mixture's own partition is the truth (scikit-learn agrees).
    let fit = try SphericalMixture.fit(
      points: points, dimension: c.dimension, start: c.start, clusterCount: c.clusterCount)
    let labels = (0..<c.truth.count).map { i in
      let row = fit.responsibilities[(i * c.clusterCount)..<((i + 1) * c.clusterCount)]
      return row.indices.max { row[$0] < row[$1] }! - i * c.clusterCount
    }
    #expect(c.mixtureAccuracy == 1)
    #expect(try ClusteringMetrics.accuracy(truth: c.truth, predicted: labels) == 1)
  }

  /// A fixture case, its points, K, and q around k-means's centroids (where DEC starts).
  func atKMeansCentroids(_ index: Int) throws -> (
    ClusteringFixtures.MixtureCase, [Float], Int, [Float]
  ) {
    let c = try ClusteringFixtures.mixture().cases[index]
    let points = c.points.floats
    let q = try DEC.softAssignment(
      embeddings: points, centroids: c.kmeansCentroids.floats, dimension: c.dimension)
    return (c, points, c.clusterCount, q)
  }

  /// DEC's target from the mixture: where q (Student-t around k-means's centroids) sharpens
  /// k-means's cut through the broad cluster, the mixture's target puts every point with its
  /// own cluster.
  @Test(arguments: cases) func targetFollowsTheMixtureNotTheNearestCentroid(index: Int) throws {
    let (c, points, k, q) = try atKMeansCentroids(index)
    let own = try DEC.targetDistribution(softAssignment: q, clusterCount: k)
    let mixture = try SphericalMixture.targetDistribution(
      embeddings: points, softAssignment: q, dimension: c.dimension, clusterCount: k)
    #expect(mixture.count == own.count)
    for i in 0..<(mixture.count / k) {
      #expect(abs(mixture[(i * k)..<((i + 1) * k)].reduce(0, +) - 1) < 1e-5)
    }
    let ownLabels = try DEC.assignments(softAssignment: own, clusterCount: k)
    let mixtureLabels = try DEC.assignments(softAssignment: mixture, clusterCount: k)
    #expect(try ClusteringMetrics.accuracy(truth: c.truth, predicted: ownLabels) < 1)
    #expect(try ClusteringMetrics.accuracy(truth: c.truth, predicted: mixtureLabels) == 1)
  }

  /// `relabel`'s joint stage (decision 0022): the windows without a hand label take the
  /// mixture's target, as in `cluster`, not DEC's own; the labelled ones their class. Before
  /// stop 35 relabel gave them DEC's own P, which kept k-means's cut through a broad cluster.
  @Test(arguments: cases) func relabelsUnlabelledWindowsFollowTheMixture(index: Int) throws {
    let (c, points, k, q) = try atKMeansCentroids(index)
    // Every tenth window labelled with its true class.
    let fixed: [Int?] = c.truth.indices.map { $0 % 10 == 0 ? c.truth[$0] : nil }
    let target = try DeepEmbeddedClustering.jointTarget(
      embeddings: points, softAssignment: q, dimension: c.dimension, clusterCount: k,
      fixedClasses: fixed)
    let mixture = try SphericalMixture.targetDistribution(
      embeddings: points, softAssignment: q, dimension: c.dimension, clusterCount: k)
    let own = try DEC.constrainedTargetDistribution(
      softAssignment: q, clusterCount: k, fixedClasses: fixed)
    let unlabelled = fixed.indices.filter { fixed[$0] == nil }
    for i in fixed.indices {
      let row = Array(target[(i * k)..<((i + 1) * k)])
      if let cls = fixed[i] {
        #expect(row == (0..<k).map { $0 == cls ? 1 : 0 })
      } else {
        #expect(row == Array(mixture[(i * k)..<((i + 1) * k)]))
      }
    }
    func accuracy(_ p: [Float]) throws -> Double {
      let labels = try DEC.assignments(softAssignment: p, clusterCount: k)
      return try ClusteringMetrics.accuracy(
        truth: unlabelled.map { c.truth[$0] }, predicted: unlabelled.map { labels[$0] })
    }
    #expect(try accuracy(target) == 1)
    #expect(try accuracy(own) < 1, "\(c.name): DEC's own target must miss some windows")
    // Relabel steering a stable run asks for DEC's own target (decision 0022).
    let steered = try DeepEmbeddedClustering.jointTarget(
      embeddings: points, softAssignment: q, dimension: c.dimension, clusterCount: k,
      fixedClasses: fixed, mixture: false)
    #expect(steered == own)
    #expect(
      DeepEmbeddedClustering.Supervision(classes: fixed, weight: 1, perBatch: 16).mixtureTarget)
  }

  @Test func aJointTargetWithEveryWindowLabelledIsTheLabels() throws {
    let points: [Float] = [0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5]
    let q: [Float] = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.2, 0.8, 0.4, 0.6]
    let fixed: [Int?] = [1, 0, 0, 1, 1]
    let target = try DeepEmbeddedClustering.jointTarget(
      embeddings: points, softAssignment: q, dimension: 2, clusterCount: 2, fixedClasses: fixed)
    #expect(target == [0, 1, 1, 0, 1, 0, 0, 1, 0, 1])
    // Without labels it is the mixture's target.
    #expect(
      try DeepEmbeddedClustering.jointTarget(
        embeddings: points, softAssignment: q, dimension: 2, clusterCount: 2, fixedClasses: nil)
        == SphericalMixture.targetDistribution(
          embeddings: points, softAssignment: q, dimension: 2, clusterCount: 2))
    #expect(throws: ClusteringError.self) {
      try DeepEmbeddedClustering.jointTarget(
        embeddings: points, softAssignment: q, dimension: 2, clusterCount: 2,
        fixedClasses: [0, nil])
    }
    #expect(throws: ClusteringError.self) {
      try DeepEmbeddedClustering.jointTarget(
        embeddings: points, softAssignment: q, dimension: 2, clusterCount: 2,
        fixedClasses: [0, nil, 2, nil, nil])
    }
  }

  @Test func targetFallsBackToDECsOwnWhereTheMixtureCannotStand() throws {
    // q gives cluster 1 a single row: no spread to fit, so P is DEC's sharpened q.
    let points: [Float] = [0, 0, 0.1, 0, 0, 0.1, 5, 5]
    let q: [Float] = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.2, 0.8]
    let target = try SphericalMixture.targetDistribution(
      embeddings: points, softAssignment: q, dimension: 2, clusterCount: 2)
    #expect(target == (try DEC.targetDistribution(softAssignment: q, clusterCount: 2)))
    #expect(throws: ClusteringError.self) {
      try SphericalMixture.targetDistribution(
        embeddings: [0, 0, 1, 1], softAssignment: q, dimension: 2, clusterCount: 2)
    }
  }

  @Test func equalSpreadsKeepKMeansPartition() throws {
    // Two equal, well-separated blobs: the mixture's means are the k-means means.
    var points: [Float] = []
    var generator = SeededGenerator(seed: 3)
    for i in 0..<400 {
      let centre: Float = i < 200 ? 0 : 3
      for _ in 0..<2 { points.append(centre + Float.random(in: -0.5...0.5, using: &generator)) }
    }
    let kmeans = try KMeans(clusterCount: 2, seed: 1).fit(points, dimension: 2)
    let refined = try SphericalMixture.refinedCentroids(
      points: points, dimension: 2, centroids: kmeans.centroids, clusterCount: 2)
    for (a, b) in zip(refined, kmeans.centroids) { #expect(abs(a - b) < 1e-4) }
  }

  @Test func aClusterThatCannotHoldAVarianceKeepsTheKMeansCentroids() throws {
    // One point far away: k-means gives it its own centroid; a one-point component has no
    // spread to fit, so the centroids come back unchanged.
    var points: [Float] = []
    for i in 0..<50 { points += [Float(i % 7) * 0.01, Float(i % 5) * 0.01] }
    points += [10, 10]
    let centroids: [Float] = [0.03, 0.02, 10, 10]
    let refined = try SphericalMixture.refinedCentroids(
      points: points, dimension: 2, centroids: centroids, clusterCount: 2)
    #expect(refined == centroids)
    // Identical points: every variance is the regularisation, and nothing is NaN.
    let same = [Float](repeating: 1, count: 20)
    let fit = try SphericalMixture.fit(
      points: same, dimension: 2, start: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], clusterCount: 2)
    #expect(fit.means.allSatisfy { $0 == 1 })
    #expect(fit.variances.allSatisfy { abs($0 - 1e-6) < 1e-18 })
  }

  @Test func badArgumentsAreRefused() throws {
    let points: [Float] = [0, 0, 1, 1, 2, 2]
    #expect(throws: ClusteringError.self) {
      try SphericalMixture.fit(points: points, dimension: 2, start: [0, 1], clusterCount: 2)
    }
    #expect(throws: ClusteringError.self) {
      try SphericalMixture.fit(points: points, dimension: 2, start: [0, 0, 2], clusterCount: 2)
    }
    #expect(throws: ClusteringError.self) {
      try SphericalMixture.fit(points: points, dimension: 2, start: [0, 0, 0], clusterCount: 2)
    }
    #expect(throws: ClusteringError.self) {
      try SphericalMixture.fit(points: [0, .nan], dimension: 2, start: [0], clusterCount: 1)
    }
    #expect(throws: ClusteringError.self) {
      try SphericalMixture.refinedCentroids(
        points: points, dimension: 2, centroids: [0, 0, 1], clusterCount: 2)
    }
  }
}
