extension LayerListBuilder {
  /// `tcn`: encoder stage `s` is a temporal block (two dilated causal convolutions of dilation
  /// `2^s` with a residual shortcut) of `filters[s]` channels followed by a max-pool of 2; then
  /// flatten and the optional dense bottleneck, as `conv`. The decoder mirrors it: (dense +
  /// activation), reshape, then per stage (reversed) an upsample of 2 and a temporal block of
  /// the same dilation back to the previous stage's channels, and a linear kernel-1 layer
  /// (time-distributed dense) to the input channels (a sigmoid for binary cross-entropy).
  mutating func buildTemporal() {
    let c = configuration
    var channels = c.inputChannels
    var length = c.paddedLength
    func block(_ from: Int, _ to: Int, _ stage: Int, index: Int) -> TemporalBlock {
      TemporalBlock(
        inputChannels: from, outputChannels: to, kernelSize: c.kernelSize(stage: stage),
        dilation: 1 << stage, activation: c.activation,
        dropout: c.dropout > 0 ? c.dropout : nil, seed: seed(forLayer: index))
    }
    for stage in 0..<c.depth {
      append(block(channels, c.filters[stage], stage, index: layers.count), activation)
      append(MaxPool1D(channels: c.filters[stage]), activation)
      channels = c.filters[stage]
      length /= 2
    }
    let features = channels * length
    append(Flatten(channels: channels, length: length), activation)
    if c.latent > 0 {
      append(Dense(inputFeatures: features, outputFeatures: c.latent), .identity)
    }
    markLatent()
    if c.latent > 0 {
      append(Dense(inputFeatures: c.latent, outputFeatures: features), activation)
      appendActivation()
    }
    append(Reshape(channels: channels, length: length), activation)
    for stage in (0..<c.depth).reversed() {
      append(Upsample1D(channels: channels), activation)
      let out = c.filters[max(stage - 1, 0)]
      append(block(channels, out, stage, index: layers.count), activation)
      channels = out
    }
    append(
      TimeDistributedDense(inputFeatures: channels, outputFeatures: c.inputChannels),
      c.loss.outputActivation)
    appendOutputActivation()
  }
}
