import Dispatch
import Foundation

/// What an interrupted command (Ctrl-C: SIGINT, or SIGTERM) does before it stops: it removes the
/// temporary files of outputs not yet in place, says so in one line, and exits with 128 + the
/// signal, as the shell reports a signal. By default both signals ended the process in silence,
/// leaving hidden `.NAME.UUID.tmp` files of every output being written (a resource-failure
/// sweep). Store writes need nothing here: a transaction not committed is rolled back when the
/// store is next opened, and an interrupted `cluster` resumes from its last checkpoint.
public enum Interruption {
  final class Registry: @unchecked Sendable {
    let lock = NSLock()
    var temporaries: Set<String> = []
    /// Folders the command made, innermost last: removed if still empty.
    var folders: [String] = []
    var sources: [any DispatchSourceSignal] = []
    var hint: String?
    /// Set by the first signal: a second one ends the process at once (the first may be
    /// waiting to write its line to a stderr nobody reads).
    var stopping = false
  }
  static let registry = Registry()
  static let queue = DispatchQueue(label: "seiscluster.interruption", qos: .userInteractive)

  /// A temporary output file to remove if the command is interrupted.
  public static func register(_ path: String) {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.temporaries.insert(path)
  }

  /// No longer temporary: moved into place, or removed.
  public static func unregister(_ path: String) {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.temporaries.remove(path)
  }

  /// A folder the command made: removed on interruption if it is still empty (`rmdir`, so a
  /// folder holding anything stays). Register a parent before the folders inside it.
  public static func registerFolder(_ path: String) {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.folders.append(path)
  }

  /// The command's folders are its outputs now: none is removed on interruption.
  public static func unregisterFolders() {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.folders = []
  }

  /// What the interrupted command's line adds (how to finish its work), or nil.
  public static func setHint(_ text: String?) {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.hint = text
  }

  /// Handles SIGINT and SIGTERM from now on (once per process).
  public static func install() {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    guard registry.sources.isEmpty else { return }
    for (signalNumber, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
      // Delivered to the source instead of ending the process, unless the parent ignores it
      // (a shell script's `seiscluster ... &` must survive Ctrl-C, as it did).
      let previous = signal(signalNumber, SIG_IGN)
      if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
      {
        continue
      }
      // A queue of its own gets a thread of its own: on the global queue the handler waited
      // for a worker while every one was busy training or blocked writing progress to a full
      // stderr, and the process could not be stopped.
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
      source.setEventHandler { stop(signal: signalNumber, name: name) }
      source.resume()
      registry.sources.append(source)
    }
  }

  /// Removes the registered temporary files, says why the command stopped, and exits.
  static func stop(signal signalNumber: Int32, name: String) -> Never {
    registry.lock.lock()
    if registry.stopping { _exit(128 + signalNumber) }
    registry.stopping = true
    for path in registry.temporaries { unlink(path) }
    registry.temporaries = []
    for path in registry.folders.reversed() { rmdir(path) }
    registry.folders = []
    let line =
      "error: interrupted by \(name): outputs not yet written are removed"
      + (registry.hint.map { "; \($0)" } ?? "") + "\n"
    registry.lock.unlock()
    // Said only if stderr takes it within 0.2 s: a full pipe nobody reads must not keep the
    // process alive.
    var target = pollfd(fd: STDERR_FILENO, events: Int16(POLLOUT), revents: 0)
    if poll(&target, 1, 200) > 0, target.revents & Int16(POLLOUT) != 0 {
      _ = line.withCString { write(STDERR_FILENO, $0, min(strlen($0), Int(PIPE_BUF))) }
    }
    _exit(128 + signalNumber)
  }
}
