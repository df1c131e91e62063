import Clustering
import Foundation
import Logging
import NeuralNetwork
import Numerics
import Store

/// What a finished `cluster` run gives back to the command line.
public struct ClusterOutcome: Sendable {
  public var run: RunRecord
  public var assignments: [Int]
  public var probabilities: [Float]
  /// Lines of the per-cluster summary (also stored with the run).
  public var summary: [String]
  public var confound: StationConfoundReport?
  /// Agreement between restarts, and whether it is too low to trust one of them.
  public var restarts: RestartReport

  /// Clusters of `0..<run.clusterCount` that hold no window (orphans aside).
  public var emptyClusters: [Int] {
    var used = Set(assignments)
    used.remove(-1)
    return (0..<run.clusterCount).filter { !used.contains($0) }
  }

  /// Clusters the orphan pass emptied: every member became an orphan (`--orphans`).
  public var emptiedByOrphans: Set<Int> = []

  /// When clusters follow stations on spectrograms against the window's loudest cell: a line
  /// pointing to `--spectrogram-reference noise` or `frequency` (decision 0020).
  public var spectrogramHint: String?
  /// The set's window options with the reference a retrain uses (`ClusterJob.retrainReference`),
  /// when the run calls for it: its clusters follow stations whose windows differ within
  /// clusters, on spectrograms against the window's loudest cell built by the tool (decision
  /// 0020). `cluster` retrains on them unless the reference was given.
  public var referenceRetry: WindowSetOptions?
  /// The run this one retrained on another reference (`ClusterJob.retrainOf`).
  public var retrainOf: Int64?
  /// The window-referenced set this run was trained instead of, first (`ClusterJob.firstOver`).
  public var firstOver: Int64?
  /// How `--clusters auto` chose the run's K (nil for a K given).
  public var clusterChoice: ClusterCountChoice?
  /// The run's model options and K, as stored (a resumed run's are not the command line's).
  public var model: ModelOptions?
  /// The spectrogram reference of the run's window set (nil for other inputs).
  public var spectrogramReference: WindowSetOptions.SpectrogramReference?
  /// The station share within clusters behind `referenceRetry`, as the summary prints it.
  public var stationShareText: String? {
    confound?.stationShareWithinClusters.map(StationConfoundReport.percent)
  }

  /// A warning when clusters came out empty: the windows did not split into as many groups as
  /// asked (two restarts that both collapse agree perfectly, so stability cannot say it), or
  /// the orphan pass took every member of a cluster.
  public var emptyClustersWarning: String? {
    let empty = emptyClusters
    guard !empty.isEmpty else { return nil }
    let k = run.clusterCount
    func clusters(_ list: [Int]) -> String {
      "cluster\(list.count == 1 ? "" : "s") " + list.map(String.init).joined(separator: ", ")
    }
    let orphaned = empty.filter { emptiedByOrphans.contains($0) }
    let unsplit = empty.filter { !emptiedByOrphans.contains($0) }
    var reasons: [String] = []
    if !unsplit.isEmpty {
      reasons.append(
        "the windows did not split into \(k) groups (\(clusters(unsplit))); try fewer --clusters or other window options"
      )
    }
    if !orphaned.isEmpty {
      reasons.append(
        "every member of \(clusters(orphaned)) correlated too weakly with the others and became an orphan (--orphans); a lower --orphans keeps them"
      )
    }
    return
      "warning: \(empty.count) of \(k) clusters hold no window, so the run has \(k - empty.count): "
      + reasons.joined(separator: "; ")
  }
}

/// The `cluster` use case: train the autoencoder and DEC on the current window set and store
/// the run, its model and every window's cluster in one transaction at the end.
///
/// ```
/// var plan = try prepare(store)         // the windows and options: new, or the interrupted run's
/// plan.run = try begin(plan)             // the run record; checkpoints go to it
/// for each restart not yet done:
///   let (dec, progress) = try trainer(for: plan, restart: r)   // model, windows, progress
///   finished.append(try train(dec, plan))          // marks the run failed if training fails
/// return try record(choose(finished), plan)        // assignments, summary, model: one transaction
/// ```
public struct ClusterJob: Sendable {
  public var clusterCount: Int
  public var model: ModelOptions
  public var quiet: Bool
  /// Continue the latest interrupted run from its checkpoint instead of starting a new one.
  public var resume: Bool
  /// Least wall time between two stored checkpoints.
  public var checkpointSeconds: Double
  /// Called after each stored checkpoint with the number stored so far. An error it throws
  /// stops the job at once and leaves the run interrupted, for `--resume`, as a kill would.
  public var afterCheckpoint: (@Sendable (Int) throws -> Void)?
  /// `--clusters auto`: choose K in this range first (`ClusterCountChoice`); `clusterCount` is
  /// then ignored.
  public var clusterRange: ClosedRange<Int>?
  /// Windows held in memory at most; larger sets are streamed from the store
  /// (`TrainingWindows`). Lowered by tests to stream small sets.
  public var windowMemoryBytes = TrainingWindows.defaultMemoryBytes
  /// `--orphans CC`: with correlation input, a window whose peak correlation with every other
  /// member of its cluster (among the references) is below CC is an orphan, cluster -1, as
  /// REDPy's orphans (events in no family). Nil: every window stays in its cluster.
  public var orphanThreshold: Double?
  /// Restarts trained at once; nil: two when the machine and its memory allow
  /// (`restartLanes(_:)`). The labels do not depend on it.
  public var restartLanes: Int?
  /// A last line for the run's summary (`cluster` says why a run was retrained on another
  /// spectrogram reference). Stored with the options, so a resumed run keeps it.
  public var note: String?
  /// The run this one retrains on another spectrogram reference (decision 0020), stored with the
  /// options: `cluster --resume` then settles it as an uninterrupted `cluster` does.
  public var retrainOf: Int64?
  /// The window-referenced set this run is trained instead of, first, because the set's own
  /// k-means clusters called for another reference (`inputCallsForReference`; decision 0020,
  /// "Choosing the reference before training"). Stored with the options, so `cluster
  /// --resume` settles it as an uninterrupted `cluster` does.
  public var firstOver: Int64?
  /// True for a window-referenced run trained after the run on a reference per bin was
  /// discarded (`firstOver`): its hint would name the reference already tried, so it has none.
  /// Stored with the options, so a resumed run keeps it.
  public var afterDiscardedReference = false
  /// The caller retrains on another spectrogram reference when the run calls for it
  /// (`ClusterOutcome.referenceRetry`). The default restart rule then stops as soon as the
  /// restart it would keep calls for the retrain: the retrain, not further restarts on the
  /// window reference, decides (decision 0020, "Stopping early for the retrain").
  public var stopOnceRetrainIsCalledFor = false
  /// The window set to train on (nil: the current one). `sweep` names its own, so that a
  /// resumed sweep trains on the set it began with.
  public var windowSetID: Int64?
  /// With `resume`: the interrupted run to continue (nil: the latest).
  public var resumeRunID: Int64?
  /// The sweep and position this run trains for (`sweep`), stored with its options: `sweep
  /// --resume` finds its own run by it, never a run the user made meanwhile.
  public var sweepMark: SweepMark?

  public struct SweepMark: Codable, Sendable, Equatable {
    public var sweep: Int64
    public var position: Int
  }
  /// The input separation `inputCallsForReference` measured, handed to a run of the same set,
  /// K, seed and memory budget, which would measure the same bits again (the products run on
  /// the calling thread, `BLAS.useCallingThreadOnly`).
  var checkedSeparation: CheckedSeparation?

  /// An `InputSeparation` and what it was measured on.
  struct CheckedSeparation {
    var windowSet: Int64
    var clusters: Int
    var seed: UInt64
    var memoryBytes: Int
    var separation: InputSeparation
    var seconds: Double
    /// The windows' level when measured (`TrainingWindows.level`; the check measures the
    /// windows as built, nil).
    var level: WindowLevelScale? = nil

