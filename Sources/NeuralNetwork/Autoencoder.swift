import Foundation
import Numerics

/// An autoencoder of one of the architectures in `Configuration.Architecture`: by default the
/// 1-D convolutional net of Mousavi et al. 2019 (conv + max-pool stages, an optional dense
/// bottleneck, then the mirror image: upsample + conv stages, the last conv linear); also a
/// temporal convolutional net, a sequence-to-sequence LSTM and a fully connected net. Each is a
/// layer list built by `Configuration.layers()`, run by one `Sequential`.
///
/// Tensors in and out are **batch x channels x length** (`[n, inputChannels, inputLength]`);
/// latent codes are **batch x latentDimension**. Windows of any length are **zero-padded at the
/// end** to `paddedLength`, the next multiple of `2^depth`; reconstructions are cropped back to
/// `inputLength` and the reconstruction loss covers only the original steps.
///
/// The layers run in a `Sequential` network: parameters and their gradients live in one flat
/// buffer each with the same layout (layers in order; each conv `weight[out][in][k]` then
/// `bias[out]`, each dense `weight[out][in]` then `bias[out]`), so Adam is one flat loop.
///
/// Training step, composable for DEC (see `AutoencoderModel`):
/// ```
/// let latent = model.trainingForward(batch)
/// // the caller builds dL/dlatent, weighted as it likes
/// model.backward(reconstructionLoss: MeanSquaredError(), weight: 1 - lambda, latentGradient: gz)
/// model.updateParameters(learningRate: 1e-3)
/// ```
/// Results are bit-identical for any `threadCount` (see `Sequential`).
///
/// Not thread-safe: use one model from one thread at a time.
public final class Autoencoder: AutoencoderModel {
  /// The architecture.
  public let configuration: Configuration
  /// The network's working length (a multiple of `2^depth`, at least `inputLength`).
  public let paddedLength: Int
  /// Features of the latent code.
  public let latentDimension: Int
  /// The layers, encoder then decoder.
  public let network: Sequential
  /// The index of the layer whose output is the latent code.
  let latentIndex: Int
  /// The index, in `network.layers`, of the layer whose output is the latent code.
  public var latentLayerIndex: Int { latentIndex }

  // MARK: Creating

  /// A freshly initialised model: Glorot-uniform weights before `tanh` and linear layers,
  /// He-uniform before `relu`, zero biases, drawn from `SeededGenerator(seed:)` in layer order.
  public convenience init(configuration: Configuration, seed: UInt64) throws {
    try self.init(configuration: configuration, parameters: nil, optimizer: nil)
    network.initializeParameters(seed: seed)
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
    let values = try Self.floats(from: parameterData)
    let optimizer = try optimizerData.map { try Adam(serialized: $0) }
    try self.init(configuration: configuration, parameters: values, optimizer: optimizer)
  }

  private init(configuration: Configuration, parameters: [Float]?, optimizer: Adam?) throws {
    try configuration.validate()
    self.configuration = configuration
    paddedLength = configuration.paddedLength
    let (layers, latentIndex) = configuration.layers()
    self.latentIndex = latentIndex
    network = try Sequential(
      input: LayerShape(channels: configuration.inputChannels, length: paddedLength),
      layers: layers, parameters: parameters, optimizer: optimizer,
      minimumMicroBatch: configuration.minimumMicroBatch)
    network.weightPenalty = configuration.effectiveWeightPenalty
    latentDimension = network.outputShape(ofLayer: latentIndex).size
  }

  /// The bytes training this architecture takes with batches of `batch` on `workers` threads
  /// (see `Sequential.trainingBytes`), computed without allocating.
  public static func trainingBytes(configuration: Configuration, batch: Int, workers: Int) throws
    -> ByteCount
  {
    try configuration.validate()
    return try Sequential.trainingBytes(
      input: LayerShape(channels: configuration.inputChannels, length: configuration.paddedLength),
      layers: configuration.layers().layers, batch: batch, workers: workers,
      minimumMicroBatch: configuration.minimumMicroBatch)
  }

  private static func floats(from data: Data) throws -> [Float] {
    guard data.count % 4 == 0 else {
      throw NeuralNetworkError.corruptData("parameter blob is not a whole number of floats")
    }
    var reader = LittleEndianReader(data: data)
    var values: [Float] = []
    values.reserveCapacity(data.count / 4)
    while let bits: UInt32 = reader.read() { values.append(Float(bitPattern: bits)) }
    return values
  }

  // MARK: Inspecting and storing

