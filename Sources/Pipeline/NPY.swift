import Foundation
import Seismic

/// A NumPy `.npy` array of floats in C order: what `windows export` writes and `windows import`
/// reads (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// Reads format versions 1.0, 2.0 and 3.0 with `descr` `<f4`, `>f4`, `<f8`, `>f8` (also `=`/`|`
/// native order), C or Fortran order (`np.save` of a transposed array; read into C order) and any
/// shape; refuses other types, and headers that claim more or less data than the file holds
/// (checked before any allocation). Writes version 1.0, float32
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
    let layout = try Self.layout(
      head: data.prefix(Self.headLimit), fileSize: data.count, path: path)
    let count = layout.count
    shape = layout.header.shape
    let payload = data.subdata(in: layout.dataStart..<(layout.dataStart + layout.byteCount))
    // Element i of the C order is at `position[i]` in the file (itself, in C order).
    let position =
      layout.header.fortran && shape.count > 1
      ? Self.fortranPositions(shape: shape, range: 0..<count) : nil
    values = payload.withUnsafeBytes { raw in
      if layout.header.itemSize == 4 {
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer {
          Self.floats(raw, bigEndian: layout.header.bigEndian, into: $0)
        }
        if let position { out = position.map { out[$0] } }
        return .float32(out)
      } else {
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count {
          let bits = raw.loadUnaligned(
            fromByteOffset: (position?[i] ?? i) * 8, as: UInt64.self)
          out[i] = Double(bitPattern: layout.header.bigEndian ? bits.bigEndian : bits.littleEndian)
        }
        return .float64(out)
      }
    }
  }

  /// Bytes read for the magic string and header: NumPy's headers are far shorter.
  static let headLimit = 1 << 20

  /// Where an `.npy` file's values are, and what they are.
  struct Layout {
    var header: Header
    /// Byte offset of the first value.
    var dataStart: Int
    /// Number of values (the product of the shape).
    var count: Int
    var byteCount: Int { count * header.itemSize }
  }

  /// Parses the magic string and header from the file's first bytes (`head`) and checks that the
  /// file (`fileSize` bytes) holds exactly the values the header claims, before anything is
  /// allocated for them.
  static func layout(head: Data, fileSize: Int, path: String) throws(InputError) -> Layout {
    func fail(_ reason: String) -> InputError { InputError(path: path, reason: reason) }
    let head = Data(head)
    let bytes = [UInt8](head.prefix(12))
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
    guard fileSize >= dataStart, head.count >= dataStart else {
      throw fail("truncated .npy header (\(headerLength) bytes claimed, file has \(fileSize))")
    }
    let headerBytes = head.subdata(in: headerStart..<dataStart)
    guard
      let text = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1)
    else { throw fail("unreadable .npy header") }
    let parsed = try Self.parseHeader(text, path: path)

    // Size check before allocating anything.
    var count = 1
    for d in parsed.shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow else { throw fail("shape \(Self.tuple(parsed.shape)) is too large") }
      count = product
    }
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: parsed.itemSize)
    let available = fileSize - dataStart
    guard !overflow, byteCount <= available else {
      throw fail(
        "header claims shape \(Self.tuple(parsed.shape)) (\(count) values, \(overflow ? "more than 2^63" : String(byteCount)) bytes of data) but the file holds "
          + "only \(available) bytes of data")
    }
    guard byteCount == available else {
      throw fail(
        "file holds \(available - byteCount) bytes more than shape \(Self.tuple(parsed.shape)) needs"
      )
    }
    return Layout(header: parsed, dataStart: dataStart, count: count)
  }

  /// Float32 values from raw little- or big-endian bytes.
  static func floats(
    _ raw: UnsafeRawBufferPointer, bigEndian: Bool, into out: UnsafeMutableBufferPointer<Float>
  ) {
    for i in 0..<min(out.count, raw.count / 4) {
      let bits = raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
      out[i] = Float(bitPattern: bigEndian ? bits.bigEndian : bits.littleEndian)
    }
  }

  struct Header {
    var itemSize: Int
    var bigEndian: Bool
    var shape: [Int]
    /// Values stored in Fortran (column-major) order: the first index varies fastest.
    var fortran = false
  }

  /// For each C-order position in an array of `shape` (the last index fastest), the position of
  /// the same element in Fortran order (the first index fastest), for positions
  /// `range` of the C order.
  static func fortranPositions(shape: [Int], range: Range<Int>) -> [Int] {
    guard !range.isEmpty else { return [] }
    // Fortran strides: 1, d0, d0 d1, ...
    var strides = [Int](repeating: 1, count: shape.count)
    for k in shape.indices.dropFirst() { strides[k] = strides[k - 1] * shape[k - 1] }
    // The multi-index of the first position, then counted up (last index fastest).
    var index = [Int](repeating: 0, count: shape.count)
    var rest = range.lowerBound
    for k in shape.indices.reversed() {
      index[k] = rest % shape[k]
      rest /= shape[k]
    }
    var offset = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
    var out = [Int]()
    out.reserveCapacity(range.count)
    for _ in range {
      out.append(offset)
      var k = shape.count - 1
      while k >= 0 {
        index[k] += 1
        offset += strides[k]
        if index[k] < shape[k] { break }
        offset -= strides[k] * shape[k]
        index[k] = 0
        k -= 1
      }
    }
    return out
  }

  /// Parses the Python-literal dictionary `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
  static func parseHeader(_ header: String, path: String) throws(InputError) -> Header {
    func fail(_ reason: String) -> InputError { InputError(path: path, reason: reason) }
    // NumPy reads the header as one Python dictionary literal (ast.literal_eval): a header
    // that is not `{...}` (padding aside) is refused there, and here.
    let literal = header.trimmingCharacters(in: .whitespacesAndNewlines)
    guard literal.first == "{", literal.last == "}" else {
      throw fail("the .npy header is not one dictionary {...}")
    }
    // The dictionary's keys: exactly these three, each once, as NumPy requires (it refuses
    // others; a key given twice is taken as its last value there and its first here, so it is
    // refused: stop 40's sweep imported another shape than NumPy reads).
    var keys: [String] = []
    var rest = Substring(literal)
    while let open = rest.firstIndex(where: { $0 == "'" || $0 == "\"" }) {
      let quote = rest[open]
      let after = rest.index(after: open)
      guard let close = rest[after...].firstIndex(of: quote) else { break }
      let next = rest[rest.index(after: close)...].drop { $0 == " " }
      if next.first == ":" { keys.append(String(rest[after..<close])) }
      rest = rest[rest.index(after: close)...]
    }
    guard keys.sorted() == ["descr", "fortran_order", "shape"] else {
      throw fail(
        "the .npy header must hold the keys 'descr', 'fortran_order' and 'shape', each once; it holds "
          + (keys.isEmpty ? "none" : keys.map { "'\($0)'" }.joined(separator: ", ")))
    }
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
    guard fortran.hasPrefix("True") || fortran.hasPrefix("False") else {
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
    return Header(
      itemSize: itemSize, bigEndian: bigEndian, shape: shape, fortran: fortran.hasPrefix("True"))
  }
}

