import Foundation
import Logging
import Seismic
import Store
import TestSupport

@testable import Pipeline

/// `fixtures/windows/manifest.json`, written by `tools/make_window_fixtures.py`.
struct WindowManifest: Decodable {
  struct Options: Decodable {
    var before: Double
    var after: Double
    var components: String
    var rate: Double
    var bandpass: [Double]?
    var normalize: String
    var input: String
    var spectrogramSegment: Double
    var spectrogramOverlap: Double
    var spectrogramRange: Double
    /// Absent in fixtures written before decision 0020: those used the window reference.
    var spectrogramReference: String?

    var windowSetOptions: WindowSetOptions {
      WindowSetOptions(
        before: before, after: after, phase: nil,
        components: WindowSetOptions.Components(rawValue: components) ?? .zne, rate: rate,
        bandpass: bandpass.map { ($0[0], $0[1]) },
        normalize: WindowSetOptions.Normalization(rawValue: normalize) ?? .none,
        input: WindowSetOptions.Input(rawValue: input) ?? .waveform,
        spectrogramSegment: spectrogramSegment, spectrogramOverlap: spectrogramOverlap,
        spectrogramRange: spectrogramRange,
        spectrogramReference: WindowSetOptions.SpectrogramReference(
          rawValue: spectrogramReference ?? "window") ?? .window)
    }
  }
  struct PickEntry: Decodable {
    var network: String
    var station: String
    var location: String
    var time: String
  }
  struct Case: Decodable {
    var name: String
    var options: Options
    var picks: [PickEntry]
    var channels: String
    var shape: [Int]
    var file: String
  }
  struct Derived: Decodable {
    var start: String
    // swiftlint:disable:next identifier_name
    var z_split: [Int]
    // swiftlint:disable:next identifier_name
    var e_roll: Int
  }
  struct Detect: Decodable {
    var file: String
    var id: String
    var sta: Double
    var lta: Double
    var on: Double
    var off: Double
    var method: String
    // swiftlint:disable:next identifier_name
    var on_indices: [Int]
    var times: [String]
  }
  var cases: [Case]
  var zz100: Derived
  var detect: [Detect]

  static let folder = TestPaths.fixtures.appendingPathComponent("windows")

  static func load() throws -> WindowManifest {
    let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
    return try JSONDecoder().decode(WindowManifest.self, from: data)
  }

  /// The expected windows of a case, N x C x L flattened.
  static func expected(_ c: Case) throws -> [Float] {
    let data = try Data(contentsOf: folder.appendingPathComponent(c.file))
    var out = [Float](repeating: 0, count: data.count / 4)
    _ = out.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    return out
  }
}

/// A store holding the real files the window fixtures were made from, plus the derived
/// `ZZ.CRLZ.10` channels (Z split over two files with identical overlap, N reversed, E rolled).
enum WindowTestStore {
  static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
  static let realFiles = [
    "mseed/SRO_encoding.mseed", "sac/II.TLY.BHZ.SAC", "mseed/test.mseed", "mseed/fullseed.mseed",
    "mseed/II_COCO_three_channel_borehole.mseed", "mseed/ffbx_unrotated_gaps.mseed",
    "mseed/dataselect_example_mixed_wildcards.mseed",
  ]

  /// The CRLZ HHZ samples and start time, read through ingest.
  static func crlz() throws -> (samples: [Float], start: Timestamp) {
    let scratch = try SeisStore()
    let path = TestPaths.sharedData.appendingPathComponent("sac/CRLZ.HHZ.10.NZ.SAC_resp").path
    _ = Ingest(store: scratch, logger: logger, quiet: true).run(paths: [path])
    guard let summary = try scratch.segmentSummaries().first,
      let segment = try scratch.segment(id: summary.id),
      case .float32(let x) = segment.samples
    else { throw StoreError.invalid("CRLZ not readable") }
    return (x, segment.startTime)
  }

  static func make(manifest: WindowManifest) throws -> SeisStore {
    let store = try SeisStore()
    let paths = realFiles.map { TestPaths.sharedData.appendingPathComponent($0).path }
    let report = Ingest(store: store, logger: logger, quiet: true).run(paths: paths)
    guard report.failures.isEmpty else { throw StoreError.invalid("ingest failed") }
    let (x, t0) = try crlz()
    guard t0 == Timestamp(iso8601: manifest.zz100.start) else {
      throw StoreError.invalid("CRLZ start differs from the fixture's")
    }
    func id(_ c: String) -> SourceIdentifier {
      SourceIdentifier(network: "ZZ", station: "CRLZ", location: "10", channel: c)
    }
    let split = manifest.zz100.z_split
    let roll = manifest.zz100.e_roll
    let z1 = Segment(
      source: id("HHZ"), startTime: t0, samplingRate: 100, samples: .float32(Array(x[..<split[0]])))
    let z2 = Segment(
      source: id("HHZ"), startTime: t0.adding(seconds: Double(split[1]) / 100), samplingRate: 100,
      samples: .float32(Array(x[split[1]...])))
    let n = Segment(
      source: id("HHN"), startTime: t0, samplingRate: 100, samples: .float32(x.reversed()))
    let e = Segment(
      source: id("HHE"), startTime: t0, samplingRate: 100,
      samples: .float32((0..<x.count).map { x[($0 - roll + x.count) % x.count] }))
    try store.storeFile(
      path: "derived/zz-a", size: 0, sha256: "zz-a", format: .miniSEED, segments: [z1])
    try store.storeFile(
      path: "derived/zz-b", size: 0, sha256: "zz-b", format: .miniSEED, segments: [z2, n, e])
    return store
  }
}

/// Pearson correlation of two equally long series.
func correlation(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
  let x = a.map(Double.init)
  let y = b.map(Double.init)
  let mx = x.reduce(0, +) / Double(x.count)
  let my = y.reduce(0, +) / Double(y.count)
  var sxy = 0.0
  var sxx = 0.0
  var syy = 0.0
  for i in x.indices {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) * (x[i] - mx)
    syy += (y[i] - my) * (y[i] - my)
  }
  return sxy / (sxx * syy).squareRoot()
}

/// RMS of the difference over the RMS of the reference.
func relativeRMS(_ a: ArraySlice<Float>, reference b: ArraySlice<Float>) -> Double {
  var d = 0.0
  var r = 0.0
  for (x, y) in zip(a, b) {
    d += Double(x - y) * Double(x - y)
    r += Double(y) * Double(y)
  }
  return (d / max(r, 1e-300)).squareRoot()
}
