import ArgumentParser
import Foundation
import Pipeline

extension WindowSetOptions.Components: ExpressibleByArgument {}
extension WindowSetOptions.Normalization: ExpressibleByArgument {}
extension WindowSetOptions.Input: ExpressibleByArgument {}
extension WindowSetOptions.SpectrogramReference: ExpressibleByArgument {}

/// The contract's window options, shared by `windows build` and `cluster`. Every option is
/// optional so `cluster` can tell whether the user asked for a new window set.
struct WindowOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Seconds before the pick (default 5).", valueName: "sec"))
  var before: Double?

  @Option(help: ArgumentHelp("Seconds after the pick (default 55).", valueName: "sec"))
  var after: Double?

  @Option(help: ArgumentHelp("Only picks of this phase (default: all picks).", valueName: "name"))
  var phase: String?

  @Option(
    name: .customLong("stations"),
    help: ArgumentHelp(
      """
      Only picks at matching stations: NET.STA or NET.STA.LOC patterns, comma-separated, with \
      shell wildcards (XH.*, *.H0?) read as ObsPy's select reads them; case ignored; a blank \
      location is NET.STA. (with the dot); a code holding * ? , or [ is matched by that \
      character in brackets (XX.A[*]B). Given more than once, the lists join.
      """, valueName: "patterns"))
  var stationLists: [String] = []

  /// Every `--stations` list as one (`--stations XS.* --stations ZQ.*` selects both; the last
  /// one alone was used).
  var stations: String? { stationLists.isEmpty ? nil : stationLists.joined(separator: ",") }

  @Option(
    help: ArgumentHelp("Only picks at or after this time (ISO 8601 UTC).", valueName: "time"))
  var start: String?

  @Option(help: ArgumentHelp("Only picks before this time (ISO 8601 UTC).", valueName: "time"))
  var end: String?

  @Option(
    help: "Channels of a window, in this order: ZNE or Z (orientation 1, 2 = N, E; default ZNE).")
  var components: WindowSetOptions.Components?

  @Option(
    help: ArgumentHelp("Resample to this rate, FFT-based as ObsPy (default 100).", valueName: "hz"))
  var rate: Double?

  // The next word is the value even when it starts with `-` (`--bandpass -1,20` was "Missing
  // value"; now the range check says what is wrong).
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "4-corner zero-phase Butterworth band-pass LOW,HIGH in Hz, or none (default 1,20).",
      valueName: "low,high"))
  var bandpass: String?

  @Option(
    help:
      "Per-window normalisation: max, std or none (default max: each window divided by its largest absolute value over its channels)."
  )
  var normalize: WindowSetOptions.Normalization?

  @Option(
    help: """
      What the network sees: waveform samples; STFT spectrograms in dB (see \
      --spectrogram-reference); or correlation: each window's peak cross-correlation with up to 256 \
      reference windows of the set, as REDPy measures repeating earthquakes (for families at \
      one station; see docs/decisions/0018-correlation-input.md). Default: for windows of \
      5.12 s or more, correlation when every selected pick is at one station, else \
      spectrogram (waveform at --rate 1.17 Hz or lower, too low for STFT segments of \
      1.28 s); waveform for shorter windows. Correlation profiles are computed by \
      `cluster` from a set of waveform windows, so `windows build` and `windows export` hold \
      the waveforms there.
      """)
  var input: WindowSetOptions.Input?

  @Option(
    help: ArgumentHelp(
      """
      Spectrogram input: what a cell's dB are measured against. window (default): the \
      window's loudest cell, as in the paper. frequency: the loudest frame of the cell's own \
      frequency bin, so a station's sensor and site response (a gain per frequency) cancels: \
      for networks mixing sensor types, where clusters otherwise follow stations; it loses the \
      balance between frequencies, which a uniform network's classes need. noise: the RMS of \
      the cell's own bin before the pick, each cell its signal-to-noise ratio from 0 dB (0) up \
      to the window's highest (1; at least 10 dB): a station's response cancels as with \
      frequency, and how far the signal stands above the noise is kept; needs one STFT \
      segment (1.28 s, in whole samples) before the pick. Not given, `cluster` trains a set \
      it built on noise (frequency when fewer than two STFT frames, 1.92 s, fit before the \
      pick) when the set's own k-means clusters, or the \
      window run's, follow stations whose windows differ even within a cluster. See \
      docs/decisions/0020-spectrogram-reference.md.
      """, valueName: "reference"))
  var spectrogramReference: WindowSetOptions.SpectrogramReference?

  /// True when the user gave any window option.
  var anyGiven: Bool {
    before != nil || after != nil || phase != nil || components != nil || rate != nil
      || bandpass != nil || normalize != nil || input != nil || stations != nil || start != nil
      || end != nil || spectrogramReference != nil
  }

  func validate() throws {
    if let before, !(before >= 0 && before.isFinite) {
      throw ValidationError("--before must be a finite number of seconds >= 0")
    }
    if let after, !(after >= 0 && after.isFinite) {
      throw ValidationError("--after must be a finite number of seconds >= 0")
    }
    if let longest = [before, after].compactMap({ $0 }).max(),
      longest > WindowSetOptions.maximumSeconds
    {
      throw ValidationError("--before and --after are at most 1e9 s each")
    }
    if let rate, !(rate > 0 && rate.isFinite) {
      throw ValidationError("--rate must be a finite number > 0")
    }
    _ = try parsedBandpass()
    if let stations {
      do {
        _ = try StationPattern.list(stations)
      } catch {
        throw ValidationError("--stations: \(error.description)")
      }
    }
    try checkTime(start, option: "--start")
    try checkTime(end, option: "--end")
    let options = resolved()
    if let from = options.start, let to = options.end, !(from < to) {
      throw ValidationError("--start must be before --end (picks with start <= time < end)")
    }
    if let spectrogramReference, options.input != .spectrogram {
      throw ValidationError(
        "--spectrogram-reference \(spectrogramReference.rawValue) applies to spectrogram input; "
          + "these windows go in as \(options.input.rawValue)"
          + (input == nil
            ? options.before + options.after >= 4 * options.spectrogramSegment
              ? " (--rate \(String(format: "%g", options.rate)) Hz is too low for STFT segments of \(String(format: "%g", options.spectrogramSegment)) s): raise --rate"
              : " (windows under 5.12 s): add --input spectrogram"
            : ""))
    }
    if options.input == .spectrogram, options.spectrogramReference == .noise,
      let problem = WindowPreprocessor.noiseProblem(options)
    {
      throw ValidationError(problem)
    }
    if options.sampleCount < 1 {
      throw ValidationError("the window (--before + --after) holds no sample at \(options.rate) Hz")
    }
  }

  /// Refuses a time option that is not ISO 8601.
  private func checkTime(_ text: String?, option: String) throws {
    guard let text, let problem = WindowSetOptions.timeProblem(text, option: option) else {
      return
    }
    throw ValidationError(problem)
  }

  /// `--bandpass` parsed: nil when absent, `.some(nil)` for `none`.
  func parsedBandpass() throws -> (low: Double, high: Double)?? {
    guard let bandpass else { return nil }
    if bandpass.lowercased() == "none" { return .some(nil) }
    let parts = bandpass.split(separator: ",").map {
      Double($0.trimmingCharacters(in: .whitespaces))
    }
    guard parts.count == 2, let low = parts[0], let high = parts[1], low > 0, high > low,
      low.isFinite, high.isFinite
    else {
      throw ValidationError("--bandpass takes LOW,HIGH in Hz with 0 < LOW < HIGH, or none")
    }
    return .some((low, high))
  }

  /// The options with the tool's defaults filled in.
  func resolved() -> WindowSetOptions {
    var o = WindowSetOptions()
    if let before { o.before = before }
    if let after { o.after = after }
    o.phase = phase
    o.stations = stations.map(StationPattern.items)
    o.start = start.flatMap(WindowSetOptions.time(iso8601:))
    o.end = end.flatMap(WindowSetOptions.time(iso8601:))
    if let components { o.components = components }
    if let rate { o.rate = rate }
    if let band = try? parsedBandpass() { o.bandpass = band }
    if let normalize { o.normalize = normalize }
    if let spectrogramReference { o.spectrogramReference = spectrogramReference }
    o.input =
      input
      ?? WindowSetOptions.defaultInput(
        before: o.before, after: o.after, segment: o.spectrogramSegment, rate: o.rate)
    // A spectrogram option keeps spectrograms where the tool would take correlation profiles
    // (picks at one station).
    o.inputChosenByTool = input == nil && spectrogramReference == nil
    return o
  }
}
