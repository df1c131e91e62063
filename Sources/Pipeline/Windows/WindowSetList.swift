import Foundation
import Numerics
import Store

/// `windows list` and `windows delete`: the stored window sets, and deleting those no run uses.
public enum WindowSetList {
  public enum Format: String, CaseIterable, Sendable {
    case table, csv
  }

  public static let csvColumns = [
    "set_id", "current", "input", "windows", "channels", "length", "sampling_rate_hz",
    "sample_bytes", "created_at", "runs", "sweeps", "options",
  ]

  /// The listing of every window set in `store` (reads only), oldest first.
  public static func run(store: SeisStore, format: Format) throws -> String {
    render(try store.windowSetSummaries(), format: format)
  }

  /// What a set was cut with, in a few words: `before 5 after 55 phase P stations XB.*`, or
  /// the file an imported set came from.
  static func options(of set: WindowSetRecord) -> String {
    if let o = set.buildOptions {
      // What tells sets apart: the window and selection, then what differs from the defaults.
      func number(_ x: Double) -> String { String(format: "%g", x) }
      let defaults = WindowSetOptions()
      var parts = ["before \(number(o.before))", "after \(number(o.after))"]
      if let phase = o.phase { parts.append("phase \(phase)") }
      if let stations = o.stations { parts.append("stations " + stations.joined(separator: ",")) }
      if let start = o.start { parts.append("from \(start.iso8601)") }
      if let end = o.end { parts.append("until \(end.iso8601)") }
      if o.input == .spectrogram && o.spectrogramReference != defaults.spectrogramReference {
        parts.append("reference \(o.spectrogramReference.rawValue)")
      }
      if o.components != defaults.components { parts.append("components \(o.components.rawValue)") }
      if o.rate != defaults.rate { parts.append("rate \(number(o.rate))") }
      if let band = o.bandpass {
        if band.low != 1 || band.high != 20 {
          parts.append("bandpass \(number(band.low)),\(number(band.high))")
        }
      } else {
        parts.append("bandpass none")
      }
      if o.normalize != defaults.normalize { parts.append("normalize \(o.normalize.rawValue)") }
      return parts.joined(separator: " ")
    }
    if case .object(let members)? = try? JSONValue(parsing: set.parametersJson),
      case .string(let source)? = members.first(where: { $0.0 == "source" })?.1
    {
      return "imported from \(source)"
    }
    return ""
  }

  /// The listing's text (ending with a newline).
  public static func render(_ sets: [WindowSetSummary], format: Format) -> String {
    let rows = sets.map { s -> [String] in
      let set = s.windowSet
      return [
        "\(set.id ?? 0)", set.isCurrent ? "yes" : "",
        set.isCorrelationInput ? "correlation" : set.inputKind.rawValue, "\(s.windowCount)",
        "\(set.channelCount)", "\(set.length)", set.samplingRate.map { "\($0)" } ?? "",
        "\(s.sampleBytes)", set.createdAt,
        s.runIDs.map { id in s.unfinished[id].map { "\(id) (\($0))" } ?? "\(id)" }
          .joined(separator: " "),
        s.sweepIDs.map(String.init).joined(separator: " "), options(of: set),
      ]
    }
    switch format {
    case .csv:
      var csv = CSVText(header: csvColumns)
      for row in rows { csv.append(row) }
      return csv.text
    case .table:
      let header = [
        "SET", "CURRENT", "INPUT", "WINDOWS", "SHAPE", "SIZE", "CREATED", "RUNS", "OPTIONS",
      ]
      let cells = zip(sets, rows).map { s, row in
        [
          row[0], row[1] == "yes" ? "*" : "", row[2], row[3], "\(row[4]) x \(row[5])",
          MemoryLimit.describe(s.sampleBytes), row[8],
          ([row[9]] + (row[10].isEmpty ? [] : ["sweep \(row[10])"])).filter { !$0.isEmpty }
            .joined(separator: "; "),
          row[11],
        ]
      }
      return TextTable.render(header: header, rows: cells)
    }
  }

  /// Deletes the sets `ids` (all or none), or with `unused` every set no run or sweep uses and
  /// that is not current. Returns the one-line summary.
  public static func delete(store: SeisStore, ids: [Int64], unused: Bool) throws -> String {
    let summaries = try store.windowSetSummaries()
    // `--unused` leaves sets newer than the current one: a `cluster` under way builds its
    // noise-referenced set beside the current one and stores its run on it only later.
    let current = summaries.first(where: \.windowSet.isCurrent)?.windowSet.id ?? .max
    let chosen =
      unused
      ? summaries.filter { $0.isDeletable && ($0.windowSet.id ?? .max) < current }
        .compactMap(\.windowSet.id) : Array(Set(ids)).sorted()
    guard !chosen.isEmpty else {
      guard unused else { return "" }
      return summaries.isEmpty
        ? "windows delete: the store holds no window set"
        : "windows delete: no set older than the current one is unused (each is kept by a run or sweep)"
    }
    let bytes = summaries.filter { chosen.contains($0.windowSet.id ?? -1) }.map(\.sampleBytes)
      .reduce(0, +)
    let windows: Int
    do {
      windows = try store.deleteWindowSets(chosen)
    } catch let error as StoreError {
      throw InputError(path: store.path, reason: error.description)
    }
    let names = chosen.sorted().map(String.init).joined(separator: ", ")
    return
      "windows delete: deleted set\(chosen.count == 1 ? "" : "s") \(names) (\(windows) windows, \(MemoryLimit.describe(bytes))); the store's file keeps its size and reuses the space for later sets"
  }
}