    func matches(_ plan: Plan) -> Bool {
      plan.contents.windowSet.id == windowSet && plan.clusters == clusters
        && plan.options.seed == seed && plan.contents.memoryBytes == memoryBytes
        && plan.contents.profiles == nil && plan.contents.level == level
    }
  }

  public init(
    clusterCount: Int, model: ModelOptions, quiet: Bool, resume: Bool = false,
    checkpointSeconds: Double = 5
  ) {
    self.clusterCount = clusterCount
    self.model = model
    self.quiet = quiet
    self.resume = resume
    self.checkpointSeconds = checkpointSeconds
  }

  /// A run's options as stored in `runs.options_json`: snake_case keys, sorted.
  static func encodeOptions(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  /// A run's stored history (an empty history for runs that stored none).
  static func decodeHistory(_ json: String) throws -> RunHistory {
    (try? JSONDecoder().decode(RunHistory.self, from: Data(json.utf8))) ?? RunHistory()
  }

  static func decodeOptions<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(type, from: Data(json.utf8))
  }

  struct StoredOptions: Codable {
    var clusters: Int
    var model: ModelOptions
    var windowSetId: Int64
    var windowSet: WindowSetDescription
    /// How `--clusters auto` chose `clusters` (nil for a K given).
    var clusterChoice: ClusterCountChoice?
    /// The memory budget the run trained under (it sets the streamed block order), kept so
    /// that `--resume` continues the same order; nil for runs stored before streaming.
    var windowMemoryBytes: Int?
    /// `--input correlation`: the ordinals, in the run's window set, of the reference windows
    /// in profile order (`CorrelationInput`); nil for other inputs.
    var correlationReferences: [Int]? = nil
    /// `--orphans CC` (nil: off).
    var orphans: Double? = nil
    /// `--window-level rms|sqrt`: the mean RMS every window was scaled towards, and the power
    /// of the scaling (`WindowLevelScale`; a power not stored is 1); nil: the windows as stored
    /// (and every run stored before the option existed).
    var windowLevelTarget: Double? = nil
    var windowLevelPower: Double? = nil
    var windowLevelScale: WindowLevelScale? {
      WindowLevelScale.stored(target: windowLevelTarget, power: windowLevelPower)
    }
    /// `ClusterJob.note` and `ClusterJob.retrainOf` (nil for other runs).
    var note: String? = nil
    var retrainOf: Int64? = nil
    /// `ClusterJob.firstOver` and `.afterDiscardedReference` (nil for other runs).
    var firstOver: Int64? = nil
    var afterDiscardedReference: Bool? = nil
    /// True for runs that read their set in stored order (decision 0021); nil for runs stored
    /// before, which read it in window_id order.
    var storedOrder: Bool? = nil
    /// `ClusterJob.sweepMark` (nil for runs not made by a sweep, and those stored before).
    var sweep: SweepMark? = nil
    /// `--clusters auto` before K is chosen: the range scanned (lower, upper); `clusters` is
    /// then a placeholder. Nil once chosen, and for a K given.
    var clusterRange: [Int]? = nil
  }

  struct WindowSetDescription: Codable {
    var inputKind: String
    var channels: Int
    var length: Int
    var samplingRate: Double?
    var parameters: String
  }

  /// What a run trains on and with: settled before training starts.
  struct Plan {
    var run: RunRecord
    var contents: TrainingWindows
    var clusters: Int
    var options: ModelOptions
    /// Where a resumed run continues.
    var checkpoint: ClusterCheckpoint?
    /// How `--clusters auto` chose `clusters`.
    var choice: ClusterCountChoice? = nil
    /// `--clusters auto`: the range K is chosen in, until it is chosen.
    var scanning: ClosedRange<Int>? = nil
    /// `--orphans CC`.
    var orphans: Double? = nil
    /// The summary's last line and the run retrained (`ClusterJob.note`, `.retrainOf`).
    var note: String? = nil
    var retrainOf: Int64? = nil
    var firstOver: Int64? = nil
    var afterDiscardedReference = false
    /// `--init polarity`: the partition DEC starts from and is steered by.
    var guide: DeepEmbeddedClustering.Supervision? = nil
    /// Restarts already pretrained (by `--clusters auto`), by index: their state after the last
    /// pretraining epoch, from which they go on as if never stopped. Not stored.
    var pretrained: [Int: DECCheckpoint] = [:]
    /// Distinct windows in the input, counted up to the most clusters the run may have
    /// (`InputSurvey`); a K above them would leave clusters empty.
    var distinctWindows = Int.max
    var runID: Int64 { run.id ?? 0 }
  }

  public func run(store: SeisStore, logger: Logger) throws -> ClusterOutcome {
    var plan = try prepare(store: store, logger: logger)
    let chosenByTool = plan.options.initialization == nil && !resume
    if plan.options.initialization == nil {
      // A new run stores the tool's choice; a resumed run stored before `--init` used k-means.
      plan.options.initialization =
        resume
        ? .kmeans
        : .automatic(
          clusters: clusterRange == nil ? plan.clusters : 0,
          windowSet: plan.contents.windowSet, correlation: plan.contents.profiles != nil)
      if plan.options.initialization == .polarity {
        logger.info(
          "init polarity: first-motion windows (one component, at most \(ModelOptions.Initialization.firstMotionSeconds) s either side of the pick, --clusters 2) start from their polarity; --init kmeans for the paper's k-means start"
        )
      }
    }
    if plan.options.initialization == .polarity {
      guard clusterRange == nil || resume else {
        throw InputError(
          path: store.path, reason: "--init polarity splits up from down: use --clusters 2")
      }
      do {
        plan.guide = try Self.polarityGuide(plan, store: store.path, quiet: quiet)
        let up = plan.guide?.classes.filter { $0 == 0 }.count ?? 0
        logger.info(
          "init polarity: \(up) windows start up, \(plan.contents.count - up) down (first-motion partition per station)"
        )
      } catch let error as InputError where chosenByTool {
        // The tool's own choice falls back to the paper's start; an `--init polarity` asked
        // for is refused.
        logger.info("\(error.reason); k-means start instead")
        plan.options.initialization = .kmeans
      }
    }
    let settled = try beginRun(&plan, store: store, logger: logger)
    var state =
      plan.checkpoint ?? ClusterCheckpoint(finished: settled?.finished ?? [], current: nil)
    if let settled, !settled.stops {
      // The restarts the choice of K trained are kept for a resume from the start.
      try store.saveCheckpoint(
        CheckpointRecord(
          runId: plan.runID, stage: "restart", iteration: state.finished.count,
          state: try state.encoded()))
    }
    let separation =
      settled?.separation
      ?? SeparationCache(checked: checkedSeparation.flatMap { $0.matches(plan) ? $0 : nil })
    let restarts = plan.options.resolvedRestarts
    let set = plan.contents.windowSet
    let configuration = plan.options.autoencoderConfiguration(
      channels: plan.contents.networkChannels, length: plan.contents.networkLength)
    let withRestarts =
      restarts <= 1
      ? ""
      : plan.options.stopWhenTwoAgree == true
        ? " with restarts until two agree (at most \(restarts))" : " with \(restarts) restarts"
    logger.info(
      "clustering \(plan.contents.count) windows (\(plan.contents.networkChannels) x \(plan.contents.networkLength), \(plan.contents.profiles == nil ? set.inputKind.rawValue : "correlation profiles")) into \(plan.clusters) cluster\(plan.clusters == 1 ? "" : "s")\(withRestarts); \(configuration.lengthAdjustmentDescription); \(BLAS.kernelDescription)"
    )
    if plan.contents.isStreamed {
      logger.info(
        "the windows (\(MemoryLimit.describe(plan.contents.count * plan.contents.windowBytes))) exceed the \(MemoryLimit.describe(plan.contents.memoryBytes)) held in memory: read from the store in shuffled blocks"
      )
    }
    if let budget = plan.options.pretrainingWindows,
      plan.contents.count * ModelOptions().epochs > budget
    {
      logger.info(
        "pretraining budget: \(budget) windows seen, \(plan.options.epochs) epochs of \(plan.contents.count)"
      )
    }
    while state.finished.count < restarts, settled?.stops != true {
      let group = RestartGroup.range(
        from: state.finished.count, restarts: restarts,
        stopWhenTwoAgree: plan.options.stopWhenTwoAgree == true)
      state = try trainGroup(group, state: state, plan: plan, store: store, logger: logger)
      // A pretrained network `--clusters auto` kept is not needed once its restart has trained.
      for restart in group { plan.pretrained[restart] = nil }
      if plan.options.stopWhenTwoAgree == true {
        let check = try RestartSelection.stoppingCheck(
          state.finished, shares: try separation.shares(of: state.finished, plan: plan))
        if check.stops { break }
        if stopOnceRetrainIsCalledFor, state.finished.count < restarts,
          try callsForRetrain(state.finished, separation: separation, plan: plan)
        {
          logger.info("\(Self.retrainDecidesLine)")
          break
        }
        if check.pairAgrees, state.finished.count < restarts {
          logger.info("\(Self.pairNotCredibleLine)")
        }
      }
      if state.finished.count < restarts {
        try store.saveCheckpoint(
          CheckpointRecord(
            runId: plan.runID, stage: "restart", iteration: state.finished.count,
            state: try state.encoded()))
      }
    }
    do {
      return try record(state.finished, separation: separation, plan: plan, store: store)
    } catch let error as EncodingError {
      // Not a store failure: a resume would fail the same way, so the run is failed, not left
      // interrupted (unless it was already stored complete).
      if (try? store.run(id: plan.runID))?.status != .complete {
        try? failRun(plan, store: store)
      }
      throw error
    }
  }

