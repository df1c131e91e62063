import Foundation
import NeuralNetwork
import Numerics

/// Settings of deep embedded clustering (Xie et al. 2016; Mousavi et al. 2019).
public struct DECOptions: Codable, Sendable, Equatable {
  /// K.
  public var clusterCount: Int
  /// Weight of the clustering term: `L = (1 - lambda) L_r + lambda KL(P || Q)`.
  public var lambda: Double
  /// Epochs of reconstruction-only pretraining (lambda = 0).
  public var pretrainEpochs: Int
  public var batchSize: Int
  public var learningRate: Double
  /// Iterations (batches) between refreshes of the target P.
  public var updateInterval: Int
  /// Training stops when fewer than this share of labels change between updates (0: never).
  public var tolerance: Double
  /// Upper bound on joint iterations.
  public var maxIterations: Int
  public var seed: UInt64
  /// k-means restarts on the bottleneck features.
  public var kmeansRestarts: Int

  public init(
    clusterCount: Int, lambda: Double = 0.1, pretrainEpochs: Int, batchSize: Int,
    learningRate: Double, updateInterval: Int, tolerance: Double, maxIterations: Int,
    seed: UInt64, kmeansRestarts: Int = 20
  ) {
    self.clusterCount = clusterCount
    self.lambda = lambda
    self.pretrainEpochs = pretrainEpochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.updateInterval = updateInterval
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.seed = seed
    self.kmeansRestarts = kmeansRestarts
  }

  /// Checks the settings, throwing a one-line reason.
  public func validate(windowCount: Int) throws {
    func fail(_ why: String) -> ClusteringError { .invalidArgument(why) }
    guard clusterCount >= 1 else { throw fail("the cluster count must be at least 1") }
    guard windowCount >= clusterCount else {
      throw ClusteringError.tooFewPoints(points: windowCount, clusters: clusterCount)
    }
    guard (0...1).contains(lambda) else { throw fail("lambda must lie in [0, 1]") }
    guard pretrainEpochs >= 0 else { throw fail("pretraining epochs must be >= 0") }
    guard batchSize >= 1 else { throw fail("the batch size must be >= 1") }
    guard learningRate > 0, learningRate.isFinite else {
      throw fail("the learning rate must be > 0")
    }
    guard updateInterval >= 1 else { throw fail("the update interval must be >= 1") }
    guard tolerance >= 0, tolerance <= 1 else { throw fail("the tolerance must lie in [0, 1]") }
    guard maxIterations >= 0 else { throw fail("the iteration cap must be >= 0") }
    guard kmeansRestarts >= 1 else { throw fail("k-means needs at least one restart") }
  }
}

/// What the joint stage reports at each target update.
public struct DECUpdate: Codable, Sendable, Equatable {
  public var iteration: Int
  /// Mean over the iterations since the previous update (0 at the first update).
  public var loss: Double
  public var reconstruction: Double
  public var kl: Double
  /// Share of windows whose cluster changed since the previous update (1 at the first).
  public var labelChange: Double
}

/// The outcome of clustering N windows.
public struct DECResult: Sendable {
  /// The final assignment of every window.
  public var assignment: ClusterAssignment
  /// K x D centroids.
  public var centroids: [Float]
  public var pretrainingLosses: [Double]
  public var updates: [DECUpdate]
  /// `tol` or `max-iterations`.
  public var stopReason: String
  /// Wall seconds of `pretrain`, `kmeans` and `cluster`.
  public var stageSeconds: [String: Double]

  /// Cluster of every window (argmax q).
  public var assignments: [Int] { assignment.labels }
  /// N x K soft assignments.
  public var softAssignment: [Float] { assignment.softAssignment }
  /// N x D bottleneck features.
  public var embeddings: [Float] { assignment.embeddings }
  /// Distance of every window's embedding to its cluster's centroid.
  public var distances: [Float] { assignment.distances }
}

/// Everything needed to continue an interrupted run exactly where it stopped: taken after every
/// pretraining epoch and at every target update of the joint stage.
public struct DECCheckpoint: Codable, Sendable, Equatable {
  /// `pretrain` or `cluster`.
  public var stage: String
  /// Pretraining epochs done.
  public var epochsDone: Int
  /// The joint iteration the run continues at (its target update already done).
  public var iteration: Int
  public var parameters: Data
  public var optimizer: Data
  public var centroids: [Float]
  public var centroidOptimizer: Data?
  public var generator: [UInt64]
  public var pretrainingLosses: [Double]
  public var updates: [DECUpdate]
  public var previousLabels: [Int]?
  public var target: [Float]
  public var order: [Int]
  public var cursor: Int
  public var stageSeconds: [String: Double]

}

