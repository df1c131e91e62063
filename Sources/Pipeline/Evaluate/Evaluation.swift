import Clustering
import Foundation
import Store

/// The `evaluate` use case: compare a run's clusters (and labels, after `relabel`) with a truth
/// file.
public struct Evaluation: Sendable {
  public var run: RunRecord
  public var scores: ClusteringScores
  /// Truth rows that matched no window (with their line numbers).
  public var unmatchedLines: [Int]
  /// Truth rows matched to a window already matched by an earlier row.
  public var duplicateLines: [Int]
  /// After `relabel`: accuracy of the labels on windows that were not hand-labelled.
  public var labelAccuracy: (accuracy: Double, count: Int)?
  /// After `relabel`, when no truth class is named as any of the run's classes: both sets of
  /// names (the label accuracy compares names, so it is 0 then).
  public var unrelatedClassNames: (truth: [String], run: [String])?
  /// Truth rows (lines) that more than one window matches: each scored against the nearest.
  public var ambiguousLines: [Int] = []
  /// Truth rows (lines) whose window_id names another window than their pick: the pick
  /// decides.
  public var otherIDLines: [Int] = []
  public var confound: StationConfoundReport?
  /// When the clusters follow stations on window-referenced spectrograms: a line naming
  /// `--spectrogram-reference noise` or `frequency` (decision 0020).
  public var spectrogramHint: String?
  /// Accuracy per tenth of the windows ranked by their cluster's probability, lowest first
  /// (clusters mapped to classes as for ACC).
  public var deciles: [Decile] = []
  /// Scored windows that are orphans (`--orphans`: cluster -1), and how many were scored.
  public var orphans = 0
  public var scored = 0
  /// The run's windows that no truth row matched: not scored.
  public var unscored = 0
  /// `WindowLabelFile.otherCaseHint` for the unmatched rows ("" when none is in other case).
  public var unmatchedHint = ""

  /// Each cluster's windows by truth class, and the class ACC maps it to (nil: mapped to none,
  /// with more clusters than classes; orphans, cluster -1, count as one more cluster, as for
  /// ACC). In cluster order.
  public var clusterClasses: [ClusterClasses] = []
  /// Classes that no cluster maps to (more classes than clusters), with their windows.
  public var unmappedClasses: [(name: String, count: Int)] = []

  public struct ClusterClasses: Sendable, Equatable {
    public var cluster: Int
    public var mappedClass: String?
    /// Windows per truth class, most first (ties by name).
    public var classes: [ClassCount]
    public var size: Int { classes.reduce(0) { $0 + $1.count } }
  }

  public struct ClassCount: Sendable, Equatable {
    public var name: String
    public var count: Int
  }

  /// `clusterClasses` and `unmappedClasses` of scored windows.
  static func clusterClasses(
    predicted: [Int], truth: [Int], classNames: [String], classOfCluster: [Int: Int]
  ) -> (clusters: [ClusterClasses], unmapped: [(name: String, count: Int)]) {
    var counts: [Int: [Int: Int]] = [:]
    var totals = [Int](repeating: 0, count: classNames.count)
    for (p, t) in zip(predicted, truth) {
      counts[p, default: [:]][t, default: 0] += 1
      totals[t] += 1
    }
    let clusters = counts.keys.sorted().map { cluster in
      ClusterClasses(
        cluster: cluster,
        mappedClass: classOfCluster[cluster].map { classNames[$0] },
        classes: counts[cluster]!.map { ClassCount(name: classNames[$0.key], count: $0.value) }
          .sorted { ($1.count, $0.name) < ($0.count, $1.name) })
    }
    let mapped = Set(classOfCluster.values)
    var unmapped: [(name: String, count: Int)] = []
    for index in classNames.indices where !mapped.contains(index) {
      unmapped.append((classNames[index], totals[index]))
    }
    return (clusters, unmapped.sorted { $0.name < $1.name })
  }

