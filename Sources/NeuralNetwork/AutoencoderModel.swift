import Foundation
import Numerics

/// What a clustering trainer needs of an autoencoder, whatever its layers: encode and decode,
/// one training step as forward / backward / update, and its state as bytes for checkpoints and
/// the store.
///
/// Windows are **batch x channels x length** tensors (`[n, inputChannels, inputLength]`); latent
/// codes are **batch x latentDimension**.
public protocol AutoencoderModel: AnyObject {
  var inputChannels: Int { get }
  var inputLength: Int { get }
  var latentDimension: Int { get }

  /// The latent codes of a batch, keeping no training state.
  func encode(_ x: Tensor) -> Tensor
  /// The reconstructions of latent codes.
  func decode(_ z: Tensor) -> Tensor

  /// The training forward pass on a batch, keeping what `backward` needs; returns the latent
  /// codes `[n, latentDimension]`.
  func trainingForward(_ batch: Tensor) -> Tensor
  /// Back-propagates `weight * loss(reconstruction, input)` plus, when given, the gradient
  /// `latentGradient` (`[n, latentDimension]`) at the latent code, from the last
  /// `trainingForward`. Overwrites the gradients; returns the unweighted mean loss.
  @discardableResult
  func backward(
    reconstructionLoss loss: any ReconstructionLoss, weight: Float, latentGradient: Tensor?
  ) -> Double
  /// One optimizer update of the parameters from the current gradients.
  func updateParameters(learningRate: Float)

  /// The parameters as little-endian Float32 bytes.
  var parameterData: Data { get }
  /// The optimizer state as bytes.
  var optimizerData: Data { get }
  /// Replaces the parameters and optimizer state with stored ones.
  func restore(parameterData: Data, optimizerData: Data) throws
  /// The architecture as JSON, for the store.
  func architectureJSON() throws -> Data
  /// How the model adapts the input length, in words (for the log).
  var lengthAdjustmentDescription: String { get }
  /// The reconstruction loss the model is built for (its output layer suits it): what every
  /// training stage uses unless told otherwise.
  var reconstructionLoss: any ReconstructionLoss { get }
  /// Whether training passes draw dropout masks (true by default). The clustering stage turns
  /// them off: dropout regularises the pretraining, as in DEC (Xie et al., 2016), and the joint
  /// stage trains the network it then assigns with (decision 0016).
  var dropoutActive: Bool { get set }
  /// Sets the output layer's biases from the mean of every input channel over the training
  /// windows, before the first training step (see `Autoencoder`). The default does nothing.
  func initializeOutputBias(channelMeans: [Double])
}

extension AutoencoderModel {
  public var reconstructionLoss: any ReconstructionLoss { MeanSquaredError() }
  public var dropoutActive: Bool {
    get { true }
    set {}
  }
  public func initializeOutputBias(channelMeans: [Double]) {}

  /// Pretraining convenience: forward, `loss` (mean squared error unless given), backward and
  /// one update. Returns the loss before the update.
  @discardableResult
  public func trainReconstructionStep(
    _ batch: Tensor, learningRate: Float, loss: any ReconstructionLoss = MeanSquaredError()
  ) -> Float {
    _ = trainingForward(batch)
    let value = backward(reconstructionLoss: loss, weight: 1, latentGradient: nil)
    updateParameters(learningRate: learningRate)
    return Float(value)
  }
}
