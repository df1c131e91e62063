import Testing

@testable import Clustering

// Placeholder so the test target exists; replaced by real tests as the module grows.
