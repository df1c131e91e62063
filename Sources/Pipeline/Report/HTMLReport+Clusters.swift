import Foundation
import Seismic

extension HTMLReport {
  /// Up to this many member waveforms are drawn per cluster (the most confident).
  static let membersShown = 8

  /// The channel names of the window set: the windows' own, else `channel 1`, `channel 2`...
  func channelNames(count: Int) -> [String] {
    let names = componentNames
    return names.count == count ? names : (1...max(count, 1)).map { "channel \($0)" }
  }

  /// One section per cluster: size, mean ± spread per channel, members, mean spectrogram.
  func clusterSection(_ k: Int) -> String {
    let entryIndices = members(of: k)
    let rows = entryIndices.compactMap { rowOfEntry[$0] }
    let n = entryIndices.count
    let share = 100 * Double(n) / Double(max(catalog.entries.count, 1))
    let meanP =
      n == 0 ? 0 : entryIndices.map { catalog.entries[$0].probability }.reduce(0, +) / Double(n)
    var html = "<section class=\"cluster\" id=\"\(HTMLReport.anchor(ofCluster: k))\">\n"
    html +=
      "<h2 style=\"border-bottom-color:\(HTMLReport.colour(k))\"><span class=\"swatch\" style=\"background:\(HTMLReport.colour(k))\"></span>"
      + "\(HTMLReport.heading(ofCluster: k)) <span class=\"note\" style=\"font-weight:400;font-size:14px\">· \(n) windows ("
      + String(format: "%.1f %%", share) + ") · mean probability "
      + (n == 0 ? "–" : String(format: "%.3f", meanP))
      + labelSummary(entryIndices) + "</span></h2>\n"
    guard !rows.isEmpty else {
      return html
        + "<p class=\"note\">No windows of this run's window set are in this cluster.</p>\n</section>\n"
    }
    if k < 0 {
      // Orphans are in no family: what the panels call probability and confidence is that of
      // the cluster each left.
      html +=
        "<p class=\"note\">Orphans belong to no family (their correlation with every other member fell below --orphans). Their probabilities, and the ranks below, are those of the clusters they left.</p>\n"
    }
    html += "<div class=\"grid3\">\n"
    let probabilities = entryIndices.map { catalog.entries[$0].probability }
    let (most, least) = HTMLReport.mostAndLeastConfident(
      entryIndices, allAlike: probabilities.min() == probabilities.max())
    if windowSet.inputKind == .spectrogram {
      html += spectrogramInputPanels(k: k, rows: rows, most: most, least: least)
      html += recutPanel(entryIndices: most)
      if !least.isEmpty { html += recutPanel(entryIndices: least, least: true) }
    } else {
      // Aligned on the most confident member, found here once.
      let reference = entryIndices.first
      html += meanPanel(k: k, rows: rows, alignedTo: reference)
      html += memberPanel(k: k, entryIndices: most, alignedTo: reference)
      if !least.isEmpty {
        html += memberPanel(k: k, entryIndices: least, least: true, alignedTo: reference)
      }
      html += spectrogramPanel(rows: rows)
    }
    html += "</div>\n</section>\n"
    return html
  }

  /// A cluster's members to draw (`entryIndices` most confident first): up to `membersShown`
  /// most confident, and as many least confident (lowest first) that are not among them. A
  /// cluster of 10 drew 6 windows in both panels; now 5 and 5. Up to `membersShown` members
  /// are all "most confident" and no least-confident panel is drawn.
  static func mostAndLeastConfident(_ entryIndices: [Int], allAlike: Bool = false) -> (
    most: [Int], least: [Int]
  ) {
    let n = entryIndices.count
    // Equal probabilities (one cluster: all 1) rank nothing: no least-confident panel.
    guard n > membersShown, !allAlike else { return (entryIndices, []) }
    let top = min(membersShown, (n + 1) / 2)
    let bottom = min(membersShown, n - top)
    return (Array(entryIndices.prefix(top)), Array(entryIndices.suffix(bottom).reversed()))
  }

