import Foundation
import Seismic

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Cuts and preprocesses one window from joined runs of its channels, as an analyst would in
/// ObsPy (see docs/decisions/0007-event-windows.md):
///
/// 1. per channel, take the contiguous run that covers the window and slice it to the window plus
///    `margin` seconds on each side (nearest samples; less where the run ends sooner: the margin
///    is clipped to the data, never zero-filled), grown by a few samples (later ones first) to a
///    length whose FFTs are fast (`fftFriendlyCount`);
/// 2. demean, linear detrend, 5 % cosine taper, 4-corner zero-phase Butterworth band-pass
///    (ObsPy's forward-backward sections), FFT resampling to `rate` as ObsPy's `resample`;
/// 3. cut `round((before + after) * rate)` samples starting at the resampled sample nearest to
///    `pick - before`;
/// 4. normalise the window jointly over its channels (`max`: divide every channel by the largest
///    absolute value in the window; `std`: remove each channel's mean, divide by the standard
///    deviation of all the window's samples), so relative amplitudes between components are kept;
/// 5. for `spectrogram` input, the STFT magnitude of each normalised channel (Hann, no boundary
///    padding), its bins from 0 Hz up to the band's upper corner, in dB below the window's
///    loudest cell, floored at `spectrogramRange` dB and mapped to [0, 1]
///    (docs/decisions/0006-clustering-defaults.md); with the `frequency` reference, below the
///    loudest frame of the cell's own bin and component instead; with the `noise` reference,
///    the cell's dB above the RMS of its own bin's frames before the pick, from 0 dB (0) to the
///    window's highest (1) (docs/decisions/0020-spectrogram-reference.md).
public struct WindowPreprocessor: Sendable {
  /// The lowest reference of a bin under the `frequency` and `noise` references, as a share of the
  /// window's loudest cell: 120 dB below it.
  static let frequencyReferenceFloor = 1e-6

  public let options: WindowSetOptions
  /// The per-channel steps (demean, detrend, taper, band-pass, resample): the chain that runs
  /// on every channel of every window is the one whose lines the history holds.
  public let chain: ProcessingChain
  public let cut: WindowCut
  /// Seconds of data preprocessed on each side of the window.
  public let margin: Double
  /// STFT segment length and overlap in samples (spectrogram input).
  public let segmentLength: Int
  public let segmentOverlap: Int
  /// C and L of every window this preprocessor makes.
  public let channelCount: Int
  public let length: Int
  /// Frequency bins per component (spectrogram input; 1 for waveforms).
  public let frequencyCount: Int
  /// STFT frames that end at or before the pick (spectrogram input; 0 for waveforms): the
  /// noise the `noise` reference measures each bin against.
  public let noiseFrameCount: Int

  /// The taper share at each end, as the chain runs it (ObsPy `taper(max_percentage=0.05)`).
  public var taperFraction: Double {
    chain.steps.lazy.compactMap { $0 as? CosineTaperStep }.first?.maxPercentage ?? 0
  }

  /// The band-pass corners, as the chain runs them (0 without a band).
  public var bandpassCorners: Int {
    chain.steps.lazy.compactMap { $0 as? BandpassStep }.first?.corners ?? 0
  }

