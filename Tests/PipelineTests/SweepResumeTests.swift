import Foundation
import Logging
import Store
import Testing

@testable import Pipeline

/// `sweep --resume` (stop 39's sweep: an interrupted sweep could not be finished; `cluster
/// --resume` completed its run but did not attach it to the sweep, and the CSV was never
/// written).
extension ClusterPipelineTests {
  struct Killed: Error {}

  /// Counts finished sweep runs, so that a checkpoint hook can stop the sweep in a given run.
  final class RunCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
  }

  func sweepModel() -> ModelOptions {
    var m = model()
    m.epochs = 6
    m.maxIterations = 30
    return m
  }

  /// A truth file on disk (a resumed sweep reads its own --truth file again).
  func truthFile(_ rows: [String]) throws -> WindowLabelFile {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sweep-truth-\(UUID().uuidString).csv")
    try ("network,station,location,time,label\n" + rows.joined(separator: "\n"))
      .write(to: url, atomically: true, encoding: .utf8)
    return try WindowLabelFile(contentsOf: url)
  }

  /// The sweep stops in its second run (as a kill stops it); `--resume` continues that run
  /// from its checkpoint, under its own id, and the CSV is the one an uninterrupted sweep
  /// writes, scores included.
  @Test func aSweepStoppedInARunIsFinishedByResumeAsIfNeverStopped() throws {
    let whole = try SeisStore()
    let rows = try storeWithWindows(count: 40, seed: 5, store: whole)
    let truth = try truthFile(rows)
    let logger = Logger(label: "t")
    let expected = try SweepJob(
      clusterCount: 2, architectures: [nil], latents: [2, 4], model: sweepModel(), truth: truth,
      quiet: true
    ).run(store: whole, logger: logger)

    let store = try SeisStore()
    _ = try storeWithWindows(count: 40, seed: 5, store: store)
    var dying = SweepJob(
      clusterCount: 2, architectures: [nil], latents: [2, 4], model: sweepModel(), truth: truth,
      quiet: true)
    dying.checkpointSeconds = 0
    let finished = RunCount()
    dying.onRun = { _ in finished.add() }
    dying.afterCheckpoint = { stored in
      if finished.count == 1, stored >= 2 { throw Killed() }
    }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: logger) }
    let sweep = try #require(try store.sweep())
    #expect(try store.sweepRuns(sweepID: sweep.id!).map(\.latent) == [2])
    let interrupted = try #require(try store.interruptedRun())

    let job = try SweepJob(resumingLatestIn: store, quiet: true)
    #expect(job.latents == [2, 4] && job.clusterCount == 2 && job.truth != nil)
    let resumed = try job.run(store: store, logger: logger)
    #expect(resumed.sweep.id == sweep.id)
    #expect(resumed.rows.map(\.latent) == [2, 4])
    #expect(resumed.rows[1].run.id == interrupted.id, "the interrupted run is continued")
    #expect(try store.interruptedRun() == nil)
    #expect(try store.sweepRuns(sweepID: sweep.id!).map(\.position) == [0, 1])
    #expect(resumed.csv == expected.csv)
    #expect(resumed.csv.split(separator: "\n").count == 3)
    #expect(try SweepReport.load(from: store).missingRuns.isEmpty)

    // Resuming a whole sweep trains nothing and writes the same CSV again.
    let runs = try store.clusterRuns(windowSetID: sweep.windowSetId, after: nil, since: "")
    let again = try SweepJob(resumingLatestIn: store, quiet: true).run(
      store: store, logger: logger)
    #expect(again.csv == expected.csv)
    #expect(
      try store.clusterRuns(windowSetID: sweep.windowSetId, after: nil, since: "").count
        == runs.count)
  }

  /// Stopped in its first run, a sweep is kept (it was deleted as a failed one), and a run
  /// that `cluster --resume` finished is taken into the sweep as it is, not trained again.
  /// The sweep trains on its own window set even when another set is current now.
  @Test func resumeTakesTheRunClusterResumeFinishedAndKeepsTheSweepsWindowSet() throws {
    let store = try SeisStore()
    _ = try storeWithWindows(count: 40, seed: 6, store: store)
    let logger = Logger(label: "t")
    var dying = SweepJob(
      clusterCount: 2, architectures: [nil], latents: [3, 5], model: sweepModel(), truth: nil,
      quiet: true)
    dying.checkpointSeconds = 0
    dying.afterCheckpoint = { stored in if stored >= 2 { throw Killed() } }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: logger) }
    let sweep = try #require(try store.sweep(), "a stopped sweep is kept for --resume")
    #expect(try store.sweepRuns(sweepID: sweep.id!).isEmpty)
    let interrupted = try #require(try store.interruptedRun())
    // The user finished the run with `cluster --resume`.
    let finished = try ClusterJob(clusterCount: 2, model: ModelOptions(), quiet: true, resume: true)
      .run(store: store, logger: logger)
    #expect(finished.run.id == interrupted.id)
    // And built another window set.
    _ = try storeWithWindows(count: 30, seed: 7, store: store)
    let current = try #require(try store.currentWindowSetReader()?.windowSet.id)
    #expect(current != sweep.windowSetId)

    let resumed = try SweepJob(resumingLatestIn: store, quiet: true).run(
      store: store, logger: logger)
    #expect(resumed.rows.map(\.latent) == [3, 5])
    #expect(resumed.rows[0].run.id == interrupted.id, "taken as cluster --resume finished it")
    #expect(resumed.rows.allSatisfy { $0.run.windowSetId == sweep.windowSetId })
    #expect(try store.clusterRuns(windowSetID: sweep.windowSetId, after: nil, since: "").count == 2)
    #expect(try store.clusterRuns(windowSetID: current, after: nil, since: "").isEmpty)
  }

  /// With nothing to resume, or a sweep whose truth file is gone, the error says so. A sweep
  /// with `--clusters auto` resumes with it.
  @Test func resumeWithNoSweepOrALostTruthFileIsRefused() throws {
    let store = try SeisStore()
    let rows = try storeWithWindows(count: 30, seed: 9, store: store)
    #expect {
      _ = try SweepJob(resumingLatestIn: store, quiet: true)
    } throws: { error in
      (error as? InputError)?.reason == "no sweep in the store to resume"
    }
    let truth = try truthFile(rows)
    var sweep = SweepJob(
      clusterCount: 2, architectures: [nil], latents: [2], model: sweepModel(), truth: truth,
      quiet: true)
    sweep.clusterRange = 2...3
    _ = try sweep.run(store: store, logger: Logger(label: "t"))
    let job = try SweepJob(resumingLatestIn: store, quiet: true)
    #expect(job.clusterRange == 2...3, "--clusters auto is stored with the sweep")
    try FileManager.default.removeItem(atPath: truth.path)
    #expect {
      _ = try SweepJob(resumingLatestIn: store, quiet: true)
    } throws: { error in
      (error as? InputError)?.reason.hasPrefix("sweep 1 was given this --truth file") == true
    }
  }
}
