import Foundation
import Logging
import Seismic
import Store
import Testing

@testable import Pipeline

extension ClusterPipelineTests {
  /// `assign` of windows unlike any the run was trained on (stop 40's sweep: windows scaled by
  /// 1e30 were all given cluster 0, p 0.5, without a word) names how many lie far from every
  /// centroid; windows like the run's own do not.
  @Test func assignNamesWindowsFarFromEveryCentroid() throws {
    // Not tanh: tanh layers saturate, so that far inputs land on bounded codes, and the check
    // on the code's distance does not see them.
    let store = try storeWithARun(count: 40, seed: 3, epochs: 6, maxIterations: 30) {
      $0.activation = .relu
    }
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

extension ClusterPipelineTests {
  /// Windows imported with their index that have the pick of a window the run assigned are
  /// skipped as assigned; where their samples differ (edited elsewhere), a warning counts them
  /// (stop 40's sweep: 40 edited windows were skipped without a word, while the same windows
  /// with an id-only index were refused).
  @Test func assignNamesImportedWindowsOfAnAssignedPickWithOtherSamples() throws {
    let store = try storeWithARun(count: 30, seed: 3, epochs: 4, maxIterations: 20)
    let all = try #require(try store.currentWindowSetContents())
    let size = all.windowSize
    func importCopies(_ transform: (Float) -> Float) throws {
      let windows = all.windows.enumerated().map { i, w in
        WindowRecord(
          windowSetId: 0, windowKey: w.windowKey + 1000, pickId: nil, network: w.network,
          station: w.station, location: w.location, channels: w.channels,
          pickTime: w.pickTimeNs.map { Timestamp(nanoseconds: $0) }, phase: w.phase,
          startTime: nil, samples: all.samples[(i * size)..<((i + 1) * size)].map(transform))
      }
      try store.replaceCurrentWindowSet(
        WindowSetRecord(
          version: "test", inputKind: .imported, channelCount: 2, length: 64,
          samplingRate: 10, parametersJson: "{}", processingJson: "[]"), windows: windows)
    }
    try importCopies { $0 }
    let same = try AssignJob(runID: nil, quiet: true).run(store: store, logger: Logger(label: "t"))
    #expect(same.assigned == 0 && same.alreadyAssigned == 30 && same.skippedOtherSamples == 0)
    #expect(same.otherSamplesWarning == nil)
    try importCopies { -$0 }
    let edited = try AssignJob(runID: nil, quiet: true).run(
      store: store, logger: Logger(label: "t"))
    #expect(edited.assigned == 0 && edited.skippedOtherSamples == 30)
    // Counted once in the summary (a sweep read "skipped 300 already assigned" beside 1 with
    // other samples, of 300).
    #expect(
      edited.summary
        == "assign: run 1 gave clusters to 0 new windows; skipped 30 with an assigned pick but other samples"
    )
    #expect(
      same.summary == "assign: run 1 gave clusters to 0 new windows; skipped 30 already assigned")
    #expect(
      edited.otherSamplesWarning?.hasPrefix(
        "30 windows of the current set have the pick of a window run 1 assigned but other samples"
      ) == true)
  }
}
