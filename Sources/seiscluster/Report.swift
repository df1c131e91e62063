import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster report`: one self-contained HTML page about a run.
struct Report: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a self-contained HTML report about a run (or a latent-size sweep).",
    discussion: """
      Settings and training curves, a PCA map of the latent space, cluster counts over time per \
      station, and per cluster its size, mean waveform and spread, most confident members and \
      mean spectrogram. Inline SVG, with spectrograms as PNG images embedded in it: the page \
      needs no network and no script.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("The HTML file to write (- for standard output).", valueName: "file"))
  var output: String

  @Option(
    name: .customLong("run"), help: "The run to report on (default: the latest complete run).")
  var runID: Int64?

  @Option(
    help: ArgumentHelp(
      "Report on a latent-size sweep instead of a run: its id, or nothing (or latest) for the latest sweep.",
      valueName: "id"))
  var sweep: String?

  @Flag(
    help:
      "Replace an existing regular file, or the file a symbolic link points to (the link stays); folders, FIFOs and devices are always refused."
  )
  var force = false

  /// The sweep asked for: nil for none, `.some(nil)` for the latest.
  var sweepID: Int64?? {
    get throws {
      guard let sweep else { return nil }
      if sweep == Self.latestSweep { return .some(nil) }
      guard let id = Int64(sweep), id >= 1 else {
        throw ValidationError("--sweep takes a sweep id (or nothing for the latest sweep)")
      }
      return .some(id)
    }
  }

  /// What a bare `--sweep` reads as (see `Seiscluster.arguments`).
  static let latestSweep = "latest"

  func validate() throws {
    if try sweepID != nil, runID != nil {
      throw ValidationError("--sweep and --run name different reports: give one")
    }
  }

  func run() throws {
    let logger = global.makeLogger()
    try OutputFile.checkWritable(output, force: force, reading: global.store.path)
    let store = try global.store.openForReading()
    if let sweepID = try sweepID {
      let report = try SweepReport.load(from: store, sweepID: sweepID)
      if let missing = report.missingRunsLine { Console.warning(missing) }
      try OutputFile.write(report.render(), to: output, force: force)
      if !global.quiet {
        logger.info("wrote the report on sweep \(report.sweep.id ?? 0) to \(output)")
      }
      return
    }
    let report = try HTMLReport.load(from: store, runID: runID)
    try OutputFile.write(report.render(), to: output, force: force)
    if !global.quiet {
      logger.info(
        "wrote the report on run \(report.catalog.runID) (\(report.catalog.entries.count) windows) to \(output)"
      )
    }
  }
}
