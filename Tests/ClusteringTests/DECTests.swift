import TestSupport
import Testing

@testable import Clustering

@Suite struct DECTests {
  static let cases = ClusteringFixtures.indices { try ClusteringFixtures.dec().cases.count }

  @Test(arguments: cases) func softAssignmentMatchesNumPy(index: Int) throws {
    let c = try ClusteringFixtures.dec().cases[index]
    let q = try DEC.softAssignment(
      embeddings: c.embeddings.floats, centroids: c.centroids.floats, dimension: c.dimension,
      alpha: c.alpha)
    #expect(maxAbsoluteDifference(q.doubles, c.q) < 1e-6)
    for i in 0..<c.count {
      let row = q[(i * c.clusters)..<((i + 1) * c.clusters)].reduce(0, +)
      #expect(abs(row - 1) < 1e-5)
    }
  }

  @Test(arguments: cases) func targetDistributionMatchesNumPy(index: Int) throws {
    let c = try ClusteringFixtures.dec().cases[index]
    let p = try DEC.targetDistribution(softAssignment: c.q.floats, clusterCount: c.clusters)
    #expect(maxAbsoluteDifference(p.doubles, c.targetFromQ) < 1e-6)
  }

  @Test(arguments: cases) func klDivergenceIsTheMeanOverRows(index: Int) throws {
    let c = try ClusteringFixtures.dec().cases[index]
    let kl = try DEC.klDivergence(
      target: c.p.floats, softAssignment: c.q.floats, clusterCount: c.clusters)
    #expect(abs(kl - c.kl) < 1e-6 * max(1, c.kl) + 1e-7)
  }

  @Test(arguments: cases) func lossAndGradientsMatchTorchAutograd(index: Int) throws {
    let c = try ClusteringFixtures.dec().cases[index]
    let result = try DEC.loss(
      embeddings: c.embeddings.floats, centroids: c.centroids.floats, target: c.p.floats,
      dimension: c.dimension, alpha: c.alpha)
    #expect(abs(result.value - c.kl) < 1e-6)
    #expect(maxAbsoluteDifference(result.softAssignment.doubles, c.q) < 1e-6)
    #expect(normalizedRMS(result.embeddingGradient.doubles, c.gradEmbeddings) < 1e-5)
    #expect(normalizedRMS(result.centroidGradient.doubles, c.gradCentroids) < 1e-5)
    // The gradient is not trivially small: the comparison has something to compare.
    #expect(c.gradEmbeddings.map(abs).max() ?? 0 > 1e-3)
  }

  @Test(arguments: cases) func gradientsMatchCentralDifferencesInDouble(index: Int) throws {
    let c = try ClusteringFixtures.dec().cases[index]
    let analytic = DEC.lossAndGradients(
      z: c.embeddings, mu: c.centroids, p: c.p, dimension: c.dimension, alpha: c.alpha)
    let h = 1e-6
    func loss(_ z: [Double], _ mu: [Double]) -> Double {
      DEC.lossAndGradients(z: z, mu: mu, p: c.p, dimension: c.dimension, alpha: c.alpha).loss
    }
    var numericZ = [Double](repeating: 0, count: c.embeddings.count)
    for k in c.embeddings.indices {
      var plus = c.embeddings
      var minus = c.embeddings
      plus[k] += h
      minus[k] -= h
      numericZ[k] = (loss(plus, c.centroids) - loss(minus, c.centroids)) / (2 * h)
    }
    var numericMu = [Double](repeating: 0, count: c.centroids.count)
    for k in c.centroids.indices {
      var plus = c.centroids
      var minus = c.centroids
      plus[k] += h
      minus[k] -= h
      numericMu[k] = (loss(c.embeddings, plus) - loss(c.embeddings, minus)) / (2 * h)
    }
    #expect(maxAbsoluteDifference(analytic.gradZ, numericZ) < 1e-8)
    #expect(maxAbsoluteDifference(analytic.gradMu, numericMu) < 1e-8)
  }

  @Test func gradientsStayExactForTargetsWhoseRowsDoNotSumToOne() {
    // A deliberately unnormalised P exercises the s_i = sum_j p_ij term of the gradient.
    let z = [0.3, -1.2, 0.8, 0.1, -0.5, 0.9]
    let mu = [1.0, 0.0, -1.0, 0.5]
    let p = [0.9, 0.4, 0.1, 0.2, 0.7, 0.7]
    let analytic = DEC.lossAndGradients(z: z, mu: mu, p: p, dimension: 2, alpha: 1)
    let h = 1e-6
    for k in z.indices {
      var plus = z
      var minus = z
      plus[k] += h
      minus[k] -= h
      let numeric =
        (DEC.lossAndGradients(z: plus, mu: mu, p: p, dimension: 2, alpha: 1).loss
          - DEC.lossAndGradients(z: minus, mu: mu, p: p, dimension: 2, alpha: 1).loss) / (2 * h)
      #expect(abs(analytic.gradZ[k] - numeric) < 1e-8)
    }
  }