// MARK: - Reading in pieces

/// An `.npy` file read a range of values at a time (`windows import` of arrays larger than
/// memory): the header is checked against the file's size when opened, values are read with
/// `pread` into the caller's buffer, so memory stays bounded by that buffer.
public final class NPYFileReader {
  public let path: String
  /// Dimensions, outermost first.
  public let shape: [Int]
  /// `float32` or `float64`.
  public let dtype: String
  let layout: NPYArray.Layout
  private let handle: FileHandle

  public init(path: String) throws(InputError) {
    self.path = path
    // Opened without blocking and checked on the descriptor before a byte is read, as
    // `FileBytes` does: a FIFO would block `open` until a writer came, forever.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      throw InputError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw InputError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      let kind =
        (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : FileKind.special(mode: info.st_mode)
      throw InputError(path: path, reason: "\(kind ?? "not a regular file"), not a regular file")
    }
    // Back to blocking reads for the data.
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    let head: Data
    do {
      head = try handle.read(upToCount: NPYArray.headLimit) ?? Data()
    } catch {
      throw InputError(path: path, reason: "cannot read: \(error.localizedDescription)")
    }
    self.handle = handle
    layout = try NPYArray.layout(head: head, fileSize: Int(info.st_size), path: path)
    shape = layout.header.shape
    dtype = layout.header.itemSize == 4 ? "float32" : "float64"
  }

