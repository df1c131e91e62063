import GRDB

/// Int32 and float32 samples may be stored as deltas (`SampleEncoding`): `segment` gains
/// `sample_encoding` ('raw' for every row stored before), and the blob-length rule of raw blobs
/// becomes a range for delta blobs (a width byte per 16 samples, at most 4 bytes a sample). SQLite cannot change a table's checks in place, so the table is rebuilt with
/// the same ids and rows.
enum Migration0005 {
  static func apply(_ db: Database) throws {
    try db.create(table: "segment_new") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("file_id", .integer).notNull().references("source_file", onDelete: .cascade)
      t.column("channel_id", .integer).notNull().references("channel", onDelete: .restrict)
      t.column("start_ns", .integer).notNull()
      t.column("end_ns", .integer).notNull()
      t.column("sampling_rate", .double).notNull().check { $0 >= 0 }
      t.column("sample_count", .integer).notNull().check { $0 > 0 }
      t.column("sample_type", .text).notNull()
        .check { ["int32", "float32", "float64"].contains($0) }
      t.column("sample_encoding", .text).notNull().defaults(to: "raw")
        .check { ["raw", "int32-delta", "float32-delta"].contains($0) }
      t.column("samples", .blob).notNull()
      t.check(
        sql: """
          CASE sample_encoding
            WHEN 'raw' THEN
              length(samples) = sample_count * (CASE sample_type WHEN 'float64' THEN 8 ELSE 4 END)
            WHEN 'int32-delta' THEN sample_type = 'int32'
              AND length(samples) BETWEEN (sample_count + 15) / 16
                AND sample_count * 4 + (sample_count + 15) / 16
            ELSE sample_type = 'float32'
              AND length(samples) BETWEEN (sample_count + 15) / 16
                AND sample_count * 4 + (sample_count + 15) / 16
          END
          """)
      t.check(sql: "end_ns >= start_ns")
    }
    try db.execute(
      sql: """
        INSERT INTO segment_new (id, file_id, channel_id, start_ns, end_ns, sampling_rate,
                                 sample_count, sample_type, sample_encoding, samples)
        SELECT id, file_id, channel_id, start_ns, end_ns, sampling_rate, sample_count,
               sample_type, 'raw', samples FROM segment
        """)
    try db.drop(table: "segment")
    try db.rename(table: "segment_new", to: "segment")
    try db.create(
      index: "segment_by_channel_time", on: "segment", columns: ["channel_id", "start_ns"])
    try db.create(index: "segment_by_file", on: "segment", columns: ["file_id"])
  }
}
