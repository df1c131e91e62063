import Foundation
import Logging
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `picks import` (CSV and QuakeML) and `detect` (STA/LTA against ObsPy on real traces).
@Suite struct PicksAndDetectTests {
  let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
  func fixture(_ name: String) -> String {
    TestPaths.fixtures.appendingPathComponent("picks/\(name)").path
  }

  @Test(.needsSharedData)
  func importingCSVAndQuakeMLTwiceStoresEachPickOnceAndReportsBadRowsAndUnknownStations()
    throws
  {
    let store = try SeisStore()
    let hgn = TestPaths.sharedData.appendingPathComponent("mseed/test.mseed").path
    _ = Ingest(store: store, logger: logger, quiet: true).run(paths: [hgn])
    let importer = PicksImport(store: store, logger: logger)

    let csv = try importer.run(path: fixture("bad_rows.csv"))
    #expect(csv.read == 2 && csv.new == 2 && csv.alreadyStored == 0)
    #expect(csv.problems.map(\.line) == [3, 4, 5, 6])
    #expect(csv.stationsWithoutData == ["IU.ANMO.00": 1, "IU.COLA.": 1])
    #expect(csv.summary.contains("skipped 4 unreadable rows"))
    let again = try importer.run(path: fixture("bad_rows.csv"))
    #expect(again.new == 0 && again.alreadyStored == 2)
    // Rows repeating an earlier row of the file are counted as such, not as already stored.
    let dir = try TestPaths.temporaryDirectory("repeated-picks")
    defer { try? FileManager.default.removeItem(at: dir) }
    let repeated = dir.appendingPathComponent("repeated.csv")
    try
      "network,station,location,time,phase\nIU,ANMO,00,2026-03-02T00:00:00Z,P\nIU,ANMO,00,2026-03-02T00:00:00Z,P\nIU,ANMO,00,2026-03-02T00:00:00.000000Z,P\n"
      .write(to: repeated, atomically: true, encoding: .utf8)
    let once = try importer.run(path: repeated.path)
    #expect(once.new == 1 && once.repeatedInFile == 2 && once.alreadyStored == 0)
    #expect(
      once.summary.hasPrefix(
        "picks: 3 read, 1 new, 0 already stored, 2 repeating an earlier row of the file"))
    let twice = try importer.run(path: repeated.path)
    #expect(twice.new == 0 && twice.repeatedInFile == 2 && twice.alreadyStored == 1)