  /// Up to `membersShown` windows of `entryIndices`, in that order, as input images.
  func spectrogramMembers(
    _ entryIndices: [Int], title: String, bins: Int, component: Int,
    image: ([Double], Double, Double) -> PNGImage
  ) -> String {
    let chosen = entryIndices.filter { rowOfEntry[$0] != nil }.prefix(HTMLReport.membersShown)
    var members = ""
    let cell = (w: 200.0, h: 78.0)
    for (i, e) in chosen.enumerated() {
      guard let row = rowOfEntry[e] else { continue }
      let x0 = 10 + Double(i % 2) * (cell.w + 6), y0 = 6 + Double(i / 2) * (cell.h + 22)
      let base = row * channelCount * length + component * bins * length
      let values = (0..<(bins * length)).map { Double(contents.samples[base + $0]) }
      let png = image(values, values.min() ?? 0, values.max() ?? 1)
      members +=
        "<image x=\"\(SVG.n(x0))\" y=\"\(SVG.n(y0))\" width=\"\(cell.w)\" height=\"\(cell.h)\" preserveAspectRatio=\"none\" href=\"\(png.dataURI)\"/>\n"
      members +=
        "<rect class=\"frame\" x=\"\(SVG.n(x0))\" y=\"\(SVG.n(y0))\" width=\"\(cell.w)\" height=\"\(cell.h)\"/>\n"
      let entry = catalog.entries[e]
      members += SVG.text(
        "\(entry.network).\(entry.station) · \(String(format: "%.3f", entry.probability))"
          + (entry.isHandLabelled ? " · by hand" : ""), x: x0,
        y: y0 + cell.h + 13, size: 10)
    }
    return panel(
      title, members, width: 420, height: Double((chosen.count + 1) / 2) * (cell.h + 22) + 10,
      caption: "Each scaled to its own range; label: station, probability.")
  }

  /// A stacked strip's SVG without its x tick labels (only the bottom strip keeps them).
  static func withoutXTickLabels(_ svg: String) -> String {
    svg.split(separator: "\n").filter {
      !($0.hasPrefix("<text") && $0.contains("text-anchor=\"middle\""))
    }.joined(separator: "\n") + "\n"
  }

  /// ` · label quake (80 %, 3 by hand)`: the cluster's most common class label, once the run
  /// carries labels.
  func labelSummary(_ entryIndices: [Int]) -> String {
    guard catalog.hasLabels, !entryIndices.isEmpty else { return "" }
    var counts: [String: Int] = [:]
    for i in entryIndices {
      if let label = catalog.entries[i].label { counts[label, default: 0] += 1 }
    }
    guard let top = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else {
      return " · no labels"
    }
    let byHand = entryIndices.filter { catalog.entries[$0].isHandLabelled }.count
    return " · label " + SVG.escaped(top.key)
      + String(format: " (%.0f %%", 100 * Double(top.value) / Double(entryIndices.count))
      + (byHand > 0 ? ", \(byHand) by hand)" : ")")
  }

  // MARK: Waveform windows

