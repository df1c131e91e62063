import Foundation
import Seismic

extension HTMLReport {
  /// Cluster sizes, a PCA map of the latent space, and cluster counts over time per station.
  func overviewSection() -> String {
    var html = "<h2>Overview</h2>\n<div class=\"grid2\">\n"
    html += latentMap()
    html += sizeTable()
    html += "</div>\n"
    html += countsOverTime()
    return html
  }

  /// The most windows drawn on the latent map.
  static let mapPoints = 3000

  func latentMap() -> String {
    let all = embeddings.enumerated().compactMap { i, e in e.map { (i, $0.map(Double.init)) } }
    // The axes come from every window; at most `mapPoints` are drawn (every k-th), so a large
    // run keeps a small page.
    let stride = max(1, (all.count + HTMLReport.mapPoints - 1) / HTMLReport.mapPoints)
    let points = Swift.stride(from: 0, to: all.count, by: stride).map { all[$0] }
    let width = 560.0, height = 420.0
    guard points.count >= 3, let d = points.first?.1.count, d >= 2,
      all.allSatisfy({ $0.1.count == d })
    else {
      return
        "<div class=\"panel\"><h3>Latent space</h3><p class=\"note\">No embeddings were stored with this run.</p></div>\n"
    }
    let pca = PrincipalComponents(points: all.map(\.1), count: 2)
    let projected = points.map { pca.project($0.1) }
    let xs = projected.map { $0[0] }, ys = projected.map { $0.count > 1 ? $0[1] : 0 }
    func share(_ k: Int) -> String {
      guard pca.totalVariance > 0, k < pca.variances.count else { return "" }
      let percent = 100 * pca.variances[k] / pca.totalVariance
      // Under half a percent read "0 %" beside a visible spread.
      return percent < 0.5 && percent > 0
        ? " (<1 % of variance)" : String(format: " (%.0f %% of variance)", percent)
    }
    // The legend sits right of the frame, clear of the points.
    var plot = SVGPlot(
      left: 62, top: 14, width: width - 170, height: height - 60,
      x: PlotAxis(covering: xs, padding: 0.06), y: PlotAxis(covering: ys, padding: 0.06))
    // Less confident windows first, so the confident ones are drawn on top.
    let order = points.indices.sorted {
      catalog.entries[points[$0].0].probability < catalog.entries[points[$1].0].probability
    }
    let radius = points.count > 2000 ? 1.6 : (points.count > 300 ? 2.4 : 3.6)
    for j in order {
      let e = catalog.entries[points[j].0]
      plot.circle(
        x: xs[j], y: ys[j], radius: radius, colour: HTMLReport.colour(e.cluster),
        title:
          "window \(e.windowID) · \(e.network).\(e.station) · \(HTMLReport.name(ofCluster: e.cluster)) (p = \(String(format: "%.2f", e.probability)))"
      )
    }
    plot.axes(xLabel: "PC 1" + share(0), yLabel: "PC 2" + share(1))
    plot.svg += legend(
      clusters.map { (HTMLReport.name(ofCluster: $0), HTMLReport.colour($0), nil) }, x: width - 8,
      y: 28
    ).replacingOccurrences(of: "stroke-width=\"1.8\"", with: "stroke-width=\"6\"")
    return panel(
      "Latent space (PCA of the \(d)-D embeddings)", plot.svg, width: width, height: height,
      caption: "Each dot is a window, coloured by its cluster; hover for its id and station."
        + (stride > 1 ? " One window in \(stride) of \(all.count) is drawn." : ""))
  }

