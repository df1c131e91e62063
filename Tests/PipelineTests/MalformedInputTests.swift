import Foundation
import Logging
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// Files that lie or hold values no seismometer records: ingest answers each with a one-line
/// error, or stores the rest of the file and names what it skipped, and never crashes.
@Suite struct MalformedInputTests {
  let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
  let start = Timestamp(iso8601: "2020-03-01T12:00:00Z") ?? Timestamp(nanoseconds: 0)

  func segment(_ samples: Samples, rate: Double = 100, station: String = "STA") -> Segment {
    Segment(
      source: SourceIdentifier(network: "XX", station: station, location: "", channel: "HHZ"),
      startTime: start, samplingRate: rate, samples: samples)
  }

  /// Writes each file into a fresh folder and ingests the folder into a fresh store.
  func ingest(_ files: [String: Data]) throws -> (IngestReport, SeisStore) {
    let dir = try TestPaths.temporaryDirectory("malformed")
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, data) in files {
      try data.write(to: dir.appendingPathComponent(name))
    }
    let store = try SeisStore()
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: [dir.path])
    #expect(try store.check().isEmpty)
    return (report, store)
  }

  /// Sets the big-endian UInt16 at `offset` of the first record.
  func setUInt16(_ data: inout Data, at offset: Int, to value: UInt16) {
    data[offset] = UInt8(value >> 8)
    data[offset + 1] = UInt8(value & 0xFF)
  }

  func uint16(_ data: Data, at offset: Int) -> UInt16 {
    UInt16(data[offset]) << 8 | UInt16(data[offset + 1])
  }

  // MARK: Other files beside the waveforms

  /// What an archive folder holds beside its waveforms is skipped and counted, not failed: text
  /// of any name but a waveform's (README, rdseed's response files), exported windows, another
  /// store, a SeisBench data set. Text under a waveform's name stays an error (a download that
  /// saved an error page).
  @Test func filesBesideTheWaveformsThatAreNotWaveformsAreSkippedAndCounted() throws {
    let good = try SACWriter.encode(segment(.float32([1, 2, 3]), station: "GOOD"))
    var npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    npy.append(Data(repeating: 0x20, count: 64))
    var sqlite = Data(Array("SQLite format 3".utf8) + [0])
    sqlite.append(Data(repeating: 0, count: 84))
    var hdf5 = Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
    hdf5.append(Data(repeating: 0, count: 40))
    let (report, store) = try ingest([
      "II.TLY.BHZ.SAC": good, "README": Data("readme\n".utf8),
      "SAC_PZs_II_TLY_BHZ_00_2018.001": Data("* NETWORK (KNETWK): II\nZEROS 3\n".utf8),
      "RESP.II.TLY.00.BHZ": Data("#\nB050F03 Station: TLY\n".utf8),
      "windows.npy": npy, "other.sqlite": sqlite, "waveforms.hdf5": hdf5,
      // The log of a store another process has open (they failed the ingest: "unknown format",
      // "empty file"; an adversarial sweep).
      "other.sqlite-wal": Data(), "other.sqlite-shm": Data(repeating: 0, count: 4096),
      "other.sqlite-journal": Data(repeating: 7, count: 512),
    ])
    #expect(report.failures.isEmpty, "\(report.failures)")
    #expect(report.storedFiles == 1)
    #expect(report.otherFiles == 3)
    #expect(report.dataFiles == 6)
    #expect(report.summary.contains("and 6 NumPy, SQLite or HDF5 files found in folders"))
    #expect(try store.segmentSummaries().count == 1)
    // Text named as a waveform, or as an SDS day file, fails.
    let (broken, _) = try ingest([
      "II.TLY.BHZ.SAC": good, "XX.STA..HHZ.D.2024.001": Data("<html>404</html>\n".utf8),
      "bad.mseed": Data("<html>404</html>\n".utf8),
    ])
    #expect(
      Set(broken.failures.map { URL(fileURLWithPath: $0.path).lastPathComponent })
        == ["XX.STA..HHZ.D.2024.001", "bad.mseed"])
    // A `-wal` beside no SQLite database is no store's log: it fails as any unknown file.
    let (orphanLog, _) = try ingest(["II.TLY.BHZ.SAC": good, "gone.sqlite-wal": Data([1, 2, 3])])
    #expect(
      orphanLog.failures.map { URL(fileURLWithPath: $0.path).lastPathComponent } == [
        "gone.sqlite-wal"
      ])
    #expect(Ingest.looksLikeSDSName("IU.ANMO.00.BHZ.D.2024.001"))
    #expect(!Ingest.looksLikeSDSName("SAC_PZs_II_TLY_BHZ_00_2018.001"))
  }

  // MARK: NaN and infinity

  @Test func nanAndInfiniteSamplesAreGapsAndTheFiniteRunsAroundThemAreStored() throws {
    let good = try SACWriter.encode(segment(.float32([1, 2, 3]), station: "GOOD"))
    let nanSAC = try SACWriter.encode(segment(.float32([1, .nan, 3, .nan]), station: "NAN"))
    let infMiniSEED = try MiniSEEDWriter.encode(
      segment(.float64([1, .infinity, -.infinity, 4, 5]), station: "INF"))
    let allNaN = try SACWriter.encode(segment(.float32([.nan, .nan]), station: "ALLNAN"))
    let (report, store) = try ingest([
      "good.sac": good, "nan.sac": nanSAC, "inf.mseed": infMiniSEED, "allnan.sac": allNaN,
    ])
    #expect(report.failures.isEmpty)
    #expect(report.storedFiles == 4)
    // GOOD whole; NAN as [1] and [3]; INF as [1] and [4, 5]; ALLNAN has nothing to store.
    #expect(report.storedSegments == 5)
    #expect(report.storedSamples == 3 + 2 + 3)
    #expect(report.nonFiniteSamples == 4)
    let summaries = try store.segmentSummaries()
    let inf = summaries.filter { $0.source.station == "INF" }
    #expect(inf.map(\.sampleCount) == [1, 2])
    // The runs keep their place on the time grid: [4, 5] starts 3 samples (0.03 s) in.
    #expect(
      inf.map { $0.startTime.nanoseconds(since: inf[0].startTime) } == [0, 30_000_000])
    let nan = summaries.filter { $0.source.station == "NAN" }
    #expect(nan.map(\.sampleCount) == [1, 1])
    #expect(report.skippedSegments.count == 1)
    #expect(
      report.skippedSegments[0].hasSuffix(
        "allnan.sac: XX.ALLNAN..HHZ at 2020-03-01T12:00:00.000000Z: all 2 samples are NaN or infinite: segment skipped"
      ))
    #expect(report.summary.contains("left out 4 NaN or infinite samples as gaps"))
    #expect(report.summary.contains("skipped 1 unusable segment"))
  }

  @Test func aSegmentShreddedByScatteredNaNsIsSkippedNotStoredAsThousandsOfRows() throws {
    let limit = Ingest.maximumFiniteRuns
    let values = (0..<(2 * limit + 2)).map { $0 % 2 == 0 ? Float($0) : .nan }
    let (report, store) = try ingest([
      "shredded.sac": try SACWriter.encode(segment(.float32(values), station: "SHRED")),
      "edge.sac": try SACWriter.encode(
        segment(.float32(Array(values.prefix(2 * limit))), station: "EDGE")),
    ])
    #expect(report.failures.isEmpty)
    #expect(try store.segmentSummaries().filter { $0.source.station == "SHRED" }.isEmpty)
    #expect(try store.segmentSummaries().filter { $0.source.station == "EDGE" }.count == limit)
    #expect(report.skippedSegments.count == 1)
    #expect(report.skippedSegments[0].contains("split it into \(limit + 1) runs"))
  }

  /// Records duplicated or overlapping inside one file are stored as the file holds them, and
  /// said: one note per channel. Adjacent segments and other channels are not overlaps.
  @Test func segmentsOverlappingInsideOneFileAreNotedPerChannel() throws {
    let a = segment(.int32([1, 2, 3, 4]), station: "DUP")
    var later = a
    later.startTime = a.time(ofSample: 2)  // overlaps a's last two samples
    var adjacent = a
    adjacent.startTime = a.time(ofSample: 4)
    let other = segment(.int32([1, 2, 3, 4]), station: "OTHER")
    let notes = Ingest.overlapNotes([a, a, later, other, other])
    #expect(notes.count == 2)
    #expect(
      notes[0].hasPrefix(
        "XX.DUP..HHZ: 2 segments in this file overlap earlier ones in time (the first at 2020-03-01T12:00:00.000000Z)"
      ))
    #expect(notes[1].hasPrefix("XX.OTHER..HHZ: 1 segment in this file overlaps an earlier one"))
    #expect(Ingest.overlapNotes([a, adjacent, other]).isEmpty)
    // Through ingest: a file of the same record twice is stored whole, both segments kept.
    var doubled = try MiniSEEDWriter.encode(a)
    doubled.append(try MiniSEEDWriter.encode(a))
    let (report, store) = try ingest(["doubled.mseed": doubled])
    #expect(report.storedFiles == 1 && report.storedSegments == 2)
    #expect(try store.segmentSummaries().count == 2)
  }

  // MARK: Sampling rate

  @Test func zeroSamplingRateWithSamplesIsSkippedWithAReason() throws {
    var data = try MiniSEEDWriter.encode(segment(.int32([1, 2, 3, 4]), rate: 20))
    // Sample rate factor and multiplier: big-endian Int16 at bytes 32 and 34.
    #expect(uint16(data, at: 32) == 20)
    setUInt16(&data, at: 32, to: 0)
    let (report, store) = try ingest(["zero-rate.mseed": data])
    #expect(report.failures.isEmpty)
    #expect(report.storedSegments == 0)
    #expect(try store.segmentSummaries().isEmpty)
    #expect(report.skippedSegments.count == 1)
    #expect(
      report.skippedSegments.first?.contains("sampling rate 0.0 Hz is not a positive number")
        == true)
  }

  @Test func sacWithZeroOrNegativeDeltaIsRefusedInOneLine() throws {
    var data = try SACWriter.encode(segment(.float32([1, 2, 3])))
    for delta: Float in [0, -0.01, .infinity] {
      withUnsafeBytes(of: delta.bitPattern.littleEndian) { data.replaceSubrange(0..<4, with: $0) }
      let (report, _) = try ingest(["bad-delta.sac": data])
      #expect(report.failures.count == 1)
      #expect(report.failures.first?.reason.contains("DELTA is not positive") == true)
    }
  }

  /// SAC that is not one evenly sampled time series with a known start: refused by name, not
  /// stored with made-up times (B = NaN used to become 0) or read as a time series (a spectrum,
  /// LEVEN = 0). Header bytes: B is float 5 (byte 20), IFTYPE integer 15 (byte 340), LEVEN
  /// logical 35 (byte 420).
  @Test func sacThatIsNotAnEvenTimeSeriesWithAKnownStartIsRefusedByName() throws {
    func patched(_ offset: Int, int value: Int32? = nil, float: Float? = nil) throws -> Data {
      var data = try SACWriter.encode(segment(.float32([1, 2, 3])))
      if let value {
        withUnsafeBytes(of: value.littleEndian) {
          data.replaceSubrange(offset..<offset + 4, with: $0)
        }
      }
      if let float {
        withUnsafeBytes(of: float.bitPattern.littleEndian) {
          data.replaceSubrange(offset..<offset + 4, with: $0)
        }
      }
      return data
    }
    // The offsets are right: the values SACWriter wrote are there.
    let good = try SACWriter.encode(segment(.float32([1, 2, 3])))
    #expect(good[420] == 1 && good[340] == 1)
    for (name, data, why) in [
      ("b-nan.sac", try patched(20, float: .nan), "SAC header B is not a number"),
      ("b-inf.sac", try patched(20, float: .infinity), "SAC header B is not a number"),
      ("uneven.sac", try patched(420, int: 0), "unevenly sampled SAC (LEVEN = 0)"),
      ("spectrum.sac", try patched(340, int: 3), "IFTYPE IAMPH (a spectrum), not a time series"),
      ("xy.sac", try patched(340, int: 4), "IFTYPE IXY (x-y data), not a time series"),
    ] {
      let (report, store) = try ingest([name: data])
      #expect(report.storedFiles == 0, "\(name)")
      #expect(try store.segmentSummaries().isEmpty)
      let failure = try #require(report.failures.first, "\(name)")
      #expect(failure.reason.contains(why), "\(name): \(failure.reason)")
    }
    // Undefined IFTYPE and B are a time series starting at the reference time, as SAC reads them.
    let (report, _) = try ingest([
      "undefined.sac": try patched(340, int: -12345),
      "b-undefined.sac": try patched(20, float: -12345),
    ])
    #expect(report.storedFiles == 2 && report.failures.isEmpty)
  }

  // MARK: Absurd times

  /// The SAC header with NZYEAR (integer word 70, byte 280) set to `year`.
  func sac(year: Int32, b: Float? = nil, delta: Float? = nil) throws -> Data {
    var data = try SACWriter.encode(segment(.float32([1, 2, 3])))
    withUnsafeBytes(of: year.littleEndian) { data.replaceSubrange(280..<284, with: $0) }
    if let b {
      withUnsafeBytes(of: b.bitPattern.littleEndian) { data.replaceSubrange(20..<24, with: $0) }
    }
    if let delta {
      withUnsafeBytes(of: delta.bitPattern.littleEndian) { data.replaceSubrange(0..<4, with: $0) }
    }
    return data
  }

  @Test func sacTimesOutsideTheRepresentableYearsAreRefusedInOneLine() throws {
    // Year 2020 reads back as written: the byte offsets are right.
    let sound = try ingest(["ok.sac": try sac(year: 2020)])
    #expect(sound.0.storedSegments == 1)
    let cases: [(String, Data, String)] = [
      ("year-9999.sac", try sac(year: 9999), "out of range"),
      ("year-100.sac", try sac(year: 100), "out of range"),
      ("year-minus-5000.sac", try sac(year: -5000), "out of range"),
      ("year-int-max.sac", try sac(year: Int32.max), "out of range"),
      ("b-1e30.sac", try sac(year: 2020, b: 1e30), "out of range"),
      ("b-3e17-past-int64.sac", try sac(year: 2020, b: 3e17), "out of range"),
      // A 4e9 s sample interval: the last sample falls after 2262 (found by FuzzSAC).
      (
        "delta-4e9.sac", try sac(year: 2020, delta: 4e9),
        "end outside the representable times (1678-06-18T12:26:40Z to 2261-07-15T11:33:20Z)"
      ),
    ]
    for (name, data, why) in cases {
      let (report, store) = try ingest([name: data])
      #expect(report.storedFiles == 0, "\(name)")
      #expect(try store.segmentSummaries().isEmpty)
      let failure = try #require(report.failures.first, "\(name)")
      #expect(failure.reason.contains(why), "\(name): \(failure.reason)")
      #expect(!failure.description.contains("\n"))
    }
  }

  @Test func miniSEEDStartYearsOutsideTheRepresentableRangeStoreNoSegmentAndSaySo() throws {
    let original = try MiniSEEDWriter.encode(segment(.int32([5, 6, 7, 8])))
    // Start year: big-endian UInt16 at byte 20.
    #expect(uint16(original, at: 20) == 2020)
    for year: UInt16 in [1, 1000, 2300, 9999, 65535] {
      var data = original
      setUInt16(&data, at: 20, to: year)
      // libmseed places it (in microseconds) but nanoseconds cannot hold it: a note, no segment.
      let contents = try data.withUnsafeBytes { raw in
        var copy = [UInt8](raw)
        return try copy.withUnsafeMutableBytes { try WaveformReader.read($0, path: "y.mseed") }
      }
      #expect(contents.segments.isEmpty, "year \(year)")
      #expect(
        contents.notes.contains { $0.contains("beyond the representable times: no segment") },
        "year \(year): \(contents.notes)")
      let (report, store) = try ingest(["year-\(year).mseed": data])
      #expect(report.failures.isEmpty)
      #expect(try store.segmentSummaries().isEmpty, "year \(year)")
      // The summary line does not call the file empty (a review found "no samples in the
      // file" after the note, for a file of 4 samples).
      var prepared = Ingest.Prepared(path: "y.mseed", size: 0, sha256: "")
      prepared.notes = contents.notes
      prepared.segmentCount = contents.segments.count
      #expect(
        Ingest.noSegmentReason(prepared)
          == "the reader kept no segment: see the warnings before this")
    }
    #expect(
      Ingest.noSegmentReason(Ingest.Prepared(path: "e.mseed", size: 0, sha256: ""))
        == "no samples in the file")
  }

  @Test func segmentTimesBeyondInt64NanosecondsAreReportedNotTrapped() {
    let late = Segment(
      source: SourceIdentifier(network: "XX", station: "S", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: Int64.max - 1_000_000_000), samplingRate: 1,
      samples: .int32([1, 2, 3]))
    #expect(late.timeRangeProblem?.contains("beyond the representable times") == true)
    #expect(Ingest.unusableReason(late)?.contains("segment skipped") == true)
    let slow = segment(.int32(Array(repeating: 0, count: 1000)), rate: 1e-9)
    #expect(slow.timeRangeProblem != nil)
    #expect(segment(.int32([1, 2]), rate: 100).timeRangeProblem == nil)
  }

  // MARK: Codes

  /// SAC keeps a "?" per byte that is not ASCII; MiniSEED drops them, as ObsPy does, so the
  /// codes match the ids ObsPy users see.
  @Test func nonASCIICodeBytesAreQuestionMarksInSACAndDroppedInMiniSEED() throws {
    var sacData = try SACWriter.encode(segment(.float32([1, 2]), station: "ABCD"))
    // KSTNM: eight bytes at 440.
    #expect(sacData[440] == UInt8(ascii: "A"))
    sacData[441] = 0xFF
    sacData[442] = 0xC3
    var mseedData = try MiniSEEDWriter.encode(segment(.int32([1, 2]), station: "WXYZ"))
    // Station: five ASCII bytes at 8.
    #expect(mseedData[8] == UInt8(ascii: "W"))
    mseedData[9] = 0xC3
    mseedData[10] = 0x28
    let (report, store) = try ingest(["codes.sac": sacData, "codes.mseed": mseedData])
    #expect(report.failures.isEmpty)
    let stations = Set(try store.segmentSummaries().map(\.source.station))
    #expect(stations == ["A??D", "W(Z"])
  }

  // MARK: Claims of billions of samples

  @Test func headersClaimingBillionsOfSamplesAreRefusedBeforeAllocation() throws {
    // SAC: NPTS 2^31 - 1 over a 3-sample file.
    var sacData = try SACWriter.encode(segment(.float32([1, 2, 3])))
    withUnsafeBytes(of: Int32.max.littleEndian) { sacData.replaceSubrange(316..<320, with: $0) }
    // MiniSEED: 65535 samples (the most the header holds) in a record of a few bytes of data.
    var mseedData = try MiniSEEDWriter.encode(segment(.int32([1, 2, 3])))
    setUInt16(&mseedData, at: 30, to: 65535)
    let (report, _) = try ingest(["huge.sac": sacData, "huge.mseed": mseedData])
    #expect(report.failures.count == 2)
    let reasons = report.failures.map(\.reason).joined(separator: " | ")
    #expect(reasons.contains("NPTS 2147483647"))
    #expect(reasons.contains("claims 65535 samples"))
    // .npy: a shape of 4e9 x 3000 float64 values over 80 bytes of data.
    var npy = NPYArray.float32Header(shape: [4_000_000_000, 3000])
    npy.append(Data(count: 80))
    #expect(throws: InputError.self) { try NPYArray(npyData: npy, path: "huge.npy") }
    do {
      _ = try NPYArray(npyData: npy, path: "huge.npy")
    } catch {
      // Bytes on both sides (stop 40's sweep: values against bytes read as a file too long).
      #expect(
        error.reason.contains(
          "(12000000000000 values, 48000000000000 bytes of data) but the file holds only 80 bytes of data"
        ), "\(error.reason)")
    }
  }
}

