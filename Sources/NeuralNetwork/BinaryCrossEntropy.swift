import Foundation

/// Binary cross-entropy, as PyTorch's `nn.BCELoss`: `l(p, t) = -(t log p + (1 - t) log(1 - p))`
/// with each logarithm clamped at -100, and gradient `(p - t) / max(p (1 - p), 1e-12)`.
///
/// Meant for targets in [0, 1] and predictions of a sigmoid output layer (the autoencoders put
/// one there when built for this loss): the product of this gradient and the sigmoid's
/// `p (1 - p)` is the well-behaved `p - t`. Callers check the targets' range (the data, not
/// this pair, knows where they come from).
public struct BinaryCrossEntropy: ReconstructionLoss, Equatable {
  public init() {}

  public var name: String { "bce" }

  public func forward(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
    total: inout Double
  ) {
    var sum = total
    for i in 0..<count {
      let p = Double(prediction[i])
      let t = Double(target[i])
      let logP = max(log(p), -100)
      let logQ = max(log1p(-p), -100)
      sum -= t * logP + (1 - t) * logQ
    }
    total = sum
  }

  public func backward(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int, weight: Float,
    gradient: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<count {
      let p = prediction[i]
      gradient[i] = weight * (p - target[i]) / max(p * (1 - p), 1e-12)
    }
  }
}

/// The reconstruction losses a model can be built for, by the name stored with it.
public enum ReconstructionLossKind: String, Codable, Sendable, CaseIterable {
  /// Mean squared error, for continuous data; a linear output layer.
  case mse
  /// Binary cross-entropy, for data in [0, 1]; a sigmoid output layer.
  case bce

  /// The loss pair.
  public var loss: any ReconstructionLoss {
    switch self {
    case .mse: MeanSquaredError()
    case .bce: BinaryCrossEntropy()
    }
  }

  /// The activation of the output layer that suits the loss.
  public var outputActivation: Activation {
    switch self {
    case .mse: .identity
    case .bce: .sigmoid
    }
  }
}
