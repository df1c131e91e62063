/// A reconstruction loss as a forward/backward pair over `count` values: the loss is a mean of
/// per-value terms `l(p_i, t_i)`, and callers sum the terms with `forward` and divide by their
/// count themselves, so a loss over padded rows or several blocks adds up in one running total.
/// Every training stage calls the same pair (pretraining, the joint DEC stage, relabel).
public protocol ReconstructionLoss: Sendable {
  /// The name stored with a run (`mse`).
  var name: String { get }

  /// Adds `sum_i l(prediction[i], target[i])` over `count` values to `total`, accumulating in
  /// Double in an order that depends on `count` alone (deterministic).
  func forward(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
    total: inout Double)

  /// Writes `gradient[i] = weight * dl(prediction[i], target[i]) / dprediction[i]`. For the
  /// gradient of the mean, `weight` carries the `1 / count` (and any weight of the term, such as
  /// DEC's `1 - lambda`).
  func backward(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int, weight: Float,
    gradient: UnsafeMutablePointer<Float>)
}

extension ReconstructionLoss {
  /// The mean loss over two arrays of equal length and its gradient, weighted by `scale`.
  public func lossAndGradient(prediction: [Float], target: [Float], scale: Float = 1) -> (
    loss: Double, gradient: [Float]
  ) {
    precondition(prediction.count == target.count, "prediction and target lengths differ")
    guard !prediction.isEmpty else { return (0, []) }
    var gradient = [Float](repeating: 0, count: prediction.count)
    var total = 0.0
    prediction.withUnsafeBufferPointer { p in
      target.withUnsafeBufferPointer { t in
        gradient.withUnsafeMutableBufferPointer { g in
          forward(
            prediction: p.baseAddress!, target: t.baseAddress!, count: p.count, total: &total)
          backward(
            prediction: p.baseAddress!, target: t.baseAddress!, count: p.count,
            weight: scale / Float(p.count), gradient: g.baseAddress!)
        }
      }
    }
    return (total / Double(prediction.count), gradient)
  }
}

/// Mean squared error: `l(p, t) = (p - t)^2`, gradient `2 (p - t)`.
public struct MeanSquaredError: ReconstructionLoss, Equatable {
  public init() {}

  public var name: String { "mse" }

  public func forward(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
    total: inout Double
  ) {
    // Eight partial sums, so the loop vectorises (one running Double sum is a chain of
    // dependent adds, 4 % of a pretraining profile), combined in a fixed order.
    var partial = SIMD8<Double>(repeating: 0)
    var i = 0
    while i + 8 <= count {
      let p = UnsafeRawPointer(prediction + i).loadUnaligned(as: SIMD8<Float>.self)
      let t = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
      let difference = p - t
      partial += SIMD8<Double>(difference * difference)
      i += 8
    }
    var sum = total + partial.sum()
    while i < count {
      let difference = prediction[i] - target[i]
      sum += Double(difference * difference)
      i += 1
    }
    total = sum
  }

  public func backward(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int, weight: Float,
    gradient: UnsafeMutablePointer<Float>
  ) {
    let factor = 2 * weight
    for i in 0..<count { gradient[i] = factor * (prediction[i] - target[i]) }
  }
}
