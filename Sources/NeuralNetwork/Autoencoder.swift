import Foundation
import Numerics

/// A 1-D convolutional autoencoder (Mousavi et al. 2019): conv + max-pool stages, an optional
/// dense bottleneck, then the mirror image: upsample + conv stages, the last conv linear.
///
/// Tensors in and out are **batch x channels x length** (`[n, inputChannels, inputLength]`);
/// latent codes are **batch x latentDimension**. Windows of any length are **zero-padded at the
/// end** to `paddedLength`, the next multiple of `2^depth`; reconstructions are cropped back to
/// `inputLength` and the reconstruction loss covers only the original steps.
///
/// Parameters and their gradients live in one flat buffer each with the same layout (operations
/// in order; each conv `weight[out][in][k]` then `bias[out]`, each dense `weight[out][in]` then
/// `bias[out]`), so Adam is one flat loop.
///
/// Training step, composable for DEC:
/// ```
/// let (latent, reconstruction) = model.forward(batch)
/// // the caller builds dL/dreconstruction and dL/dlatent, weighted as it likes
/// model.backward(reconstructionGradient: gr, latentGradient: gz)
/// model.updateParameters(learningRate: 1e-3)
/// ```
/// Work is split over the batch into micro-batches whose cut depends only on the batch size;
/// per-slot parameter gradients are reduced in a fixed order, so results are bit-identical for
/// any `threadCount`. OpenBLAS is set to one thread.
///
/// Not thread-safe: use one model from one thread at a time.
public final class Autoencoder {
  /// The architecture.
  public let configuration: Configuration
  /// The network's working length (a multiple of `2^depth`, at least `inputLength`).
  public let paddedLength: Int
  /// Features of the latent code.
  public let latentDimension: Int
  /// Number of parameters.
  public let parameterCount: Int
  /// Worker threads for the batch loop (results do not depend on it).
  public var threadCount: Int
  /// The optimizer state.
  public private(set) var optimizer: Adam

  let operations: [Operation]
  let latentIndex: Int
  let parameterBuffer: FloatBuffer
  let gradientBuffer: FloatBuffer
  private var workspace: TrainingWorkspace?
  private var inferenceScratch: (plan: BatchPlan, workers: Int, scratch: [WorkerScratch])?
  private var forwardBatchSize: Int?

  // MARK: Creating

  /// A freshly initialised model: Glorot-uniform weights before `tanh` and linear layers,
  /// He-uniform before `relu`, zero biases, drawn from `SeededGenerator(seed:)` in layer order.
  public convenience init(configuration: Configuration, seed: UInt64) throws {
    try self.init(configuration: configuration, parameters: nil, optimizer: nil)
    var generator = SeededGenerator(seed: seed)
    for op in operations { op.initialize(parameterBuffer.pointer, generator: &generator) }
  }

  /// A model with the given parameters (for example loaded from the store) and, optionally, the
  /// optimizer state to resume training.
  public convenience init(
    configuration: Configuration, parameters: [Float], optimizer: Adam? = nil
  ) throws {
    try self.init(
      configuration: configuration, parameters: Optional(parameters), optimizer: optimizer)
  }

  /// A model from stored bytes: `parameterData` as written by `parameterData`, and optionally
  /// `optimizerData` as written by `optimizerData`.
  public convenience init(
    configuration: Configuration, parameterData: Data, optimizerData: Data? = nil
  ) throws {
    guard parameterData.count % 4 == 0 else {
      throw NeuralNetworkError.corruptData("parameter blob is not a whole number of floats")
    }
    var reader = LittleEndianReader(data: parameterData)
    var values: [Float] = []
    values.reserveCapacity(parameterData.count / 4)
    while let bits: UInt32 = reader.read() { values.append(Float(bitPattern: bits)) }
    let optimizer = try optimizerData.map { try Adam(serialized: $0) }
    try self.init(configuration: configuration, parameters: values, optimizer: optimizer)
  }

