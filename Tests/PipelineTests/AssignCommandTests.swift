import Foundation
import Numerics
import Seismic
import Store
import TestSupport
import Testing

/// `assign` as a user runs it, over sets built at different times: a window id names one
/// window in a run's catalog. A sweep found two windows under one id: after `assign` on a set
/// rebuilt with earlier picks (ids counted 0..N-1 in each set) and after `windows import` of
/// the run's own windows without their index.
@Suite(
  .enabled(
    if: SeisclusterProcess.binary != nil,
    "needs .build/debug/seiscluster: run `swift build` first"))
struct AssignCommandTests {
  func run(_ arguments: [String], in dir: URL) throws -> SeisclusterProcess.Outcome {
    try SeisclusterProcess.run(arguments, in: dir)
  }

  /// One 100 Hz three-component station of noise and 12 P picks, 40 s apart.
  func makeStore(in dir: URL) throws -> (path: String, picks: [Timestamp]) {
    let path = dir.appendingPathComponent("store.sqlite").path
    let picks = try noiseStationStore(
      path: path, network: "XA", station: "A01", seed: 11, samples: 52_000,
      pickSeconds: (1...12).map { 40 * Double($0) })
    return (path, picks)
  }

  let window = ["--input", "waveform", "--before", "1", "--after", "3"]

  /// A run on the later half of the picks (6 windows).
  func clusterTheLaterHalf(_ db: String, picks: [Timestamp], in dir: URL) throws {
    let cluster = try run(
      [
        "cluster", "-q", "--db", db, "--clusters", "2", "--epochs", "1", "--max-iterations", "2",
        "--start", picks[6].iso8601,
      ] + window, in: dir)
    #expect(cluster.status == 0, "\(cluster.errors)")
  }

