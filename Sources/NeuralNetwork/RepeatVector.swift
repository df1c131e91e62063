/// Repeats a feature vector at every step (Keras's `RepeatVector`): input `batch x features`
/// (a one-channel block), output `features x (batch * length)` with `y[f, b * length + t] =
/// x[b, f]`. Backward sums the steps' gradients. The recurrent decoder's input.
public struct RepeatVector: Sendable, Equatable {
  public let features: Int
  /// Steps per sample of the output.
  public let length: Int

  public init(features: Int, length: Int) {
    precondition(features > 0 && length > 0)
    self.features = features
    self.length = length
  }
}

extension RepeatVector: Layer {
  public var description: String { "RepeatVector(\(length))" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input == .features(features) ? LayerShape(channels: features, length: length) : nil
  }

  public func forward(_ pass: LayerForward) {
    let n = pass.batch
    for f in 0..<features {
      let row = pass.output + f * n * length
      for b in 0..<n {
        (row + b * length).update(repeating: pass.input[b * features + f], count: length)
      }
    }
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    let n = pass.batch
    for f in 0..<features {
      let row = pass.outputGradient + f * n * length
      for b in 0..<n {
        inputGradient[b * features + f] = sumOfElements(row + b * length, count: length)
      }
    }
  }
}
