import Foundation
import NeuralNetwork
import Numerics
import Testing

/// Whole networks of every architecture, with the loss menu, against their Double references.
@Suite struct ArchitectureTests {
  typealias Configuration = Autoencoder.Configuration

  static let configurations: [Configuration] = [
    // Penalties against the error summed over a window: sparsity 2.6 applies as 2.6 / 26.
    {
      var c = Configuration(
        architecture: .conv, inputChannels: 2, inputLength: 13, filters: [3, 2], kernels: [3],
        activation: .tanh, latent: 2, sparsity: 2.6)
      c.penaltiesPerWindowSum = true
      return c
    }(),
    Configuration(
      architecture: .conv, inputChannels: 2, inputLength: 13, filters: [3, 2], kernels: [3],
      activation: .tanh, latent: 2, loss: .bce, dropout: 0.3, dropoutSeed: 4, sparsity: 0.1),
    Configuration(
      architecture: .tcn, inputChannels: 2, inputLength: 11, filters: [3, 2], kernels: [2],
      activation: .tanh, latent: 3),
    Configuration(
      architecture: .tcn, inputChannels: 1, inputLength: 8, filters: [2, 2], kernels: [3, 2],
      activation: .tanh, latent: 0, loss: .bce, dropout: 0.2, dropoutSeed: 1, sparsity: 0.05),
    Configuration(
      architecture: .lstm, inputChannels: 3, inputLength: 5, filters: [4, 3], kernels: [],
      activation: .tanh, latent: 2, dropout: 0.25, dropoutSeed: 2),
    Configuration(
      architecture: .lstm, inputChannels: 2, inputLength: 4, filters: [3], kernels: [],
      activation: .tanh, latent: 0, loss: .bce, sparsity: 0.2),
    Configuration(
      architecture: .dense, inputChannels: 2, inputLength: 6, filters: [5, 4], kernels: [],
      activation: .tanh, latent: 2, dropout: 0.3, dropoutSeed: 3, sparsity: 0.1),
    Configuration(
      architecture: .dense, inputChannels: 1, inputLength: 7, filters: [4], kernels: [],
      activation: .tanh, latent: 0, loss: .bce),
  ]

  /// `L = wr * loss(reconstruction, x) + wz * sum(z * G) + sparsity * sum|z| / n`, with the
  /// training-mode dropout masks of step 0, against central differences of the Double network.
  @Test(arguments: configurations)
  func wholeNetworkGradientsMatchDoubleCentralDifferences(configuration: Configuration) throws {
    let n = 3
    let model = try Autoencoder(configuration: configuration, seed: 7)
    model.parameters = randomValues(model.parameterCount, seed: 23, scale: 0.5)
    let (c, l) = (configuration.inputChannels, configuration.inputLength)
    var x = randomValues(n * c * l, seed: 21)
    if configuration.loss == .bce { x = x.map { 0.5 + 0.5 * $0 } }
    let d = model.latentDimension
    let g = randomValues(n * d, seed: 22)
    let (wr, wz): (Float, Float) = (0.7, 0.3)

    let (latent, reconstruction) = model.forward(Tensor(shape: [n, c, l], values: x))
    let (xd, pd, gd) = (x.map(Double.init), model.parameters.map(Double.init), g.map(Double.init))
    let reference = Reference.autoencoder(model, parameters: pd, input: xd, n: n, training: true)
    #expect(gradientError(latent.values, reference.latent) < 1e-5)
    #expect(gradientError(reconstruction.values, reference.reconstruction) < 1e-5)

    let loss = model.backward(
      reconstructionLoss: model.reconstructionLoss, weight: wr,
      latentGradient: Tensor(shape: [n, d], values: g.map { wz * $0 }))
    func reconstructionLoss(_ r: [Double]) -> Double {
      configuration.loss == .bce
        ? Reference.binaryCrossEntropySum(r, xd) / Double(r.count)
        : Reference.meanSquaredError(r, xd)
    }
    #expect(abs(loss - reconstructionLoss(reference.reconstruction)) < 1e-5)
    let numerical = Reference.numericalGradient(at: pd) { p in
      let r = Reference.autoencoder(model, parameters: p, input: xd, n: n, training: true)
      return Double(wr) * reconstructionLoss(r.reconstruction) + Double(wz) * dot(r.latent, gd)
        + configuration.effectiveSparsity * r.latent.reduce(0) { $0 + abs($1) } / Double(n)
    }
    #expect(gradientError(model.gradients, numerical) < 1e-3)
  }

