import Clustering
import Foundation
import Numerics
import Store

extension WindowSetRecord {
  /// The window options the set was built with (nil for imported sets, or parameters that no
  /// longer parse).
  var buildOptions: WindowSetOptions? {
    struct Parameters: Decodable { var options: WindowSetOptions }
    return try? JSONDecoder().decode(Parameters.self, from: Data(parametersJson.utf8)).options
  }

  /// Whether the set was built with `--input correlation`: its windows are waveforms and the
  /// network sees their correlation profiles (`CorrelationInput`). Reads the `input` key alone,
  /// so parameters that no longer decode as whole options still say it.
  var isCorrelationInput: Bool {
    struct Parameters: Decodable {
      struct Options: Decodable { var input: String? }
      var options: Options?
    }
    let parameters = try? JSONDecoder().decode(Parameters.self, from: Data(parametersJson.utf8))
    return parameters?.options?.input == WindowSetOptions.Input.correlation.rawValue
  }
}

/// `--input correlation` (docs/decisions/0018-correlation-input.md): a run picks up to
/// `maximumReferences` windows of its set as references, ordered by average-linkage leaf order
/// of their mutual correlation, and stores their ordinals; every window the run trains on or
/// assigns is then seen as its correlation profile against them (`CorrelationProfiles`).
enum CorrelationInput {
  /// References per run: every window of a set up to this size, else a seeded sample.
  static let maximumReferences = 256

  /// Windows read from the store at a time while profiles are computed.
  static let chunk = 256

  /// The references of a new run over `reader`'s windows: up to `maximumReferences` ordinals
  /// (all of them, or a sample seeded by `seed`), ascending.
  static func sampleReferences(count: Int, seed: UInt64) -> [Int] {
    var ordinals = Array(0..<count)
    guard count > maximumReferences else { return ordinals }
    var generator = SeededGenerator(seed: seed ^ 0x636F_7272_656C_6174)
    ordinals.shuffle(using: &generator)
    return Array(ordinals.prefix(maximumReferences)).sorted()
  }

  /// The average-linkage leaf order of the references, from the profiles of every window
  /// against them (`count x references`): the references are windows of the same set, so their
  /// mutual correlation is in their own rows. Returns positions in `references`.
  static func order(references: [Int], profiles: [Float]) -> [Int] {
    let m = references.count
    var distances = [Double](repeating: 0, count: m * m)
    for i in 0..<m {
      for j in 0..<m where j != i {
        // The correlation is symmetric up to rounding; average the two directions.
        let a = Double(profiles[references[i] * m + j])
        let b = Double(profiles[references[j] * m + i])
        distances[i * m + j] = 1 - (a + b) / 2
      }
    }
    return CorrelationProfiles.averageLinkageOrder(distances: distances, count: m)
  }

  /// The references of a new run over `reader`'s windows, in profile order (ordinals), and
  /// every window's profile against them in that order: one pass of correlation.
  static func chooseReferences(reader: WindowSetReader, seed: UInt64, quiet: Bool = true) throws
    -> (references: [Int], profiles: WindowArray)
  {
    let sample = sampleReferences(count: reader.count, seed: seed)
    let unordered = try profiles(
      of: reader, against: try profiles(reader: reader, ordinals: sample), quiet: quiet)
    let m = sample.count
    let positions = order(references: sample, profiles: unordered.tensor.values)
    var values = [Float](repeating: 0, count: reader.count * m)
    unordered.tensor.values.withUnsafeBufferPointer { source in
      for w in 0..<reader.count {
        for (k, p) in positions.enumerated() { values[w * m + k] = source[w * m + p] }
      }
    }
    return (
      positions.map { sample[$0] },
      try WindowArray(values, count: reader.count, channels: 1, length: m)
    )
  }

