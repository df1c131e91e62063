import Testing

@testable import Store

// Placeholder so the test target exists; replaced by real tests as the module grows.
