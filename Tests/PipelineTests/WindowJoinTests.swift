import Foundation
import Seismic
import Store
import Testing

@testable import Pipeline

/// Joining stored segments into contiguous runs, and choosing a pick's channel set.
@Suite struct WindowJoinTests {
  let t0 = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
  func segment(_ start: Double, _ values: [Int32], rate: Double = 10, channel: String = "HHZ")
    -> Segment
  {
    Segment(
      source: SourceIdentifier(network: "XX", station: "S", location: "", channel: channel),
      startTime: t0.adding(seconds: start), samplingRate: rate, samples: .int32(values))
  }

  /// The window slices of channel XX.S..HHZ at 10 Hz, cut from `joined` with the window
  /// `before` and `after` the pick (seconds after `t0`).
  func slicer(_ joined: ContiguousRun.Joined, before: Double, after: Double) throws
    -> (Double) -> Result<WindowPreprocessor.Slice, WindowSkip>
  {
    let options = WindowSetOptions(
      before: before, after: after, rate: 10, bandpass: nil, normalize: .none, input: .waveform)
    let preprocessor = try WindowPreprocessor(options: options)
    let channel = SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ")
    return { [t0] pick in
      preprocessor.slice(
        pick: t0.adding(seconds: pick), channel: channel, runs: joined.runs,
        conflicts: joined.conflicts)
    }
  }

  @Test func consecutiveSegmentsJoinWithinHalfASampleAndGapsSplitRuns() {
    // 0.0-0.4, then 0.5 + 0.04 s jitter (within half of 0.1 s), then a gap to 2.0.
    let joined = ContiguousRun.join([
      segment(2.0, [9, 9]), segment(0, [1, 2, 3, 4, 5]), segment(0.54, [6, 7]),
    ])
    #expect(joined.conflicts.isEmpty)
    #expect(joined.runs.count == 2)
    #expect(joined.runs[0].samples == [1, 2, 3, 4, 5, 6, 7])
    #expect(joined.runs[0].startTime == t0)
    #expect(joined.runs[1].samples == [9, 9])
    #expect(!joined.runs[0].covers(from: t0, to: t0.adding(seconds: 1.0)))
    #expect(joined.runs[0].covers(from: t0, to: t0.adding(seconds: 0.6)))
  }

  /// ObsPy's `merge` rounds the distance to the next due sample away from zero: a file half a
  /// sample early joins, one half a sample late leaves a gap of one sample (both joined before
  /// stop 42; a sweep against ObsPy).
  @Test func halfASampleEarlyJoinsAndHalfASampleLateIsAGap() {
    let early = ContiguousRun.join([segment(0, [1, 2, 3]), segment(0.25, [4, 5])])
    #expect(early.runs.map(\.samples) == [[1, 2, 3, 4, 5]])
    let late = ContiguousRun.join([segment(0, [1, 2, 3]), segment(0.35, [4, 5])])
    #expect(late.runs.map(\.samples) == [[1, 2, 3], [4, 5]])
    #expect(late.conflicts.isEmpty)
    let nearlyLate = ContiguousRun.join([segment(0, [1, 2, 3]), segment(0.349, [4, 5])])
    #expect(nearlyLate.runs.map(\.samples) == [[1, 2, 3, 4, 5]])
  }

