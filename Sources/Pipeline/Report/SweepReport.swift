import Foundation
import NeuralNetwork
import Numerics
import Store

/// A self-contained HTML page about a latent-size sweep (`report --sweep`): the seed's lesson
/// on the user's windows. Per architecture and size: a few windows beside their
/// reconstructions; the reconstruction loss and the scores against the size; and, per size, a
/// decoded straight line in the code space between two windows of different clusters (the
/// continuity problem, made visible). Inline CSS, SVG and PNG only.
public struct SweepReport {
  struct Entry {
    var row: SweepRunRecord
    var run: RunRecord
    var model: any AutoencoderModel
    /// Row of the window set -> cluster and probability in this run.
    var cluster: [Int: (cluster: Int, probability: Double)]
  }

  public var sweep: SweepRecord
  var entries: [Entry]
  var contents: WindowSetContents
  var storeName: String

  /// Windows shown beside their reconstructions.
  static let windowsShown = 3
  /// Points on the straight line between two codes, ends included.
  static let interpolationSteps = 7

  /// Loads sweep `sweepID` (the latest when nil), its runs' models and assignments.
  public static func load(from store: SeisStore, sweepID: Int64? = nil) throws -> SweepReport {
    guard let sweep = try store.sweep(id: sweepID), let id = sweep.id else {
      throw InputError(
        path: store.path,
        reason: sweepID.map { "no sweep \($0) in the store" }
          ?? "no sweep in the store: run `seiscluster sweep` first")
    }
    let rows = try store.sweepRuns(sweepID: id)
    guard !rows.isEmpty else {
      throw InputError(path: store.path, reason: "sweep \(id) has no finished run")
    }
    guard var contents = try store.windowSetContents(id: sweep.windowSetId) else {
      throw InputError(path: store.path, reason: "sweep \(id)'s window set is no longer stored")
    }
    // The windows as the runs saw them (decision 0024: scaled to the set's mean RMS, the same
    // level for every run of the sweep), so that reconstructions compare with them.
    if let first = try rows.first.flatMap({ try store.run(id: $0.runId) }),
      let level = try? ClusterJob.decodeOptions(
        ClusterJob.StoredOptions.self, from: first.optionsJson
      ).windowLevelScale
    {
      let size = contents.windowSet.channelCount * contents.windowSet.length
      contents.samples.withUnsafeMutableBufferPointer {
        TrainingWindows.scale($0, windows: contents.windows.count, size: size, to: level)
      }
    }
    var rowOfID: [Int64: Int] = [:]
    for (i, w) in contents.windows.enumerated() { if let wid = w.id { rowOfID[wid] = i } }
    var entries: [Entry] = []
    for row in rows {
      guard let run = try store.run(id: row.runId) else {
        throw InputError(path: store.path, reason: "sweep \(id) lost its run \(row.runId)")
      }
      let model = try StoredModel.load(for: run, from: store).model
      var cluster: [Int: (Int, Double)] = [:]
      for a in try store.assignments(runID: row.runId) {
        if let r = rowOfID[a.windowId] { cluster[r] = (a.cluster, a.probability) }
      }
      entries.append(Entry(row: row, run: run, model: model, cluster: cluster))
    }
    return SweepReport(
      sweep: sweep, entries: entries, contents: contents,
      storeName: URL(fileURLWithPath: store.path).lastPathComponent)
  }

  /// The runs the sweep planned (architecture x latent, from its stored options) that it does
  /// not hold, as `--architecture A --latent L`, in order: the sweep stopped at the first of
  /// them (a run failed or was interrupted), or is still running.
  public var missingRuns: [String] {
    struct Plan: Decodable {
      var architectures: [String]
      var latents: [Int]
    }
    guard let plan = try? JSONDecoder().decode(Plan.self, from: Data(sweep.optionsJson.utf8))
    else { return [] }
    let held = Set(entries.map { "\($0.row.architecture) \($0.row.latent)" })
    return plan.architectures.flatMap { architecture in
      plan.latents.compactMap { latent in
        held.contains("\(architecture) \(latent)")
          ? nil : "--architecture \(architecture) --latent \(latent)"
      }
    }
  }

