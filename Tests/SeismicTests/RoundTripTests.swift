import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Writing with `MiniSEEDWriter`/`SACWriter` and reading back gives the same segment.
@Suite struct RoundTripTests {
  func readBack(_ data: Data) throws -> WaveformContents {
    var bytes = [UInt8](data)
    return try bytes.withUnsafeMutableBytes { try WaveformReader.read($0, path: "memory") }
  }

  @Test(.needsSharedData) func everyOracleSegmentSurvivesMiniSEEDExactly() throws {
    var checked = 0
    for file in try OracleFile.loadAll() where file.readable {
      for segment in try WaveformReader.read(contentsOf: file.url).segments {
        guard MiniSEEDWriter.codesFit(segment.source) else {
          #expect(throws: WaveformFileError.self) { try MiniSEEDWriter.encode(segment) }
          continue
        }
        let back = try readBack(try MiniSEEDWriter.encode(segment))
        #expect(back.format == .miniSEED)
        guard back.segments.count == 1, let s = back.segments.first else {
          Issue.record("\(file.path) \(segment.source): \(back.segments.count) segments back")
          continue
        }
        #expect(s.source == segment.source, "\(file.path)")
        // MiniSEED 2 keeps time to the microsecond; SAC's B may carry nanoseconds.
        #expect(
          s.startTime.nanoseconds == segment.startTime.nanoseconds.floorDivided(by: 1000).0 * 1000,
          "\(file.path) \(segment.source)")
        // MiniSEED 2 holds a rate as a factor/multiplier or a float32 (blockette 100): a rate
        // from SAC's 1/DELTA may come back to float32 precision; MiniSEED rates come back exact.
        if file.path.hasPrefix("mseed/") {
          #expect(s.samplingRate == segment.samplingRate, "\(file.path) \(segment.source)")
        } else {
          #expect(abs(s.samplingRate - segment.samplingRate) <= 1e-7 * segment.samplingRate)
        }
        #expect(s.samples == segment.samples, "\(file.path) \(segment.source)")
        checked += 1
      }
    }
    #expect(checked >= 100)
  }

  @Test func writerChoosesSteim2OnlyWhereDifferencesFit() {
    #expect(MiniSEEDWriter.encoding(for: .int32([0, 1, -5, 536_870_000, 0, -536_870_912])) == 11)
    #expect(MiniSEEDWriter.encoding(for: .int32([0, 536_870_912])) == 3)
    #expect(MiniSEEDWriter.encoding(for: .int32([Int32.max, Int32.min])) == 3)
    #expect(MiniSEEDWriter.encoding(for: .float32([1])) == 4)
    #expect(MiniSEEDWriter.encoding(for: .float64([1])) == 5)
  }

  @Test func extremeIntegersSurviveAsINT32() throws {
    var values: [Int32] = []
    var g = Int32(7)
    for i in 0..<5000 {
      g = g &* 1_103_515_245 &+ 12345
      values.append(i % 2 == 0 ? g : (i % 3 == 0 ? Int32.max : Int32.min))
    }
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "BIG", location: "00", channel: "HHZ"),
      startTime: Timestamp(nanoseconds: 1_700_000_000_123_456_000), samplingRate: 100,
      samples: .int32(values))
    let back = try readBack(try MiniSEEDWriter.encode(segment))
    // Written without a quality, its records say `D`.
    var written = segment
    written.quality = "D"
    #expect(back.segments == [written])
  }

  @Test func oddRatesAndFloat64SurviveMiniSEED() throws {
    for rate in [0.1, 1.0 / 3.0, 20.000221252441406, 149.99999, 2000.0] {
      let segment = Segment(
        source: SourceIdentifier(network: "XX", station: "R", location: "", channel: "BHZ"),
        startTime: Timestamp(nanoseconds: 1_000_000_000_000_001_000), samplingRate: rate,
        samples: .float64((0..<3000).map { sin(Double($0) * 0.01) * 1e-9 }))
      let back = try readBack(try MiniSEEDWriter.encode(segment))
      #expect(back.segments.first?.samples == segment.samples)
      #expect(back.segments.first?.startTime == segment.startTime)
      let r = try #require(back.segments.first?.samplingRate)
      #expect(abs(r - rate) <= 1e-7 * rate, "rate \(rate) came back as \(r)")
    }
  }

  /// SAC holds float32: a float64 sample beyond its range is refused, not written as `inf`;
  /// one within it is rounded.
  @Test func sacRefusesFloat64SamplesBeyondFloat32() throws {
    let source = SourceIdentifier(network: "BG", station: "F64", location: "", channel: "HHZ")
    func segment(_ values: [Double]) -> Segment {
      Segment(
        source: source, startTime: Timestamp(nanoseconds: 0), samplingRate: 100,
        samples: .float64(values))
    }
    #expect(throws: WaveformFileError.self) { try SACWriter.encode(segment([1, 1e300, 2])) }
    #expect(throws: WaveformFileError.self) { try SACWriter.encode(segment([-4e38])) }
    let back = try readBack(try SACWriter.encode(segment([3e38, -1e-300, .pi])))
    guard case .float32(let values) = back.segments[0].samples else {
      Issue.record("SAC reads back float32")
      return
    }
    #expect(values == [3e38, -0.0, Float(Double.pi)])
  }

  /// `--` in a header's location field (FDSN's spelling of the blank code, which some writers
  /// store) is read as the blank code, as pick files read it: stored as `--`, its data could
  /// never be selected by a pick (an adversarial sweep).
  @Test func aLocationWrittenAsDashesIsTheBlankCode() throws {
    let dashes = SourceIdentifier(network: "XX", station: "LOC", location: "--", channel: "HHZ")
    let segment = Segment(
      source: dashes, startTime: Timestamp(nanoseconds: 1_700_000_000_000_000_000),
      samplingRate: 100, samples: .int32(Array(0..<500)))
    for bytes in [try MiniSEEDWriter.encode(segment), try SACWriter.encode(segment)] {
      let back = try #require(try readBack(bytes).segments.first)
      #expect(back.source.location == "")
      #expect(back.source.station == "LOC" && back.source.channel == "HHZ")
    }
  }

  @Test func sacKeepsFloat32SamplesTimeAndCodes() throws {
    let segment = Segment(
      source: SourceIdentifier(network: "NZ", station: "CRLZ", location: "10", channel: "HHZ"),
      startTime: Timestamp(iso8601: "2024-02-29T23:59:59.987654Z")!, samplingRate: 150,
      samples: .float32((0..<1000).map { Float($0).squareRoot() - 7 }))
    let back = try readBack(try SACWriter.encode(segment))
    #expect(back.format == .sac)
    let s = try #require(back.segments.first)
    #expect(s.source == segment.source)
    #expect(abs(s.startTime.nanoseconds - segment.startTime.nanoseconds) < 1000)
    // The float32 DELTA stands for 150 Hz (SACReader.samplingRate(delta:)).
    #expect(s.samplingRate == 150)
    #expect(s.samples == segment.samples)
  }

  @Test func sacOfIntegersRoundsToFloat32() throws {
    let segment = Segment(
      source: SourceIdentifier(network: "XX", station: "S", location: "", channel: "Z"),
      startTime: Timestamp(nanoseconds: 0), samplingRate: 1, samples: .int32([16_777_217, -3]))
    let back = try readBack(try SACWriter.encode(segment))
    #expect(back.segments.first?.samples == .float32([16_777_216, -3]))
  }
}
