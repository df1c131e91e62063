import Foundation
import Logging
import Store
import Testing

@testable import Pipeline

/// Restarts trained side by side (decision 0014, "Side by side"): the schedule, the same labels
/// as one after the other, and `--resume` of a pair interrupted mid-training.
@Suite struct RestartGroupTests {
  let base = ClusterPipelineTests()

  @Test func theDefaultRuleTrainsTheFirstTwoTogetherThenOneAtATime() {
    func groups(_ restarts: Int, adaptive: Bool) -> [Range<Int>] {
      var out: [Range<Int>] = []
      var start = 0
      while start < restarts {
        let group = RestartGroup.range(from: start, restarts: restarts, stopWhenTwoAgree: adaptive)
        out.append(group)
        start = group.upperBound
      }
      return out
    }
    #expect(groups(5, adaptive: true) == [0..<2, 2..<3, 3..<4, 4..<5])
    #expect(groups(5, adaptive: false) == [0..<2, 2..<4, 4..<5])
    #expect(groups(1, adaptive: false) == [0..<1])
    // A run resumed after the first restart of a pair finishes the pair's second alone.
    #expect(RestartGroup.range(from: 1, restarts: 5, stopWhenTwoAgree: true) == 1..<2)
    #expect(RestartGroup.range(from: 3, restarts: 6, stopWhenTwoAgree: false) == 3..<4)
  }

  func options(restarts: Int?) -> ModelOptions {
    var m = base.model()
    m.epochs = 4
    m.maxIterations = 40
    m.tol = 0
    m.restarts = restarts
    return m
  }

  func run(_ m: ModelOptions, lanes: Int, seed: UInt64) throws -> ClusterOutcome {
    let store = try SeisStore()
    _ = try base.storeWithWindows(count: 80, seed: seed, store: store)
    var job = ClusterJob(clusterCount: 2, model: m, quiet: true)
    job.restartLanes = lanes
    return try job.run(store: store, logger: Logger(label: "t"))
  }

  @Test(arguments: [3, nil])
  func restartsSideBySideKeepTheSameRestartsAndLabelsAsOneAfterTheOther(restarts: Int?) throws {
    let m = options(restarts: restarts)
    let alone = try run(m, lanes: 1, seed: 9)
    let together = try run(m, lanes: 2, seed: 9)
    #expect(alone.restarts.restarts.count >= 2)
    // Restart r trained from the r-th seed, in order.
    let resolved = m.resolvingDefaults(length: 64)
    #expect(
      together.restarts.restarts.map(\.seed)
        == together.restarts.restarts.indices.map { resolved.seed(ofRestart: $0) })
    #expect(together.restarts == alone.restarts)
    #expect(together.assignments == alone.assignments)
    #expect(together.probabilities == alone.probabilities)
  }

  @Test func aPairKilledMidTrainingResumesToTheSameRestartsAndLabels() throws {
    let m = options(restarts: 3)
    let expected = try run(m, lanes: 1, seed: 4)

    struct Killed: Error {}
    let store = try SeisStore()
    _ = try base.storeWithWindows(count: 80, seed: 4, store: store)
    var dying = ClusterJob(clusterCount: 2, model: m, quiet: true, checkpointSeconds: 0)
    dying.restartLanes = 2
    // Each restart of the pair stores 4 epoch and 4 update checkpoints; the hook runs under the
    // group's lock, one call at a time.
    let counter = Counter()
    dying.afterCheckpoint = { _ in
      counter.count += 1
      if counter.count == 6 { throw Killed() }
    }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: Logger(label: "t")) }
    let interrupted = try #require(try store.interruptedRun())
    let stored = try #require(try store.checkpoint(runID: interrupted.id!))
    let state = try ClusterCheckpoint(encoded: stored.state)
    #expect(state.finished.isEmpty)
    let group = try #require(state.group)
    #expect(group.count == 2)
    // The checkpoint holds both restarts of the pair (how far each got depends on the
    // scheduling).
    #expect(group.contains { $0.checkpoint != nil })
    #expect(state.position.contains("restarts 1-2"))

    var resuming = ClusterJob(clusterCount: 2, model: ModelOptions(), quiet: true, resume: true)
    resuming.restartLanes = 2
    let resumed = try resuming.run(store: store, logger: Logger(label: "t"))
    #expect(resumed.run.id == interrupted.id)
    #expect(resumed.restarts == expected.restarts)
    #expect(resumed.assignments == expected.assignments)
    #expect(resumed.probabilities == expected.probabilities)
  }

  @Test func anInterruptionInOneRestartOfAPairStopsTheOtherAndLeavesTheRunResumable() throws {
    struct Broken: Error {}
    let store = try SeisStore()
    _ = try base.storeWithWindows(count: 80, seed: 4, store: store)
    var job = ClusterJob(
      clusterCount: 2, model: options(restarts: 2), quiet: true, checkpointSeconds: 0)
    job.restartLanes = 2
    let counter = Counter()
    job.afterCheckpoint = { _ in
      counter.count += 1
      if counter.count == 3 { throw Broken() }
    }
    // The hook's error is an interruption: the run stays resumable, and the other restart
    // stops at its next checkpoint instead of training on.
    #expect(throws: Broken.self) { try job.run(store: store, logger: Logger(label: "t")) }
    #expect(counter.count == 3)
    #expect(try store.interruptedRun() != nil)
  }

  /// `--clusters auto` and `relabel` run their networks through `inGroups`: a lane that fails
  /// stops the other at its next check, and the group throws the failure, not the cancellation.
  @Test func aFailingLaneOfAGroupStopsTheOtherAndItsErrorIsThrown() throws {
    struct Broken: Error {}
    let checks = Counter()
    let lock = NSLock()
    let started = DispatchSemaphore(value: 0)
    #expect(throws: Broken.self) {
      try ClusterJob.inGroups(count: 2, lanes: 2) { item, _, cancellation in
        if item == 0 {
          // Fail once the other lane is running (or after 2 s: the pool may run the two lanes
          // one after the other on one core, and then the second stops at its first check).
          _ = started.wait(timeout: .now() + 2)
          throw Broken()
        }
        started.signal()
        // The other lane "trains" until it is told to stop; 10 s at most.
        for _ in 0..<10_000 {
          lock.lock()
          checks.count += 1
          lock.unlock()
          try cancellation.check()
          Thread.sleep(forTimeInterval: 0.001)
        }
        Issue.record("the other lane was never cancelled")
      }
    }
    lock.lock()
    #expect(checks.count >= 1 && checks.count < 10_000)
    lock.unlock()
  }

  @Test func groupsAfterAFailingOneDoNotRun() {
    struct Broken: Error {}
    let ran = Counter()
    let lock = NSLock()
    #expect(throws: Broken.self) {
      try ClusterJob.inGroups(count: 4, lanes: 2) { item, _, _ in
        lock.lock()
        ran.count += 1
        lock.unlock()
        if item == 1 { throw Broken() }
      }
    }
    #expect(ran.count == 2)
  }
}
