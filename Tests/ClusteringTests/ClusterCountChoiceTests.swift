import Numerics
import Testing

@testable import Clustering

/// `--clusters auto`'s rule (decision 0015) on embeddings whose clusters are known.
@Suite struct ClusterCountChoiceTests {
  /// `perBlob` points around each of `centres` (3-D), with noise `spread`, in a fixed order.
  func blobs(_ centres: [[Float]], perBlob: Int, spread: Double, seed: UInt64) -> [Float] {
    var g = SeededGenerator(seed: seed)
    var points: [Float] = []
    for i in 0..<(perBlob * centres.count) {
      let centre = centres[i % centres.count]
      for c in centre { points.append(c + Float(spread * g.nextGaussian())) }
    }
    return points
  }

  let four: [[Float]] = [[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6]]

  @Test func threeNetworksWithFourSharedClustersGiveFour() throws {
    // Each "network" embeds the same windows differently (scaled, shifted, its own noise).
    var embeddings: [[Float]] = []
    for n in 0..<3 {
      let scale = Float(1 + n)
      let shift = Float(n)
      let points = blobs(four, perBlob: 30, spread: 0.6, seed: UInt64(n))
      embeddings.append(points.map { $0 * scale - shift })
    }
    let choice = try ClusterCountChoice(
      embeddings: embeddings, dimension: 3, range: 2...7, seed: 0)
    #expect(choice.chosen == 4)
    #expect(choice.candidates.map(\.clusters) == Array(2...7))
    let atFour = try #require(choice.candidates.first { $0.clusters == 4 })
    #expect((atFour.stability ?? 0) > 0.99)
    #expect(choice.lines.count == 7)
    #expect(choice.lines[2].hasSuffix("<- chosen"))
    #expect(
      choice.lines.last?.hasPrefix("clusters auto: chose K=4, the most stable over 3") == true)
  }

  /// One network in a wrong optimum (its embedding groups the windows another way) does not
  /// move the choice: the two that agree decide, where the mean ARI over pairs was dragged
  /// down at the true K by the odd one out (make_events.py 2,000, seed 2: K = 3 chosen).
  @Test func aNetworkInAWrongOptimumDoesNotMoveTheChoice() throws {
    let two: [[Float]] = [[0, 0, 0], [8, 0, 0]]
    var embeddings = [
      blobs(two, perBlob: 60, spread: 0.7, seed: 1), blobs(two, perBlob: 60, spread: 0.7, seed: 2),
    ]
    // The odd network: three groups that cut across the two clusters.
    let three: [[Float]] = [[0, 0, 0], [0, 8, 0], [0, 0, 8]]
    embeddings.append(blobs(three, perBlob: 40, spread: 0.7, seed: 3))
    let choice = try ClusterCountChoice(
      embeddings: embeddings, dimension: 3, range: 2...6, seed: 0)
    #expect(choice.chosen == 2, "\(choice.lines)")
    let atTwo = try #require(choice.candidates.first { $0.clusters == 2 })
    #expect((atTwo.stability ?? 0) > 0.99)
    // The same partitions' mean ARI over pairs is about a third.
    let labels = [
      (0..<120).map { $0 % 2 }, (0..<120).map { $0 % 2 }, (0..<120).map { $0 % 3 },
    ]
    let comparison = try RestartComparison(labels: labels)
    #expect(comparison.partnerAgreement == 1)
    #expect((comparison.stability ?? 1) < 0.4)
    // Two restarts: their one ARI; one restart: none.
    #expect(try RestartComparison(labels: Array(labels.prefix(2))).partnerAgreement == 1)
    #expect(try RestartComparison(labels: [labels[0]]).partnerAgreement == nil)
  }

  @Test func oneNetworkFallsBackToTheSilhouette() throws {
    let one = [blobs(four, perBlob: 30, spread: 0.6, seed: 9)]
    let choice = try ClusterCountChoice(embeddings: one, dimension: 3, range: 2...6, seed: 1)
    #expect(choice.chosen == 4)
    #expect(choice.candidates.allSatisfy { $0.stability == nil })
    #expect(choice.lines.last?.contains("silhouette alone") == true)
  }

  @Test func stabilityDecidesFirstAndTheSilhouetteOnlyBetweenNearTies() {
    typealias C = ClusterCountChoice.Candidate
    // K=2 has the best silhouette but is far less stable than 5: stability wins.
    #expect(
      ClusterCountChoice.choose([
        C(clusters: 2, stability: 0.80, silhouette: 0.9),
        C(clusters: 5, stability: 0.99, silhouette: 0.5),
      ]) == 5)
    // Within 0.04 of the most stable, the higher silhouette wins; beyond, it does not.
    #expect(
      ClusterCountChoice.choose([
        C(clusters: 2, stability: 0.955, silhouette: 0.7),
        C(clusters: 3, stability: 0.99, silhouette: 0.5),
      ]) == 2)
    #expect(
      ClusterCountChoice.choose([
        C(clusters: 2, stability: 0.945, silhouette: 0.7),
        C(clusters: 3, stability: 0.99, silhouette: 0.5),
      ]) == 3)
    // An exact tie goes to the smaller K.
    #expect(
      ClusterCountChoice.choose([
        C(clusters: 3, stability: 1, silhouette: 0.5),
        C(clusters: 4, stability: 1, silhouette: 0.5),
      ]) == 3)
  }

  @Test func theSilhouetteMatchesItsDefinition() {
    // Two pairs on a line: a = 1 inside, b = mean distance to the other pair.
    let points: [Float] = [0, 1, 10, 11]
    let s = ClusterCountChoice.silhouette(
      points, dimension: 1, labels: [0, 0, 1, 1], sample: [0, 1, 2, 3])
    // Point 0: a = 1, b = (10 + 11) / 2 = 10.5; point 1: a = 1, b = 9.5; symmetric for 2, 3.
    let expected = ((10.5 - 1) / 10.5 + (9.5 - 1) / 9.5) / 2
    #expect(abs(s - expected) < 1e-9)
  }

  @Test func aSetAboveTheKMeansSampleIsScannedOnTheSampleAndStillFindsItsClusters() throws {
    let three: [[Float]] = [[0, 0, 0], [6, 0, 0], [0, 6, 0]]
    let count = ClusterCountChoice.kmeansSample + 4_000
    let embeddings = (0..<2).map { n in
      blobs(three, perBlob: count / 3, spread: 0.6, seed: UInt64(40 + n))
    }
    let choice = try ClusterCountChoice(
      embeddings: embeddings, dimension: 3, range: 2...4, seed: 2)
    #expect(choice.chosen == 3)
    #expect((choice.candidates[1].stability ?? 0) > 0.99)
  }

  @Test func tooFewWindowsForTheRangeIsRefused() {
    #expect(throws: ClusteringError.self) {
      try ClusterCountChoice(
        embeddings: [[0, 1, 2, 3]], dimension: 1, range: 2...10, seed: 0)
    }
  }
}
