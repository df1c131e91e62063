import Foundation
import Logging
import Numerics
import Seismic
import Store
import Testing

@testable import Pipeline

/// `--input correlation`: repeating families whose members are shifted, rescaled, noisy copies
/// of one template per family. The templates are white noise, so every family has the same
/// spectrum and only the waveform (up to a shift) tells them apart.
@Suite struct CorrelationInputTests {
  static let length = 96

  /// Window `i` of station XX.AAA (picks a minute apart) holding `samples`, and the start of its
  /// truth line (`network,station,location,time,`).
  static func window(_ i: Int, _ samples: [Float]) -> (WindowRecord, String) {
    let time = Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 60_000_000_000)
    let record = WindowRecord(
      windowSetId: 0, windowKey: Int64(i), pickId: nil, network: "XX", station: "AAA",
      location: "", channels: "HHZ,HHN", pickTime: time, phase: "P", startTime: nil,
      samples: samples)
    return (record, "XX,AAA,,\(time.iso8601),")
  }
  static let families = 3

  /// Stores `count` windows of `families` families as the current set, built "with
  /// `--input correlation`" (the set's parameters say so); returns truth rows.
  @discardableResult
  func storeFamilies(
    count: Int, seed: UInt64, store: SeisStore, correlation: Bool = true, orphans: Int = 0
  ) throws -> [String] {
    var templates = SeededGenerator(seed: 99)
    // One template per family, then one per orphan (an event in no family).
    let template = (0..<((Self.families + orphans) * 2 * Self.length)).map { _ in
      templates.nextGaussian()
    }
    var g = SeededGenerator(seed: seed)
    var windows: [WindowRecord] = []
    var truth: [String] = []
    for i in 0..<(count + orphans) {
      let family = i < count ? i % Self.families : Self.families + i - count
      let shift = Int(g.next() % 17) - 8
      let scale = 0.3 + 3 * g.nextUniform()
      var samples: [Float] = []
      for channel in 0..<2 {
        for t in 0..<Self.length {
          let source = t + shift
          let inside = source >= 0 && source < Self.length
          let v =
            inside ? template[(family * 2 + channel) * Self.length + source] : 0
          samples.append(Float(scale * (v + 0.4 * g.nextGaussian())))
        }
      }
      let (record, truthPrefix) = Self.window(i, samples)
      windows.append(record)
      truth.append(truthPrefix + (family < Self.families ? "f\(family)" : "orphan"))
    }
    try store.replaceCurrentWindowSet(
      WindowSetRecord(
        version: "test", inputKind: .waveform, channelCount: 2, length: Self.length,
        samplingRate: 10,
        parametersJson: correlation ? #"{"options":{"input":"correlation"}}"# : "{}",
        processingJson: "[]"), windows: windows)
    return truth
  }

  func model() -> ModelOptions {
    var m = ClusterPipelineTests().model()
    m.epochs = 20
    return m
  }

  func truthFile(_ rows: [String]) throws -> WindowLabelFile {
    try WindowLabelFile(
      text: "network,station,location,time,label\n" + rows.joined(separator: "\n"), path: "t.csv")
  }

  @Test func theRunSeesProfilesAgainstEveryWindowAndFindsTheFamilies() throws {
    let store = try SeisStore()
    let truth = try storeFamilies(count: 90, seed: 3, store: store)
    let outcome = try ClusterJob(clusterCount: 3, model: model(), quiet: true)
      .run(store: store, logger: Logger(label: "t"))
    let stored = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: outcome.run.optionsJson)
    let references = try #require(stored.correlationReferences)
    #expect(references.sorted() == Array(0..<90), "every window of a small set is a reference")
    let modelID = try #require(outcome.run.modelId)
    let model = try #require(try store.model(id: modelID))
    #expect(model.architectureJson.contains("90"), "the network's input is 1 x 90 profiles")
    let scores = try Evaluation.evaluate(store: store, runID: nil, truth: try truthFile(truth))
      .scores
    #expect(scores.accuracy >= 0.95, "ACC \(scores.accuracy)")
    let html = try HTMLReport.load(from: store).render()
    #expect(html.contains("correlation profiles against 90 reference windows"))
    #expect(html.contains("seen as correlation profiles"))
  }

  @Test func referencesAreOrderedSoThatEachFamilyIsOneBlock() throws {
    let store = try SeisStore()
    try storeFamilies(count: 60, seed: 4, store: store)
    let reader = try #require(try store.currentWindowSetReader())
    let (order, profiles) = try CorrelationInput.chooseReferences(reader: reader, seed: 0)
    #expect(order.sorted() == Array(0..<60))
    // The profiles' columns follow the order: window order[k] correlates with itself (1) at k.
    for (k, ordinal) in order.enumerated() {
      #expect(abs(profiles.tensor.values[ordinal * 60 + k] - 1) < 1e-5)
    }
    // ...and equal a fresh computation against the references in that order.
    let again = try CorrelationInput.profiles(
      of: reader, against: try CorrelationInput.profiles(reader: reader, ordinals: order),
      quiet: true)
    #expect(again.tensor.values == profiles.tensor.values)
    // Family of window i is i % 3: the order changes family exactly twice.
    let familyChanges = zip(order, order.dropFirst()).filter { $0 % 3 != $1 % 3 }.count
    #expect(familyChanges == 2, "order \(order)")
  }

  @Test func largerSetsUseASeededSampleOfReferences() throws {
    let store = try SeisStore()
    try storeFamilies(count: 300, seed: 5, store: store)
    let reader = try #require(try store.currentWindowSetReader())
    let a = try CorrelationInput.chooseReferences(reader: reader, seed: 1).references
    #expect(a.count == CorrelationInput.maximumReferences)
    #expect(Set(a).count == a.count)
    #expect(try CorrelationInput.chooseReferences(reader: reader, seed: 1).references == a)
    #expect(try CorrelationInput.chooseReferences(reader: reader, seed: 2).references != a)
  }

  @Test func assignCorrelatesNewWindowsWithTheRunsReferencesAndRelabelWorks() throws {
    let store = try SeisStore()
    let logger = Logger(label: "t")
    try storeFamilies(count: 60, seed: 6, store: store)
    let run = try ClusterJob(clusterCount: 3, model: model(), quiet: true)
      .run(store: store, logger: logger)
    let runID = try #require(run.run.id)
    // A new, larger set (its first 60 picks are the run's): the profiles of the 30 new windows
    // are taken against the run's references in the old set, so the network's input keeps its
    // meaning.
    let truth = try storeFamilies(count: 90, seed: 6, store: store)
    let assigned = try AssignJob(runID: nil, quiet: true).run(store: store, logger: logger)
    #expect(assigned.assigned == 30)
    let scores = try Evaluation.evaluate(store: store, runID: runID, truth: try truthFile(truth))
      .scores
    #expect(scores.count == 90)
    #expect(scores.accuracy >= 0.95, "ACC \(scores.accuracy)")

    let outcome = try RelabelJob(
      labels: try truthFile(Array(truth.prefix(9))), clusterCount: nil, quiet: true
    ).run(store: store, logger: logger)
    #expect(outcome.classes == ["f0", "f1", "f2"])
    // Relabel trains on the run's 60 windows and labels the 30 `assign` added as `assign` does.
    #expect(outcome.labelledAsAssign == 30)
    let evaluation = try Evaluation.evaluate(store: store, runID: nil, truth: try truthFile(truth))
    let labels = try #require(evaluation.labelAccuracy)
    #expect(labels.accuracy >= 0.95)

    // The relabel run assigns new windows too, with its source's references.
    let relabelID = try #require(outcome.run.id)
    try storeFamilies(count: 120, seed: 6, store: store)
    let byRelabel = try AssignJob(runID: relabelID, quiet: true).run(store: store, logger: logger)
    #expect(byRelabel.assigned == 30, "the 30 picks new to it")
    // They are named with the relabel run's classes, as its own windows are.
    let named = try store.assignments(runID: relabelID)
    #expect(named.count == 120, "its 60 windows, the 30 relabel labelled and the 30 assigned")
    #expect(named.allSatisfy { ["f0", "f1", "f2"].contains($0.label ?? "") })
  }

  @Test func assignMakesNewOneOffEventsOrphansUnderTheRunsThreshold() throws {
    let store = try SeisStore()
    let logger = Logger(label: "t")
    try storeFamilies(count: 60, seed: 12, store: store)
    var job = ClusterJob(clusterCount: 3, model: model(), quiet: true)
    job.orphanThreshold = 0.5
    let run = try job.run(store: store, logger: logger)
    #expect(!run.assignments.contains(-1))
    // The same 60 picks and 4 one-off events.
    try storeFamilies(count: 60, seed: 12, store: store, orphans: 4)
    let assigned = try AssignJob(runID: nil, quiet: true).run(store: store, logger: logger)
    #expect(assigned.assigned == 4)
    #expect(assigned.orphans == 4)
    #expect(assigned.summary.contains("orphans: 4"))
  }

  @Test func aKilledRunResumesWithTheSameReferencesToTheSameLabels() throws {
    var m = model()
    m.epochs = 6
    m.maxIterations = 60
    m.tol = 0
    let full = try SeisStore()
    try storeFamilies(count: 60, seed: 8, store: full)
    let expected = try ClusterJob(clusterCount: 3, model: m, quiet: true)
      .run(store: full, logger: Logger(label: "t"))

    let store = try SeisStore()
    try storeFamilies(count: 60, seed: 8, store: store)
    struct Killed: Error {}
    var dying = ClusterJob(clusterCount: 3, model: m, quiet: true, checkpointSeconds: 0)
    dying.afterCheckpoint = { stored in if stored >= 5 { throw Killed() } }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: Logger(label: "t")) }
    let resumed = try ClusterJob(clusterCount: 7, model: ModelOptions(), quiet: true, resume: true)
      .run(store: store, logger: Logger(label: "t"))
    #expect(resumed.assignments == expected.assignments)
    #expect(resumed.probabilities == expected.probabilities)
  }

  @Test func windowsThatCorrelateWithNoOtherMemberOfTheirClusterAreOrphans() throws {
    let store = try SeisStore()
    let truth = try storeFamilies(count: 60, seed: 10, store: store, orphans: 5)
    var job = ClusterJob(clusterCount: 3, model: model(), quiet: true)
    job.orphanThreshold = 0.5
    let outcome = try job.run(store: store, logger: Logger(label: "t"))
    #expect(outcome.assignments.filter { $0 == -1 }.count == 5)
    #expect(Array(outcome.assignments.suffix(5)) == [-1, -1, -1, -1, -1])
    #expect(outcome.summary.contains { $0.hasPrefix("orphans") })
    let stored = try store.assignments(runID: try #require(outcome.run.id))
    #expect(stored.filter { $0.cluster == -1 }.count == 5)
    let evaluation = try Evaluation.evaluate(
      store: store, runID: nil, truth: try truthFile(truth))
    let scores = evaluation.scores
    #expect(scores.accuracy >= 0.95, "families and orphans: ACC \(scores.accuracy)")
    // `evaluate` says how it scores them.
    #expect(evaluation.orphans == 5 && evaluation.scored == 65)
    #expect(
      evaluation.lines.contains {
        $0.hasPrefix("5 of 65 scored windows are orphans (cluster -1), scored as one more cluster")
      })
    // The report names them.
    let html = try HTMLReport.load(from: store).render()
    #expect(html.contains("id=\"orphans\""))
    #expect(html.contains("href=\"#orphans\""))
    let orphansAt = try #require(html.range(of: "id=\"orphans\""))
    let lastCluster = try #require(html.range(of: "id=\"cluster-2\""))
    #expect(lastCluster.lowerBound < orphansAt.lowerBound, "orphans come after the clusters")

    // relabel keeps the source run's orphans (it used to put them all in families), and
    // stores the threshold for `assign`. Rows labelled "orphan" mark orphans by hand, as the
    // families' truth names them: not a class to train.
    let labels = Array(truth.prefix(9)) + Array(truth.suffix(2))
    #expect(labels.suffix(2).allSatisfy { $0.hasSuffix(",orphan") })
    let relabel = try RelabelJob(labels: try truthFile(labels), clusterCount: nil, quiet: true)
      .run(store: store, logger: Logger(label: "t"))
    let relabelled = try store.assignments(runID: try #require(relabel.run.id))
    #expect(relabelled.filter { $0.cluster == -1 }.count == 5)
    #expect(relabelled.filter { $0.cluster == -1 }.allSatisfy { $0.label == "orphan" })
    #expect(relabel.summary.contains("orphan  5  2"))
    #expect(relabel.classes == ["f0", "f1", "f2"])
    #expect(relabelled.filter { $0.cluster == -1 && $0.isHandLabelled }.count == 2)
    #expect(relabel.run.optionsJson.contains("\"orphans\":0.5"))
    let afterRelabel = try Evaluation.evaluate(
      store: store, runID: nil, truth: try truthFile(truth))
    #expect(afterRelabel.scores.accuracy >= 0.95, "ACC \(afterRelabel.scores.accuracy)")

    // Off by default: the same windows all land in families.
    let plain = try ClusterJob(clusterCount: 3, model: model(), quiet: true)
      .run(store: store, logger: Logger(label: "t"))
    #expect(!plain.assignments.contains(-1))
    // A run whose every window is an orphan found no family: `evaluate` says so.
    let plainID = try #require(plain.run.id)
    try store.writer.write { db in
      try db.execute(
        sql: "UPDATE assignments SET cluster = -1 WHERE run_id = ?", arguments: [plainID])
    }
    let none = try Evaluation.evaluate(store: store, runID: plainID, truth: try truthFile(truth))
    #expect(none.orphans == 65 && none.scored == 65)
    #expect(
      none.lines.contains {
        $0.hasPrefix("every scored window (65) is an orphan (cluster -1): the run found no family")
      })
  }

  /// 150 pairs of twins in 3 weak families (members share 0.6 of a family template, twins
  /// share the rest), and 4 one-off events: more windows than references, so the references
  /// are a sample and a twin is often not among them. No twin may become an orphan.
  @Test func orphansAreSettledAgainstTheWholeClusterWhenTheReferencesAreASample() throws {
    let store = try SeisStore()
    let length = 80
    var g = SeededGenerator(seed: 21)
    let template = (0..<(3 * 2 * length)).map { _ in g.nextGaussian() }
    var windows: [WindowRecord] = []
    var truth: [String] = []
    func add(_ samples: [Float], _ label: String) {
      let (record, truthPrefix) = Self.window(windows.count, samples)
      windows.append(record)
      truth.append(truthPrefix + label)
    }
    for pair in 0..<150 {
      let family = pair % 3
      let own = (0..<(2 * length)).map { _ in g.nextGaussian() }
      for _ in 0..<2 {
        add(
          (0..<(2 * length)).map {
            Float(
              0.6 * template[family * 2 * length + $0] + 0.8 * own[$0] + 0.05 * g.nextGaussian())
          }, "f\(family)")
      }
    }
    for _ in 0..<4 { add((0..<(2 * length)).map { _ in Float(g.nextGaussian()) }, "orphan") }
    try store.replaceCurrentWindowSet(
      WindowSetRecord(
        version: "test", inputKind: .waveform, channelCount: 2, length: length, samplingRate: 10,
        parametersJson: #"{"options":{"input":"correlation"}}"#, processingJson: "[]"),
      windows: windows)
    var job = ClusterJob(clusterCount: 3, model: model(), quiet: true)
    job.orphanThreshold = 0.9
    let outcome = try job.run(store: store, logger: Logger(label: "t"))
    let stored = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: outcome.run.optionsJson)
    #expect(stored.correlationReferences?.count == CorrelationInput.maximumReferences)
    let orphans = outcome.assignments.indices.filter { outcome.assignments[$0] == -1 }
    #expect(orphans == [300, 301, 302, 303], "orphans \(orphans)")
  }

  @Test func orphansNeedCorrelationInput() throws {
    let store = try SeisStore()
    try storeFamilies(count: 30, seed: 11, store: store, correlation: false)
    var job = ClusterJob(clusterCount: 3, model: model(), quiet: true)
    job.orphanThreshold = 0.7
    #expect {
      try job.run(store: store, logger: Logger(label: "t"))
    } throws: { error in
      "\(error)".contains("--input correlation")
    }
  }

  /// Options stored before the penalty scale keep their penalties as given when a run is
  /// resumed or retrained from them; options made now weigh them per window sum.
  @Test func storedOptionsWithoutThePenaltyScaleKeepTheirPenaltiesAsGiven() throws {
    var options = ModelOptions()
    options.l2 = 1e-4
    let now = options.autoencoderConfiguration(channels: 2, length: 10)
    #expect(now.penaltiesPerWindowSum)
    #expect(abs(now.effectiveWeightPenalty.l2 - 5e-6) < 1e-18, "1e-4 / (2 x 10)")
    var json = try ClusterJob.encodeOptions(options)
    #expect(json.contains("\"penalties_per_window_sum\":true"))
    json = json.replacingOccurrences(of: "\"penalties_per_window_sum\":true,", with: "")
    let old = try ClusterJob.decodeOptions(ModelOptions.self, from: json)
    #expect(old.penaltiesPerWindowSum == nil)
    let before = old.autoencoderConfiguration(channels: 2, length: 10)
    #expect(!before.penaltiesPerWindowSum)
    #expect(before.effectiveWeightPenalty.l2 == 1e-4)
  }

  @Test func sweepRefusesCorrelationInputInOneLine() throws {
    let store = try SeisStore()
    try storeFamilies(count: 30, seed: 9, store: store)
    #expect {
      try SweepJob(
        clusterCount: 3, architectures: [], latents: [2, 4], model: model(), truth: nil,
        quiet: true
      ).run(store: store, logger: Logger(label: "t"))
    } throws: { error in
      "\(error)".contains("correlation input") && !"\(error)".contains("\n")
    }
  }
}
