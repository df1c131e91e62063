import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster assign [--run ID]`
struct AssignCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "assign",
    abstract: "Give clusters to new windows with a stored run's model, unchanged.",
    discussion: """
      Applies the run's autoencoder and centroids to the windows of the current set that the run \
      has not assigned yet (new picks, new data), storing their clusters and probabilities. \
      A window the run has assigned (same pick, or same window_id and samples) is skipped; a \
      window whose window_id the run's catalog gives to another window is refused, so each \
      window_id names one window in the catalog. Build the windows with the run's window \
      options first; for a new day's picks only, add --start (`windows build --before 5 \
      --after 55 --start 2026-03-02`): a full rebuild stores every earlier window again, and \
      the run's assignments then keep that set. Uses the latest run unless --run is given.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(
    name: .customLong("run"),
    help: ArgumentHelp("The run to apply (default: the latest).", valueName: "id"))
  var runID: Int64?

  func run() throws {
    let logger = global.makeLogger()
    let store = try global.store.openForWriting()
    let report = try AssignJob(runID: runID, quiet: global.quiet).run(
      store: store, logger: logger)
    // The warnings, then the summary: the command's last line says what it skipped.
    if let far = report.farWarning { Console.warning(far) }
    if let other = report.otherSamplesWarning { Console.warning(other) }
    if !global.quiet { Console.write(report.summary) }
  }
}
