import Foundation
import GRDB
import Seismic

// MARK: - Writing a window set window by window

/// Appends the windows of one new window set inside the transaction of
/// `SeisStore.writeWindowSet`, and reads stored segments in that same transaction (for
/// `windows build`: all database work of a build runs on one connection, one thread).
///
/// Valid only inside the `writeWindowSet` closure, on the thread that runs it.
public final class WindowSetWriter {
  let db: Database
  /// The id of the set being written.
  public let windowSetID: Int64
  /// C x L: the values every window holds.
  public let valuesPerWindow: Int
  /// Windows appended so far.
  public private(set) var count = 0
  private let insert: Statement

  init(db: Database, windowSetID: Int64, valuesPerWindow: Int) throws {
    self.db = db
    self.windowSetID = windowSetID
    self.valuesPerWindow = valuesPerWindow
    // Not the statement cache: a cached statement whose last run failed (a repeated key) would
    // throw that failure again in the next set written by this connection.
    insert = try db.makeStatement(
      sql: """
        INSERT INTO windows (window_set_id, window_key, pick_id, network, station, location,
                             channels, pick_time_ns, phase, start_ns, data)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
  }

  /// Stores `window` (its `windowSetId` is ignored: the window joins this set). Its samples
  /// must hold `valuesPerWindow` float32 values; its `windowKey` must be new in the set.
  public func append(_ window: WindowRecord) throws {
    try append(window, data: window.data)
  }

  /// Stores `window`'s metadata with `samples` (C x L float32, C order) as its samples.
  public func append(_ window: WindowRecord, samples: UnsafeBufferPointer<Float>) throws {
    try append(window, data: Data(buffer: samples))
  }

  private func append(_ w: WindowRecord, data: Data) throws {
    guard data.count == valuesPerWindow * 4 else {
      throw StoreError.invalid(
        "window \(w.windowKey) holds \(data.count / 4) values, expected \(valuesPerWindow)")
    }
    try insert.execute(arguments: [
      windowSetID, w.windowKey, w.pickId, w.network, w.station, w.location, w.channels,
      w.pickTimeNs, w.phase, w.startNs, data,
    ])
    count += 1
  }

  /// The stored segments of `source` whose samples overlap [from, to] (a segment touching
  /// either end counts), ordered by start time then id, without their samples: answered from
  /// the `segment_by_channel_span` index alone.
  public func segmentSpans(of source: SourceIdentifier, from: Timestamp, to: Timestamp) throws
    -> [SegmentSpan]
  {
    let statement = try db.cachedStatement(
      sql: """
        SELECT s.id, s.start_ns, s.end_ns FROM segment s
        WHERE s.channel_id = (SELECT id FROM channel WHERE network = ? AND station = ?
                                AND location = ? AND channel = ?)
          AND s.start_ns <= ? AND s.end_ns >= ?
        ORDER BY s.start_ns, s.id
        """)
    let rows = try Row.fetchCursor(
      statement,
      arguments: [
        source.network, source.station, source.location, source.channel, to.nanoseconds,
        from.nanoseconds,
      ])
    var spans: [SegmentSpan] = []
    while let row = try rows.next() {
      spans.append(
        SegmentSpan(
          id: row[0], startTime: Timestamp(nanoseconds: row[1]),
          endTime: Timestamp(nanoseconds: row[2])))
    }
    return spans
  }

  /// The stored rows of segments by id (samples still encoded: `SegmentRecord.segment(source:)`
  /// decodes them, on any thread), in the order given; unknown ids are left out.
  public func segmentRecords(ids: [Int64]) throws -> [SegmentRecord] {
    let statement = try db.cachedStatement(sql: "SELECT * FROM segment WHERE id = ?")
    return try ids.compactMap { try SegmentRecord.fetchOne(statement, arguments: [$0]) }
  }
}

/// Where a stored segment lies in time, without its samples.
public struct SegmentSpan: Sendable, Equatable {
  public var id: Int64
  /// Time of the first sample.
  public var startTime: Timestamp
  /// Time of the last sample.
  public var endTime: Timestamp

  public init(id: Int64, startTime: Timestamp, endTime: Timestamp) {
    self.id = id
    self.startTime = startTime
    self.endTime = endTime
  }
}

extension SeisStore {
  /// Stores a new window set in one transaction, its windows appended by `body` one by one
  /// (memory stays bounded by what `body` holds, not by the number of windows). When `body`
  /// returns having appended at least one window, the set is committed and becomes the current
  /// one (the previous current set stays in the store, no longer current), unless
  /// `makeCurrent` is false (a set `cluster` trains before it knows whether to keep it). When `body` throws,
  /// or appends no window, nothing is stored and the current set is unchanged; the error is
  /// rethrown, and an empty set returns nil.
  ///
  /// The transaction holds SQLite's write lock while `body` runs: another process that writes
  /// to the store waits (up to the 60 s busy timeout), readers do not.
  @discardableResult
  public func writeWindowSet(
    _ set: WindowSetRecord, makeCurrent: Bool = true, _ body: (WindowSetWriter) throws -> Void
  ) throws -> WindowSetRecord? {
    try writer.writeWithoutTransaction { db in
      var stored: WindowSetRecord?
      try db.inTransaction(.immediate) {
        var record = set
        record.isCurrent = false
        try record.insert(db)
        guard let id = record.id else { throw StoreError.invalid("window set has no id") }
        let appender = try WindowSetWriter(
          db: db, windowSetID: id, valuesPerWindow: set.channelCount * set.length)
        try body(appender)
        guard appender.count > 0 else { return .rollback }
        if makeCurrent {
          try db.execute(sql: "UPDATE window_sets SET is_current = 0 WHERE is_current")
          try db.execute(
            sql: "UPDATE window_sets SET is_current = 1 WHERE id = ?", arguments: [id])
          record.isCurrent = true
        }
        stored = record
        return .commit
      }
      return stored
    }
  }
}

// MARK: - Reading a window set in batches

/// A window set read in batches: the windows' metadata (no samples) in the order they were
/// stored (row id order: the build's pick order, an imported file's order), and
/// the samples of any list of windows, by ordinal (their position in that order), copied into
/// a buffer the caller owns. Memory stays bounded by the batch, whatever the size of the set:
/// the training code draws random minibatches of 32-256 windows from sets of 200 k windows,
/// `windows export` and `assign` walk the set in order.
///
/// The metadata is read when the reader is made; samples are read from the store at each call
/// (one indexed lookup per window, no query plan per call). A reader is safe to use from any
/// thread; each call is one read transaction.
public final class WindowSetReader: Sendable {
  public let store: SeisStore
  public let windowSet: WindowSetRecord
  /// The windows in stored order, their `data` empty: ordinal `i` is `windows[i]`.
  public let windows: [WindowRecord]
  /// Row ids in ordinal order.
  private let rowIDs: [Int64]

  /// N: the number of windows.
  public var count: Int { windows.count }
  /// C x L: the values each window holds.
  public var valuesPerWindow: Int { windowSet.channelCount * windowSet.length }

  init(store: SeisStore, windowSet: WindowSetRecord, windows: [WindowRecord]) {
    self.store = store
    self.windowSet = windowSet
    self.windows = windows
    self.rowIDs = windows.map { $0.id ?? -1 }
  }

  /// Copies the samples of the windows at `ordinals` (any order, repeats allowed) into
  /// `buffer`: window `ordinals[k]` fills values `k * valuesPerWindow ..< (k + 1) *
  /// valuesPerWindow` (N x C x L float32, C order). `buffer` must hold at least
  /// `ordinals.count * valuesPerWindow` values. Throws for an ordinal outside `0..<count`, a
  /// window deleted since the reader was made, or a blob of the wrong size.
  public func samples(ordinals: [Int], into buffer: UnsafeMutableBufferPointer<Float>) throws {
    let size = valuesPerWindow
    guard buffer.count >= ordinals.count * size else {
      throw StoreError.invalid(
        "buffer holds \(buffer.count) values, \(ordinals.count) windows need \(ordinals.count * size)"
      )
    }
    for ordinal in ordinals where !(0..<count).contains(ordinal) {
      throw StoreError.invalid("window ordinal \(ordinal) is outside 0..<\(count)")
    }
    let raw = UnsafeMutableRawBufferPointer(buffer)
    try store.writer.read { db in
      let statement = try db.cachedStatement(sql: "SELECT data FROM windows WHERE id = ?")
      for (k, ordinal) in ordinals.enumerated() {
        guard let row = try Row.fetchOne(statement, arguments: [rowIDs[ordinal]]) else {
          throw StoreError.invalid("window \(windows[ordinal].windowKey) is no longer stored")
        }
        try row.withUnsafeData(atIndex: 0) { data in
          guard let data, data.count == size * 4 else {
            throw StoreError.invalid(
              "window \(windows[ordinal].windowKey) blob has \(data?.count ?? 0) bytes, "
                + "expected \(size * 4)")
          }
          data.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: raw[(k * size * 4)...]))
        }
      }
    }
  }

  /// `samples(ordinals:into:)` for the consecutive windows `range`, read in one pass in stored
  /// order (what `windows export` and whole-set readers use).
  public func samples(range: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
    let size = valuesPerWindow
    guard range.lowerBound >= 0, range.upperBound <= count else {
      throw StoreError.invalid("windows \(range) are outside 0..<\(count)")
    }
    guard buffer.count >= range.count * size else {
      throw StoreError.invalid(
        "buffer holds \(buffer.count) values, \(range.count) windows need \(range.count * size)")
    }
    guard let first = range.first, let last = range.last else { return }
    let raw = UnsafeMutableRawBufferPointer(buffer)
    let setID = windowSet.id ?? -1
    try store.writer.read { db in
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT id, data FROM windows
          WHERE id BETWEEN ? AND ? AND +window_set_id = ? ORDER BY id
          """,
        arguments: [rowIDs[first], rowIDs[last], setID])
      var k = 0
      while let row = try rows.next() {
        let ordinal = first + k
        guard ordinal <= last, row[0] == rowIDs[ordinal] else {
          throw StoreError.invalid("window set \(setID) changed while it was read")
        }
        try row.withUnsafeData(atIndex: 1) { data in
          guard let data, data.count == size * 4 else {
            throw StoreError.invalid(
              "window \(windows[ordinal].windowKey) blob has \(data?.count ?? 0) bytes, "
                + "expected \(size * 4)")
          }
          data.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: raw[(k * size * 4)...]))
        }
        k += 1
      }
      guard k == range.count else {
        throw StoreError.invalid("window set \(setID) changed while it was read")
      }
    }
  }
}

extension SeisStore {
  /// A batch reader of window set `id`, or nil when there is no such set.
  public func windowSetReader(id: Int64) throws -> WindowSetReader? {
    let loaded: (WindowSetRecord, [WindowRecord])? = try writer.read { db in
      guard let set = try WindowSetRecord.fetchOne(db, key: id) else { return nil }
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT \(WindowRecord.metadataColumns) FROM windows WHERE window_set_id = ? ORDER BY id
          """, arguments: [id])
      var windows: [WindowRecord] = []
      while let row = try rows.next() { windows.append(WindowRecord(metadata: row)) }
      return (set, windows)
    }
    guard let (set, windows) = loaded else { return nil }
    return WindowSetReader(store: self, windowSet: set, windows: windows)
  }

  /// A batch reader of the current window set, or nil when there is none.
  public func currentWindowSetReader() throws -> WindowSetReader? {
    guard let id = try currentWindowSet()?.id else { return nil }
    return try windowSetReader(id: id)
  }
}
