import Foundation
import NeuralNetwork
import Numerics
import Testing

/// Each layer's Float forward against the Double reference, and its Float backward against
/// central differences of the Double reference of `L = sum(y * G)` for a random `G`.
@Suite struct LayerGradientTests {
  @Test(arguments: [(1, 1), (2, 1), (3, 1), (4, 2), (5, 3), (8, 7), (11, 13), (4, 1)])
  func convolutionMatchesReferenceAndCentralDifferences(kernel: Int, length: Int) {
    let (n, cin, cout) = (3, 2, 3)
    let conv = Conv1D(inputChannels: cin, outputChannels: cout, kernelSize: kernel)
    let x = randomValues(n * cin * length, seed: 1)
    let p = randomValues(conv.parameterCount, seed: 2)
    let g = randomValues(n * cout * length, seed: 3)
    let wCount = cout * cin * kernel

    // Float forward and backward in the block layout.
    let xBlock = BatchLayout.channelMajor(Tensor(shape: [n, cin, length], values: x))
    let gBlock = BatchLayout.channelMajor(Tensor(shape: [n, cout, length], values: g))
    var yBlock = [Float](repeating: 0, count: n * cout * length)
    var dp = [Float](repeating: 0, count: conv.parameterCount)
    var dxBlock = [Float](repeating: .nan, count: n * cin * length)
    var columns = [Float](repeating: 0, count: conv.columnCount(batch: n, length: length))
    var columnGradient = columns
    conv.forward(
      input: xBlock, output: &yBlock, batch: n, length: length, parameters: p, columns: &columns)
    conv.backward(
      input: xBlock, outputGradient: gBlock, inputGradient: &dxBlock, batch: n, length: length,
      parameters: p, parameterGradient: &dp, columns: &columns, columnGradient: &columnGradient)
    let y = BatchLayout.sampleMajor(yBlock, batch: n, channels: cout, length: length).values
    let dx = BatchLayout.sampleMajor(dxBlock, batch: n, channels: cin, length: length).values

    func reference(_ x: [Double], _ p: [Double]) -> [Double] {
      Reference.conv1d(
        x, n: n, inChannels: cin, length: length, weight: Array(p[0..<wCount]),
        bias: Array(p[wCount...]), outChannels: cout, kernel: kernel)
    }
    let xd = x.map(Double.init)
    let pd = p.map(Double.init)
    let gd = g.map(Double.init)
    #expect(gradientError(y, reference(xd, pd)) < 1e-5)
    let dxReference = Reference.numericalGradient(at: xd) { dot(reference($0, pd), gd) }
    let dpReference = Reference.numericalGradient(at: pd) { dot(reference(xd, $0), gd) }
    #expect(gradientError(dx, dxReference) < 1e-3)
    #expect(gradientError(dp, dpReference) < 1e-3)
  }

  @Test(arguments: [2, 7, 10])
  func maxPoolMatchesReferenceAndCentralDifferences(length: Int) {
    let (n, c) = (2, 3)
    let pool = MaxPool1D(channels: c)
    let out = pool.outputLength(length)
    let x = randomValues(n * c * length, seed: 4)
    let g = randomValues(n * c * out, seed: 5)
    let xBlock = BatchLayout.channelMajor(Tensor(shape: [n, c, length], values: x))
    let gBlock = BatchLayout.channelMajor(Tensor(shape: [n, c, out], values: g))
    var yBlock = [Float](repeating: 0, count: n * c * out)
    var argmax = [Int32](repeating: 0, count: n * c * out)
    var dxBlock = [Float](repeating: .nan, count: n * c * length)
    pool.forward(input: xBlock, output: &yBlock, argmax: &argmax, batch: n, length: length)
    pool.backward(
      outputGradient: gBlock, argmax: argmax, inputGradient: &dxBlock, batch: n, length: length)
    let y = BatchLayout.sampleMajor(yBlock, batch: n, channels: c, length: out).values
    let dx = BatchLayout.sampleMajor(dxBlock, batch: n, channels: c, length: length).values
    let xd = x.map(Double.init)
    let gd = g.map(Double.init)
    #expect(y.map(Double.init) == Reference.maxPool(xd, n: n, channels: c, length: length))
    let reference = Reference.numericalGradient(at: xd) {
      dot(Reference.maxPool($0, n: n, channels: c, length: length), gd)
    }
    #expect(gradientError(dx, reference) < 1e-6)
  }

  @Test(arguments: [1, 5])
  func upsampleMatchesReferenceAndCentralDifferences(length: Int) {
    let (n, c) = (3, 2)
    let up = Upsample1D(channels: c)
    let x = randomValues(n * c * length, seed: 6)
    let g = randomValues(n * c * 2 * length, seed: 7)
    let xBlock = BatchLayout.channelMajor(Tensor(shape: [n, c, length], values: x))
    let gBlock = BatchLayout.channelMajor(Tensor(shape: [n, c, 2 * length], values: g))
    var yBlock = [Float](repeating: 0, count: 2 * x.count)
    var dxBlock = [Float](repeating: .nan, count: x.count)
    up.forward(input: xBlock, output: &yBlock, batch: n, length: length)
    up.backward(outputGradient: gBlock, inputGradient: &dxBlock, batch: n, length: length)
    let y = BatchLayout.sampleMajor(yBlock, batch: n, channels: c, length: 2 * length).values
    let dx = BatchLayout.sampleMajor(dxBlock, batch: n, channels: c, length: length).values
    let xd = x.map(Double.init)
    let gd = g.map(Double.init)
    #expect(y.map(Double.init) == Reference.upsample(xd, n: n, channels: c, length: length))
    let reference = Reference.numericalGradient(at: xd) {
      dot(Reference.upsample($0, n: n, channels: c, length: length), gd)
    }
    #expect(gradientError(dx, reference) < 1e-6)
  }