  public init(options: WindowSetOptions) throws(ProcessingSettingsError) {
    self.options = options
    cut = try WindowCut(before: options.before, after: options.after)
    chain = try ProcessingChain.standard(band: options.bandpass, samplingRate: options.rate)
    margin = cut.recommendedMargin(lowCorner: options.bandpass?.low)
    let components = options.components.orientations.count
    // Refused before the count becomes an integer (a trap past Int.max); the memory check
    // (`WindowSizeCheck`) refuses smaller but still impossible windows.
    let exactSamples = (options.before + options.after) * options.rate
    guard exactSamples.isFinite, exactSamples < 1e12 else {
      throw ProcessingSettingsError(
        step: "window",
        reason:
          "\(options.before + options.after) s windows at \(options.rate) Hz would hold \(exactSamples) samples per channel: shorten --before/--after or lower --rate"
      )
    }
    let samples = cut.sampleCount(rate: options.rate)
    guard samples >= 1 else {
      throw ProcessingSettingsError(step: "window", reason: "the window holds no sample")
    }
    switch options.input {
    case .waveform, .correlation:
      segmentLength = 0
      segmentOverlap = 0
      noiseFrameCount = 0
      frequencyCount = 1
      channelCount = components
      length = samples
    case .spectrogram:
      let segment = Int((options.spectrogramSegment * options.rate).rounded())
      let overlap = Int((options.spectrogramOverlap * Double(segment)).rounded())
      guard segment >= 2, segment <= samples, overlap >= 0, overlap < segment else {
        // Said in the options the user gives (the STFT's segment is not one of them; it said
        // "segment of 1 samples" for --rate 1, found by an adversarial sweep).
        func text(_ x: Double) -> String { String(format: "%g", x) }
        let seconds = text(options.spectrogramSegment)
        throw ProcessingSettingsError(
          step: "stft",
          reason: segment < 2
            ? "spectrogram input cuts STFT segments of \(seconds) s, which hold \(segment) sample\(segment == 1 ? "" : "s") at --rate \(text(options.rate)) Hz (at least 2): raise --rate or give --input waveform"
            : segment > samples
              ? "spectrogram input needs windows of at least one STFT segment (\(seconds) s); --before \(text(options.before)) --after \(text(options.after)) at --rate \(text(options.rate)) Hz hold \(samples) sample\(samples == 1 ? "" : "s") against its \(segment): lengthen --before/--after or give --input waveform"
              : "segment of \(segment) samples (overlap \(overlap)) does not fit a window of \(samples) samples"
        )
      }
      segmentLength = segment
      segmentOverlap = overlap
      let probe: Spectrogram
      do {
        probe = try DSP.spectrogram(
          [Double](repeating: 0, count: samples), samplingRate: options.rate,
          segmentLength: segment, overlap: overlap, padded: false)
      } catch {
        throw ProcessingSettingsError(step: "stft", reason: error.description)
      }
      // Bins above the band carry nothing but filter leakage: keep 0 Hz .. the upper corner.
      // (Never above the Nyquist frequency: a corner of 1e19 Hz, refused later with its reason,
      // must not overflow the bin count first.)
      let upper = min(options.bandpass?.high ?? options.rate / 2, options.rate / 2)
      frequencyCount = min(
        probe.frequencyCount, Int((upper / probe.frequencyStep).rounded(.down)) + 1)
      channelCount = components * frequencyCount
      length = probe.frameCount
      noiseFrameCount = Int(Self.noiseFrames(options).noise)
      if options.spectrogramReference == .noise, let problem = Self.noiseProblem(options) {
        throw ProcessingSettingsError(step: "stft", reason: problem)
      }
    }
  }

  /// The STFT frames of a spectrogram window cut with `options`, all and those that end at or
  /// before the pick (frame j covers samples j * hop ..< j * hop + segment; the pick is the
  /// window's sample round(before * rate)), from the options alone and in Double, so absurd
  /// sizes do not trap. Zero when no segment fits the window.
  static func noiseFrames(_ options: WindowSetOptions) -> (all: Double, noise: Double) {
    let samples = WindowCut.samples(seconds: options.before + options.after, rate: options.rate)
    let segment = (options.spectrogramSegment * options.rate).rounded()
    let hop = segment - (options.spectrogramOverlap * segment).rounded()
    guard samples.isFinite, segment >= 2, segment <= samples, hop >= 1 else { return (0, 0) }
    let all = ((samples - segment) / hop).rounded(.down) + 1
    let pick = (options.before * options.rate).rounded()
    let noise = pick >= segment ? min(all, ((pick - segment) / hop).rounded(.down) + 1) : 0
    return (all, noise)
  }

  /// Why the `noise` reference cannot measure windows cut with `options`, in one line; nil
  /// when it can: it needs a frame before the pick and one after (nil too when no segment fits
  /// the window at all, which the STFT refuses with its own reason).
  public static func noiseProblem(_ options: WindowSetOptions) -> String? {
    let (all, noise) = noiseFrames(options)
    guard all > 0 else { return nil }
    func text(_ x: Double) -> String { String(format: "%g", x) }
    let segment = (options.spectrogramSegment * options.rate).rounded() / options.rate
    if noise == 0 {
      return
        "--spectrogram-reference noise measures each bin against the STFT frames before the "
        + "pick, and no segment of \(text(segment)) s at \(text(options.rate)) Hz fits in "
        + "--before \(text(options.before)) s: give --before \(text(segment)) or more, or "
        + "--spectrogram-reference frequency"
    }
    if noise >= all {
      return
        "--spectrogram-reference noise measures the STFT frames after the pick against those "
        + "before it, and every frame of these windows ends before the pick: give a longer "
        + "--after than \(text(options.after)) s"
    }
    return nil
  }

