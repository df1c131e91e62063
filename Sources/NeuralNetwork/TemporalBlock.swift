import Numerics

/// The residual block of a temporal convolutional network (Bai, Kolter & Koltun 2018): two
/// dilated causal convolutions, each followed by the activation (and dropout, when asked), plus
/// a shortcut from the input, then the activation again:
/// ```
/// h1 = dropout(act(conv1(x)))     conv1: inputChannels -> outputChannels, kernel K, dilation d
/// h2 = dropout(act(conv2(h1)))    conv2: outputChannels -> outputChannels, kernel K, dilation d
/// y  = act(h2 + shortcut(x))      shortcut: x itself, or a kernel-1 projection when the
///                                 channel counts differ
/// ```
/// Input and output are channel-major blocks of the same length. **Parameters**: `conv1`
/// (weights, biases), `conv2`, then the projection's if any, each in PyTorch's layout. The
/// forward pass keeps both convolutions' activated outputs (and the dropout masks) for the
/// backward pass.
public struct TemporalBlock: Sendable, Equatable {
  public let inputChannels: Int
  public let outputChannels: Int
  public let kernelSize: Int
  public let dilation: Int
  public let activation: Activation
  /// Dropout after each convolution's activation; nil for none.
  public let dropout: Double?
  /// The seed of the two dropout layers' masks.
  public let seed: UInt64

  public init(
    inputChannels: Int, outputChannels: Int, kernelSize: Int, dilation: Int,
    activation: Activation, dropout: Double? = nil, seed: UInt64 = 0
  ) {
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.dilation = dilation
    self.activation = activation
    self.dropout = dropout.flatMap { $0 > 0 ? $0 : nil }
    self.seed = seed
  }

  public var conv1: DilatedCausalConv1D {
    DilatedCausalConv1D(
      inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
      dilation: dilation)
  }
  public var conv2: DilatedCausalConv1D {
    DilatedCausalConv1D(
      inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
      dilation: dilation)
  }
  /// The projection of the shortcut, when the channel counts differ.
  public var shortcut: TimeDistributedDense? {
    inputChannels == outputChannels
      ? nil : TimeDistributedDense(inputFeatures: inputChannels, outputFeatures: outputChannels)
  }
  var dropout1: Dropout? { dropout.map { Dropout(rate: $0, seed: Dropout.mix(seed ^ 1)) } }
  var dropout2: Dropout? { dropout.map { Dropout(rate: $0, seed: Dropout.mix(seed ^ 2)) } }

  public var parameterCount: Int {
    conv1.parameterCount + conv2.parameterCount + (shortcut?.parameterCount ?? 0)
  }

  /// Floats per sample kept from forward: both activated outputs, and their dropped-out copies.
  func cachedFloats(length: Int) -> Int { (dropout == nil ? 2 : 4) * outputChannels * length }
}