  deinit { try? handle.close() }

  /// Number of values.
  public var count: Int { layout.count }

  /// The shape read as windows (`NPYArray.windowShape`).
  public func windowShape() throws(InputError) -> (count: Int, channels: Int, length: Int) {
    try NPYArray(shape: shape, values: .float32([])).windowShape(path: path)
  }

  /// Reads values `range` (in C order) as Float32 (float64 values rounded) into `out`, which
  /// must hold `range.count` values.
  public func read(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) throws {
    precondition(out.count >= range.count && range.upperBound <= count)
    if layout.header.fortran && shape.count > 1 {
      try readFortran(range, into: out)
      return
    }
    try readStored(range, into: out)
  }

  /// A Fortran-order file: the first index varies fastest, so the values of consecutive
  /// windows (first index) are consecutive in the file for every other index. For `range`
  /// covering whole windows, one read per value of a window (a run of `windows` values each),
  /// scattered into C order; other ranges a value at a time.
  private func readFortran(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>)
    throws
  {
    let windows = shape[0]
    let size = count / max(windows, 1)
    var scratch: [UInt8] = []
    if size > 0, range.lowerBound % size == 0, range.count % size == 0 {
      let first = range.lowerBound / size
      let n = range.count / size
      var run = [Float](repeating: 0, count: n)
      for (j, p) in fortranInner.enumerated() {
        let start = p * windows + first
        try run.withUnsafeMutableBufferPointer {
          try readStored(start..<(start + n), into: $0, scratch: &scratch)
        }
        for w in 0..<n { out[w * size + j] = run[w] }
      }
      return
    }
    var one: [Float] = [0]
    for (i, p) in NPYArray.fortranPositions(shape: shape, range: range).enumerated() {
      try one.withUnsafeMutableBufferPointer {
        try readStored(p..<(p + 1), into: $0, scratch: &scratch)
      }
      out[i] = one[0]
    }
  }

  /// Position j of a window (in C order) is at `fortranInner[j] * windows` in a Fortran-order
  /// file; the same for every batch read.
  private lazy var fortranInner: [Int] = NPYArray.fortranPositions(
    shape: Array(shape.dropFirst()), range: 0..<(count / max(shape.first ?? 1, 1)))

  /// Reads values `range` in the file's own order.
  private func readStored(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>)
    throws
  {
    var scratch: [UInt8] = []
    try readStored(range, into: out, scratch: &scratch)
  }

  /// The same, reading the bytes into `scratch` (grown when too small; reused by the caller).
  private func readStored(
    _ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>, scratch: inout [UInt8]
  ) throws {
    let width = layout.header.itemSize
    let byteCount = range.count * width
    if scratch.count < byteCount { scratch = [UInt8](repeating: 0, count: byteCount) }
    let offset = layout.dataStart + range.lowerBound * width
    let got = scratch.withUnsafeMutableBytes { whole -> Int in
      let raw = UnsafeMutableRawBufferPointer(rebasing: whole[0..<byteCount])
      var done = 0
      while done < raw.count {
        let n = pread(
          handle.fileDescriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
        if n <= 0 { return n < 0 ? -1 : done }
        done += n
      }
      return done
    }
    guard got == byteCount else {
      throw InputError(
        path: path,
        reason: got < 0 ? "cannot read: \(String(cString: strerror(errno)))" : "file ends early")
    }
    scratch.withUnsafeBytes { whole in
      let raw = UnsafeRawBufferPointer(rebasing: whole[0..<byteCount])
      if width == 4 {
        NPYArray.floats(raw, bigEndian: layout.header.bigEndian, into: out)
      } else {
        for i in 0..<range.count {
          let bits = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
          out[i] = Float(
            Double(bitPattern: layout.header.bigEndian ? bits.bigEndian : bits.littleEndian))
        }
      }
    }
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
