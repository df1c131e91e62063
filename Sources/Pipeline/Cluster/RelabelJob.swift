import Clustering
import Foundation
import Logging
import NeuralNetwork
import Numerics
import Store

/// The `relabel` use case: a few hand-labelled windows steer the clustering. Each class gets a
/// centroid seeded at its labelled windows' mean embedding (extra clusters, if asked for, are
/// seeded by k-means++), then DEC runs with the labelled windows' targets fixed to their class
/// while the others follow the sharpened P. Every window gets a class label and its probability.
public struct RelabelJob: Sendable {
  public struct Outcome: Sendable {
    public var run: RunRecord
    /// Class names in cluster order (extra clusters are named `unlabelled-N`).
    public var classes: [String]
    public var counts: [Int]
    /// Windows in no family (a source run made with `--orphans`).
    public var orphans = 0
    public var matchedLabels: Int
    /// Label rows that matched no window (line numbers).
    public var unmatchedLines: [Int]
    /// How the hand labels agree with the unsupervised clusters of the source run.
    public var agreement: LabelAgreement?
    public var disagrees: Bool
    /// The source's clusters were kept and named, not trained (`Plan.keepSource`).
    public var keptSource = false
    public var summary: [String]
    /// Of `unmatchedLines`, those that name windows `assign` gave the source run outside its
    /// own set (relabel trains on that set) and could not label them.
    public var unmatchedAssignedElsewhere = 0
    /// Hand labels that name windows `assign` gave the source run outside its own set: they
    /// label those windows in the new catalog (relabel trains on its set alone).
    public var handLabelledElsewhere = 0
    /// `WindowLabelFile.otherCaseHint` for the unmatched rows ("" when none is in other case).
    public var unmatchedHint = ""
    /// Windows `assign` gave the source run outside its set, labelled here with this run as
    /// `assign` labels new windows (they are in the current set).
    public var labelledAsAssign = 0
    /// Such windows left without a label, and why (not in the current set, or `assign` refused).
    public var leftElsewhere: (count: Int, reason: String)?
    /// Why the source run's clusters are no firm reference for the labels (one restart, or
    /// restarts that disagree), for the warning when the labels disagree with them; nil when
    /// its restarts agree.
    public var sourceDoubt: String?
  }

  /// `Outcome.sourceDoubt` of a run with these restarts.
  static func doubt(run id: Int64, restarts: RestartReport?) -> String? {
    guard let restarts, restarts.restarts.count >= 2 else {
      return "run \(id) trained one restart, so nothing confirms its clusters"
    }
    guard restarts.isUnstable, let stability = restarts.stability else { return nil }
    return String(
      format: "run %lld's restarts disagree (stability %.3f), so its clusters are not established",
      id, stability)
  }

  /// Joint iterations of the constrained stage, run in full: the network starts converged, so
  /// the label change falls below `tol` at once and an early stop would end the stage before the
  /// hand labels' fixed targets have moved the embedding (demo: 0.975 with the early stop, 0.986
  /// with 400 iterations, docs/benchmarks.md).
  static let iterations = 400
  /// Weight of the hand-labelled windows' cross-entropy when candidates are retrained, as
  /// `lambda` weighs the other windows' KL. Decision 0014, "Relabel": at 1 (with 16 labelled
  /// windows per minibatch) candidates fitted a few atypical labels by moving the whole boundary
  /// (0.90 on the hard profile); the labels still fix their own windows' targets.
  static let labelledWeight = 0.1
  /// Hand-labelled windows added to every minibatch of 32 when candidates are retrained.
  static let labelledPerBatch = 4
  /// The same when the source network alone is steered (a stable source run): a converged
  /// network needs the stronger term to move (decision 0014, "Steering only").
  static let steeringWeight = 1.0
  static let steeringPerBatch = 16
  /// How relabel trains from a source run: whether it retrains candidates beside steering the
  /// source network, the hand labels' weight and count per minibatch, and the unlabelled windows'
  /// target.
  struct Plan: Equatable {
    /// The source's network and centroids are kept as they are, only named by the classes: no
    /// training at all.
    var keepSource = false
    var retrain: Bool
    var labelledWeight: Double
    var labelledPerBatch: Int
    var mixtureTarget: Bool
  }