  /// The processing history of the windows, one `stats.processing`-style line per step.
  public func history(version: String) -> [String] {
    var lines = [
      "seiscluster \(version): slice(margin=\(margin), nearest_sample=true, "
        + "join=contiguous, fill=none)"
    ]
    lines += chain.history(version: version)
    lines.append(
      "seiscluster \(version): cut(before=\(options.before), after=\(options.after), "
        + "samples=\(cut.sampleCount(rate: options.rate)), first=nearest)")
    lines.append(
      "seiscluster \(version): normalize(type=\(options.normalize.rawValue), scope=window)")
    if options.input == .spectrogram {
      let r = options.spectrogramRange
      let value: String
      switch options.spectrogramReference {
      case .window: value = "max(20*log10(abs/max), -\(r))/\(r)+1"
      case .frequency:
        value =
          "max(20*log10(abs/binmax), -\(r))/\(r)+1, binmax=max(max over frames of the bin, "
          + "1e-6*max)"
      case .noise:
        value =
          "min(max(20*log10(abs/binnoise)/top, 0), 1), binnoise=max(rms of the bin's first "
          + "\(noiseFrameCount) frames (before the pick), 1e-6*max), top=max(the window's "
          + "highest 20*log10(abs/binnoise), \(r))"
      }
      lines.append(
        "seiscluster \(version): stft(window=hann, nperseg=\(segmentLength), "
          + "noverlap=\(segmentOverlap), boundary=none, padded=false, scaling=spectrum, "
          + "bins=\(frequencyCount), value=\(value), layout=component-major)")
    }
    return lines
  }

