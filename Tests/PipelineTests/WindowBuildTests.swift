import Foundation
import Logging
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `windows build` end to end (store -> joined runs -> ObsPy chain -> cut -> normalise) against
/// ObsPy 1.5.1 on real traces (`tools/make_window_fixtures.py`).
@Suite(.serialized) struct WindowBuildTests {
  let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

  /// Builds a case's windows from a store holding its picks under the phase `name`.
  func build(_ c: WindowManifest.Case, store: SeisStore) throws -> (
    WindowBuildReport, WindowSetContents?
  ) {
    let picks = c.picks.compactMap { p in
      Timestamp(iso8601: p.time).map {
        PickRecord(
          network: p.network, station: p.station, location: p.location, channel: nil, time: $0,
          phase: c.name, note: nil, origin: "test")
      }
    }
    try store.insertPicks(picks)
    var options = c.options.windowSetOptions
    options.phase = c.name
    let report = try WindowSetBuilder(store: store, logger: logger, quiet: true).build(
      options: options)
    return (report, try store.currentWindowSetContents())
  }

  @Test(.needsSharedData) func windowsMatchObsPyOnRealTracesAtEveryRateAndAcrossJoinedFiles() throws
  {
    let manifest = try WindowManifest.load()
    let store = try WindowTestStore.make(manifest: manifest)
    var worstCorrelation = 1.0
    var worstRMS = 0.0
    for c in manifest.cases {
      let (report, contents) = try build(c, store: store)
      #expect(report.skips.isEmpty, "\(c.name): \(report.skips.map(\.message))")
      let got = try #require(contents, "\(c.name): no window set")
      let (n, channels, length) = (c.shape[0], c.shape[1], c.shape[2])
      #expect(got.count == n && got.windowSet.channelCount == channels)
      #expect(got.windowSet.length == length, "\(c.name): length")
      guard got.count == n, got.windowSet.channelCount == channels,
        got.windowSet.length == length
      else { continue }
      if c.options.input == "waveform" {
        #expect(got.windows.allSatisfy { $0.channels == c.channels }, "\(c.name): channel set")
      }
      let expected = try WindowManifest.expected(c)
      var caseRMS = 0.0
      defer { print("\(c.name): worst relative RMS \(caseRMS)") }
      for w in 0..<n {
        for ch in 0..<channels {
          let range = ((w * channels + ch) * length)..<((w * channels + ch + 1) * length)
          let rms = relativeRMS(got.samples[range], reference: expected[range])
          worstRMS = max(worstRMS, rms)
          caseRMS = max(caseRMS, rms)
          if c.options.input == "spectrogram" {
            #expect(rms < 1e-4, "\(c.name) window \(w) bin-channel \(ch): rms \(rms)")
          } else {
            let r = correlation(got.samples[range], expected[range])
            worstCorrelation = min(worstCorrelation, r)
            #expect(r > 0.9999, "\(c.name) window \(w) channel \(ch): correlation \(r)")
            #expect(rms < 1e-3, "\(c.name) window \(w) channel \(ch): rms \(rms)")
          }
        }
      }
    }
    print("windows vs ObsPy: worst correlation \(worstCorrelation), worst relative RMS \(worstRMS)")
  }

