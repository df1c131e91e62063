import Foundation

extension Autoencoder {
  /// The family of networks an autoencoder belongs to (`--architecture`).
  public enum Architecture: String, Codable, Sendable, CaseIterable {
    /// Convolutions with max-pooling, mirrored by upsampling (the paper's net).
    case conv
    /// Temporal convolutional network: residual blocks of dilated causal convolutions, with
    /// max-pooling between them, mirrored by upsampling.
    case tcn
    /// Stacked LSTMs over the steps (frames of a spectrogram, samples of a waveform); the last
    /// hidden state is the summary, repeated at every step for the decoding LSTMs.
    case lstm
    /// Fully connected layers on the flattened window.
    case dense

    /// Whether `kernels` (convolution widths) apply.
    public var hasKernels: Bool { self == .conv || self == .tcn }
    /// Whether the network halves the length at each stage (so pads it to a multiple of
    /// `2^depth`).
    public var pools: Bool { self == .conv || self == .tcn }
  }

  /// The architecture, mirroring the CLI's model options (`--architecture`, `--filters`,
  /// `--kernels`, `--activation`, `--latent`, the loss menu) plus the input shape. Codable: its
  /// JSON is what the store keeps beside the parameter blob. Keys left at their defaults are not
  /// written, and a missing key reads as its default, so the JSON of a model stored before the
  /// architecture family existed reads as the convolutional net it is.
  public struct Configuration: Codable, Equatable, Sendable {
    /// The network family (default `conv`).
    public var architecture: Architecture
    /// Channels per window (1 for a single component, 3 for three).
    public var inputChannels: Int
    /// Samples per window, before padding to a multiple of `2^depth`.
    public var inputLength: Int
    /// The encoder's widths: conv channels per stage (`conv`, `tcn`; each stage is followed by
    /// a max-pool of 2), hidden sizes of the stacked LSTMs (`lstm`), hidden units per layer
    /// (`dense`). The decoder mirrors them.
    public var filters: [Int]
    /// Kernel sizes (`conv` and `tcn` only; empty for the others), one per stage or a single
    /// one for all. Decoder stage `s` uses the kernel of encoder stage `s`.
    public var kernels: [Int]
    /// The hidden activation (LSTM gates keep their sigmoid and tanh).
    public var activation: Activation
    /// Features of a dense bottleneck; `0` uses the encoder's own output as the code: the
    /// flattened last pooled stage (`conv`, `tcn`), the last hidden state (`lstm`), the last
    /// hidden layer (`dense`).
    public var latent: Int
    /// The reconstruction loss the model is built for: `bce` puts a sigmoid on the output.
    public var loss: ReconstructionLossKind
    /// Dropout rate after every hidden activation (not on the code or the output); 0 for none.
    public var dropout: Double
    /// The seed of the dropout masks (the model's seed).
    public var dropoutSeed: UInt64
    /// L1 and L2 penalties on the weights, applied in every update.
    public var weightPenalty: WeightPenalty
    /// `sparsity * sum|z|` per window on the code, mean over the batch, added to the latent
    /// gradient in every training step.
    public var sparsity: Double
    /// Whether `weightPenalty` and `sparsity` weigh against the reconstruction error *summed*
    /// over a window's values, as in the textbook `||x - g(f(x))||^2 + lambda * sum|z|`: the
    /// loss here is a mean over the `inputChannels x inputLength` values, so the penalties are
    /// divided by that count (`effectiveWeightPenalty`, `effectiveSparsity`). False for models
    /// stored before (their penalties applied as given). Decision 0016.
    public var penaltiesPerWindowSum = false

    /// The factor the penalties are applied with: `1 / (inputChannels x inputLength)` when
    /// `penaltiesPerWindowSum`, else 1.
    public var penaltyScale: Double {
      penaltiesPerWindowSum ? 1 / Double(max(1, inputChannels * inputLength)) : 1
    }
    /// The weight penalties as applied in every update.
    public var effectiveWeightPenalty: WeightPenalty {
      WeightPenalty(l1: weightPenalty.l1 * penaltyScale, l2: weightPenalty.l2 * penaltyScale)
    }
    /// The code's sparsity weight as applied in every training step.
    public var effectiveSparsity: Double { sparsity * penaltyScale }

