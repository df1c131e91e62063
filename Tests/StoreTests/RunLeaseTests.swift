import Foundation
import GRDB
import Testing

@testable import Store

/// A live run is marked so that no second process resumes it or calls it interrupted, and the
/// mark goes when the process does (issue 17, item 12). Two `SeisStore` objects on one file
/// exclude each other as two processes do (`flock` locks belong to open file descriptions);
/// the kill -9 case with real processes is in `CommandLineTests`.
@Suite struct RunLeaseTests {
  func storePath() throws -> (URL, String) {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("run-lease-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (dir, dir.appendingPathComponent("s.sqlite").path)
  }

  func newRun(_ store: SeisStore) throws -> RunRecord {
    let set = try store.replaceCurrentWindowSet(
      WindowSetRecord(
        version: "t", inputKind: .waveform, channelCount: 1, length: 2, samplingRate: 100,
        parametersJson: "{}", processingJson: "[]"),
      windows: [
        WindowRecord(
          windowSetId: 0, windowKey: 0, pickId: nil, network: "XX", station: "A", location: "",
          channels: "HHZ", pickTime: nil, phase: "P", startTime: nil, samples: [1, 2])
      ])
    return try store.createRun(
      RunRecord(
        kind: .cluster, windowSetId: set.id!, version: "t", seed: 0, clusterCount: 1,
        optionsJson: "{}"))
  }

  func model() -> ModelRecord {
    ModelRecord(architectureJson: "{}", parameters: Data([1]), optimizerState: nil, centroids: nil)
  }

  @Test func aLiveRunIsNeitherInterruptedNorClaimableElsewhere() throws {
    let (dir, path) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = try SeisStore(path: path)
    let run = try newRun(first)
    let second = try SeisStore(path: path)
    #expect(second.isLive(runID: run.id!))
    #expect(try second.interruptedRun() == nil)
    #expect(try second.claimInterruptedRun() == nil)
    #expect(try first.interruptedRun() == nil, "its own live run is not interrupted either")
    _ = try first.completeRun(run, model: model(), assignments: [])
    #expect(!FileManager.default.fileExists(atPath: "\(path)-run\(run.id!).lock"))
    #expect(!second.isLive(runID: run.id!))
  }

  @Test func aLiveRunIsLiveThroughASymbolicLinkToTheStoreAndAnotherRelativePath() throws {
    let (dir, path) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = try SeisStore(path: path)
    let run = try newRun(first)
    let link = dir.appendingPathComponent("link.sqlite").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "s.sqlite")
    let linked = try SeisStore(path: link)
    #expect(linked.isLive(runID: run.id!))
    #expect(try linked.interruptedRun() == nil)
    #expect(try linked.claimInterruptedRun() == nil, "the live run is not resumed through the link")
    let dotted = try SeisStore(path: dir.appendingPathComponent("./s.sqlite").path)
    #expect(dotted.isLive(runID: run.id!))
    _ = try first.completeRun(run, model: model(), assignments: [])
    #expect(!linked.isLive(runID: run.id!))
    #expect(!FileManager.default.fileExists(atPath: "\(link)-run\(run.id!).lock"))
  }

