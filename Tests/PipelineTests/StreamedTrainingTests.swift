import Clustering
import Foundation
import Logging
import Numerics
import Store
import Testing

@testable import Pipeline

/// `cluster` on window sets larger than its memory budget: read from the store in shuffled
/// blocks (docs/decisions/0017-streamed-training.md). Budgets are lowered so that sets of a few
/// hundred 2 x 64 windows (512 bytes each) stream.
@Suite struct StreamedTrainingTests {
  let base = ClusterPipelineTests()

  func cluster(_ store: SeisStore, memory: Int?, model: ModelOptions) throws -> ClusterOutcome {
    var job = ClusterJob(clusterCount: 2, model: model, quiet: true)
    if let memory { job.windowMemoryBytes = memory }
    return try job.run(store: store, logger: Logger(label: "t"))
  }

  @Test func aSetStreamedInOneBlockTrainsExactlyAsInMemory() throws {
    var m = base.model()
    m.epochs = 8
    m.maxIterations = 60
    let held = try SeisStore()
    _ = try base.storeWithWindows(count: 60, seed: 4, store: held)
    let streamed = try SeisStore()
    _ = try base.storeWithWindows(count: 60, seed: 4, store: streamed)
    let reader = try #require(try streamed.currentWindowSetReader())
    #expect(TrainingWindows(reader: reader, memoryBytes: 1024).isStreamed)
    #expect(!TrainingWindows(reader: reader).isStreamed)

    let a = try cluster(held, memory: nil, model: m)
    let b = try cluster(streamed, memory: 1024, model: m)
    #expect(a.assignments == b.assignments)
    #expect(a.probabilities == b.probabilities)
  }

  /// With restarts, the input-separation sample is read from the store in runs; it measures
  /// what the held set measures.
  @Test func restartsOnAStreamedSetMeasureTheInputAsInMemory() throws {
    var m = base.model()
    m.epochs = 8
    m.maxIterations = 60
    m.restarts = 2
    let held = try SeisStore()
    _ = try base.storeWithWindows(count: 60, seed: 4, store: held)
    let streamed = try SeisStore()
    _ = try base.storeWithWindows(count: 60, seed: 4, store: streamed)
    let a = try cluster(held, memory: nil, model: m)
    let b = try cluster(streamed, memory: 1024, model: m)
    #expect(a.restarts.restarts.allSatisfy { $0.inputSeparation != nil })
    #expect(a.restarts == b.restarts)
    #expect(a.assignments == b.assignments)
  }

  @Test func aSetStreamedInManyBlocksFindsTheSameFamilies() throws {
    let store = try SeisStore()
    let truthRows = try base.storeWithWindows(count: 240, seed: 11, store: store)
    let reader = try #require(try store.currentWindowSetReader())
    let source = StoredWindowSource(reader: reader, memoryBytes: 16 << 10)
    #expect(source.blockSize == 64 && source.chunkSize == 8)
    let streamed = try cluster(store, memory: 16 << 10, model: base.model())
    let truth = try WindowLabelFile(
      text: "network,station,location,time,label\n" + truthRows.joined(separator: "\n"),
      path: "t.csv")
    let evaluation = try Evaluation.evaluate(store: store, runID: streamed.run.id, truth: truth)
    #expect(evaluation.scores.accuracy >= 0.95)
    let held = try cluster(store, memory: nil, model: base.model())
    let agreement = try ClusteringMetrics.adjustedRandIndex(
      truth: held.assignments, predicted: streamed.assignments)
    #expect(agreement >= 0.9)
  }

  @Test func blockOrderVisitsEveryWindowOnceInWholeChunksAndReadsEachChunkOnce() throws {
    let store = try SeisStore()
    _ = try base.storeWithWindows(count: 203, seed: 3, store: store)
    let reader = try #require(try store.currentWindowSetReader())
    let source = StoredWindowSource(reader: reader, memoryBytes: 16 << 10)
    var g = SeededGenerator(seed: 1)
    let order = source.trainingOrder(using: &g)
    #expect(order.sorted() == Array(0..<203))
    // Each chunk of consecutive windows is visited within one block's span of the order.
    var positions: [Int: [Int]] = [:]
    for (position, window) in order.enumerated() {
      positions[window / source.chunkSize, default: []].append(position)
    }
    for (_, p) in positions { #expect(p.max()! - p.min()! < source.blockSize) }
    // Batches along the order copy the right samples and read every chunk once.
    let size = reader.valuesPerWindow
    var all = [Float](repeating: 0, count: 203 * size)
    try all.withUnsafeMutableBufferPointer { try reader.samples(range: 0..<203, into: $0) }
    var batch = [Float](repeating: 0, count: 32 * size)
    var start = 0
    while start + 32 <= order.count {
      let indices = order[start..<(start + 32)]
      try batch.withUnsafeMutableBufferPointer { try source.copyWindows(at: indices, into: $0) }
      for (row, index) in indices.enumerated() {
        #expect(
          batch[(row * size)..<((row + 1) * size)] == all[(index * size)..<((index + 1) * size)])
      }
      start += 32
    }
    #expect(source.chunkReads <= (203 + source.chunkSize - 1) / source.chunkSize)
  }

