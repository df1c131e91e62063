import Foundation
import Numerics
import Seismic
import Store

/// A self-contained HTML page about one run: its settings and training curves, a map of the
/// latent space, cluster counts over time per station, and per cluster its size, mean and
/// spread, most confident members and mean spectrogram. Inline CSS and SVG only: no script,
/// no network.
public struct HTMLReport: Sendable {
  public var catalog: Catalog
  /// The run's window set: every window's row, and the samples of the windows shown
  /// (`samples(of:rows:reader:)`).
  var contents: WindowSetContents
  /// Row of `contents.samples` for each catalog entry (nil when the entry's window is in
  /// another set, or its samples are not held).
  var rowOfEntry: [Int?]
  /// Each catalog entry's latent embedding, when stored.
  var embeddings: [[Float]?]
  /// Training curves: the run's, or its parent's for a relabel run without its own.
  var history: RunHistory?
  /// Where the store is (shown in the header).
  var storeName: String
  /// For spectrogram sets: the shown members' preprocessed waveforms, cut again from the
  /// stored traces.
  var recut = RecutWaveforms()

  /// Loads run `runID` (the latest complete run when nil), its window set and embeddings.
  public static func load(from store: SeisStore, runID: Int64? = nil) throws -> HTMLReport {
    let catalog = try Catalog.load(from: store, runID: runID)
    // The windows' metadata; samples only of the windows the panels show (below).
    guard let reader = try store.windowSetReader(id: catalog.run.windowSetId) else {
      throw InputError(
        path: store.path, reason: "run \(catalog.runID)'s window set is no longer stored")
    }
    var rowOfKey: [Int64: Int] = [:]
    var rowOfID: [Int64: Int] = [:]
    for (i, w) in reader.windows.enumerated() {
      rowOfKey[w.windowKey] = i
      if let id = w.id { rowOfID[id] = i }
    }
    var embeddingOfRow: [Int: [Float]] = [:]
    // Windows `assign` added from later sets: by (set, key), as the catalog names them.
    struct SetKey: Hashable {
      var set: Int64
      var key: Int64
    }
    var embeddingOfOther: [SetKey: [Float]] = [:]
    var others: [Int64: [Float]] = [:]
    for a in try store.assignments(runID: catalog.runID) {
      guard let e = a.embeddingValues else { continue }
      if let row = rowOfID[a.windowId] {
        embeddingOfRow[row] = e
      } else {
        others[a.windowId] = e
      }
    }
    if !others.isEmpty {
      // Their set and key only: no samples are read for the map.
      for w in try store.windows(ids: Array(others.keys)) {
        if let id = w.id, let e = others[id] {
          embeddingOfOther[SetKey(set: w.windowSetId, key: w.windowKey)] = e
        }
      }
    }
    // A relabel run that kept no embeddings of its own maps its parent's.
    if embeddingOfRow.isEmpty, let parent = catalog.run.parentRunId {
      for a in try store.assignments(runID: parent) {
        if let row = rowOfID[a.windowId], let e = a.embeddingValues { embeddingOfRow[row] = e }
      }
    }
    let rows = catalog.entries.map { e in
      e.windowSetID == catalog.run.windowSetId ? rowOfKey[e.windowID] : nil
    }
    let (contents, sampleRows) = try samples(of: catalog, rows: rows, reader: reader)
    var history = HTMLReport.history(of: catalog.run)
    if history == nil, let parent = catalog.run.parentRunId, let p = try store.run(id: parent) {
      history = HTMLReport.history(of: p)
      // A relabel that kept its source (decision 0014) shows the source's training, which is
      // its network's, but says how it ended itself.
      if let own = try? JSONDecoder().decode(
        RunHistory.self, from: Data(catalog.run.historyJson.utf8)),
        let reason = own.stopReason, reason == "source kept"
      {
        history?.stopReason = "source kept (the network and clusters of run \(parent))"
      }
    }
    return HTMLReport(
      catalog: catalog, contents: contents, rowOfEntry: sampleRows,
      embeddings: zip(catalog.entries, rows).map { entry, row in
        row.flatMap { embeddingOfRow[$0] }
          ?? entry.windowSetID.flatMap {
            embeddingOfOther[SetKey(set: $0, key: entry.windowID)]
          }
      }, history: history,
      storeName: URL(fileURLWithPath: store.path).lastPathComponent,
      recut: RecutWaveforms.load(
        catalog: catalog, rows: rows, reader: reader, store: store, shown: membersShown))
  }

