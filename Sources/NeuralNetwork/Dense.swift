import Numerics

/// A fully connected layer: `y = W x + b` per sample.
///
/// Input `batch x inputFeatures`, output `batch x outputFeatures`, sample-major (a one-channel
/// block, see `NeuralNetwork`). **Parameters** (PyTorch order): `weight[outputFeatures][inputFeatures]`
/// then `bias[outputFeatures]`.
public struct Dense: Sendable, Equatable {
  /// Features in.
  public let inputFeatures: Int
  /// Features out.
  public let outputFeatures: Int

  /// A dense layer from `inputFeatures` to `outputFeatures`.
  public init(inputFeatures: Int, outputFeatures: Int) {
    precondition(inputFeatures > 0 && outputFeatures > 0)
    self.inputFeatures = inputFeatures
    self.outputFeatures = outputFeatures
  }

  /// Weights then biases.
  public var parameterCount: Int { outputFeatures * inputFeatures + outputFeatures }

  /// Glorot-uniform (`tanh`, `identity`) or He-uniform (`relu`) weights, zero biases.
  public func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    let weights = outputFeatures * inputFeatures
    let limit = activation.initializationLimit(fanIn: inputFeatures, fanOut: outputFeatures)
    for i in 0..<weights { parameters[i] = Float((2 * generator.nextUniform() - 1) * limit) }
    (parameters + weights).update(repeating: 0, count: outputFeatures)
  }

  /// Forward pass: `output = input * W^T + b`.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
    parameters: UnsafePointer<Float>
  ) {
    BLAS.gemm(
      transposeA: false, transposeB: true, m: batch, n: outputFeatures, k: inputFeatures,
      a: input, lda: inputFeatures, b: parameters, ldb: inputFeatures, beta: 0, c: output,
      ldc: outputFeatures)
    let bias = parameters + outputFeatures * inputFeatures
    for b in 0..<batch {
      let row = output + b * outputFeatures
      for o in 0..<outputFeatures { row[o] += bias[o] }
    }
  }

  /// Backward pass: adds `dW += dY^T X`, `db += sum dY`; writes `dX = dY W` when asked.
  public func backward(
    input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    inputGradient: UnsafeMutablePointer<Float>?, batch: Int,
    parameters: UnsafePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>
  ) {
    BLAS.gemm(
      transposeA: true, transposeB: false, m: outputFeatures, n: inputFeatures, k: batch,
      a: outputGradient, lda: outputFeatures, b: input, ldb: inputFeatures, beta: 1,
      c: parameterGradient, ldc: inputFeatures)
    let biasGradient = parameterGradient + outputFeatures * inputFeatures
    for b in 0..<batch {
      let row = outputGradient + b * outputFeatures
      for o in 0..<outputFeatures { biasGradient[o] += row[o] }
    }
    guard let inputGradient else { return }
    BLAS.gemm(
      transposeA: false, transposeB: false, m: batch, n: inputFeatures, k: outputFeatures,
      a: outputGradient, lda: outputFeatures, b: parameters, ldb: inputFeatures, beta: 0,
      c: inputGradient, ldc: inputFeatures)
  }
}

extension Dense: Layer {
  public var description: String { "Dense" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input == .features(inputFeatures) ? .features(outputFeatures) : nil
  }

  public func markPenalizedParameters(_ mask: UnsafeMutablePointer<Float>) {
    mask.update(repeating: 1, count: outputFeatures * inputFeatures)
  }

  public func forward(_ pass: LayerForward) {
    forward(input: pass.input, output: pass.output, batch: pass.batch, parameters: pass.parameters)
  }

  public func backward(_ pass: LayerBackward) {
    backward(
      input: pass.input, outputGradient: pass.outputGradient, inputGradient: pass.inputGradient,
      batch: pass.batch, parameters: pass.parameters, parameterGradient: pass.parameterGradient)
  }
}
