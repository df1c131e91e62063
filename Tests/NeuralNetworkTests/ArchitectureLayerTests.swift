import Foundation
import NeuralNetwork
import Numerics
import TestSupport
import Testing

/// Reference values made by tools/make_layer_fixtures.py (PyTorch, float64).
enum LayerFixtures {
  struct LayerCase: Decodable {
    let batch: Int
    let length: Int
    let x: [Double]
    let parameters: [Double]
    let y: [Double]
    let g: [Double]
    let inputGradient: [Double]
    let parameterGradient: [Double]
    // LSTM
    let inputSize: Int?
    let hiddenSize: Int?
    let layers: Int?
    // convolutions and blocks
    let inputChannels: Int?
    let outputChannels: Int?
    let kernelSize: Int?
    let dilation: Int?
    let activation: String?
    // time-distributed dense
    let inputFeatures: Int?
    let outputFeatures: Int?
  }
  struct Sigmoid: Decodable {
    let x: [Double]
    let y: [Double]
  }
  struct BCE: Decodable {
    let prediction: [Double]
    let target: [Double]
    let loss: Double
    let gradient: [Double]
  }
  struct File: Decodable {
    let header: String
    let lstm: [LayerCase]
    let lstmStacked: LayerCase
    let causalConv: [LayerCase]
    let temporalBlock: [LayerCase]
    let timeDistributed: LayerCase
    let sigmoid: Sigmoid
    let bce: BCE
    let meanOverSteps: LayerCase
  }

  static let file: File = {
    let url = TestPaths.fixtures.appendingPathComponent("layers/layers.json")
    // swift-format-ignore: NeverUseForceTry
    return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
  }()
}

/// One layer's forward and backward pass called directly on block buffers (as `Sequential`
/// calls it): the output, the input gradient and the parameter gradients for `L = sum(y * g)`,
/// all in the public sample-major layout.
func directPass(
  _ layer: any Layer, input: LayerShape, batch n: Int, x: [Float], parameters: [Float],
  g: [Float], training: Bool = true, step: Int = 0
) -> (y: [Float], dx: [Float], dp: [Float]) {
  let out = layer.outputShape(for: input)!
  func block(_ values: [Float], _ shape: LayerShape) -> [Float] {
    shape.channels == 1 && shape.length > 0
      ? BatchLayout.channelMajor(Tensor(shape: [n, 1, shape.length], values: values))
      : BatchLayout.channelMajor(Tensor(shape: [n, shape.channels, shape.length], values: values))
  }
  let xBlock = block(x, input)
  let gBlock = block(g, out)
  var y = [Float](repeating: .nan, count: n * out.size)
  var dx = [Float](repeating: .nan, count: n * input.size)
  var dp = [Float](repeating: 0, count: layer.parameterCount)
  let scratchCount = max(1, layer.scratchCount(input: input, batch: n))
  var scratch = [Float](repeating: .nan, count: scratchCount)
  var scratchGradient = [Float](repeating: .nan, count: scratchCount)
  let cache = UnsafeMutableRawPointer.allocate(
    byteCount: max(1, n * layer.cacheBytesPerSample(input: input)), alignment: 16)
  defer { cache.deallocate() }
  xBlock.withUnsafeBufferPointer { xb in
    parameters.withUnsafeBufferPointer { pb in
      y.withUnsafeMutableBufferPointer { yb in
        scratch.withUnsafeMutableBufferPointer { sb in
          layer.forward(
            LayerForward(
              input: xb.baseAddress!, output: yb.baseAddress!, batch: n, inputShape: input,
              parameters: pb.baseAddress!, scratch: sb.baseAddress!, cache: cache,
              isTraining: training, step: step, firstSample: 0))
        }
      }
    }
  }
  xBlock.withUnsafeBufferPointer { xb in
    parameters.withUnsafeBufferPointer { pb in
      y.withUnsafeBufferPointer { yb in
        gBlock.withUnsafeBufferPointer { gb in
          dx.withUnsafeMutableBufferPointer { dxb in
            dp.withUnsafeMutableBufferPointer { dpb in
              scratch.withUnsafeMutableBufferPointer { sb in
                scratchGradient.withUnsafeMutableBufferPointer { sgb in
                  layer.backward(
                    LayerBackward(
                      input: xb.baseAddress!, output: yb.baseAddress!,
                      outputGradient: gb.baseAddress!, inputGradient: dxb.baseAddress!,
                      batch: n, inputShape: input, parameters: pb.baseAddress!,
                      parameterGradient: dpb.baseAddress!, scratch: sb.baseAddress!,
                      scratchGradient: sgb.baseAddress!, cache: UnsafeRawPointer(cache),
                      isTraining: training))
                }
              }
            }
          }
        }
      }
    }
  }
  func sampleMajor(_ values: [Float], _ shape: LayerShape) -> [Float] {
    BatchLayout.sampleMajor(values, batch: n, channels: shape.channels, length: shape.length)
      .values
  }
  return (sampleMajor(y, out), sampleMajor(dx, input), dp)
}

