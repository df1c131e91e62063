import GRDB

/// Channels, the files they came from, and their continuous segments with samples.
///
/// - `channel`: one row per SEED channel (network, station, location, channel; unique).
/// - `source_file`: one row per ingested file, unique by content (SHA-256).
/// - `segment`: one continuous run of samples of one channel from one file. Times are Int64
///   nanoseconds (start and last sample); samples are a little-endian blob of the native type,
///   whose length the schema ties to `sample_count`.
enum Migration0002 {
  static func apply(_ db: Database) throws {
    try db.create(table: "channel") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("network", .text).notNull()
      t.column("station", .text).notNull()
      t.column("location", .text).notNull()
      t.column("channel", .text).notNull()
      t.uniqueKey(["network", "station", "location", "channel"])
    }
    try db.create(table: "source_file") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("path", .text).notNull()
      t.column("size", .integer).notNull().check { $0 >= 0 }
      t.column("sha256", .text).notNull().unique()
      t.column("format", .text).notNull().check { ["mseed", "sac"].contains($0) }
      t.column("ingested_at", .text).notNull()
    }
    try db.create(table: "segment") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("file_id", .integer).notNull().references("source_file", onDelete: .cascade)
      t.column("channel_id", .integer).notNull().references("channel", onDelete: .restrict)
      t.column("start_ns", .integer).notNull()
      t.column("end_ns", .integer).notNull()
      t.column("sampling_rate", .double).notNull().check { $0 >= 0 }
      t.column("sample_count", .integer).notNull().check { $0 > 0 }
      t.column("sample_type", .text).notNull()
        .check { ["int32", "float32", "float64"].contains($0) }
      t.column("samples", .blob).notNull()
      t.check(
        sql: """
          length(samples) = sample_count * (CASE sample_type WHEN 'float64' THEN 8 ELSE 4 END)
          """)
      t.check(sql: "end_ns >= start_ns")
    }
    try db.create(
      index: "segment_by_channel_time", on: "segment", columns: ["channel_id", "start_ns"])
    try db.create(index: "segment_by_file", on: "segment", columns: ["file_id"])
  }
}
