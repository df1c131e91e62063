import Numerics

/// NeuralNetwork: layers with forward and backward side by side, losses, Adam, the autoencoder.
/// Touches no files.
public enum NeuralNetwork {}
