import Foundation
import GRDB

/// One stored window set as `windows list` shows it: its record, its size and what uses it.
public struct WindowSetSummary: Sendable {
  public var windowSet: WindowSetRecord
  public var windowCount: Int
  /// Bytes of the windows' samples.
  public var sampleBytes: Int
  /// Runs and sweeps that name the set, and runs whose assignments are to its windows (an
  /// `assign` of a later set by an earlier run).
  public var runIDs: [Int64]
  public var sweepIDs: [Int64]
  /// The unfinished ones among `runIDs`: `running` (a process computes it) or `interrupted`
  /// (no process does: `cluster --resume` finishes it).
  public var unfinished: [Int64: String] = [:]

  /// Whether a command may delete it: not current, and nothing uses it.
  public var isDeletable: Bool { !windowSet.isCurrent && runIDs.isEmpty && sweepIDs.isEmpty }
}

extension SeisStore {
  /// The runs that need window set `id`, in id order: those trained on it, those that
  /// assigned its windows, and unfinished runs that fall back to it (a run trained on the
  /// noise reference first names the set it was trained instead of as `first_over`; its
  /// `--resume` may discard it and train on that set again).
  static func runsUsing(windowSet id: Int64, in db: Database) throws -> [Int64] {
    var runs = Set(
      try Int64.fetchAll(
        db,
        sql: """
          SELECT id FROM runs WHERE window_set_id = ?1
          UNION
          SELECT DISTINCT a.run_id FROM assignments a JOIN windows w ON w.id = a.window_id
          WHERE w.window_set_id = ?1
          """, arguments: [id]))
    let pending = try Row.fetchAll(
      db,
      sql:
        "SELECT id, options_json FROM runs WHERE status = 'running' AND options_json LIKE '%first_over%'"
    )
    for row in pending {
      let json: String = row[1]
      if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
        (object["first_over"] as? NSNumber)?.int64Value == id
      {
        runs.insert(row[0])
      }
    }
    return runs.sorted()
  }

  /// The sweeps that name window set `id`, in id order.
  static func sweepsUsing(windowSet id: Int64, in db: Database) throws -> [Int64] {
    try Int64.fetchAll(
      db, sql: "SELECT id FROM sweeps WHERE window_set_id = ? ORDER BY id", arguments: [id])
  }

  /// Every stored window set, oldest first, with its size and the runs and sweeps that use it.
  public func windowSetSummaries() throws -> [WindowSetSummary] {
    let running = Set(
      try writer.read { db in
        try Int64.fetchAll(db, sql: "SELECT id FROM runs WHERE status = 'running'")
      })
    let unfinished = Dictionary(
      uniqueKeysWithValues: running.map { ($0, isLive(runID: $0) ? "running" : "interrupted") })
    return try writer.read { db in
      let sets = try WindowSetRecord.order(Column("id")).fetchAll(db)
      return try sets.map { set in
        let id = set.id ?? 0
        let size = try Row.fetchOne(
          db,
          sql:
            "SELECT count(*), coalesce(sum(length(data)), 0) FROM windows WHERE window_set_id = ?",
          arguments: [id])
        let runs = try Self.runsUsing(windowSet: id, in: db)
        let sweeps = try Self.sweepsUsing(windowSet: id, in: db)
        return WindowSetSummary(
          windowSet: set, windowCount: size?[0] ?? 0, sampleBytes: size?[1] ?? 0, runIDs: runs,
          sweepIDs: sweeps, unfinished: unfinished.filter { runs.contains($0.key) })
      }
    }
  }

  /// Deletes window sets `ids` and their windows, all or none, in one transaction. Refuses (a
  /// `StoreError.invalid` naming the first) a set that is not stored, is current, or that a
  /// run or sweep uses: runs keep their windows for `report`, `export` and `assign`. Returns
  /// the windows deleted.
  public func deleteWindowSets(_ ids: [Int64]) throws -> Int {
    try writer.write { db in
      for id in ids {
        guard let set = try WindowSetRecord.fetchOne(db, key: id) else {
          throw StoreError.invalid("window set \(id) is not stored")
        }
        if set.isCurrent {
          throw StoreError.invalid(
            "window set \(id) is the current set: build or import another first")
        }
        guard try Self.isUnused(windowSet: id, in: db) else {
          let runs = try Self.runsUsing(windowSet: id, in: db)
          let sweeps = try Self.sweepsUsing(windowSet: id, in: db)
          func named(_ what: String, _ ids: [Int64]) -> String? {
            ids.isEmpty
              ? nil
              : "\(what)\(ids.count == 1 ? "" : "s") \(ids.map(String.init).joined(separator: ", "))"
          }
          let users =
            [named("run", runs), named("sweep", sweeps)].compactMap { $0 }.joined(
              separator: " and ")
            + (runs.count + sweeps.count == 1 ? " uses it" : " use it")
          // Interrupted runs, with how to finish each (as `incompleteRunReason` says it; that
          // reads the store, which this write transaction cannot re-enter).
          let interrupted = try runs.compactMap { run -> String? in
            guard
              let row = try Row.fetchOne(
                db, sql: "SELECT status, kind FROM runs WHERE id = ?", arguments: [run]),
              (row[0] as String) == RunRecord.Status.running.rawValue, !isLive(runID: run)
            else { return nil }
            return (row[1] as String) == RunRecord.Kind.cluster.rawValue
              ? "run \(run) was interrupted: `seiscluster cluster --resume` finishes it"
              : "run \(run) was interrupted: run `seiscluster relabel` again"
          }
          let resume = interrupted.map { "; " + $0 }.joined()
          throw StoreError.invalid(
            "window set \(id) is kept: \(users) (a run's report, export and assign read its windows)\(resume)"
          )
        }
      }
      var deleted = 0
      for id in Set(ids) {
        try db.execute(sql: "DELETE FROM windows WHERE window_set_id = ?", arguments: [id])
        deleted += db.changesCount
        try db.execute(sql: "DELETE FROM window_sets WHERE id = ?", arguments: [id])
      }
      return deleted
    }
  }
}
