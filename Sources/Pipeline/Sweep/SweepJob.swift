import Clustering
import Foundation
import Logging
import NeuralNetwork
import Numerics
import Store

/// The `sweep` use case, the seed's latent-size lesson measured on the user's windows: one
/// stored `cluster` run per architecture and latent size (each exactly as `cluster` makes it),
/// each run's mean reconstruction loss over the window set and, with a truth file, its scores.
/// The sweep is stored with an id and its runs in order (`report --sweep` draws it).
public struct SweepJob: Sendable {
  /// One run of the sweep.
  public struct Row: Sendable {
    public var architecture: ModelOptions.ArchitectureChoice
    public var latent: Int
    /// The loss's name (`mse`, `bce`) and its mean over every value of every window.
    public var loss: String
    public var reconstructionLoss: Double
    public var run: RunRecord
    public var scores: ClusteringScores?
    /// `cluster`'s summary of the run.
    public var summary: [String]
    /// Clusters that hold a window: fewer than the run's K when it collapsed.
    public var filledClusters: Int
  }

  public struct Outcome: Sendable {
    public var sweep: SweepRecord
    public var rows: [Row]
    /// One line per run: `architecture,latent,reconstruction_loss,loss,run` (and
    /// `acc,nmi,ari` with a truth file), then the run's K and the clusters that hold a window.
    public var csv: String
  }

  public var clusterCount: Int
  /// `--clusters auto`: every run chooses its K in this range (`clusterCount` is then ignored).
  public var clusterRange: ClosedRange<Int>?
  /// Architectures to sweep, in order (nil: the default one).
  public var architectures: [ModelOptions.ArchitectureChoice?]
  /// Latent sizes to sweep, in order.
  public var latents: [Int]
  /// Every other model option, as for `cluster`.
  public var model: ModelOptions
  public var truth: WindowLabelFile?
  public var quiet: Bool
  /// Called after each run with its row (for progress lines).
  public var onRun: (@Sendable (Row) -> Void)?
  /// Passed to each run's `ClusterJob.afterCheckpoint`: an error it throws stops the sweep and
  /// leaves it, and the run under way, for `sweep --resume`, as a kill would.
  public var afterCheckpoint: (@Sendable (Int) throws -> Void)?
  /// Least wall time between two stored checkpoints of a run (`ClusterJob.checkpointSeconds`).
  public var checkpointSeconds: Double = 5
  /// The stored sweep this job continues (`sweep --resume`); nil for a new sweep.
  public private(set) var resuming: SweepRecord?

  public init(
    clusterCount: Int, architectures: [ModelOptions.ArchitectureChoice?], latents: [Int],
    model: ModelOptions, truth: WindowLabelFile?, quiet: Bool
  ) {
    self.clusterCount = clusterCount
    self.architectures = architectures.isEmpty ? [nil] : architectures
    self.latents = latents
    self.model = model
    self.truth = truth
    self.quiet = quiet
  }

  struct StoredOptions: Codable {
    var clusters: Int
    var architectures: [String]
    var latents: [Int]
    var truth: String?
    var model: ModelOptions
    /// `--clusters auto`'s largest K; nil: the fixed K `clusters` (sweeps stored before
    /// `--resume` existed did not store it).
    var maxClusters: Int? = nil
    /// SHA-256 of the truth file's text: a resumed sweep scores its runs with the same file.
    var truthSha256: String? = nil
  }

  /// Whether sweep `sweepID` is stored and has fewer finished runs than its grid (false when its
  /// options cannot be read: a resume could not continue it either).
  public static func hasRunsLeft(sweepID: Int64, store: SeisStore) -> Bool {
    guard let sweep = try? store.sweep(id: sweepID),
      let stored = try? ClusterJob.decodeOptions(StoredOptions.self, from: sweep.optionsJson),
      let done = try? store.sweepRuns(sweepID: sweepID).count
    else { return false }
    return done < max(stored.architectures.count, 1) * stored.latents.count
  }