  /// Decision 0014: a source of one restart (or of unknown restarts) cannot tell a bad optimum
  /// from a good one, and an unstable run's kept restart was found by no other; both are
  /// retrained, with the lighter label term and the mixture's target for unlabelled windows
  /// (decision 0022). So is a stable source whose clusters put a hand-labelled window where
  /// its class is not (`labelsAgree` false: the labels' Hungarian-matched accuracy against the
  /// source's clusters is below 1): two restarts can share a mediocre optimum, and steering one
  /// left the demo's 0.97 runs at 0.9545-0.9808 (decision 0014, "Stop 37"). Except a source
  /// that started from the first-motion partition (`polarityStart`, decision 0019): retrained
  /// candidates start from k-means and scored 0.0035 lower on both make_events.py polarity
  /// relabels the rule would have retrained. A stable source that every label agrees with is
  /// only steered, with the stronger term and DEC's own target (decision 0022, "Relabel
  /// steering a stable run": the mixture's pulled the demo's seed 2 from 0.9870 to 0.7712 on
  /// one label draw in three).
  ///
  /// A stable source that started from the first-motion partition, with hand labels that agree
  /// with its clusters better than chance (`labelsBeatChance`) and as many clusters as asked
  /// for (`sameClusterCount`), is kept (`keepSource`): its clusters are named by the classes and
  /// the hand labels stand for their own windows. Steering it dropped DEC's guide, the
  /// partition, and drifted: over 72 polarity relabels (three generators, seeds 0-7, draws
  /// 0-2) the worst went from 0.9121 steered to 0.9525 kept (decision 0014, "Polarity sources
  /// kept (stop 38)").
  static func plan(
    sourceRestarts: RestartReport?, labelsAgree: Bool = true, polarityStart: Bool = false,
    labelsBeatChance: Bool = false, sameClusterCount: Bool = true
  ) -> Plan {
    let stable = sourceRestarts.map { $0.restarts.count >= 2 && !$0.isUnstable } ?? false
    if polarityStart && stable && labelsBeatChance && sameClusterCount {
      return Plan(
        keepSource: true, retrain: false, labelledWeight: 0, labelledPerBatch: 0,
        mixtureTarget: false)
    }
    let misplaced = !labelsAgree && !polarityStart
    let retrain =
      sourceRestarts.map { $0.restarts.count < 2 || $0.isUnstable || misplaced } ?? true
    return Plan(
      retrain: retrain,
      labelledWeight: retrain ? labelledWeight : steeringWeight,
      labelledPerBatch: retrain ? labelledPerBatch : steeringPerBatch,
      mixtureTarget: retrain)
  }

  /// The label of windows in no family (`--orphans`), in catalogs and in labels files.
  static let orphanLabel = "orphan"

  /// Names of the clusters beyond the labelled classes: `unlabelled-N`, N the cluster.
  static func extraNames(classes: Int, clusters: Int) -> [String] {
    (classes..<max(classes, clusters)).map { "unlabelled-\($0)" }
  }
  /// A candidate is set aside when its input separation (`InputSeparation.share`) falls more
  /// than this below the best candidate's (decision 0014, "Relabel").
  static let shareMargin = 0.1

  public var labels: WindowLabelFile
  public var clusterCount: Int?
  /// The cluster run to relabel (`--run`); nil: the latest complete one.
  public var sourceRunID: Int64?
  /// Candidates trained at once; nil: two when the machine allows (`RestartGroup.lanes`). The result
  /// does not depend on it.
  var candidateLanes: Int?
  public var quiet: Bool
  /// Windows held in memory at most (`TrainingWindows`); lowered by tests.
  var windowMemoryBytes = TrainingWindows.defaultMemoryBytes

  public init(labels: WindowLabelFile, clusterCount: Int?, quiet: Bool) {
    self.labels = labels
    self.clusterCount = clusterCount
    self.quiet = quiet
  }

  /// The windows (ids) a run's assignments hold outside its own window set: those `assign`
  /// added.
  static func addedElsewhere(own: [WindowRecord], assignments: [AssignmentRecord]) -> [Int64] {
    let ownIDs = Set(own.compactMap(\.id))
    return assignments.map(\.windowId).filter { !ownIDs.contains($0) }
  }

  /// The windows `assign` added outside the source run's set, to the source run or to any
  /// complete relabel of it (a second relabel after `assign` gave the first relabel new windows
  /// left them out of its catalog in silence; an adversarial review), each once, in the order
  /// first found.
  static func addedElsewhere(
    own: [WindowRecord], source: Int64, assignments: [AssignmentRecord], store: SeisStore
  ) throws -> [Int64] {
    var found = addedElsewhere(own: own, assignments: assignments)
    var seen = Set(found)
    for child in try store.completeRuns(parent: source) {
      guard let id = child.id else { continue }
      for window in addedElsewhere(own: own, assignments: try store.assignments(runID: id))
      where seen.insert(window).inserted {
        found.append(window)
      }
    }
    return found
  }

  /// Hand labels of windows `assign` gave the source run outside its set: the class by window
  /// id, and the label lines that name each window.
  struct HandLabelsElsewhere {
    var labels: [Int64: String] = [:]
    var lines: [Int64: [Int]] = [:]
  }

