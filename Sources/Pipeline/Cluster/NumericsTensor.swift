import Numerics
import Store

/// Window sets as network input tensors.
enum NumericsTensor {
  /// The N x C x L tensor of a window set's samples.
  static func make(_ samples: [Float], _ set: WindowSetRecord) -> Tensor {
    Tensor(
      shape: [samples.count / (set.channelCount * set.length), set.channelCount, set.length],
      values: samples)
  }
}
