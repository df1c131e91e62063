import Clustering
import Foundation
import Logging
import NeuralNetwork
import Store

/// What a finished `cluster` run gives back to the command line.
public struct ClusterOutcome: Sendable {
  public var run: RunRecord
  public var assignments: [Int]
  public var probabilities: [Float]
  /// Lines of the per-cluster summary (also stored with the run).
  public var summary: [String]
  public var confound: StationConfoundReport?
}

/// The `cluster` use case: train the autoencoder and DEC on the current window set and store
/// the run, its model and every window's cluster in one transaction at the end.
public struct ClusterJob: Sendable {
  public var clusterCount: Int
  public var model: ModelOptions
  public var quiet: Bool
  /// Continue the latest interrupted run from its checkpoint instead of starting a new one.
  public var resume: Bool
  /// Least wall time between two stored checkpoints.
  public var checkpointSeconds: Double

  /// For tests: stop as a SIGKILL would, right after this many checkpoints were stored.
  var dieAfterCheckpoints: Int? = nil

  /// How a simulated kill (tests) ends the job: the run stays `running`.
  struct SimulatedKill: Error {}

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
  }

  struct WindowSetDescription: Codable {
    var inputKind: String
    var channels: Int
    var length: Int
    var samplingRate: Double?
    var parameters: String
  }

  public func run(store: SeisStore, logger: Logger) throws -> ClusterOutcome {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var resumedRun: RunRecord? = nil
    var modelOptions = model
    var clusters = clusterCount
    var checkpoint: DECCheckpoint? = nil
    let contents: WindowSetContents
    if resume {
      guard let interrupted = try store.claimInterruptedRun(), interrupted.kind == .cluster else {
        throw InputError(path: store.path, reason: "no interrupted cluster run to resume")
      }
      let run = interrupted
      resumedRun = run
      let stored = try Self.decodeOptions(StoredOptions.self, from: run.optionsJson)
      modelOptions = stored.model
      clusters = stored.clusters
      guard let c = try store.windowSetContents(id: run.windowSetId) else {
        throw InputError(path: store.path, reason: "run \(run.id ?? 0) has lost its window set")
      }
      contents = c
      if let record = try store.checkpoint(runID: run.id ?? 0) {
        checkpoint = try DECCheckpoint(encoded: record.state)
      }
      let point =
        checkpoint.map {
          $0.stage == "pretrain"
            ? "after pretraining epoch \($0.epochsDone)" : "at iteration \($0.iteration)"
        } ?? "from the start (it stopped before its first checkpoint)"
      logger.info("resuming run \(run.id ?? 0) \(point)")
    } else {
      guard let c = try store.currentWindowSetContents() else {
        throw InputError(
          path: store.path,
          reason: "no current window set: run `seiscluster windows build` or give window options")
      }
      contents = c
      if let interrupted = try store.interruptedRun() {
        logger.info(
          "run \(interrupted.id ?? 0) was interrupted; `seiscluster cluster --resume` continues it")
      }
    }
    let set = contents.windowSet
    guard let setID = set.id else {
      throw InputError(path: store.path, reason: "window set without id")
    }
    let n = contents.count
    guard n >= clusters else {
      throw InputError(
        path: store.path,
        reason: "the window set holds \(n) windows, fewer than --clusters \(clusters)")
    }
    modelOptions.latent = modelOptions.resolvedLatent(length: set.length)
    let configuration = modelOptions.autoencoderConfiguration(
      channels: set.channelCount, length: set.length)
    let autoencoder: Autoencoder
    do {
      autoencoder = try Autoencoder(configuration: configuration, seed: modelOptions.seed)
    } catch {
      throw InputError(path: "", reason: "model options: \(error)")
    }
    let options = DECOptions(
      clusterCount: clusters, lambda: modelOptions.lambda, pretrainEpochs: modelOptions.epochs,
      batchSize: modelOptions.batch, learningRate: modelOptions.learningRate,
      updateInterval: modelOptions.updateInterval, tolerance: modelOptions.tol,
      maxIterations: modelOptions.maxIterations, seed: modelOptions.seed)
    var run: RunRecord
    if let resumedRun {
      run = resumedRun
    } else {
      let stored = StoredOptions(
        clusters: clusters, model: modelOptions, windowSetId: setID,
        windowSet: WindowSetDescription(
          inputKind: set.inputKind.rawValue, channels: set.channelCount, length: set.length,
          samplingRate: set.samplingRate, parameters: set.parametersJson))
      let optionsJSON = try Self.encodeOptions(stored)
      run = try store.createRun(
        RunRecord(
          kind: .cluster, windowSetId: setID, version: SeisclusterVersion.string,
          seed: Int64(bitPattern: modelOptions.seed), clusterCount: clusters,
          optionsJson: optionsJSON))
    }
    logger.info(
      "clustering \(n) windows (\(set.channelCount) x \(set.length), \(set.inputKind.rawValue)) into \(clusters) clusters; \(autoencoder.lengthAdjustmentDescription)"
    )

    let dec = try DeepEmbeddedClustering(
      windows: contents.samples, shape: (n, set.channelCount, set.length), model: autoencoder,
      options: options)
    let pretraining = Progress(label: "pretraining epoch", total: modelOptions.epochs, quiet: quiet)
    let started = Date()
    dec.onEpoch = { epoch, loss in
      pretraining.update(
        epoch, detail: String(format: "loss %.5f (%.1f s)", loss, Date().timeIntervalSince(started))
      )
    }
    let clustering = Progress(label: "clustering iteration", total: nil, quiet: quiet)
    dec.onUpdate = { update in
      pretraining.finish()
      clustering.update(
        update.iteration,
        detail: String(
          format: "loss %.5f kl %.5f label change %.4f (%.1f s)", update.loss, update.kl,
          update.labelChange, Date().timeIntervalSince(started)))
    }
    // Checkpoints at most every `checkpointSeconds`, so a killed run resumes close to where it
    // stopped without slowing training down.
    var lastCheckpoint = Date()
    let runID = run.id ?? 0
    let interval = checkpointSeconds
    var saved = 0
    let dieAfter = dieAfterCheckpoints
    dec.onCheckpoint = { state in
      guard Date().timeIntervalSince(lastCheckpoint) >= interval else { return }
      try store.saveCheckpoint(
        CheckpointRecord(
          runId: runID, stage: state.stage,
          iteration: state.stage == "pretrain" ? state.epochsDone : state.iteration,
          state: try state.encoded()))
      lastCheckpoint = Date()
      saved += 1
      if let dieAfter, saved >= dieAfter { throw SimulatedKill() }
    }
    let result: DECResult
    do {
      result = try dec.run(resumingFrom: checkpoint)
    } catch let kill as SimulatedKill {
      throw kill
    } catch {
      run.status = .failed
      try? store.updateRun(run)
      throw error
    }
    clustering.finish()

    var history = RunHistory()
    history.pretraining = result.pretrainingLosses.enumerated().map {
      .init(epoch: $0.offset + 1, loss: $0.element)
    }
    history.updates = result.updates.map {
      .init(
        iteration: $0.iteration, loss: $0.loss, reconstruction: $0.reconstruction, kl: $0.kl,
        labelChange: $0.labelChange)
    }
    history.stageSeconds = result.stageSeconds
    history.stopReason = result.stopReason

    let k = clusters
    let d = autoencoder.latentDimension
    var records: [AssignmentRecord] = []
    records.reserveCapacity(n)
    var probabilities: [Float] = []
    for (i, window) in contents.windows.enumerated() {
      let q = Array(result.softAssignment[(i * k)..<((i + 1) * k)])
      let cluster = result.assignments[i]
      probabilities.append(q[cluster])
      records.append(
        AssignmentRecord(
          runId: run.id ?? 0, windowId: window.id ?? 0, cluster: cluster,
          probability: Double(q[cluster]), distance: Double(result.distances[i]), q: q,
          embedding: Array(result.embeddings[(i * d)..<((i + 1) * d)])))
    }

    let stations = contents.windows.map { "\($0.network).\($0.station).\($0.location)" }
    let confound = try? StationConfoundCheck().assess(
      clusters: result.assignments, stations: stations)
    let summary = ClusterSummary.lines(
      assignments: result.assignments, probabilities: probabilities, stations: stations,
      clusterCount: k, confound: confound, stopReason: result.stopReason,
      iterations: result.updates.last?.iteration ?? 0)
    run.historyJson = String(decoding: try encoder.encode(history), as: UTF8.self)
    run.summary = summary.joined(separator: "\n")

    let modelRecord = ModelRecord(
      architectureJson: String(decoding: try autoencoder.architectureJSON(), as: UTF8.self),
      parameters: autoencoder.parameterData, optimizerState: autoencoder.optimizerData,
      centroids: result.centroids.withUnsafeBytes { Data($0) })
    let storeStart = Date()
    run = try store.completeRun(run, model: modelRecord, assignments: records)
    history.stageSeconds["store"] = Date().timeIntervalSince(storeStart)
    run.historyJson = String(decoding: try encoder.encode(history), as: UTF8.self)
    try store.updateRun(run)
    return ClusterOutcome(
      run: run, assignments: result.assignments, probabilities: probabilities, summary: summary,
      confound: confound)
  }
}

/// The per-cluster summary printed after a run.
enum ClusterSummary {
  static func lines(
    assignments: [Int], probabilities: [Float], stations: [String], clusterCount: Int,
    confound: StationConfoundReport?, stopReason: String, iterations: Int
  ) -> [String] {
    var lines = ["cluster  windows  share  mean_probability  stations (most windows first)"]
    let n = assignments.count
    for c in 0..<clusterCount {
      let members = assignments.indices.filter { assignments[$0] == c }
      let meanP =
        members.isEmpty
        ? 0 : members.reduce(0.0) { $0 + Double(probabilities[$1]) } / Double(members.count)
      var counts: [String: Int] = [:]
      for i in members { counts[stations[i], default: 0] += 1 }
      let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        .prefix(4).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      lines.append(
        String(
          format: "%7d  %7d  %4.1f%%  %16.3f  %@", c, members.count,
          100 * Double(members.count) / Double(max(n, 1)), meanP, top))
    }
    lines.append("stopped by \(stopReason) after \(iterations) iterations")
    if let confound { lines.append(confound.summary) }
    return lines
  }
}