  /// The window for a pick at `pick`, cut from each channel's runs (one list per channel, in
  /// window order) and conflicts, or why it cannot be cut. Returns C x L values, C order, and
  /// whether a channel's preprocessed samples hold one value throughout (a dead channel).
  func window(
    pick: Timestamp, channels: [SourceIdentifier], runs: [[ContiguousRun]],
    conflicts: [[ContiguousRun.Conflict]]
  ) -> Result<(values: [Float], startTime: Timestamp, flat: Bool), WindowSkip> {
    // Slice every channel, run the chain on all of them at once (the band-pass filters the
    // channels together), cut each; the skip is the first channel's first failure, as if the
    // channels ran one after another.
    // (The slices' samples move into the signals, so the chain runs in place without a copy.)
    var slices: [Result<Timestamp, WindowSkip>] = []
    var signals: [SampledSignal] = []
    for (index, channel) in channels.enumerated() {
      switch slice(pick: pick, channel: channel, runs: runs[index], conflicts: conflicts[index]) {
      case .success(let s):
        signals.append(SampledSignal(samples: s.samples, samplingRate: s.samplingRate))
        slices.append(.success(s.start))
      case .failure(let skip):
        slices.append(.failure(skip))
      }
    }
    var processed = chain.run(signals).makeIterator()
    signals = []
    var cutChannels: [[Double]] = []
    var startTime: Timestamp?
    for (index, channel) in channels.enumerated() {
      let sliceStart: Timestamp
      switch slices[index] {
      case .failure(let skip): return .failure(skip)
      case .success(let start): sliceStart = start
      }
      let name = "\(channel.id) pick \(pick.iso8601)"
      func skip(_ reason: WindowSkipReason, _ detail: String) -> WindowSkip {
        WindowSkip(reason: reason, message: "\(name): \(detail), skipped")
      }
      let x: [Double]
      switch processed.next() {
      case .success(let signal)?:
        x = signal.samples
      case .failure(let failure)? where failure.step == "bandpass":
        return .failure(skip(.nyquist, failure.description))
      case .failure(let failure)?:
        return .failure(skip(.processing, "\(failure.step): \(failure.description)"))
      case nil:
        return .failure(skip(.processing, "not processed"))
      }
      guard let windowSamples = cut.cut(x, gridStart: sliceStart, rate: options.rate, pick: pick)
      else {
        return .failure(skip(.incompleteData, "the resampled data does not cover the window"))
      }
      let firstIndex = cut.firstIndex(pick: pick, gridStart: sliceStart, rate: options.rate)
      if startTime == nil {
        startTime = sliceStart.adding(
          nanoseconds: Int64((Double(firstIndex) * 1e9 / options.rate).rounded()))
      }
      cutChannels.append(windowSamples)
    }
    normalize(&cutChannels)
    // A dead or flat-lined channel: one value throughout what is stored of it (zeros once
    // demeaned; also samples near 1e-200 kept by `--normalize none`, zeros as float32).
    var flat = false
    var values: [Float] = []
    values.reserveCapacity(channelCount * length)
    switch options.input {
    case .waveform, .correlation:
      for (index, c) in cutChannels.enumerated() {
        // One pass: the float32 value, whether it is finite, whether it differs from the first.
        // Samples beyond float32 (data near 1e200 with `--normalize none`) would be stored as
        // infinities, which `windows import` refuses and training turns into NaN.
        var beyond: Double?
        var same = c.count > 1
        c.withUnsafeBufferPointer { x in
          guard let start = x.first.map(Float.init) else { return }
          for v in x {
            let f = Float(v)
            guard f.isFinite else {
              beyond = v
              return
            }
            if f != start { same = false }
            values.append(f)
          }
        }
        if let beyond {
          return .failure(
            WindowSkip(
              reason: .notFinite,
              message:
                "\(channels[index].id) pick \(pick.iso8601): a preprocessed sample (\(beyond)) is beyond float32's range (normalize the windows), skipped"
            ))
        }
        if same { flat = true }
      }
    case .spectrogram:
      flat = cutChannels.contains { c in c.count > 1 && c.allSatisfy { $0 == c[0] } }
      var spectra: [Spectrogram] = []
      for c in cutChannels {
        do {
          spectra.append(
            try DSP.spectrogram(
              c, samplingRate: options.rate, segmentLength: segmentLength,
              overlap: segmentOverlap, padded: false))
        } catch {
          return .failure(
            WindowSkip(reason: .processing, message: "pick \(pick.iso8601): \(error.description)"))
        }
      }
      var peak = 0.0
      for s in spectra {
        for k in 0..<frequencyCount {
          for j in 0..<s.frameCount { peak = max(peak, s[frequency: k, frame: j]) }
        }
      }
      // dB below the reference (the window's loudest cell, or with the frequency reference the
      // loudest frame of the cell's own bin and component; decision 0020), floored at -range
      // and mapped to [0, 1]; with the noise reference, each cell's dB above its bin's noise.
      let range = options.spectrogramRange
      // Spectra of samples near 1e200 (`--normalize none`) may overflow Double: not stored.
      func notFinite() -> WindowSkip {
        WindowSkip(
          reason: .notFinite,
          message:
            "pick \(pick.iso8601): the spectrogram's values are not finite (normalize the windows), skipped"
        )
      }
      guard peak.isFinite else { return .failure(notFinite()) }
      if options.spectrogramReference == .noise {
        appendSignalToNoise(spectra, peak: peak, to: &values)
        guard values.allSatisfy(\.isFinite) else { return .failure(notFinite()) }
        return .success((values, startTime ?? pick, flat))
      }
      for s in spectra {
        for k in 0..<frequencyCount {
          var reference = peak
          if options.spectrogramReference == .frequency {
            // A bin is raised by at most 120 dB: a dead or numerically silent component stays
            // dark instead of being stretched to the full range.
            reference = peak * Self.frequencyReferenceFloor
            for j in 0..<s.frameCount { reference = max(reference, s[frequency: k, frame: j]) }
          }
          for j in 0..<s.frameCount {
            let m = s[frequency: k, frame: j]
            let decibels = reference > 0 && m > 0 ? 20 * log10(m / reference) : -range
            values.append(Float(max(decibels, -range) / range + 1))
          }
        }
      }
    }
    return .success((values, startTime ?? pick, flat))
  }

