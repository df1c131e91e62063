import Foundation
import Seismic

/// A NumPy `.npy` array of floats in C order: what `windows export` writes and `windows import`
/// reads (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// Reads format versions 1.0, 2.0 and 3.0 with `descr` `<f4`, `>f4`, `<f8`, `>f8` (also `=`/`|`
/// native order) and any shape; refuses Fortran order, other types, and headers that claim more or
/// less data than the file holds (checked before any allocation). Writes version 1.0, float32
/// little-endian, with the header NumPy itself writes (byte for byte).
public struct NPYArray: Sendable, Equatable {
  /// The element values, in C (row-major) order.
  public enum Values: Sendable, Equatable {
    case float32([Float])
    case float64([Double])

    public var count: Int {
      switch self {
      case .float32(let v): v.count
      case .float64(let v): v.count
      }
    }
  }

  /// Dimensions, outermost first (e.g. `[N, C, L]`).
  public var shape: [Int]
  public var values: Values

  public init(shape: [Int], values: Values) {
    self.shape = shape
    self.values = values
  }

  /// The values as Float (float64 values are rounded to float32).
  public var floats: [Float] {
    switch values {
    case .float32(let v): v
    case .float64(let v): v.map { Float($0) }
    }
  }

  /// The shape read as windows: `N x C x L` as is, `N x L` as `N x 1 x L`. Throws for other ranks.
  public func windowShape(path: String = "") throws(InputError) -> (
    count: Int, channels: Int, length: Int
  ) {
    switch shape.count {
    case 3: return (shape[0], shape[1], shape[2])
    case 2: return (shape[0], 1, shape[1])
    default:
      throw InputError(
        path: path,
        reason: "expected windows of shape N x C x L or N x L, got shape \(Self.tuple(shape))")
    }
  }

  static func tuple(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }
}

// MARK: - Reading

extension NPYArray {
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

  /// Reads an `.npy` file. Errors name the file and say what is wrong, in one line.
  public init(contentsOf url: URL) throws(InputError) {
    let data: Data
    do {
      try FileBytes.checkRegularFile(path: url.path)
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch let error as WaveformFileError {
      throw InputError(path: url.path, reason: error.reason)
    } catch {
      throw InputError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
    try self.init(npyData: data, path: url.path)
  }

  /// Parses the bytes of an `.npy` file; `path` is only used in error messages.
  public init(npyData data: Data, path: String = "") throws(InputError) {
    func fail(_ reason: String) -> InputError { InputError(path: path, reason: reason) }
    let bytes = [UInt8](data.prefix(12))
    guard bytes.count >= 10, Array(bytes[0..<6]) == Self.magic else {
      throw fail("not a NumPy .npy file (bad magic string)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw fail("truncated .npy header") }
      headerLength =
        Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw fail("unsupported .npy format version \(major).\(bytes[7])")
    }
    let dataStart = headerStart + headerLength
    guard data.count >= dataStart else {
      throw fail("truncated .npy header (\(headerLength) bytes claimed, file has \(data.count))")
    }
    let headerBytes = data.subdata(in: headerStart..<dataStart)
    guard
      let header = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1)
    else { throw fail("unreadable .npy header") }
    let parsed = try Self.parseHeader(header, path: path)

    // Size check before allocating anything.
    var count = 1
    for d in parsed.shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow else { throw fail("shape \(Self.tuple(parsed.shape)) is too large") }
      count = product
    }
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: parsed.itemSize)
    let available = data.count - dataStart
    guard !overflow, byteCount <= available else {
      throw fail(
        "header claims shape \(Self.tuple(parsed.shape)) (\(count) values) but the file holds "
          + "only \(available) bytes of data")
    }
    guard byteCount == available else {
      throw fail(
        "file holds \(available - byteCount) bytes more than shape \(Self.tuple(parsed.shape)) needs"
      )
    }
    shape = parsed.shape
    let payload = data.subdata(in: dataStart..<(dataStart + byteCount))
    values = payload.withUnsafeBytes { raw in
      if parsed.itemSize == 4 {
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
          let bits = raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
          out[i] = Float(bitPattern: parsed.bigEndian ? bits.bigEndian : bits.littleEndian)
        }
        return .float32(out)
      } else {
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count {
          let bits = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
          out[i] = Double(bitPattern: parsed.bigEndian ? bits.bigEndian : bits.littleEndian)
        }
        return .float64(out)
      }
    }
  }

  struct Header {
    var itemSize: Int
    var bigEndian: Bool
    var shape: [Int]
  }

  /// Parses the Python-literal dictionary `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
  static func parseHeader(_ header: String, path: String) throws(InputError) -> Header {
    func fail(_ reason: String) -> InputError { InputError(path: path, reason: reason) }
    func value(of key: String) -> Substring? {
      for quote in ["'", "\""] {
        guard let keyRange = header.range(of: quote + key + quote) else { continue }
        let rest = header[keyRange.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        return rest.dropFirst().drop { $0 == " " }
      }
      return nil
    }
    guard let descrValue = value(of: "descr"), let quote = descrValue.first,
      quote == "'" || quote == "\"",
      let end = descrValue.dropFirst().firstIndex(of: quote)
    else { throw fail("the .npy header has no 'descr'") }
    let descr = String(descrValue[descrValue.index(after: descrValue.startIndex)..<end])
    let itemSize: Int
    let bigEndian: Bool
    switch descr {
    case "<f4", "=f4", "|f4": (itemSize, bigEndian) = (4, false)
    case ">f4": (itemSize, bigEndian) = (4, true)
    case "<f8", "=f8", "|f8": (itemSize, bigEndian) = (8, false)
    case ">f8": (itemSize, bigEndian) = (8, true)
    default:
      throw fail("unsupported .npy dtype '\(descr)' (only float32 and float64 are accepted)")
    }
    guard let fortran = value(of: "fortran_order") else {
      throw fail("the .npy header has no 'fortran_order'")
    }
    if fortran.hasPrefix("True") {
      throw fail("Fortran-order .npy arrays are not supported; save the array in C order")
    }
    guard fortran.hasPrefix("False") else {
      throw fail("unreadable 'fortran_order' in .npy header")
    }
    guard let shapeValue = value(of: "shape"), shapeValue.first == "(",
      let close = shapeValue.firstIndex(of: ")")
    else { throw fail("the .npy header has no 'shape'") }
    let inner = shapeValue[shapeValue.index(after: shapeValue.startIndex)..<close]
    var shape: [Int] = []
    for part in inner.split(separator: ",") {
      let text = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
      if text.isEmpty { continue }
      guard let d = Int(text), d >= 0 else { throw fail("unreadable .npy shape '\(inner)'") }
      shape.append(d)
    }
    return Header(itemSize: itemSize, bigEndian: bigEndian, shape: shape)
  }
}

