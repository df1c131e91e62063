import Numerics

/// The same fully connected layer applied at every step: `y[:, t] = W x[:, t] + b` (Keras's
/// `TimeDistributed(Dense)`, PyTorch's `nn.Linear` over the last axis of an `[n, t, features]`
/// tensor, or a convolution of kernel 1). The residual shortcut of a temporal block and the
/// output layer of the recurrent and temporal decoders.
///
/// Input `inputFeatures x (batch * length)`, output `outputFeatures x (batch * length)`
/// (channel-major blocks, see `NeuralNetwork`): one SGEMM per block. **Parameters** (PyTorch
/// order): `weight[outputFeatures][inputFeatures]` then `bias[outputFeatures]`.
public struct TimeDistributedDense: Sendable, Equatable {
  public let inputFeatures: Int
  public let outputFeatures: Int

  public init(inputFeatures: Int, outputFeatures: Int) {
    precondition(inputFeatures > 0 && outputFeatures > 0)
    self.inputFeatures = inputFeatures
    self.outputFeatures = outputFeatures
  }

  /// Weights then biases.
  public var parameterCount: Int { outputFeatures * inputFeatures + outputFeatures }
  var weightCount: Int { outputFeatures * inputFeatures }

  /// Glorot-uniform (`tanh`, `identity`, `sigmoid`) or He-uniform (`relu`) weights, zero biases.
  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    let limit = activation.initializationLimit(fanIn: inputFeatures, fanOut: outputFeatures)
    for i in 0..<weightCount { parameters[i] = Float((2 * generator.nextUniform() - 1) * limit) }
    (parameters + weightCount).update(repeating: 0, count: outputFeatures)
  }

  /// Forward pass over a block of `steps` columns (`batch * length`).
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, steps n: Int,
    parameters: UnsafePointer<Float>
  ) {
    BLAS.gemm(
      transposeA: false, transposeB: false, m: outputFeatures, n: n, k: inputFeatures,
      a: parameters, lda: inputFeatures, b: input, ldb: n, beta: 0, c: output, ldc: n)
    let bias = parameters + weightCount
    for o in 0..<outputFeatures {
      let row = output + o * n
      let value = bias[o]
      for t in 0..<n { row[t] += value }
    }
  }

  /// Backward pass: adds `dW += dY X^T`, `db += sum_t dY`; writes `dX = W^T dY` when asked.
  public func backward(
    input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>?, steps n: Int, parameters: UnsafePointer<Float>,
    parameterGradient: UnsafeMutablePointer<Float>
  ) {
    BLAS.gemm(
      transposeA: false, transposeB: true, m: outputFeatures, n: inputFeatures, k: n,
      a: outputGradient, lda: n, b: input, ldb: n, beta: 1, c: parameterGradient,
      ldc: inputFeatures)
    let biasGradient = parameterGradient + weightCount
    for o in 0..<outputFeatures {
      biasGradient[o] += sumOfElements(outputGradient + o * n, count: n)
    }
    guard let inputGradient else { return }
    BLAS.gemm(
      transposeA: true, transposeB: false, m: inputFeatures, n: n, k: outputFeatures,
      a: parameters, lda: inputFeatures, b: outputGradient, ldb: n, beta: 0, c: inputGradient,
      ldc: n)
  }
}

extension TimeDistributedDense: Layer {
  public var description: String { "TimeDistributedDense" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == inputFeatures
      ? LayerShape(channels: outputFeatures, length: input.length) : nil
  }

  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {
    mask.update(repeating: 1, count: weightCount)
  }

  public func forward(_ pass: LayerForward) {
    forward(
      input: pass.input, output: pass.output, steps: pass.batch * pass.inputShape.length,
      parameters: pass.parameters)
  }

  public func backward(_ pass: LayerBackward) {
    backward(
      input: pass.input, outputGradient: pass.outputGradient, inputGradient: pass.inputGradient,
      steps: pass.batch * pass.inputShape.length, parameters: pass.parameters,
      parameterGradient: pass.parameterGradient)
  }
}
