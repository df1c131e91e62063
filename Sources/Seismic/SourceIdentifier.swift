/// A SEED channel identifier, `NET.STA.LOC.CHA` as ObsPy's `Trace.id`.
public struct SourceIdentifier: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var network: String
  public var station: String
  /// Empty for the blank location code.
  public var location: String
  public var channel: String

  public init(network: String, station: String, location: String, channel: String) {
    self.network = network
    self.station = station
    self.location = location
    self.channel = channel
  }

  /// `NET.STA.LOC.CHA`
  public var id: String { "\(network).\(station).\(location).\(channel)" }
  public var description: String { id }

  public static func < (a: SourceIdentifier, b: SourceIdentifier) -> Bool {
    (a.network, a.station, a.location, a.channel) < (b.network, b.station, b.location, b.channel)
  }
}
