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
    var got = 0
    // Uninitialised capacity: no zero-fill pass over a file that is about to be read in.
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      guard let base = buffer.baseAddress else { return }
      var done = 0
      while done < size {
        let n = Foundation.read(fd, base + done, size - done)
        if n <= 0 { break }
        done += n
      }
      initialized = done
      got = done
    }
    guard got == size else { throw WaveformFileError(path: path, reason: "cannot read the file") }
    return bytes
  }
}
