import Foundation

/// Reads picks from CSV as the contract defines: a header row; columns in any order, extra columns
/// ignored; `network`, `station`, `location`, `time` required; `channel`, `phase` optional; a `label`
/// column kept as the pick's note. Fields may be quoted (RFC 4180: `""` escapes a quote, quoted
/// fields may hold commas and newlines). Header names are matched without regard to case or
/// surrounding spaces; unquoted fields are trimmed. An empty `location` (or `--`) is the blank
/// code. `time` is ISO 8601 UTC, with or without `Z` and fractional seconds.
public enum PickCSVReader {
  /// Parses CSV text. Rows that cannot be used are returned as problems with their line numbers;
  /// a missing header or required column throws.
  public static func parse(_ text: String) throws(PickFormatError) -> PickFileContents {
    let records = try records(in: text)
    guard let header = records.first(where: { !$0.isBlank }) else {
      throw PickFormatError(reason: "no header row")
    }
    var column: [String: Int] = [:]
    for (i, name) in header.fields.enumerated() {
      let key = name.trimmingCharacters(in: .whitespaces).lowercased()
      if column[key] == nil { column[key] = i }
    }
    let required = ["network", "station", "location", "time"]
    let missing = required.filter { column[$0] == nil }
    guard missing.isEmpty else {
      throw PickFormatError(
        line: header.line,
        reason: "missing required column\(missing.count > 1 ? "s" : "") "
          + missing.joined(separator: ", ") + " (header: \(header.fields.joined(separator: ",")))")
    }
    var contents = PickFileContents()
    for record in records where record.line > header.line && !record.isBlank {
      guard record.fields.count == header.fields.count else {
        contents.problems.append(
          PickProblem(
            line: record.line,
            reason: "\(record.fields.count) fields where the header has \(header.fields.count)"))
        continue
      }
      func field(_ name: String) -> String? {
        guard let i = column[name] else { return nil }
        let value = record.fields[i]
        return value.isEmpty ? nil : value
      }
      let network = field("network") ?? ""
      let station = field("station") ?? ""
      guard !network.isEmpty, !station.isEmpty else {
        contents.problems.append(
          PickProblem(line: record.line, reason: "empty \(network.isEmpty ? "network" : "station")")
        )
        continue
      }
      let timeText = field("time") ?? ""
      guard let time = Timestamp(iso8601: timeText) else {
        contents.problems.append(
          PickProblem(
            line: record.line,
            reason: Timestamp.iso8601Problem(timeText) ?? "cannot read time '\(timeText)'"))
        continue
      }
      contents.picks.append(
        Pick(
          network: network, station: station,
          location: Pick.normalizedLocation(field("location") ?? ""),
          channel: field("channel"), time: time, phase: field("phase"), note: field("label")))
    }
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
    var fields: [String] = []
    var field = ""
    var quoted = false
    var inQuotes = false
    var line = 1
    var recordLine = 1
    var characters = Array(text.unicodeScalars)
    if characters.first == "\u{FEFF}" { characters.removeFirst() }
    var i = 0
    func endField() {
      fields.append(quoted ? field : field.trimmingCharacters(in: .whitespaces))
      field = ""
      quoted = false
    }
    func endRecord() {
      endField()
      records.append(Record(line: recordLine, fields: fields))
      fields = []
    }
    while i < characters.count {
      let c = characters[i]
      if inQuotes {
        if c == "\"" {
          if i + 1 < characters.count && characters[i + 1] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        guard field.trimmingCharacters(in: .whitespaces).isEmpty else {
          throw PickFormatError(line: line, reason: "a quote inside an unquoted field")
        }
        field = ""
        quoted = true
        inQuotes = true
      } else if c == "," {
        endField()
      } else if c == "\r" || c == "\n" {
        if c == "\r" && i + 1 < characters.count && characters[i + 1] == "\n" { i += 1 }
        endRecord()
        line += 1
        recordLine = line
      } else if quoted {
        if c != " " && c != "\t" {
          throw PickFormatError(line: line, reason: "text after a closing quote")
        }
      } else {
        field.unicodeScalars.append(c)
      }
      i += 1
    }
    if inQuotes { throw PickFormatError(line: recordLine, reason: "unterminated quoted field") }
    if !field.isEmpty || quoted || !fields.isEmpty { endRecord() }
    return records
  }
}