    /// A configuration; check it with `validate()`.
    public init(
      architecture: Architecture = .conv, inputChannels: Int, inputLength: Int, filters: [Int],
      kernels: [Int], activation: Activation, latent: Int, loss: ReconstructionLossKind = .mse,
      dropout: Double = 0, dropoutSeed: UInt64 = 0, weightPenalty: WeightPenalty = WeightPenalty(),
      sparsity: Double = 0
    ) {
      self.architecture = architecture
      self.inputChannels = inputChannels
      self.inputLength = inputLength
      self.filters = filters
      self.kernels = kernels
      self.activation = activation
      self.latent = latent
      self.loss = loss
      self.dropout = dropout
      self.dropoutSeed = dropoutSeed
      self.weightPenalty = weightPenalty
      self.sparsity = sparsity
    }

    enum CodingKeys: String, CodingKey {
      case architecture, inputChannels, inputLength, filters, kernels, activation, latent, loss
      case dropout, dropoutSeed, l1, l2, sparsity, penaltiesPerWindowSum
    }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      architecture = try c.decodeIfPresent(Architecture.self, forKey: .architecture) ?? .conv
      inputChannels = try c.decode(Int.self, forKey: .inputChannels)
      inputLength = try c.decode(Int.self, forKey: .inputLength)
      filters = try c.decode([Int].self, forKey: .filters)
      kernels = try c.decodeIfPresent([Int].self, forKey: .kernels) ?? []
      activation = try c.decode(Activation.self, forKey: .activation)
      latent = try c.decode(Int.self, forKey: .latent)
      loss = try c.decodeIfPresent(ReconstructionLossKind.self, forKey: .loss) ?? .mse
      dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? 0
      dropoutSeed = try c.decodeIfPresent(UInt64.self, forKey: .dropoutSeed) ?? 0
      weightPenalty = WeightPenalty(
        l1: try c.decodeIfPresent(Double.self, forKey: .l1) ?? 0,
        l2: try c.decodeIfPresent(Double.self, forKey: .l2) ?? 0)
      sparsity = try c.decodeIfPresent(Double.self, forKey: .sparsity) ?? 0
      penaltiesPerWindowSum =
        try c.decodeIfPresent(Bool.self, forKey: .penaltiesPerWindowSum) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      if architecture != .conv { try c.encode(architecture, forKey: .architecture) }
      try c.encode(inputChannels, forKey: .inputChannels)
      try c.encode(inputLength, forKey: .inputLength)
      try c.encode(filters, forKey: .filters)
      if architecture.hasKernels || !kernels.isEmpty { try c.encode(kernels, forKey: .kernels) }
      try c.encode(activation, forKey: .activation)
      try c.encode(latent, forKey: .latent)
      if loss != .mse { try c.encode(loss, forKey: .loss) }
      if dropout != 0 {
        try c.encode(dropout, forKey: .dropout)
        try c.encode(dropoutSeed, forKey: .dropoutSeed)
      }
      if weightPenalty.l1 != 0 { try c.encode(weightPenalty.l1, forKey: .l1) }
      if weightPenalty.l2 != 0 { try c.encode(weightPenalty.l2, forKey: .l2) }
      if sparsity != 0 { try c.encode(sparsity, forKey: .sparsity) }
      let penalised = weightPenalty.l1 != 0 || weightPenalty.l2 != 0 || sparsity != 0
      if penaltiesPerWindowSum && penalised {
        try c.encode(true, forKey: .penaltiesPerWindowSum)
      }
    }