  @Test(.needsSharedData) func windowsThatCannotBeCutAreSkippedWithTheirReasonAndTheRestAreStored()
    throws
  {
    let manifest = try WindowManifest.load()
    let store = try WindowTestStore.make(manifest: manifest)
    let (x, t0) = try WindowTestStore.crlz()
    // A third "file" whose Z samples disagree with the stored ones around t0 + 200 s.
    let bad = Segment(
      source: SourceIdentifier(network: "ZZ", station: "CRLZ", location: "10", channel: "HHZ"),
      startTime: t0.adding(seconds: 200), samplingRate: 100,
      samples: .float32(x[20000..<20100].map { $0 + 1 }))
    try store.storeFile(
      path: "derived/zz-c", size: 0, sha256: "zz-c", format: .miniSEED, segments: [bad])
    // A three-component station with a NaN among its N samples.
    var withNaN = Array(x[0..<6000])
    withNaN[3000] = .nan
    let nanSegments = ["HHZ", "HHN", "HHE"].map { code in
      Segment(
        source: SourceIdentifier(network: "ZZ", station: "NANS", location: "", channel: code),
        startTime: t0, samplingRate: 100,
        samples: .float32(code == "HHN" ? withNaN : Array(x[0..<6000])))
    }
    try store.storeFile(
      path: "derived/nan", size: 0, sha256: "nan", format: .miniSEED, segments: nanSegments)
    // A station whose rate drops from 100 to 50 Hz at t0 + 60 s, with no gap.
    let rateSegments = ["HHZ", "HHN", "HHE"].flatMap { code in
      let source = SourceIdentifier(network: "ZZ", station: "RATE", location: "", channel: code)
      return [
        Segment(
          source: source, startTime: t0, samplingRate: 100,
          samples: .float32(Array(x[0..<6000]))),
        Segment(
          source: source, startTime: t0.adding(seconds: 60), samplingRate: 50,
          samples: .float32(Array(x[6000..<9000]))),
      ]
    }
    try store.storeFile(
      path: "derived/rate", size: 0, sha256: "rate", format: .miniSEED, segments: rateSegments)

    func pick(_ net: String, _ sta: String, _ loc: String, _ channel: String?, _ time: Timestamp)
      -> PickRecord
    {
      PickRecord(
        network: net, station: sta, location: loc, channel: channel, time: time, phase: "skip",
        note: nil, origin: "test")
    }
    let ffb = try #require(Timestamp(iso8601: "2016-03-11T11:34:44.6Z"))
    let picks = [
      pick("ZZ", "CRLZ", "10", nil, t0.adding(seconds: 100)),  // fine
      pick("ZZ", "CRLZ", "10", nil, t0.adding(seconds: 200.5)),  // conflicting overlap
      // The conflict (200-201 s) only in the margin: built, the margin clipped (it was skipped
      // until stop 42, where a gap there only clipped it).
      pick("ZZ", "CRLZ", "10", nil, t0.adding(seconds: 205)),
      pick("ZZ", "CRLZ", "10", nil, t0.adding(seconds: 327.5)),  // data ends inside the window
      pick("ZZ", "NANS", "", nil, t0.adding(seconds: 30)),  // NaN
      pick("BW", "FFB1", "", "BHZ", ffb),  // BH set has a gap in BH1
      pick("BW", "FFB1", "", nil, ffb.adding(seconds: 0.05)),  // HH set (HH1/HH2 = N/E) is fine
      // FFB2's BH1 has a gap at 44.475-44.525, inside the margin only: built, margin clipped.
      pick("BW", "FFB2", "", "BHZ", ffb.adding(seconds: 0.7)),
      pick("IU", "ADK", "10", nil, t0),  // Z only: missing components
      pick("II", "TLY", "00", nil, t0),  // Z only: missing components
      pick("AS", "CTAO", "", nil, t0),  // 1 Hz: Nyquist 0.5 Hz <= 10 Hz
      pick("XX", "NONE", "", nil, t0),  // no data
      pick("ZZ", "RATE", "", nil, t0.adding(seconds: 60)),  // the rate changes, no gap
    ]
    try store.insertPicks(picks)
    let options = WindowSetOptions(
      before: 0.2, after: 0.4, phase: "skip", components: .zne, rate: 50, bandpass: (2, 10),
      normalize: .max, input: .waveform)
    let report = try WindowSetBuilder(store: store, logger: logger, quiet: true).build(
      options: options)
    #expect(report.pickCount == 13)
    #expect(report.built == 4)
    let counts = report.skippedByReason
    #expect(counts[.conflictingOverlap] == 1)
    #expect(counts[.incompleteData] == 1)
    #expect(counts[.notFinite] == 1)
    #expect(counts[.gap] == 1)
    #expect(counts[.missingComponent] == 2)
    #expect(counts[.nyquist] == 1)
    #expect(counts[.noData] == 1)
    #expect(counts[.rateChange] == 1)
    let rate = try #require(report.skips.first { $0.reason == .rateChange })
    #expect(rate.message.contains("the sampling rate changes inside the window (100.0 to 50.0 Hz)"))
    let nyquist = try #require(report.skips.first { $0.reason == .nyquist })
    #expect(nyquist.message.contains("AS.CTAO."))
    #expect(report.skips.allSatisfy { !$0.message.contains("\n") })
    #expect(report.summary.contains("built 4 of 13 picks; skipped 9"))
    let contents = try #require(try store.currentWindowSetContents())
    #expect(contents.windows.map(\.station) == ["CRLZ", "CRLZ", "FFB1", "FFB2"])
    #expect(
      contents.windows.map(\.channels) == [
        "HHZ,HHN,HHE", "HHZ,HHN,HHE", "HHZ,HH1,HH2", "BHZ,BH1,BH2",
      ])
    // Each window's id is its pick's (decision 0021), and the windows keep pick order.
    #expect(contents.windows.map(\.windowKey) == contents.windows.map(\.pickId))
    #expect(contents.windows.map(\.windowKey) == contents.windows.map(\.windowKey).sorted())
    #expect(Set(contents.windows.map(\.windowKey)).count == 4)
  }

  @Test(.needsSharedData) func rebuildingMakesANewCurrentSetAndKeepsTheOldOne() throws {
    let manifest = try WindowManifest.load()
    let store = try WindowTestStore.make(manifest: manifest)
    let c = try #require(manifest.cases.first { $0.name == "zz100_joined_50hz" })
    let (_, first) = try build(c, store: store)
    let (_, second) = try build(c, store: store)
    let a = try #require(first)
    let b = try #require(second)
    #expect(a.windowSet.id != b.windowSet.id)
    #expect(a.samples == b.samples)
    #expect(try store.windowSetContents(id: try #require(a.windowSet.id)) != nil)
    let history = b.windowSet.processingJson
    for step in [
      "demean", "detrend(type=linear)", "taper(", "bandpass(freqmin=1.0", "resample(",
      "cut(", "normalize(type=max", SeisclusterVersion.string,
    ] {
      #expect(history.contains(step), "history lacks \(step): \(history)")
    }
    #expect(b.windowSet.parametersJson.contains("\"marginSeconds\":10"))
  }
}

