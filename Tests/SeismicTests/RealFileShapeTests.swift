import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Files shaped like the real files of ObsPy's test data that seiscluster once missed (issue 17,
/// items 1-5): `fixtures/readers/`, made by `tools/make_reader_fixtures.py`, with what ObsPy
/// 1.5.1 reads from each in `expected.json`.
@Suite struct RealFileShapeTests {
  struct ExpectedTrace: Decodable {
    var id: String
    var start_ns: Int64
    var sampling_rate: Double
    var dtype: String
    var samples: [Double]
  }

  struct Expected: Decodable {
    var files: [String: [ExpectedTrace]]
  }

  static let folder = TestPaths.fixtures.appendingPathComponent("readers")

  static func expected() throws -> Expected {
    let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
    return try JSONDecoder().decode(Expected.self, from: data)
  }

  static func read(_ name: String) throws -> WaveformContents {
    try WaveformReader.read(contentsOf: folder.appendingPathComponent(name))
  }

  static let files = [
    "nul-sequence-numbers.mseed", "leading-noise-blocks.mseed", "non-ascii-location.mseed",
    "space-in-channel.mseed", "alphanumeric.sac", "no-samples.sac", "sub-microsecond-start.sac",
  ]

  /// ObsPy's SAC reader rounds DELTA to whole microseconds; the header's float32 DELTA is the
  /// truth here (see OracleTests).
  static func sameRate(ours: Double, obspy: Double, sac: Bool) -> Bool {
    if ours == obspy { return true }
    guard sac else { return false }
    return abs(1.0 / ((1e6 / ours).rounded() / 1e6) - obspy) <= 1e-9 * obspy
  }

