import Foundation
import Store

/// The store itself failed while storing a file (a full disk, an I/O error, a store that became
/// read-only): every further write would fail the same way, so a command stops at the first one
/// and says so in one line, leaving the store as its last complete transaction left it.
struct StorageFailure: Error {
  /// The file being stored when it happened.
  var path: String
  var error: any Error

  /// The one line: `STORE: cannot store PATH: why; stopped (N files not read)`.
  func stopping(storePath: String, unread: Int) -> InputError {
    let rest = unread > 0 ? " (\(unread) more file\(unread == 1 ? "" : "s") not read)" : ""
    return InputError(
      path: storePath,
      reason: "cannot store \(path): \(SeisStore.describe(error)); ingest stopped\(rest)")
  }
}
