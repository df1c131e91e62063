import Clustering
import Foundation
import Numerics
import Store

/// A stored window set as training and assignment read it, with memory bounded by a budget:
/// sets whose samples fit in `memoryBytes` are read once and held (`WindowArray`, trained on
/// exactly as before streaming existed); larger sets are read from the store as they are
/// needed (`StoredWindowSource`). See docs/decisions/0017-streamed-training.md.
public final class TrainingWindows {
  /// The tool's budget for windows held in memory by `cluster`, `assign` and `relabel`.
  public static let defaultMemoryBytes = 256 << 20

  let reader: WindowSetReader
  let memoryBytes: Int
  private var held: WindowArray?
  /// With `--input correlation`: the windows' correlation profiles, which the network sees
  /// instead of the samples, and the ordinals (in the run's set) of the references.
  private(set) var profiles: WindowArray?
  private(set) var correlationReferences: [Int]?
  /// `--window-level rms|sqrt`: how every window is scaled before the network, the input checks
  /// and the input separation see it (towards the mean of the set's window RMS for a new run,
  /// `meanLevel()`; the run's own when resumed, assigned or relabelled); nil: the windows as
  /// stored (docs/decisions/0024).
  private(set) var level: WindowLevelScale?

  var windowSet: WindowSetRecord { reader.windowSet }
  /// The windows' metadata in stored order (no samples).
  var windows: [WindowRecord] { reader.windows }
  var count: Int { reader.count }
  /// Bytes of one window's samples.
  var windowBytes: Int { reader.valuesPerWindow * MemoryLayout<Float>.size }
  /// Whether the samples are read from the store as needed rather than held.
  var isStreamed: Bool { profiles == nil && count * windowBytes > memoryBytes }
  /// Channels of the network's input: the set's, or 1 for correlation profiles.
  var networkChannels: Int { profiles?.channels ?? windowSet.channelCount }
  /// Length of the network's input: the set's, or the number of correlation references.
  var networkLength: Int { profiles?.length ?? windowSet.length }

  /// Makes the network see each window's correlation profile against references chosen for a
  /// new run (`CorrelationInput.chooseReferences`).
  func useCorrelation(seed: UInt64, quiet: Bool) throws {
    let chosen = try CorrelationInput.chooseReferences(reader: reader, seed: seed, quiet: quiet)
    profiles = chosen.profiles
    correlationReferences = chosen.references
  }

  /// Makes the network see each window's correlation profile against the windows at
  /// `references` of `referenceSet` (the run's set; this set when nil).
  func useCorrelation(
    references: [Int], of referenceSet: WindowSetReader? = nil, quiet: Bool
  ) throws {
    let correlation = try CorrelationInput.profiles(
      reader: referenceSet ?? reader, ordinals: references)
    profiles = try CorrelationInput.profiles(of: reader, against: correlation, quiet: quiet)
    correlationReferences = references
  }

  init(reader: WindowSetReader, memoryBytes: Int = TrainingWindows.defaultMemoryBytes) {
    self.reader = reader
    self.memoryBytes = memoryBytes
  }

  /// Scales every window from now on by `level` (nil: as stored).
  func useLevel(_ level: WindowLevelScale?) {
    self.level = level
    held = nil
  }

  /// The mean over the set's windows of each window's RMS (the set read in chunks of at most
  /// 1,024 windows and a quarter of the memory budget). Windows of zeros count (at 0); a window
  /// whose values are not finite does not (the input checks name it), nor does it make the
  /// level NaN.
  func meanLevel() throws -> Double {
    let size = reader.valuesPerWindow
    guard count > 0, size > 0 else { return 0 }
    var total = 0.0
    var counted = 0
    try forEachStoredChunk { buffer, windows in
      for w in 0..<windows {
        let level = Self.rms(UnsafeBufferPointer(rebasing: buffer[(w * size)..<((w + 1) * size)]))
        guard level.isFinite else { continue }
        total += level
        counted += 1
      }
    }
    return counted > 0 ? total / Double(counted) : 0
  }

  /// A window's root mean square, summed in Double.
  static func rms(_ window: UnsafeBufferPointer<Float>) -> Double {
    var sum = 0.0
    for v in window { sum += Double(v) * Double(v) }
    return (sum / Double(max(window.count, 1))).squareRoot()
  }

