import Foundation
import NeuralNetwork
import Numerics
import Testing

@testable import Clustering

@Suite struct DeepEmbeddedClusteringTests {
  /// Two families of 1 x 64 windows: a decaying low-frequency pulse and a high-frequency burst,
  /// random amplitude sign, phase and noise.
  func twoFamilies(count: Int, seed: UInt64) -> (windows: [Float], truth: [Int]) {
    var g = SeededGenerator(seed: seed)
    var windows: [Float] = []
    var truth: [Int] = []
    for i in 0..<count {
      let family = i % 2
      let frequency = family == 0 ? 0.04 : 0.3
      let phase = 0.5 * g.nextGaussian()
      let onset = 10 + Int(g.nextUniform() * 10)
      for t in 0..<64 {
        let s =
          t < onset
          ? 0 : exp(-Double(t - onset) / 20) * sin(2 * .pi * frequency * Double(t) + phase)
        windows.append(Float(s + 0.1 * g.nextGaussian()))
      }
      truth.append(family)
    }
    return (windows, truth)
  }

  func options(seed: UInt64) -> DECOptions {
    DECOptions(
      clusterCount: 2, pretrainEpochs: 30, batchSize: 32, learningRate: 3e-3, updateInterval: 10,
      tolerance: 0.001, maxIterations: 200, seed: seed)
  }

  func model(seed: UInt64) throws -> Autoencoder {
    try Autoencoder(
      configuration: .init(
        inputChannels: 1, inputLength: 64, filters: [8, 8], kernels: [5], activation: .tanh,
        latent: 4), seed: seed)
  }

  @Test func separatesTwoSignalFamilies() throws {
    let (windows, truth) = twoFamilies(count: 256, seed: 7)
    let dec = try DeepEmbeddedClustering(
      windows: windows, shape: (256, 1, 64), model: try model(seed: 1), options: options(seed: 1))
    let result = try dec.run()
    let accuracy = try ClusteringMetrics.accuracy(truth: truth, predicted: result.assignments)
    #expect(accuracy >= 0.95)
    #expect(result.pretrainingLosses.count == 30)
    #expect(result.pretrainingLosses.last! < result.pretrainingLosses.first!)
    #expect(result.updates.first?.labelChange == 1)
    #expect(result.softAssignment.count == 256 * 2)
    for i in 0..<256 {
      let row = result.softAssignment[(i * 2)..<(i * 2 + 2)]
      #expect(abs(row.reduce(0, +) - 1) < 1e-4)
      #expect(row[i * 2 + result.assignments[i]] == row.max())
    }
  }

  @Test func sameSeedGivesSameLabelsAndCentroids() throws {
    let (windows, _) = twoFamilies(count: 96, seed: 3)
    var o = options(seed: 5)
    o.pretrainEpochs = 3
    o.maxIterations = 30
    let a = try DeepEmbeddedClustering(
      windows: windows, shape: (96, 1, 64), model: try model(seed: 5), options: o
    ).run()
    let b = try DeepEmbeddedClustering(
      windows: windows, shape: (96, 1, 64), model: try model(seed: 5), options: o
    ).run()
    #expect(a.assignments == b.assignments)
    #expect(a.centroids == b.centroids)
    #expect(a.updates == b.updates)
  }

  @Test func stopsWhenFewLabelsChangeAndHonoursTheIterationCap() throws {
    let (windows, _) = twoFamilies(count: 64, seed: 4)
    var o = options(seed: 2)
    o.pretrainEpochs = 2
    o.tolerance = 1  // any update after the first stops
    let stopped = try DeepEmbeddedClustering(
      windows: windows, shape: (64, 1, 64), model: try model(seed: 2), options: o
    ).run()
    #expect(stopped.stopReason == "tol")
    #expect(stopped.updates.map(\.iteration) == [0, 10])
    o.tolerance = 0
    o.maxIterations = 25
    let capped = try DeepEmbeddedClustering(
      windows: windows, shape: (64, 1, 64), model: try model(seed: 2), options: o
    ).run()
    #expect(capped.stopReason == "max-iterations")
    #expect(capped.updates.map(\.iteration) == [0, 10, 20, 25])
  }

  @Test func refusesNonFiniteWindowsAndMoreClustersThanWindows() throws {
    var (windows, _) = twoFamilies(count: 8, seed: 1)
    windows[70] = .nan
    #expect(throws: ClusteringError.self) {
      try DeepEmbeddedClustering(
        windows: windows, shape: (8, 1, 64), model: try model(seed: 1), options: options(seed: 1))
    }
    var o = options(seed: 1)
    o.clusterCount = 9
    #expect(throws: ClusteringError.self) {
      try DeepEmbeddedClustering(
        windows: twoFamilies(count: 8, seed: 1).windows, shape: (8, 1, 64),
        model: try model(seed: 1), options: o)
    }
  }
}

@Suite struct DECCheckpointTests {
  let base = DeepEmbeddedClusteringTests()