  /// `sweep --resume`: sweep `sweepID` (nil: the latest), to be continued with its own
  /// options, window set and truth file (`truthPath`: the file it was given, moved; it must
  /// hold the same text). Its finished runs stay as they are; the run it was training when it
  /// stopped is resumed from its checkpoint (or taken as it is, if `cluster --resume` finished
  /// it); the runs it had not begun are trained.
  public init(
    resuming store: SeisStore, sweepID: Int64? = nil, truth truthPath: String? = nil,
    quiet: Bool
  ) throws {
    guard let sweep = try store.sweep(id: sweepID), let id = sweep.id else {
      throw InputError(
        path: store.path,
        reason: sweepID.map { "no sweep \($0) in the store" } ?? "no sweep in the store to resume")
    }
    let stored: StoredOptions
    do {
      stored = try ClusterJob.decodeOptions(StoredOptions.self, from: sweep.optionsJson)
    } catch {
      throw InputError(
        path: store.path, reason: "sweep \(id)'s stored options cannot be read: \(error)")
    }
    var architectures: [ModelOptions.ArchitectureChoice?] = []
    for name in stored.architectures {
      guard let choice = ModelOptions.ArchitectureChoice(rawValue: name) else {
        throw InputError(
          path: store.path,
          reason: "sweep \(id) names architecture \"\(name)\", which this version does not know")
      }
      architectures.append(choice)
    }
    // Sweeps stored before --resume did not say whether each run chose its K; its runs do.
    if stored.maxClusters == nil {
      for row in try store.sweepRuns(sweepID: id) {
        guard let run = try store.run(id: row.runId),
          let options = try? ClusterJob.decodeOptions(
            ClusterJob.StoredOptions.self, from: run.optionsJson),
          options.clusterChoice != nil
        else { continue }
        throw InputError(
          path: store.path,
          reason:
            "sweep \(id) chose K per run (--clusters auto) and was stored before `sweep --resume` could continue such a sweep: run the sweep again"
        )
      }
    }
    var truth: WindowLabelFile?
    if let path = truthPath ?? stored.truth {
      do {
        truth = try WindowLabelFile(path: path)
      } catch let error as InputError {
        throw InputError(
          path: path,
          reason:
            "sweep \(id)'s --truth file cannot be read (\(error.reason)): give it with --truth where it is now"
        )
      }
      if let digest = stored.truthSha256, truth?.sha256 != digest {
        throw InputError(
          path: path,
          reason:
            "this is not the --truth file sweep \(id) scored its runs with (its text differs): give that file, unchanged, so that every row is scored alike"
        )
      }
    }
    if truthPath != nil, stored.truth == nil {
      throw InputError(
        path: truthPath ?? "", reason: "sweep \(id) was given no --truth file: give none")
    }
    self.init(
      clusterCount: stored.clusters, architectures: architectures, latents: stored.latents,
      model: stored.model, truth: truth, quiet: quiet)
    clusterRange = stored.maxClusters.map { 2...$0 }
    resuming = sweep
  }

  /// The runs of the sweep in order: (architecture, latent).
  var planned: [(architecture: ModelOptions.ArchitectureChoice?, latent: Int)] {
    architectures.flatMap { architecture in latents.map { (architecture, $0) } }
  }

