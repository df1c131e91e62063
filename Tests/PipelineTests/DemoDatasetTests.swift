import Foundation
import Seismic
import Testing

@testable import Pipeline

@Suite struct DemoDatasetTests {
  /// Six stations cover every template (50/100/200 Hz, Int32/Float, ZNE/Z12).
  static let dataset = DemoDataset(options: DemoOptions(eventCount: 90, stationCount: 6, seed: 7))

  /// The vertical samples of `event`'s station as Double, and that segment.
  static func vertical(of event: DemoEvent) -> Segment? {
    dataset.segments.first {
      $0.source.station == event.pick.station && $0.source.channel == event.pick.channel
    }
  }

  /// RMS of `x` (high-passed copy) between `from` and `to` seconds after the segment start.
  static func rms(_ x: [Double], rate: Double, from: Double, to: Double) -> Double {
    let a = max(Int(from * rate), 0)
    let b = min(Int(to * rate), x.count)
    guard b > a else { return 0 }
    var sum = 0.0
    for i in a..<b { sum += x[i] * x[i] }
    return (sum / Double(b - a)).squareRoot()
  }

  static func highPassed(_ segment: Segment, corner: Double) -> [Double] {
    var x = segment.samples.doubles
    let mean = x.reduce(0, +) / Double(max(x.count, 1))
    for i in x.indices { x[i] -= mean }
    DemoSynthesis.highPass(&x, corner: corner, rate: segment.samplingRate)
    DemoSynthesis.highPass(&x, corner: corner, rate: segment.samplingRate)
    return x
  }

  @Test func theSameSeedGivesTheSameDataAndAnotherSeedDoesNot() {
    let options = DemoOptions(eventCount: 10, stationCount: 3, seed: 42)
    let a = DemoDataset(options: options)
    let b = DemoDataset(options: options)
    #expect(a.segments == b.segments)
    #expect(a.picks == b.picks)
    #expect(a.truthCSV() == b.truthCSV())
    var other = options
    other.seed = 43
    let c = DemoDataset(options: other)
    #expect(c.picks != a.picks)
    #expect(c.segments != a.segments)
  }

  @Test func stationsHaveTheDeclaredRatesSampleTypesAndThreeAlignedComponents() {
    let data = Self.dataset
    #expect(data.picks.count == 90)
    #expect(Set(data.stations.map(\.samplingRate)) == [50, 100, 200])
    #expect(Set(data.segments.map(\.samples.sampleType)) == [.int32, .float32])
    #expect(data.segments.count == 3 * data.stations.count)
    for station in data.stations {
      let segments = data.segments.filter { $0.source.station == station.station }
      #expect(segments.map(\.source.channel) == station.channels)
      #expect(segments.allSatisfy { $0.samplingRate == station.samplingRate })
      #expect(segments.allSatisfy { $0.samples.sampleType == station.sampleType })
      #expect(Set(segments.map(\.sampleCount)).count == 1)
      #expect(Set(segments.map(\.startTime)).count == 1)
      #expect(station.channels[0].hasSuffix("Z"))
    }
    // Every pick names the vertical channel of a station that has data around it.
    for pick in data.picks {
      let segment = data.segments.first {
        $0.source.station == pick.station && $0.source.channel == pick.channel
      }
      #expect(segment != nil)
      if let segment {
        #expect(segment.startTime.adding(seconds: 10) < pick.time)
        #expect(pick.time.adding(seconds: 60) < segment.endTime)
      }
      #expect(pick.time.nanoseconds % 1000 == 0)
    }
  }

  @Test func picksAreInTimeOrderAndCloseToTheTrueOnsets() {
    let picks = Self.dataset.picks
    #expect(zip(picks, picks.dropFirst()).allSatisfy { $0.time <= $1.time })
    for event in Self.dataset.events {
      let error = Double(event.pick.time.nanoseconds(since: event.onset)) / 1e9
      #expect(abs(error) <= 1.6)
    }
  }

  @Test func energyRisesAtTheOnsetOfEveryClearEvent() throws {
    var checked = 0
    var risen = 0
    var failed: [String] = []
    var cache: [String: [Double]] = [:]
    for event in Self.dataset.events where event.signalToNoise >= 15 {
      let segment = try #require(Self.vertical(of: event))
      let corner = 1.0
      let key = "\(segment.source.id)-\(corner)"
      let x = cache[key] ?? Self.highPassed(segment, corner: corner)
      cache[key] = x
      let t = Double(event.onset.nanoseconds(since: segment.startTime)) / 1e9
      let before = Self.rms(x, rate: segment.samplingRate, from: t - 5, to: t - 0.5)
      let after = Self.rms(x, rate: segment.samplingRate, from: t, to: t + 4)
      checked += 1
      if after > 2 * before {
        risen += 1
      } else {
        failed.append(
          "\(event.kind) snr=\(Int(event.signalToNoise)) ratio=\(after / before) \(segment.source.id)"
        )
      }
    }
    #expect(checked >= 25)
    // Emergent, long-period teleseisms on short-period sensors may rise slowly: allow a few.
    #expect(Double(risen) >= 0.9 * Double(checked), "\(risen) of \(checked) events rose; \(failed)")
  }

  @Test func labelsAreBalancedAndEveryStationRecordsBothKinds() {
    let events = Self.dataset.events
    let teleseismic = events.filter { $0.kind == .teleseismic }.count
    let fraction = Double(teleseismic) / Double(events.count)
    #expect(fraction > 0.3 && fraction < 0.6, "teleseismic fraction \(fraction)")
    for station in Self.dataset.stations {
      let kinds = Set(events.filter { $0.pick.station == station.station }.map(\.kind))
      #expect(kinds == Set(DemoEventKind.allCases), "\(station.station) has \(kinds)")
    }
  }