  func meanPanel(k: Int, rows: [Int], alignedTo reference: Int? = nil) -> String {
    let shown = min(channelCount, 3)
    let names = channelNames(count: channelCount)
    // A family's stack: aligned as its members are drawn (`memberPanel`), while the
    // correlation (members x lags x samples) stays within `alignedMeanWork`.
    let work = rows.count * (2 * alignmentMaxLag + 1) * min(channelCount, 3) * length
    let lags = alignmentLags(
      cluster: k, rows: work <= Self.alignedMeanWork ? rows : [], alignedTo: reference)
    let (mean, spread) = WaveformStatistics.meanAndSpread(
      samples: contents.samples, channelCount: channelCount, length: length, members: rows,
      shifts: lags.isEmpty ? nil : lags)
    let (time, timeLabel) = timeAxis
    let width = 420.0, strip = 92.0
    let height = Double(shown) * strip + 46
    var all: [Double] = []
    for c in 0..<shown {
      for i in 0..<length {
        all.append(mean[c * length + i] + spread[c * length + i])
        all.append(mean[c * length + i] - spread[c * length + i])
      }
    }
    let yAxis = PlotAxis(covering: all, padding: 0.06)
    var svg = ""
    for c in 0..<shown {
      var plot = SVGPlot(
        left: 56, top: 8 + Double(c) * strip, width: width - 70, height: strip - 12,
        x: PlotAxis(lower: time.first ?? 0, upper: time.last ?? 1), y: yAxis)
      let m = Array(mean[(c * length)..<((c + 1) * length)])
      let s = Array(spread[(c * length)..<((c + 1) * length)])
      let (bx, lower) = WaveformStatistics.decimated(
        time, zip(m, s).map { $0 - $1 }, maxPoints: 500)
      let (_, upper) = WaveformStatistics.decimated(time, zip(m, s).map { $0 + $1 }, maxPoints: 500)
      if lower.count == upper.count {
        plot.band(xs: bx, lower: lower, upper: upper, colour: HTMLReport.colour(k), opacity: 0.22)
      }
      let (dx, dy) = WaveformStatistics.decimated(time, m)
      plot.line(xs: dx, ys: dy, colour: HTMLReport.colour(k), width: 1.2)
      if startRelativeToPick != nil { plot.verticalMarker(at: 0, colour: "#555") }
      plot.axes(
        xLabel: c == shown - 1 ? timeLabel : nil, yLabel: nil, xTicks: true, grid: true)
      if c < shown - 1 {
        plot.svg = HTMLReport.withoutXTickLabels(plot.svg)
      }
      plot.svg += SVG.text(names[c], x: plot.left + 6, y: plot.top + 13, size: 11, weight: "600")
      svg += plot.svg
    }
    let caption =
      "Mean (line) ± one standard deviation (band) of the \(rows.count) windows"
      + (lags.contains { $0 != 0 }
        ? ", each shifted onto the most confident one by cross-correlation (as the members)"
        : "")
      + (channelCount > shown ? "; first \(shown) of \(channelCount) channels" : "")
      + (startRelativeToPick != nil ? "; dashed line: the pick." : ".")
    return panel("Mean and spread", svg, width: width, height: height, caption: caption)
  }

  /// Multiply-adds the alignment of a cluster's mean and spread may take (about 0.15 s at the
  /// 12 G a second measured on the families report): 208 windows of 3 x 4,000 take a quarter
  /// of it; 500 windows of 3 x 12,000 (60 s at 200 Hz) would take 7 G, and are drawn as cut.
  static let alignedMeanWork = 2_000_000_000

  /// The shift of each of `rows` onto cluster `k`'s most confident member: the lag of their
  /// highest cross-correlation over the first three components, within a tenth of the window
  /// and 1 s (beyond a pick's error). Empty for windows under 2 s (first motions are drawn as
  /// cut) or without a rate.
  /// `reference`: the cluster's most confident member's entry, when the caller has it (else it
  /// is looked up).
  func alignmentLags(cluster k: Int, rows: [Int], alignedTo reference: Int? = nil) -> [Int] {
    guard !rows.isEmpty, let rate, Double(length) / rate >= 2,
      let row = (reference ?? members(of: k).first).flatMap({ rowOfEntry[$0] })
    else { return [] }
    return WaveformStatistics.alignmentLags(
      samples: contents.samples, channelCount: channelCount, length: length, rows: rows,
      reference: row, channels: min(channelCount, 3), maxLag: alignmentMaxLag)
  }

  /// The largest shift of the alignment: a tenth of the window, at most 1 s (0 without a rate).
  var alignmentMaxLag: Int { min(length / 10, Int(rate ?? 0)) }

