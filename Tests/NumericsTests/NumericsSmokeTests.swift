import Testing

@testable import Numerics

// Placeholder so the test target exists; replaced by real tests as the module grows.
