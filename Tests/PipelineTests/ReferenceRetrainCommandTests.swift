import Foundation
import Numerics
import Seismic
import Store
import TestSupport
import Testing

@testable import Pipeline

/// `cluster` retrains on the frequency reference when its clusters follow stations whose
/// windows differ within clusters (decision 0020), as a user runs it: three stations, each
/// with a hum of its own (a sensor or site response), record two kinds of event.
@Suite(
  .enabled(
    if: SeisclusterProcess.binary != nil,
    "needs .build/debug/seiscluster: run `swift build` first"))
struct ReferenceRetrainCommandTests {
  func run(_ arguments: [String], in dir: URL) throws -> SeisclusterProcess.Outcome {
    try SeisclusterProcess.run(arguments, in: dir)
  }

  /// Three 100 Hz three-component stations, 16 events 70 s apart at all three: bursts at 2 Hz
  /// and at 12 Hz, alternately, in weak noise; each station also hums at a frequency of its own
  /// (4, 9 or 15 Hz), louder than the events.
  func makeStore(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("store.sqlite").path
    let store = try SeisStore(path: path)
    let t0 = try #require(Timestamp(iso8601: "2026-03-01T00:00:00Z"))
    let rate = 100.0
    let events = 16
    let count = Int(Double(events + 2) * 70 * rate)
    var generator = SeededGenerator(seed: 7)
    for (s, hum) in [4.0, 9.0, 15.0].enumerated() {
      let name = "S0\(s + 1)"
      var segments: [Segment] = []
      for channel in ["HHZ", "HHN", "HHE"] {
        var x = (0..<count).map { _ in 0.05 * generator.nextGaussian() }
        let phase = generator.nextUniform() * 2 * .pi
        for i in 0..<count { x[i] += 2 * sin(2 * .pi * hum * Double(i) / rate + phase) }
        for e in 0..<events {
          let start = Int((Double(e) + 1) * 70 * rate)
          let frequency = e % 2 == 0 ? 2.0 : 12.0
          for j in 0..<Int(20 * rate) {
            let t = Double(j) / rate
            x[start + j] += exp(-t / 4) * sin(2 * .pi * frequency * t)
          }
        }
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

  @Test func clustersThatFollowStationHumsAreRetrainedOnTheFrequencyReference() throws {
    let dir = try TestPaths.temporaryDirectory("reference-retrain")
    defer { try? FileManager.default.removeItem(at: dir) }
    let db = try makeStore(in: dir)
    let options = [
      "--clusters", "2", "--before", "5", "--after", "55", "--epochs", "3", "--restarts", "2",
      "--seed", "1", "-q",
    ]
    let outcome = try run(["cluster", "--db", db] + options, in: dir)
    #expect(outcome.status == 0, "\(outcome.errors)")
    #expect(outcome.errors.contains("the stations' windows differ"), "\(outcome.errors)")
    #expect(
      outcome.errors.contains("retraining with --spectrogram-reference frequency: run 1's"),
      "\(outcome.errors)")
    // The retrained run follows the hums too (they stay station-specific bins), but a run is
    // retrained once, and the hint is not printed after a retrain.
    #expect(outcome.errors.components(separatedBy: "retraining with").count == 2)
    #expect(!outcome.errors.contains("hint:"))
    let stored = try runs(db)
    #expect(stored.map(\.status) == [.complete, .complete])
    let store = try SeisStore(path: db)
    let second = try #require(stored.last)
    #expect(try store.currentWindowSet()?.id == second.windowSetId)
    let set = try #require(try store.windowSet(id: second.windowSetId))
    #expect(set.buildOptions?.spectrogramReference == .frequency)
    #expect(set.buildOptions?.before == 5)
    #expect(
      second.summary?.contains("spectrogram reference: frequency, retrained after run 1") == true)
    // The first run stays, on its window-referenced set.
    let first = try #require(stored.first)
    #expect(
      try store.windowSet(id: first.windowSetId)?.buildOptions?.spectrogramReference == .window)

    // The reference given is kept: no retrain, the hint instead.
    let kept = try run(
      ["cluster", "--db", db, "--spectrogram-reference", "window"] + options, in: dir)
    #expect(kept.status == 0, "\(kept.errors)")
    #expect(!kept.errors.contains("retraining"))
    #expect(kept.errors.contains("hint:"))
    #expect(try runs(db).count == 3)
  }
}