  /// The lines of `clusterClasses`: one per cluster, its mapped class first, then at most three
  /// other classes and a count of the rest.
  static func clusterClassLines(
    _ clusterClasses: [ClusterClasses], unmapped unmappedClasses: [(name: String, count: Int)]
  ) -> [String] {
    guard !clusterClasses.isEmpty else { return [] }
    var out = ["clusters against the truth (each cluster's class as ACC maps it):"]
    let shown = clusterClasses.count > 60 ? Array(clusterClasses.prefix(50)) : clusterClasses
    for row in shown {
      let name = row.cluster < 0 ? "orphans (cluster -1)" : "cluster \(row.cluster)"
      var line = "  \(name) (\(row.size) window\(row.size == 1 ? "" : "s"))"
      var others = row.classes
      if let mapped = row.mappedClass, let own = others.firstIndex(where: { $0.name == mapped }) {
        line += " -> \(mapped): \(others[own].count)"
        others.remove(at: own)
      } else if let mapped = row.mappedClass {
        line += " -> \(mapped): 0"
      } else {
        line += " -> no class (more clusters than classes):"
      }
      if !others.isEmpty {
        let listed = others.prefix(3).map { "\($0.name) \($0.count)" }
        let rest = others.dropFirst(3).reduce(0) { $0 + $1.count }
        let prefix = row.mappedClass == nil ? " " : "; also "
        line +=
          prefix + listed.joined(separator: ", ")
          + (rest > 0
            ? ", \(rest) in \(others.count - 3) other class\(others.count == 4 ? "" : "es")" : "")
      }
      out.append(line)
    }
    if shown.count < clusterClasses.count {
      out.append("  ... and \(clusterClasses.count - shown.count) more clusters")
    }
    if !unmappedClasses.isEmpty {
      let listed = unmappedClasses.prefix(10).map { "\($0.name) (\($0.count))" }
      out.append(
        "  classes no cluster maps to: \(listed.joined(separator: ", "))"
          + (unmappedClasses.count > 10 ? ", and \(unmappedClasses.count - 10) more" : ""))
    }
    return out
  }

  public struct Decile: Sendable, Equatable {
    public var lowest: Double
    public var highest: Double
    public var accuracy: Double
    public var count: Int
  }

  /// Splits windows ranked by probability into tenths (fewer when there are fewer than ten
  /// windows) and scores each.
  static func deciles(probabilities: [Double], correct: [Bool]) -> [Decile] {
    let order = probabilities.indices.sorted {
      (probabilities[$0], $0) < (probabilities[$1], $1)
    }
    let n = order.count
    let parts = min(10, n)
    guard parts > 0 else { return [] }
    return (0..<parts).map { d in
      let slice = order[(d * n / parts)..<((d + 1) * n / parts)]
      let hits = slice.filter { correct[$0] }.count
      return Decile(
        lowest: probabilities[slice.first!], highest: probabilities[slice.last!],
        accuracy: Double(hits) / Double(slice.count), count: slice.count)
    }
  }

