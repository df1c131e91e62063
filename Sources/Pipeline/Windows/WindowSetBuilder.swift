import Foundation
import Logging
import Seismic
import Store

/// What `windows build` did: how many windows it stored and which picks it skipped, why.
public struct WindowBuildReport: Sendable {
  /// Picks selected (phase, stations, times).
  public var pickCount = 0
  /// Windows stored in the new current set.
  public var built = 0
  /// Skipped picks in pick order, each with its one-line reason.
  public var skips: [WindowSkip] = []
  /// Built windows with a component whose values are all the same (a dead or flat-lined
  /// channel), counted by `NET.STA.LOC`.
  public var flatWindows: [String: Int] = [:]

  /// The warning for `flatWindows`, or nil when there are none: `warning: 12 windows hold a
  /// component whose values are all the same (XX.FLAT. 12): ...`.
  public var flatWarning: String? {
    let total = flatWindows.values.reduce(0, +)
    guard total > 0 else { return nil }
    let stations = flatWindows.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
    let shown = stations.prefix(5).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    let more = stations.count > 5 ? ", and \(stations.count - 5) more stations" : ""
    return
      "\(total) window\(total == 1 ? " holds" : "s hold") a component whose values are all the same (\(shown)\(more)): a dead or flat-lined channel? They are kept, and may cluster as a family of their own; --stations leaves a station out"
  }
  /// The stored set, or nil when no window could be built (the current set is then unchanged).
  public var windowSet: WindowSetRecord?

  /// Skipped picks counted by reason.
  public var skippedByReason: [WindowSkipReason: Int] {
    var counts: [WindowSkipReason: Int] = [:]
    for s in skips { counts[s.reason, default: 0] += 1 }
    return counts
  }

  /// `skipped 3 (2 gap, 1 missing component)`, or `skipped 0`.
  public var skippedSummary: String {
    skips.isEmpty ? "skipped 0" : "skipped \(skips.count) (" + skippedReasons + ")"
  }

  /// `261 no data, 39 gap`: the skips counted by reason.
  public var skippedReasons: String {
    let counts = skippedByReason
    return counts.keys.sorted().map { "\(counts[$0] ?? 0) \($0.rawValue)" }
      .joined(separator: ", ")
  }

