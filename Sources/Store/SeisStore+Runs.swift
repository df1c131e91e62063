import Foundation
import GRDB

extension SeisStore {
  /// Creates a run in state `running`.
  public func createRun(_ run: RunRecord) throws -> RunRecord {
    try writer.write { db in
      var stored = run
      try stored.insert(db)
      return stored
    }
  }

  /// Completes a run in one transaction: its model, its per-window assignments, history and
  /// summary, and removes its checkpoint. A run is never visible half-written as complete.
  public func completeRun(
    _ run: RunRecord, model: ModelRecord?, assignments: [AssignmentRecord]
  ) throws -> RunRecord {
    try writer.write { db in
      var updated = run
      if var model {
        try model.insert(db)
        updated.modelId = model.id
      }
      guard let runID = run.id else { throw StoreError.invalid("run has no id") }
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

  /// Saves (replacing) the resumable state of a running run.
  public func saveCheckpoint(_ checkpoint: CheckpointRecord) throws {
    try writer.write { db in try checkpoint.upsert(db) }
  }

  public func checkpoint(runID: Int64) throws -> CheckpointRecord? {
    try writer.read { db in try CheckpointRecord.filter(Column("run_id") == runID).fetchOne(db) }
  }

  /// The latest run still `running` (interrupted), for `--resume`.
  public func interruptedRun() throws -> RunRecord? {
    try writer.read { db in
      try RunRecord.filter(Column("status") == RunRecord.Status.running.rawValue)
        .order(Column("id").desc).fetchOne(db)
    }
  }

  /// Records a run's history and summary while it runs (or after).
  public func updateRun(_ run: RunRecord) throws {
    try writer.write { db in try run.update(db) }
  }
}

extension SeisStore {
  /// The latest complete run of a kind.
  public func latestRun(kind: RunRecord.Kind) throws -> RunRecord? {
    try writer.read { db in
      try RunRecord.filter(Column("status") == RunRecord.Status.complete.rawValue)
        .filter(Column("kind") == kind.rawValue)
        .order(Column("id").desc).fetchOne(db)
    }
  }
}
