import Foundation
import GRDB
import Testing

@testable import Store

/// `--db` naming something that is not a seiscluster store is refused in one line before
/// SQLite creates or changes anything (issue 17, item 15).
@Suite struct StoreOpeningTests {
  func reason(_ path: String, access: SeisStore.Access = .readWrite) -> String? {
    do {
      _ = try SeisStore(path: path, access: access)
      return nil
    } catch StoreError.unusable(_, let reason) {
      return reason
    } catch {
      return "unexpected: \(error)"
    }
  }

  func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("store-opening-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func aFolderOrAnEmptyPathIsNotAStore() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(reason(dir.path)?.hasPrefix("is a folder, not a store") == true)
    #expect(reason("") == "an empty path names no store")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  @Test func aFileThatIsNotSQLiteIsRefusedAndLeftAsItWas() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("notes.sqlite").path
    let text = Data(String(repeating: "field notes\n", count: 20).utf8)
    _ = FileManager.default.createFile(atPath: path, contents: text)
    #expect(reason(path) == "is not a SQLite database, so not a seiscluster store")
    #expect(FileManager.default.contents(atPath: path) == text)
  }

  @Test func anotherApplicationsDatabaseIsRefusedAndGetsNoTables() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("app.sqlite").path
    let queue = try DatabaseQueue(path: path)
    try queue.write { db in
      try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
      try db.execute(sql: "INSERT INTO users (name) VALUES ('ada')")
    }
    try queue.close()
    #expect(reason(path)?.contains("another application's SQLite database (tables users)") == true)
    #expect(reason(path, access: .readOnly)?.contains("another application's") == true)
    let tables = try DatabaseQueue(path: path).read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    #expect(tables == ["users"])
  }

  @Test func aDatabaseWithAnotherApplicationIDIsRefused() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("other.sqlite").path
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = 42") }
    try queue.close()
    #expect(reason(path)?.contains("application_id 0x2a") == true)
  }

  @Test func aNewStoreIsMarkedAndAStoreFromBeforeTheMarkIsRecognisedAndMarked() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    let store = try SeisStore(path: path)
    func applicationID(_ store: SeisStore) throws -> Int32? {
      try store.writer.read { try Int32.fetchOne($0, sql: "PRAGMA application_id") }
    }
    #expect(try applicationID(store) == SeisStore.applicationID)
    // As made by an earlier version: no application id, seiscluster's migrations recorded.
    try store.writer.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA application_id = 0")
    }
    let reopened = try SeisStore(path: path)
    #expect(try applicationID(reopened) == SeisStore.applicationID)
  }

  @Test func aStoreBeingCreatedByAnotherProcessIsNotTakenForAForeignOne() throws {
    // Only seiscluster's own tables, no migration recorded yet: a store mid-creation.
    let queue = try DatabaseQueue()
    try queue.write { db in
      try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
      try db.execute(sql: "CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    }
    #expect(try queue.read { try SeisStore.foreignDatabaseProblem($0) } == nil)
    try queue.write { try $0.execute(sql: "CREATE TABLE users (id INTEGER)") }
    #expect(try queue.read { try SeisStore.foreignDatabaseProblem($0) } != nil)
  }

  /// A store a newer version migrated further was read and written without a word (a sweep):
  /// refused, read-only too, and left as it was.
  @Test func aStoreMigratedByANewerVersionIsRefused() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("newer.sqlite").path
    let store = try SeisStore(path: path)
    try store.writer.write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('0099-from-a-newer-version')")
    }
    store.settleLog()
    for access in [SeisStore.Access.readWrite, .readOnly] {
      #expect(
        reason(path, access: access)
          == "was migrated by a newer version of seiscluster (migration 0099-from-a-newer-version is unknown to this one): use that version; nothing was written to it"
      )
    }
  }

  /// A database whose tables happen to carry a store's names, with no record of seiscluster's
  /// migrations, was taken for a store and migrated, even by `check`; every open then failed
  /// (a hostile-input sweep). It is refused, and nothing is written to it.
  @Test func tablesNamedAsAStoresWithoutItsMigrationsAreAnotherApplications() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, setup) in [
      ("rows", "CREATE TABLE picks (a, b); INSERT INTO picks VALUES (1, 2)"),
      ("norecord", "CREATE TABLE runs (a)"),
      (
        "rowsandrecord",
        "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); CREATE TABLE metadata (k, v); INSERT INTO metadata VALUES ('a', 'b')"
      ),
    ] {
      let path = dir.appendingPathComponent("\(name).sqlite").path
      let queue = try DatabaseQueue(path: path)
      try queue.write { try $0.execute(sql: setup) }
      try queue.close()
      let before = try Data(contentsOf: URL(fileURLWithPath: path))
      #expect(
        reason(path)?.contains("holds tables named as a seiscluster store's") == true,
        "\(name): \(reason(path) ?? "nil")")
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(name)")
    }
  }

  /// A store whose record of applied migrations was emptied or dropped outside seiscluster is
  /// refused at once, naming the record: it used to be taken for a second process creating the
  /// store, retried for 10 s, and then blamed a table that "already exists".
  @Test func aStoreWhoseMigrationRecordWasRemovedIsRefusedAtOnce() throws {
    let dir = try folder()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, change, missing) in [
      ("dropped", "DROP TABLE grdb_migrations", "0001-metadata"),
      ("row", "DELETE FROM grdb_migrations WHERE identifier = '0007-sweeps'", "0007-sweeps"),
    ] {
      let path = dir.appendingPathComponent("\(name).sqlite").path
      _ = try SeisStore(path: path)
      let queue = try DatabaseQueue(path: path)
      try queue.writeWithoutTransaction { try $0.execute(sql: change) }
      try queue.close()
      // After 20 retries the raw SQLite error would be the whole reason.
      let why = try #require(reason(path))
      #expect(
        why.hasPrefix(
          "cannot open the store: its record of applied migrations (table grdb_migrations) lacks \(missing)"
        ), "\(why)")
      #expect(why.hasSuffix("the store was changed outside seiscluster"))
    }
  }

  @Test func storageFailuresAreToldFromOtherErrors() {
    #expect(SeisStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_FULL)))
    #expect(SeisStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_IOERR_WRITE)))
    #expect(!SeisStore.isStorageFailure(DatabaseError(resultCode: .SQLITE_CONSTRAINT)))
    #expect(!SeisStore.isStorageFailure(StoreError.invalid("x")))
    let line = SeisStore.describe(
      DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full", sql: "INSERT"))
    #expect(line == "SQLite error 13: database or disk is full")
    // SQLite's words for an I/O error or a file it cannot open name no cause: the likely ones
    // follow (a sweep met both, on a full disk and in a read-only folder).
    #expect(
      SeisStore.describe(DatabaseError(resultCode: .SQLITE_IOERR_WRITE, message: "disk I/O error"))
        == "SQLite error 10: disk I/O error (a full disk, a file-size limit or a failing device?)")
    #expect(
      SeisStore.describe(
        DatabaseError(resultCode: .SQLITE_CANTOPEN, message: "unable to open database file"))
        == "SQLite error 14: unable to open database file (a read-only or missing folder? SQLite creates the store's -wal and -shm files beside it)"
    )
  }
}
