import GRDB

/// Each stored file gains the path it was read at, absolute and with symbolic links resolved
/// (`realpath`), beside the path as given. Ingest compares a file with the versions stored
/// under its path by it: a path given relative, from another folder or through a link named
/// another file, or missed the same one (`ingest --replace-changed` from inside the folder
/// replaced nothing; a review). Files stored before keep it empty and are compared by their
/// path as given, resolved from the folder ingest runs in, as before.
enum Migration0008 {
  static func apply(_ db: Database) throws {
    try db.alter(table: "source_file") { t in t.add(column: "resolved_path", .text) }
  }
}
