import Foundation

/// A plot panel drawn as SVG: a frame at (`left`, `top`) of `width` x `height` pixels with an
/// x and a y axis. Methods append SVG elements to `svg`; `axes(...)` draws the frame, ticks
/// and labels last so they sit on top.
struct SVGPlot {
  var left: Double
  var top: Double
  var width: Double
  var height: Double
  var x: PlotAxis
  var y: PlotAxis
  var svg = ""

  init(left: Double, top: Double, width: Double, height: Double, x: PlotAxis, y: PlotAxis) {
    self.left = left
    self.top = top
    self.width = width
    self.height = height
    self.x = x
    self.y = y
  }

  func px(_ v: Double) -> Double { left + x.fraction(v) * width }
  func py(_ v: Double) -> Double { top + (1 - y.fraction(v)) * height }

  /// A polyline through the finite points; breaks at gaps (NaN).
  mutating func line(
    xs: [Double], ys: [Double], colour: String, width strokeWidth: Double = 1,
    dash: String? = nil, opacity: Double = 1
  ) {
    var runs: [[String]] = [[]]
    for (a, b) in zip(xs, ys) {
      guard a.isFinite, b.isFinite, !(y.isLogarithmic && b <= 0) else {
        if !(runs.last?.isEmpty ?? true) { runs.append([]) }
        continue
      }
      runs[runs.count - 1].append("\(SVG.n(px(a))),\(SVG.n(py(b)))")
    }
    for run in runs where run.count > 1 {
      svg +=
        "<polyline class=\"trace\" points=\"\(run.joined(separator: " "))\" stroke=\"\(colour)\""
        + " stroke-width=\"\(strokeWidth)\""
        + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
        + (opacity < 1 ? " stroke-opacity=\"\(opacity)\"" : "") + "/>\n"
    }
  }

  /// A filled band between `lower` and `upper`.
  mutating func band(
    xs: [Double], lower: [Double], upper: [Double], colour: String, opacity: Double
  ) {
    guard xs.count > 1 else { return }
    var points: [String] = []
    for i in xs.indices { points.append("\(SVG.n(px(xs[i]))),\(SVG.n(py(upper[i])))") }
    for i in xs.indices.reversed() { points.append("\(SVG.n(px(xs[i]))),\(SVG.n(py(lower[i])))") }
    svg +=
      "<polygon points=\"\(points.joined(separator: " "))\" fill=\"\(colour)\""
      + " fill-opacity=\"\(opacity)\" stroke=\"none\"/>\n"
  }

  mutating func circle(
    x cx: Double, y cy: Double, radius: Double, colour: String, title: String? = nil
  ) {
    svg +=
      "<circle cx=\"\(SVG.n(px(cx)))\" cy=\"\(SVG.n(py(cy)))\" r=\"\(radius)\" fill=\"\(colour)\""
    if let title {
      svg += "><title>\(SVG.escaped(title))</title></circle>\n"
    } else {
      svg += "/>\n"
    }
  }

  /// A rectangle in data coordinates.
  mutating func rect(
    x0: Double, x1: Double, y0: Double, y1: Double, colour: String, title: String? = nil
  ) {
    let a = px(min(x0, x1)), b = px(max(x0, x1))
    let c = py(max(y0, y1)), d = py(min(y0, y1))
    svg +=
      "<rect x=\"\(SVG.n(a))\" y=\"\(SVG.n(c))\" width=\"\(SVG.n(max(b - a, 0.5)))\""
      + " height=\"\(SVG.n(max(d - c, 0)))\" fill=\"\(colour)\""
    if let title {
      svg += "><title>\(SVG.escaped(title))</title></rect>\n"
    } else {
      svg += "/>\n"
    }
  }

  /// A vertical line across the panel at `value` (the pick, a threshold).
  mutating func verticalMarker(
    at value: Double, colour: String, dash: String = "4 3", label: String? = nil,
    labelAtBottom: Bool = false
  ) {
    let xv = px(value)
    svg +=
      "<line x1=\"\(SVG.n(xv))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(xv))\" y2=\"\(SVG.n(top + height))\""
      + " stroke=\"\(colour)\" stroke-width=\"1\" stroke-dasharray=\"\(dash)\"/>\n"
    if let label {
      svg += SVG.text(
        label, x: xv + 3, y: labelAtBottom ? top + height - 4 : top + 10, size: 10, colour: colour)
    }
  }

  /// A horizontal line across the panel at `value`.
  mutating func horizontalMarker(at value: Double, colour: String, label: String? = nil) {
    let yv = py(value)
    svg +=
      "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(yv))\" x2=\"\(SVG.n(left + width))\" y2=\"\(SVG.n(yv))\""
      + " stroke=\"\(colour)\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n"
    if let label {
      svg += SVG.text(
        label, x: left + width - 3, y: yv - 3, size: 10, anchor: "end", colour: colour)
    }
  }

