import Foundation
import GRDB
import Seismic

/// A row of `windows`: one window of a set, its pick and its C x L float32 samples.
public struct WindowRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord
{
  public static let databaseTableName = "windows"
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase
  public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy
    .convertToSnakeCase

  public var id: Int64?
  public var windowSetId: Int64
  /// The user-facing `window_id`: unique within its set (imported ids are kept).
  public var windowKey: Int64
  public var pickId: Int64?
  public var network: String
  public var station: String
  public var location: String
  /// The channels of the window in order, comma-separated (`HHZ,HHN,HHE`).
  public var channels: String
  public var pickTimeNs: Int64?
  public var phase: String
  /// Time of the first sample, when the window was cut from stored traces.
  public var startNs: Int64?
  /// C x L float32, little-endian, C order.
  public var data: Data

  public init(
    id: Int64? = nil, windowSetId: Int64, windowKey: Int64, pickId: Int64?, network: String,
    station: String, location: String, channels: String, pickTime: Timestamp?, phase: String,
    startTime: Timestamp?, samples: [Float]
  ) {
    self.id = id
    self.windowSetId = windowSetId
    self.windowKey = windowKey
    self.pickId = pickId
    self.network = network
    self.station = station
    self.location = location
    self.channels = channels
    self.pickTimeNs = pickTime?.nanoseconds
    self.phase = phase
    self.startNs = startTime?.nanoseconds
    self.data = samples.withUnsafeBytes { Data($0) }
  }

  public var pickTime: Timestamp? { pickTimeNs.map(Timestamp.init(nanoseconds:)) }

  /// The window's samples (C x L).
  public var samples: [Float] {
    var out = [Float](repeating: 0, count: data.count / 4)
    _ = out.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return out
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension WindowRecord {
  /// The columns `init(metadata:)` reads, in its order: every column but the samples.
  static let metadataColumns =
    "id, window_set_id, window_key, pick_id, network, station, location, channels, "
    + "pick_time_ns, phase, start_ns"

  /// A window's metadata from a row of `metadataColumns`, its `data` empty. Decoded column by
  /// column: GRDB's Codable decoding took most of the time at 200 k rows.
  init(metadata row: Row) {
    self.init(
      id: row[0], windowSetId: row[1], windowKey: row[2], pickId: row[3], network: row[4],
      station: row[5], location: row[6], channels: row[7],
      pickTime: (row[8] as Int64?).map(Timestamp.init(nanoseconds:)), phase: row[9],
      startTime: (row[10] as Int64?).map(Timestamp.init(nanoseconds:)), samples: [])
  }
}