  /// Window samples held by a report at most: per cluster, the samples of its most confident
  /// members up to this budget's share (every member of a cluster that fits).
  static let sampleBudgetBytes = 256 << 20

  /// The samples of the windows the cluster panels show (each cluster's most confident members,
  /// up to its share of `sampleBudgetBytes`), read from the store in stored order, and each
  /// catalog entry's row in them (nil: not held).
  static func samples(
    of catalog: Catalog, rows: [Int?], reader: WindowSetReader,
    budgetBytes: Int = sampleBudgetBytes
  ) throws -> (WindowSetContents, [Int?]) {
    let size = reader.valuesPerWindow
    var byCluster: [Int: [Int]] = [:]
    for e in catalog.entries.indices where rows[e] != nil {
      byCluster[catalog.entries[e].cluster, default: []].append(e)
    }
    let perCluster = max(
      membersShown, budgetBytes / max(byCluster.count, 1) / max(size * 4, 1))
    var kept = Set<Int>()
    for (_, entries) in byCluster {
      // The order of `members(of:)`: most confident first.
      let sorted = entries.sorted {
        catalog.entries[$0].probability > catalog.entries[$1].probability
      }
      for e in sorted.prefix(perCluster) { kept.insert(rows[e]!) }
      // ...and the least confident, drawn beside them.
      for e in sorted.suffix(membersShown) { kept.insert(rows[e]!) }
    }
    let ordinals = kept.sorted()
    var compact: [Int: Int] = [:]
    for (i, row) in ordinals.enumerated() { compact[row] = i }
    var samples = [Float](repeating: 0, count: ordinals.count * size)
    try samples.withUnsafeMutableBufferPointer { buffer in
      var start = 0
      while start < ordinals.count {
        let end = min(start + 1024, ordinals.count)
        try reader.samples(
          ordinals: Array(ordinals[start..<end]),
          into: UnsafeMutableBufferPointer(rebasing: buffer[(start * size)...]))
        start = end
      }
    }
    return (
      WindowSetContents(windowSet: reader.windowSet, windows: reader.windows, samples: samples),
      rows.map { $0.flatMap { compact[$0] } }
    )
  }

  static func history(of run: RunRecord) -> RunHistory? {
    guard let h = try? JSONDecoder().decode(RunHistory.self, from: Data(run.historyJson.utf8)),
      !h.pretraining.isEmpty || !h.updates.isEmpty
    else { return nil }
    return h
  }

  // MARK: Derived facts

  var windowSet: WindowSetRecord { contents.windowSet }
  var channelCount: Int { windowSet.channelCount }
  var length: Int { windowSet.length }

  /// Cluster numbers present, ascending (with the run's K when some are empty); orphans (-1)
  /// last.
  var clusters: [Int] {
    Array(Set(catalog.entries.map(\.cluster)).union(0..<catalog.run.clusterCount)).sorted {
      ($0 < 0 ? Int.max : $0) < ($1 < 0 ? Int.max : $1)
    }
  }

  /// Entry indices of cluster `k`, most confident first.
  func members(of k: Int) -> [Int] {
    catalog.entries.indices.filter { catalog.entries[$0].cluster == k }
      .sorted { catalog.entries[$0].probability > catalog.entries[$1].probability }
  }

  /// The component names of the windows (`HHZ`, `HHN`, `HHE`), from the first window.
  var componentNames: [String] { contents.componentNames }

