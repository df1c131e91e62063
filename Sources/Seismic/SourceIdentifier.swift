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

  /// A location code as stored: `--`, FDSN's way of writing the blank code (some writers put
  /// it in MiniSEED and SAC headers), is the blank code, as pick files and index CSVs read it;
  /// otherwise data stored under `--` could never be selected by a pick.
  public static func storedLocation(_ code: String) -> String { code == "--" ? "" : code }

  /// `NET.STA.LOC.CHA`
  public var id: String { "\(network).\(station).\(location).\(channel)" }
  public var description: String { id }

  public static func < (a: SourceIdentifier, b: SourceIdentifier) -> Bool {
    (a.network, a.station, a.location, a.channel) < (b.network, b.station, b.location, b.channel)
  }
}
