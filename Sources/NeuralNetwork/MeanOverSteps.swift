/// The mean over each sample's steps as a feature vector: input `channels x (batch * length)`,
/// output `batch x channels` (a one-channel block), `y[b, c] = (1 / length) sum_t x[c, b *
/// length + t]`. A summary of a whole sequence in which every step counts alike (the recurrent
/// encoder's, see `Autoencoder+Recurrent.swift`); backward spreads the gradient evenly.
public struct MeanOverSteps: Sendable, Equatable {
  public let channels: Int

  public init(channels: Int) {
    precondition(channels > 0)
    self.channels = channels
  }
}

extension MeanOverSteps: Layer {
  public var description: String { "MeanOverSteps" }

  public func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == channels ? .features(channels) : nil
  }

  public func forward(_ pass: LayerForward) {
    let (n, l) = (pass.batch, pass.inputShape.length)
    let scale = 1 / Float(l)
    for c in 0..<channels {
      for b in 0..<n {
        pass.output[b * channels + c] =
          sumOfElements(pass.input + c * n * l + b * l, count: l) * scale
      }
    }
  }

  public func backward(_ pass: LayerBackward) {
    guard let inputGradient = pass.inputGradient else { return }
    let (n, l) = (pass.batch, pass.inputShape.length)
    let scale = 1 / Float(l)
    for c in 0..<channels {
      for b in 0..<n {
        (inputGradient + c * n * l + b * l).update(
          repeating: pass.outputGradient[b * channels + c] * scale, count: l)
      }
    }
  }
}
