import Foundation
import Numerics

/// A network of layers applied one after another, with one flat parameter buffer, one flat
/// gradient buffer of the same layout and one Adam state over both.
///
/// Inputs and outputs are **batch x channels x length**, sample-major; inside, every layer works
/// on channel-major blocks (see `NeuralNetwork`). An input may be shorter than the network's
/// input length (it is zero-padded at the end) and an output longer than the caller wants (it is
/// cropped): the autoencoder pads windows to a multiple of `2^depth`.
///
/// Work is split over the batch into micro-batches whose cut depends only on the batch size;
/// per-slot parameter gradients are reduced in a fixed order, so results are bit-identical for
/// any `threadCount`. OpenBLAS is set to one thread.
///
/// Not thread-safe: use one network from one thread at a time.
public final class Sequential {
  /// The per-sample input shape.
  public let inputShape: LayerShape
  /// The per-sample output shape of the last layer.
  public let outputShape: LayerShape
  /// Number of parameters.
  public let parameterCount: Int
  /// Worker threads for the batch loop (results do not depend on it).
  public var threadCount: Int
  /// The optimizer state.
  public private(set) var optimizer: Adam
  /// Weight penalties added to the gradient of every penalised parameter (weights, not biases;
  /// see `Layer.markPenalizedParameters`) in the update: `l1 * sum|w| + l2 * sum w^2`.
  public var weightPenalty = WeightPenalty()
  /// Whether training passes draw dropout masks (`AutoencoderModel.dropoutActive`). The backward
  /// pass reads it too (`LayerBackward.isTraining`): change it between steps, never between a
  /// forward pass and its backward.
  public var dropoutActive = true
  /// The smallest micro-batch the network is cut into (a property of the network, so results
  /// stay the same for any thread count).
  public let minimumMicroBatch: Int

  let operations: [Operation]
  let parameterBuffer: FloatBuffer
  let gradientBuffer: FloatBuffer
  /// 1 for the parameters the weight penalties apply to, 0 for the others.
  let penaltyMask: FloatBuffer
  private var workspace: TrainingWorkspace?
  private var inferenceScratch: (plan: BatchPlan, workers: Int, scratch: [WorkerScratch])?
  private var forwardBatchSize: Int?

  /// A network of `layers` on samples of `input`, each layer listed with the activation that
  /// follows it (for its initialisation). Parameters start at zero: call
  /// `initializeParameters(seed:)`, or pass stored `parameters` (and optionally the `optimizer`
  /// state to resume training).
  public init(
    input: LayerShape, layers: [(layer: any Layer, initialization: Activation)],
    parameters: [Float]? = nil, optimizer: Adam? = nil, minimumMicroBatch: Int = 1
  ) throws {
    let operations = try Self.place(layers, input: input)
    let offset = operations.last.map { $0.parameterOffset + $0.parameterCount } ?? 0
    // Before anything is allocated (the memory estimate, which places the layers too, still
    // gives its own figure for a network this large).
    guard offset <= Self.maximumParameters else {
      throw NeuralNetworkError.invalidConfiguration(
        "network too large: \(offset) parameters, more than \(Self.maximumParameters)")
    }
    if let parameters, parameters.count != offset {
      throw NeuralNetworkError.parameterCountMismatch(expected: offset, actual: parameters.count)
    }
    if let optimizer, optimizer.parameterCount != offset {
      throw NeuralNetworkError.parameterCountMismatch(
        expected: offset, actual: optimizer.parameterCount)
    }
    self.operations = operations
    inputShape = input
    outputShape = operations[operations.count - 1].output
    parameterCount = offset
    parameterBuffer = parameters.map(FloatBuffer.init) ?? FloatBuffer(count: offset)
    gradientBuffer = FloatBuffer(count: offset)
    self.optimizer = optimizer ?? Adam(parameterCount: offset)
    self.minimumMicroBatch = max(1, minimumMicroBatch)
    penaltyMask = FloatBuffer(count: offset)
    for op in operations {
      op.layer.markPenalizedParameters(penaltyMask.pointer + op.parameterOffset)
    }
    threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    BLAS.setThreadCount(1)
  }

