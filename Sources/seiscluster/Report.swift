import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster report`: one self-contained HTML page about a run.
struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a self-contained HTML report about a run.",
    discussion: """
      Settings and training curves, a PCA map of the latent space, cluster counts over time per \
      station, and per cluster its size, mean waveform and spread, most confident members and \
      mean spectrogram. Inline SVG only: the page needs no network and no script.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("The HTML file to write.", valueName: "file"))
  var output: String

  @Option(
    name: .customLong("run"), help: "The run to report on (default: the latest complete run).")
  var runID: Int64?

  @Flag(help: "Overwrite the output file if it exists.")
  var force = false

  func run() throws {
    let logger = global.makeLogger()
    do {
      try OutputFile.checkWritable(output, force: force)
      let store = try global.openStore()
      let report = try HTMLReport.load(from: store, runID: runID)
      try OutputFile.write(report.render(), to: output, force: force)
      if !global.quiet {
        logger.info(
          "wrote the report on run \(report.catalog.runID) (\(report.catalog.entries.count) windows) to \(output)"
        )
      }
    } catch let error as InputError {
      Console.error(error.description)
      throw ExitCode(1)
    }
  }
}
