import GRDB

/// Latent-size sweeps (`seiscluster sweep`): a sweep is a list of cluster runs on one window
/// set, one per architecture and latent size, with each run's reconstruction loss and, when a
/// truth file was given, its scores. (0006 is the segment-spans migration of the window-speed
/// work; this one keeps clear of its number.)
enum Migration0007 {
  static func apply(_ db: Database) throws {
    try db.create(table: "sweeps") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("window_set_id", .integer).notNull().indexed()
        .references("window_sets", onDelete: .restrict)
      t.column("version", .text).notNull()
      t.column("options_json", .text).notNull()
      t.column("created_at", .text).notNull()
    }
    try db.create(table: "sweep_runs") { t in
      t.column("sweep_id", .integer).notNull().references("sweeps", onDelete: .cascade)
      t.column("run_id", .integer).notNull().unique().references("runs", onDelete: .cascade)
      t.primaryKey(["sweep_id", "run_id"])
      t.column("position", .integer).notNull().check { $0 >= 0 }
      t.column("architecture", .text).notNull()
      t.column("latent", .integer).notNull().check { $0 >= 0 }
      t.column("loss", .text).notNull()
      t.column("reconstruction_loss", .double).notNull()
      t.column("acc", .double)
      t.column("nmi", .double)
      t.column("ari", .double)
      t.uniqueKey(["sweep_id", "position"])
    }
  }
}