  /// Members of a waveform set: every component (up to three, stacked in the member's row),
  /// and, for windows of 2 s or more, each member shifted onto the cluster's most confident one
  /// by cross-correlation, as REDPy draws a family (picks of repeating events are off by up to
  /// a few tenths of a second, which left a family's stack unreadable).
  func memberPanel(
    k: Int, entryIndices: [Int], least: Bool = false, alignedTo reference: Int? = nil
  ) -> String {
    let chosen = Array(
      entryIndices.filter { rowOfEntry[$0] != nil }.prefix(HTMLReport.membersShown))
    let names = channelNames(count: channelCount)
    let components = min(channelCount, 3)
    let (time, timeLabel) = timeAxis
    let width = 420.0, rowHeight = components > 1 ? 54.0 : 34.0
    let height = Double(chosen.count) * rowHeight + 56
    let lags = {
      let found = alignmentLags(
        cluster: k, rows: chosen.map { rowOfEntry[$0]! }, alignedTo: reference)
      return found.isEmpty ? [Int](repeating: 0, count: chosen.count) : found
    }()
    var plot = SVGPlot(
      left: 112, top: 8, width: width - 126, height: Double(chosen.count) * rowHeight,
      x: PlotAxis(lower: time.first ?? 0, upper: time.last ?? 1),
      y: PlotAxis(lower: -Double(chosen.count) + 0.5, upper: 0.5))
    if startRelativeToPick != nil { plot.verticalMarker(at: 0, colour: "#999") }
    for (i, e) in chosen.enumerated() {
      guard let row = rowOfEntry[e] else { continue }
      let base = row * channelCount * length
      var peak = 0.0
      for t in 0..<(components * length) {
        peak = max(peak, abs(Double(contents.samples[base + t])))
      }
      // Sample t + lag of this member lines up with sample t of the reference.
      let shift = rate.map { Double(lags[i]) / $0 } ?? 0
      let shifted = time.map { $0 - shift }
      for c in 0..<components {
        let centre = -Double(i) + (Double(components - 1) / 2 - Double(c)) * 0.28
        let scale = components > 1 ? 0.16 : 0.46
        let trace = (0..<length).map { t in
          centre + (peak > 0 ? scale * Double(contents.samples[base + c * length + t]) / peak : 0)
        }
        // Inside the frame only: a shifted member's end lies past it.
        let inside = shifted.indices.filter {
          shifted[$0] >= (time.first ?? 0) && shifted[$0] <= (time.last ?? 0)
        }
        // 400 points (minimum and maximum of each bucket) for a trace under 300 px wide: three
        // components at 1,000 points doubled the page.
        let (dx, dy) = WaveformStatistics.decimated(
          inside.map { shifted[$0] }, inside.map { trace[$0] }, maxPoints: 400)
        plot.line(
          xs: dx, ys: dy, colour: HTMLReport.componentColours[c % 3].0,
          width: components > 1 ? 0.7 : 0.8)
      }
      labelMember(e, row: i, in: &plot)
    }
    plot.axes(xLabel: timeLabel, yLabel: nil, yTicks: false, grid: false)
    let legend =
      components > 1
      ? " ("
        + zip(names, HTMLReport.componentColours).map { "\($0) \($1.1)" }
        .joined(separator: ", ") + ")" : ""
    let largest = lags.map { abs($0) }.max() ?? 0
    let aligned =
      largest > 0
      ? String(
        format:
          " Each drawn shifted onto the cluster's most confident member by cross-correlation (at most %.2f s here).",
        Double(largest) / (rate ?? 1))
      : ""
    return panel(
      "\(least ? "Least" : "Most") confident members\(components > 1 ? "" : " (\(names[0]))")",
      plot.svg, width: width, height: height,
      caption:
        "Up to \(HTMLReport.membersShown) windows with the \(least ? "lowest" : "highest") probability\(least ? " (the borderline calls)" : "")\(legend), each scaled to its peak over the components drawn; label: station, pick time (UTC), probability.\(aligned)"
    )
  }

  /// A member's label left of its trace in row `row` of a member panel: station, pick time
  /// (UTC) and probability.
  func labelMember(_ e: Int, row: Int, in plot: inout SVGPlot) {
    let entry = catalog.entries[e]
    let y = plot.py(-Double(row))
    plot.svg += SVG.text(
      "\(entry.network).\(entry.station)", x: plot.left - 8, y: y - 1, size: 10.5, anchor: "end",
      weight: "600")
    plot.svg += SVG.text(
      (entry.pickTime.map {
        String($0.iso8601.dropFirst(5).prefix(14)).replacingOccurrences(of: "T", with: " ")
      } ?? "window \(entry.windowID)")
        + String(format: " · %.3f", entry.probability) + (entry.isHandLabelled ? " · by hand" : ""),
      x: plot.left - 8, y: y + 11, size: 9.5, anchor: "end", colour: "#666")
  }