  @Test func constrainedTargetMatchesNumPyWithLabelledRowsOneHot() throws {
    let c = try ClusteringFixtures.dec().constrained
    let fixed = c.fixed.map { $0 < 0 ? nil : $0 }
    let p = try DEC.constrainedTargetDistribution(
      softAssignment: c.q.floats, clusterCount: c.clusters, fixedClasses: fixed)
    #expect(maxAbsoluteDifference(p.doubles, c.p) < 1e-6)
    for (i, label) in fixed.enumerated() {
      guard let label else { continue }
      for j in 0..<c.clusters { #expect(p[i * c.clusters + j] == (j == label ? 1 : 0)) }
    }
  }

  @Test func constrainedTargetMatchesAHandWorkedCase() throws {
    // q = [[0.8, 0.2], [0.4, 0.6], [0.5, 0.5]], row 2 labelled class 0.
    // f = (1.7, 1.3) over all rows. Row 0: 0.64/1.7 = 0.376471, 0.04/1.3 = 0.030769,
    // sum 0.407240, p = (0.924444, 0.075556). Row 1: 0.16/1.7 = 0.094118, 0.36/1.3 = 0.276923,
    // sum 0.371041, p = (0.253659, 0.746341). Row 2 is (1, 0) by its label (its own q is
    // uninformative and its f share favours class 1, so this is the label speaking).
    let q: [Float] = [0.8, 0.2, 0.4, 0.6, 0.5, 0.5]
    let p = try DEC.constrainedTargetDistribution(
      softAssignment: q, clusterCount: 2, fixedClasses: [nil, nil, 0])
    let expected = [0.924444, 0.075556, 0.253659, 0.746341, 1, 0]
    #expect(maxAbsoluteDifference(p.doubles, expected) < 1e-5)
    // Unlabelled rows are the same as without any label.
    let free = try DEC.targetDistribution(softAssignment: q, clusterCount: 2)
    #expect(Array(free[0..<4]) == Array(p[0..<4]))
    // Without its label, row 2 would lean to the smaller cluster: 0.25/1.7 against 0.25/1.3
    // gives (0.433333, 0.566667).
    #expect(abs(Double(free[4]) - 0.433333) < 1e-5 && abs(Double(free[5]) - 0.566667) < 1e-5)
  }

  @Test func constrainedTargetRejectsClassesOutOfRangeAndWrongCounts() {
    let q: [Float] = [0.8, 0.2, 0.4, 0.6]
    #expect(throws: ClusteringError.self) {
      try DEC.constrainedTargetDistribution(
        softAssignment: q, clusterCount: 2, fixedClasses: [2, nil])
    }
    #expect(throws: ClusteringError.self) {
      try DEC.constrainedTargetDistribution(softAssignment: q, clusterCount: 2, fixedClasses: [nil])
    }
  }

  @Test func assignmentsTakeTheLargestProbabilityAndTiesTheLowestIndex() throws {
    let q: [Float] = [0.1, 0.7, 0.2, 0.4, 0.4, 0.2, 0.2, 0.3, 0.5]
    #expect(try DEC.assignments(softAssignment: q, clusterCount: 3) == [1, 0, 2])
  }

  @Test func labelChangeFractionCountsDifferingRows() throws {
    #expect(try DEC.labelChangeFraction(previous: [0, 1, 1, 2], current: [0, 2, 1, 0]) == 0.5)
    #expect(try DEC.labelChangeFraction(previous: [], current: []) == 0)
    #expect(throws: ClusteringError.self) {
      try DEC.labelChangeFraction(previous: [0], current: [0, 1])
    }
  }

  @Test func distancesAreEuclidean() throws {
    let d = try DEC.distances(embeddings: [0, 0, 3, 4], centroids: [0, 0, 3, 0], dimension: 2)
    #expect(d == [0, 3, 5, 4])
  }

  @Test func softAssignmentRejectsRaggedAndNonFiniteInput() {
    #expect(throws: ClusteringError.self) {
      try DEC.softAssignment(embeddings: [1, 2, 3], centroids: [0, 0], dimension: 2)
    }
    #expect(throws: ClusteringError.self) {
      try DEC.softAssignment(embeddings: [1, .nan], centroids: [0, 0], dimension: 2)
    }
  }
}