  /// `windows: built 12 of 15 picks; skipped 3 (2 gap, 1 missing component)`.
  public var summary: String {
    var text = "windows: built \(built) of \(pickCount) pick\(pickCount == 1 ? "" : "s")"
    text += "; " + skippedSummary
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
/// Picks are taken in pick order (time, then station) in waves of a few hundred; within a wave
/// they are grouped by channel set into jobs, and jobs into batches of bounded data. For a
/// batch, the stored segments its picks need are read once (whatever the number of picks that
/// share them), decoded and joined into contiguous runs on every core, then every pick's window
/// is cut and preprocessed on every core. Windows are stored as they come, in pick order,
/// inside one transaction (`SeisStore.writeWindowSet`): memory stays bounded by a wave and a
/// batch, not by the number of picks, and the set appears whole or not at all. All database
/// work runs on the thread that holds the transaction; the other cores only compute.
public struct WindowSetBuilder: Sendable {
  public let store: SeisStore
  public let logger: Logger
  public let quiet: Bool

  /// A job's picks at most (more picks of a set in a wave make more jobs)...
  public static let chunkPicks = 256
  /// ...and the longest stretch of time a job's picks spread over.
  public static let chunkSeconds = 6 * 3600.0

  public init(store: SeisStore, logger: Logger, quiet: Bool = false) {
    self.store = store
    self.logger = logger
    self.quiet = quiet
  }

  /// Why a build did not store a window set (one line; the current set is unchanged).
  public struct BuildError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
  }

  /// Builds the window set. Skipped picks are summed up in a few warning lines (by station and
  /// reason; one line per pick only with `SEISCLUSTER_LOG=debug`). Throws `BuildError` when the
  /// options select no pick or every selected pick is skipped: nothing is stored then, and the
  /// current set stays as it was.
  /// The input `build(options:)` would give the windows: the options' own, or the tool's
  /// default once the picks are selected (`WindowSetOptions.defaultInput(forStations:)`); nil
  /// when the options select no pick (`build` then says why).
  public func input(for options: WindowSetOptions) throws -> WindowSetOptions.Input? {
    let picks = try PickSelection.picks(in: store, options: options, channels: store.channels())
    guard !picks.isEmpty else { return nil }
    return options.defaultInput(
      forStations: Set(picks.map { "\($0.network).\($0.station).\($0.location)" }))
  }

  /// `makeCurrent` false stores the set without making it current: `cluster`'s retrain on a
  /// reference per bin makes its set current only once its run stands (decision 0020), so a
  /// kill in between leaves the set of the run that stands current.
  public func build(options given: WindowSetOptions, makeCurrent: Bool = true) throws
    -> WindowBuildReport
  {
    var options = given
    try WindowSizeCheck.check(options: options, inputRate: nil)
    var preprocessor: WindowPreprocessor
    do {
      preprocessor = try WindowPreprocessor(options: options)
    } catch {
      throw BuildError(reason: "window options: \(error.description)")
    }
    if let band = options.bandpass, band.low >= options.rate / 2 {
      // Every window would hold only the filters' roll-off.
      throw BuildError(
        reason:
          "window options: the band \(band.low)-\(band.high) Hz lies wholly at or above the output Nyquist frequency \(options.rate / 2) Hz: resampling to \(options.rate) Hz removes all of it (raise --rate or lower --bandpass)"
      )
    }
    if let band = options.bandpass, band.high >= options.rate / 2 {
      logger.warning(
        "the band's upper corner \(band.high) Hz is at or above the output Nyquist frequency \(options.rate / 2) Hz: resampling to \(options.rate) Hz removes the band above it"
      )
    }
    let channels = try store.channels()
    let picks = try PickSelection.picks(in: store, options: options, channels: channels)
    if options.phase == nil,
      let doubled = PickSelection.triggersBesideOtherPicks(
        picks, within: options.before + options.after),
      doubled > 0
    {
      logger.warning(
        "\(doubled) trigger\(doubled == 1 ? " (`detect`) lies" : "s (`detect`) lie") within one window (\(String(format: "%g", options.before + options.after)) s) of another pick at the same station, so their windows overlap (often the same events, picked twice): --phase trigger, or --phase with the other picks' phase, builds windows of one kind"
      )
    }
    let chosen = options.defaultInput(
      forStations: Set(picks.map { "\($0.network).\($0.station).\($0.location)" }))
    if chosen != options.input {
      options.input = chosen
      do {
        preprocessor = try WindowPreprocessor(options: options)
      } catch {
        throw BuildError(reason: "window options: \(error.description)")
      }
      logger.info(
        given.input == .spectrogram
          ? "input: correlation profiles, as every selected pick is at one station (give --input spectrogram for spectrograms)"
          : "input: correlation profiles, as every selected pick is at one station (give --input waveform for waveforms)"
      )
    }
    if options.inputChosenByTool, options.input == .waveform,
      options.before + options.after >= 4 * options.spectrogramSegment
    {
      logger.info(
        "input: waveforms, as --rate \(String(format: "%g", options.rate)) Hz is too low for spectrograms (STFT segments of \(String(format: "%g", options.spectrogramSegment)) s need two samples)"
      )
    }
    var report = WindowBuildReport()
    report.pickCount = picks.count

    // Channel sets, and the picks that cannot get one (or whose set cannot carry the band).
    let chooser = ChannelSetChooser(channels: channels)
    let components = options.components.orientations
    var early: [Int: WindowSkip] = [:]
    var setOfPick: [ChannelSet?] = Array(repeating: nil, count: picks.count)
    var maxRate = 0.0
    for (i, pick) in picks.enumerated() {
      let station = "\(pick.network).\(pick.station).\(pick.location)"
      let name = "\(station) pick \(pick.time.iso8601)"
      switch chooser.choose(
        network: pick.network, station: pick.station, location: pick.location,
        channel: pick.channel, components: components)
      {
      case .failure(.noData):
        // The channels of the pick's band and instrument (`HHZ` and `HH` both name `HH?`); a
        // code too short to name them chooses no group.
        let hasStation = chooser.hasStation(
          network: pick.network, station: pick.station, location: pick.location)
        let what =
          pick.channel.flatMap {
            $0.count >= 2 && hasStation
              ? "channels \(ChannelSetChooser.groupCode(pick: $0))?" : nil
          } ?? "data"
        early[i] = WindowSkip(
          reason: .noData, message: "\(name): no stored \(what), skipped", station: station,
          common: "no stored \(what)")
      case .failure(.missingComponent(let why)):
        early[i] = WindowSkip(
          reason: .missingComponent, message: "\(name): \(why), skipped", station: station,
          common: why)
      case .success(let set):
        let nyquist = set.samplingRate / 2
        if let band = options.bandpass, band.high / nyquist - 1 > -1e-6 {
          // To 7 digits, as the check's tolerance (a float32 rate printed 25.00000055879356 Hz
          // "at or below" 25.0 Hz).
          func shown(_ x: Double) -> Double { Double(String(format: "%.7g", x)) ?? x }
          let why =
            "Nyquist frequency \(shown(nyquist)) Hz (\(set.channels[0].channel) at \(shown(set.samplingRate)) Hz) "
            + "is at or below the band's upper corner \(band.high) Hz"
          early[i] = WindowSkip(
            reason: .nyquist,
            message: "station \(set.stationID): \(why); pick \(pick.time.iso8601) skipped",
            station: set.stationID, common: why, nyquist: nyquist)
        } else {
          setOfPick[i] = set
        }
      }
    }
    // A station whose rate is an outlier (ten times the median station's or more: a SAC DELTA of
    // 1e-30 reads as 1e30 Hz) and too high to preprocess has its picks skipped; it used to
    // refuse the whole build with advice about the options. Where the options are what cost
    // the memory (rates of one order), the build is refused as before, whatever the station:
    // which stations are clustered must not depend on the host's memory.
    // The median over stations, not picks: a station with many picks must not outvote the
    // others (the lower median of two stations is the lower rate).
    var rateOfStation: [String: Double] = [:]
    for set in setOfPick.compactMap({ $0 }) { rateOfStation[set.stationID] = set.samplingRate }
    let rates = rateOfStation.values.sorted()
    let median = rates.isEmpty ? 0 : rates[(rates.count - 1) / 2]
    if let line = Self.upsamplingWarning(options: options, sets: setOfPick.compactMap { $0 }) {
      logger.warning("\(line)")
    }
    for (i, pick) in picks.enumerated() {
      guard let set = setOfPick[i] else { continue }
      if median > 0, set.samplingRate >= 10 * median,
        let excess = WindowSizeCheck.excess(options: options, inputRate: set.samplingRate)
      {
        let why =
          "its data at \(WindowSizeCheck.format(set.samplingRate)) Hz (\(set.channels[0].channel)) "
          + "would need about \(WindowSizeCheck.bytes(excess.need)) to preprocess, more than half "
          + "of what this process can use (\(WindowSizeCheck.bytes(excess.limit)) of \(excess.what))"
        early[i] = WindowSkip(
          reason: .rateTooHigh,
          message: "station \(set.stationID): \(why); pick \(pick.time.iso8601) skipped",
          station: set.stationID, common: why)
        setOfPick[i] = nil
      } else {
        maxRate = max(maxRate, set.samplingRate)
      }
    }
    if maxRate > 0 { try WindowSizeCheck.check(options: options, inputRate: maxRate) }

    let set = WindowSetRecord(
      version: SeisclusterVersion.string,
      inputKind: options.input.storesWaveforms ? .waveform : .spectrogram,
      channelCount: preprocessor.channelCount, length: preprocessor.length,
      samplingRate: options.input.storesWaveforms
        ? options.rate
        : options.rate / Double(preprocessor.segmentLength - preprocessor.segmentOverlap),
      parametersJson: Self.parametersJSON(options: options, preprocessor: preprocessor),
      processingJson: Self.json(preprocessor.history(version: SeisclusterVersion.string)))
    let progress = Progress(label: "windows", total: picks.count, quiet: quiet)
    var run = BuildRun(
      picks: picks, setOfPick: setOfPick, early: early, preprocessor: preprocessor,
      progress: progress, logger: logger)
    if !picks.isEmpty {
      report.windowSet = try store.writeWindowSet(set, makeCurrent: makeCurrent) { writer in
        try run.run(writer)
      }
    }
    progress.finish()
    report.skips = run.skips
    report.built = report.windowSet == nil ? 0 : run.built
    report.flatWindows = report.windowSet == nil ? [:] : run.flatWindows
    if let warning = report.flatWarning { logger.warning("\(warning)") }
    for line in WindowSkipSummary(report.skips).lines(band: options.bandpass) {
      logger.warning("\(line)")
    }
    guard report.windowSet != nil else {
      var phaseHint = ""
      if picks.isEmpty, let hint = try PickSelection.phaseHint(in: store, options: options) {
        phaseHint = "; " + hint
      }
      let why =
        picks.isEmpty
        ? "no pick selected (\(PickSelection.whySelectedNone(in: store, options: options))\(phaseHint))"
        : "no window could be built: all \(picks.count) selected pick\(picks.count == 1 ? " was" : "s were") skipped (\(report.skippedReasons))"
      // Stations of vertical channels only (common in archives) skip every pick under the
      // default ZNE: say the option that builds them.
      // Only where such a station has a vertical channel (one of LH1 alone would fail again).
      let lacking = Set(report.skips.filter { $0.reason == .missingComponent }.map(\.station))
      let hasVertical = channels.contains {
        $0.channel.uppercased().hasSuffix("Z")
          && lacking.contains("\($0.network).\($0.station).\($0.location)")
      }
      let componentHint =
        options.components == .zne && hasVertical
        ? "; --components Z builds windows of the vertical component alone" : ""
      throw BuildError(reason: "\(why)\(componentHint); the current window set is unchanged")
    }
    return report
  }

  /// Without a band, windows of stations recorded below the output rate are upsampled and hold
  /// nothing above their own Nyquist frequency, unlike the others': the clusters may follow the
  /// rates (`--bandpass none` on LH data beside HH data). Where every station is recorded at
  /// one rate, half of --rate or less, the windows only grow: --rate at that rate says the
  /// same. With a band, stations whose Nyquist frequency is at or below its upper corner are
  /// skipped, so no warning is needed.
  static func upsamplingWarning(options: WindowSetOptions, sets: [ChannelSet]) -> String? {
    guard options.bandpass == nil, !sets.isEmpty else { return nil }
    func text(_ x: Double) -> String { String(format: "%g", x) }
    var picksAt: [String: (rate: Double, channel: String, picks: Int)] = [:]
    for set in sets where set.samplingRate < options.rate * (1 - 1e-6) {
      picksAt[set.stationID, default: (set.samplingRate, set.channels[0].channel, 0)].picks += 1
    }
    guard !picksAt.isEmpty else { return nil }
    let lowest = picksAt.values.map(\.rate).min() ?? 0
    let highest = sets.map(\.samplingRate).max() ?? 0
    if highest <= lowest * (1 + 1e-6) {
      // One rate throughout: nothing to follow, only samples to spare.
      guard lowest * 2 <= options.rate else { return nil }
      return
        "every window is upsampled from \(text(lowest)) Hz to --rate \(text(options.rate)) Hz: "
        + "--rate \(text(lowest)) gives the same content in \(text((options.rate / lowest).rounded())) times fewer samples"
    }
    let picks = picksAt.values.reduce(0) { $0 + $1.picks }
    let listed = picksAt.sorted { ($0.value.rate, $0.key) < ($1.value.rate, $1.key) }.prefix(4)
      .map { "\($0.key) \($0.value.channel) at \(text($0.value.rate)) Hz" }
    return
      "\(picks) pick\(picks == 1 ? "" : "s") at \(picksAt.count) station\(picksAt.count == 1 ? "" : "s") "
      + "recorded below --rate \(text(options.rate)) Hz (\(listed.joined(separator: ", "))"
      + "\(picksAt.count > 4 ? ", ..." : "")) are upsampled: with --bandpass none their windows hold "
      + "nothing above their own Nyquist frequency, unlike the others', and the clusters may follow the rates; "
      + "a band below \(text(lowest / 2)) Hz keeps like with like"
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
        taperFraction: preprocessor.taperFraction,
        bandpassCorners: options.bandpass == nil ? 4 : preprocessor.bandpassCorners,
        normalizeScope: "window",
        stftSegmentSamples: spectrogram ? preprocessor.segmentLength : nil,
        stftOverlapSamples: spectrogram ? preprocessor.segmentOverlap : nil,
        spectrogramLayout: spectrogram
          ? "channel = component * \(preprocessor.frequencyCount) + frequency bin" : nil))
  }
}

