import Foundation
import Store

/// `check`: verifies the store (SQLite integrity, orphans, models without a run, blobs that
/// disagree with their sample counts). Reads only.
public enum StoreCheck {
  /// One line per problem, empty when the store is sound.
  public static func problems(in store: SeisStore) throws -> [String] {
    do {
      return try store.check()
    } catch {
      throw InputError(path: store.path, reason: "cannot check: \(SeisStore.describe(error))")
    }
  }
}
