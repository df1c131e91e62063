/// A fixed-size, manually allocated buffer of `Float`, zero-initialised.
///
/// Used for workspaces that several threads write in disjoint regions: the pointer is stable for
/// the buffer's lifetime and taking it involves no exclusivity check, unlike `[Float]`.
public final class FloatBuffer: @unchecked Sendable {
  /// The first element; valid for `count` elements until the buffer is released.
  public let pointer: UnsafeMutablePointer<Float>
  /// The number of elements.
  public let count: Int

  /// A zero-filled buffer of `count` elements.
  public init(count: Int) {
    precondition(count >= 0)
    self.count = count
    pointer = .allocate(capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
  }

  /// A buffer holding a copy of `values`.
  public convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
    }
  }

  deinit { pointer.deallocate() }

  /// The elements as an array (a copy).
  public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  /// Sets every element to zero.
  public func zero() { pointer.update(repeating: 0, count: count) }

  /// Copies `values` into the buffer; the counts must match.
  public func copy(from values: [Float]) {
    precondition(values.count == count, "copying \(values.count) values into \(count)")
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.update(from: base, count: count) }
    }
  }
}

/// Raw bytes with the same life rules as `FloatBuffer`, aligned for any scalar; zero-filled.
/// For per-layer state of varying types (max-pool indices, masks).
public final class ByteBuffer: @unchecked Sendable {
  /// The first byte; valid for `count` bytes.
  public let pointer: UnsafeMutableRawPointer
  /// The number of bytes.
  public let count: Int

  /// A zero-filled buffer of `count` bytes.
  public init(count: Int) {
    precondition(count >= 0)
    self.count = count
    pointer = .allocate(byteCount: max(count, 1), alignment: 16)
    pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
  }

  deinit { pointer.deallocate() }
}
