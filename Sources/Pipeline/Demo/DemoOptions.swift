/// Settings of the synthetic demo data set (`seiscluster demo`).
public struct DemoOptions: Sendable, Equatable {
  /// Number of events (one pick each) spread over the stations.
  public var eventCount: Int
  /// Number of stations (they cycle through the station templates: 50/100/200 Hz, broadband and
  /// short-period, Int32 counts and Float samples, ZNE and Z12 orientation).
  public var stationCount: Int
  /// Fraction of events that are teleseismic; the rest are local.
  public var teleseismicFraction: Double
  /// Peak signal-to-noise ratios are drawn log-uniformly from this range.
  public var signalToNoise: ClosedRange<Double>
  /// Seed of every random choice: the same seed gives the same data set.
  public var seed: UInt64

  public init(
    eventCount: Int = 300, stationCount: Int = 5, teleseismicFraction: Double = 0.45,
    signalToNoise: ClosedRange<Double> = 5...100, seed: UInt64 = 0
  ) {
    self.eventCount = eventCount
    self.stationCount = stationCount
    self.teleseismicFraction = teleseismicFraction
    self.signalToNoise = signalToNoise
    self.seed = seed
  }
}
