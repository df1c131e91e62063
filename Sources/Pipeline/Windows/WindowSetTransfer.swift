import Foundation
import Seismic
import Store

/// `windows export` and `windows import`: the current window set as a NumPy `.npy` file
/// (float32, N x C x L, C order, version 1.0 header) with an index CSV, and back.
public enum WindowSetTransfer {
  /// Index CSV columns written by `export`: the contract's
  /// `window_id,network,station,location,time`, then `phase,channels,start_time`.
  public static let indexHeader =
    "window_id,network,station,location,time,phase,channels,start_time"

  /// What an export wrote.
  public struct ExportReport: Sendable {
    public var count: Int
    public var channels: Int
    public var length: Int
    public var summary: String { "windows export: \(count) x \(channels) x \(length) float32" }
  }

  /// Writes the current set. Both paths follow `OutputFile`'s rules (`-` is standard output,
  /// for one of them at most; never over an existing file without `force`) and are checked
  /// before anything is written.
  public static func export(
    store: SeisStore, output: String, index: String?, force: Bool
  ) throws -> ExportReport {
    if output == OutputFile.standardOutput && index == OutputFile.standardOutput {
      throw InputError(
        path: "-", reason: "the windows and the index cannot both go to standard output")
    }
    for path in [output] + (index.map { [$0] } ?? []) {
      try OutputFile.checkWritable(path, force: force)
    }
    guard let contents = try store.currentWindowSetContents() else {
      throw InputError(
        path: store.path, reason: "no current window set (run `windows build` or `windows import`)")
    }
    let set = contents.windowSet
    let shape = [contents.count, set.channelCount, set.length]
    guard contents.samples.count == shape.reduce(1, *) else {
      throw InputError(path: store.path, reason: "the window set's samples do not fill its shape")
    }
    try OutputFile.write(
      NPYArray.float32Data(contents.samples, shape: shape), to: output, force: force)
    if let index {
      var text = indexHeader + "\n"
      for w in contents.windows {
        let fields = [
          String(w.windowKey), w.network, w.station, w.location, w.pickTime?.iso8601 ?? "",
          w.phase, w.channels, w.startNs.map { Timestamp(nanoseconds: $0).iso8601 } ?? "",
        ]
        text += fields.map(csvField).joined(separator: ",") + "\n"
      }
      try OutputFile.write(text, to: index, force: force)
    }
    return ExportReport(count: contents.count, channels: set.channelCount, length: set.length)
  }

  /// What an import stored.
  public struct ImportReport: Sendable {
    public var windowSet: WindowSetRecord
    public var count: Int
    public var summary: String {
      "windows import: \(count) x \(windowSet.channelCount) x \(windowSet.length) as set "
        + "\(windowSet.id ?? 0) (current)"
    }
  }

  /// One row of an index CSV.
  public struct IndexRow {
    var windowID: Int64
    var network = ""
    var station = ""
    var location = ""
    var time: Timestamp?
    var phase = ""
    var channels = ""
    var startTime: Timestamp?
  }

