import Foundation
import GRDB
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

  @Test func schemaRefusesBlobsThatDisagreeWithSampleCount() throws {
    let store = try SeisStore()
    try store.storeFile(
      path: "a", size: 1, sha256: "1", format: .miniSEED,
      segments: [segment(z, start: 0, .int32([1]))])
    #expect(throws: DatabaseError.self) {
      try store.writer.write { db in
        try db.execute(sql: "UPDATE segment SET samples = x'0000'")
      }
    }
  }

  @Test func checkReportsBadBlobsAndOrphans() throws {
    let store = try SeisStore()
    try store.storeFile(
      path: "a", size: 1, sha256: "1", format: .miniSEED,
      segments: [segment(z, start: 0, .int32([1, 2]))])
    #expect(try store.check().isEmpty)
    try store.writer.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      try db.execute(sql: "UPDATE segment SET samples = x'00000000'")
      try db.execute(sql: "UPDATE segment SET channel_id = 99")
    }
    let problems = try store.check()
    #expect(problems.count == 2)
    #expect(problems.contains { $0.contains("blob of 4 bytes disagrees with 2 int32 samples") })
    #expect(problems.contains { $0.hasPrefix("orphan: segment") })
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
  }
}
