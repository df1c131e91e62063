import Foundation
import GRDB
import Seismic

/// What `storeFile` did with a file.
public enum StoreFileOutcome: Sendable, Equatable {
  /// Stored as a new source file with this many segments.
  case stored(fileID: Int64, segmentCount: Int)
  /// A file with the same content (SHA-256) is already stored, under this path.
  case alreadyStored(path: String)
}

/// One file to store: where it came from, its content hash, and its segments, encoded.
public struct FileToStore: Sendable {
  public var path: String
  public var size: Int64
  /// Lower-case hexadecimal SHA-256 of the file's bytes.
  public var sha256: String
  public var format: WaveformFormat
  public var segments: [EncodedSegment]
  /// The SHA-256 of stored files this one supersedes: earlier versions of it whose every stored
  /// sample it holds unchanged (a day file that grew). They are removed, with their segments,
  /// in the savepoint that stores this file, so the store never holds neither or both.
  public var replacing: [String]
  /// The path it was read at, absolute, symbolic links resolved (`SourceFileRecord`).
  public var resolvedPath: String?

  public init(
    path: String, size: Int64, sha256: String, format: WaveformFormat,
    segments: [EncodedSegment], replacing: [String] = [], resolvedPath: String? = nil
  ) {
    self.path = path
    self.size = size
    self.sha256 = sha256
    self.format = format
    self.segments = segments
    self.replacing = replacing
    self.resolvedPath = resolvedPath
  }
}

/// The statements that store files, compiled once per group of files: a file costs a handful of
/// bound executions, not a query plan each. (Not the connection's statement cache: a cached
/// statement whose last run failed would throw that failure again at its next run.)
struct TraceStatements {
  let findFile: Statement
  let insertFile: Statement
  let findChannel: Statement
  let insertChannel: Statement
  let insertSegment: Statement
  let deleteFile: Statement

  init(_ db: Database) throws {
    findFile = try db.makeStatement(sql: "SELECT path FROM source_file WHERE sha256 = ?")
    insertFile = try db.makeStatement(
      sql: """
        INSERT INTO source_file (path, size, sha256, format, ingested_at, resolved_path)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    findChannel = try db.makeStatement(
      sql: """
        SELECT id FROM channel WHERE network = ? AND station = ? AND location = ? AND channel = ?
        """)
    insertChannel = try db.makeStatement(
      sql: "INSERT INTO channel (network, station, location, channel) VALUES (?, ?, ?, ?)")
    insertSegment = try db.makeStatement(
      sql: """
        INSERT INTO segment (file_id, channel_id, start_ns, end_ns, sampling_rate, sample_count,
                             sample_type, sample_encoding, samples, quality)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    // The segments go with their file (`ON DELETE CASCADE`).
    deleteFile = try db.makeStatement(sql: "DELETE FROM source_file WHERE sha256 = ?")
  }

  /// The id of the channel row for `source`, inserting it when new.
  func channelID(for source: SourceIdentifier, db: Database) throws -> Int64 {
    let codes: StatementArguments = [
      source.network, source.station, source.location, source.channel,
    ]
    if let id = try Int64.fetchOne(findChannel, arguments: codes) { return id }
    try insertChannel.execute(arguments: codes)
    return db.lastInsertedRowID
  }

  /// Stores one file (the caller holds the transaction or savepoint). Channels are looked up
  /// in `known`, then `added`, then the database; new ones are put in `added`.
  func store(
    _ file: FileToStore, ingestedAt: String, known: [SourceIdentifier: Int64],
    added: inout [SourceIdentifier: Int64], db: Database
  ) throws -> StoreFileOutcome {
    if let existing = try String.fetchOne(findFile, arguments: [file.sha256]) {
      return .alreadyStored(path: existing)
    }
    try insertFile.execute(arguments: [
      file.path, file.size, file.sha256, file.format.rawValue, ingestedAt, file.resolvedPath,
    ])
    let fileID = db.lastInsertedRowID
    for segment in file.segments {
      let channelID: Int64
      if let id = known[segment.source] ?? added[segment.source] {
        channelID = id
      } else {
        channelID = try self.channelID(for: segment.source, db: db)
        added[segment.source] = channelID
      }
      let r = segment.record
      try insertSegment.execute(arguments: [
        fileID, channelID, r.startNanoseconds, r.endNanoseconds, r.samplingRate, r.sampleCount,
        r.sampleType, r.sampleEncoding, r.samples, r.quality,
      ])
    }
    for earlier in file.replacing where earlier != file.sha256 {
      try deleteFile.execute(arguments: [earlier])
    }
    return .stored(fileID: fileID, segmentCount: file.segments.count)
  }
}

/// A stored segment without its samples (for listings).
public struct SegmentSummary: Sendable, Equatable {
  public var id: Int64
  public var source: SourceIdentifier
  public var startTime: Timestamp
  /// Time of the last sample.
  public var endTime: Timestamp
  public var samplingRate: Double
  public var sampleCount: Int
  public var sampleType: SampleType
  /// The path of the file it came from, as given at ingest.
  public var filePath: String
}

extension SeisStore {
  /// Stores a file's segments in one transaction: the file row, any new channels and every
  /// segment, or nothing at all when any insert fails. A file whose SHA-256 is already stored
  /// is skipped (nothing written) and reported as `.alreadyStored`.
  @discardableResult
  public func storeFile(
    path: String, size: Int64, sha256: String, format: WaveformFormat, segments: [Segment],
    ingestedAt: Date = Date()
  ) throws -> StoreFileOutcome {
    try storeFile(
      path: path, size: size, sha256: sha256, format: format,
      encoded: segments.map(EncodedSegment.init), ingestedAt: ingestedAt)
  }

