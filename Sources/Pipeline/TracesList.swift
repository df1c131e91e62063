import Foundation
import Seismic
import Store

/// `traces list`: one line per stored segment, as a table or CSV.
public enum TracesList {
  public enum Format: String, CaseIterable, Sendable {
    case table, csv
  }

  /// The contract's columns first, then the sample type and the source file.
  public static let csvColumns = [
    "network", "station", "location", "channel", "start_time", "end_time", "sampling_rate_hz",
    "sample_count", "sample_type", "source_file",
  ]

  /// The listing of every segment in `store` (reads only).
  public static func run(store: SeisStore, format: Format) throws -> String {
    render(try store.segmentSummaries(), format: format)
  }

  /// The listing's text (ending with a newline unless empty).
  public static func render(_ segments: [SegmentSummary], format: Format) -> String {
    let rows = segments.map { s in
      [
        s.source.network, s.source.station, s.source.location, s.source.channel,
        s.startTime.iso8601, s.endTime.iso8601, "\(s.samplingRate)", "\(s.sampleCount)",
        s.sampleType.rawValue, s.filePath,
      ]
    }
    switch format {
    case .csv:
      let lines = [csvColumns] + rows
      return lines.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    case .table:
      let header = [
        "NET", "STA", "LOC", "CHA", "START", "END", "RATE_HZ", "SAMPLES", "TYPE", "FILE",
      ]
      // One line per segment: control characters in a name (a newline in a file path) are
      // written escaped, as `\n`.
      // (A backslash is doubled then, so the escapes cannot be confused with the name's own.)
      func oneLine(_ cell: String) -> String {
        func control(_ u: Unicode.Scalar) -> Bool {
          u.value < 32 || (127...159).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
        }
        guard cell.unicodeScalars.contains(where: control) else { return cell }
        return cell.unicodeScalars.map { u -> String in
          switch u {
          case "\\": return "\\\\"
          case "\n": return "\\n"
          case "\r": return "\\r"
          case "\t": return "\\t"
          default: return control(u) ? String(format: "\\u{%x}", u.value) : String(u)
          }
        }.joined()
      }
      let all = [header] + rows.map { $0.map(oneLine) }
      var widths = [Int](repeating: 0, count: header.count)
      for row in all {
        for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
      }
      let lines = all.map { row in
        row.enumerated().map { i, cell in
          i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
      }
      return lines.joined(separator: "\n") + "\n"
    }
  }

  /// RFC 4180 quoting where needed.
  static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return text
    }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