@Suite struct ArchitectureLayerFixtureTests {
  static let fixtures = LayerFixtures.file

  @Test func theFixturesNameTheScriptThatMadeThem() {
    #expect(Self.fixtures.header.contains("tools/make_layer_fixtures.py"))
  }

  /// Forward output, input gradient and parameter gradients of one layer against PyTorch's.
  func check(
    _ layer: any Layer, _ c: LayerFixtures.LayerCase, input: LayerShape,
    tolerance: Double = 1e-5
  ) {
    let (y, dx, dp) = directPass(
      layer, input: input, batch: c.batch, x: c.x.map(Float.init),
      parameters: c.parameters.map(Float.init), g: c.g.map(Float.init))
    #expect(gradientError(y, c.y) < tolerance)
    #expect(gradientError(dx, c.inputGradient) < 1e-4)
    #expect(gradientError(dp, c.parameterGradient) < 1e-4)
  }

  @Test func lstmMatchesPyTorchForwardAndGradients() {
    for c in Self.fixtures.lstm {
      let lstm = LSTM(inputSize: c.inputSize!, hiddenSize: c.hiddenSize!)
      #expect(lstm.parameterCount == c.parameters.count)
      check(lstm, c, input: LayerShape(channels: c.inputSize!, length: c.length))
    }
  }

  @Test func pyTorchsTwoLayerLSTMWeightsLoadAsTwoStackedLayers() throws {
    let c = Self.fixtures.lstmStacked
    let (i, h) = (c.inputSize!, c.hiddenSize!)
    let network = try Sequential(
      input: LayerShape(channels: i, length: c.length),
      layers: [
        (LSTM(inputSize: i, hiddenSize: h), .tanh), (LSTM(inputSize: h, hiddenSize: h), .tanh),
      ], parameters: c.parameters.map(Float.init))
    let y = network.forward(
      Tensor(shape: [c.batch, i, c.length], values: c.x.map(Float.init)))
    #expect(gradientError(y.values, c.y) < 1e-5)
    network.backward(
      outputGradient: Tensor(shape: [c.batch, h, c.length], values: c.g.map(Float.init)))
    #expect(gradientError(network.gradients, c.parameterGradient) < 1e-4)
  }

  @Test func dilatedCausalConvolutionMatchesPyTorch() {
    for c in Self.fixtures.causalConv {
      let conv = DilatedCausalConv1D(
        inputChannels: c.inputChannels!, outputChannels: c.outputChannels!,
        kernelSize: c.kernelSize!, dilation: c.dilation!)
      check(conv, c, input: LayerShape(channels: c.inputChannels!, length: c.length))
    }
  }

  @Test func temporalBlockMatchesPyTorch() {
    for c in Self.fixtures.temporalBlock {
      let block = TemporalBlock(
        inputChannels: c.inputChannels!, outputChannels: c.outputChannels!,
        kernelSize: c.kernelSize!, dilation: c.dilation!,
        activation: Activation(rawValue: c.activation!)!)
      #expect(block.parameterCount == c.parameters.count)
      check(block, c, input: LayerShape(channels: c.inputChannels!, length: c.length))
    }
  }

  @Test func timeDistributedDenseMatchesPyTorch() {
    let c = Self.fixtures.timeDistributed
    let dense = TimeDistributedDense(
      inputFeatures: c.inputFeatures!, outputFeatures: c.outputFeatures!)
    check(dense, c, input: LayerShape(channels: c.inputFeatures!, length: c.length))
  }

  @Test func meanOverStepsMatchesPyTorch() {
    let c = Self.fixtures.meanOverSteps
    check(
      MeanOverSteps(channels: c.inputChannels!), c,
      input: LayerShape(channels: c.inputChannels!, length: c.length))
  }