// MARK: - Writing

extension NPYArray {
  /// The version 1.0 header NumPy writes for a little-endian float32 C-order array of `shape`:
  /// the dictionary with keys in sorted order, spare spaces for growing the first axis (NumPy's
  /// `GROWTH_AXIS_MAX_DIGITS = 21`), padded with spaces and a final newline so the data starts at a
  /// multiple of 64 bytes.
  public static func float32Header(shape: [Int]) -> Data {
    var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple(shape)), }"
    if let first = shape.first {
      dictionary += String(repeating: " ", count: max(0, 21 - String(first).count))
    }
    let unpadded = 10 + dictionary.utf8.count + 1
    let padding = (64 - unpadded % 64) % 64
    dictionary += String(repeating: " ", count: padding) + "\n"
    var out = Data(magic)
    out.append(contentsOf: [1, 0])
    let length = UInt16(dictionary.utf8.count)
    out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    out.append(contentsOf: Array(dictionary.utf8))
    return out
  }

  /// A complete version 1.0 `.npy` file of float32 little-endian values in C order. `values.count`
  /// must equal the product of `shape`.
  public static func float32Data(_ values: [Float], shape: [Int]) -> Data {
    precondition(values.count == shape.reduce(1, *), "values do not fill the shape")
    var out = float32Header(shape: shape)
    out.reserveCapacity(out.count + 4 * values.count)
    for v in values {
      let bits = v.bitPattern.littleEndian
      withUnsafeBytes(of: bits) { out.append(contentsOf: $0) }
    }
    return out
  }

  /// Writes `values` (C order, product of `shape` elements) as a float32 version 1.0 `.npy` file.
  /// Overwrites an existing file: refusing to do so is the caller's choice (`--force`).
  public static func writeFloat32(_ values: [Float], shape: [Int], to url: URL) throws(InputError) {
    guard values.count == shape.reduce(1, *) else {
      throw InputError(
        path: url.path,
        reason: "\(values.count) values do not fill shape \(tuple(shape))")
    }
    do {
      try float32Data(values, shape: shape).write(to: url, options: .atomic)
    } catch {
      throw InputError(path: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
  }
}