  // MARK: Preparing

  /// What to train: the interrupted run with its own options and windows (`resume`), or the
  /// current window set with this job's options.
  /// Refuses, before anything trains, the options this job's run would fail on: `prepare`'s
  /// checks and the network's construction (`sweep` checks every configuration before its
  /// first run, so a sweep whose second network cannot be built never starts; it used to fail
  /// after the first run trained, and again at each `--resume`).
  public func preflight(store: SeisStore) throws {
    let quiet = Logger(label: "preflight", factory: { _ in SwiftLogNoOpLogHandler() })
    let plan = try prepare(store: store, logger: quiet)
    _ = try plan.options.makeAutoencoder(
      channels: plan.contents.networkChannels, length: plan.contents.networkLength,
      seed: plan.options.seed(ofRestart: 0))
  }

  func prepare(store: SeisStore, logger: Logger) throws -> Plan {
    var plan =
      resume
      ? try interruptedPlan(store: store, logger: logger) : try newPlan(store, logger: logger)
    let set = plan.contents.windowSet
    guard plan.contents.count >= plan.clusters else {
      throw InputError(
        path: store.path,
        reason:
          "the window set holds \(plan.contents.count) windows, fewer than --clusters \(plan.clusters)"
      )
    }
    plan.options = plan.options.resolvingDefaults(length: plan.contents.networkLength)
    if !resume { plan.options.applyWindowBudget(windowCount: plan.contents.count) }
    let survey = try plan.contents.survey(
      distinctUpTo: clusterRange.map { $0.upperBound } ?? plan.clusters)
    try plan.options.checkInput(
      survey, windowSet: set.id ?? 0, imported: set.inputKind == .imported, store: store.path)
    try survey.refuseTooFewDistinct(clusters: clusterRange == nil ? plan.clusters : nil, set: set)
    plan.distinctWindows = survey.distinct
    // Stored options always carry the number of restarts; options stored before restarts
    // existed made one.
    if resume {
      plan.options.restarts = plan.options.restarts ?? 1
    } else {
      // Options taken from a stored run (the window-reference run after a resumed run on a
      // reference per bin) hold the rule's cap as their restarts: still the rule, not a
      // `--restarts` given.
      let adaptive = plan.options.restarts == nil || plan.options.stopWhenTwoAgree == true
      plan.options.stopWhenTwoAgree = adaptive
      plan.options.restarts =
        adaptive ? ModelOptions.defaultMaximumRestarts : plan.options.resolvedRestarts
    }
    let configuration = plan.options.autoencoderConfiguration(
      channels: plan.contents.networkChannels, length: plan.contents.networkLength)
    // The options as given (the plan's have every default written in).
    try Self.checkShape(configuration, options: model)
    try checkMemory(configuration, options: plan.options, windows: plan.contents.count)
    return plan
  }

  /// Refuses `--filters` and `--kernels` that only pad the input, beyond what the defaults do:
  /// more stages than the window's halvings (14 stages pad 92 steps to 16,384), or a kernel
  /// longer than the steps its stage sees (every tap beyond them multiplies zeros). Such runs
  /// trained for minutes on padding. What the defaults do is never refused, given or not: a
  /// family of a few windows keeps the default three stages and kernels of at most 5, zero-padded.
  static func checkShape(_ configuration: Autoencoder.Configuration, options: ModelOptions) throws {
    guard configuration.architecture.pools else { return }
    let architecture = options.resolvedArchitecture
    let length = configuration.inputLength
    let depth = configuration.depth
    if options.filters != nil, 1 << depth > length, depth > architecture.defaultFilters.count {
      var most = 0
      while 1 << (most + 1) <= length { most += 1 }
      most = max(most, architecture.defaultFilters.count)
      throw InputError(
        path: "",
        reason:
          "model options: --filters gives \(depth) stages, and each halves the window: 2^\(depth) = \(1 << depth) is more than its \(length) steps (at most \(most) stage\(most == 1 ? "" : "s") here)"
      )
    }
    if options.kernels != nil {
      let defaultKernel = architecture.defaultKernels?.max() ?? 1
      for stage in 0..<depth {
        let steps = configuration.paddedLength >> stage
        let kernel = configuration.kernelSize(stage: stage)
        let most = max(steps, defaultKernel)
        guard kernel <= most else {
          throw InputError(
            path: "",
            reason:
              "model options: --kernels \(kernel) at stage \(stage + 1) is longer than the \(steps) steps that stage sees (at most \(most))"
          )
        }
      }
    }
  }

  private func newPlan(_ store: SeisStore, logger: Logger) throws -> Plan {
    let reader =
      try windowSetID.map { try store.windowSetReader(id: $0) } ?? store.currentWindowSetReader()
    guard
      let contents = reader.map({ TrainingWindows(reader: $0, memoryBytes: windowMemoryBytes) })
    else {
      throw InputError(
        path: store.path,
        reason: windowSetID.map { "window set \($0) is no longer stored" }
          ?? PickSelection.noCurrentSet(in: store))
    }
    guard contents.windowSet.id != nil else {
      throw InputError(path: store.path, reason: "window set without id")
    }
    if contents.windowSet.isCorrelationInput {
      try contents.useCorrelation(seed: model.seed, quiet: quiet)
      logger.info(
        "correlation input: profiles of \(contents.count) windows against \(contents.networkLength) reference windows"
      )
    }
    var options = model
    options.windowLevel = try applyWindowLevel(to: contents, store: store.path)
    if let interrupted = try store.interruptedRun() {
      logger.info(
        "run \(interrupted.id ?? 0) was interrupted; `seiscluster cluster --resume` continues it")
    }
    if orphanThreshold != nil, contents.profiles == nil {
      throw InputError(
        path: store.path,
        reason:
          "--orphans compares waveforms by correlation: build the windows with --input correlation (the default for one station's picks)"
      )
    }
    let placeholder = RunRecord(
      kind: .cluster, windowSetId: contents.windowSet.id ?? 0, version: "", seed: 0,
      clusterCount: clusterCount, optionsJson: "{}")
    return Plan(
      run: placeholder, contents: contents, clusters: clusterCount, options: options,
      checkpoint: nil, orphans: orphanThreshold, note: note, retrainOf: retrainOf,
      firstOver: firstOver, afterDiscardedReference: afterDiscardedReference)
  }