  /// The label rows of `unmatched` lines (no window of the source's set) that name `windows`
  /// (those `assign` gave the source run, or a relabel of it, in other sets). Two rows that give
  /// one window two classes are refused, as they are in the set; a row repeated is one label.
  static func handLabelsElsewhere(
    labels: WindowLabelFile, unmatched: Set<Int>, windows: [WindowRecord]
  ) throws -> HandLabelsElsewhere {
    var found = HandLabelsElsewhere()
    guard !unmatched.isEmpty, !windows.isEmpty else { return found }
    for (row, match) in zip(labels.rows, labels.match(windows: windows))
    where unmatched.contains(row.line) {
      guard let match, let id = windows[match].id else { continue }
      if let previous = found.labels[id], previous != row.label {
        throw InputError(
          path: labels.path,
          reason:
            "line \(row.line) labels window \(windows[match].windowKey) \"\(row.label)\" but line \(found.lines[id]?.first ?? 0) labels it \"\(previous)\""
        )
      }
      found.labels[id] = row.label
      found.lines[id, default: []].append(row.line)
    }
    return found
  }

  /// The first group of labels (in sorted order) that differ only in case, or nil: they are
  /// different classes, which `relabel` says, as a typo is likely (stop 40's sweep).
  static func caseAlike(_ labels: [String]) -> [String]? {
    Dictionary(grouping: Set(labels)) { $0.lowercased() }.values.map { $0.sorted() }
      .filter { $0.count > 1 }.min { $0[0] < $1[0] }
  }

  /// The run `--run` names, which must be a complete cluster run, or the latest such run.
  func sourceRun(in store: SeisStore) throws -> RunRecord {
    guard let id = sourceRunID else {
      guard let source = try store.latestRun(kind: .cluster) else {
        throw InputError(
          path: store.path, reason: "no complete cluster run: run `seiscluster cluster` first")
      }
      return source
    }
    if let reason = try store.incompleteRunReason(id: id) {
      throw InputError(path: store.path, reason: reason)
    }
    guard let run = try store.run(id: id) else {
      throw InputError(path: store.path, reason: "no run \(id) in the store")
    }
    guard run.kind == .cluster else {
      throw InputError(
        path: store.path,
        reason:
          "run \(id) is a relabel run; relabel starts from a cluster run"
          + (run.parentRunId.map { ": --run \($0), the one it relabelled" } ?? ""))
    }
    return run
  }

