import Numerics

/// One step of a sequential network: a layer with its per-sample input and output shapes and
/// where its parameters start in the flat parameter buffer. Flat (feature) shapes have one
/// channel.
struct Operation: Sendable {
  enum Layer: Sendable {
    case convolution(Conv1D)
    case activation(Activation)
    case maxPool(MaxPool1D)
    case upsample(Upsample1D)
    case flatten(Flatten)
    case reshape(Reshape)
    case dense(Dense)
  }

  let layer: Layer
  let inputChannels: Int
  let inputLength: Int
  let outputChannels: Int
  let outputLength: Int
  let parameterOffset: Int
  /// The activation that follows (chooses Glorot or He initialisation).
  let initialization: Activation

  var inputSize: Int { inputChannels * inputLength }
  var outputSize: Int { outputChannels * outputLength }

  var parameterCount: Int {
    switch layer {
    case .convolution(let conv): conv.parameterCount
    case .dense(let dense): dense.parameterCount
    default: 0
    }
  }

  /// Scratch floats of im2col for a block of `batch` samples.
  func columnCount(batch: Int) -> Int {
    if case .convolution(let conv) = layer {
      return conv.columnCount(batch: batch, length: inputLength)
    }
    return 0
  }

  var isPool: Bool {
    if case .maxPool = layer { return true }
    return false
  }

  var description: String {
    let shape = "\(inputChannels)x\(inputLength) -> \(outputChannels)x\(outputLength)"
    switch layer {
    case .convolution(let conv): return "Conv1D(kernel \(conv.kernelSize)) \(shape)"
    case .activation(let f): return "\(f.rawValue) \(shape)"
    case .maxPool: return "MaxPool1D(2) \(shape)"
    case .upsample: return "Upsample1D(2) \(shape)"
    case .flatten: return "Flatten \(shape)"
    case .reshape: return "Reshape \(shape)"
    case .dense: return "Dense \(shape)"
    }
  }

  func initialize(_ parameters: UnsafeMutablePointer<Float>, generator: inout SeededGenerator) {
    switch layer {
    case .convolution(let conv):
      conv.initialize(
        parameters + parameterOffset, activation: initialization, generator: &generator)
    case .dense(let dense):
      dense.initialize(
        parameters + parameterOffset, activation: initialization, generator: &generator)
    default: break
    }
  }

  func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
    argmax: UnsafeMutablePointer<Int32>?, batch: Int, parameters: UnsafePointer<Float>,
    columns: UnsafeMutablePointer<Float>
  ) {
    let p = parameters + parameterOffset
    switch layer {
    case .convolution(let conv):
      conv.forward(
        input: input, output: output, batch: batch, length: inputLength, parameters: p,
        columns: columns)
    case .activation(let f):
      f.forward(input: input, output: output, count: batch * inputSize)
    case .maxPool(let pool):
      guard let argmax else { preconditionFailure("max-pool needs an argmax buffer") }
      pool.forward(
        input: input, output: output, argmax: argmax, batch: batch, length: inputLength)
    case .upsample(let up):
      up.forward(input: input, output: output, batch: batch, length: inputLength)
    case .flatten(let f): f.forward(input: input, output: output, batch: batch)
    case .reshape(let r): r.forward(input: input, output: output, batch: batch)
    case .dense(let d): d.forward(input: input, output: output, batch: batch, parameters: p)
    }
  }

  func backward(
    input: UnsafePointer<Float>, output: UnsafePointer<Float>,
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
    argmax: UnsafePointer<Int32>?, batch: Int, parameters: UnsafePointer<Float>,
    parameterGradient: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>,
    columnGradient: UnsafeMutablePointer<Float>
  ) {
    let p = parameters + parameterOffset
    let g = parameterGradient + parameterOffset
    switch layer {
    case .convolution(let conv):
      conv.backward(
        input: input, outputGradient: outputGradient, inputGradient: inputGradient,
        batch: batch, length: inputLength, parameters: p, parameterGradient: g,
        columns: columns, columnGradient: columnGradient)
    case .dense(let d):
      d.backward(
        input: input, outputGradient: outputGradient, inputGradient: inputGradient,
        batch: batch, parameters: p, parameterGradient: g)
    default:
      // Parameter-free layers only matter for the input gradient.
      guard let inputGradient else { return }
      switch layer {
      case .activation(let f):
        f.backward(
          output: output, outputGradient: outputGradient, inputGradient: inputGradient,
          count: batch * inputSize)
      case .maxPool(let pool):
        guard let argmax else { preconditionFailure("max-pool needs an argmax buffer") }
        pool.backward(
          outputGradient: outputGradient, argmax: argmax, inputGradient: inputGradient,
          batch: batch, length: inputLength)
      case .upsample(let up):
        up.backward(
          outputGradient: outputGradient, inputGradient: inputGradient, batch: batch,
          length: inputLength)
      case .flatten(let f):
        f.backward(outputGradient: outputGradient, inputGradient: inputGradient, batch: batch)
      case .reshape(let r):
        r.backward(outputGradient: outputGradient, inputGradient: inputGradient, batch: batch)
      case .convolution, .dense: break
      }
    }
  }
}

