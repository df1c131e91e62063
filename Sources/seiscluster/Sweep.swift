import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster sweep --latent D1,D2,... --output FILE.csv [--clusters K] [--truth FILE]
/// [--architecture conv,lstm,...] [window options] [model options]`
struct SweepCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Cluster once per latent size (and architecture) and compare the runs.",
    discussion: """
      The latent-size lesson, measured on your windows: one `cluster` run per --latent size \
      (times each --architecture), each stored as a run, with its mean reconstruction loss over \
      the window set and, with --truth, its ACC, NMI and ARI. The CSV has one row per run: \
      architecture,latent,reconstruction_loss,loss,run[,acc,nmi,ari],clusters,clusters_filled \
      (the run's K, and how many of its clusters hold a window: fewer when the run collapsed, \
      which a warning line says too). The sweep is \
      stored with an id; `seiscluster report --sweep ID --output F.html` shows, per size, \
      windows beside their reconstructions, the loss and scores against the size, and a decoded \
      straight line between two windows of different clusters.

      A sweep that stopped (killed, or a run failed) keeps its finished runs: `seiscluster \
      sweep --resume --output sweep.csv` continues the latest sweep (`--sweep ID` another) \
      with its own options, window set and --truth file (give --truth only if that file has \
      moved), resumes the run it was training from its checkpoint, trains the runs it had not \
      begun, and writes the CSV of all of them.

      Example: seiscluster sweep --latent 2,5,10,16 --clusters 2 --output sweep.csv
      """)

  @OptionGroup var global: GlobalOptions

  @Option(
    help: ArgumentHelp(
      "Number of clusters K for every run (default 2), or `auto`: each run chooses its K as `cluster --clusters auto` does (the CSV's clusters column gives it).",
      valueName: "k|auto"))
  var clusters: String?

  @Option(
    help: ArgumentHelp(
      "With --clusters auto: the largest K tried (2 to 100; default 10).", valueName: "k"))
  var maxClusters: Int?

  @Option(help: ArgumentHelp("The CSV to write (- for standard output).", valueName: "file"))
  var output: String

  @Option(
    help: ArgumentHelp(
      "A truth CSV (network,station,location,time,label or window_id,label): adds acc,nmi,ari.",
      valueName: "file"))
  var truth: String?

  @Flag(
    help:
      "Continue the latest sweep where it stopped, with its own options, window set and truth file (give only --output)."
  )
  var resume = false

  @Option(
    help: ArgumentHelp(
      "With --resume: the sweep to continue (default: the latest).", valueName: "id"))
  var sweep: Int64?

  @Flag(
    help:
      "Replace an existing regular file, or the file a symbolic link points to (the link stays); folders, FIFOs and devices are always refused."
  )
  var force = false

  @OptionGroup(title: "Window options") var window: WindowOptions
  @OptionGroup(title: "Model options (--latent and --architecture take lists)")
  var model: ModelOptionsGroup

  var clusterCount: Int {
    get throws {
      guard let clusters else { return 2 }
      if clusters == "auto" { return 2 }
      guard let k = Int(clusters), k >= 1 else {
        throw ValidationError("--clusters takes a whole number >= 1")
      }
      return k
    }
  }

  func validate() throws {
    if resume {
      guard clusters == nil, maxClusters == nil, !model.anyGiven, !window.anyGiven else {
        throw ValidationError(
          "--resume continues a sweep with its own --clusters, window and model options: give none (only --output, --force, --sweep, and --truth if its file has moved)"
        )
      }
      if let sweep, sweep < 1 { throw ValidationError("--sweep takes a sweep id (1 or more)") }
      return
    }
    if sweep != nil { throw ValidationError("--sweep chooses the sweep --resume continues") }
    _ = try clusterCount
    guard (2...100).contains(maxClusters ?? 10) else {
      throw ValidationError("--max-clusters takes 2 to 100")
    }
    if maxClusters != nil, clusters != "auto" {
      throw ValidationError("--max-clusters applies to --clusters auto, not a fixed K")
    }
    guard let latents = try model.latentList, !latents.isEmpty else {
      throw ValidationError("Missing expected argument '--latent <d,d,...>'")
    }
    // Each size (and architecture) once: the sweep's runs and its report are keyed by them.
    if let repeated = Self.firstRepeated(latents) {
      throw ValidationError("--latent lists \(repeated) more than once: give each size once")
    }
    let architectures = try model.architectureList?.compactMap { $0?.rawValue } ?? []
    if let repeated = Self.firstRepeated(architectures) {
      throw ValidationError("--architecture lists \(repeated) more than once: give each type once")
    }
    if window.input == .correlation {
      throw ValidationError(
        "sweep compares reconstructions of windows: --input correlation is for cluster")
    }
  }

  func run() throws {
    let logger = global.makeLogger()
    try OutputFile.checkWritable(output, force: force, reading: global.store.path)
    let truthFile =
      resume ? nil : try truth.map { try WindowLabelFile(path: $0) }
    let store = try global.store.openForWriting()
    let previousSet = try store.currentWindowSet()?.id
    let lastRun = try store.latestRunID()
    let lastSweep = try store.sweep()?.id
    var built: Int64?
    if window.anyGiven, !resume {
      // A sweep compares reconstructions of the windows: the tool's default stays the
      // spectrogram (or waveform) for one station's picks too, never correlation profiles.
      var options = window.resolved()
      options.inputChosenByTool = false
      let report = try WindowSetBuilder(store: store, logger: logger, quiet: global.quiet)
        .build(options: options)
      if !global.quiet { Console.write(report.summary) }
      built = report.windowSet?.id
    }
    do {
      var job: SweepJob
      if resume {
        job = try SweepJob(resuming: store, sweepID: sweep, truth: truth, quiet: global.quiet)
      } else {
        var base = try model.resolved(architecture: nil, latent: nil)
        base.architecture = nil
        job = SweepJob(
          clusterCount: try clusterCount, architectures: try model.architectureList ?? [nil],
          latents: try model.latentList ?? [], model: base, truth: truthFile, quiet: global.quiet)
        if clusters == "auto" { job.clusterRange = 2...(maxClusters ?? 10) }
      }
      // As for `cluster`: checkpoints at most every 5 s, or SEISCLUSTER_CHECKPOINT_SECONDS.
      job.checkpointSeconds = max(
        ProcessInfo.processInfo.environment["SEISCLUSTER_CHECKPOINT_SECONDS"].flatMap(Double.init)
          ?? 5, 0)
      let quiet = global.quiet
      job.onRun = { row in
        // The run's warnings (unstable, clusters that hold no window), with --quiet too, as
        // `cluster` prints them: they were only in the stored summary and the report.
        let warnings = (row.run.summary ?? "").split(separator: "\n").filter {
          $0.hasPrefix("warning: ")
        }
        defer { for warning in warnings { Console.write(String(warning)) } }
        guard !quiet else { return }
        var line =
          "sweep: run \(row.run.id ?? 0) --architecture \(row.architecture.rawValue) --latent \(row.latent): \(row.loss) \(String(format: "%.5g", row.reconstructionLoss))"
        if let s = row.scores {
          line += String(
            format: " ACC=%.4f NMI=%.4f ARI=%.4f", s.accuracy, s.normalizedMutualInformation,
            s.adjustedRandIndex)
        }
        Console.write(line)
      }
      let outcome = try job.run(store: store, logger: logger)
      try OutputFile.write(outcome.csv, to: output, force: force)
      if !quiet {
        Console.write(
          "sweep \(outcome.sweep.id ?? 0): \(outcome.rows.count) run\(outcome.rows.count == 1 ? "" : "s") written to \(output); `seiscluster report --sweep \(outcome.sweep.id ?? 0) --output sweep.html` draws them"
        )
      }
    } catch {
      // A sweep that built its set and failed leaves the previous set current, as `cluster`
      // does, and its set gone when no one can have used it (`SeisStore.abandonWindowSets`).
      // One with finished runs keeps them, on their set, current.
      if let built {
        _ = try? store.abandonWindowSets([built], restoring: previousSet, lastRun: lastRun)
      }
      // A sweep stored before the failure (a full disk at a checkpoint) is continued by its
      // resume, which the line names (`cluster --resume` would take its run out of it).
      // Named only when it is the sweep this command made or resumed, and it has runs left (a
      // failed `--resume --sweep 99` named the latest sweep, finished, as "left unfinished").
      let latest = (try? store.sweep())??.id
      let concerned =
        resume ? (sweep ?? latest) : latest.flatMap { $0 > (lastSweep ?? 0) ? $0 : nil }
      if !(error is ExitCode), let id = concerned, SweepJob.hasRunsLeft(sweepID: id, store: store) {
        throw ResumableFailure(
          underlying: error,
          hint:
            "sweep \(id) is left unfinished: `seiscluster sweep --resume --sweep \(id) --output \(output)` continues it"
        )
      }
      throw error
    }
  }
}

extension SweepCommand {
  /// The first value of `list` that it holds more than once, or nil.
  static func firstRepeated<T: Hashable>(_ list: [T]) -> T? {
    let counts = Dictionary(list.map { ($0, 1) }, uniquingKeysWith: +)
    return list.first { counts[$0, default: 0] > 1 }
  }
}
