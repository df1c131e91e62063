import Foundation
import NeuralNetwork
import Numerics
import Testing

@Suite struct TrainingTests {
  /// Sines of random frequency and phase, plus a little noise.
  static func signals(
    count: Int, channels: Int, length: Int, seed: UInt64, fixedFrequency: Double? = nil
  ) -> Tensor {
    var g = SeededGenerator(seed: seed)
    var values = [Float](repeating: 0, count: count * channels * length)
    for i in 0..<(count * channels) {
      let frequency = fixedFrequency ?? (1 + 2 * g.nextUniform())
      let amplitude = fixedFrequency == nil ? 0.8 : 0.3 + 0.7 * g.nextUniform()
      let phase = 2 * Double.pi * g.nextUniform()
      for t in 0..<length {
        values[i * length + t] = Float(
          amplitude * sin(2 * .pi * frequency * Double(t) / Double(length) + phase)
            + 0.02 * g.nextGaussian())
      }
    }
    return Tensor(shape: [count, channels, length], values: values)
  }

  static let polarity = Autoencoder.Configuration(
    inputChannels: 1, inputLength: 32, filters: [8, 4, 2, 1], kernels: [11, 9, 3, 3],
    activation: .tanh, latent: 0)

  static func train(threads: Int, steps: Int, seed: UInt64 = 11) throws -> Autoencoder {
    let model = try Autoencoder(
      configuration: Autoencoder.Configuration(
        inputChannels: 2, inputLength: 45, filters: [6, 4], kernels: [5, 4], activation: .tanh,
        latent: 4), seed: seed)
    model.threadCount = threads
    let data = signals(count: 64, channels: 2, length: 45, seed: 3)
    for step in 0..<steps {
      let start = (step * 24) % 40
      model.trainReconstructionStep(data.slice(start..<(start + 24)), learningRate: 3e-3)
    }
    return model
  }

  @Test func sameSeedAndThreadCountGiveBitIdenticalWeights() throws {
    let a = try Self.train(threads: 2, steps: 6)
    let b = try Self.train(threads: 2, steps: 6)
    #expect(a.parameters == b.parameters)
    #expect(a.optimizer == b.optimizer)
    let c = try Self.train(threads: 2, steps: 6, seed: 12)
    #expect(a.parameters != c.parameters)
  }

  @Test func oneAndTwoThreadsAgree() throws {
    let one = try Self.train(threads: 1, steps: 6)
    let two = try Self.train(threads: 2, steps: 6)
    // The batch cut and reduction order do not depend on the thread count, so this is exact;
    // the acceptance bound is 1e-6 relative.
    #expect(Approximate.maxRelativeError(one.parameters, two.parameters) <= 1e-6)
    #expect(one.parameters == two.parameters)
  }

  @Test func polarityNetLearnsToReconstructSines() throws {
    let model = try Autoencoder(configuration: Self.polarity, seed: 1)
    // Two numbers (the latent size of this net) can describe a sine of known frequency.
    let data = Self.signals(count: 256, channels: 1, length: 32, seed: 4, fixedFrequency: 2)
    let first = model.computeReconstructionGradients(data)
    var last: Float = first
    for epoch in 0..<100 {
      for start in stride(from: 0, to: 256, by: 64) {
        last = model.trainReconstructionStep(data.slice(start..<(start + 64)), learningRate: 1e-2)
      }
      _ = epoch
    }
    let final = model.computeReconstructionGradients(data)
    #expect(final < 0.25 * first, "loss \(first) -> \(final) (last batch \(last))")
  }
}
