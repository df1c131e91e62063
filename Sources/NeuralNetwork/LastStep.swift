/// The last step of each sample's sequence as a feature vector: input `channels x (batch *
/// length)`, output `batch x channels` (a one-channel block) with `y[b, c] = x[c, b * length +
/// length - 1]`. The recurrent encoder's summary of a window (its final hidden state); the
/// other steps get a zero gradient.
public struct LastStep: Sendable, Equatable {
  public let channels: Int

  public init(channels: Int) {
    precondition(channels > 0)
    self.channels = channels
  }
}

extension LastStep: Layer {
  public var description: String { "LastStep" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == channels ? .features(channels) : nil
  }

  public func forward(_ pass: LayerForward) {
    let (n, l) = (pass.batch, pass.inputShape.length)
    for b in 0..<n {
      for c in 0..<channels {
        pass.output[b * channels + c] = pass.input[c * n * l + b * l + l - 1]
      }
    }
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    let (n, l) = (pass.batch, pass.inputShape.length)
    inputGradient.update(repeating: 0, count: channels * n * l)
    for b in 0..<n {
      for c in 0..<channels {
        inputGradient[c * n * l + b * l + l - 1] = pass.outputGradient[b * channels + c]
      }
    }
  }
}