  /// The layers with their shapes and parameter offsets, or an error naming the first layer
  /// that cannot take its input.
  static func place(
    _ layers: [(layer: any Layer, initialization: Activation)], input: LayerShape
  ) throws -> [Operation] {
    guard !layers.isEmpty else {
      throw NeuralNetworkError.invalidConfiguration("a network needs at least one layer")
    }
    var operations: [Operation] = []
    var shape = input
    var offset = 0
    for (layer, initialization) in layers {
      guard let output = layer.outputShape(for: shape) else {
        throw NeuralNetworkError.invalidConfiguration("\(layer) cannot take an input of \(shape)")
      }
      operations.append(
        Operation(
          layer: layer, input: shape, output: output, parameterOffset: offset,
          initialization: initialization))
      let (next, overflow) = offset.addingReportingOverflow(layer.parameterCount)
      guard !overflow else { throw NeuralNetworkError.invalidConfiguration("network too large") }
      offset = next
      shape = output
    }
    return operations
  }

  /// Parameters a network may have: 2^26 (256 MB of weights, and as much again for each of
  /// the gradients and Adam's two moments). The tool's default nets have about 10^5; a
  /// `--latent` or `--filters` in the millions would otherwise allocate until the machine runs
  /// out of memory.
  static let maximumParameters = 1 << 26

  /// The bytes training such a network takes with batches of `batch` on `workers` threads:
  /// parameters, their gradient and Adam's two moments, the per-slot gradients, every layer's
  /// output and cache for the whole batch, per-worker scratch, and the inference scratch.
  /// Computed without allocating, so that a request too large for the machine can be refused.
  public static func trainingBytes(
    input: LayerShape, layers: [(layer: any Layer, initialization: Activation)], batch: Int,
    workers: Int, minimumMicroBatch: Int = 1
  ) throws -> ByteCount {
    let operations = try place(layers, input: input)
    let parameters = operations.reduce(ByteCount(0)) { $0 + ByteCount($1.parameterCount) }
    let plan = BatchPlan(batch: batch, length: input.length, minimumSize: minimumMicroBatch)
    let float = MemoryLayout<Float>.stride
    var bytes = parameters * (5 + max(0, plan.slotCount - 1)) * float
    bytes += ByteCount(input.size) * batch * float
    var largest = ByteCount(0)
    var scratch = ByteCount(0)
    for op in operations {
      bytes += ByteCount(op.output.size) * batch * float
      bytes += ByteCount(op.cacheBytesPerSample) * batch
      largest = max(largest, ByteCount(max(op.input.size, op.output.size)))
      scratch = max(
        scratch, ByteCount(op.layer.scratchCount(input: op.input, batch: plan.microBatchSize)))
    }
    // Training and inference workers: scratch (twice in training) and two ping-pong buffers.
    let perWorker = (scratch * 3 + largest * plan.microBatchSize * 4) * float
    return bytes + perWorker * (2 * max(1, workers))
  }

  /// Glorot-uniform weights before `tanh` and linear layers, He-uniform before `relu`, zero
  /// biases, drawn from `SeededGenerator(seed:)` in layer order.
  public func initializeParameters(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    for op in operations {
      op.layer.initialize(
        parameterBuffer.pointer + op.parameterOffset, activation: op.initialization,
        generator: &generator)
    }
  }

  /// The layers in order.
  public var layers: [any Layer] { operations.map(\.layer) }

  /// One line per layer with its per-sample shapes.
  public var layerDescriptions: [String] { operations.map(\.description) }

  /// Where layer `index`'s parameters start in the flat layout.
  public func parameterOffset(ofLayer index: Int) -> Int { operations[index].parameterOffset }

  /// The per-sample output shape of layer `index`.
  public func outputShape(ofLayer index: Int) -> LayerShape { operations[index].output }

  /// The parameters (a copy), in the flat layout.
  public var parameters: [Float] {
    get { parameterBuffer.array }
    set { parameterBuffer.copy(from: newValue) }
  }

  /// The gradients of the last `backward` (a copy), laid out like `parameters`.
  public var gradients: [Float] { gradientBuffer.array }

  /// Replaces the optimizer state (its parameter count must match).
  public func setOptimizer(_ state: Adam) throws {
    guard state.parameterCount == parameterCount else {
      throw NeuralNetworkError.parameterCountMismatch(
        expected: parameterCount, actual: state.parameterCount)
    }
    optimizer = state
  }

  /// One Adam update of the parameters from the current gradients.
  public func updateParameters(learningRate: Float) {
    optimizer.update(
      parameters: parameterBuffer.pointer, gradients: gradientBuffer.pointer,
      learningRate: learningRate, penalty: weightPenalty,
      penalized: UnsafePointer(penaltyMask.pointer))
  }