  func sizeTable() -> String {
    let n = Double(max(catalog.entries.count, 1))
    var html = "<div class=\"panel\"><h3>Clusters</h3>\n<table>\n<tr><th></th><th>cluster</th>"
    html +=
      "<th class=\"num\">windows</th><th class=\"num\">share</th><th class=\"num\">mean p</th>"
    html += "<th class=\"num\">median distance</th><th>main stations</th>"
    if catalog.hasLabels { html += "<th>labels</th>" }
    html += "</tr>\n"
    for k in clusters {
      let m = members(of: k).map { catalog.entries[$0] }
      let meanP = m.isEmpty ? 0 : m.map(\.probability).reduce(0, +) / Double(m.count)
      let distances = m.map(\.distance).sorted()
      let half = distances.count / 2
      let median =
        distances.isEmpty
        ? Double.nan
        : distances.count % 2 == 1 ? distances[half] : (distances[half - 1] + distances[half]) / 2
      var stationCounts: [String: Int] = [:]
      // Stations as the run summary names them (NET.STA.LOC; a blank location keeps its dot).
      for e in m { stationCounts["\(e.network).\(e.station).\(e.location)", default: 0] += 1 }
      let top = stationCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
        .map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
      html +=
        "<tr><td><span class=\"swatch\" style=\"background:\(HTMLReport.colour(k))\"></span></td>"
      html +=
        "<td><a href=\"#\(HTMLReport.anchor(ofCluster: k))\">\(k < 0 ? "orphans" : String(k))</a></td>"
        + "<td class=\"num\">\(m.count)</td>"
      html += String(format: "<td class=\"num\">%.1f %%</td>", 100 * Double(m.count) / n)
      html += "<td class=\"num\">\(m.isEmpty ? "–" : String(format: "%.3f", meanP))</td>"
      html +=
        "<td class=\"num\">\(median.isFinite ? String(format: median < 1000 ? "%.3f" : "%.4g", median) : "–")</td>"
      html += "<td>\(SVG.escaped(top))</td>"
      if catalog.hasLabels {
        var labels: [String: Int] = [:]
        for e in m { labels[e.label ?? "(none)", default: 0] += 1 }
        let text = labels.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
          .map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        html += "<td>\(SVG.escaped(text))</td>"
      }
      html += "</tr>\n"
    }
    html += "</table>\n"
    html += sizeBars()
    html += "</div>\n"
    return html
  }

  /// Horizontal bars of the cluster sizes.
  func sizeBars() -> String {
    let ks = clusters
    let width = 560.0, rowHeight = 22.0
    let height = Double(ks.count) * rowHeight + 40
    let counts = ks.map { k in Double(catalog.entries.filter { $0.cluster == k }.count) }
    var plot = SVGPlot(
      left: 80, top: 8, width: width - 110, height: height - 44,
      x: PlotAxis(covering: counts, padding: 0.05, includeZero: true),
      y: PlotAxis(lower: 0, upper: Double(ks.count)))
    for (i, k) in ks.enumerated() {
      let y0 = Double(ks.count - i - 1) + 0.18
      plot.rect(
        x0: 0, x1: counts[i], y0: y0, y1: y0 + 0.64, colour: HTMLReport.colour(k),
        title: "\(HTMLReport.name(ofCluster: k)): \(Int(counts[i])) windows")
      plot.svg += SVG.text(
        HTMLReport.name(ofCluster: k), x: plot.left - 8, y: plot.py(y0 + 0.32) + 4, size: 11,
        anchor: "end")
      plot.svg += SVG.text(
        String(Int(counts[i])), x: plot.px(counts[i]) + 4, y: plot.py(y0 + 0.32) + 4, size: 10.5)
    }
    plot.axes(xLabel: "Windows", yLabel: nil, yTicks: false, grid: true)
    return SVG.document(width: width, height: height, body: plot.svg, label: "cluster sizes")
  }