  @Test func aStreamedRunKilledMidTrainingResumesToTheSameLabels() throws {
    var m = base.model()
    m.epochs = 6
    m.maxIterations = 60
    m.tol = 0
    let memory = 16 << 10
    let full = try SeisStore()
    _ = try base.storeWithWindows(count: 160, seed: 8, store: full)
    let expected = try cluster(full, memory: memory, model: m)

    let store = try SeisStore()
    _ = try base.storeWithWindows(count: 160, seed: 8, store: store)
    struct Killed: Error {}
    var dying = ClusterJob(clusterCount: 2, model: m, quiet: true, checkpointSeconds: 0)
    dying.windowMemoryBytes = memory
    dying.afterCheckpoint = { stored in if stored >= 9 { throw Killed() } }
    #expect(throws: Killed.self) { try dying.run(store: store, logger: Logger(label: "t")) }
    // Resumed under the default budget: the run's own budget (stored) decides the order.
    let resumed = try ClusterJob(clusterCount: 2, model: ModelOptions(), quiet: true, resume: true)
      .run(store: store, logger: Logger(label: "t"))
    #expect(resumed.assignments == expected.assignments)
    #expect(resumed.probabilities == expected.probabilities)
  }

  @Test func assignReadsAStreamedSetToTheSameClustersAsAHeldOne() throws {
    let store = try SeisStore()
    _ = try base.storeWithWindows(count: 120, seed: 5, store: store)
    var m = base.model()
    m.epochs = 5
    let run = try cluster(store, memory: nil, model: m)
    _ = try base.storeWithWindows(count: 300, seed: 5, store: store)
    var job = AssignJob(runID: nil, quiet: true)
    job.windowMemoryBytes = 16 << 10
    let report = try job.run(store: store, logger: Logger(label: "t"))
    #expect(report.assigned == 180)
    let streamed = try store.assignments(runID: run.run.id!)
    #expect(streamed.count == 300)
  }

  @Test func withoutEpochsALargeSetTrainsOnABudgetOfWindowsSeen() {
    var m = ModelOptions()
    m.pretrainingWindows = ModelOptions.defaultPretrainingWindows
    var small = m
    small.applyWindowBudget(windowCount: 20_000)
    #expect(small.epochs == 30)
    var large = m
    large.applyWindowBudget(windowCount: 200_000)
    #expect(large.epochs == 3)
    var huge = m
    huge.applyWindowBudget(windowCount: 1_200_000)
    #expect(huge.epochs == 1)
    var given = ModelOptions()
    given.epochs = 30
    given.applyWindowBudget(windowCount: 200_000)
    #expect(given.epochs == 30, "--epochs keeps its meaning")
  }
}

@Suite struct BoundedReportTests {
  @Test func aReportHoldsTheMostConfidentMembersThatFitItsBudgetAndTheLeastConfident() throws {
    let store = try SeisStore()
    _ = try ClusterPipelineTests().storeWithWindows(count: 100, seed: 3, store: store)
    var m = ClusterPipelineTests().model()
    m.epochs = 2
    m.maxIterations = 10
    _ = try ClusterJob(clusterCount: 2, model: m, quiet: true)
      .run(store: store, logger: Logger(label: "t"))
    let catalog = try Catalog.load(from: store, runID: nil)
    let reader = try #require(try store.currentWindowSetReader())
    let rowOfKey = Dictionary(
      uniqueKeysWithValues: reader.windows.enumerated().map { ($1.windowKey, $0) })
    let rows = catalog.entries.map { rowOfKey[$0.windowID] }
    // 2 clusters x 10 windows of 512 bytes.
    let (contents, held) = try HTMLReport.samples(
      of: catalog, rows: rows, reader: reader, budgetBytes: 2 * 10 * 512)
    #expect(contents.windows.count == 100)
    // The 10 most confident per cluster fit the budget; the 8 least confident come on top.
    #expect(contents.samples.count == 2 * (10 + HTMLReport.membersShown) * 128)
    for k in 0..<2 {
      let members = catalog.entries.indices.filter { catalog.entries[$0].cluster == k }
        .sorted { catalog.entries[$0].probability > catalog.entries[$1].probability }
      #expect(members.prefix(10).allSatisfy { held[$0] != nil })
      #expect(members.suffix(HTMLReport.membersShown).allSatisfy { held[$0] != nil })
      #expect(
        members.dropFirst(10).dropLast(HTMLReport.membersShown).allSatisfy { held[$0] == nil })
      // A held row carries that window's samples.
      let e = members[0]
      var expected = [Float](repeating: 0, count: 128)
      try expected.withUnsafeMutableBufferPointer {
        try reader.samples(ordinals: [rows[e]!], into: $0)
      }
      let row = held[e]!
      #expect(Array(contents.samples[(row * 128)..<((row + 1) * 128)]) == expected)
    }
    // Under the default budget every window is held.
    let (all, everyRow) = try HTMLReport.samples(of: catalog, rows: rows, reader: reader)
    #expect(all.samples.count == 100 * 128 && everyRow.allSatisfy { $0 != nil })
  }
}
