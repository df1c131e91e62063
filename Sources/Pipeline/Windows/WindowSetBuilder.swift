import Foundation
import Logging
import Seismic
import Store

/// What `windows build` did: how many windows it stored and which picks it skipped, why.
public struct WindowBuildReport: Sendable {
  /// Picks considered (after the phase filter).
  public var pickCount = 0
  /// Windows stored in the new current set.
  public var built = 0
  /// Skipped picks in pick order, each with its one-line reason.
  public var skips: [WindowSkip] = []
  /// The stored set, or nil when no window could be built (the current set is then unchanged).
  public var windowSet: WindowSetRecord?

  /// Skipped picks counted by reason.
  public var skippedByReason: [WindowSkipReason: Int] {
    var counts: [WindowSkipReason: Int] = [:]
    for s in skips { counts[s.reason, default: 0] += 1 }
    return counts
  }

  /// `windows: built 12 of 15 picks; skipped 3 (2 gap, 1 missing component)`.
  public var summary: String {
    var text = "windows: built \(built) of \(pickCount) pick\(pickCount == 1 ? "" : "s")"
    let counts = skippedByReason
    if counts.isEmpty {
      text += "; skipped 0"
    } else {
      let parts = counts.keys.sorted().map { "\(counts[$0] ?? 0) \($0.rawValue)" }
      text += "; skipped \(skips.count) (" + parts.joined(separator: ", ") + ")"
    }
    if let set = windowSet {
      text +=
        "; set \(set.id ?? 0): \(set.inputKind.rawValue), \(built) x \(set.channelCount) x "
        + "\(set.length)"
    }
    return text
  }
}

/// Cuts and preprocesses a window around every selected pick and stores them as the current
/// window set (`windows build`, and `cluster` when given window options).
///
/// Picks are grouped by channel set and taken in time order in chunks (at most
/// `chunkPicks` picks within `chunkSeconds`, fewer for small sets so every core has work); each
/// chunk reads its channels' stored segments
/// once, joins them into contiguous runs and cuts its picks. Chunks run in parallel on all
/// cores; windows are numbered in pick order (time, then station), whatever the scheduling.
public struct WindowSetBuilder: Sendable {
  public let store: SeisStore
  public let logger: Logger
  public let quiet: Bool

  /// A chunk holds at most this many picks...
  public static let chunkPicks = 32
  /// ...spanning at most this many seconds.
  public static let chunkSeconds = 3600.0

  public init(store: SeisStore, logger: Logger, quiet: Bool = false) {
    self.store = store
    self.logger = logger
    self.quiet = quiet
  }