// MARK: - One build, wave by wave

/// The state of one build inside its transaction: plans jobs wave by wave, reads their data,
/// computes their windows on every core, and stores windows in pick order.
struct BuildRun {
  let picks: [PickRecord]
  let setOfPick: [ChannelSet?]
  let early: [Int: WindowSkip]
  let preprocessor: WindowPreprocessor
  let progress: Progress
  let logger: Logger

  /// Skipped picks, in pick order.
  private(set) var skips: [WindowSkip] = []
  /// Windows stored.
  private(set) var built = 0
  /// Built windows with a flat component, by station (`WindowBuildReport.flatWindows`).
  private(set) var flatWindows: [String: Int] = [:]
  /// Outcomes of picks computed but not stored yet (an earlier pick is still to come).
  private var pending: [Int: Outcome] = [:]
  /// The next pick to store (or skip), in pick order.
  private var next = 0

  /// A built window, and whether a channel of it is flat (`WindowPreprocessor.window`).
  typealias Outcome = Result<(window: WindowRecord, flat: Bool), WindowSkip>

  init(
    picks: [PickRecord], setOfPick: [ChannelSet?], early: [Int: WindowSkip],
    preprocessor: WindowPreprocessor, progress: Progress, logger: Logger
  ) {
    self.picks = picks
    self.setOfPick = setOfPick
    self.early = early
    self.preprocessor = preprocessor
    self.progress = progress
    self.logger = logger
  }

