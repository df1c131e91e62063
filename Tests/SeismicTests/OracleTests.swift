import Foundation
import TestSupport
import Testing

@testable import Seismic

/// Every file in `../shared/data/` read by seiscluster and compared with what ObsPy 1.5.1 read
/// (oracle.json). The only differences allowed are ObsPy's documented quirks, each named below.
@Suite(.needsSharedData) struct OracleTests {
  /// ObsPy quirk 1: its SAC reader rounds DELTA to whole microseconds before taking 1/DELTA, so
  /// 150 Hz reads back as 149.9925 Hz. Ours takes the rate the header's float32 DELTA stands
  /// for (`SACReader.samplingRate(delta:)`: 150 Hz).
  static func isObsPySACDeltaRounding(ours: Double, obspy: Double) -> Bool {
    let delta = 1.0 / ours
    let rounded = (delta * 1e6).rounded() / 1e6
    return abs(1.0 / rounded - obspy) <= 1e-9 * obspy
  }

  /// ObsPy quirk 2: ObsPy strips leading spaces in channel codes, which this reader keeps as the
  /// file holds them. (Bytes that are not ASCII are dropped by both; SAC shows them as "?".)
  static func isObsPyCodeQuirk(ours: String, obspy: String) -> Bool {
    ours.replacingOccurrences(of: "?", with: "A") == obspy
      || ours == obspy.replacingOccurrences(of: " ", with: "")
  }

  @Test func oracleCoversEveryDataFile() throws {
    let files = try OracleFile.loadAll()
    #expect(files.count >= 80)
    for folder in ["mseed", "sac"] {
      let names = try FileManager.default.contentsOfDirectory(
        atPath: TestPaths.sharedData.appendingPathComponent(folder).path)
      for name in names {
        #expect(
          files.contains { $0.path == "\(folder)/\(name)" }, "\(folder)/\(name) has no oracle")
      }
    }
  }

  @Test func everyReadableFileMatchesObsPy() throws {
    var compared = 0
    for file in try OracleFile.loadAll() where file.readable {
      let contents: WaveformContents
      do {
        contents = try WaveformReader.read(contentsOf: file.url)
      } catch {
        Issue.record("\(file.path): ObsPy reads it, we refuse: \(error)")
        continue
      }
      let expected = file.traces.filter { $0.numeric && $0.sampleCount > 0 }
        .sorted { ($0.id, $0.startTime) < ($1.id, $1.startTime) }
      let ours = contents.segments.sorted {
        ($0.source.id, $0.startTime) < ($1.source.id, $1.startTime)
      }
      guard ours.count == expected.count else {
        Issue.record("\(file.path): \(ours.count) segments, ObsPy has \(expected.count)")
        continue
      }
      if file.traces.count > expected.count {
        #expect(!contents.notes.isEmpty, "\(file.path): text/empty records not reported")
      }
      for (segment, trace) in zip(ours, expected) {
        let where_ = "\(file.path) \(trace.id) \(trace.startTime)"
        let s = segment.source
        for (a, b) in [
          (s.network, trace.network), (s.station, trace.station), (s.location, trace.location),
          (s.channel, trace.channel),
        ] {
          #expect(
            a == b || Self.isObsPyCodeQuirk(ours: a, obspy: b), "\(where_): code \(a) vs \(b)")
        }
        #expect(segment.startTime.iso8601 == trace.startTime, "\(where_): start")
        #expect(
          segment.samplingRate == trace.samplingRate
            || (contents.format == .sac
              && Self.isObsPySACDeltaRounding(ours: segment.samplingRate, obspy: trace.samplingRate)),
          "\(where_): rate \(segment.samplingRate) vs \(trace.samplingRate)")
        #expect(segment.sampleCount == trace.sampleCount, "\(where_): npts")
        #expect(segment.samples.sha256OfLittleEndianDoubles == trace.sha256, "\(where_): samples")
        compared += 1
      }
    }
    #expect(compared >= 100)
  }

  @Test func everyFileObsPyCannotReadGivesOneLineError() throws {
    var refused = 0
    for file in try OracleFile.loadAll() where !file.readable {
      do {
        let contents = try WaveformReader.read(contentsOf: file.url)
        Issue.record("\(file.path): ObsPy refuses it, we read \(contents.segments.count) segments")
      } catch let error as WaveformFileError {
        let text = error.description
        #expect(!text.contains("\n"), "\(file.path): \(text)")
        #expect(text.hasPrefix(file.url.path + ": "), "\(file.path): \(text)")
        refused += 1
      }
    }
    #expect(refused >= 7)
  }
}
