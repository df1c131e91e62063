import Numerics

/// Windows that training and assignment read in minibatches: `count` windows of
/// `channels x length` float32 values each. An in-memory array is one source (`WindowArray`); a
/// store can be another (the Pipeline module reads windows from SQLite), so this module never
/// touches files.
public protocol WindowSource {
  /// Windows in the source.
  var count: Int { get }
  /// Channels per window.
  var channels: Int { get }
  /// Samples per channel.
  var length: Int { get }

  /// Copies the windows at `indices`, one after another (`channels x length` each, C order),
  /// into `buffer`, which holds at least `indices.count * channels * length` values.
  func copyWindows(at indices: ArraySlice<Int>, into buffer: UnsafeMutableBufferPointer<Float>)
    throws

  /// Every window as one `[count, channels, length]` tensor.
  func allWindows() throws -> Tensor

  /// The order in which one pass of training visits the windows: a permutation of
  /// `0..<count` drawn from `generator`. By default a uniform shuffle; a source that reads
  /// some orders faster than others (a store reading contiguous runs) may shuffle within its
  /// blocks instead.
  func trainingOrder(using generator: inout SeededGenerator) -> [Int]
}

extension WindowSource {
  /// Values per window.
  public var windowSize: Int { channels * length }

  /// The windows at `indices` as a `[indices.count, channels, length]` tensor.
  public func windows(at indices: ArraySlice<Int>) throws -> Tensor {
    var tensor = Tensor(shape: [indices.count, channels, length])
    try tensor.values.withUnsafeMutableBufferPointer { try copyWindows(at: indices, into: $0) }
    return tensor
  }

  public func allWindows() throws -> Tensor { try windows(at: Array(0..<count)[...]) }

  public func trainingOrder(using generator: inout SeededGenerator) -> [Int] {
    var order = Array(0..<count)
    order.shuffle(using: &generator)
    return order
  }

  /// Visits `range` in chunks of at most `chunkSize` consecutive windows, each as a
  /// `[chunk, channels, length]` tensor, in order: memory stays bounded by the chunk.
  public func forEachChunk(
    of range: Range<Int>? = nil, chunkSize: Int, _ body: (Range<Int>, Tensor) throws -> Void
  ) throws {
    let all = range ?? 0..<count
    let step = max(1, chunkSize)
    var start = all.lowerBound
    while start < all.upperBound {
      let end = min(start + step, all.upperBound)
      try body(start..<end, try windows(at: Array(start..<end)[...]))
      start = end
    }
  }
}

/// Windows held in memory: `count x channels x length` values, C order.
public struct WindowArray: WindowSource, Sendable {
  public let count: Int
  public let channels: Int
  public let length: Int
  /// The windows as one tensor.
  public let tensor: Tensor

  /// - Throws: `ClusteringError.shapeMismatch` when `values` does not hold `count` windows of
  ///   `channels x length`, `.nonFinite` naming the first window with NaN or infinity.
  public init(_ values: [Float], count: Int, channels: Int, length: Int) throws {
    guard count >= 0, channels > 0, length > 0, values.count == count * channels * length else {
      throw ClusteringError.shapeMismatch(
        "\(values.count) values for \(count) x \(channels) x \(length)")
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw ClusteringError.nonFinite("window \(bad / (channels * length))")
    }
    self.count = count
    self.channels = channels
    self.length = length
    tensor = Tensor(shape: [count, channels, length], values: values)
  }

  public func copyWindows(
    at indices: ArraySlice<Int>, into buffer: UnsafeMutableBufferPointer<Float>
  ) throws {
    let size = channels * length
    precondition(buffer.count >= indices.count * size, "buffer too small for the windows")
    tensor.values.withUnsafeBufferPointer { source in
      for (row, index) in indices.enumerated() {
        (buffer.baseAddress! + row * size).update(
          from: source.baseAddress! + index * size, count: size)
      }
    }
  }

  public func allWindows() throws -> Tensor { tensor }
}