  /// The `noise` reference's cells, component-major: each cell's dB above the RMS of its own bin's
  /// first `noiseFrameCount` frames (no lower than 120 dB below the window's loudest cell, so a
  /// dead component stays dark), divided by the window's highest such dB (at least
  /// `spectrogramRange`) and clipped to [0, 1]: 0 at or below the noise, 1 at the window's best
  /// signal-to-noise ratio.
  func appendSignalToNoise(_ spectra: [Spectrogram], peak: Double, to values: inout [Float]) {
    let frames = noiseFrameCount
    var noise = [Double](repeating: 0, count: spectra.count * frequencyCount)
    var top = options.spectrogramRange
    // Two passes, the second recomputing each cell's dB (a log per cell is cheap beside the
    // STFT), so that the cells are exact in Double (the window's best cell is 1) with no
    // Double copy of the window.
    for pass in 0..<2 {
      for (c, s) in spectra.enumerated() {
        for k in 0..<frequencyCount {
          if pass == 0 {
            var power = 0.0
            for j in 0..<frames { power += s[frequency: k, frame: j] * s[frequency: k, frame: j] }
            noise[c * frequencyCount + k] = max(
              (power / Double(frames)).squareRoot(), peak * Self.frequencyReferenceFloor)
          }
          let reference = noise[c * frequencyCount + k]
          for j in 0..<s.frameCount {
            let m = s[frequency: k, frame: j]
            let decibels = reference > 0 && m > 0 ? 20 * log10(m / reference) : 0
            if pass == 0 {
              top = max(top, decibels)
            } else {
              values.append(Float(min(max(decibels / top, 0), 1)))
            }
          }
        }
      }
    }
  }

  /// One channel's samples for a window: its data around the window with the margin, grown to
  /// an FFT-friendly length, and the time of their first sample.
  struct Slice {
    var samples: [Double]
    var samplingRate: Double
    var start: Timestamp
  }

  /// Step 1 for one channel: the slice of the run that covers the window, or why there is none.
  func slice(
    pick: Timestamp, channel: SourceIdentifier, runs: [ContiguousRun],
    conflicts: [ContiguousRun.Conflict]
  ) -> Result<Slice, WindowSkip> {
    let name = "\(channel.id) pick \(pick.iso8601)"
    func skip(_ reason: WindowSkipReason, _ detail: String) -> Result<Slice, WindowSkip> {
      .failure(WindowSkip(reason: reason, message: "\(name): \(detail), skipped"))
    }
    let windowStart = pick.adding(seconds: -options.before)
    let windowLast = pick.adding(seconds: options.after - 1 / options.rate)
    let spanFrom = windowStart.adding(seconds: -margin)
    let spanTo = pick.adding(seconds: options.after + margin)
    // Disagreeing copies inside the window skip it; in the margin they only clip the margin,
    // as a gap there does (below). Compared by the samples they pair with (half a period
    // either side of their stamps), not by the stamps alone.
    if let conflict = conflicts.first(where: {
      $0.widened.from <= windowLast && $0.widened.to >= windowStart
    }) {
      if let other = conflict.otherRate {
        return skip(
          .conflictingOverlap,
          "stored segments at \(conflict.samplingRate) and \(other) Hz overlap from "
            + "\(conflict.from.iso8601) to \(conflict.to.iso8601)")
      }
      return skip(
        .conflictingOverlap,
        "stored segments overlap with different samples from \(conflict.from.iso8601) "
          + "to \(conflict.to.iso8601)")
    }
    let touching = runs.filter { $0.overlaps(from: windowStart, to: windowLast) }
    guard !touching.isEmpty else { return skip(.noData, "no data in the window") }
    guard let run = touching.first(where: { $0.covers(from: windowStart, to: windowLast) }) else {
      if touching.count > 1 {
        // Runs that meet but change rate are no gap: say what splits them.
        let rates = touching.map(\.samplingRate)
        if let changed = zip(rates, rates.dropFirst()).first(where: {
          abs($0 - $1) > 1e-6 * max($0, $1)
        }) {
          return skip(
            .rateChange,
            "the sampling rate changes inside the window (\(changed.0) to \(changed.1) Hz): a window is cut from one run at one rate"
          )
        }
        return skip(.gap, "a gap in the data inside the window")
      }
      return skip(
        .incompleteData,
        "the data (\(touching[0].startTime.iso8601) to \(touching[0].endTime.iso8601)) "
          + "does not cover the window")
    }
    // The samples the margin, and its growth to an FFT-friendly length, may take: the run's,
    // short of every sample a conflict disputes (the run's samples within half a period of
    // its stamps), however far from the window.
    var lowest = 0
    var highest = run.samples.count - 1
    // Positions far outside the run are clamped before they become indices.
    func index(_ position: Double) -> Int { Int(max(-1, min(Double(highest + 1), position))) }
    for conflict in conflicts {
      if conflict.to < windowStart {
        lowest = max(lowest, index((run.position(of: conflict.to) + 0.5).rounded(.down)) + 1)
      } else {
        highest = min(highest, index((run.position(of: conflict.from) - 0.5).rounded(.up)) - 1)
      }
    }
    var first = max(lowest, Int(run.position(of: spanFrom).rounded()))
    var last = min(highest, Int(run.position(of: spanTo).rounded()))
    guard last > first else { return skip(.incompleteData, "too few samples") }
    // Grow the span to an FFT-friendly length: later samples first, then earlier ones.
    var extra =
      Self.fftFriendlyCount(last - first + 1, from: run.samplingRate, to: options.rate)
      - (last - first + 1)
    let later = min(extra, highest - last)
    last += later
    extra -= later
    first -= min(extra, first - lowest)
    let samples = Array(run.samples[first...last])
    if samples.contains(where: { !$0.isFinite }) {
      return skip(.notFinite, "NaN or infinite samples in the window or its margin")
    }
    return .success(
      Slice(samples: samples, samplingRate: run.samplingRate, start: run.time(ofSample: first)))
  }

