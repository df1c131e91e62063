import Seismic

/// A stretch of samples of one channel with no gap inside, joined from one or more stored
/// segments (possibly from different files).
///
/// Joining rules (`ContiguousRun.join`): segments are taken in start-time order; a segment whose
/// first sample falls where the run's next sample is due, from half a sample period early to
/// less than half a sample late, extends the run (ObsPy's `merge` rounds the difference away
/// from zero). A segment that starts later than that leaves a gap and starts a new run. A segment
/// that starts earlier overlaps the run: when its samples agree exactly with the run's samples at
/// the nearest times (less than half a sample period off, as ObsPy's `merge` rounds: MiniSEED 2
/// without blockette 1001 stamps records to 100 µs, a tenth of a sample at 1 kHz), the overlap
/// is dropped and the rest appended; where some of them disagree, the stretches that differ
/// are conflicts (the run keeps its own samples, and windows over a conflict are skipped);
/// when its samples fall halfway between the run's, or it starts before the run, the whole
/// overlapping interval is a conflict. Segments of the same channel at different sampling
/// rates (more than 1 ppm apart) never join; where runs at two rates overlap in time, the
/// overlap is a conflict. The run's grid is its first segment's start and
/// rate, so a rate off by float32 precision drifted off later files' start times (a SAC DELTA
/// is read as the rate it stands for since stop 39, decision 0004).
public struct ContiguousRun: Sendable, Equatable {
  /// Time of the first sample.
  public var startTime: Timestamp
  /// Samples per second.
  public var samplingRate: Double
  /// The samples, as Double.
  public var samples: [Double]

  public init(startTime: Timestamp, samplingRate: Double, samples: [Double]) {
    self.startTime = startTime
    self.samplingRate = samplingRate
    self.samples = samples
  }

  /// Nanoseconds between samples.
  public var periodNanoseconds: Double { 1e9 / samplingRate }

  /// Time of sample `index` (rounded to the nanosecond).
  public func time(ofSample index: Int) -> Timestamp {
    startTime.adding(nanoseconds: Int64((Double(index) * periodNanoseconds).rounded()))
  }

  /// Time of the last sample.
  public var endTime: Timestamp { time(ofSample: max(samples.count - 1, 0)) }

  /// The fractional sample index of `time` on this run's grid.
  public func position(of time: Timestamp) -> Double {
    Double(time.nanoseconds(since: startTime)) / periodNanoseconds
  }

  /// Whether the run holds samples at every grid point from `from` to `to` (half a sample of
  /// tolerance at each end).
  public func covers(from: Timestamp, to: Timestamp) -> Bool {
    guard !samples.isEmpty else { return false }
    return position(of: from) >= -0.5 && position(of: to) <= Double(samples.count - 1) + 0.5
  }

  /// Whether the run has any sample within [from, to].
  public func overlaps(from: Timestamp, to: Timestamp) -> Bool {
    !samples.isEmpty && startTime <= to && endTime >= from
  }

  /// A time interval where two stored segments of a channel disagree: the times the later
  /// segment stamps its first and last overlapping samples, which `join` pairs with the run's
  /// samples nearest to them (up to half a sample period off).
  public struct Conflict: Sendable, Equatable {
    public var from: Timestamp
    public var to: Timestamp
    /// The channel's sampling rate: the disputed samples lie within half a period of the
    /// interval.
    public var samplingRate: Double
    /// For runs at two rates that overlap: the other rate (the two rates are what conflicts).
    public var otherRate: Double? = nil

    /// The interval widened by half a sample period each side: every disputed sample's time
    /// on any grid of this rate lies inside.
    public var widened: (from: Timestamp, to: Timestamp) {
      let half = 0.5 / samplingRate
      return (from.adding(seconds: -half), to.adding(seconds: half))
    }
  }

