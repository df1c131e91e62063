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

  /// Windows read from the store (export) or the file (import) per batch: about 8 MB.
  static func batchWindows(valuesPerWindow: Int) -> Int {
    max(1, (8 << 20) / max(1, 4 * valuesPerWindow))
  }

  /// Writes the current set, batch by batch (memory stays bounded by a batch, whatever the
  /// size of the set). Both paths follow `OutputFile`'s rules (`-` is standard output, for one
  /// of them at most; never over an existing file without `force`; written under a temporary
  /// name and moved into place when complete) and are checked before anything is written.
  public static func export(
    store: SeisStore, output: String, index: String?, force: Bool, quiet: Bool = true,
    batch windowsPerBatch: Int? = nil
  ) throws -> ExportReport {
    if output == OutputFile.standardOutput && index == OutputFile.standardOutput {
      throw InputError(
        path: "-", reason: "the windows and the index cannot both go to standard output")
    }
    try OutputFile.checkWritable(output, force: force, reading: store.path)
    if let index {
      try OutputFile.checkWritable(index, force: force, reading: store.path, others: [output])
    }
    guard let reader = try store.currentWindowSetReader() else {
      throw InputError(
        path: store.path, reason: "no current window set (run `windows build` or `windows import`)")
    }
    let set = reader.windowSet
    let shape = [reader.count, set.channelCount, set.length]
    let size = reader.valuesPerWindow
    let batch = max(1, windowsPerBatch ?? batchWindows(valuesPerWindow: size))
    var values = [Float](repeating: 0, count: batch * size)
    let progress = Progress(label: "windows export", total: reader.count, quiet: quiet)
    // Both files are written before either takes its name: a failure on the index (a full
    // disk) left the new `.npy` beside no index, or beside an older one with --force.
    let windowsFile = try OutputFile.prepare(to: output, force: force) { file in
      try file.write(NPYArray.float32Header(shape: shape))
      var start = 0
      while start < reader.count {
        let end = min(reader.count, start + batch)
        try values.withUnsafeMutableBufferPointer { buffer in
          try reader.samples(range: start..<end, into: buffer)
          for i in 0..<((end - start) * size) {
            buffer[i] = Float(bitPattern: buffer[i].bitPattern.littleEndian)
          }
          try file.write(
            UnsafeRawBufferPointer(
              rebasing: UnsafeRawBufferPointer(buffer)[0..<((end - start) * size * 4)]))
        }
        start = end
        progress.update(start)
      }
    }
    defer { windowsFile.discard() }
    progress.finish()
    var indexFile: OutputFile.Pending?
    defer { indexFile?.discard() }
    if let index {
      indexFile = try OutputFile.prepare(to: index, force: force) { file in
        var text = indexHeader + "\n"
        for w in reader.windows {
          let fields = [
            String(w.windowKey), w.network, w.station, w.location, w.pickTime?.iso8601 ?? "",
            w.phase, w.channels, w.startNs.map { Timestamp(nanoseconds: $0).iso8601 } ?? "",
          ]
          text += fields.map(csvField).joined(separator: ",") + "\n"
          if text.utf8.count >= 1 << 20 {
            try file.write(Data(text.utf8))
            text = ""
          }
        }
        try file.write(Data(text.utf8))
      }
    }
    let created = try windowsFile.commit()
    do {
      try indexFile?.commit()
    } catch {
      // The index's name appeared meanwhile: a new `.npy` goes too (one replaced cannot).
      if created { windowsFile.withdraw() }
      throw error
    }
    return ExportReport(count: reader.count, channels: set.channelCount, length: set.length)
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
  /// and stores them as the current set (input kind `imported`), a batch of windows at a time
  /// (the file is read with `pread`, never mapped or loaded whole: memory stays bounded by a
  /// batch whatever the size of the file) inside one transaction: the set appears whole or not
  /// at all. A NaN or infinite value anywhere refuses the whole file, as does a magnitude beyond
  /// `InputSurvey.largestTrainableValue`.
  public static func importWindows(
    store: SeisStore, path: String, index: String?, quiet: Bool = true,
    batch windowsPerBatch: Int? = nil
  ) throws -> ImportReport {
    let file = try NPYFileReader(path: path)
    let (n, c, l) = try file.windowShape()
    guard n > 0, c > 0, l > 0 else {
      throw InputError(path: path, reason: "holds no window (shape \(NPYArray.tuple(file.shape)))")
    }
    var rows: [IndexRow]?
    if let index {
      let read = try readIndex(index)
      guard read.count == n else {
        throw InputError(
          path: index, reason: "has \(read.count) rows but \(path) holds \(n) windows")
      }
      rows = read
    }
    let parameters: [String: String] = [
      "source": path, "index": index ?? "", "shape": NPYArray.tuple(file.shape),
      "dtype": file.dtype,
    ]
    let history = [
      "seiscluster \(SeisclusterVersion.string): import(path=\(path), dtype=\(file.dtype), "
        + "shape=\(NPYArray.tuple(file.shape)), index=\(index ?? "none"))"
    ]
    let set = WindowSetRecord(
      version: SeisclusterVersion.string, inputKind: .imported, channelCount: c, length: l,
      samplingRate: nil, parametersJson: WindowSetBuilder.json(parameters),
      processingJson: WindowSetBuilder.json(history))
    let size = c * l
    let batch = max(1, windowsPerBatch ?? batchWindows(valuesPerWindow: size))
    var values = [Float](repeating: 0, count: batch * size)
    let progress = Progress(label: "windows import", total: n, quiet: quiet)
    let stored = try store.writeWindowSet(set) { writer in
      var start = 0
      while start < n {
        let end = min(n, start + batch)
        try values.withUnsafeMutableBufferPointer { buffer in
          try file.read((start * size)..<(end * size), into: buffer)
          for w in start..<end {
            let samples = UnsafeBufferPointer(
              rebasing: buffer[((w - start) * size)..<((w - start + 1) * size)])
            if samples.contains(where: { !$0.isFinite }) {
              throw InputError(
                path: path,
                reason: "window \(w) holds a NaN or infinite value (or one beyond float32)")
            }
            if let large = samples.first(where: { abs($0) > InputSurvey.largestTrainableValue }) {
              throw InputError(
                path: path,
                reason:
                  "window \(w) holds \(InputSurvey.beyondTraining(large)): scale the windows (divide them by their largest value)"
              )
            }
            let row = rows?[w] ?? IndexRow(windowID: Int64(w))
            try writer.append(
              WindowRecord(
                windowSetId: 0, windowKey: row.windowID, pickId: nil, network: row.network,
                station: row.station, location: row.location, channels: row.channels,
                pickTime: row.time, phase: row.phase, startTime: row.startTime, samples: []),
              samples: samples)
          }
        }
        start = end
        progress.update(start)
      }
    }
    progress.finish()
    guard let stored else { throw InputError(path: path, reason: "holds no window") }
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
      // A column the import reads, named twice: which one is meant cannot be known (the first
      // was used in silence; `picks import` and label files refuse it too).
      if column[key] != nil, indexHeader.split(separator: ",").contains(Substring(key)) {
        throw InputError(path: path, reason: "the header names column `\(key)` twice")
      }
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
      // The names a pick file may hold, as `picks import` checks them (exports write them).
      if let problem = Pick.textProblem(
        network: row.network, station: row.station, location: row.location, channel: nil,
        phase: row.phase, note: nil)
      {
        throw InputError(path: path, reason: "line \(record.line): \(problem)")
      }
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
