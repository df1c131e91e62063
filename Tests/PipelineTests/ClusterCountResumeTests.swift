import Foundation
import Logging
import Store
import Testing

@testable import Pipeline

/// `cluster --clusters auto` stopped while it chooses K (its networks pretraining, or the
/// restarts of the choice training) and `cluster --resume`: the run is stored before the
/// networks pretrain, their states are checkpointed as restarts' are, and the resumed run
/// chooses the same K and ends with the same labels as one never stopped. Before, the run was
/// stored only once K was chosen: a kill in the choice (its networks' whole pretraining) left
/// nothing to resume, while the interrupt line said `cluster --resume` continues it.
@Suite struct ClusterCountResumeTests {
  let base = ClusterPipelineTests()
  struct Killed: Error {}

  func options(restarts: Int?) -> ModelOptions {
    var m = base.model()
    m.epochs = 8
    m.maxIterations = 60
    m.restarts = restarts
    return m
  }

  func windows(_ store: SeisStore) throws {
    _ = try base.storeWithWindows(
      count: 120, seed: 5, store: store, frequencies: [0.03, 0.12, 0.4])
  }

  func job(_ m: ModelOptions, resume: Bool = false) -> ClusterJob {
    var job = ClusterJob(
      clusterCount: 2, model: resume ? ModelOptions() : m, quiet: true, resume: resume,
      checkpointSeconds: 0)
    if !resume { job.clusterRange = 2...4 }
    job.restartLanes = 2
    return job
  }

  enum Moment: String, CaseIterable {
    /// At a checkpoint of the networks' pretraining.
    case pretraining
    /// At the checkpoint that holds every network pretrained (before K is chosen).
    case pretrained
    /// At the first checkpoint of the walk over K (the default rule's restarts, one per
    /// network, clustered at the best K).
    case inTheWalk
    /// At the first checkpoint after K is chosen (a restart of the run training).
    case afterTheChoice
  }

