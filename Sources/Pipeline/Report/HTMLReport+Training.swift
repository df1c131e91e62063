extension HTMLReport {
  /// Pretraining loss per epoch, and per target update of the joint stage: its losses and the
  /// share of windows that changed cluster, against the run's `tol`.
  func trainingSection() -> String {
    guard let history else {
      return
        "<h2>Training</h2>\n<p class=\"note\">No training history was recorded for this run.</p>\n"
    }
    var panels: [String] = []
    let w = 420.0, h = 250.0
    if !history.pretraining.isEmpty {
      let xs = history.pretraining.map { Double($0.epoch) }
      let ys = history.pretraining.map(\.loss)
      var plot = SVGPlot(
        left: 62, top: 16, width: w - 80, height: h - 62,
        x: PlotAxis(covering: xs, padding: 0.02),
        y: PlotAxis(covering: ys, logarithmic: ys.allSatisfy { $0 > 0 }))
      plot.line(xs: xs, ys: ys, colour: "#222", width: 1.6)
      for (a, b) in zip(xs, ys) where xs.count <= 60 {
        plot.circle(x: a, y: b, radius: 2.2, colour: "#222")
      }
      var lossName = "MSE"
      if case .string(let name)? = catalog.options["loss"] { lossName = name.uppercased() }
      plot.axes(xLabel: "Pretraining epoch", yLabel: "Reconstruction loss (\(lossName))")
      panels.append(panel("Pretraining (λ = 0)", plot.svg, width: w, height: h))
    }
    if !history.updates.isEmpty {
      let xs = history.updates.map { Double($0.iteration) }
      // The first update comes before any joint step: its losses are placeholders (0), which
      // a logarithmic axis cannot draw (a run stopped at its second update drew an empty frame).
      let trained = history.updates.filter { $0.iteration > 0 || $0.loss != 0 }
      if trained.isEmpty {
        panels.append(
          "<div class=\"panel\"><h3>Joint optimisation</h3>\n<p class=\"note\">No joint step was "
            + "trained (the run stopped at its first target update).</p></div>\n")
      } else {
        let steps = trained.map { Double($0.iteration) }
        let series: [(String, [Double], String, String?)] = [
          ("total", trained.map(\.loss), "#222", nil),
          ("reconstruction", trained.map(\.reconstruction), "#0072b2", "5 3"),
          ("KL(P‖Q)", trained.map(\.kl), "#d55e00", "2 2"),
        ]
        let all = series.flatMap(\.1)
        var plot = SVGPlot(
          left: 62, top: 16, width: w - 80, height: h - 62,
          x: PlotAxis(covering: xs, padding: 0.02),
          y: PlotAxis(covering: all, logarithmic: all.contains { $0 > 0 }))
        for (_, ys, colour, dash) in series {
          plot.line(xs: steps, ys: ys, colour: colour, width: 1.6, dash: dash)
          for (a, b) in zip(steps, ys) where steps.count <= 60 && b > 0 {
            plot.circle(x: a, y: b, radius: 2.2, colour: colour)
          }
        }
        plot.axes(xLabel: "Iteration", yLabel: "Loss")
        // Under the axis: inside the frame it hid the KL curve.
        let boxWidth = 30 + Double(series.map(\.0.count).max() ?? 0) * 6.4
        plot.svg += legend(
          series.map { ($0.0, $0.2, $0.3) }, x: plot.left + boxWidth,
          y: plot.top + plot.height + 52)
        panels.append(
          panel(
            "Joint optimisation", plot.svg, width: w, height: h + Double(series.count * 15) + 14,
            caption: "Mean losses of the joint steps before each target update."))
      }

      // The first update has no labels before it: its 100 % is the start, not a change, and
      // squeezed the real changes (4 %) onto the axis.
      let compared = history.updates.count > 1 ? Array(history.updates.dropFirst()) : []
      let changeXs = compared.map { Double($0.iteration) }
      let changes = compared.map { $0.labelChange * 100 }
      var change = SVGPlot(
        left: 62, top: 16, width: w - 80, height: h - 62,
        x: PlotAxis(covering: xs, padding: 0.02),
        y: PlotAxis(covering: changes + [0], padding: 0.08, includeZero: true))
      change.line(xs: changeXs, ys: changes, colour: "#009e73", width: 1.6)
      for (a, b) in zip(changeXs, changes) where changeXs.count <= 60 {
        change.circle(x: a, y: b, radius: 2.2, colour: "#009e73")
      }
      if case .number(let tol)? = catalog.options["tol"], tol > 0 {
        change.horizontalMarker(at: tol * 100, colour: "#b2182b", label: "tol")
      }
      change.axes(xLabel: "Iteration", yLabel: "Windows changing cluster (%)")
      panels.append(panel("Label changes between target updates", change.svg, width: w, height: h))
    }
    return "<h2>Training</h2>\n<div class=\"grid3\">\n" + panels.joined() + "</div>\n"
  }

  func panel(_ title: String, _ body: String, width: Double, height: Double, caption: String? = nil)
    -> String
  {
    HTMLReport.panel(title, body, width: width, height: height, caption: caption)
  }

  func legend(_ items: [(String, String, String?)], x: Double, y: Double) -> String {
    HTMLReport.legend(items, x: x, y: y)
  }

  /// A titled panel holding one SVG figure (and a caption).
  static func panel(
    _ title: String, _ body: String, width: Double, height: Double, caption: String? = nil
  ) -> String {
    "<div class=\"panel\"><h3>\(SVG.escaped(title))</h3>\n"
      + SVG.document(width: width, height: height, body: body, label: title)
      + (caption.map { "<p class=\"caption\">\($0)</p>\n" } ?? "") + "</div>\n"
  }

  /// A legend box anchored at its top-right corner.
  static func legend(_ items: [(String, String, String?)], x: Double, y: Double) -> String {
    let boxWidth = 30 + Double(items.map(\.0.count).max() ?? 0) * 6.4
    var out =
      "<rect x=\"\(SVG.n(x - boxWidth))\" y=\"\(SVG.n(y - 12))\" width=\"\(SVG.n(boxWidth))\""
      + " height=\"\(items.count * 15 + 6)\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
    for (i, (label, colour, dash)) in items.enumerated() {
      let yy = y + Double(i) * 15
      out +=
        "<line x1=\"\(SVG.n(x - boxWidth + 5))\" y1=\"\(SVG.n(yy - 3))\" x2=\"\(SVG.n(x - boxWidth + 22))\""
        + " y2=\"\(SVG.n(yy - 3))\" stroke=\"\(colour)\" stroke-width=\"1.8\""
        + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
      out += SVG.text(label, x: x - boxWidth + 26, y: yy + 1, size: 10.5)
    }
    return out
  }
}
