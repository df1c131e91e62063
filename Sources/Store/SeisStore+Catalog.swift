import GRDB

/// One assigned window of a run with its pick's channel: the row every catalog is made of.
public struct CatalogRow: Decodable, Sendable, FetchableRecord {
  public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy
    .convertFromSnakeCase

  public var windowSetId: Int64
  public var windowKey: Int64
  public var network: String
  public var station: String
  public var location: String
  public var channels: String
  public var pickTimeNs: Int64?
  public var phase: String
  public var startNs: Int64?
  public var pickChannel: String?
  public var cluster: Int
  public var probability: Double
  public var distance: Double
  public var label: String?
  public var labelProbability: Double?
  public var isHandLabelled: Bool

  /// Read by column position, in the order of `catalogRows`'s SELECT: the Codable decoding GRDB
  /// derives converted every column name from snake case for every row (a tenth of an export).
  public init(row: Row) throws {
    windowSetId = try row.decode(atIndex: 0)
    windowKey = try row.decode(atIndex: 1)
    network = try row.decode(atIndex: 2)
    station = try row.decode(atIndex: 3)
    location = try row.decode(atIndex: 4)
    channels = try row.decode(atIndex: 5)
    pickTimeNs = try row.decode(atIndex: 6)
    phase = try row.decode(atIndex: 7)
    startNs = try row.decode(atIndex: 8)
    pickChannel = try row.decode(atIndex: 9)
    cluster = try row.decode(atIndex: 10)
    probability = try row.decode(atIndex: 11)
    distance = try row.decode(atIndex: 12)
    label = try row.decode(atIndex: 13)
    labelProbability = try row.decode(atIndex: 14)
    isHandLabelled = try row.decode(atIndex: 15)
  }
}

extension SeisStore {
  /// A run's window set and its assigned windows joined with their picks, in window order, read
  /// in one transaction (nil set when the run names a set that is gone). The columns' order is
  /// `CatalogRow.init(row:)`'s.
  public func catalogRows(runID: Int64, windowSetID: Int64) throws -> (
    WindowSetRecord?, [CatalogRow]
  ) {
    try writer.read { db in
      let set = try WindowSetRecord.fetchOne(db, key: windowSetID)
      let rows = try CatalogRow.fetchAll(
        db,
        sql: """
          SELECT w.window_set_id, w.window_key, w.network, w.station, w.location, w.channels,
                 w.pick_time_ns, w.phase, w.start_ns, p.channel AS pick_channel,
                 a.cluster, a.probability, a.distance, a.label, a.label_probability,
                 a.is_hand_labelled
          FROM assignments a
          JOIN windows w ON w.id = a.window_id
          LEFT JOIN picks p ON p.id = w.pick_id
          WHERE a.run_id = ?
          ORDER BY w.window_set_id, w.id
          """, arguments: [runID])
      return (set, rows)
    }
  }
}