  /// Scales each of the `windows` windows of `size` values in `buffer` by `(target / r)^power`,
  /// r its RMS (power 1: to RMS `target`); a window of zeros, one whose values are not finite,
  /// and one so quiet that the factor would overflow float32 stay as they are.
  static func scale(
    _ buffer: UnsafeMutableBufferPointer<Float>, windows: Int, size: Int, to level: WindowLevelScale
  ) {
    for w in 0..<windows {
      let window = UnsafeMutableBufferPointer(rebasing: buffer[(w * size)..<((w + 1) * size)])
      let norm = rms(UnsafeBufferPointer(window))
      guard norm > 0, norm.isFinite else { continue }
      let ratio = level.target / norm
      let factor = Float(level.power == 1 ? ratio : pow(ratio, level.power))
      guard factor.isFinite, factor > 0 else { continue }
      for i in window.indices { window[i] *= factor }
    }
  }

  /// The windows as a source: the held array (read on first use) or the streamed reader.
  func source() throws -> any WindowSource {
    if let profiles { return profiles }
    if isStreamed {
      return StoredWindowSource(reader: reader, memoryBytes: memoryBytes, level: level)
    }
    if let held { return held }
    var samples = [Float](repeating: 0, count: count * reader.valuesPerWindow)
    try samples.withUnsafeMutableBufferPointer {
      try reader.samples(range: 0..<count, into: $0)
      if let level { Self.scale($0, windows: count, size: reader.valuesPerWindow, to: level) }
    }
    let array = try WindowArray(
      samples, count: count, channels: windowSet.channelCount, length: windowSet.length)
    held = array
    return array
  }

  /// How well partitions of these windows separate their input (decision 0014): a sample of at
  /// most `InputSeparation.sampleBytes`, or a quarter of the memory budget for a streamed set.
  func inputSeparation(clusters: Int, seed: UInt64) throws -> InputSeparation {
    try InputSeparation(
      source: try source(), clusters: clusters, seed: seed,
      maximumBytes: isStreamed ? max(1 << 20, memoryBytes / 4) : InputSeparation.sampleBytes)
  }

  /// One pass over the network's input (the held windows, the correlation profiles, or the
  /// stored set in chunks of at most 1,024 windows and a quarter of the memory budget): its
  /// value range and distinct windows, counted up to `cap`.
  func survey(distinctUpTo cap: Int) throws -> InputSurvey {
    if profiles != nil || !isStreamed, let array = try source() as? WindowArray {
      var survey = InputSurvey(valuesPerWindow: array.windowSize, cap: cap)
      array.tensor.values.withUnsafeBufferPointer { survey.add($0, windows: array.count) }
      return survey
    }
    var survey = InputSurvey(valuesPerWindow: reader.valuesPerWindow, cap: cap)
    try forEachStoredChunk { buffer, windows in
      if let level { Self.scale(buffer, windows: windows, size: reader.valuesPerWindow, to: level) }
      survey.add(UnsafeBufferPointer(buffer), windows: windows)
    }
    return survey
  }

  /// Reads the stored set in order, in chunks of at most 1,024 windows and a quarter of the
  /// memory budget, into one buffer: `body` gets it and the number of windows it holds.
  private func forEachStoredChunk(
    _ body: (UnsafeMutableBufferPointer<Float>, Int) throws -> Void
  ) throws {
    let chunk = max(1, min(1024, memoryBytes / 4 / max(windowBytes, 1)))
    var values = [Float](repeating: 0, count: min(count, chunk) * reader.valuesPerWindow)
    var start = 0
    while start < count {
      let end = min(count, start + chunk)
      try values.withUnsafeMutableBufferPointer { buffer in
        try reader.samples(range: start..<end, into: buffer)
        try body(buffer, end - start)
      }
      start = end
    }
  }

  /// Windows encoded at once in whole-set passes: all of a held set (exactly as before
  /// streaming existed: the chunking changes the GEMMs' rounding), else a quarter of the
  /// budget, 64 to 2,048.
  var encodingChunk: Int {
    isStreamed ? max(64, min(2048, memoryBytes / 4 / max(windowBytes, 1))) : max(count, 1)
  }
}

/// A stored window set read in blocks: training visits the windows block by block, each block
/// `chunksPerBlock` runs of `chunkSize` consecutive windows drawn at random and shuffled
/// together, so each run is one range read in stored order and every window is still seen once
/// per pass. Whole-set passes read consecutive windows directly. At most two blocks are held
/// (a minibatch can straddle two), half the budget each.
final class StoredWindowSource: WindowSource {
  let reader: WindowSetReader
  let count: Int
  let channels: Int
  let length: Int
  /// Consecutive windows read at once.
  let chunkSize: Int
  /// Chunks shuffled together.
  let chunksPerBlock: Int
  private var cache: [Int: [Float]] = [:]
  private var loadOrder: [Int] = []
  /// Chunk reads so far (for tests and benchmarks).
  private(set) var chunkReads = 0
  /// How each window is scaled as it is read (`TrainingWindows.level`); nil: as stored.
  let level: WindowLevelScale?