  /// The smallest length `n >= count` (trying up to `count / 16 + 64` more) such that both `n`
  /// and its resampled length `int(n * to / from)` are even with no prime factor above 5; failing
  /// that, the smallest with no prime factor above 7; `count` itself when there is none.
  /// Preprocessing takes that many samples (a slightly longer margin), where the data allows, so
  /// the two FFTs of ObsPy's resampling are fast: FFTW's SIMD codelets pair the values of even
  /// lengths, and 2, 3 and 5 are its quickest radices (12,150 points: 62 us for both transforms,
  /// against 297 us at 12,005 = 5 x 7^4, the 7-smooth length chosen before).
  public static func fftFriendlyCount(_ count: Int, from: Double, to: Double) -> Int {
    func smooth(_ value: Int, _ primes: [Int]) -> Bool {
      guard value > 0 else { return false }
      var v = value
      for p in primes { while v % p == 0 { v /= p } }
      return v == 1
    }
    let candidates = count...(count + count / 16 + 64)
    for n in candidates where n % 2 == 0 && smooth(n, [2, 3, 5]) {
      let m = DSP.resampledCount(count: n, from: from, to: to)
      if m % 2 == 0 && smooth(m, [2, 3, 5]) { return n }
    }
    for n in candidates
    where smooth(n, [2, 3, 5, 7])
      && smooth(DSP.resampledCount(count: n, from: from, to: to), [2, 3, 5, 7])
    {
      return n
    }
    return count
  }

  /// Step 4, jointly over the window's channels.
  func normalize(_ channels: inout [[Double]]) {
    switch options.normalize {
    case .none:
      return
    case .max:
      var peak = 0.0
      for c in channels { c.withUnsafeBufferPointer { for x in $0 { peak = max(peak, abs(x)) } } }
      guard peak > 0 else { return }
      for i in channels.indices {
        channels[i].withUnsafeMutableBufferPointer { c in for j in c.indices { c[j] /= peak } }
      }
    case .std:
      var sumSquares = 0.0
      var count = 0
      for i in channels.indices {
        channels[i] = DSP.demeaned(channels[i])
        for x in channels[i] { sumSquares += x * x }
        count += channels[i].count
      }
      guard count > 0 else { return }
      var deviation = (sumSquares / Double(count)).squareRoot()
      if !deviation.isFinite || deviation == 0 {
        // Squares beyond Double (samples near 1e200) or below it (near 1e-200): the same
        // deviation, summed over samples divided by the largest one.
        var peak = 0.0
        for c in channels { for x in c { peak = max(peak, abs(x)) } }
        guard peak > 0, peak.isFinite else { return }
        var scaled = 0.0
        for c in channels { for x in c { scaled += (x / peak) * (x / peak) } }
        deviation = peak * (scaled / Double(count)).squareRoot()
      }
      guard deviation > 0, deviation.isFinite else { return }
      for i in channels.indices {
        channels[i].withUnsafeMutableBufferPointer { c in for j in c.indices { c[j] /= deviation } }
      }
    }
  }
}
