import Foundation
import Store

/// The store itself failed while storing a file (a full disk, an I/O error, a store that became
/// read-only): every further write would fail the same way, so a command stops at the first one
/// and says so in one line, leaving the store as its last complete transaction left it.
struct StorageFailure: Error {
  /// The file being stored when it happened.
  var path: String
  var error: any Error
  /// Files of its group left unstored by it, `path` included: a group commits in one
  /// transaction (decision 0012), so a failed commit stores none of them.
  var lost = 1

  /// The one line: `STORE: cannot store PATH (and N more files of its group): why; ingest
  /// stopped (M more files not read)`. It named one file where a group of 32 was rolled back.
  func stopping(storePath: String, unread: Int) -> InputError {
    let others = lost - 1
    let group = others > 0 ? " (and \(others) more file\(others == 1 ? "" : "s") of its group)" : ""
    let rest = unread > 0 ? " (\(unread) more file\(unread == 1 ? "" : "s") not read)" : ""
    return InputError(
      path: storePath,
      reason:
        "cannot store \(path)\(group): \(SeisStore.describe(error)); ingest stopped\(rest)")
  }
}