/// Decision 0020: under `--spectrogram-reference frequency` every bin is measured against its
/// own loudest frame, but raised by at most 120 dB, so a component that holds only numerical
/// dust (1e-30 against an event of amplitude 20) stays dark instead of filling the range, while
/// the live components' bins each reach 1.
@Suite struct FrequencyReferenceTests {
  @Test func aSilentComponentStaysDarkAndLiveBinsReachTheirOwnPeak() throws {
    let store = try SeisStore()
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    var generator = SeededGenerator(seed: 5)
    var segments: [Segment] = []
    for channel in ["HHZ", "HHN", "HHE"] {
      let samples: [Float] = (0..<12_000).map { i in
        let g = Float(generator.nextGaussian())
        if channel == "HHN" { return g * 1e-30 }
        let t = Double(i) / 100 - 50
        let burst = t > 0 && t < 10 ? Float(20 * sin(2 * .pi * 5 * t) * exp(-t)) : 0
        return g + burst
      }
      segments.append(
        Segment(
          source: SourceIdentifier(network: "XH", station: "H01", location: "", channel: channel),
          startTime: t0, samplingRate: 100, samples: .float32(samples)))
    }
    try store.storeFile(path: "h01", size: 0, sha256: "h01", format: .miniSEED, segments: segments)
    try store.insertPicks([
      PickRecord(
        network: "XH", station: "H01", location: "", channel: nil, time: t0.adding(seconds: 50),
        phase: "P", note: nil, origin: "test")
    ])
    var options = WindowSetOptions(before: 5, after: 25, input: .spectrogram)
    options.spectrogramReference = .frequency
    let report = try WindowSetBuilder(store: store, logger: Logger(label: "test"), quiet: true)
      .build(options: options)
    #expect(report.skips.isEmpty)
    let contents = try #require(try store.currentWindowSetContents())
    let (channels, length) = (contents.windowSet.channelCount, contents.windowSet.length)
    let bins = channels / 3
    #expect(contents.count == 1 && bins * 3 == channels)
    let values = Array(contents.samples)
    #expect(values.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
    // component N (channels bins..<2 bins) is dust: all at the floor
    #expect(values[(bins * length)..<(2 * bins * length)].allSatisfy { $0 == 0 })
    // every in-band bin of Z and E reaches its own peak, 1
    for component in [0, 2] {
      for bin in 2..<bins {
        let row = (component * bins + bin) * length
        #expect(values[row..<(row + length)].max() == 1, "component \(component) bin \(bin)")
      }
    }
  }
}

