import ArgumentParser
import Pipeline

extension ModelOptions.ActivationChoice: ExpressibleByArgument {}

/// The contract's model options for `cluster` (and `relabel`). Unset options keep the tool's
/// defaults (`ModelOptions()`).
struct ModelOptionsGroup: ParsableArguments {
  @Option(help: "Seed: the same seed, data and options give the same labels (default 0).")
  var seed: UInt64?

  @Option(
    help: ArgumentHelp(
      "Encoder conv channels; each conv is followed by a max-pool of 2.", valueName: "n,n,..."))
  var filters: String?

  @Option(help: ArgumentHelp("Kernel size per conv, or one for all.", valueName: "k,k,..."))
  var kernels: String?

  @Option(help: "Activation of the conv and dense layers: tanh or relu.")
  var activation: ModelOptions.ActivationChoice?

  @Option(
    help: ArgumentHelp(
      "Dense bottleneck features; 0 = the flattened last pooled conv.", valueName: "d"))
  var latent: Int?

  @Option(
    help: ArgumentHelp(
      "Pretraining epochs (reconstruction only). Default: 30, or on sets above 20,000 windows a budget of 600,000 windows seen (600,000 / N epochs, at least 1).",
      valueName: "n"))
  var epochs: Int?

  @Option(help: ArgumentHelp("Windows per batch.", valueName: "n"))
  var batch: Int?

  @Option(
    name: .customLong("learning-rate"), help: ArgumentHelp("Adam learning rate.", valueName: "x"))
  var learningRate: Double?

  @Option(
    help: ArgumentHelp(
      "Weight of KL(P||Q): L = (1 - lambda) L_r + lambda KL (default 0.1).", valueName: "x"))
  var lambda: Double?

  @Option(
    name: .customLong("update-interval"),
    help: ArgumentHelp("Iterations between target (P) updates.", valueName: "n"))
  var updateInterval: Int?

  @Option(
    help: ArgumentHelp(
      "Stop when fewer than this share of labels change between updates (0: never early).",
      valueName: "x"))
  var tol: Double?

  @Option(
    name: .customLong("max-iterations"),
    help: ArgumentHelp("Upper bound on joint iterations.", valueName: "n"))
  var maxIterations: Int?

  @Option(
    help: ArgumentHelp(
      "Independent optimisations; the one that agrees best with the others is kept, and their agreement is reported (default \(ModelOptions.defaultRestarts)).",
      valueName: "n"))
  var restarts: Int?

  static func parseList(_ text: String, name: String) throws -> [Int] {
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw ValidationError("--\(name) takes positive whole numbers separated by commas")
    }
    return values.compactMap { $0 }
  }

  func validate() throws {
    do {
      try resolved().validate()
    } catch let invalid as ModelOptions.InvalidOption {
      throw ValidationError(invalid.description)
    }
  }

  /// The options with the tool's defaults filled in.
  func resolved() throws -> ModelOptions {
    var o = ModelOptions()
    if let seed { o.seed = seed }
    if let filters { o.filters = try Self.parseList(filters, name: "filters") }
    if let kernels { o.kernels = try Self.parseList(kernels, name: "kernels") }
    if o.kernels.count != 1 && o.kernels.count != o.filters.count && kernels == nil {
      o.kernels = [o.kernels[0]]
    }
    if let activation { o.activation = activation }
    if let latent { o.latent = latent }
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
    return o
  }
}