  @Test func anIncompleteRunIsNamedWithWhatToDo() throws {
    let (dir, path) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    let live = try SeisStore(path: path)
    let run = try newRun(live)
    let other = try SeisStore(path: path)
    #expect(
      try SeisStore().incompleteRunReason(id: nil)
        == "no complete run in the store: run `seiscluster cluster` first")
    // With a run under way (or interrupted), that run is named: "run cluster first" would
    // start another (an adversarial sweep).
    #expect(
      try other.incompleteRunReason(id: nil)
        == "no complete run in the store: run \(run.id!) is still running in another process: wait for it to finish"
    )
    #expect(try other.incompleteRunReason(id: 9) == "no run 9 in the store")
    #expect(
      try other.incompleteRunReason(id: run.id)
        == "run \(run.id!) is still running in another process: wait for it to finish")
    var dying: SeisStore? = try SeisStore(path: path)
    let relabel = try dying!.createRun(
      RunRecord(
        kind: .relabel, parentRunId: run.id, windowSetId: run.windowSetId, version: "t", seed: 0,
        clusterCount: 1, optionsJson: "{}"))
    dying = nil
    #expect(
      try other.incompleteRunReason(id: relabel.id)
        == "run \(relabel.id!) was interrupted: run `seiscluster relabel` again")
    _ = try live.completeRun(run, model: model(), assignments: [])
    #expect(try other.incompleteRunReason(id: run.id) == nil)
    #expect(try other.incompleteRunReason(id: nil) == nil)
    // A failed run keeps no checkpoint: nothing resumes it (it stayed, megabytes of it).
    try other.saveCheckpoint(
      CheckpointRecord(runId: relabel.id!, stage: "pretrain", iteration: 1, state: Data([1, 2])))
    var failed = relabel
    failed.status = .failed
    try other.updateRun(failed)
    #expect(
      try other.incompleteRunReason(id: relabel.id)
        == "run \(relabel.id!) failed: it holds no result")
    #expect(try other.checkpoint(runID: relabel.id!) == nil)
  }

  @Test func anInterruptedClusterRunIsNamedWithItsResume() throws {
    let (dir, path) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    var dying: SeisStore? = try SeisStore(path: path)
    let run = try newRun(dying!)
    dying = nil
    let store = try SeisStore(path: path)
    #expect(
      try store.incompleteRunReason(id: run.id)
        == "run \(run.id!) was interrupted: `seiscluster cluster --resume` finishes it")
  }

  @Test func aPathWithDotDotAfterALinkIsTheFileTheKernelOpens() throws {
    // d/sublink -> d/real/sub; d/sublink/../s.sqlite is d/real/s.sqlite, not d/s.sqlite.
    let (dir, _) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    let sub = dir.appendingPathComponent("real/sub")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent("sublink").path, withDestinationPath: sub.path)
    let direct = try SeisStore(path: dir.appendingPathComponent("real/s.sqlite").path)
    let run = try newRun(direct)
    let dotted = try SeisStore(path: dir.path + "/sublink/../s.sqlite")
    #expect(dotted.isLive(runID: run.id!))
    #expect(try dotted.claimInterruptedRun() == nil)
    _ = try direct.completeRun(run, model: model(), assignments: [])
  }

  @Test func aRunWhoseProcessEndedIsInterruptedAndOneProcessClaimsIt() throws {
    let (dir, path) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    var dying: SeisStore? = try SeisStore(path: path)
    let run = try newRun(dying!)
    dying = nil  // as a killed process: its descriptors close, the kernel drops the lock
    let a = try SeisStore(path: path)
    let b = try SeisStore(path: path)
    #expect(try a.interruptedRun()?.id == run.id)
    #expect(try a.claimInterruptedRun()?.id == run.id)
    #expect(try b.interruptedRun() == nil, "claimed by a: live again")
    #expect(try b.claimInterruptedRun() == nil)
    _ = try a.completeRun(run, model: model(), assignments: [])
    #expect(try b.interruptedRun() == nil)
  }

  @Test func aRunCompletesOnceAndNoSecondModelIsStored() throws {
    let (dir, path) = try storePath()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = try SeisStore(path: path)
    let run = try newRun(a)
    let b = try SeisStore(path: path)
    // b computed the same run without its lease (as before leases): it cannot complete it.
    #expect(throws: StoreError.self) { try b.completeRun(run, model: model(), assignments: []) }
    _ = try a.completeRun(run, model: model(), assignments: [])
    #expect(throws: StoreError.self) { try b.completeRun(run, model: model(), assignments: []) }
    #expect(try a.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM models") } == 1)
    #expect(try a.check().isEmpty)
  }

  @Test func checkReportsAModelThatBelongsToNoRun() throws {
    let store = try SeisStore()
    _ = try newRun(store)
    try store.writer.write { db in
      var orphan = model()
      try orphan.insert(db)
    }
    #expect(try store.check() == ["orphan: model 1 belongs to no run"])
  }
}
