import Clustering
import Foundation
import NeuralNetwork

/// The contract's model options: the autoencoder's type and shape, its loss menu and how it
/// trains. Defaults are the tool's choice for seismic windows
/// (docs/decisions/0006-clustering-defaults.md, 0016-autoencoder-family.md).
///
/// Options added after runs were first stored are optional, so that every stored run's options
/// still read; nil means "the tool's default for this architecture". A run stores them resolved
/// (`resolvingDefaults(length:)`), options that do not apply to its architecture left out.
public struct ModelOptions: Codable, Sendable, Equatable {
  public enum ActivationChoice: String, Codable, Sendable, CaseIterable {
    case tanh, relu
  }

  /// `--architecture`: the seed's autoencoder types.
  public enum ArchitectureChoice: String, Codable, Sendable, CaseIterable {
    case conv, tcn, lstm, dense

    var network: Autoencoder.Architecture {
      switch self {
      case .conv: .conv
      case .tcn: .tcn
      case .lstm: .lstm
      case .dense: .dense
      }
    }

    /// `--filters` when not given (docs/decisions/0016-autoencoder-family.md).
    public var defaultFilters: [Int] {
      switch self {
      case .conv: [16, 16, 16]
      case .tcn: [16, 16, 16]
      case .lstm: [64]
      case .dense: [256, 64]
      }
    }

    /// Every kernel size a default net uses (nil where kernels do not apply), for checks:
    /// those of `defaultKernels(depth:)` at two stages or more. `tcn` uses 5, not the 3 of Bai
    /// et al.: worst ACC over three data sets 0.64 against 0.61, median 0.94 against 0.68 on
    /// mk-events-300 (docs/decisions/0016-autoencoder-family.md).
    public var defaultKernels: [Int]? { defaultKernels(depth: 2) }

    /// `--kernels` when not given, one per stage of a net `depth` stages deep. `conv`: 3 at the
    /// first stage (and so at the decoder's last, its mirror), where the 78 spectrogram
    /// channels make the two widest products, 5 elsewhere: 20 % less time for the same worst
    /// cases (decision 0006, "A shorter kernel at the ends").
    public func defaultKernels(depth: Int) -> [Int]? {
      switch self {
      case .conv: (0..<max(1, depth)).map { $0 == 0 ? 3 : 5 }
      case .tcn: [5]
      case .lstm, .dense: nil
      }
    }

    /// What `--filters` means for this type, for messages and help.
    public var filtersMeaning: String {
      switch self {
      case .conv, .tcn: "conv channels per stage"
      case .lstm: "hidden sizes of the stacked LSTMs"
      case .dense: "hidden units per layer"
      }
    }
  }

  /// `--loss`: the reconstruction term.
  public enum LossChoice: String, Codable, Sendable, CaseIterable {
    case mse, bce
  }

