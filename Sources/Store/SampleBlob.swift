import Foundation
import Seismic

/// How a segment's samples are laid out in its blob (`segment.sample_encoding`).
public enum SampleEncoding: String, Sendable, CaseIterable {
  /// The native type's little-endian bytes, back to back (`sample_count * width` bytes).
  case raw
  /// Int32 samples as zigzag deltas in blocks of 16 samples, each block one width byte `w`
  /// (0 to 4) then `w` little-endian bytes per sample. The first delta is from 0; differences
  /// wrap like Int32 arithmetic, so every sequence round-trips. Seismic counts change little
  /// from sample to sample: Steim-compressed data typically takes 1 to 2 bytes per sample here.
  case int32Delta = "int32-delta"
  /// Float32 samples as `.int32Delta` blocks over order-preserving integer keys of their bits
  /// (a negative value's bits below the sign flipped), so close values have close keys.
  /// Noisy floats take about 3 bytes per sample; the bits come back exactly (NaNs included).
  case float32Delta = "float32-delta"

  /// The sample type the encoding applies to, or nil for every type (raw).
  public var sampleType: SampleType? {
    switch self {
    case .raw: nil
    case .int32Delta: .int32
    case .float32Delta: .float32
    }
  }
}

/// Samples as stored: raw little-endian values, or deltas (`SampleEncoding`).
public enum SampleBlob {
  public struct Error: Swift.Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
  }

  private static let hostIsLittleEndian = 1.littleEndian == 1

  /// Samples per block of `.int32Delta`.
  static let blockLength = 16

  /// The smallest encoding of `samples`: deltas when they take fewer bytes than the raw
  /// values, raw otherwise (float64, and samples that jump across their whole range).
  public static func encodeCompact(_ samples: Samples) -> (encoding: SampleEncoding, blob: Data) {
    switch samples {
    case .int32(let values):
      if let blob = values.withUnsafeBufferPointer({ encodeDeltas($0) }) {
        return (.int32Delta, blob)
      }
    case .float32(let values):
      let blob = values.withUnsafeBufferPointer { floats in
        floats.withMemoryRebound(to: Int32.self) { words in
          words.baseAddress.flatMap { encodeDeltas($0, count: words.count, floatKeys: true) }
        }
      }
      if let blob { return (.float32Delta, blob) }
    case .float64: break
    }
    return (.raw, encode(samples))
  }

  /// An Int32 key of a float's bits that orders like the floats (an involution: it is its own
  /// inverse). Negative values have their bits below the sign flipped.
  @inline(__always)
  static func orderedKey(_ bits: UInt32) -> Int32 {
    let value = Int32(bitPattern: bits)
    return value < 0 ? value ^ Int32.max : value
  }

  /// The raw encoding: the native type's little-endian bytes.
  public static func encode(_ samples: Samples) -> Data {
    switch samples {
    case .int32(let v): return bytes(v, swap: { UInt32(bitPattern: $0).byteSwapped })
    case .float32(let v): return bytes(v, swap: { $0.bitPattern.byteSwapped })
    case .float64(let v): return bytes(v, swap: { $0.bitPattern.byteSwapped })
    }
  }

  private static func bytes<T, U>(_ values: [T], swap: (T) -> U) -> Data {
    if hostIsLittleEndian { return values.withUnsafeBytes { Data($0) } }
    return values.map(swap).withUnsafeBytes { Data($0) }
  }

  /// `.int32Delta` bytes of `values`, or nil when they would not be smaller than the raw ones.
  static func encodeDeltas(_ values: UnsafeBufferPointer<Int32>) -> Data? {
    guard let base = values.baseAddress else { return nil }
    return encodeDeltas(base, count: values.count, floatKeys: false)
  }

  /// Delta blocks of `count` 32-bit words at `words`: the words as Int32, or (`floatKeys`) as
  /// the `orderedKey` of float bits. Nil when the blob would not be smaller than the words.
  static func encodeDeltas(_ words: UnsafePointer<Int32>, count n: Int, floatKeys: Bool) -> Data? {
    let capacity = n * 4
    guard n > 0 else { return nil }
    // One byte of slack: width-3 blocks store 4 bytes per sample, each overlapping the next.
    let out = UnsafeMutableRawPointer.allocate(byteCount: capacity + 1, alignment: 16)
    var offset = 0
    var start = 0
    var fits = true
    while start < n {
      let m = min(blockLength, n - start)
      let next: Int?
      if m == blockLength && start > 0 && hostIsLittleEndian {
        next = encodeFullBlock(
          words + start, floatKeys: floatKeys, to: out, at: offset, limit: capacity)
      } else {
        next = encodeBlock(
          words + start, count: m, first: start == 0, floatKeys: floatKeys, to: out, at: offset,
          limit: capacity)
      }
      guard let end = next else {
        fits = false
        break
      }
      offset = end
      start += m
    }
    guard fits, offset < capacity else {
      out.deallocate()
      return nil
    }
    return Data(
      bytesNoCopy: out, count: offset, deallocator: .custom { pointer, _ in pointer.deallocate() })
  }

  /// The key a word is stored under: itself, or for float bits `orderedKey`.
  @inline(__always)
  private static func key(_ word: Int32, floatKeys: Bool) -> Int32 {
    floatKeys ? orderedKey(UInt32(bitPattern: word)) : word
  }

  /// Encodes one block of 16 samples (not the first) with vector arithmetic; returns the
  /// offset after it, or nil when it would pass `limit`.
  @inline(__always)
  private static func encodeFullBlock(
    _ words: UnsafePointer<Int32>, floatKeys: Bool, to out: UnsafeMutableRawPointer,
    at offset: Int, limit: Int
  ) -> Int? {
    var current = UnsafeRawPointer(words).loadUnaligned(as: SIMD16<Int32>.self)
    var previous = UnsafeRawPointer(words - 1).loadUnaligned(as: SIMD16<Int32>.self)
    if floatKeys {
      current ^= (current &>> 31) & Int32.max
      previous ^= (previous &>> 31) & Int32.max
    }
    let delta = current &- previous
    let zig = SIMD16<UInt32>(truncatingIfNeeded: (delta &<< 1) ^ (delta &>> 31))
    let width = (32 - zig.max().leadingZeroBitCount + 7) >> 3
    let end = offset + 1 + width * blockLength
    guard end <= limit else { return nil }
    out.storeBytes(of: UInt8(width), toByteOffset: offset, as: UInt8.self)
    let body = out + offset + 1
    switch width {
    case 0: break
    case 1: body.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: zig), as: SIMD16<UInt8>.self)
    case 2: body.storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: zig), as: SIMD16<UInt16>.self)
    case 3:
      // 4-byte stores 3 bytes apart: each one's top byte is overwritten by the next (the last
      // lands in the slack byte or the next block's width byte, written afterwards).
      for j in 0..<blockLength { body.storeBytes(of: zig[j], toByteOffset: 3 * j, as: UInt32.self) }
    default: body.storeBytes(of: zig, as: SIMD16<UInt32>.self)
    }
    return end
  }

  /// Encodes one block of `m` samples one by one (the first block, the last one when short, and
  /// big-endian hosts); returns the offset after it, or nil when it would pass `limit`.
  private static func encodeBlock(
    _ words: UnsafePointer<Int32>, count m: Int, first: Bool, floatKeys: Bool,
    to out: UnsafeMutableRawPointer, at offset: Int, limit: Int
  ) -> Int? {
    let before = first ? 0 : key(words[-1], floatKeys: floatKeys)
    /// The zigzag delta of sample `j` of the block.
    func zig(_ j: Int) -> UInt32 {
      let delta =
        key(words[j], floatKeys: floatKeys)
        &- (j == 0 ? before : key(words[j - 1], floatKeys: floatKeys))
      return UInt32(bitPattern: (delta << 1) ^ (delta >> 31))
    }
    let largest = (0..<m).reduce(UInt32(0)) { max($0, zig($1)) }
    let width = (32 - largest.leadingZeroBitCount + 7) >> 3
    let end = offset + 1 + width * m
    guard end <= limit else { return nil }
    out.storeBytes(of: UInt8(width), toByteOffset: offset, as: UInt8.self)
    let body = out + offset + 1
    for j in 0..<m {
      let z = zig(j)
      for b in 0..<width {
        body.storeBytes(
          of: UInt8(truncatingIfNeeded: z >> (8 * b)), toByteOffset: width * j + b, as: UInt8.self)
      }
    }
    return end
  }

  /// Decodes `count` samples of `type` stored with `encoding`; throws when the blob does not
  /// hold exactly that.
  public static func decode(
    _ data: Data, type: SampleType, count: Int, encoding: SampleEncoding = .raw
  ) throws -> Samples {
    if let expected = encoding.sampleType, expected != type {
      throw Error(reason: "\(type.rawValue) samples cannot be \(encoding.rawValue) encoded")
    }
    switch encoding {
    case .raw: return try decodeRaw(data, type: type, count: count)
    case .int32Delta:
      return .int32(try data.withUnsafeBytes { try decodeDeltas($0, count: count) })
    case .float32Delta:
      let keys = try data.withUnsafeBytes { try decodeDeltas($0, count: count) }
      return .float32(
        keys.map { Float(bitPattern: UInt32(bitPattern: orderedKey(UInt32(bitPattern: $0)))) })
    }
  }

  /// Decodes samples `range` of a blob of `count` samples (`decode` then a slice, without
  /// holding the whole segment decoded: a day file's window needs a few minutes of it). Delta
  /// blocks before the range are summed, not stored; blocks after it are not read.
  public static func decode(
    _ data: Data, type: SampleType, count: Int, encoding: SampleEncoding = .raw,
    range: Range<Int>
  ) throws -> Samples {
    guard range.lowerBound >= 0, range.upperBound <= count else {
      throw Error(reason: "samples \(range) are outside the \(count) samples of the blob")
    }
    if range == 0..<count { return try decode(data, type: type, count: count, encoding: encoding) }
    if let expected = encoding.sampleType, expected != type {
      throw Error(reason: "\(type.rawValue) samples cannot be \(encoding.rawValue) encoded")
    }
    switch encoding {
    case .raw:
      let width = type.byteWidth
      let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
      guard !overflow, data.count == bytes else {
        throw Error(
          reason: "blob of \(data.count) bytes does not hold \(count) \(type.rawValue) samples")
      }
      let start = data.startIndex + range.lowerBound * width
      let part = data.subdata(in: start..<(start + range.count * width))
      return try decodeRaw(part, type: type, count: range.count)
    case .int32Delta:
      return .int32(try data.withUnsafeBytes { try decodeDeltas($0, count: count, range: range) })
    case .float32Delta:
      let keys = try data.withUnsafeBytes { try decodeDeltas($0, count: count, range: range) }
      return .float32(
        keys.map { Float(bitPattern: UInt32(bitPattern: orderedKey(UInt32(bitPattern: $0)))) })
    }
  }

  private static func decodeRaw(_ data: Data, type: SampleType, count: Int) throws -> Samples {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: type.byteWidth)
    guard count >= 0, !overflow, data.count == bytes else {
      throw Error(
        reason: "blob of \(data.count) bytes does not hold \(count) \(type.rawValue) samples")
    }
    switch type {
    case .int32:
      var v = [Int32](repeating: 0, count: count)
      copy(data, into: &v)
      if !hostIsLittleEndian { v = v.map { $0.byteSwapped } }
      return .int32(v)
    case .float32:
      var v = [Float](repeating: 0, count: count)
      copy(data, into: &v)
      if !hostIsLittleEndian { v = v.map { Float(bitPattern: $0.bitPattern.byteSwapped) } }
      return .float32(v)
    case .float64:
      var v = [Double](repeating: 0, count: count)
      copy(data, into: &v)
      if !hostIsLittleEndian { v = v.map { Double(bitPattern: $0.bitPattern.byteSwapped) } }
      return .float64(v)
    }
  }

  /// Why a delta blob cannot hold `count` samples (a width byte above 4, a block cut
  /// short, bytes left over), or nil when its layout is sound. Reads only the width bytes.
  public static func deltaLayoutProblem(_ data: UnsafeRawBufferPointer, count: Int) -> String? {
    var offset = 0
    var start = 0
    while start < count {
      let m = min(blockLength, count - start)
      guard offset < data.count else {
        return "blob of \(data.count) bytes ends before sample \(start) of \(count)"
      }
      let width = Int(data[offset])
      guard width <= 4 else { return "block width \(width) at byte \(offset) is above 4" }
      offset += 1 + width * m
      guard offset <= data.count else {
        return "blob of \(data.count) bytes ends inside the block of sample \(start)"
      }
      start += m
    }
    if offset != data.count {
      return "blob of \(data.count) bytes holds \(data.count - offset) bytes after \(count) samples"
    }
    return nil
  }

  static func decodeDeltas(_ data: UnsafeRawBufferPointer, count: Int) throws -> [Int32] {
    guard count >= 0 else { throw Error(reason: "negative sample count \(count)") }
    if let problem = deltaLayoutProblem(data, count: count) { throw Error(reason: problem) }
    guard count > 0, let base = data.baseAddress else { return [] }
    return [Int32](unsafeUninitializedCapacity: count) { out, initialized in
      var offset = 0
      var previous: Int32 = 0
      var start = 0
      @inline(__always) func next(_ z: UInt32) -> Int32 {
        previous &+= Int32(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
        return previous
      }
      while start < count {
        let m = min(blockLength, count - start)
        let width = Int(base.load(fromByteOffset: offset, as: UInt8.self))
        let body = base + offset + 1
        switch width {
        case 0:
          for j in 0..<m { out[start + j] = previous }
        case 1:
          for j in 0..<m {
            out[start + j] = next(UInt32(body.load(fromByteOffset: j, as: UInt8.self)))
          }
        case 2:
          for j in 0..<m {
            let z = UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self))
            out[start + j] = next(UInt32(z))
          }
        case 3:
          for j in 0..<m {
            let low = UInt16(
              littleEndian: body.loadUnaligned(fromByteOffset: 3 * j, as: UInt16.self))
            let high = body.load(fromByteOffset: 3 * j + 2, as: UInt8.self)
            out[start + j] = next(UInt32(low) | UInt32(high) << 16)
          }
        default:
          for j in 0..<m {
            out[start + j] = next(
              UInt32(littleEndian: body.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self)))
          }
        }
        offset += 1 + width * m
        start += m
      }
      initialized = count
    }
  }

  /// Samples `range` of `decodeDeltas(data, count:)`.
  static func decodeDeltas(_ data: UnsafeRawBufferPointer, count: Int, range: Range<Int>) throws
    -> [Int32]
  {
    guard count >= 0 else { throw Error(reason: "negative sample count \(count)") }
    if let problem = deltaLayoutProblem(data, count: count) { throw Error(reason: problem) }
    guard !range.isEmpty, let base = data.baseAddress else { return [] }
    return [Int32](unsafeUninitializedCapacity: range.count) { out, initialized in
      var offset = 0
      var previous: Int32 = 0
      var start = 0
      while start < range.upperBound {
        let m = min(blockLength, count - start)
        let width = Int(base.load(fromByteOffset: offset, as: UInt8.self))
        let body = base + offset + 1
        for j in 0..<m {
          let z: UInt32
          switch width {
          case 0: z = 0
          case 1: z = UInt32(body.load(fromByteOffset: j, as: UInt8.self))
          case 2:
            z = UInt32(
              UInt16(littleEndian: body.loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self)))
          case 3:
            let low = UInt16(
              littleEndian: body.loadUnaligned(fromByteOffset: 3 * j, as: UInt16.self))
            z = UInt32(low) | UInt32(body.load(fromByteOffset: 3 * j + 2, as: UInt8.self)) << 16
          default:
            z = UInt32(littleEndian: body.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self))
          }
          previous &+= Int32(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
          let index = start + j
          if index >= range.lowerBound && index < range.upperBound {
            out[index - range.lowerBound] = previous
          }
        }
        offset += 1 + width * m
        start += m
      }
      initialized = range.count
    }
  }

  private static func copy<T>(_ data: Data, into array: inout [T]) {
    array.withUnsafeMutableBytes { out in
      data.withUnsafeBytes { input in
        if let base = input.baseAddress, out.count > 0 {
          out.baseAddress?.copyMemory(from: base, byteCount: out.count)
        }
      }
    }
  }
}
