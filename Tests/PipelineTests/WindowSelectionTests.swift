import Foundation
import Logging
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// Window selection as ObsPy's `select` (stations, start, end), the rule that options leaving no
/// window are an error that keeps the current set, skips summed up by station, and sizes that
/// cannot be allocated refused before allocating.
@Suite struct WindowSelectionTests {
  static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
  static let t0 = Timestamp(iso8601: "2026-03-01T00:00:00Z")!

  /// Three-component stations of 10 minutes of noise: XH.H01 (blank location), XH.H02.00 and
  /// IU.ANMO.10 at 100 Hz, and XH.L40 at 40 Hz (cannot carry a 1-20 Hz band).
  func store() throws -> SeisStore {
    let store = try SeisStore()
    var generator = SeededGenerator(seed: 16)
    let stations: [(String, String, String, String, Double)] = [
      ("XH", "H01", "", "HH", 100), ("XH", "H02", "00", "HH", 100),
      ("IU", "ANMO", "10", "HH", 100), ("XH", "L40", "", "BH", 40),
    ]
    for (k, (net, sta, loc, band, rate)) in stations.enumerated() {
      var segments: [Segment] = []
      for c in ["Z", "N", "E"] {
        let samples = (0..<Int(600 * rate)).map { _ in
          Int32.random(in: -500...500, using: &generator)
        }
        segments.append(
          Segment(
            source: SourceIdentifier(network: net, station: sta, location: loc, channel: band + c),
            startTime: Self.t0, samplingRate: rate, samples: .int32(samples)))
      }
      try store.storeFile(
        path: "\(sta).mseed", size: 0, sha256: "\(k)", format: .miniSEED, segments: segments)
    }
    return store
  }

  func pick(_ net: String, _ sta: String, _ loc: String, _ seconds: Double, phase: String = "P")
    -> PickRecord
  {
    PickRecord(
      network: net, station: sta, location: loc, channel: nil,
      time: Self.t0.adding(seconds: seconds), phase: phase, note: nil, origin: "test")
  }

  func options(
    stations: [String]? = nil, start: Double? = nil, end: Double? = nil, phase: String? = nil,
    rate: Double = 50
  ) -> WindowSetOptions {
    WindowSetOptions(
      before: 1, after: 3, phase: phase, rate: rate, bandpass: (1, 20), normalize: .max,
      input: .waveform, stations: stations, start: start.map { Self.t0.adding(seconds: $0) },
      end: end.map { Self.t0.adding(seconds: $0) })
  }

  func build(_ store: SeisStore, _ options: WindowSetOptions) throws -> WindowBuildReport {
    try WindowSetBuilder(store: store, logger: Self.logger, quiet: true).build(options: options)
  }