extension TemporalBlock: Layer {
  public var description: String {
    "TemporalBlock(kernel \(kernelSize), dilation \(dilation)\(shortcut == nil ? "" : ", projection"))"
  }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == inputChannels
      ? LayerShape(channels: outputChannels, length: input.length) : nil
  }

  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    conv1.initialize(parameters, activation: self.activation, generator: &generator)
    conv2.initialize(
      parameters + conv1.parameterCount, activation: self.activation, generator: &generator)
    shortcut?.initialize(
      parameters + conv1.parameterCount + conv2.parameterCount, activation: .identity,
      generator: &generator)
  }

  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {
    conv1.markPenalizedParameters(mask)
    conv2.markPenalizedParameters(mask + conv1.parameterCount)
    shortcut?.markPenalizedParameters(mask + conv1.parameterCount + conv2.parameterCount)
  }

  func columnCount(batch: Int, length: Int) -> Int {
    max(
      conv1.columnCount(batch: batch, length: length),
      conv2.columnCount(batch: batch, length: length))
  }

  public func scratchCount(input: LayerShape, batch: Int) -> Int {
    let n = batch * input.length
    return columnCount(batch: batch, length: input.length) + 3 * outputChannels * n
      + inputChannels * n
  }

  public func cacheBytesPerSample(input: LayerShape) -> Int {
    let floats = cachedFloats(length: input.length) * MemoryLayout<Float>.stride
    let masks = dropout == nil ? 0 : 2 * outputChannels * input.length
    return (floats + masks + 15) / 16 * 16
  }

  /// Where the forward pass keeps each piece for a block of `n` steps.
  private func cacheLayout(_ cache: UnsafeMutableRawPointer, steps n: Int) -> (
    h1: UnsafeMutablePointer<Float>, h2: UnsafeMutablePointer<Float>,
    d1: UnsafeMutablePointer<Float>, d2: UnsafeMutablePointer<Float>,
    m1: UnsafeMutableRawPointer, m2: UnsafeMutableRawPointer
  ) {
    let size = outputChannels * n
    let floats = cache.bindMemory(to: Float.self, capacity: (dropout == nil ? 2 : 4) * size)
    let masks = cache + (dropout == nil ? 2 : 4) * size * MemoryLayout<Float>.stride
    let d1 = dropout == nil ? floats : floats + 2 * size
    let d2 = dropout == nil ? floats + size : floats + 3 * size
    return (floats, floats + size, d1, d2, masks, masks + size)
  }

  public func forward(_ pass: LayerForward) {
    let (b, l) = (pass.batch, pass.inputShape.length)
    let n = b * l
    let shape = LayerShape(channels: outputChannels, length: l)
    let p = pass.parameters
    let c = cacheLayout(pass.cache, steps: n)
    conv1.forward(
      input: pass.input, output: c.h1, batch: b, length: l, parameters: p, columns: pass.scratch)
    activation.forward(input: c.h1, output: c.h1, count: outputChannels * n)
    func drop(
      _ layer: Dropout?, _ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>,
      _ mask: UnsafeMutableRawPointer
    ) {
      guard let layer else { return }
      layer.forward(
        LayerForward(
          input: x, output: y, batch: b, inputShape: shape, parameters: p, scratch: pass.scratch,
          cache: mask, isTraining: pass.isTraining, step: pass.step, firstSample: pass.firstSample))
    }
    drop(dropout1, c.h1, c.d1, c.m1)
    conv2.forward(
      input: c.d1, output: c.h2, batch: b, length: l, parameters: p + conv1.parameterCount,
      columns: pass.scratch)
    activation.forward(input: c.h2, output: c.h2, count: outputChannels * n)
    drop(dropout2, c.h2, c.d2, c.m2)
    let y = pass.output
    if let shortcut {
      shortcut.forward(
        input: pass.input, output: y, steps: n,
        parameters: p + conv1.parameterCount + conv2.parameterCount)
      for i in 0..<(outputChannels * n) { y[i] += c.d2[i] }
    } else {
      for i in 0..<(outputChannels * n) { y[i] = pass.input[i] + c.d2[i] }
    }
    activation.forward(input: y, output: y, count: outputChannels * n)
  }

  public func backward(_ pass: LayerBackward) {
    let (b, l) = (pass.batch, pass.inputShape.length)
    let n = b * l
    let size = outputChannels * n
    let shape = LayerShape(channels: outputChannels, length: l)
    let p = pass.parameters
    let g = pass.parameterGradient
    let c = cacheLayout(UnsafeMutableRawPointer(mutating: pass.cache), steps: n)
    let columns = pass.scratch
    let columnGradient = pass.scratchGradient
    let a = columns + columnCount(batch: b, length: l)
    let bb = a + size
    let cc = bb + size
    let shortcutGradient = cc + size
    let offset2 = conv1.parameterCount
    let offset3 = offset2 + conv2.parameterCount
    // dL/d(h2 + shortcut(x))
    activation.backward(
      output: pass.output, outputGradient: pass.outputGradient, inputGradient: a, count: size)
    shortcut?.backward(
      input: pass.input, outputGradient: a,
      inputGradient: pass.inputGradient == nil ? nil : shortcutGradient, steps: n,
      parameters: p + offset3, parameterGradient: g + offset3)
    func undrop(
      _ layer: Dropout?, _ mask: UnsafeMutableRawPointer, _ from: UnsafeMutablePointer<Float>,
      _ to: UnsafeMutablePointer<Float>
    ) {
      guard let layer else {
        to.update(from: from, count: size)
        return
      }
      layer.backward(
        LayerBackward(
          input: from, output: from, outputGradient: from, inputGradient: to, batch: b,
          inputShape: shape, parameters: p, parameterGradient: g, scratch: columns,
          scratchGradient: columnGradient, cache: UnsafeRawPointer(mask),
          isTraining: pass.isTraining))
    }
    undrop(dropout2, c.m2, a, bb)
    activation.backward(output: c.h2, outputGradient: bb, inputGradient: bb, count: size)
    conv2.backward(
      input: c.d1, outputGradient: bb, inputGradient: cc, batch: b, length: l,
      parameters: p + offset2, parameterGradient: g + offset2, columns: columns,
      columnGradient: columnGradient)
    undrop(dropout1, c.m1, cc, bb)
    activation.backward(output: c.h1, outputGradient: bb, inputGradient: bb, count: size)
    conv1.backward(
      input: pass.input, outputGradient: bb, inputGradient: pass.inputGradient, batch: b,
      length: l, parameters: p, parameterGradient: g, columns: columns,
      columnGradient: columnGradient)
    guard let inputGradient = pass.inputGradient else { return }
    let skip = shortcut == nil ? UnsafePointer(a) : UnsafePointer(shortcutGradient)
    for i in 0..<(inputChannels * n) { inputGradient[i] += skip[i] }
  }
}
