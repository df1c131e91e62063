import Foundation

/// Reads picks from CSV as the contract defines: a header row; columns in any order, extra columns
/// ignored; `network`, `station`, `location`, `time` required; `channel`, `phase` optional; a `label`
/// column kept as the pick's note. Fields may be quoted (RFC 4180: `""` escapes a quote, quoted
/// fields may hold commas and newlines). Header names are matched without regard to case or
/// surrounding spaces; unquoted fields are trimmed. An empty `location` (or `--`) is the blank
/// code. `time` is ISO 8601 UTC, with or without `Z` and fractional seconds.
///
/// Two pickers' own CSV files are read as they are written, when the contract's columns are not
/// all there: PhaseNet's `picks.csv` (`station_id` `NET.STA.LOC.BI`, band and instrument codes,
/// `phase_time`, `phase_type`), and SeisBench's picks as `PickList.to_dataframe().to_csv()`
/// writes them (`station` holding the trace id `NET.STA.LOC`, `time` the peak time,
/// `start_time`, `end_time`, `phase`) or as a table of its `Pick` fields (`trace_id`,
/// `peak_time`, `phase`). A trace id may end in a channel code (`.HHZ`). The first of these
/// whose columns are all there is read (the contract's, PhaseNet's, then SeisBench's); other
/// columns (scores, sample indexes) are not read.
public enum PickCSVReader {
  /// Which columns a file's picks come from.
  enum Schema: Equatable {
    /// The contract's: `network`, `station`, `location`, `time`, `channel`, `phase`, `label`.
    case contract
    /// A station id column (`NET.STA.LOC` and optionally band and instrument or channel codes),
    /// a time column and a phase column: PhaseNet's and SeisBench's.
    case stationID(id: String, time: String, phase: String)

    static let phaseNet = Schema.stationID(
      id: "station_id", time: "phase_time", phase: "phase_type")
    static let seisBenchFrame = Schema.stationID(id: "station", time: "time", phase: "phase")
    static let seisBenchPicks = Schema.stationID(id: "trace_id", time: "peak_time", phase: "phase")

    /// The schema a header's columns name, or nil.
    static func of(_ columns: [String: Int]) -> Schema? {
      let has = { (names: [String]) in names.allSatisfy { columns[$0] != nil } }
      if has(["network", "station", "location", "time"]) { return .contract }
      if has(["station_id", "phase_time"]) {
        // PhaseNet names the phase `phase_type`; a table that names it `phase` is read so too.
        return columns["phase_type"] == nil && columns["phase"] != nil
          ? .stationID(id: "station_id", time: "phase_time", phase: "phase") : .phaseNet
      }
      // `to_dataframe`'s columns, without the contract's network and location.
      if has(["station", "time", "start_time", "end_time"]), columns["network"] == nil,
        columns["location"] == nil
      {
        return .seisBenchFrame
      }
      if has(["trace_id", "peak_time"]) { return .seisBenchPicks }
      return nil
    }

    /// Why a header names no schema: the columns missing from the one it comes nearest to.
    static func missing(_ columns: [String: Int]) -> String {
      let candidates: [(name: String, columns: [String])] = [
        ("PhaseNet's picks.csv", ["station_id", "phase_time"]),
        ("SeisBench's picks table", ["trace_id", "peak_time"]),
      ]
      for candidate in candidates where columns[candidate.columns[0]] != nil {
        let absent = candidate.columns.filter { columns[$0] == nil }
        return "missing column \(absent.joined(separator: ", ")) of \(candidate.name)"
      }
      let absent = ["network", "station", "location", "time"].filter { columns[$0] == nil }
      return "missing required column\(absent.count > 1 ? "s" : "") "
        + absent.joined(separator: ", ")
    }

    /// The columns read, to refuse a header that names one twice.
    var used: Set<String> {
      switch self {
      case .contract: ["network", "station", "location", "time", "channel", "phase", "label"]
      case .stationID(let id, let time, let phase): [id, time, phase]
      }
    }
  }

