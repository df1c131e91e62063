import Testing

@testable import NeuralNetwork

// Placeholder so the test target exists; replaced by real tests as the module grows.