  public var seed: UInt64 = 0
  /// The autoencoder type; nil is `conv` (runs stored before the family existed).
  public var architecture: ArchitectureChoice? = nil
  /// The encoder's widths (see `ArchitectureChoice.filtersMeaning`); nil: the type's default.
  public var filters: [Int]? = nil
  /// One kernel size per conv, or one for all (`conv`, `tcn`); nil: the type's default.
  public var kernels: [Int]? = nil
  /// The hidden activation (not `lstm`, whose gates have their own); nil: `resolvedActivation`.
  public var activation: ActivationChoice? = nil
  /// Dense bottleneck features; 0 = the encoder's own output (see
  /// `Autoencoder.Configuration.latent`). Nil lets the tool choose: 16, a linear code layer as
  /// DEC's embedding layer, for every architecture, also when a conv/tcn encoder's flattened
  /// last pooled stage is smaller (the paper's polarity net: 1 channel x 2 steps), where the
  /// linear code held polarity at every seed and the saturating flattened code did not
  /// (decision 0006, "Polarity code").
  public var latent: Int? = nil
  /// The reconstruction loss; nil is mse.
  public var loss: LossChoice? = nil
  /// `--window-level`: what the network sees of a window's overall level. Nil: the windows as
  /// built (`none`, decision 0024), as every run stored before the option existed; a new run
  /// stores its choice.
  public var windowLevel: WindowLevel? = nil
  /// Weight penalties `l1 * sum|w| + l2 * sum w^2`; nil is 0.
  public var l1: Double? = nil
  public var l2: Double? = nil
  /// Dropout rate after hidden activations; nil is 0.
  public var dropout: Double? = nil
  /// `sparsity * sum|z|` on the code; nil is 0.
  public var sparsity: Double? = nil
  /// Whether `l1`, `l2` and `sparsity` weigh against the error summed over a window
  /// (`Autoencoder.Configuration.penaltiesPerWindowSum`): true for every run made now; nil in
  /// options stored before, whose penalties applied as given (so a resumed or retrained old run
  /// keeps its scale).
  public var penaltiesPerWindowSum: Bool? = true
  /// Pretraining epochs.
  public var epochs: Int = 30
  /// The most `--epochs` allowed.
  public static let maximumEpochs = 100_000
  /// The most `--max-iterations` (and `--update-interval`) allowed.
  public static let maximumIterations = 10_000_000
  /// A pretraining budget in windows seen, set when `--epochs` is not given: on a set so large
  /// that `epochs` passes would see more windows, the run makes `budget / N` epochs (at least
  /// one) instead, and stores both. Nil: `epochs` as given.
  public var pretrainingWindows: Int? = nil
  public var batch: Int = 32
  public var learningRate: Double = 1e-3
  public var lambda: Double = 0.1
  /// Iterations between target updates.
  public var updateInterval: Int = 20
  /// Stop when fewer than this share of labels change between updates (0: never stop early).
  public var tol: Double = 0.001
  public var maxIterations: Int = 1000
  /// Independent optimisations, one kept by an unsupervised criterion; nil lets the tool choose
  /// (`defaultRestarts`, docs/decisions/0014-restarts.md).
  public var restarts: Int? = nil
  /// Stop once two restarts agree (ARI >= `RestartReport.agreeingARI`): the tool's default,
  /// set when `restarts` was not given (decision 0014). Nil in runs stored before it existed.
  public var stopWhenTwoAgree: Bool? = nil
  /// `--init`: where DEC's clusters start. `.polarity`: from, and steered by, the first-motion
  /// partition of the windows (`PolarityPartition`, decision 0019) instead of k-means on the
  /// code. Nil: the tool chooses for a new run (`Initialization.automatic`) and stores its
  /// choice; runs stored before the option existed used k-means.
  public var initialization: Initialization? = nil

  /// What the network sees of each window's overall level (docs/decisions/0024).
  public enum WindowLevel: String, Codable, Sendable, CaseIterable {
    /// Each window scaled so that its RMS is the set's mean RMS (`TrainingWindows.level`):
    /// spectrogram input only, under MSE (scaled windows exceed 1).
    case rms
    /// Each window scaled halfway (on a log scale) towards the set's mean RMS: by the square
    /// root of the `rms` factor.
    case sqrt
    /// The windows as built (`none` on the command line; not `none` in Swift, where an
    /// optional's `.none` would shadow it).
    case asBuilt = "none"

    /// The power of `(target / r)` each window is scaled by (`WindowLevelScale`).
    public var power: Double {
      switch self {
      case .rms: 1
      case .sqrt: 0.5
      case .asBuilt: 0
      }
    }
  }

  /// The level a new run uses: as given, else `none`. Scaling lifts generator B's and the
  /// demo's worst seeds on the default profile but lowers generator B's hard profile, so it is
  /// not the default (decision 0024). It applies to spectrogram input under MSE only
  /// (waveforms are normalised per window already; correlation profiles are correlations).
  public var resolvedWindowLevel: WindowLevel { windowLevel ?? .asBuilt }

  /// Where DEC's clusters start.
  public enum Initialization: String, Codable, Sendable, CaseIterable {
    /// k-means on the pretrained code (the paper's DEC), refined by a spherical Gaussian
    /// mixture (decision 0022).
    case kmeans
    /// The first-motion polarity partition (one component, picks inside the window).
    case polarity
  }

  /// The budget when `--epochs` is not given: the default epochs over 20 k windows
  /// (docs/decisions/0017-streamed-training.md).
  public static let defaultPretrainingWindows = 30 * 20_000

