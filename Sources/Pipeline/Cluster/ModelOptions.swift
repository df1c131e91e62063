import Clustering
import NeuralNetwork

/// The contract's model options: the autoencoder's shape and how it trains.
/// Defaults are the tool's choice for seismic windows (docs/decisions/0006-clustering-defaults.md).
public struct ModelOptions: Codable, Sendable, Equatable {
  public enum ActivationChoice: String, Codable, Sendable, CaseIterable {
    case tanh, relu
  }

  public var seed: UInt64 = 0
  /// Encoder conv channels; each conv is followed by a max-pool of 2.
  public var filters: [Int] = [16, 16, 16]
  /// One kernel size per conv, or one for all.
  public var kernels: [Int] = [5]
  public var activation: ActivationChoice = .relu
  /// Dense bottleneck features; 0 = the flattened last pooled conv. Nil lets the tool choose:
  /// 16, unless the flattened last pooled conv has at most 16 features already (the paper's
  /// polarity net: 1 channel x 2 steps), where a dense layer would only expand it: then 0.
  public var latent: Int? = nil
  /// Pretraining epochs.
  public var epochs: Int = 30
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

  /// The budget when `--epochs` is not given: the default epochs over 20 k windows
  /// (docs/decisions/0017-streamed-training.md).
  public static let defaultPretrainingWindows = 30 * 20_000

  /// Restarts when the user gives none.
  public static let defaultRestarts = 3

  /// The restarts this run makes.
  public var resolvedRestarts: Int { restarts ?? Self.defaultRestarts }

  public init() {}

  /// The bottleneck size for windows of `length` steps (see `latent`).
  public func resolvedLatent(length: Int) -> Int {
    if let latent { return latent }
    let unit = 1 << filters.count
    let steps = (length + unit - 1) / unit
    return (filters.last ?? 1) * steps <= 16 ? 0 : 16
  }

  /// Turns the budget of windows seen into epochs for a set of `windowCount` windows: fewer
  /// epochs when `epochs` passes would exceed it, never more.
  public mutating func applyWindowBudget(windowCount: Int) {
    guard let budget = pretrainingWindows, windowCount > 0, windowCount * epochs > budget else {
      return
    }
    epochs = max(1, Int((Double(budget) / Double(windowCount)).rounded()))
  }

  /// The autoencoder for windows of `channels` x `length`.
  public func autoencoderConfiguration(channels: Int, length: Int) -> Autoencoder.Configuration {
    Autoencoder.Configuration(
      inputChannels: channels, inputLength: length, filters: filters, kernels: kernels,
      activation: activation == .tanh ? .tanh : .relu, latent: resolvedLatent(length: length))
  }

  /// An option value the tool cannot use; `description` names the option as the CLI spells it.
  public struct InvalidOption: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// Checks every option, naming the first bad one as the CLI spells it. The one place that
  /// validates model options: the CLI calls it while parsing, and `cluster --resume` on the
  /// options it stored.
  public func validate() throws {
    func fail(_ why: String) -> InvalidOption { InvalidOption(description: why) }
    guard !filters.isEmpty, filters.allSatisfy({ $0 > 0 }) else {
      throw fail("--filters takes positive whole numbers separated by commas")
    }
    guard !kernels.isEmpty, kernels.allSatisfy({ $0 > 0 }) else {
      throw fail("--kernels takes positive whole numbers separated by commas")
    }
    guard kernels.count == 1 || kernels.count == filters.count else {
      throw fail("--kernels needs one size per filter (\(filters.count)) or one for all")
    }
    guard (latent ?? 0) >= 0 else { throw fail("--latent must be >= 0") }
    guard epochs >= 0 else { throw fail("--epochs must be >= 0") }
    guard batch >= 1 else { throw fail("--batch must be >= 1") }
    guard learningRate > 0, learningRate.isFinite else {
      throw fail("--learning-rate must be > 0")
    }
    guard (0...1).contains(lambda) else { throw fail("--lambda must lie in [0, 1]") }
    guard updateInterval >= 1 else { throw fail("--update-interval must be >= 1") }
    guard (0...1).contains(tol) else { throw fail("--tol must lie in [0, 1]") }
    guard maxIterations >= 0 else { throw fail("--max-iterations must be >= 0") }
    guard (1...100).contains(resolvedRestarts) else { throw fail("--restarts takes 1 to 100") }
  }

  /// The training settings of a DEC run with `clusterCount` clusters.
  public func decOptions(clusterCount: Int) -> DECOptions {
    DECOptions(
      clusterCount: clusterCount, lambda: lambda, pretrainEpochs: epochs, batchSize: batch,
      learningRate: learningRate, updateInterval: updateInterval, tolerance: tol,
      maxIterations: maxIterations, seed: seed)
  }
}
