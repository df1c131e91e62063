import Clustering
import Foundation
import Logging
import Numerics
import Store
import Testing

@testable import Pipeline

/// `--window-level` (docs/decisions/0024-window-level.md): spectrogram windows are scaled so
/// that each window's RMS is the set's mean RMS before the network sees them.
@Suite struct WindowLevelTests {
  let base = ClusterPipelineTests()

  /// Window i's gain: loud and quiet windows in both families.
  static func gain(_ i: Int) -> Float { [0.2, 1, 3.5, 0.6, 8][i % 5] }

  /// A store with `count` spectrogram-kind windows of unequal levels.
  func spectrogramStore(count: Int, seed: UInt64) throws -> SeisStore {
    let store = try SeisStore()
    _ = try base.storeWithWindows(
      count: count, seed: seed, store: store, inputKind: .spectrogram, gain: Self.gain)
    return store
  }

  /// Each window's RMS in Double, computed here and not by the tool.
  static func levels(_ samples: [Float], size: Int) -> [Double] {
    stride(from: 0, to: samples.count, by: size).map { start in
      let w = samples[start..<(start + size)]
      return (w.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(size)).squareRoot()
    }
  }

  func cluster(_ store: SeisStore, change: (inout ModelOptions) -> Void = { _ in }) throws
    -> ClusterOutcome
  {
    var m = base.model()
    m.epochs = 6
    m.maxIterations = 40
    m.windowLevel = .rms
    change(&m)
    return try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: store, logger: Logger(label: "t"))
  }

  func storedOptions(_ outcome: ClusterOutcome) throws -> ClusterJob.StoredOptions {
    try ClusterJob.decodeOptions(ClusterJob.StoredOptions.self, from: outcome.run.optionsJson)
  }

  @Test func scalingBringsEachWindowToTheLevelAndLeavesAWindowOfZerosAlone() {
    var g = SeededGenerator(seed: 3)
    let size = 50
    var values: [Float] = []
    for w in 0..<5 {
      for _ in 0..<size { values.append(Float(g.nextGaussian()) * [0.01, 1, 40, 0, 0][w]) }
    }
    // Window 4: subnormal values, whose factor to 0.25 would overflow float32.
    for i in (4 * size)..<(5 * size) { values[i] = Float.leastNonzeroMagnitude }
    values.withUnsafeMutableBufferPointer {
      TrainingWindows.scale(
        $0, windows: 5, size: size, to: WindowLevelScale(target: 0.25, power: 1))
    }
    let after = Self.levels(values, size: size)
    for w in 0..<3 { #expect(abs(after[w] - 0.25) < 1e-6, "window \(w): \(after[w])") }
    #expect(values[(3 * size)..<(4 * size)].allSatisfy { $0 == 0 })
    #expect(values[(4 * size)...].allSatisfy { $0 == Float.leastNonzeroMagnitude })
  }

  @Test func aSpectrogramRunScalesToTheSetsMeanRMSAndStoresItsChoice() throws {
    let store = try spectrogramStore(count: 60, seed: 4)
    let contents = try #require(try store.currentWindowSetContents())
    let levels = Self.levels(contents.samples, size: contents.windowSize)
    #expect(levels.max()! / levels.min()! > 20)
    let expected = levels.reduce(0, +) / Double(levels.count)
    // Not the default: the windows as built, and nothing stored.
    let plain = try cluster(try spectrogramStore(count: 60, seed: 4)) { $0.windowLevel = nil }
    #expect(try storedOptions(plain).windowLevelTarget == nil)
    #expect(try storedOptions(plain).model.windowLevel == .asBuilt)
    let run = try cluster(store) { $0.windowLevel = .rms }
    let stored = try storedOptions(run)
    #expect(stored.model.windowLevel == .rms)
    let target = try #require(stored.windowLevelTarget)
    #expect(abs(target - expected) <= 1e-12 * expected)
  }

  /// A copy of `store`'s current set with each window scaled beforehand, here, to the set's
  /// mean RMS.
  func scaledCopy(of store: SeisStore, power: Double = 1) throws -> SeisStore {
    let contents = try #require(try store.currentWindowSetContents())
    let size = contents.windowSize
    let levels = Self.levels(contents.samples, size: size)
    let target = levels.reduce(0, +) / Double(levels.count)
    var scaled = contents.samples
    for (w, level) in levels.enumerated() {
      let factor = Float(Foundation.pow(target / level, power))
      for i in (w * size)..<((w + 1) * size) { scaled[i] *= factor }
    }
    let copy = try SeisStore()
    var windowSet = contents.windowSet
    windowSet.id = nil
    try copy.replaceCurrentWindowSet(
      windowSet,
      windows: contents.windows.enumerated().map { w, r in
        WindowRecord(
          windowSetId: 0, windowKey: r.windowKey, pickId: nil, network: r.network,
          station: r.station, location: r.location, channels: r.channels, pickTime: r.pickTime,
          phase: r.phase, startTime: nil, samples: Array(scaled[(w * size)..<((w + 1) * size)]))
      })
    return copy
  }

  /// The run trains on exactly the scaled windows: the same labels as `--window-level none`
  /// on a copy of the set scaled beforehand, window by window, to the same level.
  @Test func aScaledRunEqualsAnUnscaledRunOnWindowsScaledBeforehand() throws {
    let store = try spectrogramStore(count: 60, seed: 6)
    let copy = try scaledCopy(of: store)
    let a = try cluster(store)
    let b = try cluster(copy) { $0.windowLevel = .asBuilt }
    #expect(a.assignments == b.assignments)
    #expect(a.probabilities == b.probabilities)
    // Without the scaling the quiet windows train otherwise (the test can fail).
    let c = try cluster(try spectrogramStore(count: 60, seed: 6)) {
      $0.windowLevel = .asBuilt
    }
    #expect(c.probabilities != a.probabilities)
  }

  /// `sqrt` scales each window by the square root of the `rms` factor.
  @Test func aSqrtRunEqualsAnUnscaledRunOnWindowsScaledHalfwayBeforehand() throws {
    let store = try spectrogramStore(count: 60, seed: 6)
    let copy = try scaledCopy(of: store, power: 0.5)
    let a = try cluster(store) { $0.windowLevel = .sqrt }
    let b = try cluster(copy) { $0.windowLevel = .asBuilt }
    #expect(try storedOptions(a).windowLevelPower == 0.5)
    #expect(a.assignments == b.assignments)
    #expect(a.probabilities == b.probabilities)
    let full = try cluster(try spectrogramStore(count: 60, seed: 6)) { $0.windowLevel = .rms }
    #expect(full.probabilities != a.probabilities)
  }

  /// `relabel` retrains and steers on the windows as its source run saw them.
  @Test func relabelSeesTheWindowsAsItsSourceRunDid() throws {
    let store = try SeisStore()
    let truth = try base.storeWithWindows(
      count: 80, seed: 21, store: store, inputKind: .spectrogram, gain: Self.gain)
    let copy = try scaledCopy(of: store)
    _ = try cluster(store) { $0.restarts = 1 }
    _ = try cluster(copy) {
      $0.restarts = 1
      $0.windowLevel = .asBuilt
    }
    let labels = try WindowLabelFile(
      text: "network,station,location,time,label\n" + truth.prefix(20).joined(separator: "\n"),
      path: "labels.csv")
    let a = try RelabelJob(labels: labels, clusterCount: nil, quiet: true)
      .run(store: store, logger: Logger(label: "t"))
    let b = try RelabelJob(labels: labels, clusterCount: nil, quiet: true)
      .run(store: copy, logger: Logger(label: "t"))
    #expect(a.matchedLabels == 20)
    let rows = { (s: SeisStore, id: Int64) in
      try s.assignments(runID: id).sorted { $0.windowId < $1.windowId }.map {
        "\($0.cluster) \($0.probability)"
      }
    }
    #expect(try rows(store, a.run.id!) == rows(copy, b.run.id!))
  }

  @Test func aStreamedScaledSetTrainsExactlyAsAHeldOne() throws {
    let held = try spectrogramStore(count: 60, seed: 9)
    let streamed = try spectrogramStore(count: 60, seed: 9)
    var m = base.model()
    m.epochs = 6
    m.maxIterations = 40
    m.restarts = 2
    m.windowLevel = .rms
    let a = try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: held, logger: Logger(label: "t"))
    var job = ClusterJob(clusterCount: 2, model: m, quiet: true)
    job.windowMemoryBytes = 1024
    let b = try job.run(store: streamed, logger: Logger(label: "t"))
    #expect(try storedOptions(a).windowLevelTarget == storedOptions(b).windowLevelTarget)
    #expect(a.restarts == b.restarts)
    #expect(a.assignments == b.assignments)
    #expect(a.probabilities == b.probabilities)
  }

  /// A scaled run killed mid-training resumes on windows scaled to its stored level.
  @Test func aScaledRunResumesToTheSameLabels() throws {
    var m = base.model()
    m.epochs = 6
    m.maxIterations = 60
    m.tol = 0
    m.windowLevel = .rms
    let expected = try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: try spectrogramStore(count: 80, seed: 8), logger: Logger(label: "t"))
    let store = try spectrogramStore(count: 80, seed: 8)
    struct Killed: Error {}
    var dying = ClusterJob(clusterCount: 2, model: m, quiet: true, checkpointSeconds: 0)
    dying.afterCheckpoint = { stored in if stored >= 5 { throw Killed() } }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: Logger(label: "t")) }
    let resumed = try ClusterJob(clusterCount: 2, model: ModelOptions(), quiet: true, resume: true)
      .run(store: store, logger: Logger(label: "t"))
    #expect(resumed.assignments == expected.assignments)
    #expect(resumed.probabilities == expected.probabilities)
  }

  /// `assign` scales new windows to the run's level, not to their own set's: copies of the
  /// run's windows, ten times louder, get the run's clusters.
  @Test func assignScalesNewWindowsToTheRunsLevel() throws {
    let store = try spectrogramStore(count: 60, seed: 5)
    let run = try cluster(store)
    let id = try #require(run.run.id)
    let trained = try #require(try store.windowSetReader(id: run.run.windowSetId))
    var clusterOfKey: [Int64: (cluster: Int, probability: Double)] = [:]
    let keyOfTrained = Dictionary(
      uniqueKeysWithValues: trained.windows.map { ($0.id!, $0.windowKey) })
    for a in try store.assignments(runID: id) {
      clusterOfKey[keyOfTrained[a.windowId]!] = (a.cluster, a.probability)
    }
    #expect(Set(clusterOfKey.values.map(\.cluster)).count == 2)
    _ = try base.storeWithWindows(
      count: 60, seed: 5, store: store, offset: 1000, inputKind: .spectrogram,
      gain: { 10 * Self.gain($0) })
    let report = try AssignJob(runID: id, quiet: true).run(
      store: store, logger: Logger(label: "t"))
    #expect(report.assigned == 60)
    let louder = try #require(try store.currentWindowSetReader())
    let keyOfLouder = Dictionary(
      uniqueKeysWithValues: louder.windows.map { ($0.id!, $0.windowKey) })
    let again = try store.assignments(runID: id).filter { keyOfLouder[$0.windowId] != nil }
    #expect(again.count == 60)
    // The same input up to float rounding: the same cluster and probability.
    for a in again {
      let trainedAs = try #require(clusterOfKey[keyOfLouder[a.windowId]! - 1000])
      #expect(a.cluster == trainedAs.cluster)
      #expect(abs(a.probability - trainedAs.probability) < 1e-4)
    }
  }

  @Test func rmsIsRefusedWhereItCannotApply() throws {
    let waveforms = try SeisStore()
    _ = try base.storeWithWindows(count: 40, seed: 2, store: waveforms)
    let wrongInput = #expect(throws: InputError.self) {
      try cluster(waveforms) { $0.windowLevel = .rms }
    }
    #expect(
      wrongInput?.reason
        == "--window-level rms scales spectrogram windows, and window set 1 holds waveforms: drop it, or build the windows with --input spectrogram"
    )
    // Waveforms resolve to none by default.
    #expect(
      try storedOptions(try cluster(waveforms) { $0.windowLevel = nil }).model.windowLevel
        == .asBuilt)
    let spectrograms = try spectrogramStore(count: 40, seed: 2)
    let wrongLoss = #expect(throws: InputError.self) {
      try cluster(spectrograms) {
        $0.windowLevel = .rms
        $0.loss = .bce
      }
    }
    #expect(
      wrongLoss?.reason
        == "--window-level rms scales windows beyond 1, which --loss bce cannot take: use --window-level none with --loss bce"
    )
  }
}
