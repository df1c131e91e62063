import Foundation
import Seismic
import Store

/// Rows of a labels or truth CSV: `network,station,location,time,label` or `window_id,label`
/// (`trace_name,label`, as a SeisBench export names the window id, too).
public struct WindowLabelFile: Sendable {
  /// Bytes of UTF-8 a label may hold.
  public static let maximumLabelBytes = 200

  public enum Key: Hashable, Sendable {
    case windowID(Int64)
    case pick(network: String, station: String, location: String, time: Timestamp)
  }

  public struct Row: Sendable {
    public var line: Int
    public var key: Key
    public var label: String
    /// A row given by pick that also gives a `window_id`: it chooses among the windows at the
    /// pick's time. The pick decides otherwise: window ids are a store's own, and a file from
    /// another store (an export) names other windows by them.
    public var windowID: Int64? = nil
  }

  public var path: String
  public var rows: [Row]
  /// SHA-256 of the text read (a resumed sweep checks that its truth file is the same).
  public var sha256 = ""

  /// Reads and checks the file; one-line errors name the file and the line.
  public init(contentsOf url: URL) throws { try self.init(path: url.path) }

  /// Reads and checks the file at `path`; one-line errors name it as given.
  public init(path: String) throws {
    try InputPaths.requireNonEmpty(path)
    guard FileManager.default.fileExists(atPath: path) else {
      throw InputError(path: path, reason: "no such file")
    }
    let text: String
    do {
      try FileBytes.checkRegularFile(path: path)
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch let error as WaveformFileError {
      throw InputError(path: path, reason: error.reason)
    } catch {
      throw InputError(path: path, reason: "cannot read as UTF-8 text")
    }
    try self.init(text: text, path: path)
  }

  public init(text: String, path: String) throws {
    self.path = path
    var text = text
    sha256 = text.withUTF8 { ContentHash.sha256(UnsafeRawBufferPointer($0)) }
    // Records one at a time: a file of millions of rows holds its rows, not every row's
    // fields as well (stop 40's sweep: 818 MB for a 92 MB file).
    var layout: Layout?
    var parsed: [Row] = []
    var failure: InputError?
    do {
      try PickCSVReader.forEachRecord(in: text) { (record) throws(PickFormatError) in
        guard !record.isBlank else { return }
        do {
          if let layout {
            parsed.append(try Self.row(record, layout: layout, path: path))
          } else {
            layout = try Self.layout(header: record, path: path)
          }
        } catch {
          failure = error as? InputError ?? InputError(path: path, reason: "\(error)")
          throw PickFormatError(reason: failure?.reason ?? "")
        }
      }
    } catch {
      throw failure ?? InputError(path: path, reason: "\(error)")
    }
    guard layout != nil else { throw InputError(path: path, reason: "empty file") }
    rows = parsed
  }

  /// Where a file's columns are, read from its header.
  struct Layout {
    var label: Int
    var id: Int?
    var network: Int?
    var station: Int?
    var location: Int?
    var time: Int?
    var byPick: Bool { network != nil && station != nil && time != nil }
  }

  static func layout(header: PickCSVReader.Record, path: String) throws -> Layout {
    let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    func column(_ name: String) -> Int? { names.firstIndex(of: name) }
    // The header as read, so that a file separated by `;` or tabs shows why it has no columns.
    let seen = " (line \(header.line): \(header.fields.joined(separator: ",").prefix(120)))"
    // A column named twice: which one is meant cannot be known (stop 40's sweep: the first
    // `label` was used silently).
    for name in ["label", "window_id", "trace_name", "network", "station", "location", "time"]
    where names.filter({ $0 == name }).count > 1 {
      throw InputError(path: path, reason: "the header names column `\(name)` twice" + seen)
    }
    guard let label = column("label") else {
      throw InputError(
        path: path,
        reason: "no `label` column" + seen
          + (names.count == 1 ? "; columns are separated by commas" : ""))
    }
    // `export --format seisbench` names the window id `trace_name` (SeisBench's own column):
    // its file, given a label, is a truth or labels file too.
    let id = column("window_id") ?? column("trace_name")
    let layout = Layout(
      label: label, id: id, network: column("network"),
      station: column("station"), location: column("location"), time: column("time"))
    guard layout.id != nil || layout.byPick else {
      throw InputError(
        path: path,
        reason: "needs columns network,station,location,time,label or window_id,label" + seen)
    }
    return layout
  }

  static func row(_ record: PickCSVReader.Record, layout: Layout, path: String) throws -> Row {
    func field(_ index: Int?) -> String? {
      guard let index, index < record.fields.count else { return nil }
      return record.fields[index]
    }
    guard let label = field(layout.label), !label.isEmpty else {
      throw InputError(path: path, reason: "line \(record.line): empty label")
    }
    // A label is stored with every window of its class and printed in tables: a name, not
    // a document, and one line.
    guard label.utf8.count <= Self.maximumLabelBytes else {
      throw InputError(
        path: path,
        reason:
          "line \(record.line): a label of \(label.utf8.count) bytes; labels are names of at most \(Self.maximumLabelBytes)"
      )
    }
    if let what = Pick.unstorableCharacter(in: label) {
      throw InputError(
        path: path,
        reason: what == "a control character"
          ? "line \(record.line): a label with a control character (a line break or tab, say)"
          : "line \(record.line): a label with \(what)")
    }
    let key: Key
    // With the pick given, an id that is not one (`ev0001`, pandas' `1.0`) is left aside,
    // as before ids chose among windows; alone, it is an error.
    let idText = field(layout.id) ?? ""
    let windowID = Int64(idText)
    let timeText = field(layout.time) ?? ""
    if layout.byPick, let network = field(layout.network), let station = field(layout.station),
      !timeText.isEmpty || idText.isEmpty
    {
      guard let time = Timestamp(iso8601: timeText) else {
        let why = Timestamp.iso8601Problem(timeText) ?? "bad time \"\(timeText)\""
        throw InputError(path: path, reason: "line \(record.line): \(why)")
      }
      key = .pick(
        network: network, station: station,
        location: Pick.normalizedLocation(field(layout.location) ?? ""), time: time)
    } else if !idText.isEmpty {
      guard let windowID else {
        throw InputError(
          path: path,
          reason:
            "line \(record.line): window_id \(Pick.quoted(idText)) is not a window id (window ids are whole numbers below 2^63, as `export` writes them)"
        )
      }
      key = .windowID(windowID)
    } else {
      throw InputError(path: path, reason: "line \(record.line): no window_id or pick")
    }
    let both: Int64? = if case .pick = key { windowID } else { nil }
    return Row(line: record.line, key: key, label: label, windowID: both)
  }

  /// For rows given by pick whose station no window has as written but one has in other case
  /// (`dm.dem01` for DM.DEM01): `"; codes are matched as written, case included (the file names
  /// dm.dem01., the windows DM.DEM01.)"`, naming the first such station; else "". As `picks
  /// import` does, codes are not folded: the hint says why such rows match nothing.
  public func otherCaseHint(windows: [WindowRecord]) -> String {
    var stored = Set<String>()
    var folded: [String: String] = [:]
    for w in windows {
      let key = "\(w.network).\(w.station).\(w.location)"
      if stored.insert(key).inserted { folded[key.uppercased()] = key }
    }
    for row in rows {
      guard case .pick(let network, let station, let location, _) = row.key else { continue }
      let key = "\(network).\(station).\(location)"
      if !stored.contains(key), let other = folded[key.uppercased()] {
        return
          "; codes are matched as written, case included (the file names \(key), the windows \(other))"
      }
    }
    return ""
  }

  /// Matches rows to windows: by window id, or by codes and pick time within `tolerance`
  /// (1 ms by default, the nearest when several qualify). Returns, per row, the window index
  /// or nil.
  public func match(windows: [WindowRecord], toleranceNanoseconds: Int64 = 1_000_000) -> [Int?] {
    matching(windows: windows, toleranceNanoseconds: toleranceNanoseconds).matches
  }

  /// The lines of rows given by pick that more than one window matches (picks of one station
  /// within the tolerance, such as P, S and Pg picks at one time): `match` takes the nearest,
  /// and a `window_id` would choose.
  public func ambiguousLines(windows: [WindowRecord], toleranceNanoseconds: Int64 = 1_000_000)
    -> [Int]
  {
    matching(windows: windows, toleranceNanoseconds: toleranceNanoseconds).ambiguousLines
  }

  /// `match` and `ambiguousLines` from one index of the windows and one search per row. A row
  /// that gives both a pick and a `window_id` takes the window of that id among those at the
  /// pick's time (stop 40's sweep: the id was ignored). `otherIDLines`: rows whose id names
  /// another window of the set than their pick matches (the pick decides: a file from another
  /// store, or an edit).
  public func matching(windows: [WindowRecord], toleranceNanoseconds: Int64 = 1_000_000)
    -> (matches: [Int?], ambiguousLines: [Int], otherIDLines: [Int])
  {
    var byID: [Int64: Int] = [:]
    var byStation: [String: [(Int64, Int)]] = [:]
    for (i, w) in windows.enumerated() {
      byID[w.windowKey] = i
      if let t = w.pickTimeNs {
        byStation["\(w.network)\u{1F}\(w.station)\u{1F}\(w.location)", default: []].append((t, i))
      }
    }
    for key in byStation.keys { byStation[key]?.sort { $0.0 < $1.0 } }
    var ambiguous: [Int] = []
    var otherID: [Int] = []
    let matches: [Int?] = rows.map { row in
      switch row.key {
      case .windowID(let id): return byID[id]
      case .pick(let network, let station, let location, let time):
        guard let list = byStation["\(network)\u{1F}\(station)\u{1F}\(location)"] else {
          return nil
        }
        // Saturating: a row may lie within the tolerance of either end of the storable range.
        let (below, low) = time.nanoseconds.subtractingReportingOverflow(toleranceNanoseconds)
        let (above, high) = time.nanoseconds.addingReportingOverflow(toleranceNanoseconds)
        let start = low ? Int64.min : below
        let end = high ? Int64.max : above
        // Binary search for the first pick at or after time - tolerance.
        var lo = 0
        var hi = list.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if list[mid].0 < start { lo = mid + 1 } else { hi = mid }
        }
        var best: (Int64, Int)? = nil
        var named: Int? = nil
        var j = lo
        while j < list.count, list[j].0 <= end {
          // Both times are within the tolerance of each other here: no overflow.
          let distance = abs(list[j].0 - time.nanoseconds)
          if best == nil || distance < best!.0 { best = (distance, list[j].1) }
          if let id = row.windowID, windows[list[j].1].windowKey == id { named = list[j].1 }
          j += 1
        }
        if let named { return named }
        if let id = row.windowID, let best, let other = byID[id], other != best.1 {
          otherID.append(row.line)
        }
        if j - lo > 1 { ambiguous.append(row.line) }
        return best?.1
      }
    }
    return (matches, ambiguous, otherID)
  }
}
