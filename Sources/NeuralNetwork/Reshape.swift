/// Turns per-sample feature vectors (`batch x (channels * length)`) into a channel-major block
/// (`channels x (batch * length)`): the inverse of `Flatten`, whose forward is this backward.
public struct Reshape: Sendable, Equatable {
  private let flatten: Flatten

  /// A reshape to `channels x length` samples.
  public init(channels: Int, length: Int) {
    flatten = Flatten(channels: channels, length: length)
  }

  /// Channels of the block side.
  public var channels: Int { flatten.channels }
  /// Steps per sample on the block side.
  public var length: Int { flatten.length }

  /// Flat to block.
  public func forward(
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int
  ) {
    flatten.backward(outputGradient: input, inputGradient: output, batch: batch)
  }

  /// Block gradient back to flat gradient.
  public func backward(
    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, batch: Int
  ) {
    flatten.forward(input: outputGradient, output: inputGradient, batch: batch)
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
