import Foundation
import Logging
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `ingest` over every real file in `../shared/data/`, compared with ObsPy's oracle, plus the
/// export round trip.
@Suite struct IngestTests {
  let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
  var data: String { TestPaths.sharedData.path }

  func floorToMicrosecond(_ ns: Int64) -> Int64 {
    let q = ns / 1000
    return (ns % 1000 < 0 ? q - 1 : q) * 1000
  }

  func sha(_ samples: Samples) -> String {
    ContentHash.sha256(samples.doubles.map { $0.bitPattern.littleEndian })
  }

  /// Stored segments grouped by the path they were ingested from.
  func storedByFile(_ store: SeisStore) throws -> [String: [Segment]] {
    var out: [String: [Segment]] = [:]
    for summary in try store.segmentSummaries() {
      let segment = try #require(try store.segment(id: summary.id))
      out[summary.filePath, default: []].append(segment)
    }
    return out
  }

  @Test(.needsSharedData) func ingestStoresEveryReadableFileAsObsPyReadsItAndNothingOfTheRest()
    throws
  {
    let store = try SeisStore()
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [data])
    let oracle = try OracleFile.loadAll()
    let unreadable = Set(oracle.filter { !$0.readable }.map { "\(data)/\($0.path)" })
    let failed = Set(report.failures.map(\.path))
    // Every file ObsPy cannot read fails with a one-line error (text named like a waveform
    // too); the README and the oracle are text files beside the waveforms and are skipped.
    #expect(failed == unreadable)
    #expect(report.otherFiles == 2)
    #expect(report.summary.contains("2 text files found in folders"))
    for failure in report.failures {
      #expect(!failure.description.contains("\n"))
      #expect(failure.description.hasPrefix(failure.path + ": "))
    }
    let storedPaths = Set(try store.sourceFiles().map(\.path))
    #expect(storedPaths.isDisjoint(with: unreadable))
    #expect(report.alreadyStored == 0)

