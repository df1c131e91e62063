import Foundation
import GRDB

/// How a store is opened: the checks on its path before SQLite sees it, telling a seiscluster
/// store from another application's database, and opening one that cannot be written.
extension SeisStore {
  /// What a command needs of the store.
  public enum Access: Sendable {
    /// Reads and writes; the store is created when missing and migrated forward.
    case readWrite
    /// Reads only. A store that cannot be written (no write permission on the file or its
    /// folder, a read-only file system) is opened without creating `-wal` or `-shm` files;
    /// a writable one is opened as for `readWrite`.
    case readOnly
  }

  /// `PRAGMA application_id` of seiscluster stores: "Seis" in ASCII. Set on every store this
  /// version opens for writing; stores made before it are recognised by their migrations.
  public static let applicationID: Int32 = 0x5365_6973

  /// The tables seiscluster's migrations create, and GRDB's own: a database holding only these
  /// (or none) is a seiscluster store being created.
  static let ownTables: Set<String> = [
    "grdb_migrations", "metadata", "source_file", "channel", "segment", "picks", "window_sets",
    "windows", "runs", "models", "assignments", "checkpoints", "sweeps", "sweep_runs",
  ]

  /// Why `path` cannot name a store, checked before SQLite opens it (SQLite would create a file
  /// inside a folder's name, or block on a FIFO): empty, a folder, not a regular file, not a
  /// SQLite file, or another application's database by its application id.
  static func pathProblem(_ path: String) -> String? {
    if path.isEmpty { return "an empty path names no store" }
    var info = stat()
    guard stat(path, &info) == 0 else {
      let code = errno
      if code == ENOENT { return nil }  // a new store
      return "cannot open the store: \(String(cString: strerror(code)))"
    }
    switch info.st_mode & S_IFMT {
    case S_IFDIR: return "is a folder, not a store (name a file, e.g. \(path)/seiscluster.sqlite)"
    case S_IFREG: break
    default: return "is not a regular file: not a store"
    }
    guard info.st_size > 0 else { return nil }  // SQLite takes an empty file as a new database
    guard let handle = FileHandle(forReadingAtPath: path) else {
      return "cannot read the store: \(String(cString: strerror(errno)))"
    }
    defer { try? handle.close() }
    let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
    guard header.count >= 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
      return "is not a SQLite database, so not a seiscluster store"
    }
    let id = header[68..<72].reduce(0) { $0 << 8 | UInt32($1) }
    if id != 0 && Int32(bitPattern: id) != applicationID {
      return "is another application's SQLite database (application_id 0x"
        + String(id, radix: 16) + "), not a seiscluster store"
    }
    return nil
  }

  /// Why the open database is not a seiscluster store (nil when it is one, or a new one): its
  /// application id, or tables of its own where no seiscluster migration was ever recorded.
  static func foreignDatabaseProblem(_ db: Database) throws -> String? {
    let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
    if id != 0 && id != applicationID {
      return "is another application's SQLite database (application_id 0x"
        + String(UInt32(bitPattern: id), radix: 16) + "), not a seiscluster store"
    }
    let tables = try String.fetchAll(
      db,
      sql: """
        SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
          AND name NOT LIKE 'sqlite_%' ORDER BY name
        """)
    let applied =
      tables.contains("grdb_migrations")
      ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
      : []
    // A store a newer version migrated further: this one does not know its tables (a sweep
    // found it read and written without a word).
    let known = Set(migrations.map(\.name))
    if let unknown = applied.first(where: { !known.contains($0) }) {
      return
        "was migrated by a newer version of seiscluster (migration \(unknown.prefix(80)) is unknown to this one): use that version; nothing was written to it"
    }
    if id == applicationID || applied.contains("0001-metadata") { return nil }
    /// At most four names, then `...`.
    func shown(_ names: [String]) -> String {
      names.prefix(4).joined(separator: ", ") + (names.count > 4 ? ", ..." : "")
    }
    let foreign = tables.filter { !ownTables.contains($0) }
    guard foreign.isEmpty else {
      return
        "is another application's SQLite database (tables \(shown(foreign))), not a seiscluster store: "
        + "no tables were added to it"
    }
    // Tables named as ours, no migration recorded: a store that another process is creating
    // has its record table (GRDB makes it first) and no row yet. Tables without that record,
    // or holding rows, were made by something else that happens to use our names (a review:
    // `check` migrated a database with a `picks` table of its own, and every open then failed).
    let others = tables.filter { $0 != "grdb_migrations" }
    guard !others.isEmpty else { return nil }
    var holdingRows: [String] = []
    for table in others
    where try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \"\(table)\")") == true {
      holdingRows.append(table)
    }
    guard tables.contains("grdb_migrations"), holdingRows.isEmpty else {
      return
        "holds tables named as a seiscluster store's (\(shown(holdingRows.isEmpty ? others : holdingRows))) but no record of its migrations: "
        + "another application's database, not a seiscluster store; nothing was written to it"
    }
    return nil
  }

  /// True when this process can write the store file and create files beside it (the `-wal`
  /// and `-shm` files of WAL mode). False on a read-only file system too.
  static func canWrite(path: String) -> Bool {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let fileOK = access(path, W_OK) == 0 || errno == ENOENT
    return fileOK && access(folder.isEmpty ? "." : folder, W_OK) == 0
  }

  /// Opens a store that cannot be written, for reading only. Without a write-ahead log to
  /// replay, SQLite opens it as immutable (no locks, no `-shm` or `-wal` files); with one, as a
  /// plain read-only connection, which reads the log.
  static func openReadOnly(path: String, configuration: Configuration) throws -> DatabaseQueue {
    var config = configuration
    config.readonly = true
    let wal = path + "-wal"
    var info = stat()
    let hasLog = stat(wal, &info) == 0 && info.st_size > 0
    if hasLog { return try DatabaseQueue(path: path, configuration: config) }
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "?#%")
    let escaped = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
    return try DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: config)
  }

  /// A one-line text for a store error: SQLite's code and message, without the statement.
  public static func describe(_ error: any Error) -> String {
    if let db = error as? DatabaseError {
      let message = db.message ?? "\(db.resultCode)"
      // SQLite's words for these name no cause: the likely ones (a sweep met both on a full
      // disk and in a read-only folder).
      let cause =
        switch db.resultCode.primaryResultCode {
        case .SQLITE_IOERR: " (a full disk, a file-size limit or a failing device?)"
        case .SQLITE_CANTOPEN:
          " (a read-only or missing folder? SQLite creates the store's -wal and -shm files beside it)"
        default: ""
        }
      return "SQLite error \(db.resultCode.primaryResultCode.rawValue): \(message)\(cause)"
    }
    if let store = error as? StoreError { return store.description }
    return String(describing: error)
  }

  /// True for failures of the storage itself (a full disk, an I/O error, a file that became
  /// read-only, unreadable or corrupt): every further write would fail the same way, so a
  /// command stops at the first one instead of repeating it per file.
  public static func isStorageFailure(_ error: any Error) -> Bool {
    guard let db = error as? DatabaseError else { return false }
    switch db.resultCode.primaryResultCode {
    case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_CORRUPT,
      .SQLITE_NOTADB, .SQLITE_PERM:
      return true
    default: return false
    }
  }
}