  @Test(arguments: files)
  func eachFileReadsAsObsPyReadsIt(name: String) throws {
    let traces = try #require(try Self.expected().files[name])
    let contents = try Self.read(name)
    let withSamples = traces.filter { !$0.samples.isEmpty }
    #expect(contents.segments.count == withSamples.count, "\(name): \(contents.notes)")
    for (segment, trace) in zip(contents.segments, withSamples) {
      // ObsPy strips leading spaces from codes (" cp" reads as "cp"); the file holds them.
      #expect(
        segment.source.id == trace.id
          || segment.source.id.replacingOccurrences(of: " ", with: "") == trace.id, "\(name)")
      #expect(segment.startTime.nanoseconds == trace.start_ns, "\(name)")
      #expect(
        Self.sameRate(
          ours: segment.samplingRate, obspy: trace.sampling_rate, sac: name.hasSuffix(".sac")),
        "\(name): \(segment.samplingRate) vs \(trace.sampling_rate)")
      #expect(segment.samples.sampleType.rawValue == trace.dtype, "\(name)")
      #expect(segment.samples.doubles == trace.samples, "\(name)")
    }
  }

  @Test func aRecordWhoseSequenceNumberIsAllNULsIsMiniSEED() throws {
    var bytes = [UInt8](
      try Data(contentsOf: Self.folder.appendingPathComponent("nul-sequence-numbers.mseed")))
    let format = try bytes.withUnsafeBytes { try FormatDetection.detect($0) }
    #expect(format == .miniSEED)
    // Without a digit, a header with an impossible date is not taken for SEED.
    bytes[20] = 0xFF
    bytes[21] = 0xFF
    #expect(bytes.withUnsafeBytes { FormatDetection.looksLikeSEEDHeader($0) } == false)
  }

  @Test func blankNoiseBlocksBeforeTheFirstRecordAreSkipped() throws {
    let contents = try Self.read("leading-noise-blocks.mseed")
    #expect(contents.segments.map(\.source.station) == ["NV30", "NV31"])
    #expect(contents.notes.contains { $0.contains("blank (noise) block") })
    // A file of noise blocks alone holds no record.
    var noise = [UInt8]()
    for _ in 0..<3 { noise += Array("000001".utf8) + [UInt8](repeating: 32, count: 122) }
    let detected = noise.withUnsafeBytes { try? FormatDetection.detect($0) }
    #expect(detected == nil)
  }

  @Test func aLeadingSpaceInAChannelCodeIsKeptAsTheFileHoldsIt() throws {
    let contents = try Self.read("space-in-channel.mseed")
    #expect(contents.segments.map(\.source.channel) == [" cp"])
    #expect(contents.segments.map(\.source.network) == [""])
  }

  @Test func nonASCIICodeBytesAreDroppedAsObsPyDropsThemAndSaidSo() throws {
    let contents = try Self.read("non-ascii-location.mseed")
    #expect(contents.segments.first?.source.location == "A")
    #expect(contents.notes.contains { $0.contains("not ASCII") })
  }

  @Test func aSACFileWithoutSamplesStoresNoSegmentAndSaysSo() throws {
    let contents = try Self.read("no-samples.sac")
    #expect(contents.segments.isEmpty)
    #expect(contents.notes.contains { $0.contains("no samples") })
  }

  /// Item 5: codes read from MiniSEED 2 (a leading space, a blank network) go back into it.
  @Test(arguments: files.filter { $0.hasSuffix(".mseed") })
  func segmentsReadFromMiniSEEDAreWrittenBackWithTheirCodesAndSamples(name: String) throws {
    for segment in try Self.read(name).segments {
      var written = [UInt8](try MiniSEEDWriter.encode(segment))
      let back = try written.withUnsafeMutableBytes { try MiniSEEDReader.read($0) }
      #expect(back.segments.count == 1)
      #expect(back.segments.first?.source == segment.source, "\(name)")
      #expect(back.segments.first?.samples == segment.samples, "\(name)")
      #expect(back.segments.first?.startTime == segment.startTime, "\(name)")
    }
  }

  @Test func codesWithATrailingSpaceOrNonASCIIDoNotFitMiniSEED2() {
    func fits(_ channel: String) -> Bool {
      MiniSEEDWriter.codesFit(
        SourceIdentifier(network: "", station: "mart", location: "10", channel: channel))
    }
    #expect(fits(" cp"))
    #expect(fits("HHZ"))
    #expect(!fits("cp "))
    #expect(!fits("HHZZ"))
    #expect(!fits("H\u{F0}Z"))
  }

  @Test func miniSEEDStartTimesAreRoundedToTheNearestMicrosecondAsObsPyWritesThem() throws {
    let segment = try #require(try Self.read("sub-microsecond-start.sac").segments.first)
    #expect(segment.startTime.nanoseconds == 1_073_117_769_070_989_990)
    var written = [UInt8](try MiniSEEDWriter.encode(segment))
    let back = try written.withUnsafeMutableBytes { try MiniSEEDReader.read($0) }
    #expect(back.segments.first?.startTime.nanoseconds == 1_073_117_769_070_990_000)
  }

  @Test func alphanumericSACReadsIntoTheSameSegmentAsBinarySAC() throws {
    let text = try #require(try Self.read("alphanumeric.sac").segments.first)
    var binary = [UInt8](try SACWriter.encode(text))
    let back = try binary.withUnsafeMutableBytes { try WaveformReader.read($0) }
    #expect(back.segments == [text])
  }

  @Test func alphanumericSACWhoseSamplesDisagreeWithNPTSIsRefusedByName() throws {
    let url = Self.folder.appendingPathComponent("alphanumeric.sac")
    let original = try String(contentsOf: url, encoding: .utf8)
    func reason(_ text: String) -> String? {
      var bytes = Array(text.utf8)
      do {
        _ = try bytes.withUnsafeMutableBytes { try WaveformReader.read($0, path: "a.sac") }
        return nil
      } catch {
        return (error as? WaveformFileError)?.reason
      }
    }
    #expect(reason(original) == nil)
    #expect(
      reason(original + " 1.0\n")?.contains("26 samples disagree with the header's NPTS 25") == true
    )
    #expect(reason(original + " x\n")?.contains("'x' is not a number") == true)
    let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(
      reason(lines.prefix(25).joined(separator: "\n"))?.contains("not MiniSEED or SAC") == true)
  }
}
