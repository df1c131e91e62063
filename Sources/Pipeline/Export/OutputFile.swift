import Foundation
import Seismic

/// Writes output files whole or not at all, and never over an existing file unless forced.
///
/// - `-` is standard output.
/// - A new name: the bytes go to a hidden temporary file in the destination's folder, which then
///   takes the name with `link` (which fails if the name appeared meanwhile).
/// - An existing regular file: refused without `force`; with it, the temporary file replaces
///   it with `rename` (atomic), with the replaced file's permissions (and owner, when allowed).
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
  ///
  /// `reading` names the store the command reads: writing over it (or its `-wal`, `-shm` or
  /// `-journal` file), directly or through a link, is refused even with `force`. `others` are
  /// the command's other outputs: two outputs naming one file are refused.
  public static func checkWritable(
    _ path: String, force: Bool, reading store: String? = nil, others: [String] = []
  ) throws {
    if path == standardOutput { return }
    let target = try destination(of: path, force: force)
    if let store {
      // SQLite names its -wal, -shm and -journal after the store's real path, links resolved.
      let real = URL(fileURLWithPath: store).resolvingSymlinksInPath().path
      let files = [store] + ["-wal", "-shm", "-journal"].map { real + $0 }
      for file in files where sameFile(target, file) {
        throw InputError(
          path: path,
          reason:
            "is \(file == store ? "the store" : "a file of the store") \(store) this command reads: refused, even with --force"
        )
      }
    }
    for other in others where other != standardOutput && sameFile(target, other) {
      throw InputError(
        path: path, reason: "is also the command's other output \(other): name two files")
    }
    // The output is written beside its name first: a folder this process cannot write to
    // fails that, and `sweep` found out only after training every run.
    let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
    guard access(folder, W_OK | X_OK) == 0 else {
      throw InputError(
        path: path, reason: "cannot write in \(folder): \(String(cString: strerror(errno)))")
    }
  }

  /// Whether `a` and `b` name one file: the same device and inode when both exist (links
  /// followed), else the same absolute path once links in it are resolved.
  static func sameFile(_ a: String, _ b: String) -> Bool {
    var x = stat()
    var y = stat()
    let aExists = stat(a, &x) == 0
    let bExists = stat(b, &y) == 0
    if aExists && bExists { return x.st_dev == y.st_dev && x.st_ino == y.st_ino }
    if aExists != bExists { return false }
    func resolved(_ path: String) -> String {
      URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
    return resolved(a) == resolved(b)
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
    try write(to: path, force: force) { try $0.write(contents) }
  }

  /// Where `write(to:force:_:)` sends the bytes: every write is checked, so a full disk is one
  /// error naming the output, and nothing is left half-written.
  public struct Sink {
    let descriptor: Int32
    let path: String

    /// Standard output as a sink (`-`): a write that fails (a full disk, a closed stream) is an
    /// `InputError`, not a trap as `FileHandle.write(_:)` makes it.
    public static var standardOutput: Sink { Sink(descriptor: STDOUT_FILENO, path: "-") }

    /// Writes `text` to standard error, dropping what cannot be written: a message about a
    /// failure must not become one (`FileHandle.write(_:)` traps when stderr is full or
    /// closed; a sweep found every command dying so, with exit 132).
    public static func writeStandardError(_ text: String) {
      var text = text
      text.withUTF8 { bytes in
        var done = 0
        while done < bytes.count {
          let n = Foundation.write(STDERR_FILENO, bytes.baseAddress! + done, bytes.count - done)
          if n < 0 && errno == EINTR { continue }
          guard n > 0 else { return }
          done += n
        }
      }
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
      var done = 0
      while done < bytes.count {
        let n = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
          let code = n < 0 ? errno : EIO
          throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(code)))")
        }
        done += n
      }
    }

    /// Appends `data`.
    public func write(_ data: Data) throws {
      try data.withUnsafeBytes { try write($0) }
    }
  }

  /// Writes `path` piece by piece with what `body` sends to its sink (a `.npy` of a million
  /// windows), by the same rules as the whole-contents `write`: under a temporary name, moved
  /// into place only when complete, or straight to standard output for `-`.
  public static func write(to path: String, force: Bool, _ body: (Sink) throws -> Void) throws {
    let pending = try prepare(to: path, force: force, body)
    defer { pending.discard() }
    try pending.commit()
  }

  /// An output written whole under a temporary name, not yet in place: `commit` moves it there
  /// (by the rules of `write`), `discard` removes it. Two outputs that belong together (`.npy`
  /// windows and their index) are both prepared before either is committed, so a failure
  /// writing the second leaves neither (a full disk left a new `.npy` beside an old index).
  public struct Pending: Sendable {
    let path: String
    let target: String
    /// nil for standard output, already written.
    let temporary: String?
    let force: Bool

    /// Moves the output into place. Returns whether that made a new file (nothing was at its
    /// name), which `withdraw` can then remove.
    @discardableResult
    public func commit() throws -> Bool {
      guard let temporary else { return false }
      var info = stat()
      if lstat(target, &info) == 0 {
        // Checked again at the last moment: only a regular file is ever replaced.
        guard force, info.st_mode & S_IFMT == S_IFREG else {
          _ = try destination(of: path, force: force)
          throw InputError(path: path, reason: "changed while being written; nothing written")
        }
        // The file replaced keeps its permissions (a private 0600 catalog must not become
        // world-readable) and, where this process may set it, its owner and group. It is a
        // new inode (the atomic replace): other hard links to it keep the old bytes.
        _ = chown(temporary, info.st_uid, info.st_gid)
        chmod(temporary, info.st_mode & 0o777)
        guard rename(temporary, target) == 0 else {
          throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        return false
      } else {
        guard link(temporary, target) == 0 else {
          let code = errno
          if code == EEXIST {
            throw InputError(path: path, reason: "exists (use --force to overwrite)")
          }
          throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(code)))")
        }
        return true
      }
    }

    /// Removes the file `commit` made (when it made a new one): the other output of a pair
    /// could not be committed.
    public func withdraw() {
      guard temporary != nil else { return }
      unlink(target)
    }

    /// Removes the temporary file (after `commit` too: a link leaves it).
    public func discard() {
      guard let temporary else { return }
      unlink(temporary)
      Interruption.unregister(temporary)
    }
  }

  /// Writes what `body` sends to a temporary file beside `path` (straight to standard output
  /// for `-`), for `Pending.commit` to move into place. A failure removes it and throws.
  public static func prepare(to path: String, force: Bool, _ body: (Sink) throws -> Void) throws
    -> Pending
  {
    if path == standardOutput {
      try body(Sink(descriptor: STDOUT_FILENO, path: path))
      return Pending(path: path, target: path, temporary: nil, force: force)
    }
    let target = try destination(of: path, force: force)
    let url = URL(fileURLWithPath: target)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    // Registered before it exists: an interrupt between the two must not leave it behind.
    Interruption.register(temporary.path)
    // A new file's permissions are the umask's, as a shell redirection makes them; a file
    // replaced gives its own from the start (a private file's new bytes must not be readable
    // by others while they are written), and `commit` sets them exactly.
    var existing = stat()
    let mode: mode_t =
      stat(target, &existing) == 0 && existing.st_mode & S_IFMT == S_IFREG
      ? existing.st_mode & 0o777 : 0o666
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else {
      let code = errno
      Interruption.unregister(temporary.path)
      throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(code)))")
    }
    let pending = Pending(path: path, target: target, temporary: temporary.path, force: force)
    do {
      try body(Sink(descriptor: fd, path: path))
    } catch {
      close(fd)
      pending.discard()
      throw error
    }
    guard close(fd) == 0 else {
      let code = errno
      pending.discard()
      throw InputError(path: path, reason: "cannot write: \(String(cString: strerror(code)))")
    }
    return pending
  }

  /// Writes UTF-8 text to `path` atomically.
  public static func write(_ text: String, to path: String, force: Bool) throws {
    try write(Data(text.utf8), to: path, force: force)
  }
}
