/// Writes a catalog as QuakeML 1.2: one event per window holding the window's pick, with the
/// run's results as extra elements in the namespace `urn:seiscluster:1` (prefix `seiscluster`)
/// directly under the event, where ObsPy's `read_events` keeps them in `event.extra`:
/// `cluster`, `probability`, `run`, `window_id`, `distance`, and `label`,
/// `label_probability` once the run carries labels.
public struct CatalogQuakeMLWriter {
  /// The namespace of seiscluster's extra elements.
  public static let namespace = "urn:seiscluster:1"
  static let bed = "http://quakeml.org/xmlns/bed/1.2"
  static let quakeml = "http://quakeml.org/xmlns/quakeml/1.2"

  public init() {}

  public func render(_ catalog: Catalog) -> String {
    let run = catalog.runID
    let root = "smi:local/seiscluster/run/\(run)"
    var xml = """
      <?xml version="1.0" encoding="UTF-8"?>
      <q:quakeml xmlns:q="\(Self.quakeml)" xmlns="\(Self.bed)" xmlns:seiscluster="\(Self.namespace)">
        <eventParameters publicID="\(root)">

      """
    for entry in catalog.entries {
      let eventID = "\(root)/window/\(entry.windowID)"
      xml += "    <event publicID=\"\(eventID)\">\n"
      if let time = entry.pickTime {
        xml += "      <pick publicID=\"\(eventID)/pick\">\n"
        xml += "        <time>\n          <value>\(time.iso8601)</value>\n        </time>\n"
        xml +=
          "        <waveformID networkCode=\"\(escaped(entry.network))\""
          + " stationCode=\"\(escaped(entry.station))\""
          + " locationCode=\"\(escaped(entry.location))\""
          + " channelCode=\"\(escaped(entry.reportedChannel))\"/>\n"
        if !entry.phase.isEmpty {
          xml += "        <phaseHint>\(escaped(entry.phase))</phaseHint>\n"
        }
        if entry.phase == "trigger" {
          xml += "        <evaluationMode>automatic</evaluationMode>\n"
        }
        xml += "      </pick>\n"
      }
      func extra(_ name: String, _ value: String) {
        xml += "      <seiscluster:\(name)>\(escaped(value))</seiscluster:\(name)>\n"
      }
      extra("cluster", String(entry.cluster))
      extra("probability", JSONValue.spell(entry.probability))
      extra("run", String(run))
      extra("window_id", String(entry.windowID))
      if entry.distance.isFinite { extra("distance", JSONValue.spell(entry.distance)) }
      if catalog.hasLabels {
        if let label = entry.label { extra("label", label) }
        if let p = entry.labelProbability, p.isFinite {
          extra("label_probability", JSONValue.spell(p))
        }
      }
      xml += "    </event>\n"
    }
    xml += "  </eventParameters>\n</q:quakeml>\n"
    return xml
  }

  /// The windows whose written codes, phase or label hold a character XML 1.0 cannot hold,
  /// which `render` writes as U+FFFD: `export` says how many. Codes and phase are written with
  /// a pick (a window without a pick time has none), the label once the run carries labels.
  /// `picks import` refuses control characters since stop 29, but a store filled before then,
  /// `windows import --index`, U+FFFE or U+FFFF in a pick file, or a label given to `relabel`
  /// can still bring them.
  public static func replacedEntries(in catalog: Catalog) -> Int {
    let labels = catalog.hasLabels
    return catalog.entries.count { entry in
      let pick =
        entry.pickTime != nil
        && [entry.network, entry.station, entry.location, entry.reportedChannel, entry.phase]
          .contains(where: holdsUnrepresentable)
      return pick || (labels && (entry.label.map(holdsUnrepresentable) ?? false))
    }
  }

  /// The most characters QuakeML 1.2 allows in each of a waveform stream's codes (`maxLength`
  /// on `WaveformStreamID`'s attributes in its schema).
  public static let codeLimit = 8

  /// The windows written with a network, station, location or channel code longer than
  /// `codeLimit` (MiniSEED 3 source identifiers allow longer codes), and the first such code.
  /// `render` writes them as they are, so the file no longer validates against the QuakeML 1.2
  /// schema (ObsPy still reads it): `export` says so. Codes are written with a pick only.
  public static func overlongCodes(in catalog: Catalog) -> (windows: Int, first: String?) {
    var windows = 0
    var first: String?
    for entry in catalog.entries where entry.pickTime != nil {
      let codes = [entry.network, entry.station, entry.location, entry.reportedChannel]
      guard let long = codes.first(where: { $0.unicodeScalars.count > codeLimit }) else {
        continue
      }
      windows += 1
      if first == nil { first = long }
    }
    return (windows, first)
  }

  static func holdsUnrepresentable(_ text: String) -> Bool {
    text.unicodeScalars.contains(where: isUnrepresentable)
  }

  /// Controls other than tab and line breaks, and the two non-characters U+FFFE and U+FFFF.
  static func isUnrepresentable(_ scalar: Unicode.Scalar) -> Bool {
    (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r")
      || scalar.value == 0xFFFE || scalar.value == 0xFFFF
  }

  /// Text safe in XML content and double-quoted attributes. Characters XML 1.0 cannot hold
  /// at all (controls other than tab and line breaks) become U+FFFD.
  func escaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out += "&#\(scalar.value);"
      case _ where Self.isUnrepresentable(scalar): out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