  /// Correlation against the windows at `ordinals` of `reader`, in that order. Refuses, before
  /// allocating, references whose spectra would not fit in the memory the process can get.
  static func profiles(reader: WindowSetReader, ordinals: [Int]) throws -> CorrelationProfiles {
    let needed =
      CorrelationProfiles.workingBytes(
        references: ordinals.count, channels: reader.windowSet.channelCount,
        length: reader.windowSet.length, workers: workers)
      + ordinals.count * reader.valuesPerWindow * MemoryLayout<Float>.size
      + reader.count * maximumReferences * MemoryLayout<Float>.size
    guard needed <= MemoryLimit.availableBytes else {
      throw InputError(
        path: reader.store.path,
        reason:
          "correlation input needs \(MemoryLimit.describe(needed)) for \(ordinals.count) reference windows of \(reader.windowSet.channelCount) x \(reader.windowSet.length) but only \(MemoryLimit.describe(MemoryLimit.availableBytes)) can be allocated: use shorter windows or --input spectrogram"
      )
    }
    let samples = try read(reader: reader, ordinals: ordinals)
    return try samples.withUnsafeBufferPointer {
      try CorrelationProfiles(
        references: $0, referenceCount: ordinals.count,
        channels: reader.windowSet.channelCount, length: reader.windowSet.length)
    }
  }

  /// The profiles of every window of `reader` against `correlation`'s references, read from the
  /// store in chunks: `count x 1 x references`.
  static func profiles(
    of reader: WindowSetReader, against correlation: CorrelationProfiles, quiet: Bool
  ) throws -> WindowArray {
    guard reader.windowSet.channelCount == correlation.channels,
      reader.windowSet.length == correlation.length
    else {
      throw InputError(
        path: reader.store.path,
        reason:
          "the windows are \(reader.windowSet.channelCount) x \(reader.windowSet.length) but the run's correlation references are \(correlation.channels) x \(correlation.length): build them with the run's window options"
      )
    }
    let progress = Progress(label: "correlation profiles", total: reader.count, quiet: quiet)
    var values: [Float] = []
    values.reserveCapacity(reader.count * correlation.referenceCount)
    var buffer = [Float](repeating: 0, count: min(chunk, reader.count) * reader.valuesPerWindow)
    var start = 0
    while start < reader.count {
      let end = min(reader.count, start + chunk)
      try buffer.withUnsafeMutableBufferPointer { try reader.samples(range: start..<end, into: $0) }
      values += try buffer.withUnsafeBufferPointer {
        try correlation.profiles(of: $0, count: end - start, workers: workers)
      }
      progress.update(end)
      start = end
    }
    progress.finish()
    return try WindowArray(
      values, count: reader.count, channels: 1, length: correlation.referenceCount)
  }

  /// The windows among `candidates` whose peak correlation with every *other* window of their
  /// cluster (`labels`, -1 for none) is below `threshold`: each candidate is correlated with all
  /// members of its cluster, read `maximumReferences` at a time. `Orphans.find` on the
  /// references gives the candidates (a window that correlates with a reference of its cluster
  /// is no orphan); this settles the rest when the references are a sample of the set.
  static func orphans(
    among candidates: [Int], labels: [Int], reader: WindowSetReader, threshold: Double
  ) throws -> [Int] {
    var byCluster: [Int: [Int]] = [:]
    for c in candidates where labels[c] >= 0 { byCluster[labels[c], default: []].append(c) }
    var orphans: [Int] = []
    for cluster in byCluster.keys.sorted() {
      let group = byCluster[cluster] ?? []
      let members = labels.indices.filter { labels[$0] == cluster }
      let samples = try read(reader: reader, ordinals: group)
      var best = [Float](repeating: -.infinity, count: group.count)
      var start = 0
      while start < members.count {
        let chunk = Array(members[start..<min(members.count, start + maximumReferences)])
        let correlation = try profiles(reader: reader, ordinals: chunk)
        let values = try samples.withUnsafeBufferPointer {
          try correlation.profiles(of: $0, count: group.count, workers: workers)
        }
        for (g, window) in group.enumerated() {
          for (j, member) in chunk.enumerated() where member != window {
            best[g] = max(best[g], values[g * chunk.count + j])
          }
        }
        start += chunk.count
      }
      orphans += zip(group, best).filter { Double($0.1) < threshold }.map(\.0)
    }
    return orphans.sorted()
  }

  private static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  private static func read(reader: WindowSetReader, ordinals: [Int]) throws -> [Float] {
    var samples = [Float](repeating: 0, count: ordinals.count * reader.valuesPerWindow)
    try samples.withUnsafeMutableBufferPointer { try reader.samples(ordinals: ordinals, into: $0) }
    return samples
  }
}
