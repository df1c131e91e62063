import Clustering
import Foundation
import Numerics
import Seismic
import Store

@testable import Pipeline

/// A store holding a realistic small clustering: two families of 3-component, 100 Hz windows
/// (a 3 Hz and a 12 Hz wavelet after the pick, in noise) at three stations, their picks, and a
/// complete run with soft assignments, embeddings and training curves.
struct ExportFixture {
  static let rate = 100.0
  static let before = 2.0
  static let after = 8.0
  static let length = Int((before + after) * rate)
  static let firstPick = Timestamp(iso8601: "2026-03-01T00:06:16.649649Z")!

  var store: SeisStore
  var setID: Int64
  var runID: Int64
  /// Window ids (`window_key`) in order, with their true family.
  var families: [(key: Int64, family: Int)]

  /// `count` windows alternating between the families; station `B,x` has a comma and a quote
  /// in its phase to exercise quoting. `labelled` adds a relabel run on top.
  static func make(
    store: SeisStore = try! SeisStore(), count: Int = 12, labelled: Bool = false,
    inputKind: WindowSetRecord.InputKind = .waveform, familyCount: Int = 2,
    stationNames: [(String, String, String)] = [
      ("XX", "STA1", ""), ("XX", "STA2", "00"), ("YY", "B,x", "10"),
    ],
    spacing: Int64 = 3_600_000_000_123, seed: UInt64 = 3
  ) throws -> ExportFixture {
    var generator = SeededGenerator(seed: 7)
    let stations = stationNames
    var picks: [PickRecord] = []
    for i in 0..<count {
      let (net, sta, loc) = stations[i % stations.count]
      picks.append(
        PickRecord(
          network: net, station: sta, location: loc, channel: i % 4 == 0 ? "HHZ" : nil,
          time: firstPick.adding(nanoseconds: Int64(i) * spacing),
          phase: sta == "B,x" ? "P\"g,1" : (i % 2 == 0 ? "P" : "S"), note: nil,
          origin: "picks.csv"))
    }
    try store.insertPicks(picks)
    let storedPicks = try store.picks()
    let channelCount = inputKind == .spectrogram ? 3 * 17 : 3
    let length = inputKind == .spectrogram ? 60 : ExportFixture.length
    var windows: [WindowRecord] = []
    var families: [(Int64, Int)] = []
    for (i, pick) in storedPicks.enumerated() {
      let family = i % familyCount
      let key = Int64(100 + i * 3)
      families.append((key, family))
      let samples =
        inputKind == .spectrogram
        ? spectrogram(family: family, bins: 17, frames: length, generator: &generator)
        : waveform(family: family, generator: &generator)
      windows.append(
        WindowRecord(
          windowSetId: 0, windowKey: key, pickId: pick.id, network: pick.network,
          station: pick.station, location: pick.location, channels: "HHZ,HHN,HHE",
          pickTime: pick.time, phase: pick.phase,
          startTime: pick.time.adding(seconds: -before), samples: samples))
    }
    let set = try store.replaceCurrentWindowSet(
      WindowSetRecord(
        version: "0.1.0", inputKind: inputKind, channelCount: channelCount, length: length,
        samplingRate: inputKind == .spectrogram ? Double(length) / (before + after) : rate,
        parametersJson: #"{"before":2,"after":8,"rate":100,"bandpass":[1,20]}"#,
        processingJson: "[]"), windows: windows)
    let stored = try require2(store.windowSetContents(id: set.id!))
    let runID = try addRun(
      store: store, setID: set.id!, windows: stored.windows, families: families,
      generator: &generator, seed: seed)
    var fixture = ExportFixture(store: store, setID: set.id!, runID: runID, families: families)
    if labelled {
      fixture.runID = try addRelabelRun(
        store: store, parent: runID, setID: set.id!, windows: stored.windows, families: families)
    }
    return fixture
  }

  /// A damped sinusoid after the pick on every component (different amplitude per component),
  /// in Gaussian noise: 3 Hz for family 0, 12 Hz for family 1, 6.5 Hz (long coda) for 2.
  static let frequencies = [3.0, 12.0, 6.5]
  static let decays = [1.5, 0.6, 3.0]

  static func waveform(family: Int, generator: inout SeededGenerator) -> [Float] {
    let frequency = frequencies[family % 3]
    var out: [Float] = []
    for component in 0..<3 {
      let gain = [1.0, 0.6, 0.45][component]
      for n in 0..<length {
        let t = Double(n) / rate - before
        var v = 0.05 * generator.nextGaussian()
        if t >= 0 { v += gain * exp(-t / decays[family % 3]) * sin(2 * .pi * frequency * t) }
        out.append(Float(v))
      }
    }
    return out
  }

  /// A log-magnitude spectrogram (bins x components as channels, frames as length) with its
  /// energy in a low or a high band after frame 10.
  static func spectrogram(family: Int, bins: Int, frames: Int, generator: inout SeededGenerator)
    -> [Float]
  {
    var out: [Float] = []
    for _ in 0..<3 {
      for b in 0..<bins {
        for f in 0..<frames {
          let centre = family == 0 ? 3.0 : 11.0
          let energy = f >= 10 ? 3 * exp(-pow(Double(b) - centre, 2) / 4) : 0
          out.append(Float(energy - 2 + 0.2 * generator.nextGaussian()))
        }
      }
    }
    return out
  }