extension DECCheckpoint {
  public func encoded() throws -> Data { try JSONEncoder().encode(self) }
  public init(encoded data: Data) throws {
    self = try JSONDecoder().decode(DECCheckpoint.self, from: data)
  }
}

/// The training loop: pretrain the autoencoder on reconstruction, seed centroids by k-means on
/// the bottleneck, then optimise `(1 - lambda) L_r + lambda KL(P || Q)` jointly over the network
/// and the centroids, refreshing P on all windows every `updateInterval` iterations until fewer
/// than `tolerance` of the labels change.
///
/// Works with any `AutoencoderModel` and reads windows in minibatches from any `WindowSource`.
/// Every stage computes the reconstruction term with the same `ReconstructionLoss`. Deterministic
/// for a seed: the network reduces its batch in a fixed order, batches follow a seeded shuffle,
/// and k-means is seeded.
public final class DeepEmbeddedClustering {
  public let model: any AutoencoderModel
  public let windows: any WindowSource
  public let options: DECOptions
  /// The reconstruction term `L_r`.
  public let loss: any ReconstructionLoss
  /// Called after every pretraining epoch with (epoch, mean loss).
  public var onEpoch: ((Int, Double) -> Void)?
  /// Called after every target update.
  public var onUpdate: ((DECUpdate) -> Void)?
  /// Called with the state after every pretraining epoch and at every target update; a run
  /// restarted with `run(resumingFrom:)` from it ends exactly as an uninterrupted one.
  public var onCheckpoint: ((DECCheckpoint) throws -> Void)?

  /// A partition DEC starts from instead of k-means, and is steered by in the joint stage (its
  /// windows' cross-entropy term, as `relabel`'s hand labels): `--init polarity`.
  public var guide: Supervision?

  /// Windows encoded at once when the whole set is encoded (k-means, target updates, the final
  /// assignment): memory holds this many windows, not the set.
  public var encodingChunk = 1024
  /// Above this many windows, k-means runs on a seeded sample of this many embeddings and then
  /// assigns every window (`KMeans.fit(_:dimension:sampleSize:)`); at or below, on all of them.
  public var kmeansSampleSize = 20_000

  private var generator: SeededGenerator

  /// - Parameters:
  ///   - windows: the windows, `channels x length` each.
  ///   - model: an autoencoder that takes windows of that shape.
  ///   - loss: the reconstruction term; by default the one the model is built for
  ///     (`AutoencoderModel.reconstructionLoss`), so a stored model trains on as it was trained.
  public init(
    windows: any WindowSource, model: any AutoencoderModel, options: DECOptions,
    loss: (any ReconstructionLoss)? = nil
  ) throws {
    guard model.inputChannels == windows.channels, model.inputLength == windows.length else {
      throw ClusteringError.shapeMismatch(
        "the model takes \(model.inputChannels) x \(model.inputLength),"
          + " the windows are \(windows.channels) x \(windows.length)")
    }
    try options.validate(windowCount: windows.count)
    self.windows = windows
    self.model = model
    self.options = options
    self.loss = loss ?? model.reconstructionLoss
    var seeds = SeededGenerator(seed: options.seed)
    self.generator = seeds.split()
  }

  /// In-memory windows: `N x C x L` values, C order.
  public convenience init(
    windows: [Float], shape: (count: Int, channels: Int, length: Int),
    model: any AutoencoderModel, options: DECOptions
  ) throws {
    try self.init(
      windows: WindowArray(
        windows, count: shape.count, channels: shape.channels, length: shape.length),
      model: model, options: options)
  }

  private var count: Int { windows.count }

  // MARK: Stages

