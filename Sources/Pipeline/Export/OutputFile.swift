import Foundation

/// Writes output files whole or not at all, and never over an existing file unless forced.
///
/// The bytes go to a hidden temporary file in the destination's folder, which then takes the
/// destination's name: a `link` (fails if the name exists) without `force`, a `rename`
/// (replaces atomically) with it. A failure removes the temporary file and leaves the
/// destination as it was.
public enum OutputFile {
  /// Refuses early (before any work) when `path` exists and `force` is false, or its folder
  /// does not exist.
  public static func checkWritable(_ path: String, force: Bool) throws {
    let url = URL(fileURLWithPath: path)
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
      if isFolder.boolValue { throw InputError(path: path, reason: "is a folder") }
      if !force { throw InputError(path: path, reason: "exists (use --force to overwrite)") }
    }
    let folder = url.deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder),
      isFolder.boolValue
    else { throw InputError(path: path, reason: "folder \(folder) does not exist") }
  }

  /// Writes `contents` to `path` atomically (see the type's description).
  public static func write(_ contents: Data, to path: String, force: Bool) throws {
    try checkWritable(path, force: force)
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: contents) else {
      throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
    }
    defer { unlink(temporary.path) }
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

  /// Writes UTF-8 text to `path` atomically.
  public static func write(_ text: String, to path: String, force: Bool) throws {
    try write(Data(text.utf8), to: path, force: force)
  }
}
