import Foundation
import GRDB

extension SeisStore {
  /// Creates a run in state `running` and takes its lease (`RunLeases`) in the same
  /// transaction, so no other process ever sees it running without its lock held. The lease is
  /// held until `completeRun`, or until the process ends.
  public func createRun(_ run: RunRecord) throws -> RunRecord {
    try writer.write { db in
      var stored = run
      try stored.insert(db)
      guard let id = stored.id, try leases.acquire(id) else {
        throw StoreError.invalid("the lease of a new run is held elsewhere")
      }
      return stored
    }
  }

  /// Completes a run in one transaction: its model, its per-window assignments, history and
  /// summary, and removes its checkpoint. A run is never visible half-written as complete.
  public func completeRun(
    _ run: RunRecord, model: ModelRecord?, assignments: [AssignmentRecord]
  ) throws -> RunRecord {
    let completed = try writer.write { db in
      guard let runID = run.id else { throw StoreError.invalid("run has no id") }
      // A run completes once, by the process that holds its lease: a second process that
      // resumed it anyway (before leases existed) must not store a second model.
      let status = try String.fetchOne(
        db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [runID])
      guard status == RunRecord.Status.running.rawValue, !leases.isHeldElsewhere(runID) else {
        throw StoreError.invalid(
          "run \(runID) was completed or resumed by another process; nothing stored")
      }
      var updated = run
      if var model {
        try model.insert(db)
        updated.modelId = model.id
      }
      try AssignmentRecord.filter(Column("run_id") == runID).deleteAll(db)
      for var a in assignments {
        a.runId = runID
        try a.insert(db)
      }
      updated.status = .complete
      updated.finishedAt = storeNow()
      try updated.update(db)
      try CheckpointRecord.filter(Column("run_id") == runID).deleteAll(db)
      return updated
    }
    if let id = run.id { leases.release(id) }
    return completed
  }

  /// Adds assignments to a complete run (the `assign` command), in one transaction.
  public func addAssignments(_ assignments: [AssignmentRecord]) throws {
    try writer.write { db in
      for a in assignments { try a.insert(db) }
    }
  }

  /// The run with this id, or the latest complete run when `id` is nil.
  public func run(id: Int64? = nil) throws -> RunRecord? {
    try writer.read { db in
      if let id { return try RunRecord.fetchOne(db, key: id) }
      return try RunRecord.filter(Column("status") == RunRecord.Status.complete.rawValue)
        .order(Column("id").desc).fetchOne(db)
    }
  }

  public func model(id: Int64) throws -> ModelRecord? {
    try writer.read { db in try ModelRecord.fetchOne(db, key: id) }
  }

  /// A run's assignments, in window order.
  public func assignments(runID: Int64) throws -> [AssignmentRecord] {
    try writer.read { db in
      try AssignmentRecord.filter(Column("run_id") == runID).order(Column("window_id")).fetchAll(db)
    }
  }

  /// How many of a run's windows each cluster holds (orphans, cluster -1, are not counted);
  /// clusters that hold none are absent.
  public func clusterSizes(runID: Int64) throws -> [Int: Int] {
    try writer.read { db in
      let rows = try Row.fetchAll(
        db,
        sql:
          "SELECT cluster, COUNT(*) AS n FROM assignments WHERE run_id = ? AND cluster >= 0 GROUP BY cluster",
        arguments: [runID])
      return Dictionary(uniqueKeysWithValues: rows.map { ($0["cluster"] as Int, $0["n"] as Int) })
    }
  }

  /// Saves (replacing) the resumable state of a running run.
  public func saveCheckpoint(_ checkpoint: CheckpointRecord) throws {
    try writer.write { db in try checkpoint.upsert(db) }
  }

  public func checkpoint(runID: Int64) throws -> CheckpointRecord? {
    try writer.read { db in try CheckpointRecord.filter(Column("run_id") == runID).fetchOne(db) }
  }

  /// The latest interrupted run: `running`, with no process holding its lease. Live runs (this
  /// store's own, or another process's) are skipped.
  public func interruptedRun() throws -> RunRecord? {
    try runningRuns().first { run in
      guard let id = run.id else { return false }
      return !leases.holds(id) && !leases.isHeldElsewhere(id)
    }
  }

  /// The latest interrupted run, with its lease taken for this store (for `--resume`): no other
  /// process can resume it or call it interrupted until it completes or this process ends.
  /// With `id`, that run only (`sweep --resume` continues its own run, not a later one).
  public func claimInterruptedRun(id wanted: Int64? = nil) throws -> RunRecord? {
    for run in try runningRuns() where wanted == nil || run.id == wanted {
      guard let id = run.id, !leases.holds(id), try leases.acquire(id) else { continue }
      // Taken: it may have completed between the listing and the lock.
      if try self.run(id: id)?.status == .running { return try self.run(id: id) }
      leases.release(id)
    }
    return nil
  }

  /// The cluster runs on window set `windowSetID` created at or after `since`, in the order
  /// they were made (`sweep --resume` looks there for the run it was training when it
  /// stopped).
  public func clusterRuns(windowSetID: Int64, since: String) throws -> [RunRecord] {
    try writer.read { db in
      try RunRecord.filter(
        Column("kind") == RunRecord.Kind.cluster.rawValue
          && Column("window_set_id") == windowSetID && Column("created_at") >= since
      ).order(Column("id")).fetchAll(db)
    }
  }