  /// Runs every stage and returns the clustering; with a checkpoint, continues from it.
  public func run(resumingFrom checkpoint: DECCheckpoint? = nil) throws -> DECResult {
    var seconds: [String: Double] = checkpoint?.stageSeconds ?? [:]
    var clock = Date()
    func lap(_ name: String) -> [String: Double] {
      seconds[name, default: 0] += Date().timeIntervalSince(clock)
      clock = Date()
      return seconds
    }
    var losses = checkpoint?.pretrainingLosses ?? []
    var centroids: [Float]
    var joint: JointState? = nil
    if let checkpoint {
      try model.restore(parameterData: checkpoint.parameters, optimizerData: checkpoint.optimizer)
      generator.state = checkpoint.generator
    }
    if let checkpoint, checkpoint.stage != "pretrain" {
      centroids = checkpoint.centroids
      joint = try JointState(checkpoint: checkpoint, count: count)
    } else {
      losses = try pretrain(startingAfter: checkpoint?.epochsDone ?? 0, losses: losses) {
        lap("pretrain")
      }
      _ = lap("pretrain")
      if let guide {
        centroids = try KMeans.classMeans(
          of: try embeddings(), dimension: model.latentDimension, classes: guide.classes,
          classCount: options.clusterCount)
      } else {
        centroids = try initialCentroids()
      }
      _ = lap("kmeans")
    }
    let (updates, reason) = try trainJointly(
      centroids: &centroids, supervision: guide, resuming: joint, pretrainingLosses: losses,
      seconds: { lap("cluster") })
    _ = lap("cluster")
    let assignment = try ClusterAssignment(
      model: model, windows: windows, centroids: centroids, chunkSize: encodingChunk)
    return DECResult(
      assignment: assignment, centroids: centroids, pretrainingLosses: losses, updates: updates,
      stopReason: reason, stageSeconds: seconds)
  }

  /// Reconstruction-only training; returns the mean loss of every epoch. With a checkpoint of
  /// the pretraining stage, continues from it (the model, the optimiser and the shuffle's
  /// generator as they were), as `run(resumingFrom:)` does.
  public func pretrain(resumingFrom checkpoint: DECCheckpoint? = nil) throws -> [Double] {
    guard let checkpoint else { return try pretrain(startingAfter: 0, losses: []) { [:] } }
    precondition(checkpoint.stage == "pretrain", "a pretraining checkpoint")
    try model.restore(parameterData: checkpoint.parameters, optimizerData: checkpoint.optimizer)
    generator.state = checkpoint.generator
    return try pretrain(startingAfter: checkpoint.epochsDone, losses: checkpoint.pretrainingLosses)
    { [:] }
  }

  private func pretrain(
    startingAfter done: Int, losses initial: [Double], seconds: () -> [String: Double]
  ) throws -> [Double] {
    var losses = initial
    guard options.pretrainEpochs > done else { return losses }
    if done == 0, model.reconstructionLoss is BinaryCrossEntropy {
      model.initializeOutputBias(channelMeans: try channelMeans())
    }
    let batch = min(options.batchSize, count)
    var buffer = Tensor(shape: [batch, windows.channels, windows.length])
    let learningRate = Float(options.learningRate)
    for epoch in (done + 1)...options.pretrainEpochs {
      let order = shuffledOrder()
      var sum = 0.0
      var steps = 0
      // Whole batches only (the shuffle changes every epoch, so every window is seen), which
      // keeps one workspace for the whole run.
      var start = 0
      while start + batch <= count {
        try gather(order[start..<(start + batch)], into: &buffer)
        sum += Double(
          model.trainReconstructionStep(buffer, learningRate: learningRate, loss: loss))
        steps += 1
        start += batch
      }
      let mean = sum / Double(max(steps, 1))
      guard mean.isFinite else {
        throw ClusteringError.diverged("the reconstruction loss at pretraining epoch \(epoch)")
      }
      losses.append(mean)
      onEpoch?(epoch, mean)
      try onCheckpoint?(
        DECCheckpoint(
          stage: "pretrain", epochsDone: epoch, iteration: 0, parameters: model.parameterData,
          optimizer: model.optimizerData, centroids: [], centroidOptimizer: nil,
          generator: generator.state, pretrainingLosses: losses, updates: [],
          previousLabels: nil, target: [], order: [], cursor: 0, stageSeconds: seconds()))
    }
    return losses
  }