  /// The runs made by joining `segments` (one channel), in time order, and the intervals where
  /// overlapping segments disagree.
  public static func join(_ segments: [Segment]) -> (runs: [ContiguousRun], conflicts: [Conflict]) {
    let ordered = segments.filter { $0.samplingRate > 0 && $0.sampleCount > 0 }
      .sorted { $0.startTime < $1.startTime }
    var runs: [ContiguousRun] = []
    var conflicts: [Conflict] = []
    for segment in ordered {
      let values = segment.samples.doubles
      // Find the latest run at the same rate this segment could extend or overlap.
      guard
        let r = runs.lastIndex(where: {
          abs($0.samplingRate - segment.samplingRate) <= 1e-6 * segment.samplingRate
        })
      else {
        runs.append(
          ContiguousRun(
            startTime: segment.startTime, samplingRate: segment.samplingRate, samples: values))
        continue
      }
      let run = runs[r]
      let offset = run.position(of: segment.startTime)
      let next = Double(run.samples.count)
      // Due within half a sample joins, as ObsPy's `merge` rounds the difference away from
      // zero: half a sample early joins, half a sample late is a gap of one sample.
      if offset - next >= -0.5 && offset - next < 0.5 {
        runs[r].samples += values
      } else if offset > next {
        runs.append(
          ContiguousRun(
            startTime: segment.startTime, samplingRate: segment.samplingRate, samples: values))
      } else {
        // Overlap: the segment's first sample lies inside the run.
        let index = Int(offset.rounded())
        // Off the run's grid by less than half a sample: the same samples, stamped apart by
        // the records' time resolution (they must still agree one by one below).
        let aligned = abs(offset - Double(index)) < 0.5
        let overlapCount = min(run.samples.count - max(index, 0), values.count)
        if aligned && index >= 0 {
          // On the run's grid: the conflicts are the stretches where the samples differ, not the
          // whole overlap (a corrected file with one sample changed skipped every window over
          // the 5.7 hours the two copies share; a review's daily workflow). Stretches less than
          // a second apart are one, and past `maximumConflicts` the overlap is one.
          let differing = Self.differingStretches(
            run.samples, from: index, values, count: overlapCount,
            mergeGap: max(1, Int(segment.samplingRate.rounded())))
          for stretch in differing {
            conflicts.append(
              Conflict(
                from: segment.time(ofSample: stretch.lowerBound),
                to: segment.time(ofSample: stretch.upperBound),
                samplingRate: segment.samplingRate))
          }
          if values.count > overlapCount { runs[r].samples += values[overlapCount...] }
        } else {
          let overlapEnd = min(run.endTime, segment.endTime)
          conflicts.append(
            Conflict(from: segment.startTime, to: overlapEnd, samplingRate: segment.samplingRate))
          // Keep the later segment's samples beyond the run as a run of their own.
          if segment.endTime > run.endTime {
            let after = Int((run.endTime.nanoseconds(since: segment.startTime)).magnitude)
            let first = Int((Double(after) / segment.samplePeriodNanoseconds).rounded(.down)) + 1
            if first < values.count {
              runs.append(
                ContiguousRun(
                  startTime: segment.time(ofSample: first), samplingRate: segment.samplingRate,
                  samples: Array(values[first...])))
            }
          }
        }
      }
    }
    // Runs of one channel at two rates that overlap in time are two records of the same time
    // that cannot both be right: a conflict over their overlap (a review found the run that
    // started first used in silence, though ingest had said such windows are skipped).
    let order = runs.indices.sorted { runs[$0].startTime < runs[$1].startTime }
    for (position, i) in order.enumerated() {
      for j in order[(position + 1)...] {
        guard runs[j].startTime <= runs[i].endTime else { break }
        let (a, b) = (runs[i], runs[j])
        guard abs(a.samplingRate - b.samplingRate) > 1e-6 * max(a.samplingRate, b.samplingRate)
        else { continue }
        conflicts.append(
          Conflict(
            from: b.startTime, to: min(a.endTime, b.endTime),
            samplingRate: min(a.samplingRate, b.samplingRate),
            otherRate: max(a.samplingRate, b.samplingRate)))
      }
    }
    return (runs, conflicts)
  }

  /// The most conflicts one overlap is told apart into; past it, the stretch from the first
  /// differing sample to the last is one.
  static let maximumConflicts = 1000

  /// The stretches of `values[0..<count]` (indexes into `values`) that differ from
  /// `run[from + k]`, stretches fewer than `mergeGap` samples apart taken as one.
  static func differingStretches(
    _ run: [Double], from: Int, _ values: [Double], count: Int, mergeGap: Int
  ) -> [ClosedRange<Int>] {
    var stretches: [ClosedRange<Int>] = []
    for k in 0..<count where run[from + k] != values[k] {
      if let last = stretches.last, k - last.upperBound <= mergeGap {
        stretches[stretches.count - 1] = last.lowerBound...k
      } else {
        stretches.append(k...k)
      }
    }
    if stretches.count > maximumConflicts, let first = stretches.first, let last = stretches.last {
      return [first.lowerBound...last.upperBound]
    }
    return stretches
  }
}

extension ContiguousRun {
  /// What `join` returns: the runs of one channel in time order, and the intervals where
  /// overlapping segments disagree.
  public typealias Joined = (runs: [ContiguousRun], conflicts: [Conflict])
}
