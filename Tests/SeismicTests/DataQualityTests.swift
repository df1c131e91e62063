import Foundation
import TestSupport
import Testing

@testable import Seismic

/// MiniSEED data quality (`D`, `R`, `Q`, `M`) kept on read and written back:
/// `fixtures/quality/`, made by `tools/make_quality_fixtures.py`, with what ObsPy 1.5.1 reads
/// from it in `expected.json`.
@Suite struct DataQualityTests {
  struct ExpectedTrace: Decodable {
    var id: String
    var quality: String
    var start_ns: Int64
    var sampling_rate: Double
    var sample_count: Int
    var samples: [Int32]
  }

  struct Expected: Decodable {
    var file: String
    var traces: [ExpectedTrace]
  }

  static let folder = TestPaths.fixtures.appendingPathComponent("quality")

  static func expected() throws -> Expected {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    return try JSONDecoder().decode(Expected.self, from: data)
  }

  static func fixture() throws -> WaveformContents {
    try MiniSEEDReader.read(contentsOf: folder.appendingPathComponent(try expected().file))
  }

  /// The data quality byte of every record in `data` (byte 6 of each fixed header).
  static func recordQualities(_ data: Data, recordLength: Int = Int(MiniSEEDWriter.recordLength))
    -> [Character]
  {
    let bytes = [UInt8](data)
    return stride(from: 0, to: bytes.count, by: recordLength).map {
      Character(Unicode.Scalar(bytes[$0 + 6]))
    }
  }

  static func readBack(_ data: Data) throws -> WaveformContents {
    var bytes = [UInt8](data)
    return try bytes.withUnsafeMutableBytes { try MiniSEEDReader.read($0) }
  }

  /// Records of one channel that follow each other without a gap stay apart when their quality
  /// differs and join when it is the same, as in ObsPy: D, R+R, Q, M.
  @Test func eachQualityIsASegmentOfItsOwnAsObsPyReadsIt() throws {
    let expected = try Self.expected()
    let segments = try Self.fixture().segments
    #expect(segments.map(\.quality) == ["D", "R", "Q", "M"])
    try #require(segments.count == expected.traces.count)
    for (segment, trace) in zip(segments, expected.traces) {
      #expect(segment.source.id == trace.id)
      #expect(segment.quality.map { String($0) } == trace.quality)
      #expect(segment.startTime.nanoseconds == trace.start_ns)
      #expect(segment.samplingRate == trace.sampling_rate)
      #expect(segment.sampleCount == trace.sample_count)
      #expect(segment.samples == .int32(trace.samples))
    }
  }

  /// Every record written carries the segment's quality, and reads back as it.
  @Test func theWriterWritesEachSegmentsQuality() throws {
    for segment in try Self.fixture().segments {
      let data = try MiniSEEDWriter.encode(segment)
      let quality = try #require(segment.quality)
      #expect(Self.recordQualities(data) == [quality])
      let back = try Self.readBack(data)
      #expect(back.segments == [segment])
    }
    // Long enough for several records: every one carries it.
    let long = Segment(
      source: SourceIdentifier(network: "XX", station: "LONG", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
      samples: .float64((0..<2000).map { Double($0) }), quality: "Q")
    let data = try MiniSEEDWriter.encode(long)
    let qualities = Self.recordQualities(data)
    #expect(qualities.count > 2 && qualities.allSatisfy { $0 == "Q" })
    #expect(try Self.readBack(data).segments == [long])
  }

  /// A segment without a quality (SAC, a store row from before migration 0009) is written as
  /// `D`; a quality MiniSEED 2 does not know is refused, since no reader would read the record.
  @Test func noQualityIsWrittenAsDAndAnUnknownOneIsRefused() throws {
    var segment = Segment(
      source: SourceIdentifier(network: "XX", station: "SAC", location: "", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 20, samples: .int32([1, 2, 3]))
    let data = try MiniSEEDWriter.encode(segment)
    #expect(Self.recordQualities(data) == ["D"])
    #expect(try Self.readBack(data).segments.map(\.quality) == ["D"])
    segment.quality = "X"
    #expect(throws: WaveformFileError.self) { try MiniSEEDWriter.encode(segment) }
  }
}
