import GRDB

extension SeisStore {
  /// Verifies the store: SQLite's integrity check, foreign keys (orphans), and sample blobs
  /// whose length disagrees with their sample count and type. Returns one line per problem
  /// (empty when sound).
  public func check() throws -> [String] {
    try writer.read { db in
      var problems: [String] = []
      for row in try Row.fetchAll(db, sql: "PRAGMA integrity_check") {
        let text: String = row[0]
        if text != "ok" { problems.append("integrity: \(text)") }
      }
      for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
        let table: String = row[0]
        let rowid: Int64? = row[1]
        let parent: String = row[2]
        problems.append("orphan: \(table) row \(rowid ?? -1) refers to a missing \(parent) row")
      }
      let bad = try Row.fetchAll(
        db,
        sql: """
          SELECT id, length(samples), sample_count, sample_type FROM segment
          WHERE sample_type NOT IN ('int32', 'float32', 'float64')
             OR length(samples) != sample_count
                * (CASE sample_type WHEN 'float64' THEN 8 ELSE 4 END)
          """)
      for row in bad {
        let id: Int64 = row[0]
        let length: Int64 = row[1]
        let count: Int64 = row[2]
        let type: String = row[3]
        problems.append(
          "segment \(id): blob of \(length) bytes disagrees with \(count) \(type) samples")
      }
      return problems
    }
  }
}
