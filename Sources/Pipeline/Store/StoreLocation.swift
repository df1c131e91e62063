import Foundation
import Store

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Where the store is, as the user chose it: `--db PATH`, else `$SEISCLUSTER_DB`, else
/// `seiscluster.sqlite` in the working directory. Commands open it through here, so the CLI
/// never reaches below Pipeline.
public struct StoreLocation: Sendable, Equatable {
  /// The path as given (an empty `--db ""` stays empty, and is refused when opened).
  public var path: String

  public init(path: String) { self.path = path }

  /// The contract's choice: `--db`, else a non-empty `SEISCLUSTER_DB`, else the default.
  public init(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
  {
    if let option {
      path = option
    } else if let env = environment["SEISCLUSTER_DB"], !env.isEmpty {
      path = env
    } else {
      path = "seiscluster.sqlite"
    }
  }

  /// Opens the store for a command that writes (created when missing, migrated forward).
  /// Throws `InputError` naming the path: a folder, an empty path, a file that is not a store,
  /// another application's database, a store this process cannot write.
  public func openForWriting() throws -> SeisStore { try open(.readWrite) }

  /// Opens the store for a command that only reads: a store that cannot be written is opened
  /// read-only, leaving no `-wal` or `-shm` files behind.
  /// A path with no file, or an empty file, is refused: reading must not create a store, and
  /// `check` must not call a lost store sound.
  ///
  /// An empty file is watched for `emptyFileWait` seconds first: a command that writes creates
  /// the file empty and fills it within milliseconds.
  public func openForReading(emptyFileWait: TimeInterval = 1) throws -> SeisStore {
    if !path.isEmpty {
      var isFolder: ObjCBool = false
      if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
        // A folder on the path that this user cannot search hides a store that is there:
        // `ingest` would not make one either.
        var info = stat()
        if stat(path, &info) != 0 {
          if errno == EACCES {
            throw InputError(
              path: path,
              reason:
                "cannot read the store: Permission denied (a folder on its path cannot be searched)"
            )
          }
          if errno == ENOTDIR {
            throw InputError(
              path: path, reason: "no store here: a part of the path is a file, not a folder")
          }
        }
        throw InputError(
          path: path,
          reason: "no store here: `seiscluster ingest` (or another command that writes) makes one")
      }
      let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
      if !isFolder.boolValue,
        let attributes = try? FileManager.default.attributesOfItem(atPath: resolved)
      {
        if attributes[.type] as? FileAttributeType != .typeRegular {
          throw InputError(
            path: path, reason: "not a regular file (a FIFO or a device), not a store")
        }
        // An empty file that stays empty while watched is not a store being made.
        var size = attributes[.size] as? Int ?? 0
        let deadline = Date().addingTimeInterval(emptyFileWait)
        while size == 0, Date() < deadline {
          Thread.sleep(forTimeInterval: 0.05)
          size = (try? FileManager.default.attributesOfItem(atPath: resolved))?[.size] as? Int ?? 0
        }
        if size == 0 {
          throw InputError(path: path, reason: "an empty file, not a store")
        }
      }
    }
    return try open(.readOnly)
  }

  private func open(_ access: SeisStore.Access) throws -> SeisStore {
    if path.isEmpty {
      throw InputError(path: "--db ''", reason: "an empty path names no store")
    }
    do {
      return try SeisStore(path: path, access: access)
    } catch StoreError.unusable(let path, let reason) {
      throw InputError(path: path, reason: reason)
    } catch {
      throw InputError(path: path, reason: "cannot open the store: \(SeisStore.describe(error))")
    }
  }
}