  /// Picks per wave: about 32 MB of finished windows wait at most for an earlier pick.
  var waveSize: Int {
    let bytes = max(1, preprocessor.channelCount * preprocessor.length * 4)
    return min(4096, max(64, (32 << 20) / bytes))
  }

  /// Decoded samples (8 bytes each, as Double) a batch holds at most, when it has more than
  /// one job.
  static let batchSamples = 4 << 20

  /// Segments longer than this are sliced to the stretch a job needs after decoding.
  static let sliceSamples = 1 << 20

  /// Batches run as a pipeline: while the other cores cut and preprocess one batch's windows,
  /// this thread (the one holding the transaction) reads and decodes the next batch's segments
  /// and stores the windows that are ready.
  mutating func run(_ writer: WindowSetWriter) throws {
    let wave = waveSize
    var inFlight: Computation?
    defer { inFlight?.group.wait() }
    var start = 0
    while start < picks.count {
      let end = min(picks.count, start + wave)
      var batches: [[Job]] = [[]]
      var samples = 0
      for job in try plan(start..<end, writer: writer) {
        if !batches[batches.count - 1].isEmpty && samples + job.samples > Self.batchSamples {
          batches.append([])
          samples = 0
        }
        batches[batches.count - 1].append(job)
        samples += job.samples
      }
      for batch in batches where !batch.isEmpty {
        let prepared = try prepare(batch, writer: writer)
        if let previous = inFlight { finish(previous) }
        inFlight = compute(prepared)
        try emit(upTo: picks.count, writer: writer)
      }
      try emit(upTo: picks.count, writer: writer)
      start = end
    }
    if let last = inFlight { finish(last) }
    inFlight = nil
    try emit(upTo: picks.count, writer: writer)
  }

