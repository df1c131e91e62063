import Foundation
import Numerics
import Seismic

/// A realistic synthetic data set for `seiscluster demo`, built in memory from a seed: several
/// stations' continuous 3-component segments with local earthquakes and teleseismic P arrivals
/// embedded in background noise, the picks of those events and their truth labels.
///
/// - Local events: impulsive P (rise 10-80 ms) with a first-motion pulse, S `dist * 0.119 s/km`
///   later with 1.5-5 times the P amplitude mostly on the horizontals, Brune-like spectrum with a
///   corner falling with magnitude (about 20 Hz at M1, 1.5 Hz at M5), attenuation
///   t* = dist / (Q v) + kappa, exponential coda.
/// - Teleseismic events: corner 0.1-1 Hz, t* 0.3-1 s (so 0.2-2 Hz content), emergent onset
///   (0.5-4 s rise, some sharper), 15-60 s decay, a depth phase 5-50 s later, weak horizontals.
/// - Noise: microseism (0.1-0.3 Hz, 2-30 times the short-period noise), short-period noise,
///   cultural noise (2-15 Hz) and traffic bursts (5-20 Hz, a few seconds, about one per 5 min).
/// - Stations cycle through 50, 100 and 200 Hz, broadband and 1 Hz short-period sensors, gains
///   over a decade, Int32 counts or Float samples, ZNE or Z12: stations must not become clusters.
/// - Peak SNR above 1 Hz is log-uniform in `options.signalToNoise`; picks carry realistic errors (local
///   sigma 50 ms, teleseismic 0.4 s, 4 % outliers up to 1.5 s).
public struct DemoDataset: Sendable {
  public var options: DemoOptions
  public var stations: [DemoStation]
  /// Three segments per station (vertical first), each one continuous run of samples.
  public var segments: [Segment]
  /// Picks in time order.
  public var picks: [DemoPick]
  /// One event per pick, in the same order.
  public var events: [DemoEvent]

  /// The station templates: (band code, rate, instrument, sample type, orientation).
  static let templates: [(String, Double, DemoStation.Instrument, SampleType, String)] = [
    ("HH", 200, .broadband, .int32, "ZNE"),
    ("BH", 50, .broadband, .float32, "Z12"),
    ("EH", 100, .shortPeriod, .int32, "ZNE"),
    ("HH", 100, .broadband, .float32, "ZNE"),
    ("EH", 200, .shortPeriod, .float32, "Z12"),
    ("BH", 50, .shortPeriod, .int32, "ZNE"),
  ]

  /// 2026-03-01T00:00:00Z, the start of the demo day.
  static let epoch = Timestamp(nanoseconds: 1_772_323_200_000_000_000)

  /// Generates the data set described by `options` (deterministic for a given seed).
  public init(options: DemoOptions = DemoOptions()) {
    self.options = options
    var generator = SeededGenerator(seed: options.seed)
    let stationCount = max(options.stationCount, 1)
    var stations: [DemoStation] = []
    for index in 0..<stationCount {
      let template = Self.templates[index % Self.templates.count]
      stations.append(
        DemoStation(
          network: index % 2 == 0 ? "DM" : "SY",
          station: String(format: "DEM%02d", index + 1),
          location: index % 3 == 1 ? "00" : "",
          bandCode: template.0, orientation: template.4, samplingRate: template.1,
          instrument: template.2, sampleType: template.3,
          gain: DemoSynthesis.logUniform(4e8...4e9, using: &generator),
          noiseLevel: DemoSynthesis.logUniform(1e-8...1e-7, using: &generator)))
    }
    self.stations = stations

    // Which station records each event, and its kind.
    var owners: [[DemoEventKind]] = Array(repeating: [], count: stationCount)
    for _ in 0..<max(options.eventCount, 0) {
      let owner = Int(generator.next() % UInt64(stationCount))
      let kind: DemoEventKind =
        generator.nextUniform() < options.teleseismicFraction ? .teleseismic : .local
      owners[owner].append(kind)
    }

    var segments: [Segment] = []
    var events: [DemoEvent] = []
    for (index, station) in stations.enumerated() {
      var stationGenerator = generator.split()
      let (stationSegments, stationEvents) = Self.record(
        station: station, kinds: owners[index], options: options, using: &stationGenerator)
      segments += stationSegments
      events += stationEvents
    }
    events.sort { ($0.pick.time, $0.pick.station) < ($1.pick.time, $1.pick.station) }
    self.segments = segments
    self.events = events
    self.picks = events.map(\.pick)
  }