  /// Applies `--window-level` to a new run's windows (decision 0024): with `rms`, every window
  /// is scaled to the set's mean RMS from now on. Returns the level, which the run stores.
  func applyWindowLevel(to contents: TrainingWindows, store: String) throws
    -> ModelOptions.WindowLevel
  {
    let spectrogram = contents.profiles == nil && contents.windowSet.inputKind == .spectrogram
    let level = model.resolvedWindowLevel
    guard level != .asBuilt else { return level }
    guard spectrogram else {
      let kind =
        contents.profiles != nil
        ? "correlation profiles"
        : contents.windowSet.inputKind == .imported
          ? "imported windows" : "waveforms"
      throw InputError(
        path: store,
        reason:
          "--window-level \(level.rawValue) scales spectrogram windows, and window set \(contents.windowSet.id ?? 0) holds \(kind): drop it, or build the windows with --input spectrogram"
      )
    }
    guard model.resolvedLoss == .mse else {
      throw InputError(
        path: store,
        reason:
          "--window-level \(level.rawValue) scales windows beyond 1, which --loss bce cannot take: use --window-level none with --loss bce"
      )
    }
    contents.useLevel(WindowLevelScale(target: try contents.meanLevel(), power: level.power))
    return level
  }

  private func interruptedPlan(store: SeisStore, logger: Logger) throws -> Plan {
    guard let run = try store.claimInterruptedRun(id: resumeRunID), run.kind == .cluster else {
      if let live = try store.runsLiveElsewhere().first(where: {
        $0.kind == .cluster && (resumeRunID == nil || $0.id == resumeRunID)
      }) {
        throw InputError(
          path: store.path,
          reason:
            "run \(live.id ?? 0) is still running in another process: wait for it to finish (`cluster --resume` continues a run once nothing runs it)"
        )
      }
      throw InputError(
        path: store.path,
        reason:
          "no interrupted cluster run to resume (a command stopped before its run was stored, as while its windows were built, is run again in full)"
      )
    }
    let stored = try Self.decodeOptions(StoredOptions.self, from: run.optionsJson)
    guard
      let contents = try store.windowSetReader(id: run.windowSetId).map({
        TrainingWindows(reader: $0, memoryBytes: stored.windowMemoryBytes ?? windowMemoryBytes)
      })
    else {
      throw InputError(path: store.path, reason: "run \(run.id ?? 0) has lost its window set")
    }
    // A run stored before decision 0021 read its set in window_id order; its checkpoint
    // (targets, minibatch order) is by position in that order. Where stored order differs (a
    // set imported with ids out of order), it cannot be continued.
    let keys = contents.windows.map(\.windowKey)
    if stored.storedOrder != true, zip(keys, keys.dropFirst()).contains(where: { $0 >= $1 }) {
      throw InputError(
        path: store.path,
        reason:
          "run \(run.id ?? 0) was interrupted under an earlier version, which read its windows in window_id order, and the ids of set \(run.windowSetId) are not in that order: run `cluster` again"
      )
    }
    if let references = stored.correlationReferences {
      try contents.useCorrelation(references: references, quiet: quiet)
    }
    contents.useLevel(stored.windowLevelScale)
    let checkpoint = try store.checkpoint(runID: run.id ?? 0).map {
      try ClusterCheckpoint(encoded: $0.state)
    }
    let point =
      checkpoint.map(\.position) ?? "from the start (it stopped before its first checkpoint)"
    logger.info("resuming run \(run.id ?? 0) \(point)")
    // A run stopped before its K was chosen holds a placeholder K (`storedClusters`): it
    // starts from the range's lower end until it chooses.
    let scanning = stored.clusterRange.flatMap { $0.count == 2 ? $0[0]...$0[1] : nil }
    return Plan(
      run: run, contents: contents, clusters: scanning?.lowerBound ?? stored.clusters,
      options: stored.model, checkpoint: checkpoint, choice: stored.clusterChoice,
      scanning: scanning,
      orphans: stored.orphans,
      note: stored.note, retrainOf: stored.retrainOf, firstOver: stored.firstOver,
      afterDiscardedReference: stored.afterDiscardedReference ?? false)
  }

  /// The run's `InputSeparation`, made when two restarts have finished (a run of one restart
  /// chooses nothing), once per run: it depends only on the windows, K and the seed, so a
  /// resumed run measures the same. The one `inputCallsForReference` measured before training,
  /// when it matches, is used instead of measuring again.
  final class SeparationCache {
    private var separation: InputSeparation?
    /// The shares of the restarts measured so far, in restart order (a finished restart's
    /// labels do not change).
    private var measured: [Double] = []
    /// Seconds spent making it (sampling, subspace, k-means), nil until made.
    private(set) var seconds: Double?

    init(checked: CheckedSeparation? = nil) {
      separation = checked?.separation
      seconds = checked?.seconds
    }

    func shares(of finished: [FinishedRestart], plan: Plan) throws -> [Double]? {
      guard finished.count >= 2 else { return nil }
      let separation = try measure(plan)
      for restart in finished[measured.count...] {
        measured.append(separation.share(of: restart.labels))
      }
      return measured
    }

    /// The measure, made on first use (the station check of a one-restart run makes it too).
    func measure(_ plan: Plan) throws -> InputSeparation {
      if let separation { return separation }
      let start = Date()
      // A streamed set's sample stays within a quarter of its memory budget.
      let made = try plan.contents.inputSeparation(
        clusters: plan.clusters, seed: plan.options.seed)
      seconds = Date().timeIntervalSince(start)
      separation = made
      return made
    }
  }

  /// Some two of the finished restarts found the same clusters (whatever their separation).
  static func twoAgree(_ finished: [FinishedRestart]) throws -> Bool {
    try RestartSelection.twoAgree(finished, shares: nil)
  }

  // MARK: Choosing K

  /// The range `--clusters auto` scans on `plan`'s windows: K below the number of windows.
  func scannedRange(_ range: ClosedRange<Int>, plan: Plan) throws -> ClosedRange<Int> {
    let upper = min(range.upperBound, plan.contents.count - 1, plan.distinctWindows)
    guard upper >= range.lowerBound else {
      throw InputError(
        path: "",
        reason:
          "--clusters auto needs more than \(range.lowerBound) windows; the window set holds \(plan.contents.count)"
      )
    }
    return range.lowerBound...upper
  }