  private init(configuration: Configuration, parameters: [Float]?, optimizer: Adam?) throws {
    try configuration.validate()
    self.configuration = configuration
    paddedLength = configuration.paddedLength
    (operations, latentIndex) = configuration.operations()
    latentDimension = operations[latentIndex].outputSize
    parameterCount = operations.reduce(0) { $0 + $1.parameterCount }
    if let parameters, parameters.count != parameterCount {
      throw NeuralNetworkError.parameterCountMismatch(
        expected: parameterCount, actual: parameters.count)
    }
    if let optimizer, optimizer.parameterCount != parameterCount {
      throw NeuralNetworkError.parameterCountMismatch(
        expected: parameterCount, actual: optimizer.parameterCount)
    }
    parameterBuffer = parameters.map(FloatBuffer.init) ?? FloatBuffer(count: parameterCount)
    gradientBuffer = FloatBuffer(count: parameterCount)
    self.optimizer = optimizer ?? Adam(parameterCount: parameterCount)
    threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    BLAS.setThreadCount(1)
  }

  // MARK: Inspecting and storing

  /// The parameters (a copy), in the flat layout.
  public var parameters: [Float] {
    get { parameterBuffer.array }
    set { parameterBuffer.copy(from: newValue) }
  }

  /// The gradients of the last `backward` (a copy), laid out like `parameters`.
  public var gradients: [Float] { gradientBuffer.array }

  /// The parameters as little-endian Float32 bytes.
  public var parameterData: Data {
    var data = Data(capacity: parameterCount * 4)
    for value in parameterBuffer.array { appendLittleEndian(&data, value.bitPattern) }
    return data
  }

  /// Replaces the parameters and the optimizer state with stored ones (to resume training
  /// exactly where a checkpoint left it).
  public func restore(parameterData: Data, optimizerData: Data) throws {
    let restored = try Autoencoder(
      configuration: configuration, parameterData: parameterData, optimizerData: optimizerData)
    parameterBuffer.copy(from: restored.parameterBuffer.array)
    optimizer = restored.optimizer
  }

  /// The optimizer state as bytes (see `Adam.serialized`).
  public var optimizerData: Data { optimizer.serialized }

  /// The architecture as JSON, for the store.
  public func architectureJSON() throws -> Data { try configuration.jsonData() }

  /// How the input length is adapted, in words.
  public var lengthAdjustmentDescription: String {
    let unit = 1 << configuration.depth
    if paddedLength == configuration.inputLength {
      return "input length \(paddedLength) is a multiple of \(unit); no padding"
    }
    return "input length \(configuration.inputLength) zero-padded at the end to \(paddedLength)"
      + " (a multiple of 2^\(configuration.depth) = \(unit)); reconstructions are cropped back"
  }

  /// One line per layer with its per-sample shapes.
  public var layerDescriptions: [String] { operations.map(\.description) }

  // MARK: Training

  /// Runs the network on a training batch (`[n, inputChannels, inputLength]`), keeping what
  /// `backward` needs. Returns the latent codes `[n, latentDimension]` and the reconstructions
  /// `[n, inputChannels, inputLength]`.
  public func forward(_ batch: Tensor) -> (latent: Tensor, reconstruction: Tensor) {
    let n = checkedBatchSize(batch)
    let ws = trainingWorkspace(batch: n)
    runTrainingForward(batch, workspace: ws)
    let latent = Tensor(shape: [n, latentDimension], values: ws.activations[latentIndex + 1].array)
    var reconstruction = [Float](repeating: 0, count: batch.count)
    let output = ws.activations[operations.count]
    reconstruction.withUnsafeMutableBufferPointer { destination in
      let d = UncheckedSendable(destination.baseAddress!)
      let me = UncheckedSendable(self)
      DeterministicParallel.run(taskCount: ws.plan.microBatchCount, workerCount: threadCount) {
        m, _ in
        let range = ws.plan.samples(m)
        let c = me.value.configuration.inputChannels
        BatchLayout.toSampleMajor(
          output.pointer + range.lowerBound * c * me.value.paddedLength, batch: range.count,
          channels: c, blockLength: me.value.paddedLength,
          destinationLength: me.value.configuration.inputLength,
          into: d.value + range.lowerBound * c * me.value.configuration.inputLength)
      }
    }
    return (latent, Tensor(shape: batch.shape, values: reconstruction))
  }