  /// The continuous data of one station with its events.
  static func record(
    station: DemoStation, kinds: [DemoEventKind], options: DemoOptions,
    using generator: inout SeededGenerator
  ) -> ([Segment], [DemoEvent]) {
    let rate = station.samplingRate
    var onsets: [Double] = []
    var clock = 30.0
    for _ in kinds {
      clock += DemoSynthesis.uniform(75...160, using: &generator)
      onsets.append(clock)
    }
    let duration = clock + 120
    let count = Int(duration * rate)
    let startOffset = (DemoSynthesis.uniform(0...600, using: &generator) * 1000).rounded() / 1000
    let startTime = epoch.adding(seconds: startOffset)
    var data = noise(station: station, count: count, using: &generator)

    var events: [DemoEvent] = []
    let lead = Int(5 * rate)
    let length = Int(100 * rate)
    for (kind, onsetSeconds) in zip(kinds, onsets) {
      let onsetIndex = Int((onsetSeconds * rate).rounded())
      var wave: [[Double]]
      var corner: Double
      var sMinusP: Double?
      switch kind {
      case .local:
        (wave, corner, sMinusP) = localEvent(
          count: length, onset: lead, rate: rate, using: &generator)
      case .teleseismic:
        (wave, corner) = teleseismicEvent(count: length, onset: lead, rate: rate, using: &generator)
      }
      if station.instrument == .shortPeriod {
        for c in 0..<3 {
          DemoSynthesis.highPass(&wave[c], corner: 1, rate: rate)
          DemoSynthesis.highPass(&wave[c], corner: 1, rate: rate)
        }
      }
      let snr = DemoSynthesis.logUniform(options.signalToNoise, using: &generator)
      // SNR is measured in the analysis band: the event's vertical peak above 1 Hz.
      var analysisBand = wave[0]
      DemoSynthesis.highPass(&analysisBand, corner: 1, rate: rate)
      DemoSynthesis.highPass(&analysisBand, corner: 1, rate: rate)
      let peak = analysisBand.reduce(0) { max($0, abs($1)) }
      let scale = peak > 0 ? snr * station.noiseLevel / peak : 0
      let first = onsetIndex - lead
      for c in 0..<3 {
        for i in 0..<length where first + i >= 0 && first + i < count {
          data[c][first + i] += scale * wave[c][i]
        }
      }
      var error: Double
      if generator.nextUniform() < 0.04 {
        error = DemoSynthesis.uniform(-1.5...1.5, using: &generator)
      } else {
        error = generator.nextGaussian() * (kind == .local ? 0.05 : 0.4)
      }
      let onsetTime = startTime.adding(seconds: Double(onsetIndex) / rate)
      let pickNanoseconds = onsetTime.adding(seconds: error).nanoseconds
      let pickTime = Timestamp(nanoseconds: pickNanoseconds - pickNanoseconds % 1000)
      let pick = DemoPick(
        network: station.network, station: station.station, location: station.location,
        channel: station.channels[0], time: pickTime, phase: "P")
      events.append(
        DemoEvent(
          pick: pick, kind: kind, onset: onsetTime, signalToNoise: snr, sMinusP: sMinusP,
          cornerFrequency: corner))
    }

    let segments = (0..<3).map { c -> Segment in
      let samples: Samples
      switch station.sampleType {
      case .int32:
        samples = .int32(
          data[c].map { Int32(max(min(($0 * station.gain).rounded(), 1.3e8), -1.3e8)) })
      case .float32:
        samples = .float32(data[c].map { Float($0 * station.gain) })
      case .float64:
        samples = .float64(data[c].map { $0 * station.gain })
      }
      return Segment(
        source: station.source(component: c), startTime: startTime, samplingRate: rate,
        samples: samples)
    }
    return (segments, events)
  }
}