  // MARK: Planning

  /// One channel set's picks within a wave, and what to read for them.
  struct Job {
    var set: ChannelSet
    /// Pick indices, in pick order.
    var picks: [Int]
    /// Per channel (in set order): the segments to read, each with the stretch of time the
    /// picks need from it.
    var reads: [[SegmentRead]] = []
    /// Estimated samples once decoded and sliced (all channels).
    var samples = 0
  }

  struct SegmentRead {
    var span: SegmentSpan
    var from: Timestamp
    var to: Timestamp
  }

  /// Seconds of data a pick needs on each side of its window: the margin, plus room for the
  /// preprocessor to grow its span to an FFT-friendly length (`fftFriendlyCount`), so a job's
  /// data never depends on where the job's picks start or end.
  func reach(rate: Double) -> (before: Double, after: Double) {
    let o = preprocessor.options
    let span = o.before + o.after + 2 * preprocessor.margin
    let growth = span / 16 + 66 / max(rate, 1e-9)
    return (o.before + preprocessor.margin + growth, o.after + preprocessor.margin + growth)
  }

  /// The jobs of the picks in `wave`: by channel set, split at `chunkPicks` picks or
  /// `chunkSeconds` of time, with the segments each needs (from the index, no samples read).
  func plan(_ wave: Range<Int>, writer: WindowSetWriter) throws -> [Job] {
    var order: [ChannelSet] = []
    var bySet: [ChannelSet: [Int]] = [:]
    for i in wave {
      guard let set = setOfPick[i] else { continue }
      if bySet[set] == nil { order.append(set) }
      bySet[set, default: []].append(i)
    }
    var jobs: [Job] = []
    for set in order {
      var current: [Int] = []
      for i in bySet[set] ?? [] {
        if let first = current.first,
          current.count >= WindowSetBuilder.chunkPicks
            || picks[i].time.nanoseconds(since: picks[first].time)
              > Int64(WindowSetBuilder.chunkSeconds * 1e9)
        {
          jobs.append(try reads(for: Job(set: set, picks: current), writer: writer))
          current = []
        }
        current.append(i)
      }
      if !current.isEmpty {
        jobs.append(try reads(for: Job(set: set, picks: current), writer: writer))
      }
    }
    return jobs
  }

