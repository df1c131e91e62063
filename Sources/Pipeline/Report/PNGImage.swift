import Foundation

/// An 8-bit RGB image encoded as PNG with stored (uncompressed) deflate blocks: no zlib
/// needed, and small enough for the report's spectrograms (a few kilobytes each).
struct PNGImage {
  let width: Int
  let height: Int
  /// Row-major RGB bytes, top row first.
  var pixels: [UInt8]

  init(width: Int, height: Int, pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The PNG file's bytes.
  var data: Data {
    var raw = [UInt8]()
    raw.reserveCapacity(height * (1 + 3 * width))
    for row in 0..<height {
      raw.append(0)  // filter: none
      raw += pixels[(row * 3 * width)..<((row + 1) * 3 * width)]
    }
    var zlib: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
      let n = min(65_535, raw.count - offset)
      let final: UInt8 = offset + n == raw.count ? 1 : 0
      zlib.append(final)
      zlib += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
      zlib += raw[offset..<(offset + n)]
      offset += n
    } while offset < raw.count
    zlib += PNGImage.bigEndian(PNGImage.adler32(raw))

    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    var header = PNGImage.bigEndian(UInt32(width)) + PNGImage.bigEndian(UInt32(height))
    header += [8, 2, 0, 0, 0]  // 8-bit, truecolour, deflate, adaptive filters, no interlace
    out += PNGImage.chunk("IHDR", header)
    out += PNGImage.chunk("IDAT", zlib)
    out += PNGImage.chunk("IEND", [])
    return Data(out)
  }

  /// `data:image/png;base64,...`
  var dataURI: String { "data:image/png;base64," + data.base64EncodedString() }

  static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
    let typed = Array(type.utf8) + body
    return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
  }

  static func bigEndian(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
  }

  static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// CRC-32 (ISO 3309), as PNG chunks carry it.
  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }

  /// Adler-32, the zlib stream's checksum.
  static func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in bytes {
      a = (a + UInt32(byte)) % 65_521
      b = (b + a) % 65_521
    }
    return (b << 16) | a
  }
}

/// The viridis colour map (perceptually uniform, colour-blind safe), by linear interpolation
/// between 9 of matplotlib's control colours.
enum Viridis {
  static let stops: [(Double, Double, Double)] = [
    (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
    (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
  ]

  /// The colour at `t` in 0...1 (clamped), as RGB bytes.
  static func rgb(_ t: Double) -> (UInt8, UInt8, UInt8) {
    let u = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
    let i = min(Int(u), stops.count - 2)
    let f = u - Double(i)
    let a = stops[i], b = stops[i + 1]
    func mix(_ x: Double, _ y: Double) -> UInt8 { UInt8((x + (y - x) * f).rounded()) }
    return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
  }

  static func hex(_ t: Double) -> String {
    let (r, g, b) = rgb(t)
    return String(format: "#%02x%02x%02x", r, g, b)
  }

  /// A `rows` x `columns` grid of values (row-major, row 0 drawn at the top) as an image,
  /// `lower`..`upper` spanning the colour map.
  static func image(_ values: [Double], rows: Int, columns: Int, lower: Double, upper: Double)
    -> PNGImage
  {
    var pixels = [UInt8](repeating: 0, count: rows * columns * 3)
    let span = upper > lower ? upper - lower : 1
    for i in 0..<(rows * columns) {
      let (r, g, b) = rgb((values[i] - lower) / span)
      pixels[3 * i] = r
      pixels[3 * i + 1] = g
      pixels[3 * i + 2] = b
    }
    return PNGImage(width: columns, height: rows, pixels: pixels)
  }
}
