import Foundation
import GRDB
import Numerics
import Seismic
import TestSupport
import Testing

@testable import Store

@Suite struct TraceStoreTests {
  let z = SourceIdentifier(network: "XX", station: "STA", location: "", channel: "HHZ")
  let n = SourceIdentifier(network: "XX", station: "STA", location: "00", channel: "HHN")

  func segment(_ source: SourceIdentifier, start: Int64, rate: Double = 100, _ samples: Samples)
    -> Segment
  {
    Segment(
      source: source, startTime: Timestamp(nanoseconds: start), samplingRate: rate, samples: samples
    )
  }

  @Test func storesAndReadsBackSamplesOfEveryType() throws {
    let store = try SeisStore()
    let segments = [
      segment(z, start: 0, .int32([1, -2, Int32.max, Int32.min])),
      segment(z, start: 10_000_000_000, .float32([1.5, .nan, -.infinity])),
      segment(n, start: 5_000_000_000, rate: 40, .float64([Double.pi, -0.0, 1e300])),
    ]
    let outcome = try store.storeFile(
      path: "a.mseed", size: 10, sha256: "aa", format: .miniSEED, segments: segments)
    guard case .stored(_, 3) = outcome else {
      Issue.record("\(outcome)")
      return
    }
    let zBack = try store.segments(
      of: z, from: Timestamp(nanoseconds: -1), to: Timestamp(nanoseconds: 20_000_000_000))
    #expect(zBack.count == 2)
    #expect(zBack[0] == segments[0])
    // NaN != NaN, so compare bit patterns.
    if case .float32(let v) = zBack[1].samples {
      #expect(v.map(\.bitPattern) == [Float(1.5), .nan, -.infinity].map(\.bitPattern))
    } else {
      Issue.record("type changed")
    }
    #expect(
      try store.segments(of: n, from: .init(nanoseconds: 0), to: .init(nanoseconds: 10_000_000_000))
        == [segments[2]])
  }

  @Test func segmentsOverlapQueryKeepsOnlyOverlappingOnesInTimeOrder() throws {
    let store = try SeisStore()
    // Three 1 s segments at 100 Hz: [0, 0.99], [2, 2.99], [4, 4.99] seconds.
    let s = (0..<3).map { i in
      segment(z, start: Int64(i) * 2_000_000_000, .int32([Int32](repeating: Int32(i), count: 100)))
    }
    try store.storeFile(
      path: "b", size: 1, sha256: "b1", format: .miniSEED, segments: [s[2], s[0]])
    try store.storeFile(path: "c", size: 1, sha256: "c1", format: .miniSEED, segments: [s[1]])
    func query(_ a: Double, _ b: Double) throws -> [Int32] {
      try store.segments(of: z, from: Timestamp(seconds: a), to: Timestamp(seconds: b)).map {
        if case .int32(let v) = $0.samples { return v[0] }
        return -1
      }
    }
    #expect(try query(-10, 10) == [0, 1, 2])
    #expect(try query(0.995, 1.99) == [])
    #expect(try query(0.99, 2.0) == [0, 1])
    #expect(try query(3, 3.5) == [])
    #expect(try query(4.5, 4.6) == [2])
    #expect(
      try store.segments(of: n, from: Timestamp(seconds: -10), to: Timestamp(seconds: 10)).isEmpty)
  }

  @Test func channelsListEveryCodeWithItsRates() throws {
    let store = try SeisStore()
    try store.storeFile(
      path: "a", size: 1, sha256: "1", format: .sac,
      segments: [
        segment(z, start: 0, rate: 100, .float32([1])),
        segment(z, start: 9, rate: 50, .float32([1])),
        segment(n, start: 0, rate: 40, .float32([1])),
      ])
    let channels = try store.channels()
    #expect(channels.map(\.source) == [z, n])
    #expect(channels.map(\.samplingRates) == [[50, 100], [40]])
  }

  @Test func duplicateContentIsSkipped() throws {
    let store = try SeisStore()
    let s = [segment(z, start: 0, .int32([1, 2, 3]))]
    #expect(
      try store.storeFile(path: "first", size: 3, sha256: "same", format: .miniSEED, segments: s)
        == .stored(fileID: 1, segmentCount: 1))
    #expect(
      try store.storeFile(path: "second", size: 3, sha256: "same", format: .miniSEED, segments: s)
        == .alreadyStored(path: "first"))
    #expect(try store.segmentSummaries().count == 1)
    #expect(try store.sourceFiles().map(\.path) == ["first"])
  }

  /// `check` recomputes every segment's end from its start, rate and count: an end that
  /// disagrees (an edited or damaged row) is named, with both times.
  @Test func checkNamesASegmentWhoseEndDisagreesWithItsSamples() throws {
    let store = try SeisStore()
    _ = try store.storeFile(
      path: "f", size: 1, sha256: "f", format: .miniSEED,
      segments: [segment(n, start: 0, rate: 40, .int32([1, 2, 3, 4, 5]))])
    #expect(try store.check().isEmpty)
    try store.writer.write { db in
      try db.execute(sql: "UPDATE segment SET end_ns = end_ns + 5000000000")
    }
    let problems = try store.check()
    #expect(problems.count == 1)
    #expect(problems.first?.hasPrefix("segment 1: ends at ") == true)
    #expect(problems.first?.contains("but 5 samples at 40.0 Hz") == true)
    // Damaged rows whose end cannot even be computed are named, not trapped on.
    try store.writer.write { db in
      try db.execute(sql: "UPDATE segment SET sampling_rate = 1e-10")
    }
    #expect(try store.check().first?.contains("end beyond the years a store holds") == true)
    try store.writer.write { db in
      try db.execute(
        sql:
          "UPDATE segment SET sampling_rate = 40, start_ns = 9223372036854000000, end_ns = 9223372036854775807"
      )
    }
    #expect(try store.check().first?.contains("end beyond the years a store holds") == true)
    try store.writer.write { db in
      try db.execute(sql: "UPDATE segment SET start_ns = 0, end_ns = 9223372036854775807")
    }
    #expect(try store.check().first?.contains("ends at ") == true)
  }

  @Test func fileFailingMidInsertLeavesNothing() throws {
    let store = try SeisStore()
    // The second segment's NaN rate violates NOT NULL/CHECK after the file row, a new channel
    // and the first segment were inserted.
    let bad = [
      segment(n, start: 0, .int32([1, 2])), segment(z, start: 0, rate: .nan, .int32([3])),
    ]
    #expect(throws: DatabaseError.self) {
      try store.storeFile(path: "bad", size: 2, sha256: "bad", format: .miniSEED, segments: bad)
    }
    #expect(try store.sourceFiles().isEmpty)
    #expect(try store.channels().isEmpty)
    #expect(try store.segmentSummaries().isEmpty)
    #expect(try store.check().isEmpty)
  }

  @Test func aFileFailingInsideAGroupLeavesNothingWhileTheRestOfTheGroupIsStored() throws {
    let store = try SeisStore()
    func file(_ name: String, sha: String, _ segments: [Segment]) -> FileToStore {
      FileToStore(
        path: name, size: 1, sha256: sha, format: .miniSEED,
        segments: segments.map(EncodedSegment.init))
    }
    // "bad" inserts its file row, a new channel (n) and a segment before its NaN rate fails;
    // "after" then needs channel n again, which the rollback removed.
    let outcomes = try store.storeFiles([
      file("good", sha: "1", [segment(z, start: 0, .int32([1, 2]))]),
      file(
        "bad", sha: "2",
        [segment(n, start: 0, .int32([1])), segment(z, start: 9, rate: .nan, .int32([3]))]),
      file("after", sha: "3", [segment(n, start: 5, .float32([4]))]),
      file("copy", sha: "1", [segment(z, start: 0, .int32([1, 2]))]),
    ])
    #expect(try outcomes[0].get() == .stored(fileID: 1, segmentCount: 1))
    #expect(throws: DatabaseError.self) { try outcomes[1].get() }
    #expect(try outcomes[2].get() == .stored(fileID: 2, segmentCount: 1))
    #expect(try outcomes[3].get() == .alreadyStored(path: "good"))
    #expect(try store.sourceFiles().map(\.path) == ["good", "after"])
    let summaries = try store.segmentSummaries()
    #expect(summaries.map(\.filePath) == ["good", "after"])
    #expect(try store.channels().map(\.source) == [z, n])
    #expect(try store.check().isEmpty)
  }

  @Test func schemaRefusesBlobsThatDisagreeWithSampleCount() throws {
    let store = try SeisStore()
    try store.storeFile(
      path: "a", size: 1, sha256: "1", format: .miniSEED,
      segments: [segment(z, start: 0, .float32([1])), segment(n, start: 0, .int32([1]))])
    // A raw float32 blob must be 4 bytes per sample.
    #expect(throws: DatabaseError.self) {
      try store.writer.write { db in
        try db.execute(sql: "UPDATE segment SET samples = x'0000' WHERE sample_type = 'float32'")
      }
    }
    // A delta blob holds at least a width byte per 16 samples and at most 4 bytes a sample more.
    for blob in ["x''", "x'010203040506'"] {
      #expect(throws: DatabaseError.self) {
        try store.writer.write { db in
          try db.execute(
            sql: "UPDATE segment SET samples = \(blob) WHERE sample_encoding = 'int32-delta'")
        }
      }
    }
    // A float32 blob is never Int32 deltas.
    #expect(throws: DatabaseError.self) {
      try store.writer.write { db in
        try db.execute(
          sql: """
            UPDATE segment SET sample_encoding = 'int32-delta', samples = x'0102'
            WHERE sample_type = 'float32'
            """)
      }
    }
  }

  @Test func checkReportsBadBlobsAndOrphans() throws {
    let store = try SeisStore()
    try store.storeFile(
      path: "a", size: 1, sha256: "1", format: .miniSEED,
      segments: [segment(z, start: 0, .float32([1, 2])), segment(n, start: 0, .int32([1, 2]))])
    #expect(try store.check().isEmpty)
    try store.writer.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      try db.execute(sql: "UPDATE segment SET samples = x'00000000' WHERE sample_type = 'float32'")
      // Within the schema's length range, but a width byte of 9 and bytes left over.
      try db.execute(sql: "UPDATE segment SET samples = x'0900' WHERE sample_type = 'int32'")
      try db.execute(sql: "UPDATE segment SET channel_id = 99 WHERE sample_type = 'float32'")
    }
    let problems = try store.check()
    #expect(problems.count == 3, "\(problems)")
    #expect(
      problems.contains { $0.contains("raw blob of 4 bytes disagrees with 2 float32 samples") })
    #expect(problems.contains { $0.contains("block width 9 at byte 0 is above 4") })
    #expect(problems.contains { $0.hasPrefix("orphan: segment") })
  }

  @Test func samplesAreStoredAsDeltasWhenThatIsSmaller() throws {
    let store = try SeisStore()
    let counts = (0..<1000).map { Int32(truncatingIfNeeded: ($0 * 37) % 200 - 100) }
    let e = SourceIdentifier(network: "XX", station: "STA", location: "00", channel: "HHE")
    let floats = (0..<1000).map { 400 * sin(Float($0) / 20) + Float($0 % 7) / 3 }
    try store.storeFile(
      path: "a", size: 1, sha256: "1", format: .miniSEED,
      segments: [
        segment(z, start: 0, .int32(counts)), segment(n, start: 0, .float32([1, 2, 3])),
        segment(e, start: 0, .float32(floats)), segment(e, start: 99_000_000_000, .float64([1])),
      ])
    let rows = try store.writer.read { db in
      try Row.fetchAll(
        db, sql: "SELECT sample_type, sample_encoding, length(samples) FROM segment ORDER BY id")
    }
    #expect(rows.map { $0[1] as String } == ["int32-delta", "raw", "float32-delta", "raw"])
    // Deltas of up to 200 fit 2 bytes; raw would take 4000.
    #expect((rows[0][2] as Int) < 2100)
    // Three samples whose keys jump by millions: raw (12 bytes) is smaller than a 4-byte block.
    #expect((rows[1][2] as Int) == 12)
    // Floats that cross zero twice: about 3 bytes a sample where raw takes 4.
    #expect((rows[2][2] as Int) < 3500)
    #expect(try store.check().isEmpty)
    let window = (Timestamp(nanoseconds: 0), Timestamp(nanoseconds: 0))
    #expect(
      try store.segments(of: z, from: window.0, to: window.1).first?.samples == .int32(counts))
    #expect(
      try store.segments(of: e, from: window.0, to: window.1).first?.samples == .float32(floats))
  }

  /// A store at `path` as an earlier version left it: migrated up to `migration`, holding
  /// channel XX.STA..HHZ, file `a.mseed` (id 1) and the segment row `segment` inserts.
  static func oldStore(at path: String, upTo migration: String, segment: String) throws {
    let queue = try DatabaseQueue(path: path)
    try SeisStore.migrator.migrate(queue, upTo: migration)
    try queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO channel (id, network, station, location, channel)
            VALUES (1, 'XX', 'STA', '', 'HHZ');
          INSERT INTO source_file (id, path, size, sha256, format, ingested_at)
            VALUES (1, 'a.mseed', 8, 'aa', 'mseed', '2026-01-01T00:00:00.000000Z');
          """ + segment)
    }
    try queue.close()
  }

  /// A store written before migration 0005 (raw blobs only) opens, migrates and reads back the
  /// same samples, ids and checks.
  @Test func storesFromBeforeDeltaEncodingMigrate() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("old.sqlite").path
    try Self.oldStore(
      at: path, upTo: "0004-runs",
      segment: """
        INSERT INTO segment (id, file_id, channel_id, start_ns, end_ns, sampling_rate,
                             sample_count, sample_type, samples)
          VALUES (7, 1, 1, 0, 10000000, 100, 2, 'int32', x'01000000feffffff');
        """)
    let store = try SeisStore(path: path)
    #expect(try store.check().isEmpty)
    #expect(try store.segment(id: 7)?.samples == .int32([1, -2]))
    let encoding = try store.writer.read { db in
      try String.fetchOne(db, sql: "SELECT sample_encoding FROM segment WHERE id = 7")
    }
    #expect(encoding == "raw")
    // New segments get ids after the old ones.
    try store.storeFile(
      path: "b", size: 1, sha256: "bb", format: .miniSEED,
      segments: [segment(z, start: 20_000_000, .int32([5]))])
    #expect(try store.segmentSummaries().map(\.id) == [7, 8])
  }

  /// A segment's MiniSEED data quality is stored with it (migration 0009) and read back by
  /// every way of reading segments; a SAC segment has none, and SQLite refuses a quality
  /// MiniSEED 2 does not know.
  @Test func aSegmentsDataQualityIsStoredAndReadBack() throws {
    let store = try SeisStore()
    var checked = segment(z, start: 0, .int32([1, 2, 3]))
    checked.quality = "Q"
    var modified = segment(z, start: 1_000_000_000, .int32([4, 5]))
    modified.quality = "M"
    let plain = segment(n, start: 0, .float32([1, 2]))
    try store.storeFile(
      path: "q.mseed", size: 1, sha256: "qq", format: .miniSEED,
      segments: [checked, modified, plain])
    let stored = try store.writer.read { db in
      try String?.fetchAll(db, sql: "SELECT quality FROM segment ORDER BY id")
    }
    #expect(stored == ["Q", "M", nil])
    #expect(try store.segment(id: 1) == checked)
    #expect(try store.segment(id: 2)?.quality == "M")
    #expect(try store.segment(id: 3)?.quality == nil)
    let window = (Timestamp(nanoseconds: -1), Timestamp(nanoseconds: 2_000_000_000))
    #expect(try store.segments(of: z, from: window.0, to: window.1) == [checked, modified])
    #expect(
      Set(try store.segments(fileSHA256: "qq").map { $0.quality.map(String.init) ?? "-" })
        == ["Q", "M", "-"])
    #expect(throws: DatabaseError.self) {
      try store.writer.write { db in
        try db.execute(sql: "UPDATE segment SET quality = 'X' WHERE id = 1")
      }
    }
    #expect(try store.check().isEmpty)
  }

  /// A store written before migration 0009 opens and migrates: its segments have no quality
  /// (`traces export` writes them as `D`), and segments stored afterwards keep theirs.
  @Test func storesFromBeforeSegmentQualityMigrateWithNoQuality() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("old.sqlite").path
    try Self.oldStore(
      at: path, upTo: "0008-resolved-paths",
      segment: """
        INSERT INTO segment (id, file_id, channel_id, start_ns, end_ns, sampling_rate,
                             sample_count, sample_type, sample_encoding, samples)
          VALUES (7, 1, 1, 0, 10000000, 100, 2, 'int32', 'raw', x'01000000feffffff');
        """)
    let store = try SeisStore(path: path)
    #expect(try store.check().isEmpty)
    let old = try #require(try store.segment(id: 7))
    #expect(old.samples == .int32([1, -2]) && old.quality == nil)
    var new = segment(z, start: 20_000_000, .int32([5]))
    new.quality = "R"
    try store.storeFile(path: "b", size: 1, sha256: "bb", format: .miniSEED, segments: [new])
    #expect(try store.segment(id: 8)?.quality == "R")
  }

  @Test func fileStoreMigratesAndKeepsDataAcrossOpenings() throws {
    let dir = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    do {
      let store = try SeisStore(path: path)
      try store.storeFile(
        path: "a", size: 1, sha256: "1", format: .miniSEED,
        segments: [segment(z, start: 0, .int32([7]))])
    }
    let again = try SeisStore(path: path)
    #expect(try again.segmentSummaries().map(\.sampleCount) == [1])
    let journal = try again.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode")
    }
    #expect(journal == "wal")
  }

  @Test func blobsAreLittleEndian() throws {
    #expect([UInt8](SampleBlob.encode(.int32([1, -2]))) == [1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF])
    #expect([UInt8](SampleBlob.encode(.float64([1]))) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    #expect(throws: SampleBlob.Error.self) {
      try SampleBlob.decode(Data([1, 2, 3]), type: .int32, count: 1)
    }
    // A count from a damaged row whose byte size overflows is refused, not trapped on.
    #expect(throws: SampleBlob.Error.self) {
      try SampleBlob.decode(Data([1, 2, 3, 4]), type: .float64, count: Int.max / 4)
    }
  }
}

/// The Int32 delta encoding (`SampleEncoding.int32Delta`): layout, round trips over every
/// block width and wrap-around, and refusal of damaged blobs.
@Suite struct SampleBlobDeltaTests {
  func roundTrip(_ values: [Int32]) throws -> Data? {
    guard let blob = values.withUnsafeBufferPointer({ SampleBlob.encodeDeltas($0) }) else {
      return nil
    }
    let back = try SampleBlob.decode(blob, type: .int32, count: values.count, encoding: .int32Delta)
    #expect(back == .int32(values))
    return blob
  }

  /// The layout written the plain way: per block of 16, the width byte of the largest zigzag
  /// delta, then each zigzag delta in that many little-endian bytes.
  func referenceBlocks(_ words: [UInt32]) -> [UInt8] {
    var bytes: [UInt8] = []
    var previous: UInt32 = 0
    for start in stride(from: 0, to: words.count, by: 16) {
      let zigzags = words[start..<min(start + 16, words.count)].map { word -> UInt32 in
        let delta = Int32(bitPattern: word &- previous)
        previous = word
        return UInt32(bitPattern: (delta << 1) ^ (delta >> 31))
      }
      var width = 0
      while let top = zigzags.max(), width < 4, top >> (8 * width) != 0 { width += 1 }
      bytes.append(UInt8(width))
      for z in zigzags {
        for b in 0..<width { bytes.append(UInt8(truncatingIfNeeded: z >> (8 * b))) }
      }
    }
    return bytes
  }

  @Test func vectorBlocksMatchThePlainLayout() throws {
    // Blocks of every width, whole and cut short, after a first block.
    var values: [Int32] = []
    for magnitude: Int32 in [0, 50, 20_000, 3_000_000, 1_000_000_000, 0, 7] {
      for j in 0..<21 { values.append(j % 2 == 0 ? magnitude : -magnitude / 3) }
    }
    for length in [16, 17, 32, 47, 48, values.count] {
      let slice = Array(values.prefix(length))
      let blob = try #require(try roundTrip(slice))
      #expect([UInt8](blob) == referenceBlocks(slice.map { UInt32(bitPattern: $0) }))
    }
  }

  @Test func layoutIsWidthByteThenZigzagDeltasPerBlockOf16() throws {
    // Deltas 1, -3 -> zigzag 2, 5: one block of width 1.
    #expect(try roundTrip([1, -2]).map { [UInt8]($0) } == [1, 2, 5])
    // 17 equal samples: a block of width 1 (the first delta, 7 -> zigzag 14, then 15 zeros)
    // and a block of one sample of width 0.
    #expect(
      try roundTrip([Int32](repeating: 7, count: 17)).map { [UInt8]($0) }
        == [1, 14] + [UInt8](repeating: 0, count: 15) + [0])
    // Delta 300 -> zigzag 600 = 0x0258, two little-endian bytes.
    #expect(try roundTrip([300]).map { [UInt8]($0) } == [2, 0x58, 0x02])
  }

  @Test func everyWidthAndLengthRoundTrips() throws {
    var generator = SystemRandomNumberGenerator()
    for length in [1, 2, 15, 16, 17, 31, 32, 33, 1000, 4097] {
      for scale: Int32 in [0, 60, 30_000, 4_000_000] {
        let values = (0..<length).map { _ in Int32.random(in: -scale...scale, using: &generator) }
        let walk = values.reduce(into: [Int32]()) { $0.append(($0.last ?? 0) &+ $1) }
        _ = try roundTrip(walk)
      }
    }
  }

  @Test func anyRangeDecodesToTheSameSamplesAsTheWholeBlobSliced() throws {
    var generator = SeededGenerator(seed: 21)
    let walk = (0..<1000).reduce(into: [Int32]()) {
      $0.append(($0.last ?? 0) &+ Int32(generator.next() % 2001) &- 1000 &* Int32($1 % 3))
    }
    let floats = walk.map { Float($0) * 0.37 }
    for samples in [Samples.int32(walk), .float32(floats), .float64(floats.map(Double.init))] {
      for encoding in [SampleEncoding.raw, .int32Delta, .float32Delta]
      where encoding.sampleType == nil || encoding.sampleType == samples.sampleType {
        let blob: Data
        if encoding == .raw {
          blob = SampleBlob.encode(samples)
        } else {
          let compact = SampleBlob.encodeCompact(samples)
          #expect(compact.encoding == encoding)
          blob = compact.blob
        }
        let type = samples.sampleType
        let whole = try SampleBlob.decode(blob, type: type, count: 1000, encoding: encoding)
        for range in [0..<1000, 0..<1, 15..<17, 16..<32, 333..<334, 500..<1000, 999..<1000, 7..<7] {
          let part = try SampleBlob.decode(
            blob, type: type, count: 1000, encoding: encoding, range: range)
          switch (whole, part) {
          case (.int32(let w), .int32(let p)): #expect(Array(w[range]) == p, "\(range)")
          case (.float32(let w), .float32(let p)):
            #expect(Array(w[range]).map(\.bitPattern) == p.map(\.bitPattern), "\(range)")
          case (.float64(let w), .float64(let p)): #expect(Array(w[range]) == p, "\(range)")
          default: Issue.record("\(encoding): the range changed the sample type")
          }
        }
        #expect(throws: SampleBlob.Error.self) {
          try SampleBlob.decode(
            blob, type: type, count: 1000, encoding: encoding, range: 990..<1001)
        }
      }
    }
  }

  @Test func extremesWrapAround() throws {
    let values: [Int32] = [Int32.min, Int32.max, Int32.min, 0, -1, 0, Int32.max, Int32.max]
    // Full-range jumps take 4 bytes: not smaller than raw, so ingest stores them raw.
    #expect(try roundTrip(values) == nil)
    let padded = values + [Int32](repeating: Int32.max, count: 64)
    let blob = try #require(try roundTrip(padded))
    #expect(blob.count < padded.count * 4)
    #expect(SampleBlob.encodeCompact(.int32(values)).encoding == .raw)
    #expect(SampleBlob.encodeCompact(.float32([1, 1, 1])).encoding == .raw)
  }

  @Test func floatsRoundTripBitForBit() throws {
    let specials: [Float] = [
      0, -0.0, 1, -1, .infinity, -.infinity, .nan, -.nan, Float(bitPattern: 0x7FC0_1234),
      .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude,
      -.greatestFiniteMagnitude, 1e-30, -1e-30,
    ]
    var generator = SystemRandomNumberGenerator()
    var walk: [Float] = []
    var x: Float = 0
    for _ in 0..<3000 {
      x += Float.random(in: -5...5, using: &generator)
      walk.append(x)  // crosses zero now and then
    }
    for values in [specials, walk, specials + walk + specials] {
      let (encoding, blob) = SampleBlob.encodeCompact(.float32(values))
      let keys = values.map { UInt32(bitPattern: SampleBlob.orderedKey($0.bitPattern)) }
      if encoding == .float32Delta {
        #expect([UInt8](blob) == referenceBlocks(keys))
      }
      let back = try SampleBlob.decode(
        blob, type: .float32, count: values.count, encoding: encoding)
      guard case .float32(let floats) = back else {
        Issue.record("\(back)")
        continue
      }
      #expect(floats.map(\.bitPattern) == values.map(\.bitPattern))
    }
    // The keys order like the floats they come from.
    let sorted = (specials.filter { !$0.isNaN } + walk).sorted()
    func key(_ value: Float) -> Int32 { SampleBlob.orderedKey(value.bitPattern) }
    #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0 == $1 || key($0) < key($1) })
  }

  @Test func damagedBlobsAreRefusedNotMisread() throws {
    let good = try #require(try roundTrip((0..<40).map { Int32($0 * $0) }))
    let bytes = [UInt8](good)
    let damaged: [(String, [UInt8])] = [
      ("ends inside", Array(bytes.prefix(1))),
      ("ends inside", Array(bytes.dropLast())),
      ("after 40 samples", bytes + [0]),
      ("above 4", [5] + bytes.dropFirst()),
      ("ends before", []),
    ]
    for (reason, blob) in damaged {
      #expect {
        try SampleBlob.decode(Data(blob), type: .int32, count: 40, encoding: .int32Delta)
      } throws: { error in
        "\(error)".contains(reason)
      }
    }
    #expect(throws: SampleBlob.Error.self) {
      try SampleBlob.decode(good, type: .float32, count: 40, encoding: .int32Delta)
    }
    // Random bytes either decode to exactly `count` samples or throw; nothing crashes.
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      let blob = Data(
        (0..<Int.random(in: 0...40, using: &generator)).map { _ in
          UInt8.random(in: 0...6, using: &generator)
        })
      let count = Int.random(in: 0...40, using: &generator)
      if let samples = try? SampleBlob.decode(
        blob, type: .int32, count: count, encoding: .int32Delta)
      {
        #expect(samples.count == count)
      }
    }
  }
}
