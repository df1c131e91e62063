/// Processing steps applied in order. Prints itself one step per line and yields one history line
/// per step.
public struct ProcessingChain: Sendable, CustomStringConvertible {
  public var steps: [any ProcessingStep]

  public init(_ steps: [any ProcessingStep]) { self.steps = steps }

  /// The preprocessing analysts expect before cutting: demean, linear detrend, 5 % cosine taper,
  /// zero-phase 4-corner band-pass (when `band` is given), FFT resampling to `samplingRate`.
  public static func standard(band: (low: Double, high: Double)?, samplingRate: Double)
    throws(ProcessingSettingsError) -> ProcessingChain
  {
    var steps: [any ProcessingStep] = [
      DemeanStep(), LinearDetrendStep(), try CosineTaperStep(maxPercentage: 0.05),
    ]
    if let band { steps.append(try BandpassStep(lowCorner: band.low, highCorner: band.high)) }
    steps.append(try ResampleStep(samplingRate: samplingRate))
    return ProcessingChain(steps)
  }

  /// Runs every step in order; the first step that throws stops the chain.
  public func applied(to signal: SampledSignal) throws -> SampledSignal {
    var current = signal
    for step in steps { current = try step.applied(to: current) }
    return current
  }

  /// A step of the chain that could not run, and why.
  public struct StepFailure: Error, CustomStringConvertible, Sendable {
    /// The step's `name` (`bandpass`).
    public var step: String
    public var error: any Error
    public var description: String { "\(error)" }
  }

  /// `run` for several signals (a window's channels) at once, each with its own outcome: a step
  /// that fails for one signal stops the chain for that signal only. Steps may process the
  /// signals together (`BandpassStep` filters four channels at once), with the same values.
  public func run(_ signals: [SampledSignal]) -> [Result<SampledSignal, StepFailure>] {
    var current = signals
    var failures = [StepFailure?](repeating: nil, count: signals.count)
    for step in steps {
      let alive = failures.indices.filter { failures[$0] == nil }
      guard !alive.isEmpty else { break }
      if alive.count == current.count {
        // Every signal still runs: in place (no copy of the samples between steps).
        for (i, error) in step.apply(to: &current).enumerated() {
          if let error { failures[i] = StepFailure(step: step.name, error: error) }
        }
      } else {
        var inputs = alive.map { current[$0] }
        let errors = step.apply(to: &inputs)
        for (k, i) in alive.enumerated() {
          if let error = errors[k] {
            failures[i] = StepFailure(step: step.name, error: error)
          } else {
            current[i] = inputs[k]
          }
        }
      }
    }
    return current.indices.map { i in failures[i].map { .failure($0) } ?? .success(current[i]) }
  }

  /// `applied(to:)`, saying which step stopped the chain.
  public func run(_ signal: SampledSignal) -> Result<SampledSignal, StepFailure> {
    var current = signal
    for step in steps {
      do {
        current = try step.applied(to: current)
      } catch {
        return .failure(StepFailure(step: step.name, error: error))
      }
    }
    return .success(current)
  }

  /// One line per step.
  public var description: String { steps.map(\.description).joined(separator: "\n") }

  /// `stats.processing`-style lines, one per step.
  public func history(version: String) -> [String] {
    steps.map { $0.historyLine(version: version) }
  }
}