  /// Restarts `--clusters auto` pretrains, and `relabel` retrains, when the user gives none.
  public static let defaultRestarts = 3
  /// Without `--restarts`, restarts are trained until two agree, at most this many (decision
  /// 0014: when the first three all disagree, more restarts find an agreeing pair).
  public static let defaultMaximumRestarts = 7

  /// The restarts this run makes.
  public var resolvedRestarts: Int { restarts ?? Self.defaultRestarts }

  public init() {}

  // MARK: Resolved values

  public var resolvedArchitecture: ArchitectureChoice { architecture ?? .conv }
  public var resolvedFilters: [Int] { filters ?? resolvedArchitecture.defaultFilters }
  /// Kernels of a conv or tcn net (empty for the others).
  public var resolvedKernels: [Int] {
    guard let defaults = resolvedArchitecture.defaultKernels(depth: resolvedFilters.count) else {
      return []
    }
    return kernels ?? defaults
  }
  /// The hidden activation: as given, else `tanh` under binary cross-entropy and `relu` under
  /// MSE. BCE on the floored spectrogram's exact-zero cells has no finite optimum, and a ReLU
  /// network chases it with unbounded hidden units whose code then follows the floor; tanh units
  /// are bounded (decision 0016, "Binary cross-entropy"). Stored runs hold the activation they
  /// used, so this default never changes one.
  public var resolvedActivation: ActivationChoice {
    activation ?? (resolvedLoss == .bce ? .tanh : .relu)
  }
  public var resolvedLoss: LossChoice { loss ?? .mse }

  /// The bottleneck size for windows of `length` steps (see `latent`).
  public func resolvedLatent(length: Int) -> Int {
    latent ?? 16
  }

  /// The options with every default that applies written in, and nothing that does not apply:
  /// what a run stores and the report shows.
  public func resolvingDefaults(length: Int) -> ModelOptions {
    var o = self
    o.architecture = resolvedArchitecture
    o.filters = resolvedFilters
    o.kernels = resolvedArchitecture.defaultKernels == nil ? nil : resolvedKernels
    o.activation = resolvedArchitecture == .lstm ? nil : resolvedActivation
    o.latent = resolvedLatent(length: length)
    o.loss = resolvedLoss
    return o
  }

  /// Turns the budget of windows seen into epochs for a set of `windowCount` windows: fewer
  /// epochs when `epochs` passes would exceed it, never more.
  public mutating func applyWindowBudget(windowCount: Int) {
    guard let budget = pretrainingWindows, windowCount > 0, windowCount * epochs > budget else {
      return
    }
    epochs = max(1, Int((Double(budget) / Double(windowCount)).rounded()))
  }

  /// The autoencoder for windows of `channels` x `length`; `seed` seeds its dropout masks (the
  /// run's seed unless given).
  public func autoencoderConfiguration(channels: Int, length: Int, seed: UInt64? = nil)
    -> Autoencoder.Configuration
  {
    var configuration = Autoencoder.Configuration(
      architecture: resolvedArchitecture.network, inputChannels: channels, inputLength: length,
      filters: resolvedFilters, kernels: resolvedKernels,
      activation: resolvedActivation == .tanh ? .tanh : .relu,
      latent: resolvedLatent(length: length),
      loss: resolvedLoss == .bce ? .bce : .mse, dropout: dropout ?? 0,
      dropoutSeed: seed ?? self.seed, weightPenalty: WeightPenalty(l1: l1 ?? 0, l2: l2 ?? 0),
      sparsity: sparsity ?? 0)
    // --l1, --l2 and --sparsity weigh against the error summed over a window (decision 0016).
    configuration.penaltiesPerWindowSum = penaltiesPerWindowSum ?? false
    return configuration
  }

  /// A freshly initialised model of these options (the factory `cluster` and `sweep` use).
  public func makeAutoencoder(channels: Int, length: Int, seed: UInt64) throws -> Autoencoder {
    do {
      return try Autoencoder(
        configuration: autoencoderConfiguration(channels: channels, length: length, seed: seed),
        seed: seed)
    } catch {
      throw InputError(path: "", reason: "model options: \(error)")
    }
  }

  /// A trained model of these options from its stored parameters (and optimizer state).
  func autoencoder(
    channels: Int, length: Int, seed: UInt64, parameters: Data, optimizer: Data? = nil
  ) throws -> Autoencoder {
    try Autoencoder(
      configuration: autoencoderConfiguration(channels: channels, length: length, seed: seed),
      parameterData: parameters, optimizerData: optimizer)
  }