  /// Triggers beside imported picks of the same events are counted for a warning (a
  /// daily-flow sweep: 109 of 168 picked events got a second window from `detect`).
  @Test func triggersWithinAWindowOfAnotherPickAtTheStationAreCounted() throws {
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    // `detect`'s triggers are told by their origin; imported picks of any phase are others.
    func pick(_ station: String, _ seconds: Double, _ phase: String) -> PickRecord {
      PickRecord(
        network: "XX", station: station, location: "", channel: nil,
        time: t0.adding(seconds: seconds), phase: phase, note: nil,
        origin: phase == "trigger" ? TriggerDetection.origin : "picks.csv")
    }
    let picks = [
      pick("A", 100, "P"), pick("A", 102, "trigger"), pick("A", 300, "trigger"),
      pick("B", 100, "trigger"), pick("A", 359.9, "S"), pick("A", 500, "trigger"),
    ]
    // Within 60 s: A at 102 (P at 100) and A at 300 (S at 359.9); not B at 100, not A at 500.
    #expect(PickSelection.triggersBesideOtherPicks(picks, within: 60) == 2)
    #expect(PickSelection.triggersBesideOtherPicks(picks, within: 1) == 0)
    #expect(
      PickSelection.triggersBesideOtherPicks(picks.filter { $0.phase == "trigger" }, within: 60)
        == nil)
    #expect(
      PickSelection.triggersBesideOtherPicks(picks.filter { $0.phase != "trigger" }, within: 60)
        == nil)
    // An imported pick of phase trigger is another pick, and so is one spelled Trigger.
    var imported = pick("C", 100, "P")
    imported.phase = "trigger"
    let near = [
      pick("C", 101, "trigger"), imported, pick("D", 100, "Trigger"), pick("D", 103, "trigger"),
    ]
    #expect(PickSelection.triggersBesideOtherPicks(near, within: 60) == 2)
    // Times at the ends of the storable range do not overflow.
    let late = try #require(Timestamp(iso8601: "2262-04-11T23:47:00Z"))
    let early = try #require(Timestamp(iso8601: "1678-01-01T00:00:00Z"))
    var ends = [pick("E", 0, "trigger"), pick("E", 0, "P"), pick("E", 0, "trigger")]
    ends[0].timeNs = late.nanoseconds
    ends[1].timeNs = late.nanoseconds + 10_000_000_000
    ends[2].timeNs = early.nanoseconds
    #expect(PickSelection.triggersBesideOtherPicks(ends, within: 60) == 1)
  }

  /// What a store lacks before windows can be cut names the command that gives it.
  @Test func aStoreWithoutTracesOrPicksNamesTheCommandToRunFirst() throws {
    let dir = try TestPaths.temporaryDirectory("missing-input")
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try SeisStore()
    #expect(
      PickSelection.missingInput(in: store)?.hasPrefix("the store holds no traces and no picks")
        == true)
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    _ = try store.insertPicks([
      PickRecord(
        network: "XX", station: "A", location: "", channel: nil, time: t0, phase: "P", note: nil,
        origin: "test")
    ])
    #expect(
      PickSelection.missingInput(in: store)?.contains(
        "picks but no traces: `seiscluster ingest DIR`") == true)
    // What the options ask for stays in the message beside what the store lacks.
    var phaseS = WindowSetOptions()
    phaseS.phase = "S"
    #expect(
      PickSelection.whySelectedNone(in: store, options: phaseS).hasPrefix(
        "no stored pick matches phase 'S'; the store holds picks but no traces"))
    #expect(
      PickSelection.whySelectedNone(in: store, options: WindowSetOptions()).hasPrefix(
        "the store holds picks but no traces"))
    #expect(
      PickSelection.noCurrentSet(in: store).hasSuffix(
        "(or `seiscluster windows import FILE.npy` for windows cut elsewhere)"))
    let path = dir.appendingPathComponent("s.sqlite").path
    _ = try noiseStationStore(
      path: path, network: "XH", station: "H01", seed: 1, samples: 1000, pickSeconds: [])
    let traces = try SeisStore(path: path)
    #expect(
      PickSelection.missingInput(in: traces)?.hasPrefix(
        "the store holds no picks: `seiscluster picks import FILE`") == true)
    _ = try traces.insertPicks([
      PickRecord(
        network: "XH", station: "H01", location: "", channel: nil, time: t0, phase: "P",
        note: nil, origin: "test")
    ])
    #expect(PickSelection.missingInput(in: traces) == nil)
    #expect(
      PickSelection.whySelectedNone(in: traces, options: phaseS)
        == "no stored pick matches phase 'S'")
    #expect(
      PickSelection.noCurrentSet(in: traces)
        == "no current window set: run `seiscluster windows build` or give window options")
  }

  @Test func stationPatternsMatchCodesAsObsPySelectDoesIgnoringCase() throws {
    let any = try StationPattern("XH.*")
    #expect(any.matches(network: "XH", station: "H01", location: ""))
    #expect(any.matches(network: "xh", station: "H02", location: "00"))
    #expect(!any.matches(network: "IU", station: "H01", location: ""))
    let digits = try StationPattern("*.h0?")
    #expect(digits.matches(network: "XH", station: "H02", location: "00"))
    #expect(!digits.matches(network: "XH", station: "H10", location: "00"))
    let blank = try StationPattern("XH.H01.")
    #expect(blank.matches(network: "XH", station: "H01", location: ""))
    #expect(!blank.matches(network: "XH", station: "H01", location: "00"))
    let located = try StationPattern("iu.anmo.1[0-9]")
    #expect(located.matches(network: "IU", station: "ANMO", location: "10"))
    for bad in ["XH", "XH.H01.00.HHZ", ".H01", "XH..00", ""] {
      #expect(throws: StationPattern.Invalid.self, "\(bad)") { try StationPattern(bad) }
    }
    #expect(try StationPattern.list("XH.*, IU.ANMO.10").map(\.text) == ["XH.*", "IU.ANMO.10"])
  }

  /// `--start`/`--end` digits beyond the nanosecond were cut off: a pick at ...03.004692000
  /// was left out by `--end ...03.0046920009` (an adversarial sweep). They round the time up.
  @Test func startAndEndDigitsBeyondTheNanosecondRoundUp() throws {
    let pick = try #require(Timestamp(iso8601: "2026-03-01T00:04:03.004692Z"))
    let end = try #require(WindowSetOptions.time(iso8601: "2026-03-01T00:04:03.0046920009Z"))
    #expect(pick < end)
    let start = try #require(WindowSetOptions.time(iso8601: "2026-03-01T00:04:03.0046920001Z"))
    #expect(start > pick)
    #expect(WindowSetOptions.time(iso8601: "2026-03-01T00:04:03.004692000000Z") == pick)
    // The last storable nanosecond cannot round up (a review found a trap there).
    #expect(
      WindowSetOptions.time(iso8601: "2262-04-11T23:47:16.8547758079Z")?.nanoseconds == .max)
    #expect(
      WindowSetOptions.time(iso8601: "2026-03-01T00:04:03Z") == pick.adding(nanoseconds: -4_692_000)
    )
  }

  /// A comma inside a bracket is one of its characters, as `fnmatch` reads it: `XC.[A,C]B1`
  /// was split into `XC.[A` and `C]B1` and refused (an adversarial sweep).
  @Test func commasInsideBracketsDoNotSplitTheList() throws {
    #expect(StationPattern.items("XC.[A,C]B1") == ["XC.[A,C]B1"])
    #expect(StationPattern.items("XC.[A,C]B1,IU.*,,") == ["XC.[A,C]B1", "IU.*"])
    #expect(StationPattern.items("XC.[],]B1,IU.*") == ["XC.[],]B1", "IU.*"])
    #expect(StationPattern.items("XC.[!],]B1,IU.*") == ["XC.[!],]B1", "IU.*"])
    // A `[` that no `]` closes is a character and splits nothing (a review: `XX.[A,XX.B` was
    // one pattern that matched no station).
    #expect(StationPattern.items("XX.[A,XX.B") == ["XX.[A", "XX.B"])
    #expect(StationPattern.items("XX.[!,XX.B") == ["XX.[!", "XX.B"])
    #expect(StationPattern.items("XX.[],XX.B") == ["XX.[]", "XX.B"])  // `]` first is a member
    #expect(StationPattern.items("XX.[],XX.B]") == ["XX.[],XX.B]"])
    let pattern = try #require(try StationPattern.list("XC.[A,C]B1").first)
    #expect(pattern.matches(network: "XC", station: "CB1", location: ""))
    #expect(pattern.matches(network: "XC", station: ",B1", location: ""))
    #expect(!pattern.matches(network: "XC", station: "BB1", location: ""))
  }

  /// Codes that hold a wildcard character or a comma are selected by it in brackets, as in
  /// ObsPy's `select` (checked there: `A[*]B` selects `A*B`, `A\*B` does not, a backslash is
  /// a character in Python's `fnmatch`).
  @Test func codesHoldingWildcardCharactersAreSelectedByThemInBrackets() throws {
    let star = try #require(try StationPattern.list("XX.A[*]B").first)
    #expect(star.matches(network: "XX", station: "A*B", location: ""))
    #expect(!star.matches(network: "XX", station: "AXB", location: ""))
    let comma = try #require(try StationPattern.list("XX.A[,]B,YY.*").first)
    #expect(comma.matches(network: "XX", station: "A,B", location: ""))
    let mark = try StationPattern("XX.A[?][[]")
    #expect(mark.matches(network: "XX", station: "A?[", location: ""))
    #expect(!mark.matches(network: "XX", station: "AB[", location: ""))
    let backslash = try StationPattern("XX.A\\*B")
    #expect(!backslash.matches(network: "XX", station: "A*B", location: ""))
    #expect(backslash.matches(network: "XX", station: "A\\XYB", location: ""))
  }

  /// Every pattern of `tools/make_glob_fixtures.py` against every code, as Python's `fnmatch`
  /// (ObsPy's `select`) answers: C's `fnmatch` differed on `[^X]` once backslashes were
  /// characters (it then matched `\AB`), on `?` before a non-ASCII character, and on
  /// `[[.A.]]` (an adversarial review).
  @Test func patternsMatchAsPythonsFnmatchOnEveryCodeOfTheTable() throws {
    struct Table: Decodable {
      var patterns: [String]
      var codes: [String]
      var matches: [[Int]]
    }
    let url = TestPaths.fixtures.appendingPathComponent("glob/fnmatch.json")
    let table = try JSONDecoder().decode(Table.self, from: Data(contentsOf: url))
    #expect(table.patterns.count >= 300 && table.codes.count >= 40)
    var differences: [String] = []
    for (p, pattern) in table.patterns.enumerated() {
      let glob = Glob(pattern.uppercased())
      for (c, code) in table.codes.enumerated()
      where glob.matches(code.uppercased()) != (table.matches[p][c] == 1) {
        differences.append("\(pattern) on \(code): Python says \(table.matches[p][c])")
      }
    }
    #expect(differences.isEmpty, "\(differences)")
    // Through the pattern too: `*.[^X]*` selects `XAB`'s neighbours as ObsPy does.
    let caret = try StationPattern("*.[^X]*")
    #expect(
      ["XAB", "^AB", "\\AB", "YAB"].filter {
        caret.matches(network: "XX", station: $0, location: "")
      }
        == ["XAB", "^AB"])
  }

  /// `[^X]` is "^ or X" in Python's `fnmatch`, which ObsPy's `select` uses; C's `fnmatch`
  /// negated it, selecting the other networks (an adversarial sweep). `[!X]` negates in both.
  @Test func aCaretFirstInABracketIsACharacterAsInObsPy() throws {
    let caret = try StationPattern("[^X]*.S3*")
    #expect(caret.matches(network: "XS", station: "S364A", location: ""))
    #expect(!caret.matches(network: "7K", station: "S335C", location: ""))
    let bang = try StationPattern("[!X]*.S3*")
    #expect(!bang.matches(network: "XS", station: "S364A", location: ""))
    #expect(bang.matches(network: "7K", station: "S335C", location: ""))
  }

  @Test func windowsAreBuiltOnlyForPicksAtMatchingStationsFromStartToBeforeEnd() throws {
    let store = try store()
    try store.insertPicks([
      pick("XH", "H01", "", 100), pick("XH", "H02", "00", 110), pick("IU", "ANMO", "10", 120),
      pick("XH", "H01", "", 300), pick("XH", "H02", "00", 400),
    ])
    let report = try build(store, options(stations: ["xh.h0?"], start: 110, end: 400))
    #expect(report.pickCount == 2)
    let contents = try #require(try store.currentWindowSetContents())
    #expect(contents.windows.map(\.station) == ["H02", "H01"])
    #expect(
      contents.windows.map { $0.pickTime?.nanoseconds(since: Self.t0) }
        == [110e9, 300e9].map { Int64($0) })
    // A blank location is written with the dot.
    _ = try build(store, options(stations: ["XH.H01.", "IU.*"]))
    let second = try #require(try store.currentWindowSetContents())
    #expect(second.windows.map(\.station) == ["H01", "ANMO", "H01"])
    #expect(second.windowSet.parametersJson.contains("\"stations\":[\"XH.H01.\",\"IU.*\"]"))
  }

  /// The tool's default input for event windows: correlation profiles when every selected pick
  /// is at one station, spectrograms across stations; the user's `--input` always wins.
  @Test func theDefaultInputIsCorrelationForOneStationsPicksOnly() throws {
    func built(stations: [String]?, chosenByTool: Bool) throws -> String {
      let store = try store()
      try store.insertPicks([
        pick("XH", "H01", "", 100), pick("XH", "H01", "", 200), pick("XH", "H02", "00", 300),
      ])
      var o = options(stations: stations)
      o.before = 2
      o.after = 6
      o.input = .spectrogram
      o.inputChosenByTool = chosenByTool
      _ = try build(store, o)
      let set = try #require(try store.currentWindowSet())
      #expect(set.isCorrelationInput == (set.parametersJson.contains("\"correlation\"")))
      return set.isCorrelationInput ? "correlation" : set.inputKind.rawValue
    }
    #expect(try built(stations: ["XH.H01"], chosenByTool: true) == "correlation")
    #expect(try built(stations: nil, chosenByTool: true) == "spectrogram")
    #expect(try built(stations: ["XH.H01"], chosenByTool: false) == "spectrogram")
  }

  /// At a rate too low for STFT segments of two samples (--rate 1: a 1.28 s segment holds
  /// one), the default for event windows is waveforms, and correlation at one station. It was
  /// spectrograms, refused ("hold 1 sample at --rate 1 Hz") before the one station's picks could
  /// turn it into correlation (a usability review, on the shared LHZ data).
  @Test func eventWindowsAtARateTooLowForSpectrogramsAreWaveformsByDefault() throws {
    #expect(WindowSetOptions.defaultInput(before: 20, after: 120, rate: 1) == .waveform)
    #expect(WindowSetOptions.defaultInput(before: 20, after: 120, rate: 1.2) == .spectrogram)
    #expect(WindowSetOptions.defaultInput(before: 20, after: 120, rate: 1.1) == .waveform)
    #expect(WindowSetOptions.defaultInput(before: 20, after: 120) == .spectrogram)
    #expect(WindowSetOptions.defaultInput(before: 1, after: 1, rate: 100) == .waveform)
    func built(stations: [String]?) throws -> String {
      let store = try store()
      try store.insertPicks([
        pick("XH", "H01", "", 100), pick("XH", "H01", "", 200), pick("XH", "H02", "00", 300),
      ])
      var o = options(stations: stations)
      (o.before, o.after, o.rate, o.bandpass) = (20, 40, 1, nil)
      o.input = WindowSetOptions.defaultInput(before: 20, after: 40, rate: 1)
      o.inputChosenByTool = true
      _ = try build(store, o)
      let set = try #require(try store.currentWindowSet())
      return set.isCorrelationInput ? "correlation" : set.inputKind.rawValue
    }
    #expect(try built(stations: ["XH.H01"]) == "correlation")
    #expect(try built(stations: nil) == "waveform")
  }

  @Test func aPatternThatMatchesNoStoredStationIsAnErrorNamingIt() throws {
    let store = try store()
    try store.insertPicks([pick("XH", "H01", "", 100)])
    _ = try build(store, options())
    let current = try store.currentWindowSet()?.id
    do {
      _ = try build(store, options(stations: ["XH.H01", "XX.NOPE"]))
      Issue.record("a pattern matching nothing was accepted")
    } catch let error as WindowSetBuilder.BuildError {
      #expect(error.reason.contains("--stations 'XX.NOPE' matches no stored station"))
      #expect(!error.reason.contains("\n"))
    }
    #expect(try store.currentWindowSet()?.id == current)
  }

  @Test func optionsThatLeaveNoWindowAreAnErrorAndTheCurrentSetStaysAsItWas() throws {
    let store = try store()
    try store.insertPicks([pick("XH", "H01", "", 100), pick("XH", "L40", "", 200)])
    let first = try build(store, options())
    #expect(first.built == 1)
    let current = try #require(try store.currentWindowSet()?.id)
    for (options, why) in [
      (
        options(phase: "ZZZ"),
        "no pick selected (no stored pick matches phase 'ZZZ'; stored phases: 'P' 2)"
      ),
      // Phases are matched exactly; one that differs only by case is named.
      (
        options(phase: "p"),
        "no pick selected (no stored pick matches phase 'p'; stored phases: 'P' 2; phases are matched exactly, so --phase P for 'P')"
      ),
      (options(start: 500), "no pick selected"),
      (options(stations: ["XH.L40"]), "no window could be built: all 1 selected pick was skipped"),
    ] {
      do {
        _ = try build(store, options)
        Issue.record("\(why): built a set")
      } catch let error as WindowSetBuilder.BuildError {
        #expect(error.reason.contains(why), "\(error.reason)")
        #expect(error.reason.hasSuffix("the current window set is unchanged"))
      }
      #expect(try store.currentWindowSet()?.id == current)
    }
    #expect(try store.writer.read { db in try WindowSetRecord.fetchCount(db) } == 1)
  }

  /// A station of vertical channels only skips every pick under the default ZNE; the error
  /// names --components Z (on the shared archive's LHZ stations, a usability review met the
  /// error without it), and only where components are missing.
  @Test func picksSkippedForMissingComponentsNameComponentsZ() throws {
    let store = try store()
    // One channel of 10 minutes at 100 Hz at station ZO.`station`.
    func storeChannel(_ station: String, _ channel: String) throws {
      try store.storeFile(
        path: "\(station).mseed", size: 0, sha256: station, format: .miniSEED,
        segments: [
          Segment(
            source: SourceIdentifier(
              network: "ZO", station: station, location: "", channel: channel),
            startTime: Self.t0, samplingRate: 100,
            samples: .int32((0..<60_000).map { Int32($0 % 97) }))
        ])
    }
    try storeChannel("V", "HHZ")
    try store.insertPicks([pick("ZO", "V", "", 100), pick("XH", "L40", "", 200)])
    do {
      _ = try build(store, options(stations: ["ZO.V"]))
      Issue.record("a Z-only station built ZNE windows")
    } catch let error as WindowSetBuilder.BuildError {
      #expect(
        error.reason.hasSuffix(
          "(1 missing component); --components Z builds windows of the vertical component alone; the current window set is unchanged"
        ), "\(error.reason)")
    }
    var vertical = options(stations: ["ZO.V"])
    vertical.components = .z
    #expect(try build(store, vertical).built == 1)
    // Another reason alone gets no such hint, nor a station without a vertical channel (a
    // review: IU.ULN.00 holds LH1 alone, and --components Z failed again there).
    try storeChannel("H", "HH1")
    try store.insertPicks([pick("ZO", "H", "", 100)])
    for stations in [["XH.L40"], ["ZO.H"]] {
      do {
        _ = try build(store, options(stations: stations))
        Issue.record("\(stations) built windows")
      } catch let error as WindowSetBuilder.BuildError {
        #expect(!error.reason.contains("--components Z"), "\(error.reason)")
      }
    }
  }

  /// `--bandpass none` upsamples low-rate data to --rate without a word (a newcomer's review:
  /// LH data at 1 Hz mixed into a 100 Hz set): said where rates are mixed, or where one low rate
  /// is upsampled twice or more; never with a band (the Nyquist skip covers it).
  @Test func upsampledLowRateDataIsSaidWithoutABand() {
    func set(_ station: String, _ channel: String, _ rate: Double) -> ChannelSet {
      ChannelSet(
        channels: [
          SourceIdentifier(network: "XX", station: station, location: "", channel: channel)
        ],
        samplingRate: rate)
    }
    var o = options(rate: 100)
    o.bandpass = nil
    let mixed = [set("A", "LHZ", 1), set("A", "LHZ", 1), set("B", "HHZ", 100), set("C", "BHZ", 20)]
    #expect(
      WindowSetBuilder.upsamplingWarning(options: o, sets: mixed)
        == "3 picks at 2 stations recorded below --rate 100 Hz (XX.A. LHZ at 1 Hz, XX.C. BHZ at 20 Hz) are upsampled: with --bandpass none their windows hold nothing above their own Nyquist frequency, unlike the others', and the clusters may follow the rates; a band below 0.5 Hz keeps like with like"
    )
    #expect(
      WindowSetBuilder.upsamplingWarning(
        options: o, sets: [set("A", "LHZ", 1), set("D", "LHZ", 1)])
        == "every window is upsampled from 1 Hz to --rate 100 Hz: --rate 1 gives the same content in 100 times fewer samples"
    )
    // One rate, upsampled less than twice; every station at --rate; or a band given: nothing.
    #expect(WindowSetBuilder.upsamplingWarning(options: o, sets: [set("A", "HHZ", 80)]) == nil)
    #expect(WindowSetBuilder.upsamplingWarning(options: o, sets: [set("B", "HHZ", 100)]) == nil)
    o.bandpass = (0.1, 0.4)
    #expect(WindowSetBuilder.upsamplingWarning(options: o, sets: mixed) == nil)
  }

  @Test func skippedPicksAreSummedUpByStationWithACountAndAHint() throws {
    let store = try store()
    let many = (0..<250).map { pick("XH", "L40", "", 20 + Double($0) * 2) }
    try store.insertPicks(many + [pick("XH", "H01", "", 100), pick("XX", "NONE", "", 100)])
    let report = try build(store, options())
    #expect(report.built == 1)
    #expect(report.skips.count == 251)
    let lines = WindowSkipSummary(report.skips).lines(band: (1, 20))
    #expect(lines.count == 2)
    #expect(lines[0].hasPrefix("XH.L40.: 250 picks skipped: Nyquist frequency 20.0 Hz"))
    #expect(lines[0].hasSuffix("--bandpass 1,15 would include it"))
    #expect(lines[1].contains("XX.NONE."))
    // Many stations and reasons still make a few lines.
    let skips = (0..<40).map {
      WindowSkip(reason: .gap, message: "S\($0) pick: a gap, skipped", station: "XX.S\($0).")
    }
    let summary = WindowSkipSummary(skips).lines(band: nil)
    #expect(summary.count == WindowSkipSummary.linesShown + 1)
    #expect(summary.last?.hasPrefix("and 35 more skipped picks in 35 more groups") == true)
    // One station, one reason, two texts: a line each, so no line speaks for picks it does not
    // describe (stop 38's sweep: "2 picks skipped: no stored channels HH?" for an HH and a BH).
    let channels = ["HH", "BH", "HH"].map {
      WindowSkip(
        reason: .missingComponent, message: "pick on \($0)Z", station: "DM.DEM03.",
        common: "no stored channels \($0)?")
    }
    #expect(
      WindowSkipSummary(channels).lines(band: nil) == [
        "DM.DEM03.: 2 picks skipped: no stored channels HH?",
        "DM.DEM03.: 1 pick skipped: no stored channels BH?",
      ])
  }

  /// A pick that names band and instrument codes alone (PhaseNet's `BH`) was said to lack
  /// "channels B?", and a pick at a station with no data at all "channels H?" (a review of the
  /// pickers' tables): the group is named whole, and a station without data says so.
  @Test func aPickOfABandTheStationLacksNamesTheBandWhole() throws {
    let store = try store()
    var onBH = pick("XH", "H01", "", 100)
    onBH.channel = "BH"
    var onHHZ = pick("XH", "H01", "", 110)
    onHHZ.channel = "BHZ"
    var nowhere = pick("XX", "NONE", "", 100)
    nowhere.channel = "HH"
    try store.insertPicks([onBH, onHHZ, nowhere, pick("XH", "H01", "", 120)])
    let report = try build(store, options())
    #expect(report.built == 1)
    #expect(
      Set(report.skips.map(\.common))
        == ["no stored channels BH?", "no stored data"], "\(report.skips.map(\.message))")
  }

  @Test func sizesThatCannotBeAllocatedAreRefusedInOneLineBeforeAllocating() throws {
    let store = try store()
    try store.insertPicks([pick("XH", "H01", "", 100)])
    for rate in [1e9, 1e300] {
      var o = options(rate: rate)
      o.before = 2
      o.after = 8
      o.input = .spectrogram
      do {
        _ = try build(store, o)
        Issue.record("rate \(rate) was accepted")
      } catch let error as WindowSetBuilder.BuildError {
        #expect(
          error.reason.contains("lower --rate or shorten --before/--after"), "\(error.reason)")
        #expect(!error.reason.contains("\n"))
      }
    }
    // A low corner far below the window's band asks for margins of 10 periods: it is named,
    // not --rate (a sweep's `--bandpass 1e-6,5`).
    var low = options(rate: 100)
    low.bandpass = (1e-6, 5)
    do {
      _ = try build(store, low)
      Issue.record("a low corner of 1e-6 Hz was accepted")
    } catch let error as WindowSetBuilder.BuildError {
      #expect(
        error.reason.hasSuffix(
          "the band's low corner 1e-06 Hz asks for margins of 10 periods, 10000000 s, on each side of every window: raise the low corner of --bandpass"
        ), "\(error.reason)")
    }
    // Both too large (the review's nit: only --rate was named): both are named.
    low.rate = 1e9
    do {
      _ = try build(store, low)
      Issue.record("a low corner of 1e-6 Hz at 1e9 Hz was accepted")
    } catch let error as WindowSetBuilder.BuildError {
      #expect(
        error.reason.hasSuffix(
          "the band's low corner 1e-06 Hz asks for margins of 10 periods, 10000000 s, on each side of every window: raise the low corner of --bandpass, and lower --rate"
        ), "\(error.reason)")
    }
    #expect(try store.currentWindowSet() == nil)
    #expect(try store.check().isEmpty)
    // The limit is physical memory or the address-space limit, whichever is lower.
    #expect(WindowSizeCheck.memoryLimit().bytes <= Double(ProcessInfo.processInfo.physicalMemory))
  }

  /// A band's upper corner far above the Nyquist frequency (`--bandpass 1,1e19`) trapped in
  /// the spectrogram's bin count (a sweep found it); the bins stop at the Nyquist frequency,
  /// and the band is refused per station, with its reason, when windows are cut.
  @Test func aBandFarAboveNyquistDoesNotTrapTheSpectrogramShape() throws {
    for high in [1e19, 1e300, .greatestFiniteMagnitude] {
      let options = WindowSetOptions(bandpass: (1, high))
      let preprocessor = try WindowPreprocessor(options: options)
      let nyquistBins = try WindowPreprocessor(options: WindowSetOptions(bandpass: nil))
        .frequencyCount
      #expect(preprocessor.frequencyCount == nyquistBins, "\(high)")
    }
  }

  /// Spectrogram windows whose STFT segment does not fit are refused in the options the user
  /// gives (`--rate 1` said "segment of 1 samples (overlap 1) does not fit a window of 10
  /// samples"; found by an adversarial sweep).
  @Test func anSTFTThatDoesNotFitIsRefusedInTheUsersOptions() throws {
    func reason(_ options: WindowSetOptions) -> String {
      do {
        _ = try WindowPreprocessor(options: options)
        return ""
      } catch {
        return "\(error)"
      }
    }
    let slow = reason(WindowSetOptions(before: 2, after: 8, rate: 1, bandpass: nil))
    #expect(
      slow.contains(
        "hold 1 sample at --rate 1 Hz (at least 2): raise --rate or give --input waveform"),
      "\(slow)")
    let short = reason(WindowSetOptions(before: 0.3, after: 0.3))
    #expect(
      short.contains(
        "--before 0.3 --after 0.3 at --rate 100 Hz hold 60 samples against its 128: lengthen --before/--after or give --input waveform"
      ), "\(short)")
    #expect(reason(WindowSetOptions(before: 0.3, after: 0.3, input: .waveform)).isEmpty)
  }

  @Test func theHistoryHoldsTheLinesOfTheChainThatRunsOnEveryChannel() throws {
    let preprocessor = try WindowPreprocessor(options: options())
    let history = preprocessor.history(version: "9.9")
    let chain = preprocessor.chain.history(version: "9.9")
    #expect(chain.count == 5)
    let at = try #require(history.firstIndex(of: chain[0]))
    #expect(Array(history[at..<(at + chain.count)]) == chain)
    #expect(
      preprocessor.chain.steps.map(\.name) == [
        "demean", "detrend", "taper", "bandpass", "resample",
      ])
    #expect(chain[3].hasSuffix("bandpass(freqmin=1.0, freqmax=20.0, corners=4, zerophase=true)"))
    #expect(chain[4].hasSuffix("resample(sampling_rate=50.0, window=hann, no_filter=true)"))
  }
}