/// Decision 0020: under `--spectrogram-reference noise` every cell is its bin's signal-to-noise
/// ratio against the frames before the pick, from 0 dB (0) to the window's highest (1).
@Suite struct NoiseReferenceTests {
  /// One window at XH.H01 (a burst 5 s after the start of 120 s of unit noise), and one at
  /// XH.H02 with the same samples but its E component 10 times louder.
  func build(_ reference: WindowSetOptions.SpectrogramReference) throws -> [[Float]] {
    let store = try SeisStore()
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    var generator = SeededGenerator(seed: 9)
    var traces: [String: [Float]] = [:]
    for channel in ["HHZ", "HHN", "HHE"] {
      traces[channel] = (0..<12_000).map { i in
        let g = Float(generator.nextGaussian())
        if channel == "HHN" { return g * 1e-30 }
        let t = Double(i) / 100 - 50
        return g + (t > 0 && t < 10 ? Float(20 * sin(2 * .pi * 5 * t) * exp(-t)) : 0)
      }
    }
    for station in ["H01", "H02"] {
      let segments = ["HHZ", "HHN", "HHE"].map { channel in
        Segment(
          source: SourceIdentifier(network: "XH", station: station, location: "", channel: channel),
          startTime: t0, samplingRate: 100,
          samples: .float32(
            traces[channel]!.map { station == "H02" && channel == "HHE" ? $0 * 10 : $0 }))
      }
      try store.storeFile(
        path: station, size: 0, sha256: station, format: .miniSEED, segments: segments)
      try store.insertPicks([
        PickRecord(
          network: "XH", station: station, location: "", channel: nil,
          time: t0.adding(seconds: 50), phase: "P", note: nil, origin: "test")
      ])
    }
    var options = WindowSetOptions(before: 5, after: 25, input: .spectrogram)
    options.spectrogramReference = reference
    let report = try WindowSetBuilder(store: store, logger: Logger(label: "test"), quiet: true)
      .build(options: options)
    #expect(report.skips.isEmpty)
    let contents = try #require(try store.currentWindowSetContents())
    #expect(contents.count == 2)
    let size = contents.windowSet.channelCount * contents.windowSet.length
    if reference == .noise {
      let history = contents.windowSet.processingJson
      #expect(history.contains("binnoise=max(rms of the bin's first 6 frames (before the pick)"))
    }
    return (0..<contents.count).map { Array(contents.samples[($0 * size)..<(($0 + 1) * size)]) }
  }

  /// The frames the options promise (checked before any window is cut, in Double) are the
  /// STFT's, and the noise frames are those a sample-by-sample count finds; the reference is
  /// refused exactly when none of them, or all of them, end before the pick.
  @Test func theNoiseFramesFollowFromTheOptionsAtEveryRate() throws {
    var checked = 0
    for rate in [20.0, 30, 40, 50, 100, 200] {
      for before in [0.5, 1.25, 1.28, 1.3, 1.925, 2.1, 5] {
        for after in [0.0, 0.5, 1.3, 3, 55] {
          var options = WindowSetOptions(before: before, after: after, rate: rate)
          guard let preprocessor = try? WindowPreprocessor(options: options) else { continue }
          let segment = preprocessor.segmentLength
          let hop = segment - preprocessor.segmentOverlap
          let pick = Int((before * rate).rounded())
          let naive = (0..<preprocessor.length).filter { $0 * hop + segment <= pick }.count
          let frames = WindowPreprocessor.noiseFrames(options)
          #expect(frames.all == Double(preprocessor.length), "\(rate) Hz \(before) \(after)")
          #expect(preprocessor.noiseFrameCount == naive, "\(rate) Hz \(before) \(after)")
          options.spectrogramReference = .noise
          let refused = (try? WindowPreprocessor(options: options)) == nil
          #expect(refused == (naive == 0 || naive == preprocessor.length))
          #expect(refused == (WindowPreprocessor.noiseProblem(options) != nil))
          checked += 1
        }
      }
    }
    #expect(checked > 150)
  }

