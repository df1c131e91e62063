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
  }

  public struct Outcome: Sendable {
    public var sweep: SweepRecord
    public var rows: [Row]
    /// One line per run: `architecture,latent,reconstruction_loss,loss,run` (and
    /// `acc,nmi,ari` with a truth file), then the cluster count and the model's parameters.
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
  }

  public func run(store: SeisStore, logger: Logger) throws -> Outcome {
    guard !latents.isEmpty else {
      throw InputError(path: store.path, reason: "a sweep needs at least one --latent size")
    }
    // The windows' metadata only: each run streams the samples it needs (decision 0017).
    guard let reader = try store.currentWindowSetReader(), let setID = reader.windowSet.id
    else {
      throw InputError(
        path: store.path,
        reason: "no current window set: run `seiscluster windows build` or give window options")
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
    let sweep = try store.createSweep(
      SweepRecord(
        windowSetId: setID, version: SeisclusterVersion.string,
        optionsJson: try ClusterJob.encodeOptions(
          StoredOptions(
            clusters: clusterCount, architectures: names, latents: latents, truth: truth?.path,
            model: model))))
    let sweepID = sweep.id ?? 0
    let total = architectures.count * latents.count
    logger.info(
      "sweep \(sweepID): \(total) runs (\(names.joined(separator: ", ")) x latent \(latents.map(String.init).joined(separator: ", ")))"
    )
    var rows: [Row] = []
    do {
      for architecture in architectures {
        for latent in latents {
          var options = model
          options.architecture = architecture ?? model.architecture
          options.latent = latent
          let position = rows.count
          logger.info(
            "sweep \(sweepID) run \(position + 1)/\(total): --architecture \((architecture ?? options.resolvedArchitecture).rawValue) --latent \(latent)"
          )
          var job = ClusterJob(clusterCount: clusterCount, model: options, quiet: quiet)
          job.clusterRange = clusterRange
          let outcome = try job.run(store: store, logger: logger)
          let run = outcome.run
          let stored = try StoredModel.load(for: run, from: store)
          let loss = try Self.reconstructionLoss(of: stored.model, on: reader)
          let scores = try truth.map {
            try Evaluation.evaluate(store: store, runID: run.id, truth: $0).scores
          }
          let row = Row(
            architecture: options.resolvedArchitecture, latent: latent,
            loss: stored.model.reconstructionLoss.name, reconstructionLoss: loss, run: run,
            scores: scores, summary: outcome.summary)
          try store.addSweepRun(
            SweepRunRecord(
              sweepId: sweepID, runId: run.id ?? 0, position: position,
              architecture: row.architecture.rawValue, latent: latent, loss: row.loss,
              reconstructionLoss: loss, acc: scores?.accuracy,
              nmi: scores?.normalizedMutualInformation,
              ari: scores?.adjustedRandIndex))
          rows.append(row)
          onRun?(row)
        }
      }
    } catch {
      // A sweep whose first run failed holds nothing: it must not become the latest sweep
      // that `report --sweep` reads. One with finished runs keeps them.
      try? store.deleteSweepWithoutRuns(id: sweepID)
      throw error
    }
    return Outcome(sweep: sweep, rows: rows, csv: Self.csv(rows, scored: truth != nil))
  }

  /// The mean reconstruction loss of `model` over every value of every window (the loss it
  /// was trained on), the windows read from the store 256 at a time: memory stays bounded by
  /// the chunk whatever the set's size.
  static func reconstructionLoss(of model: any AutoencoderModel, on reader: WindowSetReader)
    throws -> Double
  {
    let set = reader.windowSet
    let size = reader.valuesPerWindow
    let loss = model.reconstructionLoss
    var total = 0.0
    var start = 0
    let chunk = 256
    var buffer = [Float](repeating: 0, count: min(chunk, reader.count) * size)
    while start < reader.count {
      let end = min(reader.count, start + chunk)
      try buffer.withUnsafeMutableBufferPointer { try reader.samples(range: start..<end, into: $0) }
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
    header += ["clusters"]
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
      fields.append(String(row.run.clusterCount))
      csv.append(fields)
    }
    return csv.text
  }
}
