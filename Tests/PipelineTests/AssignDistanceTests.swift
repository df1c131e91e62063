import Foundation
import Logging
import Store
import Testing

@testable import Pipeline

extension ClusterPipelineTests {
  /// `assign` of windows unlike any the run was trained on (stop 40's sweep: windows scaled by
  /// 1e30 were all given cluster 0, p 0.5, without a word) names how many lie far from every
  /// centroid; windows like the run's own do not.
  @Test func assignNamesWindowsFarFromEveryCentroid() throws {
    let store = try SeisStore()
    _ = try storeWithWindows(count: 40, seed: 3, store: store)
    var m = model()
    m.epochs = 6
    m.maxIterations = 30
    // The default activation: tanh layers saturate, so that far inputs land on bounded codes,
    // and the check on the code's distance does not see them.
    m.activation = .relu
    _ = try ClusterJob(clusterCount: 2, model: m, quiet: true).run(
      store: store, logger: Logger(label: "t"))
    _ = try storeWithWindows(count: 20, seed: 11, store: store, offset: 100)
    let alike = try AssignJob(runID: nil, quiet: true).run(store: store, logger: Logger(label: "t"))
    #expect(alike.assigned == 20 && alike.farWindows == 0 && alike.farWarning == nil)
    _ = try storeWithWindows(
      count: 10, seed: 12, store: store, offset: 200, response: { _ in 1e6 })
    let far = try AssignJob(runID: nil, quiet: true).run(store: store, logger: Logger(label: "t"))
    #expect(far.assigned == 10 && far.farWindows == 10)
    #expect(far.farthestBefore > 0 && far.farthestBefore.isFinite)
    #expect(
      far.farWarning?.hasPrefix(
        "10 of the 10 new windows lie farther from every centroid than 2 times the farthest of run 1's own windows"
      ) == true)
    // A second far batch is named too (a review: the first batch had raised the yardstick).
    _ = try storeWithWindows(
      count: 10, seed: 13, store: store, offset: 300, response: { _ in 1e6 })
    let again = try AssignJob(runID: nil, quiet: true).run(store: store, logger: Logger(label: "t"))
    #expect(again.assigned == 10 && again.farWindows == 10)
    #expect(again.farthestBefore == far.farthestBefore)
  }
}
