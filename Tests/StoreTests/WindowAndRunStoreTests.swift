import Foundation
import GRDB
import Seismic
import Testing

@testable import Store

@Suite struct WindowAndRunStoreTests {
  func pick(_ station: String, _ time: String, phase: String = "P") -> PickRecord {
    PickRecord(
      network: "XX", station: station, location: "", channel: "HHZ",
      time: Timestamp(iso8601: time)!, phase: phase, note: nil, origin: "test.csv")
  }

  @Test func importingTheSamePickTwiceChangesNothing() throws {
    let store = try SeisStore()
    #expect(
      try store.insertPicks([pick("A", "2026-03-01T00:00:01Z"), pick("B", "2026-03-01T00:00:02Z")])
        == 2)
    #expect(
      try store.insertPicks([
        pick("A", "2026-03-01T00:00:01Z"), pick("A", "2026-03-01T00:00:01Z", phase: "S"),
      ]) == 1)
    #expect(try store.picks().count == 3)
    #expect(try store.picks(phase: "S").map(\.station) == ["A"])
  }

  func windowSet() -> WindowSetRecord {
    WindowSetRecord(
      version: "test", inputKind: .waveform, channelCount: 2, length: 3, samplingRate: 100,
      parametersJson: "{}", processingJson: "[]")
  }

  func window(_ key: Int64, _ values: [Float]) -> WindowRecord {
    WindowRecord(
      windowSetId: 0, windowKey: key, pickId: nil, network: "XX", station: "A", location: "",
      channels: "HHZ,HHN", pickTime: Timestamp(nanoseconds: key), phase: "P", startTime: nil,
      samples: values)
  }

  @Test func aNewWindowSetBecomesCurrentAndKeepsItsSamplesInOrder() throws {
    let store = try SeisStore()
    let first = try store.replaceCurrentWindowSet(
      windowSet(), windows: [window(0, [1, 2, 3, 4, 5, 6])])
    let second = try store.replaceCurrentWindowSet(
      windowSet(), windows: [window(7, [7, 8, 9, 10, 11, 12]), window(3, [1, 1, 1, 2, 2, 2])])
    #expect(try store.currentWindowSet()?.id == second.id)
    let contents = try #require(try store.currentWindowSetContents())
    // In the order stored, whatever the ids.
    #expect(contents.windows.map(\.windowKey) == [7, 3])
    #expect(contents.samples == [7, 8, 9, 10, 11, 12, 1, 1, 1, 2, 2, 2])
    // The older set stays in the store until deleted.
    #expect(try store.windowSetContents(id: first.id!)?.samples == [1, 2, 3, 4, 5, 6])
  }

  @Test func aWindowOfTheWrongSizeIsRefusedAndNothingIsStored() throws {
    let store = try SeisStore()
    #expect(throws: StoreError.self) {
      try store.replaceCurrentWindowSet(windowSet(), windows: [window(0, [1, 2, 3])])
    }
    #expect(try store.currentWindowSet() == nil)
  }

  @Test func aRunIsCompleteOnlyWithItsAssignments() throws {
    let store = try SeisStore()
    let set = try store.replaceCurrentWindowSet(
      windowSet(), windows: [window(0, [1, 2, 3, 4, 5, 6])])
    let windowID = try #require(try store.currentWindowSetContents()?.windows.first?.id)
    var run = try store.createRun(
      RunRecord(
        kind: .cluster, windowSetId: set.id!, version: "t", seed: 0, clusterCount: 2,
        optionsJson: "{}"))
    #expect(try store.run() == nil, "a running run is not the latest complete run")
    #expect(try store.interruptedRun()?.id == run.id)
    try store.saveCheckpoint(
      CheckpointRecord(runId: run.id!, stage: "pretrain", iteration: 3, state: Data([1, 2])))
    try store.saveCheckpoint(
      CheckpointRecord(runId: run.id!, stage: "cluster", iteration: 5, state: Data([3])))
    #expect(try store.checkpoint(runID: run.id!)?.iteration == 5)
    run = try store.completeRun(
      run,
      model: ModelRecord(
        architectureJson: "{}", parameters: Data([0, 0, 0, 0]), optimizerState: nil, centroids: nil),
      assignments: [
        AssignmentRecord(
          runId: run.id!, windowId: windowID, cluster: 1, probability: 0.9, distance: 0.5,
          q: [0.1, 0.9])
      ])
    #expect(try store.run()?.id == run.id)
    #expect(try store.run()?.status == .complete)
    #expect(try store.checkpoint(runID: run.id!) == nil)
    let stored = try store.assignments(runID: run.id!)
    #expect(stored.map(\.cluster) == [1])
    #expect(stored.first?.softAssignments == [0.1, 0.9])
  }

  @Test func reopeningAStoreFileMigratesForwardWithoutWipingIt() throws {
    let dir = try TemporaryFolder()
    let path = dir.url.appendingPathComponent("s.sqlite").path
    do {
      let store = try SeisStore(path: path)
      try store.insertPicks([pick("A", "2026-03-01T00:00:01Z")])
    }
    let again = try SeisStore(path: path)
    #expect(try again.picks().count == 1)
  }
}

/// A temporary folder removed when the value is released.
final class TemporaryFolder {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "seisstore-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(at: url) }
}
