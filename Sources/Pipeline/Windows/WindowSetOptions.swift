import Seismic

/// How windows are cut around picks and preprocessed (the contract's window options).
public struct WindowSetOptions: Codable, Sendable, Equatable {
  public enum Components: String, Codable, Sendable, CaseIterable {
    /// Vertical, north, east (orientation codes 1 and 2 stand for N and E).
    case zne = "ZNE"
    case z = "Z"
    /// Orientation codes in window order.
    public var orientations: [Character] { self == .zne ? ["Z", "N", "E"] : ["Z"] }
  }

  public enum Normalization: String, Codable, Sendable, CaseIterable {
    case max, std, none
  }

  /// What a spectrogram cell's dB are measured against (docs/decisions/0020).
  public enum SpectrogramReference: String, Codable, Sendable, CaseIterable {
    /// The window's loudest cell (the paper's spectrograms; the default).
    case window
    /// The loudest frame of the cell's own frequency bin and component: each bin shows how its
    /// energy rises and falls, not how loud it is against other frequencies, so a gain per
    /// frequency (a station's sensor and site response) cancels. For networks that mix sensor
    /// types; on a uniform network it discards what tells the classes apart.
    case frequency
    /// The cell's own bin and component before the pick (the RMS of the frames that end at or
    /// before it): each cell is its signal-to-noise ratio in dB, from 0 dB up to the window's
    /// highest. A gain per frequency cancels as with `frequency`, but how far the signal stands
    /// above the noise is kept. Needs one STFT segment of the window before the pick.
    case noise
  }

  public enum Input: String, Codable, Sendable, CaseIterable {
    /// The preprocessed samples.
    case waveform
    /// STFT log-magnitude spectrograms.
    case spectrogram
    /// The preprocessed samples are stored; the network sees each window's correlation
    /// profile against the run's reference windows (`CorrelationProfiles`,
    /// docs/decisions/0018-correlation-input.md).
    case correlation

    /// Whether the stored windows are the preprocessed samples.
    public var storesWaveforms: Bool { self != .spectrogram }
  }

  /// Seconds before the pick.
  public var before: Double
  /// Seconds after the pick.
  public var after: Double
  /// Only picks of this phase (nil: all picks).
  public var phase: String?
  /// Only picks at stations matching one of these patterns (nil: every station):
  /// `NET.STA` or `NET.STA.LOC` with shell wildcards, case-insensitive, a blank location
  /// written `NET.STA.` (`StationPattern`).
  public var stations: [String]?
  /// Only picks at or after this time (nil: from the first).
  public var start: Timestamp?
  /// Only picks before this time (nil: to the last).
  public var end: Timestamp?
  public var components: Components
  /// Target sampling rate (Hz).
  public var rate: Double
  /// Band-pass corners (Hz); nil skips the filter.
  public var bandpass: (low: Double, high: Double)?
  public var normalize: Normalization
  public var input: Input
  /// Whether `input` is the tool's default rather than the user's choice: the builder then
  /// turns spectrograms into correlation when every selected pick is at one station
  /// (`defaultInput(forStations:)`). Not stored.
  public var inputChosenByTool = false
  /// STFT segment length in seconds (spectrogram input).
  public var spectrogramSegment: Double
  /// STFT overlap as a share of the segment (spectrogram input).
  public var spectrogramOverlap: Double
  /// Dynamic range of spectrogram values in dB: magnitudes are taken in dB relative to the
  /// window's loudest cell, floored this far below it and mapped to [0, 1]
  /// (docs/decisions/0006-clustering-defaults.md). With the `noise` reference, the smallest
  /// span: signal-to-noise ratios are divided by the window's highest, but at least this.
  public var spectrogramRange: Double
  /// What spectrogram dB are measured against. Sets stored without it used `.window`.
  public var spectrogramReference: SpectrogramReference
  /// The reference `windows build` and `cluster` use unless told otherwise (decision 0020).
  public static let defaultSpectrogramReference = SpectrogramReference.window

  public init(
    before: Double = 5, after: Double = 55, phase: String? = nil, components: Components = .zne,
    rate: Double = 100, bandpass: (low: Double, high: Double)? = (1, 20),
    normalize: Normalization = .max, input: Input = .spectrogram,
    spectrogramSegment: Double = 1.28, spectrogramOverlap: Double = 0.5,
    spectrogramRange: Double = 10,
    spectrogramReference: SpectrogramReference = Self.defaultSpectrogramReference,
    stations: [String]? = nil, start: Timestamp? = nil, end: Timestamp? = nil
  ) {
    self.before = before
    self.after = after
    self.phase = phase
    self.components = components
    self.rate = rate
    self.bandpass = bandpass
    self.normalize = normalize
    self.input = input
    self.spectrogramSegment = spectrogramSegment
    self.spectrogramOverlap = spectrogramOverlap
    self.spectrogramRange = spectrogramRange
    self.spectrogramReference = spectrogramReference
    self.stations = stations
    self.start = start
    self.end = end
  }