  @Test func aComponentsGainCancelsTheNoiseSitsAtZeroAndTheBestCellIsOne() throws {
    let windows = try build(.noise)
    let bins = windows[0].count / 3 / 45
    #expect(bins * 3 * 45 == windows[0].count, "45 frames of 30 s")
    for w in windows {
      #expect(w.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
      #expect(w.max() == 1)
      // The dead N component: all at 0.
      #expect(w[(bins * 45)..<(2 * bins * 45)].allSatisfy { $0 == 0 })
      // The 6 frames before the pick hold unit noise: SNR near 0 dB, far below the burst.
      var noise: [Float] = []
      for component in [0, 2] {
        for bin in 1..<bins {
          let row = (component * bins + bin) * 45
          noise += w[row..<(row + 6)]
        }
      }
      #expect(noise.reduce(0, +) / Float(noise.count) < 0.1)
    }
    // XH.H02's E is 10 times louder: each bin's noise is too, so the cells are the same.
    let largest = zip(windows[0], windows[1]).map { abs($0 - $1) }.max() ?? 1
    #expect(largest < 1e-5, "\(largest)")
    // Against the window's loudest cell the same gain changes the window.
    let window = try build(.window)
    #expect((zip(window[0], window[1]).map { abs($0 - $1) }.max() ?? 0) > 0.1)
  }
}

extension WindowBuildTests {
  /// One station stored at an absurd rate (a SAC DELTA of 1e-30 reads as 1e30 Hz) refused the
  /// whole build, with advice to lower --rate (an adversarial sweep): its picks are skipped,
  /// the other stations' built.
  @Test func aStationAtAnAbsurdRateIsSkippedAndTheOthersBuilt() throws {
    let dir = try TestPaths.temporaryDirectory("absurd-rate")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    let picks = try noiseStationStore(
      path: path, network: "XX", station: "GOOD", seed: 3, samples: 6_000, pickSeconds: [30])
    let store = try SeisStore(path: path)
    let huge = Segment(
      source: SourceIdentifier(network: "XX", station: "HUGE", location: "", channel: "HHZ"),
      startTime: picks[0], samplingRate: 1e30, samples: .float32([Float](repeating: 1, count: 64)))
    try store.storeFile(path: "huge", size: 0, sha256: "huge", format: .sac, segments: [huge])
    try store.insertPicks([
      PickRecord(
        network: "XX", station: "HUGE", location: "", channel: nil, time: picks[0], phase: "P",
        note: nil, origin: "test")
    ])
    let options = WindowSetOptions(
      before: 1, after: 2, phase: "P", components: .z, rate: 100, bandpass: nil,
      normalize: .max, input: .waveform)
    let report = try WindowSetBuilder(store: store, logger: logger, quiet: true).build(
      options: options)
    #expect(report.built == 1)
    #expect(report.skippedByReason == [WindowSkipReason.rateTooHigh: 1])
    let skip = try #require(report.skips.first)
    #expect(skip.message.hasPrefix("station XX.HUGE.: its data at 1e+30 Hz (HHZ) would need about"))
    #expect(try store.currentWindowSetContents()?.windows.map(\.station) == ["GOOD"])
    // The median is over stations: two picks at HUGE do not make its rate the norm (a review).
    try store.insertPicks([
      PickRecord(
        network: "XX", station: "HUGE", location: "", channel: nil,
        time: picks[0].adding(seconds: 1), phase: "P", note: nil, origin: "test")
    ])
    let twice = try WindowSetBuilder(store: store, logger: logger, quiet: true).build(
      options: options)
    #expect(twice.built == 1 && twice.skippedByReason == [WindowSkipReason.rateTooHigh: 2])

    // Where no station stands out (rates of one order), what costs the memory is the options
    // with these rates: the build is refused, not thinned by the host's memory (a review).
    let other = try SeisStore()
    for (name, rate) in [("A", 1e12), ("B", 2e12)] {
      let segment = Segment(
        source: SourceIdentifier(network: "XX", station: name, location: "", channel: "HHZ"),
        startTime: picks[0], samplingRate: rate,
        samples: .float32([Float](repeating: 1, count: 64)))
      try other.storeFile(path: name, size: 0, sha256: name, format: .sac, segments: [segment])
      try other.insertPicks([
        PickRecord(
          network: "XX", station: name, location: "", channel: nil, time: picks[0], phase: "P",
          note: nil, origin: "test")
      ])
    }
    do {
      _ = try WindowSetBuilder(store: other, logger: logger, quiet: true).build(options: options)
      Issue.record("built from stations at 1e12 Hz")
    } catch let error as WindowSetBuilder.BuildError {
      // No option helps: the message says the stored rate is the cause.
      #expect(
        error.reason.hasSuffix(
          "the stored sampling rate is what needs it (a header with a wrong rate or DELTA?): leave those stations out with --stations"
        ), "\(error.reason)")
    }
    #expect(try other.currentWindowSet() == nil)
  }
}

