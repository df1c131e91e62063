import GRDB

/// The segment index by channel and start time gains the end time, so "which segments of this
/// channel overlap [from, to]" is answered from the index alone: SQLite checks `end_ns` in the
/// index and reads a row (whose page also holds the start of its sample blob) only for the
/// segments that overlap. Before, every earlier segment of the channel was read from the table
/// for each window chunk: most of `windows build`'s time on an archive of many small files.
/// The old index is a prefix of the new one, so it goes.
enum Migration0006 {
  static func apply(_ db: Database) throws {
    try db.create(
      index: "segment_by_channel_span", on: "segment",
      columns: ["channel_id", "start_ns", "end_ns"])
    try db.drop(index: "segment_by_channel_time")
  }
}
