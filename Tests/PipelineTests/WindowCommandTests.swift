import Foundation
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// The `seiscluster` binary `swift test` builds beside the tests, or nil when not built.
private let binary: URL? = {
  let url = TestPaths.repositoryRoot.appendingPathComponent(".build/debug/seiscluster")
  return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

/// `windows build` and `cluster` as a user runs them: options that leave no window, and sizes
/// that cannot be allocated, are one error line and exit 1, and the store is left as it was.
@Suite(
  .enabled(if: binary != nil, "needs .build/debug/seiscluster: run `swift build` first"))
struct WindowCommandTests {
  struct Outcome {
    var status: Int32
    var errors: String
  }

  func run(_ arguments: [String], in dir: URL) throws -> Outcome {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let errURL = dir.appendingPathComponent("err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus,
      errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
  }

  /// A store with one 100 Hz three-component station and a few P picks.
  func makeStore(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("store.sqlite").path
    _ = try noiseStationStore(
      path: path, network: "XH", station: "H01", seed: 5, samples: 60_000,
      pickSeconds: [100, 200, 300])
    return path
  }

  /// `--stations` given twice used the last list alone (an adversarial sweep): the lists join.
  @Test func stationsGivenTwiceJoin() throws {
    let dir = try TestPaths.temporaryDirectory("window-stations-twice")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    _ = try noiseStationStore(
      path: db, network: "XJ", station: "J01", seed: 6, samples: 60_000, pickSeconds: [150])
    let window = ["--before", "1", "--after", "3", "--input", "waveform"]
    for (stations, count) in [(["XJ.*"], 1), (["XH.*"], 3), (["XH.*", "XJ.*"], 4)] {
      let outcome = try run(
        ["windows", "build", "--db", db] + stations.flatMap { ["--stations", $0] } + window,
        in: dir)
      #expect(outcome.status == 0, "\(outcome.errors)")
      #expect(outcome.errors.contains("built \(count) of \(count) pick"), "\(stations)")
    }
  }

  /// `cluster --orphans` refuses windows that are not correlation profiles, naming what they
  /// would be: spectrograms (the default at two stations) or waveforms at a rate too low for
  /// spectrograms (a review found those called spectrograms).
  @Test func orphansNameTheInputTheWindowsWouldHave() throws {
    let dir = try TestPaths.temporaryDirectory("window-orphans-input")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    _ = try noiseStationStore(
      path: db, network: "XJ", station: "J01", seed: 6, samples: 60_000, pickSeconds: [150])
    for (options, kind) in [
      (["--before", "5", "--after", "25"], "spectrograms"),
      (
        ["--before", "5", "--after", "25", "--rate", "1", "--bandpass", "none"],
        "waveforms (--rate too low for spectrograms)"
      ),
    ] {
      let outcome = try run(
        ["cluster", "--db", db, "--clusters", "2", "--orphans", "0.7"] + options, in: dir)
      #expect(outcome.status == 1, "\(options): \(outcome.errors)")
      #expect(
        outcome.errors.contains("at more than one station (their windows would be \(kind))"),
        "\(options): \(outcome.errors)")
    }
  }

  /// `windows list` shows every set with the runs that use it; `windows delete` removes sets
  /// no run uses, all or none, and keeps the current set and a run's set.
  @Test func windowSetsAreListedAndThoseNoRunUsesDeleted() throws {
    let dir = try TestPaths.temporaryDirectory("window-delete")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let window = ["--before", "1", "--after", "3", "--input", "waveform"]
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    let cluster = try run(
      ["cluster", "-q", "--db", db, "--clusters", "2", "--epochs", "1", "--restarts", "1"],
      in: dir)
    #expect(cluster.status == 0, "\(cluster.errors)")
    for after in ["4", "5"] {
      let build = try run(
        ["windows", "build", "-q", "--db", db, "--before", "1", "--after", after], in: dir)
      #expect(build.status == 0)
    }
    let store = try SeisStore(path: db)
    let listed = try WindowSetList.run(store: store, format: .csv)
    let lines = listed.split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    #expect(
      lines[1].hasPrefix("1,,waveform,3,3,400,100.0,14400,")  // 3 windows of 3 x 400 float32
        && lines[1].contains(",1,,before 1 after 3"), "\(lines[1])")
    #expect(lines[3].hasPrefix("3,yes,"))
    // Sets built with other options say how they differ from the defaults.
    #expect(lines[3].hasSuffix(",before 1 after 5"))
    // All or none: set 2 is free, set 1 is run 1's.
    let both = try run(["windows", "delete", "--db", db, "2", "1"], in: dir)
    #expect(both.status == 1)
    #expect(both.errors.contains("window set 1 is kept: run 1 uses it"), "\(both.errors)")
    #expect(try store.windowSetSummaries().count == 3)
    let current = try run(["windows", "delete", "--db", db, "3"], in: dir)
    #expect(current.status == 1 && current.errors.contains("window set 3 is the current set"))
    // A set newer than the current one (as a running cluster's noise-referenced set is) is
    // left by --unused, and deleted when named.
    #expect(
      try run(["windows", "build", "-q", "--db", db, "--before", "1", "--after", "6"], in: dir)
        .status == 0)
    try store.makeWindowSetCurrent(id: 3)
    let unused = try run(["windows", "delete", "--db", db, "--unused"], in: dir)
    #expect(unused.status == 0, "\(unused.errors)")
    #expect(unused.errors.contains("deleted set 2 (3 windows"), "\(unused.errors)")
    #expect(try store.windowSetSummaries().compactMap(\.windowSet.id) == [1, 3, 4])
    #expect(try run(["windows", "delete", "-q", "--db", db, "4"], in: dir).status == 0)
    #expect(try store.windowSetSummaries().compactMap(\.windowSet.id) == [1, 3])
    let options = try run(
      [
        "windows", "build", "-q", "--db", db, "--before", "1", "--after", "6", "--rate", "50",
        "--bandpass", "1,10", "--spectrogram-reference", "frequency", "--input", "spectrogram",
        "--end", "2026-03-01T00:04:00Z",
      ], in: dir)
    #expect(options.status == 0, "\(options.errors)")
    let table = try WindowSetList.run(store: store, format: .table)
    #expect(
      table.contains(
        "before 1 after 6 until 2026-03-01T00:04:00.000000Z reference frequency rate 50 bandpass 1,10"
      ), "\(table)")
    // The run's set still reads.
    #expect(try store.windowSetContents(id: 1)?.count == 3)
    #expect(try run(["windows", "delete", "--db", db], in: dir).status == 64)
  }

  /// `windows list` keeps a set to one line, as `traces list` does: a control character in
  /// an imported file's name is written escaped (the table code they now share).
  @Test func aNewlineInAnImportedSetsNameStaysOnItsRow() throws {
    let dir = try TestPaths.temporaryDirectory("window-list-newline")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = dir.appendingPathComponent("s.sqlite").path
    let npy = dir.appendingPathComponent("a\nb.npy")
    try FileManager.default.copyItem(
      at: TestPaths.fixtures.appendingPathComponent("npy/windows_f4_4x3x100.npy"), to: npy)
    #expect(try run(["windows", "import", "-q", "--db", db, npy.path], in: dir).status == 0)
    let table = try WindowSetList.run(store: SeisStore(path: db), format: .table)
    let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3 && lines[2].isEmpty, "\(table)")
    #expect(lines[1].hasSuffix("a\\nb.npy"), "\(lines[1])")
    #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
  }

  /// An unfinished run trained on the noise reference first falls back to the set it was
  /// trained instead of (`first_over`) on `--resume`: that set is kept too (a review found
  /// `windows delete --unused` deleting it, and the resume then losing the run).
  @Test func theSetAnUnfinishedRunFallsBackToIsKept() throws {
    let dir = try TestPaths.temporaryDirectory("window-delete-first-over")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    for after in ["3", "4", "5"] {
      let build = try run(
        ["windows", "build", "-q", "--db", db, "--before", "1", "--after", after], in: dir)
      #expect(build.status == 0)
    }
    // Run on set 2, trained instead of set 1, not finished; set 3 current.
    let store = try SeisStore(path: db)
    var unfinished = try store.createRun(
      RunRecord(
        kind: .cluster, windowSetId: 2, version: "test", seed: 0, clusterCount: 2,
        optionsJson: #"{"clusters": 2, "first_over": 1}"#))
    for command in [["1"], ["--unused"]] {
      let outcome = try run(["windows", "delete", "--db", db] + command, in: dir)
      #expect(outcome.errors.contains("deleted") == false, "\(command): \(outcome.errors)")
    }
    #expect(
      try run(["windows", "delete", "--db", db, "1"], in: dir).errors.contains(
        "window set 1 is kept: run \(unfinished.id ?? 0) uses it"))
    #expect(try store.windowSetSummaries().compactMap(\.windowSet.id) == [1, 2, 3])
    // The listing says the run is unfinished (a process holds it here: running).
    let id = unfinished.id ?? 0
    let listed = try WindowSetList.run(store: store, format: .csv).split(separator: "\n")
    #expect(listed[1].contains(",\(id) (running),"), "\(listed[1])")
    #expect(listed[2].contains(",\(id) (running),"), "\(listed[2])")
    // Once the run is finished it no longer falls back: set 1 goes.
    unfinished.status = .failed
    try store.updateRun(unfinished)
    #expect(try run(["windows", "delete", "-q", "--db", db, "--unused"], in: dir).status == 0)
    #expect(try store.windowSetSummaries().compactMap(\.windowSet.id) == [2, 3])
    #expect(try store.windowSetSummaries().first?.unfinished.isEmpty == true)
    // A run whose process is gone (its lease free) is interrupted.
    do {
      let other = try SeisStore(path: db)
      _ = try other.createRun(
        RunRecord(
          kind: .cluster, windowSetId: 2, version: "test", seed: 0, clusterCount: 2,
          optionsJson: "{}"))
    }
    let gone = try #require(try store.windowSetSummaries().first { $0.windowSet.id == 2 })
    #expect(gone.unfinished.values.sorted() == ["interrupted"], "\(gone.unfinished)")
    let refused = try run(["windows", "delete", "--db", db, "2"], in: dir)
    #expect(refused.status == 1)
    #expect(
      refused.errors.contains("was interrupted: `seiscluster cluster --resume` finishes it"),
      "\(refused.errors)")
  }

  /// The contract's `round((before + after) * rate)` is Python's round: 1.125 s at 100 Hz is
  /// 112 samples, where Swift's `rounded()` made 113; half a sample is none, and refused.
  @Test func aWindowOfHalfASampleMoreHasTheEvenCountAsPythonsRound() throws {
    let dir = try TestPaths.temporaryDirectory("window-half-sample")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    for (after, length) in [("1", 112), ("1.25", 138)] {
      let outcome = try run(
        [
          "windows", "build", "--db", db, "--before", "0.125", "--after", after, "--input",
          "waveform",
        ],
        in: dir)
      #expect(outcome.status == 0, "\(outcome.errors)")
      #expect(try SeisStore(path: db).currentWindowSet()?.length == length, "--after \(after)")
    }
    let none = try run(
      ["windows", "build", "--db", db, "--before", "0.005", "--after", "0", "--input", "waveform"],
      in: dir)
    #expect(none.status == 64)
    #expect(none.errors.contains("holds no sample"), "\(none.errors)")
    #expect(try SeisStore(path: db).currentWindowSet()?.length == 138)
  }

  /// A date Int64 nanoseconds cannot hold is named as such, as `picks import` names it, not
  /// called unreadable; `--epochs` and `--max-iterations` have upper bounds.
  @Test func timesOutsideTheStorableRangeAndAbsurdCountsAreUsageErrors() throws {
    let dir = try TestPaths.temporaryDirectory("window-commands")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = dir.appendingPathComponent("none.sqlite").path
    let window = ["--before", "1", "--after", "3"]
    for (arguments, message) in [
      (
        ["windows", "build", "--end", "9999-01-01"],
        "--end '9999-01-01' is a valid date outside the storable range (1677-09-21T00:12:44Z to 2262-04-11T23:47:16.854775807Z)"
      ),
      (
        ["windows", "build", "--start", "2024-02-30"],
        "--start '2024-02-30' is not an ISO 8601 UTC time"
      ),
      (["cluster", "--epochs", "100001"], "--epochs takes 0 to 100000"),
      (["cluster", "--max-iterations", "10000001"], "--max-iterations takes 0 to 10000000"),
      (["cluster", "--update-interval", "10000001"], "--update-interval takes 1 to 10000000"),
    ] {
      let outcome = try run(arguments + ["--db", db] + window, in: dir)
      #expect(outcome.status == 64, "\(arguments): \(outcome.errors)")
      #expect(outcome.errors.hasPrefix("error: \(message)"), "\(outcome.errors)")
      #expect(outcome.errors.split(separator: "\n").count == 1)
    }
    #expect(!FileManager.default.fileExists(atPath: db))
  }

  @Test func optionsThatSelectNothingExitOneWithOneLineAndClusterDoesNotFallBack() throws {
    let dir = try TestPaths.temporaryDirectory("window-commands")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let window = ["--before", "1", "--after", "3", "--input", "waveform"]
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    let before = try SeisStore(path: db).currentWindowSet()?.id
    for command in [["windows", "build"], ["cluster", "--clusters", "2", "--epochs", "1"]] {
      let outcome = try run(command + ["--db", db, "--phase", "ZZZ"] + window, in: dir)
      #expect(outcome.status == 1, "\(command): \(outcome.errors)")
      let lines = outcome.errors.split(separator: "\n")
      #expect(lines.count == 1, "\(outcome.errors)")
      #expect(lines.first?.hasPrefix("error: ") == true)
      #expect(outcome.errors.contains("no pick selected (no stored pick matches phase 'ZZZ';"))
    }
    let store = try SeisStore(path: db)
    #expect(try store.currentWindowSet()?.id == before)
    #expect(
      try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") } == 0)
  }

  /// A `cluster` (or `sweep`) that builds its set and then fails (more clusters than windows;
  /// a network too large; a kernel longer than the window) leaves the current set as it was,
  /// and no set that nothing uses: a sweep found the new set made current, and one of 2,000
  /// spectrograms left in the store where no command could reach it.
  @Test func aClusterThatFailsAfterBuildingItsSetLeavesTheStoreAsItWas() throws {
    let dir = try TestPaths.temporaryDirectory("window-cluster-failure")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let window = ["--input", "waveform", "--after", "3"]
    #expect(
      try run(["windows", "build", "-q", "--db", db, "--before", "1"] + window, in: dir).status
        == 0)
    let before = try SeisStore(path: db).currentWindowSet()?.id
    let commands = [
      ["cluster", "--clusters", "5"], ["cluster", "--clusters", "2", "--latent", "1000000"],
      ["cluster", "--clusters", "2", "--kernels", "1000"],
      ["sweep", "--latent", "2", "--kernels", "1000", "--output", "s.csv"],
      // Its run stored and failed (it diverges): the sweep goes, its set stays with the failed
      // run, and the previous set is current again (a review found the new one current).
      ["sweep", "--latent", "2", "--l2", "1e300", "--output", "s2.csv"],
    ]
    for command in commands {
      let outcome = try run(
        command + ["-q", "--db", db, "--epochs", "1", "--before", "2"] + window, in: dir)
      #expect(outcome.status == 1, "\(command): \(outcome.errors)")
      #expect(outcome.errors.split(separator: "\n").count == 1, "\(outcome.errors)")
      let store = try SeisStore(path: db)
      #expect(try store.currentWindowSet()?.id == before, "\(command)")
      // Every set left is the current one or a run's (a failed run keeps its set).
      let unused = try store.writer.read { db in
        try Int.fetchOne(
          db,
          sql: """
            SELECT count(*) FROM window_sets s WHERE NOT s.is_current
              AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.window_set_id = s.id)
            """)
      }
      #expect(unused == 0, "\(command)")
      #expect(try store.check().isEmpty)
    }
  }

  /// Options that cannot go together are refused before the current window set is replaced:
  /// `--orphans` without correlation input (given, or the default for picks at two stations),
  /// and `sweep --input correlation`.
  @Test func incompatibleOptionsAreRefusedBeforeTheCurrentSetIsReplaced() throws {
    let dir = try TestPaths.temporaryDirectory("window-refusals")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let window = ["--before", "1", "--after", "5"]
    #expect(try run(["windows", "build", "-q", "--db", db] + window, in: dir).status == 0)
    let before = try SeisStore(path: db).currentWindowSet()
    // The one station's picks get correlation input by default.
    #expect(before?.isCorrelationInput == true)
    // A pick at a second station: the default would be spectrograms.
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    try SeisStore(path: db).insertPicks([
      PickRecord(
        network: "XH", station: "H02", location: "", channel: nil, time: t0.adding(seconds: 50),
        phase: "P", note: nil, origin: "test")
    ])
    let cases: [([String], Int32, String)] = [
      (
        ["cluster", "--clusters", "2", "--orphans", "0.7", "--input", "spectrogram"], 64,
        "--orphans"
      ),
      (["cluster", "--clusters", "2", "--orphans", "0.7"], 1, "more than one station"),
      // No pick selected: the build says so (it was blamed on "more than one station").
      (
        ["cluster", "--clusters", "2", "--orphans", "0.7", "--end", "2020-01-01"], 1,
        "no pick selected"
      ),
      (
        [
          "sweep", "--latent", "2", "--clusters", "2", "--output", "s.csv", "--input",
          "correlation",
        ], 64,
        "--input correlation is for cluster"
      ),
    ]
    for (command, status, message) in cases {
      let outcome = try run(command + ["--db", db] + window, in: dir)
      #expect(outcome.status == status, "\(command): \(outcome.errors)")
      #expect(outcome.errors.contains(message), "\(command): \(outcome.errors)")
    }
    // One station's short windows are waveforms by default, whatever the station count.
    let short = try run(
      [
        "cluster", "--clusters", "2", "--orphans", "0.7", "--stations", "XH.H02", "--before", "1",
        "--after", "2", "--db", db,
      ], in: dir)
    #expect(short.status == 1, "\(short.errors)")
    #expect(
      short.errors.contains(
        "windows of 3.0 s (under 5.12 s) are waveforms by default: give --input correlation"),
      "\(short.errors)")
    let store = try SeisStore(path: db)
    #expect(try store.currentWindowSet()?.id == before?.id)
    #expect(
      try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") } == 0)
  }

  @Test func aRateThatCannotBeAllocatedIsRefusedInOneLineAndTheStoreStaysSound() throws {
    let dir = try TestPaths.temporaryDirectory("window-sizes")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    for command in [["windows", "build"], ["cluster", "--clusters", "2"]] {
      let outcome = try run(
        command + ["--db", db, "--rate", "1e9", "--before", "2", "--after", "8"], in: dir)
      #expect(outcome.status == 1, "\(command): \(outcome.errors)")
      #expect(outcome.errors.split(separator: "\n").count == 1, "\(outcome.errors)")
      #expect(outcome.errors.contains("lower --rate"), "\(outcome.errors)")
      #expect(!outcome.errors.contains("Fatal"))
    }
    #expect(try run(["check", "--db", db], in: dir).status == 0)
  }
}