  /// The mean of every channel over all windows, read `encodingChunk` windows at a time.
  func channelMeans() throws -> [Double] {
    let channels = windows.channels
    let length = windows.length
    var sums = [Double](repeating: 0, count: channels)
    func add(_ chunk: Tensor, windows n: Int) {
      chunk.values.withUnsafeBufferPointer { v in
        for w in 0..<n {
          for c in 0..<channels {
            let row = v.baseAddress! + (w * channels + c) * length
            var s = 0.0
            for t in 0..<length { s += Double(row[t]) }
            sums[c] += s
          }
        }
      }
    }
    // One chunk: the held tensor itself, without a copy (as `embeddings`).
    if encodingChunk >= count {
      add(try windows.allWindows(), windows: count)
    } else {
      try windows.forEachChunk(chunkSize: encodingChunk) { range, chunk in
        add(chunk, windows: range.count)
      }
    }
    let cells = Double(max(count, 1) * length)
    return sums.map { $0 / cells }
  }

  /// The bottleneck features of every window, `N x D`, encoded `encodingChunk` windows at a
  /// time. Features that are not finite mean the weights are not: training diverged (with
  /// `--learning-rate 1e308` the pretraining loss stayed finite, and k-means then said "points
  /// contains NaN or infinity"; a hostile-input sweep).
  public func embeddings() throws -> [Float] {
    var z: [Float] = []
    // One chunk: the held tensor itself, without a copy.
    if encodingChunk >= count {
      z = model.encode(try windows.allWindows()).values
    } else {
      z.reserveCapacity(count * model.latentDimension)
      try windows.forEachChunk(chunkSize: encodingChunk) { _, chunk in
        z += model.encode(chunk).values
      }
    }
    guard z.allSatisfy(\.isFinite) else {
      throw ClusteringError.diverged("the network's bottleneck features")
    }
    return z
  }

  /// k-means (k-means++, seeded restarts) on the bottleneck features of every window (on a
  /// sample of `kmeansSampleSize` of them when there are more), then the means of a Gaussian
  /// mixture with one variance per cluster fitted from k-means's partition on every window
  /// (`SphericalMixture`, decision 0022): a broad cluster beside a compact one keeps its
  /// quieter members.
  public func initialCentroids() throws -> [Float] {
    let kmeans = KMeans(
      clusterCount: options.clusterCount, restarts: options.kmeansRestarts,
      seed: generator.next())
    let z = try embeddings()
    let centroids = try kmeans.fit(
      z, dimension: model.latentDimension, sampleSize: kmeansSampleSize
    ).centroids
    return try SphericalMixture.refinedCentroids(
      points: z, dimension: model.latentDimension, centroids: centroids,
      clusterCount: options.clusterCount)
  }

  /// Where the joint stage stands between iterations.
  struct JointState {
    var iteration: Int
    var centroidOptimizer: Adam
    var updates: [DECUpdate]
    var previous: [Int]?
    var target: [Float]
    var order: [Int]
    var cursor: Int

    init(
      iteration: Int, centroidOptimizer: Adam, updates: [DECUpdate], previous: [Int]?,
      target: [Float], order: [Int], cursor: Int
    ) {
      self.iteration = iteration
      self.centroidOptimizer = centroidOptimizer
      self.updates = updates
      self.previous = previous
      self.target = target
      self.order = order
      self.cursor = cursor
    }

    init(checkpoint c: DECCheckpoint, count: Int) throws {
      guard let data = c.centroidOptimizer, c.order.count == count else {
        throw ClusteringError.invalidArgument("the checkpoint does not fit these windows")
      }
      self.init(
        iteration: c.iteration, centroidOptimizer: try Adam(serialized: data), updates: c.updates,
        previous: c.previousLabels, target: c.target, order: c.order, cursor: c.cursor)
    }
  }

  /// Hand labels in the joint stage (`relabel`): labelled windows keep their class as target,
  /// and every minibatch also carries up to `perBatch` of them with their own term
  /// `weight * KL(onehot || q)` (a cross-entropy), so that a few labels move the embedding, not
  /// only the centroids.
  public struct Supervision: Sendable {
    /// One entry per window: nil where unlabelled, else its class in `0..<K`.
    public var classes: [Int?]
    /// Weight of the labelled windows' term, beside `lambda` for the others' KL.
    public var weight: Double
    /// Labelled windows added to every minibatch (all of them when there are fewer).
    public var perBatch: Int
    /// Whether the unlabelled windows' target comes from the mixture (decision 0022), as in
    /// `cluster`, or from DEC's own sharpened q. `relabel` steering a stable run uses DEC's own
    /// (decision 0022, "Relabel steering a stable run"): there the mixture's target let one draw
    /// of labels pull the demo's seed 2 from 0.9870 to 0.7712.
    public var mixtureTarget: Bool

