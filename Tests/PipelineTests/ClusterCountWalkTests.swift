import Foundation
import Testing

@testable import Pipeline

/// `--clusters auto`'s walk over K after the scan (decision 0015, "K whose restarts agree (stop
/// 38)"), on restarts of hand-made labels checked by the run's own stopping rule: which K are
/// trained, in which groups, which is settled on, and what is said.
@Suite struct ClusterCountWalkTests {
  func restart(_ labels: [Int], seed: UInt64) -> FinishedRestart {
    FinishedRestart(
      seed: seed, labels: labels, parameters: Data(), optimizer: Data(), centroids: [],
      pretrainingLosses: [0.1], updates: [], stopReason: "", stageSeconds: [:],
      evidence: RestartEvidence(
        pretrainingLoss: 0.1, reconstruction: 0, kl: 0, meanProbability: 0.9))
  }

  /// Labels of 48 windows at K: restart r of a K in `agreeing` finds the same clusters as
  /// every other restart there (relabelled); elsewhere each restart splits the windows its own
  /// way, at random (pairwise ARI far below 0.875).
  func labels(k: Int, restart r: Int, agreeing: Set<Int>) -> [Int] {
    if agreeing.contains(k) { return (0..<48).map { ($0 * k / 48 + r) % k } }
    // Restart r draws each window's cluster from its own stream (SplitMix64).
    var state = UInt64(k * 100 + r)
    return (0..<48).map { _ in
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return Int((z ^ (z >> 31)) % UInt64(k))
    }
  }

  struct Trace {
    var trained: [String] = []
    var said: [String] = []
  }

  /// The walk with the run's stopping rule. At a K in `lonely`, only restarts 0 and 1 agree,
  /// their clusters separate the windows poorly (share 0.1) and restart 2, alone, well (0.9).
  func walk(
    order: [Int], networks: Int = 3, agreeing: Set<Int>, lonely: Set<Int> = [],
    trace: inout Trace
  ) throws -> ClusterCountWalk.Settled<Int>? {
    var local = Trace()
    defer { trace = local }
    return try ClusterCountWalk.settle(
      order: order, networks: networks,
      context: { k in k * 10 },
      train: { k, context, group in
        #expect(context == k * 10, "each K is checked in its own context")
        local.trained.append("K=\(k) \(group.lowerBound)..<\(group.upperBound)")
        return group.map { r in
          let agree = agreeing.contains(k) && !(lonely.contains(k) && r >= 2)
          return restart(labels(k: k, restart: r, agreeing: agree ? [k] : []), seed: UInt64(r))
        }
      },
      check: { k, _, finished in
        let shares = lonely.contains(k) ? finished.indices.map { $0 >= 2 ? 0.9 : 0.1 } : nil
        return try RestartSelection.stoppingCheck(finished, shares: shares)
      },
      log: { local.said.append($0) })
  }

  @Test func theBestKWhoseFirstRestartsAgreeIsKeptWithoutTryingAnother() throws {
    var trace = Trace()
    let settled = try #require(try walk(order: [3, 2], agreeing: [2, 3], trace: &trace))
    #expect(settled.k == 3 && settled.stops && settled.unsettled.isEmpty)
    #expect(settled.finished.count == 2 && settled.context == 30)
    #expect(trace.trained == ["K=3 0..<2"], "the first two restarts, side by side")
    #expect(trace.said.isEmpty)
  }

  @Test func smallerKAreTriedInTheScansOrderUntilTwoRestartsAgree() throws {
    var trace = Trace()
    let settled = try #require(
      try walk(order: [5, 3, 4, 2], agreeing: [4, 2], trace: &trace))
    // K=5 and K=3 disagree on all three networks; K=4, next in the scan's order, settles.
    #expect(settled.k == 4 && settled.stops)
    #expect(settled.unsettled == [5, 3])
    #expect(settled.context == 40)
    #expect(settled.finished.map(\.seed) == [0, 1])
    #expect(trace.trained == ["K=5 0..<2", "K=5 2..<3", "K=3 0..<2", "K=3 2..<3", "K=4 0..<2"])
    #expect(
      trace.said == [
        "clusters auto: K=5: no two of 3 restarts agree once clustered; trying the next K",
        "clusters auto: K=3: no two of 3 restarts agree once clustered; trying the next K",
      ])
  }

  @Test func whenNoKSettlesTheBestKTrainsMoreWithTheRestartsItHas() throws {
    var trace = Trace()
    let settled = try #require(try walk(order: [4, 3, 2], agreeing: [], trace: &trace))
    #expect(settled.k == 4 && !settled.stops)
    #expect(settled.unsettled == [4, 3, 2])
    #expect(settled.context == 40 && settled.finished.count == 3)
    #expect(trace.trained.count == 6)
    #expect(
      trace.said.last
        == "clusters auto: no K up to 4 has two restarts that agree; K=4, the best by stability + silhouette, trains more restarts"
    )
  }

  @Test func twoThatAgreeSettleKEvenWhenTheirClustersAreNotCredible() throws {
    var trace = Trace()
    // At K=3 restarts 1 and 2 agree, but k-means on the windows separates them far better,
    // and restart 3, which does separate them, agrees with neither: the rule does not stop
    // after three, and the walk still settles on K=3 (the run's own loop then trains more
    // restarts there).
    let settled = try #require(
      try walk(order: [3, 2], agreeing: [3, 2], lonely: [3], trace: &trace))
    #expect(settled.k == 3 && !settled.stops && settled.unsettled.isEmpty)
    #expect(settled.finished.count == 3)
    #expect(trace.trained == ["K=3 0..<2", "K=3 2..<3"])
    #expect(trace.said == [ClusterJob.pairNotCredibleLine])
  }

  @Test func oneNetworkOrNoKHasNoWalk() throws {
    var trace = Trace()
    #expect(try walk(order: [3, 2], networks: 1, agreeing: [2, 3], trace: &trace) == nil)
    #expect(try walk(order: [], agreeing: [2, 3], trace: &trace) == nil)
    #expect(trace.trained.isEmpty)
  }

  @Test func theDisagreeingLabelsReallyDisagreeAndTheAgreeingOnesAgree() throws {
    for k in 2...5 {
      let apart = (0..<3).map { labels(k: k, restart: $0, agreeing: []) }
      let together = (0..<3).map { labels(k: k, restart: $0, agreeing: [k]) }
      let a = try RestartSelection.stoppingCheck(
        apart.enumerated().map { restart($1, seed: UInt64($0)) }, shares: nil)
      let b = try RestartSelection.stoppingCheck(
        together.enumerated().map { restart($1, seed: UInt64($0)) }, shares: nil)
      #expect(!a.pairAgrees && !a.stops, "K=\(k)")
      #expect(b.pairAgrees && b.stops, "K=\(k)")
    }
  }
}
