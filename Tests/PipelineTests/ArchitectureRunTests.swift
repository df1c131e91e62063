import Foundation
import Logging
import Store
import Testing

@testable import Pipeline

/// `assign` and `relabel` on runs of every architecture: both rebuild the run's network (from its
/// stored parameters, or afresh through `ModelOptions.makeAutoencoder` when relabel retrains), so
/// a tcn, lstm or dense run must come back as itself and label the windows as the run did.
@Suite struct ArchitectureRunTests {
  let fixture = ClusterPipelineTests()

  func options(_ architecture: ModelOptions.ArchitectureChoice) -> ModelOptions {
    var m = fixture.model()
    m.architecture = architecture
    m.epochs = 12
    m.maxIterations = 40
    switch architecture {
    case .conv, .tcn:
      m.filters = [8, 8]
      m.kernels = [3]
    case .lstm:
      m.filters = [8]
      m.kernels = nil
      m.activation = nil
      m.learningRate = 1e-2
    case .dense:
      m.filters = [16]
      m.kernels = nil
    }
    return m
  }

  func truthFile(_ rows: [String]) throws -> WindowLabelFile {
    try WindowLabelFile(
      text: "network,station,location,time,label\n" + rows.joined(separator: "\n"), path: "t.csv")
  }

  @Test(arguments: [ModelOptions.ArchitectureChoice.tcn, .lstm, .dense])
  func assignAndRelabelWorkOnARunOfEveryArchitecture(
    _ architecture: ModelOptions.ArchitectureChoice
  ) throws {
    let store = try SeisStore()
    let logger = Logger(label: "t")
    _ = try fixture.storeWithWindows(count: 80, seed: 7, store: store)
    let run = try ClusterJob(clusterCount: 2, model: options(architecture), quiet: true)
      .run(store: store, logger: logger)
    let runID = try #require(run.run.id)
    let modelID = try #require(run.run.modelId)
    let modelRecord = try #require(try store.model(id: modelID))
    #expect(modelRecord.architectureJson.contains("\"\(architecture.rawValue)\""))

    // assign: the stored network labels 40 windows it has not seen like their families.
    let truth = try fixture.storeWithWindows(count: 120, seed: 7, store: store)
    let assigned = try AssignJob(runID: nil, quiet: true).run(store: store, logger: logger)
    #expect(assigned.assigned == 40)
    let scores = try Evaluation.evaluate(store: store, runID: runID, truth: try truthFile(truth))
      .scores
    #expect(scores.count == 120)
    #expect(scores.accuracy >= 0.9)

    // relabel: the run had one restart, so fresh networks are retrained through the factory
    // next to the steered source; the kept one is of the run's architecture and labels well.
    let given = Array(truth.prefix(16))
    let outcome = try RelabelJob(labels: try truthFile(given), clusterCount: nil, quiet: true)
      .run(store: store, logger: logger)
    #expect(outcome.classes == ["high", "low"])
    let relabelledID = try #require(outcome.run.modelId)
    let relabelled = try #require(try store.model(id: relabelledID))
    #expect(relabelled.architectureJson.contains("\"\(architecture.rawValue)\""))
    let evaluation = try Evaluation.evaluate(
      store: store, runID: nil, truth: try truthFile(truth))
    let labels = try #require(evaluation.labelAccuracy)
    #expect(labels.accuracy >= 0.9)
  }
}
