import Clustering
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

  /// The windows as a source: the held array (read on first use) or the streamed reader.
  func source() throws -> any WindowSource {
    if let profiles { return profiles }
    if isStreamed { return StoredWindowSource(reader: reader, memoryBytes: memoryBytes) }
    if let held { return held }
    var samples = [Float](repeating: 0, count: count * reader.valuesPerWindow)
    try samples.withUnsafeMutableBufferPointer { try reader.samples(range: 0..<count, into: $0) }
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
    let chunk = max(1, min(1024, memoryBytes / 4 / max(windowBytes, 1)))
    var values = [Float](repeating: 0, count: min(count, chunk) * reader.valuesPerWindow)
    var start = 0
    while start < count {
      let end = min(count, start + chunk)
      try values.withUnsafeMutableBufferPointer { buffer in
        try reader.samples(range: start..<end, into: buffer)
        survey.add(UnsafeBufferPointer(buffer), windows: end - start)
      }
      start = end
    }
    return survey
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

  init(reader: WindowSetReader, memoryBytes: Int) {
    self.reader = reader
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
    try values.withUnsafeMutableBufferPointer { try reader.samples(range: range, into: $0) }
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