  /// Copies that disagree in a window's margin clip the margin, as a gap there does; inside
  /// the window they skip it (the margin case was skipped until stop 42).
  @Test func aConflictInTheMarginClipsItAndOneInTheWindowSkipsIt() throws {
    // 100 s at 10 Hz, and a second file whose samples at 40-41 s differ.
    let base = (0..<1000).map { Int32($0) }
    let joined = ContiguousRun.join([
      segment(0, base), segment(40, (400..<410).map { Int32($0) + 1 }),
    ])
    #expect(joined.conflicts.count == 1)
    let options = WindowSetOptions(
      before: 1, after: 2, rate: 10, bandpass: nil, normalize: .none, input: .waveform)
    let preprocessor = try WindowPreprocessor(options: options)
    #expect(preprocessor.margin == 5)
    let channel = SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ")
    func slice(_ pick: Double) -> Result<WindowPreprocessor.Slice, WindowSkip> {
      preprocessor.slice(
        pick: t0.adding(seconds: pick), channel: channel, runs: joined.runs,
        conflicts: joined.conflicts)
    }
    // Window 44-46 s, margin from 39 s: clipped to the first sample after 40.9 s.
    let after = try slice(45).get()
    #expect(after.start == t0.adding(seconds: 41))
    #expect(after.samples.first == 410)
    // Window 34-36 s, margin to 41 s: clipped before 40 s.
    let before = try slice(35).get()
    #expect(before.samples.last.map { $0 < 400 } == true)
    #expect(before.samples.last == 399 || before.start.nanoseconds(since: t0) < 29_000_000_000)
    // Windows over the disputed second are skipped.
    for pick in [40.5, 41.5, 39.5] {
      guard case .failure(let skip) = slice(pick) else {
        Issue.record("pick \(pick) built over the conflict")
        continue
      }
      #expect(skip.reason == .conflictingOverlap, "pick \(pick)")
    }
  }