    public init(classes: [Int?], weight: Double, perBatch: Int, mixtureTarget: Bool = true) {
      self.classes = classes
      self.weight = weight
      self.perBatch = perBatch
      self.mixtureTarget = mixtureTarget
    }
  }

  /// The joint stage's target P at one update: a mixture that gives each cluster its own
  /// spread (decision 0022), fitted afresh on this embedding from q's labels, its
  /// responsibilities sharpened as DEC sharpens q; labelled windows (`relabel`'s hand labels,
  /// the polarity partition) keep their class as a one-hot row. Where every window is
  /// labelled (`--init polarity`), P is the labels alone and no mixture is fitted. With
  /// `mixture` false the unlabelled windows take DEC's own target
  /// (`DEC.constrainedTargetDistribution`).
  static func jointTarget(
    embeddings z: [Float], softAssignment q: [Float], dimension: Int, clusterCount k: Int,
    fixedClasses: [Int?]?, mixture: Bool = true
  ) throws -> [Float] {
    if let fixedClasses, !mixture || !fixedClasses.contains(where: { $0 == nil }) {
      return try DEC.constrainedTargetDistribution(
        softAssignment: q, clusterCount: k, fixedClasses: fixedClasses)
    }
    var target = try SphericalMixture.targetDistribution(
      embeddings: z, softAssignment: q, dimension: dimension, clusterCount: k)
    if let fixedClasses {
      guard fixedClasses.count * k == target.count else {
        throw ClusteringError.shapeMismatch(
          "\(fixedClasses.count) fixed classes for \(target.count / max(k, 1)) rows")
      }
      for (i, c) in fixedClasses.enumerated() {
        guard let c else { continue }
        guard c >= 0 && c < k else {
          throw ClusteringError.invalidArgument("class \(c) is not one of the \(k) clusters")
        }
        for j in 0..<k { target[i * k + j] = j == c ? 1 : 0 }
      }
    }
    return target
  }

  /// The joint stage, updating `centroids` in place; with `supervision`, the constrained stage
  /// of `relabel`. Returns the updates and why it stopped.
  public func trainJointly(
    centroids: inout [Float], supervision: Supervision? = nil
  ) throws -> ([DECUpdate], String) {
    try trainJointly(
      centroids: &centroids, supervision: supervision, resuming: nil, pretrainingLosses: [],
      seconds: { [:] })
  }