  public func run(store: SeisStore, logger: Logger) throws -> Outcome {
    let source = try sourceRun(in: store)
    guard let sourceID = source.id else {
      throw InputError(path: store.path, reason: "the cluster run has no id")
    }
    guard
      let contents = try store.windowSetReader(id: source.windowSetId).map({
        TrainingWindows(reader: $0, memoryBytes: windowMemoryBytes)
      })
    else {
      throw InputError(path: store.path, reason: "run \(sourceID) has lost its window set")
    }
    let sourceModel = try StoredModel.load(for: source, from: store)
    let stored = try ClusterJob.decodeOptions(
      ClusterJob.StoredOptions.self, from: source.optionsJson)
    if let references = stored.correlationReferences {
      try contents.useCorrelation(references: references, quiet: quiet)
    }
    // The source's windows as its network saw them (decision 0024).
    contents.useLevel(stored.windowLevelScale)

    // Match the labels, refusing contradictions.
    let (matches, ambiguous, otherIDLines) = labels.matching(windows: contents.windows)
    if !otherIDLines.isEmpty {
      let n = otherIDLines.count
      logger.warning(
        "\(labels.path): \(n) label row\(n == 1 ? "" : "s") (line\(n == 1 ? "" : "s") \(otherIDLines.prefix(5).map(String.init).joined(separator: ", "))\(n > 5 ? ", ..." : "")) give\(n == 1 ? "s" : "") a window_id that names another window of the set than \(n == 1 ? "its" : "their") pick: the pick decides (window ids are a store's own; a file from another store names other windows by them)"
      )
    }
    if !ambiguous.isEmpty {
      logger.warning(
        "\(labels.path): \(ambiguous.count) label\(ambiguous.count == 1 ? "" : "s") (line\(ambiguous.count == 1 ? "" : "s") \(ambiguous.prefix(5).map(String.init).joined(separator: ", "))\(ambiguous.count > 5 ? ", ..." : "")) match more than one window (picks of one station within 1 ms, such as two phases): each labels the nearest; give window_id to choose"
      )
    }
    var classOfWindow: [Int: String] = [:]
    var lineOfWindow: [Int: Int] = [:]
    var unmatched: [Int] = []
    for (row, match) in zip(labels.rows, matches) {
      guard let index = match else {
        unmatched.append(row.line)
        continue
      }
      if let previous = classOfWindow[index], previous != row.label {
        throw InputError(
          path: labels.path,
          reason:
            "line \(row.line) labels window \(contents.windows[index].windowKey) \"\(row.label)\" but line \(lineOfWindow[index] ?? 0) labels it \"\(previous)\""
        )
      }
      classOfWindow[index] = row.label
      lineOfWindow[index] = row.line
    }
    // The windows `assign` gave the source run (or a relabel of it) outside its set, read once.
    let sourceAssignments = try store.assignments(runID: sourceID)
    let elsewhereIDs = try Self.addedElsewhere(
      own: contents.windows, source: sourceID, assignments: sourceAssignments, store: store)
    let elsewhere = elsewhereIDs.isEmpty ? [] : try store.windows(ids: elsewhereIDs)
    // Labels that name them label them in the new catalog (not trained on), refused when two
    // name one window apart.
    let handElsewhere = try Self.handLabelsElsewhere(
      labels: labels, unmatched: Set(unmatched), windows: elsewhere)
    // A source run made with --orphans keeps its windows in no family: there, the label
    // "orphan" marks such a window by hand (as REDPy's and our families' truth name them), not a
    // class to train.
    let keepsOrphans =
      stored.orphans != nil && contents.profiles != nil && contents.correlationReferences != nil
    var handOrphans: [Int] = []
    if keepsOrphans {
      handOrphans = classOfWindow.filter { $0.value == RelabelJob.orphanLabel }.map(\.key).sorted()
      for i in handOrphans { classOfWindow[i] = nil }
    }
    let allClasses = Set(labels.rows.map(\.label)).subtracting(
      keepsOrphans ? [RelabelJob.orphanLabel] : []
    ).sorted()
    let classes = Set(classOfWindow.values).sorted()
    // No label at all matches: said as such, not as one class missing (stop 40's sweep).
    guard !classes.isEmpty else {
      guard !labels.rows.isEmpty else {
        throw InputError(path: labels.path, reason: "the file has a header and no label rows")
      }
      var reason =
        "no label matches a window of run \(sourceID)'s window set (set \(source.windowSetId), \(contents.count) windows)"
      let added =
        elsewhere.isEmpty ? 0 : labels.match(windows: elsewhere).compactMap { $0 }.count
      if added > 0 {
        reason +=
          ": \(added) of the \(labels.rows.count) labels name windows `assign` added outside that set, which relabel trains on"
      }
      reason += labels.otherCaseHint(windows: contents.windows)
      throw InputError(path: labels.path, reason: reason)
    }
    if let alike = Self.caseAlike(allClasses) {
      logger.warning(
        "\(labels.path): labels \(alike.map { "\"\($0)\"" }.joined(separator: " and ")) differ only in case: they are different classes"
      )
    }
    if let missing = allClasses.first(where: { !classes.contains($0) }) {
      // A class only windows of other sets carry cannot be trained: said as such.
      if handElsewhere.labels.values.contains(missing) {
        throw InputError(
          path: labels.path,
          reason:
            "class \"\(missing)\" labels only windows `assign` added outside run \(sourceID)'s window set, which relabel does not train on: label windows of the set with it too"
        )
      }
      throw InputError(path: labels.path, reason: "class \"\(missing)\" matches no window")
    }
    if let clusterCount, clusterCount < classes.count {
      throw InputError(
        path: labels.path,
        reason:
          "--clusters \(clusterCount) is fewer than the \(classes.count) classes labelled (\(classes.joined(separator: ", "))): give at least \(classes.count), or leave it out"
      )
    }
    let k = max(clusterCount ?? classes.count, classes.count)
    if let clusterCount, clusterCount > contents.count {
      // As `cluster` says it, before any restart is trained.
      throw InputError(
        path: store.path,
        reason:
          "the window set holds \(contents.count) windows, fewer than --clusters \(clusterCount)")
    }
    guard k >= 2 else {
      throw InputError(
        path: labels.path,
        reason:
          "the labels name one class (\(classes[0])): give labels of two or more classes, or --clusters K (K >= 2) to leave the other windows to unlabelled clusters"
      )
    }
    // As `cluster` checks its windows: `--clusters 5` on 3 distinct windows left two classes
    // empty without a word (a review).
    let survey = try contents.survey(distinctUpTo: k)
    try survey.refuseLargeValues(
      windowSet: contents.windowSet.id ?? 0,
      imported: contents.windowSet.inputKind == .imported, store: store.path)
    try survey.refuseTooFewDistinct(
      clusters: k, set: contents.windowSet,
      asked: clusterCount.map { "--clusters \($0)" } ?? "the \(k) classes labelled")
    if let taken = RelabelJob.extraNames(classes: classes.count, clusters: k).first(where: {
      classes.contains($0)
    }) {
      throw InputError(
        path: labels.path,
        reason:
          "class \"\(taken)\" is the name of an extra cluster (--clusters \(k) over \(classes.count) classes): rename it"
      )
    }
    let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    var fixed = [Int?](repeating: nil, count: contents.count)
    for (index, label) in classOfWindow { fixed[index] = classIndex[label] }

    // Do the hand labels agree with the unsupervised clusters at all?
    let clusterOf = Dictionary(
      uniqueKeysWithValues: sourceAssignments.map { ($0.windowId, $0.cluster) })
    var labelled: [Int] = []
    var clusterOfLabelled: [Int] = []
    for (index, c) in fixed.enumerated() {
      if let c, let wid = contents.windows[index].id, let cluster = clusterOf[wid] {
        labelled.append(c)
        clusterOfLabelled.append(cluster)
      }
    }
    var agreement: LabelAgreement? = nil
    if classes.count >= 2, labelled.count >= 4 {
      agreement = try LabelAgreement.test(labels: labelled, clusters: clusterOfLabelled, seed: 0)
    }
    let disagrees = agreement?.disagrees() ?? false

    // Steer the source run's network; when its stability is unknown (one restart) or low, or
    // its clusters misplace a hand-labelled window, also retrain fresh restarts under the
    // labels and keep the consensus candidate (`plan`).
    let sourceRestarts = try ClusterJob.decodeHistory(source.historyJson).restarts
    // Class c's centroid, when the source is kept: that of the source cluster the labels
    // match with it (every class matched, each to its own cluster), in class order.
    var keptCentroids: [Float]? = nil
    let d = sourceModel.model.latentDimension
    if stored.model.initialization == .polarity, let agreement, !agreement.disagrees(),
      sourceModel.centroids.count == k * d,
      let toClass = try? ClusteringMetrics.clusterToClass(
        truth: labelled, predicted: clusterOfLabelled),
      Set(toClass.values) == Set(0..<k), Set(toClass.keys) == Set(0..<k)
    {
      var ordered = [Float](repeating: 0, count: k * d)
      for (cluster, c) in toClass {
        ordered[(c * d)..<((c + 1) * d)] =
          sourceModel.centroids[(cluster * d)..<((cluster + 1) * d)]
      }
      keptCentroids = ordered
    }
    let plan = RelabelJob.plan(
      sourceRestarts: sourceRestarts, labelsAgree: agreement.map { $0.accuracy >= 1 } ?? true,
      polarityStart: stored.model.initialization == .polarity,
      labelsBeatChance: keptCentroids != nil, sameClusterCount: keptCentroids != nil)
    if plan.keepSource {
      logger.info(
        "run \(sourceID) started from the first-motion partition and the hand labels agree with its clusters: they are kept and named by the classes (decision 0014)"
      )
    }
    let retrain = plan.retrain
    let steering = Steering(
      windows: try contents.source(), classes: fixed, classCount: classes.count, clusterCount: k,
      options: stored.model, quiet: quiet, encodingChunk: contents.encodingChunk,
      labelledWeight: plan.labelledWeight, labelledPerBatch: plan.labelledPerBatch,
      mixtureTarget: plan.mixtureTarget)
    var restarts = 0
    if retrain {
      restarts =
        stored.model.stopWhenTwoAgree == true
        ? ModelOptions.defaultRestarts
        : max(stored.model.resolvedRestarts, ModelOptions.defaultRestarts)
      let matched = agreement.map { Int(($0.accuracy * Double($0.count)).rounded()) }
      let why =
        sourceRestarts.map {
          $0.restarts.count < 2
            ? "had 1 restart"
            : $0.isUnstable
              ? "was unstable"
              : "puts \(labelled.count - (matched ?? labelled.count)) of the \(labelled.count) hand-labelled windows outside their class's cluster"
        } ?? "had 1 restart"
      logger.info(
        "run \(sourceID) \(why): retraining \(restarts) restarts under the labels")
    }
    // Candidate 0 steers the source network, candidate r retrains restart r; two at a time when
    // the machine allows, with the same results (`RestartGroup`).
    let lanes =
      restarts > 0
      ? (candidateLanes ?? RestartGroup.lanes(options: stored.model, contents: contents)) : 1
    let made = CandidateBox(count: restarts + 1)
    let make = UncheckedSendable {
      (c: Int, threads: Int, cancellation: GroupCancellation) throws in
      if c == 0, plan.keepSource, let keptCentroids {
        made.set(0, try steering.keep(sourceModel.model, centroids: keptCentroids, name: "source"))
      } else if c == 0 {
        (sourceModel.model as? Autoencoder)?.threadCount = threads
        made.set(
          0,
          try steering.steer(
            sourceModel.model, seed: stored.model.seed, name: "source",
            cancellation: cancellation))
      } else {
        made.set(
          c,
          try steering.retrain(
            seed: stored.model.seed(ofRestart: c), name: "restart \(c)", threads: threads,
            cancellation: cancellation))
      }
    }
    try ClusterJob.inGroups(count: restarts + 1, lanes: lanes) { try make.value($0, $1, $2) }
    let candidates = made.candidates
    let comparison = try RestartComparison(labels: candidates.map(\.assignment.labels))
    let consensus = comparison.consensus
    // Decision 0014, "Relabel": a candidate whose clusters separate the network's input much
    // less well than the best candidate's (a bad optimum, or a boundary bent round a few
    // atypical labels) is set aside before the consensus chooses.
    var pool = Array(candidates.indices)
    var shares: [Double]? = nil
    if candidates.count > 1 {
      // The candidates are trained by now: a measure that fails (reading its sample) leaves the
      // choice to the consensus instead of losing them.
      do {
        let separation = try contents.inputSeparation(clusters: k, seed: stored.model.seed)
        let measured = candidates.map { separation.share(of: $0.assignment.labels) }
        shares = measured
        pool = RelabelJob.credible(shares: measured)
        let aside = candidates.indices.filter { !pool.contains($0) }
        if !aside.isEmpty {
          logger.info(
            "set aside: \(aside.map { "\(candidates[$0].name) (input separation \(String(format: "%.3f", measured[$0])))" }.joined(separator: ", ")); the best candidate reaches \(String(format: "%.3f", measured.max() ?? 0))"
          )
        }
      } catch {
        logger.warning(
          "input separation not measured (\(error)): the consensus chooses among all \(candidates.count) candidates"
        )
      }
    }
    let best = RelabelJob.kept(consensus: consensus, among: pool)
    let chosen = candidates[best]
    let model = chosen.model
    let centroids = chosen.centroids
    let assignment = chosen.assignment
    let updates = chosen.updates
    let reason = chosen.stopReason
    // In the summary (stdout, and the report's "Summary printed by the run"): how far the
    // candidates agree is the relabel's stability evidence, as `stability:` is a run's.
    let keptLine =
      candidates.count > 1
      ? "kept \(chosen.name) of \(candidates.count) candidates (mean ARI with the others \(String(format: "%.3f", consensus[best])); stability \(String(format: "%.3f", comparison.stability ?? 1)))"
      : nil
    let names = classes + RelabelJob.extraNames(classes: classes.count, clusters: k)
    // A source run made with --orphans keeps them: windows that correlate with no other member
    // of their (new) cluster, as `cluster` finds them; a hand-labelled window is never one.
    var orphans: [Int] = []
    if let threshold = stored.orphans,
      let found = try Orphans.find(labels: assignment.labels, in: contents, threshold: threshold)
    {
      orphans = Array(Set(found.filter { fixed[$0] == nil }).union(handOrphans)).sorted()
    }
    let orphanSet = Set(orphans)

    let history = RunHistory(updates: updates, stopReason: reason)
    // Windows per class: a hand label stands where the network's cluster differs.
    var perClass = [Int](repeating: 0, count: k)
    for (i, cluster) in assignment.labels.enumerated() where !orphanSet.contains(i) {
      perClass[fixed[i] ?? cluster] += 1
    }
    var summary = ["class  windows  hand_labelled"]
    for c in 0..<k {
      let hand = fixed.filter { $0 == c }.count
      summary.append("\(names[c])  \(perClass[c])  \(hand)")
    }
    if !orphans.isEmpty {
      summary.append("\(RelabelJob.orphanLabel)  \(orphans.count)  \(handOrphans.count)")
    }
    if let shares {
      summary.append(
        RelabelJob.candidateLine(
          names: candidates.map(\.name), shares: shares, pool: pool, kept: best))
    }
    if let keptLine { summary.append(keptLine) }
    if let agreement {
      summary.append(
        String(
          format: "hand labels vs unsupervised clusters: accuracy %.3f (chance %.3f, p = %.3f)",
          agreement.accuracy, agreement.chanceAccuracy, agreement.pValue))
    }
    if plan.keepSource {
      summary.append(
        "source kept: run \(sourceID) started from the first-motion partition and the labels agree with it; its clusters are named by the classes, nothing was trained"
      )
    }
    struct RelabelOptions: Codable {
      var labels: String
      var classes: [String]
      var clusters: Int
      var sourceRun: Int64
      var matchedLabels: Int
      var model: ModelOptions
      /// The source run's correlation references (`assign` with this run needs them).
      var correlationReferences: [Int]?
      /// The source run's `--orphans` threshold, kept (`assign` applies it too).
      var orphans: Double?
      /// The source run's window level (`assign` scales new windows to it too).
      var windowLevelTarget: Double?
      var windowLevelPower: Double?
    }
    let optionsJSON = try ClusterJob.encodeOptions(
      RelabelOptions(
        labels: labels.path, classes: names, clusters: k, sourceRun: sourceID,
        matchedLabels: classOfWindow.count + handOrphans.count, model: stored.model,
        correlationReferences: stored.correlationReferences,
        orphans: stored.orphans, windowLevelTarget: stored.windowLevelTarget,
        windowLevelPower: stored.windowLevelPower))
    var run = try store.createRun(
      RunRecord(
        kind: .relabel, parentRunId: sourceID, windowSetId: source.windowSetId,
        version: SeisclusterVersion.string, seed: source.seed, clusterCount: k,
        optionsJson: optionsJSON,
        historyJson: try history.json(),
        summary: summary.joined(separator: "\n")))
    var records = assignment.records(
      runID: run.id ?? 0, windowIDs: contents.windows.map { $0.id ?? 0 },
      classes: .init(names: names, handLabels: fixed))
    for i in orphans {
      records[i].cluster = -1
      records[i].label = RelabelJob.orphanLabel
      records[i].labelProbability = nil
    }
    for i in handOrphans { records[i].isHandLabelled = true }
    run = try store.completeRun(
      run, model: try StoredModel.record(of: model, centroids: centroids), assignments: records)
    var outcome = Outcome(
      run: run, classes: names, counts: perClass, orphans: orphans.count,
      matchedLabels: classOfWindow.count + handOrphans.count,
      unmatchedLines: unmatched, agreement: agreement, disagrees: disagrees, summary: summary)
    outcome.keptSource = plan.keepSource
    outcome.sourceDoubt = Self.doubt(run: sourceID, restarts: sourceRestarts)
    if !unmatched.isEmpty {
      outcome.unmatchedHint = labels.otherCaseHint(windows: contents.windows)
    }
    try labelAssignedElsewhere(
      &outcome, windows: elsewhere, hand: handElsewhere, store: store, logger: logger)
    return outcome
  }

  /// Every window of the source run gets a label: those `assign` gave it outside its own set
  /// (relabel trains on that set) are labelled with the new run as `assign` labels new
  /// windows, set by set (day after day of `assign` leaves them in several sets: a review found
  /// all but the current set's left out of the new catalog); the outcome says how many are left
  /// and why. Hand labels that name them are counted apart.
  private func labelAssignedElsewhere(
    _ outcome: inout Outcome, windows: [WindowRecord], hand handElsewhere: HandLabelsElsewhere,
    store: SeisStore, logger: Logger
  ) throws {
    guard !windows.isEmpty else { return }
    let hand = handElsewhere.labels
    var failure: String?
    for (set, members) in Dictionary(grouping: windows, by: \.windowSetId).sorted(by: {
      $0.key < $1.key
    }) {
      var job = AssignJob(runID: outcome.run.id, quiet: true)
      job.windowSetID = set
      job.onlyWindows = Set(members.compactMap(\.id))
      job.handLabels = hand.filter { job.onlyWindows?.contains($0.key) ?? false }
      do {
        outcome.labelledAsAssign += try job.run(store: store, logger: logger).assigned
      } catch {
        failure = failure ?? FailureLine.text(for: error, context: store.path)
      }
    }
    if !hand.isEmpty, let runID = outcome.run.id {
      let applied = Set(
        try store.assignments(runID: runID).filter { $0.isHandLabelled && hand[$0.windowId] != nil }
          .map(\.windowId))
      outcome.handLabelledElsewhere = applied.count
      let appliedLines = Set(applied.flatMap { handElsewhere.lines[$0] ?? [] })
      outcome.unmatchedLines.removeAll { appliedLines.contains($0) }
      outcome.unmatchedAssignedElsewhere = hand.count - applied.count
    }
    let left = windows.count - outcome.labelledAsAssign
    if left > 0 {
      outcome.leftElsewhere = (
        left, failure ?? "`assign` left them unassigned: run `seiscluster assign` on their sets"
      )
    }
  }
}

