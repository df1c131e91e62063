import Foundation
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
      choice.lines.last?.hasPrefix(
        "clusters auto: chose K=4, the highest stability + silhouette over 3") == true)
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

  /// Scans printed by release builds (K = 2, 3, ...: stability, silhouette); decision 0015,
  /// "Both criteria at once (stop 33)".
  typealias C = ClusterCountChoice.Candidate
  func scan(_ values: [(Double, Double)]) -> [C] {
    values.enumerated().map {
      C(clusters: $0.offset + 2, stability: $0.element.0, silhouette: $0.element.1)
    }
  }

  @Test func theSumOfStabilityAndSilhouetteDecides() {
    // Generator B 2,000, seed 0 (stop 32): K = 3-5 are more stable (station groups inside an
    // event type come out of every network), K = 2 far more compact. The rule before stop 33
    // (the most stable within 0.04, then the silhouette) chose 4, ACC 0.8523.
    let generatorB = scan([
      (0.917, 0.581), (0.952, 0.498), (0.946, 0.500), (0.970, 0.483), (0.792, 0.297),
      (0.778, 0.288), (0.519, 0.285), (0.510, 0.178), (0.512, 0.181),
    ])
    #expect(ClusterCountChoice.choose(generatorB) == 2)
    // The demo with kernels 5 (stop 29), seed 5: K = 2 is the most stable and a little less
    // compact than 3 and 4; a band of 0.06 would have chosen 3, of 0.08 and more 4.
    let demo = scan([
      (0.962, 0.374), (0.904, 0.390), (0.888, 0.390), (0.770, 0.338), (0.681, 0.322),
      (0.714, 0.249), (0.691, 0.249), (0.636, 0.237), (0.701, 0.231),
    ])
    #expect(ClusterCountChoice.choose(demo) == 2)
    // Generator B's families at 9K.VLN (SAC), seed 0: six families, stable from K = 4 on.
    let families = scan([
      (0.308, 0.449), (0.601, 0.587), (1.000, 0.725), (1.000, 0.856), (1.000, 0.901),
      (0.970, 0.837), (0.925, 0.745), (0.952, 0.645), (0.867, 0.613),
    ])
    #expect(ClusterCountChoice.choose(families) == 6)
    // A K far less stable does not win on compactness alone.
    #expect(ClusterCountChoice.choose(scan([(0.40, 0.70), (0.99, 0.50)])) == 3)
    // An exact tie goes to the smaller K (the 0.04 band took the more stable 3).
    #expect(ClusterCountChoice.choose(scan([(0.9, 0.6), (1, 0.5)])) == 2)
    #expect(ClusterCountChoice.choose([]) == 0)
    // With one network (no stability) the silhouette alone.
    #expect(
      ClusterCountChoice.choose([
        C(clusters: 2, stability: nil, silhouette: 0.4),
        C(clusters: 3, stability: nil, silhouette: 0.5),
      ]) == 3)
  }

  /// Decision 0015, "K whose restarts agree (stop 38)": the demo's seed 1 scans best at K = 5,
  /// then 4, 3 and 2; its first restarts agree only at K = 2, which the run then takes.
  @Test func theKWhoseRestartsAgreeFollowsTheRankingPastUnsettledOnes() {
    let demo = scan([
      (0.837, 0.331), (0.835, 0.363), (0.890, 0.369), (0.911, 0.367), (0.590, 0.280),
      (0.598, 0.262), (0.665, 0.258), (0.599, 0.260), (0.635, 0.214),
    ])
    var choice = ClusterCountChoice(candidates: demo, chosen: 5, networks: 3)
    #expect(choice.ranked == [5, 4, 3, 2, 8, 6, 7, 9, 10])
    #expect(choice.settlingOrder == [5, 4, 3, 2])
    #expect(choice.followsTheRule)
    // Settled at 2 after 5, 4 and 3 did not: the rule's choice, said on the choice line.
    choice.chosen = 2
    #expect(!choice.followsTheRule)
    choice.unsettled = [5, 4, 3]
    #expect(choice.followsTheRule)
    #expect(choice.lines[0].hasSuffix("<- chosen"))
    #expect(choice.lines[3].hasSuffix("(restarts disagree)"))
    #expect(choice.lines[4].hasSuffix("silhouette 0.280"))
    #expect(
      choice.lines.last?.contains(
        "among the K whose restarts agree once clustered (K=5, 4, 3: no two of the first 3 did)")
        == true)
    // Skipping a K the ranking puts below is not the rule.
    choice.unsettled = [5, 3]
    #expect(!choice.followsTheRule)
    // No K settled: the best one, which trains more restarts.
    choice.unsettled = [5, 4, 3, 2]
    choice.chosen = 5
    #expect(choice.followsTheRule)
    #expect(
      choice.lines.last?.hasSuffix(
        "no two of the first 3 restarts agreed once clustered at K=5, 4, 3, 2, so K=5 trained more restarts"
      ) == true)
    // Ties rank the smaller K first, as `choose` takes it.
    #expect(
      ClusterCountChoice(candidates: scan([(0.9, 0.6), (1, 0.5)]), chosen: 2, networks: 3).ranked
        == [2, 3])
    // Stored before the field existed: nil, and decoded as such.
    let old = #"{"candidates":[],"chosen":2,"networks":3}"#
    let decoded = try? JSONDecoder().decode(ClusterCountChoice.self, from: Data(old.utf8))
    #expect(decoded?.unsettled == nil && decoded?.chosen == 2)
  }

  @Test func aRunChosenByTheEarlierRuleIsRecognised() {
    let candidates = scan([(0.917, 0.581), (0.952, 0.498), (0.946, 0.500), (0.970, 0.483)])
    #expect(!ClusterCountChoice(candidates: candidates, chosen: 4, networks: 3).followsTheRule)
    #expect(ClusterCountChoice(candidates: candidates, chosen: 2, networks: 3).followsTheRule)
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

  /// Codes of a network that blew up (finite, but their distances overflow Float): the
  /// silhouette stays finite. It was NaN (inf - inf), and the run could not store its choice.
  @Test func distancesBeyondFloatKeepTheSilhouetteFinite() {
    let points: [Float] = [0, 1, 3e38, -3e38]
    let s = ClusterCountChoice.silhouette(
      points, dimension: 1, labels: [0, 0, 1, 1], sample: [0, 1, 2, 3])
    #expect(s.isFinite)
    // Points 0 and 1: a = 1, b infinite (+1 each); points 2 and 3: a infinite, b infinite (0).
    #expect(s == 0.5)
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