/// Every input a fuzz target once crashed on (fixtures/regressions/) is refused in one line.
@Suite struct FuzzRegressionTests {
  @Test func everyFuzzRegressionInputIsRefusedInOneLineWithoutCrashing() throws {
    let dir = TestPaths.fixtures.appendingPathComponent("regressions")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".sac") || $0.hasSuffix(".mseed") }.sorted()
    #expect(!names.isEmpty)
    for name in names {
      let path = dir.appendingPathComponent(name).path
      do {
        let contents = try WaveformReader.read(contentsOf: URL(fileURLWithPath: path))
        // Read: then every segment's times must be computable.
        for segment in contents.segments {
          #expect(segment.timeRangeProblem == nil, "\(name)")
          _ = segment.endTime
        }
      } catch let error as WaveformFileError {
        #expect(!error.description.contains("\n"), "\(name)")
        #expect(error.description.hasPrefix(path + ": "), "\(name)")
      }
    }
  }

  @Test func theSACWhoseLastSampleFellAfter2262IsRefusedByName() throws {
    let url = TestPaths.fixtures.appendingPathComponent(
      "regressions/sac-delta-4e9-endtime-overflow.sac")
    #expect {
      try WaveformReader.read(contentsOf: url)
    } throws: { error in
      (error as? WaveformFileError)?.reason.contains(
        "end outside the representable times (1678-06-18T12:26:40Z to 2261-07-15T11:33:20Z)")
        == true
    }
  }
}