  @Test func denseMatchesReferenceAndCentralDifferences() {
    let (n, fin, fout) = (5, 7, 3)
    let dense = Dense(inputFeatures: fin, outputFeatures: fout)
    let x = randomValues(n * fin, seed: 8)
    let p = randomValues(dense.parameterCount, seed: 9)
    let g = randomValues(n * fout, seed: 10)
    var y = [Float](repeating: 0, count: n * fout)
    var dp = [Float](repeating: 0, count: dense.parameterCount)
    var dx = [Float](repeating: .nan, count: n * fin)
    dense.forward(input: x, output: &y, batch: n, parameters: p)
    dense.backward(
      input: x, outputGradient: g, inputGradient: &dx, batch: n, parameters: p,
      parameterGradient: &dp)
    let w = fout * fin
    func reference(_ x: [Double], _ p: [Double]) -> [Double] {
      Reference.dense(
        x, n: n, inFeatures: fin, weight: Array(p[0..<w]), bias: Array(p[w...]),
        outFeatures: fout)
    }
    let (xd, pd, gd) = (x.map(Double.init), p.map(Double.init), g.map(Double.init))
    #expect(gradientError(y, reference(xd, pd)) < 1e-5)
    #expect(
      gradientError(dx, Reference.numericalGradient(at: xd) { dot(reference($0, pd), gd) }) < 1e-3)
    #expect(
      gradientError(dp, Reference.numericalGradient(at: pd) { dot(reference(xd, $0), gd) }) < 1e-3)
  }

  @Test(arguments: Activation.allCases)
  func activationMatchesReferenceAndCentralDifferences(activation: Activation) {
    let x = randomValues(37, seed: 11, scale: 3)
    let g = randomValues(37, seed: 12)
    var y = [Float](repeating: 0, count: x.count)
    var dx = [Float](repeating: .nan, count: x.count)
    activation.forward(input: x, output: &y, count: x.count)
    activation.backward(output: y, outputGradient: g, inputGradient: &dx, count: x.count)
    let (xd, gd) = (x.map(Double.init), g.map(Double.init))
    #expect(gradientError(y, Reference.activate(xd, activation)) < 1e-6)
    let reference = Reference.numericalGradient(at: xd) {
      dot(Reference.activate($0, activation), gd)
    }
    #expect(gradientError(dx, reference) < 1e-4)
  }

  @Test func fastTanhIsWithinAFewUlpsOfTheLibraryTanh() {
    let x = (0..<40_001).map { Float(-20 + Double($0) * 0.001) }
    var y = [Float](repeating: 0, count: x.count)
    Activation.tanh.forward(input: x, output: &y, count: x.count)
    var worst = 0.0
    for i in x.indices { worst = max(worst, abs(Double(y[i]) - tanh(Double(x[i])))) }
    #expect(worst < 1e-6)
    #expect(y.allSatisfy { abs($0) <= 1 })
  }

  @Test func flattenAndReshapeAreInversePermutationsInPyTorchOrder() {
    let (n, c, l) = (3, 2, 5)
    let x = randomValues(n * c * l, seed: 13)
    let block = BatchLayout.channelMajor(Tensor(shape: [n, c, l], values: x))
    var flat = [Float](repeating: 0, count: x.count)
    Flatten(channels: c, length: l).forward(input: block, output: &flat, batch: n)
    // PyTorch's flatten of [n, c, l] is the sample-major tensor itself.
    #expect(flat == x)
    var back = [Float](repeating: 0, count: x.count)
    Reshape(channels: c, length: l).forward(input: flat, output: &back, batch: n)
    #expect(back == block)
    var gradient = [Float](repeating: 0, count: x.count)
    Reshape(channels: c, length: l).backward(
      outputGradient: block, inputGradient: &gradient, batch: n)
    #expect(gradient == x)
  }

  @Test func meanSquaredErrorMatchesReferenceAndItsGradient() {
    let a = randomValues(29, seed: 14)
    let b = randomValues(29, seed: 15)
    let (loss, gradient) = MeanSquaredError().lossAndGradient(prediction: a, target: b, scale: 0.3)
    let (ad, bd) = (a.map(Double.init), b.map(Double.init))
    #expect(abs(loss - Reference.meanSquaredError(ad, bd)) < 1e-7)
    let reference = Reference.numericalGradient(at: ad) {
      0.3 * Reference.meanSquaredError($0, bd)
    }
    #expect(gradientError(gradient, reference) < 1e-5)
    // forward adds into a running total (blocks of several rows add up in one sum)
    var total = 1.5
    a.withUnsafeBufferPointer { p in
      b.withUnsafeBufferPointer { t in
        MeanSquaredError().forward(
          prediction: p.baseAddress!, target: t.baseAddress!, count: 29, total: &total)
      }
    }
    #expect(abs(total - 1.5 - 29 * Reference.meanSquaredError(ad, bd)) < 1e-6)
  }
}
