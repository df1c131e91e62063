import Numerics

/// A 1-D convolution with stride 1, "same" padding and a bias (cross-correlation, as in PyTorch
/// and Keras).
///
/// Input and output are channel-major blocks (`channels x (batch * length)`, see
/// `NeuralNetwork`); the output has the input's length.
///
/// **Padding.** `kernelSize - 1` zeros in total, `(kernelSize - 1) / 2` on the left and the rest
/// on the right, so an even kernel pads one more on the right: the convention of PyTorch's
/// `padding="same"` and Keras/TensorFlow `"same"`. Output step `t` is
/// `bias[o] + sum_{i,k} weight[o, i, k] * x[i, t + k - padLeft]`, with `x` zero outside `0..<length`.
///
/// **Parameters** (`parameterCount` floats, PyTorch order): `weight[outputChannels][inputChannels][kernelSize]`
/// then `bias[outputChannels]`.
///
/// Computed as im2col + one SGEMM per block; backward recomputes the columns.
public struct Conv1D: Sendable, Equatable {
  /// Channels in.
  public let inputChannels: Int
  /// Channels out (filters).
  public let outputChannels: Int
  /// Taps per filter (any size >= 1, odd or even).
  public let kernelSize: Int

  /// A convolution from `inputChannels` to `outputChannels` with `kernelSize` taps.
  public init(inputChannels: Int, outputChannels: Int, kernelSize: Int) {
    precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0)
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
  }

  /// Zeros added before step 0.
  public var padLeft: Int { (kernelSize - 1) / 2 }
  /// Zeros added after the last step.
  public var padRight: Int { kernelSize - 1 - padLeft }
  /// Weights then biases.
  public var parameterCount: Int { outputChannels * inputChannels * kernelSize + outputChannels }
  /// Floats of im2col scratch needed for a block of `batch * length` steps.
  public func columnCount(batch: Int, length: Int) -> Int {
    inputChannels * kernelSize * batch * length
  }

  /// Fills `parameters` with Glorot-uniform (`tanh`, `identity`) or He-uniform (`relu`) weights
  /// and zero biases. Fans are `inputChannels * kernelSize` and `outputChannels * kernelSize`.
  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    let weights = outputChannels * inputChannels * kernelSize
    let limit = activation.initializationLimit(
      fanIn: inputChannels * kernelSize, fanOut: outputChannels * kernelSize)
    for i in 0..<weights { parameters[i] = Float((2 * generator.nextUniform() - 1) * limit) }
    (parameters + weights).update(repeating: 0, count: outputChannels)
  }

  /// im2col: `columns[(i * kernelSize + k), b * length + t] = x[i, b * length + t + k - padLeft]`
  /// (zero where that step falls outside sample `b`), a `shiftedRow` per row.
  @inlinable
  func im2col(
    _ input: UnsafePointer<Float>, batch: Int, length: Int,
    columns: UnsafeMutablePointer<Float>
  ) {
    let row = batch * length
    for i in 0..<inputChannels {
      let sourceRow = input + i * row
      for k in 0..<kernelSize {
        shiftedRow(
          sourceRow, shift: k - padLeft, batch: batch, length: length,
          into: columns + (i * kernelSize + k) * row)
      }
    }
  }

  /// Forward pass over a block: `output` (`outputChannels x batch*length`) from `input`
  /// (`inputChannels x batch*length`). `columns` is scratch of `columnCount` floats.
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
    let bias = parameters + outputChannels * ck
    for o in 0..<outputChannels {
      let row = output + o * n
      let value = bias[o]
      for t in 0..<n { row[t] += value }
    }
  }

  /// Backward pass over a block. Adds weight and bias gradients into `parameterGradient`; writes
  /// the input gradient into `inputGradient` when it is not nil. `columns` and
  /// `columnGradient` are scratch of `columnCount` floats each.
  public func backward(
    input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>?, batch: Int, length: Int,
    parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>,
    columns: UnsafeMutablePointer<Float>, columnGradient: UnsafeMutablePointer<Float>
  ) {
    let n = batch * length
    let ck = inputChannels * kernelSize
    im2col(input, batch: batch, length: length, columns: columns)
    // dW += dY * columns^T
    BLAS.gemm(
      transposeA: false, transposeB: true, m: outputChannels, n: ck, k: n,
      a: outputGradient, lda: n, b: UnsafePointer(columns), ldb: n, beta: 1,
      c: parameterGradient, ldc: ck)
    let biasGradient = parameterGradient + outputChannels * ck
    for o in 0..<outputChannels {
      biasGradient[o] += sumOfElements(outputGradient + o * n, count: n)
    }
    guard let inputGradient else { return }
    // dColumns = W^T * dY, then col2im.
    BLAS.gemm(
      transposeA: true, transposeB: false, m: ck, n: n, k: outputChannels,
      a: parameters, lda: ck, b: outputGradient, ldb: n, beta: 0, c: columnGradient, ldc: n)
    // col2im. The centre tap (shift 0) covers every step, so it assigns and the others add
    // (`addShiftedRow`): no separate zeroing pass.
    for i in 0..<inputChannels {
      let destinationRow = inputGradient + i * n
      destinationRow.update(from: columnGradient + (i * kernelSize + padLeft) * n, count: n)
      for k in 0..<kernelSize where k != padLeft {
        addShiftedRow(
          columnGradient + (i * kernelSize + k) * n, shift: k - padLeft, batch: batch,
          length: length, into: destinationRow)
      }
    }
  }
}