/// The inputs FuzzMiniSEED and FuzzPicks crashed on, now refused by name.
@Suite struct FuzzFindingTests {
  @Test func aTextRecordClaimingMoreCharactersThanItHoldsIsRefusedBeforeDecoding() throws {
    let url = TestPaths.fixtures.appendingPathComponent(
      "regressions/mseed-text-record-samplecount-past-record.mseed")
    #expect {
      try WaveformReader.read(contentsOf: url)
    } throws: { error in
      (error as? WaveformFileError)?.reason.contains("samples in") == true
    }
  }

  @Test func aPickTimeInAYearNanosecondsCannotHoldIsAProblemRowNotATrap() throws {
    let url = TestPaths.fixtures.appendingPathComponent("regressions/picks-csv-year-1013.csv")
    let contents = try PickReader.read(contentsOf: url)
    #expect(contents.problems.map(\.line).contains(2))
    #expect(
      contents.problems.first { $0.line == 2 }?.reason
        == "time '1013-03-01T00:06:16.649649Z' is a valid date outside the storable range (1677-09-21T00:12:44Z to 2262-04-11T23:47:16.854775807Z)"
    )
    #expect(contents.picks.count == 3)
    for text in [
      "1013-03-01T00:00:00Z", "1677-01-01", "2262-05-01T00:00:00Z", "9999-12-31T23:59:59Z",
    ] {
      #expect(Timestamp(iso8601: text) == nil, "\(text)")
      // Valid dates the store cannot hold are called that, not unreadable (issue 17, item 16).
      #expect(Timestamp.iso8601Problem(text)?.contains("outside the storable range") == true)
    }
    // The range's ends: what the message names is accepted, a second (or a nanosecond) beyond not.
    #expect(Timestamp(iso8601: "1677-09-21T00:12:44Z") != nil)
    #expect(Timestamp(iso8601: "2262-04-11T23:47:16Z") != nil)
    #expect(Timestamp(iso8601: "1677-09-21T00:12:43Z") == nil)
    #expect(Timestamp(iso8601: "2262-04-11T23:47:17Z") == nil)
    #expect(Timestamp(iso8601: "2262-04-11T23:47:16.854775807Z")?.nanoseconds == Int64.max)
    #expect(Timestamp(iso8601: "2262-04-11T23:47:16.854775808Z") == nil)
    for text in ["0001-01-01T00:00:00Z", "2999-06-01T00:00:00Z"] {
      #expect(Timestamp.iso8601Problem(text)?.contains("outside the storable range") == true)
    }
    for text in ["2021-02-30T00:00:00Z", "yesterday", "2021-13-01"] {
      #expect(Timestamp.iso8601Problem(text)?.hasPrefix("cannot read time") == true, "\(text)")
    }
    #expect(Timestamp(iso8601: "2261-12-31T00:00:00Z") != nil)
    #expect(Timestamp(iso8601: "1678-01-01T00:00:00Z") != nil)
  }

  @Test func aPickTimeWithElevenFractionDigitsIsCutToNanoseconds() throws {
    let url = TestPaths.fixtures.appendingPathComponent(
      "regressions/picks-csv-eleven-fraction-digits.csv")
    let contents = try PickReader.read(contentsOf: url)
    // Line 2 is in year 4052; line 3's time has second 91: both are problems, not traps.
    #expect(contents.problems.map(\.line) == [2, 3])
    #expect(
      Timestamp(iso8601: "2026-03-01T00:06:51.71123456789Z")
        == Timestamp(iso8601: "2026-03-01T00:06:51.711234567Z"))
  }

  @Test func quakeMLWithAProcessingInstructionWithoutDataIsRefusedBeforeTheXMLParserSeesIt()
    throws
  {
    let url = TestPaths.fixtures.appendingPathComponent(
      "regressions/quakeml-empty-processing-instruction.xml")
    #expect {
      try PickReader.read(contentsOf: url)
    } throws: { error in
      (error as? PickFormatError)?.reason
        == "not well-formed XML: a processing instruction without data"
    }
    // The usual declaration and instructions with data still parse.
    let fine = Data(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <?xml-stylesheet href="a.xsl"?>
      <q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2"><eventParameters/></q:quakeml>
      """.utf8)
    #expect(try PickReader.parse(fine).picks.isEmpty)
  }

  /// A pick file larger than the memory left trapped in the allocator (a hostile-input sweep):
  /// the estimate of what reading it takes is checked first. The estimate is measured, not
  /// guessed: at least what 1 M rows of 44 bytes took (471 MB peak).
  @Test func aPickFileTooLargeForTheMemoryLeftIsRefusedInOneLine() throws {
    let row = "DM,DEM01,,HHZ,2026-03-01T00:00:00.000001Z,P\n"
    let rows = Data(("network,station,location,channel,time,phase\n" + row).utf8)
    #expect(PickReader.estimatedBytes(rows) == 2 * rows.count + 2 * 300)
    let estimate = Double(PickReader.estimatedBytes(Data(String(repeating: row, count: 1000).utf8)))
    // 1 M such rows peaked at 471 MB resident: about 360 MB above the process at rest and the
    // store's 64 MB page cache.
    #expect(estimate * 1000 >= 360e6)
  }

  @Test(.enabled(if: SeisclusterProcess.binary != nil, "needs .build/debug/seiscluster"))
  func aPickFileTooLargeForUlimitIsRefusedWithoutATrap() throws {
    let dir = try TestPaths.temporaryDirectory("picks-memory")
    defer { try? FileManager.default.removeItem(at: dir) }
    let row = "DM,DEM01,,HHZ,2026-03-01T00:00:00.000001Z,P\n"
    try Data(
      ("network,station,location,channel,time,phase\n" + String(repeating: row, count: 400_000))
        .utf8
    )
    .write(to: dir.appendingPathComponent("big.csv"))
    // 18 MB of rows need about 215 MB: the process itself takes most of a 400 MB address space
    // (its libraries, and an arena per thread), so that is refused.
    let outcome = try SeisclusterProcess.run(
      ["picks", "import", "big.csv"], in: dir, shell: "ulimit -v 400000; exec", timeout: 60)
    #expect(outcome.status == 1, "\(outcome.errors)")
    #expect(outcome.errors.contains("big.csv: reading its picks takes about"), "\(outcome.errors)")
    #expect(!outcome.errors.contains("Fatal error"))
  }

  /// Under an address-space limit, OpenBLAS's worker threads (one per core, started as the
  /// library loads) each asked for a 128 MB buffer, retried for ever when refused, and every
  /// command hung: `--version` under `ulimit -v 300000` on 2 cores. Such a process starts again
  /// with OPENBLAS_NUM_THREADS=1 (CBLASPin's constructor); seiscluster never used the workers.
  @Test(.enabled(if: SeisclusterProcess.binary != nil, "needs .build/debug/seiscluster"))
  func everyCommandStartsUnderATightAddressSpaceLimit() throws {
    let dir = try TestPaths.temporaryDirectory("blas-limit")
    defer { try? FileManager.default.removeItem(at: dir) }
    let version = try SeisclusterProcess.run(
      ["--version"], in: dir, environment: ["OPENBLAS_NUM_THREADS": ""],
      shell: "unset OPENBLAS_NUM_THREADS; ulimit -v 300000; exec", timeout: 30)
    #expect(version.status == 0, "\(version.errors)")
    #expect(!version.output.isEmpty)
    // Empty or 0 mean "every core" to OpenBLAS: started again too (they hung; a review).
    for value in ["", "0"] {
      let empty = try SeisclusterProcess.run(
        ["--version"], in: dir, environment: ["OPENBLAS_NUM_THREADS": value],
        shell: "ulimit -v 300000; exec", timeout: 30)
      #expect(empty.status == 0, "'\(value)': \(empty.errors)")
    }
    // A user's own setting is left alone (and still works here, with one thread asked for).
    let own = try SeisclusterProcess.run(
      ["--version"], in: dir, environment: ["OPENBLAS_NUM_THREADS": "1"],
      shell: "ulimit -v 300000; exec", timeout: 30)
    #expect(own.status == 0, "\(own.errors)")
  }

  @Test func quakeMLThatIsNotUTF8IsRefusedBeforeTheXMLParserSeesIt() throws {
    let url = TestPaths.fixtures.appendingPathComponent(
      "regressions/quakeml-invalid-utf8-element-name.xml")
    #expect {
      try PickReader.read(contentsOf: url)
    } throws: { error in
      (error as? PickFormatError)?.reason == "QuakeML is not valid UTF-8"
    }
  }
}