  /// A `--start`/`--end` time: ISO 8601 UTC, with or without `Z` and fractional seconds; nil
  /// when unreadable.
  /// A `--start`/`--end` time. Digits beyond the nanosecond round the time up: picks are
  /// selected from `--start` on and before `--end`, and a pick at 0.004692000 s lies before
  /// `--end ...0.0046920009` (truncated, it was left out; and one at `--start ...0.0046920001`,
  /// before its start, was taken).
  public static func time(iso8601 text: String) -> Timestamp? {
    guard let time = Timestamp(iso8601: text) else { return nil }
    // (The last storable nanosecond stays itself: one past it cannot be held.)
    return beyondNanoseconds(text) && time.nanoseconds < .max ? time.adding(nanoseconds: 1) : time
  }

  /// Whether the fraction of seconds of `text` has a nonzero digit past the ninth.
  static func beyondNanoseconds(_ text: String) -> Bool {
    guard let dot = text.firstIndex(where: { $0 == "." || $0 == "," }) else { return false }
    let digits = text[text.index(after: dot)...].prefix(while: \.isNumber)
    return digits.dropFirst(9).contains { $0 != "0" }
  }

  /// Why `--start`/`--end` text is not a time, in one line (nil when it is one): a valid date
  /// outside the storable years is called that, as `picks import` calls it.
  public static func timeProblem(_ text: String, option: String) -> String? {
    switch Timestamp.parse(iso8601: text) {
    case .success: return nil
    case .failure(.outOfRange), .failure(.leapSecond):
      return Timestamp.iso8601Problem(text, name: option)
    case .failure(.unreadable):
      return "\(option) '\(text)' is not an ISO 8601 UTC time (2026-03-01T00:06:16.649649Z)"
    }
  }

  /// Whether the options select picks by more than phase (stations or times).
  public var selectsStationsOrTimes: Bool { stations != nil || start != nil || end != nil }

  /// The input the tool chooses when the user does not: spectrograms for windows of at least
  /// four STFT segments (event windows), waveforms for shorter ones (first-motion windows).
  /// With `rate`, event windows are waveforms too where an STFT segment would hold fewer than
  /// two samples (1.17 Hz or lower for segments of 1.28 s), as no spectrogram can be cut there.
  public static func defaultInput(
    before: Double, after: Double, segment: Double = 1.28, rate: Double? = nil
  ) -> Input {
    guard before + after >= 4 * segment else { return .waveform }
    if let rate, (segment * rate).rounded() < 2 { return .waveform }
    return .spectrogram
  }

  /// The input the tool chooses once the picks are selected: correlation profiles instead of
  /// spectrograms when the picks are all at one station (`NET.STA.LOC` codes), where waveforms
  /// of repeating sources can be compared sample by sample, as REDPy does; otherwise `input`.
  /// docs/decisions/0018-correlation-input.md has the measurements.
  public func defaultInput(forStations stations: Set<String>) -> Input {
    // Event windows: spectrograms, or waveforms at a rate too low for them.
    let eventWindows = before + after >= 4 * spectrogramSegment
    return inputChosenByTool && eventWindows && input != .correlation && stations.count == 1
      ? .correlation : input
  }

  /// Samples per window on the resampled grid: `round((before + after) * rate)`.
  /// (Saturates at `Int.max` instead of trapping for absurd rates; `windows build` refuses
  /// such sizes before allocating.)
  public var sampleCount: Int {
    let count = WindowCut.samples(seconds: before + after, rate: rate)
    guard count.isFinite else { return count > 0 ? Int.max : 0 }
    return count >= Double(Int.max) ? Int.max : Int(count)
  }

