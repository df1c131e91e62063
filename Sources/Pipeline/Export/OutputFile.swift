import Foundation
import Seismic

/// Writes output files whole or not at all, and never over an existing file unless forced.
///
/// - `-` is standard output.
/// - A new name: the bytes go to a hidden temporary file in the destination's folder, which then
///   takes the name with `link` (which fails if the name appeared meanwhile).
/// - An existing regular file: refused without `force`; with it, the temporary file replaces
///   it with `rename` (atomic).
/// - A symbolic link: the file it points to is the destination, by the rules above; the link
///   stays. A link loop is refused.
/// - A folder, FIFO, device or socket: refused, with or without `force` (`--force --output
///   /dev/full` must not replace the device with a file, nor a FIFO block the command).
/// A failure removes the temporary file and leaves the destination as it was.
public enum OutputFile {
  /// The name that means standard output.
  public static let standardOutput = "-"

  /// Refuses early (before any work) what `write` would refuse: an existing file without
  /// `force`, a folder, FIFO, device or socket, a missing folder, a link loop.
  public static func checkWritable(_ path: String, force: Bool) throws {
    if path == standardOutput { return }
    _ = try destination(of: path, force: force)
  }

  /// The file `path` names for writing: itself, or the end of its chain of symbolic links.
  /// Throws `InputError` (naming `path`) for everything `write` refuses.
  public static func destination(of path: String, force: Bool) throws -> String {
    guard !path.isEmpty else { throw InputError(path: "''", reason: "an empty path names no file") }
    var current = path
    var links = 0
    while true {
      var info = stat()
      guard lstat(current, &info) == 0 else {
        let code = errno
        guard code == ENOENT else {
          throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(code)))")
        }
        // A new file: its folder must exist.
        let folder = URL(fileURLWithPath: current).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder),
          isFolder.boolValue
        else { throw InputError(path: path, reason: "folder \(folder) does not exist") }
        return current
      }
      switch info.st_mode & S_IFMT {
      case S_IFLNK:
        links += 1
        guard links <= 40 else {
          throw InputError(path: path, reason: "a loop of symbolic links: refused")
        }
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current)
        else { throw InputError(path: path, reason: "cannot read the symbolic link") }
        current =
          target.hasPrefix("/")
          ? target
          : URL(fileURLWithPath: current).deletingLastPathComponent()
            .appendingPathComponent(target).path
      case S_IFREG:
        guard force else {
          let via = current == path ? "" : " as \(current), the file the link points to"
          throw InputError(path: path, reason: "exists\(via) (use --force to overwrite)")
        }
        return current
      case S_IFDIR:
        throw InputError(path: path, reason: "is a folder: name a file to write")
      default:
        let kind = FileKind.special(mode: info.st_mode) ?? "not a regular file"
        throw InputError(
          path: path, reason: "is \(kind), not a regular file: refused, even with --force")
      }
    }
  }

  /// Writes `contents` to `path` atomically (see the type's description), or to standard
  /// output when `path` is `-`.
  public static func write(_ contents: Data, to path: String, force: Bool) throws {
    if path == standardOutput {
      FileHandle.standardOutput.write(contents)
      return
    }
    let target = try destination(of: path, force: force)
    let url = URL(fileURLWithPath: target)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    try writeNew(contents, to: temporary.path, naming: path)
    defer { unlink(temporary.path) }
    var info = stat()
    if lstat(target, &info) == 0 {
      // Checked again at the last moment: only a regular file is ever replaced.
      guard force, info.st_mode & S_IFMT == S_IFREG else {
        _ = try destination(of: path, force: force)
        throw InputError(path: path, reason: "changed while being written; nothing written")
      }
      guard rename(temporary.path, target) == 0 else {
        throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
      }
    } else {
      guard link(temporary.path, target) == 0 else {
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

  /// Creates `temporary` (which must not exist) with `contents`, checking every write: a full
  /// disk is one error naming `path`, and leaves no partial file.
  private static func writeNew(_ contents: Data, to temporary: String, naming path: String)
    throws
  {
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
    }
    var failure: Int32 = 0
    contents.withUnsafeBytes { raw in
      var done = 0
      while done < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          failure = n < 0 ? errno : EIO
          return
        }
        done += n
      }
    }
    if close(fd) != 0 && failure == 0 { failure = errno }
    if failure != 0 {
      unlink(temporary)
      throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(failure)))")
    }
  }
}
