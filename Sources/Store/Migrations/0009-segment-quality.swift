import GRDB

/// Each stored segment gains the data quality of the MiniSEED records it came from (`D`, `R`,
/// `Q` or `M`, one ASCII letter as libmseed reads it; ObsPy's `stats.mseed.dataquality`), so
/// `traces export` writes it back instead of `D` for every record. SAC segments have none, and
/// neither have the segments stored before this migration: their quality is NULL, and
/// `traces export` writes them as `D`, as it wrote every record before.
enum Migration0009 {
  static func apply(_ db: Database) throws {
    try db.alter(table: "segment") { t in
      t.add(column: "quality", .text).check { $0 == nil || ["D", "R", "Q", "M"].contains($0) }
    }
  }
}