  /// Fills in what `job` reads: per channel, the segments that overlap any pick's reach, each
  /// with the stretch of time the picks need from it.
  func reads(for job: Job, writer: WindowSetWriter) throws -> Job {
    var job = job
    let (before, after) = reach(rate: job.set.samplingRate)
    let spans = job.picks.map {
      (picks[$0].time.adding(seconds: -before), picks[$0].time.adding(seconds: after))
    }
    guard let from = spans.map(\.0).min(), let to = spans.map(\.1).max() else { return job }
    for channel in job.set.channels {
      var reads: [SegmentRead] = []
      for segment in try writer.segmentSpans(of: channel, from: from, to: to) {
        var needFrom: Timestamp?
        var needTo: Timestamp?
        for (a, b) in spans where a <= segment.endTime && b >= segment.startTime {
          needFrom = min(needFrom ?? a, a)
          needTo = max(needTo ?? b, b)
        }
        if let needFrom, let needTo {
          reads.append(SegmentRead(span: segment, from: needFrom, to: needTo))
          let seconds = Double(
            min(needTo, segment.endTime).nanoseconds(since: max(needFrom, segment.startTime)))
          job.samples += Int(max(0, seconds) / 1e9 * job.set.samplingRate) + 1
        }
      }
      job.reads.append(reads)
    }
    return job
  }

  // MARK: Computing

