import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Gaps, overlaps and out-of-order records become separate segments; nothing is filled.
@Suite(.needsSharedData) struct SegmentationTests {
  /// `test.mseed` holds two 4096-byte Steim-1 records of NL.HGN.00.BHZ, continuous.
  func records() throws -> (first: [UInt8], second: [UInt8], whole: Segment) {
    let url = TestPaths.sharedData.appendingPathComponent("mseed/test.mseed")
    let bytes = try FileBytes.read(path: url.path)
    #expect(bytes.count == 8192)
    let whole = try #require(try MiniSEEDReader.read(contentsOf: url).segments.first)
    return (Array(bytes[0..<4096]), Array(bytes[4096..<8192]), whole)
  }

  func read(_ bytes: [UInt8]) throws -> [Segment] {
    var b = bytes
    return try b.withUnsafeMutableBytes { try MiniSEEDReader.read($0, path: "m") }.segments
  }

  func ints(_ s: Segment) -> [Int32] {
    if case .int32(let v) = s.samples { return v }
    return []
  }

  @Test func continuousRecordsJoinIntoOneSegment() throws {
    let (a, b, whole) = try records()
    #expect(try read(a + b) == [whole])
  }

  @Test func outOfOrderRecordsGiveOneSegmentPerRunInFileOrder() throws {
    let (a, b, whole) = try records()
    let segments = try read(b + a)
    #expect(segments.count == 2)
    let first = try read(a)[0]
    #expect(segments[1] == first)
    #expect(segments[0].startTime > segments[1].startTime)
    #expect(ints(segments[1]) + ints(segments[0]) == ints(whole))
  }

  @Test func anOverlapStartsANewSegmentAndIsNotMerged() throws {
    let (a, b, whole) = try records()
    let segments = try read(a + b + b)
    #expect(segments.count == 2)
    #expect(segments[0] == whole)
    #expect(segments[1] == (try read(b)[0]))
  }

  @Test func aGapIsKeptAsTwoSegments() throws {
    let (a, b, _) = try records()
    var later = b
    // Move the second record's start one minute on: BTIME minute is byte 24 (hour 23, minute 24).
    later[24] = later[24] &+ 1
    let segments = try read(a + later)
    #expect(segments.count == 2)
    #expect(segments[0] == (try read(a)[0]))
    let gap = segments[1].startTime.nanoseconds - segments[0].endTime.nanoseconds
    #expect(gap > 59_000_000_000)
  }
}
