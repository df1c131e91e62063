import Foundation
import Seismic
import Store

/// `picks list`: one line per stored pick, in time order, as a table or CSV. The CSV's first
/// seven columns are those `picks import` reads, so a listing can be edited and imported into
/// another store.
public enum PicksList {
  public static let csvColumns = [
    "network", "station", "location", "channel", "time", "phase", "label", "origin",
  ]

  /// The listing of the picks in `store` (reads only), of one phase when given.
  public static func run(store: SeisStore, format: TracesList.Format, phase: String? = nil)
    throws -> String
  {
    render(try store.picks(phase: phase), format: format)
  }

  /// The listing's text (ending with a newline unless empty).
  public static func render(_ picks: [PickRecord], format: TracesList.Format) -> String {
    let rows = picks.map { p in
      [
        p.network, p.station, p.location, p.channel ?? "", p.time.iso8601, p.phase, p.note ?? "",
        p.origin,
      ]
    }
    switch format {
    case .csv:
      let lines = [csvColumns] + rows
      return lines.map { $0.map(TracesList.csvField).joined(separator: ",") }
        .joined(separator: "\n") + "\n"
    case .table:
      return TextTable.render(
        header: ["NET", "STA", "LOC", "CHA", "TIME", "PHASE", "LABEL", "ORIGIN"], rows: rows)
    }
  }
}
