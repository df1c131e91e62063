import GRDB

/// Picks (imported or detected) and window sets: the tensors the network sees, with their
/// preprocessing history. Codes are kept as text so picks may name stations with no data.
enum Migration0003 {
  static func apply(_ db: Database) throws {
    try db.create(table: "picks") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("network", .text).notNull()
      t.column("station", .text).notNull()
      t.column("location", .text).notNull()
      t.column("channel", .text)
      t.column("time_ns", .integer).notNull()
      t.column("phase", .text).notNull().defaults(to: "")
      t.column("note", .text)
      t.column("origin", .text).notNull()
      t.column("created_at", .text).notNull()
      t.uniqueKey(["network", "station", "location", "time_ns", "phase"])
    }
    try db.create(index: "picks_on_time", on: "picks", columns: ["time_ns"])

    try db.create(table: "window_sets") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("created_at", .text).notNull()
      t.column("version", .text).notNull()
      t.column("is_current", .boolean).notNull().defaults(to: false)
      t.column("input_kind", .text).notNull()
        .check { ["waveform", "spectrogram", "imported"].contains($0) }
      t.column("channel_count", .integer).notNull().check { $0 > 0 }
      t.column("length", .integer).notNull().check { $0 > 0 }
      t.column("sampling_rate", .double)
      t.column("parameters_json", .text).notNull()
      t.column("processing_json", .text).notNull()
    }
    try db.execute(
      sql: "CREATE UNIQUE INDEX window_sets_one_current ON window_sets(is_current) WHERE is_current"
    )

    try db.create(table: "windows") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("window_set_id", .integer).notNull().indexed()
        .references("window_sets", onDelete: .cascade)
      t.column("window_key", .integer).notNull()
      t.column("pick_id", .integer).indexed().references("picks", onDelete: .setNull)
      t.column("network", .text).notNull()
      t.column("station", .text).notNull()
      t.column("location", .text).notNull()
      t.column("channels", .text).notNull()
      t.column("pick_time_ns", .integer)
      t.column("phase", .text).notNull().defaults(to: "")
      t.column("start_ns", .integer)
      t.column("data", .blob).notNull()
      t.uniqueKey(["window_set_id", "window_key"])
    }
  }
}
