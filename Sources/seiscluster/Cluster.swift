import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster cluster --clusters K|auto [window options] [model options]`
struct ClusterCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract:
      "Cluster the windows with an autoencoder (conv, tcn, lstm or dense) and deep embedded clustering.",
    discussion: """
      With any window option, first builds a new window set as `windows build` does; otherwise \
      clusters the current window set. Then it pretrains the autoencoder on reconstruction \
      (lambda = 0), seeds K centroids by k-means on the bottleneck features, moved to the \
      means of a Gaussian mixture with one spread per cluster fitted from k-means's partition \
      (so a broad cluster keeps its outer members; decision 0022), and optimises \
      (1 - lambda) L_r + lambda KL(P || Q) jointly, refreshing the target P every update \
      interval until fewer than --tol of the labels change. The run, its model and every \
      window's cluster and probability are stored; a per-cluster summary is printed.

      A run checkpoints after pretraining epochs and target updates (at most every 5 s, or \
      every SEISCLUSTER_CHECKPOINT_SECONDS); `cluster --resume` continues a killed run from its \
      last checkpoint to the same labels an uninterrupted run gives.

      --restarts N trains N independent networks and keeps the one whose clusters the others \
      agree with best; the `stability:` line gives their agreement (ARI), and a `warning: \
      unstable` line says when no other restart found the clusters kept. Two restarts can land \
      in the same wrong optimum and agree, so each restart's clusters are also compared with \
      k-means on the windows themselves (the Calinski-Harabasz index in the input's leading 8 \
      principal components, as a share of k-means's): once a restart with a share of at least \
      2/3 has a partner, restarts below it are set aside, and a `set aside:` line names them. \
      Without --restarts, restarts are trained until two agree (ARI >= 0.875) and one of them \
      has a share of at least 2/3, or until three or more are trained and none has, at most \
      \(ModelOptions.defaultMaximumRestarts). That rule keeps a bad optimum less often than a \
      fixed --restarts 3 (docs/decisions/0014-restarts.md).

      The station check compares the clusters with the stations. When clusters follow \
      stations whose windows differ even within a cluster (station explains at least 10 % of \
      the input's variance there, as when stations mix sensor types) on window-referenced \
      spectrograms this command built, a reference per frequency bin is taken: \
      --spectrogram-reference noise (each bin against its own noise before the pick; \
      frequency when fewer than two STFT frames, 1.92 s, fit before the pick). The check \
      runs first on the set's own clusters (k-means on its input): when they call for it, \
      the run trains on noise first, and on the window reference only if that run's clusters \
      still follow stations (then it is discarded). Otherwise it runs on the window run's \
      clusters: the run is retrained on noise, the first run stays in the store, and the \
      retrain is kept only when its clusters no longer follow stations. Give \
      --spectrogram-reference to keep the reference given \
      (docs/decisions/0020-spectrogram-reference.md).

      --clusters auto first pretrains the restarts' networks, partitions each one's embedding \
      by k-means for every K in 2..--max-clusters, and takes the K with the highest \
      stability (how well the networks' partitions agree) plus silhouette (how compact they \
      are); one line per K shows the evidence, which the run stores and the report plots. \
      The run is then the run `--clusters K` gives, at about twice its cost. Without \
      --restarts, a K whose first restarts (one per pretrained network) do not have two that \
      agree once clustered is passed over for the next best smaller K whose restarts do, and its line \
      says `(restarts disagree)`; when no K has such a pair, the best K trains more restarts \
      (docs/decisions/0015-choosing-k.md). The networks' pretraining is checkpointed as \
      restarts are: `cluster --resume` continues a run stopped before its K was chosen and \
      chooses the K it would have.

      Examples:
        seiscluster cluster --clusters 2 --before 5 --after 55
        seiscluster cluster --clusters auto --stations XB.KESR --before 5 --after 35
      """)

  @OptionGroup var global: GlobalOptions

  @Option(
    help: ArgumentHelp(
      "Number of clusters K, or `auto` to choose it (required unless --resume).",
      valueName: "k|auto"))
  var clusters: ClusterCount?

  @Option(
    help: ArgumentHelp(
      "With --clusters auto: the largest K tried (2 to 100; default 10).", valueName: "k"))
  var maxClusters: Int?

  @Flag(
    help:
      "Continue the latest interrupted run from its last checkpoint, with its own options and windows."
  )
  var resume = false

  @Option(
    name: .customLong("window-memory"),
    help: ArgumentHelp(
      "Megabytes of window samples held in memory while training (default 256). A larger window set is read from the store in shuffled blocks that fill this budget; the blocks set the order training sees the windows in, so a streamed run is reproduced by the same seed and the same budget.",
      valueName: "mb"))
  var windowMemory: Int?

  @Option(
    help: ArgumentHelp(
      "Repeating families: a window whose peak correlation with every other member of its cluster is below CC (0 to 1; REDPy's default is 0.7) becomes an orphan, cluster -1, as REDPy's events in no family; its probability and distance stay those of the family it was taken from. Needs correlation input (the default for one station's picks). Off by default.",
      valueName: "cc"))
  var orphans: Double?

  @OptionGroup(title: "Window options") var window: WindowOptions
  @OptionGroup(title: "Model options") var model: ModelOptionsGroup

  func validate() throws {
    if resume {
      guard !window.anyGiven else {
        throw ValidationError(
          "--resume continues a run with its own windows: give no window options")
      }
      guard clusters == nil, maxClusters == nil, !model.anyGiven, windowMemory == nil else {
        throw ValidationError(
          "--resume continues a run with its own --clusters, model options and --window-memory: give none"
        )
      }
    } else {
      guard let clusters else {
        throw ValidationError("Missing expected argument '--clusters <k|auto>'")
      }
      if case .fixed(let k) = clusters, k < 1 {
        throw ValidationError("--clusters must be at least 1")
      }
      guard (2...100).contains(maxClusters ?? 10) else {
        throw ValidationError("--max-clusters takes 2 to 100")
      }
      if maxClusters != nil, case .fixed = clusters {
        throw ValidationError("--max-clusters applies to --clusters auto, not a fixed K")
      }
      // The options contradict each other: a usage error, before the store is opened.
      if model.initialization == .polarity, clusters != .fixed(2) {
        throw ValidationError("--init polarity splits up from down: use --clusters 2")
      }
    }
    _ = try model.resolved()  // one --architecture and one --latent (sweep takes lists)
    if let orphans, !(orphans > 0 && orphans <= 1) {
      throw ValidationError("--orphans takes a correlation above 0 and at most 1")
    }
    if orphans != nil, let input = window.input, input != .correlation {
      throw ValidationError(
        "--orphans compares waveforms by correlation: not with --input \(input)")
    }
    if orphans != nil, resume {
      throw ValidationError("--resume continues a run with its own --orphans: give none")
    }
    if let windowMemory, !(1...(1 << 20)).contains(windowMemory) {
      throw ValidationError("--window-memory takes 1 to 1048576 (megabytes)")
    }
  }

  func run() throws {
    Interruption.setHint(
      "a run stopped while training is continued by `seiscluster cluster --resume`")
    let lastRunBefore = try? global.store.openForReading().latestRunID()
    do {
      try execute()
    } catch {
      // A failure that leaves the run resumable (a full disk at a checkpoint) says so.
      guard !(error is ExitCode), let store = try? global.store.openForReading() else {
        throw error
      }
      throw ResumableFailure.checking(
        error, store: store, after: lastRunBefore ?? nil, resuming: resume)
    }
  }

  private func execute() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForWriting()
    let builder = WindowSetBuilder(store: store, logger: logger, quiet: global.quiet)
    // A run that fails after this command built its set leaves the current set as it was.
    let previousSet = try store.currentWindowSet()?.id
    let lastRun = try store.latestRunID()
    /// The sets this command built: those no one can have used go when it fails.
    var built: [Int64] = []
    /// Makes the set current before this command current again, and deletes the sets it
    /// built when no run was stored since and nothing uses them
    /// (`SeisStore.abandonWindowSets`): a failed `cluster` leaves the store as it found it,
    /// not with a set nothing can reach.
    func restorePreviousSet() {
      _ = try? store.abandonWindowSets(built, restoring: previousSet, lastRun: lastRun)
    }
    /// `body`, after which a failure leaves the store as `restorePreviousSet` does.
    func restoringPreviousSet<T>(_ body: () throws -> T) throws -> T {
      do {
        return try body()
      } catch {
        restorePreviousSet()
        throw error
      }
    }

    // Decision 0020, "Choosing the reference before training".
    /// Trains on `check.options` (a reference per bin) before any run on the window reference,
    /// `windowSet`, which is trained only if that run's clusters still follow stations.
    func trainFirst(on check: ReferenceChoice, over windowSet: Int64, job: ClusterJob) throws {
      let reference = check.options.spectrogramReference
      let share = check.shareText
      let v = String(format: "%.4f", check.confound.clusterStationV)
      // Printed with --quiet too: the set trained is not the one this command built first.
      Console.write(
        "training on --spectrogram-reference \(reference.rawValue) first: k-means on these window-referenced spectrograms finds clusters that follow stations (Cramér's V \(v)) whose windows differ within clusters (station explains \(share) of the input's variance there), as when stations mix sensor types; \(Self.measure(reference)) cancels a station's response. The window reference (set \(windowSet)) is trained only if this run's clusters still follow stations (decision 0020); give --spectrogram-reference window to train on it alone. If stopped while training, cluster --resume finishes the choice"
      )
      var first = job
      first.note =
        "spectrogram reference: \(reference.rawValue), chosen before training (k-means on the window-referenced set \(windowSet) followed stations whose windows differ within clusters: \(share)); windows built for assign need --spectrogram-reference \(reference.rawValue)"
      first.firstOver = windowSet
      first.stopOnceRetrainIsCalledFor = false
      // Nothing is trained yet if this fails.
      let outcome = try restoringPreviousSet {
        // Made current only if its run stands (settleFirst): until then `windowSet` is.
        let report = try builder.build(options: check.options, makeCurrent: false)
        if !global.quiet { Console.write(report.summary) }
        first.windowSetID = report.windowSet?.id
        built += report.windowSet?.id.map { [$0] } ?? []
        return try first.run(store: store, logger: logger)
      }
      try settleFirst(outcome, over: windowSet, reference: reference, windowJob: job)
    }

    /// A run trained first on a reference per bin shown when it stands; when it is discarded,
    /// the line saying why and the run on the window reference (`windowJob`, with its K or
    /// range), shown without a hint and never retrained.
    func settleFirst(
      _ outcome: ClusterOutcome, over windowSet: Int64,
      reference: WindowSetOptions.SpectrogramReference, windowJob: ClusterJob
    ) throws {
      let settlement = outcome.settleFirst(over: windowSet, reference: reference, store: store)
      guard case .discarded(let line) = settlement else {
        settle(outcome, settlement)
        return
      }
      Console.write(line)
      var job = windowJob
      job.note =
        "spectrogram reference: window, after the run on --spectrogram-reference \(reference.rawValue) was discarded (its clusters still followed stations)"
      job.firstOver = nil
      job.afterDiscardedReference = true
      job.stopOnceRetrainIsCalledFor = false
      let second = try restoringPreviousSet { try job.run(store: store, logger: logger) }
      show(second, hint: false)
    }

    if window.anyGiven {
      let options = window.resolved()
      // Refuse before the current set is replaced (the windows would not be correlated).
      // Options that select no pick are left to the build, which says why.
      if orphans != nil, let input = try builder.input(for: options), input != .correlation {
        // Why the default is not correlation: short windows default to waveforms whatever the
        // stations (a review found one station's short windows blamed on "more than one").
        let short =
          WindowSetOptions.defaultInput(before: options.before, after: options.after) == .waveform
        // (An explicit --input other than correlation is refused before, in validation.)
        let kind =
          input == .spectrogram ? "spectrograms" : "waveforms (--rate too low for spectrograms)"
        throw InputError(
          path: store.path,
          reason: short
            ? "--orphans compares waveforms by correlation, but windows of \(options.before + options.after) s (under \(4 * options.spectrogramSegment) s) are waveforms by default: give --input correlation"
            : "--orphans compares waveforms by correlation, but these picks are at more than one station (their windows would be \(kind)): select one station or give --input correlation"
        )
      }
      let report = try builder.build(options: options)
      if !global.quiet { Console.write(report.summary) }
      built += report.windowSet?.id.map { [$0] } ?? []
    }
    // Checkpoints are stored at most every 5 s; SEISCLUSTER_CHECKPOINT_SECONDS changes that
    // (the crash test uses 0: a checkpoint after every epoch and every target update).
    let interval =
      ProcessInfo.processInfo.environment["SEISCLUSTER_CHECKPOINT_SECONDS"].flatMap(Double.init)
      ?? 5
    var job = ClusterJob(
      clusterCount: clusters?.fixed ?? 2, model: try model.resolved(), quiet: global.quiet,
      resume: resume, checkpointSeconds: max(interval, 0))
    if case .auto = clusters { job.clusterRange = 2...(maxClusters ?? 10) }
    if let windowMemory { job.windowMemoryBytes = windowMemory << 20 }
    job.orphanThreshold = orphans
    // The retrain below follows only a set this command built without a reference given.
    job.stopOnceRetrainIsCalledFor = window.anyGiven && window.spectrogramReference == nil
    // Decision 0020, "Choosing the reference before training": when the set's own k-means
    // clusters already follow stations whose windows differ within clusters, train on the
    // reference per bin first, and on the window reference only if that run is discarded.
    // SEISCLUSTER_REFERENCE_CHECK=run leaves the choice to the window run's clusters, as
    // before stop 32 (tests of that path, and comparisons).
    let checkInput = ProcessInfo.processInfo.environment["SEISCLUSTER_REFERENCE_CHECK"] != "run"
    if window.anyGiven, window.spectrogramReference == nil, !resume, checkInput {
      let windowSet = try store.currentWindowSet()?.id
      let check = try restoringPreviousSet { try job.inputCallsForReference(store: store) }
      if let check, let windowSet {
        try trainFirst(on: check, over: windowSet, job: job)
        return
      }
    }
    let outcome: ClusterOutcome
    do {
      outcome = try job.run(store: store, logger: logger)
    } catch {
      if window.anyGiven { restorePreviousSet() }
      throw error
    }
    // A resumed run trained first on a reference per bin is settled as an uninterrupted one;
    // if discarded, the window run takes its K, or scans the same range.
    if resume, let windowSet = outcome.firstOver {
      var windowJob = ClusterJob(
        clusterCount: outcome.run.clusterCount, model: outcome.model ?? job.model,
        quiet: global.quiet, checkpointSeconds: job.checkpointSeconds)
      windowJob.windowMemoryBytes = job.windowMemoryBytes
      // `--clusters auto` scans the range the first run scanned.
      let scanned = outcome.clusterChoice?.candidates.map(\.clusters) ?? []
      if let low = scanned.min(), let high = scanned.max() { windowJob.clusterRange = low...high }
      let reference = outcome.spectrogramReference ?? .noise
      try settleFirst(outcome, over: windowSet, reference: reference, windowJob: windowJob)
      return
    }
    // A resumed retrain is settled as an uninterrupted one.
    if resume, let first = outcome.retrainOf,
      let firstRun = try store.run(id: first), firstRun.status == .complete
    {
      settle(
        outcome, outcome.settleRetrain(over: first, firstSet: firstRun.windowSetId, store: store))
      return
    }
    // Decision 0020: clusters that follow stations whose windows differ even within a cluster
    // (sensors, sites) are retrained on spectrograms against each bin's own noise (or loudest
    // frame), on a set this command built without --spectrogram-reference.
    guard window.anyGiven, window.spectrogramReference == nil,
      let retry = outcome.referenceRetry, let first = outcome.run.id
    else {
      show(outcome, hint: true)
      return
    }
    show(outcome, hint: false)
    let share = outcome.stationShareText ?? "?"
    let reference = retry.spectrogramReference.rawValue
    let measure = Self.measure(retry.spectrogramReference)
    // Printed with --quiet too, as the warning before it: the run kept is not the one shown.
    Console.write(
      "retraining with --spectrogram-reference \(reference): run \(first)'s clusters follow stations whose windows differ within clusters (station explains \(share) of the input's variance there), as when stations mix sensor types; \(measure) cancels a station's response (decision 0020). Run \(first) stays in the store (export --run \(first)); give --spectrogram-reference window to keep the window reference. If stopped while training, cluster --resume finishes the retrain"
    )
    job.note =
      "spectrogram reference: \(reference), retrained after run \(first) on the window reference (its clusters followed stations whose windows differ within clusters: \(share)); windows built for assign need --spectrogram-reference \(reference)"
    job.retrainOf = first
    job.stopOnceRetrainIsCalledFor = false
    let retried: ClusterOutcome
    let firstSet = outcome.run.windowSetId
    var retrainSet: Int64?
    let lastRunBeforeRetrain = try store.latestRunID()
    do {
      // Made current only if the retrain stands (settleRetrain): a kill before its run
      // begins leaves run `first`'s set current, as a discarded retrain does.
      let report = try builder.build(options: retry, makeCurrent: false)
      if !global.quiet { Console.write(report.summary) }
      job.windowSetID = report.windowSet?.id
      retrainSet = report.windowSet?.id
      retried = try job.run(store: store, logger: logger)
    } catch {
      // Run `first` is stored complete and stays the latest, its set the current one: say so
      // instead of failing it. A retrain a full disk left interrupted is failed (as before a
      // checkpoint failure left runs resumable). The retrain's set goes unless a (failed) run
      // uses it.
      failInterruptedClusterRun(store: store, after: lastRunBeforeRetrain)
      _ = try? store.abandonWindowSets(
        retrainSet.map { [$0] } ?? [], restoring: firstSet, lastRun: lastRunBeforeRetrain)
      Console.warning(
        "the retrain on the \(reference) reference failed (\(FailureLine.text(for: error, context: store.path))); run \(first) stands, and its window set is the current one again"
      )
      if let line = outcome.spectrogramHint { Console.write(line) }
      return
    }
    settle(retried, retried.settleRetrain(over: first, firstSet: firstSet, store: store))
  }

  /// How a reference per bin cancels a station's response, for the lines that announce it.
  static func measure(_ reference: WindowSetOptions.SpectrogramReference) -> String {
    reference == .noise
      ? "each frequency measured against its own noise before the pick"
      : "each frequency measured against its own loudest frame"
  }

  /// A retrain's outcome shown when it stands; the line saying why when it is discarded.
  private func settle(_ retried: ClusterOutcome, _ settlement: RetrainSettlement) {
    switch settlement {
    case .kept: show(retried, hint: true)
    case .discarded(let line): Console.write(line)
    case .keptAfterFailure(let warning):
      Console.warning(warning)
      show(retried, hint: false)
    }
  }

  /// The run's lines, its summary and its warnings; the hint only when no retrain follows.
  private func show(_ outcome: ClusterOutcome, hint: Bool) {
    if !global.quiet {
      Console.write(
        "run \(outcome.run.id ?? 0): \(outcome.assignments.count) windows in \(outcome.run.clusterCount) cluster\(outcome.run.clusterCount == 1 ? "" : "s")"
      )
      for line in outcome.summary { print(line) }
      // Before the warnings and a retrain's lines on stderr, when stdout is a pipe.
      fflush(nil)
    }
    if outcome.restarts.isUnstable { Console.write(outcome.restarts.warning) }
    if let warning = outcome.emptyClustersWarning { Console.write(warning) }
    if let confound = outcome.confound,
      confound.verdict == .suspected || confound.verdict == .confounded
    {
      Console.warning(confound.summary)
      if hint, let line = outcome.spectrogramHint { Console.write(line) }
    }
  }
}

/// `--clusters K` or `--clusters auto`.
enum ClusterCount: ExpressibleByArgument, Equatable {
  case fixed(Int)
  case auto

  init?(argument: String) {
    if argument == "auto" {
      self = .auto
    } else if let k = Int(argument) {
      self = .fixed(k)
    } else {
      return nil
    }
  }

  var fixed: Int? {
    if case .fixed(let k) = self { return k }
    return nil
  }
}
