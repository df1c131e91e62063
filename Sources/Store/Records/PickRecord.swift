import Foundation
import GRDB
import Seismic

/// A row of `picks`: an arrival time at a station, imported from a catalog or detected.
public struct PickRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "picks"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var id: Int64?
  public var network: String
  public var station: String
  public var location: String
  /// The channel the pick was made on, when the catalog says (its band and instrument codes
  /// choose the channel set of the window).
  public var channel: String?
  public var timeNs: Int64
  /// Empty when the catalog gives none.
  public var phase: String
  /// Free text kept from the catalog (a `label` column lands here; never used for clustering).
  public var note: String?
  /// Where the pick came from: a file path, or `detect`.
  public var origin: String
  public var createdAt: String

  public init(
    id: Int64? = nil, network: String, station: String, location: String, channel: String?,
    time: Timestamp, phase: String, note: String?, origin: String, createdAt: String = storeNow()
  ) {
    self.id = id
    self.network = network
    self.station = station
    self.location = location
    self.channel = channel
    self.timeNs = time.nanoseconds
    self.phase = phase
    self.note = note
    self.origin = origin
    self.createdAt = createdAt
  }

  /// Read column by column. The Codable decoding GRDB derives converted every column name from
  /// snake case for every row: 22 us a pick, 6.5 s of `picks list`'s 13.6 s on 300,000 picks.
  public init(row: Row) throws {
    id = try row.decode(Int64?.self, forColumn: "id")
    network = try row.decode(String.self, forColumn: "network")
    station = try row.decode(String.self, forColumn: "station")
    location = try row.decode(String.self, forColumn: "location")
    channel = try row.decode(String?.self, forColumn: "channel")
    timeNs = try row.decode(Int64.self, forColumn: "time_ns")
    phase = try row.decode(String.self, forColumn: "phase")
    note = try row.decode(String?.self, forColumn: "note")
    origin = try row.decode(String.self, forColumn: "origin")
    createdAt = try row.decode(String.self, forColumn: "created_at")
  }

  public var time: Timestamp { Timestamp(nanoseconds: timeNs) }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Now, as the ISO 8601 text stored in `created_at` columns.
public func storeNow() -> String {
  Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)).iso8601
}