  private func trainJointly(
    centroids: inout [Float], supervision: Supervision? = nil, resuming: JointState?,
    pretrainingLosses: [Double], seconds: () -> [String: Double]
  ) throws -> ([DECUpdate], String) {
    // Dropout regularises the pretraining only (as in DEC): the joint stage trains the
    // deterministic network that assigns the windows.
    model.dropoutActive = false
    defer { model.dropoutActive = true }
    let k = options.clusterCount
    let dimension = model.latentDimension
    let lambda = Float(options.lambda)
    let learningRate = Float(options.learningRate)
    let batch = min(options.batchSize, count)
    let fixedClasses = supervision?.classes
    let labelled = (fixedClasses ?? []).indices.filter { fixedClasses?[$0] != nil }
    let extra =
      (supervision?.weight ?? 0) > 0 ? min(labelled.count, supervision?.perBatch ?? 0) : 0
    let mu = Float(supervision?.weight ?? 0)
    var labelledOrder = labelled
    var labelledCursor = labelled.count
    var buffer = Tensor(shape: [batch + extra, windows.channels, windows.length])
    var latentGradient = Tensor(shape: [batch + extra, dimension])
    var batchTarget = [Float](repeating: 0, count: batch * k)
    var labelledTarget = [Float](repeating: 0, count: extra * k)
    var state =
      resuming
      ?? JointState(
        iteration: 0, centroidOptimizer: Adam(parameterCount: k * dimension), updates: [],
        previous: nil, target: [], order: shuffledOrder(), cursor: 0)
    var sums = (loss: 0.0, reconstruction: 0.0, kl: 0.0, steps: 0)
    var stopReason = "max-iterations"
    var skipUpdate = resuming != nil

    while state.iteration <= options.maxIterations {
      let iteration = state.iteration
      if (iteration % options.updateInterval == 0 || iteration == options.maxIterations)
        && !skipUpdate
      {
        let z = try embeddings()
        let q = try DEC.softAssignment(embeddings: z, centroids: centroids, dimension: dimension)
        state.target = try Self.jointTarget(
          embeddings: z, softAssignment: q, dimension: dimension, clusterCount: k,
          fixedClasses: fixedClasses, mixture: supervision?.mixtureTarget ?? true)
        let labels = try DEC.assignments(softAssignment: q, clusterCount: k)
        let change =
          try state.previous.map { try DEC.labelChangeFraction(previous: $0, current: labels) } ?? 1
        let steps = Double(max(sums.steps, 1))
        let update = DECUpdate(
          iteration: iteration, loss: sums.loss / steps,
          reconstruction: sums.reconstruction / steps,
          kl: sums.kl / steps, labelChange: change)
        guard update.loss.isFinite else {
          throw ClusteringError.diverged("the training loss at iteration \(iteration)")
        }
        state.updates.append(update)
        onUpdate?(update)
        sums = (0, 0, 0, 0)
        if state.previous != nil && options.tolerance > 0 && change < options.tolerance {
          stopReason = "tol"
          break
        }
        state.previous = labels
        if iteration == options.maxIterations { break }
        try onCheckpoint?(
          DECCheckpoint(
            stage: "cluster", epochsDone: options.pretrainEpochs, iteration: iteration,
            parameters: model.parameterData, optimizer: model.optimizerData,
            centroids: centroids, centroidOptimizer: state.centroidOptimizer.serialized,
            generator: generator.state, pretrainingLosses: pretrainingLosses,
            updates: state.updates, previousLabels: state.previous, target: state.target,
            order: state.order, cursor: state.cursor, stageSeconds: seconds()))
      }
      skipUpdate = false

      if state.cursor + batch > count {
        state.order = shuffledOrder()
        state.cursor = 0
      }
      var indices = Array(state.order[state.cursor..<(state.cursor + batch)])
      state.cursor += batch
      for (row, index) in indices.enumerated() {
        for j in 0..<k { batchTarget[row * k + j] = state.target[index * k + j] }
      }
      if extra > 0 {
        if labelledCursor + extra > labelledOrder.count {
          labelledOrder.shuffle(using: &generator)
          labelledCursor = 0
        }
        let chosen = labelledOrder[labelledCursor..<(labelledCursor + extra)]
        labelledCursor += extra
        for (row, index) in chosen.enumerated() {
          for j in 0..<k { labelledTarget[row * k + j] = j == fixedClasses?[index] ? 1 : 0 }
        }
        indices += chosen
      }
      try gather(indices[...], into: &buffer)

      let latent = model.trainingForward(buffer).values
      let clustering = try DEC.loss(
        embeddings: Array(latent[..<(batch * dimension)]), centroids: centroids,
        target: batchTarget, dimension: dimension)
      for i in 0..<(batch * dimension) {
        latentGradient.values[i] = lambda * clustering.embeddingGradient[i]
      }
      var centroidGradient = clustering.centroidGradient.map { lambda * $0 }
      if extra > 0 {
        let supervised = try DEC.loss(
          embeddings: Array(latent[(batch * dimension)...]), centroids: centroids,
          target: labelledTarget, dimension: dimension)
        for i in 0..<(extra * dimension) {
          latentGradient.values[batch * dimension + i] = mu * supervised.embeddingGradient[i]
        }
        for i in centroidGradient.indices {
          centroidGradient[i] += mu * supervised.centroidGradient[i]
        }
      }
      let reconstructionLoss = model.backward(
        reconstructionLoss: loss, weight: 1 - lambda, latentGradient: latentGradient)
      model.updateParameters(learningRate: learningRate)
      centroids.withUnsafeMutableBufferPointer { c in
        centroidGradient.withUnsafeBufferPointer { g in
          state.centroidOptimizer.update(
            parameters: c.baseAddress!, gradients: g.baseAddress!, learningRate: learningRate)
        }
      }
      sums.reconstruction += reconstructionLoss
      sums.kl += clustering.value
      sums.loss += Double(1 - lambda) * reconstructionLoss + Double(lambda) * clustering.value
      sums.steps += 1
      state.iteration += 1
    }
    return (state.updates, stopReason)
  }

  // MARK: Batches

  private func shuffledOrder() -> [Int] {
    windows.trainingOrder(using: &generator)
  }

  private func gather(_ indices: ArraySlice<Int>, into buffer: inout Tensor) throws {
    try buffer.values.withUnsafeMutableBufferPointer {
      try windows.copyWindows(at: indices, into: $0)
    }
  }
}