    /// The number of halving stages (`conv`, `tcn`); 0 for the others.
    public var depth: Int { architecture.pools ? filters.count : 0 }

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
      guard architecture.pools else {
        return "\(architecture.rawValue) net on \(inputLength) steps; no padding"
      }
      let unit = 1 << depth
      if paddedLength == inputLength {
        return "input length \(paddedLength) is a multiple of \(unit); no padding"
      }
      return "input length \(inputLength) zero-padded at the end to \(paddedLength)"
        + " (a multiple of 2^\(depth) = \(unit)); reconstructions are cropped back"
    }

    /// The smallest micro-batch the network's batches are cut into: recurrent steps and wide
    /// fully connected layers run faster on wider matrix products (see `Sequential`).
    public var minimumMicroBatch: Int {
      switch architecture {
      case .conv, .tcn: 1
      case .lstm, .dense: 16
      }
    }

    /// Throws `NeuralNetworkError.invalidConfiguration` when the options cannot make a network.
    public func validate() throws {
      func fail(_ why: String) -> NeuralNetworkError { .invalidConfiguration(why) }
      guard inputChannels > 0 else { throw fail("input channels must be positive") }
      guard inputLength > 0 else { throw fail("input length must be positive") }
      guard !filters.isEmpty else { throw fail("filters must list at least one layer") }
      guard filters.count <= 20 else { throw fail("at most 20 stages") }
      guard filters.allSatisfy({ $0 > 0 }) else { throw fail("filters must be positive") }
      if architecture.hasKernels {
        guard kernels.count == 1 || kernels.count == filters.count else {
          throw fail("give one kernel size per filter (\(filters.count)) or one for all")
        }
        guard kernels.allSatisfy({ $0 > 0 }) else { throw fail("kernel sizes must be positive") }
      } else {
        guard kernels.isEmpty else {
          throw fail("kernel sizes apply to convolutional nets, not \(architecture.rawValue)")
        }
      }
      guard latent >= 0 else { throw fail("latent size must be >= 0") }
      guard (0..<1).contains(dropout) else { throw fail("the dropout rate must lie in [0, 1)") }
      for (name, value) in [
        ("L1 penalty", weightPenalty.l1), ("L2 penalty", weightPenalty.l2),
        ("sparsity", sparsity),
      ] {
        guard value >= 0, value.isFinite else { throw fail("the \(name) must be >= 0") }
      }
      var dilationLimit = 1
      if architecture == .tcn { dilationLimit = 1 << max(0, filters.count - 1) }
      guard inputLength <= 1 << 24, paddedLength <= 1 << 24, inputChannels <= 4096,
        filters.allSatisfy({ $0 <= 4096 }), kernels.allSatisfy({ $0 <= 4096 }), latent <= 1 << 24,
        kernels.allSatisfy({ $0 * dilationLimit <= 1 << 24 })
      else { throw fail("network too large") }
      if architecture == .dense {
        guard inputChannels * inputLength <= 1 << 24 else { throw fail("network too large") }
      }
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

/// A network's layer list, each layer with the activation that follows it (for its
/// initialisation), and the index of the layer whose output is the latent code.
typealias LayerList = (layers: [(layer: any Layer, initialization: Activation)], latentIndex: Int)

extension Autoencoder.Configuration {
  /// The layer list of the architecture (one builder per family, in its own file).
  func layers() -> LayerList {
    var builder = LayerListBuilder(configuration: self)
    switch architecture {
    case .conv: builder.buildConvolutional()
    case .tcn: builder.buildTemporal()
    case .lstm: builder.buildRecurrent()
    case .dense: builder.buildFullyConnected()
    }
    return (builder.layers, builder.latentIndex)
  }
}

/// Collects a network's layers; the builders (`Autoencoder+Convolutional.swift` and its
/// siblings) append to it.
struct LayerListBuilder {
  let configuration: Autoencoder.Configuration
  var layers: [(layer: any Layer, initialization: Activation)] = []
  var latentIndex = -1

  init(configuration: Autoencoder.Configuration) { self.configuration = configuration }

  var activation: Activation { configuration.activation }

  mutating func append(_ layer: any Layer, _ initialization: Activation) {
    layers.append((layer, initialization))
  }

  /// The hidden activation, followed by dropout when the configuration asks for it.
  mutating func appendActivation(dropout: Bool = true) {
    append(activation, activation)
    appendDropout(enabled: dropout)
  }

  /// A dropout layer with its own seed (derived from the model's seed and its position).
  mutating func appendDropout(enabled: Bool = true) {
    guard enabled, configuration.dropout > 0 else { return }
    append(Dropout(rate: configuration.dropout, seed: seed(forLayer: layers.count)), activation)
  }

  func seed(forLayer index: Int) -> UInt64 {
    Dropout.mix(configuration.dropoutSeed ^ Dropout.mix(UInt64(index)))
  }

  /// The code is the output of the last layer appended.
  mutating func markLatent() { latentIndex = layers.count - 1 }

  /// The output activation the loss needs (a sigmoid for binary cross-entropy).
  mutating func appendOutputActivation() {
    let output = configuration.loss.outputActivation
    if output != .identity { append(output, output) }
  }
}
