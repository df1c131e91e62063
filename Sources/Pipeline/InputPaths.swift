import Foundation
import Seismic

/// The files an ingest reads: every path the user named, and every file found in the folders
/// named, recursively, in sorted order. File types are checked with `stat` before anything is
/// opened, so nothing here can block (a FIFO is never opened) or read forever (a device).
///
/// Each path that cannot be used is a problem naming it, in one line:
/// - a missing path, a dangling symbolic link (naming its target), a loop of symbolic links;
/// - a folder that cannot be read (`chmod 000`), at any depth: its files are not silently lost;
/// - a FIFO, device or socket, named or found in a folder.
/// Hidden entries (`.name`) inside folders are skipped. Symbolic links inside folders are
/// followed, to files and to folders; a link back to a folder being walked (a cycle) is skipped
/// with a note, since its files are read anyway.
public enum InputPaths {
  public struct Expansion: Sendable {
    /// Regular files to read, in order.
    public var files: [String] = []
    /// Paths that cannot be used, one error each.
    public var problems: [InputError] = []
    /// Things skipped on purpose, worth a line (links that cycle back into a walked folder).
    public var notes: [String] = []
  }

  /// Refuses an empty path in one line, before it resolves to the working folder (`URL`) or
  /// its error falls back to naming the store.
  public static func requireNonEmpty(_ path: String) throws {
    guard !path.isEmpty else { throw InputError(path: "''", reason: "an empty path names no file") }
  }

  public static func expand(_ paths: [String]) -> Expansion {
    var expansion = Expansion()
    for path in paths {
      guard !path.isEmpty else {
        expansion.problems.append(
          InputError(path: "''", reason: "an empty path names no file or folder"))
        continue
      }
      var info = stat()
      guard stat(path, &info) == 0 else {
        expansion.problems.append(InputError(path: path, reason: unreachable(path, errno: errno)))
        continue
      }
      switch info.st_mode & S_IFMT {
      case S_IFREG:
        expansion.files.append(path)
      case S_IFDIR:
        var found: [String] = []
        var ancestors: Set<FileIdentity> = [FileIdentity(info)]
        walk(
          folder: path, relative: "", ancestors: &ancestors, into: &found,
          expansion: &expansion)
        let prefix = path.hasSuffix("/") ? path : path + "/"
        expansion.files += found.sorted().map { prefix + $0 }
      default:
        let kind = FileKind.special(mode: info.st_mode) ?? "not a regular file"
        expansion.problems.append(InputError(path: path, reason: "\(kind), not a regular file"))
      }
    }
    return expansion
  }

  /// A file's identity on its device: folders already on the walk's path are not entered again.
  struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
    init(_ info: stat) {
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
    }
  }

  /// Collects the regular files under `folder` (paths relative to the named root).
  private static func walk(
    folder: String, relative: String, ancestors: inout Set<FileIdentity>,
    into found: inout [String], expansion: inout Expansion
  ) {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      var reason = "cannot read the folder"
      if access(folder, R_OK | X_OK) != 0 { reason += ": \(String(cString: strerror(errno)))" }
      expansion.problems.append(
        InputError(path: folder, reason: reason + "; its files were not read"))
      return
    }
    for name in names.sorted() where !name.hasPrefix(".") {
      let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
      let child = relative.isEmpty ? name : relative + "/" + name
      var info = stat()
      guard stat(path, &info) == 0 else {
        expansion.problems.append(InputError(path: path, reason: unreachable(path, errno: errno)))
        continue
      }
      switch info.st_mode & S_IFMT {
      case S_IFREG:
        found.append(child)
      case S_IFDIR:
        let identity = FileIdentity(info)
        guard !ancestors.contains(identity) else {
          expansion.notes.append(
            "\(path): a symbolic link back into a folder being read; not followed")
          continue
        }
        ancestors.insert(identity)
        walk(
          folder: path, relative: child, ancestors: &ancestors, into: &found,
          expansion: &expansion)
        ancestors.remove(identity)
      default:
        let kind = FileKind.special(mode: info.st_mode) ?? "not a regular file"
        expansion.problems.append(
          InputError(path: path, reason: "\(kind), not a regular file: not read"))
      }
    }
  }

  /// The identity of the file at `path` (links followed), or nil when it cannot be reached.
  static func identity(of path: String) -> FileIdentity? {
    var info = stat()
    return stat(path, &info) == 0 ? FileIdentity(info) : nil
  }

  /// A store's own files: the SQLite database and its `-wal`, `-shm` and `-journal`
  /// companions (beside the path given and beside the file a symbolic link leads to, where
  /// SQLite keeps them), and its run leases (`STORE-runN.lock`, left behind by a killed run).
  struct StoreFiles {
    var identities: Set<FileIdentity> = []
    /// The folders leases live in (the store's path as given and resolved), with the lease
    /// names' prefix there.
    var leaseFolders: [(folder: FileIdentity, prefix: String)] = []

    init(database: String) {
      let resolved = URL(fileURLWithPath: database).resolvingSymlinksInPath().path
      for path in Set([database, resolved]) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
          if let id = InputPaths.identity(of: path + suffix) { identities.insert(id) }
        }
        let url = URL(fileURLWithPath: path)
        if let folder = InputPaths.identity(of: url.deletingLastPathComponent().path) {
          leaseFolders.append((folder, url.lastPathComponent + "-run"))
        }
      }
    }

    func contains(_ path: String) -> Bool {
      if let id = InputPaths.identity(of: path), identities.contains(id) { return true }
      let url = URL(fileURLWithPath: path)
      let name = url.lastPathComponent
      guard name.hasSuffix(".lock"),
        let folder = InputPaths.identity(of: url.deletingLastPathComponent().path)
      else { return false }
      return leaseFolders.contains { lease in
        guard lease.folder == folder, name.hasPrefix(lease.prefix) else { return false }
        let id = name.dropFirst(lease.prefix.count).dropLast(".lock".count)
        return !id.isEmpty && id.allSatisfy(\.isNumber)
      }
    }
  }

  /// Why `stat` failed on `path`, in words: a dangling link names its target.
  static func unreachable(_ path: String, errno code: Int32) -> String {
    switch code {
    case ENOENT:
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
        return "a symbolic link to \(target), which does not exist"
      }
      // A name that is not UTF-8 reaches Swift with its bad bytes replaced by U+FFFD, and
      // that name does not exist: say so, not only that it is missing.
      if path.contains("\u{FFFD}") {
        return
          "no such file or folder: a name on this path is not valid UTF-8 (its bad bytes shown as \u{FFFD}), which seiscluster cannot open; rename it (for example `convmv -f latin1 -t utf8 --notest NAME`)"
      }
      return "no such file or folder"
    case ELOOP: return "a loop of symbolic links"
    case EACCES: return "permission denied (a folder on the way cannot be searched)"
    default: return String(cString: strerror(code))
    }
  }
}
