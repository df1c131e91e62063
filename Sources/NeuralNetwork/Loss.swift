/// Mean squared error, `L = (1/count) * sum (prediction - target)^2`, over every value.
public enum MeanSquaredError {
  /// The loss, and when `gradient` is not nil, `gradient[i] = scale * dL/dprediction[i] =
  /// scale * 2 (prediction[i] - target[i]) / count`. `scale` lets a caller weight the term, for
  /// example by `(1 - lambda)` in DEC's `(1 - lambda) L_r + lambda L_c`. Summed in Double.
  public static func loss(
    prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
    gradient: UnsafeMutablePointer<Float>? = nil, scale: Float = 1
  ) -> Double {
    guard count > 0 else { return 0 }
    var sum = 0.0
    let factor = scale * 2 / Float(count)
    for i in 0..<count {
      let difference = prediction[i] - target[i]
      sum += Double(difference * difference)
      gradient?[i] = factor * difference
    }
    return sum / Double(count)
  }

  /// The loss between two arrays of equal length, and its gradient scaled by `scale`.
  public static func lossAndGradient(
    prediction: [Float], target: [Float], scale: Float = 1
  ) -> (loss: Double, gradient: [Float]) {
    precondition(prediction.count == target.count, "prediction and target lengths differ")
    var gradient = [Float](repeating: 0, count: prediction.count)
    let loss = prediction.withUnsafeBufferPointer { p in
      target.withUnsafeBufferPointer { t in
        gradient.withUnsafeMutableBufferPointer { g in
          Self.loss(
            prediction: p.baseAddress!, target: t.baseAddress!, count: p.count,
            gradient: g.baseAddress, scale: scale)
        }
      }
    }
    return (loss, gradient)
  }
}