extension RelabelJob {
  /// The candidates whose input separation is within `shareMargin` of the best one's, in order.
  static func credible(shares: [Double]) -> [Int] {
    let top = shares.max() ?? 0
    return shares.indices.filter { shares[$0] >= top - shareMargin }
  }

  /// The summary's line of candidates: each one's input separation, and whether it was set
  /// aside or kept, e.g. `candidates (input separation): source 0.516 set aside, ...`.
  static func candidateLine(names: [String], shares: [Double], pool: [Int], kept: Int) -> String {
    let entries = names.indices.map { c in
      let state = c == kept ? " kept" : pool.contains(c) ? "" : " set aside"
      return "\(names[c]) \(String(format: "%.3f", shares[c]))\(state)"
    }
    return "candidates (input separation): " + entries.joined(separator: ", ")
  }

  /// The candidate of `pool` with the highest consensus (mean ARI with every other candidate,
  /// set-aside ones included); the earliest on a tie, so the steered source wins ties.
  static func kept(consensus: [Double], among pool: [Int]) -> Int {
    pool.max { consensus[$0] < consensus[$1] } ?? 0
  }
}

/// How `relabel` trains a candidate: the constrained DEC stage with the hand labels' own term,
/// starting from an existing network (`steer`) or from a freshly pretrained one (`retrain`).
struct Steering {
  struct Candidate {
    var name: String
    var model: any AutoencoderModel
    var centroids: [Float]
    var assignment: ClusterAssignment
    var updates: [DECUpdate]
    var stopReason: String
  }