  /// Samples (or frames) per second of the time axis; nil when unknown.
  var rate: Double? { windowSet.samplingRate.flatMap { $0 > 0 ? $0 : nil } }

  /// Hz between a spectrogram's frequency bins (bin k is k times this), from the set's stored
  /// rate and STFT segment; nil for waveforms or sets that do not give both.
  var frequencyStep: Double? {
    guard windowSet.inputKind == .spectrogram,
      let parameters = try? JSONValue(parsing: windowSet.parametersJson),
      let segment = parameters[member: "stftSegmentSamples"]?.numberValue,
      let rate = parameters[member: "options"]?[member: "rate"]?.numberValue,
      segment > 0, rate > 0, rate.isFinite
    else { return nil }
    return rate / segment
  }

  /// Seconds from the pick to the window's first sample (negative: the window starts before),
  /// or nil when no window knows both times.
  var startRelativeToPick: Double? {
    for w in contents.windows {
      if let start = w.startNs, let pick = w.pickTimeNs { return Double(start - pick) / 1e9 }
    }
    let parameters = try? JSONValue(parsing: windowSet.parametersJson)
    return parameters?[member: "before"]?.numberValue.map { -$0 }
  }

  /// The time axis of the windows: seconds relative to the pick when known, else from the
  /// window's start, else sample numbers.
  var timeAxis: (values: [Double], label: String) {
    guard let rate else {
      return ((0..<length).map(Double.init), "Sample")
    }
    let offset = startRelativeToPick
    let values = (0..<length).map { (offset ?? 0) + Double($0) / rate }
    return (values, offset == nil ? "Time from window start (s)" : "Time relative to pick (s)")
  }

  /// The band-pass of the window set (`[low, high]` in its parameters), if any.
  var bandpass: (Double, Double)? {
    guard
      case .array(let band)? = (try? JSONValue(parsing: windowSet.parametersJson))?[
        member: "bandpass"], band.count == 2,
      let lo = band[0].numberValue, let hi = band[1].numberValue
    else { return nil }
    return (lo, hi)
  }

  /// `cluster k`, or `orphans` for -1 (`cluster --orphans`).
  static func name(ofCluster k: Int) -> String { k < 0 ? "orphans" : "cluster \(k)" }

  /// The id of a cluster's section: `cluster-k`, or `orphans`.
  static func anchor(ofCluster k: Int) -> String { k < 0 ? "orphans" : "cluster-\(k)" }

  /// `Cluster k` or `Orphans`, for headings.
  static func heading(ofCluster k: Int) -> String { k < 0 ? "Orphans" : "Cluster \(k)" }

  /// A distinct, colour-blind-friendly colour per cluster (grey for orphans).
  static func colour(_ k: Int) -> String {
    if k < 0 { return "#9a9a9a" }
    let palette = [
      "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f3c8d", "#8c6d31",
      "#3b3b3b", "#b2182b",
    ]
    if k < palette.count { return palette[k] }
    // Past the palette, hues a golden angle apart (clusters 3 and 13 used to look alike).
    let hue = (Double(k) * 137.508).truncatingRemainder(dividingBy: 360) / 60
    let (s, l) = (0.6, k % 2 == 0 ? 0.42 : 0.55)
    let c = (1 - abs(2 * l - 1)) * s
    let x = c * (1 - abs(hue.truncatingRemainder(dividingBy: 2) - 1))
    let (r, g, b): (Double, Double, Double)
    switch Int(hue) {
    case 0: (r, g, b) = (c, x, 0)
    case 1: (r, g, b) = (x, c, 0)
    case 2: (r, g, b) = (0, c, x)
    case 3: (r, g, b) = (0, x, c)
    case 4: (r, g, b) = (x, 0, c)
    default: (r, g, b) = (c, 0, x)
    }
    let m = l - c / 2
    return String(
      format: "#%02x%02x%02x", Int(((r + m) * 255).rounded()), Int(((g + m) * 255).rounded()),
      Int(((b + m) * 255).rounded()))
  }