  /// The report, the machine-readable line last.
  public var lines: [String] {
    var out: [String] = []
    out.append("run \(run.id ?? 0) (\(run.kind.rawValue), \(run.clusterCount) clusters)")
    if !unmatchedLines.isEmpty {
      let sample = unmatchedLines.prefix(5).map(String.init).joined(separator: ", ")
      out.append(
        "\(unmatchedLines.count) truth rows match no window (lines \(sample)\(unmatchedLines.count > 5 ? ", ..." : "")) and are left out\(unmatchedHint)"
      )
    }
    if unscored > 0 {
      out.append(
        "\(unscored) of the run's \(unscored + scored) windows have no truth row and are not scored"
      )
    }
    if !duplicateLines.isEmpty {
      out.append(
        "\(duplicateLines.count) truth rows name a window already matched and are left out")
    }
    if orphans > 0 {
      out.append(
        orphans == scored
          ? "every scored window (\(scored)) is an orphan (cluster -1): the run found no family "
            + "among them, and the scores below treat the orphans as one cluster"
          : "\(orphans) of \(scored) scored windows are orphans (cluster -1), scored as one more "
            + "cluster (a truth class for events in no family, such as `orphan`, matches them)")
    }
    if !ambiguousLines.isEmpty {
      let n = ambiguousLines.count
      out.append(
        "\(n) truth row\(n == 1 ? "" : "s") (line\(n == 1 ? "" : "s") \(ambiguousLines.prefix(5).map(String.init).joined(separator: ", "))\(n > 5 ? ", ..." : "")) match\(n == 1 ? "es" : "") more than one window (picks of one station within 1 ms, such as two phases): each is scored against the nearest; give window_id to choose"
      )
    }
    if !otherIDLines.isEmpty {
      let n = otherIDLines.count
      out.append(
        "\(n) truth row\(n == 1 ? "" : "s") (line\(n == 1 ? "" : "s") \(otherIDLines.prefix(5).map(String.init).joined(separator: ", "))\(n > 5 ? ", ..." : "")) give\(n == 1 ? "s" : "") a window_id that names another window of the set than \(n == 1 ? "its" : "their") pick: the pick decides (window ids are a store's own; a file from another store names other windows by them)"
      )
    }
    if let confound { out.append(confound.summary) }
    if let spectrogramHint { out.append(spectrogramHint) }
    if let labelAccuracy {
      out.append(
        String(
          format: "labels: accuracy %.4f on %d windows that were not hand-labelled",
          labelAccuracy.accuracy, labelAccuracy.count))
      if let names = unrelatedClassNames {
        out.append(
          "labels: no truth class has the name of a class of the run (truth: \(names.truth.joined(separator: ", ")); run: \(names.run.joined(separator: ", "))): the label accuracy compares names; ACC above maps clusters to classes"
        )
      }
    }
    out += Self.clusterClassLines(clusterClasses, unmapped: unmappedClasses)
    if !deciles.isEmpty {
      out.append("accuracy by probability decile (clusters mapped to classes as for ACC):")
      for (d, decile) in deciles.enumerated() {
        out.append(
          String(
            format: "  decile %2d  p %.3f-%.3f  accuracy %.4f  (%d windows)", d + 1, decile.lowest,
            decile.highest, decile.accuracy, decile.count))
      }
    }
    out.append(scores.description)
    return out
  }

  /// Refuses, before any training, a truth file that `evaluate` would refuse on a run of
  /// `windows`: rows that label one window with two classes, or no row that matches a window.
  /// (`sweep --truth` trained a run before finding out.)
  public static func checkTruth(_ truth: WindowLabelFile, windows: [WindowRecord]) throws {
    var firstRow: [Int: (line: Int, label: String)] = [:]
    for (row, match) in zip(truth.rows, truth.match(windows: windows)) {
      guard let index = match else { continue }
      if let first = firstRow[index] {
        if first.label != row.label {
          throw InputError(
            path: truth.path,
            reason:
              "line \(row.line) labels window \(windows[index].windowKey) \"\(row.label)\" but line \(first.line) labels it \"\(first.label)\""
          )
        }
        continue
      }
      firstRow[index] = (row.line, row.label)
    }
    guard !firstRow.isEmpty else {
      throw InputError(
        path: truth.path,
        reason:
          "no truth row matches a window of the window set\(truth.otherCaseHint(windows: windows))"
      )
    }
  }