  var windows: any WindowSource
  var classes: [Int?]
  var classCount: Int
  var clusterCount: Int
  var options: ModelOptions
  var quiet: Bool
  /// Windows encoded at once in whole-set passes.
  var encodingChunk: Int
  /// The hand labels' term: its weight and labelled windows per minibatch.
  var labelledWeight: Double
  var labelledPerBatch: Int
  /// The unlabelled windows' target: the mixture's when candidates are retrained, DEC's own
  /// when a stable run is steered (`DeepEmbeddedClustering.Supervision.mixtureTarget`).
  var mixtureTarget: Bool

  /// `model` and `centroids` (in class order) as they are: the kept source (`Plan.keepSource`).
  func keep(_ model: any AutoencoderModel, centroids: [Float], name: String) throws -> Candidate {
    Candidate(
      name: name, model: model, centroids: centroids,
      assignment: try ClusterAssignment(
        model: model, windows: windows, centroids: centroids, chunkSize: encodingChunk),
      updates: [], stopReason: "source kept")
  }

  /// The constrained stage on `model`: one centroid per class at its labelled windows' mean
  /// embedding (extra clusters by k-means++), then DEC with the labels fixed and weighted.
  func steer(
    _ model: any AutoencoderModel, seed: UInt64, name: String,
    cancellation: GroupCancellation? = nil
  ) throws -> Candidate {
    var decOptions = options.decOptions(clusterCount: clusterCount)
    decOptions.seed = seed
    decOptions.pretrainEpochs = 0
    decOptions.tolerance = 0
    decOptions.maxIterations = min(options.maxIterations, RelabelJob.iterations)
    let dec = try DeepEmbeddedClustering(windows: windows, model: model, options: decOptions)
    dec.encodingChunk = encodingChunk
    // A candidate training beside one that failed stops at its next checkpoint.
    dec.onCheckpoint = { _ in try cancellation?.check() }
    let d = model.latentDimension
    let z0 = try dec.embeddings()
    var centroids = try KMeans.classMeans(
      of: z0, dimension: d, classes: classes, classCount: classCount)
    if clusterCount > classCount {
      centroids = try KMeans(clusterCount: clusterCount, seed: seed)
        .seedCentroids(extending: centroids, points: z0, dimension: d)
    }
    let progress = Progress(label: "relabel \(name) iteration", total: nil, quiet: quiet)
    dec.onUpdate = { update in
      progress.update(
        update.iteration, detail: String(format: "label change %.4f", update.labelChange))
    }
    let supervision = DeepEmbeddedClustering.Supervision(
      classes: classes,
      weight: labelledWeight, perBatch: labelledPerBatch, mixtureTarget: mixtureTarget)
    let (updates, reason) = try dec.trainJointly(centroids: &centroids, supervision: supervision)
    progress.finish()
    return Candidate(
      name: name, model: model, centroids: centroids,
      assignment: try ClusterAssignment(
        model: model, windows: windows, centroids: centroids, chunkSize: encodingChunk),
      updates: updates, stopReason: reason)
  }