  @Test func sigmoidMatchesPyTorch() {
    let x = Self.fixtures.sigmoid.x.map(Float.init)
    var y = [Float](repeating: 0, count: x.count)
    Activation.sigmoid.forward(input: x, output: &y, count: x.count)
    for i in x.indices { #expect(abs(Double(y[i]) - Self.fixtures.sigmoid.y[i]) < 1e-6) }
    #expect(y.allSatisfy { $0 >= 0 && $0 <= 1 })
  }

  @Test func binaryCrossEntropyValueAndGradientMatchPyTorch() {
    let c = Self.fixtures.bce
    let (loss, gradient) = BinaryCrossEntropy().lossAndGradient(
      prediction: c.prediction.map(Float.init), target: c.target.map(Float.init))
    #expect(abs(loss - c.loss) / c.loss < 1e-6)
    #expect(gradientError(gradient, c.gradient) < 1e-5)
  }
}

/// The new layers' Float backward against central differences of their Double references, for
/// `L = sum(y * G)`.
@Suite struct ArchitectureLayerGradientTests {
  /// Output, input gradient and parameter gradient of `layer` on a random input, against the
  /// Double reference `reference(x, p)`.
  func check(
    _ layer: any Layer, input: LayerShape, batch n: Int, seed: UInt64,
    parameterScale: Double = 0.5, step: Int = 0, training: Bool = false,
    reference: ([Double], [Double]) -> [Double]
  ) throws {
    let out = layer.outputShape(for: input)!
    let x = randomValues(n * input.size, seed: seed)
    let p = randomValues(layer.parameterCount, seed: seed + 1, scale: parameterScale)
    let g = randomValues(n * out.size, seed: seed + 2)
    let (y, dx, dp) = directPass(
      layer, input: input, batch: n, x: x, parameters: p, g: g, training: training, step: step)
    let (xd, pd, gd) = (x.map(Double.init), p.map(Double.init), g.map(Double.init))
    #expect(gradientError(y, reference(xd, pd)) < 1e-5)
    let dpReference = Reference.numericalGradient(at: pd) { dot(reference(xd, $0), gd) }
    let dxReference = Reference.numericalGradient(at: xd) { dot(reference($0, pd), gd) }
    #expect(gradientError(dp, dpReference) < 1e-3)
    #expect(gradientError(dx, dxReference) < 1e-3)
  }

  @Test(arguments: [(3, 4, 5, 6), (2, 1, 3, 1), (1, 3, 2, 9)])
  func lstmBackpropagationThroughTimeMatchesCentralDifferences(
    n: Int, inputs: Int, hidden: Int, length: Int
  ) throws {
    let lstm = LSTM(inputSize: inputs, hiddenSize: hidden)
    try check(lstm, input: LayerShape(channels: inputs, length: length), batch: n, seed: 31) {
      Reference.lstm(
        $0, n: n, inputSize: inputs, hiddenSize: hidden, length: length, parameters: $1)
    }
  }

  @Test(arguments: [(3, 1, 7), (2, 2, 9), (4, 3, 5), (1, 4, 3)])
  func dilatedCausalConvolutionMatchesCentralDifferences(kernel: Int, dilation: Int, length: Int)
    throws
  {
    let (n, cin, cout) = (2, 2, 3)
    let conv = DilatedCausalConv1D(
      inputChannels: cin, outputChannels: cout, kernelSize: kernel, dilation: dilation)
    let w = cout * cin * kernel
    try check(conv, input: LayerShape(channels: cin, length: length), batch: n, seed: 41) {
      Reference.causalConv(
        $0, n: n, inChannels: cin, outChannels: cout, kernel: kernel, dilation: dilation,
        length: length, weight: Array($1[..<w]), bias: Array($1[w...]))
    }
  }

  @Test(arguments: [
    (2, 3, Activation.tanh, 0.0), (3, 3, .tanh, 0.0), (2, 4, .relu, 0.0), (2, 3, .tanh, 0.3),
  ])
  func temporalBlockMatchesCentralDifferences(
    inputs: Int, outputs: Int, activation: Activation, dropout: Double
  ) throws {
    let (n, length) = (3, 8)
    let block = TemporalBlock(
      inputChannels: inputs, outputChannels: outputs, kernelSize: 3, dilation: 2,
      activation: activation, dropout: dropout, seed: 77)
    try check(
      block, input: LayerShape(channels: inputs, length: length), batch: n, seed: 51,
      training: true
    ) {
      Reference.temporalBlock(
        $0, n: n, block: block, length: length, parameters: $1, step: 0, training: true)
    }
  }

  @Test func timeDistributedDenseRepeatVectorLastStepAndMeanOverStepsMatchCentralDifferences()
    throws
  {
    let (n, length) = (3, 5)
    let dense = TimeDistributedDense(inputFeatures: 3, outputFeatures: 2)
    try check(dense, input: LayerShape(channels: 3, length: length), batch: n, seed: 61) {
      Reference.timeDistributed(
        $0, n: n, inFeatures: 3, outFeatures: 2, length: length, weight: Array($1[..<6]),
        bias: Array($1[6...]))
    }
    let last = LastStep(channels: 3)
    try check(last, input: LayerShape(channels: 3, length: length), batch: n, seed: 62) { x, p in
      Reference.run(
        [last], input: x, shape: LayerShape(channels: 3, length: length), n: n, parameters: p)[0]
    }
    let mean = MeanOverSteps(channels: 3)
    try check(mean, input: LayerShape(channels: 3, length: length), batch: n, seed: 64) { x, p in
      Reference.run(
        [mean], input: x, shape: LayerShape(channels: 3, length: length), n: n, parameters: p)[0]
    }
    let repeatVector = RepeatVector(features: 4, length: length)
    try check(repeatVector, input: .features(4), batch: n, seed: 63) { x, p in
      Reference.run([repeatVector], input: x, shape: .features(4), n: n, parameters: p)[0]
    }
  }

