import Clustering
import Foundation
import Logging
import NeuralNetwork
import Numerics
import Store

/// The `assign` use case: a stored run's model and centroids, unchanged, give clusters to the
/// windows of the current set that the run has not assigned yet.
public struct AssignJob: Sendable {
  public struct Report: Sendable {
    public var run: RunRecord
    public var assigned: Int
    public var alreadyAssigned: Int
    public var clusterCounts: [Int]
    public var summary: String {
      "assign: run \(run.id ?? 0) gave clusters to \(assigned) new windows"
        + (alreadyAssigned > 0 ? "; skipped \(alreadyAssigned) already assigned" : "")
        + (assigned > 0
          ? " (per cluster: "
            + clusterCounts.enumerated().map { "\($0.offset): \($0.element)" }.joined(
              separator: ", ")
            + ")" : "")
    }
  }

  public var runID: Int64?
  public var quiet: Bool
  /// Windows held in memory at most (`TrainingWindows`); lowered by tests.
  var windowMemoryBytes = TrainingWindows.defaultMemoryBytes

  /// Windows encoded at a time.
  static let chunkSize = 256

  public init(runID: Int64?, quiet: Bool) {
    self.runID = runID
    self.quiet = quiet
  }

  public func run(store: SeisStore, logger: Logger) throws -> Report {
    guard let run = try store.run(id: runID), run.status == .complete, let id = run.id else {
      throw InputError(
        path: store.path,
        reason: runID.map { "no complete run \($0)" }
          ?? "no complete run: run `seiscluster cluster` first")
    }
    let stored = try StoredModel.load(for: run, from: store)
    let model = stored.model
    guard !stored.centroids.isEmpty else {
      throw InputError(path: store.path, reason: "run \(id) has no stored centroids")
    }
    guard
      let contents = try store.currentWindowSetReader().map({
        TrainingWindows(reader: $0, memoryBytes: windowMemoryBytes)
      })
    else {
      throw InputError(
        path: store.path, reason: "no current window set: run `seiscluster windows build`")
    }
    let runOptions = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: run.optionsJson)
    if let references = runOptions.correlationReferences {
      guard let referenceSet = try store.windowSetReader(id: run.windowSetId) else {
        throw InputError(
          path: store.path,
          reason: "run \(id) correlates with windows of set \(run.windowSetId), which is deleted")
      }
      try contents.useCorrelation(references: references, of: referenceSet, quiet: quiet)
    }
    guard contents.networkChannels == model.inputChannels,
      contents.networkLength == model.inputLength
    else {
      throw InputError(
        path: store.path,
        reason:
          "the current windows are \(contents.networkChannels) x \(contents.networkLength) but run \(id)'s model takes \(model.inputChannels) x \(model.inputLength): build them with the run's window options"
      )
    }

    // Windows already assigned by this run: by id, and by pick (a rebuilt set has new ids).
    let existing = try store.assignments(runID: id)
    let assignedIDs = Set(existing.map(\.windowId))
    let assignedWindows = try store.windows(ids: Array(assignedIDs))
    struct PickKey: Hashable {
      var network, station, location, phase: String
      var time: Int64?
    }
    func key(_ w: WindowRecord) -> PickKey {
      PickKey(
        network: w.network, station: w.station, location: w.location, phase: w.phase,
        time: w.pickTimeNs)
    }
    let assignedPicks = Set(assignedWindows.filter { $0.pickTimeNs != nil }.map(key))
    var pending: [Int] = []
    for (i, w) in contents.windows.enumerated() {
      guard let wid = w.id, !assignedIDs.contains(wid) else { continue }
      if w.pickTimeNs != nil && assignedPicks.contains(key(w)) { continue }
      pending.append(i)
    }
    let progress = Progress(label: "assign", total: pending.count, quiet: quiet)
    let assignment: ClusterAssignment
    do {
      assignment = try ClusterAssignment(
        model: model, windows: try contents.source(), indices: pending,
        centroids: stored.centroids, chunkSize: Self.chunkSize, progress: { progress.update($0) })
    } catch ClusteringError.nonFinite {
      throw InputError(path: store.path, reason: "a window of the current set holds NaN or Inf")
    }
    progress.finish()
    let records = assignment.records(
      runID: id, windowIDs: pending.map { contents.windows[$0].id ?? 0 })
    try store.addAssignments(records)
    logger.debug("assigned \(records.count) windows with run \(id)")
    return Report(
      run: run, assigned: records.count, alreadyAssigned: contents.count - pending.count,
      clusterCounts: assignment.clusterSizes)
  }
}
