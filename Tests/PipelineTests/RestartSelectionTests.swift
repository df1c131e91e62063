import Foundation
import Store
import Testing

@testable import Pipeline

/// Which restart a run keeps and when it is called unstable (decision 0014), on hand-made label
/// vectors whose pairwise ARIs are known.
@Suite struct RestartSelectionTests {
  /// A restart with the given labels and pretraining loss; nothing else is read by the selection.
  func restart(_ labels: [Int], seed: UInt64, loss: Double) -> FinishedRestart {
    FinishedRestart(
      seed: seed, labels: labels, parameters: Data(), optimizer: Data(), centroids: [],
      pretrainingLosses: [loss], updates: [], stopReason: "", stageSeconds: [:],
      evidence: RestartEvidence(
        pretrainingLoss: loss, reconstruction: 0, kl: 0, meanProbability: 0.9))
  }

  let truth = Array(repeating: 0, count: 20) + Array(repeating: 1, count: 20)
  /// Two windows of forty moved: ARI with `truth` about 0.81.
  var nearly: [Int] {
    var labels = truth
    labels[0] = 1
    labels[39] = 0
    return labels
  }
  /// Half of each class swapped: ARI with `truth` below 0.
  var other: [Int] { (0..<40).map { $0 % 2 } }

  @Test func aLoneRestartWithTheLowestLossIsNotKeptOverTwoThatAgree() throws {
    let selection = try RestartSelection([
      restart(other, seed: 1, loss: 0.1), restart(truth, seed: 2, loss: 0.9),
      restart(truth.map { 1 - $0 }, seed: 3, loss: 0.5),
    ])
    #expect(selection.chosen == 2)  // restarts 2 and 3 tie; 3 has the lower loss
    #expect(selection.report.agreeing == 2)
    #expect(!selection.report.isUnstable)
    #expect(
      selection.report.line.hasPrefix(
        "stability: 0.3"), "\(selection.report.line)")
    #expect(
      selection.report.line.contains(
        "2 of 3 agree with the restart kept (ARI >= 0.90), restart 3 (seed 3)"))
  }

  @Test func tiesGoToTheLowestPretrainingLoss() throws {
    let selection = try RestartSelection([
      restart(truth, seed: 1, loss: 0.5), restart(truth, seed: 2, loss: 0.2),
    ])
    #expect(selection.chosen == 1)
    #expect(selection.report.agreeing == 2)
    #expect(!selection.report.isUnstable)
  }

  @Test func aPairThatAgreesWinsOverScatteredRestartsWithAHigherMeanARI() throws {
    // As in the demo's seed 4 with five restarts: 4 and 5 agree with each other only; 1, 2 and
    // 3 half-agree among themselves (ARI 0.63), which gives them the higher mean ARI (0.30
    // against 0.23).
    func flipped(_ labels: [Int], _ at: [Int]) -> [Int] {
      var out = labels
      for i in at { out[i] = 1 - out[i] }
      return out
    }
    let selection = try RestartSelection([
      restart(flipped(other, [0, 1]), seed: 1, loss: 0.1),
      restart(flipped(other, [2, 3]), seed: 2, loss: 0.2),
      restart(flipped(other, [4, 5]), seed: 3, loss: 0.3), restart(truth, seed: 4, loss: 0.5),
      restart(truth.map { 1 - $0 }, seed: 5, loss: 0.4),
    ])
    #expect(selection.report.restarts[0].consensus > selection.report.restarts[4].consensus)
    #expect(selection.chosen == 4)  // of the agreeing pair, the lower loss
    #expect(selection.report.agreeing == 2)
    #expect(!selection.report.isUnstable)
  }

  /// `--epochs 0` and `--max-iterations 0` leave losses NaN, which JSON cannot hold: the run
  /// used to fail storing itself and stay stuck as `running`.
  @Test func evidenceOfAStageThatDidNotRunIsStoredAsAbsentAndReadBackAsNaN() throws {
    let evidence = RestartEvidence(
      pretrainingLoss: .nan, reconstruction: .nan, kl: 0.25, meanProbability: 0.75)
    let json = String(decoding: try JSONEncoder().encode(evidence), as: UTF8.self)
    #expect(!json.contains("pretrainingLoss") && !json.contains("reconstruction"))
    let back = try JSONDecoder().decode(RestartEvidence.self, from: Data(json.utf8))
    #expect(back.pretrainingLoss.isNaN && back.reconstruction.isNaN)
    #expect(back.kl == 0.25 && back.meanProbability == 0.75)
    #expect(back == evidence)
  }

  /// Two restarts that both collapse into one cluster agree perfectly: the stability line
  /// cannot flag it, the empty-cluster warning does.
  @Test func emptyClustersAreNamedInAWarning() throws {
    let report = try RestartSelection([
      restart(Array(repeating: 0, count: 40), seed: 1, loss: 0.5),
      restart(Array(repeating: 0, count: 40), seed: 2, loss: 0.4),
    ]).report
    #expect(!report.isUnstable)
    func outcome(_ labels: [Int], clusters: Int, orphaned: Set<Int> = []) -> ClusterOutcome {
      var o = ClusterOutcome(
        run: RunRecord(
          kind: .cluster, windowSetId: 1, version: "", seed: 0, clusterCount: clusters,
          optionsJson: "{}"),
        assignments: labels, probabilities: labels.map { _ in 0.5 }, summary: [], confound: nil,
        restarts: report)
      o.emptiedByOrphans = orphaned
      return o
    }
    #expect(outcome(Array(repeating: 0, count: 40), clusters: 2).emptyClusters == [1])
    let warning = try #require(outcome([0, 0, 2, 4], clusters: 5).emptyClustersWarning)
    #expect(
      warning
        == "warning: 2 of 5 clusters hold no window, so the run has 3: the windows did not split into 5 groups (clusters 1, 3); try fewer --clusters or other window options"
    )
    #expect(outcome([1, 0, -1], clusters: 2).emptyClustersWarning == nil)
    // Only the clusters the orphan pass emptied are blamed on it.
    let mixed = try #require(
      outcome([0, 0, 2, -1, 4], clusters: 5, orphaned: [3]).emptyClustersWarning)
    #expect(mixed.contains("did not split into 5 groups (cluster 1)"))
    #expect(mixed.contains("every member of cluster 3 correlated too weakly"))
  }

  @Test func theDefaultRestartsStopOnceTwoAgree() throws {
    #expect(try !ClusterJob.twoAgree([restart(truth, seed: 1, loss: 0.5)]))
    #expect(
      try !ClusterJob.twoAgree([
        restart(truth, seed: 1, loss: 0.5), restart(nearly, seed: 2, loss: 0.4),
      ]))
    #expect(
      try ClusterJob.twoAgree([
        restart(truth, seed: 1, loss: 0.5), restart(truth.map { 1 - $0 }, seed: 2, loss: 0.4),
      ]))
    #expect(
      try ClusterJob.twoAgree([
        restart(other, seed: 1, loss: 0.5), restart(nearly, seed: 2, loss: 0.4),
        restart(nearly, seed: 3, loss: 0.3),
      ]))
  }

  @Test func aRunIsUnstableWhenNoOtherRestartFoundTheClustersKept() throws {
    // Pairwise ARIs all below 0.9: the kept restart has no partner.
    let selection = try RestartSelection([
      restart(truth, seed: 1, loss: 0.5), restart(nearly, seed: 2, loss: 0.4),
      restart(other, seed: 3, loss: 0.3),
    ])
    #expect(selection.report.agreeing == 1)
    #expect(selection.report.isUnstable)
    #expect(
      selection.report.warning.hasPrefix(
        "warning: unstable: no other restart found the clusters kept"))
    // One restart cannot be called unstable: there is nothing to compare.
    let single = try RestartSelection([restart(truth, seed: 1, loss: 0.5)])
    #expect(!single.report.isUnstable)
    #expect(single.report.line == "stability: n/a (1 restart)")
  }
}
