import Numerics

/// One layer placed in a network: its per-sample input and output shapes and where its
/// parameters start in the flat parameter buffer.
struct Operation: Sendable {
  let layer: any Layer
  let input: LayerShape
  let output: LayerShape
  let parameterOffset: Int
  /// The activation that follows (chooses Glorot or He initialisation).
  let initialization: Activation

  var parameterCount: Int { layer.parameterCount }
  var cacheBytesPerSample: Int { layer.cacheBytesPerSample(input: input) }
  var description: String { "\(layer) \(input) -> \(output)" }

  func forward(
    input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, batch: Int,
    parameters: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    cache: UnsafeMutableRawPointer, isTraining: Bool = false, step: Int = 0, firstSample: Int = 0
  ) {
    layer.forward(
      LayerForward(
        input: x, output: y, batch: batch, inputShape: input,
        parameters: parameters + parameterOffset, scratch: scratch, cache: cache,
        isTraining: isTraining, step: step, firstSample: firstSample))
  }
}

/// Per-worker scratch: the layers' scratch (im2col columns) and, in training, its gradient; two
/// ping-pong buffers (activations in inference, gradients in training); and in inference the
/// layers' cache, which each layer overwrites in turn.
final class WorkerScratch: @unchecked Sendable {
  let scratch: FloatBuffer
  let scratchGradient: FloatBuffer
  let bufferA: FloatBuffer
  let bufferB: FloatBuffer
  let cache: ByteBuffer

  init(operations: [Operation], microBatchSize mb: Int, training: Bool) {
    let scratchCount = operations.map { $0.layer.scratchCount(input: $0.input, batch: mb) }.max()
    let largest = operations.map { max($0.input.size, $0.output.size) }.max() ?? 0
    scratch = FloatBuffer(count: scratchCount ?? 0)
    scratchGradient = FloatBuffer(count: training ? scratchCount ?? 0 : 0)
    bufferA = FloatBuffer(count: largest * mb)
    bufferB = FloatBuffer(count: largest * mb)
    let cacheBytes = operations.map(\.cacheBytesPerSample).max() ?? 0
    cache = ByteBuffer(count: training ? 0 : cacheBytes * mb)
  }
}

/// How a batch of `batch` samples is cut into micro-batches, and which slot (gradient buffer)
/// each belongs to. Depends only on the batch size and the network, never on the thread count.
struct BatchPlan: Sendable, Equatable {
  /// More slots than cores keeps all cores busy; each slot costs one gradient buffer.
  static let maximumSlots = 8
  /// Columns (samples x steps) of one micro-batch block, to keep im2col in cache.
  static let targetColumns = 2048

  let batch: Int
  let microBatchSize: Int
  let microBatchCount: Int
  let slotCount: Int

  /// `minimumSize` is the network's own floor on the micro-batch (recurrent and fully connected
  /// nets run faster on wider GEMMs); it is part of the network, never of the machine.
  init(batch: Int, length: Int, minimumSize: Int = 1) {
    self.batch = batch
    let perSlot = (batch + Self.maximumSlots - 1) / Self.maximumSlots
    microBatchSize = max(
      1, min(batch, max(minimumSize, min(perSlot, Self.targetColumns / max(1, length)))))
    microBatchCount = (batch + microBatchSize - 1) / microBatchSize
    slotCount = min(microBatchCount, Self.maximumSlots)
  }

  /// The samples of micro-batch `index`.
  func samples(_ index: Int) -> Range<Int> {
    let start = index * microBatchSize
    return start..<min(batch, start + microBatchSize)
  }
}

/// Everything a training step keeps for one batch size: every operation's output for the whole
/// batch (forward keeps what backward needs), the layers' caches, per-slot gradient buffers and
/// per-worker scratch. Allocated once per batch size and thread count, then reused.
final class TrainingWorkspace: @unchecked Sendable {
  let plan: BatchPlan
  let workerCount: Int
  /// `activations[0]` is the input block; `activations[i + 1]` is operation `i`'s output.
  let activations: [FloatBuffer]
  /// What operation `i` keeps for its backward pass (`batch * cacheBytesPerSample` bytes).
  let caches: [ByteBuffer]
  /// Gradient buffers of slots 1...; slot 0 writes the network's own gradient buffer.
  let slotGradients: [FloatBuffer]
  let scratch: [WorkerScratch]
  /// Loss of each micro-batch (summed over its values), reduced in order.
  let lossPerMicroBatch: UnsafeMutablePointer<Double>

  init(operations: [Operation], plan: BatchPlan, workerCount: Int, parameterCount: Int) {
    self.plan = plan
    self.workerCount = workerCount
    var activations = [FloatBuffer(count: plan.batch * operations[0].input.size)]
    for op in operations { activations.append(FloatBuffer(count: plan.batch * op.output.size)) }
    self.activations = activations
    caches = operations.map { ByteBuffer(count: plan.batch * $0.cacheBytesPerSample) }
    slotGradients = (1..<max(1, plan.slotCount)).map { _ in FloatBuffer(count: parameterCount) }
    scratch = (0..<workerCount).map { _ in
      WorkerScratch(operations: operations, microBatchSize: plan.microBatchSize, training: true)
    }
    lossPerMicroBatch = .allocate(capacity: plan.microBatchCount)
    lossPerMicroBatch.initialize(repeating: 0, count: plan.microBatchCount)
  }

  deinit { lossPerMicroBatch.deallocate() }
}
