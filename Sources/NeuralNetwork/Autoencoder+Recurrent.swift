extension LayerListBuilder {
  /// `lstm`: a sequence-to-sequence LSTM autoencoder over the window's steps (frames of a
  /// spectrogram, samples of a waveform), the channels being each step's features. Encoder:
  /// stacked LSTMs of `filters` hidden sizes; the mean of the last one's hidden states over the
  /// steps summarises the window, optionally through a linear dense bottleneck of `latent`
  /// features. (Not the final hidden state: on event windows whose onset lies early, it forgot
  /// the event and clustered by chance, ACC 0.56 against 0.98 for the mean on mk-events-300,
  /// seed 0; see docs/decisions/0016-autoencoder-family.md.) Decoder: the code
  /// repeated at every step, stacked LSTMs of the sizes reversed, and a time-distributed dense
  /// layer to the input channels (linear, or a sigmoid for binary cross-entropy). Dropout, when
  /// asked, follows every LSTM but the encoder's last.
  mutating func buildRecurrent() {
    let c = configuration
    var features = c.inputChannels
    for (index, size) in c.filters.enumerated() {
      append(LSTM(inputSize: features, hiddenSize: size), .tanh)
      if index < c.filters.count - 1 { appendDropout() }
      features = size
    }
    append(MeanOverSteps(channels: features), .identity)
    if c.latent > 0 {
      append(Dense(inputFeatures: features, outputFeatures: c.latent), .identity)
      features = c.latent
    }
    markLatent()
    append(RepeatVector(features: features, length: c.inputLength), .identity)
    for size in c.filters.reversed() {
      append(LSTM(inputSize: features, hiddenSize: size), .tanh)
      appendDropout()
      features = size
    }
    append(
      TimeDistributedDense(inputFeatures: features, outputFeatures: c.inputChannels),
      c.loss.outputActivation)
    appendOutputActivation()
  }
}