  /// Runs in state `running`, latest first.
  private func runningRuns() throws -> [RunRecord] {
    try writer.read { db in
      try RunRecord.filter(Column("status") == RunRecord.Status.running.rawValue)
        .order(Column("id").desc).fetchAll(db)
    }
  }

  /// Runs of `kind` in state `running` (under way here or elsewhere, or interrupted), latest
  /// first.
  public func runningRuns(kind: RunRecord.Kind) throws -> [RunRecord] {
    try runningRuns().filter { $0.kind == kind }
  }

  /// Runs in state `running` whose lease another process holds (they are being computed),
  /// latest first.
  public func runsLiveElsewhere() throws -> [RunRecord] {
    try runningRuns().filter { run in
      run.id.map { !leases.holds($0) && leases.isHeldElsewhere($0) } ?? false
    }
  }

  /// True when a process (this one included) holds the lease of run `id`: the run is live.
  public func isLive(runID id: Int64) -> Bool {
    leases.holds(id) || leases.isHeldElsewhere(id)
  }

  /// Records a run's history and summary while it runs (or after).
  /// Updates a run's row. A run marked failed loses its checkpoint in the same transaction:
  /// nothing resumes a failed run, and its network and optimiser state (megabytes) stayed in
  /// the store for good.
  public func updateRun(_ run: RunRecord) throws {
    try writer.write { db in
      try run.update(db)
      if run.status == .failed, let id = run.id {
        try CheckpointRecord.filter(Column("run_id") == id).deleteAll(db)
      }
    }
  }

  /// Deletes a complete cluster run that no other run derives from, with its assignments and
  /// its model, and makes window set `current` the current one, in one transaction (`cluster`
  /// discards a retrain it judged worse than the run before it). Its window set stays.
  public func discardRun(id: Int64, makingCurrent current: Int64, unlessNewer: Bool = false)
    throws
  {
    try writer.write { db in
      guard let run = try RunRecord.fetchOne(db, key: id), run.status == .complete,
        run.kind == .cluster
      else { throw StoreError.invalid("run \(id) is not a complete cluster run") }
      let children =
        try Int.fetchOne(
          db, sql: "SELECT count(*) FROM runs WHERE parent_run_id = ?", arguments: [id]) ?? 0
      guard children == 0 else { throw StoreError.invalid("run \(id) has runs made from it") }
      try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id])
      if let model = run.modelId {
        try db.execute(
          sql:
            "DELETE FROM models WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE model_id = ?)",
          arguments: [model, model])
      }
      // `unlessNewer`: a set built later (a larger id) than `current` that is current stays so
      // (a retrain settled on `cluster --resume` after the user built another set).
      if unlessNewer {
        _ = try Self.makeWindowSetCurrentUnlessNewer(id: current, in: db)
      } else {
        try Self.makeWindowSetCurrent(id: current, in: db)
      }
    }
  }
}

extension SeisStore {
  /// The complete runs made from run `id` (relabels name their source as parent), oldest first.
  public func completeRuns(parent id: Int64) throws -> [RunRecord] {
    try writer.read { db in
      try RunRecord.filter(Column("status") == RunRecord.Status.complete.rawValue)
        .filter(Column("parent_run_id") == id)
        .order(Column("id")).fetchAll(db)
    }
  }

  /// The latest complete run of a kind.
  public func latestRun(kind: RunRecord.Kind) throws -> RunRecord? {
    try writer.read { db in
      try RunRecord.filter(Column("status") == RunRecord.Status.complete.rawValue)
        .filter(Column("kind") == kind.rawValue)
        .order(Column("id").desc).fetchOne(db)
    }
  }
}

extension SeisStore {
  /// Why run `id` (the latest complete run when nil) cannot be read as a result, nil when it
  /// can: no such run, a run another process is still computing, an interrupted run (with how
  /// to finish it) or a failed one. `export`, `report`, `evaluate` and `assign` say the same.
  public func incompleteRunReason(id: Int64?) throws -> String? {
    guard let run = try run(id: id), let runID = run.id else {
      if let id { return "no run \(id) in the store" }
      // No complete run, but one under way or interrupted: say so, and how to finish it
      // (it said "run `seiscluster cluster` first", which starts another).
      let latest = try writer.read { db in
        try RunRecord.order(Column("id").desc).fetchOne(db)
      }
      if let latest, let latestID = latest.id, latest.status == .running,
        let why = try incompleteRunReason(id: latestID)
      {
        return "no complete run in the store: \(why)"
      }
      return "no complete run in the store: run `seiscluster cluster` first"
    }
    switch run.status {
    case .complete:
      return nil
    case .failed:
      return "run \(runID) failed: it holds no result"
    case .running where isLive(runID: runID):
      return "run \(runID) is still running in another process: wait for it to finish"
    case .running:
      return run.kind == .cluster
        ? "run \(runID) was interrupted: `seiscluster cluster --resume` finishes it"
        : "run \(runID) was interrupted: run `seiscluster relabel` again"
    }
  }
}