/// One im2col row: `destination[b * length + t] = source[b * length + t + shift]`, zero where
/// `t + shift` falls outside `0..<length`, for `batch` samples of `length` steps side by side.
///
/// One shifted copy of the whole block (the samples are contiguous), then the `|shift|` steps
/// per sample that came from a neighbouring sample, or from outside the block, are zeroed: one
/// long copy instead of one short copy per sample.
@inlinable
func shiftedRow(
  _ source: UnsafePointer<Float>, shift: Int, batch: Int, length: Int,
  into destination: UnsafeMutablePointer<Float>
) {
  guard batch > 0 else { return }
  let row = batch * length
  if abs(shift) >= length {
    destination.update(repeating: 0, count: row)
  } else if shift >= 0 {
    destination.update(from: source + shift, count: row - shift)
    // Steps t >= length - shift of each sample read past its end.
    for b in 0..<batch {
      (destination + b * length + length - shift).update(repeating: 0, count: shift)
    }
  } else {
    (destination - shift).update(from: source, count: row + shift)
    // Steps t < -shift of each sample read before its start.
    for b in 0..<batch { (destination + b * length).update(repeating: 0, count: -shift) }
  }
}

/// One col2im row, the adjoint of `shiftedRow`: `destination[b * length + t + shift] +=
/// source[b * length + t]` wherever `t + shift` falls inside `0..<length`.
///
/// The `|shift|` entries of `source` per sample that would land in a neighbour are zeroed
/// (`source` is scratch), then the whole row is added, shifted: adding those zeros leaves every
/// sum as a per-sample loop makes it.
@inlinable
func addShiftedRow(
  _ source: UnsafeMutablePointer<Float>, shift: Int, batch: Int, length: Int,
  into destination: UnsafeMutablePointer<Float>
) {
  let n = batch * length
  guard batch > 0, abs(shift) < length else { return }
  if shift >= 0 {
    for b in 0..<batch {
      (source + b * length + length - shift).update(repeating: 0, count: shift)
    }
    addRow(source, into: destination + shift, count: n - shift)
  } else {
    for b in 0..<batch { (source + b * length).update(repeating: 0, count: -shift) }
    addRow(source - shift, into: destination, count: n + shift)
  }
}

/// `destination[j] += source[j]` for `j` in `0..<count`.
@inlinable
func addRow(
  _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int
) {
  for j in 0..<count { destination[j] += source[j] }
}

/// The sum of `count` floats with 16 independent partial sums (so the loop vectorises), combined
/// in a fixed order: deterministic, and more accurate than one running sum.
@inlinable
func sumOfElements(_ x: UnsafePointer<Float>, count: Int) -> Float {
  var partial = SIMD16<Float>(repeating: 0)
  var i = 0
  while i + 16 <= count {
    partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
    i += 16
  }
  var sum = partial.sum()
  while i < count {
    sum += x[i]
    i += 1
  }
  return sum
}

extension Conv1D: Layer {
  public var description: String { "Conv1D(kernel \(kernelSize))" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == inputChannels
      ? LayerShape(channels: outputChannels, length: input.length) : nil
  }

  public func scratchCount(input: LayerShape, batch: Int) -> Int {
    columnCount(batch: batch, length: input.length)
  }

  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {
    mask.update(repeating: 1, count: outputChannels * inputChannels * kernelSize)
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
