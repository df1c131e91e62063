import Foundation
import Seismic

/// Samples as stored: the native type's little-endian bytes, back to back.
public enum SampleBlob {
  public struct Error: Swift.Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
  }

  private static let hostIsLittleEndian = 1.littleEndian == 1

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

  /// Decodes `count` samples of `type`; throws when the blob's length disagrees.
  public static func decode(_ data: Data, type: SampleType, count: Int) throws -> Samples {
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
