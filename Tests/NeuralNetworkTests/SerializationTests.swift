import Foundation
import NeuralNetwork
import Numerics
import Testing

@Suite struct SerializationTests {
  static let configuration = Autoencoder.Configuration(
    inputChannels: 3, inputLength: 40, filters: [4, 2], kernels: [7], activation: .relu,
    latent: 5)

  @Test func aRestoredModelEncodesAndTrainsExactlyLikeTheOriginal() throws {
    let model = try Autoencoder(configuration: Self.configuration, seed: 4)
    let x = Tensor(shape: [8, 3, 40], values: randomValues(8 * 120, seed: 61))
    model.trainReconstructionStep(x, learningRate: 1e-2)
    model.trainReconstructionStep(x, learningRate: 1e-2)

    let json = try model.architectureJSON()
    let restored = try Autoencoder(
      configuration: Autoencoder.Configuration(jsonData: json),
      parameterData: model.parameterData, optimizerData: model.optimizerData)
    #expect(restored.configuration == Self.configuration)
    #expect(restored.parameters == model.parameters)
    #expect(restored.optimizer == model.optimizer)
    #expect(restored.encode(x) == model.encode(x))
    // Resuming training continues identically.
    model.trainReconstructionStep(x, learningRate: 1e-2)
    restored.trainReconstructionStep(x, learningRate: 1e-2)
    #expect(restored.parameters == model.parameters)
  }

  @Test func architectureJSONNamesTheCLIOptions() throws {
    let text = String(decoding: try Self.configuration.jsonData(), as: UTF8.self)
    #expect(
      text
        == #"{"activation":"relu","filters":[4,2],"inputChannels":3,"inputLength":40,"kernels":[7],"latent":5}"#
    )
  }

  @Test func wrongOrCorruptBlobsThrow() throws {
    let model = try Autoencoder(configuration: Self.configuration, seed: 4)
    let data = model.parameterData
    #expect(throws: NeuralNetworkError.self) {
      _ = try Autoencoder(configuration: Self.configuration, parameterData: data.dropLast(4))
    }
    #expect(throws: NeuralNetworkError.self) {
      _ = try Autoencoder(configuration: Self.configuration, parameterData: data.dropLast(1))
    }
    #expect(throws: NeuralNetworkError.self) {
      _ = try Autoencoder(
        configuration: Self.configuration, parameterData: data,
        optimizerData: model.optimizerData.dropLast(3))
    }
    #expect(throws: NeuralNetworkError.self) {
      _ = try Autoencoder.Configuration(jsonData: Data("{\"filters\":3}".utf8))
    }
  }
}

@Suite struct AdamTests {
  @Test func adamMatchesADoubleReferenceWithBiasCorrection() {
    var adam = Adam(parameterCount: 3)
    var p: [Float] = [0.5, -1, 2]
    var pd = p.map(Double.init)
    var m = [0.0, 0, 0]
    var v = [0.0, 0, 0]
    let gradients: [[Float]] = [[1, -2, 0.5], [0.1, 0.3, -4], [-1, 0, 2]]
    for (t, g) in gradients.enumerated() {
      adam.update(parameters: &p, gradients: g, learningRate: 0.01)
      for i in 0..<3 {
        m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
        v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
        let mh = m[i] / (1 - pow(0.9, Double(t + 1)))
        let vh = v[i] / (1 - pow(0.999, Double(t + 1)))
        pd[i] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
      }
    }
    #expect(Approximate.maxRelativeError(p, pd) < 1e-5)
    // the first step moves every parameter with a non-zero gradient by about the learning rate
    #expect(adam.step == 3)
    let restored = try? Adam(serialized: adam.serialized)
    #expect(restored == adam)
  }
}