  @Test func aRunResumedFromAnyCheckpointEndsExactlyAsAnUninterruptedOne() throws {
    let (windows, _) = base.twoFamilies(count: 96, seed: 9)
    var o = base.options(seed: 4)
    o.pretrainEpochs = 4
    o.maxIterations = 40
    o.tolerance = 0
    let full = try DeepEmbeddedClustering(
      windows: windows, shape: (96, 1, 64), model: try base.model(seed: 4), options: o)
    var checkpoints: [DECCheckpoint] = []
    full.onCheckpoint = { checkpoints.append(try DECCheckpoint(encoded: try $0.encoded())) }
    let expected = try full.run()
    #expect(checkpoints.filter { $0.stage == "pretrain" }.count == 4)
    #expect(checkpoints.filter { $0.stage == "cluster" }.map(\.iteration) == [0, 10, 20, 30])

    for checkpoint in [checkpoints[1], checkpoints[3], checkpoints[5], checkpoints[7]] {
      // A fresh process: a model with other weights, restored from the checkpoint.
      let resumed = try DeepEmbeddedClustering(
        windows: windows, shape: (96, 1, 64), model: try base.model(seed: 99), options: o)
      let result = try resumed.run(resumingFrom: checkpoint)
      #expect(
        result.assignments == expected.assignments, "\(checkpoint.stage) \(checkpoint.iteration)")
      #expect(result.centroids == expected.centroids)
      #expect(result.updates == expected.updates)
      #expect(result.pretrainingLosses == expected.pretrainingLosses)
    }
  }
}

@Suite struct ChunkedEncodingTests {
  @Test func embeddingsEncodedInChunksEqualThoseEncodedAtOnce() throws {
    let base = DeepEmbeddedClusteringTests()
    let (windows, _) = base.twoFamilies(count: 150, seed: 3)
    let model = try base.model(seed: 2)
    let dec = try DeepEmbeddedClustering(
      windows: windows, shape: (150, 1, 64), model: model, options: base.options(seed: 1))
    let whole = model.encode(try dec.windows.allWindows()).values
    // One chunk holding every window is the whole-set encoding exactly; smaller chunks change
    // the micro-batch layout of the GEMMs, hence rounding only.
    dec.encodingChunk = 1000
    #expect(try dec.embeddings() == whole)
    for chunk in [7, 64] {
      dec.encodingChunk = chunk
      let chunked = try dec.embeddings()
      #expect(chunked.count == whole.count)
      let worst = zip(chunked, whole).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
      #expect(worst < 1e-5, "chunks of \(chunk): \(worst)")
    }
  }
  /// Weights that became infinite without the loss saying so (`--learning-rate 1e308`, one
  /// epoch) reached k-means, which said "points contains NaN or infinity" (a sweep): the
  /// features say training diverged, in one chunk or several.
  @Test func bottleneckFeaturesThatAreNotFiniteSayTrainingDiverged() throws {
    let base = DeepEmbeddedClusteringTests()
    let (windows, _) = base.twoFamilies(count: 40, seed: 3)
    let model = try base.model(seed: 2)
    model.parameters = model.parameters.map { _ in Float.infinity }
    let dec = try DeepEmbeddedClustering(
      windows: windows, shape: (40, 1, 64), model: model, options: base.options(seed: 1))
    for chunk in [1000, 7] {
      dec.encodingChunk = chunk
      #expect(throws: ClusteringError.diverged("the network's bottleneck features")) {
        try dec.embeddings()
      }
    }
    #expect(throws: ClusteringError.diverged("the network's bottleneck features")) {
      try dec.initialCentroids()
    }
  }

  /// Pretraining a sigmoid-output model (binary cross-entropy) first sets the output biases from
  /// the channels' means over every window, read in chunks; an MSE model's are left as drawn.
  @Test func pretrainingStartsASigmoidOutputAtTheChannelMeans() throws {
    let (count, channels, length) = (50, 2, 16)
    var g = SeededGenerator(seed: 5)
    var values: [Float] = []
    for _ in 0..<count {
      for channel in 0..<channels {
        for _ in 0..<length {
          values.append(Float(channel == 0 ? 0.1 * g.nextUniform() : 0.5 + 0.5 * g.nextUniform()))
        }
      }
    }
    let windows = try WindowArray(values, count: count, channels: channels, length: length)
    var expected = [Double](repeating: 0, count: channels)
    for (i, v) in values.enumerated() { expected[(i / length) % channels] += Double(v) }
    expected = expected.map { $0 / Double(count * length) }
    let options = DECOptions(
      clusterCount: 2, pretrainEpochs: 1, batchSize: 64, learningRate: 1e-12, updateInterval: 1,
      tolerance: 0, maxIterations: 0, seed: 1)
    for loss in [ReconstructionLossKind.bce, .mse] {
      let model = try Autoencoder(
        configuration: .init(
          inputChannels: channels, inputLength: length, filters: [4], kernels: [3],
          activation: .tanh, latent: 2, loss: loss),
        seed: 3)
      let dec = try DeepEmbeddedClustering(windows: windows, model: model, options: options)
      for chunk in [7, count] {  // chunked reads, and the whole set at once
        dec.encodingChunk = chunk
        let means = try dec.channelMeans()
        #expect(zip(means, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "chunk \(chunk)")
      }
      _ = try dec.pretrain()
      // The last conv's biases are the model's last `channels` parameters.
      let biases = model.parameters.suffix(channels)
      for (bias, mean) in zip(biases, expected) {
        let wanted = loss == .bce ? log(mean / (1 - mean)) : 0
        #expect(abs(Double(bias) - wanted) < 1e-4, "\(loss): bias \(bias), wanted \(wanted)")
      }
    }
  }
}