  /// `--clusters auto`: pretrains the network of every restart (side by side as the restarts
  /// train), embeds the windows with each and scans `range`. Returns the choice and each
  /// network's state after pretraining, from which its restart then goes on: pretraining does
  /// not depend on K, so the run is the one `--clusters K` makes. The networks' states are
  /// stored as the run's checkpoint (`ClusterCheckpoint.scanning`) as restarts' are, so an
  /// interrupted choice continues from `scan` (`cluster --resume`) and chooses as it would have.
  func chooseClusterCount(
    _ plan: Plan, range: ClosedRange<Int>, from scan: ClusterCheckpoint? = nil, store: SeisStore,
    logger: Logger
  ) throws -> (ClusterCountChoice, [Int: DECCheckpoint]) {
    let restarts =
      plan.options.stopWhenTwoAgree == true
      ? ModelOptions.defaultRestarts : plan.options.resolvedRestarts
    let few =
      range.upperBound == plan.distinctWindows
        && range.upperBound < (clusterRange?.upperBound ?? 0)
      ? " (the window set holds \(plan.distinctWindows) distinct windows)" : ""
    logger.info(
      "clusters auto: pretraining \(restarts) network(s) to choose K in \(range.lowerBound)...\(range.upperBound)\(few)"
    )
    _ = try plan.contents.source()
    let lanes = restartLanes(plan)
    let pretrained = PretrainedNetworks(count: restarts)
    let shared = RestartGroupState(
      state: scan ?? ClusterCheckpoint(finished: [], current: nil), count: restarts,
      runID: plan.runID, store: store, interval: checkpointSeconds,
      afterCheckpoint: afterCheckpoint, scanning: [range.lowerBound, range.upperBound],
      walk: scan?.walk)
    let starts = shared.members.map(\.checkpoint)
    let job = self
    let pretrain = UncheckedSendable {
      (r: Int, threads: Int, cancellation: GroupCancellation) throws in
      let (dec, progress) = try job.trainer(
        for: plan, restart: r, threads: threads, logger: logger)
      defer { progress.pretraining.finish() }
      // The restart's history counts the pretraining done here, and before an interruption.
      let before = starts[r]?.stageSeconds["pretrain"] ?? 0
      let started = Date()
      var last = starts[r]
      dec.onCheckpoint = {
        try cancellation.check()
        var state = $0
        state.stageSeconds = ["pretrain": before + Date().timeIntervalSince(started)]
        try shared.checkpoint(r, state)
        last = state
      }
      _ = try dec.pretrain(resumingFrom: starts[r])
      pretrained.set(
        r, embeddings: try dec.embeddings(), dimension: dec.model.latentDimension, state: last)
    }
    try Self.inGroups(count: restarts, lanes: lanes) { try pretrain.value($0, $1, $2) }
    // Every network's last epoch, whenever the last checkpoint was stored: a run stopped while
    // K is chosen goes on from here.
    try shared.saveNow()
    let choice = try ClusterCountChoice(
      embeddings: pretrained.embeddings, dimension: pretrained.dimension, range: range,
      seed: plan.options.seed)
    return (choice, pretrained.states)
  }

  /// Said when restarts stop because a retrain on another spectrogram reference decides.
  static let retrainDecidesLine =
    "the restart kept so far has clusters that follow stations whose windows differ within clusters: no further restart here, the retrain on another spectrogram reference decides (decision 0020)"
  /// Said when two restarts agree but their clusters separate the windows too little.
  static let pairNotCredibleLine =
    "restarts agree, but k-means on the windows separates them at least 1.5 times better than their clusters do: training another restart (decision 0014)"

  /// `--clusters auto` with restarts until two agree (decision 0015, "K whose restarts agree
  /// (stop 38)"): the best K of the scan, then the smaller ones in the scan's order, each
  /// clustered from the pretrained networks
  /// (one restart each, as the run would train them) until the run's own stopping rule stops;
  /// the first K where it stops, or where two restarts at least agree (ARI >= 0.875), is the
  /// run's, with those restarts, and the run goes on from them as before. When no K has two
  /// restarts that agree, the best K's restarts go on. Sets `plan.clusters` and the
  /// choice's `chosen` and `unsettled`. The restarts trained are stored with the choice's
  /// checkpoint after each step (`ClusterCheckpoint.walk`); a resumed walk takes those in
  /// `walked` instead of training them again, and so walks as it did.
  func settleClusterCount(
    _ plan: inout Plan, walked: [String: FinishedRestart] = [:], store: SeisStore? = nil,
    logger: Logger
  ) throws -> Settled? {
    guard let choice = plan.choice else { return nil }
    let networks = plan.pretrained.count
    guard networks >= 2 else { return nil }
    let order = choice.settlingOrder
    let base = plan
    func trial(_ k: Int) -> Plan {
      var trial = base
      trial.clusters = k
      return trial
    }
    var walk = walked
    // The walk's steps are stored as the choice's checkpoint: the networks' pretrained states,
    // the range, and the restarts trained so far.
    let saving = store.flatMap { store in
      base.scanning.map { range in
        RestartGroupState(
          state: ClusterCheckpoint(
            finished: [], current: nil,
            group: (0..<networks).map {
              GroupMember(finished: nil, checkpoint: base.pretrained[$0])
            }),
          count: networks, runID: base.runID, store: store, interval: 0,
          afterCheckpoint: afterCheckpoint, scanning: [range.lowerBound, range.upperBound])
      }
    }
    func train(_ k: Int, _ group: Range<Int>) throws -> [FinishedRestart] {
      let known = group.compactMap { walk["\(k)/\($0)"] }
      if known.count == group.count { return known }
      let made = try trainPretrained(group, plan: trial(k), logger: logger)
      for (r, restart) in zip(group, made) { walk["\(k)/\(r)"] = restart }
      try saving?.saveNow(walk: walk)
      return made
    }
    guard
      let settled = try ClusterCountWalk.settle(
        order: order, networks: networks,
        context: { k in
          SeparationCache(checked: checkedSeparation.flatMap { $0.matches(trial(k)) ? $0 : nil })
        },
        train: { k, _, group in try train(k, group) },
        check: { k, separation, finished in
          var check = try RestartSelection.stoppingCheck(
            finished, shares: try separation.shares(of: finished, plan: trial(k)))
          // As the run's own loop at the best K: a retrain on another spectrogram reference
          // decides instead (decision 0020).
          if !check.stops, stopOnceRetrainIsCalledFor, k == order.first,
            finished.count < base.options.resolvedRestarts,
            try callsForRetrain(finished, separation: separation, plan: trial(k))
          {
            logger.info("\(Self.retrainDecidesLine)")
            check.stops = true
          }
          return check
        },
        log: { logger.info("\($0)") })
    else { return nil }
    // Networks whose restart has trained are not needed again.
    for r in settled.finished.indices { plan.pretrained[r] = nil }
    plan.clusters = settled.k
    plan.choice?.chosen = settled.k
    plan.choice?.unsettled = settled.unsettled
    return (settled.finished, settled.context, settled.stops)
  }

  /// The restarts `indices` clustered at `plan.clusters` from their pretrained networks
  /// (`plan.pretrained`), side by side when the lanes allow; nothing is stored.
  func trainPretrained(_ indices: Range<Int>, plan: Plan, logger: Logger) throws
    -> [FinishedRestart]
  {
    let lanes = min(indices.count, restartLanes(plan))
    let made = FinishedBox(count: indices.count)
    let job = self
    let work = UncheckedSendable {
      (offset: Int, threads: Int, cancellation: GroupCancellation) throws in
      let restart = indices.lowerBound + offset
      let (dec, progress) = try job.trainer(
        for: plan, restart: restart, threads: threads, logger: logger)
      defer { progress.finish() }
      dec.onCheckpoint = { _ in try cancellation.check() }
      let result = try dec.run(resumingFrom: plan.pretrained[restart])
      made.set(
        offset,
        try FinishedRestart(result, model: dec.model, seed: plan.options.seed(ofRestart: restart)))
    }
    try Self.inGroups(count: indices.count, lanes: lanes) { try work.value($0, $1, $2) }
    return made.values
  }

  // MARK: Training

  /// The model and DEC trainer of restart `restart`, reporting progress.
  func trainer(
    for plan: Plan, restart: Int, threads: Int? = nil, logger: Logger
  ) throws -> (dec: DeepEmbeddedClustering, progress: TrainingProgress) {
    let autoencoder = try plan.options.makeAutoencoder(
      channels: plan.contents.networkChannels, length: plan.contents.networkLength,
      seed: plan.options.seed(ofRestart: restart))
    if let threads { autoencoder.threadCount = threads }
    let windows = try plan.contents.source()
    var options = plan.options.decOptions(clusterCount: plan.clusters)
    options.seed = plan.options.seed(ofRestart: restart)
    let dec = try DeepEmbeddedClustering(windows: windows, model: autoencoder, options: options)
    dec.encodingChunk = plan.contents.encodingChunk
    dec.guide = plan.guide
    let restarts = plan.options.resolvedRestarts
    let progress = reportProgress(
      of: dec, epochs: plan.options.epochs,
      prefix: restarts > 1 ? "restart \(restart + 1)/\(restarts): " : "")
    return (dec, progress)
  }