  /// A network of the source run's options built afresh by the model factory (seed `seed`, which
  /// also seeds its dropout masks), whatever its architecture, pretrained, then steered.
  func retrain(
    seed: UInt64, name: String, threads: Int? = nil, cancellation: GroupCancellation? = nil
  ) throws -> Candidate {
    let model = try options.makeAutoencoder(
      channels: windows.channels, length: windows.length, seed: seed)
    if let threads { model.threadCount = threads }
    var decOptions = options.decOptions(clusterCount: clusterCount)
    decOptions.seed = seed
    let dec = try DeepEmbeddedClustering(windows: windows, model: model, options: decOptions)
    dec.encodingChunk = encodingChunk
    // A candidate training beside one that failed stops at its next checkpoint.
    dec.onCheckpoint = { _ in try cancellation?.check() }
    let progress = Progress(
      label: "relabel \(name) pretraining epoch", total: options.epochs, quiet: quiet)
    dec.onEpoch = { epoch, loss in progress.update(epoch, detail: String(format: "loss %.5f", loss))
    }
    _ = try dec.pretrain()
    progress.finish()
    return try steer(model, seed: seed, name: name, cancellation: cancellation)
  }
}

/// The candidates of `relabel`, filled side by side, in candidate order.
final class CandidateBox: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Steering.Candidate?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ candidate: Steering.Candidate) {
    lock.lock()
    defer { lock.unlock() }
    slots[index] = candidate
  }

  var candidates: [Steering.Candidate] {
    lock.lock()
    defer { lock.unlock() }
    return slots.map { $0! }
  }
}