  @Test(arguments: Autoencoder.Architecture.allCases)
  func everyArchitectureLearnsToReconstruct(architecture: Autoencoder.Architecture) throws {
    let (n, c, l) = (32, 2, 24)
    let configuration = Configuration(
      architecture: architecture, inputChannels: c, inputLength: l,
      filters: architecture == .dense ? [16] : architecture == .lstm ? [12] : [4, 4],
      kernels: architecture.hasKernels ? [3] : [], activation: .tanh, latent: 4)
    let model = try Autoencoder(configuration: configuration, seed: 1)
    // Smooth windows of two kinds (rising and falling ramps with noise).
    var generator = SeededGenerator(seed: 3)
    var values: [Float] = []
    for i in 0..<n {
      for channel in 0..<c {
        for t in 0..<l {
          let ramp = Double(t) / Double(l) * (i % 2 == 0 ? 1 : -1) * Double(channel + 1)
          values.append(Float(ramp + 0.05 * generator.nextGaussian()))
        }
      }
    }
    let x = Tensor(shape: [n, c, l], values: values)
    let first = model.trainReconstructionStep(x, learningRate: 1e-2)
    var last = first
    for _ in 0..<150 { last = model.trainReconstructionStep(x, learningRate: 1e-2) }
    #expect(last < 0.25 * first, "\(architecture): loss \(first) -> \(last)")
  }

  @Test(arguments: Autoencoder.Architecture.allCases)
  func trainingIsBitIdenticalForAnyThreadCount(architecture: Autoencoder.Architecture) throws {
    let configuration = Configuration(
      architecture: architecture, inputChannels: 3, inputLength: 20,
      filters: architecture.hasKernels ? [4, 3] : [5, 3],
      kernels: architecture.hasKernels ? [3] : [],
      activation: .relu, latent: 3, dropout: 0.2, dropoutSeed: 8, sparsity: 0.01)
    var results: [[Float]] = []
    for threads in [1, 2, 5] {
      let model = try Autoencoder(configuration: configuration, seed: 4)
      model.threadCount = threads
      for step in 0..<3 {
        let x = Tensor(shape: [37, 3, 20], values: randomValues(37 * 60, seed: UInt64(10 + step)))
        model.trainReconstructionStep(x, learningRate: 1e-2)
      }
      results.append(
        model.parameters
          + model.encode(Tensor(shape: [5, 3, 20], values: randomValues(300, seed: 1))).values)
    }
    #expect(results[0] == results[1])
    #expect(results[0] == results[2])
  }

  /// The loss is a mean over a window's values, so penalties that weigh against the error summed
  /// over the window (the textbook form, what the CLI's --l1, --l2, --sparsity mean) are divided
  /// by the values per window; models stored before keep their penalties as given.
  /// A code of a million values (`--latent 1000000`) passed every per-option limit and then
  /// allocated until the machine ran out of memory (found by a sweep); the parameter count is
  /// now capped before anything is allocated, so it fails at once. The tool's default net
  /// stays far below the cap.
  @Test func aNetworkOfMoreThan2To26ParametersIsRefusedBeforeAllocating() throws {
    let started = Date()
    let huge = Autoencoder.Configuration(
      architecture: .conv, inputChannels: 78, inputLength: 96, filters: [16, 16, 16],
      kernels: [5], activation: .relu, latent: 1_000_000)
    do {
      _ = try Autoencoder(configuration: huge, seed: 1)
      Issue.record("a network of about 4 x 10^8 parameters was made")
    } catch let error as NeuralNetworkError {
      #expect("\(error)".contains("parameters, more than 67108864"), "\(error)")
    }
    #expect(Date().timeIntervalSince(started) < 5)
    var usual = huge
    usual.latent = 16
    #expect(try Autoencoder(configuration: usual, seed: 1).parameterCount < 1 << 20)
  }

