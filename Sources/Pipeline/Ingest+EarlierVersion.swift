import Seismic

extension Ingest {
  /// How a file read at a stored path relates to the version stored before under that path.
  enum EarlierVersion: Equatable, Sendable {
    /// Every stored sample of the earlier version is in the new file, at its time and with its
    /// value: a day file that grew as a real-time archive appends to it, or the same samples
    /// in other records. The new file supersedes it and nothing is lost.
    case contained
    /// No stored segment of it overlaps one of the new file's on a channel (another station's
    /// file under the same relative name): the two have nothing to do with each other.
    case apart
    /// They overlap and agree wherever both have samples, but it holds samples that the new
    /// file lacks (a file cut shorter).
    case holdsMore
    /// The same values, but at times off by more than `sameTimeShare` of a sample and less
    /// than half of one (a clock correction): by this many nanoseconds (the new file's times
    /// minus the stored ones', the largest in magnitude). `windows build` joins them as the
    /// same samples, on the stored version's times.
    case shifted(nanoseconds: Int64)
    /// The same channel and time at another sampling rate (this one, the stored version's).
    case otherRate(Double)
    /// Somewhere they hold other samples for the same channel and time (a corrected file).
    case conflicting
  }

  /// How far apart, as a share of the sample period, a stored sample's time and the new sample's
  /// may lie and still be one sample: MiniSEED 2 keeps times to 100 µs (1 % of a sample at
  /// 100 Hz), and a rewritten SAC file's float B may move its start by a few µs. A file moved by
  /// more (a timing correction) holds the same values at other times: not contained.
  static let sameTimeShare = 0.01

  /// Compares the segments stored from an earlier version of a file with those the new file
  /// will store (the finite runs of its usable segments: a segment the new file reads but cannot
  /// store contains nothing). A stored segment is matched against the new segments of its
  /// channel that overlap it: their rates must be equal (to 1e-9), the new segment must have a
  /// sample at the stored one's time (within `sameTimeShare` of a sample, or 1 µs), and there
  /// each stored sample must equal the new one: the same bits for two floats of one width, the
  /// same value and sign compared as Double otherwise (an integer and an equal float match).
  /// Contained when every stored sample is matched so.
  static func compare(stored: [Segment], with new: [Segment]) -> EarlierVersion {
    var byChannel: [SourceIdentifier: [Segment]] = [:]
    for segment in new where segment.sampleCount > 0 {
      byChannel[segment.source, default: []].append(segment)
    }
    var overlapped = false
    var lacking = false
    var moved: Int64 = 0
    for old in stored where old.sampleCount > 0 {
      var covered: [Range<Int>] = []
      for candidate in byChannel[old.source] ?? [] {
        guard candidate.startTime <= old.endTime, old.startTime <= candidate.endTime else {
          continue
        }
        overlapped = true
        let rate = old.samplingRate
        guard rate > 0, abs(candidate.samplingRate - rate) <= 1e-9 * rate else {
          return .otherRate(rate)
        }
        // The new file's sample at the earlier version's first one: the offset in whole
        // nanoseconds first (as Double, epoch times lose their last digits), then in samples.
        let period = old.samplePeriodNanoseconds
        let (difference, overflow) = old.startTime.nanoseconds.subtractingReportingOverflow(
          candidate.startTime.nanoseconds)
        guard !overflow else { continue }
        let offset = Double(difference)
        let steps = (offset / period).rounded()
        guard abs(steps) < 1e15 else { continue }
        let shift = Int(steps)
        // Sample `shift` of the new segment as it times it (to the nanosecond, as stored times),
        // minus the stored sample's time.
        let aligned = (Double(steps) * period).rounded() - Double(difference)
        if abs(aligned) > max(1000, sameTimeShare * period), abs(aligned) > abs(Double(moved)) {
          moved = Int64(aligned)
        }
        let first = max(0, -shift)
        let end = min(old.sampleCount, candidate.sampleCount - shift)
        guard first < end else { continue }
        guard samplesEqual(old.samples, first..<end, candidate.samples, shift: shift) else {
          return .conflicting
        }
        covered.append(first..<end)
      }
      if !Ingest.covers(covered, count: old.sampleCount) { lacking = true }
    }
    if !overlapped { return .apart }
    if moved != 0 { return .shifted(nanoseconds: moved) }
    return lacking ? .holdsMore : .contained
  }

  /// True when the ranges together cover `0..<count`.
  static func covers(_ ranges: [Range<Int>], count: Int) -> Bool {
    var reached = 0
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if range.lowerBound > reached { return false }
      reached = max(reached, range.upperBound)
    }
    return reached >= count
  }

  /// True when `a[i]` and `b[i + shift]` are the same sample for every `i` in `range`: the same
  /// bits for two floats of one width (so -0.0 is not 0.0), the same value and sign as Double
  /// otherwise.
  static func samplesEqual(_ a: Samples, _ range: Range<Int>, _ b: Samples, shift: Int) -> Bool {
    func value(_ samples: Samples, _ i: Int) -> Double {
      switch samples {
      case .int32(let v): Double(v[i])
      case .float32(let v): Double(v[i])
      case .float64(let v): v[i]
      }
    }
    switch (a, b) {
    case (.int32(let x), .int32(let y)):
      return range.allSatisfy { x[$0] == y[$0 + shift] }
    case (.float32(let x), .float32(let y)):
      return range.allSatisfy { x[$0].bitPattern == y[$0 + shift].bitPattern }
    case (.float64(let x), .float64(let y)):
      return range.allSatisfy { x[$0].bitPattern == y[$0 + shift].bitPattern }
    default:
      return range.allSatisfy {
        let (u, v) = (value(a, $0), value(b, $0 + shift))
        return u == v && u.sign == v.sign
      }
    }
  }
}