  public func run(store: SeisStore, logger: Logger) throws -> Outcome {
    guard !latents.isEmpty else {
      throw InputError(path: store.path, reason: "a sweep needs at least one --latent size")
    }
    // The windows' metadata only: each run streams the samples it needs (decision 0017).
    let setReader =
      try resuming.map { try store.windowSetReader(id: $0.windowSetId) }
      ?? store.currentWindowSetReader()
    guard let reader = setReader, let setID = reader.windowSet.id else {
      throw InputError(
        path: store.path,
        reason: resuming.map {
          "sweep \($0.id ?? 0)'s window set \($0.windowSetId) is no longer stored"
        }
          ?? PickSelection.noCurrentSet(in: store))
    }
    guard !reader.windowSet.isCorrelationInput else {
      throw InputError(
        path: store.path,
        reason:
          "sweep compares reconstructions of the windows; correlation input reconstructs profiles, not windows: build the windows with --input waveform or spectrogram"
      )
    }
    // A truth file every run would fail on is refused before the first run trains.
    if let truth { try Evaluation.checkTruth(truth, windows: reader.windows) }
    let names = architectures.map { ($0 ?? model.resolvedArchitecture).rawValue }
    // So is a configuration whose network cannot be built on these windows.
    if resuming == nil {
      for (architecture, latent) in planned {
        try job(architecture: architecture, latent: latent, windowSet: setID).preflight(
          store: store)
      }
    }
    let sweep =
      try resuming
      ?? store.createSweep(
        SweepRecord(
          windowSetId: setID, version: SeisclusterVersion.string,
          optionsJson: try ClusterJob.encodeOptions(
            StoredOptions(
              clusters: clusterCount, architectures: names, latents: latents,
              truth: truth.map { URL(fileURLWithPath: $0.path).standardizedFileURL.path },
              model: model, maxClusters: clusterRange?.upperBound, truthSha256: truth?.sha256))))
    let sweepID = sweep.id ?? 0
    // One process trains a sweep at a time: a second `sweep --resume` is refused.
    guard try store.acquireSweepLease(id: sweepID) else {
      throw InputError(
        path: store.path,
        reason: "sweep \(sweepID) is running in another process: wait for it, or stop it first")
    }
    defer { store.releaseSweepLease(id: sweepID) }
    let total = planned.count
    var rows = try storedRows(of: sweep, reader: reader, store: store)
    let runs = "\(total) run\(total == 1 ? "" : "s")"
    if resuming == nil {
      logger.info(
        "sweep \(sweepID): \(runs) (\(names.joined(separator: ", ")) x latent \(latents.map(String.init).joined(separator: ", ")))"
      )
    } else {
      logger.info("resuming sweep \(sweepID): \(rows.count) of its \(runs) done")
    }
    let done = Set(rows.map { "\($0.architecture.rawValue) \($0.latent)" })
    do {
      for (position, (architecture, latent)) in planned.enumerated() {
        var options = model
        options.architecture = architecture ?? model.architecture
        options.latent = latent
        let name = (architecture ?? options.resolvedArchitecture).rawValue
        guard !done.contains("\(name) \(latent)") else { continue }
        logger.info(
          "sweep \(sweepID) run \(position + 1)/\(total): --architecture \(name) --latent \(latent)"
        )
        var job = job(architecture: architecture, latent: latent, windowSet: setID)
        job.sweepMark = ClusterJob.SweepMark(sweep: sweepID, position: position)
        job.afterCheckpoint = afterCheckpoint.map { hook in
          { @Sendable stored in
            do { try hook(stored) } catch { throw Interrupted(underlying: error) }
          }
        }
        let run: RunRecord
        let summary: [String]
        // The sweep's own run at this position, interrupted (or finished since by `cluster
        // --resume`).
        let pending = try resuming.map { try pendingRun(of: $0, position: position, store: store) }
        if let found = pending ?? nil {
          if found.status == .complete {
            logger.info(
              "sweep \(sweepID) takes its run \(found.id ?? 0), which finished after the sweep stopped"
            )
            run = found
            summary = Self.summaryLines(of: found)
          } else {
            job.resume = true
            job.resumeRunID = found.id
            let outcome = try job.run(store: store, logger: logger)
            (run, summary) = (outcome.run, outcome.summary)
          }
        } else {
          let outcome = try job.run(store: store, logger: logger)
          (run, summary) = (outcome.run, outcome.summary)
        }
        let row = try self.row(
          run: run, architecture: options.resolvedArchitecture, latent: latent, summary: summary,
          reader: reader, store: store)
        try store.addSweepRun(
          SweepRunRecord(
            sweepId: sweepID, runId: run.id ?? 0, position: position,
            architecture: row.architecture.rawValue, latent: latent, loss: row.loss,
            reconstructionLoss: row.reconstructionLoss, acc: row.scores?.accuracy,
            nmi: row.scores?.normalizedMutualInformation,
            ari: row.scores?.adjustedRandIndex))
        rows.append(row)
        onRun?(row)
      }
    } catch let stop as Interrupted {
      // Stopped as a kill would stop it: the sweep and its run under way stay for --resume.
      throw stop.underlying
    } catch {
      // A new sweep whose first run failed holds nothing: it must not become the latest sweep
      // that `report --sweep` reads. One with finished runs keeps them; so does a resumed
      // sweep, and one whose run under way is left resumable (a refusal, or a store that
      // could not take the run's K): `sweep --resume` continues them.
      if resuming == nil, (try? Self.runUnderWay(of: sweepID, store: store)) != true {
        try? store.deleteSweepWithoutRuns(id: sweepID)
      }
      throw error
    }
    return Outcome(sweep: sweep, rows: rows, csv: Self.csv(rows, scored: truth != nil))
  }

