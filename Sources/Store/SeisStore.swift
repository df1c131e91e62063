import Foundation
import GRDB
import Seismic

/// The one database object of the app: a SQLite file in WAL mode with a forward-only, named
/// migration history. Readers are never blocked by a writer; two writers are serialised.
public final class SeisStore: Sendable {
  public let writer: any DatabaseWriter
  public let path: String
  /// The leases of the runs this store computes (see `RunLeases`).
  let leases: RunLeases

  /// True when the store was opened for reading only (it cannot be written).
  public let isReadOnly: Bool

  /// Opens (creating if needed) the store at `path` and migrates it forward.
  ///
  /// Refused with `StoreError.unusable` (one line), before SQLite creates or changes anything:
  /// an empty path, a folder, a file that is not SQLite, another application's database (by
  /// its application id, or by tables of its own without seiscluster's migrations: no table is
  /// ever added to it), and, for `.readWrite`, a store this process cannot write. With
  /// `.readOnly`, a store that cannot be written is opened for reading only, leaving no `-wal`
  /// or `-shm` files behind.
  public init(path: String, access: Access = .readWrite) throws {
    if let problem = SeisStore.pathProblem(path) {
      throw StoreError.unusable(path: path, reason: problem)
    }
    var config = Configuration()
    config.foreignKeysEnabled = true
    config.busyMode = .timeout(60)
    let exists = FileManager.default.fileExists(atPath: path)
    if !SeisStore.canWrite(path: path) {
      guard access == .readOnly, exists else {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let why =
          exists
          ? "the store is read-only here (no write permission on it or its folder)"
          : FileManager.default.fileExists(atPath: folder)
            ? "cannot create the store: its folder is not writable"
            : "cannot create the store: folder \(folder) does not exist"
        throw StoreError.unusable(path: path, reason: why)
      }
      let queue: DatabaseQueue
      do {
        queue = try SeisStore.openReadOnly(path: path, configuration: config)
      } catch {
        throw StoreError.unusable(
          path: path, reason: "cannot open the read-only store: \(SeisStore.describe(error))")
      }
      try queue.read { db in
        if let problem = try SeisStore.foreignDatabaseProblem(db) {
          throw StoreError.unusable(path: path, reason: problem)
        }
        guard try SeisStore.migrator.hasCompletedMigrations(db) else {
          throw StoreError.unusable(
            path: path,
            reason:
              "the store needs migrating to this version of seiscluster, which cannot be done read-only: run a command as a user who can write it, or copy it somewhere writable and use the copy"
          )
        }
      }
      self.writer = queue
      self.path = path
      self.isReadOnly = true
      self.leases = RunLeases(storePath: path)
      return
    }
    config.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
    if !exists {
      // Pages of 64 KiB suit a store of sample blobs (a segment is often a megabyte): about 20 %
      // faster ingest than 4 KiB. The size must be set before WAL mode, so on a new file only;
      // a failure here (another process creating the store) just keeps SQLite's default.
      if let queue = try? DatabaseQueue(path: path) {
        try? queue.writeWithoutTransaction { db in
          try db.execute(sql: "PRAGMA page_size = 65536; VACUUM")
        }
        try? queue.close()
      }
    } else {
      // Another application's database is refused before GRDB sets WAL mode on it.
      var plain = Configuration()
      plain.readonly = true
      if let queue = try? DatabaseQueue(path: path, configuration: plain) {
        let problem = try? queue.read { try SeisStore.foreignDatabaseProblem($0) }
        try? queue.close()
        if let problem {
          throw StoreError.unusable(path: path, reason: problem)
        }
      }
    }
    // A second process creating the same store at this moment holds its lock briefly: wait.
    var attempt = 0
    var opened: DatabasePool?
    while opened == nil {
      do {
        opened = try DatabasePool(path: path, configuration: config)
      } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 50 {
        attempt += 1
        Thread.sleep(forTimeInterval: 0.02 * Double(attempt))
      } catch {
        throw StoreError.unusable(
          path: path, reason: "cannot open the store: \(SeisStore.describe(error))")
      }
    }
    guard let pool = opened else { throw StoreError.invalid("cannot open \(path)") }
    self.writer = pool
    self.path = path
    self.isReadOnly = false
    self.leases = RunLeases(storePath: path)
    try SeisStore.migrate(pool)
    try pool.writeWithoutTransaction { db in
      if try Int32.fetchOne(db, sql: "PRAGMA application_id") != SeisStore.applicationID {
        try db.execute(sql: "PRAGMA application_id = \(SeisStore.applicationID)")
      }
    }
  }

