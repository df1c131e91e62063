import Foundation
import Logging
import Store
import TestSupport
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
    // What a failed command names as "left unfinished" (an adversarial review: a finished
    // sweep was named, and a sweep id the store does not hold).
    #expect(SweepJob.hasRunsLeft(sweepID: sweep.id!, store: store))
    #expect(!SweepJob.hasRunsLeft(sweepID: sweep.id! + 1, store: store))

    let job = try SweepJob(resuming: store, quiet: true)
    #expect(job.latents == [2, 4] && job.clusterCount == 2 && job.truth != nil)
    let resumed = try job.run(store: store, logger: logger)
    #expect(resumed.sweep.id == sweep.id)
    #expect(resumed.rows.map(\.latent) == [2, 4])
    #expect(resumed.rows[1].run.id == interrupted.id, "the interrupted run is continued")
    #expect(try store.interruptedRun() == nil)
    #expect(try store.sweepRuns(sweepID: sweep.id!).map(\.position) == [0, 1])
    #expect(resumed.csv == expected.csv)
    #expect(!SweepJob.hasRunsLeft(sweepID: sweep.id!, store: store))
    #expect(resumed.csv.split(separator: "\n").count == 3)
    #expect(try SweepReport.load(from: store).missingRuns.isEmpty)

    // Resuming a whole sweep trains nothing and writes the same CSV again.
    let runs = try store.clusterRuns(windowSetID: sweep.windowSetId, since: "")
    let again = try SweepJob(resuming: store, quiet: true).run(
      store: store, logger: logger)
    #expect(again.csv == expected.csv)
    #expect(
      try store.clusterRuns(windowSetID: sweep.windowSetId, since: "").count
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

    let resumed = try SweepJob(resuming: store, quiet: true).run(
      store: store, logger: logger)
    #expect(resumed.rows.map(\.latent) == [3, 5])
    #expect(resumed.rows[0].run.id == interrupted.id, "taken as cluster --resume finished it")
    #expect(resumed.rows.allSatisfy { $0.run.windowSetId == sweep.windowSetId })
    #expect(try store.clusterRuns(windowSetID: sweep.windowSetId, since: "").count == 2)
    #expect(try store.clusterRuns(windowSetID: current, since: "").isEmpty)
  }

  /// With nothing to resume, or a sweep whose truth file is gone or changed, the error says so;
  /// the file moved is given with `truth:`. A sweep with `--clusters auto` resumes with it.
  /// A sweep whose second network cannot be built trained its first run, then failed, and
  /// failed again at every `--resume`, adding a failed run each time (an adversarial sweep).
  /// Every configuration is built before the first run trains: nothing is trained or stored.
  @Test func aSweepWithANetworkThatCannotBeBuiltIsRefusedBeforeTraining() throws {
    let store = try SeisStore()
    _ = try storeWithWindows(count: 40, seed: 5, store: store)
    let trained = RunCount()
    var job = SweepJob(
      clusterCount: 2, architectures: [nil], latents: [2, 16_000_000], model: sweepModel(),
      truth: nil, quiet: true)
    job.onRun = { _ in trained.add() }
    do {
      _ = try job.run(store: store, logger: Logger(label: "t"))
      Issue.record("a sweep with a network of 10^9 parameters ran")
    } catch let error as InputError {
      #expect(error.reason.hasPrefix("model options: "), "\(error.reason)")
    }
    #expect(trained.count == 0)
    let (runs, sweeps) = try store.writer.read { db in
      (
        try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? -1,
        try Int.fetchOne(db, sql: "SELECT count(*) FROM sweeps") ?? -1
      )
    }
    #expect(runs == 0 && sweeps == 0)
  }

  /// What a failed command may delete of the sets it built (a review of stop 41): not a set
  /// whose windows another run's `assign` used while it was current, nor anything once a run
  /// was stored since the command began (a run may name a set in its options).
  @Test func aFailedCommandDeletesOnlySetsNoOneCanHaveUsed() throws {
    let store = try storeWithARun(count: 20, seed: 5, epochs: 1, maxIterations: 2)
    let first = try #require(try store.currentWindowSet()?.id)
    let lastRun = try store.latestRunID()
    func newSet() throws -> Int64 {
      _ = try storeWithWindows(count: 20, seed: 6, store: store, offset: 1)
      return try #require(try store.currentWindowSet()?.id)
    }
    // Another process's `assign` gave run 1 a window of the new set while it was current.
    let assigned = try newSet()
    try store.writer.write { db in
      try db.execute(
        sql: """
          INSERT INTO assignments (run_id, window_id, cluster, probability, distance, q)
          SELECT ?, id, 0, 1, 0, x'' FROM windows WHERE window_set_id = ? LIMIT 1
          """, arguments: [lastRun, assigned])
    }
    #expect(try store.abandonWindowSets([assigned], restoring: first, lastRun: lastRun) == [])
    #expect(try store.currentWindowSet()?.id == first)
    #expect(try store.windowSet(id: assigned) != nil)
    // A run stored since the command began: nothing is deleted.
    let later = try newSet()
    #expect(try store.abandonWindowSets([later], restoring: first, lastRun: 0) == [])
    #expect(try store.windowSet(id: later) != nil)
    // No one can have used it: deleted, with its windows.
    #expect(try store.abandonWindowSets([later], restoring: first, lastRun: lastRun) == [later])
    #expect(try store.windowSet(id: later) == nil)
    #expect(try store.currentWindowSet()?.id == first)
    // A set another process built since is current: it stays so (a review).
    let mine = try newSet()
    let theirs = try newSet()
    #expect(try store.abandonWindowSets([mine], restoring: first, lastRun: lastRun) == [mine])
    #expect(try store.currentWindowSet()?.id == theirs)
    let orphaned = try store.writer.read { db in
      try Int.fetchOne(
        db, sql: "SELECT count(*) FROM windows WHERE window_set_id = ?", arguments: [later])
    }
    #expect(orphaned == 0)
  }

  @Test func resumeWithNoSweepOrALostOrChangedTruthFileIsRefused() throws {
    let store = try SeisStore()
    let rows = try storeWithWindows(count: 30, seed: 9, store: store)
    #expect {
      _ = try SweepJob(resuming: store, quiet: true)
    } throws: { error in
      (error as? InputError)?.reason == "no sweep in the store to resume"
    }
    let truth = try truthFile(rows)
    var sweep = SweepJob(
      clusterCount: 2, architectures: [nil], latents: [2], model: sweepModel(), truth: truth,
      quiet: true)
    sweep.clusterRange = 2...3
    _ = try sweep.run(store: store, logger: Logger(label: "t"))
    let job = try SweepJob(resuming: store, quiet: true)
    #expect(job.clusterRange == 2...3, "--clusters auto is stored with the sweep")
    #expect {
      _ = try SweepJob(resuming: store, sweepID: 7, quiet: true)
    } throws: { error in
      (error as? InputError)?.reason == "no sweep 7 in the store"
    }
    let text = try String(contentsOfFile: truth.path, encoding: .utf8)
    let moved = truth.path + ".moved"
    try FileManager.default.moveItem(atPath: truth.path, toPath: moved)
    #expect {
      _ = try SweepJob(resuming: store, quiet: true)
    } throws: { error in
      (error as? InputError)?.reason
        == "sweep 1's --truth file cannot be read (no such file): give it with --truth where it is now"
    }
    #expect(try SweepJob(resuming: store, truth: moved, quiet: true).truth?.path == moved)
    // The same rows with one label changed: not the file the runs were scored with.
    let flipped = text.replacingOccurrences(of: ",low\n", with: ",high\n")
    #expect(flipped != text)
    try flipped.write(toFile: moved, atomically: true, encoding: .utf8)
    #expect {
      _ = try SweepJob(resuming: store, truth: moved, quiet: true)
    } throws: { error in
      (error as? InputError)?.reason.hasPrefix(
        "this is not the --truth file sweep 1 scored its runs with (its text differs)") == true
    }
  }

  /// Only the sweep's own run is resumed (the review of 43078d6: a run the user made with the
  /// same latent size meanwhile was taken into the sweep, with its own K and epochs; and one
  /// made before the sweep's own interrupted run hid it). A sweep under way in another process
  /// is not resumed at once by a second one.
  @Test func resumeContinuesOnlyTheSweepsOwnRunAndNotASweepUnderWay() throws {
    let dir = try TestPaths.temporaryDirectory("sweep-resume")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    let logger = Logger(label: "t")
    do {
      // The process that dies: its store (and its leases) go with it.
      let dead = try SeisStore(path: path)
      _ = try storeWithWindows(count: 40, seed: 6, store: dead)
      var dying = SweepJob(
        clusterCount: 2, architectures: [nil], latents: [3], model: sweepModel(), truth: nil,
        quiet: true)
      dying.checkpointSeconds = 0
      dying.afterCheckpoint = { stored in if stored >= 2 { throw Killed() } }
      #expect(throws: Killed.self) { try dying.run(store: dead, logger: logger) }
    }
    let store = try SeisStore(path: path)
    let own = try #require(try store.interruptedRun())
    // The user's own run with the same latent size, and another K, finished meanwhile.
    var mine = sweepModel()
    mine.latent = 3
    let user = try ClusterJob(clusterCount: 3, model: mine, quiet: true).run(
      store: store, logger: logger)
    #expect(user.run.id != own.id)
    // Another process holds the sweep.
    let other = try SeisStore(path: path)
    #expect(try other.acquireSweepLease(id: 1))
    #expect {
      _ = try SweepJob(resuming: store, quiet: true).run(store: store, logger: logger)
    } throws: { error in
      (error as? InputError)?.reason
        == "sweep 1 is running in another process: wait for it, or stop it first"
    }
    other.releaseSweepLease(id: 1)
    // Another process resumes the sweep's run (`cluster --resume`): `sweep --resume` is
    // refused and the sweep stays (the refusal deleted it, and once the run had finished
    // `sweep --resume` found no sweep to continue).
    do {
      let resumer = try SeisStore(path: path)
      #expect(try resumer.claimInterruptedRun(id: own.id) != nil)
      #expect {
        _ = try SweepJob(resuming: store, quiet: true).run(store: store, logger: logger)
      } throws: { error in
        (error as? InputError)?.reason.contains("is being resumed by another process") == true
      }
      #expect(try store.sweep(id: 1) != nil)
    }
    let resumed = try SweepJob(resuming: store, quiet: true).run(store: store, logger: logger)
    #expect(resumed.rows.map { $0.run.id } == [own.id])
    #expect(resumed.rows[0].run.clusterCount == 2)

    // A sweep killed before its run was stored (as in the choice of K), then a run of the
    // user's with its latent size: the sweep trains its own run, and the user's stays apart.
    do {
      let dead = try SeisStore(path: path)
      var second = SweepJob(
        clusterCount: 2, architectures: [nil], latents: [4], model: sweepModel(), truth: nil,
        quiet: true)
      second.checkpointSeconds = 0
      second.afterCheckpoint = { _ in throw Killed() }
      #expect(throws: Killed.self) { try second.run(store: dead, logger: logger) }
    }
    try store.writer.write { db in
      try db.execute(sql: "DELETE FROM runs WHERE id = (SELECT max(id) FROM runs)")
    }
    mine.latent = 4
    let users = try ClusterJob(clusterCount: 3, model: mine, quiet: true).run(
      store: store, logger: logger)
    let fresh = try SweepJob(resuming: store, quiet: true).run(store: store, logger: logger)
    #expect(fresh.sweep.id == 2)
    #expect(fresh.rows.count == 1 && fresh.rows[0].run.id != users.run.id)
    #expect(fresh.rows[0].run.clusterCount == 2)
  }
}
