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