  // MARK: Training

  /// The training forward pass on `[n, channels, length]` samples of the input shape, keeping
  /// what `backward(outputGradient:)` needs; returns the output `[n, channels, length]`.
  public func forward(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 3 && x.shape[1] == inputShape.channels && x.shape[2] == inputShape.length,
      "expected [n, \(inputShape.channels), \(inputShape.length)], got \(x.shape)")
    x.values.withUnsafeBufferPointer {
      trainingForward($0.baseAddress!, batch: x.shape[0], sourceLength: inputShape.length)
    }
    return Tensor(
      shape: [x.shape[0], outputShape.channels, outputShape.length],
      values: trainingOutput(length: outputShape.length))
  }

  /// Back-propagates `outputGradient` (`[n, channels, length]` of the output shape) from the
  /// last `forward`. Overwrites `gradients`.
  public func backward(outputGradient g: Tensor) {
    precondition(
      g.shape == [forwardBatchSize ?? -1, outputShape.channels, outputShape.length],
      "output gradient shape \(g.shape)")
    _ = g.values.withUnsafeBufferPointer {
      trainingBackward(.given($0.baseAddress!, sourceLength: outputShape.length))
    }
  }

  /// Runs every layer on a batch of `batch` samples of `channels x sourceLength` (sample-major,
  /// zero-padded or cropped to the input length), keeping what `backward` needs.
  func trainingForward(_ input: UnsafePointer<Float>, batch n: Int, sourceLength: Int) {
    let ws = trainingWorkspace(batch: n)
    forwardBatchSize = n
    let me = UncheckedSendable(self)
    let source = UncheckedSendable(input)
    let step = optimizer.step
    DeterministicParallel.run(taskCount: ws.plan.microBatchCount, workerCount: ws.workerCount) {
      m, worker in
      me.value.forwardMicroBatch(
        m, input: source.value, sourceLength: sourceLength, workspace: ws, worker: worker,
        step: step)
    }
  }

  /// The output of layer `index` after the last `trainingForward`, as `[batch, size]`
  /// sample-major values (layer outputs of one channel only: flat features).
  func trainingOutput(ofLayer index: Int) -> [Float] {
    guard let n = forwardBatchSize, let ws = workspace else {
      preconditionFailure("no forward pass to read")
    }
    precondition(operations[index].output.channels == 1, "only flat layer outputs read directly")
    return Array(
      UnsafeBufferPointer(
        start: ws.activations[index + 1].pointer, count: n * operations[index].output.size))
  }

  /// The last layer's output after `trainingForward`, as `[batch, channels, length]` with the
  /// length cropped (or zero-padded) to `length`.
  func trainingOutput(length: Int) -> [Float] {
    guard let n = forwardBatchSize, let ws = workspace else {
      preconditionFailure("no forward pass to read")
    }
    let c = outputShape.channels
    let blockLength = outputShape.length
    var values = [Float](repeating: 0, count: n * c * length)
    let output = ws.activations[operations.count]
    values.withUnsafeMutableBufferPointer { destination in
      let d = UncheckedSendable(destination.baseAddress!)
      DeterministicParallel.run(taskCount: ws.plan.microBatchCount, workerCount: threadCount) {
        m, _ in
        let range = ws.plan.samples(m)
        BatchLayout.toSampleMajor(
          output.pointer + range.lowerBound * c * blockLength, batch: range.count, channels: c,
          blockLength: blockLength, destinationLength: length,
          into: d.value + range.lowerBound * c * length)
      }
    }
    return values
  }

  /// Where the gradient of the loss with respect to the last layer's output comes from.
  enum OutputGradient {
    /// No gradient reaches the output (only injected ones count).
    case none
    /// Given, `[batch, channels, sourceLength]` sample-major (zero beyond `sourceLength`).
    case given(UnsafePointer<Float>, sourceLength: Int)
    /// `weight * loss(output, input)` over the first `validLength` steps of every row, the
    /// input being the target (an autoencoder's reconstruction), with the loss a mean over
    /// `batch * channels * validLength` values.
    case reconstruction(any ReconstructionLoss, weight: Float, validLength: Int)
  }

  /// Back-propagates from the last `trainingForward`: the output gradient, plus `injected`
  /// added to the output gradient of layer `injectedAt` (a flat layer; `[batch, size]`).
  /// Overwrites the gradients; returns the summed loss of a `.reconstruction` gradient (else 0).
  @discardableResult
  func trainingBackward(
    _ output: OutputGradient, injected: UnsafePointer<Float>? = nil, injectedAt: Int = 0
  ) -> Double {
    guard let n = forwardBatchSize, let ws = workspace, ws.plan.batch == n else {
      preconditionFailure("backward needs a forward pass first")
    }
    if case .reconstruction = output {
      precondition(outputShape == inputShape, "a reconstruction loss needs output shape = input")
    }
    if injected != nil {
      precondition(operations[injectedAt].output.channels == 1, "gradients inject at flat layers")
    }
    let me = UncheckedSendable(self)
    let args = UncheckedSendable((output, injected))
    let plan = ws.plan
    DeterministicParallel.run(taskCount: plan.slotCount, workerCount: ws.workerCount) {
      slot, worker in
      let gradient = slot == 0 ? me.value.gradientBuffer : ws.slotGradients[slot - 1]
      gradient.zero()
      var m = slot
      while m < plan.microBatchCount {
        me.value.backwardMicroBatch(
          m, output: args.value.0, injected: args.value.1, injectedAt: injectedAt,
          workspace: ws, worker: worker, parameterGradient: gradient.pointer)
        m += plan.slotCount
      }
    }
    // Fixed-order reduction: slot 0 (the network's buffer) += slot 1, += slot 2, ...
    let total = gradientBuffer.pointer
    for buffer in ws.slotGradients.prefix(plan.slotCount - 1) {
      let p = buffer.pointer
      for i in 0..<parameterCount { total[i] += p[i] }
    }
    guard case .reconstruction = output else { return 0 }
    var sum = 0.0
    for m in 0..<plan.microBatchCount { sum += ws.lossPerMicroBatch[m] }
    return sum
  }

  private func trainingWorkspace(batch n: Int) -> TrainingWorkspace {
    precondition(n > 0, "a training batch needs at least one sample")
    let workers = max(1, threadCount)
    if let ws = workspace, ws.plan.batch == n, ws.workerCount == workers { return ws }
    workspace = nil  // release the old one before allocating
    let ws = TrainingWorkspace(
      operations: operations,
      plan: BatchPlan(batch: n, length: inputShape.length, minimumSize: minimumMicroBatch),
      workerCount: workers, parameterCount: parameterCount)
    workspace = ws
    return ws
  }

  private func forwardMicroBatch(
    _ m: Int, input: UnsafePointer<Float>, sourceLength: Int, workspace ws: TrainingWorkspace,
    worker: Int, step: Int
  ) {
    let range = ws.plan.samples(m)
    let (start, b) = (range.lowerBound, range.count)
    let c = inputShape.channels
    BatchLayout.toChannelMajor(
      input + start * c * sourceLength, batch: b, channels: c, sourceLength: sourceLength,
      blockLength: inputShape.length, into: ws.activations[0].pointer + start * inputShape.size)
    let scratch = ws.scratch[worker].scratch.pointer
    for (i, op) in operations.enumerated() {
      op.forward(
        input: ws.activations[i].pointer + start * op.input.size,
        output: ws.activations[i + 1].pointer + start * op.output.size, batch: b,
        parameters: parameterBuffer.pointer, scratch: scratch,
        cache: ws.caches[i].pointer + start * op.cacheBytesPerSample, isTraining: dropoutActive,
        step: step, firstSample: start)
    }
  }

  private func backwardMicroBatch(
    _ m: Int, output: OutputGradient, injected: UnsafePointer<Float>?, injectedAt: Int,
    workspace ws: TrainingWorkspace, worker: Int, parameterGradient: UnsafeMutablePointer<Float>
  ) {
    let range = ws.plan.samples(m)
    let (start, b) = (range.lowerBound, range.count)
    let scratch = ws.scratch[worker]
    var gradient = scratch.bufferA.pointer
    var spare = scratch.bufferB.pointer
    let c = outputShape.channels
    let blockLength = outputShape.length
    let first: Int
    switch output {
    case .none:
      guard injected != nil else { return }
      first = injectedAt
      gradient.update(repeating: 0, count: b * operations[injectedAt].output.size)
    case .given(let g, let sourceLength):
      first = operations.count - 1
      BatchLayout.toChannelMajor(
        g + start * c * sourceLength, batch: b, channels: c, sourceLength: sourceLength,
        blockLength: blockLength, into: gradient)
    case .reconstruction(let loss, let weight, let validLength):
      first = operations.count - 1
      let prediction = ws.activations[operations.count].pointer + start * outputShape.size
      let target = ws.activations[0].pointer + start * outputShape.size
      let perValue = weight / Float(ws.plan.batch * c * validLength)
      var sum = 0.0
      for row in 0..<(c * b) {
        let base = row * blockLength
        loss.forward(
          prediction: prediction + base, target: target + base, count: validLength, total: &sum)
        loss.backward(
          prediction: prediction + base, target: target + base, count: validLength,
          weight: perValue, gradient: gradient + base)
        (gradient + base + validLength).update(repeating: 0, count: blockLength - validLength)
      }
      ws.lossPerMicroBatch[m] = sum
    }
    for i in stride(from: first, through: 0, by: -1) {
      let op = operations[i]
      if i == injectedAt, let z = injected {
        let source = z + start * op.output.size
        for j in 0..<(b * op.output.size) { gradient[j] += source[j] }
      }
      op.layer.backward(
        LayerBackward(
          input: ws.activations[i].pointer + start * op.input.size,
          output: ws.activations[i + 1].pointer + start * op.output.size,
          outputGradient: gradient, inputGradient: i > 0 ? spare : nil, batch: b,
          inputShape: op.input, parameters: parameterBuffer.pointer + op.parameterOffset,
          parameterGradient: parameterGradient + op.parameterOffset,
          scratch: scratch.scratch.pointer, scratchGradient: scratch.scratchGradient.pointer,
          cache: ws.caches[i].pointer + start * op.cacheBytesPerSample,
          isTraining: dropoutActive))
      swap(&gradient, &spare)
    }
  }

  // MARK: Inference

  /// Runs layers `layerRange` on `batch` samples, in micro-batches across `threadCount`
  /// workers, keeping no training state. When `sourceLength` is given the input is a
  /// sample-major `[batch, channels, sourceLength]` tensor (padded or cropped to the first
  /// layer's input length), else it is already in the first layer's flat layout; likewise
  /// `destinationLength` for the output.
  func infer(
    batch n: Int, layers layerRange: Range<Int>, input: UnsafePointer<Float>,
    sourceLength: Int?, output: UnsafeMutablePointer<Float>, destinationLength: Int?
  ) {
    guard n > 0 else { return }
    let plan = BatchPlan(batch: n, length: inputShape.length, minimumSize: minimumMicroBatch)
    let workers = max(1, threadCount)
    if inferenceScratch?.plan.microBatchSize != plan.microBatchSize
      || inferenceScratch?.workers != workers
    {
      inferenceScratch = nil
      inferenceScratch = (
        plan, workers,
        (0..<workers).map { _ in
          WorkerScratch(
            operations: operations, microBatchSize: plan.microBatchSize, training: false)
        }
      )
    }
    let scratch = inferenceScratch!.scratch
    let me = UncheckedSendable(self)
    let pointers = UncheckedSendable((input, output))
    DeterministicParallel.run(taskCount: plan.microBatchCount, workerCount: workers) {
      m, worker in
      let network = me.value
      let range = plan.samples(m)
      let (start, b) = (range.lowerBound, range.count)
      let s = scratch[worker]
      var current = s.bufferA.pointer
      var next = s.bufferB.pointer
      let firstOp = network.operations[layerRange.lowerBound]
      if let sourceLength {
        let c = firstOp.input.channels
        BatchLayout.toChannelMajor(
          pointers.value.0 + start * c * sourceLength, batch: b, channels: c,
          sourceLength: sourceLength, blockLength: firstOp.input.length, into: current)
      } else {
        current.update(
          from: pointers.value.0 + start * firstOp.input.size, count: b * firstOp.input.size)
      }
      for i in layerRange {
        network.operations[i].forward(
          input: current, output: next, batch: b, parameters: network.parameterBuffer.pointer,
          scratch: s.scratch.pointer, cache: s.cache.pointer)
        swap(&current, &next)
      }
      let lastOp = network.operations[layerRange.upperBound - 1]
      if let destinationLength {
        let c = lastOp.output.channels
        BatchLayout.toSampleMajor(
          current, batch: b, channels: c, blockLength: lastOp.output.length,
          destinationLength: destinationLength,
          into: pointers.value.1 + start * c * destinationLength)
      } else {
        (pointers.value.1 + start * lastOp.output.size).update(
          from: current, count: b * lastOp.output.size)
      }
    }
  }
}
