import Foundation

/// Marks runs as live: a run being computed holds an exclusive `flock` on a lock file of its
/// own beside the store (`STORE-run<ID>.lock`), from its creation (or its resumption) until it
/// completes. The kernel drops the lock when the process ends, however it ends (kill -9
/// included), so a `running` run whose lock can be taken is interrupted, and one whose lock is
/// held is live: no second process resumes it or calls it interrupted.
///
/// Locks are per open file description, so two `SeisStore` objects in one process exclude each
/// other as two processes do (tests rely on it). An in-memory store is private to its object, so
/// no other process or store can see its runs: it takes no leases.
final class RunLeases: @unchecked Sendable {
  private let storePath: String
  private let mutex = NSLock()
  /// Leases this store holds: lease name (`run<ID>`, `sweep<ID>`) to the locked descriptor.
  private var held: [String: Int32] = [:]

  /// Leases live beside the file the store's path leads to, whatever symbolic links it goes
  /// through, as SQLite keeps its `-wal` there: a store opened through a link found no lease
  /// beside the link and resumed a live run (found by an adversarial sweep).
  /// `realpath(3)` resolves `..` after the links, as the kernel does (Foundation's
  /// `resolvingSymlinksInPath` drops `link/..` as text first).
  init(storePath: String) {
    guard storePath != ":memory:", !storePath.isEmpty else {
      self.storePath = storePath
      return
    }
    if let resolved = realpath(storePath, nil) {
      self.storePath = String(cString: resolved)
      free(resolved)
    } else {
      self.storePath = URL(fileURLWithPath: storePath).resolvingSymlinksInPath().path
    }
  }

  deinit {
    for (name, fd) in held {
      _ = flock(fd, LOCK_UN)
      close(fd)
      unlink(lockPath(name))
    }
  }

  private var inMemory: Bool { storePath == ":memory:" || storePath.isEmpty }

  func lockPath(_ id: Int64) -> String { lockPath("run\(id)") }
  func lockPath(_ name: String) -> String { "\(storePath)-\(name).lock" }

  /// Takes the lease of run `id`. Returns false when another holder has it.
  func acquire(_ id: Int64) throws -> Bool { try acquire(named: "run\(id)") }

  /// Takes the lease `name` (`run<ID>`, or `sweep<ID>` for a sweep under way). Returns false
  /// when another holder has it.
  func acquire(named name: String) throws -> Bool {
    mutex.lock()
    defer { mutex.unlock() }
    if held[name] != nil || inMemory { return true }
    // A holder that gives its lease up unlinks the file, then unlocks it: a lock taken on a
    // file that is no longer the one at the path (unlinked, or made again meanwhile) is
    // worthless, as another process can lock the new file. Taken again then (a review).
    for _ in 0..<100 {
      let fd = open(lockPath(name), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw StoreError.unusable(
          path: lockPath(name),
          reason: "cannot create the lock file: \(String(cString: strerror(errno)))")
      }
      guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
        close(fd)
        return false
      }
      var locked = stat()
      var current = stat()
      if fstat(fd, &locked) == 0, stat(lockPath(name), &current) == 0,
        locked.st_ino == current.st_ino, locked.st_dev == current.st_dev
      {
        held[name] = fd
        return true
      }
      close(fd)
    }
    return false
  }

  /// True when a holder other than this store has the lease of run `id` (the run is live).
  func isHeldElsewhere(_ id: Int64) -> Bool {
    let name = "run\(id)"
    mutex.lock()
    defer { mutex.unlock() }
    if held[name] != nil || inMemory { return false }
    let fd = open(lockPath(name), O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }  // no lock file: nobody holds it
    defer { close(fd) }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return true }
    _ = flock(fd, LOCK_UN)
    return false
  }

  /// True when this store holds the lease of run `id`.
  func holds(_ id: Int64) -> Bool {
    mutex.lock()
    defer { mutex.unlock() }
    return held["run\(id)"] != nil
  }

  /// Gives the lease of run `id` up and removes its lock file.
  func release(_ id: Int64) { release(named: "run\(id)") }

  /// Gives the lease `name` up and removes its lock file.
  func release(named name: String) {
    mutex.lock()
    defer { mutex.unlock() }
    guard let fd = held.removeValue(forKey: name) else { return }
    unlink(lockPath(name))
    _ = flock(fd, LOCK_UN)
    close(fd)
  }
}