  enum CodingKeys: String, CodingKey {
    case before, after, phase, components, rate, bandpassLow, bandpassHigh, normalize, input
    case spectrogramSegment, spectrogramOverlap, spectrogramRange, spectrogramReference
    case stations, start, end
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    before = try c.decode(Double.self, forKey: .before)
    after = try c.decode(Double.self, forKey: .after)
    phase = try c.decodeIfPresent(String.self, forKey: .phase)
    components = try c.decode(Components.self, forKey: .components)
    rate = try c.decode(Double.self, forKey: .rate)
    if let low = try c.decodeIfPresent(Double.self, forKey: .bandpassLow),
      let high = try c.decodeIfPresent(Double.self, forKey: .bandpassHigh)
    {
      bandpass = (low, high)
    } else {
      bandpass = nil
    }
    normalize = try c.decode(Normalization.self, forKey: .normalize)
    input = try c.decode(Input.self, forKey: .input)
    spectrogramSegment = try c.decode(Double.self, forKey: .spectrogramSegment)
    spectrogramOverlap = try c.decode(Double.self, forKey: .spectrogramOverlap)
    spectrogramRange = try c.decodeIfPresent(Double.self, forKey: .spectrogramRange) ?? 10
    spectrogramReference =
      try c.decodeIfPresent(SpectrogramReference.self, forKey: .spectrogramReference) ?? .window
    stations = try c.decodeIfPresent([String].self, forKey: .stations)
    start = try c.decodeIfPresent(String.self, forKey: .start).flatMap(Timestamp.init(iso8601:))
    end = try c.decodeIfPresent(String.self, forKey: .end).flatMap(Timestamp.init(iso8601:))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(before, forKey: .before)
    try c.encode(after, forKey: .after)
    try c.encodeIfPresent(phase, forKey: .phase)
    try c.encode(components, forKey: .components)
    try c.encode(rate, forKey: .rate)
    try c.encodeIfPresent(bandpass?.low, forKey: .bandpassLow)
    try c.encodeIfPresent(bandpass?.high, forKey: .bandpassHigh)
    try c.encode(normalize, forKey: .normalize)
    try c.encode(input, forKey: .input)
    try c.encode(spectrogramSegment, forKey: .spectrogramSegment)
    try c.encode(spectrogramOverlap, forKey: .spectrogramOverlap)
    try c.encode(spectrogramRange, forKey: .spectrogramRange)
    try c.encode(spectrogramReference, forKey: .spectrogramReference)
    try c.encodeIfPresent(stations, forKey: .stations)
    try c.encodeIfPresent(start?.iso8601, forKey: .start)
    try c.encodeIfPresent(end?.iso8601, forKey: .end)
  }

  public static func == (a: WindowSetOptions, b: WindowSetOptions) -> Bool {
    a.before == b.before && a.after == b.after && a.phase == b.phase
      && a.components == b.components && a.rate == b.rate && a.bandpass?.low == b.bandpass?.low
      && a.bandpass?.high == b.bandpass?.high && a.normalize == b.normalize && a.input == b.input
      && a.spectrogramSegment == b.spectrogramSegment
      && a.spectrogramOverlap == b.spectrogramOverlap && a.spectrogramRange == b.spectrogramRange
      && (a.input != .spectrogram || a.spectrogramReference == b.spectrogramReference)
      && a.stations == b.stations && a.start == b.start && a.end == b.end
  }
}

extension WindowSetOptions {
  /// The longest `before` or `after`, in seconds (`WindowCut.maximumSeconds`).
  public static let maximumSeconds = WindowCut.maximumSeconds

  /// The options that shape a window's values (not which picks are cut) on which `self` and
  /// `other` differ, as `--option this (other)`: a model trained on one set reads another only
  /// when this is empty. Selection (`--phase`, `--stations`, `--start`, `--end`) may differ.
  public func preprocessingDifferences(from other: WindowSetOptions) -> [String] {
    // Exact comparison; the shortest text that tells the values apart.
    func number(_ x: Double) -> String {
      x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
    func band(_ b: (low: Double, high: Double)?) -> String {
      b.map { "\(number($0.low)),\(number($0.high))" } ?? "none"
    }
    var out: [String] = []
    func compare(_ name: String, _ a: String, _ b: String) {
      if a != b { out.append("\(name) \(a) (\(b))") }
    }
    compare("--before", number(before), number(other.before))
    compare("--after", number(after), number(other.after))
    compare("--components", components.rawValue, other.components.rawValue)
    compare("--rate", number(rate), number(other.rate))
    compare("--bandpass", band(bandpass), band(other.bandpass))
    compare("--normalize", normalize.rawValue, other.normalize.rawValue)
    // Correlation sets store their windows as waveforms: a run of either reads the other (a
    // correlation run takes its profiles against its own references).
    if input.storesWaveforms != other.input.storesWaveforms {
      compare("--input", input.rawValue, other.input.rawValue)
    }
    if input == .spectrogram && other.input == .spectrogram {
      compare("spectrogram segment", number(spectrogramSegment), number(other.spectrogramSegment))
      compare("spectrogram overlap", number(spectrogramOverlap), number(other.spectrogramOverlap))
      compare("spectrogram range", number(spectrogramRange), number(other.spectrogramRange))
      compare(
        "--spectrogram-reference", spectrogramReference.rawValue,
        other.spectrogramReference.rawValue)
    }
    return out
  }
}
