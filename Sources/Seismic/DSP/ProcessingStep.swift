import Foundation

/// Samples with their sampling rate: what a processing step takes and returns (resampling
/// changes the rate).
public struct SampledSignal: Sendable, Equatable {
  public var samples: [Double]
  /// Samples per second.
  public var samplingRate: Double

  public init(samples: [Double], samplingRate: Double) {
    self.samples = samples
    self.samplingRate = samplingRate
  }
}

/// One preprocessing step with checked settings that can describe itself (SeisBench-style), so a
/// chain can print itself and leave a history line per step (ObsPy's `stats.processing`).
public protocol ProcessingStep: Sendable, CustomStringConvertible {
  /// Short name of the step, e.g. `bandpass`.
  var name: String { get }
  /// The settings, in a fixed order, as printed in descriptions and history lines.
  var parameters: [(name: String, value: String)] { get }
  /// Applies the step. Throws when the signal cannot carry it (e.g. a band above Nyquist).
  func applied(to signal: SampledSignal) throws -> SampledSignal

  /// Applies the step to several signals (a window's channels), each with its own outcome. The
  /// default applies `applied(to:)` to each; a step may do them together when that is faster and
  /// gives the same values.
  func applied(to signals: [SampledSignal]) -> [Result<SampledSignal, any Error>]

  /// Applies the step to several signals in place, returning each signal's error (nil where the
  /// step ran; a signal whose step failed is left as it was). The default goes through
  /// `applied(to:)`; steps that can work in place spare a copy of the samples.
  func apply(to signals: inout [SampledSignal]) -> [(any Error)?]
}

extension ProcessingStep {
  /// `name(key=value, ...)`.
  public var description: String {
    "\(name)(" + parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
  }

  /// A processing-history line in ObsPy's spirit: `seiscluster VERSION: name(key=value, ...)`.
  public func historyLine(version: String) -> String { "seiscluster \(version): \(description)" }

  public func applied(to signals: [SampledSignal]) -> [Result<SampledSignal, any Error>] {
    signals.map { signal in Result { try applied(to: signal) } }
  }

  public func apply(to signals: inout [SampledSignal]) -> [(any Error)?] {
    let outcomes = applied(to: signals)
    var errors = [(any Error)?](repeating: nil, count: signals.count)
    for (i, outcome) in outcomes.enumerated() {
      switch outcome {
      case .success(let signal): signals[i] = signal
      case .failure(let error): errors[i] = error
      }
    }
    return errors
  }
}

/// Why a step's settings are refused.
public struct ProcessingSettingsError: Error, CustomStringConvertible, Equatable, Sendable {
  public var step: String
  public var reason: String
  public init(step: String, reason: String) {
    self.step = step
    self.reason = reason
  }
  public var description: String { "\(step): \(reason)" }
}

/// Subtract the mean (ObsPy `detrend('demean')`).
public struct DemeanStep: ProcessingStep {
  public init() {}
  public var name: String { "demean" }
  public var parameters: [(name: String, value: String)] { [] }
  public func applied(to signal: SampledSignal) -> SampledSignal {
    SampledSignal(samples: DSP.demeaned(signal.samples), samplingRate: signal.samplingRate)
  }
  public func apply(to signals: inout [SampledSignal]) -> [(any Error)?] {
    for i in signals.indices { DSP.demean(&signals[i].samples) }
    return Array(repeating: nil, count: signals.count)
  }
}

/// Subtract the least-squares line (ObsPy `detrend('linear')`).
public struct LinearDetrendStep: ProcessingStep {
  public init() {}
  public var name: String { "detrend" }
  public var parameters: [(name: String, value: String)] { [("type", "linear")] }
  public func applied(to signal: SampledSignal) -> SampledSignal {
    SampledSignal(samples: DSP.linearDetrended(signal.samples), samplingRate: signal.samplingRate)
  }
  public func apply(to signals: inout [SampledSignal]) -> [(any Error)?] {
    for i in signals.indices { DSP.linearDetrend(&signals[i].samples) }
    return Array(repeating: nil, count: signals.count)
  }
}

/// Cosine taper at both ends (ObsPy `taper(max_percentage, type='cosine')`).
public struct CosineTaperStep: ProcessingStep {
  /// Fraction of the samples tapered at each end, 0...0.5.
  public let maxPercentage: Double

  public init(maxPercentage: Double = 0.05) throws(ProcessingSettingsError) {
    guard maxPercentage >= 0, maxPercentage <= 0.5 else {
      throw ProcessingSettingsError(
        step: "taper", reason: "max_percentage must be within 0...0.5, got \(maxPercentage)")
    }
    self.maxPercentage = maxPercentage
  }
  public var name: String { "taper" }
  public var parameters: [(name: String, value: String)] {
    [("type", "cosine"), ("max_percentage", "\(maxPercentage)"), ("side", "both")]
  }
  public func applied(to signal: SampledSignal) -> SampledSignal {
    SampledSignal(
      samples: DSP.cosineTapered(signal.samples, maxPercentage: maxPercentage),
      samplingRate: signal.samplingRate)
  }
  public func apply(to signals: inout [SampledSignal]) -> [(any Error)?] {
    for i in signals.indices { DSP.cosineTaper(&signals[i].samples, maxPercentage: maxPercentage) }
    return Array(repeating: nil, count: signals.count)
  }
}