  @Test func penaltiesPerWindowSumAreDividedByTheValuesPerWindowAndStoredAsSuch() throws {
    var configuration = Configuration(
      architecture: .dense, inputChannels: 2, inputLength: 5, filters: [3], kernels: [],
      activation: .tanh, latent: 0, weightPenalty: WeightPenalty(l1: 0.5, l2: 0.25),
      sparsity: 0.1)
    #expect(configuration.penaltyScale == 1)
    #expect(configuration.effectiveWeightPenalty.l2 == 0.25)
    let before = try JSONEncoder().encode(configuration)
    configuration.penaltiesPerWindowSum = true
    #expect(abs(configuration.effectiveWeightPenalty.l1 - 0.05) < 1e-15)
    #expect(abs(configuration.effectiveWeightPenalty.l2 - 0.025) < 1e-15)
    #expect(abs(configuration.effectiveSparsity - 0.01) < 1e-15)
    let model = try Autoencoder(configuration: configuration, seed: 1)
    #expect(model.network.weightPenalty.l2 == configuration.effectiveWeightPenalty.l2)
    let after = try JSONEncoder().encode(configuration)
    let decoded = try JSONDecoder().decode(Configuration.self, from: after)
    #expect(decoded.penaltiesPerWindowSum)
    #expect(!(try JSONDecoder().decode(Configuration.self, from: before).penaltiesPerWindowSum))
    #expect(!String(decoding: before, as: UTF8.self).contains("penaltiesPerWindowSum"))
  }

  /// The joint stage of DEC trains with `dropoutActive` off: its training passes are then the
  /// inference passes (no mask), which they are not with dropout on.
  @Test(arguments: Autoencoder.Architecture.allCases)
  func trainingPassesWithDropoutOffAreInferencePasses(architecture: Autoencoder.Architecture)
    throws
  {
    let configuration = Configuration(
      architecture: architecture, inputChannels: 2, inputLength: 16,
      filters: architecture.hasKernels ? [4, 3] : [5, 3],
      kernels: architecture.hasKernels ? [3] : [], activation: .tanh, latent: 3, dropout: 0.5,
      dropoutSeed: 9)
    let model = try Autoencoder(configuration: configuration, seed: 3)
    let x = Tensor(shape: [4, 2, 16], values: randomValues(128, seed: 12))
    let inference = model.encode(x).values
    #expect(model.dropoutActive)
    #expect(model.trainingForward(x).values != inference)
    model.dropoutActive = false
    let training = model.trainingForward(x).values
    #expect(zip(training, inference).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
  }

