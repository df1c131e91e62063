import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster cluster --clusters K [window options] [model options]`
struct ClusterCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Cluster the windows with a convolutional autoencoder and deep embedded clustering.",
    discussion: """
      With any window option, first builds a new window set as `windows build` does; otherwise \
      clusters the current window set. Then it pretrains the autoencoder on reconstruction \
      (lambda = 0), seeds K centroids by k-means on the bottleneck features, and optimises \
      (1 - lambda) L_r + lambda KL(P || Q) jointly, refreshing the target P every update \
      interval until fewer than --tol of the labels change. The run, its model and every \
      window's cluster and probability are stored; a per-cluster summary is printed.

      A run checkpoints after pretraining epochs and target updates (at most every 5 s, or \
      every SEISCLUSTER_CHECKPOINT_SECONDS); `cluster --resume` continues a killed run from its \
      last checkpoint to the same labels an uninterrupted run gives.

      Example: seiscluster cluster --clusters 2 --before 5 --after 55
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("Number of clusters K (required unless --resume).", valueName: "k"))
  var clusters: Int?

  @Flag(
    help:
      "Continue the latest interrupted run from its last checkpoint, with its own options and windows."
  )
  var resume = false

  @Option(
    name: .customLong("window-memory"),
    help: ArgumentHelp(
      "Megabytes of window samples held in memory while training (default 256). A larger window set is read from the store in shuffled blocks that fill this budget.",
      valueName: "mb"))
  var windowMemory: Int?

  @OptionGroup(title: "Window options") var window: WindowOptions
  @OptionGroup(title: "Model options") var model: ModelOptionsGroup

  func validate() throws {
    if resume {
      guard !window.anyGiven else {
        throw ValidationError(
          "--resume continues a run with its own windows: give no window options")
      }
    } else {
      guard let clusters else {
        throw ValidationError("Missing expected argument '--clusters <k>'")
      }
      guard clusters >= 1 else { throw ValidationError("--clusters must be at least 1") }
    }
    if let windowMemory, windowMemory < 1 {
      throw ValidationError("--window-memory must be at least 1 (megabytes)")
    }
  }

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForWriting()
    if window.anyGiven {
      let report = try WindowSetBuilder(store: store, logger: logger, quiet: global.quiet)
        .build(options: window.resolved())
      if !global.quiet { Console.write(report.summary) }
    }
    // Checkpoints are stored at most every 5 s; SEISCLUSTER_CHECKPOINT_SECONDS changes that
    // (the crash test uses 0: a checkpoint after every epoch and every target update).
    let interval =
      ProcessInfo.processInfo.environment["SEISCLUSTER_CHECKPOINT_SECONDS"].flatMap(Double.init)
      ?? 5
    var job = ClusterJob(
      clusterCount: clusters ?? 1, model: try model.resolved(), quiet: global.quiet, resume: resume,
      checkpointSeconds: max(interval, 0))
    if let windowMemory { job.windowMemoryBytes = windowMemory << 20 }
    let outcome = try job.run(store: store, logger: logger)
    if !global.quiet {
      Console.write(
        "run \(outcome.run.id ?? 0): \(outcome.assignments.count) windows in \(outcome.run.clusterCount) clusters"
      )
      for line in outcome.summary { print(line) }
    }
    if outcome.restarts.isUnstable { Console.write(outcome.restarts.warning) }
    if let confound = outcome.confound,
      confound.verdict == .suspected || confound.verdict == .confounded
    {
      Console.warning(confound.summary)
    }
  }
}