  /// Back-propagates from the last `forward`. `reconstructionGradient` is dL/dreconstruction
  /// (`[n, inputChannels, inputLength]`) and `latentGradient` dL/dlatent (`[n, latentDimension]`);
  /// either may be nil (zero). Weight the terms as the loss needs (for DEC,
  /// `(1 - lambda) L_r + lambda L_c` means scaling each gradient by its weight). Overwrites
  /// `gradients`.
  public func backward(reconstructionGradient: Tensor?, latentGradient: Tensor?) {
    guard let n = forwardBatchSize, let ws = workspace, ws.plan.batch == n else {
      preconditionFailure("backward needs a forward pass first")
    }
    if let g = reconstructionGradient {
      precondition(
        g.shape == [n, configuration.inputChannels, configuration.inputLength],
        "reconstruction gradient shape \(g.shape)")
    }
    if let g = latentGradient {
      precondition(g.shape == [n, latentDimension], "latent gradient shape \(g.shape)")
    }
    let run = { (r: UnsafePointer<Float>?, z: UnsafePointer<Float>?) in
      self.runTrainingBackward(
        workspace: ws, reconstruction: r.map { .gradient($0) } ?? .none, latentGradient: z)
    }
    func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
      guard let t else { return body(nil) }
      return t.values.withUnsafeBufferPointer { body($0.baseAddress) }
    }
    withOptionalPointer(reconstructionGradient) { r in
      withOptionalPointer(latentGradient) { z in run(r, z) }
    }
  }

  /// One Adam update of the parameters from the current gradients.
  public func updateParameters(learningRate: Float) {
    optimizer.update(
      parameters: parameterBuffer.pointer, gradients: gradientBuffer.pointer,
      learningRate: learningRate)
  }

  /// Pretraining convenience: forward, mean-squared reconstruction error against the input,
  /// backward and one Adam update. Returns the loss before the update. Allocates nothing once
  /// the workspace for this batch size exists.
  @discardableResult
  public func trainReconstructionStep(_ batch: Tensor, learningRate: Float) -> Float {
    let loss = computeReconstructionGradients(batch)
    updateParameters(learningRate: learningRate)
    return loss
  }

  /// Forward and backward for the mean-squared reconstruction error (scaled by `scale`) without
  /// an update; fills `gradients` and returns the unscaled loss.
  @discardableResult
  public func computeReconstructionGradients(_ batch: Tensor, scale: Float = 1) -> Float {
    let n = checkedBatchSize(batch)
    let ws = trainingWorkspace(batch: n)
    runTrainingForward(batch, workspace: ws)
    runTrainingBackward(
      workspace: ws, reconstruction: .meanSquaredError(scale), latentGradient: nil)
    var sum = 0.0
    for m in 0..<ws.plan.microBatchCount { sum += ws.lossPerMicroBatch[m] }
    return Float(sum / Double(n * configuration.inputChannels * configuration.inputLength))
  }

  // MARK: Inference

  /// The latent codes `[n, latentDimension]` of a batch `[n, inputChannels, inputLength]`,
  /// computed in micro-batches across `threadCount` workers. Keeps no training state.
  public func encode(_ x: Tensor) -> Tensor {
    let n = checkedBatchSize(x)
    var out = [Float](repeating: 0, count: n * latentDimension)
    x.values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        runInference(
          batch: n, operationRange: 0..<(latentIndex + 1), input: source.baseAddress!,
          inputIsWaveform: true, output: destination.baseAddress!, outputIsWaveform: false)
      }
    }
    return Tensor(shape: [n, latentDimension], values: out)
  }

  /// The reconstructions `[n, inputChannels, inputLength]` of latent codes `[n, latentDimension]`.
  public func decode(_ z: Tensor) -> Tensor {
    precondition(
      z.rank == 2 && z.shape[1] == latentDimension,
      "expected [n, \(latentDimension)] latent codes, got \(z.shape)")
    let n = z.shape[0]
    let c = configuration.inputChannels
    let l = configuration.inputLength
    var out = [Float](repeating: 0, count: n * c * l)
    z.values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        runInference(
          batch: n, operationRange: (latentIndex + 1)..<operations.count,
          input: source.baseAddress!, inputIsWaveform: false, output: destination.baseAddress!,
          outputIsWaveform: true)
      }
    }
    return Tensor(shape: [n, c, l], values: out)
  }

  /// `decode(encode(x))`.
  public func reconstruct(_ x: Tensor) -> Tensor { decode(encode(x)) }

  // MARK: Implementation

  private func checkedBatchSize(_ x: Tensor) -> Int {
    precondition(
      x.rank == 3 && x.shape[1] == configuration.inputChannels
        && x.shape[2] == configuration.inputLength,
      "expected [n, \(configuration.inputChannels), \(configuration.inputLength)], got \(x.shape)")
    return x.shape[0]
  }

  private func trainingWorkspace(batch n: Int) -> TrainingWorkspace {
    precondition(n > 0, "a training batch needs at least one window")
    let workers = max(1, threadCount)
    if let ws = workspace, ws.plan.batch == n, ws.workerCount == workers { return ws }
    workspace = nil  // release the old one before allocating
    let ws = TrainingWorkspace(
      operations: operations, plan: BatchPlan(batch: n, length: paddedLength),
      workerCount: workers, parameterCount: parameterCount)
    workspace = ws
    return ws
  }

  private func runTrainingForward(_ batch: Tensor, workspace ws: TrainingWorkspace) {
    forwardBatchSize = ws.plan.batch
    let me = UncheckedSendable(self)
    batch.values.withUnsafeBufferPointer { source in
      let input = UncheckedSendable(source.baseAddress!)
      DeterministicParallel.run(taskCount: ws.plan.microBatchCount, workerCount: ws.workerCount) {
        m, worker in
        me.value.forwardMicroBatch(m, input: input.value, workspace: ws, worker: worker)
      }
    }
  }

  private func forwardMicroBatch(
    _ m: Int, input: UnsafePointer<Float>, workspace ws: TrainingWorkspace, worker: Int
  ) {
    let range = ws.plan.samples(m)
    let (start, b) = (range.lowerBound, range.count)
    let c = configuration.inputChannels
    BatchLayout.toChannelMajor(
      input + start * c * configuration.inputLength, batch: b, channels: c,
      sourceLength: configuration.inputLength, blockLength: paddedLength,
      into: ws.activations[0].pointer + start * c * paddedLength)
    let scratch = ws.scratch[worker]
    for (i, op) in operations.enumerated() {
      op.forward(
        input: ws.activations[i].pointer + start * op.inputSize,
        output: ws.activations[i + 1].pointer + start * op.outputSize,
        argmax: ws.argmax[i].map { $0.pointer + start * op.outputSize }, batch: b,
        parameters: parameterBuffer.pointer, columns: scratch.columns.pointer)
    }
  }

  enum ReconstructionGradient {
    case none
    case gradient(UnsafePointer<Float>)
    case meanSquaredError(Float)
  }

  private func runTrainingBackward(
    workspace ws: TrainingWorkspace, reconstruction: ReconstructionGradient,
    latentGradient: UnsafePointer<Float>?
  ) {
    let me = UncheckedSendable(self)
    let args = UncheckedSendable((reconstruction, latentGradient))
    let plan = ws.plan
    DeterministicParallel.run(taskCount: plan.slotCount, workerCount: ws.workerCount) {
      slot, worker in
      let gradient = slot == 0 ? me.value.gradientBuffer : ws.slotGradients[slot - 1]
      gradient.zero()
      var m = slot
      while m < plan.microBatchCount {
        me.value.backwardMicroBatch(
          m, reconstruction: args.value.0, latentGradient: args.value.1, workspace: ws,
          worker: worker, parameterGradient: gradient.pointer)
        m += plan.slotCount
      }
    }
    // Fixed-order reduction: slot 0 (the model's buffer) += slot 1, += slot 2, ...
    let total = gradientBuffer.pointer
    for buffer in ws.slotGradients.prefix(plan.slotCount - 1) {
      let p = buffer.pointer
      for i in 0..<parameterCount { total[i] += p[i] }
    }
  }

  private func backwardMicroBatch(
    _ m: Int, reconstruction: ReconstructionGradient, latentGradient: UnsafePointer<Float>?,
    workspace ws: TrainingWorkspace, worker: Int, parameterGradient: UnsafeMutablePointer<Float>
  ) {
    let range = ws.plan.samples(m)
    let (start, b) = (range.lowerBound, range.count)
    let scratch = ws.scratch[worker]
    var gradient = scratch.bufferA.pointer
    var spare = scratch.bufferB.pointer
    let c = configuration.inputChannels
    let l0 = configuration.inputLength
    let outputSize = c * paddedLength
    let first: Int
    switch reconstruction {
    case .none:
      guard latentGradient != nil else { return }
      first = latentIndex
      gradient.update(repeating: 0, count: b * latentDimension)
    case .gradient(let g):
      first = operations.count - 1
      BatchLayout.toChannelMajor(
        g + start * c * l0, batch: b, channels: c, sourceLength: l0, blockLength: paddedLength,
        into: gradient)
    case .meanSquaredError(let scale):
      first = operations.count - 1
      let prediction = ws.activations[operations.count].pointer + start * outputSize
      let target = ws.activations[0].pointer + start * outputSize
      let factor = scale * 2 / Float(ws.plan.batch * c * l0)
      var sum = 0.0
      for row in 0..<(c * b) {
        let base = row * paddedLength
        for t in 0..<l0 {
          let difference = prediction[base + t] - target[base + t]
          sum += Double(difference * difference)
          gradient[base + t] = factor * difference
        }
        for t in l0..<paddedLength { gradient[base + t] = 0 }
      }
      ws.lossPerMicroBatch[m] = sum
    }
    for i in stride(from: first, through: 0, by: -1) {
      let op = operations[i]
      if i == latentIndex, let z = latentGradient {
        let source = z + start * latentDimension
        for j in 0..<(b * latentDimension) { gradient[j] += source[j] }
      }
      op.backward(
        input: ws.activations[i].pointer + start * op.inputSize,
        output: ws.activations[i + 1].pointer + start * op.outputSize,
        outputGradient: gradient, inputGradient: i > 0 ? spare : nil,
        argmax: ws.argmax[i].map { UnsafePointer($0.pointer + start * op.outputSize) },
        batch: b, parameters: parameterBuffer.pointer, parameterGradient: parameterGradient,
        columns: scratch.columns.pointer, columnGradient: scratch.columnGradient.pointer)
      swap(&gradient, &spare)
    }
  }

  private func runInference(
    batch n: Int, operationRange: Range<Int>, input: UnsafePointer<Float>,
    inputIsWaveform: Bool, output: UnsafeMutablePointer<Float>, outputIsWaveform: Bool
  ) {
    guard n > 0 else { return }
    let plan = BatchPlan(batch: n, length: paddedLength)
    let workers = max(1, threadCount)
    if inferenceScratch?.plan.microBatchSize != plan.microBatchSize
      || inferenceScratch?.workers != workers
    {
      inferenceScratch = nil
      inferenceScratch = (
        plan, workers,
        (0..<workers).map { _ in
          WorkerScratch(
            operations: operations, microBatchSize: plan.microBatchSize,
            needsColumnGradient: false)
        }
      )
    }
    let scratch = inferenceScratch!.scratch
    let me = UncheckedSendable(self)
    let pointers = UncheckedSendable((input, output))
    DeterministicParallel.run(taskCount: plan.microBatchCount, workerCount: workers) {
      m, worker in
      let model = me.value
      let range = plan.samples(m)
      let (start, b) = (range.lowerBound, range.count)
      let s = scratch[worker]
      let c = model.configuration.inputChannels
      let l0 = model.configuration.inputLength
      var current = s.bufferA.pointer
      var next = s.bufferB.pointer
      let firstOp = model.operations[operationRange.lowerBound]
      if inputIsWaveform {
        BatchLayout.toChannelMajor(
          pointers.value.0 + start * c * l0, batch: b, channels: c, sourceLength: l0,
          blockLength: model.paddedLength, into: current)
      } else {
        current.update(
          from: pointers.value.0 + start * firstOp.inputSize, count: b * firstOp.inputSize)
      }
      for i in operationRange {
        model.operations[i].forward(
          input: current, output: next, argmax: s.argmax.pointer, batch: b,
          parameters: model.parameterBuffer.pointer, columns: s.columns.pointer)
        swap(&current, &next)
      }
      let lastOp = model.operations[operationRange.upperBound - 1]
      if outputIsWaveform {
        BatchLayout.toSampleMajor(
          current, batch: b, channels: c, blockLength: model.paddedLength, destinationLength: l0,
          into: pointers.value.1 + start * c * l0)
      } else {
        (pointers.value.1 + start * lastOp.outputSize).update(
          from: current, count: b * lastOp.outputSize)
      }
    }
  }
}
