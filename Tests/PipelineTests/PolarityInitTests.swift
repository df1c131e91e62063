import Foundation
import Logging
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `cluster --init polarity` (decision 0019): DEC starts from, and is steered by, the
/// first-motion partition of one-component windows around picks.
@Suite struct PolarityInitTests {
  struct File: Decodable {
    let count, length: Int
    let windows: [Double]
    let stations, truth: [Int]
  }

  /// The polarity fixture (tools/make_polarity_partition_fixtures.py) as a window set built
  /// with `--components Z --before 0.16 --after 0.16 --input waveform`; returns the truth.
  func polarityStore(_ store: SeisStore) throws -> [Int] {
    let url = TestPaths.fixtures.appendingPathComponent("polarity/partition.json")
    let f = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    let windows = (0..<f.count).map { i in
      WindowRecord(
        windowSetId: 0, windowKey: Int64(i), pickId: nil, network: "XX",
        station: "S\(f.stations[i])", location: "", channels: "HHZ",
        pickTime: Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 10_000_000_000),
        phase: "P", startTime: nil,
        samples: f.windows[(i * f.length)..<((i + 1) * f.length)].map { Float($0) })
    }
    struct Parameters: Encodable { var options: WindowSetOptions }
    let options = WindowSetOptions(
      before: 0.16, after: 0.16, components: .z, input: .waveform)
    try store.replaceCurrentWindowSet(
      WindowSetRecord(
        version: "test", inputKind: .waveform, channelCount: 1, length: f.length,
        samplingRate: 100,
        parametersJson: String(
          decoding: try JSONEncoder().encode(Parameters(options: options)), as: UTF8.self),
        processingJson: "[]"), windows: windows)
    return f.truth
  }

  func options() -> ModelOptions {
    var m = ModelOptions()
    m.filters = [8, 4]
    m.kernels = [5]
    m.activation = .tanh
    m.latent = 4
    m.epochs = 10
    m.restarts = 2
    m.initialization = .polarity
    return m
  }

  @Test func theRunStartsUpAndDownFromTheFirstMotionPartition() throws {
    let store = try SeisStore()
    let truth = try polarityStore(store)
    let outcome = try ClusterJob(clusterCount: 2, model: options(), quiet: true).run(
      store: store, logger: Logger(label: "t"))
    // Cluster 0 starts as up and stays up: the labels follow the drawn polarity, not its mirror.
    let agree = zip(outcome.assignments, truth).filter { $0 == $1 }.count
    #expect(Double(agree) / Double(truth.count) >= 0.9)
    #expect(!outcome.restarts.isUnstable)
  }

  @Test func firstMotionWindowsStartFromTheirPolarityUnlessKMeansIsAsked() throws {
    var m = options()
    m.initialization = nil
    let store = try SeisStore()
    let truth = try polarityStore(store)
    let chosen = try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: store, logger: Logger(label: "t"))
    let stored = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: chosen.run.optionsJson)
    #expect(stored.model.initialization == .polarity)
    #expect(zip(chosen.assignments, truth).filter { $0 == $1 }.count >= 108)
    m.initialization = .kmeans
    let asked = try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: store, logger: Logger(label: "t"))
    #expect(
      try ClusterJob.decodeOptions(ClusterJob.StoredOptions.self, from: asked.run.optionsJson)
        .model.initialization == .kmeans)
    #expect(asked.assignments != chosen.assignments)
    // Not first motions: two components, three clusters, or windows longer than 0.5 s.
    m.initialization = nil
    let events = try SeisStore()
    _ = try ClusterPipelineTests().storeWithWindows(count: 40, seed: 1, store: events)
    let other = try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: events, logger: Logger(label: "t"))
    #expect(
      try ClusterJob.decodeOptions(ClusterJob.StoredOptions.self, from: other.run.optionsJson)
        .model.initialization == .kmeans)
    let set = try #require(try store.currentWindowSetReader()).windowSet
    #expect(
      ModelOptions.Initialization.automatic(clusters: 3, windowSet: set, correlation: false)
        == .kmeans)
    #expect(
      ModelOptions.Initialization.automatic(clusters: 2, windowSet: set, correlation: true)
        == .kmeans)
    var long = set
    long.parametersJson = set.parametersJson.replacingOccurrences(
      of: "\"before\":0.16", with: "\"before\":5")
    #expect(long.parametersJson != set.parametersJson)
    #expect(
      ModelOptions.Initialization.automatic(clusters: 2, windowSet: long, correlation: false)
        == .kmeans)
    #expect(
      ModelOptions.Initialization.automatic(clusters: 2, windowSet: set, correlation: false)
        == .polarity)
  }

  @Test func setsItCannotSplitAreRefusedInOneLineBeforeARunIsStored() throws {
    let store = try SeisStore()
    _ = try polarityStore(store)
    #expect {
      try ClusterJob(clusterCount: 3, model: options(), quiet: true).run(
        store: store, logger: Logger(label: "t"))
    } throws: { "\($0)".contains("--clusters 2") }
    var auto = ClusterJob(clusterCount: 2, model: options(), quiet: true)
    auto.clusterRange = 2...4
    #expect(throws: InputError.self) { try auto.run(store: store, logger: Logger(label: "t")) }
    // Two components, and no build options (an imported set).
    let other = try SeisStore()
    _ = try ClusterPipelineTests().storeWithWindows(count: 40, seed: 1, store: other)
    #expect {
      try ClusterJob(clusterCount: 2, model: options(), quiet: true).run(
        store: other, logger: Logger(label: "t"))
    } throws: { "\($0)".contains("one-component") }
    #expect(try store.run() == nil && other.run() == nil)
  }
}
