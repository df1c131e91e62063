import NeuralNetwork
import Numerics
import Testing

/// Tiny hand-worked cases that pin forward behaviour.
@Suite struct LayerForwardTests {
  func convolve(_ x: [Float], _ w: [Float]) -> [Float] {
    let conv = Conv1D(inputChannels: 1, outputChannels: 1, kernelSize: w.count)
    var y = [Float](repeating: 0, count: x.count)
    var columns = [Float](repeating: 0, count: conv.columnCount(batch: 1, length: x.count))
    conv.forward(
      input: x, output: &y, batch: 1, length: x.count, parameters: w + [0], columns: &columns)
    return y
  }

  @Test func oddKernelPadsOneZeroOnEachSide() {
    // y[t] = x[t-1] + 10 x[t] + 100 x[t+1]
    #expect(convolve([1, 2, 3, 4], [1, 10, 100]) == [210, 321, 432, 43])
  }

  @Test func evenKernelPadsTheExtraZeroOnTheRightLikePyTorchSame() {
    // K = 2: left 0, right 1: y[t] = x[t] + 10 x[t+1]
    #expect(convolve([1, 2, 3, 4], [1, 10]) == [21, 32, 43, 4])
    // K = 4: left 1, right 2: y[t] = x[t-1] + 10 x[t] + 100 x[t+1] + 1000 x[t+2]
    #expect(convolve([1, 2, 3, 4], [1, 10, 100, 1000]) == [3210, 4321, 432, 43])
  }

  @Test func kernelLongerThanTheSignalSeesOnlyZerosOutside() {
    // K = 7 on 2 samples: left 3: y[t] = sum_k w[k] x[t + k - 3]
    let expected: [Float] = [4 * 1 + 5 * 2, 3 * 1 + 4 * 2]
    #expect(convolve([1, 2], [1, 2, 3, 4, 5, 6, 7]) == expected)
  }

  @Test func convolutionAddsTheBiasAndDoesNotMixSamplesOfABatch() {
    let conv = Conv1D(inputChannels: 1, outputChannels: 1, kernelSize: 3)
    // two samples [1, 2] and [3, 4] side by side in one block
    var y = [Float](repeating: 0, count: 4)
    var columns = [Float](repeating: 0, count: conv.columnCount(batch: 2, length: 2))
    conv.forward(
      input: [1, 2, 3, 4], output: &y, batch: 2, length: 2, parameters: [1, 1, 1, 0.5],
      columns: &columns)
    #expect(y == [3.5, 3.5, 7.5, 7.5])
  }

  @Test func maxPoolTiesGoToTheFirstElementAndOddLengthsAreFloored() {
    let pool = MaxPool1D(channels: 1)
    let x: [Float] = [1, 1, 3, 2, 2, 5, 7]
    var y = [Float](repeating: 0, count: 3)
    var argmax = [Int32](repeating: -1, count: 3)
    pool.forward(input: x, output: &y, argmax: &argmax, batch: 1, length: 7)
    #expect(y == [1, 3, 5])
    #expect(argmax == [0, 2, 5])
    var dx = [Float](repeating: .nan, count: 7)
    pool.backward(
      outputGradient: [1, 2, 3], argmax: argmax, inputGradient: &dx, batch: 1, length: 7)
    #expect(dx == [1, 0, 2, 0, 0, 3, 0])
  }

  @Test func upsampleRepeatsEachStepTwiceAndSumsGradientsBack() {
    let up = Upsample1D(channels: 1)
    var y = [Float](repeating: 0, count: 6)
    up.forward(input: [1, 2, 3], output: &y, batch: 1, length: 3)
    #expect(y == [1, 1, 2, 2, 3, 3])
    var dx = [Float](repeating: 0, count: 3)
    up.backward(outputGradient: [1, 2, 3, 4, 5, 6], inputGradient: &dx, batch: 1, length: 3)
    #expect(dx == [3, 7, 11])
  }

  @Test func reluZeroesNegativesAndTheirGradients() {
    var y = [Float](repeating: 0, count: 3)
    Activation.relu.forward(input: [-1, 0, 2], output: &y, count: 3)
    #expect(y == [0, 0, 2])
    var dx = [Float](repeating: 0, count: 3)
    Activation.relu.backward(output: y, outputGradient: [5, 5, 5], inputGradient: &dx, count: 3)
    #expect(dx == [0, 0, 5])
  }
}