  /// One line about the runs the sweep lacks, or nil when it holds every planned run.
  public var missingRunsLine: String? {
    let missing = missingRuns
    guard let first = missing.first else { return nil }
    let planned = entries.count + missing.count
    return
      "sweep \(sweep.id ?? 0) holds \(entries.count) of its \(planned) planned runs: "
      + "\(missing.count) missing from \(first) on (the sweep stopped there, or is still running; `seiscluster sweep --resume --sweep \(sweep.id ?? 0) --output F.csv` finishes it)"
  }

  // MARK: Facts

  var channelCount: Int { contents.windowSet.channelCount }
  var length: Int { contents.windowSet.length }
  var isSpectrogram: Bool { contents.windowSet.inputKind == .spectrogram }
  var architectures: [String] {
    var seen: [String] = []
    for e in entries where !seen.contains(e.row.architecture) { seen.append(e.row.architecture) }
    return seen
  }
  func entries(of architecture: String) -> [Entry] {
    entries.filter { $0.row.architecture == architecture }.sorted { $0.row.latent < $1.row.latent }
  }
  var scored: Bool { entries.contains { $0.row.acc != nil } }

  /// Rows of the component shown (the first), and how to draw a window: for spectrograms the
  /// first component's bins as an image, for waveforms its samples as a line.
  var componentCount: Int {
    let names = contents.windows.first?.channels.split(separator: ",").count ?? 1
    return max(1, isSpectrogram && channelCount % max(names, 1) == 0 ? names : channelCount)
  }
  var binsPerComponent: Int { isSpectrogram ? channelCount / componentCount : 1 }
  var firstComponentName: String { contents.componentNames.first ?? "channel 1" }

  /// The first component of window `values` (C x L), as drawn.
  func firstComponent(_ values: ArraySlice<Float>) -> [Double] {
    let count = binsPerComponent * length
    return values.prefix(count).map(Double.init)
  }

  /// The windows shown beside their reconstructions: the most confident window of each cluster
  /// of the first run, then the next most confident ones, up to `windowsShown`.
  func shownWindows() -> [Int] {
    guard let first = entries.first else { return [] }
    let ranked = first.cluster.sorted {
      $0.value.probability != $1.value.probability
        ? $0.value.probability > $1.value.probability : $0.key < $1.key
    }
    var chosen: [Int] = []
    var clusters = Set<Int>()
    for (row, value) in ranked where !clusters.contains(value.cluster) {
      chosen.append(row)
      clusters.insert(value.cluster)
      if chosen.count == Self.windowsShown { return chosen }
    }
    for (row, _) in ranked where !chosen.contains(row) {
      chosen.append(row)
      if chosen.count == Self.windowsShown { break }
    }
    return chosen.sorted()
  }

  /// Two windows of different clusters of `entry`'s run: the pair of the first run of the same
  /// architecture when this run also separates it, else this run's most confident pair.
  func interpolationPair(for entry: Entry, reference: Entry) -> (Int, Int)? {
    func pair(in e: Entry) -> (Int, Int)? {
      var best: [Int: (row: Int, probability: Double)] = [:]
      for (row, value) in e.cluster {
        if let b = best[value.cluster],
          b.probability > value.probability
            || (b.probability == value.probability && b.row < row)
        {
          continue
        }
        best[value.cluster] = (row, value.probability)
      }
      let clusters = best.keys.sorted()
      guard clusters.count >= 2 else { return nil }
      return (best[clusters[0]]!.row, best[clusters[1]]!.row)
    }
    if let p = pair(in: reference), let a = entry.cluster[p.0], let b = entry.cluster[p.1],
      a.cluster != b.cluster
    {
      return p
    }
    return pair(in: entry)
  }

  func window(_ row: Int) -> ArraySlice<Float> {
    let size = channelCount * length
    return contents.samples[(row * size)..<((row + 1) * size)]
  }

  func tensor(_ rows: [Int]) -> Tensor {
    Tensor(shape: [rows.count, channelCount, length], values: rows.flatMap { window($0) })
  }

  // MARK: Page

