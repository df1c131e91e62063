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
    /// New windows made orphans (runs made with `--orphans`).
    public var orphans = 0
    /// Windows skipped because the run assigned a window of their pick, whose samples differ
    /// from it (edited elsewhere and imported with their index): left unclassified.
    public var skippedOtherSamples = 0

    /// The warning about them, if any.
    public var otherSamplesWarning: String? {
      guard skippedOtherSamples > 0 else { return nil }
      let n = skippedOtherSamples
      return
        "\(n) window\(n == 1 ? "" : "s") of the current set \(n == 1 ? "has" : "have") the pick of a window run \(run.id ?? 0) assigned but other samples: skipped, unclassified (the run's catalog holds one window per pick); cluster them in a run of their own"
    }
    /// New windows given a cluster farther from every centroid than `farFactor` times the
    /// farthest of the run's own windows (its window set's, orphans aside), and that distance:
    /// windows unlike any the model was trained on (other preprocessing, other scaling, other
    /// data), given a cluster all the same. Models with tanh layers (`--activation tanh`,
    /// `--loss bce`) bound their codes, and such windows may pass unseen there.
    public var farWindows = 0
    public var farthestBefore = 0.0

    /// The warning about windows far from every cluster, if any.
    public var farWarning: String? {
      guard farWindows > 0 else { return nil }
      return String(
        format:
          "%d of the %d new windows lie farther from every centroid than %g times the farthest of run %lld's own windows (%.4g): they are unlike the windows its model was trained on (other preprocessing, scaling or data?), and their clusters mean little",
        farWindows, assigned, AssignJob.farFactor, run.id ?? 0, farthestBefore)
    }
    /// One line, the command's last: windows with an assigned pick but other samples are
    /// counted apart from those already assigned (a sweep read 300 + 1 of 300 windows).
    public var summary: String {
      let same = alreadyAssigned - skippedOtherSamples
      return "assign: run \(run.id ?? 0) gave clusters to \(assigned) new windows"
        + (same > 0 ? "; skipped \(same) already assigned" : "")
        + (skippedOtherSamples > 0
          ? "; skipped \(skippedOtherSamples) with an assigned pick but other samples" : "")
        + (assigned > 0
          ? " (per cluster: "
            + clusterCounts.enumerated().map { "\($0.offset): \($0.element)" }.joined(
              separator: ", ")
            + (orphans > 0 ? ", orphans: \(orphans)" : "") + ")" : "")
    }
  }

  public var runID: Int64?
  public var quiet: Bool
  /// The window set whose windows are assigned: the current one when nil. `relabel` names the
  /// sets `assign` took windows of for its source run.
  var windowSetID: Int64?
  /// When given, only these windows (ids) of the set are assigned.
  var onlyWindows: Set<Int64>?
  /// Hand labels (class names, by window id) a relabel run gives windows it did not train on:
  /// recorded as their labels, as relabel records the hand labels of its own set.
  var handLabels: [Int64: String] = [:]
  /// Windows held in memory at most (`TrainingWindows`); lowered by tests.
  var windowMemoryBytes = TrainingWindows.defaultMemoryBytes

  /// Windows encoded at a time.
  static let chunkSize = 256

  /// How much farther than the farthest window a run had assigned a new window must lie from
  /// every centroid to be called unlike them.
  public static let farFactor = 2.0

  /// Per pair of windows, whether both are stored with the same samples; read 256 pairs at a
  /// time, so memory stays bounded whatever the count.
  static func sameSamples(_ pairs: [(WindowRecord, WindowRecord)], _ store: SeisStore) throws
    -> [Bool]
  {
    var alike: [Bool] = []
    alike.reserveCapacity(pairs.count)
    for start in stride(from: 0, to: pairs.count, by: 256) {
      let chunk = pairs[start..<min(pairs.count, start + 256)]
      let data = try store.windowData(ids: chunk.flatMap { [$0.0.id, $0.1.id].compactMap { $0 } })
      for (a, b) in chunk {
        let mine = a.id.flatMap { data[$0] }
        alike.append(mine != nil && mine == b.id.flatMap { data[$0] })
      }
    }
    return alike
  }

  public init(runID: Int64?, quiet: Bool) {
    self.runID = runID
    self.quiet = quiet
  }

  public func run(store: SeisStore, logger: Logger) throws -> Report {
    if let reason = try store.incompleteRunReason(id: runID) {
      throw InputError(path: store.path, reason: reason)
    }
    guard let run = try store.run(id: runID), run.status == .complete, let id = run.id else {
      throw InputError(path: store.path, reason: "no complete run in the store")
    }
    let stored = try StoredModel.load(for: run, from: store)
    let model = stored.model
    guard !stored.centroids.isEmpty else {
      throw InputError(path: store.path, reason: "run \(id) has no stored centroids")
    }
    let reader =
      try windowSetID.map { try store.windowSetReader(id: $0) } ?? store.currentWindowSetReader()
    guard
      let contents = reader.map({
        TrainingWindows(reader: $0, memoryBytes: windowMemoryBytes)
      })
    else {
      if let windowSetID {
        throw InputError(path: store.path, reason: "window set \(windowSetID) is deleted")
      }
      throw InputError(
        path: store.path, reason: "no current window set: run `seiscluster windows build`")
    }
    // Cluster and relabel runs both store these (relabel: its source's references).
    struct CorrelationOptions: Decodable {
      var correlationReferences: [Int]?
      var orphans: Double?
      /// A relabel run's class names (one per cluster): new windows are named too.
      var classes: [String]?
      /// The level the run scaled its windows to (decision 0024): new windows get it too.
      var windowLevelTarget: Double?
      var windowLevelPower: Double?
    }
    let runOptions =
      (try? ClusterJob.decodeOptions(CorrelationOptions.self, from: run.optionsJson))
      ?? CorrelationOptions()
    var referenceSet: WindowSetReader?
    if let references = runOptions.correlationReferences {
      guard let set = try store.windowSetReader(id: run.windowSetId) else {
        throw InputError(
          path: store.path,
          reason: "run \(id) correlates with windows of set \(run.windowSetId), which is deleted")
      }
      referenceSet = set
      try contents.useCorrelation(references: references, of: set, quiet: quiet)
    }
    // The new windows scaled as the run's were (decision 0024).
    if contents.profiles == nil {
      contents.useLevel(
        WindowLevelScale.stored(
          target: runOptions.windowLevelTarget, power: runOptions.windowLevelPower))
    }
    // Windows cut or preprocessed otherwise than the run's own look like other data to its
    // network: refused, as a shape mismatch is (selection may differ; imported sets carry no
    // options and are not compared).
    if let runSet = try store.windowSet(id: run.windowSetId),
      let trained = runSet.buildOptions, let current = contents.windowSet.buildOptions
    {
      let differences = current.preprocessingDifferences(from: trained)
      if !differences.isEmpty {
        throw InputError(
          path: store.path,
          reason:
            "the current windows were built with \(differences.joined(separator: ", ")) where run \(id) was trained on the values in parentheses: build them with the run's window options"
        )
      }
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
    // Values the network cannot take in float32 put every window at an infinite distance from
    // every centroid, in cluster 0 at probability 0.5 (a review): refused as `cluster` refuses
    // them.
    try contents.survey(distinctUpTo: 1).refuseLargeValues(
      windowSet: contents.windowSet.id ?? 0,
      imported: contents.windowSet.inputKind == .imported, store: store.path)

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
    let assignedByPick = Dictionary(
      assignedWindows.filter { $0.pickTimeNs != nil }.map { (key($0), $0) },
      uniquingKeysWith: { a, _ in a })
    // A window id names one window in the run's catalog, which may span sets. A window whose
    // id an assigned window of another set already has is that window imported again (the
    // same samples: already assigned) or another window, refused: the catalog would name two
    // windows alike.
    let assignedByKey = Dictionary(
      assignedWindows.map { ($0.windowKey, $0) }, uniquingKeysWith: { a, _ in a })
    var candidates: [Int] = []
    var pickTwins: [(window: WindowRecord, assigned: WindowRecord)] = []
    let importedSet = contents.windowSet.inputKind == .imported
    var collisions: [(ordinal: Int, window: WindowRecord, other: WindowRecord)] = []
    for (i, w) in contents.windows.enumerated() {
      guard let wid = w.id, !assignedIDs.contains(wid), onlyWindows?.contains(wid) ?? true else {
        continue
      }
      if w.pickTimeNs != nil, let twin = assignedByPick[key(w)] {
        // The same pick: already assigned. Samples that differ (windows edited elsewhere and
        // imported with their index) are counted, as they are skipped unclassified.
        // Built sets are cut with the run's options (checked above), so only imported ones
        // are compared: a rebuilt set of 32 k windows would be read twice for nothing.
        if importedSet, twin.windowSetId != w.windowSetId { pickTwins.append((w, twin)) }
        continue
      }
      if let other = assignedByKey[w.windowKey] { collisions.append((i, w, other)) }
      candidates.append(i)
    }
    // The colliding windows' samples, compared.
    var reimported = Set<Int>()
    let collisionsAlike = try Self.sameSamples(collisions.map { ($0.window, $0.other) }, store)
    for ((i, w, other), alike) in zip(collisions, collisionsAlike) {
      if alike {
        reimported.insert(i)
        continue
      }
      // Built windows have taken their pick's id since decision 0021; a built window whose
      // id is not its pick's (or whose pick is gone) comes from a set built before, numbered
      // 0..N-1.
      let otherSetWasBuilt =
        try store.windowSet(id: other.windowSetId).map { $0.inputKind != .imported } ?? false
      if otherSetWasBuilt && other.pickId != other.windowKey {
        throw InputError(
          path: store.path,
          reason:
            "window_id \(w.windowKey) of the current set is also window \(other.windowKey) of set \(other.windowSetId) in run \(id)'s catalog, which an earlier version numbered 0..N-1: run `cluster` on the current set to cluster its windows together"
        )
      }
      throw InputError(
        path: store.path,
        reason:
          "window_id \(w.windowKey) of the current set names another window (of set \(other.windowSetId)) in run \(id)'s catalog: import the windows with ids of their own (an --index), or cluster them in a run of their own"
      )
    }
    let pending = candidates.filter { !reimported.contains($0) }
    let skippedOtherSamples = try Self.sameSamples(pickTwins, store).filter { !$0 }.count
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
    // A relabel run names every cluster (its classes, then `unlabelled-N`).
    let names = runOptions.classes.flatMap {
      $0.count >= assignment.clusterSizes.count ? $0 : nil
    }
    var records = assignment.records(
      runID: id, windowIDs: pending.map { contents.windows[$0].id ?? 0 },
      classes: names.map { classNames in
        .init(
          names: classNames,
          handLabels: pending.map { i in
            contents.windows[i].id.flatMap { handLabels[$0] }.flatMap(classNames.firstIndex(of:))
          })
      })
    // A run made with --orphans: a new window is an orphan when its peak correlation with
    // every reference of its cluster (the run's family members it is compared with) is below
    // the run's threshold.
    if let threshold = runOptions.orphans, let references = runOptions.correlationReferences,
      let profiles = contents.profiles, let referenceSet
    {
      let clusterOfWindow = Dictionary(
        existing.map { ($0.windowId, $0.cluster) }, uniquingKeysWith: { a, _ in a })
      let referenceClusters = references.map { ordinal in
        referenceSet.windows[ordinal].id.flatMap { clusterOfWindow[$0] } ?? -1
      }
      let m = profiles.length
      for (row, i) in pending.enumerated() where records[row].cluster >= 0 {
        var best = -Float.infinity
        for (r, cluster) in referenceClusters.enumerated() where cluster == records[row].cluster {
          best = max(best, profiles.tensor.values[i * m + r])
        }
        if Double(best) < threshold {
          records[row].cluster = -1
          if names != nil {
            records[row].label = RelabelJob.orphanLabel
            records[row].labelProbability = nil
          }
        }
      }
    }
    try store.addAssignments(records)
    logger.debug("assigned \(records.count) windows with run \(id)")
    var counts = [Int](repeating: 0, count: assignment.clusterSizes.count)
    for r in records where r.cluster >= 0 && r.cluster < counts.count { counts[r.cluster] += 1 }
    // The yardstick is the run's own windows (not windows an earlier `assign` added, which a
    // far batch would have moved; not orphans, in no cluster).
    let ownSet = Set(assignedWindows.filter { $0.windowSetId == run.windowSetId }.compactMap(\.id))
    let farthest =
      existing.filter { ownSet.contains($0.windowId) && $0.cluster >= 0 }.map(\.distance)
      .filter(\.isFinite).max() ?? 0
    let far =
      farthest > 0
      ? records.filter { r in
        r.cluster >= 0 && !(r.distance <= Self.farFactor * farthest)
      }.count : 0
    return Report(
      run: run, assigned: records.count, alreadyAssigned: contents.count - pending.count,
      clusterCounts: counts, orphans: records.filter { $0.cluster < 0 }.count,
      skippedOtherSamples: skippedOtherSamples, farWindows: far, farthestBefore: farthest)
  }
}