/// Zero-phase Butterworth band-pass (ObsPy `filter('bandpass', ..., zerophase=True)`); throws
/// for a signal whose Nyquist frequency is at or below the upper corner.
public struct BandpassStep: ProcessingStep {
  public let lowCorner: Double
  public let highCorner: Double
  public let corners: Int

  public init(lowCorner: Double, highCorner: Double, corners: Int = 4)
    throws(ProcessingSettingsError)
  {
    guard lowCorner > 0, lowCorner < highCorner, highCorner.isFinite else {
      throw ProcessingSettingsError(
        step: "bandpass",
        reason: "corners must satisfy 0 < low < high, got \(lowCorner), \(highCorner)")
    }
    guard corners >= 1 else {
      throw ProcessingSettingsError(step: "bandpass", reason: "corners must be at least 1")
    }
    self.lowCorner = lowCorner
    self.highCorner = highCorner
    self.corners = corners
  }
  public var name: String { "bandpass" }
  public var parameters: [(name: String, value: String)] {
    [
      ("freqmin", "\(lowCorner)"), ("freqmax", "\(highCorner)"), ("corners", "\(corners)"),
      ("zerophase", "true"),
    ]
  }
  public func applied(to signal: SampledSignal) throws -> SampledSignal {
    let filter = try designs.filter(
      lowCorner: lowCorner, highCorner: highCorner, corners: corners,
      samplingRate: signal.samplingRate)
    return SampledSignal(
      samples: filter.zeroPhaseFiltered(signal.samples), samplingRate: signal.samplingRate)
  }

  /// Signals of the same rate and length (a window's channels) are filtered together, four at a
  /// time, with the same values as one by one (`ButterworthBandpass.zeroPhaseFiltered(_:)`).
  public func applied(to signals: [SampledSignal]) -> [Result<SampledSignal, any Error>] {
    var results = [Result<SampledSignal, any Error>?](repeating: nil, count: signals.count)
    var groups: [Double: [Int]] = [:]
    for (i, signal) in signals.enumerated() { groups[signal.samplingRate, default: []].append(i) }
    for (rate, indices) in groups {
      do {
        let filter = try designs.filter(
          lowCorner: lowCorner, highCorner: highCorner, corners: corners, samplingRate: rate)
        let filtered = filter.zeroPhaseFiltered(indices.map { signals[$0].samples })
        for (k, i) in indices.enumerated() {
          results[i] = .success(SampledSignal(samples: filtered[k], samplingRate: rate))
        }
      } catch {
        for i in indices { results[i] = .failure(error) }
      }
    }
    return results.map { $0! }
  }

  /// Filters designed so far, by sampling rate: a window set runs the step on thousands of
  /// signals at a handful of rates.
  private let designs = BandpassDesigns()
}

/// Butterworth designs by sampling rate, shared by the threads that run a `BandpassStep`.
final class BandpassDesigns: @unchecked Sendable {
  private var byRate: [Double: ButterworthBandpass] = [:]
  private let lock = NSLock()

  func filter(lowCorner: Double, highCorner: Double, corners: Int, samplingRate: Double) throws
    -> ButterworthBandpass
  {
    lock.lock()
    let known = byRate[samplingRate]
    lock.unlock()
    if let known { return known }
    let made = try ButterworthBandpass(
      lowCorner: lowCorner, highCorner: highCorner, corners: corners, samplingRate: samplingRate)
    lock.lock()
    if byRate.count >= 64 { byRate.removeAll() }
    byRate[samplingRate] = made
    lock.unlock()
    return made
  }
}

/// FFT resampling (ObsPy `resample(sampling_rate)` with its defaults: Hann window, no filter).
public struct ResampleStep: ProcessingStep {
  public let samplingRate: Double

  public init(samplingRate: Double) throws(ProcessingSettingsError) {
    guard samplingRate > 0, samplingRate.isFinite else {
      throw ProcessingSettingsError(
        step: "resample", reason: "sampling rate must be positive, got \(samplingRate)")
    }
    self.samplingRate = samplingRate
  }
  public var name: String { "resample" }
  public var parameters: [(name: String, value: String)] {
    [("sampling_rate", "\(samplingRate)"), ("window", "hann"), ("no_filter", "true")]
  }
  public func applied(to signal: SampledSignal) throws -> SampledSignal {
    SampledSignal(
      samples: try DSP.resampled(signal.samples, from: signal.samplingRate, to: samplingRate),
      samplingRate: samplingRate)
  }
}

/// Per-signal amplitude normalisation.
public struct NormalizeStep: ProcessingStep {
  public let mode: DSP.Normalization
  public init(mode: DSP.Normalization) { self.mode = mode }
  public var name: String { "normalize" }
  public var parameters: [(name: String, value: String)] { [("type", mode.rawValue)] }
  public func applied(to signal: SampledSignal) -> SampledSignal {
    SampledSignal(samples: DSP.normalized(signal.samples, mode), samplingRate: signal.samplingRate)
  }
}
