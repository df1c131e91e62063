/// Nearest-neighbour upsampling by 2: each step is repeated twice.
///
/// Input `channels x (batch * length)`, output `channels x (batch * 2 * length)` (channel-major
/// blocks, see `NeuralNetwork`): `y[2t] = y[2t + 1] = x[t]`.
public struct Upsample1D: Sendable, Equatable {
  /// Channels (unchanged).
  public let channels: Int

  /// An upsampler over `channels` channels.
  public init(channels: Int) {
    precondition(channels > 0)
    self.channels = channels
  }

  /// Forward pass.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, length: Int
  ) {
    // Samples are contiguous along a row, so a row of batch*length steps upsamples as one.
    let count = channels * batch * length
    for t in 0..<count {
      let value = input[t]
      output[2 * t] = value
      output[2 * t + 1] = value
    }
  }

  /// Backward pass: each input step collects the gradients of its two copies.
  public func backward(
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
    batch: Int, length: Int
  ) {
    let count = channels * batch * length
    for t in 0..<count { inputGradient[t] = outputGradient[2 * t] + outputGradient[2 * t + 1] }
  }
}

extension Upsample1D: Layer {
  public var description: String { "Upsample1D(2)" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == channels ? LayerShape(channels: channels, length: 2 * input.length) : nil
  }

  public func forward(_ pass: LayerForward) {
    forward(
      input: pass.input, output: pass.output, batch: pass.batch, length: pass.inputShape.length)
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    backward(
      outputGradient: pass.outputGradient, inputGradient: inputGradient, batch: pass.batch,
      length: pass.inputShape.length)
  }
}