extension Autoencoder.Configuration {
  /// The layer sequence: encoder (conv, activation, pool) x depth, flatten, optional dense
  /// bottleneck; decoder (optional dense + activation), reshape, (conv, activation, upsample) x
  /// depth mirrored, output conv. Returns the operations and the index of the one whose
  /// output is the latent code.
  func operations() -> (operations: [Operation], latentIndex: Int) {
    var ops: [Operation] = []
    var offset = 0
    var channels = inputChannels
    var length = paddedLength
    func append(_ layer: Operation.Layer, outChannels: Int, outLength: Int, init a: Activation) {
      let op = Operation(
        layer: layer, inputChannels: channels, inputLength: length, outputChannels: outChannels,
        outputLength: outLength, parameterOffset: offset, initialization: a)
      ops.append(op)
      offset += op.parameterCount
      channels = outChannels
      length = outLength
    }
    for stage in 0..<depth {
      let conv = Conv1D(
        inputChannels: channels, outputChannels: filters[stage],
        kernelSize: kernelSize(stage: stage))
      append(.convolution(conv), outChannels: filters[stage], outLength: length, init: activation)
      append(.activation(activation), outChannels: channels, outLength: length, init: activation)
      append(
        .maxPool(MaxPool1D(channels: channels)), outChannels: channels, outLength: length / 2,
        init: activation)
    }
    let (lastChannels, lastLength) = (channels, length)
    let features = channels * length
    append(
      .flatten(Flatten(channels: channels, length: length)), outChannels: 1,
      outLength: features, init: activation)
    if latent > 0 {
      append(
        .dense(Dense(inputFeatures: features, outputFeatures: latent)), outChannels: 1,
        outLength: latent, init: .identity)
    }
    let latentIndex = ops.count - 1
    if latent > 0 {
      append(
        .dense(Dense(inputFeatures: latent, outputFeatures: features)), outChannels: 1,
        outLength: features, init: activation)
      append(.activation(activation), outChannels: 1, outLength: features, init: activation)
    }
    append(
      .reshape(Reshape(channels: lastChannels, length: lastLength)), outChannels: lastChannels,
      outLength: lastLength, init: activation)
    // The decoder mirrors the encoder: each stage upsamples by 2, then a conv maps back to the
    // channels the matching encoder stage took in (the input's, linear, at the last stage).
    for stage in (0..<depth).reversed() {
      append(
        .upsample(Upsample1D(channels: channels)), outChannels: channels, outLength: length * 2,
        init: activation)
      let out = stage > 0 ? filters[stage - 1] : inputChannels
      let conv = Conv1D(
        inputChannels: channels, outputChannels: out, kernelSize: kernelSize(stage: stage))
      append(
        .convolution(conv), outChannels: out, outLength: length,
        init: stage > 0 ? activation : .identity)
      if stage > 0 {
        append(.activation(activation), outChannels: channels, outLength: length, init: activation)
      }
    }
    return (ops, latentIndex)
  }
}
