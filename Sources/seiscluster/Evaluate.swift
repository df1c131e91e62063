import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster evaluate --truth FILE [--run ID]`
struct EvaluateCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Score a run's clusters against known classes (ACC, NMI, ARI).",
    discussion: """
      The truth CSV has columns network,station,location,time,label (or window_id,label). Rows \
      match windows by codes and pick time within 1 ms (or by window id); rows that match no \
      window are counted, reported and left out. ACC uses the best one-to-one matching of \
      clusters to classes (Hungarian), NMI the arithmetic normalisation, ARI the adjusted Rand \
      index. After `relabel` it also prints the labels' accuracy on the windows that were not \
      hand-labelled. The last line is machine-readable:
        ACC=0.9841 NMI=0.8901 ARI=0.9372 N=9200
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("The truth CSV.", valueName: "file"))
  var truth: String

  @Option(
    name: .customLong("run"),
    help: ArgumentHelp("The run to score (default: the latest).", valueName: "id"))
  var runID: Int64?

  func run() throws {
    _ = global.makeLogger()
    let file = try WindowLabelFile(path: truth)
    let store = try global.store.openForReading()
    let evaluation = try Evaluation.evaluate(store: store, runID: runID, truth: file)
    let lines = evaluation.lines
    for line in lines.dropLast() where !global.quiet { Console.write(line) }
    if !evaluation.unmatchedLines.isEmpty && global.quiet {
      Console.warning("\(evaluation.unmatchedLines.count) truth rows match no window")
    }
    if evaluation.unscored > 0 && global.quiet {
      Console.warning("\(evaluation.unscored) of the run's windows have no truth row")
    }
    try Console.output(lines.last ?? "")
  }
}
