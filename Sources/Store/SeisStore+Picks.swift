import GRDB
import Seismic

extension SeisStore {
  /// Stores picks in one transaction; a pick already stored (same station, location, time and
  /// phase) changes nothing. Returns how many were new.
  @discardableResult
  public func insertPicks(_ picks: [PickRecord]) throws -> Int {
    try writer.write { db in
      var inserted = 0
      for var pick in picks {
        try pick.insert(db, onConflict: .ignore)
        if db.changesCount > 0 { inserted += 1 }
      }
      return inserted
    }
  }

  /// Every stored pick, optionally of one phase and within [from, before), in time order.
  public func picks(phase: String? = nil, from: Timestamp? = nil, before: Timestamp? = nil)
    throws -> [PickRecord]
  {
    try writer.read { db in
      var request = PickRecord.order(Column("time_ns"), Column("network"), Column("station"))
      if let phase { request = request.filter(Column("phase") == phase) }
      if let from { request = request.filter(Column("time_ns") >= from.nanoseconds) }
      if let before { request = request.filter(Column("time_ns") < before.nanoseconds) }
      return try request.fetchAll(db)
    }
  }

  /// The distinct `(network, station, location)` of every stored pick.
  public func pickStations() throws -> [(network: String, station: String, location: String)] {
    try writer.read { db in
      try Row.fetchAll(
        db, sql: "SELECT DISTINCT network, station, location FROM picks ORDER BY 1, 2, 3"
      ).map { ($0[0], $0[1], $0[2]) }
    }
  }

  /// How many picks each stored phase has, most first (then by name).
  public func pickPhaseCounts() throws -> [(phase: String, count: Int)] {
    try writer.read { db in
      try Row.fetchAll(
        db, sql: "SELECT phase, COUNT(*) FROM picks GROUP BY phase ORDER BY 2 DESC, 1"
      ).map { ($0[0], $0[1]) }
    }
  }

  /// Removes every pick of a phase (for re-running `detect`), returning how many went.
  @discardableResult
  public func deletePicks(phase: String) throws -> Int {
    try writer.write { db in try PickRecord.filter(Column("phase") == phase).deleteAll(db) }
  }

  /// Deletes the picks of `phase` that came from `origin` (picks imported with the same phase
  /// stay), and inserts `picks`, in one transaction. Returns how many were deleted and inserted.
  public func replacePicks(phase: String, origin: String, with picks: [PickRecord]) throws
    -> (deleted: Int, inserted: Int)
  {
    try writer.write { db in
      let deleted = try PickRecord.filter(Column("phase") == phase && Column("origin") == origin)
        .deleteAll(db)
      var inserted = 0
      for var pick in picks {
        try pick.insert(db, onConflict: .ignore)
        if db.changesCount > 0 { inserted += 1 }
      }
      return (deleted, inserted)
    }
  }
}