  /// `storeFile` for segments already encoded (`EncodedSegment`).
  @discardableResult
  public func storeFile(
    path: String, size: Int64, sha256: String, format: WaveformFormat,
    encoded segments: [EncodedSegment], ingestedAt: Date = Date()
  ) throws -> StoreFileOutcome {
    let file = FileToStore(
      path: path, size: size, sha256: sha256, format: format, segments: segments)
    let outcomes = try storeFiles([file], ingestedAt: ingestedAt)
    return try outcomes[0].get()
  }

  /// Stores several files in one transaction, each in a savepoint of its own: a file whose
  /// inserts fail is rolled back to its savepoint (nothing of it stays, its error is its
  /// outcome) while the others are kept; the transaction then commits every file that
  /// succeeded at once. Should the commit itself fail (a full disk), nothing of any file is
  /// stored and the error is thrown. So no file is ever half-stored, and a process killed
  /// mid-group leaves the files of the group unstored, to be stored by a re-run
  /// (docs/decisions/0012-ingest-commits-groups-of-whole-files.md).
  ///
  /// A file whose SHA-256 is already stored (by an earlier group, another process, or earlier in
  /// this group) stores nothing and is `.alreadyStored`. Outcomes come in the order of `files`.
  public func storeFiles(_ files: [FileToStore], ingestedAt: Date = Date()) throws
    -> [Result<StoreFileOutcome, any Error>]
  {
    guard !files.isEmpty else { return [] }
    let stamp = Timestamp(seconds: ingestedAt.timeIntervalSince1970).iso8601
    return try writer.write { db in
      var statements = try TraceStatements(db)
      var channelIDs: [SourceIdentifier: Int64] = [:]
      var outcomes: [Result<StoreFileOutcome, any Error>] = []
      outcomes.reserveCapacity(files.count)
      for file in files {
        var added: [SourceIdentifier: Int64] = [:]
        var outcome = StoreFileOutcome.alreadyStored(path: "")
        do {
          try db.inSavepoint {
            outcome = try statements.store(
              file, ingestedAt: stamp, known: channelIDs, added: &added, db: db)
            return .commit
          }
          channelIDs.merge(added) { old, _ in old }
          outcomes.append(.success(outcome))
        } catch {
          // A failure of the storage itself (full disk, I/O error) fails every next file too, and
          // SQLite may have rolled the whole transaction back on it (then the files before this
          // one are not stored either): the group fails as one.
          if SeisStore.isStorageFailure(error) || !db.isInsideTransaction { throw error }
          outcomes.append(.failure(error))
          // A statement whose last run failed reports that failure again when next run:
          // the next file gets fresh ones.
          statements = try TraceStatements(db)
        }
      }
      return outcomes
    }
  }

  /// The id of the channel row for `source`, inserting it when new.
  static func channelID(for source: SourceIdentifier, in db: Database) throws -> Int64 {
    try TraceStatements(db).channelID(for: source, db: db)
  }

