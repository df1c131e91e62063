import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster picks import FILE`
struct PicksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "picks",
    abstract: "Import picks (arrival times) to cut windows around.",
    subcommands: [PicksImportCommand.self])
}

/// `seiscluster picks import FILE`
struct PicksImportCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Store the picks of a CSV or QuakeML file.",
    discussion: """
      CSV: a header row with network,station,location,time (ISO 8601 UTC) and optionally \
      channel, phase and label (kept as a note, never used for clustering); columns in any \
      order. A picker's own table is read as written: PhaseNet's picks.csv (station_id \
      NET.STA.LOC.HH, phase_time, phase_type) or SeisBench's picks.to_dataframe().to_csv() \
      (station NET.STA.LOC, time, start_time, end_time, phase; or trace_id, peak_time, phase). \
      QuakeML: event/pick elements with waveformID and time; the phase is the pick's \
      phaseHint, or else the phase of the origin's arrival that names the pick. Times are kept to \
      the microsecond, as exports write them. Importing a pick again \
      (same station, location, time and phase) changes nothing. Rows that cannot be read and \
      picks at stations without stored data are reported (the latter are kept).
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("A CSV or QuakeML pick file.", valueName: "file"))
  var file: String

  func run() throws {
    let logger = global.makeLogger()
    try InputPaths.requireNonEmpty(file)
    let store = try global.store.openForWriting()
    let report = try PicksImport(store: store, logger: logger).run(path: file)
    if !global.quiet { Console.write(report.summary) }
  }
}