  public func render(generatedAt: Date = Date()) -> String {
    var body = header()
    body += tableSection()
    body += curvesSection()
    body += reconstructionSection()
    body += interpolationSection()
    body +=
      "<footer>sweep \(sweep.id ?? 0) · seiscluster \(SVG.escaped(sweep.version)) · report generated "
      + "\(SVG.escaped(ISO8601DateFormatter().string(from: generatedAt))) by seiscluster \(SVG.escaped(SeisclusterVersion.string))</footer>\n"
    return HTMLReport.page(
      title: "seiscluster report: sweep \(sweep.id ?? 0)",
      css: """
        .strip { display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-start; }
        .strip figure { margin: 0; }
        .strip figcaption { font-size: 11px; color: var(--muted); text-align: center; }
        p.warning { border-left: 4px solid #b45309; padding-left: 8px; }

        """, body: body)
  }

  func header() -> String {
    let sizes = Array(Set(entries.map(\.row.latent))).sorted().map(String.init)
    var facts: [(String, String)] = [
      ("windows", String(contents.count)), ("runs", String(entries.count)),
      ("architectures", architectures.joined(separator: ", ")),
      ("latent sizes", sizes.joined(separator: ", ")),
      // With --clusters auto each run chose its own K: all of them, in run order.
      (
        "clusters",
        Set(entries.map(\.run.clusterCount)).count > 1
          ? entries.map { String($0.run.clusterCount) }.joined(separator: ", ")
            + " (chosen per run)"
          : String(entries.first?.run.clusterCount ?? 0)
      ),
    ]
    if let loss = entries.first?.row.loss { facts.append(("loss", loss)) }
    var html = "<header>\n<h1>Latent-size sweep · sweep \(sweep.id ?? 0)</h1>\n"
    html +=
      "<p class=\"lead\">One clustering run per code size of \(contents.count) "
      + "\(isSpectrogram ? "spectrogram" : "waveform") windows (\(channelCount) × \(length)) from "
      + "<code>\(SVG.escaped(storeName))</code>, made \(SVG.escaped(sweep.createdAt)). A small code "
      + "reconstructs coarsely but packs the windows into a space k-means can read; a large one "
      + "reconstructs well, and the straight line between two codes may leave the windows' "
      + "manifold (the interpolations below).</p>\n"
    if let missing = missingRunsLine {
      html +=
        "<p class=\"warning\"><b>Incomplete.</b> \(SVG.escaped(missing)): "
        + "\(SVG.escaped(missingRuns.joined(separator: "; "))).</p>\n"
    }
    html += "<div class=\"facts\">"
    for (label, value) in facts {
      html += "<div class=\"fact\"><b>\(SVG.escaped(value))</b><span>\(label)</span></div>"
    }
    return html + "</div>\n</header>\n"
  }

  func tableSection() -> String {
    var html = "<h2>Runs</h2>\n<table>\n<tr><th>architecture</th><th class=\"num\">latent</th>"
    html += "<th class=\"num\">run</th><th class=\"num\">clusters</th>"
    html += "<th class=\"num\">reconstruction loss</th>"
    if scored {
      html += "<th class=\"num\">ACC</th><th class=\"num\">NMI</th><th class=\"num\">ARI</th>"
    }
    html += "<th>stability</th></tr>\n"
    for e in entries {
      let r = e.row
      html += "<tr><td>\(r.architecture)</td><td class=\"num\">\(r.latent)</td>"
      html += "<td class=\"num\">\(r.runId)</td><td class=\"num\">\(e.run.clusterCount)</td>"
      html += "<td class=\"num\">\(String(format: "%.5g", r.reconstructionLoss)) (\(r.loss))</td>"
      if scored {
        for v in [r.acc, r.nmi, r.ari] {
          html += "<td class=\"num\">\(v.map { String(format: "%.4f", $0) } ?? "–")</td>"
        }
      }
      let lines = e.run.summary?.split(separator: "\n").map(String.init) ?? []
      let stability = lines.first { $0.hasPrefix("stability:") } ?? ""
      // The run's own warning (its report gives it; the sweep's table hid it).
      let unstable = lines.contains { $0.hasPrefix("warning: unstable") }
      html +=
        "<td><code>\(SVG.escaped(stability))</code>"
        + (unstable ? " <b>unstable: no other restart found these clusters</b>" : "")
        + "</td></tr>\n"
    }
    return html + "</table>\n"
  }