  public var inputChannels: Int { configuration.inputChannels }
  public var inputLength: Int { configuration.inputLength }
  /// Number of parameters.
  public var parameterCount: Int { network.parameterCount }
  /// The optimizer state.
  public var optimizer: Adam { network.optimizer }
  /// Worker threads for the batch loop (results do not depend on it).
  public var threadCount: Int {
    get { network.threadCount }
    set { network.threadCount = newValue }
  }

  /// The parameters (a copy), in the flat layout.
  public var parameters: [Float] {
    get { network.parameters }
    set { network.parameters = newValue }
  }

  /// The gradients of the last `backward` (a copy), laid out like `parameters`.
  public var gradients: [Float] { network.gradients }

  /// The parameters as little-endian Float32 bytes.
  public var parameterData: Data {
    var data = Data(capacity: parameterCount * 4)
    for value in network.parameters { appendLittleEndian(&data, value.bitPattern) }
    return data
  }

  /// Replaces the parameters and the optimizer state with stored ones (to resume training
  /// exactly where a checkpoint left it).
  public func restore(parameterData: Data, optimizerData: Data) throws {
    let values = try Self.floats(from: parameterData)
    guard values.count == parameterCount else {
      throw NeuralNetworkError.parameterCountMismatch(
        expected: parameterCount, actual: values.count)
    }
    try network.setOptimizer(Adam(serialized: optimizerData))
    network.parameters = values
  }

  /// The optimizer state as bytes (see `Adam.serialized`).
  public var optimizerData: Data { network.optimizer.serialized }

  /// The architecture as JSON, for the store.
  public func architectureJSON() throws -> Data { try configuration.jsonData() }

  /// How the input length is adapted, in words.
  public var lengthAdjustmentDescription: String { configuration.lengthAdjustmentDescription }

  /// The reconstruction loss the model was built for (its output layer suits it).
  public var reconstructionLoss: any ReconstructionLoss { configuration.loss.loss }

  /// One line per layer with its per-sample shapes.
  public var layerDescriptions: [String] { network.layerDescriptions }

  // MARK: Training

  /// The training forward pass (`[n, inputChannels, inputLength]`), keeping what `backward`
  /// needs. Returns the latent codes `[n, latentDimension]`.
  public var dropoutActive: Bool {
    get { network.dropoutActive }
    set { network.dropoutActive = newValue }
  }

  public func trainingForward(_ batch: Tensor) -> Tensor {
    let n = checkedBatchSize(batch)
    batchSize = n
    batch.values.withUnsafeBufferPointer { source in
      network.trainingForward(source.baseAddress!, batch: n, sourceLength: inputLength)
    }
    return Tensor(
      shape: [n, latentDimension], values: network.trainingOutput(ofLayer: latentIndex))
  }

  /// `trainingForward`, also returning the reconstructions `[n, inputChannels, inputLength]`.
  public func forward(_ batch: Tensor) -> (latent: Tensor, reconstruction: Tensor) {
    let latent = trainingForward(batch)
    return (latent, Tensor(shape: batch.shape, values: network.trainingOutput(length: inputLength)))
  }

  @discardableResult
  public func backward(
    reconstructionLoss loss: any ReconstructionLoss, weight: Float, latentGradient: Tensor?
  ) -> Double {
    withLatentGradient(latentGradient) { z in
      let sum = network.trainingBackward(
        .reconstruction(loss, weight: weight, validLength: inputLength), injected: z,
        injectedAt: latentIndex)
      return sum / Double(batchSize * inputChannels * inputLength)
    }
  }

  /// Back-propagates from the last forward pass a given `reconstructionGradient`
  /// (dL/dreconstruction, `[n, inputChannels, inputLength]`) and `latentGradient` (dL/dlatent,
  /// `[n, latentDimension]`); either may be nil (zero). Overwrites `gradients`.
  public func backward(reconstructionGradient: Tensor?, latentGradient: Tensor?) {
    if let g = reconstructionGradient {
      precondition(
        g.shape == [batchSize, inputChannels, inputLength],
        "reconstruction gradient shape \(g.shape)"
      )
    }
    withLatentGradient(latentGradient) { z in
      guard let g = reconstructionGradient else {
        network.trainingBackward(.none, injected: z, injectedAt: latentIndex)
        return
      }
      _ = g.values.withUnsafeBufferPointer {
        network.trainingBackward(
          .given($0.baseAddress!, sourceLength: inputLength), injected: z,
          injectedAt: latentIndex)
      }
    }
  }

