import Foundation
import Numerics
import Seismic
import Store
import TestSupport

/// A store at `path` holding one 100 Hz three-component station (HHZ, HHN, HHE) of Gaussian
/// noise from 2026-03-01T00:00:00Z and a P pick at each of `pickSeconds` after that start;
/// returns the pick times. For command tests that need picks and traces, not events.
func noiseStationStore(
  path: String, network: String, station: String, seed: UInt64, samples: Int,
  pickSeconds: [Double]
) throws -> [Timestamp] {
  let store = try SeisStore(path: path)
  guard let t0 = Timestamp(iso8601: "2026-03-01T00:00:00Z") else { return [] }
  var generator = SeededGenerator(seed: seed)
  let segments = ["HHZ", "HHN", "HHE"].map { channel in
    Segment(
      source: SourceIdentifier(network: network, station: station, location: "", channel: channel),
      startTime: t0, samplingRate: 100,
      samples: .float32((0..<samples).map { _ in Float(generator.nextGaussian()) }))
  }
  let name = station.lowercased()
  try store.storeFile(path: name, size: 0, sha256: name, format: .miniSEED, segments: segments)
  let picks = pickSeconds.map { t0.adding(seconds: $0) }
  try store.insertPicks(
    picks.map {
      PickRecord(
        network: network, station: station, location: "", channel: nil, time: $0, phase: "P",
        note: nil, origin: "test")
    })
  return picks
}
