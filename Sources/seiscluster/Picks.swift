import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster picks import FILE`, `seiscluster picks list`
struct PicksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "picks",
    abstract: "Import picks (arrival times) to cut windows around, or list them.",
    subcommands: [PicksImportCommand.self, PicksListCommand.self])
}

/// `seiscluster picks list [--format table|csv] [--phase NAME]`
struct PicksListCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "One line per stored pick, in time order.",
    discussion: """
      Columns: network, station, location, channel (empty when the pick names none), time \
      (ISO 8601 UTC, to the microsecond), phase (`trigger` for `detect`'s), label (an imported \
      file's label column, kept as a note and never used for clustering; `detect`'s settings \
      for a trigger) and origin (the file or command the pick came from). The CSV's first seven \
      columns are those `picks import` reads, so a listing can be filtered, edited and imported \
      into another store; import refuses a row without a network code (`detect` stores \
      triggers of data that has none) and trims spaces around a label. Example: seiscluster picks list --phase trigger --format csv
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: "table or csv.")
  var format: TracesList.Format = .table

  @Option(
    help: ArgumentHelp(
      "Only picks of this phase (matched exactly, as --phase of windows build).",
      valueName: "name"))
  var phase: String?

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForReading()
    try OutputFile.Sink.standardOutput.write(
      Data(try PicksList.run(store: store, format: format, phase: phase).utf8))
  }
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
