import Clustering
import Foundation

extension HTMLReport {
  /// What an analyst needs to trust the run without truth: agreement between restarts and the
  /// restart kept, how K was chosen (`--clusters auto`), and how confident the windows of each
  /// cluster are (decision 0014).
  func trustSection() -> String {
    var panels: [String] = []
    if let report = history?.restarts { panels.append(restartPanel(report)) }
    if let choice = history?.clusterChoice { panels.append(clusterCountPanel(choice)) }
    panels.append(probabilityPanel())
    return "<h2>Trust</h2>\n<div class=\"grid3\">\n" + panels.joined() + "</div>\n"
  }

  /// The `stability:` line and one row per restart.
  func restartPanel(_ report: RestartReport) -> String {
    // The whole width: its table has six columns and the line is long (a third of the page
    // drew the table over the next panel).
    var html = "<div class=\"panel wide\"><h3>Restarts</h3>\n"
    html += "<pre class=\"summary\">\(SVG.escaped(report.line))</pre>\n"
    if report.isUnstable {
      html += "<p><b>\(SVG.escaped(report.warning))</b></p>\n"
    }
    if let line = report.setAsideLine {
      html += "<p>\(SVG.escaped(line))</p>\n"
    }
    html +=
      "<table><tr><th>restart</th><th class=\"num\">ARI with kept</th><th class=\"num\">mean ARI</th>"
      + "<th class=\"num\">input separation</th>"
      + "<th class=\"num\">pretraining loss</th><th class=\"num\">mean probability</th><th></th></tr>\n"
    for (r, restart) in report.restarts.enumerated() {
      html +=
        "<tr><td>\(r + 1) <span class=\"note\">seed \(restart.seed)</span></td>"
        + String(format: "<td class=\"num\">%.3f</td>", report.restarts[report.kept].agreement[r])
        + String(format: "<td class=\"num\">%.3f</td>", restart.consensus)
        + (restart.inputSeparation.map { String(format: "<td class=\"num\">%.2f</td>", $0) }
          ?? "<td class=\"num\">-</td>")
        + (restart.evidence.pretrainingLoss.isFinite
          ? String(format: "<td class=\"num\">%.5f</td>", restart.evidence.pretrainingLoss)
          : "<td class=\"num\">-</td>")
        + String(format: "<td class=\"num\">%.3f</td>", restart.evidence.meanProbability)
        + "<td>\(r == report.kept ? "kept" : (report.setAside ?? []).contains(r) ? "set aside" : "")</td></tr>\n"
    }
    html += "</table>\n"
    html +=
      "<p class=\"caption\">Independent trainings of the same windows. The kept restart is the one the others agree with best; a high mean probability is no evidence (a bad optimum is often a confident one). Input separation: the restart's clusters' Calinski-Harabasz index in the leading 8 principal components of the network's input, as a share of k-means's there; once a restart at 2/3 or above has a partner, restarts below 2/3 are set aside. Unstable: no other restart agrees with the kept one to ARI ≥ \(String(format: "%.3f", RestartReport.agreeingARI)).</p>\n"
    return html + "</div>\n"
  }

  /// `--clusters auto`: stability and silhouette against K, the chosen K marked.
  func clusterCountPanel(_ choice: ClusterCountChoice) -> String {
    let w = 420.0, h = 250.0
    let xs = choice.candidates.map { Double($0.clusters) }
    let stability = choice.candidates.map { $0.stability ?? .nan }
    let silhouette = choice.candidates.map(\.silhouette)
    let sum = zip(stability, silhouette).map { $0 + $1 }
    let all = (stability + silhouette + sum).filter { $0.isFinite }
    var plot = SVGPlot(
      left: 62, top: 16, width: w - 80, height: h - 62,
      x: PlotAxis(covering: xs, padding: 0.04),
      y: PlotAxis(covering: all + [0, 1], padding: 0.04))
    // The label at the foot of the marker, clear of the chosen K's highest point.
    plot.verticalMarker(
      at: Double(choice.chosen), colour: "#b2182b", label: "K = \(choice.chosen)",
      labelAtBottom: true)
    var series: [(String, [Double], String, String?)] = [
      ("stability (ARI)", stability, "#0072b2", nil), ("silhouette", silhouette, "#d55e00", "5 3"),
    ]
    if choice.networks > 1 { series.append(("stability + silhouette", sum, "#009e73", nil)) }
    for (_, ys, colour, dash) in series {
      plot.line(xs: xs, ys: ys, colour: colour, width: 1.6, dash: dash)
      for (a, b) in zip(xs, ys) where b.isFinite {
        plot.circle(x: a, y: b, radius: 2.4, colour: colour)
      }
    }
    plot.axes(xLabel: "Number of clusters K", yLabel: "Criterion")
    // Under the axis: inside the frame it covered a curve wherever it went.
    let boxWidth = 30 + Double(series.map(\.0.count).max() ?? 0) * 6.4
    plot.svg += legend(
      series.map { ($0.0, $0.2, $0.3) }, x: plot.left + boxWidth, y: plot.top + plot.height + 52)
    return panel(
      "Choice of K (--clusters auto)", plot.svg, width: w,
      height: h + Double(series.count * 15) + 14,
      caption:
        "For each K, k-means on each of \(choice.networks) pretrained network(s)' embeddings. "
        + (choice.networks > 1
          ? "Stability: each network's best ARI with another network's partition, the median over networks (a network in a wrong optimum does not lower it). K is the highest stability + silhouette: stability alone favours reproducible over-splits, silhouette alone compact ones."
          : "With one network there is no stability: K is the highest silhouette.")
        + Self.settlingCaption(choice)
        + (choice.followsTheRule
          ? ""
          : " This run's K=\(choice.chosen) was chosen by an earlier rule (before stop 33: the most stable K, then the highest silhouette near it; decision 0015).")
    )
  }

