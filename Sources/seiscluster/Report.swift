import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster report`: one self-contained HTML page about a run.
struct Report: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a self-contained HTML report about a run.",
    discussion: """
      Settings and training curves, a PCA map of the latent space, cluster counts over time per \
      station, and per cluster its size, mean waveform and spread, most confident members and \
      mean spectrogram. Inline SVG only: the page needs no network and no script.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("The HTML file to write (- for standard output).", valueName: "file"))
  var output: String

  @Option(
    name: .customLong("run"), help: "The run to report on (default: the latest complete run).")
  var runID: Int64?

  @Flag(
    help:
      "Replace an existing regular file, or the file a symbolic link points to (the link stays); folders, FIFOs and devices are always refused."
  )
  var force = false

  func run() throws {
    let logger = global.makeLogger()
    try OutputFile.checkWritable(output, force: force)
    let store = try global.store.openForReading()
    let report = try HTMLReport.load(from: store, runID: runID)
    try OutputFile.write(report.render(), to: output, force: force)
    if !global.quiet {
      logger.info(
        "wrote the report on run \(report.catalog.runID) (\(report.catalog.entries.count) windows) to \(output)"
      )
    }
  }
}
