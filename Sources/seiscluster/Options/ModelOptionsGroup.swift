import ArgumentParser
import Pipeline

extension ModelOptions.ActivationChoice: ExpressibleByArgument {}
extension ModelOptions.LossChoice: ExpressibleByArgument {}
extension ModelOptions.WindowLevel: ExpressibleByArgument {}
extension ModelOptions.Initialization: ExpressibleByArgument {}

/// The contract's model options for `cluster` and `sweep` (and `relabel`). Unset options keep
/// the tool's defaults (`ModelOptions()`, per architecture). `--architecture` and `--latent`
/// take one value for `cluster`; `sweep` takes lists of both (`architectureList`,
/// `latentList`).
struct ModelOptionsGroup: ParsableArguments {
  @Option(help: "Seed: the same seed, data and options give the same labels (default 0).")
  var seed: UInt64?

  @Option(
    help: ArgumentHelp(
      "Autoencoder type: conv (the paper's net, default), tcn (dilated causal convolutions with residual blocks), lstm (sequence to sequence over frames or samples) or dense (fully connected on the flattened window).",
      valueName: "type"))
  var architecture: String?

  @Option(
    help: ArgumentHelp(
      "The encoder's widths: conv channels per stage (conv, tcn; each followed by a max-pool of 2), hidden sizes of the stacked LSTMs (lstm), hidden units per layer (dense). Default: conv and tcn 16,16,16, lstm 64, dense 256,64.",
      valueName: "n,n,..."))
  var filters: String?

  @Option(
    help: ArgumentHelp(
      "Kernel size per conv stage, or one for all (conv and tcn only; default: conv 3 at the first stage and 5 at the others, tcn 5).",
      valueName: "k,k,..."))
  var kernels: String?

  @Option(
    help:
      "Activation of the hidden layers: tanh or relu (default relu; tanh with --loss bce; not lstm)."
  )
  var activation: ModelOptions.ActivationChoice?

  @Option(
    help: ArgumentHelp(
      "Dense bottleneck features, a linear code as DEC's (cluster: default 16; sweep: required, a list such as 2,5,10,16); 0 = the encoder's own output (the flattened last pooled conv, the last LSTM state, the last hidden layer).",
      valueName: "d"))
  var latent: String?

  @Option(
    help:
      "Reconstruction loss: mse (default) or bce (binary cross-entropy, for inputs in [0, 1]: a sigmoid output that pretraining starts at each channel's mean, tanh hidden layers unless --activation says)."
  )
  var loss: ModelOptions.LossChoice?

  @Option(
    help: ArgumentHelp(
      "Spectrogram input under --loss mse: rms scales each window so that its RMS is the set's mean RMS, so that quiet and loud events weigh alike in the reconstruction; sqrt scales each window halfway there (by the square root of rms's factor); none (default) keeps the windows as built. Try sqrt or rms when the clusters split quiet events from loud ones rather than by type; on very noisy sets (SNR near 2) they can do worse (docs/decisions/0024-window-level.md).",
      valueName: "none|sqrt|rms"))
  var windowLevel: ModelOptions.WindowLevel?

  @Option(
    help: ArgumentHelp(
      "L1 penalty on the weights: x * sum|w|, against the reconstruction error summed over a window's values (default 0).",
      valueName: "x"))
  var l1: Double?

  @Option(
    help: ArgumentHelp(
      "L2 penalty on the weights: x * sum w^2, against the reconstruction error summed over a window's values (default 0).",
      valueName: "x"))
  var l2: Double?

  @Option(help: ArgumentHelp("Dropout rate after hidden activations (default 0).", valueName: "x"))
  var dropout: Double?

  @Option(
    help: ArgumentHelp(
      "Sparsity penalty on the code: x * sum|z| per window, against the reconstruction error summed over the window's values (default 0).",
      valueName: "x"))
  var sparsity: Double?

  @Option(
    help: ArgumentHelp(
      "Pretraining epochs (reconstruction only). Default: 30, or on sets above 20,000 windows a budget of 600,000 windows seen (600,000 / N epochs, at least 1).",
      valueName: "n"))
  var epochs: Int?

  @Option(
    help: ArgumentHelp("Windows per batch (default \(ModelOptions().batch)).", valueName: "n"))
  var batch: Int?

  @Option(
    name: .customLong("learning-rate"),
    help: ArgumentHelp("Adam learning rate (default 0.001).", valueName: "x"))
  var learningRate: Double?

  @Option(
    help: ArgumentHelp(
      "Weight of KL(P||Q): L = (1 - lambda) L_r + lambda KL (default 0.1).", valueName: "x"))
  var lambda: Double?

  @Option(
    name: .customLong("update-interval"),
    help: ArgumentHelp(
      "Iterations between target (P) updates (default \(ModelOptions().updateInterval)).",
      valueName: "n"))
  var updateInterval: Int?

  @Option(
    help: ArgumentHelp(
      "Stop when fewer than this share of labels change between updates (default 0.001; 0: never early).",
      valueName: "x"))
  var tol: Double?