  /// What the choice of K says of Ks passed over because their restarts disagreed (decision
  /// 0015, "K whose restarts agree (stop 38)"); empty when none was.
  static func settlingCaption(_ choice: ClusterCountChoice) -> String {
    let skipped = choice.unsettled ?? []
    guard !skipped.isEmpty else { return "" }
    let list = skipped.map(String.init).joined(separator: ", ")
    if skipped.contains(choice.chosen) {
      return
        " No two of the first restarts agreed once clustered at K=\(list): K=\(choice.chosen), the best, trained more restarts (decision 0015)."
    }
    return
      " K=\(list) ranked higher, but no two of the first restarts agreed once clustered there: K=\(choice.chosen) is the best K whose restarts agree (decision 0015)."
  }

  /// Per cluster, the share of its windows in each probability bin, over the range the run's
  /// probabilities span: q never reaches 1 with two or more clusters, and its highest value
  /// depends on the run (0.73 on the README's demo, 0.95 on a polarity run), so a fixed axis
  /// from 1/K to 1 drew one spike.
  func probabilityPanel() -> String {
    let w = 420.0, h = 250.0
    let k = max(clusters.count, 1)
    let all = clusters.flatMap { members(of: $0) }.map { Double(catalog.entries[$0].probability) }
      .filter(\.isFinite)
    guard let lowest = all.min(), let highest = all.max(), k > 1, highest - lowest > 1e-6 else {
      let text =
        k > 1
        ? "Every window has the same probability: the plot would be one point."
        : "One cluster: every window's probability is 1."
      return "<div class=\"panel\"><h3>Probability per cluster</h3>\n<p class=\"note\">"
        + SVG.escaped(text) + "</p></div>\n"
    }
    let bins = 20
    let width = (highest - lowest) / Double(bins)
    let centres = (0..<bins).map { lowest + (Double($0) + 0.5) * width }
    var shares: [(Int, [Double])] = []
    for c in clusters {
      let members = members(of: c)
      guard !members.isEmpty else { continue }
      var counts = [Double](repeating: 0, count: bins)
      // A probability that is not a number (a store edited by hand) is in no bin.
      var counted = 0.0
      for e in members {
        let p = Double(catalog.entries[e].probability)
        guard p.isFinite else { continue }
        counts[min(bins - 1, max(0, Int((p - lowest) / width)))] += 1
        counted += 1
      }
      shares.append((c, counts.map { counted > 0 ? 100 * $0 / counted : 0 }))
    }
    var plot = SVGPlot(
      left: 62, top: 16, width: w - 80, height: h - 62,
      x: PlotAxis(lower: lowest, upper: highest),
      y: PlotAxis(covering: shares.flatMap(\.1) + [0], padding: 0.06, includeZero: true))
    for (c, ys) in shares {
      plot.line(xs: centres, ys: ys, colour: HTMLReport.colour(c), width: 1.6)
    }
    plot.axes(xLabel: "Probability of the window's cluster", yLabel: "Windows of the cluster (%)")
    // Under the axis, two columns: inside the frame it covered a cluster's peak.
    let shown = shares.count <= 10 ? shares : []
    let rows = (shown.count + 1) / 2
    for column in 0..<2 {
      let items = shown.enumerated().filter { $0.offset / rows == column }.map {
        (HTMLReport.name(ofCluster: $0.element.0), HTMLReport.colour($0.element.0), String?.none)
      }
      guard !items.isEmpty else { continue }
      plot.svg += legend(
        items, x: plot.left + 100 + Double(column) * 110, y: plot.top + plot.height + 52)
    }
    let legendHeight = rows == 0 ? 0.0 : Double(rows * 15) + 14
    let range = String(format: "%.3f to %.3f", lowest, highest)
    let none = String(format: "%.3f", 1 / Double(k))
    return panel(
      "Probability per cluster", plot.svg, width: w, height: h + legendHeight,
      caption:
        "Distribution of the Student-t probability q of each window's cluster, over this run's range (\(range); 1/K = \(none) is no preference). q does not reach 1: a window at its cluster's centre keeps some probability for the others, and how much depends on the run, so read q as a ranking within the run. Windows at the low end sit between clusters: check them first (`evaluate --truth` gives accuracy by probability decile)."
    )
  }
}
