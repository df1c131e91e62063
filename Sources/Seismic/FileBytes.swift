import Foundation

/// Reads a whole file into one byte array with POSIX `read`, without the intermediate `Data`
/// copy (ingest reads hundreds of megabytes).
public enum FileBytes {
  public static func read(path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw WaveformFileError(path: path, reason: "cannot open the file") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw WaveformFileError(path: path, reason: "cannot read the file")
    }
    let size = Int(info.st_size)
    var bytes = [UInt8](repeating: 0, count: size)
    let got = bytes.withUnsafeMutableBytes { buffer -> Int in
      guard let base = buffer.baseAddress else { return 0 }
      var done = 0
      while done < size {
        let n = Foundation.read(fd, base + done, size - done)
        if n <= 0 { return n < 0 ? -1 : done }
        done += n
      }
      return done
    }
    guard got == size else { throw WaveformFileError(path: path, reason: "cannot read the file") }
    return bytes
  }
}