  /// Mean-square frequency of the 20 s after the onset: sqrt(mean(dx^2) / mean(x^2)) * rate / 2pi.
  static func dominantFrequency(of event: DemoEvent) -> Double? {
    guard let segment = vertical(of: event) else { return nil }
    let x = highPassed(segment, corner: 0.3)
    let rate = segment.samplingRate
    let t = Double(event.onset.nanoseconds(since: segment.startTime)) / 1e9
    let a = Int(t * rate)
    let b = min(Int((t + 20) * rate), x.count - 1)
    var power = 0.0
    var slope = 0.0
    for i in a..<b {
      power += x[i] * x[i]
      slope += (x[i + 1] - x[i]) * (x[i + 1] - x[i])
    }
    return (slope / power).squareRoot() * rate / (2 * Double.pi)
  }

  @Test func localEventsCarryHigherFrequenciesThanTeleseismicOnes() throws {
    let clear = Self.dataset.events.filter { $0.signalToNoise >= 20 }
    let local = clear.filter { $0.kind == .local }.compactMap(Self.dominantFrequency).sorted()
    let teleseismic = clear.filter { $0.kind == .teleseismic }.compactMap(Self.dominantFrequency)
      .sorted()
    try #require(local.count >= 5 && teleseismic.count >= 5)
    let localMedian = local[local.count / 2]
    let teleseismicMedian = teleseismic[teleseismic.count / 2]
    #expect(localMedian > 2 * teleseismicMedian, "\(localMedian) vs \(teleseismicMedian) Hz")
    #expect(teleseismicMedian < 3, "teleseismic median \(teleseismicMedian) Hz")
    #expect(localMedian > 3, "local median \(localMedian) Hz")
  }

  @Test func picksAndTruthCSVRoundTripTheirTimesAndLabels() throws {
    let data = Self.dataset
    let pickLines = data.picksCSV().split(separator: "\n").map(String.init)
    let truthLines = data.truthCSV().split(separator: "\n").map(String.init)
    #expect(pickLines.first == "network,station,location,channel,time,phase")
    #expect(truthLines.first == "network,station,location,time,label")
    #expect(pickLines.count == data.picks.count + 1)
    #expect(truthLines.count == data.picks.count + 1)
    for (index, pick) in data.picks.enumerated() {
      let p = pickLines[index + 1].split(separator: ",", omittingEmptySubsequences: false)
      let t = truthLines[index + 1].split(separator: ",", omittingEmptySubsequences: false)
      #expect(p.count == 6 && t.count == 5)
      #expect(Timestamp(iso8601: String(p[4])) == pick.time)
      #expect(Timestamp(iso8601: String(t[3])) == pick.time)
      #expect(String(p[1]) == pick.station && String(t[1]) == pick.station)
      #expect(String(p[2]) == pick.location && String(t[2]) == pick.location)
      #expect(String(t[4]) == data.events[index].kind.rawValue)
    }
  }

  /// `demo --force` removes the waveform files an earlier demo listed as it wrote them, and
  /// nothing of a folder that holds any other file.
  @Test func theDemosWaveformsAreListedAndOnlyTheyAreRemoved() throws {
    let fm = FileManager.default
    let dir = fm.temporaryDirectory.appendingPathComponent("demo-manifest-\(UUID().uuidString)")
    defer { try? fm.removeItem(at: dir) }
    let waveforms = dir.appendingPathComponent("waveforms")
    let count = try DemoRun.write(
      DemoDataset(options: DemoOptions(eventCount: 12, stationCount: 2, seed: 1)), to: waveforms)
    let written = try fm.contentsOfDirectory(atPath: waveforms.path).filter { !$0.hasPrefix(".") }
    let listed = try String(
      contentsOf: waveforms.appendingPathComponent(DemoRun.manifestName), encoding: .utf8
    ).split(separator: "\n").map(String.init)
    #expect(Set(written) == Set(listed) && written.count == count && count > 0)
    // One file more, in a folder of its own: refused, and nothing is removed.
    let extra = waveforms.appendingPathComponent("notes/x.mseed")
    try fm.createDirectory(at: extra.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data("x".utf8).write(to: extra)
    #expect(throws: InputError.self) { try DemoRun.removeEarlierWaveforms(in: waveforms) }
    #expect(fm.fileExists(atPath: extra.path))
    #expect(
      try fm.contentsOfDirectory(atPath: waveforms.path).filter { !$0.hasPrefix(".") }.count
        == count + 1)
    // A folder without a manifest (not a demo's) is refused too.
    try fm.removeItem(at: extra.deletingLastPathComponent())
    let manifest = waveforms.appendingPathComponent(DemoRun.manifestName)
    let saved = try Data(contentsOf: manifest)
    try fm.removeItem(at: manifest)
    #expect(throws: InputError.self) { try DemoRun.removeEarlierWaveforms(in: waveforms) }
    try saved.write(to: manifest)
    // A symbolic link named waveforms, even to the demo's own folder, is refused and kept.
    let link = dir.appendingPathComponent("linked")
    try fm.createSymbolicLink(at: link, withDestinationURL: waveforms)
    #expect(throws: InputError.self) { try DemoRun.removeEarlierWaveforms(in: link) }
    #expect((try? fm.destinationOfSymbolicLink(atPath: link.path)) != nil)
    try DemoRun.removeEarlierWaveforms(in: waveforms)
    #expect(!fm.fileExists(atPath: waveforms.path))
  }
}
