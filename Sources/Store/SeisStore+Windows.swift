import Foundation
import GRDB
import Seismic

/// A window set with its windows, in window order, and their samples as one N x C x L tensor.
public struct WindowSetContents: Sendable {
  public var windowSet: WindowSetRecord
  /// Window rows in stored order; their `data` blobs are emptied (the samples are in
  /// `samples`).
  public var windows: [WindowRecord]
  /// N x C x L float32, C order.
  public var samples: [Float]

  public var count: Int { windows.count }
  public var windowSize: Int { windowSet.channelCount * windowSet.length }

  public init(windowSet: WindowSetRecord, windows: [WindowRecord], samples: [Float]) {
    self.windowSet = windowSet
    self.windows = windows
    self.samples = samples
  }
}

extension SeisStore {
  /// Stores `windows` as a new window set and makes it the current one, in one transaction.
  /// Each window's samples must hold `set.channelCount * set.length` values.
  @discardableResult
  public func replaceCurrentWindowSet(_ set: WindowSetRecord, windows: [WindowRecord]) throws
    -> WindowSetRecord
  {
    let size = set.channelCount * set.length * 4
    for w in windows where w.data.count != size {
      throw StoreError.invalid(
        "window \(w.windowKey) holds \(w.data.count / 4) values, expected \(size / 4)")
    }
    return try writer.write { db in
      try db.execute(sql: "UPDATE window_sets SET is_current = 0 WHERE is_current")
      var stored = set
      stored.isCurrent = true
      try stored.insert(db)
      guard let setID = stored.id else { throw StoreError.invalid("window set has no id") }
      for var w in windows {
        w.windowSetId = setID
        try w.insert(db)
      }
      return stored
    }
  }

  /// After a command that built `sets` failed: makes `previous` the current set again (when
  /// the current one is one of `sets` on which no complete run stands) and deletes those of
  /// `sets` that nothing uses, in one transaction; returns the sets deleted.
  /// A failed `cluster --kernels 1000` left its 2,000 spectrograms (66 MB) where no command
  /// reaches them. Deleted is only what no one can have used:
  /// - nothing when a run was stored since the command began (`lastRun`: the latest run id
  ///   then), by it or by another process: a run, even failed or interrupted, may name a set
  ///   in its options (the window reference of a run trained first on the noise reference);
  /// - no set that a run or sweep names, or whose windows hold any run's assignments (another
  ///   process's `assign` while the set was current).
  @discardableResult
  public func abandonWindowSets(_ sets: [Int64], restoring previous: Int64?, lastRun: Int64?)
    throws -> [Int64]
  {
    try writer.write { db in
      // The previous set is current again only where the current set is one the command built
      // and no complete run stands on it (a sweep that kept finished runs keeps its set
      // current); a set another process built since stays current.
      if let now = try Self.currentWindowSetID(in: db), sets.contains(now),
        try Int.fetchOne(
          db, sql: "SELECT count(*) FROM runs WHERE window_set_id = ? AND status = 'complete'",
          arguments: [now]) == 0
      {
        try Self.makeWindowSetCurrent(id: previous, in: db)
      }
      guard try Self.latestRunID(in: db) == lastRun else { return [] }
      var deleted: [Int64] = []
      for id in sets where id != previous {
        guard try Self.isUnused(windowSet: id, in: db) else { continue }
        try db.execute(sql: "DELETE FROM windows WHERE window_set_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM window_sets WHERE id = ?", arguments: [id])
        deleted.append(id)
      }
      return deleted
    }
  }

  /// The latest run's id (any kind and status), or nil when there is none.
  public func latestRunID() throws -> Int64? {
    try writer.read { db in try Self.latestRunID(in: db) }
  }

  static func latestRunID(in db: Database) throws -> Int64? {
    try Int64.fetchOne(db, sql: "SELECT max(id) FROM runs")
  }

  /// Whether no sweep names window set `id` and no run needs it (`runsUsing`).
  static func isUnused(windowSet id: Int64, in db: Database) throws -> Bool {
    try sweepsUsing(windowSet: id, in: db).isEmpty && runsUsing(windowSet: id, in: db).isEmpty
  }

  /// Window set `id`'s record alone (no windows), if any.
  public func windowSet(id: Int64) throws -> WindowSetRecord? {
    try writer.read { db in try WindowSetRecord.fetchOne(db, key: id) }
  }

  /// Makes window set `id` the current one again (nil: no set is current), in one
  /// transaction: a command that built a set and then failed leaves the current set as it was.
  public func makeWindowSetCurrent(id: Int64?) throws {
    try writer.write { db in try Self.makeWindowSetCurrent(id: id, in: db) }
  }

