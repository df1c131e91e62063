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

  /// Two restarts that agree tie on partners and consensus. The lower pretraining loss keeps
  /// one, unless the other separates the input better by `tieShareGap` (0.08) or more: the
  /// demo's second optimum (share 0.87, ACC 0.966) had the lower loss against a good partner
  /// (0.97, about 0.99) it agreed with to ARI 0.90 (decision 0014, "Stop 39").
  @Test func aTiedPairGoesToTheRestartThatSeparatesTheInputClearlyBetter() throws {
    let pair = [restart(truth, seed: 1, loss: 0.1), restart(nearly, seed: 2, loss: 0.9)]
    #expect(try RestartSelection(pair).chosen == 0, "no shares: the lower loss")
    #expect(try RestartSelection(pair, shares: [0.87, 0.97]).chosen == 1)
    #expect(try RestartSelection(pair, shares: [0.90, 0.97]).chosen == 0, "0.07 apart: the loss")
    // 0.58 - 0.50 is 0.0799... in Double: exactly 0.08 apart counts as 0.08.
    #expect(try RestartSelection(pair, shares: [0.50, 0.58]).chosen == 1)
    #expect(try RestartSelection(pair, shares: [0.97, 0.87]).chosen == 0)
    #expect(try RestartSelection(pair, shares: [0.87, .nan]).chosen == 0)
    // Partners come first: restart 2 agrees with neither other (ARI 0.81), so however well
    // it separates the input, the agreeing pair keeps its lower loss.
    let three = [
      restart(truth, seed: 1, loss: 0.1), restart(nearly, seed: 2, loss: 0.5),
      restart(truth, seed: 3, loss: 0.9),
    ]
    let selection = try RestartSelection(three, shares: [0.80, 0.99, 0.80])
    #expect(selection.chosen == 0)
  }

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
        "1 of the 2 others agrees with the restart kept (ARI >= 0.875), restart 3 (seed 3)"))
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

  /// Decision 0014, "Stop 36": two restarts one window of forty apart (ARI 0.8999) found the
  /// same clusters; two apart (0.81) did not.
  @Test func restartsAgreeFromARI0875() throws {
    var one = truth
    one[0] = 1
    #expect(RestartReport.agreeingARI == 0.875)
    let pair = [restart(truth, seed: 1, loss: 0.5), restart(one, seed: 2, loss: 0.4)]
    #expect(try ClusterJob.twoAgree(pair))
    #expect(try RestartSelection(pair).report.agreeing == 2)
    #expect(
      try !ClusterJob.twoAgree([
        restart(truth, seed: 1, loss: 0.5), restart(nearly, seed: 2, loss: 0.4),
      ]))
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
    // Pairwise ARIs all below 0.875: the kept restart has no partner.
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

  /// With one cluster every restart has the same labels: an ARI of 1 between them says nothing,
  /// so no stability is given (the line said "stability: 1.000").
  @Test func oneClusterHasNoStability() throws {
    let one = [Int](repeating: 0, count: truth.count)
    let selection = try RestartSelection([
      restart(one, seed: 1, loss: 0.5), restart(one, seed: 2, loss: 0.4),
    ])
    #expect(selection.report.clusters == 1)
    #expect(selection.report.line == "stability: n/a (1 cluster: restarts cannot disagree)")
    #expect(!selection.report.isUnstable)
    let two = try RestartSelection([
      restart(truth, seed: 1, loss: 0.5), restart(truth, seed: 2, loss: 0.4),
    ])
    #expect(
      two.report.line.hasPrefix(
        "stability: 1.000 (mean ARI between 2 restarts); the other agrees with the restart kept"))
    let apart = try RestartSelection([
      restart(truth, seed: 1, loss: 0.5), restart(other, seed: 2, loss: 0.4),
    ])
    #expect(apart.report.line.contains("; the other does not agree with the restart kept"))
    // A collapsed restart kept beside one that split the windows: they disagree, and say so.
    let collapsed = try RestartSelection([
      restart(one, seed: 1, loss: 0.1), restart(truth, seed: 2, loss: 0.4),
      restart(one, seed: 3, loss: 0.2),
    ])
    #expect(collapsed.report.clusters == 2)
    #expect(collapsed.report.line.hasPrefix("stability: 0."), "\(collapsed.report.line)")
  }

  // MARK: Restarts set aside (input separation, decision 0014)

  /// As on the demo: two restarts land in the same bad optimum and agree; a third finds other
  /// clusters that k-means on the input backs. The agreeing pair does not stop the default
  /// rule; once the third has a partner, the pair is set aside and the new pair kept.
  @Test func anAgreeingPairThatSeparatesTheInputPoorlyNeitherStopsTheRunNorIsKept() throws {
    let bad = [
      restart(other, seed: 1, loss: 0.1), restart(other.map { 1 - $0 }, seed: 2, loss: 0.2),
    ]
    #expect(try RestartSelection.twoAgree(bad, shares: nil))
    #expect(try !RestartSelection.twoAgree(bad, shares: [0.55, 0.60]))
    // One credible member is enough for the pair to count.
    #expect(try RestartSelection.twoAgree(bad, shares: [0.55, 0.70]))
    let three = bad + [restart(truth, seed: 3, loss: 0.9)]
    #expect(try !RestartSelection.twoAgree(three, shares: [0.55, 0.60, 0.98]))
    // A credible restart without a partner sets nothing aside (nor would it be kept: the
    // consensus and the pair's partners decide, as without shares).
    let alone = try RestartSelection(three, shares: [0.55, 0.60, 0.98])
    #expect(alone.chosen == (try RestartSelection(three)).chosen)
    #expect(alone.report.setAside == [] && alone.report.setAsideLine == nil)
    #expect(alone.report.restarts.map(\.inputSeparation) == [0.55, 0.60, 0.98])
    // A fourth restart that agrees with the third stops the run; the credible pair is kept.
    let four = three + [restart(truth.map { 1 - $0 }, seed: 4, loss: 0.8)]
    #expect(try RestartSelection.twoAgree(four, shares: [0.55, 0.60, 0.98, 0.97]))
    let kept = try RestartSelection(four, shares: [0.55, 0.60, 0.98, 0.97])
    #expect(kept.chosen == 3)  // of the credible pair, the lower loss
    #expect(kept.report.setAside == [0, 1])
    #expect(!kept.report.isUnstable)
    #expect(
      kept.report.line.hasSuffix("the one that agrees best with the others not set aside"))
    let line = try #require(kept.report.setAsideLine)
    #expect(
      line.hasPrefix(
        "set aside: restarts 1 (0.550), 2 (0.600): k-means on the windows separates them at least 1.5 times better"
      ), "\(line)")
    // Without the shares the bad pair, with the lowest losses, is kept.
    #expect(try RestartSelection(four).chosen == 0)
  }

  /// A restart below the share that found the kept restart's clusters is not called set aside:
  /// they are the same clusters.
  @Test func aWeakPartnerOfACredibleRestartIsNotShownAsSetAside() throws {
    let pair = [
      restart(truth, seed: 1, loss: 0.1), restart(truth.map { 1 - $0 }, seed: 2, loss: 0.5),
      restart(other, seed: 3, loss: 0.05),
    ]
    #expect(try RestartSelection.twoAgree(pair, shares: [0.60, 0.70, 0.50]))
    let selection = try RestartSelection(pair, shares: [0.60, 0.70, 0.50])
    #expect(selection.chosen == 1)  // the credible one of the pair
    #expect(selection.report.setAside == [2])
  }

  /// When every restart separates the input poorly (the classes are not what varies most in
  /// the input), none is set aside: the selection is the one without shares, and an agreeing
  /// pair stops the default rule once a third restart has had the chance to be credible.
  @Test func nothingIsSetAsideWhenEveryRestartIsBelowTheShare() throws {
    let pair = [
      restart(truth, seed: 2, loss: 0.9), restart(truth.map { 1 - $0 }, seed: 3, loss: 0.5),
    ]
    #expect(try !RestartSelection.twoAgree(pair, shares: [0.4, 0.4]))
    let restarts = [restart(other, seed: 1, loss: 0.1)] + pair
    #expect(try RestartSelection.twoAgree(restarts, shares: [0.3, 0.4, 0.4]))
    // A credible third restart that agrees with neither keeps the run going.
    #expect(try !RestartSelection.twoAgree(restarts, shares: [0.9, 0.4, 0.4]))
    let weak = try RestartSelection(restarts, shares: [0.3, 0.4, 0.4])
    #expect(weak.chosen == (try RestartSelection(restarts)).chosen)
    #expect(weak.report.setAside == [])
    #expect(weak.report.setAsideLine == nil)
  }

  /// Runs stored before the shares existed read back without them.
  @Test func aReportStoredBeforeTheSharesReadsBack() throws {
    let selection = try RestartSelection(
      [restart(truth, seed: 1, loss: 0.5), restart(truth, seed: 2, loss: 0.2)],
      shares: [0.9, 0.95])
    let encoded = try JSONEncoder().encode(selection.report)
    var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
    #expect(object["setAside"] != nil)
    object["setAside"] = nil
    var restarts = try #require(object["restarts"] as? [[String: Any]])
    #expect(restarts.allSatisfy { $0["inputSeparation"] != nil })
    for r in restarts.indices { restarts[r]["inputSeparation"] = nil }
    object["restarts"] = restarts
    let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    #expect(!json.contains("inputSeparation") && !json.contains("setAside"), "\(json)")
    let old = try JSONDecoder().decode(RestartReport.self, from: Data(json.utf8))
    #expect(old.restarts.allSatisfy { $0.inputSeparation == nil })
    #expect(old.setAside == nil && old.setAsideLine == nil)
    #expect(old.kept == selection.report.kept)
  }
}
