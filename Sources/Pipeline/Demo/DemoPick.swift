import Seismic

/// One pick of the demo data set, as a row of `picks.csv`
/// (`network,station,location,channel,time,phase`).
public struct DemoPick: Sendable, Equatable {
  public var network: String
  public var station: String
  /// Empty for the blank location code.
  public var location: String
  /// The vertical channel the pick was made on (for example `HHZ`).
  public var channel: String
  /// Pick time: the true onset plus picking error, on a whole microsecond.
  public var time: Timestamp
  public var phase: String

  public init(
    network: String, station: String, location: String, channel: String, time: Timestamp,
    phase: String
  ) {
    self.network = network
    self.station = station
    self.location = location
    self.channel = channel
    self.time = time
    self.phase = phase
  }
}
