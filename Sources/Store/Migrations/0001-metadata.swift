import GRDB

/// Key/value metadata about the store itself (the tool version that created it).
enum Migration0001 {
  static func apply(_ db: Database) throws {
    try db.create(table: "metadata") { t in
      t.primaryKey("key", .text)
      t.column("value", .text).notNull()
    }
  }
}
