import Clustering
import Foundation
import Store

extension ModelOptions.Initialization {
  /// The tool's choice when `--init` is not given (decision 0019): polarity for first-motion
  /// windows (two clusters of one-component waveform windows cut at most 0.5 s either side of
  /// their picks), k-means otherwise.
  static func automatic(clusters: Int, windowSet set: WindowSetRecord, correlation: Bool)
    -> Self
  {
    guard clusters == 2, !correlation, set.inputKind == .waveform, set.channelCount == 1,
      let options = set.buildOptions, options.before > 0, options.after > 0,
      options.before <= firstMotionSeconds, options.after <= firstMotionSeconds
    else { return .kmeans }
    return .polarity
  }

  /// The longest window, either side of the pick, that `automatic` takes for a first motion.
  static let firstMotionSeconds = 0.5
  /// Weight of the partition's cross-entropy beside `lambda` KL, and partitioned windows added
  /// to every minibatch (decision 0019; `relabel`'s hand labels weigh less, decision 0014).
  static let guideWeight = 1.0
  static let guidePerBatch = 16
}

extension ClusterJob {
  /// `--init polarity`: the first-motion partition of the plan's windows (`PolarityPartition`,
  /// decision 0019), as the guide DEC starts from and is steered by. Cluster 0 starts as "up".
  static func polarityGuide(_ plan: Plan, store: String, quiet: Bool = true) throws
    -> DeepEmbeddedClustering.Supervision
  {
    let set = plan.contents.windowSet
    func refuse(_ why: String) -> InputError {
      InputError(path: store, reason: "--init polarity: \(why)")
    }
    guard plan.clusters == 2 else {
      throw refuse("it splits up from down; use --clusters 2")
    }
    guard set.inputKind == .waveform, plan.contents.profiles == nil, set.channelCount == 1 else {
      throw refuse(
        "it needs one-component waveform windows around picks; build them with --components Z (and not --input spectrogram or correlation)"
      )
    }
    guard let options = set.buildOptions, let rate = set.samplingRate, rate > 0 else {
      throw refuse("it needs windows cut around picks by `windows build`, not imported ones")
    }
    let pick = Int((options.before * rate).rounded())
    let count = plan.contents.count
    let length = set.length
    let partition = PolarityPartition(samplingRate: rate)
    guard pick >= partition.samplesBefore, length - pick >= partition.samplesAfter else {
      func seconds(_ samples: Int) -> String { String(format: "%g s", Double(samples) / rate) }
      throw refuse(
        "it reads \(seconds(partition.samplesBefore)) before the pick and \(seconds(partition.samplesAfter)) after; the windows have \(seconds(pick)) and \(seconds(length - pick)) (--before and --after)"
      )
    }
    // Only the samples around the pick are read into memory, a chunk of windows at a time.
    let first = max(0, pick - partition.samplesBefore)
    let end = min(length, pick + partition.samplesAfter)
    let kept = max(0, end - first)
    var samples = [Float](repeating: 0, count: count * kept)
    let chunk = 1024
    var buffer = [Float](repeating: 0, count: min(count, chunk) * length)
    var start = 0
    while start < count {
      let stop = min(count, start + chunk)
      try buffer.withUnsafeMutableBufferPointer {
        try plan.contents.reader.samples(range: start..<stop, into: $0)
      }
      for w in start..<stop {
        let from = (w - start) * length + first
        for t in 0..<kept { samples[w * kept + t] = buffer[from + t] }
      }
      start = stop
    }
    let stations = Self.sensorIDs(plan.contents.windows)
    let labels: [Int]
    // Seconds of work only past a station of `maxReferences` windows: a progress line then.
    let progress =
      count > partition.maxReferences
      ? Progress(label: "init polarity: windows partitioned", total: count, quiet: quiet) : nil
    var report: (@Sendable (Int) -> Void)? = nil
    if let progress { report = { progress.update($0) } }
    do {
      labels = try partition.labels(
        windows: samples, count: count, length: kept, pick: pick - first, stations: stations,
        seed: plan.options.seed, progress: report)
    } catch let error as ClusteringError {
      throw refuse("\(error)")
    }
    progress?.finish()
    let up = labels.filter { $0 == 0 }.count
    guard up > 0, up < count else {
      throw refuse(
        "every window has the same first motion (\(up) up, \(count - up) down): nothing to split")
    }
    return DeepEmbeddedClustering.Supervision(
      classes: labels.map { Optional($0) }, weight: ModelOptions.Initialization.guideWeight,
      perBatch: ModelOptions.Initialization.guidePerBatch)
  }

  /// One id per sensor (network, station and location code, in order of first appearance):
  /// co-located instruments record different waveforms and are partitioned apart.
  static func sensorIDs(_ windows: [WindowRecord]) -> [Int] {
    var ids: [String: Int] = [:]
    return windows.map { window in
      let key = "\(window.network).\(window.station).\(window.location)"
      if let id = ids[key] { return id }
      ids[key] = ids.count
      return ids.count - 1
    }
  }
}
