import Foundation
import Seismic
import Store

/// The preprocessed waveforms of stored windows, cut again from the stored traces with their
/// set's window options but `--input waveform`: what the report draws beside a spectrogram set's
/// images, so that an analyst audits the members by their Z, N and E traces (as REDPy shows its
/// families) and not only by the network's input.
struct WaveformRecut {
  let preprocessor: WindowPreprocessor
  /// Components per waveform.
  var channelCount: Int { preprocessor.channelCount }
  /// Samples per component.
  var length: Int { preprocessor.length }
  /// Samples per second.
  var rate: Double { preprocessor.options.rate }
  /// Seconds from the pick to the first sample.
  var start: Double { -preprocessor.options.before }

  /// The recut for a set built by `windows build` (nil for imported sets, or options that no
  /// longer parse).
  init?(windowSet: WindowSetRecord) {
    guard var options = windowSet.buildOptions else { return nil }
    options.input = .waveform
    guard let preprocessor = try? WindowPreprocessor(options: options) else { return nil }
    self.preprocessor = preprocessor
  }

  /// The waveform of `window` (`channelCount x length`, C order), or nil when its picks,
  /// channels or data no longer give one.
  func waveform(of window: WindowRecord, store: SeisStore) -> [Float]? {
    guard let pick = window.pickTime else { return nil }
    let channels = window.channels.split(separator: ",").map {
      SourceIdentifier(
        network: window.network, station: window.station, location: window.location,
        channel: String($0))
    }
    guard channels.count == channelCount else { return nil }
    // Enough data for the margin and the preprocessor's FFT-friendly growth (as `windows build`
    // reads).
    let o = preprocessor.options
    let span = o.before + o.after + 2 * preprocessor.margin
    let reach = preprocessor.margin + span / 16 + 2
    var runs: [[ContiguousRun]] = []
    var conflicts: [[ContiguousRun.Conflict]] = []
    for channel in channels {
      guard
        let segments = try? store.segments(
          of: channel, from: pick.adding(seconds: -(o.before + reach)),
          to: pick.adding(seconds: o.after + reach))
      else { return nil }
      let joined = ContiguousRun.join(segments)
      runs.append(joined.runs)
      conflicts.append(joined.conflicts)
    }
    guard
      case .success(let cut) = preprocessor.window(
        pick: pick, channels: channels, runs: runs, conflicts: conflicts)
    else { return nil }
    return cut.values
  }
}

/// Waveforms recut for a report (`WaveformRecut`), by catalog entry.
struct RecutWaveforms: Sendable {
  var byEntry: [Int: [Float]] = [:]
  var channelCount = 0
  var length = 0
  var rate = 1.0
  var start = 0.0

  /// For a spectrogram set: each cluster's `shown` most and least confident members (entries
  /// sorted by `members(of:)`' order); empty for other sets.
  static func load(
    catalog: Catalog, rows: [Int?], reader: WindowSetReader, store: SeisStore, shown: Int
  ) -> RecutWaveforms {
    var result = RecutWaveforms()
    guard reader.windowSet.inputKind == .spectrogram,
      let recut = WaveformRecut(windowSet: reader.windowSet)
    else { return result }
    result.channelCount = recut.channelCount
    result.length = recut.length
    result.rate = recut.rate
    result.start = recut.start
    var byCluster: [Int: [Int]] = [:]
    for e in catalog.entries.indices where rows[e] != nil {
      byCluster[catalog.entries[e].cluster, default: []].append(e)
    }
    for (_, entries) in byCluster {
      let sorted = entries.sorted {
        catalog.entries[$0].probability > catalog.entries[$1].probability
      }
      for e in Set(sorted.prefix(shown) + sorted.suffix(shown)) {
        guard let row = rows[e],
          let waveform = recut.waveform(of: reader.windows[row], store: store)
        else { continue }
        result.byEntry[e] = waveform
      }
    }
    return result
  }
}
