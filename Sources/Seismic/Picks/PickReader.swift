import Foundation
import Numerics

/// Reads a pick file, choosing the format from its content: QuakeML when it starts with `<`
/// (after spaces and a byte-order mark), CSV otherwise.
public enum PickReader {
  /// Reads and parses `url`. File-level failures are `PickFormatError`s whose description is one
  /// line (prefix it with the path when printing).
  public static func read(contentsOf url: URL) throws(PickFormatError) -> PickFileContents {
    // Reading takes the file twice over before a row is parsed (its bytes, then as `Data`):
    // refused first when even that does not fit (1 M rows under `ulimit -v 400000` trapped
    // in the read; a review).
    var info = stat()
    if stat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
      let twice = (ByteCount(Int(info.st_size)) * 2).value
      if twice > MemoryLimit.availableBytes {
        throw tooLarge(needed: twice, available: MemoryLimit.availableBytes)
      }
    }
    let data: Data
    do {
      data = Data(try FileBytes.read(path: url.path))
    } catch let error as WaveformFileError {
      throw PickFormatError(reason: error.reason)
    } catch {
      throw PickFormatError(reason: "cannot read: \(error.localizedDescription)")
    }
    // Reading a pick file takes several times its size (a row's codes, time and phase as
    // Swift values, then as store records): a file too large for the memory left trapped in the
    // allocator (a hostile-input sweep). It is refused in one line instead.
    let needed = estimatedBytes(data)
    // The address space left, not physical memory less what is resident: under `ulimit -v`
    // the arenas and stacks the process reserved count, and a check against the resident size
    // let 400,000 rows (18 MB) through to a trap under 400 MB. So a file that would just fit
    // may be refused (200,000 rows under 400 MB, a review); split, it is read.
    let available = MemoryLimit.availableBytes
    if needed > available { throw tooLarge(needed: needed, available: available) }
    return try parse(data)
  }

  static func tooLarge(needed: Int, available: Int) -> PickFormatError {
    PickFormatError(
      reason:
        "reading its picks takes about \(MemoryLimit.describe(needed)) but only \(MemoryLimit.describe(available)) can be allocated here (physical memory, or ulimit -v): split the file"
    )
  }

  /// What reading `data`'s picks allocates, about: twice the file, and 300 bytes a CSV line or
  /// 100 bytes an XML tag. Measured as peak resident size with the store's insert: 471 MB for
  /// 1 M CSV rows of 44 bytes (about 360 MB above the process at rest and the store's 64 MB page
  /// cache), 268 MB for 300,000 QuakeML picks of ten tags.
  public static func estimatedBytes(_ data: Data) -> Int {
    let xml = isXML(data)
    let mark = xml ? UInt8(ascii: "<") : 0x0A
    var marks = 0
    data.withUnsafeBytes { raw in
      for byte in raw.bindMemory(to: UInt8.self) where byte == mark { marks += 1 }
    }
    return (ByteCount(data.count) * 2 + ByteCount(marks) * (xml ? 100 : 300)).value
  }

  /// Whether the first byte other than blanks and a UTF-8 byte-order mark is `<`.
  static func isXML(_ data: Data) -> Bool {
    let start = data.prefix(64).drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    var head = Array(start)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
    return head.first == UInt8(ascii: "<")
  }

  /// Parses the bytes of a CSV or QuakeML pick file.
  public static func parse(_ data: Data) throws(PickFormatError) -> PickFileContents {
    guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
      throw PickFormatError(reason: "the file is empty: no picks (CSV or QuakeML)")
    }
    // UTF-16 (a spreadsheet's "Unicode text") was called invalid CSV, or its header echoed
    // with NUL bytes (a sweep): say what it is.
    let head = Array(data.prefix(64))
    if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) || head.contains(0) {
      throw PickFormatError(
        reason:
          "the file is UTF-16 (or holds NUL bytes): pick files are read as UTF-8; save it as UTF-8"
      )
    }
    if isXML(data) { return try QuakeMLPickReader.parse(data) }
    guard let text = String(data: data, encoding: .utf8) else {
      throw PickFormatError(reason: "CSV is not valid UTF-8")
    }
    return try PickCSVReader.parse(text)
  }
}
