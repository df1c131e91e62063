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
struct TracesListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "One line per stored segment (times ISO 8601 UTC; end_time is the last sample).")

  @OptionGroup var global: GlobalOptions

  @Option(help: "table or csv.")
  var format: TracesList.Format = .table

  func run() throws {
    _ = global.makeLogger()
    let store = try global.openStore()
    do {
      let segments = try store.segmentSummaries()
      FileHandle.standardOutput.write(Data(TracesList.render(segments, format: format).utf8))
    } catch {
      Console.error("\(global.storePath): \(Console.describe(error))")
      throw ExitCode(1)
    }
  }
}

/// `seiscluster traces export --format mseed|sac --output DIR [--force]`
struct TracesExportCommand: ParsableCommand {
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

  @Option(help: ArgumentHelp("The folder to write into (created when missing).", valueName: "dir"))
  var output: String

  @Flag(help: "Overwrite existing files.")
  var force = false

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.openStore()
    let report: TracesExport.Report
    do {
      report = try TracesExport(store: store, logger: logger, quiet: global.quiet)
        .run(format: format, directory: output, force: force)
    } catch let error as InputError {
      Console.error(error.description)
      throw ExitCode(1)
    } catch {
      Console.error("\(output): \(Console.describe(error))")
      throw ExitCode(1)
    }
    if !global.quiet { Console.write(report.summary) }
    if !report.failures.isEmpty { throw ExitCode(1) }
  }
}
