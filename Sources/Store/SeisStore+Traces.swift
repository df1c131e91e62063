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
    try writer.write { db in
      if let existing = try SourceFileRecord.filter(Column("sha256") == sha256).fetchOne(db) {
        return .alreadyStored(path: existing.path)
      }
      let file = SourceFileRecord(
        path: path, size: size, sha256: sha256, format: format.rawValue,
        ingestedAt: Timestamp(seconds: ingestedAt.timeIntervalSince1970).iso8601)
      try file.insert(db)
      let fileID = db.lastInsertedRowID
      var channelIDs: [SourceIdentifier: Int64] = [:]
      for segment in segments {
        let channelID: Int64
        if let known = channelIDs[segment.source] {
          channelID = known
        } else {
          channelID = try Self.channelID(for: segment.source, in: db)
          channelIDs[segment.source] = channelID
        }
        var record = segment.record
        record.fileID = fileID
        record.channelID = channelID
        try record.insert(db)
      }
      return .stored(fileID: fileID, segmentCount: segments.count)
    }
  }

  /// The id of the channel row for `source`, inserting it when new.
  static func channelID(for source: SourceIdentifier, in db: Database) throws -> Int64 {
    let match = ChannelRecord.filter(
      Column("network") == source.network && Column("station") == source.station
        && Column("location") == source.location && Column("channel") == source.channel)
    if let existing = try match.fetchOne(db), let id = existing.id { return id }
    try ChannelRecord(source: source).insert(db)
    return db.lastInsertedRowID
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

  /// The stored source files, by id.
  public func sourceFiles() throws -> [SourceFileRecord] {
    try writer.read { db in try SourceFileRecord.order(Column("id")).fetchAll(db) }
  }
}