  @Test func dropoutMatchesCentralDifferencesWithItsMask() throws {
    let (n, shape) = (4, LayerShape(channels: 3, length: 7))
    let dropout = Dropout(rate: 0.4, seed: 9)
    try check(dropout, input: shape, batch: n, seed: 71, training: true) { x, p in
      Reference.run([dropout], input: x, shape: shape, n: n, parameters: p, training: true)[0]
    }
  }

  @Test func binaryCrossEntropyGradientMatchesCentralDifferences() {
    let p = randomValues(31, seed: 81).map { 0.5 + 0.45 * $0 }
    let t = randomValues(31, seed: 82).map { 0.5 + 0.5 * $0 }
    let (loss, gradient) = BinaryCrossEntropy().lossAndGradient(
      prediction: p, target: t, scale: 0.7)
    let (pd, td) = (p.map(Double.init), t.map(Double.init))
    #expect(abs(loss - Reference.binaryCrossEntropySum(pd, td) / 31) < 1e-7)
    let numerical = Reference.numericalGradient(at: pd) {
      0.7 * Reference.binaryCrossEntropySum($0, td) / 31
    }
    #expect(gradientError(gradient, numerical) < 1e-4)
  }
}

@Suite struct DropoutTests {
  @Test func masksDropAboutTheRateAndScaleTheRestLikePyTorch() {
    let dropout = Dropout(rate: 0.25, seed: 3)
    var mask = [UInt8](repeating: 0, count: 100_000)
    mask.withUnsafeMutableBufferPointer {
      dropout.mask(step: 5, sample: 2, count: 100_000, into: $0.baseAddress!)
    }
    let kept = Double(mask.reduce(0) { $0 + Int($1) }) / 100_000
    #expect(abs(kept - 0.75) < 0.01)
    #expect(dropout.scale == Float(1 / 0.75))
  }

  @Test func masksDependOnSeedStepAndSampleOnly() {
    let dropout = Dropout(rate: 0.5, seed: 11)
    func mask(step: Int, sample: Int) -> [UInt8] {
      var m = [UInt8](repeating: 0, count: 64)
      m.withUnsafeMutableBufferPointer {
        dropout.mask(step: step, sample: sample, count: 64, into: $0.baseAddress!)
      }
      return m
    }
    #expect(mask(step: 1, sample: 3) == mask(step: 1, sample: 3))
    #expect(mask(step: 1, sample: 3) != mask(step: 2, sample: 3))
    #expect(mask(step: 1, sample: 3) != mask(step: 1, sample: 4))
  }

  @Test func trainingWithDropoutIsBitIdenticalOnAnyNumberOfThreads() throws {
    let configuration = Autoencoder.Configuration(
      architecture: .conv, inputChannels: 2, inputLength: 24, filters: [4, 4], kernels: [3],
      activation: .relu, latent: 3, dropout: 0.3, dropoutSeed: 5)
    var results: [[Float]] = []
    for threads in [1, 2, 3] {
      let model = try Autoencoder(configuration: configuration, seed: 2)
      model.threadCount = threads
      for step in 0..<4 {
        let x = Tensor(shape: [13, 2, 24], values: randomValues(13 * 48, seed: UInt64(step)))
        model.trainReconstructionStep(x, learningRate: 1e-2)
      }
      results.append(model.parameters)
    }
    #expect(results[0] == results[1])
    #expect(results[0] == results[2])
    // and dropout changed the training: without it the parameters differ
    var plain = configuration
    plain.dropout = 0
    let model = try Autoencoder(configuration: plain, seed: 2)
    for step in 0..<4 {
      let x = Tensor(shape: [13, 2, 24], values: randomValues(13 * 48, seed: UInt64(step)))
      model.trainReconstructionStep(x, learningRate: 1e-2)
    }
    #expect(model.parameters != results[0])
  }

  @Test func inferenceIgnoresDropout() throws {
    let configuration = Autoencoder.Configuration(
      architecture: .dense, inputChannels: 1, inputLength: 10, filters: [6], kernels: [],
      activation: .tanh, latent: 2, dropout: 0.5, dropoutSeed: 1)
    let model = try Autoencoder(configuration: configuration, seed: 3)
    var plain = configuration
    plain.dropout = 0
    let same = try Autoencoder(configuration: plain, parameters: model.parameters)
    let x = Tensor(shape: [4, 1, 10], values: randomValues(40, seed: 4))
    #expect(model.encode(x).values == same.encode(x).values)
    #expect(model.reconstruct(x).values == same.reconstruct(x).values)
  }
}
