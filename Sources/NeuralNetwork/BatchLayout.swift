import Numerics

/// Conversions between the public **batch x channels x length** layout and the channel-major
/// block layout the layers use (`channels x (batch * length)`, see `NeuralNetwork`).
public enum BatchLayout {
  /// Copies `batch` samples of `channels x sourceLength` (sample-major, starting at `source`)
  /// into a channel-major block of length `blockLength` per sample. Steps beyond `sourceLength`
  /// are zero (padding); steps of the source beyond `blockLength` are dropped (cropping).
  public static func toChannelMajor(
    _ source: UnsafePointer<Float>, batch: Int, channels: Int, sourceLength: Int,
    blockLength: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    let copied = min(sourceLength, blockLength)
    let rowLength = batch * blockLength
    for b in 0..<batch {
      for c in 0..<channels {
        let from = source + (b * channels + c) * sourceLength
        let to = destination + c * rowLength + b * blockLength
        to.update(from: from, count: copied)
        if blockLength > copied { (to + copied).update(repeating: 0, count: blockLength - copied) }
      }
    }
  }

  /// The inverse of `toChannelMajor`: copies a channel-major block (length `blockLength` per
  /// sample) into `batch` samples of `channels x destinationLength`, zero-filling or cropping.
  public static func toSampleMajor(
    _ source: UnsafePointer<Float>, batch: Int, channels: Int, blockLength: Int,
    destinationLength: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    let copied = min(destinationLength, blockLength)
    let rowLength = batch * blockLength
    for b in 0..<batch {
      for c in 0..<channels {
        let from = source + c * rowLength + b * blockLength
        let to = destination + (b * channels + c) * destinationLength
        to.update(from: from, count: copied)
        if destinationLength > copied {
          (to + copied).update(repeating: 0, count: destinationLength - copied)
        }
      }
    }
  }

  /// `toChannelMajor` for a whole `[n, c, l]` tensor, with no padding.
  public static func channelMajor(_ tensor: Tensor) -> [Float] {
    precondition(tensor.rank == 3, "expected batch x channels x length, got \(tensor.shape)")
    let (n, c, l) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
    var out = [Float](repeating: 0, count: tensor.count)
    tensor.values.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        toChannelMajor(s, batch: n, channels: c, sourceLength: l, blockLength: l, into: d)
      }
    }
    return out
  }

  /// `toSampleMajor` for a whole block, giving an `[n, c, l]` tensor.
  public static func sampleMajor(_ block: [Float], batch: Int, channels: Int, length: Int)
    -> Tensor
  {
    precondition(block.count == batch * channels * length)
    var out = [Float](repeating: 0, count: block.count)
    block.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { destination in
        guard let s = source.baseAddress, let d = destination.baseAddress else { return }
        toSampleMajor(
          s, batch: batch, channels: channels, blockLength: length, destinationLength: length,
          into: d)
      }
    }
    return Tensor(shape: [batch, channels, length], values: out)
  }
}