  @Test(arguments: [2, nil], Moment.allCases)
  func aRunStoppedWhileChoosingKResumesToTheSameKAndLabels(restarts: Int?, moment: Moment) throws {
    let m = options(restarts: restarts)
    let reference = try SeisStore()
    try windows(reference)
    var whole = job(m)
    let scanSaves = Counter()
    let walkSaves = Counter()
    whole.afterCheckpoint = { _ in
      guard let stored = try reference.checkpoint(runID: 1), stored.stage == "scan" else { return }
      scanSaves.count += 1
      if try ClusterCheckpoint(encoded: stored.state).walk != nil { walkSaves.count += 1 }
    }
    let expected = try whole.run(store: reference, logger: Logger(label: "t"))

    let store = try SeisStore()
    try windows(store)
    var dying = job(m)
    // As a sweep's run: the mark must survive a `cluster --resume` (a job without it) that
    // stores the K chosen (it was lost, and `sweep --resume` trained the run again).
    dying.sweepMark = .init(sweep: 7, position: 1)
    let saves = Counter()
    dying.afterCheckpoint = { _ in
      saves.count += 1
      let stored = try #require(try store.checkpoint(runID: 1))
      switch moment {
      case .pretraining: if stored.stage == "scan", saves.count == 3 { throw Killed() }
      case .pretrained:
        let networks = try ClusterCheckpoint(encoded: stored.state).group ?? []
        if networks.allSatisfy({ $0.checkpoint?.epochsDone == m.epochs }) { throw Killed() }
      case .inTheWalk:
        if stored.stage == "scan", try ClusterCheckpoint(encoded: stored.state).walk != nil {
          throw Killed()
        }
      case .afterTheChoice: if stored.stage != "scan" { throw Killed() }
      }
    }
    // Adaptive restarts that settle within the choice's own restarts store nothing after it.
    do {
      _ = try dying.run(store: store, logger: Logger(label: "t"))
      // (A fixed number of restarts has no walk.)
      #expect(
        (moment == .afterTheChoice && restarts == nil) || (moment == .inTheWalk && restarts != nil),
        "killed at \(moment)")
      return
    } catch is Killed {}
    let interrupted = try #require(try store.interruptedRun())
    let stored = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: interrupted.optionsJson)
    let checkpoint = try ClusterCheckpoint(
      encoded: try #require(try store.checkpoint(runID: interrupted.id!)).state)
    switch moment {
    case .pretraining, .pretrained, .inTheWalk:
      // K is not chosen yet: the range is stored, and the networks' states; the K stored is
      // one more than the windows, which an earlier version refuses to resume.
      #expect(stored.clusterRange == [2, 4] && stored.clusterChoice == nil)
      #expect(interrupted.clusterCount == 121 && stored.clusters == 121)
      #expect(checkpoint.scanning == [2, 4])
      #expect(checkpoint.position.hasPrefix("in the choice of K in 2...4: network 1 "))
      #expect(checkpoint.group?.contains { $0.checkpoint != nil } == true)
    case .afterTheChoice:
      #expect(stored.clusterRange == nil)
      #expect(stored.clusterChoice == expected.clusterChoice)
      #expect(interrupted.clusterCount == expected.run.clusterCount)
      #expect(checkpoint.scanning == nil)
    }

    var resuming = job(m, resume: true)
    let resumedScanSaves = Counter()
    resuming.afterCheckpoint = { _ in
      if try store.checkpoint(runID: 1)?.stage == "scan" { resumedScanSaves.count += 1 }
    }
    let resumed = try resuming.run(store: store, logger: Logger(label: "t"))
    // The networks went on from their stored epochs (one save per epoch, one at the end, then
    // one per step of the walk over K), and the walk from its stored steps.
    switch moment {
    case .pretraining:
      #expect(resumedScanSaves.count > 1 && resumedScanSaves.count < scanSaves.count - 1)
    case .pretrained: #expect(resumedScanSaves.count == 1 + walkSaves.count)
    case .inTheWalk: #expect(resumedScanSaves.count == 1 + walkSaves.count - 1)
    case .afterTheChoice: #expect(resumedScanSaves.count == 0)
    }
    if moment == .inTheWalk {
      #expect(checkpoint.position.contains("restart(s) of the walk over K trained"))
    }
    #expect(resumed.run.id == interrupted.id)
    #expect(resumed.run.clusterCount == expected.run.clusterCount)
    #expect(resumed.clusterChoice == expected.clusterChoice)
    let final = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: try #require(try store.run(id: 1)).optionsJson)
    #expect(final.sweep == .init(sweep: 7, position: 1))
    #expect(final.clusterRange == nil && final.clusters == expected.run.clusterCount)
    #expect(resumed.restarts == expected.restarts)
    #expect(resumed.assignments == expected.assignments)
    #expect(resumed.probabilities == expected.probabilities)
  }

  /// Killed before the first checkpoint: the run holds the range it chooses in and nothing
  /// else, and chooses from the start.
  @Test func aRunStoppedBeforeItsFirstCheckpointChoosesKFromTheStart() throws {
    let m = options(restarts: 2)
    let reference = try SeisStore()
    try windows(reference)
    let expected = try job(m).run(store: reference, logger: Logger(label: "t"))

    let store = try SeisStore()
    try windows(store)
    var dying = job(m)
    dying.afterCheckpoint = { _ in throw Killed() }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: Logger(label: "t")) }
    try store.writer.write { db in try db.execute(sql: "DELETE FROM checkpoints") }
    let resumed = try job(m, resume: true).run(store: store, logger: Logger(label: "t"))
    #expect(resumed.run.id == 1)
    #expect(resumed.clusterChoice == expected.clusterChoice)
    #expect(resumed.assignments == expected.assignments)
    #expect(resumed.probabilities == expected.probabilities)
  }

  /// `cluster --resume` of a run on a reference per bin that is then discarded trains the
  /// window-reference run with the first run's stored options: their restarts (the rule's cap,
  /// 7) were read as `--restarts 7`, so the rule was off and all 7 restarts trained.
  @Test func optionsOfAStoredRunUnderTheRestartRuleKeepTheRule() throws {
    let store = try SeisStore()
    try windows(store)
    let first = try job(options(restarts: nil)).run(store: store, logger: Logger(label: "t"))
    let stored = try #require(first.model)
    #expect(
      stored.stopWhenTwoAgree == true && stored.restarts == ModelOptions.defaultMaximumRestarts)
    let again = try ClusterJob(clusterCount: 2, model: stored, quiet: true).prepare(
      store: store, logger: Logger(label: "t"))
    #expect(again.options.stopWhenTwoAgree == true)
    // A `--restarts 7` given stays a fixed number.
    let given = try ClusterJob(clusterCount: 2, model: options(restarts: 7), quiet: true).prepare(
      store: store, logger: Logger(label: "t"))
    #expect(given.options.stopWhenTwoAgree == false && given.options.restarts == 7)
  }

  /// A choice that fails (here: the network diverges) fails its run; nothing is left to resume.
  @Test func aChoiceThatFailsFailsItsRun() throws {
    var m = options(restarts: 2)
    m.learningRate = 1e30
    let store = try SeisStore()
    try windows(store)
    #expect(throws: (any Error).self) { try job(m).run(store: store, logger: Logger(label: "t")) }
    #expect(try store.run(id: 1)?.status == .failed)
    #expect(try store.checkpoint(runID: 1) == nil)
    #expect(try store.interruptedRun() == nil)
  }
}