  static func addRun(
    store: SeisStore, setID: Int64, windows: [WindowRecord], families: [(Int64, Int)],
    generator: inout SeededGenerator, seed: UInt64 = 3
  ) throws -> Int64 {
    var history = RunHistory()
    for e in 1...20 { history.pretraining.append(.init(epoch: e, loss: 0.5 * exp(-Double(e) / 5))) }
    for u in 1...8 {
      history.updates.append(
        .init(
          iteration: u * 140, loss: 0.02 / Double(u), reconstruction: 0.018 / Double(u),
          kl: 0.01 / Double(u * u), labelChange: u == 8 ? 0 : 0.2 / Double(u)))
    }
    history.stageSeconds = ["pretrain": 12.5, "cluster": 4.25]
    history.stopReason = "tol"
    let evidence = RestartEvidence(
      pretrainingLoss: 0.01, reconstruction: 0.01, kl: 0.001, meanProbability: 0.8)
    history.restarts = RestartReport(
      restarts: [
        .init(seed: 3, evidence: evidence, consensus: 0.55, agreement: [1, 0.97, 0.13]),
        .init(seed: 7, evidence: evidence, consensus: 0.56, agreement: [0.97, 1, 0.15]),
        .init(seed: 9, evidence: evidence, consensus: 0.14, agreement: [0.13, 0.15, 1]),
      ], kept: 1, stability: 0.4167)
    let k = Set(families.map(\.1)).count
    history.clusterChoice = ClusterCountChoice(
      candidates: (2...5).map {
        .init(clusters: $0, stability: $0 == k ? 0.99 : 0.8, silhouette: $0 == k ? 0.7 : 0.5)
      }, chosen: k, networks: 3)
    let historyJSON = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
    let run = try store.createRun(
      RunRecord(
        kind: .cluster, windowSetId: setID, version: "0.1.0", seed: Int64(bitPattern: seed),
        clusterCount: Set(families.map(\.1)).count,
        optionsJson:
          #"{"clusters":\#(Set(families.map(\.1)).count),"epochs":20,"filters":[8,4,2,1],"#
          + #""learning_rate":0.001,"restarts":7,"seed":\#(seed),"stop_when_two_agree":true,"#
          + #""tol":0.001}"#,
        historyJson: historyJSON,
        summary: """
          cluster  windows  mean p  stations
          0        \(families.filter { $0.1 == 0 }.count)       0.79    all
          stations spread evenly over clusters: no station confound
          """))
    var assignments: [AssignmentRecord] = []
    for (i, w) in windows.enumerated() {
      let family = families[i].1
      let p = 0.6 + 0.39 * Double(i) / Double(windows.count)
      let k = Set(families.map(\.1)).count
      var q = [Float](repeating: Float(1 - p) / Float(k - 1), count: k)
      q[family] = Float(p)
      let centre: [Double] = [[2, 0, 1, 0], [-2, 1, 0, 0.5], [0, -2, -1, 1]][family % 3]
      let embedding = centre.map { Float($0 + 0.4 * generator.nextGaussian()) }
      assignments.append(
        AssignmentRecord(
          runId: run.id!, windowId: w.id!, cluster: family, probability: p,
          distance: 0.1 * Double(i + 1), q: q, embedding: embedding))
    }
    return try store.completeRun(run, model: nil, assignments: assignments).id!
  }

  static func addRelabelRun(
    store: SeisStore, parent: Int64, setID: Int64, windows: [WindowRecord],
    families: [(Int64, Int)]
  ) throws -> Int64 {
    let run = try store.createRun(
      RunRecord(
        kind: .relabel, parentRunId: parent, windowSetId: setID, version: "0.1.0", seed: 3,
        clusterCount: 2, optionsJson: #"{"labels":"hand.csv"}"#))
    var assignments: [AssignmentRecord] = []
    for (i, w) in windows.enumerated() {
      let family = families[i].1
      // One window in three keeps no label: exported as empty / null.
      let label: String? = i % 3 == 2 ? nil : (family == 0 ? "noise, \"low\" <&>" : "quake")
      assignments.append(
        AssignmentRecord(
          runId: run.id!, windowId: w.id!, cluster: family, probability: 0.9, distance: 0.5,
          q: family == 0 ? [0.9, 0.1] : [0.1, 0.9], label: label,
          labelProbability: label == nil ? nil : 0.875, isHandLabelled: i == 0))
    }
    return try store.completeRun(run, model: nil, assignments: assignments).id!
  }
}

struct MissingValue: Error {}

/// Unwraps outside a test function (where `#require` is unavailable).
func require2<T>(_ value: T?) throws -> T {
  guard let value else { throw MissingValue() }
  return value
}

/// A small RFC 4180 reader for checking written CSV: quoted fields, doubled quotes, commas and
/// line breaks inside quotes.
func parseCSV(_ text: String) -> [[String]] {
  var rows: [[String]] = []
  var row: [String] = []
  var field = ""
  var inQuotes = false
  var chars = Array(text)[...]
  while let c = chars.popFirst() {
    if inQuotes {
      if c == "\"" {
        if chars.first == "\"" {
          field.append("\"")
          chars.removeFirst()
        } else {
          inQuotes = false
        }
      } else {
        field.append(c)
      }
    } else if c == "\"" {
      inQuotes = true
    } else if c == "," {
      row.append(field)
      field = ""
    } else if c == "\n" {
      row.append(field)
      rows.append(row)
      row = []
      field = ""
    } else {
      field.append(c)
    }
  }
  if !field.isEmpty || !row.isEmpty {
    row.append(field)
    rows.append(row)
  }
  return rows
}

/// CSV rows as dictionaries keyed by the header.
func csvRecords(_ text: String) -> [[String: String]] {
  let rows = parseCSV(text)
  guard let header = rows.first else { return [] }
  return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}