  /// One Adam update of the parameters from the current gradients.
  public func updateParameters(learningRate: Float) {
    network.updateParameters(learningRate: learningRate)
  }

  /// Forward and backward for the mean-squared reconstruction error (scaled by `scale`) without
  /// an update; fills `gradients` and returns the unscaled loss.
  @discardableResult
  public func computeReconstructionGradients(_ batch: Tensor, scale: Float = 1) -> Float {
    _ = trainingForward(batch)
    return Float(
      backward(reconstructionLoss: MeanSquaredError(), weight: scale, latentGradient: nil))
  }

  /// For a sigmoid output (binary cross-entropy), sets the output layer's biases to the logits of
  /// `channelMeans` (one per input channel, clamped to [1e-4, 1 - 1e-4]), so the untrained
  /// network predicts each channel's mean instead of 0.5 everywhere. Data in [0, 1] such as
  /// floored spectrograms sit mostly near 0, and from 0.5 the first steps would spend themselves
  /// pushing every output down (decision 0016). A linear output is left as drawn: it starts near
  /// 0, the floor. Does nothing when `channelMeans` does not hold one value per channel.
  public func initializeOutputBias(channelMeans: [Double]) {
    guard configuration.loss.outputActivation == .sigmoid,
      channelMeans.count == inputChannels,
      let index = network.layers.lastIndex(where: { $0.parameterCount > 0 })
    else { return }
    let layer = network.layers[index]
    let biasCount: Int
    switch layer {
    case let conv as Conv1D: biasCount = conv.outputChannels
    case let dense as Dense: biasCount = dense.outputFeatures
    case let dense as TimeDistributedDense: biasCount = dense.outputFeatures
    default: return
    }
    // Output cells are channel-major: a bias per channel, or per cell (dense) in blocks of L.
    guard biasCount % inputChannels == 0 else { return }
    let perChannel = biasCount / inputChannels
    var values = network.parameters
    let start = network.parameterOffset(ofLayer: index) + layer.parameterCount - biasCount
    for c in 0..<inputChannels {
      let m = min(max(channelMeans[c], 1e-4), 1 - 1e-4)
      let logit = Float(log(m / (1 - m)))
      for j in 0..<perChannel { values[start + c * perChannel + j] = logit }
    }
    network.parameters = values
  }

  // MARK: Inference

  /// The latent codes `[n, latentDimension]` of a batch `[n, inputChannels, inputLength]`,
  /// computed in micro-batches across `threadCount` workers. Keeps no training state.
  public func encode(_ x: Tensor) -> Tensor {
    let n = checkedBatchSize(x)
    var out = [Float](repeating: 0, count: n * latentDimension)
    x.values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        network.infer(
          batch: n, layers: 0..<(latentIndex + 1), input: source.baseAddress!,
          sourceLength: inputLength, output: destination.baseAddress!, destinationLength: nil)
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
    var out = [Float](repeating: 0, count: n * inputChannels * inputLength)
    z.values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        network.infer(
          batch: n, layers: (latentIndex + 1)..<network.layers.count,
          input: source.baseAddress!, sourceLength: nil, output: destination.baseAddress!,
          destinationLength: inputLength)
      }
    }
    return Tensor(shape: [n, inputChannels, inputLength], values: out)
  }

  /// `decode(encode(x))`.
  public func reconstruct(_ x: Tensor) -> Tensor { decode(encode(x)) }

  // MARK: Implementation

  private var batchSize = 0

  private func checkedBatchSize(_ x: Tensor) -> Int {
    precondition(
      x.rank == 3 && x.shape[1] == inputChannels && x.shape[2] == inputLength,
      "expected [n, \(inputChannels), \(inputLength)], got \(x.shape)")
    return x.shape[0]
  }

  /// Runs `body` with the gradient at the code: `g` (if given) plus the sparsity penalty's
  /// `sparsity * sign(z) / n` (if any; `effectiveSparsity`).
  private func withLatentGradient<R>(_ g: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    if let g {
      precondition(g.shape == [batchSize, latentDimension], "latent gradient shape \(g.shape)")
    }
    let sparsity = Float(configuration.effectiveSparsity)
    guard sparsity > 0 else {
      guard let g else { return body(nil) }
      return g.values.withUnsafeBufferPointer { body($0.baseAddress) }
    }
    var total = network.trainingOutput(ofLayer: latentIndex)
    let scale = sparsity / Float(batchSize)
    for i in total.indices {
      let z = total[i]
      total[i] = (g?.values[i] ?? 0) + (z > 0 ? scale : (z < 0 ? -scale : 0))
    }
    return total.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
