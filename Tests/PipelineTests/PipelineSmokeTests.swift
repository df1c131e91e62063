import Testing

@testable import Pipeline

// Placeholder so the test target exists; replaced by real tests as the module grows.