  /// Makes window set `id` current unless a newer set (a larger id: built later) is current,
  /// in one transaction; returns whether `id` is current now. A run that stands is made
  /// current once it is settled, perhaps on `cluster --resume` after a kill: a set the user
  /// built meanwhile stays current.
  @discardableResult
  public func makeWindowSetCurrentUnlessNewer(id: Int64) throws -> Bool {
    try writer.write { db in try Self.makeWindowSetCurrentUnlessNewer(id: id, in: db) }
  }

  /// The same inside a transaction already open (`discardRun`).
  static func makeWindowSetCurrentUnlessNewer(id: Int64, in db: Database) throws -> Bool {
    if let current = try currentWindowSetID(in: db), current > id { return false }
    try makeWindowSetCurrent(id: id, in: db)
    return true
  }

  /// The current set's id, if a set is current.
  static func currentWindowSetID(in db: Database) throws -> Int64? {
    try Int64.fetchOne(db, sql: "SELECT id FROM window_sets WHERE is_current")
  }

  /// The same inside a transaction already open (`discardRun`).
  static func makeWindowSetCurrent(id: Int64?, in db: Database) throws {
    try db.execute(sql: "UPDATE window_sets SET is_current = 0 WHERE is_current")
    if let id {
      try db.execute(sql: "UPDATE window_sets SET is_current = 1 WHERE id = ?", arguments: [id])
    }
  }

  /// The current window set, if any.
  public func currentWindowSet() throws -> WindowSetRecord? {
    try writer.read { db in try WindowSetRecord.filter(Column("is_current") == true).fetchOne(db) }
  }

  /// A window set's windows and samples (the whole set in memory: `windowSetReader` reads one
  /// in batches).
  public func windowSetContents(id: Int64) throws -> WindowSetContents? {
    guard let reader = try windowSetReader(id: id) else { return nil }
    var samples = [Float](repeating: 0, count: reader.count * reader.valuesPerWindow)
    try samples.withUnsafeMutableBufferPointer {
      try reader.samples(range: 0..<reader.count, into: $0)
    }
    return WindowSetContents(
      windowSet: reader.windowSet, windows: reader.windows, samples: samples)
  }

  /// The current window set's windows and samples, if there is a current set.
  public func currentWindowSetContents() throws -> WindowSetContents? {
    guard let id = try currentWindowSet()?.id else { return nil }
    return try windowSetContents(id: id)
  }
}

/// A store operation that would break an invariant.
public enum StoreError: Error, CustomStringConvertible, Sendable {
  case invalid(String)
  /// The store at `path` cannot be used (one line: why).
  case unusable(path: String, reason: String)
  public var description: String {
    switch self {
    case .invalid(let why): why
    case .unusable(let path, let reason): "\(path): \(reason)"
    }
  }
}

extension SeisStore {
  /// Windows by database id (any set), in the order given, their `data` empty (metadata only,
  /// read in chunks of 10,000 ids: a run of 200 k windows neither loads its samples nor
  /// exceeds SQLite's limit on a statement's arguments); unknown ids are left out.
  public func windows(ids: [Int64]) throws -> [WindowRecord] {
    try writer.read { db in
      var byID: [Int64: WindowRecord] = [:]
      var start = 0
      while start < ids.count {
        let chunk = Array(ids[start..<min(ids.count, start + 10_000)])
        let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
        let rows = try Row.fetchCursor(
          db,
          sql: "SELECT \(WindowRecord.metadataColumns) FROM windows WHERE id IN (\(marks))",
          arguments: StatementArguments(chunk))
        while let row = try rows.next() {
          let window = WindowRecord(metadata: row)
          if let id = window.id { byID[id] = window }
        }
        start += chunk.count
      }
      return ids.compactMap { byID[$0] }
    }
  }

  /// The stored samples (C x L float32, little-endian) of the windows `ids`, by id, read in
  /// one statement; unknown ids are left out. Callers pass a few hundred at a time.
  public func windowData(ids: [Int64]) throws -> [Int64: Data] {
    guard !ids.isEmpty else { return [:] }
    return try writer.read { db in
      let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
      var out: [Int64: Data] = [:]
      let rows = try Row.fetchCursor(
        db, sql: "SELECT id, data FROM windows WHERE id IN (\(marks))",
        arguments: StatementArguments(ids))
      while let row = try rows.next() { out[row[0]] = row[1] }
      return out
    }
  }
}
