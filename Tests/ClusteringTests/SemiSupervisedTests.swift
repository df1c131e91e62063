import Numerics
import TestSupport
import Testing

@testable import Clustering

@Suite struct SemiSupervisedTests {
  @Test func classMeansAverageTheLabelledRowsOnly() throws {
    let points: [Float] = [0, 0, 2, 2, 10, 10, 4, 0, 100, 100]
    let means = try KMeans.classMeans(
      of: points, dimension: 2, classes: [0, 0, 1, 0, nil], classCount: 2)
    // Class 0: (0,0), (2,2), (4,0) -> (2, 2/3); class 1: (10,10); the unlabelled row is ignored.
    #expect(maxAbsoluteDifference(means.map { Double($0) }, [2, 2.0 / 3, 10, 10]) < 1e-6)
    #expect(throws: ClusteringError.invalidArgument("class 1 has no labelled point")) {
      try KMeans.classMeans(of: points, dimension: 2, classes: [0, 0, nil, 0, nil], classCount: 2)
    }
    #expect(throws: ClusteringError.self) {
      try KMeans.classMeans(of: points, dimension: 2, classes: [0, 0, 2, 0, nil], classCount: 2)
    }
  }

  @Test func extraCentroidsGoToTheGroupTheLabelsMissed() throws {
    // Three tight groups; labels cover two of them; the third centroid must land in the third.
    var points: [Float] = []
    var generator = SeededGenerator(seed: 4)
    for centre in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
      for _ in 0..<30 {
        points += [
          Float(centre.0 + 0.1 * generator.nextGaussian()),
          Float(centre.1 + 0.1 * generator.nextGaussian()),
        ]
      }
    }
    let initial: [Float] = [0, 0, 10, 0]
    let centroids = try KMeans(clusterCount: 3, seed: 8).seedCentroids(
      extending: initial, points: points, dimension: 2)
    #expect(Array(centroids[0..<4]) == initial)
    #expect(abs(centroids[4]) < 1 && abs(centroids[5] - 10) < 1)
    let again = try KMeans(clusterCount: 3, seed: 8).seedCentroids(
      extending: initial, points: points, dimension: 2)
    #expect(again == centroids)
  }

  @Test func trueLabelsAgreeAndShuffledLabelsDoNot() throws {
    var generator = SeededGenerator(seed: 12)
    let truth = (0..<40).map { $0 % 2 }
    // Clusters 95 % right.
    let clusters = truth.map { generator.nextUniform() < 0.95 ? $0 : 1 - $0 }
    let good = try LabelAgreement.test(labels: truth, clusters: clusters, seed: 1)
    #expect(good.pValue < 0.01)
    #expect(!good.disagrees())
    #expect(good.chanceAccuracy > 0.5 && good.chanceAccuracy < 0.7)
    // Labels carrying no information: a fixed pseudo-random relabelling.
    var shuffledLabels = truth
    for i in stride(from: shuffledLabels.count - 1, to: 0, by: -1) {
      shuffledLabels.swapAt(i, Int(generator.nextUniform() * Double(i + 1)))
    }
    let bad = try LabelAgreement.test(labels: shuffledLabels, clusters: clusters, seed: 1)
    #expect(bad.disagrees())
    #expect(bad.accuracy < 0.75)
    #expect(try LabelAgreement.test(labels: truth, clusters: clusters, seed: 1) == good)
  }

  @Test func aFewStepsOfGradientDescentOnTheCentroidsLowerTheKL() throws {
    // Fixed embeddings in two groups, centroids started off-centre; P held fixed as in DEC.
    let z: [Float] = [-2, 0.1, -2.2, -0.1, -1.8, 0, 2, 0.1, 2.1, -0.2, 1.9, 0]
    var mu: [Float] = [-0.5, 1, 0.5, -1]
    let q = try DEC.softAssignment(embeddings: z, centroids: mu, dimension: 2)
    let p = try DEC.targetDistribution(softAssignment: q, clusterCount: 2)
    var previous = try DEC.loss(embeddings: z, centroids: mu, target: p, dimension: 2).value
    for _ in 0..<20 {
      let step = try DEC.loss(embeddings: z, centroids: mu, target: p, dimension: 2)
      for k in mu.indices { mu[k] -= 0.5 * step.centroidGradient[k] }
      let now = try DEC.loss(embeddings: z, centroids: mu, target: p, dimension: 2).value
      #expect(now < previous)
      previous = now
    }
    // The centroids moved apart along the groups' axis.
    #expect(mu[0] < -0.5 && mu[2] > 0.5)
  }
}