  // MARK: Page

  /// The whole page.
  public func render(generatedAt: Timestamp? = nil) -> String {
    let run = catalog.run
    let now = generatedAt ?? Timestamp(seconds: Date().timeIntervalSince1970)
    var body = ""
    body += header(generatedAt: now)
    body += settingsSection()
    body += trainingSection()
    body += trustSection()
    body += overviewSection()
    for k in clusters { body += clusterSection(k) }
    body +=
      "<footer>seiscluster \(SVG.escaped(run.version)) · run \(catalog.runID) · report generated "
      + "\(SVG.escaped(now.iso8601)) by seiscluster \(SVG.escaped(SeisclusterVersion.string))</footer>\n"
    return HTMLReport.page(title: "seiscluster report: run \(catalog.runID)", body: body)
  }

  /// A whole self-contained page: the shared stylesheet (plus `css`), then `body` in `main`.
  static func page(title: String, css extra: String = "", body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <title>\(title)</title>
    <style>
    \(css)
    \(extra)</style>
    </head>
    <body>
    <main>
    \(body)</main>
    </body>
    </html>

    """
  }

  static let css = """
    :root { --ink: #1a1a1a; --muted: #5f6368; --rule: #d9d9d9; --paper: #ffffff; --tint: #f6f7f9; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #eef0f3; color: var(--ink);
      font: 14px/1.45 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; }
    main { max-width: 1320px; margin: 0 auto; padding: 24px 28px 40px; background: var(--paper); }
    h1 { font-size: 24px; margin: 0 0 4px; font-weight: 600; letter-spacing: -0.01em; }
    h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 5px; border-bottom: 2px solid var(--ink);
      font-weight: 600; }
    h3 { font-size: 13.5px; margin: 0 0 4px; font-weight: 600; color: #3c4043; }
    p.lead { margin: 0 0 14px; color: var(--muted); }
    .facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 4px; }
    .fact { background: var(--tint); border: 1px solid var(--rule); border-radius: 4px; padding: 6px 12px; }
    .fact b { display: block; font-size: 18px; font-weight: 600; }
    .fact span { font-size: 11.5px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
    .grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
    .grid3 { display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; }
    .panel { min-width: 0; }
    .panel svg { width: 100%; height: auto; display: block; }
    table { border-collapse: collapse; font-size: 13px; width: 100%; }
    th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #ececec; vertical-align: top; }
    th { font-weight: 600; color: var(--muted); white-space: nowrap; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    pre.summary { font: 12px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--tint);
      border: 1px solid var(--rule); border-radius: 4px; padding: 8px 10px; margin: 4px 0 0;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .wide { grid-column: 1 / -1; }
    code { font: 12px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    td code { overflow-wrap: anywhere; }
    section.cluster { border-top: 1px solid var(--rule); margin-top: 26px; padding-top: 4px; }
    .swatch { display: inline-block; width: 14px; height: 14px; border-radius: 2px; margin-right: 8px;
      vertical-align: -2px; }
    .caption { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
    .note { color: var(--muted); font-style: italic; }
    footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--rule); font-size: 12px;
      color: var(--muted); }
    svg text { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; }
    svg text:not([fill]) { fill: #222; }
    svg .frame { fill: none; stroke: #222; stroke-width: 1; }
    svg .tick { stroke: #222; stroke-width: 1; }
    svg .grid { stroke: #e6e6e6; stroke-width: 1; }
    svg .trace { fill: none; stroke-linejoin: round; }
    @media (max-width: 900px) { .grid2, .grid3 { grid-template-columns: 1fr; } }
    """

  func header(generatedAt: Timestamp) -> String {
    let run = catalog.run
    let n = catalog.entries.count
    let stations = Set(catalog.entries.map { "\($0.network).\($0.station)" }).count
    var facts: [(String, String)] = [
      ("windows", String(n)), ("clusters", String(catalog.run.clusterCount)),
      ("stations", String(stations)),
    ]
    if let first = catalog.entries.compactMap(\.pickTime).min(),
      let last = catalog.entries.compactMap(\.pickTime).max()
    {
      facts.append(
        ("picks from", String(first.iso8601.prefix(16)).replacingOccurrences(of: "T", with: " ")))
      facts.append(
        ("picks to", String(last.iso8601.prefix(16)).replacingOccurrences(of: "T", with: " ")))
    }
    if let reason = history?.stopReason { facts.append(("stopped by", reason)) }
    var html = "<header>\n<h1>Cluster report · run \(catalog.runID)</h1>\n"
    html +=
      "<p class=\"lead\">\(run.kind == .relabel ? "Relabelled clustering" : "Unsupervised clustering")"
      + " of \(n) \(windowSet.inputKind == .spectrogram ? "spectrogram" : "waveform") windows"
      + (windowSet.isCorrelationInput ? ", seen as correlation profiles" : "")
      + " (\(channelCount) × \(length)\(rate.map { ", \(JSONValue.spell($0)) \(windowSet.inputKind == .spectrogram ? "frames/s" : "Hz")" } ?? ""))"
      + " from <code>\(SVG.escaped(storeName))</code>, finished \(SVG.escaped(run.finishedAt ?? run.createdAt)).</p>\n"
    html += "<div class=\"facts\">"
    for (label, value) in facts {
      html += "<div class=\"fact\"><b>\(SVG.escaped(value))</b><span>\(label)</span></div>"
    }
    html += "</div>\n</header>\n"
    return html
  }

  func settingsSection() -> String {
    let run = catalog.run
    var rows: [(String, String)] = [
      (
        "run",
        "\(catalog.runID) (\(run.kind.rawValue)\(run.parentRunId.map { ", from run \($0)" } ?? ""))"
      ),
      ("version", run.version), ("seed", String(UInt64(bitPattern: run.seed))),
      ("clusters (K)", String(run.clusterCount)), ("created", run.createdAt),
    ]
    for (key, value) in catalog.options.sorted(by: { $0.key < $1.key }) {
      if key == "correlation_references", case .array(let references) = value {
        rows.append(
          (
            "network input",
            "correlation profiles against \(references.count) reference windows of the set (decision 0018)"
          ))
        continue
      }
      // The run's own seed is the row above.
      if key == "seed", value.plainText == String(UInt64(bitPattern: run.seed)) { continue }
      if key == "clusters", value.plainText == String(run.clusterCount) { continue }
      if key == "cluster_choice" {
        // The evidence is plotted under Trust; its JSON ran over the next column.
        let tried = history?.clusterChoice.map { choice in
          let ks = choice.candidates.map(\.clusters)
          return
            "K = \(choice.chosen), chosen in \(ks.min() ?? 0)...\(ks.max() ?? 0) (Trust: Choice of K)"
        }
        rows.append((key, tried ?? "stored; see Trust"))
        continue
      }
      if key == "window_memory_bytes", let bytes = value.numberValue, bytes.isFinite,
        bytes >= 0, bytes < 9e18
      {
        rows.append((key, MemoryLimit.describe(Int(bytes))))
        continue
      }
      if key == "filters", let architecture = catalog.options["architecture"]?.plainText,
        architecture == "lstm" || architecture == "dense"
      {
        // `--filters` names the encoder's widths; for these they are not filters.
        let what = architecture == "lstm" ? "hidden sizes of the LSTMs" : "units per layer"
        rows.append(("filters (\(what))", value.plainText))
        continue
      }
      if run.kind == .relabel, key == "tol" || key == "max_iterations" {
        // Relabel steers for a fixed number of iterations, whatever the source's settings.
        rows.append(
          (
            key,
            key == "tol"
              ? "\(value.plainText) for the source run; relabel steers with 0"
              : "\(value.plainText) for the source run; relabel steers for at most \(RelabelJob.iterations)"
          ))
        continue
      }
      if key == "restarts", catalog.options["stop_when_two_agree"]?.plainText == "true" {
        // The cap of the default rule, not what trained (the Trust section lists those).
        let trained = history?.restarts.map { "; \($0.restarts.count) trained" } ?? ""
        rows.append((key, "until two agree, at most \(value.plainText)\(trained)"))
        continue
      }
      rows.append((key, value.plainText))
    }
    var windowRows: [(String, String)] = [
      ("window set", "\(windowSet.id ?? 0) (\(windowSet.inputKind.rawValue))"),
      ("shape", "\(contents.count) × \(channelCount) × \(length)"),
      ("channels", componentNames.joined(separator: ", ")),
    ]
    if let rate {
      // A spectrogram's rate is its frames' (`rate` below is the waveforms').
      windowRows.append(
        windowSet.inputKind == .spectrogram
          ? ("frame rate", "\(JSONValue.spell(rate)) frames/s")
          : ("sampling rate", "\(JSONValue.spell(rate)) Hz"))
    }
    if case .object(let members)? = try? JSONValue(parsing: windowSet.parametersJson) {
      for (key, value) in members {
        if case .object(let inner) = value {
          // Nested options (`options`: before, after, rate, ...) read better one per row.
          for (innerKey, innerValue) in inner {
            windowRows.append((innerKey, innerValue.plainText))
          }
        } else {
          windowRows.append((key, value.plainText))
        }
      }
    }
    if let stages = history?.stageSeconds, !stages.isEmpty {
      let order = ["windows", "pretrain", "kmeans", "cluster", "store"]
      let sorted = stages.sorted {
        (order.firstIndex(of: $0.key) ?? 99, $0.key) < (order.firstIndex(of: $1.key) ?? 99, $1.key)
      }
      windowRows.append(
        (
          "stage times",
          sorted.map { "\($0.key) \(String(format: "%.1f", $0.value)) s" }.joined(separator: ", ")
        ))
    }
    func table(_ rows: [(String, String)]) -> String {
      "<table>\n"
        + rows.map {
          "<tr><th>\(SVG.escaped($0.0))</th><td><code>\(SVG.escaped($0.1))</code></td></tr>"
        }
        .joined(separator: "\n") + "\n</table>\n"
    }
    var steps = ""
    if case .array(let items)? = try? JSONValue(parsing: windowSet.processingJson), !items.isEmpty {
      steps =
        "<h3 style=\"margin-top:12px\">Processing</h3>\n<ol class=\"caption\">"
        + items.map { "<li><code>\(SVG.escaped($0.plainText))</code></li>" }.joined() + "</ol>\n"
    }
    var summary = ""
    if let text = run.summary, !text.isEmpty {
      summary =
        "<h3 style=\"margin-top:14px\">Summary printed by the run</h3>\n<pre class=\"summary\">"
        + SVG.escaped(text) + "</pre>\n"
    }
    return """
      <h2>Settings</h2>
      <div class="grid2">
      <div class="panel"><h3>Run</h3>
      \(table(rows))\(summary)</div>
      <div class="panel"><h3>Windows</h3>
      \(table(windowRows))\(steps)</div>
      </div>

      """
  }
}

extension WindowSetContents {
  /// The names of the windows' channels, in order: the codes when every window has the same
  /// (`HHZ, HHN, HHE`), else their components (`Z, N, E`; 1 and 2 are N and E), so a set
  /// that mixes instruments is not named after its first window's. Empty when the windows name
  /// no channels (an imported set without them).
  var componentNames: [String] {
    func names(_ channels: String) -> [String] {
      channels.split(separator: ",").map(String.init).filter { !$0.isEmpty }
    }
    guard let first = windows.first?.channels else { return [] }
    guard windows.contains(where: { $0.channels != first }) else { return names(first) }
    return names(first).map { code in
      switch code.last.map({ Character($0.uppercased()) }) {
      case "1"?: "N"
      case "2"?: "E"
      case let c?: String(c)
      case nil: code
      }
    }
  }
}