  /// Whether a run of sweep `sweepID` is still running (left interrupted, to resume).
  static func runUnderWay(of sweepID: Int64, store: SeisStore) throws -> Bool {
    try store.runningRuns(kind: .cluster).contains { run in
      (try? ClusterJob.decodeOptions(ClusterJob.StoredOptions.self, from: run.optionsJson))?
        .sweep?.sweep == sweepID
    }
  }

  /// The cluster job of the run of `architecture` (nil: the model's) and `latent`.
  private func job(architecture: ModelOptions.ArchitectureChoice?, latent: Int, windowSet: Int64)
    -> ClusterJob
  {
    var options = model
    options.architecture = architecture ?? model.architecture
    options.latent = latent
    var job = ClusterJob(
      clusterCount: clusterCount, model: options, quiet: quiet,
      checkpointSeconds: checkpointSeconds)
    job.clusterRange = clusterRange
    job.windowSetID = windowSet
    return job
  }

  /// A stored run's summary as `cluster` printed it, a line each.
  static func summaryLines(of run: RunRecord) -> [String] {
    run.summary.map { $0.split(separator: "\n").map(String.init) } ?? []
  }

  /// An error thrown by `afterCheckpoint`, passed through the run.
  struct Interrupted: Error {
    var underlying: any Error
  }

  /// A finished run's row: its reconstruction loss over the set and, with a truth file, its
  /// scores.
  private func row(
    run: RunRecord, architecture: ModelOptions.ArchitectureChoice, latent: Int,
    summary: [String], reader: WindowSetReader, store: SeisStore
  ) throws -> Row {
    let stored = try StoredModel.load(for: run, from: store)
    let level = try? ClusterJob.decodeOptions(ClusterJob.StoredOptions.self, from: run.optionsJson)
      .windowLevelScale
    let loss = try Self.reconstructionLoss(of: stored.model, on: reader, level: level ?? nil)
    let scores = try truth.map {
      try Evaluation.evaluate(store: store, runID: run.id, truth: $0).scores
    }
    return Row(
      architecture: architecture, latent: latent, loss: stored.model.reconstructionLoss.name,
      reconstructionLoss: loss, run: run, scores: scores, summary: summary,
      filledClusters: try store.clusterSizes(runID: run.id ?? 0).count)
  }

  /// The rows of the runs a resumed sweep already holds (none for a new sweep), scored again
  /// with the truth file as they were.
  private func storedRows(of sweep: SweepRecord, reader: WindowSetReader, store: SeisStore)
    throws -> [Row]
  {
    guard resuming != nil, let id = sweep.id else { return [] }
    return try store.sweepRuns(sweepID: id).map { record in
      guard let run = try store.run(id: record.runId),
        let architecture = ModelOptions.ArchitectureChoice(rawValue: record.architecture)
      else {
        throw InputError(path: store.path, reason: "sweep \(id) lost its run \(record.runId)")
      }
      let scores = try truth.map {
        try Evaluation.evaluate(store: store, runID: run.id, truth: $0).scores
      }
      return Row(
        architecture: architecture, latent: record.latent, loss: record.loss,
        reconstructionLoss: record.reconstructionLoss, run: run, scores: scores,
        summary: Self.summaryLines(of: run),
        filledClusters: try store.clusterSizes(runID: run.id ?? 0).count)
    }
  }

