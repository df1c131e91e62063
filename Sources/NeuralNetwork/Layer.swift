import Numerics

/// The per-sample shape of a layer's input or output: `channels x length`. Flat feature vectors
/// (dense layers, the latent code) have one channel.
public struct LayerShape: Hashable, Sendable, CustomStringConvertible {
  public var channels: Int
  public var length: Int

  public init(channels: Int, length: Int) {
    self.channels = channels
    self.length = length
  }

  /// A flat vector of `features` values.
  public static func features(_ count: Int) -> LayerShape { LayerShape(channels: 1, length: count) }

  /// Values per sample.
  public var size: Int { channels * length }

  public var description: String { "\(channels)x\(length)" }
}

/// One layer of a `Sequential` network: a forward and a backward pass side by side (llm.c), its
/// parameters a slice of the network's flat parameter buffer, and its gradients the same slice
/// of the flat gradient buffer, so Adam is one loop over everything.
///
/// Layers work on **blocks**: `batch` samples stored channel-major, a `channels x (batch *
/// length)` row-major matrix (see `NeuralNetwork`). A layer is a small value that knows its
/// settings; the network tells it the input shape, hands it buffers and keeps what `backward`
/// needs: the layer's input and output for the whole batch, plus `cacheBytesPerSample` bytes per
/// sample of its own (max-pool's winning indices).
///
/// A new layer type is one file with a type conforming to `Layer`; a network uses it by listing
/// it (see `Autoencoder.Configuration.layers()` for the convolutional autoencoder's list).
public protocol Layer: Sendable, CustomStringConvertible {
  /// The per-sample output shape for an input of `input`; nil when this layer cannot take it.
  func outputShape(for input: LayerShape) -> LayerShape?

  /// Trainable parameters (floats).
  var parameterCount: Int { get }

  /// Writes initial parameters (`parameterCount` floats). `activation` is the nonlinearity that
  /// follows the layer: it chooses Glorot (`tanh`, `identity`) or He (`relu`) limits.
  func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator)

  /// Scratch floats a block of `batch` samples needs (im2col columns). Training provides as many
  /// again for their gradient (`LayerBackward.scratchGradient`).
  func scratchCount(input: LayerShape, batch: Int) -> Int

  /// Bytes per sample that the forward pass keeps for the backward pass, beyond the layer's
  /// input and output.
  func cacheBytesPerSample(input: LayerShape) -> Int

  /// Sets `mask[i] = 1` for every parameter `i` (of `parameterCount`, zero on entry) that the
  /// weight penalties (L1, L2) apply to: weights, not biases.
  func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>)

  /// Computes `output` from `input` for a block.
  func forward(_ pass: LayerForward)

  /// Adds the parameter gradients into `pass.parameterGradient` and, when
  /// `pass.inputGradient` is not nil, writes (overwrites) the input gradient.
  func backward(_ pass: LayerBackward)
}

extension Layer {
  public var parameterCount: Int { 0 }
  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {}
  public func scratchCount(input: LayerShape, batch: Int) -> Int { 0 }
  public func cacheBytesPerSample(input: LayerShape) -> Int { 0 }
  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {}
}

/// What a layer's forward pass gets: a block of `batch` samples of shape `inputShape`.
public struct LayerForward {
  public var input: UnsafePointer<Float>
  public var output: UnsafeMutablePointer<Float>
  public var batch: Int
  public var inputShape: LayerShape
  /// The layer's own parameters (its slice of the flat buffer).
  public var parameters: UnsafePointer<Float>
  /// `scratchCount(input:batch:)` floats.
  public var scratch: UnsafeMutablePointer<Float>
  /// `batch * cacheBytesPerSample(input:)` bytes, kept for the backward pass.
  public var cache: UnsafeMutableRawPointer
  /// A training pass (dropout draws a mask) rather than inference (dropout passes through).
  public var isTraining: Bool
  /// The training step (updates made so far): with `firstSample`, what a random mask is drawn
  /// from, so that it depends on neither the worker nor the thread count.
  public var step: Int
  /// The index, within the whole batch, of the block's first sample.
  public var firstSample: Int

  public init(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
    inputShape: LayerShape, parameters: UnsafePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, cache: UnsafeMutableRawPointer,
    isTraining: Bool = false, step: Int = 0, firstSample: Int = 0
  ) {
    self.input = input
    self.output = output
    self.batch = batch
    self.inputShape = inputShape
    self.parameters = parameters
    self.scratch = scratch
    self.cache = cache
    self.isTraining = isTraining
    self.step = step
    self.firstSample = firstSample
  }
}

/// What a layer's backward pass gets: the forward pass's input, output and cache, the gradient
/// of the loss with respect to the output, and where to put the others.
public struct LayerBackward {
  public var input: UnsafePointer<Float>
  public var output: UnsafePointer<Float>
  public var outputGradient: UnsafePointer<Float>
  /// Nil for the first layer of a network, whose input gradient nobody needs.
  public var inputGradient: UnsafeMutablePointer<Float>?
  public var batch: Int
  public var inputShape: LayerShape
  public var parameters: UnsafePointer<Float>
  /// The layer's slice of the gradient buffer: gradients are *added* to it.
  public var parameterGradient: UnsafeMutablePointer<Float>
  public var scratch: UnsafeMutablePointer<Float>
  public var scratchGradient: UnsafeMutablePointer<Float>
  public var cache: UnsafeRawPointer
  /// Whether the forward pass being differentiated was a training pass (`LayerForward`'s
  /// `isTraining`): a dropout that passed its input through must pass the gradient through
  /// too, not apply the mask an earlier training pass left in the cache.
  public var isTraining: Bool

  public init(
    input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
    batch: Int, inputShape: LayerShape, parameters: UnsafePointer<Float>,
    parameterGradient: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
    scratchGradient: UnsafeMutablePointer<Float>, cache: UnsafeRawPointer, isTraining: Bool
  ) {
    self.isTraining = isTraining
    self.input = input
    self.output = output
    self.outputGradient = outputGradient
    self.inputGradient = inputGradient
    self.batch = batch
    self.inputShape = inputShape
    self.parameters = parameters
    self.parameterGradient = parameterGradient
    self.scratch = scratch
    self.scratchGradient = scratchGradient
    self.cache = cache
  }
}