  // MARK: Checking

  /// An option value the tool cannot use; `description` names the option as the CLI spells it.
  public struct InvalidOption: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// Checks every option, naming the first bad one as the CLI spells it. The one place that
  /// validates model options: the CLI calls it while parsing, and `cluster --resume` on the
  /// options it stored.
  public func validate() throws {
    func fail(_ why: String) -> InvalidOption { InvalidOption(description: why) }
    let architecture = resolvedArchitecture
    let filters = resolvedFilters
    guard !filters.isEmpty, filters.allSatisfy({ $0 > 0 }) else {
      throw fail("--filters takes positive whole numbers separated by commas")
    }
    if let kernels {
      guard architecture.defaultKernels != nil else {
        throw fail(
          "--kernels applies to --architecture conv and tcn only, not \(architecture.rawValue)")
      }
      guard !kernels.isEmpty, kernels.allSatisfy({ $0 > 0 }) else {
        throw fail("--kernels takes positive whole numbers separated by commas")
      }
      guard kernels.count == 1 || kernels.count == filters.count else {
        throw fail("--kernels needs one size per filter (\(filters.count)) or one for all")
      }
    }
    if activation != nil, architecture == .lstm {
      throw fail(
        "--activation does not apply to --architecture lstm (its gates use sigmoid and tanh)")
    }
    guard (latent ?? 0) >= 0 else { throw fail("--latent must be >= 0") }
    for (flag, value) in [("--l1", l1), ("--l2", l2), ("--sparsity", sparsity)] {
      guard (value ?? 0) >= 0, (value ?? 0).isFinite else {
        throw fail("\(flag) must be a finite number >= 0")
      }
    }
    guard (0..<1).contains(dropout ?? 0) else { throw fail("--dropout must lie in [0, 1)") }
    // Upper bounds far beyond any useful run (the default is 30 epochs and 1,000 iterations),
    // so that a typo such as an extra zero run is refused, not left to run for years.
    guard (0...Self.maximumEpochs).contains(epochs) else {
      throw fail("--epochs takes 0 to \(Self.maximumEpochs)")
    }
    guard batch >= 1 else { throw fail("--batch must be >= 1") }
    guard learningRate > 0, learningRate.isFinite else {
      throw fail("--learning-rate must be a finite number > 0")
    }
    guard (0...1).contains(lambda) else { throw fail("--lambda must lie in [0, 1]") }
    guard updateInterval >= 1 else { throw fail("--update-interval must be >= 1") }
    guard (0...1).contains(tol) else { throw fail("--tol must lie in [0, 1]") }
    guard (0...Self.maximumIterations).contains(maxIterations) else {
      throw fail("--max-iterations takes 0 to \(Self.maximumIterations)")
    }
    guard updateInterval <= Self.maximumIterations else {
      throw fail("--update-interval takes 1 to \(Self.maximumIterations)")
    }
    guard (1...100).contains(resolvedRestarts) else { throw fail("--restarts takes 1 to 100") }
  }

  /// Refuses a window set the loss cannot learn: values too large for float32 training, and
  /// for binary cross-entropy, values outside [0, 1] (the default spectrograms are inside;
  /// waveforms are not).
  func checkInput(
    _ survey: InputSurvey, windowSet: Int64, imported: Bool, store: String
  ) throws {
    try survey.refuseLargeValues(windowSet: windowSet, imported: imported, store: store)
    guard resolvedLoss == .bce, survey.low < 0 || survey.high > 1 else { return }
    throw InputError(
      path: store,
      reason:
        "--loss bce needs inputs in [0, 1], but window set \(windowSet) holds values from \(survey.low) to \(survey.high): use --input spectrogram (scaled to [0, 1]) or --loss mse"
    )
  }

  /// The training settings of a DEC run with `clusterCount` clusters.
  public func decOptions(clusterCount: Int) -> DECOptions {
    DECOptions(
      clusterCount: clusterCount, lambda: lambda, pretrainEpochs: epochs, batchSize: batch,
      learningRate: learningRate, updateInterval: updateInterval, tolerance: tol,
      maxIterations: maxIterations, seed: seed)
  }
}