  init(reader: WindowSetReader, memoryBytes: Int, level: WindowLevelScale? = nil) {
    self.reader = reader
    self.level = level
    count = reader.count
    channels = reader.windowSet.channelCount
    length = reader.windowSet.length
    let windowBytes = max(1, reader.valuesPerWindow * MemoryLayout<Float>.size)
    let block = max(64, memoryBytes / 2 / windowBytes)
    chunkSize = max(1, min(256, block / 8))
    chunksPerBlock = max(1, block / chunkSize)
  }

  /// Windows in one block.
  var blockSize: Int { chunkSize * chunksPerBlock }
  private var chunkCount: Int { (count + chunkSize - 1) / chunkSize }

  func trainingOrder(using generator: inout SeededGenerator) -> [Int] {
    // A set that fits in one block is shuffled as a whole, exactly as in memory.
    guard count > blockSize else {
      var order = Array(0..<count)
      order.shuffle(using: &generator)
      return order
    }
    var chunks = Array(0..<chunkCount)
    chunks.shuffle(using: &generator)
    var order: [Int] = []
    order.reserveCapacity(count)
    var start = 0
    while start < chunks.count {
      var members: [Int] = []
      for chunk in chunks[start..<min(start + chunksPerBlock, chunks.count)] {
        members += (chunk * chunkSize)..<min((chunk + 1) * chunkSize, count)
      }
      members.shuffle(using: &generator)
      order += members
      start += chunksPerBlock
    }
    return order
  }

  func copyWindows(at indices: ArraySlice<Int>, into buffer: UnsafeMutableBufferPointer<Float>)
    throws
  {
    let size = channels * length
    precondition(buffer.count >= indices.count * size, "buffer too small for the windows")
    if let first = indices.first, isConsecutive(indices) {
      try reader.samples(range: first..<(first + indices.count), into: buffer)
      if let level {
        TrainingWindows.scale(buffer, windows: indices.count, size: size, to: level)
      }
      if let bad = buffer[..<(indices.count * size)].firstIndex(where: { !$0.isFinite }) {
        throw ClusteringError.nonFinite("window \(first + bad / size)")
      }
      return
    }
    for (row, index) in indices.enumerated() {
      let chunk = index / chunkSize
      let values = try chunkValues(chunk)
      let offset = (index - chunk * chunkSize) * size
      values.withUnsafeBufferPointer { source in
        (buffer.baseAddress! + row * size).update(
          from: source.baseAddress! + offset, count: size)
      }
    }
  }

  private func isConsecutive(_ indices: ArraySlice<Int>) -> Bool {
    guard var previous = indices.first else { return false }
    for index in indices.dropFirst() {
      guard index == previous + 1 else { return false }
      previous = index
    }
    return true
  }

  /// The samples of chunk `chunk`, read on first use; the oldest chunk is dropped once two
  /// blocks are held.
  private func chunkValues(_ chunk: Int) throws -> [Float] {
    if let values = cache[chunk] { return values }
    let range = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, count)
    var values = [Float](repeating: 0, count: range.count * channels * length)
    try values.withUnsafeMutableBufferPointer {
      try reader.samples(range: range, into: $0)
      if let level {
        TrainingWindows.scale($0, windows: range.count, size: channels * length, to: level)
      }
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw ClusteringError.nonFinite("window \(range.lowerBound + bad / (channels * length))")
    }
    chunkReads += 1
    cache[chunk] = values
    loadOrder.append(chunk)
    if loadOrder.count > 2 * chunksPerBlock {
      cache[loadOrder.removeFirst()] = nil
    }
    return values
  }
}

/// How `--window-level` scales a run's windows (docs/decisions/0024): each window by
/// `(target / r)^power`, r its RMS and `target` the mean RMS of the run's set. Power 1 (`rms`)
/// gives every window the RMS `target`; power 0.5 (`sqrt`) halves each window's distance from
/// it on a log scale.
public struct WindowLevelScale: Codable, Sendable, Equatable {
  public var target: Double
  public var power: Double

  public init(target: Double, power: Double) {
    self.target = target
    self.power = power
  }

  /// The scale a run stored (`windowLevelTarget`, `windowLevelPower`; a power not stored is 1),
  /// or nil.
  static func stored(target: Double?, power: Double?) -> WindowLevelScale? {
    target.map { WindowLevelScale(target: $0, power: power ?? 1) }
  }
}
