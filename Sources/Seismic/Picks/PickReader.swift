import Foundation

/// Reads a pick file, choosing the format from its content: QuakeML when it starts with `<`
/// (after spaces and a byte-order mark), CSV otherwise.
public enum PickReader {
  /// Reads and parses `url`. File-level failures are `PickFormatError`s whose description is one
  /// line (prefix it with the path when printing).
  public static func read(contentsOf url: URL) throws(PickFormatError) -> PickFileContents {
    let data: Data
    do {
      data = Data(try FileBytes.read(path: url.path))
    } catch let error as WaveformFileError {
      throw PickFormatError(reason: error.reason)
    } catch {
      throw PickFormatError(reason: "cannot read: \(error.localizedDescription)")
    }
    return try parse(data)
  }

  /// Parses the bytes of a CSV or QuakeML pick file.
  public static func parse(_ data: Data) throws(PickFormatError) -> PickFileContents {
    let start = data.prefix(64).drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    var head = Array(start)
    if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
    if head.first == UInt8(ascii: "<") { return try QuakeMLPickReader.parse(data) }
    guard let text = String(data: data, encoding: .utf8) else {
      throw PickFormatError(reason: "CSV is not valid UTF-8")
    }
    return try PickCSVReader.parse(text)
  }
}
