import Seismic

/// A station of the demo network: its codes, rate, instrument and how its samples are stored.
public struct DemoStation: Sendable, Equatable {
  /// The response the synthetic ground velocity goes through.
  public enum Instrument: String, Sendable {
    /// Flat to velocity over the band of interest.
    case broadband
    /// A 1 Hz short-period sensor: two-pole high-pass at 1 Hz.
    case shortPeriod
  }

  public var network: String
  public var station: String
  public var location: String
  /// Band and instrument codes (`HH`, `BH`, `EH`).
  public var bandCode: String
  /// Orientation codes in component order: `ZNE` or `Z12`.
  public var orientation: String
  public var samplingRate: Double
  public var instrument: Instrument
  /// `.int32` counts (as a digitiser writes them) or `.float32` samples.
  public var sampleType: SampleType
  /// Counts per m/s.
  public var gain: Double
  /// RMS of the station's short-period noise in m/s.
  public var noiseLevel: Double

  /// The three channel codes in component order (vertical first).
  public var channels: [String] { orientation.map { bandCode + String($0) } }

  /// The identifier of component `index` (0 = vertical).
  public func source(component index: Int) -> SourceIdentifier {
    SourceIdentifier(
      network: network, station: station, location: location, channel: channels[index])
  }
}
