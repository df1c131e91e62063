import Foundation
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `cluster` retrains on the frequency reference when its clusters follow stations whose
/// windows differ within clusters, and keeps the retrain only when its clusters no longer
/// follow stations (decision 0020), as a user runs it. The retrain that is kept is checked in
/// process (`clustersThatFollowStationResponsesCallForTheFrequencyReference`) and on generator
/// B (decision 0020's matrix): a store where it is kept by a margin that no CPU's rounding
/// could move was not found small enough for the suite.
@Suite(
  .enabled(
    if: SeisclusterProcess.binary != nil,
    "needs .build/debug/seiscluster: run `swift build` first"))
struct ReferenceRetrainCommandTests {
  func run(_ arguments: [String], in dir: URL) throws -> SeisclusterProcess.Outcome {
    try SeisclusterProcess.run(arguments, in: dir)
  }

  /// Three 100 Hz three-component stations, 16 events 70 s apart at all three: bursts at 2 Hz
  /// and at 12 Hz, alternately, in weak noise; each station's response at 4, 9 or 15 Hz.
  func makeStore(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("store.sqlite").path
    let store = try SeisStore(path: path)
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    let rate = 100.0
    let events = 16
    let count = Int(Double(events + 2) * 70 * rate)
    var generator = SeededGenerator(seed: 7)
    for (s, f0) in [4.0, 9.0, 15.0].enumerated() {
      let name = "S0\(s + 1)"
      var segments: [Segment] = []
      for channel in ["HHZ", "HHN", "HHE"] {
        var x = (0..<count).map { _ in 0.05 * generator.nextGaussian() }
        for e in 0..<events {
          let start = Int((Double(e) + 1) * 70 * rate)
          let frequency = e % 2 == 0 ? 2.0 : 12.0
          for j in 0..<Int(20 * rate) {
            let t = Double(j) / rate
            x[start + j] += exp(-t / 4) * sin(2 * .pi * frequency * t)
          }
        }
        let phase = generator.nextUniform() * 2 * .pi
        for i in 0..<count { x[i] += 2 * sin(2 * .pi * f0 * Double(i) / rate + phase) }
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

  /// A hum is not a gain: the retrain's clusters still follow stations, so the retrain is
  /// discarded and the first run kept, its set current again.
  @Test func aRetrainWhoseClustersStillFollowStationsIsDiscarded() throws {
    let dir = try TestPaths.temporaryDirectory("reference-retrain-hum")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let outcome = try run(["cluster", "--db", db] + options, in: dir)
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(outcome.errors.contains("retraining with --spectrogram-reference frequency"))
    #expect(
      outcome.errors.contains(
        "kept run 1: the retrain is discarded, as its clusters still follow stations"),
      "\(outcome.errors)")
    let stored = try runs(db)
    #expect(stored.count == 1 && stored[0].status == .complete)
    let store = try SeisStore(path: db)
    #expect(try store.currentWindowSet()?.id == stored[0].windowSetId)
    // Its window set stays, and no model is left without a run.
    let counts = try store.writer.read { db in
      (
        try Int.fetchOne(db, sql: "SELECT count(*) FROM window_sets") ?? 0,
        try Int.fetchOne(db, sql: "SELECT count(*) FROM models") ?? 0
      )
    }
    #expect(counts.0 == 2 && counts.1 == 1)
    #expect(try store.check().isEmpty)

    // The reference given is kept: no retrain, the hint instead.
    let kept = try run(
      ["cluster", "--db", db, "--spectrogram-reference", "window"] + options, in: dir)
    #expect(kept.status == 0, "\(kept.errors)")
    #expect(!kept.errors.contains("retraining") && kept.errors.contains("hint:"))
    #expect(try runs(db).count == 2)
  }

  /// With the default restarts, the first run stops training restarts once the restart it
  /// would keep calls for the retrain: the retrain decides (decision 0020, "Stopping early for
  /// the retrain"). Here its first two restarts disagree (each follows the stations its own
  /// way), which before trained up to seven.
  @Test func theDefaultRestartsStopOnceTheRetrainIsCalledFor() throws {
    let dir = try TestPaths.temporaryDirectory("reference-retrain-early")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let outcome = try run(
      [
        "cluster", "--db", db, "--clusters", "2", "--before", "5", "--after", "55", "--epochs",
        "3", "--seed", "1",
      ], in: dir)
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(
      outcome.errors.contains(
        "no further restart here, the retrain on the frequency reference decides"),
      "\(outcome.errors)")
    #expect(outcome.errors.contains("retraining with --spectrogram-reference frequency"))
    let first = try #require(try runs(db).first)
    let history = try #require(first.historyJson.data(using: .utf8))
    let restarts = try #require(
      (try JSONSerialization.jsonObject(with: history) as? [String: Any])?["restarts"]
        as? [String: Any])
    #expect((restarts["restarts"] as? [Any])?.count == 2, "\(restarts.keys)")
  }
}