  /// `window_id` -> pick time of each catalog row of the latest run, failing on a repeated id.
  func catalog(_ db: String, in dir: URL) throws -> [String: String] {
    let csv = try run(["export", "-q", "--db", db, "--format", "csv", "--output", "-"], in: dir)
    #expect(csv.status == 0, "\(csv.errors)")
    let lines = csv.output.split(separator: "\n")
    let header = try #require(lines.first).split(separator: ",")
    let id = try #require(header.firstIndex(of: "window_id"))
    let time = try #require(header.firstIndex(of: "time"))
    var out: [String: String] = [:]
    for line in lines.dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      #expect(out[String(fields[id])] == nil, "window_id \(fields[id]) twice")
      out[String(fields[id])] = String(fields[time])
    }
    return out
  }

  @Test func aWindowIdNamesOneWindowInARunsCatalogAcrossSets() throws {
    let dir = try TestPaths.temporaryDirectory("assign-ids")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (db, picks) = try makeStore(in: dir)
    // A run on the later half of the picks, then a set of them all: the new windows come
    // first in time, where the old numbering gave them the ids of the run's own windows.
    try clusterTheLaterHalf(db, picks: picks, in: dir)
    let first = try catalog(db, in: dir)
    #expect(first.count == 6)
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    let assign = try run(["assign", "--db", db], in: dir)
    #expect(assign.status == 0, "\(assign.errors)")
    #expect(
      (assign.output + assign.errors).contains(
        "gave clusters to 6 new windows; skipped 6 already assigned"))
    let both = try catalog(db, in: dir)
    #expect(both.count == 12)
    #expect(Set(both.values) == Set(picks.map(\.iso8601)))
    // The run's windows kept their ids in the rebuilt set.
    for (id, time) in first { #expect(both[id] == time, "window_id \(id)") }

    // The set exported and imported again with its index: the same windows, nothing new.
    let export = try run(
      ["windows", "export", "-q", "--db", db, "--output", "w.npy", "--index", "w.csv"], in: dir)
    #expect(export.status == 0, "\(export.errors)")
    #expect(
      try run(["windows", "import", "-q", "--db", db, "w.npy", "--index", "w.csv"], in: dir)
        .status == 0)
    let again = try run(["assign", "--db", db], in: dir)
    #expect(again.status == 0, "\(again.errors)")
    #expect(
      (again.output + again.errors).contains(
        "gave clusters to 0 new windows; skipped 12 already assigned"))

    // Imported without the index, the windows are numbered 0..11 in their set: ids the
    // catalog gives to other windows. Refused, and nothing is added.
    #expect(try run(["windows", "import", "-q", "--db", db, "w.npy"], in: dir).status == 0)
    let clash = try run(["assign", "--db", db], in: dir)
    #expect(clash.status == 1)
    #expect(clash.errorLines.count == 1, "\(clash.errors)")
    #expect(clash.errors.contains("names another window"), "\(clash.errors)")
    #expect(try catalog(db, in: dir) == both)

    // With an index that gives the windows ids of their own and no pick times, they are new
    // windows to the run.
    let fresh =
      "window_id\n" + (0..<12).map { String(1000 + $0) }.joined(separator: "\n") + "\n"
    try fresh.write(to: dir.appendingPathComponent("fresh.csv"), atomically: true, encoding: .utf8)
    #expect(
      try run(["windows", "import", "-q", "--db", db, "w.npy", "--index", "fresh.csv"], in: dir)
        .status == 0)
    let added = try run(["assign", "--db", db], in: dir)
    #expect(added.status == 0, "\(added.errors)")
    #expect(try catalog(db, in: dir).count == 24)
    #expect(try run(["check", "--db", db], in: dir).status == 0)
  }

  /// A run made before decision 0021 numbered its windows 0..N-1. New picks earlier than its
  /// own then take ids its catalog has: refused, with the cause and the way out.
  @Test func aRunWhoseWindowsWereNumberedByPositionSaysSo() throws {
    let dir = try TestPaths.temporaryDirectory("assign-old-ids")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (db, picks) = try makeStore(in: dir)
    try clusterTheLaterHalf(db, picks: picks, in: dir)
    // As an earlier version stored them: the run's windows numbered by position.
    let store = try SeisStore(path: db)
    try store.writer.write { db in
      try db.execute(
        sql: """
          UPDATE windows SET window_key = id - (SELECT min(id) FROM windows WHERE window_set_id = 1)
          WHERE window_set_id = 1
          """)
    }
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    let assign = try run(["assign", "--db", db], in: dir)
    #expect(assign.status == 1)
    #expect(assign.errorLines.count == 1, "\(assign.errors)")
    #expect(assign.errors.contains("which an earlier version numbered 0..N-1"), "\(assign.errors)")
    // The same when the old windows' picks are gone (replaced by a later `picks import`).
    try store.writer.write { db in
      try db.execute(sql: "UPDATE windows SET pick_id = NULL WHERE window_set_id = 1")
    }
    let gone = try run(["assign", "--db", db], in: dir)
    #expect(gone.status == 1)
    #expect(gone.errors.contains("which an earlier version numbered 0..N-1"), "\(gone.errors)")
    // Clustering the current set, as the line says, works.
    let again = try run(
      ["cluster", "-q", "--db", db, "--clusters", "2", "--epochs", "1", "--max-iterations", "2"],
      in: dir)
    #expect(again.status == 0, "\(again.errors)")
    #expect(try catalog(db, in: dir).count == 12)
  }

  /// `relabel` labels every window of the run: those `assign` added outside the run's set too
  /// (a sweep found them dropped, the relabel catalog holding the run's own set only), and a
  /// hand label naming one of them is said to be left out for that reason.
  @Test func relabelLabelsTheWindowsAssignAddedToo() throws {
    let dir = try TestPaths.temporaryDirectory("assign-relabel")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (db, picks) = try makeStore(in: dir)
    try clusterTheLaterHalf(db, picks: picks, in: dir)
    let own = try catalog(db, in: dir).keys.sorted { Int($0)! < Int($1)! }
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    #expect(try run(["assign", "-q", "--db", db], in: dir).status == 0)
    let added = try catalog(db, in: dir).keys.filter { !own.contains($0) }.sorted()
    #expect(added.count == 6)
    // Labels that all name added windows: said as such (stop 40's sweep: "class "a" matches no
    // window"), and a file of no rows as that.
    for (text, reason) in [
      (
        "window_id,label\n\(added[0]),a\n\(added[1]),b\n",
        "no label matches a window of run 1's window set (set 1, 6 windows): 2 of the 2 labels name windows `assign` added outside that set, which relabel trains on"
      ),
      ("window_id,label\n", "the file has a header and no label rows"),
    ] {
      try text.write(to: dir.appendingPathComponent("none.csv"), atomically: true, encoding: .utf8)
      let refused = try run(["relabel", "--db", db, "--labels", "none.csv"], in: dir)
      #expect(refused.status == 1)
      #expect(refused.errors.contains(reason), "\(refused.errors)")
    }
    let labels =
      "window_id,label\n\(own[0]),a\n\(own[1]),a\n\(own[2]),b\n\(own[3]),b\n\(added[0]),a\n"
    try labels.write(to: dir.appendingPathComponent("l.csv"), atomically: true, encoding: .utf8)
    let relabel = try run(
      ["relabel", "--db", db, "--labels", "l.csv"], in: dir)
    #expect(relabel.status == 0, "\(relabel.errors)")
    // The label naming an added window labels it (it was left out, with a warning, until a
    // review's daily workflow): not a window relabel trains on, but the user's word in the
    // catalog.
    #expect(!relabel.errors.contains("matches no window"), "\(relabel.errors)")
    #expect(
      (relabel.output + relabel.errors).contains(
        "relabel: 1 hand label names a window outside the run's window set"),
      "\(relabel.output)")
    #expect(
      (relabel.output + relabel.errors).contains(
        "relabel: 6 windows that `assign` gave run 1 (or a relabel of it) outside its window set are labelled too"
      ),
      "\(relabel.output)")
    let json = try run(["export", "-q", "--db", db, "--format", "json", "--output", "-"], in: dir)
    let object = try JSONSerialization.jsonObject(with: json.outputData) as? [String: Any]
    let windows = try #require(object?["windows"] as? [[String: Any]])
    #expect(windows.count == 12)
    for w in windows {
      #expect(["a", "b"].contains(w["label"] as? String), "\(w)")
    }
    let labelledAdded = try #require(
      windows.first { ($0["window_id"] as? Int).map(String.init) == added[0] })
    #expect(labelledAdded["label"] as? String == "a", "\(labelledAdded)")
  }

  /// Relabel trains on the latest `cluster` run: windows `assign` gave a relabel of it (the
  /// latest run, whose catalog the user reads) were left out of a second relabel's catalog in
  /// silence (an adversarial review: 330 rows, then 300). They are labelled too.
  @Test func aSecondRelabelKeepsTheWindowsAssignGaveTheFirst() throws {
    let dir = try TestPaths.temporaryDirectory("assign-relabel-twice")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (db, picks) = try makeStore(in: dir)
    try clusterTheLaterHalf(db, picks: picks, in: dir)
    let own = try catalog(db, in: dir).keys.sorted { Int($0)! < Int($1)! }
    let labels = "window_id,label\n\(own[0]),a\n\(own[1]),a\n\(own[2]),b\n\(own[3]),b\n"
    try labels.write(to: dir.appendingPathComponent("l.csv"), atomically: true, encoding: .utf8)
    let first = try run(["relabel", "-q", "--db", db, "--labels", "l.csv"], in: dir)
    #expect(first.status == 0, "\(first.errors)")
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    let assign = try run(["assign", "--db", db], in: dir)
    #expect((assign.output + assign.errors).contains("run 2 gave clusters to 6 new windows"))
    let assigned = try catalog(db, in: dir)
    #expect(assigned.count == 12)
    let second = try run(["relabel", "--db", db, "--labels", "l.csv"], in: dir)
    #expect(second.status == 0, "\(second.errors)")
    #expect(
      (second.output + second.errors).contains(
        "relabel: 6 windows that `assign` gave run 1 (or a relabel of it) outside its window set are labelled too"
      ), "\(second.output)\(second.errors)")
    let relabelled = try catalog(db, in: dir)
    #expect(Set(relabelled.keys) == Set(assigned.keys))
  }

  /// Day after day of `windows build --start ...` and `assign` leaves a run's added windows in
  /// several sets. `relabel` labelled only those of the current set: a review's daily workflow
  /// saw a catalog of 324 windows shrink to 168. Now every set's are labelled.
  @Test func relabelLabelsTheWindowsAssignAddedFromEverySet() throws {
    let dir = try TestPaths.temporaryDirectory("assign-relabel-sets")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (db, picks) = try makeStore(in: dir)
    try clusterTheLaterHalf(db, picks: picks, in: dir)
    // Two more days: picks 0-2, then picks 3-5, each built and assigned in turn.
    for (start, end) in [(0, 2), (3, 5)] {
      let build = try run(
        [
          "windows", "build", "-q", "--db", db, "--start",
          picks[start].adding(seconds: -1).iso8601, "--end", picks[end].adding(seconds: 1).iso8601,
        ] + window, in: dir)
      #expect(build.status == 0, "\(build.errors)")
      #expect(try run(["assign", "-q", "--db", db], in: dir).status == 0)
    }
    let assigned = try catalog(db, in: dir)
    #expect(assigned.count == 12)
    let own = try catalog(db, in: dir).filter { entry in
      picks[6...].contains { $0.iso8601 == entry.value }
    }.keys.sorted { Int($0)! < Int($1)! }
    #expect(own.count == 6)
    // A hand label may name a window of another day: it labels it in the catalog (the review
    // saw such labels left out), though relabel trains on the run's own set.
    let other = try #require(assigned.keys.first { !own.contains($0) })
    let base = "window_id,label\n\(own[0]),a\n\(own[1]),a\n\(own[2]),b\n\(own[3]),b\n"
    // Two classes for one such window are refused as in the set; a class only such windows
    // carry is said to be one relabel cannot train (a review: the last label won in silence,
    // and "class matches no window").
    for (text, reason) in [
      (
        base + "\(other),a\n\(other),b\n",
        "line 7 labels window \(other) \"b\" but line 6 labels it \"a\""
      ),
      (
        base + "\(other),c\n",
        "class \"c\" labels only windows `assign` added outside run 1's window set"
      ),
    ] {
      try text.write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
      let refused = try run(["relabel", "--db", db, "--labels", "bad.csv"], in: dir)
      #expect(refused.status == 1)
      #expect(refused.errors.contains(reason), "\(refused.errors)")
    }
    // The same label twice is one label.
    let labels = base + "\(other),b\n\(other),b\n"
    try labels.write(to: dir.appendingPathComponent("l.csv"), atomically: true, encoding: .utf8)
    let relabel = try run(["relabel", "--db", db, "--labels", "l.csv"], in: dir)
    #expect(relabel.status == 0, "\(relabel.errors)")
    let said = relabel.output + relabel.errors
    #expect(
      said.contains(
        "relabel: 6 windows that `assign` gave run 1 (or a relabel of it) outside its window set are labelled too"
      ), "\(said)")
    #expect(said.contains("relabel: 1 hand label names a window outside the run's window set"))
    #expect(!said.contains("have no label") && !said.contains("matches no window"), "\(said)")
    #expect(Set(try catalog(db, in: dir).keys) == Set(assigned.keys))
    let csv = try run(["export", "-q", "--db", db, "--format", "csv", "--output", "-"], in: dir)
    let rows = csv.output.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    let header = try #require(rows.first)
    let id = try #require(header.firstIndex(of: "window_id"))
    let label = try #require(header.firstIndex(of: "label"))
    let hand = try #require(header.firstIndex(of: "hand_labelled"))
    let row = try #require(rows.first { $0[id] == other })
    #expect(row[label] == "b" && row[hand] == "true", "\(row)")
  }

  /// SeisBench rows of windows `assign` added from an imported set gave the run's waveform
  /// rate (an adversarial sweep): an imported set's rate is unknown, so those rows leave it
  /// empty, and the run's own rows keep theirs.
  @Test func seisBenchRowsOfAssignedImportedWindowsDescribeTheirOwnSet() throws {
    let dir = try TestPaths.temporaryDirectory("assign-seisbench")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (db, picks) = try makeStore(in: dir)
    try clusterTheLaterHalf(db, picks: picks, in: dir)
    let export = try run(
      ["windows", "export", "-q", "--db", db, "--output", "w.npy", "--index", "w.csv"], in: dir)
    #expect(export.status == 0, "\(export.errors)")
    let fresh = "window_id\n" + (0..<6).map { String(1000 + $0) }.joined(separator: "\n") + "\n"
    try fresh.write(to: dir.appendingPathComponent("fresh.csv"), atomically: true, encoding: .utf8)
    #expect(
      try run(["windows", "import", "-q", "--db", db, "w.npy", "--index", "fresh.csv"], in: dir)
        .status == 0)
    #expect(try run(["assign", "-q", "--db", db], in: dir).status == 0)
    let csv = try run(
      ["export", "-q", "--db", db, "--format", "seisbench", "--output", "-"], in: dir)
    #expect(csv.status == 0, "\(csv.errors)")
    let lines = csv.output.split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let header = try #require(lines.first)
    let name = try #require(header.firstIndex(of: "trace_name"))
    let rate = try #require(header.firstIndex(of: "trace_sampling_rate_hz"))
    let npts = try #require(header.firstIndex(of: "trace_npts"))
    let rows = lines.dropFirst()
    #expect(rows.count == 12)
    for row in rows {
      let imported = Int(row[name])! >= 1000
      #expect(row[rate] == (imported ? "" : "100.0"), "\(row)")
      #expect(row[npts] == "400", "\(row)")
    }
  }
}
