import Foundation
import NeuralNetwork
import Numerics
import Testing

@Suite struct AutoencoderTests {
  typealias Configuration = Autoencoder.Configuration

  static let gradientConfigurations: [Configuration] = [
    // odd length (13 -> padded 16), even and odd kernels, dense bottleneck, tanh
    Configuration(
      inputChannels: 2, inputLength: 13, filters: [3, 2], kernels: [4, 3], activation: .tanh,
      latent: 3),
    // relu, no bottleneck, one kernel for all
    Configuration(
      inputChannels: 1, inputLength: 16, filters: [2, 1], kernels: [5], activation: .relu,
      latent: 0),
    // three stages, odd length 21 -> 24, even kernel 2
    Configuration(
      inputChannels: 3, inputLength: 21, filters: [2, 2, 1], kernels: [2, 3, 1],
      activation: .tanh, latent: 2),
  ]

  /// Loss = wr * MSE(reconstruction, x) + wz * sum(latent * G): exercises both gradient inputs.
  @Test(arguments: gradientConfigurations)
  func wholeNetworkGradientsMatchDoubleCentralDifferences(configuration: Configuration) throws {
    let n = 3
    let model = try Autoencoder(configuration: configuration, seed: 7)
    // Random non-zero biases too: with zero biases a dead ReLU channel feeds exact zeros to the
    // next layer, which sits on the kink, where central differences are meaningless.
    model.parameters = randomValues(model.parameterCount, seed: 23, scale: 0.5)
    let c = configuration.inputChannels
    let l = configuration.inputLength
    let x = randomValues(n * c * l, seed: 21)
    let g = randomValues(n * model.latentDimension, seed: 22)
    let (wr, wz): (Float, Float) = (0.7, 0.3)

    let (latent, reconstruction) = model.forward(Tensor(shape: [n, c, l], values: x))
    let (xd, pd) = (x.map(Double.init), model.parameters.map(Double.init))
    let reference = Reference.autoencoder(configuration, parameters: pd, input: xd, n: n)
    #expect(gradientError(latent.values, reference.latent) < 1e-5)
    #expect(gradientError(reconstruction.values, reference.reconstruction) < 1e-5)

    let (_, reconstructionGradient) = MeanSquaredError().lossAndGradient(
      prediction: reconstruction.values, target: x, scale: wr)
    model.backward(
      reconstructionGradient: Tensor(shape: [n, c, l], values: reconstructionGradient),
      latentGradient: Tensor(shape: [n, model.latentDimension], values: g.map { wz * $0 }))

    let gd = g.map(Double.init)
    let numerical = Reference.numericalGradient(at: pd) { p in
      let r = Reference.autoencoder(configuration, parameters: p, input: xd, n: n)
      return Double(wr) * Reference.meanSquaredError(r.reconstruction, xd) + Double(wz)
        * dot(r.latent, gd)
    }
    #expect(gradientError(model.gradients, numerical) < 1e-3)
  }

  @Test func aLatentOnlyGradientTrainsTheEncoderAndLeavesTheDecoderAlone() throws {
    let configuration = Self.gradientConfigurations[0]
    let n = 2
    let model = try Autoencoder(configuration: configuration, seed: 8)
    let x = randomValues(n * 2 * 13, seed: 24)
    let g = randomValues(n * model.latentDimension, seed: 25)
    _ = model.forward(Tensor(shape: [n, 2, 13], values: x))
    model.backward(
      reconstructionGradient: nil,
      latentGradient: Tensor(shape: [n, model.latentDimension], values: g))
    let (xd, pd, gd) = (x.map(Double.init), model.parameters.map(Double.init), g.map(Double.init))
    let numerical = Reference.numericalGradient(at: pd) { p in
      dot(Reference.autoencoder(configuration, parameters: p, input: xd, n: n).latent, gd)
    }
    #expect(gradientError(model.gradients, numerical) < 1e-3)
    // encoder: 2 convs (2->3 k4, 3->2 k3) and the bottleneck dense (2*4 -> 3)
    let encoderCount = (3 * 2 * 4 + 3) + (2 * 3 * 3 + 2) + (3 * 8 + 3)
    #expect(model.gradients[encoderCount...].allSatisfy { $0 == 0 })
    #expect(model.gradients[..<encoderCount].contains { $0 != 0 })
  }

  @Test func polarityNetGradientsMatchDoubleCentralDifferences() throws {
    let configuration = Configuration(
      inputChannels: 1, inputLength: 32, filters: [8, 4, 2, 1], kernels: [11, 9, 3, 3],
      activation: .tanh, latent: 0)
    let n = 4
    let model = try Autoencoder(configuration: configuration, seed: 3)
    let x = randomValues(n * 32, seed: 31)
    model.computeReconstructionGradients(Tensor(shape: [n, 1, 32], values: x))
    let xd = x.map(Double.init)
    let pd = model.parameters.map(Double.init)
    let indices = Array(stride(from: 0, to: pd.count, by: 5))
    let numerical = Reference.numericalGradient(at: pd, indices: indices) { p in
      Reference.meanSquaredError(
        Reference.autoencoder(configuration, parameters: p, input: xd, n: n).reconstruction, xd)
    }
    #expect(gradientError(model.gradients, numerical, indices: indices) < 1e-3)
  }