  /// Refuses, before allocating, a network whose training would take more memory than the
  /// process can get (physical memory, or what `ulimit -v` leaves).
  private func checkMemory(
    _ configuration: Autoencoder.Configuration, options: ModelOptions, windows: Int
  ) throws {
    let needed = try Autoencoder.trainingBytes(
      configuration: configuration, batch: min(options.batch, windows),
      workers: ProcessInfo.processInfo.activeProcessorCount)
    let available = MemoryLimit.availableBytes
    guard needed.value <= available else {
      throw InputError(
        path: "",
        reason:
          "model options: the network needs \(MemoryLimit.describe(needed.value)) to train but only \(MemoryLimit.describe(available)) can be allocated; use fewer or smaller --filters, a smaller --latent or --batch"
      )
    }
  }

  /// Stores a new run (a resumed one is stored already) and, for `--clusters auto`, chooses its
  /// K: the run is stored before its networks pretrain and the choice is checkpointed as
  /// restarts are, so a resumed run interrupted there chooses again from its networks' stored
  /// states (or from the start, stopped before its first checkpoint). Returns the restarts the
  /// choice trained (`settleClusterCount`), if any.
  func beginRun(_ plan: inout Plan, store: SeisStore, logger: Logger) throws -> Settled? {
    let scan = resume ? plan.checkpoint.flatMap { $0.scanning == nil ? nil : $0 } : nil
    if let range = scan?.scanning, range.count == 2 {
      plan.scanning = range[0]...range[1]
    } else if !resume {
      plan.scanning = try clusterRange.map { try scannedRange($0, plan: plan) }
    }
    guard let range = plan.scanning else {
      plan.run = try begin(plan, store: store)
      return nil
    }
    if !resume { plan.run = try begin(plan, store: store) }
    plan.checkpoint = nil
    var settled: Settled? = nil
    do {
      let (choice, pretrained) = try chooseClusterCount(
        plan, range: range, from: scan, store: store, logger: logger)
      plan.choice = choice
      plan.clusters = choice.chosen
      plan.pretrained = pretrained
      if plan.options.stopWhenTwoAgree == true, choice.networks >= 2 {
        settled = try settleClusterCount(
          &plan, walked: scan?.walk ?? [:], store: store, logger: logger)
      }
      // K is the run's from here on (stored before its first checkpoint with K). Only K, its
      // evidence and the range change in the options the run was stored with (a resumed run's
      // keep what only the job that began it knew, as its sweep).
      var stored = try Self.decodeOptions(StoredOptions.self, from: plan.run.optionsJson)
      stored.clusters = plan.clusters
      stored.clusterChoice = plan.choice
      stored.clusterRange = nil
      plan.run.optionsJson = try Self.encodeOptions(stored)
      plan.run.clusterCount = plan.clusters
      plan.scanning = nil
    } catch let interrupted as Interrupted {
      // A checkpoint the store could not take: resumable from the last one stored.
      throw interrupted.underlying
    } catch {
      // A failure to train, or a choice that cannot be stored (a NaN in its evidence): a
      // resume would fail the same way.
      try? failRun(plan, store: store)
      throw error
    }
    // A store that cannot take it leaves the run resumable from its last checkpoint.
    try store.updateRun(plan.run)
    return settled
  }

  /// Restarts the choice of K trained, its input separation, and whether they settle the run.
  typealias Settled = (finished: [FinishedRestart], separation: SeparationCache, stops: Bool)

  /// The run's record: the resumed run, or a new one holding every option.
  func begin(_ plan: Plan, store: SeisStore) throws -> RunRecord {
    if resume { return plan.run }
    let set = plan.contents.windowSet
    return try store.createRun(
      RunRecord(
        kind: .cluster, windowSetId: set.id ?? 0, version: SeisclusterVersion.string,
        seed: Int64(bitPattern: plan.options.seed), clusterCount: storedClusters(plan),
        optionsJson: try storedOptionsJSON(plan)))
  }

  /// The K a run is stored with: `--clusters auto` before K is chosen stores one more than the
  /// windows, which an earlier version resuming the run refuses ("fewer than --clusters")
  /// instead of training it with a K nobody chose (`interruptedPlan` reads the range instead).
  func storedClusters(_ plan: Plan) -> Int {
    plan.scanning == nil ? plan.clusters : plan.contents.count + 1
  }

  /// What a run stores of its options: its K (`--clusters auto`: `storedClusters`'s
  /// placeholder and the range until K is chosen, then the choice and its evidence), model
  /// options and window set.
  func storedOptionsJSON(_ plan: Plan) throws -> String {
    let set = plan.contents.windowSet
    return try Self.encodeOptions(
      StoredOptions(
        clusters: storedClusters(plan), model: plan.options, windowSetId: set.id ?? 0,
        windowSet: WindowSetDescription(
          inputKind: set.inputKind.rawValue, channels: set.channelCount, length: set.length,
          samplingRate: set.samplingRate, parameters: set.parametersJson),
        clusterChoice: plan.choice, windowMemoryBytes: plan.contents.memoryBytes,
        correlationReferences: plan.contents.correlationReferences,
        orphans: plan.orphans, windowLevelTarget: plan.contents.level?.target,
        windowLevelPower: plan.contents.level?.power, note: plan.note,
        retrainOf: plan.retrainOf,
        firstOver: plan.firstOver,
        afterDiscardedReference: plan.afterDiscardedReference ? true : nil,
        storedOrder: true, sweep: sweepMark,
        clusterRange: plan.scanning.map { [$0.lowerBound, $0.upperBound] }))
  }

  /// Marks the run failed (nothing resumes it; its checkpoint goes).
  func failRun(_ plan: Plan, store: SeisStore) throws {
    var failed = plan.run
    failed.status = .failed
    try store.updateRun(failed)
  }

  /// A restart's two progress lines; `finish` ends both once it is trained (or has failed).
  struct TrainingProgress {
    var pretraining: Progress
    var clustering: Progress

    func finish() {
      pretraining.finish()
      clustering.finish()
    }
  }

  /// Pretraining epochs, then target updates, on stderr.
  private func reportProgress(of dec: DeepEmbeddedClustering, epochs: Int, prefix: String)
    -> TrainingProgress
  {
    let pretraining = Progress(label: prefix + "pretraining epoch", total: epochs, quiet: quiet)
    let clustering = Progress(label: prefix + "clustering iteration", total: nil, quiet: quiet)
    let started = Date()
    dec.onEpoch = { epoch, loss in
      pretraining.update(
        epoch, detail: String(format: "loss %.5f (%.1f s)", loss, Date().timeIntervalSince(started))
      )
    }
    dec.onUpdate = { update in
      pretraining.finish()
      clustering.update(
        update.iteration,
        detail: String(
          format: "loss %.5f kl %.5f label change %.4f (%.1f s)", update.loss, update.kl,
          update.labelChange, Date().timeIntervalSince(started)))
    }
    return TrainingProgress(pretraining: pretraining, clustering: clustering)
  }

  /// An error thrown by `afterCheckpoint`: the job stops and the run stays resumable.
  struct Interrupted: Error {
    var underlying: any Error
  }

  // MARK: Recording