  /// Colours (and their names, for the caption) of the Z, N and E traces in `recutPanel`.
  static let componentColours = [("#1a1a1a", "black"), ("#0072b2", "blue"), ("#d55e00", "orange")]

  /// Up to `membersShown` members of a spectrogram set drawn as their preprocessed waveforms,
  /// every component (`recut`), in the order of `entryIndices`.
  func recutPanel(entryIndices: [Int], least: Bool = false) -> String {
    let chosen = entryIndices.filter { recut.byEntry[$0] != nil }.prefix(HTMLReport.membersShown)
    guard !chosen.isEmpty else { return "" }
    let components = recut.channelCount
    let names =
      componentNames.count == components
      ? componentNames : (1...max(components, 1)).map { "component \($0)" }
    let time = (0..<recut.length).map { recut.start + Double($0) / recut.rate }
    let width = 420.0, rowHeight = 54.0
    let height = Double(chosen.count) * rowHeight + 56
    var plot = SVGPlot(
      left: 112, top: 8, width: width - 126, height: Double(chosen.count) * rowHeight,
      x: PlotAxis(lower: time.first ?? 0, upper: time.last ?? 1),
      y: PlotAxis(lower: -Double(chosen.count) + 0.5, upper: 0.5))
    plot.verticalMarker(at: 0, colour: "#999")
    for (i, e) in chosen.enumerated() {
      guard let waveform = recut.byEntry[e] else { continue }
      let peak = Double(waveform.map { abs($0) }.max() ?? 0)
      for c in 0..<components {
        // Components stacked within the member's row, Z on top, one shared scale.
        let centre = -Double(i) + (Double(components - 1) / 2 - Double(c)) * 0.28
        let trace = (0..<recut.length).map { t in
          centre + (peak > 0 ? 0.16 * Double(waveform[c * recut.length + t]) / peak : 0)
        }
        let (dx, dy) = WaveformStatistics.decimated(time, trace)
        plot.line(
          xs: dx, ys: dy, colour: HTMLReport.componentColours[c % 3].0, width: 0.7)
      }
      labelMember(e, row: i, in: &plot)
    }
    plot.axes(xLabel: "Time relative to pick (s)", yLabel: nil, yTicks: false, grid: false)
    let legend = zip(names, HTMLReport.componentColours).map { "\($0) \($1.1)" }
      .joined(separator: ", ")
    return panel(
      "\(least ? "Least" : "Most") confident members, waveforms", plot.svg, width: width,
      height: height,
      caption:
        "The preprocessed waveforms the spectrograms were made from, cut again from the stored traces (\(legend)); each member scaled to its peak over all components; label: station, pick time (UTC), probability."
    )
  }