  /// Reads the batch's segments (here, in the transaction), decodes and joins them on every
  /// core, cuts and preprocesses every pick's window on every core, and stores what can be
  /// stored in pick order.
  /// A batch read and decoded: each job's joined runs per channel, or why the job's data
  /// cannot be read.
  struct Prepared {
    var batch: [Job]
    var runs: [[ContiguousRun.Joined]]
    var failed: [WindowSkip?]
  }

  /// Windows being cut and preprocessed on the other cores.
  struct Computation {
    let group: DispatchGroup
    let outcomes: ConcurrentSlots<Outcome>
    let picks: [Int]
  }

  /// Reads the batch's segments (here, in the transaction) and decodes and joins them on every
  /// core.
  mutating func prepare(_ batch: [Job], writer: WindowSetWriter) throws -> Prepared {
    // Read and decode job by job (a segment several jobs need is read once per batch and kept
    // until its last job), each job's channels decoded and joined on every core, so no more
    // than one job's encoded and fully decoded samples are in hand at once; what stays is each
    // job's joined runs, sliced to the stretch its picks need.
    var lastUse: [Int64: Int] = [:]
    for (j, job) in batch.enumerated() {
      for reads in job.reads { for read in reads { lastUse[read.span.id] = j } }
    }
    var kept: [Int64: SegmentRecord] = [:]
    var runs: [[ContiguousRun.Joined]] = []
    var failed: [WindowSkip?] = []
    for (j, job) in batch.enumerated() {
      let missing = job.reads.flatMap { $0.map(\.span.id) }.filter { kept[$0] == nil }
      for record in try writer.segmentRecords(ids: missing) {
        if let id = record.id { kept[id] = record }
      }
      let records = job.reads.map { reads in reads.map { kept[$0.span.id] } }
      for reads in job.reads {
        for read in reads where lastUse[read.span.id] == j { kept[read.span.id] = nil }
      }
      let joined = ConcurrentSlots<Result<ContiguousRun.Joined, WindowSkip>>(
        count: job.set.channels.count)
      DispatchQueue.concurrentPerform(iterations: job.set.channels.count) { c in
        do {
          var segments: [Segment] = []
          for (record, read) in zip(records[c], job.reads[c]) {
            guard let record else { throw StoreError.invalid("segment \(read.span.id) is gone") }
            segments.append(
              try Self.segment(
                record, source: job.set.channels[c], from: read.from, to: read.to))
          }
          joined.set(c, .success(ContiguousRun.join(segments)))
        } catch {
          joined.set(
            c,
            .failure(
              WindowSkip(
                reason: .processing,
                message: "\(job.set.stationID): cannot read stored data: \(error)",
                station: job.set.stationID, common: "cannot read stored data: \(error)")))
        }
      }
      var channels: [ContiguousRun.Joined] = []
      var failure: WindowSkip?
      for c in job.set.channels.indices {
        switch joined.take(c) {
        case .success(let runs)?: channels.append(runs)
        case .failure(let skip)?: failure = failure ?? skip
        case nil: failure = failure ?? WindowSkip(reason: .processing, message: "not processed")
        }
      }
      runs.append(channels)
      failed.append(failure)
    }
    return Prepared(batch: batch, runs: runs, failed: failed)
  }

