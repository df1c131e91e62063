import Foundation

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// An output file written piece by piece (a `.npy` of a million windows), under a temporary
/// name in the same folder, then moved into place when complete: a failed or killed export
/// leaves no half-written file, and without `force` an existing file is never replaced (the
/// same rules as `OutputFile.write`, which takes the whole contents at once).
enum StreamedFile {
  /// Writes `path` with what `body` writes to the handle it gets.
  static func write(to path: String, force: Bool, _ body: (FileHandle) throws -> Void) throws {
    try OutputFile.checkWritable(path, force: force)
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
      let handle = FileHandle(forWritingAtPath: temporary.path)
    else {
      throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
    }
    defer { unlink(temporary.path) }
    do {
      try body(handle)
      try handle.close()
    } catch let error as InputError {
      try? handle.close()
      throw error
    } catch {
      try? handle.close()
      throw InputError(path: path, reason: "cannot write: \(error.localizedDescription)")
    }
    if force {
      guard rename(temporary.path, url.path) == 0 else {
        throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
      }
    } else {
      guard link(temporary.path, url.path) == 0 else {
        let code = errno
        if code == EEXIST {
          throw InputError(path: path, reason: "exists (use --force to overwrite)")
        }
        throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(code)))")
      }
    }
  }
}
