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
      return TextTable.render(header: header, rows: rows)
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