    let stored = try storedByFile(store)
    var compared = 0
    for file in oracle where file.readable {
      let path = "\(data)/\(file.path)"
      #expect(storedPaths.contains(path), "\(file.path) not stored")
      let ours = (stored[path] ?? []).sorted {
        ($0.source.id, $0.startTime) < ($1.source.id, $1.startTime)
      }
      // Text records and records without samples store no segment (said so at ingest).
      let expected = file.traces.filter { $0.numeric && $0.sampleCount > 0 }
        .sorted { ($0.id, $0.startTime) < ($1.id, $1.startTime) }
      guard ours.count == expected.count else {
        Issue.record("\(file.path): \(ours.count) stored segments, ObsPy has \(expected.count)")
        continue
      }
      for (segment, trace) in zip(ours, expected) {
        #expect(segment.source.id == trace.id, "\(file.path)")
        #expect(segment.startTime.iso8601 == trace.startTime, "\(file.path)")
        #expect(segment.sampleCount == trace.sampleCount, "\(file.path)")
        #expect(sha(segment.samples) == trace.sha256, "\(file.path)")
        // ObsPy quirk: its SAC reader rounds DELTA to microseconds; ours takes the rate the
        // float32 DELTA stands for (decision 0004, stop 39).
        if file.path.hasPrefix("sac/") {
          let roundedDelta = ((1 / segment.samplingRate) * 1e6).rounded() / 1e6
          #expect(
            segment.samplingRate == trace.samplingRate
              || abs(1 / roundedDelta - trace.samplingRate) <= 1e-9 * trace.samplingRate)
        } else {
          #expect(segment.samplingRate == trace.samplingRate, "\(file.path)")
        }
        compared += 1
      }
    }
    #expect(compared >= 100)
    #expect(report.storedSegments == compared)
    #expect(try store.check().isEmpty)
  }

  @Test(.needsSharedData) func exportedMiniSEEDReingestsToIdenticalSamplesAndTimes() throws {
    let first = try SeisStore()
    _ = Ingest(store: first, logger: logger, quiet: true).run(paths: [data])
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let export = try TracesExport(store: first, logger: logger, quiet: true)
      .run(format: .mseed, directory: dir.path, force: false)
    // Only segments whose codes cannot fit MiniSEED 2's header fail (SAC's "????????" codes).
    for failure in export.failures { #expect(failure.reason.contains("codes do not fit")) }

    let second = try SeisStore()
    let again = Ingest(store: second, logger: logger, quiet: true).run(paths: [dir.path])
    #expect(again.failures.isEmpty)
    // Segments with identical content (the same records in several test files) export to
    // identical files, which re-ingest skips as already stored.
    #expect(again.storedFiles + again.alreadyStored == export.written.count)

    func key(_ s: Segment) -> String {
      "\(s.source.id) \(floorToMicrosecond(s.startTime.nanoseconds))"
    }
    var originals: [String: [Segment]] = [:]
    for summary in try first.segmentSummaries() {
      let s = try #require(try first.segment(id: summary.id))
      originals[key(s), default: []].append(s)
    }
    var checked = 0
    for summary in try second.segmentSummaries() {
      let back = try #require(try second.segment(id: summary.id))
      // Same samples (type and values), same start to the microsecond MiniSEED 2 keeps, and a
      // rate exact for MiniSEED sources (SAC's 1/DELTA comes back to float32 precision).
      let match = originals[key(back), default: []].first { original in
        original.samples == back.samples
          && (original.samplingRate == back.samplingRate
            || abs(back.samplingRate - original.samplingRate) <= 1e-7 * original.samplingRate)
      }
      #expect(match != nil, "\(back.source.id) at \(back.startTime): no identical original")
      if let match, match.startTime.nanoseconds % 1000 == 0 {
        #expect(match.startTime == back.startTime)
      }
      checked += 1
    }
    #expect(checked == again.storedSegments)
    #expect(checked >= 90)
  }

  @Test(.needsSharedData) func duplicateContentIsSkippedAndSaidSo() throws {
    let store = try SeisStore()
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let original = TestPaths.sharedData.appendingPathComponent("mseed/test.mseed")
    let copy = dir.appendingPathComponent("copy-of-test.bin")
    try FileManager.default.copyItem(at: original, to: copy)
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [
      original.path, copy.path, original.path,
    ])
    #expect(report.storedFiles == 1)
    #expect(report.alreadyStored == 2)
    #expect(report.failures.isEmpty)
    #expect(report.summary.contains("skipped 2 already stored"))
    #expect(try store.sourceFiles().map(\.path) == [original.path])
  }

  @Test(.needsSharedData) func missingPathsFailAndTheRestIsStored() throws {
    let store = try SeisStore()
    let good = TestPaths.sharedData.appendingPathComponent("sac/seism.sac").path
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [
      "/nonexistent/file.mseed", good,
    ])
    #expect(
      report.failures.map(\.description) == ["/nonexistent/file.mseed: no such file or folder"])
    #expect(report.storedFiles == 1)
  }

  @Test(.needsSharedData) func aTextFileNamedOnTheCommandLineIsStillAnError() throws {
    let store = try SeisStore()
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [
      "\(data)/README.md"
    ])
    #expect(report.failures.map(\.path) == ["\(data)/README.md"])
    #expect(report.otherFiles == 0)
  }

  /// An ingest left its data in the store's `-wal` in about one run in four (an adversarial
  /// sweep): the parsers' queues held the store past the end of the process, which then closed
  /// no connection, and a copy of the `.sqlite` file alone lacked what was ingested. The log
  /// is settled into the store file before `run` returns.
  @Test func anIngestLeavesItsDataInTheStoreFileNotInTheLog() throws {
    let dir = try TestPaths.temporaryDirectory("ingest-log")
    defer { try? FileManager.default.removeItem(at: dir) }
    let sac = dir.appendingPathComponent("a.sac")
    try SACWriter.encode(
      Segment(
        source: SourceIdentifier(network: "XX", station: "LOG", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
        samples: .float32((0..<50_000).map { Float($0 % 97) }))
    ).write(to: sac)
    let path = dir.appendingPathComponent("s.sqlite").path
    let store = try SeisStore(path: path)
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [sac.path])
    #expect(report.storedFiles == 1)
    let log = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    #expect(log == 0, "the -wal still holds \(log) bytes")
    let copy = dir.appendingPathComponent("copy.sqlite").path
    try FileManager.default.copyItem(atPath: path, toPath: copy)
    #expect(try SeisStore(path: copy).segmentSummaries().map(\.sampleCount) == [50_000])
  }

  /// A corrected file ingested again under the same path was stored beside the old one in
  /// silence, and every pick over it was then skipped as a conflicting overlap (an adversarial
  /// sweep). Both are still kept (nothing is lost), and the file is named in a warning.
  @Test func aFileChangedUnderAStoredPathIsNamed() throws {
    let dir = try TestPaths.temporaryDirectory("ingest-changed")
    defer { try? FileManager.default.removeItem(at: dir) }
    func write(_ offset: Float) throws {
      try SACWriter.encode(
        Segment(
          source: SourceIdentifier(network: "XX", station: "RE", location: "", channel: "HHZ"),
          startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
          samples: .float32((0..<500).map { Float($0) + offset }))
      ).write(to: dir.appendingPathComponent("re.sac"))
    }
    try write(0)
    let store = try SeisStore()
    let ingest = Ingest(store: store, logger: logger, quiet: true)
    #expect(ingest.run(paths: [dir.appendingPathComponent("re.sac").path]).storedFiles == 1)
    var digests: [String: [String]] = [:]
    for file in try store.sourceFiles() { digests[Ingest.pathKey(file.path)] = [file.sha256] }
    // The same path written another way, with other content: named.
    try write(1)
    let other = dir.path + "/./re.sac"
    let changed = try ingest.prepare(path: other, storedDigests: digests)
    #expect(changed.existing == nil)
    #expect(
      changed.notes.contains {
        $0.hasPrefix("a file stored before under this path (SHA-256 ")
          && $0.contains(
            "holds other samples for the same channels and times")
      },
      "\(changed.notes)")
    // Another station's file under the same path (the same relative name from another folder):
    // nothing overlaps, nothing to say.
    try SACWriter.encode(
      Segment(
        source: SourceIdentifier(network: "XX", station: "ELSE", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
        samples: .float32((0..<500).map { Float($0) + 2 }))
    ).write(to: dir.appendingPathComponent("re.sac"))
    #expect(try ingest.prepare(path: other, storedDigests: digests).notes.isEmpty)
    // The same content again: already stored, nothing to say.
    try write(0)
    let same = try ingest.prepare(path: other, storedDigests: digests)
    #expect(same.existing != nil && same.notes.isEmpty)
  }

  /// A real-time archive appends to today's day file: ingested again, it was stored beside the
  /// version stored before (every sample of that version twice) with a warning that they held
  /// "other samples". A new version that holds every stored sample unchanged now replaces the
  /// old one, in the savepoint that stores it; one cut shorter, or with a changed sample, is
  /// kept beside it and named. Real data: the first 64 KB of a day of CH.BALST LHE, then all of it.
  @Test(.needsSharedData) func aDayFileThatGrewReplacesTheVersionStoredBefore() throws {
    let dir = try TestPaths.temporaryDirectory("ingest-grew")
    defer { try? FileManager.default.removeItem(at: dir) }
    let day = try Data(
      contentsOf: TestPaths.sharedData.appendingPathComponent("mseed/CH.BALST..LHE.D.2025.314"))
    let file = dir.appendingPathComponent("CH.BALST..LHE.D.2025.314")
    let store = try SeisStore()
    let ingest = Ingest(store: store, logger: logger, quiet: true)
    try day.prefix(65_536).write(to: file)
    #expect(ingest.run(paths: [dir.path]).storedSamples == 35_161)
    let before = try store.segmentSummaries()
    try day.write(to: file)
    let grown = ingest.run(paths: [dir.path])
    #expect(grown.storedFiles == 1 && grown.replacedFiles == 1 && grown.failures.isEmpty)
    #expect(grown.summary.contains("; replaced 1 earlier version of a file that grew"))
    let after = try store.segmentSummaries()
    #expect(after.count == 1 && after[0].sampleCount == 86_343)
    #expect(after[0].startTime == before[0].startTime)
    #expect(try store.sourceFiles().map(\.size) == [Int64(day.count)])
    #expect(try store.check().isEmpty)
    // Cut shorter again: the stored version holds samples this one lacks, so both are kept.
    try day.prefix(32_768).write(to: file)
    var digests: [String: [String]] = [:]
    for stored in try store.sourceFiles() {
      digests[Ingest.pathKey(stored.path), default: []].append(stored.sha256)
    }
    let shorter = try ingest.prepare(path: file.path, storedDigests: digests)
    #expect(shorter.replacing.isEmpty)
    #expect(
      shorter.notes.contains { $0.contains("holds samples this one lacks") }, "\(shorter.notes)")
    let kept = ingest.run(paths: [dir.path])
    #expect(kept.storedFiles == 1 && kept.replacedFiles == 0)
    #expect(try store.sourceFiles().count == 2)
  }

  /// A corrected file, or one whose clock was corrected, is kept beside the stored version with
  /// a warning that says which it is; `--replace-changed` lets it replace the version (an
  /// operator could only start a new store; a review's daily workflow).
  @Test func aChangedFileReplacesTheStoredVersionOnlyWhenAsked() throws {
    let dir = try TestPaths.temporaryDirectory("ingest-replace-changed")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("day.sac")
    let source = SourceIdentifier(network: "XX", station: "FIX", location: "", channel: "HHZ")
    func write(start: Int64, _ values: [Float]) throws {
      try SACWriter.encode(
        Segment(
          source: source, startTime: Timestamp(nanoseconds: start), samplingRate: 100,
          samples: .float32(values))
      ).write(to: file)
    }
    let values = (0..<3000).map { Float($0 % 50) }
    let store = try SeisStore()
    try write(start: 0, values)
    #expect(
      Ingest(store: store, logger: logger, quiet: true).run(paths: [file.path]).storedFiles == 1)
    var digests: [String: [String]] = [:]
    for stored in try store.sourceFiles() {
      digests[Ingest.pathKey(stored.path), default: []].append(stored.sha256)
    }
    // The clock moved 3 ms later: the same samples, said so.
    try write(start: 3_000_000, values)
    let plain = Ingest(store: store, logger: logger, quiet: true)
    let shifted = try plain.prepare(path: file.path, storedDigests: digests)
    #expect(shifted.replacing.isEmpty && shifted.superseding.isEmpty)
    #expect(
      shifted.notes.contains {
        $0.contains("holds the same samples 3.000 ms (0.30 of a sample) earlier than this one")
      }, "\(shifted.notes)")
    // Asked, it replaces the version; the summary says what went.
    var asked = Ingest(store: store, logger: logger, quiet: true)
    asked.replaceChanged = true
    let report = asked.run(paths: [file.path])
    #expect(report.supersededFiles == 1 && report.replacedFiles == 0)
    #expect(
      report.summary.contains(
        "; replaced 1 earlier version that differed, as --replace-changed asks"))
    #expect(try store.segmentSummaries().map(\.startTime) == [Timestamp(nanoseconds: 3_000_000)])
    // A file of another station under the path is apart: never replaced.
    try SACWriter.encode(
      Segment(
        source: SourceIdentifier(network: "XX", station: "ELSE", location: "", channel: "HHZ"),
        startTime: Timestamp(nanoseconds: 0), samplingRate: 100, samples: .float32(values))
    ).write(to: file)
    #expect(asked.run(paths: [file.path]).supersededFiles == 0)
    #expect(try store.sourceFiles().count == 2)
    // A corrected file ingested without the flag is stored beside the version; the warning's
    // advice, ingesting it again with --replace-changed, then removes the version (a review:
    // the file was "already stored", and nothing was removed).
    let corrected = dir.appendingPathComponent("fix.sac")
    var changed = values
    changed[100] += 1
    for version in [values, changed] {
      try SACWriter.encode(
        Segment(
          source: source, startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
          samples: .float32(version))
      ).write(to: corrected)
      #expect(plain.run(paths: [corrected.path]).storedFiles == 1)
    }
    #expect(try store.sourceFiles().count == 4)
    let again = asked.run(paths: [corrected.path])
    #expect(again.alreadyStored == 1 && again.supersededFiles == 1, "\(again.summary)")
    #expect(try store.sourceFiles().count == 3)
  }

  /// Files stored before migration 0008 have no resolved path: they are found by their path as
  /// given and by where it leads now (a review: one stored through a link was missed when the
  /// grown file came through its real folder).
  @Test func aVersionStoredBeforeResolvedPathsIsFoundWhereItsPathLeads() throws {
    let dir = try TestPaths.temporaryDirectory("ingest-legacy-path")
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    try fm.createDirectory(at: dir.appendingPathComponent("d"), withIntermediateDirectories: true)
    try fm.createSymbolicLink(
      atPath: dir.appendingPathComponent("link").path, withDestinationPath: "d")
    let source = SourceIdentifier(network: "XX", station: "OLD", location: "", channel: "HHZ")
    func segment(_ count: Int) -> Segment {
      Segment(
        source: source, startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
        samples: .float32((0..<count).map { Float($0 % 31) }))
    }
    let store = try SeisStore()
    // Stored as an earlier version would store it: through the link, no resolved path.
    try store.storeFile(
      path: dir.appendingPathComponent("link/day.sac").path, size: 1, sha256: "old", format: .sac,
      segments: [segment(1000)])
    #expect(try store.sourceFiles().first?.resolvedPath == nil)
    try SACWriter.encode(segment(2000)).write(to: dir.appendingPathComponent("d/day.sac"))
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [
      dir.appendingPathComponent("d/day.sac").path
    ])
    #expect(report.replacedFiles == 1, "\(report.summary)")
    #expect(try store.segmentSummaries().map(\.sampleCount) == [2000])
  }

  /// A review found a stored version removed for a new file whose segment ingest then skipped
  /// (NaNs scattered into more than 1,000 runs): the store held neither. The comparison is with
  /// what the new file stores.
  @Test func aVersionIsNotReplacedByASegmentThatIsNotStored() throws {
    let dir = try TestPaths.temporaryDirectory("ingest-grew-nan")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("day.sac")
    let source = SourceIdentifier(network: "XX", station: "NAN", location: "", channel: "HHZ")
    let first = (0..<3000).map { Float($0 % 50) }
    func write(_ values: [Float]) throws {
      try SACWriter.encode(
        Segment(
          source: source, startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
          samples: .float32(values))
      ).write(to: file)
    }
    let store = try SeisStore()
    let ingest = Ingest(store: store, logger: logger, quiet: true)
    try write(first)
    #expect(ingest.run(paths: [file.path]).storedSamples == 3000)
    try write(first + (0..<4000).map { $0 % 3 == 0 ? .nan : 1 })
    let report = ingest.run(paths: [file.path])
    #expect(report.replacedFiles == 0 && report.skippedSegments.count == 1)
    // The segment is skipped, so its NaNs are not also "left out as gaps".
    #expect(report.nonFiniteSamples == 0 && !report.summary.contains("as gaps"))
    #expect(try store.segmentSummaries().map(\.sampleCount) == [3000])
    // Grown with finite samples, it replaces the first version (the second stored no segment,
    // and holds nothing to replace).
    try write(first + (0..<4000).map { Float($0 % 7) })
    #expect(ingest.run(paths: [file.path]).replacedFiles == 1)
    #expect(try store.segmentSummaries().map(\.sampleCount) == [7000])
  }

  /// The comparison behind the replacement, on its own: which stored samples the new file
  /// holds, at which times, with which values.
  @Test func anEarlierVersionIsContainedOnlyWhenEverySampleIsThereUnchanged() {
    let source = SourceIdentifier(network: "XX", station: "A", location: "", channel: "HHZ")
    func segment(
      _ start: Int64, _ values: [Int32], rate: Double = 100, channel: String = "HHZ"
    ) -> Segment {
      var id = source
      id.channel = channel
      return Segment(
        source: id, startTime: Timestamp(nanoseconds: start), samplingRate: rate,
        samples: .int32(values))
    }
    let old = [segment(1_000_000_000, [5, 6, 7, 8])]
    let grownValues: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    // Four samples earlier and one later, the same values at the same times.
    #expect(Ingest.compare(stored: old, with: [segment(960_000_000, grownValues)]) == .contained)
    // Off by 50 µs (half a percent of a sample at 100 Hz, MiniSEED's time resolution is 100 µs):
    // the same samples. Off by 4 ms or by half a sample (a timing correction): the same values
    // at other times, which a review found replacing the stored ones and moving every window.
    #expect(Ingest.compare(stored: old, with: [segment(960_050_000, grownValues)]) == .contained)
    #expect(
      Ingest.compare(stored: old, with: [segment(964_000_000, grownValues)])
        == .shifted(nanoseconds: 4_000_000))
    #expect(Ingest.compare(stored: old, with: [segment(955_000_000, grownValues)]) == .conflicting)
    // At epoch times of today, half a sample is told exactly (times compared in whole
    // nanoseconds, not as Doubles that keep them to 256 ns).
    let today: Int64 = 1_765_000_000_000_000_000
    #expect(
      Ingest.compare(
        stored: [segment(today, [5, 6, 7, 8])], with: [segment(today - 5_000_000, [5, 6, 7, 8])])
        == .conflicting)
    // A float's sign of zero is part of the sample.
    let zeros = Segment(
      source: source, startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
      samples: .float32([0, -0.0, 1]))
    var positive = zeros
    positive.samples = .float32([0, 0, 1])
    #expect(Ingest.compare(stored: [zeros], with: [zeros]) == .contained)
    #expect(Ingest.compare(stored: [zeros], with: [positive]) == .conflicting)
    // Off by a whole sample: other values at those times.
    #expect(Ingest.compare(stored: old, with: [segment(970_000_000, grownValues)]) == .conflicting)
    // Floats that equal the integers are the same samples.
    let floats = Segment(
      source: source, startTime: Timestamp(nanoseconds: 1_000_000_000), samplingRate: 100,
      samples: .float64([5, 6, 7, 8, 9]))
    #expect(Ingest.compare(stored: old, with: [floats]) == .contained)
    // Another rate over the same time conflicts; another channel or time is apart.
    #expect(
      Ingest.compare(stored: old, with: [segment(1_000_000_000, [5, 6], rate: 50)])
        == .otherRate(100))
    #expect(
      Ingest.compare(stored: old, with: [segment(1_000_000_000, [5, 6, 7, 8], channel: "HHN")])
        == .apart)
    #expect(Ingest.compare(stored: old, with: [segment(2_000_000_000, [5, 6, 7, 8])]) == .apart)
    // Split in two new segments that cover it together; with a gap, it holds more.
    #expect(
      Ingest.compare(
        stored: old, with: [segment(1_000_000_000, [5, 6]), segment(1_020_000_000, [7, 8, 9])])
        == .contained)
    #expect(
      Ingest.compare(
        stored: old, with: [segment(1_000_000_000, [5, 6]), segment(1_030_000_000, [8, 9])])
        == .holdsMore)
    // One stored segment contained and another apart: the file holds more than the new one.
    #expect(
      Ingest.compare(
        stored: old + [segment(5_000_000_000, [1])], with: [segment(1_000_000_000, [5, 6, 7, 8])])
        == .holdsMore)
  }

  @Test func folderFilesAreTakenInSortedOrderSkippingHiddenOnes() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fm = FileManager.default
    try fm.createDirectory(at: dir.appendingPathComponent("b/c"), withIntermediateDirectories: true)
    for name in ["z.sac", "a.mseed", "b/c/m", "b/a", ".hidden"] {
      _ = fm.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data([1]))
    }
    let (files, missing) = Ingest.expand([dir.path])
    #expect(missing.isEmpty)
    #expect(files == ["a.mseed", "b/a", "b/c/m", "z.sac"].map { dir.path + "/" + $0 })
  }

  @Test(.needsSharedData) func listingHasTheContractColumnsAndLastSampleAsEndTime() throws {
    let store = try SeisStore()
    _ = Ingest(store: store, logger: logger, quiet: true).run(paths: [
      TestPaths.sharedData.appendingPathComponent("mseed/three_records_zero_data_in_middle.mseed")
        .path
    ])
    let csv = TracesList.render(try store.segmentSummaries(), format: .csv)
    let lines = csv.split(separator: "\n").map(String.init)
    #expect(
      lines[0].hasPrefix(
        "network,station,location,channel,start_time,end_time,sampling_rate_hz,sample_count"))
    #expect(lines.count == 3)
    // ObsPy: 412 samples at 200 Hz from 2007-12-31T23:59:59.765 end at 2008-01-01T00:00:01.820.
    #expect(
      lines[1].hasPrefix(
        "BW,BGLD,,EHE,2007-12-31T23:59:59.765000Z,2008-01-01T00:00:01.820000Z,200.0,412,"))
    let table = TracesList.render(try store.segmentSummaries(), format: .table)
    #expect(table.split(separator: "\n").count == 3)
    // A newline in a file's name stays on its row, escaped; CSV quotes it instead.
    var odd = try store.segmentSummaries()
    odd[0].filePath = "dir/a\nb.mseed"
    let oddTable = TracesList.render(odd, format: .table)
    #expect(oddTable.split(separator: "\n").count == 3)
    #expect(oddTable.contains("dir/a\\nb.mseed"))
    #expect(TracesList.render(odd, format: .csv).contains("\"dir/a\nb.mseed\""))
    // A backslash is doubled where escapes are written, so they stay unambiguous.
    odd[0].filePath = "a\\nb\nc\u{85}.sac"
    #expect(TracesList.render(odd, format: .table).contains("a\\\\nb\\nc\\u{85}.sac"))
  }

  /// A rate SEED cannot hold (a SAC rate of 200.00000447 Hz, from a float32 DELTA) is written
  /// as the nearest it holds, and the export says so; exact rates are not mentioned.
  @Test func miniSEEDExportNamesRatesItCannotHoldExactly() throws {
    let store = try SeisStore()
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    func segment(_ channel: String, _ rate: Double) -> Segment {
      Segment(
        source: SourceIdentifier(network: "XX", station: "RATE", location: "", channel: channel),
        startTime: t0, samplingRate: rate, samples: .int32([1, 2, 3, 4, 5]))
    }
    try store.storeFile(
      path: "rates", size: 0, sha256: "rates", format: .sac,
      segments: [segment("HHZ", 200.00000447), segment("HHN", 100), segment("HHE", 0.1)])
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let report = try TracesExport(store: store, logger: logger, quiet: true)
      .run(format: .mseed, directory: dir.path, force: false)
    #expect(report.written.count == 3)
    #expect(report.inexactRates.count == 1)
    let inexact = try #require(report.inexactRates.first)
    #expect(inexact.segment == "XX.RATE..HHZ" && inexact.stored == 200.00000447)
    #expect(inexact.written == 200)
    #expect(
      report.inexactRatesLine
        == "1 segment's sampling rate is not held exactly by MiniSEED 2 and is written as the nearest rate it holds (XX.RATE..HHZ: 200.00000447 Hz written as 200 Hz)"
    )
    // What a reader gets back is what the line says.
    let back = try WaveformReader.read(
      contentsOf: URL(fileURLWithPath: try #require(report.written.first { $0.contains("HHZ") })))
    #expect(back.segments.first?.samplingRate == 200)
  }

  @Test(.needsSharedData) func exportRefusesToOverwriteWithoutForce() throws {
    let store = try SeisStore()
    _ = Ingest(store: store, logger: logger, quiet: true).run(paths: [
      TestPaths.sharedData.appendingPathComponent("sac/seism.sac").path
    ])
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let export = TracesExport(store: store, logger: logger, quiet: true)
    let first = try export.run(format: .sac, directory: dir.path, force: false)
    try #require(first.written.count == 1)
    #expect(throws: InputError.self) {
      try export.run(format: .sac, directory: dir.path, force: false)
    }
    #expect(try export.run(format: .sac, directory: dir.path, force: true).written.count == 1)
    // The SAC written back reads as the stored float32 samples.
    let back = try WaveformReader.read(contentsOf: URL(fileURLWithPath: first.written[0]))
    let stored = try #require(try store.segment(id: 1))
    #expect(back.segments.first?.samples == stored.samples)
    // A target that is a folder: refused even with --force, and nothing is written.
    try FileManager.default.removeItem(atPath: first.written[0])
    try FileManager.default.createDirectory(
      atPath: first.written[0], withIntermediateDirectories: false)
    do {
      _ = try export.run(format: .sac, directory: dir.path, force: true)
      Issue.record("a folder in place of an output file must be refused")
    } catch let error as InputError {
      #expect(error.reason.contains("is a folder") && error.reason.contains("nothing written"))
    }
  }
}