extension WindowBuildTests {
  /// Inputs an adversarial sweep found: a pick at the end of the storable times trapped
  /// (arithmetic overflow) while the window's reach was computed; float64 data near 1e200 with
  /// `--normalize none` stored windows of infinities (which `windows import` refuses); with
  /// `--normalize std` the same data, and data near 1e-200, came out as zeros; and a `--rate`
  /// whose Nyquist lies below the whole band built windows of filter roll-off.
  @Test func picksAtTheEndsOfTimeAndSamplesBeyondFloat32AreSkippedWithTheirReason() throws {
    let dir = try TestPaths.temporaryDirectory("edge-values")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    let picks = try noiseStationStore(
      path: path, network: "XX", station: "GOOD", seed: 5, samples: 6_000, pickSeconds: [30])
    let store = try SeisStore(path: path)
    var generator = SeededGenerator(seed: 9)
    for (station, scale) in [("HUGE", 1e200), ("TINY", 1e-200)] {
      let segment = Segment(
        source: SourceIdentifier(network: "XX", station: station, location: "", channel: "HHZ"),
        startTime: picks[0].adding(seconds: -30), samplingRate: 100,
        samples: .float64((0..<6_000).map { _ in generator.nextGaussian() * scale }))
      try store.storeFile(
        path: station, size: 0, sha256: station, format: .miniSEED, segments: [segment])
    }
    let records = [("HUGE", picks[0]), ("TINY", picks[0])].map { station, time in
      PickRecord(
        network: "XX", station: station, location: "", channel: nil, time: time, phase: "P",
        note: nil, origin: "test")
    }
    let edges = ["2262-04-11T23:47:00Z", "1677-09-21T00:12:50Z"].compactMap {
      Timestamp(iso8601: $0)
    }
    try store.insertPicks(
      records
        + edges.map {
          PickRecord(
            network: "XX", station: "GOOD", location: "", channel: nil, time: $0, phase: "P",
            note: nil, origin: "test")
        })
    func build(
      _ normalize: WindowSetOptions.Normalization,
      input: WindowSetOptions.Input = .waveform
    ) throws -> WindowBuildReport {
      try WindowSetBuilder(store: store, logger: logger, quiet: true).build(
        options: WindowSetOptions(
          before: 5, after: 10, phase: "P", components: .z, rate: 100, bandpass: nil,
          normalize: normalize, input: input))
    }
    let none = try build(.none)
    #expect(none.built == 2)  // GOOD's pick and TINY's
    #expect(none.skippedByReason == [.noData: 2, .notFinite: 1])
    #expect(
      none.skips.contains {
        $0.reason == .notFinite && $0.message.hasPrefix("XX.HUGE..HHZ pick ")
          && $0.message.contains("is beyond float32's range")
      })
    let contents = try #require(try store.currentWindowSetContents())
    #expect(contents.windows.map(\.station).sorted() == ["GOOD", "TINY"])
    // TINY's samples are zeros as float32: stored, and said as a flat channel.
    #expect(none.flatWindows == ["XX.TINY.": 1])
    // A spectrogram stores dB in [0, 1], whatever the samples' size (a review: HUGE was skipped).
    let spectra = try build(.none, input: .spectrogram)
    #expect(spectra.built == 3 && spectra.skippedByReason == [.noData: 2])
    #expect(spectra.flatWindows.isEmpty)