  /// Keeps one restart (see `RestartSelection`) and stores every window's cluster, its model,
  /// the history and the summary with the run, in one transaction.
  func record(
    _ restarts: [FinishedRestart], separation: SeparationCache, plan: Plan, store: SeisStore
  ) throws -> ClusterOutcome {
    let selection = try RestartSelection(
      restarts, shares: try separation.shares(of: restarts, plan: plan))
    let kept = restarts[selection.chosen]
    let model = try plan.options.autoencoder(
      channels: plan.contents.networkChannels, length: plan.contents.networkLength,
      seed: kept.seed,
      parameters: kept.parameters, optimizer: kept.optimizer)
    let windows = plan.contents.windows
    let assignment = try ClusterAssignment(
      model: model,
      windows: try plan.contents.source(), centroids: kept.centroids,
      chunkSize: plan.contents.encodingChunk)
    var records = assignment.records(runID: plan.runID, windowIDs: windows.map { $0.id ?? 0 })
    var labels = assignment.labels
    var emptiedByOrphans: Set<Int> = []
    if let threshold = plan.orphans,
      let orphans = try Orphans.find(labels: labels, in: plan.contents, threshold: threshold)
    {
      let before = Set(labels)
      for i in orphans {
        labels[i] = -1
        records[i].cluster = -1
      }
      emptiedByOrphans = before.subtracting(labels)
    }
    let probabilities = (0..<assignment.count).map { assignment.probability(ofWindow: $0) }
    let stations = Self.stations(plan)
    let confound = Self.confound(
      labels: labels, stations: stations, separation: separation, plan: plan)
    let report = selection.report
    let summary =
      ClusterSummary.lines(
        assignments: labels, probabilities: probabilities, stations: stations,
        clusterCount: plan.clusters, confound: confound, stopReason: kept.stopReason,
        iterations: kept.updates.last?.iteration ?? 0, orphanThreshold: plan.orphans)
      + [report.line]
      + (report.setAsideLine.map { [$0] } ?? []) + (plan.note.map { [$0] } ?? [])

    var history = RunHistory(kept)
    history.restarts = report
    if let seconds = separation.seconds { history.stageSeconds["input separation"] = seconds }
    history.clusterChoice = plan.choice
    var run = plan.run
    run.historyJson = try history.json()
    let choiceLines = plan.choice?.lines ?? []
    var outcome = ClusterOutcome(
      run: run, assignments: labels, probabilities: probabilities,
      summary: choiceLines + summary, confound: confound, restarts: report)
    outcome.emptiedByOrphans = emptiedByOrphans
    outcome.spectrogramHint =
      plan.afterDiscardedReference
      ? nil
      : Self.spectrogramHint(confound: confound, options: plan.contents.windowSet.buildOptions)
    outcome.referenceRetry = Self.referenceRetry(
      confound: confound, options: plan.contents.windowSet.buildOptions)
    outcome.retrainOf = plan.retrainOf
    outcome.firstOver = plan.firstOver
    outcome.clusterChoice = plan.choice
    outcome.model = plan.options
    if let options = plan.contents.windowSet.buildOptions, options.input == .spectrogram {
      outcome.spectrogramReference = options.spectrogramReference
    }
    run.summary =
      (choiceLines + summary + (report.isUnstable ? [report.warning] : [])
      + (outcome.emptyClustersWarning.map { [$0] } ?? [])).joined(separator: "\n")
    let storeStart = Date()
    run = try store.completeRun(
      run, model: try StoredModel.record(of: model, centroids: kept.centroids),
      assignments: records)
    history.stageSeconds["store"] = Date().timeIntervalSince(storeStart)
    run.historyJson = try history.json()
    try store.updateRun(run)
    outcome.run = run
    return outcome
  }
}

extension ClusterJob {
  /// Each window's `NET.STA.LOC`, in window order.
  static func stations(_ plan: Plan) -> [String] {
    plan.contents.windows.map { "\($0.network).\($0.station).\($0.location)" }
  }

  /// The station check of a run's labels (orphans, -1, left out).
  static func confound(
    labels: [Int], stations: [String], separation: SeparationCache, plan: Plan
  ) -> StationConfoundReport? {
    let inFamilies = labels.indices.filter { labels[$0] >= 0 }
    var confound = try? StationConfoundCheck().assess(
      clusters: inFamilies.map { labels[$0] }, stations: inFamilies.map { stations[$0] })
    if confound?.verdict == .suspected {
      // Decision 0020: do the stations' windows differ inside a cluster (sensors, sites) or
      // only in their mix of clusters? Left unsaid if the sample cannot be read.
      confound?.stationShareWithinClusters = try? separation.measure(plan).stationShare(
        clusters: labels, stations: stations)
    }
    return confound
  }

  /// Whether the restart the finished ones would keep calls for the retrain, as
  /// `record` decides it once the run is stored (the same labels: each restart's own
  /// assignment). Without orphans, which only correlation input has, and correlation input is
  /// never retrained.
  func callsForRetrain(
    _ finished: [FinishedRestart], separation: SeparationCache, plan: Plan
  ) throws -> Bool {
    guard finished.count >= 2, plan.orphans == nil else { return false }
    let selection = try RestartSelection(
      finished, shares: try separation.shares(of: finished, plan: plan))
    let confound = Self.confound(
      labels: finished[selection.chosen].labels, stations: Self.stations(plan),
      separation: separation, plan: plan)
    return Self.referenceRetry(confound: confound, options: plan.contents.windowSet.buildOptions)
      != nil
  }
}

/// `--orphans CC`: windows that correlate with no other member of their cluster.
enum Orphans {
  /// The orphans of `labels` over a correlation-input set (nil without profiles): candidates
  /// from the references' profiles, then, when the references are a sample, each settled
  /// against its whole cluster. `cluster` and `relabel` both find them so.
  static func find(labels: [Int], in contents: TrainingWindows, threshold: Double) throws
    -> [Int]?
  {
    guard let profiles = contents.profiles, let references = contents.correlationReferences
    else { return nil }
    let candidates = find(
      labels: labels, profiles: profiles, references: references, threshold: threshold)
    guard references.count < labels.count, !candidates.isEmpty else { return candidates }
    return try CorrelationInput.orphans(
      among: candidates, labels: labels, reader: contents.reader, threshold: threshold)
  }

  /// Indices of the windows whose peak correlation with every other reference of their cluster
  /// is below `threshold`. `profiles` holds every window's correlation with the references at
  /// `references` (ordinals in the same set); a window is never compared with itself.
  static func find(labels: [Int], profiles: WindowArray, references: [Int], threshold: Double)
    -> [Int]
  {
    let m = profiles.length
    var orphans: [Int] = []
    profiles.tensor.values.withUnsafeBufferPointer { values in
      for i in labels.indices {
        var best = -Double.infinity
        for (r, ordinal) in references.enumerated()
        where ordinal != i && labels[ordinal] == labels[i] {
          best = max(best, Double(values[i * m + r]))
        }
        if best < threshold { orphans.append(i) }
      }
    }
    return orphans
  }
}

extension ClusterJob {
  /// The hint of `ClusterOutcome.spectrogramHint`: only when the station check suspects the
  /// clusters follow stations and the set is spectrograms against the window's loudest cell,
  /// unless the stations' windows were found alike within clusters (then the stations more
  /// likely record different mixes of events, and a reference per bin would lose the balance
  /// between frequencies that tells them apart: decision 0020).
  static func spectrogramHint(confound: StationConfoundReport?, options: WindowSetOptions?)
    -> String?
  {
    guard let confound, confound.verdict == .suspected || confound.verdict == .confounded,
      confound.stationsDifferWithinClusters != false,
      let options, options.input == .spectrogram, options.spectrogramReference == .window
    else { return nil }
    let retrain = retrainReference(options)
    return "hint: if these stations mix sensor types (geophones and broadbands, say), "
      + "--spectrogram-reference \(retrain.rawValue) measures each frequency bin against "
      + (retrain == .noise ? "its own noise before the pick" : "its own loudest frame")
      + ", so a station's response cancels; give it with this set's window options "
      + "(a window option builds a new set from the defaults) "
      + "(docs/decisions/0020-spectrogram-reference.md)"
  }
  /// `ClusterOutcome.referenceRetry`: the hint's conditions, and the stations' windows found to
  /// differ within clusters (not merely unmeasured).
  static func referenceRetry(confound: StationConfoundReport?, options: WindowSetOptions?)
    -> WindowSetOptions?
  {
    guard spectrogramHint(confound: confound, options: options) != nil,
      confound?.stationsDifferWithinClusters == true, var retry = options
    else { return nil }
    retry.spectrogramReference = retrainReference(retry)
    retry.inputChosenByTool = false
    return retry
  }

