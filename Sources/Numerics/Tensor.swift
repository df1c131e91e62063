/// A dense tensor of `Float` values stored contiguously in row-major order with a shape.
///
/// Waveform batches use the layout **batch x channels x length** (`[n, c, l]`): sample `i`,
/// channel `c`, time step `t` is at `(i * channels + c) * length + t`. Latent codes use
/// **batch x features** (`[n, d]`).
public struct Tensor: Sendable, Equatable {
  /// The extent of each dimension, outermost first.
  public private(set) var shape: [Int]
  /// The values in row-major order; `values.count == shape.reduce(1, *)`.
  public var values: [Float]

  /// A tensor of the given shape filled with `value`.
  public init(shape: [Int], repeating value: Float = 0) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    self.shape = shape
    self.values = [Float](repeating: value, count: shape.reduce(1, *))
  }

  /// A tensor of the given shape holding `values` (row-major).
  public init(shape: [Int], values: [Float]) {
    precondition(
      shape.reduce(1, *) == values.count,
      "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
    self.shape = shape
    self.values = values
  }

  /// The number of values.
  public var count: Int { values.count }

  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// The value at a multi-dimensional index (one index per dimension).
  public subscript(_ indices: Int...) -> Float {
    get { values[offset(indices)] }
    set { values[offset(indices)] = newValue }
  }

  /// The flat offset of a multi-dimensional index.
  public func offset(_ indices: [Int]) -> Int {
    precondition(indices.count == shape.count, "index rank \(indices.count) != \(shape.count)")
    var result = 0
    for (index, extent) in zip(indices, shape) {
      precondition(index >= 0 && index < extent, "index \(indices) outside shape \(shape)")
      result = result * extent + index
    }
    return result
  }

  /// The same values viewed with another shape of equal element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, values: values)
  }

  /// The items `range` along the first (batch) dimension.
  public func slice(_ range: Range<Int>) -> Tensor {
    precondition(!shape.isEmpty && range.lowerBound >= 0 && range.upperBound <= shape[0])
    let stride = shape.dropFirst().reduce(1, *)
    var newShape = shape
    newShape[0] = range.count
    return Tensor(
      shape: newShape,
      values: Array(values[(range.lowerBound * stride)..<(range.upperBound * stride)]))
  }
}