    let std = try build(.std)
    #expect(std.built == 3 && std.skippedByReason == [.noData: 2])
    let windows = try #require(try store.currentWindowSetContents())
    for (index, window) in windows.windows.enumerated() {
      let size = windows.windowSize
      let values = windows.samples[(index * size)..<((index + 1) * size)]
      let rms = (values.reduce(0) { $0 + Double($1) * Double($1) } / Double(values.count))
        .squareRoot()
      // Unit deviation over the window (the cut), not zeros.
      #expect(abs(rms - 1) < 0.05, "\(window.station): rms \(rms)")
    }

    var band = WindowSetOptions(
      before: 5, after: 10, phase: "P", components: .z, rate: 1, bandpass: (1, 20),
      normalize: .max, input: .waveform)
    do {
      _ = try WindowSetBuilder(store: store, logger: logger, quiet: true).build(options: band)
      Issue.record("built windows whose whole band is above their Nyquist frequency")
    } catch let error as WindowSetBuilder.BuildError {
      #expect(error.reason.contains("lies wholly at or above the output Nyquist frequency 0.5 Hz"))
    }
    band.rate = 30  // a band that reaches past Nyquist is still built (with a warning)
    #expect(
      try WindowSetBuilder(store: store, logger: logger, quiet: true).build(options: band).built
        == 3)
  }
}

extension WindowBuildTests {
  /// A dead channel (a constant, here 12345 counts on every component) gave windows of zeros in
  /// silence (an adversarial sweep): they are kept, and counted by station in a warning.
  @Test func windowsOfADeadChannelAreCountedByStation() throws {
    let dir = try TestPaths.temporaryDirectory("flat-channel")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    let picks = try noiseStationStore(
      path: path, network: "XX", station: "GOOD", seed: 5, samples: 6_000, pickSeconds: [30])
    let store = try SeisStore(path: path)
    let flat = ["HHZ", "HHN", "HHE"].map { channel in
      Segment(
        source: SourceIdentifier(network: "XX", station: "FLAT", location: "", channel: channel),
        startTime: picks[0].adding(seconds: -30), samplingRate: 100,
        samples: .int32([Int32](repeating: 12_345, count: 6_000)))
    }
    try store.storeFile(path: "flat", size: 0, sha256: "flat", format: .miniSEED, segments: flat)
    try store.insertPicks([
      PickRecord(
        network: "XX", station: "FLAT", location: "", channel: nil, time: picks[0], phase: "P",
        note: nil, origin: "test")
    ])
    for input in [WindowSetOptions.Input.waveform, .spectrogram] {
      let report = try WindowSetBuilder(store: store, logger: logger, quiet: true).build(
        options: WindowSetOptions(
          before: 5, after: 10, phase: "P", components: .zne, rate: 100, bandpass: (1, 20),
          normalize: .max, input: input))
      #expect(report.built == 2, "\(input)")
      #expect(report.flatWindows == ["XX.FLAT.": 1], "\(input)")
      #expect(
        report.flatWarning?.hasPrefix(
          "1 window holds a component whose values are all the same (XX.FLAT. 1): a dead or flat-lined channel?"
        ) == true, "\(report.flatWarning ?? "none")")
    }
  }
}
