import Numerics

/// Per-worker scratch: im2col columns and their gradient, two ping-pong buffers (activations in
/// inference, gradients in training) and argmax indices for inference pooling.
final class WorkerScratch: @unchecked Sendable {
  let columns: FloatBuffer
  let columnGradient: FloatBuffer
  let bufferA: FloatBuffer
  let bufferB: FloatBuffer
  let argmax: IndexBuffer

  init(operations: [Operation], microBatchSize mb: Int, needsColumnGradient: Bool) {
    let columnCount = operations.map { $0.columnCount(batch: mb) }.max() ?? 0
    let largest = operations.map { max($0.inputSize, $0.outputSize) }.max() ?? 0
    columns = FloatBuffer(count: columnCount)
    columnGradient = FloatBuffer(count: needsColumnGradient ? columnCount : 0)
    bufferA = FloatBuffer(count: largest * mb)
    bufferB = FloatBuffer(count: largest * mb)
    argmax = IndexBuffer(count: needsColumnGradient ? 0 : largest * mb)
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

  init(batch: Int, length: Int) {
    self.batch = batch
    let perSlot = (batch + Self.maximumSlots - 1) / Self.maximumSlots
    microBatchSize = max(1, min(perSlot, Self.targetColumns / max(1, length)))
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
/// batch (forward keeps what backward needs), pooling indices, per-slot gradient buffers and
/// per-worker scratch. Allocated once per batch size and thread count, then reused.
final class TrainingWorkspace: @unchecked Sendable {
  let plan: BatchPlan
  let workerCount: Int
  /// `activations[0]` is the padded input; `activations[i + 1]` is operation `i`'s output.
  let activations: [FloatBuffer]
  let argmax: [IndexBuffer?]
  /// Gradient buffers of slots 1...; slot 0 writes the model's own gradient buffer.
  let slotGradients: [FloatBuffer]
  let scratch: [WorkerScratch]
  /// Reconstruction loss of each micro-batch (summed squared error), reduced in order.
  let lossPerMicroBatch: UnsafeMutablePointer<Double>

  init(operations: [Operation], plan: BatchPlan, workerCount: Int, parameterCount: Int) {
    self.plan = plan
    self.workerCount = workerCount
    var activations = [FloatBuffer(count: plan.batch * operations[0].inputSize)]
    for op in operations { activations.append(FloatBuffer(count: plan.batch * op.outputSize)) }
    self.activations = activations
    argmax = operations.map { $0.isPool ? IndexBuffer(count: plan.batch * $0.outputSize) : nil }
    slotGradients = (1..<max(1, plan.slotCount)).map { _ in FloatBuffer(count: parameterCount) }
    scratch = (0..<workerCount).map { _ in
      WorkerScratch(
        operations: operations, microBatchSize: plan.microBatchSize, needsColumnGradient: true)
    }
    lossPerMicroBatch = .allocate(capacity: plan.microBatchCount)
    lossPerMicroBatch.initialize(repeating: 0, count: plan.microBatchCount)
  }

  deinit { lossPerMicroBatch.deallocate() }
}
