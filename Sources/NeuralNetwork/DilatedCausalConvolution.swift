import Numerics

/// A dilated causal 1-D convolution with stride 1 and a bias: output step `t` sees input steps
/// `t, t - d, ..., t - (K - 1) d` only (the temporal convolutional network's convolution, Bai et
/// al. 2018). The input is zero-padded with `(K - 1) d` steps on the left and none on the right,
/// so the output has the input's length:
/// `y[o, t] = bias[o] + sum_{i,k} weight[o, i, k] * x[i, t - (K - 1 - k) d]`.
/// PyTorch: `nn.Conv1d(I, O, K, dilation=d)` applied to `F.pad(x, ((K - 1) * d, 0))`.
///
/// Input and output are channel-major blocks (`channels x (batch * length)`, see
/// `NeuralNetwork`). **Parameters** (PyTorch order): `weight[outputChannels][inputChannels][K]`
/// then `bias[outputChannels]`. Computed as im2col + one SGEMM per block; backward recomputes
/// the columns.
public struct DilatedCausalConv1D: Sendable, Equatable {
  /// Channels in.
  public let inputChannels: Int
  /// Channels out (filters).
  public let outputChannels: Int
  /// Taps per filter.
  public let kernelSize: Int
  /// Steps between taps.
  public let dilation: Int

  /// A causal convolution from `inputChannels` to `outputChannels` with `kernelSize` taps
  /// `dilation` steps apart.
  public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, dilation: Int) {
    precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && dilation > 0)
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.dilation = dilation
  }

  /// Zeros added before step 0.
  public var padLeft: Int { (kernelSize - 1) * dilation }
  /// Weights then biases.
  public var parameterCount: Int { outputChannels * inputChannels * kernelSize + outputChannels }
  /// Weights only.
  var weightCount: Int { outputChannels * inputChannels * kernelSize }
  /// Floats of im2col scratch for a block of `batch * length` steps.
  public func columnCount(batch: Int, length: Int) -> Int {
    inputChannels * kernelSize * batch * length
  }

  /// Glorot-uniform (`tanh`, `identity`) or He-uniform (`relu`) weights, zero biases.
  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    let limit = activation.initializationLimit(
      fanIn: inputChannels * kernelSize, fanOut: outputChannels * kernelSize)
    for i in 0..<weightCount { parameters[i] = Float((2 * generator.nextUniform() - 1) * limit) }
    (parameters + weightCount).update(repeating: 0, count: outputChannels)
  }

  /// `columns[(i * K + k), b * length + t] = x[i, b * length + t - (K - 1 - k) d]`, zero before
  /// the sample's first step.
  func im2col(
    _ input: UnsafePointer<Float>, batch: Int, length: Int, columns: UnsafeMutablePointer<Float>
  ) {
    let row = batch * length
    for i in 0..<inputChannels {
      for k in 0..<kernelSize {
        shiftedRow(
          input + i * row, shift: -(kernelSize - 1 - k) * dilation, batch: batch,
          length: length, into: columns + (i * kernelSize + k) * row)
      }
    }
  }

  /// Forward pass over a block; `columns` is scratch of `columnCount` floats.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, length: Int,
    parameters: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>
  ) {
    let n = batch * length
    let ck = inputChannels * kernelSize
    im2col(input, batch: batch, length: length, columns: columns)
    BLAS.gemm(
      transposeA: false, transposeB: false, m: outputChannels, n: n, k: ck,
      a: parameters, lda: ck, b: UnsafePointer(columns), ldb: n, beta: 0, c: output, ldc: n)
    let bias = parameters + weightCount
    for o in 0..<outputChannels {
      let row = output + o * n
      let value = bias[o]
      for t in 0..<n { row[t] += value }
    }
  }

  /// Backward pass over a block: adds the weight and bias gradients, and writes the input
  /// gradient when `inputGradient` is not nil. `columns` and `columnGradient` are scratch of
  /// `columnCount` floats each.
  public func backward(
    input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>?, batch: Int, length: Int,
    parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
    columns: UnsafeMutablePointer<Float>, columnGradient: UnsafeMutablePointer<Float>
  ) {
    let n = batch * length
    let ck = inputChannels * kernelSize
    im2col(input, batch: batch, length: length, columns: columns)
    BLAS.gemm(
      transposeA: false, transposeB: true, m: outputChannels, n: ck, k: n,
      a: outputGradient, lda: n, b: UnsafePointer(columns), ldb: n, beta: 1,
      c: parameterGradient, ldc: ck)
    let biasGradient = parameterGradient + weightCount
    for o in 0..<outputChannels {
      biasGradient[o] += sumOfElements(outputGradient + o * n, count: n)
    }
    guard let inputGradient else { return }
    BLAS.gemm(
      transposeA: true, transposeB: false, m: ck, n: n, k: outputChannels,
      a: parameters, lda: ck, b: outputGradient, ldb: n, beta: 0, c: columnGradient, ldc: n)
    // col2im. The last tap (lag 0) covers every step, so it assigns and the others add.
    for i in 0..<inputChannels {
      let destinationRow = inputGradient + i * n
      destinationRow.update(from: columnGradient + (i * kernelSize + kernelSize - 1) * n, count: n)
      for k in 0..<(kernelSize - 1) {
        // column step t (>= lag) came from input step t - lag
        addShiftedRow(
          columnGradient + (i * kernelSize + k) * n, shift: -(kernelSize - 1 - k) * dilation,
          batch: batch, length: length, into: destinationRow)
      }
    }
  }
}

extension DilatedCausalConv1D: Layer {
  public var description: String {
    "DilatedCausalConv1D(kernel \(kernelSize), dilation \(dilation))"
  }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == inputChannels
      ? LayerShape(channels: outputChannels, length: input.length) : nil
  }

  public func scratchCount(input: LayerShape, batch: Int) -> Int {
    columnCount(batch: batch, length: input.length)
  }

  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {
    mask.update(repeating: 1, count: weightCount)
  }

  public func forward(_ pass: LayerForward) {
    forward(
      input: pass.input, output: pass.output, batch: pass.batch, length: pass.inputShape.length,
      parameters: pass.parameters, columns: pass.scratch)
  }

  public func backward(_ pass: LayerBackward) {
    backward(
      input: pass.input, outputGradient: pass.outputGradient, inputGradient: pass.inputGradient,
      batch: pass.batch, length: pass.inputShape.length, parameters: pass.parameters,
      parameterGradient: pass.parameterGradient, columns: pass.scratch,
      columnGradient: pass.scratchGradient)
  }
}
