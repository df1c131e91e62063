/// Flattens a channel-major block (`channels x (batch * length)`) into per-sample feature
/// vectors (`batch x (channels * length)`, feature `c * length + t`, as PyTorch's `flatten` of
/// an `[n, c, l]` tensor), and back. `Reshape` is the same move in the other direction.
public struct Flatten: Sendable, Equatable {
  /// Channels of the block side.
  public let channels: Int
  /// Steps per sample on the block side.
  public let length: Int

  /// A flatten of `channels x length` samples.
  public init(channels: Int, length: Int) {
    precondition(channels > 0 && length > 0)
    self.channels = channels
    self.length = length
  }

  /// Features per sample on the flat side.
  public var features: Int { channels * length }

  /// Block to flat.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int
  ) {
    BatchLayout.toSampleMajor(
      input, batch: batch, channels: channels, blockLength: length, destinationLength: length,
      into: output)
  }

  /// Flat gradient back to block gradient.
  public func backward(
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, batch: Int
  ) {
    BatchLayout.toChannelMajor(
      outputGradient, batch: batch, channels: channels, sourceLength: length,
      blockLength: length, into: inputGradient)
  }
}

extension Flatten: Layer {
  public var description: String { "Flatten" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input == LayerShape(channels: channels, length: length) ? .features(features) : nil
  }

  public func forward(_ pass: LayerForward) {
    forward(input: pass.input, output: pass.output, batch: pass.batch)
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    backward(outputGradient: pass.outputGradient, inputGradient: inputGradient, batch: pass.batch)
  }
}
