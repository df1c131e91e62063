import Foundation
import GRDB

extension SeisStore {
  /// Stores a new sweep (its runs follow one by one as they finish).
  public func createSweep(_ sweep: SweepRecord) throws -> SweepRecord {
    try writer.write { db in
      var stored = sweep
      try stored.insert(db)
      return stored
    }
  }

  /// Deletes a sweep that has no run (one whose first run failed), so that it never becomes
  /// the latest sweep; a sweep with runs is kept.
  public func deleteSweepWithoutRuns(id: Int64) throws {
    try writer.write { db in
      guard try SweepRunRecord.filter(Column("sweep_id") == id).fetchCount(db) == 0 else {
        return
      }
      _ = try SweepRecord.deleteOne(db, key: id)
    }
  }

  /// Adds a finished run to its sweep.
  public func addSweepRun(_ row: SweepRunRecord) throws {
    try writer.write { db in try row.insert(db) }
  }

  /// The sweep with this id, or the latest sweep when `id` is nil.
  public func sweep(id: Int64? = nil) throws -> SweepRecord? {
    try writer.read { db in
      if let id { return try SweepRecord.fetchOne(db, key: id) }
      return try SweepRecord.order(Column("id").desc).fetchOne(db)
    }
  }

  /// Takes the lease of sweep `id` for this store while it trains (see `RunLeases`): no other
  /// process resumes it meanwhile. Returns false when another process holds it.
  public func acquireSweepLease(id: Int64) throws -> Bool {
    try leases.acquire(named: "sweep\(id)")
  }

  /// Gives the lease of sweep `id` up.
  public func releaseSweepLease(id: Int64) { leases.release(named: "sweep\(id)") }

  /// Whether run `id` belongs to a sweep.
  public func isInSweep(runID id: Int64) throws -> Bool {
    try writer.read { db in
      try SweepRunRecord.filter(Column("run_id") == id).fetchCount(db) > 0
    }
  }

  /// A sweep's runs in sweep order.
  public func sweepRuns(sweepID: Int64) throws -> [SweepRunRecord] {
    try writer.read { db in
      try SweepRunRecord.filter(Column("sweep_id") == sweepID).order(Column("position"))
        .fetchAll(db)
    }
  }
}
