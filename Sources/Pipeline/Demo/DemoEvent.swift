import Seismic

/// What the generator put into the data for one pick: the truth and the hidden parameters that
/// tests and reports may check (onset, SNR, S-P time).
public struct DemoEvent: Sendable, Equatable {
  /// The pick this event belongs to (same order as `DemoDataset.picks`).
  public var pick: DemoPick
  public var kind: DemoEventKind
  /// True onset of the P wave (the pick differs from it by the picking error).
  public var onset: Timestamp
  /// Peak of the event on the vertical component above 1 Hz over the station's short-period
  /// noise RMS.
  public var signalToNoise: Double
  /// Seconds from P to S for local events; nil for teleseismic ones.
  public var sMinusP: Double?
  /// Source corner frequency in Hz.
  public var cornerFrequency: Double
}