  @Option(
    name: .customLong("max-iterations"),
    help: ArgumentHelp(
      "Upper bound on joint iterations (default \(ModelOptions().maxIterations)).", valueName: "n"))
  var maxIterations: Int?

  @Option(
    help: ArgumentHelp(
      "Independent optimisations; the one that agrees best with the others is kept, and their agreement is reported (default: until two agree, at most \(ModelOptions.defaultMaximumRestarts)).",
      valueName: "n"))
  var restarts: Int?

  @Option(
    name: .customLong("init"),
    help: ArgumentHelp(
      "Where the clusters start: kmeans (k-means on the pretrained code, as the paper's DEC, refined by a mixture with one spread per cluster) or polarity (first-motion polarity of one-component windows around picks: per station, signed correlation near the pick with a small lag search, split by its leading eigenvector, up (cluster 0) and down by a first-motion vote; DEC starts there and is steered by it; --clusters 2). Default: polarity for first-motion windows (--clusters 2, one component, at most 0.5 s either side of the pick), else kmeans.",
      valueName: "kmeans|polarity"))
  var initialization: ModelOptions.Initialization?

  /// Whether any model option was given (`cluster --resume` takes the run's own).
  var anyGiven: Bool {
    let given: [Any?] = [
      seed, architecture, filters, kernels, activation, latent, loss, windowLevel, l1, l2,
      dropout, sparsity, epochs, batch, learningRate, lambda, updateInterval, tol, maxIterations,
      restarts,
      initialization,
    ]
    return given.contains { $0 != nil }
  }

  static func parseList(_ text: String, name: String) throws -> [Int] {
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map {
      Int($0.trimmingCharacters(in: .whitespaces))
    }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw ValidationError("--\(name) takes positive whole numbers separated by commas")
    }
    return values.compactMap { $0 }
  }

  /// `--latent` as a list (`sweep`): whole numbers >= 0 separated by commas.
  var latentList: [Int]? {
    get throws {
      guard let latent else { return nil }
      let values = latent.split(separator: ",", omittingEmptySubsequences: false).map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else {
        throw ValidationError("--latent takes whole numbers >= 0 separated by commas")
      }
      return values.compactMap { $0 }
    }
  }

  /// `--architecture` as a list (`sweep`).
  var architectureList: [ModelOptions.ArchitectureChoice?]? {
    get throws {
      guard let architecture else { return nil }
      return try architecture.split(separator: ",", omittingEmptySubsequences: false).map {
        let name = $0.trimmingCharacters(in: .whitespaces)
        guard let choice = ModelOptions.ArchitectureChoice(rawValue: name) else {
          throw ValidationError(
            "--architecture takes "
              + ModelOptions.ArchitectureChoice.allCases.map(\.rawValue).joined(separator: ", ")
              + ", not '\(name)'")
        }
        return choice
      }
    }
  }

  /// Checks the options for every architecture and latent size given (`cluster` also refuses
  /// more than one of each, in `resolved()`).
  func validate() throws {
    do {
      for architecture in try architectureList ?? [nil] {
        for latent in try latentList.map({ $0.map(Optional.some) }) ?? [nil] {
          try resolved(architecture: architecture, latent: latent).validate()
        }
      }
    } catch let invalid as ModelOptions.InvalidOption {
      throw ValidationError(invalid.description)
    }
  }

  /// The options with the tool's defaults filled in (one architecture and one latent size).
  func resolved() throws -> ModelOptions {
    let architectures = try architectureList
    guard (architectures?.count ?? 1) == 1 else {
      throw ValidationError("--architecture takes one type here (sweep takes a list)")
    }
    let latents = try latentList
    guard (latents?.count ?? 1) == 1 else {
      throw ValidationError("--latent takes one size here (sweep takes a list)")
    }
    return try resolved(architecture: architectures?.first ?? nil, latent: latents?.first)
  }

  /// The options for one architecture and latent size of a sweep (nil: the tool's default).
  func resolved(architecture: ModelOptions.ArchitectureChoice?, latent: Int?) throws
    -> ModelOptions
  {
    var o = ModelOptions()
    if let seed { o.seed = seed }
    o.architecture = architecture
    if let filters { o.filters = try Self.parseList(filters, name: "filters") }
    if let kernels { o.kernels = try Self.parseList(kernels, name: "kernels") }
    if let activation { o.activation = activation }
    o.latent = latent
    o.loss = loss
    o.windowLevel = windowLevel
    o.l1 = l1
    o.l2 = l2
    o.dropout = dropout
    o.sparsity = sparsity
    if let epochs {
      o.epochs = epochs
    } else {
      o.pretrainingWindows = ModelOptions.defaultPretrainingWindows
    }
    if let batch { o.batch = batch }
    if let learningRate { o.learningRate = learningRate }
    if let lambda { o.lambda = lambda }
    if let updateInterval { o.updateInterval = updateInterval }
    if let tol { o.tol = tol }
    if let maxIterations { o.maxIterations = maxIterations }
    if let restarts { o.restarts = restarts }
    o.initialization = initialization
    return o
  }
}