  /// Starts cutting and preprocessing a prepared batch's windows on the other cores, one pick
  /// per task; `finish` collects them.
  mutating func compute(_ prepared: Prepared) -> Computation {
    let batch = prepared.batch
    var pickTasks: [(job: Int, pick: Int)] = []
    for (j, job) in batch.enumerated() {
      for i in job.picks {
        if let failure = prepared.failed[j] {
          pending[i] = .failure(failure)
        } else {
          pickTasks.append((j, i))
        }
      }
    }
    let outcomes = ConcurrentSlots<Outcome>(count: pickTasks.count)
    let preprocessor = self.preprocessor
    let picks = self.picks
    let runList = prepared.runs
    let pickTaskList = pickTasks
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
      DispatchQueue.concurrentPerform(iterations: pickTaskList.count) { k in
        let (j, i) = pickTaskList[k]
        let job = batch[j]
        let pick = picks[i]
        switch preprocessor.window(
          pick: pick.time, channels: job.set.channels, runs: runList[j].map(\.runs),
          conflicts: runList[j].map(\.conflicts))
        {
        case .success(let w):
          outcomes.set(
            k,
            .success(
              (
                WindowRecord(
                  windowSetId: 0, windowKey: -1, pickId: pick.id, network: pick.network,
                  station: pick.station, location: pick.location, channels: job.set.channelList,
                  pickTime: pick.time, phase: pick.phase, startTime: w.startTime,
                  samples: w.values), w.flat
              )))
        case .failure(var skip):
          skip.station = job.set.stationID
          outcomes.set(k, .failure(skip))
        }
      }
    }
    return Computation(group: group, outcomes: outcomes, picks: pickTasks.map(\.pick))
  }

  /// Waits for a computation and files its outcomes for storing.
  mutating func finish(_ computation: Computation) {
    computation.group.wait()
    for (k, pick) in computation.picks.enumerated() {
      pending[pick] =
        computation.outcomes.take(k)
        ?? .failure(WindowSkip(reason: .processing, message: "pick not processed"))
    }
  }

  /// The segment a row holds, cut down to the samples from just before `from` to just after
  /// `to` when it is long (a day file) and its sample period is a whole number of nanoseconds,
  /// so the cut keeps every sample's time exact; otherwise the whole segment. Only the samples
  /// kept are decoded into memory.
  static func segment(
    _ record: SegmentRecord, source: SourceIdentifier, from: Timestamp, to: Timestamp
  ) throws -> Segment {
    let count = record.sampleCount
    let rate = record.samplingRate
    let period = rate > 0 ? 1e9 / rate : 0
    guard count > sliceSamples, period >= 1, period == period.rounded() else {
      return try record.segment(source: source)
    }
    let p = Int64(period)
    let start = Timestamp(nanoseconds: record.startNanoseconds)
    let first = max(0, Int(from.nanoseconds(since: start) / p) - 2)
    let last = min(count - 1, Int(to.nanoseconds(since: start) / p) + 2)
    guard first <= last, first > 0 || last < count - 1 else {
      return try record.segment(source: source)
    }
    return Segment(
      source: source, startTime: start.adding(nanoseconds: Int64(first) * p), samplingRate: rate,
      samples: try record.samples(in: first..<(last + 1)), quality: record.segmentQuality)
  }

  // MARK: Storing

  /// Stores (or records as skipped) every pick from `next` on whose outcome is known, in pick
  /// order, up to `limit`.
  mutating func emit(upTo limit: Int, writer: WindowSetWriter) throws {
    while next < min(limit, picks.count) {
      let outcome: Outcome
      if let skip = early[next] {
        outcome = .failure(skip)
      } else if let known = pending.removeValue(forKey: next) {
        outcome = known
      } else {
        return
      }
      switch outcome {
      case .success(let cut):
        var window = cut.window
        // A built window's id is its pick's (decision 0021): the same pick keeps its window id
        // in every set built from it, and windows of different picks never share one, so a
        // run whose catalog spans sets (`assign` after new picks) names each window once.
        window.windowKey = window.pickId ?? Int64(built)
        if cut.flat {
          flatWindows["\(window.network).\(window.station).\(window.location)", default: 0] += 1
        }
        try writer.append(window)
        built += 1
      case .failure(let skip):
        skips.append(skip)
        logger.debug("\(skip.message)")
      }
      next += 1
      progress.update(next)
    }
  }
}

/// Per-index results written from concurrent workers, each taken once.
final class ConcurrentSlots<Value>: @unchecked Sendable {
  private var slots: [Value?]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ value: Value) {
    lock.lock()
    slots[i] = value
    lock.unlock()
  }
  func take(_ i: Int) -> Value? {
    lock.lock()
    defer { lock.unlock() }
    let value = slots[i]
    slots[i] = nil
    return value
  }
}

extension WindowSkip: Error {}