  /// Reads `.npy` windows (float32 or float64, N x C x L or N x L) and an optional index CSV,
  /// and stores them as the current set (input kind `imported`).
  public static func importWindows(store: SeisStore, path: String, index: String?) throws
    -> ImportReport
  {
    let array = try NPYArray(contentsOf: URL(fileURLWithPath: path))
    let (n, c, l) = try array.windowShape(path: path)
    guard n > 0, c > 0, l > 0 else {
      throw InputError(path: path, reason: "holds no window (shape \(NPYArray.tuple(array.shape)))")
    }
    let values = array.floats
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw InputError(
        path: path,
        reason: "window \(bad / (c * l)) holds a NaN or infinite value (or one beyond float32)")
    }
    var rows: [IndexRow]
    if let index {
      rows = try readIndex(index)
      guard rows.count == n else {
        throw InputError(
          path: index, reason: "has \(rows.count) rows but \(path) holds \(n) windows")
      }
    } else {
      rows = (0..<n).map { IndexRow(windowID: Int64($0)) }
    }
    let size = c * l
    var windows: [WindowRecord] = []
    windows.reserveCapacity(n)
    for (i, row) in rows.enumerated() {
      windows.append(
        WindowRecord(
          windowSetId: 0, windowKey: row.windowID, pickId: nil, network: row.network,
          station: row.station, location: row.location, channels: row.channels,
          pickTime: row.time, phase: row.phase, startTime: row.startTime,
          samples: Array(values[(i * size)..<((i + 1) * size)])))
    }
    let dtype: String
    switch array.values {
    case .float32: dtype = "float32"
    case .float64: dtype = "float64"
    }
    let parameters: [String: String] = [
      "source": path, "index": index ?? "", "shape": NPYArray.tuple(array.shape), "dtype": dtype,
    ]
    let history = [
      "seiscluster \(SeisclusterVersion.string): import(path=\(path), dtype=\(dtype), "
        + "shape=\(NPYArray.tuple(array.shape)), index=\(index ?? "none"))"
    ]
    let set = WindowSetRecord(
      version: SeisclusterVersion.string, inputKind: .imported, channelCount: c, length: l,
      samplingRate: nil, parametersJson: WindowSetBuilder.json(parameters),
      processingJson: WindowSetBuilder.json(history))
    let stored = try store.replaceCurrentWindowSet(set, windows: windows)
    return ImportReport(windowSet: stored, count: n)
  }

  /// Parses an index CSV: `window_id` required (unique integers); `network`, `station`,
  /// `location`, `time` (ISO 8601), `phase`, `channels`, `start_time` optional.
  static func readIndex(_ path: String) throws -> [IndexRow] {
    let text: String
    do {
      try FileBytes.checkRegularFile(path: path)
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch let error as WaveformFileError {
      throw InputError(path: path, reason: error.reason)
    } catch {
      throw InputError(path: path, reason: "cannot read: \(error.localizedDescription)")
    }
    return try parseIndex(text, path: path)
  }

  /// Parses the text of an index CSV (see `readIndex`); `path` names it in errors. Public for
  /// the fuzz target `FuzzWindowIndex`.
  public static func parseIndex(_ text: String, path: String) throws -> [IndexRow] {
    let records = csvRecords(text).filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
    guard let header = records.first else { throw InputError(path: path, reason: "no header row") }
    var column: [String: Int] = [:]
    for (i, name) in header.fields.enumerated() {
      let key = name.trimmingCharacters(in: .whitespaces).lowercased()
      if column[key] == nil { column[key] = i }
    }
    guard let idColumn = column["window_id"] else {
      throw InputError(path: path, reason: "no window_id column")
    }
    var seen: [Int64: Int] = [:]
    var rows: [IndexRow] = []
    for record in records.dropFirst() {
      func field(_ name: String) -> String {
        guard let i = column[name], i < record.fields.count else { return "" }
        return record.fields[i].trimmingCharacters(in: .whitespaces)
      }
      guard record.fields.count == header.fields.count else {
        throw InputError(
          path: path,
          reason:
            "line \(record.line): \(record.fields.count) fields where the header has "
            + "\(header.fields.count)")
      }
      let idText = record.fields[idColumn].trimmingCharacters(in: .whitespaces)
      guard let id = Int64(idText) else {
        throw InputError(
          path: path, reason: "line \(record.line): window_id '\(idText)' is not an integer")
      }
      if let first = seen[id] {
        throw InputError(
          path: path,
          reason: "line \(record.line): window_id \(id) repeats line \(first) (ids must be unique)")
      }
      seen[id] = record.line
      var row = IndexRow(windowID: id)
      row.network = field("network")
      row.station = field("station")
      row.location = field("location") == "--" ? "" : field("location")
      for (name, keyPath) in [("time", \IndexRow.time), ("start_time", \IndexRow.startTime)] {
        let value = field(name)
        if value.isEmpty { continue }
        guard let t = Timestamp(iso8601: value) else {
          let why = Timestamp.iso8601Problem(value, name: name) ?? "cannot read \(name)"
          throw InputError(path: path, reason: "line \(record.line): \(why)")
        }
        row[keyPath: keyPath] = t
      }
      row.phase = field("phase")
      row.channels = field("channels")
      rows.append(row)
    }
    return rows
  }

  /// A CSV field, quoted when it holds a comma, quote or newline.
  static func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return s
    }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// RFC 4180 records with the line each starts on.
  static func csvRecords(_ text: String) -> [(line: Int, fields: [String])] {
    var records: [(line: Int, fields: [String])] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var line = 1
    var recordLine = 1
    var chars = Array(text.unicodeScalars)
    if chars.first == "\u{FEFF}" { chars.removeFirst() }
    var i = 0
    while i < chars.count {
      let ch = chars[i]
      if inQuotes {
        if ch == "\"" {
          if i + 1 < chars.count && chars[i + 1] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if ch == "\n" { line += 1 }
          field.unicodeScalars.append(ch)
        }
      } else if ch == "\"" {
        inQuotes = true
      } else if ch == "," {
        fields.append(field)
        field = ""
      } else if ch == "\n" || ch == "\r" {
        if ch == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
        fields.append(field)
        records.append((recordLine, fields))
        fields = []
        field = ""
        line += 1
        recordLine = line
      } else {
        field.unicodeScalars.append(ch)
      }
      i += 1
    }
    if !field.isEmpty || !fields.isEmpty {
      fields.append(field)
      records.append((recordLine, fields))
    }
    return records
  }
}
