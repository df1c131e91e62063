/// What a waveform file holds: its format, one segment per continuous run of samples, and notes
/// about what was read but stored as no segment (text records, records without samples, skipped
/// bytes).
public struct WaveformContents: Sendable {
  public var format: WaveformFormat
  /// Continuous runs of samples, in the order the file yields them (gaps and overlaps split).
  public var segments: [Segment]
  /// One line each: what produced no segment, and why.
  public var notes: [String]

  public init(format: WaveformFormat, segments: [Segment], notes: [String]) {
    self.format = format
    self.segments = segments
    self.notes = notes
  }

  /// Total samples over every segment.
  public var sampleCount: Int { segments.reduce(0) { $0 + $1.sampleCount } }
}