  /// Copies the write-ahead log into the store file and empties it (`wal_checkpoint(TRUNCATE)`),
  /// best effort: afterwards the `.sqlite` file alone holds everything committed, even when the
  /// process ends before its connections close (SQLite then leaves the `-wal` behind, and a copy
  /// of the store file alone would lack what the log held). It does not wait: while another
  /// process reads (a notebook holding a transaction open), TRUNCATE would wait for it through
  /// the busy handler, up to a minute, and hold back other writers meanwhile; with no wait it
  /// copies what no reader still needs, as a passive checkpoint does, and leaves the rest to the
  /// next checkpoint. Nothing to do on a read-only or in-memory store.
  public func settleLog() {
    guard !isReadOnly, let pool = writer as? DatabasePool else { return }
    try? pool.writeWithoutTransaction { db in
      let waited = try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0
      try db.execute(sql: "PRAGMA busy_timeout = 0")
      defer { try? db.execute(sql: "PRAGMA busy_timeout = \(waited)") }
      _ = try? db.checkpoint(.truncate)
    }
  }

  /// Migrates `pool` forward. Two processes opening the same store at once can both see a
  /// migration unapplied and both run it, one after the other: the loser fails, with "table
  /// already exists" (most migrations) or, for one that rebuilds a table (0005), with the
  /// UNIQUE constraint of `grdb_migrations` when it records itself. Each migration is its own
  /// transaction, so nothing of the loser's is left behind. It waits and tries again, and then
  /// finds the winner's migrations applied.
  ///
  /// A loser fails only on a migration the winner has committed, and so recorded. A failure
  /// while the record of applied migrations has not grown is therefore no race: the store's
  /// tables were changed outside seiscluster (its `grdb_migrations` table emptied or dropped,
  /// say). That is refused at once, naming the migration record, not after retrying for
  /// seconds.
  static func migrate(_ pool: DatabasePool) throws {
    let migrator = migrator
    var attempt = 0
    while true {
      let before = try? pool.read { try migrator.appliedIdentifiers($0) }
      do {
        try migrator.migrate(pool)
        return
      } catch let error as DatabaseError
        where (error.resultCode == .SQLITE_ERROR || error.resultCode == .SQLITE_CONSTRAINT)
        && attempt < 20
      {
        let after = try? pool.read { try migrator.appliedIdentifiers($0) }
        if let before, let after, after == before {
          let missing = migrator.migrations.filter { !after.contains($0) }
          throw StoreError.unusable(
            path: pool.path,
            reason:
              "cannot open the store: its record of applied migrations (table grdb_migrations) "
              + "lacks \(missing.first ?? "a migration") though the tables it makes exist "
              + "(\(SeisStore.describe(error))); the store was changed outside seiscluster")
        }
        attempt += 1
        Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
      }
    }
  }

  /// An in-memory store, for tests.
  public init() throws {
    var config = Configuration()
    config.foreignKeysEnabled = true
    let queue = try DatabaseQueue(configuration: config)
    self.writer = queue
    self.path = ":memory:"
    self.isReadOnly = false
    self.leases = RunLeases(storePath: ":memory:")
    try SeisStore.migrator.migrate(queue)
  }

  /// Every migration, in order. Each one is named, lives in its own file
  /// (`Migrations/NNNN-name.swift`) and is never edited once released.
  static var migrator: DatabaseMigrator {
    var m = DatabaseMigrator()
    for migration in SeisStore.migrations {
      m.registerMigration(migration.name, migrate: migration.apply)
    }
    return m
  }

  static let migrations: [Migration] = [
    Migration(name: "0001-metadata", apply: Migration0001.apply),
    Migration(name: "0002-traces", apply: Migration0002.apply),
    Migration(name: "0003-picks-windows", apply: Migration0003.apply),
    Migration(name: "0004-runs", apply: Migration0004.apply),
    Migration(name: "0005-compact-samples", apply: Migration0005.apply),
    Migration(name: "0006-segment-spans", apply: Migration0006.apply),
    Migration(name: "0007-sweeps", apply: Migration0007.apply),
    Migration(name: "0008-resolved-paths", apply: Migration0008.apply),
    Migration(name: "0009-segment-quality", apply: Migration0009.apply),
  ]
}

struct Migration: Sendable {
  let name: String
  let apply: @Sendable (Database) throws -> Void
}