  /// An image stretched over the panel (a spectrogram as a PNG data URI).
  mutating func image(dataURI: String) {
    svg +=
      "<image x=\"\(SVG.n(left))\" y=\"\(SVG.n(top))\" width=\"\(SVG.n(width))\""
      + " height=\"\(SVG.n(height))\" preserveAspectRatio=\"none\""
      // Cells drawn as cells: smoothed, a 17 x 9 spectrogram looked like a fine field.
      + " style=\"image-rendering:pixelated\" href=\"\(dataURI)\"/>\n"
  }

  /// The frame, ticks with labels, light grid lines, and axis titles.
  mutating func axes(
    xLabel: String?, yLabel: String?, xTicks: Bool = true, yTicks: Bool = true, grid: Bool = true,
    yTickLabels: Bool = true, xTickValues: [Double]? = nil
  ) {
    var out = ""
    // Given values (a sweep's latent sizes) are ticked as such: a log axis ticked only decades.
    let xTickList =
      xTickValues.map { values in
        values.map { ($0, $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0)) }
      } ?? x.ticks()
    if xTicks {
      for (v, label) in xTickList {
        let xv = px(v)
        if grid {
          out +=
            "<line class=\"grid\" x1=\"\(SVG.n(xv))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(xv))\" y2=\"\(SVG.n(top + height))\"/>\n"
        }
        out +=
          "<line class=\"tick\" x1=\"\(SVG.n(xv))\" y1=\"\(SVG.n(top + height))\" x2=\"\(SVG.n(xv))\" y2=\"\(SVG.n(top + height + 4))\"/>\n"
        out += SVG.text(label, x: xv, y: top + height + 15, size: 10.5, anchor: "middle")
      }
    }
    let yTickList = y.ticks(target: height < 90 ? 4 : 5)
    if yTicks {
      for (v, label) in yTickList {
        let yv = py(v)
        if grid {
          out +=
            "<line class=\"grid\" x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(yv))\" x2=\"\(SVG.n(left + width))\" y2=\"\(SVG.n(yv))\"/>\n"
        }
        out +=
          "<line class=\"tick\" x1=\"\(SVG.n(left - 4))\" y1=\"\(SVG.n(yv))\" x2=\"\(SVG.n(left))\" y2=\"\(SVG.n(yv))\"/>\n"
        if yTickLabels {
          out += SVG.text(label, x: left - 6, y: yv + 3.5, size: 10.5, anchor: "end")
        }
      }
    }
    out +=
      "<rect class=\"frame\" x=\"\(SVG.n(left))\" y=\"\(SVG.n(top))\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\"/>\n"
    if let xLabel {
      out += SVG.text(
        xLabel, x: left + width / 2, y: top + height + 31, size: 11.5, anchor: "middle")
    }
    if let yLabel {
      // Clear of the widest tick label ("0.0018" ran under the title).
      let widest = yTicks && yTickLabels ? (yTickList.map(\.label.count).max() ?? 0) : 0
      let cx = max(10, min(left - 44, left - 14 - Double(widest) * 6.2)), cy = top + height / 2
      out +=
        "<text x=\"\(SVG.n(cx))\" y=\"\(SVG.n(cy))\" font-size=\"11.5\" text-anchor=\"middle\""
        + " transform=\"rotate(-90 \(SVG.n(cx)) \(SVG.n(cy)))\">\(SVG.escaped(yLabel))</text>\n"
    }
    // Grid lines go under the data, the frame and ticks over it.
    let grids = out.split(separator: "\n").filter { $0.contains("class=\"grid\"") }
    let rest = out.split(separator: "\n").filter { !$0.contains("class=\"grid\"") }
    svg = grids.joined(separator: "\n") + "\n" + svg + rest.joined(separator: "\n") + "\n"
  }
}

/// SVG text helpers.
enum SVG {
  /// A number with at most one decimal, as coordinates need.
  static func n(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let r = (v * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
  }

  static func escaped(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case _ where c.value < 0x20 && c != "\n" && c != "\t": out += "\u{FFFD}"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  static func text(
    _ s: String, x: Double, y: Double, size: Double = 11, anchor: String = "start",
    colour: String? = nil, weight: String? = nil
  ) -> String {
    "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(size)\""
      + (anchor == "start" ? "" : " text-anchor=\"\(anchor)\"")
      + (colour.map { " fill=\"\($0)\"" } ?? "") + (weight.map { " font-weight=\"\($0)\"" } ?? "")
      + ">\(escaped(s))</text>\n"
  }

  /// An `<svg>` element of the given size around `body`, scaling with the page width.
  static func document(width: Double, height: Double, body: String, label: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\""
      + " width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(escaped(label))\">\n"
      + body + "</svg>\n"
  }
}
