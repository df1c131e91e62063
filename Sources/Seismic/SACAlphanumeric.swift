import Foundation

/// Alphanumeric (text) SAC, as SAC's `write alpha` and ObsPy's `SACXY` write it: the same
/// header as binary SAC, as text, then the samples.
///
/// - 14 lines of 5 floats (the 70 float header words), 8 lines of 5 integers (the 40 integer
///   words), 8 lines of 3 eight-character strings (the 24 string fields, KEVNM spanning two),
///   then the samples, any number per line, separated by blanks.
/// - Numbers are read as ObsPy reads them (`np.array(line.split(), dtype='<f4')`): each one as
///   a Double, then rounded to float32.
/// - NVHDR must be 6 and the number of samples must equal NPTS; the rest of the header is
///   checked as for binary SAC (`SACReader`).
enum SACAlphanumeric {
  /// Header lines: floats, integers, strings.
  static let floatLines = 14
  static let integerLines = 8
  static let textLines = 8
  static let headerLines = floatLines + integerLines + textLines

  /// True when `bytes` start like an alphanumeric SAC file: 14 lines of 5 numbers, 8 lines of
  /// 5 integers with NVHDR = 6. Reads at most the header lines.
  static func looksLikeAlphanumeric(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let (header, _) = try? parseHeader(bytes) else { return false }
    return header[.nvhdr] == 6
  }

  /// The header and the offset where the samples start, or a reason why the bytes are not an
  /// alphanumeric SAC header.
  static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws(HeaderProblem) -> (
    SACHeader, Int
  ) {
    var header = SACHeader()
    var offset = 0
    var lineNumber = 0
    func nextLine() throws(HeaderProblem) -> ArraySlice<UInt8> {
      guard offset < bytes.count else {
        throw HeaderProblem("ends after \(lineNumber) of the header's \(headerLines) lines")
      }
      var end = offset
      while end < bytes.count, bytes[end] != 0x0A { end += 1 }
      var line = ArraySlice(bytes[offset..<end])
      if line.last == 0x0D { line = line.dropLast() }
      offset = min(end + 1, bytes.count)
      lineNumber += 1
      // Header lines are short (5 x 15 characters); anything longer is not this format.
      guard line.count <= 200 else { throw HeaderProblem("line \(lineNumber) is too long") }
      return line
    }
    for row in 0..<floatLines {
      let fields = try numbers(try nextLine(), line: lineNumber, count: 5)
      for (column, text) in fields.enumerated() {
        guard let value = Double(text) else {
          throw HeaderProblem("line \(lineNumber): '\(text)' is not a number")
        }
        header.words[row * 5 + column] = Float(value).bitPattern
      }
    }
    for row in 0..<integerLines {
      let fields = try numbers(try nextLine(), line: lineNumber, count: 5)
      for (column, text) in fields.enumerated() {
        guard let value = Int32(text) else {
          throw HeaderProblem("line \(lineNumber): '\(text)' is not an integer")
        }
        header.words[70 + row * 5 + column] = UInt32(bitPattern: value)
      }
    }
    var texts: [UInt8] = []
    for _ in 0..<textLines {
      var line = Array(try nextLine().prefix(24))
      line += [UInt8](repeating: UInt8(ascii: " "), count: 24 - line.count)
      texts += line
    }
    header.texts = texts
    return (header, offset)
  }

  /// The blank-separated fields of a header line, which must be `count`.
  private static func numbers(_ line: ArraySlice<UInt8>, line number: Int, count: Int)
    throws(HeaderProblem) -> [String]
  {
    let fields = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map {
      String(decoding: $0, as: UTF8.self)
    }
    guard fields.count == count else {
      throw HeaderProblem("line \(number) holds \(fields.count) values, not \(count)")
    }
    return fields
  }

  /// The samples after the header: every blank-separated number, as float32.
  static func samples(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(HeaderProblem)
    -> [Float]
  {
    var values: [Float] = []
    var index = start
    var line = SACAlphanumeric.headerLines + 1
    while index < bytes.count {
      let c = bytes[index]
      if c == 0x0A { line += 1 }
      if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
        index += 1
        continue
      }
      var end = index
      while end < bytes.count,
        !(bytes[end] == 0x20 || bytes[end] == 0x09 || bytes[end] == 0x0A
          || bytes[end] == 0x0D)
      {
        end += 1
      }
      guard let value = number(bytes, index..<end) else {
        let text = String(decoding: bytes[index..<min(end, index + 32)], as: UTF8.self)
        throw HeaderProblem("line \(line): '\(text)' is not a number")
      }
      values.append(Float(value))
      index = end
    }
    return values
  }

  /// The number the bytes spell in full, as `strtod` reads it in the C locale but with no
  /// blanks and no hexadecimal (SAC and ObsPy have none), parsed without allocating a String
  /// per sample; nil for anything else or over 64 bytes.
  static func number(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
    let count = range.count
    guard count > 0, count <= 64 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
      guard let base = buffer.baseAddress else { return nil }
      for (k, i) in range.enumerated() {
        // strtod reads hexadecimal (`0x10`) too, which SAC and ObsPy do not.
        if bytes[i] == 0x78 || bytes[i] == 0x58 { return nil }
        base[k] = CChar(bitPattern: bytes[i])
      }
      base[count] = 0
      // strtod skips leading blanks; a token never has any.
      var end: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(base, &end)
      return end == base + count ? value : nil
    }
  }

  /// Why bytes are not alphanumeric SAC, in one line.
  struct HeaderProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
  }
}