  /// ... and their backward passes are inference's too. `Dropout.backward` applied the mask
  /// a training pass had left in its cache even when the forward pass had drawn none (an
  /// adversarial review: a `--dropout` run resumed in the clustering stage, in a new process
  /// with a fresh cache, ended with other labels than the run left alone). The gradient with
  /// dropout off must not depend on what ran before it.
  @Test(arguments: Autoencoder.Architecture.allCases)
  func gradientsWithDropoutOffIgnoreEarlierMasks(architecture: Autoencoder.Architecture) throws {
    let configuration = Configuration(
      architecture: architecture, inputChannels: 2, inputLength: 16,
      filters: architecture.hasKernels ? [4, 3] : [5, 3],
      kernels: architecture.hasKernels ? [3] : [], activation: .tanh, latent: 3, dropout: 0.5,
      dropoutSeed: 9)
    let x = Tensor(shape: [4, 2, 16], values: randomValues(128, seed: 12))
    let fresh = try Autoencoder(configuration: configuration, seed: 3)
    fresh.dropoutActive = false
    _ = fresh.computeReconstructionGradients(x)
    let used = try Autoencoder(configuration: configuration, seed: 3)
    _ = used.computeReconstructionGradients(x)  // a pretraining pass: masks in the caches
    used.dropoutActive = false
    _ = used.computeReconstructionGradients(x)
    #expect(fresh.gradients.count == used.gradients.count)
    let largest = fresh.gradients.map(abs).max() ?? 0
    #expect(largest > 0)
    #expect(
      zip(fresh.gradients, used.gradients).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, largest) })
  }

  /// A sigmoid output (binary cross-entropy) starts at each channel's mean: with the output
  /// layer's weights zeroed, its output is its bias, so every reconstructed value of channel c is
  /// the mean given for c (clamped to [1e-4, 1 - 1e-4]). A linear output (MSE) is left as drawn.
  @Test(arguments: Autoencoder.Architecture.allCases)
  func sigmoidOutputStartsAtTheChannelMeans(architecture: Autoencoder.Architecture) throws {
    let (c, l) = (3, 12)
    func configuration(_ loss: ReconstructionLossKind) -> Configuration {
      Configuration(
        architecture: architecture, inputChannels: c, inputLength: l,
        filters: architecture.hasKernels ? [4, 3] : [5, 3],
        kernels: architecture.hasKernels ? [3] : [], activation: .tanh, latent: 3, loss: loss)
    }
    let means = [0.0, 0.25, 0.9]
    let mse = try Autoencoder(configuration: configuration(.mse), seed: 2)
    let drawn = mse.parameters
    mse.initializeOutputBias(channelMeans: means)
    #expect(mse.parameters == drawn)

    let model = try Autoencoder(configuration: configuration(.bce), seed: 2)
    let before = model.parameters
    model.initializeOutputBias(channelMeans: [0.5, 0.5])  // not one per channel: ignored
    #expect(model.parameters == before)
    model.initializeOutputBias(channelMeans: means)
    // The output layer: conv's last conv has a bias per channel, tcn's and lstm's
    // time-distributed dense one per channel, dense's last dense one per value (C x L).
    let index = try #require(model.network.layers.lastIndex { $0.parameterCount > 0 })
    let biases = architecture == .dense ? c * l : c
    let end =
      model.network.parameterOffset(ofLayer: index)
      + model.network.layers[index].parameterCount
    var parameters = model.parameters
    #expect(parameters[..<(end - biases)] == before[..<(end - biases)])
    for i in model.network.parameterOffset(ofLayer: index)..<(end - biases) { parameters[i] = 0 }
    model.parameters = parameters
    let x = Tensor(shape: [2, c, l], values: randomValues(2 * c * l, seed: 7))
    let reconstruction = model.reconstruct(x).values
    for (i, value) in reconstruction.enumerated() {
      let expected = min(max(means[(i / l) % c], 1e-4), 1 - 1e-4)
      #expect(abs(Double(value) - expected) < 1e-5, "value \(i): \(value), mean \(expected)")
    }
  }

  @Test func weightPenaltiesAddToTheGradientOfWeightsButNotBiases() throws {
    let configuration = Configuration(
      architecture: .dense, inputChannels: 1, inputLength: 3, filters: [2], kernels: [],
      activation: .tanh, latent: 0, weightPenalty: WeightPenalty(l1: 0.5, l2: 0.25))
    let model = try Autoencoder(configuration: configuration, seed: 2)
    model.parameters = randomValues(model.parameterCount, seed: 5)
    let before = model.parameters
    let x = Tensor(shape: [2, 1, 3], values: randomValues(6, seed: 6))
    _ = model.trainingForward(x)
    model.backward(reconstructionLoss: MeanSquaredError(), weight: 1, latentGradient: nil)
    let gradients = model.gradients
    model.updateParameters(learningRate: 0.1)
    // Adam's first step moves each parameter by lr * sign(effective gradient): the penalty
    // flips it where it outweighs the loss gradient, for weights only.
    // Layers: dense 3 -> 2 (6 weights, 2 biases), dense 2 -> 3 (6 weights, 3 biases).
    let isWeight =
      (0..<6).map { _ in true } + [false, false] + (0..<6).map { _ in true }
      + [false, false, false]
    for i in 0..<model.parameterCount {
      let p = Double(before[i])
      let penalty = isWeight[i] ? 0.5 * (p > 0 ? 1 : -1) + 2 * 0.25 * p : 0
      let effective = Double(gradients[i]) + penalty
      let moved = Double(model.parameters[i]) - p
      #expect(abs(moved + 0.1 * (effective > 0 ? 1 : -1)) < 1e-5, "parameter \(i)")
    }
  }

  @Test func architectureJSONOfOldRunsReadsAsConvAndNewOnesRoundTrip() throws {
    let old = """
      {"activation":"relu","filters":[16,16,16],"inputChannels":78,"inputLength":92,"kernels":[5],"latent":16}
      """
    let configuration = try Configuration(jsonData: Data(old.utf8))
    #expect(configuration.architecture == .conv)
    #expect(configuration.loss == .mse && configuration.dropout == 0)
    // A conv net with default options writes the JSON it always wrote.
    #expect(String(decoding: try configuration.jsonData(), as: UTF8.self) == old)
    for c in Self.configurations {
      #expect(try Configuration(jsonData: try c.jsonData()) == c)
    }
  }

  @Test func kernelsAreRefusedWhereTheyDoNotApply() {
    for architecture in [Autoencoder.Architecture.lstm, .dense] {
      let configuration = Configuration(
        architecture: architecture, inputChannels: 1, inputLength: 8, filters: [4], kernels: [3],
        activation: .tanh, latent: 2)
      #expect(throws: NeuralNetworkError.self) {
        try Autoencoder(configuration: configuration, seed: 1)
      }
    }
  }
}