  public static func evaluate(store: SeisStore, runID: Int64?, truth: WindowLabelFile) throws
    -> Evaluation
  {
    if let reason = try store.incompleteRunReason(id: runID) {
      throw InputError(path: store.path, reason: reason)
    }
    guard let run = try store.run(id: runID), run.status == .complete, let id = run.id else {
      throw InputError(path: store.path, reason: "no complete run in the store")
    }
    // The windows' metadata only: evaluation needs no samples.
    guard let contents = try store.windowSetReader(id: run.windowSetId) else {
      throw InputError(path: store.path, reason: "run \(id) has lost its window set")
    }
    let assignments = try store.assignments(runID: id)
    var byWindow: [Int64: AssignmentRecord] = [:]
    for a in assignments { byWindow[a.windowId] = a }
    // `assign` may have labelled windows of newer sets too.
    var windows = contents.windows
    let known = Set(windows.compactMap(\.id))
    let extraIDs = assignments.map(\.windowId).filter { !known.contains($0) }
    if !extraIDs.isEmpty { windows += try store.windows(ids: extraIDs) }

    let (matches, ambiguousLines, otherIDLines) = truth.matching(windows: windows)
    var classes: [String: Int] = [:]
    var truthLabels: [Int] = []
    var predicted: [Int] = []
    var stations: [String] = []
    var unmatched: [Int] = []
    var duplicates: [Int] = []
    var used = Set<Int>()
    var firstRow: [Int: (line: Int, label: String)] = [:]
    var probabilities: [Double] = []
    var labelHits = 0
    var labelCount = 0
    for (row, match) in zip(truth.rows, matches) {
      guard let index = match, let windowID = windows[index].id, let a = byWindow[windowID] else {
        unmatched.append(row.line)
        continue
      }
      guard used.insert(index).inserted else {
        // The same window twice: left out when both rows agree, refused when they contradict
        // each other (as `relabel` refuses such labels).
        if let first = firstRow[index], first.label != row.label {
          throw InputError(
            path: truth.path,
            reason:
              "line \(row.line) labels window \(windows[index].windowKey) \"\(row.label)\" but line \(first.line) labels it \"\(first.label)\""
          )
        }
        duplicates.append(row.line)
        continue
      }
      firstRow[index] = (row.line, row.label)
      let classIndex = classes[row.label] ?? classes.count
      classes[row.label] = classIndex
      truthLabels.append(classIndex)
      predicted.append(a.cluster)
      probabilities.append(a.probability)
      let w = windows[index]
      stations.append("\(w.network).\(w.station).\(w.location)")
      if let label = a.label, !a.isHandLabelled {
        labelCount += 1
        if label == row.label { labelHits += 1 }
      }
    }
    guard !predicted.isEmpty else {
      throw InputError(
        path: truth.path,
        reason: "no truth row matches a window of run \(id)\(truth.otherCaseHint(windows: windows))"
      )
    }
    let scores = try ClusteringMetrics.scores(truth: truthLabels, predicted: predicted)
    let confound = try? StationConfoundCheck().assess(
      clusters: predicted, stations: stations, truth: truthLabels)
    let hasLabels = assignments.contains { $0.label != nil }
    let classOfCluster = try ClusteringMetrics.clusterToClass(
      truth: truthLabels, predicted: predicted)
    let correct = zip(predicted, truthLabels).map { classOfCluster[$0] == $1 }
    var evaluation = Evaluation(
      run: run, scores: scores, unmatchedLines: unmatched, duplicateLines: duplicates,
      labelAccuracy: hasLabels && labelCount > 0
        ? (Double(labelHits) / Double(labelCount), labelCount) : nil,
      confound: confound)
    let runNames = Set(assignments.compactMap { $0.label })
    if evaluation.labelAccuracy != nil, !runNames.isEmpty,
      runNames.isDisjoint(with: classes.keys)
    {
      evaluation.unrelatedClassNames = (classes.keys.sorted(), runNames.sorted())
    }
    evaluation.ambiguousLines = ambiguousLines
    if !unmatched.isEmpty { evaluation.unmatchedHint = truth.otherCaseHint(windows: windows) }
    evaluation.otherIDLines = otherIDLines
    evaluation.deciles = deciles(probabilities: probabilities, correct: correct)
    var classNames = [String](repeating: "", count: classes.count)
    for (name, index) in classes { classNames[index] = name }
    (evaluation.clusterClasses, evaluation.unmappedClasses) = clusterClasses(
      predicted: predicted, truth: truthLabels, classNames: classNames,
      classOfCluster: classOfCluster)
    evaluation.orphans = predicted.filter { $0 < 0 }.count
    evaluation.scored = predicted.count
    evaluation.unscored = byWindow.count - predicted.count
    evaluation.spectrogramHint = ClusterJob.spectrogramHint(
      confound: confound, options: contents.windowSet.buildOptions)
    return evaluation
  }
}
