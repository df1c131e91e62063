import Foundation
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `cluster` retrains on the noise reference when its clusters follow stations whose windows
/// differ within clusters, and keeps the retrain only when its clusters no longer follow
/// stations (decision 0020), as a user runs it: discarded (stations that hum and record
/// different mixes of events), kept (stations that differ by a gain per frequency, by margins
/// measured over seeds 1-8), and the default restarts' early stop (stations that hum, kept).
@Suite(
  .enabled(
    if: SeisclusterProcess.binary != nil,
    "needs .build/debug/seiscluster: run `swift build` first"))
struct ReferenceRetrainCommandTests {
  func run(_ arguments: [String], in dir: URL) throws -> SeisclusterProcess.Outcome {
    try SeisclusterProcess.run(arguments, in: dir)
  }

  /// Three 100 Hz three-component stations, 16 events 70 s apart at all three: bursts at 2 Hz
  /// and at 12 Hz, alternately, in weak noise; each station's hum at 4, 9 or 15 Hz. With
  /// `unevenMix`, S01 records every event as a 2 Hz burst and S02 as a 12 Hz one: the classes
  /// follow the stations.
  func makeStore(in dir: URL, unevenMix: Bool = false) throws -> String {
    try makeStore(in: dir, seed: 7, events: 16, noise: 0.05, burstSeconds: 20) {
      s, e, t, _ in
      let low = unevenMix && s < 2 ? s == 0 : e % 2 == 0
      return exp(-t / 4) * sin(2 * .pi * (low ? 2.0 : 12.0) * t)
    } station: { s, x, generator in
      let f0 = [4.0, 9.0, 15.0][s]
      let phase = generator.nextUniform() * 2 * .pi
      for i in x.indices { x[i] += 2 * sin(2 * .pi * f0 * Double(i) / 100 + phase) }
    }
  }

  /// Three 100 Hz three-component stations, 24 events 70 s apart at all three: white-noise
  /// bursts decaying in 1.5 s and in 5 s alternately, in weak noise. Each station's whole trace
  /// passes its own response: a second-order low-pass at 1 Hz, a second-order high-pass at
  /// 15 Hz, or none. A response is a gain per frequency, which a reference per bin (noise or
  /// frequency) cancels and the window reference shows.
  func makeResponseStore(in dir: URL) throws -> String {
    try makeStore(in: dir, seed: 11, events: 24, noise: 0.02, burstSeconds: 40) {
      _, e, t, generator in
      exp(-t / (e % 2 == 0 ? 1.5 : 5)) * generator.nextGaussian()
    } station: { s, x, _ in
      guard s < 2 else { return }
      let rc = 1 / (2 * Double.pi * (s == 0 ? 1 : 15))
      let dt = 1 / 100.0
      for _ in 0..<2 {
        var y = x
        for i in 1..<x.count {
          y[i] =
            s == 0
            ? y[i - 1] + dt / (rc + dt) * (x[i] - y[i - 1])
            : rc / (rc + dt) * (y[i - 1] + x[i] - x[i - 1])
        }
        x = y
      }
    }
  }

  /// Stations S01-S03 at 100 Hz, three components each, `events` picks 70 s apart at all of
  /// them. Each trace: Gaussian noise of `noise`, plus `burst(station, event, t)` for `burstSeconds`
  /// after each pick, then `station(index, trace)` (a station's response).
  func makeStore(
    in dir: URL, seed: UInt64, events: Int, noise: Double, burstSeconds: Double,
    burst: (Int, Int, Double, inout SeededGenerator) -> Double,
    station: (Int, inout [Double], inout SeededGenerator) -> Void
  ) throws -> String {
    let path = dir.appendingPathComponent("store.sqlite").path
    let store = try SeisStore(path: path)
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    let rate = 100.0
    let count = Int(Double(events + 2) * 70 * rate)
    var generator = SeededGenerator(seed: seed)
    for s in 0..<3 {
      let name = "S0\(s + 1)"
      var segments: [Segment] = []
      for channel in ["HHZ", "HHN", "HHE"] {
        var x = (0..<count).map { _ in noise * generator.nextGaussian() }
        for e in 0..<events {
          let start = Int((Double(e) + 1) * 70 * rate)
          for j in 0..<Int(burstSeconds * rate) {
            x[start + j] += burst(s, e, Double(j) / rate, &generator)
          }
        }
        station(s, &x, &generator)
        segments.append(
          Segment(
            source: SourceIdentifier(network: "XR", station: name, location: "", channel: channel),
            startTime: t0, samplingRate: rate, samples: .float32(x.map { Float($0) })))
      }
      try store.storeFile(
        path: name, size: 0, sha256: name, format: .miniSEED, segments: segments)
      try store.insertPicks(
        (0..<events).map {
          PickRecord(
            network: "XR", station: name, location: "", channel: nil,
            time: t0.adding(seconds: (Double($0) + 1) * 70), phase: "P", note: nil, origin: "test")
        })
    }
    return path
  }