  /// The sweep's own run at `position` that is not in it yet: interrupted (its latest such run)
  /// or, when `cluster --resume` finished it, complete. Runs stored before sweeps marked their
  /// runs, and runs the user made meanwhile, are never taken.
  private func pendingRun(of sweep: SweepRecord, position: Int, store: SeisStore) throws
    -> RunRecord?
  {
    let mark = ClusterJob.SweepMark(sweep: sweep.id ?? 0, position: position)
    let mine = try store.clusterRuns(windowSetID: sweep.windowSetId, since: sweep.createdAt)
      .filter { run in
        guard run.status != .failed,
          let options = try? ClusterJob.decodeOptions(
            ClusterJob.StoredOptions.self, from: run.optionsJson)
        else { return false }
        return options.sweep == mark
      }
    for run in mine.reversed() {
      guard let id = run.id, try !store.isInSweep(runID: id) else { continue }
      if run.status == .running, store.isLive(runID: id) {
        throw InputError(
          path: store.path,
          reason:
            "sweep \(mark.sweep)'s run \(id) is being resumed by another process (`cluster --resume`): wait for it, then resume the sweep"
        )
      }
      return run
    }
    return nil
  }

  /// The mean reconstruction loss of `model` over every value of every window (the loss it
  /// was trained on), the windows read from the store 256 at a time: memory stays bounded by
  /// the chunk whatever the set's size.
  static func reconstructionLoss(
    of model: any AutoencoderModel, on reader: WindowSetReader, level: WindowLevelScale? = nil
  ) throws -> Double {
    let set = reader.windowSet
    let size = reader.valuesPerWindow
    let loss = model.reconstructionLoss
    var total = 0.0
    var start = 0
    let chunk = 256
    var buffer = [Float](repeating: 0, count: min(chunk, reader.count) * size)
    while start < reader.count {
      let end = min(reader.count, start + chunk)
      try buffer.withUnsafeMutableBufferPointer {
        try reader.samples(range: start..<end, into: $0)
        // The windows as the run trained on them (decision 0024).
        if let level { TrainingWindows.scale($0, windows: end - start, size: size, to: level) }
      }
      let x = Tensor(
        shape: [end - start, set.channelCount, set.length],
        values: Array(buffer[..<((end - start) * size)]))
      let y = model.decode(model.encode(x))
      x.values.withUnsafeBufferPointer { target in
        y.values.withUnsafeBufferPointer { prediction in
          loss.forward(
            prediction: prediction.baseAddress!, target: target.baseAddress!,
            count: target.count, total: &total)
        }
      }
      start = end
    }
    return total / Double(max(1, reader.count * size))
  }

  static func csv(_ rows: [Row], scored: Bool) -> String {
    var header = ["architecture", "latent", "reconstruction_loss", "loss", "run"]
    if scored { header += ["acc", "nmi", "ari"] }
    header += ["clusters", "clusters_filled"]
    var csv = CSVText(header: header)
    for row in rows {
      var fields = [
        row.architecture.rawValue, String(row.latent),
        String(format: "%.6g", row.reconstructionLoss),
        row.loss, String(row.run.id ?? 0),
      ]
      if scored {
        fields += [
          row.scores?.accuracy, row.scores?.normalizedMutualInformation,
          row.scores?.adjustedRandIndex,
        ].map {
          $0.map { String(format: "%.4f", $0) } ?? ""
        }
      }
      fields += [String(row.run.clusterCount), String(row.filledClusters)]
      csv.append(fields)
    }
    return csv.text
  }
}
