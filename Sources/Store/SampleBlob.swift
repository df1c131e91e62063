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
}

/// Samples as stored: raw little-endian values, or Int32 deltas (`SampleEncoding`).
public enum SampleBlob {
  public struct Error: Swift.Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
  }

  private static let hostIsLittleEndian = 1.littleEndian == 1

  /// Samples per block of `.int32Delta`.
  static let blockLength = 16

  /// The smallest encoding of `samples`: Int32 deltas when they take fewer bytes than the raw
  /// values, raw otherwise (floats, and integers that jump across their whole range).
  public static func encodeCompact(_ samples: Samples) -> (encoding: SampleEncoding, blob: Data) {
    if case .int32(let values) = samples,
      let blob = values.withUnsafeBufferPointer({ encodeDeltas($0) })
    {
      return (.int32Delta, blob)
    }
    return (.raw, encode(samples))
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
    let n = values.count
    let capacity = n * 4
    guard n > 0 else { return nil }
    let out = UnsafeMutableRawPointer.allocate(byteCount: capacity + 1, alignment: 16)
    var offset = 0
    var previous: Int32 = 0
    var start = 0
    let fits = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: blockLength) { zig in
      while start < n {
        let m = min(blockLength, n - start)
        var any: UInt32 = 0
        for j in 0..<m {
          let value = values[start + j]
          let delta = value &- previous
          previous = value
          let z = UInt32(bitPattern: (delta << 1) ^ (delta >> 31))
          zig[j] = z
          any |= z
        }
        let width = (32 - any.leadingZeroBitCount + 7) >> 3
        // Stop as soon as the blob would not come out smaller than the raw values.
        if offset + 1 + width * m > capacity { return false }
        out.storeBytes(of: UInt8(width), toByteOffset: offset, as: UInt8.self)
        offset += 1
        let body = out + offset
        switch width {
        case 0: break
        case 1:
          for j in 0..<m {
            body.storeBytes(of: UInt8(truncatingIfNeeded: zig[j]), toByteOffset: j, as: UInt8.self)
          }
        case 2:
          for j in 0..<m {
            body.storeBytes(
              of: UInt16(truncatingIfNeeded: zig[j]).littleEndian, toByteOffset: 2 * j,
              as: UInt16.self)
          }
        case 3:
          for j in 0..<m {
            body.storeBytes(
              of: UInt16(truncatingIfNeeded: zig[j]).littleEndian, toByteOffset: 3 * j,
              as: UInt16.self)
            body.storeBytes(
              of: UInt8(truncatingIfNeeded: zig[j] >> 16), toByteOffset: 3 * j + 2, as: UInt8.self)
          }
        default:
          for j in 0..<m {
            body.storeBytes(of: zig[j].littleEndian, toByteOffset: 4 * j, as: UInt32.self)
          }
        }
        offset += width * m
        start += m
      }
      return offset < capacity
    }
    guard fits else {
      out.deallocate()
      return nil
    }
    return Data(
      bytesNoCopy: out, count: offset, deallocator: .custom { pointer, _ in pointer.deallocate() })
  }

  /// Decodes `count` samples of `type` stored with `encoding`; throws when the blob does not
  /// hold exactly that.
  public static func decode(
    _ data: Data, type: SampleType, count: Int, encoding: SampleEncoding = .raw
  ) throws -> Samples {
    switch encoding {
    case .raw: return try decodeRaw(data, type: type, count: count)
    case .int32Delta:
      guard type == .int32 else {
        throw Error(reason: "\(type.rawValue) samples cannot be \(encoding.rawValue) encoded")
      }
      return .int32(try data.withUnsafeBytes { try decodeDeltas($0, count: count) })
    }
  }

  private static func decodeRaw(_ data: Data, type: SampleType, count: Int) throws -> Samples {
    guard count >= 0, data.count == count * type.byteWidth else {
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

  /// Why a `.int32Delta` blob cannot hold `count` samples (a width byte above 4, a block cut
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