  /// Why a build could not start.
  public struct BuildError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
  }

  private struct Job: Sendable {
    var set: ChannelSet
    var pickIndices: [Int]
  }

  /// Builds the window set. Skipped picks are logged as warnings, one line each; the set is
  /// stored (and becomes current) when at least one window was built.
  public func build(options: WindowSetOptions) throws -> WindowBuildReport {
    let preprocessor: WindowPreprocessor
    do {
      preprocessor = try WindowPreprocessor(options: options)
    } catch {
      throw BuildError(reason: "window options: \(error.description)")
    }
    if let band = options.bandpass, band.high >= options.rate / 2 {
      logger.warning(
        "the band's upper corner \(band.high) Hz is at or above the output Nyquist frequency \(options.rate / 2) Hz: resampling to \(options.rate) Hz removes the band above it"
      )
    }
    let picks = try store.picks(phase: options.phase)
    var report = WindowBuildReport()
    report.pickCount = picks.count
    guard !picks.isEmpty else {
      let which = options.phase.map { "picks of phase '\($0)'" } ?? "picks"
      logger.warning(
        "no \(which) in the store: no window built, the current window set is unchanged")
      return report
    }
    let chooser = ChannelSetChooser(channels: try store.channels())
    let components = options.components.orientations
    var early: [Int: WindowSkip] = [:]
    var bySet: [ChannelSet: [Int]] = [:]
    for (i, pick) in picks.enumerated() {
      let name = "\(pick.network).\(pick.station).\(pick.location) pick \(pick.time.iso8601)"
      switch chooser.choose(
        network: pick.network, station: pick.station, location: pick.location,
        channel: pick.channel, components: components)
      {
      case .failure(.noData):
        let what = pick.channel.map { "channels \($0.dropLast())?" } ?? "data"
        early[i] = WindowSkip(reason: .noData, message: "\(name): no stored \(what), skipped")
      case .failure(.missingComponent(let why)):
        early[i] = WindowSkip(reason: .missingComponent, message: "\(name): \(why), skipped")
      case .success(let set):
        if let band = options.bandpass, band.high / (set.samplingRate / 2) - 1 > -1e-6 {
          early[i] = WindowSkip(
            reason: .nyquist,
            message:
              "station \(set.stationID): Nyquist frequency \(set.samplingRate / 2) Hz "
              + "(\(set.channels[0].channel) at \(set.samplingRate) Hz) is at or below the band's "
              + "upper corner \(band.high) Hz; pick \(pick.time.iso8601) skipped")
        } else {
          bySet[set, default: []].append(i)
        }
      }
    }
    var jobs: [Job] = []
    let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    for (set, indices) in bySet.sorted(by: { $0.value[0] < $1.value[0] }) {
      // Small sets are split too, so every core gets work.
      let chunk = max(1, min(Self.chunkPicks, (indices.count + 2 * cores - 1) / (2 * cores)))
      var current: [Int] = []
      for i in indices {
        if let first = current.first,
          current.count >= chunk
            || picks[i].time.nanoseconds(since: picks[first].time) > Int64(Self.chunkSeconds * 1e9)
        {
          jobs.append(Job(set: set, pickIndices: current))
          current = []
        }
        current.append(i)
      }
      if !current.isEmpty { jobs.append(Job(set: set, pickIndices: current)) }
    }

    let jobList = jobs
    let results = ResultSlots(count: picks.count)
    let progress = Progress(label: "windows", total: picks.count, quiet: quiet)
    let counter = Counter(early.count)
    progress.update(early.count)
    let failures = ResultSlots(count: jobs.count)
    DispatchQueue.concurrentPerform(iterations: jobList.count) { j in
      let job = jobList[j]
      do {
        try run(job, picks: picks, preprocessor: preprocessor, into: results)
      } catch {
        failures.set(
          j,
          .failure(
            WindowSkip(
              reason: .processing,
              message: "\(job.set.stationID): cannot read stored data: \(error)")))
      }
      progress.update(counter.add(job.pickIndices.count))
    }
    progress.finish()

    var windows: [WindowRecord] = []
    for j in jobs.indices {
      if case .failure(let skip)? = failures.get(j) {
        for i in jobs[j].pickIndices { results.set(i, .failure(skip)) }
      }
    }
    for (i, pick) in picks.enumerated() {
      if let skip = early[i] {
        report.skips.append(skip)
        logger.warning("\(skip.message)")
        continue
      }
      switch results.get(i) {
      case .success(let window)?:
        var record = window.record
        record.windowKey = Int64(windows.count)
        windows.append(record)
        results.clear(i)
      case .failure(let skip)?:
        report.skips.append(skip)
        logger.warning("\(skip.message)")
      case nil:
        let skip = WindowSkip(
          reason: .processing, message: "pick \(pick.time.iso8601): not processed, skipped")
        report.skips.append(skip)
        logger.warning("\(skip.message)")
      }
    }
    report.built = windows.count
    guard !windows.isEmpty else {
      logger.warning("no window could be built: the current window set is unchanged")
      return report
    }
    let set = WindowSetRecord(
      version: SeisclusterVersion.string,
      inputKind: options.input == .waveform ? .waveform : .spectrogram,
      channelCount: preprocessor.channelCount, length: preprocessor.length,
      samplingRate: options.input == .waveform
        ? options.rate
        : options.rate / Double(preprocessor.segmentLength - preprocessor.segmentOverlap),
      parametersJson: Self.parametersJSON(options: options, preprocessor: preprocessor),
      processingJson: Self.json(preprocessor.history(version: SeisclusterVersion.string)))
    report.windowSet = try store.replaceCurrentWindowSet(set, windows: windows)
    return report
  }

  /// One chunk: read, join, cut.
  private func run(
    _ job: Job, picks: [PickRecord], preprocessor: WindowPreprocessor, into results: ResultSlots
  ) throws {
    let options = preprocessor.options
    guard let firstIndex = job.pickIndices.first, let lastIndex = job.pickIndices.last else {
      return
    }
    let from = picks[firstIndex].time.adding(seconds: -options.before - preprocessor.margin)
    let to = picks[lastIndex].time.adding(seconds: options.after + preprocessor.margin)
    var runs: [[ContiguousRun]] = []
    var conflicts: [[ContiguousRun.Conflict]] = []
    for channel in job.set.channels {
      let joined = ContiguousRun.join(try store.segments(of: channel, from: from, to: to))
      runs.append(joined.runs)
      conflicts.append(joined.conflicts)
    }
    for i in job.pickIndices {
      switch preprocessor.window(
        pick: picks[i].time, channels: job.set.channels, runs: runs, conflicts: conflicts)
      {
      case .success(let w):
        // The record (its samples as a blob) is made here, so the Float samples are freed at
        // once; the window is numbered when every chunk is done.
        let pick = picks[i]
        let record = WindowRecord(
          windowSetId: 0, windowKey: -1, pickId: pick.id, network: pick.network,
          station: pick.station, location: pick.location, channels: job.set.channelList,
          pickTime: pick.time, phase: pick.phase, startTime: w.startTime, samples: w.values)
        results.set(i, .success(BuiltWindow(record: record)))
      case .failure(let skip):
        results.set(i, .failure(skip))
      }
    }
  }

  static func json(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(value) else { return "null" }
    return String(decoding: data, as: UTF8.self)
  }

  /// The options as JSON, with the derived settings (margin, STFT samples, taper) added.
  static func parametersJSON(options: WindowSetOptions, preprocessor: WindowPreprocessor) -> String
  {
    struct Parameters: Encodable {
      var options: WindowSetOptions
      var marginSeconds: Double
      var taperFraction: Double
      var bandpassCorners: Int
      var normalizeScope: String
      var stftSegmentSamples: Int?
      var stftOverlapSamples: Int?
      var spectrogramLayout: String?
    }
    let spectrogram = options.input == .spectrogram
    return json(
      Parameters(
        options: options, marginSeconds: preprocessor.margin,
        taperFraction: WindowPreprocessor.taperFraction, bandpassCorners: 4,
        normalizeScope: "window",
        stftSegmentSamples: spectrogram ? preprocessor.segmentLength : nil,
        stftOverlapSamples: spectrogram ? preprocessor.segmentOverlap : nil,
        spectrogramLayout: spectrogram
          ? "channel = component * \(preprocessor.frequencyCount) + frequency bin" : nil))
  }
}

/// One built window before it is numbered.
struct BuiltWindow: Sendable {
  var record: WindowRecord
}

/// Per-index results written from concurrent workers.
final class ResultSlots: @unchecked Sendable {
  private var slots: [Result<BuiltWindow, WindowSkip>?]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ value: Result<BuiltWindow, WindowSkip>) {
    lock.lock()
    slots[i] = value
    lock.unlock()
  }
  func clear(_ i: Int) {
    lock.lock()
    slots[i] = nil
    lock.unlock()
  }
  func get(_ i: Int) -> Result<BuiltWindow, WindowSkip>? {
    lock.lock()
    defer { lock.unlock() }
    return slots[i]
  }
}

/// A thread-safe running total.
final class Counter: @unchecked Sendable {
  private var value: Int
  private let lock = NSLock()
  init(_ start: Int) { value = start }
  func add(_ n: Int) -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += n
    return value
  }
}

extension WindowSkip: Error {}
