import Seismic

/// Writes a catalog as a SeisBench-style metadata CSV, one row per window, with SeisBench's
/// `category_parameter_unit` column names: `trace_name` (the window id, as `windows export`
/// orders the `.npy`), `station_network_code`, `station_code`, `station_location_code`,
/// `trace_start_time`, `trace_sampling_rate_hz`, `trace_npts`, `trace_channels`,
/// `trace_component_order`, `trace_<phase>_arrival_sample` per phase, then `cluster`,
/// `cluster_probability`, `label`.
public struct SeisBenchMetadataWriter {
  public init() {}

  public func render(_ catalog: Catalog) -> String {
    let set = catalog.windowSet
    let rate = set.inputKind == .spectrogram ? nil : set.samplingRate
    // SeisBench names arrival columns by phase (`trace_p_arrival_sample`); one per phase seen.
    let phases = Array(
      Set(catalog.entries.map { arrivalColumnPhase($0.phase) }.filter { !$0.isEmpty })
    ).sorted()
    var csv = CSVText(
      header: [
        "trace_name", "station_network_code", "station_code", "station_location_code",
        "trace_start_time", "trace_sampling_rate_hz", "trace_npts", "trace_channels",
        "trace_component_order",
      ] + phases.map { "trace_\($0)_arrival_sample" } + [
        "cluster", "cluster_probability", "label",
      ])
    for entry in catalog.entries {
      let channels = entry.channels.split(separator: ",").map(String.init)
      let order = String(channels.compactMap(\.last))
      var arrival: String? = nil
      if let rate, let start = entry.startTime, let pick = entry.pickTime {
        let sample = (Double(pick.nanoseconds(since: start)) / 1e9 * rate).rounded()
        arrival = String(Int64(sample))
      }
      let phase = arrivalColumnPhase(entry.phase)
      csv.append(
        [
          String(entry.windowID), entry.network, entry.station, entry.location,
          entry.startTime?.iso8601 ?? "", rate.map(JSONValue.spell) ?? "",
          set.inputKind == .spectrogram ? "" : String(set.length), entry.channels, order,
        ] + phases.map { $0 == phase ? (arrival ?? "") : "" } + [
          String(entry.cluster), JSONValue.spell(entry.probability), entry.label ?? "",
        ])
    }
    return csv.text
  }

  /// `P` -> `p`; phases that are not plain names (`trigger`, empty) get no arrival column
  /// of their own unless they are letters only.
  func arrivalColumnPhase(_ phase: String) -> String {
    let lower = phase.lowercased()
    return lower.allSatisfy { $0.isLetter || $0.isNumber } ? lower : ""
  }
}
