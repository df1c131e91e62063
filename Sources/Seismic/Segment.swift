/// Samples as a file holds them: integers stay integers, floats keep their width.
public enum Samples: Sendable, Equatable {
  case int32([Int32])
  case float32([Float])
  case float64([Double])

  public var count: Int {
    switch self {
    case .int32(let v): v.count
    case .float32(let v): v.count
    case .float64(let v): v.count
    }
  }

  public var sampleType: SampleType {
    switch self {
    case .int32: .int32
    case .float32: .float32
    case .float64: .float64
    }
  }

  /// The samples as Double (exact for every case).
  public var doubles: [Double] {
    switch self {
    case .int32(let v): v.map(Double.init)
    case .float32(let v): v.map(Double.init)
    case .float64(let v): v
    }
  }
}

public enum SampleType: String, Sendable, Codable, CaseIterable {
  case int32, float32, float64
  public var byteWidth: Int { self == .float64 ? 8 : 4 }
}

/// One continuous run of samples of one channel: no gap and no overlap inside.
public struct Segment: Sendable, Equatable {
  public var source: SourceIdentifier
  /// Time of the first sample.
  public var startTime: Timestamp
  /// Samples per second (0 is legal in SEED and means "not a time series").
  public var samplingRate: Double
  public var samples: Samples
  /// The MiniSEED data quality of the records it came from (`D`, `R`, `Q` or `M`, one of
  /// `Segment.dataQualities`, as ObsPy's `stats.mseed.dataquality`); nil when the source has none
  /// (SAC, a store row from before migration 0009). Records of one channel with different
  /// qualities never join one segment.
  public var quality: Character?

  public init(
    source: SourceIdentifier, startTime: Timestamp, samplingRate: Double, samples: Samples,
    quality: Character? = nil
  ) {
    self.source = source
    self.startTime = startTime
    self.samplingRate = samplingRate
    self.samples = samples
    self.quality = quality
  }

  /// The data qualities of MiniSEED 2 (SEED 2.4 field 2 of the fixed header; libmseed 2 reads
  /// no record with another): raw `D`, raw `R`, quality-controlled `Q`, modified `M`.
  public static let dataQualities: Set<Character> = ["D", "R", "Q", "M"]

  public var sampleCount: Int { samples.count }

  /// Nanoseconds between samples (0 when the rate is 0).
  public var samplePeriodNanoseconds: Double { samplingRate > 0 ? 1e9 / samplingRate : 0 }

  /// Time of the last sample (ObsPy's `endtime`).
  public var endTime: Timestamp { time(ofSample: max(sampleCount - 1, 0)) }

  /// Time of sample `index`, rounded to the nanosecond.
  public func time(ofSample index: Int) -> Timestamp {
    startTime.adding(nanoseconds: Int64((Double(index) * samplePeriodNanoseconds).rounded()))
  }
}

extension Segment {
  /// The largest magnitude, in nanoseconds, a time or a span may have here: a little under
  /// `Int64.max` (about 292 years either side of 1970, so 1678..2261), leaving room for rounding.
  public static let representableNanoseconds: Double = 9.2e18
  /// `representableNanoseconds` either side of 1970, in words.
  public static let representableRange = "1678-06-18T12:26:40Z to 2261-07-15T11:33:20Z"

  /// Why the times of this segment cannot be computed (its last sample, or the span from the
  /// first to the last, falls outside what Int64 nanoseconds hold), or nil when they can.
  /// Readers refuse such segments so that `endTime` never overflows.
  public var timeRangeProblem: String? {
    let span = Double(max(sampleCount - 1, 0)) * samplePeriodNanoseconds
    let end = Double(startTime.nanoseconds) + span
    let limit = Segment.representableNanoseconds
    guard samplingRate.isFinite, samplingRate >= 0, span.isFinite, span < limit, abs(end) < limit
    else {
      return "\(sampleCount) samples at \(samplingRate) Hz from \(startTime.iso8601) end beyond "
        + "the representable times (\(Segment.representableRange))"
    }
    return nil
  }
}
