import Foundation
import GRDB
import Seismic

extension SeisStore {
  /// The tables the store's migrations make (`check` says when one is missing).
  static let tables = [
    "channel", "source_file", "segment", "picks", "window_sets", "windows", "runs",
    "assignments", "models", "checkpoints", "metadata", "sweeps", "sweep_runs",
  ]

  /// Verifies the store: SQLite's integrity check, foreign keys (orphans), models that belong to
  /// no run, and sample blobs
  /// that cannot hold their sample count and type (a raw blob's length, a delta blob's
  /// blocks). Returns one line per problem
  /// (empty when sound).
  public func check() throws -> [String] {
    try writer.read { db in
      var problems: [String] = []
      for row in try Row.fetchAll(db, sql: "PRAGMA integrity_check") {
        let text: String = row[0]
        if text != "ok" { problems.append("integrity: \(text)") }
      }
      // Every table the store's migrations make: one dropped would fail a later command.
      let tables = Set(
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
      let missing = SeisStore.tables.filter { !tables.contains($0) }
      for table in missing { problems.append("missing table: \(table)") }
      guard missing.isEmpty else { return problems }
      for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
        let table: String = row[0]
        let rowid: Int64? = row[1]
        let parent: String = row[2]
        problems.append("orphan: \(table) row \(rowid ?? -1) refers to a missing \(parent) row")
      }
      let bad = try Row.fetchAll(
        db,
        sql: """
          SELECT id, length(samples), sample_count, sample_type, sample_encoding FROM segment
          WHERE sample_type NOT IN ('int32', 'float32', 'float64')
             OR sample_encoding NOT IN ('raw', 'int32-delta', 'float32-delta')
             OR (sample_encoding = 'raw' AND length(samples) != sample_count
                 * (CASE sample_type WHEN 'float64' THEN 8 ELSE 4 END))
             OR (sample_encoding = 'int32-delta' AND sample_type != 'int32')
             OR (sample_encoding = 'float32-delta' AND sample_type != 'float32')
          """)
      for row in bad {
        let id: Int64 = row[0]
        let length: Int64 = row[1]
        let count: Int64 = row[2]
        let type: String = row[3]
        let encoding: String = row[4]
        problems.append(
          "segment \(id): \(encoding) blob of \(length) bytes disagrees with \(count) \(type) samples"
        )
      }
      // A model belongs to the run that stored it; one without a run was left behind (two
      // processes completing one run, before run leases).
      for id in try Int64.fetchAll(
        db,
        sql: """
          SELECT id FROM models WHERE id NOT IN
            (SELECT model_id FROM runs WHERE model_id IS NOT NULL) ORDER BY id
          """)
      {
        problems.append("orphan: model \(id) belongs to no run")
      }
      // Delta blobs: walk each one's block widths (the samples themselves are not decoded).
      let deltas = try Row.fetchCursor(
        db,
        sql: """
          SELECT id, sample_count, samples FROM segment
          WHERE (sample_encoding = 'int32-delta' AND sample_type = 'int32')
             OR (sample_encoding = 'float32-delta' AND sample_type = 'float32')
          """)
      while let row = try deltas.next() {
        let id: Int64 = row[0]
        let count: Int = row[1]
        let blob: Data = row[2]
        if let problem = blob.withUnsafeBytes({
          SampleBlob.deltaLayoutProblem($0, count: count)
        }) {
          problems.append("segment \(id): \(problem)")
        }
      }
      // Windows: each blob holds its set's channels x length float32 values.
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT w.id, w.window_key, w.window_set_id, length(w.data), s.channel_count * s.length * 4
          FROM windows w JOIN window_sets s ON s.id = w.window_set_id
          WHERE length(w.data) IS NOT s.channel_count * s.length * 4 LIMIT 20
          """)
      {
        let key: Int64 = row[1]
        let set: Int64 = row[2]
        let bytes: Int64? = row[3]
        let expected: Int64 = row[4]
        problems.append(
          "window \(key) of set \(set): blob of \(bytes ?? 0) bytes, expected \(expected)")
      }
      // Assignments: a cluster of the run (or -1, an orphan), a probability in [0, 1], one q per
      // cluster.
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT a.run_id, w.window_key, a.cluster, r.cluster_count, a.probability, length(a.q)
          FROM assignments a JOIN runs r ON r.id = a.run_id JOIN windows w ON w.id = a.window_id
          WHERE a.cluster < -1 OR a.cluster >= r.cluster_count
             OR NOT (a.probability BETWEEN 0 AND 1) OR length(a.q) != 4 * r.cluster_count
          LIMIT 20
          """)
      {
        let run: Int64 = row[0]
        let window: Int64 = row[1]
        let cluster: Int64 = row[2]
        let k: Int64 = row[3]
        let probability: Double = row[4]
        let qBytes: Int64 = row[5]
        problems.append(
          "run \(run), window \(window): cluster \(cluster) of \(k), probability \(probability), q of \(qBytes) bytes (\(4 * k) expected)"
        )
      }
      // Times: the end is the start plus (count - 1) sample periods, as every segment was
      // stored; a row edited or damaged otherwise would mislead `traces list` and the time
      // lookups of `windows build`.
      let times = try Row.fetchCursor(
        db, sql: "SELECT id, start_ns, end_ns, sampling_rate, sample_count FROM segment")
      while let row = try times.next() {
        let id: Int64 = row[0]
        let start: Int64 = row[1]
        let end: Int64 = row[2]
        let rate: Double = row[3]
        let count: Int = row[4]
        guard rate.isFinite, rate > 0, count >= 1 else {
          problems.append("segment \(id): sampling rate \(rate) Hz and \(count) samples")
          continue
        }
        // The span in Double first: a damaged rate or start must be reported, not trap.
        let span = (Double(count - 1) * (1e9 / rate)).rounded()
        guard span.isFinite, abs(Double(start) + span) < Segment.representableNanoseconds else {
          problems.append(
            "segment \(id): \(count) samples at \(rate) Hz from \(Timestamp(nanoseconds: start).iso8601) end beyond the years a store holds"
          )
          continue
        }
        let expected = Segment(
          source: SourceIdentifier(network: "", station: "", location: "", channel: ""),
          startTime: Timestamp(nanoseconds: start), samplingRate: rate, samples: .int32([])
        ).time(ofSample: count - 1).nanoseconds
        if end != expected {
          problems.append(
            "segment \(id): ends at \(Timestamp(nanoseconds: end).iso8601) but \(count) samples at \(rate) Hz from \(Timestamp(nanoseconds: start).iso8601) end at \(Timestamp(nanoseconds: expected).iso8601)"
          )
        }
      }
      return problems
    }
  }
}
