import Foundation

extension Autoencoder {
  /// The architecture, mirroring the CLI's model options (`--filters`, `--kernels`,
  /// `--activation`, `--latent`) plus the input shape. Codable: its JSON is what the store keeps
  /// beside the parameter blob.
  public struct Configuration: Codable, Equatable, Sendable {
    /// Channels per window (1 for a single component, 3 for three).
    public var inputChannels: Int
    /// Samples per window, before padding to a multiple of `2^depth`.
    public var inputLength: Int
    /// Filters of the encoder convolutions; each conv is followed by a max-pool of 2. The decoder
    /// mirrors them (conv + upsample 2), then a last conv maps back to `inputChannels`.
    public var filters: [Int]
    /// Kernel sizes, one per encoder conv or a single one for all. Decoder stage `s` uses the
    /// kernel of encoder stage `s`; the output conv uses the first.
    public var kernels: [Int]
    /// The hidden activation (the output conv is always linear).
    public var activation: Activation
    /// Features of a dense bottleneck; `0` uses the flattened output of the last pooled conv
    /// as the latent code (the paper's polarity net).
    public var latent: Int

    /// A configuration; check it with `validate()`.
    public init(
      inputChannels: Int, inputLength: Int, filters: [Int], kernels: [Int],
      activation: Activation, latent: Int
    ) {
      self.inputChannels = inputChannels
      self.inputLength = inputLength
      self.filters = filters
      self.kernels = kernels
      self.activation = activation
      self.latent = latent
    }

    /// The number of conv + pool stages.
    public var depth: Int { filters.count }

    /// The kernel size of encoder stage `stage`.
    public func kernelSize(stage: Int) -> Int {
      kernels.count == 1 ? kernels[0] : kernels[stage]
    }

    /// The input length rounded up to a multiple of `2^depth` (the network's working length).
    public var paddedLength: Int {
      let unit = 1 << depth
      return (inputLength + unit - 1) / unit * unit
    }

    /// How the input length is adapted, in words.
    public var lengthAdjustmentDescription: String {
      let unit = 1 << depth
      if paddedLength == inputLength {
        return "input length \(paddedLength) is a multiple of \(unit); no padding"
      }
      return "input length \(inputLength) zero-padded at the end to \(paddedLength)"
        + " (a multiple of 2^\(depth) = \(unit)); reconstructions are cropped back"
    }

    /// Throws `NeuralNetworkError.invalidConfiguration` when the options cannot make a network.
    public func validate() throws {
      func fail(_ why: String) -> NeuralNetworkError { .invalidConfiguration(why) }
      guard inputChannels > 0 else { throw fail("input channels must be positive") }
      guard inputLength > 0 else { throw fail("input length must be positive") }
      guard !filters.isEmpty else { throw fail("filters must list at least one conv") }
      guard filters.count <= 20 else { throw fail("at most 20 conv stages") }
      guard filters.allSatisfy({ $0 > 0 }) else { throw fail("filters must be positive") }
      guard kernels.count == 1 || kernels.count == filters.count else {
        throw fail("give one kernel size per filter (\(filters.count)) or one for all")
      }
      guard kernels.allSatisfy({ $0 > 0 }) else { throw fail("kernel sizes must be positive") }
      guard latent >= 0 else { throw fail("latent size must be >= 0") }
      guard inputLength <= 1 << 24, paddedLength <= 1 << 24, inputChannels <= 4096,
        filters.allSatisfy({ $0 <= 4096 }), kernels.allSatisfy({ $0 <= 4096 }), latent <= 1 << 24
      else { throw fail("network too large") }
    }

    /// The configuration as JSON (sorted keys), for the store.
    public func jsonData() throws -> Data {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      return try encoder.encode(self)
    }

    /// A configuration decoded from `jsonData()` output.
    public init(jsonData: Data) throws {
      do {
        self = try JSONDecoder().decode(Configuration.self, from: jsonData)
      } catch {
        throw NeuralNetworkError.corruptData("architecture JSON: \(error)")
      }
    }
  }
}

extension Autoencoder.Configuration {
  /// The layer list, each with the activation that follows it: encoder (conv, activation, pool)
  /// x depth, flatten, optional dense bottleneck; decoder (optional dense + activation),
  /// reshape, (upsample, conv, activation) x depth mirrored, the last conv linear. Also the index
  /// of the layer whose output is the latent code.
  func layers() -> (layers: [(layer: any Layer, initialization: Activation)], latentIndex: Int) {
    var layers: [(layer: any Layer, initialization: Activation)] = []
    var channels = inputChannels
    var length = paddedLength
    for stage in 0..<depth {
      let conv = Conv1D(
        inputChannels: channels, outputChannels: filters[stage],
        kernelSize: kernelSize(stage: stage))
      layers.append((conv, activation))
      layers.append((activation, activation))
      layers.append((MaxPool1D(channels: filters[stage]), activation))
      channels = filters[stage]
      length /= 2
    }
    let features = channels * length
    layers.append((Flatten(channels: channels, length: length), activation))
    if latent > 0 {
      layers.append((Dense(inputFeatures: features, outputFeatures: latent), .identity))
    }
    let latentIndex = layers.count - 1
    if latent > 0 {
      layers.append((Dense(inputFeatures: latent, outputFeatures: features), activation))
      layers.append((activation, activation))
    }
    layers.append((Reshape(channels: channels, length: length), activation))
    // The decoder mirrors the encoder: each stage upsamples by 2, then a conv maps back to the
    // channels the matching encoder stage took in (the input's, linear, at the last stage).
    for stage in (0..<depth).reversed() {
      layers.append((Upsample1D(channels: channels), activation))
      let out = stage > 0 ? filters[stage - 1] : inputChannels
      let conv = Conv1D(
        inputChannels: channels, outputChannels: out, kernelSize: kernelSize(stage: stage))
      layers.append((conv, stage > 0 ? activation : .identity))
      if stage > 0 { layers.append((activation, activation)) }
      channels = out
    }
    return (layers, latentIndex)
  }
}