    let quakeML = try importer.run(path: fixture("obspy_picks.quakeml"))
    #expect(quakeML.read == 5 && quakeML.new == 5)
    // The store holds NL.HGN.00 only: the QuakeML's NL.HGN (blank location) has no data.
    #expect(quakeML.stationsWithoutData["NL.HGN."] == 1)
    #expect(quakeML.stationsWithoutData["NL.HGN.00"] == nil)
    #expect(try importer.run(path: fixture("obspy_picks.quakeml")).new == 0)
    let stored = try store.picks()
    #expect(stored.count == 8, "2 + 1 (repeated.csv) + 5")
    #expect(stored.allSatisfy { !$0.origin.isEmpty })
    let anmo = try #require(
      stored.first { $0.station == "ANMO" && $0.phase == "P" && $0.channel == "BHZ" })
    #expect(anmo.time == Timestamp(iso8601: "2026-03-01T00:06:16.649649Z"))
  }

  /// Codes and phases are names: a NUL (which the store would cut a code at, so that two picks
  /// collide), another control character or an absurd length is a row problem; a time of 10 MB
  /// is quoted shortened; and a file of many bad rows prints 20 warning lines and a count.
  @Test(.enabled(if: SeisclusterProcess.binary != nil, "needs .build/debug/seiscluster"))
  func rowsThatCannotBeStoredAsReadAreSkippedAndTheirWarningsCapped() throws {
    let dir = try TestPaths.temporaryDirectory("hostile-picks")
    defer { try? FileManager.default.removeItem(at: dir) }
    let long = String(repeating: "9", count: 10_000_000)
    var text = "network,station,location,channel,time,phase,label\n"
    text += "XS,S266D,,BHZ,2026-03-01T00:09:00Z,P,\n"  // line 2: kept
    text += "XS,S266D\u{0}evil,,BHZ,2026-03-01T00:09:00Z,P,\n"  // 3: NUL in the station
    text += "XS,S266D,,BHZ,2026-03-01T00:09:01Z,\"P\nS\",\n"  // 4: a line break in the phase
    text += "XS,S266D,,BHZ,2026-03-01T00:09:02Z,\(String(repeating: "P", count: 300)),\n"  // 6
    text += "XS,S266D,,BHZ,2026-03-01T00:09:03Z,P,a\u{0}b\n"  // 7: NUL in the label
    text += "XS,S266D,,BHZ,2026-\(long),P,\n"  // 8: a 10 MB time
    for i in 0..<30 { text += "XS,S266D,,BHZ,bad\(i),P,\n" }  // 9-38
    let file = dir.appendingPathComponent("hostile.csv")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let outcome = try SeisclusterProcess.run(
      ["picks", "import", "--db", "s.sqlite", file.path], in: dir)
    #expect(outcome.status == 0, "\(outcome.errors)")
    let lines = outcome.errorLines
    #expect(
      lines.contains {
        $0.hasSuffix("line 3: a control character in the station code, row skipped")
      })
    #expect(
      lines.contains { $0.hasSuffix("line 4: a control character in the phase, row skipped") })
    #expect(
      lines.contains { $0.hasSuffix("line 6: a phase of 300 characters (at most 32), row skipped") }
    )
    #expect(lines.contains { $0.hasSuffix("line 7: a NUL character in the label, row skipped") })
    #expect(
      lines.contains {
        $0.hasSuffix(
          "line 8: cannot read time '2026-99999999999999999999999999999999999...' (10000005 characters) as ISO 8601, row skipped"
        )
      })
    // 35 bad rows: 20 lines, then one for the other 15.
    #expect(lines.filter { $0.hasSuffix(", row skipped") }.count == 20)
    #expect(
      lines.contains {
        $0.hasSuffix("and 15 more unreadable rows skipped (lines 24, 25, 26, 27, 28, ...)")
      })
    #expect(lines.allSatisfy { $0.utf8.count < 400 })
    let store = try SeisStore(path: dir.appendingPathComponent("s.sqlite").path)
    #expect(try store.picks().map(\.station) == ["S266D"])
  }

  /// Pick times are kept to the microsecond, as exports write them: a pick given to the
  /// nanosecond and imported again from an export (or as printed) is the same pick (stop 38's
  /// sweep: a second pick, then a second window at the same printed time).
  @Test func pickTimesAreKeptToTheMicrosecondSoAnExportReadsBackAsTheSamePick() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "picks-us-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try SeisStore()
    let importer = PicksImport(store: store, logger: logger)
    func write(_ name: String, _ time: String) throws -> String {
      let url = dir.appendingPathComponent(name)
      try Data("network,station,location,channel,time,phase\nDM,DEM03,,EHZ,\(time),S\n".utf8)
        .write(to: url)
      return url.path
    }
    #expect(try importer.run(path: write("a.csv", "2026-03-01T00:27:00.1234564Z")).new == 1)
    let stored = try #require(try store.picks().first)
    #expect(stored.timeNs % 1000 == 0)
    #expect(stored.time.iso8601 == "2026-03-01T00:27:00.123456Z")
    // As printed and exported, again, and with the half-up neighbour: nothing new.
    #expect(try importer.run(path: write("b.csv", stored.time.iso8601)).new == 0)
    #expect(try importer.run(path: write("c.csv", "2026-03-01T00:27:00.1234555Z")).new == 0)
    #expect(try store.picks().count == 1)
    // A half goes to the even microsecond, as ObsPy rounds (tools/make_timestamp_rounding.py
    // printed these with obspy 1.5.1's UTCDateTime(ns=...)), before 1970 too.
    for (ns, rounded) in [
      (500, 0), (1_500, 2_000), (2_500, 2_000), (1_499, 1_000), (1_501, 2_000), (-500, 0),
      (-1_500, -2_000), (-2_500, -2_000), (-1_499, -1_000), (-1_501, -2_000),
    ] as [(Int64, Int64)] {
      #expect(
        Timestamp(nanoseconds: ns).roundedToMicrosecond == Timestamp(nanoseconds: rounded), "\(ns)")
    }
    // An export rewritten by ObsPy (`.1234565` read as `.123456`) is the same pick.
    #expect(try importer.run(path: write("d.csv", "2026-03-01T00:27:00.1234565Z")).new == 0)
    #expect(try importer.run(path: write("e.csv", "2026-03-01T00:27:00.1234575Z")).new == 1)
    #expect(try store.picks().last?.time.iso8601 == "2026-03-01T00:27:00.123458Z")
  }

  @Test func aFileThatCannotBeUsedIsAnInputError() throws {
    let store = try SeisStore()
    let importer = PicksImport(store: store, logger: logger)
    for name in ["malformed.xml", "missing_location_column.csv", "does-not-exist.csv"] {
      do {
        _ = try importer.run(path: fixture(name))
        Issue.record("\(name) accepted")
      } catch let error as InputError {
        #expect(error.path == fixture(name))
        #expect(!error.description.contains("\n"))
      }
    }
    #expect(try store.picks().isEmpty)
  }

  @Test(.needsSharedData) func detectFindsTheTriggersObsPyFindsOnRealTraces() throws {
    let manifest = try WindowManifest.load()
    for entry in manifest.detect {
      let store = try SeisStore()
      let path = TestPaths.sharedData.appendingPathComponent(entry.file).path
      _ = Ingest(store: store, logger: logger, quiet: true).run(paths: [path])
      var settings = TriggerDetection.Settings()
      settings.shortWindow = entry.sta
      settings.longWindow = entry.lta
      settings.onThreshold = entry.on
      settings.offThreshold = entry.off
      settings.method = TriggerDetection.Method(rawValue: entry.method) ?? .classic
      let detector = TriggerDetection(store: store, logger: logger, quiet: true)
      let report = try detector.run(settings: settings)
      #expect(!entry.times.isEmpty)
      let expected = entry.on_indices
      // Compare sample indices: ObsPy rounds the SAC sample interval to microseconds, so its
      // times drift from the header's by up to 2 ms over the TLY trace.
      let segment = try #require(try store.segmentSummaries().first)
      let found = try store.picks(phase: "trigger").map { pick in
        Int(
          (Double(pick.time.nanoseconds(since: segment.startTime)) * segment.samplingRate / 1e9)
            .rounded())
      }
      #expect(found == expected, "\(entry.file) \(entry.method)")
      #expect(report.triggers.count == expected.count)
      // A re-run finds the same triggers and changes nothing.
      let rerun = try detector.run(settings: settings)
      #expect(rerun.unchanged)
      #expect(try store.picks(phase: "trigger").count == expected.count)
      // Other settings replace the stored triggers.
      settings.onThreshold = entry.on * 100
      let strict = try detector.run(settings: settings)
      #expect(strict.replaced == expected.count)
      #expect(try store.picks(phase: "trigger").count == strict.triggers.count)
    }
  }

  /// A station with a three-component HH set and a lone EHZ recording the same events: the
  /// picks table holds one pick per station, location, time and phase, so the two verticals'
  /// simultaneous triggers are merged onto HHZ (windows can be cut from its set), counted as
  /// stored. Picks imported with phase `trigger` are never replaced. Settings that round STA
  /// and LTA to one length are refused, and the stored triggers stay.
  @Test func coLocatedVerticalsMergeImportedTriggersStayAndCoarseSettingsAreRefused() throws {
    let store = try SeisStore()
    let start = try #require(Timestamp(iso8601: "2024-01-01T00:00:00Z"))
    var g = SeededGenerator(seed: 3)
    var z = (0..<60_000).map { _ in 0.01 * g.nextGaussian() }
    for event in stride(from: 10_000, to: 60_000, by: 10_000) {
      for t in 0..<300 {
        let envelope: Double = exp(-Double(t) / 60)
        z[event + t] += envelope * sin(Double(t) * 0.7)
      }
    }
    func segment(_ channel: String, _ values: [Double]) -> Segment {
      Segment(
        source: SourceIdentifier(network: "XX", station: "TWO", location: "", channel: channel),
        startTime: start, samplingRate: 100, samples: .float64(values))
    }
    let quiet = (0..<60_000).map { _ in 0.01 * g.nextGaussian() }
    try store.storeFile(
      path: "two", size: 0, sha256: "two", format: .miniSEED,
      segments: [
        segment("EHZ", z), segment("HHZ", z), segment("HHN", quiet), segment("HHE", quiet),
      ])
    // A pick the user imported with phase "trigger", at no trigger time.
    let mine = PickRecord(
      network: "XX", station: "TWO", location: "", channel: "HHZ",
      time: start.adding(seconds: 5), phase: "trigger", note: nil, origin: "mine.csv")
    // And one from a picks file that is literally named `detect`.
    #expect(PicksImport.origin(ofPath: "detect") == "./detect")
    #expect(PicksImport.origin(ofPath: "picks/detect") == "picks/detect")
    var named = mine
    named.timeNs = start.adding(seconds: 7).nanoseconds
    named.origin = PicksImport.origin(ofPath: "detect")
    try store.insertPicks([mine, named])
    let detector = TriggerDetection(store: store, logger: logger, quiet: true)
    let report = try detector.run(settings: TriggerDetection.Settings())
    #expect(report.triggers.count == 5)
    #expect(report.merged == 5)
    let detected = try store.picks(phase: "trigger").filter { $0.origin == "detect" }
    #expect(detected.count == 5 && detected.allSatisfy { $0.channel == "HHZ" })
    #expect(try store.picks(phase: "trigger").contains { $0.origin == "mine.csv" })
    #expect(try store.picks(phase: "trigger").contains { $0.origin == "./detect" })
    // Triggers an older version stored on EHZ are moved to HHZ by the next run, not kept as
    // "unchanged" (same times, another channel).
    try store.writer.write { db in
      try db.execute(sql: "UPDATE picks SET channel = 'EHZ' WHERE origin = 'detect'")
    }
    let again = try detector.run(settings: TriggerDetection.Settings())
    #expect(!again.unchanged)
    #expect(
      try store.picks(phase: "trigger").filter { $0.origin == "detect" }.allSatisfy {
        $0.channel == "HHZ"
      })
    // Re-detecting with other settings replaces only detect's own picks.
    var strict = TriggerDetection.Settings()
    strict.onThreshold = 1e6
    let none = try detector.run(settings: strict)
    #expect(none.triggers.isEmpty && none.replaced == 5)
    // Emptying the stored triggers is said in a warning, not only in the summary.
    #expect(
      none.warnings == [
        "this run found no trigger and removed the 5 triggers stored before; run `detect` with the earlier settings to get them back"
      ])
    #expect(report.warnings.isEmpty && again.warnings.isEmpty)
    #expect(try store.picks(phase: "trigger").map(\.origin) == ["mine.csv", "./detect"])
    // --sta 0.004 and --lta 0.006 are both one sample at 100 Hz: refused, nothing replaced.
    _ = try detector.run(settings: TriggerDetection.Settings())
    var coarse = TriggerDetection.Settings()
    coarse.shortWindow = 0.004
    coarse.longWindow = 0.006
    #expect(throws: InputError.self) { try detector.run(settings: coarse) }
    #expect(try store.picks(phase: "trigger").count == 7)
    // An STA window under half a sample is taken as one sample, with a warning naming the
    // rate once (100 Hz and a rate that prints the same).
    var tiny = TriggerDetection.Settings()
    tiny.shortWindow = 1e-9
    let taken = try detector.run(settings: tiny)
    #expect(
      taken.warnings == [
        "--sta 1e-09 s is shorter than half a sample at 100 Hz, so it was taken as one sample there"
      ])
    #expect(TriggerDetection.Report.spelled([100, 99.999999, 50]) == ["50", "100"])
    var oneSample = TriggerDetection.Settings()
    oneSample.shortWindow = 0.01
    #expect(try detector.run(settings: oneSample).warnings.isEmpty)
  }

  /// `detect` again (stop 40's sweep): triggers found again keep their picks and ids, so the
  /// windows built from them keep their window_id; stored triggers removed inside a run this
  /// run skipped (shorter than the LTA) are named; and settings under which every run is
  /// skipped are refused with the stored triggers kept (they all went, with exit 0).
  @Test func detectAgainKeepsTheIdsOfTriggersFoundAgainAndNamesWhatItSkipped() throws {
    let store = try SeisStore()
    // Nothing to detect on is an error, not "0 triggers".
    #expect {
      try TriggerDetection(store: store, logger: Logger(label: "t"), quiet: true)
        .run(settings: TriggerDetection.Settings())
    } throws: { error in
      (error as? InputError)?.reason.hasPrefix("no stored vertical channel") == true
    }
    var nan = TriggerDetection.Settings()
    nan.longWindow = .nan
    #expect(nan.problem == "--lta must be a finite number of seconds")
    let start = try #require(Timestamp(iso8601: "2024-01-01T00:00:00Z"))
    var g = SeededGenerator(seed: 5)
    func events(_ count: Int) -> [Double] {
      var z = (0..<count).map { _ in 0.01 * g.nextGaussian() }
      for event in stride(from: 10_000, to: count, by: 10_000) {
        for t in 0..<300 { z[event + t] += exp(-Double(t) / 60) * sin(Double(t) * 0.7) }
      }
      return z
    }
    func segment(_ station: String, _ values: [Double]) -> Segment {
      Segment(
        source: SourceIdentifier(network: "XX", station: station, location: "", channel: "HHZ"),
        startTime: start, samplingRate: 100, samples: .float64(values))
    }
    // LONG holds 10 minutes, SHORT 5 minutes.
    try store.storeFile(
      path: "a", size: 0, sha256: "a", format: .miniSEED,
      segments: [segment("LONG", events(60_000)), segment("SHORT", events(30_000))])
    let detector = TriggerDetection(store: store, logger: Logger(label: "t"), quiet: true)
    let first = try detector.run(settings: TriggerDetection.Settings())
    #expect(first.added == 7 && first.kept == 0 && first.replaced == 0)
    let ids = try store.picks(phase: "trigger").map { "\($0.station) \($0.timeNs) \($0.id!)" }
    #expect(ids.count == 7)
    // Another --off finds the same onsets: nothing is replaced, every id stays.
    var otherOff = TriggerDetection.Settings()
    otherOff.offThreshold = 1.0
    let again = try detector.run(settings: otherOff)
    #expect(again.triggers.count == 7 && again.unchanged)
    #expect(try store.picks(phase: "trigger").map { "\($0.station) \($0.timeNs) \($0.id!)" } == ids)
    // Some kept, one removed, one added (a review: the case above returns early, unchanged):
    // a stored trigger moved 1 s off its onset is removed, the onset comes back as a new
    // pick, and the other six keep their ids.
    let moved = try #require(try store.picks(phase: "trigger").first)
    try store.writer.write { db in
      try db.execute(
        sql: "UPDATE picks SET time_ns = time_ns + 1000000000 WHERE id = ?", arguments: [moved.id!])
    }
    let partial = try detector.run(settings: TriggerDetection.Settings())
    #expect(partial.kept == 6 && partial.replaced == 1 && partial.added == 1)
    let after = try store.picks(phase: "trigger")
    #expect(after.count == 7)
    let idsNow = after.map { "\($0.station) \($0.timeNs) \($0.id!)" }
    #expect(Set(ids.filter { !$0.hasSuffix(" \(moved.id!)") }).isSubset(of: Set(idsNow)))
    #expect(!after.contains { $0.id == moved.id })
    #expect(after.contains { $0.timeNs == moved.timeNs && $0.station == moved.station })
    // An LTA of 400 s: SHORT's run (300 s) is skipped, and its 2 triggers are removed, by name.
    var long = TriggerDetection.Settings()
    long.longWindow = 400
    let skipping = try detector.run(settings: long)
    #expect(skipping.shortRuns == 1)
    #expect(skipping.removedWhereSkipped == ["XX.SHORT..HHZ": 2])
    #expect(
      skipping.warnings.contains(
        "removed 2 stored triggers at 1 channel whose runs this run skipped (XX.SHORT..HHZ): they were found with other settings; run `detect` with settings those runs can take to detect there again (a shorter --lta, or, where --sta and --lta round alike, one longer by a sample)"
      ))
    #expect(
      skipping.summary.hasSuffix(
        "; kept \(skipping.kept) stored triggers, removed \(skipping.replaced), added \(skipping.added)"
      ))
    #expect(try store.picks(phase: "trigger").allSatisfy { $0.station == "LONG" })
    // An LTA longer than every run: refused, and the stored triggers stay.
    _ = try detector.run(settings: TriggerDetection.Settings())
    var longest = TriggerDetection.Settings()
    longest.longWindow = 1000
    #expect {
      try detector.run(settings: longest)
    } throws: { error in
      (error as? InputError)?.reason
        == "--lta 1000 s is longer than every stored run of a vertical channel (2 runs): no trigger can be detected; the stored triggers stay"
    }
    #expect(try store.picks(phase: "trigger").count == 7)
  }

  /// New data that extends a run changes its mean and trend, so a re-run finds the earlier
  /// triggers a few samples off: they are the stored ones, kept with their ids (a daily-flow
  /// sweep saw 280 of 812 day-1 triggers replaced by copies 5 ms away when day 2 was
  /// ingested, and `assign` then listed both). A trigger moved by the short window or more is
  /// another one.
  @Test func triggersFoundAgainAFewSamplesOffAfterNewDataKeepTheirIds() throws {
    let store = try SeisStore()
    let start = try #require(Timestamp(iso8601: "2024-01-01T00:00:00Z"))
    var g = SeededGenerator(seed: 9)
    func day(_ offset: Double, slope: Double) -> [Double] {
      eventDay(&g, offset: offset, slope: slope)
    }
    func segment(_ values: [Double], at seconds: Double) -> Segment {
      Segment(
        source: SourceIdentifier(network: "XX", station: "A", location: "", channel: "HHZ"),
        startTime: start.adding(seconds: seconds), samplingRate: 100, samples: .float64(values))
    }
    try store.storeFile(
      path: "day1", size: 0, sha256: "1", format: .miniSEED,
      segments: [segment(day(0, slope: 0), at: 0)])
    let detector = TriggerDetection(store: store, logger: Logger(label: "t"), quiet: true)
    let first = try detector.run(settings: TriggerDetection.Settings())
    let dayOne = try store.picks(phase: "trigger")
    #expect(first.added == dayOne.count && dayOne.count >= 5)
    // Day 2 continues the run, with an offset and a trend of its own.
    try store.storeFile(
      path: "day2", size: 0, sha256: "2", format: .miniSEED,
      segments: [segment(day(0.02, slope: 2e-7), at: 600)])
    let second = try detector.run(settings: TriggerDetection.Settings())
    #expect(second.replaced == 0, "\(second.summary)")
    #expect(second.kept == dayOne.count)
    let after = try store.picks(phase: "trigger")
    #expect(
      Set(dayOne.map { "\($0.id!) \($0.timeNs)" }).isSubset(
        of: Set(after.map { "\($0.id!) \($0.timeNs)" })))
    #expect(after.count == dayOne.count + second.added && second.added >= 5)
    #expect(after.allSatisfy { $0.note == "classic --sta 1 --lta 10 --on 3.5 --off 1.5" })
    // Other settings pair nothing with the stored triggers: the store then holds what a first
    // run with them gives (a review: --sta 5 kept 119 of 121 triggers at their --sta 1 times).
    var other = TriggerDetection.Settings()
    other.shortWindow = 2
    other.longWindow = 20
    _ = try detector.run(settings: other)
    let fresh = try SeisStore()
    try fresh.storeFile(
      path: "both", size: 0, sha256: "b", format: .miniSEED,
      segments: try store.segments(
        of: SourceIdentifier(network: "XX", station: "A", location: "", channel: "HHZ"),
        from: start, to: start.adding(seconds: 1200)))
    _ = try TriggerDetection(store: fresh, logger: Logger(label: "t"), quiet: true).run(
      settings: other)
    let times = { (s: SeisStore) in try s.picks(phase: "trigger").map(\.timeNs).sorted() }
    #expect(try times(store) == times(fresh))
    #expect(try store.picks(phase: "trigger").allSatisfy { $0.note == other.signature })
    // The pairing itself: nearest first, one partner each, the same channel, less than the
    // tolerance apart.
    func pick(_ channel: String, _ ns: Int64) -> PickRecord {
      PickRecord(
        network: "XX", station: "A", location: "", channel: channel,
        time: Timestamp(nanoseconds: ns), phase: "trigger", note: nil, origin: "detect")
    }
    let (gone, new) = TriggerDetection.pairedWithinShortWindow(
      gone: [pick("HHZ", 1_000), pick("HHZ", 5_000), pick("EHZ", 9_000)],
      new: [pick("HHZ", 1_400), pick("HHZ", 1_100), pick("HHZ", 6_000), pick("HHZ", 9_000)],
      tolerance: 1_000)
    #expect(gone.map(\.timeNs) == [5_000, 9_000])
    #expect(new.map(\.timeNs) == [1_400, 6_000, 9_000])
  }

  /// Where new data extends one of two co-located verticals, its triggers move and the other's
  /// stay: the moved one is paired with the stored trigger, and the other channel's trigger at
  /// the stored time is that event already (counted as added before, ignored by the store,
  /// and no re-run was ever unchanged again; a review).
  @Test func aCoLocatedChannelsTriggerAtAKeptTriggersTimeIsThatEvent() throws {
    let store = try SeisStore()
    let start = try #require(Timestamp(iso8601: "2024-01-01T00:00:00Z"))
    var g = SeededGenerator(seed: 9)
    func day(_ offset: Double, slope: Double) -> [Double] {
      eventDay(&g, offset: offset, slope: slope)
    }
    func segment(_ channel: String, _ values: [Double], at seconds: Double) -> Segment {
      Segment(
        source: SourceIdentifier(network: "XX", station: "TWO", location: "", channel: channel),
        startTime: start.adding(seconds: seconds), samplingRate: 100, samples: .float64(values))
    }
    let z = day(0, slope: 0)
    let quiet = (0..<60_000).map { _ in 0.01 * g.nextGaussian() }
    try store.storeFile(
      path: "day1", size: 0, sha256: "1", format: .miniSEED,
      segments: [
        segment("EHZ", z, at: 0), segment("HHZ", z, at: 0), segment("HHN", quiet, at: 0),
        segment("HHE", quiet, at: 0),
      ])
    let detector = TriggerDetection(store: store, logger: Logger(label: "t"), quiet: true)
    _ = try detector.run(settings: TriggerDetection.Settings())
    let dayOne = try store.picks(phase: "trigger")
    #expect(dayOne.allSatisfy { $0.channel == "HHZ" } && dayOne.count >= 5)
    // Day 2 extends HH* only.
    try store.storeFile(
      path: "day2", size: 0, sha256: "2", format: .miniSEED,
      segments: [
        segment("HHZ", day(0.02, slope: 2e-7), at: 600), segment("HHN", quiet, at: 600),
        segment("HHE", quiet, at: 600),
      ])
    let second = try detector.run(settings: TriggerDetection.Settings())
    #expect(second.replaced == 0, "\(second.summary)")
    let stored = try store.picks(phase: "trigger")
    #expect(stored.count == dayOne.count + second.added)
    // Nothing is left to change: the next run is unchanged.
    #expect(try detector.run(settings: TriggerDetection.Settings()).unchanged)
  }

  /// A channel stored at 100 Hz and, over the same ten minutes, as a 50 Hz copy: both runs
  /// trigger on each event, a fraction of a millisecond apart. The 50 Hz copy's triggers are
  /// that event, merged onto the 100 Hz ones (they were stored twice; stop 46's review); a
  /// trigger only the lower rate finds stays.
  @Test func triggersFoundTwiceWhereTwoRatesOverlapAreStoredOnce() throws {
    let store = try SeisStore()
    let start = try #require(Timestamp(iso8601: "2024-01-01T00:00:00Z"))
    var g = SeededGenerator(seed: 5)
    let z = eventDay(&g, offset: 0, slope: 0)
    let half = stride(from: 0, to: z.count, by: 2).map { z[$0] }
    func segment(_ values: [Double], rate: Double, at seconds: Double = 0) -> Segment {
      Segment(
        source: SourceIdentifier(network: "XX", station: "RAT", location: "", channel: "HHZ"),
        startTime: start.adding(seconds: seconds), samplingRate: rate, samples: .float64(values))
    }
    try store.storeFile(
      path: "100", size: 0, sha256: "100", format: .miniSEED, segments: [segment(z, rate: 100)])
    let detector = TriggerDetection(store: store, logger: Logger(label: "t"), quiet: true)
    let alone = try detector.run(settings: TriggerDetection.Settings())
    #expect(alone.triggers.count == 6 && alone.mergedAcrossRates == 0)
    try store.storeFile(
      path: "50", size: 0, sha256: "50", format: .miniSEED, segments: [segment(half, rate: 50)])
    let both = try detector.run(settings: TriggerDetection.Settings())
    #expect(both.mergedAcrossRates == 6, "\(both.summary)")
    #expect(both.unchanged && both.triggers.map(\.timeNs) == alone.triggers.map(\.timeNs))
    #expect(
      both.summary.contains(
        "merged 6 triggers found twice where a channel's segments at two rates overlap"))
    #expect(try store.picks(phase: "trigger").count == 6)
    // The pairing itself: within the reach only, only a higher rate wins, in time order.
    let merged = TriggerDetection.mergedAcrossRates(
      [(1_000, 50), (1_300, 100), (5_000, 50), (9_000, 100), (9_400, 100), (20_000, 50)],
      within: 500)
    #expect(merged.map(\.0) == [1_300, 5_000, 9_000, 9_400, 20_000])
  }

  /// At 120 Hz a sample's time is not a whole microsecond: `detect` stored its triggers to the
  /// nanosecond, and a trigger exported (to the microsecond) and imported again was a second
  /// pick, then a second window (an interop review). Triggers are now whole microseconds; and
  /// those an earlier version stored to the nanosecond are found again by `detect` and by
  /// `picks import` as the same picks.
  @Test func triggersAreWholeMicrosecondsAndComeBackFromAnExportAsThemselves() throws {
    let store = try SeisStore()
    let start = try #require(Timestamp(iso8601: "2024-01-01T00:00:00Z"))
    var g = SeededGenerator(seed: 6)
    let source = SourceIdentifier(network: "XX", station: "ODD", location: "", channel: "HHZ")
    try store.storeFile(
      path: "120", size: 0, sha256: "120", format: .miniSEED,
      segments: [
        Segment(
          source: source, startTime: start, samplingRate: 120,
          samples: .float64(eventDay(&g, offset: 0, slope: 0)))
      ])
    let detector = TriggerDetection(store: store, logger: Logger(label: "t"), quiet: true)
    let found = try detector.run(settings: TriggerDetection.Settings())
    #expect(found.triggers.count == 6)
    let stored = try store.picks(phase: "trigger")
    #expect(stored.count == 6 && stored.allSatisfy { $0.timeNs % 1000 == 0 })
    // As an earlier version stored them: each at its sample's nanosecond.
    let rate = 120.0
    try store.writer.write { db in
      for pick in stored {
        let sample = (Double(pick.timeNs - start.nanoseconds) * rate / 1e9).rounded()
        let exact = start.adding(seconds: sample / rate).nanoseconds
        try db.execute(
          sql: "UPDATE picks SET time_ns = ? WHERE id = ?", arguments: [exact, pick.id])
      }
    }
    let legacy = try store.picks(phase: "trigger")
    #expect(try store.picksOffTheMicrosecond().count >= 4, "\(legacy.map(\.timeNs))")
    // detect again: the same triggers, ids and times kept.
    #expect(try detector.run(settings: TriggerDetection.Settings()).unchanged)
    #expect(try store.picks(phase: "trigger") == legacy)
    // Imported again from what an export writes: nothing new.
    let dir = try TestPaths.temporaryDirectory("detect-us")
    defer { try? FileManager.default.removeItem(at: dir) }
    let csv = dir.appendingPathComponent("exported.csv")
    let rows = try store.picks(phase: "trigger").map {
      "XX,ODD,,HHZ,\($0.time.iso8601),trigger"
    }
    try Data(
      (["network,station,location,channel,time,phase"] + rows).joined(separator: "\n").utf8
    ).write(to: csv)
    let again = try PicksImport(store: store, logger: logger).run(path: csv.path)
    #expect(again.new == 0 && again.alreadyStored == 6)
    #expect(try store.picks().count == 6)
  }

  /// Ten minutes at 100 Hz: noise with an offset and a trend, and six events 100 s apart (the
  /// days of the two tests above).
  func eventDay(_ g: inout SeededGenerator, offset: Double, slope: Double) -> [Double] {
    var z = (0..<60_000).map { i in 0.05 * g.nextGaussian() + offset + slope * Double(i) }
    for event in stride(from: 5_000, to: 60_000, by: 10_000) {
      let size = 0.3 + 0.1 * Double(event / 10_000)
      for t in 0..<400 { z[event + t] += size * exp(-Double(t) / 80) * sin(Double(t) * 0.9) }
    }
    return z
  }
}
