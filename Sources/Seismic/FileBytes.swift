import Foundation

/// Reads a whole file into one byte array with POSIX `read`, without the intermediate `Data`
/// copy (ingest reads hundreds of megabytes).
///
/// Only regular files are read. The file is opened without blocking and its type checked on
/// the open descriptor before a byte is read, so a FIFO never hangs the reader and a device
/// (`/dev/zero`) is never read forever: both are refused by name. A file that reports a size
/// of 0 but has content (`/proc`, `/sys`) is refused as a kernel file, not called empty.
public enum FileBytes {
  public static func read(path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      throw WaveformFileError(path: path, reason: "cannot open the file: \(errnoText())")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw WaveformFileError(path: path, reason: "cannot read the file: \(errnoText())")
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      throw WaveformFileError(path: path, reason: "a folder, not a file")
    }
    if let kind = FileKind.special(mode: info.st_mode) {
      throw WaveformFileError(path: path, reason: "\(kind), not a regular file")
    }
    let size = Int(info.st_size)
    if size == 0 {
      var probe: UInt8 = 0
      if Foundation.read(fd, &probe, 1) > 0 {
        throw WaveformFileError(
          path: path,
          reason:
            "reports a size of 0 but has content: a kernel file (/proc, /sys), not a waveform file")
      }
      return []
    }
    var got = 0
    var failure: Int32 = 0
    // Uninitialised capacity: no zero-fill pass over a file that is about to be read in.
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      guard let base = buffer.baseAddress else { return }
      var done = 0
      while done < size {
        let n = Foundation.read(fd, base + done, size - done)
        if n < 0 && errno == EINTR { continue }
        if n < 0 { failure = errno }
        if n <= 0 { break }
        done += n
      }
      initialized = done
      got = done
    }
    guard got == size else {
      let why = failure != 0 ? String(cString: strerror(failure)) : "it shrank while being read"
      throw WaveformFileError(path: path, reason: "cannot read the file: \(why)")
    }
    return bytes
  }

  /// Refuses, without blocking, a path that is not a regular file (a FIFO, a device, a socket, a
  /// folder) or a kernel file that reports a size of 0, before a reader that would block or
  /// read forever opens it (`Data(contentsOf:)`, `String(contentsOf:)`).
  public static func checkRegularFile(path: String) throws {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      throw WaveformFileError(path: path, reason: "cannot open the file: \(errnoText())")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw WaveformFileError(path: path, reason: "cannot read the file: \(errnoText())")
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      throw WaveformFileError(path: path, reason: "a folder, not a file")
    }
    if let kind = FileKind.special(mode: info.st_mode) {
      throw WaveformFileError(path: path, reason: "\(kind), not a regular file")
    }
    var probe: UInt8 = 0
    if info.st_size == 0 && Foundation.read(fd, &probe, 1) > 0 {
      throw WaveformFileError(
        path: path,
        reason: "reports a size of 0 but has content: a kernel file (/proc, /sys), not a data file")
    }
  }

  /// `strerror(errno)`, for one-line reasons.
  static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Names the kinds of files that are not regular files or folders.
public enum FileKind {
  /// "a FIFO", "a character device", "a block device" or "a socket" for those `st_mode`s; nil for
  /// regular files, folders and symbolic links.
  public static func special(mode: mode_t) -> String? {
    switch mode & S_IFMT {
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    default: return nil
    }
  }
}
