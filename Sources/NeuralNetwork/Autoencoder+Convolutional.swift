extension LayerListBuilder {
  /// `conv`: encoder (conv, activation, pool) x depth, flatten, optional dense bottleneck;
  /// decoder (optional dense + activation), reshape, (upsample, conv, activation) x depth
  /// mirrored, the last conv linear (or a sigmoid for binary cross-entropy). Dropout, when asked,
  /// follows every hidden activation except one whose output is the code.
  mutating func buildConvolutional() {
    let c = configuration
    var channels = c.inputChannels
    var length = c.paddedLength
    for stage in 0..<c.depth {
      let conv = Conv1D(
        inputChannels: channels, outputChannels: c.filters[stage],
        kernelSize: c.kernelSize(stage: stage))
      append(conv, activation)
      appendActivation(dropout: c.latent > 0 || stage < c.depth - 1)
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
    // The decoder mirrors the encoder: each stage upsamples by 2, then a conv maps back to the
    // channels the matching encoder stage took in (the input's, linear, at the last stage).
    let output = c.loss.outputActivation
    for stage in (0..<c.depth).reversed() {
      append(Upsample1D(channels: channels), activation)
      let out = stage > 0 ? c.filters[stage - 1] : c.inputChannels
      let conv = Conv1D(
        inputChannels: channels, outputChannels: out, kernelSize: c.kernelSize(stage: stage))
      append(conv, stage > 0 ? activation : output)
      if stage > 0 { appendActivation() }
      channels = out
    }
    appendOutputActivation()
  }
}