  /// One strip per station (the 16 busiest): windows per time bin, stacked by cluster.
  func countsOverTime() -> String {
    let timed = catalog.entries.filter { $0.pickTime != nil }
    guard let first = timed.compactMap(\.pickTime).min(),
      let last = timed.compactMap(\.pickTime).max()
    else { return "" }
    var perStation: [String: [CatalogEntry]] = [:]
    for e in timed { perStation["\(e.network).\(e.station)", default: []].append(e) }
    let stations = perStation.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(
      16
    )
    .map(\.key).sorted()
    let spanSeconds = max(Double(last.nanoseconds - first.nanoseconds) / 1e9, 1)
    let binSeconds = TimeTicks.step(forSpan: spanSeconds, target: 40)
    let start = floor(first.seconds / binSeconds) * binSeconds
    let binCount = max(Int(ceil((last.seconds - start) / binSeconds + 1e-9)), 1)
    let ks = clusters
    let width = 1260.0, strip = 46.0
    let height = Double(stations.count) * strip + 52
    var svg = ""
    let left = 130.0, plotWidth = width - left - 20
    let xAxis = PlotAxis(lower: start, upper: start + Double(binCount) * binSeconds)
    var maxCount = 1
    var counts: [String: [[Int]]] = [:]
    for s in stations {
      var c = [[Int]](repeating: [Int](repeating: 0, count: ks.count), count: binCount)
      for e in perStation[s] ?? [] {
        guard let t = e.pickTime, let ki = ks.firstIndex(of: e.cluster) else { continue }
        let b = min(max(Int((t.seconds - start) / binSeconds), 0), binCount - 1)
        c[b][ki] += 1
      }
      maxCount = max(maxCount, c.map { $0.reduce(0, +) }.max() ?? 0)
      counts[s] = c
    }
    for (row, s) in stations.enumerated() {
      var plot = SVGPlot(
        left: left, top: 8 + Double(row) * strip, width: plotWidth, height: strip - 10,
        x: xAxis, y: PlotAxis(lower: 0, upper: Double(maxCount)))
      for (b, stack) in (counts[s] ?? []).enumerated() {
        var y0 = 0.0
        let t0 = start + Double(b) * binSeconds
        for (ki, c) in stack.enumerated() where c > 0 {
          plot.rect(
            x0: t0 + binSeconds * 0.08, x1: t0 + binSeconds * 0.92, y0: y0, y1: y0 + Double(c),
            colour: HTMLReport.colour(ks[ki]),
            title: "\(s) · \(Timestamp(seconds: t0).iso8601.prefix(16)) · cluster \(ks[ki]): \(c)")
          y0 += Double(c)
        }
      }
      plot.svg += SVG.text(
        s, x: left - 10, y: plot.top + (strip - 10) / 2 + 4, size: 11.5, anchor: "end")
      plot.svg +=
        "<rect class=\"frame\" x=\"\(SVG.n(left))\" y=\"\(SVG.n(plot.top))\" width=\"\(SVG.n(plotWidth))\" height=\"\(SVG.n(strip - 10))\"/>\n"
      svg += plot.svg
    }
    let axisTop = 8 + Double(stations.count) * strip - 10
    for (t, label) in TimeTicks.ticks(from: xAxis.lower, to: xAxis.upper, target: 10) {
      let x = left + xAxis.fraction(t) * plotWidth
      // A label running past the page edge is dropped rather than cut.
      guard x + 3.2 * Double(label.count) <= width else { continue }
      svg +=
        "<line class=\"tick\" x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(axisTop))\" x2=\"\(SVG.n(x))\" y2=\"\(SVG.n(axisTop + 4))\"/>\n"
      svg += SVG.text(label, x: x, y: axisTop + 16, size: 10.5, anchor: "middle")
    }
    svg += SVG.text(
      "Pick time (UTC)", x: left + plotWidth / 2, y: axisTop + 33, size: 11.5, anchor: "middle")
    let caption =
      "Windows per \(TimeTicks.describe(binSeconds)) and station, stacked by cluster (tallest bar: \(maxCount))."
      + (perStation.count > stations.count
        ? " The 16 busiest of \(perStation.count) stations." : "")
    return "<div class=\"panel\" style=\"margin-top:18px\">"
      + "<h3>Cluster counts over time per station</h3>\n"
      + SVG.document(width: width, height: height, body: svg, label: "counts over time")
      + "<p class=\"caption\">\(caption)</p></div>\n"
  }
}

/// Calendar-friendly time steps and labels for time axes in UTC.
enum TimeTicks {
  static let steps: [Double] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172_800, 604_800, 1_209_600, 2_592_000, 7_776_000, 31_536_000,
  ]

  /// The smallest step that cuts `span` seconds into at most `target` pieces.
  static func step(forSpan span: Double, target: Int) -> Double {
    steps.first { span / $0 <= Double(target) } ?? steps[steps.count - 1]
  }

  static func describe(_ step: Double) -> String {
    if step >= 86400 { return step == 86400 ? "day" : "\(Int(step / 86400)) days" }
    if step >= 3600 { return step == 3600 ? "hour" : "\(Int(step / 3600)) hours" }
    if step >= 60 { return step == 60 ? "minute" : "\(Int(step / 60)) minutes" }
    return "\(Int(step)) s"
  }

  /// Ticks at multiples of a calendar step, labelled `MM-DD HH:MM` (or with seconds).
  static func ticks(from lower: Double, to upper: Double, target: Int) -> [(Double, String)] {
    let step = self.step(forSpan: upper - lower, target: target)
    var t = ceil(lower / step) * step
    var out: [(Double, String)] = []
    while t <= upper + 1e-6 {
      let iso = Timestamp(seconds: t).iso8601
      let label: String
      if step >= 86400 {
        label = String(iso.prefix(10))
      } else if step >= 60 {
        label = String(iso.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")
      } else {
        label = String(iso.dropFirst(11).prefix(8))
      }
      out.append((t, label))
      t += step
    }
    return out
  }
}
