import GRDB

/// Clustering runs: their options, models, training history, checkpoints and per-window results.
enum Migration0004 {
  static func apply(_ db: Database) throws {
    try db.create(table: "models") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("architecture_json", .text).notNull()
      t.column("parameters", .blob).notNull()
      t.column("optimizer_state", .blob)
      t.column("centroids", .blob)
      t.column("created_at", .text).notNull()
    }

    try db.create(table: "runs") { t in
      t.autoIncrementedPrimaryKey("id")
      t.column("kind", .text).notNull().check { ["cluster", "relabel"].contains($0) }
      t.column("parent_run_id", .integer).references("runs", onDelete: .setNull)
      t.column("window_set_id", .integer).notNull().indexed()
        .references("window_sets", onDelete: .restrict)
      t.column("model_id", .integer).references("models", onDelete: .restrict)
      t.column("status", .text).notNull().check { ["running", "complete", "failed"].contains($0) }
      t.column("version", .text).notNull()
      t.column("seed", .integer).notNull()
      t.column("cluster_count", .integer).notNull().check { $0 > 0 }
      t.column("options_json", .text).notNull()
      t.column("history_json", .text).notNull().defaults(to: "{}")
      t.column("summary", .text)
      t.column("created_at", .text).notNull()
      t.column("finished_at", .text)
    }

    try db.create(table: "assignments") { t in
      t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
      t.column("window_id", .integer).notNull().indexed()
        .references("windows", onDelete: .cascade)
      t.primaryKey(["run_id", "window_id"])
      t.column("cluster", .integer).notNull()
      t.column("probability", .double).notNull()
      t.column("distance", .double).notNull()
      t.column("q", .blob).notNull()
      t.column("embedding", .blob)
      t.column("label", .text)
      t.column("label_probability", .double)
      t.column("is_hand_labelled", .boolean).notNull().defaults(to: false)
    }

    try db.create(table: "checkpoints") { t in
      t.primaryKey("run_id", .integer).references("runs", onDelete: .cascade)
      t.column("stage", .text).notNull()
      t.column("iteration", .integer).notNull()
      t.column("state", .blob).notNull()
      t.column("updated_at", .text).notNull()
    }
  }
}
