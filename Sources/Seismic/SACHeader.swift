import Foundation

/// The 632-byte binary SAC header (version 6): 70 floats, 40 integers, 24 eight-byte strings
/// (KEVNM spans two), in the file's byte order. Undefined values are -12345.
struct SACHeader {
  static let byteCount = 632
  static let undefinedFloat: Float = -12345
  static let undefinedInteger: Int32 = -12345
  static let undefinedText = "-12345"

  // Word indices (floats 0..<70, integers 70..<110).
  enum FloatField: Int {
    case delta = 0, depmin = 1, depmax = 2, b = 5, e = 6, depmen = 56
  }
  enum IntegerField: Int {
    case nzyear = 0, nzjday, nzhour, nzmin, nzsec, nzmsec, nvhdr
    case npts = 9, iftype = 15, iztype = 17, leven = 35, lpspol = 36, lovrok = 37, lcalda = 38
  }
  /// Byte offsets of the eight-character strings used here.
  enum TextField: Int {
    case kstnm = 440, khole = 464, kcmpnm = 600, knetwk = 608
  }

  /// Returns whether `bytes` hold a SAC header and in which byte order: NVHDR (integer 6, byte
  /// 304) must read 6 in one of the two orders.
  static func byteOrder(of bytes: UnsafeRawBufferPointer) -> ByteOrder? {
    guard bytes.count >= byteCount else { return nil }
    let raw = bytes.loadUnaligned(
      fromByteOffset: 280 + 4 * IntegerField.nvhdr.rawValue, as: UInt32.self)
    if Int32(bitPattern: UInt32(littleEndian: raw)) == 6 { return .little }
    if Int32(bitPattern: UInt32(bigEndian: raw)) == 6 { return .big }
    return nil
  }

  /// Whether `bytes` are a binary SAC file of header version 7 (SAC 102: the version 6 header
  /// with NVHDR 7, the samples, then a footer of 22 doubles), in either byte order: the size
  /// must be exactly that of its NPTS samples and footer.
  static func isVersion7(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= byteCount + 176 else { return false }
    let version = bytes.loadUnaligned(
      fromByteOffset: 280 + 4 * IntegerField.nvhdr.rawValue, as: UInt32.self)
    let npts = bytes.loadUnaligned(
      fromByteOffset: 280 + 4 * IntegerField.npts.rawValue, as: UInt32.self)
    for (v, n) in [
      (UInt32(littleEndian: version), UInt32(littleEndian: npts)),
      (UInt32(bigEndian: version), UInt32(bigEndian: npts)),
    ] where v == 7 && Int32(bitPattern: n) >= 0 {
      if bytes.count == byteCount + 4 * Int(n) + 176 { return true }
    }
    return false
  }

  enum ByteOrder { case little, big }

  var words: [UInt32]  // 110 words in host order
  var texts: [UInt8]  // 192 bytes

  /// A header with every field undefined (the strings are "-12345  ").
  init() {
    words = [UInt32](repeating: 0, count: 110)
    for i in 0..<70 { words[i] = SACHeader.undefinedFloat.bitPattern }
    for i in 70..<110 { words[i] = UInt32(bitPattern: SACHeader.undefinedInteger) }
    texts = []
    for _ in 0..<24 { texts += Array("-12345  ".utf8) }
  }

  init(bytes: UnsafeRawBufferPointer, byteOrder: ByteOrder) {
    words = (0..<110).map { i in
      let raw = bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
      return byteOrder == .little ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw)
    }
    texts = Array(bytes[440..<632])
  }

  subscript(field: FloatField) -> Float {
    get { Float(bitPattern: words[field.rawValue]) }
    set { words[field.rawValue] = newValue.bitPattern }
  }

  subscript(field: IntegerField) -> Int32 {
    get { Int32(bitPattern: words[70 + field.rawValue]) }
    set { words[70 + field.rawValue] = UInt32(bitPattern: newValue) }
  }

  /// A SEED-like code from a string field: cut at the first NUL, surrounding blanks removed,
  /// "-12345" (undefined) read as empty. Non-ASCII bytes become "?".
  subscript(field: TextField) -> String {
    get {
      let start = field.rawValue - 440
      var bytes = Array(texts[start..<start + 8])
      if let nul = bytes.firstIndex(of: 0) { bytes = Array(bytes[..<nul]) }
      let text = String(decoding: bytes.map { $0 < 128 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
      return text == SACHeader.undefinedText ? "" : text
    }
    set {
      let start = field.rawValue - 440
      var bytes = Array((newValue.isEmpty ? SACHeader.undefinedText : newValue).utf8.prefix(8))
      bytes += [UInt8](repeating: UInt8(ascii: " "), count: 8 - bytes.count)
      texts.replaceSubrange(start..<start + 8, with: bytes)
    }
  }

  /// The 632 header bytes, little-endian.
  var littleEndianBytes: [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(SACHeader.byteCount)
    for w in words {
      withUnsafeBytes(of: w.littleEndian) { out += $0 }
    }
    return out + texts
  }
}