  func runs(_ db: String) throws -> [RunRecord] {
    let store = try SeisStore(path: db)
    return try (1...10).compactMap { try store.run(id: Int64($0)) }
  }

  let options = [
    "--clusters", "2", "--before", "5", "--after", "55", "--epochs", "3", "--restarts", "2",
    "--seed", "1", "-q",
  ]

  /// Stations that record different mixes of events (S01 only 2 Hz bursts, S02 only 12 Hz)
  /// and differ by a hum. The set's own k-means clusters follow the stations, whose windows
  /// differ within clusters, so `cluster` trains on the noise reference first: it removes the
  /// hum, but its clusters still follow stations, as the events do, so that run is discarded
  /// and the window reference trained. (A release build did so on seeds 1-8: the noise run's
  /// V 0.64-0.82.) With the choice left to the window run (SEISCLUSTER_REFERENCE_CHECK=run,
  /// the path before stop 32) the retrain is discarded and the first run kept, its set
  /// current again.
  @Test func aRunOnTheNoiseReferenceWhoseClustersStillFollowStationsIsDiscarded() throws {
    let dir = try TestPaths.temporaryDirectory("reference-retrain-hum")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir, unevenMix: true)
    let base = dir.appendingPathComponent("base.sqlite").path
    try FileManager.default.copyItem(atPath: db, toPath: base)
    let outcome = try run(["cluster", "--db", db] + options, in: dir)
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(
      outcome.errors.contains(
        "training on --spectrogram-reference noise first: k-means on these window-referenced spectrograms finds clusters that follow stations"
      ), "\(outcome.errors)")
    #expect(
      outcome.errors.contains(
        "the run on --spectrogram-reference noise is discarded, as its clusters still follow stations"
      ), "\(outcome.errors)")
    #expect(!outcome.errors.contains("retraining with"))
    try expectOneRunOnTheWindowReference(db, windowSet: 1)

    // The reference given is kept: no retrain, the hint instead.
    let kept = try run(
      ["cluster", "--db", db, "--spectrogram-reference", "window"] + options, in: dir)
    #expect(kept.status == 0, "\(kept.errors)")
    #expect(!kept.errors.contains("retraining with") && kept.errors.contains("hint:"))
    #expect(!kept.errors.contains("first:"))
    #expect(try runs(db).count == 2)

    let after = try SeisclusterProcess.run(
      ["cluster", "--db", base] + options, in: dir,
      environment: ["SEISCLUSTER_REFERENCE_CHECK": "run"])
    #expect(after.status == 0, "\(after.errors)")
    #expect(!after.errors.contains("first:"))
    #expect(after.errors.contains("retraining with --spectrogram-reference noise"))
    #expect(
      after.errors.contains(
        "kept run 1: the retrain is discarded, as its clusters still follow stations"),
      "\(after.errors)")
    try expectOneRunOnTheWindowReference(base, windowSet: 1)
  }

  /// Killed while training on the noise reference first, `cluster --resume` settles the run as
  /// an uninterrupted `cluster` does: discarded, then the window reference trained.
  @Test func aResumedRunOnTheNoiseReferenceIsSettledAsAnUninterruptedOne() throws {
    let dir = try TestPaths.temporaryDirectory("reference-first-resume")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir, unevenMix: true)
    let live = try SeisclusterProcess.start(
      ["cluster", "--db", db] + options, in: dir,
      environment: ["SEISCLUSTER_CHECKPOINT_SECONDS": "0"])
    defer { if live.process.isRunning { kill(live.process.processIdentifier, SIGKILL) } }
    // Killed once the run on the noise set (set 2) has stored a checkpoint.
    let store = try SeisStore(path: db)
    let deadline = Date().addingTimeInterval(120)
    var checkpointed = false
    while !checkpointed && live.process.isRunning && Date() < deadline {
      let running = try store.writer.read { db in
        try Int64.fetchOne(
          db, sql: "SELECT id FROM runs WHERE status = 'running' AND window_set_id = 2")
      }
      checkpointed = try running.flatMap { try store.checkpoint(runID: $0) } != nil
      if !checkpointed { Thread.sleep(forTimeInterval: 0.02) }
    }
    #expect(checkpointed, "no checkpoint of the noise run before the command ended")
    kill(live.process.processIdentifier, SIGKILL)
    live.process.waitUntilExit()
    // The noise set is made current only once its run stands: killed before, the window
    // reference's set stays current (the noise set was current from its build on before
    // stop 41, so a kill before the run began left a set no run used current).
    #expect(try store.currentWindowSet()?.id == 1)
    let resumed = try run(["cluster", "--db", db, "--resume", "-q"], in: dir)
    #expect(resumed.status == 0, "\(resumed.errors)")
    #expect(
      resumed.errors.contains(
        "the run on --spectrogram-reference noise is discarded, as its clusters still follow stations"
      ), "\(resumed.errors)")
    // The window run that follows names no reference already tried.
    #expect(!resumed.errors.contains("hint:"), "\(resumed.errors)")
    try expectOneRunOnTheWindowReference(db, windowSet: 1)
    let summary = try #require(try runs(db).first?.summary)
    #expect(
      summary.contains(
        "spectrogram reference: window, after the run on --spectrogram-reference noise was discarded"
      ), "\(summary)")
  }

  /// A run trained first on the noise reference that fails (here an option that no set can
  /// satisfy) fails the command once, as a failed `cluster` does: no window run after a
  /// warning, no run stored, and the previous current set (none) current again.
  @Test func aFailingRunOnTheNoiseReferenceFailsTheCommandOnce() throws {
    let dir = try TestPaths.temporaryDirectory("reference-first-fails")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeResponseStore(in: dir)
    let outcome = try run(
      [
        "cluster", "--db", db, "--clusters", "auto", "--kernels", "1000", "--before", "5",
        "--after", "55", "--epochs", "1", "-q",
      ], in: dir)
    #expect(outcome.status == 1, "\(outcome.errors)")
    #expect(outcome.errors.contains("training on --spectrogram-reference noise first"))
    #expect(outcome.errors.contains("error: ") && outcome.errors.contains("--kernels 1000"))
    #expect(!outcome.errors.contains("training on the window reference"), "\(outcome.errors)")
    #expect(outcome.errorLines.filter { $0.hasPrefix("error:") }.count == 1)
    let store = try SeisStore(path: db)
    #expect(try runs(db).isEmpty)
    #expect(try store.currentWindowSet() == nil)
    #expect(try store.check().isEmpty)
  }

  /// One complete run in the store, on window set `windowSet`, which is current; two window
  /// sets, and no model without a run.
  func expectOneRunOnTheWindowReference(_ db: String, windowSet: Int64) throws {
    let stored = try runs(db)
    #expect(stored.count == 1 && stored[0].status == .complete)
    #expect(stored.first?.windowSetId == windowSet)
    let store = try SeisStore(path: db)
    #expect(try store.currentWindowSet()?.id == windowSet)
    let counts = try store.writer.read { db in
      (
        try Int.fetchOne(db, sql: "SELECT count(*) FROM window_sets") ?? 0,
        try Int.fetchOne(db, sql: "SELECT count(*) FROM models") ?? 0
      )
    }
    #expect(counts.0 == 2 && counts.1 == 1)
    #expect(try store.check().isEmpty)
  }

  /// Stations that differ by a gain per frequency: the window-referenced set's own k-means
  /// clusters follow them, so `cluster` trains on the noise reference first; that run's
  /// clusters follow the events' two envelopes at every station, so it is kept, its set
  /// current, and no run is trained on the window reference.
  @Test func aRunOnTheNoiseReferenceWhoseClustersNoLongerFollowStationsIsKept() throws {
    let dir = try TestPaths.temporaryDirectory("reference-retrain-kept")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeResponseStore(in: dir)
    // The default 30 epochs: 3 leave 72 windows unlearnt. A release build kept the noise run
    // on seeds 1-8, splitting 72 of 72 (the window-referenced run, before stop 32: V 0.60-0.89,
    // station share 35-57 %; the noise run: V 0); this debug build, seed 1, too. 300 s (not the
    // usual 120) before a loaded machine's run of 30 epochs is killed.
    let outcome = try SeisclusterProcess.run(
      [
        "cluster", "--db", db, "--clusters", "2", "--before", "5", "--after", "55", "--restarts",
        "2", "--seed", "1",
      ], in: dir, timeout: 300)
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(outcome.errors.contains("training on --spectrogram-reference noise first"))
    // The summary (standard output) says which reference the kept run has.
    #expect(
      outcome.output.contains(
        "spectrogram reference: noise, chosen before training (k-means on the window-referenced set 1"
      ), "\(outcome.output)")
    #expect(
      !outcome.errors.contains("is discarded") && !outcome.errors.contains("retraining with"))
    let stored = try runs(db)
    #expect(stored.count == 1 && stored.allSatisfy { $0.status == .complete })
    let store = try SeisStore(path: db)
    #expect(try store.currentWindowSet()?.id == stored.last?.windowSetId)
    #expect(stored.first?.windowSetId == 2)
    // The retrain's clusters are the two envelopes (even events and odd): seeds 1-8 split them
    // exactly; 90 % leaves room for another CPU's rounding, and a split by station scores at
    // most 67 %.
    let (matched, windows) = try evenOddSplit(db, in: dir)
    #expect(windows == 72 && matched >= 65, "\(matched) of \(windows)")
    #expect(try store.check().isEmpty)
  }

  /// How many windows of the latest run's catalog fall in the clusters that split the even
  /// events from the odd ones, the better of the two matchings; and how many windows it has.
  func evenOddSplit(_ db: String, in dir: URL) throws -> (matched: Int, windows: Int) {
    let exported = dir.appendingPathComponent("c.csv").path
    let export = try run(
      ["export", "--db", db, "--format", "csv", "--output", exported, "--force", "-q"], in: dir)
    #expect(export.status == 0, "\(export.errors)")
    let rows = try String(contentsOfFile: exported, encoding: .utf8).split(separator: "\n")
      .dropFirst()
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    var table = [[0, 0], [0, 0]]
    for row in rows {
      let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let time = try #require(Timestamp(iso8601: fields[4]))
      let event = Int((Double(time.nanoseconds(since: t0)) / 1e9 / 70).rounded()) - 1
      let cluster = try #require(Int(fields[6]))
      table[event % 2][cluster] += 1
    }
    return (max(table[0][0] + table[1][1], table[0][1] + table[1][0]), rows.count)
  }

  /// With the choice left to the window run (SEISCLUSTER_REFERENCE_CHECK=run: the path
  /// before stop 32, still taken when the set's own clusters do not call for the retrain but
  /// the run's do), the default restarts stop once the restart the run would keep calls for
  /// the retrain: the retrain decides (decision 0020, "Stopping early for the retrain"). Here
  /// its first two restarts disagree (each follows the stations its own way), which before
  /// trained up to seven.
  @Test func theDefaultRestartsStopOnceTheRetrainIsCalledFor() throws {
    let dir = try TestPaths.temporaryDirectory("reference-retrain-early")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let outcome = try SeisclusterProcess.run(
      [
        "cluster", "--db", db, "--clusters", "2", "--before", "5", "--after", "55", "--epochs",
        "3", "--seed", "1",
      ], in: dir, environment: ["SEISCLUSTER_REFERENCE_CHECK": "run"])
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(
      outcome.errors.contains(
        "no further restart here, the retrain on another spectrogram reference decides"),
      "\(outcome.errors)")
    #expect(outcome.errors.contains("retraining with --spectrogram-reference noise"))
    #expect(
      outcome.output.contains("spectrogram reference: noise, retrained after run 1"),
      "\(outcome.output)")
    // A hum is steady noise: against each bin's own noise before the pick it vanishes, and the
    // retrain's clusters are the bursts' two frequencies at every station, so it is kept.
    #expect(!outcome.errors.contains("the retrain is discarded"), "\(outcome.errors)")
    let (matched, windows) = try evenOddSplit(db, in: dir)
    #expect(windows == 48 && matched >= 44, "\(matched) of \(windows)")
    let first = try #require(try runs(db).first)
    let history = try #require(first.historyJson.data(using: .utf8))
    let restarts = try #require(
      (try JSONSerialization.jsonObject(with: history) as? [String: Any])?["restarts"]
        as? [String: Any])
    #expect((restarts["restarts"] as? [Any])?.count == 2, "\(restarts.keys)")
  }
}
