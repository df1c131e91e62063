import Foundation
import NeuralNetwork
import Numerics
import Testing

/// A layer this module does not have: `y[c, t] = scale[c] * x[c, t] + shift[c]`. Declaring it
/// and listing it in a network is all it takes to train it (no switch to extend elsewhere).
struct ChannelAffine: Layer {
  let channels: Int

  var description: String { "ChannelAffine" }
  var parameterCount: Int { 2 * channels }

  func outputShape(for input: LayerShape) -> LayerShape? {
    input.channels == channels ? input : nil
  }

  func initialize(
    _ parameters: UnsafeMutablePointer<Float>, activation: Activation,
    generator: inout SeededGenerator
  ) {
    for c in 0..<channels {
      parameters[c] = Float(0.5 + generator.nextUniform())
      parameters[channels + c] = Float(generator.nextUniform() - 0.5)
    }
  }

  func forward(_ pass: LayerForward) {
    let row = pass.batch * pass.inputShape.length
    for c in 0..<channels {
      for i in 0..<row {
        pass.output[c * row + i] =
          pass.parameters[c] * pass.input[c * row + i]
          + pass.parameters[channels + c]
      }
    }
  }

  func backward(_ pass: LayerBackward) {
    let row = pass.batch * pass.inputShape.length
    for c in 0..<channels {
      for i in 0..<row {
        let g = pass.outputGradient[c * row + i]
        pass.parameterGradient[c] += g * pass.input[c * row + i]
        pass.parameterGradient[channels + c] += g
        pass.inputGradient?[c * row + i] = g * pass.parameters[c]
      }
    }
  }
}

@Suite struct CustomLayerTests {
  @Test func aLayerDeclaredOutsideTheModuleTrainsWithCorrectGradients() throws {
    let (n, c, l) = (3, 2, 10)
    let conv = Conv1D(inputChannels: c, outputChannels: 3, kernelSize: 3)
    let network = try Sequential(
      input: LayerShape(channels: c, length: l),
      layers: [
        (conv, .identity), (ChannelAffine(channels: 3), .identity), (Activation.tanh, .tanh),
      ])
    network.initializeParameters(seed: 4)
    #expect(network.parameterCount == conv.parameterCount + 6)
    #expect(network.layerDescriptions[1] == "ChannelAffine 3x10 -> 3x10")
    let x = randomValues(n * c * l, seed: 5)
    let g = randomValues(n * 3 * l, seed: 6)
    let y = network.forward(Tensor(shape: [n, c, l], values: x))
    network.backward(outputGradient: Tensor(shape: [n, 3, l], values: g))

    // Reference: the same network in Double, loss = sum(y * g).
    let (xd, gd) = (x.map(Double.init), g.map(Double.init))
    func reference(_ p: [Double]) -> [Double] {
      let weights = conv.parameterCount - 3
      let h = Reference.conv1d(
        xd, n: n, inChannels: c, length: l, weight: Array(p[0..<weights]),
        bias: Array(p[weights..<(weights + 3)]), outChannels: 3, kernel: 3)
      let affine = Array(p[conv.parameterCount...])
      return h.indices.map { i in
        let channel = (i / l) % 3
        return tanh(affine[channel] * h[i] + affine[3 + channel])
      }
    }
    let pd = network.parameters.map(Double.init)
    #expect(gradientError(y.values, reference(pd)) < 1e-5)
    let numerical = Reference.numericalGradient(at: pd) { dot(reference($0), gd) }
    #expect(gradientError(network.gradients, numerical) < 1e-3)
  }

  @Test func aLayerThatCannotTakeItsInputIsRefusedWhenTheNetworkIsBuilt() {
    #expect(throws: NeuralNetworkError.self) {
      try Sequential(
        input: LayerShape(channels: 2, length: 8),
        layers: [(ChannelAffine(channels: 3), .identity)])
    }
  }
}

@Suite struct TrainingMemoryTests {
  @Test func theEstimateCoversWhatTrainingAllocatesAndSaturatesInsteadOfOverflowing() throws {
    let configuration = Autoencoder.Configuration(
      inputChannels: 3, inputLength: 100, filters: [4, 4], kernels: [5], activation: .relu,
      latent: 8)
    let model = try Autoencoder(configuration: configuration, seed: 1)
    let estimate = try Autoencoder.trainingBytes(
      configuration: configuration, batch: 32, workers: 2)
    // At least parameters, gradients and Adam's moments, plus the batch's input and output.
    #expect(estimate.value >= model.parameterCount * 16 + 2 * 32 * 3 * 100 * 4)
    #expect(estimate.value < 64 << 20)
    let huge = Autoencoder.Configuration(
      inputChannels: 4096, inputLength: 1 << 24, filters: [4096, 4096], kernels: [4096],
      activation: .relu, latent: 1 << 24)
    let hugeEstimate = try Autoencoder.trainingBytes(
      configuration: huge, batch: 1 << 20, workers: 64)
    #expect(hugeEstimate.value > 1 << 50)
  }
}