  /// Every stored channel (sorted by codes), each with the distinct sampling rates of its
  /// segments.
  public func channels() throws -> [ChannelRecord] {
    try writer.read { db in
      var channels = try ChannelRecord.order(
        Column("network"), Column("station"), Column("location"), Column("channel")
      ).fetchAll(db)
      let rows = try Row.fetchAll(
        db, sql: "SELECT DISTINCT channel_id, sampling_rate FROM segment ORDER BY sampling_rate")
      var rates: [Int64: [Double]] = [:]
      for row in rows {
        rates[row["channel_id"], default: []].append(row["sampling_rate"])
      }
      for i in channels.indices {
        channels[i].samplingRates = channels[i].id.flatMap { rates[$0] } ?? []
      }
      return channels
    }
  }

  /// Every stored segment of `source` that overlaps [from, to] (a segment touching either end
  /// counts), samples decoded, ordered by start time (then id).
  public func segments(of source: SourceIdentifier, from: Timestamp, to: Timestamp) throws
    -> [Segment]
  {
    try writer.read { db in
      let records = try SegmentRecord.fetchAll(
        db,
        sql: """
          SELECT segment.* FROM segment JOIN channel ON channel.id = segment.channel_id
          WHERE channel.network = ? AND channel.station = ? AND channel.location = ?
            AND channel.channel = ? AND segment.start_ns <= ? AND segment.end_ns >= ?
          ORDER BY segment.start_ns, segment.id
          """,
        arguments: [
          source.network, source.station, source.location, source.channel, to.nanoseconds,
          from.nanoseconds,
        ])
      return try records.map { try $0.segment(source: source) }
    }
  }

  /// Every stored segment without samples, ordered by codes, start time and id.
  public func segmentSummaries() throws -> [SegmentSummary] {
    try writer.read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT s.id, c.network, c.station, c.location, c.channel, s.start_ns, s.end_ns,
                 s.sampling_rate, s.sample_count, s.sample_type, f.path
          FROM segment s JOIN channel c ON c.id = s.channel_id
          JOIN source_file f ON f.id = s.file_id
          ORDER BY c.network, c.station, c.location, c.channel, s.start_ns, s.id
          """)
      return rows.map { row in
        SegmentSummary(
          id: row[0],
          source: SourceIdentifier(
            network: row[1], station: row[2], location: row[3], channel: row[4]),
          startTime: Timestamp(nanoseconds: row[5]), endTime: Timestamp(nanoseconds: row[6]),
          samplingRate: row[7], sampleCount: row[8],
          sampleType: SampleType(rawValue: row[9]) ?? .float64, filePath: row[10])
      }
    }
  }

  /// One stored segment with its samples, or nil when there is no such id.
  public func segment(id: Int64) throws -> Segment? {
    try writer.read { db in
      guard let record = try SegmentRecord.fetchOne(db, key: id),
        let channel = try ChannelRecord.fetchOne(db, key: record.channelID)
      else { return nil }
      return try record.segment(source: channel.source)
    }
  }

  /// The path under which content with this SHA-256 is stored, or nil.
  public func storedFilePath(sha256: String) throws -> String? {
    try writer.read { db in
      try String.fetchOne(
        db, sql: "SELECT path FROM source_file WHERE sha256 = ?", arguments: [sha256])
    }
  }

  /// The segments stored from the file with content `sha256`, with their samples, in no
  /// particular order (none when no such file is stored).
  public func segments(fileSHA256 sha256: String) throws -> [Segment] {
    try writer.read { db in
      let records = try SegmentRecord.fetchAll(
        db,
        sql: """
          SELECT s.* FROM segment s JOIN source_file f ON f.id = s.file_id WHERE f.sha256 = ?
          """, arguments: [sha256])
      var sources: [Int64: SourceIdentifier] = [:]
      return try records.map { record in
        if sources[record.channelID] == nil {
          sources[record.channelID] = try ChannelRecord.fetchOne(db, key: record.channelID)?.source
        }
        guard let source = sources[record.channelID] else {
          throw SampleBlob.Error(reason: "segment \(record.id ?? -1): no channel row")
        }
        return try record.segment(source: source)
      }
    }
  }

  /// Removes the stored files with these contents (SHA-256) and their segments, in one
  /// transaction; returns how many were stored.
  @discardableResult
  public func removeFiles(sha256 digests: [String]) throws -> Int {
    guard !digests.isEmpty else { return 0 }
    return try writer.write { db in
      var removed = 0
      for digest in digests {
        try db.execute(sql: "DELETE FROM source_file WHERE sha256 = ?", arguments: [digest])
        removed += db.changesCount
      }
      return removed
    }
  }

  /// The stored source files, by id.
  public func sourceFiles() throws -> [SourceFileRecord] {
    try writer.read { db in try SourceFileRecord.order(Column("id")).fetchAll(db) }
  }
}
