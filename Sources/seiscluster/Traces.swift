import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster traces list|export`
struct TracesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "traces",
    abstract: "List or export the stored segments.",
    subcommands: [TracesListCommand.self, TracesExportCommand.self])
}

extension TracesList.Format: ExpressibleByArgument {}
extension TracesExport.Format: ExpressibleByArgument {}

/// `seiscluster traces list [--format table|csv]`
struct TracesListCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "One line per stored segment (times ISO 8601 UTC; end_time is the last sample).")

  @OptionGroup var global: GlobalOptions

  @Option(help: "table or csv.")
  var format: TracesList.Format = .table

  func run() throws {
    _ = global.makeLogger()
    let store = try global.store.openForReading()
    try OutputFile.Sink.standardOutput.write(
      Data(try TracesList.run(store: store, format: format).utf8))
  }
}

/// `seiscluster traces export --format mseed|sac --output DIR [--force]`
struct TracesExportCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write every stored segment as a file of its own.",
    discussion: """
      MiniSEED keeps every sample exactly (Steim-2 where the integers pack, INT32 otherwise, \
      FLOAT32/FLOAT64 for floats; 4096-byte records). SAC holds float32 samples.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: "mseed or sac.")
  var format: TracesExport.Format

  @Option(
    help: ArgumentHelp(
      "The folder to write into (created when missing); - writes MiniSEED to standard output.",
      valueName: "dir"))
  var output: String

  @Flag(
    help:
      "Replace an existing regular file, or the file a symbolic link points to (the link stays); folders, FIFOs and devices are always refused."
  )
  var force = false

  func validate() throws {
    if output == "-" && format == .sac {
      throw ValidationError(
        "SAC files cannot be concatenated: --output - writes MiniSEED; give a folder for SAC")
    }
  }

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForReading()
    let report = try TracesExport(store: store, logger: logger, quiet: global.quiet)
      .run(format: format, directory: output, force: force)
    if let line = report.inexactRatesLine { Console.warning(line) }
    if !global.quiet { Console.write(report.summary) }
    if !report.failures.isEmpty { throw ExitCode(1) }
  }
}
