import GRDB
import Seismic

/// A row of `channel`: one SEED channel.
public struct ChannelRecord: Sendable, Equatable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "channel"

  public var id: Int64?
  public var network: String
  public var station: String
  public var location: String
  public var channel: String
  /// The distinct sampling rates of the channel's stored segments, ascending. Filled by
  /// `SeisStore.channels()`; not a column.
  public var samplingRates: [Double] = []

  public init(source: SourceIdentifier, id: Int64? = nil) {
    self.id = id
    network = source.network
    station = source.station
    location = source.location
    channel = source.channel
  }

  public var source: SourceIdentifier {
    SourceIdentifier(network: network, station: station, location: location, channel: channel)
  }

  public init(row: Row) throws {
    id = row["id"]
    network = row["network"]
    station = row["station"]
    location = row["location"]
    channel = row["channel"]
  }

  public func encode(to container: inout PersistenceContainer) throws {
    container["id"] = id
    container["network"] = network
    container["station"] = station
    container["location"] = location
    container["channel"] = channel
  }

}
