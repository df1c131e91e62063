import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster picks import FILE`, `seiscluster picks list`, `seiscluster picks delete`
struct PicksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "picks",
    abstract: "Import picks (arrival times) to cut windows around, list or delete them.",
    subcommands: [PicksImportCommand.self, PicksListCommand.self, PicksDeleteCommand.self])
}

/// `seiscluster picks delete (--phase NAME | --origin TEXT | --all)`
struct PicksDeleteCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete",
    abstract: "Delete stored picks: of one phase, from one origin, or all.",
    discussion: """
      --phase and --origin are matched exactly, as `picks list` shows them (the origin is the \
      path a file was imported from, or `detect`); given both, a pick must match both. Windows \
      already built from deleted picks stay, with the pick's time and phase, and runs on them \
      keep their results (their catalogs leave the pick's channel empty). To replace a pick \
      file that held wrong times: seiscluster picks delete --origin picks.csv, then import the \
      corrected file. `detect` replaces its own triggers when run again.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("Only picks of this phase.", valueName: "name"))
  var phase: String?

  @Option(
    help: ArgumentHelp(
      "Only picks from this origin (the `origin` column of `picks list`).", valueName: "text"))
  var origin: String?

  @Flag(help: "Delete every stored pick.")
  var all = false

  func validate() throws {
    if all && (phase != nil || origin != nil) {
      throw ValidationError("--all deletes every pick: give it alone, or --phase/--origin")
    }
    if !all && phase == nil && origin == nil {
      throw ValidationError("give --phase, --origin or --all (picks list shows them)")
    }
  }

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForWriting()
    let deleted = try store.deletePicks(phase: phase, origin: origin)
    let remaining = try store.pickCount()
    if !global.quiet {
      Console.write("picks: deleted \(deleted); \(remaining) stored")
    }
  }
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
