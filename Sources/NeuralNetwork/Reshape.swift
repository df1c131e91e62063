/// Turns per-sample feature vectors (`batch x (channels * length)`) into a channel-major block
/// (`channels x (batch * length)`): the inverse of `Flatten`.
public struct Reshape: Sendable, Equatable {
  /// Channels of the block side.
  public let channels: Int
  /// Steps per sample on the block side.
  public let length: Int

  /// A reshape to `channels x length` samples.
  public init(channels: Int, length: Int) {
    precondition(channels > 0 && length > 0)
    self.channels = channels
    self.length = length
  }

  /// Flat to block.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int
  ) {
    BatchLayout.toChannelMajor(
      input, batch: batch, channels: channels, sourceLength: length, blockLength: length,
      into: output)
  }

  /// Block gradient back to flat gradient.
  public func backward(
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, batch: Int
  ) {
    BatchLayout.toSampleMajor(
      outputGradient, batch: batch, channels: channels, blockLength: length,
      destinationLength: length, into: inputGradient)
  }
}

extension Reshape: Layer {
  public var description: String { "Reshape" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input == .features(channels * length) ? LayerShape(channels: channels, length: length) : nil
  }

  public func forward(_ pass: LayerForward) {
    forward(input: pass.input, output: pass.output, batch: pass.batch)
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    backward(outputGradient: pass.outputGradient, inputGradient: inputGradient, batch: pass.batch)
  }
}
