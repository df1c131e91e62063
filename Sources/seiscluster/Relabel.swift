import ArgumentParser
import Foundation
import Pipeline

/// `seiscluster relabel --labels FILE [--clusters K]`
struct RelabelCommand: SeisclusterCommand {
  static let configuration = CommandConfiguration(
    commandName: "relabel",
    abstract: "Steer the clusters with a few hand labels and label every window.",
    discussion: """
      The labels CSV has columns network,station,location,time,label (or window_id,label) for a \
      few windows of the latest cluster run, or of the one --run names (pick time within 1 ms). Each class gets a centroid \
      at its labelled windows' mean embedding; deep embedded clustering then runs with those \
      windows' targets fixed to their class. Every window gets a class `label` and its \
      probability, stored as a new run that `export` and `evaluate` show. --clusters K larger \
      than the number of classes keeps extra, unlabelled clusters (`unlabelled-N`).

      When the run had one restart or was unstable, or its clusters put a hand-labelled window \
      outside its class's cluster (first-motion polarity runs excepted), fresh networks are also \
      trained under the labels. A candidate whose clusters separate the windows much less well \
      than the best candidate's is set aside; of the others, the one the candidates agree with \
      most is kept. \
      The summary's `candidates (input separation):` line shows each one's share and fate. \
      A stable first-motion polarity run whose clusters the labels agree with (better than \
      chance) is kept as it is: its clusters are named by the classes and the hand labels \
      stand for their windows (steering it lowered the worst case on every data set measured, \
      by up to 0.06 on one).

      A window labelled with two classes is an error. When the labels agree with the \
      unsupervised clusters no better than chance, stderr says so: \
      `warning: labels disagree with the data ...`.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("The hand labels CSV.", valueName: "file"))
  var labels: String

  @Option(help: ArgumentHelp("Clusters (default: the number of classes).", valueName: "k"))
  var clusters: Int?

  @Option(
    name: .customLong("run"),
    help: ArgumentHelp(
      "The cluster run to relabel (default: the latest complete one; `export` and `evaluate` take the same ids).",
      valueName: "id"))
  var runID: Int64?

  func validate() throws {
    if let clusters, clusters < 1 { throw ValidationError("--clusters must be at least 1") }
  }

  func run() throws {
    let logger = global.makeLogger()
    let file = try WindowLabelFile(path: labels)
    let store = try global.store.openForWriting()
    var job = RelabelJob(labels: file, clusterCount: clusters, quiet: global.quiet)
    job.sourceRunID = runID
    let outcome = try job.run(store: store, logger: logger)
    if !outcome.unmatchedLines.isEmpty {
      let sample = outcome.unmatchedLines.prefix(5).map(String.init).joined(separator: ", ")
      let one = outcome.unmatchedLines.count == 1
      let elsewhere =
        outcome.unmatchedAssignedElsewhere == 0
        ? ""
        : one
          ? "; it names a window `assign` added outside the run's window set that relabel could not label"
          : "; \(outcome.unmatchedAssignedElsewhere) of them name windows `assign` added outside the run's window set that relabel could not label"
      Console.warning(
        "\(labels): \(outcome.unmatchedLines.count) label\(one ? " matches" : "s match") no window (line\(one ? "" : "s") \(sample)\(outcome.unmatchedLines.count > 5 ? ", ..." : "")) and \(one ? "was" : "were") left out\(elsewhere)\(outcome.unmatchedHint)"
      )
    }
    if let (count, reason) = outcome.leftElsewhere {
      Console.warning(
        "\(count) windows that `assign` gave run \(outcome.run.parentRunId ?? 0) (or a relabel of it) have no label from run \(outcome.run.id ?? 0): \(reason)"
      )
    }
    if outcome.disagrees, let a = outcome.agreement, a.accuracy >= 1 - 1e-9 {
      // Every label matches the clusters, yet so few that chance could match them too: said as
      // such, on the contract's line (it starts `warning: labels disagree with the data`).
      Console.warning(
        String(
          format:
            "labels disagree with the data cannot be ruled out: all %d match the unsupervised clusters, but so few labels match by chance with p = %.3f; more labels per class make the check meaningful",
          a.count, a.pValue))
    } else if outcome.disagrees, let a = outcome.agreement {
      // The clusters compared with may be what is wrong: a run of one restart, or one whose
      // restarts disagree, is said to be (correct labels on a poor run read as bad labels).
      let check =
        outcome.sourceDoubt.map {
          "check the labels file, and the clusters too: \($0) (the relabel's own labels may be the better ones; `evaluate` with truth tells)"
        } ?? "check the labels file"
      Console.warning(
        String(
          format:
            "labels disagree with the data: the hand labels match run %lld's unsupervised clusters no better than chance (accuracy %.3f, chance %.3f, p = %.3f); ",
          outcome.run.parentRunId ?? 0, a.accuracy, a.chanceAccuracy, a.pValue) + check)
    }
    if !global.quiet {
      let how =
        outcome.keptSource
        ? "named the clusters of first-motion run \(outcome.run.parentRunId ?? 0) (kept, not trained)"
        : "steered"
      Console.write(
        "run \(outcome.run.id ?? 0): \(outcome.matchedLabels) hand labels \(how): \(outcome.counts.reduce(0, +)) windows in \(outcome.classes.count) classes\(outcome.orphans > 0 ? "; \(outcome.orphans) windows are orphans" : "")"
      )
      if outcome.labelledAsAssign > 0 {
        Console.write(
          "relabel: \(outcome.labelledAsAssign) windows that `assign` gave run \(outcome.run.parentRunId ?? 0) (or a relabel of it) outside its window set are labelled too, as `assign` labels new windows"
        )
      }
      if outcome.handLabelledElsewhere > 0 {
        let n = outcome.handLabelledElsewhere
        Console.write(
          "relabel: \(n) hand label\(n == 1 ? " names a window" : "s name windows") outside the run's window set: \(n == 1 ? "it labels that window" : "they label those windows") in the catalog, but relabel trains on the set's own"
        )
      }
      for line in outcome.summary { print(line) }
    }
  }
}