  @Test func reconstructionStepReturnsTheReferenceLoss() throws {
    let configuration = Self.gradientConfigurations[0]
    let model = try Autoencoder(configuration: configuration, seed: 5)
    let x = randomValues(4 * 2 * 13, seed: 41)
    let pd = model.parameters.map(Double.init)
    let loss = model.trainReconstructionStep(
      Tensor(shape: [4, 2, 13], values: x), learningRate: 1e-3)
    let reference = Reference.autoencoder(
      configuration, parameters: pd, input: x.map(Double.init), n: 4)
    #expect(
      Double(loss).isApproximatelyEqual(
        to: Reference.meanSquaredError(reference.reconstruction, x.map(Double.init)),
        relativeTolerance: 1e-5))
    #expect(model.optimizer.step == 1)
    #expect(model.parameters.map(Double.init) != pd)
  }

  @Test func encodeAndDecodeAgreeWithTheTrainingForwardForAnyBatchSize() throws {
    let configuration = Configuration(
      inputChannels: 3, inputLength: 50, filters: [4, 3], kernels: [5], activation: .relu,
      latent: 6)
    let model = try Autoencoder(configuration: configuration, seed: 9)
    let n = 37  // not a multiple of the micro-batch size
    let x = Tensor(shape: [n, 3, 50], values: randomValues(n * 150, seed: 51))
    let (latent, reconstruction) = model.forward(x)
    let encoded = model.encode(x)
    #expect(encoded.shape == [n, 6])
    #expect(Approximate.maxRelativeError(encoded.values, latent.values) < 1e-5)
    let decoded = model.decode(encoded)
    #expect(decoded.shape == [n, 3, 50])
    #expect(Approximate.maxRelativeError(decoded.values, reconstruction.values) < 1e-5)
    // one sample at a time gives the same codes
    for i in [0, 17, 36] {
      let single = model.encode(x.slice(i..<(i + 1)))
      let row = Array(encoded.values[(i * 6)..<((i + 1) * 6)])
      #expect(Approximate.maxRelativeError(single.values, row) < 1e-5)
    }
  }

  @Test func lengthsArePaddedToAMultipleOfTwoToTheDepthAndSaySo() throws {
    let model = try Autoencoder(
      configuration: Configuration(
        inputChannels: 1, inputLength: 3001, filters: [4, 4, 2], kernels: [7],
        activation: .tanh, latent: 0), seed: 1)
    #expect(model.paddedLength == 3008)
    #expect(model.latentDimension == 2 * 376)
    #expect(model.lengthAdjustmentDescription.contains("3001 zero-padded at the end to 3008"))
    let exact = try Autoencoder(
      configuration: Configuration(
        inputChannels: 1, inputLength: 32, filters: [8, 4, 2, 1], kernels: [11, 9, 3, 3],
        activation: .tanh, latent: 0), seed: 1)
    #expect(exact.paddedLength == 32)
    #expect(exact.latentDimension == 2)
    #expect(exact.lengthAdjustmentDescription.contains("no padding"))
  }

  @Test func badConfigurationsThrowOneLineErrors() {
    let bad: [Configuration] = [
      Configuration(
        inputChannels: 1, inputLength: 32, filters: [], kernels: [3], activation: .tanh,
        latent: 0),
      Configuration(
        inputChannels: 1, inputLength: 32, filters: [4, 2], kernels: [3, 3, 3],
        activation: .tanh, latent: 0),
      Configuration(
        inputChannels: 1, inputLength: 32, filters: [4], kernels: [0], activation: .tanh,
        latent: 0),
      Configuration(
        inputChannels: 0, inputLength: 32, filters: [4], kernels: [3], activation: .tanh,
        latent: 0),
      Configuration(
        inputChannels: 1, inputLength: 32, filters: [4], kernels: [3], activation: .tanh,
        latent: -1),
    ]
    for configuration in bad {
      #expect(throws: NeuralNetworkError.self) {
        _ = try Autoencoder(configuration: configuration, seed: 1)
      }
    }
  }

  @Test func initialisationFollowsGlorotAndHeLimits() throws {
    for activation in [Activation.tanh, .relu] {
      let model = try Autoencoder(
        configuration: Configuration(
          inputChannels: 1, inputLength: 64, filters: [16], kernels: [9], activation: activation,
          latent: 0), seed: 2)
      let weights = Array(model.parameters[0..<(16 * 9)])
      let biases = Array(model.parameters[(16 * 9)..<(16 * 9 + 16)])
      let limit = activation == .relu ? (6.0 / 9).squareRoot() : (6.0 / (9 + 144)).squareRoot()
      #expect(weights.allSatisfy { abs(Double($0)) <= limit })
      #expect(weights.map { abs(Double($0)) }.max()! > 0.9 * limit)
      #expect(biases.allSatisfy { $0 == 0 })
    }
  }
}