  func spectrogramPanel(rows: [Int]) -> String {
    let names = channelNames(count: channelCount)
    guard let rate,
      let s = WaveformStatistics.meanSpectrogram(
        samples: contents.samples, channelCount: channelCount, length: length, channel: 0,
        members: Array(rows.prefix(500)), rate: rate)
    else {
      return
        "<div class=\"panel\"><h3>Mean spectrogram</h3><p class=\"note\">The windows are too short or have no sampling rate.</p></div>\n"
    }
    let nyquist = rate / 2
    let top = min(nyquist, bandpass.map { $0.1 * 1.5 } ?? nyquist)
    let shownRows = min(s.rows, Int((top / s.frequencyStep).rounded(.down)) + 1)
    let peak = s.decibels.max() ?? 0
    let range = 60.0
    // Image rows: highest frequency at the top.
    var values: [Double] = []
    for r in stride(from: shownRows - 1, through: 0, by: -1) {
      values += s.decibels[(r * s.frames)..<((r + 1) * s.frames)].map { $0 - peak }
    }
    let image = Viridis.image(values, rows: shownRows, columns: s.frames, lower: -range, upper: 0)
    let offset = startRelativeToPick ?? 0
    let width = 420.0, height = 3 * 92.0 + 46
    // Frame j is centred at j * frameStep from the first sample; each pixel spans one step.
    let t0 = offset - s.frameStep / 2, t1 = offset + (Double(s.frames) - 0.5) * s.frameStep
    let f1 = (Double(shownRows) - 0.5) * s.frequencyStep
    var plot = SVGPlot(
      left: 56, top: 8, width: width - 116, height: height - 54,
      x: PlotAxis(lower: t0, upper: t1), y: PlotAxis(lower: -s.frequencyStep / 2, upper: f1))
    plot.image(dataURI: image.dataURI)
    if startRelativeToPick != nil { plot.verticalMarker(at: 0, colour: "#fff", dash: "4 3") }
    plot.axes(xLabel: timeAxis.label, yLabel: "Frequency (Hz)", grid: false)
    plot.svg += colourBar(
      x: width - 48, top: 8, height: height - 54, lower: -range, upper: 0, label: "dB re peak")
    let segment = WaveformStatistics.segmentLength(rate: rate, length: length)
    return panel(
      "Mean spectrogram (\(names[0]))", plot.svg, width: width, height: height,
      caption:
        "Power of the STFT (Hann, \(segment) samples, 7/8 overlap) averaged over "
        + (rows.count > 500
          ? "the first 500 of the \(rows.count) windows, in catalog order."
          : "\(rows.count) windows.")
        + (length < 4 * segment
          ? " The windows are short for it: \(length) samples, under four segments, so its cells are coarse and its edges padding."
          : "")
    )
  }

  /// A vertical viridis colour bar with ticks.
  func colourBar(
    x: Double, top: Double, height: Double, lower: Double, upper: Double, label: String
  )
    -> String
  {
    let steps = 64
    let values = (0..<steps).map { upper - (upper - lower) * Double($0) / Double(steps - 1) }
    let image = Viridis.image(values, rows: steps, columns: 1, lower: lower, upper: upper)
    var bar = SVGPlot(
      left: x, top: top, width: 10, height: height, x: PlotAxis(lower: 0, upper: 1),
      y: PlotAxis(lower: lower, upper: upper))
    bar.image(dataURI: image.dataURI)
    var out = bar.svg
    out +=
      "<rect class=\"frame\" x=\"\(SVG.n(x))\" y=\"\(SVG.n(top))\" width=\"10\" height=\"\(SVG.n(height))\"/>\n"
    for (v, text) in bar.y.ticks(target: 4) {
      let y = bar.py(v)
      out +=
        "<line class=\"tick\" x1=\"\(SVG.n(x + 10))\" y1=\"\(SVG.n(y))\" x2=\"\(SVG.n(x + 13))\" y2=\"\(SVG.n(y))\"/>\n"
      out += SVG.text(text, x: x + 15, y: y + 3.5, size: 9.5)
    }
    let cx = x + 40, cy = top + height / 2
    out +=
      "<text x=\"\(SVG.n(cx))\" y=\"\(SVG.n(cy))\" font-size=\"10.5\" text-anchor=\"middle\" transform=\"rotate(-90 \(SVG.n(cx)) \(SVG.n(cy)))\">\(SVG.escaped(label))</text>\n"
    return out
  }

  // MARK: Spectrogram windows