  static let colours = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]

  func curvesSection() -> String {
    let xs = entries.map { Double($0.row.latent) }
    let logarithmic = xs.allSatisfy { $0 > 0 } && (xs.max() ?? 1) / max(xs.min() ?? 1, 1) >= 4
    let w = 420.0, h = 260.0
    func plot(_ title: String, _ label: String, _ value: (SweepRunRecord) -> Double?) -> String {
      let ys = entries.compactMap { value($0.row) }
      guard !ys.isEmpty else { return "" }
      var p = SVGPlot(
        left: 62, top: 16, width: w - 80, height: h - 62,
        x: logarithmic
          ? PlotAxis(covering: xs, logarithmic: true) : PlotAxis(covering: xs, padding: 0.05),
        y: PlotAxis(covering: ys, padding: 0.08))
      var legendItems: [(String, String, String?)] = []
      for (i, architecture) in architectures.enumerated() {
        let colour = Self.colours[i % Self.colours.count]
        let list = entries(of: architecture)
        let px = list.map { Double($0.row.latent) }
        let py = list.map { value($0.row) ?? .nan }
        p.line(xs: px, ys: py, colour: colour, width: 1.8)
        for (a, b) in zip(px, py) where b.isFinite {
          p.circle(x: a, y: b, radius: 3, colour: colour)
        }
        legendItems.append((architecture, colour, nil))
      }
      p.axes(
        xLabel: "Latent size" + (logarithmic ? " (log scale)" : ""), yLabel: label,
        xTickValues: Array(Set(xs)).sorted())
      if architectures.count > 1 { p.svg += HTMLReport.legend(legendItems, x: w - 24, y: 26) }
      return HTMLReport.panel(title, p.svg, width: w, height: h)
    }
    let loss = entries.first?.row.loss.uppercased() ?? "MSE"
    var panels = plot("Reconstruction loss against size", "Mean reconstruction loss (\(loss))") {
      $0.reconstructionLoss
    }
    if scored {
      panels += plot("ACC against size", "ACC") { $0.acc }
      panels += plot("NMI against size", "NMI") { $0.nmi }
      panels += plot("ARI against size", "ARI") { $0.ari }
    }
    return "<h2>Loss and scores against the code size</h2>\n<div class=\"grid3\">\n" + panels
      + "</div>\n"
  }

  /// One small figure of a window's first component: an image for spectrograms (bin 0 at the
  /// bottom), a line for waveforms; `range` fixes the colour or y range.
  func figure(_ values: [Double], range: (Double, Double), caption: String, width: Double = 150)
    -> String
  {
    let height = 70.0
    var svg = ""
    if isSpectrogram {
      let bins = binsPerComponent
      var flipped: [Double] = []
      for b in stride(from: bins - 1, through: 0, by: -1) {
        flipped += values[(b * length)..<((b + 1) * length)]
      }
      let png = Viridis.image(flipped, rows: bins, columns: length, lower: range.0, upper: range.1)
      svg +=
        "<image x=\"0\" y=\"0\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\" preserveAspectRatio=\"none\" href=\"\(png.dataURI)\"/>\n"
      svg +=
        "<rect class=\"frame\" x=\"0\" y=\"0\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\"/>\n"
    } else {
      var p = SVGPlot(
        left: 1, top: 1, width: width - 2, height: height - 2,
        x: PlotAxis(lower: 0, upper: Double(max(length - 1, 1))),
        y: PlotAxis(lower: range.0, upper: range.1))
      p.line(xs: (0..<length).map(Double.init), ys: values, colour: "#222", width: 0.8)
      p.svg +=
        "<rect class=\"frame\" x=\"1\" y=\"1\" width=\"\(SVG.n(width - 2))\" height=\"\(SVG.n(height - 2))\"/>\n"
      svg = p.svg
    }
    return "<figure>" + SVG.document(width: width, height: height, body: svg, label: caption)
      + "<figcaption>\(SVG.escaped(caption))</figcaption></figure>"
  }

  func range(_ values: [Double]) -> (Double, Double) {
    let lo = values.min() ?? 0
    let hi = values.max() ?? 1
    return hi > lo ? (lo, hi) : (lo - 1, hi + 1)
  }

  func reconstructionSection() -> String {
    let rows = shownWindows()
    guard !rows.isEmpty else { return "" }
    var html = "<h2>Windows and their reconstructions</h2>\n"
    html +=
      "<p class=\"caption\">The \(firstComponentName) component of \(rows.count) windows (the most confident of each cluster of the first run), then its reconstruction by each run, on the original's \(isSpectrogram ? "colour" : "amplitude") scale.</p>\n"
    for architecture in architectures {
      let list = entries(of: architecture)
      let reconstructions = list.map { $0.model.decode($0.model.encode(tensor(rows))).values }
      html += "<h3 style=\"margin-top:14px\">\(SVG.escaped(architecture))</h3>\n"
      for (i, row) in rows.enumerated() {
        let original = firstComponent(window(row))
        let scale = range(original)
        let w = contents.windows[row]
        html += "<div class=\"strip\">"
        html += figure(original, range: scale, caption: "\(w.network).\(w.station) original")
        for (j, e) in list.enumerated() {
          let size = channelCount * length
          let values = firstComponent(reconstructions[j][(i * size)..<((i + 1) * size)])
          html += figure(values, range: scale, caption: "latent \(e.row.latent)")
        }
        html += "</div>\n"
      }
    }
    return html
  }

  func interpolationSection() -> String {
    var html = "<h2>Straight lines between two codes</h2>\n"
    html +=
      "<p class=\"caption\">For each size, the decoded points z = (1 − t) z<sub>A</sub> + t z<sub>B</sub>, t from 0 to 1, between two windows of different clusters (A: left, B: right; the originals at both ends). Where the middle decodes to something like neither window, or to noise, the code space is not continuous between the clusters.</p>\n"
    for architecture in architectures {
      let list = entries(of: architecture)
      guard let reference = list.first else { continue }
      html += "<h3 style=\"margin-top:14px\">\(SVG.escaped(architecture))</h3>\n"
      for e in list {
        guard let (a, b) = interpolationPair(for: e, reference: reference) else {
          html += "<p class=\"note\">latent \(e.row.latent): the run has a single cluster.</p>\n"
          continue
        }
        let codes = e.model.encode(tensor([a, b])).values
        let d = e.model.latentDimension
        var path: [Float] = []
        let steps = Self.interpolationSteps
        for s in 0..<steps {
          let t = Float(s) / Float(steps - 1)
          for k in 0..<d { path.append((1 - t) * codes[k] + t * codes[d + k]) }
        }
        let decoded = e.model.decode(Tensor(shape: [steps, d], values: path)).values
        let size = channelCount * length
        let originalA = firstComponent(window(a))
        let originalB = firstComponent(window(b))
        let scale = range(originalA + originalB)
        let clusterA = e.cluster[a]?.cluster ?? 0
        let clusterB = e.cluster[b]?.cluster ?? 0
        html +=
          "<p class=\"caption\" style=\"margin-top:10px\"><b>latent \(e.row.latent)</b> (run \(e.row.runId)): "
          + "A = \(SVG.escaped(contents.windows[a].station)) (cluster \(clusterA)), "
          + "B = \(SVG.escaped(contents.windows[b].station)) (cluster \(clusterB))</p>\n"
        html += "<div class=\"strip\">"
        html += figure(originalA, range: scale, caption: "A", width: 110)
        for s in 0..<steps {
          let values = firstComponent(decoded[(s * size)..<((s + 1) * size)])
          html += figure(
            values, range: scale,
            caption: String(format: "t = %.2f", Double(s) / Double(steps - 1)), width: 110)
        }
        html += figure(originalB, range: scale, caption: "B", width: 110)
        html += "</div>\n"
      }
    }
    return html
  }
}