  /// Parses CSV text. Rows that cannot be used are returned as problems with their line numbers;
  /// a missing header or required column throws. Records are read one at a time, so memory
  /// holds the text and the picks, not every row's fields at once.
  public static func parse(_ text: String) throws(PickFormatError) -> PickFileContents {
    var header: Record?
    var schema = Schema.contract
    var column: [String: Int] = [:]
    var contents = PickFileContents()
    try forEachRecord(in: text) { (record: Record) throws(PickFormatError) in
      guard !record.isBlank else { return }
      guard let header else {
        var twice: Set<String> = []
        for (i, name) in record.fields.enumerated() {
          let key = name.trimmingCharacters(in: .whitespaces).lowercased()
          if column[key] != nil { twice.insert(key) }
          if column[key] == nil { column[key] = i }
        }
        guard let found = Schema.of(column) else {
          throw PickFormatError(
            line: record.line,
            reason: Schema.missing(column)
              + " (header: \(record.fields.joined(separator: ","))); read are the contract's network,station,location,time, PhaseNet's station_id,phase_time and SeisBench's trace_id,peak_time or station,time,start_time,end_time"
          )
        }
        // A column read twice would be read from one of them silently (an adversarial sweep
        // found the first `time` of two used): refused, as truth files refuse it.
        if let key = found.used.intersection(twice).sorted().first {
          throw PickFormatError(line: record.line, reason: "the header names column \(key) twice")
        }
        schema = found
        header = record
        return
      }
      guard record.fields.count == header.fields.count else {
        contents.problems.append(
          PickProblem(
            line: record.line,
            reason: "\(record.fields.count) fields where the header has \(header.fields.count)"))
        return
      }
      func field(_ name: String) -> String? {
        guard let i = column[name] else { return nil }
        let value = record.fields[i]
        return value.isEmpty ? nil : value
      }
      let network: String
      let station: String
      let location: String
      let channel: String?
      let timeColumn: String
      let phase: String?
      switch schema {
      case .contract:
        network = field("network") ?? ""
        station = field("station") ?? ""
        location = field("location") ?? ""
        channel = field("channel")
        timeColumn = "time"
        phase = field("phase")
      case .stationID(let id, let time, let phaseColumn):
        let text = field(id) ?? ""
        // Codes are trimmed as the contract's columns are (`CI. CCC ..HH` is CI.CCC..HH).
        let codes = text.split(separator: ".", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        guard codes.count == 3 || codes.count == 4 else {
          contents.problems.append(
            PickProblem(
              line: record.line,
              reason:
                "\(id) \(Pick.quoted(text)) is not NET.STA.LOC or NET.STA.LOC.CHA (an empty location is NET.STA..CHA)"
            ))
          return
        }
        (network, station, location) = (codes[0], codes[1], codes[2])
        channel = codes.count == 4 && !codes[3].isEmpty ? codes[3] : nil
        timeColumn = time
        phase = field(phaseColumn)
      }
      guard !network.isEmpty, !station.isEmpty else {
        contents.problems.append(
          PickProblem(line: record.line, reason: "empty \(network.isEmpty ? "network" : "station")")
        )
        return
      }
      let timeText = field(timeColumn) ?? ""
      guard let time = Timestamp(iso8601: timeText) else {
        let why =
          timeText.count <= 40
          ? Timestamp.iso8601Problem(timeText)
          : "cannot read time \(Pick.quoted(timeText)) as ISO 8601"
        contents.problems.append(
          PickProblem(
            line: record.line, reason: why ?? "cannot read time \(Pick.quoted(timeText))"))
        return
      }
      let pick = Pick(
        network: network, station: station, location: Pick.normalizedLocation(location),
        channel: channel, time: time, phase: phase,
        note: schema == .contract ? field("label") : nil)
      if let problem = Pick.textProblem(
        network: pick.network, station: pick.station, location: pick.location,
        channel: pick.channel, phase: pick.phase, note: pick.note)
      {
        contents.problems.append(PickProblem(line: record.line, reason: problem))
        return
      }
      contents.picks.append(pick)
    }
    guard header != nil else { throw PickFormatError(reason: "no header row") }
    return contents
  }

  /// One CSV record: its fields and the line it starts on.
  public struct Record: Sendable {
    public var line: Int
    public var fields: [String]
    public var isBlank: Bool { fields.count == 1 && fields[0].isEmpty }
  }

  /// Splits CSV text (RFC 4180 quoting, CRLF or LF, optional BOM) into records of fields, each
  /// with the line it starts on. Unquoted fields are trimmed of surrounding spaces.
  public static func records(in text: String) throws(PickFormatError) -> [Record] {
    var records: [Record] = []
    try forEachRecord(in: text) { (record: Record) throws(PickFormatError) in
      records.append(record)
    }
    return records
  }

  /// Calls `body` with each record of CSV text in order (see `records(in:)`). It scans the
  /// UTF-8 bytes: the characters that structure CSV (quote, comma, CR, LF) are ASCII, and no
  /// byte of a multi-byte UTF-8 sequence is.
  public static func forEachRecord(
    in text: String, _ body: (Record) throws(PickFormatError) -> Void
  ) throws(PickFormatError) {
    var text = text
    let result: Result<Void, PickFormatError> = text.withUTF8 { bytes in
      do throws(PickFormatError) {
        try scan(bytes, body)
        return .success(())
      } catch {
        return .failure(error)
      }
    }
    try result.get()
  }

  private static func scan(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (Record) throws(PickFormatError) -> Void
  ) throws(PickFormatError) {
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r")
    let lf = UInt8(ascii: "\n"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    var fields: [String] = []
    var line = 1
    var recordLine = 1
    var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    // The current field: unquoted, the bytes from `fieldStart` to `i`; quoted, `quotedBytes`.
    var fieldStart = i
    var quoted = false
    var inQuotes = false
    var quotedBytes: [UInt8] = []
    func unquoted(_ from: Int, _ to: Int) -> String {
      var a = from
      var b = to
      while a < b, bytes[a] == space || bytes[a] == tab { a += 1 }
      while b > a, bytes[b - 1] == space || bytes[b - 1] == tab { b -= 1 }
      let field = String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
      // Other Unicode spaces (no-break space, ...) are trimmed as Foundation trims them.
      if a < b, bytes[a] >= 0x80 || bytes[b - 1] >= 0x80 {
        return field.trimmingCharacters(in: .whitespaces)
      }
      return field
    }
    func endField() {
      if quoted {
        fields.append(String(decoding: quotedBytes, as: UTF8.self))
      } else {
        fields.append(unquoted(fieldStart, i))
      }
      quoted = false
      quotedBytes.removeAll(keepingCapacity: true)
    }
    func endRecord() throws(PickFormatError) {
      endField()
      try body(Record(line: recordLine, fields: fields))
      fields.removeAll(keepingCapacity: true)
    }
    while i < bytes.count {
      let c = bytes[i]
      if inQuotes {
        if c == quote {
          if i + 1 < bytes.count && bytes[i + 1] == quote {
            quotedBytes.append(quote)
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if c == lf { line += 1 }
          quotedBytes.append(c)
        }
      } else if c == quote {
        // Only spaces may come before an opening quote (after a closing one too: `"" "a"`).
        let before =
          quoted
          ? String(decoding: quotedBytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
          : unquoted(fieldStart, i)
        guard before.isEmpty else {
          throw PickFormatError(line: line, reason: "a quote inside an unquoted field")
        }
        quotedBytes.removeAll(keepingCapacity: true)
        quoted = true
        inQuotes = true
      } else if c == comma {
        endField()
        fieldStart = i + 1
      } else if c == cr || c == lf {
        try endRecord()
        if c == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
        line += 1
        recordLine = line
        fieldStart = i + 1
      } else if quoted {
        if c != space && c != tab {
          throw PickFormatError(line: line, reason: "text after a closing quote")
        }
      }
      i += 1
    }
    if inQuotes { throw PickFormatError(line: recordLine, reason: "unterminated quoted field") }
    if fieldStart < bytes.count || quoted || !fields.isEmpty { try endRecord() }
  }
}
