extension LayerListBuilder {
  /// `dense`: fully connected layers on the flattened window (`channels * length` features, as
  /// PyTorch flattens `[n, c, l]`). Encoder: dense + activation per `filters` entry, then the
  /// optional linear bottleneck of `latent` features (without one, the last hidden layer is the
  /// code). Decoder: the mirror image, the last layer linear (a sigmoid for binary
  /// cross-entropy) back to `channels * length`, reshaped to the window. Dropout, when asked,
  /// follows every hidden activation but one whose output is the code.
  mutating func buildFullyConnected() {
    let c = configuration
    let window = c.inputChannels * c.inputLength
    append(Flatten(channels: c.inputChannels, length: c.inputLength), activation)
    var features = window
    for (index, size) in c.filters.enumerated() {
      append(Dense(inputFeatures: features, outputFeatures: size), activation)
      appendActivation(dropout: c.latent > 0 || index < c.filters.count - 1)
      features = size
    }
    if c.latent > 0 {
      append(Dense(inputFeatures: features, outputFeatures: c.latent), .identity)
      features = c.latent
    }
    markLatent()
    var sizes = Array(c.filters.reversed())
    if c.latent == 0 { sizes.removeFirst() }
    for size in sizes {
      append(Dense(inputFeatures: features, outputFeatures: size), activation)
      appendActivation()
      features = size
    }
    append(Dense(inputFeatures: features, outputFeatures: window), c.loss.outputActivation)
    appendOutputActivation()
    append(Reshape(channels: c.inputChannels, length: c.inputLength), activation)
  }
}