  /// Decision 0020, "Choosing the reference before training (stop 32)": the current set's own
  /// clusters (k-means on its input, in the run's input separation: the leading principal
  /// components of a sample of at most 2,000 windows, with the run's seed) checked against the
  /// stations as a run's clusters are. When they call for a retrain, the set's options with
  /// the retrain's reference and the check; nil otherwise (and for sets other than
  /// window-referenced spectrograms). The network's own clusters are not needed to see that
  /// the input follows stations whose windows differ within clusters, so `cluster` trains on
  /// that reference first and on the window reference only if it must.
  /// The measure is kept (`checkedSeparation`) for a run of this job on the same set.
  public mutating func inputCallsForReference(store: SeisStore) throws -> ReferenceChoice? {
    guard
      let contents = try store.currentWindowSetReader().map({
        TrainingWindows(reader: $0, memoryBytes: windowMemoryBytes)
      }),
      let options = contents.windowSet.buildOptions, options.input == .spectrogram,
      options.spectrogramReference == .window, contents.count > clusterCount,
      let windowSet = contents.windowSet.id
    else { return nil }
    // The check measures the windows as built: whether stations set the windows apart is a
    // question about the reference, and its threshold was chosen there (decision 0020). A run
    // that scales its windows (decision 0024) measures their separation again.
    let start = Date()
    let separation = try contents.inputSeparation(clusters: clusterCount, seed: model.seed)
    checkedSeparation = CheckedSeparation(
      windowSet: windowSet, clusters: clusterCount, seed: model.seed,
      memoryBytes: contents.memoryBytes, separation: separation,
      seconds: Date().timeIntervalSince(start))
    guard separation.sampleClusters.count == separation.sample.count else { return nil }
    let stations = contents.windows.map { "\($0.network).\($0.station).\($0.location)" }
    var labels = [Int](repeating: -1, count: contents.count)
    for (row, window) in separation.sample.enumerated() {
      labels[window] = separation.sampleClusters[row]
    }
    guard
      var confound = try? StationConfoundCheck(suspectedV: Self.referenceCheckV).assess(
        clusters: separation.sampleClusters, stations: separation.sample.map { stations[$0] })
    else { return nil }
    if confound.verdict == .suspected {
      confound.stationShareWithinClusters = separation.stationShare(
        clusters: labels, stations: stations)
    }
    guard let retry = Self.referenceRetry(confound: confound, options: options) else {
      return nil
    }
    return ReferenceChoice(options: retry, confound: confound)
  }

  /// The reference a retrain (and the hint) uses for a set built with `options`: `noise` when
  /// the windows hold at least `retrainNoiseFrames` STFT frames before the pick and one after
  /// it, else `frequency` (decision 0020, "The noise reference (stop 32)").
  static func retrainReference(_ options: WindowSetOptions)
    -> WindowSetOptions.SpectrogramReference
  {
    WindowPreprocessor.noiseProblem(options) == nil
      && WindowPreprocessor.noiseFrames(options).noise >= Double(retrainNoiseFrames)
      ? .noise : .frequency
  }

  /// Cramér's V between the set's own k-means clusters and the stations at or above which the
  /// check before training looks at how the stations differ within clusters (a run's station
  /// check uses 0.3, `StationConfoundCheck.suspectedV`). On window-referenced spectrograms,
  /// k-means's V was 0.030-0.162 on six make_events.py and demo sets (0.463 and 0.720 with
  /// site resonances) and 0.264-0.738 on five generator B sets; at 0.3, generator B 2,000
  /// drawn with seed 17 (0.264) trained on the window reference first and retrained on 7 of 8
  /// seeds (26-45 s), and seed 1 kept the window run at 0.8513 (decision 0020, "The check's
  /// threshold (stop 34)").
  static let referenceCheckV = 0.2

  /// Noise frames the retrain needs to take the noise reference: with one (`--before 1.5`),
  /// generator B 2,000 gave 0.9498-0.9704 on noise against 0.9779-0.9859 on frequency, seeds
  /// 0-3; from two to five the two traded places by seed; with six (`--before 5`) noise was
  /// better on every generator B set (decision 0020).
  static let retrainNoiseFrames = 2

}

/// Window options with a reference per bin, chosen before training from the set's own clusters
/// (`ClusterJob.inputCallsForReference`), and the station check behind the choice.
public struct ReferenceChoice: Sendable {
  public var options: WindowSetOptions
  public var confound: StationConfoundReport
  /// The station share within the set's k-means clusters, as the summary prints it.
  public var shareText: String {
    confound.stationShareWithinClusters.map(StationConfoundReport.percent) ?? "?"
  }
}

/// The per-cluster summary printed after a run.
enum ClusterSummary {
  /// `text` right-aligned in `width` characters (7: the `cluster` column).
  static func padded(_ text: String, to width: Int = 7) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
  }

  static func lines(
    assignments: [Int], probabilities: [Float], stations: [String], clusterCount: Int,
    confound: StationConfoundReport?, stopReason: String, iterations: Int,
    orphanThreshold: Double? = nil
  ) -> [String] {
    var lines = ["cluster  windows  share  mean_probability  stations (most windows first)"]
    let n = assignments.count
    let orphans = assignments.contains(-1) ? [-1] : []
    for c in Array(0..<clusterCount) + orphans {
      let members = assignments.indices.filter { assignments[$0] == c }
      let meanP =
        members.isEmpty
        ? 0 : members.reduce(0.0) { $0 + Double(probabilities[$1]) } / Double(members.count)
      var counts: [String: Int] = [:]
      for i in members { counts[stations[i], default: 0] += 1 }
      let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      var top = ranked.prefix(4).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      if ranked.count > 4 {
        // The rest counted, so that the stations named and the rest sum to the cluster.
        let rest = ranked.dropFirst(4)
        top +=
          ", +\(rest.count) more station\(rest.count == 1 ? "" : "s") "
          + "(\(rest.reduce(0) { $0 + $1.value }))"
      }
      // (No trailing spaces where a cluster has no station to name.)
      lines.append(
        String(
          format: "%@  %7d  %4.1f%%  %@", padded(c < 0 ? "orphans" : String(c)),
          members.count, 100 * Double(members.count) / Double(max(n, 1)),
          padded(members.isEmpty ? "-" : String(format: "%.3f", meanP), to: 16))
          + (top.isEmpty ? "" : "  " + top))
    }
    lines.append("stopped by \(stopReason) after \(iterations) iterations")
    if !orphans.isEmpty {
      lines.append(
        "orphans: windows whose peak correlation with every other member of their cluster is below --orphans"
          + (orphanThreshold.map { String(format: " %g", $0) } ?? "")
      )
    }
    if let confound { lines.append(confound.summary) }
    return lines
  }
}

/// Restarts trained side by side, filled in restart order.
final class FinishedBox: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [FinishedRestart?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ restart: FinishedRestart) {
    lock.lock()
    defer { lock.unlock() }
    slots[index] = restart
  }

  var values: [FinishedRestart] {
    lock.lock()
    defer { lock.unlock() }
    return slots.map { $0! }
  }
}