  /// A conflict is the samples it pairs with, not its stamps: a copy stamped 0.2 of a sample
  /// late still disputes the sample nearest its first stamp (a window ending on it was built),
  /// and the growth of a slice to an FFT-friendly length stops short of a conflict beyond the
  /// margin (it grew into one, as no gap would let it). A review of stop 42's change.
  @Test func conflictsAreTheSamplesTheyPairWithAndTheGrowthStopsShortOfThem() throws {
    let base = (0..<1000).map { Int32($0) }
    let options = WindowSetOptions(
      before: 1, after: 2, rate: 10, bandpass: nil, normalize: .none, input: .waveform)
    let preprocessor = try WindowPreprocessor(options: options)
    let channel = SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ")
    func slice(_ pick: Double, conflictAt start: Double) -> Result<
      WindowPreprocessor.Slice, WindowSkip
    > {
      let joined = ContiguousRun.join([
        segment(0, base),
        segment(start, (0..<10).map { Int32((start * 10).rounded()) + Int32($0) + 1 }),
      ])
      return preprocessor.slice(
        pick: t0.adding(seconds: pick), channel: channel, runs: joined.runs,
        conflicts: joined.conflicts)
    }
    // Copies of samples 400-409 stamped 0.02 s (0.2 sample) late or early. Window of pick 38.1:
    // 37.1-40.0 s, its last sample 400; of pick 42.0: 41.0-43.9 s, its first 410.
    for start in [40.02, 39.98] {
      guard case .failure(let skip) = slice(38.1, conflictAt: start) else {
        Issue.record("a window ending on a disputed sample was built (copy at \(start) s)")
        continue
      }
      #expect(skip.reason == .conflictingOverlap)
      let after = try slice(42.0, conflictAt: start).get()
      #expect(after.samples.first == 410, "copy at \(start) s")
      let before = try slice(37.0, conflictAt: start).get()
      #expect(before.samples.last.map { $0 <= 399 } == true, "copy at \(start) s")
    }
    // Pick 30: the margin ends at 37.0 s (sample 370) and the slice grows later first; copies of
    // samples 375-384 stamped 37.52 s: the growth stops at 374 and goes earlier instead.
    let grown = try slice(30, conflictAt: 37.52).get()
    #expect(
      grown.samples.last.map { $0 >= 370 && $0 <= 374 } == true, "\(grown.samples.last ?? -1)")
    let free = try slice(30, conflictAt: 60.02).get()
    #expect(free.samples.count == grown.samples.count)
    #expect(free.samples.last.map { $0 > 374 } == true, "the growth goes later when it can")
  }

  /// Six files of one channel at 125 Hz, written by the SAC writer (float32 DELTA), each 10
  /// minutes with the next file's first minute repeated, as archives cut with overlap are: read
  /// back and joined, they make one run with no conflict. With the rate taken as 1 / DELTA in
  /// Double (124.999994 Hz), the overlap 30 minutes in fell 0.01 of a sample off the run's grid
  /// and was called a conflict (found by a sweep on generator B's SAC station).
  @Test func overlappingFloat32SACFilesJoinHoursLater() throws {
    let source = SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ")
    var read: [Segment] = []
    for file in 0..<6 {
      let first = file * 600 * 125
      let samples = (first..<(first + 660 * 125)).map { Float(($0 * 7919) % 1000) }
      let segment = Segment(
        source: source, startTime: t0.adding(nanoseconds: Int64(first) * 8_000_000),
        samplingRate: 125, samples: .float32(samples))
      let bytes = try SACWriter.encode(segment)
      read += try bytes.withUnsafeBytes { try SACReader.read($0) }.segments
    }
    #expect(read.allSatisfy { $0.samplingRate == 125 })
    let joined = ContiguousRun.join(read)
    #expect(joined.conflicts.isEmpty)
    #expect(joined.runs.count == 1)
    #expect(joined.runs.first?.samples.count == (5 * 600 + 660) * 125)
    #expect(joined.runs.first?.samples.last == Double(((3660 * 125 - 1) * 7919) % 1000))
  }

  @Test func identicalOverlapsJoinAndDisagreeingOverlapsAreConflicts() {
    let same = ContiguousRun.join([segment(0, [1, 2, 3, 4]), segment(0.2, [3, 4, 5, 6])])
    #expect(same.conflicts.isEmpty)
    #expect(same.runs.map(\.samples) == [[1, 2, 3, 4, 5, 6]])
    let contained = ContiguousRun.join([segment(0, [1, 2, 3, 4]), segment(0.1, [2, 3])])
    #expect(contained.runs.map(\.samples) == [[1, 2, 3, 4]])
    // The copy agrees at 0.2 s and differs at 0.3 s: the conflict is that sample, the run
    // keeps its own and goes on with the copy's later samples.
    let different = ContiguousRun.join([segment(0, [1, 2, 3, 4]), segment(0.2, [3, 5, 5, 6])])
    #expect(different.conflicts.count == 1)
    #expect(different.conflicts[0].from == t0.adding(seconds: 0.3))
    #expect(different.conflicts[0].to == t0.adding(seconds: 0.3))
    #expect(different.runs.map(\.samples) == [[1, 2, 3, 4, 5, 6]])
    // Misaligned overlap (samples between the run's samples) is a conflict too.
    let offGrid = ContiguousRun.join([segment(0, [1, 2, 3, 4]), segment(0.15, [2, 3])])
    #expect(offGrid.conflicts.count == 1)
    // Halfway between the run's samples, equal values still say nothing of which sample is
    // which: a conflict.
    let halfway = ContiguousRun.join([segment(0, [1, 2, 3, 4]), segment(0.15, [3, 4, 5])])
    #expect(halfway.conflicts.count == 1)
  }

  /// A corrected day file with one sample changed, stored beside the first: every window over
  /// the hours the two copies share was skipped as a conflicting overlap (a review's daily
  /// workflow: 5.7 hours for one sample). Only windows over the changed sample are skipped now;
  /// differing samples less than a second apart make one conflict, and a copy that differs
  /// everywhere one conflict over the whole overlap.
  @Test func aChangedSampleSkipsOnlyTheWindowsOverIt() throws {
    let base = (0..<36_000).map { Int32($0 % 1000) }
    var corrected = base
    corrected[20_000] += 7
    corrected[20_004] += 1
    let joined = ContiguousRun.join([segment(0, base), segment(0, corrected)])
    #expect(joined.runs.count == 1)
    #expect(joined.conflicts.count == 1)
    #expect(joined.conflicts.first?.from == t0.adding(seconds: 2000))
    #expect(joined.conflicts.first?.to == t0.adding(seconds: 2000.4))
    let slice = try slicer(joined, before: 5, after: 55)
    #expect((try? slice(100).get()) != nil)
    #expect((try? slice(3000).get()) != nil)
    guard case .failure(let skip) = slice(1980) else {
      Issue.record("the window over the changed sample was built")
      return
    }
    #expect(skip.reason == .conflictingOverlap)
    // Scattered differences, every 3 s over the hour (1,200 stretches): past 1,000, one.
    var noisy = base
    for k in stride(from: 0, to: 36_000, by: 30) { noisy[k] += 1 }
    let scattered = ContiguousRun.join([segment(0, base), segment(0, noisy)])
    #expect(scattered.conflicts.count == 1)
    #expect(scattered.conflicts.first?.to == t0.adding(seconds: 3597))
  }

  /// A copy of a channel at another rate over the same time (a review: a 50 Hz file stored
  /// beside the 100 Hz one) never joins it, and the run that started first was cut in silence,
  /// though ingest had said windows over the copies are skipped. Their overlap is a conflict.
  @Test func copiesAtTwoRatesOverTheSameTimeConflict() throws {
    let joined = ContiguousRun.join([
      segment(0, (0..<1000).map { Int32($0) }),
      segment(40, (0..<100).map { Int32($0 * 3) }, rate: 5),
    ])
    #expect(joined.runs.count == 2)
    #expect(joined.conflicts.count == 1)
    #expect(joined.conflicts.first?.from == t0.adding(seconds: 40))
    #expect(joined.conflicts.first?.to == t0.adding(seconds: 59.8))
    let slice = try slicer(joined, before: 1, after: 2)
    guard case .failure(let skip) = slice(50) else {
      Issue.record("a window over both rates was built")
      return
    }
    #expect(skip.reason == .conflictingOverlap)
    #expect(skip.message.contains("stored segments at 5.0 and 10.0 Hz overlap from"), "\(skip)")
    #expect((try? slice(20).get()) != nil)
    #expect((try? slice(80).get()) != nil)
  }

  /// The same samples in two overlapping files whose start times differ by a fraction of a
  /// sample (MiniSEED 2 without blockette 1001 stamps records to 100 µs) were a conflict beyond
  /// 0.01 of a sample, and their windows skipped (an adversarial sweep; ObsPy's `merge` joins
  /// them, rounding to the nearest sample). They join on the first file's grid.
  @Test func identicalOverlapsAFractionOfASampleOffJoin() {
    for shift in [-0.04, -0.01, 0.001, 0.01, 0.02, 0.04] {  // of 0.1 s: up to 0.4 of a sample
      let joined = ContiguousRun.join([
        segment(0, [1, 2, 3, 4, 5]), segment(0.2 + shift, [3, 4, 5, 6, 7]),
      ])
      #expect(joined.conflicts.isEmpty, "shift \(shift)")
      #expect(joined.runs.map(\.samples) == [[1, 2, 3, 4, 5, 6, 7]], "shift \(shift)")
      #expect(joined.runs.first?.startTime == t0)
      // Other samples that close are still a conflict.
      let other = ContiguousRun.join([
        segment(0, [1, 2, 3, 4, 5]), segment(0.2 + shift, [3, 4, 9, 6, 7]),
      ])
      #expect(other.conflicts.count == 1, "shift \(shift)")
    }
  }

  @Test func segmentsAtAnotherRateNeverJoin() {
    let joined = ContiguousRun.join([segment(0, [1, 2]), segment(0.2, [3, 4], rate: 20)])
    #expect(joined.runs.count == 2)
  }

  func channel(_ code: String, rate: Double, station: String = "S", location: String = "")
    -> ChannelRecord
  {
    var c = ChannelRecord(
      source: SourceIdentifier(network: "XX", station: station, location: location, channel: code))
    c.samplingRates = [rate]
    return c
  }

  @Test func theChannelSetIsThePicksBandElseTheHighestRateCompleteSet() {
    let chooser = ChannelSetChooser(channels: [
      channel("BHZ", rate: 40), channel("BHN", rate: 40), channel("BHE", rate: 40),
      channel("HHZ", rate: 100), channel("HH1", rate: 100), channel("HH2", rate: 100),
      channel("EHZ", rate: 200), channel("EHN", rate: 200),
      channel("HNZ", rate: 200, location: "10"),
    ])
    func choose(_ channel: String?, location: String = "", _ c: [Character] = ["Z", "N", "E"])
      -> Result<ChannelSet, ChannelSetChooser.Failure>
    {
      chooser.choose(
        network: "XX", station: "S", location: location, channel: channel, components: c)
    }
    func list(_ r: Result<ChannelSet, ChannelSetChooser.Failure>) -> String? {
      try? r.get().channelList
    }
    #expect(list(choose(nil)) == "HHZ,HH1,HH2")
    #expect(list(choose("BHZ")) == "BHZ,BHN,BHE")
    #expect(list(choose("BHN")) == "BHZ,BHN,BHE")
    #expect(list(choose("BH")) == "BHZ,BHN,BHE")
    #expect(list(choose(nil, ["Z"])) == "EHZ")
    #expect(list(choose("EHZ", ["Z"])) == "EHZ")
    guard case .failure(.missingComponent) = choose("EHZ") else {
      Issue.record("EH? has no E: missing component")
      return
    }
    guard case .failure(.noData) = choose("LHZ") else {
      Issue.record("no LH? channels")
      return
    }
    guard case .failure(.missingComponent) = choose(nil, location: "10") else {
      Issue.record("location 10 has only HNZ")
      return
    }
    guard case .failure(.noData) = choose(nil, location: "20") else {
      Issue.record("no location 20")
      return
    }
  }

  /// Lower-case codes (`hhz`, as some writers store them) were no component at all: a pick
  /// there was skipped as "no channel set with every component of Z" (an adversarial sweep).
  /// ObsPy's `select(component="Z")` matches them.
  @Test func lowerCaseChannelCodesAreComponents() {
    let chooser = ChannelSetChooser(channels: [
      channel("hhz", rate: 100), channel("hh1", rate: 100), channel("hh2", rate: 100),
      channel("bhz", rate: 40), channel("bhn", rate: 40), channel("bhe", rate: 40),
      channel("BH1", rate: 40),
    ])
    func list(_ channel: String?, _ c: [Character] = ["Z", "N", "E"]) -> String? {
      try? chooser.choose(
        network: "XX", station: "S", location: "", channel: channel, components: c
      )
      .get().channelList
    }
    #expect(list(nil) == "hhz,hh1,hh2")
    #expect(list(nil, ["Z"]) == "hhz")
    #expect(list("HHZ") == "hhz,hh1,hh2")
    #expect(list("bhz") == "bhz,bhn,bhe")
  }
}

/// Regression: resampling at an unchanged rate hit an index one past the spectrum when `f / df`
/// rounded just below the last bin (found on AS.CTAO at 1 Hz).
@Suite struct ResampleEdgeTests {
  @Test func resamplingAtTheSameRateKeepsTheLengthForEveryCount() throws {
    for n in 1900...2200 {
      let x = (0..<n).map { sin(Double($0) * 0.1) }
      #expect(try DSP.resampled(x, from: 1, to: 1).count == n)
      #expect(try DSP.resampled(x, from: 20, to: 20).count == n)
    }
  }
}

extension WindowJoinTests {
  @Test func ratesWithinOnePartPerMillionJoin() {
    // 1 / Float(0.01) as a SAC header gives 100.0000002 Hz; MiniSEED says 100.
    let a = segment(0, [1, 2, 3], rate: 100)
    let b = segment(0.03, [4, 5], rate: 100.000_000_2)
    #expect(ContiguousRun.join([a, b]).runs.map(\.samples) == [[1, 2, 3, 4, 5]])
  }
}
