import GRDB
import Seismic

extension SeisStore {
  /// Stores picks in one transaction; a pick already stored (same station, location, time and
  /// phase) changes nothing. Returns how many were new.
  @discardableResult
  public func insertPicks(_ picks: [PickRecord]) throws -> Int {
    try writer.write { db in try Self.insert(picks, db) }
  }

  /// SQLite's page cache for a large pick insert, in KiB. The default (2,000 KiB) holds only
  /// 31 of the store's 64 KiB pages, too few for the picks' two indexes: 1 M picks re-read and
  /// re-wrote pages through the write-ahead log for half of their import.
  static let pickInsertCacheKiB = 65_536

  /// Inserts `picks` with one prepared statement (a record's `insert` encodes each row through
  /// Codable: 1 M picks took 25 s of a 70 s import that way). Returns how many were new.
  static func insert(_ picks: [PickRecord], _ db: Database) throws -> Int {
    let previous = picks.count > 10_000 ? try Int.fetchOne(db, sql: "PRAGMA cache_size") : nil
    if previous != nil { try db.execute(sql: "PRAGMA cache_size = -\(pickInsertCacheKiB)") }
    defer {
      if let previous {
        try? db.execute(sql: "PRAGMA cache_size = \(previous); PRAGMA shrink_memory")
      }
    }
    let statement = try db.makeStatement(
      sql: """
        INSERT OR IGNORE INTO picks
          (network, station, location, channel, time_ns, phase, note, origin, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    var inserted = 0
    for pick in picks {
      try statement.execute(arguments: [
        pick.network, pick.station, pick.location, pick.channel, pick.timeNs, pick.phase,
        pick.note, pick.origin, pick.createdAt,
      ])
      if db.changesCount > 0 { inserted += 1 }
    }
    return inserted
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

  /// The stored picks whose time is not a whole microsecond: triggers `detect` stored to the
  /// nanosecond before it rounded them as every other pick is (few, or none).
  public func picksOffTheMicrosecond() throws -> [PickRecord] {
    try writer.read { db in
      try PickRecord.fetchAll(db, sql: "SELECT * FROM picks WHERE time_ns % 1000 != 0")
    }
  }

  /// Whether the store holds any trace segment and any pick: what a user new to it has yet to
  /// do (`ingest`, `picks import`) before windows can be cut.
  public func holdsTracesAndPicks() throws -> (traces: Bool, picks: Bool) {
    try writer.read { db in
      (
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM segment)") ?? false,
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM picks)") ?? false
      )
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

  /// Removes the picks of `phase` and `origin` (each matched exactly; nil matches any), in one
  /// transaction, returning how many went. Windows built from them stay, with their pick's
  /// time and phase; their `pick_id` becomes NULL.
  @discardableResult
  public func deletePicks(phase: String?, origin: String?) throws -> Int {
    try writer.write { db in
      var request = PickRecord.all()
      if let phase { request = request.filter(Column("phase") == phase) }
      if let origin { request = request.filter(Column("origin") == origin) }
      return try request.deleteAll(db)
    }
  }

  /// How many picks are stored.
  public func pickCount() throws -> Int {
    try writer.read { db in try PickRecord.fetchCount(db) }
  }

  /// Sets the note of picks `ids` (`detect` records its settings there).
  public func setPickNotes(ids: [Int64], note: String) throws {
    try writer.write { db in
      let statement = try db.makeStatement(sql: "UPDATE picks SET note = ? WHERE id = ?")
      for id in ids { try statement.execute(arguments: [note, id]) }
    }
  }

  /// Deletes the picks with ids `deleting` and inserts `inserting`, in one transaction (`detect`
  /// again: picks it finds again keep their ids, so windows built from them keep theirs).
  /// Returns how many were deleted and inserted.
  public func updatePicks(deleting ids: [Int64], inserting picks: [PickRecord]) throws
    -> (deleted: Int, inserted: Int)
  {
    try writer.write { db in
      let statement = try db.makeStatement(sql: "DELETE FROM picks WHERE id = ?")
      var deleted = 0
      for id in ids {
        try statement.execute(arguments: [id])
        deleted += db.changesCount
      }
      return (deleted, try Self.insert(picks, db))
    }
  }
}