  /// For spectrogram input (frequency bins x components as channels, frames as length): the
  /// mean input per component, the most confident members, and the time-averaged spectrum.
  func spectrogramInputPanels(k: Int, rows: [Int], most: [Int], least: [Int]) -> String {
    let components = max(componentNames.count, 1)
    let bins = channelCount % components == 0 ? channelCount / components : channelCount
    let componentCount = channelCount / bins
    let names =
      componentCount == componentNames.count
      ? componentNames : (1...componentCount).map { "component \($0)" }
    let (mean, _) = WaveformStatistics.meanAndSpread(
      samples: contents.samples, channelCount: channelCount, length: length, members: rows)
    let (time, timeLabel) = timeAxis
    let lo = mean.min() ?? 0, hi = mean.max() ?? 1
    let width = 420.0, strip = 100.0
    let shown = min(componentCount, 3)
    var svg = ""
    func image(_ values: [Double], lower: Double, upper: Double) -> PNGImage {
      // Bin 0 (lowest frequency) at the bottom.
      var flipped: [Double] = []
      for b in stride(from: bins - 1, through: 0, by: -1) {
        flipped += values[(b * length)..<((b + 1) * length)]
      }
      return Viridis.image(flipped, rows: bins, columns: length, lower: lower, upper: upper)
    }
    // Bins in Hz where the set gives its rate and STFT segment.
    let step = frequencyStep ?? 1
    let frequencyLabel = frequencyStep == nil ? "Frequency bin" : "Frequency (Hz)"
    for c in 0..<shown {
      var plot = SVGPlot(
        left: 56, top: 8 + Double(c) * strip, width: width - 116, height: strip - 14,
        x: PlotAxis(lower: time.first ?? 0, upper: time.last ?? 1),
        y: PlotAxis(lower: -0.5 * step, upper: (Double(bins) - 0.5) * step))
      let values = Array(mean[(c * bins * length)..<((c + 1) * bins * length)])
      plot.image(dataURI: image(values, lower: lo, upper: hi).dataURI)
      plot.axes(
        xLabel: c == shown - 1 ? timeLabel : nil, yLabel: frequencyStep == nil ? "Bin" : "Hz",
        grid: false)
      if c < shown - 1 { plot.svg = HTMLReport.withoutXTickLabels(plot.svg) }
      plot.svg += SVG.text(
        names[c], x: plot.left + 6, y: plot.top + 13, size: 11, colour: "#fff", weight: "600")
      svg += plot.svg
    }
    svg += colourBar(
      x: width - 48, top: 8, height: Double(shown) * strip - 14, lower: lo, upper: hi,
      label: "input value")
    var html = panel(
      "Mean input spectrogram", svg, width: width, height: Double(shown) * strip + 40,
      caption:
        "Mean of the \(rows.count) windows' input (frequency up, frame across)\(frequencyStep.map { String(format: "; bins %.3g Hz apart", $0) } ?? "")."
    )

    // Members on the component that holds the most of the cluster's mean input (the vertical
    // showed local events, whose energy is on the horizontals, nearly blank).
    let strongest =
      (0..<componentCount).max { a, b in
        mean[(a * bins * length)..<((a + 1) * bins * length)].reduce(0, +)
          < mean[(b * bins * length)..<((b + 1) * bins * length)].reduce(0, +)
      } ?? 0
    html += spectrogramMembers(
      most, title: "Most confident members (\(names[strongest]))", bins: bins,
      component: strongest, image: image)
    if !least.isEmpty {
      html += spectrogramMembers(
        least, title: "Least confident members (\(names[strongest]))", bins: bins,
        component: strongest, image: image)
    }

    // Time-averaged spectrum per component.
    var spectrum = SVGPlot(
      left: 56, top: 10, width: width - 76, height: 230,
      x: PlotAxis(lower: 0, upper: Double(max(bins - 1, 1)) * step),
      y: PlotAxis(covering: mean, padding: 0.05))
    let colours = ["#1a1a1a", "#0072b2", "#d55e00"]
    var legendItems: [(String, String, String?)] = []
    for c in 0..<shown {
      let ys = (0..<bins).map { b in
        (0..<length).reduce(0.0) { $0 + mean[(c * bins + b) * length + $1] } / Double(length)
      }
      spectrum.line(
        xs: (0..<bins).map { Double($0) * step }, ys: ys, colour: colours[c], width: 1.4)
      legendItems.append((names[c], colours[c], nil))
    }
    spectrum.axes(xLabel: frequencyLabel, yLabel: "Mean input value")
    spectrum.svg += legend(legendItems, x: width - 26, y: 24)
    html += panel("Time-averaged spectrum", spectrum.svg, width: width, height: 285)
    return html
  }
}
